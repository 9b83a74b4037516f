/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ioc-client-private.h"
#include "ioc-indicator-card.h"
#include "ioc-indicator-submit.h"

#define CSV_HEADER "indicator,period,area,value"

/* Checking */

void
ioc_submit_row_free (IocSubmitRow *row)
{
  if (row == NULL)
    return;
  g_free (row->indicator);
  g_free (row->period);
  g_free (row->area);
  g_free (row->value);
  g_free (row->problem);
  g_free (row);
}

typedef struct {
  GHashTable *indicators;   /* code → IocIndicator */
  GHashTable *communes;     /* code → name */
  const char *department;
  gint64      now;
  GHashTable *seen;         /* "indicator\narea\nperiod" → line */
  GString    *problems;
} Checker;

static void
problem (Checker    *c,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static void
problem (Checker    *c,
         const char *format,
         ...)
{
  va_list args;

  if (c->problems->len > 0)
    g_string_append (c->problems, "; ");
  va_start (args, format);
  g_string_append_vprintf (c->problems, format, args);
  va_end (args);
}

/* Checks one row; returns its problems, or NULL when it is good. */
static char *
check_row (Checker    *c,
           const char *code,
           const char *period_text,
           const char *area,
           const char *value_text,
           guint       line)
{
  IocIndicator *ind = NULL;
  gint64 period = 0;
  double value;
  gboolean period_ok;

  g_string_truncate (c->problems, 0);

  if (*code == '\0')
    problem (c, _("the indicator is empty"));
  else if ((ind = g_hash_table_lookup (c->indicators, code)) == NULL)
    problem (c, _("unknown indicator “%s”"), code);
  else if (c->department != NULL && g_strcmp0 (ind->department, c->department) != 0)
    /* TRANSLATORS: the first %s is an indicator code, the others department codes */
    problem (c, _("indicator “%s” belongs to %s; you submit only the indicators of %s"),
             code, ind->department, c->department);

  period_ok = ioc_indicator_parse_period (period_text, &period);
  if (!period_ok)
    problem (c, _("period “%s” is not YYYY-MM, YYYY-MM-DD or a time with its offset"), period_text);
  else if (period > c->now)
    problem (c, _("the period is in the future"));

  if (*value_text == '\0')
    problem (c, _("the value is empty"));
  else if (!ioc_indicator_parse_value (value_text, &value))
    problem (c, _("value “%s” is not a number"), value_text);

  if (*area != '\0' && c->communes != NULL && !g_hash_table_contains (c->communes, area))
    problem (c, _("unknown commune “%s”"), area);

  /* Repeats count only between rows that are otherwise good, as on the
   * server: it compares whole periods of the indicator's frequency. */
  if (c->problems->len == 0 && ind != NULL && period_ok)
    {
      g_autofree char *key = g_strdup_printf ("%s\n%s\n%" G_GINT64_FORMAT, code, area,
                                              ioc_indicator_period_start (ind->frequency, period));
      gpointer earlier;

      if (g_hash_table_lookup_extended (c->seen, key, NULL, &earlier))
        problem (c, _("repeats line %u (same indicator, commune and period)"), GPOINTER_TO_UINT (earlier));
      else
        g_hash_table_insert (c->seen, g_steal_pointer (&key), GUINT_TO_POINTER (line));
    }

  return c->problems->len > 0 ? g_strdup (c->problems->str) : NULL;
}

static void
checker_init (Checker    *c,
              GHashTable *indicators,
              GHashTable *communes,
              const char *department,
              gint64      now)
{
  c->indicators = indicators;
  c->communes = communes;
  c->department = department;
  c->now = now;
  c->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  c->problems = g_string_new (NULL);
}

static void
checker_clear (Checker *c)
{
  g_clear_pointer (&c->seen, g_hash_table_unref);
  if (c->problems != NULL)
    g_string_free (c->problems, TRUE);
  c->problems = NULL;
}

GPtrArray *
ioc_indicator_check_csv (const char  *text,
                         gsize        length,
                         GHashTable  *indicators,
                         GHashTable  *communes,
                         const char  *department,
                         gint64       now,
                         GError     **error)
{
  static const char * const columns[] = { "indicator", "period", "area", "value" };
  g_autoptr(IocCsv) csv = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_submit_row_free);
  Checker c;
  GStrv header;
  gboolean header_ok = TRUE;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (indicators != NULL, NULL);

  if (length == 0)
    {
      /* TRANSLATORS: %s is the CSV header line, which stays as it is */
      g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID,
                   _("The file is empty: it needs the header “%s” and one row per value."), CSV_HEADER);
      return NULL;
    }
  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID,
                           _("The file is not UTF-8 text. Save it as “CSV UTF-8” and choose it again."));
      return NULL;
    }

  csv = ioc_csv_parse (text, length, error);
  if (csv == NULL)
    return NULL;

  header = csv->records->len > 0 ? g_ptr_array_index (csv->records, 0) : NULL;
  if (header == NULL || g_strv_length (header) != G_N_ELEMENTS (columns))
    header_ok = FALSE;
  else
    for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
      {
        g_autofree char *name = g_strstrip (g_strdup (header[i]));

        if (!g_str_equal (name, columns[i]))
          header_ok = FALSE;
      }
  if (!header_ok)
    {
      IocSubmitRow *row = g_new0 (IocSubmitRow, 1);

      row->line = 1;
      row->indicator = g_strdup (header && header[0] ? header[0] : "");
      row->period = g_strdup ("");
      row->area = g_strdup ("");
      row->value = g_strdup ("");
      /* TRANSLATORS: %s is the CSV header line, which stays as it is */
      row->problem = g_strdup_printf (_("the header must be exactly “%s”"), CSV_HEADER);
      g_ptr_array_add (rows, row);
      return g_steal_pointer (&rows);
    }

  checker_init (&c, indicators, communes, department, now);
  for (guint r = 1; r < csv->records->len; r++)
    {
      GStrv record = g_ptr_array_index (csv->records, r);
      guint n = g_strv_length (record);
      IocSubmitRow *row = g_new0 (IocSubmitRow, 1);

      row->line = g_array_index (csv->lines, guint, r);
      for (guint i = 0; i < n; i++)
        g_strstrip (record[i]);
      row->indicator = g_strdup (n > 0 ? record[0] : "");
      row->period = g_strdup (n > 1 ? record[1] : "");
      row->area = g_strdup (n > 2 ? record[2] : "");
      row->value = g_strdup (n > 3 ? record[3] : "");
      if (n != G_N_ELEMENTS (columns))
        row->problem = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "has %u field, not 4", "has %u fields, not 4", n), n);
      else
        row->problem = check_row (&c, row->indicator, row->period, row->area, row->value, row->line);
      g_ptr_array_add (rows, row);
    }
  checker_clear (&c);

  return g_steal_pointer (&rows);
}

/* The widget */

struct _IocIndicatorSubmit
{
  GtkWidget       parent_instance;

  GtkWidget             *box;
  GtkLabel       *department_label;
  GtkDropDown    *indicator_dropdown;
  GtkStringList  *indicator_names;
  GtkEntry       *period_entry;
  GtkDropDown    *area_dropdown;
  GtkStringList  *area_names;
  GtkEntry       *value_entry;
  GtkLabel       *form_message_label;
  GtkLabel       *file_label;
  GtkLabel       *message_label;
  GtkListBox     *rows_list;

  IocClient      *client;
  IocUser        *user;
  GHashTable     *indicators;     /* code → IocIndicator */
  GHashTable     *communes;       /* code → name */
  GPtrArray      *form_codes;     /* the dropdown's indicator codes */
  GPtrArray      *area_codes;     /* the dropdown's commune codes; "" first: the whole city */

  GCancellable   *cancellable;
  GCancellable   *form_cancellable;
  IocSubmitState  state;
  GPtrArray      *rows;           /* IocSubmitRow */
  GBytes         *text;           /* the file as read, sent as it is */
  guint           n_bad;
  gboolean        form_busy;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (IocIndicatorSubmit, ioc_indicator_submit, GTK_TYPE_WIDGET)

enum {
  SUBMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_message (GtkLabel   *label,
             const char *text,
             const char *css_class)
{
  static const char * const classes[] = { "error", "success", "warning" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (label), classes[i]);
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), css_class);
  gtk_label_set_label (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
set_state (IocIndicatorSubmit *self,
           IocSubmitState      state)
{
  self->state = state;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "submit.send-csv", state == IOC_SUBMIT_READY);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "submit.import-csv",
                                 state != IOC_SUBMIT_CHECKING && state != IOC_SUBMIT_SENDING);
}

static GtkWidget *
cell (const char *text,
      int         width_chars,
      gboolean    expand)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_width_chars (GTK_LABEL (label), width_chars);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, expand);
  return label;
}

static GtkWidget *
row_widget (IocSubmitRow *row)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *fields = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  g_autofree char *line = g_strdup_printf ("%u", row->line);
  GtkWidget *result;

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  gtk_box_append (GTK_BOX (fields), cell (line, 4, FALSE));
  gtk_box_append (GTK_BOX (fields), cell (row->indicator, 22, TRUE));
  gtk_box_append (GTK_BOX (fields), cell (row->period, 12, FALSE));
  gtk_box_append (GTK_BOX (fields), cell (row->area, 8, FALSE));
  gtk_box_append (GTK_BOX (fields), cell (row->value, 10, FALSE));
  gtk_widget_add_css_class (gtk_widget_get_first_child (fields), "dim-label");
  gtk_widget_add_css_class (fields, "numeric");

  /* TRANSLATORS: the result of checking a row of a CSV file that has no problem */
  result = gtk_label_new (row->problem ? row->problem : _("OK"));
  gtk_label_set_xalign (GTK_LABEL (result), 0);
  gtk_label_set_wrap (GTK_LABEL (result), TRUE);
  gtk_widget_add_css_class (result, row->problem ? "error" : "success");

  gtk_box_append (GTK_BOX (box), fields);
  gtk_box_append (GTK_BOX (box), result);
  return box;
}

static void
rebuild_list (IocIndicatorSubmit *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->rows_list))) != NULL)
    gtk_list_box_remove (self->rows_list, child);

  self->n_bad = 0;
  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      IocSubmitRow *row = g_ptr_array_index (self->rows, i);

      if (row->problem != NULL)
        self->n_bad++;
      gtk_list_box_append (self->rows_list, row_widget (row));
    }
}

/* Reading a file */

typedef struct {
  GBytes     *text;
  GHashTable *indicators;
  GHashTable *communes;
  char       *department;
  gint64      now;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_clear_pointer (&data->text, g_bytes_unref);
  g_clear_pointer (&data->indicators, g_hash_table_unref);
  g_clear_pointer (&data->communes, g_hash_table_unref);
  g_free (data->department);
  g_free (data);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *data = task_data;
  GError *error = NULL;
  gsize len = 0;
  const char *text = g_bytes_get_data (data->text, &len);
  GPtrArray *rows;

  rows = ioc_indicator_check_csv (text ? text : "", len, data->indicators, data->communes,
                                  data->department, data->now, &error);
  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  IocIndicatorSubmit *self = IOC_INDICATOR_SUBMIT (source);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  rows = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  if (rows == NULL)
    {
      rebuild_list (self);
      set_message (self->message_label, error->message, "error");
      set_state (self, IOC_SUBMIT_FAILED);
      return;
    }

  self->rows = g_steal_pointer (&rows);
  rebuild_list (self);

  if (self->rows->len == 0)
    {
      set_message (self->message_label, _("The file has a header but no rows."), "error");
      set_state (self, IOC_SUBMIT_HAS_ERRORS);
    }
  else if (self->n_bad > 0)
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u of %u rows is wrong. Correct the file and choose it again; nothing was sent.",
                                           "%u of %u rows are wrong. Correct the file and choose it again; nothing was sent.",
                                           self->n_bad),
                              self->n_bad, self->rows->len);
      set_message (self->message_label, text, "error");
      set_state (self, IOC_SUBMIT_HAS_ERRORS);
    }
  else
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u row is ready to send.",
                                           "All %u rows are ready to send.",
                                           self->rows->len),
                              self->rows->len);
      set_message (self->message_label, text, "success");
      set_state (self, IOC_SUBMIT_READY);
    }
}

static void
start_check (IocIndicatorSubmit *self,
             const char         *name,
             GBytes             *bytes)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_clear_pointer (&self->text, g_bytes_unref);
  self->text = g_bytes_ref (bytes);
  gtk_label_set_label (self->file_label, name ? name : "");
  set_message (self->message_label, _("Checking the file…"), NULL);
  set_state (self, IOC_SUBMIT_CHECKING);

  data = g_new0 (CheckData, 1);
  data->text = g_bytes_ref (bytes);
  data->indicators = g_hash_table_ref (self->indicators);
  data->communes = self->communes ? g_hash_table_ref (self->communes) : NULL;
  data->department = self->user && self->user->role == IOC_ROLE_LIAISON ? g_strdup (self->user->department) : NULL;
  data->now = g_get_real_time ();

  task = g_task_new (self, self->cancellable, check_done_cb, NULL);
  g_task_set_source_tag (task, start_check);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);
  g_task_run_in_thread (task, check_thread);
}

void
ioc_indicator_submit_load_text (IocIndicatorSubmit *self,
                                const char         *name,
                                const char         *text,
                                gssize              length)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (IOC_IS_INDICATOR_SUBMIT (self));
  g_return_if_fail (text != NULL);

  bytes = g_bytes_new (text, length < 0 ? strlen (text) : (gsize) length);
  start_check (self, name, bytes);
}

static void
file_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  IocIndicatorSubmit *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (source));

  bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bytes == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("“%s” could not be read: %s"), name, error->message);

      set_message (self->message_label, text, "error");
      set_state (self, IOC_SUBMIT_FAILED);
      return;
    }
  start_check (self, name, bytes);
}

void
ioc_indicator_submit_load_file (IocIndicatorSubmit *self,
                                GFile              *file)
{
  g_return_if_fail (IOC_IS_INDICATOR_SUBMIT (self));
  g_return_if_fail (G_IS_FILE (file));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_state (self, IOC_SUBMIT_CHECKING);
  set_message (self->message_label, _("Reading the file…"), NULL);
  g_file_load_bytes_async (file, self->cancellable, file_loaded_cb, self);
}

/* Sending a file */

typedef struct {
  SoupMessage *msg;
  GBytes      *answer;
  guint        status;
  JsonNode    *node;
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_object (&data->msg);
  g_clear_pointer (&data->answer, g_bytes_unref);
  g_clear_pointer (&data->node, json_node_unref);
  g_free (data);
}

static void
parse_answer_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  SendData *data = task_data;
  gsize len = 0;
  const char *text = data->answer ? g_bytes_get_data (data->answer, &len) : NULL;

  if (text != NULL && len > 0)
    data->node = ioc_json_parse (text, len, NULL);
  g_task_return_boolean (task, TRUE);
}

/* The server's per-line refusals go to the rows they name. */
static guint
apply_bad_lines (IocIndicatorSubmit *self,
                 JsonNode           *node)
{
  JsonNode *error_node = NULL;
  JsonNode *lines_node = NULL;
  JsonArray *lines;
  guint n = 0;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    error_node = json_object_get_member (json_node_get_object (node), "error");
  if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
    lines_node = json_object_get_member (json_node_get_object (error_node), "lines");
  if (lines_node == NULL || !JSON_NODE_HOLDS_ARRAY (lines_node))
    return 0;

  lines = json_node_get_array (lines_node);
  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonObject *object = json_array_get_object_element (lines, i);
      gint64 line = 0;
      const char *message;

      if (object == NULL || !ioc_json_get_int (object, "line", TRUE, 1, G_MAXUINT, &line, NULL))
        continue;
      message = json_object_get_string_member_with_default (object, "message", "");
      for (guint r = 0; self->rows != NULL && r < self->rows->len; r++)
        {
          IocSubmitRow *row = g_ptr_array_index (self->rows, r);

          if (row->line == line)
            {
              g_free (row->problem);
              /* TRANSLATORS: a row the server refused, with the server's reason */
              row->problem = g_strdup_printf (_("Refused by the server: %s"), message);
              n++;
            }
        }
    }
  return n;
}

static GStrv
stored_codes (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array = ioc_json_get_array_member (node, "indicators");

  if (array != NULL)
    {
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *code = json_array_get_string_element (array, i);

          if (code != NULL)
            g_strv_builder_add (builder, code);
        }
    }
  return g_strv_builder_end (builder);
}

static void
csv_answer_parsed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  IocIndicatorSubmit *self = IOC_INDICATOR_SUBMIT (source);
  SendData *data = g_task_get_task_data (G_TASK (result));
  g_autofree char *text = NULL;

  /* Cancelled, or the request never reached the server (said already). */
  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;

  if (SOUP_STATUS_IS_SUCCESSFUL (data->status))
    {
      g_auto(GStrv) codes = stored_codes (data->node);
      gint64 stored = 0;

      if (data->node != NULL && JSON_NODE_HOLDS_OBJECT (data->node))
        ioc_json_get_int (json_node_get_object (data->node), "stored", FALSE, 0, G_MAXINT64, &stored, NULL);
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u value was stored.", "%u values were stored.", stored),
                              (guint) stored);
      set_message (self->message_label, text, "success");
      set_state (self, IOC_SUBMIT_STORED);
      g_signal_emit (self, signals[SUBMITTED], 0, codes);
      return;
    }

  if (apply_bad_lines (self, data->node) > 0)
    {
      rebuild_list (self);
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "The server refused %u row; nothing was stored.",
                                           "The server refused %u rows; nothing was stored.",
                                           self->n_bad),
                              self->n_bad);
      set_message (self->message_label, text, "error");
      set_state (self, IOC_SUBMIT_REFUSED);
      return;
    }

  {
    JsonNode *error_node = NULL;
    const char *message = NULL;

    if (data->node != NULL && JSON_NODE_HOLDS_OBJECT (data->node))
      error_node = json_object_get_member (json_node_get_object (data->node), "error");
    if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
      message = json_object_get_string_member_with_default (json_node_get_object (error_node), "message", NULL);
    if (message != NULL)
      text = g_strdup_printf (_("The server refused the file: %s"), message);
    else
      text = g_strdup_printf (_("The server refused the file (%u %s)."), data->status,
                              soup_status_get_phrase (data->status));
    set_message (self->message_label, text, "error");
    set_state (self, IOC_SUBMIT_REFUSED);
  }
}

static void
csv_sent_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IocIndicatorSubmit *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (data->answer == NULL)
    {
      g_autoptr(GError) shown = ioc_client_translate_error (self->client, data->msg, error);

      set_message (self->message_label, shown->message, "error");
      set_state (self, IOC_SUBMIT_FAILED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->status = soup_message_get_status (data->msg);
  g_task_run_in_thread (task, parse_answer_thread);
}

static void
send_csv_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  IocIndicatorSubmit *self = IOC_INDICATOR_SUBMIT (widget);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;
  SendData *data;

  /* Never while any row is bad, or before the file was checked. */
  if (self->state != IOC_SUBMIT_READY || self->n_bad > 0 || self->text == NULL || self->client == NULL)
    return;

  msg = ioc_client_new_message (self->client, "POST", "/api/v1/indicators/observations.csv");
  if (msg == NULL)
    return;
  soup_message_set_request_body_from_bytes (msg, "text/csv", self->text);
  key = ioc_client_new_idempotency_key ();
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Idempotency-Key", key);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  data = g_new0 (SendData, 1);
  data->msg = g_object_ref (msg);
  task = g_task_new (self, self->cancellable, csv_answer_parsed_cb, NULL);
  g_task_set_source_tag (task, send_csv_action);
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  set_message (self->message_label, _("Sending…"), NULL);
  set_state (self, IOC_SUBMIT_SENDING);
  soup_session_send_and_read_async (ioc_client_get_session (self->client), msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, csv_sent_cb, g_steal_pointer (&task));
}

/* Choosing a file */

static void
on_chooser_response_cb (GtkNativeDialog    *dialog,
                        int                 response,
                        IocIndicatorSubmit *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        ioc_indicator_submit_load_file (self, file);
    }
  if (self->chooser == GTK_FILE_CHOOSER_NATIVE (dialog))
    g_clear_object (&self->chooser);
}

static void
import_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  IocIndicatorSubmit *self = IOC_INDICATOR_SUBMIT (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Choose a CSV File of Indicator Values"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* The form */

static JsonNode *
error_lines (JsonNode *body)
{
  JsonNode *error_node = NULL;

  if (body != NULL && JSON_NODE_HOLDS_OBJECT (body))
    error_node = json_object_get_member (json_node_get_object (body), "error");
  if (error_node == NULL || !JSON_NODE_HOLDS_OBJECT (error_node))
    return NULL;
  return json_object_get_member (json_node_get_object (error_node), "lines");
}


static void
form_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  IocIndicatorSubmit *self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) error_body = NULL;
  g_autoptr(GError) error = NULL;

  node = ioc_client_post_json_finish (IOC_CLIENT (source), result, &error_body, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->form_busy = FALSE;

  if (node == NULL)
    {
      JsonNode *lines = error_lines (error_body);
      g_autofree char *text = NULL;

      if (lines != NULL && JSON_NODE_HOLDS_ARRAY (lines) && json_array_get_length (json_node_get_array (lines)) > 0)
        {
          JsonObject *first = json_array_get_object_element (json_node_get_array (lines), 0);

          text = g_strdup_printf (_("The server refused the value: %s"),
                                  first ? json_object_get_string_member_with_default (first, "message", "") : "");
        }
      else
        text = g_strdup_printf (_("The value could not be submitted: %s"), error->message);
      set_message (self->form_message_label, text, "error");
      return;
    }

  {
    g_auto(GStrv) codes = stored_codes (node);

    set_message (self->form_message_label, _("The value was stored."), "success");
    gtk_editable_set_text (GTK_EDITABLE (self->value_entry), "");
    g_signal_emit (self, signals[SUBMITTED], 0, codes);
  }
}

/* The form takes the decimal comma of Vietnamese as well as a point. */
static char *
normalize_number (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));

  if (strchr (copy, '.') == NULL && strchr (copy, ',') != NULL && strchr (copy, ',') == strrchr (copy, ','))
    *strchr (copy, ',') = '.';
  return g_steal_pointer (&copy);
}

static void
send_form_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  IocIndicatorSubmit *self = IOC_INDICATOR_SUBMIT (widget);
  guint selected = gtk_drop_down_get_selected (self->indicator_dropdown);
  guint area_index = gtk_drop_down_get_selected (self->area_dropdown);
  const char *code = selected < self->form_codes->len ? g_ptr_array_index (self->form_codes, selected) : "";
  const char *area = area_index < self->area_codes->len ? g_ptr_array_index (self->area_codes, area_index) : "";
  g_autofree char *period = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->period_entry))));
  g_autofree char *value = normalize_number (gtk_editable_get_text (GTK_EDITABLE (self->value_entry)));
  g_autofree char *problems = NULL;
  g_autofree char *key = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) body = NULL;
  Checker c;

  if (self->client == NULL || self->form_busy)
    return;

  checker_init (&c, self->indicators, self->communes,
                self->user && self->user->role == IOC_ROLE_LIAISON ? self->user->department : NULL,
                g_get_real_time ());
  problems = check_row (&c, code, period, area, value, 1);
  checker_clear (&c);
  if (problems != NULL)
    {
      /* TRANSLATORS: the form's value was not sent, with the reasons */
      g_autofree char *text = g_strdup_printf (_("Not sent: %s"), problems);

      set_message (self->form_message_label, text, "error");
      return;
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "observations");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "indicator");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "period");
  json_builder_add_string_value (b, period);
  if (*area != '\0')
    {
      json_builder_set_member_name (b, "area");
      json_builder_add_string_value (b, area);
    }
  json_builder_set_member_name (b, "value");
  json_builder_add_double_value (b, g_ascii_strtod (value, NULL));
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  body = json_builder_get_root (b);

  g_cancellable_cancel (self->form_cancellable);
  g_clear_object (&self->form_cancellable);
  self->form_cancellable = g_cancellable_new ();
  self->form_busy = TRUE;
  key = ioc_client_new_idempotency_key ();
  set_message (self->form_message_label, _("Sending…"), NULL);
  ioc_client_post_json_async (self->client, "/api/v1/indicators/observations", body, key,
                              self->form_cancellable, form_sent_cb, self);
}

/* API */

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  GHashTable *names = user_data;
  const char *x = *(const char * const *) a;
  const char *y = *(const char * const *) b;

  return g_utf8_collate (g_hash_table_lookup (names, x), g_hash_table_lookup (names, y));
}

void
ioc_indicator_submit_set_context (IocIndicatorSubmit *self,
                                  IocClient          *client,
                                  IocUser            *user,
                                  GPtrArray          *indicators,
                                  GHashTable         *communes)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) area_labels = g_ptr_array_new ();
  gboolean liaison;

  g_return_if_fail (IOC_IS_INDICATOR_SUBMIT (self));

  g_set_object (&self->client, client);
  g_clear_pointer (&self->user, ioc_user_unref);
  self->user = user ? ioc_user_ref (user) : NULL;
  liaison = user != NULL && user->role == IOC_ROLE_LIAISON;

  g_hash_table_remove_all (self->indicators);
  g_ptr_array_set_size (self->form_codes, 0);
  for (guint i = 0; indicators != NULL && i < indicators->len; i++)
    {
      IocIndicator *ind = g_ptr_array_index (indicators, i);

      g_hash_table_insert (self->indicators, g_strdup (ind->code), ioc_indicator_ref (ind));
      if (!liaison || g_strcmp0 (ind->department, user->department) == 0)
        {
          g_ptr_array_add (self->form_codes, g_strdup (ind->code));
          g_ptr_array_add (names, (gpointer) ioc_indicator_display_name (ind));
        }
    }
  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->indicator_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->indicator_names)),
                          (const char * const *) names->pdata);

  g_clear_pointer (&self->communes, g_hash_table_unref);
  self->communes = communes ? g_hash_table_ref (communes) : NULL;
  g_ptr_array_set_size (self->area_codes, 0);
  g_ptr_array_add (self->area_codes, g_strdup (""));
  g_ptr_array_add (area_labels, (gpointer) _("Whole city"));
  if (communes != NULL)
    {
      g_autoptr(GPtrArray) codes = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, communes);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (codes, key);

      g_ptr_array_sort_with_data (codes, compare_names, communes);
      for (guint i = 0; i < codes->len; i++)
        {
          g_ptr_array_add (self->area_codes, g_strdup (g_ptr_array_index (codes, i)));
          g_ptr_array_add (area_labels, g_hash_table_lookup (communes, g_ptr_array_index (codes, i)));
        }
    }
  g_ptr_array_add (area_labels, NULL);
  gtk_string_list_splice (self->area_names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->area_names)),
                          (const char * const *) area_labels->pdata);

  if (liaison)
    {
      /* TRANSLATORS: %s is the liaison's department code */
      g_autofree char *text = g_strdup_printf (_("You submit the indicators of %s. A value for a period that already has one replaces it."),
                                               user->department);

      gtk_label_set_label (self->department_label, text);
    }
  else
    gtk_label_set_label (self->department_label,
                         _("As an administrator you may submit any indicator. A value for a period that already has one replaces it."));
}

void
ioc_indicator_submit_set_form (IocIndicatorSubmit *self,
                               const char         *indicator,
                               const char         *period,
                               const char         *area,
                               const char         *value)
{
  g_return_if_fail (IOC_IS_INDICATOR_SUBMIT (self));

  for (guint i = 0; indicator != NULL && i < self->form_codes->len; i++)
    if (g_str_equal (g_ptr_array_index (self->form_codes, i), indicator))
      gtk_drop_down_set_selected (self->indicator_dropdown, i);
  for (guint i = 0; i < self->area_codes->len; i++)
    if (g_str_equal (g_ptr_array_index (self->area_codes, i), area ? area : ""))
      gtk_drop_down_set_selected (self->area_dropdown, i);
  if (period != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->period_entry), period);
  if (value != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->value_entry), value);
}

IocSubmitState
ioc_indicator_submit_get_state (IocIndicatorSubmit *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_SUBMIT (self), IOC_SUBMIT_EMPTY);
  return self->state;
}

guint
ioc_indicator_submit_get_n_rows (IocIndicatorSubmit *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_SUBMIT (self), 0);
  return self->rows ? self->rows->len : 0;
}

guint
ioc_indicator_submit_get_n_bad (IocIndicatorSubmit *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_SUBMIT (self), 0);
  return self->n_bad;
}

const IocSubmitRow *
ioc_indicator_submit_get_row (IocIndicatorSubmit *self,
                              guint               line)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_SUBMIT (self), NULL);

  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    if (((IocSubmitRow *) g_ptr_array_index (self->rows, i))->line == line)
      return g_ptr_array_index (self->rows, i);
  return NULL;
}

const char *
ioc_indicator_submit_get_message (IocIndicatorSubmit *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_SUBMIT (self), NULL);
  return gtk_label_get_label (self->message_label);
}

const char *
ioc_indicator_submit_get_form_message (IocIndicatorSubmit *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_SUBMIT (self), NULL);
  return gtk_label_get_label (self->form_message_label);
}

gboolean
ioc_indicator_submit_is_form_busy (IocIndicatorSubmit *self)
{
  g_return_val_if_fail (IOC_IS_INDICATOR_SUBMIT (self), FALSE);
  return self->form_busy;
}

/* GObject */

static void
ioc_indicator_submit_dispose (GObject *object)
{
  IocIndicatorSubmit *self = IOC_INDICATOR_SUBMIT (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->form_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->form_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_INDICATOR_SUBMIT);
  g_clear_object (&self->client);
  g_clear_pointer (&self->user, ioc_user_unref);
  g_clear_pointer (&self->indicators, g_hash_table_unref);
  g_clear_pointer (&self->communes, g_hash_table_unref);
  g_clear_pointer (&self->form_codes, g_ptr_array_unref);
  g_clear_pointer (&self->area_codes, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->text, g_bytes_unref);

  G_OBJECT_CLASS (ioc_indicator_submit_parent_class)->dispose (object);
}

static void
ioc_indicator_submit_class_init (IocIndicatorSubmitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_indicator_submit_dispose;

  signals[SUBMITTED] =
    g_signal_new ("submitted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRV);

  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-indicator-submit.ui");
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, box);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, department_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, indicator_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, indicator_names);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, period_entry);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, area_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, area_names);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, value_entry);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, form_message_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, file_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, message_label);
  gtk_widget_class_bind_template_child (widget_class, IocIndicatorSubmit, rows_list);

  gtk_widget_class_install_action (widget_class, "submit.import-csv", NULL, import_csv_action);
  gtk_widget_class_install_action (widget_class, "submit.send-csv", NULL, send_csv_action);
  gtk_widget_class_install_action (widget_class, "submit.send-form", NULL, send_form_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "iocindicatorsubmit");
}

static void
ioc_indicator_submit_init (IocIndicatorSubmit *self)
{
  self->indicators = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ioc_indicator_unref);
  self->form_codes = g_ptr_array_new_with_free_func (g_free);
  self->area_codes = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  set_state (self, IOC_SUBMIT_EMPTY);
  set_message (self->message_label, _("Choose a CSV file to check its rows."), NULL);
}

GtkWidget *
ioc_indicator_submit_new (void)
{
  return g_object_new (IOC_TYPE_INDICATOR_SUBMIT, NULL);
}
