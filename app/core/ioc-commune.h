/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ioc-enums.h"

G_BEGIN_DECLS

/* A commune or ward (xã / phường) of the 2025 organisation. */
typedef struct {
  char *code;
  char *name;
  char *kind;
  char *former_districts;
} IocCommune;

#define IOC_TYPE_COMMUNE (ioc_commune_get_type ())

GType       ioc_commune_get_type  (void) G_GNUC_CONST;
IocCommune *ioc_commune_new       (void);
IocCommune *ioc_commune_ref       (IocCommune *self);
void        ioc_commune_unref     (IocCommune *self);
void        ioc_commune_to_json   (IocCommune   *self,
                                  JsonBuilder *builder);
IocCommune *ioc_commune_from_json (JsonObject  *object,
                                  GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocCommune, ioc_commune_unref)

G_END_DECLS
