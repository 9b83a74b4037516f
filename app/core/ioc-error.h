/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IOC_ERROR (ioc_error_quark ())

/* Each code maps to one HTTP status (ioc_error_http_status) and one wire code. */
typedef enum {
  IOC_ERROR_INVALID,          /* 400: a field is missing, of the wrong type or out of range */
  IOC_ERROR_MALFORMED,        /* 400: not JSON, or not UTF-8 */
  IOC_ERROR_UNAUTHORIZED,     /* 401 */
  IOC_ERROR_FORBIDDEN,        /* 403 */
  IOC_ERROR_NOT_FOUND,        /* 404 */
  IOC_ERROR_METHOD,           /* 405 */
  IOC_ERROR_CONFLICT,         /* 409: the task changed since the client read it */
  IOC_ERROR_WRONG_STATE,      /* 409: the action does not apply in the task's state */
  IOC_ERROR_TOO_LARGE,        /* 413 */
  IOC_ERROR_IDEMPOTENCY,      /* 422: an Idempotency-Key reused for another request */
  IOC_ERROR_RATE_LIMITED,     /* 429 */
  IOC_ERROR_INTERNAL,         /* 500 */
  IOC_ERROR_UNAVAILABLE,      /* 503 */
} IocError;

GQuark      ioc_error_quark       (void);
guint       ioc_error_http_status (const GError *error);
const char *ioc_error_code_string (const GError *error);

G_END_DECLS

G_BEGIN_DECLS

/* IOC_ERROR_INVALID about one field: the message reads "field: what is wrong",
 * so that clients can point at the field (ioc_error_get_field). */
void  ioc_set_field_error (GError    **error,
                           const char *field,
                           const char *format,
                           ...) G_GNUC_PRINTF (3, 4);
char *ioc_error_get_field (const GError *error);

G_END_DECLS
