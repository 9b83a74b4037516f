/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ioc-boundary-layer.h"
#include "ioc-spatial-index.h"
#include "ioc-station-layer.h"

#define HALF_PX 7.0
/* Below this the readings would cover the district names. */
#define LABEL_ZOOM 12.0

typedef struct {
  char        *code;
  char        *name;
  char        *text;     /* "Cần Thơ 1.84 m" */
  double       mx;
  double       my;
  int          level;    /* -1: no reading */
  PangoLayout *layout;
} Station;

struct _IocStationLayer
{
  ShumateLayer  parent_instance;

  GPtrArray    *stations;
  guint         n_drawn;
};

G_DEFINE_FINAL_TYPE (IocStationLayer, ioc_station_layer, SHUMATE_TYPE_LAYER)

static void
station_free (gpointer data)
{
  Station *station = data;

  g_free (station->code);
  g_free (station->name);
  g_free (station->text);
  g_clear_object (&station->layout);
  g_free (station);
}

void
ioc_station_layer_get_level_color (int      level,
                                   GdkRGBA *color)
{
  static const char * const colors[] = { "#2ec27e", "#f6d32d", "#ff7800", "#e01b24" };

  if (level < 0 || level > 3)
    gdk_rgba_parse (color, "#9a9996");
  else
    gdk_rgba_parse (color, colors[level]);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

void
ioc_station_layer_set_geojson (IocStationLayer *self,
                               JsonNode        *feature_collection)
{
  JsonArray *features = NULL;

  g_return_if_fail (IOC_IS_STATION_LAYER (self));

  g_ptr_array_set_size (self->stations, 0);
  if (feature_collection != NULL && JSON_NODE_HOLDS_OBJECT (feature_collection))
    {
      JsonObject *collection = json_node_get_object (feature_collection);
      JsonNode *node = json_object_get_member (collection, "features");

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        features = json_node_get_array (node);
    }

  for (guint i = 0; features != NULL && i < json_array_get_length (features); i++)
    {
      JsonNode *node = json_array_get_element (features, i);
      JsonObject *feature, *geometry = NULL, *properties = NULL;
      JsonNode *member;
      JsonArray *coordinates;
      Station *station;
      const char *unit;
      double value = 0;
      gboolean has_value = FALSE;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      feature = json_node_get_object (node);
      if ((member = json_object_get_member (feature, "geometry")) != NULL && JSON_NODE_HOLDS_OBJECT (member))
        geometry = json_node_get_object (member);
      if ((member = json_object_get_member (feature, "properties")) != NULL && JSON_NODE_HOLDS_OBJECT (member))
        properties = json_node_get_object (member);
      if (geometry == NULL || g_strcmp0 (string_member (geometry, "type"), "Point") != 0 ||
          (member = json_object_get_member (geometry, "coordinates")) == NULL ||
          !JSON_NODE_HOLDS_ARRAY (member) ||
          json_array_get_length (coordinates = json_node_get_array (member)) < 2)
        continue;

      station = g_new0 (Station, 1);
      ioc_mercator_from_lat_lon (json_array_get_double_element (coordinates, 1),
                                 json_array_get_double_element (coordinates, 0),
                                 &station->mx, &station->my);
      station->code = g_strdup (string_member (properties, "code"));
      station->name = g_strdup (string_member (properties, "name"));
      unit = string_member (properties, "unit");
      station->level = -1;
      if (properties != NULL && (member = json_object_get_member (properties, "latest")) != NULL &&
          JSON_NODE_HOLDS_OBJECT (member) &&
          json_object_has_member (json_node_get_object (member), "value"))
        {
          value = json_object_get_double_member (json_node_get_object (member), "value");
          has_value = TRUE;
          station->level = 0;
          if ((member = json_object_get_member (properties, "latest_level")) != NULL &&
              JSON_NODE_HOLDS_VALUE (member))
            station->level = CLAMP ((int) json_node_get_int (member), 0, 3);
        }
      if (has_value)
        /* TRANSLATORS: a sensor station on the map: its name, latest value and unit. */
        station->text = g_strdup_printf (C_("station label", "%s %.2f %s"),
                                         station->name != NULL ? station->name : station->code,
                                         value, unit != NULL ? unit : "");
      else
        /* TRANSLATORS: a sensor station on the map that has sent no reading yet. */
        station->text = g_strdup_printf (C_("station label", "%s (no reading)"),
                                         station->name != NULL ? station->name : station->code);
      g_ptr_array_add (self->stations, station);
    }

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ioc_station_layer_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  IocStationLayer *self = IOC_STATION_LAYER (widget);
  IocMapTransform t;
  GdkRGBA fg, bg, outline;

  self->n_drawn = 0;
  if (self->stations->len == 0)
    return;

  ioc_map_transform_init (&t, SHUMATE_LAYER (self));
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "view_bg_color", &bg))
    bg = (GdkRGBA) { 0.12, 0.12, 0.12, 1 };
G_GNUC_END_IGNORE_DEPRECATIONS
  outline = bg;
  bg.alpha = 0.85;

  ioc_map_transform_push_rotation (&t, snapshot);
  for (guint i = 0; i < self->stations->len; i++)
    {
      Station *station = g_ptr_array_index (self->stations, i);
      double x = station->mx * t.scale - t.offset_x;
      double y = station->my * t.scale - t.offset_y;
      GskRoundedRect box;
      GdkRGBA color;
      float widths[4] = { 2, 2, 2, 2 };
      GdkRGBA borders[4];

      if (x < -200 || y < -50 || x > t.width + 50 || y > t.height + 50)
        continue;

      ioc_station_layer_get_level_color (station->level, &color);
      gsk_rounded_rect_init_from_rect (&box, &GRAPHENE_RECT_INIT (x - HALF_PX, y - HALF_PX, 2 * HALF_PX, 2 * HALF_PX), 3);
      gtk_snapshot_push_rounded_clip (snapshot, &box);
      gtk_snapshot_append_color (snapshot, &color, &box.bounds);
      gtk_snapshot_pop (snapshot);
      for (int k = 0; k < 4; k++)
        borders[k] = outline;
      gtk_snapshot_append_border (snapshot, &box, widths, borders);
      self->n_drawn++;

      if (t.zoom >= LABEL_ZOOM && station->text != NULL)
        {
          int w, h;
          GskRoundedRect pill;

          if (station->layout == NULL)
            station->layout = gtk_widget_create_pango_layout (widget, station->text);
          pango_layout_get_pixel_size (station->layout, &w, &h);
          gsk_rounded_rect_init_from_rect (&pill, &GRAPHENE_RECT_INIT (x + HALF_PX + 4, y - h / 2.0 - 2, w + 10, h + 4), 4);
          gtk_snapshot_push_rounded_clip (snapshot, &pill);
          gtk_snapshot_append_color (snapshot, &bg, &pill.bounds);
          gtk_snapshot_pop (snapshot);
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x + HALF_PX + 9), round (y - h / 2.0)));
          gtk_snapshot_append_layout (snapshot, station->layout, &fg);
          gtk_snapshot_restore (snapshot);
        }
    }
  gtk_snapshot_restore (snapshot);
}

static void
ioc_station_layer_css_changed (GtkWidget         *widget,
                               GtkCssStyleChange *change)
{
  IocStationLayer *self = IOC_STATION_LAYER (widget);

  GTK_WIDGET_CLASS (ioc_station_layer_parent_class)->css_changed (widget, change);
  for (guint i = 0; i < self->stations->len; i++)
    g_clear_object (&((Station *) g_ptr_array_index (self->stations, i))->layout);
  gtk_widget_queue_draw (widget);
}

static void
ioc_station_layer_constructed (GObject *object)
{
  G_OBJECT_CLASS (ioc_station_layer_parent_class)->constructed (object);

  g_signal_connect_object (shumate_layer_get_viewport (SHUMATE_LAYER (object)), "notify",
                           G_CALLBACK (gtk_widget_queue_draw), object, G_CONNECT_SWAPPED);
}

static void
ioc_station_layer_finalize (GObject *object)
{
  IocStationLayer *self = IOC_STATION_LAYER (object);

  g_clear_pointer (&self->stations, g_ptr_array_unref);

  G_OBJECT_CLASS (ioc_station_layer_parent_class)->finalize (object);
}

static void
ioc_station_layer_class_init (IocStationLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ioc_station_layer_constructed;
  object_class->finalize = ioc_station_layer_finalize;
  widget_class->snapshot = ioc_station_layer_snapshot;
  widget_class->css_changed = ioc_station_layer_css_changed;

  gtk_widget_class_set_css_name (widget_class, "iocstationlayer");
}

static void
ioc_station_layer_init (IocStationLayer *self)
{
  self->stations = g_ptr_array_new_with_free_func (station_free);
}

IocStationLayer *
ioc_station_layer_new (ShumateViewport *viewport)
{
  g_return_val_if_fail (SHUMATE_IS_VIEWPORT (viewport), NULL);

  return g_object_new (IOC_TYPE_STATION_LAYER, "viewport", viewport, NULL);
}

guint
ioc_station_layer_get_n_stations (IocStationLayer *self)
{
  g_return_val_if_fail (IOC_IS_STATION_LAYER (self), 0);

  return self->stations->len;
}

guint
ioc_station_layer_get_n_drawn (IocStationLayer *self)
{
  g_return_val_if_fail (IOC_IS_STATION_LAYER (self), 0);

  return self->n_drawn;
}

int
ioc_station_layer_get_level (IocStationLayer *self,
                             const char      *code)
{
  g_return_val_if_fail (IOC_IS_STATION_LAYER (self), -1);

  for (guint i = 0; i < self->stations->len; i++)
    {
      Station *station = g_ptr_array_index (self->stations, i);

      if (g_strcmp0 (station->code, code) == 0)
        return station->level;
    }
  return -1;
}

const char *
ioc_station_layer_station_at (IocStationLayer *self,
                              double           x,
                              double           y)
{
  IocMapTransform t;
  double lat, lon, mx, my;

  g_return_val_if_fail (IOC_IS_STATION_LAYER (self), NULL);

  ioc_map_transform_init (&t, SHUMATE_LAYER (self));
  ioc_map_transform_to_location (&t, x, y, &lat, &lon);
  ioc_mercator_from_lat_lon (lat, lon, &mx, &my);
  for (guint i = self->stations->len; i > 0; i--)
    {
      Station *station = g_ptr_array_index (self->stations, i - 1);

      if (fabs ((station->mx - mx) * t.scale) <= HALF_PX + 2 && fabs ((station->my - my) * t.scale) <= HALF_PX + 2)
        return station->code;
    }
  return NULL;
}
