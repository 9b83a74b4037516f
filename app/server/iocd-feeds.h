/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "iocd-server.h"
#include "iocd-store.h"

G_BEGIN_DECLS

/* Demo seeding of what the IOC receives besides operator intake. Called in
 * the demo seed's transaction, after the reference data and the users. */
gboolean iocd_demo_seed_indicators        (IocdStore   *store,
                                           const char  *data_dir,
                                           GRand       *rand,
                                           gint64       now,
                                           GError     **error);
gboolean iocd_demo_seed_sensors           (IocdStore   *store,
                                           const char  *data_dir,
                                           GRand       *rand,
                                           gint64       now,
                                           GError     **error);
/* Open311 service attributes of the categories (data/cantho/category_attributes.csv). */
gboolean iocd_demo_load_category_attributes (IocdStore   *store,
                                             const char  *data_dir,
                                             GError     **error);

/* --demo-live: keeps adding sensor readings in real time. */
void     iocd_server_start_demo_live      (IocdServer  *server);

/* "iocd apikey add|list|revoke": exit status for main(). */
int      iocd_apikey_command              (IocdStore   *store,
                                           int          argc,
                                           char       **argv);

G_END_DECLS
