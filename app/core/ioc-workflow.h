/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ioc-enums.h"

G_BEGIN_DECLS

/*
 * The task workflow of ARCHITECTURE.md as data. The server enforces it and the
 * console enables its buttons from it: there is no other copy.
 */

typedef enum {
  IOC_FIELD_NONE          = 0,
  IOC_FIELD_NOTE          = 1 << 0, /* reason, result note or comment text */
  IOC_FIELD_DEPARTMENT    = 1 << 1,
  IOC_FIELD_DUE_AT        = 1 << 2,
  IOC_FIELD_DUPLICATE_OF  = 1 << 3,
  IOC_FIELD_RATING        = 1 << 4,
} IocFields;

typedef enum {
  /* Who may act; liaisons only on tasks assigned to their own department. */
  IOC_ACTOR_OPERATOR          = 1 << IOC_ROLE_OPERATOR,
  IOC_ACTOR_LIAISON           = 1 << IOC_ROLE_LIAISON,
  IOC_ACTOR_SUPERVISOR        = 1 << IOC_ROLE_SUPERVISOR,
  IOC_ACTOR_ADMIN             = 1 << IOC_ROLE_ADMIN,
} IocActors;

typedef struct {
  IocAction     action;
  guint         from;        /* bit mask of IocTaskState, all states for comment */
  IocTaskState  to;          /* IOC_TASK_STATE_INVALID: the state does not change */
  guint         actors;      /* IocActors */
  IocFields     required;
  IocFields     optional;
  const char   *note_name;   /* what the note means for this action: "reason", "result", "text" */
} IocWorkflowRule;

typedef enum {
  IOC_WORKFLOW_OK,
  IOC_WORKFLOW_WRONG_STATE,
  IOC_WORKFLOW_NOT_ALLOWED,
} IocWorkflowCheck;

const IocWorkflowRule *ioc_workflow_rule (IocAction action);

/* Whether a user in @role may see a task; @assigned_to_own_department is
 * whether the task is or was assigned to the user's department. */
gboolean ioc_workflow_can_see (IocRole  role,
                               gboolean was_assigned_to_own_department);

/* Whether reporter name, phone and e-mail may be shown to @role. */
gboolean ioc_workflow_can_see_reporter (IocRole role);

/* Whether @role may take in new tasks (intake). */
gboolean ioc_workflow_can_intake (IocRole role);

/* @own_department: the task is currently assigned to the user's department.
 * @visible: the user may see the task at all (comment needs only that). */
IocWorkflowCheck ioc_workflow_check (IocAction    action,
                                     IocTaskState state,
                                     IocRole      role,
                                     gboolean     own_department,
                                     gboolean     visible);

/* Actions the user may take now, as a bit mask of (1 << IocAction). */
guint ioc_workflow_allowed_actions (IocTaskState state,
                                    IocRole      role,
                                    gboolean     own_department,
                                    gboolean     visible);

G_END_DECLS
