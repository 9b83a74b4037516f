/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <string.h>

#include "ioc-core.h"
#include "iocd-test-utils.h"

/* One iocd for the whole program: seeding the demo city costs seconds. */
static IocdTestServer *server;
static SoupSession *session;

#define ARRIVE_MS 15000
#define QUIET_MS 700

static const char *
token_of (const char *username)
{
  return iocd_test_token (server, session, username);
}

static IocdTestResponse *
post_csv (const char *username,
          const char *text)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  return iocd_test_request_bytes (server, session, "POST", "/api/v1/indicators/observations.csv",
                                  token_of (username), body, "text/csv");
}

static IocdTestResponse *
post_json (const char *username,
           const char *text)
{
  return iocd_test_request (server, session, "POST", "/api/v1/indicators/observations", token_of (username),
                            text, NULL);
}

/* "YYYY-MM" of the month @offset months from the present one, in Cần Thơ. */
static char *
month (int offset)
{
  gint64 start = ioc_indicator_period_start (IOC_FREQUENCY_MONTHLY, g_get_real_time ());
  gint64 t = ioc_indicator_period_add (IOC_FREQUENCY_MONTHLY, start, offset);
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);

  return g_date_time_format (local, "%Y-%m");
}

/* The catalogue entry of @code as GET /indicators shows it (a copy). */
static JsonNode *
catalogue_entry (const char *code)
{
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/indicators",
                                                     token_of ("trucban1"), NULL, NULL);
  JsonNode *list;

  if (!iocd_test_assert_status (r, 200, "GET /indicators"))
    return NULL;
  list = iocd_test_json_get (r->body, "indicators");
  g_assert_nonnull (list);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (list), i);

      if (g_strcmp0 (iocd_test_json_string (e, "code"), code) == 0)
        return json_node_copy (e);
    }
  iocd_test_fail ("no indicator %s in the catalogue", code);
  return NULL;
}

static char *
status_of (const char *code)
{
  g_autoptr(JsonNode) e = catalogue_entry (code);

  return g_strdup (iocd_test_json_string (e, "status"));
}

/* GET …/series?@query as an operator; asserts 200. */
static IocdTestResponse *
get_series (const char *code,
            const char *query)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/indicators/%s/series?%s", code, query);
  IocdTestResponse *r = iocd_test_request (server, session, "GET", path, token_of ("trucban1"), NULL, NULL);

  iocd_test_assert_status (r, 200, path);
  return r;
}

/* How many values @code has for @area ("" city-wide) between two YYYY-MM. */
static gint64
count_values (const char *code,
              const char *area,
              const char *from,
              const char *to)
{
  g_autofree char *query = g_strdup_printf ("from=%s&to=%s&area=%s", from, to, area);
  g_autoptr(IocdTestResponse) r = get_series (code, query);
  gint64 total = 0;
  JsonNode *series = iocd_test_json_get (r->body, "series");

  for (guint i = 0; series && i < json_array_get_length (json_node_get_array (series)); i++)
    total += iocd_test_json_int (json_array_get_element (json_node_get_array (series), i), "count");
  return total;
}

/* Asserts a 400 {error: {code: invalid, lines: [...]}} naming exactly @lines (0-terminated). */
static void
assert_bad_lines (IocdTestResponse *r,
                  const guint      *lines,
                  const char       *what)
{
  JsonNode *list;
  guint n = 0;

  while (lines[n] != 0)
    n++;

  if (!iocd_test_check_error (r, 400, "invalid", NULL, what))
    return;
  list = iocd_test_json_get (r->body, "error.lines");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      iocd_test_fail ("%s: no error.lines: %s", what, r->text);
      return;
    }
  g_test_message ("%s: %s", what, r->text);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *line = json_array_get_element (json_node_get_array (list), i);

      g_assert_cmpint (iocd_test_json_int (line, "line"), ==, lines[i]);
      g_assert_nonnull (iocd_test_json_string (line, "message"));
      g_assert_cmpstr (iocd_test_json_string (line, "message"), !=, "");
    }
}

static void
test_catalogue (void)
{
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/indicators",
                                                     token_of ("lanhdao"), NULL, NULL);
  g_autoptr(GHashTable) domains = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) statuses = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *list;

  if (!iocd_test_assert_status (r, 200, "GET /indicators"))
    return;
  list = json_node_get_array (iocd_test_json_get (r->body, "indicators"));
  g_assert_cmpuint (json_array_get_length (list), >=, 20);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *e = json_array_get_element (list, i);
      const char *status = iocd_test_json_string (e, "status");

      g_assert_nonnull (iocd_test_json_string (e, "code"));
      g_assert_nonnull (iocd_test_json_string (e, "name_vi"));
      g_assert_nonnull (iocd_test_json_string (e, "department"));
      g_assert_cmpstr (iocd_test_json_string (e, "frequency"), ==, "monthly");
      g_assert_nonnull (strstr (iocd_test_json_string (e, "description"), "Synthetic"));
      g_assert_true (iocd_test_json_has (e, "value"));
      g_assert_true (iocd_test_json_has (e, "period"));
      g_assert_true (iocd_test_json_has (e, "age_seconds"));
      g_assert_true (g_strv_contains ((const char * const[]) { "ok", "warning", "alert", "stale", "no_data", NULL },
                                      status));
      if (g_str_equal (status, "stale"))
        g_assert_cmpint (iocd_test_json_int (e, "age_seconds"), >, 90 * 86400);
      g_hash_table_add (domains, (gpointer) iocd_test_json_string (e, "domain"));
      g_hash_table_add (statuses, (gpointer) status);
    }

  /* The IOC's eight monitored domains, a few stale and a few in alert. */
  g_assert_cmpuint (g_hash_table_size (domains), ==, 8);
  /* Units in Vietnamese, with the English beside them where it differs. */
  {
    g_autoptr(JsonNode) accidents = catalogue_entry ("atgt.accidents");
    g_autoptr(JsonNode) pm25 = catalogue_entry ("mt.pm25");

    g_assert_cmpstr (iocd_test_json_string (accidents, "unit"), ==, "vụ");
    g_assert_cmpstr (iocd_test_json_string (accidents, "unit_en"), ==, "accidents");
    g_assert_cmpstr (iocd_test_json_string (pm25, "unit"), ==, "µg/m³");
    g_assert_null (iocd_test_json_string (pm25, "unit_en"));
  }
  g_assert_true (g_hash_table_contains (statuses, "stale"));
  g_assert_true (g_hash_table_contains (statuses, "alert"));
  g_assert_true (g_hash_table_contains (statuses, "ok"));

  /* Per-commune values for a choropleth. */
  {
    g_autoptr(IocdTestResponse) s = get_series ("pa.reports_received", "area=*");

    g_assert_cmpuint (json_array_get_length (json_node_get_array (iocd_test_json_get (s->body, "series"))), >=, 10);
    g_assert_nonnull (iocd_test_json_string (s->body, "series.0.area"));
    g_assert_cmpint (iocd_test_json_int (s->body, "series.0.count"), ==, 24);
  }
}

static void
test_rights (void)
{
  g_autofree char *m = month (-30);
  g_autofree char *own = g_strdup_printf ("{\"observations\":[{\"indicator\":\"mt.water_loss\",\"period\":\"%s\","
                                          "\"value\":18.5}]}", m);
  g_autofree char *other = g_strdup_printf ("{\"observations\":[{\"indicator\":\"atgt.accidents\",\"period\":\"%s\","
                                            "\"value\":20}]}", m);
  g_autofree char *mixed = g_strdup_printf ("{\"observations\":["
                                            "{\"indicator\":\"mt.water_loss\",\"period\":\"%s-15\",\"value\":1},"
                                            "{\"indicator\":\"atgt.accidents\",\"period\":\"%s\",\"value\":2}]}",
                                            m, m);
  g_autofree char *csv_other = g_strdup_printf ("indicator,period,area,value\natgt.accidents,%s,,20\n", m);
  static const guint line1[] = { 1, 0 };
  static const guint line2[] = { 2, 0 };

  /* A liaison submits their own department's indicator. */
  {
    g_autoptr(IocdTestResponse) r = post_json ("lienlac.sxd", own);

    if (iocd_test_assert_status (r, 200, "SXD liaison, SXD indicator"))
      {
        g_assert_cmpint (iocd_test_json_int (r->body, "stored"), ==, 1);
        g_assert_cmpstr (iocd_test_json_string (r->body, "indicators.0"), ==, "mt.water_loss");
      }
    g_assert_cmpint (count_values ("mt.water_loss", "", m, month (-29)), ==, 1);
  }

  /* Not another department's: a bad line, nothing stored. */
  {
    g_autoptr(IocdTestResponse) r = post_json ("lienlac.sxd", other);
    g_autoptr(IocdTestResponse) c = post_csv ("lienlac.sxd", csv_other);
    g_autoptr(IocdTestResponse) x = post_json ("lienlac.sxd", mixed);

    assert_bad_lines (r, line1, "SXD liaison, CATP indicator (JSON)");
    assert_bad_lines (c, line2, "SXD liaison, CATP indicator (CSV)");
    assert_bad_lines (x, line2, "SXD liaison, own and CATP indicator");
    g_assert_nonnull (strstr (iocd_test_json_string (x->body, "error.lines.0.message"), "CATP"));
    g_assert_cmpint (count_values ("atgt.accidents", "", m, month (-29)), ==, 0);
    /* The good line of the mixed one was not stored either: still 18.5. */
    {
      g_autofree char *q = g_strdup_printf ("from=%s&to=%s", m, month (-29));
      g_autoptr(IocdTestResponse) s = get_series ("mt.water_loss", q);

      g_assert_cmpfloat (json_node_get_double (iocd_test_json_get (s->body, "series.0.points.0.value")), ==, 18.5);
    }
  }

  /* Operators and supervisors read only. */
  for (guint i = 0; i < 2; i++)
    {
      const char *who = i == 0 ? "trucban1" : "lanhdao";
      g_autoptr(IocdTestResponse) r = post_json (who, own);
      g_autoptr(IocdTestResponse) c = post_csv (who, csv_other);

      iocd_test_check_error (r, 403, "forbidden", NULL, who);
      iocd_test_check_error (c, 403, "forbidden", NULL, who);
    }

  /* An administrator submits for any department. */
  {
    g_autoptr(IocdTestResponse) r = post_json ("admin", other);

    iocd_test_assert_status (r, 200, "admin, CATP indicator");
    g_assert_cmpint (count_values ("atgt.accidents", "", m, month (-29)), ==, 1);
  }

  /* Without signing in. */
  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "POST", "/api/v1/indicators/observations",
                                                       NULL, own, NULL);

    iocd_test_check_unauthorized (r, "no token");
  }
}

static void
test_csv_one_bad_line (void)
{
  g_autofree char *a = month (-40);
  g_autofree char *b = month (-39);
  g_autofree char *c = month (-38);
  g_autofree char *text = g_strdup_printf ("indicator,period,area,value\n"
                                           "dl.visitors,%s,,700\n"
                                           "dl.visitors,%s,,710\n"
                                           "dl.visitorz,%s,,720\n"
                                           "dl.hotel_occupancy,%s,,61.5\n"
                                           "dl.hotel_occupancy,%s-01,31120,58\n",
                                           a, b, c, a, b);
  static const guint bad[] = { 4, 0 };
  g_autoptr(IocdTestResponse) r = post_csv ("lienlac.svhttdl", text);

  assert_bad_lines (r, bad, "one unknown indicator");
  g_assert_nonnull (strstr (iocd_test_json_string (r->body, "error.lines.0.message"), "dl.visitorz"));
  g_assert_cmpint (count_values ("dl.visitors", "", a, c), ==, 0);
  g_assert_cmpint (count_values ("dl.hotel_occupancy", "*", a, c), ==, 0);
  g_assert_cmpint (count_values ("dl.hotel_occupancy", "", a, c), ==, 0);

  /* Fixed, the same file goes in whole. */
  {
    g_autofree char *fixed = g_strdup_printf ("indicator,period,area,value\n"
                                              "dl.visitors,%s,,700\n"
                                              "dl.visitors,%s,,710\n"
                                              "dl.visitors,%s,,720\n"
                                              "dl.hotel_occupancy,%s,,61.5\n"
                                              "dl.hotel_occupancy,%s-01,31120,58\n",
                                              a, b, c, a, b);
    g_autoptr(IocdTestResponse) ok = post_csv ("lienlac.svhttdl", fixed);

    if (iocd_test_assert_status (ok, 200, "fixed CSV"))
      g_assert_cmpint (iocd_test_json_int (ok->body, "stored"), ==, 5);
    g_assert_cmpint (count_values ("dl.visitors", "", a, month (-37)), ==, 3);
    g_assert_cmpint (count_values ("dl.hotel_occupancy", "", a, month (-37)), ==, 1);
    g_assert_cmpint (count_values ("dl.hotel_occupancy", "31120", a, month (-37)), ==, 1);
  }
}

static void
test_csv_several_bad_lines (void)
{
  g_autofree char *a = month (-50);
  g_autofree char *next = month (2);
  g_autofree char *text = g_strdup_printf ("indicator,period,area,value\r\n"
                                           "mt.pm25,%s,,20.5\r\n"                       /* 2 good */
                                           "mt.pm25,%s-02,,abc\r\n"                     /* 3 bad number */
                                           "mt.pm25,%s,,21\r\n"                         /* 4 future */
                                           "mt.pm25,%s-03,99999,21\r\n"                 /* 5 unknown commune */
                                           "atgt.accidents,%s,,5\r\n"                   /* 6 other department */
                                           "no.such,%s,,5\r\n"                          /* 7 unknown indicator */
                                           "mt.pm25,%s,,1,extra\r\n"                    /* 8 five fields */
                                           "mt.pm25,March,,1\r\n"                       /* 9 bad period */
                                           "\"mt.water_loss\",\"%s\",\"\",\"17.25\"\r\n" /* 10 good, quoted */
                                           "mt.pm25,%s-20,,22\r\n"                      /* 11 same month as 2 */
                                           "mt.pm25,%s,,\r\n"                           /* 12 empty value */
                                           "mt.pm25,%s,,0x10\r\n",                      /* 13 hex */
                                           a, a, next, a, a, a, a, a, a, a, a);
  /* An administrator may submit any department's indicator (line 6). */
  static const guint bad[] = { 3, 4, 5, 7, 8, 9, 11, 12, 13, 0 };
  /* For the SNNMT liaison lines 6 (CATP's) and 10 (SXD's) are bad too. */
  static const guint bad_liaison[] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0 };
  g_autoptr(IocdTestResponse) r = post_csv ("admin", text);
  g_autoptr(IocdTestResponse) l = post_csv ("lienlac.snnmt", text);

  assert_bad_lines (r, bad, "several bad lines (admin)");
  assert_bad_lines (l, bad_liaison, "several bad lines (SNNMT liaison)");
  g_assert_nonnull (strstr (iocd_test_json_string (r->body, "error.lines.2.message"), "99999"));
  g_assert_cmpint (count_values ("mt.pm25", "", a, month (-48)), ==, 0);
  g_assert_cmpint (count_values ("mt.water_loss", "", a, month (-48)), ==, 0);
}

static void
test_csv_header (void)
{
  static const char * const headers[] = {
    "indicator,period,value\n",
    "indicator,period,area,value,note\n",
    "period,indicator,area,value\n",
    "Indicator,Period,Area,Value\n",
    "code,period,area,value\n",
  };
  static const guint line1[] = { 1, 0 };
  g_autofree char *m = month (-60);

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autofree char *text = g_strdup_printf ("%smt.pm25,%s,,20\n", headers[i], m);
      g_autoptr(IocdTestResponse) r = post_csv ("admin", text);

      assert_bad_lines (r, line1, headers[i]);
    }
  g_assert_cmpint (count_values ("mt.pm25", "", m, month (-59)), ==, 0);

  /* Only a header: nothing to store. */
  {
    g_autoptr(IocdTestResponse) r = post_csv ("admin", "indicator,period,area,value\n");

    iocd_test_check_error (r, 400, "invalid", NULL, "header only");
  }

  /* Not sent as CSV. */
  {
    g_autofree char *text = g_strdup_printf ("indicator,period,area,value\nmt.pm25,%s,,20\n", m);
    g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
    g_autoptr(IocdTestResponse) r = iocd_test_request_bytes (server, session, "POST",
                                                             "/api/v1/indicators/observations.csv",
                                                             token_of ("admin"), body, "application/json");

    iocd_test_check_error (r, 400, "invalid", "Content-Type", "CSV as application/json");
  }
}

static void
test_json_submission (void)
{
  g_autofree char *a = month (-70);
  g_autofree char *b = month (-69);
  g_autofree char *good = g_strdup_printf ("{\"observations\":["
                                           "{\"indicator\":\"ktxh.cpi_yoy\",\"period\":\"%s\",\"value\":3.5},"
                                           "{\"indicator\":\"ktxh.cpi_yoy\",\"period\":\"%s-01T00:00:00+07:00\",\"value\":3.6},"
                                           "{\"indicator\":\"ktxh.new_businesses\",\"period\":\"%s\",\"area\":\"31135\",\"value\":12}"
                                           "]}", a, b, a);
  g_autofree char *bad = g_strdup_printf ("{\"observations\":["
                                          "{\"indicator\":\"ktxh.cpi_yoy\",\"period\":\"%s\",\"value\":3.5},"
                                          "42,"
                                          "{\"indicator\":\"ktxh.cpi_yoy\",\"period\":\"%s\",\"value\":\"3.6\"},"
                                          "{\"indicator\":\"ktxh.cpi_yoy\",\"period\":\"%s-01T00:00:00\",\"value\":3.6},"
                                          "{\"period\":\"%s\",\"value\":3.6}"
                                          "]}", a, b, b, b);
  static const guint bad_lines[] = { 2, 3, 4, 5, 0 };
  g_autoptr(IocdTestResponse) r = post_json ("lienlac.stc", bad);

  assert_bad_lines (r, bad_lines, "JSON with bad items");
  g_assert_cmpint (count_values ("ktxh.cpi_yoy", "", a, month (-68)), ==, 0);

  {
    g_autoptr(IocdTestResponse) ok = post_json ("lienlac.stc", good);

    if (iocd_test_assert_status (ok, 200, "good JSON"))
      {
        g_assert_cmpint (iocd_test_json_int (ok->body, "stored"), ==, 3);
        g_assert_cmpint (iocd_test_json_int (ok->body, "event_seq"), >, 0);
      }
    g_assert_cmpint (count_values ("ktxh.cpi_yoy", "", a, month (-68)), ==, 2);
    g_assert_cmpint (count_values ("ktxh.new_businesses", "31135", a, month (-68)), ==, 1);
  }

  /* The same again replaces (indicator, area, period), it does not add. */
  {
    g_autoptr(IocdTestResponse) again = post_json ("lienlac.stc", good);

    iocd_test_assert_status (again, 200, "good JSON again");
    g_assert_cmpint (count_values ("ktxh.cpi_yoy", "", a, month (-68)), ==, 2);
  }

  /* Not an array, not JSON. */
  {
    g_autoptr(IocdTestResponse) x = post_json ("lienlac.stc", "{\"observations\":{}}");
    g_autoptr(IocdTestResponse) y = post_json ("lienlac.stc", "indicator,period");

    iocd_test_check_error (x, 400, "invalid", "observations", "observations not an array");
    iocd_test_check_error (y, 400, "malformed", NULL, "not JSON");
  }
}

static void
submit_one (const char *username,
            const char *indicator,
            const char *period,
            double      value)
{
  g_autofree char *body = g_strdup_printf ("{\"observations\":[{\"indicator\":\"%s\",\"period\":\"%s\","
                                           "\"value\":%.17g}]}", indicator, period, value);
  g_autoptr(IocdTestResponse) r = post_json (username, body);

  iocd_test_assert_status (r, 200, body);
}

static void
assert_status (const char *code,
               const char *expected,
               const char *after)
{
  g_autofree char *status = status_of (code);

  if (g_strcmp0 (status, expected) != 0)
    iocd_test_fail ("%s after %s: status %s, expected %s", code, after, status, expected);
}

static void
test_status (void)
{
  g_autofree char *now_month = month (0);
  g_autofree char *m2 = month (-2);
  g_autofree char *m3 = month (-3);

  /* Higher is better: cq.online_procedures warns at 80, alerts at 70. */
  submit_one ("lienlac.vpubnd", "cq.online_procedures", now_month, 90);
  assert_status ("cq.online_procedures", "ok", "90");
  submit_one ("lienlac.vpubnd", "cq.online_procedures", now_month, 80);
  assert_status ("cq.online_procedures", "warning", "80 (at the warning threshold)");
  submit_one ("lienlac.vpubnd", "cq.online_procedures", now_month, 75);
  assert_status ("cq.online_procedures", "warning", "75");
  submit_one ("lienlac.vpubnd", "cq.online_procedures", now_month, 65);
  assert_status ("cq.online_procedures", "alert", "65");

  /* Lower is better: mt.water_loss warns at 20, alerts at 25. */
  submit_one ("lienlac.sxd", "mt.water_loss", now_month, 10);
  assert_status ("mt.water_loss", "ok", "10");
  submit_one ("lienlac.sxd", "mt.water_loss", now_month, 22);
  assert_status ("mt.water_loss", "warning", "22");
  submit_one ("lienlac.sxd", "mt.water_loss", now_month, 25);
  assert_status ("mt.water_loss", "alert", "25 (at the alert threshold)");
  submit_one ("lienlac.sxd", "mt.water_loss", now_month, 31);
  assert_status ("mt.water_loss", "alert", "31");

  /* pa.satisfaction's latest value is months old: stale, never current.
   * A value for three months ago is still stale (the one for two months
   * ago was due by the end of last month); two months ago is current. */
  assert_status ("pa.satisfaction", "stale", "the demo");
  submit_one ("lienlac.vpubnd", "pa.satisfaction", m3, 60);
  assert_status ("pa.satisfaction", "stale", "a value for three months ago");
  submit_one ("lienlac.vpubnd", "pa.satisfaction", m2, 95);
  {
    g_autoptr(JsonNode) e = catalogue_entry ("pa.satisfaction");
    gint64 period = iocd_test_json_time (e, "period");
    gint64 age = iocd_test_json_int (e, "age_seconds");
    gint64 expected_age = (g_get_real_time () - period) / G_USEC_PER_SEC;

    g_assert_cmpstr (iocd_test_json_string (e, "status"), ==, "ok");
    g_assert_cmpint (ABS (age - expected_age), <=, 5);
    g_assert_cmpfloat (json_node_get_double (iocd_test_json_get (e, "value")), ==, 95);
  }
  assert_status ("mt.waste_collection", "stale", "the demo");
}

static void
test_series_extremes (void)
{
  g_autoptr(GString) csv = g_string_new ("indicator,period,area,value\n");
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(IocdTestResponse) s = NULL;
  g_autoptr(IocdTestResponse) all = NULL;
  g_autofree char *from = month (-200);
  g_autofree char *to = month (-140);
  g_autofree char *query = NULL;
  gboolean seen_max = FALSE, seen_min = FALSE;
  JsonArray *points;

  /* 60 months of a gentle wave with one spike up and one down. */
  for (int k = -200; k < -140; k++)
    {
      g_autofree char *m = month (k);
      double v = 50 + (k % 7);

      if (k == -171)
        v = 999.5;
      else if (k == -152)
        v = -42.25;
      g_string_append_printf (csv, "ttm.negative_news,%s,31147,%g\n", m, v);
    }
  r = post_csv ("lienlac.skhcn", csv->str);
  iocd_test_assert_status (r, 200, "60 months");

  query = g_strdup_printf ("from=%s&to=%s&area=31147&points=10", from, to);
  s = get_series ("ttm.negative_news", query);
  g_assert_cmpint (iocd_test_json_int (s->body, "series.0.count"), ==, 60);
  g_assert_cmpstr (iocd_test_json_string (s->body, "series.0.area"), ==, "31147");
  g_assert_true (json_node_get_boolean (iocd_test_json_get (s->body, "series.0.downsampled")));
  points = json_node_get_array (iocd_test_json_get (s->body, "series.0.points"));
  g_assert_cmpuint (json_array_get_length (points), <=, 10);
  g_assert_cmpuint (json_array_get_length (points), >=, 2);
  for (guint i = 0; i < json_array_get_length (points); i++)
    {
      JsonNode *p = json_array_get_element (points, i);
      double v = json_node_get_double (iocd_test_json_get (p, "value"));
      g_autofree char *spike_max = month (-171);
      g_autofree char *spike_min = month (-152);
      gint64 t_max = 0, t_min = 0;

      ioc_indicator_parse_period (spike_max, &t_max);
      ioc_indicator_parse_period (spike_min, &t_min);
      if (v == 999.5)
        {
          seen_max = TRUE;
          g_assert_cmpint (iocd_test_json_time (p, "period"), ==, t_max);
        }
      if (v == -42.25)
        {
          seen_min = TRUE;
          g_assert_cmpint (iocd_test_json_time (p, "period"), ==, t_min);
        }
      if (i > 0)
        g_assert_cmpint (iocd_test_json_time (p, "period"), >,
                         iocd_test_json_time (json_array_get_element (points, i - 1), "period"));
    }
  g_assert_true (seen_max);
  g_assert_true (seen_min);

  /* Every commune as its own series; the city-wide one is not among them. */
  {
    g_autofree char *q = g_strdup_printf ("from=%s&to=%s&area=*&points=2", from, to);

    all = get_series ("ttm.negative_news", q);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (iocd_test_json_get (all->body, "series"))), ==, 1);
    g_assert_cmpstr (iocd_test_json_string (all->body, "series.0.area"), ==, "31147");
    g_assert_cmpuint (json_array_get_length (json_node_get_array (iocd_test_json_get (all->body, "series.0.points"))),
                      ==, 2);
  }

  /* Bad parameters. */
  {
    static const char * const bad[][2] = {
      { "points=1", "points" },
      { "points=10001", "points" },
      { "points=ten", "points" },
      { "area=99999", "area" },
      { "from=yesterday", "from" },
      { "from=2020-05&to=2020-01", "from" },
      { "colour=red", "colour" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *path = g_strdup_printf ("/api/v1/indicators/ttm.negative_news/series?%s", bad[i][0]);
        g_autoptr(IocdTestResponse) x = iocd_test_request (server, session, "GET", path, token_of ("trucban1"),
                                                           NULL, NULL);

        iocd_test_check_error (x, 400, "invalid", bad[i][1], path);
      }
  }
  {
    g_autoptr(IocdTestResponse) x = iocd_test_request (server, session, "GET", "/api/v1/indicators/no.such/series",
                                                       token_of ("trucban1"), NULL, NULL);
    g_autoptr(IocdTestResponse) y = iocd_test_request (server, session, "DELETE", "/api/v1/indicators",
                                                       token_of ("admin"), NULL, NULL);

    iocd_test_check_error (x, 404, "not_found", NULL, "unknown indicator");
    iocd_test_check_error (y, 405, "method_not_allowed", NULL, "DELETE");
  }
}

static gint64
server_seq (void)
{
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/server", NULL, NULL, NULL);

  return iocd_test_json_int (r->body, "event_seq");
}

static void
test_event (void)
{
  gint64 seq = server_seq ();
  guint status = 0;
  g_autoptr(IocdTestEvents) owner = iocd_test_events_connect (server, session, token_of ("lienlac.snnmt"), seq,
                                                              &status);
  g_autoptr(IocdTestEvents) other = iocd_test_events_connect (server, session, token_of ("lienlac.sxd"), seq,
                                                              &status);
  g_autoptr(IocdTestEvents) op = iocd_test_events_connect (server, session, token_of ("trucban2"), seq, &status);
  g_autofree char *m = month (-1);
  GPtrArray *got;
  JsonNode *event;

  g_assert_nonnull (owner);
  g_assert_nonnull (other);
  g_assert_nonnull (op);

  submit_one ("lienlac.snnmt", "mt.pm25", m, 18.25);

  g_assert_true (iocd_test_events_wait (owner, 1, ARRIVE_MS));
  g_assert_true (iocd_test_events_wait (op, 1, ARRIVE_MS));
  got = iocd_test_events_get (owner);
  event = g_ptr_array_index (got, 0);
  g_assert_cmpstr (iocd_test_json_string (event, "kind"), ==, "indicator.observed");
  g_assert_cmpint (iocd_test_json_int (event, "seq"), ==, seq + 1);
  g_assert_cmpstr (iocd_test_json_string (event, "data.indicators.0"), ==, "mt.pm25");
  g_assert_null (iocd_test_json_get (event, "data.indicators.1"));
  g_assert_cmpint (iocd_test_json_int (event, "data.count"), ==, 1);
  g_assert_cmpstr (iocd_test_json_string (event, "data.submitted_by"), ==, "lienlac.snnmt");

  /* Another department's liaison does not see it. */
  g_assert_false (iocd_test_events_wait (other, 1, QUIET_MS));

  /* A rejected submission announces nothing. */
  {
    g_autofree char *body = g_strdup_printf ("{\"observations\":[{\"indicator\":\"mt.pm25\",\"period\":\"%s\","
                                             "\"value\":\"x\"}]}", m);
    g_autoptr(IocdTestResponse) r = post_json ("lienlac.snnmt", body);

    g_assert_cmpuint (r->status, ==, 400);
    g_assert_false (iocd_test_events_wait (owner, 2, QUIET_MS));
    g_assert_cmpint (server_seq (), ==, seq + 1);
  }
}

int
main (int   argc,
      char *argv[])
{
  iocd_test_init_shared (&argc, &argv, &server, &session);

  g_test_add_func ("/indicators/catalogue/demo", test_catalogue);
  g_test_add_func ("/indicators/submit/rights", test_rights);
  g_test_add_func ("/indicators/csv/one-bad-line", test_csv_one_bad_line);
  g_test_add_func ("/indicators/csv/several-bad-lines", test_csv_several_bad_lines);
  g_test_add_func ("/indicators/csv/header", test_csv_header);
  g_test_add_func ("/indicators/submit/json", test_json_submission);
  g_test_add_func ("/indicators/status/thresholds-and-staleness", test_status);
  g_test_add_func ("/indicators/series/downsample-extremes", test_series_extremes);
  g_test_add_func ("/indicators/events/owning-liaison", test_event);
  iocd_test_add_shutdown ("/indicators/shutdown/clean", server);

  return iocd_test_run (&server, &session);
}
