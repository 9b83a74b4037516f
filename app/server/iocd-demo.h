/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "iocd-store.h"

G_BEGIN_DECLS

/* Seeds an empty store with Cần Thơ: departments, categories, communes, demo
 * users and @n_tasks synthetic tasks with timelines. Names, codes and
 * boundaries are real; tasks, people and passwords are synthetic.
 * *password is the demo accounts' password. Does nothing when the store has
 * been seeded before (returns TRUE, *password NULL). */
gboolean iocd_demo_seed          (IocdStore   *store,
                                  const char  *data_dir,
                                  guint        n_tasks,
                                  guint32      random_seed,
                                  char       **password,
                                  GError     **error);

/* Reference data only (departments, categories, communes), for any city
 * deployment that starts from the Cần Thơ files. */
gboolean iocd_demo_load_reference (IocdStore   *store,
                                   const char  *data_dir,
                                   GError     **error);

/* Where the reference data lives: $IOCD_DATA_DIR, the installed data, or
 * the source tree when run uninstalled. */
char    *iocd_demo_find_data_dir (void);

G_END_DECLS
