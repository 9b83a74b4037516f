/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include <string.h>

#include "ioc-enums.h"

static const char * const task_states[IOC_N_TASK_STATES] = {
  "received", "verified", "rejected", "duplicate", "forwarded",
  "acknowledged", "in_progress", "returned", "resolved", "closed",
};

static const char * const roles[IOC_N_ROLES] = {
  "operator", "liaison", "supervisor", "admin",
};

static const char * const sources[IOC_N_SOURCES] = {
  "citizen_app", "hotline", "sensor", "department", "operator",
};

static const char * const priorities[IOC_N_PRIORITIES] = {
  "urgent", "high", "normal", "low",
};

static const char * const actions[IOC_N_ACTIONS + 1] = {
  "verify", "reject", "mark_duplicate", "forward", "acknowledge", "start",
  "return", "resolve", "close", "reopen", "comment", "intake",
};

static int
lookup (const char * const *table,
        int                 n,
        const char         *str)
{
  if (str == NULL)
    return -1;

  for (int i = 0; i < n; i++)
    if (strcmp (table[i], str) == 0)
      return i;

  return -1;
}

#define DEFINE_STRINGS(Type, name, table, n)                    \
  const char *                                                  \
  ioc_##name##_to_string (Type value)                           \
  {                                                             \
    if ((int) value < 0 || (int) value >= (n))                  \
      return NULL;                                              \
    return table[value];                                        \
  }                                                             \
  Type                                                          \
  ioc_##name##_from_string (const char *str)                    \
  {                                                             \
    return (Type) lookup (table, (n), str);                     \
  }

DEFINE_STRINGS (IocTaskState, task_state, task_states, IOC_N_TASK_STATES)
DEFINE_STRINGS (IocRole, role, roles, IOC_N_ROLES)
DEFINE_STRINGS (IocSource, source, sources, IOC_N_SOURCES)
DEFINE_STRINGS (IocPriority, priority, priorities, IOC_N_PRIORITIES)
DEFINE_STRINGS (IocAction, action, actions, IOC_N_ACTIONS + 1)

gboolean
ioc_task_state_is_open (IocTaskState state)
{
  switch (state)
    {
    case IOC_TASK_STATE_REJECTED:
    case IOC_TASK_STATE_DUPLICATE:
    case IOC_TASK_STATE_CLOSED:
      return FALSE;
    /* Resolved still waits for the operator to accept the result and close it. */
    case IOC_TASK_STATE_RESOLVED:
    case IOC_TASK_STATE_RECEIVED:
    case IOC_TASK_STATE_VERIFIED:
    case IOC_TASK_STATE_FORWARDED:
    case IOC_TASK_STATE_ACKNOWLEDGED:
    case IOC_TASK_STATE_IN_PROGRESS:
    case IOC_TASK_STATE_RETURNED:
      return TRUE;
    case IOC_N_TASK_STATES:
    case IOC_TASK_STATE_INVALID:
    default:
      return FALSE;
    }
}

/* ARCHITECTURE.md: overdue means past due while the department holds it. */
gboolean
ioc_task_state_can_be_overdue (IocTaskState state)
{
  return state == IOC_TASK_STATE_FORWARDED ||
         state == IOC_TASK_STATE_ACKNOWLEDGED ||
         state == IOC_TASK_STATE_IN_PROGRESS;
}
