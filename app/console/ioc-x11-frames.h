/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void ioc_x11_frames_keep_shm_pool (GtkWidget *widget);

G_END_DECLS
