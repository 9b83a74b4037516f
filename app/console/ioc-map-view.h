/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <shumate/shumate.h>

#include "ioc-client.h"
#include "ioc-task-layer.h"

G_BEGIN_DECLS

/*
 * The city map: a plain themed background (or raster tiles when the
 * "tile-source" setting names an XYZ template), the city and former
 * district boundaries, a choropleth of a per-commune indicator by former
 * district, sensor stations and the tasks (clustered where they crowd).
 * Layers: "boundaries", "tasks", "stations", "choropleth".
 *
 * Signal "task-activated" (gint64 id): a click on a single task's point.
 */

#define IOC_TYPE_MAP_VIEW (ioc_map_view_get_type ())
G_DECLARE_FINAL_TYPE (IocMapView, ioc_map_view, IOC, MAP_VIEW, GtkWidget)

GtkWidget       *ioc_map_view_new               (void);
/* Loads the boundaries and the stations. */
void             ioc_map_view_set_client        (IocMapView  *self,
                                                 IocClient   *client);
/* IocTaskObject items (the queue's filtered list), followed live. */
void             ioc_map_view_set_tasks         (IocMapView  *self,
                                                 GListModel  *tasks);
/* Centres on the task and highlights it. */
void             ioc_map_view_select_task       (IocMapView  *self,
                                                 gint64       id);
/* After the task model applied @event: a task event re-reads that task's
 * item (the map does not listen to each item); sensor.readings refreshes
 * the stations. Changes the console makes to a task's item outside the
 * events must be passed on the same way. */
void             ioc_map_view_apply_event       (IocMapView  *self,
                                                 IocEvent    *event);
gboolean         ioc_map_view_get_layer_visible (IocMapView  *self,
                                                 const char  *layer);
void             ioc_map_view_set_layer_visible (IocMapView  *self,
                                                 const char  *layer,
                                                 gboolean     visible);
/* The indicator the choropleth shows (a per-commune one), NULL for none. */
void             ioc_map_view_set_choropleth_indicator (IocMapView *self,
                                                        const char *code);

/* For tests and benchmarks. */
/* What the server's /api/v1/layers/@name answered (@name:
 * "city-boundary", "former-districts" or "stations"), as if it had. */
void             ioc_map_view_set_layer_data    (IocMapView  *self,
                                                 const char  *name,
                                                 JsonNode    *node);
ShumateViewport *ioc_map_view_get_viewport      (IocMapView  *self);
ShumateMap      *ioc_map_view_get_map           (IocMapView  *self);
IocTaskLayer    *ioc_map_view_get_task_layer    (IocMapView  *self);
/* What a click at the map's point (@x, @y) does. */
void             ioc_map_view_activate_at       (IocMapView  *self,
                                                 double       x,
                                                 double       y);
/* Whether the boundaries, stations (and communes, for the choropleth)
 * have arrived; @what: "boundaries", "stations", "choropleth". */
gboolean         ioc_map_view_is_loaded         (IocMapView  *self,
                                                 const char  *what);
guint            ioc_map_view_get_n_stations_drawn (IocMapView *self);
int              ioc_map_view_get_station_level (IocMapView  *self,
                                                 const char  *code);
/* How many former districts the choropleth has a value for. */
guint            ioc_map_view_get_n_choropleth_areas (IocMapView *self);
const char      *ioc_map_view_get_attribution   (IocMapView  *self);

G_END_DECLS
