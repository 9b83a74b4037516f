/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-task-object.h"

G_BEGIN_DECLS

/* The task queue: sortable columns, the role's predefined views, explicit
 * filters (state, department, category, overdue) and a search box that
 * ignores case and diacritics ("den duong" finds "Đèn đường"); all of them
 * combine, filtered and sorted incrementally.
 * Signal "task-selected" (IocTaskObject or NULL); property "view" (IocView). */

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
IocView         ioc_queue_view_get_view         (IocQueueView *self);
/* The view's name as the "last-view" setting keeps it ("operator-new",
 * "liaison-forwarded" …); setting a name the role does not have returns FALSE. */
char           *ioc_queue_view_dup_view_name    (IocQueueView *self);
gboolean        ioc_queue_view_set_view_name    (IocQueueView *self,
                                                 const char   *name);
/* Names for the department and category filters. */
void            ioc_queue_view_set_reference    (IocQueueView *self,
                                                 IocReference *reference);
/* Explicit filters: IOC_TASK_STATE_INVALID and NULL mean any. */
void            ioc_queue_view_set_state_filter (IocQueueView *self,
                                                 IocTaskState  state);
void            ioc_queue_view_set_department_filter (IocQueueView *self,
                                                      const char   *code);
void            ioc_queue_view_set_category_filter   (IocQueueView *self,
                                                      const char   *code);
void            ioc_queue_view_set_overdue_filter    (IocQueueView *self,
                                                      gboolean      overdue_only);
void            ioc_queue_view_clear_filters    (IocQueueView *self);
void            ioc_queue_view_focus_search     (IocQueueView *self);
/* The search box, where a test or benchmark types as a user would. */
GtkEditable    *ioc_queue_view_get_search_entry (IocQueueView *self);
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
/* Pure: whether a task passes the explicit filters (INVALID / NULL: any). */
gboolean        ioc_queue_filter_matches        (IocTask      *task,
                                                 IocTaskState  state,
                                                 const char   *department,
                                                 const char   *category,
                                                 gboolean      overdue_only,
                                                 gint64        now);

G_END_DECLS
