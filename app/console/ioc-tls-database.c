/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include "ioc-tls-database.h"

/* The process's default TLS database, standing in front of the system's.
 *
 * GLib's GnuTLS backend (glib-networking 2.74) copies the system's trust
 * list into every client connection it makes while the connection's
 * database is still the default one: 14 ms a connection on this machine,
 * 50 ms for the first, which also reads the list from disk. libsoup sets
 * a session's database only once the connection is made, so each new
 * connection of the console (its own session does not use the system's
 * authorities: it holds each server to a pinned certificate) cost that
 * much of the main loop; while the tasks load, one of them fell into the
 * frame that first draws the control room. With a default database of
 * another type, a connection is made in under half a millisecond.
 *
 * This database asks the system's for everything (the base class runs the
 * asynchronous calls in a thread): other HTTPS clients in the process,
 * the map's tile source, verify certificates against the system's
 * authorities as before. The system's database is read in a worker thread
 * once, when ioc_tls_database_install() is first called; until it is
 * ready, the default stays what it was. */

struct _IocTlsDatabase
{
  GTlsDatabase  parent_instance;

  GTlsDatabase *inner;
};

G_DEFINE_FINAL_TYPE (IocTlsDatabase, ioc_tls_database, G_TYPE_TLS_DATABASE)

static GTlsCertificateFlags
ioc_tls_database_verify_chain (GTlsDatabase             *database,
                               GTlsCertificate          *chain,
                               const char               *purpose,
                               GSocketConnectable       *identity,
                               GTlsInteraction          *interaction,
                               GTlsDatabaseVerifyFlags   flags,
                               GCancellable             *cancellable,
                               GError                  **error)
{
  IocTlsDatabase *self = IOC_TLS_DATABASE (database);

  return g_tls_database_verify_chain (self->inner, chain, purpose, identity, interaction, flags,
                                      cancellable, error);
}

static char *
ioc_tls_database_create_certificate_handle (GTlsDatabase    *database,
                                            GTlsCertificate *certificate)
{
  return g_tls_database_create_certificate_handle (IOC_TLS_DATABASE (database)->inner, certificate);
}

static GTlsCertificate *
ioc_tls_database_lookup_certificate_for_handle (GTlsDatabase             *database,
                                                const char               *handle,
                                                GTlsInteraction          *interaction,
                                                GTlsDatabaseLookupFlags   flags,
                                                GCancellable             *cancellable,
                                                GError                  **error)
{
  return g_tls_database_lookup_certificate_for_handle (IOC_TLS_DATABASE (database)->inner, handle,
                                                       interaction, flags, cancellable, error);
}

static GTlsCertificate *
ioc_tls_database_lookup_certificate_issuer (GTlsDatabase             *database,
                                            GTlsCertificate          *certificate,
                                            GTlsInteraction          *interaction,
                                            GTlsDatabaseLookupFlags   flags,
                                            GCancellable             *cancellable,
                                            GError                  **error)
{
  return g_tls_database_lookup_certificate_issuer (IOC_TLS_DATABASE (database)->inner, certificate,
                                                   interaction, flags, cancellable, error);
}

static GList *
ioc_tls_database_lookup_certificates_issued_by (GTlsDatabase             *database,
                                                GByteArray               *issuer_raw_dn,
                                                GTlsInteraction          *interaction,
                                                GTlsDatabaseLookupFlags   flags,
                                                GCancellable             *cancellable,
                                                GError                  **error)
{
  return g_tls_database_lookup_certificates_issued_by (IOC_TLS_DATABASE (database)->inner, issuer_raw_dn,
                                                       interaction, flags, cancellable, error);
}

static void
ioc_tls_database_finalize (GObject *object)
{
  IocTlsDatabase *self = IOC_TLS_DATABASE (object);

  g_clear_object (&self->inner);

  G_OBJECT_CLASS (ioc_tls_database_parent_class)->finalize (object);
}

static void
ioc_tls_database_class_init (IocTlsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->finalize = ioc_tls_database_finalize;
  database_class->verify_chain = ioc_tls_database_verify_chain;
  database_class->create_certificate_handle = ioc_tls_database_create_certificate_handle;
  database_class->lookup_certificate_for_handle = ioc_tls_database_lookup_certificate_for_handle;
  database_class->lookup_certificate_issuer = ioc_tls_database_lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by = ioc_tls_database_lookup_certificates_issued_by;
}

static void
ioc_tls_database_init (IocTlsDatabase *self)
{
}

/**
 * ioc_tls_database_get_inner:
 *
 * Returns: (transfer none): the system's database that @self asks
 */
GTlsDatabase *
ioc_tls_database_get_inner (IocTlsDatabase *self)
{
  g_return_val_if_fail (IOC_IS_TLS_DATABASE (self), NULL);

  return self->inner;
}

static void
read_system_database (GTask        *task,
                      gpointer      source,
                      gpointer      data,
                      GCancellable *cancellable)
{
  GTlsDatabase *system = g_tls_backend_get_default_database (g_tls_backend_get_default ());

  if (system == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "no TLS database");
  else
    g_task_return_pointer (task, system, g_object_unref);
}

static void
on_system_database_read_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) system = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(IocTlsDatabase) self = NULL;

  /* Without a TLS backend, nothing changes. */
  if (system == NULL)
    {
      g_debug ("TLS database left as it is: %s", error->message);
      return;
    }
  self = g_object_new (IOC_TYPE_TLS_DATABASE, NULL);
  self->inner = g_steal_pointer (&system);
  g_tls_backend_set_default_database (g_tls_backend_get_default (), G_TLS_DATABASE (self));
}

/* Reads the system's database in a worker thread, then makes an
 * IocTlsDatabase in front of it the process's default. Once a process. */
void
ioc_tls_database_install (void)
{
  static gsize installing = 0;

  if (g_once_init_enter (&installing))
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, on_system_database_read_cb, NULL);

      g_task_set_source_tag (task, ioc_tls_database_install);
      g_task_run_in_thread (task, read_system_database);
      g_once_init_leave (&installing, 1);
    }
}
