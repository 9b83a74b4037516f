/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cluster"

#include "config.h"

#include <math.h>

#include "ioc-core.h"

/* Around Cần Thơ, where the demo's tasks are. */
#define CT_MIN_LAT  9.90
#define CT_MAX_LAT 10.35
#define CT_MIN_LON 105.20
#define CT_MAX_LON 105.85

static IocClusterPoint *
random_points (GRand  *rand,
               guint   n,
               double  min_lat,
               double  max_lat,
               double  min_lon,
               double  max_lon)
{
  IocClusterPoint *points = g_new (IocClusterPoint, n);

  for (guint i = 0; i < n; i++)
    {
      points[i].lat = g_rand_double_range (rand, min_lat, max_lat);
      points[i].lon = g_rand_double_range (rand, min_lon, max_lon);
      points[i].id = 1000 + i;
    }
  return points;
}

/* The reference projects with the textbook slippy-map formula (asinh) rather
 * than the module's (log of tan + sec), and groups by scanning a list. */
typedef struct {
  gint64  cell_x, cell_y;
  guint   count;
  double  sum_lat, sum_lon;
  IocBBox bbox;
  gint64  id;
} RefCluster;

static void
ref_cell (double  lat,
          double  lon,
          guint   zoom,
          double  cell_px,
          gint64 *cx,
          gint64 *cy)
{
  double n = 256.0 * pow (2.0, zoom);
  double max_lat = atan (sinh (G_PI)) * 180.0 / G_PI;
  double phi = fmin (fmax (lat, -max_lat), max_lat) * G_PI / 180.0;
  double x = (lon + 180.0) / 360.0 * n;
  double y = (1.0 - asinh (tan (phi)) / G_PI) / 2.0 * n;
  gint64 last = (gint64) ceil (n / cell_px) - 1;

  *cx = (gint64) floor (x / cell_px);
  *cy = (gint64) floor (y / cell_px);
  *cx = *cx < 0 ? 0 : (*cx > last ? last : *cx);
  *cy = *cy < 0 ? 0 : (*cy > last ? last : *cy);
}

static int
compare_ref (gconstpointer a,
             gconstpointer b)
{
  const RefCluster *ra = a;
  const RefCluster *rb = b;

  if (ra->cell_y != rb->cell_y)
    return ra->cell_y < rb->cell_y ? -1 : 1;
  if (ra->cell_x != rb->cell_x)
    return ra->cell_x < rb->cell_x ? -1 : 1;
  return 0;
}

static GArray *
brute_force (const IocClusterPoint *points,
             guint                  n,
             guint                  zoom)
{
  GArray *ref = g_array_new (FALSE, TRUE, sizeof (RefCluster));

  for (guint i = 0; i < n; i++)
    {
      RefCluster *c = NULL;
      gint64 cx, cy;

      ref_cell (points[i].lat, points[i].lon, zoom, IOC_CLUSTER_CELL_PX, &cx, &cy);
      for (guint j = 0; j < ref->len; j++)
        {
          RefCluster *r = &g_array_index (ref, RefCluster, j);

          if (r->cell_x == cx && r->cell_y == cy)
            {
              c = r;
              break;
            }
        }
      if (c == NULL)
        {
          RefCluster fresh = { cx, cy, 0, 0, 0, { points[i].lon, points[i].lat, points[i].lon, points[i].lat }, 0 };

          g_array_append_val (ref, fresh);
          c = &g_array_index (ref, RefCluster, ref->len - 1);
        }
      c->count++;
      c->sum_lat += points[i].lat;
      c->sum_lon += points[i].lon;
      c->bbox.min_lat = fmin (c->bbox.min_lat, points[i].lat);
      c->bbox.max_lat = fmax (c->bbox.max_lat, points[i].lat);
      c->bbox.min_lon = fmin (c->bbox.min_lon, points[i].lon);
      c->bbox.max_lon = fmax (c->bbox.max_lon, points[i].lon);
      c->id = c->count == 1 ? points[i].id : 0;
    }

  g_array_sort (ref, compare_ref);
  return ref;
}

static void
assert_partition (const IocClusterPoint *points,
                  guint                  n,
                  GArray                *clusters,
                  const guint           *assignment)
{
  g_autofree guint *seen = g_new0 (guint, clusters->len);
  guint total = 0;

  for (guint c = 0; c < clusters->len; c++)
    {
      IocCluster *cluster = &g_array_index (clusters, IocCluster, c);

      g_assert_cmpuint (cluster->count, >, 0);
      total += cluster->count;
      if (c > 0)
        {
          IocCluster *prev = &g_array_index (clusters, IocCluster, c - 1);

          g_assert_true (prev->cell_y < cluster->cell_y ||
                         (prev->cell_y == cluster->cell_y && prev->cell_x < cluster->cell_x));
        }
    }
  g_assert_cmpuint (total, ==, n);

  /* Every point in exactly one cluster: the assignment names one, that
   * cluster's box holds the point, and the tallies match the counts. */
  for (guint i = 0; i < n; i++)
    {
      IocCluster *cluster;

      g_assert_cmpuint (assignment[i], <, clusters->len);
      cluster = &g_array_index (clusters, IocCluster, assignment[i]);
      g_assert_true (ioc_bbox_contains (&cluster->bbox, points[i].lat, points[i].lon));
      if (cluster->count == 1)
        g_assert_cmpint (cluster->id, ==, points[i].id);
      else
        g_assert_cmpint (cluster->id, ==, 0);
      seen[assignment[i]]++;
    }
  for (guint c = 0; c < clusters->len; c++)
    g_assert_cmpuint (seen[c], ==, g_array_index (clusters, IocCluster, c).count);
}

static void
test_cluster_empty (void)
{
  g_autoptr(GArray) clusters = ioc_cluster_points (NULL, 0, 10, IOC_CLUSTER_CELL_PX, NULL);

  g_assert_cmpuint (clusters->len, ==, 0);
}

static void
test_cluster_single (void)
{
  IocClusterPoint p = { 10.0341, 105.7880, 42 };
  g_autoptr(GArray) clusters = ioc_cluster_points (&p, 1, 12, IOC_CLUSTER_CELL_PX, NULL);
  IocCluster *c;

  g_assert_cmpuint (clusters->len, ==, 1);
  c = &g_array_index (clusters, IocCluster, 0);
  g_assert_cmpuint (c->count, ==, 1);
  g_assert_cmpint (c->id, ==, 42);
  g_assert_cmpfloat (c->lat, ==, p.lat);
  g_assert_cmpfloat (c->lon, ==, p.lon);
  g_assert_cmpfloat (c->bbox.min_lat, ==, p.lat);
  g_assert_cmpfloat (c->bbox.max_lon, ==, p.lon);
}

static void
test_cluster_partition (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20250701);

  for (guint zoom = 0; zoom <= IOC_CLUSTER_MAX_ZOOM; zoom++)
    {
      guint n = 2000;
      g_autofree IocClusterPoint *points = random_points (rand, n, CT_MIN_LAT, CT_MAX_LAT, CT_MIN_LON, CT_MAX_LON);
      g_autofree guint *assignment = g_new (guint, n);
      g_autoptr(GArray) clusters = ioc_cluster_points (points, n, zoom, IOC_CLUSTER_CELL_PX, assignment);

      assert_partition (points, n, clusters, assignment);
      /* The whole city is a few hundred pixels wide at zoom 10: far fewer
       * clusters than points at low zoom, about one per point at 22. */
      if (zoom <= 6)
        g_assert_cmpuint (clusters->len, <=, 4);
      if (zoom == IOC_CLUSTER_MAX_ZOOM)
        g_assert_cmpuint (clusters->len, >, n * 9 / 10);
    }
}

static void
compare_with_reference (guint32 seed,
                        guint   n,
                        double  min_lat,
                        double  max_lat,
                        double  min_lon,
                        double  max_lon)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree IocClusterPoint *points = random_points (rand, n, min_lat, max_lat, min_lon, max_lon);

  for (guint zoom = 0; zoom <= IOC_CLUSTER_MAX_ZOOM; zoom += 2)
    {
      g_autoptr(GArray) clusters = ioc_cluster_points (points, n, zoom, IOC_CLUSTER_CELL_PX, NULL);
      g_autoptr(GArray) ref = brute_force (points, n, zoom);

      g_assert_cmpuint (clusters->len, ==, ref->len);
      for (guint c = 0; c < ref->len; c++)
        {
          IocCluster *got = &g_array_index (clusters, IocCluster, c);
          RefCluster *want = &g_array_index (ref, RefCluster, c);

          g_assert_cmpint (got->cell_x, ==, want->cell_x);
          g_assert_cmpint (got->cell_y, ==, want->cell_y);
          g_assert_cmpuint (got->count, ==, want->count);
          g_assert_cmpint (got->id, ==, want->id);
          g_assert_cmpfloat_with_epsilon (got->lat, want->sum_lat / want->count, 1e-9);
          g_assert_cmpfloat_with_epsilon (got->lon, want->sum_lon / want->count, 1e-9);
          g_assert_cmpfloat (got->bbox.min_lat, ==, want->bbox.min_lat);
          g_assert_cmpfloat (got->bbox.max_lat, ==, want->bbox.max_lat);
          g_assert_cmpfloat (got->bbox.min_lon, ==, want->bbox.min_lon);
          g_assert_cmpfloat (got->bbox.max_lon, ==, want->bbox.max_lon);
        }
    }
}

static void
test_cluster_brute_force (void)
{
  compare_with_reference (1, 3000, CT_MIN_LAT, CT_MAX_LAT, CT_MIN_LON, CT_MAX_LON);
  compare_with_reference (2, 800, 10.00, 10.06, 105.74, 105.80);
  /* The whole world, poles and antimeridian included. */
  compare_with_reference (3, 3000, -90.0, 90.0, -180.0, 180.0);
}

static void
test_cluster_deterministic (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint n = 5000;
  g_autofree IocClusterPoint *points = random_points (rand, n, CT_MIN_LAT, CT_MAX_LAT, CT_MIN_LON, CT_MAX_LON);
  g_autofree IocClusterPoint *shuffled = g_memdup2 (points, n * sizeof *points);
  g_autoptr(GArray) a = ioc_cluster_points (points, n, 11, IOC_CLUSTER_CELL_PX, NULL);
  g_autoptr(GArray) b = ioc_cluster_points (points, n, 11, IOC_CLUSTER_CELL_PX, NULL);
  g_autoptr(GArray) c = NULL;

  /* The same input gives the same answer to the bit. */
  g_assert_cmpuint (a->len, ==, b->len);
  g_assert_cmpmem (a->data, a->len * sizeof (IocCluster), b->data, b->len * sizeof (IocCluster));

  /* Another order of the same points gives the same clusters. */
  for (guint i = n - 1; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1);
      IocClusterPoint t = shuffled[i];

      shuffled[i] = shuffled[j];
      shuffled[j] = t;
    }
  c = ioc_cluster_points (shuffled, n, 11, IOC_CLUSTER_CELL_PX, NULL);
  g_assert_cmpuint (a->len, ==, c->len);
  for (guint i = 0; i < a->len; i++)
    {
      IocCluster *x = &g_array_index (a, IocCluster, i);
      IocCluster *y = &g_array_index (c, IocCluster, i);

      g_assert_cmpint (x->cell_x, ==, y->cell_x);
      g_assert_cmpint (x->cell_y, ==, y->cell_y);
      g_assert_cmpuint (x->count, ==, y->count);
      g_assert_cmpint (x->id, ==, y->id);
      g_assert_cmpmem (&x->bbox, sizeof x->bbox, &y->bbox, sizeof y->bbox);
      g_assert_cmpfloat_with_epsilon (x->lat, y->lat, 1e-9);
    }
}

static void
test_cluster_grid (void)
{
  gint64 cx, cy;

  /* Zoom 0: one 256 px tile, five 60 px cells a side (the last partial). */
  ioc_cluster_cell_for (0.0, 0.0, 0, 60.0, &cx, &cy);
  g_assert_cmpint (cx, ==, 2);
  g_assert_cmpint (cy, ==, 2);
  ioc_cluster_cell_for (90.0, -180.0, 0, 60.0, &cx, &cy);
  g_assert_cmpint (cx, ==, 0);
  g_assert_cmpint (cy, ==, 0);
  ioc_cluster_cell_for (-90.0, 180.0, 0, 60.0, &cx, &cy);
  g_assert_cmpint (cx, ==, 4);
  g_assert_cmpint (cy, ==, 4);

  /* Two points 200 m apart share a cell at zoom 10 and not at zoom 18
   * (about 0.6 m a pixel there). */
  {
    IocClusterPoint two[] = { { 10.0300, 105.7800, 1 }, { 10.0300, 105.7818, 2 } };
    g_autoptr(GArray) low = ioc_cluster_points (two, 2, 10, IOC_CLUSTER_CELL_PX, NULL);
    g_autoptr(GArray) high = ioc_cluster_points (two, 2, 18, IOC_CLUSTER_CELL_PX, NULL);

    g_assert_cmpuint (low->len, ==, 1);
    g_assert_cmpint (g_array_index (low, IocCluster, 0).id, ==, 0);
    g_assert_cmpfloat_with_epsilon (g_array_index (low, IocCluster, 0).lon, 105.7809, 1e-9);
    g_assert_cmpuint (high->len, ==, 2);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cluster/empty", test_cluster_empty);
  g_test_add_func ("/cluster/single", test_cluster_single);
  g_test_add_func ("/cluster/partition", test_cluster_partition);
  g_test_add_func ("/cluster/brute-force", test_cluster_brute_force);
  g_test_add_func ("/cluster/deterministic", test_cluster_deterministic);
  g_test_add_func ("/cluster/grid", test_cluster_grid);

  return g_test_run ();
}
