/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-layers"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "iocd-sensor-store.h"
#include "iocd-server-private.h"

/* Task points read per store call while gathering a layer. */
#define TASK_PAGE 1000
/* Above this many points an answer is clustered whatever the zoom: a map
 * cannot show more, and the answer stays a few megabytes at most. */
#define POINT_CAP 20000
/* From this zoom on, individual points rather than clusters. */
#define POINTS_FROM_ZOOM 14
#define GEOJSON_TYPE "application/geo+json"
#define TILE_MAX_AGE "private, max-age=86400"
#define BOUNDARY_MAX_AGE "private, max-age=3600"

#define ATTRIBUTION "Boundaries © daohoangson/dvhcvn (GPL-3.0), geometry from gis.chinhphu.vn; " \
                    "the districts are the units before 1 July 2025"
#define ATTRIBUTION_VI "Ranh giới © daohoangson/dvhcvn (GPL-3.0), hình học từ gis.chinhphu.vn; " \
                       "các quận, huyện là đơn vị hành chính trước ngày 1/7/2025"

typedef enum {
  LAYER_BOUNDARY,
  LAYER_STATIONS,
  LAYER_TASKS,
} LayerKind;

typedef struct {
  const char *name;
  const char *title_vi;
  const char *title_en;
  const char *kind;
  LayerKind   layer_kind;
  const char *file;         /* in the data directory, for boundaries */
} LayerInfo;

static const LayerInfo layer_infos[] = {
  { "city-boundary", "Ranh giới thành phố Cần Thơ", "Cần Thơ city boundary",
    "boundary", LAYER_BOUNDARY, "cantho_city_boundary.geojson" },
  { "former-districts", "Quận, huyện cũ (trước 1/7/2025)", "Former districts (before 1 July 2025)",
    "boundary", LAYER_BOUNDARY, "cantho_districts.geojson" },
  { "stations", "Trạm quan trắc", "Monitoring stations", "points", LAYER_STATIONS, NULL },
  { "tasks", "Phản ánh, sự vụ", "Tasks", "clustered", LAYER_TASKS, NULL },
};

typedef struct {
  char         *path;
  sqlite3      *db;
  sqlite3_stmt *tile;
  const char   *content_type;
} TileSet;

/* What the layer routes keep between requests, hung on the server object so
 * that it goes away with it. Requests are answered on the server's main
 * context, one at a time, so nothing here needs a lock. */
typedef struct {
  GHashTable *boundaries;  /* layer name → GBytes of the whole answer */
  GHashTable *tile_sets;   /* set name → TileSet */
} LayersState;

static void
tile_set_free (gpointer data)
{
  TileSet *set = data;

  g_clear_pointer (&set->tile, sqlite3_finalize);
  g_clear_pointer (&set->db, sqlite3_close);
  g_free (set->path);
  g_free (set);
}

static void
layers_state_free (gpointer data)
{
  LayersState *state = data;

  g_hash_table_unref (state->boundaries);
  g_hash_table_unref (state->tile_sets);
  g_free (state);
}

static LayersState *
get_state (IocdServer *self)
{
  LayersState *state = g_object_get_data (G_OBJECT (self), "iocd-layers-state");

  if (state == NULL)
    {
      state = g_new0 (LayersState, 1);
      state->boundaries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
      state->tile_sets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, tile_set_free);
      g_object_set_data_full (G_OBJECT (self), "iocd-layers-state", state, layers_state_free);
    }
  return state;
}

static void
send_bytes (IocdRequest  *request,
            const char   *content_type,
            const char   *cache_control,
            gconstpointer data,
            gsize         len)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (request->msg);

  soup_message_headers_replace (headers, "Cache-Control", cache_control);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (request->msg, 200, NULL);
  soup_server_message_set_response (request->msg, content_type, SOUP_MEMORY_COPY, data, len);
}

static void
send_geojson (IocdRequest *request,
              const char  *cache_control,
              JsonNode    *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  send_bytes (request, GEOJSON_TYPE, cache_control, text, strlen (text));
}

static gboolean
user_may_see_layer (IocUser         *user,
                    const LayerInfo *info)
{
  /* Tasks follow the task list's rule; the rest is reference data that
   * every signed-in user may see. */
  if (info->layer_kind == LAYER_TASKS)
    return ioc_workflow_can_see (user->role, TRUE);
  return TRUE;
}

static void
handle_list (IocdServer  *self,
             IocdRequest *request)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (layer_infos); i++)
    {
      const LayerInfo *info = &layer_infos[i];

      if (!user_may_see_layer (request->user, info))
        continue;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, info->name);
      json_builder_set_member_name (b, "title_vi");
      json_builder_add_string_value (b, info->title_vi);
      json_builder_set_member_name (b, "title_en");
      json_builder_add_string_value (b, info->title_en);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, info->kind);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  iocd_request_send_json (request, 200, node);
}

/* Boundaries */

static GBytes *
load_boundary (IocdServer       *self,
               const LayerInfo  *info,
               GError          **error)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;
  JsonObject *collection;
  JsonNode *features;
  char *text;

  if (self->config->data_dir == NULL)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INTERNAL, "no data directory for the layer %s", info->name);
      return NULL;
    }

  /* The file name comes from the table above, never from the request. */
  path = g_build_filename (self->config->data_dir, info->file, NULL);
  if (!json_parser_load_from_mapped_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  root = json_parser_steal_root (parser);
  collection = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  features = collection ? json_object_get_member (collection, "features") : NULL;
  if (features == NULL || !JSON_NODE_HOLDS_ARRAY (features) ||
      g_strcmp0 (json_object_get_string_member_with_default (collection, "type", NULL), "FeatureCollection") != 0)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INTERNAL, "%s is not a GeoJSON FeatureCollection", path);
      return NULL;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "FeatureCollection");
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, info->name);
  /* The data is GPL-3.0: its origin travels with every copy. */
  json_builder_set_member_name (b, "attribution");
  json_builder_add_string_value (b, ATTRIBUTION);
  json_builder_set_member_name (b, "attribution_vi");
  json_builder_add_string_value (b, ATTRIBUTION_VI);
  json_builder_set_member_name (b, "license");
  json_builder_add_string_value (b, "GPL-3.0");
  if (json_object_has_member (collection, "source"))
    {
      json_builder_set_member_name (b, "source");
      json_builder_add_value (b, json_node_copy (json_object_get_member (collection, "source")));
    }
  json_builder_set_member_name (b, "features");
  json_builder_add_value (b, json_node_copy (features));
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  text = json_to_string (node, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

static void
handle_boundary (IocdServer      *self,
                 IocdRequest     *request,
                 const LayerInfo *info)
{
  LayersState *state = get_state (self);
  GBytes *bytes = g_hash_table_lookup (state->boundaries, info->name);

  if (bytes == NULL)
    {
      g_autoptr(GError) error = NULL;

      bytes = load_boundary (self, info, &error);
      if (bytes == NULL)
        {
          /* Not cached: an admin who fixes the file need not restart. */
          iocd_request_send_error (request, error);
          return;
        }
      g_hash_table_insert (state->boundaries, g_strdup (info->name), bytes);
    }

  send_bytes (request, GEOJSON_TYPE, BOUNDARY_MAX_AGE,
              g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* Tasks */

typedef struct {
  IocdTaskQuery  query;
  char          *folded;
  guint          zoom;
} TasksQuery;

static void
tasks_query_clear (TasksQuery *q)
{
  g_free (q->folded);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TasksQuery, tasks_query_clear)

/* The task list's filters under the same names, plus bbox and zoom. */
static gboolean
parse_tasks_query (IocdServer   *self,
                   IocdRequest  *request,
                   TasksQuery   *q,
                   GError      **error)
{
  IocdTaskQuery *query = &q->query;
  GHashTableIter iter;
  gpointer key, value;
  gboolean known;

  memset (query, 0, sizeof *query);
  query->source = -1;
  query->now = request->now;
  query->limit = TASK_PAGE;
  query->order = IOCD_TASK_ORDER_ID;
  q->zoom = IOC_CLUSTER_MAX_ZOOM;

  g_hash_table_iter_init (&iter, request->query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      const char *v = value;

      if (!g_utf8_validate (v, -1, NULL))
        {
          ioc_set_field_error (error, name, "is not valid UTF-8");
          return FALSE;
        }

      if (!iocd_task_query_apply_filter (self, query, name, v, &q->folded, &known, error))
        return FALSE;
      if (known)
        continue;

      if (g_str_equal (name, "zoom"))
        {
          char *end = NULL;
          gint64 z = g_ascii_strtoll (v, &end, 10);

          if (end == v || *end != '\0' || !g_ascii_isdigit (v[0]) || z < 0 || z > IOC_CLUSTER_MAX_ZOOM)
            {
              ioc_set_field_error (error, "zoom", "must be a whole number from 0 to %d", IOC_CLUSTER_MAX_ZOOM);
              return FALSE;
            }
          q->zoom = z;
        }
      else
        {
          ioc_set_field_error (error, name, "is not a filter of this layer");
          return FALSE;
        }
    }

  /* A liaison sees what the task list shows them, whatever they ask for. */
  if (request->user->role == IOC_ROLE_LIAISON)
    query->visible_to_department = request->user->department;

  return TRUE;
}

typedef struct {
  IocClusterPoint point;
  IocTaskState    state;
} TaskPoint;

static void
add_point_feature (JsonBuilder *b,
                   IocTask     *task)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "Feature");
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, task->id);
  json_builder_set_member_name (b, "geometry");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "Point");
  json_builder_set_member_name (b, "coordinates");
  json_builder_begin_array (b);
  json_builder_add_double_value (b, task->lon);
  json_builder_add_double_value (b, task->lat);
  json_builder_end_array (b);
  json_builder_end_object (b);
  /* A fixed list: the map needs no more, and reporter fields never leave
   * through a layer whoever asks. */
  json_builder_set_member_name (b, "properties");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, task->id);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, ioc_task_state_to_string (task->state));
  json_builder_set_member_name (b, "priority");
  json_builder_add_string_value (b, ioc_priority_to_string (task->priority));
  json_builder_set_member_name (b, "category");
  json_builder_add_string_value (b, task->category);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, task->title);
  ioc_json_add_time (b, "updated_at", task->updated_at);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
add_bbox (JsonBuilder   *b,
          const IocBBox *bbox)
{
  json_builder_begin_array (b);
  json_builder_add_double_value (b, bbox->min_lon);
  json_builder_add_double_value (b, bbox->min_lat);
  json_builder_add_double_value (b, bbox->max_lon);
  json_builder_add_double_value (b, bbox->max_lat);
  json_builder_end_array (b);
}

static void
add_cluster_features (JsonBuilder *b,
                      GArray      *points,
                      guint        zoom)
{
  g_autofree IocClusterPoint *flat = g_new (IocClusterPoint, MAX (points->len, 1));
  g_autofree guint *assignment = g_new (guint, MAX (points->len, 1));
  g_autofree guint *states = NULL;
  g_autoptr(GArray) clusters = NULL;

  for (guint i = 0; i < points->len; i++)
    flat[i] = g_array_index (points, TaskPoint, i).point;
  clusters = ioc_cluster_points (flat, points->len, zoom, IOC_CLUSTER_CELL_PX, assignment);

  states = g_new0 (guint, (gsize) MAX (clusters->len, 1) * IOC_N_TASK_STATES);
  for (guint i = 0; i < points->len; i++)
    states[assignment[i] * IOC_N_TASK_STATES + g_array_index (points, TaskPoint, i).state]++;

  for (guint c = 0; c < clusters->len; c++)
    {
      IocCluster *cluster = &g_array_index (clusters, IocCluster, c);
      g_autofree char *id = g_strdup_printf ("cluster/%u/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                                             zoom, cluster->cell_x, cluster->cell_y);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "Feature");
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "geometry");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "Point");
      json_builder_set_member_name (b, "coordinates");
      json_builder_begin_array (b);
      json_builder_add_double_value (b, cluster->lon);
      json_builder_add_double_value (b, cluster->lat);
      json_builder_end_array (b);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "properties");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "cluster");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, cluster->count);
      if (cluster->count == 1)
        {
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, cluster->id);
        }
      json_builder_set_member_name (b, "bbox");
      add_bbox (b, &cluster->bbox);
      json_builder_set_member_name (b, "states");
      json_builder_begin_object (b);
      for (guint s = 0; s < IOC_N_TASK_STATES; s++)
        if (states[c * IOC_N_TASK_STATES + s] > 0)
          {
            json_builder_set_member_name (b, ioc_task_state_to_string (s));
            json_builder_add_int_value (b, states[c * IOC_N_TASK_STATES + s]);
          }
      json_builder_end_object (b);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
}

static void
handle_tasks_layer (IocdServer  *self,
                    IocdRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_auto(TasksQuery) q = { 0 };
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (TaskPoint));
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_task_unref);
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *cursor = NULL;
  gboolean clustered;

  if (!ioc_workflow_can_see (request->user->role, TRUE))
    {
      error = g_error_new_literal (IOC_ERROR, IOC_ERROR_FORBIDDEN, "this role does not handle tasks");
      iocd_request_send_error (request, error);
      return;
    }

  if (!parse_tasks_query (self, request, &q, &error))
    {
      iocd_request_send_error (request, error);
      return;
    }

  clustered = q.zoom < POINTS_FROM_ZOOM;

  /* Page through the same query the task list runs, so that the layer and
   * the list always agree on which tasks match. */
  do
    {
      g_autoptr(GPtrArray) page = NULL;
      g_autofree char *next = NULL;

      q.query.cursor = cursor;
      page = iocd_store_list_tasks (self->store, &q.query, &next, &error);
      if (page == NULL)
        {
          iocd_request_send_error (request, error);
          return;
        }

      for (guint i = 0; i < page->len; i++)
        {
          IocTask *task = g_ptr_array_index (page, i);
          TaskPoint p = { { task->lat, task->lon, task->id }, task->state };

          if (!task->has_location)
            continue;
          g_array_append_val (points, p);
          if (!clustered)
            g_ptr_array_add (kept, ioc_task_ref (task));
        }

      if (!clustered && points->len > POINT_CAP)
        {
          clustered = TRUE;
          g_ptr_array_set_size (kept, 0);
        }

      g_free (cursor);
      cursor = g_steal_pointer (&next);
    }
  while (cursor != NULL);

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "FeatureCollection");
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "tasks");
  json_builder_set_member_name (b, "zoom");
  json_builder_add_int_value (b, q.zoom);
  json_builder_set_member_name (b, "clustered");
  json_builder_add_boolean_value (b, clustered);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, points->len);
  if (q.query.has_bbox)
    {
      json_builder_set_member_name (b, "bbox");
      add_bbox (b, &q.query.bbox);
    }
  json_builder_set_member_name (b, "features");
  json_builder_begin_array (b);
  if (clustered)
    add_cluster_features (b, points, q.zoom);
  else
    for (guint i = 0; i < kept->len; i++)
      add_point_feature (b, g_ptr_array_index (kept, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  send_geojson (request, "no-store", node);
}

/* Stations */

static void
add_member_cb (JsonObject  *object,
               const char  *name,
               JsonNode    *member,
               gpointer     user_data)
{
  JsonBuilder *b = user_data;

  json_builder_set_member_name (b, name);
  json_builder_add_value (b, json_node_copy (member));
}

static void
add_station_feature (JsonBuilder *b,
                     IocStation  *station,
                     IocdSample  *latest)
{
  g_autoptr(JsonBuilder) sb = json_builder_new ();
  g_autoptr(JsonNode) props = NULL;

  /* The same members as GET /stations, with the location moved to the
   * geometry where GeoJSON keeps it. */
  ioc_station_to_json (station, sb);
  props = json_builder_get_root (sb);
  json_object_remove_member (json_node_get_object (props), "location");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "Feature");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, station->code);
  json_builder_set_member_name (b, "geometry");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "Point");
  json_builder_set_member_name (b, "coordinates");
  json_builder_begin_array (b);
  json_builder_add_double_value (b, station->lon);
  json_builder_add_double_value (b, station->lat);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "properties");
  json_builder_begin_object (b);
  json_object_foreach_member (json_node_get_object (props), add_member_cb, b);
  json_builder_set_member_name (b, "latest");
  if (latest != NULL)
    {
      json_builder_begin_object (b);
      ioc_json_add_time (b, "at", latest->at);
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, latest->value);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  /* The level the newest reading reaches, which a map colours by even when
   * no alarm episode is open. */
  json_builder_set_member_name (b, "latest_level");
  json_builder_add_int_value (b, latest ? ioc_station_level_of (station, latest->value) : 0);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
handle_stations_layer (IocdServer  *self,
                       IocdRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stations = NULL;
  g_autoptr(GHashTable) latest = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  IocdSensorStore *sensors;

  if (!IOCD_IS_SENSOR_STORE (self->store))
    {
      error = g_error_new_literal (IOC_ERROR, IOC_ERROR_UNAVAILABLE, "this store keeps no sensor stations");
      iocd_request_send_error (request, error);
      return;
    }
  sensors = IOCD_SENSOR_STORE (self->store);

  stations = iocd_sensor_store_list_stations (sensors, &error);
  latest = stations ? iocd_sensor_store_latest_readings (sensors, &error) : NULL;
  if (latest == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "FeatureCollection");
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "stations");
  json_builder_set_member_name (b, "features");
  json_builder_begin_array (b);
  for (guint i = 0; i < stations->len; i++)
    {
      IocStation *station = g_ptr_array_index (stations, i);

      /* A station nobody has placed yet has no point on a map. */
      if (station->has_location)
        add_station_feature (b, station, g_hash_table_lookup (latest, station->code));
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  send_geojson (request, "no-store", node);
}

void
iocd_server_handle_layers (IocdServer   *self,
                           IocdRequest  *request,
                           char        **segments)
{
  g_autoptr(GError) error = NULL;
  const LayerInfo *info = NULL;

  if (segments[0] == NULL || (segments[0][0] == '\0' && segments[1] == NULL))
    {
      if (g_str_equal (request->method, "GET"))
        handle_list (self, request);
      else
        iocd_request_send_method_not_allowed (request, "GET");
      return;
    }

  if (segments[1] == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (layer_infos); i++)
      if (g_str_equal (segments[0], layer_infos[i].name))
        info = &layer_infos[i];

  if (info == NULL)
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no layer “%s”", segments[0]);
      iocd_request_send_error (request, error);
      return;
    }

  if (!g_str_equal (request->method, "GET"))
    {
      iocd_request_send_method_not_allowed (request, "GET");
      return;
    }

  if (!user_may_see_layer (request->user, info))
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_FORBIDDEN, "your role may not see the layer %s", info->name);
      iocd_request_send_error (request, error);
      return;
    }

  switch (info->layer_kind)
    {
    case LAYER_BOUNDARY:
      handle_boundary (self, request, info);
      break;
    case LAYER_STATIONS:
      handle_stations_layer (self, request);
      break;
    case LAYER_TASKS:
      handle_tasks_layer (self, request);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Tiles */

/* Set names are plain words: anything else (dots, slashes, escapes) is not
 * a name an admin could have configured, and is refused before any lookup. */
static gboolean
valid_set_name (const char *name)
{
  if (name[0] == '\0' || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/* Decimal digits only, at most @max_digits of them. */
static gboolean
parse_coordinate (const char *text,
                  gsize       len,
                  guint       max_digits,
                  gint64     *value)
{
  gint64 v = 0;

  if (len == 0 || len > max_digits)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      v = v * 10 + (text[i] - '0');
    }
  *value = v;
  return TRUE;
}

static const char *
content_type_for_format (const char *format)
{
  if (g_strcmp0 (format, "png") == 0)
    return "image/png";
  if (g_strcmp0 (format, "jpg") == 0 || g_strcmp0 (format, "jpeg") == 0)
    return "image/jpeg";
  if (g_strcmp0 (format, "webp") == 0)
    return "image/webp";
  if (g_strcmp0 (format, "pbf") == 0)
    return "application/x-protobuf";
  return NULL;
}

static TileSet *
open_tile_set (const char  *name,
               const char  *path,
               GError     **error)
{
  g_autofree TileSet *set = g_new0 (TileSet, 1);
  sqlite3_stmt *stmt = NULL;
  gboolean has_format = FALSE;
  int rc;

  set->path = g_strdup (path);
  /* Read-only: tile sets belong to the admin, and iocd never writes them. */
  rc = sqlite3_open_v2 (path, &set->db, SQLITE_OPEN_READONLY, NULL);
  if (rc != SQLITE_OK)
    goto fail;

  rc = sqlite3_prepare_v2 (set->db, "SELECT value FROM metadata WHERE name = 'format'", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    goto fail;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      has_format = TRUE;
      set->content_type = content_type_for_format ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);

  /* MBTiles 1.0 had no format and meant PNG. */
  if (!has_format)
    set->content_type = "image/png";
  if (set->content_type == NULL)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INTERNAL, "tile set %s (%s): unknown format", name, path);
      tile_set_free (g_steal_pointer (&set));
      return NULL;
    }

  rc = sqlite3_prepare_v2 (set->db,
                           "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                           -1, &set->tile, NULL);
  if (rc != SQLITE_OK)
    goto fail;

  return g_steal_pointer (&set);

fail:
  g_set_error (error, IOC_ERROR, IOC_ERROR_INTERNAL, "tile set %s (%s): %s", name, path,
               set->db ? sqlite3_errmsg (set->db) : sqlite3_errstr (rc));
  tile_set_free (g_steal_pointer (&set));
  return NULL;
}

void
iocd_server_handle_tiles (IocdServer  *self,
                          IocdRequest *request,
                          const char  *rest)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = NULL;
  LayersState *state;
  TileSet *set;
  const char *path;
  const char *y_text;
  const char *dot;
  gint64 z, x, y, n;
  int rc;

  if (!g_str_equal (request->method, "GET") && !g_str_equal (request->method, "HEAD"))
    {
      iocd_request_send_method_not_allowed (request, "GET, HEAD");
      return;
    }

  request->user = iocd_request_authenticate (request, &error);
  if (request->user == NULL)
    {
      iocd_request_send_error (request, error);
      return;
    }

  /* The path only ever selects a configured set and three numbers: nothing
   * from it reaches the file system. */
  parts = g_strsplit (rest, "/", -1);
  if (g_strv_length (parts) != 4 || !valid_set_name (parts[0]))
    goto not_found;

  path = g_hash_table_lookup (self->config->tile_sets, parts[0]);
  if (path == NULL)
    goto not_found;

  y_text = parts[3];
  dot = strchr (y_text, '.');
  if (dot != NULL && !g_str_equal (dot, ".png") && !g_str_equal (dot, ".jpg") && !g_str_equal (dot, ".jpeg") &&
      !g_str_equal (dot, ".webp") && !g_str_equal (dot, ".pbf"))
    goto not_found;

  if (!parse_coordinate (parts[1], strlen (parts[1]), 2, &z) || z > IOC_CLUSTER_MAX_ZOOM ||
      !parse_coordinate (parts[2], strlen (parts[2]), 7, &x) ||
      !parse_coordinate (y_text, dot ? (gsize) (dot - y_text) : strlen (y_text), 7, &y))
    goto not_found;
  n = G_GINT64_CONSTANT (1) << z;
  if (x >= n || y >= n)
    goto not_found;

  state = get_state (self);
  set = g_hash_table_lookup (state->tile_sets, parts[0]);
  if (set == NULL)
    {
      set = open_tile_set (parts[0], path, &error);
      if (set == NULL)
        {
          iocd_request_send_error (request, error);
          return;
        }
      g_hash_table_insert (state->tile_sets, g_strdup (parts[0]), set);
    }

  /* MBTiles rows count from the south (TMS), XYZ from the north. */
  sqlite3_bind_int64 (set->tile, 1, z);
  sqlite3_bind_int64 (set->tile, 2, x);
  sqlite3_bind_int64 (set->tile, 3, n - 1 - y);
  rc = sqlite3_step (set->tile);
  if (rc == SQLITE_ROW)
    {
      const guint8 *data = sqlite3_column_blob (set->tile, 0);
      gsize len = sqlite3_column_bytes (set->tile, 0);

      /* Vector tiles are stored gzipped by the usual tools. */
      if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                      "Content-Encoding", "gzip");
      send_bytes (request, set->content_type, TILE_MAX_AGE, data, len);
      sqlite3_reset (set->tile);
      return;
    }
  sqlite3_reset (set->tile);

  if (rc != SQLITE_DONE)
    {
      error = g_error_new (IOC_ERROR, IOC_ERROR_INTERNAL, "tile set %s: %s", parts[0], sqlite3_errmsg (set->db));
      iocd_request_send_error (request, error);
      return;
    }

not_found:
  error = g_error_new_literal (IOC_ERROR, IOC_ERROR_NOT_FOUND, "no such tile");
  iocd_request_send_error (request, error);
}
