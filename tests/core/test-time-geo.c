/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <math.h>

#include "ioc-core.h"

/* 2026-11-28T00:00:00Z */
#define NOV_28_UTC (G_GINT64_CONSTANT (1795824000) * G_USEC_PER_SEC)
#define MS         G_GINT64_CONSTANT (1000)

/*
 * Cases that found a crash or an abort in app/core run in a child process:
 * with G_DEBUG=fatal-criticals a critical would otherwise end the whole
 * binary and hide every test after it.
 */
static void
run_isolated (const char *what)
{
  /* The child's stderr holds the failed assertion or the critical. */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (!g_test_trap_has_passed ())
    g_test_fail_printf ("%s", what);
}

static gint64
parse_ok (const char *text)
{
  gint64 usec = 0;

  if (!ioc_time_parse (text, &usec))
    g_error ("'%s' was refused", text);
  return usec;
}

static void
assert_round_trip (gint64 usec)
{
  g_autofree char *text = ioc_time_format (usec);
  gint64 back = 0;

  g_assert_nonnull (text);
  g_test_message ("%" G_GINT64_FORMAT " → %s", usec, text);
  g_assert_true (ioc_time_parse (text, &back));
  g_assert_cmpint (back, ==, usec);
}

static void
test_time_format (void)
{
  static const struct {
    gint64      usec;
    const char *text;
  } cases[] = {
    { NOV_28_UTC,                        "2026-11-28T07:00:00+07:00" },
    { NOV_28_UTC + 123 * MS,             "2026-11-28T07:00:00.123+07:00" },
    { NOV_28_UTC + 1 * MS,               "2026-11-28T07:00:00.001+07:00" },
    { NOV_28_UTC + 999 * MS,             "2026-11-28T07:00:00.999+07:00" },
    { NOV_28_UTC + 17 * G_USEC_PER_SEC,  "2026-11-28T07:00:17+07:00" },
    /* 17:00 UTC is already the next day in Cần Thơ. */
    { NOV_28_UTC + 17 * G_TIME_SPAN_HOUR, "2026-11-29T00:00:00+07:00" },
    /* No daylight saving: mid-year has the same offset. */
    { NOV_28_UTC - 150 * G_TIME_SPAN_DAY, "2026-07-01T07:00:00+07:00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ioc_time_format (cases[i].usec);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_time_round_trip (void)
{
  static const gint64 values[] = {
    NOV_28_UTC,
    NOV_28_UTC + 123 * MS,
    NOV_28_UTC - 1 * MS,
    0,
    1 * MS,
    G_GINT64_CONSTANT (1000000000000) * MS,           /* 2001 */
    G_GINT64_CONSTANT (4102444799999) * MS,           /* 2099-12-31T23:59:59.999Z */
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    assert_round_trip (values[i]);
}

static void
test_time_parse (void)
{
  static const char * const same[] = {
    "2026-11-28T00:00:00Z",
    "2026-11-28T00:00:00+00:00",
    "2026-11-28T07:00:00+07:00",
    "2026-11-27T19:00:00-05:00",
  };
  static const char * const refused[] = {
    "2026-11-28T07:00:00",           /* no offset: ambiguous */
    "2026-11-28T07:00:00.123",
    "2026-11-28",
    "",
    " ",
    "yesterday",
    "1795824000",
    "2026-13-01T00:00:00Z",
    "2026-11-31T00:00:00Z",
    "2026-11-28T25:00:00Z",
    "2026-11-28T07:00:00+07:00 trailing",
    "\xff",
    "2026-11-28T07:00:00\xff+07:00",
    "2026-11-28T07:00:00+07:00\xc3",
    "1969-12-31T23:59:59Z",          /* outside 1970–9000: a typing mistake here */
    "9001-01-01T00:00:00Z",
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    g_assert_cmpint (parse_ok (same[i]), ==, NOV_28_UTC);

  g_assert_cmpint (parse_ok ("2026-11-28T07:00:00.123+07:00"), ==, NOV_28_UTC + 123 * MS);
  g_assert_cmpint (parse_ok ("2026-11-28T00:00:00.5Z"), ==, NOV_28_UTC + 500 * MS);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *shown = g_strescape (refused[i], NULL);
      gint64 usec = 42;

      g_test_message ("refusing '%s'", shown);
      g_assert_false (ioc_time_parse (refused[i], &usec));
      /* A refused time leaves the caller's value alone. */
      g_assert_cmpint (usec, ==, 42);
    }

  g_assert_false (ioc_time_parse (NULL, NULL));
  g_assert_true (ioc_time_parse ("2026-11-28T00:00:00Z", NULL));
}

/* What ioc_time_parse answered before its fast path: GDateTime and the
 * year rule. */
static gboolean
reference_parse (const char *text,
                 gint64     *usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);

  if (dt == NULL || g_date_time_get_year (dt) < 1970 || g_date_time_get_year (dt) > 9000)
    return FALSE;

  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

static void
assert_same_parse (const char *text)
{
  gint64 fast = 42, slow = 42;
  gboolean fast_ok = ioc_time_parse (text, &fast);
  gboolean slow_ok = reference_parse (text, &slow);

  if (fast_ok != slow_ok || fast != slow)
    g_error ("'%s': ioc_time_parse %s %" G_GINT64_FORMAT ", GDateTime %s %" G_GINT64_FORMAT,
             text, fast_ok ? "accepts" : "refuses", fast, slow_ok ? "accepts" : "refuses", slow);
}

/*
 * ioc_time_parse reads YYYY-MM-DDTHH:MM:SS[.f…](Z|±HH:MM) without GDateTime;
 * it must answer exactly as GDateTime does, on valid and invalid fields
 * alike, fractions of every length included (GLib rounds them its own way).
 */
static void
test_time_parse_fast (void)
{
  static const char * const offsets[] = {
    "Z", "+00:00", "-00:00", "+07:00", "-05:30", "+05:45", "+14:00", "-12:00", "+23:59", "+24:00",
    "+25:00", "+07:60", "+7:00", "+0700", "+07", "z", "", "Z ", "+07:00x",
  };
  static const char * const fractions[] = {
    "", ".0", ".5", ".1", ".12", ".123", ".999", ".001", ".0001", ".1234", ".12345", ".123456", ".999999",
    ".000001", ".1234567", ".9999999", ".", ",5", ".5.5",
  };
  GRand *rand = g_rand_new_with_seed (20261128);
  guint compared = 0;

  /* Every millisecond of a few seconds, where double rounding shows. */
  for (int second = 0; second < 60; second += 7)
    for (int ms = 0; ms < 1000; ms++)
      {
        g_autofree char *text = g_strdup_printf ("2026-11-28T21:30:%02d.%03d+07:00", second, ms);

        assert_same_parse (text);
        compared++;
      }

  /* Random fields, in and out of their ranges. */
  for (guint i = 0; i < 200000; i++)
    {
      int year = g_rand_int_range (rand, 0, 10) == 0 ? g_rand_int_range (rand, 1960, 1972)
               : g_rand_int_range (rand, 0, 10) == 0 ? g_rand_int_range (rand, 8998, 10000)
               : g_rand_int_range (rand, 1970, 9001);
      int month = g_rand_int_range (rand, 0, 20) == 0 ? g_rand_int_range (rand, 0, 14) : g_rand_int_range (rand, 1, 13);
      int day = g_rand_int_range (rand, 0, 10) == 0 ? g_rand_int_range (rand, 0, 33) : g_rand_int_range (rand, 1, 32);
      int hour = g_rand_int_range (rand, 0, 25);
      int minute = g_rand_int_range (rand, 0, 61);
      int second = g_rand_int_range (rand, 0, 61);
      const char *fraction = fractions[g_rand_int_range (rand, 0, G_N_ELEMENTS (fractions))];
      const char *offset = offsets[g_rand_int_range (rand, 0, G_N_ELEMENTS (offsets))];
      g_autofree char *text = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d%s%s", year, month, day, hour,
                                               minute, second, fraction, offset);

      assert_same_parse (text);
      compared++;
    }

  /* Random instants written with random fractions of up to 6 digits. */
  for (guint i = 0; i < 100000; i++)
    {
      gint64 at = g_rand_int_range (rand, 0, G_MAXINT32) * (gint64) g_rand_int_range (rand, 1, 100);
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (at);
      g_autofree char *base = dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S") : NULL;
      int digits = g_rand_int_range (rand, 1, 7);
      g_autofree char *frac = g_strdup_printf ("%06d", g_rand_int_range (rand, 0, 1000000));
      g_autofree char *text = NULL;

      if (base == NULL)
        continue;
      frac[digits] = '\0';
      text = g_strdup_printf ("%s.%s%s", base, frac, offsets[g_rand_int_range (rand, 0, 8)]);
      assert_same_parse (text);
      compared++;
    }

  /* The year rule's edges, and leap days. */
  assert_same_parse ("1970-01-01T00:00:00Z");
  assert_same_parse ("1970-01-01T00:00:00+07:00");
  assert_same_parse ("1969-12-31T23:59:59-01:00");
  assert_same_parse ("9000-12-31T23:59:59Z");
  assert_same_parse ("9000-12-31T23:59:59-05:00");
  assert_same_parse ("9001-01-01T00:00:00+05:00");
  assert_same_parse ("2024-02-29T12:00:00Z");
  assert_same_parse ("2023-02-29T12:00:00Z");
  assert_same_parse ("2000-02-29T12:00:00Z");
  assert_same_parse ("2100-02-29T12:00:00Z");

  g_test_message ("%u times compared", compared);
  g_rand_free (rand);
}

static void
test_time_zone (void)
{
  g_autofree char *utc = NULL;
  g_autofree char *fallback = NULL;
  g_autofree char *restored = NULL;

  ioc_time_set_zone ("UTC");
  utc = ioc_time_format (NOV_28_UTC);
  g_assert_cmpstr (utc, ==, "2026-11-28T00:00:00+00:00");

  /* Without tzdata Vietnam is still UTC+7: an unknown zone must not become UTC. */
  ioc_time_set_zone ("Nowhere/Not_A_Zone");
  fallback = ioc_time_format (NOV_28_UTC);
  g_assert_cmpstr (fallback, ==, "2026-11-28T07:00:00+07:00");

  ioc_time_set_zone (IOC_DEFAULT_TIME_ZONE);
  restored = ioc_time_format (NOV_28_UTC);
  g_assert_cmpstr (restored, ==, "2026-11-28T07:00:00+07:00");
}

/*
 * Every time ioc_time_parse accepts can reach ioc_time_format (a client's
 * due_at is stored and sent back), so each must either be refused or come
 * back unchanged.
 */
static void
assert_accepted_round_trips (const char *text)
{
  gint64 usec = 0;
  g_autofree char *formatted = NULL;
  gint64 back = 0;

  if (!ioc_time_parse (text, &usec))
    return;

  formatted = ioc_time_format (usec);
  g_assert_nonnull (formatted);
  g_assert_true (ioc_time_parse (formatted, &back));
  g_assert_cmpint (back, ==, usec);
}

static void
test_time_extreme_late (void)
{
  if (g_test_subprocess ())
    {
      /* Local time in Cần Thơ is already year 10000, out of GDateTime's range. */
      assert_accepted_round_trips ("9999-12-31T23:59:59Z");
      return;
    }
  run_isolated ("'9999-12-31T23:59:59Z' is accepted by ioc_time_parse but ioc_time_format "
                "returns NULL with GLib criticals");
}

static void
test_time_extreme_lmt (void)
{
  if (g_test_subprocess ())
    {
      /* Before 1906 the zone's offset was +07:06:30, which has seconds. */
      assert_accepted_round_trips ("1900-01-01T00:00:00Z");
      return;
    }
  run_isolated ("'1900-01-01T00:00:00Z' is accepted by ioc_time_parse but formatted with the "
                "offset cut to +07:06, so it comes back 30 s off");
}

static void
test_time_extreme_short_year (void)
{
  if (g_test_subprocess ())
    {
      ioc_time_set_zone ("UTC");
      assert_accepted_round_trips ("0999-06-01T00:00:00Z");
      return;
    }
  run_isolated ("'0999-06-01T00:00:00Z' is accepted by ioc_time_parse but formatted as "
                "'999-06-01T00:00:00+00:00', which ioc_time_parse then refuses");
}

static void
test_geo_valid (void)
{
  g_assert_true (ioc_geo_valid_lat_lon (0, 0));
  g_assert_true (ioc_geo_valid_lat_lon (90, 180));
  g_assert_true (ioc_geo_valid_lat_lon (-90, -180));
  g_assert_true (ioc_geo_valid_lat_lon (90, -180));
  g_assert_true (ioc_geo_valid_lat_lon (-90, 180));
  g_assert_true (ioc_geo_valid_lat_lon (10.0341, 105.7852));

  g_assert_false (ioc_geo_valid_lat_lon (90.0001, 0));
  g_assert_false (ioc_geo_valid_lat_lon (-90.0001, 0));
  g_assert_false (ioc_geo_valid_lat_lon (0, 180.0001));
  g_assert_false (ioc_geo_valid_lat_lon (0, -180.0001));
  g_assert_false (ioc_geo_valid_lat_lon (NAN, 0));
  g_assert_false (ioc_geo_valid_lat_lon (0, NAN));
  g_assert_false (ioc_geo_valid_lat_lon (INFINITY, 0));
  g_assert_false (ioc_geo_valid_lat_lon (0, -INFINITY));
  /* Swapped lat and lon, an easy mistake with GeoJSON's (lon, lat). */
  g_assert_false (ioc_geo_valid_lat_lon (105.7852, 10.0341));
}

static void
test_bbox_parse (void)
{
  static const char * const refused[] = {
    "105.5,9.9,105.9",
    "105.5,9.9,105.9,10.3,1",
    "105.5,9.9,105.9,",
    "",
    ",,,",
    "a,b,c,d",
    "105.5,9.9,105.9,10.3x",
    "105.9,9.9,105.5,10.3",          /* min lon > max lon */
    "105.5,10.3,105.9,9.9",          /* min lat > max lat */
    "105.5,-91,105.9,10.3",
    "105.5,9.9,180.5,10.3",
    "-181,9.9,105.9,10.3",
    "105.5,9.9,105.9,91",
    "nan,9.9,105.9,10.3",
    "105.5,9.9,inf,10.3",
  };
  IocBBox bbox = { 0 };

  g_assert_true (ioc_bbox_parse ("105.5,9.9,105.9,10.3", &bbox));
  g_assert_cmpfloat (bbox.min_lon, ==, 105.5);
  g_assert_cmpfloat (bbox.min_lat, ==, 9.9);
  g_assert_cmpfloat (bbox.max_lon, ==, 105.9);
  g_assert_cmpfloat (bbox.max_lat, ==, 10.3);
  g_assert_true (ioc_bbox_contains (&bbox, 10.0341, 105.7852));
  g_assert_true (ioc_bbox_contains (&bbox, 9.9, 105.5));
  g_assert_false (ioc_bbox_contains (&bbox, 21.0285, 105.8542));
  g_assert_false (ioc_bbox_contains (&bbox, 10.0, 105.4));

  g_assert_true (ioc_bbox_parse ("-180,-90,180,90", &bbox));
  g_assert_true (ioc_bbox_parse ("105,10,105,10", &bbox));

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      IocBBox untouched = { 1, 2, 3, 4 };

      g_test_message ("refusing '%s'", refused[i]);
      g_assert_false (ioc_bbox_parse (refused[i], &untouched));
      g_assert_cmpfloat (untouched.min_lon, ==, 1);
      g_assert_cmpfloat (untouched.max_lat, ==, 4);
    }

  g_assert_false (ioc_bbox_parse (NULL, &bbox));
}

static IocGeoShape *
shape_from_string (const char *geojson)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = ioc_json_parse_object (geojson, -1, &error);
  IocGeoShape *shape;

  g_assert_no_error (error);
  shape = ioc_geo_shape_new_from_geojson (object, &error);
  g_assert_no_error (error);
  g_assert_nonnull (shape);
  return shape;
}

static void
test_shape_square (void)
{
  g_autoptr(IocGeoShape) shape = shape_from_string (
    "{\"type\": \"Polygon\", \"coordinates\": "
    "[[[105, 10], [106, 10], [106, 11], [105, 11], [105, 10]]]}");
  IocBBox bbox;

  g_assert_true (ioc_geo_shape_contains (shape, 10.5, 105.5));
  g_assert_true (ioc_geo_shape_contains (shape, 10.01, 105.99));
  g_assert_false (ioc_geo_shape_contains (shape, 11.5, 105.5));
  g_assert_false (ioc_geo_shape_contains (shape, 10.5, 104.5));
  g_assert_false (ioc_geo_shape_contains (shape, 9.99, 105.5));
  /* (lat, lon) order: the swapped point is far away. */
  g_assert_false (ioc_geo_shape_contains (shape, 105.5, 10.5));

  ioc_geo_shape_get_bbox (shape, &bbox);
  g_assert_cmpfloat (bbox.min_lon, ==, 105);
  g_assert_cmpfloat (bbox.min_lat, ==, 10);
  g_assert_cmpfloat (bbox.max_lon, ==, 106);
  g_assert_cmpfloat (bbox.max_lat, ==, 11);
}

static void
test_shape_hole (void)
{
  g_autoptr(IocGeoShape) shape = shape_from_string (
    "{\"type\": \"Polygon\", \"coordinates\": ["
    "[[105, 10], [106, 10], [106, 11], [105, 11], [105, 10]],"
    "[[105.4, 10.4], [105.4, 10.6], [105.6, 10.6], [105.6, 10.4], [105.4, 10.4]]]}");

  g_assert_false (ioc_geo_shape_contains (shape, 10.5, 105.5));
  g_assert_true (ioc_geo_shape_contains (shape, 10.2, 105.2));
  g_assert_true (ioc_geo_shape_contains (shape, 10.5, 105.3));
  g_assert_true (ioc_geo_shape_contains (shape, 10.8, 105.5));
  g_assert_false (ioc_geo_shape_contains (shape, 12, 105.5));
}

static void
test_shape_multi (void)
{
  g_autoptr(IocGeoShape) shape = shape_from_string (
    "{\"type\": \"MultiPolygon\", \"coordinates\": ["
    "[[[105, 10], [106, 10], [106, 11], [105, 11], [105, 10]]],"
    "[[[107, 12], [108, 12], [108, 13], [107, 13], [107, 12]],"
    " [[107.4, 12.4], [107.6, 12.4], [107.6, 12.6], [107.4, 12.6], [107.4, 12.4]]]]}");
  IocBBox bbox;

  g_assert_true (ioc_geo_shape_contains (shape, 10.5, 105.5));
  g_assert_true (ioc_geo_shape_contains (shape, 12.2, 107.2));
  g_assert_false (ioc_geo_shape_contains (shape, 12.5, 107.5));   /* the second one's hole */
  g_assert_false (ioc_geo_shape_contains (shape, 11.5, 106.5));   /* between them */
  g_assert_false (ioc_geo_shape_contains (shape, 10.5, 107.5));   /* inside the bbox only */

  ioc_geo_shape_get_bbox (shape, &bbox);
  g_assert_cmpfloat (bbox.min_lon, ==, 105);
  g_assert_cmpfloat (bbox.min_lat, ==, 10);
  g_assert_cmpfloat (bbox.max_lon, ==, 108);
  g_assert_cmpfloat (bbox.max_lat, ==, 13);
}

static void
test_shape_invalid (void)
{
  static const char * const invalid[] = {
    "{\"type\": \"Point\", \"coordinates\": [105, 10]}",
    "{\"type\": \"Polygon\"}",
    "{\"type\": \"Polygon\", \"coordinates\": 5}",
    "{\"type\": \"Polygon\", \"coordinates\": [5]}",
    "{\"type\": \"Polygon\", \"coordinates\": [[[105]]]}",
    "{\"type\": \"Polygon\", \"coordinates\": [[5, 6]]}",
    "{\"type\": \"MultiPolygon\", \"coordinates\": [5]}",
    "{\"type\": \"MultiPolygon\", \"coordinates\": [[[[105]]]]}",
    "{\"coordinates\": [[[105, 10], [106, 10], [106, 11], [105, 10]]]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = ioc_json_parse_object (invalid[i], -1, &error);
      g_autoptr(IocGeoShape) shape = NULL;

      g_assert_no_error (error);
      g_test_message ("refusing %s", invalid[i]);
      shape = ioc_geo_shape_new_from_geojson (object, &error);
      g_assert_null (shape);
      g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
    }
}

static void
assert_shape_refused (const char *geojson)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = ioc_json_parse_object (geojson, -1, &error);
  g_autoptr(IocGeoShape) shape = NULL;

  g_assert_no_error (error);
  shape = ioc_geo_shape_new_from_geojson (object, &error);
  g_assert_null (shape);
  g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
}

static void
test_shape_type_not_string (void)
{
  if (g_test_subprocess ())
    {
      assert_shape_refused ("{\"type\": 5, \"coordinates\": []}");
      return;
    }
  run_isolated ("a geometry whose 'type' is not a string crashes ioc_geo_shape_new_from_geojson");
}

static void
test_shape_coordinate_not_number (void)
{
  if (g_test_subprocess ())
    {
      assert_shape_refused ("{\"type\": \"Polygon\", \"coordinates\": "
                            "[[[\"105\", 10], [106, 10], [106, 11], [105, 10]]]}");
      assert_shape_refused ("{\"type\": \"Polygon\", \"coordinates\": "
                            "[[[null, 10], [106, 10], [106, 11], [105, 10]]]}");
      return;
    }
  run_isolated ("a ring with a string or null coordinate is accepted by "
                "ioc_geo_shape_new_from_geojson (read as 0; null raises a Json-CRITICAL)");
}

static void
test_shape_cantho (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "..", "data", "cantho",
                                                 "cantho_city_boundary.geojson", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(IocGeoShape) shape = NULL;
  JsonObject *geometry = NULL;
  JsonArray *features;
  gsize length = 0;
  IocBBox bbox;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *message = g_strdup_printf ("%s is not there (the city boundary is "
                                                  "added to data/cantho separately)", path);
      g_test_skip (message);
      return;
    }

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  root = ioc_json_parse_object (contents, length, &error);
  g_assert_no_error (error);

  /* A FeatureCollection of one feature, or a bare Feature or geometry. */
  if (g_strcmp0 (json_object_get_string_member_with_default (root, "type", ""), "FeatureCollection") == 0)
    {
      features = json_object_get_array_member (root, "features");
      g_assert_nonnull (features);
      g_assert_cmpuint (json_array_get_length (features), >=, 1);
      geometry = json_object_get_object_member (json_array_get_object_element (features, 0), "geometry");
    }
  else if (g_strcmp0 (json_object_get_string_member_with_default (root, "type", ""), "Feature") == 0)
    geometry = json_object_get_object_member (root, "geometry");
  else
    geometry = root;
  g_assert_nonnull (geometry);

  shape = ioc_geo_shape_new_from_geojson (geometry, &error);
  g_assert_no_error (error);

  g_assert_true (ioc_geo_shape_contains (shape, 10.0341, 105.7852));     /* Ninh Kiều */
  g_assert_false (ioc_geo_shape_contains (shape, 21.0285, 105.8542));    /* Hà Nội */
  g_assert_false (ioc_geo_shape_contains (shape, 10.7769, 106.7009));    /* Hồ Chí Minh City */

  ioc_geo_shape_get_bbox (shape, &bbox);
  g_assert_true (ioc_bbox_contains (&bbox, 10.0341, 105.7852));
  g_assert_true (ioc_geo_valid_lat_lon (bbox.min_lat, bbox.min_lon));
  g_assert_true (ioc_geo_valid_lat_lon (bbox.max_lat, bbox.max_lon));
}

/* ioc_time_format before its fast path, through GDateTime. */
static char *
format_reference (gint64 usec)
{
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0));
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *base = NULL;
  gint64 frac_ms;
  gint64 offset_s;

  if (utc == NULL)
    return NULL;
  local = g_date_time_to_timezone (utc, tz);
  if (local == NULL)
    return NULL;
  offset_s = g_date_time_get_utc_offset (local) / G_USEC_PER_SEC;
  frac_ms = ((usec % G_USEC_PER_SEC) + G_USEC_PER_SEC) % G_USEC_PER_SEC / 1000;
  base = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S");
  if (frac_ms != 0)
    return g_strdup_printf ("%s.%03d%c%02d:%02d", base, (int) frac_ms, offset_s < 0 ? '-' : '+',
                            (int) (ABS (offset_s) / 3600), (int) ((ABS (offset_s) % 3600) / 60));
  return g_strdup_printf ("%s%c%02d:%02d", base, offset_s < 0 ? '-' : '+',
                          (int) (ABS (offset_s) / 3600), (int) ((ABS (offset_s) % 3600) / 60));
}

static void
assert_same_format (gint64 usec)
{
  g_autofree char *fast = ioc_time_format (usec);
  g_autofree char *reference = format_reference (usec);

  if (g_strcmp0 (fast, reference) != 0)
    g_error ("%" G_GINT64_FORMAT " formatted as %s, GDateTime writes %s", usec, fast, reference);
}

/* The integer arithmetic and the cached offset answer as GDateTime does:
 * random instants 1970–9000 (what ioc_time_parse accepts) in Vietnam, in
 * UTC and in zones with daylight saving (the cache then moves between
 * intervals), the days around Vietnam's last changes of offset, and the
 * edges. */
static void
test_time_format_fast (void)
{
  static const char * const zones[] = { IOC_DEFAULT_TIME_ZONE, "UTC", "Europe/Paris", "America/Santiago",
                                        "Australia/Lord_Howe" };
  /* 1970-01-01T00:00:00Z and 9001-01-01T00:00:00Z */
  const gint64 first = 0, last = G_GINT64_CONSTANT (221845392000) * G_USEC_PER_SEC;
  GRand *rand = g_rand_new_with_seed (20261128);
  guint compared = 0;

  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      ioc_time_set_zone (zones[z]);

      for (guint i = 0; i < 100000; i++)
        {
          gint64 at = first + (gint64) (g_rand_double (rand) * (double) (last - first));

          /* Whole seconds and whole milliseconds are most of what iocd stores. */
          if (i % 3 == 0)
            at -= at % G_USEC_PER_SEC;
          else if (i % 3 == 1)
            at -= at % 1000;
          assert_same_format (at);
          compared++;
        }

      /* Every hour through the years of Vietnam's last offset change (1975). */
      for (gint64 at = 0; at < G_GINT64_CONSTANT (220000000) * G_USEC_PER_SEC; at += G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
        {
          assert_same_format (at);
          assert_same_format (at + 999999);
          compared += 2;
        }

      assert_same_format (0);
      assert_same_format (-1);
      assert_same_format (-G_USEC_PER_SEC);
      assert_same_format (G_GINT64_CONSTANT (-2208988800) * G_USEC_PER_SEC);  /* 1900, before 1906 */
      assert_same_format (last - 1);
      assert_same_format (NOV_28_UTC + 123 * MS);
      compared += 6;
    }

  ioc_time_set_zone (IOC_DEFAULT_TIME_ZONE);
  g_test_message ("%u instants compared", compared);
  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/time/format", test_time_format);
  g_test_add_func ("/time/round-trip", test_time_round_trip);
  g_test_add_func ("/time/parse", test_time_parse);
  g_test_add_func ("/time/parse/fast-path", test_time_parse_fast);
  g_test_add_func ("/time/zone", test_time_zone);
  g_test_add_func ("/time/format/fast-path", test_time_format_fast);
  g_test_add_func ("/time/extreme/year-9999", test_time_extreme_late);
  g_test_add_func ("/time/extreme/before-1906", test_time_extreme_lmt);
  g_test_add_func ("/time/extreme/year-below-1000", test_time_extreme_short_year);

  g_test_add_func ("/geo/valid-lat-lon", test_geo_valid);
  g_test_add_func ("/geo/bbox/parse", test_bbox_parse);
  g_test_add_func ("/geo/shape/square", test_shape_square);
  g_test_add_func ("/geo/shape/hole", test_shape_hole);
  g_test_add_func ("/geo/shape/multi-polygon", test_shape_multi);
  g_test_add_func ("/geo/shape/invalid", test_shape_invalid);
  g_test_add_func ("/geo/shape/type-not-string", test_shape_type_not_string);
  g_test_add_func ("/geo/shape/coordinate-not-number", test_shape_coordinate_not_number);
  g_test_add_func ("/geo/shape/cantho", test_shape_cantho);

  return g_test_run ();
}
