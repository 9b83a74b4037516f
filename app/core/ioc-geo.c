/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "ioc-error.h"
#include "ioc-geo.h"

gboolean
ioc_geo_valid_lat_lon (double lat,
                       double lon)
{
  return isfinite (lat) && isfinite (lon) &&
         lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0;
}

gboolean
ioc_bbox_parse (const char *text,
                IocBBox    *bbox)
{
  g_auto(GStrv) parts = NULL;
  double v[4];

  if (text == NULL)
    return FALSE;

  parts = g_strsplit (text, ",", -1);
  if (g_strv_length (parts) != 4)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      char *end = NULL;

      v[i] = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !isfinite (v[i]))
        return FALSE;
    }

  if (!ioc_geo_valid_lat_lon (v[1], v[0]) || !ioc_geo_valid_lat_lon (v[3], v[2]) ||
      v[0] > v[2] || v[1] > v[3])
    return FALSE;

  bbox->min_lon = v[0];
  bbox->min_lat = v[1];
  bbox->max_lon = v[2];
  bbox->max_lat = v[3];
  return TRUE;
}

gboolean
ioc_bbox_contains (const IocBBox *bbox,
                   double         lat,
                   double         lon)
{
  return lat >= bbox->min_lat && lat <= bbox->max_lat &&
         lon >= bbox->min_lon && lon <= bbox->max_lon;
}

typedef struct {
  guint   n;
  double *xy;   /* lon, lat pairs */
} Ring;

typedef struct {
  GArray *rings;  /* Ring; the first is the outer ring, the rest holes */
} Polygon;

struct _IocGeoShape {
  GArray  *polygons;
  IocBBox  bbox;
};

static void
polygon_clear (gpointer data)
{
  Polygon *polygon = data;

  for (guint i = 0; i < polygon->rings->len; i++)
    g_free (g_array_index (polygon->rings, Ring, i).xy);
  g_array_unref (polygon->rings);
}

void
ioc_geo_shape_free (IocGeoShape *shape)
{
  if (shape == NULL)
    return;
  g_array_unref (shape->polygons);
  g_free (shape);
}

static gboolean
is_number (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) &&
         (json_node_get_value_type (node) == G_TYPE_DOUBLE || json_node_get_value_type (node) == G_TYPE_INT64);
}

static gboolean
parse_polygon (IocGeoShape  *shape,
               JsonArray    *rings,
               GError      **error)
{
  Polygon polygon;

  polygon.rings = g_array_new (FALSE, FALSE, sizeof (Ring));

  for (guint r = 0; r < json_array_get_length (rings); r++)
    {
      JsonNode *ring_node = json_array_get_element (rings, r);
      JsonArray *points;
      Ring ring;

      if (!JSON_NODE_HOLDS_ARRAY (ring_node))
        goto bad;

      points = json_node_get_array (ring_node);
      ring.n = json_array_get_length (points);
      ring.xy = g_new (double, 2 * (gsize) ring.n);

      for (guint i = 0; i < ring.n; i++)
        {
          JsonNode *pt = json_array_get_element (points, i);
          JsonArray *pair;

          if (!JSON_NODE_HOLDS_ARRAY (pt) || json_array_get_length (json_node_get_array (pt)) < 2 ||
              !is_number (json_array_get_element (json_node_get_array (pt), 0)) ||
              !is_number (json_array_get_element (json_node_get_array (pt), 1)))
            {
              g_free (ring.xy);
              goto bad;
            }
          pair = json_node_get_array (pt);
          ring.xy[2 * i] = json_array_get_double_element (pair, 0);
          ring.xy[2 * i + 1] = json_array_get_double_element (pair, 1);

          shape->bbox.min_lon = MIN (shape->bbox.min_lon, ring.xy[2 * i]);
          shape->bbox.max_lon = MAX (shape->bbox.max_lon, ring.xy[2 * i]);
          shape->bbox.min_lat = MIN (shape->bbox.min_lat, ring.xy[2 * i + 1]);
          shape->bbox.max_lat = MAX (shape->bbox.max_lat, ring.xy[2 * i + 1]);
        }
      g_array_append_val (polygon.rings, ring);
    }

  g_array_append_val (shape->polygons, polygon);
  return TRUE;

bad:
  polygon_clear (&polygon);
  g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "malformed polygon ring");
  return FALSE;
}

IocGeoShape *
ioc_geo_shape_new_from_geojson (JsonObject  *geometry,
                                GError     **error)
{
  g_autoptr(IocGeoShape) shape = g_new0 (IocGeoShape, 1);
  JsonNode *type_node = json_object_get_member (geometry, "type");
  const char *type = type_node && JSON_NODE_HOLDS_VALUE (type_node) &&
                     json_node_get_value_type (type_node) == G_TYPE_STRING
                     ? json_node_get_string (type_node) : "";
  JsonNode *coords = json_object_get_member (geometry, "coordinates");

  shape->polygons = g_array_new (FALSE, FALSE, sizeof (Polygon));
  g_array_set_clear_func (shape->polygons, polygon_clear);
  shape->bbox = (IocBBox) { INFINITY, INFINITY, -INFINITY, -INFINITY };

  if (coords == NULL || !JSON_NODE_HOLDS_ARRAY (coords))
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "geometry has no coordinates");
      return NULL;
    }

  if (g_str_equal (type, "Polygon"))
    {
      if (!parse_polygon (shape, json_node_get_array (coords), error))
        return NULL;
    }
  else if (g_str_equal (type, "MultiPolygon"))
    {
      JsonArray *polys = json_node_get_array (coords);

      for (guint i = 0; i < json_array_get_length (polys); i++)
        {
          JsonNode *p = json_array_get_element (polys, i);

          if (!JSON_NODE_HOLDS_ARRAY (p) || !parse_polygon (shape, json_node_get_array (p), error))
            {
              if (error != NULL && *error == NULL)
                g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "malformed polygon");
              return NULL;
            }
        }
    }
  else
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "unsupported geometry type “%s”", type);
      return NULL;
    }

  return g_steal_pointer (&shape);
}

/* Even-odd ray casting; holes fall out of the parity naturally. */
static gboolean
ring_contains (const Ring *ring,
               double      x,
               double      y)
{
  gboolean inside = FALSE;

  for (guint i = 0, j = ring->n - 1; i < ring->n; j = i++)
    {
      double xi = ring->xy[2 * i], yi = ring->xy[2 * i + 1];
      double xj = ring->xy[2 * j], yj = ring->xy[2 * j + 1];

      if (((yi > y) != (yj > y)) && (x < (xj - xi) * (y - yi) / (yj - yi) + xi))
        inside = !inside;
    }

  return inside;
}

gboolean
ioc_geo_shape_contains (const IocGeoShape *shape,
                        double             lat,
                        double             lon)
{
  if (!ioc_bbox_contains (&shape->bbox, lat, lon))
    return FALSE;

  for (guint p = 0; p < shape->polygons->len; p++)
    {
      const Polygon *polygon = &g_array_index (shape->polygons, Polygon, p);
      gboolean inside = FALSE;

      for (guint r = 0; r < polygon->rings->len; r++)
        if (ring_contains (&g_array_index (polygon->rings, Ring, r), lon, lat))
          inside = !inside;

      if (inside)
        return TRUE;
    }

  return FALSE;
}

void
ioc_geo_shape_get_bbox (const IocGeoShape *shape,
                        IocBBox           *bbox)
{
  *bbox = shape->bbox;
}
