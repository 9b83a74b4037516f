/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include "console-test-utils.h"

#include <adwaita.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#include <X11/Xatom.h>
#endif

gboolean
ioc_test_wait_until (gboolean (*condition) (gpointer),
                     gpointer   data,
                     guint      timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

void
ioc_test_settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

void
ioc_test_screenshot_screen (const char *name)
{
  const char *dir = g_getenv ("IOC_TEST_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;

  if (dir == NULL)
    return;
  /* What the test just did, drawn: rows are revealed a few a frame. */
  ioc_test_settle (300);
  path = g_build_filename (dir, name, NULL);
  command = g_strdup_printf ("import -window root %s", path);
  if (!g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL))
    g_test_message ("no screenshot: ImageMagick's import is missing");
}

void
ioc_test_screenshot_widget (GtkWidget  *window,
                            const char *name)
{
  const char *dir = g_getenv ("IOC_TEST_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width, height;

  if (dir == NULL)
    return;
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  gdk_texture_save_to_png (texture, path);
  g_test_message ("screenshot: %s", path);
}

/* On a desktop, the window manager announces itself on the root window
 * (_NET_SUPPORTING_WM_CHECK, in the EWMH specification), and GDK reads it
 * once. On a bare X server, as the test command's Xvfb is, there is none,
 * and GDK 4.8 asks again at the end of every frame: a synchronous
 * XGetWindowProperty, which waits until the server has handled every
 * request before it, the copy of the frame just drawn among them. In the
 * map benchmark that was two calls a frame, each waiting 1.0–1.4 ms at
 * the median and 2.0–2.8 ms at p95: time no window spends on a desktop.
 *
 * This announces what a window manager announces and nothing more: a
 * window of its own naming itself, and a list of supported hints holding
 * only that one. GDK then finds a window manager that supports none of the
 * hints it might use (no frame synchronisation among them), and the
 * windows keep the size and place they ask for, as with no window manager
 * at all. The benchmarks use it; IOC_BENCH_BARE_X=1 leaves the server
 * bare, to measure the wait too. */
gboolean
ioc_test_announce_window_manager (void)
{
#ifdef GDK_WINDOWING_X11
  GdkDisplay *display = gdk_display_get_default ();
  Display *xdisplay;
  Window root, window;
  Atom check, supported, name, utf8, type = None;
  int format;
  unsigned long n_items, bytes_after;
  unsigned char *data = NULL;
  static const char wm_name[] = "ioc-test";

  if (display == NULL || !GDK_IS_X11_DISPLAY (display) || g_getenv ("IOC_BENCH_BARE_X") != NULL)
    return FALSE;

  xdisplay = gdk_x11_display_get_xdisplay (display);
  root = DefaultRootWindow (xdisplay);
  check = XInternAtom (xdisplay, "_NET_SUPPORTING_WM_CHECK", False);
  supported = XInternAtom (xdisplay, "_NET_SUPPORTED", False);
  name = XInternAtom (xdisplay, "_NET_WM_NAME", False);
  utf8 = XInternAtom (xdisplay, "UTF8_STRING", False);

  /* A real window manager is there: nothing to do. */
  if (XGetWindowProperty (xdisplay, root, check, 0, 1, False, XA_WINDOW, &type, &format,
                          &n_items, &bytes_after, &data) == Success && data != NULL)
    XFree (data);
  if (type == XA_WINDOW)
    return FALSE;

  window = XCreateSimpleWindow (xdisplay, root, -1, -1, 1, 1, 0, 0, 0);
  XChangeProperty (xdisplay, window, check, XA_WINDOW, 32, PropModeReplace, (unsigned char *) &window, 1);
  XChangeProperty (xdisplay, window, name, utf8, 8, PropModeReplace,
                   (const unsigned char *) wm_name, sizeof wm_name - 1);
  XChangeProperty (xdisplay, root, supported, XA_ATOM, 32, PropModeReplace, (unsigned char *) &check, 1);
  XChangeProperty (xdisplay, root, check, XA_WINDOW, 32, PropModeReplace, (unsigned char *) &window, 1);
  XSync (xdisplay, False);
  return TRUE;
#else
  return FALSE;
#endif
}

void
ioc_test_use_console_style (gboolean dark)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (css, "/vn/gov/cantho/IocConsole/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  if (dark)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
}
