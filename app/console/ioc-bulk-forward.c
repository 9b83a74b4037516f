/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>

#include "ioc-bulk-forward.h"

/* Enough to keep the server busy, few enough that the queue and the event
 * stream on the same connection pool stay responsive. */
#define MAX_IN_FLIGHT 4

typedef enum {
  ITEM_PENDING,
  ITEM_SENDING,
  ITEM_DONE,
  ITEM_FAILED,
  ITEM_NOT_SENT,
} ItemState;

typedef struct {
  IocTask          *task;
  char             *key;        /* one per task, kept for every retry */
  IocActionRequest *request;    /* frozen at the first send: a retry sends the same */
  ItemState         state;
  char             *failure;    /* in words, for the summary */
  gboolean          retryable;  /* a network or server trouble, not a refusal */
} Item;

struct _IocBulkForwardDialog
{
  AdwWindow        parent_instance;

  AdwWindowTitle  *window_title;
  GtkWidget       *cancel_button;
  GtkWidget       *forward_button;
  GtkStack        *stack;
  AdwComboRow     *department_row;
  AdwComboRow     *due_mode_row;
  AdwActionRow    *due_at_row;
  GtkMenuButton   *date_button;
  GtkCalendar     *calendar;
  GtkSpinButton   *hour_spin;
  GtkSpinButton   *minute_spin;
  AdwEntryRow     *note_row;
  GtkLabel        *form_error_label;
  AdwPreferencesGroup *tasks_group;
  GtkListBox      *tasks_list;
  GtkProgressBar  *progress_bar;
  GtkLabel        *summary_label;
  GtkLabel        *summary_detail_label;
  GtkListBox      *failures_list;
  GtkWidget       *retry_button;

  IocClient       *client;
  IocReference    *reference;
  GPtrArray       *items;         /* Item */
  GPtrArray       *department_codes; /* position in department_row − 1 → code */

  /* Decided when Forward is pressed, for every send of this dialog. */
  char            *department;
  gint64           due_at;
  char            *note;

  guint            round_total;
  guint            round_done;
  guint            in_flight;
  gboolean         sending;
  gboolean         stopping;
  gboolean         closed;
};

G_DEFINE_FINAL_TYPE (IocBulkForwardDialog, ioc_bulk_forward_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_TASK_FORWARDED,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
item_free (Item *item)
{
  g_clear_pointer (&item->task, ioc_task_unref);
  g_clear_pointer (&item->request, ioc_action_request_free);
  g_free (item->key);
  g_free (item->failure);
  g_free (item);
}

static IocCategory *
lookup_category (IocBulkForwardDialog *self,
                 const char           *code)
{
  if (self->reference == NULL || self->reference->categories == NULL || code == NULL)
    return NULL;
  return g_hash_table_lookup (self->reference->categories, code);
}

static const char *
department_name (IocBulkForwardDialog *self,
                 const char           *code)
{
  IocDepartment *d = NULL;

  if (code == NULL)
    return NULL;
  if (self->reference != NULL && self->reference->departments != NULL)
    d = g_hash_table_lookup (self->reference->departments, code);
  return d ? d->name_vi : code;
}

/* "within 3 days", "within 36 h": a category's processing time. */
static char *
format_sla (gint64 hours)
{
  if (hours > 0 && hours % 24 == 0)
    /* TRANSLATORS: a category's processing time, in days */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "within %d day", "within %d days", hours / 24),
                            (int) (hours / 24));
  /* TRANSLATORS: a category's processing time, in hours */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "within %d hour", "within %d hours", hours), (int) hours);
}

/* The form */

static const char *
chosen_department (IocBulkForwardDialog *self)
{
  guint i = adw_combo_row_get_selected (self->department_row);

  if (i == 0 || i == GTK_INVALID_LIST_POSITION || i - 1 >= self->department_codes->len)
    return NULL;
  return g_ptr_array_index (self->department_codes, i - 1);
}

static gboolean
explicit_due (IocBulkForwardDialog *self)
{
  return adw_combo_row_get_selected (self->due_mode_row) == 1;
}

static gint64
chosen_due_at (IocBulkForwardDialog *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->calendar);
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) local = g_date_time_new (tz, g_date_time_get_year (day), g_date_time_get_month (day),
                                                g_date_time_get_day_of_month (day),
                                                gtk_spin_button_get_value_as_int (self->hour_spin),
                                                gtk_spin_button_get_value_as_int (self->minute_spin), 0);

  return local ? g_date_time_to_unix (local) * G_USEC_PER_SEC : 0;
}

static void
update_date_button (IocBulkForwardDialog *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->calendar);
  /* TRANSLATORS: a date; Vietnamese uses dd/MM/yyyy */
  g_autofree char *text = g_date_time_format (day, _("%d/%m/%Y"));

  gtk_menu_button_set_label (self->date_button, text);
}

static void
set_form_error (IocBulkForwardDialog *self,
                const char           *text)
{
  gtk_label_set_label (self->form_error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->form_error_label), text != NULL);
}

/* What each task will get, shown before anything is sent. */
static void
update_task_rows (IocBulkForwardDialog *self)
{
  const char *department = chosen_department (self);
  gboolean one_due = explicit_due (self);
  g_autofree char *due_text = NULL;
  GtkWidget *row;
  guint i = 0;

  gtk_widget_set_visible (GTK_WIDGET (self->due_at_row), one_due);
  if (one_due)
    {
      g_autofree char *when = ioc_format_time (chosen_due_at (self));

      /* TRANSLATORS: the due time chosen for every task */
      due_text = g_strdup_printf (_("due %s"), when);
    }

  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->tasks_list));
       row != NULL && i < self->items->len;
       row = gtk_widget_get_next_sibling (row), i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      IocCategory *category = lookup_category (self, item->task->category);
      const char *to = department ? department : (category ? category->department : NULL);
      g_autofree char *sla = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *escaped = NULL;

      if (!one_due)
        sla = category ? format_sla (category->sla_hours) : g_strdup (_("no processing time set"));
      /* TRANSLATORS: a task's category, where it goes and by when, e.g.
       * "Street lights → Department of Construction · within 3 days" */
      subtitle = g_strdup_printf (_("%s → %s · %s"),
                                  category ? category->name_vi : item->task->category,
                                  to ? department_name (self, to) : _("no usual department: choose one above"),
                                  one_due ? due_text : sla);
      escaped = g_markup_escape_text (subtitle, -1);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
    }
}

static void
update_counts (IocBulkForwardDialog *self)
{
  /* TRANSLATORS: the dialog's subtitle: how many tasks it forwards */
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u task", "%u tasks", self->items->len),
                                           self->items->len);

  adw_window_title_set_subtitle (self->window_title, text);
}

static void
fill_tasks (IocBulkForwardDialog *self)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf ("#%" G_GINT64_FORMAT " %s", item->task->id,
                                                item->task->title ? item->task->title : "");
      g_autofree char *escaped = g_markup_escape_text (title, -1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      gtk_list_box_append (self->tasks_list, row);
    }
  update_counts (self);
  update_task_rows (self);
}

static int
compare_departments (gconstpointer a,
                     gconstpointer b)
{
  const IocDepartment *da = *(IocDepartment * const *) a;
  const IocDepartment *db = *(IocDepartment * const *) b;

  return g_utf8_collate (da->name_vi ? da->name_vi : "", db->name_vi ? db->name_vi : "");
}

static void
fill_departments (IocBulkForwardDialog *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) departments = g_ptr_array_new ();

  gtk_string_list_append (names, _("Each task's usual department (from its category)"));
  if (self->reference != NULL && self->reference->departments != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->reference->departments);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_ptr_array_add (departments, value);
    }
  /* By name, as people look for them. */
  g_ptr_array_sort (departments, compare_departments);
  for (guint i = 0; i < departments->len; i++)
    {
      IocDepartment *d = g_ptr_array_index (departments, i);

      gtk_string_list_append (names, d->name_vi);
      g_ptr_array_add (self->department_codes, g_strdup (d->code));
    }
  adw_combo_row_set_model (self->department_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->department_row, 0);
}

/* Sending */

static void pump (IocBulkForwardDialog *self);

static void
set_failure (Item       *item,
             char       *text,
             gboolean    retryable)
{
  g_free (item->failure);
  item->failure = text;
  item->retryable = retryable;
  item->state = ITEM_FAILED;
}

static void
describe_failure (Item         *item,
                  const GError *error,
                  JsonNode     *error_body)
{
  if (g_error_matches (error, IOC_ERROR, IOC_ERROR_CONFLICT) ||
      g_error_matches (error, IOC_ERROR, IOC_ERROR_WRONG_STATE))
    {
      const char *who = NULL;
      const char *state = NULL;
      gint64 at = 0;
      g_autofree char *when = NULL;

      if (error_body != NULL && JSON_NODE_HOLDS_OBJECT (error_body))
        {
          JsonObject *root = json_node_get_object (error_body);
          JsonNode *err = json_object_get_member (root, "error");
          JsonNode *task = json_object_get_member (root, "task");

          if (err != NULL && JSON_NODE_HOLDS_OBJECT (err))
            {
              JsonObject *e = json_node_get_object (err);
              const char *changed_at = json_object_get_string_member_with_default (e, "changed_at", NULL);

              who = json_object_get_string_member_with_default (e, "changed_by", NULL);
              if (changed_at != NULL)
                ioc_time_parse (changed_at, &at);
            }
          if (task != NULL && JSON_NODE_HOLDS_OBJECT (task))
            state = json_object_get_string_member_with_default (json_node_get_object (task), "state", NULL);
        }
      if (who == NULL || *who == '\0')
        who = _("Someone");
      when = ioc_format_time (at);
      set_failure (item,
                   /* TRANSLATORS: someone else changed the task first: who, when, and its new state */
                   g_strdup_printf (_("%s changed it first (%s): it is now “%s”. Look at it again before forwarding."),
                                    who, when,
                                    state ? ioc_task_state_get_label (ioc_task_state_from_string (state)) : "?"),
                   FALSE);
    }
  else if (g_error_matches (error, IOC_ERROR, IOC_ERROR_FORBIDDEN))
    set_failure (item, g_strdup (_("You are not allowed to forward this task.")), FALSE);
  else if (g_error_matches (error, IOC_ERROR, IOC_ERROR_NOT_FOUND))
    set_failure (item, g_strdup (_("This task no longer exists on the server.")), FALSE);
  else if (g_error_matches (error, IOC_ERROR, IOC_ERROR_INVALID))
    /* TRANSLATORS: the server refused the request; %s is its reason */
    set_failure (item, g_strdup_printf (_("The server refused it: %s"), error->message), FALSE);
  else if (g_error_matches (error, IOC_ERROR, IOC_ERROR_UNAUTHORIZED))
    set_failure (item, g_strdup (_("Your session has ended: sign in again, then retry.")), TRUE);
  else if (error->domain == IOC_ERROR)
    /* TRANSLATORS: a passing server trouble; %s is the server's message */
    set_failure (item, g_strdup_printf (_("The server could not do it now (%s). Retrying is safe."), error->message),
                 TRUE);
  else
    /* TRANSLATORS: a network trouble; %s says what happened */
    set_failure (item, g_strdup_printf (_("Not sent: %s Retrying is safe: a task is never forwarded twice."),
                                        error->message),
                 TRUE);
}

static void
update_progress (IocBulkForwardDialog *self)
{
  /* TRANSLATORS: progress of a bulk forward, e.g. "12 of 40" */
  g_autofree char *text = g_strdup_printf (_("%u of %u"), self->round_done, self->round_total);

  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 self->round_total ? (double) self->round_done / self->round_total : 1.0);
}

typedef struct {
  IocBulkForwardDialog *self;   /* owned */
  Item                 *item;
} SendData;

static void
forwarded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SendData *data = user_data;
  g_autoptr(IocBulkForwardDialog) self = data->self;
  Item *item = data->item;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_body = NULL;
  g_autoptr(JsonNode) node = ioc_client_post_json_finish (IOC_CLIENT (source), result, &error_body, &error);
  g_autoptr(IocTask) updated = NULL;

  g_free (data);
  self->in_flight--;
  self->round_done++;

  if (node != NULL)
    {
      item->state = ITEM_DONE;
      g_clear_pointer (&item->failure, g_free);
      if (JSON_NODE_HOLDS_OBJECT (node))
        updated = ioc_task_from_json (json_node_get_object (node), NULL);
    }
  else
    describe_failure (item, error, error_body);

  if (self->closed)
    return;

  if (updated != NULL)
    g_signal_emit (self, signals[SIGNAL_TASK_FORWARDED], 0, updated);
  update_progress (self);
  pump (self);
}

static void
send_item (IocBulkForwardDialog *self,
           Item                 *item)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT "/forward", item->task->id);
  g_autoptr(JsonNode) body = NULL;
  SendData *data;

  if (item->request == NULL)
    {
      IocCategory *category = lookup_category (self, item->task->category);
      const char *department = self->department ? self->department : (category ? category->department : NULL);

      if (department == NULL)
        {
          set_failure (item, g_strdup (_("Its category has no usual department: choose a department for it.")),
                       FALSE);
          self->round_done++;
          return;
        }
      item->request = ioc_action_request_new (IOC_ACTION_FORWARD);
      item->request->version = item->task->version;
      item->request->department = g_strdup (department);
      /* 0: the server adds the category's processing time to its now. */
      item->request->due_at = self->due_at;
      item->request->note = g_strdup (self->note);
    }

  body = ioc_action_request_to_json (item->request);
  item->state = ITEM_SENDING;
  self->in_flight++;
  data = g_new0 (SendData, 1);
  data->self = g_object_ref (self);
  data->item = item;
  /* Not cancellable: a request on its way may already have been done by
   * the server; its answer says which. */
  ioc_client_post_json_async (self->client, path, body, item->key, NULL, forwarded_cb, data);
}

static void
add_failure_row (IocBulkForwardDialog *self,
                 Item                 *item,
                 const char           *text)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_strdup_printf ("#%" G_GINT64_FORMAT " %s", item->task->id,
                                            item->task->title ? item->task->title : "");
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  GtkWidget *icon = gtk_image_new_from_icon_name (item->state == ITEM_NOT_SENT ? "media-playback-pause-symbolic"
                                                                               : "dialog-warning-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  if (item->state == ITEM_FAILED)
    gtk_widget_add_css_class (icon, "error");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_list_box_append (self->failures_list, row);
}

static void
show_summary (IocBulkForwardDialog *self)
{
  guint succeeded = ioc_bulk_forward_dialog_get_succeeded (self);
  guint failed = ioc_bulk_forward_dialog_get_failed (self);
  guint not_sent = ioc_bulk_forward_dialog_get_not_sent (self);
  gboolean retryable = FALSE;
  g_autofree char *title = NULL;
  g_autoptr(GString) detail = g_string_new (NULL);
  GtkWidget *child;

  /* TRANSLATORS: the result of a bulk forward */
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u task forwarded", "%u tasks forwarded", succeeded),
                           succeeded);
  gtk_label_set_label (self->summary_label, title);

  if (failed > 0)
    g_string_append_printf (detail, g_dngettext (GETTEXT_PACKAGE, "%u could not be forwarded.",
                                                 "%u could not be forwarded.", failed), failed);
  if (not_sent > 0)
    {
      if (detail->len > 0)
        g_string_append_c (detail, ' ');
      g_string_append_printf (detail, g_dngettext (GETTEXT_PACKAGE, "%u was not sent: you stopped before it.",
                                                   "%u were not sent: you stopped before them.", not_sent),
                              not_sent);
    }
  if (detail->len == 0)
    g_string_append (detail, _("Every task was forwarded."));
  gtk_label_set_label (self->summary_detail_label, detail->str);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->failures_list))) != NULL)
    gtk_list_box_remove (self->failures_list, child);
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (item->state == ITEM_FAILED)
        add_failure_row (self, item, item->failure);
      else if (item->state == ITEM_NOT_SENT)
        add_failure_row (self, item, _("Not sent: you stopped before it."));
      if ((item->state == ITEM_FAILED && item->retryable) || item->state == ITEM_NOT_SENT)
        retryable = TRUE;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->failures_list), failed + not_sent > 0);
  gtk_widget_set_visible (self->retry_button, retryable);
  /* After a stop with nothing failed, retrying is sending the rest. */
  gtk_button_set_label (GTK_BUTTON (self->retry_button),
                        ioc_bulk_forward_dialog_get_failed (self) > 0 ? _("Retry failed") : _("Send the rest"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bulk.retry", retryable);

  gtk_stack_set_visible_child_name (self->stack, "summary");
  gtk_widget_set_visible (self->cancel_button, FALSE);
  gtk_widget_set_visible (self->forward_button, FALSE);
}

static void
pump (IocBulkForwardDialog *self)
{
  for (guint i = 0; i < self->items->len && self->in_flight < MAX_IN_FLIGHT; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (item->state != ITEM_PENDING)
        continue;
      if (self->stopping)
        {
          item->state = ITEM_NOT_SENT;
          continue;
        }
      send_item (self, item);
    }

  if (self->stopping)
    for (guint i = 0; i < self->items->len; i++)
      {
        Item *item = g_ptr_array_index (self->items, i);

        if (item->state == ITEM_PENDING)
          item->state = ITEM_NOT_SENT;
      }

  update_progress (self);
  if (self->in_flight > 0)
    return;

  for (guint i = 0; i < self->items->len; i++)
    if (((Item *) g_ptr_array_index (self->items, i))->state == ITEM_PENDING)
      return;

  self->sending = FALSE;
  self->stopping = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bulk.cancel", FALSE);
  show_summary (self);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static void
begin_round (IocBulkForwardDialog *self)
{
  self->round_done = 0;
  self->round_total = 0;
  for (guint i = 0; i < self->items->len; i++)
    if (((Item *) g_ptr_array_index (self->items, i))->state == ITEM_PENDING)
      self->round_total++;

  self->sending = TRUE;
  self->stopping = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bulk.forward", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bulk.retry", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bulk.cancel", TRUE);
  gtk_widget_set_visible (self->cancel_button, FALSE);
  gtk_widget_set_visible (self->forward_button, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "progress");
  update_progress (self);
  pump (self);
}

void
ioc_bulk_forward_dialog_start (IocBulkForwardDialog *self)
{
  g_autofree char *note = NULL;

  g_return_if_fail (IOC_IS_BULK_FORWARD_DIALOG (self));

  if (self->sending || self->items->len == 0 ||
      !g_str_equal (gtk_stack_get_visible_child_name (self->stack), "form"))
    return;

  g_clear_pointer (&self->department, g_free);
  self->department = g_strdup (chosen_department (self));
  self->due_at = explicit_due (self) ? chosen_due_at (self) : 0;
  if (self->due_at != 0 && self->due_at <= g_get_real_time ())
    {
      set_form_error (self, _("The due time has passed: choose a later one."));
      return;
    }
  if (self->department == NULL)
    for (guint i = 0; i < self->items->len; i++)
      {
        Item *item = g_ptr_array_index (self->items, i);
        IocCategory *category = lookup_category (self, item->task->category);

        if (category == NULL || category->department == NULL)
          {
            g_autofree char *number = g_strdup_printf ("#%" G_GINT64_FORMAT, item->task->id);
            /* TRANSLATORS: %s is a task number like #42 */
            g_autofree char *text = g_strdup_printf (_("Task %s has no usual department: choose one department for all."),
                                                     number);

            set_form_error (self, text);
            return;
          }
      }
  set_form_error (self, NULL);

  note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->note_row))));
  g_clear_pointer (&self->note, g_free);
  if (*note != '\0')
    self->note = g_steal_pointer (&note);

  begin_round (self);
}

static void
forward_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ioc_bulk_forward_dialog_start (IOC_BULK_FORWARD_DIALOG (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IocBulkForwardDialog *self = IOC_BULK_FORWARD_DIALOG (widget);

  if (!self->sending)
    return;
  self->stopping = TRUE;
  gtk_widget_action_set_enabled (widget, "bulk.cancel", FALSE);
  pump (self);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  IocBulkForwardDialog *self = IOC_BULK_FORWARD_DIALOG (widget);
  gboolean any = FALSE;

  if (self->sending)
    return;

  /* Only what may succeed now; a refusal would be refused again. The same
   * request and key go out again, so the server answers a task it already
   * forwarded with its first answer instead of forwarding it twice. */
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if ((item->state == ITEM_FAILED && item->retryable) || item->state == ITEM_NOT_SENT)
        {
          item->state = ITEM_PENDING;
          any = TRUE;
        }
    }
  if (any)
    begin_round (self);
}

/* Public */

guint
ioc_bulk_forward_dialog_get_succeeded (IocBulkForwardDialog *self)
{
  guint n = 0;

  g_return_val_if_fail (IOC_IS_BULK_FORWARD_DIALOG (self), 0);
  for (guint i = 0; i < self->items->len; i++)
    n += ((Item *) g_ptr_array_index (self->items, i))->state == ITEM_DONE;
  return n;
}

guint
ioc_bulk_forward_dialog_get_failed (IocBulkForwardDialog *self)
{
  guint n = 0;

  g_return_val_if_fail (IOC_IS_BULK_FORWARD_DIALOG (self), 0);
  for (guint i = 0; i < self->items->len; i++)
    n += ((Item *) g_ptr_array_index (self->items, i))->state == ITEM_FAILED;
  return n;
}

guint
ioc_bulk_forward_dialog_get_not_sent (IocBulkForwardDialog *self)
{
  guint n = 0;

  g_return_val_if_fail (IOC_IS_BULK_FORWARD_DIALOG (self), 0);
  for (guint i = 0; i < self->items->len; i++)
    n += ((Item *) g_ptr_array_index (self->items, i))->state == ITEM_NOT_SENT;
  return n;
}

guint
ioc_bulk_forward_dialog_get_in_flight (IocBulkForwardDialog *self)
{
  g_return_val_if_fail (IOC_IS_BULK_FORWARD_DIALOG (self), 0);
  return self->in_flight;
}

char *
ioc_bulk_forward_dialog_dup_failures (IocBulkForwardDialog *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (IOC_IS_BULK_FORWARD_DIALOG (self), NULL);
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (item->state == ITEM_FAILED)
        g_string_append_printf (out, "#%" G_GINT64_FORMAT ": %s\n", item->task->id, item->failure);
    }
  return g_string_free (out, FALSE);
}

void
ioc_bulk_forward_dialog_set_department (IocBulkForwardDialog *self,
                                        const char           *code)
{
  g_return_if_fail (IOC_IS_BULK_FORWARD_DIALOG (self));

  if (code == NULL)
    {
      adw_combo_row_set_selected (self->department_row, 0);
      return;
    }
  for (guint i = 0; i < self->department_codes->len; i++)
    if (g_str_equal (g_ptr_array_index (self->department_codes, i), code))
      {
        adw_combo_row_set_selected (self->department_row, i + 1);
        return;
      }
  g_warning ("Unknown department “%s”", code);
}

void
ioc_bulk_forward_dialog_set_due_at (IocBulkForwardDialog *self,
                                    gint64                due_at)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_if_fail (IOC_IS_BULK_FORWARD_DIALOG (self));

  if (due_at == 0)
    {
      adw_combo_row_set_selected (self->due_mode_row, 0);
      return;
    }
  tz = ioc_time_zone ();
  utc = g_date_time_new_from_unix_utc (due_at / G_USEC_PER_SEC);
  local = g_date_time_to_timezone (utc, tz);
  gtk_calendar_select_day (self->calendar, local);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (local));
  gtk_spin_button_set_value (self->minute_spin, g_date_time_get_minute (local));
  adw_combo_row_set_selected (self->due_mode_row, 1);
  update_task_rows (self);
}

void
ioc_bulk_forward_dialog_set_note (IocBulkForwardDialog *self,
                                  const char           *note)
{
  g_return_if_fail (IOC_IS_BULK_FORWARD_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->note_row), note ? note : "");
}

GtkWidget *
ioc_bulk_forward_dialog_new (GtkWindow    *parent,
                             IocClient    *client,
                             IocReference *reference,
                             GPtrArray    *tasks)
{
  IocBulkForwardDialog *self;

  g_return_val_if_fail (IOC_IS_CLIENT (client), NULL);
  g_return_val_if_fail (tasks != NULL, NULL);

  self = g_object_new (IOC_TYPE_BULK_FORWARD_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->reference = reference;
  for (guint i = 0; i < tasks->len; i++)
    {
      Item *item = g_new0 (Item, 1);

      item->task = ioc_task_ref (g_ptr_array_index (tasks, i));
      item->key = ioc_client_new_idempotency_key ();
      g_ptr_array_add (self->items, item);
    }
  fill_departments (self);
  fill_tasks (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bulk.forward", tasks->len > 0);
  return GTK_WIDGET (self);
}

/* GObject */

static gboolean
ioc_bulk_forward_dialog_close_request (GtkWindow *window)
{
  IocBulkForwardDialog *self = IOC_BULK_FORWARD_DIALOG (window);

  /* Closing while sending stops the rest; the requests on their way finish
   * on their own and nobody is told. */
  self->stopping = TRUE;
  self->closed = TRUE;
  return FALSE;
}

static void
ioc_bulk_forward_dialog_dispose (GObject *object)
{
  IocBulkForwardDialog *self = IOC_BULK_FORWARD_DIALOG (object);

  self->closed = TRUE;
  self->stopping = TRUE;
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_BULK_FORWARD_DIALOG);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (ioc_bulk_forward_dialog_parent_class)->dispose (object);
}

static void
ioc_bulk_forward_dialog_finalize (GObject *object)
{
  IocBulkForwardDialog *self = IOC_BULK_FORWARD_DIALOG (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->department_codes, g_ptr_array_unref);
  g_free (self->department);
  g_free (self->note);

  G_OBJECT_CLASS (ioc_bulk_forward_dialog_parent_class)->finalize (object);
}

static void
ioc_bulk_forward_dialog_class_init (IocBulkForwardDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ioc_bulk_forward_dialog_dispose;
  object_class->finalize = ioc_bulk_forward_dialog_finalize;
  window_class->close_request = ioc_bulk_forward_dialog_close_request;

  signals[SIGNAL_TASK_FORWARDED] =
    g_signal_new ("task-forwarded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, IOC_TYPE_TASK | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-bulk-forward.ui");
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, forward_button);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, department_row);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, due_mode_row);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, due_at_row);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, date_button);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, hour_spin);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, minute_spin);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, note_row);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, form_error_label);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, tasks_group);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, tasks_list);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, summary_detail_label);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, failures_list);
  gtk_widget_class_bind_template_child (widget_class, IocBulkForwardDialog, retry_button);

  gtk_widget_class_install_action (widget_class, "bulk.forward", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "bulk.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "bulk.retry", NULL, retry_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
on_form_changed_cb (IocBulkForwardDialog *self)
{
  set_form_error (self, NULL);
  update_date_button (self);
  update_task_rows (self);
}

static void
ioc_bulk_forward_dialog_init (IocBulkForwardDialog *self)
{
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  self->department_codes = g_ptr_array_new_with_free_func (g_free);

  /* One due time for all starts at the end of tomorrow's office day. */
  gtk_calendar_select_day (self->calendar, tomorrow);
  update_date_button (self);

  g_signal_connect_swapped (self->department_row, "notify::selected", G_CALLBACK (on_form_changed_cb), self);
  g_signal_connect_swapped (self->due_mode_row, "notify::selected", G_CALLBACK (on_form_changed_cb), self);
  g_signal_connect_swapped (self->calendar, "day-selected", G_CALLBACK (on_form_changed_cb), self);
  g_signal_connect_swapped (self->hour_spin, "value-changed", G_CALLBACK (on_form_changed_cb), self);
  g_signal_connect_swapped (self->minute_spin, "value-changed", G_CALLBACK (on_form_changed_cb), self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bulk.cancel", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bulk.retry", FALSE);
}
