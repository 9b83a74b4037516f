/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ioc-enums.h"
#include "ioc-timeline-entry.h"

G_BEGIN_DECLS

#define IOC_TASK_TITLE_MAX        200
#define IOC_TASK_DESCRIPTION_MAX  4000
#define IOC_TASK_ADDRESS_MAX      500
#define IOC_TASK_NOTE_MAX         4000
#define IOC_TASK_MEDIA_MAX        10

/* One report or incident and, when loaded with it, its timeline. */
typedef struct {
  gint64        id;
  gint64        version;
  IocSource     source;
  char         *category;
  char         *title;
  char         *description;
  gboolean      has_location;
  double        lat;
  double        lon;
  char         *address;
  char         *commune;
  GStrv         media;
  char         *reporter_name;      /* private: operators and supervisors only */
  char         *reporter_phone;
  char         *reporter_email;
  IocPriority   priority;
  IocTaskState  state;
  char         *department;
  gint64        due_at;
  gint64        created_at;
  gint64        updated_at;
  gint64        duplicate_of;
  gint64        rating;
  char         *result;
  char         *attributes;         /* a JSON object of service attributes (Open311), or NULL */
  char         *client;             /* the API client that submitted it, or NULL */
  GPtrArray    *timeline;           /* IocTimelineEntry, or NULL when not loaded */
} IocTask;

typedef enum {
  IOC_TASK_JSON_DEFAULT   = 0,
  IOC_TASK_JSON_REPORTER  = 1 << 0,  /* include the reporter's contact */
  IOC_TASK_JSON_TIMELINE  = 1 << 1,
} IocTaskJsonFlags;

#define IOC_TYPE_TASK (ioc_task_get_type ())

GType     ioc_task_get_type         (void) G_GNUC_CONST;
IocTask  *ioc_task_new              (void);
IocTask  *ioc_task_ref              (IocTask *self);
void      ioc_task_unref            (IocTask *self);
IocTask  *ioc_task_copy             (const IocTask *self);
gboolean  ioc_task_is_overdue       (const IocTask *self,
                                     gint64         now);
char     *ioc_task_dup_search_text  (const IocTask *self);

void      ioc_task_to_json          (const IocTask    *self,
                                     JsonBuilder      *builder,
                                     IocTaskJsonFlags  flags,
                                     gint64            now);
JsonNode *ioc_task_to_json_node     (const IocTask    *self,
                                     IocTaskJsonFlags  flags,
                                     gint64            now);
IocTask  *ioc_task_from_json        (JsonObject       *object,
                                     GError          **error);

/* An intake request (the operator's form or an import): validates types,
 * lengths and coordinates and fills a task in state received. It cannot know
 * whether the category or commune exist; the caller checks those. */
IocTask  *ioc_task_new_from_intake  (JsonObject       *object,
                                     GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocTask, ioc_task_unref)

G_END_DECLS
