/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include <string.h>

#include "ioc-error.h"

G_DEFINE_QUARK (ioc-error-quark, ioc_error)

static const struct {
  guint status;
  const char *code;
} error_map[] = {
  [IOC_ERROR_INVALID]      = { 400, "invalid" },
  [IOC_ERROR_MALFORMED]    = { 400, "malformed" },
  [IOC_ERROR_UNAUTHORIZED] = { 401, "unauthorized" },
  [IOC_ERROR_FORBIDDEN]    = { 403, "forbidden" },
  [IOC_ERROR_NOT_FOUND]    = { 404, "not_found" },
  [IOC_ERROR_METHOD]       = { 405, "method_not_allowed" },
  [IOC_ERROR_CONFLICT]     = { 409, "conflict" },
  [IOC_ERROR_WRONG_STATE]  = { 409, "wrong_state" },
  [IOC_ERROR_TOO_LARGE]    = { 413, "too_large" },
  [IOC_ERROR_IDEMPOTENCY]  = { 422, "idempotency_key_reused" },
  [IOC_ERROR_RATE_LIMITED] = { 429, "rate_limited" },
  [IOC_ERROR_INTERNAL]     = { 500, "internal" },
  [IOC_ERROR_UNAVAILABLE]  = { 503, "unavailable" },
};

guint
ioc_error_http_status (const GError *error)
{
  if (error == NULL || error->domain != IOC_ERROR ||
      error->code < 0 || error->code >= (int) G_N_ELEMENTS (error_map))
    return 500;

  return error_map[error->code].status;
}

const char *
ioc_error_code_string (const GError *error)
{
  if (error == NULL || error->domain != IOC_ERROR ||
      error->code < 0 || error->code >= (int) G_N_ELEMENTS (error_map))
    return "internal";

  return error_map[error->code].code;
}

void
ioc_set_field_error (GError    **error,
                     const char *field,
                     const char *format,
                     ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s: %s", field, text);
}

char *
ioc_error_get_field (const GError *error)
{
  const char *colon;

  if (error == NULL || !g_error_matches (error, IOC_ERROR, IOC_ERROR_INVALID))
    return NULL;

  colon = strstr (error->message, ": ");
  if (colon == NULL || colon == error->message)
    return NULL;

  for (const char *p = error->message; p < colon; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return NULL;

  return g_strndup (error->message, colon - error->message);
}
