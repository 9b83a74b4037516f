/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "ioc-core.h"
#include "iocd-store.h"

G_BEGIN_DECLS

/* Sensor stations, their readings and alarm state. A store implements this beside IocdStore. */

/* One reading as it travels in bulk: @station points into memory the caller keeps. */
typedef struct {
  const char *station;
  gint64      at;
  double      value;
} IocdReading;

/* One point of a station's series. */
typedef struct {
  gint64 at;
  double value;
} IocdSample;

#define IOCD_TYPE_SENSOR_STORE (iocd_sensor_store_get_type ())
G_DECLARE_INTERFACE (IocdSensorStore, iocd_sensor_store, IOCD, SENSOR_STORE, GObject)

struct _IocdSensorStoreInterface
{
  GTypeInterface parent_iface;

  /* Every station (IocStation) with its alarm state, by code. */
  GPtrArray  *(*list_stations)   (IocdSensorStore   *self,
                                  GError           **error);
  /* Creates or redefines a station; its alarm state is kept when it exists. */
  gboolean    (*save_station)    (IocdSensorStore   *self,
                                  IocStation        *station,
                                  GError           **error);
  /* Stores @n readings atomically; a reading at a time a station already
   * has replaces it, and of two in @readings at one time the later wins.
   * The stations must exist. Fastest in (station, time) order. Inside a
   * batch the readings join the batch's transaction without a savepoint
   * of their own (one would copy every page they change to a temporary
   * file): when this fails, the caller rolls the batch back, as
   * iocd_sensor_ingest's callers do. */
  gboolean    (*add_readings)    (IocdSensorStore   *self,
                                  const IocdReading *readings,
                                  gsize              n,
                                  GError           **error);
  /* The readings of @station with @from <= at <= @to, oldest first (IocdSample). */
  GArray     *(*list_readings)   (IocdSensorStore   *self,
                                  const char        *station,
                                  gint64             from,
                                  gint64             to,
                                  GError           **error);
  /* The readings of @station with @from <= at <= @to as
   * ioc_series_downsample (…, @max_points) reduces them (IocSeriesPoint,
   * oldest first: all of them when they are at most @max_points), without
   * necessarily reading each one; *@count receives how many there are. */
  GArray     *(*series)          (IocdSensorStore   *self,
                                  const char        *station,
                                  gint64             from,
                                  gint64             to,
                                  guint              max_points,
                                  guint             *count,
                                  GError           **error);
  /* Station code → its newest IocdSample (g_free), for stations that have readings. */
  GHashTable *(*latest_readings) (IocdSensorStore   *self,
                                  GError           **error);
  gboolean    (*set_alarm_state) (IocdSensorStore   *self,
                                  const char        *station,
                                  int                level,
                                  gint64             task,
                                  GError           **error);
};

GPtrArray  *iocd_sensor_store_list_stations   (IocdSensorStore *self, GError **error);
gboolean    iocd_sensor_store_save_station    (IocdSensorStore *self, IocStation *station, GError **error);
gboolean    iocd_sensor_store_add_readings    (IocdSensorStore *self, const IocdReading *readings, gsize n,
                                               GError **error);
GArray     *iocd_sensor_store_list_readings   (IocdSensorStore *self, const char *station, gint64 from,
                                               gint64 to, GError **error);
GArray     *iocd_sensor_store_series          (IocdSensorStore *self, const char *station, gint64 from,
                                               gint64 to, guint max_points, guint *count, GError **error);
GHashTable *iocd_sensor_store_latest_readings (IocdSensorStore *self, GError **error);
gboolean    iocd_sensor_store_set_alarm_state (IocdSensorStore *self, const char *station, int level,
                                               gint64 task, GError **error);

/*
 * Ingest, shared by POST /readings, the demo seed and --demo-live: stores
 * @readings (already validated against the stations), then runs the alarm
 * rule per station over the readings newer than what the station had, in
 * time order, opening or raising tasks (source sensor) and updating the
 * station's alarm state. Runs inside the caller's transaction (a batch):
 * nothing here is committed on its own.
 *
 * @stations maps code → IocStation, as listed just before (its alarm state
 * is updated in place). Task times are never earlier than @now, so clients
 * following updated_since miss nothing; the seed passes 0 to date a task
 * at its crossing.
 *
 * Crossings before @tasks_since move the alarm state but open or raise no
 * task (the demo seed replays history this way). @events receives the task
 * events to publish after the commit (IocEvent, with their departments in
 * @departments, a parallel GPtrArray of strings); either may be NULL.
 */
gboolean    iocd_sensor_ingest                (IocdStore          *store,
                                               GHashTable         *stations,
                                               const IocdReading  *readings,
                                               gsize               n,
                                               gint64              now,
                                               gint64              tasks_since,
                                               GPtrArray          *events,
                                               GPtrArray          *departments,
                                               GError            **error);

/*
 * One request's worth of readings, validated: in one batch transaction,
 * ingest (above, tasks from every crossing) and one IOC_EVENT_SENSOR_READINGS
 * event whose data is { "count", "stations": [{ "code", "count", "latest":
 * { "at", "value" }, "alarm_level", "alarm_task" }] }. On success @events
 * and @departments (parallel, in sequence order) hold what to publish, and
 * *summary the event's data.
 */
gboolean    iocd_sensor_commit_readings       (IocdStore          *store,
                                               const IocdReading  *readings,
                                               gsize               n,
                                               gint64              now,
                                               GPtrArray          *events,
                                               GPtrArray          *departments,
                                               JsonNode          **summary,
                                               GError            **error);

G_END_DECLS
