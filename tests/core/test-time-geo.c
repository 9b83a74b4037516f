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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/time/format", test_time_format);
  g_test_add_func ("/time/round-trip", test_time_round_trip);
  g_test_add_func ("/time/parse", test_time_parse);
  g_test_add_func ("/time/zone", test_time_zone);
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
