/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "iocd-test-utils.h"

/*
 * iocd writes the task changes that reach it together in one transaction
 * (a savepoint each), in a thread of its own, and answers them after the
 * commit. Requests sent at
 * the same time must get exactly what they would get one after the other:
 * every change answered and published once, in seq order without a gap;
 * of two changes decided on the same version, one 409; a second change of
 * the same task, or a retry with the same Idempotency-Key, deciding on the
 * first one's outcome.
 */

#define ARRIVE_MS 10000

static IocdTestServer *server;
static SoupSession *session;

static const char *
token_of (const char *username)
{
  return iocd_test_token (server, session, username);
}

typedef struct {
  SoupMessage *msg;
  guint        status;
  char        *text;
  JsonNode    *body;
  gboolean     done;
} Call;

static void
call_clear (Call *call)
{
  g_clear_object (&call->msg);
  g_clear_pointer (&call->text, g_free);
  g_clear_pointer (&call->body, json_node_unref);
}

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Call *call = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  call->done = TRUE;
  if (bytes == NULL)
    {
      g_test_message ("no response: %s", error->message);
      return;
    }
  call->status = soup_message_get_status (call->msg);
  call->text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  call->body = json_from_string (call->text, NULL);
}

static void
call_init (Call       *call,
           const char *method,
           const char *path,
           const char *token,
           const char *body,
           const char *idempotency_key)
{
  memset (call, 0, sizeof *call);
  call->msg = iocd_test_message_new (server, method, path, token);
  g_assert_nonnull (call->msg);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (call->msg, "application/json", bytes);
    }
  if (idempotency_key != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (call->msg), "Idempotency-Key",
                                  idempotency_key);
  /* Kept-alive connections, opened beforehand: the requests reach iocd
   * together rather than one TLS handshake apart. */
  soup_message_add_flags (call->msg, SOUP_MESSAGE_IDEMPOTENT);
}

/* Sends every call at once and waits for all the answers. */
static void
send_together (Call  *calls,
               guint  n)
{
  gboolean pending = TRUE;

  for (guint i = 0; i < n; i++)
    soup_session_send_and_read_async (session, calls[i].msg, G_PRIORITY_DEFAULT, NULL, call_done_cb, &calls[i]);

  while (pending)
    {
      g_main_context_iteration (NULL, TRUE);
      pending = FALSE;
      for (guint i = 0; i < n; i++)
        pending |= !calls[i].done;
    }
}

/* Opens the session's connections before the requests that should arrive together. */
static void
warm_up (void)
{
  Call calls[8];

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      call_init (&calls[i], "GET", "/api/v1/session", token_of ("trucban1"), NULL, NULL);
      soup_message_add_flags (calls[i].msg, SOUP_MESSAGE_NEW_CONNECTION);
    }
  send_together (calls, G_N_ELEMENTS (calls));
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_assert_cmpuint (calls[i].status, ==, 200);
      call_clear (&calls[i]);
    }
}

static gint64
event_seq (void)
{
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/server", NULL, NULL, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  return iocd_test_json_int (r->body, "event_seq");
}

static gint64
verified_task (const char *title)
{
  gint64 id = iocd_test_new_task (server, session, token_of ("trucban1"), "LIGHT", title);

  g_assert_true (iocd_test_advance (server, session, id, IOCD_TEST_AT_VERIFIED, token_of ("trucban1"), NULL, NULL));
  return id;
}

/* A task whose reporter's contact holds what JSON must escape, so that
 * cutting the reporter out of an event for a liaison is tested on it. */
static gint64
verified_task_awkward_reporter (const char *title)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autofree char *body = NULL;
  g_autoptr(IocdTestResponse) r = NULL;
  gint64 id;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "category");
  json_builder_add_string_value (b, "LIGHT");
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, title);
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, "Ninh Kiều");
  json_builder_set_member_name (b, "reporter");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "Lê \"Văn },\"reporter\":{ [A] \\");
  json_builder_set_member_name (b, "phone");
  json_builder_add_string_value (b, "0900000}{");
  json_builder_end_object (b);
  body = iocd_test_json_finish (b);

  r = iocd_test_request (server, session, "POST", "/api/v1/tasks", token_of ("trucban1"), body, NULL);
  g_assert_cmpuint (r->status, ==, 201);
  id = iocd_test_json_int (r->body, "id");
  g_assert_true (iocd_test_advance (server, session, id, IOCD_TEST_AT_VERIFIED, token_of ("trucban1"), NULL, NULL));
  return id;
}

/* The events of @theirs (a liaison's) are those of @all with the same seq,
 * without the reporter. */
static void
assert_same_without_reporter (GPtrArray *all,
                              GPtrArray *theirs)
{
  for (guint i = 0; i < theirs->len; i++)
    {
      JsonNode *event = g_ptr_array_index (theirs, i);
      gboolean found = FALSE;

      g_assert_false (iocd_test_json_has (event, "task.reporter"));
      for (guint j = 0; j < all->len && !found; j++)
        {
          g_autoptr(JsonNode) copy = NULL;

          if (iocd_test_json_int (g_ptr_array_index (all, j), "seq") != iocd_test_json_int (event, "seq"))
            continue;
          found = TRUE;
          {
            /* json_node_copy() would share the objects: a real copy. */
            g_autofree char *text = json_to_string (g_ptr_array_index (all, j), FALSE);

            copy = json_from_string (text, NULL);
          }
          g_assert_true (iocd_test_json_has (copy, "task.reporter"));
          json_object_remove_member (json_node_get_object (iocd_test_json_get (copy, "task")), "reporter");
          g_assert_true (json_node_equal (copy, event));
        }
      g_assert_true (found);
    }
}

static char *
forward_body (gint64      version,
              const char *department)
{
  return g_strdup_printf ("{\"version\":%" G_GINT64_FORMAT ",\"department\":\"%s\"}", version, department);
}

static char *
action_path (gint64      id,
             const char *action)
{
  return g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT "/%s", id, action);
}

static guint
count_actions (JsonNode   *task,
               const char *action)
{
  JsonArray *timeline = json_node_get_array (iocd_test_json_get (task, "timeline"));
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (timeline); i++)
    n += g_strcmp0 (iocd_test_json_string (json_array_get_element (timeline, i), "action"), action) == 0;

  return n;
}

/* The events after @after are exactly @n, with consecutive seqs, and each
 * of @ids (n of them) is in exactly one. */
static void
assert_events (IocdTestEvents *events,
               gint64          after,
               const gint64   *ids,
               guint           n,
               const char     *kind)
{
  GPtrArray *got;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  g_assert_true (iocd_test_events_wait (events, n, ARRIVE_MS));
  g_assert_false (iocd_test_events_wait (events, n + 1, 500));
  got = iocd_test_events_get (events);
  g_assert_cmpuint (got->len, ==, n);

  for (guint i = 0; i < got->len; i++)
    {
      JsonNode *event = g_ptr_array_index (got, i);
      gint64 *id = g_new (gint64, 1);

      g_assert_cmpint (iocd_test_json_int (event, "seq"), ==, after + 1 + i);
      g_assert_cmpstr (iocd_test_json_string (event, "kind"), ==, kind);
      *id = iocd_test_json_int (event, "task.id");
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, id);
    }
  for (guint i = 0; i < n; i++)
    g_assert_true (g_hash_table_contains (seen, &ids[i]));
}

static void
test_forwards (void)
{
  enum { N = 24 };
  gint64 ids[N];
  Call calls[N];
  gint64 after;
  g_autoptr(IocdTestEvents) events = NULL;
  g_autoptr(IocdTestEvents) liaison = NULL;

  for (guint i = 0; i < N; i++)
    ids[i] = i % 4 == 1 ? verified_task_awkward_reporter ("forwarded together") : verified_task ("forwarded together");
  warm_up ();
  after = event_seq ();
  events = iocd_test_events_connect (server, session, token_of ("lanhdao"), after, NULL);
  liaison = iocd_test_events_connect (server, session, token_of ("lienlac.sxd"), after, NULL);
  g_assert_nonnull (events);
  g_assert_nonnull (liaison);

  for (guint i = 0; i < N; i++)
    {
      g_autofree char *path = action_path (ids[i], "forward");
      g_autofree char *body = forward_body (2, i % 2 ? "SXD" : "SYT");

      call_init (&calls[i], "POST", path, token_of ("trucban1"), body, NULL);
    }
  send_together (calls, N);

  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpuint (calls[i].status, ==, 200);
      g_assert_cmpint (iocd_test_json_int (calls[i].body, "id"), ==, ids[i]);
      g_assert_cmpint (iocd_test_json_int (calls[i].body, "version"), ==, 3);
      g_assert_cmpstr (iocd_test_json_string (calls[i].body, "state"), ==, "forwarded");
    }
  assert_events (events, after, ids, N, "task.changed");
  /* SXD got the forwards to SXD, as the others got them but for the reporter. */
  g_assert_true (iocd_test_events_wait (liaison, N / 2, ARRIVE_MS));
  g_assert_false (iocd_test_events_wait (liaison, N / 2 + 1, 500));
  assert_same_without_reporter (iocd_test_events_get (events), iocd_test_events_get (liaison));

  /* The answer is the task the event carries. */
  for (guint i = 0; i < N; i++)
    {
      GPtrArray *got = iocd_test_events_get (events);

      for (guint j = 0; j < got->len; j++)
        if (iocd_test_json_int (g_ptr_array_index (got, j), "task.id") == ids[i])
          g_assert_true (json_node_equal (iocd_test_json_get (g_ptr_array_index (got, j), "task"), calls[i].body));
    }

  for (guint i = 0; i < N; i++)
    {
      g_autoptr(JsonNode) task = iocd_test_fetch_task (server, session, token_of ("trucban1"), ids[i]);

      g_assert_nonnull (task);
      g_assert_cmpuint (count_actions (task, "forward"), ==, 1);
      call_clear (&calls[i]);
    }
}

static void
test_intakes (void)
{
  enum { N = 16 };
  gint64 ids[N];
  Call calls[N];
  gint64 after;
  g_autoptr(IocdTestEvents) events = NULL;

  warm_up ();
  after = event_seq ();
  events = iocd_test_events_connect (server, session, token_of ("trucban2"), after, NULL);
  g_assert_nonnull (events);

  for (guint i = 0; i < N; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"category\":\"LIGHT\",\"title\":\"cùng lúc %u\","
                                               "\"address\":\"Ninh Kiều\"}", i);

      call_init (&calls[i], "POST", "/api/v1/tasks", token_of ("trucban1"), body, NULL);
    }
  send_together (calls, N);

  for (guint i = 0; i < N; i++)
    {
      g_autofree char *title = g_strdup_printf ("cùng lúc %u", i);
      g_autofree char *location = NULL;

      g_assert_cmpuint (calls[i].status, ==, 201);
      ids[i] = iocd_test_json_int (calls[i].body, "id");
      g_assert_cmpint (ids[i], >, 0);
      g_assert_cmpstr (iocd_test_json_string (calls[i].body, "title"), ==, title);
      location = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, ids[i]);
      g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (calls[i].msg), "Location"),
                       ==, location);
      for (guint j = 0; j < i; j++)
        g_assert_cmpint (ids[j], !=, ids[i]);
    }
  assert_events (events, after, ids, N, "task.created");

  for (guint i = 0; i < N; i++)
    {
      g_autoptr(JsonNode) task = iocd_test_fetch_task (server, session, token_of ("trucban1"), ids[i]);

      g_assert_nonnull (task);
      g_assert_cmpstr (iocd_test_json_string (task, "title"), ==, iocd_test_json_string (calls[i].body, "title"));
      call_clear (&calls[i]);
    }
}

/* Several pairs at once, so that pairs do share a group commit. */
#define PAIRS 4

static void
test_same_task (void)
{
  gint64 ids[PAIRS];
  Call calls[2 * PAIRS];

  for (guint p = 0; p < PAIRS; p++)
    ids[p] = verified_task ("twice at once");
  warm_up ();

  /* Both decided on version 2: one of them is late. */
  for (guint p = 0; p < PAIRS; p++)
    {
      g_autofree char *forward = action_path (ids[p], "forward");
      g_autofree char *body = forward_body (2, "SXD");

      call_init (&calls[2 * p], "POST", forward, token_of ("trucban1"), body, NULL);
      call_init (&calls[2 * p + 1], "POST", forward, token_of ("trucban2"), body, NULL);
    }
  send_together (calls, 2 * PAIRS);
  for (guint p = 0; p < PAIRS; p++)
    {
      guint ok = 0, conflict = 0;

      for (guint i = 2 * p; i < 2 * p + 2; i++)
        {
          if (calls[i].status == 200)
            ok++;
          else if (calls[i].status == 409 &&
                   g_strcmp0 (iocd_test_json_string (calls[i].body, "error.code"), "conflict") == 0)
            {
              conflict++;
              /* With the task as it is now, for the client to decide again. */
              g_assert_cmpint (iocd_test_json_int (calls[i].body, "task.version"), ==, 3);
            }
          call_clear (&calls[i]);
        }
      g_assert_cmpuint (ok, ==, 1);
      g_assert_cmpuint (conflict, ==, 1);
    }

  /* A comment without a version is never late: it follows whatever came first. */
  for (guint p = 0; p < PAIRS; p++)
    {
      g_autofree char *acknowledge = action_path (ids[p], "acknowledge");
      g_autofree char *comment = action_path (ids[p], "comment");

      call_init (&calls[2 * p], "POST", acknowledge, token_of ("lienlac.sxd"), "{\"version\":3}", NULL);
      call_init (&calls[2 * p + 1], "POST", comment, token_of ("trucban1"), "{\"text\":\"đã gọi điện nhắc\"}", NULL);
    }
  send_together (calls, 2 * PAIRS);
  for (guint i = 0; i < 2 * PAIRS; i++)
    {
      if (calls[i].status != 200)
        g_test_message ("%s: %s", i % 2 ? "comment" : "acknowledge", calls[i].text);
      g_assert_cmpuint (calls[i].status, ==, 200);
      call_clear (&calls[i]);
    }

  for (guint p = 0; p < PAIRS; p++)
    {
      g_autoptr(JsonNode) task = iocd_test_fetch_task (server, session, token_of ("trucban1"), ids[p]);

      g_assert_nonnull (task);
      g_assert_cmpstr (iocd_test_json_string (task, "state"), ==, "acknowledged");
      g_assert_cmpint (iocd_test_json_int (task, "version"), ==, 4);
      g_assert_cmpuint (count_actions (task, "forward"), ==, 1);
      g_assert_cmpuint (count_actions (task, "acknowledge"), ==, 1);
      g_assert_cmpuint (count_actions (task, "comment"), ==, 1);
    }
}

static void
test_same_key (void)
{
  gint64 ids[PAIRS], a[PAIRS], b[PAIRS];
  Call calls[2 * PAIRS];

  for (guint p = 0; p < PAIRS; p++)
    {
      ids[p] = verified_task ("retried at once");
      a[p] = verified_task ("key reused at once");
      b[p] = verified_task ("key reused at once");
    }
  warm_up ();

  /* A retry sent before the first answer came back: applied once, the
   * same answer twice. */
  for (guint p = 0; p < PAIRS; p++)
    {
      g_autofree char *forward = action_path (ids[p], "forward");
      g_autofree char *body = forward_body (2, "SXD");
      g_autofree char *key = g_strdup_printf ("group-commit-retry-%u", p);

      call_init (&calls[2 * p], "POST", forward, token_of ("trucban1"), body, key);
      call_init (&calls[2 * p + 1], "POST", forward, token_of ("trucban1"), body, key);
    }
  send_together (calls, 2 * PAIRS);
  for (guint p = 0; p < PAIRS; p++)
    {
      g_autoptr(JsonNode) task = NULL;
      guint replayed = 0;

      g_assert_cmpuint (calls[2 * p].status, ==, 200);
      g_assert_cmpuint (calls[2 * p + 1].status, ==, 200);
      g_assert_cmpstr (calls[2 * p].text, ==, calls[2 * p + 1].text);
      for (guint i = 2 * p; i < 2 * p + 2; i++)
        {
          replayed += g_strcmp0 (soup_message_headers_get_one (soup_message_get_response_headers (calls[i].msg),
                                                               "Idempotent-Replayed"), "true") == 0;
          call_clear (&calls[i]);
        }
      g_assert_cmpuint (replayed, ==, 1);

      task = iocd_test_fetch_task (server, session, token_of ("trucban1"), ids[p]);
      g_assert_nonnull (task);
      g_assert_cmpint (iocd_test_json_int (task, "version"), ==, 3);
      g_assert_cmpuint (count_actions (task, "forward"), ==, 1);
    }

  /* The same key for another request: refused, whichever came second. */
  for (guint p = 0; p < PAIRS; p++)
    {
      g_autofree char *forward_a = action_path (a[p], "forward");
      g_autofree char *forward_b = action_path (b[p], "forward");
      g_autofree char *body = forward_body (2, "SYT");
      g_autofree char *key = g_strdup_printf ("group-commit-reused-%u", p);

      call_init (&calls[2 * p], "POST", forward_a, token_of ("trucban2"), body, key);
      call_init (&calls[2 * p + 1], "POST", forward_b, token_of ("trucban2"), body, key);
    }
  send_together (calls, 2 * PAIRS);
  for (guint p = 0; p < PAIRS; p++)
    {
      Call *x = &calls[2 * p], *y = &calls[2 * p + 1];

      g_assert_true ((x->status == 200 && y->status == 422) || (x->status == 422 && y->status == 200));
      g_assert_cmpstr (iocd_test_json_string (x->status == 422 ? x->body : y->body, "error.code"), ==,
                       "idempotency_key_reused");
      call_clear (x);
      call_clear (y);
    }
}

/* Events appended outside the group commit (indicator values here) take
 * their seq after the task changes already checked, and every event leaves
 * in seq order, whichever connection wrote it. */
static void
test_events_in_order (void)
{
  enum { N = 24, EVERY = 6 };
  Call calls[N + N / EVERY];
  gint64 ids[N];
  gint64 after;
  guint n = 0, n_observed = 0, n_changed = 0;
  g_autoptr(IocdTestEvents) events = NULL;
  GPtrArray *got;

  for (guint i = 0; i < N; i++)
    ids[i] = verified_task ("in order");
  warm_up ();
  after = event_seq ();
  events = iocd_test_events_connect (server, session, token_of ("lanhdao"), after, NULL);
  g_assert_nonnull (events);

  for (guint i = 0; i < N; i++)
    {
      g_autofree char *path = action_path (ids[i], "forward");
      g_autofree char *body = forward_body (2, "SXD");

      call_init (&calls[n++], "POST", path, token_of ("trucban1"), body, NULL);
      if (i % EVERY == EVERY - 1)
        {
          g_autofree char *observation = g_strdup_printf ("{\"observations\":[{\"indicator\":\"mt.water_loss\","
                                                          "\"period\":\"2024-%02u\",\"value\":%u.5}]}",
                                                          i / EVERY + 1, 10 + i);

          call_init (&calls[n++], "POST", "/api/v1/indicators/observations", token_of ("lienlac.sxd"),
                     observation, NULL);
        }
    }
  send_together (calls, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (calls[i].status, ==, 200);
      call_clear (&calls[i]);
    }

  g_assert_true (iocd_test_events_wait (events, n, ARRIVE_MS));
  g_assert_false (iocd_test_events_wait (events, n + 1, 500));
  got = iocd_test_events_get (events);
  g_assert_cmpuint (got->len, ==, n);
  for (guint i = 0; i < got->len; i++)
    {
      JsonNode *event = g_ptr_array_index (got, i);
      const char *kind = iocd_test_json_string (event, "kind");

      g_assert_cmpint (iocd_test_json_int (event, "seq"), ==, after + 1 + i);
      n_changed += g_strcmp0 (kind, "task.changed") == 0;
      n_observed += g_strcmp0 (kind, "indicator.observed") == 0;
    }
  g_assert_cmpuint (n_changed, ==, N);
  g_assert_cmpuint (n_observed, ==, N / EVERY);
}

/* Checkpoints keep the WAL bounded: SQLite starts it from the beginning
 * again once everything in it is copied back, so under a steady stream of
 * writes it stays near the checkpoint threshold (1,000 pages, 4 MiB)
 * instead of holding every page written since iocd started. */
#define WAL_ROUNDS 40
#define WAL_MAX_BYTES (12 * 1024 * 1024)

static void
test_wal_bounded (void)
{
  g_autofree char *wal = g_build_filename (server->state_dir, "iocd.db-wal", NULL);
  guint64 written = 0;
  GStatBuf st;

  warm_up ();
  for (guint round = 0; round < WAL_ROUNDS; round++)
    {
      enum { N = 16 };
      Call calls[N];

      for (guint i = 0; i < N; i++)
        {
          /* Long, varied text: every intake adds many trigrams to the search index. */
          g_autofree char *body = g_strdup_printf ("{\"category\":\"LIGHT\",\"title\":\"Đèn đường tắt %u-%u\","
                                                   "\"description\":\"%u phản ánh về đèn đường hẻm %u khu vực %u, "
                                                   "người dân đề nghị kiểm tra sớm %u\",\"address\":\"Ninh Kiều\"}",
                                                   round, i, round * N + i, i * 7919 % 1000, round * 31 + i,
                                                   g_random_int ());

          call_init (&calls[i], "POST", "/api/v1/tasks", token_of ("trucban1"), body, NULL);
        }
      send_together (calls, N);
      for (guint i = 0; i < N; i++)
        {
          g_assert_cmpuint (calls[i].status, ==, 201);
          call_clear (&calls[i]);
        }

      g_assert_cmpint (g_stat (wal, &st), ==, 0);
      written = MAX (written, (guint64) st.st_size);
      /* Let the checkpoint interval (1 s) pass now and then, as a quiet moment would. */
      if (round % 10 == 9)
        g_usleep (1200 * 1000);
    }

  g_test_message ("the WAL reached %" G_GUINT64_FORMAT " bytes", written);
  g_assert_cmpuint (written, <, WAL_MAX_BYTES);
}

int
main (int   argc,
      char *argv[])
{
  iocd_test_init_shared (&argc, &argv, &server, &session);

  g_test_add_func ("/group-commit/forwards", test_forwards);
  g_test_add_func ("/group-commit/intakes", test_intakes);
  g_test_add_func ("/group-commit/same-task", test_same_task);
  g_test_add_func ("/group-commit/same-key", test_same_key);
  g_test_add_func ("/group-commit/events-in-order", test_events_in_order);
  g_test_add_func ("/group-commit/wal-bounded", test_wal_bounded);
  iocd_test_add_shutdown ("/group-commit/shutdown", server);

  return iocd_test_run (&server, &session);
}
