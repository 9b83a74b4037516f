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

/* @value in @width digits, zero-padded (0 <= value < 10^width). */
static char *
put_digits (char *p,
            int   value,
            int   width)
{
  for (int i = width - 1; i >= 0; i--)
    {
      p[i] = '0' + value % 10;
      value /= 10;
    }
  return p + width;
}

/*
 * ioc_time_format for the times of a series, a thousand per answer: the
 * same text, without a GDateTime and a format string per time. The offset
 * is the zone's at that instant, as g_date_time_to_timezone finds it.
 * Anything ioc_time_format might write otherwise (offsets with seconds,
 * years outside 1000–9999, the null of time 0) is left to it.
 */
static void
add_time (JsonBuilder *b,
          GTimeZone   *tz,
          gint64       usec)
{
  gint64 secs = usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0);
  int frac_ms = (int) (((usec % G_USEC_PER_SEC) + G_USEC_PER_SEC) % G_USEC_PER_SEC / 1000);
  gint32 offset = g_time_zone_get_offset (tz, g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, secs));
  gint64 local = secs + offset;
  gint64 days = local / 86400 - (local % 86400 < 0);
  gint64 of_day = local - days * 86400;
  gint64 z, era, doe, yoe, doy, mp, y;
  int month, day;
  char text[48];
  char *p;

  /* Days since 1970-01-01 to a date (H. Hinnant's civil_from_days). */
  z = days + 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  day = (int) (doy - (153 * mp + 2) / 5 + 1);
  month = (int) (mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (month <= 2);

  if (usec == 0 || offset % 60 != 0 || y < 1000 || y > 9999)
    {
      ioc_json_add_time (b, "at", usec);
      return;
    }

  p = put_digits (text, (int) y, 4);
  *p++ = '-';
  p = put_digits (p, month, 2);
  *p++ = '-';
  p = put_digits (p, day, 2);
  *p++ = 'T';
  p = put_digits (p, (int) (of_day / 3600), 2);
  *p++ = ':';
  p = put_digits (p, (int) (of_day / 60 % 60), 2);
  *p++ = ':';
  p = put_digits (p, (int) (of_day % 60), 2);
  if (frac_ms != 0)
    {
      *p++ = '.';
      p = put_digits (p, frac_ms, 3);
    }
  *p++ = offset < 0 ? '-' : '+';
  p = put_digits (p, ABS (offset) / 3600, 2);
  *p++ = ':';
  p = put_digits (p, ABS (offset) % 3600 / 60, 2);
  *p = '\0';
  json_builder_set_member_name (b, "at");
  json_builder_add_string_value (b, text);
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
  g_autoptr(GArray) points = NULL;
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 to = request->now;
  gint64 from = 0;
  gint64 n_points = POINTS_DEFAULT;
  guint count = 0;
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

  /* At most n_points that keep the shape of the series: the lowest and
   * highest of each time bucket (ioc_series_downsample), so a peak over an
   * alarm level is never averaged away; the store reads a long range from
   * its hourly rollups. */
  points = iocd_sensor_store_series (sensor_store (self), code, from, to, n_points, &count, &error);
  if (points == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "station");
  json_builder_add_string_value (b, code);
  ioc_json_add_time (b, "from", from);
  ioc_json_add_time (b, "to", to);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, count);
  json_builder_set_member_name (b, "downsampled");
  json_builder_add_boolean_value (b, count > n_points);
  json_builder_set_member_name (b, "readings");
  json_builder_begin_array (b);
  for (guint i = 0; i < points->len; i++)
    {
      IocSeriesPoint *p = &g_array_index (points, IocSeriesPoint, i);

      json_builder_begin_object (b);
      add_time (b, tz, p->t);
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, p->v);
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

/* The regular-interval form: {"station", "start", "interval_s", "values"}. */
#define INTERVAL_MAX_S 86400

/* Readings of the regular-interval form, validated as a whole. */
static gboolean
parse_interval_values (const char   *station,
                       gint64        start,
                       gint64        interval_s,
                       const double *values,
                       guint         n,
                       gint64        now,
                       GArray       *out,
                       GError      **error)
{
  for (guint i = 0; i < n; i++)
    {
      IocdReading reading = { station, start + (gint64) i * interval_s * G_USEC_PER_SEC, values[i] };

      if (!isfinite (values[i]))
        {
          g_autofree char *field = g_strdup_printf ("values.%u", i);

          ioc_set_field_error (error, field, "must be a finite number");
          return FALSE;
        }
      if (reading.at > now + FUTURE_SLACK)
        {
          g_autofree char *field = g_strdup_printf ("values.%u", i);

          ioc_set_field_error (error, field, "is in the future");
          return FALSE;
        }
      g_array_append_val (out, reading);
    }

  return TRUE;
}

/* The regular-interval form from a parsed body (the general path). */
static gboolean
parse_interval_body (JsonObject  *body,
                     const char  *station,
                     GHashTable  *codes,
                     gint64       now,
                     GArray      *out,
                     GError     **error)
{
  JsonNode *start_node = json_object_get_member (body, "start");
  JsonNode *interval_node = json_object_get_member (body, "interval_s");
  JsonNode *values_node = json_object_get_member (body, "values");
  const char *code;
  const char *start_text;
  g_autoptr(GArray) values = NULL;
  JsonArray *array;
  gint64 start, interval_s;

  if (json_object_has_member (body, "readings"))
    {
      ioc_set_field_error (error, "values", "cannot be sent with readings");
      return FALSE;
    }
  if (station == NULL)
    {
      ioc_set_field_error (error, "station", "is required");
      return FALSE;
    }
  code = g_hash_table_lookup (codes, station);
  if (code == NULL)
    {
      g_autofree char *valid = g_utf8_make_valid (station, -1);

      ioc_set_field_error (error, "station", "unknown station “%s”", valid);
      return FALSE;
    }

  start_text = start_node && JSON_NODE_HOLDS_VALUE (start_node) &&
               json_node_get_value_type (start_node) == G_TYPE_STRING ? json_node_get_string (start_node) : NULL;
  if (start_text == NULL || !ioc_time_parse (start_text, &start))
    {
      ioc_set_field_error (error, "start", "must be an ISO 8601 time with an offset");
      return FALSE;
    }

  if (interval_node == NULL || !JSON_NODE_HOLDS_VALUE (interval_node) ||
      json_node_get_value_type (interval_node) != G_TYPE_INT64 ||
      (interval_s = json_node_get_int (interval_node)) < 1 || interval_s > INTERVAL_MAX_S)
    {
      ioc_set_field_error (error, "interval_s", "must be a whole number of seconds from 1 to %d", INTERVAL_MAX_S);
      return FALSE;
    }

  if (values_node == NULL || !JSON_NODE_HOLDS_ARRAY (values_node) ||
      json_array_get_length (array = json_node_get_array (values_node)) == 0)
    {
      ioc_set_field_error (error, "values", "must be a non-empty array of numbers");
      return FALSE;
    }

  values = g_array_sized_new (FALSE, FALSE, sizeof (double), json_array_get_length (array));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      double value = NAN;

      if (JSON_NODE_HOLDS_VALUE (node) && (json_node_get_value_type (node) == G_TYPE_DOUBLE ||
                                           json_node_get_value_type (node) == G_TYPE_INT64))
        value = json_node_get_double (node);
      g_array_append_val (values, value);
    }

  return parse_interval_values (code, start, interval_s, (double *) values->data, values->len, now, out, error);
}

/*
 * The fast path of POST /readings. json-glib builds a tree of 30,000
 * nodes for 10,000 readings, and frees it: most of an ingest's time. This
 * reads the three forms straight into readings, for bodies in plain ASCII
 * with strings without escapes, each member at most once, and every reading
 * valid. It answers FALSE for anything else, valid or not, which then takes
 * the general path (json-glib), the only one that reports errors: so both
 * accept the same bodies with the same readings, and refuse the same with
 * the same error. Numbers are read as json-glib reads them: integers as
 * 64-bit integers, the rest by strtod, and a zero is never negative.
 */
typedef struct {
  const char *p;
  const char *end;
} Cursor;

static void
skip_ws (Cursor *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
    c->p++;
}

static gboolean
take (Cursor *c,
      char    ch)
{
  skip_ws (c);
  if (c->p >= c->end || *c->p != ch)
    return FALSE;
  c->p++;
  return TRUE;
}

/* Is the next character @ch (after white space)? Does not take it. */
static gboolean
peek (Cursor *c,
      char    ch)
{
  skip_ws (c);
  return c->p < c->end && *c->p == ch;
}

/* A string of printable ASCII without escapes, copied with a NUL into
 * @buffer (@size bytes). */
static gboolean
take_string (Cursor *c,
             char   *buffer,
             gsize   size)
{
  const char *start;
  gsize length;

  if (!take (c, '"'))
    return FALSE;
  start = c->p;
  while (c->p < c->end && *c->p != '"')
    {
      guchar ch = *c->p;

      if (ch < 0x20 || ch >= 0x7f || ch == '\\')
        return FALSE;
      c->p++;
    }
  if (c->p >= c->end)
    return FALSE;
  length = c->p - start;
  if (length >= size)
    return FALSE;
  memcpy (buffer, start, length);
  buffer[length] = '\0';
  c->p++;
  return TRUE;
}

static gboolean
take_number (Cursor   *c,
             double   *value,
             gboolean *integer)
{
  const char *start;
  char text[40];
  char *end = NULL;
  gboolean whole = TRUE;
  gsize length;

  skip_ws (c);
  start = c->p;
  if (c->p < c->end && *c->p == '-')
    c->p++;
  if (c->p < c->end && *c->p == '0')
    c->p++;
  else if (c->p < c->end && *c->p >= '1' && *c->p <= '9')
    while (c->p < c->end && g_ascii_isdigit (*c->p))
      c->p++;
  else
    return FALSE;
  if (c->p < c->end && *c->p == '.')
    {
      whole = FALSE;
      c->p++;
      if (c->p >= c->end || !g_ascii_isdigit (*c->p))
        return FALSE;
      while (c->p < c->end && g_ascii_isdigit (*c->p))
        c->p++;
    }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E'))
    {
      whole = FALSE;
      c->p++;
      if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
        c->p++;
      if (c->p >= c->end || !g_ascii_isdigit (*c->p))
        return FALSE;
      while (c->p < c->end && g_ascii_isdigit (*c->p))
        c->p++;
    }

  length = c->p - start;
  /* Integers beyond 15 digits are where json-glib's 64-bit reading and a
   * double's part ways; leave them to it. */
  if (length >= sizeof text || (whole && length > 15))
    return FALSE;
  memcpy (text, start, length);
  text[length] = '\0';

  if (whole)
    *value = (double) g_ascii_strtoll (text, &end, 10);
  else
    *value = g_ascii_strtod (text, &end);
  if (end != text + length)
    return FALSE;
  /* json-glib reads a minus sign as 0 − the number: no zero is negative. */
  if (*value == 0)
    *value = 0;
  if (integer != NULL)
    *integer = whole;
  return TRUE;
}

typedef struct {
  GHashTable *codes;
  gint64      now;
  char        last_text[72];  /* the station last looked up, and its code */
  const char *last_code;
} FastContext;

static const char *
fast_station (FastContext *ctx,
              const char  *text)
{
  if (ctx->last_code != NULL && strcmp (ctx->last_text, text) == 0)
    return ctx->last_code;
  ctx->last_code = g_hash_table_lookup (ctx->codes, text);
  g_strlcpy (ctx->last_text, text, sizeof ctx->last_text);
  return ctx->last_code;
}

/* One valid reading, [at, value] or an object, for @station (may be NULL). */
static gboolean
fast_reading (Cursor      *c,
              FastContext *ctx,
              const char  *station,
              IocdReading *out)
{
  char at_text[48];
  char text[72];
  gboolean has_at = FALSE, has_value = FALSE;

  if (peek (c, '['))
    {
      c->p++;
      if (station == NULL || !take_string (c, at_text, sizeof at_text) || !take (c, ',') ||
          !take_number (c, &out->value, NULL) || !take (c, ']'))
        return FALSE;
      has_at = has_value = TRUE;
    }
  else if (take (c, '{'))
    {
      gboolean has_station = FALSE;

      if (peek (c, '}'))
        return FALSE;
      do
        {
          char key[16];

          if (!take_string (c, key, sizeof key) || !take (c, ':'))
            return FALSE;
          if (strcmp (key, "station") == 0 && !has_station)
            {
              if (!take_string (c, text, 65))
                return FALSE;
              station = fast_station (ctx, text);
              if (station == NULL)
                return FALSE;
              has_station = TRUE;
            }
          else if (strcmp (key, "at") == 0 && !has_at)
            {
              if (!take_string (c, at_text, sizeof at_text))
                return FALSE;
              has_at = TRUE;
            }
          else if (strcmp (key, "value") == 0 && !has_value)
            {
              if (!take_number (c, &out->value, NULL))
                return FALSE;
              has_value = TRUE;
            }
          else
            return FALSE;
        }
      while (take (c, ','));
      if (!take (c, '}') || station == NULL)
        return FALSE;
    }
  else
    return FALSE;

  if (!has_at || !has_value || !isfinite (out->value) || !ioc_time_parse (at_text, &out->at) ||
      out->at > ctx->now + FUTURE_SLACK)
    return FALSE;
  out->station = station;
  return TRUE;
}

static gboolean
parse_body_fast (GBytes     *body,
                 GHashTable *codes,
                 gint64      now,
                 GArray     *out)
{
  gsize size = 0;
  const char *data = body ? g_bytes_get_data (body, &size) : NULL;
  Cursor c = { data, data + size };
  FastContext ctx = { codes, now, "", NULL };
  const char *station = NULL;
  gboolean has_station = FALSE, has_readings = FALSE, has_start = FALSE, has_interval = FALSE;
  gboolean has_values = FALSE;
  g_autoptr(GArray) values = NULL;
  gint64 start = 0;
  double interval = 0;

  if (data == NULL || !take (&c, '{') || peek (&c, '}'))
    return FALSE;

  do
    {
      char key[16];

      if (!take_string (&c, key, sizeof key) || !take (&c, ':'))
        return FALSE;

      if (strcmp (key, "station") == 0 && !has_station)
        {
          char text[72];

          /* At most 64 characters, as the general path requires. */
          if (!take_string (&c, text, 65) || (station = fast_station (&ctx, text)) == NULL)
            return FALSE;
          has_station = TRUE;
        }
      else if (strcmp (key, "readings") == 0 && !has_readings && !has_values)
        {
          if (!take (&c, '[') || peek (&c, ']'))
            return FALSE;
          do
            {
              IocdReading reading;

              if (!fast_reading (&c, &ctx, station, &reading))
                return FALSE;
              g_array_append_val (out, reading);
            }
          while (take (&c, ','));
          if (!take (&c, ']'))
            return FALSE;
          has_readings = TRUE;
        }
      else if (strcmp (key, "start") == 0 && !has_start)
        {
          char text[48];

          if (!take_string (&c, text, sizeof text) || !ioc_time_parse (text, &start))
            return FALSE;
          has_start = TRUE;
        }
      else if (strcmp (key, "interval_s") == 0 && !has_interval)
        {
          gboolean integer = FALSE;

          if (!take_number (&c, &interval, &integer) || !integer || interval < 1 || interval > INTERVAL_MAX_S)
            return FALSE;
          has_interval = TRUE;
        }
      else if (strcmp (key, "values") == 0 && !has_values && !has_readings)
        {
          values = g_array_sized_new (FALSE, FALSE, sizeof (double), size / 6);
          if (!take (&c, '[') || peek (&c, ']'))
            return FALSE;
          do
            {
              double value;

              if (!take_number (&c, &value, NULL))
                return FALSE;
              g_array_append_val (values, value);
            }
          while (take (&c, ','));
          if (!take (&c, ']'))
            return FALSE;
          has_values = TRUE;
        }
      else
        return FALSE;
    }
  while (take (&c, ','));

  if (!take (&c, '}'))
    return FALSE;
  skip_ws (&c);
  if (c.p != c.end)
    return FALSE;

  if (has_readings)
    return !has_start && !has_interval;
  if (!has_values || !has_station || !has_start || !has_interval)
    return FALSE;
  return parse_interval_values (station, start, (gint64) interval, (double *) values->data, values->len, now,
                                out, NULL);
}

/* The general path: any body, with the error of the first bad field. */
static gboolean
parse_body (IocdRequest  *request,
            GHashTable   *codes,
            GArray       *out,
            GError      **error)
{
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *station = NULL;
  JsonNode *list;
  JsonArray *array;

  body = iocd_request_parse_body (request, error);
  if (body == NULL || !ioc_json_get_string (body, "station", FALSE, 64, &station, error))
    return FALSE;

  if (json_object_has_member (body, "values"))
    return parse_interval_body (body, station, codes, request->now, out, error);

  list = json_object_get_member (body, "readings");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      ioc_set_field_error (error, "readings", "must be an array of readings");
      return FALSE;
    }
  array = json_node_get_array (list);
  if (json_array_get_length (array) == 0)
    {
      ioc_set_field_error (error, "readings", "must hold at least one reading");
      return FALSE;
    }

  /* Validated whole before anything is stored. */
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      IocdReading reading = { 0 };

      if (!parse_reading (json_array_get_element (array, i), i, station, codes, request->now, &reading, error))
        return FALSE;
      g_array_append_val (out, reading);
    }

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
  g_autoptr(GPtrArray) stations = NULL;
  g_autoptr(GHashTable) codes = NULL;
  g_autoptr(GArray) readings = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) departments = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autofree char *client = NULL;
  gsize size = 0;
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

  /* A reading takes at least 6 bytes of the body in any form. */
  if (request->body != NULL)
    g_bytes_get_data (request->body, &size);
  readings = g_array_sized_new (FALSE, FALSE, sizeof (IocdReading), MIN (size / 6, 200000));
  if (!parse_body_fast (request->body, codes, request->now, readings))
    {
      g_array_set_size (readings, 0);
      if (!parse_body (request, codes, readings, &error))
        goto fail;
    }

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_event_unref);
  departments = g_ptr_array_new_with_free_func (g_free);
  /* Its events follow those of the task changes already checked. */
  iocd_server_settle_writes (self);
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
