/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-chart.h"

G_BEGIN_DECLS

/*
 * One indicator at a glance: its name (Vietnamese or English, as the
 * desktop's language), its latest city-wide value with the unit and the
 * period it is for, its status in colour and words, and a sparkline.
 *
 * The status is worked out again with the clock (ioc_indicator_status, the
 * server's own rule), so a value that goes stale while it is on screen turns
 * grey with its age: an old value is never shown as current.
 *
 * CSS: the card has "indicator-card" and one of "status-ok",
 * "status-warning", "status-alert", "status-stale", "status-no-data".
 * Signal "activated" () when the user opens it.
 */

#define IOC_TYPE_INDICATOR_CARD (ioc_indicator_card_get_type ())
G_DECLARE_FINAL_TYPE (IocIndicatorCard, ioc_indicator_card, IOC, INDICATOR_CARD, GtkWidget)

GtkWidget          *ioc_indicator_card_new             (void);
/* @latest may be NULL (no data yet). Both are referenced. */
void                ioc_indicator_card_set_indicator   (IocIndicatorCard     *self,
                                                        IocIndicator         *indicator,
                                                        IocObservation       *latest);
IocIndicator       *ioc_indicator_card_get_indicator   (IocIndicatorCard     *self);
IocObservation     *ioc_indicator_card_get_latest      (IocIndicatorCard     *self);
const char         *ioc_indicator_card_get_code        (IocIndicatorCard     *self);
void                ioc_indicator_card_set_sparkline   (IocIndicatorCard     *self,
                                                        const IocSeriesPoint *points,
                                                        guint                 n_points);
/* Compact: one line of name, the value and the status, for the strip. */
void                ioc_indicator_card_set_compact     (IocIndicatorCard     *self,
                                                        gboolean              compact);
/* Works the status out again at @now (µs since the epoch). */
void                ioc_indicator_card_refresh         (IocIndicatorCard     *self,
                                                        gint64                now);
IocIndicatorStatus  ioc_indicator_card_get_status      (IocIndicatorCard     *self);
const char         *ioc_indicator_card_get_status_text (IocIndicatorCard     *self);
char               *ioc_indicator_card_describe        (IocIndicatorCard     *self);
const char         *ioc_indicator_card_get_value_text  (IocIndicatorCard     *self);

/* Shared by the indicator views */

/* One entry of GET /indicators: the catalogue members and its latest
 * city-wide value (value, period, submitted_at; null without data). */
gboolean            ioc_indicator_entry_parse          (JsonObject           *object,
                                                        IocIndicator        **indicator,
                                                        IocObservation      **latest,
                                                        GError              **error);
/* The name in the desktop's language: English where the UI is not
 * Vietnamese, Vietnamese when there is no English name. */
const char         *ioc_indicator_display_name         (const IocIndicator   *indicator);
/* The unit likewise ("vụ" or "accidents"); NULL when it has none. */
const char         *ioc_indicator_display_unit         (const IocIndicator   *indicator);
/* Words for a status: "Alert", "Not updated for 5 months", "No data". */
char               *ioc_indicator_status_describe      (IocIndicatorStatus    status,
                                                        gint64                age);
/* The CSS class of a status: "status-ok", …, "status-no-data". */
const char         *ioc_indicator_status_css_class     (IocIndicatorStatus    status);
/* An age in words: "3 hours", "12 days", "5 months". */
char               *ioc_indicator_format_age           (gint64                age);
const char         *ioc_frequency_describe             (IocFrequency          frequency);
/* The "series" array of a GET /indicators/{code}/series answer, or NULL. */
JsonArray          *ioc_indicator_series_list          (JsonNode             *answer);
/* The points of one series of that answer (IocSeriesPoint, by period). */
GArray             *ioc_indicator_series_points        (JsonObject           *series);

G_END_DECLS
