/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What every window test does: run the main loop until something is true
 * or for a while, and save what the user sees when
 * IOC_TEST_SCREENSHOT_DIR is set. */

/* Iterates the default main context until @condition (@data) holds;
 * FALSE after @timeout_s seconds. */
gboolean ioc_test_wait_until        (gboolean  (*condition) (gpointer),
                                     gpointer    data,
                                     guint       timeout_s);
/* Iterates the default main context for @ms milliseconds. */
void     ioc_test_settle            (guint       ms);
/* Styles the display as the console does by default: the application's
 * stylesheet (which AdwApplication loads by itself in the console) and,
 * when @dark, the dark style of its "dark-style" setting. */
void     ioc_test_use_console_style (gboolean    dark);
/* Announces a window manager on the display's X server, as a desktop's
 * does, unless one is there (see the function). FALSE when the display is
 * not X11 or nothing was needed. */
gboolean ioc_test_announce_window_manager (void);
/* The whole X screen (1920×1080 under the test command's Xvfb), dialogs
 * over their windows as the user sees them; needs ImageMagick's import. */
void     ioc_test_screenshot_screen (const char *name);
/* @window's own rendering. */
void     ioc_test_screenshot_widget (GtkWidget  *window,
                                     const char *name);

G_END_DECLS
