/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ioc-client.h"

G_BEGIN_DECLS

/*
 * Follows /api/v1/events over a WebSocket. After a drop it reconnects with
 * backoff and resumes after the last sequence number it delivered, so no
 * change is missed or delivered twice.
 *
 * Signals: "event" (IocEvent *) for each event in order.
 * The stream stops retrying, and says why, on:
 *   "session-ended" ()             the token was refused (401): sign in again;
 *   "reload-needed" ()             the position is ahead of the server's log
 *                                  (400 on "after"): load a new snapshot and
 *                                  start again from its event_seq;
 *   "certificate-changed" (GError *) the server's certificate no longer
 *                                  matches the pin (IOC_CLIENT_ERROR).
 * Properties: "connected" (gboolean), "last-seq" (gint64), "last-contact"
 * (gint64, g_get_real_time () of the last message or connection; 0 never).
 */

#define IOC_TYPE_EVENT_STREAM (ioc_event_stream_get_type ())
G_DECLARE_FINAL_TYPE (IocEventStream, ioc_event_stream, IOC, EVENT_STREAM, GObject)

IocEventStream *ioc_event_stream_new              (IocClient      *client);
/* Starts following after @after_seq (the list's "event_seq"). */
void            ioc_event_stream_start            (IocEventStream *self,
                                                   gint64          after_seq);
void            ioc_event_stream_stop             (IocEventStream *self);
gboolean        ioc_event_stream_get_connected    (IocEventStream *self);
gint64          ioc_event_stream_get_last_seq     (IocEventStream *self);
gint64          ioc_event_stream_get_last_contact (IocEventStream *self);

G_END_DECLS
