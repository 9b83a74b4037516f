/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "console-test-utils.h"
#include "iocd-test-utils.h"
#include "ioc-bulk-forward.h"
#include "ioc-event-stream.h"
#include "ioc-intake-dialog.h"
#include "ioc-overview.h"
#include "ioc-task-model.h"

/* The operators' dialogs and the supervisors' overview, as real windows
 * under Xvfb against a real iocd. */

static IocdTestServer *server;
static SoupSession *session;
static IocClient *client;         /* trucban1, as the console signs in */
static IocTaskModel *model;       /* for its reference data, as the window has it */
static GtkWindow *parent;

/* The whole screen (1920×1080 under the test command's Xvfb), so the dialog
 * is seen over its window as the user sees it. */
static void
screenshot (const char *name)
{
  /* Let the frame be drawn; the same pause with or without screenshots, so
   * that the tests run the same either way. */
  ioc_test_settle (400);
  ioc_test_screenshot_screen (name);
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static IocTask *
fetch_task (gint64 id)
{
  const char *token = iocd_test_token (server, session, "trucban1");
  g_autoptr(JsonNode) node = iocd_test_fetch_task (server, session, token, id);
  g_autoptr(GError) error = NULL;
  IocTask *task;

  if (node == NULL)
    return NULL;
  task = ioc_task_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  return task;
}

static gint64
new_verified_task (const char *category,
                   const char *title)
{
  const char *token = iocd_test_token (server, session, "trucban1");
  gint64 id = iocd_test_new_task (server, session, token, category, title);

  g_assert_true (iocd_test_advance (server, session, id, IOCD_TEST_AT_VERIFIED, token, NULL, NULL));
  return id;
}

static char *
display_name_of (const char *username)
{
  const char *token = iocd_test_token (server, session, username);
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/session", token, NULL, NULL);
  const char *name;

  g_assert_true (iocd_test_assert_status (r, 200, "GET /session"));
  name = iocd_test_json_string (r->body, "display_name");
  if (name == NULL)
    name = iocd_test_json_string (r->body, "user.display_name");
  return g_strdup (name ? name : username);
}

static IocCategory *
category (const char *code)
{
  return g_hash_table_lookup (ioc_task_model_get_reference (model)->categories, code);
}

/* Bulk forward */

typedef struct {
  IocBulkForwardDialog *dialog;
  guint                 forwarded;
  guint                 finished;
  guint                 max_in_flight;
  GPtrArray            *updated;
} BulkRun;

static void
on_task_forwarded_cb (IocBulkForwardDialog *dialog,
                      IocTask              *task,
                      BulkRun              *run)
{
  run->forwarded++;
  g_ptr_array_add (run->updated, ioc_task_ref (task));
  run->max_in_flight = MAX (run->max_in_flight, ioc_bulk_forward_dialog_get_in_flight (dialog));
}

static void
on_finished_cb (IocBulkForwardDialog *dialog,
                BulkRun              *run)
{
  run->finished++;
}

static gboolean
bulk_finished (gpointer data)
{
  BulkRun *run = data;

  run->max_in_flight = MAX (run->max_in_flight, ioc_bulk_forward_dialog_get_in_flight (run->dialog));
  return run->finished > 0;
}

static BulkRun *
bulk_run_new (GPtrArray *tasks)
{
  BulkRun *run = g_new0 (BulkRun, 1);

  run->dialog = IOC_BULK_FORWARD_DIALOG (ioc_bulk_forward_dialog_new (parent, client,
                                                                      ioc_task_model_get_reference (model), tasks));
  run->updated = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_task_unref);
  g_signal_connect (run->dialog, "task-forwarded", G_CALLBACK (on_task_forwarded_cb), run);
  g_signal_connect (run->dialog, "finished", G_CALLBACK (on_finished_cb), run);
  gtk_window_present (GTK_WINDOW (run->dialog));
  return run;
}

static void
bulk_run_free (BulkRun *run)
{
  gtk_window_destroy (GTK_WINDOW (run->dialog));
  g_ptr_array_unref (run->updated);
  g_free (run);
}

static void
test_bulk_forward_with_a_stale_task (void)
{
  const char *categories[] = { "LIGHT", "ROAD", "FLOOD", "NOISE", "LIGHT", "WASTE" };
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_task_unref);
  const char *token2 = iocd_test_token (server, session, "trucban2");
  g_autofree char *other = display_name_of ("trucban2");
  g_autofree char *failures = NULL;
  g_autofree char *stale_body = NULL;
  g_autoptr(IocdTestResponse) r = NULL;
  IocTask *stale;
  BulkRun *run;
  gint64 before;

  for (guint i = 0; i < G_N_ELEMENTS (categories); i++)
    {
      g_autofree char *title = g_strdup_printf ("Chuyển hàng loạt %u", i + 1);
      g_autoptr(IocTask) task = fetch_task (new_verified_task (categories[i], title));

      g_assert_nonnull (task);
      g_assert_cmpint (task->state, ==, IOC_TASK_STATE_VERIFIED);
      g_ptr_array_add (tasks, g_steal_pointer (&task));
    }

  /* Another operator forwards the third task first: the dialog still has
   * the version it was opened with. */
  stale = g_ptr_array_index (tasks, 2);
  stale_body = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT ", \"department\": \"SNNMT\"}", stale->version);
  r = iocd_test_act (server, session, token2, stale->id, "forward", stale_body, NULL);
  g_assert_true (iocd_test_assert_status (r, 200, "forward by trucban2"));

  run = bulk_run_new (tasks);
  ioc_bulk_forward_dialog_set_note (run->dialog, "Chuyển theo lĩnh vực");
  screenshot ("bulk-forward-form.png");

  before = g_get_real_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (run->dialog), "bulk.forward", NULL));
  g_assert_true (ioc_test_wait_until (bulk_finished, run, 60));

  g_assert_cmpuint (ioc_bulk_forward_dialog_get_succeeded (run->dialog), ==, tasks->len - 1);
  g_assert_cmpuint (ioc_bulk_forward_dialog_get_failed (run->dialog), ==, 1);
  g_assert_cmpuint (ioc_bulk_forward_dialog_get_not_sent (run->dialog), ==, 0);
  g_assert_cmpuint (run->forwarded, ==, tasks->len - 1);
  g_assert_cmpuint (run->max_in_flight, <=, 4);

  /* Exactly that failure, saying who changed it and what it is now. */
  failures = ioc_bulk_forward_dialog_dup_failures (run->dialog);
  g_test_message ("failures: %s", failures);
  {
    g_autofree char *prefix = g_strdup_printf ("#%" G_GINT64_FORMAT ": ", stale->id);
    g_auto(GStrv) lines = g_strsplit (g_strstrip (failures), "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 1);
    g_assert_true (g_str_has_prefix (lines[0], prefix));
    g_assert_nonnull (strstr (lines[0], other));
    g_assert_nonnull (strstr (lines[0], ioc_task_state_get_label (IOC_TASK_STATE_FORWARDED)));
  }
  screenshot ("bulk-forward-summary.png");

  /* The server's state: each went to its category's department, due by
   * its category's processing time, with the note; the stale one stayed
   * where trucban2 sent it. */
  for (guint i = 0; i < tasks->len; i++)
    {
      IocTask *sent = g_ptr_array_index (tasks, i);
      g_autoptr(IocTask) now = fetch_task (sent->id);
      IocCategory *c = category (sent->category);
      IocTimelineEntry *last;

      g_assert_nonnull (now);
      g_assert_cmpint (now->state, ==, IOC_TASK_STATE_FORWARDED);
      if (sent == stale)
        {
          g_assert_cmpstr (now->department, ==, "SNNMT");
          g_assert_cmpint (now->version, ==, sent->version + 1);
          continue;
        }
      g_assert_cmpstr (now->department, ==, c->department);
      g_assert_cmpint (now->version, ==, sent->version + 1);
      g_assert_cmpint (now->due_at, >=, before + c->sla_hours * 3600 * G_USEC_PER_SEC - 5 * G_USEC_PER_SEC);
      g_assert_cmpint (now->due_at, <=, g_get_real_time () + c->sla_hours * 3600 * G_USEC_PER_SEC);
      g_assert_nonnull (now->timeline);
      last = g_ptr_array_index (now->timeline, now->timeline->len - 1);
      g_assert_cmpint (last->action, ==, IOC_ACTION_FORWARD);
      g_assert_cmpstr (last->note, ==, "Chuyển theo lĩnh vực");
    }

  /* A refusal is not retried: sending it again would be refused again. */
  run->finished = 0;
  gtk_widget_activate_action (GTK_WIDGET (run->dialog), "bulk.retry", NULL);
  ioc_test_settle (200);
  g_assert_cmpuint (run->finished, ==, 0);
  g_assert_cmpuint (ioc_bulk_forward_dialog_get_in_flight (run->dialog), ==, 0);
  g_assert_cmpuint (ioc_bulk_forward_dialog_get_failed (run->dialog), ==, 1);
  bulk_run_free (run);
}

static guint
count_forward_entries (IocTask *task)
{
  guint n = 0;

  for (guint i = 0; task->timeline != NULL && i < task->timeline->len; i++)
    n += ((IocTimelineEntry *) g_ptr_array_index (task->timeline, i))->action == IOC_ACTION_FORWARD;
  return n;
}

static void
test_bulk_forward_stop_and_retry (void)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_task_unref);
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 2);
  g_autoptr(GDateTime) due = g_date_time_new (tz, g_date_time_get_year (later), g_date_time_get_month (later),
                                              g_date_time_get_day_of_month (later), 16, 30, 0);
  gint64 due_at = g_date_time_to_unix (due) * G_USEC_PER_SEC;
  guint first_round;
  BulkRun *run;

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *title = g_strdup_printf ("Dừng và gửi lại %u", i + 1);
      g_autoptr(IocTask) task = fetch_task (new_verified_task ("DRAIN", title));

      g_ptr_array_add (tasks, g_steal_pointer (&task));
    }

  run = bulk_run_new (tasks);
  /* One department and one due time for all. */
  ioc_bulk_forward_dialog_set_department (run->dialog, "CATP");
  ioc_bulk_forward_dialog_set_due_at (run->dialog, due_at);
  screenshot ("bulk-forward-one-department.png");

  /* Stop at once: what is on its way finishes, nothing more is sent. */
  ioc_bulk_forward_dialog_start (run->dialog);
  g_assert_cmpuint (ioc_bulk_forward_dialog_get_in_flight (run->dialog), ==, 4);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (run->dialog), "bulk.cancel", NULL));
  g_assert_cmpuint (ioc_bulk_forward_dialog_get_in_flight (run->dialog), ==, 4);
  g_assert_true (ioc_test_wait_until (bulk_finished, run, 60));
  first_round = ioc_bulk_forward_dialog_get_succeeded (run->dialog);
  g_test_message ("stopped: %u forwarded, %u not sent", first_round, ioc_bulk_forward_dialog_get_not_sent (run->dialog));
  g_assert_cmpuint (first_round, ==, 4);
  g_assert_cmpuint (ioc_bulk_forward_dialog_get_not_sent (run->dialog), ==, 8);
  g_assert_cmpuint (ioc_bulk_forward_dialog_get_failed (run->dialog), ==, 0);
  screenshot ("bulk-forward-stopped.png");

  /* "Retry failed" sends the rest, and only the rest. */
  run->finished = 0;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (run->dialog), "bulk.retry", NULL));
  g_assert_true (ioc_test_wait_until (bulk_finished, run, 60));
  g_assert_cmpuint (ioc_bulk_forward_dialog_get_succeeded (run->dialog), ==, tasks->len);
  g_assert_cmpuint (ioc_bulk_forward_dialog_get_not_sent (run->dialog), ==, 0);
  g_assert_cmpuint (run->forwarded, ==, tasks->len);
  g_assert_cmpuint (run->max_in_flight, <=, 4);

  for (guint i = 0; i < tasks->len; i++)
    {
      g_autoptr(IocTask) task = fetch_task (((IocTask *) g_ptr_array_index (tasks, i))->id);

      g_assert_cmpint (task->state, ==, IOC_TASK_STATE_FORWARDED);
      g_assert_cmpstr (task->department, ==, "CATP");
      g_assert_cmpint (task->due_at, ==, due_at);
      /* Forwarded once each, whatever was sent twice. */
      g_assert_cmpuint (count_forward_entries (task), ==, 1);
    }
  bulk_run_free (run);
}

/* Intake */

typedef struct {
  IocIntakeDialog *dialog;
  IocTask         *created;
} IntakeRun;

static void
on_created_cb (IocIntakeDialog *dialog,
               IocTask         *task,
               IntakeRun       *run)
{
  run->created = ioc_task_ref (task);
}

static gboolean
intake_done (gpointer data)
{
  IntakeRun *run = data;

  return run->created != NULL || !ioc_intake_dialog_is_busy (run->dialog);
}

static gboolean
picker_ready (gpointer data)
{
  IocLocationPicker *picker = data;

  return gtk_widget_get_width (GTK_WIDGET (picker)) > 100 && ioc_location_picker_get_n_boundaries (picker) == 2;
}

static IntakeRun *
intake_run_new (void)
{
  IntakeRun *run = g_new0 (IntakeRun, 1);

  run->dialog = IOC_INTAKE_DIALOG (ioc_intake_dialog_new (parent, client, ioc_task_model_get_reference (model)));
  g_object_add_weak_pointer (G_OBJECT (run->dialog), (gpointer *) &run->dialog);
  g_signal_connect (run->dialog, "created", G_CALLBACK (on_created_cb), run);
  gtk_window_present (GTK_WINDOW (run->dialog));
  g_assert_true (ioc_test_wait_until (picker_ready, ioc_intake_dialog_get_location_picker (run->dialog), 30));
  /* The map fits the city at its next frame. */
  ioc_test_settle (200);
  return run;
}

static void
intake_run_free (IntakeRun *run)
{
  if (run->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (run->dialog));
  g_clear_pointer (&run->created, ioc_task_unref);
  g_free (run);
}

static gboolean
dialog_gone (gpointer data)
{
  return ((IntakeRun *) data)->dialog == NULL;
}

static void
test_intake_typed_coordinates (void)
{
  IntakeRun *run = intake_run_new ();
  IocLocationPicker *picker = ioc_intake_dialog_get_location_picker (run->dialog);
  g_autoptr(IocTask) stored = NULL;

  /* Nothing typed: every required field says so. */
  ioc_intake_dialog_submit (run->dialog);
  g_assert_false (ioc_intake_dialog_is_busy (run->dialog));
  g_assert_nonnull (ioc_intake_dialog_get_field_error (run->dialog, "category"));
  g_assert_nonnull (ioc_intake_dialog_get_field_error (run->dialog, "title"));
  g_assert_nonnull (ioc_intake_dialog_get_field_error (run->dialog, "location"));
  screenshot ("intake-required.png");

  g_assert_true (ioc_intake_dialog_select (run->dialog, "category", "LIGHT"));
  g_assert_null (ioc_intake_dialog_get_field_error (run->dialog, "category"));
  ioc_intake_dialog_set_text (run->dialog, "title", "Đèn đường không sáng trước số 12");
  ioc_intake_dialog_set_text (run->dialog, "description", "Người dân gọi tổng đài báo ba trụ đèn tắt từ tối qua.");
  ioc_intake_dialog_set_text (run->dialog, "address", "12 Mậu Thân");
  g_assert_true (ioc_intake_dialog_select (run->dialog, "commune", "31135"));
  ioc_intake_dialog_set_text (run->dialog, "reporter.name", "Nguyễn Văn An");
  ioc_intake_dialog_set_text (run->dialog, "reporter.phone", "0909 123 456");

  /* Out of range: said at the field, not sent. */
  ioc_intake_dialog_set_text (run->dialog, "latitude", "100");
  ioc_intake_dialog_set_text (run->dialog, "longitude", "105.7");
  g_assert_nonnull (ioc_intake_dialog_get_field_error (run->dialog, "location"));
  g_assert_false (ioc_location_picker_get_has_location (picker));

  /* Hà Nội: a valid place, but far from the city. */
  ioc_intake_dialog_set_text (run->dialog, "latitude", "21.0285");
  ioc_intake_dialog_set_text (run->dialog, "longitude", "105.8542");
  g_assert_true (ioc_location_picker_get_has_location (picker));
  g_assert_nonnull (ioc_intake_dialog_get_location_warning (run->dialog));

  /* Typed with the Vietnamese decimal comma; the pin follows. */
  ioc_intake_dialog_set_text (run->dialog, "latitude", "10,045213");
  ioc_intake_dialog_set_text (run->dialog, "longitude", "105.746871");
  g_assert_null (ioc_intake_dialog_get_field_error (run->dialog, "location"));
  g_assert_null (ioc_intake_dialog_get_location_warning (run->dialog));
  g_assert_true (ioc_location_picker_get_has_location (picker));
  g_assert_cmpfloat_with_epsilon (ioc_location_picker_get_latitude (picker), 10.045213, 1e-9);
  g_assert_cmpfloat_with_epsilon (ioc_location_picker_get_longitude (picker), 105.746871, 1e-9);
  screenshot ("intake-filled.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (run->dialog), "intake.create", NULL));
  g_assert_true (ioc_test_wait_until (intake_done, run, 30));
  g_assert_nonnull (run->created);
  g_assert_true (ioc_test_wait_until (dialog_gone, run, 5));

  g_assert_cmpint (run->created->state, ==, IOC_TASK_STATE_RECEIVED);
  g_assert_cmpint (run->created->source, ==, IOC_SOURCE_HOTLINE);
  stored = fetch_task (run->created->id);
  g_assert_nonnull (stored);
  g_assert_cmpstr (stored->category, ==, "LIGHT");
  g_assert_cmpstr (stored->title, ==, "Đèn đường không sáng trước số 12");
  g_assert_cmpstr (stored->commune, ==, "31135");
  g_assert_cmpstr (stored->address, ==, "12 Mậu Thân");
  g_assert_cmpstr (stored->reporter_phone, ==, "0909 123 456");
  g_assert_true (stored->has_location);
  g_assert_cmpfloat_with_epsilon (stored->lat, 10.045213, 1e-9);
  g_assert_cmpfloat_with_epsilon (stored->lon, 105.746871, 1e-9);
  /* The category's priority, as nothing else was chosen. */
  g_assert_cmpint (stored->priority, ==, category ("LIGHT")->priority);
  intake_run_free (run);
}

static void
test_intake_picked_location (void)
{
  IntakeRun *run = intake_run_new ();
  IocLocationPicker *picker = ioc_intake_dialog_get_location_picker (run->dialog);
  int w = gtk_widget_get_width (GTK_WIDGET (picker));
  int h = gtk_widget_get_height (GTK_WIDGET (picker));
  g_autofree char *lat_text = NULL;
  g_autofree char *lon_text = NULL;
  g_autoptr(IocTask) stored = NULL;
  ShumateViewport *viewport;
  double lat, lon, centre_lat, centre_lon;

  g_assert_true (ioc_intake_dialog_select (run->dialog, "category", "TREE"));
  g_assert_true (ioc_intake_dialog_select (run->dialog, "priority", "urgent"));
  ioc_intake_dialog_set_text (run->dialog, "title", "Cây đổ chắn đường");

  /* The whole city is in view before a point is chosen. */
  viewport = ioc_location_picker_get_viewport (picker);
  centre_lat = shumate_location_get_latitude (SHUMATE_LOCATION (viewport));
  centre_lon = shumate_location_get_longitude (SHUMATE_LOCATION (viewport));
  g_assert_true (ioc_location_picker_is_in_city (picker, centre_lat, centre_lon));

  /* A click right of and above the centre: a point east and north of it. */
  ioc_location_picker_click (picker, w / 2.0 + 40, h / 2.0 - 30);
  g_assert_true (ioc_location_picker_get_has_location (picker));
  lat = ioc_location_picker_get_latitude (picker);
  lon = ioc_location_picker_get_longitude (picker);
  g_test_message ("picked %f, %f around %f, %f (picker %d×%d, zoom %.1f)", lat, lon, centre_lat, centre_lon, w, h,
                  shumate_viewport_get_zoom_level (viewport));
  g_assert_cmpfloat (lat, >, centre_lat);
  g_assert_cmpfloat (lon, >, centre_lon);
  g_assert_true (ioc_location_picker_is_in_city (picker, lat, lon));

  /* The typed coordinates follow the pin. */
  lat_text = ioc_intake_dialog_dup_text (run->dialog, "latitude");
  lon_text = ioc_intake_dialog_dup_text (run->dialog, "longitude");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (lat_text, NULL), lat, 1e-6);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (lon_text, NULL), lon, 1e-6);
  screenshot ("intake-picked.png");

  ioc_intake_dialog_submit (run->dialog);
  g_assert_true (ioc_test_wait_until (intake_done, run, 30));
  g_assert_nonnull (run->created);
  stored = fetch_task (run->created->id);
  g_assert_true (stored->has_location);
  g_assert_cmpfloat_with_epsilon (stored->lat, lat, 1e-6);
  g_assert_cmpfloat_with_epsilon (stored->lon, lon, 1e-6);
  g_assert_cmpint (stored->priority, ==, IOC_PRIORITY_URGENT);
  g_assert_null (stored->address);
  intake_run_free (run);
}

static void
test_intake_server_field_error (void)
{
  IocReference *reference = ioc_task_model_get_reference (model);
  g_autoptr(IocCommune) fake = ioc_commune_new ();
  g_autofree char *title = NULL;
  g_autofree char *address = NULL;
  g_autofree char *key = NULL;
  IntakeRun *run;

  /* A commune the console knows and the server does not (a stale list). */
  fake->code = g_strdup ("99999");
  fake->name = g_strdup ("Xã Thử Nghiệm");
  g_hash_table_replace (reference->communes, g_strdup (fake->code), ioc_commune_ref (fake));

  run = intake_run_new ();
  g_assert_true (ioc_intake_dialog_select (run->dialog, "category", "WASTE"));
  ioc_intake_dialog_set_text (run->dialog, "title", "Rác thải tồn đọng ở chợ");
  ioc_intake_dialog_set_text (run->dialog, "address", "Chợ Xuân Khánh");
  g_assert_true (ioc_intake_dialog_select (run->dialog, "commune", "99999"));
  key = g_strdup (ioc_intake_dialog_get_idempotency_key (run->dialog));

  ioc_intake_dialog_submit (run->dialog);
  g_assert_true (ioc_intake_dialog_is_busy (run->dialog));
  g_assert_true (ioc_test_wait_until (intake_done, run, 30));
  g_assert_null (run->created);

  /* Said at the field the server named; nothing typed is lost. */
  g_test_message ("commune: %s", ioc_intake_dialog_get_field_error (run->dialog, "commune"));
  g_assert_nonnull (ioc_intake_dialog_get_field_error (run->dialog, "commune"));
  g_assert_null (ioc_intake_dialog_get_field_error (run->dialog, "title"));
  g_assert_nonnull (ioc_intake_dialog_get_error (run->dialog));
  title = ioc_intake_dialog_dup_text (run->dialog, "title");
  address = ioc_intake_dialog_dup_text (run->dialog, "address");
  g_assert_cmpstr (title, ==, "Rác thải tồn đọng ở chợ");
  g_assert_cmpstr (address, ==, "Chợ Xuân Khánh");
  g_assert_cmpstr (ioc_intake_dialog_get_selected (run->dialog, "category"), ==, "WASTE");
  g_assert_cmpstr (ioc_intake_dialog_get_idempotency_key (run->dialog), ==, key);
  screenshot ("intake-server-error.png");

  /* Fixed, sent again: created once. */
  g_assert_true (ioc_intake_dialog_select (run->dialog, "commune", "31135"));
  g_assert_null (ioc_intake_dialog_get_field_error (run->dialog, "commune"));
  ioc_intake_dialog_submit (run->dialog);
  g_assert_true (ioc_test_wait_until (intake_done, run, 30));
  g_assert_nonnull (run->created);
  g_assert_cmpstr (run->created->commune, ==, "31135");
  g_assert_cmpstr (run->created->address, ==, "Chợ Xuân Khánh");

  g_hash_table_remove (reference->communes, "99999");
  intake_run_free (run);
}

/* Overview */

static guint
count_tasks (const char *query)
{
  const char *token = iocd_test_token (server, session, "lanhdao");
  g_autoptr(GPtrArray) tasks = iocd_test_list_tasks (server, session, token, query, 1000, NULL);

  return tasks ? tasks->len : 0;
}

static gboolean
overview_loaded (gpointer data)
{
  return ioc_overview_get_n_loads (data) > 0 && !ioc_overview_is_loading (data);
}

typedef struct {
  IocOverview *overview;
  gint64       forwarded;
} OverviewWait;

static gboolean
overview_forwarded_is (gpointer data)
{
  OverviewWait *wait = data;

  return ioc_overview_get_value (wait->overview, "SXD", "forwarded") == wait->forwarded &&
         !ioc_overview_is_loading (wait->overview) && !ioc_overview_is_refresh_pending (wait->overview);
}

static void
on_overview_event_cb (IocEventStream *stream,
                      IocEvent       *event,
                      IocOverview    *overview)
{
  ioc_overview_apply_event (overview, event);
}

static void
test_overview_counts_and_updates (void)
{
  const char *states[] = { "forwarded", "acknowledged", "in_progress", "returned" };
  const char *departments[] = { "SXD", "SNNMT", "CATP" };
  GtkWidget *window = adw_application_window_new (NULL);
  IocOverview *overview = IOC_OVERVIEW (ioc_overview_new ());
  g_autoptr(IocEventStream) events = NULL;
  g_auto(GStrv) shown = NULL;
  const char *token = iocd_test_token (server, session, "trucban1");
  OverviewWait wait = { overview, 0 };
  guint loads;
  gint64 seq;

  gtk_window_set_default_size (GTK_WINDOW (window), 1920, 1080);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), GTK_WIDGET (overview));
  gtk_window_present (GTK_WINDOW (window));

  ioc_overview_set_client (overview, client);
  g_assert_true (ioc_test_wait_until (overview_loaded, overview, 30));
  g_assert_cmpstr (ioc_overview_get_updated_text (overview), !=, "");

  /* The counts are what the task list says for each department. */
  for (guint d = 0; d < G_N_ELEMENTS (departments); d++)
    {
      g_autofree char *overdue_query = g_strdup_printf ("department=%s&overdue=true", departments[d]);
      gint64 open = 0;

      for (guint s = 0; s < G_N_ELEMENTS (states); s++)
        {
          g_autofree char *query = g_strdup_printf ("department=%s&state=%s", departments[d], states[s]);
          guint listed = count_tasks (query);

          g_test_message ("%s %s: overview %" G_GINT64_FORMAT ", list %u", departments[d], states[s],
                          ioc_overview_get_value (overview, departments[d], states[s]), listed);
          g_assert_cmpint (ioc_overview_get_value (overview, departments[d], states[s]), ==, listed);
          /* Open at the department: returned tasks are back at the IOC. */
          if (!g_str_equal (states[s], "returned"))
            open += listed;
        }
      g_assert_cmpint (ioc_overview_get_value (overview, departments[d], "overdue"), ==, count_tasks (overdue_query));
      g_assert_cmpint (ioc_overview_get_value (overview, departments[d], "open"), ==, open);
    }
  {
    g_autofree char *median = ioc_overview_dup_cell_text (overview, "SXD", "median_resolve_seconds");

    g_test_message ("SXD median resolve: %s", median);
    g_assert_nonnull (median);
  }

  /* Sorted by overdue, most first. */
  shown = ioc_overview_dup_shown_codes (overview);
  for (guint i = 1; shown[i] != NULL; i++)
    g_assert_cmpint (ioc_overview_get_value (overview, shown[i - 1], "overdue"), >=,
                     ioc_overview_get_value (overview, shown[i], "overdue"));
  screenshot ("overview.png");

  /* Live: a burst of forwards to SXD, seen on the event stream. */
  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/tasks?limit=1", token,
                                                       NULL, NULL);
    seq = iocd_test_json_int (r->body, "event_seq");
  }
  events = ioc_event_stream_new (client);
  g_signal_connect (events, "event", G_CALLBACK (on_overview_event_cb), overview);
  ioc_event_stream_start (events, seq);

  loads = ioc_overview_get_n_loads (overview);
  wait.forwarded = ioc_overview_get_value (overview, "SXD", "forwarded") + 5;
  for (guint i = 0; i < 5; i++)
    {
      gint64 id = iocd_test_new_task (server, session, token, "LIGHT", "Cập nhật tổng quan");

      g_assert_true (iocd_test_advance (server, session, id, IOCD_TEST_AT_FORWARDED, token, NULL, "SXD"));
    }
  g_assert_true (ioc_test_wait_until (overview_forwarded_is, &wait, 30));
  /* 5 tasks × 3 events each, a few refreshes: debounced, one at a time. */
  g_test_message ("refreshes for 15 events: %u", ioc_overview_get_n_loads (overview) - loads);
  g_assert_cmpuint (ioc_overview_get_n_loads (overview) - loads, >=, 1);
  g_assert_cmpuint (ioc_overview_get_n_loads (overview) - loads, <=, 6);
  g_assert_cmpint (ioc_overview_get_value (overview, "SXD", "forwarded"), ==,
                   count_tasks ("department=SXD&state=forwarded"));
  screenshot ("overview-updated.png");

  ioc_event_stream_stop (events);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_needs_display (void)
{
  g_test_skip ("no display: run the console tests under Xvfb (build-aux/run-tests does)");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IocUser) user = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_add_func ("/console/dialogs/needs-a-display", test_needs_display);
      return g_test_run ();
    }

  adw_init ();
  /* The console's colours (overdue in red). */
  ioc_test_use_console_style (FALSE);
  server = iocd_test_server_start (NULL);
  session = iocd_test_session_new (server);

  client = ioc_client_new (server->base_uri, server->fingerprint);
  ioc_client_sign_in_async (client, "trucban1", server->demo_password, NULL, store_result_cb, &result);
  g_assert_true (ioc_test_wait_until (result_arrived, &result, 30));
  user = ioc_client_sign_in_finish (client, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  model = ioc_task_model_new ();
  ioc_task_model_load_async (model, client, NULL, store_result_cb, &result);
  g_assert_true (ioc_test_wait_until (result_arrived, &result, 60));
  g_assert_cmpint (ioc_task_model_load_finish (model, result, &error), >=, 0);
  g_assert_no_error (error);

  parent = GTK_WINDOW (adw_application_window_new (NULL));
  gtk_window_set_title (parent, "IOC Console");
  gtk_window_set_default_size (parent, 1920, 1080);
  gtk_window_present (parent);

  g_test_add_func ("/console/dialogs/bulk-forward/stale-task", test_bulk_forward_with_a_stale_task);
  g_test_add_func ("/console/dialogs/bulk-forward/stop-and-retry", test_bulk_forward_stop_and_retry);
  g_test_add_func ("/console/dialogs/intake/typed-coordinates", test_intake_typed_coordinates);
  g_test_add_func ("/console/dialogs/intake/picked-location", test_intake_picked_location);
  g_test_add_func ("/console/dialogs/intake/server-field-error", test_intake_server_field_error);
  g_test_add_func ("/console/dialogs/overview/counts-and-updates", test_overview_counts_and_updates);

  ret = g_test_run ();

  gtk_window_destroy (parent);
  g_clear_object (&model);
  g_clear_object (&client);
  g_clear_object (&session);
  iocd_test_server_free (server);
  return ret;
}
