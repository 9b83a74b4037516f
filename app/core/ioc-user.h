/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ioc-enums.h"

G_BEGIN_DECLS

/* A user of the IOC: operator, liaison (bound to one department), supervisor or admin. */
typedef struct {
  gint64 id;
  char *username;
  char *display_name;
  IocRole role;
  char *department;
  gboolean disabled;
} IocUser;

#define IOC_TYPE_USER (ioc_user_get_type ())

GType       ioc_user_get_type  (void) G_GNUC_CONST;
IocUser *ioc_user_new       (void);
IocUser *ioc_user_ref       (IocUser *self);
void        ioc_user_unref     (IocUser *self);
void        ioc_user_to_json   (IocUser   *self,
                                  JsonBuilder *builder);
IocUser *ioc_user_from_json (JsonObject  *object,
                                  GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocUser, ioc_user_unref)

G_END_DECLS
