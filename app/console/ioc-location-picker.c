/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ioc-boundary-layer.h"
#include "ioc-location-picker.h"

/* Where the map opens before a point is chosen: Ninh Kiều, the city centre. */
#define CITY_CENTRE_LAT 10.0339
#define CITY_CENTRE_LON 105.7875
#define OVERVIEW_ZOOM   9.0
#define PIN_ZOOM        14.0
/* "Roughly inside": the boundary's box grown by this many degrees (~5 km). */
#define CITY_MARGIN     0.05

struct _IocLocationPicker
{
  GtkWidget           parent_instance;

  GtkWidget          *overlay;
  ShumateMap         *map;
  ShumateViewport    *viewport;
  ShumateMapSource   *reference;
  ShumateMapLayer    *tile_layer;
  IocBoundaryLayer   *districts_layer;
  IocBoundaryLayer   *city_layer;
  ShumateMarkerLayer *marker_layer;
  ShumateMarker      *pin;
  GtkLabel           *attribution_label;

  IocClient          *client;
  GCancellable       *cancellable;
  char               *tile_source;
  double              latitude;
  double              longitude;
  gboolean            has_location;
  gboolean            has_city_box;
  IocBBox             city_box;
  guint               n_boundaries;
  guint               fit_id;
};

G_DEFINE_FINAL_TYPE (IocLocationPicker, ioc_location_picker, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LATITUDE,
  PROP_LONGITUDE,
  PROP_HAS_LOCATION,
  PROP_TILE_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The pin: a filled circle with a light ring, readable on a plain
 * background as on any basemap, and not dependent on an icon theme. */
static void
draw_pin (GtkDrawingArea *area,
          cairo_t        *cr,
          int             width,
          int             height,
          gpointer        data)
{
  double r = MIN (width, height) / 2.0;

  cairo_arc (cr, width / 2.0, height / 2.0, r - 1, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill (cr);
  cairo_arc (cr, width / 2.0, height / 2.0, r - 4, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 0.878, 0.106, 0.141);
  cairo_fill (cr);
  cairo_arc (cr, width / 2.0, height / 2.0, 2.5, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill (cr);
}

static void
update_pin (IocLocationPicker *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->pin), self->has_location);
  if (self->has_location)
    shumate_location_set_location (SHUMATE_LOCATION (self->pin), self->latitude, self->longitude);
}

static void
set_location_internal (IocLocationPicker *self,
                       gboolean           has_location,
                       double             latitude,
                       double             longitude,
                       gboolean           centre)
{
  gboolean lat_changed = has_location && latitude != self->latitude;
  gboolean lon_changed = has_location && longitude != self->longitude;
  gboolean has_changed = has_location != self->has_location;

  if (has_location)
    {
      self->latitude = latitude;
      self->longitude = longitude;
    }
  self->has_location = has_location;
  update_pin (self);

  if (has_location && centre)
    {
      if (shumate_viewport_get_zoom_level (self->viewport) < PIN_ZOOM - 2)
        shumate_viewport_set_zoom_level (self->viewport, PIN_ZOOM);
      shumate_map_center_on (self->map, latitude, longitude);
    }

  g_object_freeze_notify (G_OBJECT (self));
  if (lat_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATITUDE]);
  if (lon_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LONGITUDE]);
  if (has_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_LOCATION]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
ioc_location_picker_click (IocLocationPicker *self,
                           double             x,
                           double             y)
{
  double lat = 0, lon = 0;

  g_return_if_fail (IOC_IS_LOCATION_PICKER (self));

  shumate_viewport_widget_coords_to_location (self->viewport, GTK_WIDGET (self->map), x, y, &lat, &lon);
  /* A click picks the point where the user looks: the map stays put. */
  set_location_internal (self, TRUE, lat, lon, FALSE);
}

static void
on_click_released_cb (GtkGestureClick   *gesture,
                      int                n_press,
                      double             x,
                      double             y,
                      IocLocationPicker *self)
{
  if (n_press != 1)
    return;
  ioc_location_picker_click (self, x, y);
}

/* Boundaries */

static void
note_city_box (IocLocationPicker *self,
               JsonNode          *collection)
{
  JsonArray *features;
  gboolean first = TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (collection))
    return;
  features = json_object_get_array_member (json_node_get_object (collection), "features");
  for (guint i = 0; features != NULL && i < json_array_get_length (features); i++)
    {
      JsonNode *feature = json_array_get_element (features, i);
      JsonObject *geometry;
      g_autoptr(IocGeoShape) shape = NULL;
      IocBBox box;

      if (!JSON_NODE_HOLDS_OBJECT (feature))
        continue;
      geometry = json_object_get_object_member (json_node_get_object (feature), "geometry");
      if (geometry == NULL || (shape = ioc_geo_shape_new_from_geojson (geometry, NULL)) == NULL)
        continue;
      ioc_geo_shape_get_bbox (shape, &box);
      if (first)
        self->city_box = box;
      else
        {
          self->city_box.min_lon = MIN (self->city_box.min_lon, box.min_lon);
          self->city_box.min_lat = MIN (self->city_box.min_lat, box.min_lat);
          self->city_box.max_lon = MAX (self->city_box.max_lon, box.max_lon);
          self->city_box.max_lat = MAX (self->city_box.max_lat, box.max_lat);
        }
      first = FALSE;
    }
  self->has_city_box = !first;
}

/* Before a point is chosen the whole city is in view. */
static void
show_city (IocLocationPicker *self)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double dlon, dlat, zoom;

  if (!self->has_city_box || self->has_location)
    return;

  /* Degrees per 256-pixel tile at zoom z are 360 / 2^z; near the equator
   * latitude scales almost like longitude. */
  dlon = MAX (self->city_box.max_lon - self->city_box.min_lon, 0.01);
  dlat = MAX (self->city_box.max_lat - self->city_box.min_lat, 0.01);
  zoom = MIN (log2 (width * 360.0 / (256.0 * dlon)), log2 (height * 360.0 / (256.0 * dlat))) - 0.3;
  shumate_viewport_set_zoom_level (self->viewport, CLAMP (zoom, 6, PIN_ZOOM));
  shumate_map_center_on (self->map, (self->city_box.min_lat + self->city_box.max_lat) / 2,
                         (self->city_box.min_lon + self->city_box.max_lon) / 2);
}

static gboolean
fit_tick_cb (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  IocLocationPicker *self = IOC_LOCATION_PICKER (widget);

  if (gtk_widget_get_width (widget) < 2 || gtk_widget_get_height (widget) < 2)
    return G_SOURCE_CONTINUE;
  self->fit_id = 0;
  show_city (self);
  return G_SOURCE_REMOVE;
}

static void
update_attribution (IocLocationPicker *self)
{
  const char *text = ioc_boundary_layer_get_attribution (self->city_layer);

  if (text == NULL)
    text = ioc_boundary_layer_get_attribution (self->districts_layer);
  gtk_label_set_label (self->attribution_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->attribution_label), text != NULL);
}

typedef struct {
  IocLocationPicker *self;
  gboolean           city;
} BoundaryRequest;

static void
boundary_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  BoundaryRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  IocLocationPicker *self = request->self;
  gboolean city = request->city;

  g_free (request);
  if (node == NULL)
    {
      /* The picker works without its outlines: the user can still type
       * coordinates or click on the plain map. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("A boundary layer was not loaded: %s", error->message);
      return;
    }

  if (city)
    {
      ioc_boundary_layer_set_geojson (self->city_layer, node, FALSE);
      note_city_box (self, node);
      if (!self->has_location)
        {
          /* Fitted at the first frame, when the map has its size. */
          if (self->fit_id == 0)
            self->fit_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), fit_tick_cb, NULL, NULL);
        }
    }
  else
    ioc_boundary_layer_set_geojson (self->districts_layer, node, TRUE);
  self->n_boundaries++;
  update_attribution (self);
}

static void
load_boundary (IocLocationPicker *self,
               const char        *name,
               gboolean           city)
{
  g_autofree char *path = g_strconcat ("/api/v1/layers/", name, NULL);
  BoundaryRequest *request = g_new0 (BoundaryRequest, 1);

  /* The cancellable ends with the widget, so the callback never sees a
   * freed picker. */
  request->self = self;
  request->city = city;
  ioc_client_get_json_async (self->client, path, self->cancellable, boundary_cb, request);
}

void
ioc_location_picker_set_client (IocLocationPicker *self,
                                IocClient         *client)
{
  g_return_if_fail (IOC_IS_LOCATION_PICKER (self));

  if (!g_set_object (&self->client, client) || client == NULL)
    return;

  load_boundary (self, "former-districts", FALSE);
  load_boundary (self, "city-boundary", TRUE);
}

/* Tiles */

const char *
ioc_location_picker_get_tile_source (IocLocationPicker *self)
{
  g_return_val_if_fail (IOC_IS_LOCATION_PICKER (self), NULL);
  return self->tile_source ? self->tile_source : "";
}

void
ioc_location_picker_set_tile_source (IocLocationPicker *self,
                                     const char        *url_template)
{
  g_return_if_fail (IOC_IS_LOCATION_PICKER (self));

  if (url_template != NULL && *url_template == '\0')
    url_template = NULL;
  if (g_strcmp0 (url_template, self->tile_source) == 0)
    return;

  g_free (self->tile_source);
  self->tile_source = g_strdup (url_template);

  if (self->tile_layer != NULL)
    {
      shumate_map_remove_layer (self->map, SHUMATE_LAYER (self->tile_layer));
      self->tile_layer = NULL;
    }
  if (self->tile_source != NULL)
    {
      g_autoptr(ShumateRasterRenderer) source = shumate_raster_renderer_new_from_url (self->tile_source);

      self->tile_layer = shumate_map_layer_new (SHUMATE_MAP_SOURCE (source), self->viewport);
      /* Under the outlines and the pin. */
      shumate_map_insert_layer_behind (self->map, SHUMATE_LAYER (self->tile_layer),
                                       SHUMATE_LAYER (self->districts_layer));
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TILE_SOURCE]);
}

/* Location */

void
ioc_location_picker_set_location (IocLocationPicker *self,
                                  double             latitude,
                                  double             longitude)
{
  g_return_if_fail (IOC_IS_LOCATION_PICKER (self));
  g_return_if_fail (ioc_geo_valid_lat_lon (latitude, longitude));

  if (self->has_location && self->latitude == latitude && self->longitude == longitude)
    return;
  set_location_internal (self, TRUE, latitude, longitude, TRUE);
}

void
ioc_location_picker_clear_location (IocLocationPicker *self)
{
  g_return_if_fail (IOC_IS_LOCATION_PICKER (self));

  if (!self->has_location)
    return;
  set_location_internal (self, FALSE, 0, 0, FALSE);
}

gboolean
ioc_location_picker_get_has_location (IocLocationPicker *self)
{
  g_return_val_if_fail (IOC_IS_LOCATION_PICKER (self), FALSE);
  return self->has_location;
}

double
ioc_location_picker_get_latitude (IocLocationPicker *self)
{
  g_return_val_if_fail (IOC_IS_LOCATION_PICKER (self), 0);
  return self->latitude;
}

double
ioc_location_picker_get_longitude (IocLocationPicker *self)
{
  g_return_val_if_fail (IOC_IS_LOCATION_PICKER (self), 0);
  return self->longitude;
}

gboolean
ioc_location_picker_is_in_city (IocLocationPicker *self,
                                double             latitude,
                                double             longitude)
{
  /* Before the boundary arrives: the city of 2025 (Cần Thơ with the former
   * Hậu Giang and Sóc Trăng) lies well inside this box. */
  IocBBox box = { 105.2, 9.2, 106.4, 10.45 };

  g_return_val_if_fail (IOC_IS_LOCATION_PICKER (self), FALSE);

  if (self->has_city_box)
    box = self->city_box;
  return latitude >= box.min_lat - CITY_MARGIN && latitude <= box.max_lat + CITY_MARGIN &&
         longitude >= box.min_lon - CITY_MARGIN && longitude <= box.max_lon + CITY_MARGIN;
}

guint
ioc_location_picker_get_n_boundaries (IocLocationPicker *self)
{
  g_return_val_if_fail (IOC_IS_LOCATION_PICKER (self), 0);
  return self->n_boundaries;
}

ShumateViewport *
ioc_location_picker_get_viewport (IocLocationPicker *self)
{
  g_return_val_if_fail (IOC_IS_LOCATION_PICKER (self), NULL);
  return self->viewport;
}

GtkWidget *
ioc_location_picker_new (void)
{
  return g_object_new (IOC_TYPE_LOCATION_PICKER, NULL);
}

/* GObject */

static void
ioc_location_picker_dispose (GObject *object)
{
  IocLocationPicker *self = IOC_LOCATION_PICKER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->fit_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->fit_id);
      self->fit_id = 0;
    }
  g_clear_pointer (&self->overlay, gtk_widget_unparent);
  g_clear_object (&self->reference);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->tile_source, g_free);

  G_OBJECT_CLASS (ioc_location_picker_parent_class)->dispose (object);
}

static void
ioc_location_picker_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  IocLocationPicker *self = IOC_LOCATION_PICKER (object);

  switch (prop_id)
    {
    case PROP_LATITUDE:
      g_value_set_double (value, self->latitude);
      break;
    case PROP_LONGITUDE:
      g_value_set_double (value, self->longitude);
      break;
    case PROP_HAS_LOCATION:
      g_value_set_boolean (value, self->has_location);
      break;
    case PROP_TILE_SOURCE:
      g_value_set_string (value, ioc_location_picker_get_tile_source (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_location_picker_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  IocLocationPicker *self = IOC_LOCATION_PICKER (object);

  switch (prop_id)
    {
    case PROP_LATITUDE:
      if (self->has_location)
        ioc_location_picker_set_location (self, g_value_get_double (value), self->longitude);
      else
        {
          /* Not a location until both halves are set: keep the half. */
          self->latitude = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_LONGITUDE:
      if (self->has_location)
        ioc_location_picker_set_location (self, self->latitude, g_value_get_double (value));
      else
        {
          self->longitude = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_HAS_LOCATION:
      if (!g_value_get_boolean (value))
        ioc_location_picker_clear_location (self);
      else if (ioc_geo_valid_lat_lon (self->latitude, self->longitude))
        set_location_internal (self, TRUE, self->latitude, self->longitude, TRUE);
      break;
    case PROP_TILE_SOURCE:
      ioc_location_picker_set_tile_source (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_location_picker_class_init (IocLocationPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = ioc_location_picker_dispose;
  object_class->get_property = ioc_location_picker_get_property;
  object_class->set_property = ioc_location_picker_set_property;

  properties[PROP_LATITUDE] = g_param_spec_double ("latitude", NULL, NULL, -90, 90, 0, flags);
  properties[PROP_LONGITUDE] = g_param_spec_double ("longitude", NULL, NULL, -180, 180, 0, flags);
  properties[PROP_HAS_LOCATION] = g_param_spec_boolean ("has-location", NULL, NULL, FALSE, flags);
  properties[PROP_TILE_SOURCE] = g_param_spec_string ("tile-source", NULL, NULL, "", flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ioclocationpicker");
}

static void
ioc_location_picker_init (IocLocationPicker *self)
{
  GtkGesture *click;
  GtkWidget *pin_area;

  self->cancellable = g_cancellable_new ();

  self->map = shumate_map_new ();
  self->viewport = shumate_map_get_viewport (self->map);
  /* The viewport needs a projection and tile size to turn clicks into
   * places even when no tiles are drawn; this source never downloads
   * anything, as no map layer uses it. */
  self->reference = SHUMATE_MAP_SOURCE (shumate_raster_renderer_new_full_from_url ("ioc-none", "", "", "", 0, 19, 256,
                                                                                   SHUMATE_MAP_PROJECTION_MERCATOR,
                                                                                   ""));
  shumate_viewport_set_reference_map_source (self->viewport, self->reference);
  shumate_viewport_set_min_zoom_level (self->viewport, 6);
  shumate_viewport_set_max_zoom_level (self->viewport, 19);
  shumate_viewport_set_zoom_level (self->viewport, OVERVIEW_ZOOM);
  shumate_map_center_on (self->map, CITY_CENTRE_LAT, CITY_CENTRE_LON);

  self->districts_layer = ioc_boundary_layer_new (self->viewport);
  ioc_boundary_layer_set_line_width (self->districts_layer, 1.0);
  shumate_map_add_layer (self->map, SHUMATE_LAYER (self->districts_layer));
  self->city_layer = ioc_boundary_layer_new (self->viewport);
  ioc_boundary_layer_set_line_width (self->city_layer, 2.5);
  shumate_map_add_layer (self->map, SHUMATE_LAYER (self->city_layer));

  self->marker_layer = shumate_marker_layer_new (self->viewport);
  shumate_map_add_layer (self->map, SHUMATE_LAYER (self->marker_layer));
  pin_area = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (pin_area), 22);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (pin_area), 22);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (pin_area), draw_pin, NULL, NULL);
  self->pin = shumate_marker_new ();
  shumate_marker_set_child (self->pin, pin_area);
  gtk_widget_set_visible (GTK_WIDGET (self->pin), FALSE);
  shumate_marker_layer_add_marker (self->marker_layer, self->pin);

  /* A click, not a drag: GtkGestureClick gives up when the pointer moves. */
  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (on_click_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->map), GTK_EVENT_CONTROLLER (click));

  self->attribution_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_ellipsize (self->attribution_label, PANGO_ELLIPSIZE_END);
  gtk_widget_set_halign (GTK_WIDGET (self->attribution_label), GTK_ALIGN_END);
  gtk_widget_set_valign (GTK_WIDGET (self->attribution_label), GTK_ALIGN_END);
  gtk_widget_set_margin_end (GTK_WIDGET (self->attribution_label), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->attribution_label), 4);
  gtk_widget_add_css_class (GTK_WIDGET (self->attribution_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->attribution_label), "dim-label");
  gtk_widget_set_visible (GTK_WIDGET (self->attribution_label), FALSE);

  self->overlay = gtk_overlay_new ();
  gtk_overlay_set_child (GTK_OVERLAY (self->overlay), GTK_WIDGET (self->map));
  gtk_overlay_add_overlay (GTK_OVERLAY (self->overlay), GTK_WIDGET (self->attribution_label));
  /* The plain background of a map without tiles. */
  gtk_widget_add_css_class (self->overlay, "view");
  gtk_widget_set_overflow (self->overlay, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_parent (self->overlay, GTK_WIDGET (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Map: click to place the report's location"), -1);
}
