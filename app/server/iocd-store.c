/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd"

#include "config.h"

#include "iocd-store.h"

G_DEFINE_INTERFACE (IocdStore, iocd_store, G_TYPE_OBJECT)

static void
iocd_store_default_init (IocdStoreInterface *iface)
{
}

void
iocd_change_clear (IocdChange *change)
{
  g_clear_pointer (&change->response_body, g_free);
  g_clear_pointer (&change->event, ioc_event_unref);
  g_clear_pointer (&change->departments, g_free);
}

void
iocd_department_overview_free (IocdDepartmentOverview *row)
{
  g_free (row->department);
  g_free (row);
}

GPtrArray *
iocd_store_list_departments (IocdStore *self,
                             GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->list_departments (self, error);
}

gboolean
iocd_store_save_department (IocdStore *self,
                            IocDepartment *department,
                            GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->save_department (self, department, error);
}

GPtrArray *
iocd_store_list_categories (IocdStore *self,
                            GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->list_categories (self, error);
}

gboolean
iocd_store_save_category (IocdStore *self,
                          IocCategory *category,
                          GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->save_category (self, category, error);
}

GPtrArray *
iocd_store_list_communes (IocdStore *self,
                          GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->list_communes (self, error);
}

gboolean
iocd_store_save_commune (IocdStore *self,
                         IocCommune *commune,
                         GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->save_commune (self, commune, error);
}

gint64
iocd_store_create_user (IocdStore *self,
                        IocUser *user,
                        const char *password_hash,
                        GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), 0);

  return IOCD_STORE_GET_IFACE (self)->create_user (self, user, password_hash, error);
}

gboolean
iocd_store_set_password (IocdStore *self,
                         const char *username,
                         const char *password_hash,
                         GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->set_password (self, username, password_hash, error);
}

IocUser *
iocd_store_find_user (IocdStore *self,
                      const char *username,
                      char **password_hash,
                      GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->find_user (self, username, password_hash, error);
}

GPtrArray *
iocd_store_list_users (IocdStore *self,
                       GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->list_users (self, error);
}

gboolean
iocd_store_create_session (IocdStore *self,
                           const char *token_hash,
                           gint64 user_id,
                           gint64 created_at,
                           gint64 expires_at,
                           GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->create_session (self, token_hash, user_id, created_at, expires_at, error);
}

IocUser *
iocd_store_find_session (IocdStore *self,
                         const char *token_hash,
                         gint64 now,
                         GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->find_session (self, token_hash, now, error);
}

gboolean
iocd_store_revoke_session (IocdStore *self,
                           const char *token_hash,
                           gint64 now,
                           GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->revoke_session (self, token_hash, now, error);
}

gboolean
iocd_store_add_login_failure (IocdStore *self,
                              const char *username,
                              gint64 at,
                              GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->add_login_failure (self, username, at, error);
}

GArray *
iocd_store_list_login_failures (IocdStore *self,
                                const char *username,
                                gint64 since,
                                GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->list_login_failures (self, username, since, error);
}

gboolean
iocd_store_clear_login_failures (IocdStore *self,
                                 const char *username,
                                 GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->clear_login_failures (self, username, error);
}

IocTask *
iocd_store_get_task (IocdStore *self,
                     gint64 id,
                     gboolean with_timeline,
                     GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->get_task (self, id, with_timeline, error);
}

GPtrArray *
iocd_store_list_tasks (IocdStore *self,
                       const IocdTaskQuery *query,
                       char **next_cursor,
                       GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->list_tasks (self, query, next_cursor, error);
}

gboolean
iocd_store_task_was_assigned_to (IocdStore *self,
                                 gint64 task_id,
                                 const char *department,
                                 GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->task_was_assigned_to (self, task_id, department, error);
}

gboolean
iocd_store_commit_change (IocdStore *self,
                          IocdChange *change,
                          GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->commit_change (self, change, error);
}

gboolean
iocd_store_find_idempotent (IocdStore *self,
                            gint64 user_id,
                            const char *key,
                            char **request_hash,
                            guint *status,
                            char **body,
                            GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->find_idempotent (self, user_id, key, request_hash, status, body, error);
}

IocEvent *
iocd_store_commit_event (IocdStore   *self,
                         const char  *kind,
                         const char  *departments,
                         JsonNode    *data,
                         gint64       at,
                         GError     **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->commit_event (self, kind, departments, data, at, error);
}

GPtrArray *
iocd_store_list_events (IocdStore *self,
                        gint64 after,
                        const char *department,
                        guint limit,
                        GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->list_events (self, after, department, limit, error);
}

gint64
iocd_store_last_event_seq (IocdStore *self)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), 0);

  return IOCD_STORE_GET_IFACE (self)->last_event_seq (self);
}

GPtrArray *
iocd_store_department_overview (IocdStore  *self,
                                gint64      since,
                                gint64      now,
                                const char *department,
                                GError    **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);
  g_return_val_if_fail (since <= now, NULL);

  return IOCD_STORE_GET_IFACE (self)->department_overview (self, since, now, department, error);
}

gboolean
iocd_store_begin_batch (IocdStore *self,
                        GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->begin_batch (self, error);
}

gboolean
iocd_store_end_batch (IocdStore *self,
                      gboolean commit,
                      GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->end_batch (self, commit, error);
}

IocdStore *
iocd_store_open_writer (IocdStore  *self,
                        GError    **error)
{
  IocdStoreInterface *iface;

  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  iface = IOCD_STORE_GET_IFACE (self);
  return iface->open_writer != NULL ? iface->open_writer (self, error) : NULL;
}

char *
iocd_store_get_meta (IocdStore *self,
                     const char *key)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), NULL);

  return IOCD_STORE_GET_IFACE (self)->get_meta (self, key);
}

gboolean
iocd_store_set_meta (IocdStore *self,
                     const char *key,
                     const char *value,
                     GError **error)
{
  g_return_val_if_fail (IOCD_IS_STORE (self), FALSE);

  return IOCD_STORE_GET_IFACE (self)->set_meta (self, key, value, error);
}
