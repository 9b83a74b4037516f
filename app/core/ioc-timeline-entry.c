/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-error.h"
#include "ioc-json.h"
#include "ioc-timeline-entry.h"

G_DEFINE_BOXED_TYPE (IocTimelineEntry, ioc_timeline_entry, ioc_timeline_entry_ref, ioc_timeline_entry_unref)

IocTimelineEntry *
ioc_timeline_entry_new (void)
{
  IocTimelineEntry *self = g_atomic_rc_box_new0 (IocTimelineEntry);

  self->actor_role = IOC_ROLE_INVALID;
  self->from_state = IOC_TASK_STATE_INVALID;
  self->to_state = IOC_TASK_STATE_INVALID;
  self->action = IOC_ACTION_INVALID;
  return self;
}

IocTimelineEntry *
ioc_timeline_entry_ref (IocTimelineEntry *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
ioc_timeline_entry_clear (gpointer data)
{
  IocTimelineEntry *self = data;

  g_free (self->actor_name);
  g_free (self->note);
  g_free (self->department);
}

void
ioc_timeline_entry_unref (IocTimelineEntry *self)
{
  g_atomic_rc_box_release_full (self, ioc_timeline_entry_clear);
}

void
ioc_timeline_entry_to_json (IocTimelineEntry *self,
                            JsonBuilder      *builder)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, self->id);
  ioc_json_add_time (builder, "at", self->at);
  json_builder_set_member_name (builder, "actor");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, self->actor_id);
  ioc_json_add_string_or_null (builder, "name", self->actor_name);
  ioc_json_add_string_or_null (builder, "role", ioc_role_to_string (self->actor_role));
  json_builder_end_object (builder);
  ioc_json_add_string_or_null (builder, "action", ioc_action_to_string (self->action));
  ioc_json_add_string_or_null (builder, "from_state", ioc_task_state_to_string (self->from_state));
  ioc_json_add_string_or_null (builder, "to_state", ioc_task_state_to_string (self->to_state));
  ioc_json_add_string_or_null (builder, "note", self->note);
  ioc_json_add_string_or_null (builder, "department", self->department);
  ioc_json_add_time (builder, "due_at", self->due_at);
  json_builder_set_member_name (builder, "duplicate_of");
  if (self->duplicate_of > 0)
    json_builder_add_int_value (builder, self->duplicate_of);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "rating");
  if (self->rating > 0)
    json_builder_add_int_value (builder, self->rating);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

static gboolean
get_enum (JsonObject  *object,
          const char  *field,
          gboolean     required,
          int        (*from_string) (const char *),
          int         *out,
          GError     **error)
{
  g_autofree char *text = NULL;

  if (!ioc_json_get_string (object, field, required, 64, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  *out = from_string (text);
  if (*out < 0)
    {
      ioc_set_field_error (error, field, "unknown value “%s”", text);
      return FALSE;
    }
  return TRUE;
}

static int role_from_string (const char *t) { return ioc_role_from_string (t); }
static int action_from_string (const char *t) { return ioc_action_from_string (t); }
static int state_from_string (const char *t) { return ioc_task_state_from_string (t); }

IocTimelineEntry *
ioc_timeline_entry_from_json (JsonObject  *object,
                              GError     **error)
{
  g_autoptr(IocTimelineEntry) self = ioc_timeline_entry_new ();
  JsonNode *actor;
  int v;

  if (!ioc_json_get_int (object, "id", TRUE, 0, G_MAXINT64, &self->id, error) ||
      !ioc_json_get_time (object, "at", TRUE, &self->at, error))
    return NULL;

  actor = json_object_get_member (object, "actor");
  if (actor != NULL && JSON_NODE_HOLDS_OBJECT (actor))
    {
      JsonObject *a = json_node_get_object (actor);

      if (!ioc_json_get_int (a, "id", FALSE, 0, G_MAXINT64, &self->actor_id, error) ||
          !ioc_json_get_string (a, "name", FALSE, 0, &self->actor_name, error))
        return NULL;
      v = IOC_ROLE_INVALID;
      if (!get_enum (a, "role", FALSE, role_from_string, &v, error))
        return NULL;
      self->actor_role = v;
    }

  v = IOC_ACTION_INVALID;
  if (!get_enum (object, "action", TRUE, action_from_string, &v, error))
    return NULL;
  self->action = v;
  v = IOC_TASK_STATE_INVALID;
  if (!get_enum (object, "from_state", FALSE, state_from_string, &v, error))
    return NULL;
  self->from_state = v;
  v = IOC_TASK_STATE_INVALID;
  if (!get_enum (object, "to_state", FALSE, state_from_string, &v, error))
    return NULL;
  self->to_state = v;

  if (!ioc_json_get_string (object, "note", FALSE, 0, &self->note, error) ||
      !ioc_json_get_string (object, "department", FALSE, 0, &self->department, error) ||
      !ioc_json_get_time (object, "due_at", FALSE, &self->due_at, error) ||
      !ioc_json_get_int (object, "duplicate_of", FALSE, 0, G_MAXINT64, &self->duplicate_of, error) ||
      !ioc_json_get_int (object, "rating", FALSE, 0, 5, &self->rating, error))
    return NULL;

  return g_steal_pointer (&self);
}
