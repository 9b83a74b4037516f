/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <shumate/shumate.h>

G_BEGIN_DECLS

/*
 * Where the map's layers draw: the viewport's Web Mercator world scaled to
 * the zoom and shifted so that the viewport's centre is the layer's centre.
 * A point in world units (ioc_mercator_from_lat_lon()) is at
 * (x × scale − offset_x, y × scale − offset_y) before the rotation, which a
 * layer applies to its whole snapshot around the centre.
 */
typedef struct {
  double scale;       /* world units → pixels */
  double offset_x;
  double offset_y;
  double width;
  double height;
  double rotation;    /* radians, clockwise */
  double zoom;
} IocMapTransform;

void     ioc_map_transform_init          (IocMapTransform *transform,
                                          ShumateLayer    *layer);
/* The layer's coordinates (rotation included) of a location, and back. */
void     ioc_map_transform_to_widget     (const IocMapTransform *transform,
                                          double                 lat,
                                          double                 lon,
                                          double                *x,
                                          double                *y);
void     ioc_map_transform_to_location   (const IocMapTransform *transform,
                                          double                 x,
                                          double                 y,
                                          double                *lat,
                                          double                *lon);
/* The bbox of what is in view (the rotated view's bounding box), grown by
 * @margin_px on each side. */
void     ioc_map_transform_visible_bbox  (const IocMapTransform *transform,
                                          double                 margin_px,
                                          double                *min_lat,
                                          double                *min_lon,
                                          double                *max_lat,
                                          double                *max_lon);
/* Pushes the rotation around the centre on @snapshot; pop with
 * gtk_snapshot_restore(). */
void     ioc_map_transform_push_rotation (const IocMapTransform *transform,
                                          GtkSnapshot           *snapshot);
/* A texture of an ARGB32 image surface's pixels, in the format the cairo
 * renderer copies fastest. */
GdkTexture *ioc_map_texture_new_for_surface (cairo_surface_t *surface);
/* Whether @widget is drawn by GTK's cairo renderer (the software path),
 * where the layers draw some things their own way. */
gboolean    ioc_map_renderer_is_cairo       (GtkWidget       *widget);

/*
 * Polygons from GeoJSON (a city boundary, districts, communes) drawn as
 * outlines in the layer's own snapshot, with the features' names as labels
 * when there is room for them, and optionally filled per feature (a
 * choropleth). The outline takes three quarters of the CSS colour of the
 * layer (CSS node "iocboundarylayer") over the view's background, opaque;
 * features are named by their "code" property (or their id).
 */

#define IOC_TYPE_BOUNDARY_LAYER (ioc_boundary_layer_get_type ())
G_DECLARE_FINAL_TYPE (IocBoundaryLayer, ioc_boundary_layer, IOC, BOUNDARY_LAYER, ShumateLayer)

IocBoundaryLayer *ioc_boundary_layer_new             (ShumateViewport  *viewport);
/* Replaces the features by those of @feature_collection (a GeoJSON
 * FeatureCollection; features that are not Polygon or MultiPolygon are
 * skipped); @labels: draw each feature's "name" property. NULL clears. */
void              ioc_boundary_layer_set_geojson     (IocBoundaryLayer *self,
                                                      JsonNode         *feature_collection,
                                                      gboolean          labels);
guint             ioc_boundary_layer_get_n_features  (IocBoundaryLayer *self);
/* The collection's "attribution" member, else its "source", or NULL. */
const char       *ioc_boundary_layer_get_attribution (IocBoundaryLayer *self);
/* Outline width in pixels (default 1.5). */
void              ioc_boundary_layer_set_line_width  (IocBoundaryLayer *self,
                                                      double            width);
/* Labels are drawn from this zoom level up (default 9). */
void              ioc_boundary_layer_set_label_zoom  (IocBoundaryLayer *self,
                                                      double            zoom);
/* Fills the feature @code with @fill, or stops filling it when @fill is
 * NULL. */
void              ioc_boundary_layer_set_fill        (IocBoundaryLayer *self,
                                                      const char       *code,
                                                      const GdkRGBA    *fill);
void              ioc_boundary_layer_clear_fills     (IocBoundaryLayer *self);
/* The code of the feature under the layer's point (@x, @y), or NULL. */
const char       *ioc_boundary_layer_feature_at      (IocBoundaryLayer *self,
                                                      double            x,
                                                      double            y);
/* The name of feature @code, or NULL. */
const char       *ioc_boundary_layer_get_feature_name (IocBoundaryLayer *self,
                                                       const char       *code);
/* The code of the feature named @name (compared without case and
 * diacritics: "Thuỷ" and "Thủy" match), or NULL. */
const char       *ioc_boundary_layer_find_by_name    (IocBoundaryLayer *self,
                                                      const char       *name);
/* How many labels, and outline segments, the latest frame drew. */
guint             ioc_boundary_layer_get_n_labels_drawn (IocBoundaryLayer *self);
guint             ioc_boundary_layer_get_n_segments_drawn (IocBoundaryLayer *self);

G_END_DECLS
