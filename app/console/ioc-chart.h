/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-core.h"

G_BEGIN_DECLS

/*
 * A time chart of one or more series: line or bar, with the warning and
 * alert bands of an indicator, the alarm levels of a station as labelled
 * lines, a local-time axis (Asia/Ho_Chi_Minh), a value axis with the unit,
 * a legend when it shows several series, and a readout of the value nearest
 * the pointer.
 *
 * One drawing function serves the screen, PNG and SVG, so an export shows
 * what the user saw. A series longer than the plot is wide is reduced to a
 * minimum and a maximum per pixel column (ioc_series_downsample), which
 * keeps spikes and bounds the work of a frame whatever the data.
 */

#define IOC_TYPE_CHART (ioc_chart_get_type ())
G_DECLARE_FINAL_TYPE (IocChart, ioc_chart, IOC, CHART, GtkWidget)

typedef enum {
  IOC_CHART_LINE,
  IOC_CHART_BAR,
} IocChartKind;

GtkWidget    *ioc_chart_new               (void);

void          ioc_chart_set_kind          (IocChart             *self,
                                           IocChartKind          kind);
IocChartKind  ioc_chart_get_kind          (IocChart             *self);
/* "line" or "bar", as the catalogue's chart member says. */
IocChartKind  ioc_chart_kind_from_string  (const char           *str);
/* The title is drawn only in exports, where nothing around says what it is. */
void          ioc_chart_set_title         (IocChart             *self,
                                           const char           *title);
void          ioc_chart_set_unit          (IocChart             *self,
                                           const char           *unit);
/* How times read in the readout and how wide bars are: a monthly value is
 * shown as its month. IOC_FREQUENCY_REALTIME (the default) shows the time. */
void          ioc_chart_set_frequency     (IocChart             *self,
                                           IocFrequency          frequency);
/* A sparkline: no axes, labels or legend, for cards. */
void          ioc_chart_set_sparkline     (IocChart             *self,
                                           gboolean              sparkline);
gboolean      ioc_chart_get_sparkline     (IocChart             *self);

/* The warning and alert bands of an indicator; bands lie on the bad side of
 * each threshold, by @direction. */
void          ioc_chart_set_thresholds    (IocChart             *self,
                                           IocDirection          direction,
                                           gboolean              has_warning,
                                           double                warning,
                                           gboolean              has_alert,
                                           double                alert);
void          ioc_chart_set_thresholds_from_indicator (IocChart           *self,
                                                       const IocIndicator *indicator);
void          ioc_chart_clear_thresholds  (IocChart             *self);

/* Horizontal labelled lines, e.g. alarm levels I, II, III; @severity 1–3
 * picks the colour (amber, orange, red). */
void          ioc_chart_add_line          (IocChart             *self,
                                           double                value,
                                           const char           *label,
                                           int                   severity);
void          ioc_chart_clear_lines       (IocChart             *self);
guint         ioc_chart_get_n_lines       (IocChart             *self);
double        ioc_chart_get_line_value    (IocChart             *self,
                                           guint                 index);
const char   *ioc_chart_get_line_label    (IocChart             *self,
                                           guint                 index);

/* Series: @points sorted by time, copied. Returns the series' index. */
guint         ioc_chart_add_series        (IocChart             *self,
                                           const char           *label,
                                           const IocSeriesPoint *points,
                                           guint                 n_points);
/* Replaces the points of series @index. */
void          ioc_chart_set_series_points (IocChart             *self,
                                           guint                 index,
                                           const IocSeriesPoint *points,
                                           guint                 n_points);
/* Appends a live value; an older or equal time replaces or is ignored, so
 * that a replayed event changes nothing. */
void          ioc_chart_append_point      (IocChart             *self,
                                           guint                 index,
                                           gint64                t,
                                           double                v);
void          ioc_chart_clear_series      (IocChart             *self);
guint         ioc_chart_get_n_series      (IocChart             *self);
guint         ioc_chart_get_n_points      (IocChart             *self,
                                           guint                 index);
const char   *ioc_chart_get_series_label  (IocChart             *self,
                                           guint                 index);

/* The time range shown; both 0 (the default) fits the data. */
void          ioc_chart_set_time_range    (IocChart             *self,
                                           gint64                from,
                                           gint64                to);

/* Hover readout. The pointer's position drives it, and with the focus on
 * the chart Left/Right/Home/End step it from value to value (Escape hides
 * it); callers may place it at @x (widget coordinates) or clear it with a
 * negative @x. The readout is the point of series 0 nearest in time (with
 * each series' value at that time in the drawn box). */
void          ioc_chart_set_cursor        (IocChart             *self,
                                           double                x);
gboolean      ioc_chart_get_readout       (IocChart             *self,
                                           gint64               *t,
                                           double               *v);

/* Draws the chart on @cr in a @width × @height area with the export
 * palette (light background). The widget's snapshot draws with the same
 * code in the theme's colours. */
void          ioc_chart_render            (IocChart             *self,
                                           cairo_t              *cr,
                                           int                   width,
                                           int                   height);

gboolean      ioc_chart_export_png        (IocChart             *self,
                                           const char           *path,
                                           int                   width,
                                           int                   height,
                                           GError              **error);
gboolean      ioc_chart_export_svg        (IocChart             *self,
                                           const char           *path,
                                           int                   width,
                                           int                   height,
                                           GError              **error);
/* RFC 4180, UTF-8, CRLF: a "time" column (ISO 8601 with the offset) and one
 * column per series, every value held (not only those drawn). */
gboolean      ioc_chart_export_csv        (IocChart             *self,
                                           const char           *path,
                                           GError              **error);
char         *ioc_chart_to_csv            (IocChart             *self);

/* A value in the user's locale (1.234,5 in Vietnamese) with the decimals it
 * was stored with, at most three. */
char         *ioc_chart_format_value      (double                value);
/* The period that starts at @usec as a person names it: a month is
 * "03/2026", a realtime value its date and time (Asia/Ho_Chi_Minh). */
char         *ioc_chart_format_period     (IocFrequency          frequency,
                                           gint64                usec);

G_END_DECLS
