/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ioc-boundary-layer.h"
#include "ioc-choropleth-layer.h"
#include "ioc-map-view.h"
#include "ioc-scale-bar.h"
#include "ioc-station-layer.h"
#include "ioc-task-layer.h"
#include "ioc-task-object.h"

/* Cần Thơ */
#define HOME_LAT 10.03
#define HOME_LON 105.75
#define HOME_ZOOM 10.0
#define SELECT_ZOOM 16.0
#define MAX_ZOOM 19

/* ---- A map source that draws nothing -------------------------------------
 * The viewport converts coordinates through a reference source; with no
 * tile server the map still needs one, and it must never fetch. */

#define IOC_TYPE_BLANK_SOURCE (ioc_blank_source_get_type ())
G_DECLARE_FINAL_TYPE (IocBlankSource, ioc_blank_source, IOC, BLANK_SOURCE, ShumateMapSource)

struct _IocBlankSource
{
  ShumateMapSource parent_instance;
};

G_DEFINE_FINAL_TYPE (IocBlankSource, ioc_blank_source, SHUMATE_TYPE_MAP_SOURCE)

static void
ioc_blank_source_fill_tile_async (ShumateMapSource    *source,
                                  ShumateTile         *tile,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);

  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "No tiles");
}

static gboolean
ioc_blank_source_fill_tile_finish (ShumateMapSource  *source,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
ioc_blank_source_class_init (IocBlankSourceClass *klass)
{
  SHUMATE_MAP_SOURCE_CLASS (klass)->fill_tile_async = ioc_blank_source_fill_tile_async;
  SHUMATE_MAP_SOURCE_CLASS (klass)->fill_tile_finish = ioc_blank_source_fill_tile_finish;
}

static void
ioc_blank_source_init (IocBlankSource *self)
{
}

static ShumateMapSource *
blank_source_new (void)
{
  return g_object_new (IOC_TYPE_BLANK_SOURCE,
                       "id", "none", "name", "none",
                       "min-zoom-level", 0, "max-zoom-level", MAX_ZOOM,
                       "tile-size", 256,
                       "projection", SHUMATE_MAP_PROJECTION_MERCATOR,
                       NULL);
}

/* ---- Tiles from iocd -----------------------------------------------------
 * /tiles/… needs the session's token and the pinned certificate, which
 * only the client's own SoupSession has. */

#define IOC_TYPE_SERVER_TILES (ioc_server_tiles_get_type ())
G_DECLARE_FINAL_TYPE (IocServerTiles, ioc_server_tiles, IOC, SERVER_TILES, ShumateDataSource)

struct _IocServerTiles
{
  ShumateDataSource  parent_instance;
  IocClient         *client;
  char              *template;
};

G_DEFINE_FINAL_TYPE (IocServerTiles, ioc_server_tiles, SHUMATE_TYPE_DATA_SOURCE)

static void
server_tile_read_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (bytes == NULL)
    g_task_return_error (task, error);
  else if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "HTTP %u", soup_message_get_status (msg));
  else
    g_task_return_pointer (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
}

static void
ioc_server_tiles_get_tile_data_async (ShumateDataSource   *source,
                                      int                  x,
                                      int                  y,
                                      int                  zoom_level,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  IocServerTiles *self = IOC_SERVER_TILES (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GString) uri = g_string_new (ioc_client_get_base_uri (self->client));
  g_autofree char *xs = g_strdup_printf ("%d", x);
  g_autofree char *ys = g_strdup_printf ("%d", y);
  g_autofree char *zs = g_strdup_printf ("%d", zoom_level);
  g_autofree char *auth = NULL;
  SoupMessage *msg;

  g_string_append (uri, self->template);
  g_string_replace (uri, "{x}", xs, 0);
  g_string_replace (uri, "{y}", ys, 0);
  g_string_replace (uri, "{z}", zs, 0);
  msg = soup_message_new (SOUP_METHOD_GET, uri->str);
  if (msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Bad tile address");
      return;
    }
  auth = g_strdup_printf ("Bearer %s", ioc_client_get_token (self->client));
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  g_task_set_task_data (task, msg, g_object_unref);
  soup_session_send_and_read_async (ioc_client_get_session (self->client), msg, G_PRIORITY_LOW,
                                    cancellable, server_tile_read_cb, g_steal_pointer (&task));
}

static GBytes *
ioc_server_tiles_get_tile_data_finish (ShumateDataSource  *source,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
ioc_server_tiles_finalize (GObject *object)
{
  IocServerTiles *self = IOC_SERVER_TILES (object);

  g_clear_object (&self->client);
  g_free (self->template);

  G_OBJECT_CLASS (ioc_server_tiles_parent_class)->finalize (object);
}

static void
ioc_server_tiles_class_init (IocServerTilesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ioc_server_tiles_finalize;
  SHUMATE_DATA_SOURCE_CLASS (klass)->get_tile_data_async = ioc_server_tiles_get_tile_data_async;
  SHUMATE_DATA_SOURCE_CLASS (klass)->get_tile_data_finish = ioc_server_tiles_get_tile_data_finish;
}

static void
ioc_server_tiles_init (IocServerTiles *self)
{
}

/* ---- The view ----------------------------------------------------------- */

struct _IocMapView
{
  GtkWidget          parent_instance;

  GtkOverlay        *overlay;
  ShumateMap        *map;
  IocScaleBar       *scale;
  GtkLabel          *attribution_label;
  GtkLabel          *status_label;
  GtkCheckButton    *tasks_check;
  GtkCheckButton    *stations_check;
  GtkCheckButton    *boundaries_check;
  GtkCheckButton    *choropleth_check;
  GtkDropDown       *indicator_dropdown;
  GtkLabel          *choropleth_label;
  GtkFlowBox        *state_legend;
  GtkBox            *station_legend;
  GtkEntry          *tile_entry;

  ShumateViewport   *viewport;
  ShumateMapSource  *blank;
  ShumateMapLayer   *base_layer;
  IocBoundaryLayer  *choropleth_layer;
  IocBoundaryLayer  *district_layer;
  IocBoundaryLayer  *city_layer;
  IocStationLayer   *station_layer;
  IocTaskLayer      *task_layer;

  IocClient         *client;
  GCancellable      *cancellable;
  GSettings         *settings;
  GHashTable        *communes;       /* code → IocCommune */
  GPtrArray         *indicator_codes;
  char              *choropleth_code;
  IocChoroplethSummary choropleth;
  guint              loaded_boundaries;
  gboolean           loaded_stations;
  gboolean           loaded_choropleth;
  guint              stations_timeout;
  char              *base_license;
};

G_DEFINE_FINAL_TYPE (IocMapView, ioc_map_view, GTK_TYPE_WIDGET)

enum {
  TASK_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_attribution (IocMapView *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *boundaries = ioc_boundary_layer_get_attribution (self->district_layer);

  if (boundaries == NULL)
    boundaries = ioc_boundary_layer_get_attribution (self->city_layer);
  if (self->base_license != NULL && *self->base_license)
    g_string_append (text, self->base_license);
  if (boundaries != NULL && gtk_widget_get_visible (GTK_WIDGET (self->city_layer)))
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      /* The server's own words: source and licence, as it must be shown. */
      g_string_append (text, boundaries);
    }
  gtk_label_set_text (self->attribution_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->attribution_label), text->len > 0);
}

static void
show_status (IocMapView *self,
             const char *message)
{
  gtk_label_set_text (self->status_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), message != NULL);
}

/* ---- Base map ----------------------------------------------------------- */

static void
set_tile_source (IocMapView *self,
                 const char *template)
{
  g_autoptr(ShumateMapSource) source = NULL;

  if (self->base_layer != NULL)
    {
      shumate_map_remove_layer (self->map, SHUMATE_LAYER (self->base_layer));
      self->base_layer = NULL;
    }
  g_clear_pointer (&self->base_license, g_free);

  if (template == NULL || *template == '\0')
    {
      /* A plain themed background: nothing is fetched from anywhere. */
      shumate_viewport_set_reference_map_source (self->viewport, self->blank);
      update_attribution (self);
      return;
    }

  if (template[0] == '/')
    {
      IocServerTiles *tiles;

      if (self->client == NULL)
        {
          shumate_viewport_set_reference_map_source (self->viewport, self->blank);
          update_attribution (self);
          return;
        }
      tiles = g_object_new (IOC_TYPE_SERVER_TILES, NULL);
      tiles->client = g_object_ref (self->client);
      tiles->template = g_strdup (template);
      source = SHUMATE_MAP_SOURCE (shumate_raster_renderer_new (SHUMATE_DATA_SOURCE (tiles)));
      g_object_unref (tiles);
      shumate_map_source_set_max_zoom_level (source, MAX_ZOOM);
    }
  else
    {
      gboolean osm = strstr (template, "openstreetmap.org") != NULL;

      source = SHUMATE_MAP_SOURCE (shumate_raster_renderer_new_full_from_url (
        "custom", "custom", osm ? "© OpenStreetMap contributors" : NULL,
        osm ? "https://www.openstreetmap.org/copyright" : NULL,
        0, MAX_ZOOM, 256, SHUMATE_MAP_PROJECTION_MERCATOR, template));
      self->base_license = g_strdup (shumate_map_source_get_license (source));
    }

  shumate_viewport_set_reference_map_source (self->viewport, source);
  self->base_layer = shumate_map_layer_new (source, self->viewport);
  shumate_map_insert_layer_behind (self->map, SHUMATE_LAYER (self->base_layer),
                                   SHUMATE_LAYER (self->choropleth_layer));
  update_attribution (self);
}

static void
on_tile_source_changed_cb (GSettings  *settings,
                           const char *key,
                           IocMapView *self)
{
  g_autofree char *template = g_settings_get_string (settings, "tile-source");

  gtk_editable_set_text (GTK_EDITABLE (self->tile_entry), template);
  set_tile_source (self, template);
}

static void
apply_tile_source (IocMapView *self,
                   const char *template)
{
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "tile-source", template);
  else
    set_tile_source (self, template);
}

static void
on_tile_entry_activate_cb (IocMapView *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->tile_entry))));

  apply_tile_source (self, text);
}

static void
tile_source_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  IocMapView *self = IOC_MAP_VIEW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->tile_entry), g_variant_get_string (parameter, NULL));
  apply_tile_source (self, g_variant_get_string (parameter, NULL));
}

/* ---- Loading ------------------------------------------------------------ */

typedef struct {
  IocMapView *self;       /* weak: the cancellable outlives no view */
  char       *what;
} Request;

static void
request_free (Request *request)
{
  g_free (request->what);
  g_free (request);
}

static const char *
error_text (GError *error)
{
  if (g_error_matches (error, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_NETWORK))
    return _("The map could not reach the server. It will try again with the next change.");
  return _("Part of the map could not be loaded from the server.");
}

static void
layer_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  IocMapView *self = request->self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      request_free (request);
      return;
    }
  if (node == NULL)
    {
      g_debug ("Map layer %s not loaded: %s", request->what, error->message);
      show_status (self, error_text (error));
      request_free (request);
      return;
    }

  ioc_map_view_set_layer_data (self, request->what, node);
  request_free (request);
}

void
ioc_map_view_set_layer_data (IocMapView *self,
                             const char *name,
                             JsonNode   *node)
{
  g_return_if_fail (IOC_IS_MAP_VIEW (self));
  g_return_if_fail (name != NULL && node != NULL);

  if (g_str_equal (name, "city-boundary"))
    {
      ioc_boundary_layer_set_geojson (self->city_layer, node, FALSE);
      self->loaded_boundaries++;
    }
  else if (g_str_equal (name, "former-districts"))
    {
      ioc_boundary_layer_set_geojson (self->district_layer, node, TRUE);
      ioc_boundary_layer_set_geojson (self->choropleth_layer, node, FALSE);
      self->loaded_boundaries++;
    }
  else if (g_str_equal (name, "stations"))
    {
      ioc_station_layer_set_geojson (self->station_layer, node);
      self->loaded_stations = TRUE;
    }
  update_attribution (self);
}

static void
load_layer (IocMapView *self,
            const char *name)
{
  Request *request = g_new0 (Request, 1);
  g_autofree char *path = g_strdup_printf ("/api/v1/layers/%s", name);

  request->self = self;
  request->what = g_strdup (name);
  ioc_client_get_json_async (self->client, path, self->cancellable, layer_loaded_cb, request);
}

static void
apply_choropleth_data (IocMapView *self,
                       JsonNode   *series)
{
  g_autofree char *text = NULL;

  ioc_choropleth_apply (self->choropleth_layer, series, self->communes, &self->choropleth);
  self->loaded_choropleth = TRUE;
  if (self->choropleth.n_areas == 0)
    text = g_strdup (_("This indicator has no values per commune."));
  else
    /* TRANSLATORS: under the choropleth: the range of values, how many
     * communes were counted, and how many were left out because they were
     * formed from parts of several former districts. */
    text = g_strdup_printf (_("From %.4g to %.4g, mean of %u communes; %u communes formed from several former districts are left out."),
                            self->choropleth.min, self->choropleth.max,
                            self->choropleth.n_communes, self->choropleth.n_skipped);
  gtk_label_set_text (self->choropleth_label, text);
}

static void
series_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Request *request = user_data;
  IocMapView *self = request->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      request_free (request);
      return;
    }
  if (g_strcmp0 (request->what, self->choropleth_code) == 0)
    {
      if (node == NULL)
        {
          gtk_label_set_text (self->choropleth_label, error_text (error));
          ioc_boundary_layer_clear_fills (self->choropleth_layer);
        }
      else
        apply_choropleth_data (self, node);
    }
  request_free (request);
}

static void
load_choropleth (IocMapView *self)
{
  Request *request;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  self->loaded_choropleth = FALSE;
  ioc_boundary_layer_clear_fills (self->choropleth_layer);
  gtk_label_set_text (self->choropleth_label, "");
  if (self->client == NULL || self->choropleth_code == NULL || self->communes == NULL)
    return;

  escaped = g_uri_escape_string (self->choropleth_code, NULL, TRUE);
  /* One point is enough: the latest value of each commune. */
  path = g_strdup_printf ("/api/v1/indicators/%s/series?area=*&points=2", escaped);
  request = g_new0 (Request, 1);
  request->self = self;
  request->what = g_strdup (self->choropleth_code);
  ioc_client_get_json_async (self->client, path, self->cancellable, series_loaded_cb, request);
}

static void
communes_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Request *request = user_data;
  IocMapView *self = request->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  JsonArray *list;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      request_free (request);
      return;
    }
  request_free (request);
  list = ioc_json_get_array_member (node, "communes");
  if (list == NULL)
    return;

  g_clear_pointer (&self->communes, g_hash_table_unref);
  self->communes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ioc_commune_unref);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *object = json_array_get_object_element (list, i);
      IocCommune *commune = object != NULL ? ioc_commune_from_json (object, NULL) : NULL;

      if (commune != NULL)
        g_hash_table_replace (self->communes, g_strdup (commune->code), commune);
    }
  load_choropleth (self);
}

static void
on_indicator_selected_cb (IocMapView *self)
{
  guint position = gtk_drop_down_get_selected (self->indicator_dropdown);

  if (self->indicator_codes == NULL || position >= self->indicator_codes->len)
    return;
  ioc_map_view_set_choropleth_indicator (self, g_ptr_array_index (self->indicator_codes, position));
}

static void
indicators_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Request *request = user_data;
  IocMapView *self = request->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  gboolean vietnamese = g_str_has_prefix (g_get_language_names ()[0], "vi");
  JsonArray *list;
  guint selected = GTK_INVALID_LIST_POSITION;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      request_free (request);
      return;
    }
  request_free (request);
  list = ioc_json_get_array_member (node, "indicators");
  if (list == NULL)
    return;

  g_clear_pointer (&self->indicator_codes, g_ptr_array_unref);
  self->indicator_codes = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *object = json_array_get_object_element (list, i);
      const char *code, *name;

      if (object == NULL || (code = json_object_get_string_member_with_default (object, "code", NULL)) == NULL)
        continue;
      name = json_object_get_string_member_with_default (object, vietnamese ? "name_vi" : "name_en", code);
      if (g_strcmp0 (code, self->choropleth_code) == 0)
        selected = self->indicator_codes->len;
      g_ptr_array_add (self->indicator_codes, g_strdup (code));
      gtk_string_list_append (names, name);
    }
  g_signal_handlers_block_by_func (self->indicator_dropdown, on_indicator_selected_cb, self);
  gtk_drop_down_set_model (self->indicator_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->indicator_dropdown, selected);
  g_signal_handlers_unblock_by_func (self->indicator_dropdown, on_indicator_selected_cb, self);
}

static void
load_reference (IocMapView *self,
                const char *path,
                GAsyncReadyCallback callback)
{
  Request *request = g_new0 (Request, 1);

  request->self = self;
  request->what = g_strdup (path);
  ioc_client_get_json_async (self->client, path, self->cancellable, callback, request);
}

/* ---- Layers ------------------------------------------------------------- */

static GtkWidget *
layer_widget (IocMapView *self,
              const char *layer,
              GtkCheckButton **check)
{
  if (g_strcmp0 (layer, "boundaries") == 0)
    return *check = self->boundaries_check, GTK_WIDGET (self->city_layer);
  if (g_strcmp0 (layer, "tasks") == 0)
    return *check = self->tasks_check, GTK_WIDGET (self->task_layer);
  if (g_strcmp0 (layer, "stations") == 0)
    return *check = self->stations_check, GTK_WIDGET (self->station_layer);
  if (g_strcmp0 (layer, "choropleth") == 0)
    return *check = self->choropleth_check, GTK_WIDGET (self->choropleth_layer);
  return NULL;
}

static void
on_layer_check_toggled_cb (GtkCheckButton *check,
                           IocMapView     *self)
{
  gboolean active = gtk_check_button_get_active (check);

  if (check == self->boundaries_check)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->city_layer), active);
      gtk_widget_set_visible (GTK_WIDGET (self->district_layer), active);
      update_attribution (self);
    }
  else if (check == self->tasks_check)
    gtk_widget_set_visible (GTK_WIDGET (self->task_layer), active);
  else if (check == self->stations_check)
    gtk_widget_set_visible (GTK_WIDGET (self->station_layer), active);
  else if (check == self->choropleth_check)
    gtk_widget_set_visible (GTK_WIDGET (self->choropleth_layer), active);
}

static void
draw_swatch_cb (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        data)
{
  GdkRGBA *color = data;
  gboolean square = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (area), "square"));

  if (square)
    cairo_rectangle (cr, 1, 1, width - 2, height - 2);
  else
    cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0 - 1, 0, 2 * G_PI);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_fill (cr);
}

static GtkWidget *
legend_entry (const GdkRGBA *color,
              const char    *label,
              gboolean       square)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *swatch = gtk_drawing_area_new ();
  GtkWidget *text = gtk_label_new (label);

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 10);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 10);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (swatch), "square", GINT_TO_POINTER (square));
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch_cb,
                                  gdk_rgba_copy (color), (GDestroyNotify) gdk_rgba_free);
  gtk_widget_add_css_class (text, "caption");
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), text);
  return box;
}

static void
build_legends (IocMapView *self)
{
  static const char *level_labels[] = {
    /* TRANSLATORS: legend of sensor stations: no alarm level reached */
    N_("Normal"),
    /* TRANSLATORS: legend of sensor stations: alarm levels I, II, III */
    N_("Level I"), N_("Level II"), N_("Level III"),
  };

  for (int s = 0; s < IOC_N_TASK_STATES; s++)
    {
      GdkRGBA color;

      ioc_task_layer_get_state_color (self->task_layer, s, &color);
      gtk_flow_box_append (self->state_legend, legend_entry (&color, ioc_task_state_get_label (s), FALSE));
    }
  for (int level = 0; level <= 3; level++)
    {
      GdkRGBA color;

      ioc_station_layer_get_level_color (level, &color);
      gtk_box_append (self->station_legend, legend_entry (&color, _(level_labels[level]), TRUE));
    }
}

/* ---- Clicks ------------------------------------------------------------- */

static void
fit_bbox (IocMapView    *self,
          const IocBBox *bbox)
{
  double x0, y0, x1, y1;
  double width = gtk_widget_get_width (GTK_WIDGET (self->map));
  double height = gtk_widget_get_height (GTK_WIDGET (self->map));
  double current = shumate_viewport_get_zoom_level (self->viewport);
  double zoom, span_x, span_y, lat, lon;

  ioc_mercator_from_lat_lon (bbox->max_lat, bbox->min_lon, &x0, &y0);
  ioc_mercator_from_lat_lon (bbox->min_lat, bbox->max_lon, &x1, &y1);
  span_x = MAX (x1 - x0, 1e-12) * 256.0;
  span_y = MAX (y1 - y0, 1e-12) * 256.0;
  /* The box fills at most 80 % of the view, and the map zooms in at
   * least one level, so that the cluster does split. */
  zoom = log2 (MIN (width * 0.8 / span_x, height * 0.8 / span_y));
  zoom = CLAMP (MAX (zoom, floor (current) + 1.0), 0.0, MAX_ZOOM);
  ioc_mercator_to_lat_lon ((x0 + x1) / 2.0, (y0 + y1) / 2.0, &lat, &lon);

  shumate_map_stop_go_to (self->map);
  shumate_viewport_set_zoom_level (self->viewport, zoom);
  shumate_location_set_location (SHUMATE_LOCATION (self->viewport), lat, lon);
}

void
ioc_map_view_activate_at (IocMapView *self,
                          double      x,
                          double      y)
{
  gint64 id = 0;
  IocBBox bbox;

  g_return_if_fail (IOC_IS_MAP_VIEW (self));

  if (!gtk_widget_get_visible (GTK_WIDGET (self->task_layer)))
    return;

  switch (ioc_task_layer_pick (self->task_layer, x, y, &id, &bbox))
    {
    case IOC_TASK_LAYER_HIT_TASK:
      ioc_task_layer_set_selected (self->task_layer, id);
      g_signal_emit (self, signals[TASK_ACTIVATED], 0, id);
      break;
    case IOC_TASK_LAYER_HIT_CLUSTER:
      if (shumate_viewport_get_zoom_level (self->viewport) >= MAX_ZOOM)
        {
          /* Tasks at the very same spot: the nearest opens. */
          double lat, lon;

          shumate_viewport_widget_coords_to_location (self->viewport, GTK_WIDGET (self->map), x, y, &lat, &lon);
          id = ioc_spatial_index_nearest (ioc_task_layer_get_index (self->task_layer), lat, lon, MAX_ZOOM, 64);
          if (id != 0)
            {
              ioc_task_layer_set_selected (self->task_layer, id);
              g_signal_emit (self, signals[TASK_ACTIVATED], 0, id);
            }
        }
      else
        fit_bbox (self, &bbox);
      break;
    case IOC_TASK_LAYER_HIT_NONE:
    default:
      break;
    }
}

static void
on_click_released_cb (GtkGestureClick *gesture,
                      int              n_press,
                      double           x,
                      double           y,
                      IocMapView      *self)
{
  if (n_press == 1)
    ioc_map_view_activate_at (self, x, y);
}

static gboolean
on_query_tooltip_cb (GtkWidget  *widget,
                     int         x,
                     int         y,
                     gboolean    keyboard,
                     GtkTooltip *tooltip,
                     IocMapView *self)
{
  const char *code;
  g_autofree char *text = NULL;

  if (gtk_widget_get_visible (GTK_WIDGET (self->choropleth_layer)) &&
      (code = ioc_boundary_layer_feature_at (self->choropleth_layer, x, y)) != NULL)
    {
      const char *name = ioc_boundary_layer_get_feature_name (self->choropleth_layer, code);

      gtk_tooltip_set_text (tooltip, name);
      return name != NULL;
    }
  return FALSE;
}

/* ---- GObject ------------------------------------------------------------ */

static void
ioc_map_view_dispose (GObject *object)
{
  IocMapView *self = IOC_MAP_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->stations_timeout, g_source_remove);
  if (self->task_layer != NULL)
    ioc_task_layer_set_model (self->task_layer, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_MAP_VIEW);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_object (&self->blank);
  g_clear_pointer (&self->communes, g_hash_table_unref);
  g_clear_pointer (&self->indicator_codes, g_ptr_array_unref);
  g_clear_pointer (&self->choropleth_code, g_free);
  g_clear_pointer (&self->base_license, g_free);

  G_OBJECT_CLASS (ioc_map_view_parent_class)->dispose (object);
}

static void
ioc_map_view_class_init (IocMapViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_map_view_dispose;

  signals[TASK_ACTIVATED] =
    g_signal_new ("task-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  g_type_ensure (SHUMATE_TYPE_MAP);
  g_type_ensure (IOC_TYPE_SCALE_BAR);
  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-map-view.ui");
  gtk_widget_class_bind_template_child (widget_class, IocMapView, overlay);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, map);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, scale);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, attribution_label);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, status_label);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, tasks_check);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, stations_check);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, boundaries_check);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, choropleth_check);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, indicator_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, choropleth_label);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, state_legend);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, station_legend);
  gtk_widget_class_bind_template_child (widget_class, IocMapView, tile_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_tile_entry_activate_cb);

  gtk_widget_class_install_action (widget_class, "map.tile-source", "s", tile_source_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "iocmapview");
}

static void
ioc_map_view_init (IocMapView *self)
{
  GSettingsSchemaSource *schemas = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->viewport = shumate_map_get_viewport (self->map);
  self->blank = blank_source_new ();
  shumate_viewport_set_reference_map_source (self->viewport, self->blank);
  shumate_viewport_set_min_zoom_level (self->viewport, 3);
  ioc_scale_bar_set_viewport (self->scale, self->viewport);

  self->choropleth_layer = ioc_boundary_layer_new (self->viewport);
  ioc_boundary_layer_set_line_width (self->choropleth_layer, 0.0);
  gtk_widget_set_visible (GTK_WIDGET (self->choropleth_layer), FALSE);
  self->district_layer = ioc_boundary_layer_new (self->viewport);
  ioc_boundary_layer_set_line_width (self->district_layer, 1.0);
  self->city_layer = ioc_boundary_layer_new (self->viewport);
  ioc_boundary_layer_set_line_width (self->city_layer, 2.5);
  self->station_layer = ioc_station_layer_new (self->viewport);
  self->task_layer = ioc_task_layer_new (self->viewport);
  shumate_map_add_layer (self->map, SHUMATE_LAYER (self->choropleth_layer));
  shumate_map_add_layer (self->map, SHUMATE_LAYER (self->district_layer));
  shumate_map_add_layer (self->map, SHUMATE_LAYER (self->city_layer));
  shumate_map_add_layer (self->map, SHUMATE_LAYER (self->station_layer));
  shumate_map_add_layer (self->map, SHUMATE_LAYER (self->task_layer));

  shumate_map_center_on (self->map, HOME_LAT, HOME_LON);
  shumate_viewport_set_zoom_level (self->viewport, HOME_ZOOM);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (on_click_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->map), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->map), TRUE);
  g_signal_connect (self->map, "query-tooltip", G_CALLBACK (on_query_tooltip_cb), self);

  g_signal_connect (self->tasks_check, "toggled", G_CALLBACK (on_layer_check_toggled_cb), self);
  g_signal_connect (self->stations_check, "toggled", G_CALLBACK (on_layer_check_toggled_cb), self);
  g_signal_connect (self->boundaries_check, "toggled", G_CALLBACK (on_layer_check_toggled_cb), self);
  g_signal_connect (self->choropleth_check, "toggled", G_CALLBACK (on_layer_check_toggled_cb), self);
  g_signal_connect_swapped (self->indicator_dropdown, "notify::selected", G_CALLBACK (on_indicator_selected_cb), self);

  build_legends (self);

  /* The setting is the application's; a view without the schema installed
   * (a bare test) has no base map. */
  schema = schemas != NULL ? g_settings_schema_source_lookup (schemas, APP_ID, TRUE) : NULL;
  if (schema != NULL && g_settings_schema_has_key (schema, "tile-source"))
    {
      self->settings = g_settings_new (APP_ID);
      g_signal_connect (self->settings, "changed::tile-source", G_CALLBACK (on_tile_source_changed_cb), self);
      on_tile_source_changed_cb (self->settings, "tile-source", self);
    }
  update_attribution (self);
}

GtkWidget *
ioc_map_view_new (void)
{
  return g_object_new (IOC_TYPE_MAP_VIEW, NULL);
}

void
ioc_map_view_set_client (IocMapView *self,
                         IocClient  *client)
{
  g_return_if_fail (IOC_IS_MAP_VIEW (self));
  g_return_if_fail (client == NULL || IOC_IS_CLIENT (client));

  if (self->client == client)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->client, client);
  self->loaded_boundaries = 0;
  self->loaded_stations = FALSE;
  show_status (self, NULL);

  if (client == NULL)
    return;

  load_layer (self, "city-boundary");
  load_layer (self, "former-districts");
  load_layer (self, "stations");
  load_reference (self, "/api/v1/communes", communes_loaded_cb);
  load_reference (self, "/api/v1/indicators", indicators_loaded_cb);

  /* An iocd base map needs the client. */
  if (self->settings != NULL)
    on_tile_source_changed_cb (self->settings, "tile-source", self);
}

void
ioc_map_view_set_tasks (IocMapView *self,
                        GListModel *tasks)
{
  g_return_if_fail (IOC_IS_MAP_VIEW (self));

  ioc_task_layer_set_model (self->task_layer, tasks);
}

void
ioc_map_view_select_task (IocMapView *self,
                          gint64      id)
{
  double lat, lon;

  g_return_if_fail (IOC_IS_MAP_VIEW (self));

  ioc_task_layer_set_selected (self->task_layer, id);
  if (id == 0 || !ioc_task_layer_get_location (self->task_layer, id, &lat, &lon))
    return;

  shumate_map_stop_go_to (self->map);
  if (shumate_viewport_get_zoom_level (self->viewport) < SELECT_ZOOM)
    shumate_viewport_set_zoom_level (self->viewport, SELECT_ZOOM);
  shumate_location_set_location (SHUMATE_LOCATION (self->viewport), lat, lon);
}

static gboolean
reload_stations_cb (gpointer data)
{
  IocMapView *self = data;

  self->stations_timeout = 0;
  if (self->client != NULL)
    load_layer (self, "stations");
  return G_SOURCE_REMOVE;
}

void
ioc_map_view_apply_event (IocMapView *self,
                          IocEvent   *event)
{
  g_return_if_fail (IOC_IS_MAP_VIEW (self));
  g_return_if_fail (event != NULL);

  /* The model has applied it: the task's item changed in place. */
  if (event->task != NULL)
    ioc_task_layer_update_task (self->task_layer, event->task->id);

  if (g_strcmp0 (event->kind, IOC_EVENT_SENSOR_READINGS) == 0 && self->client != NULL)
    {
      /* Readings come in bursts: one reload for a burst. */
      if (self->stations_timeout == 0)
        self->stations_timeout = g_timeout_add (300, reload_stations_cb, self);
    }
  else if (g_strcmp0 (event->kind, IOC_EVENT_INDICATOR_OBSERVED) == 0 && self->choropleth_code != NULL)
    load_choropleth (self);
}

gboolean
ioc_map_view_get_layer_visible (IocMapView *self,
                                const char *layer)
{
  GtkCheckButton *check = NULL;
  GtkWidget *widget;

  g_return_val_if_fail (IOC_IS_MAP_VIEW (self), FALSE);

  widget = layer_widget (self, layer, &check);
  return widget != NULL && gtk_widget_get_visible (widget);
}

void
ioc_map_view_set_layer_visible (IocMapView *self,
                                const char *layer,
                                gboolean    visible)
{
  GtkCheckButton *check = NULL;

  g_return_if_fail (IOC_IS_MAP_VIEW (self));

  if (layer_widget (self, layer, &check) == NULL)
    {
      g_warning ("No map layer “%s”", layer);
      return;
    }
  /* Through the check button, so that the list shows the same. */
  gtk_check_button_set_active (check, visible);
}

void
ioc_map_view_set_choropleth_indicator (IocMapView *self,
                                       const char *code)
{
  g_return_if_fail (IOC_IS_MAP_VIEW (self));

  if (g_strcmp0 (self->choropleth_code, code) == 0)
    return;
  g_free (self->choropleth_code);
  self->choropleth_code = g_strdup (code);
  if (self->indicator_codes != NULL)
    for (guint i = 0; i < self->indicator_codes->len; i++)
      if (g_strcmp0 (g_ptr_array_index (self->indicator_codes, i), code) == 0)
        {
          g_signal_handlers_block_by_func (self->indicator_dropdown, on_indicator_selected_cb, self);
          gtk_drop_down_set_selected (self->indicator_dropdown, i);
          g_signal_handlers_unblock_by_func (self->indicator_dropdown, on_indicator_selected_cb, self);
        }
  load_choropleth (self);
}

ShumateViewport *
ioc_map_view_get_viewport (IocMapView *self)
{
  g_return_val_if_fail (IOC_IS_MAP_VIEW (self), NULL);

  return self->viewport;
}

ShumateMap *
ioc_map_view_get_map (IocMapView *self)
{
  g_return_val_if_fail (IOC_IS_MAP_VIEW (self), NULL);

  return self->map;
}

IocTaskLayer *
ioc_map_view_get_task_layer (IocMapView *self)
{
  g_return_val_if_fail (IOC_IS_MAP_VIEW (self), NULL);

  return self->task_layer;
}

gboolean
ioc_map_view_is_loaded (IocMapView *self,
                        const char *what)
{
  g_return_val_if_fail (IOC_IS_MAP_VIEW (self), FALSE);

  if (g_strcmp0 (what, "boundaries") == 0)
    return self->loaded_boundaries >= 2;
  if (g_strcmp0 (what, "stations") == 0)
    return self->loaded_stations;
  if (g_strcmp0 (what, "choropleth") == 0)
    return self->loaded_choropleth;
  return FALSE;
}

guint
ioc_map_view_get_n_stations_drawn (IocMapView *self)
{
  g_return_val_if_fail (IOC_IS_MAP_VIEW (self), 0);

  return ioc_station_layer_get_n_drawn (self->station_layer);
}

int
ioc_map_view_get_station_level (IocMapView *self,
                                const char *code)
{
  g_return_val_if_fail (IOC_IS_MAP_VIEW (self), -1);

  return ioc_station_layer_get_level (self->station_layer, code);
}

guint
ioc_map_view_get_n_choropleth_areas (IocMapView *self)
{
  g_return_val_if_fail (IOC_IS_MAP_VIEW (self), 0);

  return self->choropleth.n_areas;
}

const char *
ioc_map_view_get_attribution (IocMapView *self)
{
  g_return_val_if_fail (IOC_IS_MAP_VIEW (self), NULL);

  return gtk_label_get_text (self->attribution_label);
}
