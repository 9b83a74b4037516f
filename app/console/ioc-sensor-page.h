/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-chart.h"
#include "ioc-client.h"

G_BEGIN_DECLS

/*
 * The sensor stations as cards (latest reading, alarm level) and the chart
 * of one station's readings with its alarm levels I, II, III drawn as
 * lines: by default the Hậu River gauge at Cần Thơ. "sensor.readings"
 * events move the cards and the chart live.
 */

#define IOC_TYPE_SENSOR_PAGE (ioc_sensor_page_get_type ())
G_DECLARE_FINAL_TYPE (IocSensorPage, ioc_sensor_page, IOC, SENSOR_PAGE, GtkWidget)

/* The station shown first when there is one. */
#define IOC_SENSOR_PAGE_DEFAULT_STATION "CANTHO"

GtkWidget  *ioc_sensor_page_new                (void);
/* Loads the stations (GET /stations) and the readings of the one shown. */
void        ioc_sensor_page_set_client         (IocSensorPage *self,
                                                IocClient     *client);
void        ioc_sensor_page_apply_event        (IocSensorPage *self,
                                                IocEvent      *event);
void        ioc_sensor_page_select_station     (IocSensorPage *self,
                                                const char    *code);
const char *ioc_sensor_page_get_station_code   (IocSensorPage *self);
guint       ioc_sensor_page_get_n_stations     (IocSensorPage *self);
IocChart   *ioc_sensor_page_get_chart          (IocSensorPage *self);
/* Whether a request is on its way. */
gboolean    ioc_sensor_page_is_loading         (IocSensorPage *self);

G_END_DECLS
