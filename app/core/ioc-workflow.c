/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-workflow.h"

#define S(state) (1u << IOC_TASK_STATE_##state)
#define ANY_STATE ((1u << IOC_N_TASK_STATES) - 1)

static const IocWorkflowRule rules[IOC_N_ACTIONS] = {
  [IOC_ACTION_VERIFY] = {
    IOC_ACTION_VERIFY, S (RECEIVED), IOC_TASK_STATE_VERIFIED,
    IOC_ACTOR_OPERATOR, IOC_FIELD_NONE, IOC_FIELD_NOTE, "note",
  },
  [IOC_ACTION_REJECT] = {
    IOC_ACTION_REJECT, S (RECEIVED) | S (VERIFIED), IOC_TASK_STATE_REJECTED,
    IOC_ACTOR_OPERATOR, IOC_FIELD_NOTE, IOC_FIELD_NONE, "reason",
  },
  [IOC_ACTION_MARK_DUPLICATE] = {
    IOC_ACTION_MARK_DUPLICATE, S (RECEIVED) | S (VERIFIED), IOC_TASK_STATE_DUPLICATE,
    IOC_ACTOR_OPERATOR, IOC_FIELD_DUPLICATE_OF, IOC_FIELD_NOTE, "note",
  },
  [IOC_ACTION_FORWARD] = {
    IOC_ACTION_FORWARD, S (VERIFIED) | S (RETURNED), IOC_TASK_STATE_FORWARDED,
    IOC_ACTOR_OPERATOR, IOC_FIELD_DEPARTMENT, IOC_FIELD_DUE_AT | IOC_FIELD_NOTE, "note",
  },
  [IOC_ACTION_ACKNOWLEDGE] = {
    IOC_ACTION_ACKNOWLEDGE, S (FORWARDED), IOC_TASK_STATE_ACKNOWLEDGED,
    IOC_ACTOR_LIAISON, IOC_FIELD_NONE, IOC_FIELD_NOTE, "note",
  },
  [IOC_ACTION_START] = {
    IOC_ACTION_START, S (ACKNOWLEDGED), IOC_TASK_STATE_IN_PROGRESS,
    IOC_ACTOR_LIAISON, IOC_FIELD_NONE, IOC_FIELD_NOTE, "note",
  },
  [IOC_ACTION_RETURN] = {
    IOC_ACTION_RETURN, S (FORWARDED) | S (ACKNOWLEDGED) | S (IN_PROGRESS), IOC_TASK_STATE_RETURNED,
    IOC_ACTOR_LIAISON, IOC_FIELD_NOTE, IOC_FIELD_NONE, "reason",
  },
  [IOC_ACTION_RESOLVE] = {
    IOC_ACTION_RESOLVE, S (ACKNOWLEDGED) | S (IN_PROGRESS), IOC_TASK_STATE_RESOLVED,
    IOC_ACTOR_LIAISON, IOC_FIELD_NOTE, IOC_FIELD_NONE, "result",
  },
  [IOC_ACTION_CLOSE] = {
    IOC_ACTION_CLOSE, S (RESOLVED), IOC_TASK_STATE_CLOSED,
    IOC_ACTOR_OPERATOR, IOC_FIELD_NONE, IOC_FIELD_RATING | IOC_FIELD_NOTE, "note",
  },
  [IOC_ACTION_REOPEN] = {
    IOC_ACTION_REOPEN, S (RESOLVED) | S (CLOSED) | S (REJECTED), IOC_TASK_STATE_VERIFIED,
    IOC_ACTOR_OPERATOR | IOC_ACTOR_SUPERVISOR, IOC_FIELD_NOTE, IOC_FIELD_NONE, "reason",
  },
  [IOC_ACTION_COMMENT] = {
    IOC_ACTION_COMMENT, ANY_STATE, IOC_TASK_STATE_INVALID,
    IOC_ACTOR_OPERATOR | IOC_ACTOR_LIAISON | IOC_ACTOR_SUPERVISOR, IOC_FIELD_NOTE, IOC_FIELD_NONE, "text",
  },
};

const IocWorkflowRule *
ioc_workflow_rule (IocAction action)
{
  if ((int) action < 0 || action >= IOC_N_ACTIONS)
    return NULL;

  return &rules[action];
}

gboolean
ioc_workflow_can_see (IocRole  role,
                      gboolean was_assigned_to_own_department)
{
  switch (role)
    {
    case IOC_ROLE_OPERATOR:
    case IOC_ROLE_SUPERVISOR:
      return TRUE;
    case IOC_ROLE_LIAISON:
      return was_assigned_to_own_department;
    case IOC_ROLE_ADMIN:
    case IOC_N_ROLES:
    case IOC_ROLE_INVALID:
    default:
      /* Administrators run the server; the reports are not theirs to read. */
      return FALSE;
    }
}

gboolean
ioc_workflow_can_see_reporter (IocRole role)
{
  return role == IOC_ROLE_OPERATOR || role == IOC_ROLE_SUPERVISOR;
}

gboolean
ioc_workflow_can_intake (IocRole role)
{
  return role == IOC_ROLE_OPERATOR;
}

IocWorkflowCheck
ioc_workflow_check (IocAction    action,
                    IocTaskState state,
                    IocRole      role,
                    gboolean     own_department,
                    gboolean     visible)
{
  const IocWorkflowRule *rule = ioc_workflow_rule (action);

  if (rule == NULL || (int) role < 0 || role >= IOC_N_ROLES || !visible)
    return IOC_WORKFLOW_NOT_ALLOWED;

  if ((rule->actors & (1u << role)) == 0)
    return IOC_WORKFLOW_NOT_ALLOWED;

  /* A liaison acts for their own department only; a comment needs only sight. */
  if (role == IOC_ROLE_LIAISON && action != IOC_ACTION_COMMENT && !own_department)
    return IOC_WORKFLOW_NOT_ALLOWED;

  if ((int) state < 0 || state >= IOC_N_TASK_STATES || (rule->from & (1u << state)) == 0)
    return IOC_WORKFLOW_WRONG_STATE;

  return IOC_WORKFLOW_OK;
}

guint
ioc_workflow_allowed_actions (IocTaskState state,
                              IocRole      role,
                              gboolean     own_department,
                              gboolean     visible)
{
  guint mask = 0;

  for (guint a = 0; a < IOC_N_ACTIONS; a++)
    if (ioc_workflow_check (a, state, role, own_department, visible) == IOC_WORKFLOW_OK)
      mask |= 1u << a;

  return mask;
}
