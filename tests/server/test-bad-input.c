/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <string.h>

#include "iocd-test-utils.h"

/*
 * Whatever a client sends, iocd answers with the documented error object,
 * the status that goes with it and the field at fault, stores nothing, and
 * stays up. Every case runs against the same iocd, and the last test asks
 * whether it is still there.
 */

#define BODY_LIMIT (1024 * 1024)

static IocdTestServer *server;
static SoupSession *session;
static char *operator_token;
static char *supervisor_token;
static char *liaison_token;     /* lienlac.sxd */

/* Tasks */

static JsonNode *
get_task (gint64 id)
{
  return iocd_test_fetch_task (server, session, operator_token, id);
}

static gint64
task_version (gint64 id)
{
  return iocd_test_task_version (server, session, operator_token, id);
}

/* @body may hold VERSION, replaced by the task's current version. */
static IocdTestResponse *
post_action (const char *token,
             gint64      id,
             const char *action,
             const char *body)
{
  g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, task_version (id));
  g_auto(GStrv) parts = g_strsplit (body, "VERSION", -1);
  g_autofree char *text = g_strjoinv (version, parts);

  return iocd_test_act (server, session, token, id, action, text, NULL);
}

/* Short names for the stages, for the tables below. */
#define AT_RECEIVED IOCD_TEST_AT_RECEIVED
#define AT_VERIFIED IOCD_TEST_AT_VERIFIED
#define AT_FORWARDED IOCD_TEST_AT_FORWARDED
#define AT_IN_PROGRESS IOCD_TEST_AT_IN_PROGRESS
#define AT_RESOLVED IOCD_TEST_AT_RESOLVED

static gint64
make_task (IocdTestStage stage)
{
  gint64 id = iocd_test_new_task (server, session, operator_token, "LIGHT", "Đèn đường hỏng (bad input)");

  iocd_test_advance (server, session, id, stage, operator_token, liaison_token, "SXD");
  return id;
}

/* Every task the operator can list, following "next". */
static guint
count_tasks (gint64 *max_id)
{
  g_autoptr(GPtrArray) tasks = iocd_test_list_tasks (server, session, operator_token, NULL, 1000, NULL);

  *max_id = 0;
  for (guint i = 0; i < tasks->len; i++)
    *max_id = MAX (*max_id, iocd_test_json_int (g_ptr_array_index (tasks, i), "id"));

  return tasks->len;
}

static void
check_nothing_stored (guint       expected_count,
                      gint64      expected_max_id,
                      guint       count,
                      gint64      max_id,
                      const char *what)
{
  if (count != expected_count || max_id != expected_max_id)
    iocd_test_fail ("%s stored tasks: %u tasks up to id %" G_GINT64_FORMAT ", expected %u up to %" G_GINT64_FORMAT,
                    what, count, max_id, expected_count, expected_max_id);
}

/* Bodies */

static IocdTestResponse *
post_bytes (const char *path,
            const char *token,
            const void *data,
            gsize       len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);

  return iocd_test_request_bytes (server, session, "POST", path, token, bytes, "application/json");
}

typedef struct {
  const char *name;
  const char *body;
  const char *code;    /* NULL: either 400 code */
  const char *field;   /* NULL: not checked */
} IntakeCase;

static const IntakeCase intake_cases[] = {
  /* Not JSON at all */
  { "malformed", "{\"category\": \"LIGHT\", \"title\": ", "malformed", NULL },
  { "not-json", "hello", "malformed", NULL },
  { "trailing-comma", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\",}", "malformed", NULL },
  /* JSON with one value only: what json-glib tolerates beyond RFC 8259 is
   * still not JSON, and other clients' parsers would read it differently. */
  { "two-values", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\"} {\"title\": \"z\"}",
    "malformed", NULL },
  { "var-statement", "var task = {\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\"};",
    "malformed", NULL },
  { "comment", "/* c */ {\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\"}", "malformed", NULL },
  { "single-quotes", "{'category': 'LIGHT', \"title\": \"x\", \"address\": \"y\"}", "malformed", NULL },
  { "hex-number", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"n\": 0x10}",
    "malformed", NULL },
  { "empty", "", "malformed", NULL },
  { "whitespace", "  \n ", "malformed", NULL },
  /* JSON, but not an object */
  { "array", "[{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\"}]", "invalid", NULL },
  { "number", "42", "invalid", NULL },
  { "string", "\"LIGHT\"", "invalid", NULL },
  { "null", "null", "invalid", NULL },
  /* Wrong types */
  { "title-number", "{\"category\": \"LIGHT\", \"title\": 5, \"address\": \"y\"}", "invalid", "title" },
  { "title-object", "{\"category\": \"LIGHT\", \"title\": {}, \"address\": \"y\"}", "invalid", "title" },
  { "category-array", "{\"category\": [], \"title\": \"x\", \"address\": \"y\"}", "invalid", "category" },
  { "category-true", "{\"category\": true, \"title\": \"x\", \"address\": \"y\"}", "invalid", "category" },
  { "lat-string", "{\"category\": \"LIGHT\", \"title\": \"x\", \"location\": {\"lat\": \"x\", \"lon\": 105.7}}",
    "invalid", "location.lat" },
  { "lon-null", "{\"category\": \"LIGHT\", \"title\": \"x\", \"location\": {\"lat\": 10.0, \"lon\": null}}",
    "invalid", "location.lon" },
  { "location-string", "{\"category\": \"LIGHT\", \"title\": \"x\", \"location\": \"Ninh Kiều\"}",
    "invalid", "location" },
  { "description-number", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"description\": 1}",
    "invalid", "description" },
  { "address-array", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": [\"y\"]}", "invalid", "address" },
  { "commune-number", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"commune\": 31120}",
    "invalid", "commune" },
  { "media-string", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"media\": \"a.jpg\"}",
    "invalid", "media" },
  { "media-number", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"media\": [1]}",
    "invalid", "media" },
  { "reporter-string", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"reporter\": \"An\"}",
    "invalid", "reporter" },
  { "reporter-phone-number",
    "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"reporter\": {\"phone\": 901234567}}",
    "invalid", "reporter.phone" },
  { "priority-unknown", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"priority\": \"extreme\"}",
    "invalid", "priority" },
  { "source-unknown", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"source\": \"pigeon\"}",
    "invalid", "source" },
  { "source-sensor", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"source\": \"sensor\"}",
    "invalid", "source" },
  /* Missing or empty */
  { "no-category", "{\"title\": \"x\", \"address\": \"y\"}", "invalid", "category" },
  { "null-category", "{\"category\": null, \"title\": \"x\", \"address\": \"y\"}", "invalid", "category" },
  { "no-title", "{\"category\": \"LIGHT\", \"address\": \"y\"}", "invalid", "title" },
  { "blank-title", "{\"category\": \"LIGHT\", \"title\": \" \\t\\n \", \"address\": \"y\"}", "invalid", "title" },
  { "no-place", "{\"category\": \"LIGHT\", \"title\": \"x\"}", "invalid", "location" },
  { "blank-address", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"   \"}", "invalid", "location" },
  { "no-lon", "{\"category\": \"LIGHT\", \"title\": \"x\", \"location\": {\"lat\": 10.0}}", "invalid", "location.lon" },
  /* Out of range */
  { "lat-91", "{\"category\": \"LIGHT\", \"title\": \"x\", \"location\": {\"lat\": 91, \"lon\": 105.7}}",
    "invalid", "location.lat" },
  { "lat-minus-90.5", "{\"category\": \"LIGHT\", \"title\": \"x\", \"location\": {\"lat\": -90.5, \"lon\": 105.7}}",
    "invalid", "location.lat" },
  { "lon-minus-181", "{\"category\": \"LIGHT\", \"title\": \"x\", \"location\": {\"lat\": 10.0, \"lon\": -181}}",
    "invalid", "location.lon" },
  /* Infinity cannot be written in JSON; an overflowing literal is the closest. */
  { "lat-1e999", "{\"category\": \"LIGHT\", \"title\": \"x\", \"location\": {\"lat\": 1e999, \"lon\": 105.7}}",
    NULL, NULL },
  { "lon-minus-1e999", "{\"category\": \"LIGHT\", \"title\": \"x\", \"location\": {\"lat\": 10, \"lon\": -1e999}}",
    NULL, NULL },
  { "lat-NaN", "{\"category\": \"LIGHT\", \"title\": \"x\", \"location\": {\"lat\": NaN, \"lon\": 105.7}}",
    NULL, NULL },
  /* Unknown references */
  { "unknown-category", "{\"category\": \"UFO\", \"title\": \"x\", \"address\": \"y\"}", "invalid", "category" },
  { "lowercase-category", "{\"category\": \"light\", \"title\": \"x\", \"address\": \"y\"}", "invalid", "category" },
  { "unknown-commune", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"commune\": \"99999\"}",
    "invalid", "commune" },
  /* Too long */
  { "title-201", "{\"category\": \"LIGHT\", \"title\": \"TITLE201\", \"address\": \"y\"}", "invalid", "title" },
  { "description-4001", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"description\": \"DESC4001\"}",
    "invalid", "description" },
  { "media-11", "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\", \"media\": "
    "[\"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"10\", \"11\"]}",
    "invalid", "media" },
};

/* Expands the placeholders for long strings. */
static char *
expand_body (const char *body)
{
  g_autoptr(GString) s = g_string_new (body);
  g_autoptr(GString) title = g_string_new (NULL);
  g_autoptr(GString) description = g_string_new (NULL);

  for (guint i = 0; i < 201; i++)
    g_string_append (title, "đ");
  for (guint i = 0; i < 4001; i++)
    g_string_append (description, "ế");

  g_string_replace (s, "TITLE201", title->str, 0);
  g_string_replace (s, "DESC4001", description->str, 0);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_intake_cases (void)
{
  gint64 max_before, max_after;
  guint before = count_tasks (&max_before);
  guint after;

  for (guint i = 0; i < G_N_ELEMENTS (intake_cases); i++)
    {
      const IntakeCase *c = &intake_cases[i];
      g_autofree char *body = expand_body (c->body);
      g_autoptr(IocdTestResponse) r = post_bytes ("/api/v1/tasks", operator_token, body, strlen (body));

      iocd_test_check_error (r, 400, c->code, c->field, c->name);
    }

  /* Nothing of it was stored. */
  after = count_tasks (&max_after);
  check_nothing_stored (before, max_before, after, max_after, "refused intakes");
}

static void
test_invalid_utf8 (void)
{
  static const char * const bodies[] = {
    "{\"category\": \"LIGHT\", \"title\": \"\xff\", \"address\": \"y\"}",
    "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"\xc0\xaf\"}",          /* overlong "/" */
    "{\"category\": \"LIGHT\", \"title\": \"\xed\xa0\x80\", \"address\": \"y\"}",      /* a surrogate */
    "{\"category\": \"LIGHT\", \"title\": \"Đ\xc6\", \"address\": \"y\"}",             /* cut short */
    "{\"\xfe\": 1, \"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\"}",    /* in a name */
  };
  gint64 max_before, max_after;
  guint before = count_tasks (&max_before);
  guint after;

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(IocdTestResponse) r = post_bytes ("/api/v1/tasks", operator_token, bodies[i], strlen (bodies[i]));
      g_autofree char *what = g_strdup_printf ("invalid UTF-8 #%u", i);

      iocd_test_check_error (r, 400, "malformed", NULL, what);
    }

  /* On an action and on signing in too. */
  {
    gint64 id = make_task (AT_RECEIVED);
    g_autofree char *path = g_strdup_printf ("/api/v1/tasks/%" G_GINT64_FORMAT "/comment", id);
    static const char comment[] = "{\"text\": \"\xff\xfe\"}";
    static const char login[] = "{\"username\": \"trucban1\xff\", \"password\": \"x\"}";
    g_autoptr(IocdTestResponse) r = post_bytes (path, operator_token, comment, strlen (comment));
    g_autoptr(IocdTestResponse) s = post_bytes ("/api/v1/session", NULL, login, strlen (login));
    g_autoptr(JsonNode) task = get_task (id);

    iocd_test_check_error (r, 400, "malformed", NULL, "invalid UTF-8 in a comment");
    iocd_test_check_error (s, 400, "malformed", NULL, "invalid UTF-8 when signing in");
    g_assert_cmpuint (iocd_test_timeline_length (task), ==, 1);
  }

  /* Valid JSON escapes for what a UTF-8 C string cannot hold: a lone
   * surrogate, and NUL, which would cut the title short without a word. */
  {
    static const struct {
      const char *name;
      const char *body;
    } escaped[] = {
      { "\\ud800 in the title", "{\"category\": \"LIGHT\", \"title\": \"\\ud800\", \"address\": \"y\"}" },
      { "\\u0000 in the title", "{\"category\": \"LIGHT\", \"title\": \"a\\u0000b\", \"address\": \"y\"}" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (escaped); i++)
      {
        g_autoptr(IocdTestResponse) r = post_bytes ("/api/v1/tasks", operator_token, escaped[i].body,
                                                    strlen (escaped[i].body));

        iocd_test_check_error (r, 400, NULL, NULL, escaped[i].name);
      }
  }

  /* One task was made on purpose, for the comment. */
  after = count_tasks (&max_after);
  check_nothing_stored (before + 1, max_before + 1, after, max_after, "refused UTF-8");
}

/* Actions */

typedef struct {
  const char *name;
  IocdTestStage stage;
  gboolean    by_liaison;
  const char *action;
  const char *body;      /* VERSION is replaced by the task's version, SELF by its id */
  guint       status;
  const char *code;
  const char *field;
} ActionCase;

static const ActionCase action_cases[] = {
  { "malformed", AT_RECEIVED, FALSE, "verify", "{\"version\": ", 400, "malformed", NULL },
  { "empty", AT_RECEIVED, FALSE, "verify", "", 400, "malformed", NULL },
  { "array", AT_RECEIVED, FALSE, "verify", "[VERSION]", 400, "invalid", NULL },
  { "number", AT_RECEIVED, FALSE, "verify", "VERSION", 400, "invalid", NULL },
  { "no-version", AT_RECEIVED, FALSE, "verify", "{}", 400, "invalid", "version" },
  { "version-string", AT_RECEIVED, FALSE, "verify", "{\"version\": \"VERSION\"}", 400, "invalid", "version" },
  { "version-float", AT_RECEIVED, FALSE, "verify", "{\"version\": 1.5}", 400, "invalid", "version" },
  { "version-zero", AT_RECEIVED, FALSE, "verify", "{\"version\": 0}", 400, "invalid", "version" },
  { "version-negative", AT_RECEIVED, FALSE, "verify", "{\"version\": -1}", 400, "invalid", "version" },
  { "version-huge", AT_RECEIVED, FALSE, "verify", "{\"version\": 1e30}", 400, "invalid", "version" },
  { "reject-no-reason", AT_RECEIVED, FALSE, "reject", "{\"version\": VERSION}", 400, "invalid", "reason" },
  { "reject-empty-reason", AT_RECEIVED, FALSE, "reject", "{\"version\": VERSION, \"reason\": \"  \"}",
    400, "invalid", "reason" },
  { "reject-reason-number", AT_RECEIVED, FALSE, "reject", "{\"version\": VERSION, \"reason\": 1}",
    400, "invalid", "reason" },
  { "reject-note-not-reason", AT_RECEIVED, FALSE, "reject", "{\"version\": VERSION, \"note\": \"x\"}",
    400, "invalid", "reason" },
  { "reopen-no-reason", AT_RESOLVED, FALSE, "reopen", "{\"version\": VERSION}", 400, "invalid", "reason" },
  { "return-no-reason", AT_FORWARDED, TRUE, "return", "{\"version\": VERSION}", 400, "invalid", "reason" },
  { "resolve-no-result", AT_IN_PROGRESS, TRUE, "resolve", "{\"version\": VERSION}", 400, "invalid", "result" },
  { "resolve-result-array", AT_IN_PROGRESS, TRUE, "resolve", "{\"version\": VERSION, \"result\": [\"x\"]}",
    400, "invalid", "result" },
  { "comment-no-text", AT_RECEIVED, FALSE, "comment", "{\"version\": VERSION}", 400, "invalid", "text" },
  { "forward-no-department", AT_VERIFIED, FALSE, "forward", "{\"version\": VERSION}", 400, "invalid", "department" },
  { "forward-unknown-department", AT_VERIFIED, FALSE, "forward", "{\"version\": VERSION, \"department\": \"NASA\"}",
    400, "invalid", "department" },
  { "forward-department-number", AT_VERIFIED, FALSE, "forward", "{\"version\": VERSION, \"department\": 7}",
    400, "invalid", "department" },
  { "forward-due-past", AT_VERIFIED, FALSE, "forward",
    "{\"version\": VERSION, \"department\": \"SXD\", \"due_at\": \"2020-01-01T08:00:00+07:00\"}",
    400, "invalid", "due_at" },
  { "forward-due-no-offset", AT_VERIFIED, FALSE, "forward",
    "{\"version\": VERSION, \"department\": \"SXD\", \"due_at\": \"2031-01-01T08:00:00\"}",
    400, "invalid", "due_at" },
  { "forward-due-words", AT_VERIFIED, FALSE, "forward",
    "{\"version\": VERSION, \"department\": \"SXD\", \"due_at\": \"tomorrow\"}", 400, "invalid", "due_at" },
  { "forward-due-number", AT_VERIFIED, FALSE, "forward",
    "{\"version\": VERSION, \"department\": \"SXD\", \"due_at\": 1924992000}", 400, "invalid", "due_at" },
  { "duplicate-missing", AT_VERIFIED, FALSE, "mark_duplicate", "{\"version\": VERSION}",
    400, "invalid", "duplicate_of" },
  { "duplicate-string", AT_VERIFIED, FALSE, "mark_duplicate", "{\"version\": VERSION, \"duplicate_of\": \"1\"}",
    400, "invalid", "duplicate_of" },
  { "duplicate-self", AT_VERIFIED, FALSE, "mark_duplicate", "{\"version\": VERSION, \"duplicate_of\": SELF}",
    400, "invalid", "duplicate_of" },
  { "duplicate-unknown", AT_VERIFIED, FALSE, "mark_duplicate",
    "{\"version\": VERSION, \"duplicate_of\": 99999999}", 400, "invalid", "duplicate_of" },
  { "close-rating-0", AT_RESOLVED, FALSE, "close", "{\"version\": VERSION, \"rating\": 0}", 400, "invalid", "rating" },
  { "close-rating-6", AT_RESOLVED, FALSE, "close", "{\"version\": VERSION, \"rating\": 6}", 400, "invalid", "rating" },
  { "close-rating-string", AT_RESOLVED, FALSE, "close", "{\"version\": VERSION, \"rating\": \"5\"}",
    400, "invalid", "rating" },
  { "note-4001", AT_RECEIVED, FALSE, "comment", "{\"text\": \"DESC4001\"}", 400, "invalid", "text" },
  /* Refusals that are not about the body */
  { "stale-version", AT_VERIFIED, FALSE, "verify", "{\"version\": 1}", 409, NULL, NULL },
  { "wrong-state", AT_RECEIVED, FALSE, "close", "{\"version\": VERSION}", 409, "wrong_state", NULL },
  { "not-allowed", AT_RECEIVED, TRUE, "verify", "{\"version\": VERSION}", 403, "forbidden", NULL },
};

static void
test_action_case (gconstpointer data)
{
  const ActionCase *c = data;
  gint64 id = make_task (c->stage);
  g_autoptr(JsonNode) before = get_task (id);
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(IocdTestResponse) r = NULL;
  g_autofree char *self_id = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autofree char *expanded = expand_body (c->body);
  g_auto(GStrv) parts = g_strsplit (expanded, "SELF", -1);
  g_autofree char *body = g_strjoinv (self_id, parts);
  const char *token = c->by_liaison ? liaison_token : operator_token;

  r = post_action (token, id, c->action, body);
  iocd_test_check_error (r, c->status, c->code, c->field, c->name);

  /* A refused action changes nothing. */
  after = get_task (id);
  g_assert_cmpint (iocd_test_json_int (after, "version"), ==, iocd_test_json_int (before, "version"));
  g_assert_cmpstr (iocd_test_json_string (after, "state"), ==, iocd_test_json_string (before, "state"));
  g_assert_cmpuint (iocd_test_timeline_length (after), ==, iocd_test_timeline_length (before));
}

/* Sizes */

static void
test_long_texts (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  static const char *words = "Đường Trần Hưng Đạo ngập sâu, nắp cống bị bật tung; xe cộ qua lại rất nguy hiểm. ";
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(JsonNode) stored = NULL;
  g_autofree char *body = NULL;
  g_autofree char *description = NULL;

  while (g_utf8_strlen (text->str, -1) < 4000)
    g_string_append (text, words);
  description = g_utf8_substring (text->str, 0, 4000);
  g_assert_cmpint (g_utf8_strlen (description, -1), ==, 4000);
  g_assert_cmpuint (strlen (description), >, 4000);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "category");
  json_builder_add_string_value (b, "DRAIN");
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, "Ngập nước kéo dài");
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, "Đường Trần Hưng Đạo, phường Ninh Kiều");
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, description);
  body = iocd_test_json_finish (b);

  /* 4,000 characters is the limit, in characters, not in bytes. */
  r = iocd_test_request (server, session, "POST", "/api/v1/tasks", operator_token, body, NULL);
  iocd_test_assert_status (r, 201, "a description of exactly 4,000 Vietnamese characters");
  stored = get_task (iocd_test_json_int (r->body, "id"));
  g_assert_cmpstr (iocd_test_json_string (stored, "description"), ==, description);
}

static char *
padded_body (gsize size)
{
  static const char head[] = "{\"category\": \"LIGHT\", \"address\": \"y\", \"title\": \"";
  static const char tail[] = "\"}";
  char *body = g_malloc (size + 1);

  g_assert_cmpuint (size, >, sizeof head + sizeof tail);
  memcpy (body, head, sizeof head - 1);
  memset (body + sizeof head - 1, 'a', size - (sizeof head - 1) - (sizeof tail - 1));
  memcpy (body + size - (sizeof tail - 1), tail, sizeof tail - 1);
  body[size] = '\0';
  return body;
}

static void
test_body_limit (void)
{
  g_autofree char *over = padded_body (BODY_LIMIT + 1);
  g_autofree char *at = padded_body (BODY_LIMIT);
  gint64 max_before, max_after;
  guint before = count_tasks (&max_before);
  guint after;

  /* With Content-Length: refused from the headers. */
  {
    g_autoptr(IocdTestResponse) r = post_bytes ("/api/v1/tasks", operator_token, over, BODY_LIMIT + 1);

    iocd_test_check_error (r, 413, "too_large", NULL, "a body of 1 MiB + 1 byte");
  }
  {
    g_autoptr(IocdTestResponse) r = post_bytes ("/api/v1/session", NULL, over, BODY_LIMIT + 1);

    iocd_test_check_error (r, 413, "too_large", NULL, "a body of 1 MiB + 1 byte to sign in");
  }

  /* Chunked, with no Content-Length to refuse it early: refused once read. */
  {
    g_autoptr(SoupMessage) msg = iocd_test_message_new (server, "POST", "/api/v1/tasks", operator_token);
    g_autoptr(GBytes) bytes = g_bytes_new (over, BODY_LIMIT + 1);
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
    g_autoptr(IocdTestResponse) r = NULL;

    soup_message_set_request_body (msg, "application/json", stream, -1);
    r = iocd_test_send (session, msg);
    iocd_test_check_error (r, 413, "too_large", NULL, "a chunked body of 1 MiB + 1 byte");
  }

  /* At the limit the body is read, and judged on what it says. */
  {
    g_autoptr(IocdTestResponse) r = post_bytes ("/api/v1/tasks", operator_token, at, BODY_LIMIT);

    iocd_test_check_error (r, 400, "invalid", "title", "a body of exactly 1 MiB");
  }

  after = count_tasks (&max_after);
  check_nothing_stored (before, max_before, after, max_after, "refused bodies over the limit");
}

/* Authentication and permission */

static IocdTestResponse *
with_authorization (const char *method,
                    const char *path,
                    const char *authorization)
{
  g_autoptr(SoupMessage) msg = iocd_test_message_new (server, method, path, NULL);

  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", authorization);

  return iocd_test_send (session, msg);
}

static void
test_tokens (void)
{
  g_autofree char *long_token = NULL;
  g_autofree char *signed_out = NULL;
  g_autofree char *bearer_random = NULL;
  g_autofree char *bearer_long = NULL;
  g_autofree char *bearer_signed_out = NULL;
  g_autoptr(GString) s = g_string_new ("Bearer ");

  /* Shaped like a real token, but never issued. */
  for (guint i = 0; i < 32; i++)
    g_string_append_printf (s, "%02x", g_random_int_range (0, 256));
  bearer_random = g_string_free (g_steal_pointer (&s), FALSE);

  long_token = g_strnfill (8000, 'A');
  bearer_long = g_strconcat ("Bearer ", long_token, NULL);

  {
    signed_out = iocd_test_login (server, session, "trucban3", NULL);
    iocd_test_logout (server, session, signed_out);
    bearer_signed_out = g_strconcat ("Bearer ", signed_out, NULL);
  }

  {
    const char * const authorizations[] = {
      NULL,
      "",
      "Bearer",
      "Bearer ",
      "Bearer nonsense",
      "Basic dHJ1Y2JhbjE6cGFzc3dvcmQ=",
      "Token abc",
      bearer_random,
      bearer_long,
      bearer_signed_out,
    };
    static const char * const paths[] = {
      "/api/v1/tasks", "/api/v1/tasks/1", "/api/v1/session", "/api/v1/categories",
    };

    for (guint i = 0; i < G_N_ELEMENTS (authorizations); i++)
      for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
        {
          g_autoptr(IocdTestResponse) r = with_authorization ("GET", paths[p], authorizations[i]);
          g_autofree char *what = g_strdup_printf ("GET %s with Authorization “%.20s”", paths[p],
                                                   authorizations[i] ? authorizations[i] : "(none)");

          iocd_test_check_unauthorized (r, what);
        }
  }

  /* Signing in wrongly */
  {
    static const struct {
      const char *body;
      guint status;
      const char *field;
    } logins[] = {
      { "{\"password\": \"x\"}", 400, "username" },
      { "{\"username\": \"khongai\"}", 400, "password" },
      { "{\"username\": 5, \"password\": \"x\"}", 400, "username" },
      { "{\"username\": \"khongai\", \"password\": []}", 400, "password" },
      { "[\"khongai\", \"x\"]", 400, NULL },
      { "{\"username\": \"khongai\", \"password\": \"sai mật khẩu\"}", 401, NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (logins); i++)
      {
        g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "POST", "/api/v1/session", NULL,
                                                           logins[i].body, NULL);

        iocd_test_check_error (r, logins[i].status, NULL, logins[i].field, logins[i].body);
      }
  }
}

static void
test_forbidden (void)
{
  gint64 max_before, max_after;
  guint before = count_tasks (&max_before);
  guint after;
  gint64 id;
  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "POST", "/api/v1/tasks", liaison_token,
                                                       "{\"category\": \"LIGHT\", \"title\": \"x\", \"address\": \"y\"}",
                                                       NULL);

    iocd_test_check_error (r, 403, "forbidden", NULL, "intake by a liaison");
  }
  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/users", operator_token,
                                                       NULL, NULL);

    iocd_test_check_error (r, 403, "forbidden", NULL, "users by an operator");
  }
  after = count_tasks (&max_after);
  check_nothing_stored (before, max_before, after, max_after, "refused intake");

  id = make_task (AT_RECEIVED);
  {
    g_autoptr(IocdTestResponse) r = post_action (supervisor_token, id, "verify", "{\"version\": VERSION}");

    iocd_test_check_error (r, 403, "forbidden", NULL, "verify by a supervisor");
    g_assert_cmpint (task_version (id), ==, 1);
  }
}

/* Paths and methods */

static void
test_not_found (void)
{
  static const struct {
    const char *method;
    const char *path;
  } cases[] = {
    { "GET", "/api/v1/tasks/99999999" },
    { "GET", "/api/v1/tasks/abc" },
    { "GET", "/api/v1/tasks/0" },
    { "GET", "/api/v1/tasks/-1" },
    { "GET", "/api/v1/tasks/1.5" },
    { "GET", "/api/v1/tasks/0x10" },
    { "GET", "/api/v1/tasks/%201" },
    { "GET", "/api/v1/tasks/99999999999999999999999" },
    { "POST", "/api/v1/tasks/99999999/verify" },
    { "POST", "/api/v1/tasks/99999999/comment" },
    { "POST", "/api/v1/tasks/1/explode" },
    { "POST", "/api/v1/tasks/1/Verify" },
    { "POST", "/api/v1/tasks/1/verify/now" },
    { "POST", "/api/v1/tasks/abc/verify" },
    { "GET", "/api/v1/tasks/1/timeline/2" },
    { "GET", "/api/v1/nothing" },
    { "GET", "/api/v1/tasks//1" },
    { "POST", "/api/v1/tasks//verify" },
    { "GET", "/api/v1/users/1" },
    { "GET", "/api/v1/departments/SXD" },
    { "GET", "/api/v2/tasks" },
    { "GET", "/" },
    { "GET", "/index.html" },
    { "GET", "/api/v1/%FF" },
    { "GET", "/api/v1/tasks/%FF" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(IocdTestResponse) r = NULL;
      g_autofree char *what = g_strdup_printf ("%s %s", cases[i].method, cases[i].path);
      const char *body = g_str_equal (cases[i].method, "POST") ? "{\"version\": 1, \"text\": \"x\"}" : NULL;

      r = iocd_test_request (server, session, cases[i].method, cases[i].path, operator_token, body, NULL);
      iocd_test_check_error (r, 404, "not_found", NULL, what);
    }
}

static void
test_method_not_allowed (void)
{
  static const struct {
    const char *method;
    const char *path;
    const char *allow;     /* what Allow must list, comma-separated */
  } cases[] = {
    { "PUT", "/api/v1/tasks", "GET,POST" },
    { "DELETE", "/api/v1/tasks", "GET,POST" },
    { "PATCH", "/api/v1/tasks", "GET,POST" },
    { "DELETE", "/api/v1/tasks/1", "GET" },
    { "POST", "/api/v1/tasks/1", "GET" },
    { "PUT", "/api/v1/tasks/1", "GET" },
    { "GET", "/api/v1/tasks/1/verify", "POST" },
    { "DELETE", "/api/v1/tasks/1/comment", "POST" },
    { "PUT", "/api/v1/session", "POST,GET,DELETE" },
    { "POST", "/api/v1/server", "GET" },
    { "POST", "/api/v1/departments", "GET" },
    { "DELETE", "/api/v1/categories", "GET" },
    { "POST", "/api/v1/users", "GET" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(IocdTestResponse) r = NULL;
      g_autofree char *what = g_strdup_printf ("%s %s", cases[i].method, cases[i].path);
      g_auto(GStrv) expected = g_strsplit (cases[i].allow, ",", -1);
      const char *allow;
      const char *token = g_str_equal (cases[i].path, "/api/v1/users") ? NULL : operator_token;

      /* The admin is the one who could use /users at all. */
      if (token == NULL)
        {
          g_autofree char *admin = iocd_test_login (server, session, "admin", NULL);

          r = iocd_test_request (server, session, cases[i].method, cases[i].path, admin, "{}", NULL);
        }
      else
        r = iocd_test_request (server, session, cases[i].method, cases[i].path, token, "{}", NULL);

      if (!iocd_test_check_error (r, 405, "method_not_allowed", NULL, what))
        continue;

      allow = soup_message_headers_get_one (r->headers, "Allow");
      if (allow == NULL)
        {
          iocd_test_fail ("%s: 405 without Allow", what);
          continue;
        }
      for (guint m = 0; expected[m] != NULL; m++)
        if (strstr (allow, expected[m]) == NULL)
          iocd_test_fail ("%s: Allow “%s” does not list %s", what, allow, expected[m]);
    }
}

/* List filters */

static void
test_list_filters (void)
{
  static const struct {
    const char *query;
    const char *field;
  } cases[] = {
    { "colour=red", "colour" },
    { "state=nope", "state" },
    { "state=open,nope", "state" },
    { "state=OPEN", "state" },
    { "limit=0", "limit" },
    { "limit=5000", "limit" },
    { "limit=1001", "limit" },
    { "limit=-1", "limit" },
    { "limit=abc", "limit" },
    { "limit=10abc", "limit" },
    { "limit=", "limit" },
    { "bbox=1,2,3", "bbox" },
    { "bbox=1,2,3,4,5", "bbox" },
    { "bbox=a,b,c,d", "bbox" },
    { "bbox=105.9,10.1,105.7,10.0", "bbox" },
    { "bbox=nan,nan,nan,nan", "bbox" },
    { "bbox=105,95,106,96", "bbox" },
    { "after=garbage", "after" },
    { "after=i", "after" },
    { "after=i-5", "after" },
    { "overdue=maybe", "overdue" },
    { "order=random", "order" },
    { "updated_since=yesterday", "updated_since" },
    { "updated_since=2025-01-01T00:00:00", "updated_since" },
    { "department=NASA", "department" },
    { "category=UFO", "category" },
    { "commune=0", "commune" },
    { "source=pigeon", "source" },
    { "q=%FF", "q" },
    { "state=%FF", "state" },
  };
  g_autoptr(GString) long_q = g_string_new ("q=");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/api/v1/tasks?", cases[i].query, NULL);
      g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", path, operator_token, NULL, NULL);

      iocd_test_check_error (r, 400, "invalid", cases[i].field, cases[i].query);
    }

  for (guint i = 0; i < 201; i++)
    g_string_append (long_q, "%C4%91");   /* đ */
  {
    g_autofree char *path = g_strconcat ("/api/v1/tasks?", long_q->str, NULL);
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", path, operator_token, NULL, NULL);

    iocd_test_check_error (r, 400, "invalid", "q", "q of 201 characters");
  }

  /* A filter name that is not UTF-8 is refused in valid JSON all the same. */
  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/tasks?%FF%FE=1",
                                                       operator_token, NULL, NULL);

    iocd_test_check_error (r, 400, "invalid", NULL, "a filter name that is not UTF-8");
    if (r->text != NULL && !g_utf8_validate (r->text, -1, NULL))
      iocd_test_fail ("the answer to a filter name that is not UTF-8 is not UTF-8 itself");
  }

  /* The liaison's lists are checked the same way. */
  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/tasks?colour=red",
                                                       liaison_token, NULL, NULL);

    iocd_test_check_error (r, 400, "invalid", "colour", "colour=red by a liaison");
  }
}

/* Text that looks like code is data */

static void
test_text_round_trip (void)
{
  static const char *title = "Robert'); DROP TABLE tasks;--";
  static const char *description = "<b>\"x\"</b> & \\ \n\t ☃ Đường";
  static const char *address = "1' OR '1'='1; <script>alert(1)</script> %s %n \\u0041";
  static const char *comment = "'; DELETE FROM timeline; -- </textarea> \r\n “ngoặc kép” ₫";
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(IocdTestResponse) created = NULL;
  g_autoptr(IocdTestResponse) commented = NULL;
  g_autoptr(IocdTestResponse) searched = NULL;
  g_autoptr(JsonNode) stored = NULL;
  g_autofree char *body = NULL;
  g_autofree char *comment_body = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *search = NULL;
  JsonNode *last;
  JsonArray *timeline;
  gint64 id;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "category");
  json_builder_add_string_value (b, "LIGHT");
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, title);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, description);
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, address);
  body = iocd_test_json_finish (b);

  created = iocd_test_request (server, session, "POST", "/api/v1/tasks", operator_token, body, NULL);
  iocd_test_assert_status (created, 201, "intake of text that looks like code");
  g_assert_cmpstr (iocd_test_json_string (created->body, "title"), ==, title);
  g_assert_cmpstr (iocd_test_json_string (created->body, "description"), ==, description);
  g_assert_cmpstr (iocd_test_json_string (created->body, "address"), ==, address);
  id = iocd_test_json_int (created->body, "id");

  {
    g_autoptr(JsonBuilder) cb = json_builder_new_immutable ();

    json_builder_begin_object (cb);
    json_builder_set_member_name (cb, "text");
    json_builder_add_string_value (cb, comment);
    comment_body = iocd_test_json_finish (cb);
  }
  commented = iocd_test_act (server, session, operator_token, id, "comment", comment_body, NULL);
  iocd_test_assert_status (commented, 200, "comment of text that looks like code");

  stored = get_task (id);
  g_assert_cmpstr (iocd_test_json_string (stored, "title"), ==, title);
  g_assert_cmpstr (iocd_test_json_string (stored, "description"), ==, description);
  g_assert_cmpstr (iocd_test_json_string (stored, "address"), ==, address);
  timeline = json_node_get_array (iocd_test_json_get (stored, "timeline"));
  last = json_array_get_element (timeline, json_array_get_length (timeline) - 1);
  g_assert_cmpstr (iocd_test_json_string (last, "action"), ==, "comment");
  g_assert_cmpstr (iocd_test_json_string (last, "note"), ==, comment);

  /* As a search, the same text is only text; the table is still there. */
  escaped = g_uri_escape_string (title, NULL, FALSE);
  search = g_strconcat ("/api/v1/tasks?q=", escaped, NULL);
  searched = iocd_test_request (server, session, "GET", search, operator_token, NULL, NULL);
  iocd_test_assert_status (searched, 200, "search for text that looks like code");
  {
    JsonArray *found = json_node_get_array (iocd_test_json_get (searched->body, "tasks"));
    gboolean seen = FALSE;

    for (guint i = 0; i < json_array_get_length (found); i++)
      seen |= iocd_test_json_int (json_array_get_element (found, i), "id") == id;
    g_assert_true (seen);
  }
  {
    g_autoptr(JsonNode) again = get_task (id);

    g_assert_cmpstr (iocd_test_json_string (again, "title"), ==, title);
  }
}

/* An Idempotency-Key that came with a refused request is not used up. */
static void
test_idempotency_key (void)
{
  static const char *bad = "{\"category\": \"UFO\", \"title\": \"x\", \"address\": \"y\"}";
  static const char *good = "{\"category\": \"LIGHT\", \"title\": \"Khóa lặp lại\", \"address\": \"y\"}";
  g_autofree char *key = g_strdup_printf ("bad-input-%08x", g_random_int ());
  g_autoptr(IocdTestResponse) first = iocd_test_request (server, session, "POST", "/api/v1/tasks", operator_token,
                                                         bad, key);
  g_autoptr(IocdTestResponse) second = iocd_test_request (server, session, "POST", "/api/v1/tasks", operator_token,
                                                          good, key);

  iocd_test_check_error (first, 400, "invalid", "category", "a refused intake with an Idempotency-Key");
  iocd_test_assert_status (second, 201, "the same key with a good request");

  /* Keys that could not be one are refused, naming the header. */
  {
    g_autofree char *too_long = g_strnfill (129, 'k');
    const char * const keys[] = { "", "with space", too_long, "tab\there" };

    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      {
        g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "POST", "/api/v1/tasks", operator_token,
                                                           good, keys[i]);
        g_autofree char *what = g_strdup_printf ("Idempotency-Key “%.20s”", keys[i]);

        iocd_test_check_error (r, 400, "invalid", "Idempotency-Key", what);
      }
  }
}

/* Requests that have taken iocd down: each gets an iocd of its own, so that
 * a crash fails this test only, and stopping it reports how it ended. */
static gboolean
check_survives (IocdTestServer *spare,
                SoupSession    *spare_session,
                const char     *what)
{
  g_autoptr(IocdTestResponse) alive = iocd_test_request (spare, spare_session, "GET", "/api/v1/server",
                                                         NULL, NULL, NULL);

  if (alive->status == 200)
    return TRUE;

  iocd_test_fail ("iocd is gone after %s (GET /api/v1/server: %u)", what, alive->status);
  return FALSE;
}

static void
test_api_root (void)
{
  g_autoptr(IocdTestServer) spare = iocd_test_server_start (NULL);
  g_autoptr(SoupSession) spare_session = iocd_test_session_new (spare);
  g_autofree char *token = iocd_test_login (spare, spare_session, "trucban1", NULL);
  static const char * const paths[] = { "/api/v1/", "/api/v1/?x=1" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    for (guint signed_in = 0; signed_in < 2; signed_in++)
      {
        g_autoptr(IocdTestResponse) r = NULL;
        g_autofree char *what = g_strdup_printf ("GET %s %s", paths[i], signed_in ? "signed in" : "without a token");

        r = iocd_test_request (spare, spare_session, "GET", paths[i], signed_in ? token : NULL, NULL, NULL);
        iocd_test_check_error (r, 404, "not_found", NULL, what);
        if (!check_survives (spare, spare_session, what))
          return;
      }
}

static void
test_deep_nesting (void)
{
  const gsize depth = 400 * 1000;
  g_autofree char *nested = g_malloc (2 * depth);
  g_autoptr(GBytes) bytes = NULL;
  static const char * const paths[] = { "/api/v1/session", "/api/v1/tasks" };

  /* Under the body limit, so it is parsed, not refused for its size. */
  memset (nested, '[', depth);
  memset (nested + depth, ']', depth);
  g_assert_cmpuint (2 * depth, <, BODY_LIMIT);
  bytes = g_bytes_new_take (g_steal_pointer (&nested), 2 * depth);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(IocdTestServer) spare = iocd_test_server_start (NULL);
      g_autoptr(SoupSession) spare_session = iocd_test_session_new (spare);
      g_autofree char *token = iocd_test_login (spare, spare_session, "trucban1", NULL);
      g_autoptr(IocdTestResponse) r = NULL;
      g_autofree char *what = g_strdup_printf ("%" G_GSIZE_FORMAT " nested arrays to %s", depth, paths[i]);

      /* Signing in needs no token: anyone can send the first one. */
      r = iocd_test_request_bytes (spare, spare_session, "POST", paths[i], i == 0 ? NULL : token,
                                   bytes, "application/json");
      iocd_test_check_error (r, 400, NULL, NULL, what);
      check_survives (spare, spare_session, what);
    }
}

static void
test_still_alive (void)
{
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/server", NULL, NULL, NULL);

  iocd_test_assert_status (r, 200, "GET /api/v1/server after the whole suite");
  g_assert_cmpstr (iocd_test_json_string (r->body, "name"), ==, "iocd");

  /* Stopped inside the test, so that a bad exit or a critical in its log
   * fails it. */
  iocd_test_server_stop (server);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = iocd_test_server_start (NULL);
  session = iocd_test_session_new (server);
  operator_token = iocd_test_login (server, session, "trucban1", NULL);
  supervisor_token = iocd_test_login (server, session, "lanhdao", NULL);
  liaison_token = iocd_test_login (server, session, "lienlac.sxd", NULL);

  g_test_add_func ("/bad-input/intake", test_intake_cases);
  g_test_add_func ("/bad-input/utf-8", test_invalid_utf8);
  for (guint i = 0; i < G_N_ELEMENTS (action_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/bad-input/action/%s", action_cases[i].name);

      g_test_add_data_func (path, &action_cases[i], test_action_case);
    }
  g_test_add_func ("/bad-input/size/long-texts", test_long_texts);
  g_test_add_func ("/bad-input/size/body-limit", test_body_limit);
  g_test_add_func ("/bad-input/auth/tokens", test_tokens);
  g_test_add_func ("/bad-input/auth/forbidden", test_forbidden);
  g_test_add_func ("/bad-input/route/not-found", test_not_found);
  g_test_add_func ("/bad-input/route/method", test_method_not_allowed);
  g_test_add_func ("/bad-input/list-filters", test_list_filters);
  g_test_add_func ("/bad-input/text-round-trip", test_text_round_trip);
  g_test_add_func ("/bad-input/idempotency-key", test_idempotency_key);
  g_test_add_func ("/bad-input/survival/api-root", test_api_root);
  g_test_add_func ("/bad-input/survival/deep-nesting", test_deep_nesting);
  /* Last: the iocd every other case talked to is still there. */
  g_test_add_func ("/bad-input/survival/still-alive", test_still_alive);

  ret = iocd_test_run (&server, &session);

  g_free (operator_token);
  g_free (supervisor_token);
  g_free (liaison_token);

  return ret;
}
