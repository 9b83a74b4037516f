/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "console-test-utils.h"
#include "iocd-test-utils.h"
#include "ioc-client.h"
#include "ioc-event-stream.h"
#include "ioc-indicator-strip.h"
#include "ioc-indicators-page.h"

/* The indicators page, its charts, the gauge and the submissions, in real
 * windows under Xvfb against a real demo iocd. */

static IocdTestServer *server;
static SoupSession *session;
static char *tmp_dir;

/* What the user sees: the window's own rendering, saved as PNG. */
static void
screenshot (GtkWidget  *window,
            const char *name)
{
  if (g_getenv ("IOC_TEST_SCREENSHOT_DIR") == NULL)
    return;
  ioc_test_settle (300);
  ioc_test_screenshot_widget (window, name);
}

/* Signing in */

static void
signed_in_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  IocUser **user = user_data;
  g_autoptr(GError) error = NULL;

  *user = ioc_client_sign_in_finish (IOC_CLIENT (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static IocClient *
sign_in (const char *username,
         IocUser   **user)
{
  IocClient *client = ioc_client_new (server->base_uri, server->fingerprint);

  *user = NULL;
  ioc_client_sign_in_async (client, username, server->demo_password, NULL, signed_in_cb, user);
  g_assert_true (ioc_test_wait_until (pointer_set, user, 30));
  return client;
}

/* The page in a window */

typedef struct {
  IocClient         *client;
  IocUser           *user;
  GtkWidget         *window;
  IocIndicatorsPage *page;
} Fixture;

static gboolean
page_loaded (gpointer data)
{
  IocIndicatorsPage *page = data;

  return !ioc_indicators_page_is_loading (page) && ioc_indicators_page_get_n_cards (page) > 0 &&
         ioc_sensor_page_get_n_stations (ioc_indicators_page_get_sensor_page (page)) > 0;
}

static void
fixture_open (Fixture    *f,
              const char *username)
{
  f->client = sign_in (username, &f->user);
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1920, 1080);
  f->page = IOC_INDICATORS_PAGE (ioc_indicators_page_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->page));
  gtk_window_present (GTK_WINDOW (f->window));
  ioc_indicators_page_set_client (f->page, f->client, f->user);
  g_assert_true (ioc_test_wait_until (page_loaded, f->page, 60));
}

static void
fixture_close (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->client);
  g_clear_pointer (&f->user, ioc_user_unref);
  ioc_test_settle (50);
}

/* Stale values */

static void
test_stale_cards (void)
{
  Fixture f = { 0 };
  IocIndicatorCard *card;
  const char *text;

  fixture_open (&f, "trucban1");
  g_test_message ("%u cards", ioc_indicators_page_get_n_cards (f.page));
  g_assert_cmpuint (ioc_indicators_page_get_n_cards (f.page), >=, 20);

  /* The demo leaves tourism revenue five months behind: grey, with its age. */
  card = ioc_indicators_page_get_card (f.page, "dl.revenue");
  g_assert_nonnull (card);
  g_assert_cmpint (ioc_indicator_card_get_status (card), ==, IOC_INDICATOR_STATUS_STALE);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (card), "status-stale"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (card), "status-ok"));
  text = ioc_indicator_card_get_status_text (card);
  g_test_message ("dl.revenue: %s", text);
  g_assert_true (g_str_has_prefix (text, "Not updated for "));
  g_assert_nonnull (strstr (text, "month"));
  /* Its tooltip: name, status and the period of the value. */
  {
    g_autofree char *tooltip = ioc_indicator_card_describe (card);

    g_test_message ("dl.revenue tooltip: %s", tooltip);
    g_assert_nonnull (tooltip);
    g_assert_nonnull (strstr (tooltip, text));
    g_assert_nonnull (strstr (tooltip, "— value for "));
  }

  /* Six months behind, although the value itself is within thresholds. */
  card = ioc_indicators_page_get_card (f.page, "mt.waste_collection");
  g_assert_cmpint (ioc_indicator_card_get_status (card), ==, IOC_INDICATOR_STATUS_STALE);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (card), "status-stale"));

  /* Current values in alert stay in alert. */
  card = ioc_indicators_page_get_card (f.page, "cq.on_time_dossiers");
  g_assert_cmpint (ioc_indicator_card_get_status (card), ==, IOC_INDICATOR_STATUS_ALERT);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (card), "status-alert"));
  g_assert_cmpstr (ioc_indicator_card_get_status_text (card), ==, "Alert");

  /* Operators read indicators but do not submit them. */
  g_assert_false (ioc_indicators_page_can_submit (f.page));
  ioc_indicators_page_show_submit (f.page);
  g_assert_cmpstr (ioc_indicators_page_get_view (f.page), ==, "overview");

  screenshot (f.window, "indicators-page.png");
  fixture_close (&f);
}

/* Submissions */

static gboolean
submit_settled (gpointer data)
{
  IocSubmitState state = ioc_indicator_submit_get_state (data);

  return state != IOC_SUBMIT_CHECKING && state != IOC_SUBMIT_SENDING;
}

/* How many city-wide values the server holds for @code in [from, to). */
static gint64
server_count (const char *code,
              const char *from,
              const char *to)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/indicators/%s/series?from=%s&to=%s", code, from, to);
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", path,
                                                     iocd_test_token (server, session, "trucban1"),
                                                     NULL, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  return iocd_test_json_int (r->body, "series.0.count");
}

static void
test_csv_bad_row_sends_nothing (void)
{
  Fixture f = { 0 };
  IocIndicatorSubmit *submit;
  const IocSubmitRow *row;
  const char *csv =
    "indicator,period,area,value\r\n"
    "mt.pm25,2019-01,,21.5\r\n"
    "mt.pm25,2019-02,,abc\r\n"
    "atgt.accidents,2019-01,,3\r\n"
    "mt.pm25,2019-03,99999,20\r\n"
    "mt.pm25,2019-01-15,,22\r\n";

  fixture_open (&f, "lienlac.snnmt");
  g_assert_true (ioc_indicators_page_can_submit (f.page));
  ioc_indicators_page_show_submit (f.page);
  g_assert_cmpstr (ioc_indicators_page_get_view (f.page), ==, "submit");
  submit = ioc_indicators_page_get_submit (f.page);

  ioc_indicator_submit_load_text (submit, "values.csv", csv, -1);
  g_assert_true (ioc_test_wait_until (submit_settled, submit, 30));
  g_assert_cmpint (ioc_indicator_submit_get_state (submit), ==, IOC_SUBMIT_HAS_ERRORS);
  g_assert_cmpuint (ioc_indicator_submit_get_n_rows (submit), ==, 5);
  g_assert_cmpuint (ioc_indicator_submit_get_n_bad (submit), ==, 4);

  /* Every row is listed with its own result. */
  g_assert_null (ioc_indicator_submit_get_row (submit, 2)->problem);
  row = ioc_indicator_submit_get_row (submit, 3);
  g_assert_nonnull (strstr (row->problem, "not a number"));
  row = ioc_indicator_submit_get_row (submit, 4);
  g_assert_nonnull (strstr (row->problem, "belongs to CATP"));
  row = ioc_indicator_submit_get_row (submit, 5);
  g_assert_nonnull (strstr (row->problem, "unknown commune"));
  /* The middle of January is January: a repeat of line 2. */
  row = ioc_indicator_submit_get_row (submit, 6);
  g_assert_nonnull (strstr (row->problem, "repeats line 2"));
  screenshot (f.window, "submit-preview-bad.png");

  /* Sending is refused while a row is bad, and nothing reaches the server. */
  gtk_widget_activate_action (GTK_WIDGET (submit), "submit.send-csv", NULL);
  ioc_test_settle (300);
  g_assert_cmpint (ioc_indicator_submit_get_state (submit), ==, IOC_SUBMIT_HAS_ERRORS);
  g_assert_cmpint (server_count ("mt.pm25", "2019-01", "2019-04"), ==, 0);

  /* A wrong header is named on line 1. */
  ioc_indicator_submit_load_text (submit, "values.csv", "code,period,area,value\nmt.pm25,2019-01,,1\n", -1);
  g_assert_true (ioc_test_wait_until (submit_settled, submit, 30));
  g_assert_cmpint (ioc_indicator_submit_get_state (submit), ==, IOC_SUBMIT_HAS_ERRORS);
  g_assert_nonnull (strstr (ioc_indicator_submit_get_row (submit, 1)->problem, "header"));
  g_assert_cmpint (server_count ("mt.pm25", "2019-01", "2019-04"), ==, 0);

  /* What only the server knows: with a commune list that holds a code the
   * server does not, the file passes here, and the server's refusal comes
   * back on the row it names; still nothing is stored. */
  {
    g_autoptr(GPtrArray) indicators = g_ptr_array_new ();
    g_autoptr(GHashTable) communes = g_hash_table_new (g_str_hash, g_str_equal);

    g_ptr_array_add (indicators, ioc_indicator_card_get_indicator (ioc_indicators_page_get_card (f.page, "mt.pm25")));
    g_hash_table_insert (communes, (gpointer) "31135", (gpointer) "Phường Ninh Kiều");
    g_hash_table_insert (communes, (gpointer) "99999", (gpointer) "Nowhere");
    ioc_indicator_submit_set_context (submit, f.client, f.user, indicators, communes);
  }
  ioc_indicator_submit_load_text (submit, "values.csv",
                                  "indicator,period,area,value\nmt.pm25,2019-01,31135,1\nmt.pm25,2019-02,99999,2\n", -1);
  g_assert_true (ioc_test_wait_until (submit_settled, submit, 30));
  g_assert_cmpint (ioc_indicator_submit_get_state (submit), ==, IOC_SUBMIT_READY);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (submit), "submit.send-csv", NULL));
  g_assert_true (ioc_test_wait_until (submit_settled, submit, 30));
  g_test_message ("%s", ioc_indicator_submit_get_message (submit));
  g_assert_cmpint (ioc_indicator_submit_get_state (submit), ==, IOC_SUBMIT_REFUSED);
  g_assert_null (ioc_indicator_submit_get_row (submit, 2)->problem);
  row = ioc_indicator_submit_get_row (submit, 3);
  g_test_message ("line 3: %s", row->problem);
  g_assert_true (g_str_has_prefix (row->problem, "Refused by the server: "));
  g_assert_nonnull (strstr (row->problem, "99999"));
  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET",
                                                       "/api/v1/indicators/mt.pm25/series?from=2019-01&to=2019-04&area=31135",
                                                       iocd_test_token (server, session, "trucban1"), NULL, NULL);

    g_assert_cmpint (iocd_test_json_int (r->body, "series.0.count"), ==, 0);
  }
  screenshot (f.window, "submit-refused.png");

  fixture_close (&f);
}

static void
test_csv_good_file_is_stored (void)
{
  Fixture f = { 0 };
  IocIndicatorSubmit *submit;
  const char *csv =
    "indicator,period,area,value\n"
    "mt.pm25,2018-01,,21.5\n"
    "mt.pm25,2018-02,,\"19.25\"\n"
    "mt.pm25,2018-02,31135,18\n"
    "mt.waste_collection,2018-01,,93.1\n";

  fixture_open (&f, "lienlac.snnmt");
  ioc_indicators_page_show_submit (f.page);
  submit = ioc_indicators_page_get_submit (f.page);

  ioc_indicator_submit_load_text (submit, "good.csv", csv, -1);
  g_assert_true (ioc_test_wait_until (submit_settled, submit, 30));
  g_assert_cmpint (ioc_indicator_submit_get_state (submit), ==, IOC_SUBMIT_READY);
  g_assert_cmpuint (ioc_indicator_submit_get_n_bad (submit), ==, 0);
  screenshot (f.window, "submit-preview-good.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (submit), "submit.send-csv", NULL));
  g_assert_true (ioc_test_wait_until (submit_settled, submit, 30));
  g_test_message ("%s", ioc_indicator_submit_get_message (submit));
  g_assert_cmpint (ioc_indicator_submit_get_state (submit), ==, IOC_SUBMIT_STORED);
  g_assert_cmpint (server_count ("mt.pm25", "2018-01", "2018-03"), ==, 2);
  g_assert_cmpint (server_count ("mt.waste_collection", "2018-01", "2018-02"), ==, 1);

  /* The form: one value, checked the same way first. */
  ioc_indicator_submit_set_form (submit, "mt.pm25", "2017-05", NULL, "abc");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (submit), "submit.send-form", NULL));
  g_assert_nonnull (strstr (ioc_indicator_submit_get_form_message (submit), "not a number"));
  ioc_indicator_submit_set_form (submit, "mt.pm25", "2017-05", NULL, "24,5");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (submit), "submit.send-form", NULL));
  g_assert_true (ioc_indicator_submit_is_form_busy (submit));
  {
    gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (ioc_indicator_submit_is_form_busy (submit) && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, TRUE);
  }
  g_test_message ("form: %s", ioc_indicator_submit_get_form_message (submit));
  g_assert_cmpint (server_count ("mt.pm25", "2017-05", "2017-06"), ==, 1);

  fixture_close (&f);
}

static void
on_strip_event_cb (IocEventStream    *stream,
                   IocEvent          *event,
                   IocIndicatorStrip *strip)
{
  ioc_indicator_strip_apply_event (strip, event);
}

static gboolean
strip_card_current (gpointer data)
{
  IocIndicatorCard *card = ioc_indicator_strip_get_card (data, 0);

  return card != NULL && ioc_indicator_card_get_status (card) != IOC_INDICATOR_STATUS_STALE;
}

static gboolean
strip_has_card (gpointer data)
{
  return ioc_indicator_strip_get_n_cards (data) == 1;
}

/* A value submitted in one console reaches another's strip through the
 * "indicator.observed" event alone: the stale card turns current. */
static void
test_observed_event_updates_strip (void)
{
  Fixture f = { 0 };
  IocIndicatorSubmit *submit;
  IocUser *viewer = NULL;
  g_autoptr(IocClient) viewer_client = sign_in ("trucban2", &viewer);
  g_autoptr(IocEventStream) events = NULL;
  g_autoptr(IocdTestResponse) info = NULL;
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) last_month = g_date_time_add_months (now, -1);
  g_autofree char *period = g_date_time_format (last_month, "%Y-%m");
  const char * const codes[] = { "mt.waste_collection", NULL };
  GtkWidget *window = gtk_window_new ();
  IocIndicatorStrip *strip = IOC_INDICATOR_STRIP (ioc_indicator_strip_new ());

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (strip));
  gtk_window_present (GTK_WINDOW (window));
  ioc_indicator_strip_set_codes (strip, codes);
  ioc_indicator_strip_set_client (strip, viewer_client);
  g_assert_true (ioc_test_wait_until (strip_has_card, strip, 30));
  g_assert_cmpint (ioc_indicator_card_get_status (ioc_indicator_strip_get_card (strip, 0)), ==,
                   IOC_INDICATOR_STATUS_STALE);

  info = iocd_test_request (server, session, "GET", "/api/v1/server", NULL, NULL, NULL);
  events = ioc_event_stream_new (viewer_client);
  g_signal_connect (events, "event", G_CALLBACK (on_strip_event_cb), strip);
  ioc_event_stream_start (events, iocd_test_json_int (info->body, "event_seq"));

  fixture_open (&f, "lienlac.snnmt");
  ioc_indicators_page_show_submit (f.page);
  submit = ioc_indicators_page_get_submit (f.page);
  ioc_indicator_submit_set_form (submit, "mt.waste_collection", period, NULL, "95.5");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (submit), "submit.send-form", NULL));
  g_assert_true (ioc_test_wait_until (strip_card_current, strip, 30));
  g_assert_cmpint (ioc_indicator_card_get_status (ioc_indicator_strip_get_card (strip, 0)), ==,
                   IOC_INDICATOR_STATUS_OK);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (ioc_indicator_strip_get_card (strip, 0)), "status-stale"));

  ioc_event_stream_stop (events);
  gtk_window_destroy (GTK_WINDOW (window));
  ioc_user_unref (viewer);
  fixture_close (&f);
}

/* Charts and exports */

static gboolean
detail_loaded (gpointer data)
{
  IocIndicatorDetail *detail = data;
  IocChart *chart = ioc_indicator_detail_get_chart (detail);

  return !ioc_indicator_detail_is_loading (detail) && ioc_chart_get_n_series (chart) > 0 &&
         ioc_chart_get_n_points (chart, 0) > 0;
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

typedef struct {
  char *root;
} SvgRoot;

static void
svg_start_element (GMarkupParseContext  *context,
                   const char           *element_name,
                   const char          **attribute_names,
                   const char          **attribute_values,
                   gpointer              user_data,
                   GError              **error)
{
  SvgRoot *svg = user_data;

  if (svg->root == NULL)
    svg->root = g_strdup (element_name);
}

static void
test_chart_export (void)
{
  Fixture f = { 0 };
  IocIndicatorDetail *detail;
  IocChart *chart;
  g_autofree char *png = g_build_filename (tmp_dir, "chart.png", NULL);
  g_autofree char *svg = g_build_filename (tmp_dir, "chart.svg", NULL);
  g_autofree char *csv = g_build_filename (tmp_dir, "chart.csv", NULL);
  g_autofree char *png_bytes = NULL;
  g_autofree char *svg_text = NULL;
  g_autofree char *csv_text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GFile) png_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMarkupParseContext) markup = NULL;
  GMarkupParser parser = { svg_start_element, NULL, NULL, NULL, NULL };
  SvgRoot root = { NULL };
  gsize png_len = 0;
  gint64 t = 0;
  double v = 0;
  guint n_points;

  fixture_open (&f, "lanhdao");
  g_assert_true (ioc_indicators_page_open_indicator (f.page, "ktxh.cpi_yoy"));
  g_assert_cmpstr (ioc_indicators_page_get_view (f.page), ==, "detail");
  detail = ioc_indicators_page_get_detail (f.page);
  ioc_indicator_detail_set_range (detail, IOC_INDICATOR_RANGE_ALL);
  g_assert_true (ioc_test_wait_until (detail_loaded, detail, 30));
  chart = ioc_indicator_detail_get_chart (detail);
  n_points = ioc_chart_get_n_points (chart, 0);
  g_test_message ("ktxh.cpi_yoy: %u points", n_points);
  g_assert_cmpuint (n_points, >=, 20);
  g_assert_cmpint (ioc_chart_get_kind (chart), ==, IOC_CHART_LINE);

  /* The readout follows the pointer: the middle of the plot has a value. */
  ioc_test_settle (200);
  ioc_chart_set_cursor (chart, gtk_widget_get_width (GTK_WIDGET (chart)) / 2.0);
  ioc_test_settle (200);
  g_assert_true (ioc_chart_get_readout (chart, &t, &v));
  g_assert_cmpint (t, >, 0);
  screenshot (f.window, "indicator-detail.png");
  ioc_chart_set_cursor (chart, -1);

  /* PNG: the signature, and the size it was asked for. */
  g_assert_true (ioc_chart_export_png (chart, png, 1600, 600, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png, &png_bytes, &png_len, NULL));
  g_assert_cmpuint (png_len, >, 8);
  g_assert_cmpmem (png_bytes, 8, "\x89PNG\r\n\x1a\n", 8);
  png_file = g_file_new_for_path (png);
  texture = gdk_texture_new_from_file (png_file, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 1600);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 600);

  /* SVG: well-formed XML whose root is <svg>. */
  g_assert_true (ioc_chart_export_svg (chart, svg, 1600, 600, &error));
  g_assert_no_error (error);
  svg_text = read_text (svg);
  markup = g_markup_parse_context_new (&parser, 0, &root, NULL);
  g_assert_true (g_markup_parse_context_parse (markup, svg_text, -1, &error));
  g_assert_true (g_markup_parse_context_end_parse (markup, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (root.root, ==, "svg");
  g_free (root.root);

  /* CSV: RFC 4180 with CRLF, a header, one line per value, a dot for decimals. */
  g_assert_true (ioc_chart_export_csv (chart, csv, &error));
  g_assert_no_error (error);
  csv_text = read_text (csv);
  g_assert_true (g_utf8_validate (csv_text, -1, NULL));
  g_assert_true (g_str_has_prefix (csv_text, "time,"));
  g_assert_true (g_str_has_suffix (csv_text, "\r\n"));
  lines = g_strsplit (csv_text, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, n_points + 2);   /* header + values + the empty tail */
  g_assert_nonnull (strstr (lines[1], "+07:00,"));
  g_assert_null (strchr (strchr (lines[1], ',') + 1, ','));
  {
    g_autofree char *expected = ioc_chart_to_csv (chart);

    g_assert_cmpstr (csv_text, ==, expected);
  }

  fixture_close (&f);
}

static void
test_commune_comparison (void)
{
  Fixture f = { 0 };
  IocIndicatorDetail *detail;
  IocChart *chart;
  const char * const two[] = { "31135", "31120", NULL };
  g_autofree char *csv = NULL;

  fixture_open (&f, "trucban1");
  g_assert_true (ioc_indicators_page_open_indicator (f.page, "antt.property_crimes"));
  detail = ioc_indicators_page_get_detail (f.page);
  g_assert_true (ioc_test_wait_until (detail_loaded, detail, 30));
  chart = ioc_indicator_detail_get_chart (detail);
  g_assert_cmpint (ioc_chart_get_kind (chart), ==, IOC_CHART_BAR);
  g_test_message ("comparable communes: %u", ioc_indicator_detail_get_n_comparable (detail));
  g_assert_cmpuint (ioc_indicator_detail_get_n_comparable (detail), >=, 2);

  ioc_indicator_detail_set_compare (detail, two);
  g_assert_cmpuint (ioc_chart_get_n_series (chart), ==, 3);
  g_assert_cmpstr (ioc_chart_get_series_label (chart, 0), ==, "Whole city");
  /* Named as people know them, not by code. */
  g_assert_cmpstr (ioc_chart_get_series_label (chart, 1), ==, "Phường Cái Khế");
  csv = ioc_chart_to_csv (chart);
  g_assert_true (g_str_has_prefix (csv, "time,Whole city,Phường Cái Khế,Phường Ninh Kiều\r\n"));
  screenshot (f.window, "indicator-compare.png");

  ioc_indicator_detail_set_compare (detail, NULL);
  g_assert_cmpuint (ioc_chart_get_n_series (chart), ==, 1);
  fixture_close (&f);
}

/* The gauge */

static void
on_event_cb (IocEventStream    *stream,
             IocEvent          *event,
             IocIndicatorsPage *page)
{
  ioc_indicators_page_apply_event (page, event);
}

typedef struct {
  IocChart *chart;
  guint     n_points;
} PointsGrew;

static gboolean
points_grew (gpointer data)
{
  PointsGrew *p = data;

  return ioc_chart_get_n_series (p->chart) > 0 && ioc_chart_get_n_points (p->chart, 0) > p->n_points;
}

static gboolean
gauge_loaded (gpointer data)
{
  IocSensorPage *sensors = data;
  IocChart *chart = ioc_sensor_page_get_chart (sensors);

  return !ioc_sensor_page_is_loading (sensors) && ioc_chart_get_n_series (chart) > 0 &&
         ioc_chart_get_n_points (chart, 0) > 0;
}

static void
test_gauge_alarm_lines (void)
{
  Fixture f = { 0 };
  IocSensorPage *sensors;
  IocChart *chart;
  g_autoptr(IocEventStream) events = NULL;
  g_autoptr(IocdTestResponse) info = NULL;
  g_autoptr(IocdTestResponse) posted = NULL;
  g_autofree char *at = NULL;
  g_autofree char *body = NULL;
  PointsGrew grew;

  fixture_open (&f, "trucban1");
  sensors = ioc_indicators_page_get_sensor_page (f.page);
  g_assert_cmpstr (ioc_sensor_page_get_station_code (sensors), ==, "CANTHO");
  g_assert_true (ioc_test_wait_until (gauge_loaded, sensors, 30));
  chart = ioc_sensor_page_get_chart (sensors);

  /* Alarm levels I, II, III of the Hậu River gauge. */
  g_assert_cmpuint (ioc_chart_get_n_lines (chart), ==, 3);
  g_assert_cmpfloat_with_epsilon (ioc_chart_get_line_value (chart, 0), 1.8, 1e-9);
  g_assert_cmpfloat_with_epsilon (ioc_chart_get_line_value (chart, 1), 1.9, 1e-9);
  g_assert_cmpfloat_with_epsilon (ioc_chart_get_line_value (chart, 2), 2.0, 1e-9);
  /* The labels, in whatever language the test runs. */
  for (guint i = 0; i < 3; i += 2)
    {
      g_autofree char *value = g_strdup_printf ("%'.2f", ioc_chart_get_line_value (chart, i));
      g_autofree char *label = g_strdup_printf (_("Alarm %s: %s %s"), ioc_station_level_name (i + 1), value, "m");

      g_assert_cmpstr (ioc_chart_get_line_label (chart, i), ==, label);
    }
  g_test_message ("CANTHO: %u readings drawn", ioc_chart_get_n_points (chart, 0));

  /* Live: a new reading reaches the chart through the event stream. */
  info = iocd_test_request (server, session, "GET", "/api/v1/server", NULL, NULL, NULL);
  g_assert_cmpuint (info->status, ==, 200);
  events = ioc_event_stream_new (f.client);
  g_signal_connect (events, "event", G_CALLBACK (on_event_cb), f.page);
  ioc_event_stream_start (events, iocd_test_json_int (info->body, "event_seq"));

  grew.chart = chart;
  grew.n_points = ioc_chart_get_n_points (chart, 0);
  at = ioc_time_format (g_get_real_time () / G_USEC_PER_SEC * G_USEC_PER_SEC);
  body = g_strdup_printf ("{\"station\": \"CANTHO\", \"readings\": [[\"%s\", 1.23]]}", at);
  ioc_test_settle (500);
  posted = iocd_test_request (server, session, "POST", "/api/v1/readings",
                              iocd_test_token (server, session, "admin"), body, NULL);
  g_assert_cmpuint (posted->status, ==, 200);
  g_assert_true (ioc_test_wait_until (points_grew, &grew, 30));

  ioc_sensor_page_select_station (sensors, "CANTHO");
  g_assert_true (ioc_test_wait_until (gauge_loaded, sensors, 30));
  {
    /* The stations come last on the page: scroll down to them. */
    GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (sensors), GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

    ioc_test_settle (200);
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
    ioc_test_settle (200);
    ioc_chart_set_cursor (chart, gtk_widget_get_width (GTK_WIDGET (chart)) * 0.8);
  }
  screenshot (f.window, "gauge.png");

  ioc_event_stream_stop (events);
  fixture_close (&f);
}

/* The strip */

static gboolean
strip_filled (gpointer data)
{
  return ioc_indicator_strip_get_n_cards (data) > 0;
}

static void
test_strip (void)
{
  IocUser *user = NULL;
  g_autoptr(IocClient) client = sign_in ("trucban1", &user);
  GtkWidget *window = gtk_window_new ();
  IocIndicatorStrip *strip = IOC_INDICATOR_STRIP (ioc_indicator_strip_new ());
  const char * const codes[] = { "mt.pm25", "dl.revenue", "no.such", NULL };

  gtk_window_set_default_size (GTK_WINDOW (window), 1920, 140);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (strip));
  gtk_window_present (GTK_WINDOW (window));
  ioc_indicator_strip_set_client (strip, client);
  g_assert_true (ioc_test_wait_until (strip_filled, strip, 30));
  g_assert_cmpuint (ioc_indicator_strip_get_n_cards (strip), ==, IOC_INDICATOR_STRIP_DEFAULT_CARDS);
  g_assert_cmpstr (ioc_indicator_card_get_code (ioc_indicator_strip_get_card (strip, 0)), ==, "pa.reports_received");
  screenshot (window, "strip.png");

  ioc_indicator_strip_set_codes (strip, codes);
  g_assert_cmpuint (ioc_indicator_strip_get_n_cards (strip), ==, 2);
  g_assert_cmpint (ioc_indicator_card_get_status (ioc_indicator_strip_get_card (strip, 1)), ==,
                   IOC_INDICATOR_STATUS_STALE);

  gtk_window_destroy (GTK_WINDOW (window));
  ioc_user_unref (user);
}

/* The client-side check alone */

static void
test_check_csv_rules (void)
{
  g_autoptr(GHashTable) indicators = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                            (GDestroyNotify) ioc_indicator_unref);
  g_autoptr(GHashTable) communes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(IocIndicator) ind = ioc_indicator_new ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();
  const char *text =
    "indicator, period ,area,value\n"
    "x.monthly,2024-03,,1e3\n"
    "x.monthly,2999-01,,1\n"
    "x.monthly,2024-04,,0x10\n"
    "x.monthly,2024-05,,1,2\n"
    "x.monthly,\"2024-03-31\",,2\n"
    "x.monthly,2024-03,31135,2\n"
    "x.monthly,March,,2\n";

  ind->code = g_strdup ("x.monthly");
  ind->name_vi = g_strdup ("x");
  ind->frequency = IOC_FREQUENCY_MONTHLY;
  ind->department = g_strdup ("SNNMT");
  g_hash_table_insert (indicators, ind->code, ioc_indicator_ref (ind));
  g_hash_table_add (communes, (gpointer) "31135");

  rows = ioc_indicator_check_csv (text, strlen (text), indicators, communes, "SNNMT", now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 7);
#define PROBLEM(i) (((IocSubmitRow *) g_ptr_array_index (rows, i))->problem)
  g_assert_null (PROBLEM (0));
  g_assert_nonnull (strstr (PROBLEM (1), "future"));
  g_assert_nonnull (strstr (PROBLEM (2), "not a number"));
  g_assert_nonnull (strstr (PROBLEM (3), "5 fields"));
  g_assert_nonnull (strstr (PROBLEM (4), "repeats line 2"));
  g_assert_null (PROBLEM (5));   /* the same month for a commune is another value */
  g_assert_nonnull (strstr (PROBLEM (6), "period"));
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Another department's liaison. */
  rows = ioc_indicator_check_csv (text, strlen (text), indicators, communes, "CATP", now, &error);
  g_assert_nonnull (strstr (PROBLEM (0), "belongs to SNNMT"));
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Not UTF-8: refused whole. */
  rows = ioc_indicator_check_csv ("indicator,period,area,value\n\xff\n", 30, indicators, communes, NULL, now, &error);
  g_assert_null (rows);
  g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
#undef PROBLEM
}

static void
test_needs_display (void)
{
  g_test_skip ("no display: run the console tests under Xvfb (build-aux/run-tests does)");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Screenshots in Vietnamese: the build tree's translations, as main.c. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("IOC_LOCALEDIR") ? g_getenv ("IOC_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/console/charts/check-csv-rules", test_check_csv_rules);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_add_func ("/console/charts/needs-a-display", test_needs_display);
      return g_test_run ();
    }

  adw_init ();
  ioc_test_use_console_style (FALSE);
  tmp_dir = g_dir_make_tmp ("ioc-test-charts-XXXXXX", NULL);
  server = iocd_test_server_start (NULL);
  session = iocd_test_session_new (server);

  g_test_add_func ("/console/charts/stale-cards", test_stale_cards);
  g_test_add_func ("/console/charts/csv-bad-row-sends-nothing", test_csv_bad_row_sends_nothing);
  g_test_add_func ("/console/charts/csv-good-file-is-stored", test_csv_good_file_is_stored);
  g_test_add_func ("/console/charts/observed-event-updates-strip", test_observed_event_updates_strip);
  g_test_add_func ("/console/charts/export-png-svg-csv", test_chart_export);
  g_test_add_func ("/console/charts/commune-comparison", test_commune_comparison);
  g_test_add_func ("/console/charts/gauge-alarm-lines", test_gauge_alarm_lines);
  g_test_add_func ("/console/charts/strip", test_strip);

  ret = g_test_run ();

  g_clear_object (&session);
  iocd_test_server_free (server);
  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (tmp_dir);
  }
  g_free (tmp_dir);
  return ret;
}
