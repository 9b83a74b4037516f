/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ioc-boundary-layer.h"

G_BEGIN_DECLS

/*
 * A choropleth of a per-commune indicator. There are no polygons of the
 * 2025 communes (the city's data has the former districts' boundaries
 * only), so values are shown by former district: the mean of the latest
 * values of the communes that lie wholly in that district. A commune formed
 * from parts of several districts is left out rather than counted twice.
 *
 * It draws with an IocBoundaryLayer holding the former districts: this
 * fills its features.
 */

typedef struct {
  guint  n_areas;      /* districts with a value */
  guint  n_communes;   /* communes counted */
  guint  n_skipped;    /* communes in several districts, left out */
  double min;
  double max;
} IocChoroplethSummary;

/* @series: the answer of GET /indicators/{code}/series?area=*; @communes:
 * code → IocCommune (their former_districts, names separated by ';').
 * Fills @layer's features whose name matches (folded) a former district;
 * clears all fills first. */
void ioc_choropleth_apply (IocBoundaryLayer     *layer,
                           JsonNode             *series,
                           GHashTable           *communes,
                           IocChoroplethSummary *summary);
/* The ramp from the lowest (@t = 0) to the highest value (@t = 1). */
void ioc_choropleth_color (double   t,
                           GdkRGBA *color);

G_END_DECLS
