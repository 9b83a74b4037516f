/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <string.h>

#include "iocd-test-utils.h"

/*
 * Who may do what, asked of the real iocd. The expected answers are written
 * out here from the table in shared/design/ARCHITECTURE.md, not derived from
 * app/core: a matrix computed by the code under test would agree with any
 * mistake in it.
 */

typedef enum {
  ROLE_OPERATOR,
  ROLE_SUPERVISOR,
  ROLE_ADMIN,
  ROLE_OWN,       /* liaison of the department the task is assigned to (SXD) */
  ROLE_OTHER,     /* liaison of another department (CATP) */
  N_ROLES
} Role;

static const char * const role_users[N_ROLES] = {
  "trucban1", "lanhdao", "admin", "lienlac.sxd", "lienlac.catp",
};

static const char * const role_names[N_ROLES] = {
  "operator", "supervisor", "admin", "own liaison", "other liaison",
};

#define OWN_DEPARTMENT "SXD"
#define OTHER_DEPARTMENT "CATP"

static IocdTestServer *server;
static SoupSession *session;
static char *tokens[N_ROLES];

/* Requests */

static IocdTestResponse *
request (Role        role,
         const char *method,
         const char *path,
         const char *body)
{
  IocdTestResponse *r = iocd_test_request (server, session, method, path, tokens[role], body, NULL);

  g_assert_nonnull (r);
  return r;
}

/* Marks the test failed, without stopping it, when the status is not the
 * expected one: a matrix should show every wrong cell, not the first. */
static gboolean
check_status (IocdTestResponse *r,
              guint             expected,
              const char       *what)
{
  if (expected != 401 && expected != 403)
    return iocd_test_check_status (r, expected, what);

  /* Every refusal is the documented error object, with the code of its status. */
  return iocd_test_check_error (r, expected, expected == 401 ? "unauthorized" : "forbidden", NULL, what);
}

static JsonNode *
get_task (gint64 id)
{
  return iocd_test_fetch_task (server, session, tokens[ROLE_OPERATOR], id);
}

static gint64
task_version (gint64 id)
{
  return iocd_test_task_version (server, session, tokens[ROLE_OPERATOR], id);
}

/* POSTs @action with the task's current version and @extra (JSON members
 * without braces, or NULL). */
static IocdTestResponse *
act (Role        role,
     gint64      id,
     const char *action,
     const char *extra)
{
  g_autofree char *body = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT "%s%s}",
                                           task_version (id), extra ? ", " : "", extra ? extra : "");

  return iocd_test_act (server, session, tokens[role], id, action, body, NULL);
}

static void
act_ok (Role        role,
        gint64      id,
        const char *action,
        const char *extra)
{
  g_autoptr(IocdTestResponse) r = act (role, id, action, extra);
  g_autofree char *what = g_strdup_printf ("setting up: %s by %s", action, role_names[role]);

  iocd_test_assert_status (r, 200, what);
}

/* Task set-ups */

typedef enum {
  SETUP_RECEIVED,
  SETUP_VERIFIED,
  SETUP_FORWARDED,
  SETUP_ACKNOWLEDGED,
  SETUP_IN_PROGRESS,
  SETUP_RETURNED,
  SETUP_RESOLVED,
  SETUP_CLOSED,
  SETUP_REJECTED,
  /* Verified again after the own department resolved it once (reopened), so
   * that the own liaison can see it and only the role decides. */
  SETUP_VERIFIED_SEEN,
} Setup;

static gint64
new_task (const char *title)
{
  return iocd_test_new_task (server, session, tokens[ROLE_OPERATOR], "LIGHT", title);
}

/* Verified, forwarded to the own department and on from there. */
static void
advance (gint64        id,
         IocdTestStage stage)
{
  iocd_test_advance (server, session, id, stage, tokens[ROLE_OPERATOR], tokens[ROLE_OWN], OWN_DEPARTMENT);
}

static gint64
make_task (Setup setup)
{
  gint64 id = new_task ("Đèn đường không sáng (authz)");

  switch (setup)
    {
    case SETUP_RECEIVED:
      break;
    case SETUP_REJECTED:
      act_ok (ROLE_OPERATOR, id, "reject", "\"reason\": \"không phải sự cố\"");
      break;
    case SETUP_VERIFIED:
      advance (id, IOCD_TEST_AT_VERIFIED);
      break;
    case SETUP_FORWARDED:
      advance (id, IOCD_TEST_AT_FORWARDED);
      break;
    case SETUP_RETURNED:
      advance (id, IOCD_TEST_AT_FORWARDED);
      act_ok (ROLE_OWN, id, "return", "\"reason\": \"không thuộc thẩm quyền\"");
      break;
    case SETUP_ACKNOWLEDGED:
      advance (id, IOCD_TEST_AT_ACKNOWLEDGED);
      break;
    case SETUP_IN_PROGRESS:
      advance (id, IOCD_TEST_AT_IN_PROGRESS);
      break;
    case SETUP_RESOLVED:
      advance (id, IOCD_TEST_AT_RESOLVED);
      break;
    case SETUP_CLOSED:
      advance (id, IOCD_TEST_AT_RESOLVED);
      act_ok (ROLE_OPERATOR, id, "close", NULL);
      break;
    case SETUP_VERIFIED_SEEN:
      advance (id, IOCD_TEST_AT_RESOLVED);
      act_ok (ROLE_OPERATOR, id, "reopen", "\"reason\": \"người dân báo vẫn chưa sáng\"");
      break;
    default:
      g_assert_not_reached ();
    }

  return id;
}

/* Following "next" until the end: the whole list as @role sees it. */
static GPtrArray *
list_all (Role        role,
          const char *query)
{
  return iocd_test_list_tasks (server, session, tokens[role], query, 1000, NULL);
}

/* The action matrix */

typedef struct {
  const char *action;
  Setup       setup;
  const char *extra;            /* the rest of a valid body */
  const char *to_state;         /* after success; NULL: unchanged */
  guint       status[N_ROLES];
} ActionCase;

/* 200 where ARCHITECTURE.md's "who" names the role, 403 everywhere else: the
 * state is always one the action applies to, so only the role decides. */
static const ActionCase action_cases[] = {
  { "verify", SETUP_RECEIVED, NULL, "verified",
    { 200, 403, 403, 403, 403 } },
  { "reject", SETUP_VERIFIED_SEEN, "\"reason\": \"trùng lặp nội dung\"", "rejected",
    { 200, 403, 403, 403, 403 } },
  { "mark_duplicate", SETUP_VERIFIED_SEEN, "\"duplicate_of\": DUPLICATE_OF", "duplicate",
    { 200, 403, 403, 403, 403 } },
  { "forward", SETUP_RETURNED, "\"department\": \"" OWN_DEPARTMENT "\"", "forwarded",
    { 200, 403, 403, 403, 403 } },
  { "acknowledge", SETUP_FORWARDED, NULL, "acknowledged",
    { 403, 403, 403, 200, 403 } },
  { "start", SETUP_ACKNOWLEDGED, NULL, "in_progress",
    { 403, 403, 403, 200, 403 } },
  { "return", SETUP_IN_PROGRESS, "\"reason\": \"sai đơn vị\"", "returned",
    { 403, 403, 403, 200, 403 } },
  { "resolve", SETUP_IN_PROGRESS, "\"result\": \"đã sửa xong\"", "resolved",
    { 403, 403, 403, 200, 403 } },
  { "close", SETUP_RESOLVED, "\"rating\": 4", "closed",
    { 200, 403, 403, 403, 403 } },
  { "reopen", SETUP_RESOLVED, "\"reason\": \"chưa khắc phục\"", "verified",
    { 200, 200, 403, 403, 403 } },
  { "comment", SETUP_FORWARDED, "\"text\": \"đã gọi điện cho người dân\"", NULL,
    { 200, 200, 403, 200, 403 } },
};

static void
test_action (gconstpointer data)
{
  const ActionCase *c = data;

  for (Role role = 0; role < N_ROLES; role++)
    {
      gint64 id = make_task (c->setup);
      g_autoptr(JsonNode) before = get_task (id);
      g_autoptr(JsonNode) after = NULL;
      g_autoptr(IocdTestResponse) r = NULL;
      g_autofree char *extra = NULL;
      g_autofree char *what = g_strdup_printf ("%s by %s", c->action, role_names[role]);
      const char *state_before = iocd_test_json_string (before, "state");

      /* The original has to exist, so it is made per cell. */
      if (c->extra != NULL && strstr (c->extra, "DUPLICATE_OF") != NULL)
        {
          g_autofree char *original = g_strdup_printf ("%" G_GINT64_FORMAT, new_task ("Bản gốc (authz)"));
          g_auto(GStrv) parts = g_strsplit (c->extra, "DUPLICATE_OF", 2);

          extra = g_strconcat (parts[0], original, parts[1], NULL);
        }
      else
        extra = g_strdup (c->extra);

      r = act (role, id, c->action, extra);
      if (!check_status (r, c->status[role], what))
        continue;
      after = get_task (id);

      if (c->status[role] == 200)
        {
          g_assert_cmpint (iocd_test_json_int (r->body, "id"), ==, id);
          g_assert_cmpstr (iocd_test_json_string (r->body, "state"), ==,
                           c->to_state ? c->to_state : state_before);
          g_assert_cmpstr (iocd_test_json_string (after, "state"), ==,
                           c->to_state ? c->to_state : state_before);
          /* The answer is the task as this user may see it. */
          g_assert_true (iocd_test_json_has (r->body, "reporter") ==
                         (role == ROLE_OPERATOR || role == ROLE_SUPERVISOR));
        }
      else
        {
          /* A refused action leaves no trace. */
          g_assert_cmpint (iocd_test_json_int (after, "version"), ==, iocd_test_json_int (before, "version"));
          g_assert_cmpstr (iocd_test_json_string (after, "state"), ==, state_before);
          g_assert_cmpuint (iocd_test_timeline_length (after), ==, iocd_test_timeline_length (before));
        }
    }
}

/* Endpoints other than actions */

static void
check_roles (const char  *method,
             const char  *path,
             const char  *body,
             const guint  expected[N_ROLES])
{
  for (Role role = 0; role < N_ROLES; role++)
    {
      g_autoptr(IocdTestResponse) r = request (role, method, path, body);
      g_autofree char *what = g_strdup_printf ("%s %s by %s", method, path, role_names[role]);

      check_status (r, expected[role], what);
    }
}

static void
test_list (void)
{
  static const guint expected[N_ROLES] = { 200, 200, 403, 200, 200 };

  check_roles ("GET", "/api/v1/tasks", NULL, expected);
  check_roles ("GET", "/api/v1/tasks?state=open&limit=5", NULL, expected);
}

static void
test_get (void)
{
  static const guint expected[N_ROLES] = { 200, 200, 403, 200, 403 };
  gint64 id = make_task (SETUP_FORWARDED);
  g_autofree char *path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, id);

  check_roles ("GET", path, NULL, expected);
}

static gint64
count_tasks (void)
{
  g_autoptr(GPtrArray) tasks = list_all (ROLE_OPERATOR, NULL);

  return tasks->len;
}

static void
test_intake (void)
{
  static const char *body =
    "{\"category\": \"LIGHT\", \"title\": \"Đèn đường tắt (authz intake)\","
    " \"location\": {\"lat\": 10.03, \"lon\": 105.78}}";
  gint64 before = count_tasks ();

  for (Role role = 0; role < N_ROLES; role++)
    {
      g_autoptr(IocdTestResponse) r = request (role, "POST", "/api/v1/tasks", body);
      g_autofree char *what = g_strdup_printf ("intake by %s", role_names[role]);

      check_status (r, role == ROLE_OPERATOR ? 201 : 403, what);
    }

  /* Only the operator's task was stored. */
  g_assert_cmpint (count_tasks (), ==, before + 1);
}

static void
test_users (void)
{
  static const guint expected[N_ROLES] = { 403, 403, 200, 403, 403 };
  g_autoptr(IocdTestResponse) r = NULL;

  check_roles ("GET", "/api/v1/users", NULL, expected);

  r = request (ROLE_ADMIN, "GET", "/api/v1/users", NULL);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (iocd_test_json_get (r->body, "users")));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (iocd_test_json_get (r->body, "users"))), >=, 5);
}

static void
test_reference (void)
{
  static const guint expected[N_ROLES] = { 200, 200, 200, 200, 200 };
  static const char * const paths[] = {
    "/api/v1/departments", "/api/v1/categories", "/api/v1/communes",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    check_roles ("GET", paths[i], NULL, expected);
}

static void
test_session (void)
{
  static const char * const wire_roles[N_ROLES] = {
    "operator", "supervisor", "admin", "liaison", "liaison",
  };

  for (Role role = 0; role < N_ROLES; role++)
    {
      g_autoptr(IocdTestResponse) r = request (role, "GET", "/api/v1/session", NULL);

      iocd_test_assert_status (r, 200, role_users[role]);
      g_assert_cmpstr (iocd_test_json_string (r->body, "username"), ==, role_users[role]);
      g_assert_cmpstr (iocd_test_json_string (r->body, "role"), ==, wire_roles[role]);
    }
}

static void
test_events (void)
{
  for (Role role = 0; role < N_ROLES; role++)
    {
      g_autoptr(IocdTestEvents) events = NULL;
      guint status = 0;

      events = iocd_test_events_connect (server, session, tokens[role], -1, &status);
      if (role == ROLE_ADMIN)
        {
          g_assert_null (events);
          g_assert_cmpuint (status, ==, 403);
        }
      else if (events == NULL)
        g_error ("events refused to %s with HTTP %u", role_names[role], status);
    }

  {
    g_autoptr(IocdTestEvents) events = NULL;
    guint status = 0;

    events = iocd_test_events_connect (server, session, NULL, -1, &status);
    g_assert_null (events);
    g_assert_cmpuint (status, ==, 401);
  }
}

/* Without a token only signing in and the server's identity answer. */
static void
test_no_token (void)
{
  static const struct {
    const char *method;
    const char *path;
  } closed[] = {
    { "GET", "/api/v1/session" },
    { "DELETE", "/api/v1/session" },
    { "GET", "/api/v1/departments" },
    { "GET", "/api/v1/categories" },
    { "GET", "/api/v1/communes" },
    { "GET", "/api/v1/users" },
    { "GET", "/api/v1/tasks" },
    { "POST", "/api/v1/tasks" },
    { "GET", "/api/v1/tasks/1" },
    { "GET", "/api/v1/tasks/99999999" },
    { "POST", "/api/v1/tasks/1/verify" },
    { "POST", "/api/v1/tasks/1/comment" },
    { "GET", "/api/v1/events" },
  };
  g_autoptr(IocdTestResponse) info = NULL;
  g_autoptr(IocdTestResponse) login = NULL;
  g_autofree char *login_body = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (closed); i++)
    {
      g_autoptr(IocdTestResponse) r = NULL;
      const char *body = g_str_equal (closed[i].method, "POST") ? "{\"version\": 1, \"text\": \"x\"}" : NULL;
      g_autofree char *what = g_strdup_printf ("%s %s without a token", closed[i].method, closed[i].path);

      r = iocd_test_request (server, session, closed[i].method, closed[i].path, NULL, body, NULL);
      iocd_test_check_unauthorized (r, what);
    }

  info = iocd_test_request (server, session, "GET", "/api/v1/server", NULL, NULL, NULL);
  iocd_test_assert_status (info, 200, "GET /api/v1/server without a token");

  login_body = iocd_test_login_body ("trucban2", server->demo_password);
  login = iocd_test_request (server, session, "POST", "/api/v1/session", NULL, login_body, NULL);
  iocd_test_assert_status (login, 200, "POST /api/v1/session without a token");
  g_assert_nonnull (iocd_test_json_string (login->body, "token"));
}

/* Visibility and privacy */

/* A liaison never sees, in the list or one by one, a task that was never
 * assigned to their department; everything they do see was. */
static void
test_visibility_list (void)
{
  gint64 elsewhere = new_task ("Karaoke ồn ào (chỉ công an)");
  gint64 ours = make_task (SETUP_FORWARDED);
  g_autofree char *path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, elsewhere);
  g_autoptr(GPtrArray) own_list = NULL;
  g_autoptr(GPtrArray) own_filtered = NULL;
  g_autoptr(GPtrArray) other_list = NULL;
  g_autoptr(GPtrArray) operator_list = NULL;

  act_ok (ROLE_OPERATOR, elsewhere, "verify", NULL);
  act_ok (ROLE_OPERATOR, elsewhere, "forward", "\"department\": \"" OTHER_DEPARTMENT "\"");

  own_list = list_all (ROLE_OWN, NULL);
  other_list = list_all (ROLE_OTHER, NULL);
  operator_list = list_all (ROLE_OPERATOR, NULL);

  g_assert_null (iocd_test_find_task (own_list, elsewhere));
  g_assert_nonnull (iocd_test_find_task (own_list, ours));
  g_assert_nonnull (iocd_test_find_task (other_list, elsewhere));
  g_assert_null (iocd_test_find_task (other_list, ours));
  g_assert_nonnull (iocd_test_find_task (operator_list, elsewhere));
  g_assert_nonnull (iocd_test_find_task (operator_list, ours));
  g_assert_cmpuint (own_list->len, <, operator_list->len);

  /* Filters narrow what may be seen; they never widen it. */
  own_filtered = list_all (ROLE_OWN, "department=" OTHER_DEPARTMENT);
  g_assert_null (iocd_test_find_task (own_filtered, elsewhere));

  {
    g_autoptr(IocdTestResponse) r = request (ROLE_OWN, "GET", path, NULL);

    check_status (r, 403, "GET of another department's task");
    g_assert_false (iocd_test_json_has (r->body, "title"));
    g_assert_false (iocd_test_json_has (r->body, "task"));
  }

  /* Each task in the liaison's list is, or once was, their department's. */
  for (guint i = 0; i < own_list->len; i++)
    {
      JsonNode *task = g_ptr_array_index (own_list, i);
      gint64 id = iocd_test_json_int (task, "id");
      g_autoptr(JsonNode) full = NULL;
      JsonArray *timeline;
      gboolean assigned = FALSE;

      g_assert_false (iocd_test_json_has (task, "reporter"));
      if (g_strcmp0 (iocd_test_json_string (task, "department"), OWN_DEPARTMENT) == 0)
        continue;

      full = get_task (id);
      timeline = json_node_get_array (iocd_test_json_get (full, "timeline"));
      for (guint e = 0; e < json_array_get_length (timeline) && !assigned; e++)
        {
          JsonNode *entry = json_array_get_element (timeline, e);

          assigned = g_strcmp0 (iocd_test_json_string (entry, "action"), "forward") == 0 &&
                     g_strcmp0 (iocd_test_json_string (entry, "department"), OWN_DEPARTMENT) == 0;
        }
      if (!assigned)
        g_error ("task %" G_GINT64_FORMAT " is in the list of %s but was never assigned to %s",
                 id, role_users[ROLE_OWN], OWN_DEPARTMENT);
    }
}

static void
test_visibility_reporter (void)
{
  static const char *body =
    "{\"category\": \"LIGHT\", \"title\": \"Đèn chập chờn (riêng tư)\","
    " \"address\": \"Đường 30 Tháng 4, Ninh Kiều\","
    " \"reporter\": {\"name\": \"Nguyễn Văn An\", \"phone\": \"0901234567\", \"email\": \"an@example.vn\"}}";
  g_autoptr(IocdTestResponse) created = request (ROLE_OPERATOR, "POST", "/api/v1/tasks", body);
  g_autofree char *path = NULL;
  gint64 id;

  iocd_test_assert_status (created, 201, "intake with a reporter");
  id = iocd_test_json_int (created->body, "id");
  g_assert_cmpstr (iocd_test_json_string (created->body, "reporter.phone"), ==, "0901234567");
  act_ok (ROLE_OPERATOR, id, "verify", NULL);
  act_ok (ROLE_OPERATOR, id, "forward", "\"department\": \"" OWN_DEPARTMENT "\"");
  path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, id);

  for (Role role = 0; role < N_ROLES; role++)
    {
      g_autoptr(IocdTestResponse) one = NULL;
      g_autoptr(GPtrArray) list = NULL;
      JsonNode *listed;
      gboolean may_see = role == ROLE_OPERATOR || role == ROLE_SUPERVISOR;

      if (role == ROLE_ADMIN || role == ROLE_OTHER)
        continue;

      one = request (role, "GET", path, NULL);
      iocd_test_assert_status (one, 200, role_names[role]);
      list = list_all (role, NULL);
      listed = iocd_test_find_task (list, id);
      g_assert_nonnull (listed);

      if (may_see)
        {
          g_assert_cmpstr (iocd_test_json_string (one->body, "reporter.name"), ==, "Nguyễn Văn An");
          g_assert_cmpstr (iocd_test_json_string (one->body, "reporter.phone"), ==, "0901234567");
          g_assert_cmpstr (iocd_test_json_string (one->body, "reporter.email"), ==, "an@example.vn");
          g_assert_cmpstr (iocd_test_json_string (listed, "reporter.phone"), ==, "0901234567");
        }
      else
        {
          g_assert_false (iocd_test_json_has (one->body, "reporter"));
          g_assert_false (iocd_test_json_has (listed, "reporter"));
          /* Nor anywhere else in the text, in whatever member. */
          g_assert_null (strstr (one->text, "0901234567"));
          g_assert_null (strstr (one->text, "an@example.vn"));
          g_assert_null (strstr (one->text, "Nguyễn Văn An"));
        }
    }

  /* A liaison's answers to actions and conflicts hide it too. */
  {
    g_autoptr(IocdTestResponse) r = act (ROLE_OWN, id, "comment", "\"text\": \"đã nhận\"");
    g_autofree char *action_path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT "/acknowledge", id);
    g_autoptr(IocdTestResponse) stale = request (ROLE_OWN, "POST", action_path, "{\"version\": 1}");

    iocd_test_assert_status (r, 200, "comment by the own liaison");
    g_assert_false (iocd_test_json_has (r->body, "reporter"));
    g_assert_null (strstr (r->text, "0901234567"));

    iocd_test_assert_status (stale, 409, "acknowledge with a stale version");
    g_assert_nonnull (iocd_test_json_get (stale->body, "task"));
    g_assert_false (iocd_test_json_has (iocd_test_json_get (stale->body, "task"), "reporter"));
    g_assert_null (strstr (stale->text, "0901234567"));
  }
}

/* Forwarded to A, returned by A, forwarded to B: A keeps sight of it (it
 * was theirs) but no longer acts on it; B does. */
static void
test_visibility_reassigned (void)
{
  gint64 id = new_task ("Đèn tín hiệu nháy vàng (chuyển lại)");
  g_autofree char *path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, id);
  g_autoptr(IocdTestResponse) seen = NULL;
  g_autoptr(GPtrArray) other_list = NULL;
  static const struct {
    const char *action;
    const char *extra;
  } refused[] = {
    { "acknowledge", NULL },
    { "start", NULL },
    { "return", "\"reason\": \"không phải của chúng tôi\"" },
    { "resolve", "\"result\": \"đã xử lý\"" },
  };

  act_ok (ROLE_OPERATOR, id, "verify", NULL);
  act_ok (ROLE_OPERATOR, id, "forward", "\"department\": \"" OTHER_DEPARTMENT "\"");
  act_ok (ROLE_OTHER, id, "return", "\"reason\": \"thuộc Sở Xây dựng\"");
  act_ok (ROLE_OPERATOR, id, "forward", "\"department\": \"" OWN_DEPARTMENT "\"");

  seen = request (ROLE_OTHER, "GET", path, NULL);
  iocd_test_assert_status (seen, 200, "GET by the department that had the task");
  g_assert_cmpstr (iocd_test_json_string (seen->body, "department"), ==, OWN_DEPARTMENT);
  g_assert_false (iocd_test_json_has (seen->body, "reporter"));
  other_list = list_all (ROLE_OTHER, NULL);
  g_assert_nonnull (iocd_test_find_task (other_list, id));

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      gint64 version = task_version (id);
      g_autoptr(IocdTestResponse) r = act (ROLE_OTHER, id, refused[i].action, refused[i].extra);

      check_status (r, 403, refused[i].action);
      g_assert_cmpint (task_version (id), ==, version);
    }

  /* Seeing is enough to comment. */
  {
    g_autoptr(IocdTestResponse) r = act (ROLE_OTHER, id, "comment", "\"text\": \"chúng tôi đã chuyển hồ sơ\"");

    iocd_test_assert_status (r, 200, "comment by the department that had the task");
  }

  act_ok (ROLE_OWN, id, "acknowledge", NULL);

  /* Once acknowledged by B, A still may not resolve or return it. */
  for (guint i = 2; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(IocdTestResponse) r = act (ROLE_OTHER, id, refused[i].action, refused[i].extra);

      check_status (r, 403, refused[i].action);
    }
}

/* Administrators run the server; the reports are not theirs to read. */
static void
test_admin_tasks (void)
{
  gint64 id = make_task (SETUP_FORWARDED);
  g_autofree char *path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, id);
  g_autoptr(IocdTestResponse) list = request (ROLE_ADMIN, "GET", "/api/v1/tasks", NULL);
  g_autoptr(IocdTestResponse) one = request (ROLE_ADMIN, "GET", path, NULL);
  g_autoptr(IocdTestResponse) missing = request (ROLE_ADMIN, "GET", "/api/v1/tasks/99999999", NULL);

  check_status (list, 403, "admin lists tasks");
  g_assert_false (iocd_test_json_has (list->body, "tasks"));
  check_status (one, 403, "admin reads a task");
  g_assert_false (iocd_test_json_has (one->body, "title"));
  /* Not even whether a task exists. */
  check_status (missing, 403, "admin reads a task that does not exist");

  for (guint i = 0; i < G_N_ELEMENTS (action_cases); i++)
    {
      g_autoptr(IocdTestResponse) r = act (ROLE_ADMIN, id, action_cases[i].action,
                                           "\"reason\": \"x\", \"result\": \"x\", \"text\": \"x\"");

      check_status (r, 403, action_cases[i].action);
    }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = iocd_test_server_start (NULL);
  session = iocd_test_session_new (server);
  for (Role role = 0; role < N_ROLES; role++)
    tokens[role] = iocd_test_login (server, session, role_users[role], NULL);

  for (guint i = 0; i < G_N_ELEMENTS (action_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/authz/action/%s", action_cases[i].action);

      g_test_add_data_func (path, &action_cases[i], test_action);
    }
  g_test_add_func ("/authz/tasks/list", test_list);
  g_test_add_func ("/authz/tasks/get", test_get);
  g_test_add_func ("/authz/tasks/intake", test_intake);
  g_test_add_func ("/authz/tasks/admin", test_admin_tasks);
  g_test_add_func ("/authz/users", test_users);
  g_test_add_func ("/authz/reference", test_reference);
  g_test_add_func ("/authz/session", test_session);
  g_test_add_func ("/authz/events", test_events);
  g_test_add_func ("/authz/no-token", test_no_token);
  g_test_add_func ("/authz/visibility/list", test_visibility_list);
  g_test_add_func ("/authz/visibility/reporter", test_visibility_reporter);
  g_test_add_func ("/authz/visibility/reassigned", test_visibility_reassigned);

  ret = iocd_test_run (&server, &session);

  for (Role role = 0; role < N_ROLES; role++)
    g_free (tokens[role]);

  return ret;
}
