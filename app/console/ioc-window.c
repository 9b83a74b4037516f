/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>

#include "ioc-client.h"
#include "ioc-event-stream.h"
#include "ioc-secret.h"
#include "ioc-window.h"

struct _IocWindow
{
  AdwApplicationWindow  parent_instance;

  AdwWindowTitle       *window_title;
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

  GSettings            *settings;
  GCancellable         *cancellable;
  IocClient            *client;
  IocEventStream       *events;
  IocTaskModel         *model;
  IocUser              *user;
  char                 *probed_fingerprint;
  guint                 status_id;
};

G_DEFINE_FINAL_TYPE (IocWindow, ioc_window, ADW_TYPE_APPLICATION_WINDOW)

static void load_tasks (IocWindow *self);

static void
show_toast (IocWindow  *self,
            const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
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
      gtk_label_set_label (self->status_label, "");
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

static void
on_event_cb (IocEventStream *stream,
             IocEvent       *event,
             IocWindow      *self)
{
  IocTask *shown = ioc_task_details_get_task (self->details);

  ioc_task_model_apply_event (self->model, event);

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
  gtk_stack_set_visible_child_name (self->stack, "sign-in");
}

static void
on_certificate_changed_cb (IocEventStream *stream,
                           IocWindow      *self)
{
  stop_events (self);
  set_error (self->connect_error_label,
             _("The server's certificate has changed. The connection was refused: "
               "ask your administrator before trusting the new certificate."));
  gtk_stack_set_visible_child_name (self->stack, "connect");
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
          gtk_stack_set_visible_child_name (self->stack, "sign-in");
        }
      return;
    }

  ioc_queue_view_set_model (self->queue_view, ioc_task_model_get_list (self->model),
                            self->user->role, self->user->department);
  gtk_stack_set_visible_child_name (self->stack, "main");
  gtk_widget_set_visible (self->sign_out_button, TRUE);

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
  gtk_stack_set_visible_child_name (self->stack, "loading");
  ioc_task_model_load_async (self->model, self->client, self->cancellable, loaded_cb, self);
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
  gtk_stack_set_visible_child_name (self->stack, "sign-in");
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
  gtk_stack_set_visible_child_name (self->stack, "sign-in");
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
          gtk_stack_set_visible_child_name (self->stack, "connect");
          return;
        }
      gtk_stack_set_visible_child_name (self->stack, "sign-in");
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
      gtk_stack_set_visible_child_name (self->stack, "sign-in");
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
      gtk_stack_set_visible_child_name (self->stack, "connect");
      return;
    }

  /* A server trusted before: straight to the stored session, if any. */
  g_clear_object (&self->client);
  self->client = ioc_client_new (normal, pinned);
  gtk_stack_set_visible_child_name (self->stack, "loading");
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

  ioc_task_model_apply_event (self->model, &(IocEvent) { .task = task });
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
  show_task (self, ioc_task_object_get_id (object));
}

typedef struct {
  IocWindow        *self;
  IocActionRequest *request;
  gint64            task_id;
  char             *key;
  GtkWidget        *note_entry;
  GtkDropDown      *department_dropdown;
  GPtrArray        *department_codes;
} ActionData;

static void
action_data_free (ActionData *data)
{
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
            ioc_task_model_apply_event (self->model, &(IocEvent) { .task = task });
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

static void
on_action_dialog_response_cb (AdwMessageDialog *dialog,
                              const char       *response,
                              ActionData       *data)
{
  const IocWorkflowRule *rule = ioc_workflow_rule (data->request->action);

  if (!g_str_equal (response, "apply"))
    {
      action_data_free (data);
      return;
    }

  if (data->note_entry != NULL)
    {
      const char *note = gtk_editable_get_text (GTK_EDITABLE (data->note_entry));

      if (*note)
        data->request->note = g_strdup (note);
    }
  if (data->department_dropdown != NULL)
    {
      guint i = gtk_drop_down_get_selected (data->department_dropdown);

      if (i < data->department_codes->len)
        data->request->department = g_strdup (g_ptr_array_index (data->department_codes, i));
    }

  if ((rule->required & IOC_FIELD_NOTE) && data->request->note == NULL)
    {
      show_toast (data->self, _("This action needs a reason or a note."));
      action_data_free (data);
      return;
    }

  send_action (data);
  action_data_free (data);
}

static void
on_details_action_requested_cb (IocTaskDetails *details,
                                int             action,
                                IocWindow      *self)
{
  IocTask *task = ioc_task_details_get_task (details);
  const IocWorkflowRule *rule = ioc_workflow_rule (action);
  IocReference *reference = ioc_task_model_get_reference (self->model);
  AdwMessageDialog *dialog;
  GtkWidget *box;
  ActionData *data;
  g_autofree char *heading = NULL;
  g_autofree char *number = NULL;

  if (task == NULL || rule == NULL)
    return;

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
  adw_message_dialog_add_responses (dialog, "cancel", _("Cancel"), "apply", ioc_action_get_label (action), NULL);
  adw_message_dialog_set_response_appearance (dialog, "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "apply");
  adw_message_dialog_set_close_response (dialog, "cancel");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  if ((rule->required | rule->optional) & IOC_FIELD_DEPARTMENT)
    {
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
      g_autoptr(GList) codes = g_list_sort (g_hash_table_get_keys (reference->departments), (GCompareFunc) g_strcmp0);
      IocCategory *category = g_hash_table_lookup (reference->categories, task->category);
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
      /* The category's department first: it is the usual choice. */
      gtk_drop_down_set_selected (data->department_dropdown, preselect);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (data->department_dropdown));
    }
  if ((rule->required | rule->optional) & IOC_FIELD_NOTE)
    {
      data->note_entry = gtk_entry_new ();
      gtk_entry_set_placeholder_text (GTK_ENTRY (data->note_entry),
                                      (rule->required & IOC_FIELD_NOTE) ? _("Reason or result (required)")
                                                                        : _("Note (optional)"));
      gtk_entry_set_activates_default (GTK_ENTRY (data->note_entry), TRUE);
      gtk_box_append (GTK_BOX (box), data->note_entry);
    }
  adw_message_dialog_set_extra_child (dialog, box);

  g_signal_connect (dialog, "response", G_CALLBACK (on_action_dialog_response_cb), data);
  gtk_window_present (GTK_WINDOW (dialog));
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

static void
ioc_window_dispose (GObject *object)
{
  IocWindow *self = IOC_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  stop_events (self);
  g_clear_handle_id (&self->status_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_WINDOW);
  g_clear_object (&self->client);
  g_clear_object (&self->model);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->user, ioc_user_unref);
  g_clear_pointer (&self->probed_fingerprint, g_free);

  G_OBJECT_CLASS (ioc_window_parent_class)->dispose (object);
}

static void
ioc_window_class_init (IocWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_window_dispose;

  g_type_ensure (IOC_TYPE_QUEUE_VIEW);
  g_type_ensure (IOC_TYPE_TASK_DETAILS);

  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, IocWindow, window_title);
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
  gtk_widget_class_bind_template_callback (widget_class, on_queue_view_task_selected_cb);

  gtk_widget_class_install_action (widget_class, "win.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "win.trust", NULL, trust_action);
  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);
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
  g_signal_connect (self->details, "action-requested", G_CALLBACK (on_details_action_requested_cb), self);
  g_signal_connect_swapped (self->server_entry, "activate", G_CALLBACK (on_server_entry_activate_cb), self);
  g_signal_connect_swapped (self->password_entry, "activate", G_CALLBACK (on_password_entry_activate_cb), self);
  self->status_id = g_timeout_add_seconds (15, status_tick_cb, self);
}

IocWindow *
ioc_window_new (AdwApplication *application,
                GSettings      *settings)
{
  IocWindow *self = g_object_new (IOC_TYPE_WINDOW, "application", application, NULL);
  g_autofree char *last = NULL;

  self->settings = g_object_ref (settings);
  last = g_settings_get_string (settings, "last-server");
  ioc_window_set_server (self, last);
  return self;
}
