/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "ioc-core.h"

G_BEGIN_DECLS

/*
 * The console's one door to iocd. It owns the SoupSession (timeouts,
 * User-Agent, max-conns raised for the event WebSocket) and trusts exactly
 * one certificate: the one whose SHA-256 fingerprint the user confirmed
 * (like SSH). Every call is asynchronous; JSON is parsed in a worker thread.
 */

#define IOC_TYPE_CLIENT (ioc_client_get_type ())
G_DECLARE_FINAL_TYPE (IocClient, ioc_client, IOC, CLIENT, GObject)

#define IOC_CLIENT_ERROR (ioc_client_error_quark ())

typedef enum {
  IOC_CLIENT_ERROR_CERTIFICATE_CHANGED,  /* the pinned fingerprint does not match: a hard stop */
  IOC_CLIENT_ERROR_NETWORK,              /* cannot reach the server */
  IOC_CLIENT_ERROR_SERVER,               /* an answer that is not what the API says */
  IOC_CLIENT_ERROR_CERTIFICATE_NOT_CONFIRMED, /* no fingerprint pinned yet: probe first */
} IocClientError;

GQuark      ioc_client_error_quark          (void);

/* @base_uri: "https://host:port"; @fingerprint: the pinned SHA-256 (hex
 * pairs joined by ':'), or NULL before the user has confirmed one. */
IocClient  *ioc_client_new                  (const char  *base_uri,
                                             const char  *fingerprint);
const char *ioc_client_get_base_uri         (IocClient   *self);
const char *ioc_client_get_fingerprint      (IocClient   *self);
void        ioc_client_set_fingerprint      (IocClient   *self,
                                             const char  *fingerprint);
const char *ioc_client_get_token            (IocClient   *self);
void        ioc_client_set_token            (IocClient   *self,
                                             const char  *token);
IocUser    *ioc_client_get_user             (IocClient   *self);
SoupSession *ioc_client_get_session         (IocClient   *self);

/* Connects once and returns the fingerprint of the certificate the server
 * presents, for the user to confirm (first connection). */
void        ioc_client_probe_async          (IocClient           *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
char       *ioc_client_probe_finish         (IocClient           *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* POST /session: on success the client keeps the token and the user. */
void        ioc_client_sign_in_async        (IocClient           *self,
                                             const char          *username,
                                             const char          *password,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
IocUser    *ioc_client_sign_in_finish       (IocClient           *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* GET /session with the kept token: checks that a stored token still works. */
void        ioc_client_resume_async         (IocClient           *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
IocUser    *ioc_client_resume_finish        (IocClient           *self,
                                             GAsyncResult        *result,
                                             GError             **error);

void        ioc_client_sign_out_async       (IocClient           *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    ioc_client_sign_out_finish      (IocClient           *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* GET @path_and_query (e.g. "/api/v1/tasks?limit=500"): the JSON answer,
 * parsed in a worker thread. Errors from the server come as IOC_ERROR with
 * its message. */
void        ioc_client_get_json_async       (IocClient           *self,
                                             const char          *path_and_query,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
JsonNode   *ioc_client_get_json_finish      (IocClient           *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* POST @body to @path with an Idempotency-Key (a retry passes the same key;
 * NULL sends none). When the server answers with an error, *error_body (if
 * given) gets its whole answer: a 409 carries error.changed_by and the
 * current task, a refused submission its bad lines. */
void        ioc_client_post_json_async      (IocClient           *self,
                                             const char          *path,
                                             JsonNode            *body,
                                             const char          *idempotency_key,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
JsonNode   *ioc_client_post_json_finish     (IocClient           *self,
                                             GAsyncResult        *result,
                                             JsonNode           **error_body,
                                             GError             **error);

/* A fresh random Idempotency-Key. */
char       *ioc_client_new_idempotency_key  (void);

G_END_DECLS
