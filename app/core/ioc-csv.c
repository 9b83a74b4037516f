/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include <string.h>

#include "ioc-csv.h"
#include "ioc-error.h"

void
ioc_csv_free (IocCsv *csv)
{
  if (csv == NULL)
    return;
  g_ptr_array_unref (csv->records);
  g_array_unref (csv->lines);
  g_free (csv);
}

IocCsv *
ioc_csv_parse (const char  *text,
               gsize        length,
               GError     **error)
{
  g_autoptr(IocCsv) csv = g_new0 (IocCsv, 1);
  g_autoptr(GPtrArray) record = NULL;
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = text;
  const char *end = text + length;
  guint line = 1;
  guint record_line = 1;
  gboolean quoted = FALSE;
  gboolean field_started = FALSE;
  gboolean closed_quote = FALSE;

  csv->records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  csv->lines = g_array_new (FALSE, FALSE, sizeof (guint));

  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_MALFORMED, "the file is not valid UTF-8");
      return NULL;
    }

  /* A byte order mark is noise from spreadsheet programs. */
  if (length >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;

  record = g_ptr_array_new_with_free_func (g_free);

  while (p <= end)
    {
      char c = p < end ? *p : '\n';
      gboolean at_end = p == end;

      if (quoted)
        {
          if (at_end)
            {
              g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID,
                           "line %u: a quoted field is not closed", record_line);
              return NULL;
            }
          if (c == '"')
            {
              if (p + 1 < end && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p++;
                }
              else
                {
                  quoted = FALSE;
                  closed_quote = TRUE;
                }
            }
          else
            {
              if (c == '\n')
                line++;
              g_string_append_c (field, c);
            }
          p++;
          continue;
        }

      if (c == '"' && !field_started)
        {
          quoted = TRUE;
          field_started = TRUE;
        }
      else if (c == ',')
        {
          g_ptr_array_add (record, g_strndup (field->str, field->len));
          g_string_truncate (field, 0);
          field_started = FALSE;
          closed_quote = FALSE;
        }
      else if (c == '\r' && p + 1 < end && p[1] == '\n')
        {
          /* CR of a CRLF: the LF ends the record. */
        }
      else if (c == '\n')
        {
          gboolean blank = record->len == 0 && field->len == 0 && !field_started;

          if (!blank)
            {
              g_ptr_array_add (record, g_strndup (field->str, field->len));
              g_ptr_array_add (record, NULL);
              g_ptr_array_add (csv->records, g_ptr_array_steal (record, NULL));
              g_array_append_val (csv->lines, record_line);
              g_ptr_array_unref (record);
              record = g_ptr_array_new_with_free_func (g_free);
            }
          g_string_truncate (field, 0);
          field_started = FALSE;
          closed_quote = FALSE;
          line++;
          record_line = line;
          if (at_end)
            break;
        }
      else
        {
          if (closed_quote)
            {
              g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID,
                           "line %u: text after a closing quote", line);
              return NULL;
            }
          g_string_append_c (field, c);
          field_started = TRUE;
        }
      p++;
    }

  return g_steal_pointer (&csv);
}

IocCsv *
ioc_csv_load (const char  *path,
              GError     **error)
{
  g_autofree char *text = NULL;
  gsize length;
  IocCsv *csv;

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;

  csv = ioc_csv_parse (text, length, error);
  if (csv == NULL)
    g_prefix_error (error, "%s: ", path);

  return csv;
}

int
ioc_csv_column (IocCsv     *csv,
                const char *name)
{
  GStrv header;

  if (csv->records->len == 0)
    return -1;

  header = g_ptr_array_index (csv->records, 0);
  for (int i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], name))
      return i;

  return -1;
}
