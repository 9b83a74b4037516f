/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "ioc-client.h"
#include "ioc-event-stream.h"
#include "ioc-secret.h"
#include "ioc-tls-database.h"
#include "iocd-test-utils.h"

/* The console's services against the real iocd, the way the console uses
 * them: no display is needed. */

#define WAIT_MS 30000
#define QUIET_MS 1500
/* Long enough for the first retries of the backoff (1 s, 2 s, 4 s …). */
#define RECONNECT_MS 45000

static IocdTestServer *server;
static SoupSession *session;

/* A fingerprint no server has: the pin of a console that trusted another certificate. */
static const char *other_fingerprint =
  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

/* Running the main context */

static gboolean
timeout_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the default main context until *@flag is set or @timeout_ms passed. */
static gboolean
run_until (gboolean *flag,
           guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);

  return *flag;
}

typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Wait *wait = data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static GAsyncResult *
wait_result (Wait *wait)
{
  if (!run_until (&wait->done, WAIT_MS))
    g_error ("an asynchronous call did not finish within %d ms", WAIT_MS);

  return wait->result;
}

/* Synchronous forms of the client's calls, for the tests only. */

static char *
probe (IocClient  *client,
       GError    **error)
{
  Wait wait = { 0 };
  g_autoptr(GAsyncResult) result = NULL;

  ioc_client_probe_async (client, NULL, wait_cb, &wait);
  result = wait_result (&wait);
  return ioc_client_probe_finish (client, result, error);
}

static IocUser *
sign_in (IocClient   *client,
         const char  *username,
         const char  *password,
         GError     **error)
{
  Wait wait = { 0 };
  g_autoptr(GAsyncResult) result = NULL;

  ioc_client_sign_in_async (client, username, password, NULL, wait_cb, &wait);
  result = wait_result (&wait);
  return ioc_client_sign_in_finish (client, result, error);
}

static IocUser *
resume (IocClient  *client,
        GError    **error)
{
  Wait wait = { 0 };
  g_autoptr(GAsyncResult) result = NULL;

  ioc_client_resume_async (client, NULL, wait_cb, &wait);
  result = wait_result (&wait);
  return ioc_client_resume_finish (client, result, error);
}

static gboolean
sign_out (IocClient  *client,
          GError    **error)
{
  Wait wait = { 0 };
  g_autoptr(GAsyncResult) result = NULL;

  ioc_client_sign_out_async (client, NULL, wait_cb, &wait);
  result = wait_result (&wait);
  return ioc_client_sign_out_finish (client, result, error);
}

static JsonNode *
get_json (IocClient   *client,
          const char  *path,
          GError     **error)
{
  Wait wait = { 0 };
  g_autoptr(GAsyncResult) result = NULL;

  ioc_client_get_json_async (client, path, NULL, wait_cb, &wait);
  result = wait_result (&wait);
  return ioc_client_get_json_finish (client, result, error);
}

static JsonNode *
post_json (IocClient   *client,
           const char  *path,
           const char  *body_text,
           const char  *key,
           JsonNode   **error_body,
           GError     **error)
{
  Wait wait = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) body = json_from_string (body_text, NULL);

  g_assert_nonnull (body);
  ioc_client_post_json_async (client, path, body, key, NULL, wait_cb, &wait);
  result = wait_result (&wait);
  return ioc_client_post_json_finish (client, result, error_body, error);
}

/* A client pinned to the test server and signed in as @username. */
static IocClient *
signed_in_client (const char *username)
{
  g_autoptr(IocClient) client = ioc_client_new (server->base_uri, server->fingerprint);
  g_autoptr(IocUser) user = NULL;
  g_autoptr(GError) error = NULL;

  user = sign_in (client, username, server->demo_password, &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);

  return g_steal_pointer (&client);
}

static char *
server_log (void)
{
  g_autofree char *path = g_build_filename (server->state_dir, "iocd.log", NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");

  return text;
}

/* Client */

static void
test_probe (void)
{
  g_autoptr(IocClient) client = ioc_client_new (server->base_uri, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(IocUser) user = NULL;
  g_autofree char *fingerprint = NULL;

  fingerprint = probe (client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fingerprint, ==, server->fingerprint);

  /* Before the user confirms it, the certificate carries no request. */
  node = get_json (client, "/api/v1/server", &error);
  g_assert_error (error, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_CERTIFICATE_NOT_CONFIRMED);
  g_assert_null (node);
  g_clear_error (&error);

  /* Confirmed in lower case, as a user might type it. */
  {
    g_autofree char *lower = g_ascii_strdown (fingerprint, -1);

    ioc_client_set_fingerprint (client, lower);
  }
  g_assert_cmpstr (ioc_client_get_fingerprint (client), ==, server->fingerprint);
  user = sign_in (client, "trucban1", server->demo_password, &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
}

static void
test_sign_in_and_list (void)
{
  g_autoptr(IocClient) client = ioc_client_new (server->base_uri, server->fingerprint);
  g_autoptr(IocClient) later = NULL;
  g_autoptr(IocUser) user = NULL;
  g_autoptr(IocUser) resumed = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *tasks;

  user = sign_in (client, "trucban1", server->demo_password, &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
  if (user == NULL)
    return;
  g_assert_cmpstr (user->username, ==, "trucban1");
  g_assert_cmpint (user->role, ==, IOC_ROLE_OPERATOR);
  g_assert_true (ioc_client_get_user (client) != NULL);
  g_assert_nonnull (ioc_client_get_token (client));

  list = get_json (client, "/api/v1/tasks?limit=5", &error);
  g_assert_no_error (error);
  g_assert_nonnull (list);
  tasks = iocd_test_json_get (list, "tasks");
  g_assert_true (tasks != NULL && JSON_NODE_HOLDS_ARRAY (tasks));
  if (tasks != NULL && JSON_NODE_HOLDS_ARRAY (tasks))
    g_assert_cmpuint (json_array_get_length (json_node_get_array (tasks)), ==, 5);
  g_assert_cmpint (iocd_test_json_int (list, "event_seq"), >, 0);

  /* The token kept in the keyring brings the same user back on the next start. */
  later = ioc_client_new (server->base_uri, server->fingerprint);
  ioc_client_set_token (later, ioc_client_get_token (client));
  resumed = resume (later, &error);
  g_assert_no_error (error);
  g_assert_nonnull (resumed);
  if (resumed != NULL)
    g_assert_cmpstr (resumed->username, ==, "trucban1");
  g_clear_pointer (&resumed, ioc_user_unref);

  g_assert_true (sign_out (client, &error));
  g_assert_no_error (error);
  g_assert_null (ioc_client_get_token (client));

  resumed = resume (later, &error);
  g_assert_error (error, IOC_ERROR, IOC_ERROR_UNAUTHORIZED);
  g_assert_null (resumed);
}

static void
test_wrong_fingerprint (void)
{
  g_autoptr(IocClient) client = ioc_client_new (server->base_uri, other_fingerprint);
  g_autoptr(IocUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *log = NULL;

  user = sign_in (client, "pin-check", "not-the-password", &error);
  g_assert_error (error, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_CERTIFICATE_CHANGED);
  g_assert_null (user);
  if (error != NULL)
    {
      /* The user must be able to compare both with what the admin says. */
      g_assert_nonnull (strstr (error->message, server->fingerprint));
      g_assert_nonnull (strstr (error->message, other_fingerprint));
    }
  g_clear_error (&error);

  seen = probe (client, &error);
  g_assert_error (error, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_CERTIFICATE_CHANGED);
  g_assert_null (seen);

  /* The password never left: the server heard of no sign-in at all (see
   * the wrong-password case for the line it logs when it does). */
  log = server_log ();
  g_assert_null (strstr (log, "pin-check"));
}

static void
test_wrong_password (void)
{
  g_autoptr(IocClient) client = ioc_client_new (server->base_uri, server->fingerprint);
  g_autoptr(IocUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  user = sign_in (client, "trucban2", "not-the-password", &error);
  g_assert_error (error, IOC_ERROR, IOC_ERROR_UNAUTHORIZED);
  g_assert_null (user);
  if (error != NULL)
    g_assert_cmpstr (error->message, ==, "wrong user name or password");
  g_assert_null (ioc_client_get_token (client));

  log = server_log ();
  g_assert_nonnull (strstr (log, "Failed sign-in for “trucban2”"));
}

static void
test_not_found (void)
{
  g_autoptr(IocClient) client = signed_in_client ("trucban1");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) error_body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;

  node = get_json (client, "/api/v1/tasks/999999999", &error);
  g_assert_error (error, IOC_ERROR, IOC_ERROR_NOT_FOUND);
  g_assert_null (node);
  g_clear_error (&error);

  node = post_json (client, "/api/v1/tasks", "{\"title\": 5}", NULL, &error_body, &error);
  g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
  g_assert_null (node);
  g_assert_nonnull (error_body);
  field = ioc_error_get_field (error);
  g_assert_nonnull (field);
}

static void
test_idempotent_retry (void)
{
  g_autoptr(IocClient) client = signed_in_client ("trucban1");
  const char *token = iocd_test_token (server, session, "trucban1");
  g_autofree char *key = ioc_client_new_idempotency_key ();
  g_autofree char *other_key = ioc_client_new_idempotency_key ();
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) task = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id, version;

  g_assert_cmpstr (key, !=, other_key);
  g_assert_true (g_uuid_string_is_valid (key));

  id = iocd_test_new_task (server, session, token, "LIGHT", "Đèn đường tắt (thử lại)");
  version = iocd_test_task_version (server, session, token, id);
  path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT "/verify", id);
  body = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT ", \"note\": \"đã xác minh\"}", version);

  first = post_json (client, path, body, key, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);

  /* The answer was lost, say, and the console sends it again. */
  again = post_json (client, path, body, key, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);

  g_assert_cmpstr (iocd_test_json_string (first, "state"), ==, "verified");
  g_assert_cmpstr (iocd_test_json_string (again, "state"), ==, "verified");
  g_assert_cmpint (iocd_test_json_int (again, "version"), ==, iocd_test_json_int (first, "version"));

  task = iocd_test_fetch_task (server, session, token, id);
  g_assert_nonnull (task);
  if (task != NULL)
    g_assert_cmpuint (iocd_test_timeline_length (task), ==, 2);
}

static void
test_conflict (void)
{
  g_autoptr(IocClient) client = signed_in_client ("trucban1");
  const char *token = iocd_test_token (server, session, "trucban1");
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) error_body = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id, version;

  id = iocd_test_new_task (server, session, token, "LIGHT", "Đèn đường nhấp nháy (xung đột)");
  version = iocd_test_task_version (server, session, token, id);

  /* Someone else verifies it first … */
  {
    g_autofree char *verify = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT "}", version);
    g_autoptr(IocdTestResponse) r = iocd_test_act (server, session, iocd_test_token (server, session, "trucban2"),
                                                   id, "verify", verify, NULL);

    iocd_test_assert_status (r, 200, "verify by trucban2");
  }

  /* … and this console still holds the old version. */
  path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT "/reject", id);
  body = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT ", \"reason\": \"trùng lặp\"}", version);
  answer = post_json (client, path, body, NULL, &error_body, &error);
  g_assert_error (error, IOC_ERROR, IOC_ERROR_CONFLICT);
  g_assert_null (answer);
  g_assert_nonnull (error_body);
  if (error_body == NULL)
    return;

  g_assert_cmpstr (iocd_test_json_string (error_body, "error.code"), ==, "conflict");
  g_assert_nonnull (iocd_test_json_string (error_body, "error.changed_by"));
  g_assert_cmpstr (iocd_test_json_string (error_body, "error.changed_by"), !=, "");
  g_assert_cmpint (iocd_test_json_int (error_body, "task.id"), ==, id);
  g_assert_cmpstr (iocd_test_json_string (error_body, "task.state"), ==, "verified");
}

/* Event stream */

typedef struct {
  GArray   *seqs;
  gboolean  session_ended;
  gboolean  reload_needed;
  gboolean  certificate_changed;
  GError   *certificate_error;
  gboolean  got_enough;
  guint     want;
  gboolean  connected;
} Follow;

static void
on_event_cb (IocEventStream *stream,
             IocEvent       *event,
             Follow         *follow)
{
  g_array_append_val (follow->seqs, event->seq);
  if (follow->seqs->len >= follow->want)
    follow->got_enough = TRUE;
}

static void
on_session_ended_cb (IocEventStream *stream,
                     Follow         *follow)
{
  follow->session_ended = TRUE;
}

static void
on_reload_needed_cb (IocEventStream *stream,
                     Follow         *follow)
{
  follow->reload_needed = TRUE;
}

static void
on_certificate_changed_cb (IocEventStream *stream,
                           const GError   *error,
                           Follow         *follow)
{
  g_clear_error (&follow->certificate_error);
  follow->certificate_error = g_error_copy (error);
  follow->certificate_changed = TRUE;
}

static void
on_connected_notify_cb (IocEventStream *stream,
                        GParamSpec     *pspec,
                        Follow         *follow)
{
  follow->connected = ioc_event_stream_get_connected (stream);
}

static IocEventStream *
follow_stream (IocClient *client,
               Follow    *follow)
{
  IocEventStream *stream = ioc_event_stream_new (client);

  follow->seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (stream, "event", G_CALLBACK (on_event_cb), follow);
  g_signal_connect (stream, "session-ended", G_CALLBACK (on_session_ended_cb), follow);
  g_signal_connect (stream, "reload-needed", G_CALLBACK (on_reload_needed_cb), follow);
  g_signal_connect (stream, "certificate-changed", G_CALLBACK (on_certificate_changed_cb), follow);
  g_signal_connect (stream, "notify::connected", G_CALLBACK (on_connected_notify_cb), follow);

  return stream;
}

static void
follow_clear (Follow *follow)
{
  g_clear_pointer (&follow->seqs, g_array_unref);
  g_clear_error (&follow->certificate_error);
}

static gboolean
wait_events (Follow *follow,
             guint   n,
             guint   timeout_ms)
{
  follow->want = n;
  follow->got_enough = follow->seqs->len >= n;
  return run_until (&follow->got_enough, timeout_ms);
}

static gint64
snapshot_seq (IocClient *client)
{
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;

  list = get_json (client, "/api/v1/tasks?limit=1", &error);
  g_assert_no_error (error);
  return list ? iocd_test_json_int (list, "event_seq") : -1;
}

/* Two events: an intake and a comment on it, by the harness's own session. */
static void
make_changes (void)
{
  const char *token = iocd_test_token (server, session, "trucban2");
  gint64 id = iocd_test_new_task (server, session, token, "LIGHT", "Đèn đường hỏng (luồng sự kiện)");
  g_autoptr(IocdTestResponse) r = iocd_test_act (server, session, token, id, "comment",
                                                 "{\"text\": \"Đang theo dõi\"}", NULL);

  iocd_test_assert_status (r, 200, "comment");
}

static void
test_events_reload_needed (void)
{
  g_autoptr(IocClient) client = signed_in_client ("trucban1");
  g_autoptr(IocEventStream) stream = NULL;
  Follow follow = { 0 };

  stream = follow_stream (client, &follow);
  ioc_event_stream_start (stream, snapshot_seq (client) + 1000000);
  g_assert_true (run_until (&follow.reload_needed, WAIT_MS));
  g_assert_false (ioc_event_stream_get_connected (stream));
  g_assert_false (follow.session_ended);

  ioc_event_stream_stop (stream);
  follow_clear (&follow);
}

static void
test_events_certificate_changed (void)
{
  g_autoptr(IocClient) client = ioc_client_new (server->base_uri, other_fingerprint);
  g_autoptr(IocEventStream) stream = NULL;
  Follow follow = { 0 };

  ioc_client_set_token (client, iocd_test_token (server, session, "trucban1"));
  stream = follow_stream (client, &follow);
  ioc_event_stream_start (stream, 1);
  g_assert_true (run_until (&follow.certificate_changed, WAIT_MS));
  g_assert_error (follow.certificate_error, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_CERTIFICATE_CHANGED);
  g_assert_false (ioc_event_stream_get_connected (stream));
  g_assert_cmpuint (follow.seqs->len, ==, 0);

  follow_clear (&follow);
}

static void
test_events_session_ended (void)
{
  g_autoptr(IocClient) client = signed_in_client ("trucban3");
  g_autoptr(IocEventStream) stream = NULL;
  Follow follow = { 0 };

  stream = follow_stream (client, &follow);
  ioc_event_stream_start (stream, snapshot_seq (client));
  g_assert_true (run_until (&follow.connected, WAIT_MS));

  /* Signed out elsewhere (or revoked by an admin): the server closes the
   * stream, and the reconnection is refused. */
  iocd_test_logout (server, session, ioc_client_get_token (client));
  g_assert_true (run_until (&follow.session_ended, RECONNECT_MS));
  g_assert_false (ioc_event_stream_get_connected (stream));

  follow_clear (&follow);
}

static gboolean
seqs_contain (GArray *seqs,
              gint64  seq)
{
  for (guint i = 0; i < seqs->len; i++)
    if (g_array_index (seqs, gint64, i) == seq)
      return TRUE;

  return FALSE;
}

static void
test_events_follow_and_resume (void)
{
  g_autoptr(IocClient) client = signed_in_client ("trucban1");
  g_autoptr(IocEventStream) stream = NULL;
  g_autoptr(IocdTestEvents) reference = NULL;
  g_autofree char *uri_before = g_strdup (server->base_uri);
  Follow follow = { 0 };
  GPtrArray *expected;
  gint64 seq = snapshot_seq (client);

  stream = follow_stream (client, &follow);
  ioc_event_stream_start (stream, seq);
  g_assert_true (run_until (&follow.connected, WAIT_MS));
  g_assert_cmpint (ioc_event_stream_get_last_contact (stream), >, 0);

  make_changes ();
  g_assert_true (wait_events (&follow, 2, WAIT_MS));
  g_assert_cmpint (ioc_event_stream_get_last_seq (stream), ==, g_array_index (follow.seqs, gint64, 1));

  /* Changes the stream has not taken in yet when iocd stops, and changes
   * made while it is down: the main context does not run in between, so
   * the stream learns of both only after the restart. */
  make_changes ();
  iocd_test_server_restart (server);
  g_assert_cmpstr (server->base_uri, ==, uri_before);
  make_changes ();

  g_assert_true (wait_events (&follow, 6, RECONNECT_MS));
  g_assert_true (run_until (&follow.connected, WAIT_MS));
  /* Nothing more than these arrives, nothing twice. */
  g_assert_false (wait_events (&follow, 7, QUIET_MS));

  for (guint i = 1; i < follow.seqs->len; i++)
    g_assert_cmpint (g_array_index (follow.seqs, gint64, i - 1), <, g_array_index (follow.seqs, gint64, i));

  /* Exactly what a fresh follower from the same position gets. */
  reference = iocd_test_events_connect (server, session, iocd_test_token (server, session, "trucban1"),
                                        seq, NULL);
  g_assert_nonnull (reference);
  if (reference == NULL)
    goto out;
  g_assert_true (iocd_test_events_wait (reference, 6, WAIT_MS));
  g_assert_false (iocd_test_events_wait (reference, 7, QUIET_MS));
  expected = iocd_test_events_get (reference);
  g_assert_cmpuint (expected->len, ==, follow.seqs->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_true (seqs_contain (follow.seqs, iocd_test_json_int (g_ptr_array_index (expected, i), "seq")));

out:
  ioc_event_stream_stop (stream);
  g_assert_false (ioc_event_stream_get_connected (stream));
  follow_clear (&follow);
}

/* Keyring */

static gboolean
secret_store (const char  *server_uri,
              const char  *username,
              const char  *token,
              GError     **error)
{
  Wait wait = { 0 };
  g_autoptr(GAsyncResult) result = NULL;

  ioc_secret_store_async (server_uri, username, token, NULL, wait_cb, &wait);
  result = wait_result (&wait);
  return ioc_secret_store_finish (result, error);
}

static char *
secret_lookup (const char  *server_uri,
               char       **username,
               GError     **error)
{
  Wait wait = { 0 };
  g_autoptr(GAsyncResult) result = NULL;

  ioc_secret_lookup_async (server_uri, NULL, wait_cb, &wait);
  result = wait_result (&wait);
  return ioc_secret_lookup_finish (result, username, error);
}

static gboolean
secret_clear (const char  *server_uri,
              const char  *username,
              GError     **error)
{
  Wait wait = { 0 };
  g_autoptr(GAsyncResult) result = NULL;

  ioc_secret_clear_async (server_uri, username, NULL, wait_cb, &wait);
  result = wait_result (&wait);
  return ioc_secret_clear_finish (result, error);
}

static void
test_secret_round_trip (void)
{
  const char *uri = "https://ioc.example:8443";
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *username = NULL;
  g_autofree char *keyring = NULL;

  if (g_strcmp0 (g_getenv ("SECRET_BACKEND"), "file") != 0)
    {
      g_test_skip ("needs libsecret's file backend (SECRET_BACKEND=file), as “meson test” sets");
      return;
    }

  /* In the isolated directory of this case, so no real keyring is touched. */
  keyring = g_build_filename (g_get_user_data_dir (), "test-keyring", NULL);
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);

  token = secret_lookup (uri, &username, &error);
  g_assert_no_error (error);
  g_assert_null (token);
  g_assert_null (username);

  g_assert_true (secret_store (uri, "trucban1", "token-one", &error));
  g_assert_no_error (error);
  g_assert_true (secret_store ("https://other.example:8443", "trucban2", "token-other", &error));
  g_assert_no_error (error);

  token = secret_lookup (uri, &username, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "token-one");
  g_assert_cmpstr (username, ==, "trucban1");
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&username, g_free);

  /* Signing in again replaces the entry. */
  g_assert_true (secret_store (uri, "trucban1", "token-two", &error));
  g_assert_no_error (error);
  token = secret_lookup (uri, &username, &error);
  g_assert_cmpstr (token, ==, "token-two");
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&username, g_free);

  g_assert_true (secret_clear (uri, "trucban1", &error));
  g_assert_no_error (error);
  token = secret_lookup (uri, &username, &error);
  g_assert_no_error (error);
  g_assert_null (token);
  g_assert_null (username);

  /* The other server's entry is untouched. */
  token = secret_lookup ("https://other.example:8443", &username, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "token-other");
  g_assert_cmpstr (username, ==, "trucban2");

  /* Clearing what is not there is no error. */
  g_assert_true (secret_clear (uri, "trucban1", &error));
  g_assert_no_error (error);
}

/* The process's default TLS database becomes one that asks the system's
 * for everything, and answers as it does. */
static gboolean
default_database_is_ours (void)
{
  g_autoptr(GTlsDatabase) database = g_tls_backend_get_default_database (g_tls_backend_get_default ());

  return IOC_IS_TLS_DATABASE (database);
}

static gboolean
keep_waking_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
test_tls_database (void)
{
  g_autoptr(IocClient) client = ioc_client_new (server->base_uri, NULL);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("127.0.0.1", 443);
  g_autoptr(GError) error = NULL;
  GTlsDatabase *inner;
  GTlsCertificateFlags ours, system;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint waking = g_timeout_add (20, keep_waking_cb, NULL);

  /* The system's database is read in a worker thread first. */
  while (!default_database_is_ours () && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waking);
  database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  g_assert_true (IOC_IS_TLS_DATABASE (database));
  inner = ioc_tls_database_get_inner (IOC_TLS_DATABASE (database));
  g_assert_nonnull (inner);
  g_assert_false (IOC_IS_TLS_DATABASE (inner));

  certificate = g_tls_certificate_new_from_file (g_getenv ("IOCD_TEST_CERT"), &error);
  g_assert_no_error (error);
  ours = g_tls_database_verify_chain (database, certificate, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                      identity, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  g_assert_no_error (error);
  system = g_tls_database_verify_chain (inner, certificate, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                        identity, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ours, ==, system);
  /* The test certificate is its own authority: no system authority signed it. */
  g_assert_true (ours & G_TLS_CERTIFICATE_UNKNOWN_CA);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *port = NULL;
  const char *colon;

  iocd_test_init_shared (&argc, &argv, &server, &session);

  /* Restarting on the same port, as a real iocd does, lets the event
   * stream's client reconnect to the address it knows. */
  colon = strrchr (server->base_uri, ':');
  g_assert_nonnull (colon);
  port = g_strdup (colon + 1);
  g_strfreev (server->extra_args);
  server->extra_args = g_new0 (char *, 3);
  server->extra_args[0] = g_strdup ("--listen");
  server->extra_args[1] = g_strconcat ("127.0.0.1:", port, NULL);

  g_test_add_func ("/console/client/tls-database", test_tls_database);
  g_test_add_func ("/console/client/probe", test_probe);
  g_test_add_func ("/console/client/sign-in-and-list", test_sign_in_and_list);
  g_test_add_func ("/console/client/pin/wrong-fingerprint", test_wrong_fingerprint);
  g_test_add_func ("/console/client/sign-in/wrong-password", test_wrong_password);
  g_test_add_func ("/console/client/errors", test_not_found);
  g_test_add_func ("/console/client/post/idempotent-retry", test_idempotent_retry);
  g_test_add_func ("/console/client/post/conflict", test_conflict);
  g_test_add_func ("/console/events/reload-needed", test_events_reload_needed);
  g_test_add_func ("/console/events/certificate-changed", test_events_certificate_changed);
  g_test_add_func ("/console/events/session-ended", test_events_session_ended);
  g_test_add_func ("/console/events/follow-and-resume", test_events_follow_and_resume);
  g_test_add_func ("/console/secret/round-trip", test_secret_round_trip);
  iocd_test_add_shutdown ("/console/shutdown/clean", server);

  return iocd_test_run (&server, &session);
}
