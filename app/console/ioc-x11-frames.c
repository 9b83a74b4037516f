/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include "ioc-x11-frames.h"

#ifdef GDK_WINDOWING_X11
#include <cairo-xlib.h>
#include <gdk/x11/gdkx.h>
#endif

/* On X11, GTK's cairo renderer (the software path) paints each frame into
 * an image and hands it to cairo's Xlib backend, which copies it to the X
 * server through MIT shared memory. cairo 1.16 takes that memory from a
 * pool of shared segments and destroys a pool as soon as nothing in it is
 * in use: every frame then creates, attaches and faults in a new segment.
 * Measured with the map benchmark at 1920 × 1080, a frame that repaints
 * the whole window (one translucent rectangle) took 16–24 ms of the
 * process's CPU, about 43% of it in those page faults, and 30 ms in all.
 *
 * One shared image kept for the display's lifetime keeps its pool alive,
 * and the frames' copies then reuse the pool's pages: the benchmark's
 * frames with boundaries and tasks went from p50 22–24 ms, p95 45–46 ms
 * to p50 14–15 ms, p95 28–30 ms. A pool serves blocks up to the power of
 * two above the request that made it, so the image is the size of the
 * largest monitor: any frame's copy fits beside it. Only the pages
 * written are backed by memory; the image itself is never drawn on.
 * Nothing is done on other backends, nor with the GL renderer (it does
 * not draw through cairo). */

#define KEY "ioc-x11-frames-shm-image"

void
ioc_x11_frames_keep_shm_pool (GtkWidget *widget)
{
#ifdef GDK_WINDOWING_X11
  GtkNative *native = gtk_widget_get_native (widget);
  GdkDisplay *display = gtk_widget_get_display (widget);
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;
  GListModel *monitors;
  Display *xdisplay;
  cairo_surface_t *root;
  cairo_surface_t *image;
  gint64 largest = 0;

  if (!GDK_IS_X11_DISPLAY (display) || renderer == NULL || !GSK_IS_CAIRO_RENDERER (renderer) ||
      g_object_get_data (G_OBJECT (display), KEY) != NULL)
    return;

  monitors = gdk_display_get_monitors (display);
  for (guint i = 0; i < g_list_model_get_n_items (monitors); i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);
      GdkRectangle geometry;
      int scale = gdk_monitor_get_scale_factor (monitor);

      gdk_monitor_get_geometry (monitor, &geometry);
      largest = MAX (largest, (gint64) geometry.width * scale * geometry.height * scale);
    }
  if (largest == 0)
    return;

  xdisplay = gdk_x11_display_get_xdisplay (display);
  root = cairo_xlib_surface_create (xdisplay, DefaultRootWindow (xdisplay),
                                    DefaultVisual (xdisplay, DefaultScreen (xdisplay)), 1, 1);
  image = cairo_surface_create_similar_image (root, CAIRO_FORMAT_RGB24, 1024,
                                              (int) MAX (1, (largest + 1023) / 1024));
  cairo_surface_destroy (root);
  if (cairo_surface_status (image) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (image);
      return;
    }
  g_object_set_data_full (G_OBJECT (display), KEY, image, (GDestroyNotify) cairo_surface_destroy);
#endif
}
