/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <shumate/shumate.h>

#include "ioc-client.h"

G_BEGIN_DECLS

/*
 * A small map to pick one point: a click sets the pin. With no tile source
 * it draws the city boundary and the former districts on a plain
 * background, so it works with no tile server at all.
 *
 * Properties: "latitude", "longitude" (double), "has-location" (gboolean),
 * "tile-source" (string: an XYZ URL template, or empty for none). Setting
 * the location moves the pin and centres the map on it.
 */

#define IOC_TYPE_LOCATION_PICKER (ioc_location_picker_get_type ())
G_DECLARE_FINAL_TYPE (IocLocationPicker, ioc_location_picker, IOC, LOCATION_PICKER, GtkWidget)

GtkWidget *ioc_location_picker_new               (void);
/* Fetches the boundary layers through @client. */
void       ioc_location_picker_set_client        (IocLocationPicker *self,
                                                  IocClient         *client);
void       ioc_location_picker_set_location      (IocLocationPicker *self,
                                                  double             latitude,
                                                  double             longitude);
void       ioc_location_picker_clear_location    (IocLocationPicker *self);
gboolean   ioc_location_picker_get_has_location  (IocLocationPicker *self);
double     ioc_location_picker_get_latitude      (IocLocationPicker *self);
double     ioc_location_picker_get_longitude     (IocLocationPicker *self);
const char *ioc_location_picker_get_tile_source  (IocLocationPicker *self);
void       ioc_location_picker_set_tile_source   (IocLocationPicker *self,
                                                  const char        *url_template);
/* What a click at the widget point (@x, @y) does: the pin goes there. */
void       ioc_location_picker_click             (IocLocationPicker *self,
                                                  double             x,
                                                  double             y);
/* Whether (@latitude, @longitude) lies roughly inside the city: inside the
 * boundary's box, grown a little, once the boundary is loaded; inside a
 * fixed box around the city before. */
gboolean   ioc_location_picker_is_in_city        (IocLocationPicker *self,
                                                  double             latitude,
                                                  double             longitude);
/* How many boundary layers have been drawn so far (0, 1 or 2). */
guint      ioc_location_picker_get_n_boundaries  (IocLocationPicker *self);
ShumateViewport *ioc_location_picker_get_viewport (IocLocationPicker *self);

G_END_DECLS
