/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <gtk/gtk.h>

#include "ioc-queue-filter-model.h"
#include "ioc-queue-selection.h"

/* The queue's models on their own, over made-up tasks: the filtered list
 * against a brute-force filter, and the rows and selection on top of it as
 * a list view sees them, through nothing but their signals. */

#define N_TASKS 2000
#define STEP    IOC_QUEUE_SELECTION_REVEAL_STEP
/* Enough for the filter model to share its passes with helper threads. */
#define N_TASKS_SHARED 30000

typedef struct {
  guint  threshold;  /* a task's weight (its rating) is below it */
  guint  modulus;    /* and its id % modulus is remainder; 0: any id */
  guint  remainder;
  guint  calls;      /* atomic: the filter model's helper threads call too */
} Matcher;

typedef struct {
  GListStore          *store;
  Matcher              matcher;
  IocQueueFilterModel *filter;
  GPtrArray           *items;      /* the filter's items as announced */
  guint                n_changes;
  IocQueueSelection   *selection;
  GPtrArray           *rows;       /* the selection's rows as announced, referenced */
  GArray              *looks;      /* gboolean per row: selected, as last announced */
  GHashTable          *expected;   /* the tasks the test selected and still expects selected */
  guint                n_selection_changes;
  gint64               next_id;
  guint                n_tasks;
} Fixture;

static gboolean
match_cb (IocTaskObject *object,
          gpointer       user_data)
{
  Matcher *m = user_data;
  IocTask *task = ioc_task_object_get_task (object);

  g_atomic_int_inc (&m->calls);
  if (task->rating >= m->threshold)
    return FALSE;
  return m->modulus == 0 || task->id % m->modulus == m->remainder;
}

static IocTaskObject *
make_task (Fixture *f)
{
  g_autoptr(IocTask) task = ioc_task_new ();

  task->id = ++f->next_id;
  task->rating = g_test_rand_int_range (0, 1000);
  task->title = g_strdup_printf ("Ngập nước số %" G_GINT64_FORMAT, task->id);
  return ioc_task_object_new (task, NULL);
}

static void
add_tasks (Fixture *f,
           guint    position,
           guint    n_remove,
           guint    n_add)
{
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n_add; i++)
    g_ptr_array_add (added, make_task (f));
  g_list_store_splice (f->store, position, n_remove, added->pdata, added->len);
}

static void
on_filter_items_changed_cb (GListModel *model,
                            guint       position,
                            guint       removed,
                            guint       added,
                            Fixture    *f)
{
  g_assert_cmpuint (removed + added, >, 0);
  g_assert_cmpuint (position + removed, <=, f->items->len);
  g_assert_cmpuint (f->items->len - removed + added, ==, g_list_model_get_n_items (model));
  /* Only the rows that differ: the first and last announced ones did. */
  if (removed > 0 && added > 0)
    {
      g_autoptr(GObject) first = g_list_model_get_item (model, position);
      g_autoptr(GObject) last = g_list_model_get_item (model, position + added - 1);

      g_assert_true (first != g_ptr_array_index (f->items, position));
      g_assert_true (last != g_ptr_array_index (f->items, position + removed - 1));
    }

  g_ptr_array_remove_range (f->items, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (f->items, position + i, g_list_model_get_item (model, position + i));
  f->n_changes++;
}

static void
on_rows_items_changed_cb (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          Fixture    *f)
{
  g_assert_cmpuint (position + removed, <=, f->rows->len);
  g_ptr_array_remove_range (f->rows, position, removed);
  g_array_remove_range (f->looks, position, removed);
  for (guint i = 0; i < added; i++)
    {
      gboolean look = gtk_selection_model_is_selected (GTK_SELECTION_MODEL (model), position + i);

      g_ptr_array_insert (f->rows, position + i, g_list_model_get_item (model, position + i));
      g_array_insert_val (f->looks, position + i, look);
    }
}

static void
on_selection_changed_cb (GtkSelectionModel *model,
                         guint              position,
                         guint              n_items,
                         Fixture           *f)
{
  g_assert_cmpuint (n_items, >, 0);
  g_assert_cmpuint (position + n_items, <=, f->rows->len);
  for (guint i = position; i < position + n_items; i++)
    g_array_index (f->looks, gboolean, i) = gtk_selection_model_is_selected (model, i);
  f->n_selection_changes++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->n_tasks = data != NULL ? GPOINTER_TO_UINT (data) : N_TASKS;
  f->store = g_list_store_new (IOC_TYPE_TASK_OBJECT);
  add_tasks (f, 0, 0, f->n_tasks);
  f->matcher.threshold = 500;
  f->filter = ioc_queue_filter_model_new (match_cb, &f->matcher);
  f->items = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->filter, "items-changed", G_CALLBACK (on_filter_items_changed_cb), f);
  f->rows = g_ptr_array_new_with_free_func (g_object_unref);
  f->looks = g_array_new (FALSE, FALSE, sizeof (gboolean));
  f->expected = g_hash_table_new (NULL, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->selection);
  g_clear_object (&f->filter);
  g_clear_object (&f->store);
  g_clear_pointer (&f->items, g_ptr_array_unref);
  g_clear_pointer (&f->rows, g_ptr_array_unref);
  g_clear_pointer (&f->looks, g_array_unref);
  g_clear_pointer (&f->expected, g_hash_table_unref);
}

/* The filter shows what a brute-force pass over the store finds, in its
 * order, and what it announced adds up to that; at most one change. */
static void
check_filter (Fixture *f)
{
  GListModel *model = G_LIST_MODEL (f->filter);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (f->store));
  guint k = 0;

  g_assert_cmpuint (f->n_changes, <=, 1);
  f->n_changes = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (G_LIST_MODEL (f->store), i);
      g_autoptr(IocTaskObject) shown = NULL;

      if (!match_cb (object, &f->matcher))
        continue;
      shown = g_list_model_get_item (model, k);
      g_assert_true (shown == object);
      g_assert_true (g_ptr_array_index (f->items, k) == object);
      k++;
    }
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, k);
  g_assert_cmpuint (f->items->len, ==, k);
}

static void
refilter (Fixture         *f,
          GtkFilterChange  change)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (f->filter));
  guint total = g_list_model_get_n_items (G_LIST_MODEL (f->store));

  g_atomic_int_set (&f->matcher.calls, 0);
  ioc_queue_filter_model_refilter (f->filter, change);
  /* MORE_STRICT asks only about the rows shown, LESS_STRICT only about the hidden. */
  if (change == GTK_FILTER_CHANGE_MORE_STRICT)
    g_assert_cmpuint (f->matcher.calls, ==, shown);
  else if (change == GTK_FILTER_CHANGE_LESS_STRICT)
    g_assert_cmpuint (f->matcher.calls, ==, total - shown);
  else
    g_assert_cmpuint (f->matcher.calls, ==, total);
}

/* A random new filter, of a random kind that tells the truth about it. */
static void
random_refilter (Fixture *f)
{
  switch (g_test_rand_int_range (0, 3))
    {
    case 0:
      f->matcher.threshold = g_test_rand_int_range (0, f->matcher.threshold + 1);
      refilter (f, GTK_FILTER_CHANGE_MORE_STRICT);
      break;
    case 1:
      f->matcher.threshold = g_test_rand_int_range (f->matcher.threshold, 1001);
      refilter (f, GTK_FILTER_CHANGE_LESS_STRICT);
      break;
    default:
      f->matcher.threshold = g_test_rand_int_range (200, 1001);
      f->matcher.modulus = g_test_rand_int_range (0, 4);
      f->matcher.remainder = f->matcher.modulus ? g_test_rand_int_range (0, f->matcher.modulus) : 0;
      refilter (f, GTK_FILTER_CHANGE_DIFFERENT);
      break;
    }
}

/* Inserts, removes or replaces a few tasks somewhere in the store. */
static void
random_store_change (Fixture *f)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (f->store));
  guint position = g_test_rand_int_range (0, n + 1);
  guint n_remove = g_test_rand_int_range (0, 12);
  guint n_add = g_test_rand_int_range (0, 12);

  n_remove = MIN (n_remove, n - position);
  switch (g_test_rand_int_range (0, 4))
    {
    case 3:
      /* The same tasks again, one new among them: as a re-sort or an
       * update that replaces them does. */
      {
        g_autoptr(GPtrArray) again = g_ptr_array_new_with_free_func (g_object_unref);

        for (guint i = 0; i < n_remove; i++)
          g_ptr_array_add (again, g_list_model_get_item (G_LIST_MODEL (f->store), position + i));
        g_ptr_array_insert (again, n_remove / 2, make_task (f));
        g_list_store_splice (f->store, position, n_remove, again->pdata, again->len);
      }
      break;
    case 0:
      add_tasks (f, position, 0, n_add + 1);
      break;
    case 1:
      g_list_store_splice (f->store, position, n_remove, NULL, 0);
      break;
    default:
      add_tasks (f, position, n_remove, n_add);
      break;
    }
}

static void
test_filter_refilter (Fixture       *f,
                      gconstpointer  data)
{
  ioc_queue_filter_model_set_model (f->filter, G_LIST_MODEL (f->store));
  g_assert_true (ioc_queue_filter_model_get_model (f->filter) == G_LIST_MODEL (f->store));
  check_filter (f);
  g_assert_cmpuint (f->items->len, >, 0);

  /* Nothing changed: nothing announced. */
  refilter (f, GTK_FILTER_CHANGE_DIFFERENT);
  g_assert_cmpuint (f->n_changes, ==, 0);

  for (guint i = 0; i < 60; i++)
    {
      random_refilter (f);
      check_filter (f);
    }

  /* Everything hidden, then everything shown. */
  f->matcher.threshold = 0;
  refilter (f, GTK_FILTER_CHANGE_MORE_STRICT);
  check_filter (f);
  g_assert_cmpuint (f->items->len, ==, 0);
  f->matcher.threshold = 1000;
  f->matcher.modulus = 0;
  refilter (f, GTK_FILTER_CHANGE_LESS_STRICT);
  check_filter (f);
  g_assert_cmpuint (f->items->len, ==, f->n_tasks);
}

static void
test_filter_store_changes (Fixture       *f,
                           gconstpointer  data)
{
  ioc_queue_filter_model_set_model (f->filter, G_LIST_MODEL (f->store));
  check_filter (f);

  for (guint i = 0; i < 200; i++)
    {
      if (i % 10 == 9)
        random_refilter (f);
      else
        random_store_change (f);
      check_filter (f);
    }

  /* Every task replaced at once, then the model taken away and given back. */
  f->matcher.threshold = 500;
  f->matcher.modulus = 0;
  refilter (f, GTK_FILTER_CHANGE_DIFFERENT);
  check_filter (f);
  add_tasks (f, 0, g_list_model_get_n_items (G_LIST_MODEL (f->store)), 500);
  check_filter (f);
  ioc_queue_filter_model_set_model (f->filter, NULL);
  g_assert_cmpuint (f->n_changes, ==, 1);
  f->n_changes = 0;
  g_assert_cmpuint (f->items->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->filter)), ==, 0);
  add_tasks (f, 0, 0, 3);
  g_assert_cmpuint (f->n_changes, ==, 0);
  ioc_queue_filter_model_set_model (f->filter, G_LIST_MODEL (f->store));
  check_filter (f);
}

/* The selection over the filter, every row revealed. */
static void
selection_set_up (Fixture *f)
{
  ioc_queue_filter_model_set_model (f->filter, G_LIST_MODEL (f->store));
  f->n_changes = 0;
  f->selection = ioc_queue_selection_new (G_LIST_MODEL (f->filter));
  g_signal_connect (f->selection, "items-changed", G_CALLBACK (on_rows_items_changed_cb), f);
  g_signal_connect (f->selection, "selection-changed", G_CALLBACK (on_selection_changed_cb), f);
  on_rows_items_changed_cb (G_LIST_MODEL (f->selection), 0, 0,
                            g_list_model_get_n_items (G_LIST_MODEL (f->selection)), f);
  while (ioc_queue_selection_reveal_more (f->selection))
    ;
  g_assert_false (ioc_queue_selection_get_revealing (f->selection));
}

/* The rows as announced are the model's, each showing the filter's task
 * at its position; what the rows look like (selected or not) is what the
 * model answers now; and the selected tasks are the ones the test chose,
 * less those no longer listed: those are dropped for good. */
static void
check_selection (Fixture *f)
{
  GtkSelectionModel *model = GTK_SELECTION_MODEL (f->selection);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (f->filter));
  g_autoptr(GPtrArray) selected = ioc_queue_selection_get_selected (f->selection);
  g_autoptr(GtkBitset) bits = gtk_selection_model_get_selection (model);
  g_autoptr(GHashTable) listed = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer task;
  guint k = 0;

  check_filter (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->selection)), ==, f->rows->len);
  if (!ioc_queue_selection_get_revealing (f->selection))
    g_assert_cmpuint (f->rows->len, ==, n);
  for (guint i = 0; i < f->rows->len; i++)
    {
      g_autoptr(IocQueueRow) row = g_list_model_get_item (G_LIST_MODEL (f->selection), i);

      g_assert_true (row == g_ptr_array_index (f->rows, i));
      g_assert_true (ioc_queue_row_get_task (row) == g_ptr_array_index (f->items, i));
      g_assert_cmpint (g_array_index (f->looks, gboolean, i), ==, gtk_selection_model_is_selected (model, i));
    }

  for (guint i = 0; i < n; i++)
    g_hash_table_add (listed, g_ptr_array_index (f->items, i));
  g_hash_table_iter_init (&iter, f->expected);
  while (g_hash_table_iter_next (&iter, &task, NULL))
    if (!g_hash_table_contains (listed, task))
      g_hash_table_iter_remove (&iter);

  for (guint i = 0; i < n; i++)
    {
      IocTaskObject *object = g_ptr_array_index (f->items, i);
      gboolean expected = g_hash_table_contains (f->expected, object);

      /* The bitset covers the rows revealed; is_selected() answers for all. */
      if (i < f->rows->len)
        g_assert_cmpint (gtk_bitset_contains (bits, i), ==, expected);
      g_assert_cmpint (gtk_selection_model_is_selected (model, i), ==, expected);
      if (expected)
        {
          g_assert_cmpuint (k, <, selected->len);
          g_assert_true (g_ptr_array_index (selected, k) == object);
          k++;
        }
    }
  g_assert_cmpuint (selected->len, ==, k);
  g_assert_cmpuint (gtk_bitset_get_size (bits), ==,
                    gtk_bitset_get_size_in_range (bits, 0, MAX (f->rows->len, 1) - 1));
  if (k == 1)
    g_assert_true (ioc_queue_selection_get_lone_selected (f->selection) == g_ptr_array_index (selected, 0));
  else
    g_assert_null (ioc_queue_selection_get_lone_selected (f->selection));
}

/* The test's own account of what it selected or unselected. */
static void
expect (Fixture  *f,
        guint     position,
        guint     n_items,
        gboolean  selected)
{
  for (guint i = position; i < position + n_items; i++)
    if (selected)
      g_hash_table_add (f->expected, g_ptr_array_index (f->items, i));
    else
      g_hash_table_remove (f->expected, g_ptr_array_index (f->items, i));
}

static void
select_position (Fixture *f,
                 guint    position)
{
  g_assert_true (gtk_selection_model_select_item (GTK_SELECTION_MODEL (f->selection), position, FALSE));
  g_hash_table_add (f->expected, g_ptr_array_index (f->items, position));
}

static void
on_row_notify_task_cb (IocQueueRow *row,
                       GParamSpec  *pspec,
                       guint       *count)
{
  (*count)++;
}

static void
test_selection_rows (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(IocQueueRow) first = NULL;
  IocTaskObject *before;
  guint notified = 0;

  selection_set_up (f);
  check_selection (f);
  g_assert_cmpuint (f->rows->len, >, 100);

  first = g_list_model_get_item (G_LIST_MODEL (f->selection), 0);
  before = ioc_queue_row_get_task (first);
  ioc_queue_row_hold (first);
  g_signal_connect (first, "notify::task", G_CALLBACK (on_row_notify_task_cb), &notified);

  /* Another first task: the same row shows it, and says so. */
  f->matcher.modulus = 2;
  f->matcher.remainder = ioc_task_object_get_id (before) % 2 ? 0 : 1;
  refilter (f, GTK_FILTER_CHANGE_DIFFERENT);
  check_selection (f);
  g_assert_true (g_ptr_array_index (f->rows, 0) == first);
  g_assert_true (ioc_queue_row_get_task (first) != before);
  g_assert_true (ioc_queue_row_get_task (first) == g_ptr_array_index (f->items, 0));
  g_assert_cmpuint (notified, ==, 1);

  /* A held row follows its task's own changes too. */
  {
    IocTask *task = ioc_task_object_get_task (ioc_queue_row_get_task (first));
    g_autoptr(IocTask) newer = ioc_task_copy (task);

    newer->version = task->version + 1;
    g_free (newer->title);
    newer->title = g_strdup ("Cây đổ");
    notified = 0;
    g_assert_true (ioc_task_object_update (ioc_queue_row_get_task (first), newer));
    g_assert_cmpuint (notified, >, 0);
  }
  ioc_queue_row_release (first);
  g_signal_handlers_disconnect_by_func (first, on_row_notify_task_cb, &notified);

  /* Rows nobody holds may be let go; those made again show the right task. */
  g_ptr_array_set_size (f->rows, 0);
  g_array_set_size (f->looks, 0);
  g_signal_handlers_disconnect_by_func (f->selection, on_rows_items_changed_cb, f);
  g_signal_handlers_disconnect_by_func (f->selection, on_selection_changed_cb, f);
  for (guint i = 0; i < 20; i++)
    {
      guint n;

      if (i % 2)
        random_refilter (f);
      else
        random_store_change (f);
      check_filter (f);
      while (ioc_queue_selection_reveal_more (f->selection))
        ;
      n = g_list_model_get_n_items (G_LIST_MODEL (f->selection));
      g_assert_cmpuint (n, ==, f->items->len);
      for (guint k = 0; k < n; k += 7)
        {
          g_autoptr(IocQueueRow) row = g_list_model_get_item (G_LIST_MODEL (f->selection), k);
          g_autoptr(IocTaskObject) task = ioc_queue_selection_get_task (f->selection, k);

          g_assert_true (ioc_queue_row_get_task (row) == g_ptr_array_index (f->items, k));
          g_assert_true (task == g_ptr_array_index (f->items, k));
        }
    }
}

static void
test_selection_kept (Fixture       *f,
                     gconstpointer  data)
{
  selection_set_up (f);
  for (guint i = 0; i < 20; i++)
    select_position (f, g_test_rand_int_range (0, f->items->len));
  check_selection (f);
  g_assert_cmpuint (g_hash_table_size (f->expected), >, 1);

  /* Wider: every selected task stays selected, at its new position. */
  {
    guint before = g_hash_table_size (f->expected);

    f->matcher.threshold = 800;
    refilter (f, GTK_FILTER_CHANGE_LESS_STRICT);
    check_selection (f);
    g_assert_cmpuint (g_hash_table_size (f->expected), ==, before);
  }

  /* Narrower: the hidden ones are unselected, and stay so when shown again. */
  {
    guint before = g_hash_table_size (f->expected);
    IocTaskObject *hidden = NULL;
    GHashTableIter iter;
    gpointer task;

    f->matcher.modulus = 2;
    f->matcher.remainder = 0;
    g_hash_table_iter_init (&iter, f->expected);
    while (g_hash_table_iter_next (&iter, &task, NULL))
      if (ioc_task_object_get_id (task) % 2 == 1)
        hidden = task;
    g_assert_nonnull (hidden);
    refilter (f, GTK_FILTER_CHANGE_MORE_STRICT);
    check_selection (f);
    g_assert_cmpuint (g_hash_table_size (f->expected), <, before);
    g_assert_false (g_hash_table_contains (f->expected, hidden));

    f->matcher.modulus = 0;
    refilter (f, GTK_FILTER_CHANGE_LESS_STRICT);
    check_selection (f);
    g_assert_true (g_ptr_array_find (f->items, hidden, NULL));
    g_assert_false (g_hash_table_contains (f->expected, hidden));
  }

  /* The store changes under the filter: the selection follows its tasks. */
  for (guint i = 0; i < 150; i++)
    {
      if (i % 5 == 0 && f->items->len > 0)
        select_position (f, g_test_rand_int_range (0, f->items->len));
      else if (i % 5 == 1)
        random_refilter (f);
      else
        random_store_change (f);
      check_selection (f);
    }

  /* A selected task removed from the store is gone from the selection. */
  f->matcher.threshold = 1000;
  f->matcher.modulus = 0;
  refilter (f, GTK_FILTER_CHANGE_DIFFERENT);
  check_selection (f);
  if (g_hash_table_size (f->expected) == 0)
    select_position (f, 0);
  {
    g_autoptr(GPtrArray) selected = ioc_queue_selection_get_selected (f->selection);
    guint position;

    g_assert_true (g_list_store_find (f->store, g_ptr_array_index (selected, 0), &position));
    add_tasks (f, 0, 0, 5);
    check_selection (f);
    g_list_store_remove (f->store, position + 5);
    check_selection (f);
    g_assert_false (g_hash_table_contains (f->expected, g_ptr_array_index (selected, 0)));
  }
}

static void
test_selection_actions (Fixture       *f,
                        gconstpointer  data)
{
  GtkSelectionModel *model;
  guint n;

  f->matcher.modulus = 3;
  selection_set_up (f);
  model = GTK_SELECTION_MODEL (f->selection);
  n = f->items->len;

  g_assert_true (gtk_selection_model_select_all (model));
  expect (f, 0, n, TRUE);
  check_selection (f);
  g_assert_cmpuint (g_hash_table_size (f->expected), ==, n);

  f->n_selection_changes = 0;
  g_assert_true (gtk_selection_model_unselect_all (model));
  g_hash_table_remove_all (f->expected);
  check_selection (f);
  g_assert_cmpuint (f->n_selection_changes, ==, 1);

  /* One: the lone one; two: none. */
  select_position (f, 7);
  check_selection (f);
  g_assert_true (ioc_queue_selection_get_lone_selected (f->selection) == g_ptr_array_index (f->items, 7));
  select_position (f, 9);
  check_selection (f);
  g_assert_null (ioc_queue_selection_get_lone_selected (f->selection));

  /* A range instead of what was selected, then one more next to it. */
  g_assert_true (gtk_selection_model_select_range (model, 20, 15, TRUE));
  g_hash_table_remove_all (f->expected);
  expect (f, 20, 15, TRUE);
  check_selection (f);
  g_assert_true (gtk_selection_model_select_range (model, 35, 1, FALSE));
  expect (f, 35, 1, TRUE);
  check_selection (f);
  g_assert_true (gtk_selection_model_unselect_range (model, 25, 5));
  expect (f, 25, 5, FALSE);
  check_selection (f);
  g_assert_true (gtk_selection_model_unselect_item (model, 20));
  expect (f, 20, 1, FALSE);
  check_selection (f);

  /* One click instead of the range. */
  g_assert_true (gtk_selection_model_select_item (model, n - 1, TRUE));
  g_hash_table_remove_all (f->expected);
  expect (f, n - 1, 1, TRUE);
  check_selection (f);
  g_assert_false (gtk_selection_model_select_item (model, n, FALSE));

  /* A range selected through the mask, as a rubber band does. */
  {
    g_autoptr(GtkBitset) selected = gtk_bitset_new_range (100, 10);
    g_autoptr(GtkBitset) mask = gtk_bitset_new_range (95, 20);

    g_assert_true (gtk_selection_model_set_selection (model, selected, mask));
    expect (f, 100, 10, TRUE);
    check_selection (f);
  }

  /* All selected, then a third of them hidden and shown again. */
  gtk_selection_model_select_all (model);
  expect (f, 0, n, TRUE);
  f->matcher.threshold = 250;
  refilter (f, GTK_FILTER_CHANGE_MORE_STRICT);
  check_selection (f);
  f->matcher.threshold = 500;
  refilter (f, GTK_FILTER_CHANGE_LESS_STRICT);
  check_selection (f);
  g_assert_cmpuint (g_hash_table_size (f->expected), <, f->items->len);
}

/* The largest threshold under which fewer than @limit tasks of the store
 * pass: a handful, whatever the random ratings. */
static guint
threshold_showing_fewer_than (Fixture *f,
                              guint    limit)
{
  guint counts[1001] = { 0 };
  guint n = g_list_model_get_n_items (G_LIST_MODEL (f->store));
  guint below = 0, threshold = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (G_LIST_MODEL (f->store), i);

      counts[CLAMP (ioc_task_object_get_task (object)->rating, 0, 1000)]++;
    }
  while (threshold < 1000 && below + counts[threshold] < limit)
    below += counts[threshold++];
  return threshold;
}

static void
test_reveal (Fixture       *f,
             gconstpointer  data)
{
  guint steps = 0;
  guint n;

  /* Created empty, as the queue view is before the first load. */
  f->selection = ioc_queue_selection_new (G_LIST_MODEL (f->filter));
  g_signal_connect (f->selection, "items-changed", G_CALLBACK (on_rows_items_changed_cb), f);
  g_signal_connect (f->selection, "selection-changed", G_CALLBACK (on_selection_changed_cb), f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->selection)), ==, 0);
  g_assert_false (ioc_queue_selection_get_revealing (f->selection));
  g_assert_false (ioc_queue_selection_reveal_more (f->selection));

  /* The big first load: a step of rows, then a step more at a time up to
   * the threshold, then all. */
  ioc_queue_filter_model_set_model (f->filter, G_LIST_MODEL (f->store));
  n = f->items->len;
  g_assert_cmpuint (n, >, IOC_QUEUE_SELECTION_REVEAL_ALL);
  g_assert_cmpuint (f->rows->len, ==, STEP);
  g_assert_true (ioc_queue_selection_get_revealing (f->selection));
  select_position (f, 3);
  expect (f, 300, 1, TRUE);
  g_assert_true (gtk_selection_model_select_item (GTK_SELECTION_MODEL (f->selection), 300, FALSE));
  check_selection (f);
  while (ioc_queue_selection_reveal_more (f->selection))
    {
      steps++;
      g_assert_cmpuint (f->rows->len, ==, STEP + STEP * steps);
      check_selection (f);
    }
  /* The last step reaches the threshold and reveals the rest. */
  g_assert_cmpuint (steps, ==, (IOC_QUEUE_SELECTION_REVEAL_ALL - 1) / STEP - 1);
  g_assert_false (ioc_queue_selection_get_revealing (f->selection));
  g_assert_cmpuint (f->rows->len, ==, n);
  check_selection (f);
  g_assert_false (ioc_queue_selection_reveal_more (f->selection));

  /* Everything shown already: more tasks come in at once. */
  add_tasks (f, 0, 0, 400);
  check_selection (f);
  f->matcher.threshold = 1000;
  refilter (f, GTK_FILTER_CHANGE_LESS_STRICT);
  g_assert_false (ioc_queue_selection_get_revealing (f->selection));
  check_selection (f);

  /* From a handful of rows to many: revealed in steps again. */
  f->matcher.threshold = threshold_showing_fewer_than (f, STEP);
  refilter (f, GTK_FILTER_CHANGE_MORE_STRICT);
  check_selection (f);
  g_assert_cmpuint (f->rows->len, <, STEP);
  n = f->rows->len;
  g_assert_cmpuint (n, >, 0);
  f->matcher.threshold = 1000;
  refilter (f, GTK_FILTER_CHANGE_LESS_STRICT);
  g_assert_true (ioc_queue_selection_get_revealing (f->selection));
  g_assert_cmpuint (f->rows->len, ==, n + STEP);
  check_selection (f);
  while (ioc_queue_selection_reveal_more (f->selection))
    check_selection (f);
  g_assert_cmpuint (f->rows->len, ==, f->items->len);
  check_selection (f);
}

/* The priority cell's style class: "priority-urgent" is a red pill in the
 * style sheet, "priority-high" bold, "priority-low" dimmed; a change of
 * priority restyles the cell. */
static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_priority_class (void)
{
  g_autoptr(IocTask) task = ioc_task_new ();
  g_autoptr(IocTask) raised = NULL;
  g_autoptr(IocTaskObject) object = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint notified = 0;

  task->id = 1;
  task->priority = IOC_PRIORITY_HIGH;
  object = ioc_task_object_new (task, NULL);
  g_object_get (object, "priority-class", &before, NULL);
  g_assert_cmpstr (before, ==, "priority-high");

  g_signal_connect (object, "notify::priority-class", G_CALLBACK (count_notify_cb), &notified);
  raised = ioc_task_copy (task);
  raised->priority = IOC_PRIORITY_URGENT;
  g_assert_true (ioc_task_object_update (object, raised));
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (object, "priority-class", &after, NULL);
  g_assert_cmpstr (after, ==, "priority-urgent");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/queue/filter/refilter", Fixture, NULL, fixture_set_up, test_filter_refilter, fixture_tear_down);
  g_test_add ("/queue/filter/refilter-shared", Fixture, GUINT_TO_POINTER (N_TASKS_SHARED),
              fixture_set_up, test_filter_refilter, fixture_tear_down);
  g_test_add ("/queue/filter/store-changes", Fixture, NULL, fixture_set_up, test_filter_store_changes, fixture_tear_down);
  g_test_add ("/queue/selection/rows", Fixture, NULL, fixture_set_up, test_selection_rows, fixture_tear_down);
  g_test_add ("/queue/selection/kept", Fixture, NULL, fixture_set_up, test_selection_kept, fixture_tear_down);
  g_test_add ("/queue/selection/actions", Fixture, NULL, fixture_set_up, test_selection_actions, fixture_tear_down);
  g_test_add ("/queue/selection/reveal", Fixture, NULL, fixture_set_up, test_reveal, fixture_tear_down);
  g_test_add_func ("/queue/task/priority-class", test_priority_class);

  return g_test_run ();
}
