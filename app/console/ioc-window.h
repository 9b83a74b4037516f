/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ioc-indicators-page.h"
#include "ioc-map-view.h"
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
/* Whether the first page of tasks is in: the control room ("main") shows
 * at sign-in, before it. */
gboolean        ioc_window_get_tasks_ready (IocWindow     *self);
void            ioc_window_set_server     (IocWindow      *self,
                                           const char     *uri);
void            ioc_window_set_credentials (IocWindow     *self,
                                            const char    *username,
                                            const char    *password);
const char     *ioc_window_get_fingerprint_shown (IocWindow *self);
const char     *ioc_window_get_error_shown (IocWindow     *self);
/* Selects the task in the queue (when the view shows it) and opens its
 * details; what a click on a notification does (win.show-task). */
void            ioc_window_show_task       (IocWindow     *self,
                                            gint64         id);

/* For tests: the latest dialog still open (action, bulk forward, intake),
 * the text of the latest toast, and the ids of the notifications sent
 * ("task-42-forwarded", "-returned", "-overdue"), in order. Signal
 * "notified" (const char *id, gint64 task_id) tells of each as it goes. */
GtkWindow      *ioc_window_get_open_dialog (IocWindow     *self);
const char     *ioc_window_get_last_toast  (IocWindow     *self);
GPtrArray      *ioc_window_get_notifications (IocWindow   *self);
/* The single-task action dialog, for the details' task: open it, read and
 * set its due time (forward; µs since the epoch, 0 when it has none) and
 * note, and answer it. respond returns FALSE when no dialog is open or it
 * cannot be applied yet (a required reason missing, a due time passed). */
void            ioc_window_open_action_dialog (IocWindow  *self,
                                               IocAction   action);
gint64          ioc_window_get_action_due  (IocWindow     *self);
void            ioc_window_set_action_due  (IocWindow     *self,
                                            gint64         usec);
void            ioc_window_set_action_note (IocWindow     *self,
                                            const char    *note);
gboolean        ioc_window_respond_action  (IocWindow     *self,
                                            gboolean       apply);

/* The control-room layout: whether map, list and indicator strip are
 * shown together now (the "layout" setting, or the window's width). */
gboolean        ioc_window_get_wide_layout (IocWindow     *self);
IocMapView     *ioc_window_get_map_view    (IocWindow     *self);
IocIndicatorsPage *ioc_window_get_indicators_page (IocWindow *self);

G_END_DECLS
