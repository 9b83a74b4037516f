/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-task-object.h"

G_BEGIN_DECLS

/* The task queue: sortable columns, the role's predefined views and a
 * search box that ignores case and diacritics ("den duong" finds "Đèn đường").
 * Signal "task-selected" (IocTaskObject or NULL). */

#define IOC_TYPE_QUEUE_VIEW (ioc_queue_view_get_type ())
G_DECLARE_FINAL_TYPE (IocQueueView, ioc_queue_view, IOC, QUEUE_VIEW, GtkWidget)

typedef enum {
  IOC_VIEW_ALL_OPEN,
  IOC_VIEW_NEW,
  IOC_VIEW_TO_FORWARD,
  IOC_VIEW_RETURNED,
  IOC_VIEW_OVERDUE,
  IOC_VIEW_FORWARDED_TO_US,
  IOC_VIEW_IN_PROGRESS,
  IOC_VIEW_OVERDUE_BY_DEPARTMENT,
  IOC_VIEW_ALL,
} IocView;

GtkWidget      *ioc_queue_view_new              (void);
/* @model: IocTaskObject items; @role and @department decide the views. */
void            ioc_queue_view_set_model        (IocQueueView *self,
                                                 GListModel   *model,
                                                 IocRole       role,
                                                 const char   *department);
void            ioc_queue_view_set_search       (IocQueueView *self,
                                                 const char   *text);
void            ioc_queue_view_set_view         (IocQueueView *self,
                                                 IocView       view);
/* Items shown now, after view and search (for tests and the count). */
GListModel     *ioc_queue_view_get_shown        (IocQueueView *self);
GtkSelectionModel *ioc_queue_view_get_selection (IocQueueView *self);
/* Whether filtering or sorting is still running in the background. */
gboolean        ioc_queue_view_is_busy          (IocQueueView *self);
/* Every selected task (bulk actions). */
GPtrArray      *ioc_queue_view_get_selected     (IocQueueView *self);
void            ioc_queue_view_select_task      (IocQueueView *self,
                                                 gint64        id);

/* Pure: whether a task belongs in @view for a user of @department. */
gboolean        ioc_view_matches                (IocView       view,
                                                 IocTask      *task,
                                                 const char   *department,
                                                 gint64        now);

G_END_DECLS
