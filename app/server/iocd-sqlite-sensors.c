/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-sqlite"

#include "config.h"

#include <string.h>

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

/* Hourly rollups (readings_hourly, migration 4) */

#define HOUR G_TIME_SPAN_HOUR
/* Above this many readings per point a series reads the rollups. */
#define ROLLUP_FACTOR 8

/* The start of the hour of @at, floored as the migration floors it. */
static gint64
hour_of (gint64 at)
{
  return at - ((at % HOUR) + HOUR) % HOUR;
}

typedef struct {
  const char *station;
  gint64      hour;
  double      min;
  gint64      min_at;
  double      max;
  gint64      max_at;
  gint64      count;
  gint64      first_at;
  gint64      last_at;
  gboolean    ordered;    /* strictly increasing times: no reading replaced another */
} Rollup;

static void
rollup_start (Rollup            *r,
              const IocdReading *reading)
{
  r->station = reading->station;
  r->hour = hour_of (reading->at);
  r->min = r->max = reading->value;
  r->min_at = r->max_at = r->first_at = r->last_at = reading->at;
  r->count = 1;
  r->ordered = TRUE;
}

/* Ties keep the earliest reading, as the downsampling does. */
static void
rollup_add (Rollup *r,
            gint64  at,
            double  value)
{
  if (at <= r->last_at)
    r->ordered = FALSE;
  if (value < r->min || (value == r->min && at < r->min_at))
    {
      r->min = value;
      r->min_at = at;
    }
  if (value > r->max || (value == r->max && at < r->max_at))
    {
      r->max = value;
      r->max_at = at;
    }
  r->first_at = MIN (r->first_at, at);
  r->last_at = MAX (r->last_at, at);
  r->count++;
}

static void
rollup_merge (Rollup       *r,
              const Rollup *other)
{
  if (other->min < r->min || (other->min == r->min && other->min_at < r->min_at))
    {
      r->min = other->min;
      r->min_at = other->min_at;
    }
  if (other->max > r->max || (other->max == r->max && other->max_at < r->max_at))
    {
      r->max = other->max;
      r->max_at = other->max_at;
    }
  r->first_at = MIN (r->first_at, other->first_at);
  r->last_at = MAX (r->last_at, other->last_at);
  r->count += other->count;
}

static void
rollup_from_row (Rollup       *r,
                 sqlite3_stmt *stmt,
                 int           column)
{
  r->min = sqlite3_column_double (stmt, column);
  r->min_at = sqlite3_column_int64 (stmt, column + 1);
  r->max = sqlite3_column_double (stmt, column + 2);
  r->max_at = sqlite3_column_int64 (stmt, column + 3);
  r->count = sqlite3_column_int64 (stmt, column + 4);
  r->first_at = sqlite3_column_int64 (stmt, column + 5);
  r->last_at = sqlite3_column_int64 (stmt, column + 6);
}

static gboolean
rollup_write (IocdSqliteStore  *self,
              const Rollup     *r,
              GError          **error)
{
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                            "INSERT OR REPLACE INTO readings_hourly (station, hour, min, min_at, "
                                            "max, max_at, count, first_at, last_at) "
                                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, r->station, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, r->hour);
  sqlite3_bind_double (stmt, 3, r->min);
  sqlite3_bind_int64 (stmt, 4, r->min_at);
  sqlite3_bind_double (stmt, 5, r->max);
  sqlite3_bind_int64 (stmt, 6, r->max_at);
  sqlite3_bind_int64 (stmt, 7, r->count);
  sqlite3_bind_int64 (stmt, 8, r->first_at);
  sqlite3_bind_int64 (stmt, 9, r->last_at);
  return iocd_sqlite_step_done (self, stmt, error);
}

/* The hour's rollup from its stored readings, when the batch replaced some
 * or filled a gap inside the hour. */
static gboolean
rollup_recompute (IocdSqliteStore  *self,
                  const char       *station,
                  gint64            hour,
                  GError          **error)
{
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                            "SELECT at, value FROM readings WHERE station = ?1 "
                                            "AND at >= ?2 AND at < ?3 ORDER BY at", error);
  Rollup r = { 0 };
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, station, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, hour);
  sqlite3_bind_int64 (stmt, 3, hour + HOUR);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      IocdReading reading = { station, sqlite3_column_int64 (stmt, 0), sqlite3_column_double (stmt, 1) };

      if (r.count == 0)
        rollup_start (&r, &reading);
      else
        rollup_add (&r, reading.at, reading.value);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return iocd_sqlite_set_sqlite_error (self, error, "summarizing an hour of readings");

  /* The readings were just stored: the hour cannot be empty. */
  g_return_val_if_fail (r.count > 0, TRUE);
  return rollup_write (self, &r, error);
}

/* Folds one run of a batch (one station, one hour) into the hour's rollup:
 * one lookup and one write per hour touched, not per reading. */
static gboolean
rollup_flush (IocdSqliteStore  *self,
              Rollup           *run,
              GError          **error)
{
  sqlite3_stmt *stmt;
  Rollup stored = { 0 };
  int rc;

  if (!run->ordered)
    return rollup_recompute (self, run->station, run->hour, error);

  stmt = iocd_sqlite_prepare (self,
                              "SELECT min, min_at, max, max_at, count, first_at, last_at FROM readings_hourly "
                              "WHERE station = ?1 AND hour = ?2", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, run->station, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, run->hour);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    rollup_from_row (&stored, stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return iocd_sqlite_set_sqlite_error (self, error, "reading an hour's summary");

  if (rc == SQLITE_ROW)
    {
      /* Readings outside the stored ones' span replaced none of them; any
       * other may have replaced an extreme, so the hour is read again. */
      if (run->first_at <= stored.last_at && run->last_at >= stored.first_at)
        return rollup_recompute (self, run->station, run->hour, error);
      rollup_merge (run, &stored);
    }

  return rollup_write (self, run, error);
}

/* Readings per INSERT. Inside a transaction every statement keeps a
 * journal of the pages it changes, so that it can be undone alone: one row
 * per statement copied a 4 KiB page per reading. A statement of many rows
 * journals each page it touches once. */
#define ROWS_PER_INSERT 128

static char *
insert_sql (guint rows)
{
  GString *sql = g_string_new ("INSERT OR REPLACE INTO readings (station, at, value) VALUES (?, ?, ?)");

  for (guint i = 1; i < rows; i++)
    g_string_append (sql, ", (?, ?, ?)");
  return g_string_free (sql, FALSE);
}

static gboolean
insert_rows (IocdSqliteStore    *self,
             sqlite3_stmt       *stmt,
             const IocdReading  *readings,
             gsize               n,
             GError            **error)
{
  for (gsize i = 0; i < n; i++)
    {
      sqlite3_bind_text (stmt, 3 * i + 1, readings[i].station, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3 * i + 2, readings[i].at);
      sqlite3_bind_double (stmt, 3 * i + 3, readings[i].value);
    }
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "storing readings");
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
add_readings (IocdSensorStore    *store,
              const IocdReading  *readings,
              gsize               n,
              GError            **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  static char *many_sql = NULL;
  sqlite3_stmt *many;
  sqlite3_stmt *one;
  Rollup run = { 0 };
  gsize i = 0;

  if (n == 0)
    return TRUE;

  if (g_once_init_enter (&many_sql))
    g_once_init_leave (&many_sql, insert_sql (ROWS_PER_INSERT));

  /* In a batch, no savepoint: it would copy each page the readings change
   * to its journal, a temporary file past 64 KiB (most of the time an
   * ingest took); the batch's caller rolls back on failure (see the
   * interface). Alone, a write transaction of their own. */
  if (!self->in_batch && !iocd_sqlite_begin_write (self, error))
    return FALSE;

  /* Prepared once each (the store caches them by their text), rebound. In
   * one statement rows go in in order: a later one at a time replaces an
   * earlier, as one by one. */
  many = iocd_sqlite_prepare (self, many_sql, error);
  one = many ? iocd_sqlite_prepare (self, "INSERT OR REPLACE INTO readings (station, at, value) "
                                    "VALUES (?, ?, ?)", error) : NULL;
  if (one == NULL)
    goto fail;

  for (; i + ROWS_PER_INSERT <= n; i += ROWS_PER_INSERT)
    if (!insert_rows (self, many, readings + i, ROWS_PER_INSERT, error))
      goto fail;
  for (; i < n; i++)
    if (!insert_rows (self, one, readings + i, 1, error))
      goto fail;
  sqlite3_clear_bindings (many);
  sqlite3_clear_bindings (one);

  /* The rollups, folded per run of readings of one station in one hour (a
   * batch in time order is one run per hour): one lookup and one write per
   * hour, not per reading. */
  for (i = 0; i < n; i++)
    {
      const IocdReading *reading = &readings[i];

      if (i > 0 && run.hour == hour_of (reading->at) &&
          (run.station == reading->station || strcmp (run.station, reading->station) == 0))
        {
          rollup_add (&run, reading->at, reading->value);
          continue;
        }
      if (i > 0 && !rollup_flush (self, &run, error))
        goto fail;
      rollup_start (&run, reading);
    }

  if (!rollup_flush (self, &run, error) || (!self->in_batch && !iocd_sqlite_commit_write (self, error)))
    goto fail;

  return TRUE;

fail:
  if (!self->in_batch)
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

/* The lowest and highest point of one time bucket of a series. */
typedef struct {
  IocSeriesPoint lo;
  IocSeriesPoint hi;
  gboolean       any;
} Bucket;

/* Of equal values the earliest, whatever the order points come in. */
static void
bucket_add (Bucket *b,
            gint64  t,
            double  v)
{
  IocSeriesPoint p = { t, v };

  if (!b->any)
    {
      b->lo = b->hi = p;
      b->any = TRUE;
      return;
    }
  if (v < b->lo.v || (v == b->lo.v && t < b->lo.t))
    b->lo = p;
  if (v > b->hi.v || (v == b->hi.v && t < b->hi.t))
    b->hi = p;
}

/* Binds @stmt (readings of a station between two times) and steps it into
 * @out, or into @buckets over [@first, @last] when @out is NULL. */
static gboolean
step_raw (IocdSqliteStore   *self,
          sqlite3_stmt      *stmt,
          const char        *station,
          gint64             from,
          gint64             to,
          GArray            *out,
          Bucket            *buckets,
          guint              n_buckets,
          gint64             first,
          gint64             last,
          GError           **error)
{
  int rc;

  sqlite3_bind_text (stmt, 1, station, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      IocSeriesPoint p = { sqlite3_column_int64 (stmt, 0), sqlite3_column_double (stmt, 1) };

      if (out != NULL)
        g_array_append_val (out, p);
      else
        bucket_add (&buckets[ioc_series_bucket (p.t, first, last, n_buckets)], p.t, p.v);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return iocd_sqlite_set_sqlite_error (self, error, "reading a series");
  return TRUE;
}

/* One time bound of the readings in [@from, @to]: the first, or the last. */
static gboolean
series_bound (IocdSqliteStore  *self,
              const char       *sql,
              const char       *station,
              gint64            from,
              gint64            to,
              gint64           *at,
              gboolean         *found,
              GError          **error)
{
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, station, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  rc = sqlite3_step (stmt);
  *found = rc == SQLITE_ROW;
  if (*found)
    *at = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return iocd_sqlite_set_sqlite_error (self, error, "reading a series");
  return TRUE;
}

typedef struct {
  gint64 hour;
  Rollup r;
} HourRow;

/*
 * A long range reads the hourly rollups. The result is
 * ioc_series_downsample's over the readings themselves: the buckets run
 * from the first reading in the range to the last, and each keeps its
 * lowest and highest reading (the earliest of equal values). An hour whose
 * readings all lie in the range and in one bucket gives the bucket its
 * minimum and maximum, which is all the bucket needs from it. An hour cut
 * by the range gives its readings; so does an hour across a bucket's edge,
 * unless its range of values lies strictly inside what the buckets it
 * touches already hold, when none of its readings can be their minimum or
 * maximum, nor tie with one. A short range (at most ROLLUP_FACTOR readings
 * per point) reads the readings.
 */
static GArray *
series_read (IocdSqliteStore  *self,
             const char       *station,
             gint64            from,
             gint64            to,
             guint             max_points,
             guint            *count,
             GError          **error)
{
  g_autoptr(GArray) points = NULL;
  g_autoptr(GArray) hours = NULL;
  g_autoptr(GArray) across = NULL;
  g_autofree Bucket *buckets = NULL;
  guint n_buckets = max_points / 2;
  sqlite3_stmt *stmt;
  sqlite3_stmt *raw;
  gint64 first = 0, last = 0;
  gboolean found = FALSE;
  guint64 total = 0;
  int rc;

  g_return_val_if_fail (max_points >= 2, NULL);
  *count = 0;

  if (!series_bound (self, "SELECT at FROM readings WHERE station = ?1 AND at >= ?2 AND at <= ?3 "
                     "ORDER BY at LIMIT 1", station, from, to, &first, &found, error))
    return NULL;
  if (!found)
    return g_array_new (FALSE, FALSE, sizeof (IocSeriesPoint));
  if (!series_bound (self, "SELECT at FROM readings WHERE station = ?1 AND at >= ?2 AND at <= ?3 "
                     "ORDER BY at DESC LIMIT 1", station, from, to, &last, &found, error))
    return NULL;

  /* The hours from the first reading's to the last's. */
  hours = g_array_sized_new (FALSE, FALSE, sizeof (HourRow), (last - first) / HOUR + 2);
  stmt = iocd_sqlite_prepare (self,
                              "SELECT hour, min, min_at, max, max_at, count, first_at, last_at "
                              "FROM readings_hourly WHERE station = ?1 AND hour >= ?2 AND hour <= ?3 "
                              "ORDER BY hour", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, station, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, hour_of (first));
  sqlite3_bind_int64 (stmt, 3, hour_of (last));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HourRow row;

      row.hour = sqlite3_column_int64 (stmt, 0);
      rollup_from_row (&row.r, stmt, 1);
      g_array_append_val (hours, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "reading a series");
      return NULL;
    }

  raw = iocd_sqlite_prepare (self, "SELECT at, value FROM readings WHERE station = ?1 "
                             "AND at >= ?2 AND at <= ?3 ORDER BY at", error);
  if (raw == NULL)
    return NULL;

  /* How many readings the range holds: the whole hours' counts, and the
   * readings of the two hours the range may cut. */
  for (guint i = 0; i < hours->len; i++)
    {
      HourRow *row = &g_array_index (hours, HourRow, i);
      g_autoptr(GArray) cut = NULL;

      if (row->r.first_at >= from && row->r.last_at <= to)
        {
          total += row->r.count;
          continue;
        }
      cut = g_array_new (FALSE, FALSE, sizeof (IocSeriesPoint));
      if (!step_raw (self, raw, station, MAX (row->hour, from), MIN (row->hour + HOUR - 1, to), cut, NULL, 0,
                     0, 0, error))
        return NULL;
      total += cut->len;
    }
  *count = (guint) MIN (total, G_MAXUINT);

  if (total <= (guint64) max_points * ROLLUP_FACTOR)
    {
      points = g_array_sized_new (FALSE, FALSE, sizeof (IocSeriesPoint), total);
      if (!step_raw (self, raw, station, from, to, points, NULL, 0, 0, 0, error))
        return NULL;
      *count = points->len;
      if (points->len <= max_points)
        return g_steal_pointer (&points);
      return ioc_series_downsample ((IocSeriesPoint *) points->data, points->len, max_points);
    }

  /* The hours inside one bucket first; then the others, knowing what the
   * buckets hold. */
  buckets = g_new0 (Bucket, n_buckets);
  across = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < hours->len; i++)
    {
      const Rollup *r = &g_array_index (hours, HourRow, i).r;
      guint b;

      if (r->first_at >= from && r->last_at <= to &&
          (b = ioc_series_bucket (r->first_at, first, last, n_buckets)) ==
          ioc_series_bucket (r->last_at, first, last, n_buckets))
        {
          bucket_add (&buckets[b], r->min_at, r->min);
          bucket_add (&buckets[b], r->max_at, r->max);
        }
      else
        g_array_append_val (across, i);
    }

  for (guint k = 0; k < across->len; k++)
    {
      HourRow *row = &g_array_index (hours, HourRow, g_array_index (across, guint, k));
      const Rollup *r = &row->r;
      gboolean needed = !(r->first_at >= from && r->last_at <= to);

      /* Buckets only ever get lower minima and higher maxima: an hour not
       * needed now is not needed later either. */
      for (guint b = ioc_series_bucket (MAX (r->first_at, first), first, last, n_buckets);
           !needed && b <= ioc_series_bucket (MIN (r->last_at, last), first, last, n_buckets); b++)
        needed = !buckets[b].any || r->min <= buckets[b].lo.v || r->max >= buckets[b].hi.v;

      if (needed && !step_raw (self, raw, station, MAX (row->hour, from), MIN (row->hour + HOUR - 1, to), NULL,
                               buckets, n_buckets, first, last, error))
        return NULL;
    }

  points = g_array_sized_new (FALSE, FALSE, sizeof (IocSeriesPoint), 2 * n_buckets);
  for (guint b = 0; b < n_buckets; b++)
    {
      const Bucket *bucket = &buckets[b];

      if (!bucket->any)
        continue;
      if (bucket->lo.t == bucket->hi.t)
        g_array_append_val (points, bucket->lo);
      else if (bucket->lo.t < bucket->hi.t)
        {
          g_array_append_val (points, bucket->lo);
          g_array_append_val (points, bucket->hi);
        }
      else
        {
          g_array_append_val (points, bucket->hi);
          g_array_append_val (points, bucket->lo);
        }
    }

  return g_steal_pointer (&points);
}

/* Hundreds of statements: one read transaction, not one each (every one
 * would take and drop the WAL read lock), and one snapshot for them all. */
static GArray *
series (IocdSensorStore  *store,
        const char       *station,
        gint64            from,
        gint64            to,
        guint             max_points,
        guint            *count,
        GError          **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  gboolean own = sqlite3_get_autocommit (self->db);
  GArray *ret;

  if (own && !iocd_sqlite_exec (self, "BEGIN", error))
    return NULL;
  ret = series_read (self, station, from, to, max_points, count, error);
  if (own)
    iocd_sqlite_exec (self, "COMMIT", NULL);
  return ret;
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
  iface->series = series;
  iface->latest_readings = latest_readings;
  iface->set_alarm_state = set_alarm_state;
}
