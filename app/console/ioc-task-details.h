/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-task-object.h"

G_BEGIN_DECLS

/* Every field of one task, its timeline, and buttons for exactly the
 * actions the workflow table allows this user on it.
 * Signal "action-requested" (int IocAction). */

#define IOC_TYPE_TASK_DETAILS (ioc_task_details_get_type ())
G_DECLARE_FINAL_TYPE (IocTaskDetails, ioc_task_details, IOC, TASK_DETAILS, GtkWidget)

void     ioc_task_details_set_task (IocTaskDetails *self,
                                    IocTask        *task,
                                    IocUser        *user,
                                    IocReference   *reference);
IocTask *ioc_task_details_get_task (IocTaskDetails *self);
/* The actions offered now, as a mask of 1 << IocAction (for tests). */
guint    ioc_task_details_get_offered_actions (IocTaskDetails *self);

G_END_DECLS
