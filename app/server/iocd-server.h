/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "iocd-config.h"
#include "iocd-store.h"

G_BEGIN_DECLS

#define IOCD_TYPE_SERVER (iocd_server_get_type ())
G_DECLARE_FINAL_TYPE (IocdServer, iocd_server, IOCD, SERVER, GObject)

IocdServer *iocd_server_new           (const IocdConfig  *config,
                                       IocdStore         *store,
                                       GTlsCertificate   *certificate);
gboolean    iocd_server_listen        (IocdServer        *self,
                                       GError           **error);
/* The https:// URIs it listens on, once listening. */
GSList     *iocd_server_get_uris      (IocdServer        *self);

G_END_DECLS
