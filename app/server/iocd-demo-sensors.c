/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-demo"

#include "config.h"

#include <math.h>

#include "iocd-feeds.h"
#include "iocd-sensor-store.h"
#include "iocd-server-private.h"

/*
 * Demo sensors. The Cần Thơ gauge on the Hậu River and its alarm levels are
 * real (data/cantho/flood_stations_cantho.csv); its position is approximate
 * and its readings synthetic. The rain and air stations are wholly
 * synthetic. Every value is a function of the absolute time, so
 * --demo-live continues the seeded curves without a jump.
 */

#define STEP (5 * G_TIME_SPAN_MINUTE)
#define HISTORY (60 * G_TIME_SPAN_DAY)
/* Alarm tasks only for crossings in the last two days of the history: the
 * alarm state is replayed over all 60 days, but a console should open on a
 * few recent sensor tasks, not on the hundreds the tides would have raised. */
#define TASK_WINDOW (2 * G_TIME_SPAN_DAY)
#define LIVE_INTERVAL_S 10

typedef enum {
  CURVE_TIDE,
  CURVE_RAIN,
  CURVE_AQI,
  CURVE_PM25,
} Curve;

typedef struct {
  const char     *code;
  const char     *name;
  IocStationKind  kind;
  double          lat;
  double          lon;
  const char     *unit;
  double          levels[3];
  const char     *commune;
  const char     *note;
  Curve           curve;
} DemoStation;

static const DemoStation demo_stations[] = {
  { "CANTHO", "Cần Thơ", IOC_STATION_WATER_LEVEL, 10.0339, 105.7875, "m", { 1.80, 1.90, 2.00 }, "31135",
    "Trạm thủy văn Cần Thơ trên sông Hậu; mức báo động I/II/III thật (flood_stations_cantho.csv). "
    "Vị trí gần đúng (bờ sông Ninh Kiều); số đo là dữ liệu mô phỏng (synthetic).", CURVE_TIDE },
  { "MUA-CAIRANG", "Cái Răng", IOC_STATION_RAINFALL, 9.9890, 105.7720, "mm/h", { 30, 50, 80 }, "31186",
    "Trạm đo mưa mô phỏng (synthetic demo station).", CURVE_RAIN },
  { "MUA-OMON", "Ô Môn", IOC_STATION_RAINFALL, 10.1075, 105.6416, "mm/h", { 30, 50, 80 }, "31153",
    "Trạm đo mưa mô phỏng (synthetic demo station).", CURVE_RAIN },
  { "KK-NINHKIEU", "Ninh Kiều", IOC_STATION_AIR_QUALITY, 10.0290, 105.7700, "AQI",
    { 101, 151, 201 }, "31135",
    "Trạm quan trắc không khí mô phỏng (synthetic); mức theo dải VN_AQI kém/xấu/rất xấu.", CURVE_AQI },
  { "KK-BINHTHUY", "Bình Thủy", IOC_STATION_AIR_QUALITY, 10.0594, 105.7121, "µg/m³",
    { 50, 75, 100 }, "31168",
    "Trạm đo PM2.5 mô phỏng (synthetic); mức I bằng giới hạn 24 giờ của QCVN 05:2023/BTNMT.", CURVE_PM25 },
};

/* A uniform number in [0, 1) from a station and an integer: deterministic
 * noise, the same in the seed and in --demo-live. */
static double
hash01 (const char *code,
        gint64      n,
        guint       salt)
{
  guint64 h = 1469598103934665603ull ^ salt;

  for (const char *p = code; *p; p++)
    h = (h ^ (guchar) *p) * 1099511628211ull;
  h ^= (guint64) n;
  /* splitmix64 finaliser */
  h += 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  h ^= h >> 31;

  return (h >> 11) * (1.0 / 9007199254740992.0);
}

static double
hours_since (gint64 at,
             gint64 epoch_s)
{
  return (at / (double) G_USEC_PER_SEC - epoch_s) / 3600.0;
}

/* Two semidiurnal constituents, M2 (12.42 h) and S2 (12 h), beat into the
 * spring–neap cycle of 14.77 days; they are in phase on 8 January 2000
 * 00:00 UTC (07:00 local), a day and a bit after a new moon, as spring tides
 * lag the moon. A small diurnal K1 term makes one of the two daily highs
 * higher. Spring highs reach about 1.8–2.2 m like the real gauge's. */
static double
tide (const char *code,
      gint64      at)
{
  double h = hours_since (at, 947289600);   /* 2000-01-08T00:00:00Z */
  double m2 = 1.10 * cos (2 * G_PI * h / 12.4206012);
  double s2 = 0.40 * cos (2 * G_PI * h / 12.0);
  double k1 = 0.15 * cos (2 * G_PI * (h - 1.0) / 23.9344697);
  double noise = 0.03 * (2 * hash01 (code, at / STEP, 1) - 1);

  return 0.55 + m2 + s2 + k1 + noise;
}

/* Showers: each six-hour block holds a burst with some chance, mostly in the
 * afternoon, rising and falling over 30 minutes to two hours. */
static double
rain (const char *code,
      gint64      at)
{
  gint64 block_len = 6 * G_TIME_SPAN_HOUR;
  gint64 block = at / block_len;
  double rate = 0;

  /* A burst of the previous block may run into this one. */
  for (gint64 b = block - 1; b <= block; b++)
    {
      gint64 start_of_block = b * block_len;
      /* Local hour of the block's start (UTC+7). */
      int local_hour = (int) (((start_of_block / G_TIME_SPAN_HOUR) + 7) % 24);
      double chance = local_hour == 13 ? 0.35 : local_hour == 7 ? 0.12 : 0.06;
      double duration, start, peak, x;

      if (hash01 (code, b, 2) >= chance)
        continue;

      duration = (0.5 + 1.5 * hash01 (code, b, 3)) * G_TIME_SPAN_HOUR;
      start = start_of_block + hash01 (code, b, 4) * (block_len - duration / 2);
      peak = 3 + 90 * pow (hash01 (code, b, 5), 3);
      x = (at - start) / duration;
      if (x > 0 && x < 1)
        rate = MAX (rate, peak * sin (G_PI * x) * sin (G_PI * x));
    }

  if (rate > 0)
    rate *= 0.85 + 0.3 * hash01 (code, at / STEP, 6);

  return round (rate * 10) / 10;
}

/* Traffic peaks at 7–9 h and 18–21 h local over a base that drifts with the
 * weather over days. */
static double
air (const char *code,
     gint64      at,
     double      base,
     double      peak)
{
  double h = hours_since (at, 0) + 7;
  double local = fmod (h, 24);
  double morning = exp (-pow ((local - 8) / 1.3, 2));
  double evening = exp (-pow ((local - 19.5) / 1.8, 2));
  double drift = 1 + 0.35 * sin (2 * G_PI * h / (5.3 * 24)) + 0.15 * sin (2 * G_PI * h / (2.1 * 24));
  double noise = 1 + 0.08 * (2 * hash01 (code, at / STEP, 7) - 1);

  return round ((base + peak * (morning + 1.2 * evening)) * drift * noise);
}

static double
demo_value (const DemoStation *station,
            gint64             at)
{
  switch (station->curve)
    {
    case CURVE_TIDE:
      return round (tide (station->code, at) * 100) / 100;
    case CURVE_RAIN:
      return rain (station->code, at);
    case CURVE_AQI:
      return air (station->code, at, 48, 45);
    case CURVE_PM25:
    default:
      return air (station->code, at, 20, 26);
    }
}

static IocStation *
station_new (const DemoStation *d)
{
  IocStation *station = ioc_station_new ();

  station->code = g_strdup (d->code);
  station->name = g_strdup (d->name);
  station->kind = d->kind;
  station->has_location = TRUE;
  station->lat = d->lat;
  station->lon = d->lon;
  station->unit = g_strdup (d->unit);
  for (int i = 0; i < IOC_STATION_N_LEVELS; i++)
    {
      station->has_level[i] = TRUE;
      station->levels[i] = d->levels[i];
    }
  station->commune = g_strdup (d->commune);
  station->note = g_strdup (d->note);
  return station;
}

gboolean
iocd_demo_seed_sensors (IocdStore   *store,
                        const char  *data_dir,
                        GRand       *rand,
                        gint64       now,
                        GError     **error)
{
  g_autoptr(GHashTable) stations = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                          (GDestroyNotify) ioc_station_unref);
  g_autoptr(GArray) readings = NULL;
  gint64 last = now / STEP * STEP;
  gint64 first = last - HISTORY + STEP;
  gsize per_station = HISTORY / STEP;
  gint64 started = g_get_monotonic_time ();

  readings = g_array_sized_new (FALSE, FALSE, sizeof (IocdReading), per_station * G_N_ELEMENTS (demo_stations));

  for (guint i = 0; i < G_N_ELEMENTS (demo_stations); i++)
    {
      const DemoStation *d = &demo_stations[i];
      IocStation *station = station_new (d);

      g_hash_table_insert (stations, station->code, station);
      if (!iocd_sensor_store_save_station (IOCD_SENSOR_STORE (store), station, error))
        return FALSE;

      for (gint64 at = first; at <= last; at += STEP)
        {
          IocdReading reading = { station->code, at, demo_value (d, at) };

          g_array_append_val (readings, reading);
        }
    }

  /* now = 0: tasks are dated at their crossing, in the past. */
  if (!iocd_sensor_ingest (store, stations, (IocdReading *) readings->data, readings->len, 0, now - TASK_WINDOW,
                           NULL, NULL, error))
    return FALSE;

  g_debug ("Seeded %u sensor readings in %.0f ms", readings->len,
           (g_get_monotonic_time () - started) / 1000.0);
  return TRUE;
}

/* --demo-live */

static gboolean
demo_live_tick_cb (gpointer data)
{
  IocdServer *server = data;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_event_unref);
  g_autoptr(GPtrArray) departments = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) summary = NULL;
  g_autoptr(GError) error = NULL;
  IocdReading readings[G_N_ELEMENTS (demo_stations)];
  gint64 now = g_get_real_time ();
  /* Whole seconds, so the readings read well in the console. */
  gint64 at = now / G_USEC_PER_SEC * G_USEC_PER_SEC;

  for (guint i = 0; i < G_N_ELEMENTS (demo_stations); i++)
    {
      readings[i].station = demo_stations[i].code;
      readings[i].at = at;
      readings[i].value = demo_value (&demo_stations[i], at);
    }

  /* The same path as POST /readings: alarms open tasks and events go out. */
  iocd_server_settle_writes (server);
  if (!iocd_sensor_commit_readings (server->store, readings, G_N_ELEMENTS (readings), now, events, departments,
                                    &summary, &error))
    {
      /* A store without the demo stations, or a broken one: saying so every
       * ten seconds would bury the log. */
      g_warning ("Demo live readings stopped: %s", error->message);
      return G_SOURCE_REMOVE;
    }

  for (guint i = 0; i < events->len; i++)
    iocd_server_publish (server, g_ptr_array_index (events, i), g_ptr_array_index (departments, i));

  return G_SOURCE_CONTINUE;
}

void
iocd_server_start_demo_live (IocdServer *server)
{
  g_message ("Demo: adding synthetic sensor readings every %d s", LIVE_INTERVAL_S);
  g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, LIVE_INTERVAL_S, demo_live_tick_cb,
                              g_object_ref (server), g_object_unref);
}
