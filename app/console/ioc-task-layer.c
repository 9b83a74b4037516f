/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ioc-boundary-layer.h"
#include "ioc-task-layer.h"
#include "ioc-task-object.h"

/* Points and badges may reach this far beyond the view and still show. */
#define MARGIN_PX 32.0
/* A click this close to a point's edge still hits it. */
#define PICK_SLACK_PX 4.0

typedef struct {
  double   mx;           /* Mercator world units */
  double   my;
  double   x;            /* layer coordinates before the rotation, this frame */
  double   y;
  double   radius;
  gint64   id;           /* the task when count is 1 */
  guint    count;
  IocBBox  bbox;
  guint    state;
  guint    priority;
  gboolean overdue;
} Item;

/* Badge radii drawn, in whole pixels from this one up. */
#define BADGE_MIN_RADIUS 11.0
#define N_BADGE_SIZES    24

/* A wait for the next painted frame of a frame clock. */
typedef struct {
  GdkFrameClock *clock;
  gulong         handler;
} AfterPaint;

struct _IocTaskLayer
{
  ShumateLayer     parent_instance;

  GListModel      *model;
  GPtrArray       *mirror;      /* IocTaskObject, as the model lists them */
  GHashTable      *tasks;       /* id (as a pointer) → IocTaskObject (the mirror's) */
  IocSpatialIndex *index;
  gint64           selected;
  guint            overdue_timeout;
  /* A big list change waits for the whole list to be read again: after
   * the next frame is painted, then when the main loop is idle. */
  gboolean         reload_pending;
  AfterPaint       reload_wait;
  guint            reload_idle;
  /* A smaller change is drawn in the frame after the one it came in. */
  AfterPaint       redraw_wait;

  /* The clusters around the view, kept while the view pans inside them. */
  GArray          *items;       /* Item */
  gboolean         items_valid;
  guint            items_zoom;
  gint64           items_x0, items_y0, items_x1, items_y1;

  /* The looks, made once per style. */
  gboolean         looks_valid;
  int              looks_scale;
  gboolean         looks_cairo;   /* made for the cairo renderer */
  GdkRGBA          colors[IOC_N_TASK_STATES];
  GdkRGBA          outline;
  GdkRGBA          accent;
  /* Each a disc drawn at (0, 0), its size the node's bounds. */
  GskRenderNode   *point_discs[IOC_N_TASK_STATES][IOC_N_PRIORITIES][2];
  GskRenderNode   *badge_discs[IOC_N_TASK_STATES][N_BADGE_SIZES];
  GskRenderNode   *halo;
  double           halo_radius;
  GHashTable      *labels;      /* count × 2 + dark → Label */

  guint            n_drawn_points;
  guint            n_drawn_clusters;
};

G_DEFINE_FINAL_TYPE (IocTaskLayer, ioc_task_layer, SHUMATE_TYPE_LAYER)

/* The stylesheet's colours, for when it is not loaded (a bare test). */
static const char * const fallback_colors[IOC_N_TASK_STATES] = {
  [IOC_TASK_STATE_RECEIVED]     = "#3584e4",
  [IOC_TASK_STATE_VERIFIED]     = "#9141ac",
  [IOC_TASK_STATE_REJECTED]     = "#77767b",
  [IOC_TASK_STATE_DUPLICATE]    = "#9a9996",
  [IOC_TASK_STATE_FORWARDED]    = "#e5a50a",
  [IOC_TASK_STATE_ACKNOWLEDGED] = "#2190a4",
  [IOC_TASK_STATE_IN_PROGRESS]  = "#26a269",
  [IOC_TASK_STATE_RETURNED]     = "#ff7800",
  [IOC_TASK_STATE_RESOLVED]     = "#8ff0a4",
  [IOC_TASK_STATE_CLOSED]       = "#5e5c64",
};

static const double priority_radius[IOC_N_PRIORITIES] = {
  [IOC_PRIORITY_URGENT] = 8.0,
  [IOC_PRIORITY_HIGH]   = 6.5,
  [IOC_PRIORITY_NORMAL] = 5.0,
  [IOC_PRIORITY_LOW]    = 4.0,
};

void
ioc_task_layer_get_state_color (IocTaskLayer *self,
                                IocTaskState  state,
                                GdkRGBA      *color)
{
  g_autofree char *name = NULL;

  if (state < 0 || state >= IOC_N_TASK_STATES)
    state = IOC_TASK_STATE_CLOSED;
  name = g_strdup_printf ("ioc_state_%s", ioc_task_state_to_string (state));
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)), name, color))
G_GNUC_END_IGNORE_DEPRECATIONS
    gdk_rgba_parse (color, fallback_colors[state]);
}

static double
item_radius (const Item *item)
{
  if (item->count > 1)
    return 11.0 + 3.5 * log10 (item->count);
  return priority_radius[MIN (item->priority, IOC_N_PRIORITIES - 1)];
}

/* ---- Following the model ----------------------------------------------
 *
 * The layer keeps the model's items in order (to know which leave in an
 * items-changed) and finds them by id; the index holds each located task's
 * place and state. Nothing is connected to the 100,000 items themselves:
 * a task that changes in place is re-read when the map is told of it
 * (ioc_task_layer_update_task(), from the task events), and what a single
 * point shows beyond its state (priority, overdue) is read from the item
 * when the items around the view are asked for, again every
 * OVERDUE_REFRESH_S, as time makes tasks overdue.
 *
 * A change of more than BULK_CHANGE items (the queue's search narrowing
 * 100,000 tasks to a few thousand, or back) rebuilds the index in one go
 * from the whole list: cheaper than removing or inserting that many one
 * by one. It waits until the frame that shows the queue's new rows is
 * painted, then until the main loop is idle: typing in the search box, the operator
 * looks at the queue, and the map follows a frame later (50 ms of reading
 * the list and building the index for 20,000 tasks, 65 ms for 54,000,
 * taken out of the keystroke's frame). Until then the map shows the
 * points it had, and further changes of the list only wait for that
 * reading. */

#define BULK_CHANGE 2048
#define OVERDUE_REFRESH_S 30

static inline gpointer
id_key (gint64 id)
{
  return GSIZE_TO_POINTER ((gsize) id);
}

/* Where the index has the task now, from its item. */
static void
place (IocTaskLayer  *self,
       IocTaskObject *object)
{
  IocTask *task = ioc_task_object_get_task (object);

  if (task->has_location && ioc_geo_valid_lat_lon (task->lat, task->lon))
    ioc_spatial_index_insert (self->index, task->id, task->lat, task->lon, MAX (0, (int) task->state));
  else
    ioc_spatial_index_remove (self->index, task->id);
}

/* Indexes every item of the mirror in one go. */
static void
rebuild (IocTaskLayer *self)
{
  guint n = self->mirror->len;
  g_autofree IocClusterPoint *points = g_new (IocClusterPoint, MAX (n, 1u));
  g_autofree guint8 *kinds = g_new (guint8, MAX (n, 1u));
  guint n_points = 0;

  g_hash_table_remove_all (self->tasks);
  for (guint i = 0; i < n; i++)
    {
      IocTaskObject *object = g_ptr_array_index (self->mirror, i);
      IocTask *task = ioc_task_object_get_task (object);

      if (g_hash_table_contains (self->tasks, id_key (task->id)))
        continue;
      g_hash_table_insert (self->tasks, id_key (task->id), object);
      if (task->has_location && ioc_geo_valid_lat_lon (task->lat, task->lon))
        {
          points[n_points] = (IocClusterPoint) { task->lat, task->lon, task->id };
          kinds[n_points++] = MAX (0, (int) task->state);
        }
    }
  /* All at once: the index builds its tables in one pass. */
  ioc_spatial_index_load (self->index, points, kinds, n_points);
}

static void
track (IocTaskLayer  *self,
       IocTaskObject *object)
{
  gint64 id = ioc_task_object_get_id (object);
  IocTaskObject *known = g_hash_table_lookup (self->tasks, id_key (id));

  /* Another item with the same id: the first one counts. */
  if (known != NULL && known != object)
    return;
  if (known == NULL)
    g_hash_table_insert (self->tasks, id_key (id), object);
  /* Also when it was there: an item that the filter moves may have
   * changed. */
  place (self, object);
}

static void
untrack (IocTaskLayer  *self,
         IocTaskObject *object)
{
  gint64 id = ioc_task_object_get_id (object);

  if (g_hash_table_lookup (self->tasks, id_key (id)) != object)
    return;
  ioc_spatial_index_remove (self->index, id);
  g_hash_table_remove (self->tasks, id_key (id));
}

static void
changed (IocTaskLayer *self)
{
  self->items_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Ends a wait. A frame clock disposed with its window has dropped its
 * handlers already. */
static void
after_paint_cancel (AfterPaint *wait)
{
  if (wait->clock != NULL && wait->handler != 0 && g_signal_handler_is_connected (wait->clock, wait->handler))
    g_signal_handler_disconnect (wait->clock, wait->handler);
  wait->handler = 0;
  g_clear_object (&wait->clock);
}

/* Has @callback called once the layer's next frame is painted (it cancels
 * the wait); FALSE when the layer has no frame clock, not being on screen. */
static gboolean
after_paint_connect (IocTaskLayer *self,
                     AfterPaint   *wait,
                     GCallback     callback)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (clock == NULL)
    return FALSE;
  if (wait->clock == clock && g_signal_handler_is_connected (clock, wait->handler))
    return TRUE;
  after_paint_cancel (wait);
  wait->clock = g_object_ref (clock);
  wait->handler = g_signal_connect (clock, "after-paint", callback, self);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_AFTER_PAINT);
  return TRUE;
}

/* The queue's change and the map's are drawn in frames of their own. The
 * software renderer paints the box around a frame's damage: the queue on
 * one side and the map on the other made it the whole window, the
 * longest frames while the tasks load. So when the list changes, the
 * layer's new points wait for the frame that shows the queue's change to
 * be painted, and are drawn in the next one. */
static void
redraw_after_paint_cb (GdkFrameClock *clock,
                       IocTaskLayer  *self)
{
  after_paint_cancel (&self->redraw_wait);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
changed_next_frame (IocTaskLayer *self)
{
  self->items_valid = FALSE;
  if (!after_paint_connect (self, &self->redraw_wait, G_CALLBACK (redraw_after_paint_cb)))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Reads the whole list into the mirror and indexes it. */
static void
reload (IocTaskLayer *self)
{
  guint n = g_list_model_get_n_items (self->model);

  g_ptr_array_set_size (self->mirror, 0);
  g_ptr_array_set_size (self->mirror, n);
  for (guint i = 0; i < n; i++)
    self->mirror->pdata[i] = g_list_model_get_item (self->model, i);
  rebuild (self);
}

static void
cancel_reload (IocTaskLayer *self)
{
  after_paint_cancel (&self->reload_wait);
  g_clear_handle_id (&self->reload_idle, g_source_remove);
  self->reload_pending = FALSE;
}

static gboolean
reload_idle_cb (gpointer data)
{
  IocTaskLayer *self = data;

  self->reload_idle = 0;
  cancel_reload (self);
  reload (self);
  changed (self);
  return G_SOURCE_REMOVE;
}

static void
reload_after_paint_cb (GdkFrameClock *clock,
                       IocTaskLayer  *self)
{
  after_paint_cancel (&self->reload_wait);
  if (self->reload_idle == 0)
    self->reload_idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, reload_idle_cb, self, NULL);
}

static void
schedule_reload (IocTaskLayer *self)
{
  self->reload_pending = TRUE;
  /* The frame that shows the queue's rows comes first, without this
   * layer; not on screen, there is no frame to wait for. */
  if (!after_paint_connect (self, &self->reload_wait, G_CALLBACK (reload_after_paint_cb)))
    self->reload_idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, reload_idle_cb, self, NULL);
}

static void
on_items_changed_cb (GListModel   *model,
                     guint         position,
                     guint         removed,
                     guint         added,
                     IocTaskLayer *self)
{
  g_autoptr(GPtrArray) arriving = NULL;
  g_autoptr(GPtrArray) leaving = NULL;
  g_autoptr(GHashTable) staying = NULL;

  /* The whole list is read again soon: nothing to follow until then. */
  if (self->reload_pending)
    return;
  if (removed + added > BULK_CHANGE && removed + added > (self->mirror->len - removed + added) / 4)
    {
      schedule_reload (self);
      return;
    }

  arriving = g_ptr_array_new_full (added, g_object_unref);
  leaving = g_ptr_array_new_full (removed, g_object_unref);
  for (guint i = 0; i < added; i++)
    g_ptr_array_add (arriving, g_list_model_get_item (model, position + i));

  /* Spliced in one move of the tail, not one per row: a search that
   * brings back tens of thousands of rows would move the tail each time.
   * The leaving items are released last: they are still looked at. */
  for (guint i = 0; i < removed; i++)
    g_ptr_array_add (leaving, g_object_ref (g_ptr_array_index (self->mirror, position + i)));
  g_ptr_array_remove_range (self->mirror, position, removed);
  if (added > 0)
    {
      guint tail = self->mirror->len - position;

      g_ptr_array_set_size (self->mirror, self->mirror->len + added);
      memmove (&self->mirror->pdata[position + added], &self->mirror->pdata[position],
               tail * sizeof (gpointer));
      for (guint i = 0; i < added; i++)
        self->mirror->pdata[position + i] = g_object_ref (g_ptr_array_index (arriving, i));
    }

  /* A task that the filter moves (removed here, added there) stays put. */
  staying = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < added; i++)
    g_hash_table_add (staying, g_ptr_array_index (arriving, i));
  for (guint i = 0; i < leaving->len; i++)
    if (!g_hash_table_contains (staying, g_ptr_array_index (leaving, i)))
      untrack (self, g_ptr_array_index (leaving, i));
  for (guint i = 0; i < arriving->len; i++)
    track (self, g_ptr_array_index (arriving, i));
  changed_next_frame (self);
}

static gboolean
overdue_refresh_cb (gpointer data)
{
  IocTaskLayer *self = data;

  /* Only the single points show it, read when the items are asked for. */
  changed (self);
  return G_SOURCE_CONTINUE;
}

static void
clear_model (IocTaskLayer *self)
{
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed_cb, self);
  g_clear_object (&self->model);
  g_clear_handle_id (&self->overdue_timeout, g_source_remove);
  cancel_reload (self);
  after_paint_cancel (&self->redraw_wait);

  g_hash_table_remove_all (self->tasks);
  g_ptr_array_set_size (self->mirror, 0);
  ioc_spatial_index_clear (self->index);
  self->items_valid = FALSE;
}

void
ioc_task_layer_set_model (IocTaskLayer *self,
                          GListModel   *tasks)
{

  g_return_if_fail (IOC_IS_TASK_LAYER (self));
  g_return_if_fail (tasks == NULL || G_IS_LIST_MODEL (tasks));

  if (self->model == tasks)
    return;

  clear_model (self);
  if (tasks == NULL)
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }

  self->model = g_object_ref (tasks);
  reload (self);
  g_signal_connect (tasks, "items-changed", G_CALLBACK (on_items_changed_cb), self);
  self->overdue_timeout = g_timeout_add_seconds (OVERDUE_REFRESH_S, overdue_refresh_cb, self);
  changed (self);
}

void
ioc_task_layer_update_task (IocTaskLayer *self,
                            gint64        id)
{
  IocTaskObject *object;

  g_return_if_fail (IOC_IS_TASK_LAYER (self));

  object = g_hash_table_lookup (self->tasks, id_key (id));
  if (object == NULL)
    return;
  place (self, object);
  changed_next_frame (self);
}

/* ---- What is drawn ----------------------------------------------------
 *
 * Clusters are fixed to the world grid of their integer zoom, so the list
 * asked of the index stays right while the map pans at that zoom: it is
 * kept, with a margin around the view, until the view leaves the margin,
 * the integer zoom changes or a task changes. Each frame then only places
 * the kept items.
 *
 * The looks are few (state × priority × overdue for points, state × size
 * for badges), each a render node made once and placed where it shows;
 * the count labels are text nodes made once per count. On the GL
 * renderer a look is a texture node (uploaded once). GTK 4.8's cairo
 * renderer would copy a texture's pixels into a new surface at every
 * draw (on a badge, 16 µs): there a look is a cairo node that paints an
 * image surface made once, which costs the renderer a small surface and
 * two composites (at zooms 12 and 13, where the map draws the most
 * badges, about 1 ms less a frame in the map benchmark). Badges, their labels and the points are drawn
 * each in one run, so that the renderer draws each run in a few batches
 * instead of switching between discs and glyphs at every badge. */

/* The cells of IOC_CLUSTER_CELL_PX at @zoom that @bbox meets, as the index
 * counts them (its north-west and south-east corners). */
static void
bbox_cells (const IocBBox *bbox,
            guint          zoom,
            gint64        *x0,
            gint64        *y0,
            gint64        *x1,
            gint64        *y1)
{
  ioc_cluster_cell_for (bbox->max_lat, bbox->min_lon, zoom, IOC_CLUSTER_CELL_PX, x0, y0);
  ioc_cluster_cell_for (bbox->min_lat, bbox->max_lon, zoom, IOC_CLUSTER_CELL_PX, x1, y1);
}

static void
query_items (IocTaskLayer  *self,
             const IocBBox *bbox,
             guint          zoom)
{
  g_autoptr(GArray) clusters = NULL;
  g_autoptr(GArray) kinds = NULL;

  g_array_set_size (self->items, 0);
  clusters = ioc_spatial_index_query_clusters (self->index, bbox, zoom, &kinds);
  g_array_set_size (self->items, clusters->len);

  for (guint i = 0; i < clusters->len; i++)
    {
      const IocCluster *cluster = &g_array_index (clusters, IocCluster, i);
      Item *item = &g_array_index (self->items, Item, i);

      *item = (Item) { 0 };
      ioc_mercator_from_lat_lon (cluster->lat, cluster->lon, &item->mx, &item->my);
      item->count = cluster->count;
      item->bbox = cluster->bbox;
      item->id = cluster->id;

      if (cluster->count == 1)
        {
          IocTaskObject *object = g_hash_table_lookup (self->tasks, id_key (cluster->id));
          IocTask *task = object != NULL ? ioc_task_object_get_task (object) : NULL;

          item->state = task != NULL ? CLAMP (task->state, 0, IOC_N_TASK_STATES - 1) : IOC_TASK_STATE_RECEIVED;
          item->priority = task != NULL ? CLAMP (task->priority, 0, IOC_N_PRIORITIES - 1) : IOC_PRIORITY_NORMAL;
          item->overdue = object != NULL && ioc_task_object_get_overdue (object);
        }
      else
        {
          const IocKindCounts *counts = &g_array_index (kinds, IocKindCounts, i);
          guint best = 0;

          for (guint k = 0; k < IOC_N_TASK_STATES; k++)
            if (counts->count[k] > counts->count[best])
              best = k;
          item->state = best;
          item->priority = IOC_PRIORITY_NORMAL;
        }
      item->radius = item_radius (item);
    }
}

/* The items around the view of @t, in world units; valid until the next
 * call or model change. */
static GArray *
get_items (IocTaskLayer          *self,
           const IocMapTransform *t)
{
  IocBBox view, wide;
  gint64 x0, y0, x1, y1;
  guint zoom;

  if (ioc_spatial_index_get_size (self->index) == 0 || t->width <= 0 || t->height <= 0)
    {
      g_array_set_size (self->items, 0);
      self->items_valid = FALSE;
      return self->items;
    }

  ioc_map_transform_visible_bbox (t, MARGIN_PX, &view.min_lat, &view.min_lon, &view.max_lat, &view.max_lon);
  zoom = (guint) CLAMP (floor (t->zoom), 0, IOC_CLUSTER_MAX_ZOOM);
  bbox_cells (&view, zoom, &x0, &y0, &x1, &y1);

  if (self->items_valid && self->items_zoom == zoom &&
      x0 >= self->items_x0 && y0 >= self->items_y0 && x1 <= self->items_x1 && y1 <= self->items_y1)
    return self->items;

  /* Half a view more on each side: the next frames of a pan need nothing
   * new. */
  ioc_map_transform_visible_bbox (t, MARGIN_PX + MAX (t->width, t->height) / 2.0,
                                  &wide.min_lat, &wide.min_lon, &wide.max_lat, &wide.max_lon);
  query_items (self, &wide, zoom);
  bbox_cells (&wide, zoom, &self->items_x0, &self->items_y0, &self->items_x1, &self->items_y1);
  self->items_zoom = zoom;
  self->items_valid = TRUE;
  return self->items;
}

/* Places @item for the frame of @t: whether it shows within @reach_x,
 * @reach_y of the centre (the view's half size, or its half diagonal when
 * the view is rotated). */
static gboolean
place_item (Item                  *item,
            const IocMapTransform *t,
            double                 reach_x,
            double                 reach_y)
{
  double r = item->radius + 3.0;

  item->x = item->mx * t->scale - t->offset_x;
  item->y = item->my * t->scale - t->offset_y;
  return fabs (item->x - t->width / 2.0) <= reach_x + r && fabs (item->y - t->height / 2.0) <= reach_y + r;
}

static GskRenderNode *
make_disc (int            scale,
           gboolean       cairo,
           const GdkRGBA *fill,
           double         radius,
           const GdkRGBA *ring,
           double         ring_width)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  int size = (int) ceil ((radius + ring_width + 1.0) * 2.0 * scale);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, size / (double) scale, size / (double) scale);
  GskRenderNode *node;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, size, size);
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  cairo_arc (cr, size / 2.0 / scale, size / 2.0 / scale, radius, 0, 2 * G_PI);
  gdk_cairo_set_source_rgba (cr, fill);
  cairo_fill_preserve (cr);
  if (ring_width > 0)
    {
      cairo_set_line_width (cr, ring_width);
      gdk_cairo_set_source_rgba (cr, ring);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  if (cairo)
    {
      node = gsk_cairo_node_new (&bounds);
      cr = gsk_cairo_node_get_draw_context (node);
      cairo_scale (cr, 1.0 / scale, 1.0 / scale);
      cairo_set_source_surface (cr, surface, 0, 0);
      cairo_paint (cr);
      cairo_destroy (cr);
    }
  else
    {
      g_autoptr(GdkTexture) texture = ioc_map_texture_new_for_surface (surface);

      node = gsk_texture_node_new (texture, &bounds);
    }
  cairo_surface_destroy (surface);
  return node;
}

static void
clear_looks (IocTaskLayer *self)
{
  for (guint s = 0; s < IOC_N_TASK_STATES; s++)
    {
      for (guint p = 0; p < IOC_N_PRIORITIES; p++)
        for (guint o = 0; o < 2; o++)
          g_clear_pointer (&self->point_discs[s][p][o], gsk_render_node_unref);
      for (guint r = 0; r < N_BADGE_SIZES; r++)
        g_clear_pointer (&self->badge_discs[s][r], gsk_render_node_unref);
    }
  g_clear_pointer (&self->halo, gsk_render_node_unref);
  g_hash_table_remove_all (self->labels);
  self->looks_valid = FALSE;
}

/* The colours of the stylesheet, read once per style change. */
static void
ensure_looks (IocTaskLayer *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int scale = gtk_widget_get_scale_factor (widget);
  gboolean cairo = ioc_map_renderer_is_cairo (widget);

  if (self->looks_valid && self->looks_scale == scale && self->looks_cairo == cairo)
    return;

  clear_looks (self);
  for (guint s = 0; s < IOC_N_TASK_STATES; s++)
    ioc_task_layer_get_state_color (self, s, &self->colors[s]);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "view_bg_color", &self->outline))
    self->outline = (GdkRGBA) { 0.12, 0.12, 0.12, 1 };
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "accent_color", &self->accent))
    gdk_rgba_parse (&self->accent, "#78aeed");
G_GNUC_END_IGNORE_DEPRECATIONS
  self->outline.alpha = 0.9;
  self->looks_scale = scale;
  self->looks_cairo = cairo;
  self->looks_valid = TRUE;
}

static GskRenderNode *
get_point_disc (IocTaskLayer *self,
                guint         state,
                guint         priority,
                gboolean      overdue)
{
  GskRenderNode **slot = &self->point_discs[state][priority][overdue ? 1 : 0];

  if (*slot == NULL)
    {
      GdkRGBA red;

      gdk_rgba_parse (&red, "#e01b24");
      *slot = make_disc (self->looks_scale, self->looks_cairo, &self->colors[state], priority_radius[priority],
                         overdue ? &red : &self->outline, overdue ? 2.5 : 1.5);
    }
  return *slot;
}

static GskRenderNode *
get_badge_disc (IocTaskLayer *self,
                guint         state,
                double        radius,
                double       *drawn_radius)
{
  guint size = (guint) CLAMP (round (radius) - BADGE_MIN_RADIUS, 0, N_BADGE_SIZES - 1);
  GskRenderNode **slot = &self->badge_discs[state][size];

  *drawn_radius = BADGE_MIN_RADIUS + size;
  if (*slot == NULL)
    {
      GdkRGBA fill = self->colors[state];

      fill.alpha = 0.9;
      *slot = make_disc (self->looks_scale, self->looks_cairo, &fill, *drawn_radius, &self->outline, 2.0);
    }
  return *slot;
}

static GskRenderNode *
get_halo (IocTaskLayer *self,
          double        radius)
{
  /* Made for the priority of the selected task; remade when it differs. */
  if (self->halo == NULL || self->halo_radius != radius)
    {
      GdkRGBA clear = { 0, 0, 0, 0 };

      g_clear_pointer (&self->halo, gsk_render_node_unref);
      self->halo = make_disc (self->looks_scale, self->looks_cairo, &clear, radius + 7.0, &self->accent, 3.0);
      self->halo_radius = radius;
    }
  return self->halo;
}

static void
append_disc (GtkSnapshot   *snapshot,
             GskRenderNode *disc,
             double         x,
             double         y)
{
  graphene_rect_t bounds;

  /* On whole pixels, as the disc was drawn: sharp, and the cairo
   * renderer copies it rather than resampling it. */
  gsk_render_node_get_bounds (disc, &bounds);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x - bounds.size.width / 2.0),
                                                          round (y - bounds.size.height / 2.0)));
  gtk_snapshot_append_node (snapshot, disc);
  gtk_snapshot_restore (snapshot);
}

typedef struct {
  GskRenderNode *node;
  int            width;
  int            height;
} Label;

static void
label_free (gpointer data)
{
  Label *label = data;

  gsk_render_node_unref (label->node);
  g_free (label);
}

/* The count as a text node at (0, 0), made once per count and colour. */
static const Label *
get_label (IocTaskLayer *self,
           guint         count,
           gboolean      dark)
{
  gpointer key = GUINT_TO_POINTER (count * 2 + (dark ? 1 : 0));
  Label *label = g_hash_table_lookup (self->labels, key);

  if (label == NULL)
    {
      static const GdkRGBA white = { 1, 1, 1, 1 }, ink = { 0.14, 0.12, 0.19, 1 };
      char text[16];
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
      g_autoptr(PangoLayout) layout = NULL;
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      if (g_hash_table_size (self->labels) > 4096)
        g_hash_table_remove_all (self->labels);
      g_snprintf (text, sizeof text, "%u", count);
      layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
      pango_layout_set_attributes (layout, attrs);

      label = g_new0 (Label, 1);
      pango_layout_get_pixel_size (layout, &label->width, &label->height);
      gtk_snapshot_append_layout (snapshot, layout, dark ? &ink : &white);
      label->node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (label->node == NULL)
        label->node = gsk_container_node_new (NULL, 0);
      g_hash_table_insert (self->labels, key, label);
    }
  return label;
}

static void
ioc_task_layer_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  IocTaskLayer *self = IOC_TASK_LAYER (widget);
  GArray *items;
  IocMapTransform t;
  double reach_x, reach_y;
  g_autofree guint *visible = NULL;
  guint n_visible = 0;

  self->n_drawn_points = self->n_drawn_clusters = 0;
  ioc_map_transform_init (&t, SHUMATE_LAYER (self));
  items = get_items (self, &t);
  if (items->len == 0 && self->selected == 0)
    return;

  ensure_looks (self);
  reach_x = t.rotation != 0.0 ? hypot (t.width, t.height) / 2.0 : t.width / 2.0;
  reach_y = t.rotation != 0.0 ? hypot (t.width, t.height) / 2.0 : t.height / 2.0;

  /* The kept items that are in view, placed for this frame. */
  visible = g_new (guint, MAX (items->len, 1u));
  for (guint i = 0; i < items->len; i++)
    if (place_item (&g_array_index (items, Item, i), &t, reach_x, reach_y))
      visible[n_visible++] = i;

  ioc_map_transform_push_rotation (&t, snapshot);

  /* Badges below, their counts over all of them, single tasks on top. */
  for (guint v = 0; v < n_visible; v++)
    {
      const Item *item = &g_array_index (items, Item, visible[v]);
      double radius;

      if (item->count < 2)
        continue;
      append_disc (snapshot, get_badge_disc (self, item->state, item->radius, &radius), item->x, item->y);
      self->n_drawn_clusters++;
    }
  for (guint v = 0; v < n_visible; v++)
    {
      const Item *item = &g_array_index (items, Item, visible[v]);
      const GdkRGBA *fill;
      const Label *label;

      if (item->count < 2)
        continue;
      fill = &self->colors[item->state];
      label = get_label (self, item->count, 0.2126 * fill->red + 0.7152 * fill->green + 0.0722 * fill->blue > 0.5);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (item->x - label->width / 2.0),
                                                              round (item->y - label->height / 2.0)));
      gtk_snapshot_append_node (snapshot, label->node);
      gtk_snapshot_restore (snapshot);
    }
  for (guint v = 0; v < n_visible; v++)
    {
      const Item *item = &g_array_index (items, Item, visible[v]);

      if (item->count != 1)
        continue;
      append_disc (snapshot, get_point_disc (self, item->state, item->priority, item->overdue), item->x, item->y);
      self->n_drawn_points++;
    }

  if (self->selected != 0)
    {
      IocTaskObject *object = g_hash_table_lookup (self->tasks, id_key (self->selected));
      double lat, lon;

      if (object != NULL && ioc_spatial_index_lookup (self->index, self->selected, &lat, &lon))
        {
          IocTask *task = ioc_task_object_get_task (object);
          double mx, my, x, y;
          guint priority = CLAMP (task->priority, 0, IOC_N_PRIORITIES - 1);

          ioc_mercator_from_lat_lon (lat, lon, &mx, &my);
          x = mx * t.scale - t.offset_x;
          y = my * t.scale - t.offset_y;
          /* The task itself on top, even inside a badge, with a halo. */
          append_disc (snapshot, get_halo (self, priority_radius[priority]), x, y);
          append_disc (snapshot,
                       get_point_disc (self, CLAMP (task->state, 0, IOC_N_TASK_STATES - 1), priority,
                                       ioc_task_object_get_overdue (object)),
                       x, y);
        }
    }

  gtk_snapshot_restore (snapshot);
}

static void
ioc_task_layer_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  IocTaskLayer *self = IOC_TASK_LAYER (widget);

  GTK_WIDGET_CLASS (ioc_task_layer_parent_class)->css_changed (widget, change);
  clear_looks (self);
  gtk_widget_queue_draw (widget);
}

static void
ioc_task_layer_constructed (GObject *object)
{
  IocTaskLayer *self = IOC_TASK_LAYER (object);

  G_OBJECT_CLASS (ioc_task_layer_parent_class)->constructed (object);

  g_signal_connect_object (shumate_layer_get_viewport (SHUMATE_LAYER (self)), "notify",
                           G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
}

static void
ioc_task_layer_dispose (GObject *object)
{
  IocTaskLayer *self = IOC_TASK_LAYER (object);

  clear_model (self);

  G_OBJECT_CLASS (ioc_task_layer_parent_class)->dispose (object);
}

static void
ioc_task_layer_finalize (GObject *object)
{
  IocTaskLayer *self = IOC_TASK_LAYER (object);

  g_clear_pointer (&self->tasks, g_hash_table_unref);
  g_clear_pointer (&self->mirror, g_ptr_array_unref);
  g_clear_pointer (&self->index, ioc_spatial_index_free);
  clear_looks (self);
  g_clear_pointer (&self->labels, g_hash_table_unref);
  g_clear_pointer (&self->items, g_array_unref);

  G_OBJECT_CLASS (ioc_task_layer_parent_class)->finalize (object);
}

static void
ioc_task_layer_class_init (IocTaskLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ioc_task_layer_constructed;
  object_class->dispose = ioc_task_layer_dispose;
  object_class->finalize = ioc_task_layer_finalize;
  widget_class->snapshot = ioc_task_layer_snapshot;
  widget_class->css_changed = ioc_task_layer_css_changed;

  gtk_widget_class_set_css_name (widget_class, "ioctasklayer");
}

static void
ioc_task_layer_init (IocTaskLayer *self)
{
  self->mirror = g_ptr_array_new_with_free_func (g_object_unref);
  self->tasks = g_hash_table_new (NULL, NULL);
  self->index = ioc_spatial_index_new ();
  self->items = g_array_new (FALSE, FALSE, sizeof (Item));
  self->labels = g_hash_table_new_full (NULL, NULL, NULL, label_free);
}

IocTaskLayer *
ioc_task_layer_new (ShumateViewport *viewport)
{
  g_return_val_if_fail (SHUMATE_IS_VIEWPORT (viewport), NULL);

  return g_object_new (IOC_TYPE_TASK_LAYER, "viewport", viewport, NULL);
}

void
ioc_task_layer_set_selected (IocTaskLayer *self,
                             gint64        id)
{
  g_return_if_fail (IOC_IS_TASK_LAYER (self));

  if (self->selected == id)
    return;
  self->selected = id;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gint64
ioc_task_layer_get_selected (IocTaskLayer *self)
{
  g_return_val_if_fail (IOC_IS_TASK_LAYER (self), 0);

  return self->selected;
}

IocTaskLayerHit
ioc_task_layer_pick (IocTaskLayer *self,
                     double        x,
                     double        y,
                     gint64       *id,
                     IocBBox      *bbox)
{
  GArray *items;
  IocMapTransform t;
  const Item *best = NULL;
  double best_d = G_MAXDOUBLE;

  g_return_val_if_fail (IOC_IS_TASK_LAYER (self), IOC_TASK_LAYER_HIT_NONE);

  ioc_map_transform_init (&t, SHUMATE_LAYER (self));
  /* Into the unrotated frame the items are laid out in. */
  if (t.rotation != 0.0)
    {
      double dx = x - t.width / 2.0, dy = y - t.height / 2.0;

      x = cos (-t.rotation) * dx - sin (-t.rotation) * dy + t.width / 2.0;
      y = sin (-t.rotation) * dx + cos (-t.rotation) * dy + t.height / 2.0;
    }

  items = get_items (self, &t);
  /* A single task drawn over a badge wins; else the nearest. */
  for (guint pass = 0; pass < 2 && best == NULL; pass++)
    for (guint i = 0; i < items->len; i++)
      {
        const Item *item = &g_array_index (items, Item, i);
        double d = hypot (item->mx * t.scale - t.offset_x - x, item->my * t.scale - t.offset_y - y);

        if ((pass == 0) != (item->count == 1))
          continue;
        if (d <= item->radius + PICK_SLACK_PX && d < best_d)
          {
            best = item;
            best_d = d;
          }
      }

  if (best == NULL)
    return IOC_TASK_LAYER_HIT_NONE;
  if (best->count == 1)
    {
      if (id != NULL)
        *id = best->id;
      return IOC_TASK_LAYER_HIT_TASK;
    }
  if (bbox != NULL)
    *bbox = best->bbox;
  return IOC_TASK_LAYER_HIT_CLUSTER;
}

gboolean
ioc_task_layer_get_location (IocTaskLayer *self,
                             gint64        id,
                             double       *lat,
                             double       *lon)
{
  g_return_val_if_fail (IOC_IS_TASK_LAYER (self), FALSE);

  return ioc_spatial_index_lookup (self->index, id, lat, lon);
}

gboolean
ioc_task_layer_get_task_color (IocTaskLayer *self,
                               gint64        id,
                               GdkRGBA      *color)
{
  IocTaskObject *object;

  g_return_val_if_fail (IOC_IS_TASK_LAYER (self), FALSE);

  object = g_hash_table_lookup (self->tasks, id_key (id));
  if (object == NULL || !ioc_spatial_index_lookup (self->index, id, NULL, NULL))
    return FALSE;
  ioc_task_layer_get_state_color (self, ioc_task_object_get_task (object)->state, color);
  return TRUE;
}

guint
ioc_task_layer_get_n_tasks (IocTaskLayer *self)
{
  g_return_val_if_fail (IOC_IS_TASK_LAYER (self), 0);

  return ioc_spatial_index_get_size (self->index);
}

guint
ioc_task_layer_get_n_drawn_points (IocTaskLayer *self)
{
  g_return_val_if_fail (IOC_IS_TASK_LAYER (self), 0);

  return self->n_drawn_points;
}

guint
ioc_task_layer_get_n_drawn_clusters (IocTaskLayer *self)
{
  g_return_val_if_fail (IOC_IS_TASK_LAYER (self), 0);

  return self->n_drawn_clusters;
}

IocSpatialIndex *
ioc_task_layer_get_index (IocTaskLayer *self)
{
  g_return_val_if_fail (IOC_IS_TASK_LAYER (self), NULL);

  return self->index;
}
