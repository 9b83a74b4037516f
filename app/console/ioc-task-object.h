/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ioc-core.h"

G_BEGIN_DECLS

/* One task as a list item: the queue's columns bind to these properties,
 * and an event updates the same object in place (selection and scroll stay). */

#define IOC_TYPE_TASK_OBJECT (ioc_task_object_get_type ())
G_DECLARE_FINAL_TYPE (IocTaskObject, ioc_task_object, IOC, TASK_OBJECT, GObject)

/* Names shown for codes; owned by the model, shared by its objects. */
typedef struct {
  GHashTable *categories;   /* code → IocCategory */
  GHashTable *communes;     /* code → IocCommune */
  GHashTable *departments;  /* code → IocDepartment */
} IocReference;

IocTaskObject *ioc_task_object_new            (IocTask         *task,
                                               IocReference    *reference);
IocTask       *ioc_task_object_get_task       (IocTaskObject   *self);
gint64         ioc_task_object_get_id         (IocTaskObject   *self);
/* The id kept in the object itself: a key for as long as the object lives
 * (an update replaces the IocTask, never the id). */
const gint64  *ioc_task_object_peek_id        (IocTaskObject   *self);
/* Replaces the task when @task is newer (higher version, or a timeline
 * change); notifies every property that changed. */
gboolean       ioc_task_object_update         (IocTaskObject   *self,
                                               IocTask         *task);
/* The clock moved: age and time left are read again. Returns whether the
 * task crossed its due time (open and not overdue before, overdue now). */
gboolean       ioc_task_object_tick           (IocTaskObject   *self,
                                               gint64           now);
const char    *ioc_task_object_get_search_text (IocTaskObject  *self);
gboolean       ioc_task_object_get_overdue    (IocTaskObject   *self);

const char    *ioc_task_state_get_label       (IocTaskState     state);
const char    *ioc_priority_get_label         (IocPriority      priority);
const char    *ioc_source_get_label           (IocSource        source);
const char    *ioc_action_get_label           (IocAction        action);
/* "3 giờ 20 phút", "2 ngày" … for an interval in microseconds. */
char          *ioc_format_duration            (gint64           usec);
char          *ioc_format_time                (gint64           usec);

G_END_DECLS
