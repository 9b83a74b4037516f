/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ioc-geo.h"

G_BEGIN_DECLS

/*
 * Grid clustering of map points. The grid is fixed in Web Mercator pixel
 * space at a zoom level (256 px tiles), anchored at the world's top-left
 * corner rather than at the viewport, so that a cluster does not change as
 * the map is panned: the same points give the same clusters whatever bbox
 * selected them.
 */

/* 80 px, as map clustering commonly does: at 60 px the map drew 1.7 times
 * as many badges at mid zooms, each with its count, crowding each other. */
#define IOC_CLUSTER_CELL_PX  80.0
#define IOC_CLUSTER_MAX_ZOOM 22

typedef struct {
  double lat;
  double lon;
  gint64 id;
} IocClusterPoint;

typedef struct {
  guint   count;
  double  lat;       /* centroid: mean of the points */
  double  lon;
  IocBBox bbox;      /* of the points */
  gint64  id;        /* the point's id when count == 1, else 0 */
  gint64  cell_x;    /* the grid cell, for a stable order */
  gint64  cell_y;
} IocCluster;

/* The grid cell of a point at @zoom (0–22) with cells of @cell_px pixels.
 * Latitudes beyond the Mercator limit (±85.05°) fall in the edge cells. */
void    ioc_cluster_cell_for (double  lat,
                              double  lon,
                              guint   zoom,
                              double  cell_px,
                              gint64 *cell_x,
                              gint64 *cell_y);

/* Groups @points into one cluster per occupied cell, ordered by cell (row,
 * then column); every point lands in exactly one cluster. If @assignment is
 * not NULL it must hold @n_points entries: it receives each point's cluster
 * index, so that callers can tally their own properties per cluster.
 * Returns a GArray of IocCluster. */
GArray *ioc_cluster_points   (const IocClusterPoint *points,
                              guint                  n_points,
                              guint                  zoom,
                              double                 cell_px,
                              guint                 *assignment);

G_END_DECLS
