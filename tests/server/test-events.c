/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <string.h>

#include "iocd-test-utils.h"

/* One iocd for the whole program: seeding the demo city costs seconds. */
static IocdTestServer *server;
static SoupSession *session;

/* How long to wait for events that should come, and for ones that should not. */
#define ARRIVE_MS 15000
#define QUIET_MS 500

static const char *
token_of (const char *username)
{
  return iocd_test_token (server, session, username);
}

/* The position a console takes after loading its snapshot. */
static gint64
snapshot_seq (void)
{
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/tasks?limit=1",
                                                     token_of ("trucban1"), NULL, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (iocd_test_json_int (r->body, "event_seq"), >, 0);
  return iocd_test_json_int (r->body, "event_seq");
}

/* What a change did, as the HTTP answer told it. */
typedef struct {
  char     *kind;
  char     *action;
  JsonNode *task;
} Change;

static void
change_free (Change *change)
{
  g_free (change->kind);
  g_free (change->action);
  g_clear_pointer (&change->task, json_node_unref);
  g_free (change);
}

static GPtrArray *
changes_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
}

static gint64
record (GPtrArray        *changes,
        const char       *kind,
        const char       *action,
        IocdTestResponse *r)
{
  Change *change = g_new0 (Change, 1);

  change->kind = g_strdup (kind);
  change->action = g_strdup (action);
  change->task = r->body ? json_node_ref (r->body) : json_node_new (JSON_NODE_NULL);
  g_ptr_array_add (changes, change);

  return iocd_test_json_int (r->body, "version");
}

static gint64
intake (GPtrArray  *changes,
        const char *category,
        const char *title)
{
  JsonNode *task = iocd_test_intake (server, session, token_of ("trucban1"), category, title);
  Change *change = g_new0 (Change, 1);
  gint64 id = task ? iocd_test_json_int (task, "id") : 0;

  change->kind = g_strdup ("task.created");
  change->action = g_strdup ("intake");
  change->task = task ? task : json_node_new (JSON_NODE_NULL);
  g_ptr_array_add (changes, change);

  return id;
}

/* Performs an action that must succeed and records it; returns the new version. */
static gint64
act (GPtrArray  *changes,
     const char *username,
     gint64      id,
     const char *action,
     gint64      version,
     const char *field,
     const char *value)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(IocdTestResponse) r = NULL;
  g_autofree char *body = NULL;
  g_autofree char *what = NULL;

  json_builder_begin_object (b);
  if (version > 0)
    {
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, version);
    }
  if (field != NULL)
    {
      json_builder_set_member_name (b, field);
      json_builder_add_string_value (b, value);
    }
  body = iocd_test_json_finish (b);

  r = iocd_test_act (server, session, token_of (username), id, action, body, NULL);
  what = g_strdup_printf ("%s: %s on task %" G_GINT64_FORMAT " with %s", username, action, id, body);
  if (!iocd_test_assert_status (r, 200, what))
    return version;

  return record (changes, "task.changed", action, r);
}

/* @n changes as an operator, cycling through intake, verify, comment and
 * forward, so that both kinds of event and several actions appear. */
static void
make_changes (GPtrArray *changes,
              guint      n)
{
  static gint64 id, version;
  guint start = changes->len;

  while (changes->len < start + n)
    {
      switch ((changes->len - start) % 4)
        {
        case 0:
          id = intake (changes, "LIGHT", "Đèn đường không sáng (sự kiện)");
          version = 1;
          break;
        case 1:
          version = act (changes, "trucban1", id, "verify", version, NULL, NULL);
          break;
        case 2:
          act (changes, "trucban1", id, "comment", 0, "text", "Đang theo dõi");
          break;
        case 3:
        default:
          version = act (changes, "trucban1", id, "forward", version, "department", "SXD");
          break;
        }
    }
}

static gint64
event_seq (GPtrArray *events,
           guint      i)
{
  return iocd_test_json_int (g_ptr_array_index (events, i), "seq");
}

/* Appends every event @events received so far to @all. */
static void
append_events (GPtrArray      *all,
               IocdTestEvents *events)
{
  GPtrArray *got = iocd_test_events_get (events);

  for (guint i = 0; i < got->len; i++)
    g_ptr_array_add (all, json_node_ref (g_ptr_array_index (got, i)));
}

/* Equal, or equal but for a reporter that @answer does not have. */
static gboolean
task_equal (JsonNode *event_task,
            JsonNode *answer)
{
  JsonObject *a, *b;
  g_autoptr(GList) members = NULL;

  if (json_node_equal (event_task, answer))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (event_task) || !JSON_NODE_HOLDS_OBJECT (answer) ||
      iocd_test_json_has (answer, "reporter"))
    return FALSE;

  a = json_node_get_object (event_task);
  b = json_node_get_object (answer);
  if (json_object_get_size (a) != json_object_get_size (b) + (json_object_has_member (a, "reporter") ? 1 : 0))
    return FALSE;
  members = json_object_get_members (b);
  for (GList *l = members; l != NULL; l = l->next)
    if (!json_object_has_member (a, l->data) ||
        !json_node_equal (json_object_get_member (a, l->data), json_object_get_member (b, l->data)))
      return FALSE;

  return TRUE;
}

/* @events[offset…] are exactly @changes, with sequence numbers from @first_seq on. */
static void
assert_events_are (GPtrArray *events,
                   guint      offset,
                   GPtrArray *changes,
                   gint64     first_seq)
{
  g_assert_cmpuint (events->len, ==, offset + changes->len);

  for (guint i = 0; i < changes->len && offset + i < events->len; i++)
    {
      JsonNode *event = g_ptr_array_index (events, offset + i);
      Change *change = g_ptr_array_index (changes, i);
      JsonNode *task = iocd_test_json_get (event, "task");

      g_assert_cmpint (iocd_test_json_int (event, "seq"), ==, first_seq + i);
      g_assert_cmpstr (iocd_test_json_string (event, "kind"), ==, change->kind);
      g_assert_cmpint (iocd_test_json_time (event, "at"), >, 0);
      g_assert_cmpstr (iocd_test_json_string (event, "entry.action"), ==, change->action);
      g_assert_nonnull (iocd_test_json_string (event, "entry.actor.name"));
      /* The event carries the task exactly as the HTTP answer had it (which
       * had no reporter when a liaison acted). */
      g_assert_nonnull (task);
      if (task != NULL && !task_equal (task, change->task))
        {
          g_autofree char *got = json_to_string (task, FALSE);
          g_autofree char *expected = json_to_string (change->task, FALSE);

          g_test_fail_printf ("event %" G_GINT64_FORMAT " has task %s, the answer had %s",
                              first_seq + i, got, expected);
        }
    }
}

/* Events as sent to two clients, the same apart from the reporter, which
 * @without must not have at all. */
static void
assert_same_event (JsonNode *with,
                   JsonNode *without)
{
  JsonObject *a = json_node_get_object (with);
  JsonObject *b = json_node_get_object (without);
  JsonObject *ta = json_object_get_object_member (a, "task");
  JsonObject *tb = json_object_get_object_member (b, "task");
  g_autoptr(GList) members = json_object_get_members (ta);

  g_assert_cmpint (iocd_test_json_int (with, "seq"), ==, iocd_test_json_int (without, "seq"));
  g_assert_true (json_node_equal (json_object_get_member (a, "entry"), json_object_get_member (b, "entry")));
  g_assert_cmpstr (json_object_get_string_member (a, "kind"), ==, json_object_get_string_member (b, "kind"));
  g_assert_false (json_object_has_member (tb, "reporter"));
  for (GList *l = members; l != NULL; l = l->next)
    {
      if (g_str_equal (l->data, "reporter"))
        continue;
      g_assert_true (json_object_has_member (tb, l->data));
      if (json_object_has_member (tb, l->data))
        g_assert_true (json_node_equal (json_object_get_member (ta, l->data),
                                        json_object_get_member (tb, l->data)));
    }
  g_assert_cmpuint (json_object_get_size (tb) + 1, ==, json_object_get_size (ta));
}

/* Reads the log from @after up to @last through a fresh connection. */
static GPtrArray *
read_log (const char *username,
          gint64      after,
          gint64      last)
{
  g_autoptr(IocdTestEvents) events = iocd_test_events_connect (server, session, token_of (username), after, NULL);
  GPtrArray *ret = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  g_assert_nonnull (events);
  if (events == NULL)
    return ret;

  while (g_get_monotonic_time () < deadline)
    {
      GPtrArray *got = iocd_test_events_get (events);

      if (got->len > 0 && event_seq (got, got->len - 1) >= last)
        break;
      iocd_test_events_wait (events, got->len + 1, 1000);
    }

  append_events (ret, events);

  return ret;
}

/* @got must be the log's events after @after, in order, with nothing missed and nothing twice. */
static void
assert_matches_log (GPtrArray *got,
                    gint64     after,
                    gint64     last)
{
  g_autoptr(GPtrArray) log = read_log ("trucban1", after, last);

  g_assert_cmpuint (got->len, ==, log->len);
  for (guint i = 0; i < MIN (got->len, log->len); i++)
    {
      JsonNode *a = g_ptr_array_index (got, i);
      JsonNode *b = g_ptr_array_index (log, i);

      g_assert_cmpint (iocd_test_json_int (a, "seq"), ==, iocd_test_json_int (b, "seq"));
      if (!json_node_equal (a, b))
        {
          g_autofree char *ta = json_to_string (a, FALSE);
          g_autofree char *tb = json_to_string (b, FALSE);

          g_test_fail_printf ("event %" G_GINT64_FORMAT " was sent as %s and is in the log as %s",
                              iocd_test_json_int (a, "seq"), ta, tb);
        }
    }
}

static void
test_live_in_order (void)
{
  gint64 seq = snapshot_seq ();
  g_autoptr(IocdTestEvents) events = iocd_test_events_connect (server, session, token_of ("trucban1"), seq, NULL);
  g_autoptr(IocdTestEvents) from_now = NULL;
  g_autoptr(GPtrArray) changes = changes_new ();
  g_autoptr(GPtrArray) more = changes_new ();
  GPtrArray *got;

  g_assert_nonnull (events);
  if (events == NULL)
    return;

  make_changes (changes, 20);
  g_assert_true (iocd_test_events_wait (events, 20, ARRIVE_MS));
  g_assert_false (iocd_test_events_wait (events, 21, QUIET_MS));

  got = iocd_test_events_get (events);
  assert_events_are (got, 0, changes, seq + 1);
  for (guint i = 0; i < got->len; i++)
    g_assert_true (iocd_test_json_has (iocd_test_json_get (g_ptr_array_index (got, i), "task"), "reporter"));

  /* Without a position the stream starts now, not at the beginning of time. */
  from_now = iocd_test_events_connect (server, session, token_of ("trucban1"), -1, NULL);
  g_assert_nonnull (from_now);
  if (from_now == NULL)
    return;
  make_changes (more, 2);
  g_assert_true (iocd_test_events_wait (from_now, 2, ARRIVE_MS));
  g_assert_false (iocd_test_events_wait (from_now, 3, QUIET_MS));
  assert_events_are (iocd_test_events_get (from_now), 0, more, seq + 21);
}

static void
test_resume_no_gap (void)
{
  gint64 seq = snapshot_seq ();
  g_autoptr(IocdTestEvents) first = iocd_test_events_connect (server, session, token_of ("trucban1"), seq, NULL);
  g_autoptr(IocdTestEvents) second = NULL;
  g_autoptr(GPtrArray) changes = changes_new ();
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  gint64 last_seen;

  g_assert_nonnull (first);
  if (first == NULL)
    return;

  make_changes (changes, 5);
  g_assert_true (iocd_test_events_wait (first, 5, ARRIVE_MS));
  append_events (all, first);
  last_seen = event_seq (all, all->len - 1);
  g_clear_pointer (&first, iocd_test_events_free);

  /* The console is away (a dropped link) while work goes on. */
  make_changes (changes, 10);

  second = iocd_test_events_connect (server, session, token_of ("trucban1"), last_seen, NULL);
  g_assert_nonnull (second);
  if (second == NULL)
    return;
  make_changes (changes, 5);
  g_assert_true (iocd_test_events_wait (second, 15, ARRIVE_MS));
  g_assert_false (iocd_test_events_wait (second, 16, QUIET_MS));
  append_events (all, second);

  /* Missed ones first, then live ones: each change once, in order. */
  assert_events_are (all, 0, changes, seq + 1);
  for (guint i = 1; i < all->len; i++)
    g_assert_cmpint (event_seq (all, i - 1), <, event_seq (all, i));

  /* And what was delivered is what the log holds, read from the very start. */
  {
    g_autoptr(GPtrArray) log = read_log ("trucban1", 0, seq + 20);
    g_autoptr(GPtrArray) tail = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

    g_assert_cmpint (event_seq (log, 0), ==, 1);
    for (guint i = 0; i < log->len; i++)
      {
        if (i > 0)
          g_assert_cmpint (event_seq (log, i - 1), <, event_seq (log, i));
        if (event_seq (log, i) > seq)
          g_ptr_array_add (tail, json_node_ref (g_ptr_array_index (log, i)));
      }
    g_assert_cmpuint (tail->len, ==, all->len);
    for (guint i = 0; i < MIN (tail->len, all->len); i++)
      g_assert_true (json_node_equal (g_ptr_array_index (tail, i), g_ptr_array_index (all, i)));
  }
}

static void
test_catch_up_while_changing (void)
{
  g_autoptr(IocdTestEvents) events = iocd_test_events_connect (server, session, token_of ("trucban1"), 0, NULL);
  g_autoptr(GPtrArray) changes = changes_new ();
  gint64 last;
  GPtrArray *got;

  g_assert_nonnull (events);
  if (events == NULL)
    return;

  /* Changes land while iocd is still sending the log from the start, page by
   * page: the switch to live delivery must neither drop nor repeat one. */
  make_changes (changes, 8);
  last = snapshot_seq ();
  while (iocd_test_events_get (events)->len < last &&
         iocd_test_events_wait (events, iocd_test_events_get (events)->len + 1, ARRIVE_MS))
    ;
  g_assert_false (iocd_test_events_wait (events, last + 1, QUIET_MS));

  got = iocd_test_events_get (events);
  g_assert_cmpuint (got->len, ==, last);
  for (guint i = 0; i < got->len; i++)
    if (event_seq (got, i) != (gint64) i + 1)
      {
        g_test_fail_printf ("event %u of the stream has seq %" G_GINT64_FORMAT, i + 1, event_seq (got, i));
        break;
      }
}

static void
test_liaison_department_only (void)
{
  gint64 seq = snapshot_seq ();
  g_autoptr(IocdTestEvents) op = iocd_test_events_connect (server, session, token_of ("trucban1"), seq, NULL);
  g_autoptr(IocdTestEvents) sxd = iocd_test_events_connect (server, session, token_of ("lienlac.sxd"),
                                                            seq, NULL);
  g_autoptr(IocdTestEvents) late = NULL;
  g_autoptr(GPtrArray) changes = changes_new ();
  g_autoptr(GHashTable) held = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  GPtrArray *all, *mine;
  gint64 a, b, c, va, vb, vc;

  g_assert_nonnull (op);
  g_assert_nonnull (sxd);
  if (op == NULL || sxd == NULL)
    return;

  /* A goes to SXD; B to CATP, back, then to SXD; C to SXD, back, then to CATP;
   * D only ever to CATP. */
  a = intake (changes, "LIGHT", "Đèn đường tắt cả dãy (A)");
  va = act (changes, "trucban1", a, "verify", 1, NULL, NULL);
  va = act (changes, "trucban1", a, "forward", va, "department", "SXD");
  act (changes, "lienlac.sxd", a, "acknowledge", va, NULL, NULL);

  b = intake (changes, "NOISE", "Karaoke trong hẻm (B)");
  vb = act (changes, "trucban1", b, "verify", 1, NULL, NULL);
  vb = act (changes, "trucban1", b, "forward", vb, "department", "CATP");
  vb = act (changes, "lienlac.catp", b, "return", vb, "reason", "Thuộc Sở Xây dựng");
  act (changes, "trucban1", b, "forward", vb, "department", "SXD");
  act (changes, "trucban1", b, "comment", 0, "text", "Đã báo SXD");

  c = intake (changes, "ROAD", "Sụt lún mặt đường (C)");
  vc = act (changes, "trucban1", c, "verify", 1, NULL, NULL);
  vc = act (changes, "trucban1", c, "forward", vc, "department", "SXD");
  vc = act (changes, "lienlac.sxd", c, "return", vc, "reason", "Do thi công của ngành điện");
  vc = act (changes, "trucban1", c, "forward", vc, "department", "CATP");
  act (changes, "lienlac.catp", c, "acknowledge", vc, NULL, NULL);

  {
    gint64 d = intake (changes, "SECURITY", "Gây rối trật tự (D)");
    gint64 vd = act (changes, "trucban1", d, "verify", 1, NULL, NULL);

    act (changes, "trucban1", d, "forward", vd, "department", "CATP");
  }
  act (changes, "trucban1", a, "comment", 0, "text", "Người dân hỏi tiến độ");

  g_assert_true (iocd_test_events_wait (op, changes->len, ARRIVE_MS));
  all = iocd_test_events_get (op);
  assert_events_are (all, 0, changes, seq + 1);

  /* What SXD may see: each event of a task that SXD held at or before it. */
  for (guint i = 0; i < all->len; i++)
    {
      JsonNode *event = g_ptr_array_index (all, i);
      gint64 id = iocd_test_json_int (event, "task.id");
      const char *department = iocd_test_json_string (event, "task.department");
      char *seen = g_hash_table_lookup (held, &id);

      if (department != NULL && (seen == NULL || strstr (seen, department) == NULL))
        {
          char *now_held = g_strconcat (seen ? seen : ",", department, ",", NULL);
          gint64 *key = g_new (gint64, 1);

          *key = id;
          g_hash_table_replace (held, key, now_held);
          seen = now_held;
        }
      if (seen != NULL && strstr (seen, ",SXD,") != NULL)
        g_ptr_array_add (expected, event);
    }
  g_test_message ("%u events, %u of them for SXD", all->len, expected->len);
  g_assert_cmpuint (expected->len, ==, 9);

  iocd_test_events_wait (sxd, expected->len, ARRIVE_MS);
  g_assert_false (iocd_test_events_wait (sxd, expected->len + 1, QUIET_MS));
  mine = iocd_test_events_get (sxd);
  g_assert_cmpuint (mine->len, ==, expected->len);
  for (guint i = 0; i < MIN (mine->len, expected->len); i++)
    assert_same_event (g_ptr_array_index (expected, i), g_ptr_array_index (mine, i));

  /* Catching up from the log filters exactly as the live stream does. */
  late = iocd_test_events_connect (server, session, token_of ("lienlac.sxd"), seq, NULL);
  g_assert_nonnull (late);
  if (late == NULL)
    return;
  iocd_test_events_wait (late, expected->len, ARRIVE_MS);
  g_assert_false (iocd_test_events_wait (late, expected->len + 1, QUIET_MS));
  g_assert_cmpuint (iocd_test_events_get (late)->len, ==, expected->len);
  for (guint i = 0; i < MIN (iocd_test_events_get (late)->len, expected->len); i++)
    assert_same_event (g_ptr_array_index (expected, i), g_ptr_array_index (iocd_test_events_get (late), i));
}

static void
test_refused (void)
{
  guint status = 0;
  g_autoptr(IocdTestEvents) admin = iocd_test_events_connect (server, session, token_of ("admin"), 0, &status);
  g_autoptr(IocdTestEvents) anonymous = NULL;
  g_autoptr(IocdTestEvents) garbage = NULL;
  g_autoptr(IocdTestEvents) signed_out = NULL;
  g_autoptr(IocdTestResponse) plain_get = NULL;
  g_autofree char *token = NULL;

  /* Administrators run the server; the reports are not theirs to read. */
  g_assert_null (admin);
  g_assert_cmpuint (status, ==, 403);

  anonymous = iocd_test_events_connect (server, session, NULL, 0, &status);
  g_assert_null (anonymous);
  g_assert_cmpuint (status, ==, 401);

  garbage = iocd_test_events_connect (server, session, "not-a-token", 0, &status);
  g_assert_null (garbage);
  g_assert_cmpuint (status, ==, 401);

  token = iocd_test_login (server, session, "trucban3", NULL);
  iocd_test_logout (server, session, token);
  signed_out = iocd_test_events_connect (server, session, token, 0, &status);
  g_assert_null (signed_out);
  g_assert_cmpuint (status, ==, 401);

  /* A plain GET on the stream is not a WebSocket. */
  plain_get = iocd_test_request (server, session, "GET", "/api/v1/events", token_of ("trucban1"), NULL, NULL);
  g_assert_cmpuint (plain_get->status, ==, 400);
}

static void
test_bad_position (void)
{
  const char *positions[] = { "abc", "-5", "1.5", "", "0x10" };

  for (guint i = 0; i < G_N_ELEMENTS (positions); i++)
    {
      g_autofree char *escaped = g_uri_escape_string (positions[i], NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/api/v1/events?after=%s", escaped);
      g_autoptr(SoupMessage) msg = iocd_test_message_new (server, "GET", path, token_of ("trucban1"));
      g_autoptr(IocdTestResponse) r = NULL;

      /* A real handshake, refused over the position alone. */
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Upgrade", "websocket");
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Connection", "Upgrade");
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Sec-WebSocket-Version", "13");
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Sec-WebSocket-Key",
                                    "dGhlIHNhbXBsZSBub25jZQ==");
      r = iocd_test_send (session, msg);
      g_test_message ("after=%s: %u %s", positions[i], r->status, r->text ? r->text : "");
      g_assert_cmpuint (r->status, ==, 400);
      g_assert_cmpstr (iocd_test_json_string (r->body, "error.code"), ==, "invalid");
    }
}

static void
test_signed_out_stream (void)
{
  g_autofree char *token = iocd_test_login (server, session, "trucban3", NULL);
  g_autoptr(IocdTestEvents) events = iocd_test_events_connect (server, session, token, -1, NULL);
  g_autoptr(GPtrArray) changes = changes_new ();

  g_assert_nonnull (events);
  if (events == NULL)
    return;

  make_changes (changes, 1);
  g_assert_true (iocd_test_events_wait (events, 1, ARRIVE_MS));

  /* Signing out ends the session everywhere, also on the open stream: the
   * events carry reporters' phone numbers. */
  iocd_test_logout (server, session, token);
  make_changes (changes, 1);
  iocd_test_events_wait (events, 2, 2000);
  g_assert_cmpuint (iocd_test_events_get (events)->len, ==, 1);
  g_assert_true (iocd_test_events_is_closed (events));
}

static void
test_position_beyond_log (void)
{
  gint64 seq = snapshot_seq ();
  g_autoptr(IocdTestEvents) events = NULL;
  g_autoptr(GPtrArray) changes = changes_new ();
  guint status = 0;

  /* A position the log never reached: a console that last spoke to this
   * server before its database was restored from a backup. Accepting it
   * would skip every change until the log catches up, unseen; the client
   * must be told (4xx, so that it reloads its snapshot) or get the changes. */
  events = iocd_test_events_connect (server, session, token_of ("trucban1"), seq + 1000, &status);
  if (events == NULL)
    {
      g_assert_cmpuint (status, >=, 400);
      g_assert_cmpuint (status, <, 500);
      return;
    }

  make_changes (changes, 1);
  iocd_test_events_wait (events, 1, 2000);
  if (iocd_test_events_get (events)->len == 0)
    g_test_fail_printf ("after=%" G_GINT64_FORMAT " with the log at %" G_GINT64_FORMAT
                        ": accepted, and the next change was never sent", seq + 1000, seq);
}

static void
test_resume_across_restart (void)
{
  gint64 seq = snapshot_seq ();
  g_autoptr(IocdTestEvents) first = iocd_test_events_connect (server, session, token_of ("trucban1"), seq, NULL);
  g_autoptr(IocdTestEvents) open_during = iocd_test_events_connect (server, session, token_of ("trucban1"),
                                                                    -1, NULL);
  g_autoptr(IocdTestEvents) second = NULL;
  g_autoptr(GPtrArray) changes = changes_new ();
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  gint64 last_seen;

  g_assert_nonnull (first);
  g_assert_nonnull (open_during);
  if (first == NULL || open_during == NULL)
    return;

  make_changes (changes, 3);
  g_assert_true (iocd_test_events_wait (first, 3, ARRIVE_MS));
  append_events (all, first);
  last_seen = event_seq (all, all->len - 1);
  g_clear_pointer (&first, iocd_test_events_free);

  make_changes (changes, 2);
  iocd_test_server_restart (server);
  /* The tokens live in the database: the same ones work on the new process. */
  make_changes (changes, 2);

  /* A socket that was open when iocd stopped learns that it closed. */
  iocd_test_events_wait (open_during, G_MAXUINT, 3000);
  g_assert_true (iocd_test_events_is_closed (open_during));

  second = iocd_test_events_connect (server, session, token_of ("trucban1"), last_seen, NULL);
  g_assert_nonnull (second);
  if (second == NULL)
    return;
  g_assert_true (iocd_test_events_wait (second, 4, ARRIVE_MS));
  g_assert_false (iocd_test_events_wait (second, 5, QUIET_MS));
  append_events (all, second);

  assert_events_are (all, 0, changes, seq + 1);
  assert_matches_log (all, seq, seq + 7);
}

int
main (int   argc,
      char *argv[])
{
  iocd_test_init_shared (&argc, &argv, &server, &session);

  g_test_add_func ("/events/live/in-order", test_live_in_order);
  g_test_add_func ("/events/resume/no-gap", test_resume_no_gap);
  g_test_add_func ("/events/resume/catch-up-while-changing", test_catch_up_while_changing);
  g_test_add_func ("/events/liaison/department-only", test_liaison_department_only);
  g_test_add_func ("/events/refused/auth", test_refused);
  g_test_add_func ("/events/refused/bad-position", test_bad_position);
  g_test_add_func ("/events/refused/signed-out", test_signed_out_stream);
  g_test_add_func ("/events/refused/beyond-log", test_position_beyond_log);
  g_test_add_func ("/events/restart/resume", test_resume_across_restart);
  iocd_test_add_shutdown ("/events/shutdown/clean", server);

  return iocd_test_run (&server, &session);
}
