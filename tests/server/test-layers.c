/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "iocd-test-utils.h"

/*
 * Map layers and tiles, asked of a real iocd started with a configuration
 * file whose [tiles] group names MBTiles files made here. The tasks layer is
 * checked against the task list: both must agree on which tasks match.
 */

/* The demo city, with room to spare. */
#define CITY_BBOX "105.1,9.8,106.0,10.5"

static IocdTestServer *server;
static SoupSession *session;
static char *tile_dir;
static char *operator_token;
static char *liaison_token;      /* lienlac.sxd */
static char *admin_token;

/* A 1×1 PNG, and a second one that differs in its last pixel byte, so that
 * the test can tell which row a tile came from. */
static const guint8 png_a[] = {
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
  0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
  0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
  0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};
static const guint8 png_b[] = {
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
  0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0xf8, 0xcf, 0xc0,
  0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
  0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};
static const guint8 jpeg_blob[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0xff, 0xd9 };

/* MBTiles files */

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static void
insert_tile (sqlite3      *db,
             int           z,
             int           column,
             int           row,
             const guint8 *data,
             gsize         len)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO tiles VALUES (?, ?, ?, ?)", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int (stmt, 1, z);
  sqlite3_bind_int (stmt, 2, column);
  sqlite3_bind_int (stmt, 3, row);
  sqlite3_bind_blob (stmt, 4, data, len, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

/* Tiles are given in MBTiles (TMS) rows: row 0 is the southernmost. */
static char *
make_mbtiles (const char *name,
              const char *format)
{
  g_autofree char *path = g_build_filename (tile_dir, name, NULL);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_sql (db, "CREATE TABLE metadata (name TEXT, value TEXT)");
  exec_sql (db, "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)");
  exec_sql (db, "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)");
  exec_sql (db, "INSERT INTO metadata VALUES ('name', 'test')");
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO metadata VALUES ('format', ?)", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  sqlite3_bind_text (stmt, 1, format, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  if (g_str_equal (format, "png"))
    {
      insert_tile (db, 0, 0, 0, png_a, sizeof png_a);
      insert_tile (db, 1, 0, 1, png_a, sizeof png_a);   /* XYZ 1/0/0: the north-west tile */
      insert_tile (db, 1, 0, 0, png_b, sizeof png_b);   /* XYZ 1/0/1 */
    }
  else
    insert_tile (db, 0, 0, 0, jpeg_blob, sizeof jpeg_blob);
  sqlite3_close (db);

  return g_steal_pointer (&path);
}

static char *
write_config (void)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *png = make_mbtiles ("test.mbtiles", "png");
  g_autofree char *jpg = make_mbtiles ("photo.mbtiles", "jpg");
  /* A tile set beside the configured ones that no key names: reachable only
   * if a path were ever built from the request. */
  g_autofree char *stray = make_mbtiles ("stray.mbtiles", "png");
  g_autofree char *path = g_build_filename (tile_dir, "iocd.conf", NULL);

  g_key_file_set_string (file, "tiles", "test", png);
  g_key_file_set_string (file, "tiles", "photo", jpg);
  g_key_file_set_string (file, "tiles", "broken", "/nonexistent/iocd-test/none.mbtiles");
  g_assert_true (g_key_file_save_to_file (file, path, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&path);
}

static void
remove_tile_dir (void)
{
  const char *names[] = { "test.mbtiles", "photo.mbtiles", "stray.mbtiles", "iocd.conf" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (tile_dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (tile_dir);
}

/* Requests */

typedef struct {
  guint   status;
  GBytes *body;
  char   *content_type;
  char   *cache_control;
} Raw;

static void
raw_free (Raw *raw)
{
  g_clear_pointer (&raw->body, g_bytes_unref);
  g_free (raw->content_type);
  g_free (raw->cache_control);
  g_free (raw);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Raw, raw_free)

static Raw *
send_raw (SoupMessage *msg)
{
  g_autoptr(GError) error = NULL;
  Raw *raw = g_new0 (Raw, 1);
  SoupMessageHeaders *headers;

  raw->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  raw->status = soup_message_get_status (msg);
  headers = soup_message_get_response_headers (msg);
  raw->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  raw->cache_control = g_strdup (soup_message_headers_get_one (headers, "Cache-Control"));
  return raw;
}

/* The bytes of GET @path, whatever they are. */
static Raw *
get_raw (const char *path,
         const char *token)
{
  g_autoptr(SoupMessage) msg = iocd_test_message_new (server, "GET", path, token);

  return send_raw (msg);
}

/* The same with @path put on the wire as it is: a URI parsed from text would
 * lose its dot segments on the way, and the server would never see them. */
static Raw *
get_verbatim (const char *path,
              const char *token)
{
  g_autoptr(GUri) base = g_uri_parse (server->base_uri, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) uri = g_uri_build (G_URI_FLAGS_ENCODED, "https", NULL, g_uri_get_host (base),
                                     g_uri_get_port (base), path, NULL, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new_from_uri ("GET", uri);

  if (token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  g_assert_cmpstr (g_uri_get_path (soup_message_get_uri (msg)), ==, path);
  return send_raw (msg);
}

static JsonNode *
parse_body (Raw        *raw,
            const char *what)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *data = raw->body ? g_bytes_get_data (raw->body, &len) : NULL;

  if (data == NULL || !json_parser_load_from_data (parser, data, len, &error))
    {
      iocd_test_fail ("%s: the answer is not JSON: %s", what, error ? error->message : "empty");
      return NULL;
    }
  return json_parser_steal_root (parser);
}

/* GET @path as GeoJSON: asserts 200 and the media type; the collection, or NULL. */
static JsonNode *
get_geojson (const char *path,
             const char *token)
{
  g_autoptr(Raw) raw = get_raw (path, token);
  JsonNode *node;

  if (raw->status != 200)
    {
      iocd_test_fail ("%s: expected HTTP 200, got %u", path, raw->status);
      return NULL;
    }
  g_assert_cmpstr (raw->content_type, ==, "application/geo+json");
  node = parse_body (raw, path);
  if (node != NULL)
    g_assert_cmpstr (iocd_test_json_string (node, "type"), ==, "FeatureCollection");
  return node;
}

static JsonArray *
features_of (JsonNode *collection)
{
  JsonNode *features = iocd_test_json_get (collection, "features");

  g_assert_true (features != NULL && JSON_NODE_HOLDS_ARRAY (features));
  return features ? json_node_get_array (features) : NULL;
}

static gboolean
body_contains (Raw        *raw,
               const char *needle)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (raw->body, &len);

  return data != NULL && g_strstr_len (data, len, needle) != NULL;
}

static void
assert_not_found (Raw        *raw,
                  const char *what)
{
  if (raw->status != 404)
    iocd_test_fail ("%s: expected HTTP 404, got %u", what, raw->status);
}

/* libsoup itself answers 400, before any handler runs, to a path with a
 * ".." segment once decoded; the others must reach iocd and get a 404. */
static void
assert_refused (Raw        *raw,
                const char *what)
{
  if (raw->status == 400 && g_bytes_get_size (raw->body) == 0)
    return;
  assert_not_found (raw, what);
}

/* Task list helpers */

typedef struct {
  double min_lon, min_lat, max_lon, max_lat;
} Box;

static gboolean
box_contains (const Box *box,
              double     lat,
              double     lon)
{
  return lat >= box->min_lat && lat <= box->max_lat && lon >= box->min_lon && lon <= box->max_lon;
}

static gboolean
has_location (JsonNode *task)
{
  JsonNode *location = iocd_test_json_get (task, "location");

  return location != NULL && JSON_NODE_HOLDS_OBJECT (location);
}

/* Ids of the tasks with a location that the task list gives @token for @query. */
static GHashTable *
listed_located_ids (const char *token,
                    const char *query)
{
  g_autoptr(GPtrArray) tasks = iocd_test_list_tasks (server, session, token, query, 1000, NULL);
  GHashTable *ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint i = 0; tasks != NULL && i < tasks->len; i++)
    {
      JsonNode *task = g_ptr_array_index (tasks, i);

      if (!has_location (task))
        continue;
      g_hash_table_add (ids, g_memdup2 (&(gint64) { iocd_test_json_int (task, "id") }, sizeof (gint64)));
    }
  return ids;
}

static guint
listed_count_in_state (const char *token,
                       const char *query,
                       const char *state)
{
  g_autoptr(GPtrArray) tasks = iocd_test_list_tasks (server, session, token, query, 1000, NULL);
  guint n = 0;

  for (guint i = 0; tasks != NULL && i < tasks->len; i++)
    if (has_location (g_ptr_array_index (tasks, i)) &&
        g_strcmp0 (iocd_test_json_string (g_ptr_array_index (tasks, i), "state"), state) == 0)
      n++;
  return n;
}

/* Checks the clusters of @path against the task list for @query: counts add
 * up to the located tasks, every cluster lies in @box, its state counts add
 * up to its count. Returns the total. */
static guint
check_clusters (const char *token,
                const char *path,
                const char *query,
                const Box  *box)
{
  g_autoptr(JsonNode) layer = get_geojson (path, token);
  g_autoptr(GHashTable) listed = listed_located_ids (token, query);
  g_autoptr(GHashTable) by_state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *features;
  GHashTableIter iter;
  gpointer key, value;
  guint total = 0;

  if (layer == NULL)
    return 0;
  g_assert_true (json_node_get_boolean (iocd_test_json_get (layer, "clustered")));
  features = features_of (layer);

  for (guint i = 0; features != NULL && i < json_array_get_length (features); i++)
    {
      JsonNode *f = json_array_get_element (features, i);
      JsonObject *states;
      gint64 count = iocd_test_json_int (f, "properties.count");
      gint64 state_sum = 0;
      double lon = json_node_get_double (iocd_test_json_get (f, "geometry.coordinates.0"));
      double lat = json_node_get_double (iocd_test_json_get (f, "geometry.coordinates.1"));
      JsonNode *bbox = iocd_test_json_get (f, "properties.bbox");
      g_autoptr(GList) names = NULL;

      g_assert_cmpstr (iocd_test_json_string (f, "geometry.type"), ==, "Point");
      g_assert_true (json_node_get_boolean (iocd_test_json_get (f, "properties.cluster")));
      g_assert_cmpint (count, >, 0);
      g_assert_true (box_contains (box, lat, lon));
      g_assert_true (bbox != NULL && JSON_NODE_HOLDS_ARRAY (bbox) &&
                     json_array_get_length (json_node_get_array (bbox)) == 4);
      if (count == 1)
        g_assert_true (g_hash_table_contains (listed, &(gint64) { iocd_test_json_int (f, "properties.id") }));

      states = json_node_get_object (iocd_test_json_get (f, "properties.states"));
      names = json_object_get_members (states);
      for (GList *l = names; l != NULL; l = l->next)
        {
          gint64 n = json_object_get_int_member (states, l->data);
          gpointer old = g_hash_table_lookup (by_state, l->data);

          state_sum += n;
          g_hash_table_replace (by_state, g_strdup (l->data), GSIZE_TO_POINTER (GPOINTER_TO_SIZE (old) + n));
        }
      g_assert_cmpint (state_sum, ==, count);
      total += count;
    }

  g_assert_cmpuint (total, ==, g_hash_table_size (listed));
  g_assert_cmpint (iocd_test_json_int (layer, "count"), ==, total);

  /* The state tallies agree with the list too. */
  g_hash_table_iter_init (&iter, by_state);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *state_query = g_strdup_printf ("%s&state=%s", query, (char *) key);

      g_assert_cmpuint (GPOINTER_TO_SIZE (value), ==, listed_count_in_state (token, state_query, key));
    }

  /* Clusters are fewer than points, or there would be no point in them. */
  if (total > 20)
    g_assert_cmpuint (json_array_get_length (features), <, total);

  return total;
}

/* Checks the points of @path: exactly the located tasks the list gives for
 * @query, each in @box, with the documented properties only. */
static guint
check_points (const char *token,
              const char *path,
              const char *query,
              const Box  *box)
{
  g_autoptr(JsonNode) layer = get_geojson (path, token);
  g_autoptr(GHashTable) listed = listed_located_ids (token, query);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  JsonArray *features;

  if (layer == NULL)
    return 0;
  g_assert_false (json_node_get_boolean (iocd_test_json_get (layer, "clustered")));
  features = features_of (layer);

  for (guint i = 0; features != NULL && i < json_array_get_length (features); i++)
    {
      JsonNode *f = json_array_get_element (features, i);
      gint64 id = iocd_test_json_int (f, "properties.id");
      double lon = json_node_get_double (iocd_test_json_get (f, "geometry.coordinates.0"));
      double lat = json_node_get_double (iocd_test_json_get (f, "geometry.coordinates.1"));
      JsonObject *props = json_node_get_object (iocd_test_json_get (f, "properties"));

      g_assert_cmpint (iocd_test_json_int (f, "id"), ==, id);
      g_assert_true (box_contains (box, lat, lon));
      g_assert_true (g_hash_table_contains (listed, &id));
      g_assert_false (g_hash_table_contains (seen, &id));
      g_hash_table_add (seen, g_memdup2 (&id, sizeof id));
      g_assert_nonnull (iocd_test_json_string (f, "properties.state"));
      g_assert_nonnull (iocd_test_json_string (f, "properties.priority"));
      g_assert_nonnull (iocd_test_json_string (f, "properties.category"));
      g_assert_nonnull (iocd_test_json_string (f, "properties.title"));
      g_assert_cmpint (iocd_test_json_time (f, "properties.updated_at"), >, 0);
      g_assert_cmpuint (json_object_get_size (props), ==, 6);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, g_hash_table_size (listed));

  return g_hash_table_size (seen);
}

/* Layers */

static void
test_layers_list (void)
{
  const char *expected[] = { "city-boundary", "former-districts", "stations", "tasks" };
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/layers",
                                                     operator_token, NULL, NULL);
  g_autoptr(IocdTestResponse) admin = iocd_test_request (server, session, "GET", "/api/v1/layers",
                                                         admin_token, NULL, NULL);
  g_autoptr(IocdTestResponse) anonymous = iocd_test_request (server, session, "GET", "/api/v1/layers",
                                                             NULL, NULL, NULL);
  JsonNode *layers;

  if (!iocd_test_check_status (r, 200, "the list of layers"))
    return;
  layers = iocd_test_json_get (r->body, "layers");
  g_assert_true (layers != NULL && JSON_NODE_HOLDS_ARRAY (layers));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (layers)), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *name = g_strdup_printf ("layers.%u.name", i);
      g_autofree char *vi = g_strdup_printf ("layers.%u.title_vi", i);
      g_autofree char *en = g_strdup_printf ("layers.%u.title_en", i);
      g_autofree char *kind = g_strdup_printf ("layers.%u.kind", i);

      g_assert_cmpstr (iocd_test_json_string (r->body, name), ==, expected[i]);
      g_assert_nonnull (iocd_test_json_string (r->body, vi));
      g_assert_nonnull (iocd_test_json_string (r->body, en));
      g_assert_nonnull (iocd_test_json_string (r->body, kind));
    }
  g_assert_cmpstr (iocd_test_json_string (r->body, "layers.3.kind"), ==, "clustered");

  /* An admin handles no tasks, so the tasks layer is not offered to them. */
  if (iocd_test_check_status (admin, 200, "the list of layers for an admin"))
    g_assert_cmpuint (json_array_get_length (json_node_get_array (iocd_test_json_get (admin->body, "layers"))),
                      ==, G_N_ELEMENTS (expected) - 1);
  iocd_test_check_unauthorized (anonymous, "the list of layers without a token");
}

static void
test_layers_boundaries (void)
{
  g_autoptr(JsonNode) districts = get_geojson ("/api/v1/layers/former-districts", liaison_token);
  g_autoptr(JsonNode) city = get_geojson ("/api/v1/layers/city-boundary", operator_token);
  g_autoptr(JsonNode) again = get_geojson ("/api/v1/layers/former-districts", operator_token);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(Raw) raw = get_raw ("/api/v1/layers/former-districts", operator_token);
  JsonArray *features;
  const char *attribution;

  if (districts == NULL || city == NULL)
    return;

  features = features_of (districts);
  g_assert_cmpuint (json_array_get_length (features), ==, 9);
  for (guint i = 0; i < json_array_get_length (features); i++)
    {
      JsonNode *f = json_array_get_element (features, i);
      const char *name = iocd_test_json_string (f, "properties.name");
      const char *type = iocd_test_json_string (f, "geometry.type");

      g_assert_nonnull (name);
      g_assert_nonnull (iocd_test_json_string (f, "properties.code"));
      g_assert_true (g_str_equal (type, "Polygon") || g_str_equal (type, "MultiPolygon"));
      g_hash_table_add (names, (gpointer) name);
    }
  g_assert_cmpuint (g_hash_table_size (names), ==, 9);
  g_assert_true (g_hash_table_contains (names, "Quận Ninh Kiều"));

  /* The data is GPL-3.0: its origin travels with it. */
  attribution = iocd_test_json_string (districts, "attribution");
  g_assert_nonnull (attribution);
  g_assert_nonnull (strstr (attribution, "dvhcvn"));
  g_assert_nonnull (strstr (attribution, "gis.chinhphu.vn"));
  g_assert_nonnull (strstr (attribution, "GPL-3.0"));
  attribution = iocd_test_json_string (districts, "attribution_vi");
  g_assert_nonnull (attribution);
  g_assert_nonnull (strstr (attribution, "Ranh giới"));
  g_assert_nonnull (strstr (attribution, "dvhcvn"));
  g_assert_nonnull (iocd_test_json_string (city, "attribution"));

  g_assert_cmpuint (json_array_get_length (features_of (city)), ==, 1);
  g_assert_cmpstr (iocd_test_json_string (city, "features.0.properties.name"), ==, "Thành phố Cần Thơ");

  /* Served from the cache the second time, the same. */
  if (again != NULL)
    g_assert_true (json_node_equal (districts, again));
  g_assert_nonnull (raw->cache_control);
  g_assert_nonnull (strstr (raw->cache_control, "max-age="));
}

static void
test_layers_errors (void)
{
  struct {
    const char *path;
    const char *token;
    guint       status;
    const char *field;
  } cases[] = {
    { "/api/v1/layers/nowhere", NULL, 401, NULL },
    { "/api/v1/layers/tasks", NULL, 401, NULL },
    { "/api/v1/layers/nowhere", "operator", 404, NULL },
    { "/api/v1/layers/tasks/extra", "operator", 404, NULL },
    { "/api/v1/layers/cantho_districts.geojson", "operator", 404, NULL },
    { "/api/v1/layers/tasks", "admin", 403, NULL },
    { "/api/v1/layers/tasks?zoom=23", "operator", 400, "zoom" },
    { "/api/v1/layers/tasks?zoom=-1", "operator", 400, "zoom" },
    { "/api/v1/layers/tasks?zoom=ten", "operator", 400, "zoom" },
    { "/api/v1/layers/tasks?bbox=1,2,3", "operator", 400, "bbox" },
    { "/api/v1/layers/tasks?bbox=106,10,105,11", "operator", 400, "bbox" },
    { "/api/v1/layers/tasks?state=lost", "operator", 400, "state" },
    { "/api/v1/layers/tasks?department=NOPE", "operator", 400, "department" },
    { "/api/v1/layers/tasks?reporter_name=x", "operator", 400, "reporter_name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *token = cases[i].token == NULL ? NULL :
                          g_str_equal (cases[i].token, "admin") ? admin_token : operator_token;
      g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", cases[i].path, token, NULL, NULL);

      if (cases[i].status == 401)
        iocd_test_check_unauthorized (r, cases[i].path);
      else
        iocd_test_check_error (r, cases[i].status, NULL, cases[i].field, cases[i].path);
    }

  {
    g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "POST", "/api/v1/layers/tasks",
                                                       operator_token, "{}", NULL);

    iocd_test_check_status (r, 405, "POST on a layer");
  }
}

static void
test_layers_tasks_clusters (void)
{
  Box city = { 105.1, 9.8, 106.0, 10.5 };
  guint all, open, category;

  all = check_clusters (operator_token, "/api/v1/layers/tasks?zoom=10&bbox=" CITY_BBOX,
                        "bbox=" CITY_BBOX, &city);
  open = check_clusters (operator_token, "/api/v1/layers/tasks?zoom=10&state=open&bbox=" CITY_BBOX,
                         "state=open&bbox=" CITY_BBOX, &city);
  category = check_clusters (operator_token, "/api/v1/layers/tasks?zoom=12&source=hotline&bbox=" CITY_BBOX,
                             "source=hotline&bbox=" CITY_BBOX, &city);

  /* The demo has located tasks in several states, from several sources. */
  g_assert_cmpuint (all, >, 50);
  g_assert_cmpuint (open, >, 0);
  g_assert_cmpuint (open, <, all);
  g_assert_cmpuint (category, <, all);

  /* Without a bbox: every located task, at the lowest zoom too. */
  {
    Box world = { -180, -90, 180, 90 };

    g_assert_cmpuint (check_clusters (operator_token, "/api/v1/layers/tasks?zoom=0", "", &world), ==, all);
  }
}

static void
test_layers_tasks_points (void)
{
  g_autoptr(GPtrArray) tasks = iocd_test_list_tasks (server, session, operator_token,
                                                     "bbox=" CITY_BBOX, 1000, NULL);
  JsonNode *first = NULL;
  double lat, lon;
  Box box;
  g_autofree char *bbox = NULL;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;
  guint n;

  for (guint i = 0; tasks != NULL && i < tasks->len && first == NULL; i++)
    if (has_location (g_ptr_array_index (tasks, i)))
      first = g_ptr_array_index (tasks, i);
  g_assert_nonnull (first);
  if (first == NULL)
    return;

  /* About 2 km around a task: a street-level view. */
  lat = json_node_get_double (iocd_test_json_get (first, "location.lat"));
  lon = json_node_get_double (iocd_test_json_get (first, "location.lon"));
  box = (Box) { lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01 };
  bbox = g_strdup_printf ("%.6f,%.6f,%.6f,%.6f", box.min_lon, box.min_lat, box.max_lon, box.max_lat);
  /* The printed box may be a hair larger than the one kept for checking. */
  box = (Box) { box.min_lon - 1e-6, box.min_lat - 1e-6, box.max_lon + 1e-6, box.max_lat + 1e-6 };
  path = g_strdup_printf ("/api/v1/layers/tasks?zoom=16&bbox=%s", bbox);
  query = g_strdup_printf ("bbox=%s", bbox);

  n = check_points (operator_token, path, query, &box);
  g_assert_cmpuint (n, >=, 1);

  /* Zoom 14 is the first to show points. */
  g_free (path);
  path = g_strdup_printf ("/api/v1/layers/tasks?zoom=14&bbox=%s", bbox);
  g_assert_cmpuint (check_points (operator_token, path, query, &box), ==, n);
}

static void
test_layers_tasks_liaison (void)
{
  Box city = { 105.1, 9.8, 106.0, 10.5 };
  g_autoptr(GHashTable) operator_ids = listed_located_ids (operator_token, "bbox=" CITY_BBOX);
  guint points, clusters;

  /* The liaison's layer is the liaison's list: only tasks that are or were
   * their department's, fewer than the operator's. */
  points = check_points (liaison_token, "/api/v1/layers/tasks?zoom=16&bbox=" CITY_BBOX,
                         "bbox=" CITY_BBOX, &city);
  clusters = check_clusters (liaison_token, "/api/v1/layers/tasks?zoom=10&bbox=" CITY_BBOX,
                             "bbox=" CITY_BBOX, &city);
  g_assert_cmpuint (points, ==, clusters);
  g_assert_cmpuint (points, >, 0);
  g_assert_cmpuint (points, <, g_hash_table_size (operator_ids));

  /* Asking for another department does not widen it. */
  {
    g_autoptr(JsonNode) layer = get_geojson ("/api/v1/layers/tasks?zoom=16&department=CATP", liaison_token);
    g_autoptr(GHashTable) own = listed_located_ids (liaison_token, "department=CATP");

    if (layer != NULL)
      g_assert_cmpuint (json_array_get_length (features_of (layer)), ==, g_hash_table_size (own));
  }
}

static void
test_layers_tasks_private (void)
{
  const char *paths[] = {
    "/api/v1/layers/tasks?zoom=16",
    "/api/v1/layers/tasks?zoom=10",
    "/api/v1/layers/tasks?zoom=16&bbox=" CITY_BBOX,
  };

  /* Not even an operator, who may read reporters in the task list, gets
   * them through a layer. */
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Raw) raw = get_raw (paths[i], operator_token);
      g_autoptr(Raw) liaison = get_raw (paths[i], liaison_token);

      g_assert_cmpuint (raw->status, ==, 200);
      g_assert_false (body_contains (raw, "reporter"));
      g_assert_false (body_contains (liaison, "reporter"));
      g_assert_cmpstr (raw->cache_control, ==, "no-store");
    }
}

static void
test_layers_stations (void)
{
  g_autoptr(JsonNode) layer = get_geojson ("/api/v1/layers/stations", liaison_token);
  g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", "/api/v1/stations",
                                                     operator_token, NULL, NULL);
  g_autoptr(GHashTable) features = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;
  JsonArray *stations;
  guint located = 0;

  if (layer == NULL || !iocd_test_check_status (r, 200, "the list of stations"))
    return;

  array = features_of (layer);
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *f = json_array_get_element (array, i);

      g_assert_cmpstr (iocd_test_json_string (f, "geometry.type"), ==, "Point");
      g_hash_table_insert (features, (gpointer) iocd_test_json_string (f, "properties.code"), f);
    }

  /* Every placed station is on the layer, where the station list puts it,
   * with the same alarm state and newest reading. */
  stations = json_node_get_array (iocd_test_json_get (r->body, "stations"));
  for (guint i = 0; i < json_array_get_length (stations); i++)
    {
      JsonNode *station = json_array_get_element (stations, i);
      const char *code = iocd_test_json_string (station, "code");
      JsonNode *f = g_hash_table_lookup (features, code);
      JsonNode *latest = iocd_test_json_get (station, "latest");

      if (!JSON_NODE_HOLDS_OBJECT (iocd_test_json_get (station, "location")))
        {
          g_assert_null (f);
          continue;
        }
      located++;
      g_assert_nonnull (f);
      if (f == NULL)
        continue;
      g_assert_cmpfloat (json_node_get_double (iocd_test_json_get (f, "geometry.coordinates.0")), ==,
                         json_node_get_double (iocd_test_json_get (station, "location.lon")));
      g_assert_cmpfloat (json_node_get_double (iocd_test_json_get (f, "geometry.coordinates.1")), ==,
                         json_node_get_double (iocd_test_json_get (station, "location.lat")));
      g_assert_cmpstr (iocd_test_json_string (f, "properties.kind"), ==, iocd_test_json_string (station, "kind"));
      g_assert_cmpstr (iocd_test_json_string (f, "properties.unit"), ==, iocd_test_json_string (station, "unit"));
      g_assert_cmpint (iocd_test_json_int (f, "properties.alarm_level"), ==,
                       iocd_test_json_int (station, "alarm_level"));
      g_assert_true (json_node_equal (iocd_test_json_get (f, "properties.levels"),
                                      iocd_test_json_get (station, "levels")));
      if (latest != NULL && JSON_NODE_HOLDS_OBJECT (latest))
        g_assert_true (json_node_equal (iocd_test_json_get (f, "properties.latest"), latest));
      g_assert_cmpint (iocd_test_json_int (f, "properties.latest_level"), >=, 0);
      g_assert_cmpint (iocd_test_json_int (f, "properties.latest_level"), <=, 3);
    }
  g_assert_cmpuint (g_hash_table_size (features), ==, located);

  /* The Hậu River gauge of the demo, with its real alarm levels. */
  g_assert_true (g_hash_table_contains (features, "CANTHO"));
  if (g_hash_table_contains (features, "CANTHO"))
    {
      JsonNode *gauge = g_hash_table_lookup (features, "CANTHO");

      g_assert_cmpstr (iocd_test_json_string (gauge, "properties.kind"), ==, "water_level");
      g_assert_cmpfloat (json_node_get_double (iocd_test_json_get (gauge, "properties.levels.0")), ==, 1.8);
      g_assert_nonnull (iocd_test_json_get (gauge, "properties.latest.value"));
    }
}

/* Tiles */

static void
test_tiles_existing (void)
{
  g_autoptr(Raw) world = get_raw ("/tiles/test/0/0/0", operator_token);
  g_autoptr(Raw) north = get_raw ("/tiles/test/1/0/0.png", liaison_token);
  g_autoptr(Raw) south = get_raw ("/tiles/test/1/0/1", admin_token);
  g_autoptr(Raw) photo = get_raw ("/tiles/photo/0/0/0.jpg", operator_token);
  g_autoptr(GBytes) a = g_bytes_new_static (png_a, sizeof png_a);
  g_autoptr(GBytes) b = g_bytes_new_static (png_b, sizeof png_b);
  g_autoptr(GBytes) jpeg = g_bytes_new_static (jpeg_blob, sizeof jpeg_blob);

  g_assert_cmpuint (world->status, ==, 200);
  g_assert_cmpstr (world->content_type, ==, "image/png");
  g_assert_true (g_bytes_equal (world->body, a));
  g_assert_nonnull (world->cache_control);
  g_assert_nonnull (strstr (world->cache_control, "max-age="));

  /* XYZ rows count from the north, MBTiles rows from the south. */
  g_assert_cmpuint (north->status, ==, 200);
  g_assert_true (g_bytes_equal (north->body, a));
  g_assert_cmpuint (south->status, ==, 200);
  g_assert_true (g_bytes_equal (south->body, b));

  /* The media type comes from the set's metadata. */
  g_assert_cmpuint (photo->status, ==, 200);
  g_assert_cmpstr (photo->content_type, ==, "image/jpeg");
  g_assert_true (g_bytes_equal (photo->body, jpeg));
}

static void
test_tiles_missing (void)
{
  const char *paths[] = {
    "/tiles/test/1/1/1",             /* in range, not in the file */
    "/tiles/test/5/3/7.png",
    "/tiles/photo/1/0/0",
    "/tiles/test/23/0/0",            /* out of range */
    "/tiles/test/0/1/0",
    "/tiles/test/0/0/1",
    "/tiles/test/1/2/0",
    "/tiles/test/2/0/4",
    "/tiles/test/22/4194304/0",
    "/tiles/test/-1/0/0",
    "/tiles/test/1/-0/0",
    "/tiles/test/1/0/+1",
    "/tiles/test/1/0x0/0",
    "/tiles/test/99999999999999999999/0/0",
    "/tiles/test/0/0/0.exe",
    "/tiles/test/0/0/0.png.png",
    "/tiles/test/0/0",               /* wrong shape */
    "/tiles/test/0/0/0/0",
    "/tiles/test/",
    "/tiles/",
    "/tiles/nope/0/0/0",             /* unknown sets */
    "/tiles/stray/0/0/0",
    "/tiles/TEST/0/0/0",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Raw) raw = get_raw (paths[i], operator_token);

      assert_not_found (raw, paths[i]);
    }
}

static void
test_tiles_traversal (void)
{
  const char *paths[] = {
    "/tiles/../../etc/passwd/0/0/0",
    "/tiles/../test/0/0/0",
    "/tiles/%2e%2e/0/0/0",
    "/tiles/%2e%2e%2f%2e%2e%2fetc%2fpasswd/0/0/0",
    "/tiles/..%2Fstray/0/0/0",
    "/tiles/test%2F..%2Fstray/0/0/0",
    "/tiles/test%2f0/0/0/0",
    "/tiles/%2Fetc%2Fpasswd/0/0/0",
    "/tiles/stray.mbtiles/0/0/0",
    "/tiles/.%2Fstray/0/0/0",
    "/tiles/test/..%2F..%2F0/0/0",
    "/tiles/test%00/0/0/0",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Raw) raw = get_verbatim (paths[i], operator_token);

      g_test_message ("%s: HTTP %u", paths[i], raw->status);
      assert_refused (raw, paths[i]);
      g_assert_false (body_contains (raw, "root:"));
    }
}

static void
test_tiles_auth (void)
{
  g_autoptr(Raw) none = get_raw ("/tiles/test/0/0/0", NULL);
  g_autoptr(Raw) wrong = get_raw ("/tiles/test/0/0/0", "not-a-token");
  g_autoptr(Raw) unknown = get_raw ("/tiles/nope/0/0/0", NULL);
  g_autoptr(SoupMessage) post = iocd_test_message_new (server, "POST", "/tiles/test/0/0/0", operator_token);
  g_autoptr(Raw) posted = send_raw (post);

  /* Signing in comes first: without it, nothing about the sets shows. */
  g_assert_cmpuint (none->status, ==, 401);
  g_assert_cmpuint (wrong->status, ==, 401);
  g_assert_cmpuint (unknown->status, ==, 401);
  g_assert_cmpuint (posted->status, ==, 405);
}

static void
test_tiles_broken_set (void)
{
  g_autoptr(Raw) raw = get_raw ("/tiles/broken/0/0/0", operator_token);
  g_autoptr(Raw) after = get_raw ("/tiles/test/0/0/0", operator_token);

  /* A configured file that is not there is the admin's mistake, not a
   * missing tile: the server says so, and the other sets still work. */
  g_assert_cmpuint (raw->status, ==, 500);
  g_assert_cmpuint (after->status, ==, 200);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *config = NULL;
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();

  tile_dir = g_dir_make_tmp ("iocd-test-tiles-XXXXXX", NULL);
  g_assert_nonnull (tile_dir);
  config = write_config ();
  server = iocd_test_server_start ((const char * const []) { "--config", config, NULL });
  session = iocd_test_session_new (server);
  operator_token = iocd_test_login (server, session, "trucban1", NULL);
  liaison_token = iocd_test_login (server, session, "lienlac.sxd", NULL);
  admin_token = iocd_test_login (server, session, "admin", NULL);

  g_test_add_func ("/layers/list", test_layers_list);
  g_test_add_func ("/layers/boundaries", test_layers_boundaries);
  g_test_add_func ("/layers/errors", test_layers_errors);
  g_test_add_func ("/layers/tasks-clusters", test_layers_tasks_clusters);
  g_test_add_func ("/layers/tasks-points", test_layers_tasks_points);
  g_test_add_func ("/layers/tasks-liaison", test_layers_tasks_liaison);
  g_test_add_func ("/layers/tasks-private", test_layers_tasks_private);
  g_test_add_func ("/layers/stations", test_layers_stations);
  g_test_add_func ("/tiles/existing", test_tiles_existing);
  g_test_add_func ("/tiles/missing", test_tiles_missing);
  g_test_add_func ("/tiles/traversal", test_tiles_traversal);
  g_test_add_func ("/tiles/auth", test_tiles_auth);
  g_test_add_func ("/tiles/broken-set", test_tiles_broken_set);
  iocd_test_add_shutdown ("/tiles/shutdown", server);

  ret = iocd_test_run (&server, &session);

  g_free (operator_token);
  g_free (liaison_token);
  g_free (admin_token);
  remove_tile_dir ();
  g_free (tile_dir);

  return ret;
}
