/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <shumate/shumate.h>

G_BEGIN_DECLS

/*
 * Sensor stations on the map: a square per station in the colour of the
 * alarm level its latest reading reaches (none, I, II, III; grey without a
 * reading), with the reading next to it when there is room. Fed with the
 * GeoJSON of GET /api/v1/layers/stations.
 */

#define IOC_TYPE_STATION_LAYER (ioc_station_layer_get_type ())
G_DECLARE_FINAL_TYPE (IocStationLayer, ioc_station_layer, IOC, STATION_LAYER, ShumateLayer)

IocStationLayer *ioc_station_layer_new           (ShumateViewport *viewport);
void             ioc_station_layer_set_geojson   (IocStationLayer *self,
                                                  JsonNode        *feature_collection);
guint            ioc_station_layer_get_n_stations (IocStationLayer *self);
guint            ioc_station_layer_get_n_drawn    (IocStationLayer *self);
/* The level (0–3) the latest reading of station @code reaches, -1 when it
 * has none or the station is unknown. */
int              ioc_station_layer_get_level      (IocStationLayer *self,
                                                   const char      *code);
/* The colour a station of @level is drawn in. */
void             ioc_station_layer_get_level_color (int              level,
                                                    GdkRGBA         *color);
/* The station under the layer's point (@x, @y), or NULL. */
const char      *ioc_station_layer_station_at     (IocStationLayer *self,
                                                   double           x,
                                                   double           y);

G_END_DECLS
