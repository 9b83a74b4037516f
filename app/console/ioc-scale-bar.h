/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <shumate/shumate.h>

G_BEGIN_DECLS

#define IOC_TYPE_SCALE_BAR (ioc_scale_bar_get_type ())
G_DECLARE_FINAL_TYPE (IocScaleBar, ioc_scale_bar, IOC, SCALE_BAR, GtkWidget)

GtkWidget  *ioc_scale_bar_new       (void);
void        ioc_scale_bar_set_viewport (IocScaleBar     *self,
                                        ShumateViewport *viewport);
/* The distance shown (for example "5 km") and its length in pixels, for
 * the width the bar has now. */
const char *ioc_scale_bar_get_text  (IocScaleBar     *self,
                                     double          *length_px);

G_END_DECLS
