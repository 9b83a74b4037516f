/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "ioc-cluster.h"

#define TILE_PX 256.0
/* Where Web Mercator makes the world square. */
#define MERCATOR_MAX_LAT 85.0511287798066

void
ioc_cluster_cell_for (double  lat,
                      double  lon,
                      guint   zoom,
                      double  cell_px,
                      gint64 *cell_x,
                      gint64 *cell_y)
{
  double world = TILE_PX * (double) (1u << MIN (zoom, IOC_CLUSTER_MAX_ZOOM));
  gint64 last = (gint64) ceil (world / cell_px) - 1;
  double phi = CLAMP (lat, -MERCATOR_MAX_LAT, MERCATOR_MAX_LAT) * G_PI / 180.0;
  double x = (CLAMP (lon, -180.0, 180.0) + 180.0) / 360.0 * world;
  double y = (1.0 - log (tan (phi) + 1.0 / cos (phi)) / G_PI) / 2.0 * world;

  /* lon 180 and the clamped poles land on the far edge: keep them in the
   * last cell rather than one past it. */
  *cell_x = CLAMP ((gint64) floor (x / cell_px), 0, last);
  *cell_y = CLAMP ((gint64) floor (y / cell_px), 0, last);
}

typedef struct {
  gint64 cell_x;
  gint64 cell_y;
  guint  index;
} Keyed;

static int
compare_keyed (const void *a,
               const void *b)
{
  const Keyed *ka = a;
  const Keyed *kb = b;

  if (ka->cell_y != kb->cell_y)
    return ka->cell_y < kb->cell_y ? -1 : 1;
  if (ka->cell_x != kb->cell_x)
    return ka->cell_x < kb->cell_x ? -1 : 1;
  /* The input order breaks ties, so that sums (centroids) are added in the
   * same order every time and the result is the same to the last bit. */
  return ka->index < kb->index ? -1 : (ka->index > kb->index ? 1 : 0);
}

GArray *
ioc_cluster_points (const IocClusterPoint *points,
                    guint                  n_points,
                    guint                  zoom,
                    double                 cell_px,
                    guint                 *assignment)
{
  GArray *clusters = g_array_new (FALSE, TRUE, sizeof (IocCluster));
  g_autofree Keyed *keyed = NULL;
  IocCluster *current = NULL;
  double sum_lat = 0.0, sum_lon = 0.0;

  g_return_val_if_fail (points != NULL || n_points == 0, clusters);
  g_return_val_if_fail (cell_px > 0.0, clusters);

  if (n_points == 0)
    return clusters;

  keyed = g_new (Keyed, n_points);
  for (guint i = 0; i < n_points; i++)
    {
      ioc_cluster_cell_for (points[i].lat, points[i].lon, zoom, cell_px, &keyed[i].cell_x, &keyed[i].cell_y);
      keyed[i].index = i;
    }
  qsort (keyed, n_points, sizeof (Keyed), compare_keyed);

  for (guint k = 0; k < n_points; k++)
    {
      const IocClusterPoint *p = &points[keyed[k].index];

      if (current == NULL || current->cell_x != keyed[k].cell_x || current->cell_y != keyed[k].cell_y)
        {
          IocCluster fresh = { 0 };

          if (current != NULL)
            {
              current->lat = sum_lat / current->count;
              current->lon = sum_lon / current->count;
            }

          fresh.cell_x = keyed[k].cell_x;
          fresh.cell_y = keyed[k].cell_y;
          fresh.bbox.min_lat = fresh.bbox.max_lat = p->lat;
          fresh.bbox.min_lon = fresh.bbox.max_lon = p->lon;
          fresh.id = p->id;
          g_array_append_val (clusters, fresh);
          current = &g_array_index (clusters, IocCluster, clusters->len - 1);
          sum_lat = sum_lon = 0.0;
        }

      current->count++;
      sum_lat += p->lat;
      sum_lon += p->lon;
      current->bbox.min_lat = MIN (current->bbox.min_lat, p->lat);
      current->bbox.max_lat = MAX (current->bbox.max_lat, p->lat);
      current->bbox.min_lon = MIN (current->bbox.min_lon, p->lon);
      current->bbox.max_lon = MAX (current->bbox.max_lon, p->lon);
      if (current->count > 1)
        current->id = 0;

      if (assignment != NULL)
        assignment[keyed[k].index] = clusters->len - 1;
    }

  current->lat = sum_lat / current->count;
  current->lon = sum_lon / current->count;

  return clusters;
}
