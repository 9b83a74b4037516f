/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include "ioc-state-label.h"

struct _IocStateLabel
{
  GtkWidget  parent_instance;

  GtkLabel  *label;
  char      *state_class;
  gboolean   overdue;
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

static void
set_state_class (IocStateLabel *self,
                 const char    *state_class)
{
  if (g_strcmp0 (self->state_class, state_class) == 0)
    return;

  if (self->state_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->label), self->state_class);
  g_free (self->state_class);
  self->state_class = g_strdup (state_class);
  if (self->state_class != NULL && *self->state_class)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->label), self->state_class);
      gtk_widget_add_css_class (GTK_WIDGET (self->label), "state-pill");
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
    gtk_widget_add_css_class (GTK_WIDGET (self->label), "overdue");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->label), "overdue");
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
      g_value_set_string (value, gtk_label_get_label (self->label));
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
      gtk_label_set_label (self->label, g_value_get_string (value));
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
ioc_state_label_dispose (GObject *object)
{
  IocStateLabel *self = IOC_STATE_LABEL (object);

  g_clear_pointer ((GtkWidget **) &self->label, gtk_widget_unparent);
  g_clear_pointer (&self->state_class, g_free);

  G_OBJECT_CLASS (ioc_state_label_parent_class)->dispose (object);
}

static void
ioc_state_label_class_init (IocStateLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ioc_state_label_get_property;
  object_class->set_property = ioc_state_label_set_property;
  object_class->dispose = ioc_state_label_dispose;

  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE_CLASS] =
    g_param_spec_string ("state-class", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OVERDUE] =
    g_param_spec_boolean ("overdue", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "iocstatelabel");
}

static void
ioc_state_label_init (IocStateLabel *self)
{
  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->label, 0);
  gtk_widget_set_halign (GTK_WIDGET (self->label), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self->label), "numeric");
  gtk_widget_set_parent (GTK_WIDGET (self->label), GTK_WIDGET (self));
}
