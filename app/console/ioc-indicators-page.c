/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ioc-indicators-page.h"

/* Values go stale with the clock, not only with events. */
#define REFRESH_INTERVAL_S 60
#define SPARKLINE_POINTS 48

struct _IocIndicatorsPage
{
  GtkWidget           parent_instance;

  GtkStack           *stack;
  GtkLabel           *summary_label;
  GtkWidget          *submit_button;
  GtkLabel           *message_label;
  GtkBox             *domains_box;
  GtkWidget          *sensors_heading;
  IocSensorPage      *sensor_page;
  IocIndicatorDetail *detail;
  IocIndicatorSubmit *submit;

  IocClient          *client;
  IocUser            *user;
  GCancellable       *cancellable;
  guint               pending;
  GPtrArray          *indicators;     /* IocIndicator, in the server's order */
  GHashTable         *cards;          /* code → IocIndicatorCard (owned by the flow boxes) */
  GHashTable         *communes;       /* code → name */
  guint               refresh_id;
};

G_DEFINE_FINAL_TYPE (IocIndicatorsPage, ioc_indicators_page, GTK_TYPE_WIDGET)

static void
show_message (IocIndicatorsPage *self,
              const char        *text)
{
  gtk_label_set_label (self->message_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), text != NULL);
}

static void
update_summary (IocIndicatorsPage *self)
{
  guint counts[IOC_N_INDICATOR_STATUSES] = { 0 };
  g_autoptr(GString) text = g_string_new (NULL);
  GHashTableIter iter;
  gpointer card;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, &card))
    counts[ioc_indicator_card_get_status (card)]++;

  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u indicator", "%u indicators",
                                             g_hash_table_size (self->cards)),
                          g_hash_table_size (self->cards));
  if (counts[IOC_INDICATOR_STATUS_ALERT] > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u in alert", "%u in alert",
                                                 counts[IOC_INDICATOR_STATUS_ALERT]),
                              counts[IOC_INDICATOR_STATUS_ALERT]);
    }
  if (counts[IOC_INDICATOR_STATUS_WARNING] > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u warning", "%u warnings",
                                                 counts[IOC_INDICATOR_STATUS_WARNING]),
                              counts[IOC_INDICATOR_STATUS_WARNING]);
    }
  if (counts[IOC_INDICATOR_STATUS_STALE] > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u not updated", "%u not updated",
                                                 counts[IOC_INDICATOR_STATUS_STALE]),
                              counts[IOC_INDICATOR_STATUS_STALE]);
    }
  gtk_label_set_label (self->summary_label, text->str);
}

static void
clear_cards (IocIndicatorsPage *self)
{
  GtkWidget *child;

  g_hash_table_remove_all (self->cards);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->domains_box))) != NULL)
    gtk_box_remove (self->domains_box, child);
}

typedef struct {
  IocIndicatorsPage *self;   /* alive while the request is: dispose cancels it */
  char              *code;
} SparklineRequest;

static void
sparkline_loaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SparklineRequest *request = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) points = NULL;
  IocIndicatorCard *card;
  JsonArray *series;

  node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  series = ioc_indicator_series_list (node);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      series != NULL && json_array_get_length (series) > 0 &&
      (card = g_hash_table_lookup (request->self->cards, request->code)) != NULL)
    {
      points = ioc_indicator_series_points (json_array_get_object_element (series, 0));
      ioc_indicator_card_set_sparkline (card, (IocSeriesPoint *) points->data, points->len);
    }
  g_free (request->code);
  g_free (request);
}

static void
load_sparkline (IocIndicatorsPage *self,
                const char        *code)
{
  g_autofree char *escaped = g_uri_escape_string (code, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/api/v1/indicators/%s/series?points=%u", escaped, SPARKLINE_POINTS);
  SparklineRequest *request = g_new0 (SparklineRequest, 1);

  request->self = self;
  request->code = g_strdup (code);
  ioc_client_get_json_async (self->client, path, self->cancellable, sparkline_loaded_cb, request);
}

static void
on_card_activated_cb (IocIndicatorCard  *card,
                      IocIndicatorsPage *self)
{
  ioc_indicators_page_open_indicator (self, ioc_indicator_card_get_code (card));
}

static GtkFlowBox *
add_domain (IocIndicatorsPage *self,
            const char        *domain)
{
  GtkWidget *heading = gtk_label_new (domain);
  GtkWidget *flow = gtk_flow_box_new ();

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
  gtk_widget_set_margin_top (heading, 12);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_add_css_class (heading, "indicator-domain");

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 2);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 6);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 12);

  gtk_box_append (self->domains_box, heading);
  gtk_box_append (self->domains_box, flow);
  return GTK_FLOW_BOX (flow);
}

static void
update_submit (IocIndicatorsPage *self)
{
  gboolean can = ioc_indicators_page_can_submit (self);

  gtk_widget_set_visible (self->submit_button, can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "indicators.submit", can);
  if (can && self->indicators != NULL)
    ioc_indicator_submit_set_context (self->submit, self->client, self->user, self->indicators, self->communes);
}

static void
indicators_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  IocIndicatorsPage *self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) domains = NULL;
  JsonArray *list;

  node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->pending--;

  if (node == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The indicators could not be loaded: %s"), error->message);

      show_message (self, text);
      return;
    }
  list = ioc_json_get_array_member (node, "indicators");
  if (list == NULL)
    {
      show_message (self, _("The server's list of indicators cannot be read."));
      return;
    }

  clear_cards (self);
  g_clear_pointer (&self->indicators, g_ptr_array_unref);
  self->indicators = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_indicator_unref);
  domains = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *object = json_array_get_object_element (list, i);
      g_autoptr(IocIndicator) ind = NULL;
      g_autoptr(IocObservation) latest = NULL;
      GtkFlowBox *flow;
      GtkWidget *card;

      if (object == NULL || !ioc_indicator_entry_parse (object, &ind, &latest, NULL))
        continue;

      flow = g_hash_table_lookup (domains, ind->domain);
      if (flow == NULL)
        {
          flow = add_domain (self, ind->domain);
          g_hash_table_insert (domains, ind->domain, flow);
        }

      card = ioc_indicator_card_new ();
      ioc_indicator_card_set_indicator (IOC_INDICATOR_CARD (card), ind, latest);
      g_signal_connect_object (card, "activated", G_CALLBACK (on_card_activated_cb), self, 0);
      gtk_flow_box_append (flow, card);
      g_hash_table_insert (self->cards, g_strdup (ind->code), card);
      g_ptr_array_add (self->indicators, g_steal_pointer (&ind));
    }

  for (guint i = 0; i < self->indicators->len; i++)
    load_sparkline (self, ((IocIndicator *) g_ptr_array_index (self->indicators, i))->code);

  show_message (self, NULL);
  update_summary (self);
  update_submit (self);
}

static void
communes_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  IocIndicatorsPage *self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *list;

  node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->pending--;

  /* Without names, communes show by their codes: no need to stop. */
  list = ioc_json_get_array_member (node, "communes");
  if (list != NULL)
    {
      g_hash_table_remove_all (self->communes);
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonObject *object = json_array_get_object_element (list, i);
          const char *code = object ? json_object_get_string_member_with_default (object, "code", NULL) : NULL;
          const char *name = object ? json_object_get_string_member_with_default (object, "name", NULL) : NULL;

          if (code != NULL && name != NULL)
            g_hash_table_insert (self->communes, g_strdup (code), g_strdup (name));
        }
    }
  update_submit (self);
}

static void
reload (IocIndicatorsPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->pending = 0;
  if (self->client == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  self->pending = 2;
  ioc_client_get_json_async (self->client, "/api/v1/communes", self->cancellable, communes_loaded_cb, self);
  ioc_client_get_json_async (self->client, "/api/v1/indicators", self->cancellable, indicators_loaded_cb, self);
}

/* One indicator again after a new value */

static void
indicator_loaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IocIndicator) ind = NULL;
  g_autoptr(IocObservation) latest = NULL;
  IocIndicatorsPage *self;
  IocIndicatorCard *card;
  IocIndicator *shown;

  node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      !ioc_indicator_entry_parse (json_node_get_object (node), &ind, &latest, NULL))
    return;

  card = g_hash_table_lookup (self->cards, ind->code);
  if (card != NULL)
    {
      ioc_indicator_card_set_indicator (card, ind, latest);
      load_sparkline (self, ind->code);
    }
  shown = ioc_indicator_detail_get_indicator (self->detail);
  if (shown != NULL && g_str_equal (shown->code, ind->code))
    ioc_indicator_detail_show (self->detail, ind, latest);
  update_summary (self);
}

static void
refresh_indicators (IocIndicatorsPage  *self,
                    const char * const *codes)
{
  if (self->client == NULL || self->cancellable == NULL)
    return;

  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      g_autofree char *escaped = g_uri_escape_string (codes[i], NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/api/v1/indicators/%s", escaped);

      ioc_client_get_json_async (self->client, path, self->cancellable, indicator_loaded_cb, self);
    }
}

static void
on_submitted_cb (IocIndicatorSubmit *submit,
                 GStrv               codes,
                 IocIndicatorsPage  *self)
{
  refresh_indicators (self, (const char * const *) codes);
}

void
ioc_indicators_page_apply_event (IocIndicatorsPage *self,
                                 IocEvent          *event)
{
  g_return_if_fail (IOC_IS_INDICATORS_PAGE (self));
  g_return_if_fail (event != NULL);

  if (g_strcmp0 (event->kind, IOC_EVENT_SENSOR_READINGS) == 0)
    {
      ioc_sensor_page_apply_event (self->sensor_page, event);
      return;
    }

  if (g_strcmp0 (event->kind, IOC_EVENT_INDICATOR_OBSERVED) == 0 &&
      event->data != NULL && JSON_NODE_HOLDS_OBJECT (event->data))
    {
      JsonNode *codes_node = json_object_get_member (json_node_get_object (event->data), "indicators");
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) codes = NULL;

      if (codes_node == NULL || !JSON_NODE_HOLDS_ARRAY (codes_node))
        return;
      for (guint i = 0; i < json_array_get_length (json_node_get_array (codes_node)); i++)
        {
          const char *code = json_array_get_string_element (json_node_get_array (codes_node), i);

          if (code != NULL)
            g_strv_builder_add (builder, code);
        }
      codes = g_strv_builder_end (builder);
      refresh_indicators (self, (const char * const *) codes);
    }
}

static gboolean
refresh_tick_cb (gpointer data)
{
  IocIndicatorsPage *self = data;
  gint64 now = g_get_real_time ();
  GHashTableIter iter;
  gpointer card;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, &card))
    ioc_indicator_card_refresh (card, now);
  update_summary (self);
  return G_SOURCE_CONTINUE;
}

/* API */

void
ioc_indicators_page_set_client (IocIndicatorsPage *self,
                                IocClient         *client,
                                IocUser           *user)
{
  g_return_if_fail (IOC_IS_INDICATORS_PAGE (self));
  g_return_if_fail (!client || IOC_IS_CLIENT (client));

  g_set_object (&self->client, client);
  g_clear_pointer (&self->user, ioc_user_unref);
  self->user = user ? ioc_user_ref (user) : NULL;

  ioc_indicator_detail_set_client (self->detail, client);
  ioc_sensor_page_set_client (self->sensor_page, client);
  gtk_stack_set_visible_child_name (self->stack, "overview");
  update_submit (self);
  if (client == NULL)
    {
      g_cancellable_cancel (self->cancellable);
      clear_cards (self);
      return;
    }
  reload (self);
}

gboolean
ioc_indicators_page_is_loading (IocIndicatorsPage *self)
{
  g_return_val_if_fail (IOC_IS_INDICATORS_PAGE (self), FALSE);
  return self->pending > 0 || ioc_sensor_page_is_loading (self->sensor_page);
}

guint
ioc_indicators_page_get_n_cards (IocIndicatorsPage *self)
{
  g_return_val_if_fail (IOC_IS_INDICATORS_PAGE (self), 0);
  return g_hash_table_size (self->cards);
}

IocIndicatorCard *
ioc_indicators_page_get_card (IocIndicatorsPage *self,
                              const char        *code)
{
  g_return_val_if_fail (IOC_IS_INDICATORS_PAGE (self), NULL);
  return g_hash_table_lookup (self->cards, code);
}

gboolean
ioc_indicators_page_open_indicator (IocIndicatorsPage *self,
                                    const char        *code)
{
  IocIndicatorCard *card;

  g_return_val_if_fail (IOC_IS_INDICATORS_PAGE (self), FALSE);

  card = g_hash_table_lookup (self->cards, code);
  if (card == NULL)
    return FALSE;

  ioc_indicator_detail_set_communes (self->detail, self->communes);
  ioc_indicator_detail_show (self->detail, ioc_indicator_card_get_indicator (card),
                             ioc_indicator_card_get_latest (card));
  gtk_stack_set_visible_child_name (self->stack, "detail");
  return TRUE;
}

gboolean
ioc_indicators_page_can_submit (IocIndicatorsPage *self)
{
  g_return_val_if_fail (IOC_IS_INDICATORS_PAGE (self), FALSE);

  /* Operators and supervisors read; the server refuses them with 403. */
  return self->client != NULL && self->user != NULL &&
         ((self->user->role == IOC_ROLE_LIAISON && self->user->department != NULL) ||
          self->user->role == IOC_ROLE_ADMIN);
}

void
ioc_indicators_page_show_submit (IocIndicatorsPage *self)
{
  g_return_if_fail (IOC_IS_INDICATORS_PAGE (self));

  if (ioc_indicators_page_can_submit (self))
    gtk_stack_set_visible_child_name (self->stack, "submit");
}

void
ioc_indicators_page_show_overview (IocIndicatorsPage *self)
{
  g_return_if_fail (IOC_IS_INDICATORS_PAGE (self));
  gtk_stack_set_visible_child_name (self->stack, "overview");
}

const char *
ioc_indicators_page_get_view (IocIndicatorsPage *self)
{
  g_return_val_if_fail (IOC_IS_INDICATORS_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

IocIndicatorDetail *
ioc_indicators_page_get_detail (IocIndicatorsPage *self)
{
  g_return_val_if_fail (IOC_IS_INDICATORS_PAGE (self), NULL);
  return self->detail;
}

IocIndicatorSubmit *
ioc_indicators_page_get_submit (IocIndicatorsPage *self)
{
  g_return_val_if_fail (IOC_IS_INDICATORS_PAGE (self), NULL);
  return self->submit;
}

IocSensorPage *
ioc_indicators_page_get_sensor_page (IocIndicatorsPage *self)
{
  g_return_val_if_fail (IOC_IS_INDICATORS_PAGE (self), NULL);
  return self->sensor_page;
}

/* Actions */

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IocIndicatorsPage *self = IOC_INDICATORS_PAGE (widget);

  reload (self);
  ioc_sensor_page_set_client (self->sensor_page, self->client);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ioc_indicators_page_show_overview (IOC_INDICATORS_PAGE (widget));
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ioc_indicators_page_show_submit (IOC_INDICATORS_PAGE (widget));
}

/* GObject */

static void
ioc_indicators_page_dispose (GObject *object)
{
  IocIndicatorsPage *self = IOC_INDICATORS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_INDICATORS_PAGE);
  g_clear_object (&self->client);
  g_clear_pointer (&self->user, ioc_user_unref);
  g_clear_pointer (&self->indicators, g_ptr_array_unref);
  g_clear_pointer (&self->cards, g_hash_table_unref);
  g_clear_pointer (&self->communes, g_hash_table_unref);

  G_OBJECT_CLASS (ioc_indicators_page_parent_class)->dispose (object);
}

static void
ioc_indicators_page_class_init (IocIndicatorsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_indicators_page_dispose;

  g_type_ensure (IOC_TYPE_SENSOR_PAGE);
  g_type_ensure (IOC_TYPE_INDICATOR_DETAIL);
  g_type_ensure (IOC_TYPE_INDICATOR_SUBMIT);
  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-indicators-page.ui");
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorsPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorsPage, submit_button);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorsPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorsPage, domains_box);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorsPage, sensors_heading);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorsPage, sensor_page);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorsPage, detail);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorsPage, submit);

  gtk_widget_class_install_action (widget_class, "indicators.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "indicators.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "indicators.submit", NULL, submit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "indicators.back", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "iocindicatorspage");
}

static void
ioc_indicators_page_init (IocIndicatorsPage *self)
{
  self->cards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->communes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->submit, "submitted", G_CALLBACK (on_submitted_cb), self, 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "indicators.submit", FALSE);
  self->refresh_id = g_timeout_add_seconds (REFRESH_INTERVAL_S, refresh_tick_cb, self);
}

GtkWidget *
ioc_indicators_page_new (void)
{
  return g_object_new (IOC_TYPE_INDICATORS_PAGE, NULL);
}
