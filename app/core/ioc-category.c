/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-error.h"
#include "ioc-json.h"
#include "ioc-category.h"

G_DEFINE_BOXED_TYPE (IocCategory, ioc_category, ioc_category_ref, ioc_category_unref)

IocCategory *
ioc_category_new (void)
{
  return g_atomic_rc_box_new0 (IocCategory);
}

IocCategory *
ioc_category_ref (IocCategory *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
ioc_category_clear (gpointer data)
{
  IocCategory *self = data;

  g_free (self->code);
  g_free (self->name_vi);
  g_free (self->name_en);
  g_free (self->department);
  g_free (self->attributes);
}

void
ioc_category_unref (IocCategory *self)
{
  g_atomic_rc_box_release_full (self, ioc_category_clear);
}

void
ioc_category_to_json (IocCategory   *self,
                  JsonBuilder *builder)
{
  json_builder_begin_object (builder);
  ioc_json_add_string_or_null (builder, "code", self->code);
  ioc_json_add_string_or_null (builder, "name_vi", self->name_vi);
  ioc_json_add_string_or_null (builder, "name_en", self->name_en);
  ioc_json_add_string_or_null (builder, "department", self->department);
  json_builder_set_member_name (builder, "sla_hours");
  json_builder_add_int_value (builder, self->sla_hours);
  json_builder_set_member_name (builder, "priority");
  json_builder_add_string_value (builder, ioc_priority_to_string (self->priority));
  if (self->attributes != NULL)
    {
      g_autoptr(JsonNode) attributes = json_from_string (self->attributes, NULL);

      if (attributes != NULL && JSON_NODE_HOLDS_ARRAY (attributes))
        {
          json_builder_set_member_name (builder, "attributes");
          json_builder_add_value (builder, g_steal_pointer (&attributes));
        }
    }
  json_builder_end_object (builder);
}

IocCategory *
ioc_category_from_json (JsonObject  *object,
                    GError     **error)
{
  g_autoptr(IocCategory) self = ioc_category_new ();
  g_autofree char *priority = NULL;

  if (!ioc_json_get_string (object, "code", TRUE, 1000, &self->code, error))
    return NULL;

  if (!ioc_json_get_string (object, "name_vi", TRUE, 1000, &self->name_vi, error))
    return NULL;

  if (!ioc_json_get_string (object, "name_en", FALSE, 1000, &self->name_en, error))
    return NULL;

  if (!ioc_json_get_string (object, "department", FALSE, 1000, &self->department, error))
    return NULL;

  if (!ioc_json_get_int (object, "sla_hours", FALSE, 0, G_MAXINT64, &self->sla_hours, error))
    return NULL;

  if (!ioc_json_get_string (object, "priority", FALSE, 32, &priority, error))
    return NULL;
  self->priority = priority ? ioc_priority_from_string (priority) : IOC_PRIORITY_NORMAL;
  if ((int) self->priority < 0)
    {
      ioc_set_field_error (error, "priority", "unknown value “%s”", priority);
      return NULL;
    }

  if (json_object_has_member (object, "attributes"))
    {
      JsonNode *attributes = json_object_get_member (object, "attributes");

      if (!JSON_NODE_HOLDS_ARRAY (attributes))
        {
          ioc_set_field_error (error, "attributes", "must be an array");
          return NULL;
        }
      self->attributes = json_to_string (attributes, FALSE);
    }

  return g_steal_pointer (&self);
}
