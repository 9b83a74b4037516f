/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-sensors"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iocd-sensor-store.h"

G_DEFINE_INTERFACE (IocdSensorStore, iocd_sensor_store, G_TYPE_OBJECT)

static void
iocd_sensor_store_default_init (IocdSensorStoreInterface *iface)
{
}

GPtrArray *
iocd_sensor_store_list_stations (IocdSensorStore  *self,
                                 GError          **error)
{
  return IOCD_SENSOR_STORE_GET_IFACE (self)->list_stations (self, error);
}

gboolean
iocd_sensor_store_save_station (IocdSensorStore  *self,
                                IocStation       *station,
                                GError          **error)
{
  return IOCD_SENSOR_STORE_GET_IFACE (self)->save_station (self, station, error);
}

gboolean
iocd_sensor_store_add_readings (IocdSensorStore    *self,
                                const IocdReading  *readings,
                                gsize               n,
                                GError            **error)
{
  return IOCD_SENSOR_STORE_GET_IFACE (self)->add_readings (self, readings, n, error);
}

GArray *
iocd_sensor_store_list_readings (IocdSensorStore  *self,
                                 const char       *station,
                                 gint64            from,
                                 gint64            to,
                                 GError          **error)
{
  return IOCD_SENSOR_STORE_GET_IFACE (self)->list_readings (self, station, from, to, error);
}

GArray *
iocd_sensor_store_series (IocdSensorStore  *self,
                          const char       *station,
                          gint64            from,
                          gint64            to,
                          guint             max_points,
                          guint            *count,
                          GError          **error)
{
  return IOCD_SENSOR_STORE_GET_IFACE (self)->series (self, station, from, to, max_points, count, error);
}

GHashTable *
iocd_sensor_store_latest_readings (IocdSensorStore  *self,
                                   GError          **error)
{
  return IOCD_SENSOR_STORE_GET_IFACE (self)->latest_readings (self, error);
}

gboolean
iocd_sensor_store_set_alarm_state (IocdSensorStore  *self,
                                   const char       *station,
                                   int               level,
                                   gint64            task,
                                   GError          **error)
{
  return IOCD_SENSOR_STORE_GET_IFACE (self)->set_alarm_state (self, station, level, task, error);
}

/* Ingest and the alarm rule */

typedef struct {
  const IocdReading *readings;
} SortData;

static int
compare_readings (const void *a,
                  const void *b,
                  void       *user_data)
{
  const SortData *data = user_data;
  gsize ia = *(const gsize *) a;
  gsize ib = *(const gsize *) b;
  const IocdReading *ra = &data->readings[ia];
  const IocdReading *rb = &data->readings[ib];
  int c = strcmp (ra->station, rb->station);

  if (c != 0)
    return c;
  if (ra->at != rb->at)
    return ra->at < rb->at ? -1 : 1;
  /* The later of two readings at one time replaces the earlier in the
   * store, so it comes first here and the other is skipped. */
  return ia < ib ? 1 : (ia > ib ? -1 : 0);
}

static char *
format_value (const IocStation *station,
              double            value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  const char *format = station->kind == IOC_STATION_WATER_LEVEL ? "%.2f"
                     : station->kind == IOC_STATION_RAINFALL ? "%.1f" : "%.0f";
  char *p;

  g_ascii_formatd (buffer, sizeof buffer, format, value);
  /* Vietnamese writes the decimal comma. */
  for (p = buffer; *p; p++)
    if (*p == '.')
      *p = ',';

  return g_strdup_printf ("%s %s", buffer, station->unit ? station->unit : "");
}

static const char *
measure_name (const IocStation *station)
{
  switch (station->kind)
    {
    case IOC_STATION_WATER_LEVEL:
      return "Mực nước";
    case IOC_STATION_RAINFALL:
      return "Lượng mưa";
    case IOC_STATION_AIR_QUALITY:
      return "Chỉ số chất lượng không khí";
    case IOC_N_STATION_KINDS:
    case IOC_STATION_KIND_INVALID:
    default:
      return "Số đo";
    }
}

static IocTimelineEntry *
station_entry (const IocStation *station,
               gint64            at,
               IocAction         action,
               IocTaskState      from,
               IocTaskState      to)
{
  IocTimelineEntry *entry = ioc_timeline_entry_new ();

  entry->at = at;
  entry->actor_id = 0;
  entry->actor_name = g_strdup_printf ("Trạm %s", station->name);
  entry->actor_role = IOC_ROLE_INVALID;
  entry->action = action;
  entry->from_state = from;
  entry->to_state = to;
  return entry;
}

static gboolean
commit_task_change (IocdStore   *store,
                    IocdChange  *change,
                    GPtrArray   *events,
                    GPtrArray   *departments,
                    GError     **error)
{
  gboolean ok = iocd_store_commit_change (store, change, error);

  if (ok && events != NULL)
    {
      g_ptr_array_add (events, ioc_event_ref (change->event));
      if (departments != NULL)
        g_ptr_array_add (departments, g_strdup (change->departments));
    }

  ioc_timeline_entry_unref (change->entry);
  iocd_change_clear (change);
  return ok;
}

static gint64
open_alarm_task (IocdStore          *store,
                 const IocStation   *station,
                 int                 level,
                 const IocdReading  *reading,
                 gint64              at,
                 GPtrArray          *events,
                 GPtrArray          *departments,
                 GError            **error)
{
  g_autoptr(IocTask) task = ioc_task_new ();
  g_autofree char *value = format_value (station, reading->value);
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (reading->at / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
  /* As people write it in the city: "07:55 ngày 29/11/2026". */
  g_autofree char *when = g_date_time_format (local, "%H:%M ngày %d/%m/%Y");
  IocdChange change = { 0 };

  task->source = IOC_SOURCE_SENSOR;
  task->category = g_strdup (station->kind == IOC_STATION_AIR_QUALITY ? "AIR" : "FLOOD");
  task->title = g_strdup_printf ("%s trạm %s vượt báo động %s: %s", measure_name (station), station->name,
                                 ioc_station_level_name (level), value);
  task->description = g_strdup_printf ("Cảnh báo tự động từ trạm %s (%s): %s lúc %s.",
                                       station->name, station->code, value, when);
  task->has_location = station->has_location;
  task->lat = station->lat;
  task->lon = station->lon;
  task->commune = g_strdup (station->commune);
  task->priority = ioc_station_level_priority (level);
  task->state = IOC_TASK_STATE_RECEIVED;
  task->version = 1;
  task->created_at = at;
  task->updated_at = at;

  change.task = task;
  change.entry = station_entry (station, at, IOC_ACTION_INTAKE, IOC_TASK_STATE_INVALID, IOC_TASK_STATE_RECEIVED);
  change.event_kind = IOC_EVENT_TASK_CREATED;

  if (!commit_task_change (store, &change, events, departments, error))
    return 0;

  return task->id;
}

static gboolean
raise_alarm_task (IocdStore          *store,
                  const IocStation   *station,
                  gint64              task_id,
                  int                 level,
                  const IocdReading  *reading,
                  gint64              at,
                  GPtrArray          *events,
                  GPtrArray          *departments,
                  GError            **error)
{
  g_autoptr(IocTask) current = NULL;
  g_autoptr(IocTask) next = NULL;
  g_autofree char *value = NULL;
  IocPriority priority = ioc_station_level_priority (level);
  IocdChange change = { 0 };

  current = iocd_store_get_task (store, task_id, FALSE, error);
  if (current == NULL)
    return FALSE;

  /* Back up to a level the episode reached before: the task says so already.
   * Priorities order from urgent (0) down. */
  if (current->priority <= priority)
    return TRUE;

  value = format_value (station, reading->value);
  next = ioc_task_copy (current);
  next->priority = priority;
  next->version = current->version + 1;
  next->updated_at = MAX (at, current->updated_at);

  change.task = next;
  change.expected_version = current->version;
  change.entry = station_entry (station, next->updated_at, IOC_ACTION_COMMENT, current->state, current->state);
  change.entry->note = g_strdup_printf ("%s lên báo động %s: %s; độ ưu tiên %s → %s.", measure_name (station),
                                        ioc_station_level_name (level), value,
                                        ioc_priority_to_string (current->priority),
                                        ioc_priority_to_string (priority));
  change.event_kind = IOC_EVENT_TASK_CHANGED;

  return commit_task_change (store, &change, events, departments, error);
}

/* (station, time): the order the store keeps and the alarm rule runs in. */
static int
compare_keys (const IocdReading *a,
              const IocdReading *b)
{
  int c = a->station == b->station ? 0 : strcmp (a->station, b->station);

  if (c != 0)
    return c;
  return a->at < b->at ? -1 : (a->at > b->at ? 1 : 0);
}

gboolean
iocd_sensor_ingest (IocdStore          *store,
                    GHashTable         *stations,
                    const IocdReading  *readings,
                    gsize               n,
                    gint64              now,
                    gint64              tasks_since,
                    GPtrArray          *events,
                    GPtrArray          *departments,
                    GError            **error)
{
  IocdSensorStore *sensors = IOCD_SENSOR_STORE (store);
  g_autoptr(GHashTable) latest = NULL;
  g_autofree IocdReading *sorted = NULL;
  const IocdReading *unique = readings;
  gsize n_unique = n;
  gsize i = 0;

  if (n == 0)
    return TRUE;

  /* Feeds send their readings in time order: then they are stored and run
   * through the rule as they are. Otherwise sorted, and of two readings at
   * one time only the later is kept, as storing both would keep it. */
  for (gsize k = 1; k < n; k++)
    if (compare_keys (&readings[k - 1], &readings[k]) >= 0)
      {
        g_autofree gsize *order = g_new (gsize, n);
        SortData sort_data = { readings };

        for (gsize j = 0; j < n; j++)
          order[j] = j;
        g_qsort_with_data (order, n, sizeof (gsize), compare_readings, &sort_data);

        sorted = g_new (IocdReading, n);
        n_unique = 0;
        for (gsize j = 0; j < n; j++)
          if (n_unique == 0 || compare_keys (&sorted[n_unique - 1], &readings[order[j]]) != 0)
            sorted[n_unique++] = readings[order[j]];
        unique = sorted;
        break;
      }

  /* What each station had before: older readings fill gaps in the record
   * but do not replay the alarm rule out of order. */
  latest = iocd_sensor_store_latest_readings (sensors, error);
  if (latest == NULL || !iocd_sensor_store_add_readings (sensors, unique, n_unique, error))
    return FALSE;

  while (i < n_unique)
    {
      const char *code = unique[i].station;
      IocStation *station = g_hash_table_lookup (stations, code);
      IocdSample *before = g_hash_table_lookup (latest, code);
      gint64 last_at = before ? before->at : G_MININT64;
      int level;
      gint64 task;

      if (station == NULL)
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "unknown station “%s”", code);
          return FALSE;
        }

      level = station->alarm_level;
      task = station->alarm_task;

      for (; i < n_unique && (unique[i].station == code || g_str_equal (unique[i].station, code)); i++)
        {
          const IocdReading *reading = &unique[i];
          IocStationAlarmAction action;
          gint64 at = MAX (reading->at, now);
          int next_level;

          if (reading->at <= last_at)
            continue;
          last_at = reading->at;

          action = ioc_station_alarm_step (station, level, reading->value, &next_level);
          switch (action)
            {
            case IOC_STATION_ALARM_OPEN:
              task = 0;
              if (reading->at >= tasks_since)
                {
                  task = open_alarm_task (store, station, next_level, reading, at, events, departments, error);
                  if (task == 0)
                    return FALSE;
                }
              break;

            case IOC_STATION_ALARM_RAISE:
              if (task > 0 && reading->at >= tasks_since &&
                  !raise_alarm_task (store, station, task, next_level, reading, at, events, departments, error))
                return FALSE;
              break;

            case IOC_STATION_ALARM_REARM:
              task = 0;
              break;

            case IOC_STATION_ALARM_NONE:
            default:
              break;
            }
          level = next_level;
        }

      if (level != station->alarm_level || task != station->alarm_task)
        {
          if (!iocd_sensor_store_set_alarm_state (sensors, code, level, task, error))
            return FALSE;
          station->alarm_level = level;
          station->alarm_task = task;
        }
    }

  return TRUE;
}

typedef struct {
  guint         count;
  IocdSample    latest;
} StationSummary;

static JsonNode *
summarize (GHashTable        *stations,
           const IocdReading *readings,
           gsize              n)
{
  g_autoptr(GHashTable) per_station = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(GList) codes = NULL;
  StationSummary *run = NULL;

  for (gsize i = 0; i < n; i++)
    {
      /* Runs of one station are the rule: look it up once per run. */
      if (run == NULL || readings[i].station != readings[i - 1].station)
        run = g_hash_table_lookup (per_station, readings[i].station);

      if (run == NULL)
        {
          run = g_new0 (StationSummary, 1);
          run->latest.at = G_MININT64;
          g_hash_table_insert (per_station, (gpointer) readings[i].station, run);
        }
      run->count++;
      if (readings[i].at >= run->latest.at)
        {
          run->latest.at = readings[i].at;
          run->latest.value = readings[i].value;
        }
    }

  codes = g_list_sort (g_hash_table_get_keys (per_station), (GCompareFunc) strcmp);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "stations");
  json_builder_begin_array (b);
  for (GList *l = codes; l != NULL; l = l->next)
    {
      StationSummary *s = g_hash_table_lookup (per_station, l->data);
      IocStation *station = g_hash_table_lookup (stations, l->data);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, l->data);
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, s->count);
      json_builder_set_member_name (b, "latest");
      json_builder_begin_object (b);
      ioc_json_add_time (b, "at", s->latest.at);
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, s->latest.value);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "alarm_level");
      json_builder_add_int_value (b, station ? station->alarm_level : 0);
      json_builder_set_member_name (b, "alarm_task");
      if (station != NULL && station->alarm_task > 0)
        json_builder_add_int_value (b, station->alarm_task);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

gboolean
iocd_sensor_commit_readings (IocdStore          *store,
                             const IocdReading  *readings,
                             gsize               n,
                             gint64              now,
                             GPtrArray          *events,
                             GPtrArray          *departments,
                             JsonNode          **summary,
                             GError            **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GHashTable) stations = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(IocEvent) event = NULL;
  guint first_event = events->len;

  /* Read inside the transaction: the alarm state must be the one the
   * readings continue from. */
  if (!iocd_store_begin_batch (store, error))
    return FALSE;

  list = iocd_sensor_store_list_stations (IOCD_SENSOR_STORE (store), error);
  if (list == NULL)
    goto fail;
  for (guint i = 0; i < list->len; i++)
    {
      IocStation *station = g_ptr_array_index (list, i);

      g_hash_table_insert (stations, station->code, station);
    }

  if (!iocd_sensor_ingest (store, stations, readings, n, now, G_MININT64, events, departments, error))
    goto fail;

  data = summarize (stations, readings, n);
  /* Readings are for the control room: operators and supervisors. */
  event = iocd_store_commit_event (store, IOC_EVENT_SENSOR_READINGS, ",", data, now, error);
  if (event == NULL)
    goto fail;

  if (!iocd_store_end_batch (store, TRUE, error))
    {
      g_ptr_array_set_size (events, first_event);
      g_ptr_array_set_size (departments, first_event);
      return FALSE;
    }

  g_ptr_array_add (events, g_steal_pointer (&event));
  g_ptr_array_add (departments, g_strdup (","));
  *summary = g_steal_pointer (&data);
  return TRUE;

fail:
  iocd_store_end_batch (store, FALSE, NULL);
  g_ptr_array_set_size (events, first_event);
  g_ptr_array_set_size (departments, first_event);
  return FALSE;
}
