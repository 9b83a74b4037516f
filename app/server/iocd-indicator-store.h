/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "ioc-core.h"

G_BEGIN_DECLS

/* The indicator catalogue and its observations. A store implements this beside IocdStore. */

#define IOCD_TYPE_INDICATOR_STORE (iocd_indicator_store_get_type ())
G_DECLARE_INTERFACE (IocdIndicatorStore, iocd_indicator_store, IOCD, INDICATOR_STORE, GObject)

/* Which areas list_observations returns. */
#define IOCD_AREA_CITY ""      /* city-wide values only */
#define IOCD_AREA_ALL  NULL    /* every area, the city included */

struct _IocdIndicatorStoreInterface
{
  GTypeInterface parent_iface;

  /* IocIndicator, by code. */
  GPtrArray *(*list_indicators)     (IocdIndicatorStore  *self,
                                     GError             **error);
  gboolean   (*save_indicator)      (IocdIndicatorStore  *self,
                                     IocIndicator        *indicator,
                                     GError             **error);
  /* All or nothing; a value for an (indicator, area, period) that is there
   * already replaces it. With @event_data, appends the event
   * IOC_EVENT_INDICATOR_OBSERVED for @event_departments in the same
   * transaction and returns it in @event. */
  gboolean   (*save_observations)   (IocdIndicatorStore  *self,
                                     GPtrArray           *observations,
                                     const char          *event_departments,
                                     JsonNode            *event_data,
                                     gint64               at,
                                     IocEvent           **event,
                                     GError             **error);
  /* The latest city-wide IocObservation of each indicator that has one. */
  GPtrArray *(*latest_observations) (IocdIndicatorStore  *self,
                                     GError             **error);
  /* IocObservation of @indicator with from ≤ period < to, ordered by area
   * (city-wide first), then period. @area: IOCD_AREA_CITY, a commune code,
   * or IOCD_AREA_ALL. */
  GPtrArray *(*list_observations)   (IocdIndicatorStore  *self,
                                     const char          *indicator,
                                     const char          *area,
                                     gint64               from,
                                     gint64               to,
                                     GError             **error);
};

GPtrArray *iocd_indicator_store_list_indicators     (IocdIndicatorStore *self, GError **error);
gboolean   iocd_indicator_store_save_indicator      (IocdIndicatorStore *self, IocIndicator *indicator,
                                                     GError **error);
gboolean   iocd_indicator_store_save_observations   (IocdIndicatorStore *self, GPtrArray *observations,
                                                     const char *event_departments, JsonNode *event_data,
                                                     gint64 at, IocEvent **event, GError **error);
GPtrArray *iocd_indicator_store_latest_observations (IocdIndicatorStore *self, GError **error);
GPtrArray *iocd_indicator_store_list_observations   (IocdIndicatorStore *self, const char *indicator,
                                                     const char *area, gint64 from, gint64 to,
                                                     GError **error);

G_END_DECLS
