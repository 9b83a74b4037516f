/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Latency samples in milliseconds, as a GArray of double. */
void    bench_sort_samples     (GArray *ms);
/* Nearest rank on sorted samples: the value at or below which a fraction q lie. */
double  bench_percentile       (GArray *sorted,
                                double  q);
/* "p50 …, p99 …, max …, mean …, n …"; sorts @ms in place. */
char   *bench_describe_latency (GArray *ms);

G_END_DECLS
