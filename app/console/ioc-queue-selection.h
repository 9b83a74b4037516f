/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-task-object.h"

G_BEGIN_DECLS

/* What the queue's column view shows: one IocQueueRow per position of a
 * list of tasks, and the selection, kept by task.
 *
 * GTK 4.8's list views drop the widgets of every row whose item leaves the
 * model and build new ones for the items that come in: a search that
 * changes the first screen rebuilt some 130 rows of nine cells, and when
 * the top row left, looked at every added item to find where it went.
 * Here a row stays the same object at its position and only the task it
 * shows changes (the row notifies "task"); the model announces only the
 * rows added or removed at its end. The selection follows the tasks, not
 * the positions, across filtering, sorting and live updates. */

#define IOC_TYPE_QUEUE_ROW (ioc_queue_row_get_type ())
G_DECLARE_FINAL_TYPE (IocQueueRow, ioc_queue_row, IOC, QUEUE_ROW, GObject)

/* The task shown at the row's position now (borrowed), or NULL. */
IocTaskObject *ioc_queue_row_get_task (IocQueueRow *self);
/* A bound cell shows the row: while held, the row also notifies "task"
 * when its task's own properties change. */
void           ioc_queue_row_hold     (IocQueueRow *self);
void           ioc_queue_row_release  (IocQueueRow *self);

#define IOC_TYPE_QUEUE_SELECTION (ioc_queue_selection_get_type ())
G_DECLARE_FINAL_TYPE (IocQueueSelection, ioc_queue_selection, IOC, QUEUE_SELECTION, GObject)

/* @tasks: IocTaskObject items. */
IocQueueSelection *ioc_queue_selection_new          (GListModel        *tasks);
/* The task at @position, or NULL (transfer full). */
IocTaskObject     *ioc_queue_selection_get_task     (IocQueueSelection *self,
                                                     guint              position);
/* The task selected when exactly one is (borrowed), or NULL. */
IocTaskObject     *ioc_queue_selection_get_lone_selected (IocQueueSelection *self);
/* The selected tasks in list order (transfer container, items referenced). */
GPtrArray         *ioc_queue_selection_get_selected (IocQueueSelection *self);
/* Growing from few rows to many, the list view sees
 * IOC_QUEUE_SELECTION_REVEAL_STEP more rows per call (one a frame) until it
 * has IOC_QUEUE_SELECTION_REVEAL_ALL, then all of them: building 200 rows
 * of cells in one frame stalled the window for over 100 ms, and 32 rows
 * took 27-42 ms of a frame (GTK makes ten widgets a row, each with its
 * controllers). Eight rows take 3-14 ms; the first screen of rows fills
 * in five frames. */
#define IOC_QUEUE_SELECTION_REVEAL_STEP 8
#define IOC_QUEUE_SELECTION_REVEAL_ALL  256
gboolean           ioc_queue_selection_get_revealing (IocQueueSelection *self);
/* Returns whether rows remain to be revealed. */
gboolean           ioc_queue_selection_reveal_more  (IocQueueSelection *self);

G_END_DECLS
