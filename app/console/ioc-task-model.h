/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ioc-client.h"
#include "ioc-task-object.h"

G_BEGIN_DECLS

/* Every task the signed-in user may see, as a GListModel of IocTaskObject,
 * loaded in pages (decoded in a worker thread) and kept current by events. */

#define IOC_TYPE_TASK_MODEL (ioc_task_model_get_type ())
G_DECLARE_FINAL_TYPE (IocTaskModel, ioc_task_model, IOC, TASK_MODEL, GObject)

IocTaskModel  *ioc_task_model_new           (void);
GListModel    *ioc_task_model_get_list      (IocTaskModel        *self);
IocReference  *ioc_task_model_get_reference (IocTaskModel        *self);
IocTaskObject *ioc_task_model_find          (IocTaskModel        *self,
                                             gint64               id);

/* Loads the reference data, then every task page by page; returns the
 * event sequence number to follow from. */
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

G_END_DECLS
