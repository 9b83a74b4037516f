/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ioc-error.h"
#include "ioc-json.h"
#include "ioc-time.h"

#define MAX_DEPTH 64

/*
 * json-glib 1.6 is lenient (it takes comments, "var x =" prefixes, several
 * values, single quotes, hex numbers) and recurses without a depth limit.
 * Request bodies come from anyone who can reach the server, so they are
 * first checked against RFC 8259 strictly, with bounded nesting, and only
 * then handed to json-glib.
 */
typedef struct {
  const char *p;
  const char *end;
  guint       depth;
  const char *problem;
} Scanner;

static void
skip_ws (Scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean scan_value (Scanner *s);

static gboolean
scan_string (Scanner *s)
{
  s->p++;   /* the opening quote */
  while (s->p < s->end)
    {
      guchar c = *s->p;

      if (c == '"')
        {
          s->p++;
          return TRUE;
        }
      if (c < 0x20)
        {
          s->problem = "a control character inside a string";
          return FALSE;
        }
      if (c == '\\')
        {
          s->p++;
          if (s->p >= s->end)
            break;
          switch (*s->p)
            {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
              s->p++;
              break;
            case 'u':
              if (s->end - s->p < 5 ||
                  !g_ascii_isxdigit (s->p[1]) || !g_ascii_isxdigit (s->p[2]) ||
                  !g_ascii_isxdigit (s->p[3]) || !g_ascii_isxdigit (s->p[4]))
                {
                  s->problem = "a bad \\u escape";
                  return FALSE;
                }
              /* A NUL would silently cut the text short further on. */
              if (strncmp (s->p + 1, "0000", 4) == 0)
                {
                  s->problem = "a NUL character (\\u0000) inside a string";
                  return FALSE;
                }
              s->p += 5;
              break;
            default:
              s->problem = "a bad escape inside a string";
              return FALSE;
            }
          continue;
        }
      s->p++;
    }

  s->problem = "a string that is not closed";
  return FALSE;
}

static gboolean
scan_number (Scanner *s)
{
  const char *start = s->p;

  if (*s->p == '-')
    s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (s->p < s->end && *s->p >= '1' && *s->p <= '9')
    while (s->p < s->end && g_ascii_isdigit (*s->p))
      s->p++;
  else
    goto bad;

  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        goto bad;
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        s->p++;
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        goto bad;
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        s->p++;
    }
  return s->p > start;

bad:
  s->problem = "a malformed number";
  return FALSE;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word)
{
  gsize len = strlen (word);

  if ((gsize) (s->end - s->p) < len || strncmp (s->p, word, len) != 0)
    {
      s->problem = "an unexpected character";
      return FALSE;
    }
  s->p += len;
  return TRUE;
}

static gboolean
scan_container (Scanner *s,
                char     close)
{
  gboolean first = TRUE;

  if (++s->depth > MAX_DEPTH)
    {
      s->problem = "nesting deeper than 64 levels";
      return FALSE;
    }
  s->p++;

  for (;;)
    {
      skip_ws (s);
      if (s->p >= s->end)
        {
          s->problem = "an object or array that is not closed";
          return FALSE;
        }
      if (*s->p == close && first)
        {
          s->p++;
          break;
        }
      if (!first)
        {
          if (*s->p == close)
            {
              s->p++;
              break;
            }
          if (*s->p != ',')
            {
              s->problem = "a missing comma";
              return FALSE;
            }
          s->p++;
          skip_ws (s);
        }
      first = FALSE;

      if (close == '}')
        {
          if (s->p >= s->end || *s->p != '"')
            {
              s->problem = "an object member name that is not a string";
              return FALSE;
            }
          if (!scan_string (s))
            return FALSE;
          skip_ws (s);
          if (s->p >= s->end || *s->p != ':')
            {
              s->problem = "a missing colon";
              return FALSE;
            }
          s->p++;
        }

      if (!scan_value (s))
        return FALSE;
    }

  s->depth--;
  return TRUE;
}

static gboolean
scan_value (Scanner *s)
{
  skip_ws (s);
  if (s->p >= s->end)
    {
      s->problem = "a missing value";
      return FALSE;
    }

  switch (*s->p)
    {
    case '{':
      return scan_container (s, '}');
    case '[':
      return scan_container (s, ']');
    case '"':
      return scan_string (s);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      if (*s->p == '-' || g_ascii_isdigit (*s->p))
        return scan_number (s);
      s->problem = "an unexpected character";
      return FALSE;
    }
}

static gboolean
check_syntax (const char  *data,
              gsize        length,
              GError     **error)
{
  Scanner s = { data, data + length, 0, NULL };

  if (scan_value (&s))
    {
      skip_ws (&s);
      if (s.p == s.end)
        return TRUE;
      s.problem = "text after the JSON value";
    }

  g_set_error (error, IOC_ERROR, IOC_ERROR_MALFORMED, "the body is not valid JSON: %s at byte %"
               G_GSIZE_FORMAT, s.problem, (gsize) (s.p - data));
  return FALSE;
}

JsonNode *
ioc_json_parse (const char  *data,
                gssize       length,
                GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;

  if (length < 0)
    length = data ? strlen (data) : 0;

  /* json-glib accepts some invalid UTF-8 inside strings; refuse it up front. */
  if (data == NULL || !g_utf8_validate (data, length, NULL))
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_MALFORMED, "the body is not valid UTF-8");
      return NULL;
    }

  if (!check_syntax (data, length, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_MALFORMED, "the body is not valid JSON: %s",
                   local_error->message);
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_MALFORMED, "the body is empty");
      return NULL;
    }

  return json_parser_steal_root (parser);
}

JsonObject *
ioc_json_parse_object (const char  *data,
                       gssize       length,
                       GError     **error)
{
  g_autoptr(JsonNode) root = ioc_json_parse (data, length, error);

  if (root == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "the body must be a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

static JsonNode *
get_member (JsonObject  *object,
            const char  *field,
            gboolean     required,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, field);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        ioc_set_field_error (error, field, "is required");
      return NULL;
    }

  return node;
}

gboolean
ioc_json_get_string (JsonObject  *object,
                     const char  *field,
                     gboolean     required,
                     guint        max_chars,
                     char       **out,
                     GError     **error)
{
  JsonNode *node = get_member (object, field, required, error);
  const char *str;

  if (node == NULL)
    return !required;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      ioc_set_field_error (error, field, "must be a string");
      return FALSE;
    }

  str = json_node_get_string (node);
  if (!g_utf8_validate (str, -1, NULL))
    {
      ioc_set_field_error (error, field, "is not valid UTF-8");
      return FALSE;
    }

  if (required)
    {
      g_autofree char *copy = g_strstrip (g_strdup (str));

      if (copy[0] == '\0')
        {
          ioc_set_field_error (error, field, "must not be empty");
          return FALSE;
        }
    }

  if (max_chars > 0 && g_utf8_strlen (str, -1) > (glong) max_chars)
    {
      ioc_set_field_error (error, field, "is longer than %u characters", max_chars);
      return FALSE;
    }

  g_free (*out);
  *out = g_strdup (str);
  return TRUE;
}

gboolean
ioc_json_get_int (JsonObject  *object,
                  const char  *field,
                  gboolean     required,
                  gint64       min,
                  gint64       max,
                  gint64      *out,
                  GError     **error)
{
  JsonNode *node = get_member (object, field, required, error);
  gint64 value;

  if (node == NULL)
    return !required;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      ioc_set_field_error (error, field, "must be an integer");
      return FALSE;
    }

  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      ioc_set_field_error (error, field, "must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
                           min, max);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

gboolean
ioc_json_get_double (JsonObject  *object,
                     const char  *field,
                     gboolean     required,
                     double       min,
                     double       max,
                     double      *out,
                     GError     **error)
{
  JsonNode *node = get_member (object, field, required, error);
  double value;

  if (node == NULL)
    return !required;

  if (!JSON_NODE_HOLDS_VALUE (node))
    goto not_a_number;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    value = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    value = json_node_get_double (node);
  else
    goto not_a_number;

  if (!isfinite (value) || value < min || value > max)
    {
      ioc_set_field_error (error, field, "must be between %g and %g", min, max);
      return FALSE;
    }

  *out = value;
  return TRUE;

not_a_number:
  ioc_set_field_error (error, field, "must be a number");
  return FALSE;
}

gboolean
ioc_json_get_time (JsonObject  *object,
                   const char  *field,
                   gboolean     required,
                   gint64      *out,
                   GError     **error)
{
  JsonNode *node = get_member (object, field, required, error);

  if (node == NULL)
    return !required;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      !ioc_time_parse (json_node_get_string (node), out))
    {
      ioc_set_field_error (error, field, "must be an ISO 8601 time with an offset");
      return FALSE;
    }

  return TRUE;
}

void
ioc_json_add_time (JsonBuilder *builder,
                   const char  *field,
                   gint64       usec)
{
  json_builder_set_member_name (builder, field);
  if (usec == 0)
    {
      json_builder_add_null_value (builder);
    }
  else
    {
      g_autofree char *text = ioc_time_format (usec);
      json_builder_add_string_value (builder, text);
    }
}

void
ioc_json_add_string_or_null (JsonBuilder *builder,
                             const char  *field,
                             const char  *value)
{
  json_builder_set_member_name (builder, field);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, value);
}

char *
ioc_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

JsonArray *
ioc_json_get_array_member (JsonNode   *node,
                           const char *name)
{
  JsonNode *member;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  member = json_object_get_member (json_node_get_object (node), name);
  return member != NULL && JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member) : NULL;
}
