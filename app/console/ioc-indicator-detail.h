/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-chart.h"
#include "ioc-client.h"

G_BEGIN_DECLS

/*
 * One indicator in full: its chart over a chosen time range with the
 * thresholds, the city-wide series and, on demand, some communes' series to
 * compare, a readout under the pointer, and export to PNG, SVG and CSV.
 *
 * Actions: detail.export-png, detail.export-svg, detail.export-csv (each asks
 * for a file with a GtkFileChooserNative), detail.reload.
 */

#define IOC_TYPE_INDICATOR_DETAIL (ioc_indicator_detail_get_type ())
G_DECLARE_FINAL_TYPE (IocIndicatorDetail, ioc_indicator_detail, IOC, INDICATOR_DETAIL, GtkWidget)

typedef enum {
  IOC_INDICATOR_RANGE_30_DAYS,
  IOC_INDICATOR_RANGE_YEAR,
  IOC_INDICATOR_RANGE_ALL,
} IocIndicatorRange;

/* Exports are this large: a wall-sized PNG, an SVG of the same layout. */
#define IOC_INDICATOR_EXPORT_WIDTH 1600
#define IOC_INDICATOR_EXPORT_HEIGHT 600

GtkWidget         *ioc_indicator_detail_new                (void);
void               ioc_indicator_detail_set_client         (IocIndicatorDetail *self,
                                                            IocClient          *client);
/* Commune names by code, for the comparison (referenced). */
void               ioc_indicator_detail_set_communes       (IocIndicatorDetail *self,
                                                            GHashTable         *names);
/* Shows @indicator and loads its series (with @latest for the status). */
void               ioc_indicator_detail_show               (IocIndicatorDetail *self,
                                                            IocIndicator       *indicator,
                                                            IocObservation     *latest);
IocIndicator      *ioc_indicator_detail_get_indicator      (IocIndicatorDetail *self);
void               ioc_indicator_detail_reload             (IocIndicatorDetail *self);
void               ioc_indicator_detail_set_range          (IocIndicatorDetail *self,
                                                            IocIndicatorRange   range);
/* The communes drawn next to the city-wide series (NULL: none). */
void               ioc_indicator_detail_set_compare        (IocIndicatorDetail *self,
                                                            const char * const *communes);
/* The communes that have values in the range, which the user may pick. */
guint              ioc_indicator_detail_get_n_comparable   (IocIndicatorDetail *self);
IocChart          *ioc_indicator_detail_get_chart          (IocIndicatorDetail *self);
gboolean           ioc_indicator_detail_is_loading         (IocIndicatorDetail *self);

G_END_DECLS
