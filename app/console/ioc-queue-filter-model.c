/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <string.h>

#include "ioc-queue-filter-model.h"

struct _IocQueueFilterModel
{
  GObject            parent_instance;

  GListModel        *model;
  GPtrArray         *items;     /* the model's items, in its order, each a reference we hold */
  GArray            *shown;     /* guint: positions in items that match, increasing */
  IocQueueMatchFunc  match;
  gpointer           match_data;
};

static void ioc_queue_filter_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IocQueueFilterModel, ioc_queue_filter_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ioc_queue_filter_model_list_model_init))

static GType
ioc_queue_filter_model_get_item_type (GListModel *list)
{
  return IOC_TYPE_TASK_OBJECT;
}

static guint
ioc_queue_filter_model_get_n_items (GListModel *list)
{
  return IOC_QUEUE_FILTER_MODEL (list)->shown->len;
}

static gpointer
ioc_queue_filter_model_get_item (GListModel *list,
                                 guint       position)
{
  IocQueueFilterModel *self = IOC_QUEUE_FILTER_MODEL (list);

  if (position >= self->shown->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, g_array_index (self->shown, guint, position)));
}

static void
ioc_queue_filter_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ioc_queue_filter_model_get_item_type;
  iface->get_n_items = ioc_queue_filter_model_get_n_items;
  iface->get_item = ioc_queue_filter_model_get_item;
}

/* A pass touches three scattered blocks per task (the object, its task and
 * its folded text): asking for them a few tasks ahead hides most of the
 * waiting on memory. */
#define PREFETCH_AHEAD 8

static inline void
prefetch_object (IocQueueFilterModel *self,
                 guint                index)
{
#if defined(__GNUC__)
  __builtin_prefetch (g_ptr_array_index (self->items, index));
#endif
}

static inline void
prefetch_contents (IocQueueFilterModel *self,
                   guint                index)
{
#if defined(__GNUC__)
  IocTaskObject *object = g_ptr_array_index (self->items, index);

  __builtin_prefetch (ioc_task_object_get_task (object));
  __builtin_prefetch (ioc_task_object_get_search_text (object));
#endif
}

/* Before looking at @items[@index]: the object two steps ahead, the
 * contents of the one a step ahead (its object is there by then). */
static inline void
prefetch (IocQueueFilterModel *self,
          guint                index)
{
  if (index + 2 * PREFETCH_AHEAD < self->items->len)
    prefetch_object (self, index + 2 * PREFETCH_AHEAD);
  if (index + PREFETCH_AHEAD < self->items->len)
    prefetch_contents (self, index + PREFETCH_AHEAD);
}

/* The first index in @shown whose value is at least @value. */
static guint
lower_bound (GArray *shown,
             guint   value)
{
  guint lo = 0, hi = shown->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (shown, guint, mid) < value)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Rows @old[0, n_old) became @new[0, n_new) at @position: only the middle
 * part that differs is announced, so the rows around it keep their widgets. */
static void
emit_trimmed (IocQueueFilterModel  *self,
              guint                 position,
              gpointer             *old,
              guint                 n_old,
              gpointer             *new,
              guint                 n_new)
{
  guint prefix = 0, suffix = 0;

  while (prefix < n_old && prefix < n_new && old[prefix] == new[prefix])
    prefix++;
  while (suffix < n_old - prefix && suffix < n_new - prefix &&
         old[n_old - 1 - suffix] == new[n_new - 1 - suffix])
    suffix++;

  if (n_old - prefix - suffix == 0 && n_new - prefix - suffix == 0)
    return;
  g_list_model_items_changed (G_LIST_MODEL (self), position + prefix,
                              n_old - prefix - suffix, n_new - prefix - suffix);
}

static void
on_items_changed_cb (GListModel          *model,
                     guint                position,
                     guint                removed,
                     guint                added,
                     IocQueueFilterModel *self)
{
  guint lo = lower_bound (self->shown, position);
  guint hi = lower_bound (self->shown, position + removed);
  g_autoptr(GPtrArray) leaving = g_ptr_array_new_full (removed, g_object_unref);
  g_autofree gpointer *old = g_new (gpointer, MAX (hi - lo, 1u));
  g_autofree gpointer *new = NULL;
  g_autoptr(GArray) arriving = g_array_sized_new (FALSE, FALSE, sizeof (guint), added);
  int delta = (int) added - (int) removed;

  for (guint k = lo; k < hi; k++)
    old[k - lo] = g_ptr_array_index (self->items, g_array_index (self->shown, guint, k));

  /* The mirror: the removed items are released after the announcement. */
  for (guint i = 0; i < removed; i++)
    g_ptr_array_add (leaving, g_ptr_array_index (self->items, position + i));
  if (removed > 0)
    g_ptr_array_remove_range (self->items, position, removed);
  if (added > 0)
    {
      guint tail = self->items->len - position;

      g_ptr_array_set_size (self->items, self->items->len + added);
      memmove (&self->items->pdata[position + added], &self->items->pdata[position], tail * sizeof (gpointer));
      for (guint i = 0; i < added; i++)
        {
          IocTaskObject *object = g_list_model_get_item (model, position + i);

          self->items->pdata[position + i] = object;
          if (self->match (object, self->match_data))
            {
              guint index = position + i;
              g_array_append_val (arriving, index);
            }
        }
    }

  /* The positions after the change move by what it adds. */
  if (delta != 0)
    for (guint k = hi; k < self->shown->len; k++)
      g_array_index (self->shown, guint, k) += delta;
  if (hi > lo)
    g_array_remove_range (self->shown, lo, hi - lo);
  if (arriving->len > 0)
    g_array_insert_vals (self->shown, lo, arriving->data, arriving->len);

  new = g_new (gpointer, MAX (arriving->len, 1u));
  for (guint k = 0; k < arriving->len; k++)
    new[k] = g_ptr_array_index (self->items, g_array_index (arriving, guint, k));
  emit_trimmed (self, lo, old, hi - lo, new, arriving->len);
}

/* One pass over rows [@first, @last) of the items, or for MORE_STRICT of
 * the rows shown, [@first, @last) of @old: the indices that match,
 * appended to @shown in order. */
static void
filter_rows (IocQueueFilterModel *self,
             GtkFilterChange      change,
             GArray              *old,
             guint                first,
             guint                last,
             GArray              *shown)
{
  switch (change)
    {
    case GTK_FILTER_CHANGE_MORE_STRICT:
      /* Only narrows: the hidden rows stay hidden. */
      for (guint k = first; k < last; k++)
        {
          guint i = g_array_index (old, guint, k);

          if (k + 2 * PREFETCH_AHEAD < last)
            prefetch_object (self, g_array_index (old, guint, k + 2 * PREFETCH_AHEAD));
          if (k + PREFETCH_AHEAD < last)
            prefetch_contents (self, g_array_index (old, guint, k + PREFETCH_AHEAD));
          if (self->match (g_ptr_array_index (self->items, i), self->match_data))
            g_array_append_val (shown, i);
        }
      break;

    case GTK_FILTER_CHANGE_LESS_STRICT:
      /* Only widens: the shown rows stay shown. */
      for (guint i = first, k = lower_bound (old, first); i < last; i++)
        {
          if (k < old->len && g_array_index (old, guint, k) == i)
            {
              g_array_append_val (shown, i);
              k++;
            }
          else
            {
              prefetch (self, i);
              if (self->match (g_ptr_array_index (self->items, i), self->match_data))
                g_array_append_val (shown, i);
            }
        }
      break;

    case GTK_FILTER_CHANGE_DIFFERENT:
    default:
      for (guint i = first; i < last; i++)
        {
          prefetch (self, i);
          if (self->match (g_ptr_array_index (self->items, i), self->match_data))
            g_array_append_val (shown, i);
        }
      break;
    }
}

/* A pass over 100,000 rows waits on memory more than it computes: the
 * rows are shared out between the calling thread and helper threads, one
 * per further processor (up to MAX_PARTS in all). Narrowing 54,056 rows
 * to 21,348 took 32-33 ms alone and 17-19 ms in two parts (the console
 * benchmark, two processors). A pass under PARTS_MIN_ROWS rows takes a
 * few milliseconds and stays on the calling thread. */
#define MAX_PARTS      4
#define PARTS_MIN_ROWS 8192

typedef struct {
  IocQueueFilterModel *self;
  GtkFilterChange      change;
  GArray              *old;
  guint                first;
  guint                last;
  GArray              *shown;
  GMutex               lock;
  GCond                cond;
  gboolean             done;
} Part;

static void
filter_part (gpointer data,
             gpointer pool_data)
{
  Part *part = data;

  filter_rows (part->self, part->change, part->old, part->first, part->last, part->shown);
  g_mutex_lock (&part->lock);
  part->done = TRUE;
  g_cond_signal (&part->cond);
  g_mutex_unlock (&part->lock);
}

static GThreadPool *
get_helpers (guint *n_parts)
{
  static GThreadPool *pool;
  static guint parts;

  if (g_once_init_enter (&pool))
    {
      GThreadPool *helpers;

      parts = CLAMP (g_get_num_processors (), 1, MAX_PARTS);
      helpers = g_thread_pool_new (filter_part, NULL, MAX (parts - 1, 1), TRUE, NULL);
      g_once_init_leave (&pool, helpers);
    }
  *n_parts = parts;
  return pool;
}

/* The match function is called from the helper threads as well, while
 * the calling thread waits for them: it only reads. */
static GArray *
filter (IocQueueFilterModel *self,
        GtkFilterChange      change,
        GArray              *old)
{
  guint n = change == GTK_FILTER_CHANGE_MORE_STRICT ? old->len : self->items->len;
  guint n_parts = 1;
  GThreadPool *helpers = n >= PARTS_MIN_ROWS ? get_helpers (&n_parts) : NULL;
  Part parts[MAX_PARTS];
  GArray *shown;

  n_parts = MIN (n_parts, MAX (n / (PARTS_MIN_ROWS / 2), 1u));
  for (guint p = 0; p < n_parts; p++)
    {
      Part *part = &parts[p];

      part->self = self;
      part->change = change;
      part->old = old;
      part->first = (guint) ((guint64) n * p / n_parts);
      part->last = (guint) ((guint64) n * (p + 1) / n_parts);
      part->shown = g_array_sized_new (FALSE, FALSE, sizeof (guint), part->last - part->first);
      part->done = FALSE;
      g_mutex_init (&part->lock);
      g_cond_init (&part->cond);
      if (p > 0)
        g_thread_pool_push (helpers, part, NULL);
    }

  filter_rows (self, change, old, parts[0].first, parts[0].last, parts[0].shown);
  shown = parts[0].shown;
  for (guint p = 1; p < n_parts; p++)
    {
      Part *part = &parts[p];

      g_mutex_lock (&part->lock);
      while (!part->done)
        g_cond_wait (&part->cond, &part->lock);
      g_mutex_unlock (&part->lock);
      g_array_append_vals (shown, part->shown->data, part->shown->len);
      g_array_unref (part->shown);
    }
  for (guint p = 0; p < n_parts; p++)
    {
      g_mutex_clear (&parts[p].lock);
      g_cond_clear (&parts[p].cond);
    }
  return shown;
}

void
ioc_queue_filter_model_refilter (IocQueueFilterModel *self,
                                 GtkFilterChange      change)
{
  GArray *old = self->shown;
  GArray *shown;
  guint prefix = 0, suffix = 0;
  guint n_old, n_new;

  g_return_if_fail (IOC_IS_QUEUE_FILTER_MODEL (self));

  shown = filter (self, change, old);

  n_old = old->len;
  n_new = shown->len;
  while (prefix < n_old && prefix < n_new &&
         g_array_index (old, guint, prefix) == g_array_index (shown, guint, prefix))
    prefix++;
  while (suffix < n_old - prefix && suffix < n_new - prefix &&
         g_array_index (old, guint, n_old - 1 - suffix) == g_array_index (shown, guint, n_new - 1 - suffix))
    suffix++;

  self->shown = shown;
  g_array_unref (old);
  if (n_old - prefix - suffix > 0 || n_new - prefix - suffix > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, n_old - prefix - suffix, n_new - prefix - suffix);
}

static void
clear_model (IocQueueFilterModel *self)
{
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed_cb, self);
  g_clear_object (&self->model);
  for (guint i = 0; i < self->items->len; i++)
    g_object_unref (g_ptr_array_index (self->items, i));
  g_ptr_array_set_size (self->items, 0);
  g_array_set_size (self->shown, 0);
}

void
ioc_queue_filter_model_set_model (IocQueueFilterModel *self,
                                  GListModel          *model)
{
  guint n_old, n;

  g_return_if_fail (IOC_IS_QUEUE_FILTER_MODEL (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;

  n_old = self->shown->len;
  clear_model (self);
  if (model != NULL)
    {
      self->model = g_object_ref (model);
      n = g_list_model_get_n_items (model);
      g_ptr_array_set_size (self->items, n);
      for (guint i = 0; i < n; i++)
        {
          self->items->pdata[i] = g_list_model_get_item (model, i);
          if (self->match (self->items->pdata[i], self->match_data))
            g_array_append_val (self->shown, i);
        }
      g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed_cb), self);
    }
  if (n_old > 0 || self->shown->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n_old, self->shown->len);
}

GListModel *
ioc_queue_filter_model_get_model (IocQueueFilterModel *self)
{
  g_return_val_if_fail (IOC_IS_QUEUE_FILTER_MODEL (self), NULL);

  return self->model;
}

static void
ioc_queue_filter_model_dispose (GObject *object)
{
  IocQueueFilterModel *self = IOC_QUEUE_FILTER_MODEL (object);

  if (self->items != NULL)
    clear_model (self);

  G_OBJECT_CLASS (ioc_queue_filter_model_parent_class)->dispose (object);
}

static void
ioc_queue_filter_model_finalize (GObject *object)
{
  IocQueueFilterModel *self = IOC_QUEUE_FILTER_MODEL (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->shown, g_array_unref);

  G_OBJECT_CLASS (ioc_queue_filter_model_parent_class)->finalize (object);
}

static void
ioc_queue_filter_model_class_init (IocQueueFilterModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ioc_queue_filter_model_dispose;
  G_OBJECT_CLASS (klass)->finalize = ioc_queue_filter_model_finalize;
}

static void
ioc_queue_filter_model_init (IocQueueFilterModel *self)
{
  self->items = g_ptr_array_new ();
  self->shown = g_array_new (FALSE, FALSE, sizeof (guint));
}

IocQueueFilterModel *
ioc_queue_filter_model_new (IocQueueMatchFunc match,
                            gpointer          user_data)
{
  IocQueueFilterModel *self;

  g_return_val_if_fail (match != NULL, NULL);

  self = g_object_new (IOC_TYPE_QUEUE_FILTER_MODEL, NULL);
  self->match = match;
  self->match_data = user_data;
  return self;
}
