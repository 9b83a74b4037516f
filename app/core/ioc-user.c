/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-error.h"
#include "ioc-json.h"
#include "ioc-user.h"

G_DEFINE_BOXED_TYPE (IocUser, ioc_user, ioc_user_ref, ioc_user_unref)

IocUser *
ioc_user_new (void)
{
  return g_atomic_rc_box_new0 (IocUser);
}

IocUser *
ioc_user_ref (IocUser *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
ioc_user_clear (gpointer data)
{
  IocUser *self = data;

  g_free (self->username);
  g_free (self->display_name);
  g_free (self->department);
}

void
ioc_user_unref (IocUser *self)
{
  g_atomic_rc_box_release_full (self, ioc_user_clear);
}

void
ioc_user_to_json (IocUser   *self,
                  JsonBuilder *builder)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, self->id);
  ioc_json_add_string_or_null (builder, "username", self->username);
  ioc_json_add_string_or_null (builder, "display_name", self->display_name);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, ioc_role_to_string (self->role));
  ioc_json_add_string_or_null (builder, "department", self->department);
  json_builder_set_member_name (builder, "disabled");
  json_builder_add_boolean_value (builder, self->disabled);
  json_builder_end_object (builder);
}

IocUser *
ioc_user_from_json (JsonObject  *object,
                    GError     **error)
{
  g_autoptr(IocUser) self = ioc_user_new ();
  g_autofree char *role = NULL;

  if (!ioc_json_get_int (object, "id", TRUE, 0, G_MAXINT64, &self->id, error))
    return NULL;

  if (!ioc_json_get_string (object, "username", TRUE, 1000, &self->username, error))
    return NULL;

  if (!ioc_json_get_string (object, "display_name", FALSE, 1000, &self->display_name, error))
    return NULL;

  if (!ioc_json_get_string (object, "role", TRUE, 32, &role, error))
    return NULL;
  self->role = role ? ioc_role_from_string (role) : 0;
  if ((int) self->role < 0)
    {
      ioc_set_field_error (error, "role", "unknown value “%s”", role);
      return NULL;
    }

  if (!ioc_json_get_string (object, "department", FALSE, 1000, &self->department, error))
    return NULL;

  self->disabled = json_object_get_boolean_member_with_default (object, "disabled", FALSE);

  return g_steal_pointer (&self);
}
