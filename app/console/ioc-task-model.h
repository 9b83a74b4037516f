/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ioc-client.h"
#include "ioc-task-object.h"

G_BEGIN_DECLS

/* Every task the signed-in user may see, as a GListModel of IocTaskObject,
 * loaded in pages (decoded in a worker thread) and kept current by events.
 * Every 30 s the clock ticks: signal "task-overdue" (IocTaskObject) for each
 * open task that crossed its due time since the tick before. Signal
 * "task-updated" (IocTaskObject) when an event changed a known task: one
 * handler on the model instead of one "notify" handler per task object. */

#define IOC_TYPE_TASK_MODEL (ioc_task_model_get_type ())
G_DECLARE_FINAL_TYPE (IocTaskModel, ioc_task_model, IOC, TASK_MODEL, GObject)

IocTaskModel  *ioc_task_model_new           (void);
GListModel    *ioc_task_model_get_list      (IocTaskModel        *self);
IocReference  *ioc_task_model_get_reference (IocTaskModel        *self);
IocTaskObject *ioc_task_model_find          (IocTaskModel        *self,
                                             gint64               id);

/* Loads the reference data, then every task page by page, newest first.
 * Finishes as soon as the first page is in, with the event sequence number
 * to follow from; the older pages keep coming in the background (property
 * "loading" is TRUE until the last one; signal "load-failed" (GError) if
 * one fails). A new load, clear() or disposing stops it. */
void           ioc_task_model_load_async    (IocTaskModel        *self,
                                             IocClient           *client,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gint64         ioc_task_model_load_finish   (IocTaskModel        *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Applies a task event in place: a new task is appended, a known one updated. */
void           ioc_task_model_apply_event   (IocTaskModel        *self,
                                             IocEvent            *event);
void           ioc_task_model_clear         (IocTaskModel        *self);
gboolean       ioc_task_model_get_loading   (IocTaskModel        *self);
/* What the 30 s timer does, at @now (tests need not wait for it). */
void           ioc_task_model_tick          (IocTaskModel        *self,
                                             gint64               now);

G_END_DECLS
