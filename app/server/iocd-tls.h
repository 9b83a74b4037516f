/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Creates a self-signed certificate and private key (PEM files, key mode 0600) when
 * either file is missing; returns TRUE and sets *created to whether it created them. */
gboolean  iocd_tls_ensure_self_signed (const char  *cert_path,
                                       const char  *key_path,
                                       gboolean    *created,
                                       GError     **error);

/* Loads the pair for a GTlsServerConnection. */
GTlsCertificate *iocd_tls_load (const char  *cert_path,
                                const char  *key_path,
                                GError     **error);

/* SHA-256 fingerprint of the DER certificate, as upper-case hex pairs joined by ':' */
char     *iocd_tls_fingerprint_sha256 (GTlsCertificate *certificate);

G_END_DECLS
