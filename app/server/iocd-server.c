/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd"

#include "config.h"

#include <string.h>

#include "iocd-auth.h"
#include "iocd-server-private.h"

G_DEFINE_FINAL_TYPE (IocdServer, iocd_server, G_TYPE_OBJECT)

#define API_PREFIX "/api/v1/"
#define OPEN311_PREFIX "/open311/v2/"
#define TILES_PREFIX "/tiles/"

void
iocd_server_publish (IocdServer *self,
                     IocEvent   *event,
                     const char *departments)
{
  iocd_event_hub_publish (self->hub, event, departments);
}

void
iocd_request_free (IocdRequest *request)
{
  g_clear_object (&request->msg);
  g_clear_pointer (&request->query, g_hash_table_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->user, ioc_user_unref);
  g_free (request->token_hash);
  g_clear_object (&request->server);
  g_free (request);
}

void
iocd_request_send_text (IocdRequest *request,
                        guint        status,
                        const char  *json)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (request->msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (request->msg, status, NULL);
  soup_server_message_set_response (request->msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_COPY, json, strlen (json));
}

void
iocd_request_send_json (IocdRequest *request,
                        guint        status,
                        JsonNode    *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  iocd_request_send_text (request, status, text);
}

static JsonNode *
error_node (const GError *error,
            const char   *message_override)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autofree char *raw_field = ioc_error_get_field (error);
  /* Messages may quote request text (a path, a parameter name): never let
   * invalid UTF-8 from a client through into JSON. */
  g_autofree char *field = raw_field ? g_utf8_make_valid (raw_field, -1) : NULL;
  g_autofree char *message = g_utf8_make_valid (message_override ? message_override : error->message, -1);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, ioc_error_code_string (error));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  if (field != NULL)
    {
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, field);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

void
iocd_request_send_error (IocdRequest  *request,
                         const GError *error)
{
  guint status = ioc_error_http_status (error);
  g_autoptr(JsonNode) node = NULL;

  /* Internal details stay in the log, not in the answer. */
  if (status >= 500)
    {
      g_warning ("%s %s: %s", request->method, request->path, error->message);
      node = error_node (error, status == 503 ? "the server is busy; try again" : "internal error");
    }
  else
    node = error_node (error, NULL);

  if (status == 401)
    soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                  "WWW-Authenticate", "Bearer realm=\"iocd\"");

  iocd_request_send_json (request, status, node);
}

void
iocd_request_send_method_not_allowed (IocdRequest *request,
                                      const char  *allow)
{
  g_autoptr(GError) error = g_error_new (IOC_ERROR, IOC_ERROR_METHOD, "%s is not allowed here; use %s",
                                         request->method, allow);

  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg), "Allow", allow);
  iocd_request_send_error (request, error);
}

JsonObject *
iocd_request_parse_body (IocdRequest  *request,
                         GError      **error)
{
  gsize len = 0;
  const char *data = request->body ? g_bytes_get_data (request->body, &len) : NULL;

  if (data == NULL || len == 0)
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_MALFORMED, "the body is empty; send a JSON object");
      return NULL;
    }

  return ioc_json_parse_object (data, len, error);
}

static void
fill_table (GHashTable *table,
            GPtrArray  *items,
            size_t      code_offset)
{
  g_hash_table_remove_all (table);
  while (items->len > 0)
    {
      gpointer item = g_ptr_array_steal_index_fast (items, 0);

      g_hash_table_insert (table, g_strdup (G_STRUCT_MEMBER (char *, item, code_offset)), item);
    }
}

gboolean
iocd_server_reload_reference (IocdServer  *self,
                              GError     **error)
{
  g_autoptr(GPtrArray) departments = iocd_store_list_departments (self->store, error);
  g_autoptr(GPtrArray) categories = departments ? iocd_store_list_categories (self->store, error) : NULL;
  g_autoptr(GPtrArray) communes = categories ? iocd_store_list_communes (self->store, error) : NULL;

  if (communes == NULL)
    return FALSE;

  g_ptr_array_set_free_func (departments, NULL);
  g_ptr_array_set_free_func (categories, NULL);
  g_ptr_array_set_free_func (communes, NULL);
  fill_table (self->departments, departments, G_STRUCT_OFFSET (IocDepartment, code));
  fill_table (self->categories, categories, G_STRUCT_OFFSET (IocCategory, code));
  fill_table (self->communes, communes, G_STRUCT_OFFSET (IocCommune, code));
  return TRUE;
}

/* Authentication */

IocUser *
iocd_request_authenticate (IocdRequest  *request,
                           GError      **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (request->msg);
  const char *value = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *token_hash = NULL;
  IocUser *user;

  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0 || value[7] == '\0')
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_UNAUTHORIZED, "sign in first (no session token)");
      return NULL;
    }

  token_hash = iocd_auth_hash_token (value + 7);
  user = iocd_store_find_session (request->server->store, token_hash, request->now, error);
  if (user != NULL)
    request->token_hash = g_steal_pointer (&token_hash);

  return user;
}

typedef struct {
  char *username;
  char *password;
  char *hash;       /* NULL for an unknown user */
  gboolean ok;
} LoginCheck;

static void
login_check_free (LoginCheck *check)
{
  g_free (check->username);
  if (check->password != NULL)
    {
      memset (check->password, 0, strlen (check->password));
      g_free (check->password);
    }
  g_free (check->hash);
  g_free (check);
}

static const char *
dummy_hash (void)
{
  static gsize hash;

  /* Unknown user names cost the same time as known ones, so timing does not
   * tell which accounts exist. */
  if (g_once_init_enter (&hash))
    g_once_init_leave (&hash, (gsize) iocd_auth_hash_password ("not a password", NULL));

  return (const char *) hash;
}

static void
login_check_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  LoginCheck *check = task_data;

  if (check->hash != NULL)
    check->ok = iocd_auth_verify_password (check->hash, check->password);
  else
    {
      iocd_auth_verify_password (dummy_hash (), check->password);
      check->ok = FALSE;
    }

  g_task_return_boolean (task, TRUE);
}

static JsonNode *
user_node (IocUser *user)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  ioc_user_to_json (user, b);
  return json_builder_get_root (b);
}

static void
login_checked_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(IocdRequest) request = data;
  IocdServer *self = request->server;
  LoginCheck *check = g_task_get_task_data (G_TASK (result));
  g_autoptr(IocUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 now = g_get_real_time ();
  gint64 expires;

  soup_server_message_unpause (request->msg);

  {
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->logins_in_flight, check->username));

    if (n <= 1)
      g_hash_table_remove (self->logins_in_flight, check->username);
    else
      g_hash_table_insert (self->logins_in_flight, g_strdup (check->username), GUINT_TO_POINTER (n - 1));
  }

  if (!check->ok)
    {
      iocd_store_add_login_failure (self->store, check->username, now, NULL);
      g_message ("Failed sign-in for “%s”", check->username);
      error = g_error_new_literal (IOC_ERROR, IOC_ERROR_UNAUTHORIZED, "wrong user name or password");
      iocd_request_send_error (request, error);
      return;
    }

  user = iocd_store_find_user (self->store, check->username, NULL, &error);
  if (user == NULL || user->disabled)
    {
      g_clear_error (&error);
      error = g_error_new_literal (IOC_ERROR, IOC_ERROR_UNAUTHORIZED, "wrong user name or password");
      iocd_request_send_error (request, error);
      return;
    }

  token = iocd_auth_new_token ();
  token_hash = iocd_auth_hash_token (token);
  expires = now + (gint64) self->config->session_hours * 3600 * G_USEC_PER_SEC;
  if (!iocd_store_create_session (self->store, token_hash, user->id, now, expires, &error) ||
      !iocd_store_clear_login_failures (self->store, check->username, &error))
    {
      iocd_request_send_error (request, error);
      return;
    }

  g_message ("“%s” signed in", user->username);

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, token);
  ioc_json_add_time (b, "expires_at", expires);
  json_builder_set_member_name (b, "user");
  ioc_user_to_json (user, b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);

  iocd_request_send_json (request, 200, node);
}

static void
handle_login (IocdServer  *self,
              IocdRequest *owned_request)
{
  g_autoptr(IocdRequest) request = owned_request;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) failures = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(IocUser) user = NULL;
  gint64 window = (gint64) self->config->login_window_s * G_USEC_PER_SEC;
  guint in_flight;
  LoginCheck *check;

  body = iocd_request_parse_body (request, &error);
  if (body == NULL ||
      !ioc_json_get_string (body, "username", TRUE, 64, &username, &error) ||
      !ioc_json_get_string (body, "password", TRUE, 1024, &password, &error))
    {
      iocd_request_send_error (request, error);
      return;
    }

  failures = iocd_store_list_login_failures (self->store, username, request->now - window, &error);
  if (failures == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  in_flight = GPOINTER_TO_UINT (g_hash_table_lookup (self->logins_in_flight, username));
  if (failures->len + in_flight >= self->config->login_max_failures)
    {
      /* Locked until enough failures have aged out of the window. */
      gint64 oldest = failures->len >= self->config->login_max_failures
                      ? g_array_index (failures, gint64, failures->len - self->config->login_max_failures)
                      : request->now - window;
      gint64 wait_s = (oldest + window - request->now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
      g_autofree char *retry = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (wait_s, 1));

      soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                    "Retry-After", retry);
      error = g_error_new (IOC_ERROR, IOC_ERROR_RATE_LIMITED,
                           "too many failed sign-ins for this user; try again in %s seconds", retry);
      iocd_request_send_error (request, error);
      return;
    }

  user = iocd_store_find_user (self->store, username, &hash, NULL);

  check = g_new0 (LoginCheck, 1);
  check->username = g_steal_pointer (&username);
  check->password = g_steal_pointer (&password);
  check->hash = (user != NULL && !user->disabled) ? g_steal_pointer (&hash) : NULL;

  g_hash_table_insert (self->logins_in_flight, g_strdup (check->username), GUINT_TO_POINTER (in_flight + 1));

  /* Argon2id takes a tenth of a second on purpose: not on the main loop. */
  soup_server_message_pause (request->msg);
  task = g_task_new (NULL, NULL, login_checked_cb, g_steal_pointer (&request));
  g_task_set_source_tag (task, handle_login);
  g_task_set_task_data (task, check, (GDestroyNotify) login_check_free);
  g_task_run_in_thread (task, login_check_thread);
}

static void
handle_session (IocdServer  *self,
                IocdRequest *request)
{
  g_autoptr(GError) error = NULL;

  if (g_str_equal (request->method, "POST"))
    {
      handle_login (self, g_steal_pointer (&request));
      return;
    }

  if (!g_str_equal (request->method, "DELETE") && !g_str_equal (request->method, "GET"))
    {
      iocd_request_send_method_not_allowed (request, "POST, GET, DELETE");
      goto out;
    }

  request->user = iocd_request_authenticate (request, &error);
  if (request->user == NULL)
    {
      iocd_request_send_error (request, error);
      goto out;
    }

  if (g_str_equal (request->method, "GET"))
    {
      g_autoptr(JsonNode) node = user_node (request->user);
      iocd_request_send_json (request, 200, node);
    }
  else if (!iocd_store_revoke_session (self->store, request->token_hash, request->now, &error))
    iocd_request_send_error (request, error);
  else
    {
      g_message ("“%s” signed out", request->user->username);
      iocd_event_hub_end_session (self->hub, request->token_hash);
      soup_server_message_set_status (request->msg, 204, NULL);
    }

out:
  iocd_request_free (request);
}

static void
add_reference (JsonBuilder *b,
               const char  *name,
               GHashTable  *table,
               void       (*to_json) (gpointer item, JsonBuilder *b))
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (table), (GCompareFunc) strcmp);

  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (GList *l = keys; l != NULL; l = l->next)
    to_json (g_hash_table_lookup (table, l->data), b);
  json_builder_end_array (b);
}

static void
handle_reference (IocdServer  *self,
                  IocdRequest *request,
                  const char  *what)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;

  if (!g_str_equal (request->method, "GET"))
    {
      iocd_request_send_method_not_allowed (request, "GET");
      return;
    }

  json_builder_begin_object (b);
  if (g_str_equal (what, "departments"))
    add_reference (b, what, self->departments, (void (*) (gpointer, JsonBuilder *)) ioc_department_to_json);
  else if (g_str_equal (what, "categories"))
    add_reference (b, what, self->categories, (void (*) (gpointer, JsonBuilder *)) ioc_category_to_json);
  else
    add_reference (b, what, self->communes, (void (*) (gpointer, JsonBuilder *)) ioc_commune_to_json);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
}

static void
handle_server_info (IocdServer  *self,
                    IocdRequest *request)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *demo = iocd_store_get_meta (self->store, "demo");
  g_autoptr(GTimeZone) tz = ioc_time_zone ();

  if (!g_str_equal (request->method, "GET"))
    {
      iocd_request_send_method_not_allowed (request, "GET");
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "iocd");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "demo");
  json_builder_add_boolean_value (b, demo != NULL);
  ioc_json_add_time (b, "time", request->now);
  json_builder_set_member_name (b, "time_zone");
  json_builder_add_string_value (b, g_time_zone_get_identifier (tz));
  json_builder_set_member_name (b, "event_seq");
  json_builder_add_int_value (b, iocd_store_last_event_seq (self->store));
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
}

static void
handle_users (IocdServer  *self,
              IocdRequest *request)
{
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!g_str_equal (request->method, "GET"))
    {
      iocd_request_send_method_not_allowed (request, "GET");
      return;
    }

  if (request->user->role != IOC_ROLE_ADMIN)
    {
      error = g_error_new_literal (IOC_ERROR, IOC_ERROR_FORBIDDEN, "only administrators manage users");
      iocd_request_send_error (request, error);
      return;
    }

  users = iocd_store_list_users (self->store, &error);
  if (users == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "users");
  json_builder_begin_array (b);
  for (guint i = 0; i < users->len; i++)
    ioc_user_to_json (g_ptr_array_index (users, i), b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
}

static void
handle_api (IocdServer  *self,
            IocdRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) segments = NULL;
  const char *rest = request->path + strlen (API_PREFIX);

  segments = g_strsplit (rest, "/", -1);
  if (segments[0] == NULL || segments[0][0] == '\0')
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no such resource: %s", request->path);
      iocd_request_send_error (request, error);
      goto out;
    }

  if (g_str_equal (segments[0], "session") && segments[1] == NULL)
    {
      handle_session (self, request);
      return;
    }

  if (g_str_equal (segments[0], "server") && segments[1] == NULL)
    {
      handle_server_info (self, request);
      goto out;
    }

  if (g_str_equal (segments[0], "readings"))
    {
      iocd_server_handle_readings (self, request, segments + 1);
      goto out;
    }

  request->user = iocd_request_authenticate (request, &error);
  if (request->user == NULL)
    {
      iocd_request_send_error (request, error);
      goto out;
    }

  if (segments[1] == NULL &&
      (g_str_equal (segments[0], "departments") || g_str_equal (segments[0], "categories") ||
       g_str_equal (segments[0], "communes")))
    handle_reference (self, request, segments[0]);
  else if (g_str_equal (segments[0], "users") && segments[1] == NULL)
    handle_users (self, request);
  else if (g_str_equal (segments[0], "tasks"))
    {
      iocd_server_handle_tasks (self, request, segments + 1);
      return;
    }
  else if (g_str_equal (segments[0], "indicators"))
    iocd_server_handle_indicators (self, request, segments + 1);
  else if (g_str_equal (segments[0], "stations"))
    iocd_server_handle_stations (self, request, segments + 1);
  else if (g_str_equal (segments[0], "layers"))
    iocd_server_handle_layers (self, request, segments + 1);
  else if (g_str_equal (segments[0], "overview"))
    iocd_server_handle_overview (self, request, segments + 1);
  else
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no such resource: %s", request->path);
      iocd_request_send_error (request, error);
    }

out:
  iocd_request_free (request);
}

static void
server_cb (SoupServer        *soup,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  IocdServer *self = user_data;
  g_autoptr(GError) error = NULL;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  IocdRequest *request = g_new0 (IocdRequest, 1);

  request->server = g_object_ref (self);
  request->msg = g_object_ref (msg);
  request->method = soup_server_message_get_method (msg);
  request->path = path;
  request->now = g_get_real_time ();
  request->query = query ? g_hash_table_ref (query) : g_hash_table_new (g_str_hash, g_str_equal);

  if (body->length > (goffset) self->config->body_limit)
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_TOO_LARGE, "the body is larger than %" G_GSIZE_FORMAT " bytes",
                           self->config->body_limit);
      iocd_request_send_error (request, error);
      iocd_request_free (request);
      return;
    }
  request->body = soup_message_body_flatten (body);

  if (g_str_has_prefix (path, OPEN311_PREFIX))
    {
      iocd_server_handle_open311 (self, request, path + strlen (OPEN311_PREFIX));
      iocd_request_free (request);
      return;
    }

  if (g_str_has_prefix (path, TILES_PREFIX))
    {
      iocd_server_handle_tiles (self, request, path + strlen (TILES_PREFIX));
      iocd_request_free (request);
      return;
    }

  if (!g_str_has_prefix (path, API_PREFIX))
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no such resource: %s", path);
      iocd_request_send_error (request, error);
      iocd_request_free (request);
      return;
    }

  handle_api (self, request);
}

/* Refuses a body over the limit from its headers, before it is read. */
static void
early_cb (SoupServer        *soup,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  IocdServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset length = soup_message_headers_get_content_length (headers);

  if (length > (goffset) self->config->body_limit)
    {
      g_autoptr(GError) error = g_error_new (IOC_ERROR, IOC_ERROR_TOO_LARGE,
                                             "the body is larger than %" G_GSIZE_FORMAT " bytes",
                                             self->config->body_limit);
      g_autoptr(JsonNode) node = error_node (error, NULL);
      g_autofree char *text = json_to_string (node, FALSE);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      soup_server_message_set_status (msg, 413, NULL);
      soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                        text, strlen (text));
    }
}

/* The event stream: this plain handler runs before the WebSocket handshake
 * and refuses it (by setting a status) when the client may not connect. */
static void
events_cb (SoupServer        *soup,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  IocdServer *self = user_data;
  g_autoptr(IocdRequest) request = g_new0 (IocdRequest, 1);
  g_autoptr(GError) error = NULL;
  const char *after = query ? g_hash_table_lookup (query, "after") : NULL;

  request->server = g_object_ref (self);
  request->msg = g_object_ref (msg);
  request->method = soup_server_message_get_method (msg);
  request->path = path;
  request->now = g_get_real_time ();
  request->query = g_hash_table_new (g_str_hash, g_str_equal);

  request->user = iocd_request_authenticate (request, &error);
  if (request->user == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  if (!ioc_workflow_can_see (request->user->role, TRUE))
    {
      error = g_error_new_literal (IOC_ERROR, IOC_ERROR_FORBIDDEN, "this role receives no task events");
      iocd_request_send_error (request, error);
      return;
    }

  if (after != NULL)
    {
      char *end = NULL;
      gint64 seq = g_ascii_strtoll (after, &end, 10);

      if (end == after || *end != '\0' || seq < 0)
        {
          ioc_set_field_error (&error, "after", "must be a sequence number");
          iocd_request_send_error (request, error);
          return;
        }
      /* Ahead of the log (a database restored from a backup): the client's
       * copy cannot be trusted, it must load a new snapshot. */
      if (seq > iocd_store_last_event_seq (self->store))
        {
          ioc_set_field_error (&error, "after", "is ahead of the server's event log; load the tasks again");
          iocd_request_send_error (request, error);
          return;
        }
    }

  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, &error))
    {
      g_autoptr(GError) e = g_error_new (IOC_ERROR, IOC_ERROR_INVALID, "%s", error->message);
      iocd_request_send_error (request, e);
      return;
    }

  g_object_set_data_full (G_OBJECT (msg), "iocd-user", ioc_user_ref (request->user),
                          (GDestroyNotify) ioc_user_unref);
  g_object_set_data_full (G_OBJECT (msg), "iocd-token-hash", g_strdup (request->token_hash), g_free);
}

static void
websocket_cb (SoupServer              *soup,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  IocdServer *self = user_data;
  IocUser *user = g_object_get_data (G_OBJECT (msg), "iocd-user");
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GHashTable) params = NULL;
  const char *after = NULL;
  gint64 seq;

  g_return_if_fail (user != NULL);

  if (g_uri_get_query (uri) != NULL)
    params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params != NULL)
    after = g_hash_table_lookup (params, "after");

  /* Without a position the client starts from now: it has just loaded a snapshot. */
  seq = after ? g_ascii_strtoll (after, NULL, 10) : iocd_store_last_event_seq (self->store);

  g_debug ("Event client of %s from seq %" G_GINT64_FORMAT, user->username, seq);
  iocd_event_hub_add_client (self->hub, connection, user,
                             g_object_get_data (G_OBJECT (msg), "iocd-token-hash"), seq);
}

IocdServer *
iocd_server_new (const IocdConfig *config,
                 IocdStore        *store,
                 GTlsCertificate  *certificate)
{
  IocdServer *self = g_object_new (IOCD_TYPE_SERVER, NULL);

  self->config = g_new0 (IocdConfig, 1);
  *self->config = *config;
  self->config->listen = g_strdup (config->listen);
  self->config->state_dir = g_strdup (config->state_dir);
  self->config->database = g_strdup (config->database);
  self->config->tls_cert = g_strdup (config->tls_cert);
  self->config->tls_key = g_strdup (config->tls_key);
  self->config->data_dir = g_strdup (config->data_dir);
  self->config->time_zone = g_strdup (config->time_zone);
  self->config->tile_sets = g_hash_table_ref (config->tile_sets);

  self->store = g_object_ref (store);
  self->certificate = g_object_ref (certificate);
  self->hub = iocd_event_hub_new (store);

  self->soup = soup_server_new ("tls-certificate", certificate,
                                "server-header", "iocd/" PACKAGE_VERSION " ",
                                NULL);
  soup_server_add_early_handler (self->soup, NULL, early_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, server_cb, self, NULL);
  soup_server_add_handler (self->soup, "/api/v1/events", events_cb, self, NULL);
  soup_server_add_websocket_handler (self->soup, "/api/v1/events", NULL, NULL, websocket_cb, self, NULL);
  iocd_server_start_writer (self);

  return self;
}

gboolean
iocd_server_listen (IocdServer  *self,
                    GError     **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketAddressEnumerator) enumerator = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  if (!iocd_server_reload_reference (self, error))
    return FALSE;

  connectable = g_network_address_parse (self->config->listen, 8443, error);
  if (connectable == NULL)
    {
      g_prefix_error (error, "listen address “%s”: ", self->config->listen);
      return FALSE;
    }

  /* Numeric addresses only: resolving a host name here would block start-up. */
  enumerator = g_socket_connectable_enumerate (connectable);
  address = g_socket_address_enumerator_next (enumerator, NULL, error);
  if (address == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "cannot use “%s”", self->config->listen);
      return FALSE;
    }

  return soup_server_listen (self->soup, address, SOUP_SERVER_LISTEN_HTTPS, error);
}

GSList *
iocd_server_get_uris (IocdServer *self)
{
  return soup_server_get_uris (self->soup);
}

static void
iocd_server_dispose (GObject *object)
{
  IocdServer *self = (IocdServer *) object;

  /* Every change checked is written and answered before the store goes. */
  if (self->pending != NULL)
    {
      iocd_server_settle_writes (self);
      iocd_server_stop_writer (self);
    }
  g_clear_handle_id (&self->pending_id, g_source_remove);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->hub);
  g_clear_object (&self->store);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (iocd_server_parent_class)->dispose (object);
}

static void
iocd_server_finalize (GObject *object)
{
  IocdServer *self = (IocdServer *) object;

  g_clear_pointer (&self->departments, g_hash_table_unref);
  g_clear_pointer (&self->categories, g_hash_table_unref);
  g_clear_pointer (&self->communes, g_hash_table_unref);
  g_clear_pointer (&self->logins_in_flight, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->pending_tasks, g_hash_table_unref);
  g_clear_pointer (&self->pending_keys, g_hash_table_unref);
  iocd_config_free (self->config);

  G_OBJECT_CLASS (iocd_server_parent_class)->finalize (object);
}

static void
iocd_server_class_init (IocdServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = iocd_server_dispose;
  object_class->finalize = iocd_server_finalize;
}

static void
iocd_server_init (IocdServer *self)
{
  self->departments = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) ioc_department_unref);
  self->categories = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) ioc_category_unref);
  self->communes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) ioc_commune_unref);
  self->logins_in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending = g_ptr_array_new ();
  self->pending_tasks = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->pending_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
