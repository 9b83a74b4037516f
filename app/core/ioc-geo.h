/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  double min_lon, min_lat, max_lon, max_lat;
} IocBBox;

gboolean ioc_geo_valid_lat_lon   (double lat, double lon);
gboolean ioc_bbox_parse          (const char *text, IocBBox *bbox);
gboolean ioc_bbox_contains       (const IocBBox *bbox, double lat, double lon);

/* A GeoJSON Polygon or MultiPolygon geometry as rings of (lon, lat) pairs. */
typedef struct _IocGeoShape IocGeoShape;

IocGeoShape *ioc_geo_shape_new_from_geojson (JsonObject   *geometry,
                                             GError      **error);
void         ioc_geo_shape_free             (IocGeoShape *shape);
gboolean     ioc_geo_shape_contains         (const IocGeoShape *shape,
                                             double             lat,
                                             double             lon);
void         ioc_geo_shape_get_bbox         (const IocGeoShape *shape,
                                             IocBBox           *bbox);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocGeoShape, ioc_geo_shape_free)

G_END_DECLS
