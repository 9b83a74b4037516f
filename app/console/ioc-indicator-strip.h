/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-client.h"
#include "ioc-indicator-card.h"

G_BEGIN_DECLS

/*
 * A compact row of key indicator cards for the control-room layout, next to
 * the map and the queue. It shows the indicators named with
 * ioc_indicator_strip_set_codes(), or else the first cards of a default
 * list of the IOC's key indicators (then whatever the catalogue holds).
 * Signal "indicator-activated" (const char *code) when a card is opened.
 */

#define IOC_TYPE_INDICATOR_STRIP (ioc_indicator_strip_get_type ())
G_DECLARE_FINAL_TYPE (IocIndicatorStrip, ioc_indicator_strip, IOC, INDICATOR_STRIP, GtkWidget)

#define IOC_INDICATOR_STRIP_DEFAULT_CARDS 6

GtkWidget        *ioc_indicator_strip_new           (void);
/* Loads GET /indicators; NULL stops. */
void              ioc_indicator_strip_set_client    (IocIndicatorStrip  *self,
                                                     IocClient          *client);
void              ioc_indicator_strip_apply_event   (IocIndicatorStrip  *self,
                                                     IocEvent           *event);
/* The indicators to show, in order; NULL: the default list. */
void              ioc_indicator_strip_set_codes     (IocIndicatorStrip  *self,
                                                     const char * const *codes);
void              ioc_indicator_strip_set_max_cards (IocIndicatorStrip  *self,
                                                     guint               max_cards);
guint             ioc_indicator_strip_get_n_cards   (IocIndicatorStrip  *self);
IocIndicatorCard *ioc_indicator_strip_get_card      (IocIndicatorStrip  *self,
                                                     guint               index);

G_END_DECLS
