/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <string.h>

#include "ioc-core.h"

/*
 * The workflow table of shared/design/ARCHITECTURE.md, copied by hand from
 * the document and not from app/core: the test is only worth something if a
 * change to either side makes them disagree.
 */

typedef enum {
  WHO_OPERATOR   = 1 << 0,
  WHO_LIAISON    = 1 << 1,
  WHO_SUPERVISOR = 1 << 2,
} Who;

typedef struct {
  const char *action;
  const char *from;          /* space-separated state names, "*" for any */
  const char *to;            /* NULL: the state does not change */
  Who         who;
  IocFields   required;
  IocFields   optional;      /* at least these; others may be allowed too */
  const char *note_name;     /* what the required note is called, or NULL */
} Expected;

static const Expected table[] = {
  { "verify",         "received",                            "verified",     WHO_OPERATOR,
    IOC_FIELD_NONE, IOC_FIELD_NONE, NULL },
  { "reject",         "received verified",                   "rejected",     WHO_OPERATOR,
    IOC_FIELD_NOTE, IOC_FIELD_NONE, "reason" },
  { "mark_duplicate", "received verified",                   "duplicate",    WHO_OPERATOR,
    IOC_FIELD_DUPLICATE_OF, IOC_FIELD_NONE, NULL },
  { "forward",        "verified returned",                   "forwarded",    WHO_OPERATOR,
    IOC_FIELD_DEPARTMENT, IOC_FIELD_DUE_AT, NULL },
  { "acknowledge",    "forwarded",                           "acknowledged", WHO_LIAISON,
    IOC_FIELD_NONE, IOC_FIELD_NONE, NULL },
  { "start",          "acknowledged",                        "in_progress",  WHO_LIAISON,
    IOC_FIELD_NONE, IOC_FIELD_NONE, NULL },
  { "return",         "forwarded acknowledged in_progress",  "returned",     WHO_LIAISON,
    IOC_FIELD_NOTE, IOC_FIELD_NONE, "reason" },
  { "resolve",        "acknowledged in_progress",            "resolved",     WHO_LIAISON,
    IOC_FIELD_NOTE, IOC_FIELD_NONE, "result" },
  { "close",          "resolved",                            "closed",       WHO_OPERATOR,
    IOC_FIELD_NONE, IOC_FIELD_RATING, NULL },
  { "reopen",         "resolved closed rejected",            "verified",     WHO_OPERATOR | WHO_SUPERVISOR,
    IOC_FIELD_NOTE, IOC_FIELD_NONE, "reason" },
  { "comment",        "*",                                   NULL,           WHO_OPERATOR | WHO_LIAISON | WHO_SUPERVISOR,
    IOC_FIELD_NOTE, IOC_FIELD_NONE, "text" },
};

static const char * const state_names[] = {
  "received", "verified", "rejected", "duplicate", "forwarded",
  "acknowledged", "in_progress", "returned", "resolved", "closed",
};

static const char * const role_names[] = {
  "operator", "liaison", "supervisor", "admin",
};

static const Expected *
expected_for (IocAction action)
{
  const char *name = ioc_action_to_string (action);

  g_assert_nonnull (name);
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_equal (table[i].action, name))
      return &table[i];

  g_assert_not_reached ();
  return NULL;
}

static gboolean
expected_from (const Expected *e,
               IocTaskState    state)
{
  g_auto(GStrv) names = NULL;

  if (g_str_equal (e->from, "*"))
    return TRUE;

  names = g_strsplit (e->from, " ", -1);
  return g_strv_contains ((const char * const *) names, state_names[state]);
}

static gboolean
expected_who (const Expected *e,
              IocRole         role)
{
  switch (role)
    {
    case IOC_ROLE_OPERATOR:
      return (e->who & WHO_OPERATOR) != 0;
    case IOC_ROLE_LIAISON:
      return (e->who & WHO_LIAISON) != 0;
    case IOC_ROLE_SUPERVISOR:
      return (e->who & WHO_SUPERVISOR) != 0;
    case IOC_ROLE_ADMIN:
      /* Administrators run the server; tasks are not theirs to touch. */
      return FALSE;
    case IOC_N_ROLES:
    case IOC_ROLE_INVALID:
    default:
      g_assert_not_reached ();
      return FALSE;
    }
}

static IocWorkflowCheck
expected_check (const Expected *e,
                IocTaskState    state,
                IocRole         role,
                gboolean        own_department,
                gboolean        visible)
{
  if (!expected_who (e, role) || !visible)
    return IOC_WORKFLOW_NOT_ALLOWED;

  /* A liaison acts for their own department; a comment needs only sight. */
  if (role == IOC_ROLE_LIAISON && !g_str_equal (e->action, "comment") && !own_department)
    return IOC_WORKFLOW_NOT_ALLOWED;

  return expected_from (e, state) ? IOC_WORKFLOW_OK : IOC_WORKFLOW_WRONG_STATE;
}

static const char *
check_name (IocWorkflowCheck check)
{
  switch (check)
    {
    case IOC_WORKFLOW_OK:
      return "ok";
    case IOC_WORKFLOW_WRONG_STATE:
      return "wrong-state";
    case IOC_WORKFLOW_NOT_ALLOWED:
      return "not-allowed";
    default:
      return "?";
    }
}

/* Every state × role × own department × visible for one action. */
static void
test_table (gconstpointer data)
{
  IocAction action = GPOINTER_TO_INT (data);
  const Expected *e = expected_for (action);
  g_autoptr(GString) wrong = g_string_new (NULL);
  guint n_ok = 0;

  g_assert_cmpint (G_N_ELEMENTS (state_names), ==, IOC_N_TASK_STATES);
  g_assert_cmpint (G_N_ELEMENTS (role_names), ==, IOC_N_ROLES);

  for (int state = 0; state < IOC_N_TASK_STATES; state++)
    for (int role = 0; role < IOC_N_ROLES; role++)
      for (int own = 0; own <= 1; own++)
        for (int visible = 0; visible <= 1; visible++)
          {
            IocWorkflowCheck want = expected_check (e, state, role, own, visible);
            IocWorkflowCheck got = ioc_workflow_check (action, state, role, own, visible);

            if (want != got)
              g_string_append_printf (wrong, "\n  %s from %s by %s (own department %d, visible %d): "
                                      "expected %s, got %s",
                                      e->action, state_names[state], role_names[role], own, visible,
                                      check_name (want), check_name (got));
            if (got == IOC_WORKFLOW_OK)
              n_ok++;
          }

  /* All disagreements at once: one wrong row rarely comes alone. */
  if (wrong->len > 0)
    {
      g_test_fail_printf ("the workflow disagrees with ARCHITECTURE.md:%s", wrong->str);
      return;
    }

  /* Every action is possible for someone from some state. */
  g_assert_cmpuint (n_ok, >, 0);
}

static void
test_rule (gconstpointer data)
{
  IocAction action = GPOINTER_TO_INT (data);
  const Expected *e = expected_for (action);
  const IocWorkflowRule *rule = ioc_workflow_rule (action);

  g_assert_nonnull (rule);
  g_assert_cmpint (rule->action, ==, action);

  if (e->to == NULL)
    g_assert_cmpint (rule->to, ==, IOC_TASK_STATE_INVALID);
  else
    g_assert_cmpstr (ioc_task_state_to_string (rule->to), ==, e->to);

  for (int state = 0; state < IOC_N_TASK_STATES; state++)
    g_assert_cmpint ((rule->from & (1u << state)) != 0, ==, expected_from (e, state));

  g_assert_cmphex (rule->required, ==, e->required);
  g_assert_cmphex (rule->optional & e->optional, ==, e->optional);
  g_assert_cmphex (rule->required & rule->optional, ==, 0);

  if (e->note_name != NULL)
    g_assert_cmpstr (rule->note_name, ==, e->note_name);

  g_assert_cmphex (rule->actors & IOC_ACTOR_ADMIN, ==, 0);
}

static void
test_rule_out_of_range (void)
{
  g_assert_null (ioc_workflow_rule (IOC_ACTION_INVALID));
  g_assert_null (ioc_workflow_rule (IOC_ACTION_INTAKE));
  g_assert_null (ioc_workflow_rule (IOC_N_ACTIONS + 5));

  for (int role = 0; role < IOC_N_ROLES; role++)
    {
      g_assert_cmpint (ioc_workflow_check (IOC_ACTION_INVALID, IOC_TASK_STATE_RECEIVED, role, TRUE, TRUE),
                       ==, IOC_WORKFLOW_NOT_ALLOWED);
      g_assert_cmpint (ioc_workflow_check (IOC_ACTION_INTAKE, IOC_TASK_STATE_RECEIVED, role, TRUE, TRUE),
                       ==, IOC_WORKFLOW_NOT_ALLOWED);
      g_assert_cmpint (ioc_workflow_check (IOC_ACTION_COMMENT, IOC_TASK_STATE_INVALID, role, TRUE, TRUE),
                       !=, IOC_WORKFLOW_OK);
      g_assert_cmpint (ioc_workflow_check (IOC_ACTION_COMMENT, IOC_N_TASK_STATES, role, TRUE, TRUE),
                       !=, IOC_WORKFLOW_OK);
    }

  for (int action = 0; action < IOC_N_ACTIONS; action++)
    {
      g_assert_cmpint (ioc_workflow_check (action, IOC_TASK_STATE_RECEIVED, IOC_ROLE_INVALID, TRUE, TRUE),
                       ==, IOC_WORKFLOW_NOT_ALLOWED);
      g_assert_cmpint (ioc_workflow_check (action, IOC_TASK_STATE_RECEIVED, IOC_N_ROLES, TRUE, TRUE),
                       ==, IOC_WORKFLOW_NOT_ALLOWED);
    }
}

static guint
expected_allowed (IocTaskState state,
                  IocRole      role,
                  gboolean     own_department,
                  gboolean     visible)
{
  guint mask = 0;

  for (int action = 0; action < IOC_N_ACTIONS; action++)
    if (expected_check (expected_for (action), state, role, own_department, visible) == IOC_WORKFLOW_OK)
      mask |= 1u << action;

  return mask;
}

static void
test_allowed_actions (void)
{
  g_autoptr(GString) wrong = g_string_new (NULL);

  for (int state = 0; state < IOC_N_TASK_STATES; state++)
    for (int role = 0; role < IOC_N_ROLES; role++)
      for (int own = 0; own <= 1; own++)
        for (int visible = 0; visible <= 1; visible++)
          {
            guint mask = ioc_workflow_allowed_actions (state, role, own, visible);
            guint from_check = 0;

            for (int action = 0; action < IOC_N_ACTIONS; action++)
              if (ioc_workflow_check (action, state, role, own, visible) == IOC_WORKFLOW_OK)
                from_check |= 1u << action;

            /* Buttons and server must agree: both come from the same check. */
            g_assert_cmphex (mask, ==, from_check);
            /* Intake is not an action on a task; it never shows as a button. */
            g_assert_cmphex (mask & (1u << IOC_ACTION_INTAKE), ==, 0);

            if (mask != expected_allowed (state, role, own, visible))
              g_string_append_printf (wrong, "\n  %s by %s (own department %d, visible %d): "
                                      "expected 0x%x, got 0x%x",
                                      state_names[state], role_names[role], own, visible,
                                      expected_allowed (state, role, own, visible), mask);
          }

  if (wrong->len > 0)
    g_test_fail_printf ("allowed actions disagree with ARCHITECTURE.md:%s", wrong->str);
}

static void
test_forward_needs_department (void)
{
  const IocWorkflowRule *rule = ioc_workflow_rule (IOC_ACTION_FORWARD);

  g_assert_true (rule->required & IOC_FIELD_DEPARTMENT);
  /* The due time defaults from the category's SLA, so it may be left out. */
  g_assert_false (rule->required & IOC_FIELD_DUE_AT);
  g_assert_true (rule->optional & IOC_FIELD_DUE_AT);
}

static void
test_liaison_other_department (void)
{
  /* Seen because it was forwarded here once, but now another department's. */
  g_assert_cmpint (ioc_workflow_check (IOC_ACTION_ACKNOWLEDGE, IOC_TASK_STATE_FORWARDED,
                                       IOC_ROLE_LIAISON, FALSE, TRUE), ==, IOC_WORKFLOW_NOT_ALLOWED);
  g_assert_cmpint (ioc_workflow_check (IOC_ACTION_RESOLVE, IOC_TASK_STATE_IN_PROGRESS,
                                       IOC_ROLE_LIAISON, FALSE, TRUE), ==, IOC_WORKFLOW_NOT_ALLOWED);
  g_assert_cmpint (ioc_workflow_check (IOC_ACTION_COMMENT, IOC_TASK_STATE_CLOSED,
                                       IOC_ROLE_LIAISON, FALSE, TRUE), ==, IOC_WORKFLOW_OK);
  g_assert_cmpint (ioc_workflow_check (IOC_ACTION_COMMENT, IOC_TASK_STATE_CLOSED,
                                       IOC_ROLE_LIAISON, FALSE, FALSE), ==, IOC_WORKFLOW_NOT_ALLOWED);
}

static void
test_admin_nothing (void)
{
  for (int state = 0; state < IOC_N_TASK_STATES; state++)
    for (int own = 0; own <= 1; own++)
      for (int visible = 0; visible <= 1; visible++)
        g_assert_cmphex (ioc_workflow_allowed_actions (state, IOC_ROLE_ADMIN, own, visible), ==, 0);

  g_assert_false (ioc_workflow_can_see (IOC_ROLE_ADMIN, TRUE));
  g_assert_false (ioc_workflow_can_see (IOC_ROLE_ADMIN, FALSE));
  g_assert_false (ioc_workflow_can_see_reporter (IOC_ROLE_ADMIN));
  g_assert_false (ioc_workflow_can_intake (IOC_ROLE_ADMIN));
}

static void
test_reopen_by_supervisor (void)
{
  g_assert_cmpint (ioc_workflow_check (IOC_ACTION_REOPEN, IOC_TASK_STATE_REJECTED,
                                       IOC_ROLE_SUPERVISOR, FALSE, TRUE), ==, IOC_WORKFLOW_OK);
  g_assert_cmpint (ioc_workflow_check (IOC_ACTION_REOPEN, IOC_TASK_STATE_IN_PROGRESS,
                                       IOC_ROLE_SUPERVISOR, FALSE, TRUE), ==, IOC_WORKFLOW_WRONG_STATE);
  g_assert_cmpint (ioc_workflow_check (IOC_ACTION_REOPEN, IOC_TASK_STATE_CLOSED,
                                       IOC_ROLE_LIAISON, TRUE, TRUE), ==, IOC_WORKFLOW_NOT_ALLOWED);
}

static void
test_visibility (void)
{
  static const struct {
    IocRole  role;
    gboolean sees_own;
    gboolean sees_other;
    gboolean sees_reporter;
    gboolean intake;
  } cases[] = {
    { IOC_ROLE_OPERATOR,   TRUE,  TRUE,  TRUE,  TRUE  },
    { IOC_ROLE_LIAISON,    TRUE,  FALSE, FALSE, FALSE },
    { IOC_ROLE_SUPERVISOR, TRUE,  TRUE,  TRUE,  FALSE },
    { IOC_ROLE_ADMIN,      FALSE, FALSE, FALSE, FALSE },
  };

  g_assert_cmpint (G_N_ELEMENTS (cases), ==, IOC_N_ROLES);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("role %s", role_names[cases[i].role]);
      g_assert_cmpint (ioc_workflow_can_see (cases[i].role, TRUE), ==, cases[i].sees_own);
      g_assert_cmpint (ioc_workflow_can_see (cases[i].role, FALSE), ==, cases[i].sees_other);
      g_assert_cmpint (ioc_workflow_can_see_reporter (cases[i].role), ==, cases[i].sees_reporter);
      g_assert_cmpint (ioc_workflow_can_intake (cases[i].role), ==, cases[i].intake);
    }

  g_assert_false (ioc_workflow_can_see (IOC_ROLE_INVALID, TRUE));
  g_assert_false (ioc_workflow_can_see_reporter (IOC_ROLE_INVALID));
  g_assert_false (ioc_workflow_can_intake (IOC_ROLE_INVALID));
}

static void
test_overdue_states (void)
{
  for (int state = 0; state < IOC_N_TASK_STATES; state++)
    {
      gboolean want = g_str_equal (state_names[state], "forwarded") ||
                      g_str_equal (state_names[state], "acknowledged") ||
                      g_str_equal (state_names[state], "in_progress");

      g_assert_cmpint (ioc_task_state_can_be_overdue (state), ==, want);
    }
}

static void
test_overdue_task (void)
{
  g_autoptr(IocTask) task = ioc_task_new ();
  const gint64 due = G_GINT64_CONSTANT (1795824000) * G_USEC_PER_SEC;

  task->due_at = due;
  task->state = IOC_TASK_STATE_IN_PROGRESS;
  g_assert_false (ioc_task_is_overdue (task, due));
  g_assert_true (ioc_task_is_overdue (task, due + 1));

  task->state = IOC_TASK_STATE_RESOLVED;
  g_assert_false (ioc_task_is_overdue (task, due + 1));

  /* No due time yet: never overdue, however old. */
  task->state = IOC_TASK_STATE_FORWARDED;
  task->due_at = 0;
  g_assert_false (ioc_task_is_overdue (task, due));
}

/* Enum strings are the wire format; each list is in enum order. */

typedef struct {
  const char  *name;
  int          n;
  const char  *(*to_string) (int value);
  int          (*from_string) (const char *str);
  const char * const *expected;
  guint        n_expected;
} EnumCase;

static const char *state_to (int v) { return ioc_task_state_to_string (v); }
static int state_from (const char *s) { return ioc_task_state_from_string (s); }
static const char *role_to (int v) { return ioc_role_to_string (v); }
static int role_from (const char *s) { return ioc_role_from_string (s); }
static const char *source_to (int v) { return ioc_source_to_string (v); }
static int source_from (const char *s) { return ioc_source_from_string (s); }
static const char *priority_to (int v) { return ioc_priority_to_string (v); }
static int priority_from (const char *s) { return ioc_priority_from_string (s); }
static const char *action_to (int v) { return ioc_action_to_string (v); }
static int action_from (const char *s) { return ioc_action_from_string (s); }

static const char * const source_names[] = {
  "citizen_app", "hotline", "sensor", "department", "operator",
};
static const char * const priority_names[] = {
  "urgent", "high", "normal", "low",
};
static const char * const action_names[] = {
  "verify", "reject", "mark_duplicate", "forward", "acknowledge", "start",
  "return", "resolve", "close", "reopen", "comment", "intake",
};

static const EnumCase enum_cases[] = {
  { "task-state", IOC_N_TASK_STATES, state_to, state_from, state_names, G_N_ELEMENTS (state_names) },
  { "role", IOC_N_ROLES, role_to, role_from, role_names, G_N_ELEMENTS (role_names) },
  { "source", IOC_N_SOURCES, source_to, source_from, source_names, G_N_ELEMENTS (source_names) },
  { "priority", IOC_N_PRIORITIES, priority_to, priority_from, priority_names, G_N_ELEMENTS (priority_names) },
  /* Intake has a wire name too: it appears in timelines. */
  { "action", IOC_N_ACTIONS + 1, action_to, action_from, action_names, G_N_ELEMENTS (action_names) },
};

static void
test_enum_strings (gconstpointer data)
{
  const EnumCase *c = data;
  static const char * const unknown[] = {
    "", " ", "unknown", "RECEIVED", "Operator", "verify ", " hotline", "in-progress",
    "intake\n", "tiếp nhận",
  };

  g_assert_cmpuint (c->n_expected, ==, c->n);

  for (int v = 0; v < c->n; v++)
    {
      const char *str = c->to_string (v);

      g_assert_cmpstr (str, ==, c->expected[v]);
      g_assert_cmpint (c->from_string (str), ==, v);
    }

  g_assert_null (c->to_string (-1));
  g_assert_null (c->to_string (c->n));
  g_assert_null (c->to_string (c->n + 100));
  g_assert_cmpint (c->from_string (NULL), ==, -1);

  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      gboolean known = FALSE;

      for (int v = 0; v < c->n; v++)
        known |= g_str_equal (unknown[i], c->expected[v]);
      if (!known)
        g_assert_cmpint (c->from_string (unknown[i]), ==, -1);
    }
}

static void
test_enum_invalid_constants (void)
{
  /* Callers compare with the named constants, not with -1. */
  g_assert_cmpint (ioc_task_state_from_string ("nope"), ==, IOC_TASK_STATE_INVALID);
  g_assert_cmpint (ioc_role_from_string ("nope"), ==, IOC_ROLE_INVALID);
  g_assert_cmpint (ioc_source_from_string ("nope"), ==, IOC_SOURCE_INVALID);
  g_assert_cmpint (ioc_priority_from_string ("nope"), ==, IOC_PRIORITY_INVALID);
  g_assert_cmpint (ioc_action_from_string ("nope"), ==, IOC_ACTION_INVALID);
  g_assert_cmpint (ioc_action_from_string ("intake"), ==, IOC_ACTION_INTAKE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_assert_cmpint (G_N_ELEMENTS (table), ==, IOC_N_ACTIONS);

  for (int action = 0; action < IOC_N_ACTIONS; action++)
    {
      g_autofree char *table_path = g_strdup_printf ("/workflow/table/%s", ioc_action_to_string (action));
      g_autofree char *rule_path = g_strdup_printf ("/workflow/rule/%s", ioc_action_to_string (action));

      g_test_add_data_func (table_path, GINT_TO_POINTER (action), test_table);
      g_test_add_data_func (rule_path, GINT_TO_POINTER (action), test_rule);
    }

  g_test_add_func ("/workflow/rule/out-of-range", test_rule_out_of_range);
  g_test_add_func ("/workflow/allowed-actions", test_allowed_actions);
  g_test_add_func ("/workflow/forward/needs-department", test_forward_needs_department);
  g_test_add_func ("/workflow/liaison/other-department", test_liaison_other_department);
  g_test_add_func ("/workflow/admin/nothing", test_admin_nothing);
  g_test_add_func ("/workflow/reopen/by-supervisor", test_reopen_by_supervisor);
  g_test_add_func ("/workflow/visibility", test_visibility);
  g_test_add_func ("/workflow/overdue/states", test_overdue_states);
  g_test_add_func ("/workflow/overdue/task", test_overdue_task);

  for (guint i = 0; i < G_N_ELEMENTS (enum_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/enums/%s/strings", enum_cases[i].name);

      g_test_add_data_func (path, &enum_cases[i], test_enum_strings);
    }
  g_test_add_func ("/enums/invalid-constants", test_enum_invalid_constants);

  return g_test_run ();
}
