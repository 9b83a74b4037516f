/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <string.h>

#include "ioc-core.h"
#include "iocd-test-utils.h"

/* One iocd for the whole program: seeding the demo city costs seconds. */
static IocdTestServer *server;
static SoupSession *session;

#define MINUTE_US ((gint64) 60 * G_USEC_PER_SEC)
#define HOUR_US ((gint64) 3600 * G_USEC_PER_SEC)

static const char *
token_of (const char *username)
{
  return iocd_test_token (server, session, username);
}

/* GET /api/v1/session: the user as others see them in timelines. */
static JsonNode *
whoami (const char *username)
{
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/session",
                                                     token_of (username), NULL, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  return r->body ? json_node_ref (r->body) : json_node_new (JSON_NODE_NULL);
}

/* Request bodies */

static JsonBuilder *
body_begin (gint64 version)
{
  JsonBuilder *b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  if (version > 0)
    {
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, version);
    }
  return b;
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static char *
body_end (JsonBuilder *owned)
{
  g_autoptr(JsonBuilder) b = owned;

  return iocd_test_json_finish (b);
}

/* {"version": V, NAME: TEXT}; NAME NULL for the version alone. */
static char *
note_body (gint64      version,
           const char *name,
           const char *text)
{
  JsonBuilder *b = body_begin (version);

  if (name != NULL)
    add_string (b, name, text);
  return body_end (b);
}

static char *
forward_body (gint64      version,
              const char *department)
{
  JsonBuilder *b = body_begin (version);

  add_string (b, "department", department);
  return body_end (b);
}

static char *
due_body (gint64      version,
          const char *department,
          gint64      due_at)
{
  JsonBuilder *b = body_begin (version);
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (due_at / G_USEC_PER_SEC);
  g_autoptr(GDateTime) exact = g_date_time_add (dt, due_at % G_USEC_PER_SEC);
  g_autofree char *text = g_date_time_format_iso8601 (exact);

  add_string (b, "department", department);
  add_string (b, "due_at", text);
  return body_end (b);
}

/* Actions */

static IocdTestResponse *
act (const char *username,
     gint64      id,
     const char *action,
     const char *body,
     const char *idempotency_key)
{
  return iocd_test_act (server, session, token_of (username), id, action, body, idempotency_key);
}

/* An action that must succeed; takes @owned_body, returns the task after it. */
static JsonNode *
act_ok (const char *username,
        gint64      id,
        const char *action,
        char       *owned_body)
{
  g_autofree char *body = owned_body;
  g_autoptr(IocdTestResponse) r = act (username, id, action, body, NULL);
  g_autofree char *what = g_strdup_printf ("%s: %s on task %" G_GINT64_FORMAT " with %s",
                                           username, action, id, body);

  iocd_test_assert_status (r, 200, what);

  return r->body ? json_node_ref (r->body) : json_node_new (JSON_NODE_NULL);
}

/* An action that must fail with @status and error.code @code; takes @owned_body. */
static IocdTestResponse *
act_fails (const char *username,
           gint64      id,
           const char *action,
           char       *owned_body,
           guint       status,
           const char *code)
{
  g_autofree char *body = owned_body;
  IocdTestResponse *r = act (username, id, action, body, NULL);
  g_autofree char *what = g_strdup_printf ("%s: %s on task %" G_GINT64_FORMAT " with %s",
                                           username, action, id, body);

  iocd_test_assert_status (r, status, what);
  g_assert_cmpstr (iocd_test_json_string (r->body, "error.code"), ==, code);

  return r;
}

static IocdTestResponse *
get_task (const char *username,
          gint64      id)
{
  return iocd_test_get_task (server, session, token_of (username), id);
}

static gint64
new_task (const char *category,
          const char *title)
{
  return iocd_test_new_task (server, session, token_of ("trucban1"), category, title);
}

/* A fresh task forwarded to @department: version 3. */
static gint64
new_forwarded_task (const char *category,
                    const char *title,
                    const char *department)
{
  gint64 id = new_task (category, title);
  g_autoptr(JsonNode) verified = act_ok ("trucban1", id, "verify", note_body (1, NULL, NULL));
  g_autoptr(JsonNode) forwarded = act_ok ("trucban1", id, "forward", forward_body (2, department));

  g_assert_cmpstr (iocd_test_json_string (forwarded, "state"), ==, "forwarded");
  return id;
}

static gint64
category_sla_hours (const char *code)
{
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/categories",
                                                     token_of ("trucban1"), NULL, NULL);
  JsonNode *list = iocd_test_json_get (r->body, "categories");
  JsonArray *array;

  g_assert_cmpuint (r->status, ==, 200);
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_test_fail_printf ("no list of categories");
      return 0;
    }

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *c = json_array_get_element (array, i);

      if (g_strcmp0 (iocd_test_json_string (c, "code"), code) == 0)
        return iocd_test_json_int (c, "sla_hours");
    }

  g_test_fail_printf ("no category %s", code);
  return 0;
}

/* Lists */

/* Walks every page of /api/v1/tasks?QUERY with pages of @limit. */
static GPtrArray *
list_all (const char *username,
          const char *query,
          guint       limit,
          guint      *n_pages)
{
  return iocd_test_list_tasks (server, session, token_of (username), query, limit, n_pages);
}

/* The whole list in one page, as the reference the filters are checked against. */
static GPtrArray *
snapshot (const char *username)
{
  guint pages = 0;
  GPtrArray *all = list_all (username, NULL, 1000, &pages);

  g_assert_cmpuint (pages, ==, 1);
  g_assert_cmpuint (all->len, >=, 200);
  return all;
}

static gboolean
contains_id (GPtrArray *tasks,
             gint64     id)
{
  return iocd_test_find_task (tasks, id) != NULL;
}

typedef gboolean (*TaskPredicate) (JsonNode *task,
                                   gpointer  data);

/* Compares the server's filtered list, walked in small pages, with the same
 * filter applied here to the full list: same tasks, same order. */
static void
check_filter (GPtrArray     *all,
              const char    *query,
              TaskPredicate  predicate,
              gpointer       data,
              gboolean       expect_some)
{
  g_autoptr(GPtrArray) got = list_all ("trucban1", query, 37, NULL);
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < all->len; i++)
    if (predicate (g_ptr_array_index (all, i), data))
      {
        gint64 id = iocd_test_json_int (g_ptr_array_index (all, i), "id");
        g_array_append_val (expected, id);
      }

  if (expect_some && expected->len == 0)
    g_test_fail_printf ("%s: the demo data should hold some tasks for this filter", query);

  for (guint i = 0; i < MAX (got->len, expected->len); i++)
    {
      gint64 g = i < got->len ? iocd_test_json_int (g_ptr_array_index (got, i), "id") : -1;
      gint64 e = i < expected->len ? g_array_index (expected, gint64, i) : -1;

      if (g != e)
        {
          g_test_fail_printf ("%s: %u tasks listed, %u expected; at position %u task %" G_GINT64_FORMAT
                              " instead of %" G_GINT64_FORMAT, query, got->len, expected->len, i, g, e);
          return;
        }
    }
  g_test_message ("%s: %u tasks", query, got->len);
}

static gboolean
state_in_mask (JsonNode *task,
               gpointer  data)
{
  IocTaskState state = ioc_task_state_from_string (iocd_test_json_string (task, "state"));

  return (int) state >= 0 && (GPOINTER_TO_UINT (data) & (1u << state)) != 0;
}

typedef struct {
  const char *path;
  const char *value;
} FieldIs;

static gboolean
field_is (JsonNode *task,
          gpointer  data)
{
  const FieldIs *f = data;

  return g_strcmp0 (iocd_test_json_string (task, f->path), f->value) == 0;
}

static gboolean
all_of (JsonNode *task,
        gpointer  data)
{
  const FieldIs *fields = data;

  for (guint i = 0; fields[i].path != NULL; i++)
    if (!field_is (task, (gpointer) &fields[i]))
      return FALSE;
  return TRUE;
}

static gboolean
is_overdue (JsonNode *task,
            gpointer  data)
{
  JsonNode *overdue = iocd_test_json_get (task, "overdue");

  return overdue != NULL && JSON_NODE_HOLDS_VALUE (overdue) && json_node_get_boolean (overdue);
}

static gboolean
in_bbox (JsonNode *task,
         gpointer  data)
{
  const double *box = data;   /* min_lon, min_lat, max_lon, max_lat */
  JsonNode *lat = iocd_test_json_get (task, "location.lat");
  JsonNode *lon = iocd_test_json_get (task, "location.lon");
  double la, lo;

  if (lat == NULL || lon == NULL)
    return FALSE;
  la = json_node_get_double (lat);
  lo = json_node_get_double (lon);
  return lo >= box[0] && la >= box[1] && lo <= box[2] && la <= box[3];
}

/* The search text is the core's (one source of truth); the server must find
 * exactly the tasks it matches. */
static gboolean
matches_text (JsonNode *task,
              gpointer  data)
{
  const char *folded_query = data;
  g_autoptr(IocTask) t = ioc_task_from_json (json_node_get_object (task), NULL);
  g_autofree char *text = NULL;

  g_assert_nonnull (t);
  if (t == NULL)
    return FALSE;
  text = ioc_task_dup_search_text (t);
  return ioc_text_matches (text, folded_query);
}

/* Tests */

static void
assert_timeline_entry (JsonNode     *task,
                       guint         index,
                       const char   *action,
                       const char   *from,
                       const char   *to,
                       JsonNode     *actor,
                       const char   *note)
{
  g_autofree char *prefix = g_strdup_printf ("timeline.%u", index);
  g_autofree char *p_action = g_strconcat (prefix, ".action", NULL);
  g_autofree char *p_from = g_strconcat (prefix, ".from_state", NULL);
  g_autofree char *p_to = g_strconcat (prefix, ".to_state", NULL);
  g_autofree char *p_actor_id = g_strconcat (prefix, ".actor.id", NULL);
  g_autofree char *p_actor_name = g_strconcat (prefix, ".actor.name", NULL);
  g_autofree char *p_actor_role = g_strconcat (prefix, ".actor.role", NULL);
  g_autofree char *p_note = g_strconcat (prefix, ".note", NULL);
  g_autofree char *p_at = g_strconcat (prefix, ".at", NULL);

  g_assert_cmpstr (iocd_test_json_string (task, p_action), ==, action);
  g_assert_cmpstr (iocd_test_json_string (task, p_from), ==, from);
  g_assert_cmpstr (iocd_test_json_string (task, p_to), ==, to);
  g_assert_cmpint (iocd_test_json_int (task, p_actor_id), ==, iocd_test_json_int (actor, "id"));
  g_assert_cmpstr (iocd_test_json_string (task, p_actor_name), ==, iocd_test_json_string (actor, "display_name"));
  g_assert_cmpstr (iocd_test_json_string (task, p_actor_role), ==, iocd_test_json_string (actor, "role"));
  g_assert_cmpstr (iocd_test_json_string (task, p_note), ==, note);
  g_assert_cmpint (iocd_test_json_time (task, p_at), >, 0);
}

static void
test_full_workflow (void)
{
  /* What operators type: quotes, SQL, markup, emoji, a decomposed accent
   * (NFD "ệ"), tabs and new lines. All of it must come back as sent. */
  const char *title = "Đèn đường hẻm 51 không sáng — \"khẩn\" '; DROP TABLE tasks; -- "
                      "<script>alert(1)</script> 💡🚦";
  const char *description = "Người dân phản ánh: \"trụ đèn số 12\" tắt từ 18:00.\n"
                            "\t'; DELETE FROM timeline; --\n"
                            "<img src=x onerror=alert(1)> & &amp; \\ / 👍🏽 Hie\xcc\xa3\xcc\x82u";
  const char *address = "Hẻm 51, đường 3/2, phường Ninh Kiều";
  const char *result = "Đã thay bóng đèn LED 100W, đèn sáng bình thường. \"Hoàn thành\" ✅";
  g_autoptr(JsonNode) op = whoami ("trucban1");
  g_autoptr(JsonNode) liaison = whoami ("lienlac.sxd");
  g_autoptr(IocdTestResponse) created = NULL;
  g_autoptr(IocdTestResponse) fetched = NULL;
  g_autoptr(IocdTestResponse) seen_by_liaison = NULL;
  g_autoptr(JsonNode) t = NULL;
  g_autofree char *body = NULL;
  g_autofree char *location = NULL;
  JsonBuilder *b;
  gint64 id, due_at, sla_hours, now;

  b = body_begin (0);
  add_string (b, "source", "hotline");
  add_string (b, "category", "LIGHT");
  add_string (b, "title", title);
  add_string (b, "description", description);
  add_string (b, "address", address);
  add_string (b, "commune", "31135");
  json_builder_set_member_name (b, "location");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "lat");
  json_builder_add_double_value (b, 10.0325);
  json_builder_set_member_name (b, "lon");
  json_builder_add_double_value (b, 105.7772);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "reporter");
  json_builder_begin_object (b);
  add_string (b, "name", "Nguyễn Văn \"Tư\"");
  add_string (b, "phone", "0292 3820 000");
  add_string (b, "email", "tu@example.vn");
  json_builder_end_object (b);
  body = body_end (b);

  now = g_get_real_time ();
  created = iocd_test_request (server, session, "POST", "/api/v1/tasks", token_of ("trucban1"), body, NULL);
  g_assert_cmpuint (created->status, ==, 201);
  id = iocd_test_json_int (created->body, "id");
  g_assert_cmpint (id, >, 0);
  if (g_test_failed ())
    return;

  location = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, id);
  g_assert_cmpstr (soup_message_headers_get_one (created->headers, "Location"), ==, location);
  /* Markup in a task is data: never something a browser could run. */
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (created->headers, NULL),
                                   "application/json"));
  g_assert_cmpstr (soup_message_headers_get_one (created->headers, "X-Content-Type-Options"), ==, "nosniff");

  g_assert_cmpint (iocd_test_json_int (created->body, "version"), ==, 1);
  g_assert_cmpstr (iocd_test_json_string (created->body, "state"), ==, "received");
  g_assert_cmpstr (iocd_test_json_string (created->body, "source"), ==, "hotline");
  g_assert_cmpstr (iocd_test_json_string (created->body, "category"), ==, "LIGHT");
  g_assert_cmpstr (iocd_test_json_string (created->body, "priority"), ==, "normal");
  g_assert_cmpstr (iocd_test_json_string (created->body, "title"), ==, title);
  g_assert_cmpstr (iocd_test_json_string (created->body, "description"), ==, description);
  g_assert_cmpstr (iocd_test_json_string (created->body, "address"), ==, address);
  g_assert_cmpstr (iocd_test_json_string (created->body, "commune"), ==, "31135");
  g_assert_cmpstr (iocd_test_json_string (created->body, "reporter.name"), ==, "Nguyễn Văn \"Tư\"");
  g_assert_cmpstr (iocd_test_json_string (created->body, "reporter.phone"), ==, "0292 3820 000");
  g_assert_cmpstr (iocd_test_json_string (created->body, "reporter.email"), ==, "tu@example.vn");
  g_assert_cmpfloat (json_node_get_double (iocd_test_json_get (created->body, "location.lat")), ==, 10.0325);
  g_assert_cmpfloat (json_node_get_double (iocd_test_json_get (created->body, "location.lon")), ==, 105.7772);
  g_assert_null (iocd_test_json_string (created->body, "department"));
  g_assert_null (iocd_test_json_string (created->body, "due_at"));
  g_assert_cmpint (ABS (iocd_test_json_time (created->body, "created_at") - now), <, MINUTE_US);

  fetched = get_task ("trucban1", id);
  g_assert_cmpuint (fetched->status, ==, 200);
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "title"), ==, title);
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "description"), ==, description);
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "address"), ==, address);
  g_assert_cmpuint (iocd_test_timeline_length (fetched->body), ==, 1);

  t = act_ok ("trucban1", id, "verify", note_body (1, "note", "Đã gọi lại người dân xác minh"));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "verified");
  g_assert_cmpint (iocd_test_json_int (t, "version"), ==, 2);
  g_clear_pointer (&t, json_node_unref);

  /* No due time given: the category's SLA sets it. */
  sla_hours = category_sla_hours ("LIGHT");
  g_assert_cmpint (sla_hours, ==, 24);
  now = g_get_real_time ();
  b = body_begin (2);
  add_string (b, "department", "SXD");
  add_string (b, "note", "Chuyển Sở Xây dựng xử lý");
  t = act_ok ("trucban1", id, "forward", body_end (b));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "forwarded");
  g_assert_cmpint (iocd_test_json_int (t, "version"), ==, 3);
  g_assert_cmpstr (iocd_test_json_string (t, "department"), ==, "SXD");
  due_at = iocd_test_json_time (t, "due_at");
  g_assert_cmpint (ABS (due_at - (now + sla_hours * HOUR_US)), <, MINUTE_US);
  g_assert_false (json_node_get_boolean (iocd_test_json_get (t, "overdue")));
  g_clear_pointer (&t, json_node_unref);

  t = act_ok ("lienlac.sxd", id, "acknowledge", note_body (3, "note", "Đã tiếp nhận"));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "acknowledged");
  /* The department's desk never sees who called. */
  g_assert_false (iocd_test_json_has (t, "reporter"));
  g_clear_pointer (&t, json_node_unref);

  t = act_ok ("lienlac.sxd", id, "start", note_body (4, NULL, NULL));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "in_progress");
  g_clear_pointer (&t, json_node_unref);

  t = act_ok ("lienlac.sxd", id, "resolve", note_body (5, "result", result));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "resolved");
  g_assert_cmpstr (iocd_test_json_string (t, "result"), ==, result);
  g_clear_pointer (&t, json_node_unref);

  b = body_begin (6);
  add_int (b, "rating", 5);
  t = act_ok ("trucban1", id, "close", body_end (b));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "closed");
  g_assert_cmpint (iocd_test_json_int (t, "version"), ==, 7);
  g_assert_cmpint (iocd_test_json_int (t, "rating"), ==, 5);
  g_assert_cmpstr (iocd_test_json_string (t, "result"), ==, result);
  g_clear_pointer (&t, json_node_unref);

  g_clear_pointer (&fetched, iocd_test_response_free);
  fetched = get_task ("trucban1", id);
  g_assert_cmpuint (fetched->status, ==, 200);
  g_assert_cmpuint (iocd_test_timeline_length (fetched->body), ==, 7);
  assert_timeline_entry (fetched->body, 0, "intake", NULL, "received", op, NULL);
  assert_timeline_entry (fetched->body, 1, "verify", "received", "verified", op, "Đã gọi lại người dân xác minh");
  assert_timeline_entry (fetched->body, 2, "forward", "verified", "forwarded", op, "Chuyển Sở Xây dựng xử lý");
  assert_timeline_entry (fetched->body, 3, "acknowledge", "forwarded", "acknowledged", liaison, "Đã tiếp nhận");
  assert_timeline_entry (fetched->body, 4, "start", "acknowledged", "in_progress", liaison, NULL);
  assert_timeline_entry (fetched->body, 5, "resolve", "in_progress", "resolved", liaison, result);
  assert_timeline_entry (fetched->body, 6, "close", "resolved", "closed", op, NULL);
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "timeline.2.department"), ==, "SXD");
  g_assert_cmpint (iocd_test_json_time (fetched->body, "timeline.2.due_at"), ==, due_at);
  g_assert_cmpint (iocd_test_json_int (fetched->body, "timeline.6.rating"), ==, 5);
  for (guint i = 1; i < iocd_test_timeline_length (fetched->body); i++)
    {
      g_autofree char *prev = g_strdup_printf ("timeline.%u.at", i - 1);
      g_autofree char *cur = g_strdup_printf ("timeline.%u.at", i);
      g_autofree char *prev_id = g_strdup_printf ("timeline.%u.id", i - 1);
      g_autofree char *cur_id = g_strdup_printf ("timeline.%u.id", i);

      g_assert_cmpint (iocd_test_json_time (fetched->body, prev), <=, iocd_test_json_time (fetched->body, cur));
      g_assert_cmpint (iocd_test_json_int (fetched->body, prev_id), <, iocd_test_json_int (fetched->body, cur_id));
    }
  /* Still byte for byte after seven writes of the row. */
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "title"), ==, title);
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "description"), ==, description);
  g_assert_true (iocd_test_json_has (fetched->body, "reporter"));

  seen_by_liaison = get_task ("lienlac.sxd", id);
  g_assert_cmpuint (seen_by_liaison->status, ==, 200);
  g_assert_false (iocd_test_json_has (seen_by_liaison->body, "reporter"));
  g_assert_null (strstr (seen_by_liaison->text, "0292 3820 000"));
  g_assert_null (strstr (seen_by_liaison->text, "tu@example.vn"));
  g_assert_cmpuint (iocd_test_timeline_length (seen_by_liaison->body), ==, 7);
  g_assert_cmpstr (iocd_test_json_string (seen_by_liaison->body, "title"), ==, title);
}

static void
test_escaped_json (void)
{
  /* Hand-written on purpose: JSON escapes (a surrogate pair, \u escapes of
   * Vietnamese letters, an escaped quote) must arrive as the characters. */
  const char *body = "{\"category\":\"NOISE\",\"title\":\"Karaoke \\u1ed3n \\\"qu\\u00e1\\\" \\ud83c\\udfa4\","
                     "\"address\":\"H\\u1ebbm 7\"}";
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "POST", "/api/v1/tasks",
                                                     token_of ("trucban1"), body, NULL);

  g_assert_cmpuint (r->status, ==, 201);
  g_assert_cmpstr (iocd_test_json_string (r->body, "title"), ==, "Karaoke ồn \"quá\" 🎤");
  g_assert_cmpstr (iocd_test_json_string (r->body, "address"), ==, "Hẻm 7");
  /* Priority and source default from the category and the form. */
  g_assert_cmpstr (iocd_test_json_string (r->body, "priority"), ==, "high");
  g_assert_cmpstr (iocd_test_json_string (r->body, "source"), ==, "hotline");
}

static void
test_reject_and_reopen (void)
{
  gint64 id = new_task ("NOISE", "Karaoke ồn ào sau 22 giờ (từ chối)");
  g_autoptr(JsonNode) supervisor = whoami ("lanhdao");
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(IocdTestResponse) fetched = NULL;
  g_autoptr(JsonNode) t = NULL;

  r = act_fails ("trucban1", id, "reject", note_body (1, NULL, NULL), 400, "invalid");
  g_assert_cmpstr (iocd_test_json_string (r->body, "error.field"), ==, "reason");
  g_clear_pointer (&r, iocd_test_response_free);
  r = act_fails ("trucban1", id, "reject", note_body (1, "reason", "   "), 400, "invalid");
  g_assert_cmpstr (iocd_test_json_string (r->body, "error.field"), ==, "reason");
  g_clear_pointer (&r, iocd_test_response_free);
  /* The reason has its own name: a "note" is not a reason. */
  r = act_fails ("trucban1", id, "reject", note_body (1, "note", "không đủ thông tin"), 400, "invalid");
  g_clear_pointer (&r, iocd_test_response_free);

  t = act_ok ("trucban1", id, "reject", note_body (1, "reason", "Không đủ thông tin để xác minh"));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "rejected");
  g_assert_cmpint (iocd_test_json_int (t, "version"), ==, 2);
  g_clear_pointer (&t, json_node_unref);

  r = act_fails ("trucban1", id, "verify", note_body (2, NULL, NULL), 409, "wrong_state");
  g_clear_pointer (&r, iocd_test_response_free);

  /* A supervisor may reopen, with a reason, but not verify. */
  r = act_fails ("lanhdao", id, "reopen", note_body (2, NULL, NULL), 400, "invalid");
  g_assert_cmpstr (iocd_test_json_string (r->body, "error.field"), ==, "reason");
  g_clear_pointer (&r, iocd_test_response_free);
  t = act_ok ("lanhdao", id, "reopen", note_body (2, "reason", "Người dân phản ánh lại"));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "verified");
  g_assert_cmpint (iocd_test_json_int (t, "version"), ==, 3);
  g_clear_pointer (&t, json_node_unref);
  r = act_fails ("lanhdao", id, "reject", note_body (3, "reason", "x"), 403, "forbidden");

  fetched = get_task ("lanhdao", id);
  g_assert_cmpuint (iocd_test_timeline_length (fetched->body), ==, 3);
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "timeline.1.action"), ==, "reject");
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "timeline.1.note"), ==, "Không đủ thông tin để xác minh");
  assert_timeline_entry (fetched->body, 2, "reopen", "rejected", "verified", supervisor, "Người dân phản ánh lại");
  /* Supervisors see reporters too. */
  g_assert_true (iocd_test_json_has (fetched->body, "reporter"));
}

static void
test_return_and_forward_again (void)
{
  gint64 id = new_forwarded_task ("NOISE", "Loa kéo hát khuya (trả lại)", "CATP");
  g_autoptr(JsonNode) catp = whoami ("lienlac.catp");
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(IocdTestResponse) fetched = NULL;
  g_autoptr(JsonNode) t = NULL;
  gint64 due_at;

  r = act_fails ("lienlac.catp", id, "return", note_body (3, NULL, NULL), 400, "invalid");
  g_assert_cmpstr (iocd_test_json_string (r->body, "error.field"), ==, "reason");
  g_clear_pointer (&r, iocd_test_response_free);
  /* Another department's desk cannot touch it at all. */
  r = act_fails ("lienlac.sxd", id, "return", note_body (3, "reason", "x"), 403, "forbidden");
  g_clear_pointer (&r, iocd_test_response_free);

  t = act_ok ("lienlac.catp", id, "return", note_body (3, "reason", "Không thuộc thẩm quyền, đề nghị chuyển SXD"));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "returned");
  g_assert_cmpint (iocd_test_json_int (t, "version"), ==, 4);
  g_clear_pointer (&t, json_node_unref);

  r = act_fails ("lienlac.catp", id, "acknowledge", note_body (4, NULL, NULL), 409, "wrong_state");
  g_clear_pointer (&r, iocd_test_response_free);

  r = act_fails ("trucban1", id, "forward", forward_body (4, "KHONGCO"), 400, "invalid");
  g_assert_cmpstr (iocd_test_json_string (r->body, "error.field"), ==, "department");
  g_clear_pointer (&r, iocd_test_response_free);
  r = act_fails ("trucban1", id, "forward", due_body (4, "SXD", g_get_real_time () - HOUR_US), 400, "invalid");
  g_assert_cmpstr (iocd_test_json_string (r->body, "error.field"), ==, "due_at");
  g_clear_pointer (&r, iocd_test_response_free);

  /* A due time the operator sets wins over the category's SLA. */
  due_at = (g_get_real_time () + 3 * HOUR_US) / 1000 * 1000;
  t = act_ok ("trucban1", id, "forward", due_body (4, "SXD", due_at));
  g_assert_cmpstr (iocd_test_json_string (t, "department"), ==, "SXD");
  g_assert_cmpint (iocd_test_json_int (t, "version"), ==, 5);
  g_assert_cmpint (iocd_test_json_time (t, "due_at"), ==, due_at);
  g_clear_pointer (&t, json_node_unref);

  /* The first department still sees the task and may comment, no more. */
  fetched = get_task ("lienlac.catp", id);
  g_assert_cmpuint (fetched->status, ==, 200);
  g_assert_false (iocd_test_json_has (fetched->body, "reporter"));
  r = act_fails ("lienlac.catp", id, "acknowledge", note_body (5, NULL, NULL), 403, "forbidden");
  g_clear_pointer (&r, iocd_test_response_free);
  t = act_ok ("lienlac.catp", id, "comment", note_body (0, "text", "CATP sẵn sàng phối hợp nếu cần"));
  g_assert_cmpint (iocd_test_json_int (t, "version"), ==, 5);
  g_clear_pointer (&t, json_node_unref);

  t = act_ok ("lienlac.sxd", id, "acknowledge", note_body (5, NULL, NULL));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "acknowledged");
  g_clear_pointer (&t, json_node_unref);

  g_clear_pointer (&fetched, iocd_test_response_free);
  fetched = get_task ("trucban1", id);
  g_assert_cmpuint (iocd_test_timeline_length (fetched->body), ==, 7);
  assert_timeline_entry (fetched->body, 3, "return", "forwarded", "returned", catp,
                         "Không thuộc thẩm quyền, đề nghị chuyển SXD");
  assert_timeline_entry (fetched->body, 5, "comment", "forwarded", "forwarded", catp,
                         "CATP sẵn sàng phối hợp nếu cần");
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "timeline.4.department"), ==, "SXD");
}

static void
test_mark_duplicate (void)
{
  gint64 original = new_task ("WASTE", "Rác tồn đọng đầu hẻm (gốc)");
  gint64 copy = new_task ("WASTE", "Rác tồn đọng đầu hẻm (trùng)");
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(IocdTestResponse) fetched = NULL;
  g_autoptr(JsonNode) t = NULL;
  JsonBuilder *b;

  r = act_fails ("trucban1", copy, "mark_duplicate", note_body (1, NULL, NULL), 400, "invalid");
  g_assert_cmpstr (iocd_test_json_string (r->body, "error.field"), ==, "duplicate_of");
  g_clear_pointer (&r, iocd_test_response_free);

  b = body_begin (1);
  add_int (b, "duplicate_of", copy);
  r = act_fails ("trucban1", copy, "mark_duplicate", body_end (b), 400, "invalid");
  g_assert_cmpstr (iocd_test_json_string (r->body, "error.field"), ==, "duplicate_of");
  g_clear_pointer (&r, iocd_test_response_free);

  b = body_begin (1);
  add_int (b, "duplicate_of", 987654321);
  r = act_fails ("trucban1", copy, "mark_duplicate", body_end (b), 400, "invalid");
  g_assert_cmpstr (iocd_test_json_string (r->body, "error.field"), ==, "duplicate_of");
  g_clear_pointer (&r, iocd_test_response_free);

  b = body_begin (1);
  add_int (b, "duplicate_of", original);
  add_string (b, "note", "Cùng địa điểm, cùng nội dung");
  t = act_ok ("trucban1", copy, "mark_duplicate", body_end (b));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "duplicate");
  g_assert_cmpint (iocd_test_json_int (t, "duplicate_of"), ==, original);
  g_assert_cmpint (iocd_test_json_int (t, "version"), ==, 2);

  r = act_fails ("trucban1", copy, "verify", note_body (2, NULL, NULL), 409, "wrong_state");
  g_clear_pointer (&r, iocd_test_response_free);
  r = act_fails ("trucban1", copy, "reopen", note_body (2, "reason", "x"), 409, "wrong_state");

  fetched = get_task ("trucban1", copy);
  g_assert_cmpuint (iocd_test_timeline_length (fetched->body), ==, 2);
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "timeline.1.action"), ==, "mark_duplicate");
  g_assert_cmpint (iocd_test_json_int (fetched->body, "timeline.1.duplicate_of"), ==, original);
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "timeline.1.note"), ==, "Cùng địa điểm, cùng nội dung");
}

static void
test_reopen_after_close (void)
{
  gint64 id = new_forwarded_task ("ROAD", "Ổ gà lớn trước chợ (mở lại)", "SXD");
  g_autoptr(JsonNode) t = NULL;
  g_autoptr(IocdTestResponse) r = NULL;
  JsonBuilder *b;

  t = act_ok ("lienlac.sxd", id, "acknowledge", note_body (3, NULL, NULL));
  g_clear_pointer (&t, json_node_unref);
  t = act_ok ("lienlac.sxd", id, "resolve", note_body (4, "result", "Đã vá ổ gà"));
  g_clear_pointer (&t, json_node_unref);
  b = body_begin (5);
  add_int (b, "rating", 2);
  t = act_ok ("trucban1", id, "close", body_end (b));
  g_assert_cmpint (iocd_test_json_int (t, "rating"), ==, 2);
  g_clear_pointer (&t, json_node_unref);

  r = act_fails ("trucban1", id, "reopen", note_body (6, NULL, NULL), 400, "invalid");
  t = act_ok ("trucban1", id, "reopen", note_body (6, "reason", "Ổ gà xuất hiện lại sau mưa"));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "verified");
  g_assert_cmpint (iocd_test_json_int (t, "version"), ==, 7);
  /* Back on the operator's desk with a clean slate; the old result stays in the timeline. */
  g_assert_null (iocd_test_json_string (t, "result"));
  g_assert_cmpint (iocd_test_json_int (t, "rating"), ==, -1);
  g_assert_null (iocd_test_json_string (t, "due_at"));
  g_assert_false (json_node_get_boolean (iocd_test_json_get (t, "overdue")));
  g_clear_pointer (&t, json_node_unref);

  t = act_ok ("trucban1", id, "forward", forward_body (7, "SXD"));
  g_assert_cmpstr (iocd_test_json_string (t, "state"), ==, "forwarded");
  g_assert_cmpint (iocd_test_json_time (t, "due_at"), >, g_get_real_time ());
}

static void
test_stale_version (void)
{
  gint64 id = new_task ("TREE", "Cây nghiêng sắp đổ (xung đột)");
  g_autoptr(JsonNode) other = whoami ("trucban3");
  g_autoptr(JsonNode) t = NULL;
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(IocdTestResponse) fetched = NULL;

  /* Someone else at another desk acts first. */
  t = act_ok ("trucban3", id, "verify", note_body (1, NULL, NULL));
  g_assert_cmpint (iocd_test_json_int (t, "version"), ==, 2);

  r = act_fails ("trucban1", id, "forward", forward_body (1, "SXD"), 409, "conflict");
  g_assert_cmpstr (iocd_test_json_string (r->body, "error.changed_by"), ==,
                   iocd_test_json_string (other, "display_name"));
  g_assert_cmpint (iocd_test_json_time (r->body, "error.changed_at"), >, 0);
  g_assert_cmpint (iocd_test_json_int (r->body, "task.id"), ==, id);
  g_assert_cmpint (iocd_test_json_int (r->body, "task.version"), ==, 2);
  g_assert_cmpstr (iocd_test_json_string (r->body, "task.state"), ==, "verified");
  g_assert_cmpuint (iocd_test_timeline_length (iocd_test_json_get (r->body, "task")), ==, 2);
  g_assert_true (iocd_test_json_has (iocd_test_json_get (r->body, "task"), "reporter"));
  g_clear_pointer (&r, iocd_test_response_free);

  /* Stale and no longer applicable: the version speaks first. */
  r = act_fails ("trucban1", id, "verify", note_body (1, NULL, NULL), 409, "conflict");
  g_clear_pointer (&r, iocd_test_response_free);
  /* A version from the future is just as stale. */
  r = act_fails ("trucban1", id, "forward", forward_body (3, "SXD"), 409, "conflict");

  fetched = get_task ("trucban1", id);
  g_assert_cmpint (iocd_test_json_int (fetched->body, "version"), ==, 2);
  g_assert_cmpuint (iocd_test_timeline_length (fetched->body), ==, 2);
}

static void
test_wrong_state (void)
{
  gint64 id = new_task ("DRAIN", "Nắp cống bị vỡ (sai trạng thái)");
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(IocdTestResponse) fetched = NULL;
  JsonBuilder *b;

  r = act_fails ("trucban1", id, "close", note_body (1, NULL, NULL), 409, "wrong_state");
  g_assert_cmpstr (iocd_test_json_string (r->body, "task.state"), ==, "received");
  g_assert_cmpint (iocd_test_json_int (r->body, "task.version"), ==, 1);
  g_assert_nonnull (iocd_test_json_string (r->body, "error.message"));
  g_clear_pointer (&r, iocd_test_response_free);
  r = act_fails ("trucban1", id, "forward", forward_body (1, "SXD"), 409, "wrong_state");
  g_clear_pointer (&r, iocd_test_response_free);
  b = body_begin (1);
  add_string (b, "reason", "x");
  r = act_fails ("trucban1", id, "reopen", body_end (b), 409, "wrong_state");
  g_clear_pointer (&r, iocd_test_response_free);
  /* A liaison does not even learn of a task never sent to them. */
  r = act_fails ("lienlac.sxd", id, "acknowledge", note_body (1, NULL, NULL), 403, "forbidden");

  fetched = get_task ("trucban1", id);
  g_assert_cmpint (iocd_test_json_int (fetched->body, "version"), ==, 1);
  g_assert_cmpuint (iocd_test_timeline_length (fetched->body), ==, 1);
}

static void
test_idempotency (void)
{
  gint64 id = new_task ("SIGNAL", "Đèn tín hiệu nháy vàng (thử lại)");
  g_autofree char *key_verify = g_uuid_string_random ();
  g_autofree char *key_forward = g_uuid_string_random ();
  g_autofree char *verify = note_body (1, "note", "xác minh");
  g_autofree char *forward = forward_body (2, "SXD");
  g_autofree char *other_body = note_body (1, "note", "xác minh lần hai");
  g_autoptr(IocdTestResponse) first = NULL;
  g_autoptr(IocdTestResponse) retry = NULL;
  g_autoptr(IocdTestResponse) forwarded = NULL;
  g_autoptr(IocdTestResponse) forwarded_again = NULL;
  g_autoptr(IocdTestResponse) reused = NULL;
  g_autoptr(IocdTestResponse) reused_path = NULL;
  g_autoptr(IocdTestResponse) late_retry = NULL;
  g_autoptr(IocdTestResponse) someone_else = NULL;
  g_autoptr(IocdTestResponse) fetched = NULL;

  first = act ("trucban1", id, "verify", verify, key_verify);
  g_assert_cmpuint (first->status, ==, 200);
  retry = act ("trucban1", id, "verify", verify, key_verify);
  g_assert_cmpuint (retry->status, ==, 200);
  g_assert_cmpstr (retry->text, ==, first->text);

  forwarded = act ("trucban1", id, "forward", forward, key_forward);
  g_assert_cmpuint (forwarded->status, ==, 200);
  forwarded_again = act ("trucban1", id, "forward", forward, key_forward);
  g_assert_cmpuint (forwarded_again->status, ==, 200);
  g_assert_cmpstr (forwarded_again->text, ==, forwarded->text);

  /* A retry long after still gets the first answer, not a conflict. */
  late_retry = act ("trucban1", id, "verify", verify, key_verify);
  g_assert_cmpuint (late_retry->status, ==, 200);
  g_assert_cmpstr (late_retry->text, ==, first->text);

  reused = act ("trucban1", id, "verify", other_body, key_verify);
  g_assert_cmpuint (reused->status, ==, 422);
  g_assert_cmpstr (iocd_test_json_string (reused->body, "error.code"), ==, "idempotency_key_reused");
  reused_path = act ("trucban1", id, "forward", verify, key_verify);
  g_assert_cmpuint (reused_path->status, ==, 422);

  /* Keys belong to their user: the same key from another operator is a new request. */
  someone_else = act ("trucban3", id, "verify", verify, key_verify);
  g_assert_cmpuint (someone_else->status, ==, 409);
  g_assert_cmpstr (iocd_test_json_string (someone_else->body, "error.code"), ==, "conflict");

  fetched = get_task ("trucban1", id);
  g_assert_cmpint (iocd_test_json_int (fetched->body, "version"), ==, 3);
  g_assert_cmpuint (iocd_test_timeline_length (fetched->body), ==, 3);
  g_assert_cmpstr (iocd_test_json_string (fetched->body, "timeline.2.action"), ==, "forward");
}

static void
test_idempotent_intake (void)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *marker = g_strdup_printf ("kt%u", g_random_int_range (100000, 999999));
  g_autofree char *title = g_strdup_printf ("Cây đổ chắn đường %s", marker);
  g_autofree char *query = g_strdup_printf ("q=%s", marker);
  g_autofree char *body = NULL;
  g_autoptr(IocdTestResponse) first = NULL;
  g_autoptr(IocdTestResponse) retry = NULL;
  g_autoptr(GPtrArray) found = NULL;
  JsonBuilder *b = body_begin (0);

  add_string (b, "category", "TREE");
  add_string (b, "title", title);
  add_string (b, "address", "Đường Mậu Thân");
  body = body_end (b);

  first = iocd_test_request (server, session, "POST", "/api/v1/tasks", token_of ("trucban1"), body, key);
  g_assert_cmpuint (first->status, ==, 201);
  retry = iocd_test_request (server, session, "POST", "/api/v1/tasks", token_of ("trucban1"), body, key);
  g_assert_cmpuint (retry->status, ==, 201);
  g_assert_cmpstr (retry->text, ==, first->text);
  g_assert_cmpstr (soup_message_headers_get_one (retry->headers, "Idempotent-Replayed"), ==, "true");
  /* The replay is the same answer, where the new task is included. */
  g_assert_nonnull (soup_message_headers_get_one (first->headers, "Location"));
  g_assert_cmpstr (soup_message_headers_get_one (retry->headers, "Location"), ==,
                   soup_message_headers_get_one (first->headers, "Location"));

  /* A retried intake never makes a second task. */
  found = list_all ("trucban1", query, 100, NULL);
  g_assert_cmpuint (found->len, ==, 1);
}

static void
test_list_filters (void)
{
  g_autoptr(GPtrArray) all = snapshot ("trucban1");
  static const char * const states[] = {
    "received", "verified", "rejected", "duplicate", "forwarded", "acknowledged",
    "in_progress", "returned", "resolved", "closed",
  };
  guint open_mask = 0;
  double box[4] = { 105.76, 10.01, 105.80, 10.05 };
  FieldIs department = { "department", "SXD" };
  FieldIs category = { "category", "LIGHT" };
  FieldIs commune = { "commune", "31135" };
  FieldIs source = { "source", "citizen_app" };
  FieldIs combined[] = { { "department", "SXD" }, { "category", "DRAIN" }, { NULL, NULL } };

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *query = g_strdup_printf ("state=%s", states[i]);
      IocTaskState s = ioc_task_state_from_string (states[i]);

      check_filter (all, query, state_in_mask, GUINT_TO_POINTER (1u << s), TRUE);
      if (ioc_task_state_is_open (s))
        open_mask |= 1u << s;
    }

  check_filter (all, "state=open", state_in_mask, GUINT_TO_POINTER (open_mask), TRUE);
  check_filter (all, "state=forwarded,acknowledged", state_in_mask,
                GUINT_TO_POINTER ((1u << IOC_TASK_STATE_FORWARDED) |
                                  (1u << IOC_TASK_STATE_ACKNOWLEDGED)), TRUE);
  check_filter (all, "department=SXD", field_is, &department, TRUE);
  check_filter (all, "category=LIGHT", field_is, &category, TRUE);
  check_filter (all, "commune=31135", field_is, &commune, TRUE);
  check_filter (all, "source=citizen_app", field_is, &source, TRUE);
  check_filter (all, "overdue=true", is_overdue, NULL, TRUE);
  check_filter (all, "bbox=105.76,10.01,105.80,10.05", in_bbox, box, TRUE);
  check_filter (all, "department=SXD&category=DRAIN", all_of, combined, TRUE);

  /* Every listed overdue task really is: due in the past, still with a department. */
  for (guint i = 0; i < all->len; i++)
    {
      JsonNode *t = g_ptr_array_index (all, i);

      if (is_overdue (t, NULL))
        {
          IocTaskState s = ioc_task_state_from_string (iocd_test_json_string (t, "state"));

          g_assert_true (ioc_task_state_can_be_overdue (s));
          g_assert_cmpint (iocd_test_json_time (t, "due_at"), <, g_get_real_time ());
        }
    }
}

static gint
compare_updated (gconstpointer a,
                 gconstpointer b)
{
  JsonNode *ta = *(JsonNode **) a;
  JsonNode *tb = *(JsonNode **) b;
  gint64 ua = iocd_test_json_time (ta, "updated_at");
  gint64 ub = iocd_test_json_time (tb, "updated_at");

  if (ua != ub)
    return ua < ub ? -1 : 1;
  return iocd_test_json_int (ta, "id") < iocd_test_json_int (tb, "id") ? -1 : 1;
}

static void
test_list_updated_since (void)
{
  g_autoptr(GPtrArray) all = snapshot ("trucban1");
  g_autoptr(GPtrArray) got = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *query = NULL;
  const char *since_text;
  gint64 since;
  guint expected = 0;

  g_ptr_array_sort (all, compare_updated);
  since_text = iocd_test_json_string (g_ptr_array_index (all, all->len / 2), "updated_at");
  g_assert_nonnull (since_text);
  if (since_text == NULL)
    return;
  since = iocd_test_json_time (g_ptr_array_index (all, all->len / 2), "updated_at");
  escaped = g_uri_escape_string (since_text, NULL, FALSE);
  query = g_strdup_printf ("updated_since=%s", escaped);

  got = list_all ("trucban1", query, 25, NULL);
  for (guint i = 0; i < all->len; i++)
    if (iocd_test_json_time (g_ptr_array_index (all, i), "updated_at") >= since)
      expected++;

  /* For synchronising: everything changed since, oldest change first. */
  g_assert_cmpuint (got->len, ==, expected);
  for (guint i = 0; i < got->len; i++)
    {
      JsonNode *t = g_ptr_array_index (got, i);

      g_assert_cmpint (iocd_test_json_time (t, "updated_at"), >=, since);
      if (i > 0)
        g_assert_cmpint (compare_updated (&g_ptr_array_index (got, i - 1), &g_ptr_array_index (got, i)), <, 0);
    }
}

/* @pattern with every "@" replaced by @marker. */
static char *
with_marker (const char *pattern,
             const char *marker)
{
  g_auto(GStrv) parts = g_strsplit (pattern, "@", -1);

  return g_strjoinv (marker, parts);
}

static void
test_list_search (void)
{
  g_autofree char *marker = g_strdup_printf ("kt%u", g_random_int_range (100000, 999999));
  g_autofree char *title = g_strdup_printf ("Đèn đường không sáng, mã %s", marker);
  gint64 id = new_task ("LIGHT", title);
  g_autofree char *percent_title = g_strdup_printf ("Đèn chỉ sáng 50%% công suất, mã_pc%u",
                                                    g_random_int_range (100000, 999999));
  gint64 percent = new_task ("LIGHT", percent_title);
  g_autoptr(GPtrArray) all = snapshot ("trucban1");
  const char *finds[] = { "den duong @", "ĐÈN   ĐƯỜNG @", "đèn đường @", "@ DUONG", "@ ninh kieu", "@" };
  const char *misses[] = { "den duongx @", "@ den toi" };
  /* "%" and "_" are wildcards to SQL LIKE: here they are only characters. */
  const char *generic[] = { "den duong", "Karaoke", "50%", "ma_pc", "5_%", "m%_", "ổ gà" };

  for (guint i = 0; i < G_N_ELEMENTS (finds); i++)
    {
      g_autofree char *q = with_marker (finds[i], marker);
      g_autofree char *escaped = g_uri_escape_string (q, NULL, FALSE);
      g_autofree char *query = g_strdup_printf ("q=%s", escaped);
      g_autoptr(GPtrArray) got = list_all ("trucban1", query, 100, NULL);

      g_test_message ("q=%s", q);
      g_assert_cmpuint (got->len, ==, 1);
      g_assert_true (contains_id (got, id));
    }

  for (guint i = 0; i < G_N_ELEMENTS (misses); i++)
    {
      g_autofree char *q = with_marker (misses[i], marker);
      g_autofree char *escaped = g_uri_escape_string (q, NULL, FALSE);
      g_autofree char *query = g_strdup_printf ("q=%s", escaped);
      g_autoptr(GPtrArray) got = list_all ("trucban1", query, 100, NULL);

      g_assert_cmpuint (got->len, ==, 0);
    }

  /* Against the whole list: the same folding and word matching as the core. */
  for (guint i = 0; i < G_N_ELEMENTS (generic); i++)
    {
      g_autofree char *folded = ioc_text_fold (generic[i]);
      g_autofree char *escaped = g_uri_escape_string (generic[i], NULL, FALSE);
      g_autofree char *query = g_strdup_printf ("q=%s", escaped);

      check_filter (all, query, matches_text, folded, i < 4);
    }

  {
    g_autoptr(GPtrArray) got = list_all ("trucban1", "q=50%25", 100, NULL);

    g_assert_true (contains_id (got, percent));
  }
}

static void
test_list_search_many_words (void)
{
  /* Nine words, all in the task but the last two apart: each word must match
   * on its own, however many there are. */
  g_autofree char *marker = g_strdup_printf ("kt%u", g_random_int_range (100000, 999999));
  g_autofree char *title = g_strdup_printf ("%s một hai ba bốn năm sáu bảy tám chín", marker);
  gint64 id = new_task ("ADMIN", title);
  g_autofree char *q = g_strdup_printf ("%s mot hai ba bon nam sau bay chin", marker);
  g_autofree char *escaped = g_uri_escape_string (q, NULL, FALSE);
  g_autofree char *query = g_strdup_printf ("q=%s", escaped);
  g_autoptr(GPtrArray) got = list_all ("trucban1", query, 100, NULL);

  g_assert_cmpuint (got->len, ==, 1);
  g_assert_true (contains_id (got, id));
}

static void
test_list_pagination (void)
{
  const char *queries[] = { NULL, "order=updated", "state=closed", "department=SXD&order=updated" };

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      guint big_pages = 0, small_pages = 0;
      g_autoptr(GPtrArray) big = list_all ("trucban1", queries[q], 1000, &big_pages);
      g_autoptr(GPtrArray) paged = list_all ("trucban1", queries[q], 50, &small_pages);
      g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

      g_test_message ("%s: %u tasks in %u pages of 50", queries[q] ? queries[q] : "(all)",
                      paged->len, small_pages);
      g_assert_cmpuint (big_pages, ==, 1);
      g_assert_cmpuint (paged->len, ==, big->len);
      g_assert_cmpuint (small_pages, ==, MAX (1, (big->len + 49) / 50));
      for (guint i = 0; i < MIN (big->len, paged->len); i++)
        {
          JsonNode *t = g_ptr_array_index (paged, i);
          gint64 *id = g_new (gint64, 1);

          *id = iocd_test_json_int (t, "id");
          g_assert_cmpint (*id, ==, iocd_test_json_int (g_ptr_array_index (big, i), "id"));
          g_assert_false (g_hash_table_contains (seen, id));
          g_hash_table_add (seen, id);
        }
    }

  /* The default order is newest first. */
  {
    g_autoptr(GPtrArray) all = snapshot ("trucban1");

    for (guint i = 1; i < all->len; i++)
      g_assert_cmpint (iocd_test_json_int (g_ptr_array_index (all, i - 1), "id"), >,
                       iocd_test_json_int (g_ptr_array_index (all, i), "id"));
  }
}

static gboolean
ever_assigned_to (gint64      id,
                  const char *department)
{
  g_autoptr(IocdTestResponse) r = get_task ("trucban1", id);
  guint n = iocd_test_timeline_length (r->body);

  if (g_strcmp0 (iocd_test_json_string (r->body, "department"), department) == 0)
    return TRUE;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("timeline.%u.department", i);

      if (g_strcmp0 (iocd_test_json_string (r->body, path), department) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_liaison_visibility (void)
{
  gint64 passed_on = new_forwarded_task ("LIGHT", "Đèn trang trí chập điện (chuyển tiếp)", "SXD");
  gint64 elsewhere = new_forwarded_task ("NOISE", "Tiếng ồn công trình ban đêm (chỉ CATP)", "CATP");
  g_autoptr(JsonNode) t = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) mine = NULL;
  g_autoptr(GPtrArray) supervisor = NULL;
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(IocdTestResponse) get_mine = NULL;
  g_autoptr(IocdTestResponse) get_other = NULL;
  g_autoptr(GPtrArray) filtered = NULL;

  /* SXD hands the first one back and it goes to CATP: SXD still sees it. */
  t = act_ok ("lienlac.sxd", passed_on, "return", note_body (3, "reason", "Thuộc điện lực, không phải SXD"));
  g_clear_pointer (&t, json_node_unref);
  t = act_ok ("trucban1", passed_on, "forward", forward_body (4, "CATP"));

  all = snapshot ("trucban1");
  for (guint i = 0; i < all->len; i++)
    {
      JsonNode *task = g_ptr_array_index (all, i);
      gint64 id = iocd_test_json_int (task, "id");

      g_assert_true (iocd_test_json_has (task, "reporter"));
      if (ever_assigned_to (id, "SXD"))
        g_array_append_val (expected, id);
    }

  mine = list_all ("lienlac.sxd", NULL, 1000, NULL);
  g_assert_cmpuint (mine->len, ==, expected->len);
  for (guint i = 0; i < MIN (mine->len, expected->len); i++)
    {
      JsonNode *task = g_ptr_array_index (mine, i);

      g_assert_cmpint (iocd_test_json_int (task, "id"), ==, g_array_index (expected, gint64, i));
      g_assert_false (iocd_test_json_has (task, "reporter"));
    }
  g_assert_true (contains_id (mine, passed_on));
  g_assert_false (contains_id (mine, elsewhere));

  get_mine = get_task ("lienlac.sxd", passed_on);
  g_assert_cmpuint (get_mine->status, ==, 200);
  g_assert_false (iocd_test_json_has (get_mine->body, "reporter"));
  g_assert_null (strstr (get_mine->text, "0900000000"));
  get_other = get_task ("lienlac.sxd", elsewhere);
  g_assert_cmpuint (get_other->status, ==, 403);
  g_assert_cmpstr (iocd_test_json_string (get_other->body, "error.code"), ==, "forbidden");

  /* Filters narrow what the liaison may see, never widen it. */
  filtered = list_all ("lienlac.sxd", "department=CATP", 1000, NULL);
  g_assert_true (contains_id (filtered, passed_on));
  g_assert_false (contains_id (filtered, elsewhere));
  for (guint i = 0; i < filtered->len; i++)
    g_assert_cmpstr (iocd_test_json_string (g_ptr_array_index (filtered, i), "department"), ==, "CATP");

  supervisor = list_all ("lanhdao", NULL, 1000, NULL);
  g_assert_cmpuint (supervisor->len, ==, all->len);
  for (guint i = 0; i < supervisor->len; i++)
    g_assert_true (iocd_test_json_has (g_ptr_array_index (supervisor, i), "reporter"));
}

static void
test_restart_keeps_everything (void)
{
  gint64 id = new_forwarded_task ("FLOOD", "Triều cường tràn bờ kè (khởi động lại)", "SNNMT");
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *comment = note_body (0, "text", "Theo dõi mực nước mỗi giờ");
  g_autoptr(IocdTestResponse) commented = NULL;
  g_autoptr(IocdTestResponse) before = NULL;
  g_autoptr(IocdTestResponse) after = NULL;
  g_autoptr(IocdTestResponse) replay = NULL;
  g_autoptr(IocdTestResponse) info_before = NULL;
  g_autoptr(IocdTestResponse) info_after = NULL;
  g_autoptr(IocdTestResponse) liaison = NULL;
  g_autoptr(GPtrArray) list_before = NULL;
  g_autoptr(GPtrArray) list_after = NULL;
  g_autofree char *old_uri = g_strdup (server->base_uri);
  g_autoptr(JsonNode) t = NULL;

  t = act_ok ("lienlac.snnmt", id, "acknowledge", note_body (3, NULL, NULL));
  commented = act ("trucban1", id, "comment", comment, key);
  g_assert_cmpuint (commented->status, ==, 200);
  before = get_task ("trucban1", id);
  list_before = snapshot ("trucban1");
  info_before = iocd_test_request (server, session, "GET", "/api/v1/server", NULL, NULL, NULL);

  iocd_test_server_restart (server);
  g_test_message ("iocd moved from %s to %s", old_uri, server->base_uri);

  /* Sessions live in the database: no one signs in again after a restart. */
  after = get_task ("trucban1", id);
  g_assert_cmpuint (after->status, ==, 200);
  g_assert_true (before->body != NULL && after->body != NULL &&
                 json_node_equal (before->body, after->body));
  g_assert_cmpuint (iocd_test_timeline_length (after->body), ==, 5);

  liaison = get_task ("lienlac.snnmt", id);
  g_assert_cmpuint (liaison->status, ==, 200);

  list_after = snapshot ("trucban1");
  g_assert_cmpuint (list_after->len, ==, list_before->len);
  for (guint i = 0; i < MIN (list_before->len, list_after->len); i++)
    g_assert_true (json_node_equal (g_ptr_array_index (list_before, i),
                                    g_ptr_array_index (list_after, i)));

  info_after = iocd_test_request (server, session, "GET", "/api/v1/server", NULL, NULL, NULL);
  g_assert_cmpint (iocd_test_json_int (info_after->body, "event_seq"), ==,
                   iocd_test_json_int (info_before->body, "event_seq"));

  /* Idempotency keys survive too: a retry across the restart changes nothing. */
  replay = act ("trucban1", id, "comment", comment, key);
  g_assert_cmpuint (replay->status, ==, 200);
  g_assert_cmpstr (replay->text, ==, commented->text);
  g_clear_pointer (&after, iocd_test_response_free);
  after = get_task ("trucban1", id);
  g_assert_cmpuint (iocd_test_timeline_length (after->body), ==, 5);
}

int
main (int   argc,
      char *argv[])
{
  iocd_test_init_shared (&argc, &argv, &server, &session);

  g_test_add_func ("/workflow/full/intake-to-close", test_full_workflow);
  g_test_add_func ("/workflow/full/escaped-json", test_escaped_json);
  g_test_add_func ("/workflow/paths/reject-reopen", test_reject_and_reopen);
  g_test_add_func ("/workflow/paths/return-forward-again", test_return_and_forward_again);
  g_test_add_func ("/workflow/paths/mark-duplicate", test_mark_duplicate);
  g_test_add_func ("/workflow/paths/reopen-after-close", test_reopen_after_close);
  g_test_add_func ("/workflow/conflict/stale-version", test_stale_version);
  g_test_add_func ("/workflow/conflict/wrong-state", test_wrong_state);
  g_test_add_func ("/workflow/idempotency/actions", test_idempotency);
  g_test_add_func ("/workflow/idempotency/intake", test_idempotent_intake);
  g_test_add_func ("/workflow/list/filters", test_list_filters);
  g_test_add_func ("/workflow/list/updated-since", test_list_updated_since);
  g_test_add_func ("/workflow/list/search", test_list_search);
  g_test_add_func ("/workflow/list/search-many-words", test_list_search_many_words);
  g_test_add_func ("/workflow/list/pagination", test_list_pagination);
  g_test_add_func ("/workflow/visibility/liaison", test_liaison_visibility);
  g_test_add_func ("/workflow/restart/keeps-everything", test_restart_keeps_everything);
  iocd_test_add_shutdown ("/workflow/shutdown/clean", server);

  return iocd_test_run (&server, &session);
}
