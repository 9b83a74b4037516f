/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-sqlite"

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "iocd-sqlite-store-private.h"

static void store_iface_init (IocdStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IocdSqliteStore, iocd_sqlite_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IOCD_TYPE_STORE, store_iface_init)
                               G_IMPLEMENT_INTERFACE (IOCD_TYPE_APIKEY_STORE, iocd_sqlite_apikey_store_iface_init)
                               G_IMPLEMENT_INTERFACE (IOCD_TYPE_INDICATOR_STORE,
                                                      iocd_sqlite_indicator_store_iface_init)
                               G_IMPLEMENT_INTERFACE (IOCD_TYPE_SENSOR_STORE, iocd_sqlite_sensor_store_iface_init))

/*
 * Each entry moves the schema one version up, in its own write transaction.
 * Never edit an entry that has shipped: add another.
 */
static const char * const migrations[] = {
  /* 1 */
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL);"
  "CREATE TABLE departments ("
  "  code TEXT PRIMARY KEY,"
  "  name_vi TEXT NOT NULL,"
  "  name_en TEXT);"
  "CREATE TABLE categories ("
  "  code TEXT PRIMARY KEY,"
  "  name_vi TEXT NOT NULL,"
  "  name_en TEXT,"
  "  department TEXT REFERENCES departments (code),"
  "  sla_hours INTEGER NOT NULL,"
  "  priority TEXT NOT NULL);"
  "CREATE TABLE communes ("
  "  code TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  kind TEXT,"
  "  former_districts TEXT);"
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  username TEXT NOT NULL UNIQUE,"
  "  display_name TEXT,"
  "  role TEXT NOT NULL,"
  "  department TEXT REFERENCES departments (code),"
  "  password_hash TEXT NOT NULL,"
  "  disabled INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE sessions ("
  "  token_hash TEXT PRIMARY KEY,"
  "  user_id INTEGER NOT NULL REFERENCES users (id),"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  revoked_at INTEGER);"
  "CREATE TABLE login_failures ("
  "  username TEXT NOT NULL,"
  "  at INTEGER NOT NULL);"
  "CREATE INDEX login_failures_by_user ON login_failures (username, at);"
  "CREATE TABLE tasks ("
  "  id INTEGER PRIMARY KEY,"
  "  version INTEGER NOT NULL,"
  "  source TEXT NOT NULL,"
  "  category TEXT NOT NULL REFERENCES categories (code),"
  "  title TEXT NOT NULL,"
  "  description TEXT,"
  "  lat REAL,"
  "  lon REAL,"
  "  address TEXT,"
  "  commune TEXT REFERENCES communes (code),"
  "  media TEXT,"
  "  reporter_name TEXT,"
  "  reporter_phone TEXT,"
  "  reporter_email TEXT,"
  "  priority TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  department TEXT REFERENCES departments (code),"
  "  due_at INTEGER,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  duplicate_of INTEGER REFERENCES tasks (id),"
  "  rating INTEGER,"
  "  result TEXT,"
  "  search TEXT NOT NULL DEFAULT '');"
  "CREATE INDEX tasks_by_state ON tasks (state, id);"
  "CREATE INDEX tasks_by_department ON tasks (department, state, id);"
  "CREATE INDEX tasks_by_category ON tasks (category, id);"
  "CREATE INDEX tasks_by_commune ON tasks (commune, id);"
  "CREATE INDEX tasks_by_updated ON tasks (updated_at, id);"
  "CREATE INDEX tasks_by_due ON tasks (due_at) WHERE due_at IS NOT NULL;"
  "CREATE INDEX tasks_by_lat ON tasks (lat, lon) WHERE lat IS NOT NULL;"
  "CREATE TABLE task_departments ("
  "  department TEXT NOT NULL,"
  "  task_id INTEGER NOT NULL REFERENCES tasks (id),"
  "  PRIMARY KEY (department, task_id)) WITHOUT ROWID;"
  "CREATE TABLE timeline ("
  "  id INTEGER PRIMARY KEY,"
  "  task_id INTEGER NOT NULL REFERENCES tasks (id),"
  "  at INTEGER NOT NULL,"
  "  actor_id INTEGER,"
  "  actor_name TEXT,"
  "  actor_role TEXT,"
  "  action TEXT NOT NULL,"
  "  from_state TEXT,"
  "  to_state TEXT,"
  "  note TEXT,"
  "  department TEXT,"
  "  due_at INTEGER,"
  "  duplicate_of INTEGER,"
  "  rating INTEGER);"
  "CREATE INDEX timeline_by_task ON timeline (task_id, id);"
  "CREATE TABLE events ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  at INTEGER NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  task_id INTEGER,"
  "  departments TEXT NOT NULL DEFAULT ',',"
  "  payload TEXT NOT NULL);"
  "CREATE TABLE idempotency ("
  "  user_id INTEGER NOT NULL,"
  "  key TEXT NOT NULL,"
  "  request_hash TEXT NOT NULL,"
  "  status INTEGER NOT NULL,"
  "  body TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  PRIMARY KEY (user_id, key));",

  /* 2: feeds besides operator intake (Open311, indicators, sensors) */
  "ALTER TABLE categories ADD COLUMN attributes TEXT;"
  "ALTER TABLE tasks ADD COLUMN attributes TEXT;"
  "ALTER TABLE tasks ADD COLUMN client TEXT;"
  "CREATE INDEX tasks_by_created ON tasks (created_at, id);"
  "CREATE TABLE api_keys ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  key_hash TEXT NOT NULL UNIQUE,"
  "  scopes TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  revoked_at INTEGER);"
  "CREATE TABLE indicators ("
  "  code TEXT PRIMARY KEY,"
  "  name_vi TEXT NOT NULL,"
  "  name_en TEXT,"
  "  domain TEXT NOT NULL,"
  "  unit TEXT,"
  "  frequency TEXT NOT NULL,"
  "  department TEXT REFERENCES departments (code),"
  "  direction TEXT NOT NULL,"
  "  warning REAL,"
  "  alert REAL,"
  "  chart TEXT,"
  "  description TEXT);"
  "CREATE TABLE observations ("
  "  indicator TEXT NOT NULL REFERENCES indicators (code),"
  "  area TEXT NOT NULL DEFAULT '',"
  "  period INTEGER NOT NULL,"
  "  value REAL NOT NULL,"
  "  submitted_by INTEGER,"
  "  submitted_at INTEGER NOT NULL,"
  "  PRIMARY KEY (indicator, area, period)) WITHOUT ROWID;"
  "CREATE TABLE stations ("
  "  code TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  lat REAL,"
  "  lon REAL,"
  "  unit TEXT NOT NULL,"
  "  level1 REAL,"
  "  level2 REAL,"
  "  level3 REAL,"
  "  commune TEXT,"
  "  note TEXT,"
  "  alarm_level INTEGER NOT NULL DEFAULT 0,"
  "  alarm_task INTEGER REFERENCES tasks (id));"
  "CREATE TABLE readings ("
  "  station TEXT NOT NULL REFERENCES stations (code),"
  "  at INTEGER NOT NULL,"
  "  value REAL NOT NULL,"
  "  PRIMARY KEY (station, at)) WITHOUT ROWID;",

  /* 3: every change reads the departments that ever held its task */
  "CREATE INDEX task_departments_by_task ON task_departments (task_id, department);",

  /* 4: hourly rollups of the readings (iocd-sqlite-sensors.c keeps them in
   * the transaction that stores the readings), so that a year's series
   * reads 8,760 rows, not 105,120. min_at and max_at are the earliest
   * readings with the hour's extreme values; first_at and last_at bound the
   * hour's readings; hour is the start of the hour, floored also before
   * 1970 (a local time on the first day of 1970 can be). Derived data:
   * built here from what is stored. */
  "CREATE TABLE readings_hourly ("
  "  station TEXT NOT NULL,"
  "  hour INTEGER NOT NULL,"
  "  min REAL NOT NULL,"
  "  min_at INTEGER NOT NULL,"
  "  max REAL NOT NULL,"
  "  max_at INTEGER NOT NULL,"
  "  count INTEGER NOT NULL,"
  "  first_at INTEGER NOT NULL,"
  "  last_at INTEGER NOT NULL,"
  "  PRIMARY KEY (station, hour)) WITHOUT ROWID;"
  "INSERT INTO readings_hourly (station, hour, min, min_at, max, max_at, count, first_at, last_at) "
  "SELECT g.station, g.hour, g.lo, "
  "  (SELECT r.at FROM readings r WHERE r.station = g.station AND r.at >= g.hour "
  "   AND r.at < g.hour + 3600000000 AND r.value = g.lo ORDER BY r.at LIMIT 1), "
  "  g.hi, "
  "  (SELECT r.at FROM readings r WHERE r.station = g.station AND r.at >= g.hour "
  "   AND r.at < g.hour + 3600000000 AND r.value = g.hi ORDER BY r.at LIMIT 1), "
  "  g.n, g.first_at, g.last_at "
  "FROM (SELECT station, at - ((at % 3600000000) + 3600000000) % 3600000000 AS hour, "
  "      min (value) AS lo, max (value) AS hi, count (*) AS n, min (at) AS first_at, max (at) AS last_at "
  "      FROM readings GROUP BY 1, 2) AS g;",

  /* 5: indexes for the task list's text and map filters. q words of 3
   * characters or more are looked up by trigram in tasks_fts (an index of
   * tasks.search, which holds no copy of it) instead of LIKE over every row;
   * bbox reads tasks_rtree (32-bit floats, rounded outwards: the list still
   * checks the exact lat and lon) instead of a whole band of latitude.
   * Triggers keep both in every transaction that writes a task; the search
   * text is rewritten with every change, so the FTS trigger skips it when
   * unchanged. Derived data: built here from what is stored. */
  "CREATE VIRTUAL TABLE tasks_fts USING fts5 (search, content='tasks', content_rowid='id', tokenize='trigram');"
  "INSERT INTO tasks_fts (tasks_fts) VALUES ('rebuild');"
  "CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN "
  "  INSERT INTO tasks_fts (rowid, search) VALUES (new.id, new.search); "
  "END;"
  "CREATE TRIGGER tasks_fts_update AFTER UPDATE OF search ON tasks WHEN old.search IS NOT new.search BEGIN "
  "  INSERT INTO tasks_fts (tasks_fts, rowid, search) VALUES ('delete', old.id, old.search); "
  "  INSERT INTO tasks_fts (rowid, search) VALUES (new.id, new.search); "
  "END;"
  "CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN "
  "  INSERT INTO tasks_fts (tasks_fts, rowid, search) VALUES ('delete', old.id, old.search); "
  "END;"
  "CREATE VIRTUAL TABLE tasks_rtree USING rtree (id, min_lat, max_lat, min_lon, max_lon);"
  "INSERT INTO tasks_rtree (id, min_lat, max_lat, min_lon, max_lon) "
  "  SELECT id, lat, lat, lon, lon FROM tasks WHERE lat IS NOT NULL AND lon IS NOT NULL;"
  "CREATE TRIGGER tasks_rtree_insert AFTER INSERT ON tasks "
  "  WHEN new.lat IS NOT NULL AND new.lon IS NOT NULL BEGIN "
  "  INSERT INTO tasks_rtree (id, min_lat, max_lat, min_lon, max_lon) "
  "    VALUES (new.id, new.lat, new.lat, new.lon, new.lon); "
  "END;"
  "CREATE TRIGGER tasks_rtree_update AFTER UPDATE OF lat, lon ON tasks "
  "  WHEN old.lat IS NOT new.lat OR old.lon IS NOT new.lon BEGIN "
  "  DELETE FROM tasks_rtree WHERE id = old.id; "
  "  INSERT INTO tasks_rtree (id, min_lat, max_lat, min_lon, max_lon) "
  "    SELECT new.id, new.lat, new.lat, new.lon, new.lon WHERE new.lat IS NOT NULL AND new.lon IS NOT NULL; "
  "END;"
  "CREATE TRIGGER tasks_rtree_delete AFTER DELETE ON tasks BEGIN "
  "  DELETE FROM tasks_rtree WHERE id = old.id; "
  "END;",

  /* 6: the supervisor overview (GET /overview). handling_times holds, for
   * every acknowledge and resolve entry of the timeline, the department of
   * the task's latest forward before it and the time since that forward:
   * do_commit_change() adds a row in the transaction of the entry. Keyed by
   * department, action and time, so that a department's entries of the
   * last 30 days are one range of the table, where finding each entry's
   * forward again would cost three lookups per entry (a second for the
   * 75,000 entries of a month on 100,000 tasks). tasks_open_by_department
   * counts the overdue tasks of each department without reading the task
   * rows. Derived data: built here from what is stored. */
  "CREATE TABLE handling_times ("
  "  department TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  entry_id INTEGER NOT NULL,"
  "  duration INTEGER NOT NULL,"
  "  PRIMARY KEY (department, action, at, entry_id)) WITHOUT ROWID;"
  "INSERT INTO handling_times (department, action, at, entry_id, duration) "
  "  SELECT f.department, a.action, a.at, a.id, a.at - f.at FROM timeline a "
  "  JOIN timeline f ON f.id = (SELECT p.id FROM timeline p WHERE p.task_id = a.task_id AND p.id < a.id "
  "                             AND p.action = 'forward' ORDER BY p.id DESC LIMIT 1) "
  "  WHERE a.action IN ('acknowledge', 'resolve') AND f.department IS NOT NULL;"
  "CREATE INDEX tasks_open_by_department ON tasks (department, due_at) "
  "  WHERE state IN ('forwarded', 'acknowledged', 'in_progress');",

  /* 7: an indicator's unit in English beside the city's language, as its
   * name has (unit holds the Vietnamese one). */
  "ALTER TABLE indicators ADD COLUMN unit_en TEXT;",
};

#define TASK_COLUMNS \
  "id, version, source, category, title, description, lat, lon, address, commune, media, " \
  "reporter_name, reporter_phone, reporter_email, priority, state, department, due_at, " \
  "created_at, updated_at, duplicate_of, rating, result, attributes, client"

gboolean
iocd_sqlite_set_sqlite_error (IocdSqliteStore  *self,
                              GError          **error,
                              const char       *what)
{
  int code = sqlite3_extended_errcode (self->db);

  /* A busy database is a passing condition the client may retry. */
  g_set_error (error, IOC_ERROR,
               (code & 0xff) == SQLITE_BUSY ? IOC_ERROR_UNAVAILABLE : IOC_ERROR_INTERNAL,
               "%s: %s", what, sqlite3_errmsg (self->db));
  return FALSE;
}

sqlite3_stmt *
iocd_sqlite_prepare (IocdSqliteStore  *self,
                     const char       *sql,
                     GError          **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      iocd_sqlite_set_sqlite_error (self, error, "preparing a statement");
      return NULL;
    }

  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

gboolean
iocd_sqlite_exec (IocdSqliteStore  *self,
                  const char       *sql,
                  GError          **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INTERNAL, "%s", message ? message : "sqlite error");
      sqlite3_free (message);
      return FALSE;
    }

  return TRUE;
}

gboolean
iocd_sqlite_step_done (IocdSqliteStore  *self,
                       sqlite3_stmt     *stmt,
                       GError          **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return iocd_sqlite_set_sqlite_error (self, error, "writing");

  return TRUE;
}

void
iocd_sqlite_bind_text (sqlite3_stmt *stmt,
                       int           index,
                       const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

void
iocd_sqlite_bind_time (sqlite3_stmt *stmt,
                       int           index,
                       gint64        value)
{
  if (value == 0)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, value);
}

char *
iocd_sqlite_column_dup (sqlite3_stmt *stmt,
                        int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text ? g_strdup ((const char *) text) : NULL;
}

const char *
iocd_sqlite_column_text (sqlite3_stmt *stmt,
                         int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* Runs a statement without parameters, prepared once: every change begins
 * and ends with one. */
static gboolean
exec_prepared (IocdSqliteStore  *self,
               const char       *sql,
               GError          **error)
{
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return iocd_sqlite_set_sqlite_error (self, error, sql);

  return TRUE;
}

/* Write transactions always take the lock up front: a deferred one that
 * later writes fails at once with SQLITE_BUSY_SNAPSHOT under WAL. */
gboolean
iocd_sqlite_begin_write (IocdSqliteStore  *self,
                         GError          **error)
{
  return exec_prepared (self, self->in_batch ? "SAVEPOINT change" : "BEGIN IMMEDIATE", error);
}

gboolean
iocd_sqlite_commit_write (IocdSqliteStore  *self,
                          GError          **error)
{
  return exec_prepared (self, self->in_batch ? "RELEASE change" : "COMMIT", error);
}

void
iocd_sqlite_rollback_write (IocdSqliteStore *self)
{
  iocd_sqlite_exec (self, self->in_batch ? "ROLLBACK TO change; RELEASE change" : "ROLLBACK", NULL);
}

static gboolean
migrate (IocdSqliteStore  *self,
         GError          **error)
{
  sqlite3_stmt *stmt;
  int version;

  if (!iocd_sqlite_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    {
      iocd_sqlite_rollback_write (self);
      return iocd_sqlite_set_sqlite_error (self, error, "reading the schema version");
    }
  sqlite3_step (stmt);
  version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      iocd_sqlite_rollback_write (self);
      g_set_error (error, IOC_ERROR, IOC_ERROR_INTERNAL,
                   "the database is of schema version %d, newer than this iocd knows (%d)",
                   version, (int) G_N_ELEMENTS (migrations));
      return FALSE;
    }

  for (int v = version; v < (int) G_N_ELEMENTS (migrations); v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      g_debug ("Migrating the schema to version %d", v + 1);
      if (!iocd_sqlite_exec (self, migrations[v], error) || !iocd_sqlite_exec (self, bump, error))
        {
          iocd_sqlite_rollback_write (self);
          g_prefix_error (error, "migrating to schema version %d: ", v + 1);
          return FALSE;
        }
    }

  return iocd_sqlite_exec (self, "COMMIT", error);
}

/* WAL checkpoints
 *
 * A checkpoint copies the WAL back into the database and syncs both files:
 * on the main loop that held every request behind it.  A thread of its own,
 * with its own connection, does it instead: every second when something was
 * written, and at once when the WAL reaches SQLite's usual threshold.  It is
 * PASSIVE, so it never waits for or blocks the main connection's writes; a
 * writer starts the WAL from the beginning again once it is all copied back,
 * so the WAL does not grow without bound. */
#define CHECKPOINT_INTERVAL_S 1
#define CHECKPOINT_WAL_PAGES 1000

typedef struct _IocdSqliteCheckpointer
{
  GThread  *thread;
  GMutex    mutex;
  GCond     cond;
  sqlite3  *db;
  gboolean  written;    /* since the last checkpoint */
  gboolean  urgent;     /* the WAL is past CHECKPOINT_WAL_PAGES */
  gboolean  stopping;
} IocdSqliteCheckpointer;

static gpointer
checkpointer_thread (gpointer data)
{
  IocdSqliteCheckpointer *cp = data;

  g_mutex_lock (&cp->mutex);
  while (!cp->stopping)
    {
      gint64 until = g_get_monotonic_time () + CHECKPOINT_INTERVAL_S * G_USEC_PER_SEC;
      int rc;

      while (!cp->stopping && !cp->urgent && g_cond_wait_until (&cp->cond, &cp->mutex, until))
        ;
      if (cp->stopping)
        break;
      if (!cp->written)
        continue;

      cp->written = FALSE;
      cp->urgent = FALSE;
      g_mutex_unlock (&cp->mutex);

      rc = sqlite3_wal_checkpoint_v2 (cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      /* Busy only means another checkpoint is running: the next one catches up. */
      if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        g_warning ("WAL checkpoint failed: %s", sqlite3_errmsg (cp->db));

      g_mutex_lock (&cp->mutex);
    }
  g_mutex_unlock (&cp->mutex);

  return NULL;
}

/* Called by SQLite on the main connection after each commit. */
static int
checkpointer_wal_hook (void       *data,
                       sqlite3    *db,
                       const char *schema,
                       int         n_pages)
{
  IocdSqliteCheckpointer *cp = data;

  g_mutex_lock (&cp->mutex);
  cp->written = TRUE;
  if (n_pages >= CHECKPOINT_WAL_PAGES && !cp->urgent)
    {
      cp->urgent = TRUE;
      g_cond_signal (&cp->cond);
    }
  g_mutex_unlock (&cp->mutex);

  return SQLITE_OK;
}

static void
checkpointer_free (IocdSqliteCheckpointer *cp)
{
  if (cp->thread != NULL)
    {
      g_mutex_lock (&cp->mutex);
      cp->stopping = TRUE;
      g_cond_signal (&cp->cond);
      g_mutex_unlock (&cp->mutex);
      g_thread_join (cp->thread);
    }
  if (cp->db != NULL)
    sqlite3_close (cp->db);
  g_mutex_clear (&cp->mutex);
  g_cond_clear (&cp->cond);
  g_free (cp);
}

static gboolean
start_checkpointer (IocdSqliteStore  *self,
                    GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  IocdSqliteCheckpointer *cp;
  sqlite3_stmt *stmt;
  gboolean wal;

  stmt = iocd_sqlite_prepare (self, "PRAGMA journal_mode", error);
  if (stmt == NULL)
    return FALSE;
  wal = sqlite3_step (stmt) == SQLITE_ROW && g_strcmp0 (iocd_sqlite_column_text (stmt, 0), "wal") == 0;
  sqlite3_reset (stmt);
  /* An in-memory database has no WAL: SQLite's own handling is all it needs. */
  if (!wal)
    return TRUE;

  cp = g_new0 (IocdSqliteCheckpointer, 1);
  g_mutex_init (&cp->mutex);
  g_cond_init (&cp->cond);
  self->checkpointer = cp;

  if (sqlite3_open_v2 (self->path, &cp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INTERNAL, "cannot open the database “%s” for checkpoints: %s",
                   self->path, cp->db ? sqlite3_errmsg (cp->db) : "out of memory");
      return FALSE;
    }
  sqlite3_extended_result_codes (cp->db, TRUE);
  /* A connection learns that the database is in WAL mode when it first
   * reads it; until then sqlite3_wal_checkpoint_v2() does nothing and
   * reports success, and the WAL grows without bound. */
  if (sqlite3_exec (cp->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INTERNAL, "cannot read the database “%s” for checkpoints: %s",
                   self->path, sqlite3_errmsg (cp->db));
      return FALSE;
    }

  cp->thread = g_thread_try_new ("iocd-checkpoint", checkpointer_thread, cp, &local_error);
  if (cp->thread == NULL)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INTERNAL, "cannot start the checkpoint thread: %s",
                   local_error->message);
      return FALSE;
    }

  /* The hook takes the place of SQLite's automatic checkpoints, which the
   * pragma turns off explicitly as well. */
  if (!iocd_sqlite_exec (self, "PRAGMA wal_autocheckpoint = 0", error))
    return FALSE;
  sqlite3_wal_hook (self->db, checkpointer_wal_hook, cp);

  return TRUE;
}

/* Opens @self->path on @self->db with the settings every connection of
 * iocd's has. */
static gboolean
open_connection (IocdSqliteStore  *self,
                 GError          **error)
{
  if (sqlite3_open_v2 (self->path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INTERNAL, "cannot open the database “%s”: %s",
                   self->path, self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, 5000);

  /* WAL with synchronous=NORMAL: a commit survives a crash of iocd; only a
   * power cut can lose the last transactions, never corrupt the file.
   * Statement journals and savepoints stay in memory rather than spill
   * into temporary files; 32 MiB of page cache hold the indexes a task
   * change touches on 100,000 tasks. */
  return iocd_sqlite_exec (self, "PRAGMA journal_mode = WAL", error) &&
         iocd_sqlite_exec (self, "PRAGMA synchronous = NORMAL", error) &&
         iocd_sqlite_exec (self, "PRAGMA foreign_keys = ON", error) &&
         iocd_sqlite_exec (self, "PRAGMA temp_store = MEMORY", error) &&
         iocd_sqlite_exec (self, "PRAGMA cache_size = -32768", error);
}

IocdStore *
iocd_sqlite_store_open (const char  *path,
                        GError     **error)
{
  g_autoptr(IocdSqliteStore) self = NULL;
  static gsize configured = 0;

  /* Before SQLite initialises. Its allocation statistics, which iocd never
   * reads, would take a mutex around every allocation. (Raising the
   * statement journal's spill size, SQLITE_CONFIG_STMTJRNL_SPILL, made a
   * savepoint that spilled past it fail on SQLite 3.40 — every intake
   * failed once the full-text index needed a merge on 100,000 tasks — so
   * the default stays.) */
  if (g_once_init_enter (&configured))
    {
      sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
      g_once_init_leave (&configured, 1);
    }

  self = g_object_new (IOCD_TYPE_SQLITE_STORE, NULL);
  self->path = g_strdup (path);
  if (!open_connection (self, error) ||
      !migrate (self, error) ||
      !start_checkpointer (self, error))
    return NULL;

  return IOCD_STORE (g_steal_pointer (&self));
}

/* A second connection, for the group commit's thread. Its writes wake the
 * same checkpointer. An in-memory database cannot be opened twice. */
static IocdStore *
open_writer (IocdStore  *store,
             GError    **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autoptr(IocdSqliteStore) writer = NULL;

  if (self->checkpointer == NULL)
    return NULL;

  writer = g_object_new (IOCD_TYPE_SQLITE_STORE, NULL);
  writer->path = g_strdup (self->path);
  writer->main = g_object_ref (self);
  if (!open_connection (writer, error) ||
      !iocd_sqlite_exec (writer, "PRAGMA wal_autocheckpoint = 0", error))
    return NULL;
  sqlite3_wal_hook (writer->db, checkpointer_wal_hook, self->checkpointer);

  return IOCD_STORE (g_steal_pointer (&writer));
}

static void
iocd_sqlite_store_finalize (GObject *object)
{
  IocdSqliteStore *self = (IocdSqliteStore *) object;

  /* Stopped first: the main connection's close makes the last checkpoint. */
  if (self->db != NULL)
    sqlite3_wal_hook (self->db, NULL, NULL);
  g_clear_pointer (&self->checkpointer, checkpointer_free);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_free (self->path);
  /* A writer's connection is closed before the main one and its checkpointer. */
  g_clear_object (&self->main);

  G_OBJECT_CLASS (iocd_sqlite_store_parent_class)->finalize (object);
}

static void
iocd_sqlite_store_class_init (IocdSqliteStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = iocd_sqlite_store_finalize;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

/* Statement texts are a few hundred bytes, looked up a dozen times per
 * change: hashing their length and ends tells them apart as well as
 * hashing all of them (g_str_equal() still compares the whole text). */
static guint
statement_hash (gconstpointer key)
{
  const char *sql = key;
  gsize len = strlen (sql);
  guint32 h = 5381 + len;

  for (gsize i = 0; i < MIN (len, 48); i++)
    h = h * 33 + (guchar) sql[i];
  for (gsize i = len > 48 ? MAX (48, len - 48) : len; i < len; i++)
    h = h * 33 + (guchar) sql[i];

  return h;
}

static void
iocd_sqlite_store_init (IocdSqliteStore *self)
{
  self->statements = g_hash_table_new_full (statement_hash, g_str_equal, g_free, finalize_statement);
}

/* Reference data */

static GPtrArray *
list_departments (IocdStore  *store,
                  GError    **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "SELECT code, name_vi, name_en FROM departments ORDER BY code", error);
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_department_unref);

  if (stmt == NULL)
    return NULL;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      IocDepartment *d = ioc_department_new ();

      d->code = iocd_sqlite_column_dup (stmt, 0);
      d->name_vi = iocd_sqlite_column_dup (stmt, 1);
      d->name_en = iocd_sqlite_column_dup (stmt, 2);
      g_ptr_array_add (ret, d);
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&ret);
}

static gboolean
save_department (IocdStore      *store,
                 IocDepartment  *department,
                 GError        **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "INSERT INTO departments (code, name_vi, name_en) VALUES (?1, ?2, ?3) "
                                "ON CONFLICT (code) DO UPDATE SET name_vi = ?2, name_en = ?3", error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, department->code);
  iocd_sqlite_bind_text (stmt, 2, department->name_vi);
  iocd_sqlite_bind_text (stmt, 3, department->name_en);
  return iocd_sqlite_step_done (self, stmt, error);
}

static GPtrArray *
list_categories (IocdStore  *store,
                 GError    **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "SELECT code, name_vi, name_en, department, sla_hours, priority, attributes "
                                "FROM categories ORDER BY code", error);
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_category_unref);

  if (stmt == NULL)
    return NULL;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      IocCategory *c = ioc_category_new ();

      c->code = iocd_sqlite_column_dup (stmt, 0);
      c->name_vi = iocd_sqlite_column_dup (stmt, 1);
      c->name_en = iocd_sqlite_column_dup (stmt, 2);
      c->department = iocd_sqlite_column_dup (stmt, 3);
      c->sla_hours = sqlite3_column_int64 (stmt, 4);
      c->priority = ioc_priority_from_string (iocd_sqlite_column_text (stmt, 5));
      if ((int) c->priority < 0)
        c->priority = IOC_PRIORITY_NORMAL;
      c->attributes = iocd_sqlite_column_dup (stmt, 6);
      g_ptr_array_add (ret, c);
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&ret);
}

static gboolean
save_category (IocdStore    *store,
               IocCategory  *category,
               GError      **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "INSERT INTO categories (code, name_vi, name_en, department, sla_hours, priority, attributes) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (code) DO UPDATE SET "
                                "name_vi = ?2, name_en = ?3, department = ?4, sla_hours = ?5, priority = ?6, "
                                "attributes = ?7",
                                error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, category->code);
  iocd_sqlite_bind_text (stmt, 2, category->name_vi);
  iocd_sqlite_bind_text (stmt, 3, category->name_en);
  iocd_sqlite_bind_text (stmt, 4, category->department);
  sqlite3_bind_int64 (stmt, 5, category->sla_hours);
  iocd_sqlite_bind_text (stmt, 6, ioc_priority_to_string (category->priority));
  iocd_sqlite_bind_text (stmt, 7, category->attributes);
  return iocd_sqlite_step_done (self, stmt, error);
}

static GPtrArray *
list_communes (IocdStore  *store,
               GError    **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "SELECT code, name, kind, former_districts FROM communes ORDER BY code",
                                error);
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_commune_unref);

  if (stmt == NULL)
    return NULL;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      IocCommune *c = ioc_commune_new ();

      c->code = iocd_sqlite_column_dup (stmt, 0);
      c->name = iocd_sqlite_column_dup (stmt, 1);
      c->kind = iocd_sqlite_column_dup (stmt, 2);
      c->former_districts = iocd_sqlite_column_dup (stmt, 3);
      g_ptr_array_add (ret, c);
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&ret);
}

static gboolean
save_commune (IocdStore   *store,
              IocCommune  *commune,
              GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "INSERT INTO communes (code, name, kind, former_districts) VALUES (?1, ?2, ?3, ?4) "
                                "ON CONFLICT (code) DO UPDATE SET name = ?2, kind = ?3, former_districts = ?4",
                                error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, commune->code);
  iocd_sqlite_bind_text (stmt, 2, commune->name);
  iocd_sqlite_bind_text (stmt, 3, commune->kind);
  iocd_sqlite_bind_text (stmt, 4, commune->former_districts);
  return iocd_sqlite_step_done (self, stmt, error);
}

/* Users and sessions */

#define USER_COLUMNS "id, username, display_name, role, department, disabled"

static IocUser *
user_from_row (sqlite3_stmt *stmt)
{
  IocUser *user = ioc_user_new ();

  user->id = sqlite3_column_int64 (stmt, 0);
  user->username = iocd_sqlite_column_dup (stmt, 1);
  user->display_name = iocd_sqlite_column_dup (stmt, 2);
  user->role = ioc_role_from_string (iocd_sqlite_column_text (stmt, 3));
  user->department = iocd_sqlite_column_dup (stmt, 4);
  user->disabled = sqlite3_column_int (stmt, 5) != 0;
  return user;
}

static gint64
create_user (IocdStore   *store,
             IocUser     *user,
             const char  *password_hash,
             GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "INSERT INTO users (username, display_name, role, department, password_hash) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)", error);
  int rc;

  if (stmt == NULL)
    return 0;

  iocd_sqlite_bind_text (stmt, 1, user->username);
  iocd_sqlite_bind_text (stmt, 2, user->display_name);
  iocd_sqlite_bind_text (stmt, 3, ioc_role_to_string (user->role));
  iocd_sqlite_bind_text (stmt, 4, user->department);
  iocd_sqlite_bind_text (stmt, 5, password_hash);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      ioc_set_field_error (error, "username", "“%s” exists already", user->username);
      return 0;
    }
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      ioc_set_field_error (error, "department", "unknown department “%s”", user->department);
      return 0;
    }
  if (rc != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "adding a user");
      return 0;
    }

  user->id = sqlite3_last_insert_rowid (self->db);
  return user->id;
}

static gboolean
set_password (IocdStore   *store,
              const char  *username,
              const char  *password_hash,
              GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "UPDATE users SET password_hash = ?2 WHERE username = ?1", error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, username);
  iocd_sqlite_bind_text (stmt, 2, password_hash);
  if (!iocd_sqlite_step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_NOT_FOUND, "no user “%s”", username);
      return FALSE;
    }

  /* A new password ends every open session of that user. */
  stmt = iocd_sqlite_prepare (self,
                  "UPDATE sessions SET revoked_at = ?2 WHERE revoked_at IS NULL AND "
                  "user_id = (SELECT id FROM users WHERE username = ?1)", error);
  if (stmt == NULL)
    return FALSE;
  iocd_sqlite_bind_text (stmt, 1, username);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  return iocd_sqlite_step_done (self, stmt, error);
}

static IocUser *
find_user (IocdStore   *store,
           const char  *username,
           char       **password_hash,
           GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "SELECT " USER_COLUMNS ", password_hash FROM users WHERE username = ?1",
                                error);
  IocUser *user = NULL;

  if (stmt == NULL)
    return NULL;

  iocd_sqlite_bind_text (stmt, 1, username);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      user = user_from_row (stmt);
      if (password_hash != NULL)
        *password_hash = iocd_sqlite_column_dup (stmt, 6);
    }
  sqlite3_reset (stmt);

  if (user == NULL)
    g_set_error (error, IOC_ERROR, IOC_ERROR_NOT_FOUND, "no user “%s”", username);

  return user;
}

static GPtrArray *
list_users (IocdStore  *store,
            GError    **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "SELECT " USER_COLUMNS " FROM users ORDER BY username", error);
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_user_unref);

  if (stmt == NULL)
    return NULL;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ret, user_from_row (stmt));
  sqlite3_reset (stmt);

  return g_steal_pointer (&ret);
}

static gboolean
create_session (IocdStore   *store,
                const char  *token_hash,
                gint64       user_id,
                gint64       created_at,
                gint64       expires_at,
                GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
                                "VALUES (?1, ?2, ?3, ?4)", error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, token_hash);
  sqlite3_bind_int64 (stmt, 2, user_id);
  sqlite3_bind_int64 (stmt, 3, created_at);
  sqlite3_bind_int64 (stmt, 4, expires_at);
  return iocd_sqlite_step_done (self, stmt, error);
}

static IocUser *
find_session (IocdStore   *store,
              const char  *token_hash,
              gint64       now,
              GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "SELECT u.id, u.username, u.display_name, u.role, u.department, u.disabled "
                                "FROM sessions s JOIN users u ON u.id = s.user_id "
                                "WHERE s.token_hash = ?1 AND s.revoked_at IS NULL AND s.expires_at > ?2 "
                                "AND u.disabled = 0", error);
  IocUser *user = NULL;

  if (stmt == NULL)
    return NULL;

  iocd_sqlite_bind_text (stmt, 1, token_hash);
  sqlite3_bind_int64 (stmt, 2, now);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    user = user_from_row (stmt);
  sqlite3_reset (stmt);

  if (user == NULL)
    g_set_error_literal (error, IOC_ERROR, IOC_ERROR_UNAUTHORIZED, "the session has ended; sign in again");

  return user;
}

static gboolean
revoke_session (IocdStore   *store,
                const char  *token_hash,
                gint64       now,
                GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
                                error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, token_hash);
  sqlite3_bind_int64 (stmt, 2, now);
  return iocd_sqlite_step_done (self, stmt, error);
}

static gboolean
add_login_failure (IocdStore   *store,
                   const char  *username,
                   gint64       at,
                   GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "INSERT INTO login_failures (username, at) VALUES (?1, ?2)", error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, username);
  sqlite3_bind_int64 (stmt, 2, at);
  return iocd_sqlite_step_done (self, stmt, error);
}

static GArray *
list_login_failures (IocdStore   *store,
                     const char  *username,
                     gint64       since,
                     GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "SELECT at FROM login_failures WHERE username = ?1 AND at >= ?2 ORDER BY at",
                                error);
  GArray *ret;

  if (stmt == NULL)
    return NULL;

  ret = g_array_new (FALSE, FALSE, sizeof (gint64));
  iocd_sqlite_bind_text (stmt, 1, username);
  sqlite3_bind_int64 (stmt, 2, since);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 at = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ret, at);
    }
  sqlite3_reset (stmt);

  return ret;
}

static gboolean
clear_login_failures (IocdStore   *store,
                      const char  *username,
                      GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "DELETE FROM login_failures WHERE username = ?1", error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, username);
  return iocd_sqlite_step_done (self, stmt, error);
}

/* Tasks */

static IocTask *
task_from_row (sqlite3_stmt *stmt)
{
  IocTask *task = ioc_task_new ();
  const char *media;

  task->id = sqlite3_column_int64 (stmt, 0);
  task->version = sqlite3_column_int64 (stmt, 1);
  task->source = ioc_source_from_string (iocd_sqlite_column_text (stmt, 2));
  task->category = iocd_sqlite_column_dup (stmt, 3);
  task->title = iocd_sqlite_column_dup (stmt, 4);
  task->description = iocd_sqlite_column_dup (stmt, 5);
  task->has_location = sqlite3_column_type (stmt, 6) != SQLITE_NULL;
  task->lat = sqlite3_column_double (stmt, 6);
  task->lon = sqlite3_column_double (stmt, 7);
  task->address = iocd_sqlite_column_dup (stmt, 8);
  task->commune = iocd_sqlite_column_dup (stmt, 9);

  media = iocd_sqlite_column_text (stmt, 10);
  if (media != NULL && *media != '\0')
    {
      g_autoptr(JsonNode) node = json_from_string (media, NULL);

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint n = json_array_get_length (array);

          task->media = g_new0 (char *, n + 1);
          for (guint i = 0; i < n; i++)
            task->media[i] = g_strdup (json_array_get_string_element (array, i));
        }
    }

  task->reporter_name = iocd_sqlite_column_dup (stmt, 11);
  task->reporter_phone = iocd_sqlite_column_dup (stmt, 12);
  task->reporter_email = iocd_sqlite_column_dup (stmt, 13);
  task->priority = ioc_priority_from_string (iocd_sqlite_column_text (stmt, 14));
  task->state = ioc_task_state_from_string (iocd_sqlite_column_text (stmt, 15));
  task->department = iocd_sqlite_column_dup (stmt, 16);
  task->due_at = sqlite3_column_int64 (stmt, 17);
  task->created_at = sqlite3_column_int64 (stmt, 18);
  task->updated_at = sqlite3_column_int64 (stmt, 19);
  task->duplicate_of = sqlite3_column_int64 (stmt, 20);
  task->rating = sqlite3_column_int64 (stmt, 21);
  task->result = iocd_sqlite_column_dup (stmt, 22);
  task->attributes = iocd_sqlite_column_dup (stmt, 23);
  task->client = iocd_sqlite_column_dup (stmt, 24);
  return task;
}

static GPtrArray *
load_timeline (IocdSqliteStore  *self,
               gint64            task_id,
               GError          **error)
{
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "SELECT id, at, actor_id, actor_name, actor_role, action, from_state, to_state, "
                                "note, department, due_at, duplicate_of, rating "
                                "FROM timeline WHERE task_id = ?1 ORDER BY id", error);
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_timeline_entry_unref);

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, task_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      IocTimelineEntry *e = ioc_timeline_entry_new ();

      e->id = sqlite3_column_int64 (stmt, 0);
      e->task_id = task_id;
      e->at = sqlite3_column_int64 (stmt, 1);
      e->actor_id = sqlite3_column_int64 (stmt, 2);
      e->actor_name = iocd_sqlite_column_dup (stmt, 3);
      e->actor_role = iocd_sqlite_column_text (stmt, 4) ? ioc_role_from_string (iocd_sqlite_column_text (stmt, 4)) : IOC_ROLE_INVALID;
      e->action = ioc_action_from_string (iocd_sqlite_column_text (stmt, 5));
      e->from_state = iocd_sqlite_column_text (stmt, 6) ? ioc_task_state_from_string (iocd_sqlite_column_text (stmt, 6))
                                             : IOC_TASK_STATE_INVALID;
      e->to_state = iocd_sqlite_column_text (stmt, 7) ? ioc_task_state_from_string (iocd_sqlite_column_text (stmt, 7))
                                           : IOC_TASK_STATE_INVALID;
      e->note = iocd_sqlite_column_dup (stmt, 8);
      e->department = iocd_sqlite_column_dup (stmt, 9);
      e->due_at = sqlite3_column_int64 (stmt, 10);
      e->duplicate_of = sqlite3_column_int64 (stmt, 11);
      e->rating = sqlite3_column_int64 (stmt, 12);
      g_ptr_array_add (ret, e);
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&ret);
}

static IocTask *
get_task (IocdStore  *store,
          gint64      id,
          gboolean    with_timeline,
          GError    **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "SELECT " TASK_COLUMNS " FROM tasks WHERE id = ?1", error);
  g_autoptr(IocTask) task = NULL;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    task = task_from_row (stmt);
  sqlite3_reset (stmt);

  if (task == NULL)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_NOT_FOUND, "no task %" G_GINT64_FORMAT, id);
      return NULL;
    }

  if (with_timeline)
    {
      task->timeline = load_timeline (self, id, error);
      if (task->timeline == NULL)
        return NULL;
    }

  return g_steal_pointer (&task);
}

static char *
like_pattern (const char *word)
{
  GString *s = g_string_new ("%");

  for (const char *p = word; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '%');

  return g_string_free (s, FALSE);
}

/* An FTS5 query for the words of @folded_text that the trigram index can
 * look up (3 characters or more), each as a string with its quotes doubled,
 * all required; NULL if there is none. */
static char *
fts_match_expression (const char *folded_text)
{
  g_auto(GStrv) words = g_strsplit (folded_text, " ", -1);
  GString *s = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_utf8_strlen (words[i], -1) < 3)
        continue;

      if (s->len > 0)
        g_string_append (s, " AND ");
      g_string_append_c (s, '"');
      for (const char *p = words[i]; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (s, '"');
          g_string_append_c (s, *p);
        }
      g_string_append_c (s, '"');
    }

  if (s->len == 0)
    {
      g_string_free (s, TRUE);
      return NULL;
    }

  return g_string_free (s, FALSE);
}

static GPtrArray *
list_tasks (IocdStore            *store,
            const IocdTaskQuery  *query,
            char                **next_cursor,
            GError              **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GPtrArray) binds = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = NULL;
  g_autofree char *match = NULL;
  gboolean by_fts = FALSE;
  g_autoptr(GPtrArray) ret = NULL;
  gint64 cursor_a = 0, cursor_b = 0;
  gboolean has_cursor = FALSE;
  guint limit = CLAMP (query->limit, 1, 1000);
  sqlite3_stmt *stmt;
  int idx = 1;
  int rc;

  /* Only fixed fragments enter the SQL text; every value is bound. Binds are
   * kept as typed strings: "t:" text, "i:" integer, "d:" double. */
#define BIND_TEXT(v) g_ptr_array_add (binds, g_strconcat ("t:", (v), NULL))
#define BIND_INT(v) g_ptr_array_add (binds, g_strdup_printf ("i:%" G_GINT64_FORMAT, (gint64) (v)))
#define BIND_DOUBLE(v) g_ptr_array_add (binds, g_strdup_printf ("d:%.17g", (double) (v)))

  if (query->cursor != NULL)
    {
      const char *c = query->cursor;
      char *end = NULL;

      if (query->order == IOCD_TASK_ORDER_ID && g_str_has_prefix (c, "i"))
        {
          cursor_a = g_ascii_strtoll (c + 1, &end, 10);
          has_cursor = end != c + 1 && *end == '\0' && cursor_a > 0;
        }
      else if (query->order == IOCD_TASK_ORDER_UPDATED && g_str_has_prefix (c, "u"))
        {
          cursor_a = g_ascii_strtoll (c + 1, &end, 10);
          if (end != c + 1 && *end == '.')
            {
              const char *b = end + 1;

              cursor_b = g_ascii_strtoll (b, &end, 10);
              has_cursor = end != b && *end == '\0';
            }
        }

      if (!has_cursor)
        {
          ioc_set_field_error (error, "after", "is not a cursor given by this list");
          return NULL;
        }
    }

  /* Words of 3 characters or more are first looked up in the trigram index
   * (it cannot answer shorter ones); LIKE below still checks every word, so
   * the index only narrows what LIKE alone would find. */
  if (query->folded_text != NULL)
    match = fts_match_expression (query->folded_text);

  if (match != NULL && query->order == IOCD_TASK_ORDER_ID)
    {
      /* Read from the index newest first: a page of a common word stops
       * after limit rows, where "t.id IN (…)" would collect all its
       * matches first (70 ms for a word in most tasks). */
      by_fts = TRUE;
      g_string_append (sql, "SELECT " TASK_COLUMNS " FROM tasks_fts f JOIN tasks t ON t.id = f.rowid "
                            "WHERE tasks_fts MATCH ?");
      BIND_TEXT (match);
    }
  else
    {
      g_string_append (sql, "SELECT " TASK_COLUMNS " FROM tasks t WHERE 1");
      if (match != NULL)
        {
          g_string_append (sql, " AND t.id IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ?)");
          BIND_TEXT (match);
        }
    }

  if (query->visible_to_department != NULL)
    {
      g_string_append (sql, " AND EXISTS (SELECT 1 FROM task_departments d "
                            "WHERE d.department = ? AND d.task_id = t.id)");
      BIND_TEXT (query->visible_to_department);
    }

  if (query->states != 0)
    {
      gboolean first = TRUE;

      g_string_append (sql, " AND t.state IN (");
      for (guint s = 0; s < IOC_N_TASK_STATES; s++)
        if (query->states & (1u << s))
          {
            g_string_append (sql, first ? "?" : ", ?");
            BIND_TEXT (ioc_task_state_to_string (s));
            first = FALSE;
          }
      g_string_append (sql, ")");
    }

  if (query->department != NULL)
    {
      g_string_append (sql, " AND t.department = ?");
      BIND_TEXT (query->department);
    }
  if (query->category != NULL)
    {
      g_string_append (sql, " AND t.category = ?");
      BIND_TEXT (query->category);
    }
  if (query->commune != NULL)
    {
      g_string_append (sql, " AND t.commune = ?");
      BIND_TEXT (query->commune);
    }
  if (query->source >= 0)
    {
      g_string_append (sql, " AND t.source = ?");
      BIND_TEXT (ioc_source_to_string (query->source));
    }
  if (query->overdue)
    {
      g_string_append (sql, " AND t.due_at < ? AND t.state IN ('forwarded', 'acknowledged', 'in_progress')");
      BIND_INT (query->now);
    }
  if (query->has_bbox)
    {
      /* The R*Tree finds the few thousand tasks in the box where the
       * (lat, lon) index reads the whole band of latitude; it keeps 32-bit
       * bounds rounded outwards, so it may add a task just outside, which
       * the exact test drops. */
      g_string_append (sql, " AND t.id IN (SELECT id FROM tasks_rtree WHERE max_lat >= ? AND min_lat <= ? "
                            "AND max_lon >= ? AND min_lon <= ?)"
                            " AND t.lat BETWEEN ? AND ? AND t.lon BETWEEN ? AND ?");
      for (guint i = 0; i < 2; i++)
        {
          BIND_DOUBLE (query->bbox.min_lat);
          BIND_DOUBLE (query->bbox.max_lat);
          BIND_DOUBLE (query->bbox.min_lon);
          BIND_DOUBLE (query->bbox.max_lon);
        }
    }
  if (query->updated_since != 0)
    {
      g_string_append (sql, " AND t.updated_at >= ?");
      BIND_INT (query->updated_since);
    }
  if (query->folded_text != NULL)
    {
      words = g_strsplit (query->folded_text, " ", -1);
      for (guint i = 0; words[i] != NULL; i++)
        if (words[i][0] != '\0')
          {
            g_autofree char *pattern = like_pattern (words[i]);

            g_string_append (sql, " AND t.search LIKE ? ESCAPE '\\'");
            BIND_TEXT (pattern);
          }
    }

  if (query->order == IOCD_TASK_ORDER_ID)
    {
      if (has_cursor)
        {
          g_string_append (sql, by_fts ? " AND f.rowid < ?" : " AND t.id < ?");
          BIND_INT (cursor_a);
        }
      g_string_append (sql, by_fts ? " ORDER BY f.rowid DESC" : " ORDER BY t.id DESC");
    }
  else
    {
      if (has_cursor)
        {
          g_string_append (sql, " AND (t.updated_at, t.id) > (?, ?)");
          BIND_INT (cursor_a);
          BIND_INT (cursor_b);
        }
      g_string_append (sql, " ORDER BY t.updated_at, t.id");
    }
  g_string_append (sql, " LIMIT ?");
  BIND_INT (limit + 1);

#undef BIND_TEXT
#undef BIND_INT
#undef BIND_DOUBLE

  stmt = iocd_sqlite_prepare (self, sql->str, error);
  if (stmt == NULL)
    return NULL;

  for (guint i = 0; i < binds->len; i++, idx++)
    {
      const char *b = g_ptr_array_index (binds, i);

      if (b[0] == 't')
        sqlite3_bind_text (stmt, idx, b + 2, -1, SQLITE_TRANSIENT);
      else if (b[0] == 'i')
        sqlite3_bind_int64 (stmt, idx, g_ascii_strtoll (b + 2, NULL, 10));
      else
        sqlite3_bind_double (stmt, idx, g_ascii_strtod (b + 2, NULL));
    }

  ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_task_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ret, task_from_row (stmt));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "listing tasks");
      return NULL;
    }

  if (next_cursor != NULL)
    *next_cursor = NULL;

  /* One row more than asked tells whether another page follows. */
  if (ret->len > limit)
    {
      IocTask *last;

      g_ptr_array_set_size (ret, limit);
      last = g_ptr_array_index (ret, limit - 1);
      if (next_cursor != NULL)
        {
          if (query->order == IOCD_TASK_ORDER_ID)
            *next_cursor = g_strdup_printf ("i%" G_GINT64_FORMAT, last->id);
          else
            *next_cursor = g_strdup_printf ("u%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT,
                                            last->updated_at, last->id);
        }
    }

  return g_steal_pointer (&ret);
}

static gboolean
task_was_assigned_to (IocdStore   *store,
                      gint64       task_id,
                      const char  *department,
                      GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "SELECT 1 FROM task_departments WHERE department = ?1 AND task_id = ?2",
                                error);
  gboolean ret;

  if (stmt == NULL || department == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, department);
  sqlite3_bind_int64 (stmt, 2, task_id);
  ret = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  return ret;
}

static void
bind_task (sqlite3_stmt  *stmt,
           const IocTask *task,
           const char    *search)
{
  g_autofree char *media = NULL;

  if (task->media != NULL && task->media[0] != NULL)
    {
      g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; task->media[i] != NULL; i++)
        json_builder_add_string_value (b, task->media[i]);
      json_builder_end_array (b);
      node = json_builder_get_root (b);
      media = json_to_string (node, FALSE);
    }

  sqlite3_bind_int64 (stmt, 1, task->version);
  iocd_sqlite_bind_text (stmt, 2, ioc_source_to_string (task->source));
  iocd_sqlite_bind_text (stmt, 3, task->category);
  iocd_sqlite_bind_text (stmt, 4, task->title);
  iocd_sqlite_bind_text (stmt, 5, task->description);
  if (task->has_location)
    {
      sqlite3_bind_double (stmt, 6, task->lat);
      sqlite3_bind_double (stmt, 7, task->lon);
    }
  else
    {
      sqlite3_bind_null (stmt, 6);
      sqlite3_bind_null (stmt, 7);
    }
  iocd_sqlite_bind_text (stmt, 8, task->address);
  iocd_sqlite_bind_text (stmt, 9, task->commune);
  iocd_sqlite_bind_text (stmt, 10, media);
  iocd_sqlite_bind_text (stmt, 11, task->reporter_name);
  iocd_sqlite_bind_text (stmt, 12, task->reporter_phone);
  iocd_sqlite_bind_text (stmt, 13, task->reporter_email);
  iocd_sqlite_bind_text (stmt, 14, ioc_priority_to_string (task->priority));
  iocd_sqlite_bind_text (stmt, 15, ioc_task_state_to_string (task->state));
  iocd_sqlite_bind_text (stmt, 16, task->department);
  iocd_sqlite_bind_time (stmt, 17, task->due_at);
  sqlite3_bind_int64 (stmt, 18, task->created_at);
  sqlite3_bind_int64 (stmt, 19, task->updated_at);
  iocd_sqlite_bind_time (stmt, 20, task->duplicate_of);
  iocd_sqlite_bind_time (stmt, 21, task->rating);
  iocd_sqlite_bind_text (stmt, 22, task->result);
  iocd_sqlite_bind_text (stmt, 23, search);
  iocd_sqlite_bind_text (stmt, 24, task->attributes);
  iocd_sqlite_bind_text (stmt, 25, task->client);
}

static char *
render_text (JsonBuilder *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);

  return json_to_string (node, FALSE);
}

/* Returns "{" head "," name ":" value ... "}" with the members of @head (an
 * object the JSON generator rendered, compact) followed by @task and @entry,
 * themselves the generator's output.  The same task text goes into the
 * stored payload, the live event and often the response: joining what is
 * already rendered saves generating the task three times per change, and
 * gives the very bytes the generator would have given for the whole. */
static char *
splice_event (const char *head,
              const char *task,
              const char *entry)
{
  GString *text = g_string_sized_new (strlen (head) + strlen (task) + strlen (entry) + 32);

  /* @head ends with "}"; "{}" (no members) takes no comma. */
  g_string_append_len (text, head, strlen (head) - 1);
  g_string_append (text, head[1] == '}' ? "\"task\":" : ",\"task\":");
  g_string_append (text, task);
  g_string_append (text, ",\"entry\":");
  g_string_append (text, entry);
  g_string_append_c (text, '}');

  return g_string_free (text, FALSE);
}

static gboolean
do_commit_change (IocdSqliteStore  *self,
                  IocdChange       *change,
                  GError          **error)
{
  IocTask *task = change->task;
  IocTimelineEntry *entry = change->entry;
  g_autofree char *search = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *departments = NULL;
  g_autofree char *task_text = NULL;
  g_autofree char *entry_text = NULL;
  g_autofree char *event_text = NULL;
  sqlite3_stmt *stmt;
  IocEvent *event;

  if (task->id == 0)
    {
      stmt = iocd_sqlite_prepare (self,
                      "INSERT INTO tasks (version, source, category, title, description, lat, lon, address, "
                      "commune, media, reporter_name, reporter_phone, reporter_email, priority, state, "
                      "department, due_at, created_at, updated_at, duplicate_of, rating, result, search, "
                      "attributes, client) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
                      "?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)", error);
      if (stmt == NULL)
        return FALSE;

      bind_task (stmt, task, "");
      if (!iocd_sqlite_step_done (self, stmt, error))
        return FALSE;
      task->id = sqlite3_last_insert_rowid (self->db);

      search = ioc_task_dup_search_text (task);
      stmt = iocd_sqlite_prepare (self, "UPDATE tasks SET search = ?2 WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, task->id);
      iocd_sqlite_bind_text (stmt, 2, search);
      if (!iocd_sqlite_step_done (self, stmt, error))
        return FALSE;
    }
  else
    {
      const char *sql;

      /* Only what a workflow action changes is written: nothing searched
       * for changed, so the search text is neither folded again nor
       * rewritten, and SQLite leaves alone the indexes (and triggers) on
       * columns not set here, which keeps their pages out of the WAL.
       * bind_task() binds every column; those not named here are unused. */
      if (change->workflow_only)
        sql = "UPDATE tasks SET version = ?1, state = ?15, department = ?16, due_at = ?17, "
              "updated_at = ?19, duplicate_of = ?20, rating = ?21, result = ?22 "
              "WHERE id = ?26 AND version = ?27";
      else
        {
          search = ioc_task_dup_search_text (task);
          sql = "UPDATE tasks SET version = ?1, source = ?2, category = ?3, title = ?4, "
                "description = ?5, lat = ?6, lon = ?7, address = ?8, commune = ?9, media = ?10, "
                "reporter_name = ?11, reporter_phone = ?12, reporter_email = ?13, priority = ?14, "
                "state = ?15, department = ?16, due_at = ?17, created_at = ?18, updated_at = ?19, "
                "duplicate_of = ?20, rating = ?21, result = ?22, search = ?23, attributes = ?24, "
                "client = ?25 WHERE id = ?26 AND version = ?27";
        }

      stmt = iocd_sqlite_prepare (self, sql, error);
      if (stmt == NULL)
        return FALSE;

      bind_task (stmt, task, search);
      sqlite3_bind_int64 (stmt, 26, task->id);
      sqlite3_bind_int64 (stmt, 27, change->expected_version);
      if (!iocd_sqlite_step_done (self, stmt, error))
        return FALSE;

      if (sqlite3_changes (self->db) == 0)
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_CONFLICT,
                       "task %" G_GINT64_FORMAT " was changed by someone else", task->id);
          return FALSE;
        }
    }

  /* An unchanged department is already listed. */
  if (task->department != NULL && !change->same_department)
    {
      stmt = iocd_sqlite_prepare (self, "INSERT OR IGNORE INTO task_departments (department, task_id) VALUES (?1, ?2)",
                      error);
      if (stmt == NULL)
        return FALSE;
      iocd_sqlite_bind_text (stmt, 1, task->department);
      sqlite3_bind_int64 (stmt, 2, task->id);
      if (!iocd_sqlite_step_done (self, stmt, error))
        return FALSE;
    }

  entry->task_id = task->id;
  stmt = iocd_sqlite_prepare (self,
                  "INSERT INTO timeline (task_id, at, actor_id, actor_name, actor_role, action, from_state, "
                  "to_state, note, department, due_at, duplicate_of, rating) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry->task_id);
  sqlite3_bind_int64 (stmt, 2, entry->at);
  iocd_sqlite_bind_time (stmt, 3, entry->actor_id);
  iocd_sqlite_bind_text (stmt, 4, entry->actor_name);
  iocd_sqlite_bind_text (stmt, 5, ioc_role_to_string (entry->actor_role));
  iocd_sqlite_bind_text (stmt, 6, ioc_action_to_string (entry->action));
  iocd_sqlite_bind_text (stmt, 7, ioc_task_state_to_string (entry->from_state));
  iocd_sqlite_bind_text (stmt, 8, ioc_task_state_to_string (entry->to_state));
  iocd_sqlite_bind_text (stmt, 9, entry->note);
  iocd_sqlite_bind_text (stmt, 10, entry->department);
  iocd_sqlite_bind_time (stmt, 11, entry->due_at);
  iocd_sqlite_bind_time (stmt, 12, entry->duplicate_of);
  iocd_sqlite_bind_time (stmt, 13, entry->rating);
  if (!iocd_sqlite_step_done (self, stmt, error))
    return FALSE;
  entry->id = sqlite3_last_insert_rowid (self->db);

  /* The overview's times to acknowledge and to resolve (migration 6). */
  if (entry->action == IOC_ACTION_ACKNOWLEDGE || entry->action == IOC_ACTION_RESOLVE)
    {
      stmt = iocd_sqlite_prepare (self,
                      "INSERT INTO handling_times (department, action, at, entry_id, duration) "
                      "SELECT department, ?3, ?1, ?2, ?1 - at FROM timeline "
                      "WHERE task_id = ?4 AND id < ?2 AND action = 'forward' AND department IS NOT NULL "
                      "ORDER BY id DESC LIMIT 1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, entry->at);
      sqlite3_bind_int64 (stmt, 2, entry->id);
      iocd_sqlite_bind_text (stmt, 3, ioc_action_to_string (entry->action));
      sqlite3_bind_int64 (stmt, 4, entry->task_id);
      if (!iocd_sqlite_step_done (self, stmt, error))
        return FALSE;
    }

  /* The event remembers every department that ever held the task, so that a
   * liaison's catch-up after a reconnect matches what they may see. */
  stmt = iocd_sqlite_prepare (self,
                  "SELECT ',' || group_concat (department, ',') || ',' FROM task_departments WHERE task_id = ?1",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, task->id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    departments = iocd_sqlite_column_dup (stmt, 0);
  sqlite3_reset (stmt);

  {
    g_autoptr(JsonBuilder) tb = json_builder_new_immutable ();
    g_autoptr(JsonBuilder) eb = json_builder_new_immutable ();

    /* The stored event keeps everything; recipients get what they may see. */
    ioc_task_to_json (task, tb, IOC_TASK_JSON_REPORTER, entry->at);
    task_text = render_text (tb);
    ioc_timeline_entry_to_json (entry, eb);
    entry_text = render_text (eb);
  }
  payload = splice_event ("{}", task_text, entry_text);
  stmt = iocd_sqlite_prepare (self,
                  "INSERT INTO events (at, kind, task_id, departments, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry->at);
  iocd_sqlite_bind_text (stmt, 2, change->event_kind);
  sqlite3_bind_int64 (stmt, 3, task->id);
  iocd_sqlite_bind_text (stmt, 4, departments ? departments : ",");
  iocd_sqlite_bind_text (stmt, 5, payload);
  if (!iocd_sqlite_step_done (self, stmt, error))
    return FALSE;

  event = ioc_event_new ();
  event->seq = sqlite3_last_insert_rowid (self->db);
  event->at = entry->at;
  event->kind = g_strdup (change->event_kind);
  event->task = ioc_task_ref (task);
  event->entry = ioc_timeline_entry_ref (entry);
  {
    g_autoptr(JsonBuilder) hb = json_builder_new_immutable ();
    g_autofree char *head = NULL;

    /* The members ioc_event_to_json() puts before the task and entry, in
     * its order; the task's overdue flag is as of the change, as stored. */
    json_builder_begin_object (hb);
    json_builder_set_member_name (hb, "seq");
    json_builder_add_int_value (hb, event->seq);
    ioc_json_add_time (hb, "at", event->at);
    ioc_json_add_string_or_null (hb, "kind", event->kind);
    json_builder_end_object (hb);
    head = render_text (hb);
    event_text = splice_event (head, task_text, entry_text);
    event->text = g_ref_string_new (event_text);
  }
  g_clear_pointer (&change->event, ioc_event_unref);
  change->event = event;
  g_free (change->departments);
  change->departments = g_strdup (departments ? departments : ",");

  if (change->render != NULL)
    {
      g_clear_pointer (&change->response_body, g_free);
      change->task_text = task_text;
      change->response_body = change->render (change, change->render_data);
      change->task_text = NULL;
    }

  if (change->idempotency_user != 0 && change->idempotency_key != NULL)
    {
      int rc;

      stmt = iocd_sqlite_prepare (self,
                      "INSERT INTO idempotency (user_id, key, request_hash, status, body, created_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, change->idempotency_user);
      iocd_sqlite_bind_text (stmt, 2, change->idempotency_key);
      iocd_sqlite_bind_text (stmt, 3, change->request_hash);
      sqlite3_bind_int (stmt, 4, change->response_status);
      iocd_sqlite_bind_text (stmt, 5, change->response_body ? change->response_body : "");
      sqlite3_bind_int64 (stmt, 6, entry->at);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        {
          g_set_error_literal (error, IOC_ERROR, IOC_ERROR_CONFLICT,
                               "a request with this Idempotency-Key is being processed");
          return FALSE;
        }
      if (rc != SQLITE_DONE)
        return iocd_sqlite_set_sqlite_error (self, error, "remembering the Idempotency-Key");
    }

  return TRUE;
}

static gboolean
commit_change (IocdStore   *store,
               IocdChange  *change,
               GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  gint64 original_id = change->task->id;

  if (!iocd_sqlite_begin_write (self, error))
    return FALSE;

  if (!do_commit_change (self, change, error))
    {
      iocd_sqlite_rollback_write (self);
      change->task->id = original_id;
      g_clear_pointer (&change->event, ioc_event_unref);
      g_clear_pointer (&change->response_body, g_free);
      return FALSE;
    }

  if (!iocd_sqlite_commit_write (self, error))
    {
      iocd_sqlite_rollback_write (self);
      change->task->id = original_id;
      g_clear_pointer (&change->event, ioc_event_unref);
      return FALSE;
    }

  return TRUE;
}

static IocEvent *
commit_event (IocdStore   *store,
              const char  *kind,
              const char  *departments,
              JsonNode    *data,
              gint64       at,
              GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) payload = NULL;
  g_autofree char *text = NULL;
  IocEvent *event;
  sqlite3_stmt *stmt;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data");
  json_builder_add_value (b, json_node_copy (data));
  json_builder_end_object (b);
  payload = json_builder_get_root (b);
  text = json_to_string (payload, FALSE);

  /* A single insert is atomic on its own; inside a batch it joins the batch. */
  stmt = iocd_sqlite_prepare (self,
                              "INSERT INTO events (at, kind, task_id, departments, payload) "
                              "VALUES (?1, ?2, NULL, ?3, ?4)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, at);
  iocd_sqlite_bind_text (stmt, 2, kind);
  iocd_sqlite_bind_text (stmt, 3, departments ? departments : ",");
  iocd_sqlite_bind_text (stmt, 4, text);
  if (!iocd_sqlite_step_done (self, stmt, error))
    return NULL;

  event = ioc_event_new ();
  event->seq = sqlite3_last_insert_rowid (self->db);
  event->at = at;
  event->kind = g_strdup (kind);
  event->data = json_node_copy (data);
  return event;
}

static gboolean
find_idempotent (IocdStore   *store,
                 gint64       user_id,
                 const char  *key,
                 char       **request_hash,
                 guint       *status,
                 char       **body,
                 GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "SELECT request_hash, status, body FROM idempotency WHERE user_id = ?1 AND key = ?2",
                                error);
  gboolean found = FALSE;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, user_id);
  iocd_sqlite_bind_text (stmt, 2, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *request_hash = iocd_sqlite_column_dup (stmt, 0);
      *status = sqlite3_column_int (stmt, 1);
      *body = iocd_sqlite_column_dup (stmt, 2);
      found = TRUE;
    }
  sqlite3_reset (stmt);

  return found;
}

static GPtrArray *
list_events (IocdStore   *store,
             gint64       after,
             const char  *department,
             guint        limit,
             GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_event_unref);
  sqlite3_stmt *stmt;

  if (department == NULL)
    stmt = iocd_sqlite_prepare (self, "SELECT seq, at, kind, payload FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                    error);
  else
    stmt = iocd_sqlite_prepare (self,
                    "SELECT seq, at, kind, payload FROM events WHERE seq > ?1 "
                    "AND instr (departments, ',' || ?3 || ',') > 0 ORDER BY seq LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, after);
  sqlite3_bind_int64 (stmt, 2, limit);
  if (department != NULL)
    iocd_sqlite_bind_text (stmt, 3, department);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(IocEvent) event = ioc_event_new ();
      g_autoptr(JsonNode) node = json_from_string (iocd_sqlite_column_text (stmt, 3), NULL);
      JsonObject *object;

      event->seq = sqlite3_column_int64 (stmt, 0);
      event->at = sqlite3_column_int64 (stmt, 1);
      event->kind = iocd_sqlite_column_dup (stmt, 2);

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          g_warning ("Event %" G_GINT64_FORMAT " has an unreadable payload", event->seq);
          continue;
        }
      object = json_node_get_object (node);
      if (json_object_has_member (object, "task"))
        event->task = ioc_task_from_json (json_object_get_object_member (object, "task"), NULL);
      if (json_object_has_member (object, "entry"))
        event->entry = ioc_timeline_entry_from_json (json_object_get_object_member (object, "entry"), NULL);
      if (json_object_has_member (object, "data"))
        event->data = json_node_copy (json_object_get_member (object, "data"));

      g_ptr_array_add (ret, g_steal_pointer (&event));
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&ret);
}

static gint64
last_event_seq (IocdStore *store)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "SELECT coalesce (max (seq), 0) FROM events", NULL);
  gint64 seq = 0;

  if (stmt == NULL)
    return 0;

  if (sqlite3_step (stmt) == SQLITE_ROW)
    seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  return seq;
}

/* The supervisor overview */

/* The k-th smallest of @v[0 … n-1] (from 0), moving the others around:
 * Wirth's selection, linear on average, where sorting a month's 75,000
 * durations cost more than the SQL that reads them. */
static gint64
select_kth (gint64 *v,
            gssize  n,
            gssize  k)
{
  gssize l = 0, m = n - 1;

  while (l < m)
    {
      gint64 x = v[k];
      gssize i = l, j = m;

      do
        {
          while (v[i] < x)
            i++;
          while (x < v[j])
            j--;
          if (i <= j)
            {
              gint64 t = v[i];

              v[i] = v[j];
              v[j] = t;
              i++;
              j--;
            }
        }
      while (i <= j);

      if (j < k)
        l = i;
      if (k < i)
        m = j;
    }

  return v[k];
}

/* The middle value, or the mean of the two middle ones (rounded half up);
 * -1 for none. Reorders @values. */
static gint64
median (GArray *values)
{
  gint64 *v = (gint64 *) (gpointer) values->data;
  gssize n = values->len;
  gint64 lo, hi;

  if (n == 0)
    return -1;

  lo = select_kth (v, n, (n - 1) / 2);
  if (n % 2 == 1)
    return lo;

  /* The next one up is the smallest of those the selection left above. */
  hi = v[n / 2];
  for (gssize i = n / 2 + 1; i < n; i++)
    hi = MIN (hi, v[i]);
  return lo + (hi - lo + 1) / 2;
}

static IocdDepartmentOverview *
overview_row (GHashTable *by_code,
              const char *code)
{
  return code != NULL ? g_hash_table_lookup (by_code, code) : NULL;
}

static GPtrArray *
department_overview (IocdStore   *store,
                     gint64       since,
                     gint64       now,
                     const char  *department,
                     GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) iocd_department_overview_free);
  g_autoptr(GHashTable) by_code = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt;
  int rc;

  /* Every department of the reference data has a row, also when idle. */
  stmt = iocd_sqlite_prepare (self, "SELECT code FROM departments WHERE ?1 IS NULL OR code = ?1 ORDER BY code",
                              error);
  if (stmt == NULL)
    return NULL;
  iocd_sqlite_bind_text (stmt, 1, department);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      IocdDepartmentOverview *row = g_new0 (IocdDepartmentOverview, 1);

      row->department = iocd_sqlite_column_dup (stmt, 0);
      row->median_acknowledge = -1;
      row->median_resolve = -1;
      g_hash_table_insert (by_code, row->department, row);
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "listing the departments");
      return NULL;
    }

  /* Read from the (department, state, id) index alone. */
  stmt = iocd_sqlite_prepare (self,
                              "SELECT department, state, count (*) FROM tasks "
                              "WHERE department IS NOT NULL AND (?1 IS NULL OR department = ?1) "
                              "GROUP BY department, state", error);
  if (stmt == NULL)
    return NULL;
  iocd_sqlite_bind_text (stmt, 1, department);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      IocdDepartmentOverview *row = overview_row (by_code, iocd_sqlite_column_text (stmt, 0));
      IocTaskState state = ioc_task_state_from_string (iocd_sqlite_column_text (stmt, 1));

      if (row == NULL || (int) state < 0 || state >= IOC_N_TASK_STATES)
        continue;
      row->counts[state] = sqlite3_column_int (stmt, 2);
      if (ioc_task_state_can_be_overdue (state))
        row->open += row->counts[state];
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "counting tasks");
      return NULL;
    }

  /* The partial index of open tasks (migration 6) holds all that is read;
   * SQLite would rather walk tasks_by_state and read every open task's row,
   * twenty times slower on 100,000 tasks. Its condition must appear as is. */
  stmt = iocd_sqlite_prepare (self,
                              "SELECT department, count (*) FROM tasks INDEXED BY tasks_open_by_department "
                              "WHERE state IN ('forwarded', 'acknowledged', 'in_progress') "
                              "AND department IS NOT NULL AND (?2 IS NULL OR department = ?2) AND due_at < ?1 "
                              "GROUP BY department", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  iocd_sqlite_bind_text (stmt, 2, department);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      IocdDepartmentOverview *row = overview_row (by_code, iocd_sqlite_column_text (stmt, 0));

      if (row != NULL)
        row->overdue = sqlite3_column_int (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "counting overdue tasks");
      return NULL;
    }

  /* A department's entries of the window are one range of handling_times;
   * medians are taken here, where SQLite's window functions would sort
   * them forty times slower. */
  {
    g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gint64));

    for (guint i = 0; i < rows->len; i++)
      for (guint resolve = 0; resolve < 2; resolve++)
        {
          IocdDepartmentOverview *row = g_ptr_array_index (rows, i);

          stmt = iocd_sqlite_prepare (self,
                                      "SELECT duration FROM handling_times "
                                      "WHERE department = ?1 AND action = ?2 AND at >= ?3 AND at <= ?4", error);
          if (stmt == NULL)
            return NULL;
          iocd_sqlite_bind_text (stmt, 1, row->department);
          iocd_sqlite_bind_text (stmt, 2, resolve ? "resolve" : "acknowledge");
          sqlite3_bind_int64 (stmt, 3, since);
          sqlite3_bind_int64 (stmt, 4, now);
          g_array_set_size (values, 0);
          while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
            {
              gint64 duration = sqlite3_column_int64 (stmt, 0);

              g_array_append_val (values, duration);
            }
          sqlite3_reset (stmt);
          if (rc != SQLITE_DONE)
            {
              iocd_sqlite_set_sqlite_error (self, error, "reading the times to acknowledge and resolve");
              return NULL;
            }

          if (resolve)
            {
              row->resolved = values->len;
              row->median_resolve = median (values);
            }
          else
            {
              row->acknowledged = values->len;
              row->median_acknowledge = median (values);
            }
        }
  }

  return g_steal_pointer (&rows);
}

static gboolean
begin_batch (IocdStore  *store,
             GError    **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);

  if (self->in_batch)
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INTERNAL, "a batch is open already");
      return FALSE;
    }

  if (!exec_prepared (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  self->in_batch = TRUE;
  return TRUE;
}

static gboolean
end_batch (IocdStore  *store,
           gboolean    commit,
           GError    **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);

  g_return_val_if_fail (self->in_batch, FALSE);
  self->in_batch = FALSE;

  if (commit)
    {
      if (exec_prepared (self, "COMMIT", error))
        return TRUE;
      /* A COMMIT that failed (SQLITE_BUSY, I/O) may leave the transaction open. */
      if (!sqlite3_get_autocommit (self->db))
        iocd_sqlite_exec (self, "ROLLBACK", NULL);
      return FALSE;
    }

  iocd_sqlite_exec (self, "ROLLBACK", NULL);
  return TRUE;
}

static char *
get_meta (IocdStore  *store,
          const char *key)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "SELECT value FROM meta WHERE key = ?1", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;

  iocd_sqlite_bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = iocd_sqlite_column_dup (stmt, 0);
  sqlite3_reset (stmt);

  return value;
}

static gboolean
set_meta (IocdStore   *store,
          const char  *key,
          const char  *value,
          GError     **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                                "ON CONFLICT (key) DO UPDATE SET value = ?2", error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, key);
  iocd_sqlite_bind_text (stmt, 2, value);
  return iocd_sqlite_step_done (self, stmt, error);
}

static void
store_iface_init (IocdStoreInterface *iface)
{
  iface->list_departments = list_departments;
  iface->save_department = save_department;
  iface->list_categories = list_categories;
  iface->save_category = save_category;
  iface->list_communes = list_communes;
  iface->save_commune = save_commune;
  iface->create_user = create_user;
  iface->set_password = set_password;
  iface->find_user = find_user;
  iface->list_users = list_users;
  iface->create_session = create_session;
  iface->find_session = find_session;
  iface->revoke_session = revoke_session;
  iface->add_login_failure = add_login_failure;
  iface->list_login_failures = list_login_failures;
  iface->clear_login_failures = clear_login_failures;
  iface->get_task = get_task;
  iface->list_tasks = list_tasks;
  iface->task_was_assigned_to = task_was_assigned_to;
  iface->commit_change = commit_change;
  iface->find_idempotent = find_idempotent;
  iface->commit_event = commit_event;
  iface->list_events = list_events;
  iface->last_event_seq = last_event_seq;
  iface->department_overview = department_overview;
  iface->begin_batch = begin_batch;
  iface->end_batch = end_batch;
  iface->open_writer = open_writer;
  iface->get_meta = get_meta;
  iface->set_meta = set_meta;
}
