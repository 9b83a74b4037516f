/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-series.h"

guint
ioc_series_bucket (gint64 t,
                   gint64 first,
                   gint64 last,
                   guint  buckets)
{
  /* 128 bits: a span of centuries in µs times thousands of buckets
   * overflows 64. */
  unsigned __int128 offset = (unsigned __int128) (guint64) (t - first);
  unsigned __int128 span = (unsigned __int128) (guint64) (last - first) + 1;
  guint b = (guint) (offset * buckets / span);

  return MIN (b, buckets - 1);
}

GArray *
ioc_series_downsample (const IocSeriesPoint *points,
                       guint                 n_points,
                       guint                 max_points)
{
  GArray *ret;
  guint buckets;
  gint64 first, last;
  guint i = 0;

  g_return_val_if_fail (max_points >= 2, NULL);
  g_return_val_if_fail (points != NULL || n_points == 0, NULL);

  if (n_points <= max_points)
    {
      ret = g_array_sized_new (FALSE, FALSE, sizeof (IocSeriesPoint), n_points);
      if (n_points > 0)
        g_array_append_vals (ret, points, n_points);
      return ret;
    }

  buckets = max_points / 2;
  first = points[0].t;
  last = points[n_points - 1].t;
  ret = g_array_sized_new (FALSE, FALSE, sizeof (IocSeriesPoint), 2 * buckets);

  /* Sorted input: each bucket is one run of points. */
  while (i < n_points)
    {
      guint b = ioc_series_bucket (points[i].t, first, last, buckets);
      guint lo = i, hi = i;

      for (i++; i < n_points && ioc_series_bucket (points[i].t, first, last, buckets) == b; i++)
        {
          if (points[i].v < points[lo].v)
            lo = i;
          if (points[i].v > points[hi].v)
            hi = i;
        }

      g_array_append_val (ret, points[MIN (lo, hi)]);
      if (lo != hi)
        g_array_append_val (ret, points[MAX (lo, hi)]);
    }

  return ret;
}
