/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-bench-feeds"

#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-stats.h"

#include "ioc-core.h"
#include "iocd-test-utils.h"

/*
 * Benchmark of the feeds of a real iocd (started by the server tests'
 * harness: --demo --demo-tasks 200 over HTTPS on loopback):
 *
 *  1. Open311 POSTs per second, several in flight on kept-alive connections;
 *  2. sensor readings ingested per second, one year of 5-minute readings of
 *     the Cần Thơ gauge in requests of 10,000: in the compact form one
 *     request at a time and with 2 and 4 in flight, then in the
 *     regular-interval form one at a time (each figure names its form);
 *  3. the latency of the series of that year downsampled to 1,000 points.
 *
 * Every answer is checked; a wrong one ends the run with status 1. A missed
 * target is reported as MISSED, with status 0: the figures are the result.
 */

#define TARGET_POSTS_PER_S     500.0
#define TARGET_READINGS_PER_S  100000.0
#define TARGET_SERIES_P99_MS   30.0

#define STATION    "CANTHO"
#define STEP       (5 * G_TIME_SPAN_MINUTE)
#define YEAR       (365 * G_TIME_SPAN_DAY)
#define PER_YEAR   ((guint) (YEAR / STEP))   /* 105,120 */
#define BATCH      10000
#define POINTS     1000

#define OPEN311_KEY_NAME "bench-open311-app"
#define SENSOR_KEY_NAME  "bench-sensor-feed"

typedef struct {
  IocdTestServer *server;
  SoupSession    *session;    /* many connections, for the timed requests */
  SoupSession    *helper;     /* the harness's, for setting up */
  GPid            pid;
  char           *open311_key;
  char           *sensor_key;
  char           *token;
  GString        *server_output;  /* iocd's standard output after the start */
  GPtrArray      *summary;    /* char *, printed at the end */
  gboolean        missed;
} Bench;

/* Figures */

static void
add_summary (Bench      *bench,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
add_summary (Bench      *bench,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (bench->summary, g_strdup_vprintf (format, args));
  va_end (args);
}

static const char *
verdict (Bench    *bench,
         gboolean  met)
{
  bench->missed |= !met;
  return met ? "met" : "MISSED";
}

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

/* User plus system CPU time of iocd, in milliseconds: iocd serves on one
 * thread, so this is close to the time it spent on the requests. */
static double
server_cpu_ms (Bench *bench)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) bench->pid);
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

  /* utime and stime are fields 14 and 15 of proc(5), here 11 and 12. */
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) * 1000.0 /
         sysconf (_SC_CLK_TCK);
}

static double
own_cpu_ms (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return NAN;

  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

/* Requests */

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              data)
{
  Bench *bench = data;
  g_autofree char *seen = iocd_test_certificate_fingerprint (certificate);

  return seen != NULL && g_ascii_strcasecmp (seen, bench->server->fingerprint) == 0;
}

static SoupMessage *
bench_message_new (Bench      *bench,
                   const char *method,
                   const char *path)
{
  g_autofree char *uri = g_strconcat (bench->server->base_uri, path, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), bench);
  return msg;
}

static JsonNode *
parse_json (GBytes  *body,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize size;
  const char *data = g_bytes_get_data (body, &size);

  if (!json_parser_load_from_data (parser, data, size, error))
    return NULL;

  return json_node_ref (json_parser_get_root (parser));
}

static gboolean
check_status (SoupMessage  *msg,
              GBytes       *body,
              GError      **error)
{
  gsize size;
  const char *data = g_bytes_get_data (body, &size);

  if (soup_message_get_status (msg) == 200)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: HTTP %u: %.*s",
               soup_message_get_method (msg), g_uri_get_path (soup_message_get_uri (msg)),
               soup_message_get_status (msg), (int) MIN (size, 400), data);
  return FALSE;
}

/* Runs of requests with a number in flight */

typedef SoupMessage *(*MessageFunc) (Bench    *bench,
                                     guint     index,
                                     gpointer  data);
typedef gboolean     (*CheckFunc)   (Bench        *bench,
                                     guint         index,
                                     SoupMessage  *msg,
                                     GBytes       *body,
                                     gpointer      data,
                                     GError      **error);

typedef struct {
  Bench       *bench;
  MessageFunc  message;
  CheckFunc    check;
  gpointer     data;
  guint        total;
  guint        max_in_flight;
  guint        next;
  guint        in_flight;
  GArray      *latency_ms;    /* double, in order of completion */
  GHashTable  *connections;   /* connection ids used */
  GError      *error;         /* the first failure; no more are sent after it */
  gint64       started;
  gint64       finished;
} Run;

typedef struct {
  Run         *run;
  SoupMessage *msg;
  guint        index;
  gint64       sent;
} Call;

static void run_issue (Run *run);

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Call *call = data;
  Run *run = call->run;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  gint64 now = g_get_monotonic_time ();
  double ms = (now - call->sent) / 1000.0;

  g_array_append_val (run->latency_ms, ms);
  g_hash_table_add (run->connections, GUINT_TO_POINTER (soup_message_get_connection_id (call->msg)));

  if (body == NULL)
    g_prefix_error (&error, "%s %s: no answer: ", soup_message_get_method (call->msg),
                    g_uri_get_path (soup_message_get_uri (call->msg)));
  else
    run->check (run->bench, call->index, call->msg, body, run->data, &error);
  if (error != NULL && run->error == NULL)
    run->error = g_steal_pointer (&error);

  g_object_unref (call->msg);
  g_free (call);
  run->in_flight--;
  run->finished = now;
  run_issue (run);
}

static void
run_issue (Run *run)
{
  while (run->error == NULL && run->next < run->total && run->in_flight < run->max_in_flight)
    {
      Call *call = g_new0 (Call, 1);

      call->run = run;
      call->index = run->next++;
      call->msg = run->message (run->bench, call->index, run->data);
      run->in_flight++;
      call->sent = g_get_monotonic_time ();
      soup_session_send_and_read_async (run->bench->session, call->msg, G_PRIORITY_DEFAULT, NULL,
                                        call_done_cb, call);
    }
}

/* Sends @total requests made by @message, at most @max_in_flight at a time,
 * checking each answer with @check. The wall time runs from the first send
 * to the last answer. */
static gboolean
run_requests (Bench        *bench,
              guint         total,
              guint         max_in_flight,
              MessageFunc   message,
              CheckFunc     check,
              gpointer      data,
              double       *seconds,
              GArray      **latency_ms,
              guint        *n_connections,
              GError      **error)
{
  Run run = { 0 };

  run.bench = bench;
  run.message = message;
  run.check = check;
  run.data = data;
  run.total = total;
  run.max_in_flight = max_in_flight;
  run.latency_ms = g_array_sized_new (FALSE, FALSE, sizeof (double), total);
  run.connections = g_hash_table_new (NULL, NULL);
  run.started = g_get_monotonic_time ();

  run_issue (&run);
  while (run.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);

  *seconds = (run.finished - run.started) / 1e6;
  if (n_connections != NULL)
    *n_connections = g_hash_table_size (run.connections);
  g_hash_table_unref (run.connections);

  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      g_array_unref (run.latency_ms);
      return FALSE;
    }

  *latency_ms = run.latency_ms;
  return TRUE;
}

/* Setting up */

/* `iocd apikey add NAME --scope SCOPE` against the running server's state. */
static char *
add_api_key (Bench       *bench,
             const char  *name,
             const char  *scope,
             GError     **error)
{
  const char *argv[] = { iocd_test_server_get_binary (), "--state-dir", bench->server->state_dir,
                         "apikey", "add", name, "--scope", scope, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *line;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, error) ||
      !g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "iocd apikey add %s: %s: ", name, err ? err : "");
      return NULL;
    }

  line = strstr (out, "Key: ");
  if (line == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "iocd apikey add printed no key: %s", out);
      return NULL;
    }

  return g_strstrip (g_strndup (line + 5, strcspn (line + 5, "\n")));
}

static char *
escaped_time (gint64 at)
{
  g_autofree char *text = ioc_time_format (at);

  /* The offset's '+' would read as a space in a query. */
  return g_uri_escape_string (text, NULL, FALSE);
}

static char *
series_path (gint64 from,
             gint64 to,
             guint  points)
{
  g_autofree char *from_text = escaped_time (from);
  g_autofree char *to_text = escaped_time (to);

  return g_strdup_printf ("/api/v1/stations/" STATION "/readings?from=%s&to=%s&points=%u",
                          from_text, to_text, points);
}

/* The first reading the demo seeded for the station (60 days ago). */
static gint64
first_demo_reading (Bench   *bench,
                    GError **error)
{
  gint64 now = g_get_real_time ();
  g_autofree char *path = series_path (now - 62 * G_TIME_SPAN_DAY, now - 58 * G_TIME_SPAN_DAY, 10000);
  g_autoptr(IocdTestResponse) r = iocd_test_request (bench->server, bench->helper, "GET", path,
                                                     bench->token, NULL, NULL);
  gint64 first;

  if (r->status != 200 || (first = iocd_test_json_time (r->body, "readings.0.at")) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "GET %s: HTTP %u: %.300s", path, r->status,
                   r->text ? r->text : "");
      return 0;
    }

  return first;
}

/* 1. Open311 */

typedef struct {
  GHashTable *ids;   /* service_request_id strings seen */
} Open311Job;

static SoupMessage *
open311_message (Bench    *bench,
                 guint     index,
                 gpointer  data)
{
  static const char * const descriptions[] = {
    "Ổ gà lớn giữa đường, xe máy phải tránh sát lề, trời mưa nước đọng che mất ổ gà rất nguy hiểm.",
    "Cây xanh ngã chắn ngang đường sau cơn mưa lớn, người đi đường phải quay đầu.",
    "Quán karaoke hát lớn sau 22 giờ nhiều đêm liền, người dân trong hẻm không ngủ được.",
    "Rác thải tập kết trên vỉa hè ba ngày chưa được thu gom, bốc mùi hôi thối.",
  };
  g_autofree char *lat = g_strdup_printf ("%.5f", 9.98 + (index * 7919 % 15000) / 100000.0);
  g_autofree char *lon = g_strdup_printf ("%.5f", 105.65 + (index * 6271 % 17000) / 100000.0);
  g_autofree char *phone = g_strdup_printf ("0909%06u", index % 1000000);
  g_autofree char *email = g_strdup_printf ("nguoidan%u@example.org", index);
  const char *description = descriptions[index % G_N_ELEMENTS (descriptions)];
  char *form;
  SoupMessage *msg;
  g_autoptr(GBytes) bytes = NULL;

  /* Locales with a decimal comma must not reach the form. */
  g_strdelimit (lat, ",", '.');
  g_strdelimit (lon, ",", '.');

  switch (index % 4)
    {
    case 0:
      form = soup_form_encode ("api_key", bench->open311_key, "service_code", "ROAD", "lat", lat, "long", lon,
                               "description", description, "attribute[lane_blocked]", "yes",
                               "attribute[damage_size]", "medium", "first_name", "Lan", "last_name", "Nguyễn Thị",
                               "phone", phone, "email", email, NULL);
      break;
    case 1:
      form = soup_form_encode ("api_key", bench->open311_key, "service_code", "TREE", "lat", lat, "long", lon,
                               "address_string", "Đường Hòa Bình, phường Ninh Kiều", "description", description,
                               "attribute[blocking]", "road", "first_name", "Minh", "last_name", "Trần Văn",
                               "phone", phone, NULL);
      break;
    case 2:
      form = soup_form_encode ("api_key", bench->open311_key, "service_code", "NOISE",
                               "address_string", "Hẻm 51 đường 3 Tháng 2, phường Ninh Kiều",
                               "description", description, "attribute[noise_kind]", "karaoke",
                               "email", email, NULL);
      break;
    default:
      form = soup_form_encode ("api_key", bench->open311_key, "service_code", "OTHER", "lat", lat, "long", lon,
                               "description", description, "media_url", "https://example.org/anh/1.jpg", NULL);
      break;
    }

  msg = bench_message_new (bench, "POST", "/open311/v2/requests.json");
  bytes = g_bytes_new_take (form, strlen (form));
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
  /* A POST is sent on a new connection unless marked idempotent; a citizen
   * app keeps its connection, and a repeat of a report is harmless. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  return msg;
}

static gboolean
open311_check (Bench        *bench,
               guint         index,
               SoupMessage  *msg,
               GBytes       *body,
               gpointer      data,
               GError      **error)
{
  Open311Job *job = data;
  g_autoptr(JsonNode) node = NULL;
  const char *id;

  if (!check_status (msg, body, error) || (node = parse_json (body, error)) == NULL)
    return FALSE;

  id = iocd_test_json_string (node, "0.service_request_id");
  if (id == NULL || *id == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "POST %u: no service_request_id", index);
      return FALSE;
    }
  g_hash_table_add (job->ids, g_strdup (id));
  return TRUE;
}

static gboolean
bench_open311 (Bench   *bench,
               guint    n_posts,
               guint    in_flight,
               GError **error)
{
  Open311Job job = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  g_autoptr(GArray) warm_latency = NULL;
  g_autoptr(GArray) latency = NULL;
  g_autofree char *latency_text = NULL;
  double seconds, rate, cpu0, cpu1, own0, own1;
  guint connections = 0;
  gboolean ok;

  /* Warm-up: connections, TLS sessions and the statement cache. */
  ok = run_requests (bench, 4 * in_flight, in_flight, open311_message, open311_check, &job, &seconds,
                     &warm_latency, NULL, error);
  g_hash_table_remove_all (job.ids);

  cpu0 = server_cpu_ms (bench);
  own0 = own_cpu_ms ();
  ok = ok && run_requests (bench, n_posts, in_flight, open311_message, open311_check, &job, &seconds, &latency,
                           &connections, error);
  cpu1 = server_cpu_ms (bench);
  own1 = own_cpu_ms ();
  if (ok && g_hash_table_size (job.ids) != n_posts)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%u POSTs gave %u distinct request ids", n_posts,
                   g_hash_table_size (job.ids));
      ok = FALSE;
    }
  g_hash_table_unref (job.ids);
  if (!ok)
    return FALSE;

  rate = n_posts / seconds;
  latency_text = bench_describe_latency (latency);
  add_summary (bench, "open311: %.0f POSTs/s sustained (target >= %.0f/s: %s): %u POSTs of requests.json, "
               "%u in flight on %u kept-alive connections, %.2f s",
               rate, TARGET_POSTS_PER_S, verdict (bench, rate >= TARGET_POSTS_PER_S), n_posts, in_flight,
               connections, seconds);
  add_summary (bench, "open311: latency %s", latency_text);
  add_summary (bench, "open311: iocd CPU %.2f ms per POST (%.0f%% of one core); this client %.2f ms per POST",
               (cpu1 - cpu0) / n_posts, (cpu1 - cpu0) / (seconds * 10), (own1 - own0) / n_posts);
  return TRUE;
}

/* 2. Readings */

/* The demo's tide (iocd-demo-sensors.c: M2 + S2 + K1 on the same epoch), so
 * that the year joins the seeded 60 days without a jump; the noise is ours. */
static double
tide (gint64 at)
{
  double h = (at / (double) G_USEC_PER_SEC - 947289600) / 3600.0;
  double m2 = 1.10 * cos (2 * G_PI * h / 12.4206012);
  double s2 = 0.40 * cos (2 * G_PI * h / 12.0);
  double k1 = 0.15 * cos (2 * G_PI * (h - 1.0) / 23.9344697);
  guint32 n = (guint32) (at / STEP) * 2654435761u;
  double noise = 0.03 * (2 * ((n >> 8) / 16777216.0) - 1);

  /* Millimetres, as a gauge reports. */
  return round ((0.55 + m2 + s2 + k1 + noise) * 1000) / 1000;
}

/* The body forms of POST /readings the benchmark sends (API.md, Sensors). */
typedef enum {
  FORM_COMPACT,    /* {"station", "readings": [[at, value], …]} */
  FORM_INTERVAL,   /* {"station", "start", "interval_s", "values": [value, …]} */
} Form;

static const char *
form_name (Form form)
{
  return form == FORM_INTERVAL ? "regular-interval form" : "compact form";
}

typedef struct {
  GPtrArray *bodies;     /* GBytes, in one form */
  GArray    *counts;     /* guint, readings in each */
  gsize      bytes;
  double     lowest;
  double     highest;
} Year;

static void
year_free (Year *year)
{
  g_ptr_array_unref (year->bodies);
  g_array_unref (year->counts);
  g_free (year);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Year, year_free)

/* One year of readings from @start on, every STEP, in requests of BATCH. */
static Year *
year_new (gint64 start,
          Form   form)
{
  Year *year = g_new0 (Year, 1);

  year->bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  year->counts = g_array_new (FALSE, FALSE, sizeof (guint));
  year->lowest = INFINITY;
  year->highest = -INFINITY;

  for (guint done = 0; done < PER_YEAR; done += BATCH)
    {
      g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      guint count = MIN (BATCH, PER_YEAR - done);
      char *text;
      gsize length;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "station");
      json_builder_add_string_value (b, STATION);
      if (form == FORM_INTERVAL)
        {
          g_autofree char *first = ioc_time_format (start + (gint64) done * STEP);

          json_builder_set_member_name (b, "start");
          json_builder_add_string_value (b, first);
          json_builder_set_member_name (b, "interval_s");
          json_builder_add_int_value (b, STEP / G_USEC_PER_SEC);
          json_builder_set_member_name (b, "values");
        }
      else
        json_builder_set_member_name (b, "readings");
      json_builder_begin_array (b);
      for (guint i = 0; i < count; i++)
        {
          gint64 at = start + (gint64) (done + i) * STEP;
          double value = tide (at);

          year->lowest = MIN (year->lowest, value);
          year->highest = MAX (year->highest, value);
          if (form == FORM_INTERVAL)
            {
              json_builder_add_double_value (b, value);
              continue;
            }

          {
            g_autofree char *at_text = ioc_time_format (at);

            json_builder_begin_array (b);
            json_builder_add_string_value (b, at_text);
            json_builder_add_double_value (b, value);
            json_builder_end_array (b);
          }
        }
      json_builder_end_array (b);
      json_builder_end_object (b);

      root = json_builder_get_root (b);
      json_generator_set_root (generator, root);
      text = json_generator_to_data (generator, &length);
      year->bytes += length;
      g_ptr_array_add (year->bodies, g_bytes_new_take (text, length));
      g_array_append_val (year->counts, count);
    }

  return year;
}

static SoupMessage *
readings_message (Bench    *bench,
                  guint     index,
                  gpointer  data)
{
  Year *year = data;
  SoupMessage *msg = bench_message_new (bench, "POST", "/api/v1/readings");

  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Api-Key", bench->sensor_key);
  soup_message_set_request_body_from_bytes (msg, "application/json", g_ptr_array_index (year->bodies, index));
  /* Storing the same readings again replaces them: safe to repeat. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  return msg;
}

static gboolean
readings_check (Bench        *bench,
                guint         index,
                SoupMessage  *msg,
                GBytes       *body,
                gpointer      data,
                GError      **error)
{
  Year *year = data;
  g_autoptr(JsonNode) node = NULL;
  gint64 stored;

  if (!check_status (msg, body, error) || (node = parse_json (body, error)) == NULL)
    return FALSE;

  stored = iocd_test_json_int (node, "stored");
  if (stored != g_array_index (year->counts, guint, index))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "POST readings %u: stored %" G_GINT64_FORMAT ", sent %u",
                   index, stored, g_array_index (year->counts, guint, index));
      return FALSE;
    }

  return TRUE;
}

/* What iocd printed on standard output since it started listening: GLib
 * writes debug messages there, and the harness stops reading it after the
 * listening line. Read without blocking, so call it when iocd has answered. */
static void
drain_stdout (Bench *bench)
{
  GInputStream *out = g_subprocess_get_stdout_pipe (bench->server->process);
  char buffer[16384];
  gssize n;

  if (!G_IS_POLLABLE_INPUT_STREAM (out))
    return;

  while ((n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (out), buffer, sizeof buffer,
                                                        NULL, NULL)) > 0)
    g_string_append_len (bench->server_output, buffer, n);
}

/* The server-side times iocd logged ("CLIENT: N readings in X ms", a debug
 * message of iocd-sensors, from the handler's start to the commit and the
 * events: parsing and validating the body, storing, the alarm rule), from
 * the @skip-th on. */
static GArray *
logged_ingest_ms (Bench *bench,
                  guint  skip)
{
  g_auto(GStrv) lines = NULL;
  GArray *ms = g_array_new (FALSE, FALSE, sizeof (double));
  guint seen = 0;

  drain_stdout (bench);
  lines = g_strsplit (bench->server_output->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *p = strstr (lines[i], SENSOR_KEY_NAME ": ");
      const char *in;
      double value;

      if (p == NULL || (in = strstr (p, " readings in ")) == NULL)
        continue;
      if (seen++ < skip)
        continue;
      value = g_ascii_strtod (in + strlen (" readings in "), NULL);
      g_array_append_val (ms, value);
    }

  return ms;
}

static gboolean
bench_year (Bench       *bench,
            const char  *label,
            Form         form,
            gint64       start,
            guint        in_flight,
            guint       *n_logged,
            Year       **out,
            GError     **error)
{
  g_autoptr(Year) year = NULL;
  g_autoptr(GArray) latency = NULL;
  g_autoptr(GArray) server_ms = NULL;
  g_autofree char *latency_text = NULL;
  g_autofree char *first = ioc_time_format (start);
  g_autofree char *last = ioc_time_format (start + (PER_YEAR - 1) * (gint64) STEP);
  double seconds, rate, cpu0, cpu1, server_sum = 0;
  gint64 built = g_get_monotonic_time ();

  year = year_new (start, form);
  g_print ("readings %s: built %u requests (%u readings, %.1f MB, %s … %s) in %.2f s\n", label,
           year->bodies->len, PER_YEAR, year->bytes / 1e6, first, last, (g_get_monotonic_time () - built) / 1e6);

  cpu0 = server_cpu_ms (bench);
  if (!run_requests (bench, year->bodies->len, in_flight, readings_message, readings_check, year, &seconds,
                     &latency, NULL, error))
    return FALSE;
  cpu1 = server_cpu_ms (bench);

  rate = PER_YEAR / seconds;
  latency_text = bench_describe_latency (latency);
  server_ms = logged_ingest_ms (bench, *n_logged);
  *n_logged += server_ms->len;
  for (guint i = 0; i < server_ms->len; i++)
    server_sum += g_array_index (server_ms, double, i);

  add_summary (bench, "readings %s: %.0f readings/s (target >= %.0f/s: %s): %u readings of " STATION
               " (%s … %s) in %u requests of <= %u in the %s, %u in flight, %.2f s end to end",
               label, rate, TARGET_READINGS_PER_S, verdict (bench, rate >= TARGET_READINGS_PER_S), PER_YEAR,
               first, last, year->bodies->len, BATCH, form_name (form), in_flight, seconds);
  add_summary (bench, "readings %s: per request %s; %.1f KB per request of 10,000", label, latency_text,
               g_bytes_get_size (g_ptr_array_index (year->bodies, 0)) / 1e3);
  if (server_ms->len == year->bodies->len)
    {
      g_autofree char *server_text = bench_describe_latency (server_ms);

      add_summary (bench, "readings %s: server side (handler: parse, validate, store, alarm rule, commit) "
                   "%.0f readings/s, %.2f s of %.2f s; per request %s",
                   label, PER_YEAR / (server_sum / 1000), server_sum / 1000, seconds, server_text);
    }
  else
    add_summary (bench, "readings %s: iocd logged %u server-side times for %u requests", label,
                 server_ms->len, year->bodies->len);
  add_summary (bench, "readings %s: iocd CPU %.0f ms (%.1f µs per reading)", label, cpu1 - cpu0,
               (cpu1 - cpu0) * 1000 / PER_YEAR);

  if (out != NULL)
    *out = g_steal_pointer (&year);
  return TRUE;
}

/* 3. Series */

typedef struct {
  Year   *year;
  char   *path;
  gint64  from;
  gint64  to;
  gint64  points_min;
  gint64  points_max;
} SeriesJob;

static SoupMessage *
series_message (Bench    *bench,
                guint     index,
                gpointer  data)
{
  SeriesJob *job = data;
  SoupMessage *msg = bench_message_new (bench, "GET", job->path);
  g_autofree char *authorization = g_strconcat ("Bearer ", bench->token, NULL);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", authorization);
  return msg;
}

static gboolean
series_check (Bench        *bench,
              guint         index,
              SoupMessage  *msg,
              GBytes       *body,
              gpointer      data,
              GError      **error)
{
  SeriesJob *job = data;
  g_autoptr(JsonNode) node = NULL;
  JsonNode *readings;
  JsonArray *array;
  double lowest = INFINITY, highest = -INFINITY;
  guint n;

  if (!check_status (msg, body, error) || (node = parse_json (body, error)) == NULL)
    return FALSE;

  readings = iocd_test_json_get (node, "readings");
  if (iocd_test_json_int (node, "count") != PER_YEAR || readings == NULL || !JSON_NODE_HOLDS_ARRAY (readings) ||
      json_node_get_boolean (iocd_test_json_get (node, "downsampled")) != TRUE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "GET %s: not the downsampled year of %u readings: "
                   "%.300s", job->path, PER_YEAR, (const char *) g_bytes_get_data (body, NULL));
      return FALSE;
    }

  array = json_node_get_array (readings);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *reading = json_array_get_object_element (array, i);
      gint64 at = 0;
      double value = json_object_get_double_member (reading, "value");

      if (!ioc_time_parse (json_object_get_string_member (reading, "at"), &at) || at < job->from || at > job->to)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "GET %s: reading %u out of the range", job->path, i);
          return FALSE;
        }
      lowest = MIN (lowest, value);
      highest = MAX (highest, value);
    }

  /* The downsampling keeps each bucket's extremes, so the year's too. */
  if (n == 0 || n > POINTS || lowest != job->year->lowest || highest != job->year->highest)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "GET %s: %u points from %.3f to %.3f; the year has "
                   "%.3f to %.3f", job->path, n, lowest, highest, job->year->lowest, job->year->highest);
      return FALSE;
    }

  job->points_min = job->points_min ? MIN (job->points_min, n) : n;
  job->points_max = MAX (job->points_max, n);
  return TRUE;
}

static gboolean
bench_series (Bench   *bench,
              Year    *year,
              gint64   start,
              guint    n_gets,
              GError **error)
{
  SeriesJob job = { year, NULL, start, start + (PER_YEAR - 1) * (gint64) STEP, 0, 0 };
  g_autoptr(GArray) warm_latency = NULL;
  g_autoptr(GArray) latency = NULL;
  g_autofree char *latency_text = NULL;
  double seconds, cpu0, cpu1, p99;
  gboolean ok;

  job.path = series_path (job.from, job.to, POINTS);
  ok = run_requests (bench, 5, 1, series_message, series_check, &job, &seconds, &warm_latency, NULL, error);
  cpu0 = server_cpu_ms (bench);
  ok = ok && run_requests (bench, n_gets, 1, series_message, series_check, &job, &seconds, &latency, NULL, error);
  cpu1 = server_cpu_ms (bench);
  if (!ok)
    {
      g_free (job.path);
      return FALSE;
    }

  latency_text = bench_describe_latency (latency);
  p99 = bench_percentile (latency, 0.99);
  add_summary (bench, "series: p99 %.2f ms (target < %.0f ms: %s): %u GETs one at a time of %s",
               p99, TARGET_SERIES_P99_MS, verdict (bench, p99 < TARGET_SERIES_P99_MS), n_gets, job.path);
  add_summary (bench, "series: %s; count %u, %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " points (<= %u), "
               "the year's lowest and highest kept", latency_text, PER_YEAR, job.points_min, job.points_max, POINTS);
  add_summary (bench, "series: iocd CPU %.2f ms per GET", (cpu1 - cpu0) / n_gets);
  g_free (job.path);
  return TRUE;
}

/* The run */

static gboolean
bench_run (Bench   *bench,
           guint    n_posts,
           guint    post_in_flight,
           guint    n_gets,
           GError **error)
{
  g_autoptr(Year) year = NULL;
  g_autoptr(IocdTestResponse) station = NULL;
  gint64 first, start;
  guint n_logged = 0;
  const guint in_flights[] = { 2, 4 };

  bench->open311_key = add_api_key (bench, OPEN311_KEY_NAME, "open311", error);
  if (bench->open311_key == NULL)
    return FALSE;
  bench->sensor_key = add_api_key (bench, SENSOR_KEY_NAME, "sensors", error);
  if (bench->sensor_key == NULL)
    return FALSE;
  bench->token = g_strdup (iocd_test_token (bench->server, bench->helper, "trucban1"));
  if (*bench->token == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot sign in as trucban1");
      return FALSE;
    }

  if (!bench_open311 (bench, n_posts, post_in_flight, error))
    return FALSE;
  g_print ("%s\n", (const char *) g_ptr_array_index (bench->summary, 0));

  /* iocd refuses readings more than 5 minutes ahead of its clock, and the
   * demo has seeded the station up to now, so a year of readings newer than
   * the station's newest cannot be sent. The years before the seeded 60 days
   * are free: their readings are stored like any (a gap filled in the
   * record), but the alarm rule is not replayed over them. */
  first = first_demo_reading (bench, error);
  if (first == 0)
    return FALSE;
  station = iocd_test_request (bench->server, bench->helper, "GET", "/api/v1/stations/" STATION, bench->token,
                               NULL, NULL);
  {
    g_autofree char *first_text = ioc_time_format (first);

    g_print ("readings: " STATION " has demo readings from %s to %s\n", first_text,
             station->status == 200 ? iocd_test_json_string (station->body, "latest.at") : "?");
    add_summary (bench, "readings: years before the demo's first reading (%s): older than the station's "
                 "newest, so stored as a gap filled in the record and not run through the alarm rule (every demo "
                 "station has readings up to iocd's start, and readings more than 5 minutes ahead are refused: "
                 "no year can be newer than a station's newest)", first_text);
  }

  start = first - YEAR;
  if (!bench_year (bench, "compact, one at a time", FORM_COMPACT, start, 1, &n_logged, &year, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (in_flights); i++)
    {
      g_autofree char *label = g_strdup_printf ("compact, %u in flight", in_flights[i]);

      /* Each on a year of its own, further back: no run replaces another's. */
      if (!bench_year (bench, label, FORM_COMPACT, first - (i + 2) * YEAR, in_flights[i], &n_logged, NULL,
                       error))
        return FALSE;
    }
  /* The regular-interval form, figures of its own: its bodies carry no
   * times, so they are a third of the size and parse faster. */
  if (!bench_year (bench, "interval, one at a time", FORM_INTERVAL, first - 4 * YEAR, 1, &n_logged, NULL, error))
    return FALSE;

  return bench_series (bench, year, start, n_gets, error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int posts = 3000, post_in_flight = 8, gets = 500;
  GOptionEntry entries[] = {
    { "posts", 0, 0, G_OPTION_ARG_INT, &posts, "Open311 POSTs (3000)", "N" },
    { "in-flight", 0, 0, G_OPTION_ARG_INT, &post_in_flight, "Open311 POSTs in flight (8)", "N" },
    { "series", 0, 0, G_OPTION_ARG_INT, &gets, "Series GETs (500)", "N" },
    { NULL }
  };
  Bench bench = { 0 };
  g_autofree char *loadavg = NULL;
  gboolean ok;

  setlocale (LC_ALL, "");
  setvbuf (stdout, NULL, _IOLBF, 0);

  context = g_option_context_new ("— benchmark Open311 intake, sensor ingest and series of a real iocd");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-feeds: %s\n", error->message);
      return 2;
    }
  if (posts < 1 || post_in_flight < 1 || gets < 1)
    {
      g_printerr ("bench-feeds: the counts must be positive\n");
      return 2;
    }

  /* iocd inherits this: it logs the server-side time of every ingest (on
   * standard output, as GLib does with debug messages). */
  g_setenv ("G_MESSAGES_DEBUG", "iocd-sensors", TRUE);

  loadavg = load_average ();
  g_print ("bench-feeds: nproc %u, load average %s; libsoup %u.%u.%u, GLib %u.%u.%u\n",
           g_get_num_processors (), loadavg, soup_get_major_version (), soup_get_minor_version (),
           soup_get_micro_version (), glib_major_version, glib_minor_version, glib_micro_version);

  bench.summary = g_ptr_array_new_with_free_func (g_free);
  bench.server_output = g_string_new (NULL);
  bench.server = iocd_test_server_start (NULL);
  bench.pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (bench.server->process), NULL, 10);
  bench.helper = iocd_test_session_new (bench.server);
  /* Enough connections that the ones in flight never wait for one. */
  bench.session = soup_session_new_with_options ("max-conns", 64, "max-conns-per-host", 64, "timeout", 120,
                                                 "tls-database", NULL, "user-agent", "iocd-bench-feeds", NULL);
  g_print ("bench-feeds: iocd (pid %d) at %s, state %s\n", (int) bench.pid, bench.server->base_uri,
           bench.server->state_dir);

  ok = bench_run (&bench, posts, post_in_flight, gets, &error);
  if (!ok)
    g_printerr ("bench-feeds: %s\n", error->message);

  g_clear_object (&bench.session);
  g_clear_object (&bench.helper);
  iocd_test_server_free (bench.server);

  if (ok)
    {
      g_clear_pointer (&loadavg, g_free);
      loadavg = load_average ();
      g_print ("\n=== iocd feeds benchmark (nproc %u; client and iocd on the same machine; load average now %s) ===\n",
               g_get_num_processors (), loadavg);
      for (guint i = 0; i < bench.summary->len; i++)
        g_print ("%s\n", (const char *) g_ptr_array_index (bench.summary, i));
      g_print ("targets: %s\n", bench.missed ? "at least one MISSED" : "all met");
    }

  g_ptr_array_unref (bench.summary);
  g_string_free (bench.server_output, TRUE);
  g_free (bench.open311_key);
  g_free (bench.sensor_key);
  g_free (bench.token);
  return ok ? 0 : 1;
}
