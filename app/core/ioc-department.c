/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-error.h"
#include "ioc-json.h"
#include "ioc-department.h"

G_DEFINE_BOXED_TYPE (IocDepartment, ioc_department, ioc_department_ref, ioc_department_unref)

IocDepartment *
ioc_department_new (void)
{
  return g_atomic_rc_box_new0 (IocDepartment);
}

IocDepartment *
ioc_department_ref (IocDepartment *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
ioc_department_clear (gpointer data)
{
  IocDepartment *self = data;

  g_free (self->code);
  g_free (self->name_vi);
  g_free (self->name_en);
}

void
ioc_department_unref (IocDepartment *self)
{
  g_atomic_rc_box_release_full (self, ioc_department_clear);
}

void
ioc_department_to_json (IocDepartment   *self,
                  JsonBuilder *builder)
{
  json_builder_begin_object (builder);
  ioc_json_add_string_or_null (builder, "code", self->code);
  ioc_json_add_string_or_null (builder, "name_vi", self->name_vi);
  ioc_json_add_string_or_null (builder, "name_en", self->name_en);
  json_builder_end_object (builder);
}

IocDepartment *
ioc_department_from_json (JsonObject  *object,
                    GError     **error)
{
  g_autoptr(IocDepartment) self = ioc_department_new ();

  if (!ioc_json_get_string (object, "code", TRUE, 1000, &self->code, error))
    return NULL;

  if (!ioc_json_get_string (object, "name_vi", TRUE, 1000, &self->name_vi, error))
    return NULL;

  if (!ioc_json_get_string (object, "name_en", FALSE, 1000, &self->name_en, error))
    return NULL;

  return g_steal_pointer (&self);
}
