/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void ioc_glyph_warmup_start (GtkWidget *widget);

G_END_DECLS
