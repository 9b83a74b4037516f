/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <string.h>

#include "ioc-client.h"
#include "ioc-client-private.h"
#include "ioc-tls-database.h"

/* What the pin check left on a message, so that a failed request can say
 * which certificate was refused and which one was expected. */
#define PINNED_KEY        "ioc-client-pinned"
#define PROBE_KEY         "ioc-client-probe"
#define SEEN_KEY          "ioc-client-seen-fingerprint"
#define EXPECTED_KEY      "ioc-client-expected-fingerprint"
#define REFUSED_KEY       "ioc-client-refused"

struct _IocClient
{
  GObject      parent_instance;

  char        *base_uri;
  char        *fingerprint;
  char        *token;
  IocUser     *user;
  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (IocClient, ioc_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (ioc-client-error-quark, ioc_client_error)

enum {
  PROP_0,
  PROP_BASE_URI,
  PROP_FINGERPRINT,
  PROP_TOKEN,
  PROP_USER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Fingerprints */

static char *
certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GString) out = g_string_new (NULL);
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;

  g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &digest_len);
  /* The same form iocd prints, so the user can compare them by eye. */
  for (gsize i = 0; i < digest_len; i++)
    g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", digest[i]);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Users may paste a fingerprint in lower case or with spaces around it. */
static char *
normalize_fingerprint (const char *fingerprint)
{
  g_autofree char *stripped = NULL;

  if (fingerprint == NULL)
    return NULL;

  stripped = g_strstrip (g_strdup (fingerprint));
  if (*stripped == '\0')
    return NULL;

  return g_ascii_strup (stripped, -1);
}

static gboolean
on_message_accept_certificate_cb (SoupMessage          *msg,
                                  GTlsCertificate      *certificate,
                                  GTlsCertificateFlags  errors,
                                  IocClient            *self)
{
  g_autofree char *seen = certificate_fingerprint (certificate);
  gboolean probe = g_object_get_data (G_OBJECT (msg), PROBE_KEY) != NULL;

  g_object_set_data_full (G_OBJECT (msg), SEEN_KEY, g_strdup (seen), g_free);

  /* The pin alone decides: a certificate signed by some authority is worth
   * nothing here, and one that does not match is never accepted. */
  if (seen != NULL && self->fingerprint != NULL && g_str_equal (seen, self->fingerprint))
    return TRUE;

  /* Nothing confirmed yet: only the probe may look, and it sends nothing
   * that needs protecting. */
  if (seen != NULL && self->fingerprint == NULL && probe)
    return TRUE;

  g_object_set_data (G_OBJECT (msg), REFUSED_KEY, GINT_TO_POINTER (TRUE));
  g_object_set_data_full (G_OBJECT (msg), EXPECTED_KEY, g_strdup (self->fingerprint), g_free);
  return FALSE;
}

/* Every message that goes through the session is held to the pin, also
 * ones that other parts of the console build by hand. */
static void
on_session_request_queued_cb (SoupSession *session,
                              SoupMessage *msg,
                              IocClient   *self)
{
  if (g_object_get_data (G_OBJECT (msg), PINNED_KEY) != NULL)
    return;

  g_object_set_data (G_OBJECT (msg), PINNED_KEY, GINT_TO_POINTER (TRUE));
  g_signal_connect_object (msg, "accept-certificate",
                           G_CALLBACK (on_message_accept_certificate_cb), self, 0);
}

/* The one place that makes the console's SoupSession. */
static SoupSession *
create_session (IocClient *self)
{
  SoupSession *session;

  /* Each new connection would otherwise copy the system's authorities
   * on the main loop first (see ioc-tls-database.c). */
  ioc_tls_database_install ();

  /* No TLS database: otherwise a certificate some authority signed would be
   * accepted before the pin is even asked. The event WebSocket keeps one
   * connection busy, hence more than the default two per host. */
  session = soup_session_new_with_options ("timeout", 30,
                                           "idle-timeout", 60,
                                           "tls-database", NULL,
                                           "max-conns-per-host", 8,
                                           "user-agent", "ioc-console/" PACKAGE_VERSION,
                                           NULL);
  g_signal_connect_object (session, "request-queued",
                           G_CALLBACK (on_session_request_queued_cb), self, 0);

  return session;
}

/* Errors */

GError *
ioc_client_translate_error (IocClient    *self,
                            SoupMessage  *msg,
                            const GError *error)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      error->domain == IOC_CLIENT_ERROR || error->domain == IOC_ERROR)
    return g_error_copy (error);

  if (msg != NULL && g_object_get_data (G_OBJECT (msg), REFUSED_KEY) != NULL)
    {
      const char *seen = g_object_get_data (G_OBJECT (msg), SEEN_KEY);
      const char *expected = g_object_get_data (G_OBJECT (msg), EXPECTED_KEY);

      if (expected == NULL)
        return g_error_new (IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_CERTIFICATE_NOT_CONFIRMED,
                            "The certificate of %s (SHA-256 fingerprint %s) has not been confirmed yet.",
                            self->base_uri, seen ? seen : "unknown");

      return g_error_new (IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_CERTIFICATE_CHANGED,
                          "The certificate of %s has changed: it now has the SHA-256 fingerprint %s, "
                          "but this console trusts %s. Someone may be intercepting the connection; "
                          "ask the administrator whether the server's certificate was replaced "
                          "before connecting again.",
                          self->base_uri, seen ? seen : "unknown", expected);
    }

  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_NETWORK,
                        "The server name in %s cannot be found. Check the address and the network connection.",
                        self->base_uri);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_NETWORK,
                        "A secure connection to %s could not be made (%s).",
                        self->base_uri, error->message);

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_CONNECTION_REFUSED:
          return g_error_new (IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_NETWORK,
                              "The server at %s does not accept connections: it may be stopped, "
                              "or the address may be wrong.",
                              self->base_uri);
        case G_IO_ERROR_TIMED_OUT:
          return g_error_new (IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_NETWORK,
                              "The server at %s did not answer in time.", self->base_uri);
        case G_IO_ERROR_NETWORK_UNREACHABLE:
        case G_IO_ERROR_HOST_UNREACHABLE:
          return g_error_new (IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_NETWORK,
                              "The server at %s cannot be reached. Check the network connection.",
                              self->base_uri);
        case G_IO_ERROR_CONNECTION_CLOSED:
        case G_IO_ERROR_PARTIAL_INPUT:
          return g_error_new (IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_NETWORK,
                              "The connection to %s was interrupted. Try again.", self->base_uri);
        default:
          break;
        }
    }

  return g_error_new (IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_NETWORK,
                      "Cannot reach the server at %s (%s).", self->base_uri, error->message);
}

static const char *
object_get_string (JsonObject *object,
                   const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonObject *
object_get_object (JsonObject *object,
                   const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

/* The server's {"error": {code, message, field}} as IOC_ERROR with the same
 * code, so the console reacts to the code the server sent. */
static GError *
error_from_answer (guint       status,
                   const char *reason,
                   JsonNode   *node)
{
  JsonObject *object = NULL;
  const char *code = NULL;
  const char *message = NULL;
  const char *field = NULL;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    object = object_get_object (json_node_get_object (node), "error");
  if (object != NULL)
    {
      code = object_get_string (object, "code");
      message = object_get_string (object, "message");
      field = object_get_string (object, "field");
    }

  if (code != NULL && message != NULL)
    {
      for (int i = IOC_ERROR_INVALID; i <= IOC_ERROR_UNAVAILABLE; i++)
        {
          GError probe = { IOC_ERROR, i, NULL };

          if (!g_str_equal (ioc_error_code_string (&probe), code))
            continue;

          /* ioc_error_get_field() finds the field by the message's prefix. */
          if (field != NULL && *field != '\0' &&
              !(g_str_has_prefix (message, field) && g_str_has_prefix (message + strlen (field), ": ")))
            return g_error_new (IOC_ERROR, i, "%s: %s", field, message);

          return g_error_new_literal (IOC_ERROR, i, message);
        }
    }

  return g_error_new (IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_SERVER,
                      "The server answered “%u %s”, which this console does not understand.",
                      status, reason ? reason : soup_status_get_phrase (status));
}

/* Requests */

typedef struct {
  SoupMessage *msg;
  GBytes      *bytes;
  guint        status;
  char        *reason;
  JsonNode    *error_body;   /* set by the worker for an error answer */
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->msg);
  g_clear_pointer (&request->bytes, g_bytes_unref);
  g_clear_pointer (&request->error_body, json_node_unref);
  g_free (request->reason);
  g_free (request);
}

SoupMessage *
ioc_client_new_message (IocClient  *self,
                        const char *method,
                        const char *path_and_query)
{
  g_autofree char *uri = NULL;
  SoupMessage *msg;

  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path_and_query != NULL && path_and_query[0] == '/', NULL);

  uri = g_strconcat (self->base_uri, path_and_query, NULL);
  msg = soup_message_new (method, uri);
  if (msg == NULL)
    return NULL;

  if (self->token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }

  return msg;
}

static void
parse_answer_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *data = NULL;
  gsize len = 0;

  if (request->bytes != NULL)
    data = g_bytes_get_data (request->bytes, &len);

  if (SOUP_STATUS_IS_SUCCESSFUL (request->status))
    {
      /* 204 No Content: success without an answer. */
      if (len == 0)
        {
          g_task_return_pointer (task, NULL, NULL);
          return;
        }

      node = ioc_json_parse (data, len, &error);
      if (node == NULL)
        {
          g_task_return_new_error (task, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_SERVER,
                                   "The server's answer cannot be read: %s", error->message);
          return;
        }

      g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify) json_node_unref);
      return;
    }

  if (len > 0)
    node = ioc_json_parse (data, len, NULL);

  error = error_from_answer (request->status, request->reason, node);
  if (error->domain == IOC_ERROR)
    request->error_body = g_steal_pointer (&node);

  g_task_return_error (task, g_steal_pointer (&error));
}

static void
send_and_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IocClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  request->bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (request->bytes == NULL)
    {
      g_task_return_error (task, ioc_client_translate_error (self, request->msg, error));
      return;
    }

  /* SoupMessage is not thread-safe: read what the worker needs here. */
  request->status = soup_message_get_status (request->msg);
  request->reason = g_strdup (soup_message_get_reason_phrase (request->msg));

  ioc_task_run_in_background (task, parse_answer_thread);
}

/* Sends @msg and parses the answer in a worker thread; see send_finish(). */
static void
send_async (IocClient           *self,
            SoupMessage         *msg,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  if (msg == NULL)
    {
      g_task_return_new_error (task, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_NETWORK,
                               "“%s” is not a valid server address.", self->base_uri);
      return;
    }

  /* Nothing goes to a server whose certificate the user has not confirmed. */
  if (self->fingerprint == NULL)
    {
      g_task_return_new_error (task, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_CERTIFICATE_NOT_CONFIRMED,
                               "The certificate of %s has not been confirmed yet.", self->base_uri);
      return;
    }

  request = g_new0 (Request, 1);
  request->msg = g_object_ref (msg);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    send_and_read_cb, g_steal_pointer (&task));
}

static JsonNode *
send_finish (IocClient     *self,
             GAsyncResult  *result,
             JsonNode     **error_body,
             GError       **error)
{
  Request *request = g_task_get_task_data (G_TASK (result));

  if (error_body != NULL)
    *error_body = (request != NULL && request->error_body != NULL) ? json_node_ref (request->error_body) : NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
set_request_json (SoupMessage *msg,
                  JsonNode    *body)
{
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;

  text = json_to_string (body, FALSE);
  len = strlen (text);
  bytes = g_bytes_new_take (g_steal_pointer (&text), len);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
}

/* GObject */

static void
ioc_client_finalize (GObject *object)
{
  IocClient *self = (IocClient *) object;

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_pointer (&self->base_uri, g_free);
  g_clear_pointer (&self->fingerprint, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->user, ioc_user_unref);

  G_OBJECT_CLASS (ioc_client_parent_class)->finalize (object);
}

static void
ioc_client_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  IocClient *self = IOC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URI:
      g_value_set_string (value, self->base_uri);
      break;

    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;

    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;

    case PROP_USER:
      g_value_set_boxed (value, self->user);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_client_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  IocClient *self = IOC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URI:
      {
        const char *uri = g_value_get_string (value);
        gsize len = uri ? strlen (uri) : 0;

        /* Paths are appended as "/api/v1/…". */
        while (len > 0 && uri[len - 1] == '/')
          len--;
        g_free (self->base_uri);
        self->base_uri = g_strndup (uri ? uri : "", len);
      }
      break;

    case PROP_FINGERPRINT:
      ioc_client_set_fingerprint (self, g_value_get_string (value));
      break;

    case PROP_TOKEN:
      ioc_client_set_token (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_client_class_init (IocClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ioc_client_finalize;
  object_class->get_property = ioc_client_get_property;
  object_class->set_property = ioc_client_set_property;

  properties[PROP_BASE_URI] =
    g_param_spec_string ("base-uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FINGERPRINT] =
    g_param_spec_string ("fingerprint", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER] =
    g_param_spec_boxed ("user", NULL, NULL, IOC_TYPE_USER,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ioc_client_init (IocClient *self)
{
  self->session = create_session (self);
}

IocClient *
ioc_client_new (const char *base_uri,
                const char *fingerprint)
{
  g_return_val_if_fail (base_uri != NULL, NULL);

  return g_object_new (IOC_TYPE_CLIENT,
                       "base-uri", base_uri,
                       "fingerprint", fingerprint,
                       NULL);
}

const char *
ioc_client_get_base_uri (IocClient *self)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);

  return self->base_uri;
}

const char *
ioc_client_get_fingerprint (IocClient *self)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);

  return self->fingerprint;
}

void
ioc_client_set_fingerprint (IocClient  *self,
                            const char *fingerprint)
{
  g_autofree char *normalized = normalize_fingerprint (fingerprint);

  g_return_if_fail (IOC_IS_CLIENT (self));

  if (g_strcmp0 (normalized, self->fingerprint) == 0)
    return;

  g_free (self->fingerprint);
  self->fingerprint = g_steal_pointer (&normalized);

  /* A pooled connection was checked against the old pin (or none, after a
   * probe): it must not carry requests under the new one. */
  soup_session_abort (self->session);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINGERPRINT]);
}

const char *
ioc_client_get_token (IocClient *self)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);

  return self->token;
}

void
ioc_client_set_token (IocClient  *self,
                      const char *token)
{
  g_return_if_fail (IOC_IS_CLIENT (self));

  if (g_strcmp0 (token, self->token) == 0)
    return;

  g_free (self->token);
  self->token = g_strdup (token);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
}

static void
set_user (IocClient *self,
          IocUser   *user)
{
  if (user == self->user)
    return;

  g_clear_pointer (&self->user, ioc_user_unref);
  self->user = user ? ioc_user_ref (user) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

IocUser *
ioc_client_get_user (IocClient *self)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);

  return self->user;
}

SoupSession *
ioc_client_get_session (IocClient *self)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);

  return self->session;
}

/* Probe */

static void
probe_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IocClient *self = g_task_get_source_object (task);
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;
  char *fingerprint;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, ioc_client_translate_error (self, msg, error));
      return;
    }

  /* Any answer will do: what the user confirms is the certificate. */
  certificate = soup_message_get_tls_peer_certificate (msg);
  fingerprint = certificate ? certificate_fingerprint (certificate) : NULL;
  if (fingerprint == NULL)
    {
      g_task_return_new_error (task, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_SERVER,
                               "%s did not present a certificate.", self->base_uri);
      return;
    }

  g_task_return_pointer (task, fingerprint, g_free);
}

void
ioc_client_probe_async (IocClient           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *uri = NULL;

  g_return_if_fail (IOC_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ioc_client_probe_async);

  /* GET /server needs no token, and none is sent to a server not yet trusted. */
  uri = g_strconcat (self->base_uri, "/api/v1/server", NULL);
  msg = soup_message_new ("GET", uri);
  if (msg == NULL)
    {
      g_task_return_new_error (task, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_NETWORK,
                               "“%s” is not a valid server address.", self->base_uri);
      return;
    }

  /* A pooled connection would skip the handshake, and with it the look at
   * the certificate. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);
  /* Nor may the probe's connection stay in the pool: it was let through
   * without a pin, and a later request would ride on it unchecked. */
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Connection", "close");
  g_object_set_data (G_OBJECT (msg), PROBE_KEY, GINT_TO_POINTER (TRUE));
  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);

  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    probe_cb, g_steal_pointer (&task));
}

char *
ioc_client_probe_finish (IocClient     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, ioc_client_probe_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Sessions */

static void
sign_in_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  IocClient *self = IOC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(IocUser) user = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object = NULL;
  JsonObject *user_object = NULL;
  const char *token = NULL;

  node = send_finish (self, result, NULL, &error);
  if (node == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_SERVER,
                                     "The server's answer to signing in is empty.");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    object = json_node_get_object (node);
  if (object != NULL)
    {
      token = object_get_string (object, "token");
      user_object = object_get_object (object, "user");
    }
  if (token != NULL && user_object != NULL)
    user = ioc_user_from_json (user_object, &error);

  if (user == NULL)
    {
      g_task_return_new_error (task, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_SERVER,
                               "The server's answer to signing in is not what the API says%s%s",
                               error ? ": " : ".", error ? error->message : "");
      return;
    }

  ioc_client_set_token (self, token);
  set_user (self, user);
  g_task_return_pointer (task, g_steal_pointer (&user), (GDestroyNotify) ioc_user_unref);
}

void
ioc_client_sign_in_async (IocClient           *self,
                          const char          *username,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (IOC_IS_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ioc_client_sign_in_async);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  /* A token of an earlier session must not travel with the password. */
  msg = ioc_client_new_message (self, "POST", "/api/v1/session");
  if (msg != NULL)
    {
      soup_message_headers_remove (soup_message_get_request_headers (msg), "Authorization");
      set_request_json (msg, body);
    }

  send_async (self, msg, ioc_client_sign_in_async, cancellable, sign_in_cb, g_steal_pointer (&task));
}

IocUser *
ioc_client_sign_in_finish (IocClient     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, ioc_client_sign_in_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
resume_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  IocClient *self = IOC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(IocUser) user = NULL;
  g_autoptr(GError) error = NULL;

  node = send_finish (self, result, NULL, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    user = ioc_user_from_json (json_node_get_object (node), &error);
  if (user == NULL)
    {
      g_task_return_new_error (task, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_SERVER,
                               "The server's answer about the session is not what the API says%s%s",
                               error ? ": " : ".", error ? error->message : "");
      return;
    }

  set_user (self, user);
  g_task_return_pointer (task, g_steal_pointer (&user), (GDestroyNotify) ioc_user_unref);
}

void
ioc_client_resume_async (IocClient           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_return_if_fail (IOC_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ioc_client_resume_async);

  msg = ioc_client_new_message (self, "GET", "/api/v1/session");
  send_async (self, msg, ioc_client_resume_async, cancellable, resume_cb, g_steal_pointer (&task));
}

IocUser *
ioc_client_resume_finish (IocClient     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, ioc_client_resume_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sign_out_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  IocClient *self = IOC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = send_finish (self, result, NULL, &error);

  /* The token is forgotten here whatever the server said: the user asked to
   * leave. A 401 means it had ended already, which is what was wanted. A
   * sign-in that answered first brought a new token: that one stays. */
  if (g_strcmp0 (self->token, g_task_get_task_data (task)) == 0)
    {
      ioc_client_set_token (self, NULL);
      set_user (self, NULL);
    }

  if (error != NULL && !g_error_matches (error, IOC_ERROR, IOC_ERROR_UNAUTHORIZED))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
ioc_client_sign_out_async (IocClient           *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_return_if_fail (IOC_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ioc_client_sign_out_async);

  if (self->token == NULL)
    {
      set_user (self, NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_task_set_task_data (task, g_strdup (self->token), g_free);
  msg = ioc_client_new_message (self, "DELETE", "/api/v1/session");
  send_async (self, msg, ioc_client_sign_out_async, cancellable, sign_out_cb, g_steal_pointer (&task));
}

gboolean
ioc_client_sign_out_finish (IocClient     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, ioc_client_sign_out_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* JSON */

void
ioc_client_get_json_async (IocClient           *self,
                           const char          *path_and_query,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(SoupMessage) msg = NULL;

  g_return_if_fail (IOC_IS_CLIENT (self));
  g_return_if_fail (path_and_query != NULL && path_and_query[0] == '/');
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  msg = ioc_client_new_message (self, "GET", path_and_query);
  send_async (self, msg, ioc_client_get_json_async, cancellable, callback, user_data);
}

JsonNode *
ioc_client_get_json_finish (IocClient     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, ioc_client_get_json_async), NULL);

  return send_finish (self, result, NULL, error);
}

void
ioc_client_post_json_async (IocClient           *self,
                            const char          *path,
                            JsonNode            *body,
                            const char          *idempotency_key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(SoupMessage) msg = NULL;

  g_return_if_fail (IOC_IS_CLIENT (self));
  g_return_if_fail (path != NULL && path[0] == '/');
  g_return_if_fail (body != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  msg = ioc_client_new_message (self, "POST", path);
  if (msg != NULL)
    {
      set_request_json (msg, body);
      if (idempotency_key != NULL)
        soup_message_headers_replace (soup_message_get_request_headers (msg),
                                      "Idempotency-Key", idempotency_key);
    }

  send_async (self, msg, ioc_client_post_json_async, cancellable, callback, user_data);
}

JsonNode *
ioc_client_post_json_finish (IocClient     *self,
                             GAsyncResult  *result,
                             JsonNode     **error_body,
                             GError       **error)
{
  g_return_val_if_fail (IOC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, ioc_client_post_json_async), NULL);

  return send_finish (self, result, error_body, error);
}

char *
ioc_client_new_idempotency_key (void)
{
  return g_uuid_string_random ();
}
