/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include <string.h>

#include "ioc-text.h"

char *
ioc_text_fold (const char *text)
{
  g_autofree char *decomposed = NULL;
  GString *out;
  gboolean pending_space = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;

  /* NFD splits "ệ" into "e" and its marks, which are then dropped. */
  decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFD);
  out = g_string_sized_new (strlen (decomposed));

  for (const char *p = decomposed; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (type == G_UNICODE_NON_SPACING_MARK ||
          type == G_UNICODE_SPACING_MARK ||
          type == G_UNICODE_ENCLOSING_MARK)
        continue;

      if (g_unichar_isspace (c))
        {
          pending_space = out->len > 0;
          continue;
        }

      /* đ has no decomposition in Unicode; Vietnamese readers fold it to d. */
      if (c == 0x0111 || c == 0x0110)
        c = 'd';
      else
        c = g_unichar_tolower (c);

      if (pending_space)
        {
          g_string_append_c (out, ' ');
          pending_space = FALSE;
        }
      g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

gboolean
ioc_text_matches (const char *folded_text,
                  const char *folded_query)
{
  g_auto(GStrv) words = NULL;

  if (folded_query == NULL || *folded_query == '\0')
    return TRUE;
  if (folded_text == NULL)
    return FALSE;

  words = g_strsplit (folded_query, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0' && strstr (folded_text, words[i]) == NULL)
      return FALSE;

  return TRUE;
}

static gboolean
user_reads_vietnamese (void)
{
  static int vietnamese = -1;

  if (vietnamese < 0)
    {
      const char * const *languages = g_get_language_names ();

      /* The first language the desktop asks for decides, as it does for
       * the translation itself. */
      vietnamese = languages[0] != NULL && g_str_has_prefix (languages[0], "vi");
    }
  return vietnamese;
}

const char *
ioc_text_for_user (const char *vietnamese,
                   const char *english)
{
  gboolean vi = user_reads_vietnamese ();
  const char *first = vi ? vietnamese : english;
  const char *other = vi ? english : vietnamese;

  return first != NULL && *first != '\0' ? first : other;
}
