/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "iocd-store.h"

G_BEGIN_DECLS

#define IOCD_TYPE_EVENT_HUB (iocd_event_hub_get_type ())
G_DECLARE_FINAL_TYPE (IocdEventHub, iocd_event_hub, IOCD, EVENT_HUB, GObject)

IocdEventHub *iocd_event_hub_new        (IocdStore               *store);
/* Takes a client that asked for every event after @after (what it last saw). */
void          iocd_event_hub_add_client (IocdEventHub            *self,
                                         SoupWebsocketConnection *connection,
                                         IocUser                 *user,
                                         const char              *token_hash,
                                         gint64                   after);
/* Closes the streams opened with this session (signed out). */
void          iocd_event_hub_end_session (IocdEventHub           *self,
                                          const char             *token_hash);
/* A change was committed: send it to every live client allowed to see it.
 * @departments is the ",A,B," list of departments that ever held the task. */
void          iocd_event_hub_publish    (IocdEventHub            *self,
                                         IocEvent                *event,
                                         const char              *departments);
guint         iocd_event_hub_n_clients  (IocdEventHub            *self);

G_END_DECLS
