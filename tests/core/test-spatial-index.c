/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <math.h>

#include "ioc-core.h"

/* The spatial index against the plain grid clustering of ioc-cluster on the
 * same points: random cities, several seeds, zooms and boxes, and after
 * live inserts, moves and removals. */

/* Cần Thơ and a little around it. */
#define CITY_MIN_LAT  9.90
#define CITY_MAX_LAT 10.35
#define CITY_MIN_LON 105.20
#define CITY_MAX_LON 105.85

typedef struct {
  GHashTable *points;   /* id → Point */
} Reference;

typedef struct {
  gint64 id;
  double lat;
  double lon;
  guint  kind;
} Point;

static Reference *
reference_new (void)
{
  Reference *ref = g_new0 (Reference, 1);

  ref->points = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  return ref;
}

static void
reference_free (Reference *ref)
{
  g_hash_table_unref (ref->points);
  g_free (ref);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reference, reference_free)

static void
reference_put (Reference *ref,
               gint64     id,
               double     lat,
               double     lon,
               guint      kind)
{
  Point *p = g_new (Point, 1);

  *p = (Point) { id, lat, lon, kind };
  g_hash_table_replace (ref->points, &p->id, p);
}

/* All points, in id order, as the plain clustering takes them. */
static GArray *
reference_points (Reference *ref,
                  GArray   **kinds)
{
  GArray *points = g_array_new (FALSE, FALSE, sizeof (IocClusterPoint));
  GHashTableIter iter;
  gpointer value;

  *kinds = g_array_new (FALSE, FALSE, sizeof (guint));
  g_hash_table_iter_init (&iter, ref->points);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Point *p = value;
      IocClusterPoint cp = { p->lat, p->lon, p->id };

      g_array_append_val (points, cp);
      g_array_append_val (*kinds, p->kind);
    }
  return points;
}

/* A city: half the points along a few "streets" (many on one spot, like
 * reports from one address), half spread out. */
static void
random_city (GRand     *rand,
             guint      n,
             Reference *ref,
             IocSpatialIndex *index)
{
  for (guint i = 0; i < n; i++)
    {
      double lat, lon;
      guint kind = g_rand_int_range (rand, 0, 10);

      if (i % 2 == 0)
        {
          lat = g_rand_double_range (rand, CITY_MIN_LAT, CITY_MAX_LAT);
          lon = g_rand_double_range (rand, CITY_MIN_LON, CITY_MAX_LON);
        }
      else if (i % 7 == 1)
        {
          /* Exactly the same spot as an earlier point. */
          Point *other = g_hash_table_lookup (ref->points, &(gint64) { 1 + g_rand_int_range (rand, 0, i) });

          lat = other->lat;
          lon = other->lon;
        }
      else
        {
          double t = g_rand_double (rand);
          int street = g_rand_int_range (rand, 0, 5);

          lat = 10.0 + 0.05 * street + 0.002 * t;
          lon = 105.70 + 0.1 * t;
        }
      reference_put (ref, i + 1, lat, lon, kind);
      if (index != NULL)
        ioc_spatial_index_insert (index, i + 1, lat, lon, kind);
    }
}

static int
compare_points (gconstpointer a,
                gconstpointer b)
{
  const IocClusterPoint *pa = a, *pb = b;

  return pa->id < pb->id ? -1 : (pa->id > pb->id ? 1 : 0);
}

static void
check_bbox_query (IocSpatialIndex *index,
                  Reference       *ref,
                  const IocBBox   *bbox)
{
  g_autoptr(GArray) got = ioc_spatial_index_query_bbox (index, bbox);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (IocClusterPoint));
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, ref->points);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Point *p = value;

      if (ioc_bbox_contains (bbox, p->lat, p->lon))
        {
          IocClusterPoint cp = { p->lat, p->lon, p->id };

          g_array_append_val (want, cp);
        }
    }
  g_array_sort (got, compare_points);
  g_array_sort (want, compare_points);
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < got->len; i++)
    {
      g_assert_cmpint (g_array_index (got, IocClusterPoint, i).id, ==, g_array_index (want, IocClusterPoint, i).id);
      g_assert_cmpfloat (g_array_index (got, IocClusterPoint, i).lat, ==, g_array_index (want, IocClusterPoint, i).lat);
    }
}

/* The clusters of the index for @bbox at @zoom are those of the plain
 * clustering of every point, restricted to the cells the box spans; and
 * their points add up. */
static void
check_clusters (IocSpatialIndex *index,
                Reference       *ref,
                const IocBBox   *bbox,
                guint            zoom)
{
  g_autoptr(GArray) kinds = NULL;
  g_autoptr(GArray) points = reference_points (ref, &kinds);
  g_autofree guint *assignment = g_new (guint, MAX (1u, points->len));
  g_autoptr(GArray) all = ioc_cluster_points ((IocClusterPoint *) points->data, points->len,
                                              zoom, IOC_CLUSTER_CELL_PX, assignment);
  g_autoptr(GArray) all_kinds = g_array_new (FALSE, TRUE, sizeof (IocKindCounts));
  g_autoptr(GArray) got_kinds = NULL;
  g_autoptr(GArray) got = ioc_spatial_index_query_clusters (index, bbox, zoom, &got_kinds);
  gint64 x0, y0, x1, y1;
  guint k = 0;
  guint64 total = 0, total_want = 0;

  g_array_set_size (all_kinds, all->len);
  for (guint i = 0; i < points->len; i++)
    g_array_index (all_kinds, IocKindCounts, assignment[i]).count[g_array_index (kinds, guint, i)]++;

  ioc_cluster_cell_for (bbox->max_lat, bbox->min_lon, zoom, IOC_CLUSTER_CELL_PX, &x0, &y0);
  ioc_cluster_cell_for (bbox->min_lat, bbox->max_lon, zoom, IOC_CLUSTER_CELL_PX, &x1, &y1);

  g_assert_cmpuint (got->len, ==, got_kinds->len);
  for (guint i = 0; i < all->len; i++)
    {
      const IocCluster *want = &g_array_index (all, IocCluster, i);
      const IocCluster *have;
      guint kind_sum = 0;

      if (want->cell_x < x0 || want->cell_x > x1 || want->cell_y < y0 || want->cell_y > y1)
        continue;
      total_want += want->count;
      g_assert_cmpuint (k, <, got->len);
      have = &g_array_index (got, IocCluster, k);
      g_assert_cmpint (have->cell_x, ==, want->cell_x);
      g_assert_cmpint (have->cell_y, ==, want->cell_y);
      g_assert_cmpuint (have->count, ==, want->count);
      g_assert_cmpint (have->id, ==, want->id);
      /* Sums in 1e-7 degrees: the centroid within a centimetre. */
      g_assert_cmpfloat_with_epsilon (have->lat, want->lat, 1e-7);
      g_assert_cmpfloat_with_epsilon (have->lon, want->lon, 1e-7);
      g_assert_cmpfloat (have->bbox.min_lat, ==, want->bbox.min_lat);
      g_assert_cmpfloat (have->bbox.max_lat, ==, want->bbox.max_lat);
      g_assert_cmpfloat (have->bbox.min_lon, ==, want->bbox.min_lon);
      g_assert_cmpfloat (have->bbox.max_lon, ==, want->bbox.max_lon);
      for (guint j = 0; j < IOC_SPATIAL_INDEX_N_KINDS; j++)
        {
          g_assert_cmpuint (g_array_index (got_kinds, IocKindCounts, k).count[j], ==,
                            g_array_index (all_kinds, IocKindCounts, i).count[j]);
          kind_sum += g_array_index (got_kinds, IocKindCounts, k).count[j];
        }
      g_assert_cmpuint (kind_sum, ==, have->count);
      total += have->count;
      k++;
    }
  g_assert_cmpuint (k, ==, got->len);
  g_assert_cmpuint (total, ==, total_want);
}

static void
random_bbox (GRand   *rand,
             IocBBox *bbox)
{
  double lat = g_rand_double_range (rand, CITY_MIN_LAT, CITY_MAX_LAT);
  double lon = g_rand_double_range (rand, CITY_MIN_LON, CITY_MAX_LON);
  double h = g_rand_double_range (rand, 0.001, 0.5);
  double w = g_rand_double_range (rand, 0.001, 0.7);

  *bbox = (IocBBox) { lon - w / 2, lat - h / 2, lon + w / 2, lat + h / 2 };
}

static const guint zooms[] = { 0, 5, 9, 10, 12, 14, 16, 17, 19, 22 };

static void
test_index_matches_reference (void)
{
  for (guint32 seed = 1; seed <= 4; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autoptr(IocSpatialIndex) index = ioc_spatial_index_new ();
      g_autoptr(Reference) ref = reference_new ();
      IocBBox world = { -180, -85, 180, 85 };

      random_city (rand, 3000 + seed * 500, ref, index);
      g_assert_cmpuint (ioc_spatial_index_get_size (index), ==, g_hash_table_size (ref->points));

      for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
        {
          check_clusters (index, ref, &world, zooms[z]);
          for (guint b = 0; b < 6; b++)
            {
              IocBBox bbox;

              random_bbox (rand, &bbox);
              check_clusters (index, ref, &bbox, zooms[z]);
            }
        }
      for (guint b = 0; b < 20; b++)
        {
          IocBBox bbox;

          random_bbox (rand, &bbox);
          check_bbox_query (index, ref, &bbox);
        }
      check_bbox_query (index, ref, &world);
    }
}

/* Every point in exactly one cluster: at each zoom, the clusters of the
 * whole world count every point once, and each single point's id is
 * there once. */
static void
test_every_point_once (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(IocSpatialIndex) index = ioc_spatial_index_new ();
  g_autoptr(Reference) ref = reference_new ();
  IocBBox world = { -180, -85, 180, 85 };

  random_city (rand, 5000, ref, index);
  for (guint zoom = 0; zoom <= IOC_CLUSTER_MAX_ZOOM; zoom++)
    {
      g_autoptr(GArray) clusters = ioc_spatial_index_query_clusters (index, &world, zoom, NULL);
      g_autoptr(GHashTable) singles = g_hash_table_new (g_int64_hash, g_int64_equal);
      guint total = 0;

      for (guint i = 0; i < clusters->len; i++)
        {
          IocCluster *c = &g_array_index (clusters, IocCluster, i);

          g_assert_cmpuint (c->count, >, 0);
          total += c->count;
          if (c->count == 1)
            {
              g_assert_cmpint (c->id, !=, 0);
              g_assert_true (g_hash_table_add (singles, &c->id));
            }
          else
            g_assert_cmpint (c->id, ==, 0);
          /* The centroid is kept to 1e-7 degrees. */
          g_assert_true (c->bbox.min_lat - 1e-7 <= c->lat && c->lat <= c->bbox.max_lat + 1e-7);
          if (i > 0)
            {
              IocCluster *before = &g_array_index (clusters, IocCluster, i - 1);

              g_assert_true (before->cell_y < c->cell_y ||
                             (before->cell_y == c->cell_y && before->cell_x < c->cell_x));
            }
        }
      g_assert_cmpuint (total, ==, 5000);
    }
}

/* Live: inserts, moves (also to the same cell, and onto a cluster's edge)
 * and removals, then the same checks; and a fresh index loaded with the
 * final points answers the same. */
static void
test_live_updates (void)
{
  for (guint32 seed = 7; seed <= 9; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autoptr(IocSpatialIndex) index = ioc_spatial_index_new ();
      g_autoptr(IocSpatialIndex) loaded = ioc_spatial_index_new ();
      g_autoptr(Reference) ref = reference_new ();
      g_autoptr(GArray) kinds = NULL;
      g_autoptr(GArray) points = NULL;
      g_autoptr(GArray) kinds8 = g_array_new (FALSE, FALSE, sizeof (guint8));
      IocBBox world = { -180, -85, 180, 85 };
      gint64 next_id = 4001;

      random_city (rand, 4000, ref, index);
      for (guint step = 0; step < 6000; step++)
        {
          int what = g_rand_int_range (rand, 0, 10);
          gint64 id = 1 + g_rand_int_range (rand, 0, next_id - 1);
          double lat, lon;
          guint kind;

          if (what < 3)
            {
              /* Remove (maybe one that is gone already). */
              gboolean was_in = g_hash_table_remove (ref->points, &id);

              g_assert_cmpint (ioc_spatial_index_remove (index, id), ==, was_in);
            }
          else if (what < 7)
            {
              Point *p = g_hash_table_lookup (ref->points, &id);

              if (p == NULL)
                continue;
              /* A small move (same cell at low zooms) or a jump. */
              lat = what == 3 ? p->lat + g_rand_double_range (rand, -1e-4, 1e-4)
                              : g_rand_double_range (rand, CITY_MIN_LAT, CITY_MAX_LAT);
              lon = what == 3 ? p->lon + g_rand_double_range (rand, -1e-4, 1e-4)
                              : g_rand_double_range (rand, CITY_MIN_LON, CITY_MAX_LON);
              kind = what == 4 ? p->kind : (p->kind + 1) % 10;
              reference_put (ref, id, lat, lon, kind);
              ioc_spatial_index_insert (index, id, lat, lon, kind);
            }
          else
            {
              lat = g_rand_double_range (rand, CITY_MIN_LAT, CITY_MAX_LAT);
              lon = g_rand_double_range (rand, CITY_MIN_LON, CITY_MAX_LON);
              reference_put (ref, next_id, lat, lon, 3);
              ioc_spatial_index_insert (index, next_id, lat, lon, 3);
              next_id++;
            }

          if (step % 1500 == 0)
            check_clusters (index, ref, &world, zooms[step / 1500 % G_N_ELEMENTS (zooms)]);
        }

      g_assert_cmpuint (ioc_spatial_index_get_size (index), ==, g_hash_table_size (ref->points));
      points = reference_points (ref, &kinds);
      for (guint i = 0; i < kinds->len; i++)
        g_array_append_val (kinds8, g_array_index (kinds, guint, i));
      ioc_spatial_index_load (loaded, (IocClusterPoint *) points->data, (guint8 *) kinds8->data, points->len);

      for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
        {
          IocBBox bbox;

          random_bbox (rand, &bbox);
          check_clusters (index, ref, &world, zooms[z]);
          check_clusters (index, ref, &bbox, zooms[z]);
          check_clusters (loaded, ref, &bbox, zooms[z]);
          check_bbox_query (index, ref, &bbox);
        }

      /* Looking up gives the latest position. */
      for (guint i = 0; i < points->len; i += 97)
        {
          IocClusterPoint *p = &g_array_index (points, IocClusterPoint, i);
          double lat, lon;

          g_assert_true (ioc_spatial_index_lookup (index, p->id, &lat, &lon));
          g_assert_cmpfloat (lat, ==, p->lat);
          g_assert_cmpfloat (lon, ==, p->lon);
        }

      /* Removing everything leaves nothing behind. */
      for (guint i = 0; i < points->len; i++)
        g_assert_true (ioc_spatial_index_remove (index, g_array_index (points, IocClusterPoint, i).id));
      g_assert_cmpuint (ioc_spatial_index_get_size (index), ==, 0);
      for (guint zoom = 0; zoom <= IOC_CLUSTER_MAX_ZOOM; zoom += 3)
        {
          g_autoptr(GArray) clusters = ioc_spatial_index_query_clusters (index, &world, zoom, NULL);

          g_assert_cmpuint (clusters->len, ==, 0);
        }
    }
}

/* A loaded index (built in one pass, level from level) answers as one
 * built point by point, at every zoom, also with points on the world's
 * edges; then it keeps up with live changes, also growing well past the
 * size it was loaded with (its slots move, and their ids with them). An id
 * given twice to a load takes its later place. */
static void
test_load_then_live (void)
{
  for (guint32 seed = 21; seed <= 23; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autoptr(IocSpatialIndex) loaded = ioc_spatial_index_new ();
      g_autoptr(Reference) ref = reference_new ();
      g_autoptr(GArray) kinds = NULL;
      g_autoptr(GArray) points = NULL;
      g_autoptr(GArray) kinds8 = g_array_new (FALSE, FALSE, sizeof (guint8));
      IocBBox world = { -180, -85, 180, 85 };
      IocClusterPoint edge[] = {
        { 85.0511287798066, 180.0, 900001 }, { -85.0511287798066, -180.0, 900002 },
        { 0.0, 180.0, 900003 }, { -89.0, 179.9999999, 900004 },
      };
      IocClusterPoint twice = { 10.05, 105.71, 17 };
      gint64 next_id;

      random_city (rand, 3000, ref, NULL);
      for (guint i = 0; i < G_N_ELEMENTS (edge); i++)
        reference_put (ref, edge[i].id, edge[i].lat, edge[i].lon, 5);
      points = reference_points (ref, &kinds);
      for (guint i = 0; i < kinds->len; i++)
        g_array_append_val (kinds8, g_array_index (kinds, guint, i));
      /* Id 17 once more, elsewhere: the later place counts. */
      g_array_append_val (points, twice);
      g_array_append_val (kinds8, (guint8) { 2 });
      reference_put (ref, 17, twice.lat, twice.lon, 2);
      ioc_spatial_index_load (loaded, (IocClusterPoint *) points->data, (guint8 *) kinds8->data, points->len);
      g_assert_cmpuint (ioc_spatial_index_get_size (loaded), ==, g_hash_table_size (ref->points));

      for (guint zoom = 0; zoom <= IOC_CLUSTER_MAX_ZOOM; zoom++)
        check_clusters (loaded, ref, &world, zoom);

      /* Live: more than doubles, with moves and removals among. */
      next_id = 5000;
      for (guint step = 0; step < 8000; step++)
        {
          int what = g_rand_int_range (rand, 0, 10);
          double lat = g_rand_double_range (rand, CITY_MIN_LAT, CITY_MAX_LAT);
          double lon = g_rand_double_range (rand, CITY_MIN_LON, CITY_MAX_LON);

          if (what < 2)
            {
              gint64 id = 1 + g_rand_int_range (rand, 0, 3000);
              gboolean was_in = g_hash_table_remove (ref->points, &id);

              g_assert_cmpint (ioc_spatial_index_remove (loaded, id), ==, was_in);
            }
          else if (what < 4)
            {
              gint64 id = 1 + g_rand_int_range (rand, 0, 3000);

              reference_put (ref, id, lat, lon, 7);
              ioc_spatial_index_insert (loaded, id, lat, lon, 7);
            }
          else
            {
              reference_put (ref, next_id, lat, lon, 1);
              ioc_spatial_index_insert (loaded, next_id, lat, lon, 1);
              next_id++;
            }
        }
      g_assert_cmpuint (ioc_spatial_index_get_size (loaded), ==, g_hash_table_size (ref->points));
      for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
        check_clusters (loaded, ref, &world, zooms[z]);
      for (gint64 id = 5000; id < next_id; id += 37)
        {
          Point *p = g_hash_table_lookup (ref->points, &id);
          double lat, lon;

          g_assert_true (ioc_spatial_index_lookup (loaded, id, &lat, &lon));
          g_assert_cmpfloat (lat, ==, p->lat);
          g_assert_cmpfloat (lon, ==, p->lon);
        }
    }
}

/* The nearest point within a radius in pixels, against a scan of all. */
static void
test_nearest (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(IocSpatialIndex) index = ioc_spatial_index_new ();
  g_autoptr(Reference) ref = reference_new ();
  const double test_zooms[] = { 8.0, 11.5, 14.0, 16.3, 19.0 };
  guint hits = 0;

  random_city (rand, 6000, ref, index);
  for (guint z = 0; z < G_N_ELEMENTS (test_zooms); z++)
    for (guint q = 0; q < 200; q++)
      {
        double lat = g_rand_double_range (rand, CITY_MIN_LAT, CITY_MAX_LAT);
        double lon = g_rand_double_range (rand, CITY_MIN_LON, CITY_MAX_LON);
        double radius = g_rand_double_range (rand, 2, 40);
        double scale = 256.0 * exp2 (test_zooms[z]);
        double qx, qy, best = radius * radius;
        gint64 want = 0;
        GHashTableIter iter;
        gpointer value;

        ioc_mercator_from_lat_lon (lat, lon, &qx, &qy);
        g_hash_table_iter_init (&iter, ref->points);
        while (g_hash_table_iter_next (&iter, NULL, &value))
          {
            Point *p = value;
            double px, py, d2;

            ioc_mercator_from_lat_lon (p->lat, p->lon, &px, &py);
            d2 = ((px - qx) * scale) * ((px - qx) * scale) + ((py - qy) * scale) * ((py - qy) * scale);
            if (d2 < best || (d2 == best && want != 0 && p->id < want))
              {
                best = d2;
                want = p->id;
              }
          }
        g_assert_cmpint (ioc_spatial_index_nearest (index, lat, lon, test_zooms[z], radius), ==, want);
        hits += want != 0;
      }
  /* The queries did find points, not only misses. */
  g_assert_cmpuint (hits, >, 100);

  /* Exactly on a point, with several at that spot: the smallest id. */
  {
    Point *p = g_hash_table_lookup (ref->points, &(gint64) { 2 });
    gint64 found = ioc_spatial_index_nearest (index, p->lat, p->lon, 22, 1);
    Point *q = g_hash_table_lookup (ref->points, &found);

    g_assert_nonnull (q);
    g_assert_cmpfloat (q->lat, ==, p->lat);
    g_assert_cmpint (found, <=, 2);
  }
}

static void
test_mercator_round_trip (void)
{
  for (double lat = -80; lat <= 80; lat += 7.3)
    for (double lon = -179; lon <= 179; lon += 13.1)
      {
        double x, y, lat2, lon2;
        gint64 cx, cy, rx, ry;

        ioc_mercator_from_lat_lon (lat, lon, &x, &y);
        ioc_mercator_to_lat_lon (x, y, &lat2, &lon2);
        g_assert_cmpfloat_with_epsilon (lat2, lat, 1e-9);
        g_assert_cmpfloat_with_epsilon (lon2, lon, 1e-9);
        g_assert_true (x >= 0 && x <= 1 && y >= 0 && y <= 1);
        /* The same grid as ioc-cluster's. */
        ioc_cluster_cell_for (lat, lon, 12, IOC_CLUSTER_CELL_PX, &cx, &cy);
        rx = (gint64) floor (x * 256.0 * 4096 / IOC_CLUSTER_CELL_PX);
        ry = (gint64) floor (y * 256.0 * 4096 / IOC_CLUSTER_CELL_PX);
        g_assert_cmpint (cx, ==, rx);
        g_assert_cmpint (cy, ==, ry);
      }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/spatial-index/mercator/round-trip", test_mercator_round_trip);
  g_test_add_func ("/spatial-index/clusters/match-reference", test_index_matches_reference);
  g_test_add_func ("/spatial-index/clusters/every-point-once", test_every_point_once);
  g_test_add_func ("/spatial-index/live/insert-move-remove", test_live_updates);
  g_test_add_func ("/spatial-index/load/then-live", test_load_then_live);
  g_test_add_func ("/spatial-index/nearest/within-radius", test_nearest);

  return g_test_run ();
}
