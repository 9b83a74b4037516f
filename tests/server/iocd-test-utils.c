/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "iocd-test-utils.h"

#define START_TIMEOUT_S 60
#define STOP_TIMEOUT_S 30
#define CONNECT_TIMEOUT_S 30

/* The public struct is what the tests see; the rest stays here. */
typedef struct {
  IocdTestServer       pub;
  IocdTestServerFlags  flags;
  GDataInputStream    *out;       /* iocd's stdout, kept open so that it never gets SIGPIPE */
  GString             *output;    /* what it printed on stdout during the latest start */
  goffset              log_start; /* where the latest run begins in iocd.log */
  GHashTable          *tokens;    /* username → token, for iocd_test_token() */
} ServerPrivate;

#define PRIV(server) ((ServerPrivate *) (server))

/* Waiting with a deadline on a private main context, so that a hung iocd fails
 * the test instead of hanging it, and nothing else runs meanwhile. */
typedef struct {
  gboolean done;
  gboolean timed_out;
} Wait;

static gboolean
wait_timeout_cb (gpointer data)
{
  Wait *wait = data;

  wait->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_run (Wait         *wait,
          GMainContext *context,
          guint         timeout_ms)
{
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timeout, wait_timeout_cb, wait, NULL);
  g_source_attach (timeout, context);
  while (!wait->done && !wait->timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
}

const char *
iocd_test_server_get_binary (void)
{
  const char *binary = g_getenv ("IOCD_BINARY");

  if (binary == NULL)
    g_error ("IOCD_BINARY is not set: run the server tests through “meson test”");

  return binary;
}

static const char *
required_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run the server tests through “meson test”", name);

  return value;
}

static void
child_setup (gpointer data)
{
#ifdef __linux__
  /* An aborted test must not leave its iocd running. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static char *
read_log (IocdTestServer *server,
          goffset         from)
{
  g_autofree char *path = g_build_filename (server->state_dir, "iocd.log", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, NULL))
    return g_strdup ("");
  if (from < 0 || (gsize) from > len)
    from = 0;

  return g_strdup (text + from);
}

static goffset
log_size (IocdTestServer *server)
{
  g_autofree char *path = g_build_filename (server->state_dir, "iocd.log", NULL);
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size : 0;
}

typedef struct {
  Wait   wait;
  char  *line;
  GError *error;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  LineRead *read = data;

  read->line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL,
                                                     &read->error);
  read->wait.done = TRUE;
}

static char *
after_prefix (const char *line,
              const char *prefix)
{
  const char *p = strstr (line, prefix);

  if (p == NULL)
    return NULL;

  return g_strstrip (g_strdup (p + strlen (prefix)));
}

static void
start_process (ServerPrivate *priv)
{
  IocdTestServer *server = &priv->pub;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *log_path = g_build_filename (server->state_dir, "iocd.log", NULL);
  gint64 deadline;
  int log_fd;

  g_ptr_array_add (argv, (char *) iocd_test_server_get_binary ());
  g_ptr_array_add (argv, (char *) "--demo");
  g_ptr_array_add (argv, (char *) "--demo-tasks");
  g_ptr_array_add (argv, (char *) "200");
  g_ptr_array_add (argv, (char *) "--state-dir");
  g_ptr_array_add (argv, server->state_dir);
  g_ptr_array_add (argv, (char *) "--listen");
  g_ptr_array_add (argv, (char *) "127.0.0.1:0");
  if (!(priv->flags & IOCD_TEST_SERVER_OWN_CERTIFICATE))
    {
      g_ptr_array_add (argv, (char *) "--tls-cert");
      g_ptr_array_add (argv, (char *) required_env ("IOCD_TEST_CERT"));
      g_ptr_array_add (argv, (char *) "--tls-key");
      g_ptr_array_add (argv, (char *) required_env ("IOCD_TEST_KEY"));
    }
  for (guint i = 0; server->extra_args != NULL && server->extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, server->extra_args[i]);
  g_ptr_array_add (argv, NULL);

  /* Appending keeps the log of every run when the server restarts. */
  priv->log_start = log_size (server);
  log_fd = g_open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0)
    g_error ("cannot open %s: %s", log_path, g_strerror (errno));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_take_stderr_fd (launcher, log_fd);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  /* iocd prints Vietnamese; a C locale would make g_print() escape it. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);

  g_clear_object (&server->process);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (server->process == NULL)
    g_error ("cannot start %s: %s", iocd_test_server_get_binary (), error->message);

  g_clear_object (&priv->out);
  priv->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  g_string_truncate (priv->output, 0);
  g_clear_pointer (&server->base_uri, g_free);
  g_clear_pointer (&server->fingerprint, g_free);
  g_clear_pointer (&server->demo_password, g_free);

  g_main_context_push_thread_default (context);
  deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;

  while (server->base_uri == NULL)
    {
      LineRead read = { { 0 } };
      gint64 left = deadline - g_get_monotonic_time ();
      char *value;

      if (left <= 0)
        left = 1;

      g_data_input_stream_read_line_async (priv->out, G_PRIORITY_DEFAULT, cancellable,
                                           line_read_cb, &read);
      wait_run (&read.wait, context, left / 1000 + 1);
      if (!read.wait.done)
        {
          g_cancellable_cancel (cancellable);
          while (!read.wait.done)
            g_main_context_iteration (context, TRUE);
          g_clear_pointer (&read.line, g_free);
          g_clear_error (&read.error);
          g_main_context_pop_thread_default (context);
          g_subprocess_force_exit (server->process);
          g_error ("iocd did not print its address within %d s; it printed:\n%s\nand logged:\n%s",
                   START_TIMEOUT_S, priv->output->str, read_log (server, priv->log_start));
        }

      if (read.line == NULL)
        {
          g_autofree char *log = NULL;

          g_main_context_pop_thread_default (context);
          g_subprocess_wait (server->process, NULL, NULL);
          log = read_log (server, priv->log_start);
          g_error ("iocd exited before it listened (%s); it printed:\n%s\nand logged:\n%s",
                   read.error ? read.error->message : "end of output", priv->output->str, log);
        }

      g_string_append_printf (priv->output, "%s\n", read.line);

      if ((value = after_prefix (read.line, "all with the password ")) != NULL)
        {
          g_free (server->demo_password);
          server->demo_password = value;
        }
      else if ((value = after_prefix (read.line, "certificate SHA-256 fingerprint ")) != NULL)
        {
          g_free (server->fingerprint);
          server->fingerprint = value;
        }
      else if ((value = after_prefix (read.line, "listening on ")) != NULL)
        {
          gsize len = strlen (value);

          if (len > 0 && value[len - 1] == '/')
            value[len - 1] = '\0';
          server->base_uri = value;
        }

      g_free (read.line);
    }

  g_main_context_pop_thread_default (context);

  if (server->fingerprint == NULL)
    g_error ("iocd printed no certificate fingerprint:\n%s", priv->output->str);
  if (server->demo_password == NULL)
    g_error ("iocd printed no demo password:\n%s", priv->output->str);
}

static void
drop_log_cb (const char     *log_domain,
             GLogLevelFlags  log_level,
             const char     *message,
             gpointer        data)
{
}

IocdTestServer *
iocd_test_server_start_full (IocdTestServerFlags  flags,
                             const char * const  *extra_args)
{
  ServerPrivate *priv = g_new0 (ServerPrivate, 1);
  IocdTestServer *server = &priv->pub;
  g_autoptr(GError) error = NULL;
  static gsize quiet = 0;

  /* GTest prints debug messages as TAP comments; libsoup's and GIO's (one
   * per WebSocket frame and connection step) would bury the messages that
   * explain a failure. */
  if (g_once_init_enter (&quiet))
    {
      g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, drop_log_cb, NULL);
      g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_log_cb, NULL);
      g_log_set_handler ("GLib", G_LOG_LEVEL_DEBUG, drop_log_cb, NULL);
      g_once_init_leave (&quiet, 1);
    }

  priv->flags = flags;
  priv->output = g_string_new (NULL);
  priv->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  server->extra_args = g_strdupv ((char **) extra_args);
  server->state_dir = g_dir_make_tmp ("iocd-test-XXXXXX", &error);
  if (server->state_dir == NULL)
    g_error ("cannot make a state directory: %s", error->message);

  start_process (priv);
  return server;
}

IocdTestServer *
iocd_test_server_start (const char * const *extra_args)
{
  return iocd_test_server_start_full (IOCD_TEST_SERVER_DEFAULT, extra_args);
}

const char *
iocd_test_server_get_output (IocdTestServer *server)
{
  return PRIV (server)->output->str;
}

static void
process_wait_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Wait *wait = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  wait->done = TRUE;
}

static void report_failure (const char *format,
                            ...) G_GNUC_PRINTF (1, 2);

/* Reports a failure of the running test, or on stderr between tests. */
static void
report_failure (const char *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (g_test_get_path () != NULL && *g_test_get_path () != '\0')
    g_test_fail_printf ("%s", message);
  else
    g_printerr ("iocd-test: %s\n", message);
}

static gboolean
stop_process (ServerPrivate *priv)
{
  IocdTestServer *server = &priv->pub;
  g_autoptr(GMainContext) context = NULL;
  g_autofree char *log = NULL;
  Wait wait = { 0 };
  gboolean clean = TRUE;

  if (server->process == NULL)
    return TRUE;

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait_async (server->process, NULL, process_wait_cb, &wait);
  wait_run (&wait, context, STOP_TIMEOUT_S * 1000);
  if (!wait.done)
    {
      g_subprocess_force_exit (server->process);
      while (!wait.done)
        g_main_context_iteration (context, TRUE);
      report_failure ("iocd did not stop within %d s of SIGTERM", STOP_TIMEOUT_S);
      clean = FALSE;
    }
  g_main_context_pop_thread_default (context);

  log = read_log (server, priv->log_start);

  if (clean && !(g_subprocess_get_if_exited (server->process) &&
                 g_subprocess_get_exit_status (server->process) == 0))
    {
      if (g_subprocess_get_if_signaled (server->process))
        report_failure ("iocd was killed by signal %d on SIGTERM; its log:\n%s",
                        g_subprocess_get_term_sig (server->process), log);
      else
        report_failure ("iocd exited with status %d on SIGTERM; its log:\n%s",
                        g_subprocess_get_exit_status (server->process), log);
      clean = FALSE;
    }

  /* A critical is a programming error in iocd even when every answer was right. */
  if (strstr (log, "-CRITICAL **") != NULL || strstr (log, "-ERROR **") != NULL)
    {
      report_failure ("iocd logged criticals or errors:\n%s", log);
      clean = FALSE;
    }
  else if (strstr (log, "-WARNING **") != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (log, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (strstr (lines[i], "-WARNING **") != NULL)
          g_test_message ("iocd: %s", lines[i]);
    }

  g_clear_object (&priv->out);
  g_clear_object (&server->process);
  return clean;
}

void
iocd_test_server_stop (IocdTestServer *server)
{
  stop_process (PRIV (server));
}

void
iocd_test_server_restart (IocdTestServer *server)
{
  stop_process (PRIV (server));
  start_process (PRIV (server));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }

  g_rmdir (path);
}

void
iocd_test_server_free (IocdTestServer *server)
{
  ServerPrivate *priv = PRIV (server);

  if (server == NULL)
    return;

  stop_process (priv);
  if (server->state_dir != NULL)
    remove_tree (server->state_dir);

  g_free (server->state_dir);
  g_free (server->base_uri);
  g_free (server->fingerprint);
  g_free (server->demo_password);
  g_strfreev (server->extra_args);
  g_string_free (priv->output, TRUE);
  g_hash_table_unref (priv->tokens);
  g_free (priv);
}

/* Responses */

void
iocd_test_response_free (IocdTestResponse *r)
{
  if (r == NULL)
    return;

  g_clear_pointer (&r->body, json_node_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_free (r->text);
  g_free (r);
}

/* Sessions */

#define FINGERPRINT_KEY "iocd-test-fingerprint"
#define PEER_CERTIFICATE_KEY "iocd-test-peer-certificate"
#define PINNED_KEY "iocd-test-pinned"

char *
iocd_test_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GString) out = g_string_new (NULL);
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;

  g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &digest_len);
  for (gsize i = 0; i < digest_len; i++)
    g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", digest[i]);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       SoupSession          *session)
{
  const char *pin = g_object_get_data (G_OBJECT (session), FINGERPRINT_KEY);
  g_autofree char *seen = iocd_test_certificate_fingerprint (certificate);

  g_object_set_data_full (G_OBJECT (session), PEER_CERTIFICATE_KEY, g_object_ref (certificate),
                          g_object_unref);

  /* Pinned like the console pins: the fingerprint decides, not the CA. */
  return pin != NULL && seen != NULL && g_ascii_strcasecmp (pin, seen) == 0;
}

static void
request_queued_cb (SoupSession *session,
                   SoupMessage *msg,
                   gpointer     data)
{
  if (g_object_get_data (G_OBJECT (msg), PINNED_KEY) != NULL)
    return;

  g_object_set_data (G_OBJECT (msg), PINNED_KEY, GINT_TO_POINTER (TRUE));
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), session, 0);
}

SoupSession *
iocd_test_session_new_for_fingerprint (const char *fingerprint)
{
  SoupSession *session;

  /* No CA database: every certificate goes through the pin, none is trusted
   * because some authority signed it. The event socket holds a connection of
   * its own, hence more than the default two per host. */
  session = soup_session_new_with_options ("timeout", 30,
                                           "tls-database", NULL,
                                           "max-conns-per-host", 8,
                                           "user-agent", "iocd-test/" PACKAGE_VERSION,
                                           NULL);
  g_object_set_data_full (G_OBJECT (session), FINGERPRINT_KEY, g_strdup (fingerprint), g_free);
  g_signal_connect (session, "request-queued", G_CALLBACK (request_queued_cb), NULL);

  return session;
}

SoupSession *
iocd_test_session_new (IocdTestServer *server)
{
  return iocd_test_session_new_for_fingerprint (server->fingerprint);
}

GTlsCertificate *
iocd_test_session_get_peer_certificate (SoupSession *session)
{
  return g_object_get_data (G_OBJECT (session), PEER_CERTIFICATE_KEY);
}

/* Requests */

SoupMessage *
iocd_test_message_new (IocdTestServer *server,
                       const char     *method,
                       const char     *path,
                       const char     *token)
{
  g_autofree char *uri = g_strconcat (server->base_uri, path, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  if (msg == NULL)
    {
      g_test_fail_printf ("cannot make a request to “%s”: not a valid URI", uri);
      return NULL;
    }

  if (token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }

  return msg;
}

IocdTestResponse *
iocd_test_send (SoupSession *session,
                SoupMessage *msg)
{
  IocdTestResponse *r = g_new0 (IocdTestResponse, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gconstpointer data;
  gsize len = 0;

  if (msg == NULL)
    return r;

  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  if (bytes == NULL)
    {
      g_autofree char *uri = g_uri_to_string (soup_message_get_uri (msg));

      g_test_message ("%s %s: no response: %s", soup_message_get_method (msg), uri, error->message);
      return r;
    }

  r->status = soup_message_get_status (msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  data = g_bytes_get_data (bytes, &len);
  r->text = g_strndup (data ? data : "", len);

  if (len > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();

      if (json_parser_load_from_data (parser, r->text, -1, NULL))
        r->body = json_parser_steal_root (parser);
    }

  return r;
}

IocdTestResponse *
iocd_test_request_bytes (IocdTestServer *server,
                         SoupSession    *session,
                         const char     *method,
                         const char     *path,
                         const char     *token,
                         GBytes         *body,
                         const char     *content_type)
{
  g_autoptr(SoupMessage) msg = iocd_test_message_new (server, method, path, token);

  if (msg != NULL && body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);

  return iocd_test_send (session, msg);
}

IocdTestResponse *
iocd_test_request (IocdTestServer *server,
                   SoupSession    *session,
                   const char     *method,
                   const char     *path,
                   const char     *token,
                   const char     *body,
                   const char     *idempotency_key)
{
  g_autoptr(SoupMessage) msg = iocd_test_message_new (server, method, path, token);

  if (msg == NULL)
    return iocd_test_send (session, NULL);

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (idempotency_key != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Idempotency-Key",
                                  idempotency_key);

  return iocd_test_send (session, msg);
}

char *
iocd_test_login_body (const char *username,
                      const char *password)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, username);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, password);
  return iocd_test_json_finish (b);
}

char *
iocd_test_login (IocdTestServer *server,
                 SoupSession    *session,
                 const char     *username,
                 const char     *password)
{
  g_autoptr(IocdTestResponse) r = NULL;
  g_autofree char *body = iocd_test_login_body (username, password ? password : server->demo_password);
  g_autofree char *what = g_strdup_printf ("signing in as %s", username);
  const char *token;

  r = iocd_test_request (server, session, "POST", "/api/v1/session", NULL, body, NULL);
  iocd_test_assert_status (r, 200, what);

  token = iocd_test_json_string (r->body, "token");
  g_assert_nonnull (token);

  return g_strdup (token);
}

const char *
iocd_test_token (IocdTestServer *server,
                 SoupSession    *session,
                 const char     *username)
{
  GHashTable *tokens = PRIV (server)->tokens;
  char *token = g_hash_table_lookup (tokens, username);

  if (token == NULL)
    {
      token = iocd_test_login (server, session, username, NULL);
      if (token == NULL)
        return "";
      g_hash_table_insert (tokens, g_strdup (username), token);
    }

  return token;
}

void
iocd_test_logout (IocdTestServer *server,
                  SoupSession    *session,
                  const char     *token)
{
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "DELETE", "/api/v1/session", token,
                                                     NULL, NULL);

  iocd_test_assert_status (r, 204, "signing out");
}

/* Answers */

gboolean
iocd_test_check_status (IocdTestResponse *r,
                        guint             expected,
                        const char       *what)
{
  if (r->status == expected)
    return TRUE;

  iocd_test_fail ("%s: expected HTTP %u, got %u: %.300s", what, expected, r->status, r->text ? r->text : "");
  return FALSE;
}

gboolean
iocd_test_check_error (IocdTestResponse *r,
                       guint             status,
                       const char       *code,
                       const char       *field,
                       const char       *what)
{
  JsonNode *error = iocd_test_json_get (r->body, "error");
  const char *got_code = iocd_test_json_string (r->body, "error.code");
  const char *got_field = iocd_test_json_string (r->body, "error.field");

  if (!iocd_test_check_status (r, status, what))
    return FALSE;

  if (error == NULL || !JSON_NODE_HOLDS_OBJECT (error) || got_code == NULL ||
      iocd_test_json_string (r->body, "error.message") == NULL)
    {
      iocd_test_fail ("%s: HTTP %u without {error: {code, message}}: %.300s", what, r->status,
                      r->text ? r->text : "");
      return FALSE;
    }

  if (code != NULL && g_strcmp0 (got_code, code) != 0)
    {
      iocd_test_fail ("%s: expected error code “%s”, got “%s”", what, code, got_code);
      return FALSE;
    }

  if (field != NULL && g_strcmp0 (got_field, *field ? field : NULL) != 0)
    {
      iocd_test_fail ("%s: expected error.field “%s”, got “%s”: %.300s", what, field,
                      got_field ? got_field : "(none)", r->text);
      return FALSE;
    }

  return TRUE;
}

gboolean
iocd_test_check_unauthorized (IocdTestResponse *r,
                              const char       *what)
{
  if (!iocd_test_check_error (r, 401, "unauthorized", NULL, what))
    return FALSE;

  if (soup_message_headers_get_one (r->headers, "WWW-Authenticate") == NULL)
    {
      iocd_test_fail ("%s: 401 without WWW-Authenticate", what);
      return FALSE;
    }

  return TRUE;
}

gboolean
iocd_test_assert_status (IocdTestResponse *r,
                         guint             expected,
                         const char       *what)
{
  if (r->status != expected)
    g_test_message ("%s: expected HTTP %u, got %u: %.300s", what, expected, r->status,
                    r->text ? r->text : "");
  g_assert_cmpuint (r->status, ==, expected);

  return r->status == expected;
}

/* JSON */

JsonNode *
iocd_test_json_get (JsonNode   *node,
                    const char *dotted_path)
{
  g_auto(GStrv) parts = NULL;

  if (node == NULL || dotted_path == NULL)
    return NULL;

  parts = g_strsplit (dotted_path, ".", -1);
  for (guint i = 0; parts[i] != NULL && node != NULL; i++)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        node = json_object_get_member (json_node_get_object (node), parts[i]);
      else if (JSON_NODE_HOLDS_ARRAY (node) && g_ascii_isdigit (parts[i][0]))
        {
          JsonArray *array = json_node_get_array (node);
          char *end = NULL;
          guint64 index = g_ascii_strtoull (parts[i], &end, 10);

          if (*end != '\0' || index >= json_array_get_length (array))
            return NULL;
          node = json_array_get_element (array, index);
        }
      else
        return NULL;
    }

  return node;
}

const char *
iocd_test_json_string (JsonNode   *node,
                       const char *dotted_path)
{
  JsonNode *value = iocd_test_json_get (node, dotted_path);

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
      json_node_get_value_type (value) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (value);
}

gint64
iocd_test_json_int (JsonNode   *node,
                    const char *dotted_path)
{
  JsonNode *value = iocd_test_json_get (node, dotted_path);

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
      json_node_get_value_type (value) != G_TYPE_INT64)
    return -1;

  return json_node_get_int (value);
}

gint64
iocd_test_json_time (JsonNode   *node,
                     const char *dotted_path)
{
  const char *text = iocd_test_json_string (node, dotted_path);
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL)
    return 0;

  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return 0;

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

gboolean
iocd_test_json_has (JsonNode   *node,
                    const char *dotted_path)
{
  return iocd_test_json_get (node, dotted_path) != NULL;
}

char *
iocd_test_json_finish (JsonBuilder *builder)
{
  g_autoptr(JsonNode) node = NULL;

  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  return json_to_string (node, FALSE);
}

/* Tasks */

JsonNode *
iocd_test_intake (IocdTestServer *server,
                  SoupSession    *session,
                  const char     *token,
                  const char     *category,
                  const char     *title)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(IocdTestResponse) r = NULL;
  g_autofree char *body = NULL;
  g_autofree char *what = g_strdup_printf ("intake of “%s”", title);

  /* A point in Ninh Kiều, the city centre, so that map filters see it. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, "hotline");
  json_builder_set_member_name (b, "category");
  json_builder_add_string_value (b, category);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, title);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, "Phản ánh do bộ kiểm thử tạo (test data)");
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, "Đường 30 Tháng 4, phường Ninh Kiều");
  json_builder_set_member_name (b, "location");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "lat");
  json_builder_add_double_value (b, 10.0291);
  json_builder_set_member_name (b, "lon");
  json_builder_add_double_value (b, 105.7706);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "reporter");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "Người Kiểm Thử");
  json_builder_set_member_name (b, "phone");
  json_builder_add_string_value (b, "0900000000");
  json_builder_end_object (b);
  body = iocd_test_json_finish (b);

  r = iocd_test_request (server, session, "POST", "/api/v1/tasks", token, body, NULL);
  if (!iocd_test_assert_status (r, 201, what) || r->body == NULL || !JSON_NODE_HOLDS_OBJECT (r->body))
    return NULL;

  return json_node_ref (r->body);
}

gint64
iocd_test_new_task (IocdTestServer *server,
                    SoupSession    *session,
                    const char     *token,
                    const char     *category,
                    const char     *title)
{
  g_autoptr(JsonNode) task = iocd_test_intake (server, session, token, category, title);
  gint64 id = task != NULL ? iocd_test_json_int (task, "id") : 0;

  g_assert_cmpint (id, >, 0);
  return MAX (id, 0);
}

IocdTestResponse *
iocd_test_act (IocdTestServer *server,
               SoupSession    *session,
               const char     *token,
               gint64          id,
               const char     *action,
               const char     *body,
               const char     *idempotency_key)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT "/%s", id, action);

  return iocd_test_request (server, session, "POST", path, token, body, idempotency_key);
}

IocdTestResponse *
iocd_test_get_task (IocdTestServer *server,
                    SoupSession    *session,
                    const char     *token,
                    gint64          id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, id);

  return iocd_test_request (server, session, "GET", path, token, NULL, NULL);
}

JsonNode *
iocd_test_fetch_task (IocdTestServer *server,
                      SoupSession    *session,
                      const char     *token,
                      gint64          id)
{
  g_autoptr(IocdTestResponse) r = iocd_test_get_task (server, session, token, id);
  g_autofree char *what = g_strdup_printf ("GET of task %" G_GINT64_FORMAT, id);

  if (!iocd_test_assert_status (r, 200, what) || r->body == NULL)
    return NULL;

  return json_node_copy (r->body);
}

gint64
iocd_test_task_version (IocdTestServer *server,
                        SoupSession    *session,
                        const char     *token,
                        gint64          id)
{
  g_autoptr(JsonNode) task = iocd_test_fetch_task (server, session, token, id);

  return iocd_test_json_int (task, "version");
}

guint
iocd_test_timeline_length (JsonNode *task)
{
  JsonNode *timeline = iocd_test_json_get (task, "timeline");

  g_assert_true (timeline != NULL && JSON_NODE_HOLDS_ARRAY (timeline));
  if (timeline == NULL || !JSON_NODE_HOLDS_ARRAY (timeline))
    return 0;

  return json_array_get_length (json_node_get_array (timeline));
}

/* One action of iocd_test_advance(), with @member: @value in the body if not NULL. */
static gboolean
advance_step (IocdTestServer *server,
              SoupSession    *session,
              gint64          id,
              const char     *version_token,
              const char     *token,
              const char     *action,
              const char     *member,
              const char     *value)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(IocdTestResponse) r = NULL;
  g_autofree char *body = NULL;
  g_autofree char *what = g_strdup_printf ("setting up task %" G_GINT64_FORMAT ": %s", id, action);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, iocd_test_task_version (server, session, version_token, id));
  if (member != NULL)
    {
      json_builder_set_member_name (b, member);
      json_builder_add_string_value (b, value);
    }
  body = iocd_test_json_finish (b);

  r = iocd_test_act (server, session, token, id, action, body, NULL);
  return iocd_test_assert_status (r, 200, what);
}

gboolean
iocd_test_advance (IocdTestServer *server,
                   SoupSession    *session,
                   gint64          id,
                   IocdTestStage   stage,
                   const char     *operator_token,
                   const char     *liaison_token,
                   const char     *department)
{
  const char *op = operator_token;

  if (stage >= IOCD_TEST_AT_VERIFIED &&
      !advance_step (server, session, id, op, op, "verify", NULL, NULL))
    return FALSE;
  if (stage >= IOCD_TEST_AT_FORWARDED &&
      !advance_step (server, session, id, op, op, "forward", "department", department))
    return FALSE;
  if (stage >= IOCD_TEST_AT_ACKNOWLEDGED &&
      !advance_step (server, session, id, op, liaison_token, "acknowledge", NULL, NULL))
    return FALSE;
  if (stage >= IOCD_TEST_AT_IN_PROGRESS &&
      !advance_step (server, session, id, op, liaison_token, "start", NULL, NULL))
    return FALSE;
  if (stage >= IOCD_TEST_AT_RESOLVED &&
      !advance_step (server, session, id, op, liaison_token, "resolve", "result", "đã thay bóng đèn"))
    return FALSE;

  return TRUE;
}

GPtrArray *
iocd_test_list_tasks (IocdTestServer *server,
                      SoupSession    *session,
                      const char     *token,
                      const char     *query,
                      guint           limit,
                      guint          *n_pages)
{
  GPtrArray *tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *after = NULL;
  /* A list that goes on past 100,000 tasks (or 100 pages) never ends. */
  guint max_pages = MAX (100, 100000 / MAX (limit, 1));
  guint pages = 0;

  for (;;)
    {
      g_autoptr(GString) path = g_string_new (NULL);
      g_autoptr(IocdTestResponse) r = NULL;
      JsonNode *array;
      JsonArray *page;
      const char *next;

      if (pages >= max_pages)
        {
          g_test_message ("the list of tasks for “%s” never ends", query ? query : "");
          g_assert_cmpuint (pages, <, max_pages);
          break;
        }

      g_string_printf (path, "/api/v1/tasks?limit=%u", limit);
      if (query != NULL && query[0] != '\0')
        g_string_append_printf (path, "&%s", query);
      if (after != NULL)
        {
          g_autofree char *escaped = g_uri_escape_string (after, NULL, FALSE);

          g_string_append_printf (path, "&after=%s", escaped);
        }

      r = iocd_test_request (server, session, "GET", path->str, token, NULL, NULL);
      pages++;
      if (!iocd_test_assert_status (r, 200, path->str))
        break;

      array = iocd_test_json_get (r->body, "tasks");
      g_assert_true (array != NULL && JSON_NODE_HOLDS_ARRAY (array));
      if (array == NULL || !JSON_NODE_HOLDS_ARRAY (array))
        break;
      page = json_node_get_array (array);
      g_assert_cmpuint (json_array_get_length (page), <=, limit);
      for (guint i = 0; i < json_array_get_length (page); i++)
        g_ptr_array_add (tasks, json_node_ref (json_array_get_element (page, i)));

      next = iocd_test_json_string (r->body, "next");
      if (next == NULL)
        break;
      g_free (after);
      after = g_strdup (next);
    }

  if (n_pages != NULL)
    *n_pages = pages;
  return tasks;
}

JsonNode *
iocd_test_find_task (GPtrArray *tasks,
                     gint64     id)
{
  for (guint i = 0; i < tasks->len; i++)
    if (iocd_test_json_int (g_ptr_array_index (tasks, i), "id") == id)
      return g_ptr_array_index (tasks, i);

  return NULL;
}

/* Events */

struct _IocdTestEvents
{
  SoupWebsocketConnection *connection;
  GMainContext            *context;
  GPtrArray               *events;
  gboolean                 closed;
  gulong                   message_id;
  gulong                   closed_id;
};

static void
events_message_cb (SoupWebsocketConnection *connection,
                   int                      type,
                   GBytes                  *message,
                   IocdTestEvents          *events)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *data = g_bytes_get_data (message, &len);

  if (type == SOUP_WEBSOCKET_DATA_TEXT && json_parser_load_from_data (parser, data, len, NULL))
    {
      g_autoptr(JsonNode) root = json_parser_steal_root (parser);

      /* A burst comes as one array of events: the tests see them one by one. */
      if (JSON_NODE_HOLDS_ARRAY (root))
        {
          JsonArray *array = json_node_get_array (root);

          for (guint i = 0; i < json_array_get_length (array); i++)
            g_ptr_array_add (events->events, json_array_dup_element (array, i));
        }
      else
        g_ptr_array_add (events->events, g_steal_pointer (&root));
    }
  else
    {
      JsonNode *node = json_node_new (JSON_NODE_VALUE);

      /* Kept, so that the test sees something it cannot read instead of a gap. */
      json_node_set_string (node, "(not a JSON event)");
      g_ptr_array_add (events->events, node);
    }
}

static void
events_closed_cb (SoupWebsocketConnection *connection,
                  IocdTestEvents          *events)
{
  events->closed = TRUE;
}

typedef struct {
  Wait                     wait;
  SoupWebsocketConnection *connection;
  GError                  *error;
} Connect;

static void
websocket_connect_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  Connect *connect = data;

  connect->connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
                                                               &connect->error);
  connect->wait.done = TRUE;
}

IocdTestEvents *
iocd_test_events_connect (IocdTestServer *server,
                          SoupSession    *session,
                          const char     *token,
                          gint64          after,
                          guint          *status)
{
  g_autofree char *path = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  IocdTestEvents *events;
  Connect connect = { { 0 } };

  if (status != NULL)
    *status = 0;

  if (after >= 0)
    path = g_strdup_printf ("/api/v1/events?after=%" G_GINT64_FORMAT, after);
  else
    path = g_strdup ("/api/v1/events");

  msg = iocd_test_message_new (server, "GET", path, token);
  if (msg == NULL)
    return NULL;

  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        websocket_connect_cb, &connect);
  wait_run (&connect.wait, context, CONNECT_TIMEOUT_S * 1000);
  if (!connect.wait.done)
    {
      /* The callback still points at this frame: it must run before we leave. */
      soup_session_abort (session);
      while (!connect.wait.done)
        g_main_context_iteration (context, TRUE);
      g_test_message ("WebSocket handshake to %s did not finish in %d s", path, CONNECT_TIMEOUT_S);
    }

  if (status != NULL)
    *status = soup_message_get_status (msg);

  if (connect.connection == NULL)
    {
      g_test_message ("WebSocket %s refused: %u %s", path, soup_message_get_status (msg),
                      connect.error ? connect.error->message : "");
      g_clear_error (&connect.error);
      return NULL;
    }

  events = g_new0 (IocdTestEvents, 1);
  events->connection = connect.connection;
  events->context = g_steal_pointer (&context);
  events->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  events->message_id = g_signal_connect (events->connection, "message",
                                         G_CALLBACK (events_message_cb), events);
  events->closed_id = g_signal_connect (events->connection, "closed",
                                        G_CALLBACK (events_closed_cb), events);

  return events;
}

gboolean
iocd_test_events_wait (IocdTestEvents *events,
                       guint           n,
                       guint           timeout_ms)
{
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);
  Wait wait = { 0 };

  g_source_set_callback (timeout, wait_timeout_cb, &wait, NULL);
  g_source_attach (timeout, events->context);
  /* A closed socket brings nothing more: no use waiting. */
  while (events->events->len < n && !wait.timed_out && !events->closed)
    g_main_context_iteration (events->context, TRUE);
  g_source_destroy (timeout);

  return events->events->len >= n;
}

GPtrArray *
iocd_test_events_get (IocdTestEvents *events)
{
  return events->events;
}

gboolean
iocd_test_events_is_closed (IocdTestEvents *events)
{
  return events->closed;
}

void
iocd_test_events_free (IocdTestEvents *events)
{
  if (events == NULL)
    return;

  g_clear_signal_handler (&events->message_id, events->connection);
  if (soup_websocket_connection_get_state (events->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_autoptr(GSource) timeout = g_timeout_source_new (2000);
      Wait wait = { 0 };

      /* Let the close handshake finish, so that iocd drops the client now and
       * not at its next keepalive. */
      soup_websocket_connection_close (events->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_source_set_callback (timeout, wait_timeout_cb, &wait, NULL);
      g_source_attach (timeout, events->context);
      while (!events->closed && !wait.timed_out)
        g_main_context_iteration (events->context, TRUE);
      g_source_destroy (timeout);
    }
  g_clear_signal_handler (&events->closed_id, events->connection);

  g_clear_object (&events->connection);
  g_clear_pointer (&events->context, g_main_context_unref);
  g_clear_pointer (&events->events, g_ptr_array_unref);
  g_free (events);
}

/* Programs */

void
iocd_test_init_shared (int             *argc,
                       char          ***argv,
                       IocdTestServer **server,
                       SoupSession    **session)
{
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* One server serves every case: a failed check must not end the others. */
  g_test_set_nonfatal_assertions ();

  *server = iocd_test_server_start (NULL);
  *session = iocd_test_session_new (*server);
}

static void
test_shutdown (gconstpointer data)
{
  IocdTestServer *server = (IocdTestServer *) data;

  /* SIGTERM ends iocd cleanly after everything before; a crash or a critical
   * on the way out fails here. */
  iocd_test_server_stop (server);
}

void
iocd_test_add_shutdown (const char     *test_path,
                        IocdTestServer *server)
{
  g_test_add_data_func (test_path, server, test_shutdown);
}

int
iocd_test_run (IocdTestServer **server,
               SoupSession    **session)
{
  int ret = g_test_run ();

  g_clear_object (session);
  g_clear_pointer (server, iocd_test_server_free);

  return ret;
}
