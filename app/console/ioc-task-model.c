/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include "ioc-task-model.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#define PAGE_SIZE 1000
#define TICK_SECONDS 30

struct _IocTaskModel
{
  GObject       parent_instance;

  GListStore   *store;
  /* id → IocTaskObject (borrowed from the store). The keys are the ids the
   * objects keep: an update replaces an object's IocTask, not its id. */
  GHashTable   *by_id;
  IocReference  reference;
  guint         tick_id;
  GCancellable *load_cancellable;  /* the load in progress, also after its first page */
  gboolean      loading;
};

G_DEFINE_FINAL_TYPE (IocTaskModel, ioc_task_model, G_TYPE_OBJECT)

enum {
  TASK_OVERDUE,
  TASK_UPDATED,
  LOAD_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_loading (IocTaskModel *self,
             gboolean      loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
cancel_load (IocTaskModel *self)
{
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  set_loading (self, FALSE);
}

void
ioc_task_model_tick (IocTaskModel *self,
                     gint64        now)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  g_autoptr(GPtrArray) crossed = g_ptr_array_new_with_free_func (g_object_unref);

  /* Age and time left count on by themselves; only bound cells listen. */
  for (guint i = 0; i < n; i++)
    {
      IocTaskObject *object = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (ioc_task_object_tick (object, now))
        g_ptr_array_add (crossed, object);
      else
        g_object_unref (object);
    }

  /* After the loop: a handler may change the store. */
  for (guint i = 0; i < crossed->len; i++)
    g_signal_emit (self, signals[TASK_OVERDUE], 0, g_ptr_array_index (crossed, i));
}

static gboolean
tick_cb (gpointer data)
{
  ioc_task_model_tick (data, g_get_real_time ());
  return G_SOURCE_CONTINUE;
}

static void
ioc_task_model_dispose (GObject *object)
{
  IocTaskModel *self = IOC_TASK_MODEL (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_pointer (&self->reference.categories, g_hash_table_unref);
  g_clear_pointer (&self->reference.communes, g_hash_table_unref);
  g_clear_pointer (&self->reference.departments, g_hash_table_unref);

  G_OBJECT_CLASS (ioc_task_model_parent_class)->dispose (object);
}

static void
ioc_task_model_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, IOC_TASK_MODEL (object)->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_task_model_class_init (IocTaskModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ioc_task_model_dispose;
  G_OBJECT_CLASS (klass)->get_property = ioc_task_model_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (G_OBJECT_CLASS (klass), N_PROPS, properties);

  signals[LOAD_FAILED] =
    g_signal_new ("load-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  signals[TASK_OVERDUE] =
    g_signal_new ("task-overdue", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, IOC_TYPE_TASK_OBJECT);

  signals[TASK_UPDATED] =
    g_signal_new ("task-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, IOC_TYPE_TASK_OBJECT);
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

gboolean
ioc_task_model_get_loading (IocTaskModel *self)
{
  return self->loading;
}

void
ioc_task_model_clear (IocTaskModel *self)
{
  cancel_load (self);
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
        {
          if (ioc_task_object_update (known, ioc_task_object_get_task (object)))
            g_signal_emit (self, signals[TASK_UPDATED], 0, known);
        }
      else
        g_ptr_array_add (fresh, object);
    }

  for (guint i = 0; i < fresh->len; i++)
    {
      IocTaskObject *object = g_ptr_array_index (fresh, i);

      g_hash_table_insert (self->by_id, (gpointer) ioc_task_object_peek_id (object), object);
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
    {
      if (ioc_task_object_update (known, event->task))
        g_signal_emit (self, signals[TASK_UPDATED], 0, known);
    }
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
  GTask     *caller;      /* answered at the first page: the queue is usable then */
  /* The next page is asked for as soon as a page's cursor is read, while
   * that page is still being decoded; decoded pages are added in order. */
  guint      requested;
  guint      added;
  gboolean   last_requested;
  gboolean   over;
  GHashTable *decoded;    /* page index → GPtrArray of IocTaskObject */
} LoadData;

static void
load_data_free (LoadData *data)
{
  if (data->caller != NULL)
    {
      g_task_return_new_error (data->caller, G_IO_ERROR, G_IO_ERROR_CANCELLED, "loading stopped");
      g_clear_object (&data->caller);
    }
  g_clear_object (&data->client);
  g_clear_pointer (&data->decoded, g_hash_table_unref);
  g_queue_clear_full (&data->steps, g_free);
  g_free (data->cursor);
  g_free (data);
}

typedef struct {
  JsonNode     *page;
  IocReference *reference;
  GPtrArray    *objects;
  guint         index;
} DecodeData;

static void
decode_data_free (DecodeData *data)
{
  g_clear_pointer (&data->page, json_node_unref);
  g_clear_pointer (&data->objects, g_ptr_array_unref);
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

  /* A page is tens of thousands of nodes: freed here, not on the main loop. */
  g_clear_pointer (&data->page, json_node_unref);
  g_task_return_boolean (task, TRUE);
  return;

bad:
  g_task_return_new_error (task, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_SERVER,
                           "the server's task list is not in the expected form");
}

static void load_next (GTask *task);

static void
load_fail (GTask  *task,
           GError *error)
{
  LoadData *load = g_task_get_task_data (task);

  if (load->over)
    {
      g_error_free (error);
      return;
    }
  load->over = TRUE;
  g_task_return_error (task, error);
}

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
  GPtrArray *objects;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      load_fail (task, g_steal_pointer (&error));
      return;
    }
  if (load->over)
    return;

  g_hash_table_insert (load->decoded, GUINT_TO_POINTER (data->index), g_steal_pointer (&data->objects));
  while ((objects = g_hash_table_lookup (load->decoded, GUINT_TO_POINTER (load->added))) != NULL)
    {
      add_objects (self, objects);
      g_hash_table_remove (load->decoded, GUINT_TO_POINTER (load->added));
      load->added++;
      if (load->first_page)
        {
          load->first_page = FALSE;
          /* The newest tasks are in: the caller may show them and follow the
           * events from this snapshot while older pages keep coming. */
          g_task_return_int (load->caller, load->event_seq);
          g_clear_object (&load->caller);
        }
    }

  if (load->last_requested && load->added == load->requested)
    {
      load->over = TRUE;
      g_task_return_int (task, load->event_seq);
    }
}

static void
page_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IocTaskModel *self = g_task_get_source_object (task);
  LoadData *load = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) decode = NULL;
  DecodeData *data;
  JsonNode *page = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  JsonObject *root;
  GCancellable *cancellable;
  guint index = load->requested - 1;

  if (page == NULL)
    {
      load_fail (task, g_steal_pointer (&error));
      return;
    }
  if (load->over)
    {
      json_node_unref (page);
      return;
    }

  /* Only the cursor is read here, to ask for the next page at once. */
  root = JSON_NODE_HOLDS_OBJECT (page) ? json_node_get_object (page) : NULL;
  if (index == 0 && root != NULL)
    load->event_seq = json_object_get_int_member_with_default (root, "event_seq", 0);
  g_free (load->cursor);
  load->cursor = NULL;
  if (root != NULL && json_object_has_member (root, "next") && !json_object_get_null_member (root, "next"))
    load->cursor = g_strdup (json_object_get_string_member (root, "next"));
  if (load->cursor != NULL)
    load_next (g_object_ref (task));
  else
    load->last_requested = TRUE;

  data = g_new0 (DecodeData, 1);
  data->page = page;
  data->reference = &self->reference;
  data->index = index;
  cancellable = g_task_get_cancellable (task);
  decode = g_task_new (self, cancellable, decoded_cb, g_steal_pointer (&task));
  g_task_set_source_tag (decode, decode_thread);
  g_task_set_task_data (decode, data, (GDestroyNotify) decode_data_free);
  ioc_task_run_in_background (decode, decode_thread);
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

  load->requested++;
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

/* The whole load is over: the last page, an error or a stop. */
static void
loaded_all_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  IocTaskModel *self = IOC_TASK_MODEL (source);
  LoadData *load = g_task_get_task_data (G_TASK (result));
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_int (G_TASK (result), &error) >= 0)
    {
#ifdef __GLIBC__
      /* A hundred pages were decoded in worker threads: their arenas keep
       * the freed JSON trees between the tasks kept, as resident memory
       * nothing uses. Handing the free pages back takes a few milliseconds. */
      malloc_trim (0);
#endif
      if (cancellable == self->load_cancellable)
        set_loading (self, FALSE);
      return;
    }

  /* Before the first page, the caller hears of it; after, the model says. */
  if (load->caller != NULL)
    {
      g_task_return_error (load->caller, g_steal_pointer (&error));
      g_clear_object (&load->caller);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[LOAD_FAILED], 0, error);

  if (cancellable == self->load_cancellable)
    set_loading (self, FALSE);
}

static void
on_caller_cancelled_cb (GCancellable *cancellable,
                        GCancellable *load_cancellable)
{
  g_cancellable_cancel (load_cancellable);
}

void
ioc_task_model_load_async (IocTaskModel        *self,
                           IocClient           *client,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) caller = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) task = NULL;
  LoadData *load = g_new0 (LoadData, 1);

  g_task_set_source_tag (caller, ioc_task_model_load_async);

  /* A new load replaces the one in progress. */
  ioc_task_model_clear (self);
  self->load_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled_cb),
                           g_object_ref (self->load_cancellable), g_object_unref);
  set_loading (self, TRUE);

  task = g_task_new (self, self->load_cancellable, loaded_all_cb, NULL);
  g_task_set_source_tag (task, loaded_all_cb);
  load->client = g_object_ref (client);
  load->first_page = TRUE;
  load->caller = g_steal_pointer (&caller);
  load->decoded = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_queue_push_tail (&load->steps, g_strdup ("/api/v1/departments"));
  g_queue_push_tail (&load->steps, g_strdup ("/api/v1/categories"));
  g_queue_push_tail (&load->steps, g_strdup ("/api/v1/communes"));
  g_task_set_task_data (task, load, (GDestroyNotify) load_data_free);

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
