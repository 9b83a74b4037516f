/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "console-test-utils.h"
#include "iocd-test-utils.h"
#include "ioc-event-stream.h"
#include "ioc-boundary-layer.h"
#include "ioc-map-view.h"
#include "ioc-scale-bar.h"
#include "ioc-task-model.h"

/* The map in a real window under Xvfb, fed by a real demo iocd through the
 * console's own client, task model and event stream. */

static IocdTestServer *server;
static SoupSession *session;

typedef struct {
  IocClient      *client;
  IocTaskModel   *model;
  IocEventStream *events;
  GtkWindow      *window;
  IocMapView     *map;
  gint64          activated;
  guint           n_activated;
} Fixture;

static Fixture *fx;

static void
save_screenshot (const char *name)
{
  ioc_test_screenshot_widget (GTK_WIDGET (fx->window), name);
}

static void
got_async (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static void
on_event_cb (IocEventStream *stream,
             IocEvent       *event,
             Fixture        *f)
{
  ioc_task_model_apply_event (f->model, event);
  ioc_map_view_apply_event (f->map, event);
}

static void
on_task_activated_cb (IocMapView *map,
                      gint64      id,
                      Fixture    *f)
{
  f->activated = id;
  f->n_activated++;
}

static gboolean
layers_loaded (gpointer data)
{
  return ioc_map_view_is_loaded (data, "boundaries") && ioc_map_view_is_loaded (data, "stations");
}

/* Signs in as an operator, loads every task, follows events and shows the
 * map at 1920 × 1080: once for all the cases. */
static Fixture *
fixture_get (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IocUser) user = NULL;
  gint64 seq;

  if (fx != NULL)
    return fx;

  fx = g_new0 (Fixture, 1);
  fx->client = ioc_client_new (server->base_uri, server->fingerprint);
  ioc_client_sign_in_async (fx->client, "trucban1", server->demo_password, NULL, got_async, &result);
  g_assert_true (ioc_test_wait_until (is_set, &result, 60));
  user = ioc_client_sign_in_finish (fx->client, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
  g_clear_object (&result);
  g_clear_error (&error);

  fx->model = ioc_task_model_new ();
  ioc_task_model_load_async (fx->model, fx->client, NULL, got_async, &result);
  g_assert_true (ioc_test_wait_until (is_set, &result, 60));
  seq = ioc_task_model_load_finish (fx->model, result, &error);
  g_assert_no_error (error);

  fx->events = ioc_event_stream_new (fx->client);
  ioc_event_stream_start (fx->events, seq);

  fx->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fx->window, 1920, 1080);
  fx->map = IOC_MAP_VIEW (ioc_map_view_new ());
  gtk_window_set_child (fx->window, GTK_WIDGET (fx->map));
  g_signal_connect (fx->events, "event", G_CALLBACK (on_event_cb), fx);
  g_signal_connect (fx->map, "task-activated", G_CALLBACK (on_task_activated_cb), fx);
  ioc_map_view_set_client (fx->map, fx->client);
  ioc_map_view_set_tasks (fx->map, ioc_task_model_get_list (fx->model));
  gtk_window_present (fx->window);

  g_assert_true (ioc_test_wait_until (layers_loaded, fx->map, 30));
  ioc_test_settle (300);
  return fx;
}

static void
show_at (double lat,
         double lon,
         double zoom)
{
  ShumateViewport *viewport = ioc_map_view_get_viewport (fx->map);

  shumate_viewport_set_zoom_level (viewport, zoom);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), lat, lon);
  ioc_test_settle (200);
}

static void
test_layers_toggle (void)
{
  const char *layers[] = { "boundaries", "tasks", "stations", "choropleth" };
  IocTaskLayer *tasks;

  fixture_get ();
  tasks = ioc_map_view_get_task_layer (fx->map);

  g_assert_true (ioc_map_view_get_layer_visible (fx->map, "boundaries"));
  g_assert_true (ioc_map_view_get_layer_visible (fx->map, "tasks"));
  g_assert_true (ioc_map_view_get_layer_visible (fx->map, "stations"));
  g_assert_false (ioc_map_view_get_layer_visible (fx->map, "choropleth"));
  /* The boundaries' source is shown with them, and goes with them. */
  g_assert_nonnull (strstr (ioc_map_view_get_attribution (fx->map), "dvhcvn"));

  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      gboolean was = ioc_map_view_get_layer_visible (fx->map, layers[i]);

      ioc_map_view_set_layer_visible (fx->map, layers[i], !was);
      g_assert_cmpint (ioc_map_view_get_layer_visible (fx->map, layers[i]), ==, !was);
      ioc_map_view_set_layer_visible (fx->map, layers[i], was);
      g_assert_cmpint (ioc_map_view_get_layer_visible (fx->map, layers[i]), ==, was);
    }

  ioc_map_view_set_layer_visible (fx->map, "boundaries", FALSE);
  g_assert_null (strstr (ioc_map_view_get_attribution (fx->map), "dvhcvn"));
  ioc_map_view_set_layer_visible (fx->map, "boundaries", TRUE);

  /* Hidden tasks take no clicks and draw nothing. */
  show_at (10.03, 105.75, 10);
  g_assert_cmpuint (ioc_task_layer_get_n_drawn_clusters (tasks) + ioc_task_layer_get_n_drawn_points (tasks), >, 0);
  ioc_map_view_set_layer_visible (fx->map, "tasks", FALSE);
  fx->n_activated = 0;
  for (int x = 0; x < 1920; x += 40)
    ioc_map_view_activate_at (fx->map, x, 540);
  g_assert_cmpuint (fx->n_activated, ==, 0);
  g_assert_cmpfloat (shumate_viewport_get_zoom_level (ioc_map_view_get_viewport (fx->map)), ==, 10);
  ioc_map_view_set_layer_visible (fx->map, "tasks", TRUE);
}

/* A task alone in its cell at the zoom shown, and where it is. */
static gint64
find_single_task (guint   zoom,
                  double *lat,
                  double *lon)
{
  IocSpatialIndex *index = ioc_task_layer_get_index (ioc_map_view_get_task_layer (fx->map));
  IocBBox city = { 105.2, 9.9, 105.9, 10.4 };
  g_autoptr(GArray) clusters = ioc_spatial_index_query_clusters (index, &city, zoom, NULL);

  for (guint i = 0; i < clusters->len; i++)
    {
      IocCluster *c = &g_array_index (clusters, IocCluster, i);

      if (c->count == 1)
        {
          *lat = c->lat;
          *lon = c->lon;
          return c->id;
        }
    }
  return 0;
}

static void
test_click_task_point (void)
{
  ShumateViewport *viewport;
  double lat, lon, x, y;
  gint64 id;

  fixture_get ();
  viewport = ioc_map_view_get_viewport (fx->map);
  g_assert_cmpuint (ioc_task_layer_get_n_tasks (ioc_map_view_get_task_layer (fx->map)), >, 100);

  id = find_single_task (17, &lat, &lon);
  g_assert_cmpint (id, !=, 0);
  g_assert_true (ioc_task_layer_get_location (ioc_map_view_get_task_layer (fx->map), id, &lat, &lon));
  /* Off-centre, so that the click is not at the centre by chance. */
  show_at (lat + 0.001, lon - 0.0015, 17.3);
  shumate_viewport_location_to_widget_coords (viewport, GTK_WIDGET (ioc_map_view_get_map (fx->map)), lat, lon, &x, &y);
  g_assert_cmpfloat (fabs (x - 960), >, 20);
  g_assert_cmpuint (ioc_task_layer_get_n_drawn_points (ioc_map_view_get_task_layer (fx->map)), >, 0);

  fx->n_activated = 0;
  ioc_map_view_activate_at (fx->map, x + 2, y - 1);
  g_assert_cmpuint (fx->n_activated, ==, 1);
  g_assert_cmpint (fx->activated, ==, id);
  g_assert_cmpint (ioc_task_layer_get_selected (ioc_map_view_get_task_layer (fx->map)), ==, id);

  /* Empty water far from any task: nothing. */
  fx->n_activated = 0;
  show_at (9.0, 104.0, 17);
  ioc_map_view_activate_at (fx->map, 960, 540);
  g_assert_cmpuint (fx->n_activated, ==, 0);
}

static void
test_select_centres (void)
{
  ShumateViewport *viewport;
  double lat, lon;
  gint64 id;

  fixture_get ();
  viewport = ioc_map_view_get_viewport (fx->map);
  show_at (10.03, 105.75, 10);
  id = find_single_task (14, &lat, &lon);
  g_assert_cmpint (id, !=, 0);
  g_assert_true (ioc_task_layer_get_location (ioc_map_view_get_task_layer (fx->map), id, &lat, &lon));

  ioc_map_view_select_task (fx->map, id);
  ioc_test_settle (200);
  g_assert_cmpfloat_with_epsilon (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)), lat, 1e-6);
  g_assert_cmpfloat_with_epsilon (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), lon, 1e-6);
  g_assert_cmpfloat (shumate_viewport_get_zoom_level (viewport), >=, 16);
  g_assert_cmpint (ioc_task_layer_get_selected (ioc_map_view_get_task_layer (fx->map)), ==, id);
  save_screenshot ("map-selected.png");
}

static void
test_cluster_click_zooms (void)
{
  ShumateViewport *viewport;
  IocSpatialIndex *index;
  IocBBox view = { 105.55, 9.9, 105.95, 10.15 };
  g_autoptr(GArray) clusters = NULL;
  IocCluster *big = NULL;
  double x, y, lat0, lon0, lat1, lon1;

  fixture_get ();
  viewport = ioc_map_view_get_viewport (fx->map);
  index = ioc_task_layer_get_index (ioc_map_view_get_task_layer (fx->map));
  show_at (10.03, 105.75, 11);
  g_assert_cmpuint (ioc_task_layer_get_n_drawn_clusters (ioc_map_view_get_task_layer (fx->map)), >, 0);
  save_screenshot ("map-clusters.png");

  clusters = ioc_spatial_index_query_clusters (index, &view, 11, NULL);
  for (guint i = 0; i < clusters->len; i++)
    {
      IocCluster *c = &g_array_index (clusters, IocCluster, i);

      shumate_viewport_location_to_widget_coords (viewport, GTK_WIDGET (ioc_map_view_get_map (fx->map)), c->lat, c->lon, &x, &y);
      if (c->count > 1 && x > 100 && x < 1820 && y > 100 && y < 980 && (big == NULL || c->count > big->count))
        big = c;
    }
  g_assert_nonnull (big);
  shumate_viewport_location_to_widget_coords (viewport, GTK_WIDGET (ioc_map_view_get_map (fx->map)), big->lat, big->lon, &x, &y);

  fx->n_activated = 0;
  ioc_map_view_activate_at (fx->map, x, y);
  ioc_test_settle (200);
  g_assert_cmpuint (fx->n_activated, ==, 0);
  g_assert_cmpfloat (shumate_viewport_get_zoom_level (viewport), >=, 12);
  /* The cluster's tasks are all in view now. */
  shumate_viewport_widget_coords_to_location (viewport, GTK_WIDGET (ioc_map_view_get_map (fx->map)), 0, 0, &lat1, &lon0);
  shumate_viewport_widget_coords_to_location (viewport, GTK_WIDGET (ioc_map_view_get_map (fx->map)), 1920, 1080, &lat0, &lon1);
  g_assert_cmpfloat (big->bbox.min_lat, >=, lat0);
  g_assert_cmpfloat (big->bbox.max_lat, <=, lat1);
  g_assert_cmpfloat (big->bbox.min_lon, >=, lon0);
  g_assert_cmpfloat (big->bbox.max_lon, <=, lon1);
}

typedef struct {
  gint64  id;
  GdkRGBA want;
} ColourWait;

static gboolean
has_colour (gpointer data)
{
  ColourWait *wait = data;
  GdkRGBA now;

  return ioc_task_layer_get_task_color (ioc_map_view_get_task_layer (fx->map), wait->id, &now) &&
         gdk_rgba_equal (&now, &wait->want);
}

static void
test_event_recolours (void)
{
  IocTaskLayer *layer;
  GListModel *list;
  ColourWait wait = { 0 };
  GdkRGBA before;
  const char *token;
  g_autofree char *body = NULL;
  g_autoptr(IocdTestResponse) r = NULL;
  gint64 version = -1;

  fixture_get ();
  layer = ioc_map_view_get_task_layer (fx->map);
  list = ioc_task_model_get_list (fx->model);

  /* A located task just received. */
  for (guint i = 0; i < g_list_model_get_n_items (list) && wait.id == 0; i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (list, i);
      IocTask *task = ioc_task_object_get_task (object);

      if (task->state == IOC_TASK_STATE_RECEIVED && task->has_location)
        {
          wait.id = task->id;
          version = task->version;
        }
    }
  g_assert_cmpint (wait.id, !=, 0);
  g_assert_true (ioc_task_layer_get_task_color (layer, wait.id, &before));
  ioc_task_layer_get_state_color (layer, IOC_TASK_STATE_RECEIVED, &wait.want);
  g_assert_true (gdk_rgba_equal (&before, &wait.want));

  /* Another operator verifies it. */
  token = iocd_test_token (server, session, "trucban2");
  body = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT "}", version);
  r = iocd_test_act (server, session, token, wait.id, "verify", body, NULL);
  g_assert_cmpuint (r->status, ==, 200);

  ioc_task_layer_get_state_color (layer, IOC_TASK_STATE_VERIFIED, &wait.want);
  g_assert_true (ioc_test_wait_until (has_colour, &wait, 30));
  g_assert_false (gdk_rgba_equal (&before, &wait.want));
}

typedef struct {
  gint64 id;
} TaskWait;

static gboolean
task_on_map (gpointer data)
{
  TaskWait *wait = data;

  return ioc_task_layer_get_location (ioc_map_view_get_task_layer (fx->map), wait->id, NULL, NULL);
}

static void
test_new_task_appears (void)
{
  const char *token;
  TaskWait wait;
  guint before;

  fixture_get ();
  before = ioc_task_layer_get_n_tasks (ioc_map_view_get_task_layer (fx->map));
  token = iocd_test_token (server, session, "trucban2");
  wait.id = iocd_test_new_task (server, session, token, "LIGHT", "Đèn đường hỏng trên bản đồ");
  g_assert_cmpint (wait.id, !=, 0);
  g_assert_true (ioc_test_wait_until (task_on_map, &wait, 30));
  g_assert_cmpuint (ioc_task_layer_get_n_tasks (ioc_map_view_get_task_layer (fx->map)), ==, before + 1);
}

static void
test_stations_drawn (void)
{
  fixture_get ();
  show_at (10.03, 105.75, 11);
  g_assert_cmpuint (ioc_map_view_get_n_stations_drawn (fx->map), >=, 1);
  g_assert_cmpint (ioc_map_view_get_station_level (fx->map, "CANTHO"), >=, 0);
  save_screenshot ("map-city.png");
  /* Between two whole zooms, where district edges cross the view. */
  show_at (10.06, 105.66, 13.5);
  save_screenshot ("map-district-edges.png");
}

/* How many pixels of the map, as the window's renderer draws it, differ
 * from the one at its centre (the background there). */
static guint
count_drawn_pixels (void)
{
  GtkWidget *widget = GTK_WIDGET (fx->map);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint32 *pixels = g_new (guint32, (gsize) width * height);
  guint32 background;
  guint n = 0;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (fx->window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_texture_download (texture, (guchar *) pixels, (gsize) width * 4);
  background = pixels[(height / 2) * width + width / 2];
  for (gsize i = 0; i < (gsize) width * height; i++)
    n += pixels[i] != background;
  return n;
}

/* The outlines are drawn on any renderer (each has its own way: see
 * ioc-boundary-layer.c), where the view crosses them. */
static void
test_outlines_drawn (void)
{
  guint with, without;

  fixture_get ();
  ioc_map_view_set_layer_visible (fx->map, "tasks", FALSE);
  ioc_map_view_set_layer_visible (fx->map, "stations", FALSE);
  /* Off Cần Thơ: the centre is background; district edges cross the view. */
  show_at (10.06, 105.66, 13.5);
  with = count_drawn_pixels ();
  ioc_map_view_set_layer_visible (fx->map, "boundaries", FALSE);
  ioc_test_settle (100);
  without = count_drawn_pixels ();
  g_test_message ("renderer %s: %u pixels drawn with the boundaries, %u without",
                  G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (fx->window))), with, without);
  /* About twenty thousand pixels of line and labels; the labels alone
   * are a few thousand. */
  g_assert_cmpuint (with, >, without + 10000);
  ioc_map_view_set_layer_visible (fx->map, "boundaries", TRUE);
  ioc_map_view_set_layer_visible (fx->map, "tasks", TRUE);
  ioc_map_view_set_layer_visible (fx->map, "stations", TRUE);
}

static gboolean
choropleth_loaded (gpointer data)
{
  return ioc_map_view_is_loaded (data, "choropleth");
}

static void
test_choropleth (void)
{
  fixture_get ();
  ioc_map_view_set_layer_visible (fx->map, "choropleth", TRUE);
  ioc_map_view_set_choropleth_indicator (fx->map, "pa.reports_received");
  g_assert_true (ioc_test_wait_until (choropleth_loaded, fx->map, 30));
  g_assert_cmpuint (ioc_map_view_get_n_choropleth_areas (fx->map), >, 0);
  show_at (10.1, 105.6, 10.3);
  save_screenshot ("map-choropleth.png");
  ioc_map_view_set_layer_visible (fx->map, "choropleth", FALSE);
}

/* The layer follows a list that a search narrows and widens in one change
 * each way (the whole index rebuilt), and small changes item by item; a
 * task changed in place shows once the map is told of it. */
typedef struct {
  IocTaskLayer *layer;
  guint         n;
} CountWait;

static gboolean
has_n_tasks (gpointer data)
{
  CountWait *wait = data;

  return ioc_task_layer_get_n_tasks (wait->layer) == wait->n;
}

/* The layer follows a big list change after the next frame: waits for it. */
static gboolean
wait_n_tasks (IocTaskLayer *layer,
              guint         n)
{
  CountWait wait = { layer, n };

  return ioc_test_wait_until (has_n_tasks, &wait, 10);
}

static void
test_list_changes (void)
{
  IocTaskLayer *layer;
  GListModel *list;
  g_autoptr(GListStore) shown = g_list_store_new (IOC_TYPE_TASK_OBJECT);
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) few = g_ptr_array_new ();
  guint n_located = 0, few_located = 0;
  IocTaskObject *first = NULL;

  fixture_get ();
  layer = ioc_map_view_get_task_layer (fx->map);
  list = ioc_task_model_get_list (fx->model);
  /* More tasks than the demo has: a search's change is thousands. */
  for (guint i = 0; i < 6000; i++)
    {
      g_autoptr(IocTask) task = ioc_task_new ();
      IocTaskObject *object;

      task->id = 1000000 + i;
      task->version = 1;
      task->state = i % IOC_N_TASK_STATES;
      task->priority = i % IOC_N_PRIORITIES;
      task->has_location = i % 7 != 0;
      task->lat = 10.0 + 0.1 * sin (i);
      task->lon = 105.7 + 0.1 * cos (i * 1.3);
      task->title = g_strdup ("Phản ánh");
      object = ioc_task_object_new (task, ioc_task_model_get_reference (fx->model));
      g_ptr_array_add (all, object);
      n_located += task->has_location;
      if (i % 10 == 0)
        {
          g_ptr_array_add (few, object);
          few_located += task->has_location;
          if (first == NULL && task->has_location)
            first = object;
        }
    }
  g_assert_nonnull (first);

  g_list_store_splice (shown, 0, 0, all->pdata, all->len);
  ioc_map_view_set_tasks (fx->map, G_LIST_MODEL (shown));
  g_assert_cmpuint (ioc_task_layer_get_n_tasks (layer), ==, n_located);

  /* Narrowed and widened in one change each: rebuilt from the whole list
   * once the main loop is idle, after the frame that shows the queue; the
   * map keeps its points until then, and a change meanwhile only waits
   * for that. */
  g_list_store_splice (shown, 0, all->len, few->pdata, few->len);
  g_assert_cmpuint (ioc_task_layer_get_n_tasks (layer), ==, n_located);
  g_list_store_remove (shown, 0);
  g_list_store_splice (shown, 0, 0, few->pdata, 1);
  g_assert_true (wait_n_tasks (layer, few_located));
  show_at (10.03, 105.75, 11);
  g_assert_cmpuint (ioc_task_layer_get_n_drawn_clusters (layer) + ioc_task_layer_get_n_drawn_points (layer), >, 0);
  g_list_store_splice (shown, 0, few->len, all->pdata, all->len);
  g_assert_true (wait_n_tasks (layer, n_located));

  /* A few at a time: item by item, also one moved within the list. */
  g_list_store_remove (shown, 0);
  g_list_store_remove (shown, 0);
  g_assert_cmpuint (ioc_task_layer_get_n_tasks (layer), ==,
                    n_located - ioc_task_object_get_task (g_ptr_array_index (all, 0))->has_location
                              - ioc_task_object_get_task (g_ptr_array_index (all, 1))->has_location);
  g_list_store_splice (shown, 0, 0, all->pdata, 2);
  g_assert_cmpuint (ioc_task_layer_get_n_tasks (layer), ==, n_located);
  {
    gpointer moved[1] = { g_ptr_array_index (all, 5) };

    g_list_store_splice (shown, 5, 1, NULL, 0);
    g_list_store_splice (shown, 0, 0, moved, 1);
    g_assert_cmpuint (ioc_task_layer_get_n_tasks (layer), ==, n_located);
  }

  /* Changed in place (as the model applies an event): the map shows the new
   * state once told, not before. */
  {
    IocTask *task = ioc_task_object_get_task (first);
    g_autoptr(IocTask) changed = ioc_task_copy (task);
    IocTaskState state = task->state == IOC_TASK_STATE_CLOSED ? IOC_TASK_STATE_RECEIVED : IOC_TASK_STATE_CLOSED;
    GdkRGBA want, now;

    changed->state = state;
    changed->version++;
    g_assert_true (ioc_task_object_update (first, changed));
    ioc_task_layer_update_task (layer, changed->id);
    ioc_task_layer_get_state_color (layer, state, &want);
    g_assert_true (ioc_task_layer_get_task_color (layer, changed->id, &now));
    g_assert_true (gdk_rgba_equal (&want, &now));
  }

  ioc_map_view_set_tasks (fx->map, list);
  g_assert_cmpuint (ioc_task_layer_get_n_tasks (layer), >, 100);
}

static void
fixture_free (void)
{
  if (fx == NULL)
    return;
  ioc_event_stream_stop (fx->events);
  gtk_window_destroy (fx->window);
  g_clear_object (&fx->events);
  g_clear_object (&fx->model);
  g_clear_object (&fx->client);
  g_clear_pointer (&fx, g_free);
}

/* The layers' textures hold straight alpha; what GTK hands a renderer
 * back is the surface they were drawn in, within rounding. */
static void
test_texture_for_surface (void)
{
  const int size = 24;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, size, size);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *back = g_malloc ((gsize) size * size * 4);
  const guchar *data;
  int stride;

  /* Opaque, translucent (an antialiased edge) and clear pixels. */
  cairo_arc (cr, size / 2.0, size / 2.0, size / 3.0, 0, 2 * G_PI);
  cairo_set_source_rgba (cr, 0.88, 0.11, 0.14, 0.9);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, 0.2, 0.6, 0.9, 1.0);
  cairo_set_line_width (cr, 2.0);
  cairo_stroke (cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  texture = ioc_map_texture_new_for_surface (surface);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, size);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, size);
  gdk_texture_download (texture, back, size * 4);

  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      for (int c = 0; c < 4; c++)
        {
          int want = data[y * stride + 4 * x + c];
          int got = back[(y * size + x) * 4 + c];

          if (ABS (want - got) > 1)
            g_error ("pixel %d,%d channel %d: %d, drawn %d", x, y, c, got, want);
        }
  cairo_surface_destroy (surface);
}

/* The scale: the largest round distance that fits, at the view's
 * latitude (150.5 m a pixel at zoom 10 over Cần Thơ). */
static void
test_scale_bar (void)
{
  g_autoptr(ShumateViewport) viewport = shumate_viewport_new ();
  GtkWidget *bar = g_object_ref_sink (ioc_scale_bar_new ());
  const char *text;
  double length;

  ioc_scale_bar_set_viewport (IOC_SCALE_BAR (bar), viewport);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), 10.03, 105.77);
  shumate_viewport_set_zoom_level (viewport, 10);
  text = ioc_scale_bar_get_text (IOC_SCALE_BAR (bar), &length);
  g_assert_cmpstr (text, ==, "20 km");
  g_assert_cmpfloat_with_epsilon (length, 20000 / 150.54, 0.5);

  shumate_viewport_set_zoom_level (viewport, 17);
  text = ioc_scale_bar_get_text (IOC_SCALE_BAR (bar), &length);
  g_assert_cmpstr (text, ==, "100 m");
  g_assert_cmpfloat (length, <=, 140);
  g_assert_cmpfloat (length, >, 140 / 2.5);
  g_object_unref (bar);
}

int
main (int    argc,
      char **argv)
{
  int status;

  iocd_test_init_shared (&argc, &argv, &server, &session);
  adw_init ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);

  g_test_add_func ("/map/texture-for-surface", test_texture_for_surface);
  g_test_add_func ("/map/scale-bar", test_scale_bar);
  g_test_add_func ("/map/layers-toggle", test_layers_toggle);
  g_test_add_func ("/map/stations-drawn", test_stations_drawn);
  g_test_add_func ("/map/outlines-drawn", test_outlines_drawn);
  g_test_add_func ("/map/task-click-activates", test_click_task_point);
  g_test_add_func ("/map/task-select-centres", test_select_centres);
  g_test_add_func ("/map/cluster-click-zooms", test_cluster_click_zooms);
  g_test_add_func ("/map/task-event-recolours", test_event_recolours);
  g_test_add_func ("/map/task-new-appears", test_new_task_appears);
  g_test_add_func ("/map/choropleth-by-former-district", test_choropleth);
  g_test_add_func ("/map/task-list-changes", test_list_changes);
  g_test_add_func ("/map/teardown", fixture_free);
  iocd_test_add_shutdown ("/map/iocd-shutdown", server);

  status = iocd_test_run (&server, &session);
  return status;
}
