/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd"

#include "config.h"

#include <string.h>

#include "iocd-apikey-store.h"
#include "iocd-auth.h"
#include "iocd-feeds.h"

/* Open311 service attributes */

static const char * const datatypes[] = {
  "string", "number", "datetime", "text", "singlevaluelist", "multivaluelist", NULL
};

/* The spec lets a server explain each datatype to the people filling in forms. */
static const char *
datatype_description (const char *datatype)
{
  if (g_str_equal (datatype, "number"))
    return "Một số, ví dụ 30 hoặc 12.5";
  if (g_str_equal (datatype, "datetime"))
    return "Ngày giờ ISO 8601 có múi giờ, ví dụ 2026-11-28T21:30:00+07:00";
  if (g_str_equal (datatype, "singlevaluelist"))
    return "Chọn một giá trị trong danh sách";
  if (g_str_equal (datatype, "multivaluelist"))
    return "Chọn một hoặc nhiều giá trị trong danh sách";
  return "Văn bản";
}

static gboolean
add_values (JsonBuilder  *b,
            const char   *values,
            guint         line,
            GError      **error)
{
  g_auto(GStrv) pairs = g_strsplit (values, ";", -1);

  json_builder_set_member_name (b, "values");
  json_builder_begin_array (b);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      g_autofree char *key = NULL;

      if (eq == NULL || eq == pairs[i] || eq[1] == '\0')
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID,
                       "category_attributes.csv line %u: values must be key=name;key=name", line);
          return FALSE;
        }
      key = g_strndup (pairs[i], eq - pairs[i]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, key);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, eq + 1);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return TRUE;
}

gboolean
iocd_demo_load_category_attributes (IocdStore   *store,
                                    const char  *data_dir,
                                    GError     **error)
{
  static const char * const columns[] = {
    "category", "code", "datatype", "required", "order", "description", "values", NULL
  };
  g_autofree char *path = g_build_filename (data_dir, "category_attributes.csv", NULL);
  g_autoptr(IocCsv) csv = ioc_csv_load (path, error);
  g_autoptr(GPtrArray) categories = NULL;
  g_autoptr(GHashTable) builders = NULL;
  int col[7];

  if (csv == NULL)
    return FALSE;

  for (guint i = 0; columns[i] != NULL; i++)
    {
      col[i] = ioc_csv_column (csv, columns[i]);
      if (col[i] < 0)
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s has no column “%s”", path, columns[i]);
          return FALSE;
        }
    }

  categories = iocd_store_list_categories (store, error);
  if (categories == NULL)
    return FALSE;

  /* category code → JsonBuilder holding an open array of attributes */
  builders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  for (guint i = 1; i < csv->records->len; i++)
    {
      GStrv r = g_ptr_array_index (csv->records, i);
      guint line = g_array_index (csv->lines, guint, i);
      guint n = g_strv_length (r);
      const char *category = (guint) col[0] < n ? r[col[0]] : "";
      const char *code = (guint) col[1] < n ? r[col[1]] : "";
      const char *datatype = (guint) col[2] < n ? r[col[2]] : "";
      const char *required = (guint) col[3] < n ? r[col[3]] : "";
      const char *order = (guint) col[4] < n ? r[col[4]] : "";
      const char *description = (guint) col[5] < n ? r[col[5]] : "";
      const char *values = (guint) col[6] < n ? r[col[6]] : "";
      gboolean is_list = g_str_has_suffix (datatype, "valuelist");
      gboolean known = FALSE;
      JsonBuilder *b;
      char *end = NULL;
      gint64 order_value = g_ascii_strtoll (order, &end, 10);

      for (guint c = 0; c < categories->len; c++)
        if (g_str_equal (((IocCategory *) g_ptr_array_index (categories, c))->code, category))
          known = TRUE;

      if (!known || *code == '\0' || !g_strv_contains (datatypes, datatype) ||
          (!g_str_equal (required, "true") && !g_str_equal (required, "false")) ||
          end == order || *end != '\0' || order_value < 1 || *description == '\0' ||
          is_list != (*values != '\0'))
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID,
                       "%s line %u: unknown category, bad datatype, required, order, or values", path, line);
          return FALSE;
        }

      b = g_hash_table_lookup (builders, category);
      if (b == NULL)
        {
          b = json_builder_new ();
          json_builder_begin_array (b);
          g_hash_table_insert (builders, g_strdup (category), b);
        }

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "variable");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, code);
      json_builder_set_member_name (b, "datatype");
      json_builder_add_string_value (b, datatype);
      json_builder_set_member_name (b, "required");
      json_builder_add_boolean_value (b, g_str_equal (required, "true"));
      json_builder_set_member_name (b, "datatype_description");
      json_builder_add_string_value (b, datatype_description (datatype));
      json_builder_set_member_name (b, "order");
      json_builder_add_int_value (b, order_value);
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, description);
      if (is_list && !add_values (b, values, line, error))
        return FALSE;
      json_builder_end_object (b);
    }

  for (guint c = 0; c < categories->len; c++)
    {
      IocCategory *category = g_ptr_array_index (categories, c);
      JsonBuilder *b = g_hash_table_lookup (builders, category->code);
      g_autoptr(JsonNode) node = NULL;

      if (b == NULL)
        continue;

      json_builder_end_array (b);
      node = json_builder_get_root (b);
      g_free (category->attributes);
      category->attributes = json_to_string (node, FALSE);
      if (!iocd_store_save_category (store, category, error))
        return FALSE;
    }

  return TRUE;
}

/* iocd apikey */

static gboolean
valid_name (const char *name)
{
  if (*name == '\0' || strlen (name) > 64)
    return FALSE;

  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;

  return TRUE;
}

int
iocd_apikey_command (IocdStore  *store,
                     int         argc,
                     char      **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) scopes = NULL;
  IocdApiKeyStore *keys;
  GOptionEntry entries[] = {
    { "scope", 0, 0, G_OPTION_ARG_STRING_ARRAY, &scopes,
      "open311 or sensors; repeat for both (default open311)", "SCOPE" },
    { NULL }
  };

  context = g_option_context_new ("add|list|revoke [NAME] — manage the API keys of Open311 clients and sensor feeds");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("iocd apikey: %s\n", error->message);
      return 2;
    }

  if (!IOCD_IS_APIKEY_STORE (store))
    {
      g_printerr ("iocd apikey: this store keeps no API keys\n");
      return 1;
    }
  keys = IOCD_APIKEY_STORE (store);

  if (argc == 2 && g_str_equal (argv[1], "list"))
    {
      g_autoptr(GPtrArray) list = iocd_apikey_store_list_keys (keys, &error);

      if (list == NULL)
        goto fail;
      for (guint i = 0; i < list->len; i++)
        {
          IocdApiKey *k = g_ptr_array_index (list, i);
          g_autofree char *scope_text = g_strjoinv (",", k->scopes);
          g_autofree char *created = ioc_time_format (k->created_at);
          g_autofree char *revoked = k->revoked_at ? ioc_time_format (k->revoked_at) : NULL;

          g_print ("%-24s %-16s created %s%s%s\n", k->name, scope_text, created,
                   revoked ? ", revoked " : "", revoked ? revoked : "");
        }
      return 0;
    }

  if (argc == 3 && g_str_equal (argv[1], "add"))
    {
      const char *default_scopes[] = { IOCD_APIKEY_SCOPE_OPEN311, NULL };
      g_autofree char *key = NULL;
      g_autofree char *hash = NULL;
      g_autofree char *scope_text = NULL;

      if (!valid_name (argv[2]))
        {
          g_printerr ("iocd apikey add: the name must be 1 to 64 letters, digits, “-”, “_” or “.”\n");
          return 2;
        }
      for (guint i = 0; scopes != NULL && scopes[i] != NULL; i++)
        if (!g_str_equal (scopes[i], IOCD_APIKEY_SCOPE_OPEN311) && !g_str_equal (scopes[i], IOCD_APIKEY_SCOPE_SENSORS))
          {
            g_printerr ("iocd apikey add: --scope must be open311 or sensors\n");
            return 2;
          }

      key = iocd_auth_new_token ();
      hash = iocd_auth_hash_token (key);
      if (iocd_apikey_store_create_key (keys, argv[2], hash,
                                        scopes ? (const char * const *) scopes : default_scopes,
                                        g_get_real_time (), &error) == 0)
        goto fail;

      scope_text = g_strjoinv (",", scopes ? scopes : (GStrv) default_scopes);
      /* Only the hash is kept: this is the one time the key can be read. */
      g_print ("Added the API key of %s (%s); give it to the client now, it is not shown again\n",
               argv[2], scope_text);
      g_print ("Key: %s\n", key);
      return 0;
    }

  if (argc == 3 && g_str_equal (argv[1], "revoke"))
    {
      if (!iocd_apikey_store_revoke_key (keys, argv[2], g_get_real_time (), &error))
        goto fail;

      g_print ("Revoked the API key of %s\n", argv[2]);
      return 0;
    }

  g_printerr ("%s", g_option_context_get_help (context, TRUE, NULL));
  return 2;

fail:
  g_printerr ("iocd apikey: %s\n", error->message);
  return 1;
}
