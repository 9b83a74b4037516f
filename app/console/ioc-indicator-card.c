/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>

#include "ioc-indicator-card.h"
#include "ioc-text.h"

struct _IocIndicatorCard
{
  GtkWidget           parent_instance;

  GtkButton          *button;
  GtkLabel           *name_label;
  GtkLabel           *value_label;
  GtkLabel           *unit_label;
  GtkLabel           *status_label;
  GtkLabel           *period_label;
  IocChart           *sparkline;

  IocIndicator       *indicator;
  IocObservation     *latest;
  IocIndicatorStatus  status;
  char               *status_text;
  gboolean            compact;
};

G_DEFINE_FINAL_TYPE (IocIndicatorCard, ioc_indicator_card, GTK_TYPE_WIDGET)

enum {
  ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Shared helpers */

static gboolean
member_is_null (JsonObject *object,
                const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

gboolean
ioc_indicator_entry_parse (JsonObject      *object,
                           IocIndicator   **indicator,
                           IocObservation **latest,
                           GError         **error)
{
  g_autoptr(IocIndicator) ind = NULL;
  g_autoptr(IocObservation) obs = NULL;

  ind = ioc_indicator_from_json (object, error);
  if (ind == NULL)
    return FALSE;

  if (!member_is_null (object, "value") && !member_is_null (object, "period"))
    {
      obs = ioc_observation_new ();
      obs->indicator = g_strdup (ind->code);
      if (!ioc_json_get_double (object, "value", TRUE, -G_MAXDOUBLE, G_MAXDOUBLE, &obs->value, error) ||
          !ioc_json_get_time (object, "period", TRUE, &obs->period, error))
        return FALSE;
      if (!member_is_null (object, "submitted_at") &&
          !ioc_json_get_time (object, "submitted_at", FALSE, &obs->submitted_at, error))
        return FALSE;
    }

  *indicator = g_steal_pointer (&ind);
  if (latest != NULL)
    *latest = g_steal_pointer (&obs);
  return TRUE;
}

const char *
ioc_indicator_display_name (const IocIndicator *indicator)
{
  g_return_val_if_fail (indicator != NULL, NULL);

  return ioc_text_for_user (indicator->name_vi, indicator->name_en);
}

const char *
ioc_indicator_display_unit (const IocIndicator *indicator)
{
  g_return_val_if_fail (indicator != NULL, NULL);

  return ioc_text_for_user (indicator->unit, indicator->unit_en);
}

char *
ioc_indicator_format_age (gint64 age)
{
  gint64 hours = MAX (0, age) / ((gint64) 3600 * G_USEC_PER_SEC);
  gint64 days = hours / 24;

  if (hours < 48)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours", hours), (int) hours);
  if (days < 62)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", days), (int) days);
  if (days < 730)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d month", "%d months", days / 30),
                            (int) (days / 30));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", days / 365),
                          (int) (days / 365));
}

char *
ioc_indicator_status_describe (IocIndicatorStatus status,
                               gint64             age)
{
  switch (status)
    {
    case IOC_INDICATOR_STATUS_OK:
      /* TRANSLATORS: an indicator's value is within its thresholds */
      return g_strdup (C_("indicator status", "Normal"));
    case IOC_INDICATOR_STATUS_WARNING:
      /* TRANSLATORS: an indicator's value crossed its warning threshold */
      return g_strdup (C_("indicator status", "Warning"));
    case IOC_INDICATOR_STATUS_ALERT:
      /* TRANSLATORS: an indicator's value crossed its alert threshold */
      return g_strdup (C_("indicator status", "Alert"));
    case IOC_INDICATOR_STATUS_STALE:
      {
        g_autofree char *when = ioc_indicator_format_age (age);

        /* TRANSLATORS: a stale indicator, with the age of its latest value, e.g. "Not updated for 5 months" */
        return g_strdup_printf (_("Not updated for %s"), when);
      }
    case IOC_INDICATOR_STATUS_NO_DATA:
    case IOC_N_INDICATOR_STATUSES:
    default:
      return g_strdup (_("No data"));
    }
}

const char *
ioc_indicator_status_css_class (IocIndicatorStatus status)
{
  switch (status)
    {
    case IOC_INDICATOR_STATUS_OK: return "status-ok";
    case IOC_INDICATOR_STATUS_WARNING: return "status-warning";
    case IOC_INDICATOR_STATUS_ALERT: return "status-alert";
    case IOC_INDICATOR_STATUS_STALE: return "status-stale";
    case IOC_INDICATOR_STATUS_NO_DATA:
    case IOC_N_INDICATOR_STATUSES:
    default:
      return "status-no-data";
    }
}

const char *
ioc_frequency_describe (IocFrequency frequency)
{
  switch (frequency)
    {
    case IOC_FREQUENCY_REALTIME: return _("Real time");
    case IOC_FREQUENCY_DAILY: return _("Daily");
    case IOC_FREQUENCY_MONTHLY: return _("Monthly");
    case IOC_FREQUENCY_QUARTERLY: return _("Quarterly");
    case IOC_FREQUENCY_YEARLY: return _("Yearly");
    case IOC_N_FREQUENCIES:
    case IOC_FREQUENCY_INVALID:
    default:
      return "";
    }
}

JsonArray *
ioc_indicator_series_list (JsonNode *answer)
{
  JsonNode *node;

  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    return NULL;
  node = json_object_get_member (json_node_get_object (answer), "series");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

GArray *
ioc_indicator_series_points (JsonObject *series)
{
  JsonNode *node = series ? json_object_get_member (series, "points") : NULL;
  JsonArray *points;
  GArray *ret;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_array_new (FALSE, FALSE, sizeof (IocSeriesPoint));

  points = json_node_get_array (node);
  ret = g_array_sized_new (FALSE, FALSE, sizeof (IocSeriesPoint), json_array_get_length (points));
  for (guint i = 0; i < json_array_get_length (points); i++)
    {
      JsonObject *object = json_array_get_object_element (points, i);
      IocSeriesPoint p;

      if (object != NULL &&
          ioc_json_get_time (object, "period", TRUE, &p.t, NULL) &&
          ioc_json_get_double (object, "value", TRUE, -G_MAXDOUBLE, G_MAXDOUBLE, &p.v, NULL))
        g_array_append_val (ret, p);
    }
  return ret;
}

/* The card */

static void
set_status_class (IocIndicatorCard   *self,
                  IocIndicatorStatus  status)
{
  for (int i = 0; i < IOC_N_INDICATOR_STATUSES; i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self), ioc_indicator_status_css_class (i));
  gtk_widget_add_css_class (GTK_WIDGET (self), ioc_indicator_status_css_class (status));
}

void
ioc_indicator_card_refresh (IocIndicatorCard *self,
                            gint64            now)
{
  g_autofree char *value = NULL;
  g_autofree char *period = NULL;
  gint64 age = 0;
  gboolean stale;

  g_return_if_fail (IOC_IS_INDICATOR_CARD (self));

  if (self->indicator == NULL)
    return;

  self->status = ioc_indicator_status (self->indicator, self->latest, now, &age);
  g_free (self->status_text);
  self->status_text = ioc_indicator_status_describe (self->status, age);
  stale = self->status == IOC_INDICATOR_STATUS_STALE || self->status == IOC_INDICATOR_STATUS_NO_DATA;

  gtk_label_set_label (self->status_label, self->status_text);
  set_status_class (self, self->status);

  if (self->latest != NULL)
    {
      value = ioc_chart_format_value (self->latest->value);
      period = ioc_chart_format_period (self->indicator->frequency, self->latest->period);
    }
  /* TRANSLATORS: shown instead of a value when an indicator has none */
  gtk_label_set_label (self->value_label, value ? value : _("—"));
  gtk_label_set_label (self->period_label, period ? period : "");
  if (stale)
    gtk_widget_add_css_class (GTK_WIDGET (self->value_label), "stale");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->value_label), "stale");
}

void
ioc_indicator_card_set_indicator (IocIndicatorCard *self,
                                  IocIndicator     *indicator,
                                  IocObservation   *latest)
{
  const char *unit;

  g_return_if_fail (IOC_IS_INDICATOR_CARD (self));
  g_return_if_fail (indicator != NULL);

  if (indicator != self->indicator)
    {
      g_clear_pointer (&self->indicator, ioc_indicator_unref);
      self->indicator = ioc_indicator_ref (indicator);
    }
  if (latest != self->latest)
    {
      g_clear_pointer (&self->latest, ioc_observation_unref);
      self->latest = latest ? ioc_observation_ref (latest) : NULL;
    }

  gtk_label_set_label (self->name_label, ioc_indicator_display_name (indicator));
  unit = ioc_indicator_display_unit (indicator);
  gtk_label_set_label (self->unit_label, unit != NULL ? unit : "");
  ioc_chart_set_kind (self->sparkline, ioc_chart_kind_from_string (indicator->chart));
  ioc_chart_set_frequency (self->sparkline, indicator->frequency);
  ioc_indicator_card_refresh (self, g_get_real_time ());
}

IocIndicator *
ioc_indicator_card_get_indicator (IocIndicatorCard *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_CARD (self), NULL);
  return self->indicator;
}

IocObservation *
ioc_indicator_card_get_latest (IocIndicatorCard *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_CARD (self), NULL);
  return self->latest;
}

const char *
ioc_indicator_card_get_code (IocIndicatorCard *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_CARD (self), NULL);
  return self->indicator ? self->indicator->code : NULL;
}

void
ioc_indicator_card_set_sparkline (IocIndicatorCard     *self,
                                  const IocSeriesPoint *points,
                                  guint                 n_points)
{
  g_return_if_fail (IOC_IS_INDICATOR_CARD (self));

  if (ioc_chart_get_n_series (self->sparkline) == 0)
    ioc_chart_add_series (self->sparkline, NULL, points, n_points);
  else
    ioc_chart_set_series_points (self->sparkline, 0, points, n_points);
  gtk_widget_set_visible (GTK_WIDGET (self->sparkline), !self->compact && n_points > 1);
}

void
ioc_indicator_card_set_compact (IocIndicatorCard *self,
                                gboolean          compact)
{
  g_return_if_fail (IOC_IS_INDICATOR_CARD (self));

  self->compact = !!compact;
  gtk_label_set_wrap (self->name_label, !compact);
  gtk_label_set_lines (self->name_label, compact ? 1 : 2);
  gtk_label_set_width_chars (self->name_label, compact ? 18 : 24);
  gtk_label_set_max_width_chars (self->name_label, compact ? 22 : 28);
  gtk_widget_set_visible (GTK_WIDGET (self->sparkline),
                          !compact && ioc_chart_get_n_series (self->sparkline) > 0 &&
                          ioc_chart_get_n_points (self->sparkline, 0) > 1);
  if (compact)
    gtk_widget_add_css_class (GTK_WIDGET (self), "compact");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "compact");
}

IocIndicatorStatus
ioc_indicator_card_get_status (IocIndicatorCard *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_CARD (self), IOC_INDICATOR_STATUS_NO_DATA);
  return self->status;
}

const char *
ioc_indicator_card_get_status_text (IocIndicatorCard *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_CARD (self), NULL);
  return self->status_text;
}

const char *
ioc_indicator_card_get_value_text (IocIndicatorCard *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_CARD (self), NULL);
  return gtk_label_get_label (self->value_label);
}

static void
on_button_clicked_cb (IocIndicatorCard *self)
{
  g_signal_emit (self, signals[ACTIVATED], 0);
}

static void
ioc_indicator_card_dispose (GObject *object)
{
  IocIndicatorCard *self = IOC_INDICATOR_CARD (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_INDICATOR_CARD);
  g_clear_pointer (&self->indicator, ioc_indicator_unref);
  g_clear_pointer (&self->latest, ioc_observation_unref);
  g_clear_pointer (&self->status_text, g_free);

  G_OBJECT_CLASS (ioc_indicator_card_parent_class)->dispose (object);
}

static void
ioc_indicator_card_class_init (IocIndicatorCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_indicator_card_dispose;

  signals[ACTIVATED] =
    g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (IOC_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-indicator-card.ui");
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorCard, button);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorCard, value_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorCard, unit_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorCard, status_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorCard, period_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorCard, sparkline);
  gtk_widget_class_bind_template_callback (widget_class, on_button_clicked_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "iocindicatorcard");
}

/**
 * ioc_indicator_card_describe:
 *
 * Returns: (transfer full) (nullable): the card's tooltip: the indicator's
 *   name, its status and the period of its latest value
 */
char *
ioc_indicator_card_describe (IocIndicatorCard *self)
{
  const char *period;

  g_return_val_if_fail (IOC_IS_INDICATOR_CARD (self), NULL);

  if (self->indicator == NULL || self->status_text == NULL)
    return NULL;
  period = gtk_label_get_label (self->period_label);
  if (*period != '\0')
    /* TRANSLATORS: a card's tooltip: the indicator's name, its status and the period of its latest value */
    return g_strdup_printf (_("%s\n%s — value for %s"), ioc_indicator_display_name (self->indicator),
                            self->status_text, period);
  return g_strdup_printf ("%s\n%s", ioc_indicator_display_name (self->indicator), self->status_text);
}

/* Made when asked for: setting a tooltip's text makes GTK look where the
 * pointer is at once, round trips to the X server each time a card was
 * refreshed (three per card, for the strip's and the page's cards, in
 * the frame that first shows the control room). */
static gboolean
on_button_query_tooltip_cb (GtkWidget        *button,
                            int               x,
                            int               y,
                            gboolean          keyboard,
                            GtkTooltip       *tooltip,
                            IocIndicatorCard *self)
{
  g_autofree char *text = ioc_indicator_card_describe (self);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
ioc_indicator_card_init (IocIndicatorCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->button), TRUE);
  g_signal_connect (self->button, "query-tooltip", G_CALLBACK (on_button_query_tooltip_cb), self);
  gtk_widget_add_css_class (GTK_WIDGET (self), "indicator-card");
  self->status = IOC_INDICATOR_STATUS_NO_DATA;
}

GtkWidget *
ioc_indicator_card_new (void)
{
  return g_object_new (IOC_TYPE_INDICATOR_CARD, NULL);
}
