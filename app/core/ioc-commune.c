/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-error.h"
#include "ioc-json.h"
#include "ioc-commune.h"

G_DEFINE_BOXED_TYPE (IocCommune, ioc_commune, ioc_commune_ref, ioc_commune_unref)

IocCommune *
ioc_commune_new (void)
{
  return g_atomic_rc_box_new0 (IocCommune);
}

IocCommune *
ioc_commune_ref (IocCommune *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
ioc_commune_clear (gpointer data)
{
  IocCommune *self = data;

  g_free (self->code);
  g_free (self->name);
  g_free (self->kind);
  g_free (self->former_districts);
}

void
ioc_commune_unref (IocCommune *self)
{
  g_atomic_rc_box_release_full (self, ioc_commune_clear);
}

void
ioc_commune_to_json (IocCommune   *self,
                  JsonBuilder *builder)
{
  json_builder_begin_object (builder);
  ioc_json_add_string_or_null (builder, "code", self->code);
  ioc_json_add_string_or_null (builder, "name", self->name);
  ioc_json_add_string_or_null (builder, "kind", self->kind);
  ioc_json_add_string_or_null (builder, "former_districts", self->former_districts);
  json_builder_end_object (builder);
}

IocCommune *
ioc_commune_from_json (JsonObject  *object,
                    GError     **error)
{
  g_autoptr(IocCommune) self = ioc_commune_new ();

  if (!ioc_json_get_string (object, "code", TRUE, 1000, &self->code, error))
    return NULL;

  if (!ioc_json_get_string (object, "name", TRUE, 1000, &self->name, error))
    return NULL;

  if (!ioc_json_get_string (object, "kind", FALSE, 1000, &self->kind, error))
    return NULL;

  if (!ioc_json_get_string (object, "former_districts", FALSE, 1000, &self->former_districts, error))
    return NULL;

  return g_steal_pointer (&self);
}
