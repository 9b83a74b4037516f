/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <libsecret/secret.h>

#include "ioc-secret.h"

static const SecretSchema *
session_schema (void)
{
  static const SecretSchema schema = {
    "vn.gov.cantho.IocConsole.Session", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static GHashTable *
attributes_new (const char *server,
                const char *username)
{
  /* libsecret keeps the table while the call runs: it owns copies, not
   * the caller's strings. */
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (char *) "server", g_strdup (server));
  if (username != NULL)
    g_hash_table_insert (attributes, (char *) "username", g_strdup (username));

  return attributes;
}

/* The console shows this message as it is and goes on without a keyring;
 * the keyring's own reason stays in it for whoever has to fix the desk. */
static GError *
keyring_error (GError *error)
{
  GError *shown;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  shown = g_error_new (error->domain, error->code,
                       "No keyring: you will be asked for the password at each start (%s)",
                       error->message);
  g_error_free (error);

  return shown;
}

/* Store */

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
ioc_secret_store_async (const char          *server,
                        const char          *username,
                        const char          *token,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (server != NULL);
  g_return_if_fail (username != NULL);
  g_return_if_fail (token != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ioc_secret_store_async);

  /* What the keyring manager shows the user next to the entry. */
  label = g_strdup_printf ("IOC Console session of %s on %s", username, server);
  attributes = attributes_new (server, username);
  secret_password_storev (session_schema (), attributes, SECRET_COLLECTION_DEFAULT, label, token,
                          cancellable, store_cb, g_steal_pointer (&task));
}

gboolean
ioc_secret_store_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, ioc_secret_store_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Lookup */

typedef struct {
  char *token;
  char *username;
} Found;

static void
found_free (Found *found)
{
  if (found->token != NULL)
    secret_password_free (found->token);
  g_free (found->username);
  g_free (found);
}

static void
retrieve_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SecretRetrievable *item = SECRET_RETRIEVABLE (source);
  g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (item);
  SecretValue *value;
  GError *error = NULL;
  Found *found;

  value = secret_retrievable_retrieve_secret_finish (item, result, &error);
  if (value == NULL)
    {
      if (error != NULL)
        g_task_return_error (task, keyring_error (error));
      else
        g_task_return_pointer (task, NULL, NULL);
      return;
    }

  found = g_new0 (Found, 1);
  found->token = g_strdup (secret_value_get_text (value));
  found->username = g_strdup (g_hash_table_lookup (attributes, "username"));
  secret_value_unref (value);

  if (found->token == NULL)
    {
      found_free (found);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  g_task_return_pointer (task, found, (GDestroyNotify) found_free);
}

static void
search_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GList *items;
  SecretRetrievable *newest = NULL;
  GError *error = NULL;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }

  /* Several users may have signed in to this server from this desk: the
   * last one to do so is the one to resume. */
  for (GList *l = items; l != NULL; l = l->next)
    if (newest == NULL ||
        secret_retrievable_get_modified (l->data) > secret_retrievable_get_modified (newest))
      newest = l->data;

  if (newest == NULL)
    g_task_return_pointer (task, NULL, NULL);
  else
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      secret_retrievable_retrieve_secret (newest, cancellable, retrieve_cb, g_steal_pointer (&task));
    }

  g_list_free_full (items, g_object_unref);
}

void
ioc_secret_lookup_async (const char          *server,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (server != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ioc_secret_lookup_async);

  attributes = attributes_new (server, NULL);
  secret_password_searchv (session_schema (), attributes,
                           SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                           cancellable, search_cb, g_steal_pointer (&task));
}

/* NULL without an error when nothing is stored for the server. */
char *
ioc_secret_lookup_finish (GAsyncResult  *result,
                          char         **username,
                          GError       **error)
{
  Found *found;
  char *token;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, ioc_secret_lookup_async), NULL);

  if (username != NULL)
    *username = NULL;

  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return NULL;

  token = g_strdup (found->token);
  if (username != NULL)
    *username = g_steal_pointer (&found->username);
  found_free (found);

  return token;
}

/* Clear */

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error: there was nothing to remove, which is fine. */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
ioc_secret_clear_async (const char          *server,
                        const char          *username,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (server != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ioc_secret_clear_async);

  /* Without a user name every session kept for the server goes. */
  attributes = attributes_new (server, username);
  secret_password_clearv (session_schema (), attributes, cancellable, clear_cb,
                          g_steal_pointer (&task));
}

gboolean
ioc_secret_clear_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, ioc_secret_clear_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
