/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "iocd-test-utils.h"

/* One iocd for the whole program: seeding the demo city costs seconds. */
static IocdTestServer *server;
static SoupSession *session;

/* A client with the system's trust store and no pin, like a browser. */
static SoupSession *
unpinned_session_new (void)
{
  return soup_session_new_with_options ("timeout", 10, NULL);
}

static IocdTestResponse *
try_login (const char *username,
           const char *password)
{
  g_autofree char *body = iocd_test_login_body (username, password);

  return iocd_test_request (server, session, "POST", "/api/v1/session", NULL, body, NULL);
}

static void
test_login_ok (void)
{
  g_autoptr(IocdTestResponse) r = try_login ("trucban1", server->demo_password);
  g_autoptr(IocdTestResponse) me = NULL;
  const char *token;
  gint64 expires_at;
  gint64 now = g_get_real_time ();

  g_assert_cmpuint (r->status, ==, 200);
  token = iocd_test_json_string (r->body, "token");
  g_assert_nonnull (token);
  g_assert_cmpuint (strlen (token), >=, 32);
  g_assert_cmpstr (iocd_test_json_string (r->body, "user.username"), ==, "trucban1");
  g_assert_cmpstr (iocd_test_json_string (r->body, "user.role"), ==, "operator");
  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Cache-Control"), ==, "no-store");
  /* Neither the password nor its hash ever travels back. */
  g_assert_null (strstr (r->text, server->demo_password));
  g_assert_null (strstr (r->text, "argon2"));
  g_assert_null (iocd_test_json_get (r->body, "user.password_hash"));

  /* Sessions last the configured 12 hours. */
  expires_at = iocd_test_json_time (r->body, "expires_at");
  g_assert_cmpint (expires_at, >, now + (gint64) 11 * 3600 * G_USEC_PER_SEC);
  g_assert_cmpint (expires_at, <, now + (gint64) 13 * 3600 * G_USEC_PER_SEC);

  if (token == NULL)
    return;
  me = iocd_test_request (server, session, "GET", "/api/v1/session", token, NULL, NULL);
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpstr (iocd_test_json_string (me->body, "username"), ==, "trucban1");
  g_assert_cmpstr (iocd_test_json_string (me->body, "role"), ==, "operator");
  g_assert_cmpint (iocd_test_json_int (me->body, "id"), ==, iocd_test_json_int (r->body, "user.id"));
}

static void
test_login_wrong_password (void)
{
  g_autoptr(IocdTestResponse) wrong = try_login ("trucban3", "not the password");
  g_autoptr(IocdTestResponse) unknown = try_login ("khong.ton.tai", "not the password");
  g_autoptr(IocdTestResponse) right = NULL;

  iocd_test_check_unauthorized (wrong, "signing in with a wrong password");
  g_assert_null (iocd_test_json_get (wrong->body, "token"));

  /* An unknown name reads exactly like a wrong password: no account probing. */
  iocd_test_check_error (unknown, 401, "unauthorized", NULL, "signing in as an unknown user");
  g_assert_cmpstr (iocd_test_json_string (unknown->body, "error.message"), ==,
                   iocd_test_json_string (wrong->body, "error.message"));

  right = try_login ("trucban3", server->demo_password);
  g_assert_cmpuint (right->status, ==, 200);
}

static void
test_session_get (void)
{
  g_autofree char *token = iocd_test_login (server, session, "lienlac.sxd", NULL);
  g_autoptr(IocdTestResponse) me = NULL;
  g_autoptr(IocdTestResponse) none = NULL;
  g_autoptr(IocdTestResponse) garbage = NULL;
  g_autoptr(IocdTestResponse) basic = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  me = iocd_test_request (server, session, "GET", "/api/v1/session", token, NULL, NULL);
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpstr (iocd_test_json_string (me->body, "username"), ==, "lienlac.sxd");
  g_assert_cmpstr (iocd_test_json_string (me->body, "role"), ==, "liaison");
  g_assert_cmpstr (iocd_test_json_string (me->body, "department"), ==, "SXD");

  none = iocd_test_request (server, session, "GET", "/api/v1/session", NULL, NULL, NULL);
  iocd_test_check_error (none, 401, "unauthorized", NULL, "GET /api/v1/session without a token");

  garbage = iocd_test_request (server, session, "GET", "/api/v1/session",
                               "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL);
  iocd_test_check_error (garbage, 401, "unauthorized", NULL, "GET /api/v1/session with a made-up token");

  /* The token under another scheme is not a bearer token. */
  msg = iocd_test_message_new (server, "GET", "/api/v1/session", NULL);
  if (msg != NULL)
    {
      g_autofree char *value = g_strconcat ("Basic ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  basic = iocd_test_send (session, msg);
  iocd_test_check_error (basic, 401, "unauthorized", NULL, "GET /api/v1/session with the token as Basic");
}

static void
test_logout (void)
{
  g_autofree char *keep = iocd_test_login (server, session, "trucban1", NULL);
  g_autofree char *token = iocd_test_login (server, session, "trucban1", NULL);
  g_autoptr(IocdTestResponse) me = NULL;
  g_autoptr(IocdTestResponse) tasks = NULL;
  g_autoptr(IocdTestResponse) again = NULL;
  g_autoptr(IocdTestResponse) other = NULL;

  g_assert_cmpstr (keep, !=, token);

  iocd_test_logout (server, session, token);

  me = iocd_test_request (server, session, "GET", "/api/v1/session", token, NULL, NULL);
  iocd_test_check_error (me, 401, "unauthorized", NULL, "GET /api/v1/session after signing out");
  tasks = iocd_test_request (server, session, "GET", "/api/v1/tasks?limit=1", token, NULL, NULL);
  iocd_test_check_error (tasks, 401, "unauthorized", NULL, "GET /api/v1/tasks after signing out");
  again = iocd_test_request (server, session, "DELETE", "/api/v1/session", token, NULL, NULL);
  iocd_test_check_error (again, 401, "unauthorized", NULL, "signing out twice");

  /* Signing out ends that session only, not the user's other desks. */
  other = iocd_test_request (server, session, "GET", "/api/v1/session", keep, NULL, NULL);
  g_assert_cmpuint (other->status, ==, 200);
}

static void
test_lockout (void)
{
  g_autoptr(IocdTestResponse) locked = NULL;
  g_autoptr(IocdTestResponse) still = NULL;
  g_autoptr(IocdTestResponse) other = NULL;
  const char *retry_after;
  gint64 seconds;

  /* trucban2 is locked out for the rest of this program: no other test uses it. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(IocdTestResponse) r = try_login ("trucban2", "sai mật khẩu");

      iocd_test_check_error (r, 401, "unauthorized", NULL, "a wrong password before the lockout");
    }

  locked = try_login ("trucban2", server->demo_password);
  iocd_test_check_error (locked, 429, "rate_limited", NULL, "the right password when locked out");
  g_assert_null (iocd_test_json_get (locked->body, "token"));
  retry_after = locked->headers ? soup_message_headers_get_one (locked->headers, "Retry-After") : NULL;
  g_assert_nonnull (retry_after);
  if (retry_after != NULL)
    {
      g_assert_true (g_ascii_string_to_signed (retry_after, 10, 1, 600, &seconds, NULL));
      g_assert_cmpint (seconds, >, 500);
    }

  still = try_login ("trucban2", "sai mật khẩu");
  iocd_test_check_error (still, 429, "rate_limited", NULL, "a wrong password when locked out");

  /* The lock is per user name: the others keep working. */
  other = try_login ("lanhdao", server->demo_password);
  g_assert_cmpuint (other->status, ==, 200);
}

typedef struct {
  guint pending;
  guint unauthorized;
  guint limited;
  guint other;
} Burst;

static void
burst_login_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Burst *burst = data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  guint status = soup_message_get_status (msg);

  if (status == 401)
    burst->unauthorized++;
  else if (status == 429)
    burst->limited++;
  else
    burst->other++;
  burst->pending--;
}

static void
test_lockout_parallel (void)
{
  Burst burst = { 0 };
  g_autofree char *body = iocd_test_login_body ("lienlac.stp", "đoán mò");

  /* An attacker does not wait for one answer before the next guess: the
   * limit must hold for guesses in flight at the same time too. */
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(SoupMessage) msg = iocd_test_message_new (server, "POST", "/api/v1/session", NULL);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      burst.pending++;
      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, burst_login_cb, &burst);
    }
  while (burst.pending > 0)
    g_main_context_iteration (NULL, TRUE);

  g_test_message ("16 guesses at once: %u checked (401), %u refused (429), %u other",
                  burst.unauthorized, burst.limited, burst.other);
  g_assert_cmpuint (burst.other, ==, 0);
  g_assert_cmpuint (burst.unauthorized, <=, 5);
  g_assert_cmpuint (burst.unauthorized + burst.limited, ==, 16);
}

/* Runs “iocd --state-dir DIR user ARGS…” next to the running server: the CLI
 * opens the same SQLite database, which WAL allows. */
static int
run_user_command (const char  *input,
                  char       **out,
                  char       **err,
                  ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) iocd_test_server_get_binary ());
  g_ptr_array_add (argv, (char *) "--state-dir");
  g_ptr_array_add (argv, server->state_dir);
  g_ptr_array_add (argv, (char *) "user");
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  if (process == NULL)
    return -1;

  g_subprocess_communicate_utf8 (process, input ? input : "", NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  g_test_message ("iocd user: %s%s", stdout_text ? stdout_text : "", stderr_text ? stderr_text : "");

  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);

  if (!g_subprocess_get_if_exited (process))
    return -1;
  return g_subprocess_get_exit_status (process);
}

static void
test_cli_add (void)
{
  g_autofree char *out = NULL;
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(IocdTestResponse) tasks = NULL;
  g_autofree char *token = NULL;
  int status;

  status = run_user_command ("mat-khau-kiem-thu-1\n", &out, NULL, "add", "kiemthu1", "--role", "operator",
                             "--name", "Kiểm Thử Một", "--password-stdin", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "kiemthu1"));
  /* A password given on stdin is never echoed. */
  g_assert_null (strstr (out, "mat-khau-kiem-thu-1"));

  r = try_login ("kiemthu1", "mat-khau-kiem-thu-1");
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (iocd_test_json_string (r->body, "user.role"), ==, "operator");
  g_assert_cmpstr (iocd_test_json_string (r->body, "user.display_name"), ==, "Kiểm Thử Một");
  token = g_strdup (iocd_test_json_string (r->body, "token"));
  tasks = iocd_test_request (server, session, "GET", "/api/v1/tasks?limit=1", token, NULL, NULL);
  g_assert_cmpuint (tasks->status, ==, 200);

  g_clear_pointer (&out, g_free);
  status = run_user_command ("mat-khau-lien-lac\n", NULL, NULL, "add", "lienlac.kiemthu", "--role", "liaison",
                             "--department", "SXD", "--password-stdin", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&r, iocd_test_response_free);
  r = try_login ("lienlac.kiemthu", "mat-khau-lien-lac");
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (iocd_test_json_string (r->body, "user.role"), ==, "liaison");
  g_assert_cmpstr (iocd_test_json_string (r->body, "user.department"), ==, "SXD");

  /* Without --password-stdin iocd makes up a password and prints it once. */
  status = run_user_command (NULL, &out, NULL, "add", "kiemthu2", "--role", "supervisor", NULL);
  g_assert_cmpint (status, ==, 0);
  if (out != NULL && strstr (out, "Password: ") != NULL)
    {
      g_autofree char *password = g_strstrip (g_strdup (strstr (out, "Password: ") + strlen ("Password: ")));

      g_clear_pointer (&r, iocd_test_response_free);
      r = try_login ("kiemthu2", password);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (iocd_test_json_string (r->body, "user.role"), ==, "supervisor");
    }
  else
    g_test_fail_printf ("iocd user add printed no generated password: %s", out);
}

static void
test_cli_add_refused (void)
{
  g_autofree char *err = NULL;

  g_assert_cmpint (run_user_command ("x\n", NULL, NULL, "add", "kiemthu9", "--role", "liaison",
                                     "--password-stdin", NULL), ==, 2);
  g_assert_cmpint (run_user_command ("x\n", NULL, NULL, "add", "kiemthu9", "--role", "operator",
                                     "--department", "SXD", "--password-stdin", NULL), ==, 2);
  g_assert_cmpint (run_user_command ("x\n", NULL, NULL, "add", "kiemthu9", "--role", "boss",
                                     "--password-stdin", NULL), ==, 2);
  g_assert_cmpint (run_user_command ("", NULL, NULL, "add", "kiemthu9", "--role", "operator",
                                     "--password-stdin", NULL), ==, 2);
  g_assert_cmpint (run_user_command ("x\n", NULL, NULL, "add", "kiemthu9", "--role", "liaison",
                                     "--department", "KHONGCO", "--password-stdin", NULL), ==, 1);
  g_assert_cmpint (run_user_command ("x\n", NULL, &err, "add", "trucban1", "--role", "operator",
                                     "--password-stdin", NULL), ==, 1);
  g_assert_nonnull (err);
  g_assert_nonnull (strstr (err, "trucban1"));
  g_assert_cmpint (run_user_command ("x\n", NULL, NULL, "passwd", "khong.ton.tai", "--password-stdin", NULL),
                   ==, 1);

  /* None of the refused users exists afterwards. */
  {
    g_autoptr(IocdTestResponse) r = try_login ("kiemthu9", "x");

    iocd_test_check_error (r, 401, "unauthorized", NULL, "signing in as a user the CLI refused");
  }
}

static void
test_cli_passwd (void)
{
  g_autofree char *token = NULL;
  g_autoptr(IocdTestResponse) me = NULL;
  g_autoptr(IocdTestResponse) old_password = NULL;
  g_autoptr(IocdTestResponse) new_password = NULL;
  g_autoptr(IocdTestResponse) me_again = NULL;
  const char *new_token;

  g_assert_cmpint (run_user_command ("mat-khau-cu\n", NULL, NULL, "add", "kiemthu3", "--role", "operator",
                                     "--password-stdin", NULL), ==, 0);
  token = iocd_test_login (server, session, "kiemthu3", "mat-khau-cu");

  g_assert_cmpint (run_user_command ("mat-khau-moi\n", NULL, NULL, "passwd", "kiemthu3", "--password-stdin",
                                     NULL), ==, 0);

  /* A new password ends the sessions opened with the old one. */
  me = iocd_test_request (server, session, "GET", "/api/v1/session", token, NULL, NULL);
  iocd_test_check_error (me, 401, "unauthorized", NULL, "GET /api/v1/session after a new password");

  old_password = try_login ("kiemthu3", "mat-khau-cu");
  iocd_test_check_error (old_password, 401, "unauthorized", NULL, "signing in with the old password");
  new_password = try_login ("kiemthu3", "mat-khau-moi");
  g_assert_cmpuint (new_password->status, ==, 200);
  new_token = iocd_test_json_string (new_password->body, "token");
  g_assert_nonnull (new_token);

  me_again = iocd_test_request (server, session, "GET", "/api/v1/session", new_token, NULL, NULL);
  g_assert_cmpuint (me_again->status, ==, 200);
}

static void
test_cli_list (void)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean seen_admin = FALSE, seen_liaison = FALSE;

  g_assert_cmpint (run_user_command (NULL, &out, NULL, "list", NULL), ==, 0);
  g_assert_nonnull (out);
  if (out == NULL)
    return;

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (lines[i], " ", -1);
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      g_auto(GStrv) fields = NULL;

      for (guint w = 0; words[w] != NULL; w++)
        if (words[w][0] != '\0')
          g_strv_builder_add (b, words[w]);
      fields = g_strv_builder_end (b);
      if (g_strv_length (fields) < 3)
        continue;

      if (g_str_equal (fields[0], "admin"))
        {
          seen_admin = TRUE;
          g_assert_cmpstr (fields[1], ==, "admin");
        }
      else if (g_str_equal (fields[0], "lienlac.sxd"))
        {
          seen_liaison = TRUE;
          g_assert_cmpstr (fields[1], ==, "liaison");
          g_assert_cmpstr (fields[2], ==, "SXD");
        }
    }

  g_assert_true (seen_admin);
  g_assert_true (seen_liaison);
  /* Listing shows no password material. */
  g_assert_null (strstr (out, "argon2"));
}

static void
test_tls_test_certificate (void)
{
  g_autoptr(GTlsCertificate) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *seen = NULL;
  g_autoptr(SoupSession) fresh = iocd_test_session_new (server);
  g_autoptr(IocdTestResponse) r = NULL;

  file = g_tls_certificate_new_from_file (g_getenv ("IOCD_TEST_CERT"), &error);
  g_assert_no_error (error);
  if (file == NULL)
    return;
  expected = iocd_test_certificate_fingerprint (file);
  g_assert_cmpstr (server->fingerprint, ==, expected);

  r = iocd_test_request (server, fresh, "GET", "/api/v1/server", NULL, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_nonnull (iocd_test_session_get_peer_certificate (fresh));
  if (iocd_test_session_get_peer_certificate (fresh) == NULL)
    return;
  seen = iocd_test_certificate_fingerprint (iocd_test_session_get_peer_certificate (fresh));
  g_assert_cmpstr (seen, ==, expected);
}

static void
test_tls_own_certificate (void)
{
  g_autoptr(IocdTestServer) own = iocd_test_server_start_full (IOCD_TEST_SERVER_OWN_CERTIFICATE, NULL);
  g_autoptr(SoupSession) pinned = iocd_test_session_new (own);
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(IocdTestResponse) again = NULL;
  g_autoptr(GTlsCertificate) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = g_build_filename (own->state_dir, "tls", "iocd.crt", NULL);
  g_autofree char *key_path = g_build_filename (own->state_dir, "tls", "iocd.key", NULL);
  g_autofree char *created = g_strdup_printf ("created a self-signed certificate in %s", cert_path);
  g_autofree char *from_file = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *first_fingerprint = NULL;
  GTlsCertificate *peer;
  GStatBuf st;

  g_assert_nonnull (strstr (iocd_test_server_get_output (own), created));
  g_assert_true (g_file_test (cert_path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  /* The private key is for iocd's eyes only. */
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  file = g_tls_certificate_new_from_file (cert_path, &error);
  g_assert_no_error (error);
  if (file == NULL)
    return;
  from_file = iocd_test_certificate_fingerprint (file);
  g_assert_cmpstr (own->fingerprint, ==, from_file);
  g_assert_cmpstr (own->fingerprint, !=, server->fingerprint);

  r = iocd_test_request (own, pinned, "GET", "/api/v1/server", NULL, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  peer = iocd_test_session_get_peer_certificate (pinned);
  g_assert_nonnull (peer);
  if (peer == NULL)
    return;
  /* What the client is shown is what iocd printed. */
  seen = iocd_test_certificate_fingerprint (peer);
  g_assert_cmpstr (seen, ==, own->fingerprint);
  g_assert_true (g_tls_certificate_is_same (peer, file));

  /* The certificate is made once: a restart keeps it and the pin holds. */
  first_fingerprint = g_strdup (own->fingerprint);
  iocd_test_server_restart (own);
  g_assert_null (strstr (iocd_test_server_get_output (own), "created a self-signed certificate"));
  g_assert_cmpstr (own->fingerprint, ==, first_fingerprint);
  again = iocd_test_request (own, pinned, "GET", "/api/v1/server", NULL, NULL, NULL);
  g_assert_cmpuint (again->status, ==, 200);

  iocd_test_server_stop (own);
}

static void
test_tls_wrong_fingerprint (void)
{
  g_autoptr(SoupSession) wrong = NULL;
  g_autoptr(SoupSession) plain = unpinned_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IocdTestResponse) r = NULL;
  g_autofree char *uri = g_strconcat (server->base_uri, "/api/v1/server", NULL);
  GString *bogus = g_string_new (NULL);

  /* The real fingerprint with its last byte changed: close is not enough. */
  g_string_append_len (bogus, server->fingerprint, strlen (server->fingerprint) - 2);
  g_string_append (bogus, g_str_has_suffix (server->fingerprint, "00") ? "01" : "00");
  wrong = iocd_test_session_new_for_fingerprint (bogus->str);
  g_string_free (bogus, TRUE);

  msg = soup_message_new ("GET", uri);
  body = soup_session_send_and_read (wrong, msg, NULL, &error);
  g_assert_null (body);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 0);
  /* It was shown the real certificate and said no. */
  g_assert_nonnull (iocd_test_session_get_peer_certificate (wrong));

  r = iocd_test_request (server, wrong, "GET", "/api/v1/tasks", NULL, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 0);
  g_assert_null (r->body);

  /* Nor does a client that trusts only the usual authorities get through. */
  g_clear_object (&msg);
  g_clear_pointer (&body, g_bytes_unref);
  g_clear_error (&error);
  msg = soup_message_new ("GET", uri);
  body = soup_session_send_and_read (plain, msg, NULL, &error);
  g_assert_null (body);
  g_assert_nonnull (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 0);
}

static void
test_tls_no_plain_http (void)
{
  g_autoptr(SoupSession) plain = unpinned_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  g_assert_true (g_str_has_prefix (server->base_uri, "https://"));
  uri = g_strconcat ("http://", server->base_uri + strlen ("https://"), "/api/v1/server", NULL);

  /* HTTPS only: the same port must not answer in clear text. */
  msg = soup_message_new ("GET", uri);
  body = soup_session_send_and_read (plain, msg, NULL, &error);
  g_assert_false (SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)));
  if (body != NULL)
    {
      gsize len = 0;
      const char *data = g_bytes_get_data (body, &len);

      g_assert_null (g_strstr_len (data, len, "\"event_seq\""));
    }
}

int
main (int   argc,
      char *argv[])
{
  iocd_test_init_shared (&argc, &argv, &server, &session);

  g_test_add_func ("/session/login/ok", test_login_ok);
  g_test_add_func ("/session/login/wrong-password", test_login_wrong_password);
  g_test_add_func ("/session/login/lockout", test_lockout);
  g_test_add_func ("/session/login/lockout-parallel", test_lockout_parallel);
  g_test_add_func ("/session/token/get", test_session_get);
  g_test_add_func ("/session/token/logout", test_logout);
  g_test_add_func ("/session/cli/add", test_cli_add);
  g_test_add_func ("/session/cli/add-refused", test_cli_add_refused);
  g_test_add_func ("/session/cli/passwd", test_cli_passwd);
  g_test_add_func ("/session/cli/list", test_cli_list);
  g_test_add_func ("/session/tls/test-certificate", test_tls_test_certificate);
  g_test_add_func ("/session/tls/own-certificate", test_tls_own_certificate);
  g_test_add_func ("/session/tls/wrong-fingerprint", test_tls_wrong_fingerprint);
  g_test_add_func ("/session/tls/no-plain-http", test_tls_no_plain_http);
  iocd_test_add_shutdown ("/session/shutdown/clean", server);

  return iocd_test_run (&server, &session);
}
