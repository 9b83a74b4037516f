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
};

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

void      iocd_server_handle_tasks    (IocdServer   *self,
                                       IocdRequest  *request,
                                       char        **segments);

G_END_DECLS
