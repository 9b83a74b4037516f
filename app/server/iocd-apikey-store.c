/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd"

#include "config.h"

#include "iocd-apikey-store.h"
#include "iocd-auth.h"

G_DEFINE_INTERFACE (IocdApiKeyStore, iocd_apikey_store, G_TYPE_OBJECT)

static void
iocd_apikey_store_default_init (IocdApiKeyStoreInterface *iface)
{
}

void
iocd_api_key_free (IocdApiKey *key)
{
  if (key == NULL)
    return;

  g_free (key->name);
  g_strfreev (key->scopes);
  g_free (key);
}

gboolean
iocd_api_key_has_scope (const IocdApiKey *key,
                        const char       *scope)
{
  return key->scopes != NULL && g_strv_contains ((const char * const *) key->scopes, scope);
}

gint64
iocd_apikey_store_create_key (IocdApiKeyStore    *self,
                              const char         *name,
                              const char         *key_hash,
                              const char *const  *scopes,
                              gint64              created_at,
                              GError            **error)
{
  g_return_val_if_fail (IOCD_IS_APIKEY_STORE (self), 0);
  g_return_val_if_fail (name != NULL && key_hash != NULL, 0);

  return IOCD_APIKEY_STORE_GET_IFACE (self)->create_key (self, name, key_hash, scopes, created_at, error);
}

GPtrArray *
iocd_apikey_store_list_keys (IocdApiKeyStore  *self,
                             GError          **error)
{
  g_return_val_if_fail (IOCD_IS_APIKEY_STORE (self), NULL);

  return IOCD_APIKEY_STORE_GET_IFACE (self)->list_keys (self, error);
}

gboolean
iocd_apikey_store_revoke_key (IocdApiKeyStore  *self,
                              const char       *name,
                              gint64            at,
                              GError          **error)
{
  g_return_val_if_fail (IOCD_IS_APIKEY_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return IOCD_APIKEY_STORE_GET_IFACE (self)->revoke_key (self, name, at, error);
}

IocdApiKey *
iocd_apikey_store_find_key_by_hash (IocdApiKeyStore  *self,
                                    const char       *key_hash,
                                    GError          **error)
{
  g_return_val_if_fail (IOCD_IS_APIKEY_STORE (self), NULL);
  g_return_val_if_fail (key_hash != NULL, NULL);

  return IOCD_APIKEY_STORE_GET_IFACE (self)->find_key_by_hash (self, key_hash, error);
}

IocdApiKey *
iocd_apikey_store_authorize (IocdApiKeyStore  *self,
                             const char       *key,
                             const char       *scope,
                             GError          **error)
{
  g_autofree char *hash = NULL;
  g_autoptr(IocdApiKey) found = NULL;
  g_autoptr(GError) local_error = NULL;

  if (key == NULL || *key == '\0')
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_FORBIDDEN, "api_key: required");
      return NULL;
    }

  hash = iocd_auth_hash_token (key);
  found = iocd_apikey_store_find_key_by_hash (self, hash, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* One answer for unknown, revoked and out-of-scope keys: a caller learns
   * nothing about which keys exist. */
  if (found == NULL || found->revoked_at != 0 || (scope != NULL && !iocd_api_key_has_scope (found, scope)))
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_FORBIDDEN, "api_key: unknown or revoked key");
      return NULL;
    }

  return g_steal_pointer (&found);
}
