/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "ioc-core.h"

G_BEGIN_DECLS

/* API keys issued by an admin to Open311 clients and sensor feeds. A store
 * implements this beside IocdStore. Keys are stored only as their SHA-256
 * (iocd_auth_hash_token), so a copy of the database lets no one submit. */

#define IOCD_APIKEY_SCOPE_OPEN311 "open311"
#define IOCD_APIKEY_SCOPE_SENSORS "sensors"

typedef struct {
  gint64  id;
  char   *name;         /* the client's name, unique; shown as the task's client */
  GStrv   scopes;       /* IOCD_APIKEY_SCOPE_* */
  gint64  created_at;
  gint64  revoked_at;   /* 0 while the key is valid */
} IocdApiKey;

void       iocd_api_key_free      (IocdApiKey *key);
gboolean   iocd_api_key_has_scope (const IocdApiKey *key,
                                   const char       *scope);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocdApiKey, iocd_api_key_free)

#define IOCD_TYPE_APIKEY_STORE (iocd_apikey_store_get_type ())
G_DECLARE_INTERFACE (IocdApiKeyStore, iocd_apikey_store, IOCD, APIKEY_STORE, GObject)

struct _IocdApiKeyStoreInterface
{
  GTypeInterface parent_iface;

  /* IOC_ERROR_CONFLICT when the name is taken (even by a revoked key). Returns the new id. */
  gint64      (*create_key)       (IocdApiKeyStore  *self,
                                   const char       *name,
                                   const char       *key_hash,
                                   const char *const *scopes,
                                   gint64            created_at,
                                   GError          **error);
  /* Every key, revoked ones too, by name. */
  GPtrArray  *(*list_keys)        (IocdApiKeyStore  *self,
                                   GError          **error);
  /* IOC_ERROR_NOT_FOUND for an unknown or already revoked name. */
  gboolean    (*revoke_key)       (IocdApiKeyStore  *self,
                                   const char       *name,
                                   gint64            at,
                                   GError          **error);
  /* The key with this hash, revoked or not (check revoked_at);
   * NULL without an error when there is none. */
  IocdApiKey *(*find_key_by_hash) (IocdApiKeyStore  *self,
                                   const char       *key_hash,
                                   GError          **error);
};

gint64      iocd_apikey_store_create_key       (IocdApiKeyStore *self, const char *name, const char *key_hash,
                                                const char *const *scopes, gint64 created_at, GError **error);
GPtrArray  *iocd_apikey_store_list_keys        (IocdApiKeyStore *self, GError **error);
gboolean    iocd_apikey_store_revoke_key       (IocdApiKeyStore *self, const char *name, gint64 at,
                                                GError **error);
IocdApiKey *iocd_apikey_store_find_key_by_hash (IocdApiKeyStore *self, const char *key_hash, GError **error);

/* The valid key @key (the secret as the client sent it) with @scope, or
 * NULL with IOC_ERROR_FORBIDDEN when it is unknown, revoked or lacks the scope. */
IocdApiKey *iocd_apikey_store_authorize        (IocdApiKeyStore *self, const char *key, const char *scope,
                                                GError **error);

G_END_DECLS
