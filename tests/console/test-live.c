/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "console-test-utils.h"
#include "iocd-test-utils.h"
#include "ioc-bulk-forward.h"
#include "ioc-window.h"

/* Two consoles in one process against one real iocd, the way a control
 * room and a department work together: an operator's window and a
 * liaison's, each seeing what the other does, live. The cases run in order
 * and share the two windows; the last ones stop and restart iocd. */

#define LIAISON "lienlac.sxd"
#define LIAISON_DEPARTMENT "SXD"
#define SECOND ((gint64) G_USEC_PER_SEC)
#define HOUR (3600 * SECOND)

static IocdTestServer *server;
static SoupSession *session;
static IocWindow *operator_window;
static IocWindow *liaison_window;
static GPtrArray *settings_kept;

static void
screenshot (const char *name)
{
  if (g_getenv ("IOC_TEST_SCREENSHOT_DIR") == NULL)
    return;
  ioc_test_settle (300);
  ioc_test_screenshot_screen (name);
}

static gboolean
page_is (IocWindow  *window,
         const char *name)
{
  return g_strcmp0 (ioc_window_get_page (window), name) == 0;
}

static gboolean
fingerprint_shown (gpointer data)
{
  return ioc_window_get_fingerprint_shown (data) != NULL || ioc_window_get_error_shown (data) != NULL;
}

static gboolean
on_sign_in_page (gpointer data)
{
  return page_is (data, "sign-in");
}

static gboolean
queue_ready (gpointer data)
{
  return ioc_window_get_tasks_ready (data) &&
         g_list_model_get_n_items (ioc_task_model_get_list (ioc_window_get_model (data))) > 0 &&
         !ioc_queue_view_is_busy (ioc_window_get_queue_view (data));
}

static gboolean
queue_settled (gpointer data)
{
  return !ioc_queue_view_is_busy (ioc_window_get_queue_view (data));
}

/* A window of its own settings (nothing pinned yet), through the whole first
 * connection: confirm the fingerprint, sign in, load the queue. */
static IocWindow *
open_window (const char *username)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  GSettings *settings = g_settings_new_with_backend (APP_ID, backend);
  IocWindow *window = ioc_window_new (NULL, settings);

  g_ptr_array_add (settings_kept, settings);
  gtk_window_set_default_size (GTK_WINDOW (window), 1920, 1080);
  gtk_window_present (GTK_WINDOW (window));
  ioc_window_set_server (window, server->base_uri);
  g_assert_cmpstr (ioc_window_get_page (window), ==, "connect");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.connect", NULL));
  g_assert_true (ioc_test_wait_until (fingerprint_shown, window, 30));
  g_assert_cmpstr (ioc_window_get_fingerprint_shown (window), ==, server->fingerprint);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.trust", NULL));
  g_assert_true (ioc_test_wait_until (on_sign_in_page, window, 30));
  ioc_window_set_credentials (window, username, server->demo_password);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-in", NULL));
  g_assert_true (ioc_test_wait_until (queue_ready, window, 60));
  return window;
}

/* Waiting for a task to reach a state in a window's model */

typedef struct {
  IocWindow    *window;
  gint64        id;
  IocTaskState  state;
} TaskWait;

static gboolean
task_in_state (gpointer data)
{
  TaskWait *w = data;
  IocTaskObject *object = ioc_task_model_find (ioc_window_get_model (w->window), w->id);

  return object != NULL && ioc_task_object_get_task (object)->state == w->state;
}

static gboolean
wait_state (IocWindow    *window,
            gint64        id,
            IocTaskState  state,
            guint         timeout_s)
{
  TaskWait w = { window, id, state };

  return ioc_test_wait_until (task_in_state, &w, timeout_s);
}

static gboolean
details_show (gpointer data)
{
  TaskWait *w = data;
  IocTask *task = ioc_task_details_get_task (ioc_window_get_details (w->window));

  return task != NULL && task->id == w->id && task->timeline != NULL &&
         (w->state == IOC_TASK_STATE_INVALID || task->state == w->state);
}

static void
show_in_details (IocWindow    *window,
                 gint64        id,
                 IocTaskState  state)
{
  TaskWait w = { window, id, state };

  ioc_window_show_task (window, id);
  g_assert_true (ioc_test_wait_until (details_show, &w, 30));
}

static gboolean
notified (IocWindow  *window,
          const char *id)
{
  GPtrArray *sent = ioc_window_get_notifications (window);

  for (guint i = 0; i < sent->len; i++)
    if (g_str_equal (g_ptr_array_index (sent, i), id))
      return TRUE;
  return FALSE;
}

typedef struct {
  IocWindow  *window;
  const char *id;
} NotifyWait;

static gboolean
notification_sent (gpointer data)
{
  NotifyWait *w = data;

  return notified (w->window, w->id);
}

/* Over HTTP, as another client would */

static const char *
token_of (const char *username)
{
  return iocd_test_token (server, session, username);
}

static gint64
new_verified_task (const char *category,
                   const char *title)
{
  const char *token = token_of ("trucban2");
  gint64 id = iocd_test_new_task (server, session, token, category, title);
  g_autofree char *body = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT "}",
                                           iocd_test_task_version (server, session, token, id));
  g_autoptr(IocdTestResponse) r = iocd_test_act (server, session, token, id, "verify", body, NULL);

  g_assert_true (iocd_test_assert_status (r, 200, "verify"));
  return id;
}

static void
forward_over_http (gint64      id,
                   const char *department,
                   gint64      due_at)
{
  const char *token = token_of ("trucban2");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(IocdTestResponse) r = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, iocd_test_task_version (server, session, token, id));
  json_builder_set_member_name (b, "department");
  json_builder_add_string_value (b, department);
  if (due_at != 0)
    {
      g_autofree char *due = ioc_time_format (due_at);

      json_builder_set_member_name (b, "due_at");
      json_builder_add_string_value (b, due);
    }
  body = iocd_test_json_finish (b);
  r = iocd_test_act (server, session, token, id, "forward", body, NULL);
  g_assert_true (iocd_test_assert_status (r, 200, "forward"));
}

/* The cases */

static void
test_sign_in_both (void)
{
  operator_window = open_window ("trucban1");
  liaison_window = open_window (LIAISON);
  screenshot ("liaison-queue.png");
  /* Only operators take in reports and forward several at once. */
  gtk_widget_activate_action (GTK_WIDGET (liaison_window), "win.new-task", NULL);
  gtk_widget_activate_action (GTK_WIDGET (liaison_window), "win.forward-selected", NULL);
  g_assert_null (ioc_window_get_open_dialog (liaison_window));
}

static gboolean
windows_open (void)
{
  if (operator_window == NULL || liaison_window == NULL)
    {
      g_test_skip ("the two consoles did not sign in");
      return FALSE;
    }
  return TRUE;
}

static void
test_forward_flow_across_windows (void)
{
  gint64 id, now, due, custom, sent_at, seen_at;
  IocTask *task;

  if (!windows_open ())
    return;

  id = new_verified_task ("LIGHT", "Đèn đường không sáng trước chợ Tân An (thử nghiệm trực tiếp)");
  g_assert_true (wait_state (operator_window, id, IOC_TASK_STATE_VERIFIED, 30));
  /* Not forwarded yet: not the liaison's. */
  g_assert_null (ioc_task_model_find (ioc_window_get_model (liaison_window), id));

  /* The operator forwards it from the details; the due time defaults to the
   * category's processing time (LIGHT: 24 hours). */
  show_in_details (operator_window, id, IOC_TASK_STATE_VERIFIED);
  ioc_window_open_action_dialog (operator_window, IOC_ACTION_FORWARD);
  g_assert_nonnull (ioc_window_get_open_dialog (operator_window));
  now = g_get_real_time ();
  due = ioc_window_get_action_due (operator_window);
  g_assert_cmpint (due, <=, now + 24 * HOUR);
  g_assert_cmpint (due, >, now + 24 * HOUR - 120 * SECOND);
  screenshot ("forward-dialog.png");

  /* An explicit due time, to the minute, in three days. */
  custom = (now / (60 * SECOND) + 3 * 24 * 60) * 60 * SECOND;
  ioc_window_set_action_due (operator_window, custom);
  g_assert_cmpint (ioc_window_get_action_due (operator_window), ==, custom);
  /* A due time in the past cannot be sent. */
  ioc_window_set_action_due (operator_window, now - HOUR);
  g_assert_false (ioc_window_respond_action (operator_window, TRUE));
  ioc_window_set_action_due (operator_window, custom);

  sent_at = g_get_monotonic_time ();
  g_assert_true (ioc_window_respond_action (operator_window, TRUE));

  /* The liaison's console gets it live, and a notification. */
  g_assert_true (wait_state (liaison_window, id, IOC_TASK_STATE_FORWARDED, 30));
  seen_at = g_get_monotonic_time ();
  g_test_message ("forward shown in the liaison's console %.0f ms after the operator sent it",
                  (seen_at - sent_at) / 1000.0);
  task = ioc_task_object_get_task (ioc_task_model_find (ioc_window_get_model (liaison_window), id));
  g_assert_cmpstr (task->department, ==, LIAISON_DEPARTMENT);
  g_assert_cmpint (task->due_at, ==, custom);
  {
    g_autofree char *nid = g_strdup_printf ("task-%" G_GINT64_FORMAT "-forwarded", id);
    NotifyWait w = { liaison_window, nid };

    g_assert_true (ioc_test_wait_until (notification_sent, &w, 10));
    /* The operator did it: no notification on their side. */
    g_assert_false (notified (operator_window, nid));
  }
  g_assert_true (wait_state (operator_window, id, IOC_TASK_STATE_FORWARDED, 30));

  /* Liaison: acknowledge; the operator sees it. */
  show_in_details (liaison_window, id, IOC_TASK_STATE_FORWARDED);
  g_assert_true (ioc_task_details_get_offered_actions (ioc_window_get_details (liaison_window)) &
                 (1u << IOC_ACTION_ACKNOWLEDGE));
  ioc_window_open_action_dialog (liaison_window, IOC_ACTION_ACKNOWLEDGE);
  g_assert_true (ioc_window_respond_action (liaison_window, TRUE));
  g_assert_true (wait_state (operator_window, id, IOC_TASK_STATE_ACKNOWLEDGED, 30));

  /* Liaison: resolve, which needs a result. */
  show_in_details (liaison_window, id, IOC_TASK_STATE_ACKNOWLEDGED);
  ioc_window_open_action_dialog (liaison_window, IOC_ACTION_RESOLVE);
  g_assert_false (ioc_window_respond_action (liaison_window, TRUE));
  ioc_window_set_action_note (liaison_window, "Đã thay bóng đèn và kiểm tra tủ điện");
  g_assert_true (ioc_window_respond_action (liaison_window, TRUE));
  g_assert_true (wait_state (operator_window, id, IOC_TASK_STATE_RESOLVED, 30));
  task = ioc_task_object_get_task (ioc_task_model_find (ioc_window_get_model (operator_window), id));
  g_assert_cmpstr (task->result, ==, "Đã thay bóng đèn và kiểm tra tủ điện");

  /* Operator: close; the liaison sees it closed. */
  show_in_details (operator_window, id, IOC_TASK_STATE_RESOLVED);
  ioc_window_open_action_dialog (operator_window, IOC_ACTION_CLOSE);
  g_assert_true (ioc_window_respond_action (operator_window, TRUE));
  g_assert_true (wait_state (liaison_window, id, IOC_TASK_STATE_CLOSED, 30));
  show_in_details (operator_window, id, IOC_TASK_STATE_CLOSED);
  /* intake, verify, forward, acknowledge, resolve, close */
  g_assert_cmpuint (ioc_task_details_get_task (ioc_window_get_details (operator_window))->timeline->len, >=, 6);
  screenshot ("details-timeline.png");
}

static void
test_liaison_sees_own_department_only (void)
{
  gint64 id;

  if (!windows_open ())
    return;

  /* Forwarded to the health department: the SXD liaison never gets it. */
  id = new_verified_task ("FOOD", "Nghi ngộ độc thực phẩm tại bếp ăn tập thể (thử nghiệm)");
  forward_over_http (id, "SYT", 0);
  g_assert_true (wait_state (operator_window, id, IOC_TASK_STATE_FORWARDED, 30));
  ioc_test_settle (500);
  g_assert_null (ioc_task_model_find (ioc_window_get_model (liaison_window), id));
  {
    g_autofree char *nid = g_strdup_printf ("task-%" G_GINT64_FORMAT "-forwarded", id);
    g_assert_false (notified (liaison_window, nid));
  }

  /* And nothing in its queue belongs to another department now unless it
   * was SXD's before: the server decides, the console shows what it got. */
  {
    GListModel *all = ioc_task_model_get_list (ioc_window_get_model (liaison_window));
    g_autoptr(GPtrArray) listed = iocd_test_list_tasks (server, session, token_of (LIAISON), NULL, 1000, NULL);

    for (guint i = 0; i < g_list_model_get_n_items (all); i++)
      {
        g_autoptr(IocTaskObject) object = g_list_model_get_item (all, i);
        IocTask *task = ioc_task_object_get_task (object);

        if (iocd_test_find_task (listed, task->id) == NULL)
          iocd_test_fail ("the liaison's console holds task %" G_GINT64_FORMAT " (%s, %s, “%s”) that iocd does not list for it",
                          task->id, ioc_task_state_to_string (task->state), task->department, task->title);
      }
    g_assert_cmpuint (g_list_model_get_n_items (all), ==, listed->len);
  }
}

static gboolean
toast_names (gpointer data)
{
  const char *toast = ioc_window_get_last_toast (operator_window);

  return toast != NULL && strstr (toast, data) != NULL;
}

static void
test_conflict_shows_who (void)
{
  g_autoptr(IocdTestResponse) me = NULL;
  g_autoptr(IocdTestResponse) r = NULL;
  g_autofree char *body = NULL;
  const char *name;
  gint64 id;

  if (!windows_open ())
    return;

  me = iocd_test_request (server, session, "GET", "/api/v1/session", token_of ("trucban2"), NULL, NULL);
  name = iocd_test_json_string (me->body, "display_name");
  if (name == NULL)
    name = iocd_test_json_string (me->body, "user.display_name");
  g_assert_nonnull (name);

  id = new_verified_task ("ROAD", "Ổ gà lớn trên đường 30 Tháng 4 (thử nghiệm xung đột)");
  g_assert_true (wait_state (operator_window, id, IOC_TASK_STATE_VERIFIED, 30));
  show_in_details (operator_window, id, IOC_TASK_STATE_VERIFIED);
  ioc_window_open_action_dialog (operator_window, IOC_ACTION_FORWARD);

  /* While the dialog is open, another operator rejects the task. */
  body = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT ", \"reason\": \"Trùng với phản ánh đã xử lý\"}",
                          iocd_test_task_version (server, session, token_of ("trucban2"), id));
  r = iocd_test_act (server, session, token_of ("trucban2"), id, "reject", body, NULL);
  g_assert_true (iocd_test_assert_status (r, 200, "reject"));
  g_assert_true (wait_state (operator_window, id, IOC_TASK_STATE_REJECTED, 30));

  g_assert_true (ioc_window_respond_action (operator_window, TRUE));
  g_assert_true (ioc_test_wait_until (toast_names, (gpointer) name, 30));
  g_test_message ("shown: %s", ioc_window_get_last_toast (operator_window));
  /* Nothing was forwarded. */
  ioc_test_settle (200);
  g_assert_cmpstr (ioc_task_state_to_string (ioc_task_object_get_task (ioc_task_model_find (ioc_window_get_model (operator_window), id))->state), ==, "rejected");
}

static void
test_filters (void)
{
  IocQueueView *queue;
  GListModel *shown;
  guint n_open, n;

  if (!windows_open ())
    return;

  queue = ioc_window_get_queue_view (operator_window);
  shown = ioc_queue_view_get_shown (queue);
  ioc_queue_view_set_search (queue, "");
  ioc_queue_view_clear_filters (queue);
  ioc_queue_view_set_view (queue, IOC_VIEW_ALL_OPEN);
  g_assert_true (ioc_test_wait_until (queue_settled, operator_window, 10));
  n_open = g_list_model_get_n_items (shown);
  g_assert_cmpuint (n_open, >, 0);

  ioc_queue_view_set_state_filter (queue, IOC_TASK_STATE_FORWARDED);
  g_assert_true (ioc_test_wait_until (queue_settled, operator_window, 10));
  n = g_list_model_get_n_items (shown);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <, n_open);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (shown, i);
      g_assert_cmpint (ioc_task_object_get_task (object)->state, ==, IOC_TASK_STATE_FORWARDED);
    }

  ioc_queue_view_set_department_filter (queue, LIAISON_DEPARTMENT);
  g_assert_true (ioc_test_wait_until (queue_settled, operator_window, 10));
  g_assert_cmpuint (g_list_model_get_n_items (shown), <=, n);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (shown, i);
      IocTask *task = ioc_task_object_get_task (object);

      g_assert_cmpint (task->state, ==, IOC_TASK_STATE_FORWARDED);
      g_assert_cmpstr (task->department, ==, LIAISON_DEPARTMENT);
    }

  ioc_queue_view_set_state_filter (queue, IOC_TASK_STATE_INVALID);
  ioc_queue_view_set_category_filter (queue, "LIGHT");
  ioc_queue_view_set_search (queue, "den");
  g_assert_true (ioc_test_wait_until (queue_settled, operator_window, 10));
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (shown, i);
      IocTask *task = ioc_task_object_get_task (object);

      g_assert_cmpstr (task->category, ==, "LIGHT");
      g_assert_cmpstr (task->department, ==, LIAISON_DEPARTMENT);
      g_assert_true (ioc_task_state_is_open (task->state));
      g_assert_true (ioc_text_matches (ioc_task_object_get_search_text (object), "den"));
    }
  ioc_queue_view_set_search (queue, "");

  ioc_queue_view_clear_filters (queue);
  ioc_queue_view_set_overdue_filter (queue, TRUE);
  g_assert_true (ioc_test_wait_until (queue_settled, operator_window, 10));
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(IocTaskObject) object = g_list_model_get_item (shown, i);
      g_assert_true (ioc_task_object_get_overdue (object));
    }
  screenshot ("queue-filters.png");

  ioc_queue_view_clear_filters (queue);
  g_assert_true (ioc_test_wait_until (queue_settled, operator_window, 10));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, n_open);
}

static gboolean
bulk_done (gpointer data)
{
  IocBulkForwardDialog *dialog = data;

  return ioc_bulk_forward_dialog_get_succeeded (dialog) + ioc_bulk_forward_dialog_get_failed (dialog) == 3 &&
         ioc_bulk_forward_dialog_get_in_flight (dialog) == 0;
}

static gint64 bulk_ids[3];

static void
test_bulk_forward_from_selection (void)
{
  g_autofree char *tag = g_strdup_printf ("lô%u", g_random_int_range (1000, 9999));
  IocQueueView *queue;
  GListModel *shown;
  GtkWindow *dialog;
  gint64 received;

  if (!windows_open ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (bulk_ids); i++)
    {
      g_autofree char *title = g_strdup_printf ("Cây xanh ngã đổ %s số %u", tag, i + 1);
      bulk_ids[i] = new_verified_task ("TREE", title);
    }
  {
    g_autofree char *title = g_strdup_printf ("Cây xanh ngã đổ %s chưa xác minh", tag);
    received = iocd_test_new_task (server, session, token_of ("trucban2"), "TREE", title);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bulk_ids); i++)
    g_assert_true (wait_state (operator_window, bulk_ids[i], IOC_TASK_STATE_VERIFIED, 30));
  g_assert_true (wait_state (operator_window, received, IOC_TASK_STATE_RECEIVED, 30));

  queue = ioc_window_get_queue_view (operator_window);
  shown = ioc_queue_view_get_shown (queue);
  ioc_queue_view_clear_filters (queue);
  ioc_queue_view_set_view (queue, IOC_VIEW_ALL_OPEN);
  ioc_queue_view_set_search (queue, tag);
  g_assert_true (ioc_test_wait_until (queue_settled, operator_window, 10));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 4);
  gtk_selection_model_select_all (ioc_queue_view_get_selection (queue));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (operator_window), "win.forward-selected", NULL));
  dialog = ioc_window_get_open_dialog (operator_window);
  g_assert_true (IOC_IS_BULK_FORWARD_DIALOG (dialog));
  /* The received one cannot be forwarded: left out, and said so. */
  g_assert_nonnull (ioc_window_get_last_toast (operator_window));
  g_assert_nonnull (strstr (ioc_window_get_last_toast (operator_window), "1"));
  screenshot ("bulk-forward.png");

  ioc_bulk_forward_dialog_start (IOC_BULK_FORWARD_DIALOG (dialog));
  g_assert_true (ioc_test_wait_until (bulk_done, dialog, 60));
  g_assert_cmpuint (ioc_bulk_forward_dialog_get_succeeded (IOC_BULK_FORWARD_DIALOG (dialog)), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (bulk_ids); i++)
    {
      g_assert_true (wait_state (operator_window, bulk_ids[i], IOC_TASK_STATE_FORWARDED, 30));
      /* TREE goes to SXD by default: the liaison's console has them. */
      g_assert_true (wait_state (liaison_window, bulk_ids[i], IOC_TASK_STATE_FORWARDED, 30));
    }
  g_assert_true (wait_state (operator_window, received, IOC_TASK_STATE_RECEIVED, 1));
  gtk_window_destroy (dialog);
  ioc_queue_view_set_search (queue, "");
}

static void
test_operator_notifications (void)
{
  g_autoptr(IocdTestResponse) r = NULL;
  g_autofree char *body = NULL;
  g_autofree char *returned_id = NULL;
  g_autofree char *overdue_id = NULL;
  gint64 id, due;
  guint count = 0;

  if (!windows_open () || bulk_ids[0] == 0)
    {
      g_test_skip ("needs the bulk forward case's tasks");
      return;
    }

  /* The department returns a task: the operator is told. */
  body = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT ", \"reason\": \"Không thuộc phạm vi quản lý của Sở\"}",
                          iocd_test_task_version (server, session, token_of (LIAISON), bulk_ids[0]));
  r = iocd_test_act (server, session, token_of (LIAISON), bulk_ids[0], "return", body, NULL);
  g_assert_true (iocd_test_assert_status (r, 200, "return"));
  returned_id = g_strdup_printf ("task-%" G_GINT64_FORMAT "-returned", bulk_ids[0]);
  {
    NotifyWait w = { operator_window, returned_id };
    g_assert_true (ioc_test_wait_until (notification_sent, &w, 30));
  }

  /* A task due in a few seconds becomes overdue on the next tick, once. */
  id = new_verified_task ("SIGNAL", "Đèn tín hiệu nháy vàng tại ngã tư (thử nghiệm quá hạn)");
  due = g_get_real_time () + 4 * G_USEC_PER_SEC;
  forward_over_http (id, LIAISON_DEPARTMENT, due);
  g_assert_true (wait_state (operator_window, id, IOC_TASK_STATE_FORWARDED, 30));
  ioc_task_model_tick (ioc_window_get_model (operator_window), g_get_real_time ());
  overdue_id = g_strdup_printf ("task-%" G_GINT64_FORMAT "-overdue", id);
  g_assert_false (notified (operator_window, overdue_id));
  while (g_get_real_time () <= due + G_USEC_PER_SEC)
    ioc_test_settle (200);
  ioc_task_model_tick (ioc_window_get_model (operator_window), g_get_real_time ());
  ioc_task_model_tick (ioc_window_get_model (operator_window), g_get_real_time ());
  g_assert_true (notified (operator_window, overdue_id));
  for (guint i = 0; i < ioc_window_get_notifications (operator_window)->len; i++)
    count += g_str_equal (g_ptr_array_index (ioc_window_get_notifications (operator_window), i), overdue_id);
  g_assert_cmpuint (count, ==, 1);
  /* Liaisons are not told of overdue work by notification. */
  g_assert_false (notified (liaison_window, overdue_id));
}

static gboolean
timeline_matches (gpointer data)
{
  IocTask *shown = ioc_task_details_get_task (ioc_window_get_details (operator_window));
  guint *expected = data;

  return shown != NULL && shown->timeline != NULL && shown->timeline->len == *expected;
}

static void
test_reconnect_and_resume (void)
{
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(JsonNode) task = NULL;
  g_autofree char *body = NULL;
  g_autofree char *uri = NULL;
  guint n_before, expected;
  gint64 id;

  if (!windows_open ())
    return;

  id = new_verified_task ("DRAIN", "Tắc cống gây ngập đường Mậu Thân (thử nghiệm kết nối lại)");
  g_assert_true (wait_state (operator_window, id, IOC_TASK_STATE_VERIFIED, 30));
  show_in_details (operator_window, id, IOC_TASK_STATE_VERIFIED);
  n_before = g_list_model_get_n_items (ioc_task_model_get_list (ioc_window_get_model (operator_window)));

  uri = g_strdup (server->base_uri);
  iocd_test_server_stop (server);
  ioc_test_settle (1500);
  iocd_test_server_restart (server);
  /* Same state directory, same address. */
  g_assert_cmpstr (server->base_uri, ==, uri);

  /* Right after the restart, before the consoles are back: a forward and a
   * new task. Both come in by the catch-up, once. */
  forward_over_http (id, LIAISON_DEPARTMENT, 0);
  {
    gint64 fresh = new_verified_task ("WATER", "Vỡ ống nước trên đường Nguyễn Văn Cừ (thử nghiệm kết nối lại)");

    g_assert_true (wait_state (operator_window, fresh, IOC_TASK_STATE_VERIFIED, 60));
  }
  g_assert_true (wait_state (operator_window, id, IOC_TASK_STATE_FORWARDED, 60));
  g_assert_true (wait_state (liaison_window, id, IOC_TASK_STATE_FORWARDED, 60));
  g_assert_cmpuint (g_list_model_get_n_items (ioc_task_model_get_list (ioc_window_get_model (operator_window))),
                    ==, n_before + 1);

  /* The details got each new timeline entry once. */
  task = iocd_test_fetch_task (server, session, token_of ("trucban2"), id);
  expected = iocd_test_timeline_length (task);
  g_assert_true (ioc_test_wait_until (timeline_matches, &expected, 10));
  ioc_test_settle (500);
  g_assert_true (timeline_matches (&expected));
}

static gboolean
refused (gpointer data)
{
  const char *error = ioc_window_get_error_shown (data);

  return page_is (data, "connect") && error != NULL;
}

static void
test_changed_certificate_refused (void)
{
  g_autofree char *old_fingerprint = NULL;
  const char *cert = g_getenv ("IOCD_TEST_CERT_2");
  const char *key = g_getenv ("IOCD_TEST_KEY_2");
  GStrv old_args;

  if (!windows_open ())
    return;
  g_assert_nonnull (cert);
  g_assert_nonnull (key);

  /* The same address and data, another certificate: a hard stop. */
  old_fingerprint = g_strdup (server->fingerprint);
  old_args = server->extra_args;
  server->extra_args = g_strdupv ((char *[]) { old_args[0], old_args[1], (char *) "--tls-cert", (char *) cert,
                                               (char *) "--tls-key", (char *) key, NULL });
  g_strfreev (old_args);
  iocd_test_server_restart (server);
  g_assert_cmpstr (server->fingerprint, !=, old_fingerprint);

  g_assert_true (ioc_test_wait_until (refused, operator_window, 60));
  g_assert_true (ioc_test_wait_until (refused, liaison_window, 60));
  g_test_message ("shown: %s", ioc_window_get_error_shown (operator_window));
  screenshot ("certificate-changed.png");
}

static void
test_needs_display (void)
{
  g_test_skip ("no display: run the console tests under Xvfb (build-aux/run-tests does)");
}

static char *
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_strdup_printf ("127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = NULL;
  g_autofree char *keyring = NULL;
  g_autofree char *listen = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_add_func ("/console/live/needs-a-display", test_needs_display);
      return g_test_run ();
    }

  tmp = g_dir_make_tmp ("ioc-test-live-XXXXXX", NULL);
  keyring = g_build_filename (tmp, "keyring", NULL);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);

  adw_init ();
  /* A fixed port, so that a restarted iocd is where the consoles left it. */
  listen = free_port ();
  server = iocd_test_server_start ((const char *[]) { "--listen", listen, NULL });
  session = iocd_test_session_new (server);
  settings_kept = g_ptr_array_new_with_free_func (g_object_unref);

  g_test_add_func ("/console/live/sign-in-both", test_sign_in_both);
  g_test_add_func ("/console/live/forward-acknowledge-resolve-close", test_forward_flow_across_windows);
  g_test_add_func ("/console/live/liaison-own-department", test_liaison_sees_own_department_only);
  g_test_add_func ("/console/live/conflict-shows-who", test_conflict_shows_who);
  g_test_add_func ("/console/live/filters", test_filters);
  g_test_add_func ("/console/live/bulk-forward-selected", test_bulk_forward_from_selection);
  g_test_add_func ("/console/live/operator-notifications", test_operator_notifications);
  g_test_add_func ("/console/live/reconnect-and-resume", test_reconnect_and_resume);
  g_test_add_func ("/console/live/changed-certificate-refused", test_changed_certificate_refused);

  ret = g_test_run ();

  g_clear_pointer ((GtkWindow **) &operator_window, gtk_window_destroy);
  g_clear_pointer ((GtkWindow **) &liaison_window, gtk_window_destroy);
  g_clear_object (&session);
  iocd_test_server_free (server);
  g_ptr_array_unref (settings_kept);
  g_unlink (keyring);
  g_rmdir (tmp);
  return ret;
}
