/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ioc-queue-cell.h"
#include "ioc-queue-filter-model.h"
#include "ioc-queue-selection.h"
#include "ioc-queue-view.h"
#include "ioc-state-label.h"

struct _IocQueueView
{
  GtkWidget           parent_instance;

  GtkBox             *box;
  GtkDropDown        *view_dropdown;
  GtkSearchEntry     *search_entry;
  GtkLabel           *count_label;
  GtkColumnView      *column_view;
  GtkColumnViewColumn *id_column;
  GtkColumnViewColumn *priority_column;
  GtkColumnViewColumn *category_column;
  GtkColumnViewColumn *title_column;
  GtkColumnViewColumn *commune_column;
  GtkColumnViewColumn *department_column;
  GtkColumnViewColumn *state_column;
  GtkColumnViewColumn *age_column;
  GtkColumnViewColumn *time_left_column;
  GtkWidget          *filter_bar;
  GtkDropDown        *state_dropdown;
  GtkDropDown        *department_dropdown;
  GtkDropDown        *category_dropdown;
  GtkToggleButton    *overdue_toggle;
  GtkWidget          *clear_filters_button;

  IocQueueFilterModel *filter_model;
  GtkSortListModel   *sort_model;
  IocQueueSelection  *selection;
  IocTaskObject      *selected_task;      /* the lone selected task last announced */
  guint               reveal_tick;        /* while the list view gets its rows a few a frame */

  GArray             *views;        /* IocView offered to this role */
  IocView             view;
  IocRole             role;
  char               *department;
  char               *folded_search;
  gint64              now;                /* during a refilter: one clock for every task */
  GStrv               search_words;       /* folded_search split, no empty words */

  /* The explicit filters, on top of the view and the search. */
  IocTaskState        state_filter;       /* IOC_TASK_STATE_INVALID: any */
  char               *department_filter;  /* NULL: any */
  char               *category_filter;    /* NULL: any */
  gboolean            overdue_filter;
  GPtrArray          *department_codes;   /* dropdown position - 1 → code */
  GPtrArray          *category_codes;
  gboolean            syncing;            /* the code moves a dropdown: not the user */
};

G_DEFINE_FINAL_TYPE (IocQueueView, ioc_queue_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TASK_SELECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The states an explicit filter offers, in workflow order. */
static const IocTaskState filter_states[] = {
  IOC_TASK_STATE_RECEIVED, IOC_TASK_STATE_VERIFIED, IOC_TASK_STATE_FORWARDED,
  IOC_TASK_STATE_ACKNOWLEDGED, IOC_TASK_STATE_IN_PROGRESS, IOC_TASK_STATE_RETURNED,
  IOC_TASK_STATE_RESOLVED, IOC_TASK_STATE_CLOSED, IOC_TASK_STATE_REJECTED,
  IOC_TASK_STATE_DUPLICATE,
};

static const char *
view_label (IocView view)
{
  switch (view)
    {
    case IOC_VIEW_ALL_OPEN: return _("All open");
    case IOC_VIEW_NEW: return _("New");
    case IOC_VIEW_TO_FORWARD: return _("To forward");
    case IOC_VIEW_RETURNED: return _("Returned");
    case IOC_VIEW_OVERDUE: return _("Overdue");
    case IOC_VIEW_FORWARDED_TO_US: return _("Forwarded to us");
    case IOC_VIEW_IN_PROGRESS: return _("In progress");
    case IOC_VIEW_OVERDUE_BY_DEPARTMENT: return _("Overdue by department");
    case IOC_VIEW_ALL: return _("All");
    default:
      return "";
    }
}

static const char *
view_suffix (IocView view)
{
  switch (view)
    {
    case IOC_VIEW_ALL_OPEN: return "all-open";
    case IOC_VIEW_NEW: return "new";
    case IOC_VIEW_TO_FORWARD: return "to-forward";
    case IOC_VIEW_RETURNED: return "returned";
    case IOC_VIEW_OVERDUE: return "overdue";
    case IOC_VIEW_FORWARDED_TO_US: return "forwarded";
    case IOC_VIEW_IN_PROGRESS: return "in-progress";
    case IOC_VIEW_OVERDUE_BY_DEPARTMENT: return "overdue";
    case IOC_VIEW_ALL: return "all";
    default:
      return "";
    }
}

static const char *
role_prefix (IocRole role)
{
  switch (role)
    {
    case IOC_ROLE_OPERATOR: return "operator";
    case IOC_ROLE_LIAISON: return "liaison";
    case IOC_ROLE_SUPERVISOR:
    case IOC_ROLE_ADMIN:
    case IOC_N_ROLES:
    case IOC_ROLE_INVALID:
    default:
      return "supervisor";
    }
}

gboolean
ioc_queue_filter_matches (IocTask      *task,
                          IocTaskState  state,
                          const char   *department,
                          const char   *category,
                          gboolean      overdue_only,
                          gint64        now)
{
  if (state != IOC_TASK_STATE_INVALID && task->state != state)
    return FALSE;
  if (department != NULL && g_strcmp0 (task->department, department) != 0)
    return FALSE;
  if (category != NULL && g_strcmp0 (task->category, category) != 0)
    return FALSE;
  if (overdue_only && !ioc_task_is_overdue (task, now))
    return FALSE;
  return TRUE;
}

gboolean
ioc_view_matches (IocView     view,
                  IocTask    *task,
                  const char *department,
                  gint64      now)
{
  gboolean ours = department == NULL || g_strcmp0 (task->department, department) == 0;

  switch (view)
    {
    case IOC_VIEW_ALL_OPEN:
      return ioc_task_state_is_open (task->state);
    case IOC_VIEW_NEW:
      return task->state == IOC_TASK_STATE_RECEIVED;
    case IOC_VIEW_TO_FORWARD:
      return task->state == IOC_TASK_STATE_VERIFIED;
    case IOC_VIEW_RETURNED:
      return task->state == IOC_TASK_STATE_RETURNED;
    case IOC_VIEW_OVERDUE:
    case IOC_VIEW_OVERDUE_BY_DEPARTMENT:
      return ours && ioc_task_is_overdue (task, now);
    case IOC_VIEW_FORWARDED_TO_US:
      return ours && task->state == IOC_TASK_STATE_FORWARDED;
    case IOC_VIEW_IN_PROGRESS:
      return ours && (task->state == IOC_TASK_STATE_ACKNOWLEDGED || task->state == IOC_TASK_STATE_IN_PROGRESS);
    case IOC_VIEW_ALL:
    default:
      return TRUE;
    }
}

/* Every word of the search is in the task's folded text: what
 * ioc_text_matches() answers, with the query split once per change
 * instead of once per task. */
static gboolean
text_matches (const char *folded_text,
              GStrv       words)
{
  if (words == NULL || words[0] == NULL)
    return TRUE;
  if (folded_text == NULL)
    return FALSE;
  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (folded_text, words[i]) == NULL)
      return FALSE;
  return TRUE;
}

/* Called from the filter model's helper threads too, while the main
 * thread waits for them: it only reads. */
static gboolean
match_func (IocTaskObject *object,
            gpointer       user_data)
{
  IocQueueView *self = user_data;
  IocTask *task = ioc_task_object_get_task (object);
  gint64 now = self->now ? self->now : g_get_real_time ();

  if (!ioc_view_matches (self->view, task, self->department, now))
    return FALSE;
  if (!ioc_queue_filter_matches (task, self->state_filter, self->department_filter, self->category_filter,
                                 self->overdue_filter, now))
    return FALSE;

  return text_matches (ioc_task_object_get_search_text (object), self->search_words);
}

static void
update_count (IocQueueView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u task", "%u tasks", n), n);

  gtk_label_set_label (self->count_label, text);
}

static void
refilter (IocQueueView       *self,
          GtkFilterChange     change)
{
  self->now = g_get_real_time ();
  ioc_queue_filter_model_refilter (self->filter_model, change);
  self->now = 0;
}

static void
split_search (IocQueueView *self)
{
  g_auto(GStrv) words = g_strsplit (self->folded_search, " ", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_strv_builder_add (builder, words[i]);
  g_strfreev (self->search_words);
  self->search_words = g_strv_builder_end (builder);
}

void
ioc_queue_view_set_search (IocQueueView *self,
                           const char   *text)
{
  g_autofree char *folded = ioc_text_fold (text ? text : "");
  GtkFilterChange change = GTK_FILTER_CHANGE_DIFFERENT;

  if (g_strcmp0 (folded, self->folded_search) == 0)
    return;

  /* Typing more only narrows: the filter need not look at hidden rows again. */
  if (self->folded_search != NULL && g_str_has_prefix (folded, self->folded_search))
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (self->folded_search != NULL && g_str_has_prefix (self->folded_search, folded))
    change = GTK_FILTER_CHANGE_LESS_STRICT;

  g_free (self->folded_search);
  self->folded_search = g_steal_pointer (&folded);
  split_search (self);
  refilter (self, change);

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
}

void
ioc_queue_view_set_view (IocQueueView *self,
                         IocView       view)
{
  for (guint i = 0; i < self->views->len; i++)
    if (g_array_index (self->views, IocView, i) == view)
      {
        if (gtk_drop_down_get_selected (self->view_dropdown) != i)
          gtk_drop_down_set_selected (self->view_dropdown, i);
        break;
      }

  if (self->view == view)
    return;

  self->view = view;
  refilter (self, GTK_FILTER_CHANGE_DIFFERENT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

IocView
ioc_queue_view_get_view (IocQueueView *self)
{
  return self->view;
}

char *
ioc_queue_view_dup_view_name (IocQueueView *self)
{
  return g_strdup_printf ("%s-%s", role_prefix (self->role), view_suffix (self->view));
}

gboolean
ioc_queue_view_set_view_name (IocQueueView *self,
                              const char   *name)
{
  for (guint i = 0; name != NULL && i < self->views->len; i++)
    {
      IocView view = g_array_index (self->views, IocView, i);
      g_autofree char *candidate = g_strdup_printf ("%s-%s", role_prefix (self->role), view_suffix (view));

      if (g_str_equal (candidate, name))
        {
          ioc_queue_view_set_view (self, view);
          return TRUE;
        }
    }
  return FALSE;
}

/* Explicit filters */

/* From "any" to one value only narrows; back to "any" only widens: the
 * incremental filter then looks at the rows it must, not at all of them. */
static GtkFilterChange
change_between (gboolean was_any,
                gboolean is_any)
{
  if (was_any && !is_any)
    return GTK_FILTER_CHANGE_MORE_STRICT;
  if (!was_any && is_any)
    return GTK_FILTER_CHANGE_LESS_STRICT;
  return GTK_FILTER_CHANGE_DIFFERENT;
}

static void
update_clear_button (IocQueueView *self)
{
  gtk_widget_set_sensitive (self->clear_filters_button,
                            self->state_filter != IOC_TASK_STATE_INVALID || self->department_filter != NULL ||
                            self->category_filter != NULL || self->overdue_filter);
}

static guint
position_of (GPtrArray  *codes,
             const char *code)
{
  for (guint i = 0; code != NULL && codes != NULL && i < codes->len; i++)
    if (g_str_equal (g_ptr_array_index (codes, i), code))
      return i + 1;
  return 0;
}

static void
sync_dropdown (IocQueueView *self,
               GtkDropDown  *dropdown,
               guint         position)
{
  if (gtk_drop_down_get_selected (dropdown) == position)
    return;
  self->syncing = TRUE;
  gtk_drop_down_set_selected (dropdown, position);
  self->syncing = FALSE;
}

void
ioc_queue_view_set_state_filter (IocQueueView *self,
                                 IocTaskState  state)
{
  guint position = 0;

  for (guint i = 0; i < G_N_ELEMENTS (filter_states); i++)
    if (filter_states[i] == state)
      position = i + 1;
  if (position == 0)
    state = IOC_TASK_STATE_INVALID;
  sync_dropdown (self, self->state_dropdown, position);

  if (self->state_filter == state)
    return;
  {
    GtkFilterChange change = change_between (self->state_filter == IOC_TASK_STATE_INVALID,
                                             state == IOC_TASK_STATE_INVALID);
    self->state_filter = state;
    update_clear_button (self);
    refilter (self, change);
  }
}

static void
set_code_filter (IocQueueView  *self,
                 char         **field,
                 GtkDropDown   *dropdown,
                 GPtrArray     *codes,
                 const char    *code)
{
  guint position = position_of (codes, code);
  GtkFilterChange change;

  /* A code the dropdown does not list yet (no reference data) still filters. */
  if (code != NULL && *code == '\0')
    code = NULL;
  sync_dropdown (self, dropdown, position);
  if (g_strcmp0 (*field, code) == 0)
    return;

  change = change_between (*field == NULL, code == NULL);
  g_free (*field);
  *field = g_strdup (code);
  update_clear_button (self);
  refilter (self, change);
}

void
ioc_queue_view_set_department_filter (IocQueueView *self,
                                      const char   *code)
{
  set_code_filter (self, &self->department_filter, self->department_dropdown, self->department_codes, code);
}

void
ioc_queue_view_set_category_filter (IocQueueView *self,
                                    const char   *code)
{
  set_code_filter (self, &self->category_filter, self->category_dropdown, self->category_codes, code);
}

void
ioc_queue_view_set_overdue_filter (IocQueueView *self,
                                   gboolean      overdue_only)
{
  overdue_only = !!overdue_only;
  if (gtk_toggle_button_get_active (self->overdue_toggle) != overdue_only)
    {
      self->syncing = TRUE;
      gtk_toggle_button_set_active (self->overdue_toggle, overdue_only);
      self->syncing = FALSE;
    }
  if (self->overdue_filter == overdue_only)
    return;

  self->overdue_filter = overdue_only;
  update_clear_button (self);
  refilter (self, overdue_only ? GTK_FILTER_CHANGE_MORE_STRICT : GTK_FILTER_CHANGE_LESS_STRICT);
}

void
ioc_queue_view_clear_filters (IocQueueView *self)
{
  ioc_queue_view_set_state_filter (self, IOC_TASK_STATE_INVALID);
  ioc_queue_view_set_department_filter (self, NULL);
  ioc_queue_view_set_category_filter (self, NULL);
  ioc_queue_view_set_overdue_filter (self, FALSE);
}

static void
on_filter_dropdown_notify_selected_cb (IocQueueView *self,
                                       GParamSpec   *pspec,
                                       GtkDropDown  *dropdown)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  if (self->syncing || i == GTK_INVALID_LIST_POSITION)
    return;

  if (dropdown == self->state_dropdown)
    ioc_queue_view_set_state_filter (self, i > 0 && i <= G_N_ELEMENTS (filter_states)
                                           ? filter_states[i - 1] : IOC_TASK_STATE_INVALID);
  else if (dropdown == self->department_dropdown)
    ioc_queue_view_set_department_filter (self, i > 0 && i <= self->department_codes->len
                                                ? g_ptr_array_index (self->department_codes, i - 1) : NULL);
  else if (dropdown == self->category_dropdown)
    ioc_queue_view_set_category_filter (self, i > 0 && i <= self->category_codes->len
                                              ? g_ptr_array_index (self->category_codes, i - 1) : NULL);
}

static void
on_overdue_toggle_toggled_cb (IocQueueView *self)
{
  if (!self->syncing)
    ioc_queue_view_set_overdue_filter (self, gtk_toggle_button_get_active (self->overdue_toggle));
}

static void
on_clear_filters_button_clicked_cb (IocQueueView *self)
{
  ioc_queue_view_clear_filters (self);
}

static int
compare_by_name (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const char *const *names = user_data;

  return g_utf8_collate (names[GPOINTER_TO_UINT (*(gpointer *) a)], names[GPOINTER_TO_UINT (*(gpointer *) b)]);
}

/* Fills a dropdown with "any" and the names of @table's entries, sorted by
 * name; @codes gets the codes in the same order. */
static void
fill_names (IocQueueView *self,
            GtkDropDown  *dropdown,
            GPtrArray    *codes,
            const char   *any,
            GHashTable   *table,
            gboolean      categories)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_ptr_array_set_size (codes, 0);
  if (table != NULL)
    {
      g_hash_table_iter_init (&iter, table);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_ptr_array_add (order, GUINT_TO_POINTER (keys->len));
          g_ptr_array_add (keys, key);
          g_ptr_array_add (names, categories ? ((IocCategory *) value)->name_vi : ((IocDepartment *) value)->name_vi);
        }
    }
  g_ptr_array_sort_with_data (order, compare_by_name, names->pdata);

  gtk_string_list_append (list, any);
  for (guint i = 0; i < order->len; i++)
    {
      guint k = GPOINTER_TO_UINT (g_ptr_array_index (order, i));

      g_ptr_array_add (codes, g_strdup (g_ptr_array_index (keys, k)));
      gtk_string_list_append (list, g_ptr_array_index (names, k));
    }

  self->syncing = TRUE;
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (dropdown, 0);
  self->syncing = FALSE;
}

void
ioc_queue_view_set_reference (IocQueueView *self,
                              IocReference *reference)
{
  g_autofree char *department = g_strdup (self->department_filter);
  g_autofree char *category = g_strdup (self->category_filter);

  /* TRANSLATORS: the department filter's first choice: no filtering */
  fill_names (self, self->department_dropdown, self->department_codes, _("Any department"),
              reference ? reference->departments : NULL, FALSE);
  /* TRANSLATORS: the category filter's first choice: no filtering */
  fill_names (self, self->category_dropdown, self->category_codes, _("Any category"),
              reference ? reference->categories : NULL, TRUE);
  sync_dropdown (self, self->department_dropdown, position_of (self->department_codes, department));
  sync_dropdown (self, self->category_dropdown, position_of (self->category_codes, category));
}

GtkEditable *
ioc_queue_view_get_search_entry (IocQueueView *self)
{
  return GTK_EDITABLE (self->search_entry);
}

void
ioc_queue_view_focus_search (IocQueueView *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
on_view_dropdown_notify_selected_cb (IocQueueView *self)
{
  guint i = gtk_drop_down_get_selected (self->view_dropdown);

  if (i < self->views->len)
    ioc_queue_view_set_view (self, g_array_index (self->views, IocView, i));
}

static void
on_search_entry_search_changed_cb (IocQueueView *self)
{
  ioc_queue_view_set_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_column_view_activate_cb (IocQueueView *self,
                            guint         position)
{
  g_autoptr(IocTaskObject) object = ioc_queue_selection_get_task (self->selection, position);

  g_signal_emit (self, signals[TASK_SELECTED], 0, object);
}

static gboolean
reveal_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  IocQueueView *self = data;

  if (ioc_queue_selection_reveal_more (self->selection))
    return G_SOURCE_CONTINUE;
  self->reveal_tick = 0;
  return G_SOURCE_REMOVE;
}

static void
on_selection_items_changed_cb (IocQueueView *self)
{
  if (self->reveal_tick == 0 && ioc_queue_selection_get_revealing (self->selection))
    self->reveal_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->column_view), reveal_tick_cb, self, NULL);
}

static void
on_selection_changed_cb (IocQueueView *self)
{
  IocTaskObject *object = ioc_queue_selection_get_lone_selected (self->selection);

  /* The selection also says so when the rows under it show other tasks
   * (a search, a sort, a live update): only a change of task is news. */
  if (object == self->selected_task)
    return;
  g_set_object (&self->selected_task, object);
  g_signal_emit (self, signals[TASK_SELECTED], 0, object);
}

void
ioc_queue_view_set_model (IocQueueView *self,
                          GListModel   *model,
                          IocRole       role,
                          const char   *department)
{
  static const IocView operator_views[] = {
    IOC_VIEW_NEW, IOC_VIEW_TO_FORWARD, IOC_VIEW_RETURNED, IOC_VIEW_OVERDUE, IOC_VIEW_ALL_OPEN,
  };
  static const IocView liaison_views[] = {
    IOC_VIEW_FORWARDED_TO_US, IOC_VIEW_IN_PROGRESS, IOC_VIEW_OVERDUE,
  };
  static const IocView supervisor_views[] = {
    IOC_VIEW_OVERDUE_BY_DEPARTMENT, IOC_VIEW_ALL,
  };
  const IocView *views;
  guint n_views;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  switch (role)
    {
    case IOC_ROLE_OPERATOR:
      views = operator_views;
      n_views = G_N_ELEMENTS (operator_views);
      break;
    case IOC_ROLE_LIAISON:
      views = liaison_views;
      n_views = G_N_ELEMENTS (liaison_views);
      break;
    case IOC_ROLE_SUPERVISOR:
    case IOC_ROLE_ADMIN:
    case IOC_N_ROLES:
    case IOC_ROLE_INVALID:
    default:
      views = supervisor_views;
      n_views = G_N_ELEMENTS (supervisor_views);
      break;
    }

  g_free (self->department);
  self->department = role == IOC_ROLE_LIAISON ? g_strdup (department) : NULL;
  self->role = role;
  g_array_set_size (self->views, 0);
  g_array_append_vals (self->views, views, n_views);
  for (guint i = 0; i < n_views; i++)
    gtk_string_list_append (names, view_label (views[i]));
  gtk_drop_down_set_model (self->view_dropdown, G_LIST_MODEL (names));

  self->view = views[0];
  gtk_drop_down_set_selected (self->view_dropdown, 0);
  if (ioc_queue_filter_model_get_model (self->filter_model) == model)
    refilter (self, GTK_FILTER_CHANGE_DIFFERENT);
  else
    ioc_queue_filter_model_set_model (self->filter_model, model);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

GListModel *
ioc_queue_view_get_shown (IocQueueView *self)
{
  return G_LIST_MODEL (self->sort_model);
}

gboolean
ioc_queue_view_is_busy (IocQueueView *self)
{
  /* Filtering is done when it returns; only sorting runs on. */
  return gtk_sort_list_model_get_pending (self->sort_model) > 0;
}

GtkSelectionModel *
ioc_queue_view_get_selection (IocQueueView *self)
{
  return GTK_SELECTION_MODEL (self->selection);
}

GPtrArray *
ioc_queue_view_get_selected (IocQueueView *self)
{
  return ioc_queue_selection_get_selected (self->selection);
}

void
ioc_queue_view_select_task (IocQueueView *self,
                            gint64        id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (G_LIST_MODEL (self->sort_model), i);

      if (ioc_task_object_get_id (object) == id)
        {
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
          return;
        }
    }
}

/* Cells
 *
 * Made in C rather than from builder templates, whose expression bindings
 * cost about 1.5 ms a row: GTK 4.8 keeps some 200 rows of nine cells. A
 * cell shows an IocQueueRow (see ioc-queue-selection.h) and follows its
 * notifications while bound: the row shows another task, or a property of
 * its task changed. Text cells (IocQueueCell) read their text only when
 * drawn; the state and time-left pills are IocStateLabels. */

typedef enum {
  CELL_ID,
  CELL_PRIORITY,
  CELL_CATEGORY,
  CELL_TITLE,
  CELL_COMMUNE,
  CELL_DEPARTMENT,
  CELL_STATE,
  CELL_AGE,
  CELL_TIME_LEFT,
  N_CELLS
} CellKind;

/* The task properties a cell shows: its text, and the state class or the
 * overdue flag for the pills. */
static const struct {
  const char *text;
  const char *extra;
} cell_properties[N_CELLS] = {
  [CELL_ID]         = { "id-text", NULL },
  [CELL_PRIORITY]   = { "priority-label", "priority-class" },
  [CELL_CATEGORY]   = { "category-name", NULL },
  [CELL_TITLE]      = { "title", NULL },
  [CELL_COMMUNE]    = { "commune-name", NULL },
  [CELL_DEPARTMENT] = { "department", NULL },
  [CELL_STATE]      = { "state-label", "state-class" },
  [CELL_AGE]        = { "age-text", NULL },
  [CELL_TIME_LEFT]  = { "time-left-text", "overdue" },
};

static GQuark cell_handler_quark;

/* A text cell asks when it is drawn. */
static char *
cell_text (gpointer data)
{
  GtkListItem *list_item = data;
  CellKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list_item), "ioc-cell-kind"));
  IocQueueRow *row = gtk_list_item_get_item (list_item);
  IocTaskObject *task = row ? ioc_queue_row_get_task (row) : NULL;
  char *text = NULL;

  if (task != NULL)
    g_object_get (task, cell_properties[kind].text, &text, NULL);
  return text;
}

static void
on_cell_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  gpointer                  data)
{
  CellKind kind = GPOINTER_TO_INT (data);
  GtkWidget *child;

  g_object_set_data (G_OBJECT (list_item), "ioc-cell-kind", data);
  if (cell_properties[kind].extra != NULL)
    child = g_object_new (IOC_TYPE_STATE_LABEL, NULL);
  else
    {
      child = ioc_queue_cell_new ();
      ioc_queue_cell_set_text_func (IOC_QUEUE_CELL (child), cell_text, list_item);
    }
  gtk_list_item_set_child (list_item, child);
}

static void
cell_refresh (GtkListItem *list_item,
              CellKind     kind)
{
  IocQueueRow *row = gtk_list_item_get_item (list_item);
  GObject *object = row ? G_OBJECT (ioc_queue_row_get_task (row)) : NULL;
  GtkWidget *child = gtk_list_item_get_child (list_item);
  g_autofree char *text = NULL;

  if (IOC_IS_QUEUE_CELL (child))
    {
      ioc_queue_cell_invalidate (IOC_QUEUE_CELL (child));
      return;
    }
  if (object == NULL || child == NULL)
    return;

  g_object_get (object, cell_properties[kind].text, &text, NULL);
  if (kind == CELL_STATE || kind == CELL_PRIORITY)
    {
      g_autofree char *css_class = NULL;

      /* A state's colour; an urgent task marked, a high one in bold. */
      g_object_get (object, cell_properties[kind].extra, &css_class, NULL);
      g_object_set (child, "label", text, "state-class", css_class, NULL);
    }
  else if (kind == CELL_TIME_LEFT)
    g_object_set (child, "label", text, "overdue",
                  ioc_task_object_get_overdue (IOC_TASK_OBJECT (object)), NULL);
}

/* The row shows another task, or its task changed. */
static void
on_cell_row_notify_cb (IocQueueRow *row,
                       GParamSpec  *pspec,
                       GtkListItem *list_item)
{
  cell_refresh (list_item, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list_item), "ioc-cell-kind")));
}

static void
on_cell_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  data)
{
  CellKind kind = GPOINTER_TO_INT (data);
  IocQueueRow *row = gtk_list_item_get_item (list_item);
  gulong id;

  cell_refresh (list_item, kind);
  if (row == NULL)
    return;
  ioc_queue_row_hold (row);
  id = g_signal_connect (row, "notify::task", G_CALLBACK (on_cell_row_notify_cb), list_item);
  g_object_set_qdata (G_OBJECT (list_item), cell_handler_quark, GSIZE_TO_POINTER (id));
}

static void
on_cell_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   gpointer                  data)
{
  IocQueueRow *row = gtk_list_item_get_item (list_item);
  gulong id = GPOINTER_TO_SIZE (g_object_steal_qdata (G_OBJECT (list_item), cell_handler_quark));

  if (row != NULL && id != 0)
    {
      g_signal_handler_disconnect (row, id);
      ioc_queue_row_release (row);
    }
}

static void
setup_cells (IocQueueView *self)
{
  GtkColumnViewColumn *columns[N_CELLS] = {
    [CELL_ID] = self->id_column,
    [CELL_PRIORITY] = self->priority_column,
    [CELL_CATEGORY] = self->category_column,
    [CELL_TITLE] = self->title_column,
    [CELL_COMMUNE] = self->commune_column,
    [CELL_DEPARTMENT] = self->department_column,
    [CELL_STATE] = self->state_column,
    [CELL_AGE] = self->age_column,
    [CELL_TIME_LEFT] = self->time_left_column,
  };

  for (guint i = 0; i < N_CELLS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

      g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "unbind", G_CALLBACK (on_cell_unbind_cb), GINT_TO_POINTER (i));
      gtk_column_view_column_set_factory (columns[i], factory);
    }
}

static void
ioc_queue_view_dispose (GObject *object)
{
  IocQueueView *self = IOC_QUEUE_VIEW (object);

  if (self->reveal_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->column_view), self->reveal_tick);
  self->reveal_tick = 0;
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_QUEUE_VIEW);
  if (self->selection != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->selection, on_selection_changed_cb, self);
      g_signal_handlers_disconnect_by_func (self->selection, on_selection_items_changed_cb, self);
    }
  g_clear_object (&self->selection);
  g_clear_object (&self->selected_task);
  self->sort_model = NULL;
  if (self->filter_model != NULL)
    {
      /* The map may hold the shown list longer: it no longer asks this view. */
      g_signal_handlers_disconnect_by_func (self->filter_model, update_count, self);
      ioc_queue_filter_model_set_model (self->filter_model, NULL);
    }
  g_clear_object (&self->filter_model);
  g_clear_pointer (&self->views, g_array_unref);
  g_clear_pointer (&self->department, g_free);
  g_clear_pointer (&self->folded_search, g_free);
  g_clear_pointer (&self->search_words, g_strfreev);
  g_clear_pointer (&self->department_filter, g_free);
  g_clear_pointer (&self->category_filter, g_free);
  g_clear_pointer (&self->department_codes, g_ptr_array_unref);
  g_clear_pointer (&self->category_codes, g_ptr_array_unref);

  G_OBJECT_CLASS (ioc_queue_view_parent_class)->dispose (object);
}

static void
ioc_queue_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  IocQueueView *self = IOC_QUEUE_VIEW (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      g_value_set_int (value, self->view);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_queue_view_class_init (IocQueueViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_queue_view_dispose;
  object_class->get_property = ioc_queue_view_get_property;

  properties[PROP_VIEW] =
    g_param_spec_int ("view", NULL, NULL, IOC_VIEW_ALL_OPEN, IOC_VIEW_ALL, IOC_VIEW_ALL_OPEN,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TASK_SELECTED] =
    g_signal_new ("task-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, IOC_TYPE_TASK_OBJECT);

  cell_handler_quark = g_quark_from_static_string ("ioc-cell-handler");
  g_type_ensure (IOC_TYPE_TASK_OBJECT);
  g_type_ensure (IOC_TYPE_STATE_LABEL);

  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-queue-view.ui");
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, box);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, view_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, count_label);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, column_view);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, id_column);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, priority_column);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, category_column);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, title_column);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, commune_column);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, department_column);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, state_column);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, age_column);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, time_left_column);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, filter_bar);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, state_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, department_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, category_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, overdue_toggle);
  gtk_widget_class_bind_template_child (widget_class, IocQueueView, clear_filters_button);
  gtk_widget_class_bind_template_callback (widget_class, on_view_dropdown_notify_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_column_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_dropdown_notify_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_overdue_toggle_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_filters_button_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ioc_queue_view_init (IocQueueView *self)
{
  GtkSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->views = g_array_new (FALSE, FALSE, sizeof (IocView));
  self->folded_search = g_strdup ("");
  self->search_words = g_new0 (char *, 1);
  self->state_filter = IOC_TASK_STATE_INVALID;
  self->department_codes = g_ptr_array_new_with_free_func (g_free);
  self->category_codes = g_ptr_array_new_with_free_func (g_free);

  {
    g_autoptr(GtkStringList) states = gtk_string_list_new (NULL);

    /* TRANSLATORS: the state filter's first choice: no filtering */
    gtk_string_list_append (states, _("Any state"));
    for (guint i = 0; i < G_N_ELEMENTS (filter_states); i++)
      gtk_string_list_append (states, ioc_task_state_get_label (filter_states[i]));
    self->syncing = TRUE;
    gtk_drop_down_set_model (self->state_dropdown, G_LIST_MODEL (states));
    self->syncing = FALSE;
  }
  ioc_queue_view_set_reference (self, NULL);

  setup_cells (self);

  /* Filtering is one pass and one change (see ioc-queue-filter-model.h);
   * sorting, only when a column asks for it, stays incremental. */
  self->filter_model = ioc_queue_filter_model_new (match_func, self);

  sorter = gtk_column_view_get_sorter (self->column_view);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filter_model)),
                                              sorter ? g_object_ref (sorter) : NULL);
  gtk_sort_list_model_set_incremental (self->sort_model, TRUE);

  self->selection = ioc_queue_selection_new (G_LIST_MODEL (self->sort_model));
  g_object_unref (self->sort_model);  /* the selection holds it */
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (on_selection_changed_cb), self);
  g_signal_connect_swapped (self->selection, "items-changed", G_CALLBACK (on_selection_items_changed_cb), self);
  g_signal_connect_swapped (self->filter_model, "items-changed", G_CALLBACK (update_count), self);
}

GtkWidget *
ioc_queue_view_new (void)
{
  return g_object_new (IOC_TYPE_QUEUE_VIEW, NULL);
}
