/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define IOC_TYPE_TLS_DATABASE (ioc_tls_database_get_type ())
G_DECLARE_FINAL_TYPE (IocTlsDatabase, ioc_tls_database, IOC, TLS_DATABASE, GTlsDatabase)

void          ioc_tls_database_install   (void);
GTlsDatabase *ioc_tls_database_get_inner (IocTlsDatabase *self);

G_END_DECLS
