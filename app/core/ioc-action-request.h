/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ioc-enums.h"

G_BEGIN_DECLS

/* The body of one workflow action: the task version it was decided on and
 * the fields the workflow table asks for (see ioc_workflow_rule). */
typedef struct {
  IocAction  action;
  gint64     version;        /* 0: not given (allowed for comments only) */
  char      *note;           /* the reason, result or comment text */
  char      *department;
  gint64     due_at;
  gint64     duplicate_of;
  gint64     rating;
} IocActionRequest;

IocActionRequest *ioc_action_request_new       (IocAction          action);
void              ioc_action_request_free      (IocActionRequest  *self);
IocActionRequest *ioc_action_request_from_json (IocAction          action,
                                                JsonObject        *object,
                                                GError           **error);
JsonNode         *ioc_action_request_to_json   (const IocActionRequest *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocActionRequest, ioc_action_request_free)

G_END_DECLS
