/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-task-object.h"

G_BEGIN_DECLS

/* The queue's filtered list: the IocTaskObject items of a model that pass a
 * match function, in the model's order.
 *
 * Unlike GtkFilterListModel it filters in one synchronous pass (a match
 * only compares pre-folded text and a few fields: tens of milliseconds for
 * 100,000 tasks) and announces the result as ONE items-changed covering
 * only the rows that differ. An incremental GtkFilterListModel announces
 * hundreds of small changes, each one a relayout of the list and a frame,
 * so the filtered list was complete only seconds later.
 *
 * A long pass is shared between the calling thread and helper threads
 * while the calling thread waits: the match function is called from those
 * threads too, and must only read the tasks and its own settings. */

#define IOC_TYPE_QUEUE_FILTER_MODEL (ioc_queue_filter_model_get_type ())
G_DECLARE_FINAL_TYPE (IocQueueFilterModel, ioc_queue_filter_model, IOC, QUEUE_FILTER_MODEL, GObject)

typedef gboolean (*IocQueueMatchFunc) (IocTaskObject *object,
                                       gpointer       user_data);

IocQueueFilterModel *ioc_queue_filter_model_new       (IocQueueMatchFunc    match,
                                                       gpointer             user_data);
void                 ioc_queue_filter_model_set_model (IocQueueFilterModel *self,
                                                       GListModel          *model);
GListModel          *ioc_queue_filter_model_get_model (IocQueueFilterModel *self);
/* The match function answers differently now. MORE_STRICT looks only at
 * the rows shown, LESS_STRICT only at the rows hidden. */
void                 ioc_queue_filter_model_refilter  (IocQueueFilterModel *self,
                                                       GtkFilterChange      change);

G_END_DECLS
