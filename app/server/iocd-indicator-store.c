/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd"

#include "config.h"

#include "iocd-indicator-store.h"

G_DEFINE_INTERFACE (IocdIndicatorStore, iocd_indicator_store, G_TYPE_OBJECT)

static void
iocd_indicator_store_default_init (IocdIndicatorStoreInterface *iface)
{
}

GPtrArray *
iocd_indicator_store_list_indicators (IocdIndicatorStore  *self,
                                      GError             **error)
{
  g_return_val_if_fail (IOCD_IS_INDICATOR_STORE (self), NULL);
  return IOCD_INDICATOR_STORE_GET_IFACE (self)->list_indicators (self, error);
}

gboolean
iocd_indicator_store_save_indicator (IocdIndicatorStore  *self,
                                     IocIndicator        *indicator,
                                     GError             **error)
{
  g_return_val_if_fail (IOCD_IS_INDICATOR_STORE (self), FALSE);
  return IOCD_INDICATOR_STORE_GET_IFACE (self)->save_indicator (self, indicator, error);
}

gboolean
iocd_indicator_store_save_observations (IocdIndicatorStore  *self,
                                        GPtrArray           *observations,
                                        const char          *event_departments,
                                        JsonNode            *event_data,
                                        gint64               at,
                                        IocEvent           **event,
                                        GError             **error)
{
  g_return_val_if_fail (IOCD_IS_INDICATOR_STORE (self), FALSE);
  g_return_val_if_fail (event_data == NULL || event != NULL, FALSE);
  return IOCD_INDICATOR_STORE_GET_IFACE (self)->save_observations (self, observations, event_departments,
                                                                   event_data, at, event, error);
}

GPtrArray *
iocd_indicator_store_latest_observations (IocdIndicatorStore  *self,
                                          GError             **error)
{
  g_return_val_if_fail (IOCD_IS_INDICATOR_STORE (self), NULL);
  return IOCD_INDICATOR_STORE_GET_IFACE (self)->latest_observations (self, error);
}

GPtrArray *
iocd_indicator_store_list_observations (IocdIndicatorStore  *self,
                                        const char          *indicator,
                                        const char          *area,
                                        gint64               from,
                                        gint64               to,
                                        GError             **error)
{
  g_return_val_if_fail (IOCD_IS_INDICATOR_STORE (self), NULL);
  return IOCD_INDICATOR_STORE_GET_IFACE (self)->list_observations (self, indicator, area, from, to, error);
}
