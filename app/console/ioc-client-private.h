/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ioc-client.h"

G_BEGIN_DECLS

/* A message to base URI + @path_and_query carrying the session's token, for
 * requests the client does not wrap itself (the event WebSocket). Sent
 * through ioc_client_get_session(), it is held to the pinned certificate
 * like every other message. */
SoupMessage *ioc_client_new_message     (IocClient    *self,
                                         const char   *method,
                                         const char   *path_and_query);

/* Turns a transport error of @msg into what the console shows: a refused
 * certificate becomes IOC_CLIENT_ERROR_CERTIFICATE_CHANGED (naming both
 * fingerprints), anything else IOC_CLIENT_ERROR_NETWORK in plain words.
 * Cancellation is passed through unchanged. */
GError      *ioc_client_translate_error (IocClient    *self,
                                         SoupMessage  *msg,
                                         const GError *error);

G_END_DECLS
