/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ioc-task.h"
#include "ioc-timeline-entry.h"

G_BEGIN_DECLS

#define IOC_EVENT_TASK_CREATED "task.created"
#define IOC_EVENT_TASK_CHANGED "task.changed"
#define IOC_EVENT_INDICATOR_OBSERVED "indicator.observed"
#define IOC_EVENT_SENSOR_READINGS "sensor.readings"

/* One line of the event log: its sequence number orders every change. */
typedef struct {
  gint64             seq;
  gint64             at;
  char              *kind;
  IocTask           *task;     /* the task after the change */
  IocTimelineEntry  *entry;    /* what was done */
  JsonNode          *data;     /* for events about other things than tasks */
  char              *text;     /* GRefString or NULL: the event as sent to those who see
                                * reporters, when its committer already rendered it */
} IocEvent;

#define IOC_TYPE_EVENT (ioc_event_get_type ())

GType     ioc_event_get_type   (void) G_GNUC_CONST;
IocEvent *ioc_event_new        (void);
IocEvent *ioc_event_ref        (IocEvent *self);
void      ioc_event_unref      (IocEvent *self);
JsonNode *ioc_event_to_json    (const IocEvent   *self,
                                IocTaskJsonFlags  task_flags,
                                gint64            now);
IocEvent *ioc_event_from_json  (JsonObject       *object,
                                GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocEvent, ioc_event_unref)

G_END_DECLS
