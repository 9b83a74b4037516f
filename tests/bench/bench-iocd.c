/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-bench"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench-state.h"
#include "bench-stats.h"

#include "ioc-core.h"

/*
 * Benchmark of a real iocd on a store of 100,000 demo tasks.
 *
 * The main process starts iocd on a fresh copy of a cached, seeded state
 * directory and measures, as an operator: GET of one task, filtered pages,
 * the supervisor overview and forwards per second. During the forwards a
 * second process (this binary with --listener) holds 50 WebSocket event
 * streams, so that decrypting and timing 50 copies of every event does not
 * run on the main loop that sends the forwards; it reports what each
 * listener received and how late. The forwards and the listeners are sent
 * and read by lean clients of their own (HTTP/1.1 and RFC 6455 over a
 * GTlsConnection), not libsoup's: on two cores, whatever the load
 * generator spends is taken from iocd.
 */

#define RANDOM_SEED 20250701

/* Figures */

static GPtrArray *summary;  /* char *, printed at the end */

static void
add_summary (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static void
add_summary (const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (summary, g_strdup_vprintf (format, args));
  va_end (args);
}

static const char *
verdict (gboolean met)
{
  return met ? "met" : "MISSED";
}

/* Process figures from /proc */

/* Other work on the machine skews every figure; the reader should know. */
static char *
load_average (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return g_strdup ("unknown");
  fields = g_strsplit (text, " ", 4);
  if (g_strv_length (fields) < 3)
    return g_strdup ("unknown");

  return g_strjoin (" ", fields[0], fields[1], fields[2], NULL);
}


static gint64
proc_status_kib (GPid        pid,
                 const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  g_autofree char *needle = g_strconcat ("\n", field, ":", NULL);
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  p = strstr (text, needle);
  if (p == NULL)
    return -1;

  return g_ascii_strtoll (p + strlen (needle), NULL, 10);
}

/* User plus system CPU time of a process, in milliseconds. */
static double
proc_cpu_ms (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NAN;

  /* The command name may hold spaces; fields are counted after its ')'. */
  p = strrchr (text, ')');
  if (p == NULL)
    return NAN;
  fields = g_strsplit (p + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return NAN;

  /* utime and stime are fields 14 and 15 of stat(5), here 11 and 12. */
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) * 1000.0 /
         sysconf (_SC_CLK_TCK);
}

/* Whole-machine CPU time from /proc/stat, in milliseconds: busy (not idle,
 * not waiting for I/O) and waiting for I/O. */
typedef struct {
  double busy;
  double iowait;
} MachineCpu;

static MachineCpu
machine_cpu (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  MachineCpu cpu = { NAN, NAN };
  double total = 0, tick = 1000.0 / sysconf (_SC_CLK_TCK);
  guint n;

  if (!g_file_get_contents ("/proc/stat", &text, NULL, NULL) || !g_str_has_prefix (text, "cpu "))
    return cpu;
  text[strcspn (text, "\n")] = '\0';
  fields = g_strsplit_set (text + 4, " ", -1);
  n = 0;
  for (guint i = 0; fields[i] != NULL; i++)
    {
      double v;

      if (fields[i][0] == '\0')
        continue;
      v = g_ascii_strtod (fields[i], NULL);
      /* user nice system idle iowait irq softirq steal; guest time is already in user */
      if (n < 8)
        total += v;
      if (n == 3)
        total -= v;
      if (n == 4)
        {
          total -= v;
          cpu.iowait = v * tick;
        }
      n++;
    }
  cpu.busy = total * tick;
  return cpu;
}

/* Files */

static gboolean
remove_tree (const char  *path,
             GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) local_error = NULL;
  GFileInfo *info;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;

  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                            G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, error);
      if (children == NULL)
        return FALSE;
      while ((info = g_file_enumerator_next_file (children, NULL, &local_error)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

          g_object_unref (info);
          if (!remove_tree (child, error))
            return FALSE;
        }
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  return g_file_delete (file, NULL, error);
}

static void
print_log_tail (const char *path)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  if (path == NULL || !g_file_get_contents (path, &text, &len, NULL))
    return;

  g_printerr ("--- last lines of %s ---\n%s%s---\n", path,
              len > 4000 ? "…" : "", len > 4000 ? text + len - 4000 : text);
}

/* TLS pinning: the test certificate is self-signed, so the client accepts
 * exactly the one iocd printed, as the console does. */

static char *
certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

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
                       gpointer              user_data)
{
  const char *pinned = user_data;
  g_autofree char *fingerprint = certificate_fingerprint (certificate);

  return fingerprint != NULL && g_ascii_strcasecmp (fingerprint, pinned) == 0;
}

/* HTTP client */

typedef struct {
  SoupSession *session;
  char        *base;          /* https://127.0.0.1:PORT, no trailing slash */
  char        *fingerprint;
} Client;

static void
client_clear (Client *client)
{
  g_clear_object (&client->session);
  g_clear_pointer (&client->base, g_free);
  g_clear_pointer (&client->fingerprint, g_free);
}

static SoupMessage *
client_message (Client     *client,
                const char *method,
                const char *path,
                const char *token,
                const char *json_body)
{
  g_autofree char *uri = g_strconcat (client->base, path, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  g_assert (msg != NULL);
  g_signal_connect_data (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb),
                         g_strdup (client->fingerprint), (GClosureNotify) (void (*) (void)) g_free, 0);
  if (token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  if (json_body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (json_body, strlen (json_body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  return msg;
}

typedef struct {
  GBytes   *body;
  GError   *error;
  gboolean  done;
} Fetch;

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fetch *fetch = user_data;

  fetch->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &fetch->error);
  fetch->done = TRUE;
}

/* Sends one message and waits for the whole answer. Everything goes through
 * the asynchronous API so that all requests share one connection pool. */
static GBytes *
client_fetch (Client       *client,
              SoupMessage  *msg,
              GError      **error)
{
  Fetch fetch = { 0 };

  soup_session_send_and_read_async (client->session, msg, G_PRIORITY_DEFAULT, NULL, fetch_done_cb, &fetch);
  while (!fetch.done)
    g_main_context_iteration (NULL, TRUE);

  if (fetch.error != NULL)
    {
      g_propagate_error (error, fetch.error);
      return NULL;
    }

  return fetch.body;
}

static JsonNode *
parse_json (GBytes  *bytes,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!json_parser_load_from_data (parser, data, len, error))
    return NULL;

  return json_node_ref (json_parser_get_root (parser));
}

/* GET or POST that must answer 200 with a JSON object. */
static JsonNode *
client_call (Client      *client,
             const char  *method,
             const char  *path,
             const char  *token,
             const char  *json_body,
             GError     **error)
{
  g_autoptr(SoupMessage) msg = client_message (client, method, path, token, json_body);
  g_autoptr(GBytes) body = client_fetch (client, msg, error);
  JsonNode *node;

  if (body == NULL)
    return NULL;

  if (soup_message_get_status (msg) != 200)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: HTTP %u: %.*s", method, path,
                   soup_message_get_status (msg), (int) MIN (g_bytes_get_size (body), 400),
                   (const char *) g_bytes_get_data (body, NULL));
      return NULL;
    }

  node = parse_json (body, error);
  if (node != NULL && !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: the answer is not a JSON object", method, path);
      g_clear_pointer (&node, json_node_unref);
    }

  return node;
}

static char *
login (Client      *client,
       const char  *username,
       const char  *password,
       GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *body = NULL;
  const char *token;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, username);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, password);
  json_builder_end_object (b);
  request = json_builder_get_root (b);
  body = json_to_string (request, FALSE);

  answer = client_call (client, "POST", "/api/v1/session", NULL, body, error);
  if (answer == NULL)
    {
      g_prefix_error (error, "signing in as %s: ", username);
      return NULL;
    }

  token = json_object_get_string_member_with_default (json_node_get_object (answer), "token", NULL);
  if (token == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "signing in as %s: no token", username);
      return NULL;
    }

  return g_strdup (token);
}

/* The iocd process */

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
  char             *log_path;
  char             *base;
  char             *fingerprint;
  char             *password;
  double            seed_s;       /* as iocd printed it, or -1 */
  GPid              pid;
} Iocd;

static void
iocd_stop (Iocd *iocd)
{
  if (iocd->process != NULL)
    {
      g_subprocess_send_signal (iocd->process, SIGTERM);
      g_subprocess_wait (iocd->process, NULL, NULL);
      if (!g_subprocess_get_if_exited (iocd->process) || g_subprocess_get_exit_status (iocd->process) != 0)
        g_printerr ("bench: iocd did not stop cleanly\n");
    }
  g_clear_object (&iocd->out);
  g_clear_object (&iocd->process);
  g_clear_pointer (&iocd->log_path, g_free);
  g_clear_pointer (&iocd->base, g_free);
  g_clear_pointer (&iocd->fingerprint, g_free);
  g_clear_pointer (&iocd->password, g_free);
}

/* Starts iocd and reads its start-up lines until it listens. */
static gboolean
iocd_start (Iocd        *iocd,
            const char  *binary,
            const char  *state_dir,
            const char  *cert,
            const char  *key,
            guint        demo_tasks,
            const char  *log_path,
            GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *tasks = g_strdup_printf ("%u", demo_tasks);
  const char *argv[] = {
    binary, "--demo", "--demo-tasks", tasks, "--state-dir", state_dir, "--listen", "127.0.0.1:0",
    "--tls-cert", cert, "--tls-key", key, NULL
  };

  memset (iocd, 0, sizeof *iocd);
  iocd->seed_s = -1;
  iocd->log_path = g_strdup (log_path);

  /* iocd logs every sign-in on stderr; it goes to a file shown on failure. */
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  iocd->process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (iocd->process == NULL)
    return FALSE;
  iocd->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (iocd->process), NULL, 10);
  iocd->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (iocd->process));

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (iocd->out, NULL, NULL, error);
      const char *p;

      if (line == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "iocd exited before it listened");
          print_log_tail (log_path);
          return FALSE;
        }

      if ((p = strstr (line, "all with the password ")) != NULL)
        iocd->password = g_strstrip (g_strdup (p + strlen ("all with the password ")));
      else if (g_str_has_prefix (line, "iocd: certificate SHA-256 fingerprint "))
        iocd->fingerprint = g_strstrip (g_strdup (line + strlen ("iocd: certificate SHA-256 fingerprint ")));
      else if (g_str_has_prefix (line, "iocd: seeded ") && (p = g_strrstr (line, " in ")) != NULL)
        iocd->seed_s = g_ascii_strtod (p + 4, NULL);
      else if (g_str_has_prefix (line, "iocd: listening on "))
        {
          iocd->base = g_strstrip (g_strdup (line + strlen ("iocd: listening on ")));
          if (g_str_has_suffix (iocd->base, "/"))
            iocd->base[strlen (iocd->base) - 1] = '\0';
          break;
        }
    }

  if (iocd->password == NULL || iocd->fingerprint == NULL || !g_str_has_prefix (iocd->base, "https://"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "iocd did not print the demo password, the fingerprint and an https address");
      return FALSE;
    }

  return TRUE;
}

/* Seeding, cached in the build directory */

#define MARKER "bench-seeded.ini"

static gboolean
ensure_seeded (const char  *binary,
               const char  *cert,
               const char  *key,
               const char  *cache,
               guint        n_tasks,
               gboolean    *reused,
               double      *seed_s,
               double      *wall_s,
               GError     **error)
{
  g_autofree char *marker = g_build_filename (cache, MARKER, NULL);
  g_autofree char *partial = g_strconcat (cache, ".partial", NULL);
  g_autofree char *log_path = g_strconcat (cache, ".seed.log", NULL);
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autofree char *data = NULL;
  Iocd iocd;
  gint64 start;

  if (g_key_file_load_from_file (keys, marker, G_KEY_FILE_NONE, NULL) &&
      g_key_file_get_uint64 (keys, "seed", "tasks", NULL) == n_tasks)
    {
      *reused = TRUE;
      *seed_s = g_key_file_get_double (keys, "seed", "iocd-seconds", NULL);
      *wall_s = g_key_file_get_double (keys, "seed", "wall-seconds", NULL);
      return TRUE;
    }

  *reused = FALSE;
  g_print ("Seeding %u demo tasks into %s (once; later runs reuse it)…\n", n_tasks, cache);
  if (!remove_tree (cache, error) || !remove_tree (partial, error))
    return FALSE;

  start = g_get_monotonic_time ();
  if (!iocd_start (&iocd, binary, partial, cert, key, n_tasks, log_path, error))
    {
      iocd_stop (&iocd);
      return FALSE;
    }
  *wall_s = (g_get_monotonic_time () - start) / 1e6;
  *seed_s = iocd.seed_s;
  /* A clean stop checkpoints the WAL into the database file. */
  iocd_stop (&iocd);

  g_key_file_set_uint64 (keys, "seed", "tasks", n_tasks);
  g_key_file_set_double (keys, "seed", "iocd-seconds", *seed_s);
  g_key_file_set_double (keys, "seed", "wall-seconds", *wall_s);
  data = g_key_file_to_data (keys, NULL, NULL);
  {
    g_autofree char *partial_marker = g_build_filename (partial, MARKER, NULL);

    if (!g_file_set_contents (partial_marker, data, -1, error))
      return FALSE;
  }

  /* Only a complete seed gets the final name, so an interrupted one is redone. */
  if (g_rename (partial, cache) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot rename %s: %s", partial,
                   g_strerror (errno));
      return FALSE;
    }

  return TRUE;
}

/* The listener process */

typedef struct _ListenerRun ListenerRun;

typedef struct {
  ListenerRun *run;
  guint        index;
  char        *user;
  char        *department;   /* NULL: sees every event */
  char        *token;
  GIOStream   *stream;       /* the TLS connection */
  GSource     *source;       /* readable */
  GByteArray  *in;           /* received, not yet taken apart into frames */
  GByteArray  *fragments;    /* a message sent in several frames, so far */
  guint        received;
  guint        expected;
  gboolean     closed;
} Listener;

typedef struct {
  guint  listener;
  gint64 seq;
  gint64 task_id;
  gint64 at;
  gint64 received;
} Receipt;

typedef struct {
  gint64  sent;        /* real time the forward request was handed to libsoup */
  char   *department;
  char   *held_by;     /* ",A,B,": departments that held the task before */
} Sent;

struct _ListenerRun {
  GMainLoop        *loop;
  GDataInputStream *in;
  char             *base;
  char             *fingerprint;
  GPtrArray        *listeners;   /* Listener */
  guint             n_connected;
  GArray           *receipts;    /* Receipt */
  GHashTable       *sent;        /* task id (gint64 *) → Sent */
  gint64            deadline;
  char              last_at[64];
  gint64            last_at_usec;
  guint             unparsed;
  int               status;
};

static void
listener_free (Listener *l)
{
  if (l->source != NULL)
    g_source_destroy (l->source);
  g_clear_pointer (&l->source, g_source_unref);
  g_clear_object (&l->stream);
  g_clear_pointer (&l->in, g_byte_array_unref);
  g_clear_pointer (&l->fragments, g_byte_array_unref);
  g_free (l->user);
  g_free (l->department);
  g_free (l->token);
  g_free (l);
}

static void
sent_free (Sent *s)
{
  g_free (s->department);
  g_free (s->held_by);
  g_free (s);
}

static void
listener_fail (ListenerRun *run,
               const char  *format,
               ...) G_GNUC_PRINTF (2, 3);

static void
listener_fail (ListenerRun *run,
               const char  *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_print ("error %s\n", message);
  run->status = 1;
  g_main_loop_quit (run->loop);
}

static gboolean
parse_int_after (const char *text,
                 const char *key,
                 gint64     *value)
{
  const char *p = strstr (text, key);
  char *end = NULL;

  if (p == NULL)
    return FALSE;
  p += strlen (key);
  *value = g_ascii_strtoll (p, &end, 10);
  return end != p;
}

/* The events start {"seq":N,"at":"…","kind":"…","task":{"id":N, so their
 * head is read without a JSON parser: the listener process should spend its
 * time receiving, not parsing 50 copies of every event. */
static gboolean
scan_event (ListenerRun *run,
            const char  *data,
            gsize        len,
            gint64      *seq,
            gint64      *at,
            gint64      *task_id)
{
  char head[512];
  const char *p, *q;
  gsize n = MIN (len, sizeof head - 1);

  memcpy (head, data, n);
  head[n] = '\0';

  if (!parse_int_after (head, "\"seq\":", seq) || !parse_int_after (head, "\"task\":{\"id\":", task_id))
    return FALSE;

  p = strstr (head, "\"at\":\"");
  if (p == NULL)
    return FALSE;
  p += strlen ("\"at\":\"");
  q = strchr (p, '"');
  if (q == NULL || (gsize) (q - p) >= sizeof run->last_at)
    return FALSE;

  if (strncmp (run->last_at, p, q - p) != 0 || run->last_at[q - p] != '\0')
    {
      memcpy (run->last_at, p, q - p);
      run->last_at[q - p] = '\0';
      if (!ioc_time_parse (run->last_at, &run->last_at_usec))
        {
          run->last_at[0] = '\0';
          return FALSE;
        }
    }
  *at = run->last_at_usec;
  return TRUE;
}

static gboolean
scan_event_json (GBytes *message,
                 gint64 *seq,
                 gint64 *at,
                 gint64 *task_id)
{
  g_autoptr(JsonNode) node = parse_json (message, NULL);
  JsonObject *object, *task;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  object = json_node_get_object (node);
  task = json_object_get_object_member (object, "task");
  if (task == NULL || !ioc_time_parse (json_object_get_string_member_with_default (object, "at", ""), at))
    return FALSE;
  *seq = json_object_get_int_member_with_default (object, "seq", 0);
  *task_id = json_object_get_int_member_with_default (task, "id", 0);
  return TRUE;
}

static void
receive_event (ListenerRun *run,
               Listener    *l,
               const char  *data,
               gsize        len,
               gint64       received)
{
  Receipt r = { 0 };

  r.received = received;
  r.listener = l->index;

  if (!scan_event (run, data, len, &r.seq, &r.at, &r.task_id))
    {
      g_autoptr(GBytes) copy = g_bytes_new (data, len);

      if (!scan_event_json (copy, &r.seq, &r.at, &r.task_id))
        {
          run->unparsed++;
          return;
        }
    }

  l->received++;
  g_array_append_val (run->receipts, r);
}

/* One event object, or a burst of them as an array: the array is cut into
 * its objects by their braces (outside strings), without a JSON parser. */
static void
receive_message (Listener   *l,
                 const char *data,
                 gsize       len,
                 gint64      received)
{
  gsize start = 0;
  guint depth = 0;
  gboolean in_string = FALSE;

  if (len == 0 || data[0] != '[')
    {
      receive_event (l->run, l, data, len, received);
      return;
    }

  for (gsize i = 1; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (depth++ == 0)
            start = i;
        }
      else if ((c == '}' || c == ']') && depth > 0 && --depth == 0)
        receive_event (l->run, l, data + start, i + 1 - start, received);
    }
}

/* The listeners' WebSocket client
 *
 * Fifty streams in one process that also times every event: libsoup's
 * client spends more per message (a GBytes, a signal emission, a UTF-8
 * check of every text message) than the listener does with it, and that
 * time is taken from iocd on a machine of two cores. So the listeners
 * speak RFC 6455 themselves over a GTlsConnection: the opening handshake,
 * then frames read as they come, unmasked (from a server), answering a
 * ping with a pong. No extension is asked for, so none is used. */

static void
listener_send_frame (Listener   *l,
                     guint8      opcode,
                     const char *payload,
                     gsize       len)
{
  GOutputStream *out = g_io_stream_get_output_stream (l->stream);
  guint8 frame[6 + 125];
  guint32 mask = g_random_int ();
  const guint8 *key = (const guint8 *) &mask;

  /* Control frames only: at most 125 bytes, masked as a client must. */
  len = MIN (len, 125);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | len;
  memcpy (frame + 2, key, 4);
  for (gsize i = 0; i < len; i++)
    frame[6 + i] = payload[i] ^ key[i % 4];
  g_output_stream_write_all (out, frame, 6 + len, NULL, NULL, NULL);
}

/* Takes apart the complete frames at the head of l->in. */
static void
listener_take_frames (Listener *l,
                      gint64    received)
{
  gsize used = 0;

  for (;;)
    {
      const guint8 *head = l->in->data + used;
      gsize avail = l->in->len - used;
      guint64 len;
      gsize header = 2;
      gboolean fin, masked;
      guint8 opcode;
      guint8 *payload;

      if (avail < 2)
        break;
      fin = (head[0] & 0x80) != 0;
      opcode = head[0] & 0x0f;
      masked = (head[1] & 0x80) != 0;
      len = head[1] & 0x7f;
      if (len == 126)
        {
          if (avail < 4)
            break;
          len = ((guint64) head[2] << 8) | head[3];
          header = 4;
        }
      else if (len == 127)
        {
          if (avail < 10)
            break;
          len = 0;
          for (guint i = 0; i < 8; i++)
            len = (len << 8) | head[2 + i];
          header = 10;
        }
      if (masked)
        header += 4;
      if (avail < header || avail - header < len)
        break;

      payload = l->in->data + used + header;
      if (masked)
        for (guint64 i = 0; i < len; i++)
          payload[i] ^= head[header - 4 + i % 4];

      switch (opcode)
        {
        case 0x0: /* continuation */
        case 0x1: /* text */
        case 0x2: /* binary */
          if (fin && opcode != 0x0 && l->fragments->len == 0)
            receive_message (l, (const char *) payload, len, received);
          else
            {
              g_byte_array_append (l->fragments, payload, len);
              if (fin)
                {
                  receive_message (l, (const char *) l->fragments->data, l->fragments->len, received);
                  g_byte_array_set_size (l->fragments, 0);
                }
            }
          break;
        case 0x8: /* close */
          l->closed = TRUE;
          break;
        case 0x9: /* ping */
          listener_send_frame (l, 0xA, (const char *) payload, len);
          break;
        default: /* pong, or reserved */
          break;
        }
      used += header + len;
    }

  if (used > 0)
    g_byte_array_remove_range (l->in, 0, used);
}

static gboolean
listener_readable_cb (GObject  *stream,
                      gpointer  user_data)
{
  Listener *l = user_data;
  /* First the clock, before any work on what came. */
  gint64 received = g_get_real_time ();
  guint8 buffer[64 * 1024];

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream), buffer,
                                                            sizeof buffer, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (n <= 0)
        {
          /* The end of the stream, or an error: no more events come. */
          l->closed = TRUE;
          listener_take_frames (l, received);
          g_clear_pointer (&l->source, g_source_unref);
          return G_SOURCE_REMOVE;
        }
      g_byte_array_append (l->in, buffer, n);
    }

  listener_take_frames (l, received);
  return G_SOURCE_CONTINUE;
}

static void
tls_event_cb (GSocketClient      *client,
              GSocketClientEvent  event,
              GSocketConnectable *connectable,
              GIOStream          *connection,
              const char         *fingerprint)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_signal_connect_data (connection, "accept-certificate", G_CALLBACK (accept_certificate_cb),
                           g_strdup (fingerprint), (GClosureNotify) (void (*) (void)) g_free, 0);
}

/* A TLS connection to @base ("https://127.0.0.1:PORT") that trusts exactly
 * the certificate of @fingerprint; made blocking, before any clock starts. */
static GIOStream *
tls_connect (const char  *base,
             const char  *fingerprint,
             GError     **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  g_socket_client_set_tls (client, TRUE);
  g_signal_connect (client, "event", G_CALLBACK (tls_event_cb), (gpointer) fingerprint);
  return G_IO_STREAM (g_socket_client_connect_to_uri (client, base, 443, NULL, error));
}

/* "host:port" of @base, for the Host header. */
static char *
host_of (const char  *base,
         GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (base, G_URI_FLAGS_NONE, error);

  return uri != NULL ? g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri)) : NULL;
}

/* Connects, upgrades to a WebSocket and starts reading; FALSE on failure. */
static gboolean
listener_connect (ListenerRun  *run,
                  Listener     *l,
                  GError      **error)
{
  g_autofree char *host = NULL;
  g_autofree char *request = NULL;
  g_autofree char *key = NULL;
  GInputStream *in;
  guint8 nonce[16];
  const char *end;

  host = host_of (run->base, error);
  if (host == NULL)
    return FALSE;
  l->stream = tls_connect (run->base, run->fingerprint, error);
  if (l->stream == NULL)
    return FALSE;
  l->in = g_byte_array_sized_new (128 * 1024);
  l->fragments = g_byte_array_new ();

  for (guint i = 0; i < sizeof nonce; i++)
    nonce[i] = g_random_int_range (0, 256);
  key = g_base64_encode (nonce, sizeof nonce);
  request = g_strdup_printf ("GET /api/v1/events HTTP/1.1\r\n"
                             "Host: %s\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: %s\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "Authorization: Bearer %s\r\n"
                             "\r\n",
                             host, key, l->token);
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (l->stream), request, strlen (request), NULL,
                                  NULL, error))
    return FALSE;

  /* The answer's head, read blocking: nothing else waits on this process yet. */
  in = g_io_stream_get_input_stream (l->stream);
  while ((end = g_strstr_len ((const char *) l->in->data, l->in->len, "\r\n\r\n")) == NULL)
    {
      guint8 buffer[4096];
      gssize n = g_input_stream_read (in, buffer, sizeof buffer, NULL, error);

      if (n < 0)
        return FALSE;
      if (n == 0 || l->in->len > 64 * 1024)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no WebSocket handshake answer");
          return FALSE;
        }
      g_byte_array_append (l->in, buffer, n);
    }
  if (l->in->len < 12 || memcmp (l->in->data, "HTTP/1.1 101", 12) != 0)
    {
      g_autofree char *status = g_strndup ((const char *) l->in->data, MIN (l->in->len, 40));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the upgrade was refused: %s", status);
      return FALSE;
    }
  /* Events may have come right behind the head. */
  g_byte_array_remove_range (l->in, 0, (end + 4) - (const char *) l->in->data);

  if (!G_IS_POLLABLE_INPUT_STREAM (in) || !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (in)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "the TLS stream cannot be polled");
      return FALSE;
    }
  l->source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (in), NULL);
  g_source_set_callback (l->source, (GSourceFunc) (void (*) (void)) listener_readable_cb, l, NULL);
  g_source_attach (l->source, NULL);
  if (l->in->len > 0)
    listener_take_frames (l, g_get_real_time ());

  return TRUE;
}

static void
connect_listeners (ListenerRun *run)
{
  for (guint i = 0; i < run->listeners->len; i++)
    {
      Listener *l = g_ptr_array_index (run->listeners, i);
      g_autoptr(GError) error = NULL;

      l->run = run;
      if (!listener_connect (run, l, &error))
        {
          listener_fail (run, "listener %u (%s): %s", l->index, l->user, error->message);
          return;
        }
      run->n_connected++;
    }

  g_print ("ready %u\n", run->n_connected);
}

static gboolean
listener_expects (Listener   *l,
                  const Sent *sent)
{
  g_autofree char *needle = NULL;

  if (l->department == NULL || g_str_equal (l->department, sent->department))
    return TRUE;

  needle = g_strconcat (",", l->department, ",", NULL);
  return strstr (sent->held_by, needle) != NULL;
}

static void
report_delays (const char *label,
               GArray     *ms,
               double      target)
{
  g_autofree char *text = NULL;
  gboolean met;

  bench_sort_samples (ms);
  met = ms->len > 0 && bench_percentile (ms, 0.99) < target;
  text = bench_describe_latency (ms);
  g_print ("summary %s: %s (target p99 < %.0f ms: %s)\n", label, text, target, verdict (met));
}

static void
listener_report (ListenerRun *run)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) at_delay = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) send_delay = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) at_delay_liaison = g_array_new (FALSE, FALSE, sizeof (double));
  guint unexpected = 0, duplicates = 0, total_expected = 0, total_received = 0, closed = 0, short_of = 0;

  for (guint i = 0; i < run->receipts->len; i++)
    {
      Receipt *r = &g_array_index (run->receipts, Receipt, i);
      Listener *l = g_ptr_array_index (run->listeners, r->listener);
      Sent *s = g_hash_table_lookup (run->sent, &r->task_id);
      g_autofree char *key = g_strdup_printf ("%u/%" G_GINT64_FORMAT, r->listener, r->seq);
      double d;

      if (s == NULL || !listener_expects (l, s))
        {
          unexpected++;
          continue;
        }
      if (!g_hash_table_add (seen, g_steal_pointer (&key)))
        {
          duplicates++;
          continue;
        }

      d = (r->received - r->at) / 1000.0;
      g_array_append_val (at_delay, d);
      if (l->department != NULL)
        g_array_append_val (at_delay_liaison, d);
      d = (r->received - s->sent) / 1000.0;
      g_array_append_val (send_delay, d);
    }

  g_print ("Events received per listener (received / may see):\n");
  for (guint i = 0; i < run->listeners->len; i++)
    {
      Listener *l = g_ptr_array_index (run->listeners, i);

      g_print ("  %2u %-16s %-8s %5u / %-5u%s%s\n", l->index + 1, l->user,
               l->department ? l->department : "(all)", l->received, l->expected,
               l->received == l->expected ? "" : "  MISMATCH", l->closed ? "  (closed early)" : "");
      total_expected += l->expected;
      total_received += l->received;
      closed += l->closed;
      short_of += l->received != l->expected;
    }

  g_print ("summary event streams: %u listeners, %u of %u expected events received, "
           "%u listeners off count, %u unexpected, %u duplicates, %u unreadable, %u closed early: %s\n",
           run->listeners->len, total_received, total_expected, short_of, unexpected, duplicates,
           run->unparsed, closed,
           verdict (short_of == 0 && unexpected == 0 && duplicates == 0 && run->unparsed == 0 && closed == 0));
  report_delays ("event delay, receipt − event \"at\" (ms precision)", at_delay, 50);
  report_delays ("event delay, receipt − forward request sent", send_delay, 50);
  report_delays ("event delay to liaisons only, receipt − \"at\"", at_delay_liaison, 50);
}

static gboolean
wait_complete_cb (gpointer user_data)
{
  ListenerRun *run = user_data;
  gboolean complete = TRUE;

  for (guint i = 0; i < run->listeners->len && complete; i++)
    {
      Listener *l = g_ptr_array_index (run->listeners, i);

      complete = l->received >= l->expected;
    }

  if (complete || g_get_monotonic_time () > run->deadline)
    {
      /* A moment more shows events that arrive beyond what was expected. */
      if (complete && run->deadline != G_MAXINT64)
        {
          run->deadline = G_MAXINT64;
          g_timeout_add (200, wait_complete_cb, run);
          return G_SOURCE_REMOVE;
        }
      g_main_loop_quit (run->loop);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void read_command (ListenerRun *run);

static void
handle_command (ListenerRun *run,
                const char  *line)
{
  g_auto(GStrv) words = g_strsplit (line, " ", -1);
  guint n = g_strv_length (words);

  if (n == 2 && g_str_equal (words[0], "url"))
    run->base = g_strdup (words[1]);
  else if (n == 2 && g_str_equal (words[0], "fingerprint"))
    run->fingerprint = g_strdup (words[1]);
  else if (n == 4 && g_str_equal (words[0], "listen"))
    {
      Listener *l = g_new0 (Listener, 1);

      l->index = run->listeners->len;
      l->user = g_strdup (words[1]);
      l->department = g_str_equal (words[2], "-") ? NULL : g_strdup (words[2]);
      l->token = g_strdup (words[3]);
      g_ptr_array_add (run->listeners, l);
    }
  else if (n == 1 && g_str_equal (words[0], "go"))
    connect_listeners (run);
  else if (n == 5 && g_str_equal (words[0], "sent"))
    {
      gint64 *id = g_new (gint64, 1);
      Sent *s = g_new0 (Sent, 1);

      *id = g_ascii_strtoll (words[1], NULL, 10);
      s->sent = g_ascii_strtoll (words[2], NULL, 10);
      s->department = g_strdup (words[3]);
      s->held_by = g_strdup (words[4]);
      for (guint i = 0; i < run->listeners->len; i++)
        {
          Listener *l = g_ptr_array_index (run->listeners, i);

          l->expected += listener_expects (l, s);
        }
      g_hash_table_insert (run->sent, id, s);
    }
  else
    listener_fail (run, "unknown command “%s”", line);
}

static void
command_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ListenerRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (run->in, result, NULL, &error);

  if (line == NULL)
    {
      if (error != NULL)
        {
          listener_fail (run, "reading commands: %s", error->message);
          return;
        }

      /* The end of the commands: every forward has been answered. Wait for
       * the events still on their way, up to a limit. */
      run->deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      g_timeout_add (10, wait_complete_cb, run);
      return;
    }

  handle_command (run, line);
  if (run->status == 0)
    read_command (run);
}

static void
read_command (ListenerRun *run)
{
  g_data_input_stream_read_line_async (run->in, G_PRIORITY_DEFAULT, NULL, command_cb, run);
}

static int
listener_main (void)
{
  g_autoptr(GInputStream) stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  ListenerRun run = { 0 };

  run.loop = g_main_loop_new (NULL, FALSE);
  run.in = g_data_input_stream_new (stdin_stream);
  run.listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
  run.receipts = g_array_sized_new (FALSE, FALSE, sizeof (Receipt), 200000);
  run.sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) sent_free);

  read_command (&run);
  g_main_loop_run (run.loop);

  if (run.status == 0)
    listener_report (&run);

  g_ptr_array_unref (run.listeners);
  g_array_unref (run.receipts);
  g_hash_table_unref (run.sent);
  g_object_unref (run.in);
  g_main_loop_unref (run.loop);
  g_free (run.base);
  g_free (run.fingerprint);
  return run.status;
}

/* The main process */

typedef struct {
  gint64       id;
  gint64       version;
  const char  *department;
  char        *held_by;     /* ",A,B," departments that held the task before, or NULL */
  gint64       sent_real;
  gint64       sent_mono;
  gint64       done_mono;
  guint        status;
  guint64      connection;
} Forward;

static void
forward_clear (gpointer data)
{
  Forward *f = data;

  g_clear_pointer (&f->held_by, g_free);
}

/* The forwards' HTTP client
 *
 * Like the listeners, the forwards are sent by a client that does little
 * besides: keep-alive HTTP/1.1 over a GTlsConnection per request in
 * flight, a request written whole, the answer read up to its
 * Content-Length. libsoup's client cost about 0.4 ms of CPU per forward,
 * a third of what iocd spends on it, on the same two cores. */

typedef struct _ForwardRun ForwardRun;

typedef struct {
  ForwardRun *run;
  guint       id;          /* 1, 2, …: the connection a forward went over */
  GIOStream  *stream;
  GSource    *source;
  GByteArray *in;
  guint       call;        /* the forward waiting for its answer, or NO_CALL */
  gboolean    dead;
} Lane;

#define NO_CALL G_MAXUINT

struct _ForwardRun {
  const char  *token;
  char        *host;
  GArray      *forwards;    /* Forward */
  GPtrArray   *lanes;       /* Lane */
  guint        next;
  guint        completed;
  guint        failed;
  char        *first_failure;
};

static void forward_issue (ForwardRun *run);

static void
lane_free (Lane *lane)
{
  if (lane->source != NULL)
    g_source_destroy (lane->source);
  g_clear_pointer (&lane->source, g_source_unref);
  g_clear_object (&lane->stream);
  g_clear_pointer (&lane->in, g_byte_array_unref);
  g_free (lane);
}

static void
forward_finish (ForwardRun *run,
                guint       index,
                guint       status,
                guint       connection,
                const char *failure)
{
  Forward *f = &g_array_index (run->forwards, Forward, index);

  f->done_mono = g_get_monotonic_time ();
  f->status = status;
  f->connection = connection;
  if (status != 200)
    {
      run->failed++;
      if (run->first_failure == NULL)
        run->first_failure = g_strdup_printf ("task %" G_GINT64_FORMAT ": %s", f->id, failure);
    }
  run->completed++;
}

/* The value of header @name in the head @head of @len bytes, or -1. */
static gint64
header_int (const char *head,
            gsize       len,
            const char *name)
{
  gsize name_len = strlen (name);

  for (const char *line = memchr (head, '\n', len); line != NULL && line + 1 < head + len;
       line = memchr (line + 1, '\n', head + len - line - 1))
    {
      const char *p = line + 1;

      if ((gsize) (head + len - p) > name_len + 1 && g_ascii_strncasecmp (p, name, name_len) == 0 &&
          p[name_len] == ':')
        return g_ascii_strtoll (p + name_len + 1, NULL, 10);
    }

  return -1;
}

/* Takes the answer at the head of lane->in once it is complete. */
static void
lane_take_answer (Lane *lane)
{
  ForwardRun *run = lane->run;
  const char *data = (const char *) lane->in->data;
  const char *end;
  gsize head_len;
  gint64 body_len;
  guint status;

  end = g_strstr_len (data, lane->in->len, "\r\n\r\n");
  if (end == NULL || lane->call == NO_CALL)
    return;
  head_len = end + 4 - data;
  body_len = header_int (data, head_len, "Content-Length");
  if (body_len < 0)
    body_len = 0;
  if (lane->in->len < head_len + body_len)
    return;

  status = lane->in->len > 12 && g_str_has_prefix (data, "HTTP/1.1 ") ? g_ascii_strtoull (data + 9, NULL, 10) : 0;
  if (status == 200)
    forward_finish (run, lane->call, status, lane->id, NULL);
  else
    {
      g_autofree char *failure = g_strdup_printf ("HTTP %u: %.*s", status, (int) MIN (body_len, 300),
                                                  data + head_len);

      forward_finish (run, lane->call, status, lane->id, failure);
    }
  g_byte_array_remove_range (lane->in, 0, head_len + body_len);
  lane->call = NO_CALL;
  forward_issue (run);
}

static void
lane_die (Lane       *lane,
          const char *why)
{
  lane->dead = TRUE;
  if (lane->call != NO_CALL)
    forward_finish (lane->run, lane->call, 0, lane->id, why);
  lane->call = NO_CALL;
  forward_issue (lane->run);
}

static gboolean
lane_readable_cb (GObject  *stream,
                  gpointer  user_data)
{
  Lane *lane = user_data;
  guint8 buffer[16 * 1024];

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream), buffer,
                                                            sizeof buffer, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (n <= 0)
        {
          g_clear_pointer (&lane->source, g_source_unref);
          lane_die (lane, error != NULL ? error->message : "the connection was closed");
          return G_SOURCE_REMOVE;
        }
      g_byte_array_append (lane->in, buffer, n);
    }

  lane_take_answer (lane);
  return G_SOURCE_CONTINUE;
}

static gboolean
lane_open (ForwardRun  *run,
           Lane        *lane,
           const char  *base,
           const char  *fingerprint,
           GError     **error)
{
  GInputStream *in;

  lane->stream = tls_connect (base, fingerprint, error);
  if (lane->stream == NULL)
    return FALSE;
  in = g_io_stream_get_input_stream (lane->stream);
  if (!G_IS_POLLABLE_INPUT_STREAM (in) || !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (in)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "the TLS stream cannot be polled");
      return FALSE;
    }
  lane->in = g_byte_array_sized_new (16 * 1024);
  lane->source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (in), NULL);
  g_source_set_callback (lane->source, (GSourceFunc) (void (*) (void)) lane_readable_cb, lane, NULL);
  g_source_attach (lane->source, NULL);

  return TRUE;
}

static void
forward_issue (ForwardRun *run)
{
  gboolean alive = FALSE;

  for (guint i = 0; i < run->lanes->len; i++)
    {
      Lane *lane = g_ptr_array_index (run->lanes, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *body = NULL;
      g_autofree char *request = NULL;
      Forward *f;

      alive |= !lane->dead;
      if (lane->dead || lane->call != NO_CALL || run->next >= run->forwards->len)
        continue;

      f = &g_array_index (run->forwards, Forward, run->next);
      body = g_strdup_printf ("{\"version\":%" G_GINT64_FORMAT ",\"department\":\"%s\"}", f->version,
                              f->department);
      request = g_strdup_printf ("POST /api/v1/tasks/%" G_GINT64_FORMAT "/forward HTTP/1.1\r\n"
                                 "Host: %s\r\n"
                                 "Authorization: Bearer %s\r\n"
                                 "Content-Type: application/json\r\n"
                                 "Content-Length: %zu\r\n"
                                 "\r\n"
                                 "%s",
                                 f->id, run->host, run->token, strlen (body), body);
      lane->call = run->next++;
      f->sent_real = g_get_real_time ();
      f->sent_mono = g_get_monotonic_time ();
      /* A request this small goes out whole into the socket's buffer. */
      if (!g_output_stream_write_all (g_io_stream_get_output_stream (lane->stream), request, strlen (request),
                                      NULL, NULL, &error))
        lane_die (lane, error->message);
    }

  /* Every connection lost: what is left cannot be sent. */
  if (!alive)
    while (run->next < run->forwards->len)
      forward_finish (run, run->next++, 0, 0, "no connection left");
}

typedef struct {
  guint    tasks;
  char    *state_cache;
  guint    get_count;
  guint    page_count;
  guint    overview_count;
  guint    forward_max;
  guint    in_flight;
  guint    listeners;
  gboolean keep;
} Options;

typedef struct {
  Options     *options;
  Client       client;
  Iocd         iocd;
  char        *token;            /* trucban1, an operator */
  GRand       *rand;
  GPtrArray   *departments;      /* char *, all of them */
  GPtrArray   *busy_departments; /* char *, those holding tasks, busiest first */
  GPtrArray   *words;            /* char *, folded words of task titles and addresses */
  GArray      *locations;        /* double pairs lat, lon */
  gint64       max_id;
} Bench;

static void
wait_ms (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

static int
compare_count_desc (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  GHashTable *counts = user_data;
  guint x = GPOINTER_TO_UINT (g_hash_table_lookup (counts, *(char **) a));
  guint y = GPOINTER_TO_UINT (g_hash_table_lookup (counts, *(char **) b));

  return x != y ? (x < y ? 1 : -1) : strcmp (*(char **) a, *(char **) b);
}

/* Reads the reference data and a sample of tasks from which the queries draw
 * their departments, words and map boxes. */
static gboolean
learn_data (Bench   *bench,
            GError **error)
{
  g_autoptr(JsonNode) deps = client_call (&bench->client, "GET", "/api/v1/departments", bench->token, NULL, error);
  g_autoptr(JsonNode) page = NULL;
  g_autoptr(GHashTable) words = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;
  GHashTableIter iter;
  gpointer key;

  if (deps == NULL)
    return FALSE;
  array = json_object_get_array_member (json_node_get_object (deps), "departments");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    g_ptr_array_add (bench->departments,
                     g_strdup (json_object_get_string_member (json_array_get_object_element (array, i), "code")));
  if (bench->departments->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "iocd lists no departments");
      return FALSE;
    }

  /* The newest 1000 tasks: the highest id, and what the queries look for. */
  page = client_call (&bench->client, "GET", "/api/v1/tasks?limit=1000", bench->token, NULL, error);
  if (page == NULL)
    return FALSE;
  array = json_object_get_array_member (json_node_get_object (page), "tasks");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *task = json_array_get_object_element (array, i);
      const char *department = json_object_get_string_member_with_default (task, "department", NULL);
      JsonNode *location = json_object_get_member (task, "location");
      g_autofree char *text = g_strconcat (json_object_get_string_member_with_default (task, "title", ""), " ",
                                           json_object_get_string_member_with_default (task, "address", ""),
                                           NULL);
      g_autofree char *folded = ioc_text_fold (text);
      g_auto(GStrv) parts = g_strsplit (folded ? folded : "", " ", -1);

      bench->max_id = MAX (bench->max_id, json_object_get_int_member (task, "id"));
      if (department != NULL)
        g_hash_table_insert (counts, (char *) g_intern_string (department),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, department)) + 1));
      if (location != NULL && JSON_NODE_HOLDS_OBJECT (location))
        {
          double ll[2] = {
            json_object_get_double_member (json_node_get_object (location), "lat"),
            json_object_get_double_member (json_node_get_object (location), "lon"),
          };

          g_array_append_vals (bench->locations, ll, 2);
        }
      for (guint w = 0; parts[w] != NULL; w++)
        {
          gboolean letters = strlen (parts[w]) >= 4;

          for (const char *c = parts[w]; *c && letters; c++)
            letters = g_ascii_isalpha (*c);
          if (letters)
            g_hash_table_add (words, (char *) g_intern_string (parts[w]));
        }
    }

  g_hash_table_iter_init (&iter, words);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (bench->words, g_strdup (key));
  g_ptr_array_sort (bench->words, (GCompareFunc) g_strcmp0);  /* a fixed order for a fixed seed */

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (bench->busy_departments, g_strdup (key));
  g_ptr_array_sort_with_data (bench->busy_departments, compare_count_desc, counts);

  if (bench->max_id < 1 || bench->words->len == 0 || bench->locations->len == 0 ||
      bench->busy_departments->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the demo tasks are not as expected");
      return FALSE;
    }

  g_print ("Store: highest task id %" G_GINT64_FORMAT ", %u departments (%u holding recent tasks), "
           "%u search words, %u located tasks in the sample\n",
           bench->max_id, bench->departments->len, bench->busy_departments->len, bench->words->len,
           bench->locations->len / 2);
  return TRUE;
}

/* CPU use during one phase: iocd's, this client's, the listener process's,
 * and that of every other process, which is noise in the figures. */
typedef struct {
  GPid       iocd;
  GPid       child;     /* 0: none */
  double     iocd_ms;
  double     own_ms;
  double     child_ms;
  MachineCpu machine;
  gint64     start;
  double     others;    /* % of one core used by other processes, after phase_end () */
} Phase;

static void
phase_begin (Phase *phase,
             GPid   iocd,
             GPid   child)
{
  phase->iocd = iocd;
  phase->child = child;
  phase->iocd_ms = proc_cpu_ms (iocd);
  phase->own_ms = proc_cpu_ms (getpid ());
  phase->child_ms = child ? proc_cpu_ms (child) : 0;
  phase->machine = machine_cpu ();
  phase->start = g_get_monotonic_time ();
}

/* Prints the CPU use and returns iocd's CPU time in the phase, in ms. */
static double
phase_end (Phase      *phase,
           const char *label)
{
  double percent = 10.0 * (g_get_monotonic_time () - phase->start) / 1e6;  /* ms of CPU per 1% of a core */
  double iocd = proc_cpu_ms (phase->iocd) - phase->iocd_ms;
  double own = proc_cpu_ms (getpid ()) - phase->own_ms;
  double child = phase->child ? proc_cpu_ms (phase->child) - phase->child_ms : 0;
  MachineCpu machine = machine_cpu ();
  double busy = machine.busy - phase->machine.busy;
  g_autofree char *loadavg = load_average ();
  g_autofree char *child_text = phase->child ? g_strdup_printf (", listener process %.0f", child / percent)
                                             : g_strdup ("");

  phase->others = MAX (busy - iocd - own - child, 0) / percent;
  g_print ("%s: CPU in %% of one core: iocd %.0f, this client %.0f%s, other processes %.0f; "
           "I/O wait %.0f; load average %s\n", label, iocd / percent, own / percent, child_text,
           phase->others, (machine.iowait - phase->machine.iowait) / percent, loadavg);
  return iocd;
}

static gboolean
bench_get_one (Bench   *bench,
               GError **error)
{
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GHashTable) connections = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree char *figures = NULL;
  const guint warmup = 100;
  Phase phase = { 0 };
  double iocd_ms;
  gint64 start = 0;
  gboolean met;

  for (guint i = 0; i < warmup + bench->options->get_count; i++)
    {
      gint64 id = g_rand_int_range (bench->rand, 1, (gint32) bench->max_id + 1);
      g_autofree char *path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, id);
      g_autoptr(SoupMessage) msg = client_message (&bench->client, "GET", path, bench->token, NULL);
      g_autoptr(GBytes) body = NULL;
      gint64 t0, t1;

      if (i == warmup)
        {
          phase_begin (&phase, bench->iocd.pid, 0);
          start = g_get_monotonic_time ();
        }

      t0 = g_get_monotonic_time ();
      body = client_fetch (&bench->client, msg, error);
      t1 = g_get_monotonic_time ();
      if (body == NULL)
        return FALSE;
      if (soup_message_get_status (msg) != 200)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "GET %s: HTTP %u", path, soup_message_get_status (msg));
          return FALSE;
        }

      if (i >= warmup)
        {
          double d = (t1 - t0) / 1000.0;
          gint64 *conn = g_new (gint64, 1);

          g_array_append_val (ms, d);
          *conn = (gint64) soup_message_get_connection_id (msg);
          g_hash_table_add (connections, conn);
        }
    }
  start = g_get_monotonic_time () - start;
  iocd_ms = phase_end (&phase, "get-one");

  figures = bench_describe_latency (ms);
  met = bench_percentile (ms, 0.99) < 5;
  g_print ("get-one: %u sequential GET /api/v1/tasks/{random id} with timeline, over %u connection(s), "
           "%.0f requests/s; iocd CPU %.3f ms per request\n",
           ms->len, g_hash_table_size (connections), ms->len / (start / 1e6), iocd_ms / ms->len);
  g_print ("get-one: %s\n", figures);
  add_summary ("get-one:  p50 %.2f ms, p99 %.2f ms (target p99 < 5 ms: %s)", bench_percentile (ms, 0.5),
               bench_percentile (ms, 0.99), verdict (met));
  return TRUE;
}

typedef enum {
  PAGE_STATE_DEPARTMENT,
  PAGE_TEXT,
  PAGE_BBOX,
  N_PAGE_KINDS
} PageKind;

static char *
page_path (Bench    *bench,
           PageKind  kind)
{
  switch (kind)
    {
    case PAGE_STATE_DEPARTMENT:
      {
        const char *d = g_ptr_array_index (bench->busy_departments,
                                           g_rand_int_range (bench->rand, 0, bench->busy_departments->len));

        return g_strdup_printf ("/api/v1/tasks?state=in_progress,acknowledged&department=%s&limit=100", d);
      }

    case PAGE_TEXT:
      {
        const char *w = g_ptr_array_index (bench->words, g_rand_int_range (bench->rand, 0, bench->words->len));
        g_autofree char *escaped = g_uri_escape_string (w, NULL, FALSE);

        return g_strdup_printf ("/api/v1/tasks?q=%s&limit=100", escaped);
      }

    case PAGE_BBOX:
    case N_PAGE_KINDS:
    default:
      {
        /* About 2 km square around a place where some task was reported. */
        guint i = g_rand_int_range (bench->rand, 0, bench->locations->len / 2);
        double lat = g_array_index (bench->locations, double, 2 * i);
        double lon = g_array_index (bench->locations, double, 2 * i + 1);

        return g_strdup_printf ("/api/v1/tasks?bbox=%.5f,%.5f,%.5f,%.5f&limit=100",
                                lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01);
      }
    }
}

static gboolean
bench_pages (Bench   *bench,
             GError **error)
{
  static const char * const names[N_PAGE_KINDS] = {
    "state=in_progress,acknowledged&department=<random>",
    "q=<random folded word>",
    "bbox=<random 0.02° square>",
  };
  static const char * const short_names[N_PAGE_KINDS] = { "page state+department", "page q=word", "page bbox" };

  for (guint kind = 0; kind < N_PAGE_KINDS; kind++)
    {
      g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
      g_autofree char *figures = NULL;
      g_autofree char *slowest = NULL;
      guint64 rows = 0;
      guint full = 0;
      double slowest_ms = 0;
      gboolean met;
      const guint warmup = 20;
      Phase phase = { 0 };

      for (guint i = 0; i < warmup + bench->options->page_count; i++)
        {
          g_autofree char *path = page_path (bench, kind);
          g_autoptr(SoupMessage) msg = client_message (&bench->client, "GET", path, bench->token, NULL);
          g_autoptr(GBytes) body = NULL;
          g_autoptr(JsonNode) node = NULL;
          JsonArray *tasks;
          gint64 t0, t1;
          double d;

          t0 = g_get_monotonic_time ();
          body = client_fetch (&bench->client, msg, error);
          t1 = g_get_monotonic_time ();
          if (body == NULL)
            return FALSE;
          if (soup_message_get_status (msg) != 200)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "GET %s: HTTP %u", path,
                           soup_message_get_status (msg));
              return FALSE;
            }
          if (i < warmup)
            {
              if (i == warmup - 1)
                phase_begin (&phase, bench->iocd.pid, 0);
              continue;
            }

          d = (t1 - t0) / 1000.0;
          g_array_append_val (ms, d);
          if (d > slowest_ms)
            {
              slowest_ms = d;
              g_free (slowest);
              slowest = g_strdup (path);
            }

          /* Counted after the clock stopped: the page must not be empty for the figure to mean something. */
          node = parse_json (body, error);
          if (node == NULL)
            return FALSE;
          tasks = json_object_get_array_member (json_node_get_object (node), "tasks");
          rows += tasks ? json_array_get_length (tasks) : 0;
          full += tasks && json_array_get_length (tasks) == 100;
        }

      phase_end (&phase, short_names[kind]);
      figures = bench_describe_latency (ms);
      met = bench_percentile (ms, 0.99) < 20;
      g_print ("%s: GET /api/v1/tasks?%s&limit=100: %.1f tasks per page on average, %u of %u pages full\n",
               short_names[kind], names[kind], (double) rows / ms->len, full, ms->len);
      g_print ("%s: %s; slowest %s\n", short_names[kind], figures, slowest);
      add_summary ("%-22s p50 %.2f ms, p99 %.2f ms (target p99 < 20 ms: %s)", short_names[kind],
                   bench_percentile (ms, 0.5), bench_percentile (ms, 0.99), verdict (met));
    }

  return TRUE;
}

/* Every verified task, through the list API as the console pages it. */
/* The supervisor overview: every department's counts, overdue tasks and
 * median times to acknowledge and resolve over 30 days of a store this size. */
static gboolean
bench_overview (Bench   *bench,
                GError **error)
{
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *figures = NULL;
  const guint warmup = 5;
  Phase phase = { 0 };
  gint64 departments = 0, open = 0, acknowledged = 0, resolved = 0;
  gboolean met;

  if (bench->options->overview_count == 0)
    return TRUE;

  for (guint i = 0; i < warmup + bench->options->overview_count; i++)
    {
      g_autoptr(SoupMessage) msg = client_message (&bench->client, "GET", "/api/v1/overview", bench->token, NULL);
      g_autoptr(GBytes) body = NULL;
      gint64 t0, t1;

      if (i == warmup)
        phase_begin (&phase, bench->iocd.pid, 0);

      t0 = g_get_monotonic_time ();
      body = client_fetch (&bench->client, msg, error);
      t1 = g_get_monotonic_time ();
      if (body == NULL)
        return FALSE;
      if (soup_message_get_status (msg) != 200)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "GET /api/v1/overview: HTTP %u",
                       soup_message_get_status (msg));
          return FALSE;
        }

      if (i >= warmup)
        {
          double d = (t1 - t0) / 1000.0;

          g_array_append_val (ms, d);
        }

      /* What the figure is about, counted after the clock stopped. */
      if (i == 0)
        {
          g_autoptr(JsonNode) node = parse_json (body, error);
          JsonArray *rows;

          if (node == NULL)
            return FALSE;
          rows = json_object_get_array_member (json_node_get_object (node), "departments");
          departments = json_array_get_length (rows);
          for (guint r = 0; r < json_array_get_length (rows); r++)
            {
              JsonObject *row = json_array_get_object_element (rows, r);

              open += json_object_get_int_member (row, "open");
              acknowledged += json_object_get_int_member (row, "acknowledged");
              resolved += json_object_get_int_member (row, "resolved");
            }
        }
    }

  phase_end (&phase, "overview");
  figures = bench_describe_latency (ms);
  met = bench_percentile (ms, 0.99) < 100;
  g_print ("overview: GET /api/v1/overview (30 days): %" G_GINT64_FORMAT " departments, %" G_GINT64_FORMAT
           " open tasks, %" G_GINT64_FORMAT " acknowledgements and %" G_GINT64_FORMAT " resolutions in the window\n",
           departments, open, acknowledged, resolved);
  g_print ("overview: %s\n", figures);
  add_summary ("overview: p50 %.2f ms, p99 %.2f ms (target p99 < 100 ms: %s)", bench_percentile (ms, 0.5),
               bench_percentile (ms, 0.99), verdict (met));
  return TRUE;
}

static GArray *
collect_verified (Bench   *bench,
                  GError **error)
{
  g_autoptr(GArray) forwards = g_array_new (FALSE, TRUE, sizeof (Forward));
  g_autofree char *after = NULL;

  g_array_set_clear_func (forwards, forward_clear);

  do
    {
      g_autofree char *path = after
        ? g_strdup_printf ("/api/v1/tasks?state=verified&limit=1000&after=%s", after)
        : g_strdup ("/api/v1/tasks?state=verified&limit=1000");
      g_autoptr(JsonNode) page = client_call (&bench->client, "GET", path, bench->token, NULL, error);
      JsonObject *object;
      JsonArray *tasks;

      if (page == NULL)
        return NULL;
      object = json_node_get_object (page);
      tasks = json_object_get_array_member (object, "tasks");
      for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++)
        {
          JsonObject *task = json_array_get_object_element (tasks, i);
          Forward f = { 0 };

          f.id = json_object_get_int_member (task, "id");
          f.version = json_object_get_int_member (task, "version");
          /* A reopened task is verified again but was held by a department before. */
          if (json_object_get_string_member_with_default (task, "department", NULL) != NULL)
            f.held_by = g_strdup ("?");
          g_array_append_val (forwards, f);
        }

      g_clear_pointer (&after, g_free);
      after = g_strdup (json_object_get_string_member_with_default (object, "next", NULL));
    }
  while (after != NULL && forwards->len < bench->options->forward_max);

  if (forwards->len > bench->options->forward_max)
    g_array_set_size (forwards, bench->options->forward_max);

  /* iocd sends a task's events to the liaison of every department that ever
   * held it; the timeline tells which those are. */
  for (guint i = 0; i < forwards->len; i++)
    {
      Forward *f = &g_array_index (forwards, Forward, i);
      g_autofree char *path = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GString) held = NULL;
      JsonArray *timeline;

      if (f->held_by == NULL)
        continue;

      path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, f->id);
      node = client_call (&bench->client, "GET", path, bench->token, NULL, error);
      if (node == NULL)
        return NULL;
      timeline = json_object_get_array_member (json_node_get_object (node), "timeline");
      held = g_string_new (",");
      for (guint e = 0; timeline != NULL && e < json_array_get_length (timeline); e++)
        {
          const char *d = json_object_get_string_member_with_default (json_array_get_object_element (timeline, e),
                                                                      "department", NULL);
          g_autofree char *needle = d ? g_strconcat (",", d, ",", NULL) : NULL;

          if (needle != NULL && strstr (held->str, needle) == NULL)
            g_string_append_printf (held, "%s,", d);
        }
      g_free (f->held_by);
      f->held_by = g_string_free (g_steal_pointer (&held), FALSE);
    }

  return g_steal_pointer (&forwards);
}

static char *
liaison_username (const char *department)
{
  g_autofree char *folded = ioc_text_fold (department);
  g_autofree char *lower = g_ascii_strdown (folded ? folded : "", -1);

  return g_strconcat ("lienlac.", lower, NULL);
}

static gboolean
write_line (GOutputStream  *out,
            GError        **error,
            const char     *format,
            ...) G_GNUC_PRINTF (3, 4);

static gboolean
write_line (GOutputStream  *out,
            GError        **error,
            const char     *format,
            ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  return g_output_stream_write_all (out, line, strlen (line), NULL, NULL, error) &&
         g_output_stream_write_all (out, "\n", 1, NULL, NULL, error);
}

/* Signs in the listeners' users and starts the listener process; returns
 * once all its streams are open. */
static GSubprocess *
spawn_listeners (Bench             *bench,
                 GPtrArray         *liaison_departments,
                 GDataInputStream **child_out,
                 GError           **error)
{
  static const char * const watchers[] = { "trucban1", "trucban2", "trucban3", "lanhdao" };
  g_autoptr(GPtrArray) watcher_tokens = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) liaison_tokens = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) child = NULL;
  guint n_liaisons = liaison_departments->len;
  guint n_watchers = bench->options->listeners - n_liaisons;
  GOutputStream *child_in;
  gint64 start;

  for (guint i = 0; i < G_N_ELEMENTS (watchers); i++)
    {
      char *token = login (&bench->client, watchers[i], bench->iocd.password, error);

      if (token == NULL)
        return NULL;
      g_ptr_array_add (watcher_tokens, token);
    }
  for (guint i = 0; i < liaison_departments->len; i++)
    {
      g_autofree char *user = liaison_username (g_ptr_array_index (liaison_departments, i));
      char *token = login (&bench->client, user, bench->iocd.password, error);

      if (token == NULL)
        return NULL;
      g_ptr_array_add (liaison_tokens, token);
    }

  {
    /* Exactly this program, even if a rebuild has replaced the file meanwhile:
     * the child execs its own (inherited) executable. */
    const char *argv[] = { "/proc/self/exe", "--listener", NULL };

    child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
    if (child == NULL)
      return NULL;
  }
  child_in = g_subprocess_get_stdin_pipe (child);
  *child_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));

  if (!write_line (child_in, error, "url %s", bench->client.base) ||
      !write_line (child_in, error, "fingerprint %s", bench->client.fingerprint))
    goto fail;
  for (guint i = 0; i < n_watchers; i++)
    if (!write_line (child_in, error, "listen %s - %s", watchers[i % G_N_ELEMENTS (watchers)],
                     (const char *) g_ptr_array_index (watcher_tokens, i % G_N_ELEMENTS (watchers))))
      goto fail;
  for (guint i = 0; i < n_liaisons; i++)
    {
      g_autofree char *user = liaison_username (g_ptr_array_index (liaison_departments, i));

      if (!write_line (child_in, error, "listen %s %s %s", user,
                       (const char *) g_ptr_array_index (liaison_departments, i),
                       (const char *) g_ptr_array_index (liaison_tokens, i)))
        goto fail;
    }
  start = g_get_monotonic_time ();
  if (!write_line (child_in, error, "go"))
    goto fail;

  {
    g_autofree char *line = g_data_input_stream_read_line_utf8 (*child_out, NULL, NULL, error);

    if (line == NULL || !g_str_has_prefix (line, "ready "))
      {
        if (error != NULL && *error == NULL)
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the listener process: %s",
                       line ? line : "exited");
        goto fail;
      }
    g_print ("forwards: %u event listeners connected in %.2f s in a separate process (%u operators and "
             "supervisor, %u liaisons of %u departments)\n", bench->options->listeners,
             (g_get_monotonic_time () - start) / 1e6, n_watchers, n_liaisons, n_liaisons);
  }

  return g_steal_pointer (&child);

fail:
  g_subprocess_force_exit (child);
  g_clear_object (child_out);
  return NULL;
}

static gboolean
bench_forwards (Bench   *bench,
                GError **error)
{
  g_autoptr(GArray) forwards = NULL;
  g_autoptr(GPtrArray) liaison_departments = g_ptr_array_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) child_out = NULL;
  g_autoptr(GArray) latency = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *latency_text = NULL;
  g_autoptr(GHashTable) connections = g_hash_table_new (g_int64_hash, g_int64_equal);
  GOutputStream *child_in = NULL;
  ForwardRun run = { 0 };
  guint n_liaisons = bench->options->listeners / 5;
  gint64 start, end;
  double iocd_ms, seconds, rate;
  Phase phase = { 0 };
  GPid child_pid = 0;

  forwards = collect_verified (bench, error);
  if (forwards == NULL)
    return FALSE;
  if (forwards->len < 2000)
    g_print ("forwards: WARNING: only %u verified tasks to forward, fewer than 2000\n", forwards->len);

  /* Liaisons of the busiest departments first, then of the others. */
  for (guint i = 0; i < bench->busy_departments->len && liaison_departments->len < n_liaisons; i++)
    g_ptr_array_add (liaison_departments, g_ptr_array_index (bench->busy_departments, i));
  for (guint i = 0; i < bench->departments->len && liaison_departments->len < n_liaisons; i++)
    if (!g_ptr_array_find_with_equal_func (liaison_departments, g_ptr_array_index (bench->departments, i),
                                           g_str_equal, NULL))
      g_ptr_array_add (liaison_departments, g_ptr_array_index (bench->departments, i));
  if (liaison_departments->len < n_liaisons)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "too few departments for %u liaisons", n_liaisons);
      return FALSE;
    }

  /* Forwards go round the departments, including those nobody listens for. */
  for (guint i = 0; i < forwards->len; i++)
    g_array_index (forwards, Forward, i).department = g_ptr_array_index (bench->departments,
                                                                         i % bench->departments->len);

  if (bench->options->listeners > 0)
    {
      child = spawn_listeners (bench, liaison_departments, &child_out, error);
      if (child == NULL)
        return FALSE;
      child_pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (child), NULL, 10);
      child_in = g_subprocess_get_stdin_pipe (child);
    }

  run.token = bench->token;
  run.forwards = forwards;
  run.lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) lane_free);
  run.host = host_of (bench->client.base, error);
  if (run.host == NULL)
    return FALSE;

  /* Sixteen requests in flight, as from sixteen desks. With eight, every
   * request in flight waits for the same group commit, and iocd's main
   * loop and its writer's thread take turns instead of working together:
   * the rate is then bound by latency (about 850/s, each thread at half
   * its capacity), not by iocd's work. */

  /* Open the connections before the clock starts, and give iocd's event
   * hub time to bring the new streams live. */
  for (guint i = 0; i < bench->options->in_flight; i++)
    {
      Lane *lane = g_new0 (Lane, 1);

      lane->run = &run;
      lane->id = i + 1;
      lane->call = NO_CALL;
      g_ptr_array_add (run.lanes, lane);
      if (!lane_open (&run, lane, bench->client.base, bench->client.fingerprint, error))
        {
          g_ptr_array_unref (run.lanes);
          g_free (run.host);
          return FALSE;
        }
    }
  wait_ms (300);

  phase_begin (&phase, bench->iocd.pid, child_pid);
  start = g_get_monotonic_time ();
  forward_issue (&run);
  while (run.completed < forwards->len)
    g_main_context_iteration (NULL, TRUE);
  end = g_get_monotonic_time ();
  iocd_ms = phase_end (&phase, "forwards");

  seconds = (end - start) / 1e6;
  rate = (forwards->len - run.failed) / seconds;
  for (guint i = 0; i < forwards->len; i++)
    {
      Forward *f = &g_array_index (forwards, Forward, i);
      double d = (f->done_mono - f->sent_mono) / 1000.0;

      g_array_append_val (latency, d);
      g_hash_table_add (connections, &f->connection);
    }
  latency_text = bench_describe_latency (latency);

  g_print ("forwards: %u POST /api/v1/tasks/{id}/forward, %u in flight over %u kept-alive connection(s), "
           "%u failed, in %.3f s: %.0f forwards/s\n",
           forwards->len, run.lanes->len, g_hash_table_size (connections), run.failed, seconds, rate);
  if (run.first_failure != NULL)
    g_print ("forwards: first failure: %s\n", run.first_failure);
  g_print ("forwards: request latency under load: %s\n", latency_text);
  g_print ("forwards: iocd CPU %.3f ms per forward\n", iocd_ms / forwards->len);
  add_summary ("forwards: %.0f/s with %u listeners, %u of %u succeeded, iocd CPU %.2f ms each "
               "(target >= 1000/s: %s)", rate, bench->options->listeners, forwards->len - run.failed,
               forwards->len, iocd_ms / forwards->len,
               verdict (rate >= 1000 && run.failed == 0 && forwards->len >= 2000));
  add_summary ("noise:    other processes used %.0f%% of one core during the forwards", phase.others);

  g_clear_pointer (&run.lanes, g_ptr_array_unref);
  g_clear_pointer (&run.host, g_free);
  if (child == NULL)
    {
      g_free (run.first_failure);
      return TRUE;
    }

  /* Tell the listeners what was sent, and when; they report once every
   * expected event has come or a time limit has passed. */
  for (guint i = 0; i < forwards->len; i++)
    {
      Forward *f = &g_array_index (forwards, Forward, i);

      if (f->status == 200 &&
          !write_line (child_in, error, "sent %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s %s", f->id,
                       f->sent_real, f->department, f->held_by ? f->held_by : ","))
        return FALSE;
    }
  if (!g_output_stream_close (child_in, NULL, error))
    return FALSE;

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (child_out, NULL, NULL, error);

      if (line == NULL)
        break;
      if (g_str_has_prefix (line, "summary "))
        {
          g_ptr_array_add (summary, g_strdup (line + strlen ("summary ")));
          g_print ("events: %s\n", line + strlen ("summary "));
        }
      else
        g_print ("%s\n", line);
    }
  if (error != NULL && *error != NULL)
    return FALSE;

  if (!g_subprocess_wait_check (child, NULL, error))
    {
      g_prefix_error (error, "the listener process: ");
      return FALSE;
    }

  g_free (run.first_failure);
  return TRUE;
}

static void
print_machine (void)
{
  g_autofree char *cpuinfo = NULL;
  g_autofree char *model = NULL;
  g_autofree char *loadavg = load_average ();
  struct utsname u;

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      const char *p = strstr (cpuinfo, "model name");

      if (p != NULL && (p = strchr (p, ':')) != NULL)
        model = g_strndup (p + 2, strcspn (p + 2, "\n"));
    }
  uname (&u);

  g_print ("Machine: nproc %u, %s, %s %s; libsoup %u.%u.%u, GLib %u.%u.%u; load average %s\n",
           g_get_num_processors (), model ? model : "unknown CPU", u.sysname, u.release,
           soup_get_major_version (), soup_get_minor_version (), soup_get_micro_version (), glib_major_version,
           glib_minor_version, glib_micro_version, loadavg);
}

static int
bench_main (Options *options)
{
  const char *binary = g_getenv ("IOCD_BINARY");
  const char *cert = g_getenv ("IOCD_TEST_CERT");
  const char *key = g_getenv ("IOCD_TEST_KEY");
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *state = NULL;
  g_autofree char *log_path = NULL;
  Bench bench = { 0 };
  gboolean reused = FALSE;
  double seed_s = 0, seed_wall_s = 0;
  guint64 bytes = 0;
  gint64 rss, hwm;
  gint64 t0;
  int status = 1;

  if (binary == NULL || cert == NULL || key == NULL || options->state_cache == NULL)
    {
      g_printerr ("bench: set IOCD_BINARY, IOCD_TEST_CERT, IOCD_TEST_KEY and pass --state-cache "
                  "(meson test --benchmark does)\n");
      return 2;
    }
  if (!g_file_test (cert, G_FILE_TEST_IS_REGULAR) || !g_file_test (key, G_FILE_TEST_IS_REGULAR))
    {
      /* iocd would create a certificate there; the bench must not write into the sources. */
      g_printerr ("bench: the test certificate %s or key %s is missing\n", cert, key);
      return 2;
    }

  summary = g_ptr_array_new_with_free_func (g_free);
  bench.options = options;
  bench.rand = g_rand_new_with_seed (RANDOM_SEED);
  bench.departments = g_ptr_array_new_with_free_func (g_free);
  bench.busy_departments = g_ptr_array_new_with_free_func (g_free);
  bench.words = g_ptr_array_new_with_free_func (g_free);
  bench.locations = g_array_new (FALSE, FALSE, sizeof (double));

  print_machine ();

  if (!ensure_seeded (binary, cert, key, options->state_cache, options->tasks, &reused, &seed_s, &seed_wall_s,
                      &error))
    goto out;
  if (reused)
    g_print ("seed: REUSED the seeded state in %s (first seeded %u tasks in %.1f s by iocd's count, "
             "%.1f s to listening)\n", options->state_cache, options->tasks, seed_s, seed_wall_s);
  else
    g_print ("seed: seeded %u tasks in %.1f s by iocd's count (%.2f ms per task), %.1f s from start to "
             "listening\n", options->tasks, seed_s, seed_s * 1000 / options->tasks, seed_wall_s);
  add_summary ("seed:     %u tasks in %.1f s (%.2f ms per task)%s", options->tasks, seed_s,
               seed_s * 1000 / options->tasks, reused ? ", cached from an earlier run" : ", seeded in this run");

  tmp = g_dir_make_tmp ("iocd-bench-XXXXXX", &error);
  if (tmp == NULL)
    goto out;
  state = g_build_filename (tmp, "state", NULL);
  log_path = g_build_filename (tmp, "iocd.log", NULL);
  t0 = g_get_monotonic_time ();
  if (g_mkdir (state, 0700) != 0 || !bench_copy_state (options->state_cache, state, &bytes, &error))
    {
      if (error == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s", state);
      goto out;
    }
  g_print ("seed: copied %.0f MB of state to %s in %.1f s\n", bytes / 1e6, state,
           (g_get_monotonic_time () - t0) / 1e6);

  t0 = g_get_monotonic_time ();
  if (!iocd_start (&bench.iocd, binary, state, cert, key, options->tasks, log_path, &error))
    goto out;
  g_print ("iocd: pid %d listening on %s after %.2f s, VmRSS %" G_GINT64_FORMAT " KiB at start\n",
           (int) bench.iocd.pid, bench.iocd.base, (g_get_monotonic_time () - t0) / 1e6,
           proc_status_kib (bench.iocd.pid, "VmRSS"));

  bench.client.base = g_strdup (bench.iocd.base);
  bench.client.fingerprint = g_strdup (bench.iocd.fingerprint);
  bench.client.session = soup_session_new_with_options ("max-conns", MAX (options->in_flight, 8) * 2,
                                                        "max-conns-per-host", MAX (options->in_flight, 1),
                                                        "timeout", 60, NULL);

  bench.token = login (&bench.client, "trucban1", bench.iocd.password, &error);
  if (bench.token == NULL || !learn_data (&bench, &error) || !bench_get_one (&bench, &error) ||
      !bench_pages (&bench, &error) || !bench_overview (&bench, &error) || !bench_forwards (&bench, &error))
    goto out;

  rss = proc_status_kib (bench.iocd.pid, "VmRSS");
  hwm = proc_status_kib (bench.iocd.pid, "VmHWM");
  g_print ("memory: iocd VmRSS %.1f MiB, VmHWM (peak) %.1f MiB after the run\n", rss / 1024.0, hwm / 1024.0);
  add_summary ("memory:   iocd VmRSS %.1f MiB after the run (peak %.1f MiB)", rss / 1024.0, hwm / 1024.0);
  status = 0;

out:
  if (error != NULL)
    {
      g_printerr ("bench: %s\n", error->message);
      print_log_tail (bench.iocd.log_path);
    }
  client_clear (&bench.client);
  iocd_stop (&bench.iocd);

  if (status == 0)
    {
      g_autofree char *loadavg = load_average ();

      g_print ("\n=== iocd benchmark summary (nproc %u, %u tasks; load average now %s) ===\n",
               g_get_num_processors (), options->tasks, loadavg);
      for (guint i = 0; i < summary->len; i++)
        g_print ("%s\n", (const char *) g_ptr_array_index (summary, i));
    }

  if (tmp != NULL && !options->keep)
    {
      g_autoptr(GError) e = NULL;

      if (!remove_tree (tmp, &e))
        g_printerr ("bench: cannot remove %s: %s\n", tmp, e->message);
    }
  else if (tmp != NULL)
    g_print ("bench: kept %s\n", tmp);

  g_free (bench.token);
  g_rand_free (bench.rand);
  g_ptr_array_unref (bench.departments);
  g_ptr_array_unref (bench.busy_departments);
  g_ptr_array_unref (bench.words);
  g_array_unref (bench.locations);
  g_ptr_array_unref (summary);
  return status;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean listener = FALSE;
  int tasks = 100000, get_count = 2000, page_count = 500, overview_count = 200, forward_max = 4000, in_flight = 16;
  int listeners = 50;
  Options options = { 0 };
  GOptionEntry entries[] = {
    { "state-cache", 0, 0, G_OPTION_ARG_FILENAME, &options.state_cache, "Seeded state kept between runs", "DIR" },
    { "tasks", 0, 0, G_OPTION_ARG_INT, &tasks, "Demo tasks to seed (100000)", "N" },
    { "get-one", 0, 0, G_OPTION_ARG_INT, &get_count, "GETs of one task (2000)", "N" },
    { "pages", 0, 0, G_OPTION_ARG_INT, &page_count, "GETs of each kind of page (500)", "N" },
    { "overviews", 0, 0, G_OPTION_ARG_INT, &overview_count,
      "GETs of the supervisor overview (200); 0 to skip, for an iocd without it", "N" },
    { "forwards", 0, 0, G_OPTION_ARG_INT, &forward_max, "At most this many forwards (4000)", "N" },
    { "in-flight", 0, 0, G_OPTION_ARG_INT, &in_flight, "Forwards in flight (16)", "N" },
    { "listeners", 0, 0, G_OPTION_ARG_INT, &listeners, "Event listeners, a fifth of them liaisons; 0 for none (50)", "N" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &options.keep, "Keep the temporary state directory", NULL },
    { "listener", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &listener, "Run as the event listener process", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* The parent reads the listener's lines as they come; people read ours live. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  context = g_option_context_new ("— benchmark a real iocd on a large store");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench: %s\n", error->message);
      return 2;
    }

  if (listener)
    return listener_main ();

  if (tasks < 1 || get_count < 1 || page_count < 1 || overview_count < 0 || forward_max < 1 || in_flight < 1 ||
      (listeners > 0 && listeners < 5))
    {
      g_printerr ("bench: the counts must be positive, and 0 or at least 5 listeners\n");
      return 2;
    }
  options.tasks = tasks;
  options.get_count = get_count;
  options.page_count = page_count;
  options.overview_count = overview_count;
  options.forward_max = forward_max;
  options.in_flight = in_flight;
  options.listeners = listeners;

  {
    int status = bench_main (&options);

    g_free (options.state_cache);
    return status;
  }
}
