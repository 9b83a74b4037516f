/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define IOC_TYPE_APPLICATION (ioc_application_get_type ())
G_DECLARE_FINAL_TYPE (IocApplication, ioc_application, IOC, APPLICATION, AdwApplication)

IocApplication *ioc_application_new (void);

G_END_DECLS
