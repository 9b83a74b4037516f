/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-sqlite"

#include "config.h"

#include "iocd-sqlite-store-private.h"

#define KEY_COLUMNS "id, name, scopes, created_at, revoked_at"

static IocdApiKey *
key_from_row (sqlite3_stmt *stmt)
{
  IocdApiKey *key = g_new0 (IocdApiKey, 1);
  const char *scopes = iocd_sqlite_column_text (stmt, 2);

  key->id = sqlite3_column_int64 (stmt, 0);
  key->name = iocd_sqlite_column_dup (stmt, 1);
  /* Scopes are a comma list: few, fixed words chosen by the admin's command. */
  key->scopes = scopes && *scopes ? g_strsplit (scopes, ",", -1) : g_new0 (char *, 1);
  key->created_at = sqlite3_column_int64 (stmt, 3);
  key->revoked_at = sqlite3_column_int64 (stmt, 4);
  return key;
}

static gint64
create_key (IocdApiKeyStore    *store,
            const char         *name,
            const char         *key_hash,
            const char *const  *scopes,
            gint64              created_at,
            GError            **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  g_autofree char *scope_text = g_strjoinv (",", (GStrv) scopes);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                            "INSERT INTO api_keys (name, key_hash, scopes, created_at) "
                                            "VALUES (?1, ?2, ?3, ?4)", error);
  int rc;

  if (stmt == NULL)
    return 0;

  iocd_sqlite_bind_text (stmt, 1, name);
  iocd_sqlite_bind_text (stmt, 2, key_hash);
  iocd_sqlite_bind_text (stmt, 3, scope_text);
  sqlite3_bind_int64 (stmt, 4, created_at);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      /* Names stay taken after a revocation, so a task's client always names one key holder. */
      g_set_error (error, IOC_ERROR, IOC_ERROR_CONFLICT, "an API key named “%s” exists already", name);
      return 0;
    }
  if (rc != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "adding an API key");
      return 0;
    }

  return sqlite3_last_insert_rowid (self->db);
}

static GPtrArray *
list_keys (IocdApiKeyStore  *store,
           GError          **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "SELECT " KEY_COLUMNS " FROM api_keys ORDER BY name", error);
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) iocd_api_key_free);
  int rc;

  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ret, key_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      iocd_sqlite_set_sqlite_error (self, error, "listing API keys");
      return NULL;
    }

  return g_steal_pointer (&ret);
}

static gboolean
revoke_key (IocdApiKeyStore  *store,
            const char       *name,
            gint64            at,
            GError          **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self,
                                            "UPDATE api_keys SET revoked_at = ?2 "
                                            "WHERE name = ?1 AND revoked_at IS NULL", error);

  if (stmt == NULL)
    return FALSE;

  iocd_sqlite_bind_text (stmt, 1, name);
  sqlite3_bind_int64 (stmt, 2, at);
  if (!iocd_sqlite_step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_NOT_FOUND, "no valid API key named “%s”", name);
      return FALSE;
    }

  return TRUE;
}

static IocdApiKey *
find_key_by_hash (IocdApiKeyStore  *store,
                  const char       *key_hash,
                  GError          **error)
{
  IocdSqliteStore *self = IOCD_SQLITE_STORE (store);
  sqlite3_stmt *stmt = iocd_sqlite_prepare (self, "SELECT " KEY_COLUMNS " FROM api_keys WHERE key_hash = ?1",
                                            error);
  IocdApiKey *key = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;

  iocd_sqlite_bind_text (stmt, 1, key_hash);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    key = key_from_row (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    iocd_sqlite_set_sqlite_error (self, error, "looking up an API key");

  return key;
}

void
iocd_sqlite_apikey_store_iface_init (IocdApiKeyStoreInterface *iface)
{
  iface->create_key = create_key;
  iface->list_keys = list_keys;
  iface->revoke_key = revoke_key;
  iface->find_key_by_hash = find_key_by_hash;
}
