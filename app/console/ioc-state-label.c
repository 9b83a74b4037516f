/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include "ioc-queue-cell.h"
#include "ioc-state-label.h"

/* The queue keeps some 200 rows, each with two of these, and a search
 * rebinds every one of them. A GtkLabel lays its new text out to be
 * measured: 400 texts shaped in the frame that shows the search, where
 * the pills say one of a few dozen things. So the size of a text is kept
 * per font and measured once, and the text is laid out only to be drawn. */

struct _IocStateLabel
{
  GtkWidget    parent_instance;

  char        *label;
  char        *state_class;
  gboolean     overdue;
  PangoLayout *layout;         /* made when first drawn */
  guint        layout_serial;  /* of the Pango context it was made with */
  gboolean     layout_stale;   /* the text changed since */
};

G_DEFINE_FINAL_TYPE (IocStateLabel, ioc_state_label, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LABEL,
  PROP_STATE_CLASS,
  PROP_OVERDUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- Widths, per font ---------------------------------------------------- */

/* Enough for the states, and the times left of the rows kept, many times. */
#define MAX_WIDTHS_PER_FONT 4096

static GHashTable *font_widths;  /* PangoFontDescription → (text → width in pixels, as a pointer) */

static int
text_width (IocStateLabel *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  const PangoFontDescription *font = pango_context_get_font_description (context);
  GHashTable *widths;
  gpointer value;
  int width;

  if (font_widths == NULL)
    font_widths = g_hash_table_new_full ((GHashFunc) pango_font_description_hash,
                                         (GEqualFunc) pango_font_description_equal,
                                         (GDestroyNotify) pango_font_description_free,
                                         (GDestroyNotify) g_hash_table_unref);
  widths = g_hash_table_lookup (font_widths, font);
  if (widths == NULL)
    {
      widths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (font_widths, pango_font_description_copy (font), widths);
    }
  if (g_hash_table_lookup_extended (widths, self->label, NULL, &value))
    return GPOINTER_TO_INT (value);

  /* Laid out as it will be drawn: with the style's features (tabular
   * figures) as well as its font. */
  {
    g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->label);

    pango_layout_get_pixel_size (layout, &width, NULL);
  }
  if (g_hash_table_size (widths) >= MAX_WIDTHS_PER_FONT)
    g_hash_table_remove_all (widths);
  g_hash_table_insert (widths, g_strdup (self->label), GINT_TO_POINTER (width));
  return width;
}

static void
ioc_state_label_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  IocStateLabel *self = IOC_STATE_LABEL (widget);

  if (self->label == NULL || *self->label == '\0')
    *minimum = *natural = 0;
  else if (orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = *natural = ioc_queue_cell_get_line_height (widget);
  else
    *minimum = *natural = text_width (self);
}

static void
ioc_state_label_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  IocStateLabel *self = IOC_STATE_LABEL (widget);
  PangoContext *context = gtk_widget_get_pango_context (widget);

  if (self->label == NULL || *self->label == '\0')
    return;

  if (self->layout == NULL || self->layout_serial != pango_context_get_serial (context))
    {
      g_clear_object (&self->layout);
      self->layout = gtk_widget_create_pango_layout (widget, self->label);
      self->layout_serial = pango_context_get_serial (context);
      self->layout_stale = FALSE;
    }
  else if (self->layout_stale)
    {
      pango_layout_set_text (self->layout, self->label, -1);
      self->layout_stale = FALSE;
    }
  ioc_queue_cell_append_layout (widget, snapshot, self->layout);
}

static void
ioc_state_label_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  IocStateLabel *self = IOC_STATE_LABEL (widget);

  GTK_WIDGET_CLASS (ioc_state_label_parent_class)->css_changed (widget, change);
  /* Another font, or other features: laid out again when drawn. The
   * sizes are kept per font. */
  g_clear_object (&self->layout);
}

/* ---- Properties ------------------------------------------------------------ */

static void
set_label (IocStateLabel *self,
           const char    *label)
{
  if (g_strcmp0 (self->label, label) == 0)
    return;

  g_free (self->label);
  self->label = g_strdup (label);
  self->layout_stale = TRUE;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->label, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

static void
set_state_class (IocStateLabel *self,
                 const char    *state_class)
{
  if (g_strcmp0 (self->state_class, state_class) == 0)
    return;

  if (self->state_class != NULL && *self->state_class)
    gtk_widget_remove_css_class (GTK_WIDGET (self), self->state_class);
  g_free (self->state_class);
  self->state_class = g_strdup (state_class);
  if (self->state_class != NULL && *self->state_class)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), self->state_class);
      gtk_widget_add_css_class (GTK_WIDGET (self), "state-pill");
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_CLASS]);
}

static void
set_overdue (IocStateLabel *self,
             gboolean       overdue)
{
  if (self->overdue == overdue)
    return;

  self->overdue = overdue;
  if (overdue)
    gtk_widget_add_css_class (GTK_WIDGET (self), "overdue");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "overdue");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERDUE]);
}

static void
ioc_state_label_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  IocStateLabel *self = IOC_STATE_LABEL (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_STATE_CLASS:
      g_value_set_string (value, self->state_class);
      break;
    case PROP_OVERDUE:
      g_value_set_boolean (value, self->overdue);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_state_label_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  IocStateLabel *self = IOC_STATE_LABEL (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      set_label (self, g_value_get_string (value));
      break;
    case PROP_STATE_CLASS:
      set_state_class (self, g_value_get_string (value));
      break;
    case PROP_OVERDUE:
      set_overdue (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_state_label_finalize (GObject *object)
{
  IocStateLabel *self = IOC_STATE_LABEL (object);

  g_clear_object (&self->layout);
  g_free (self->label);
  g_free (self->state_class);

  G_OBJECT_CLASS (ioc_state_label_parent_class)->finalize (object);
}

static void
ioc_state_label_class_init (IocStateLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ioc_state_label_get_property;
  object_class->set_property = ioc_state_label_set_property;
  object_class->finalize = ioc_state_label_finalize;
  widget_class->measure = ioc_state_label_measure;
  widget_class->snapshot = ioc_state_label_snapshot;
  widget_class->css_changed = ioc_state_label_css_changed;

  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATE_CLASS] =
    g_param_spec_string ("state-class", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OVERDUE] =
    g_param_spec_boolean ("overdue", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Styled as labels are: the theme's colours and the pills' classes. */
  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
ioc_state_label_init (IocStateLabel *self)
{
  /* A pill as wide as its text, at the start of its cell. */
  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self), "numeric");
}
