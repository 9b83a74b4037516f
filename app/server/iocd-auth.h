/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  iocd_auth_init            (GError     **error);
/* Argon2id (libsodium's interactive limits); slow on purpose: call it from a
 * worker thread in the server. */
char     *iocd_auth_hash_password   (const char  *password,
                                     GError     **error);
gboolean  iocd_auth_verify_password (const char  *hash,
                                     const char  *password);
/* A new session token: 256 random bits, URL-safe base64. */
char     *iocd_auth_new_token       (void);
/* Tokens are stored only as their SHA-256, so a copy of the database opens no session. */
char     *iocd_auth_hash_token      (const char  *token);
/* A readable random password for demo accounts and "user add" without one. */
char     *iocd_auth_new_password    (void);

G_END_DECLS
