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

/* Whether the user's first language is Vietnamese: what picks the
 * Vietnamese or the English of data that comes in both. */
gboolean  ioc_text_user_reads_vietnamese (void);

G_END_DECLS
