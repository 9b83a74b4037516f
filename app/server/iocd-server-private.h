/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "iocd-event-hub.h"
#include "iocd-server.h"

G_BEGIN_DECLS

struct _IocdServer
{
  GObject          parent_instance;

  IocdConfig      *config;
  IocdStore       *store;
  GTlsCertificate *certificate;
  SoupServer      *soup;
  IocdEventHub    *hub;

  /* Reference data is small and read on every intake and forward. */
  GHashTable      *departments;  /* code → IocDepartment */
  GHashTable      *categories;   /* code → IocCategory */
  GHashTable      *communes;     /* code → IocCommune */

  /* Sign-ins being checked in a worker thread, per user name: they count
   * against the lockout before their outcome is known. */
  GHashTable      *logins_in_flight;

  /* Task changes checked and waiting for their group commit
   * (iocd-server-tasks.c), and the tasks and Idempotency-Keys they touch. */
  GPtrArray       *pending;
  GHashTable      *pending_tasks;   /* gint64 * task id */
  GHashTable      *pending_keys;    /* "user id:key" */
  guint            pending_id;

  /* The group being written by the writer's thread, which has a handle
   * of its own on the store; NULL (and no thread) where the store has no
   * second handle and groups are written on the main loop. */
  IocdStore          *writer;
  GThread            *writer_thread;
  GAsyncQueue        *writer_queue;   /* IocdBatch, to write */
  GMutex              writer_mutex;
  GCond               writer_cond;
  struct _IocdBatch  *committing;
};

typedef struct _IocdBatch IocdBatch;

/* The group commit (iocd-server-tasks.c). settle_writes() writes and
 * answers every task change checked so far: a write that appends events
 * on the main loop calls it first, so that events leave in seq order. */
void      iocd_server_start_writer    (IocdServer   *self);
void      iocd_server_stop_writer     (IocdServer   *self);
void      iocd_server_settle_writes   (IocdServer   *self);

/* One request being answered. */
typedef struct {
  IocdServer        *server;
  SoupServerMessage *msg;
  const char        *method;
  const char        *path;
  GHashTable        *query;     /* name → value, never NULL */
  GBytes            *body;
  IocUser           *user;      /* NULL before authentication */
  char              *token_hash;
  gint64             now;
} IocdRequest;

void      iocd_request_free           (IocdRequest  *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocdRequest, iocd_request_free)

void      iocd_request_send_json      (IocdRequest  *request,
                                       guint         status,
                                       JsonNode     *node);
void      iocd_request_send_text      (IocdRequest  *request,
                                       guint         status,
                                       const char   *json);
void      iocd_request_send_error     (IocdRequest  *request,
                                       const GError *error);
void      iocd_request_send_method_not_allowed (IocdRequest *request,
                                                const char  *allow);
JsonObject *iocd_request_parse_body   (IocdRequest  *request,
                                       GError      **error);

gboolean  iocd_server_reload_reference (IocdServer  *self,
                                        GError     **error);

/* Takes @request: a change is answered once it is committed. */
void      iocd_server_handle_tasks    (IocdServer   *self,
                                       IocdRequest  *request,
                                       char        **segments);

/* Applies one of the task list's filters (state, department, category,
 * commune, source, overdue, q, bbox) from a query string; *known is FALSE
 * for a name that is not one of them, for the caller to take. @folded
 * keeps the folded text that query->folded_text points to. */
gboolean  iocd_task_query_apply_filter (IocdServer     *self,
                                        IocdTaskQuery  *query,
                                        const char     *name,
                                        const char     *value,
                                        char          **folded,
                                        gboolean       *known,
                                        GError        **error);

/* Signed-in routes under /api/v1/: @segments follow the first one. */
void      iocd_server_handle_indicators (IocdServer   *self,
                                         IocdRequest  *request,
                                         char        **segments);
void      iocd_server_handle_stations   (IocdServer   *self,
                                         IocdRequest  *request,
                                         char        **segments);
void      iocd_server_handle_layers     (IocdServer   *self,
                                         IocdRequest  *request,
                                         char        **segments);
void      iocd_server_handle_overview   (IocdServer   *self,
                                         IocdRequest  *request,
                                         char        **segments);

/* Routes with their own authentication: Open311 (api_key) under
 * /open311/v2/ and sensor ingest (api_key or an admin's token) under
 * /api/v1/readings; map tiles under /tiles/ need a signed-in user.
 * @rest is the path after the prefix. */
void      iocd_server_handle_open311    (IocdServer   *self,
                                         IocdRequest  *request,
                                         const char   *rest);
void      iocd_server_handle_readings   (IocdServer   *self,
                                         IocdRequest  *request,
                                         char        **segments);
void      iocd_server_handle_tiles      (IocdServer   *self,
                                         IocdRequest  *request,
                                         const char   *rest);

/* For routes that authenticate on their own. */
IocUser  *iocd_request_authenticate      (IocdRequest  *request,
                                         GError      **error);
/* Publishes a committed event to the WebSocket clients. */
void      iocd_server_publish            (IocdServer   *self,
                                         IocEvent     *event,
                                         const char   *departments);

G_END_DECLS
