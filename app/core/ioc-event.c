/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-error.h"
#include "ioc-event.h"
#include "ioc-json.h"

G_DEFINE_BOXED_TYPE (IocEvent, ioc_event, ioc_event_ref, ioc_event_unref)

IocEvent *
ioc_event_new (void)
{
  return g_atomic_rc_box_new0 (IocEvent);
}

IocEvent *
ioc_event_ref (IocEvent *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
ioc_event_clear (gpointer data)
{
  IocEvent *self = data;

  g_free (self->kind);
  g_clear_pointer (&self->task, ioc_task_unref);
  g_clear_pointer (&self->entry, ioc_timeline_entry_unref);
  g_clear_pointer (&self->data, json_node_unref);
  g_clear_pointer (&self->text, g_ref_string_release);
}

void
ioc_event_unref (IocEvent *self)
{
  g_atomic_rc_box_release_full (self, ioc_event_clear);
}

JsonNode *
ioc_event_to_json (const IocEvent   *self,
                   IocTaskJsonFlags  task_flags,
                   gint64            now)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, self->seq);
  ioc_json_add_time (builder, "at", self->at);
  ioc_json_add_string_or_null (builder, "kind", self->kind);
  if (self->task != NULL)
    {
      json_builder_set_member_name (builder, "task");
      ioc_task_to_json (self->task, builder, task_flags & ~IOC_TASK_JSON_TIMELINE, now);
    }
  if (self->entry != NULL)
    {
      json_builder_set_member_name (builder, "entry");
      ioc_timeline_entry_to_json (self->entry, builder);
    }
  if (self->data != NULL)
    {
      json_builder_set_member_name (builder, "data");
      json_builder_add_value (builder, json_node_copy (self->data));
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

IocEvent *
ioc_event_from_json (JsonObject  *object,
                     GError     **error)
{
  g_autoptr(IocEvent) self = ioc_event_new ();
  JsonNode *node;

  if (!ioc_json_get_int (object, "seq", TRUE, 1, G_MAXINT64, &self->seq, error) ||
      !ioc_json_get_time (object, "at", TRUE, &self->at, error) ||
      !ioc_json_get_string (object, "kind", TRUE, 64, &self->kind, error))
    return NULL;

  node = json_object_get_member (object, "task");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      self->task = ioc_task_from_json (json_node_get_object (node), error);
      if (self->task == NULL)
        return NULL;
    }

  node = json_object_get_member (object, "entry");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      self->entry = ioc_timeline_entry_from_json (json_node_get_object (node), error);
      if (self->entry == NULL)
        return NULL;
    }

  node = json_object_get_member (object, "data");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    self->data = json_node_copy (node);

  return g_steal_pointer (&self);
}
