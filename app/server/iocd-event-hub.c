/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-events"

#include "config.h"

#include <string.h>

#include "iocd-event-hub.h"

/* Catch-up reads the log in pages so that a client far behind never holds
 * the main loop for long. */
#define CATCH_UP_PAGE 500

/* Sessions also end outside this process (iocd user passwd) or by expiry:
 * every open stream's session is checked again this often. */
#define SESSION_CHECK_S 30

/* Events for one client are gathered while the main loop is busy and sent as
 * one message when it comes round: a burst costs one frame, its TLS records
 * and its writes once, instead of once per event.  A message stops growing at this size, so that it
 * stays within what a client accepts (libsoup's default limit is 128 KiB). */
#define BATCH_MAX_BYTES (64 * 1024)

/* Under a steady stream of changes, messages leave at most this often: each
 * one costs a TLS record and a write per client (50 clients, 50 writes), so
 * the events of several group commits go out as one message, for a few
 * milliseconds of delay. After a quiet moment the next event leaves at
 * once. */
#define FLUSH_INTERVAL_US (8 * 1000)

typedef struct {
  IocdEventHub            *hub;
  SoupWebsocketConnection *connection;
  IocUser                 *user;
  char                    *token_hash;
  char                    *needle;       /* ",DEPARTMENT," of a liaison, else NULL */
  gint64                   cursor;       /* the last seq this client has been sent or skipped */
  gboolean                 live;
  guint                    catch_up_id;
  gulong                   closed_id;
  GPtrArray               *queue;        /* GRefString: rendered events not yet sent, in seq order */
  gsize                    queued_bytes;
} Client;

struct _IocdEventHub
{
  GObject    parent_instance;

  IocdStore *store;
  GList     *clients;
  guint      session_check_id;
  guint      flush_id;
  gint64     last_flush;    /* monotonic time */
};

G_DEFINE_FINAL_TYPE (IocdEventHub, iocd_event_hub, G_TYPE_OBJECT)

static void
client_free (Client *client)
{
  g_clear_handle_id (&client->catch_up_id, g_source_remove);
  g_clear_signal_handler (&client->closed_id, client->connection);
  g_clear_pointer (&client->queue, g_ptr_array_unref);
  if (soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_clear_object (&client->connection);
  g_clear_pointer (&client->user, ioc_user_unref);
  g_free (client->token_hash);
  g_free (client->needle);
  g_free (client);
}

static const char *
client_department (Client *client)
{
  /* Operators and supervisors see everything; a liaison their department's. */
  return client->user->role == IOC_ROLE_LIAISON ? client->user->department : NULL;
}

static gboolean
client_wants_reporter (Client *client)
{
  return ioc_workflow_can_see_reporter (client->user->role);
}

/* What was sent to one client in this flush, for the next clients that
 * have the same events queued (every operator and supervisor, as a rule):
 * the array is joined once, not once per client. */
typedef struct {
  GPtrArray *queue;   /* the queue it was joined from, kept with its strings */
  char      *text;
} Joined;

#define JOINED_MAX 4

/* Sends what is queued: one event as itself, several as a JSON array of
 * events in seq order. @joined may be NULL. */
static void
client_flush (Client *client,
              Joined *joined)
{
  g_autoptr(GString) text = NULL;
  const char *message = NULL;

  if (client->queue->len == 0)
    return;

  if (soup_websocket_connection_get_state (client->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      /* Nobody to send to: "closed" comes next and frees the client. */
    }
  else if (client->queue->len == 1)
    soup_websocket_connection_send_text (client->connection, g_ptr_array_index (client->queue, 0));
  else
    {
      guint free_slot = JOINED_MAX;

      for (guint j = 0; joined != NULL && j < JOINED_MAX && message == NULL; j++)
        {
          if (joined[j].queue == NULL)
            {
              free_slot = MIN (free_slot, j);
              continue;
            }
          if (joined[j].queue->len == client->queue->len &&
              memcmp (joined[j].queue->pdata, client->queue->pdata, client->queue->len * sizeof (gpointer)) == 0)
            message = joined[j].text;
        }

      if (message == NULL)
        {
          /* Each element is the JSON generator's own output, shared by every
           * client that sees the event; only the brackets and commas are
           * added here, rather than generating the same event again per
           * client. */
          text = g_string_sized_new (client->queued_bytes + client->queue->len + 2);
          g_string_append_c (text, '[');
          for (guint i = 0; i < client->queue->len; i++)
            {
              const char *event = g_ptr_array_index (client->queue, i);

              if (i > 0)
                g_string_append_c (text, ',');
              g_string_append_len (text, event, g_ref_string_length ((char *) event));
            }
          g_string_append_c (text, ']');
          message = text->str;

          if (free_slot < JOINED_MAX)
            {
              /* The queue is kept (and its strings with it) until the flush ends. */
              joined[free_slot].queue = g_ptr_array_ref (client->queue);
              joined[free_slot].text = g_string_free (g_steal_pointer (&text), FALSE);
              message = joined[free_slot].text;
              client->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ref_string_release);
            }
        }
      soup_websocket_connection_send_text (client->connection, message);
    }

  g_ptr_array_set_size (client->queue, 0);
  client->queued_bytes = 0;
}

static void
client_queue (Client     *client,
              const char *text)
{
  gsize len = g_ref_string_length ((char *) text);

  if (client->queue->len > 0 && client->queued_bytes + len > BATCH_MAX_BYTES)
    client_flush (client, NULL);

  g_ptr_array_add (client->queue, g_ref_string_acquire ((char *) text));
  client->queued_bytes += len + 1;
}

static char *
render_event (IocEvent *event,
              gboolean  with_reporter)
{
  g_autoptr(JsonNode) node = ioc_event_to_json (event,
                                                with_reporter ? IOC_TASK_JSON_REPORTER : IOC_TASK_JSON_DEFAULT,
                                                g_get_real_time ());
  g_autofree char *text = json_to_string (node, FALSE);

  /* Shared, by reference, by the queues of every client that sees it. */
  return g_ref_string_new (text);
}

/* The committed event @text (the generator's output, with the reporter) as
 * those who may not see the reporter get it: the same bytes without the
 * task's "reporter" member, which is all that IOC_TASK_JSON_REPORTER adds.
 * Cutting it out costs a tenth of generating the event again. The first
 * ,"reporter":{ is the member (a quote inside a JSON string is escaped), and
 * its object holds strings and nulls only; NULL when @text is not so. */
static char *
strip_reporter (const char *text)
{
  static const char member[] = ",\"reporter\":{";
  const char *start = strstr (text, member);
  gboolean in_string = FALSE;

  if (start == NULL)
    return NULL;

  for (const char *p = start + strlen (member); *p != '\0'; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '{' || *p == '[')
        return NULL;
      else if (*p == '}')
        {
          gsize head = start - text;
          gsize tail = strlen (p + 1);
          char *out = g_malloc (head + tail + 1);
          char *ret;

          memcpy (out, text, head);
          memcpy (out + head, p + 1, tail + 1);
          ret = g_ref_string_new_len (out, head + tail);
          g_free (out);
          return ret;
        }
    }

  return NULL;
}

static gboolean
catch_up_cb (gpointer data)
{
  Client *client = data;
  IocdEventHub *self = client->hub;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  /* Read before the page, which holds every event up to here that this
   * client may see. */
  gint64 known = iocd_store_last_event_seq (self->store);

  events = iocd_store_list_events (self->store, client->cursor, client_department (client),
                                   CATCH_UP_PAGE, &error);
  if (events == NULL)
    {
      g_warning ("Cannot read the event log: %s", error->message);
      soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, NULL);
      client->catch_up_id = 0;
      return G_SOURCE_REMOVE;
    }

  for (guint i = 0; i < events->len; i++)
    {
      IocEvent *event = g_ptr_array_index (events, i);
      char *text = render_event (event, client_wants_reporter (client));

      client_queue (client, text);
      g_ref_string_release (text);
      client->cursor = event->seq;
    }

  /* Nothing live is queued before catch-up ends, so this keeps the order. */
  client_flush (client, NULL);

  if (events->len < CATCH_UP_PAGE)
    {
      /* Everything up to now is sent. An event committed since (the group
       * commit writes in a thread of its own) is after the cursor, and is
       * published live on this thread later; one committed but not yet
       * published when the page was read is in the page, and skipped when
       * it is published. */
      client->live = TRUE;
      client->catch_up_id = 0;
      client->cursor = MAX (client->cursor, known);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
on_closed_cb (SoupWebsocketConnection *connection,
              Client                  *client)
{
  IocdEventHub *self = client->hub;

  g_debug ("Event client of %s left", client->user->username);
  self->clients = g_list_remove (self->clients, client);
  client_free (client);
}

static void
client_end (Client *client)
{
  g_message ("Ending the event stream of %s: the session has ended", client->user->username);
  g_clear_handle_id (&client->catch_up_id, g_source_remove);
  client->live = FALSE;
  /* 1008, policy violation: the client must sign in again. */
  if (soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                     "the session has ended");
}

void
iocd_event_hub_end_session (IocdEventHub *self,
                            const char   *token_hash)
{
  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      Client *client = l->data;

      if (g_strcmp0 (client->token_hash, token_hash) == 0)
        client_end (client);
    }
}

static gboolean
session_check_cb (gpointer data)
{
  IocdEventHub *self = data;
  gint64 now = g_get_real_time ();

  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      Client *client = l->data;
      g_autoptr(IocUser) user = NULL;

      if (soup_websocket_connection_get_state (client->connection) != SOUP_WEBSOCKET_STATE_OPEN)
        continue;
      user = iocd_store_find_session (self->store, client->token_hash, now, NULL);
      if (user == NULL)
        client_end (client);
    }

  return G_SOURCE_CONTINUE;
}

void
iocd_event_hub_add_client (IocdEventHub            *self,
                           SoupWebsocketConnection *connection,
                           IocUser                 *user,
                           const char              *token_hash,
                           gint64                   after)
{
  Client *client = g_new0 (Client, 1);

  client->hub = self;
  client->connection = g_object_ref (connection);
  client->user = ioc_user_ref (user);
  client->token_hash = g_strdup (token_hash);
  client->cursor = after;
  if (user->role == IOC_ROLE_LIAISON && user->department != NULL)
    client->needle = g_strconcat (",", user->department, ",", NULL);
  client->closed_id = g_signal_connect (connection, "closed", G_CALLBACK (on_closed_cb), client);
  client->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ref_string_release);

  /* Notice a peer that vanished without closing (a cut cable, a suspended laptop). */
  soup_websocket_connection_set_keepalive_interval (connection, 30);

  self->clients = g_list_prepend (self->clients, client);
  client->catch_up_id = g_idle_add (catch_up_cb, client);
}

static gboolean
flush_cb (gpointer data)
{
  IocdEventHub *self = data;
  Joined joined[JOINED_MAX] = { { 0 } };

  self->flush_id = 0;
  self->last_flush = g_get_monotonic_time ();
  for (GList *l = self->clients, *next; l != NULL; l = next)
    {
      /* Taken first, in case a failed send ends this client. */
      next = l->next;
      client_flush (l->data, joined);
    }

  for (guint j = 0; j < JOINED_MAX; j++)
    {
      g_clear_pointer (&joined[j].queue, g_ptr_array_unref);
      g_free (joined[j].text);
    }

  return G_SOURCE_REMOVE;
}

static void
schedule_flush (IocdEventHub *self)
{
  gint64 wait;

  if (self->flush_id != 0)
    return;

  /* Sent when the main loop comes round, ahead of any other work, or
   * once FLUSH_INTERVAL_US has passed since the last message. */
  wait = self->last_flush + FLUSH_INTERVAL_US - g_get_monotonic_time ();
  if (wait <= 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_HIGH, flush_cb, self, NULL);
  else
    self->flush_id = g_timeout_add_full (G_PRIORITY_HIGH, (wait + 999) / 1000, flush_cb, self, NULL);
}

void
iocd_event_hub_publish (IocdEventHub *self,
                        IocEvent     *event,
                        const char   *departments)
{
  char *with_reporter = NULL;
  char *without_reporter = NULL;

  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      Client *client = l->data;

      /* Still catching up: the log read will bring this event in order. */
      if (!client->live || event->seq <= client->cursor ||
          soup_websocket_connection_get_state (client->connection) != SOUP_WEBSOCKET_STATE_OPEN)
        continue;

      client->cursor = event->seq;

      if (client->needle != NULL && (departments == NULL || strstr (departments, client->needle) == NULL))
        continue;

      if (client_wants_reporter (client))
        {
          /* The committer's rendering, when there is one, is this very text. */
          if (with_reporter == NULL)
            with_reporter = event->text != NULL ? g_ref_string_acquire (event->text)
                                                : render_event (event, TRUE);
          client_queue (client, with_reporter);
        }
      else
        {
          if (without_reporter == NULL && event->text != NULL)
            without_reporter = strip_reporter (event->text);
          if (without_reporter == NULL)
            without_reporter = render_event (event, FALSE);
          client_queue (client, without_reporter);
        }
    }

  g_clear_pointer (&with_reporter, g_ref_string_release);
  g_clear_pointer (&without_reporter, g_ref_string_release);

  schedule_flush (self);
}

guint
iocd_event_hub_n_clients (IocdEventHub *self)
{
  return g_list_length (self->clients);
}

IocdEventHub *
iocd_event_hub_new (IocdStore *store)
{
  IocdEventHub *self = g_object_new (IOCD_TYPE_EVENT_HUB, NULL);

  self->store = g_object_ref (store);
  self->session_check_id = g_timeout_add_seconds (SESSION_CHECK_S, session_check_cb, self);
  return self;
}

static void
iocd_event_hub_dispose (GObject *object)
{
  IocdEventHub *self = (IocdEventHub *) object;

  g_clear_handle_id (&self->session_check_id, g_source_remove);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_list_free_full (g_steal_pointer (&self->clients), (GDestroyNotify) client_free);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (iocd_event_hub_parent_class)->dispose (object);
}

static void
iocd_event_hub_class_init (IocdEventHubClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = iocd_event_hub_dispose;
}

static void
iocd_event_hub_init (IocdEventHub *self)
{
}
