/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void ioc_task_run_in_background (GTask           *task,
                                 GTaskThreadFunc  func);

G_END_DECLS
