/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include <math.h>

#include "ioc-error.h"
#include "ioc-json.h"
#include "ioc-station.h"

G_DEFINE_BOXED_TYPE (IocStation, ioc_station, ioc_station_ref, ioc_station_unref)

static const char * const kind_names[] = { "water_level", "rainfall", "air_quality" };
G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == IOC_N_STATION_KINDS);

IocStation *
ioc_station_new (void)
{
  return g_atomic_rc_box_new0 (IocStation);
}

IocStation *
ioc_station_ref (IocStation *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
ioc_station_clear (gpointer data)
{
  IocStation *self = data;

  g_free (self->code);
  g_free (self->name);
  g_free (self->unit);
  g_free (self->commune);
  g_free (self->note);
}

void
ioc_station_unref (IocStation *self)
{
  g_atomic_rc_box_release_full (self, ioc_station_clear);
}

const char *
ioc_station_kind_to_string (IocStationKind kind)
{
  if ((int) kind < 0 || kind >= IOC_N_STATION_KINDS)
    return NULL;
  return kind_names[kind];
}

IocStationKind
ioc_station_kind_from_string (const char *str)
{
  for (guint i = 0; str != NULL && i < IOC_N_STATION_KINDS; i++)
    if (g_str_equal (str, kind_names[i]))
      return i;
  return IOC_STATION_KIND_INVALID;
}

int
ioc_station_level_of (const IocStation *self,
                      double            value)
{
  int level = 0;

  for (int i = 0; i < IOC_STATION_N_LEVELS; i++)
    if (self->has_level[i] && value >= self->levels[i])
      level = i + 1;

  return level;
}

IocStationAlarmAction
ioc_station_alarm_step (const IocStation *self,
                        int               current_level,
                        double            value,
                        int              *new_level)
{
  int level = ioc_station_level_of (self, value);

  *new_level = level;

  /* Armed: the first reading at or over any level opens the episode's one task. */
  if (current_level <= 0)
    return level > 0 ? IOC_STATION_ALARM_OPEN : IOC_STATION_ALARM_NONE;

  /* Only going back below the lowest level ends the episode; water that
   * hovers around a level must not open a task on every wave. */
  if (level == 0)
    return IOC_STATION_ALARM_REARM;

  if (level > current_level)
    return IOC_STATION_ALARM_RAISE;

  /* Falling between levels keeps the task; only the current level drops. */
  return IOC_STATION_ALARM_NONE;
}

IocPriority
ioc_station_level_priority (int level)
{
  if (level >= 3)
    return IOC_PRIORITY_URGENT;
  if (level == 2)
    return IOC_PRIORITY_HIGH;
  return IOC_PRIORITY_NORMAL;
}

const char *
ioc_station_level_name (int level)
{
  static const char * const names[] = { "0", "I", "II", "III" };

  return names[CLAMP (level, 0, 3)];
}

void
ioc_station_to_json (const IocStation *self,
                     JsonBuilder      *builder)
{
  json_builder_begin_object (builder);
  ioc_json_add_string_or_null (builder, "code", self->code);
  ioc_json_add_string_or_null (builder, "name", self->name);
  ioc_json_add_string_or_null (builder, "kind", ioc_station_kind_to_string (self->kind));
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
  ioc_json_add_string_or_null (builder, "unit", self->unit);
  json_builder_set_member_name (builder, "levels");
  json_builder_begin_array (builder);
  for (int i = 0; i < IOC_STATION_N_LEVELS; i++)
    if (self->has_level[i])
      json_builder_add_double_value (builder, self->levels[i]);
    else
      json_builder_add_null_value (builder);
  json_builder_end_array (builder);
  ioc_json_add_string_or_null (builder, "commune", self->commune);
  ioc_json_add_string_or_null (builder, "note", self->note);
  json_builder_set_member_name (builder, "alarm_level");
  json_builder_add_int_value (builder, self->alarm_level);
  json_builder_set_member_name (builder, "alarm_task");
  if (self->alarm_task > 0)
    json_builder_add_int_value (builder, self->alarm_task);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

IocStation *
ioc_station_from_json (JsonObject  *object,
                       GError     **error)
{
  g_autoptr(IocStation) self = ioc_station_new ();
  g_autofree char *kind = NULL;
  JsonNode *node;
  double previous = -INFINITY;

  if (!ioc_json_get_string (object, "code", TRUE, 64, &self->code, error) ||
      !ioc_json_get_string (object, "name", TRUE, 200, &self->name, error) ||
      !ioc_json_get_string (object, "kind", TRUE, 32, &kind, error) ||
      !ioc_json_get_string (object, "unit", TRUE, 32, &self->unit, error) ||
      !ioc_json_get_string (object, "commune", FALSE, 16, &self->commune, error) ||
      !ioc_json_get_string (object, "note", FALSE, 1000, &self->note, error))
    return NULL;

  self->kind = ioc_station_kind_from_string (kind);
  if ((int) self->kind < 0)
    {
      ioc_set_field_error (error, "kind", "must be water_level, rainfall or air_quality");
      return NULL;
    }

  node = json_object_get_member (object, "location");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      JsonObject *location;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          ioc_set_field_error (error, "location", "must be an object with lat and lon");
          return NULL;
        }
      location = json_node_get_object (node);
      if (!ioc_json_get_double (location, "lat", TRUE, -90, 90, &self->lat, error) ||
          !ioc_json_get_double (location, "lon", TRUE, -180, 180, &self->lon, error))
        return NULL;
      self->has_location = TRUE;
    }

  node = json_object_get_member (object, "levels");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      JsonArray *levels;

      if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) > IOC_STATION_N_LEVELS)
        {
          ioc_set_field_error (error, "levels", "must be an array of up to three numbers or nulls");
          return NULL;
        }
      levels = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (levels); i++)
        {
          JsonNode *level = json_array_get_element (levels, i);

          if (JSON_NODE_HOLDS_NULL (level))
            continue;
          if (!JSON_NODE_HOLDS_VALUE (level) ||
              (json_node_get_value_type (level) != G_TYPE_DOUBLE &&
               json_node_get_value_type (level) != G_TYPE_INT64))
            {
              ioc_set_field_error (error, "levels", "must hold numbers or nulls");
              return NULL;
            }
          self->levels[i] = json_node_get_double (level);
          if (!isfinite (self->levels[i]) || self->levels[i] <= previous)
            {
              ioc_set_field_error (error, "levels", "must be finite and ascending");
              return NULL;
            }
          previous = self->levels[i];
          self->has_level[i] = TRUE;
        }
    }

  {
    gint64 level = 0;
    gint64 task = 0;

    if (!ioc_json_get_int (object, "alarm_level", FALSE, 0, IOC_STATION_N_LEVELS, &level, error) ||
        !ioc_json_get_int (object, "alarm_task", FALSE, 0, G_MAXINT64, &task, error))
      return NULL;
    self->alarm_level = level;
    self->alarm_task = task;
  }

  return g_steal_pointer (&self);
}
