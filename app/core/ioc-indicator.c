/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ioc-error.h"
#include "ioc-indicator.h"
#include "ioc-json.h"
#include "ioc-time.h"

#define CODE_MAX 64
#define INDICATOR_NAME_MAX 300
#define TEXT_MAX 4000

static const char * const frequencies[] = { "realtime", "daily", "monthly", "quarterly", "yearly" };
static const char * const directions[] = { "higher", "lower" };
static const char * const statuses[] = { "ok", "warning", "alert", "stale", "no_data" };

G_STATIC_ASSERT (G_N_ELEMENTS (frequencies) == IOC_N_FREQUENCIES);
G_STATIC_ASSERT (G_N_ELEMENTS (directions) == IOC_N_DIRECTIONS);
G_STATIC_ASSERT (G_N_ELEMENTS (statuses) == IOC_N_INDICATOR_STATUSES);

static int
lookup (const char * const *names,
        guint               n,
        const char         *str)
{
  if (str == NULL)
    return -1;
  for (guint i = 0; i < n; i++)
    if (g_str_equal (names[i], str))
      return i;
  return -1;
}

const char *
ioc_frequency_to_string (IocFrequency frequency)
{
  g_return_val_if_fail (frequency >= 0 && frequency < IOC_N_FREQUENCIES, NULL);
  return frequencies[frequency];
}

IocFrequency
ioc_frequency_from_string (const char *str)
{
  return lookup (frequencies, IOC_N_FREQUENCIES, str);
}

const char *
ioc_direction_to_string (IocDirection direction)
{
  g_return_val_if_fail (direction >= 0 && direction < IOC_N_DIRECTIONS, NULL);
  return directions[direction];
}

IocDirection
ioc_direction_from_string (const char *str)
{
  return lookup (directions, IOC_N_DIRECTIONS, str);
}

const char *
ioc_indicator_status_to_string (IocIndicatorStatus status)
{
  g_return_val_if_fail (status < IOC_N_INDICATOR_STATUSES, NULL);
  return statuses[status];
}

/* Indicators */

G_DEFINE_BOXED_TYPE (IocIndicator, ioc_indicator, ioc_indicator_ref, ioc_indicator_unref)

IocIndicator *
ioc_indicator_new (void)
{
  IocIndicator *self = g_atomic_rc_box_new0 (IocIndicator);

  self->frequency = IOC_FREQUENCY_MONTHLY;
  self->direction = IOC_DIRECTION_HIGHER_IS_BETTER;
  return self;
}

IocIndicator *
ioc_indicator_ref (IocIndicator *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
ioc_indicator_clear (gpointer data)
{
  IocIndicator *self = data;

  g_free (self->code);
  g_free (self->name_vi);
  g_free (self->name_en);
  g_free (self->domain);
  g_free (self->unit);
  g_free (self->unit_en);
  g_free (self->department);
  g_free (self->chart);
  g_free (self->description);
}

void
ioc_indicator_unref (IocIndicator *self)
{
  g_atomic_rc_box_release_full (self, ioc_indicator_clear);
}

static void
add_double_or_null (JsonBuilder *b,
                    const char  *field,
                    gboolean     has,
                    double       value)
{
  json_builder_set_member_name (b, field);
  if (has)
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
ioc_indicator_add_members (const IocIndicator *self,
                           JsonBuilder        *b)
{
  ioc_json_add_string_or_null (b, "code", self->code);
  ioc_json_add_string_or_null (b, "name_vi", self->name_vi);
  ioc_json_add_string_or_null (b, "name_en", self->name_en);
  ioc_json_add_string_or_null (b, "domain", self->domain);
  ioc_json_add_string_or_null (b, "unit", self->unit);
  ioc_json_add_string_or_null (b, "unit_en", self->unit_en);
  ioc_json_add_string_or_null (b, "frequency", ioc_frequency_to_string (self->frequency));
  ioc_json_add_string_or_null (b, "department", self->department);
  ioc_json_add_string_or_null (b, "direction", ioc_direction_to_string (self->direction));
  add_double_or_null (b, "warning", self->has_warning, self->warning);
  add_double_or_null (b, "alert", self->has_alert, self->alert);
  ioc_json_add_string_or_null (b, "chart", self->chart ? self->chart : "line");
  ioc_json_add_string_or_null (b, "description", self->description);
}

void
ioc_indicator_to_json (const IocIndicator *self,
                       JsonBuilder        *b)
{
  json_builder_begin_object (b);
  ioc_indicator_add_members (self, b);
  json_builder_end_object (b);
}

static gboolean
is_code (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
get_optional_double (JsonObject  *object,
                     const char  *field,
                     gboolean    *has,
                     double      *out,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, field);

  *has = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!ioc_json_get_double (object, field, TRUE, -G_MAXDOUBLE, G_MAXDOUBLE, out, error))
    return FALSE;
  *has = TRUE;
  return TRUE;
}

IocIndicator *
ioc_indicator_from_json (JsonObject  *object,
                         GError     **error)
{
  g_autoptr(IocIndicator) self = ioc_indicator_new ();
  g_autofree char *frequency = NULL;
  g_autofree char *direction = NULL;

  if (!ioc_json_get_string (object, "code", TRUE, CODE_MAX, &self->code, error))
    return NULL;
  if (!is_code (self->code))
    {
      ioc_set_field_error (error, "code", "may hold only ASCII letters, digits, “_”, “-” and “.”");
      return NULL;
    }
  if (!ioc_json_get_string (object, "name_vi", TRUE, INDICATOR_NAME_MAX, &self->name_vi, error) ||
      !ioc_json_get_string (object, "name_en", FALSE, INDICATOR_NAME_MAX, &self->name_en, error) ||
      !ioc_json_get_string (object, "domain", TRUE, INDICATOR_NAME_MAX, &self->domain, error) ||
      !ioc_json_get_string (object, "unit", FALSE, CODE_MAX, &self->unit, error) ||
      !ioc_json_get_string (object, "unit_en", FALSE, CODE_MAX, &self->unit_en, error) ||
      !ioc_json_get_string (object, "frequency", TRUE, CODE_MAX, &frequency, error) ||
      !ioc_json_get_string (object, "department", TRUE, CODE_MAX, &self->department, error) ||
      !ioc_json_get_string (object, "direction", TRUE, CODE_MAX, &direction, error) ||
      !get_optional_double (object, "warning", &self->has_warning, &self->warning, error) ||
      !get_optional_double (object, "alert", &self->has_alert, &self->alert, error) ||
      !ioc_json_get_string (object, "chart", FALSE, CODE_MAX, &self->chart, error) ||
      !ioc_json_get_string (object, "description", FALSE, TEXT_MAX, &self->description, error))
    return NULL;

  self->frequency = ioc_frequency_from_string (frequency);
  if ((int) self->frequency < 0)
    {
      ioc_set_field_error (error, "frequency", "must be realtime, daily, monthly, quarterly or yearly");
      return NULL;
    }
  self->direction = ioc_direction_from_string (direction);
  if ((int) self->direction < 0)
    {
      ioc_set_field_error (error, "direction", "must be higher or lower (which way is better)");
      return NULL;
    }
  if (self->chart == NULL)
    self->chart = g_strdup ("line");
  else if (!g_str_equal (self->chart, "line") && !g_str_equal (self->chart, "bar"))
    {
      ioc_set_field_error (error, "chart", "must be line or bar");
      return NULL;
    }

  /* The alert is the worse of the two levels. */
  if (self->has_warning && self->has_alert &&
      (self->direction == IOC_DIRECTION_HIGHER_IS_BETTER ? self->alert > self->warning
                                                         : self->alert < self->warning))
    {
      ioc_set_field_error (error, "alert", "must be %s than the warning threshold when %s is better",
                           self->direction == IOC_DIRECTION_HIGHER_IS_BETTER ? "lower" : "higher",
                           ioc_direction_to_string (self->direction));
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* Observations */

G_DEFINE_BOXED_TYPE (IocObservation, ioc_observation, ioc_observation_ref, ioc_observation_unref)

IocObservation *
ioc_observation_new (void)
{
  return g_atomic_rc_box_new0 (IocObservation);
}

IocObservation *
ioc_observation_ref (IocObservation *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
ioc_observation_clear (gpointer data)
{
  IocObservation *self = data;

  g_free (self->indicator);
  g_free (self->area);
}

void
ioc_observation_unref (IocObservation *self)
{
  g_atomic_rc_box_release_full (self, ioc_observation_clear);
}

void
ioc_observation_to_json (const IocObservation *self,
                         JsonBuilder          *b)
{
  json_builder_begin_object (b);
  ioc_json_add_string_or_null (b, "indicator", self->indicator);
  ioc_json_add_time (b, "period", self->period);
  ioc_json_add_string_or_null (b, "area", self->area);
  json_builder_set_member_name (b, "value");
  json_builder_add_double_value (b, self->value);
  json_builder_set_member_name (b, "submitted_by");
  if (self->submitted_by != 0)
    json_builder_add_int_value (b, self->submitted_by);
  else
    json_builder_add_null_value (b);
  ioc_json_add_time (b, "submitted_at", self->submitted_at);
  json_builder_end_object (b);
}

IocObservation *
ioc_observation_from_json (JsonObject  *object,
                           GError     **error)
{
  g_autoptr(IocObservation) self = ioc_observation_new ();
  g_autofree char *period = NULL;

  if (!ioc_json_get_string (object, "indicator", TRUE, CODE_MAX, &self->indicator, error) ||
      !ioc_json_get_string (object, "period", TRUE, CODE_MAX, &period, error) ||
      !ioc_json_get_string (object, "area", FALSE, CODE_MAX, &self->area, error) ||
      !ioc_json_get_double (object, "value", TRUE, -G_MAXDOUBLE, G_MAXDOUBLE, &self->value, error))
    return NULL;

  if (!ioc_indicator_parse_period (period, &self->period))
    {
      ioc_set_field_error (error, "period", "must be YYYY-MM, YYYY-MM-DD or an ISO 8601 time with an offset");
      return NULL;
    }
  if (self->area != NULL && self->area[0] == '\0')
    g_clear_pointer (&self->area, g_free);

  return g_steal_pointer (&self);
}

/* Periods */

static gboolean
digits (const char *p,
        guint       n)
{
  for (guint i = 0; i < n; i++)
    if (!g_ascii_isdigit (p[i]))
      return FALSE;
  return TRUE;
}

static gint64
local_midnight (int year,
                int month,
                int day)
{
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) dt = g_date_time_new (tz, year, month, day, 0, 0, 0);

  return dt ? g_date_time_to_unix (dt) * G_USEC_PER_SEC : 0;
}

gboolean
ioc_indicator_parse_value (const char *text,
                           double     *value)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p) && *p != '.' && *p != '-' && *p != '+' && *p != 'e' && *p != 'E')
      return FALSE;

  *value = g_ascii_strtod (text, &end);
  return *end == '\0' && isfinite (*value);
}

gboolean
ioc_indicator_parse_period (const char *text,
                            gint64     *usec)
{
  gsize len;
  int year, month, day = 1;

  if (text == NULL)
    return FALSE;

  len = strlen (text);
  if (len == 7 || len == 10)
    {
      if (!digits (text, 4) || text[4] != '-' || !digits (text + 5, 2) ||
          (len == 10 && (text[7] != '-' || !digits (text + 8, 2))))
        return FALSE;
      year = atoi (text);
      month = atoi (text + 5);
      if (len == 10)
        day = atoi (text + 8);
      if (year < 1970 || year > 9000 || !g_date_valid_dmy (day, month, year))
        return FALSE;
      *usec = local_midnight (year, month, day);
      return *usec != 0;
    }

  return ioc_time_parse (text, usec);
}

static GDateTime *
local_time (gint64 usec)
{
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0));

  return utc ? g_date_time_to_timezone (utc, tz) : NULL;
}

gint64
ioc_indicator_period_start (IocFrequency frequency,
                            gint64       usec)
{
  g_autoptr(GDateTime) local = NULL;
  int y, m, d;

  if (frequency == IOC_FREQUENCY_REALTIME)
    return usec;

  local = local_time (usec);
  if (local == NULL)
    return usec;
  g_date_time_get_ymd (local, &y, &m, &d);

  switch (frequency)
    {
    case IOC_FREQUENCY_DAILY:
      return local_midnight (y, m, d);
    case IOC_FREQUENCY_MONTHLY:
      return local_midnight (y, m, 1);
    case IOC_FREQUENCY_QUARTERLY:
      return local_midnight (y, (m - 1) / 3 * 3 + 1, 1);
    case IOC_FREQUENCY_YEARLY:
      return local_midnight (y, 1, 1);
    case IOC_FREQUENCY_REALTIME:
    case IOC_N_FREQUENCIES:
    case IOC_FREQUENCY_INVALID:
    default:
      return usec;
    }
}

gint64
ioc_indicator_period_add (IocFrequency frequency,
                          gint64       period_start,
                          int          n)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) later = NULL;

  if (frequency == IOC_FREQUENCY_REALTIME)
    return period_start + (gint64) n * 3600 * G_USEC_PER_SEC;

  local = local_time (period_start);
  if (local == NULL)
    return period_start;

  /* Calendar arithmetic in local time: months and years differ in length. */
  switch (frequency)
    {
    case IOC_FREQUENCY_DAILY:
      later = g_date_time_add_days (local, n);
      break;
    case IOC_FREQUENCY_MONTHLY:
      later = g_date_time_add_months (local, n);
      break;
    case IOC_FREQUENCY_QUARTERLY:
      later = g_date_time_add_months (local, 3 * n);
      break;
    case IOC_FREQUENCY_YEARLY:
      later = g_date_time_add_years (local, n);
      break;
    case IOC_FREQUENCY_REALTIME:
    case IOC_N_FREQUENCIES:
    case IOC_FREQUENCY_INVALID:
    default:
      return period_start;
    }

  return later ? g_date_time_to_unix (later) * G_USEC_PER_SEC + g_date_time_get_microsecond (later) : period_start;
}

gint64
ioc_indicator_stale_at (IocFrequency frequency,
                        gint64       period)
{
  if (frequency == IOC_FREQUENCY_REALTIME)
    return period + (gint64) 3600 * G_USEC_PER_SEC;

  return ioc_indicator_period_add (frequency, ioc_indicator_period_start (frequency, period), 3);
}

IocIndicatorStatus
ioc_indicator_status (const IocIndicator   *indicator,
                      const IocObservation *latest,
                      gint64                now,
                      gint64               *age)
{
  double v;

  if (age != NULL)
    *age = 0;
  if (latest == NULL)
    return IOC_INDICATOR_STATUS_NO_DATA;

  if (age != NULL)
    *age = MAX (now - latest->period, 0);

  if (now >= ioc_indicator_stale_at (indicator->frequency, latest->period))
    return IOC_INDICATOR_STATUS_STALE;

  v = latest->value;
  if (indicator->direction == IOC_DIRECTION_HIGHER_IS_BETTER)
    {
      if (indicator->has_alert && v <= indicator->alert)
        return IOC_INDICATOR_STATUS_ALERT;
      if (indicator->has_warning && v <= indicator->warning)
        return IOC_INDICATOR_STATUS_WARNING;
    }
  else
    {
      if (indicator->has_alert && v >= indicator->alert)
        return IOC_INDICATOR_STATUS_ALERT;
      if (indicator->has_warning && v >= indicator->warning)
        return IOC_INDICATOR_STATUS_WARNING;
    }

  return IOC_INDICATOR_STATUS_OK;
}
