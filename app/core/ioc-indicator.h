/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The string forms are the wire format (JSON, CSV and the database). */

typedef enum {
  IOC_FREQUENCY_REALTIME,
  IOC_FREQUENCY_DAILY,
  IOC_FREQUENCY_MONTHLY,
  IOC_FREQUENCY_QUARTERLY,
  IOC_FREQUENCY_YEARLY,
  IOC_N_FREQUENCIES,
  IOC_FREQUENCY_INVALID = -1,
} IocFrequency;

typedef enum {
  IOC_DIRECTION_HIGHER_IS_BETTER,
  IOC_DIRECTION_LOWER_IS_BETTER,
  IOC_N_DIRECTIONS,
  IOC_DIRECTION_INVALID = -1,
} IocDirection;

typedef enum {
  IOC_INDICATOR_STATUS_OK,
  IOC_INDICATOR_STATUS_WARNING,
  IOC_INDICATOR_STATUS_ALERT,
  IOC_INDICATOR_STATUS_STALE,
  IOC_INDICATOR_STATUS_NO_DATA,
  IOC_N_INDICATOR_STATUSES,
} IocIndicatorStatus;

const char         *ioc_frequency_to_string        (IocFrequency frequency);
IocFrequency        ioc_frequency_from_string      (const char  *str);
const char         *ioc_direction_to_string        (IocDirection direction);
IocDirection        ioc_direction_from_string      (const char  *str);
const char         *ioc_indicator_status_to_string (IocIndicatorStatus status);

/* One indicator of the catalogue. */
typedef struct {
  char         *code;
  char         *name_vi;
  char         *name_en;
  char         *domain;
  char         *unit;         /* in the city's language, as name_vi */
  char         *unit_en;      /* in English, as name_en; NULL when the same */
  IocFrequency  frequency;
  char         *department;   /* the owning department: its liaisons submit the values */
  IocDirection  direction;
  gboolean      has_warning;
  double        warning;
  gboolean      has_alert;
  double        alert;
  char         *chart;        /* "line" or "bar" */
  char         *description;
} IocIndicator;

/* One value of an indicator for one period, city-wide or for one commune. */
typedef struct {
  char   *indicator;
  gint64  period;        /* the start of the period, µs since the epoch */
  char   *area;          /* a commune code, or NULL for the whole city */
  double  value;
  gint64  submitted_by;  /* user id, 0 when seeded */
  gint64  submitted_at;
} IocObservation;

#define IOC_TYPE_INDICATOR (ioc_indicator_get_type ())
#define IOC_TYPE_OBSERVATION (ioc_observation_get_type ())

GType           ioc_indicator_get_type    (void) G_GNUC_CONST;
IocIndicator   *ioc_indicator_new         (void);
IocIndicator   *ioc_indicator_ref         (IocIndicator *self);
void            ioc_indicator_unref       (IocIndicator *self);
void            ioc_indicator_to_json     (const IocIndicator *self,
                                           JsonBuilder        *builder);
/* Only the catalogue's members, as an object body: without the begin/end. */
void            ioc_indicator_add_members (const IocIndicator *self,
                                           JsonBuilder        *builder);
IocIndicator   *ioc_indicator_from_json   (JsonObject   *object,
                                           GError      **error);

GType           ioc_observation_get_type  (void) G_GNUC_CONST;
IocObservation *ioc_observation_new       (void);
IocObservation *ioc_observation_ref       (IocObservation *self);
void            ioc_observation_unref     (IocObservation *self);
void            ioc_observation_to_json   (const IocObservation *self,
                                           JsonBuilder          *builder);
/* Reads { indicator, period, area?, value } as submitted; the period may be
 * a time with an offset or a local YYYY-MM / YYYY-MM-DD
 * (ioc_indicator_parse_period). Whether the indicator and the area exist is
 * for the caller to check. */
IocObservation *ioc_observation_from_json (JsonObject   *object,
                                           GError      **error);

/* An ISO 8601 time with an offset, or YYYY-MM / YYYY-MM-DD read as the
 * local midnight that starts it (ioc_time_zone ()). */
gboolean        ioc_indicator_parse_period (const char *text,
                                            gint64     *usec);
/* A value as submitted (CSV or JSON text): a plain decimal number, no hex,
 * inf or nan that strtod would take. */
gboolean        ioc_indicator_parse_value  (const char *text,
                                            double     *value);
/* The start of the period of @frequency that holds @usec, in local time
 * (a realtime period is the instant itself). */
gint64          ioc_indicator_period_start (IocFrequency frequency,
                                            gint64       usec);
/* The start of the period @n periods after the one starting at @period_start. */
gint64          ioc_indicator_period_add   (IocFrequency frequency,
                                            gint64       period_start,
                                            int          n);
/* When an indicator whose latest value is for @period becomes stale.
 *
 * The value for a period is reported after it closes, during the next one:
 * the value for P+1 is due by the end of P+2. So a latest value for P is
 * stale once P+3 has begun (monthly: January's value is the latest until
 * the end of March; from 1 April, February's is overdue). Realtime values
 * are stale after an hour. */
gint64          ioc_indicator_stale_at     (IocFrequency frequency,
                                            gint64       period);

/* Stale comes before the thresholds: an old value is never shown as current.
 * Thresholds are inclusive: with higher-is-better a value at or below the
 * alert threshold is an alert, at or below the warning one a warning; with
 * lower-is-better at or above. @age (may be NULL) gets now − period in µs,
 * or 0 without data. */
IocIndicatorStatus ioc_indicator_status   (const IocIndicator   *indicator,
                                           const IocObservation *latest,
                                           gint64                now,
                                           gint64               *age);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocIndicator, ioc_indicator_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocObservation, ioc_observation_unref)

G_END_DECLS
