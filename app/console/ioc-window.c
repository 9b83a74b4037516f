/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>

#include "ioc-bulk-forward.h"
#include "ioc-client.h"
#include "ioc-event-stream.h"
#include "ioc-glyph-warmup.h"
#include "ioc-intake-dialog.h"
#include "ioc-indicator-strip.h"
#include "ioc-indicators-page.h"
#include "ioc-map-view.h"
#include "ioc-overview.h"
#include "ioc-secret.h"
#include "ioc-window.h"
#include "ioc-x11-frames.h"

/* Events older than this when they arrive (the backlog of a long outage)
 * update the queue without a desktop notification. */
#define NOTIFY_MAX_AGE (15 * 60 * G_USEC_PER_SEC)

struct _IocWindow
{
  AdwApplicationWindow  parent_instance;

  AdwSqueezerPage      *switcher_page;
  AdwWindowTitle       *window_title;
  GtkWidget            *new_task_button;
  GtkWidget            *forward_selected_button;
  GtkLabel             *user_label;
  GtkWidget            *sign_out_button;
  GtkLabel             *status_label;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  GtkEntry             *server_entry;
  GtkWidget            *fingerprint_box;
  GtkLabel             *fingerprint_label;
  GtkLabel             *connect_error_label;
  GtkEntry             *username_entry;
  GtkPasswordEntry     *password_entry;
  GtkLabel             *sign_in_error_label;
  GtkLabel             *keyring_label;
  IocQueueView         *queue_view;
  IocTaskDetails       *details;
  AdwViewStack         *view_stack;
  AdwViewStackPage     *overview_page;
  IocOverview          *overview;
  GtkWidget            *header_bar;
  IocIndicatorStrip    *indicator_strip;
  GtkWidget            *wide_map_slot;
  GtkWidget            *narrow_map_slot;
  AdwViewStackPage     *map_page;
  IocMapView           *map_view;
  IocIndicatorsPage    *indicators_page;
  gboolean              wide;
  gboolean              layout_applied;
  guint                 layout_idle_id;

  GSettings            *settings;
  GCancellable         *cancellable;
  IocClient            *client;
  IocEventStream       *events;
  IocTaskModel         *model;
  IocUser              *user;
  char                 *probed_fingerprint;
  guint                 status_id;

  GtkWindow            *open_dialog;      /* weak: the latest dialog still open */
  struct _ActionData   *action_data;      /* the open single-task action dialog's */
  char                 *last_toast;
  GHashTable           *notified;         /* "ID-reason" already notified */
  GPtrArray            *notifications;    /* ids sent, in order (for tests) */
  gboolean              restoring_view;
  /* The first page of tasks is in, with the categories, departments and
   * communes the forms choose from. */
  gboolean              tasks_ready;
};

G_DEFINE_FINAL_TYPE (IocWindow, ioc_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  NOTIFIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void load_tasks (IocWindow *self);
static void show_task (IocWindow *self, gint64 id);

static void
remember_toast (IocWindow  *self,
                const char *text)
{
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
}

static void
show_toast (IocWindow  *self,
            const char *text)
{
  remember_toast (self, text);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
track_dialog (IocWindow *self,
              GtkWindow *dialog)
{
  g_set_weak_pointer (&self->open_dialog, dialog);
}

static gboolean
is_operator (IocWindow *self)
{
  return self->user != NULL && self->user->role == IOC_ROLE_OPERATOR;
}

/* What the header offers depends on the role and on being signed in. */
static void
update_actions (IocWindow *self)
{
  gboolean main_page = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") == 0;
  gboolean operator = main_page && is_operator (self);
  gboolean overview = main_page && self->user != NULL && self->user->role != IOC_ROLE_LIAISON;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-task",
                                 operator && self->tasks_ready && ioc_workflow_can_intake (self->user->role));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.forward-selected", operator);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reload", main_page);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.find", main_page);
  gtk_widget_set_visible (self->new_task_button, operator);
  gtk_widget_set_visible (self->forward_selected_button, operator);
  adw_squeezer_page_set_enabled (self->switcher_page, main_page);
  adw_view_stack_page_set_visible (self->overview_page, overview);
  if (!overview && g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "overview") == 0)
    adw_view_stack_set_visible_child_name (self->view_stack, "tasks");
}

static void
set_page (IocWindow  *self,
          const char *name)
{
  /* The small pages fade into each other; the control room appears at
   * once: a fade would draw it and the page before it, with alpha, in
   * each frame of its first, heaviest paint. */
  gtk_stack_set_transition_type (self->stack, g_strcmp0 (name, "main") == 0 ? GTK_STACK_TRANSITION_TYPE_NONE
                                                                          : GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_stack_set_visible_child_name (self->stack, name);
  update_actions (self);
}

static char *
lookup_pinned (IocWindow  *self,
               const char *uri)
{
  g_autoptr(GVariant) servers = g_settings_get_value (self->settings, "servers");
  const char *fingerprint = NULL;

  if (g_variant_lookup (servers, uri, "&s", &fingerprint))
    return g_strdup (fingerprint);
  return NULL;
}

static void
save_pinned (IocWindow  *self,
             const char *uri,
             const char *fingerprint)
{
  g_autoptr(GVariant) old = g_settings_get_value (self->settings, "servers");
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  GVariantIter iter;
  const char *key, *value;

  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    if (!g_str_equal (key, uri))
      g_variant_builder_add (&b, "{ss}", key, value);
  g_variant_builder_add (&b, "{ss}", uri, fingerprint);
  g_settings_set_value (self->settings, "servers", g_variant_builder_end (&b));
  g_settings_set_string (self->settings, "last-server", uri);
}

static void
set_error (GtkLabel   *label,
           const char *text)
{
  gtk_label_set_label (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
}

static void
update_status (IocWindow *self)
{
  gint64 contact;

  if (self->events == NULL || ioc_event_stream_get_connected (self->events))
    {
      /* One text from sign-in until the last page: a change when the
       * first rows show would redraw the header with them. */
      /* TRANSLATORS: in the header while the tasks arrive, newest first */
      gtk_label_set_label (self->status_label, self->model != NULL && ioc_task_model_get_loading (self->model)
                                               ? _("Loading tasks…") : "");
      return;
    }

  contact = ioc_event_stream_get_last_contact (self->events);
  if (contact == 0)
    gtk_label_set_label (self->status_label, _("Reconnecting…"));
  else
    {
      g_autofree char *when = ioc_format_time (contact);
      /* TRANSLATORS: shown while the live connection is down, with the time of the data on screen */
      g_autofree char *text = g_strdup_printf (_("Reconnecting… data as of %s"), when);

      gtk_label_set_label (self->status_label, text);
    }
}

/* Notifications */

static void
send_notification (IocWindow    *self,
                   gint64        task_id,
                   const char   *reason,
                   const char   *title,
                   const char   *body,
                   GNotificationPriority priority)
{
  g_autofree char *id = g_strdup_printf ("task-%" G_GINT64_FORMAT "-%s", task_id, reason);
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  /* One notification per task and reason, however often the event comes. */
  if (g_hash_table_contains (self->notified, id))
    return;
  g_hash_table_add (self->notified, g_strdup (id));

  if (application != NULL && g_application_get_is_registered (G_APPLICATION (application)))
    {
      g_autoptr(GNotification) notification = g_notification_new (title);

      g_notification_set_body (notification, body);
      g_notification_set_priority (notification, priority);
      /* Clicking it opens the task. */
      g_notification_set_default_action_and_target (notification, "app.show-task", "x", task_id);
      g_application_send_notification (G_APPLICATION (application), id, notification);
    }

  g_ptr_array_add (self->notifications, g_strdup (id));
  g_signal_emit (self, signals[NOTIFIED], 0, id, task_id);
}

static char *
task_line (IocTask *task)
{
  return g_strdup_printf ("#%" G_GINT64_FORMAT " %s", task->id, task->title ? task->title : "");
}

static void
maybe_notify_event (IocWindow *self,
                    IocEvent  *event)
{
  IocTask *task = event->task;
  IocTimelineEntry *entry = event->entry;
  g_autofree char *line = NULL;

  if (task == NULL || entry == NULL || self->user == NULL)
    return;
  /* The snapshot never notifies; the stream brings only what changed after
   * it. What a long outage left behind is caught up silently. */
  if (event->at != 0 && g_get_real_time () - event->at > NOTIFY_MAX_AGE)
    return;
  /* Nobody needs telling what they did themselves. */
  if (entry->actor_id != 0 && entry->actor_id == self->user->id)
    return;

  line = task_line (task);
  if (self->user->role == IOC_ROLE_LIAISON && entry->action == IOC_ACTION_FORWARD &&
      g_strcmp0 (task->department, self->user->department) == 0)
    send_notification (self, task->id, "forwarded", _("New task for your department"), line,
                       G_NOTIFICATION_PRIORITY_HIGH);
  else if (self->user->role == IOC_ROLE_OPERATOR && entry->action == IOC_ACTION_RETURN)
    {
      g_autofree char *body = entry->note && *entry->note
                              /* TRANSLATORS: a task and the reason its department gave for returning it */
                              ? g_strdup_printf (_("%s\nReason: %s"), line, entry->note)
                              : g_strdup (line);

      send_notification (self, task->id, "returned", _("A department returned a task"), body,
                         G_NOTIFICATION_PRIORITY_HIGH);
    }
}

static void
on_model_load_failed_cb (IocTaskModel *model,
                         GError       *error,
                         IocWindow    *self)
{
  /* TRANSLATORS: the newest tasks are shown but older ones could not be loaded; %s says why */
  g_autofree char *text = g_strdup_printf (_("Not every task could be loaded (%s). Reload to try again."),
                                           error->message);

  show_toast (self, text);
}

static void
on_model_task_overdue_cb (IocTaskModel  *model,
                          IocTaskObject *object,
                          IocWindow     *self)
{
  g_autofree char *line = NULL;

  if (!is_operator (self))
    return;
  line = task_line (ioc_task_object_get_task (object));
  send_notification (self, ioc_task_object_get_id (object), "overdue", _("A task is overdue"), line,
                     G_NOTIFICATION_PRIORITY_URGENT);
}

/* A task the server answered with: into the model, and the map re-reads
 * it (the map follows the model's list, not each task in it). */
static void
apply_task (IocWindow *self,
            IocTask   *task)
{
  IocEvent event = { .task = task };

  ioc_task_model_apply_event (self->model, &event);
  ioc_map_view_apply_event (self->map_view, &event);
}

static void
on_event_cb (IocEventStream *stream,
             IocEvent       *event,
             IocWindow      *self)
{
  IocTask *shown = ioc_task_details_get_task (self->details);

  ioc_task_model_apply_event (self->model, event);
  ioc_overview_apply_event (self->overview, event);
  ioc_map_view_apply_event (self->map_view, event);
  ioc_indicator_strip_apply_event (self->indicator_strip, event);
  ioc_indicators_page_apply_event (self->indicators_page, event);
  maybe_notify_event (self, event);

  /* The task on screen changed: show the new state and timeline entry. */
  if (event->task != NULL && shown != NULL && shown->id == event->task->id)
    {
      g_autoptr(IocTask) merged = ioc_task_copy (event->task);

      if (shown->timeline != NULL)
        {
          merged->timeline = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_timeline_entry_unref);
          for (guint i = 0; i < shown->timeline->len; i++)
            g_ptr_array_add (merged->timeline, ioc_timeline_entry_ref (g_ptr_array_index (shown->timeline, i)));
          if (event->entry != NULL)
            g_ptr_array_add (merged->timeline, ioc_timeline_entry_ref (event->entry));
        }
      /* A liaison's copy of a task has no reporter fields; keep what we had. */
      ioc_task_details_set_task (self->details, merged, self->user, ioc_task_model_get_reference (self->model));
    }
}

static void
stop_events (IocWindow *self)
{
  if (self->events != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->events, self);
      ioc_event_stream_stop (self->events);
      g_clear_object (&self->events);
    }
}

static void
on_session_ended_cb (IocEventStream *stream,
                     IocWindow      *self)
{
  stop_events (self);
  ioc_task_model_clear (self->model);
  set_error (self->sign_in_error_label, _("Your session has ended. Sign in again."));
  set_page (self, "sign-in");
}

static void
on_certificate_changed_cb (IocEventStream *stream,
                           GError         *error,
                           IocWindow      *self)
{
  stop_events (self);
  set_error (self->connect_error_label,
             _("The server's certificate has changed. The connection was refused: "
               "ask your administrator before trusting the new certificate."));
  set_page (self, "connect");
}

static void
on_reload_needed_cb (IocEventStream *stream,
                     IocWindow      *self)
{
  stop_events (self);
  load_tasks (self);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  IocWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 seq = ioc_task_model_load_finish (IOC_TASK_MODEL (source), result, &error);

  if (seq < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_error (self->sign_in_error_label, error->message);
          set_page (self, "sign-in");
        }
      return;
    }

  /* The categories, departments and communes came before the first page. */
  ioc_queue_view_set_reference (self->queue_view, ioc_task_model_get_reference (self->model));
  self->tasks_ready = TRUE;
  update_actions (self);

  stop_events (self);
  self->events = ioc_event_stream_new (self->client);
  g_signal_connect (self->events, "event", G_CALLBACK (on_event_cb), self);
  g_signal_connect (self->events, "session-ended", G_CALLBACK (on_session_ended_cb), self);
  g_signal_connect (self->events, "certificate-changed", G_CALLBACK (on_certificate_changed_cb), self);
  g_signal_connect (self->events, "reload-needed", G_CALLBACK (on_reload_needed_cb), self);
  g_signal_connect_swapped (self->events, "notify::connected", G_CALLBACK (update_status), self);
  ioc_event_stream_start (self->events, seq);
}

static void
load_tasks (IocWindow *self)
{
  g_autofree char *subtitle = g_strdup_printf ("%s — %s",
                                               self->user->display_name ? self->user->display_name
                                                                        : self->user->username,
                                               ioc_client_get_base_uri (self->client));

  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_label_set_label (self->user_label, subtitle);
  /* The control room shows at once, and the queue fills as the tasks come:
   * its first, heaviest frame is drawn while the first page is on its way,
   * not together with that page's rows. */
  self->tasks_ready = FALSE;
  set_page (self, "main");
  ioc_task_model_load_async (self->model, self->client, self->cancellable, loaded_cb, self);
  update_status (self);
  {
    g_autofree char *last_view = g_settings_get_string (self->settings, "last-view");

    /* The role's views, the last one chosen shown, over the list the pages
     * fill. Setting the model shows the role's first view: not a choice to
     * save. */
    self->restoring_view = TRUE;
    ioc_queue_view_set_model (self->queue_view, ioc_task_model_get_list (self->model),
                              self->user->role, self->user->department);
    ioc_queue_view_set_view_name (self->queue_view, last_view);
    self->restoring_view = FALSE;
  }
  /* The map shows what the queue shows: it follows the view, filters and search. */
  ioc_map_view_set_tasks (self->map_view, ioc_queue_view_get_shown (self->queue_view));
  /* The rest of the control room fetches its own data meanwhile: what it
   * changes on screen shows in frames of its own. */
  if (self->user->role != IOC_ROLE_LIAISON)
    ioc_overview_set_client (self->overview, self->client);
  ioc_map_view_set_client (self->map_view, self->client);
  ioc_indicator_strip_set_client (self->indicator_strip, self->client);
  ioc_indicators_page_set_client (self->indicators_page, self->client, self->user);
  gtk_widget_set_visible (self->sign_out_button, TRUE);
  /* While the first tasks come: their letters, drawn once before they show. */
  ioc_glyph_warmup_start (GTK_WIDGET (self->queue_view));
}

static void
take_user (IocWindow *self,
           IocUser   *user)
{
  g_clear_pointer (&self->user, ioc_user_unref);
  self->user = user;
}

/* Connecting */

static void
probed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  IocWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = ioc_client_probe_finish (IOC_CLIENT (source), result, &error);
  g_autofree char *pinned = NULL;

  if (fingerprint == NULL)
    {
      set_error (self->connect_error_label, error->message);
      return;
    }

  pinned = lookup_pinned (self, ioc_client_get_base_uri (self->client));
  if (pinned != NULL && !g_str_equal (pinned, fingerprint))
    {
      g_autofree char *text =
        g_strdup_printf (_("The server's certificate has changed. The connection was refused: it presents %s, "
                           "but you trusted %s. Ask your administrator before going on."), fingerprint, pinned);

      set_error (self->connect_error_label, text);
      gtk_widget_set_visible (self->fingerprint_box, FALSE);
      return;
    }

  g_free (self->probed_fingerprint);
  self->probed_fingerprint = g_steal_pointer (&fingerprint);
  gtk_label_set_label (self->fingerprint_label, self->probed_fingerprint);
  gtk_widget_set_visible (self->fingerprint_box, TRUE);
}

static char *
normalise_uri (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));

  if (*stripped == '\0')
    return NULL;
  if (!g_str_has_prefix (stripped, "https://"))
    return g_strconcat ("https://", stripped, NULL);
  while (g_str_has_suffix (stripped, "/"))
    stripped[strlen (stripped) - 1] = '\0';
  return g_steal_pointer (&stripped);
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  IocWindow *self = IOC_WINDOW (widget);
  g_autofree char *uri = normalise_uri (gtk_editable_get_text (GTK_EDITABLE (self->server_entry)));

  set_error (self->connect_error_label, NULL);
  gtk_widget_set_visible (self->fingerprint_box, FALSE);
  if (uri == NULL)
    {
      set_error (self->connect_error_label, _("Enter the server's address, for example https://ioc.example:8443"));
      return;
    }

  g_clear_object (&self->client);
  self->client = ioc_client_new (uri, NULL);
  ioc_client_probe_async (self->client, self->cancellable, probed_cb, self);
}

static void
trust_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  IocWindow *self = IOC_WINDOW (widget);

  if (self->client == NULL || self->probed_fingerprint == NULL)
    return;

  ioc_client_set_fingerprint (self->client, self->probed_fingerprint);
  save_pinned (self, ioc_client_get_base_uri (self->client), self->probed_fingerprint);
  set_page (self, "sign-in");
  gtk_widget_grab_focus (GTK_WIDGET (self->username_entry));
}

/* Signing in */

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  IocWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ioc_secret_store_finish (result, &error))
    {
      g_autofree char *text = g_strdup_printf (_("No keyring is available (%s): you will be asked for your "
                                                 "password at each start."), error->message);

      show_toast (self, text);
    }
}

static void
signed_in_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  IocWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  IocUser *user = ioc_client_sign_in_finish (IOC_CLIENT (source), result, &error);

  gtk_widget_set_sensitive (GTK_WIDGET (self->password_entry), TRUE);
  if (user == NULL)
    {
      set_error (self->sign_in_error_label, error->message);
      return;
    }

  take_user (self, user);
  set_error (self->sign_in_error_label, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
  g_settings_set_string (self->settings, "last-username", user->username);
  ioc_secret_store_async (ioc_client_get_base_uri (self->client), user->username,
                          ioc_client_get_token (self->client), self->cancellable, stored_cb, self);
  load_tasks (self);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  IocWindow *self = IOC_WINDOW (widget);
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_entry));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));

  if (self->client == NULL)
    return;
  if (*username == '\0' || *password == '\0')
    {
      set_error (self->sign_in_error_label, _("Enter your user name and password."));
      return;
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->password_entry), FALSE);
  ioc_client_sign_in_async (self->client, username, password, self->cancellable, signed_in_cb, self);
}

static void
signed_out_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ioc_client_sign_out_finish (IOC_CLIENT (source), result, NULL);
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  IocWindow *self = IOC_WINDOW (widget);

  if (self->client == NULL || self->user == NULL)
    return;

  stop_events (self);
  ioc_secret_clear_async (ioc_client_get_base_uri (self->client), self->user->username, NULL, NULL, NULL);
  ioc_client_sign_out_async (self->client, NULL, signed_out_cb, NULL);
  ioc_task_model_clear (self->model);
  ioc_task_details_set_task (self->details, NULL, NULL, NULL);
  take_user (self, NULL);
  gtk_widget_set_visible (self->sign_out_button, FALSE);
  adw_window_title_set_subtitle (self->window_title, "");
  gtk_label_set_label (self->user_label, "");
  ioc_overview_set_client (self->overview, NULL);
  ioc_map_view_set_tasks (self->map_view, NULL);
  ioc_map_view_set_client (self->map_view, NULL);
  ioc_indicator_strip_set_client (self->indicator_strip, NULL);
  ioc_indicators_page_set_client (self->indicators_page, NULL, NULL);
  g_hash_table_remove_all (self->notified);
  set_page (self, "sign-in");
}

/* Resuming a stored session on start */

static void
resumed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  IocWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  IocUser *user = ioc_client_resume_finish (IOC_CLIENT (source), result, &error);

  if (user == NULL)
    {
      if (g_error_matches (error, IOC_CLIENT_ERROR, IOC_CLIENT_ERROR_CERTIFICATE_CHANGED))
        {
          set_error (self->connect_error_label, error->message);
          set_page (self, "connect");
          return;
        }
      set_page (self, "sign-in");
      return;
    }

  take_user (self, user);
  load_tasks (self);
}

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  IocWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *username = NULL;
  g_autofree char *token = ioc_secret_lookup_finish (result, &username, &error);

  if (token == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("No keyring is available (%s): you will be asked for your "
                                                     "password at each start."), error->message);
          gtk_label_set_label (self->keyring_label, text);
          gtk_widget_set_visible (GTK_WIDGET (self->keyring_label), TRUE);
        }
      set_page (self, "sign-in");
      return;
    }

  if (username != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->username_entry), username);
  ioc_client_set_token (self->client, token);
  ioc_client_resume_async (self->client, self->cancellable, resumed_cb, self);
}

void
ioc_window_set_server (IocWindow  *self,
                       const char *uri)
{
  g_autofree char *normal = normalise_uri (uri);
  g_autofree char *pinned = normal ? lookup_pinned (self, normal) : NULL;
  g_autofree char *last_user = g_settings_get_string (self->settings, "last-username");

  gtk_editable_set_text (GTK_EDITABLE (self->server_entry), normal ? normal : "");
  if (*last_user)
    gtk_editable_set_text (GTK_EDITABLE (self->username_entry), last_user);

  if (normal == NULL || pinned == NULL)
    {
      set_page (self, "connect");
      return;
    }

  /* A server trusted before: straight to the stored session, if any. */
  g_clear_object (&self->client);
  self->client = ioc_client_new (normal, pinned);
  set_page (self, "loading");
  ioc_secret_lookup_async (normal, self->cancellable, looked_up_cb, self);
}

/* Task details and actions */

static void
details_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  IocWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ioc_client_get_json_finish (IOC_CLIENT (source), result, &error);
  g_autoptr(IocTask) task = NULL;

  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, error->message);
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    task = ioc_task_from_json (json_node_get_object (node), &error);
  if (task == NULL)
    {
      show_toast (self, _("The server sent a task this console cannot read."));
      return;
    }

  apply_task (self, task);
  ioc_task_details_set_task (self->details, task, self->user, ioc_task_model_get_reference (self->model));
}

static void
show_task (IocWindow *self,
           gint64     id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT, id);

  ioc_client_get_json_async (self->client, path, self->cancellable, details_cb, self);
}

static void
on_queue_view_task_selected_cb (IocWindow     *self,
                                IocTaskObject *object)
{
  if (object == NULL)
    return;

  /* Show what is known at once; the timeline follows from the server. */
  ioc_task_details_set_task (self->details, ioc_task_object_get_task (object), self->user,
                             ioc_task_model_get_reference (self->model));
  ioc_map_view_select_task (self->map_view, ioc_task_object_get_id (object));
  show_task (self, ioc_task_object_get_id (object));
}

/* A click on a task's point on the map: the queue selects it and the
 * details show it (on a narrow window, the list's page comes forward). */
static void
on_map_view_task_activated_cb (IocWindow *self,
                               gint64     id)
{
  ioc_window_show_task (self, id);
}

static void
on_indicator_strip_activated_cb (IocWindow  *self,
                                 const char *code)
{
  adw_view_stack_set_visible_child_name (self->view_stack, "indicators");
  ioc_indicators_page_open_indicator (self->indicators_page, code);
}

/* The control-room layout */

/* From this width on, the map, the list and the indicator strip fit
 * together (a 1920×1080 desk or wall screen); below it each has its page. */
#define WIDE_LAYOUT_WIDTH 1500

static gboolean
wants_wide_layout (IocWindow *self)
{
  g_autofree char *layout = NULL;

  if (self->settings == NULL)
    return gtk_widget_get_width (GTK_WIDGET (self)) >= WIDE_LAYOUT_WIDTH;
  layout = g_settings_get_string (self->settings, "layout");
  if (g_str_equal (layout, "control-room"))
    return TRUE;
  if (g_str_equal (layout, "compact"))
    return FALSE;
  return gtk_widget_get_width (GTK_WIDGET (self)) >= WIDE_LAYOUT_WIDTH;
}

static void
apply_layout (IocWindow *self)
{
  GtkWidget *map = GTK_WIDGET (self->map_view);
  gboolean wide = wants_wide_layout (self);
  GtkWidget *slot = wide ? self->wide_map_slot : self->narrow_map_slot;

  if (self->layout_applied && wide == self->wide)
    return;
  self->layout_applied = TRUE;
  self->wide = wide;

  /* One map: it moves between the side of the list and a page of its own. */
  if (gtk_widget_get_parent (map) != slot)
    {
      g_object_ref (map);
      gtk_box_remove (GTK_BOX (gtk_widget_get_parent (map)), map);
      gtk_box_append (GTK_BOX (slot), map);
      g_object_unref (map);
    }
  gtk_widget_set_visible (self->wide_map_slot, wide);
  gtk_widget_set_visible (GTK_WIDGET (self->indicator_strip), wide);
  adw_view_stack_page_set_visible (self->map_page, !wide);
  if (wide && g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "map") == 0)
    adw_view_stack_set_visible_child_name (self->view_stack, "tasks");
}

static gboolean
layout_idle_cb (gpointer data)
{
  IocWindow *self = data;

  self->layout_idle_id = 0;
  apply_layout (self);
  return G_SOURCE_REMOVE;
}

/* The widget tree cannot change while it is being allocated: the switch
 * happens right after. */
static void
ioc_window_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ioc_window_parent_class)->realize (widget);
  ioc_x11_frames_keep_shm_pool (widget);
}

static void
ioc_window_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  IocWindow *self = IOC_WINDOW (widget);

  GTK_WIDGET_CLASS (ioc_window_parent_class)->size_allocate (widget, width, height, baseline);
  if ((!self->layout_applied || wants_wide_layout (self) != self->wide) && self->layout_idle_id == 0)
    self->layout_idle_id = g_idle_add (layout_idle_cb, self);
}

/* On a video wall the window is all content: the header goes with
 * fullscreen and comes back with F11. */
static void
on_fullscreened_cb (IocWindow *self)
{
  gtk_widget_set_visible (self->header_bar, !gtk_window_is_fullscreen (GTK_WINDOW (self)));
}

gboolean
ioc_window_get_wide_layout (IocWindow *self)
{
  return self->wide;
}

IocMapView *
ioc_window_get_map_view (IocWindow *self)
{
  return self->map_view;
}

IocIndicatorsPage *
ioc_window_get_indicators_page (IocWindow *self)
{
  return self->indicators_page;
}

typedef struct _ActionData {
  IocWindow        *self;
  IocActionRequest *request;
  gint64            task_id;
  char             *key;
  AdwMessageDialog *dialog;
  GtkWidget        *note_entry;
  GtkDropDown      *department_dropdown;
  GPtrArray        *department_codes;
  /* The due time, edited as a date and a time in the city's time zone. */
  GtkCalendar      *due_calendar;
  GtkMenuButton    *due_date_button;
  GtkSpinButton    *due_hour;
  GtkSpinButton    *due_minute;
  GtkLabel         *due_hint;
} ActionData;

static void
action_data_free (ActionData *data)
{
  if (data->self != NULL && data->self->action_data == data)
    data->self->action_data = NULL;
  ioc_action_request_free (data->request);
  g_free (data->key);
  g_clear_pointer (&data->department_codes, g_ptr_array_unref);
  g_free (data);
}

static void send_action (ActionData *data);

static void
on_retry_clicked_cb (AdwToast   *toast,
                     ActionData *data)
{
  send_action (data);
}

static void
acted_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ActionData *data = user_data;
  IocWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_body = NULL;
  g_autoptr(JsonNode) node = ioc_client_post_json_finish (IOC_CLIENT (source), result, &error_body, &error);

  if (node != NULL)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          g_autoptr(IocTask) task = ioc_task_from_json (json_node_get_object (node), NULL);

          if (task != NULL)
            apply_task (self, task);
        }
      show_task (self, data->task_id);
      action_data_free (data);
      return;
    }

  if (g_error_matches (error, IOC_ERROR, IOC_ERROR_CONFLICT) ||
      g_error_matches (error, IOC_ERROR, IOC_ERROR_WRONG_STATE))
    {
      const char *who = NULL;
      const char *state = NULL;
      g_autofree char *text = NULL;

      if (error_body != NULL && JSON_NODE_HOLDS_OBJECT (error_body))
        {
          JsonObject *root = json_node_get_object (error_body);
          JsonObject *err = json_object_get_object_member (root, "error");
          JsonObject *task = json_object_has_member (root, "task") ? json_object_get_object_member (root, "task") : NULL;

          who = err ? json_object_get_string_member_with_default (err, "changed_by", NULL) : NULL;
          state = task ? json_object_get_string_member_with_default (task, "state", NULL) : NULL;
        }
      /* TRANSLATORS: someone else changed the task first; the second %s is its new state */
      text = g_strdup_printf (_("%s changed this task first: it is now “%s”. Look again before acting."),
                              who ? who : _("Someone"),
                              state ? ioc_task_state_get_label (ioc_task_state_from_string (state)) : "");
      show_toast (self, text);
      show_task (self, data->task_id);
      action_data_free (data);
      return;
    }

  {
    AdwToast *toast = adw_toast_new (error->message);

    remember_toast (self, error->message);
    /* The retry sends the same Idempotency-Key: it can never act twice. */
    adw_toast_set_button_label (toast, _("Retry"));
    adw_toast_set_timeout (toast, 0);
    g_signal_connect (toast, "button-clicked", G_CALLBACK (on_retry_clicked_cb), data);
    g_object_set_data_full (G_OBJECT (toast), "ioc-action-data", data, (GDestroyNotify) action_data_free);
    adw_toast_overlay_add_toast (self->toast_overlay, toast);
  }
}

static ActionData *
action_data_copy (ActionData *data)
{
  ActionData *copy = g_new0 (ActionData, 1);

  copy->self = data->self;
  copy->task_id = data->task_id;
  copy->key = g_strdup (data->key);
  copy->request = ioc_action_request_new (data->request->action);
  copy->request->version = data->request->version;
  copy->request->note = g_strdup (data->request->note);
  copy->request->department = g_strdup (data->request->department);
  copy->request->due_at = data->request->due_at;
  copy->request->duplicate_of = data->request->duplicate_of;
  copy->request->rating = data->request->rating;
  return copy;
}

/* Sends a copy: the request in flight owns it, whoever called keeps @data
 * (a retry toast sends it again with the same Idempotency-Key). */
static void
send_action (ActionData *data)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT "/%s", data->task_id,
                                           ioc_action_to_string (data->request->action));
  g_autoptr(JsonNode) body = ioc_action_request_to_json (data->request);

  ioc_client_post_json_async (data->self->client, path, body, data->key, NULL, acted_cb,
                              action_data_copy (data));
}

/* The due time in the dialog, or 0 when the date is not set. */
static gint64
dialog_due_at (ActionData *data)
{
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) due = NULL;

  if (data->due_calendar == NULL)
    return 0;
  day = gtk_calendar_get_date (data->due_calendar);
  due = g_date_time_new (tz, g_date_time_get_year (day), g_date_time_get_month (day),
                         g_date_time_get_day_of_month (day), gtk_spin_button_get_value_as_int (data->due_hour),
                         gtk_spin_button_get_value_as_int (data->due_minute), 0);
  return due != NULL ? g_date_time_to_unix (due) * G_USEC_PER_SEC : 0;
}

static void
set_dialog_due_at (ActionData *data,
                   gint64      usec)
{
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) due = g_date_time_to_timezone (utc, tz);
  g_autoptr(GDateTime) day = NULL;

  /* The calendar only keeps a day: give it the city's date, whatever the
   * desktop's time zone. */
  day = g_date_time_new_local (g_date_time_get_year (due), g_date_time_get_month (due),
                               g_date_time_get_day_of_month (due), 12, 0, 0);
  gtk_calendar_select_day (data->due_calendar, day);
  gtk_spin_button_set_value (data->due_hour, g_date_time_get_hour (due));
  gtk_spin_button_set_value (data->due_minute, g_date_time_get_minute (due));
}

/* Whether the dialog holds what the action needs, and the due time in words. */
static void
validate_action_dialog (ActionData *data)
{
  const IocWorkflowRule *rule = ioc_workflow_rule (data->request->action);
  gboolean ok = TRUE;

  if ((rule->required & IOC_FIELD_NOTE) && data->note_entry != NULL)
    {
      g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->note_entry))));

      ok = ok && *note != '\0';
    }

  if (data->due_calendar != NULL)
    {
      gint64 due = dialog_due_at (data);
      gint64 now = g_get_real_time ();
      g_autoptr(GTimeZone) tz = ioc_time_zone ();
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (due / G_USEC_PER_SEC);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
      /* TRANSLATORS: the date on the due date button; Vietnamese uses dd/MM/yyyy */
      g_autofree char *date = g_date_time_format (local, _("%d/%m/%Y"));
      g_autofree char *hint = NULL;

      gtk_menu_button_set_label (data->due_date_button, date);
      if (due <= now)
        {
          hint = g_strdup (_("The due time has passed: choose a later one."));
          gtk_widget_add_css_class (GTK_WIDGET (data->due_hint), "error");
          ok = FALSE;
        }
      else
        {
          g_autofree char *left = ioc_format_duration (due - now);

          /* TRANSLATORS: how long the department has until the due time, e.g. "in 2 days" */
          hint = g_strdup_printf (_("Due in %s (Cần Thơ time)"), left);
          gtk_widget_remove_css_class (GTK_WIDGET (data->due_hint), "error");
        }
      gtk_label_set_label (data->due_hint, hint);
    }

  adw_message_dialog_set_response_enabled (data->dialog, "apply", ok);
}

static void
on_action_dialog_response_cb (AdwMessageDialog *dialog,
                              const char       *response,
                              ActionData       *data)
{
  const IocWorkflowRule *rule = ioc_workflow_rule (data->request->action);

  if (data->self->action_data == data)
    data->self->action_data = NULL;

  if (!g_str_equal (response, "apply"))
    {
      action_data_free (data);
      return;
    }

  if (data->note_entry != NULL)
    {
      g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->note_entry))));

      if (*note)
        data->request->note = g_steal_pointer (&note);
    }
  if (data->department_dropdown != NULL)
    {
      guint i = gtk_drop_down_get_selected (data->department_dropdown);

      if (i < data->department_codes->len)
        data->request->department = g_strdup (g_ptr_array_index (data->department_codes, i));
    }
  if (data->due_calendar != NULL)
    data->request->due_at = dialog_due_at (data);

  if ((rule->required & IOC_FIELD_NOTE) && data->request->note == NULL)
    {
      show_toast (data->self, _("This action needs a reason or a note."));
      action_data_free (data);
      return;
    }
  if (data->due_calendar != NULL && data->request->due_at <= g_get_real_time ())
    {
      show_toast (data->self, _("The due time has passed: forward again with a later one."));
      action_data_free (data);
      return;
    }

  send_action (data);
  action_data_free (data);
}

static void
on_due_day_selected_cb (GtkCalendar *calendar,
                        ActionData  *data)
{
  gtk_menu_button_popdown (data->due_date_button);
  validate_action_dialog (data);
}

/* Hours and minutes read as on a clock: "07:05". */
static gboolean
on_clock_spin_output_cb (GtkSpinButton *spin,
                         gpointer       user_data)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (spin))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static GtkWidget *
build_due_editor (ActionData  *data,
                  IocCategory *category)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (_("Due time"));
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *colon = gtk_label_new (":");
  gint64 hours = category != NULL && category->sla_hours > 0 ? category->sla_hours : 0;
  g_autofree char *sla = NULL;
  GtkWidget *sla_label;

  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);

  data->due_calendar = GTK_CALENDAR (gtk_calendar_new ());
  gtk_popover_set_child (GTK_POPOVER (popover), GTK_WIDGET (data->due_calendar));
  data->due_date_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_popover (data->due_date_button, popover);
  gtk_widget_set_tooltip_text (GTK_WIDGET (data->due_date_button), _("Due date"));
  gtk_widget_set_hexpand (GTK_WIDGET (data->due_date_button), TRUE);

  data->due_hour = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 23, 1));
  data->due_minute = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 59, 5));
  gtk_spin_button_set_wrap (data->due_hour, TRUE);
  gtk_spin_button_set_wrap (data->due_minute, TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (data->due_hour), _("Hour (24-hour clock)"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (data->due_minute), _("Minute"));
  gtk_widget_add_css_class (GTK_WIDGET (data->due_hour), "numeric");
  gtk_widget_add_css_class (GTK_WIDGET (data->due_minute), "numeric");
  g_signal_connect (data->due_hour, "output", G_CALLBACK (on_clock_spin_output_cb), NULL);
  g_signal_connect (data->due_minute, "output", G_CALLBACK (on_clock_spin_output_cb), NULL);

  gtk_box_append (GTK_BOX (row), GTK_WIDGET (data->due_date_button));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (data->due_hour));
  gtk_box_append (GTK_BOX (row), colon);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (data->due_minute));
  gtk_box_append (GTK_BOX (box), row);

  data->due_hint = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (data->due_hint, 0);
  gtk_label_set_wrap (data->due_hint, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (data->due_hint));

  if (hours > 0)
    /* TRANSLATORS: where the default due time comes from, e.g. "Default: 48 hours, the processing time of Đèn đường" */
    sla = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Default: %d hour, the processing time of “%s”",
                                        "Default: %d hours, the processing time of “%s”", hours),
                           (int) hours, category->name_vi);
  else
    sla = g_strdup (_("This category has no processing time: choose the due time."));
  sla_label = gtk_label_new (sla);
  gtk_label_set_xalign (GTK_LABEL (sla_label), 0);
  gtk_label_set_wrap (GTK_LABEL (sla_label), TRUE);
  gtk_widget_add_css_class (sla_label, "dim-label");
  gtk_box_append (GTK_BOX (box), sla_label);

  /* The category's processing time from now, to the minute. */
  set_dialog_due_at (data, g_get_real_time () + (hours > 0 ? hours : 24) * 3600 * G_USEC_PER_SEC);

  g_signal_connect (data->due_calendar, "day-selected", G_CALLBACK (on_due_day_selected_cb), data);
  g_signal_connect_swapped (data->due_hour, "value-changed", G_CALLBACK (validate_action_dialog), data);
  g_signal_connect_swapped (data->due_minute, "value-changed", G_CALLBACK (validate_action_dialog), data);
  return box;
}

static void
open_action_dialog (IocWindow *self,
                    IocTask   *task,
                    IocAction  action)
{
  const IocWorkflowRule *rule = ioc_workflow_rule (action);
  IocReference *reference = ioc_task_model_get_reference (self->model);
  IocCategory *category = task->category ? g_hash_table_lookup (reference->categories, task->category) : NULL;
  AdwMessageDialog *dialog;
  GtkWidget *box;
  ActionData *data;
  g_autofree char *heading = NULL;
  g_autofree char *number = NULL;

  data = g_new0 (ActionData, 1);
  data->self = self;
  data->task_id = task->id;
  data->key = ioc_client_new_idempotency_key ();
  data->request = ioc_action_request_new (action);
  data->request->version = task->version;

  number = g_strdup_printf ("#%" G_GINT64_FORMAT, task->id);
  /* TRANSLATORS: dialog heading: an action and a task number, e.g. "Forward task #42" */
  heading = g_strdup_printf (_("%s task %s"), ioc_action_get_label (action), number);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, task->title));
  data->dialog = dialog;
  adw_message_dialog_add_responses (dialog, "cancel", _("Cancel"), "apply", ioc_action_get_label (action), NULL);
  adw_message_dialog_set_response_appearance (dialog, "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "apply");
  adw_message_dialog_set_close_response (dialog, "cancel");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  if ((rule->required | rule->optional) & IOC_FIELD_DEPARTMENT)
    {
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
      g_autoptr(GList) codes = g_list_sort (g_hash_table_get_keys (reference->departments), (GCompareFunc) g_strcmp0);
      guint preselect = 0;

      data->department_codes = g_ptr_array_new_with_free_func (g_free);
      for (GList *l = codes; l != NULL; l = l->next)
        {
          IocDepartment *d = g_hash_table_lookup (reference->departments, l->data);

          if (category != NULL && g_strcmp0 (category->department, d->code) == 0)
            preselect = data->department_codes->len;
          g_ptr_array_add (data->department_codes, g_strdup (d->code));
          gtk_string_list_append (names, d->name_vi);
        }
      data->department_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL));
      gtk_widget_set_tooltip_text (GTK_WIDGET (data->department_dropdown), _("Department"));
      /* The category's department first: it is the usual choice. */
      gtk_drop_down_set_selected (data->department_dropdown, preselect);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (data->department_dropdown));
    }
  if ((rule->required | rule->optional) & IOC_FIELD_DUE_AT)
    gtk_box_append (GTK_BOX (box), build_due_editor (data, category));
  if ((rule->required | rule->optional) & IOC_FIELD_NOTE)
    {
      data->note_entry = gtk_entry_new ();
      gtk_entry_set_placeholder_text (GTK_ENTRY (data->note_entry),
                                      (rule->required & IOC_FIELD_NOTE) ? _("Reason or result (required)")
                                                                        : _("Note (optional)"));
      gtk_entry_set_activates_default (GTK_ENTRY (data->note_entry), TRUE);
      g_signal_connect_swapped (data->note_entry, "changed", G_CALLBACK (validate_action_dialog), data);
      gtk_box_append (GTK_BOX (box), data->note_entry);
    }
  adw_message_dialog_set_extra_child (dialog, box);
  validate_action_dialog (data);

  self->action_data = data;
  g_signal_connect (dialog, "response", G_CALLBACK (on_action_dialog_response_cb), data);
  track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  if (data->note_entry != NULL && (rule->required & IOC_FIELD_NOTE))
    gtk_widget_grab_focus (data->note_entry);
}

static void
on_details_action_requested_cb (IocTaskDetails *details,
                                int             action,
                                IocWindow      *self)
{
  IocTask *task = ioc_task_details_get_task (details);

  if (task == NULL || ioc_workflow_rule (action) == NULL)
    return;
  open_action_dialog (self, task, action);
}

/* Several tasks at once, and new ones */

static gboolean
may_forward (IocWindow *self,
             IocTask   *task)
{
  return ioc_workflow_check (IOC_ACTION_FORWARD, task->state, self->user->role, FALSE, TRUE) == IOC_WORKFLOW_OK;
}

static void
on_bulk_task_forwarded_cb (IocBulkForwardDialog *dialog,
                           IocTask              *task,
                           IocWindow            *self)
{
  IocTask *shown = ioc_task_details_get_task (self->details);

  apply_task (self, task);
  if (shown != NULL && shown->id == task->id)
    show_task (self, task->id);
}

static void
forward_selected_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  IocWindow *self = IOC_WINDOW (widget);
  g_autoptr(GPtrArray) selected = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  GtkWidget *dialog;
  guint skipped;

  if (!is_operator (self) || self->client == NULL)
    return;

  selected = ioc_queue_view_get_selected (self->queue_view);
  tasks = g_ptr_array_new ();
  for (guint i = 0; i < selected->len; i++)
    {
      IocTask *task = ioc_task_object_get_task (g_ptr_array_index (selected, i));

      if (may_forward (self, task))
        g_ptr_array_add (tasks, task);
    }
  skipped = selected->len - tasks->len;

  if (tasks->len == 0)
    {
      show_toast (self, selected->len == 0
                        ? _("Select the tasks to forward first (Ctrl or Shift and click).")
                        : _("None of the selected tasks can be forwarded: only verified or returned tasks can."));
      return;
    }

  dialog = ioc_bulk_forward_dialog_new (GTK_WINDOW (self), self->client,
                                        ioc_task_model_get_reference (self->model), tasks);
  g_signal_connect_object (dialog, "task-forwarded", G_CALLBACK (on_bulk_task_forwarded_cb), self, 0);
  track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));

  if (skipped > 0)
    {
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%u selected task was left out: it is not verified or returned.",
                                      "%u selected tasks were left out: they are not verified or returned.",
                                      skipped), skipped);
      show_toast (self, text);
    }
}

static void
on_intake_created_cb (GtkWidget *dialog,
                      IocTask   *task,
                      IocWindow *self)
{
  apply_task (self, task);
  ioc_queue_view_select_task (self->queue_view, task->id);
  ioc_task_details_set_task (self->details, task, self->user, ioc_task_model_get_reference (self->model));
  show_task (self, task->id);
}

static void
new_task_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  IocWindow *self = IOC_WINDOW (widget);
  GtkWidget *dialog;

  if (!is_operator (self) || self->client == NULL)
    return;

  dialog = ioc_intake_dialog_new (GTK_WINDOW (self), self->client, ioc_task_model_get_reference (self->model));
  g_signal_connect_object (dialog, "created", G_CALLBACK (on_intake_created_cb), self, 0);
  track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Window actions */

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IocWindow *self = IOC_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "tasks");
  ioc_queue_view_focus_search (self->queue_view);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IocWindow *self = IOC_WINDOW (widget);

  if (self->client == NULL || self->user == NULL)
    return;
  stop_events (self);
  load_tasks (self);
}

static void
fullscreen_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  if (gtk_window_is_fullscreen (GTK_WINDOW (widget)))
    gtk_window_unfullscreen (GTK_WINDOW (widget));
  else
    gtk_window_fullscreen (GTK_WINDOW (widget));
}

static void
show_task_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ioc_window_show_task (IOC_WINDOW (widget), g_variant_get_int64 (parameter));
}

void
ioc_window_show_task (IocWindow *self,
                      gint64     id)
{
  IocTaskObject *object;

  if (self->client == NULL || self->user == NULL)
    return;

  adw_view_stack_set_visible_child_name (self->view_stack, "tasks");
  object = ioc_task_model_find (self->model, id);
  if (object != NULL)
    {
      gtk_selection_model_unselect_all (ioc_queue_view_get_selection (self->queue_view));
      ioc_queue_view_select_task (self->queue_view, id);
      ioc_task_details_set_task (self->details, ioc_task_object_get_task (object), self->user,
                                 ioc_task_model_get_reference (self->model));
    }
  /* Also when the queue's view hides it: the details show it anyway. */
  show_task (self, id);
}

static void
on_queue_view_notify_view_cb (IocWindow *self)
{
  g_autofree char *name = NULL;

  if (self->restoring_view || self->settings == NULL)
    return;
  name = ioc_queue_view_dup_view_name (self->queue_view);
  g_settings_set_string (self->settings, "last-view", name);
}

/* GObject */

IocQueueView *
ioc_window_get_queue_view (IocWindow *self)
{
  return self->queue_view;
}

IocTaskDetails *
ioc_window_get_details (IocWindow *self)
{
  return self->details;
}

IocTaskModel *
ioc_window_get_model (IocWindow *self)
{
  return self->model;
}

const char *
ioc_window_get_page (IocWindow *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
ioc_window_get_tasks_ready (IocWindow *self)
{
  g_return_val_if_fail (IOC_IS_WINDOW (self), FALSE);

  return g_strcmp0 (ioc_window_get_page (self), "main") == 0 && self->tasks_ready;
}

void
ioc_window_set_credentials (IocWindow  *self,
                            const char *username,
                            const char *password)
{
  gtk_editable_set_text (GTK_EDITABLE (self->username_entry), username);
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), password);
}

const char *
ioc_window_get_fingerprint_shown (IocWindow *self)
{
  return gtk_widget_get_visible (self->fingerprint_box) ? gtk_label_get_label (self->fingerprint_label) : NULL;
}

const char *
ioc_window_get_error_shown (IocWindow *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->connect_error_label)))
    return gtk_label_get_label (self->connect_error_label);
  if (gtk_widget_get_visible (GTK_WIDGET (self->sign_in_error_label)))
    return gtk_label_get_label (self->sign_in_error_label);
  return NULL;
}

GtkWindow *
ioc_window_get_open_dialog (IocWindow *self)
{
  return self->open_dialog;
}

const char *
ioc_window_get_last_toast (IocWindow *self)
{
  return self->last_toast;
}

GPtrArray *
ioc_window_get_notifications (IocWindow *self)
{
  return self->notifications;
}

gint64
ioc_window_get_action_due (IocWindow *self)
{
  return self->action_data != NULL ? dialog_due_at (self->action_data) : 0;
}

void
ioc_window_set_action_due (IocWindow *self,
                           gint64     usec)
{
  if (self->action_data != NULL && self->action_data->due_calendar != NULL)
    {
      set_dialog_due_at (self->action_data, usec);
      validate_action_dialog (self->action_data);
    }
}

void
ioc_window_set_action_note (IocWindow  *self,
                            const char *note)
{
  if (self->action_data != NULL && self->action_data->note_entry != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->action_data->note_entry), note);
}

gboolean
ioc_window_respond_action (IocWindow *self,
                           gboolean   apply)
{
  AdwMessageDialog *dialog;

  if (self->action_data == NULL)
    return FALSE;
  dialog = self->action_data->dialog;
  if (apply && !adw_message_dialog_get_response_enabled (dialog, "apply"))
    return FALSE;
  adw_message_dialog_response (dialog, apply ? "apply" : "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  return TRUE;
}

void
ioc_window_open_action_dialog (IocWindow *self,
                               IocAction  action)
{
  IocTask *task = ioc_task_details_get_task (self->details);

  if (task != NULL && ioc_workflow_rule (action) != NULL)
    open_action_dialog (self, task, action);
}

/* Size and state are kept for the next start. */
static void
save_window_state (IocWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  /* A maximized or fullscreen window keeps the size it had before. */
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && !gtk_window_is_fullscreen (GTK_WINDOW (self)) &&
      width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

static gboolean
ioc_window_close_request (GtkWindow *window)
{
  save_window_state (IOC_WINDOW (window));
  return GTK_WINDOW_CLASS (ioc_window_parent_class)->close_request (window);
}

static void
ioc_window_dispose (GObject *object)
{
  IocWindow *self = IOC_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  stop_events (self);
  g_clear_handle_id (&self->status_id, g_source_remove);
  g_clear_handle_id (&self->layout_idle_id, g_source_remove);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_WINDOW);
  g_clear_weak_pointer (&self->open_dialog);
  if (self->action_data != NULL)
    self->action_data->self->action_data = NULL;
  g_clear_object (&self->client);
  g_clear_object (&self->model);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->user, ioc_user_unref);
  g_clear_pointer (&self->probed_fingerprint, g_free);
  g_clear_pointer (&self->last_toast, g_free);
  g_clear_pointer (&self->notified, g_hash_table_unref);
  g_clear_pointer (&self->notifications, g_ptr_array_unref);

  G_OBJECT_CLASS (ioc_window_parent_class)->dispose (object);
}

static void
ioc_window_class_init (IocWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ioc_window_dispose;
  window_class->close_request = ioc_window_close_request;
  widget_class->realize = ioc_window_realize;
  widget_class->size_allocate = ioc_window_size_allocate;

  /**
   * IocWindow::notified:
   * @id: the notification's id ("task-42-overdue")
   * @task_id: the task it is about
   *
   * A desktop notification was sent (also without a notification service).
   */
  signals[NOTIFIED] =
    g_signal_new ("notified", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT64);

  g_type_ensure (IOC_TYPE_QUEUE_VIEW);
  g_type_ensure (IOC_TYPE_TASK_DETAILS);
  g_type_ensure (IOC_TYPE_OVERVIEW);
  g_type_ensure (IOC_TYPE_MAP_VIEW);
  g_type_ensure (IOC_TYPE_INDICATOR_STRIP);
  g_type_ensure (IOC_TYPE_INDICATORS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, IocWindow, switcher_page);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, new_task_button);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, forward_selected_button);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, user_label);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, sign_out_button);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, server_entry);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, fingerprint_box);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, connect_error_label);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, username_entry);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, password_entry);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, sign_in_error_label);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, keyring_label);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, queue_view);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, details);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, overview_page);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, overview);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, indicator_strip);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, wide_map_slot);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, narrow_map_slot);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, map_page);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, map_view);
  gtk_widget_class_bind_template_child (widget_class, IocWindow, indicators_page);
  gtk_widget_class_bind_template_callback (widget_class, on_map_view_task_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_indicator_strip_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_queue_view_task_selected_cb);

  gtk_widget_class_install_action (widget_class, "win.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "win.trust", NULL, trust_action);
  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.new-task", NULL, new_task_action);
  gtk_widget_class_install_action (widget_class, "win.forward-selected", NULL, forward_selected_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "win.fullscreen", NULL, fullscreen_action);
  gtk_widget_class_install_action (widget_class, "win.show-task", "x", show_task_action);
}

static void
on_server_entry_activate_cb (IocWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.connect", NULL);
}

static void
on_password_entry_activate_cb (IocWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.sign-in", NULL);
}

static gboolean
status_tick_cb (gpointer data)
{
  update_status (data);
  return G_SOURCE_CONTINUE;
}

static void
ioc_window_init (IocWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->model = ioc_task_model_new ();
  self->notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->notifications = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (self->model, "task-overdue", G_CALLBACK (on_model_task_overdue_cb), self);
  g_signal_connect (self->model, "load-failed", G_CALLBACK (on_model_load_failed_cb), self);
  g_signal_connect_swapped (self->model, "notify::loading", G_CALLBACK (update_status), self);
  g_signal_connect (self->details, "action-requested", G_CALLBACK (on_details_action_requested_cb), self);
  g_signal_connect_swapped (self->queue_view, "notify::view", G_CALLBACK (on_queue_view_notify_view_cb), self);
  g_signal_connect_swapped (self->server_entry, "activate", G_CALLBACK (on_server_entry_activate_cb), self);
  g_signal_connect_swapped (self->password_entry, "activate", G_CALLBACK (on_password_entry_activate_cb), self);
  self->status_id = g_timeout_add_seconds (15, status_tick_cb, self);
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (on_fullscreened_cb), NULL);
  update_actions (self);
}

IocWindow *
ioc_window_new (AdwApplication *application,
                GSettings      *settings)
{
  IocWindow *self = g_object_new (IOC_TYPE_WINDOW, "application", application, NULL);
  g_autofree char *last = NULL;

  self->settings = g_object_ref (settings);
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  {
    /* win.layout: the choice is kept in the settings and applies at once. */
    g_autoptr(GAction) layout = g_settings_create_action (settings, "layout");

    g_action_map_add_action (G_ACTION_MAP (self), layout);
    g_signal_connect_object (settings, "changed::layout", G_CALLBACK (apply_layout), self, G_CONNECT_SWAPPED);
  }
  last = g_settings_get_string (settings, "last-server");
  ioc_window_set_server (self, last);
  return self;
}
