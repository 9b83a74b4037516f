/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ioc-action-request.h"
#include "ioc-category.h"
#include "ioc-commune.h"
#include "ioc-csv.h"
#include "ioc-department.h"
#include "ioc-enums.h"
#include "ioc-error.h"
#include "ioc-event.h"
#include "ioc-geo.h"
#include "ioc-json.h"
#include "ioc-task.h"
#include "ioc-text.h"
#include "ioc-time.h"
#include "ioc-timeline-entry.h"
#include "ioc-user.h"
#include "ioc-workflow.h"
