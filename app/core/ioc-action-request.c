/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-action-request.h"
#include "ioc-error.h"
#include "ioc-json.h"
#include "ioc-task.h"
#include "ioc-workflow.h"

IocActionRequest *
ioc_action_request_new (IocAction action)
{
  IocActionRequest *self = g_new0 (IocActionRequest, 1);

  self->action = action;
  return self;
}

void
ioc_action_request_free (IocActionRequest *self)
{
  if (self == NULL)
    return;
  g_free (self->note);
  g_free (self->department);
  g_free (self);
}

IocActionRequest *
ioc_action_request_from_json (IocAction    action,
                              JsonObject  *object,
                              GError     **error)
{
  const IocWorkflowRule *rule = ioc_workflow_rule (action);
  g_autoptr(IocActionRequest) self = NULL;
  IocFields fields;

  if (rule == NULL)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_NOT_FOUND, "unknown action");
      return NULL;
    }

  self = ioc_action_request_new (action);
  fields = rule->required | rule->optional;

  /* A comment changes no field of the task, so it may come without a version. */
  if (!ioc_json_get_int (object, "version", action != IOC_ACTION_COMMENT, 1, G_MAXINT64,
                         &self->version, error))
    return NULL;

  if ((fields & IOC_FIELD_NOTE) &&
      !ioc_json_get_string (object, rule->note_name, (rule->required & IOC_FIELD_NOTE) != 0,
                            IOC_TASK_NOTE_MAX, &self->note, error))
    return NULL;

  if ((fields & IOC_FIELD_DEPARTMENT) &&
      !ioc_json_get_string (object, "department", (rule->required & IOC_FIELD_DEPARTMENT) != 0,
                            64, &self->department, error))
    return NULL;

  if ((fields & IOC_FIELD_DUE_AT) &&
      !ioc_json_get_time (object, "due_at", (rule->required & IOC_FIELD_DUE_AT) != 0,
                          &self->due_at, error))
    return NULL;

  if ((fields & IOC_FIELD_DUPLICATE_OF) &&
      !ioc_json_get_int (object, "duplicate_of", (rule->required & IOC_FIELD_DUPLICATE_OF) != 0,
                         1, G_MAXINT64, &self->duplicate_of, error))
    return NULL;

  if ((fields & IOC_FIELD_RATING) &&
      !ioc_json_get_int (object, "rating", (rule->required & IOC_FIELD_RATING) != 0,
                         1, 5, &self->rating, error))
    return NULL;

  return g_steal_pointer (&self);
}

JsonNode *
ioc_action_request_to_json (const IocActionRequest *self)
{
  const IocWorkflowRule *rule = ioc_workflow_rule (self->action);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  if (self->version > 0)
    {
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, self->version);
    }
  if (self->note != NULL && rule != NULL)
    {
      json_builder_set_member_name (builder, rule->note_name);
      json_builder_add_string_value (builder, self->note);
    }
  if (self->department != NULL)
    {
      json_builder_set_member_name (builder, "department");
      json_builder_add_string_value (builder, self->department);
    }
  if (self->due_at != 0)
    ioc_json_add_time (builder, "due_at", self->due_at);
  if (self->duplicate_of > 0)
    {
      json_builder_set_member_name (builder, "duplicate_of");
      json_builder_add_int_value (builder, self->duplicate_of);
    }
  if (self->rating > 0)
    {
      json_builder_set_member_name (builder, "rating");
      json_builder_add_int_value (builder, self->rating);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
