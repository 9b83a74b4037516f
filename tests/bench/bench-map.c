/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-bench"

#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <time.h>

#include "bench-stats.h"
#include "console-test-utils.h"
#include "ioc-map-view.h"
#include "ioc-task-object.h"
#include "ioc-x11-frames.h"

/* The map with 100,000 tasks over Cần Thơ: time to build the spatial
 * index, frame times while the view pans and zooms without pause (real
 * frames of a 1920 × 1080 window under Xvfb, from the frame clock's update
 * to its after-paint: layout, snapshot and render), and memory. The same
 * motion is measured with the bare map, with the boundaries, and with the
 * boundaries and the tasks, interleaved.
 *
 * The renderer is the environment's: the 'map' benchmark runs GTK's cairo
 * renderer, the software path the console's own benchmark uses (under Xvfb
 * the GL renderer runs on llvmpipe, software OpenGL, where the bare map
 * alone takes most of a frame); 'map-gl' runs that GL renderer for
 * comparison. IOC_BENCH_MAP_TRACE=1 prints every frame's zoom and times.
 * The X server announces a window manager, as a desktop's does
 * (ioc_test_announce_window_manager (); IOC_BENCH_BARE_X=1 leaves it out). */

#define N_TASKS 100000
#define N_FRAMES 600
/* The path is run in segments, each once per set of layers shown, one
 * right after the other: the machine's load, which changes by the second,
 * weighs the same on each. */
#define N_SEGMENTS 6
#define SETTLE_FRAMES 3
/* The queue's search narrows the list the map follows to this many tasks
 * and widens it back, in one change each way, this many times. */
#define N_NARROWED 3000
#define N_FILTER_ROUNDS 3

typedef enum {
  PASS_BARE,        /* no layer of ours: the map, its overlays, the renderer */
  PASS_BOUNDARIES,  /* + city and former district boundaries */
  PASS_ALL,         /* + the tasks: what the user sees */
  N_PASSES
} Pass;

static const char * const pass_names[N_PASSES] = {
  "bare map (no boundaries, no tasks)",
  "boundaries, no tasks",
  "boundaries and tasks",
};

static long
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return -1;
  return strtol (line + 6, NULL, 10);
}

typedef struct {
  IocMapView *map;
  guint       frame;        /* along the path, 0 to N_FRAMES */
  guint       first;        /* of the segment being run */
  guint       end;
  gint64      update_start;
  gint64      update_cpu;
  gint64      last_frame_time;
  GArray     *work_ms;      /* update → after-paint of each frame */
  GArray     *cpu_ms;       /* the process's CPU time (all threads, the
                             * renderer's too) in the same span */
  GArray     *interval_ms;  /* between frames */
  GArray     *drawn;        /* guint: points + clusters per frame */
  const char *name;         /* of the pass, for IOC_BENCH_MAP_TRACE */
  gboolean    done;
} Run;

/* CPU time of the whole process, in µs: unlike the wall clock, it does
 * not grow when other programs take the machine's cores. */
static gint64
cpu_time_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000) + ts.tv_nsec / 1000;
}

static void
on_update_cb (GdkFrameClock *clock,
              Run           *run)
{
  run->update_start = g_get_monotonic_time ();
  run->update_cpu = cpu_time_us ();
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   Run           *run)
{
  double ms;

  if (run->update_start == 0 || run->done)
    return;
  ms = (g_get_monotonic_time () - run->update_start) / 1000.0;
  /* The first frames of a segment jump there and show or hide layers:
   * not motion. */
  if (run->frame > run->first + SETTLE_FRAMES)
    {
      double cpu = (cpu_time_us () - run->update_cpu) / 1000.0;

      g_array_append_val (run->work_ms, ms);
      g_array_append_val (run->cpu_ms, cpu);
      /* Every frame, to see where along the path the time goes. */
      if (g_getenv ("IOC_BENCH_MAP_TRACE") != NULL)
        {
          IocTaskLayer *layer = ioc_map_view_get_task_layer (run->map);

          g_printerr ("frame %s zoom %.2f work %.2f cpu %.2f points %u clusters %u\n", run->name,
                      shumate_viewport_get_zoom_level (ioc_map_view_get_viewport (run->map)), ms, cpu,
                      ioc_task_layer_get_n_drawn_points (layer), ioc_task_layer_get_n_drawn_clusters (layer));
        }
    }
  run->update_start = 0;
}

/* Each frame moves the view: a circle around the city while the zoom
 * breathes between 10 and 16, crossing cluster levels all the time. */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Run *run = data;
  ShumateViewport *viewport = ioc_map_view_get_viewport (run->map);
  IocTaskLayer *layer = ioc_map_view_get_task_layer (run->map);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double phase = run->frame / (double) N_FRAMES * 2 * G_PI;
  guint drawn = ioc_task_layer_get_n_drawn_points (layer) + ioc_task_layer_get_n_drawn_clusters (layer);

  if (run->last_frame_time != 0 && run->frame > run->first + SETTLE_FRAMES)
    {
      double ms = (now - run->last_frame_time) / 1000.0;

      g_array_append_val (run->interval_ms, ms);
      g_array_append_val (run->drawn, drawn);
    }
  run->last_frame_time = now;

  if (run->frame >= run->end)
    {
      run->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  run->frame++;
  shumate_viewport_set_zoom_level (viewport, 13.0 - 3.0 * cos (3 * phase));
  shumate_location_set_location (SHUMATE_LOCATION (viewport),
                                 10.10 + 0.12 * sin (phase), 105.60 + 0.18 * cos (phase));
  return G_SOURCE_CONTINUE;
}

static void
run_segment (Run           *run,
             GtkWidget     *window,
             guint          first,
             guint          end)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  run->frame = run->first = first;
  run->end = end;
  run->update_start = run->last_frame_time = 0;
  run->done = FALSE;
  g_signal_connect (clock, "update", G_CALLBACK (on_update_cb), run);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint_cb), run);
  gtk_widget_add_tick_callback (GTK_WIDGET (run->map), tick_cb, run, NULL);
  while (!run->done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_data (clock, run);
}

static gboolean
load_boundaries (IocMapView *map)
{
  const char *dir = g_getenv ("IOC_BENCH_DATA_DIR");
  const struct { const char *layer, *file; } files[] = {
    { "city-boundary", "cantho_city_boundary.geojson" },
    { "former-districts", "cantho_districts.geojson" },
  };

  if (dir == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *path = g_build_filename (dir, files[i].file, NULL);
      g_autoptr(GError) error = NULL;

      if (!json_parser_load_from_file (parser, path, &error))
        g_error ("%s: %s", path, error->message);
      ioc_map_view_set_layer_data (map, files[i].layer, json_parser_get_root (parser));
    }
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2025);
  g_autoptr(GListStore) store = g_list_store_new (IOC_TYPE_TASK_OBJECT);
  g_autofree IocClusterPoint *points = g_new (IocClusterPoint, N_TASKS);
  g_autoptr(IocSpatialIndex) index = NULL;
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func (g_object_unref);
  IocReference reference = { 0 };
  GtkWindow *window;
  Run runs[N_PASSES] = { { 0 } };
  gint64 start;
  long rss_start, rss_objects, rss_index, rss_prelayer, rss_layer, rss_view, rss_end;
  double index_ms, layer_ms;
  g_autoptr(GArray) narrow_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) widen_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) narrowed = g_ptr_array_new ();
  guint max_drawn = 0;
  gboolean boundaries;
  gboolean window_manager;
  const char *renderer;
  g_autofree char *load_before = NULL;
  g_autofree char *load_after = NULL;

  adw_init ();
  /* Styled as the console is by default, on an X server with a window
   * manager, as on a desktop. */
  ioc_test_use_console_style (TRUE);
  window_manager = ioc_test_announce_window_manager ();
  rss_start = rss_kb ();

  reference.categories = g_hash_table_new (g_str_hash, g_str_equal);
  reference.communes = g_hash_table_new (g_str_hash, g_str_equal);
  reference.departments = g_hash_table_new (g_str_hash, g_str_equal);

  /* Like a city: two thirds around the centre, the rest anywhere. */
  for (guint i = 0; i < N_TASKS; i++)
    {
      g_autoptr(IocTask) task = ioc_task_new ();
      gboolean centre = g_rand_int_range (rand, 0, 3) > 0;

      task->id = i + 1;
      task->version = 1;
      task->state = g_rand_int_range (rand, 0, IOC_N_TASK_STATES);
      task->priority = g_rand_int_range (rand, 0, IOC_N_PRIORITIES);
      task->has_location = TRUE;
      task->lat = centre ? 10.03 + 0.03 * (g_rand_double (rand) + g_rand_double (rand) - 1)
                         : g_rand_double_range (rand, 9.92, 10.32);
      task->lon = centre ? 105.76 + 0.04 * (g_rand_double (rand) + g_rand_double (rand) - 1)
                         : g_rand_double_range (rand, 105.25, 105.84);
      task->title = g_strdup ("Phản ánh");
      points[i] = (IocClusterPoint) { task->lat, task->lon, task->id };
      g_ptr_array_add (objects, ioc_task_object_new (task, &reference));
    }
  g_list_store_splice (store, 0, 0, objects->pdata, objects->len);
  rss_objects = rss_kb ();

  /* The index alone. */
  index = ioc_spatial_index_new ();
  start = g_get_monotonic_time ();
  ioc_spatial_index_load (index, points, NULL, N_TASKS);
  index_ms = (g_get_monotonic_time () - start) / 1000.0;
  rss_index = rss_kb ();

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1920, 1080);
  runs[0].map = IOC_MAP_VIEW (ioc_map_view_new ());
  gtk_window_set_child (window, GTK_WIDGET (runs[0].map));
  boundaries = load_boundaries (runs[0].map);

  /* The layer over the model: index, per-task state and signals (the bare
   * index is kept meanwhile, so that the layer does not reuse its memory). */
  rss_prelayer = rss_kb ();
  start = g_get_monotonic_time ();
  ioc_map_view_set_tasks (runs[0].map, G_LIST_MODEL (store));
  layer_ms = (g_get_monotonic_time () - start) / 1000.0;
  rss_layer = rss_kb ();
  g_clear_pointer (&index, ioc_spatial_index_free);

  gtk_window_present (window);
  /* As the console's window does when it is realized. */
  ioc_x11_frames_keep_shm_pool (GTK_WIDGET (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  rss_view = rss_kb ();

  g_file_get_contents ("/proc/loadavg", &load_before, NULL, NULL);
  for (guint p = 0; p < N_PASSES; p++)
    {
      runs[p].map = runs[0].map;
      runs[p].name = (const char * const[]) { "bare", "boundaries", "all" }[p];
      runs[p].work_ms = g_array_new (FALSE, FALSE, sizeof (double));
      runs[p].cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
      runs[p].interval_ms = g_array_new (FALSE, FALSE, sizeof (double));
      runs[p].drawn = g_array_new (FALSE, FALSE, sizeof (guint));
    }
  for (guint seg = 0; seg < N_SEGMENTS; seg++)
    for (guint p = 0; p < N_PASSES; p++)
      {
        ioc_map_view_set_layer_visible (runs[p].map, "boundaries", p >= PASS_BOUNDARIES);
        ioc_map_view_set_layer_visible (runs[p].map, "tasks", p >= PASS_ALL);
        run_segment (&runs[p], GTK_WIDGET (window), seg * N_FRAMES / N_SEGMENTS, (seg + 1) * N_FRAMES / N_SEGMENTS);
      }
  rss_end = rss_kb ();

  /* The search: every 33rd task stays, in one items-changed, and all come
   * back in another. The layer follows a change that big after the next
   * frame is painted (the queue's), so the time is until it has: the
   * store's own splice is a memmove. */
  for (guint i = 0; i < N_TASKS && narrowed->len < N_NARROWED; i += N_TASKS / N_NARROWED)
    g_ptr_array_add (narrowed, g_ptr_array_index (objects, i));
  for (guint round = 0; round < N_FILTER_ROUNDS; round++)
    {
      IocTaskLayer *layer = ioc_map_view_get_task_layer (runs[0].map);
      double ms;

      start = g_get_monotonic_time ();
      g_list_store_splice (store, 0, N_TASKS, narrowed->pdata, narrowed->len);
      while (ioc_task_layer_get_n_tasks (layer) != narrowed->len && g_get_monotonic_time () - start < 10 * G_USEC_PER_SEC)
        g_main_context_iteration (NULL, TRUE);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (narrow_ms, ms);
      g_assert_cmpuint (ioc_task_layer_get_n_tasks (layer), ==, narrowed->len);
      for (int i = 0; i < 10; i++)
        g_main_context_iteration (NULL, FALSE);

      start = g_get_monotonic_time ();
      g_list_store_splice (store, 0, narrowed->len, objects->pdata, objects->len);
      while (ioc_task_layer_get_n_tasks (layer) != N_TASKS && g_get_monotonic_time () - start < 10 * G_USEC_PER_SEC)
        g_main_context_iteration (NULL, TRUE);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (widen_ms, ms);
      g_assert_cmpuint (ioc_task_layer_get_n_tasks (layer), ==, N_TASKS);
      for (int i = 0; i < 10; i++)
        g_main_context_iteration (NULL, FALSE);
    }
  g_file_get_contents ("/proc/loadavg", &load_after, NULL, NULL);

  for (guint i = 0; i < runs[PASS_ALL].drawn->len; i++)
    max_drawn = MAX (max_drawn, g_array_index (runs[PASS_ALL].drawn, guint, i));
  renderer = G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window)));

  g_print ("map: %u tasks, window 1920x1080, renderer %s, boundaries %s\n", N_TASKS, renderer,
           boundaries ? "loaded" : "not found (IOC_BENCH_DATA_DIR unset)");
  g_print ("window manager: %s\n", window_manager ? "announced, as on a desktop" : "none (IOC_BENCH_BARE_X set, or a real one runs)");
  g_print ("load average before: %s", load_before);
  g_print ("load average after:  %s", load_after);
  g_print ("index build (ioc_spatial_index_load): %.1f ms\n", index_ms);
  g_print ("layer build (set_tasks: index + per-task state + signals): %.1f ms\n", layer_ms);
  for (guint p = 0; p < N_PASSES; p++)
    {
      g_autofree char *work = bench_describe_latency (runs[p].work_ms);
      g_autofree char *interval = bench_describe_latency (runs[p].interval_ms);
      g_autofree char *cpu = bench_describe_latency (runs[p].cpu_ms);

      g_print ("%s:\n", pass_names[p]);
      g_print ("  frame work (update to after-paint), ms: %s, p95 %.2f\n", work,
               bench_percentile (runs[p].work_ms, 0.95));
      g_print ("  CPU time of the process (all threads) per frame, ms: %s, p95 %.2f\n", cpu,
               bench_percentile (runs[p].cpu_ms, 0.95));
      g_print ("  frame interval, ms: %s\n", interval);
    }
  {
    g_autofree char *narrow = bench_describe_latency (narrow_ms);
    g_autofree char *widen = bench_describe_latency (widen_ms);

    g_print ("list narrowed %u → %u tasks in one change, until the map follows (after a frame), ms: %s\n",
             N_TASKS, narrowed->len, narrow);
    g_print ("list widened %u → %u tasks in one change, until the map follows (after a frame), ms: %s\n",
             narrowed->len, N_TASKS, widen);
  }
  g_print ("frame work p95 %.2f ms with boundaries and tasks (target 16.7)\n",
           bench_percentile (runs[PASS_ALL].work_ms, 0.95));
  g_print ("points + clusters drawn per frame: up to %u\n", max_drawn);
  g_print ("RSS: start %ld kB, +%ld kB for the task objects, +%ld kB for a bare index, +%ld kB for the layer over the model, "
           "view with layer %ld kB, after the motion %ld kB\n",
           rss_start, rss_objects - rss_start, rss_index - rss_objects, rss_layer - rss_prelayer, rss_view, rss_end);

  gtk_window_destroy (window);
  for (guint p = 0; p < N_PASSES; p++)
    {
      g_array_unref (runs[p].work_ms);
      g_array_unref (runs[p].cpu_ms);
      g_array_unref (runs[p].interval_ms);
      g_array_unref (runs[p].drawn);
    }
  g_hash_table_unref (reference.categories);
  g_hash_table_unref (reference.communes);
  g_hash_table_unref (reference.departments);
  return 0;
}
