/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include "ioc-queue-selection.h"

/* Rows */

struct _IocQueueRow
{
  GObject        parent_instance;

  IocTaskObject *task;
  gulong         task_handler;   /* while held */
  guint          holds;
};

G_DEFINE_FINAL_TYPE (IocQueueRow, ioc_queue_row, G_TYPE_OBJECT)

enum {
  ROW_PROP_0,
  ROW_PROP_TASK,
  ROW_N_PROPS
};

static GParamSpec *row_properties[ROW_N_PROPS];

static void
on_row_task_notify_cb (IocTaskObject *task,
                       GParamSpec    *pspec,
                       IocQueueRow   *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), row_properties[ROW_PROP_TASK]);
}

static void
row_follow (IocQueueRow *self,
            gboolean     follow)
{
  if (follow && self->task != NULL && self->task_handler == 0)
    self->task_handler = g_signal_connect (self->task, "notify", G_CALLBACK (on_row_task_notify_cb), self);
  else if (!follow && self->task_handler != 0)
    g_clear_signal_handler (&self->task_handler, self->task);
}

/* Takes @task. */
static void
row_set_task (IocQueueRow   *self,
              IocTaskObject *task)
{
  if (self->task == task)
    {
      g_clear_object (&task);
      return;
    }

  row_follow (self, FALSE);
  g_clear_object (&self->task);
  self->task = task;
  if (self->holds > 0)
    {
      row_follow (self, TRUE);
      g_object_notify_by_pspec (G_OBJECT (self), row_properties[ROW_PROP_TASK]);
    }
}

IocTaskObject *
ioc_queue_row_get_task (IocQueueRow *self)
{
  g_return_val_if_fail (IOC_IS_QUEUE_ROW (self), NULL);

  return self->task;
}

void
ioc_queue_row_hold (IocQueueRow *self)
{
  g_return_if_fail (IOC_IS_QUEUE_ROW (self));

  if (self->holds++ == 0)
    row_follow (self, TRUE);
}

void
ioc_queue_row_release (IocQueueRow *self)
{
  g_return_if_fail (IOC_IS_QUEUE_ROW (self));
  g_return_if_fail (self->holds > 0);

  if (--self->holds == 0)
    row_follow (self, FALSE);
}

static void
ioc_queue_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  switch (prop_id)
    {
    case ROW_PROP_TASK:
      g_value_set_object (value, IOC_QUEUE_ROW (object)->task);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_queue_row_dispose (GObject *object)
{
  IocQueueRow *self = IOC_QUEUE_ROW (object);

  row_follow (self, FALSE);
  g_clear_object (&self->task);

  G_OBJECT_CLASS (ioc_queue_row_parent_class)->dispose (object);
}

static void
ioc_queue_row_class_init (IocQueueRowClass *klass)
{
  G_OBJECT_CLASS (klass)->get_property = ioc_queue_row_get_property;
  G_OBJECT_CLASS (klass)->dispose = ioc_queue_row_dispose;

  row_properties[ROW_PROP_TASK] =
    g_param_spec_object ("task", NULL, NULL, IOC_TYPE_TASK_OBJECT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (G_OBJECT_CLASS (klass), ROW_N_PROPS, row_properties);
}

static void
ioc_queue_row_init (IocQueueRow *self)
{
}

/* The model and its selection */

/* A list view makes a widget for each of its first 200 or so rows at once:
 * growing from few rows to many, the model lets it have a few more per
 * frame, so that no frame builds them all (see ioc_queue_selection_reveal_more). */
#define REVEAL_STEP IOC_QUEUE_SELECTION_REVEAL_STEP
#define REVEAL_ALL  IOC_QUEUE_SELECTION_REVEAL_ALL

struct _IocQueueSelection
{
  GObject     parent_instance;

  GListModel *tasks;
  GPtrArray  *rows;       /* IocQueueRow or NULL, one per position: made when asked for */
  guint       n_items;    /* the tasks' */
  guint       n_exposed;  /* the list view's: the first n_items, or fewer while revealing */
  guint       limit;
  GHashTable *selected;   /* IocTaskObject (referenced) set */
};

static void ioc_queue_selection_list_model_init (GListModelInterface *iface);
static void ioc_queue_selection_selection_model_init (GtkSelectionModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IocQueueSelection, ioc_queue_selection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ioc_queue_selection_list_model_init)
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SELECTION_MODEL,
                                                      ioc_queue_selection_selection_model_init))

/* Borrowed: the task list holds it. */
static IocTaskObject *
task_at (IocQueueSelection *self,
         guint              position)
{
  IocQueueRow *row = position < self->rows->len ? g_ptr_array_index (self->rows, position) : NULL;
  IocTaskObject *task;

  if (row != NULL)
    return row->task;
  task = g_list_model_get_item (self->tasks, position);
  if (task != NULL)
    g_object_unref (task);
  return task;
}

static GType
ioc_queue_selection_get_item_type (GListModel *list)
{
  return IOC_TYPE_QUEUE_ROW;
}

static guint
ioc_queue_selection_get_n_items (GListModel *list)
{
  return IOC_QUEUE_SELECTION (list)->n_exposed;
}

static gpointer
ioc_queue_selection_get_item (GListModel *list,
                              guint       position)
{
  IocQueueSelection *self = IOC_QUEUE_SELECTION (list);
  IocQueueRow *row;

  if (position >= self->n_exposed)
    return NULL;

  row = g_ptr_array_index (self->rows, position);
  if (row == NULL)
    {
      row = g_object_new (IOC_TYPE_QUEUE_ROW, NULL);
      row->task = g_list_model_get_item (self->tasks, position);
      self->rows->pdata[position] = row;
    }
  return g_object_ref (row);
}

static void
ioc_queue_selection_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ioc_queue_selection_get_item_type;
  iface->get_n_items = ioc_queue_selection_get_n_items;
  iface->get_item = ioc_queue_selection_get_item;
}

static void
emit_selection_changed (IocQueueSelection *self,
                        guint              position,
                        guint              n_items)
{
  if (position >= self->n_exposed || n_items == 0)
    return;
  gtk_selection_model_selection_changed (GTK_SELECTION_MODEL (self), position,
                                         MIN (n_items, self->n_exposed - position));
}

static gboolean
ioc_queue_selection_is_selected (GtkSelectionModel *model,
                                 guint              position)
{
  IocQueueSelection *self = IOC_QUEUE_SELECTION (model);
  IocTaskObject *task;

  if (g_hash_table_size (self->selected) == 0 || position >= self->n_items)
    return FALSE;
  task = task_at (self, position);
  return task != NULL && g_hash_table_contains (self->selected, task);
}

static GtkBitset *
ioc_queue_selection_get_selection_in_range (GtkSelectionModel *model,
                                            guint              position,
                                            guint              n_items)
{
  IocQueueSelection *self = IOC_QUEUE_SELECTION (model);
  GtkBitset *result = gtk_bitset_new_empty ();
  guint end = MIN (position + n_items, self->n_items);

  if (g_hash_table_size (self->selected) == 0)
    return result;
  for (guint i = position; i < end; i++)
    if (g_hash_table_contains (self->selected, task_at (self, i)))
      gtk_bitset_add (result, i);
  return result;
}

static void
select_position (IocQueueSelection *self,
                 guint              position,
                 gboolean           selected)
{
  IocTaskObject *task = task_at (self, position);

  if (task == NULL)
    return;
  if (selected)
    g_hash_table_add (self->selected, g_object_ref (task));
  else
    g_hash_table_remove (self->selected, task);
}

static gboolean
ioc_queue_selection_select_item (GtkSelectionModel *model,
                                 guint              position,
                                 gboolean           unselect_rest)
{
  IocQueueSelection *self = IOC_QUEUE_SELECTION (model);
  gboolean others = unselect_rest && g_hash_table_size (self->selected) > 0;

  if (position >= self->n_items)
    return FALSE;
  if (unselect_rest)
    g_hash_table_remove_all (self->selected);
  select_position (self, position, TRUE);
  if (others)
    emit_selection_changed (self, 0, self->n_items);
  else
    emit_selection_changed (self, position, 1);
  return TRUE;
}

static gboolean
ioc_queue_selection_unselect_item (GtkSelectionModel *model,
                                   guint              position)
{
  IocQueueSelection *self = IOC_QUEUE_SELECTION (model);

  if (position >= self->n_items)
    return FALSE;
  select_position (self, position, FALSE);
  emit_selection_changed (self, position, 1);
  return TRUE;
}

static gboolean
ioc_queue_selection_select_range (GtkSelectionModel *model,
                                  guint              position,
                                  guint              n_items,
                                  gboolean           unselect_rest)
{
  IocQueueSelection *self = IOC_QUEUE_SELECTION (model);
  gboolean others = unselect_rest && g_hash_table_size (self->selected) > 0;
  guint end = MIN (position + n_items, self->n_items);

  if (unselect_rest)
    g_hash_table_remove_all (self->selected);
  for (guint i = position; i < end; i++)
    select_position (self, i, TRUE);
  if (others)
    emit_selection_changed (self, 0, self->n_items);
  else
    emit_selection_changed (self, position, n_items);
  return TRUE;
}

static gboolean
ioc_queue_selection_unselect_range (GtkSelectionModel *model,
                                    guint              position,
                                    guint              n_items)
{
  IocQueueSelection *self = IOC_QUEUE_SELECTION (model);
  guint end = MIN (position + n_items, self->n_items);

  for (guint i = position; i < end && g_hash_table_size (self->selected) > 0; i++)
    select_position (self, i, FALSE);
  emit_selection_changed (self, position, n_items);
  return TRUE;
}

static gboolean
ioc_queue_selection_select_all (GtkSelectionModel *model)
{
  IocQueueSelection *self = IOC_QUEUE_SELECTION (model);

  for (guint i = 0; i < self->n_items; i++)
    select_position (self, i, TRUE);
  emit_selection_changed (self, 0, self->n_items);
  return TRUE;
}

static gboolean
ioc_queue_selection_unselect_all (GtkSelectionModel *model)
{
  IocQueueSelection *self = IOC_QUEUE_SELECTION (model);

  if (g_hash_table_size (self->selected) == 0)
    return TRUE;
  g_hash_table_remove_all (self->selected);
  emit_selection_changed (self, 0, self->n_items);
  return TRUE;
}

static gboolean
ioc_queue_selection_set_selection (GtkSelectionModel *model,
                                   GtkBitset         *selected,
                                   GtkBitset         *mask)
{
  IocQueueSelection *self = IOC_QUEUE_SELECTION (model);
  GtkBitsetIter iter;
  guint position, first = G_MAXUINT, last = 0;

  for (gboolean more = gtk_bitset_iter_init_first (&iter, mask, &position);
       more && position < self->n_items;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      select_position (self, position, gtk_bitset_contains (selected, position));
      first = MIN (first, position);
      last = position;
    }
  if (first != G_MAXUINT)
    emit_selection_changed (self, first, last - first + 1);
  return TRUE;
}

static void
ioc_queue_selection_selection_model_init (GtkSelectionModelInterface *iface)
{
  iface->is_selected = ioc_queue_selection_is_selected;
  iface->get_selection_in_range = ioc_queue_selection_get_selection_in_range;
  iface->select_item = ioc_queue_selection_select_item;
  iface->unselect_item = ioc_queue_selection_unselect_item;
  iface->select_range = ioc_queue_selection_select_range;
  iface->unselect_range = ioc_queue_selection_unselect_range;
  iface->select_all = ioc_queue_selection_select_all;
  iface->unselect_all = ioc_queue_selection_unselect_all;
  iface->set_selection = ioc_queue_selection_set_selection;
}

/* A task no longer listed is no longer selected: a bulk action must not
 * reach a task the search hides. */
static gboolean
prune_selection (IocQueueSelection *self)
{
  g_autoptr(GHashTable) listed = NULL;
  GHashTableIter iter;
  gpointer task;
  gboolean pruned = FALSE;

  if (g_hash_table_size (self->selected) == 0)
    return FALSE;

  listed = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < self->n_items && g_hash_table_size (listed) < g_hash_table_size (self->selected); i++)
    {
      IocTaskObject *object = task_at (self, i);

      if (g_hash_table_contains (self->selected, object))
        g_hash_table_add (listed, object);
    }
  g_hash_table_iter_init (&iter, self->selected);
  while (g_hash_table_iter_next (&iter, &task, NULL))
    if (!g_hash_table_contains (listed, task))
      {
        g_hash_table_iter_remove (&iter);
        pruned = TRUE;
      }
  return pruned;
}

static void
on_tasks_items_changed_cb (GListModel        *tasks,
                           guint              position,
                           guint              removed,
                           guint              added,
                           IocQueueSelection *self)
{
  guint n_old = self->n_items;
  guint n_new = n_old - removed + added;
  guint exposed_old = self->n_exposed;
  guint common;
  /* Equal counts move nothing after the change; otherwise every later row shows another task. */
  guint end = removed == added ? position + added : n_new;

  for (guint i = n_new; i < self->rows->len; i++)
    g_clear_object (&self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, n_new);
  self->n_items = n_new;
  if (n_new > exposed_old)
    self->limit = exposed_old >= REVEAL_ALL ? G_MAXUINT : MIN (self->limit, exposed_old + REVEAL_STEP);
  self->n_exposed = MIN (n_new, self->limit);
  common = MIN (exposed_old, self->n_exposed);

  for (guint i = position; i < MIN (end, self->n_exposed); i++)
    {
      IocQueueRow *row = g_ptr_array_index (self->rows, i);

      if (row == NULL)
        continue;
      /* Rows nobody shows any more are let go rather than kept current. */
      if (row->holds == 0 && G_OBJECT (row)->ref_count == 1)
        {
          g_clear_object (&self->rows->pdata[i]);
          continue;
        }
      row_set_task (row, g_list_model_get_item (tasks, i));
    }

  if (exposed_old != self->n_exposed)
    g_list_model_items_changed (G_LIST_MODEL (self), common, exposed_old - common, self->n_exposed - common);

  if (g_hash_table_size (self->selected) > 0)
    {
      if (removed > 0)
        prune_selection (self);
      /* The rows from @position on may show other tasks: their selected look is read again. */
      emit_selection_changed (self, position, n_new - MIN (position, n_new));
    }
}

static void
ioc_queue_selection_dispose (GObject *object)
{
  IocQueueSelection *self = IOC_QUEUE_SELECTION (object);

  if (self->tasks != NULL)
    g_signal_handlers_disconnect_by_func (self->tasks, on_tasks_items_changed_cb, self);
  g_clear_object (&self->tasks);
  if (self->rows != NULL)
    for (guint i = 0; i < self->rows->len; i++)
      g_clear_object (&self->rows->pdata[i]);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->selected, g_hash_table_unref);

  G_OBJECT_CLASS (ioc_queue_selection_parent_class)->dispose (object);
}

static void
ioc_queue_selection_class_init (IocQueueSelectionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ioc_queue_selection_dispose;
}

static void
ioc_queue_selection_init (IocQueueSelection *self)
{
  self->rows = g_ptr_array_new ();
  self->selected = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}

IocQueueSelection *
ioc_queue_selection_new (GListModel *tasks)
{
  IocQueueSelection *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (tasks), NULL);

  self = g_object_new (IOC_TYPE_QUEUE_SELECTION, NULL);
  self->tasks = g_object_ref (tasks);
  self->n_items = g_list_model_get_n_items (tasks);
  self->limit = REVEAL_STEP;
  self->n_exposed = MIN (self->n_items, self->limit);
  g_ptr_array_set_size (self->rows, self->n_items);
  g_signal_connect (tasks, "items-changed", G_CALLBACK (on_tasks_items_changed_cb), self);
  return self;
}

IocTaskObject *
ioc_queue_selection_get_task (IocQueueSelection *self,
                              guint              position)
{
  g_return_val_if_fail (IOC_IS_QUEUE_SELECTION (self), NULL);

  return g_list_model_get_item (self->tasks, position);
}

IocTaskObject *
ioc_queue_selection_get_lone_selected (IocQueueSelection *self)
{
  GHashTableIter iter;
  gpointer task = NULL;

  g_return_val_if_fail (IOC_IS_QUEUE_SELECTION (self), NULL);

  if (g_hash_table_size (self->selected) != 1)
    return NULL;
  g_hash_table_iter_init (&iter, self->selected);
  g_hash_table_iter_next (&iter, &task, NULL);
  return task;
}

GPtrArray *
ioc_queue_selection_get_selected (IocQueueSelection *self)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (IOC_IS_QUEUE_SELECTION (self), result);

  for (guint i = 0; i < self->n_items && result->len < g_hash_table_size (self->selected); i++)
    {
      IocTaskObject *task = task_at (self, i);

      if (g_hash_table_contains (self->selected, task))
        g_ptr_array_add (result, g_object_ref (task));
    }
  return result;
}

gboolean
ioc_queue_selection_get_revealing (IocQueueSelection *self)
{
  g_return_val_if_fail (IOC_IS_QUEUE_SELECTION (self), FALSE);

  return self->n_exposed < self->n_items;
}

gboolean
ioc_queue_selection_reveal_more (IocQueueSelection *self)
{
  guint old;

  g_return_val_if_fail (IOC_IS_QUEUE_SELECTION (self), FALSE);

  if (self->n_exposed >= self->n_items)
    return FALSE;

  old = self->n_exposed;
  self->limit = old + REVEAL_STEP >= REVEAL_ALL ? G_MAXUINT : old + REVEAL_STEP;
  self->n_exposed = MIN (self->n_items, self->limit);
  g_list_model_items_changed (G_LIST_MODEL (self), old, 0, self->n_exposed - old);
  return self->n_exposed < self->n_items;
}
