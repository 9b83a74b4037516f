/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ioc-client.h"
#include "ioc-task-object.h"

G_BEGIN_DECLS

/*
 * Forwards several tasks at once: to each task's usual department (from its
 * category) or to one department for all, due by each category's processing
 * time or at one time for all. Sends a few at a time, each with the task's
 * version and an Idempotency-Key of its own, and ends with a summary of what
 * failed, in words; "Retry failed" sends those again with the same keys, so
 * a retry after a network error can never forward twice.
 *
 * Signals: "task-forwarded" (IocTask *updated) for each success;
 *          "finished" () when a round of sending is over (all sent, or stopped).
 * Actions: bulk.forward, bulk.cancel (stop sending the rest), bulk.retry.
 */

#define IOC_TYPE_BULK_FORWARD_DIALOG (ioc_bulk_forward_dialog_get_type ())
G_DECLARE_FINAL_TYPE (IocBulkForwardDialog, ioc_bulk_forward_dialog, IOC, BULK_FORWARD_DIALOG, AdwWindow)

/* @tasks: IocTask* (a reference is taken on each); each must allow forward. */
GtkWidget *ioc_bulk_forward_dialog_new            (GtkWindow            *parent,
                                                   IocClient            *client,
                                                   IocReference         *reference,
                                                   GPtrArray            *tasks);
guint      ioc_bulk_forward_dialog_get_succeeded  (IocBulkForwardDialog *self);
/* Tasks the server refused or that could not be sent (not counting the ones
 * a stop kept from being sent). */
guint      ioc_bulk_forward_dialog_get_failed     (IocBulkForwardDialog *self);
/* Tasks that a stop kept from being sent. */
guint      ioc_bulk_forward_dialog_get_not_sent   (IocBulkForwardDialog *self);
/* Requests in flight now (never more than 4). */
guint      ioc_bulk_forward_dialog_get_in_flight  (IocBulkForwardDialog *self);
/* = pressing Forward. */
void       ioc_bulk_forward_dialog_start          (IocBulkForwardDialog *self);
/* NULL: each task's usual department, from its category. */
void       ioc_bulk_forward_dialog_set_department (IocBulkForwardDialog *self,
                                                   const char           *code);
/* 0: each task's category processing time; else one due time for all
 * (microseconds since the epoch). */
void       ioc_bulk_forward_dialog_set_due_at     (IocBulkForwardDialog *self,
                                                   gint64                due_at);
void       ioc_bulk_forward_dialog_set_note       (IocBulkForwardDialog *self,
                                                   const char           *note);
/* The failures as shown in the summary, one line per task ("#42: …"). */
char      *ioc_bulk_forward_dialog_dup_failures   (IocBulkForwardDialog *self);

G_END_DECLS
