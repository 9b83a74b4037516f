/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-client.h"
#include "ioc-indicator-card.h"
#include "ioc-indicator-detail.h"
#include "ioc-indicator-submit.h"
#include "ioc-sensor-page.h"

G_BEGIN_DECLS

/*
 * The indicators page: the catalogue as cards grouped by domain, each card
 * opening the indicator's chart (IocIndicatorDetail); the sensor stations
 * with the gauge chart (IocSensorPage); and, for liaisons and admins, the
 * submission of values (IocIndicatorSubmit). Live: "indicator.observed"
 * refreshes the indicators it names, "sensor.readings" moves the stations.
 *
 * Actions: indicators.reload, indicators.back, indicators.submit.
 */

#define IOC_TYPE_INDICATORS_PAGE (ioc_indicators_page_get_type ())
G_DECLARE_FINAL_TYPE (IocIndicatorsPage, ioc_indicators_page, IOC, INDICATORS_PAGE, GtkWidget)

GtkWidget          *ioc_indicators_page_new            (void);
/* Loads the catalogue, the communes and the stations; NULL @client stops. */
void                ioc_indicators_page_set_client     (IocIndicatorsPage *self,
                                                        IocClient         *client,
                                                        IocUser           *user);
void                ioc_indicators_page_apply_event    (IocIndicatorsPage *self,
                                                        IocEvent          *event);

/* For the window and for tests */
gboolean            ioc_indicators_page_is_loading     (IocIndicatorsPage *self);
guint               ioc_indicators_page_get_n_cards    (IocIndicatorsPage *self);
IocIndicatorCard   *ioc_indicators_page_get_card       (IocIndicatorsPage *self,
                                                        const char        *code);
/* Opens @code's chart; FALSE when there is no such indicator. */
gboolean            ioc_indicators_page_open_indicator (IocIndicatorsPage *self,
                                                        const char        *code);
/* Whether the signed-in user may submit values (liaisons and admins). */
gboolean            ioc_indicators_page_can_submit     (IocIndicatorsPage *self);
void                ioc_indicators_page_show_submit    (IocIndicatorsPage *self);
void                ioc_indicators_page_show_overview  (IocIndicatorsPage *self);
/* "overview", "detail" or "submit". */
const char         *ioc_indicators_page_get_view       (IocIndicatorsPage *self);
IocIndicatorDetail *ioc_indicators_page_get_detail     (IocIndicatorsPage *self);
IocIndicatorSubmit *ioc_indicators_page_get_submit     (IocIndicatorsPage *self);
IocSensorPage      *ioc_indicators_page_get_sensor_page (IocIndicatorsPage *self);

G_END_DECLS
