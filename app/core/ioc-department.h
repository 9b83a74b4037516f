/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ioc-enums.h"

G_BEGIN_DECLS

/* A department (sở, ban, ngành) that receives forwarded tasks. */
typedef struct {
  char *code;
  char *name_vi;
  char *name_en;
} IocDepartment;

#define IOC_TYPE_DEPARTMENT (ioc_department_get_type ())

GType       ioc_department_get_type  (void) G_GNUC_CONST;
IocDepartment *ioc_department_new       (void);
IocDepartment *ioc_department_ref       (IocDepartment *self);
void        ioc_department_unref     (IocDepartment *self);
void        ioc_department_to_json   (IocDepartment   *self,
                                  JsonBuilder *builder);
IocDepartment *ioc_department_from_json (JsonObject  *object,
                                  GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocDepartment, ioc_department_unref)

G_END_DECLS
