/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-sqlite"

#include "config.h"

#include "iocd-sqlite-store-private.h"
#include "iocd-store.h"

#define INDICATOR_COLUMNS \
  "code, name_vi, name_en, domain, unit, frequency, department, direction, warning, alert, chart, description, " \
  "unit_en"

static GPtrArray *
list_indicators (IocdIndicatorStore  *store,
                 GError             **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "SELECT " INDICATOR_COLUMNS " FROM indicators ORDER BY code",
                                            error);
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_indicator_unref);

  if (stmt == NULL)
    return NULL;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      IocIndicator *ind = ioc_indicator_new ();

      ind->code = iocd_sqlite_column_dup (stmt, 0);
      ind->name_vi = iocd_sqlite_column_dup (stmt, 1);
      ind->name_en = iocd_sqlite_column_dup (stmt, 2);
      ind->domain = iocd_sqlite_column_dup (stmt, 3);
      ind->unit = iocd_sqlite_column_dup (stmt, 4);
      ind->frequency = ioc_frequency_from_string (iocd_sqlite_column_text (stmt, 5));
      if ((int) ind->frequency < 0)
        ind->frequency = IOC_FREQUENCY_MONTHLY;
      ind->department = iocd_sqlite_column_dup (stmt, 6);
      ind->direction = ioc_direction_from_string (iocd_sqlite_column_text (stmt, 7));
      if ((int) ind->direction < 0)
        ind->direction = IOC_DIRECTION_HIGHER_IS_BETTER;
      ind->has_warning = sqlite3_column_type (stmt, 8) != SQLITE_NULL;
      ind->warning = sqlite3_column_double (stmt, 8);
      ind->has_alert = sqlite3_column_type (stmt, 9) != SQLITE_NULL;
      ind->alert = sqlite3_column_double (stmt, 9);
      ind->chart = iocd_sqlite_column_dup (stmt, 10);
      ind->description = iocd_sqlite_column_dup (stmt, 11);
      ind->unit_en = iocd_sqlite_column_dup (stmt, 12);
      g_ptr_array_add (ret, ind);
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&ret);
}

static gboolean
save_indicator (IocdIndicatorStore  *store,
                IocIndicator        *ind,
                GError             **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                            "INSERT INTO indicators (" INDICATOR_COLUMNS ") "
                                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
                                            "ON CONFLICT (code) DO UPDATE SET name_vi = ?2, name_en = ?3, "
                                            "domain = ?4, unit = ?5, frequency = ?6, department = ?7, "
                                            "direction = ?8, warning = ?9, alert = ?10, chart = ?11, "
                                            "description = ?12, unit_en = ?13",
                                            error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, ind->code);
  iocd_sqlite_bind_text (stmt, 2, ind->name_vi);
  iocd_sqlite_bind_text (stmt, 3, ind->name_en);
  iocd_sqlite_bind_text (stmt, 4, ind->domain);
  iocd_sqlite_bind_text (stmt, 5, ind->unit);
  iocd_sqlite_bind_text (stmt, 6, ioc_frequency_to_string (ind->frequency));
  iocd_sqlite_bind_text (stmt, 7, ind->department);
  iocd_sqlite_bind_text (stmt, 8, ioc_direction_to_string (ind->direction));
  if (ind->has_warning)
    sqlite3_bind_double (stmt, 9, ind->warning);
  if (ind->has_alert)
    sqlite3_bind_double (stmt, 10, ind->alert);
  iocd_sqlite_bind_text (stmt, 11, ind->chart);
  iocd_sqlite_bind_text (stmt, 12, ind->description);
  iocd_sqlite_bind_text (stmt, 13, ind->unit_en);
  return iocd_sqlite_step_done (self, stmt, error);
}

static gboolean
save_observations (IocdIndicatorStore  *store,
                   GPtrArray           *observations,
                   const char          *event_departments,
                   JsonNode            *event_data,
                   gint64               at,
                   IocEvent           **event,
                   GError             **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autoptr(IocEvent) appended = NULL;
  sqlite3_stmt *stmt;

  if (!iocd_sqlite_begin_write (self, error))
    return FALSE;

  stmt = iocd_sqlite_prepare (self,
                              "INSERT INTO observations (indicator, area, period, value, submitted_by, submitted_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (indicator, area, period) DO UPDATE "
                              "SET value = ?4, submitted_by = ?5, submitted_at = ?6",
                              error);
  if (stmt == NULL)
    goto fail;

  for (guint i = 0; i < observations->len; i++)
    {
      IocObservation *obs = g_ptr_array_index (observations, i);

      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      iocd_sqlite_bind_text (stmt, 1, obs->indicator);
      iocd_sqlite_bind_text (stmt, 2, obs->area ? obs->area : "");
      sqlite3_bind_int64 (stmt, 3, obs->period);
      sqlite3_bind_double (stmt, 4, obs->value);
      iocd_sqlite_bind_time (stmt, 5, obs->submitted_by);
      sqlite3_bind_int64 (stmt, 6, obs->submitted_at);
      if (!iocd_sqlite_step_done (self, stmt, error))
        goto fail;
    }

  /* The event joins this transaction: an accepted submission and its
   * announcement are stored together or not at all. */
  if (event_data != NULL)
    {
      appended = iocd_store_commit_event (IOCD_STORE (self), IOC_EVENT_INDICATOR_OBSERVED, event_departments,
                                          event_data, at, error);
      if (appended == NULL)
        goto fail;
    }

  if (!iocd_sqlite_commit_write (self, error))
    goto fail;

  if (event != NULL)
    *event = g_steal_pointer (&appended);
  return TRUE;

fail:
  iocd_sqlite_rollback_write (self);
  return FALSE;
}

static IocObservation *
observation_from_row (sqlite3_stmt *stmt)
{
  IocObservation *obs = ioc_observation_new ();
  const char *area;

  obs->indicator = iocd_sqlite_column_dup (stmt, 0);
  area = iocd_sqlite_column_text (stmt, 1);
  obs->area = area && *area ? g_strdup (area) : NULL;
  obs->period = sqlite3_column_int64 (stmt, 2);
  obs->value = sqlite3_column_double (stmt, 3);
  obs->submitted_by = sqlite3_column_int64 (stmt, 4);
  obs->submitted_at = sqlite3_column_int64 (stmt, 5);
  return obs;
}

static GPtrArray *
latest_observations (IocdIndicatorStore  *store,
                     GError             **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_observation_unref);
  /* SQLite takes the other columns of a max() aggregate from the row that
   * holds the maximum. */
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                            "SELECT indicator, area, max (period), value, submitted_by, "
                                            "submitted_at FROM observations WHERE area = '' GROUP BY indicator",
                                            error);

  if (stmt == NULL)
    return NULL;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ret, observation_from_row (stmt));
  sqlite3_reset (stmt);

  return g_steal_pointer (&ret);
}

static GPtrArray *
list_observations (IocdIndicatorStore  *store,
                   const char          *indicator,
                   const char          *area,
                   gint64               from,
                   gint64               to,
                   GError             **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_observation_unref);
  sqlite3_stmt *stmt;

  if (area != NULL)
    stmt = iocd_sqlite_prepare (self,
                                "SELECT indicator, area, period, value, submitted_by, submitted_at "
                                "FROM observations WHERE indicator = ?1 AND area = ?2 AND period >= ?3 "
                                "AND period < ?4 ORDER BY period",
                                error);
  else
    stmt = iocd_sqlite_prepare (self,
                                "SELECT indicator, area, period, value, submitted_by, submitted_at "
                                "FROM observations WHERE indicator = ?1 AND period >= ?3 AND period < ?4 "
                                "ORDER BY area, period",
                                error);
  if (stmt == NULL)
    return NULL;

  iocd_sqlite_bind_text (stmt, 1, indicator);
  if (area != NULL)
    iocd_sqlite_bind_text (stmt, 2, area);
  sqlite3_bind_int64 (stmt, 3, from);
  sqlite3_bind_int64 (stmt, 4, to);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ret, observation_from_row (stmt));
  sqlite3_reset (stmt);

  return g_steal_pointer (&ret);
}

void
iocd_sqlite_indicator_store_iface_init (IocdIndicatorStoreInterface *iface)
{
  iface->list_indicators = list_indicators;
  iface->save_indicator = save_indicator;
  iface->save_observations = save_observations;
  iface->latest_observations = latest_observations;
  iface->list_observations = list_observations;
}
