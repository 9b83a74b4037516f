/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include "ioc-queue-cell.h"

struct _IocQueueCell
{
  GtkWidget    parent_instance;

  char        *text;
  IocQueueCellTextFunc text_func;
  gpointer     text_data;
  gboolean     dirty;          /* the text is to be asked for again */
  PangoLayout *layout;         /* made when first drawn */
  guint        layout_serial;  /* of the Pango context it was made with */
  int          line_height;
  guint        height_serial;
};

G_DEFINE_FINAL_TYPE (IocQueueCell, ioc_queue_cell, GTK_TYPE_WIDGET)

/* A line's height per font: pango_context_get_metrics() loads the font's
 * metrics each time (a fifth of a millisecond for each of the 200 new
 * cells of the first frame), and a queue shows a handful of fonts. */
static GHashTable *line_heights;  /* PangoFontDescription → height, as a pointer */

int
ioc_queue_cell_get_line_height (GtkWidget *widget)
{
  PangoContext *context = gtk_widget_get_pango_context (widget);
  const PangoFontDescription *font = pango_context_get_font_description (context);
  gpointer value;
  PangoFontMetrics *metrics;
  int height;

  if (line_heights == NULL)
    line_heights = g_hash_table_new_full ((GHashFunc) pango_font_description_hash,
                                          (GEqualFunc) pango_font_description_equal,
                                          (GDestroyNotify) pango_font_description_free, NULL);
  if (g_hash_table_lookup_extended (line_heights, font, NULL, &value))
    return GPOINTER_TO_INT (value);

  metrics = pango_context_get_metrics (context, font, NULL);
  height = PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (metrics) + pango_font_metrics_get_descent (metrics));
  pango_font_metrics_unref (metrics);
  g_hash_table_insert (line_heights, pango_font_description_copy (font), GINT_TO_POINTER (height));
  return height;
}

void
ioc_queue_cell_append_layout (GtkWidget   *widget,
                              GtkSnapshot *snapshot,
                              PangoLayout *layout)
{
  PangoRectangle logical;
  GdkRGBA color;

  pango_layout_get_extents (layout, NULL, &logical);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
G_GNUC_END_IGNORE_DEPRECATIONS

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (0, (gtk_widget_get_height (widget) - PANGO_PIXELS (logical.height)) / 2));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

static int
line_height (IocQueueCell *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  guint serial = pango_context_get_serial (context);

  /* The font changes with the style (the text-scale setting, a theme). */
  if (self->height_serial != serial || self->line_height <= 0)
    {
      self->line_height = ioc_queue_cell_get_line_height (GTK_WIDGET (self));
      self->height_serial = serial;
    }
  return self->line_height;
}

static void
ioc_queue_cell_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  /* No text is laid out here: the column gives the width, the font the height. */
  if (orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = *natural = line_height (IOC_QUEUE_CELL (widget));
  else
    *minimum = *natural = 0;
}

static void
ioc_queue_cell_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  IocQueueCell *self = IOC_QUEUE_CELL (widget);
  PangoContext *context = gtk_widget_get_pango_context (widget);
  int width = gtk_widget_get_width (widget);

  if (self->dirty)
    {
      g_autofree char *text = self->text_func (self->text_data);

      self->dirty = FALSE;
      ioc_queue_cell_set_text (self, text);
    }
  if (self->text == NULL || *self->text == '\0' || width <= 0)
    return;

  if (self->layout == NULL || self->layout_serial != pango_context_get_serial (context))
    {
      g_clear_object (&self->layout);
      self->layout = gtk_widget_create_pango_layout (widget, self->text);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
      self->layout_serial = pango_context_get_serial (context);
    }
  pango_layout_set_width (self->layout, width * PANGO_SCALE);
  ioc_queue_cell_append_layout (widget, snapshot, self->layout);
}

static void
ioc_queue_cell_finalize (GObject *object)
{
  IocQueueCell *self = IOC_QUEUE_CELL (object);

  g_clear_object (&self->layout);
  g_free (self->text);

  G_OBJECT_CLASS (ioc_queue_cell_parent_class)->finalize (object);
}

static void
ioc_queue_cell_class_init (IocQueueCellClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = ioc_queue_cell_finalize;
  widget_class->measure = ioc_queue_cell_measure;
  widget_class->snapshot = ioc_queue_cell_snapshot;

  /* Styled as labels are: the theme's colours, dim-label and the like. */
  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
ioc_queue_cell_init (IocQueueCell *self)
{
}

GtkWidget *
ioc_queue_cell_new (void)
{
  return g_object_new (IOC_TYPE_QUEUE_CELL, NULL);
}

void
ioc_queue_cell_set_text (IocQueueCell *self,
                         const char   *text)
{
  g_return_if_fail (IOC_IS_QUEUE_CELL (self));

  if (text == NULL)
    text = "";
  if (g_strcmp0 (self->text, text) == 0)
    return;

  g_free (self->text);
  self->text = g_strdup (text);
  if (self->layout != NULL)
    pango_layout_set_text (self->layout, self->text, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->text, -1);
  /* The size does not depend on the text: drawing again is enough. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ioc_queue_cell_set_text_func (IocQueueCell         *self,
                              IocQueueCellTextFunc  func,
                              gpointer              data)
{
  g_return_if_fail (IOC_IS_QUEUE_CELL (self));

  self->text_func = func;
  self->text_data = data;
  ioc_queue_cell_invalidate (self);
}

void
ioc_queue_cell_invalidate (IocQueueCell *self)
{
  g_return_if_fail (IOC_IS_QUEUE_CELL (self));

  if (self->text_func == NULL)
    return;
  self->dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
ioc_queue_cell_get_text (IocQueueCell *self)
{
  g_return_val_if_fail (IOC_IS_QUEUE_CELL (self), NULL);

  if (self->dirty)
    {
      g_autofree char *text = self->text_func (self->text_data);

      self->dirty = FALSE;
      ioc_queue_cell_set_text (self, text);
    }

  return self->text ? self->text : "";
}
