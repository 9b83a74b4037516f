/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-overview"

#include "config.h"

#include "iocd-server-private.h"

/* GET /api/v1/overview: per department, the tasks it holds by state, how
 * many are overdue, and how fast it acknowledged and resolved over the last
 * days. The numbers come from the store in one go (iocd-store.h); this
 * route checks who asks and renders them. */

#define DAYS_DEFAULT 30
#define DAYS_MAX 365

static gboolean
parse_days (GHashTable  *query,
            guint       *days,
            GError     **error)
{
  GHashTableIter iter;
  gpointer key, value;

  *days = DAYS_DEFAULT;

  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      const char *v = value;
      guint64 n = 0;

      if (!g_str_equal (name, "days"))
        {
          g_autofree char *valid = g_utf8_make_valid (name, -1);

          ioc_set_field_error (error, valid, "is not a parameter of the overview");
          return FALSE;
        }

      /* Digits only: no sign, no spaces, no fraction. */
      if (!g_ascii_string_to_unsigned (v, 10, 1, DAYS_MAX, &n, NULL) || !g_ascii_isdigit (v[0]))
        {
          ioc_set_field_error (error, "days", "must be a whole number of days from 1 to %d", DAYS_MAX);
          return FALSE;
        }
      *days = n;
    }

  return TRUE;
}

/* Whole seconds, or null when there was nothing to measure. */
static void
add_seconds_or_null (JsonBuilder *b,
                     const char  *name,
                     gint64       usec)
{
  json_builder_set_member_name (b, name);
  if (usec < 0)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, (usec + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC);
}

static void
handle_overview (IocdServer  *self,
                 IocdRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  IocUser *user = request->user;
  const char *department = NULL;
  gint64 since;
  guint days;

  /* As for the task list: administrators handle no tasks. */
  if (!ioc_workflow_can_see (user->role, TRUE))
    {
      error = g_error_new_literal (IOC_ERROR, IOC_ERROR_FORBIDDEN, "this role does not handle tasks");
      iocd_request_send_error (request, error);
      return;
    }

  if (!parse_days (request->query, &days, &error))
    {
      iocd_request_send_error (request, error);
      return;
    }

  /* A liaison sees their own department's row only. */
  if (user->role == IOC_ROLE_LIAISON)
    {
      department = user->department;
      if (department == NULL)
        {
          error = g_error_new_literal (IOC_ERROR, IOC_ERROR_FORBIDDEN, "your account belongs to no department");
          iocd_request_send_error (request, error);
          return;
        }
    }

  since = request->now - (gint64) days * 24 * 3600 * G_USEC_PER_SEC;
  rows = iocd_store_department_overview (self->store, since, request->now, department, &error);
  if (rows == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  ioc_json_add_time (b, "time", request->now);
  ioc_json_add_time (b, "since", since);
  json_builder_set_member_name (b, "days");
  json_builder_add_int_value (b, days);
  json_builder_set_member_name (b, "departments");
  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    {
      IocdDepartmentOverview *row = g_ptr_array_index (rows, i);
      IocDepartment *d = g_hash_table_lookup (self->departments, row->department);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, row->department);
      ioc_json_add_string_or_null (b, "name_vi", d ? d->name_vi : NULL);
      ioc_json_add_string_or_null (b, "name_en", d ? d->name_en : NULL);

      json_builder_set_member_name (b, "counts");
      json_builder_begin_object (b);
      for (guint s = 0; s < IOC_N_TASK_STATES; s++)
        {
          json_builder_set_member_name (b, ioc_task_state_to_string (s));
          json_builder_add_int_value (b, row->counts[s]);
        }
      json_builder_end_object (b);

      json_builder_set_member_name (b, "open");
      json_builder_add_int_value (b, row->open);
      json_builder_set_member_name (b, "overdue");
      json_builder_add_int_value (b, row->overdue);
      json_builder_set_member_name (b, "acknowledged");
      json_builder_add_int_value (b, row->acknowledged);
      add_seconds_or_null (b, "median_acknowledge_seconds", row->median_acknowledge);
      json_builder_set_member_name (b, "resolved");
      json_builder_add_int_value (b, row->resolved);
      add_seconds_or_null (b, "median_resolve_seconds", row->median_resolve);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
}

void
iocd_server_handle_overview (IocdServer   *self,
                             IocdRequest  *request,
                             char        **segments)
{
  if (segments[0] != NULL)
    {
      g_autoptr(GError) error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no such resource: %s",
                                             request->path);

      iocd_request_send_error (request, error);
      return;
    }

  if (!g_str_equal (request->method, "GET"))
    {
      iocd_request_send_method_not_allowed (request, "GET");
      return;
    }

  handle_overview (self, request);
}
