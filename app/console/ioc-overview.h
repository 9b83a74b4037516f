/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-client.h"

G_BEGIN_DECLS

/*
 * The supervisors' table: per department, the open work by state, what is
 * overdue (red), and over the last days what was acknowledged and resolved
 * with the median times. From GET /api/v1/overview; task events refresh it,
 * at most once a second and never with two requests in flight.
 * Action: overview.refresh.
 */

#define IOC_TYPE_OVERVIEW (ioc_overview_get_type ())
G_DECLARE_FINAL_TYPE (IocOverview, ioc_overview, IOC, OVERVIEW, GtkWidget)

GtkWidget  *ioc_overview_new             (void);
/* Loads at once; NULL forgets the client and the data. */
void        ioc_overview_set_client      (IocOverview *self,
                                          IocClient   *client);
/* Task events schedule a refresh (debounced ~1 s); other events are ignored. */
void        ioc_overview_apply_event     (IocOverview *self,
                                          IocEvent    *event);

/* What the table shows, for tests and for callers that summarise it.
 * @column: a state ("forwarded", "acknowledged", "in_progress", "returned")
 * or "open", "overdue", "acknowledged_in_period", "resolved",
 * "median_acknowledge_seconds", "median_resolve_seconds"; -1 when the
 * department or the value is unknown (a null median). */
gint64      ioc_overview_get_value       (IocOverview *self,
                                          const char  *department,
                                          const char  *column);
/* The text of a cell as shown ("2 h 15 min", "—"), or NULL. */
char       *ioc_overview_dup_cell_text   (IocOverview *self,
                                          const char  *department,
                                          const char  *column);
/* Departments in the order shown (after sorting), as codes. */
GStrv       ioc_overview_dup_shown_codes (IocOverview *self);
/* Sorts by overdue, most first (the default) or fewest first. */
void        ioc_overview_sort_by_overdue (IocOverview *self,
                                          gboolean     descending);
/* How many answers have been applied since the client was set. */
guint       ioc_overview_get_n_loads     (IocOverview *self);
gboolean    ioc_overview_is_loading      (IocOverview *self);
/* Whether a refresh is waiting for its debounce delay. */
gboolean    ioc_overview_is_refresh_pending (IocOverview *self);
const char *ioc_overview_get_updated_text (IocOverview *self);

G_END_DECLS
