/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-sqlite"

#include "config.h"

#include "iocd-sqlite-store-private.h"

#define STATION_COLUMNS \
  "code, name, kind, lat, lon, unit, level1, level2, level3, commune, note, alarm_level, alarm_task"

static IocStation *
station_from_row (sqlite3_stmt *stmt)
{
  IocStation *station = ioc_station_new ();

  station->code = iocd_sqlite_column_dup (stmt, 0);
  station->name = iocd_sqlite_column_dup (stmt, 1);
  station->kind = ioc_station_kind_from_string (iocd_sqlite_column_text (stmt, 2));
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL && sqlite3_column_type (stmt, 4) != SQLITE_NULL)
    {
      station->has_location = TRUE;
      station->lat = sqlite3_column_double (stmt, 3);
      station->lon = sqlite3_column_double (stmt, 4);
    }
  station->unit = iocd_sqlite_column_dup (stmt, 5);
  for (int i = 0; i < IOC_STATION_N_LEVELS; i++)
    if (sqlite3_column_type (stmt, 6 + i) != SQLITE_NULL)
      {
        station->has_level[i] = TRUE;
        station->levels[i] = sqlite3_column_double (stmt, 6 + i);
      }
  station->commune = iocd_sqlite_column_dup (stmt, 9);
  station->note = iocd_sqlite_column_dup (stmt, 10);
  station->alarm_level = sqlite3_column_int (stmt, 11);
  station->alarm_task = sqlite3_column_int64 (stmt, 12);

  return station;
}

static GPtrArray *
list_stations (IocdSensorStore  *store,
               GError          **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autoptr(GPtrArray) stations = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_station_unref);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "SELECT " STATION_COLUMNS " FROM stations ORDER BY code", error);
  int rc;

  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (stations, station_from_row (stmt));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "listing stations");
      return NULL;
    }

  return g_steal_pointer (&stations);
}

static void
bind_double_or_null (sqlite3_stmt *stmt,
                     int           index,
                     gboolean      present,
                     double        value)
{
  if (present)
    sqlite3_bind_double (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
save_station (IocdSensorStore  *store,
              IocStation       *station,
              GError          **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt;

  /* A redefinition keeps the alarm state: the episode it tracks goes on. */
  stmt = iocd_sqlite_prepare (self,
                              "INSERT INTO stations (code, name, kind, lat, lon, unit, level1, level2, level3, "
                              "commune, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                              "ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
                              "lat = excluded.lat, lon = excluded.lon, unit = excluded.unit, "
                              "level1 = excluded.level1, level2 = excluded.level2, level3 = excluded.level3, "
                              "commune = excluded.commune, note = excluded.note", error);
  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, station->code);
  iocd_sqlite_bind_text (stmt, 2, station->name);
  iocd_sqlite_bind_text (stmt, 3, ioc_station_kind_to_string (station->kind));
  bind_double_or_null (stmt, 4, station->has_location, station->lat);
  bind_double_or_null (stmt, 5, station->has_location, station->lon);
  iocd_sqlite_bind_text (stmt, 6, station->unit);
  for (int i = 0; i < IOC_STATION_N_LEVELS; i++)
    bind_double_or_null (stmt, 7 + i, station->has_level[i], station->levels[i]);
  iocd_sqlite_bind_text (stmt, 10, station->commune);
  iocd_sqlite_bind_text (stmt, 11, station->note);

  return iocd_sqlite_step_done (self, stmt, error);
}

static gboolean
add_readings (IocdSensorStore    *store,
              const IocdReading  *readings,
              gsize               n,
              GError            **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt;

  if (!iocd_sqlite_begin_write (self, error))
    return FALSE;

  stmt = iocd_sqlite_prepare (self, "INSERT OR REPLACE INTO readings (station, at, value) VALUES (?1, ?2, ?3)",
                              error);
  if (stmt == NULL)
    goto fail;

  /* One prepared statement, rebound per row: the whole cost is the B-tree insert. */
  for (gsize i = 0; i < n; i++)
    {
      sqlite3_bind_text (stmt, 1, readings[i].station, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, readings[i].at);
      sqlite3_bind_double (stmt, 3, readings[i].value);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          iocd_sqlite_set_sqlite_error (self, error, "storing readings");
          sqlite3_reset (stmt);
          goto fail;
        }
      sqlite3_reset (stmt);
    }
  sqlite3_clear_bindings (stmt);

  if (!iocd_sqlite_commit_write (self, error))
    goto fail;

  return TRUE;

fail:
  iocd_sqlite_rollback_write (self);
  return FALSE;
}

static GArray *
list_readings (IocdSensorStore  *store,
               const char       *station,
               gint64            from,
               gint64            to,
               GError          **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (IocdSample));
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                            "SELECT at, value FROM readings WHERE station = ?1 "
                                            "AND at >= ?2 AND at <= ?3 ORDER BY at", error);
  int rc;

  if (stmt == NULL)
    return NULL;

  iocd_sqlite_bind_text (stmt, 1, station);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      IocdSample sample = { sqlite3_column_int64 (stmt, 0), sqlite3_column_double (stmt, 1) };

      g_array_append_val (samples, sample);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "reading a series");
      return NULL;
    }

  return g_steal_pointer (&samples);
}

static GHashTable *
latest_readings (IocdSensorStore  *store,
                 GError          **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autoptr(GHashTable) latest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = iocd_sqlite_prepare (self, "SELECT code FROM stations", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (codes, iocd_sqlite_column_dup (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "listing stations");
      return NULL;
    }

  /* One index seek per station at the end of its (station, at) key range,
   * rather than a GROUP BY over every reading. */
  stmt = iocd_sqlite_prepare (self, "SELECT at, value FROM readings WHERE station = ?1 ORDER BY at DESC LIMIT 1",
                              error);
  if (stmt == NULL)
    return NULL;
  for (guint i = 0; i < codes->len; i++)
    {
      const char *code = g_ptr_array_index (codes, i);

      sqlite3_reset (stmt);
      iocd_sqlite_bind_text (stmt, 1, code);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          IocdSample *sample = g_new (IocdSample, 1);

          sample->at = sqlite3_column_int64 (stmt, 0);
          sample->value = sqlite3_column_double (stmt, 1);
          g_hash_table_insert (latest, g_strdup (code), sample);
        }
      else if (rc != SQLITE_DONE)
        {
          sqlite3_reset (stmt);
          iocd_sqlite_set_sqlite_error (self, error, "reading the latest readings");
          return NULL;
        }
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&latest);
}

static gboolean
set_alarm_state (IocdSensorStore  *store,
                 const char       *station,
                 int               level,
                 gint64            task,
                 GError          **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                            "UPDATE stations SET alarm_level = ?2, alarm_task = ?3 WHERE code = ?1",
                                            error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, station);
  sqlite3_bind_int (stmt, 2, level);
  iocd_sqlite_bind_time (stmt, 3, task);
  if (!iocd_sqlite_step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_NOT_FOUND, "no station “%s”", station);
      return FALSE;
    }

  return TRUE;
}

void
iocd_sqlite_sensor_store_iface_init (IocdSensorStoreInterface *iface)
{
  iface->list_stations = list_stations;
  iface->save_station = save_station;
  iface->add_readings = add_readings;
  iface->list_readings = list_readings;
  iface->latest_readings = latest_readings;
  iface->set_alarm_state = set_alarm_state;
}
