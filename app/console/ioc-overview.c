/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>

#include "ioc-overview.h"
#include "ioc-task-object.h"

/* Events come in bursts (a bulk forward, a sensor alarm): one request a
 * second at most is enough for a table read by people. */
#define REFRESH_DELAY_MS 1000

typedef enum {
  KIND_STATE,
  KIND_COUNT,
  KIND_OVERDUE,
  KIND_DURATION,
} ColumnKind;

typedef struct {
  const char *id;       /* the member of the answer, or the state in "counts" */
  const char *property; /* on IocOverviewRow */
  const char *title;    /* NULL: the state's label */
  ColumnKind  kind;
} Column;

static const Column columns[] = {
  { "forwarded", "forwarded", NULL, KIND_STATE },
  { "acknowledged", "acknowledged", NULL, KIND_STATE },
  { "in_progress", "in-progress", NULL, KIND_STATE },
  { "returned", "returned", NULL, KIND_STATE },
  /* TRANSLATORS: column: tasks forwarded, acknowledged or in progress at a department */
  { "open", "open", N_("Open"), KIND_COUNT },
  /* TRANSLATORS: column: open tasks past their due time */
  { "overdue", "overdue", N_("Overdue"), KIND_OVERDUE },
  /* TRANSLATORS: column: tasks the department acknowledged during the period */
  { "acknowledged_in_period", "acknowledged-in-period", N_("Acknowledged in period"), KIND_COUNT },
  /* TRANSLATORS: column: median time from forwarding to acknowledging */
  { "median_acknowledge_seconds", "median-acknowledge-seconds", N_("Median time to acknowledge"), KIND_DURATION },
  /* TRANSLATORS: column: tasks the department resolved during the period */
  { "resolved", "resolved", N_("Resolved in period"), KIND_COUNT },
  /* TRANSLATORS: column: median time from forwarding to resolving */
  { "median_resolve_seconds", "median-resolve-seconds", N_("Median time to resolve"), KIND_DURATION },
};

#define N_COLUMNS G_N_ELEMENTS (columns)

static int
column_index (const char *id)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    if (g_str_equal (columns[i].id, id))
      return i;
  return -1;
}

static char *
format_cell (const Column *column,
             gint64        value)
{
  if (column->kind == KIND_DURATION)
    {
      if (value < 0)
        /* TRANSLATORS: no value (nothing to take a median of) */
        return g_strdup (C_("overview", "—"));
      if (value < 60)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d second", "%d seconds", value), (int) value);
      return ioc_format_duration (value * G_USEC_PER_SEC);
    }
  return g_strdup_printf ("%" G_GINT64_FORMAT, MAX (value, 0));
}

/* One department's line: a GObject, so that the columns can sort by its
 * properties and the cells follow its changes in place. */

#define IOC_TYPE_OVERVIEW_ROW (ioc_overview_row_get_type ())
G_DECLARE_FINAL_TYPE (IocOverviewRow, ioc_overview_row, IOC, OVERVIEW_ROW, GObject)

struct _IocOverviewRow
{
  GObject  parent_instance;
  char    *code;
  char    *name;
  gint64   values[N_COLUMNS];
};

G_DEFINE_FINAL_TYPE (IocOverviewRow, ioc_overview_row, G_TYPE_OBJECT)

enum {
  ROW_PROP_0,
  ROW_PROP_CODE,
  ROW_PROP_NAME,
  ROW_PROP_FIRST_VALUE,
  ROW_N_PROPS = ROW_PROP_FIRST_VALUE + N_COLUMNS
};

static GParamSpec *row_properties[ROW_N_PROPS];

static void
ioc_overview_row_finalize (GObject *object)
{
  IocOverviewRow *self = IOC_OVERVIEW_ROW (object);

  g_free (self->code);
  g_free (self->name);
  G_OBJECT_CLASS (ioc_overview_row_parent_class)->finalize (object);
}

static void
ioc_overview_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  IocOverviewRow *self = IOC_OVERVIEW_ROW (object);

  if (prop_id == ROW_PROP_CODE)
    g_value_set_string (value, self->code);
  else if (prop_id == ROW_PROP_NAME)
    g_value_set_string (value, self->name);
  else if (prop_id >= ROW_PROP_FIRST_VALUE && prop_id < ROW_N_PROPS)
    g_value_set_int64 (value, self->values[prop_id - ROW_PROP_FIRST_VALUE]);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ioc_overview_row_class_init (IocOverviewRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ioc_overview_row_finalize;
  object_class->get_property = ioc_overview_row_get_property;

  row_properties[ROW_PROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  for (guint i = 0; i < N_COLUMNS; i++)
    row_properties[ROW_PROP_FIRST_VALUE + i] =
      g_param_spec_int64 (columns[i].property, NULL, NULL, -1, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, ROW_N_PROPS, row_properties);
}

static void
ioc_overview_row_init (IocOverviewRow *self)
{
}

/* The widget */

struct _IocOverview
{
  GtkWidget          parent_instance;

  GtkWidget         *box;
  GtkLabel          *period_label;
  GtkLabel          *updated_label;
  GtkLabel          *error_label;
  GtkColumnView     *column_view;

  GListStore        *store;
  GtkSortListModel  *sorted;
  GHashTable        *rows;          /* code → IocOverviewRow (borrowed from the store) */
  GtkColumnViewColumn *overdue_column;

  IocClient         *client;
  GCancellable      *cancellable;
  guint              refresh_id;
  gboolean           loading;
  gboolean           dirty;         /* an event came while a request was in flight */
  guint              n_loads;
};

G_DEFINE_FINAL_TYPE (IocOverview, ioc_overview, GTK_TYPE_WIDGET)

static void load (IocOverview *self);

/* Cells */

static void
update_cell (GtkLabel       *label,
             IocOverviewRow *row)
{
  int col = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (label), "ioc-column")) - 1;

  if (col < 0)
    {
      gtk_label_set_label (label, row->name ? row->name : row->code);
      return;
    }

  {
    g_autofree char *text = format_cell (&columns[col], row->values[col]);

    gtk_label_set_label (label, text);
    if (columns[col].kind == KIND_OVERDUE)
      {
        if (row->values[col] > 0)
          gtk_widget_add_css_class (GTK_WIDGET (label), "overdue");
        else
          gtk_widget_remove_css_class (GTK_WIDGET (label), "overdue");
      }
  }
}

static void
on_row_notify_cb (IocOverviewRow *row,
                  GParamSpec     *pspec,
                  GtkLabel       *label)
{
  update_cell (label, row);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  data)
{
  int col = GPOINTER_TO_INT (data) - 1;
  GtkWidget *label = gtk_label_new (NULL);

  g_object_set_data (G_OBJECT (label), "ioc-column", data);
  if (col < 0)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
    }
  else
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "count");
    }
  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  data)
{
  IocOverviewRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);

  update_cell (GTK_LABEL (label), row);
  g_signal_connect (row, "notify", G_CALLBACK (on_row_notify_cb), label);
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  data)
{
  IocOverviewRow *row = gtk_list_item_get_item (item);

  if (row != NULL)
    g_signal_handlers_disconnect_by_func (row, on_row_notify_cb, gtk_list_item_get_child (item));
}

static GtkColumnViewColumn *
add_column (IocOverview *self,
            int          col)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  g_autoptr(GtkSorter) sorter = NULL;
  const char *title;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GINT_TO_POINTER (col + 1));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GINT_TO_POINTER (col + 1));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), GINT_TO_POINTER (col + 1));

  if (col < 0)
    {
      title = _("Department");
      sorter = GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (IOC_TYPE_OVERVIEW_ROW, NULL,
                                                                              "name")));
    }
  else
    {
      title = columns[col].title ? _(columns[col].title)
                                 : ioc_task_state_get_label (ioc_task_state_from_string (columns[col].id));
      sorter = GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (IOC_TYPE_OVERVIEW_ROW, NULL,
                                                                               columns[col].property)));
    }

  column = gtk_column_view_column_new (title, g_steal_pointer (&factory));
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  if (col < 0)
    gtk_column_view_column_set_expand (column, TRUE);
  gtk_column_view_append_column (self->column_view, column);
  g_object_unref (column);
  return column;
}

/* Loading */

static void
set_error (IocOverview *self,
           const char  *text)
{
  gtk_label_set_label (self->error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

static gint64
member_int (JsonObject *object,
            const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  return -1;
}

static void
set_row_value (IocOverviewRow *row,
               int             col,
               gint64          value)
{
  if (row->values[col] == value)
    return;
  row->values[col] = value;
  g_object_notify_by_pspec (G_OBJECT (row), row_properties[ROW_PROP_FIRST_VALUE + col]);
}

static void
apply_department (IocOverview *self,
                  JsonObject  *d,
                  GHashTable  *seen)
{
  const char *code = json_object_get_string_member_with_default (d, "code", NULL);
  const char *name = json_object_get_string_member_with_default (d, "name_vi", NULL);
  JsonObject *counts = NULL;
  IocOverviewRow *row;

  if (code == NULL)
    return;
  if (json_object_has_member (d, "counts") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (d, "counts")))
    counts = json_object_get_object_member (d, "counts");

  row = g_hash_table_lookup (self->rows, code);
  if (row == NULL)
    {
      row = g_object_new (IOC_TYPE_OVERVIEW_ROW, NULL);
      row->code = g_strdup (code);
      g_list_store_append (self->store, row);
      g_hash_table_insert (self->rows, row->code, row);
      g_object_unref (row);
    }
  g_hash_table_add (seen, row->code);

  g_object_freeze_notify (G_OBJECT (row));
  if (g_strcmp0 (row->name, name) != 0)
    {
      g_free (row->name);
      row->name = g_strdup (name ? name : code);
      g_object_notify_by_pspec (G_OBJECT (row), row_properties[ROW_PROP_NAME]);
    }
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      gint64 value;

      if (columns[i].kind == KIND_STATE)
        value = MAX (member_int (counts, columns[i].id), 0);
      else if (g_str_equal (columns[i].id, "acknowledged_in_period"))
        value = MAX (member_int (d, "acknowledged"), 0);
      else if (columns[i].kind == KIND_DURATION)
        value = member_int (d, columns[i].id);
      else
        value = MAX (member_int (d, columns[i].id), 0);
      set_row_value (row, i, value);
    }
  g_object_thaw_notify (G_OBJECT (row));
}

static void
apply_answer (IocOverview *self,
              JsonObject  *root)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *departments = NULL;
  const char *time_text = json_object_get_string_member_with_default (root, "time", NULL);
  const char *since_text = json_object_get_string_member_with_default (root, "since", NULL);
  gint64 days = member_int (root, "days");
  gint64 t = 0;

  if (json_object_has_member (root, "departments") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "departments")))
    departments = json_object_get_array_member (root, "departments");

  for (guint i = 0; departments != NULL && i < json_array_get_length (departments); i++)
    {
      JsonNode *node = json_array_get_element (departments, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        apply_department (self, json_node_get_object (node), seen);
    }

  /* Departments that are gone (renamed in the catalogue) leave the table. */
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->store)); i > 0; i--)
    {
      g_autoptr(IocOverviewRow) row = g_list_model_get_item (G_LIST_MODEL (self->store), i - 1);

      if (!g_hash_table_contains (seen, row->code))
        {
          g_hash_table_remove (self->rows, row->code);
          g_list_store_remove (self->store, i - 1);
        }
    }

  /* Values changed in place: the sort order may have too. */
  gtk_sorter_changed (gtk_column_view_get_sorter (self->column_view), GTK_SORTER_CHANGE_DIFFERENT);

  if (time_text == NULL || !ioc_time_parse (time_text, &t))
    t = g_get_real_time ();
  {
    g_autoptr(GTimeZone) tz = ioc_time_zone ();
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t / G_USEC_PER_SEC);
    g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
    g_autofree char *clock = g_date_time_format (local, "%H:%M:%S");
    /* TRANSLATORS: when the table's data was read, e.g. "updated 14:05:09" */
    g_autofree char *text = g_strdup_printf (_("updated %s"), clock);

    gtk_label_set_label (self->updated_label, text);
  }
  {
    gint64 since = 0;
    g_autofree char *since_shown = NULL;
    g_autofree char *text = NULL;

    if (since_text != NULL && ioc_time_parse (since_text, &since))
      since_shown = ioc_format_time (since);
    if (days < 0)
      days = 30;
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         /* TRANSLATORS: explains the table; %d days, %s the start of the period */
                                         "Now: tasks at each department by state; open means forwarded, acknowledged or in progress. "
                                         "Acknowledged, resolved and median times: the last %d day (since %s).",
                                         "Now: tasks at each department by state; open means forwarded, acknowledged or in progress. "
                                         "Acknowledged, resolved and median times: the last %d days (since %s).",
                                         days),
                            (int) days, since_shown ? since_shown : "");
    gtk_label_set_label (self->period_label, text);
  }
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  IocOverview *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = IOC_OVERVIEW (user_data);
  self->loading = FALSE;

  if (node == NULL)
    {
      /* TRANSLATORS: %s says why; the table keeps what it showed before */
      g_autofree char *text = g_strdup_printf (_("The overview could not be refreshed: %s"), error->message);

      set_error (self, text);
    }
  else if (!JSON_NODE_HOLDS_OBJECT (node))
    set_error (self, _("The server sent an overview this console cannot read."));
  else
    {
      set_error (self, NULL);
      apply_answer (self, json_node_get_object (node));
      self->n_loads++;
    }

  if (self->dirty)
    {
      self->dirty = FALSE;
      load (self);
    }
}

static void
load (IocOverview *self)
{
  if (self->client == NULL)
    return;
  /* One request at a time: what changes meanwhile is fetched right after. */
  if (self->loading)
    {
      self->dirty = TRUE;
      return;
    }
  self->loading = TRUE;
  ioc_client_get_json_async (self->client, "/api/v1/overview", self->cancellable, loaded_cb, self);
}

static gboolean
refresh_timeout_cb (gpointer data)
{
  IocOverview *self = data;

  self->refresh_id = 0;
  load (self);
  return G_SOURCE_REMOVE;
}

void
ioc_overview_apply_event (IocOverview *self,
                          IocEvent    *event)
{
  g_return_if_fail (IOC_IS_OVERVIEW (self));

  if (event == NULL || event->task == NULL || self->client == NULL)
    return;
  /* Not restarted by later events: a steady stream still refreshes every second. */
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_DELAY_MS, refresh_timeout_cb, self);
}

void
ioc_overview_set_client (IocOverview *self,
                         IocClient   *client)
{
  g_return_if_fail (IOC_IS_OVERVIEW (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = FALSE;
  self->dirty = FALSE;
  self->n_loads = 0;
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_set_object (&self->client, client);

  g_hash_table_remove_all (self->rows);
  g_list_store_remove_all (self->store);
  gtk_label_set_label (self->updated_label, "");
  set_error (self, NULL);
  load (self);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  load (IOC_OVERVIEW (widget));
}

/* Reading what is shown */

static IocOverviewRow *
find_row (IocOverview *self,
          const char  *department)
{
  return department ? g_hash_table_lookup (self->rows, department) : NULL;
}

gint64
ioc_overview_get_value (IocOverview *self,
                        const char  *department,
                        const char  *column)
{
  IocOverviewRow *row;
  int col;

  g_return_val_if_fail (IOC_IS_OVERVIEW (self), -1);

  row = find_row (self, department);
  col = column ? column_index (column) : -1;
  if (row == NULL || col < 0)
    return -1;
  return row->values[col];
}

char *
ioc_overview_dup_cell_text (IocOverview *self,
                            const char  *department,
                            const char  *column)
{
  IocOverviewRow *row;
  int col;

  g_return_val_if_fail (IOC_IS_OVERVIEW (self), NULL);

  row = find_row (self, department);
  col = column ? column_index (column) : -1;
  if (row == NULL || col < 0)
    return NULL;
  return format_cell (&columns[col], row->values[col]);
}

GStrv
ioc_overview_dup_shown_codes (IocOverview *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GListModel *model = G_LIST_MODEL (self->sorted);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(IocOverviewRow) row = g_list_model_get_item (model, i);

      g_strv_builder_add (builder, row->code);
    }
  return g_strv_builder_end (builder);
}

void
ioc_overview_sort_by_overdue (IocOverview *self,
                              gboolean     descending)
{
  g_return_if_fail (IOC_IS_OVERVIEW (self));
  gtk_column_view_sort_by_column (self->column_view, self->overdue_column,
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
}

guint
ioc_overview_get_n_loads (IocOverview *self)
{
  g_return_val_if_fail (IOC_IS_OVERVIEW (self), 0);
  return self->n_loads;
}

gboolean
ioc_overview_is_loading (IocOverview *self)
{
  g_return_val_if_fail (IOC_IS_OVERVIEW (self), FALSE);
  return self->loading;
}

gboolean
ioc_overview_is_refresh_pending (IocOverview *self)
{
  g_return_val_if_fail (IOC_IS_OVERVIEW (self), FALSE);
  return self->refresh_id != 0 || self->dirty;
}

const char *
ioc_overview_get_updated_text (IocOverview *self)
{
  g_return_val_if_fail (IOC_IS_OVERVIEW (self), NULL);
  return gtk_label_get_label (self->updated_label);
}

GtkWidget *
ioc_overview_new (void)
{
  return g_object_new (IOC_TYPE_OVERVIEW, NULL);
}

/* GObject */

static void
ioc_overview_dispose (GObject *object)
{
  IocOverview *self = IOC_OVERVIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_OVERVIEW);
  g_clear_object (&self->sorted);
  g_clear_object (&self->store);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ioc_overview_parent_class)->dispose (object);
}

static void
ioc_overview_class_init (IocOverviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_overview_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-overview.ui");
  gtk_widget_class_bind_template_child (widget_class, IocOverview, box);
  gtk_widget_class_bind_template_child (widget_class, IocOverview, period_label);
  gtk_widget_class_bind_template_child (widget_class, IocOverview, updated_label);
  gtk_widget_class_bind_template_child (widget_class, IocOverview, error_label);
  gtk_widget_class_bind_template_child (widget_class, IocOverview, column_view);

  gtk_widget_class_install_action (widget_class, "overview.refresh", NULL, refresh_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ioc_overview_init (IocOverview *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->store = g_list_store_new (IOC_TYPE_OVERVIEW_ROW);
  self->rows = g_hash_table_new (g_str_hash, g_str_equal);

  add_column (self, -1);
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      GtkColumnViewColumn *column = add_column (self, i);

      if (columns[i].kind == KIND_OVERDUE)
        self->overdue_column = column;
    }

  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->sorted)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  /* The departments that most need a call come first. */
  ioc_overview_sort_by_overdue (self, TRUE);
}
