/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "ioc-core.h"

G_BEGIN_DECLS

/*
 * Persistence behind one interface, so that routes never know whether SQLite
 * or PostgreSQL is underneath. The store keeps data; the rules (workflow,
 * visibility, validation) live in the routes and in app/core. A store
 * checks one thing itself, atomically: the task version a change was decided
 * on (IOC_ERROR_CONFLICT when it moved).
 */

#define IOCD_TYPE_STORE (iocd_store_get_type ())
G_DECLARE_INTERFACE (IocdStore, iocd_store, IOCD, STORE, GObject)

typedef enum {
  IOCD_TASK_ORDER_ID,         /* newest first: id descending */
  IOCD_TASK_ORDER_UPDATED,    /* for synchronising: updated_at, id ascending */
} IocdTaskOrder;

typedef struct {
  guint          states;             /* mask of 1 << IocTaskState; 0 for any */
  const char    *department;
  const char    *category;
  const char    *commune;
  int            source;             /* IocSource, or -1 for any */
  gboolean       overdue;
  gint64         now;
  const char    *folded_text;        /* ioc_text_fold()ed words, all must match */
  gboolean       has_bbox;
  IocBBox        bbox;
  gint64         updated_since;      /* 0 for any */
  const char    *visible_to_department; /* a liaison's department, NULL for all */
  IocdTaskOrder  order;
  const char    *cursor;             /* from the previous page, or NULL */
  guint          limit;
} IocdTaskQuery;

typedef struct _IocdChange IocdChange;

/* Called inside the transaction once ids are assigned, to render the answer
 * that an idempotent retry will get back byte for byte. */
typedef char *(*IocdChangeRender) (IocdChange *change,
                                   gpointer    user_data);

struct _IocdChange {
  IocTask           *task;              /* after the change; id 0 for intake */
  gint64             expected_version;  /* 0 for intake */
  IocTimelineEntry  *entry;             /* appended to the timeline */
  const char        *event_kind;
  /* A workflow action: only version, state, department, due_at, updated_at,
   * duplicate_of, rating and result may differ from the stored task. */
  gboolean           workflow_only;
  gboolean           same_department;   /* the department did not change */

  gint64             idempotency_user;  /* 0: no Idempotency-Key */
  const char        *idempotency_key;
  const char        *request_hash;
  guint              response_status;
  IocdChangeRender   render;
  gpointer           render_data;

  /* Set by the store for render only: the task as the event carries it
   * (with reporter, at entry->at), so that an answer that is the same
   * need not be rendered again. */
  const char        *task_text;

  /* Set by the store on success. */
  char              *response_body;
  IocEvent          *event;
  char              *departments;       /* ",A,B,": every department that held the task */
};

void iocd_change_clear (IocdChange *change);

/* One department's row of the supervisor overview (GET /overview). */
typedef struct {
  char   *department;
  guint   counts[IOC_N_TASK_STATES];  /* tasks now assigned to it, by state */
  guint   open;                       /* forwarded, acknowledged or in_progress */
  guint   overdue;                    /* open with a due time before now */
  /* Acknowledgements and resolutions at a time in [since, now], with the
   * median time since the latest forward of the task before each (to the
   * department it was then forwarded to, which the row is about), in
   * microseconds; -1 when there is none. */
  guint   acknowledged;
  gint64  median_acknowledge;
  guint   resolved;
  gint64  median_resolve;
} IocdDepartmentOverview;

void iocd_department_overview_free (IocdDepartmentOverview *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocdDepartmentOverview, iocd_department_overview_free)

struct _IocdStoreInterface
{
  GTypeInterface parent_iface;

  GPtrArray *(*list_departments)     (IocdStore      *self,
                                      GError        **error);
  gboolean   (*save_department)      (IocdStore      *self,
                                      IocDepartment  *department,
                                      GError        **error);
  GPtrArray *(*list_categories)      (IocdStore      *self,
                                      GError        **error);
  gboolean   (*save_category)        (IocdStore      *self,
                                      IocCategory    *category,
                                      GError        **error);
  GPtrArray *(*list_communes)        (IocdStore      *self,
                                      GError        **error);
  gboolean   (*save_commune)         (IocdStore      *self,
                                      IocCommune     *commune,
                                      GError        **error);

  gint64     (*create_user)          (IocdStore      *self,
                                      IocUser        *user,
                                      const char     *password_hash,
                                      GError        **error);
  gboolean   (*set_password)         (IocdStore      *self,
                                      const char     *username,
                                      const char     *password_hash,
                                      GError        **error);
  IocUser   *(*find_user)            (IocdStore      *self,
                                      const char     *username,
                                      char          **password_hash,
                                      GError        **error);
  GPtrArray *(*list_users)           (IocdStore      *self,
                                      GError        **error);

  gboolean   (*create_session)       (IocdStore      *self,
                                      const char     *token_hash,
                                      gint64          user_id,
                                      gint64          created_at,
                                      gint64          expires_at,
                                      GError        **error);
  IocUser   *(*find_session)         (IocdStore      *self,
                                      const char     *token_hash,
                                      gint64          now,
                                      GError        **error);
  gboolean   (*revoke_session)       (IocdStore      *self,
                                      const char     *token_hash,
                                      gint64          now,
                                      GError        **error);

  gboolean   (*add_login_failure)    (IocdStore      *self,
                                      const char     *username,
                                      gint64          at,
                                      GError        **error);
  /* Failures since @since, oldest first, as microsecond times. */
  GArray    *(*list_login_failures)  (IocdStore      *self,
                                      const char     *username,
                                      gint64          since,
                                      GError        **error);
  gboolean   (*clear_login_failures) (IocdStore      *self,
                                      const char     *username,
                                      GError        **error);

  IocTask   *(*get_task)             (IocdStore      *self,
                                      gint64          id,
                                      gboolean        with_timeline,
                                      GError        **error);
  GPtrArray *(*list_tasks)           (IocdStore      *self,
                                      const IocdTaskQuery *query,
                                      char          **next_cursor,
                                      GError        **error);
  gboolean   (*task_was_assigned_to) (IocdStore      *self,
                                      gint64          task_id,
                                      const char     *department,
                                      GError        **error);
  gboolean   (*commit_change)        (IocdStore      *self,
                                      IocdChange     *change,
                                      GError        **error);
  gboolean   (*find_idempotent)      (IocdStore      *self,
                                      gint64          user_id,
                                      const char     *key,
                                      char          **request_hash,
                                      guint          *status,
                                      char          **body,
                                      GError        **error);

  /* Appends an event that is not about a task (an indicator value, sensor
   * readings); @departments is ",A,B," of the liaisons who may see it. */
  IocEvent  *(*commit_event)         (IocdStore      *self,
                                      const char     *kind,
                                      const char     *departments,
                                      JsonNode       *data,
                                      gint64          at,
                                      GError        **error);

  /* Events after @after, visible to @department (NULL for all), at most @limit. */
  GPtrArray *(*list_events)          (IocdStore      *self,
                                      gint64          after,
                                      const char     *department,
                                      guint           limit,
                                      GError        **error);
  gint64     (*last_event_seq)       (IocdStore      *self);

  /* One IocdDepartmentOverview per department of the reference data
   * (only @department's when not NULL), ordered by code; tasks without a
   * department are in none. */
  GPtrArray *(*department_overview)  (IocdStore      *self,
                                      gint64          since,
                                      gint64          now,
                                      const char     *department,
                                      GError        **error);

  /* Many changes in one transaction (seeding, the group commit of task
   * changes); each commit_change() in it is a savepoint that undoes only
   * itself when it fails; nested calls are an error. A failed end_batch()
   * with @commit has undone them all. */
  gboolean   (*begin_batch)          (IocdStore      *self,
                                      GError        **error);
  gboolean   (*end_batch)            (IocdStore      *self,
                                      gboolean        commit,
                                      GError        **error);

  /* Optional. Another handle on the same data, for the group commit to
   * write from a thread of its own while the main loop reads through this
   * one. Used by one thread at a time. NULL without an error when the
   * store cannot have one. */
  IocdStore *(*open_writer)          (IocdStore      *self,
                                      GError        **error);

  char      *(*get_meta)             (IocdStore      *self,
                                      const char     *key);
  gboolean   (*set_meta)             (IocdStore      *self,
                                      const char     *key,
                                      const char     *value,
                                      GError        **error);
};

GPtrArray *iocd_store_list_departments     (IocdStore *self, GError **error);
gboolean   iocd_store_save_department      (IocdStore *self, IocDepartment *department, GError **error);
GPtrArray *iocd_store_list_categories      (IocdStore *self, GError **error);
gboolean   iocd_store_save_category        (IocdStore *self, IocCategory *category, GError **error);
GPtrArray *iocd_store_list_communes        (IocdStore *self, GError **error);
gboolean   iocd_store_save_commune         (IocdStore *self, IocCommune *commune, GError **error);
gint64     iocd_store_create_user          (IocdStore *self, IocUser *user, const char *password_hash, GError **error);
gboolean   iocd_store_set_password         (IocdStore *self, const char *username, const char *password_hash, GError **error);
IocUser   *iocd_store_find_user            (IocdStore *self, const char *username, char **password_hash, GError **error);
GPtrArray *iocd_store_list_users           (IocdStore *self, GError **error);
gboolean   iocd_store_create_session       (IocdStore *self, const char *token_hash, gint64 user_id,
                                            gint64 created_at, gint64 expires_at, GError **error);
IocUser   *iocd_store_find_session         (IocdStore *self, const char *token_hash, gint64 now, GError **error);
gboolean   iocd_store_revoke_session       (IocdStore *self, const char *token_hash, gint64 now, GError **error);
gboolean   iocd_store_add_login_failure    (IocdStore *self, const char *username, gint64 at, GError **error);
GArray    *iocd_store_list_login_failures  (IocdStore *self, const char *username, gint64 since, GError **error);
gboolean   iocd_store_clear_login_failures (IocdStore *self, const char *username, GError **error);
IocTask   *iocd_store_get_task             (IocdStore *self, gint64 id, gboolean with_timeline, GError **error);
GPtrArray *iocd_store_list_tasks           (IocdStore *self, const IocdTaskQuery *query, char **next_cursor,
                                            GError **error);
gboolean   iocd_store_task_was_assigned_to (IocdStore *self, gint64 task_id, const char *department,
                                            GError **error);
gboolean   iocd_store_commit_change        (IocdStore *self, IocdChange *change, GError **error);
gboolean   iocd_store_find_idempotent      (IocdStore *self, gint64 user_id, const char *key,
                                            char **request_hash, guint *status, char **body, GError **error);
IocEvent  *iocd_store_commit_event         (IocdStore *self, const char *kind, const char *departments,
                                            JsonNode *data, gint64 at, GError **error);
GPtrArray *iocd_store_list_events          (IocdStore *self, gint64 after, const char *department,
                                            guint limit, GError **error);
gint64     iocd_store_last_event_seq       (IocdStore *self);
GPtrArray *iocd_store_department_overview  (IocdStore *self, gint64 since, gint64 now, const char *department,
                                            GError **error);
gboolean   iocd_store_begin_batch          (IocdStore *self, GError **error);
gboolean   iocd_store_end_batch            (IocdStore *self, gboolean commit, GError **error);
IocdStore *iocd_store_open_writer          (IocdStore *self, GError **error);
char      *iocd_store_get_meta             (IocdStore *self, const char *key);
gboolean   iocd_store_set_meta             (IocdStore *self, const char *key, const char *value, GError **error);

G_END_DECLS
