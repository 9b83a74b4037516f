/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ioc-core.h"
#include "iocd-test-utils.h"

/* One iocd for the whole program: seeding the demo city costs seconds. */
static IocdTestServer *server;
static SoupSession *session;

#define ARRIVE_MS 15000
#define QUIET_MS 500

/* Readings "now" must come after what the demo seeded (up to its start) and
 * in order per station: every call gives a later whole second. */
static gint64
next_time (void)
{
  static gint64 last;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC * G_USEC_PER_SEC;

  last = MAX (now, last + G_USEC_PER_SEC);
  return last;
}

static const char *
token (const char *username)
{
  return iocd_test_token (server, session, username);
}

/* POST /api/v1/readings with a Bearer token or an X-Api-Key (either may be NULL). */
static IocdTestResponse *
post_readings (const char *bearer,
               const char *api_key,
               const char *body)
{
  g_autoptr(SoupMessage) msg = iocd_test_message_new (server, "POST", "/api/v1/readings", bearer);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  if (api_key != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Api-Key", api_key);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  return iocd_test_send (session, msg);
}

/* {"readings": [{station, at, value}, …]} for one station at the next times. */
static char *
readings_body (const char   *station,
               const double *values,
               guint         n)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "readings");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *at = ioc_time_format (next_time ());

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "station");
      json_builder_add_string_value (b, station);
      json_builder_set_member_name (b, "at");
      json_builder_add_string_value (b, at);
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, values[i]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return iocd_test_json_finish (b);
}

/* Posts @values as the admin; returns the ids in the answer's "tasks" (opened or raised). */
static GArray *
send_values (const char   *station,
             const double *values,
             guint         n,
             const char   *what)
{
  g_autofree char *body = readings_body (station, values, n);
  g_autoptr(IocdTestResponse) r = post_readings (token ("admin"), NULL, body);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonNode *tasks;

  if (!iocd_test_check_status (r, 200, what))
    return ids;

  g_assert_cmpint (iocd_test_json_int (r->body, "stored"), ==, n);
  tasks = iocd_test_json_get (r->body, "tasks");
  if (tasks == NULL || !JSON_NODE_HOLDS_ARRAY (tasks))
    {
      iocd_test_fail ("%s: no tasks array in %s", what, r->text);
      return ids;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (tasks)); i++)
    {
      gint64 id = json_array_get_int_element (json_node_get_array (tasks), i);

      g_array_append_val (ids, id);
    }
  return ids;
}

#define SEND(station, what, ...) \
  send_values (station, (const double[]) { __VA_ARGS__ }, \
               sizeof ((const double[]) { __VA_ARGS__ }) / sizeof (double), what)

/* The station as GET /stations/{code} shows it. */
static JsonNode *
get_station (const char *code)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/stations/%s", code);
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", path, token ("trucban1"), NULL, NULL);

  if (!iocd_test_check_status (r, 200, path) || r->body == NULL)
    return NULL;
  return json_node_ref (r->body);
}

static void
check_contains (JsonNode   *node,
                const char *path,
                const char *needle)
{
  const char *text = iocd_test_json_string (node, path);

  if (text == NULL || strstr (text, needle) == NULL)
    iocd_test_fail ("%s is “%s”, without “%s”", path, text ? text : "(none)", needle);
}

static guint
count_sensor_tasks (void)
{
  g_autoptr(GPtrArray) tasks = iocd_test_list_tasks (server, session, token ("trucban1"), "source=sensor", 1000,
                                                     NULL);

  return tasks ? tasks->len : 0;
}

static guint
count_comments (JsonNode *task)
{
  JsonNode *timeline = iocd_test_json_get (task, "timeline");
  guint n = 0;

  if (timeline == NULL || !JSON_NODE_HOLDS_ARRAY (timeline))
    return 0;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (timeline)); i++)
    {
      JsonObject *entry = json_array_get_object_element (json_node_get_array (timeline), i);

      n += g_strcmp0 (json_object_get_string_member_with_default (entry, "action", ""), "comment") == 0;
    }
  return n;
}

static void
check_alarm (const char *code,
             gint64      level,
             gint64      task,
             const char *what)
{
  g_autoptr(JsonNode) station = get_station (code);
  gint64 got_task = station ? iocd_test_json_int (station, "alarm_task") : -2;

  if (station == NULL)
    return;
  if (iocd_test_json_int (station, "alarm_level") != level || (task >= 0 && got_task != (task ? task : -1)))
    iocd_test_fail ("%s: station %s at alarm level %" G_GINT64_FORMAT " task %" G_GINT64_FORMAT
                    ", expected %" G_GINT64_FORMAT " task %" G_GINT64_FORMAT, what, code,
                    iocd_test_json_int (station, "alarm_level"), got_task, level, task);
}

static void
test_hysteresis (void)
{
  g_autoptr(GArray) ids = NULL;
  g_autoptr(JsonNode) task = NULL;
  g_autoptr(JsonNode) second = NULL;
  guint before = count_sensor_tasks ();
  gint64 id;

  /* Whatever the seeded tide left: below level I re-arms the gauge. */
  g_clear_pointer (&ids, g_array_unref);
  ids = SEND ("CANTHO", "low water", 0.50);
  check_alarm ("CANTHO", 0, 0, "after low water");

  /* Rising over level I: exactly one task. */
  g_clear_pointer (&ids, g_array_unref);
  ids = SEND ("CANTHO", "rising over I", 1.70, 1.82, 1.85);
  if (ids->len != 1)
    {
      iocd_test_fail ("rising over level I gave %u tasks, expected 1", ids->len);
      return;
    }
  id = g_array_index (ids, gint64, 0);
  check_alarm ("CANTHO", 1, id, "over I");

  task = iocd_test_fetch_task (server, session, token ("trucban1"), id);
  if (task == NULL)
    return;
  g_assert_cmpstr (iocd_test_json_string (task, "source"), ==, "sensor");
  g_assert_cmpstr (iocd_test_json_string (task, "category"), ==, "FLOOD");
  g_assert_cmpstr (iocd_test_json_string (task, "state"), ==, "received");
  g_assert_cmpstr (iocd_test_json_string (task, "priority"), ==, "normal");
  g_assert_cmpstr (iocd_test_json_string (task, "commune"), ==, "31135");
  g_assert_nonnull (iocd_test_json_get (task, "location.lat"));
  check_contains (task, "title", "Cần Thơ");
  check_contains (task, "title", "báo động I: 1,82 m");
  /* The reading's time as people write it there, in the city's time zone. */
  g_assert_true (g_regex_match_simple ("lúc [0-2][0-9]:[0-5][0-9] ngày [0-3][0-9]/[01][0-9]/20[0-9][0-9]\\.$",
                                       iocd_test_json_string (task, "description"), 0, 0));
  g_assert_cmpstr (iocd_test_json_string (task, "timeline.0.actor.name"), ==, "Trạm Cần Thơ");
  g_clear_pointer (&task, json_node_unref);

  /* Waves above level I, and around level II, never below I: still one task,
   * raised to high once. */
  g_clear_pointer (&ids, g_array_unref);
  ids = SEND ("CANTHO", "oscillating", 1.81, 1.86, 1.80, 1.88, 1.91, 1.87, 1.92, 1.84, 1.93, 1.83);
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) != id)
      iocd_test_fail ("oscillating above level I touched task %" G_GINT64_FORMAT, g_array_index (ids, gint64, i));
  task = iocd_test_fetch_task (server, session, token ("trucban1"), id);
  if (task == NULL)
    return;
  g_assert_cmpstr (iocd_test_json_string (task, "priority"), ==, "high");
  g_assert_cmpuint (count_comments (task), ==, 1);
  g_assert_cmpint (iocd_test_json_int (task, "version"), ==, 2);
  g_clear_pointer (&task, json_node_unref);
  g_assert_cmpuint (count_sensor_tasks (), ==, before + 1);

  /* Up to level III: the same task, urgent, with a timeline entry. */
  g_clear_pointer (&ids, g_array_unref);
  ids = SEND ("CANTHO", "rising to III", 1.95, 2.04);
  g_assert_cmpuint (ids->len, ==, 1);
  if (ids->len == 1)
    g_assert_cmpint (g_array_index (ids, gint64, 0), ==, id);
  check_alarm ("CANTHO", 3, id, "at III");
  task = iocd_test_fetch_task (server, session, token ("trucban1"), id);
  if (task == NULL)
    return;
  g_assert_cmpstr (iocd_test_json_string (task, "priority"), ==, "urgent");
  g_assert_cmpuint (count_comments (task), ==, 2);
  g_assert_cmpint (iocd_test_json_int (task, "version"), ==, 3);
  check_contains (task, "timeline.2.note", "báo động III: 2,04 m");
  g_clear_pointer (&task, json_node_unref);

  /* Falling between levels: the task stays, the level drops, nothing new. */
  g_clear_pointer (&ids, g_array_unref);
  ids = SEND ("CANTHO", "falling between levels", 1.95, 1.84);
  g_assert_cmpuint (ids->len, ==, 0);
  check_alarm ("CANTHO", 1, id, "back at I");

  /* Below level I re-arms; the next crossing opens a second task. */
  g_clear_pointer (&ids, g_array_unref);
  ids = SEND ("CANTHO", "below I", 1.72);
  g_assert_cmpuint (ids->len, ==, 0);
  check_alarm ("CANTHO", 0, 0, "re-armed");

  g_clear_pointer (&ids, g_array_unref);
  ids = SEND ("CANTHO", "rising again", 1.83);
  if (ids->len != 1)
    {
      iocd_test_fail ("rising again gave %u tasks, expected 1", ids->len);
      return;
    }
  g_assert_cmpint (g_array_index (ids, gint64, 0), !=, id);
  second = iocd_test_fetch_task (server, session, token ("trucban1"), g_array_index (ids, gint64, 0));
  if (second != NULL)
    g_assert_cmpstr (iocd_test_json_string (second, "priority"), ==, "normal");
  g_assert_cmpuint (count_sensor_tasks (), ==, before + 2);

  /* The first task was left as it was. */
  task = iocd_test_fetch_task (server, session, token ("trucban1"), id);
  if (task != NULL)
    g_assert_cmpint (iocd_test_json_int (task, "version"), ==, 3);

  g_clear_pointer (&ids, g_array_unref);
  ids = SEND ("CANTHO", "low water again", 0.40);
}

/* A series as GET …/readings gives it: (at, value) pairs. */
typedef struct {
  gint64 at;
  double value;
} Point;

static GArray *
fetch_series (const char *code,
              gint64      from,
              gint64      to,
              guint       points,
              gint64     *count,
              gboolean   *downsampled)
{
  g_autofree char *f = ioc_time_format (from);
  g_autofree char *t = ioc_time_format (to);
  g_autofree char *fe = g_uri_escape_string (f, NULL, TRUE);
  g_autofree char *te = g_uri_escape_string (t, NULL, TRUE);
  g_autofree char *path = g_strdup_printf ("/api/v1/stations/%s/readings?from=%s&to=%s&points=%u", code, fe, te,
                                           points);
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", path, token ("lanhdao"), NULL, NULL);
  JsonNode *readings;
  GArray *series;

  if (!iocd_test_check_status (r, 200, path))
    return NULL;

  readings = iocd_test_json_get (r->body, "readings");
  if (readings == NULL || !JSON_NODE_HOLDS_ARRAY (readings))
    {
      iocd_test_fail ("%s: no readings in %s", path, r->text);
      return NULL;
    }
  series = g_array_new (FALSE, FALSE, sizeof (Point));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (readings)); i++)
    {
      JsonObject *o = json_array_get_object_element (json_node_get_array (readings), i);
      Point p = { 0, json_object_get_double_member (o, "value") };

      ioc_time_parse (json_object_get_string_member (o, "at"), &p.at);
      g_array_append_val (series, p);
    }
  if (count != NULL)
    *count = iocd_test_json_int (r->body, "count");
  if (downsampled != NULL)
    {
      JsonNode *d = iocd_test_json_get (r->body, "downsampled");

      *downsampled = d != NULL && json_node_get_boolean (d);
    }
  return series;
}

static void
test_ingest_10000 (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC * G_USEC_PER_SEC;
  /* Back-filled history from before the demo's 60 days: older than what the
   * stations have, so it is stored without replaying alarms. */
  gint64 start = now - 100 * G_TIME_SPAN_DAY;
  gint64 step = 5 * G_TIME_SPAN_MINUTE;
  const guint n = 10000;
  g_autoptr(JsonBuilder) compact = json_builder_new_immutable ();
  g_autoptr(JsonBuilder) full = json_builder_new_immutable ();
  g_autofree char *compact_body = NULL;
  g_autofree char *full_body = NULL;
  g_autoptr(IocdTestResponse) r1 = NULL;
  g_autoptr(IocdTestResponse) r2 = NULL;
  g_autoptr(GArray) series = NULL;
  gint64 count = 0;
  gint64 t0;

  json_builder_begin_object (compact);
  json_builder_set_member_name (compact, "station");
  json_builder_add_string_value (compact, "MUA-OMON");
  json_builder_set_member_name (compact, "readings");
  json_builder_begin_array (compact);
  json_builder_begin_object (full);
  json_builder_set_member_name (full, "readings");
  json_builder_begin_array (full);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *at = ioc_time_format (start + i * step);

      json_builder_begin_array (compact);
      json_builder_add_string_value (compact, at);
      json_builder_add_double_value (compact, (i % 37) * 1.25);
      json_builder_end_array (compact);

      json_builder_begin_object (full);
      json_builder_set_member_name (full, "station");
      json_builder_add_string_value (full, "KK-BINHTHUY");
      json_builder_set_member_name (full, "at");
      json_builder_add_string_value (full, at);
      json_builder_set_member_name (full, "value");
      json_builder_add_double_value (full, 20 + (i % 41) * 0.5);
      json_builder_end_object (full);
    }
  json_builder_end_array (compact);
  json_builder_end_array (full);
  compact_body = iocd_test_json_finish (compact);
  full_body = iocd_test_json_finish (full);

  g_test_message ("10,000 readings: compact form %zu bytes, full form %zu bytes (limit 1 MiB)",
                  strlen (compact_body), strlen (full_body));
  g_assert_cmpuint (strlen (compact_body), <, 1024 * 1024);
  g_assert_cmpuint (strlen (full_body), <, 1024 * 1024);

  t0 = g_get_monotonic_time ();
  r1 = post_readings (token ("admin"), NULL, compact_body);
  g_test_message ("compact: %.0f ms", (g_get_monotonic_time () - t0) / 1000.0);
  t0 = g_get_monotonic_time ();
  r2 = post_readings (token ("admin"), NULL, full_body);
  g_test_message ("full: %.0f ms", (g_get_monotonic_time () - t0) / 1000.0);

  if (iocd_test_check_status (r1, 200, "compact 10,000"))
    g_assert_cmpint (iocd_test_json_int (r1->body, "stored"), ==, n);
  if (iocd_test_check_status (r2, 200, "full 10,000"))
    {
      g_assert_cmpint (iocd_test_json_int (r2->body, "stored"), ==, n);
      g_assert_cmpstr (iocd_test_json_string (r2->body, "stations.0.code"), ==, "KK-BINHTHUY");
      g_assert_cmpint (iocd_test_json_int (r2->body, "stations.0.count"), ==, n);
    }

  /* Every one of them is there. */
  series = fetch_series ("MUA-OMON", start, start + (n - 1) * step, 10000, &count, NULL);
  g_assert_cmpint (count, ==, n);
  if (series != NULL && series->len == n)
    {
      g_assert_cmpint (g_array_index (series, Point, 0).at, ==, start);
      g_assert_cmpfloat (g_array_index (series, Point, 37).value, ==, 0);
      g_assert_cmpfloat (g_array_index (series, Point, 36).value, ==, 45);
    }
  g_clear_pointer (&series, g_array_unref);
  series = fetch_series ("KK-BINHTHUY", start, start + (n - 1) * step, 10000, &count, NULL);
  g_assert_cmpint (count, ==, n);
}

static void
test_validated_whole (void)
{
  gint64 base = g_get_real_time () - 80 * G_TIME_SPAN_DAY;
  g_autofree char *t0 = ioc_time_format (base);
  g_autofree char *t1 = ioc_time_format (base + G_TIME_SPAN_MINUTE);
  g_autofree char *t2 = ioc_time_format (base + 2 * G_TIME_SPAN_MINUTE);
  g_autoptr(GArray) series = NULL;
  gint64 count = -1;
  struct {
    const char *body;
    const char *field;
  } cases[] = {
    { "{\"readings\": [{\"station\": \"MUA-CAIRANG\", \"at\": \"%s\", \"value\": 1},"
      " {\"station\": \"NO-SUCH\", \"at\": \"%s\", \"value\": 2},"
      " {\"station\": \"MUA-CAIRANG\", \"at\": \"%s\", \"value\": 3}]}", "readings.1.station" },
    { "{\"readings\": [{\"station\": \"MUA-CAIRANG\", \"at\": \"%s\", \"value\": 1},"
      " {\"station\": \"MUA-CAIRANG\", \"at\": \"%s\", \"value\": 2},"
      " {\"station\": \"MUA-CAIRANG\", \"at\": \"%s\", \"value\": 3},"
      " {\"station\": \"MUA-CAIRANG\", \"at\": \"2026-13-01T00:00:00+07:00\", \"value\": 3}]}",
      "readings.3.at" },
    { "{\"readings\": [{\"station\": \"MUA-CAIRANG\", \"at\": \"%s\", \"value\": 1},"
      " {\"station\": \"MUA-CAIRANG\", \"at\": \"%s\", \"value\": \"2\"},"
      " {\"station\": \"MUA-CAIRANG\", \"at\": \"%s\", \"value\": 3}]}", "readings.1.value" },
    { "{\"station\": \"MUA-CAIRANG\", \"readings\": [[\"%s\", 1], [\"%s\", 2], [\"%s\", 1e999]]}",
      "readings.2.value" },
    { "{\"station\": \"MUA-CAIRANG\", \"readings\": [[\"%s\", 1], [\"%s\", 2], [\"%s\", 3],"
      " [\"2026-11-28T10:00:00\", 4]]}", "readings.3.at" },
    { "{\"station\": \"MUA-CAIRANG\", \"readings\": [[\"%s\", 1], [\"%s\", 2], [\"%s\", 3], [1]]}",
      "readings.3" },
    { "{\"readings\": [{\"station\": \"MUA-CAIRANG\", \"at\": \"%s\", \"value\": 1},"
      " {\"station\": \"MUA-CAIRANG\", \"at\": \"%s\", \"value\": 2},"
      " {\"station\": \"MUA-CAIRANG\", \"at\": \"%s\", \"value\": 3},"
      " {\"station\": \"MUA-CAIRANG\", \"at\": \"2099-01-01T00:00:00+07:00\", \"value\": 4}]}",
      "readings.3.at" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = NULL;
      g_autoptr(IocdTestResponse) r = NULL;
      g_autofree char *what = g_strdup_printf ("bad batch %u", i);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      body = g_strdup_printf (cases[i].body, t0, t1, t2);
#pragma GCC diagnostic pop
      r = post_readings (token ("admin"), NULL, body);
      /* 1e999 is no JSON number the parser keeps: refused either way. */
      if (strstr (cases[i].body, "1e999") != NULL && r->status == 400 &&
          g_strcmp0 (iocd_test_json_string (r->body, "error.code"), "malformed") == 0)
        continue;
      iocd_test_check_error (r, 400, "invalid", cases[i].field, what);
    }

  /* Nothing of any of them was stored. */
  series = fetch_series ("MUA-CAIRANG", base - G_TIME_SPAN_MINUTE, base + 3 * G_TIME_SPAN_MINUTE, 100, &count, NULL);
  g_assert_cmpint (count, ==, 0);

  /* The same batch without its bad line goes in whole. */
  {
    g_autofree char *good = g_strdup_printf ("{\"station\": \"MUA-CAIRANG\", \"readings\": "
                                             "[[\"%s\", 1], [\"%s\", 2], [\"%s\", 3]]}", t0, t1, t2);
    g_autoptr(IocdTestResponse) r = post_readings (token ("admin"), NULL, good);

    iocd_test_check_status (r, 200, "the good batch");
    g_clear_pointer (&series, g_array_unref);
    series = fetch_series ("MUA-CAIRANG", base - G_TIME_SPAN_MINUTE, base + 3 * G_TIME_SPAN_MINUTE, 100, &count,
                           NULL);
    g_assert_cmpint (count, ==, 3);
  }
}

/* `iocd apikey add NAME --scope SCOPE` against the running server's database. */
static char *
add_api_key (const char *name,
             const char *scope)
{
  const char *argv[] = { iocd_test_server_get_binary (), "--state-dir", server->state_dir, "apikey", "add", name,
                         "--scope", scope, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      iocd_test_fail ("iocd apikey add %s: %s %s", name, error->message, err ? err : "");
      return NULL;
    }

  line = strstr (out, "Key: ");
  if (line == NULL)
    {
      iocd_test_fail ("iocd apikey add printed no key: %s", out);
      return NULL;
    }
  return g_strstrip (g_strdup (line + 5));
}

static void
test_unauthorized (void)
{
  g_autofree char *body = NULL;
  g_autofree char *sensor_key = add_api_key ("test-sensor-feed", "sensors");
  g_autofree char *open311_key = add_api_key ("test-open311-app", "open311");
  gint64 base = g_get_real_time () - 75 * G_TIME_SPAN_DAY;
  g_autofree char *at = ioc_time_format (base);
  g_autoptr(GArray) series = NULL;
  gint64 count = -1;

  body = g_strdup_printf ("{\"station\": \"MUA-CAIRANG\", \"readings\": [[\"%s\", 12.5]]}", at);

  {
    g_autoptr(IocdTestResponse) r = post_readings (NULL, NULL, body);
    iocd_test_check_unauthorized (r, "no credentials");
  }
  {
    g_autoptr(IocdTestResponse) r = post_readings (token ("trucban1"), NULL, body);
    iocd_test_check_error (r, 403, "forbidden", NULL, "operator token");
  }
  {
    g_autoptr(IocdTestResponse) r = post_readings (token ("lanhdao"), NULL, body);
    iocd_test_check_error (r, 403, "forbidden", NULL, "supervisor token");
  }
  {
    g_autoptr(IocdTestResponse) r = post_readings ("not-a-token", NULL, body);
    iocd_test_check_unauthorized (r, "unknown token");
  }
  {
    g_autoptr(IocdTestResponse) r = post_readings (NULL, "not-a-key", body);
    iocd_test_check_error (r, 401, "unauthorized", NULL, "unknown key");
  }
  if (open311_key != NULL)
    {
      g_autoptr(IocdTestResponse) r = post_readings (NULL, open311_key, body);
      iocd_test_check_error (r, 401, "unauthorized", NULL, "an Open311 key");
    }

  series = fetch_series ("MUA-CAIRANG", base, base, 10, &count, NULL);
  g_assert_cmpint (count, ==, 0);

  if (sensor_key != NULL)
    {
      g_autoptr(IocdTestResponse) r = post_readings (NULL, sensor_key, body);

      iocd_test_check_status (r, 200, "a sensors key");
      g_clear_pointer (&series, g_array_unref);
      series = fetch_series ("MUA-CAIRANG", base, base, 10, &count, NULL);
      g_assert_cmpint (count, ==, 1);
    }
}

static void
test_downsampled (void)
{
  gint64 to = g_get_real_time ();
  gint64 from = to - 59 * G_TIME_SPAN_DAY;
  gint64 mid = from + (to - from) / 2;
  g_autoptr(GArray) small = NULL;
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) second = NULL;
  gint64 count = 0;
  gint64 count1 = 0;
  gint64 count2 = 0;
  gboolean downsampled = FALSE;
  double min_all = INFINITY, max_all = -INFINITY, min_small = INFINITY, max_small = -INFINITY;

  small = fetch_series ("CANTHO", from, to, 200, &count, &downsampled);
  /* Two halves of under 10,000 readings each: the full series. */
  first = fetch_series ("CANTHO", from, mid, 10000, &count1, NULL);
  second = fetch_series ("CANTHO", mid + 1, to, 10000, &count2, NULL);
  if (small == NULL || first == NULL || second == NULL)
    return;

  g_assert_cmpint (count, >, 16000);
  g_assert_cmpint (count, ==, count1 + count2);
  g_assert_cmpuint (first->len, ==, count1);
  g_assert_true (downsampled);
  g_assert_cmpuint (small->len, <=, 200);
  g_assert_cmpuint (small->len, >=, 150);

  for (guint i = 0; i < small->len; i++)
    {
      Point *p = &g_array_index (small, Point, i);

      if (i > 0)
        g_assert_cmpint (p->at, >, g_array_index (small, Point, i - 1).at);
      min_small = MIN (min_small, p->value);
      max_small = MAX (max_small, p->value);
    }
  for (guint i = 0; i < first->len; i++)
    {
      min_all = MIN (min_all, g_array_index (first, Point, i).value);
      max_all = MAX (max_all, g_array_index (first, Point, i).value);
    }
  for (guint i = 0; i < second->len; i++)
    {
      min_all = MIN (min_all, g_array_index (second, Point, i).value);
      max_all = MAX (max_all, g_array_index (second, Point, i).value);
    }

  /* The extremes survive downsampling: a tide peak over an alarm level is
   * never averaged away. */
  g_assert_cmpfloat (max_small, ==, max_all);
  g_assert_cmpfloat (min_small, ==, min_all);
  g_test_message ("CANTHO over 59 days: %" G_GINT64_FORMAT " readings from %.2f to %.2f m", count, min_all,
                  max_all);
  g_assert_cmpfloat (max_all, >=, 1.8);
  g_assert_cmpfloat (max_all, <=, 2.4);

  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET",
                                                       "/api/v1/stations/CANTHO/readings?points=1",
                                                       token ("trucban1"), NULL, NULL);
    iocd_test_check_error (r, 400, "invalid", "points", "points=1");
  }
  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET",
                                                       "/api/v1/stations/NOPE/readings",
                                                       token ("trucban1"), NULL, NULL);
    iocd_test_check_error (r, 404, "not_found", NULL, "unknown station");
  }
}

static void
test_stations_list (void)
{
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(GArray) ids = NULL;
  JsonNode *stations;
  gboolean found = FALSE;
  guint n;

  ids = SEND ("MUA-CAIRANG", "heavy rain", 0.0, 55.5);
  g_assert_cmpuint (ids->len, ==, 1);

  /* Every role may read the stations, liaisons too (the map shows them). */
  r = iocd_test_request (server, session, "GET", "/api/v1/stations", token ("lienlac.snnmt"), NULL, NULL);
  if (!iocd_test_check_status (r, 200, "GET /stations"))
    return;
  stations = iocd_test_json_get (r->body, "stations");
  g_assert_nonnull (stations);
  if (stations == NULL)
    return;
  n = json_array_get_length (json_node_get_array (stations));
  g_assert_cmpuint (n, >=, 3);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("stations.%u", i);
      g_autofree char *code_path = g_strconcat (prefix, ".code", NULL);
      g_autofree char *latest_path = g_strconcat (prefix, ".latest.value", NULL);
      g_autofree char *level_path = g_strconcat (prefix, ".alarm_level", NULL);
      g_autofree char *kind_path = g_strconcat (prefix, ".kind", NULL);
      const char *code = iocd_test_json_string (r->body, code_path);
      JsonNode *latest = iocd_test_json_get (r->body, latest_path);

      /* The demo seeded every station. */
      g_assert_nonnull (latest);
      g_assert_nonnull (iocd_test_json_string (r->body, kind_path));
      if (g_strcmp0 (code, "MUA-CAIRANG") == 0)
        {
          g_autofree char *task_path = g_strconcat (prefix, ".alarm_task", NULL);

          found = TRUE;
          g_assert_cmpfloat (json_node_get_double (latest), ==, 55.5);
          g_assert_cmpint (iocd_test_json_int (r->body, level_path), ==, 2);
          if (ids->len == 1)
            g_assert_cmpint (iocd_test_json_int (r->body, task_path), ==, g_array_index (ids, gint64, 0));
        }
      if (g_strcmp0 (code, "CANTHO") == 0)
        {
          g_autofree char *l3 = g_strconcat (prefix, ".levels.2", NULL);
          g_autofree char *unit = g_strconcat (prefix, ".unit", NULL);

          g_assert_cmpfloat (json_node_get_double (iocd_test_json_get (r->body, l3)), ==, 2.0);
          g_assert_cmpstr (iocd_test_json_string (r->body, unit), ==, "m");
        }
    }
  g_assert_true (found);

  if (ids->len == 1)
    {
      g_autoptr(JsonNode) task = iocd_test_fetch_task (server, session, token ("trucban1"),
                                                       g_array_index (ids, gint64, 0));

      if (task != NULL)
        {
          g_assert_cmpstr (iocd_test_json_string (task, "priority"), ==, "high");
          check_contains (task, "title", "55,5 mm/h");
        }
    }

  g_clear_pointer (&ids, g_array_unref);
  ids = SEND ("MUA-CAIRANG", "rain stops", 0.0);
  check_alarm ("MUA-CAIRANG", 0, 0, "after the rain");
}

static JsonNode *
find_event (GPtrArray  *events,
            const char *kind)
{
  for (guint i = 0; events != NULL && i < events->len; i++)
    if (g_strcmp0 (iocd_test_json_string (g_ptr_array_index (events, i), "kind"), kind) == 0)
      return g_ptr_array_index (events, i);
  return NULL;
}

static void
test_event (void)
{
  g_autoptr(IocdTestEvents) operator = iocd_test_events_connect (server, session, token ("trucban1"), -1, NULL);
  g_autoptr(IocdTestEvents) liaison = iocd_test_events_connect (server, session, token ("lienlac.snnmt"), -1, NULL);
  g_autoptr(GArray) ids = NULL;
  JsonNode *readings;
  JsonNode *created;

  if (operator == NULL || liaison == NULL)
    {
      iocd_test_fail ("could not open the event streams");
      return;
    }

  ids = SEND ("KK-NINHKIEU", "smog", 60, 165);
  /* task.created, then sensor.readings */
  iocd_test_events_wait (operator, 2, ARRIVE_MS);

  created = find_event (iocd_test_events_get (operator), "task.created");
  readings = find_event (iocd_test_events_get (operator), "sensor.readings");
  if (created == NULL || readings == NULL)
    {
      iocd_test_fail ("the operator got %u events, not task.created and sensor.readings",
                      iocd_test_events_get (operator)->len);
      return;
    }
  g_assert_cmpstr (iocd_test_json_string (created, "task.source"), ==, "sensor");
  g_assert_cmpstr (iocd_test_json_string (created, "task.category"), ==, "AIR");
  g_assert_cmpstr (iocd_test_json_string (created, "task.priority"), ==, "high");
  g_assert_cmpint (iocd_test_json_int (readings, "seq"), >, iocd_test_json_int (created, "seq"));
  g_assert_cmpint (iocd_test_json_int (readings, "data.count"), ==, 2);
  g_assert_cmpstr (iocd_test_json_string (readings, "data.stations.0.code"), ==, "KK-NINHKIEU");
  g_assert_cmpint (iocd_test_json_int (readings, "data.stations.0.count"), ==, 2);
  g_assert_cmpfloat (json_node_get_double (iocd_test_json_get (readings, "data.stations.0.latest.value")), ==, 165);
  g_assert_cmpint (iocd_test_json_int (readings, "data.stations.0.alarm_level"), ==, 2);

  /* The control room's, not a department's: the task has no department yet
   * and the readings go to operators and supervisors. */
  iocd_test_events_wait (liaison, 1, QUIET_MS);
  g_assert_cmpuint (iocd_test_events_get (liaison)->len, ==, 0);

  g_clear_pointer (&ids, g_array_unref);
  ids = SEND ("KK-NINHKIEU", "clear air", 40);
}

/* Rollups, the fast ingest path and the regular-interval form */

/* What the store should hold for one station: time → value, the later
 * reading at a time replacing the earlier. */
static void
expect_reading (GHashTable *expected,
                gint64      at,
                double      value)
{
  gint64 *key = g_new (gint64, 1);
  double *v = g_new (double, 1);

  *key = at;
  *v = value;
  g_hash_table_replace (expected, key, v);
}

static int
compare_points (gconstpointer a,
                gconstpointer b)
{
  const IocSeriesPoint *pa = a, *pb = b;

  return pa->t < pb->t ? -1 : pa->t > pb->t;
}

/* The expected readings with @from <= at <= @to, oldest first. */
static GArray *
expected_range (GHashTable *expected,
                gint64      from,
                gint64      to)
{
  GArray *points = g_array_new (FALSE, FALSE, sizeof (IocSeriesPoint));
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (*(gint64 *) key >= from && *(gint64 *) key <= to)
      {
        IocSeriesPoint p = { *(gint64 *) key, *(double *) value };

        g_array_append_val (points, p);
      }
  g_array_sort (points, compare_points);
  return points;
}

/* GET the series and compare it, text of the times included, with
 * ioc_series_downsample over what the station should hold. */
static void
check_series_exact (const char *code,
                    GHashTable *expected,
                    gint64      from,
                    gint64      to,
                    guint       points)
{
  g_autofree char *f = ioc_time_format (from);
  g_autofree char *t = ioc_time_format (to);
  g_autofree char *fe = g_uri_escape_string (f, NULL, TRUE);
  g_autofree char *te = g_uri_escape_string (t, NULL, TRUE);
  g_autofree char *path = g_strdup_printf ("/api/v1/stations/%s/readings?from=%s&to=%s&points=%u", code, fe, te,
                                           points);
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", path, token ("lanhdao"), NULL, NULL);
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) want = NULL;
  JsonNode *readings;
  JsonArray *array;

  /* The server reads the times as written, to the millisecond. */
  g_assert_true (ioc_time_parse (f, &from) && ioc_time_parse (t, &to));
  all = expected_range (expected, from, to);
  want = ioc_series_downsample ((IocSeriesPoint *) (gpointer) all->data, all->len, points);

  if (!iocd_test_check_status (r, 200, path))
    return;
  if (iocd_test_json_int (r->body, "count") != all->len ||
      json_node_get_boolean (iocd_test_json_get (r->body, "downsampled")) != (all->len > points))
    {
      iocd_test_fail ("%s: count %" G_GINT64_FORMAT ", expected %u", path, iocd_test_json_int (r->body, "count"),
                      all->len);
      return;
    }
  readings = iocd_test_json_get (r->body, "readings");
  g_assert_nonnull (readings);
  array = json_node_get_array (readings);
  if (json_array_get_length (array) != want->len)
    {
      iocd_test_fail ("%s: %u points, expected %u", path, json_array_get_length (array), want->len);
      return;
    }
  for (guint i = 0; i < want->len; i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      IocSeriesPoint *p = &g_array_index (want, IocSeriesPoint, i);
      g_autofree char *at = ioc_time_format (p->t);
      const char *got_at = json_object_get_string_member (o, "at");
      double got_value = json_object_get_double_member (o, "value");

      if (g_strcmp0 (got_at, at) != 0 || got_value != p->v)
        {
          iocd_test_fail ("%s: point %u is %s %.17g, expected %s %.17g", path, i, got_at, got_value, at, p->v);
          return;
        }
    }
  g_test_message ("%s: %u readings → %u points, as ioc_series_downsample", path, all->len, want->len);
}

static void
post_ok (const char *body,
         gint64      stored,
         const char *what)
{
  g_autoptr(IocdTestResponse) r = post_readings (token ("admin"), NULL, body);

  if (iocd_test_check_status (r, 200, what))
    g_assert_cmpint (iocd_test_json_int (r->body, "stored"), ==, stored);
}

/* A station's series over long ranges comes from hourly rollups kept with
 * the readings; it must be exactly the downsampling of the readings, also
 * after readings replaced (extremes among them), added out of order,
 * duplicated in a batch, and filled in inside hours already stored. */
static void
test_rollup_exact (void)
{
  const char *code = "MUA-CAIRANG";
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  gint64 start = 0;
  const guint n = 40 * 24 * 60;   /* 40 days of 1-minute readings: 57,600 */
  gint64 step = G_TIME_SPAN_MINUTE;
  gint64 end;

  g_assert_true (ioc_time_parse ("2020-03-01T00:17:23+07:00", &start));
  end = start + (n - 1) * step;

  /* In order, in the compact form, in requests of 10,000; values in steps
   * of 0.5 so that ties are many. */
  for (guint done = 0; done < n; done += 10000)
    {
      g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
      g_autofree char *body = NULL;
      guint count = MIN (10000, n - done);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "station");
      json_builder_add_string_value (b, code);
      json_builder_set_member_name (b, "readings");
      json_builder_begin_array (b);
      for (guint i = done; i < done + count; i++)
        {
          gint64 at = start + i * step;
          g_autofree char *text = ioc_time_format (at);
          double value = g_rand_int_range (rand, 0, 40) * 0.5;

          expect_reading (expected, at, value);
          json_builder_begin_array (b);
          json_builder_add_string_value (b, text);
          json_builder_add_double_value (b, value);
          json_builder_end_array (b);
        }
      json_builder_end_array (b);
      body = iocd_test_json_finish (b);
      post_ok (body, count, "rollup: history");
    }

  check_series_exact (code, expected, start, end, 1000);

  /* Out of order, in the full form: replacements (new extremes and values
   * that were extremes), two readings at one time (the later counts), and
   * readings between the minutes, inside hours already summarized. */
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
      g_autofree char *body = NULL;
      const guint count = 3000;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "readings");
      json_builder_begin_array (b);
      for (guint i = 0; i < count; i++)
        {
          gint64 at = start + g_rand_int_range (rand, 0, n) * step;
          g_autofree char *text = NULL;
          double value = g_rand_int_range (rand, -10, 60) * 0.5;

          if (round == 1)
            at += 30 * G_USEC_PER_SEC;
          if (round == 2 && i % 2 == 1)
            at = start + g_rand_int_range (rand, 0, n) * step;
          text = ioc_time_format (at);
          expect_reading (expected, at, value);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "station");
          json_builder_add_string_value (b, code);
          json_builder_set_member_name (b, "at");
          json_builder_add_string_value (b, text);
          json_builder_set_member_name (b, "value");
          json_builder_add_double_value (b, value);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      body = iocd_test_json_finish (b);
      post_ok (body, count, "rollup: changes");
    }

  check_series_exact (code, expected, start, end, 1000);
  check_series_exact (code, expected, start, end, 200);
  check_series_exact (code, expected, start, end, 2);
  check_series_exact (code, expected, start, end, 9999);
  /* Ranges that cut hours at both ends. */
  check_series_exact (code, expected, start + 7 * G_TIME_SPAN_DAY + 12345678, end - 3 * G_TIME_SPAN_DAY - 7654321,
                      1000);
  check_series_exact (code, expected, start + G_TIME_SPAN_DAY + 1, start + 9 * G_TIME_SPAN_DAY - 1, 500);
  check_series_exact (code, expected, start + 90 * G_TIME_SPAN_MINUTE, start + 200 * G_TIME_SPAN_MINUTE, 10);
  check_series_exact (code, expected, start - G_TIME_SPAN_DAY, start - 1, 1000);
}

/* Every body takes the fast path or the general one (json-glib); the same
 * readings must come out of both. An unknown member sends a body down the
 * general path. */
static void
test_fast_path_same (void)
{
  static const char * const numbers[] = {
    "1.5", "-0", "-0.0", "0", "1e2", "1E-3", "0.1", "2.675", "-12.25e+1", "123456789012345",
    "1234567890123456789", "2.5e-308", "1.7976931348623157e308", "4.9e-324", "0.30000000000000004", "7",
  };
  gint64 start = 0;

  g_assert_true (ioc_time_parse ("2019-06-01T00:00:00Z", &start));
  for (guint variant = 0; variant < 2; variant++)
    {
      gint64 base = start + variant * G_TIME_SPAN_DAY;
      g_autoptr(GString) body = g_string_new ("{ \"station\" : \"KK-NINHKIEU\" ,\n\t\"readings\": [");
      g_autoptr(GArray) series = NULL;
      gint64 count = 0;

      for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
        {
          g_autofree char *at = ioc_time_format (base + i * G_TIME_SPAN_MINUTE);

          g_string_append_printf (body, "%s[\"%s\", %s]", i ? ", " : "", at, numbers[i]);
        }
      g_string_append (body, variant ? "], \"note\": \"general path\" }" : "] }");
      post_ok (body->str, G_N_ELEMENTS (numbers), variant ? "general path" : "fast path");

      series = fetch_series ("KK-NINHKIEU", base, base + G_TIME_SPAN_HOUR, 100, &count, NULL);
      g_assert_nonnull (series);
      g_assert_cmpint (count, ==, G_N_ELEMENTS (numbers));
      for (guint i = 0; i < series->len; i++)
        {
          double want = g_ascii_strtod (numbers[i], NULL);
          double got = g_array_index (series, Point, i).value;

          /* json-glib reads a minus sign as 0 − the number: no zero is
           * negative. */
          if (want == 0)
            want = 0;
          if (got != want || signbit (got) != signbit (want))
            iocd_test_fail ("%s path: %s stored as %.17g", variant ? "general" : "fast", numbers[i], got);
        }
    }
}

/* {"station", "start", "interval_s", "values"}: gauges report at fixed
 * intervals. Validated whole like the other forms. */
static void
test_interval_form (void)
{
  gint64 start = 0;
  g_autofree char *start_text = NULL;
  g_autofree char *future = ioc_time_format (g_get_real_time () - G_TIME_SPAN_MINUTE);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GArray) series = NULL;
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  gint64 count = 0;
  const guint n = 20000;
  struct {
    const char *body;
    const char *field;
  } bad[] = {
    { "{\"station\": \"CANTHO\", \"start\": \"START\", \"interval_s\": 0, \"values\": [1]}", "interval_s" },
    { "{\"station\": \"CANTHO\", \"start\": \"START\", \"interval_s\": 300.5, \"values\": [1]}", "interval_s" },
    { "{\"station\": \"CANTHO\", \"start\": \"START\", \"interval_s\": 86401, \"values\": [1]}", "interval_s" },
    { "{\"station\": \"CANTHO\", \"start\": \"START\", \"interval_s\": 300, \"values\": []}", "values" },
    { "{\"station\": \"CANTHO\", \"start\": \"START\", \"interval_s\": 300, \"values\": [1, 2, \"3\"]}", "values.2" },
    { "{\"station\": \"CANTHO\", \"start\": \"START\", \"interval_s\": 300, \"values\": [1, null]}", "values.1" },
    { "{\"station\": \"NOPE\", \"start\": \"START\", \"interval_s\": 300, \"values\": [1]}", "station" },
    { "{\"start\": \"START\", \"interval_s\": 300, \"values\": [1]}", "station" },
    { "{\"station\": \"CANTHO\", \"start\": \"START\", \"values\": [1]}", "interval_s" },
    { "{\"station\": \"CANTHO\", \"start\": \"START\", \"interval_s\": 300, \"values\": [1], \"readings\": []}",
      "values" },
  };

  g_assert_true (ioc_time_parse ("2019-01-01T00:02:30+07:00", &start));
  start_text = ioc_time_format (start);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(GStrv) parts = g_strsplit (bad[i].body, "START", -1);
      g_autofree char *text = g_strjoinv (start_text, parts);
      g_autoptr(IocdTestResponse) r = post_readings (token ("admin"), NULL, text);

      iocd_test_check_error (r, 400, "invalid", bad[i].field, text);
    }
  {
    g_autofree char *text = g_strdup_printf ("{\"station\": \"CANTHO\", \"start\": \"2019-01-01T00:00:00\", "
                                             "\"interval_s\": 300, \"values\": [1]}");
    g_autoptr(IocdTestResponse) r = post_readings (token ("admin"), NULL, text);

    iocd_test_check_error (r, 400, "invalid", "start", text);
  }
  {
    /* Starting a minute ago every 5 minutes: the third value is 9 minutes
     * ahead, past the 5 minutes of slack; nothing is stored. */
    g_autofree char *text = g_strdup_printf ("{\"station\": \"CANTHO\", \"start\": \"%s\", \"interval_s\": 300, "
                                             "\"values\": [1.5, 1.6, 1.7]}", future);
    g_autoptr(IocdTestResponse) r = post_readings (token ("admin"), NULL, text);
    gint64 at = 0;

    iocd_test_check_error (r, 400, "invalid", "values.2", "a value in the future");
    ioc_time_parse (future, &at);
    g_clear_pointer (&series, g_array_unref);
    series = fetch_series ("CANTHO", at, at + G_TIME_SPAN_HOUR, 10000, &count, NULL);
    g_assert_nonnull (series);
    /* Other tests add readings near now: look for these at their times. */
    for (guint i = 0; i < series->len; i++)
      g_assert_true (g_array_index (series, Point, i).at != at &&
                     g_array_index (series, Point, i).at != at + 300 * G_USEC_PER_SEC);
  }

  g_string_append_printf (body, "{\"station\": \"CANTHO\", \"start\": \"%s\", \"interval_s\": 300, \"values\": [",
                          start_text);
  for (guint i = 0; i < n; i++)
    {
      double value = ((i * 7919) % 2000) / 1000.0;

      g_string_append_printf (body, "%s%.3f", i ? "," : "", value);
      expect_reading (expected, start + (gint64) i * 300 * G_USEC_PER_SEC, g_ascii_strtod (
                        strrchr (body->str, ',') ? strrchr (body->str, ',') + 1 : strrchr (body->str, '[') + 1, NULL));
    }
  g_string_append (body, "]}");
  g_test_message ("%u readings in the interval form: %zu bytes", n, body->len);
  post_ok (body->str, n, "interval form");

  g_clear_pointer (&series, g_array_unref);
  series = fetch_series ("CANTHO", start, start + (gint64) (n - 1) * 300 * G_USEC_PER_SEC, 10000, &count, NULL);
  g_assert_cmpint (count, ==, n);
  check_series_exact ("CANTHO", expected, start, start + (gint64) (n - 1) * 300 * G_USEC_PER_SEC, 1000);
  check_series_exact ("CANTHO", expected, start + 1, start + 3 * G_TIME_SPAN_DAY, 10000);
}

int
main (int    argc,
      char **argv)
{
  iocd_test_init_shared (&argc, &argv, &server, &session);

  g_test_add_func ("/sensors/ingest/10000", test_ingest_10000);
  g_test_add_func ("/sensors/ingest/validated-whole", test_validated_whole);
  g_test_add_func ("/sensors/ingest/unauthorized", test_unauthorized);
  g_test_add_func ("/sensors/alarm/hysteresis", test_hysteresis);
  g_test_add_func ("/sensors/readings/downsampled", test_downsampled);
  g_test_add_func ("/sensors/stations/list", test_stations_list);
  g_test_add_func ("/sensors/events/operator", test_event);
  g_test_add_func ("/sensors/readings/rollup-exact", test_rollup_exact);
  g_test_add_func ("/sensors/ingest/fast-path-same", test_fast_path_same);
  g_test_add_func ("/sensors/ingest/interval-form", test_interval_form);
  iocd_test_add_shutdown ("/sensors/shutdown/clean", server);

  return iocd_test_run (&server, &session);
}
