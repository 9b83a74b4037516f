/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "iocd-test-utils.h"

/*
 * GET /api/v1/overview on a city with no demo tasks, so that every task
 * with a department is one made here. Times to acknowledge and resolve
 * are controlled by moving a task's latest forward back in iocd's own
 * database just before the acknowledgement is sent; the expected figures
 * are then computed again, independently, from the timelines the server
 * returns. A restart that rebuilds the overview's derived table from the
 * timeline (the migration's backfill) must give the same figures, and a
 * task whose whole timeline is moved 40 days back leaves the 30-day window
 * but stays in a 60-day one.
 */

#define A "SXD"
#define B "SYT"

static IocdTestServer *server;
static SoupSession *session;

typedef struct {
  gint64 id;
  const char *name;
} Made;

/* Every task made here, for the expected figures. */
static GArray *made;
static gboolean dataset_ready;

static sqlite3 *
open_db (void)
{
  g_autofree char *path = g_build_filename (server->state_dir, "iocd.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static void
db_exec (sqlite3    *db,
         const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      iocd_test_fail ("%s: %s", sql, message);
      sqlite3_free (message);
    }
}

/* Undoes every migration after the fifth, so that the next start runs
 * them again: the sixth builds the overview's derived table from the
 * timeline. */
static void
back_to_schema_5 (sqlite3 *db)
{
  db_exec (db, "DROP TABLE handling_times; DROP INDEX tasks_open_by_department; "
               "ALTER TABLE indicators DROP COLUMN unit_en; PRAGMA user_version = 5;");
}

/* Moves @id's latest forward to @seconds before now, as if the operator
 * had sent it then. */
static void
backdate_latest_forward (gint64 id,
                         gint64 seconds)
{
  sqlite3 *db = open_db ();
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                     "UPDATE timeline SET at = ?2 WHERE id = (SELECT max (id) FROM timeline "
                     "WHERE task_id = ?1 AND action = 'forward')", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () - seconds * G_USEC_PER_SEC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
set_due_at (gint64 id,
            gint64 at)
{
  sqlite3 *db = open_db ();
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE tasks SET due_at = ?2 WHERE id = ?1", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, at);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static const char *
token_of (const char *username)
{
  return iocd_test_token (server, session, username);
}

static const char *
operator_token (void)
{
  return token_of ("trucban1");
}

static const char *
liaison_of (const char *department)
{
  return g_str_equal (department, A) ? token_of ("lienlac.sxd") : token_of ("lienlac.syt");
}

/* One action with the task's current version; @member: @value if not NULL. */
static gboolean
act (const char *token,
     gint64      id,
     const char *action,
     const char *member,
     const char *value)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(IocdTestResponse) r = NULL;
  g_autofree char *body = NULL;
  g_autofree char *what = g_strdup_printf ("task %" G_GINT64_FORMAT ": %s", id, action);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, iocd_test_task_version (server, session, operator_token (), id));
  if (member != NULL)
    {
      json_builder_set_member_name (b, member);
      json_builder_add_string_value (b, value);
    }
  body = iocd_test_json_finish (b);

  r = iocd_test_act (server, session, token, id, action, body, NULL);
  return iocd_test_check_status (r, 200, what);
}

static gint64
make_task (const char *name)
{
  gint64 id = iocd_test_new_task (server, session, operator_token (), "LIGHT", name);
  Made m = { id, name };

  g_array_append_val (made, m);
  if (id != 0)
    act (operator_token (), id, "verify", NULL, NULL);
  return id;
}

/* Forwards @id to @department, as if @seconds ago; the liaison then
 * acknowledges it now, so it took about @seconds. */
static void
forward_then_acknowledge (gint64      id,
                          const char *department,
                          gint64      seconds)
{
  act (operator_token (), id, "forward", "department", department);
  backdate_latest_forward (id, seconds);
  act (liaison_of (department), id, "acknowledge", NULL, NULL);
}

static IocdTestResponse *
get_overview (const char *token,
              const char *query)
{
  g_autofree char *path = g_strconcat ("/api/v1/overview", query ? "?" : "", query, NULL);

  return iocd_test_request (server, session, "GET", path, token, NULL, NULL);
}

static JsonObject *
find_row (JsonNode   *body,
          const char *code)
{
  JsonNode *departments = iocd_test_json_get (body, "departments");
  JsonArray *array;

  if (departments == NULL || !JSON_NODE_HOLDS_ARRAY (departments))
    return NULL;
  array = json_node_get_array (departments);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (row, "code", NULL), code) == 0)
        return row;
    }

  return NULL;
}

static const char * const states[] = {
  "received", "verified", "rejected", "duplicate", "forwarded", "acknowledged", "in_progress", "returned",
  "resolved", "closed",
};

/* Expected figures, from the tasks and timelines the server shows */

typedef struct {
  guint   counts[G_N_ELEMENTS (states)];
  guint   open;
  guint   overdue;
  GArray *acknowledge_ms;   /* gint64 */
  GArray *resolve_ms;
} Expected;

static void
expected_free (Expected *e)
{
  g_array_unref (e->acknowledge_ms);
  g_array_unref (e->resolve_ms);
  g_free (e);
}

static Expected *
expected_for (GHashTable *table,
              const char *department)
{
  Expected *e = g_hash_table_lookup (table, department);

  if (e == NULL)
    {
      e = g_new0 (Expected, 1);
      e->acknowledge_ms = g_array_new (FALSE, FALSE, sizeof (gint64));
      e->resolve_ms = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (table, g_strdup (department), e);
    }

  return e;
}

/* department → Expected, over the window [since, now] in microseconds. */
static GHashTable *
compute_expected (gint64 since,
                  gint64 now)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) expected_free);

  for (guint i = 0; i < made->len; i++)
    {
      Made *m = &g_array_index (made, Made, i);
      g_autoptr(JsonNode) task = iocd_test_fetch_task (server, session, operator_token (), m->id);
      const char *department, *state;
      JsonArray *timeline;
      const char *forward_department = NULL;
      gint64 forward_at = 0;

      if (task == NULL)
        continue;
      department = iocd_test_json_string (task, "department");
      state = iocd_test_json_string (task, "state");
      if (department != NULL)
        {
          Expected *e = expected_for (table, department);

          for (guint s = 0; s < G_N_ELEMENTS (states); s++)
            if (g_strcmp0 (state, states[s]) == 0)
              e->counts[s]++;
          if (g_strcmp0 (state, "forwarded") == 0 || g_strcmp0 (state, "acknowledged") == 0 ||
              g_strcmp0 (state, "in_progress") == 0)
            {
              e->open++;
              if (iocd_test_json_time (task, "due_at") < now)
                e->overdue++;
            }
        }

      timeline = json_node_get_array (iocd_test_json_get (task, "timeline"));
      for (guint j = 0; j < json_array_get_length (timeline); j++)
        {
          JsonNode *entry = json_array_get_element (timeline, j);
          const char *action = iocd_test_json_string (entry, "action");
          gint64 at = iocd_test_json_time (entry, "at");

          if (g_strcmp0 (action, "forward") == 0)
            {
              forward_department = iocd_test_json_string (entry, "department");
              forward_at = at;
            }
          else if ((g_strcmp0 (action, "acknowledge") == 0 || g_strcmp0 (action, "resolve") == 0) &&
                   forward_department != NULL && at >= since && at <= now)
            {
              Expected *e = expected_for (table, forward_department);
              gint64 ms = (at - forward_at) / 1000;

              g_array_append_val (g_str_equal (action, "resolve") ? e->resolve_ms : e->acknowledge_ms, ms);
            }
        }
    }

  return table;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The median in whole seconds (rounded), -1 for none. */
static gint64
median_seconds (GArray *ms)
{
  double m;

  if (ms->len == 0)
    return -1;
  g_array_sort (ms, compare_gint64);
  m = (g_array_index (ms, gint64, (ms->len - 1) / 2) + g_array_index (ms, gint64, ms->len / 2)) / 2.0;
  return (gint64) (m / 1000 + 0.5);
}

/* Checks the member @name of @row: a whole number of seconds equal to
 * @expected, or null when @expected is -1. */
static void
check_seconds (JsonObject *row,
               const char *code,
               const char *name,
               gint64      expected)
{
  JsonNode *node = json_object_get_member (row, name);

  if (node == NULL)
    {
      iocd_test_fail ("%s: no %s", code, name);
      return;
    }
  if (expected < 0)
    {
      if (!JSON_NODE_HOLDS_NULL (node))
        iocd_test_fail ("%s: %s should be null", code, name);
      return;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      iocd_test_fail ("%s: %s should be a whole number", code, name);
      return;
    }
  if (json_node_get_int (node) != expected)
    iocd_test_fail ("%s: %s is %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT, code, name,
                    json_node_get_int (node), expected);
}

static gint64
member_int (JsonObject *row,
            const char *name)
{
  JsonNode *node = json_object_get_member (row, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (node);
}

/* Compares every row of the answer with the figures computed from the timelines. */
static void
check_against_timelines (JsonNode *body)
{
  gint64 now = iocd_test_json_time (body, "time");
  gint64 since = iocd_test_json_time (body, "since");
  g_autoptr(GHashTable) expected = compute_expected (since, now);
  JsonArray *rows = json_node_get_array (iocd_test_json_get (body, "departments"));

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      const char *code = json_object_get_string_member (row, "code");
      Expected *e = expected_for (expected, code);
      JsonObject *counts = json_object_get_object_member (row, "counts");

      for (guint s = 0; s < G_N_ELEMENTS (states); s++)
        if (json_object_get_int_member_with_default (counts, states[s], -1) != e->counts[s])
          iocd_test_fail ("%s: counts.%s is %" G_GINT64_FORMAT ", expected %u", code, states[s],
                          json_object_get_int_member_with_default (counts, states[s], -1), e->counts[s]);
      if (member_int (row, "open") != e->open)
        iocd_test_fail ("%s: open is %" G_GINT64_FORMAT ", expected %u", code, member_int (row, "open"), e->open);
      if (member_int (row, "overdue") != e->overdue)
        iocd_test_fail ("%s: overdue is %" G_GINT64_FORMAT ", expected %u", code, member_int (row, "overdue"),
                        e->overdue);
      if (member_int (row, "acknowledged") != e->acknowledge_ms->len)
        iocd_test_fail ("%s: acknowledged is %" G_GINT64_FORMAT ", expected %u", code,
                        member_int (row, "acknowledged"), e->acknowledge_ms->len);
      if (member_int (row, "resolved") != e->resolve_ms->len)
        iocd_test_fail ("%s: resolved is %" G_GINT64_FORMAT ", expected %u", code, member_int (row, "resolved"),
                        e->resolve_ms->len);
      check_seconds (row, code, "median_acknowledge_seconds", median_seconds (e->acknowledge_ms));
      check_seconds (row, code, "median_resolve_seconds", median_seconds (e->resolve_ms));
    }
}

/* Whether @value is within 5 s of the designed @seconds (the requests
 * themselves take a little time). */
static void
check_near (JsonObject *row,
            const char *name,
            gint64      seconds)
{
  gint64 value = row ? member_int (row, name) : -1;

  if (value < seconds || value > seconds + 5)
    iocd_test_fail ("%s is %" G_GINT64_FORMAT ", designed to be about %" G_GINT64_FORMAT, name, value, seconds);
}

/* Cases */

static void
test_shape (void)
{
  g_autoptr(IocdTestResponse) r = get_overview (token_of ("lanhdao"), NULL);
  g_autoptr(IocdTestResponse) d = iocd_test_request (server, session, "GET", "/api/v1/departments",
                                                     token_of ("lanhdao"), NULL, NULL);
  JsonArray *rows, *departments;
  gint64 now, since;

  if (!iocd_test_check_status (r, 200, "GET /overview") || !iocd_test_check_status (d, 200, "GET /departments"))
    return;

  now = iocd_test_json_time (r->body, "time");
  since = iocd_test_json_time (r->body, "since");
  g_assert_cmpint (iocd_test_json_int (r->body, "days"), ==, 30);
  g_assert_cmpint (now - since, ==, (gint64) 30 * 24 * 3600 * G_USEC_PER_SEC);
  g_assert_cmpint (ABS (now - g_get_real_time ()), <, 60 * G_USEC_PER_SEC);

  rows = json_node_get_array (iocd_test_json_get (r->body, "departments"));
  departments = json_node_get_array (iocd_test_json_get (d->body, "departments"));
  g_assert_nonnull (rows);
  g_assert_nonnull (departments);
  /* Every department, even idle ones, ordered by code. */
  g_assert_cmpuint (json_array_get_length (rows), ==, json_array_get_length (departments));
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      const char *code = json_object_get_string_member (row, "code");
      JsonObject *counts = json_object_get_object_member (row, "counts");
      gboolean known = FALSE;

      if (i > 0)
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, i - 1), "code"), <,
                         code);
      for (guint j = 0; j < json_array_get_length (departments); j++)
        {
          JsonObject *dep = json_array_get_object_element (departments, j);

          if (g_str_equal (json_object_get_string_member (dep, "code"), code))
            {
              known = TRUE;
              g_assert_cmpstr (json_object_get_string_member (row, "name_vi"), ==,
                               json_object_get_string_member (dep, "name_vi"));
              g_assert_cmpstr (json_object_get_string_member_with_default (row, "name_en", NULL), ==,
                               json_object_get_string_member_with_default (dep, "name_en", NULL));
            }
        }
      g_assert_true (known);

      /* No task yet: every state is there, at zero; no medians. */
      g_assert_cmpuint (json_object_get_size (counts), ==, G_N_ELEMENTS (states));
      for (guint s = 0; s < G_N_ELEMENTS (states); s++)
        g_assert_cmpint (json_object_get_int_member_with_default (counts, states[s], -1), ==, 0);
      g_assert_cmpint (member_int (row, "open"), ==, 0);
      g_assert_cmpint (member_int (row, "overdue"), ==, 0);
      g_assert_cmpint (member_int (row, "acknowledged"), ==, 0);
      g_assert_cmpint (member_int (row, "resolved"), ==, 0);
      check_seconds (row, code, "median_acknowledge_seconds", -1);
      check_seconds (row, code, "median_resolve_seconds", -1);
    }
}

static void
test_bad_days (void)
{
  static const char * const bad[] = { "days=0", "days=366", "days=abc", "days=-1", "days=%2B5", "days=%205",
                                      "days=1.5", "days=", "days=99999999999999999999" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(IocdTestResponse) r = get_overview (token_of ("lanhdao"), bad[i]);

      iocd_test_check_error (r, 400, "invalid", "days", bad[i]);
    }

  {
    g_autoptr(IocdTestResponse) r = get_overview (token_of ("lanhdao"), "days=7&department=SXD");

    iocd_test_check_error (r, 400, "invalid", "department", "an unknown parameter");
  }
  {
    g_autoptr(IocdTestResponse) r = get_overview (token_of ("lanhdao"), "days=365");

    if (iocd_test_check_status (r, 200, "days=365"))
      g_assert_cmpint (iocd_test_json_int (r->body, "days"), ==, 365);
  }
  {
    g_autoptr(IocdTestResponse) r = get_overview (token_of ("trucban2"), "days=1");

    if (iocd_test_check_status (r, 200, "days=1 as an operator"))
      g_assert_cmpint (iocd_test_json_time (r->body, "time") - iocd_test_json_time (r->body, "since"), ==,
                       (gint64) 24 * 3600 * G_USEC_PER_SEC);
  }
}

static void
test_who (void)
{
  {
    g_autoptr(IocdTestResponse) r = get_overview (token_of ("admin"), NULL);

    iocd_test_check_error (r, 403, "forbidden", NULL, "an administrator");
  }
  {
    g_autoptr(IocdTestResponse) r = get_overview (NULL, NULL);

    iocd_test_check_unauthorized (r, "no token");
  }
  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "POST", "/api/v1/overview",
                                                       token_of ("lanhdao"), "{}", NULL);

    if (iocd_test_check_error (r, 405, "method_not_allowed", NULL, "POST"))
      g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Allow"), ==, "GET");
  }
  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/overview/SXD",
                                                       token_of ("lanhdao"), NULL, NULL);

    iocd_test_check_error (r, 404, "not_found", NULL, "a path below");
  }
}

static void
test_figures (void)
{
  gint64 a, b, c, d, e, f, g, h;
  gint64 now = g_get_real_time ();
  g_autoptr(IocdTestResponse) r = NULL;
  JsonObject *row;

  /* A: acknowledged after 600, 900, 1200, 1800 and 3000 s (median 1200);
   * two of them resolved right after (median about (600 + 1200) / 2). */
  a = make_task ("overview a");
  b = make_task ("overview b");
  c = make_task ("overview c");
  d = make_task ("overview d");
  e = make_task ("overview e");
  forward_then_acknowledge (a, A, 600);
  act (liaison_of (A), a, "start", NULL, NULL);
  act (liaison_of (A), a, "resolve", "result", "đã sửa");
  forward_then_acknowledge (b, A, 1200);
  act (liaison_of (A), b, "resolve", "result", "đã sửa");
  forward_then_acknowledge (c, A, 1800);
  forward_then_acknowledge (d, A, 3000);
  act (liaison_of (A), d, "start", NULL, NULL);
  /* Overdue an hour ago. */
  set_due_at (d, now - (gint64) 3600 * G_USEC_PER_SEC);
  /* B first, returned, then A: measured from the forward to A (900 s),
   * not from the first one (5000 s). */
  act (operator_token (), e, "forward", "department", B);
  backdate_latest_forward (e, 5000);
  act (liaison_of (B), e, "return", "reason", "không thuộc thẩm quyền");
  forward_then_acknowledge (e, A, 900);

  /* B: one acknowledged after 60 s and resolved; one still forwarded and
   * overdue; one returned. */
  f = make_task ("overview f");
  g = make_task ("overview g");
  h = make_task ("overview h");
  forward_then_acknowledge (f, B, 60);
  act (liaison_of (B), f, "resolve", "result", "đã xử lý");
  act (operator_token (), g, "forward", "department", B);
  set_due_at (g, now - 60 * G_USEC_PER_SEC);
  act (operator_token (), h, "forward", "department", B);
  act (liaison_of (B), h, "return", "reason", "sai địa chỉ");

  /* No department: in no row. */
  make_task ("overview received");

  if (g_test_failed ())
    return;
  dataset_ready = TRUE;

  r = get_overview (token_of ("lanhdao"), NULL);
  if (!iocd_test_check_status (r, 200, "GET /overview"))
    return;
  check_against_timelines (r->body);

  /* The figures designed above, as a reader would check them. */
  row = find_row (r->body, A);
  g_assert_nonnull (row);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "counts"), "acknowledged"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "counts"), "in_progress"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "counts"), "resolved"), ==, 2);
  g_assert_cmpint (member_int (row, "open"), ==, 3);
  g_assert_cmpint (member_int (row, "overdue"), ==, 1);
  g_assert_cmpint (member_int (row, "acknowledged"), ==, 5);
  check_near (row, "median_acknowledge_seconds", 1200);
  g_assert_cmpint (member_int (row, "resolved"), ==, 2);
  check_near (row, "median_resolve_seconds", 900);

  row = find_row (r->body, B);
  g_assert_nonnull (row);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "counts"), "forwarded"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "counts"), "returned"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "counts"), "resolved"), ==, 1);
  g_assert_cmpint (member_int (row, "open"), ==, 1);
  g_assert_cmpint (member_int (row, "overdue"), ==, 1);
  g_assert_cmpint (member_int (row, "acknowledged"), ==, 1);
  check_near (row, "median_acknowledge_seconds", 60);
  g_assert_cmpint (member_int (row, "resolved"), ==, 1);
  check_near (row, "median_resolve_seconds", 60);

  /* The task list agrees on what is overdue. */
  {
    g_autoptr(GPtrArray) listed = iocd_test_list_tasks (server, session, operator_token (),
                                                        "department=" A "&overdue=true", 100, NULL);

    g_assert_cmpuint (listed->len, ==, 1);
    g_assert_cmpint (iocd_test_json_int (g_ptr_array_index (listed, 0), "id"), ==, d);
  }
}

static void
test_liaison (void)
{
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(IocdTestResponse) all = NULL;
  JsonArray *rows;
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;

  if (!dataset_ready)
    {
      g_test_skip ("the dataset could not be made");
      return;
    }

  r = get_overview (liaison_of (A), "days=30");
  all = get_overview (token_of ("lanhdao"), "days=30");
  if (!iocd_test_check_status (r, 200, "GET /overview as a liaison") ||
      !iocd_test_check_status (all, 200, "GET /overview as a supervisor"))
    return;

  rows = json_node_get_array (iocd_test_json_get (r->body, "departments"));
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  g_assert_cmpstr (iocd_test_json_string (r->body, "departments.0.code"), ==, A);

  /* The same row the supervisor sees. */
  {
    g_autoptr(JsonNode) a = json_node_init_object (json_node_alloc (), json_array_get_object_element (rows, 0));
    g_autoptr(JsonNode) b = json_node_init_object (json_node_alloc (), find_row (all->body, A));

    mine = json_to_string (a, FALSE);
    theirs = json_to_string (b, FALSE);
    g_assert_cmpstr (mine, ==, theirs);
  }
}

/* Moves every entry of @id's timeline @days back. */
static void
move_timeline_back (sqlite3 *db,
                    gint64   id,
                    gint64   days)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE timeline SET at = at - ?2 WHERE task_id = ?1", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, days * 24 * 3600 * (gint64) G_USEC_PER_SEC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

static void
test_backfill_and_window (void)
{
  g_autoptr(IocdTestResponse) before = NULL;
  g_autoptr(IocdTestResponse) after = NULL;
  g_autoptr(IocdTestResponse) month = NULL;
  g_autoptr(IocdTestResponse) two_months = NULL;
  JsonObject *row;
  sqlite3 *db;

  if (!dataset_ready)
    {
      g_test_skip ("the dataset could not be made");
      return;
    }

  before = get_overview (token_of ("lanhdao"), NULL);
  if (!iocd_test_check_status (before, 200, "GET /overview before the restart"))
    return;

  /* The overview's derived table is rebuilt from the timeline by its
   * migration: it must hold what the live path wrote. */
  iocd_test_server_stop (server);
  db = open_db ();
  back_to_schema_5 (db);
  sqlite3_close (db);
  iocd_test_server_restart (server);

  after = get_overview (token_of ("lanhdao"), NULL);
  if (!iocd_test_check_status (after, 200, "GET /overview after the rebuild"))
    return;
  for (guint i = 0; i < 2; i++)
    {
      const char *code = i == 0 ? A : B;
      JsonObject *x = find_row (before->body, code);
      JsonObject *y = find_row (after->body, code);

      g_assert_nonnull (x);
      g_assert_nonnull (y);
      g_assert_cmpint (member_int (x, "acknowledged"), ==, member_int (y, "acknowledged"));
      g_assert_cmpint (member_int (x, "median_acknowledge_seconds"), ==, member_int (y, "median_acknowledge_seconds"));
      g_assert_cmpint (member_int (x, "resolved"), ==, member_int (y, "resolved"));
      g_assert_cmpint (member_int (x, "median_resolve_seconds"), ==, member_int (y, "median_resolve_seconds"));
    }
  check_against_timelines (after->body);

  /* Task b (acknowledged after 1200 s, resolved) happened 40 days ago. */
  iocd_test_server_stop (server);
  db = open_db ();
  move_timeline_back (db, g_array_index (made, Made, 1).id, 40);
  back_to_schema_5 (db);
  sqlite3_close (db);
  iocd_test_server_restart (server);

  month = get_overview (token_of ("lanhdao"), NULL);
  two_months = get_overview (token_of ("lanhdao"), "days=60");
  if (!iocd_test_check_status (month, 200, "GET /overview") ||
      !iocd_test_check_status (two_months, 200, "GET /overview?days=60"))
    return;
  check_against_timelines (month->body);
  check_against_timelines (two_months->body);

  /* Out of the month: 600, 900, 1800, 3000 → (900 + 1800) / 2. */
  row = find_row (month->body, A);
  g_assert_nonnull (row);
  g_assert_cmpint (member_int (row, "acknowledged"), ==, 4);
  check_near (row, "median_acknowledge_seconds", 1350);
  g_assert_cmpint (member_int (row, "resolved"), ==, 1);
  check_near (row, "median_resolve_seconds", 600);
  /* Still counted where it is now. */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "counts"), "resolved"), ==, 2);

  row = find_row (two_months->body, A);
  g_assert_nonnull (row);
  g_assert_cmpint (member_int (row, "acknowledged"), ==, 5);
  check_near (row, "median_acknowledge_seconds", 1200);
  g_assert_cmpint (member_int (row, "resolved"), ==, 2);
}

/* A change shows at once: no cache stands between the store and the answer. */
static void
test_live (void)
{
  g_autoptr(IocdTestResponse) r = NULL;
  gint64 id;
  JsonObject *row;
  gint64 forwarded = 0;

  if (!dataset_ready)
    {
      g_test_skip ("the dataset could not be made");
      return;
    }

  r = get_overview (token_of ("lanhdao"), NULL);
  if (!iocd_test_check_status (r, 200, "GET /overview"))
    return;
  row = find_row (r->body, B);
  forwarded = json_object_get_int_member (json_object_get_object_member (row, "counts"), "forwarded");
  g_clear_pointer (&r, iocd_test_response_free);

  id = make_task ("overview live");
  act (operator_token (), id, "forward", "department", B);
  r = get_overview (token_of ("lanhdao"), NULL);
  if (!iocd_test_check_status (r, 200, "GET /overview"))
    return;
  row = find_row (r->body, B);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "counts"), "forwarded"), ==,
                   forwarded + 1);
  check_against_timelines (r->body);
}

int
main (int   argc,
      char *argv[])
{
  /* Only the tasks made here: every figure can be worked out. */
  const char * const args[] = { "--demo-tasks", "0", NULL };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  server = iocd_test_server_start (args);
  session = iocd_test_session_new (server);
  made = g_array_new (FALSE, FALSE, sizeof (Made));

  g_test_add_func ("/overview/shape", test_shape);
  g_test_add_func ("/overview/bad-days", test_bad_days);
  g_test_add_func ("/overview/who", test_who);
  g_test_add_func ("/overview/figures", test_figures);
  g_test_add_func ("/overview/liaison", test_liaison);
  g_test_add_func ("/overview/live", test_live);
  g_test_add_func ("/overview/backfill-and-window", test_backfill_and_window);
  iocd_test_add_shutdown ("/overview/shutdown", server);

  {
    int ret = iocd_test_run (&server, &session);

    g_array_unref (made);
    return ret;
  }
}
