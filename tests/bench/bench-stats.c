/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-bench"

#include "config.h"

#include <math.h>

#include "bench-stats.h"

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

void
bench_sort_samples (GArray *ms)
{
  g_array_sort (ms, compare_double);
}

double
bench_percentile (GArray *sorted,
                  double  q)
{
  guint rank;

  if (sorted->len == 0)
    return NAN;

  rank = (guint) ceil (q * sorted->len);
  rank = CLAMP (rank, 1, sorted->len);
  return g_array_index (sorted, double, rank - 1);
}

char *
bench_describe_latency (GArray *ms)
{
  double sum = 0;

  bench_sort_samples (ms);
  for (guint i = 0; i < ms->len; i++)
    sum += g_array_index (ms, double, i);

  return g_strdup_printf ("p50 %.2f ms, p99 %.2f ms, max %.2f ms, mean %.2f ms, n %u",
                          bench_percentile (ms, 0.50), bench_percentile (ms, 0.99),
                          ms->len ? g_array_index (ms, double, ms->len - 1) : NAN,
                          ms->len ? sum / ms->len : NAN, ms->len);
}
