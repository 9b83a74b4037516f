/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * Validating readers for request bodies. Each names the field in its error
 * (ioc_set_field_error). An absent member leaves *out untouched and is an
 * error only when @required; a member of the wrong type is always an error.
 */

JsonNode *ioc_json_parse          (const char  *data,
                                   gssize       length,
                                   GError     **error);
JsonObject *ioc_json_parse_object (const char  *data,
                                   gssize       length,
                                   GError     **error);

gboolean ioc_json_get_string   (JsonObject  *object,
                                const char  *field,
                                gboolean     required,
                                guint        max_chars,
                                char       **out,
                                GError     **error);
gboolean ioc_json_get_int      (JsonObject  *object,
                                const char  *field,
                                gboolean     required,
                                gint64       min,
                                gint64       max,
                                gint64      *out,
                                GError     **error);
gboolean ioc_json_get_double   (JsonObject  *object,
                                const char  *field,
                                gboolean     required,
                                double       min,
                                double       max,
                                double      *out,
                                GError     **error);
gboolean ioc_json_get_time     (JsonObject  *object,
                                const char  *field,
                                gboolean     required,
                                gint64      *out,
                                GError     **error);

/* Writers that keep the wire format in one place. */
void     ioc_json_add_time     (JsonBuilder *builder,
                                const char  *field,
                                gint64       usec);
void     ioc_json_add_string_or_null (JsonBuilder *builder,
                                      const char  *field,
                                      const char  *value);
char    *ioc_json_to_string    (JsonNode    *node);
/* The member @name of @node when @node is an object and the member an
 * array, else NULL: a list in an answer of the server ("tasks", …). */
JsonArray *ioc_json_get_array_member (JsonNode   *node,
                                      const char *name);

G_END_DECLS
