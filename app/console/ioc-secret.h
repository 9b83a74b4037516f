/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Session tokens in the desktop keyring (libsecret), one entry per server
 * and user. Where no keyring is available every call fails with an error
 * the console shows ("no keyring: you will be asked for the password at
 * each start") and the console goes on without storing anything.
 */

void      ioc_secret_store_async   (const char          *server,
                                    const char          *username,
                                    const char          *token,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean  ioc_secret_store_finish  (GAsyncResult        *result,
                                    GError             **error);
/* The token stored for @server, with the user name it belongs to; NULL
 * without an error when none is stored. */
void      ioc_secret_lookup_async  (const char          *server,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
char     *ioc_secret_lookup_finish (GAsyncResult        *result,
                                    char               **username,
                                    GError             **error);
void      ioc_secret_clear_async   (const char          *server,
                                    const char          *username,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean  ioc_secret_clear_finish  (GAsyncResult        *result,
                                    GError             **error);

G_END_DECLS
