/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include "ioc-choropleth-layer.h"
#include "ioc-core.h"

void
ioc_choropleth_color (double   t,
                      GdkRGBA *color)
{
  /* Light yellow to deep red: readable on dark and light backgrounds,
   * and still ordered for the colour-blind. */
  static const double stops[][3] = {
    { 1.00, 0.93, 0.63 },
    { 0.99, 0.70, 0.30 },
    { 0.94, 0.40, 0.20 },
    { 0.74, 0.10, 0.15 },
  };
  double pos = CLAMP (t, 0.0, 1.0) * (G_N_ELEMENTS (stops) - 1);
  guint i = MIN ((guint) pos, G_N_ELEMENTS (stops) - 2);
  double f = pos - i;

  color->red = stops[i][0] + (stops[i + 1][0] - stops[i][0]) * f;
  color->green = stops[i][1] + (stops[i + 1][1] - stops[i][1]) * f;
  color->blue = stops[i][2] + (stops[i + 1][2] - stops[i][2]) * f;
  color->alpha = 0.55;
}

typedef struct {
  double sum;
  guint  n;
} Tally;

void
ioc_choropleth_apply (IocBoundaryLayer     *layer,
                      JsonNode             *series,
                      GHashTable           *communes,
                      IocChoroplethSummary *summary)
{
  g_autoptr(GHashTable) tallies = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  JsonArray *list = NULL;
  JsonNode *member;
  GHashTableIter iter;
  gpointer key, value;
  IocChoroplethSummary result = { 0, 0, 0, G_MAXDOUBLE, -G_MAXDOUBLE };

  g_return_if_fail (IOC_IS_BOUNDARY_LAYER (layer));

  ioc_boundary_layer_clear_fills (layer);

  if (series != NULL && JSON_NODE_HOLDS_OBJECT (series) &&
      (member = json_object_get_member (json_node_get_object (series), "series")) != NULL &&
      JSON_NODE_HOLDS_ARRAY (member))
    list = json_node_get_array (member);

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *one;
      JsonArray *points;
      const char *area;
      IocCommune *commune;
      g_auto(GStrv) districts = NULL;
      const char *code;
      Tally *tally;
      JsonObject *last;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      one = json_node_get_object (node);
      area = json_object_get_string_member_with_default (one, "area", NULL);
      if (area == NULL || communes == NULL || (commune = g_hash_table_lookup (communes, area)) == NULL)
        continue;
      if ((member = json_object_get_member (one, "points")) == NULL || !JSON_NODE_HOLDS_ARRAY (member) ||
          json_array_get_length (points = json_node_get_array (member)) == 0)
        continue;
      districts = g_strsplit (commune->former_districts != NULL ? commune->former_districts : "", ";", -1);
      if (g_strv_length (districts) != 1)
        {
          result.n_skipped++;
          continue;
        }
      code = ioc_boundary_layer_find_by_name (layer, g_strstrip (districts[0]));
      if (code == NULL)
        {
          result.n_skipped++;
          continue;
        }
      /* The latest value: points come in time order. */
      last = json_array_get_object_element (points, json_array_get_length (points) - 1);
      if (last == NULL || !json_object_has_member (last, "value"))
        continue;
      tally = g_hash_table_lookup (tallies, code);
      if (tally == NULL)
        {
          tally = g_new0 (Tally, 1);
          g_hash_table_insert (tallies, (gpointer) code, tally);
        }
      tally->sum += json_object_get_double_member (last, "value");
      tally->n++;
      result.n_communes++;
    }

  g_hash_table_iter_init (&iter, tallies);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Tally *tally = value;
      double mean = tally->sum / tally->n;

      result.min = MIN (result.min, mean);
      result.max = MAX (result.max, mean);
    }
  g_hash_table_iter_init (&iter, tallies);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Tally *tally = value;
      double mean = tally->sum / tally->n;
      GdkRGBA color;

      ioc_choropleth_color (result.max > result.min ? (mean - result.min) / (result.max - result.min) : 0.5, &color);
      ioc_boundary_layer_set_fill (layer, key, &color);
      result.n_areas++;
    }
  if (result.n_areas == 0)
    result.min = result.max = 0;
  if (summary != NULL)
    *summary = result;
}
