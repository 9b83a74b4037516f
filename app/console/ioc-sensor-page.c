/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "ioc-indicator-card.h"
#include "ioc-sensor-page.h"

/* A reading older than this is not shown as the current state. */
#define STATION_STALE_AFTER ((gint64) 3600 * G_USEC_PER_SEC)

typedef struct {
  IocStation *station;
  gboolean    has_latest;
  gint64      latest_at;
  double      latest_value;
  GtkWidget  *button;
  GtkLabel   *value_label;
  GtkLabel   *level_label;
} StationItem;

struct _IocSensorPage
{
  GtkWidget     parent_instance;

  GtkWidget    *box;
  GtkFlowBox   *stations_box;
  GtkLabel     *station_label;
  GtkLabel     *level_label;
  GtkLabel     *latest_label;
  GtkDropDown  *range_dropdown;
  IocChart     *chart;
  GtkLabel     *message_label;

  IocClient    *client;
  GCancellable *cancellable;
  GCancellable *readings_cancellable;
  GPtrArray    *items;          /* StationItem, in the server's order */
  char         *selected;
  gboolean      stations_loading;
  gboolean      readings_loading;
};

G_DEFINE_FINAL_TYPE (IocSensorPage, ioc_sensor_page, GTK_TYPE_WIDGET)

static void load_readings (IocSensorPage *self);

static void
station_item_free (StationItem *item)
{
  g_clear_pointer (&item->station, ioc_station_unref);
  g_free (item);
}

static StationItem *
find_item (IocSensorPage *self,
           const char    *code)
{
  for (guint i = 0; self->items != NULL && i < self->items->len; i++)
    {
      StationItem *item = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (item->station->code, code) == 0)
        return item;
    }
  return NULL;
}

static void
show_message (IocSensorPage *self,
              const char    *text)
{
  gtk_label_set_label (self->message_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), text != NULL);
}

static const char *
kind_label (IocStationKind kind)
{
  switch (kind)
    {
    case IOC_STATION_WATER_LEVEL: return _("Water level");
    case IOC_STATION_RAINFALL: return _("Rainfall");
    case IOC_STATION_AIR_QUALITY: return _("Air quality");
    case IOC_N_STATION_KINDS:
    case IOC_STATION_KIND_INVALID:
    default:
      return "";
    }
}

static const char * const level_classes[] = {
  "status-ok", "status-level1", "status-level2", "status-level3", "status-stale", "status-no-data",
};

/* The level words and class of a station's latest reading. */
static char *
describe_level (StationItem  *item,
                gint64        now,
                const char  **css_class)
{
  int level;

  if (!item->has_latest)
    {
      *css_class = "status-no-data";
      return g_strdup (_("No data"));
    }
  if (now - item->latest_at > STATION_STALE_AFTER)
    {
      g_autofree char *age = ioc_indicator_format_age (now - item->latest_at);

      *css_class = "status-stale";
      /* TRANSLATORS: a station that stopped reporting, e.g. "No reading for 3 hours" */
      return g_strdup_printf (_("No reading for %s"), age);
    }

  level = ioc_station_level_of (item->station, item->latest_value);
  *css_class = level_classes[CLAMP (level, 0, 3)];
  if (level == 0)
    /* TRANSLATORS: a station's latest reading is below its alarm levels */
    return g_strdup (_("Below alarm levels"));
  /* TRANSLATORS: an alarm level reached, e.g. "Alarm II" (báo động II) */
  return g_strdup_printf (_("Alarm %s"), ioc_station_level_name (level));
}

static void
set_level_label (GtkLabel   *label,
                 const char *text,
                 const char *css_class)
{
  for (guint i = 0; i < G_N_ELEMENTS (level_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (label), level_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (label), css_class);
  gtk_label_set_label (label, text);
}

static char *
format_reading (StationItem *item)
{
  g_autofree char *value = NULL;

  if (!item->has_latest)
    return g_strdup ("—");
  value = ioc_chart_format_value (item->latest_value);
  return g_strdup_printf ("%s %s", value, item->station->unit ? item->station->unit : "");
}

static void
update_item (IocSensorPage *self,
             StationItem   *item)
{
  gint64 now = g_get_real_time ();
  g_autofree char *reading = format_reading (item);
  const char *css_class = NULL;
  g_autofree char *level = describe_level (item, now, &css_class);

  gtk_label_set_label (item->value_label, reading);
  set_level_label (item->level_label, level, css_class);

  if (g_strcmp0 (self->selected, item->station->code) == 0)
    {
      g_autofree char *when = item->has_latest ? ioc_chart_format_period (IOC_FREQUENCY_REALTIME, item->latest_at) : NULL;
      g_autofree char *latest = NULL;

      if (when != NULL)
        /* TRANSLATORS: the latest reading and its time, e.g. "1,84 m at 28/11/2026 21:30" */
        latest = g_strdup_printf (_("%s at %s"), reading, when);
      gtk_label_set_label (self->station_label, item->station->name);
      set_level_label (self->level_label, level, css_class);
      gtk_label_set_label (self->latest_label, latest ? latest : "");
    }
}

static void
on_station_clicked_cb (GtkButton     *button,
                       IocSensorPage *self)
{
  ioc_sensor_page_select_station (self, g_object_get_data (G_OBJECT (button), "station-code"));
}

static StationItem *
add_item (IocSensorPage *self,
          IocStation    *station)
{
  StationItem *item = g_new0 (StationItem, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (station->name);
  GtkWidget *kind = gtk_label_new (kind_label (station->kind));

  item->station = ioc_station_ref (station);
  item->button = gtk_button_new ();
  item->value_label = GTK_LABEL (gtk_label_new (NULL));
  item->level_label = GTK_LABEL (gtk_label_new (NULL));

  gtk_widget_add_css_class (item->button, "card");
  gtk_widget_add_css_class (item->button, "station-card");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (kind), 0);
  gtk_widget_add_css_class (kind, "dim-label");
  gtk_widget_add_css_class (kind, "caption");
  gtk_label_set_xalign (item->value_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (item->value_label), "title-3");
  gtk_widget_add_css_class (GTK_WIDGET (item->value_label), "numeric");
  gtk_label_set_xalign (item->level_label, 0);
  gtk_widget_set_halign (GTK_WIDGET (item->level_label), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (item->level_label), "indicator-status");

  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), kind);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (item->value_label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (item->level_label));
  gtk_button_set_child (GTK_BUTTON (item->button), box);
  g_object_set_data_full (G_OBJECT (item->button), "station-code", g_strdup (station->code), g_free);
  g_signal_connect_object (item->button, "clicked", G_CALLBACK (on_station_clicked_cb), self, 0);
  gtk_flow_box_append (self->stations_box, item->button);

  g_ptr_array_add (self->items, item);
  return item;
}

static gboolean
read_latest (JsonObject *object,
             gint64     *at,
             double     *value)
{
  JsonNode *node = json_object_get_member (object, "latest");
  JsonObject *latest;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  latest = json_node_get_object (node);
  return ioc_json_get_time (latest, "at", TRUE, at, NULL) &&
         ioc_json_get_double (latest, "value", TRUE, -G_MAXDOUBLE, G_MAXDOUBLE, value, NULL);
}

static void
stations_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  IocSensorPage *self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *stations;
  GtkWidget *child;

  node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->stations_loading = FALSE;
  if (node == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The stations could not be loaded: %s"), error->message);

      show_message (self, text);
      return;
    }

  stations = ioc_json_get_array_member (node, "stations");
  if (stations == NULL)
    {
      show_message (self, _("The server's list of stations cannot be read."));
      return;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->stations_box))) != NULL)
    gtk_flow_box_remove (self->stations_box, child);
  g_ptr_array_set_size (self->items, 0);

  for (guint i = 0; i < json_array_get_length (stations); i++)
    {
      JsonObject *object = json_array_get_object_element (stations, i);
      g_autoptr(IocStation) station = NULL;
      StationItem *item;

      if (object == NULL || (station = ioc_station_from_json (object, NULL)) == NULL)
        continue;
      item = add_item (self, station);
      item->has_latest = read_latest (object, &item->latest_at, &item->latest_value);
    }

  show_message (self, NULL);
  if (self->selected == NULL || find_item (self, self->selected) == NULL)
    {
      const char *code = NULL;

      if (find_item (self, IOC_SENSOR_PAGE_DEFAULT_STATION) != NULL)
        code = IOC_SENSOR_PAGE_DEFAULT_STATION;
      else if (self->items->len > 0)
        code = ((StationItem *) g_ptr_array_index (self->items, 0))->station->code;
      g_free (self->selected);
      self->selected = g_strdup (code);
    }

  for (guint i = 0; i < self->items->len; i++)
    update_item (self, g_ptr_array_index (self->items, i));
  if (self->selected != NULL)
    ioc_sensor_page_select_station (self, self->selected);
  else
    show_message (self, _("This server has no sensor stations."));
}

static gint64
range_duration (IocSensorPage *self)
{
  static const int days[] = { 2, 7, 30 };
  guint selected = gtk_drop_down_get_selected (self->range_dropdown);

  return (gint64) days[MIN (selected, G_N_ELEMENTS (days) - 1)] * 86400 * G_USEC_PER_SEC;
}

static void
readings_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  IocSensorPage *self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) points = NULL;
  JsonArray *readings;

  node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->readings_loading = FALSE;
  if (node == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The readings could not be loaded: %s"), error->message);

      show_message (self, text);
      return;
    }

  readings = ioc_json_get_array_member (node, "readings");
  if (readings == NULL)
    {
      show_message (self, _("The server's readings cannot be read."));
      return;
    }

  points = g_array_sized_new (FALSE, FALSE, sizeof (IocSeriesPoint), json_array_get_length (readings));
  for (guint i = 0; i < json_array_get_length (readings); i++)
    {
      JsonObject *object = json_array_get_object_element (readings, i);
      IocSeriesPoint p;

      if (object != NULL &&
          ioc_json_get_time (object, "at", TRUE, &p.t, NULL) &&
          ioc_json_get_double (object, "value", TRUE, -G_MAXDOUBLE, G_MAXDOUBLE, &p.v, NULL))
        g_array_append_val (points, p);
    }

  ioc_chart_clear_series (self->chart);
  ioc_chart_add_series (self->chart, NULL, (IocSeriesPoint *) points->data, points->len);
  show_message (self, NULL);
}

static void
load_readings (IocSensorPage *self)
{
  g_autofree char *from = NULL;
  g_autofree char *from_escaped = NULL;
  g_autofree char *code_escaped = NULL;
  g_autofree char *path = NULL;

  if (self->client == NULL || self->selected == NULL)
    return;

  g_cancellable_cancel (self->readings_cancellable);
  g_clear_object (&self->readings_cancellable);
  self->readings_cancellable = g_cancellable_new ();

  from = ioc_time_format (g_get_real_time () - range_duration (self));
  from_escaped = g_uri_escape_string (from, NULL, FALSE);
  code_escaped = g_uri_escape_string (self->selected, NULL, FALSE);
  /* About two readings per pixel column of a wide chart: peaks survive. */
  path = g_strdup_printf ("/api/v1/stations/%s/readings?from=%s&points=4000", code_escaped, from_escaped);
  self->readings_loading = TRUE;
  ioc_client_get_json_async (self->client, path, self->readings_cancellable, readings_loaded_cb, self);
}

static void
on_range_changed_cb (IocSensorPage *self)
{
  load_readings (self);
}

/* The levels with one number of decimals; water levels as the
 * hydrological service writes them (1,80 m). */
static int
level_decimals (IocStation *station)
{
  int decimals = station->kind == IOC_STATION_WATER_LEVEL ? 2 : 0;

  for (int i = 0; i < IOC_STATION_N_LEVELS; i++)
    if (station->has_level[i])
      for (int d = decimals; d < 3; d++)
        {
          double scaled = station->levels[i] * pow (10, d);

          if (fabs (scaled - round (scaled)) < 1e-6)
            break;
          decimals = d + 1;
        }
  return decimals;
}

/* API */

void
ioc_sensor_page_select_station (IocSensorPage *self,
                                const char    *code)
{
  StationItem *item;

  g_return_if_fail (IOC_IS_SENSOR_PAGE (self));

  item = find_item (self, code);
  if (item == NULL)
    return;

  if (self->selected != code)
    {
      g_free (self->selected);
      self->selected = g_strdup (code);
    }

  ioc_chart_clear_series (self->chart);
  ioc_chart_clear_lines (self->chart);
  ioc_chart_set_kind (self->chart, IOC_CHART_LINE);
  ioc_chart_set_frequency (self->chart, IOC_FREQUENCY_REALTIME);
  ioc_chart_set_title (self->chart, item->station->name);
  ioc_chart_set_unit (self->chart, item->station->unit);
  for (int i = 0; i < IOC_STATION_N_LEVELS; i++)
    if (item->station->has_level[i])
      {
        g_autofree char *value = g_strdup_printf ("%'.*f", level_decimals (item->station), item->station->levels[i]);
        /* TRANSLATORS: an alarm level line on a station's chart, e.g. "Alarm II: 1,90 m" */
        g_autofree char *label = g_strdup_printf (_("Alarm %s: %s %s"), ioc_station_level_name (i + 1),
                                                  value, item->station->unit ? item->station->unit : "");

        ioc_chart_add_line (self->chart, item->station->levels[i], label, i + 1);
      }

  for (guint i = 0; i < self->items->len; i++)
    {
      StationItem *other = g_ptr_array_index (self->items, i);

      if (other == item)
        gtk_widget_add_css_class (other->button, "selected");
      else
        gtk_widget_remove_css_class (other->button, "selected");
    }
  update_item (self, item);
  load_readings (self);
}

void
ioc_sensor_page_apply_event (IocSensorPage *self,
                             IocEvent      *event)
{
  JsonArray *stations;

  g_return_if_fail (IOC_IS_SENSOR_PAGE (self));
  g_return_if_fail (event != NULL);

  if (g_strcmp0 (event->kind, IOC_EVENT_SENSOR_READINGS) != 0)
    return;

  stations = ioc_json_get_array_member (event->data, "stations");
  if (stations == NULL)
    return;

  for (guint i = 0; i < json_array_get_length (stations); i++)
    {
      JsonObject *object = json_array_get_object_element (stations, i);
      const char *code = object ? json_object_get_string_member_with_default (object, "code", NULL) : NULL;
      StationItem *item = find_item (self, code);
      gint64 at, count = 1;
      double value;

      if (item == NULL || !read_latest (object, &at, &value))
        continue;

      ioc_json_get_int (object, "count", FALSE, 0, G_MAXINT64, &count, NULL);
      if (!item->has_latest || at >= item->latest_at)
        {
          item->has_latest = TRUE;
          item->latest_at = at;
          item->latest_value = value;
        }
      update_item (self, item);

      if (g_strcmp0 (code, self->selected) == 0)
        {
          /* One new reading moves the line; a batch (a gauge catching up)
           * brings readings the event does not carry: read them again. */
          if (count > 1)
            load_readings (self);
          else if (ioc_chart_get_n_series (self->chart) > 0)
            ioc_chart_append_point (self->chart, 0, at, value);
        }
    }
}

void
ioc_sensor_page_set_client (IocSensorPage *self,
                            IocClient     *client)
{
  g_return_if_fail (IOC_IS_SENSOR_PAGE (self));
  g_return_if_fail (!client || IOC_IS_CLIENT (client));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->readings_cancellable);
  self->stations_loading = self->readings_loading = FALSE;
  g_set_object (&self->client, client);
  if (client == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  self->stations_loading = TRUE;
  ioc_client_get_json_async (client, "/api/v1/stations", self->cancellable, stations_loaded_cb, self);
}

const char *
ioc_sensor_page_get_station_code (IocSensorPage *self)
{
  g_return_val_if_fail (IOC_IS_SENSOR_PAGE (self), NULL);
  return self->selected;
}

guint
ioc_sensor_page_get_n_stations (IocSensorPage *self)
{
  g_return_val_if_fail (IOC_IS_SENSOR_PAGE (self), 0);
  return self->items->len;
}

IocChart *
ioc_sensor_page_get_chart (IocSensorPage *self)
{
  g_return_val_if_fail (IOC_IS_SENSOR_PAGE (self), NULL);
  return self->chart;
}

gboolean
ioc_sensor_page_is_loading (IocSensorPage *self)
{
  g_return_val_if_fail (IOC_IS_SENSOR_PAGE (self), FALSE);
  return self->stations_loading || self->readings_loading;
}

/* GObject */

static void
ioc_sensor_page_dispose (GObject *object)
{
  IocSensorPage *self = IOC_SENSOR_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->readings_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->readings_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_SENSOR_PAGE);
  g_clear_object (&self->client);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->selected, g_free);

  G_OBJECT_CLASS (ioc_sensor_page_parent_class)->dispose (object);
}

static void
ioc_sensor_page_class_init (IocSensorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_sensor_page_dispose;

  g_type_ensure (IOC_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-sensor-page.ui");
  gtk_widget_class_bind_template_child (widget_class, IocSensorPage, box);
  gtk_widget_class_bind_template_child (widget_class, IocSensorPage, stations_box);
  gtk_widget_class_bind_template_child (widget_class, IocSensorPage, station_label);
  gtk_widget_class_bind_template_child (widget_class, IocSensorPage, level_label);
  gtk_widget_class_bind_template_child (widget_class, IocSensorPage, latest_label);
  gtk_widget_class_bind_template_child (widget_class, IocSensorPage, range_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IocSensorPage, chart);
  gtk_widget_class_bind_template_child (widget_class, IocSensorPage, message_label);
  gtk_widget_class_bind_template_callback (widget_class, on_range_changed_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "iocsensorpage");
}

static void
ioc_sensor_page_init (IocSensorPage *self)
{
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) station_item_free);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ioc_sensor_page_new (void)
{
  return g_object_new (IOC_TYPE_SENSOR_PAGE, NULL);
}
