/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ioc-cluster.h"
#include "ioc-geo.h"

G_BEGIN_DECLS

/*
 * Web Mercator in world units: x and y run from 0 to 1 over the whole
 * world, y downwards, so that a pixel at zoom z is (x, y) × 256 × 2^z.
 * Latitudes beyond ±85.05° are clamped.
 */
void ioc_mercator_from_lat_lon (double  lat,
                                double  lon,
                                double *x,
                                double *y);
void ioc_mercator_to_lat_lon   (double  x,
                                double  y,
                                double *lat,
                                double *lon);

/*
 * A spatial index of points with ids, for the map: every task of the
 * console (100,000 and more) is in it, and each frame asks it for what is
 * in view.
 *
 * Points are kept in a uniform grid of buckets in Mercator world units
 * (2^IOC_SPATIAL_INDEX_LEVEL cells on a side), and clusters are counted on
 * a pyramid of the same grid: each level keeps, per occupied cell of
 * IOC_CLUSTER_CELL_PX pixels at one zoom, the count, sums and bbox of its
 * points. A cluster query at a zoom reads the cells of that zoom in the
 * bbox: the same cells, counts and centroids as ioc_cluster_points() on the
 * points in them (grid fixed to the world, so panning does not move them).
 *
 * Insert, move and remove by id keep the buckets and every pyramid level
 * up to date in O(levels); nothing is rebuilt.
 */

#define IOC_SPATIAL_INDEX_N_KINDS 16

typedef struct _IocSpatialIndex IocSpatialIndex;

/* How many points of each kind a cluster holds. */
typedef struct {
  guint32 count[IOC_SPATIAL_INDEX_N_KINDS];
} IocKindCounts;

IocSpatialIndex *ioc_spatial_index_new          (void);
void             ioc_spatial_index_free         (IocSpatialIndex *self);
guint            ioc_spatial_index_get_size     (IocSpatialIndex *self);
/* Empties the index and inserts @n_points points; @kinds may be NULL (all
 * kind 0). Ids must be unique and non-zero. */
void             ioc_spatial_index_load         (IocSpatialIndex       *self,
                                                 const IocClusterPoint *points,
                                                 const guint8          *kinds,
                                                 guint                  n_points);
/* Inserts @id at (@lat, @lon), or moves it there when it is already in.
 * @kind (0 to IOC_SPATIAL_INDEX_N_KINDS − 1) is the caller's class of the
 * point (a task's state): clusters count their points per kind. */
void             ioc_spatial_index_insert       (IocSpatialIndex *self,
                                                 gint64           id,
                                                 double           lat,
                                                 double           lon,
                                                 guint            kind);
/* Returns whether @id was in. */
gboolean         ioc_spatial_index_remove       (IocSpatialIndex *self,
                                                 gint64           id);
gboolean         ioc_spatial_index_lookup       (IocSpatialIndex *self,
                                                 gint64           id,
                                                 double          *lat,
                                                 double          *lon);
void             ioc_spatial_index_clear        (IocSpatialIndex *self);

/* The points inside @bbox (edges included), as IocClusterPoint, in no
 * particular order. */
GArray          *ioc_spatial_index_query_bbox   (IocSpatialIndex *self,
                                                 const IocBBox   *bbox);
/* The clusters (IocCluster, ordered by cell: row, then column) of the
 * occupied grid cells of IOC_CLUSTER_CELL_PX pixels at @zoom
 * (0–IOC_CLUSTER_MAX_ZOOM) that @bbox overlaps: the cells from the one of
 * its north-west corner to the one of its south-east corner. A cell is
 * reported whole, with all its points, also those outside @bbox, so that
 * it does not change while the map pans: the same as ioc_cluster_points()
 * on all the points, restricted to those cells. A cluster of one point has
 * that point's id. When @kind_counts is not NULL it receives a GArray of
 * IocKindCounts, one per cluster. */
GArray          *ioc_spatial_index_query_clusters (IocSpatialIndex *self,
                                                   const IocBBox   *bbox,
                                                   guint            zoom,
                                                   GArray         **kind_counts);
/* The id of the point nearest to (@lat, @lon) within @radius_px pixels at
 * @zoom (fractional zooms allowed), or 0 when none is. On a tie the
 * smaller id wins. */
gint64           ioc_spatial_index_nearest      (IocSpatialIndex *self,
                                                 double           lat,
                                                 double           lon,
                                                 double           zoom,
                                                 double           radius_px);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocSpatialIndex, ioc_spatial_index_free)

G_END_DECLS
