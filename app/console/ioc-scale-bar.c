/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <math.h>

#include "ioc-scale-bar.h"

/* The map's scale: a bar as long as a round distance at the view's centre,
 * and that distance, in metres or kilometres.
 *
 * Drawn in its own snapshot at a size that never changes. A label (as
 * ShumateScale has) asks the whole window to be laid out again when its
 * text changes, which it does at every frame of a zoom: on the cairo
 * renderer under X that relayout, and the round trips to the X server
 * that a toplevel's relayout makes, cost 2.5-3 ms of each frame of the
 * map benchmark. */

#define BAR_WIDTH   140   /* px at most */
#define BAR_HEIGHT  6
#define EARTH_RADIUS_M 6378137.0

struct _IocScaleBar
{
  GtkWidget        parent_instance;

  ShumateViewport *viewport;
  PangoLayout     *layout;
  char             text[32];
  double           length_px;
};

G_DEFINE_FINAL_TYPE (IocScaleBar, ioc_scale_bar, GTK_TYPE_WIDGET)

/* The largest 1, 2 or 5 × 10ⁿ metres at most @metres. */
static double
round_distance (double metres)
{
  double power = pow (10.0, floor (log10 (metres)));

  if (metres >= 5 * power)
    return 5 * power;
  if (metres >= 2 * power)
    return 2 * power;
  return power;
}

static void
update (IocScaleBar *self)
{
  ShumateMapSource *source;
  double tile_size, metres_per_px, distance;
  double lat;

  self->text[0] = '\0';
  self->length_px = 0;
  if (self->viewport == NULL)
    return;

  source = shumate_viewport_get_reference_map_source (self->viewport);
  tile_size = source != NULL ? shumate_map_source_get_tile_size (source) : 256.0;
  lat = shumate_location_get_latitude (SHUMATE_LOCATION (self->viewport));
  metres_per_px = cos (lat * G_PI / 180.0) * 2 * G_PI * EARTH_RADIUS_M
                  / (tile_size * exp2 (shumate_viewport_get_zoom_level (self->viewport)));
  if (!(metres_per_px > 0))
    return;

  distance = round_distance (metres_per_px * BAR_WIDTH);
  self->length_px = distance / metres_per_px;
  if (distance >= 1000)
    g_snprintf (self->text, sizeof self->text, "%.0f km", distance / 1000);
  else
    g_snprintf (self->text, sizeof self->text, "%.0f m", MAX (1.0, distance));
}

static void
ioc_scale_bar_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  IocScaleBar *self = IOC_SCALE_BAR (widget);
  GdkRGBA colour;
  int text_height;
  double y;

  update (self);
  if (self->length_px <= 0)
    return;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &colour);
G_GNUC_END_IGNORE_DEPRECATIONS
  pango_layout_set_text (self->layout, self->text, -1);
  pango_layout_get_pixel_size (self->layout, NULL, &text_height);
  gtk_snapshot_append_layout (snapshot, self->layout, &colour);

  /* The bar under the text, with a tick at each end. */
  y = text_height + 2;
  gtk_snapshot_append_color (snapshot, &colour,
                             &GRAPHENE_RECT_INIT (0, y + BAR_HEIGHT - 2, round (self->length_px), 2));
  gtk_snapshot_append_color (snapshot, &colour, &GRAPHENE_RECT_INIT (0, y, 2, BAR_HEIGHT));
  gtk_snapshot_append_color (snapshot, &colour,
                             &GRAPHENE_RECT_INIT (round (self->length_px) - 2, y, 2, BAR_HEIGHT));
}

static void
ioc_scale_bar_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  IocScaleBar *self = IOC_SCALE_BAR (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = BAR_WIDTH;
  else
    {
      int text_height;

      /* A line of text whatever it says: the height never changes with it. */
      pango_layout_set_text (self->layout, "0 km", -1);
      pango_layout_get_pixel_size (self->layout, NULL, &text_height);
      *minimum = *natural = text_height + 2 + BAR_HEIGHT;
    }
}

static void
ioc_scale_bar_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  IocScaleBar *self = IOC_SCALE_BAR (widget);

  GTK_WIDGET_CLASS (ioc_scale_bar_parent_class)->css_changed (widget, change);
  pango_layout_context_changed (self->layout);
  gtk_widget_queue_resize (widget);
}

static void
ioc_scale_bar_dispose (GObject *object)
{
  IocScaleBar *self = IOC_SCALE_BAR (object);

  ioc_scale_bar_set_viewport (self, NULL);
  g_clear_object (&self->layout);

  G_OBJECT_CLASS (ioc_scale_bar_parent_class)->dispose (object);
}

static void
ioc_scale_bar_class_init (IocScaleBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_scale_bar_dispose;
  widget_class->snapshot = ioc_scale_bar_snapshot;
  widget_class->measure = ioc_scale_bar_measure;
  widget_class->css_changed = ioc_scale_bar_css_changed;

  gtk_widget_class_set_css_name (widget_class, "iocscalebar");
}

static void
ioc_scale_bar_init (IocScaleBar *self)
{
  self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
}

GtkWidget *
ioc_scale_bar_new (void)
{
  return g_object_new (IOC_TYPE_SCALE_BAR, NULL);
}

void
ioc_scale_bar_set_viewport (IocScaleBar     *self,
                            ShumateViewport *viewport)
{
  g_return_if_fail (IOC_IS_SCALE_BAR (self));
  g_return_if_fail (viewport == NULL || SHUMATE_IS_VIEWPORT (viewport));

  if (self->viewport == viewport)
    return;
  if (self->viewport != NULL)
    g_signal_handlers_disconnect_by_data (self->viewport, self);
  g_set_object (&self->viewport, viewport);
  if (viewport != NULL)
    g_signal_connect_object (viewport, "notify", G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
ioc_scale_bar_get_text (IocScaleBar *self,
                        double      *length_px)
{
  g_return_val_if_fail (IOC_IS_SCALE_BAR (self), NULL);

  update (self);
  if (length_px != NULL)
    *length_px = self->length_px;
  return self->text;
}
