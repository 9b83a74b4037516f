/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ioc-enums.h"

G_BEGIN_DECLS

/* A report category (lĩnh vực), routed to a default department with a processing deadline. */
typedef struct {
  char *code;
  char *name_vi;
  char *name_en;
  char *department;
  gint64 sla_hours;
  IocPriority priority;
  char *attributes;     /* JSON array of Open311 service attributes, or NULL */
} IocCategory;

#define IOC_TYPE_CATEGORY (ioc_category_get_type ())

GType       ioc_category_get_type  (void) G_GNUC_CONST;
IocCategory *ioc_category_new       (void);
IocCategory *ioc_category_ref       (IocCategory *self);
void        ioc_category_unref     (IocCategory *self);
void        ioc_category_to_json   (IocCategory   *self,
                                  JsonBuilder *builder);
IocCategory *ioc_category_from_json (JsonObject  *object,
                                  GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocCategory, ioc_category_unref)

G_END_DECLS
