/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd"

#include "config.h"

#include <sodium.h>
#include <string.h>

#include "ioc-error.h"
#include "iocd-auth.h"

gboolean
iocd_auth_init (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INTERNAL, "libsodium could not be initialised");
      return FALSE;
    }

  return TRUE;
}

char *
iocd_auth_hash_password (const char  *password,
                         GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  if (crypto_pwhash_str_alg (hash, password, strlen (password),
                             crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE,
                             crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INTERNAL, "not enough memory to hash the password");
      return NULL;
    }

  return g_strdup (hash);
}

gboolean
iocd_auth_verify_password (const char *hash,
                           const char *password)
{
  if (hash == NULL || password == NULL)
    return FALSE;

  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

char *
iocd_auth_new_token (void)
{
  guchar bytes[32];
  char text[sodium_base64_ENCODED_LEN (32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (bytes, sizeof bytes);

  return g_strdup (text);
}

char *
iocd_auth_hash_token (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

char *
iocd_auth_new_password (void)
{
  /* No look-alike characters (0/O, 1/l/I): people type these from a screen. */
  static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < 12; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (s, '-');
      g_string_append_c (s, alphabet[randombytes_uniform (sizeof alphabet - 1)]);
    }

  return g_string_free (s, FALSE);
}
