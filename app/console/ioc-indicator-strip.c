/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>

#include "ioc-indicator-strip.h"

#define REFRESH_INTERVAL_S 60

/* What a control room looks at first: the citizens' reports and how fast
 * they are handled, administrative work on time, traffic, air and crime. */
static const char * const default_codes[] = {
  "pa.reports_received",
  "pa.resolved_on_time",
  "cq.on_time_dossiers",
  "atgt.accidents",
  "mt.pm25",
  "antt.property_crimes",
  "pa.satisfaction",
  "ktxh.cpi_yoy",
  NULL
};

typedef struct {
  IocIndicator   *indicator;
  IocObservation *latest;
} Entry;

struct _IocIndicatorStrip
{
  GtkWidget     parent_instance;

  GtkWidget    *scroller;
  GtkBox       *cards_box;
  GtkLabel     *message_label;

  IocClient    *client;
  GCancellable *cancellable;
  GPtrArray    *order;          /* codes of the catalogue, in its order */
  GHashTable   *entries;        /* code → Entry */
  GStrv         codes;          /* asked for, or NULL */
  guint         max_cards;
  GPtrArray    *cards;          /* IocIndicatorCard shown */
  guint         refresh_id;
};

G_DEFINE_FINAL_TYPE (IocIndicatorStrip, ioc_indicator_strip, GTK_TYPE_WIDGET)

enum {
  INDICATOR_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
entry_free (Entry *entry)
{
  g_clear_pointer (&entry->indicator, ioc_indicator_unref);
  g_clear_pointer (&entry->latest, ioc_observation_unref);
  g_free (entry);
}

static void
on_card_activated_cb (IocIndicatorCard  *card,
                      IocIndicatorStrip *self)
{
  g_signal_emit (self, signals[INDICATOR_ACTIVATED], 0, ioc_indicator_card_get_code (card));
}

static void
add_card (IocIndicatorStrip *self,
          Entry             *entry)
{
  GtkWidget *card = ioc_indicator_card_new ();

  ioc_indicator_card_set_compact (IOC_INDICATOR_CARD (card), TRUE);
  ioc_indicator_card_set_indicator (IOC_INDICATOR_CARD (card), entry->indicator, entry->latest);
  g_signal_connect_object (card, "activated", G_CALLBACK (on_card_activated_cb), self, 0);
  gtk_box_append (self->cards_box, card);
  g_ptr_array_add (self->cards, card);
}

static void
rebuild (IocIndicatorStrip *self)
{
  g_autoptr(GHashTable) shown = g_hash_table_new (g_str_hash, g_str_equal);
  const char * const *wanted = self->codes ? (const char * const *) self->codes : default_codes;

  for (guint i = 0; i < self->cards->len; i++)
    gtk_box_remove (self->cards_box, g_ptr_array_index (self->cards, i));
  g_ptr_array_set_size (self->cards, 0);

  for (guint i = 0; wanted[i] != NULL && self->cards->len < self->max_cards; i++)
    {
      Entry *entry = g_hash_table_lookup (self->entries, wanted[i]);

      if (entry != NULL && !g_hash_table_contains (shown, wanted[i]))
        {
          add_card (self, entry);
          g_hash_table_add (shown, entry->indicator->code);
        }
    }
  /* Only the default list fills up from the catalogue: codes asked for are
   * exactly what the caller wants. */
  for (guint i = 0; self->codes == NULL && i < self->order->len && self->cards->len < self->max_cards; i++)
    {
      const char *code = g_ptr_array_index (self->order, i);

      if (!g_hash_table_contains (shown, code))
        {
          add_card (self, g_hash_table_lookup (self->entries, code));
          g_hash_table_add (shown, (gpointer) code);
        }
    }

  gtk_widget_set_visible (GTK_WIDGET (self->message_label), self->cards->len == 0);
  if (self->cards->len == 0 && self->order->len > 0)
    gtk_label_set_label (self->message_label, _("None of the chosen indicators is in the catalogue."));
}

static gboolean
add_entry (IocIndicatorStrip *self,
           JsonObject        *object)
{
  g_autoptr(IocIndicator) ind = NULL;
  g_autoptr(IocObservation) latest = NULL;
  Entry *entry;

  if (object == NULL || !ioc_indicator_entry_parse (object, &ind, &latest, NULL))
    return FALSE;

  entry = g_hash_table_lookup (self->entries, ind->code);
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      g_ptr_array_add (self->order, g_strdup (ind->code));
      g_hash_table_insert (self->entries, g_strdup (ind->code), entry);
    }
  g_clear_pointer (&entry->indicator, ioc_indicator_unref);
  g_clear_pointer (&entry->latest, ioc_observation_unref);
  entry->indicator = g_steal_pointer (&ind);
  entry->latest = g_steal_pointer (&latest);
  return TRUE;
}

static void
list_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  IocIndicatorStrip *self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *list;

  node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  list = ioc_json_get_array_member (node, "indicators");
  if (list == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The indicators could not be loaded: %s"),
                                               error ? error->message : _("the server's answer cannot be read"));

      gtk_label_set_label (self->message_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
      return;
    }

  g_ptr_array_set_size (self->order, 0);
  g_hash_table_remove_all (self->entries);
  for (guint i = 0; i < json_array_get_length (list); i++)
    add_entry (self, json_array_get_object_element (list, i));
  rebuild (self);
}

static void
one_loaded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  IocIndicatorStrip *self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) || !add_entry (self, json_node_get_object (node)))
    return;

  for (guint i = 0; i < self->cards->len; i++)
    {
      IocIndicatorCard *card = g_ptr_array_index (self->cards, i);
      Entry *entry = g_hash_table_lookup (self->entries, ioc_indicator_card_get_code (card));

      if (entry != NULL)
        ioc_indicator_card_set_indicator (card, entry->indicator, entry->latest);
    }
}

void
ioc_indicator_strip_apply_event (IocIndicatorStrip *self,
                                 IocEvent          *event)
{
  JsonNode *codes_node;
  JsonArray *codes;

  g_return_if_fail (IOC_IS_INDICATOR_STRIP (self));
  g_return_if_fail (event != NULL);

  if (self->client == NULL || g_strcmp0 (event->kind, IOC_EVENT_INDICATOR_OBSERVED) != 0 ||
      event->data == NULL || !JSON_NODE_HOLDS_OBJECT (event->data))
    return;

  codes_node = json_object_get_member (json_node_get_object (event->data), "indicators");
  if (codes_node == NULL || !JSON_NODE_HOLDS_ARRAY (codes_node))
    return;
  codes = json_node_get_array (codes_node);
  for (guint i = 0; i < json_array_get_length (codes); i++)
    {
      const char *code = json_array_get_string_element (codes, i);

      for (guint j = 0; code != NULL && j < self->cards->len; j++)
        if (g_strcmp0 (ioc_indicator_card_get_code (g_ptr_array_index (self->cards, j)), code) == 0)
          {
            g_autofree char *escaped = g_uri_escape_string (code, NULL, FALSE);
            g_autofree char *path = g_strdup_printf ("/api/v1/indicators/%s", escaped);

            ioc_client_get_json_async (self->client, path, self->cancellable, one_loaded_cb, self);
            break;
          }
    }
}

void
ioc_indicator_strip_set_client (IocIndicatorStrip *self,
                                IocClient         *client)
{
  g_return_if_fail (IOC_IS_INDICATOR_STRIP (self));
  g_return_if_fail (!client || IOC_IS_CLIENT (client));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_set_object (&self->client, client);
  if (client == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  gtk_label_set_label (self->message_label, _("Loading indicators…"));
  ioc_client_get_json_async (client, "/api/v1/indicators", self->cancellable, list_loaded_cb, self);
}

void
ioc_indicator_strip_set_codes (IocIndicatorStrip  *self,
                               const char * const *codes)
{
  g_return_if_fail (IOC_IS_INDICATOR_STRIP (self));

  g_strfreev (self->codes);
  self->codes = g_strdupv ((char **) codes);
  rebuild (self);
}

void
ioc_indicator_strip_set_max_cards (IocIndicatorStrip *self,
                                   guint              max_cards)
{
  g_return_if_fail (IOC_IS_INDICATOR_STRIP (self));

  self->max_cards = MAX (1, max_cards);
  rebuild (self);
}

guint
ioc_indicator_strip_get_n_cards (IocIndicatorStrip *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_STRIP (self), 0);
  return self->cards->len;
}

IocIndicatorCard *
ioc_indicator_strip_get_card (IocIndicatorStrip *self,
                              guint              index)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_STRIP (self), NULL);
  return index < self->cards->len ? g_ptr_array_index (self->cards, index) : NULL;
}

static gboolean
refresh_tick_cb (gpointer data)
{
  IocIndicatorStrip *self = data;
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < self->cards->len; i++)
    ioc_indicator_card_refresh (g_ptr_array_index (self->cards, i), now);
  return G_SOURCE_CONTINUE;
}

static void
ioc_indicator_strip_dispose (GObject *object)
{
  IocIndicatorStrip *self = IOC_INDICATOR_STRIP (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_pointer (&self->cards, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_INDICATOR_STRIP);
  g_clear_object (&self->client);
  g_clear_pointer (&self->order, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->codes, g_strfreev);

  G_OBJECT_CLASS (ioc_indicator_strip_parent_class)->dispose (object);
}

static void
ioc_indicator_strip_class_init (IocIndicatorStripClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_indicator_strip_dispose;

  signals[INDICATOR_ACTIVATED] =
    g_signal_new ("indicator-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-indicator-strip.ui");
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorStrip, scroller);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorStrip, cards_box);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorStrip, message_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "iocindicatorstrip");
}

static void
ioc_indicator_strip_init (IocIndicatorStrip *self)
{
  self->order = g_ptr_array_new_with_free_func (g_free);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  self->cards = g_ptr_array_new ();
  self->max_cards = IOC_INDICATOR_STRIP_DEFAULT_CARDS;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "indicator-strip");
  self->refresh_id = g_timeout_add_seconds (REFRESH_INTERVAL_S, refresh_tick_cb, self);
}

GtkWidget *
ioc_indicator_strip_new (void)
{
  return g_object_new (IOC_TYPE_INDICATOR_STRIP, NULL);
}
