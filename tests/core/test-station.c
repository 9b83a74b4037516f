/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <math.h>

#include "ioc-core.h"

/* The Cần Thơ gauge: báo động I/II/III at 1.80/1.90/2.00 m. */
static const double gauge_levels[] = { 1.80, 1.90, 2.00 };

static IocStation *
gauge_new (void)
{
  IocStation *station = ioc_station_new ();

  station->code = g_strdup ("CANTHO");
  station->name = g_strdup ("Cần Thơ");
  station->kind = IOC_STATION_WATER_LEVEL;
  station->unit = g_strdup ("m");
  for (int i = 0; i < 3; i++)
    {
      station->has_level[i] = TRUE;
      station->levels[i] = gauge_levels[i];
    }
  return station;
}

typedef struct {
  int                    current;
  double                 value;
  int                    level;
  IocStationAlarmAction  action;
} StepCase;

static void
test_rule_table (void)
{
  static const StepCase cases[] = {
    /* armed */
    { 0, 1.20, 0, IOC_STATION_ALARM_NONE },
    { 0, 1.79, 0, IOC_STATION_ALARM_NONE },
    { 0, 1.80, 1, IOC_STATION_ALARM_OPEN },    /* at the level counts as reaching it */
    { 0, 1.85, 1, IOC_STATION_ALARM_OPEN },
    { 0, 1.95, 2, IOC_STATION_ALARM_OPEN },    /* straight to II: one task, at II */
    { 0, 2.30, 3, IOC_STATION_ALARM_OPEN },
    /* in an episode at I */
    { 1, 1.85, 1, IOC_STATION_ALARM_NONE },
    { 1, 1.80, 1, IOC_STATION_ALARM_NONE },
    { 1, 1.79, 0, IOC_STATION_ALARM_REARM },
    { 1, 1.90, 2, IOC_STATION_ALARM_RAISE },
    { 1, 2.05, 3, IOC_STATION_ALARM_RAISE },
    /* at II */
    { 2, 1.92, 2, IOC_STATION_ALARM_NONE },
    { 2, 1.85, 1, IOC_STATION_ALARM_NONE },    /* falls between levels: same task, lower level */
    { 2, 2.00, 3, IOC_STATION_ALARM_RAISE },
    { 2, 0.50, 0, IOC_STATION_ALARM_REARM },
    /* at III */
    { 3, 2.40, 3, IOC_STATION_ALARM_NONE },
    { 3, 1.95, 2, IOC_STATION_ALARM_NONE },
    { 3, 1.81, 1, IOC_STATION_ALARM_NONE },
    { 3, 1.00, 0, IOC_STATION_ALARM_REARM },
  };
  g_autoptr(IocStation) station = gauge_new ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int level = -1;
      IocStationAlarmAction action = ioc_station_alarm_step (station, cases[i].current, cases[i].value, &level);

      if (action != cases[i].action || level != cases[i].level)
        g_test_fail_printf ("case %u: from %d with %.2f: got action %d level %d, want %d, %d", i,
                            cases[i].current, cases[i].value, action, level, cases[i].action, cases[i].level);
    }
}

static void
test_rule_priorities (void)
{
  g_assert_cmpint (ioc_station_level_priority (1), ==, IOC_PRIORITY_NORMAL);
  g_assert_cmpint (ioc_station_level_priority (2), ==, IOC_PRIORITY_HIGH);
  g_assert_cmpint (ioc_station_level_priority (3), ==, IOC_PRIORITY_URGENT);
  g_assert_cmpstr (ioc_station_level_name (2), ==, "II");
}

/* A station with only levels II and III defined (as several gauges in
 * flood_stations_cantho.csv): the episode starts at II and ends below II. */
static void
test_rule_missing_level (void)
{
  g_autoptr(IocStation) station = gauge_new ();
  int level = -1;

  station->has_level[0] = FALSE;
  g_assert_cmpint (ioc_station_alarm_step (station, 0, 1.85, &level), ==, IOC_STATION_ALARM_NONE);
  g_assert_cmpint (level, ==, 0);
  g_assert_cmpint (ioc_station_alarm_step (station, 0, 1.91, &level), ==, IOC_STATION_ALARM_OPEN);
  g_assert_cmpint (level, ==, 2);
  g_assert_cmpint (ioc_station_alarm_step (station, 2, 1.85, &level), ==, IOC_STATION_ALARM_REARM);
  g_assert_cmpint (level, ==, 0);
}

/*
 * The reference, computed from scratch for each prefix of a sequence: the
 * tasks are the maximal runs of readings at or over the lowest level; the
 * open task's priority is the highest level reached in the current run;
 * the current level is that of the latest reading (0 outside a run).
 */
typedef struct {
  guint tasks;
  int   task_level;   /* 0 when no run is going on */
  int   level;
} Reference;

static Reference
reference (const IocStation *station,
           const double     *values,
           guint             n)
{
  Reference r = { 0, 0, 0 };
  guint start;

  for (guint i = 0; i < n; i++)
    if (ioc_station_level_of (station, values[i]) > 0 &&
        (i == 0 || ioc_station_level_of (station, values[i - 1]) == 0))
      r.tasks++;

  r.level = n > 0 ? ioc_station_level_of (station, values[n - 1]) : 0;
  if (r.level == 0)
    return r;

  for (start = n - 1; start > 0 && ioc_station_level_of (station, values[start - 1]) > 0; start--)
    ;
  for (guint i = start; i < n; i++)
    r.task_level = MAX (r.task_level, ioc_station_level_of (station, values[i]));

  return r;
}

static void
check_sequence (const IocStation *station,
                const double     *values,
                guint             n,
                const char       *what)
{
  guint tasks = 0;
  int task_level = 0;
  int level = 0;

  for (guint i = 0; i < n; i++)
    {
      int next = -1;
      Reference want;

      switch (ioc_station_alarm_step (station, level, values[i], &next))
        {
        case IOC_STATION_ALARM_OPEN:
          if (task_level != 0)
            g_test_fail_printf ("%s[%u]: opened a task while one was open", what, i);
          tasks++;
          task_level = next;
          break;
        case IOC_STATION_ALARM_RAISE:
          if (task_level == 0)
            g_test_fail_printf ("%s[%u]: raised without an open task", what, i);
          if (next <= level)
            g_test_fail_printf ("%s[%u]: raised to %d from %d", what, i, next, level);
          task_level = MAX (task_level, next);
          break;
        case IOC_STATION_ALARM_REARM:
          task_level = 0;
          break;
        case IOC_STATION_ALARM_NONE:
        default:
          break;
        }
      level = next;

      want = reference (station, values, i + 1);
      if (tasks != want.tasks || task_level != want.task_level || level != want.level)
        {
          g_test_fail_printf ("%s[%u] (%.3f): tasks %u, task level %d, level %d; the reference says %u, %d, %d",
                              what, i, values[i], tasks, task_level, level, want.tasks, want.task_level,
                              want.level);
          return;
        }
    }
}

static void
test_rule_random (void)
{
  g_autoptr(IocStation) station = gauge_new ();
  g_autoptr(IocStation) partial = gauge_new ();

  partial->has_level[0] = FALSE;

  for (guint seq = 0; seq < 2000; seq++)
    {
      guint n = g_test_rand_int_range (1, 80);
      g_autofree double *values = g_new (double, n);
      g_autofree char *what = g_strdup_printf ("sequence %u", seq);
      double v = g_test_rand_double_range (1.5, 2.2);

      /* A random walk around the levels, with exact hits on them now and then. */
      for (guint i = 0; i < n; i++)
        {
          if (g_test_rand_int_range (0, 10) == 0)
            v = gauge_levels[g_test_rand_int_range (0, 3)] - (g_test_rand_bit () ? 0.01 : 0);
          else
            v = CLAMP (v + g_test_rand_double_range (-0.08, 0.08), 1.4, 2.4);
          values[i] = v;
        }

      check_sequence (seq % 4 == 3 ? partial : station, values, n, what);
      if (g_test_failed ())
        return;
    }
}

static void
test_station_json (void)
{
  g_autoptr(IocStation) station = gauge_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(IocStation) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) bad = NULL;

  station->has_location = TRUE;
  station->lat = 10.0339;
  station->lon = 105.7875;
  station->has_level[1] = FALSE;
  station->alarm_level = 3;
  station->alarm_task = 42;

  ioc_station_to_json (station, b);
  node = json_builder_get_root (b);
  back = ioc_station_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->code, ==, "CANTHO");
  g_assert_cmpint (back->kind, ==, IOC_STATION_WATER_LEVEL);
  g_assert_true (back->has_location);
  g_assert_cmpfloat (back->lat, ==, 10.0339);
  g_assert_true (back->has_level[0] && !back->has_level[1] && back->has_level[2]);
  g_assert_cmpfloat (back->levels[2], ==, 2.00);
  g_assert_cmpint (back->alarm_level, ==, 3);
  g_assert_cmpint (back->alarm_task, ==, 42);

  /* Levels must ascend. */
  bad = json_object_ref (json_node_get_object (node));
  {
    g_autoptr(JsonArray) levels = json_array_new ();

    json_array_add_double_element (levels, 2.0);
    json_array_add_double_element (levels, 1.9);
    json_object_set_array_member (bad, "levels", g_steal_pointer (&levels));
  }
  g_assert_null (ioc_station_from_json (bad, &error));
  g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
  g_clear_error (&error);

  json_object_set_string_member (bad, "kind", "seismic");
  g_assert_null (ioc_station_from_json (bad, &error));
  g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/station/rule/table", test_rule_table);
  g_test_add_func ("/station/rule/priorities", test_rule_priorities);
  g_test_add_func ("/station/rule/missing-level", test_rule_missing_level);
  g_test_add_func ("/station/rule/random-vs-reference", test_rule_random);
  g_test_add_func ("/station/json", test_station_json);

  return g_test_run ();
}
