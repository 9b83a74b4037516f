/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ioc-enums.h"

G_BEGIN_DECLS

/* One append-only line of a task's timeline (lịch sử xử lý). */
typedef struct {
  gint64        id;
  gint64        task_id;
  gint64        at;
  gint64        actor_id;       /* 0 for the system (Open311 client, sensor rule) */
  char         *actor_name;
  IocRole       actor_role;     /* IOC_ROLE_INVALID for the system */
  IocAction     action;
  IocTaskState  from_state;     /* IOC_TASK_STATE_INVALID at intake */
  IocTaskState  to_state;
  char         *note;
  char         *department;
  gint64        due_at;
  gint64        duplicate_of;
  gint64        rating;
} IocTimelineEntry;

#define IOC_TYPE_TIMELINE_ENTRY (ioc_timeline_entry_get_type ())

GType             ioc_timeline_entry_get_type  (void) G_GNUC_CONST;
IocTimelineEntry *ioc_timeline_entry_new       (void);
IocTimelineEntry *ioc_timeline_entry_ref       (IocTimelineEntry *self);
void              ioc_timeline_entry_unref     (IocTimelineEntry *self);
void              ioc_timeline_entry_to_json   (IocTimelineEntry *self,
                                                JsonBuilder      *builder);
IocTimelineEntry *ioc_timeline_entry_from_json (JsonObject       *object,
                                                GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocTimelineEntry, ioc_timeline_entry_unref)

G_END_DECLS
