/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <math.h>

#include "ioc-core.h"

static gint64
at (const char *text)
{
  gint64 usec = 0;

  if (!ioc_indicator_parse_period (text, &usec))
    g_error ("'%s' was refused", text);
  return usec;
}

static IocIndicator *
make_indicator (IocFrequency frequency,
                IocDirection direction,
                double       warning,
                double       alert)
{
  IocIndicator *ind = ioc_indicator_new ();

  ind->code = g_strdup ("TEST");
  ind->frequency = frequency;
  ind->direction = direction;
  ind->has_warning = !isnan (warning);
  ind->warning = warning;
  ind->has_alert = !isnan (alert);
  ind->alert = alert;
  return ind;
}

static void
test_period_parse (void)
{
  gint64 usec = 0;

  /* Local dates are midnight in Asia/Ho_Chi_Minh (UTC+7, no DST). */
  g_assert_cmpint (at ("2026-03"), ==, at ("2026-03-01T00:00:00+07:00"));
  g_assert_cmpint (at ("2026-03-15"), ==, at ("2026-03-14T17:00:00Z"));
  g_assert_cmpint (at ("2026-03-15T10:30:00+07:00"), ==, at ("2026-03-15T03:30:00Z"));

  g_assert_false (ioc_indicator_parse_period ("2026-13", &usec));
  g_assert_false (ioc_indicator_parse_period ("2026-02-30", &usec));
  g_assert_false (ioc_indicator_parse_period ("2026-3", &usec));
  g_assert_false (ioc_indicator_parse_period ("26-03-01", &usec));
  g_assert_false (ioc_indicator_parse_period ("2026-03-15T10:30:00", &usec));
  g_assert_false (ioc_indicator_parse_period ("1969-12", &usec));
  g_assert_false (ioc_indicator_parse_period ("march", &usec));
  g_assert_false (ioc_indicator_parse_period ("", &usec));
}

static void
test_period_start (void)
{
  gint64 t = at ("2026-08-17T23:30:00+07:00");

  g_assert_cmpint (ioc_indicator_period_start (IOC_FREQUENCY_REALTIME, t), ==, t);
  g_assert_cmpint (ioc_indicator_period_start (IOC_FREQUENCY_DAILY, t), ==, at ("2026-08-17"));
  g_assert_cmpint (ioc_indicator_period_start (IOC_FREQUENCY_MONTHLY, t), ==, at ("2026-08"));
  g_assert_cmpint (ioc_indicator_period_start (IOC_FREQUENCY_QUARTERLY, t), ==, at ("2026-07"));
  g_assert_cmpint (ioc_indicator_period_start (IOC_FREQUENCY_YEARLY, t), ==, at ("2026-01"));
  /* 23:30 UTC is already the next day in Cần Thơ. */
  g_assert_cmpint (ioc_indicator_period_start (IOC_FREQUENCY_DAILY, at ("2026-08-31T23:30:00Z")), ==,
                   at ("2026-09-01"));

  g_assert_cmpint (ioc_indicator_period_add (IOC_FREQUENCY_MONTHLY, at ("2026-11"), 3), ==, at ("2027-02"));
  g_assert_cmpint (ioc_indicator_period_add (IOC_FREQUENCY_QUARTERLY, at ("2026-10"), 1), ==, at ("2027-01"));
  g_assert_cmpint (ioc_indicator_period_add (IOC_FREQUENCY_DAILY, at ("2026-02-27"), 3), ==, at ("2026-03-02"));
  g_assert_cmpint (ioc_indicator_period_add (IOC_FREQUENCY_YEARLY, at ("2024-01"), 2), ==, at ("2026-01"));
}

static void
test_status_table (void)
{
  static const struct {
    IocFrequency frequency;
    IocDirection direction;
    double       warning;
    double       alert;
    const char  *period;      /* NULL: no data */
    double       value;
    const char  *now;
    IocIndicatorStatus status;
  } cases[] = {
    /* Thresholds, higher is better: warning 80, alert 60, inclusive. */
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-04", 95, "2026-05-15", IOC_INDICATOR_STATUS_OK },
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-04", 80.01, "2026-05-15", IOC_INDICATOR_STATUS_OK },
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-04", 80, "2026-05-15", IOC_INDICATOR_STATUS_WARNING },
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-04", 61, "2026-05-15", IOC_INDICATOR_STATUS_WARNING },
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-04", 60, "2026-05-15", IOC_INDICATOR_STATUS_ALERT },
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-04", -5, "2026-05-15", IOC_INDICATOR_STATUS_ALERT },
    /* Lower is better: warning 50, alert 70. */
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_LOWER_IS_BETTER, 50, 70, "2026-04", 10, "2026-05-15", IOC_INDICATOR_STATUS_OK },
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_LOWER_IS_BETTER, 50, 70, "2026-04", 50, "2026-05-15", IOC_INDICATOR_STATUS_WARNING },
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_LOWER_IS_BETTER, 50, 70, "2026-04", 69.9, "2026-05-15", IOC_INDICATOR_STATUS_WARNING },
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_LOWER_IS_BETTER, 50, 70, "2026-04", 70, "2026-05-15", IOC_INDICATOR_STATUS_ALERT },
    /* Only one threshold, or none. */
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_LOWER_IS_BETTER, NAN, 70, "2026-04", 60, "2026-05-15", IOC_INDICATOR_STATUS_OK },
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_LOWER_IS_BETTER, 50, NAN, "2026-04", 1e9, "2026-05-15", IOC_INDICATOR_STATUS_WARNING },
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_HIGHER_IS_BETTER, NAN, NAN, "2026-04", -1e9, "2026-05-15", IOC_INDICATOR_STATUS_OK },
    /* Monthly staleness: March is current until the end of May. */
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-03", 95, "2026-05-31T23:59:59+07:00", IOC_INDICATOR_STATUS_OK },
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-03", 95, "2026-06", IOC_INDICATOR_STATUS_STALE },
    /* Stale wins over an alert: an old value is never shown as current. */
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2025-01", 10, "2026-05-15", IOC_INDICATOR_STATUS_STALE },
    /* Daily, quarterly, yearly, realtime. */
    { IOC_FREQUENCY_DAILY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-05-13", 95, "2026-05-15T23:00:00+07:00", IOC_INDICATOR_STATUS_OK },
    { IOC_FREQUENCY_DAILY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-05-13", 95, "2026-05-16", IOC_INDICATOR_STATUS_STALE },
    { IOC_FREQUENCY_QUARTERLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-01", 95, "2026-09-30", IOC_INDICATOR_STATUS_OK },
    { IOC_FREQUENCY_QUARTERLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-01", 95, "2026-10-01", IOC_INDICATOR_STATUS_STALE },
    { IOC_FREQUENCY_YEARLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2024-01", 95, "2026-12-31", IOC_INDICATOR_STATUS_OK },
    { IOC_FREQUENCY_YEARLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2024-01", 95, "2027-01-01", IOC_INDICATOR_STATUS_STALE },
    { IOC_FREQUENCY_REALTIME, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-05-15T10:00:00+07:00", 95, "2026-05-15T10:59:59+07:00", IOC_INDICATOR_STATUS_OK },
    { IOC_FREQUENCY_REALTIME, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, "2026-05-15T10:00:00+07:00", 95, "2026-05-15T11:00:00+07:00", IOC_INDICATOR_STATUS_STALE },
    /* No data. */
    { IOC_FREQUENCY_MONTHLY, IOC_DIRECTION_HIGHER_IS_BETTER, 80, 60, NULL, 0, "2026-05-15", IOC_INDICATOR_STATUS_NO_DATA },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(IocIndicator) ind = make_indicator (cases[i].frequency, cases[i].direction,
                                                    cases[i].warning, cases[i].alert);
      g_autoptr(IocObservation) obs = NULL;
      gint64 now = at (cases[i].now);
      gint64 age = -1;
      IocIndicatorStatus status;

      if (cases[i].period != NULL)
        {
          obs = ioc_observation_new ();
          obs->period = at (cases[i].period);
          obs->value = cases[i].value;
        }

      status = ioc_indicator_status (ind, obs, now, &age);
      g_test_message ("case %u: %s %s at %s → %s", i, ioc_frequency_to_string (cases[i].frequency),
                      cases[i].period ? cases[i].period : "(none)", cases[i].now,
                      ioc_indicator_status_to_string (status));
      g_assert_cmpstr (ioc_indicator_status_to_string (status), ==,
                       ioc_indicator_status_to_string (cases[i].status));
      g_assert_cmpint (age, ==, obs ? now - obs->period : 0);
    }
}

static void
test_indicator_json (void)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(IocIndicator) ind = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  const char *good = "{\"code\":\"SXD.TNGT\",\"name_vi\":\"Số vụ tai nạn giao thông\",\"domain\":\"traffic\","
                     "\"unit\":\"vụ\",\"unit_en\":\"accidents\",\"frequency\":\"monthly\",\"department\":\"SXD\",\"direction\":\"lower\","
                     "\"warning\":20,\"alert\":30,\"chart\":\"bar\"}";
  static const char * const bad[][2] = {
    { "{\"code\":\"A B\",\"name_vi\":\"x\",\"domain\":\"d\",\"frequency\":\"monthly\",\"department\":\"SXD\",\"direction\":\"lower\"}", "code" },
    { "{\"code\":\"A\",\"name_vi\":\"x\",\"domain\":\"d\",\"frequency\":\"weekly\",\"department\":\"SXD\",\"direction\":\"lower\"}", "frequency" },
    { "{\"code\":\"A\",\"name_vi\":\"x\",\"domain\":\"d\",\"frequency\":\"monthly\",\"department\":\"SXD\",\"direction\":\"up\"}", "direction" },
    { "{\"code\":\"A\",\"name_vi\":\"x\",\"domain\":\"d\",\"frequency\":\"monthly\",\"department\":\"SXD\",\"direction\":\"lower\",\"chart\":\"pie\"}", "chart" },
    { "{\"code\":\"A\",\"name_vi\":\"x\",\"domain\":\"d\",\"frequency\":\"monthly\",\"department\":\"SXD\",\"direction\":\"lower\",\"warning\":30,\"alert\":20}", "alert" },
    { "{\"code\":\"A\",\"name_vi\":\"x\",\"domain\":\"d\",\"frequency\":\"monthly\",\"department\":\"SXD\",\"direction\":\"higher\",\"warning\":20,\"alert\":30}", "alert" },
    { "{\"code\":\"A\",\"name_vi\":\"x\",\"domain\":\"d\",\"frequency\":\"monthly\",\"department\":\"SXD\",\"direction\":\"lower\",\"warning\":\"high\"}", "warning" },
    { "{\"code\":\"A\",\"domain\":\"d\",\"frequency\":\"monthly\",\"department\":\"SXD\",\"direction\":\"lower\"}", "name_vi" },
  };

  object = ioc_json_parse_object (good, -1, &error);
  g_assert_no_error (error);
  ind = ioc_indicator_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ind->code, ==, "SXD.TNGT");
  g_assert_cmpint (ind->direction, ==, IOC_DIRECTION_LOWER_IS_BETTER);
  g_assert_true (ind->has_warning && ind->has_alert);
  g_assert_cmpfloat (ind->alert, ==, 30);

  /* Round trip. */
  ioc_indicator_to_json (ind, b);
  node = json_builder_get_root (b);
  {
    g_autoptr(IocIndicator) back = ioc_indicator_from_json (json_node_get_object (node), &error);

    g_assert_no_error (error);
    g_assert_cmpstr (back->name_vi, ==, ind->name_vi);
    g_assert_cmpstr (back->chart, ==, "bar");
    g_assert_cmpstr (back->unit, ==, "vụ");
    g_assert_cmpstr (back->unit_en, ==, "accidents");
    g_assert_cmpint (back->frequency, ==, IOC_FREQUENCY_MONTHLY);
    g_assert_cmpfloat (back->warning, ==, 20);
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) o = ioc_json_parse_object (bad[i][0], -1, NULL);
      g_autoptr(IocIndicator) x = NULL;
      g_autoptr(GError) e = NULL;
      g_autofree char *field = NULL;

      g_assert_nonnull (o);
      x = ioc_indicator_from_json (o, &e);
      g_assert_null (x);
      g_assert_error (e, IOC_ERROR, IOC_ERROR_INVALID);
      field = ioc_error_get_field (e);
      g_assert_cmpstr (field, ==, bad[i][1]);
    }
}

static void
test_observation_json (void)
{
  static const char * const bad[][2] = {
    { "{\"period\":\"2026-03\",\"value\":1}", "indicator" },
    { "{\"indicator\":\"A\",\"value\":1}", "period" },
    { "{\"indicator\":\"A\",\"period\":\"2026-03-15T10:00:00\",\"value\":1}", "period" },
    { "{\"indicator\":\"A\",\"period\":\"2026-03\",\"value\":\"1\"}", "value" },
    { "{\"indicator\":\"A\",\"period\":\"2026-03\"}", "value" },
    { "{\"indicator\":\"A\",\"period\":\"2026-03\",\"area\":5,\"value\":1}", "area" },
  };
  g_autoptr(JsonObject) o = ioc_json_parse_object ("{\"indicator\":\"A\",\"period\":\"2026-03\",\"area\":\"31120\","
                                                   "\"value\":12.5}", -1, NULL);
  g_autoptr(IocObservation) obs = NULL;
  g_autoptr(GError) error = NULL;

  obs = ioc_observation_from_json (o, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (obs->indicator, ==, "A");
  g_assert_cmpstr (obs->area, ==, "31120");
  g_assert_cmpint (obs->period, ==, at ("2026-03-01T00:00:00+07:00"));
  g_assert_cmpfloat (obs->value, ==, 12.5);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) x = ioc_json_parse_object (bad[i][0], -1, NULL);
      g_autoptr(IocObservation) y = NULL;
      g_autoptr(GError) e = NULL;
      g_autofree char *field = NULL;

      y = ioc_observation_from_json (x, &e);
      g_assert_null (y);
      field = ioc_error_get_field (e);
      g_assert_cmpstr (field, ==, bad[i][1]);
    }
}

/* Downsampling */

static void
check_downsampled (const IocSeriesPoint *points,
                   guint                 n,
                   guint                 max_points,
                   GArray               *out)
{
  guint buckets = max_points / 2;
  const IocSeriesPoint *gmin = NULL, *gmax = NULL;
  guint j = 0;

  g_assert_cmpuint (out->len, <=, max_points);

  if (n <= max_points)
    {
      g_assert_cmpuint (out->len, ==, n);
      for (guint i = 0; i < n; i++)
        g_assert_true (points[i].t == g_array_index (out, IocSeriesPoint, i).t);
      return;
    }

  /* The global extremes are always there. */
  for (guint i = 0; i < n; i++)
    {
      if (gmin == NULL || points[i].v < gmin->v)
        gmin = &points[i];
      if (gmax == NULL || points[i].v > gmax->v)
        gmax = &points[i];
    }
  {
    gboolean seen_min = FALSE, seen_max = FALSE;

    for (guint k = 0; k < out->len; k++)
      {
        IocSeriesPoint *p = &g_array_index (out, IocSeriesPoint, k);

        seen_min |= p->t == gmin->t && p->v == gmin->v;
        seen_max |= p->t == gmax->t && p->v == gmax->v;
        if (k > 0)
          g_assert_cmpint (p->t, >=, g_array_index (out, IocSeriesPoint, k - 1).t);
      }
    g_assert_true (seen_min);
    g_assert_true (seen_max);
  }

  /* Brute force: scan every point for every bucket. */
  for (guint b = 0; b < buckets; b++)
    {
      gint lo = -1, hi = -1;

      for (guint i = 0; i < n; i++)
        {
          /* Bucket b holds the offsets in [b × span, (b + 1) × span) / buckets. */
          __int128 scaled = (__int128) (points[i].t - points[0].t) * buckets;
          __int128 span = (__int128) (points[n - 1].t - points[0].t) + 1;

          if (scaled < (__int128) b * span || scaled >= (__int128) (b + 1) * span)
            continue;
          if (lo < 0 || points[i].v < points[lo].v)
            lo = i;
          if (hi < 0 || points[i].v > points[hi].v)
            hi = i;
        }
      if (lo < 0)
        continue;

      g_assert_cmpuint (j, <, out->len);
      g_assert_cmpint (g_array_index (out, IocSeriesPoint, j).t, ==, points[MIN (lo, hi)].t);
      g_assert_cmpfloat (g_array_index (out, IocSeriesPoint, j).v, ==, points[MIN (lo, hi)].v);
      j++;
      if (lo != hi)
        {
          g_assert_cmpuint (j, <, out->len);
          g_assert_cmpint (g_array_index (out, IocSeriesPoint, j).t, ==, points[MAX (lo, hi)].t);
          g_assert_cmpfloat (g_array_index (out, IocSeriesPoint, j).v, ==, points[MAX (lo, hi)].v);
          j++;
        }
    }
  g_assert_cmpuint (j, ==, out->len);
}

static void
test_downsample_spike (void)
{
  g_autofree IocSeriesPoint *points = g_new (IocSeriesPoint, 10000);
  g_autoptr(GArray) out = NULL;

  /* A flat tide with one spike up and one down. */
  for (guint i = 0; i < 10000; i++)
    {
      points[i].t = (gint64) i * 300 * G_USEC_PER_SEC;
      points[i].v = 1.0 + 0.1 * sin (i / 50.0);
    }
  points[4321].v = 9.5;
  points[4322].v = -3.25;

  out = ioc_series_downsample (points, 10000, 10);
  g_assert_cmpuint (out->len, <=, 10);
  check_downsampled (points, 10000, 10, out);
}

static void
test_downsample_small (void)
{
  IocSeriesPoint points[] = { { 1, 3.0 }, { 2, 1.0 }, { 3, 2.0 } };
  g_autoptr(GArray) out = ioc_series_downsample (points, 3, 10);
  g_autoptr(GArray) none = ioc_series_downsample (NULL, 0, 10);
  g_autoptr(GArray) same_time = NULL;
  IocSeriesPoint dup[] = { { 5, 1.0 }, { 5, 7.0 }, { 5, -1.0 }, { 5, 3.0 } };

  g_assert_cmpuint (out->len, ==, 3);
  g_assert_cmpuint (none->len, ==, 0);

  /* Every point at one instant: one bucket, its min and max. */
  same_time = ioc_series_downsample (dup, 4, 2);
  g_assert_cmpuint (same_time->len, ==, 2);
  g_assert_cmpfloat (g_array_index (same_time, IocSeriesPoint, 0).v, ==, 7.0);
  g_assert_cmpfloat (g_array_index (same_time, IocSeriesPoint, 1).v, ==, -1.0);

  /* An odd maximum leaves room unused rather than going over. */
  {
    IocSeriesPoint many[7] = { { 0, 0 }, { 1, 5 }, { 2, 1 }, { 3, 4 }, { 4, 2 }, { 5, 3 }, { 6, 9 } };
    g_autoptr(GArray) odd = ioc_series_downsample (many, 7, 3);

    g_assert_cmpuint (odd->len, <=, 3);
    check_downsampled (many, 7, 3, odd);
  }
}

static void
test_downsample_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260515);

  for (guint round = 0; round < 200; round++)
    {
      guint n = g_rand_int_range (rand, 1, 3000);
      guint max_points = g_rand_int_range (rand, 2, 400);
      g_autofree IocSeriesPoint *points = g_new (IocSeriesPoint, n);
      g_autoptr(GArray) out = NULL;
      gint64 t = (gint64) g_rand_int_range (rand, 0, 1000000) * G_USEC_PER_SEC;

      /* Irregular steps, repeated times and gaps; values with many ties. */
      for (guint i = 0; i < n; i++)
        {
          guint kind = g_rand_int_range (rand, 0, 10);

          t += kind == 0 ? 0 : kind == 1 ? (gint64) g_rand_int_range (rand, 1, 1000) * 3600 * G_USEC_PER_SEC
                                         : (gint64) g_rand_int_range (rand, 1, 600) * G_USEC_PER_SEC;
          points[i].t = t;
          points[i].v = round % 3 == 0 ? g_rand_int_range (rand, 0, 5) : g_rand_double_range (rand, -1e6, 1e6);
        }

      out = ioc_series_downsample (points, n, max_points);
      check_downsampled (points, n, max_points, out);
    }
}

/* Submitted values: plain decimal numbers, as the server and the
 * console's preview both read them. */
static void
test_parse_value (void)
{
  double v = 0;

  g_assert_true (ioc_indicator_parse_value ("18.5", &v));
  g_assert_cmpfloat (v, ==, 18.5);
  g_assert_true (ioc_indicator_parse_value ("-2e3", &v));
  g_assert_cmpfloat (v, ==, -2000);
  g_assert_false (ioc_indicator_parse_value ("", &v));
  g_assert_false (ioc_indicator_parse_value ("0x10", &v));
  g_assert_false (ioc_indicator_parse_value ("inf", &v));
  g_assert_false (ioc_indicator_parse_value ("nan", &v));
  g_assert_false (ioc_indicator_parse_value ("1e999", &v));
  g_assert_false (ioc_indicator_parse_value ("12,5", &v));
  g_assert_false (ioc_indicator_parse_value ("1.5.2", &v));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/indicator/period/parse", test_period_parse);
  g_test_add_func ("/indicator/period/start", test_period_start);
  g_test_add_func ("/indicator/status/table", test_status_table);
  g_test_add_func ("/indicator/json/indicator", test_indicator_json);
  g_test_add_func ("/indicator/json/observation", test_observation_json);
  g_test_add_func ("/series/downsample/spike", test_downsample_spike);
  g_test_add_func ("/series/downsample/small", test_downsample_small);
  g_test_add_func ("/series/downsample/random", test_downsample_random);
  g_test_add_func ("/indicator/parse-value", test_parse_value);

  return g_test_run ();
}
