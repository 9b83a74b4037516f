/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-sensors"

#include "config.h"

#include <math.h>
#include <string.h>

#include "iocd-apikey-store.h"
#include "iocd-sensor-store.h"
#include "iocd-server-private.h"

#define POINTS_DEFAULT 1000
#define POINTS_MAX 10000
#define RANGE_DEFAULT (7 * G_TIME_SPAN_DAY)
/* A sensor's clock may run a little fast; a reading far in the future would
 * hold back the alarm rule until then. */
#define FUTURE_SLACK (5 * G_TIME_SPAN_MINUTE)

static IocdSensorStore *
sensor_store (IocdServer *self)
{
  return IOCD_SENSOR_STORE (self->store);
}

static JsonNode *
sample_node (const IocdSample *sample)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  ioc_json_add_time (b, "at", sample->at);
  json_builder_set_member_name (b, "value");
  json_builder_add_double_value (b, sample->value);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The station with its newest reading (null when it has none). */
static JsonNode *
station_node (IocStation *station,
              IocdSample *latest)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonNode *node;

  ioc_station_to_json (station, b);
  node = json_builder_get_root (b);
  json_object_set_member (json_node_get_object (node), "latest",
                          latest ? sample_node (latest) : json_node_new (JSON_NODE_NULL));
  return node;
}

static void
handle_list (IocdServer  *self,
             IocdRequest *request,
             const char  *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stations = NULL;
  g_autoptr(GHashTable) latest = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;

  stations = iocd_sensor_store_list_stations (sensor_store (self), &error);
  latest = stations ? iocd_sensor_store_latest_readings (sensor_store (self), &error) : NULL;
  if (latest == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  if (code != NULL)
    {
      for (guint i = 0; i < stations->len; i++)
        {
          IocStation *station = g_ptr_array_index (stations, i);

          if (g_str_equal (station->code, code))
            {
              node = station_node (station, g_hash_table_lookup (latest, station->code));
              iocd_request_send_json (request, 200, node);
              return;
            }
        }
      error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no station “%s”", code);
      iocd_request_send_error (request, error);
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "stations");
  json_builder_begin_array (b);
  for (guint i = 0; i < stations->len; i++)
    {
      IocStation *station = g_ptr_array_index (stations, i);

      json_builder_add_value (b, station_node (station, g_hash_table_lookup (latest, station->code)));
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
}

/* At most @points samples that keep the shape of the series: the lowest
 * and highest of each time bucket (ioc_series_downsample), so a peak over
 * an alarm level is never averaged away. */
static GArray *
downsample (GArray *samples,
            guint   points)
{
  g_autoptr(GArray) series = NULL;
  g_autoptr(GArray) reduced = NULL;
  GArray *out;

  if (samples->len <= points)
    return g_array_ref (samples);

  series = g_array_sized_new (FALSE, FALSE, sizeof (IocSeriesPoint), samples->len);
  for (guint i = 0; i < samples->len; i++)
    {
      IocdSample *s = &g_array_index (samples, IocdSample, i);
      IocSeriesPoint p = { s->at, s->value };

      g_array_append_val (series, p);
    }

  reduced = ioc_series_downsample ((IocSeriesPoint *) series->data, series->len, points);
  out = g_array_sized_new (FALSE, FALSE, sizeof (IocdSample), reduced->len);
  for (guint i = 0; i < reduced->len; i++)
    {
      IocSeriesPoint *p = &g_array_index (reduced, IocSeriesPoint, i);
      IocdSample s = { p->t, p->v };

      g_array_append_val (out, s);
    }

  return out;
}

static gboolean
parse_time_param (IocdRequest  *request,
                  const char   *name,
                  gint64       *out,
                  GError      **error)
{
  const char *text = g_hash_table_lookup (request->query, name);

  if (text == NULL)
    return TRUE;

  if (!ioc_time_parse (text, out))
    {
      ioc_set_field_error (error, name, "must be an ISO 8601 time with an offset");
      return FALSE;
    }

  return TRUE;
}

static void
handle_readings_query (IocdServer  *self,
                       IocdRequest *request,
                       const char  *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stations = NULL;
  g_autoptr(GArray) samples = NULL;
  g_autoptr(GArray) points = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 to = request->now;
  gint64 from = 0;
  gint64 n_points = POINTS_DEFAULT;
  gboolean known = FALSE;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, request->query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_str_equal (key, "from") && !g_str_equal (key, "to") && !g_str_equal (key, "points"))
      {
        g_autofree char *name = g_utf8_make_valid (key, -1);

        ioc_set_field_error (&error, name, "is not a parameter of this series");
        iocd_request_send_error (request, error);
        return;
      }

  if (!parse_time_param (request, "to", &to, &error) ||
      !parse_time_param (request, "from", &from, &error))
    {
      iocd_request_send_error (request, error);
      return;
    }
  if (!g_hash_table_contains (request->query, "from"))
    from = to - RANGE_DEFAULT;
  if (from > to)
    {
      ioc_set_field_error (&error, "from", "must not be after to");
      iocd_request_send_error (request, error);
      return;
    }

  if (g_hash_table_contains (request->query, "points"))
    {
      const char *text = g_hash_table_lookup (request->query, "points");
      char *end = NULL;

      n_points = g_ascii_strtoll (text, &end, 10);
      if (end == text || *end != '\0' || n_points < 2 || n_points > POINTS_MAX)
        {
          ioc_set_field_error (&error, "points", "must be from 2 to %d", POINTS_MAX);
          iocd_request_send_error (request, error);
          return;
        }
    }

  stations = iocd_sensor_store_list_stations (sensor_store (self), &error);
  if (stations == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }
  for (guint i = 0; i < stations->len; i++)
    known |= g_str_equal (((IocStation *) g_ptr_array_index (stations, i))->code, code);
  if (!known)
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no station “%s”", code);
      iocd_request_send_error (request, error);
      return;
    }

  samples = iocd_sensor_store_list_readings (sensor_store (self), code, from, to, &error);
  if (samples == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }
  points = downsample (samples, n_points);

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "station");
  json_builder_add_string_value (b, code);
  ioc_json_add_time (b, "from", from);
  ioc_json_add_time (b, "to", to);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, samples->len);
  json_builder_set_member_name (b, "downsampled");
  json_builder_add_boolean_value (b, points != samples);
  json_builder_set_member_name (b, "readings");
  json_builder_begin_array (b);
  for (guint i = 0; i < points->len; i++)
    {
      IocdSample *s = &g_array_index (points, IocdSample, i);

      json_builder_begin_object (b);
      ioc_json_add_time (b, "at", s->at);
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, s->value);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
}

void
iocd_server_handle_stations (IocdServer   *self,
                             IocdRequest  *request,
                             char        **segments)
{
  g_autoptr(GError) error = NULL;

  if (segments[0] == NULL || (segments[0][0] == '\0' && segments[1] == NULL))
    {
      if (g_str_equal (request->method, "GET"))
        handle_list (self, request, NULL);
      else
        iocd_request_send_method_not_allowed (request, "GET");
      return;
    }

  if (segments[0][0] != '\0' && segments[1] == NULL)
    {
      if (g_str_equal (request->method, "GET"))
        handle_list (self, request, segments[0]);
      else
        iocd_request_send_method_not_allowed (request, "GET");
      return;
    }

  if (segments[0][0] != '\0' && g_str_equal (segments[1], "readings") && segments[2] == NULL)
    {
      if (g_str_equal (request->method, "GET"))
        handle_readings_query (self, request, segments[0]);
      else
        iocd_request_send_method_not_allowed (request, "GET");
      return;
    }

  error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no such resource: %s", request->path);
  iocd_request_send_error (request, error);
}

/* Ingest */

/* An API key with the sensors scope, or an administrator's session. */
static gboolean
authorize_ingest (IocdServer   *self,
                  IocdRequest  *request,
                  char        **client,
                  GError      **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (request->msg);
  const char *key = soup_message_headers_get_one (headers, "X-Api-Key");

  if (key != NULL)
    {
      g_autoptr(IocdApiKey) api_key = NULL;
      g_autoptr(GError) local_error = NULL;

      api_key = iocd_apikey_store_authorize (IOCD_APIKEY_STORE (self->store), key,
                                             IOCD_APIKEY_SCOPE_SENSORS, &local_error);
      if (api_key == NULL)
        {
          /* Unknown, revoked or out of scope: the key does not identify a
           * sensor feed, as an unknown token does not identify a user. */
          if (g_error_matches (local_error, IOC_ERROR, IOC_ERROR_FORBIDDEN))
            g_set_error_literal (error, IOC_ERROR, IOC_ERROR_UNAUTHORIZED,
                                 "X-Api-Key: unknown or revoked key, or not for sensors");
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      *client = g_strdup (api_key->name);
      return TRUE;
    }

  request->user = iocd_request_authenticate (request, error);
  if (request->user == NULL)
    {
      g_prefix_error (error, "send an X-Api-Key for sensors, or ");
      return FALSE;
    }

  if (request->user->role != IOC_ROLE_ADMIN)
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_FORBIDDEN,
                           "readings come from sensor feeds (an API key) or an administrator");
      return FALSE;
    }

  *client = g_strdup (request->user->username);
  return TRUE;
}

static gboolean
parse_reading (JsonNode     *node,
               guint         index,
               const char   *station,
               GHashTable   *stations,
               gint64        now,
               IocdReading  *out,
               GError      **error)
{
  g_autofree char *field = NULL;
  JsonNode *at_node = NULL;
  JsonNode *value_node = NULL;
  const char *at_text;

  /* The compact form: [at, value] for the station given once. */
  if (station != NULL && JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 2)
    {
      JsonArray *pair = json_node_get_array (node);

      at_node = json_array_get_element (pair, 0);
      value_node = json_array_get_element (pair, 1);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *station_node = json_object_get_member (object, "station");

      if (station_node != NULL)
        {
          if (!JSON_NODE_HOLDS_VALUE (station_node) || json_node_get_value_type (station_node) != G_TYPE_STRING)
            {
              field = g_strdup_printf ("readings.%u.station", index);
              ioc_set_field_error (error, field, "must be a station code");
              return FALSE;
            }
          station = json_node_get_string (station_node);
        }
      else if (station == NULL)
        {
          field = g_strdup_printf ("readings.%u.station", index);
          ioc_set_field_error (error, field, "is required");
          return FALSE;
        }
      at_node = json_object_get_member (object, "at");
      value_node = json_object_get_member (object, "value");
    }
  else
    {
      field = g_strdup_printf ("readings.%u", index);
      ioc_set_field_error (error, field, station ? "must be [at, value] or an object"
                                                 : "must be an object with station, at and value");
      return FALSE;
    }

  if (!g_hash_table_contains (stations, station))
    {
      g_autofree char *valid = g_utf8_make_valid (station, -1);

      field = g_strdup_printf ("readings.%u.station", index);
      ioc_set_field_error (error, field, "unknown station “%s”", valid);
      return FALSE;
    }

  at_text = at_node && JSON_NODE_HOLDS_VALUE (at_node) && json_node_get_value_type (at_node) == G_TYPE_STRING
            ? json_node_get_string (at_node) : NULL;
  if (at_text == NULL || !ioc_time_parse (at_text, &out->at))
    {
      field = g_strdup_printf ("readings.%u.at", index);
      ioc_set_field_error (error, field, "must be an ISO 8601 time with an offset");
      return FALSE;
    }
  if (out->at > now + FUTURE_SLACK)
    {
      field = g_strdup_printf ("readings.%u.at", index);
      ioc_set_field_error (error, field, "is in the future");
      return FALSE;
    }

  if (value_node == NULL || !JSON_NODE_HOLDS_VALUE (value_node) ||
      (json_node_get_value_type (value_node) != G_TYPE_DOUBLE &&
       json_node_get_value_type (value_node) != G_TYPE_INT64) ||
      !isfinite (json_node_get_double (value_node)))
    {
      field = g_strdup_printf ("readings.%u.value", index);
      ioc_set_field_error (error, field, "must be a finite number");
      return FALSE;
    }

  out->station = g_hash_table_lookup (stations, station);
  out->value = json_node_get_double (value_node);
  return TRUE;
}

/* Publishes what a committed ingest produced, in sequence order. */
static void
publish_all (IocdServer *self,
             GPtrArray  *events,
             GPtrArray  *departments)
{
  for (guint i = 0; i < events->len; i++)
    iocd_server_publish (self, g_ptr_array_index (events, i), g_ptr_array_index (departments, i));
}

void
iocd_server_handle_readings (IocdServer   *self,
                             IocdRequest  *request,
                             char        **segments)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GPtrArray) stations = NULL;
  g_autoptr(GHashTable) codes = NULL;
  g_autoptr(GArray) readings = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) departments = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autofree char *client = NULL;
  g_autofree char *station = NULL;
  JsonNode *list;
  JsonArray *array;
  gint64 started = g_get_monotonic_time ();

  if (segments[0] != NULL && !(segments[0][0] == '\0' && segments[1] == NULL))
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no such resource: %s", request->path);
      goto fail;
    }
  if (!g_str_equal (request->method, "POST"))
    {
      iocd_request_send_method_not_allowed (request, "POST");
      return;
    }

  if (!authorize_ingest (self, request, &client, &error))
    goto fail;

  body = iocd_request_parse_body (request, &error);
  if (body == NULL || !ioc_json_get_string (body, "station", FALSE, 64, &station, &error))
    goto fail;

  list = json_object_get_member (body, "readings");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      ioc_set_field_error (&error, "readings", "must be an array of readings");
      goto fail;
    }
  array = json_node_get_array (list);
  if (json_array_get_length (array) == 0)
    {
      ioc_set_field_error (&error, "readings", "must hold at least one reading");
      goto fail;
    }

  stations = iocd_sensor_store_list_stations (sensor_store (self), &error);
  if (stations == NULL)
    goto fail;
  /* code → the station's own code string, which outlives the JSON body's. */
  codes = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < stations->len; i++)
    {
      IocStation *s = g_ptr_array_index (stations, i);

      g_hash_table_insert (codes, s->code, s->code);
    }

  /* Validated whole before anything is stored. */
  readings = g_array_sized_new (FALSE, FALSE, sizeof (IocdReading), json_array_get_length (array));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      IocdReading reading = { 0 };

      if (!parse_reading (json_array_get_element (array, i), i, station, codes, request->now, &reading, &error))
        goto fail;
      g_array_append_val (readings, reading);
    }

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_event_unref);
  departments = g_ptr_array_new_with_free_func (g_free);
  if (!iocd_sensor_commit_readings (self->store, (IocdReading *) readings->data, readings->len, request->now,
                                    events, departments, &summary, &error))
    goto fail;

  publish_all (self, events, departments);
  g_debug ("%s: %u readings in %.1f ms", client, readings->len,
           (g_get_monotonic_time () - started) / 1000.0);

  {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonNode) node = NULL;
    JsonObject *object = json_node_get_object (summary);

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "stored");
    json_builder_add_int_value (b, readings->len);
    json_builder_set_member_name (b, "stations");
    json_builder_add_value (b, json_node_copy (json_object_get_member (object, "stations")));
    json_builder_set_member_name (b, "tasks");
    json_builder_begin_array (b);
    for (guint i = 0; i < events->len; i++)
      {
        IocEvent *event = g_ptr_array_index (events, i);

        if (event->task != NULL)
          json_builder_add_int_value (b, event->task->id);
      }
    json_builder_end_array (b);
    json_builder_end_object (b);
    node = json_builder_get_root (b);
    iocd_request_send_json (request, 200, node);
  }
  return;

fail:
  iocd_request_send_error (request, error);
}
