/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ioc-enums.h"

G_BEGIN_DECLS

typedef enum {
  IOC_STATION_WATER_LEVEL,
  IOC_STATION_RAINFALL,
  IOC_STATION_AIR_QUALITY,
  IOC_N_STATION_KINDS,
  IOC_STATION_KIND_INVALID = -1,
} IocStationKind;

#define IOC_STATION_N_LEVELS 3

/* A sensor station: a hydrological gauge, a rain gauge or an air monitor,
 * with up to three alarm levels (báo động I, II, III) in its unit. */
typedef struct {
  char           *code;
  char           *name;
  IocStationKind  kind;
  gboolean        has_location;
  double          lat;
  double          lon;
  char           *unit;
  gboolean        has_level[IOC_STATION_N_LEVELS];
  double          levels[IOC_STATION_N_LEVELS];   /* ascending where present */
  char           *commune;
  char           *note;

  /* Alarm state, kept by the server: the level of the latest reading while
   * an alarm episode lasts (0: armed), and the task it opened (0: none). */
  int             alarm_level;
  gint64          alarm_task;
} IocStation;

/* What the alarm rule asks the caller to do after one reading. */
typedef enum {
  IOC_STATION_ALARM_NONE,    /* nothing beyond storing the new level */
  IOC_STATION_ALARM_OPEN,    /* the reading crossed a level from the armed state: open one task */
  IOC_STATION_ALARM_RAISE,   /* a higher level during an episode: raise the episode task's priority */
  IOC_STATION_ALARM_REARM,   /* back below the lowest level: the episode ends, the next crossing opens a task */
} IocStationAlarmAction;

#define IOC_TYPE_STATION (ioc_station_get_type ())

GType          ioc_station_get_type        (void) G_GNUC_CONST;
IocStation    *ioc_station_new             (void);
IocStation    *ioc_station_ref             (IocStation *self);
void           ioc_station_unref           (IocStation *self);

const char    *ioc_station_kind_to_string   (IocStationKind kind);
IocStationKind ioc_station_kind_from_string (const char *str);

/* The alarm level (0–3) that @value reaches: the highest present level it
 * is at or above. */
int            ioc_station_level_of        (const IocStation *self,
                                            double            value);

/* The alarm rule, with hysteresis: pure, so the server, the demo seed and
 * the tests share it. From @current_level (0 = armed), a reading of @value
 * leads to the level returned in @new_level and the action returned. */
IocStationAlarmAction ioc_station_alarm_step (const IocStation *self,
                                              int               current_level,
                                              double            value,
                                              int              *new_level);

/* The priority of a task opened or raised at @level (1: normal, 2: high, 3: urgent). */
IocPriority    ioc_station_level_priority  (int level);

/* Roman numeral of a level for titles: "I", "II", "III". */
const char    *ioc_station_level_name      (int level);

void           ioc_station_to_json         (const IocStation *self,
                                            JsonBuilder      *builder);
/* Validates a station definition (levels ascending, coordinates in range). */
IocStation    *ioc_station_from_json       (JsonObject       *object,
                                            GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocStation, ioc_station_unref)

G_END_DECLS
