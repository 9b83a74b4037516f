/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ioc-queue-view.h"
#include "ioc-task-details.h"
#include "ioc-task-model.h"

G_BEGIN_DECLS

#define IOC_TYPE_WINDOW (ioc_window_get_type ())
G_DECLARE_FINAL_TYPE (IocWindow, ioc_window, IOC, WINDOW, AdwApplicationWindow)

IocWindow      *ioc_window_new            (AdwApplication *application,
                                           GSettings      *settings);
/* For tests: the pieces a user works with. */
IocQueueView   *ioc_window_get_queue_view (IocWindow      *self);
IocTaskDetails *ioc_window_get_details    (IocWindow      *self);
IocTaskModel   *ioc_window_get_model      (IocWindow      *self);
const char     *ioc_window_get_page       (IocWindow      *self);
void            ioc_window_set_server     (IocWindow      *self,
                                           const char     *uri);
void            ioc_window_set_credentials (IocWindow     *self,
                                            const char    *username,
                                            const char    *password);
const char     *ioc_window_get_fingerprint_shown (IocWindow *self);
const char     *ioc_window_get_error_shown (IocWindow     *self);

G_END_DECLS
