/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ioc-client.h"
#include "ioc-location-picker.h"
#include "ioc-task-object.h"

G_BEGIN_DECLS

/*
 * Takes in a new report (a hotline call): category, title, description,
 * address, commune, location on a map or as coordinates, priority,
 * reporter and source. Errors are shown at their field, also the ones the
 * server names; nothing typed is lost. A retry after a network error sends
 * the same Idempotency-Key, so a report is never created twice.
 *
 * Signal "created" (IocTask *task) once the server has it; the dialog then
 * closes. Actions: intake.create, intake.clear-location.
 *
 * Fields, for the functions below: "category", "title", "description",
 * "address", "commune", "latitude", "longitude", "priority", "source",
 * "reporter.name", "reporter.phone", "reporter.email"; errors also on
 * "location" (the pair, or "a location or an address").
 */

#define IOC_TYPE_INTAKE_DIALOG (ioc_intake_dialog_get_type ())
G_DECLARE_FINAL_TYPE (IocIntakeDialog, ioc_intake_dialog, IOC, INTAKE_DIALOG, AdwWindow)

GtkWidget         *ioc_intake_dialog_new                 (GtkWindow       *parent,
                                                          IocClient       *client,
                                                          IocReference    *reference);
/* = pressing Create. */
void               ioc_intake_dialog_submit              (IocIntakeDialog *self);
gboolean           ioc_intake_dialog_is_busy             (IocIntakeDialog *self);
/* Text fields and the coordinates, as typed. */
void               ioc_intake_dialog_set_text            (IocIntakeDialog *self,
                                                          const char      *field,
                                                          const char      *text);
char              *ioc_intake_dialog_dup_text            (IocIntakeDialog *self,
                                                          const char      *field);
/* Choices by code: a category or commune code, a priority or source wire
 * name; NULL clears (priority: the category's). FALSE for an unknown code. */
gboolean           ioc_intake_dialog_select              (IocIntakeDialog *self,
                                                          const char      *field,
                                                          const char      *code);
const char        *ioc_intake_dialog_get_selected        (IocIntakeDialog *self,
                                                          const char      *field);
/* The error shown at @field, or NULL. */
const char        *ioc_intake_dialog_get_field_error     (IocIntakeDialog *self,
                                                          const char      *field);
/* The message above the form (refusals, network trouble), or NULL. */
const char        *ioc_intake_dialog_get_error           (IocIntakeDialog *self);
/* The "outside the city?" warning, or NULL. */
const char        *ioc_intake_dialog_get_location_warning (IocIntakeDialog *self);
IocLocationPicker *ioc_intake_dialog_get_location_picker (IocIntakeDialog *self);
/* The Idempotency-Key the next send uses (kept until the report is created). */
const char        *ioc_intake_dialog_get_idempotency_key (IocIntakeDialog *self);

G_END_DECLS
