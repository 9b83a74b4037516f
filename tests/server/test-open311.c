/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <string.h>

#include "iocd-test-utils.h"

/* Open311 GeoReport v2 against the specification (wiki.open311.org/GeoReport_v2):
 * field names, status values, both formats, the error list and privacy. */

static IocdTestServer *server;
static SoupSession *session;
static char *api_key;           /* of the client "ung-dung-cong-dan", scope open311 */

#define CLIENT_NAME "ung-dung-cong-dan"
#define ARRIVE_MS 15000

/* The reporter of every POST here: none of it may come back from Open311. */
#define REPORTER_FIRST "Xuân Quỳnh"
#define REPORTER_LAST "Tôn Nữ Bảo"
#define REPORTER_PHONE "0907123456"
#define REPORTER_EMAIL "binh.tran@example.vn"

static const char *
token_of (const char *username)
{
  return iocd_test_token (server, session, username);
}

/* The command line */

static int
run_apikey (char **out,
            ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) iocd_test_server_get_binary ());
  g_ptr_array_add (argv, (char *) "--state-dir");
  g_ptr_array_add (argv, server->state_dir);
  g_ptr_array_add (argv, (char *) "apikey");
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  if (process == NULL)
    return -1;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  g_test_message ("iocd apikey: %s%s", stdout_text ? stdout_text : "", stderr_text ? stderr_text : "");

  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);

  if (!g_subprocess_get_if_exited (process))
    return -1;
  return g_subprocess_get_exit_status (process);
}

/* Adds a key and returns it as printed (once) by iocd. */
static char *
add_key (const char *name,
         const char *scope)
{
  g_autofree char *out = NULL;
  const char *line;
  int status;

  if (scope != NULL)
    status = run_apikey (&out, "add", name, "--scope", scope, NULL);
  else
    status = run_apikey (&out, "add", name, NULL);
  g_assert_cmpint (status, ==, 0);

  line = out ? strstr (out, "Key: ") : NULL;
  g_assert_nonnull (line);
  if (line == NULL)
    return g_strdup ("");

  return g_strstrip (g_strndup (line + 5, strcspn (line + 5, "\n")));
}

/* Forms and requests */

/* "name", "value", …, NULL as application/x-www-form-urlencoded. */
static char *
form_valist (const char *first,
             va_list     args)
{
  GString *s = g_string_new (NULL);

  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);
      g_autofree char *n = g_uri_escape_string (name, NULL, FALSE);
      g_autofree char *v = g_uri_escape_string (value, NULL, FALSE);

      g_string_append_printf (s, "%s%s=%s", s->len ? "&" : "", n, v);
    }

  return g_string_free (s, FALSE);
}

static IocdTestResponse *
post_form (const char *path,
           const char *first,
           ...)
{
  g_autofree char *body = NULL;
  g_autoptr(GBytes) bytes = NULL;
  va_list args;

  va_start (args, first);
  body = form_valist (first, args);
  va_end (args);
  bytes = g_bytes_new (body, strlen (body));

  return iocd_test_request_bytes (server, session, "POST", path, NULL, bytes,
                                  "application/x-www-form-urlencoded");
}

static IocdTestResponse *
get (const char *path)
{
  return iocd_test_request (server, session, "GET", path, NULL, NULL, NULL);
}

/* A valid tree report with the reporter's contact; extra form fields after @format. */
static gint64
post_tree (const char *format,
           const char *description)
{
  g_autofree char *path = g_strdup_printf ("/open311/v2/requests.%s", format);
  g_autoptr(IocdTestResponse) r = post_form (path,
                                             "api_key", api_key,
                                             "service_code", "TREE",
                                             "lat", "10.0341",
                                             "long", "105.7852",
                                             "address_string", "Đường Hòa Bình, phường Ninh Kiều",
                                             "description", description,
                                             "attribute[blocking]", "road",
                                             "first_name", REPORTER_FIRST,
                                             "last_name", REPORTER_LAST,
                                             "phone", REPORTER_PHONE,
                                             "email", REPORTER_EMAIL,
                                             NULL);
  const char *id;

  if (!iocd_test_assert_status (r, 200, "POST requests"))
    return 0;

  if (g_str_equal (format, "json"))
    id = iocd_test_json_string (r->body, "0.service_request_id");
  else
    {
      const char *start = r->text ? strstr (r->text, "<service_request_id>") : NULL;

      id = start ? start + strlen ("<service_request_id>") : NULL;
    }
  g_assert_nonnull (id);

  return id ? g_ascii_strtoll (id, NULL, 10) : 0;
}

/* A minimal XML tree from GMarkup: element names, text and children. */

typedef struct _XNode XNode;
struct _XNode {
  char      *name;
  GString   *text;
  GPtrArray *children;
  XNode     *parent;
};

static void
xnode_free (XNode *node)
{
  g_free (node->name);
  g_string_free (node->text, TRUE);
  g_ptr_array_unref (node->children);
  g_free (node);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XNode, xnode_free)

static XNode *
xnode_new (const char *name,
           XNode      *parent)
{
  XNode *node = g_new0 (XNode, 1);

  node->name = g_strdup (name);
  node->text = g_string_new (NULL);
  node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) xnode_free);
  node->parent = parent;
  if (parent != NULL)
    g_ptr_array_add (parent->children, node);
  return node;
}

typedef struct {
  XNode *root;
  XNode *current;
} XParse;

static void
x_start (GMarkupParseContext  *context,
         const char           *name,
         const char          **attribute_names,
         const char          **attribute_values,
         gpointer              data,
         GError              **error)
{
  XParse *p = data;
  XNode *node = xnode_new (name, p->current);

  if (p->root == NULL)
    p->root = node;
  p->current = node;
}

static void
x_end (GMarkupParseContext  *context,
       const char           *name,
       gpointer              data,
       GError              **error)
{
  XParse *p = data;

  p->current = p->current->parent;
}

static void
x_text (GMarkupParseContext  *context,
        const char           *text,
        gsize                 len,
        gpointer              data,
        GError              **error)
{
  XParse *p = data;

  if (p->current != NULL)
    g_string_append_len (p->current->text, text, len);
}

/* Parses an answer that must be a UTF-8 XML document with a declaration. */
static XNode *
xml_parse (IocdTestResponse *r)
{
  static const GMarkupParser parser = { x_start, x_end, x_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  XParse p = { NULL, NULL };
  const char *type = r->headers ? soup_message_headers_get_content_type (r->headers, NULL) : NULL;

  g_assert_cmpstr (type, ==, "text/xml");
  g_assert_nonnull (r->text);
  if (r->text == NULL)
    return NULL;
  g_assert_true (g_str_has_prefix (r->text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));

  context = g_markup_parse_context_new (&parser, 0, &p, NULL);
  if (!g_markup_parse_context_parse (context, r->text, -1, &error) ||
      !g_markup_parse_context_end_parse (context, &error))
    {
      g_test_fail_printf ("not XML: %s: %s", error->message, r->text);
      if (p.root != NULL)
        xnode_free (p.root);
      return NULL;
    }

  return p.root;
}

static XNode *
xml_child (XNode      *node,
           const char *name)
{
  for (guint i = 0; node != NULL && i < node->children->len; i++)
    {
      XNode *child = g_ptr_array_index (node->children, i);

      if (g_str_equal (child->name, name))
        return child;
    }

  return NULL;
}

static const char *
xml_text (XNode      *node,
          const char *name)
{
  XNode *child = xml_child (node, name);

  return child ? child->text->str : NULL;
}

/* Checks that the answer is the spec's error list with @status, in @format. */
static void
check_open311_error (IocdTestResponse *r,
                     guint             status,
                     const char       *format,
                     const char       *what)
{
  if (!iocd_test_check_status (r, status, what))
    return;

  if (g_str_equal (format, "json"))
    {
      JsonNode *item = iocd_test_json_get (r->body, "0");

      if (r->body == NULL || !JSON_NODE_HOLDS_ARRAY (r->body) || item == NULL ||
          iocd_test_json_int (r->body, "0.code") != (gint64) status ||
          iocd_test_json_string (r->body, "0.description") == NULL ||
          json_object_get_size (json_node_get_object (item)) != 2)
        iocd_test_fail ("%s: not [{code, description}]: %s", what, r->text);
    }
  else
    {
      g_autoptr(XNode) root = xml_parse (r);
      XNode *error = xml_child (root, "error");
      g_autofree char *code = g_strdup_printf ("%u", status);

      if (root == NULL || !g_str_equal (root->name, "errors") || error == NULL ||
          g_strcmp0 (xml_text (error, "code"), code) != 0 || xml_text (error, "description") == NULL)
        iocd_test_fail ("%s: not <errors><error><code/><description/></error></errors>: %s", what, r->text);
    }
}

/* No reporter contact in any Open311 answer. */
static void
check_private (IocdTestResponse *r,
               const char       *what)
{
  if (r->text == NULL)
    return;

  static const char * const secrets[] = {
    REPORTER_FIRST, REPORTER_LAST, REPORTER_PHONE, REPORTER_EMAIL, "reporter", "attributes", CLIENT_NAME, NULL
  };

  for (guint i = 0; secrets[i] != NULL; i++)
    if (strstr (r->text, secrets[i]) != NULL)
      iocd_test_fail ("%s: shows “%s”", what, secrets[i]);
}

/* Services */

static void
test_services_json (void)
{
  g_autoptr(IocdTestResponse) r = get ("/open311/v2/services.json");
  gboolean saw_tree = FALSE, saw_other = FALSE;
  JsonArray *array;

  if (!iocd_test_assert_status (r, 200, "services.json"))
    return;
  g_assert_true (r->body != NULL && JSON_NODE_HOLDS_ARRAY (r->body));
  if (r->body == NULL || !JSON_NODE_HOLDS_ARRAY (r->body))
    return;

  array = json_node_get_array (r->body);
  g_assert_cmpuint (json_array_get_length (array), >=, 10);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *s = json_array_get_object_element (array, i);
      const char *code = json_object_get_string_member_with_default (s, "service_code", NULL);

      g_assert_nonnull (code);
      g_assert_nonnull (json_object_get_string_member_with_default (s, "service_name", NULL));
      g_assert_cmpstr (json_object_get_string_member_with_default (s, "type", NULL), ==, "realtime");
      g_assert_true (json_object_has_member (s, "metadata"));
      g_assert_true (json_object_has_member (s, "description"));
      g_assert_true (json_object_has_member (s, "keywords"));
      g_assert_nonnull (json_object_get_string_member_with_default (s, "group", NULL));

      if (g_strcmp0 (code, "TREE") == 0)
        {
          saw_tree = TRUE;
          g_assert_cmpstr (json_object_get_string_member (s, "service_name"), ==, "Cây xanh ngã đổ, nguy hiểm");
          g_assert_true (json_object_get_boolean_member (s, "metadata"));
          g_assert_cmpstr (json_object_get_string_member (s, "group"), ==, "Sở Xây dựng");
          g_assert_nonnull (strstr (json_object_get_string_member (s, "keywords"), "cây đổ"));
        }
      if (g_strcmp0 (code, "OTHER") == 0)
        {
          saw_other = TRUE;
          g_assert_false (json_object_get_boolean_member (s, "metadata"));
        }
    }
  g_assert_true (saw_tree);
  g_assert_true (saw_other);
}

static void
test_services_xml (void)
{
  g_autoptr(IocdTestResponse) r = get ("/open311/v2/services.xml");
  g_autoptr(XNode) root = NULL;
  guint n_tree = 0;

  if (!iocd_test_assert_status (r, 200, "services.xml"))
    return;
  root = xml_parse (r);
  g_assert_nonnull (root);
  if (root == NULL)
    return;

  g_assert_cmpstr (root->name, ==, "services");
  g_assert_cmpuint (root->children->len, >=, 10);
  for (guint i = 0; i < root->children->len; i++)
    {
      XNode *s = g_ptr_array_index (root->children, i);
      static const char * const fields[] = {
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group", NULL
      };

      g_assert_cmpstr (s->name, ==, "service");
      for (guint f = 0; fields[f] != NULL; f++)
        if (xml_child (s, fields[f]) == NULL)
          iocd_test_fail ("services.xml: a service without <%s>", fields[f]);
      g_assert_cmpstr (xml_text (s, "type"), ==, "realtime");
      g_assert_true (g_strcmp0 (xml_text (s, "metadata"), "true") == 0 ||
                     g_strcmp0 (xml_text (s, "metadata"), "false") == 0);
      if (g_strcmp0 (xml_text (s, "service_code"), "TREE") == 0)
        {
          n_tree++;
          g_assert_cmpstr (xml_text (s, "service_name"), ==, "Cây xanh ngã đổ, nguy hiểm");
          g_assert_cmpstr (xml_text (s, "metadata"), ==, "true");
        }
    }
  g_assert_cmpuint (n_tree, ==, 1);
}

static void
test_definition (void)
{
  g_autoptr(IocdTestResponse) json = get ("/open311/v2/services/TREE.json");
  g_autoptr(IocdTestResponse) xml = get ("/open311/v2/services/TREE.xml");
  g_autoptr(IocdTestResponse) flood = get ("/open311/v2/services/FLOOD.json");
  g_autoptr(IocdTestResponse) plain = get ("/open311/v2/services/OTHER.json");
  g_autoptr(IocdTestResponse) plain_xml = get ("/open311/v2/services/OTHER.xml");
  g_autoptr(IocdTestResponse) unknown = get ("/open311/v2/services/NO_SUCH.json");
  g_autoptr(XNode) root = NULL;
  XNode *attributes, *attribute, *values;

  if (iocd_test_assert_status (json, 200, "services/TREE.json"))
    {
      g_assert_cmpstr (iocd_test_json_string (json->body, "service_code"), ==, "TREE");
      g_assert_true (json_node_get_boolean (iocd_test_json_get (json->body, "attributes.0.variable")));
      g_assert_cmpstr (iocd_test_json_string (json->body, "attributes.0.code"), ==, "blocking");
      g_assert_cmpstr (iocd_test_json_string (json->body, "attributes.0.datatype"), ==, "singlevaluelist");
      g_assert_true (json_node_get_boolean (iocd_test_json_get (json->body, "attributes.0.required")));
      g_assert_nonnull (iocd_test_json_string (json->body, "attributes.0.datatype_description"));
      g_assert_cmpint (iocd_test_json_int (json->body, "attributes.0.order"), ==, 1);
      g_assert_cmpstr (iocd_test_json_string (json->body, "attributes.0.description"), ==,
                       "Cây đổ có cản trở giao thông không?");
      g_assert_cmpstr (iocd_test_json_string (json->body, "attributes.0.values.0.key"), ==, "road");
      g_assert_cmpstr (iocd_test_json_string (json->body, "attributes.0.values.0.name"), ==, "Chắn lòng đường");
    }

  if (iocd_test_assert_status (flood, 200, "services/FLOOD.json"))
    {
      g_assert_cmpstr (iocd_test_json_string (flood->body, "attributes.0.code"), ==, "water_depth_cm");
      g_assert_cmpstr (iocd_test_json_string (flood->body, "attributes.0.datatype"), ==, "number");
    }

  if (iocd_test_assert_status (xml, 200, "services/TREE.xml"))
    {
      root = xml_parse (xml);
      g_assert_cmpstr (root ? root->name : NULL, ==, "service_definition");
      g_assert_cmpstr (xml_text (root, "service_code"), ==, "TREE");
      attributes = xml_child (root, "attributes");
      attribute = xml_child (attributes, "attribute");
      g_assert_nonnull (attribute);
      g_assert_cmpstr (xml_text (attribute, "variable"), ==, "true");
      g_assert_cmpstr (xml_text (attribute, "code"), ==, "blocking");
      g_assert_cmpstr (xml_text (attribute, "datatype"), ==, "singlevaluelist");
      g_assert_cmpstr (xml_text (attribute, "required"), ==, "true");
      g_assert_cmpstr (xml_text (attribute, "order"), ==, "1");
      g_assert_nonnull (xml_child (attribute, "datatype_description"));
      g_assert_cmpstr (xml_text (attribute, "description"), ==, "Cây đổ có cản trở giao thông không?");
      values = xml_child (attribute, "values");
      g_assert_cmpstr (xml_text (xml_child (values, "value"), "key"), ==, "road");
      g_assert_cmpstr (xml_text (xml_child (values, "value"), "name"), ==, "Chắn lòng đường");
    }

  /* Definitions exist only for services listed with metadata true. */
  check_open311_error (plain, 404, "json", "services/OTHER.json");
  check_open311_error (plain_xml, 404, "xml", "services/OTHER.xml");
  check_open311_error (unknown, 404, "json", "services/NO_SUCH.json");
}

/* Posting */

static void
check_stored_task (gint64 id)
{
  g_autoptr(JsonNode) task = iocd_test_fetch_task (server, session, token_of ("trucban1"), id);

  g_assert_nonnull (task);
  if (task == NULL)
    return;

  g_assert_cmpstr (iocd_test_json_string (task, "source"), ==, "citizen_app");
  g_assert_cmpstr (iocd_test_json_string (task, "state"), ==, "received");
  g_assert_cmpstr (iocd_test_json_string (task, "category"), ==, "TREE");
  g_assert_cmpstr (iocd_test_json_string (task, "client"), ==, CLIENT_NAME);
  g_assert_cmpstr (iocd_test_json_string (task, "priority"), ==, "urgent");
  g_assert_cmpstr (iocd_test_json_string (task, "reporter.name"), ==, REPORTER_LAST " " REPORTER_FIRST);
  g_assert_cmpstr (iocd_test_json_string (task, "reporter.phone"), ==, REPORTER_PHONE);
  g_assert_cmpstr (iocd_test_json_string (task, "reporter.email"), ==, REPORTER_EMAIL);
  g_assert_cmpstr (iocd_test_json_string (task, "attributes.blocking"), ==, "road");
  g_assert_cmpstr (iocd_test_json_string (task, "address"), ==, "Đường Hòa Bình, phường Ninh Kiều");
  /* The intake was made by the client, not by a signed-in user. */
  g_assert_cmpint (iocd_test_json_int (task, "timeline.0.actor.id"), ==, 0);
  g_assert_cmpstr (iocd_test_json_string (task, "timeline.0.actor.name"), ==, CLIENT_NAME);
}

static void
test_post_json (void)
{
  gint64 id = post_tree ("json", "Cây dầu ngã chắn ngang đường");
  g_autofree char *path = g_strdup_printf ("/open311/v2/requests/%" G_GINT64_FORMAT ".json", id);
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(IocdTestResponse) post = NULL;

  g_assert_cmpint (id, >, 0);
  if (id <= 0)
    return;
  check_stored_task (id);

  r = get (path);
  if (iocd_test_assert_status (r, 200, "GET requests/{id}.json"))
    {
      static const char * const fields[] = {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "lat", "long", "media_url", NULL
      };
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

      g_assert_cmpuint (json_array_get_length (json_node_get_array (r->body)), ==, 1);
      for (guint f = 0; fields[f] != NULL; f++)
        {
          g_autofree char *member = g_strdup_printf ("0.%s", fields[f]);

          if (!iocd_test_json_has (r->body, member))
            iocd_test_fail ("requests/{id}.json: no %s", fields[f]);
        }
      g_assert_cmpstr (iocd_test_json_string (r->body, "0.service_request_id"), ==, id_text);
      g_assert_cmpstr (iocd_test_json_string (r->body, "0.status"), ==, "open");
      g_assert_cmpstr (iocd_test_json_string (r->body, "0.service_code"), ==, "TREE");
      g_assert_cmpstr (iocd_test_json_string (r->body, "0.service_name"), ==, "Cây xanh ngã đổ, nguy hiểm");
      g_assert_cmpstr (iocd_test_json_string (r->body, "0.description"), ==, "Cây dầu ngã chắn ngang đường");
      /* ISO 8601 with an explicit offset. */
      g_assert_true (g_str_has_suffix (iocd_test_json_string (r->body, "0.requested_datetime"), "+07:00"));
      g_assert_cmpfloat_with_epsilon (json_node_get_double (iocd_test_json_get (r->body, "0.lat")), 10.0341, 1e-9);
      g_assert_cmpfloat_with_epsilon (json_node_get_double (iocd_test_json_get (r->body, "0.long")), 105.7852, 1e-9);
      g_assert_null (iocd_test_json_string (r->body, "0.agency_responsible"));
      check_private (r, "requests/{id}.json");
    }

  /* The answer to the POST itself carries no contact either. */
  post = post_form ("/open311/v2/requests.json", "api_key", api_key, "service_code", "OTHER",
                    "address_string", "Bến Ninh Kiều", "first_name", REPORTER_FIRST, "last_name", REPORTER_LAST,
                    "phone", REPORTER_PHONE, "email", REPORTER_EMAIL, NULL);
  if (iocd_test_assert_status (post, 200, "POST requests.json"))
    {
      g_assert_true (iocd_test_json_has (post->body, "0.service_notice"));
      g_assert_true (iocd_test_json_has (post->body, "0.account_id"));
      check_private (post, "POST requests.json");
    }
}

static void
test_post_xml (void)
{
  gint64 id = post_tree ("xml", "Cây me tây gãy cành lớn");
  g_autofree char *path = g_strdup_printf ("/open311/v2/requests/%" G_GINT64_FORMAT ".xml", id);
  g_autoptr(IocdTestResponse) r = NULL;
  g_autoptr(IocdTestResponse) post = NULL;
  g_autoptr(XNode) root = NULL;
  g_autoptr(XNode) post_root = NULL;
  XNode *request;

  g_assert_cmpint (id, >, 0);
  if (id <= 0)
    return;
  check_stored_task (id);

  post = post_form ("/open311/v2/requests.xml", "api_key", api_key, "service_code", "OTHER",
                    "lat", "10.04", "long", "105.77", NULL);
  if (iocd_test_assert_status (post, 200, "POST requests.xml"))
    {
      post_root = xml_parse (post);
      g_assert_cmpstr (post_root ? post_root->name : NULL, ==, "service_requests");
      request = xml_child (post_root, "request");
      g_assert_nonnull (xml_text (request, "service_request_id"));
      g_assert_nonnull (xml_child (request, "service_notice"));
      g_assert_nonnull (xml_child (request, "account_id"));
    }

  r = get (path);
  if (!iocd_test_assert_status (r, 200, "GET requests/{id}.xml"))
    return;
  root = xml_parse (r);
  g_assert_cmpstr (root ? root->name : NULL, ==, "service_requests");
  g_assert_cmpuint (root ? root->children->len : 0, ==, 1);
  request = xml_child (root, "request");
  g_assert_nonnull (request);
  g_assert_cmpstr (xml_text (request, "status"), ==, "open");
  g_assert_cmpstr (xml_text (request, "service_code"), ==, "TREE");
  g_assert_cmpstr (xml_text (request, "description"), ==, "Cây me tây gãy cành lớn");
  g_assert_cmpstr (xml_text (request, "lat"), ==, "10.0341");
  g_assert_cmpstr (xml_text (request, "long"), ==, "105.7852");
  g_assert_true (g_str_has_suffix (xml_text (request, "requested_datetime"), "+07:00"));
  g_assert_nonnull (xml_child (request, "expected_datetime"));
  g_assert_nonnull (xml_child (request, "agency_responsible"));
  check_private (r, "requests/{id}.xml");
}

static void
test_post_live (void)
{
  g_autoptr(IocdTestResponse) snapshot = iocd_test_request (server, session, "GET", "/api/v1/tasks?limit=1",
                                                            token_of ("trucban1"), NULL, NULL);
  g_autoptr(IocdTestEvents) events = NULL;
  gint64 id;
  gboolean seen = FALSE;

  if (!iocd_test_assert_status (snapshot, 200, "task list"))
    return;
  events = iocd_test_events_connect (server, session, token_of ("trucban1"),
                                     iocd_test_json_int (snapshot->body, "event_seq"), NULL);
  g_assert_nonnull (events);
  if (events == NULL)
    return;

  id = post_tree ("json", "Cây ngã trên đường 30 Tháng 4");
  g_assert_cmpint (id, >, 0);

  for (gint64 deadline = g_get_monotonic_time () + ARRIVE_MS * 1000;
       !seen && g_get_monotonic_time () < deadline;)
    {
      GPtrArray *got;

      iocd_test_events_wait (events, iocd_test_events_get (events)->len + 1, 1000);
      got = iocd_test_events_get (events);
      for (guint i = 0; i < got->len; i++)
        {
          JsonNode *event = g_ptr_array_index (got, i);

          if (iocd_test_json_int (event, "task.id") == id)
            {
              seen = TRUE;
              g_assert_cmpstr (iocd_test_json_string (event, "kind"), ==, "task.created");
              g_assert_cmpstr (iocd_test_json_string (event, "task.source"), ==, "citizen_app");
              g_assert_cmpstr (iocd_test_json_string (event, "task.state"), ==, "received");
            }
        }
    }

  if (!seen)
    iocd_test_fail ("the Open311 request %" G_GINT64_FORMAT " never reached the operator's event stream", id);
}

/* The public view follows the task */

static JsonNode *
public_request (gint64 id)
{
  g_autofree char *path = g_strdup_printf ("/open311/v2/requests/%" G_GINT64_FORMAT ".json", id);
  g_autoptr(IocdTestResponse) r = get (path);
  JsonNode *item;

  if (!iocd_test_assert_status (r, 200, path))
    return NULL;
  check_private (r, path);
  item = iocd_test_json_get (r->body, "0");
  return item ? json_node_copy (item) : NULL;
}

/* One workflow action with the task's current version and an optional text field. */
static void
act (const char *token,
     gint64      id,
     const char *action,
     const char *field,
     const char *value)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *body = NULL;
  g_autoptr(IocdTestResponse) r = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, iocd_test_task_version (server, session, token_of ("trucban1"), id));
  if (field != NULL)
    {
      json_builder_set_member_name (b, field);
      json_builder_add_string_value (b, value);
    }
  body = iocd_test_json_finish (b);
  r = iocd_test_act (server, session, token, id, action, body, NULL);
  iocd_test_assert_status (r, 200, action);
}

static void
test_follows_task (void)
{
  const char *op = token_of ("trucban1");
  const char *liaison = token_of ("lienlac.sxd");
  gint64 id = post_tree ("json", "Cây đổ đè lên dây điện");
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) forwarded = NULL;
  g_autoptr(JsonNode) resolved = NULL;
  g_autoptr(JsonNode) task = NULL;
  g_autoptr(JsonNode) after_close = NULL;
  g_autoptr(IocdTestResponse) close = NULL;
  g_autofree char *close_body = NULL;

  g_assert_cmpint (id, >, 0);
  if (id <= 0)
    return;

  before = public_request (id);
  g_assert_cmpstr (iocd_test_json_string (before, "status"), ==, "open");
  g_assert_null (iocd_test_json_string (before, "expected_datetime"));

  g_assert_true (iocd_test_advance (server, session, id, IOCD_TEST_AT_FORWARDED, op, liaison, "SXD"));
  forwarded = public_request (id);
  task = iocd_test_fetch_task (server, session, op, id);
  g_assert_cmpstr (iocd_test_json_string (forwarded, "status"), ==, "open");
  g_assert_cmpstr (iocd_test_json_string (forwarded, "agency_responsible"), ==, "Sở Xây dựng");
  g_assert_cmpint (iocd_test_json_time (forwarded, "expected_datetime"), ==, iocd_test_json_time (task, "due_at"));
  g_assert_cmpint (iocd_test_json_time (forwarded, "expected_datetime"), >, 0);
  g_assert_cmpint (iocd_test_json_time (forwarded, "updated_datetime"), ==, iocd_test_json_time (task, "updated_at"));

  act (liaison, id, "acknowledge", NULL, NULL);
  act (liaison, id, "start", NULL, NULL);
  act (liaison, id, "resolve", "result", "Đã cắt dọn cây, thông đường lúc 15 giờ");
  resolved = public_request (id);
  g_assert_cmpstr (iocd_test_json_string (resolved, "status"), ==, "closed");
  g_assert_cmpstr (iocd_test_json_string (resolved, "status_notes"), ==, "Đã cắt dọn cây, thông đường lúc 15 giờ");

  close_body = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT "}", iocd_test_task_version (server, session, op, id));
  close = iocd_test_act (server, session, op, id, "close", close_body, NULL);
  iocd_test_assert_status (close, 200, "close");
  after_close = public_request (id);
  g_assert_cmpstr (iocd_test_json_string (after_close, "status"), ==, "closed");
  g_assert_cmpstr (iocd_test_json_string (after_close, "status_notes"), ==, "Đã cắt dọn cây, thông đường lúc 15 giờ");
}

static void
test_follows_reject (void)
{
  const char *op = token_of ("trucban1");
  const char *reason = "Không xác minh được địa điểm; đề nghị gửi lại kèm ảnh";
  gint64 id = post_tree ("json", "Có cây đổ ở đâu đó");
  gint64 original = post_tree ("json", "Cây đổ đầu hẻm 51");
  gint64 copy = post_tree ("json", "Cây đổ đầu hẻm 51 (gửi lại)");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *body = NULL;
  g_autofree char *dup_body = NULL;
  g_autofree char *expected_dup = g_strdup_printf ("Trùng với phản ánh #%" G_GINT64_FORMAT, original);
  g_autoptr(IocdTestResponse) reject = NULL;
  g_autoptr(IocdTestResponse) dup = NULL;
  g_autoptr(JsonNode) rejected = NULL;
  g_autoptr(JsonNode) duplicate = NULL;

  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (copy, >, 0);
  if (id <= 0 || copy <= 0)
    return;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, iocd_test_task_version (server, session, op, id));
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  body = iocd_test_json_finish (b);
  reject = iocd_test_act (server, session, op, id, "reject", body, NULL);
  iocd_test_assert_status (reject, 200, "reject");

  rejected = public_request (id);
  g_assert_cmpstr (iocd_test_json_string (rejected, "status"), ==, "closed");
  g_assert_cmpstr (iocd_test_json_string (rejected, "status_notes"), ==, reason);

  dup_body = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT ", \"duplicate_of\": %" G_GINT64_FORMAT "}",
                              iocd_test_task_version (server, session, op, copy), original);
  dup = iocd_test_act (server, session, op, copy, "mark_duplicate", dup_body, NULL);
  iocd_test_assert_status (dup, 200, "mark_duplicate");
  duplicate = public_request (copy);
  g_assert_cmpstr (iocd_test_json_string (duplicate, "status"), ==, "closed");
  g_assert_cmpstr (iocd_test_json_string (duplicate, "status_notes"), ==, expected_dup);
}

/* GET requests */

static gboolean
list_has (JsonNode *list,
          gint64    id)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  JsonArray *array = list && JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (array, i),
                                                               "service_request_id", NULL), text) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
all_have (JsonNode   *list,
          const char *field,
          const char *value)
{
  JsonArray *array = list && JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (array, i),
                                                               field, NULL), value) != 0)
      return FALSE;

  return array != NULL;
}

static char *
escaped_time (gint64 usec)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autofree char *text = g_date_time_format (t, "%Y-%m-%dT%H:%M:%S+00:00");

  return g_uri_escape_string (text, NULL, FALSE);
}

static void
test_list_filters (void)
{
  const char *op = token_of ("trucban1");
  gint64 start = g_get_real_time () - G_USEC_PER_SEC;
  gint64 tree = post_tree ("json", "Cây nghiêng sắp đổ");
  gint64 rejected = post_tree ("json", "Cây đổ (đã xử lý xong trước khi báo)");
  g_autoptr(IocdTestResponse) other = post_form ("/open311/v2/requests.json", "api_key", api_key,
                                                 "service_code", "NOISE", "address_string", "Hẻm 12 Mậu Thân",
                                                 "attribute[noise_kind]", "karaoke", NULL);
  g_autofree char *reject_body = NULL;
  g_autoptr(IocdTestResponse) reject = NULL;
  gint64 end;
  g_autofree char *s = NULL, *e = NULL, *old_s = NULL, *old_e = NULL, *far = NULL;
  g_autofree char *path = NULL;
  gint64 noise;

  if (!iocd_test_assert_status (other, 200, "POST NOISE"))
    return;
  noise = g_ascii_strtoll (iocd_test_json_string (other->body, "0.service_request_id"), NULL, 10);
  end = g_get_real_time () + G_USEC_PER_SEC;

  reject_body = g_strdup_printf ("{\"version\": %" G_GINT64_FORMAT ", \"reason\": \"Đã xử lý\"}",
                                 iocd_test_task_version (server, session, op, rejected));
  reject = iocd_test_act (server, session, op, rejected, "reject", reject_body, NULL);
  iocd_test_assert_status (reject, 200, "reject");

  /* Default: the last 90 days, newest first. */
  {
    g_autoptr(IocdTestResponse) r = get ("/open311/v2/requests.json");
    JsonArray *array;
    gint64 previous = G_MAXINT64;

    if (iocd_test_assert_status (r, 200, "requests.json"))
      {
        g_assert_true (list_has (r->body, tree) && list_has (r->body, noise) && list_has (r->body, rejected));
        array = json_node_get_array (r->body);
        g_assert_cmpuint (json_array_get_length (array), <=, 1000);
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            g_autofree char *p = g_strdup_printf ("%u.requested_datetime", i);
            gint64 t = iocd_test_json_time (r->body, p);

            g_assert_cmpint (t, <=, previous);
            previous = t;
          }
        check_private (r, "requests.json");
      }
  }

  /* service_code */
  {
    g_autoptr(IocdTestResponse) r = get ("/open311/v2/requests.json?service_code=NOISE");

    if (iocd_test_assert_status (r, 200, "service_code=NOISE"))
      {
        g_assert_true (list_has (r->body, noise));
        g_assert_false (list_has (r->body, tree));
        g_assert_true (all_have (r->body, "service_code", "NOISE"));
      }
  }

  /* status */
  {
    g_autoptr(IocdTestResponse) closed = get ("/open311/v2/requests.json?status=closed");
    g_autoptr(IocdTestResponse) open = get ("/open311/v2/requests.json?status=open");
    g_autoptr(IocdTestResponse) both = get ("/open311/v2/requests.json?status=open,closed");

    if (iocd_test_assert_status (closed, 200, "status=closed"))
      {
        g_assert_true (list_has (closed->body, rejected));
        g_assert_false (list_has (closed->body, tree));
        g_assert_true (all_have (closed->body, "status", "closed"));
      }
    if (iocd_test_assert_status (open, 200, "status=open"))
      {
        g_assert_true (list_has (open->body, tree));
        g_assert_false (list_has (open->body, rejected));
        g_assert_true (all_have (open->body, "status", "open"));
      }
    if (iocd_test_assert_status (both, 200, "status=open,closed"))
      g_assert_true (list_has (both->body, tree) && list_has (both->body, rejected));
  }

  /* start_date, end_date */
  s = escaped_time (start);
  e = escaped_time (end);
  old_s = escaped_time (start - (gint64) 60 * 24 * 3600 * G_USEC_PER_SEC);
  old_e = escaped_time (start - (gint64) 30 * 24 * 3600 * G_USEC_PER_SEC);
  far = escaped_time (start - (gint64) 91 * 24 * 3600 * G_USEC_PER_SEC);
  {
    g_autofree char *p1 = g_strdup_printf ("/open311/v2/requests.json?start_date=%s&end_date=%s", s, e);
    g_autofree char *p2 = g_strdup_printf ("/open311/v2/requests.json?start_date=%s&end_date=%s", old_s, old_e);
    g_autofree char *p3 = g_strdup_printf ("/open311/v2/requests.json?start_date=%s&end_date=%s", far, e);
    g_autofree char *p4 = g_strdup_printf ("/open311/v2/requests.xml?start_date=%s&end_date=%s", far, e);
    g_autofree char *p5 = g_strdup_printf ("/open311/v2/requests.json?start_date=%s&end_date=%s", e, s);
    g_autofree char *p6 = g_strdup_printf ("/open311/v2/requests.json?start_date=%s", s);
    g_autoptr(IocdTestResponse) in_range = get (p1);
    g_autoptr(IocdTestResponse) before = get (p2);
    g_autoptr(IocdTestResponse) too_long = get (p3);
    g_autoptr(IocdTestResponse) too_long_xml = get (p4);
    g_autoptr(IocdTestResponse) reversed = get (p5);
    g_autoptr(IocdTestResponse) from = get (p6);
    g_autoptr(IocdTestResponse) no_offset = get ("/open311/v2/requests.json?start_date=2026-01-01T00:00:00");

    if (iocd_test_assert_status (in_range, 200, "start_date/end_date"))
      {
        JsonArray *array = json_node_get_array (in_range->body);

        g_assert_true (list_has (in_range->body, tree) && list_has (in_range->body, noise));
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            g_autofree char *p = g_strdup_printf ("%u.requested_datetime", i);

            g_assert_cmpint (iocd_test_json_time (in_range->body, p), >=, start - G_USEC_PER_SEC);
            g_assert_cmpint (iocd_test_json_time (in_range->body, p), <=, end);
          }
      }
    if (iocd_test_assert_status (before, 200, "an earlier range"))
      g_assert_false (list_has (before->body, tree));
    if (iocd_test_assert_status (from, 200, "start_date alone"))
      g_assert_true (list_has (from->body, tree));
    check_open311_error (too_long, 400, "json", "a range of 91 days");
    check_open311_error (too_long_xml, 400, "xml", "a range of 91 days (XML)");
    check_open311_error (reversed, 400, "json", "end before start");
    check_open311_error (no_offset, 400, "json", "a date without offset");
  }

  /* service_request_id overrides the other filters; unknown ids are left out. */
  path = g_strdup_printf ("/open311/v2/requests.json?service_code=OTHER&status=open&service_request_id=%"
                          G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",99999999", noise, rejected);
  {
    g_autoptr(IocdTestResponse) r = get (path);

    if (iocd_test_assert_status (r, 200, "service_request_id list"))
      {
        g_assert_cmpuint (json_array_get_length (json_node_get_array (r->body)), ==, 2);
        g_assert_true (list_has (r->body, noise) && list_has (r->body, rejected));
      }
  }

  {
    g_autoptr(IocdTestResponse) bad_status = get ("/open311/v2/requests.json?status=pending");
    g_autoptr(IocdTestResponse) bad_ids = get ("/open311/v2/requests.json?service_request_id=1,abc");
    g_autoptr(IocdTestResponse) bad_code = get ("/open311/v2/requests.json?service_code=NO_SUCH");

    check_open311_error (bad_status, 400, "json", "status=pending");
    check_open311_error (bad_ids, 400, "json", "service_request_id=1,abc");
    check_open311_error (bad_code, 400, "json", "service_code=NO_SUCH");
  }
}

/* Errors */

static void
test_api_keys (void)
{
  g_autofree char *revoked = add_key ("ung-dung-thu-hoi", NULL);
  g_autofree char *sensors = add_key ("tram-do", "sensors");
  g_autofree char *list = NULL;
  g_autofree char *dup_out = NULL;
  const char *formats[] = { "json", "xml" };

  /* Revoked before use; only the hash was kept, so the list shows no key. */
  g_assert_cmpint (run_apikey (NULL, "revoke", "ung-dung-thu-hoi", NULL), ==, 0);
  g_assert_cmpint (run_apikey (NULL, "revoke", "ung-dung-thu-hoi", NULL), ==, 1);
  g_assert_cmpint (run_apikey (&dup_out, "add", CLIENT_NAME, NULL), ==, 1);
  g_assert_cmpint (run_apikey (NULL, "add", "x", "--scope", "everything", NULL), ==, 2);
  g_assert_cmpint (run_apikey (&list, "list", NULL), ==, 0);
  g_assert_nonnull (strstr (list, CLIENT_NAME));
  g_assert_nonnull (strstr (list, "ung-dung-thu-hoi"));
  g_assert_nonnull (strstr (list, "revoked"));
  g_assert_null (strstr (list, api_key));
  g_assert_null (strstr (list, revoked));

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autofree char *path = g_strdup_printf ("/open311/v2/requests.%s", formats[f]);
      g_autoptr(IocdTestResponse) missing = post_form (path, "service_code", "OTHER",
                                                       "address_string", "Cái Răng", NULL);
      g_autoptr(IocdTestResponse) unknown = post_form (path, "api_key", "khong-phai-khoa", "service_code", "OTHER",
                                                       "address_string", "Cái Răng", NULL);
      g_autoptr(IocdTestResponse) gone = post_form (path, "api_key", revoked, "service_code", "OTHER",
                                                    "address_string", "Cái Răng", NULL);
      g_autoptr(IocdTestResponse) wrong_scope = post_form (path, "api_key", sensors, "service_code", "OTHER",
                                                           "address_string", "Cái Răng", NULL);

      check_open311_error (missing, 403, formats[f], "no api_key");
      check_open311_error (unknown, 403, formats[f], "an unknown api_key");
      check_open311_error (gone, 403, formats[f], "a revoked api_key");
      check_open311_error (wrong_scope, 403, formats[f], "a sensors-only api_key");
    }
}

static void
test_validation (void)
{
  g_autofree char *long_text = NULL;
  g_autofree char *max_text = NULL;
  GString *s = g_string_new (NULL);
  const char *formats[] = { "json", "xml" };

  /* 4,000 characters, each of them a two-byte Vietnamese letter. */
  for (guint i = 0; i < 4000; i++)
    g_string_append (s, "đ");
  max_text = g_strdup (s->str);
  g_string_append (s, "ă");
  long_text = g_string_free (s, FALSE);

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      const char *fmt = formats[f];
      g_autofree char *path = g_strdup_printf ("/open311/v2/requests.%s", fmt);
      g_autoptr(IocdTestResponse) unknown_code = post_form (path, "api_key", api_key, "service_code", "NO_SUCH",
                                                            "address_string", "Cái Răng", NULL);
      g_autoptr(IocdTestResponse) no_code = post_form (path, "api_key", api_key, "address_string", "Cái Răng", NULL);
      g_autoptr(IocdTestResponse) too_long = post_form (path, "api_key", api_key, "service_code", "OTHER",
                                                        "address_string", "Cái Răng", "description", long_text, NULL);
      g_autoptr(IocdTestResponse) at_max = post_form (path, "api_key", api_key, "service_code", "OTHER",
                                                      "address_string", "Cái Răng", "description", max_text, NULL);
      g_autoptr(IocdTestResponse) lat91 = post_form (path, "api_key", api_key, "service_code", "OTHER",
                                                     "lat", "91", "long", "105.78", NULL);
      g_autoptr(IocdTestResponse) long_abc = post_form (path, "api_key", api_key, "service_code", "OTHER",
                                                        "lat", "10.03", "long", "abc", NULL);
      g_autoptr(IocdTestResponse) lat_only = post_form (path, "api_key", api_key, "service_code", "OTHER",
                                                        "lat", "10.03", NULL);
      g_autoptr(IocdTestResponse) nowhere = post_form (path, "api_key", api_key, "service_code", "OTHER",
                                                       "description", "Không có địa điểm", NULL);
      g_autoptr(IocdTestResponse) bad_choice = post_form (path, "api_key", api_key, "service_code", "TREE",
                                                          "address_string", "Cái Răng",
                                                          "attribute[blocking]", "maybe", NULL);
      g_autoptr(IocdTestResponse) missing_required = post_form (path, "api_key", api_key, "service_code", "TREE",
                                                                "address_string", "Cái Răng", NULL);
      g_autoptr(IocdTestResponse) bad_number = post_form (path, "api_key", api_key, "service_code", "FLOOD",
                                                          "address_string", "Cái Răng",
                                                          "attribute[water_depth_cm]", "sâu lắm", NULL);
      g_autoptr(IocdTestResponse) unknown_attribute = post_form (path, "api_key", api_key, "service_code", "TREE",
                                                                 "address_string", "Cái Răng",
                                                                 "attribute[blocking]", "road",
                                                                 "attribute[colour]", "green", NULL);
      g_autoptr(IocdTestResponse) good_number = post_form (path, "api_key", api_key, "service_code", "FLOOD",
                                                           "address_string", "Đường Trần Hưng Đạo",
                                                           "attribute[water_depth_cm]", "35.5", NULL);
      g_autoptr(IocdTestResponse) other_city = post_form (path, "api_key", api_key, "jurisdiction_id", "hanoi",
                                                          "service_code", "OTHER", "address_string", "Cái Răng", NULL);
      g_autoptr(IocdTestResponse) this_city = post_form (path, "api_key", api_key, "jurisdiction_id", "cantho",
                                                         "service_code", "OTHER", "address_string", "Cái Răng", NULL);

      check_open311_error (unknown_code, 404, fmt, "an unknown service_code");
      check_open311_error (no_code, 400, fmt, "no service_code");
      check_open311_error (too_long, 400, fmt, "a description of 4,001 characters");
      iocd_test_check_status (at_max, 200, "a description of 4,000 characters");
      check_open311_error (lat91, 400, fmt, "lat 91");
      check_open311_error (long_abc, 400, fmt, "long abc");
      check_open311_error (lat_only, 400, fmt, "lat without long");
      check_open311_error (nowhere, 400, fmt, "no location");
      check_open311_error (bad_choice, 400, fmt, "a value not in the list");
      check_open311_error (missing_required, 400, fmt, "a required attribute missing");
      check_open311_error (bad_number, 400, fmt, "a number attribute that is not a number");
      check_open311_error (unknown_attribute, 400, fmt, "an attribute not in the definition");
      iocd_test_check_status (good_number, 200, "a number attribute");
      check_open311_error (other_city, 404, fmt, "another jurisdiction_id");
      iocd_test_check_status (this_city, 200, "jurisdiction_id cantho");
    }

  {
    g_autoptr(IocdTestResponse) html = get ("/open311/v2/services.html");
    g_autoptr(IocdTestResponse) bare = get ("/open311/v2/services");
    g_autoptr(IocdTestResponse) none = get ("/open311/v2/requests/99999999.json");
    g_autoptr(IocdTestResponse) none_xml = get ("/open311/v2/requests/99999999.xml");
    g_autoptr(IocdTestResponse) not_id = get ("/open311/v2/requests/abc.json");
    g_autoptr(IocdTestResponse) delete = iocd_test_request (server, session, "DELETE", "/open311/v2/requests.json",
                                                            NULL, NULL, NULL);
    g_autoptr(IocdTestResponse) json_body = iocd_test_request (server, session, "POST", "/open311/v2/requests.json",
                                                               NULL, "{\"service_code\": \"OTHER\"}", NULL);
    g_autoptr(IocdTestResponse) jurisdiction = get ("/open311/v2/services.json?jurisdiction_id=hanoi");
    g_autoptr(IocdTestResponse) cantho = get ("/open311/v2/requests.json?jurisdiction_id=cantho");

    iocd_test_check_status (html, 404, "services.html");
    iocd_test_check_status (bare, 404, "services without a format");
    check_open311_error (none, 404, "json", "an unknown request");
    check_open311_error (none_xml, 404, "xml", "an unknown request (XML)");
    check_open311_error (not_id, 404, "json", "a request id that is not a number");
    check_open311_error (delete, 405, "json", "DELETE requests.json");
    check_open311_error (json_body, 400, "json", "a JSON body");
    iocd_test_check_status (cantho, 200, "jurisdiction_id=cantho");
    check_open311_error (jurisdiction, 404, "json", "services.json?jurisdiction_id=hanoi");
  }
}

static void
test_vietnamese_round_trip (void)
{
  /* Precomposed and decomposed (NFD) letters, an emoji, markup characters
   * and line breaks must all come back as the same bytes. */
  const char *description = "Đèn đường hẻm 132 Nguyễn Văn Cừ không sáng — “tối om” <3 & 'nguy hiểm'\n"
                            "Ng\xc6\xb0\xe1\xbb\x9di d\xc3\xa2n ph\xe1\xba\xa3n a\xcc\x81nh 🙏\r\nCảm ơn!";
  const char *address = "Số 2 Hòa Bình, phường Ninh Kiều, TP. Cần Thơ";
  g_autoptr(IocdTestResponse) post = post_form ("/open311/v2/requests.xml", "api_key", api_key,
                                                "service_code", "LIGHT", "address_string", address,
                                                "description", description, "attribute[light_state]", "off", NULL);
  g_autoptr(XNode) post_root = NULL;
  const char *id;
  g_autofree char *json_path = NULL;
  g_autofree char *xml_path = NULL;
  g_autoptr(IocdTestResponse) json = NULL;
  g_autoptr(IocdTestResponse) xml = NULL;
  g_autoptr(XNode) root = NULL;
  XNode *request;

  if (!iocd_test_assert_status (post, 200, "POST requests.xml (Vietnamese)"))
    return;
  post_root = xml_parse (post);
  id = xml_text (xml_child (post_root, "request"), "service_request_id");
  g_assert_nonnull (id);
  if (id == NULL)
    return;

  json_path = g_strdup_printf ("/open311/v2/requests/%s.json", id);
  xml_path = g_strdup_printf ("/open311/v2/requests/%s.xml", id);
  json = get (json_path);
  xml = get (xml_path);

  if (iocd_test_assert_status (json, 200, json_path))
    {
      g_assert_cmpstr (iocd_test_json_string (json->body, "0.description"), ==, description);
      g_assert_cmpstr (iocd_test_json_string (json->body, "0.address"), ==, address);
      g_assert_cmpstr (iocd_test_json_string (json->body, "0.service_name"), ==, "Đèn chiếu sáng công cộng hỏng");
    }
  if (iocd_test_assert_status (xml, 200, xml_path))
    {
      root = xml_parse (xml);
      request = xml_child (root, "request");
      g_assert_cmpstr (xml_text (request, "description"), ==, description);
      g_assert_cmpstr (xml_text (request, "address"), ==, address);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  iocd_test_init_shared (&argc, &argv, &server, &session);
  api_key = add_key (CLIENT_NAME, NULL);

  g_test_add_func ("/open311/services/list-json", test_services_json);
  g_test_add_func ("/open311/services/list-xml", test_services_xml);
  g_test_add_func ("/open311/services/definition", test_definition);
  g_test_add_func ("/open311/requests/post-json", test_post_json);
  g_test_add_func ("/open311/requests/post-xml", test_post_xml);
  g_test_add_func ("/open311/requests/post-live", test_post_live);
  g_test_add_func ("/open311/requests/follows-task", test_follows_task);
  g_test_add_func ("/open311/requests/follows-reject-duplicate", test_follows_reject);
  g_test_add_func ("/open311/requests/filters", test_list_filters);
  g_test_add_func ("/open311/errors/api-key", test_api_keys);
  g_test_add_func ("/open311/errors/validation", test_validation);
  g_test_add_func ("/open311/requests/vietnamese-round-trip", test_vietnamese_round_trip);
  iocd_test_add_shutdown ("/open311/shutdown/clean", server);

  status = iocd_test_run (&server, &session);
  g_free (api_key);
  return status;
}
