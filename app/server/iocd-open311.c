/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-open311"

#include "config.h"

#include <math.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "iocd-apikey-store.h"
#include "iocd-server-private.h"

/*
 * Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) under /open311/v2/.
 *
 * Every answer is first built as one JsonNode; the XML form is written from
 * that same node, so both formats always carry the same fields. Only tasks
 * that came in through this interface (source citizen_app) are published:
 * hotline calls, operators' entries and sensor alarms are the IOC's internal
 * records.
 */

#define JURISDICTION "cantho"
#define REQUESTS_MAX 1000
#define RANGE_MAX_DAYS 90
#define ATTRIBUTE_VALUE_MAX 2000
#define REPORTER_NAME_MAX 200
#define PHONE_MAX 32
#define EMAIL_MAX 254
#define MEDIA_URL_MAX 2000
#define TITLE_MAX_CHARS 120

typedef enum {
  FORMAT_JSON,
  FORMAT_XML,
} Format;

/* Form or query parameters: name → GPtrArray of values (repeated names keep every value). */
typedef GHashTable Params;

/* Answers */

static void
send_body (IocdRequest *request,
           guint        status,
           Format       format,
           const char  *content,
           gsize        length)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (request->msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (request->msg, status, NULL);
  soup_server_message_set_response (request->msg,
                                    format == FORMAT_XML ? "text/xml; charset=utf-8"
                                                         : "application/json; charset=utf-8",
                                    SOUP_MEMORY_COPY, content, length);
}

/* Element names of array items in the XML form, by the array's name. */
static const char *
xml_item_name (const char *array_name)
{
  static const struct { const char *array, *item; } names[] = {
    { "services", "service" },
    { "service_requests", "request" },
    { "errors", "error" },
    { "attributes", "attribute" },
    { "values", "value" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].array, array_name))
      return names[i].item;

  return "item";
}

/* XML 1.0 cannot carry most C0 controls even as character references. */
static char *
xml_safe_text (const char *text)
{
  GString *s = g_string_sized_new (strlen (text));

  for (const char *p = text; *p; p++)
    {
      if ((guchar) *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
        g_string_append (s, "\xef\xbf\xbd");
      else
        g_string_append_c (s, *p);
    }

  return g_string_free (s, FALSE);
}

/* The shortest text that reads back as the same double: 10.03, not 10.029999999999999. */
static char *
format_double (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 15; digits < 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        return g_strdup (buf);
    }

  return g_strdup (g_ascii_dtostr (buf, sizeof buf, value));
}

static void
write_xml_node (xmlTextWriterPtr  w,
                const char       *name,
                JsonNode         *node)
{
  xmlTextWriterStartElement (w, (const xmlChar *) name);

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *member;
        JsonNode *child;

        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &member, &child))
          write_xml_node (w, member, child);
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        const char *item = xml_item_name (name);

        for (guint i = 0; i < json_array_get_length (array); i++)
          write_xml_node (w, item, json_array_get_element (array, i));
      }
      break;

    case JSON_NODE_VALUE:
      {
        g_autofree char *text = NULL;

        switch (json_node_get_value_type (node))
          {
          case G_TYPE_BOOLEAN:
            text = g_strdup (json_node_get_boolean (node) ? "true" : "false");
            break;
          case G_TYPE_INT64:
            text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
            break;
          case G_TYPE_DOUBLE:
            text = format_double (json_node_get_double (node));
            break;
          default:
            text = xml_safe_text (json_node_get_string (node));
            break;
          }
        xmlTextWriterWriteString (w, (const xmlChar *) text);
      }
      break;

    case JSON_NODE_NULL:
    default:
      break;
    }

  xmlTextWriterEndElement (w);
}

/* @root_name names the document element of the XML form (for an array, its
 * items are named by xml_item_name). */
static void
send_node (IocdRequest *request,
           guint        status,
           Format       format,
           const char  *root_name,
           JsonNode    *node)
{
  if (format == FORMAT_JSON)
    {
      g_autofree char *text = json_to_string (node, FALSE);

      send_body (request, status, format, text, strlen (text));
    }
  else
    {
      xmlBufferPtr buffer = xmlBufferCreate ();
      xmlTextWriterPtr w = xmlNewTextWriterMemory (buffer, 0);

      xmlTextWriterStartDocument (w, NULL, "UTF-8", NULL);
      write_xml_node (w, root_name, node);
      xmlTextWriterEndDocument (w);
      xmlFreeTextWriter (w);

      send_body (request, status, format, (const char *) xmlBufferContent (buffer), xmlBufferLength (buffer));
      xmlBufferFree (buffer);
    }
}

static guint
error_status (const GError *error)
{
  if (error->domain == IOC_ERROR)
    return ioc_error_http_status (error);

  return 500;
}

/* The spec's error list: [{code, description}] with the same HTTP status. */
static void
send_error (IocdRequest  *request,
            Format        format,
            const GError *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;
  guint status = error_status (error);
  g_autofree char *description = NULL;

  if (status >= 500)
    {
      g_warning ("%s %s: %s", request->method, request->path, error->message);
      description = g_strdup (status == 503 ? "the server is busy; try again" : "internal error");
    }
  else
    description = g_utf8_make_valid (error->message, -1);

  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_int_value (b, status);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, description);
  json_builder_end_object (b);
  json_builder_end_array (b);
  node = json_builder_get_root (b);

  send_node (request, status, format, "errors", node);
}

static void
send_new_error (IocdRequest *request,
                Format       format,
                IocError     code,
                const char  *message)
{
  g_autoptr(GError) error = g_error_new_literal (IOC_ERROR, code, message);

  send_error (request, format, error);
}

/* Parameters */

static void
params_add (Params     *params,
            const char *name,
            const char *value)
{
  GPtrArray *values = g_hash_table_lookup (params, name);

  if (values == NULL)
    {
      values = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (params, g_strdup (name), values);
    }
  g_ptr_array_add (values, g_strdup (value));
}

static Params *
params_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
}

static const char *
param (Params     *params,
       const char *name)
{
  GPtrArray *values = g_hash_table_lookup (params, name);

  return values != NULL && values->len > 0 ? g_ptr_array_index (values, 0) : NULL;
}

/* An application/x-www-form-urlencoded body. GUriParamsIter rather than
 * soup_form_decode: a multivaluelist attribute repeats its name. */
static Params *
params_from_body (IocdRequest  *request,
                  GError      **error)
{
  g_autoptr(GHashTable) params = params_new ();
  gsize len = 0;
  const char *data = request->body ? g_bytes_get_data (request->body, &len) : NULL;
  GUriParamsIter iter;
  char *name = NULL, *value = NULL;
  g_autoptr(GError) local_error = NULL;

  if (data == NULL || len == 0)
    return g_steal_pointer (&params);

  g_uri_params_iter_init (&iter, data, len, "&", G_URI_PARAMS_WWW_FORM);
  while (g_uri_params_iter_next (&iter, &name, &value, &local_error))
    {
      if (!g_utf8_validate (name, -1, NULL) || !g_utf8_validate (value, -1, NULL))
        {
          g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "the form is not valid UTF-8");
          g_free (name);
          g_free (value);
          return NULL;
        }
      params_add (params, name, value);
      g_clear_pointer (&name, g_free);
      g_clear_pointer (&value, g_free);
    }

  if (local_error != NULL)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "the form is not URL-encoded: %s", local_error->message);
      return NULL;
    }

  return g_steal_pointer (&params);
}

static Params *
params_from_query (IocdRequest  *request,
                   GError      **error)
{
  g_autoptr(GHashTable) params = params_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, request->query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!g_utf8_validate (key, -1, NULL) || !g_utf8_validate (value, -1, NULL))
        {
          g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "the query is not valid UTF-8");
          return NULL;
        }
      params_add (params, key, value);
    }

  return g_steal_pointer (&params);
}

static gboolean
check_jurisdiction (Params   *params,
                    GError  **error)
{
  const char *jurisdiction = param (params, "jurisdiction_id");

  /* One city per server: its id is accepted and otherwise unnecessary. */
  if (jurisdiction != NULL && *jurisdiction != '\0' && !g_str_equal (jurisdiction, JURISDICTION))
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_NOT_FOUND,
                   "jurisdiction_id: this server serves only “" JURISDICTION "”");
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_double (const char *text,
              double      min,
              double      max,
              double     *out)
{
  char *end = NULL;
  double v;

  if (text == NULL || *text == '\0' || g_ascii_isspace (*text))
    return FALSE;

  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v) || v < min || v > max)
    return FALSE;

  *out = v;
  return TRUE;
}

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  char *end = NULL;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;

  *id = g_ascii_strtoll (text, &end, 10);
  return *end == '\0' && *id > 0;
}

/* Text a citizen typed: C0 controls other than line breaks and tabs have no
 * place in it, and XML could not carry them back. */
static gboolean
check_text (const char  *name,
            const char  *text,
            guint        max_chars,
            GError     **error)
{
  if (text == NULL)
    return TRUE;

  if (g_utf8_strlen (text, -1) > (glong) max_chars)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s: longer than %u characters", name, max_chars);
      return FALSE;
    }

  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
      {
        g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s: holds control characters", name);
        return FALSE;
      }

  return TRUE;
}

/* Services */

static const char *
department_name (IocdServer *self,
                 const char *code)
{
  IocDepartment *department = code ? g_hash_table_lookup (self->departments, code) : NULL;

  return department ? department->name_vi : NULL;
}

/* The category keywords of categories.csv ("a;b;c"), read once: the store
 * keeps no keywords, and they only serve this listing. */
static GHashTable *
category_keywords (IocdServer *self)
{
  GHashTable *keywords = g_object_get_data (G_OBJECT (self), "iocd-open311-keywords");
  g_autofree char *path = NULL;
  g_autoptr(IocCsv) csv = NULL;
  int code_col, keywords_col;

  if (keywords != NULL)
    return keywords;

  keywords = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_object_set_data_full (G_OBJECT (self), "iocd-open311-keywords", keywords,
                          (GDestroyNotify) g_hash_table_unref);

  if (self->config->data_dir == NULL)
    return keywords;

  path = g_build_filename (self->config->data_dir, "categories.csv", NULL);
  csv = ioc_csv_load (path, NULL);
  if (csv == NULL)
    return keywords;

  code_col = ioc_csv_column (csv, "code");
  keywords_col = ioc_csv_column (csv, "keywords");
  if (code_col < 0 || keywords_col < 0)
    return keywords;

  for (guint i = 1; i < csv->records->len; i++)
    {
      GStrv r = g_ptr_array_index (csv->records, i);
      guint n = g_strv_length (r);
      g_auto(GStrv) words = NULL;

      if ((guint) code_col >= n || (guint) keywords_col >= n)
        continue;
      words = g_strsplit (r[keywords_col], ";", -1);
      g_hash_table_insert (keywords, g_strdup (r[code_col]), g_strjoinv (", ", words));
    }

  return keywords;
}

static JsonArray *
category_attributes (IocCategory *category)
{
  g_autoptr(JsonNode) node = NULL;

  if (category->attributes == NULL)
    return NULL;

  node = json_from_string (category->attributes, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    return NULL;

  return json_array_ref (json_node_get_array (node));
}

static gboolean
check_query_jurisdiction (IocdRequest *request,
                          Format       format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) params = params_from_query (request, &error);

  if (params == NULL || !check_jurisdiction (params, &error))
    {
      send_error (request, format, error);
      return FALSE;
    }

  return TRUE;
}

static void
handle_services (IocdServer  *self,
                 IocdRequest *request,
                 Format       format)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GList) codes = g_list_sort (g_hash_table_get_keys (self->categories), (GCompareFunc) strcmp);
  GHashTable *keywords = category_keywords (self);

  if (!check_query_jurisdiction (request, format))
    return;

  json_builder_begin_array (b);
  for (GList *l = codes; l != NULL; l = l->next)
    {
      IocCategory *category = g_hash_table_lookup (self->categories, l->data);
      g_autoptr(JsonArray) attributes = category_attributes (category);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "service_code");
      json_builder_add_string_value (b, category->code);
      json_builder_set_member_name (b, "service_name");
      json_builder_add_string_value (b, category->name_vi);
      ioc_json_add_string_or_null (b, "description", category->name_en);
      json_builder_set_member_name (b, "metadata");
      json_builder_add_boolean_value (b, attributes != NULL);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "realtime");
      ioc_json_add_string_or_null (b, "keywords", g_hash_table_lookup (keywords, category->code));
      ioc_json_add_string_or_null (b, "group", department_name (self, category->department));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  node = json_builder_get_root (b);
  send_node (request, 200, format, "services", node);
}

static void
handle_service_definition (IocdServer  *self,
                           IocdRequest *request,
                           Format       format,
                           const char  *code)
{
  IocCategory *category = g_hash_table_lookup (self->categories, code);
  g_autoptr(JsonArray) attributes = category ? category_attributes (category) : NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!check_query_jurisdiction (request, format))
    return;

  /* Definitions exist only for services listed with metadata true. */
  if (attributes == NULL)
    {
      send_new_error (request, format, IOC_ERROR_NOT_FOUND,
                      category ? "service_code: this service has no definition (metadata is false)"
                               : "service_code: no such service");
      return;
    }

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "service_code");
  json_builder_add_string_value (b, category->code);
  json_builder_set_member_name (b, "attributes");
  json_builder_add_value (b, json_node_init_array (json_node_alloc (), attributes));
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  send_node (request, 200, format, "service_definition", node);
}

/* Service requests */

static gboolean
state_is_closed (IocTaskState state)
{
  return state == IOC_TASK_STATE_RESOLVED || state == IOC_TASK_STATE_CLOSED ||
         state == IOC_TASK_STATE_REJECTED || state == IOC_TASK_STATE_DUPLICATE;
}

static char *
service_notice (IocdServer *self,
                IocCategory *category)
{
  const char *department = category ? department_name (self, category->department) : NULL;

  if (category == NULL)
    return NULL;

  return g_strdup_printf ("Trung tâm Giám sát, điều hành đô thị thông minh sẽ xác minh phản ánh và chuyển đến %s; "
                          "thời hạn xử lý %" G_GINT64_FORMAT " giờ.",
                          department ? department : "cơ quan chuyên môn", category->sla_hours);
}

/* What the department reported, why the IOC rejected it, or which report it repeats. */
static char *
status_notes (IocdServer *self,
              IocTask    *task)
{
  switch (task->state)
    {
    case IOC_TASK_STATE_RESOLVED:
    case IOC_TASK_STATE_CLOSED:
      return g_strdup (task->result);

    case IOC_TASK_STATE_DUPLICATE:
      return task->duplicate_of ? g_strdup_printf ("Trùng với phản ánh #%" G_GINT64_FORMAT, task->duplicate_of)
                                : NULL;

    case IOC_TASK_STATE_REJECTED:
      {
        g_autoptr(IocTask) full = task->timeline ? ioc_task_ref (task)
                                                 : iocd_store_get_task (self->store, task->id, TRUE, NULL);

        if (full == NULL || full->timeline == NULL)
          return NULL;
        for (guint i = full->timeline->len; i > 0; i--)
          {
            IocTimelineEntry *entry = g_ptr_array_index (full->timeline, i - 1);

            if (entry->action == IOC_ACTION_REJECT)
              return g_strdup (entry->note);
          }
        return NULL;
      }

    case IOC_TASK_STATE_RECEIVED:
    case IOC_TASK_STATE_VERIFIED:
    case IOC_TASK_STATE_FORWARDED:
    case IOC_TASK_STATE_ACKNOWLEDGED:
    case IOC_TASK_STATE_IN_PROGRESS:
    case IOC_TASK_STATE_RETURNED:
    case IOC_N_TASK_STATES:
    case IOC_TASK_STATE_INVALID:
    default:
      return NULL;
    }
}

static void
add_time_or_null (JsonBuilder *b,
                  const char  *name,
                  gint64       usec)
{
  if (usec != 0)
    ioc_json_add_time (b, name, usec);
  else
    {
      json_builder_set_member_name (b, name);
      json_builder_add_null_value (b);
    }
}

/* The public view of a task: never the reporter's name, phone or e-mail. */
static void
add_request (IocdServer  *self,
             JsonBuilder *b,
             IocTask     *task)
{
  IocCategory *category = g_hash_table_lookup (self->categories, task->category);
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, task->id);
  g_autofree char *notes = status_notes (self, task);
  g_autofree char *notice = service_notice (self, category);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "service_request_id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, state_is_closed (task->state) ? "closed" : "open");
  ioc_json_add_string_or_null (b, "status_notes", notes);
  ioc_json_add_string_or_null (b, "service_name", category ? category->name_vi : NULL);
  json_builder_set_member_name (b, "service_code");
  json_builder_add_string_value (b, task->category);
  ioc_json_add_string_or_null (b, "description", task->description);
  ioc_json_add_string_or_null (b, "agency_responsible", department_name (self, task->department));
  ioc_json_add_string_or_null (b, "service_notice", notice);
  add_time_or_null (b, "requested_datetime", task->created_at);
  add_time_or_null (b, "updated_datetime", task->updated_at);
  add_time_or_null (b, "expected_datetime", task->due_at);
  ioc_json_add_string_or_null (b, "address", task->address);
  json_builder_set_member_name (b, "lat");
  if (task->has_location)
    json_builder_add_double_value (b, task->lat);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "long");
  if (task->has_location)
    json_builder_add_double_value (b, task->lon);
  else
    json_builder_add_null_value (b);
  ioc_json_add_string_or_null (b, "media_url", task->media && task->media[0] ? task->media[0] : NULL);
  json_builder_end_object (b);
}

static void
send_requests (IocdServer  *self,
               IocdRequest *request,
               Format       format,
               GPtrArray   *tasks)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < tasks->len; i++)
    add_request (self, b, g_ptr_array_index (tasks, i));
  json_builder_end_array (b);

  node = json_builder_get_root (b);
  send_node (request, 200, format, "service_requests", node);
}

static IocTask *
get_public_task (IocdServer  *self,
                 gint64       id,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(IocTask) task = iocd_store_get_task (self->store, id, FALSE, &local_error);

  if (task == NULL && !g_error_matches (local_error, IOC_ERROR, IOC_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (task == NULL || task->source != IOC_SOURCE_CITIZEN_APP)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_NOT_FOUND, "service_request_id: no request %" G_GINT64_FORMAT, id);
      return NULL;
    }

  return g_steal_pointer (&task);
}

static void
handle_request (IocdServer  *self,
                IocdRequest *request,
                Format       format,
                const char  *id_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) params = params_from_query (request, &error);
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_task_unref);
  IocTask *task;
  gint64 id;

  if (params == NULL || !check_jurisdiction (params, &error))
    {
      send_error (request, format, error);
      return;
    }

  if (!parse_id (id_text, &id))
    {
      send_new_error (request, format, IOC_ERROR_NOT_FOUND, "service_request_id: no such request");
      return;
    }

  task = get_public_task (self, id, &error);
  if (task == NULL)
    {
      send_error (request, format, error);
      return;
    }

  g_ptr_array_add (tasks, task);
  send_requests (self, request, format, tasks);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const IocTask *ta = *(IocTask * const *) a;
  const IocTask *tb = *(IocTask * const *) b;

  if (ta->created_at != tb->created_at)
    return ta->created_at > tb->created_at ? -1 : 1;
  return ta->id > tb->id ? -1 : ta->id < tb->id;
}

static gboolean
parse_date (Params      *params,
            const char  *name,
            gint64      *out,
            GError     **error)
{
  const char *text = param (params, name);

  if (text == NULL || *text == '\0')
    return TRUE;

  if (!ioc_time_parse (text, out))
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID,
                   "%s: must be an ISO 8601 date and time with an offset, e.g. 2026-11-28T21:30:00+07:00", name);
      return FALSE;
    }

  return TRUE;
}

static void
handle_list_requests (IocdServer  *self,
                      IocdRequest *request,
                      Format       format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) params = params_from_query (request, &error);
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_task_unref);
  const gint64 range_max = (gint64) RANGE_MAX_DAYS * 24 * 3600 * G_USEC_PER_SEC;
  const char *ids;
  const char *service_code;
  const char *status;
  gint64 start = 0, end = 0;
  IocdTaskQuery query = { 0 };
  g_autofree char *cursor = NULL;

  if (params == NULL || !check_jurisdiction (params, &error))
    goto fail;

  /* A list of ids overrides every other filter (the spec). */
  ids = param (params, "service_request_id");
  if (ids != NULL && *ids != '\0')
    {
      g_auto(GStrv) parts = g_strsplit (ids, ",", -1);

      if (g_strv_length (parts) > REQUESTS_MAX)
        {
          g_set_error (&error, IOC_ERROR, IOC_ERROR_INVALID,
                       "service_request_id: at most %d ids", REQUESTS_MAX);
          goto fail;
        }
      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autoptr(GError) local_error = NULL;
          IocTask *task;
          gint64 id;

          if (!parse_id (g_strstrip (parts[i]), &id))
            {
              g_set_error (&error, IOC_ERROR, IOC_ERROR_INVALID,
                           "service_request_id: must be a comma-separated list of ids");
              goto fail;
            }
          task = get_public_task (self, id, &local_error);
          if (task != NULL)
            g_ptr_array_add (tasks, task);
          else if (!g_error_matches (local_error, IOC_ERROR, IOC_ERROR_NOT_FOUND))
            {
              error = g_steal_pointer (&local_error);
              goto fail;
            }
        }
      send_requests (self, request, format, tasks);
      return;
    }

  query.source = IOC_SOURCE_CITIZEN_APP;
  query.now = request->now;
  query.order = IOCD_TASK_ORDER_ID;
  query.limit = REQUESTS_MAX;

  service_code = param (params, "service_code");
  if (service_code != NULL && *service_code != '\0')
    {
      if (!g_hash_table_contains (self->categories, service_code))
        {
          g_set_error (&error, IOC_ERROR, IOC_ERROR_INVALID, "service_code: no such service");
          goto fail;
        }
      query.category = service_code;
    }

  status = param (params, "status");
  if (status != NULL && *status != '\0')
    {
      g_auto(GStrv) parts = g_strsplit (status, ",", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          gboolean closed;

          if (g_str_equal (g_strstrip (parts[i]), "closed"))
            closed = TRUE;
          else if (g_str_equal (parts[i], "open"))
            closed = FALSE;
          else
            {
              g_set_error (&error, IOC_ERROR, IOC_ERROR_INVALID, "status: must be open, closed or both");
              goto fail;
            }
          for (guint s = 0; s < IOC_N_TASK_STATES; s++)
            if (state_is_closed (s) == closed)
              query.states |= 1u << s;
        }
    }

  if (!parse_date (params, "start_date", &start, &error) || !parse_date (params, "end_date", &end, &error))
    goto fail;
  if (start == 0 && end == 0)
    {
      end = request->now;
      start = end - range_max;
    }
  else if (start == 0)
    start = end - range_max;
  else if (end == 0)
    end = MIN (start + range_max, MAX (request->now, start));
  if (end < start)
    {
      g_set_error_literal (&error, IOC_ERROR, IOC_ERROR_INVALID, "end_date: is before start_date");
      goto fail;
    }
  if (end - start > range_max)
    {
      g_set_error (&error, IOC_ERROR, IOC_ERROR_INVALID,
                   "start_date, end_date: the range may span at most %d days", RANGE_MAX_DAYS);
      goto fail;
    }

  /* A request created in the range was updated since its start: that bound
   * keeps the scan to the window; creation is then checked here. */
  query.updated_since = start;
  for (;;)
    {
      g_autofree char *next = NULL;
      g_autoptr(GPtrArray) page = NULL;

      query.cursor = cursor;
      page = iocd_store_list_tasks (self->store, &query, &next, &error);
      if (page == NULL)
        goto fail;

      for (guint i = 0; i < page->len; i++)
        {
          IocTask *task = g_ptr_array_index (page, i);

          if (task->created_at >= start && task->created_at <= end)
            g_ptr_array_add (tasks, ioc_task_ref (task));
        }

      if (next == NULL || page->len == 0)
        break;
      g_free (cursor);
      cursor = g_steal_pointer (&next);
    }

  g_ptr_array_sort (tasks, compare_newest_first);
  if (tasks->len > REQUESTS_MAX)
    g_ptr_array_set_size (tasks, REQUESTS_MAX);

  send_requests (self, request, format, tasks);
  return;

fail:
  send_error (request, format, error);
}

static gboolean
is_attribute_param (const char  *name,
                    char       **code)
{
  const char *open = name + strlen ("attribute[");
  const char *close;

  if (!g_str_has_prefix (name, "attribute["))
    return FALSE;

  close = strchr (open, ']');
  if (close == NULL || close == open || (close[1] != '\0' && !g_str_equal (close + 1, "[]")))
    return FALSE;

  *code = g_strndup (open, close - open);
  return TRUE;
}

static gboolean
value_in_list (JsonObject *attribute,
               const char *value)
{
  JsonArray *values = json_object_get_array_member (attribute, "values");

  for (guint i = 0; values != NULL && i < json_array_get_length (values); i++)
    {
      JsonObject *v = json_array_get_object_element (values, i);

      if (v != NULL && g_strcmp0 (json_object_get_string_member_with_default (v, "key", NULL), value) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Checks attribute[code]=value against the service definition and returns
 * the JSON object text stored with the task, or NULL when there are none. */
static gboolean
read_attributes (IocCategory  *category,
                 Params       *params,
                 char        **out,
                 GError      **error)
{
  g_autoptr(JsonArray) definition = category_attributes (category);
  g_autoptr(GHashTable) given = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint n = 0;

  /* Every attribute[…] sent must exist in the definition. */
  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *code = NULL;
      gboolean found = FALSE;

      if (!is_attribute_param (key, &code))
        continue;

      for (guint i = 0; definition != NULL && i < json_array_get_length (definition); i++)
        {
          JsonObject *attribute = json_array_get_object_element (definition, i);

          if (g_strcmp0 (json_object_get_string_member_with_default (attribute, "code", NULL), code) == 0)
            found = TRUE;
        }
      if (!found)
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "attribute[%s]: this service has no such attribute",
                       code);
          return FALSE;
        }
      if (g_hash_table_contains (given, code))
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "attribute[%s]: given twice", code);
          return FALSE;
        }
      g_hash_table_insert (given, g_steal_pointer (&code), value);
    }

  json_builder_begin_object (b);
  for (guint i = 0; definition != NULL && i < json_array_get_length (definition); i++)
    {
      JsonObject *attribute = json_array_get_object_element (definition, i);
      const char *code = json_object_get_string_member_with_default (attribute, "code", "");
      const char *datatype = json_object_get_string_member_with_default (attribute, "datatype", "string");
      gboolean required = json_object_get_boolean_member_with_default (attribute, "required", FALSE);
      GPtrArray *values = g_hash_table_lookup (given, code);
      g_autofree char *field = g_strdup_printf ("attribute[%s]", code);
      gboolean multi = g_str_equal (datatype, "multivaluelist");

      if (values == NULL || values->len == 0 ||
          (values->len == 1 && *(const char *) g_ptr_array_index (values, 0) == '\0'))
        {
          if (required)
            {
              g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s: required", field);
              return FALSE;
            }
          continue;
        }

      if (values->len > 1 && !multi)
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s: takes one value", field);
          return FALSE;
        }

      for (guint v = 0; v < values->len; v++)
        {
          const char *text = g_ptr_array_index (values, v);
          double number;
          gint64 when;

          if (!check_text (field, text, ATTRIBUTE_VALUE_MAX, error))
            return FALSE;
          if ((g_str_equal (datatype, "singlevaluelist") || multi) && !value_in_list (attribute, text))
            {
              g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s: “%s” is not one of the listed keys", field, text);
              return FALSE;
            }
          if (g_str_equal (datatype, "number") && !parse_double (text, -G_MAXDOUBLE, G_MAXDOUBLE, &number))
            {
              g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s: must be a number", field);
              return FALSE;
            }
          if (g_str_equal (datatype, "datetime") && !ioc_time_parse (text, &when))
            {
              g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID,
                           "%s: must be an ISO 8601 date and time with an offset", field);
              return FALSE;
            }
        }

      /* Stored as sent (strings), so that what the citizen chose reads back unchanged. */
      json_builder_set_member_name (b, code);
      if (multi)
        {
          json_builder_begin_array (b);
          for (guint v = 0; v < values->len; v++)
            json_builder_add_string_value (b, g_ptr_array_index (values, v));
          json_builder_end_array (b);
        }
      else
        json_builder_add_string_value (b, g_ptr_array_index (values, 0));
      n++;
    }
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  *out = n > 0 ? json_to_string (node, FALSE) : NULL;
  return TRUE;
}

/* The queue shows a title: the first line of what the citizen wrote, or the service's name. */
static char *
make_title (IocCategory *category,
            const char  *description)
{
  g_autofree char *line = NULL;
  const char *end;

  if (description == NULL)
    return g_strdup (category->name_vi);

  end = description + strcspn (description, "\r\n");
  line = g_strstrip (g_strndup (description, end - description));
  if (*line == '\0')
    return g_strdup (category->name_vi);

  if (g_utf8_strlen (line, -1) > TITLE_MAX_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (line, 0, TITLE_MAX_CHARS - 1);

      return g_strconcat (cut, "…", NULL);
    }

  return g_steal_pointer (&line);
}

static gboolean
has_text (const char *text)
{
  for (const char *p = text; p != NULL && *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static IocTask *
task_from_form (IocdServer   *self,
                IocdRequest  *request,
                Params       *params,
                GError      **error)
{
  g_autoptr(IocTask) task = ioc_task_new ();
  const char *service_code = param (params, "service_code");
  const char *lat = param (params, "lat");
  const char *lon = param (params, "long");
  const char *address = param (params, "address_string");
  const char *description = param (params, "description");
  const char *media_url = param (params, "media_url");
  const char *first_name = param (params, "first_name");
  const char *last_name = param (params, "last_name");
  const char *phone = param (params, "phone");
  const char *email = param (params, "email");
  g_autofree char *name = NULL;
  IocCategory *category;

  if (service_code == NULL || *service_code == '\0')
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "service_code: required");
      return NULL;
    }
  category = g_hash_table_lookup (self->categories, service_code);
  if (category == NULL)
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_NOT_FOUND, "service_code: no such service");
      return NULL;
    }

  if ((lat != NULL && *lat != '\0') || (lon != NULL && *lon != '\0'))
    {
      if (!parse_double (lat, -90.0, 90.0, &task->lat))
        {
          g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "lat: must be a number between -90 and 90");
          return NULL;
        }
      if (!parse_double (lon, -180.0, 180.0, &task->lon))
        {
          g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "long: must be a number between -180 and 180");
          return NULL;
        }
      task->has_location = TRUE;
    }

  if (!check_text ("address_string", address, IOC_TASK_ADDRESS_MAX, error) ||
      !check_text ("description", description, IOC_TASK_DESCRIPTION_MAX, error) ||
      !check_text ("first_name", first_name, REPORTER_NAME_MAX, error) ||
      !check_text ("last_name", last_name, REPORTER_NAME_MAX, error) ||
      !check_text ("phone", phone, PHONE_MAX, error) ||
      !check_text ("email", email, EMAIL_MAX, error) ||
      !check_text ("media_url", media_url, MEDIA_URL_MAX, error))
    return NULL;

  if (!task->has_location && !has_text (address))
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "lat and long, or address_string: required");
      return NULL;
    }

  if (media_url != NULL && *media_url != '\0' &&
      !g_str_has_prefix (media_url, "https://") && !g_str_has_prefix (media_url, "http://"))
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "media_url: must be an http or https URL");
      return NULL;
    }

  if (!read_attributes (category, params, &task->attributes, error))
    return NULL;

  /* A Vietnamese name reads family name first: "Nguyễn Văn" + "An". */
  if (has_text (last_name) && has_text (first_name))
    name = g_strdup_printf ("%s %s", last_name, first_name);
  else if (has_text (last_name) || has_text (first_name))
    name = g_strdup (has_text (last_name) ? last_name : first_name);
  if (name != NULL && g_utf8_strlen (name, -1) > REPORTER_NAME_MAX)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "first_name, last_name: longer than %d characters together",
                   REPORTER_NAME_MAX);
      return NULL;
    }

  task->source = IOC_SOURCE_CITIZEN_APP;
  task->state = IOC_TASK_STATE_RECEIVED;
  task->category = g_strdup (category->code);
  task->priority = category->priority;
  task->title = make_title (category, description);
  task->description = has_text (description) ? g_strdup (description) : NULL;
  task->address = has_text (address) ? g_strdup (address) : NULL;
  task->reporter_name = g_steal_pointer (&name);
  task->reporter_phone = has_text (phone) ? g_strdup (phone) : NULL;
  task->reporter_email = has_text (email) ? g_strdup (email) : NULL;
  if (media_url != NULL && *media_url != '\0')
    {
      const char *media[] = { media_url, NULL };

      task->media = g_strdupv ((GStrv) media);
    }
  task->version = 1;
  task->created_at = request->now;
  task->updated_at = request->now;

  return g_steal_pointer (&task);
}

static void
handle_post_request (IocdServer  *self,
                     IocdRequest *request,
                     Format       format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(IocdApiKey) key = NULL;
  g_autoptr(IocTask) task = NULL;
  g_autoptr(IocTimelineEntry) entry = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *id = NULL;
  g_autofree char *notice = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (request->msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  const char *api_key;
  IocdChange change = { 0 };

  if (content_type != NULL && g_ascii_strcasecmp (content_type, "application/x-www-form-urlencoded") != 0)
    {
      send_new_error (request, format, IOC_ERROR_INVALID,
                      "send the request as application/x-www-form-urlencoded");
      return;
    }

  params = params_from_body (request, &error);
  query = params ? params_from_query (request, &error) : NULL;
  if (query == NULL || !check_jurisdiction (params, &error) || !check_jurisdiction (query, &error))
    goto fail;

  /* The spec puts api_key in the body; a client that sends it in the URL is served too. */
  api_key = param (params, "api_key");
  if (api_key == NULL)
    api_key = param (query, "api_key");
  key = iocd_apikey_store_authorize (IOCD_APIKEY_STORE (self->store), api_key, IOCD_APIKEY_SCOPE_OPEN311, &error);
  if (key == NULL)
    goto fail;

  task = task_from_form (self, request, params, &error);
  if (task == NULL)
    goto fail;
  task->client = g_strdup (key->name);

  entry = ioc_timeline_entry_new ();
  entry->at = request->now;
  entry->actor_id = 0;
  entry->actor_name = g_strdup (key->name);
  entry->actor_role = IOC_ROLE_INVALID;
  entry->action = IOC_ACTION_INTAKE;
  entry->from_state = IOC_TASK_STATE_INVALID;
  entry->to_state = IOC_TASK_STATE_RECEIVED;

  change.task = task;
  change.entry = entry;
  change.event_kind = IOC_EVENT_TASK_CREATED;
  change.response_status = 200;

  /* Its event follows those of the task changes already checked. */
  iocd_server_settle_writes (self);
  if (!iocd_store_commit_change (self->store, &change, &error))
    {
      iocd_change_clear (&change);
      goto fail;
    }
  iocd_server_publish (self, change.event, change.departments);
  iocd_change_clear (&change);

  g_message ("Open311 request %" G_GINT64_FORMAT " (%s) from %s", task->id, task->category, key->name);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, task->id);
  notice = service_notice (self, g_hash_table_lookup (self->categories, task->category));

  b = json_builder_new_immutable ();
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "service_request_id");
  json_builder_add_string_value (b, id);
  ioc_json_add_string_or_null (b, "service_notice", notice);
  json_builder_set_member_name (b, "account_id");
  json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  node = json_builder_get_root (b);

  send_node (request, 200, format, "service_requests", node);
  return;

fail:
  send_error (request, format, error);
}

/* Routing */

static void
send_method_not_allowed (IocdRequest *request,
                         Format       format,
                         const char  *allow)
{
  g_autofree char *message = g_strdup_printf ("%s is not allowed here; use %s", request->method, allow);

  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg), "Allow", allow);
  send_new_error (request, format, IOC_ERROR_METHOD, message);
}

void
iocd_server_handle_open311 (IocdServer  *self,
                            IocdRequest *request,
                            const char  *rest)
{
  const char *dot = strrchr (rest, '.');
  const char *slash;
  g_autofree char *resource = NULL;
  Format format;

  if (dot == NULL || (!g_str_equal (dot + 1, "json") && !g_str_equal (dot + 1, "xml")))
    {
      /* Without a known format, answer in XML: the one every GeoReport client reads. */
      send_new_error (request, FORMAT_XML, IOC_ERROR_NOT_FOUND,
                      "no such resource; end the path with .xml or .json");
      return;
    }
  format = g_str_equal (dot + 1, "xml") ? FORMAT_XML : FORMAT_JSON;
  resource = g_strndup (rest, dot - rest);
  slash = strchr (resource, '/');

  if (g_str_equal (resource, "services"))
    {
      if (!g_str_equal (request->method, "GET"))
        send_method_not_allowed (request, format, "GET");
      else
        handle_services (self, request, format);
    }
  else if (g_str_has_prefix (resource, "services/") && slash != NULL && strchr (slash + 1, '/') == NULL)
    {
      if (!g_str_equal (request->method, "GET"))
        send_method_not_allowed (request, format, "GET");
      else
        handle_service_definition (self, request, format, slash + 1);
    }
  else if (g_str_equal (resource, "requests"))
    {
      if (g_str_equal (request->method, "GET"))
        handle_list_requests (self, request, format);
      else if (g_str_equal (request->method, "POST"))
        handle_post_request (self, request, format);
      else
        send_method_not_allowed (request, format, "GET, POST");
    }
  else if (g_str_has_prefix (resource, "requests/") && slash != NULL && strchr (slash + 1, '/') == NULL)
    {
      if (!g_str_equal (request->method, "GET"))
        send_method_not_allowed (request, format, "GET");
      else
        handle_request (self, request, format, slash + 1);
    }
  else
    send_new_error (request, format, IOC_ERROR_NOT_FOUND, "no such resource");
}
