/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <shumate/shumate.h>

#include "ioc-core.h"

G_BEGIN_DECLS

/*
 * The tasks on the map, drawn in the layer's own snapshot: one point per
 * task, coloured by state, sized by priority and ringed in red when
 * overdue; where points would crowd, one badge per grid cell with the
 * count, coloured by the state most of its tasks are in. The clusters come
 * from an IocSpatialIndex over the model, kept up to date through the
 * model's items-changed and ioc_task_layer_update_task().
 */

#define IOC_TYPE_TASK_LAYER (ioc_task_layer_get_type ())
G_DECLARE_FINAL_TYPE (IocTaskLayer, ioc_task_layer, IOC, TASK_LAYER, ShumateLayer)

typedef enum {
  IOC_TASK_LAYER_HIT_NONE,
  IOC_TASK_LAYER_HIT_TASK,
  IOC_TASK_LAYER_HIT_CLUSTER,
} IocTaskLayerHit;

IocTaskLayer    *ioc_task_layer_new            (ShumateViewport *viewport);
/* IocTaskObject items, followed through items-changed. NULL clears. */
void             ioc_task_layer_set_model      (IocTaskLayer    *self,
                                                GListModel      *tasks);
/* The item of task @id changed in place (its state, place or priority):
 * the layer reads it again. Nothing when it is not in the model. */
void             ioc_task_layer_update_task    (IocTaskLayer    *self,
                                                gint64           id);
void             ioc_task_layer_set_selected   (IocTaskLayer    *self,
                                                gint64           id);
gint64           ioc_task_layer_get_selected   (IocTaskLayer    *self);
/* What a click at the layer's point (@x, @y) meets: a task (its id in
 * @id) or a cluster (the bbox of its tasks in @bbox). */
IocTaskLayerHit  ioc_task_layer_pick           (IocTaskLayer    *self,
                                                double           x,
                                                double           y,
                                                gint64          *id,
                                                IocBBox         *bbox);
gboolean         ioc_task_layer_get_location   (IocTaskLayer    *self,
                                                gint64           id,
                                                double          *lat,
                                                double          *lon);
/* The colour the task's point is drawn in, FALSE when it is not on the map. */
gboolean         ioc_task_layer_get_task_color (IocTaskLayer    *self,
                                                gint64           id,
                                                GdkRGBA         *color);
/* The colour of a state on this layer (the stylesheet's ioc_state_*). */
void             ioc_task_layer_get_state_color (IocTaskLayer   *self,
                                                 IocTaskState    state,
                                                 GdkRGBA        *color);
guint            ioc_task_layer_get_n_tasks    (IocTaskLayer    *self);
/* What the latest frame drew. */
guint            ioc_task_layer_get_n_drawn_points   (IocTaskLayer *self);
guint            ioc_task_layer_get_n_drawn_clusters (IocTaskLayer *self);
IocSpatialIndex *ioc_task_layer_get_index      (IocTaskLayer    *self);

G_END_DECLS
