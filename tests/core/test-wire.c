/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <string.h>

#include "ioc-core.h"

/* 2026-11-28T00:00:00Z; the wire keeps milliseconds, so every time is whole ms. */
#define NOV_28_UTC (G_GINT64_CONSTANT (1795824000) * G_USEC_PER_SEC)
#define MS         G_GINT64_CONSTANT (1000)

/* Text that has broken other systems: diacritics in both forms, quotes,
 * SQL, HTML, emoji outside the BMP, control characters. */
#define TITLE       "Đèn đường hỏng trước số 12 \"Hẻm 51\" — Ninh Kiều"
#define DESCRIPTION "Người dân phản ánh: đèn tắt 3 đêm liền.\n" \
                    "'; DROP TABLE tasks; --\n" \
                    "<script>alert(\"xss\")</script>&amp;\n" \
                    "Backslash \\ tab\t slash / emoji 🚧🌧️💡👩‍👩‍👧 NFD: Vie\xcc\xa3\xcc\x82t \x01 end"
#define ADDRESS     "Số 12, hẻm 51, đường 3/2, phường Ninh Kiều, TP Cần Thơ"
#define RESULT      "Đã thay bóng 💡 \"LED\" <b>xong</b>; DROP TABLE tasks; --"

static IocTimelineEntry *
make_entry (gint64        id,
            gint64        at,
            gint64        actor_id,
            const char   *actor_name,
            IocRole       actor_role,
            IocAction     action,
            IocTaskState  from_state,
            IocTaskState  to_state,
            const char   *note)
{
  IocTimelineEntry *entry = ioc_timeline_entry_new ();

  entry->id = id;
  entry->task_id = 4242;
  entry->at = at;
  entry->actor_id = actor_id;
  entry->actor_name = g_strdup (actor_name);
  entry->actor_role = actor_role;
  entry->action = action;
  entry->from_state = from_state;
  entry->to_state = to_state;
  entry->note = g_strdup (note);
  return entry;
}

static IocTask *
make_task (void)
{
  IocTask *task = ioc_task_new ();
  const char *media[] = {
    "https://ioc.cantho.gov.vn/media/1.jpg?size=large&x=<y>",
    "ảnh hiện trường \"1\".png",
    NULL,
  };
  IocTimelineEntry *entry;
  gint64 t = NOV_28_UTC - 3 * G_TIME_SPAN_HOUR + 7 * MS;

  task->id = 4242;
  task->version = 11;
  task->source = IOC_SOURCE_CITIZEN_APP;
  task->category = g_strdup ("chieu_sang");
  task->title = g_strdup (TITLE);
  task->description = g_strdup (DESCRIPTION);
  task->has_location = TRUE;
  task->lat = 10.0341;
  task->lon = 105.7852;
  task->address = g_strdup (ADDRESS);
  task->commune = g_strdup ("31117");
  task->media = g_strdupv ((char **) media);
  task->reporter_name = g_strdup ("Nguyễn Thị Hồng Nhung");
  task->reporter_phone = g_strdup ("+84 292 3812 345");
  task->reporter_email = g_strdup ("nhung.nguyen+ioc@example.vn");
  task->priority = IOC_PRIORITY_HIGH;
  task->state = IOC_TASK_STATE_IN_PROGRESS;
  task->department = g_strdup ("SXD");
  task->due_at = NOV_28_UTC + 2 * G_TIME_SPAN_DAY + 123 * MS;
  task->created_at = t;
  task->updated_at = NOV_28_UTC + G_TIME_SPAN_HOUR + 999 * MS;
  task->duplicate_of = 17;
  task->rating = 4;
  task->result = g_strdup (RESULT);

  task->timeline = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_timeline_entry_unref);
  /* Intake by the citizen app: no actor, no state before. */
  g_ptr_array_add (task->timeline,
                   make_entry (1, t, 0, NULL, IOC_ROLE_INVALID, IOC_ACTION_INTAKE,
                               IOC_TASK_STATE_INVALID, IOC_TASK_STATE_RECEIVED, NULL));
  g_ptr_array_add (task->timeline,
                   make_entry (2, t + 60 * G_USEC_PER_SEC, 3, "Trần Văn Ân", IOC_ROLE_OPERATOR,
                               IOC_ACTION_VERIFY, IOC_TASK_STATE_RECEIVED, IOC_TASK_STATE_VERIFIED,
                               "Đã gọi lại xác minh"));
  entry = make_entry (3, t + 120 * G_USEC_PER_SEC + 5 * MS, 3, "Trần Văn Ân", IOC_ROLE_OPERATOR,
                      IOC_ACTION_FORWARD, IOC_TASK_STATE_VERIFIED, IOC_TASK_STATE_FORWARDED,
                      "<b>gấp</b>");
  entry->department = g_strdup ("SXD");
  entry->due_at = task->due_at;
  g_ptr_array_add (task->timeline, entry);
  g_ptr_array_add (task->timeline,
                   make_entry (4, t + G_TIME_SPAN_HOUR, 9, "Lê Thị Bích 'Sở Xây dựng'", IOC_ROLE_LIAISON,
                               IOC_ACTION_ACKNOWLEDGE, IOC_TASK_STATE_FORWARDED,
                               IOC_TASK_STATE_ACKNOWLEDGED, NULL));
  g_ptr_array_add (task->timeline,
                   make_entry (5, t + 2 * G_TIME_SPAN_HOUR, 9, "Lê Thị Bích 'Sở Xây dựng'", IOC_ROLE_LIAISON,
                               IOC_ACTION_START, IOC_TASK_STATE_ACKNOWLEDGED,
                               IOC_TASK_STATE_IN_PROGRESS, NULL));
  g_ptr_array_add (task->timeline,
                   make_entry (6, t + 3 * G_TIME_SPAN_HOUR, 12, "Phạm Quốc Bảo", IOC_ROLE_SUPERVISOR,
                               IOC_ACTION_COMMENT, IOC_TASK_STATE_IN_PROGRESS,
                               IOC_TASK_STATE_IN_PROGRESS, "'; DROP TABLE tasks; -- 😀"));
  entry = make_entry (7, t + 4 * G_TIME_SPAN_HOUR, 3, "Trần Văn Ân", IOC_ROLE_OPERATOR,
                      IOC_ACTION_CLOSE, IOC_TASK_STATE_RESOLVED, IOC_TASK_STATE_CLOSED, "Người dân hài lòng");
  entry->rating = 4;
  g_ptr_array_add (task->timeline, entry);

  return task;
}

static void
assert_entry_equal (const IocTimelineEntry *a,
                    const IocTimelineEntry *b,
                    gboolean                with_task_id)
{
  g_assert_cmpint (a->id, ==, b->id);
  if (with_task_id)
    g_assert_cmpint (a->task_id, ==, b->task_id);
  g_assert_cmpint (a->at, ==, b->at);
  g_assert_cmpint (a->actor_id, ==, b->actor_id);
  g_assert_cmpstr (a->actor_name, ==, b->actor_name);
  g_assert_cmpint (a->actor_role, ==, b->actor_role);
  g_assert_cmpint (a->action, ==, b->action);
  g_assert_cmpint (a->from_state, ==, b->from_state);
  g_assert_cmpint (a->to_state, ==, b->to_state);
  g_assert_cmpstr (a->note, ==, b->note);
  g_assert_cmpstr (a->department, ==, b->department);
  g_assert_cmpint (a->due_at, ==, b->due_at);
  g_assert_cmpint (a->duplicate_of, ==, b->duplicate_of);
  g_assert_cmpint (a->rating, ==, b->rating);
}

static void
assert_task_equal (const IocTask *a,
                   const IocTask *b,
                   gboolean       with_reporter,
                   gboolean       with_timeline)
{
  guint n_media_a = a->media ? g_strv_length (a->media) : 0;
  guint n_media_b = b->media ? g_strv_length (b->media) : 0;

  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpint (a->version, ==, b->version);
  g_assert_cmpint (a->source, ==, b->source);
  g_assert_cmpstr (a->category, ==, b->category);
  g_assert_cmpstr (a->title, ==, b->title);
  g_assert_cmpstr (a->description, ==, b->description);
  g_assert_cmpint (a->has_location, ==, b->has_location);
  if (a->has_location)
    {
      g_assert_cmpfloat (a->lat, ==, b->lat);
      g_assert_cmpfloat (a->lon, ==, b->lon);
    }
  g_assert_cmpstr (a->address, ==, b->address);
  g_assert_cmpstr (a->commune, ==, b->commune);

  /* No media and an empty list mean the same on the wire. */
  g_assert_cmpuint (n_media_a, ==, n_media_b);
  for (guint i = 0; i < n_media_a; i++)
    g_assert_cmpstr (a->media[i], ==, b->media[i]);

  if (with_reporter)
    {
      g_assert_cmpstr (a->reporter_name, ==, b->reporter_name);
      g_assert_cmpstr (a->reporter_phone, ==, b->reporter_phone);
      g_assert_cmpstr (a->reporter_email, ==, b->reporter_email);
    }
  else
    {
      g_assert_null (b->reporter_name);
      g_assert_null (b->reporter_phone);
      g_assert_null (b->reporter_email);
    }

  g_assert_cmpint (a->priority, ==, b->priority);
  g_assert_cmpint (a->state, ==, b->state);
  g_assert_cmpstr (a->department, ==, b->department);
  g_assert_cmpint (a->due_at, ==, b->due_at);
  g_assert_cmpint (a->created_at, ==, b->created_at);
  g_assert_cmpint (a->updated_at, ==, b->updated_at);
  g_assert_cmpint (a->duplicate_of, ==, b->duplicate_of);
  g_assert_cmpint (a->rating, ==, b->rating);
  g_assert_cmpstr (a->result, ==, b->result);

  if (with_timeline && a->timeline != NULL)
    {
      g_assert_nonnull (b->timeline);
      g_assert_cmpuint (a->timeline->len, ==, b->timeline->len);
      for (guint i = 0; i < a->timeline->len; i++)
        assert_entry_equal (g_ptr_array_index (a->timeline, i), g_ptr_array_index (b->timeline, i), TRUE);
    }
  else
    g_assert_null (b->timeline);
}

static IocTask *
task_round_trip (const IocTask     *task,
                 IocTaskJsonFlags   flags,
                 char             **out_text)
{
  g_autoptr(JsonNode) node = ioc_task_to_json_node (task, flags, NOV_28_UTC);
  g_autofree char *text = ioc_json_to_string (node);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  IocTask *back;

  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));

  object = ioc_json_parse_object (text, -1, &error);
  g_assert_no_error (error);
  back = ioc_task_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);

  if (out_text != NULL)
    *out_text = g_steal_pointer (&text);
  return back;
}

static void
test_task_round_trip_full (void)
{
  g_autoptr(IocTask) task = make_task ();
  g_autoptr(IocTask) back = NULL;
  g_autoptr(IocTask) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;

  back = task_round_trip (task, IOC_TASK_JSON_REPORTER | IOC_TASK_JSON_TIMELINE, &text);
  assert_task_equal (task, back, TRUE, TRUE);

  /* Decoding and encoding again changes nothing, down to the byte. */
  again = task_round_trip (back, IOC_TASK_JSON_REPORTER | IOC_TASK_JSON_TIMELINE, &text_again);
  g_assert_cmpstr (text, ==, text_again);
  assert_task_equal (task, again, TRUE, TRUE);
}

static void
test_task_round_trip_minimal (void)
{
  g_autoptr(IocTask) task = ioc_task_new ();
  g_autoptr(IocTask) back = NULL;

  task->id = 1;
  task->category = g_strdup ("x");
  task->title = g_strdup ("y");
  task->created_at = NOV_28_UTC;
  task->updated_at = NOV_28_UTC;

  back = task_round_trip (task, IOC_TASK_JSON_REPORTER | IOC_TASK_JSON_TIMELINE, NULL);
  assert_task_equal (task, back, TRUE, TRUE);
  g_assert_false (back->has_location);
  g_assert_null (back->description);
  g_assert_null (back->result);
}

static void
test_task_no_reporter (void)
{
  g_autoptr(IocTask) task = make_task ();
  g_autoptr(JsonNode) node = ioc_task_to_json_node (task, IOC_TASK_JSON_TIMELINE, NOV_28_UTC);
  g_autofree char *text = ioc_json_to_string (node);
  g_autoptr(IocTask) back = NULL;

  /* Not null, not empty: absent, so nothing of the contact can leak. */
  g_assert_false (json_object_has_member (json_node_get_object (node), "reporter"));
  g_assert_null (strstr (text, "reporter"));
  g_assert_null (strstr (text, "3812 345"));
  g_assert_null (strstr (text, "nhung.nguyen"));
  g_assert_null (strstr (text, "Hồng Nhung"));

  back = task_round_trip (task, IOC_TASK_JSON_TIMELINE, NULL);
  assert_task_equal (task, back, FALSE, TRUE);
}

static void
test_task_no_timeline (void)
{
  g_autoptr(IocTask) task = make_task ();
  g_autoptr(JsonNode) node = ioc_task_to_json_node (task, IOC_TASK_JSON_REPORTER, NOV_28_UTC);
  g_autoptr(IocTask) back = NULL;

  g_assert_false (json_object_has_member (json_node_get_object (node), "timeline"));
  back = task_round_trip (task, IOC_TASK_JSON_REPORTER, NULL);
  assert_task_equal (task, back, TRUE, FALSE);
}

static void
test_task_overdue_member (void)
{
  g_autoptr(IocTask) task = make_task ();
  g_autoptr(JsonNode) before = ioc_task_to_json_node (task, 0, task->due_at - 1);
  g_autoptr(JsonNode) after = ioc_task_to_json_node (task, 0, task->due_at + 1);

  g_assert_false (json_object_get_boolean_member (json_node_get_object (before), "overdue"));
  g_assert_true (json_object_get_boolean_member (json_node_get_object (after), "overdue"));
}

static void
test_task_from_json_errors (void)
{
  static const struct {
    const char *json;
    const char *field;
  } cases[] = {
    { "{\"version\": 1, \"category\": \"c\", \"title\": \"t\", \"source\": \"hotline\", \"state\": \"received\","
      " \"created_at\": \"2026-11-28T07:00:00+07:00\", \"updated_at\": \"2026-11-28T07:00:00+07:00\"}", "id" },
    { "{\"id\": 1, \"version\": 1, \"category\": \"c\", \"title\": \"t\", \"source\": \"hotline\", \"state\": \"open\","
      " \"created_at\": \"2026-11-28T07:00:00+07:00\", \"updated_at\": \"2026-11-28T07:00:00+07:00\"}", "state" },
    { "{\"id\": 1, \"version\": 1, \"category\": \"c\", \"title\": \"t\", \"source\": \"hotline\", \"state\": \"received\","
      " \"created_at\": \"2026-11-28T07:00:00\", \"updated_at\": \"2026-11-28T07:00:00+07:00\"}", "created_at" },
    { "{\"id\": 1, \"version\": 1, \"category\": \"c\", \"title\": \"t\", \"source\": \"hotline\", \"state\": \"received\","
      " \"created_at\": \"2026-11-28T07:00:00+07:00\", \"updated_at\": \"2026-11-28T07:00:00+07:00\","
      " \"rating\": 9}", "rating" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = ioc_json_parse_object (cases[i].json, -1, &error);
      g_autoptr(IocTask) task = NULL;
      g_autofree char *field = NULL;

      g_assert_no_error (error);
      task = ioc_task_from_json (object, &error);
      g_assert_null (task);
      g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
      field = ioc_error_get_field (error);
      g_assert_cmpstr (field, ==, cases[i].field);
    }
}

static void
test_timeline_entry_round_trip (void)
{
  g_autoptr(IocTimelineEntry) entry =
    make_entry (8, NOV_28_UTC + 5 * MS, 3, "Trần Văn Ân", IOC_ROLE_OPERATOR, IOC_ACTION_MARK_DUPLICATE,
                IOC_TASK_STATE_VERIFIED, IOC_TASK_STATE_DUPLICATE, "trùng với #17");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(IocTimelineEntry) back = NULL;
  g_autoptr(GError) error = NULL;

  entry->duplicate_of = 17;
  ioc_timeline_entry_to_json (entry, builder);
  node = json_builder_get_root (builder);
  text = ioc_json_to_string (node);
  object = ioc_json_parse_object (text, -1, &error);
  g_assert_no_error (error);
  back = ioc_timeline_entry_from_json (object, &error);
  g_assert_no_error (error);
  /* The entry travels inside its task, which carries the id. */
  assert_entry_equal (entry, back, FALSE);
}

/* Intake */

static IocTask *
intake (const char  *json,
        GError     **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(JsonObject) object = ioc_json_parse_object (json, -1, &parse_error);

  g_assert_no_error (parse_error);
  return ioc_task_new_from_intake (object, error);
}

static void
test_intake_minimal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IocTask) task = intake ("{\"category\": \"chieu_sang\", \"title\": \"Đèn hỏng\","
                                    " \"address\": \"" ADDRESS "\"}", &error);

  g_assert_no_error (error);
  g_assert_nonnull (task);
  g_assert_cmpstr (task->category, ==, "chieu_sang");
  g_assert_cmpstr (task->title, ==, "Đèn hỏng");
  g_assert_cmpstr (task->address, ==, ADDRESS);
  g_assert_false (task->has_location);
  g_assert_cmpint (task->state, ==, IOC_TASK_STATE_RECEIVED);
  g_assert_cmpint (task->source, !=, IOC_SOURCE_SENSOR);
}

static void
test_intake_location (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IocTask) task = intake ("{\"category\": \"ngap_nuoc\", \"title\": \"Ngập sâu 40 cm\","
                                    " \"location\": {\"lat\": 10.0341, \"lon\": 105.7852},"
                                    " \"source\": \"citizen_app\", \"priority\": \"urgent\","
                                    " \"media\": [\"a.jpg\"], \"commune\": \"31117\","
                                    " \"reporter\": {\"name\": \"Nguyễn Văn A\", \"phone\": \"0901234567\"}}",
                                    &error);

  g_assert_no_error (error);
  g_assert_nonnull (task);
  g_assert_true (task->has_location);
  g_assert_cmpfloat (task->lat, ==, 10.0341);
  g_assert_cmpfloat (task->lon, ==, 105.7852);
  g_assert_null (task->address);
  g_assert_cmpint (task->source, ==, IOC_SOURCE_CITIZEN_APP);
  g_assert_cmpint (task->priority, ==, IOC_PRIORITY_URGENT);
  g_assert_cmpint (task->state, ==, IOC_TASK_STATE_RECEIVED);
  g_assert_cmpstr (task->reporter_phone, ==, "0901234567");
  g_assert_cmpuint (g_strv_length (task->media), ==, 1);
}

static void
test_intake_ignores_server_fields (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IocTask) task = intake ("{\"category\": \"c\", \"title\": \"t\", \"address\": \"a\","
                                    " \"id\": 99, \"version\": 7, \"state\": \"closed\","
                                    " \"department\": \"SXD\", \"rating\": 5}", &error);

  /* A client cannot open a task already closed or assigned. */
  g_assert_no_error (error);
  g_assert_cmpint (task->id, ==, 0);
  g_assert_cmpint (task->version, ==, 0);
  g_assert_cmpint (task->state, ==, IOC_TASK_STATE_RECEIVED);
  g_assert_null (task->department);
  g_assert_cmpint (task->rating, ==, 0);
}

static void
test_intake_description_length (void)
{
  g_autoptr(GString) text = g_string_new (NULL);

  /* The limit counts characters: 4000 "ệ" are 12000 bytes and still fit. */
  for (guint i = 0; i < IOC_TASK_DESCRIPTION_MAX; i++)
    g_string_append (text, "ệ");

  for (guint extra = 0; extra <= 1; extra++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(IocTask) task = NULL;
      g_autoptr(GError) error = NULL;

      if (extra)
        g_string_append (text, "a");

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "category");
      json_builder_add_string_value (builder, "c");
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, "t");
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, "a");
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, text->str);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);

      task = ioc_task_new_from_intake (json_node_get_object (root), &error);
      if (!extra)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (task->description, ==, text->str);
        }
      else
        {
          g_autofree char *field = ioc_error_get_field (error);

          g_assert_null (task);
          g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
          g_assert_cmpstr (field, ==, "description");
        }
    }
}

typedef struct {
  const char *name;
  const char *json;
  const char *field;
} IntakeError;

static const IntakeError intake_errors[] = {
  { "missing-category", "{\"title\": \"t\", \"address\": \"a\"}", "category" },
  { "empty-category", "{\"category\": \"  \", \"title\": \"t\", \"address\": \"a\"}", "category" },
  { "missing-title", "{\"category\": \"c\", \"address\": \"a\"}", "title" },
  { "title-number", "{\"category\": \"c\", \"title\": 42, \"address\": \"a\"}", "title" },
  { "title-object", "{\"category\": \"c\", \"title\": {\"vi\": \"x\"}, \"address\": \"a\"}", "title" },
  { "lat-91", "{\"category\": \"c\", \"title\": \"t\", \"location\": {\"lat\": 91, \"lon\": 105}}",
    "location.lat" },
  { "lat-huge", "{\"category\": \"c\", \"title\": \"t\", \"location\": {\"lat\": 1e999, \"lon\": 105}}",
    "location.lat" },
  { "lat-missing", "{\"category\": \"c\", \"title\": \"t\", \"location\": {\"lon\": 105}}",
    "location.lat" },
  { "lon-abc", "{\"category\": \"c\", \"title\": \"t\", \"location\": {\"lat\": 10, \"lon\": \"abc\"}}",
    "location.lon" },
  { "lon-181", "{\"category\": \"c\", \"title\": \"t\", \"location\": {\"lat\": 10, \"lon\": -181}}",
    "location.lon" },
  { "location-array", "{\"category\": \"c\", \"title\": \"t\", \"location\": [10, 105]}", "location" },
  { "no-location", "{\"category\": \"c\", \"title\": \"t\"}", "location" },
  { "blank-address", "{\"category\": \"c\", \"title\": \"t\", \"address\": \" \\t \"}", "location" },
  { "null-location", "{\"category\": \"c\", \"title\": \"t\", \"location\": null, \"address\": null}", "location" },
  { "unknown-priority", "{\"category\": \"c\", \"title\": \"t\", \"address\": \"a\", \"priority\": \"critical\"}",
    "priority" },
  { "source-sensor", "{\"category\": \"c\", \"title\": \"t\", \"address\": \"a\", \"source\": \"sensor\"}",
    "source" },
  { "source-unknown", "{\"category\": \"c\", \"title\": \"t\", \"address\": \"a\", \"source\": \"fax\"}",
    "source" },
  { "media-not-strings", "{\"category\": \"c\", \"title\": \"t\", \"address\": \"a\", \"media\": [1]}",
    "media" },
  { "media-too-many", "{\"category\": \"c\", \"title\": \"t\", \"address\": \"a\", \"media\":"
    " [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\"]}", "media" },
  { "reporter-phone-number", "{\"category\": \"c\", \"title\": \"t\", \"address\": \"a\","
    " \"reporter\": {\"phone\": 901234567}}", "reporter.phone" },
};

static void
test_intake_error (gconstpointer data)
{
  const IntakeError *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(IocTask) task = intake (c->json, &error);
  g_autofree char *field = NULL;

  g_assert_null (task);
  g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
  field = ioc_error_get_field (error);
  g_assert_cmpstr (field, ==, c->field);
  g_assert_cmpuint (ioc_error_http_status (error), ==, 400);
}

/* Parsing */

static void
test_parse_invalid_utf8 (void)
{
  static const char * const bodies[] = {
    "{\"title\": \"\xff\xfe\"}",
    "{\"title\": \"abc\xc3\"}",
    "{\"title\": \"\xc0\xaf\"}",
    "{\"title\": \"\xed\xa0\x80\"}",
    "\xef\xbb\xbf\xff{}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = ioc_json_parse (bodies[i], -1, &error);
      g_autoptr(GError) object_error = NULL;
      g_autoptr(JsonObject) object = ioc_json_parse_object (bodies[i], -1, &object_error);

      g_assert_null (node);
      g_assert_error (error, IOC_ERROR, IOC_ERROR_MALFORMED);
      g_assert_null (object);
      g_assert_error (object_error, IOC_ERROR, IOC_ERROR_MALFORMED);
    }
}

static void
test_parse_not_json (void)
{
  static const char * const bodies[] = {
    "title=Đèn hỏng&address=x",
    "{",
    "{\"title\": }",
    "{\"title\": \"x\",}",
    "<xml/>",
    "",
    "   ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = ioc_json_parse_object (bodies[i], -1, &error);

      g_assert_null (object);
      g_assert_error (error, IOC_ERROR, IOC_ERROR_MALFORMED);
      g_assert_cmpuint (ioc_error_http_status (error), ==, 400);
    }
}

static void
test_parse_not_object (void)
{
  static const char * const bodies[] = { "[1, 2]", "[]", "\"text\"", "42", "null", "true" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = ioc_json_parse_object (bodies[i], -1, &error);
      g_autoptr(GError) node_error = NULL;
      g_autoptr(JsonNode) node = ioc_json_parse (bodies[i], -1, &node_error);

      g_assert_null (object);
      g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
      /* As a plain value it is fine JSON. */
      g_assert_no_error (node_error);
      g_assert_nonnull (node);
    }
}

static void
test_parse_length (void)
{
  const char body[] = "{\"a\": 1}garbage";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = ioc_json_parse_object (body, strlen ("{\"a\": 1}"), &error);

  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (object, "a"), ==, 1);
}

/* Action requests */

static void
fill_request (IocActionRequest *request)
{
  const IocWorkflowRule *rule = ioc_workflow_rule (request->action);
  IocFields fields = rule->required | rule->optional;

  request->version = 5;
  if (fields & IOC_FIELD_NOTE)
    request->note = g_strdup ("Lý do: <b>'; DROP TABLE tasks; --</b> \"trích\" 🚧");
  if (fields & IOC_FIELD_DEPARTMENT)
    request->department = g_strdup ("SXD");
  if (fields & IOC_FIELD_DUE_AT)
    request->due_at = NOV_28_UTC + 2 * G_TIME_SPAN_DAY + 10 * G_TIME_SPAN_HOUR + 250 * MS;
  if (fields & IOC_FIELD_DUPLICATE_OF)
    request->duplicate_of = 17;
  if (fields & IOC_FIELD_RATING)
    request->rating = 4;
}

static IocActionRequest *
request_from_string (IocAction    action,
                     const char  *json,
                     GError     **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(JsonObject) object = ioc_json_parse_object (json, -1, &parse_error);

  g_assert_no_error (parse_error);
  return ioc_action_request_from_json (action, object, error);
}

static void
test_action_round_trip (gconstpointer data)
{
  IocAction action = GPOINTER_TO_INT (data);
  g_autoptr(IocActionRequest) request = ioc_action_request_new (action);
  g_autoptr(IocActionRequest) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  fill_request (request);
  node = ioc_action_request_to_json (request);
  text = ioc_json_to_string (node);
  back = request_from_string (action, text, &error);
  g_assert_no_error (error);

  g_assert_cmpint (back->action, ==, request->action);
  g_assert_cmpint (back->version, ==, request->version);
  g_assert_cmpstr (back->note, ==, request->note);
  g_assert_cmpstr (back->department, ==, request->department);
  g_assert_cmpint (back->due_at, ==, request->due_at);
  g_assert_cmpint (back->duplicate_of, ==, request->duplicate_of);
  g_assert_cmpint (back->rating, ==, request->rating);
}

/* The smallest valid body for @action, without its version. */
static char *
minimal_body (IocAction action)
{
  const IocWorkflowRule *rule = ioc_workflow_rule (action);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  if (rule->required & IOC_FIELD_NOTE)
    {
      json_builder_set_member_name (builder, rule->note_name);
      json_builder_add_string_value (builder, "ghi chú");
    }
  if (rule->required & IOC_FIELD_DEPARTMENT)
    {
      json_builder_set_member_name (builder, "department");
      json_builder_add_string_value (builder, "SXD");
    }
  if (rule->required & IOC_FIELD_DUPLICATE_OF)
    {
      json_builder_set_member_name (builder, "duplicate_of");
      json_builder_add_int_value (builder, 17);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return ioc_json_to_string (root);
}

static void
test_action_needs_version (gconstpointer data)
{
  IocAction action = GPOINTER_TO_INT (data);
  g_autofree char *body = minimal_body (action);
  g_autoptr(GError) error = NULL;
  g_autoptr(IocActionRequest) request = request_from_string (action, body, &error);

  if (action == IOC_ACTION_COMMENT)
    {
      /* A comment changes no field of the task, so a stale view may still comment. */
      g_assert_no_error (error);
      g_assert_cmpint (request->version, ==, 0);
    }
  else
    {
      g_autofree char *field = ioc_error_get_field (error);

      g_assert_null (request);
      g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
      g_assert_cmpstr (field, ==, "version");
    }
}

typedef struct {
  const char *name;
  IocAction   action;
  const char *json;
  const char *field;     /* NULL: valid */
} ActionCase;

static const ActionCase action_cases[] = {
  { "verify/minimal", IOC_ACTION_VERIFY, "{\"version\": 3}", NULL },
  { "verify/version-zero", IOC_ACTION_VERIFY, "{\"version\": 0}", "version" },
  { "verify/version-negative", IOC_ACTION_VERIFY, "{\"version\": -1}", "version" },
  { "verify/version-string", IOC_ACTION_VERIFY, "{\"version\": \"3\"}", "version" },
  { "verify/version-fraction", IOC_ACTION_VERIFY, "{\"version\": 3.5}", "version" },
  { "reject/needs-reason", IOC_ACTION_REJECT, "{\"version\": 3}", "reason" },
  { "reject/note-is-not-reason", IOC_ACTION_REJECT, "{\"version\": 3, \"note\": \"x\"}", "reason" },
  { "reject/blank-reason", IOC_ACTION_REJECT, "{\"version\": 3, \"reason\": \"  \\n \"}", "reason" },
  { "reject/reason-number", IOC_ACTION_REJECT, "{\"version\": 3, \"reason\": 5}", "reason" },
  { "reject/ok", IOC_ACTION_REJECT, "{\"version\": 3, \"reason\": \"Không thuộc thẩm quyền\"}", NULL },
  { "mark_duplicate/needs-original", IOC_ACTION_MARK_DUPLICATE, "{\"version\": 3}", "duplicate_of" },
  { "mark_duplicate/original-zero", IOC_ACTION_MARK_DUPLICATE, "{\"version\": 3, \"duplicate_of\": 0}",
    "duplicate_of" },
  { "forward/needs-department", IOC_ACTION_FORWARD, "{\"version\": 3}", "department" },
  { "forward/due-at-optional", IOC_ACTION_FORWARD, "{\"version\": 3, \"department\": \"SXD\"}", NULL },
  { "forward/due-at-no-offset", IOC_ACTION_FORWARD,
    "{\"version\": 3, \"department\": \"SXD\", \"due_at\": \"2026-01-01T10:00:00\"}", "due_at" },
  { "forward/due-at-garbage", IOC_ACTION_FORWARD,
    "{\"version\": 3, \"department\": \"SXD\", \"due_at\": \"tomorrow\"}", "due_at" },
  { "forward/due-at-number", IOC_ACTION_FORWARD,
    "{\"version\": 3, \"department\": \"SXD\", \"due_at\": 1795824000}", "due_at" },
  { "acknowledge/minimal", IOC_ACTION_ACKNOWLEDGE, "{\"version\": 3}", NULL },
  { "start/minimal", IOC_ACTION_START, "{\"version\": 3}", NULL },
  { "return/needs-reason", IOC_ACTION_RETURN, "{\"version\": 3}", "reason" },
  { "resolve/needs-result", IOC_ACTION_RESOLVE, "{\"version\": 3}", "result" },
  { "resolve/reason-is-not-result", IOC_ACTION_RESOLVE, "{\"version\": 3, \"reason\": \"x\"}", "result" },
  { "close/no-rating", IOC_ACTION_CLOSE, "{\"version\": 3}", NULL },
  { "close/rating-5", IOC_ACTION_CLOSE, "{\"version\": 3, \"rating\": 5}", NULL },
  { "close/rating-6", IOC_ACTION_CLOSE, "{\"version\": 3, \"rating\": 6}", "rating" },
  { "close/rating-0", IOC_ACTION_CLOSE, "{\"version\": 3, \"rating\": 0}", "rating" },
  { "close/rating-string", IOC_ACTION_CLOSE, "{\"version\": 3, \"rating\": \"5\"}", "rating" },
  { "reopen/needs-reason", IOC_ACTION_REOPEN, "{\"version\": 3}", "reason" },
  { "comment/needs-text", IOC_ACTION_COMMENT, "{\"version\": 3}", "text" },
  { "comment/empty-text", IOC_ACTION_COMMENT, "{\"text\": \"\"}", "text" },
  { "comment/ok", IOC_ACTION_COMMENT, "{\"text\": \"Đã liên hệ 👍\"}", NULL },
};

static void
test_action_case (gconstpointer data)
{
  const ActionCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(IocActionRequest) request = request_from_string (c->action, c->json, &error);

  if (c->field == NULL)
    {
      g_assert_no_error (error);
      g_assert_nonnull (request);
      g_assert_cmpint (request->action, ==, c->action);
    }
  else
    {
      g_autofree char *field = ioc_error_get_field (error);

      g_assert_null (request);
      g_assert_error (error, IOC_ERROR, IOC_ERROR_INVALID);
      g_assert_cmpstr (field, ==, c->field);
    }
}

static void
test_action_forward_due_at (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IocActionRequest) request =
    request_from_string (IOC_ACTION_FORWARD,
                         "{\"version\": 3, \"department\": \"SXD\","
                         " \"due_at\": \"2026-11-30T17:00:00.250+07:00\", \"note\": \"Xử lý trong ngày\"}",
                         &error);

  g_assert_no_error (error);
  g_assert_cmpint (request->version, ==, 3);
  g_assert_cmpstr (request->department, ==, "SXD");
  g_assert_cmpint (request->due_at, ==, NOV_28_UTC + 2 * G_TIME_SPAN_DAY + 10 * G_TIME_SPAN_HOUR + 250 * MS);
  g_assert_cmpstr (request->note, ==, "Xử lý trong ngày");
}

static void
test_action_note_too_long (void)
{
  g_autoptr(GString) reason = g_string_new (NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IocActionRequest) request = NULL;
  g_autofree char *field = NULL;

  for (guint i = 0; i <= IOC_TASK_NOTE_MAX; i++)
    g_string_append (reason, "đ");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 3);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason->str);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  request = ioc_action_request_from_json (IOC_ACTION_REJECT, json_node_get_object (root), &error);
  field = ioc_error_get_field (error);
  g_assert_null (request);
  g_assert_cmpstr (field, ==, "reason");
}

static void
test_action_unknown (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IocActionRequest) request = request_from_string (IOC_ACTION_INTAKE, "{\"version\": 3}", &error);

  g_assert_null (request);
  g_assert_nonnull (error);
  g_assert_true (error->domain == IOC_ERROR);
}

/* Events */

static void
test_event_round_trip (void)
{
  g_autoptr(IocEvent) event = ioc_event_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(IocEvent) back = NULL;
  g_autoptr(GError) error = NULL;

  event->seq = 123456789;
  event->at = NOV_28_UTC + 42 * MS;
  event->kind = g_strdup (IOC_EVENT_TASK_CHANGED);
  event->task = make_task ();
  event->entry = ioc_timeline_entry_ref (g_ptr_array_index (event->task->timeline, 5));

  node = ioc_event_to_json (event, IOC_TASK_JSON_REPORTER | IOC_TASK_JSON_TIMELINE, NOV_28_UTC);
  text = ioc_json_to_string (node);
  object = ioc_json_parse_object (text, -1, &error);
  g_assert_no_error (error);
  back = ioc_event_from_json (object, &error);
  g_assert_no_error (error);

  g_assert_cmpint (back->seq, ==, event->seq);
  g_assert_cmpint (back->at, ==, event->at);
  g_assert_cmpstr (back->kind, ==, event->kind);
  g_assert_nonnull (back->task);
  /* An event carries the task's state, not its whole history: the entry is the news. */
  assert_task_equal (event->task, back->task, TRUE, FALSE);
  g_assert_nonnull (back->entry);
  assert_entry_equal (event->entry, back->entry, FALSE);
}

static void
test_event_no_reporter (void)
{
  g_autoptr(IocEvent) event = ioc_event_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  JsonObject *task;

  event->seq = 1;
  event->at = NOV_28_UTC;
  event->kind = g_strdup (IOC_EVENT_TASK_CREATED);
  event->task = make_task ();

  node = ioc_event_to_json (event, IOC_TASK_JSON_DEFAULT, NOV_28_UTC);
  task = json_object_get_object_member (json_node_get_object (node), "task");
  g_assert_nonnull (task);
  g_assert_false (json_object_has_member (task, "reporter"));
  text = ioc_json_to_string (node);
  g_assert_null (strstr (text, "3812 345"));
}

static void
test_event_errors (void)
{
  static const struct {
    const char *json;
    const char *field;
  } cases[] = {
    { "{\"at\": \"2026-11-28T07:00:00+07:00\", \"kind\": \"task.changed\"}", "seq" },
    { "{\"seq\": 0, \"at\": \"2026-11-28T07:00:00+07:00\", \"kind\": \"task.changed\"}", "seq" },
    { "{\"seq\": 1, \"kind\": \"task.changed\"}", "at" },
    { "{\"seq\": 1, \"at\": \"2026-11-28T07:00:00+07:00\"}", "kind" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = ioc_json_parse_object (cases[i].json, -1, &error);
      g_autoptr(IocEvent) event = NULL;
      g_autofree char *field = NULL;

      g_assert_no_error (error);
      event = ioc_event_from_json (object, &error);
      field = ioc_error_get_field (error);
      g_assert_null (event);
      g_assert_cmpstr (field, ==, cases[i].field);
    }
}

/* Errors */

static void
test_error_http_status (void)
{
  static const struct {
    IocError code;
    guint    status;
  } cases[] = {
    { IOC_ERROR_INVALID,      400 },
    { IOC_ERROR_MALFORMED,    400 },
    { IOC_ERROR_UNAUTHORIZED, 401 },
    { IOC_ERROR_FORBIDDEN,    403 },
    { IOC_ERROR_NOT_FOUND,    404 },
    { IOC_ERROR_METHOD,       405 },
    { IOC_ERROR_CONFLICT,     409 },
    { IOC_ERROR_WRONG_STATE,  409 },
    { IOC_ERROR_TOO_LARGE,    413 },
    { IOC_ERROR_IDEMPOTENCY,  422 },
    { IOC_ERROR_RATE_LIMITED, 429 },
    { IOC_ERROR_INTERNAL,     500 },
    { IOC_ERROR_UNAVAILABLE,  503 },
  };
  g_autoptr(GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) foreign = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  g_autoptr(GError) beyond = g_error_new_literal (IOC_ERROR, IOC_ERROR_UNAVAILABLE + 1, "x");

  g_assert_cmpint (G_N_ELEMENTS (cases), ==, IOC_ERROR_UNAVAILABLE + 1);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (IOC_ERROR, cases[i].code, "x");
      const char *code = ioc_error_code_string (error);

      g_assert_cmpuint (ioc_error_http_status (error), ==, cases[i].status);
      /* Each wire code names one error, so clients can tell them apart. */
      g_assert_nonnull (code);
      g_assert_false (g_hash_table_contains (codes, code));
      g_hash_table_add (codes, (gpointer) code);
    }

  /* Anything else is the server's fault, never a client's. */
  g_assert_cmpuint (ioc_error_http_status (foreign), ==, 500);
  g_assert_cmpuint (ioc_error_http_status (beyond), ==, 500);
  g_assert_cmpuint (ioc_error_http_status (NULL), ==, 500);
  g_assert_cmpstr (ioc_error_code_string (foreign), ==, "internal");
}

static void
test_error_field (void)
{
  g_autoptr(GError) field_error = NULL;
  g_autoptr(GError) other = g_error_new_literal (IOC_ERROR, IOC_ERROR_CONFLICT, "version: stale");
  g_autoptr(GError) prose = g_error_new_literal (IOC_ERROR, IOC_ERROR_INVALID, "the body must be an object");
  g_autoptr(GError) spaced = g_error_new_literal (IOC_ERROR, IOC_ERROR_INVALID, "not a field: x");
  g_autofree char *field = NULL;
  g_autofree char *none = NULL;

  ioc_set_field_error (&field_error, "location.lat", "must be between %d and %d", -90, 90);
  g_assert_error (field_error, IOC_ERROR, IOC_ERROR_INVALID);
  field = ioc_error_get_field (field_error);
  g_assert_cmpstr (field, ==, "location.lat");

  none = ioc_error_get_field (other);
  g_assert_null (none);
  g_assert_null (ioc_error_get_field (prose));
  g_assert_null (ioc_error_get_field (spaced));
  g_assert_null (ioc_error_get_field (NULL));
}

/* A list in an answer of the server, or NULL for anything else. */
static void
test_array_member (void)
{
  g_autoptr(JsonNode) answer = json_from_string ("{\"tasks\":[1,2,3],\"next\":\"x\",\"none\":null}", NULL);
  g_autoptr(JsonNode) list = json_from_string ("[{\"tasks\":[]}]", NULL);
  JsonArray *tasks;

  tasks = ioc_json_get_array_member (answer, "tasks");
  g_assert_nonnull (tasks);
  g_assert_cmpuint (json_array_get_length (tasks), ==, 3);
  g_assert_null (ioc_json_get_array_member (answer, "next"));
  g_assert_null (ioc_json_get_array_member (answer, "none"));
  g_assert_null (ioc_json_get_array_member (answer, "missing"));
  g_assert_null (ioc_json_get_array_member (list, "tasks"));
  g_assert_null (ioc_json_get_array_member (NULL, "tasks"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/wire/task/round-trip/full", test_task_round_trip_full);
  g_test_add_func ("/wire/task/round-trip/minimal", test_task_round_trip_minimal);
  g_test_add_func ("/wire/task/no-reporter", test_task_no_reporter);
  g_test_add_func ("/wire/task/no-timeline", test_task_no_timeline);
  g_test_add_func ("/wire/task/overdue", test_task_overdue_member);
  g_test_add_func ("/wire/task/errors", test_task_from_json_errors);
  g_test_add_func ("/wire/timeline-entry/round-trip", test_timeline_entry_round_trip);

  g_test_add_func ("/wire/intake/minimal", test_intake_minimal);
  g_test_add_func ("/wire/intake/location", test_intake_location);
  g_test_add_func ("/wire/intake/ignores-server-fields", test_intake_ignores_server_fields);
  g_test_add_func ("/wire/intake/description-length", test_intake_description_length);
  for (guint i = 0; i < G_N_ELEMENTS (intake_errors); i++)
    {
      g_autofree char *path = g_strdup_printf ("/wire/intake/error/%s", intake_errors[i].name);

      g_test_add_data_func (path, &intake_errors[i], test_intake_error);
    }

  g_test_add_func ("/wire/parse/invalid-utf8", test_parse_invalid_utf8);
  g_test_add_func ("/wire/parse/not-json", test_parse_not_json);
  g_test_add_func ("/wire/parse/not-object", test_parse_not_object);
  g_test_add_func ("/wire/parse/length", test_parse_length);

  for (int action = 0; action < IOC_N_ACTIONS; action++)
    {
      g_autofree char *round_trip = g_strdup_printf ("/wire/action/%s/round-trip", ioc_action_to_string (action));
      g_autofree char *version = g_strdup_printf ("/wire/action/%s/needs-version", ioc_action_to_string (action));

      g_test_add_data_func (round_trip, GINT_TO_POINTER (action), test_action_round_trip);
      g_test_add_data_func (version, GINT_TO_POINTER (action), test_action_needs_version);
    }
  for (guint i = 0; i < G_N_ELEMENTS (action_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/wire/action/%s", action_cases[i].name);

      g_test_add_data_func (path, &action_cases[i], test_action_case);
    }
  g_test_add_func ("/wire/action/forward/due-at", test_action_forward_due_at);
  g_test_add_func ("/wire/action/reject/reason-too-long", test_action_note_too_long);
  g_test_add_func ("/wire/action/unknown", test_action_unknown);

  g_test_add_func ("/wire/event/round-trip", test_event_round_trip);
  g_test_add_func ("/wire/event/no-reporter", test_event_no_reporter);
  g_test_add_func ("/wire/event/errors", test_event_errors);

  g_test_add_func ("/wire/error/http-status", test_error_http_status);
  g_test_add_func ("/wire/error/field", test_error_field);
  g_test_add_func ("/wire/json/array-member", test_array_member);

  return g_test_run ();
}
