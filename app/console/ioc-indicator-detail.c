/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>

#include "ioc-indicator-card.h"
#include "ioc-indicator-detail.h"

typedef struct {
  char   *area;
  GArray *points;
} AreaSeries;

struct _IocIndicatorDetail
{
  GtkWidget          parent_instance;

  GtkWidget             *box;
  GtkLabel          *name_label;
  GtkLabel          *status_label;
  GtkLabel          *info_label;
  GtkLabel          *description_label;
  GtkDropDown       *range_dropdown;
  GtkMenuButton     *compare_button;
  GtkBox            *communes_box;
  IocChart          *chart;
  GtkLabel          *message_label;

  IocClient         *client;
  GHashTable        *commune_names;   /* code → name */
  IocIndicator      *indicator;
  IocObservation    *latest;
  GCancellable      *cancellable;
  guint              pending;

  GArray            *city;            /* IocSeriesPoint */
  GPtrArray         *areas;           /* AreaSeries with values, by code */
  GHashTable        *compare;         /* commune codes picked */
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (IocIndicatorDetail, ioc_indicator_detail, GTK_TYPE_WIDGET)

static void
area_series_free (AreaSeries *s)
{
  g_free (s->area);
  g_clear_pointer (&s->points, g_array_unref);
  g_free (s);
}

static void
show_message (IocIndicatorDetail *self,
              const char         *text,
              gboolean            is_error)
{
  gtk_label_set_label (self->message_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), text != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
}

static const char *
commune_name (IocIndicatorDetail *self,
              const char         *code)
{
  const char *name = self->commune_names ? g_hash_table_lookup (self->commune_names, code) : NULL;

  return name ? name : code;
}

/* The chart from what was loaded: the city, then the picked communes. */
static void
rebuild_chart (IocIndicatorDetail *self)
{
  ioc_chart_clear_series (self->chart);
  if (self->city == NULL)
    return;

  /* TRANSLATORS: the city-wide series of an indicator, next to communes' series */
  ioc_chart_add_series (self->chart, g_hash_table_size (self->compare) > 0 ? _("Whole city") : NULL,
                        (IocSeriesPoint *) self->city->data, self->city->len);
  for (guint i = 0; self->areas != NULL && i < self->areas->len; i++)
    {
      AreaSeries *s = g_ptr_array_index (self->areas, i);

      if (g_hash_table_contains (self->compare, s->area))
        ioc_chart_add_series (self->chart, commune_name (self, s->area),
                              (IocSeriesPoint *) s->points->data, s->points->len);
    }
}

static void
on_commune_toggled_cb (GtkCheckButton     *button,
                       IocIndicatorDetail *self)
{
  const char *code = g_object_get_data (G_OBJECT (button), "commune");

  if (gtk_check_button_get_active (button))
    g_hash_table_add (self->compare, g_strdup (code));
  else
    g_hash_table_remove (self->compare, code);
  rebuild_chart (self);
}

static void
fill_communes (IocIndicatorDetail *self)
{
  GtkWidget *child;
  guint n = self->areas ? self->areas->len : 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->communes_box))) != NULL)
    gtk_box_remove (self->communes_box, child);

  for (guint i = 0; i < n; i++)
    {
      AreaSeries *s = g_ptr_array_index (self->areas, i);
      GtkWidget *check = gtk_check_button_new_with_label (commune_name (self, s->area));

      g_object_set_data_full (G_OBJECT (check), "commune", g_strdup (s->area), g_free);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_hash_table_contains (self->compare, s->area));
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_commune_toggled_cb), self, 0);
      gtk_box_append (self->communes_box, check);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->compare_button), n > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->compare_button),
                               n > 0 ? _("Show the values of some communes next to the whole city")
                                     : _("This indicator has no values per commune in this time range"));
}

static void
finish_loading (IocIndicatorDetail *self)
{
  if (self->pending > 0)
    return;

  rebuild_chart (self);
  fill_communes (self);
  if (self->city != NULL && self->city->len == 0)
    show_message (self, _("No values in this time range."), FALSE);
}

static void
city_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  IocIndicatorDetail *self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *series;

  node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->pending--;

  series = ioc_indicator_series_list (node);
  if (node == NULL || series == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The values could not be loaded: %s"),
                                               error ? error->message : _("the server's answer cannot be read"));

      show_message (self, text, TRUE);
      return;
    }

  g_clear_pointer (&self->city, g_array_unref);
  self->city = ioc_indicator_series_points (json_array_get_length (series) > 0
                                            ? json_array_get_object_element (series, 0) : NULL);
  finish_loading (self);
}

static void
areas_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  IocIndicatorDetail *self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *series;

  node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->pending--;

  g_clear_pointer (&self->areas, g_ptr_array_unref);
  self->areas = g_ptr_array_new_with_free_func ((GDestroyNotify) area_series_free);
  /* Without communes' values the comparison is only unavailable. */
  series = ioc_indicator_series_list (node);
  for (guint i = 0; series != NULL && i < json_array_get_length (series); i++)
    {
      JsonObject *object = json_array_get_object_element (series, i);
      const char *area = object ? json_object_get_string_member_with_default (object, "area", NULL) : NULL;
      g_autoptr(GArray) points = NULL;
      AreaSeries *s;

      if (area == NULL)
        continue;
      points = ioc_indicator_series_points (object);
      if (points->len == 0)
        continue;
      s = g_new0 (AreaSeries, 1);
      s->area = g_strdup (area);
      s->points = g_steal_pointer (&points);
      g_ptr_array_add (self->areas, s);
    }
  finish_loading (self);
}

static gint64
range_from (IocIndicatorDetail *self,
            gint64              now)
{
  IocFrequency frequency = self->indicator->frequency;

  switch (gtk_drop_down_get_selected (self->range_dropdown))
    {
    case IOC_INDICATOR_RANGE_30_DAYS:
      /* Whole periods: the month that was 30 days ago is in. */
      return ioc_indicator_period_start (frequency, now - (gint64) 30 * 86400 * G_USEC_PER_SEC);
    case IOC_INDICATOR_RANGE_YEAR:
      return ioc_indicator_period_start (frequency, now - (gint64) 365 * 86400 * G_USEC_PER_SEC);
    case IOC_INDICATOR_RANGE_ALL:
    default:
      return 0;
    }
}

void
ioc_indicator_detail_reload (IocIndicatorDetail *self)
{
  g_autofree char *code = NULL;
  g_autofree char *from_param = NULL;
  g_autofree char *city_path = NULL;
  g_autofree char *areas_path = NULL;
  gint64 now = g_get_real_time ();
  gint64 from;

  g_return_if_fail (IOC_IS_INDICATOR_DETAIL (self));

  if (self->client == NULL || self->indicator == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->pending = 0;
  show_message (self, NULL, FALSE);

  from = range_from (self, now);
  if (from != 0)
    {
      g_autofree char *iso = ioc_time_format (from);
      g_autofree char *escaped = g_uri_escape_string (iso, NULL, FALSE);

      from_param = g_strconcat ("&from=", escaped, NULL);
      ioc_chart_set_time_range (self->chart, from, now);
    }
  else
    {
      /* Everything the server holds, from long before any indicator. */
      from_param = g_strdup ("&from=1970-01-01");
      ioc_chart_set_time_range (self->chart, 0, 0);
    }

  code = g_uri_escape_string (self->indicator->code, NULL, FALSE);
  city_path = g_strdup_printf ("/api/v1/indicators/%s/series?points=2000%s", code, from_param);
  areas_path = g_strdup_printf ("/api/v1/indicators/%s/series?points=2000&area=*%s", code, from_param);
  self->pending = 2;
  ioc_client_get_json_async (self->client, city_path, self->cancellable, city_loaded_cb, self);
  ioc_client_get_json_async (self->client, areas_path, self->cancellable, areas_loaded_cb, self);
}

static void
update_header (IocIndicatorDetail *self)
{
  IocIndicator *ind = self->indicator;
  g_autoptr(GString) info = g_string_new (NULL);
  g_autofree char *status = NULL;
  const char *unit;
  gint64 age = 0;
  IocIndicatorStatus st = ioc_indicator_status (ind, self->latest, g_get_real_time (), &age);

  gtk_label_set_label (self->name_label, ioc_indicator_display_name (ind));
  status = ioc_indicator_status_describe (st, age);
  gtk_label_set_label (self->status_label, status);
  for (int i = 0; i < IOC_N_INDICATOR_STATUSES; i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), ioc_indicator_status_css_class (i));
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), ioc_indicator_status_css_class (st));

  /* TRANSLATORS: the indicator's unit, shown under its name */
  unit = ioc_indicator_display_unit (ind);
  g_string_append_printf (info, _("Unit: %s"), unit != NULL ? unit : "—");
  g_string_append_printf (info, " · %s", ioc_frequency_describe (ind->frequency));
  /* TRANSLATORS: the department that reports the indicator's values */
  g_string_append (info, " · ");
  g_string_append_printf (info, _("Reported by %s"), ind->department);
  g_string_append (info, " · ");
  g_string_append (info, ind->direction == IOC_DIRECTION_HIGHER_IS_BETTER ? _("Higher is better")
                                                                          : _("Lower is better"));
  if (ind->has_warning)
    {
      g_autofree char *v = ioc_chart_format_value (ind->warning);

      g_string_append (info, " · ");
      /* TRANSLATORS: the warning threshold of an indicator */
      g_string_append_printf (info, _("Warning at %s"), v);
    }
  if (ind->has_alert)
    {
      g_autofree char *v = ioc_chart_format_value (ind->alert);

      g_string_append (info, " · ");
      /* TRANSLATORS: the alert threshold of an indicator */
      g_string_append_printf (info, _("Alert at %s"), v);
    }
  gtk_label_set_label (self->info_label, info->str);
  gtk_label_set_label (self->description_label, ind->description ? ind->description : "");
  gtk_widget_set_visible (GTK_WIDGET (self->description_label), ind->description != NULL);
}

void
ioc_indicator_detail_show (IocIndicatorDetail *self,
                           IocIndicator       *indicator,
                           IocObservation     *latest)
{
  gboolean same;

  g_return_if_fail (IOC_IS_INDICATOR_DETAIL (self));
  g_return_if_fail (indicator != NULL);

  same = self->indicator != NULL && g_str_equal (self->indicator->code, indicator->code);
  if (self->indicator != indicator)
    {
      g_clear_pointer (&self->indicator, ioc_indicator_unref);
      self->indicator = ioc_indicator_ref (indicator);
    }
  if (self->latest != latest)
    {
      g_clear_pointer (&self->latest, ioc_observation_unref);
      self->latest = latest ? ioc_observation_ref (latest) : NULL;
    }

  if (!same)
    {
      g_hash_table_remove_all (self->compare);
      g_clear_pointer (&self->city, g_array_unref);
      g_clear_pointer (&self->areas, g_ptr_array_unref);
      ioc_chart_clear_series (self->chart);
      fill_communes (self);
    }

  update_header (self);
  ioc_chart_set_title (self->chart, ioc_indicator_display_name (indicator));
  ioc_chart_set_unit (self->chart, ioc_indicator_display_unit (indicator));
  ioc_chart_set_kind (self->chart, ioc_chart_kind_from_string (indicator->chart));
  ioc_chart_set_frequency (self->chart, indicator->frequency);
  ioc_chart_set_thresholds_from_indicator (self->chart, indicator);
  ioc_indicator_detail_reload (self);
}

IocIndicator *
ioc_indicator_detail_get_indicator (IocIndicatorDetail *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_DETAIL (self), NULL);
  return self->indicator;
}

void
ioc_indicator_detail_set_range (IocIndicatorDetail *self,
                                IocIndicatorRange   range)
{
  g_return_if_fail (IOC_IS_INDICATOR_DETAIL (self));

  /* The dropdown's notify reloads. */
  gtk_drop_down_set_selected (self->range_dropdown, range);
}

void
ioc_indicator_detail_set_compare (IocIndicatorDetail *self,
                                  const char * const *communes)
{
  g_return_if_fail (IOC_IS_INDICATOR_DETAIL (self));

  g_hash_table_remove_all (self->compare);
  for (guint i = 0; communes != NULL && communes[i] != NULL; i++)
    g_hash_table_add (self->compare, g_strdup (communes[i]));
  fill_communes (self);
  rebuild_chart (self);
}

guint
ioc_indicator_detail_get_n_comparable (IocIndicatorDetail *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_DETAIL (self), 0);
  return self->areas ? self->areas->len : 0;
}

IocChart *
ioc_indicator_detail_get_chart (IocIndicatorDetail *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_DETAIL (self), NULL);
  return self->chart;
}

gboolean
ioc_indicator_detail_is_loading (IocIndicatorDetail *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_DETAIL (self), FALSE);
  return self->pending > 0;
}

void
ioc_indicator_detail_set_client (IocIndicatorDetail *self,
                                 IocClient          *client)
{
  g_return_if_fail (IOC_IS_INDICATOR_DETAIL (self));

  g_cancellable_cancel (self->cancellable);
  self->pending = 0;
  g_set_object (&self->client, client);
}

void
ioc_indicator_detail_set_communes (IocIndicatorDetail *self,
                                   GHashTable         *names)
{
  g_return_if_fail (IOC_IS_INDICATOR_DETAIL (self));

  if (names != NULL)
    g_hash_table_ref (names);
  g_clear_pointer (&self->commune_names, g_hash_table_unref);
  self->commune_names = names;
}

static void
on_range_changed_cb (IocIndicatorDetail *self)
{
  ioc_indicator_detail_reload (self);
}

/* Export */

typedef enum {
  EXPORT_PNG,
  EXPORT_SVG,
  EXPORT_CSV,
} ExportFormat;

static const char * const export_extensions[] = { "png", "svg", "csv" };

static void
on_chooser_response_cb (GtkNativeDialog    *dialog,
                        int                 response,
                        IocIndicatorDetail *self)
{
  ExportFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "format"));
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  if (response != GTK_RESPONSE_ACCEPT)
    goto out;

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  path = file ? g_file_get_path (file) : NULL;
  if (path == NULL)
    {
      show_message (self, _("The chart can be saved only to a local folder."), TRUE);
      goto out;
    }

  switch (format)
    {
    case EXPORT_PNG:
      ok = ioc_chart_export_png (self->chart, path, IOC_INDICATOR_EXPORT_WIDTH, IOC_INDICATOR_EXPORT_HEIGHT, &error);
      break;
    case EXPORT_SVG:
      ok = ioc_chart_export_svg (self->chart, path, IOC_INDICATOR_EXPORT_WIDTH, IOC_INDICATOR_EXPORT_HEIGHT, &error);
      break;
    case EXPORT_CSV:
    default:
      ok = ioc_chart_export_csv (self->chart, path, &error);
      break;
    }

  if (ok)
    {
      g_autofree char *name = g_file_get_basename (file);
      /* TRANSLATORS: after an export, with the file's name */
      g_autofree char *text = g_strdup_printf (_("Saved as “%s”."), name);

      show_message (self, text, FALSE);
    }
  else
    show_message (self, error->message, TRUE);

out:
  if (self->chooser == GTK_FILE_CHOOSER_NATIVE (dialog))
    g_clear_object (&self->chooser);
}

static void
export (IocIndicatorDetail *self,
        ExportFormat        format)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *name = NULL;
  static const char * const titles[] = { N_("Export Chart as PNG"), N_("Export Chart as SVG"), N_("Export Values as CSV") };

  if (self->indicator == NULL)
    return;

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_(titles[format]),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  name = g_strdup_printf ("%s.%s", self->indicator->code, export_extensions[format]);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data (G_OBJECT (self->chooser), "format", GINT_TO_POINTER (format));
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
export_png_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  export (IOC_INDICATOR_DETAIL (widget), EXPORT_PNG);
}

static void
export_svg_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  export (IOC_INDICATOR_DETAIL (widget), EXPORT_SVG);
}

static void
export_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  export (IOC_INDICATOR_DETAIL (widget), EXPORT_CSV);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ioc_indicator_detail_reload (IOC_INDICATOR_DETAIL (widget));
}

/* GObject */

static void
ioc_indicator_detail_dispose (GObject *object)
{
  IocIndicatorDetail *self = IOC_INDICATOR_DETAIL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_INDICATOR_DETAIL);
  g_clear_object (&self->client);
  g_clear_pointer (&self->commune_names, g_hash_table_unref);
  g_clear_pointer (&self->indicator, ioc_indicator_unref);
  g_clear_pointer (&self->latest, ioc_observation_unref);
  g_clear_pointer (&self->city, g_array_unref);
  g_clear_pointer (&self->areas, g_ptr_array_unref);
  g_clear_pointer (&self->compare, g_hash_table_unref);

  G_OBJECT_CLASS (ioc_indicator_detail_parent_class)->dispose (object);
}

static void
ioc_indicator_detail_class_init (IocIndicatorDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_indicator_detail_dispose;

  g_type_ensure (IOC_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-indicator-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorDetail, box);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorDetail, name_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorDetail, status_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorDetail, info_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorDetail, description_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorDetail, range_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorDetail, compare_button);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorDetail, communes_box);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorDetail, chart);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorDetail, message_label);
  gtk_widget_class_bind_template_callback (widget_class, on_range_changed_cb);

  gtk_widget_class_install_action (widget_class, "detail.export-png", NULL, export_png_action);
  gtk_widget_class_install_action (widget_class, "detail.export-svg", NULL, export_svg_action);
  gtk_widget_class_install_action (widget_class, "detail.export-csv", NULL, export_csv_action);
  gtk_widget_class_install_action (widget_class, "detail.reload", NULL, reload_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "iocindicatordetail");
}

static void
ioc_indicator_detail_init (IocIndicatorDetail *self)
{
  self->compare = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->compare_button), FALSE);
}

GtkWidget *
ioc_indicator_detail_new (void)
{
  return g_object_new (IOC_TYPE_INDICATOR_DETAIL, NULL);
}
