/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-bench"

#include "config.h"

#include <math.h>

#include <gtk/gtk.h>

#include "bench-stats.h"
#include "ioc-chart.h"

/*
 * A year of a gauge read every five minutes (105,120 readings) drawn on a
 * 1600 × 400 surface: each repeat hands the chart the whole series again,
 * so the time includes copying and reducing it to the plot's columns, the
 * axes, the alarm lines and the text. Then once through the widget's own
 * snapshot, rendered by the window's GSK renderer.
 */

#define N_READINGS (365 * 288)
#define WIDTH 1600
#define HEIGHT 400
#define REPEATS 60

static GArray *
make_readings (void)
{
  GArray *points = g_array_sized_new (FALSE, FALSE, sizeof (IocSeriesPoint), N_READINGS);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1792);
  gint64 start = (g_get_real_time () / G_USEC_PER_SEC / 300) * 300 * G_USEC_PER_SEC - (gint64) N_READINGS * 300 * G_USEC_PER_SEC;

  /* A tide (M2 + S2) around 1 m with a seasonal swell, and some noise. */
  for (guint i = 0; i < N_READINGS; i++)
    {
      double hours = i * 5.0 / 60.0;
      IocSeriesPoint p;

      p.t = start + (gint64) i * 300 * G_USEC_PER_SEC;
      p.v = 1.0 + 0.6 * sin (2 * G_PI * hours / 12.42) + 0.25 * sin (2 * G_PI * hours / 12.0)
            + 0.3 * sin (2 * G_PI * hours / (24 * 365.25)) + g_rand_double_range (rand, -0.03, 0.03);
      g_array_append_val (points, p);
    }
  return points;
}

static void
setup_chart (IocChart *chart)
{
  ioc_chart_set_kind (chart, IOC_CHART_LINE);
  ioc_chart_set_title (chart, "Cần Thơ — mực nước sông Hậu");
  ioc_chart_set_unit (chart, "m");
  ioc_chart_add_line (chart, 1.8, "I 1,80", 1);
  ioc_chart_add_line (chart, 1.9, "II 1,90", 2);
  ioc_chart_add_line (chart, 2.0, "III 2,00", 3);
}

static gboolean
mapped (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GArray) points = NULL;
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *summary = NULL;
  cairo_surface_t *surface;
  IocChart *chart;
  GtkWidget *window;
  gint64 end;
  double snapshot_ms, render_ms;

  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display: run the chart benchmark under Xvfb\n");
      return 0;
    }

  points = make_readings ();
  chart = IOC_CHART (g_object_ref_sink (ioc_chart_new ()));
  setup_chart (chart);
  ioc_chart_add_series (chart, NULL, (IocSeriesPoint *) points->data, points->len);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  for (guint r = 0; r < REPEATS + 3; r++)
    {
      cairo_t *cr = cairo_create (surface);
      gint64 t0 = g_get_monotonic_time ();
      double elapsed;

      ioc_chart_set_series_points (chart, 0, (IocSeriesPoint *) points->data, points->len);
      ioc_chart_render (chart, cr, WIDTH, HEIGHT);
      cairo_surface_flush (surface);
      elapsed = (g_get_monotonic_time () - t0) / 1000.0;
      cairo_destroy (cr);
      /* The first few warm up fonts and caches. */
      if (r >= 3)
        g_array_append_val (ms, elapsed);
    }
  cairo_surface_destroy (surface);

  bench_sort_samples (ms);
  g_print ("chart render, %u readings to %d×%d (copy + downsample + draw), %u repeats: "
           "median %.2f ms, p95 %.2f ms, max %.2f ms (target: under 50 ms)\n",
           (guint) N_READINGS, WIDTH, HEIGHT, (guint) ms->len,
           bench_percentile (ms, 0.5), bench_percentile (ms, 0.95), bench_percentile (ms, 1.0));

  /* The widget's snapshot path, once, in a real window. */
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (chart));
  gtk_window_present (GTK_WINDOW (window));
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!mapped (chart) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);

  {
    int w = gtk_widget_get_width (GTK_WIDGET (chart));
    int h = gtk_widget_get_height (GTK_WIDGET (chart));
    GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
    g_autoptr(GdkTexture) texture = NULL;
    g_autoptr(GArray) snap_ms = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) gsk_ms = g_array_new (FALSE, FALSE, sizeof (double));

    /* The first render also compiles the renderer's shaders: not counted. */
    for (guint r = 0; r < 6; r++)
      {
        GtkSnapshot *snapshot = gtk_snapshot_new ();
        g_autoptr(GskRenderNode) node = NULL;
        gint64 t0, t1, t2;

        ioc_chart_set_series_points (chart, 0, (IocSeriesPoint *) points->data, points->len);
        t0 = g_get_monotonic_time ();
        /* The widget's own snapshot function, not a cached frame. */
        GTK_WIDGET_GET_CLASS (chart)->snapshot (GTK_WIDGET (chart), snapshot);
        node = gtk_snapshot_free_to_node (snapshot);
        t1 = g_get_monotonic_time ();
        g_clear_object (&texture);
        texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
        t2 = g_get_monotonic_time ();
        if (texture == NULL)
          {
            g_print ("the widget's render node could not be rendered\n");
            return 1;
          }
        if (r == 0)
          continue;
        snapshot_ms = (t1 - t0) / 1000.0;
        render_ms = (t2 - t1) / 1000.0;
        g_array_append_val (snap_ms, snapshot_ms);
        g_array_append_val (gsk_ms, render_ms);
      }
    bench_sort_samples (snap_ms);
    bench_sort_samples (gsk_ms);
    g_print ("widget snapshot path at %d×%d (%s), median of %u: snapshot (downsample + cairo recording) %.2f ms, "
             "GSK render to a texture (cairo replay + upload) %.2f ms\n",
             w, h, G_OBJECT_TYPE_NAME (renderer), snap_ms->len,
             bench_percentile (snap_ms, 0.5), bench_percentile (gsk_ms, 0.5));
    /* Moving the pointer: the chart is cached, only the readout is new. */
    g_array_set_size (snap_ms, 0);
    g_array_set_size (gsk_ms, 0);
    for (guint r = 0; r < 12; r++)
      {
        GtkSnapshot *snapshot = gtk_snapshot_new ();
        g_autoptr(GskRenderNode) node = NULL;
        g_autoptr(GdkTexture) frame = NULL;
        gint64 t0, t1, t2;

        ioc_chart_set_cursor (chart, w * (0.2 + 0.05 * r));
        t0 = g_get_monotonic_time ();
        GTK_WIDGET_GET_CLASS (chart)->snapshot (GTK_WIDGET (chart), snapshot);
        node = gtk_snapshot_free_to_node (snapshot);
        t1 = g_get_monotonic_time ();
        frame = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
        t2 = g_get_monotonic_time ();
        if (r < 2)
          continue;
        snapshot_ms = (t1 - t0) / 1000.0;
        render_ms = (t2 - t1) / 1000.0;
        g_array_append_val (snap_ms, snapshot_ms);
        g_array_append_val (gsk_ms, render_ms);
        if (r == 11)
          g_set_object (&texture, frame);
      }
    bench_sort_samples (snap_ms);
    bench_sort_samples (gsk_ms);
    g_print ("hover frame (pointer moved, chart cached), median of %u: snapshot %.2f ms, GSK render to a texture %.2f ms\n",
             snap_ms->len, bench_percentile (snap_ms, 0.5), bench_percentile (gsk_ms, 0.5));

    if (g_getenv ("IOC_TEST_SCREENSHOT_DIR") != NULL)
      {
        g_autofree char *path = g_build_filename (g_getenv ("IOC_TEST_SCREENSHOT_DIR"), "bench-chart.png", NULL);

        gdk_texture_save_to_png (texture, path);
      }
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (chart);
  return bench_percentile (ms, 0.5) < 50 ? 0 : 1;
}
