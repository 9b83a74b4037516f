/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include "ioc-event-stream.h"
#include "ioc-client-private.h"

#define KEEPALIVE_INTERVAL_S 20
/* libsoup 3.2 pings but does not notice missing pongs: after this long
 * without a message or a pong the link is taken for dead. */
#define SILENCE_LIMIT_S (3 * KEEPALIVE_INTERVAL_S)
/* An event carries a whole task; the server's body limit bounds it. */
#define MAX_MESSAGE_SIZE (1024 * 1024)

static const guint backoff_s[] = { 1, 2, 4, 8, 16, 30 };

struct _IocEventStream
{
  GObject                  parent_instance;

  IocClient               *client;
  SoupWebsocketConnection *connection;
  GCancellable            *cancellable;     /* of the connection attempt */
  guint                    retry_source;
  guint                    watchdog_source;
  guint                    attempts;        /* failures since the last connection */

  gint64                   last_seq;
  gint64                   last_contact;
  gboolean                 running;
  gboolean                 connected;

  /* Messages wait here to be parsed in a worker thread, one batch at a
   * time, so that events come out in the order they came in. */
  GPtrArray               *pending;
  gboolean                 parsing;
  /* Bumped by start and stop, so that a batch parsed for an earlier run is
   * not delivered into the next one. */
  guint                    generation;
};

G_DEFINE_FINAL_TYPE (IocEventStream, ioc_event_stream, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_CONNECTED,
  PROP_LAST_SEQ,
  PROP_LAST_CONTACT,
  N_PROPS
};

enum {
  EVENT,
  SESSION_ENDED,
  RELOAD_NEEDED,
  CERTIFICATE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void stream_connect (IocEventStream *self);

static void
set_connected (IocEventStream *self,
               gboolean        connected)
{
  if (self->connected == connected)
    return;

  self->connected = connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static void
touch (IocEventStream *self)
{
  self->last_contact = g_get_real_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_CONTACT]);
}

/* Parsing */

static void
parse_batch_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GPtrArray *messages = task_data;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_event_unref);

  for (guint i = 0; i < messages->len; i++)
    {
      GBytes *bytes = g_ptr_array_index (messages, i);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;
      JsonArray *array = NULL;
      guint n = 1;
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);

      /* A message is one event object, or an array of them in seq order
       * when the server sends a burst together. */
      node = ioc_json_parse (data, len, &error);
      if (node == NULL)
        {
          g_warning ("Skipping a message the server sent that cannot be read: %s", error->message);
          continue;
        }
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          array = json_node_get_array (node);
          n = json_array_get_length (array);
        }

      for (guint j = 0; j < n; j++)
        {
          JsonNode *element = array != NULL ? json_array_get_element (array, j) : node;
          g_autoptr(GError) event_error = NULL;
          IocEvent *event = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            g_set_error_literal (&event_error, IOC_ERROR, IOC_ERROR_MALFORMED, "not a JSON object");
          else
            event = ioc_event_from_json (json_node_get_object (element), &event_error);

          /* Only the error goes to the log: the event may hold a reporter's phone. */
          if (event == NULL)
            g_warning ("Skipping an event the server sent that cannot be read: %s", event_error->message);
          else
            g_ptr_array_add (events, event);
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&events), (GDestroyNotify) g_ptr_array_unref);
}

static void parse_pending (IocEventStream *self);

static void
parse_batch_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  IocEventStream *self = IOC_EVENT_STREAM (source);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(GPtrArray) events = g_task_propagate_pointer (G_TASK (result), NULL);
  gint64 first_seq = self->last_seq;

  self->parsing = FALSE;

  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      IocEvent *event = g_ptr_array_index (events, i);

      /* A handler may stop or restart the stream. */
      if (generation != self->generation)
        break;

      /* After a reconnection the server may repeat what is still waiting
       * here from the old connection: each seq is delivered once. */
      if (event->seq <= self->last_seq)
        continue;

      self->last_seq = event->seq;
      g_signal_emit (self, signals[EVENT], 0, event);
    }

  if (self->last_seq != first_seq)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEQ]);

  parse_pending (self);
}

static void
parse_pending (IocEventStream *self)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *batch;

  if (self->parsing || self->pending->len == 0)
    return;

  batch = g_steal_pointer (&self->pending);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->parsing = TRUE;

  task = g_task_new (self, NULL, parse_batch_cb, GUINT_TO_POINTER (self->generation));
  g_task_set_source_tag (task, parse_pending);
  g_task_set_task_data (task, batch, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, parse_batch_thread);
}

/* Connection */

static void
on_connection_message_cb (SoupWebsocketConnection *connection,
                          int                      type,
                          GBytes                  *message,
                          IocEventStream          *self)
{
  touch (self);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;

  g_ptr_array_add (self->pending, g_bytes_ref (message));
  parse_pending (self);
}

static void
on_connection_pong_cb (SoupWebsocketConnection *connection,
                       GBytes                  *message,
                       IocEventStream          *self)
{
  touch (self);
}

static void
on_connection_error_cb (SoupWebsocketConnection *connection,
                        GError                  *error,
                        IocEventStream          *self)
{
  /* "closed" follows, and the reconnection with it. */
  g_debug ("Event stream error: %s", error->message);
}

static void
drop_connection (IocEventStream *self)
{
  g_clear_handle_id (&self->watchdog_source, g_source_remove);

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->connection);
    }

  set_connected (self, FALSE);
}

static gboolean
retry_cb (gpointer user_data)
{
  IocEventStream *self = user_data;

  self->retry_source = 0;
  stream_connect (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_retry (IocEventStream *self)
{
  guint base_ms;
  guint delay_ms;

  if (!self->running || self->retry_source != 0)
    return;

  base_ms = backoff_s[MIN (self->attempts, G_N_ELEMENTS (backoff_s) - 1)] * 1000;
  /* Jitter, so that the consoles of a whole control room do not all come
   * back in the same second after the server restarts. */
  delay_ms = base_ms + (guint) g_random_int_range (0, (gint32) (base_ms / 4) + 1);
  self->attempts++;

  g_debug ("Event stream: reconnecting in %u ms, after seq %" G_GINT64_FORMAT,
           delay_ms, self->last_seq);
  self->retry_source = g_timeout_add (delay_ms, retry_cb, self);
}

static void
on_connection_closed_cb (SoupWebsocketConnection *connection,
                         IocEventStream          *self)
{
  g_debug ("Event stream closed (code %u)", soup_websocket_connection_get_close_code (connection));

  drop_connection (self);
  schedule_retry (self);
}

static gboolean
watchdog_cb (gpointer user_data)
{
  IocEventStream *self = user_data;

  if (self->connection != NULL &&
      g_get_real_time () - self->last_contact > SILENCE_LIMIT_S * G_USEC_PER_SEC)
    {
      g_debug ("Event stream: nothing heard for %d s, reconnecting", SILENCE_LIMIT_S);
      self->watchdog_source = 0;
      drop_connection (self);
      schedule_retry (self);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

/* Stops trying without forgetting the position; the signal says why. */
static void
halt (IocEventStream *self)
{
  self->running = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  drop_connection (self);
}

typedef struct {
  IocEventStream *self;
  SoupMessage    *msg;
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  g_clear_object (&attempt->self);
  g_clear_object (&attempt->msg);
  g_free (attempt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attempt, attempt_free)

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  IocEventStream *self = attempt->self;
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) translated = NULL;
  guint status;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!self->running)
    {
      if (connection != NULL)
        soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      return;
    }

  g_clear_object (&self->cancellable);

  if (connection == NULL)
    {
      translated = ioc_client_translate_error (self->client, attempt->msg, error);
      status = soup_message_get_status (attempt->msg);

      if (g_error_matches (translated, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_CERTIFICATE_CHANGED) ||
          g_error_matches (translated, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_CERTIFICATE_NOT_CONFIRMED))
        {
          halt (self);
          g_signal_emit (self, signals[CERTIFICATE_CHANGED], 0, translated);
          return;
        }

      switch (status)
        {
        case SOUP_STATUS_UNAUTHORIZED:
          halt (self);
          g_signal_emit (self, signals[SESSION_ENDED], 0);
          return;

        case SOUP_STATUS_BAD_REQUEST:
          /* The only 400 for a well-formed "after": ahead of the server's log. */
          halt (self);
          g_signal_emit (self, signals[RELOAD_NEEDED], 0);
          return;

        case SOUP_STATUS_FORBIDDEN:
          /* The role gets no events (admins): retrying cannot change that. */
          g_debug ("Event stream refused: this role receives no events");
          halt (self);
          return;

        default:
          g_debug ("Event stream: %s", translated->message);
          schedule_retry (self);
          return;
        }
    }

  self->connection = g_steal_pointer (&connection);
  self->attempts = 0;
  soup_websocket_connection_set_keepalive_interval (self->connection, KEEPALIVE_INTERVAL_S);
  soup_websocket_connection_set_max_incoming_payload_size (self->connection, MAX_MESSAGE_SIZE);
  g_signal_connect (self->connection, "message", G_CALLBACK (on_connection_message_cb), self);
  g_signal_connect (self->connection, "pong", G_CALLBACK (on_connection_pong_cb), self);
  g_signal_connect (self->connection, "error", G_CALLBACK (on_connection_error_cb), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (on_connection_closed_cb), self);
  self->watchdog_source = g_timeout_add_seconds (KEEPALIVE_INTERVAL_S, watchdog_cb, self);

  touch (self);
  set_connected (self, TRUE);
}

static void
stream_connect (IocEventStream *self)
{
  g_autofree char *path = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  Attempt *attempt;

  if (!self->running)
    return;

  /* Each attempt asks from the last event delivered, not from where the
   * stream started: that is what makes a reconnection lose nothing. */
  if (self->last_seq >= 0)
    path = g_strdup_printf ("/api/v1/events?after=%" G_GINT64_FORMAT, self->last_seq);
  else
    path = g_strdup ("/api/v1/events");

  /* Built by the client: it carries the token and goes through the pin. */
  msg = ioc_client_new_message (self->client, "GET", path);
  if (msg == NULL)
    {
      g_warning ("Event stream: the server address is not valid");
      halt (self);
      return;
    }

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  attempt = g_new0 (Attempt, 1);
  attempt->self = g_object_ref (self);
  attempt->msg = g_object_ref (msg);

  soup_session_websocket_connect_async (ioc_client_get_session (self->client), msg,
                                        NULL, NULL, G_PRIORITY_DEFAULT, self->cancellable,
                                        connect_cb, attempt);
}

/* GObject */

static void
ioc_event_stream_dispose (GObject *object)
{
  IocEventStream *self = (IocEventStream *) object;

  halt (self);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (ioc_event_stream_parent_class)->dispose (object);
}

static void
ioc_event_stream_finalize (GObject *object)
{
  IocEventStream *self = (IocEventStream *) object;

  g_clear_pointer (&self->pending, g_ptr_array_unref);

  G_OBJECT_CLASS (ioc_event_stream_parent_class)->finalize (object);
}

static void
ioc_event_stream_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  IocEventStream *self = IOC_EVENT_STREAM (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;

    case PROP_LAST_SEQ:
      g_value_set_int64 (value, self->last_seq);
      break;

    case PROP_LAST_CONTACT:
      g_value_set_int64 (value, self->last_contact);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_event_stream_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  IocEventStream *self = IOC_EVENT_STREAM (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_event_stream_class_init (IocEventStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ioc_event_stream_dispose;
  object_class->finalize = ioc_event_stream_finalize;
  object_class->get_property = ioc_event_stream_get_property;
  object_class->set_property = ioc_event_stream_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, IOC_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SEQ] =
    g_param_spec_int64 ("last-seq", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_CONTACT] =
    g_param_spec_int64 ("last-contact", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, IOC_TYPE_EVENT);
  signals[SESSION_ENDED] =
    g_signal_new ("session-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RELOAD_NEEDED] =
    g_signal_new ("reload-needed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CERTIFICATE_CHANGED] =
    g_signal_new ("certificate-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
ioc_event_stream_init (IocEventStream *self)
{
  self->last_seq = -1;
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

IocEventStream *
ioc_event_stream_new (IocClient *client)
{
  g_return_val_if_fail (IOC_IS_CLIENT (client), NULL);

  return g_object_new (IOC_TYPE_EVENT_STREAM, "client", client, NULL);
}

void
ioc_event_stream_start (IocEventStream *self,
                        gint64          after_seq)
{
  g_return_if_fail (IOC_IS_EVENT_STREAM (self));

  ioc_event_stream_stop (self);

  self->running = TRUE;
  self->attempts = 0;
  if (self->last_seq != after_seq)
    {
      self->last_seq = MAX (after_seq, -1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEQ]);
    }

  stream_connect (self);
}

void
ioc_event_stream_stop (IocEventStream *self)
{
  g_return_if_fail (IOC_IS_EVENT_STREAM (self));

  halt (self);
  self->generation++;
  g_ptr_array_set_size (self->pending, 0);
}

gboolean
ioc_event_stream_get_connected (IocEventStream *self)
{
  g_return_val_if_fail (IOC_IS_EVENT_STREAM (self), FALSE);

  return self->connected;
}

gint64
ioc_event_stream_get_last_seq (IocEventStream *self)
{
  g_return_val_if_fail (IOC_IS_EVENT_STREAM (self), -1);

  return self->last_seq;
}

gint64
ioc_event_stream_get_last_contact (IocEventStream *self)
{
  g_return_val_if_fail (IOC_IS_EVENT_STREAM (self), 0);

  return self->last_contact;
}
