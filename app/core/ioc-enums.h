/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The string forms are the wire format (JSON and the database), never translated. */

typedef enum {
  IOC_TASK_STATE_RECEIVED,
  IOC_TASK_STATE_VERIFIED,
  IOC_TASK_STATE_REJECTED,
  IOC_TASK_STATE_DUPLICATE,
  IOC_TASK_STATE_FORWARDED,
  IOC_TASK_STATE_ACKNOWLEDGED,
  IOC_TASK_STATE_IN_PROGRESS,
  IOC_TASK_STATE_RETURNED,
  IOC_TASK_STATE_RESOLVED,
  IOC_TASK_STATE_CLOSED,
  IOC_N_TASK_STATES,
  IOC_TASK_STATE_INVALID = -1,
} IocTaskState;

typedef enum {
  IOC_ROLE_OPERATOR,
  IOC_ROLE_LIAISON,
  IOC_ROLE_SUPERVISOR,
  IOC_ROLE_ADMIN,
  IOC_N_ROLES,
  IOC_ROLE_INVALID = -1,
} IocRole;

typedef enum {
  IOC_SOURCE_CITIZEN_APP,
  IOC_SOURCE_HOTLINE,
  IOC_SOURCE_SENSOR,
  IOC_SOURCE_DEPARTMENT,
  IOC_SOURCE_OPERATOR,
  IOC_N_SOURCES,
  IOC_SOURCE_INVALID = -1,
} IocSource;

typedef enum {
  IOC_PRIORITY_URGENT,
  IOC_PRIORITY_HIGH,
  IOC_PRIORITY_NORMAL,
  IOC_PRIORITY_LOW,
  IOC_N_PRIORITIES,
  IOC_PRIORITY_INVALID = -1,
} IocPriority;

typedef enum {
  IOC_ACTION_VERIFY,
  IOC_ACTION_REJECT,
  IOC_ACTION_MARK_DUPLICATE,
  IOC_ACTION_FORWARD,
  IOC_ACTION_ACKNOWLEDGE,
  IOC_ACTION_START,
  IOC_ACTION_RETURN,
  IOC_ACTION_RESOLVE,
  IOC_ACTION_CLOSE,
  IOC_ACTION_REOPEN,
  IOC_ACTION_COMMENT,
  IOC_N_ACTIONS,
  /* Intake is not an action on an existing task, but it appears in timelines. */
  IOC_ACTION_INTAKE = IOC_N_ACTIONS,
  IOC_ACTION_INVALID = -1,
} IocAction;

const char   *ioc_task_state_to_string (IocTaskState state);
IocTaskState  ioc_task_state_from_string (const char *str);
gboolean      ioc_task_state_is_open (IocTaskState state);
gboolean      ioc_task_state_can_be_overdue (IocTaskState state);

const char   *ioc_role_to_string (IocRole role);
IocRole       ioc_role_from_string (const char *str);

const char   *ioc_source_to_string (IocSource source);
IocSource     ioc_source_from_string (const char *str);

const char   *ioc_priority_to_string (IocPriority priority);
IocPriority   ioc_priority_from_string (const char *str);

const char   *ioc_action_to_string (IocAction action);
IocAction     ioc_action_from_string (const char *str);

G_END_DECLS
