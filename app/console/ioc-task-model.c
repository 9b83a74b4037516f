/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include "ioc-task-model.h"

#define PAGE_SIZE 1000
#define TICK_SECONDS 30

struct _IocTaskModel
{
  GObject       parent_instance;

  GListStore   *store;
  GHashTable   *by_id;       /* id → IocTaskObject (borrowed from the store) */
  IocReference  reference;
  guint         tick_id;
};

G_DEFINE_FINAL_TYPE (IocTaskModel, ioc_task_model, G_TYPE_OBJECT)

static gboolean
tick_cb (gpointer data)
{
  IocTaskModel *self = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  gint64 now = g_get_real_time ();

  /* Age and time left count on by themselves; only bound cells listen. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      ioc_task_object_tick (object, now);
    }

  return G_SOURCE_CONTINUE;
}

static void
ioc_task_model_dispose (GObject *object)
{
  IocTaskModel *self = IOC_TASK_MODEL (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_pointer (&self->reference.categories, g_hash_table_unref);
  g_clear_pointer (&self->reference.communes, g_hash_table_unref);
  g_clear_pointer (&self->reference.departments, g_hash_table_unref);

  G_OBJECT_CLASS (ioc_task_model_parent_class)->dispose (object);
}

static void
ioc_task_model_class_init (IocTaskModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ioc_task_model_dispose;
}

static void
ioc_task_model_init (IocTaskModel *self)
{
  self->store = g_list_store_new (IOC_TYPE_TASK_OBJECT);
  self->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->reference.categories = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) ioc_category_unref);
  self->reference.communes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                    (GDestroyNotify) ioc_commune_unref);
  self->reference.departments = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) ioc_department_unref);
  self->tick_id = g_timeout_add_seconds (TICK_SECONDS, tick_cb, self);
}

IocTaskModel *
ioc_task_model_new (void)
{
  return g_object_new (IOC_TYPE_TASK_MODEL, NULL);
}

GListModel *
ioc_task_model_get_list (IocTaskModel *self)
{
  return G_LIST_MODEL (self->store);
}

IocReference *
ioc_task_model_get_reference (IocTaskModel *self)
{
  return &self->reference;
}

IocTaskObject *
ioc_task_model_find (IocTaskModel *self,
                     gint64        id)
{
  return g_hash_table_lookup (self->by_id, &id);
}

void
ioc_task_model_clear (IocTaskModel *self)
{
  g_hash_table_remove_all (self->by_id);
  g_list_store_remove_all (self->store);
}

static void
add_objects (IocTaskModel *self,
             GPtrArray    *objects)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();

  for (guint i = 0; i < objects->len; i++)
    {
      IocTaskObject *object = g_ptr_array_index (objects, i);
      IocTaskObject *known = ioc_task_model_find (self, ioc_task_object_get_id (object));

      /* An event may have brought a task before its page did. */
      if (known != NULL)
        ioc_task_object_update (known, ioc_task_object_get_task (object));
      else
        g_ptr_array_add (fresh, object);
    }

  for (guint i = 0; i < fresh->len; i++)
    {
      IocTaskObject *object = g_ptr_array_index (fresh, i);
      IocTask *task = ioc_task_object_get_task (object);

      g_hash_table_insert (self->by_id, &task->id, object);
    }

  g_list_store_splice (self->store, g_list_model_get_n_items (G_LIST_MODEL (self->store)), 0,
                       fresh->pdata, fresh->len);
}

void
ioc_task_model_apply_event (IocTaskModel *self,
                            IocEvent     *event)
{
  IocTaskObject *known;

  if (event->task == NULL)
    return;

  known = ioc_task_model_find (self, event->task->id);
  if (known != NULL)
    ioc_task_object_update (known, event->task);
  else
    {
      g_autoptr(IocTaskObject) object = ioc_task_object_new (event->task, &self->reference);
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      g_ptr_array_add (one, object);
      add_objects (self, one);
    }
}

/* Loading */

typedef struct {
  IocClient *client;
  GQueue     steps;       /* reference paths still to load */
  char      *cursor;
  gint64     event_seq;
  gboolean   first_page;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->client);
  g_queue_clear_full (&data->steps, g_free);
  g_free (data->cursor);
  g_free (data);
}

typedef struct {
  JsonNode     *page;
  IocReference *reference;
  GPtrArray    *objects;
  char         *next;
  gint64        event_seq;
} DecodeData;

static void
decode_data_free (DecodeData *data)
{
  g_clear_pointer (&data->page, json_node_unref);
  g_clear_pointer (&data->objects, g_ptr_array_unref);
  g_free (data->next);
  g_free (data);
}

/* Runs in a worker thread: a page of 1,000 tasks is several megabytes of
 * decoding and folding that must not stall the window. */
static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DecodeData *data = task_data;
  JsonObject *root;
  JsonArray *tasks;

  if (!JSON_NODE_HOLDS_OBJECT (data->page))
    goto bad;
  root = json_node_get_object (data->page);
  if (!json_object_has_member (root, "tasks") || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "tasks")))
    goto bad;

  tasks = json_object_get_array_member (root, "tasks");
  data->objects = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonNode *item = json_array_get_element (tasks, i);
      g_autoptr(IocTask) t = NULL;
      g_autoptr(GError) error = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        goto bad;
      t = ioc_task_from_json (json_node_get_object (item), &error);
      if (t == NULL)
        {
          g_task_return_new_error (task, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_SERVER,
                                   "the server sent a task this console cannot read: %s", error->message);
          return;
        }
      g_ptr_array_add (data->objects, ioc_task_object_new (t, data->reference));
    }

  if (json_object_has_member (root, "next") && !json_object_get_null_member (root, "next"))
    data->next = g_strdup (json_object_get_string_member (root, "next"));
  data->event_seq = json_object_get_int_member_with_default (root, "event_seq", 0);
  g_task_return_boolean (task, TRUE);
  return;

bad:
  g_task_return_new_error (task, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_SERVER,
                           "the server's task list is not in the expected form");
}

static void load_next (GTask *task);

static void
decoded_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IocTaskModel *self = g_task_get_source_object (task);
  LoadData *load = g_task_get_task_data (task);
  DecodeData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (load->first_page)
    {
      load->event_seq = data->event_seq;
      load->first_page = FALSE;
    }
  add_objects (self, data->objects);

  g_free (load->cursor);
  load->cursor = g_steal_pointer (&data->next);
  if (load->cursor == NULL)
    {
      g_task_return_int (task, load->event_seq);
      return;
    }

  load_next (g_steal_pointer (&task));
}

static void
page_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IocTaskModel *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) decode = NULL;
  GCancellable *cancellable;
  DecodeData *data;
  JsonNode *page = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);

  if (page == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_new0 (DecodeData, 1);
  data->page = page;
  data->reference = &self->reference;
  cancellable = g_task_get_cancellable (task);
  decode = g_task_new (self, cancellable, decoded_cb, g_steal_pointer (&task));
  g_task_set_source_tag (decode, decode_thread);
  g_task_set_task_data (decode, data, (GDestroyNotify) decode_data_free);
  g_task_run_in_thread (decode, decode_thread);
}

static void
load_next (GTask *task)
{
  LoadData *load = g_task_get_task_data (task);
  g_autofree char *path = NULL;

  if (load->cursor != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (load->cursor, NULL, FALSE);
      path = g_strdup_printf ("/api/v1/tasks?limit=%d&after=%s", PAGE_SIZE, escaped);
    }
  else
    path = g_strdup_printf ("/api/v1/tasks?limit=%d", PAGE_SIZE);

  ioc_client_get_json_async (load->client, path, g_task_get_cancellable (task), page_cb, task);
}

static void
fill_reference (IocTaskModel *self,
                const char   *path,
                JsonNode     *node)
{
  JsonObject *root = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *member = g_str_has_suffix (path, "departments") ? "departments"
                       : g_str_has_suffix (path, "categories") ? "categories" : "communes";
  JsonArray *items;

  if (root == NULL || !json_object_has_member (root, member))
    return;

  items = json_object_get_array_member (root, member);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *o = json_array_get_object_element (items, i);

      if (g_str_equal (member, "departments"))
        {
          IocDepartment *d = ioc_department_from_json (o, NULL);
          if (d != NULL)
            g_hash_table_replace (self->reference.departments, g_strdup (d->code), d);
        }
      else if (g_str_equal (member, "categories"))
        {
          IocCategory *c = ioc_category_from_json (o, NULL);
          if (c != NULL)
            g_hash_table_replace (self->reference.categories, g_strdup (c->code), c);
        }
      else
        {
          IocCommune *c = ioc_commune_from_json (o, NULL);
          if (c != NULL)
            g_hash_table_replace (self->reference.communes, g_strdup (c->code), c);
        }
    }
}

static void load_reference (GTask *task);

static void
reference_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IocTaskModel *self = g_task_get_source_object (task);
  LoadData *load = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_queue_pop_head (&load->steps);
  g_autoptr(JsonNode) node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  fill_reference (self, path, node);
  load_reference (g_steal_pointer (&task));
}

static void
load_reference (GTask *task)
{
  LoadData *load = g_task_get_task_data (task);
  const char *path = g_queue_peek_head (&load->steps);

  if (path == NULL)
    {
      load_next (task);
      return;
    }

  ioc_client_get_json_async (load->client, path, g_task_get_cancellable (task), reference_cb, task);
}

void
ioc_task_model_load_async (IocTaskModel        *self,
                           IocClient           *client,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  LoadData *load = g_new0 (LoadData, 1);

  g_task_set_source_tag (task, ioc_task_model_load_async);
  load->client = g_object_ref (client);
  load->first_page = TRUE;
  g_queue_push_tail (&load->steps, g_strdup ("/api/v1/departments"));
  g_queue_push_tail (&load->steps, g_strdup ("/api/v1/categories"));
  g_queue_push_tail (&load->steps, g_strdup ("/api/v1/communes"));
  g_task_set_task_data (task, load, (GDestroyNotify) load_data_free);

  ioc_task_model_clear (self);
  load_reference (g_steal_pointer (&task));
}

gint64
ioc_task_model_load_finish (IocTaskModel  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  return g_task_propagate_int (G_TASK (result), error);
}
