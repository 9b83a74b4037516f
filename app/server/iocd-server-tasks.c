/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-tasks"

#include "config.h"

#include <string.h>

#include "iocd-server-private.h"

#define IDEMPOTENCY_KEY_MAX 128
#define PAGE_DEFAULT 100
#define PAGE_MAX 1000

static IocTaskJsonFlags
json_flags_for (IocUser *user)
{
  return ioc_workflow_can_see_reporter (user->role) ? IOC_TASK_JSON_REPORTER : IOC_TASK_JSON_DEFAULT;
}

static gboolean
user_may_see_task (IocdServer  *self,
                   IocUser     *user,
                   IocTask     *task)
{
  gboolean own = FALSE;

  if (user->role == IOC_ROLE_LIAISON)
    own = iocd_store_task_was_assigned_to (self->store, task->id, user->department, NULL);

  return ioc_workflow_can_see (user->role, own);
}

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  char *end = NULL;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;

  *id = g_ascii_strtoll (text, &end, 10);
  return *end == '\0' && *id > 0;
}

static char *
request_hash (IocdRequest *request)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = 0;
  const guchar *data = request->body ? g_bytes_get_data (request->body, &len) : NULL;

  g_checksum_update (checksum, (const guchar *) request->method, -1);
  g_checksum_update (checksum, (const guchar *) " ", 1);
  g_checksum_update (checksum, (const guchar *) request->path, -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  if (data != NULL)
    g_checksum_update (checksum, data, len);

  return g_strdup (g_checksum_get_string (checksum));
}

static void
set_location (IocdRequest *request,
              gint64       id)
{
  g_autofree char *location = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, id);

  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg), "Location", location);
}

static const char *
idempotency_key_of (IocdRequest *request)
{
  return soup_message_headers_get_one (soup_server_message_get_request_headers (request->msg), "Idempotency-Key");
}

/* Returns TRUE when the request was answered from an earlier attempt. */
static gboolean
answer_from_idempotency (IocdServer   *self,
                         IocdRequest  *request,
                         const char  **key_out,
                         char        **hash_out,
                         GError      **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (request->msg);
  const char *key = soup_message_headers_get_one (headers, "Idempotency-Key");
  g_autofree char *stored_hash = NULL;
  g_autofree char *stored_body = NULL;
  guint stored_status = 0;

  *key_out = NULL;
  *hash_out = NULL;

  if (key == NULL)
    return FALSE;

  if (*key == '\0' || strlen (key) > IDEMPOTENCY_KEY_MAX)
    {
      ioc_set_field_error (error, "Idempotency-Key", "must hold 1 to %d characters", IDEMPOTENCY_KEY_MAX);
      return FALSE;
    }
  for (const char *p = key; *p; p++)
    if (!g_ascii_isgraph (*p))
      {
        ioc_set_field_error (error, "Idempotency-Key", "must be printable ASCII without spaces");
        return FALSE;
      }

  *key_out = key;
  *hash_out = request_hash (request);

  if (!iocd_store_find_idempotent (self->store, request->user->id, key, &stored_hash, &stored_status,
                                   &stored_body, NULL))
    return FALSE;

  if (!g_str_equal (stored_hash, *hash_out))
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_IDEMPOTENCY,
                           "this Idempotency-Key was used for a different request");
      return FALSE;
    }

  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                "Idempotent-Replayed", "true");
  if (stored_status == 201)
    {
      g_autoptr(JsonNode) node = json_from_string (stored_body, NULL);

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        set_location (request, json_object_get_int_member_with_default (json_node_get_object (node), "id", 0));
    }
  iocd_request_send_text (request, stored_status, stored_body);
  return TRUE;
}

typedef struct {
  IocUser *user;
  gint64   now;
} RenderData;

static char *
render_task_response (IocdChange *change,
                      gpointer    user_data)
{
  RenderData *data = user_data;
  g_autoptr(JsonNode) node = NULL;
  IocTaskJsonFlags flags = json_flags_for (data->user);

  /* The store rendered the task for the event with the same flags and time:
   * the answer is those very bytes. */
  if (change->task_text != NULL && flags == IOC_TASK_JSON_REPORTER && data->now == change->entry->at)
    return g_strdup (change->task_text);

  node = ioc_task_to_json_node (change->task, flags, data->now);
  return json_to_string (node, FALSE);
}

static void send_conflict (IocdServer  *self,
                           IocdRequest *request,
                           gint64       id,
                           const char  *code,
                           const char  *message);

/* Group commit
 *
 * A task change is checked when its request comes, but written together
 * with the other changes checked in the same turn of the main loop: one
 * transaction, in which each change has a savepoint of its own, so that one
 * that fails (a version that moved, a reused Idempotency-Key) undoes only
 * itself. Its answer and its event go out once that transaction is
 * committed, so a 200 still means that the change is stored, and events
 * still leave in seq order. Writing a burst of forwards at once writes the
 * pages they share (the ends of the event log, the timeline and their
 * indexes) once, and commits once, instead of once per forward.
 *
 * A change is checked against what is committed. So that a second request
 * about the same task (or with the same Idempotency-Key) sees the first
 * one's outcome, as it would one after the other, the changes waiting are
 * committed before such a request is checked. Every other request is
 * ordered before the changes waiting: none of them has been answered. */

#define PENDING_MAX 64

typedef struct {
  IocdRequest *request;
  IocdChange   change;       /* owns change.task and change.entry */
  RenderData   render;
  char        *request_hash;
  gboolean     ok;
  GError      *error;
} PendingChange;

static void
pending_change_free (PendingChange *p)
{
  g_clear_pointer (&p->change.task, ioc_task_unref);
  g_clear_pointer (&p->change.entry, ioc_timeline_entry_unref);
  iocd_change_clear (&p->change);
  g_free (p->request_hash);
  g_clear_error (&p->error);
  g_clear_pointer (&p->request, iocd_request_free);
  g_free (p);
}

static char *
pending_key (gint64      user_id,
             const char *key)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%s", user_id, key);
}

/* The answer to one change of a committed group. */
static void
answer_change (IocdServer    *self,
               PendingChange *p)
{
  IocdRequest *request = p->request;
  IocdChange *change = &p->change;

  if (p->ok)
    {
      iocd_server_publish (self, change->event, change->departments);
      if (change->response_status == 201)
        set_location (request, change->task->id);
      else
        g_debug ("%s: task %" G_GINT64_FORMAT " %s → %s", request->user->username, change->task->id,
                 ioc_task_state_to_string (change->entry->from_state),
                 ioc_task_state_to_string (change->entry->to_state));
      iocd_request_send_text (request, change->response_status, change->response_body);
    }
  else if (change->expected_version != 0 && change->idempotency_key == NULL &&
           g_error_matches (p->error, IOC_ERROR, IOC_ERROR_CONFLICT))
    send_conflict (self, request, change->task->id, "conflict", p->error->message);
  else
    iocd_request_send_error (request, p->error);

  soup_server_message_unpause (request->msg);
}

/* Writes @changes in one transaction on @store; each gets its outcome. */
static void
write_group (IocdStore *store,
             GPtrArray *changes)
{
  g_autoptr(GError) error = NULL;

  if (iocd_store_begin_batch (store, &error))
    {
      for (guint i = 0; i < changes->len; i++)
        {
          PendingChange *p = g_ptr_array_index (changes, i);

          p->ok = iocd_store_commit_change (store, &p->change, &p->error);
        }
      iocd_store_end_batch (store, TRUE, &error);
    }

  /* Nothing is stored: no change may be answered as done, nor published. */
  if (error != NULL)
    for (guint i = 0; i < changes->len; i++)
      {
        PendingChange *p = g_ptr_array_index (changes, i);

        p->ok = FALSE;
        g_clear_error (&p->error);
        p->error = g_error_copy (error);
      }
}

/* The writer's thread
 *
 * With a store that can open a second handle (SQLite on a file), a group
 * is written by a thread of its own while the main loop goes on reading
 * requests, checking changes and sending events: the writes were two
 * fifths of the main loop's time under a stream of forwards. One group
 * is written at a time; the changes checked meanwhile wait for it and go
 * together in the next. Answers and events leave from the main loop, in
 * the order of the groups, so still in seq order. */

struct _IocdBatch {
  IocdServer *server;    /* not a reference: the server settles every batch before it goes */
  GPtrArray  *changes;   /* PendingChange */
  GHashTable *tasks;     /* the task ids it touches (gint64 *) */
  GHashTable *keys;      /* and its Idempotency-Keys, "user id:key" */
  gboolean    written;   /* under the server's writer_mutex */
  gboolean    answered;
};

static IocdBatch writer_stop;   /* queued to end the writer's thread */

static void
batch_free (IocdBatch *batch)
{
  g_clear_pointer (&batch->changes, g_ptr_array_unref);
  g_clear_pointer (&batch->tasks, g_hash_table_unref);
  g_clear_pointer (&batch->keys, g_hash_table_unref);
  g_free (batch);
}

static void commit_pending (IocdServer *self);

/* Answers a written batch, once. */
static void
finish_batch (IocdServer *self,
              IocdBatch  *batch,
              gboolean    next)
{
  if (batch->answered)
    return;
  batch->answered = TRUE;
  if (self->committing == batch)
    self->committing = NULL;

  for (guint i = 0; i < batch->changes->len; i++)
    answer_change (self, g_ptr_array_index (batch->changes, i));
  g_clear_pointer (&batch->changes, g_ptr_array_unref);

  /* What was checked meanwhile goes next, at once. */
  if (next && self->pending->len > 0)
    commit_pending (self);
}

static gboolean
batch_written_cb (gpointer data)
{
  IocdBatch *batch = data;

  if (!batch->answered)
    finish_batch (batch->server, batch, TRUE);
  batch_free (batch);
  return G_SOURCE_REMOVE;
}

static gpointer
writer_thread (gpointer data)
{
  IocdServer *self = data;

  for (;;)
    {
      IocdBatch *batch = g_async_queue_pop (self->writer_queue);

      if (batch == &writer_stop)
        break;

      write_group (self->writer, batch->changes);

      g_mutex_lock (&self->writer_mutex);
      batch->written = TRUE;
      g_cond_broadcast (&self->writer_cond);
      g_mutex_unlock (&self->writer_mutex);
      g_idle_add_full (G_PRIORITY_DEFAULT, batch_written_cb, batch, NULL);
    }

  return NULL;
}

/* Opens the writer's handle and starts its thread, when the store has
 * one; without, groups are written on the main loop. */
void
iocd_server_start_writer (IocdServer *self)
{
  g_autoptr(GError) error = NULL;

  self->writer = iocd_store_open_writer (self->store, &error);
  if (self->writer == NULL)
    {
      if (error != NULL)
        g_warning ("Task changes are written on the main loop: %s", error->message);
      return;
    }

  g_mutex_init (&self->writer_mutex);
  g_cond_init (&self->writer_cond);
  self->writer_queue = g_async_queue_new ();
  self->writer_thread = g_thread_new ("iocd-writer", writer_thread, self);
}

void
iocd_server_stop_writer (IocdServer *self)
{
  if (self->writer_thread == NULL)
    return;

  iocd_server_settle_writes (self);
  g_async_queue_push (self->writer_queue, &writer_stop);
  g_thread_join (g_steal_pointer (&self->writer_thread));
  g_clear_pointer (&self->writer_queue, g_async_queue_unref);
  g_mutex_clear (&self->writer_mutex);
  g_cond_clear (&self->writer_cond);
  g_clear_object (&self->writer);
}

/* Starts writing the changes waiting, unless a group is being written:
 * they go when it is done. */
static void
commit_pending (IocdServer *self)
{
  g_autoptr(GPtrArray) pending = NULL;
  IocdBatch *batch;

  g_clear_handle_id (&self->pending_id, g_source_remove);
  if (self->pending->len == 0 || self->committing != NULL)
    return;

  pending = g_steal_pointer (&self->pending);
  g_ptr_array_set_free_func (pending, (GDestroyNotify) pending_change_free);
  self->pending = g_ptr_array_new ();

  if (self->writer_thread == NULL)
    {
      g_hash_table_remove_all (self->pending_tasks);
      g_hash_table_remove_all (self->pending_keys);
      write_group (self->store, pending);
      for (guint i = 0; i < pending->len; i++)
        answer_change (self, g_ptr_array_index (pending, i));
      return;
    }

  batch = g_new0 (IocdBatch, 1);
  batch->server = self;
  batch->changes = g_steal_pointer (&pending);
  batch->tasks = g_steal_pointer (&self->pending_tasks);
  batch->keys = g_steal_pointer (&self->pending_keys);
  self->pending_tasks = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->pending_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->committing = batch;
  g_async_queue_push (self->writer_queue, batch);
}

static gboolean
commit_pending_cb (gpointer data)
{
  IocdServer *self = data;

  self->pending_id = 0;
  commit_pending (self);
  return G_SOURCE_REMOVE;
}

/* Writes and answers every change checked so far, before the caller goes
 * on: for what must see them, and for events that must follow theirs. */
void
iocd_server_settle_writes (IocdServer *self)
{
  IocdBatch *batch = self->committing;

  if (batch != NULL)
    {
      g_mutex_lock (&self->writer_mutex);
      while (!batch->written)
        g_cond_wait (&self->writer_cond, &self->writer_mutex);
      g_mutex_unlock (&self->writer_mutex);
      finish_batch (self, batch, FALSE);
    }

  if (self->pending->len == 0)
    return;

  /* The writer's thread is idle: its handle is the main loop's for now. */
  {
    g_autoptr(GPtrArray) pending = g_steal_pointer (&self->pending);

    g_clear_handle_id (&self->pending_id, g_source_remove);
    g_ptr_array_set_free_func (pending, (GDestroyNotify) pending_change_free);
    self->pending = g_ptr_array_new ();
    g_hash_table_remove_all (self->pending_tasks);
    g_hash_table_remove_all (self->pending_keys);
    if (self->writer != NULL)
      g_mutex_lock (&self->writer_mutex);
    write_group (self->writer != NULL ? self->writer : self->store, pending);
    if (self->writer != NULL)
      g_mutex_unlock (&self->writer_mutex);
    for (guint i = 0; i < pending->len; i++)
      answer_change (self, g_ptr_array_index (pending, i));
  }
}

/* Settles the changes written or waiting when one is about task @task_id
 * or uses @key (an Idempotency-Key of @user_id), so that what follows sees
 * it. */
static void
settle_pending (IocdServer *self,
                gint64      task_id,
                gint64      user_id,
                const char *key)
{
  g_autofree char *k = key != NULL ? pending_key (user_id, key) : NULL;
  IocdBatch *batch = self->committing;
  gboolean touching = FALSE;

  if (task_id != 0)
    touching = g_hash_table_contains (self->pending_tasks, &task_id) ||
               (batch != NULL && g_hash_table_contains (batch->tasks, &task_id));
  if (!touching && k != NULL)
    touching = g_hash_table_contains (self->pending_keys, k) ||
               (batch != NULL && g_hash_table_contains (batch->keys, k));

  if (touching)
    iocd_server_settle_writes (self);
}

/* Takes @request, @task and @change->entry; @change is copied. The request
 * is answered when the group is committed. */
static void
queue_change (IocdServer  *self,
              IocdRequest *request,
              IocTask     *task,
              IocdChange  *change)
{
  PendingChange *p = g_new0 (PendingChange, 1);

  p->request = request;
  p->change = *change;
  p->change.task = task;
  p->render.user = request->user;
  p->render.now = request->now;
  p->change.render = render_task_response;
  p->change.render_data = &p->render;
  p->request_hash = g_strdup (change->request_hash);
  p->change.request_hash = p->request_hash;

  soup_server_message_pause (request->msg);
  g_ptr_array_add (self->pending, p);
  if (task->id != 0)
    g_hash_table_add (self->pending_tasks, &p->change.task->id);
  if (change->idempotency_key != NULL)
    g_hash_table_add (self->pending_keys, pending_key (change->idempotency_user, change->idempotency_key));

  if (self->pending->len >= PENDING_MAX)
    commit_pending (self);
  else if (self->pending_id == 0)
    /* After the other requests that this turn of the main loop brings. */
    self->pending_id = g_idle_add_full (G_PRIORITY_DEFAULT, commit_pending_cb, self, NULL);
}

static IocTimelineEntry *
new_entry (IocdRequest  *request,
           IocAction     action,
           IocTaskState  from,
           IocTaskState  to)
{
  IocTimelineEntry *entry = ioc_timeline_entry_new ();

  entry->at = request->now;
  entry->actor_id = request->user->id;
  entry->actor_name = g_strdup (request->user->display_name ? request->user->display_name
                                                            : request->user->username);
  entry->actor_role = request->user->role;
  entry->action = action;
  entry->from_state = from;
  entry->to_state = to;
  return entry;
}

/* Takes @request. */
static void
handle_intake (IocdServer  *self,
               IocdRequest *request_in)
{
  g_autoptr(IocdRequest) request = request_in;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(IocTask) task = NULL;
  g_autofree char *hash = NULL;
  IocdChange change = { 0 };
  const char *key = NULL;
  IocCategory *category;

  if (!ioc_workflow_can_intake (request->user->role))
    {
      error = g_error_new_literal (IOC_ERROR, IOC_ERROR_FORBIDDEN, "only IOC operators take in tasks");
      goto fail;
    }

  settle_pending (self, 0, request->user->id, idempotency_key_of (request));
  if (answer_from_idempotency (self, request, &key, &hash, &error))
    return;
  if (error != NULL)
    goto fail;

  body = iocd_request_parse_body (request, &error);
  if (body == NULL)
    goto fail;

  task = ioc_task_new_from_intake (body, &error);
  if (task == NULL)
    goto fail;

  category = g_hash_table_lookup (self->categories, task->category);
  if (category == NULL)
    {
      ioc_set_field_error (&error, "category", "unknown category “%s”", task->category);
      goto fail;
    }
  if (task->commune != NULL && !g_hash_table_contains (self->communes, task->commune))
    {
      ioc_set_field_error (&error, "commune", "unknown commune “%s”", task->commune);
      goto fail;
    }
  if (!json_object_has_member (body, "priority"))
    task->priority = category->priority;

  task->version = 1;
  task->created_at = request->now;
  task->updated_at = request->now;

  change.task = task;
  change.entry = new_entry (request, IOC_ACTION_INTAKE, IOC_TASK_STATE_INVALID, IOC_TASK_STATE_RECEIVED);
  change.event_kind = IOC_EVENT_TASK_CREATED;
  change.idempotency_user = key ? request->user->id : 0;
  change.idempotency_key = key;
  change.request_hash = hash;
  change.response_status = 201;

  queue_change (self, g_steal_pointer (&request), g_steal_pointer (&task), &change);
  return;

fail:
  iocd_request_send_error (request, error);
}

gboolean
iocd_task_query_apply_filter (IocdServer     *self,
                              IocdTaskQuery  *query,
                              const char     *name,
                              const char     *v,
                              char          **folded,
                              gboolean       *known,
                              GError        **error)
{
  *known = TRUE;

  if (g_str_equal (name, "state"))
    {
      g_auto(GStrv) states = g_strsplit (v, ",", -1);

      for (guint i = 0; states[i] != NULL; i++)
        {
          IocTaskState s;

          /* "open" stands for every state still waiting for someone. */
          if (g_str_equal (states[i], "open"))
            {
              for (guint o = 0; o < IOC_N_TASK_STATES; o++)
                if (ioc_task_state_is_open (o))
                  query->states |= 1u << o;
              continue;
            }
          s = ioc_task_state_from_string (states[i]);
          if ((int) s < 0)
            {
              ioc_set_field_error (error, "state", "unknown state “%s”", states[i]);
              return FALSE;
            }
          query->states |= 1u << s;
        }
    }
  else if (g_str_equal (name, "department"))
    {
      if (!g_hash_table_contains (self->departments, v))
        {
          ioc_set_field_error (error, "department", "unknown department “%s”", v);
          return FALSE;
        }
      query->department = v;
    }
  else if (g_str_equal (name, "category"))
    {
      if (!g_hash_table_contains (self->categories, v))
        {
          ioc_set_field_error (error, "category", "unknown category “%s”", v);
          return FALSE;
        }
      query->category = v;
    }
  else if (g_str_equal (name, "commune"))
    {
      if (!g_hash_table_contains (self->communes, v))
        {
          ioc_set_field_error (error, "commune", "unknown commune “%s”", v);
          return FALSE;
        }
      query->commune = v;
    }
  else if (g_str_equal (name, "source"))
    {
      query->source = ioc_source_from_string (v);
      if (query->source < 0)
        {
          ioc_set_field_error (error, "source", "unknown source “%s”", v);
          return FALSE;
        }
    }
  else if (g_str_equal (name, "overdue"))
    {
      if (!g_str_equal (v, "true") && !g_str_equal (v, "false"))
        {
          ioc_set_field_error (error, "overdue", "must be true or false");
          return FALSE;
        }
      query->overdue = g_str_equal (v, "true");
    }
  else if (g_str_equal (name, "q"))
    {
      g_free (*folded);
      *folded = ioc_text_fold (v);
      if (g_utf8_strlen (*folded, -1) > 200)
        {
          ioc_set_field_error (error, "q", "is longer than 200 characters");
          return FALSE;
        }
      query->folded_text = **folded ? *folded : NULL;
    }
  else if (g_str_equal (name, "bbox"))
    {
      if (!ioc_bbox_parse (v, &query->bbox))
        {
          ioc_set_field_error (error, "bbox", "must be min_lon,min_lat,max_lon,max_lat in degrees");
          return FALSE;
        }
      query->has_bbox = TRUE;
    }
  else
    *known = FALSE;

  return TRUE;
}

static gboolean
parse_list_query (IocdServer     *self,
                  IocdRequest    *request,
                  IocdTaskQuery  *query,
                  char          **folded,
                  GError        **error)
{
  GHashTableIter iter;
  gpointer key, value;
  gboolean known;

  memset (query, 0, sizeof *query);
  query->source = -1;
  query->now = request->now;
  query->limit = PAGE_DEFAULT;
  query->order = IOCD_TASK_ORDER_ID;

  g_hash_table_iter_init (&iter, request->query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      const char *v = value;

      if (!g_utf8_validate (v, -1, NULL))
        {
          ioc_set_field_error (error, name, "is not valid UTF-8");
          return FALSE;
        }

      if (!iocd_task_query_apply_filter (self, query, name, v, folded, &known, error))
        return FALSE;
      if (known)
        continue;

      if (g_str_equal (name, "updated_since"))
        {
          if (!ioc_time_parse (v, &query->updated_since))
            {
              ioc_set_field_error (error, "updated_since", "must be an ISO 8601 time with an offset");
              return FALSE;
            }
          query->order = IOCD_TASK_ORDER_UPDATED;
        }
      else if (g_str_equal (name, "order"))
        {
          if (g_str_equal (v, "id"))
            query->order = IOCD_TASK_ORDER_ID;
          else if (g_str_equal (v, "updated"))
            query->order = IOCD_TASK_ORDER_UPDATED;
          else
            {
              ioc_set_field_error (error, "order", "must be id or updated");
              return FALSE;
            }
        }
      else if (g_str_equal (name, "limit"))
        {
          char *end = NULL;
          gint64 n = g_ascii_strtoll (v, &end, 10);

          if (end == v || *end != '\0' || n < 1 || n > PAGE_MAX)
            {
              ioc_set_field_error (error, "limit", "must be from 1 to %d", PAGE_MAX);
              return FALSE;
            }
          query->limit = n;
        }
      else if (g_str_equal (name, "after"))
        query->cursor = v;
      else
        {
          ioc_set_field_error (error, name, "is not a filter of this list");
          return FALSE;
        }
    }

  if (request->user->role == IOC_ROLE_LIAISON)
    query->visible_to_department = request->user->department;

  return TRUE;
}

static void
handle_list (IocdServer  *self,
             IocdRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *next = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  IocTaskJsonFlags flags = json_flags_for (request->user);
  IocdTaskQuery query;
  gint64 seq;

  if (!ioc_workflow_can_see (request->user->role, TRUE))
    {
      error = g_error_new_literal (IOC_ERROR, IOC_ERROR_FORBIDDEN, "this role does not handle tasks");
      iocd_request_send_error (request, error);
      return;
    }

  if (!parse_list_query (self, request, &query, &folded, &error))
    {
      iocd_request_send_error (request, error);
      return;
    }

  /* Read before the page: events after it may repeat what the page shows,
   * never miss what it does not. */
  seq = iocd_store_last_event_seq (self->store);

  tasks = iocd_store_list_tasks (self->store, &query, &next, &error);
  if (tasks == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tasks");
  json_builder_begin_array (b);
  for (guint i = 0; i < tasks->len; i++)
    ioc_task_to_json (g_ptr_array_index (tasks, i), b, flags, request->now);
  json_builder_end_array (b);
  ioc_json_add_string_or_null (b, "next", next);
  json_builder_set_member_name (b, "event_seq");
  json_builder_add_int_value (b, seq);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
}

static void
handle_get (IocdServer  *self,
            IocdRequest *request,
            gint64       id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IocTask) task = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!ioc_workflow_can_see (request->user->role, TRUE))
    {
      error = g_error_new_literal (IOC_ERROR, IOC_ERROR_FORBIDDEN, "this role does not handle tasks");
      iocd_request_send_error (request, error);
      return;
    }

  task = iocd_store_get_task (self->store, id, TRUE, &error);
  if (task == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  if (!user_may_see_task (self, request->user, task))
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_FORBIDDEN,
                           "task %" G_GINT64_FORMAT " was never assigned to your department", id);
      iocd_request_send_error (request, error);
      return;
    }

  node = ioc_task_to_json_node (task, json_flags_for (request->user) | IOC_TASK_JSON_TIMELINE, request->now);
  iocd_request_send_json (request, 200, node);
}

/* 409 with the task as it is now and who changed it last, so the client can
 * show it and let the user decide again. */
static void
send_conflict (IocdServer  *self,
               IocdRequest *request,
               gint64       id,
               const char  *code,
               const char  *message)
{
  g_autoptr(IocTask) task = iocd_store_get_task (self->store, id, TRUE, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;
  IocTimelineEntry *last = NULL;

  if (task != NULL && task->timeline != NULL && task->timeline->len > 0)
    last = g_ptr_array_index (task->timeline, task->timeline->len - 1);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  if (last != NULL)
    {
      json_builder_set_member_name (b, "changed_by");
      json_builder_add_string_value (b, last->actor_name ? last->actor_name : "");
      ioc_json_add_time (b, "changed_at", last->at);
    }
  json_builder_end_object (b);
  if (task != NULL)
    {
      json_builder_set_member_name (b, "task");
      ioc_task_to_json (task, b, json_flags_for (request->user) | IOC_TASK_JSON_TIMELINE, request->now);
    }
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  iocd_request_send_json (request, 409, node);
}

/* Takes @request. */
static void
handle_action (IocdServer  *self,
               IocdRequest *request_in,
               gint64       id,
               const char  *action_name)
{
  g_autoptr(IocdRequest) request = request_in;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(IocActionRequest) action_request = NULL;
  g_autoptr(IocTask) current = NULL;
  g_autoptr(IocTask) next = NULL;
  g_autofree char *hash = NULL;
  const IocWorkflowRule *rule;
  IocdChange change = { 0 };
  const char *key = NULL;
  IocAction action = ioc_action_from_string (action_name);
  IocUser *user = request->user;
  gboolean own;

  if ((int) action < 0 || action >= IOC_N_ACTIONS)
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no action “%s”", action_name);
      goto fail;
    }
  rule = ioc_workflow_rule (action);

  if (!ioc_workflow_can_see (user->role, TRUE))
    {
      error = g_error_new_literal (IOC_ERROR, IOC_ERROR_FORBIDDEN, "this role does not handle tasks");
      goto fail;
    }

  settle_pending (self, id, user->id, idempotency_key_of (request));
  if (answer_from_idempotency (self, request, &key, &hash, &error))
    return;
  if (error != NULL)
    goto fail;

  body = iocd_request_parse_body (request, &error);
  if (body == NULL)
    goto fail;

  action_request = ioc_action_request_from_json (action, body, &error);
  if (action_request == NULL)
    goto fail;

  current = iocd_store_get_task (self->store, id, FALSE, &error);
  if (current == NULL)
    goto fail;

  if (!user_may_see_task (self, user, current))
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_FORBIDDEN,
                           "task %" G_GINT64_FORMAT " was never assigned to your department", id);
      goto fail;
    }

  own = user->role == IOC_ROLE_LIAISON && g_strcmp0 (current->department, user->department) == 0;

  /* Who first: someone who may never do this learns that, not that they were late. */
  if (ioc_workflow_check (action, current->state, user->role, own, TRUE) == IOC_WORKFLOW_NOT_ALLOWED)
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_FORBIDDEN, "your role may not %s this task", action_name);
      goto fail;
    }

  if (action_request->version != 0 && action_request->version != current->version)
    {
      g_autofree char *message = g_strdup_printf ("task %" G_GINT64_FORMAT " has changed: it is at version %"
                                                  G_GINT64_FORMAT ", not %" G_GINT64_FORMAT,
                                                  id, current->version, action_request->version);
      send_conflict (self, request, id, "conflict", message);
      return;
    }

  if (ioc_workflow_check (action, current->state, user->role, own, TRUE) == IOC_WORKFLOW_WRONG_STATE)
    {
      g_autofree char *message = g_strdup_printf ("a task that is %s cannot be given “%s”",
                                                  ioc_task_state_to_string (current->state), action_name);
      send_conflict (self, request, id, "wrong_state", message);
      return;
    }

  next = ioc_task_copy (current);
  change.entry = new_entry (request, action, current->state,
                            rule->to == IOC_TASK_STATE_INVALID ? current->state : rule->to);
  change.entry->note = g_strdup (action_request->note);

  switch (action)
    {
    case IOC_ACTION_FORWARD:
      {
        IocCategory *category = g_hash_table_lookup (self->categories, current->category);

        if (!g_hash_table_contains (self->departments, action_request->department))
          {
            ioc_set_field_error (&error, "department", "unknown department “%s”", action_request->department);
            goto fail_entry;
          }
        if (action_request->due_at == 0)
          action_request->due_at = request->now + (category ? category->sla_hours : 72) * 3600 * G_USEC_PER_SEC;
        else if (action_request->due_at <= request->now)
          {
            ioc_set_field_error (&error, "due_at", "must be in the future");
            goto fail_entry;
          }
        g_free (next->department);
        next->department = g_strdup (action_request->department);
        next->due_at = action_request->due_at;
        change.entry->department = g_strdup (next->department);
        change.entry->due_at = next->due_at;
      }
      break;

    case IOC_ACTION_MARK_DUPLICATE:
      {
        g_autoptr(IocTask) original = NULL;

        if (action_request->duplicate_of == id)
          {
            ioc_set_field_error (&error, "duplicate_of", "a task cannot duplicate itself");
            goto fail_entry;
          }
        original = iocd_store_get_task (self->store, action_request->duplicate_of, FALSE, NULL);
        if (original == NULL)
          {
            ioc_set_field_error (&error, "duplicate_of", "no task %" G_GINT64_FORMAT,
                                 action_request->duplicate_of);
            goto fail_entry;
          }
        next->duplicate_of = original->id;
        change.entry->duplicate_of = original->id;
      }
      break;

    case IOC_ACTION_RESOLVE:
      g_free (next->result);
      next->result = g_strdup (action_request->note);
      break;

    case IOC_ACTION_CLOSE:
      next->rating = action_request->rating;
      change.entry->rating = action_request->rating;
      break;

    case IOC_ACTION_REOPEN:
      /* Back to the operator's desk; the old result stays in the timeline. */
      g_clear_pointer (&next->result, g_free);
      next->rating = 0;
      next->due_at = 0;
      break;

    case IOC_ACTION_VERIFY:
    case IOC_ACTION_REJECT:
    case IOC_ACTION_ACKNOWLEDGE:
    case IOC_ACTION_START:
    case IOC_ACTION_RETURN:
    case IOC_ACTION_COMMENT:
    case IOC_N_ACTIONS:
    case IOC_ACTION_INVALID:
    default:
      break;
    }

  if (rule->to != IOC_TASK_STATE_INVALID)
    {
      next->state = rule->to;
      next->version = current->version + 1;
      next->updated_at = request->now;
    }

  change.task = next;
  change.expected_version = current->version;
  change.event_kind = IOC_EVENT_TASK_CHANGED;
  /* Only the columns set in the switch and just above can differ. */
  change.workflow_only = TRUE;
  change.same_department = g_strcmp0 (current->department, next->department) == 0;
  change.idempotency_user = key ? user->id : 0;
  change.idempotency_key = key;
  change.request_hash = hash;
  change.response_status = 200;

  queue_change (self, g_steal_pointer (&request), g_steal_pointer (&next), &change);
  return;

fail_entry:
  ioc_timeline_entry_unref (change.entry);
  iocd_change_clear (&change);
fail:
  iocd_request_send_error (request, error);
}

void
iocd_server_handle_tasks (IocdServer   *self,
                          IocdRequest  *request_in,
                          char        **segments)
{
  g_autoptr(IocdRequest) request = request_in;
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  if (segments[0] == NULL || (segments[0][0] == '\0' && segments[1] == NULL))
    {
      if (g_str_equal (request->method, "GET"))
        handle_list (self, request);
      else if (g_str_equal (request->method, "POST"))
        handle_intake (self, g_steal_pointer (&request));
      else
        iocd_request_send_method_not_allowed (request, "GET, POST");
      return;
    }

  if (!parse_id (segments[0], &id))
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no task “%s”", segments[0]);
      iocd_request_send_error (request, error);
      return;
    }

  if (segments[1] == NULL)
    {
      if (g_str_equal (request->method, "GET"))
        handle_get (self, request, id);
      else
        iocd_request_send_method_not_allowed (request, "GET");
      return;
    }

  if (segments[2] == NULL && (int) ioc_action_from_string (segments[1]) >= 0 &&
      ioc_action_from_string (segments[1]) < IOC_N_ACTIONS)
    {
      if (g_str_equal (request->method, "POST"))
        handle_action (self, g_steal_pointer (&request), id, segments[1]);
      else
        iocd_request_send_method_not_allowed (request, "POST");
      return;
    }

  error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no such resource: %s", request->path);
  iocd_request_send_error (request, error);
}
