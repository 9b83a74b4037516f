/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "iocd-tls.h"

#define SERIAL_LEN 16
#define P256_BITS GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1)
#define VALIDITY_YEARS 10
/* Absorbs clock skew between the server and the first clients to connect. */
#define BACKDATE_SECONDS (60 * 60)

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)

/* Exported datums may hold the private key, so they are wiped rather than just freed. */
static void
secure_datum_clear (gnutls_datum_t *datum)
{
  if (datum->data != NULL)
    {
      gnutls_memset (datum->data, 0, datum->size);
      gnutls_free (datum->data);
    }
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, secure_datum_clear)

static gboolean
check_gnutls (int          ret,
              const char  *what,
              GError     **error)
{
  if (ret >= 0)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, gnutls_strerror (ret));
  return FALSE;
}

static gboolean
ensure_parent_directory (const char  *path,
                         GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not create directory “%s”: %s", dir, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

static gboolean
add_san (gnutls_x509_crt_t                crt,
         gnutls_x509_subject_alt_name_t   type,
         const void                      *data,
         unsigned int                     size,
         gboolean                         first,
         GError                         **error)
{
  return check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, type, data, size,
                                                             first ? GNUTLS_FSAN_SET
                                                                   : GNUTLS_FSAN_APPEND),
                       "subjectAltName", error);
}

static gboolean
generate (gnutls_datum_t  *cert_pem,
          gnutls_datum_t  *key_pem,
          GError         **error)
{
  static const guint8 ipv4_loopback[4] = { 127, 0, 0, 1 };
  static const guint8 ipv6_loopback[16] = { [15] = 1 };
  g_auto (gnutls_x509_privkey_t) key = NULL;
  g_auto (gnutls_x509_crt_t) crt = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autoptr (GDateTime) not_before = NULL;
  g_autoptr (GDateTime) not_after = NULL;
  guint8 serial[SERIAL_LEN];
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  time_t activation;
  time_t expiration;
  const char *host = g_get_host_name ();

  if (!check_gnutls (gnutls_x509_privkey_init (&key), "private key", error) ||
      !check_gnutls (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA, P256_BITS, 0),
                     "key generation", error))
    return FALSE;

  if (!check_gnutls (gnutls_x509_crt_init (&crt), "certificate", error) ||
      !check_gnutls (gnutls_x509_crt_set_version (crt, 3), "version", error) ||
      !check_gnutls (gnutls_x509_crt_set_key (crt, key), "public key", error))
    return FALSE;

  /* RFC 5280 wants a positive serial; clearing the top bit keeps the DER INTEGER
   * positive and setting the next one keeps it at the full 16 bytes. */
  if (!check_gnutls (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), "serial", error))
    return FALSE;
  serial[0] = (serial[0] & 0x7f) | 0x40;
  if (!check_gnutls (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "serial", error))
    return FALSE;

  now = g_date_time_new_now_utc ();
  not_before = g_date_time_add_seconds (now, -BACKDATE_SECONDS);
  not_after = g_date_time_add_years (not_before, VALIDITY_YEARS);
  activation = (time_t) g_date_time_to_unix (not_before);
  expiration = (time_t) g_date_time_to_unix (not_after);
  if (!check_gnutls (gnutls_x509_crt_set_activation_time (crt, activation),
                     "activation time", error) ||
      !check_gnutls (gnutls_x509_crt_set_expiration_time (crt, expiration),
                     "expiration time", error))
    return FALSE;

  if (!check_gnutls (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                    host, strlen (host)),
                     "common name", error))
    return FALSE;

  if (!add_san (crt, GNUTLS_SAN_DNSNAME, host, strlen (host), TRUE, error))
    return FALSE;
  /* The host name may itself be "localhost" when the machine has none. */
  if (g_ascii_strcasecmp (host, "localhost") != 0 &&
      !add_san (crt, GNUTLS_SAN_DNSNAME, "localhost", strlen ("localhost"), FALSE, error))
    return FALSE;
  if (!add_san (crt, GNUTLS_SAN_IPADDRESS, ipv4_loopback, sizeof ipv4_loopback, FALSE, error) ||
      !add_san (crt, GNUTLS_SAN_IPADDRESS, ipv6_loopback, sizeof ipv6_loopback, FALSE, error))
    return FALSE;

  if (!check_gnutls (gnutls_x509_crt_set_basic_constraints (crt, 0, -1),
                     "basicConstraints", error) ||
      !check_gnutls (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE),
                     "keyUsage", error) ||
      !check_gnutls (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
                     "extendedKeyUsage", error))
    return FALSE;

  /* Lets clients that pin or chain-build match the key without parsing it. */
  if (!check_gnutls (gnutls_x509_crt_get_key_id (crt, GNUTLS_KEYID_USE_SHA1, key_id, &key_id_size),
                     "subjectKeyIdentifier", error) ||
      !check_gnutls (gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size),
                     "subjectKeyIdentifier", error))
    return FALSE;

  if (!check_gnutls (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0),
                     "signing", error))
    return FALSE;

  /* PKCS#8 rather than SEC1 ("EC PRIVATE KEY") because that is the one form every
   * GTlsBackend is guaranteed to parse. */
  if (!check_gnutls (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, cert_pem),
                     "certificate export", error) ||
      !check_gnutls (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                        GNUTLS_PKCS_PLAIN, key_pem),
                     "private key export", error))
    return FALSE;

  return TRUE;
}

gboolean
iocd_tls_ensure_self_signed (const char  *cert_path,
                             const char  *key_path,
                             gboolean    *created,
                             GError     **error)
{
  g_auto (gnutls_datum_t) cert_pem = { NULL, 0 };
  g_auto (gnutls_datum_t) key_pem = { NULL, 0 };

  g_return_val_if_fail (cert_path != NULL, FALSE);
  g_return_val_if_fail (key_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (created != NULL)
    *created = FALSE;

  if (g_file_test (cert_path, G_FILE_TEST_EXISTS) && g_file_test (key_path, G_FILE_TEST_EXISTS))
    return TRUE;

  /* Writing the key over the certificate would leave neither usable. */
  if (strcmp (cert_path, key_path) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "TLS certificate and key cannot share the file “%s”", cert_path);
      return FALSE;
    }

  if (!generate (&cert_pem, &key_pem, error))
    {
      g_prefix_error (error, "Could not create self-signed certificate: ");
      return FALSE;
    }

  if (!ensure_parent_directory (cert_path, error) || !ensure_parent_directory (key_path, error))
    return FALSE;

  /* The certificate is removed first and written last so that it marks a complete
   * pair: if we die in between, the next start finds it missing and starts over
   * instead of pairing it with a key it does not match. */
  if (g_unlink (cert_path) != 0 && errno != ENOENT)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not remove stale certificate “%s”: %s",
                   cert_path, g_strerror (errsv));
      return FALSE;
    }

  if (!g_file_set_contents_full (key_path, (const char *) key_pem.data, key_pem.size,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error) ||
      !g_file_set_contents_full (cert_path, (const char *) cert_pem.data, cert_pem.size,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;

  if (created != NULL)
    *created = TRUE;

  return TRUE;
}

/* GTlsCertificate accepts any key next to any certificate; a mismatch would only
 * surface as failed handshakes, far from the configuration mistake behind it. */
static gboolean
check_key_matches (GTlsCertificate  *certificate,
                   GError          **error)
{
  g_autoptr (GByteArray) cert_der = NULL;
  g_autoptr (GByteArray) key_der = NULL;
  g_auto (gnutls_x509_crt_t) crt = NULL;
  g_auto (gnutls_x509_privkey_t) key = NULL;
  gnutls_datum_t datum;
  guint8 cert_id[64];
  guint8 key_id[64];
  size_t cert_id_size = sizeof cert_id;
  size_t key_id_size = sizeof key_id;

  g_object_get (certificate, "certificate", &cert_der, "private-key", &key_der, NULL);
  /* Keys that never leave a token (PKCS#11) cannot be compared here. */
  if (cert_der == NULL || key_der == NULL)
    return TRUE;

  datum.data = cert_der->data;
  datum.size = cert_der->len;
  if (!check_gnutls (gnutls_x509_crt_init (&crt), "certificate", error) ||
      !check_gnutls (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER),
                     "certificate", error) ||
      !check_gnutls (gnutls_x509_crt_get_key_id (crt, GNUTLS_KEYID_USE_SHA256,
                                                 cert_id, &cert_id_size),
                     "certificate key ID", error))
    return FALSE;

  datum.data = key_der->data;
  datum.size = key_der->len;
  if (!check_gnutls (gnutls_x509_privkey_init (&key), "private key", error) ||
      !check_gnutls (gnutls_x509_privkey_import2 (key, &datum, GNUTLS_X509_FMT_DER, NULL, 0),
                     "private key", error) ||
      !check_gnutls (gnutls_x509_privkey_get_key_id (key, GNUTLS_KEYID_USE_SHA256,
                                                     key_id, &key_id_size),
                     "private key ID", error))
    return FALSE;

  if (cert_id_size != key_id_size || memcmp (cert_id, key_id, cert_id_size) != 0)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           "the private key does not belong to the certificate");
      return FALSE;
    }

  return TRUE;
}

GTlsCertificate *
iocd_tls_load (const char  *cert_path,
               const char  *key_path,
               GError     **error)
{
  g_autoptr (GTlsCertificate) certificate = NULL;

  g_return_val_if_fail (cert_path != NULL, NULL);
  g_return_val_if_fail (key_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, error);
  /* GIO's parse errors do not say which file was at fault. */
  if (certificate == NULL || !check_key_matches (certificate, error))
    {
      g_prefix_error (error, "Could not load TLS certificate “%s” with key “%s”: ",
                      cert_path, key_path);
      return NULL;
    }

  return g_steal_pointer (&certificate);
}

char *
iocd_tls_fingerprint_sha256 (GTlsCertificate *certificate)
{
  g_autoptr (GByteArray) der = NULL;
  g_autoptr (GChecksum) checksum = NULL;
  g_autoptr (GString) out = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  g_return_val_if_fail (der != NULL, NULL);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &digest_len);

  out = g_string_sized_new (digest_len * 3);
  for (gsize i = 0; i < digest_len; i++)
    g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", digest[i]);

  return g_string_free (g_steal_pointer (&out), FALSE);
}
