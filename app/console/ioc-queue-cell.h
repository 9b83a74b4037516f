/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* One line of text in a queue cell, ellipsized at the end, styled as a
 * label. Unlike GtkLabel it lays the text out only when it is drawn: GTK
 * 4.8's list views keep some 200 rows of nine cells and measure every one
 * of them after a search changes their text, while only a screenful is
 * drawn. Its height is one line of its font; its width is the column's. */

#define IOC_TYPE_QUEUE_CELL (ioc_queue_cell_get_type ())
G_DECLARE_FINAL_TYPE (IocQueueCell, ioc_queue_cell, IOC, QUEUE_CELL, GtkWidget)

/* Gives the text to show (transfer full), asked only when the cell is
 * drawn after ioc_queue_cell_invalidate(): of the 200 rows a list view
 * keeps, a search changes every one, a screenful is drawn. */
typedef char *(*IocQueueCellTextFunc) (gpointer data);

GtkWidget  *ioc_queue_cell_new      (void);
void        ioc_queue_cell_set_text_func (IocQueueCell         *self,
                                          IocQueueCellTextFunc  func,
                                          gpointer              data);
void        ioc_queue_cell_invalidate    (IocQueueCell         *self);
void        ioc_queue_cell_set_text (IocQueueCell *self,
                                     const char   *text);
const char *ioc_queue_cell_get_text (IocQueueCell *self);

/* For the queue's other cells (IocStateLabel): one line of @widget's font,
 * its metrics loaded once per font, and @layout drawn at the widget's
 * start, centred on its height, in its colour. */
int         ioc_queue_cell_get_line_height (GtkWidget   *widget);
void        ioc_queue_cell_append_layout   (GtkWidget   *widget,
                                            GtkSnapshot *snapshot,
                                            PangoLayout *layout);

G_END_DECLS
