/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A coloured pill for a task state, or red text for overdue time. */
#define IOC_TYPE_STATE_LABEL (ioc_state_label_get_type ())
G_DECLARE_FINAL_TYPE (IocStateLabel, ioc_state_label, IOC, STATE_LABEL, GtkWidget)

G_END_DECLS
