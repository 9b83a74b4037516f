/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-indicators"

#include "config.h"

#include <string.h>

#include "iocd-indicator-store.h"
#include "iocd-server-private.h"

#define POINTS_DEFAULT 1000
#define POINTS_MAX 10000
#define SERIES_SPAN_DEFAULT ((gint64) 2 * 365 * 24 * 3600 * G_USEC_PER_SEC)
#define CSV_HEADER "indicator,period,area,value"

static IocdIndicatorStore *
indicator_store (IocdServer *self)
{
  return IOCD_INDICATOR_STORE (self->store);
}

/* code → IocIndicator; the catalogue is small (tens of rows). */
static GHashTable *
load_catalogue (IocdServer  *self,
                GError     **error)
{
  g_autoptr(GPtrArray) list = iocd_indicator_store_list_indicators (indicator_store (self), error);
  GHashTable *table;

  if (list == NULL)
    return NULL;

  table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) ioc_indicator_unref);
  for (guint i = 0; i < list->len; i++)
    {
      IocIndicator *ind = g_ptr_array_index (list, i);

      g_hash_table_insert (table, ind->code, ioc_indicator_ref (ind));
    }
  return table;
}

static void
add_indicator_with_status (JsonBuilder    *b,
                           IocIndicator   *ind,
                           IocObservation *latest,
                           gint64          now)
{
  gint64 age = 0;
  IocIndicatorStatus status = ioc_indicator_status (ind, latest, now, &age);

  json_builder_begin_object (b);
  ioc_indicator_add_members (ind, b);
  json_builder_set_member_name (b, "value");
  if (latest != NULL)
    json_builder_add_double_value (b, latest->value);
  else
    json_builder_add_null_value (b);
  ioc_json_add_time (b, "period", latest ? latest->period : 0);
  ioc_json_add_time (b, "submitted_at", latest ? latest->submitted_at : 0);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, ioc_indicator_status_to_string (status));
  json_builder_set_member_name (b, "age_seconds");
  if (latest != NULL)
    json_builder_add_int_value (b, age / G_USEC_PER_SEC);
  else
    json_builder_add_null_value (b);
  ioc_json_add_time (b, "stale_at", latest ? ioc_indicator_stale_at (ind->frequency, latest->period) : 0);
  json_builder_end_object (b);
}

static GHashTable *
load_latest (IocdServer  *self,
             GError     **error)
{
  g_autoptr(GPtrArray) latest = iocd_indicator_store_latest_observations (indicator_store (self), error);
  GHashTable *table;

  if (latest == NULL)
    return NULL;

  table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) ioc_observation_unref);
  for (guint i = 0; i < latest->len; i++)
    {
      IocObservation *obs = g_ptr_array_index (latest, i);

      g_hash_table_insert (table, obs->indicator, ioc_observation_ref (obs));
    }
  return table;
}

static void
handle_list (IocdServer  *self,
             IocdRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) indicators = NULL;
  g_autoptr(GHashTable) latest = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (g_hash_table_size (request->query) > 0)
    {
      g_autoptr(GList) keys = g_hash_table_get_keys (request->query);

      ioc_set_field_error (&error, keys->data, "is not a parameter of this list");
      iocd_request_send_error (request, error);
      return;
    }

  indicators = iocd_indicator_store_list_indicators (indicator_store (self), &error);
  latest = indicators ? load_latest (self, &error) : NULL;
  if (latest == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "indicators");
  json_builder_begin_array (b);
  for (guint i = 0; i < indicators->len; i++)
    {
      IocIndicator *ind = g_ptr_array_index (indicators, i);

      add_indicator_with_status (b, ind, g_hash_table_lookup (latest, ind->code), request->now);
    }
  json_builder_end_array (b);
  ioc_json_add_time (b, "time", request->now);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
}

static IocIndicator *
find_indicator (IocdServer  *self,
                const char  *code,
                GError     **error)
{
  g_autoptr(GHashTable) catalogue = load_catalogue (self, error);
  IocIndicator *ind;

  if (catalogue == NULL)
    return NULL;

  ind = g_hash_table_lookup (catalogue, code);
  if (ind == NULL)
    {
      g_autofree char *valid = g_utf8_make_valid (code, -1);

      g_set_error (error, IOC_ERROR, IOC_ERROR_NOT_FOUND, "no indicator “%s”", valid);
      return NULL;
    }

  return ioc_indicator_ref (ind);
}

static void
handle_get (IocdServer  *self,
            IocdRequest *request,
            const char  *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IocIndicator) ind = find_indicator (self, code, &error);
  g_autoptr(GHashTable) latest = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;

  latest = ind ? load_latest (self, &error) : NULL;
  if (latest == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  b = json_builder_new_immutable ();
  add_indicator_with_status (b, ind, g_hash_table_lookup (latest, ind->code), request->now);
  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
}

/* Series */

static void
add_series (JsonBuilder *b,
            const char  *area,
            GArray      *points,
            guint        max_points)
{
  g_autoptr(GArray) reduced = ioc_series_downsample ((IocSeriesPoint *) (gpointer) points->data, points->len,
                                                     max_points);

  json_builder_begin_object (b);
  ioc_json_add_string_or_null (b, "area", area && *area ? area : NULL);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, points->len);
  json_builder_set_member_name (b, "downsampled");
  json_builder_add_boolean_value (b, reduced->len < points->len);
  json_builder_set_member_name (b, "points");
  json_builder_begin_array (b);
  for (guint i = 0; i < reduced->len; i++)
    {
      IocSeriesPoint *p = &g_array_index (reduced, IocSeriesPoint, i);

      json_builder_begin_object (b);
      ioc_json_add_time (b, "period", p->t);
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, p->v);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
handle_series (IocdServer  *self,
               IocdRequest *request,
               const char  *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IocIndicator) ind = NULL;
  g_autoptr(GPtrArray) observations = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (IocSeriesPoint));
  GHashTableIter iter;
  gpointer key, value;
  const char *area = IOCD_AREA_CITY;
  gboolean every_commune = FALSE;
  gint64 from = 0, to = 0;
  guint max_points = POINTS_DEFAULT;
  const char *current = NULL;

  g_hash_table_iter_init (&iter, request->query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      const char *v = value;

      if (g_str_equal (name, "from") || g_str_equal (name, "to"))
        {
          gint64 t = 0;

          if (!ioc_indicator_parse_period (v, &t))
            {
              ioc_set_field_error (&error, name, "must be YYYY-MM, YYYY-MM-DD or an ISO 8601 time with an offset");
              goto fail;
            }
          *(g_str_equal (name, "from") ? &from : &to) = t;
        }
      else if (g_str_equal (name, "area"))
        {
          if (g_str_equal (v, "*"))
            {
              every_commune = TRUE;
              area = IOCD_AREA_ALL;
            }
          else if (*v != '\0' && !g_hash_table_contains (self->communes, v))
            {
              g_autofree char *valid = g_utf8_make_valid (v, -1);

              ioc_set_field_error (&error, "area", "unknown commune “%s”", valid);
              goto fail;
            }
          else
            area = v;
        }
      else if (g_str_equal (name, "points"))
        {
          char *end = NULL;
          gint64 n = g_ascii_strtoll (v, &end, 10);

          if (end == v || *end != '\0' || n < 2 || n > POINTS_MAX)
            {
              ioc_set_field_error (&error, "points", "must be from 2 to %d", POINTS_MAX);
              goto fail;
            }
          max_points = n;
        }
      else
        {
          ioc_set_field_error (&error, name, "is not a parameter of a series");
          goto fail;
        }
    }

  ind = find_indicator (self, code, &error);
  if (ind == NULL)
    goto fail;

  if (to == 0)
    to = request->now + 1;
  /* By default two years, from the start of the period they begin in. */
  if (from == 0)
    from = ioc_indicator_period_start (ind->frequency, to - SERIES_SPAN_DEFAULT);
  if (from >= to)
    {
      ioc_set_field_error (&error, "from", "must be before to");
      goto fail;
    }

  observations = iocd_indicator_store_list_observations (indicator_store (self), ind->code, area, from, to,
                                                         &error);
  if (observations == NULL)
    goto fail;

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "indicator");
  json_builder_begin_object (b);
  ioc_indicator_add_members (ind, b);
  json_builder_end_object (b);
  ioc_json_add_time (b, "from", from);
  ioc_json_add_time (b, "to", to);
  json_builder_set_member_name (b, "max_points");
  json_builder_add_int_value (b, max_points);
  json_builder_set_member_name (b, "series");
  json_builder_begin_array (b);

  /* Rows come ordered by area, then period: each run is one series. */
  for (guint i = 0; i <= observations->len; i++)
    {
      IocObservation *obs = i < observations->len ? g_ptr_array_index (observations, i) : NULL;
      const char *obs_area = obs ? (obs->area ? obs->area : "") : NULL;

      if (obs != NULL && every_commune && *obs_area == '\0')
        continue;

      if (current != NULL && (obs == NULL || !g_str_equal (current, obs_area)))
        {
          add_series (b, current, points, max_points);
          g_array_set_size (points, 0);
          current = NULL;
        }
      if (obs == NULL)
        break;

      current = obs_area;
      g_array_append_vals (points, &(IocSeriesPoint) { obs->period, obs->value }, 1);
    }

  /* One area asked for and nothing there: still one (empty) series. */
  if (!every_commune && observations->len == 0)
    add_series (b, area, points, max_points);

  json_builder_end_array (b);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
  return;

fail:
  iocd_request_send_error (request, error);
}

/* Submissions */

typedef struct {
  guint  line;
  char  *message;
} BadLine;

static void
bad_line_free (BadLine *bad)
{
  g_free (bad->message);
  g_free (bad);
}

typedef struct {
  IocdServer  *self;
  IocdRequest *request;
  GHashTable  *catalogue;     /* code → IocIndicator */
  GHashTable  *seen;          /* "indicator\narea\nperiod" → line */
  GPtrArray   *observations;  /* IocObservation, accepted */
  GPtrArray   *bad;           /* BadLine */
  GString     *problems;      /* of the line being checked */
} Submission;

static void
submission_clear (Submission *s)
{
  g_clear_pointer (&s->catalogue, g_hash_table_unref);
  g_clear_pointer (&s->seen, g_hash_table_unref);
  g_clear_pointer (&s->observations, g_ptr_array_unref);
  g_clear_pointer (&s->bad, g_ptr_array_unref);
  if (s->problems != NULL)
    g_string_free (s->problems, TRUE);
  s->problems = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Submission, submission_clear)

static void
problem (Submission *s,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static void
problem (Submission *s,
         const char *format,
         ...)
{
  va_list args;

  if (s->problems->len > 0)
    g_string_append (s->problems, "; ");
  va_start (args, format);
  g_string_append_vprintf (s->problems, format, args);
  va_end (args);
}

static void
end_line (Submission *s,
          guint       line)
{
  BadLine *bad;

  if (s->problems->len == 0)
    return;

  bad = g_new0 (BadLine, 1);
  bad->line = line;
  bad->message = g_utf8_make_valid (s->problems->str, -1);
  g_ptr_array_add (s->bad, bad);
  g_string_truncate (s->problems, 0);
}

/* Checks one observation against the catalogue, the communes, the clock and
 * the submitter's rights; takes it when the line has no problem yet. */
static void
check_observation (Submission     *s,
                   IocObservation *owned_obs,
                   gint64          raw_period,
                   guint           line)
{
  g_autoptr(IocObservation) obs = owned_obs;
  IocUser *user = s->request->user;
  IocIndicator *ind = g_hash_table_lookup (s->catalogue, obs->indicator);
  g_autofree char *key = NULL;
  gpointer earlier;

  if (ind == NULL)
    problem (s, "unknown indicator “%s”", obs->indicator);
  else if (user->role == IOC_ROLE_LIAISON && g_strcmp0 (ind->department, user->department) != 0)
    problem (s, "indicator “%s” belongs to %s; a liaison of %s submits only their department's indicators",
             ind->code, ind->department ? ind->department : "no department", user->department);

  if (raw_period > s->request->now)
    problem (s, "the period is in the future");

  if (obs->area != NULL && !g_hash_table_contains (s->self->communes, obs->area))
    problem (s, "unknown commune “%s”", obs->area);

  if (s->problems->len > 0 || ind == NULL)
    return;

  /* Values are kept per whole period: a date inside a month is that month. */
  obs->period = ioc_indicator_period_start (ind->frequency, raw_period);
  obs->submitted_by = user->id;
  obs->submitted_at = s->request->now;

  key = g_strdup_printf ("%s\n%s\n%" G_GINT64_FORMAT, obs->indicator, obs->area ? obs->area : "", obs->period);
  if (g_hash_table_lookup_extended (s->seen, key, NULL, &earlier))
    {
      problem (s, "repeats the value of line %u (same indicator, area and period)", GPOINTER_TO_UINT (earlier));
      return;
    }
  g_hash_table_insert (s->seen, g_steal_pointer (&key), GUINT_TO_POINTER (line));

  g_ptr_array_add (s->observations, g_steal_pointer (&obs));
}

static void
send_bad_lines (IocdRequest *request,
                GPtrArray   *bad)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *message = NULL;

  if (bad->len == 1)
    message = g_strdup_printf ("line %u is invalid; nothing was stored",
                               ((BadLine *) g_ptr_array_index (bad, 0))->line);
  else
    message = g_strdup_printf ("%u lines are invalid; nothing was stored", bad->len);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, "invalid");
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (guint i = 0; i < bad->len; i++)
    {
      BadLine *line = g_ptr_array_index (bad, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "line");
      json_builder_add_int_value (b, line->line);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, line->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  iocd_request_send_json (request, 400, node);
}

static gboolean
begin_submission (IocdServer   *self,
                  IocdRequest  *request,
                  Submission   *s,
                  GError      **error)
{
  if (request->user->role != IOC_ROLE_LIAISON && request->user->role != IOC_ROLE_ADMIN)
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_FORBIDDEN,
                           "only a department's liaison or an administrator submits indicator values");
      return FALSE;
    }
  if (g_hash_table_size (request->query) > 0)
    {
      g_autoptr(GList) keys = g_hash_table_get_keys (request->query);

      ioc_set_field_error (error, keys->data, "is not a parameter of a submission");
      return FALSE;
    }

  s->self = self;
  s->request = request;
  s->catalogue = load_catalogue (self, error);
  if (s->catalogue == NULL)
    return FALSE;
  s->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  s->observations = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_observation_unref);
  s->bad = g_ptr_array_new_with_free_func ((GDestroyNotify) bad_line_free);
  s->problems = g_string_new (NULL);
  return TRUE;
}

/* Stores a submission that passed every check, with its event. */
static void
finish_submission (Submission *s)
{
  IocdServer *self = s->self;
  IocdRequest *request = s->request;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) owners = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GList) sorted = NULL;
  g_autoptr(GList) departments = NULL;
  g_autoptr(GString) visible = g_string_new (",");
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(IocEvent) event = NULL;

  if (s->bad->len > 0)
    {
      send_bad_lines (request, s->bad);
      return;
    }
  if (s->observations->len == 0)
    {
      g_set_error_literal (&error, IOC_ERROR, IOC_ERROR_INVALID, "there are no observations to store");
      iocd_request_send_error (request, error);
      return;
    }

  for (guint i = 0; i < s->observations->len; i++)
    {
      IocObservation *obs = g_ptr_array_index (s->observations, i);
      IocIndicator *ind = g_hash_table_lookup (s->catalogue, obs->indicator);

      g_hash_table_add (codes, ind->code);
      if (ind->department != NULL)
        g_hash_table_add (owners, ind->department);
    }
  sorted = g_list_sort (g_hash_table_get_keys (codes), (GCompareFunc) strcmp);
  departments = g_list_sort (g_hash_table_get_keys (owners), (GCompareFunc) strcmp);
  for (GList *l = departments; l != NULL; l = l->next)
    g_string_append_printf (visible, "%s,", (const char *) l->data);

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "indicators");
  json_builder_begin_array (b);
  for (GList *l = sorted; l != NULL; l = l->next)
    json_builder_add_string_value (b, l->data);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, s->observations->len);
  json_builder_set_member_name (b, "submitted_by");
  json_builder_add_string_value (b, request->user->username);
  json_builder_end_object (b);
  data = json_builder_get_root (b);

  /* Its event follows those of the task changes already checked. */
  iocd_server_settle_writes (self);
  if (!iocd_indicator_store_save_observations (indicator_store (self), s->observations, visible->str, data,
                                               request->now, &event, &error))
    {
      iocd_request_send_error (request, error);
      return;
    }

  iocd_server_publish (self, event, visible->str);
  g_message ("%s stored %u indicator values", request->user->username, s->observations->len);

  g_clear_object (&b);
  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "stored");
  json_builder_add_int_value (b, s->observations->len);
  json_builder_set_member_name (b, "indicators");
  json_builder_begin_array (b);
  for (GList *l = sorted; l != NULL; l = l->next)
    json_builder_add_string_value (b, l->data);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "event_seq");
  json_builder_add_int_value (b, event->seq);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
}

static void
handle_submit_json (IocdServer  *self,
                    IocdRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_auto(Submission) s = { 0 };
  JsonNode *member;
  JsonArray *array;

  if (!begin_submission (self, request, &s, &error))
    goto fail;

  body = iocd_request_parse_body (request, &error);
  if (body == NULL)
    goto fail;

  member = json_object_get_member (body, "observations");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    {
      ioc_set_field_error (&error, "observations", "must be an array of { indicator, period, area, value }");
      goto fail;
    }
  array = json_node_get_array (member);

  /* "line" is the position in the array, from 1. */
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      IocObservation *obs;
      g_autoptr(GError) e = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        problem (&s, "must be an object");
      else if ((obs = ioc_observation_from_json (json_node_get_object (element), &e)) == NULL)
        problem (&s, "%s", e->message);
      else
        check_observation (&s, obs, obs->period, i + 1);
      end_line (&s, i + 1);
    }

  finish_submission (&s);
  return;

fail:
  iocd_request_send_error (request, error);
}

static void
handle_submit_csv (IocdServer  *self,
                   IocdRequest *request)
{
  static const char * const columns[] = { "indicator", "period", "area", "value" };
  g_autoptr(GError) error = NULL;
  g_autoptr(IocCsv) csv = NULL;
  g_auto(Submission) s = { 0 };
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (request->msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  gsize len = 0;
  const char *data = request->body ? g_bytes_get_data (request->body, &len) : NULL;
  GStrv header;

  if (!begin_submission (self, request, &s, &error))
    goto fail;

  if (content_type == NULL || g_ascii_strcasecmp (content_type, "text/csv") != 0)
    {
      ioc_set_field_error (&error, "Content-Type", "must be text/csv");
      goto fail;
    }
  if (data == NULL || len == 0)
    {
      g_set_error_literal (&error, IOC_ERROR, IOC_ERROR_MALFORMED,
                           "the body is empty; send a CSV with the header " CSV_HEADER);
      goto fail;
    }

  csv = ioc_csv_parse (data, len, &error);
  if (csv == NULL)
    goto fail;

  header = csv->records->len > 0 ? g_ptr_array_index (csv->records, 0) : NULL;
  if (header == NULL || g_strv_length (header) != G_N_ELEMENTS (columns))
    problem (&s, "the header must be exactly “" CSV_HEADER "”");
  else
    for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
      if (!g_str_equal (g_strstrip (header[c]), columns[c]))
        {
          problem (&s, "the header must be exactly “" CSV_HEADER "”: column %u is “%s”, not “%s”",
                   c + 1, header[c], columns[c]);
          break;
        }
  if (s.problems->len > 0)
    {
      /* Without the columns the lines cannot be read at all. */
      end_line (&s, 1);
      send_bad_lines (request, s.bad);
      return;
    }

  for (guint r = 1; r < csv->records->len; r++)
    {
      GStrv record = g_ptr_array_index (csv->records, r);
      guint line = g_array_index (csv->lines, guint, r);
      guint n = g_strv_length (record);
      gint64 period = 0;
      double value = 0;

      if (n != G_N_ELEMENTS (columns))
        problem (&s, "has %u fields, not %u", n, (guint) G_N_ELEMENTS (columns));
      else
        {
          for (guint c = 0; c < n; c++)
            g_strstrip (record[c]);

          if (*record[0] == '\0')
            problem (&s, "the indicator is empty");
          if (!ioc_indicator_parse_period (record[1], &period))
            problem (&s, "period “%s” is not YYYY-MM, YYYY-MM-DD or an ISO 8601 time with an offset", record[1]);
          if (*record[3] == '\0')
            problem (&s, "the value is empty");
          else if (!ioc_indicator_parse_value (record[3], &value))
            problem (&s, "value “%s” is not a number", record[3]);

          if (*record[0] != '\0')
            {
              IocObservation *obs = ioc_observation_new ();

              obs->indicator = g_strdup (record[0]);
              obs->area = *record[2] ? g_strdup (record[2]) : NULL;
              obs->value = value;
              obs->period = period;
              /* Still checked with a bad period or value, so that the line
               * lists every problem it has. */
              check_observation (&s, obs, period, line);
            }
        }
      end_line (&s, line);
    }

  finish_submission (&s);
  return;

fail:
  iocd_request_send_error (request, error);
}

void
iocd_server_handle_indicators (IocdServer   *self,
                               IocdRequest  *request,
                               char        **segments)
{
  g_autoptr(GError) error = NULL;

  if (segments[0] == NULL || (segments[0][0] == '\0' && segments[1] == NULL))
    {
      if (g_str_equal (request->method, "GET"))
        handle_list (self, request);
      else
        iocd_request_send_method_not_allowed (request, "GET");
      return;
    }

  if (segments[1] == NULL && (g_str_equal (segments[0], "observations") ||
                              g_str_equal (segments[0], "observations.csv")))
    {
      if (!g_str_equal (request->method, "POST"))
        iocd_request_send_method_not_allowed (request, "POST");
      else if (g_str_equal (segments[0], "observations"))
        handle_submit_json (self, request);
      else
        handle_submit_csv (self, request);
      return;
    }

  if (segments[0][0] != '\0' && (segments[1] == NULL ||
                                 (g_str_equal (segments[1], "series") && segments[2] == NULL)))
    {
      if (!g_str_equal (request->method, "GET"))
        iocd_request_send_method_not_allowed (request, "GET");
      else if (segments[1] == NULL)
        handle_get (self, request, segments[0]);
      else
        handle_series (self, request, segments[0]);
      return;
    }

  error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no such resource: %s", request->path);
  iocd_request_send_error (request, error);
}
