/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <math.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "console-test-utils.h"
#include "iocd-test-utils.h"
#include "ioc-application.h"
#include "ioc-window.h"

/* Real windows under Xvfb against a real iocd: the user's path from the
 * first connection to a working queue. */

static IocdTestServer *server;

static gboolean
fingerprint_shown (gpointer data)
{
  return ioc_window_get_fingerprint_shown (data) != NULL || ioc_window_get_error_shown (data) != NULL;
}

static gboolean
on_main_page (gpointer data)
{
  return g_strcmp0 (ioc_window_get_page (data), "main") == 0;
}

/* The control room shows at sign-in; the queue is set up when the first
 * page of tasks is in. */
static gboolean
tasks_ready (gpointer data)
{
  return ioc_window_get_tasks_ready (data);
}

static gboolean
on_sign_in_page (gpointer data)
{
  return g_strcmp0 (ioc_window_get_page (data), "sign-in") == 0;
}

/* A stored session goes straight to the queue, past the sign-in page. */
static gboolean
on_sign_in_or_main_page (gpointer data)
{
  return on_sign_in_page (data) || on_main_page (data);
}

static gboolean
queue_filled (gpointer data)
{
  IocQueueView *queue = ioc_window_get_queue_view (data);
  IocTaskModel *model = ioc_window_get_model (data);

  /* Filtering runs incrementally: wait until it has seen every task. */
  return g_list_model_get_n_items (ioc_task_model_get_list (model)) > 0 &&
         g_list_model_get_n_items (ioc_queue_view_get_shown (queue)) > 0;
}

static gboolean
queue_settled (gpointer data)
{
  return !ioc_queue_view_is_busy (data);
}

static IocWindow *
open_signed_in (GSettings  *settings,
                const char *username,
                gboolean   *resumed)
{
  IocWindow *window = ioc_window_new (NULL, settings);

  gtk_window_set_default_size (GTK_WINDOW (window), 1920, 1080);
  gtk_window_present (GTK_WINDOW (window));
  ioc_window_set_server (window, server->base_uri);

  if (g_strcmp0 (ioc_window_get_page (window), "connect") == 0)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.connect", NULL));
      g_assert_true (ioc_test_wait_until (fingerprint_shown, window, 30));
      g_assert_null (ioc_window_get_error_shown (window));
      ioc_test_screenshot_screen ("connect-fingerprint.png");
      /* The fingerprint shown is the one iocd printed at start. */
      g_assert_cmpstr (ioc_window_get_fingerprint_shown (window), ==, server->fingerprint);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.trust", NULL));
    }

  g_assert_true (ioc_test_wait_until (on_sign_in_or_main_page, window, 30));
  if (resumed != NULL)
    *resumed = on_main_page (window);
  if (!on_main_page (window))
    {
      ioc_window_set_credentials (window, username, server->demo_password);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-in", NULL));
    }
  g_assert_true (ioc_test_wait_until (on_main_page, window, 60));
  g_assert_true (ioc_test_wait_until (queue_filled, window, 60));
  return window;
}

static void
test_first_connect_and_queue (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  gboolean resumed = TRUE;
  IocWindow *window = open_signed_in (settings, "trucban1", &resumed);
  IocQueueView *queue = ioc_window_get_queue_view (window);
  GListModel *shown = ioc_queue_view_get_shown (queue);
  g_autoptr(GVariant) servers = g_settings_get_value (settings, "servers");
  const char *pinned = NULL;
  guint n_all;

  /* The confirmed fingerprint is pinned for that server. */
  g_assert_true (g_variant_lookup (servers, server->base_uri, "&s", &pinned));
  g_assert_cmpstr (pinned, ==, server->fingerprint);
  /* The first start had no stored session. */
  g_assert_false (resumed);

  ioc_queue_view_set_view (queue, IOC_VIEW_ALL_OPEN);
  ioc_test_settle (100);
  g_assert_true (ioc_test_wait_until (queue_settled, queue, 10));
  n_all = g_list_model_get_n_items (shown);
  g_test_message ("all open: %u of %u", n_all, g_list_model_get_n_items (ioc_task_model_get_list (ioc_window_get_model (window))));
  g_assert_cmpuint (n_all, >, 0);
  ioc_test_screenshot_screen ("queue.png");

  /* Folded search: typing without diacritics finds the Vietnamese titles. */
  ioc_queue_view_set_search (queue, "den duong");
  ioc_test_settle (100);
  g_assert_true (ioc_test_wait_until (queue_settled, queue, 10));
  g_test_message ("search: %u", g_list_model_get_n_items (shown));
  g_assert_cmpuint (g_list_model_get_n_items (shown), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (shown), <, n_all);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (shown, i);
      g_assert_true (ioc_text_matches (ioc_task_object_get_search_text (object), "den duong"));
    }
  ioc_test_screenshot_screen ("queue-search.png");
  ioc_queue_view_set_search (queue, "");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
details_has_timeline (gpointer data)
{
  IocTask *task = ioc_task_details_get_task (ioc_window_get_details (data));

  return task != NULL && task->timeline != NULL;
}

static void
test_details_offer_workflow_actions (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  gboolean resumed = FALSE;
  IocWindow *window = open_signed_in (settings, "trucban1", &resumed);
  IocQueueView *queue = ioc_window_get_queue_view (window);
  IocTaskDetails *details = ioc_window_get_details (window);
  g_autoptr(IocTaskObject) first = NULL;
  IocTask *task;

  /* Operators' "To forward" view: verified tasks, so forward is offered. */
  ioc_queue_view_set_view (queue, IOC_VIEW_TO_FORWARD);
  ioc_test_settle (100);
  g_assert_true (ioc_test_wait_until (queue_settled, queue, 10));
  g_assert_cmpuint (g_list_model_get_n_items (ioc_queue_view_get_shown (queue)), >, 0);
  first = g_list_model_get_item (ioc_queue_view_get_shown (queue), 0);
  ioc_queue_view_select_task (queue, ioc_task_object_get_id (first));
  g_assert_true (ioc_test_wait_until (details_has_timeline, window, 30));

  /* The next start found the token in the keyring and went straight in. */
  g_assert_true (resumed);

  task = ioc_task_details_get_task (details);
  g_assert_cmpint (task->state, ==, IOC_TASK_STATE_VERIFIED);
  /* Exactly what the workflow table allows an operator on a verified task. */
  g_assert_cmpuint (ioc_task_details_get_offered_actions (details), ==,
                    ioc_workflow_allowed_actions (IOC_TASK_STATE_VERIFIED, IOC_ROLE_OPERATOR, FALSE, TRUE));
  g_assert_true (ioc_task_details_get_offered_actions (details) & (1u << IOC_ACTION_FORWARD));
  ioc_test_settle (300);
  ioc_test_screenshot_screen ("details.png");

  /* Forward: the department of the category and a due time from its
   * processing time, both already filled in. */
  ioc_window_open_action_dialog (window, IOC_ACTION_FORWARD);
  g_assert_cmpint (ioc_window_get_action_due (window), >, g_get_real_time ());
  ioc_test_settle (300);
  ioc_test_screenshot_screen ("forward-dialog.png");
  g_assert_true (ioc_window_respond_action (window, FALSE));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_liaison_sees_own_department_only (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  IocWindow *window;
  GListModel *all;

  /* The stored operator session comes back; sign out and in as a liaison. */
  window = open_signed_in (settings, "trucban1", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL));
  g_assert_true (ioc_test_wait_until (on_sign_in_page, window, 30));
  ioc_window_set_credentials (window, "lienlac.sxd", server->demo_password);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-in", NULL));
  g_assert_true (ioc_test_wait_until (on_main_page, window, 60));
  g_assert_true (ioc_test_wait_until (queue_filled, window, 60));
  all = ioc_task_model_get_list (ioc_window_get_model (window));
  g_assert_cmpuint (g_list_model_get_n_items (all), >, 0);
  ioc_test_screenshot_screen ("liaison-queue.png");

  for (guint i = 0; i < g_list_model_get_n_items (all); i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (all, i);
      IocTask *task = ioc_task_object_get_task (object);

      /* Assigned now or before: every task it holds has been SXD's at some point,
       * and no reporter contact ever reaches a liaison. */
      g_assert_null (task->reporter_phone);
      g_assert_null (task->reporter_name);
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_settings_restored (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *last_view = NULL;
  IocWindow *window = open_signed_in (settings, "trucban1", NULL);
  int width = 0, height = 0;

  /* The case before left a liaison's session: sign in as an operator. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL));
  g_assert_true (ioc_test_wait_until (on_sign_in_page, window, 30));
  ioc_window_set_credentials (window, "trucban1", server->demo_password);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-in", NULL));
  g_assert_true (ioc_test_wait_until (tasks_ready, window, 60));

  ioc_queue_view_set_view (ioc_window_get_queue_view (window), IOC_VIEW_RETURNED);
  gtk_window_set_default_size (GTK_WINDOW (window), 1500, 900);
  ioc_test_settle (300);
  /* Closing saves the size; the view was saved when it was chosen. */
  gtk_window_close (GTK_WINDOW (window));
  ioc_test_settle (100);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1500);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 900);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  last_view = g_settings_get_string (settings, "last-view");
  g_assert_cmpstr (last_view, ==, "operator-returned");

  /* The next start: same size, same view. */
  window = ioc_window_new (NULL, settings);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1500);
  g_assert_cmpint (height, ==, 900);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (ioc_test_wait_until (tasks_ready, window, 60));
  g_assert_cmpint (ioc_queue_view_get_view (ioc_window_get_queue_view (window)), ==, IOC_VIEW_RETURNED);
  /* A view this role does not have falls back to the role's first one. */
  g_assert_false (ioc_queue_view_set_view_name (ioc_window_get_queue_view (window), "liaison-forwarded"));
  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
  g_settings_reset (settings, "last-view");
}

static gboolean
shortcuts_window_shown (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (GTK_IS_SHORTCUTS_WINDOW (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return TRUE;
    }
  return FALSE;
}

static void
test_shortcuts (void)
{
  g_autoptr(IocApplication) application = ioc_application_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  static const struct {
    const char *action;
    const char *accel;
  } expected[] = {
    { "win.find", "<Control>f" },
    { "win.new-task", "<Control>n" },
    { "win.forward-selected", "<Shift><Control>f" },
    { "win.reload", "F5" },
    { "win.fullscreen", "F11" },
    { "win.show-help-overlay", "<Control>question" },
    { "app.quit", "<Control>q" },
  };
  IocWindow *window;

  /* Registering runs startup, which sets the accelerators. */
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (application),
                                                                    expected[i].action);
      g_autofree char *wanted = NULL;
      guint key;
      GdkModifierType mods;

      g_assert_true (gtk_accelerator_parse (expected[i].accel, &key, &mods));
      wanted = gtk_accelerator_name (key, mods);
      g_assert_nonnull (accels);
      g_assert_nonnull (accels[0]);
      {
        guint got_key;
        GdkModifierType got_mods;
        g_autofree char *got = NULL;

        g_assert_true (gtk_accelerator_parse (accels[0], &got_key, &got_mods));
        got = gtk_accelerator_name (got_key, got_mods);
        g_assert_cmpstr (got, ==, wanted);
      }
    }

  /* The shortcuts window comes from the resources and opens. */
  window = ioc_window_new (ADW_APPLICATION (application), settings);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  g_assert_true (ioc_test_wait_until (shortcuts_window_shown, NULL, 10));
  ioc_test_settle (500);
  ioc_test_screenshot_screen ("shortcuts.png");
  gtk_window_destroy (GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window))));
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct {
  IocWindow *window;
  gint64     id;
} SelectionWait;

static gboolean
queue_selected_is (gpointer data)
{
  SelectionWait *wait = data;
  g_autoptr(GPtrArray) selected = ioc_queue_view_get_selected (ioc_window_get_queue_view (wait->window));
  IocTask *shown = ioc_task_details_get_task (ioc_window_get_details (wait->window));

  return selected != NULL && selected->len == 1 &&
         ioc_task_object_get_id (g_ptr_array_index (selected, 0)) == wait->id &&
         shown != NULL && shown->id == wait->id;
}

static gboolean
map_follows_queue (gpointer data)
{
  IocWindow *window = data;
  GListModel *shown = ioc_queue_view_get_shown (ioc_window_get_queue_view (window));
  IocTaskLayer *layer = ioc_map_view_get_task_layer (ioc_window_get_map_view (window));
  guint located = 0;

  if (ioc_queue_view_is_busy (ioc_window_get_queue_view (window)))
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (shown, i);

      if (ioc_task_object_get_task (object)->has_location)
        located++;
    }
  return ioc_task_layer_get_n_tasks (layer) == located;
}

static gboolean
layout_is_compact (gpointer data)
{
  return !ioc_window_get_wide_layout (data);
}

static gboolean
layout_is_wide (gpointer data)
{
  return ioc_window_get_wide_layout (data);
}

/* A located task far enough from every other shown task that a click on
 * it at street zoom cannot mean another one. */
static IocTask *
find_lone_task (GListModel *shown,
                guint       skip)
{
  guint n = g_list_model_get_n_items (shown);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (shown, i);
      IocTask *task = ioc_task_object_get_task (object);
      gboolean alone = TRUE;

      if (!task->has_location)
        continue;
      for (guint j = 0; j < n && alone; j++)
        {
          g_autoptr(IocTaskObject) other = g_list_model_get_item (shown, j);
          IocTask *t = ioc_task_object_get_task (other);

          if (j != i && t->has_location && fabs (t->lat - task->lat) < 0.0003 && fabs (t->lon - task->lon) < 0.0003)
            alone = FALSE;
        }
      if (alone && skip-- == 0)
        return task;
    }
  return NULL;
}

/* The control-room layout: the map beside the queue shows what the queue
 * shows; a click on a point selects the task in the queue and shows it,
 * selecting in the queue centres the map on it; a narrow layout gives the
 * map its own page. */
static void
test_map_and_queue (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  IocWindow *window = open_signed_in (settings, "trucban1", NULL);
  IocQueueView *queue = ioc_window_get_queue_view (window);
  IocMapView *map = ioc_window_get_map_view (window);
  ShumateViewport *viewport = ioc_map_view_get_viewport (map);
  IocTaskLayer *layer = ioc_map_view_get_task_layer (map);
  IocTask *task;
  SelectionWait wait = { window, 0 };
  gint64 id;
  double x, y, lat, lon;

  g_assert_true (ioc_test_wait_until (layout_is_wide, window, 10));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (map)));

  ioc_queue_view_set_view (queue, IOC_VIEW_ALL_OPEN);
  ioc_test_settle (100);
  g_assert_true (ioc_test_wait_until (map_follows_queue, window, 30));
  g_assert_cmpuint (ioc_task_layer_get_n_tasks (layer), >, 10);

  /* Queue → map. */
  /* (Copies: the model replaces a task's data when it changes.) */
  task = find_lone_task (ioc_queue_view_get_shown (queue), 0);
  g_assert_nonnull (task);
  id = task->id, lat = task->lat, lon = task->lon;
  wait.id = id;
  ioc_queue_view_select_task (queue, id);
  g_assert_true (ioc_test_wait_until (queue_selected_is, &wait, 30));
  ioc_test_settle (200);
  g_assert_cmpint (ioc_task_layer_get_selected (layer), ==, id);
  g_assert_cmpfloat_with_epsilon (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)), lat, 1e-6);
  g_assert_cmpfloat_with_epsilon (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), lon, 1e-6);
  ioc_test_screenshot_screen ("control-room.png");

  /* Map → queue: a click on another task's point. */
  task = find_lone_task (ioc_queue_view_get_shown (queue), 1);
  g_assert_nonnull (task);
  id = task->id, lat = task->lat, lon = task->lon;
  shumate_viewport_set_zoom_level (viewport, 18);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), lat + 0.0003, lon - 0.0004);
  ioc_test_settle (300);
  shumate_viewport_location_to_widget_coords (viewport, GTK_WIDGET (ioc_map_view_get_map (map)), lat, lon, &x, &y);
  wait.id = id;
  ioc_map_view_activate_at (map, x + 1, y - 1);
  g_assert_true (ioc_test_wait_until (queue_selected_is, &wait, 30));

  /* The map follows the queue's search. */
  ioc_queue_view_set_search (queue, "den duong");
  ioc_test_settle (100);
  g_assert_true (ioc_test_wait_until (map_follows_queue, window, 30));
  g_assert_cmpuint (ioc_task_layer_get_n_tasks (layer), <, g_list_model_get_n_items (ioc_task_model_get_list (ioc_window_get_model (window))));
  ioc_queue_view_set_search (queue, "");

  /* A fixed compact layout: the map moves to a page of its own. */
  g_settings_set_string (settings, "layout", "compact");
  g_assert_true (ioc_test_wait_until (layout_is_compact, window, 10));
  ioc_test_settle (100);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (map)));
  g_settings_set_string (settings, "layout", "auto");
  g_assert_true (ioc_test_wait_until (layout_is_wide, window, 10));
  ioc_test_settle (100);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (map)));

  gtk_window_destroy (GTK_WINDOW (window));
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
  g_autofree char *tmp = NULL;
  g_autofree char *keyring = NULL;
  int ret;

  /* Not G_TEST_OPTION_ISOLATE_DIRS: GTK needs the system's XDG_DATA_DIRS
   * (the MIME database tells it that an icon is SVG). Settings live in
   * memory and the keyring in a temporary file, so nothing leaks out. */
  g_test_init (&argc, &argv, NULL);
  /* Screenshots in Vietnamese: the build tree's translations, as main.c does. */
  if (g_getenv ("IOC_LOCALEDIR") != NULL)
    {
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("IOC_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_add_func ("/console/window/needs-a-display", test_needs_display);
      return g_test_run ();
    }

  tmp = g_dir_make_tmp ("ioc-test-window-XXXXXX", NULL);
  keyring = g_build_filename (tmp, "keyring", NULL);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);

  adw_init ();
  server = iocd_test_server_start (NULL);

  g_test_add_func ("/console/window/first-connect-and-queue", test_first_connect_and_queue);
  g_test_add_func ("/console/window/details-offer-workflow-actions", test_details_offer_workflow_actions);
  g_test_add_func ("/console/window/liaison-own-department", test_liaison_sees_own_department_only);
  g_test_add_func ("/console/window/settings-restored", test_settings_restored);
  g_test_add_func ("/console/window/shortcuts", test_shortcuts);
  g_test_add_func ("/console/window/map-and-queue", test_map_and_queue);

  ret = g_test_run ();
  iocd_test_server_free (server);
  g_unlink (keyring);
  g_rmdir (tmp);
  return ret;
}
