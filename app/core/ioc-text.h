/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Folds text for search: lower case, no diacritics, đ → d, runs of white
 * space collapsed to one space. "Phản ánh ĐƯỜNG" → "phan anh duong".
 * Invalid UTF-8 yields NULL. */
char     *ioc_text_fold     (const char *text);

/* Whether every word of the folded @folded_query occurs in @folded_text. */
gboolean  ioc_text_matches  (const char *folded_text,
                             const char *folded_query);

/* Of data that comes in Vietnamese and in English (a name, a unit, an
 * attribution), the one in the user's first language, or the other when
 * that one is NULL or empty. */
const char *ioc_text_for_user (const char *vietnamese,
                               const char *english);

G_END_DECLS
