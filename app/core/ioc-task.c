/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-error.h"
#include "ioc-geo.h"
#include "ioc-json.h"
#include "ioc-task.h"
#include "ioc-text.h"

G_DEFINE_BOXED_TYPE (IocTask, ioc_task, ioc_task_ref, ioc_task_unref)

IocTask *
ioc_task_new (void)
{
  IocTask *self = g_atomic_rc_box_new0 (IocTask);

  self->source = IOC_SOURCE_OPERATOR;
  self->priority = IOC_PRIORITY_NORMAL;
  self->state = IOC_TASK_STATE_RECEIVED;
  return self;
}

IocTask *
ioc_task_ref (IocTask *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
ioc_task_clear (gpointer data)
{
  IocTask *self = data;

  g_free (self->category);
  g_free (self->title);
  g_free (self->description);
  g_free (self->address);
  g_free (self->commune);
  g_strfreev (self->media);
  g_free (self->reporter_name);
  g_free (self->reporter_phone);
  g_free (self->reporter_email);
  g_free (self->department);
  g_free (self->result);
  g_free (self->attributes);
  g_free (self->client);
  g_clear_pointer (&self->timeline, g_ptr_array_unref);
}

void
ioc_task_unref (IocTask *self)
{
  g_atomic_rc_box_release_full (self, ioc_task_clear);
}

IocTask *
ioc_task_copy (const IocTask *self)
{
  IocTask *copy = ioc_task_new ();

  *copy = *self;
  copy->category = g_strdup (self->category);
  copy->title = g_strdup (self->title);
  copy->description = g_strdup (self->description);
  copy->address = g_strdup (self->address);
  copy->commune = g_strdup (self->commune);
  copy->media = g_strdupv (self->media);
  copy->reporter_name = g_strdup (self->reporter_name);
  copy->reporter_phone = g_strdup (self->reporter_phone);
  copy->reporter_email = g_strdup (self->reporter_email);
  copy->department = g_strdup (self->department);
  copy->result = g_strdup (self->result);
  copy->attributes = g_strdup (self->attributes);
  copy->client = g_strdup (self->client);
  copy->timeline = self->timeline ? g_ptr_array_ref (self->timeline) : NULL;
  return copy;
}

gboolean
ioc_task_is_overdue (const IocTask *self,
                     gint64         now)
{
  return self->due_at != 0 && now > self->due_at && ioc_task_state_can_be_overdue (self->state);
}

char *
ioc_task_dup_search_text (const IocTask *self)
{
  g_autofree char *joined = g_strdup_printf ("#%" G_GINT64_FORMAT " %s %s %s",
                                             self->id,
                                             self->title ? self->title : "",
                                             self->description ? self->description : "",
                                             self->address ? self->address : "");

  return ioc_text_fold (joined);
}

void
ioc_task_to_json (const IocTask    *self,
                  JsonBuilder      *builder,
                  IocTaskJsonFlags  flags,
                  gint64            now)
{
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, self->id);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, self->version);
  ioc_json_add_string_or_null (builder, "source", ioc_source_to_string (self->source));
  ioc_json_add_string_or_null (builder, "category", self->category);
  ioc_json_add_string_or_null (builder, "title", self->title);
  ioc_json_add_string_or_null (builder, "description", self->description);

  json_builder_set_member_name (builder, "location");
  if (self->has_location)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "lat");
      json_builder_add_double_value (builder, self->lat);
      json_builder_set_member_name (builder, "lon");
      json_builder_add_double_value (builder, self->lon);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);

  ioc_json_add_string_or_null (builder, "address", self->address);
  ioc_json_add_string_or_null (builder, "commune", self->commune);

  json_builder_set_member_name (builder, "media");
  json_builder_begin_array (builder);
  for (guint i = 0; self->media != NULL && self->media[i] != NULL; i++)
    json_builder_add_string_value (builder, self->media[i]);
  json_builder_end_array (builder);

  if (flags & IOC_TASK_JSON_REPORTER)
    {
      json_builder_set_member_name (builder, "reporter");
      json_builder_begin_object (builder);
      ioc_json_add_string_or_null (builder, "name", self->reporter_name);
      ioc_json_add_string_or_null (builder, "phone", self->reporter_phone);
      ioc_json_add_string_or_null (builder, "email", self->reporter_email);
      json_builder_end_object (builder);
    }

  ioc_json_add_string_or_null (builder, "priority", ioc_priority_to_string (self->priority));
  ioc_json_add_string_or_null (builder, "state", ioc_task_state_to_string (self->state));
  ioc_json_add_string_or_null (builder, "department", self->department);
  ioc_json_add_time (builder, "due_at", self->due_at);
  ioc_json_add_time (builder, "created_at", self->created_at);
  ioc_json_add_time (builder, "updated_at", self->updated_at);

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
  ioc_json_add_string_or_null (builder, "result", self->result);

  if (self->attributes != NULL)
    {
      g_autoptr(JsonNode) attributes = json_from_string (self->attributes, NULL);

      if (attributes != NULL && JSON_NODE_HOLDS_OBJECT (attributes))
        {
          json_builder_set_member_name (builder, "attributes");
          json_builder_add_value (builder, g_steal_pointer (&attributes));
        }
    }
  ioc_json_add_string_or_null (builder, "client", self->client);

  json_builder_set_member_name (builder, "overdue");
  json_builder_add_boolean_value (builder, ioc_task_is_overdue (self, now));

  if ((flags & IOC_TASK_JSON_TIMELINE) && self->timeline != NULL)
    {
      json_builder_set_member_name (builder, "timeline");
      json_builder_begin_array (builder);
      for (guint i = 0; i < self->timeline->len; i++)
        ioc_timeline_entry_to_json (g_ptr_array_index (self->timeline, i), builder);
      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);
}

JsonNode *
ioc_task_to_json_node (const IocTask    *self,
                       IocTaskJsonFlags  flags,
                       gint64            now)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  ioc_task_to_json (self, builder, flags, now);
  return json_builder_get_root (builder);
}

static gboolean
read_location (JsonObject  *object,
               IocTask     *self,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, "location");
  JsonObject *loc;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      self->has_location = FALSE;
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      ioc_set_field_error (error, "location", "must be an object with lat and lon");
      return FALSE;
    }

  loc = json_node_get_object (node);
  if (!ioc_json_get_double (loc, "lat", TRUE, -90.0, 90.0, &self->lat, NULL))
    {
      ioc_set_field_error (error, "location.lat", "must be a number between -90 and 90");
      return FALSE;
    }
  if (!ioc_json_get_double (loc, "lon", TRUE, -180.0, 180.0, &self->lon, NULL))
    {
      ioc_set_field_error (error, "location.lon", "must be a number between -180 and 180");
      return FALSE;
    }

  self->has_location = TRUE;
  return TRUE;
}

static gboolean
read_media (JsonObject  *object,
            IocTask     *self,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, "media");
  g_autoptr(GStrvBuilder) strv = NULL;
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      ioc_set_field_error (error, "media", "must be an array of strings");
      return FALSE;
    }

  array = json_node_get_array (node);
  if (json_array_get_length (array) > IOC_TASK_MEDIA_MAX)
    {
      ioc_set_field_error (error, "media", "holds more than %d items", IOC_TASK_MEDIA_MAX);
      return FALSE;
    }

  strv = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING ||
          g_utf8_strlen (json_node_get_string (item), -1) > 2000)
        {
          ioc_set_field_error (error, "media", "must be an array of strings (at most 2,000 characters each)");
          return FALSE;
        }
      g_strv_builder_add (strv, json_node_get_string (item));
    }

  g_strfreev (self->media);
  self->media = g_strv_builder_end (strv);
  return TRUE;
}

static gboolean
read_reporter (JsonObject  *object,
               IocTask     *self,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, "reporter");
  JsonObject *r;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      ioc_set_field_error (error, "reporter", "must be an object");
      return FALSE;
    }

  r = json_node_get_object (node);
  if (!ioc_json_get_string (r, "name", FALSE, 200, &self->reporter_name, NULL))
    {
      ioc_set_field_error (error, "reporter.name", "must be a string of at most 200 characters");
      return FALSE;
    }
  if (!ioc_json_get_string (r, "phone", FALSE, 32, &self->reporter_phone, NULL))
    {
      ioc_set_field_error (error, "reporter.phone", "must be a string of at most 32 characters");
      return FALSE;
    }
  if (!ioc_json_get_string (r, "email", FALSE, 254, &self->reporter_email, NULL))
    {
      ioc_set_field_error (error, "reporter.email", "must be a string of at most 254 characters");
      return FALSE;
    }

  return TRUE;
}

static gboolean
read_enum (JsonObject  *object,
           const char  *field,
           gboolean     required,
           int        (*from_string) (const char *text),
           int         *out,
           GError     **error)
{
  g_autofree char *text = NULL;
  int value;

  if (!ioc_json_get_string (object, field, required, 64, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  value = from_string (text);
  if (value < 0)
    {
      ioc_set_field_error (error, field, "unknown value “%s”", text);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

static int source_from_string (const char *t) { return ioc_source_from_string (t); }
static int priority_from_string (const char *t) { return ioc_priority_from_string (t); }
static int state_from_string (const char *t) { return ioc_task_state_from_string (t); }

static gboolean
read_common (JsonObject  *object,
             IocTask     *self,
             GError     **error)
{
  int priority = self->priority;

  if (!ioc_json_get_string (object, "category", TRUE, 64, &self->category, error) ||
      !ioc_json_get_string (object, "title", TRUE, IOC_TASK_TITLE_MAX, &self->title, error) ||
      !ioc_json_get_string (object, "description", FALSE, IOC_TASK_DESCRIPTION_MAX, &self->description, error) ||
      !ioc_json_get_string (object, "address", FALSE, IOC_TASK_ADDRESS_MAX, &self->address, error) ||
      !ioc_json_get_string (object, "commune", FALSE, 16, &self->commune, error) ||
      !read_location (object, self, error) ||
      !read_media (object, self, error) ||
      !read_reporter (object, self, error) ||
      !read_enum (object, "priority", FALSE, priority_from_string, &priority, error))
    return FALSE;

  self->priority = priority;
  return TRUE;
}

static gboolean
has_text (const char *text)
{
  for (const char *p = text; p != NULL && *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

IocTask *
ioc_task_new_from_intake (JsonObject  *object,
                          GError     **error)
{
  g_autoptr(IocTask) self = ioc_task_new ();
  int source = IOC_SOURCE_HOTLINE;

  if (!read_common (object, self, error) ||
      !read_enum (object, "source", FALSE, source_from_string, &source, error))
    return NULL;

  if (source == IOC_SOURCE_SENSOR)
    {
      ioc_set_field_error (error, "source", "sensor tasks are opened by the sensor rules only");
      return NULL;
    }

  if (!self->has_location && !has_text (self->address))
    {
      ioc_set_field_error (error, "location", "a location or an address is required");
      return NULL;
    }

  self->source = source;
  self->state = IOC_TASK_STATE_RECEIVED;
  return g_steal_pointer (&self);
}

IocTask *
ioc_task_from_json (JsonObject  *object,
                    GError     **error)
{
  g_autoptr(IocTask) self = ioc_task_new ();
  int source = self->source;
  int state = self->state;

  if (!ioc_json_get_int (object, "id", TRUE, 1, G_MAXINT64, &self->id, error) ||
      !ioc_json_get_int (object, "version", TRUE, 0, G_MAXINT64, &self->version, error) ||
      !read_common (object, self, error) ||
      !read_enum (object, "source", TRUE, source_from_string, &source, error) ||
      !read_enum (object, "state", TRUE, state_from_string, &state, error) ||
      !ioc_json_get_string (object, "department", FALSE, 64, &self->department, error) ||
      !ioc_json_get_time (object, "due_at", FALSE, &self->due_at, error) ||
      !ioc_json_get_time (object, "created_at", TRUE, &self->created_at, error) ||
      !ioc_json_get_time (object, "updated_at", TRUE, &self->updated_at, error) ||
      !ioc_json_get_int (object, "duplicate_of", FALSE, 1, G_MAXINT64, &self->duplicate_of, error) ||
      !ioc_json_get_int (object, "rating", FALSE, 1, 5, &self->rating, error) ||
      !ioc_json_get_string (object, "result", FALSE, 0, &self->result, error) ||
      !ioc_json_get_string (object, "client", FALSE, 0, &self->client, error))
    return NULL;

  if (json_object_has_member (object, "attributes"))
    {
      JsonNode *attributes = json_object_get_member (object, "attributes");

      if (!JSON_NODE_HOLDS_OBJECT (attributes) && !JSON_NODE_HOLDS_NULL (attributes))
        {
          ioc_set_field_error (error, "attributes", "must be an object");
          return NULL;
        }
      if (JSON_NODE_HOLDS_OBJECT (attributes))
        self->attributes = json_to_string (attributes, FALSE);
    }

  self->source = source;
  self->state = state;

  if (json_object_has_member (object, "timeline"))
    {
      JsonNode *node = json_object_get_member (object, "timeline");
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          ioc_set_field_error (error, "timeline", "must be an array");
          return NULL;
        }

      array = json_node_get_array (node);
      self->timeline = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_timeline_entry_unref);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          IocTimelineEntry *entry;

          if (!JSON_NODE_HOLDS_OBJECT (item))
            {
              ioc_set_field_error (error, "timeline", "must hold objects");
              return NULL;
            }
          entry = ioc_timeline_entry_from_json (json_node_get_object (item), error);
          if (entry == NULL)
            return NULL;
          entry->task_id = self->id;
          g_ptr_array_add (self->timeline, entry);
        }
    }

  return g_steal_pointer (&self);
}
