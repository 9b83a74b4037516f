/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <math.h>

#include "ioc-boundary-layer.h"
#include "ioc-spatial-index.h"
#include "ioc-text.h"

/* ---- Shared by the map's layers ------------------------------------------ */

void
ioc_map_transform_init (IocMapTransform *transform,
                        ShumateLayer    *layer)
{
  ShumateViewport *viewport = shumate_layer_get_viewport (layer);
  ShumateMapSource *source = shumate_viewport_get_reference_map_source (viewport);
  double tile_size = source != NULL ? shumate_map_source_get_tile_size (source) : 256.0;
  double cx, cy;

  transform->zoom = shumate_viewport_get_zoom_level (viewport);
  transform->rotation = shumate_viewport_get_rotation (viewport);
  transform->width = gtk_widget_get_width (GTK_WIDGET (layer));
  transform->height = gtk_widget_get_height (GTK_WIDGET (layer));
  transform->scale = tile_size * exp2 (transform->zoom);
  ioc_mercator_from_lat_lon (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)),
                             shumate_location_get_longitude (SHUMATE_LOCATION (viewport)),
                             &cx, &cy);
  transform->offset_x = cx * transform->scale - transform->width / 2.0;
  transform->offset_y = cy * transform->scale - transform->height / 2.0;
}

/* A texture of @surface's pixels (ARGB32) with straight alpha. GTK 4.8's
 * cairo renderer copies a texture's pixels into a new surface each time it
 * draws it; from premultiplied pixels, already what cairo uses, that copy
 * goes through floats at 11.5 ns a pixel, from straight alpha it is one
 * multiplication a channel at 5 ns (measured with gdk_texture_download ()
 * on this machine). The GL renderer uploads it once either way. */
GdkTexture *
ioc_map_texture_new_for_surface (cairo_surface_t *surface)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guchar *data;
  guchar *pixels;
  g_autoptr(GBytes) bytes = NULL;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  pixels = g_malloc ((gsize) stride * height);
  for (int y = 0; y < height; y++)
    {
      const guint32 *in = (const guint32 *) (data + (gsize) y * stride);
      guchar *out = pixels + (gsize) y * stride;

      for (int x = 0; x < width; x++, out += 4)
        {
          guint32 p = in[x];
          guint a = p >> 24;

          /* Bytes B, G, R, A, as GDK_MEMORY_B8G8R8A8 reads them. */
          out[3] = a;
          if (a == 0)
            out[0] = out[1] = out[2] = 0;
          else
            {
              out[2] = (((p >> 16) & 0xff) * 255 + a / 2) / a;
              out[1] = (((p >> 8) & 0xff) * 255 + a / 2) / a;
              out[0] = ((p & 0xff) * 255 + a / 2) / a;
            }
        }
    }
  bytes = g_bytes_new_take (pixels, (gsize) stride * height);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_B8G8R8A8, bytes, stride);
}

gboolean
ioc_map_renderer_is_cairo (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;

  return renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer);
}

static void
rotate_around_centre (const IocMapTransform *t,
                      double                 angle,
                      double                *x,
                      double                *y)
{
  double dx = *x - t->width / 2.0;
  double dy = *y - t->height / 2.0;

  if (angle == 0.0)
    return;
  *x = cos (angle) * dx - sin (angle) * dy + t->width / 2.0;
  *y = sin (angle) * dx + cos (angle) * dy + t->height / 2.0;
}

void
ioc_map_transform_to_widget (const IocMapTransform *transform,
                             double                 lat,
                             double                 lon,
                             double                *x,
                             double                *y)
{
  double mx, my;

  ioc_mercator_from_lat_lon (lat, lon, &mx, &my);
  *x = mx * transform->scale - transform->offset_x;
  *y = my * transform->scale - transform->offset_y;
  rotate_around_centre (transform, transform->rotation, x, y);
}

void
ioc_map_transform_to_location (const IocMapTransform *transform,
                               double                 x,
                               double                 y,
                               double                *lat,
                               double                *lon)
{
  rotate_around_centre (transform, -transform->rotation, &x, &y);
  ioc_mercator_to_lat_lon ((x + transform->offset_x) / transform->scale,
                           (y + transform->offset_y) / transform->scale,
                           lat, lon);
}

void
ioc_map_transform_visible_bbox (const IocMapTransform *transform,
                                double                 margin_px,
                                double                *min_lat,
                                double                *min_lon,
                                double                *max_lat,
                                double                *max_lon)
{
  double half_w = transform->width / 2.0 + margin_px;
  double half_h = transform->height / 2.0 + margin_px;
  double cx = transform->offset_x + transform->width / 2.0;
  double cy = transform->offset_y + transform->height / 2.0;

  if (transform->rotation != 0.0)
    {
      /* The rotated view's corners lie within its half-diagonal. */
      half_w = half_h = hypot (half_w, half_h);
    }

  ioc_mercator_to_lat_lon ((cx - half_w) / transform->scale, (cy + half_h) / transform->scale,
                           min_lat, min_lon);
  ioc_mercator_to_lat_lon ((cx + half_w) / transform->scale, (cy - half_h) / transform->scale,
                           max_lat, max_lon);
}

void
ioc_map_transform_push_rotation (const IocMapTransform *transform,
                                 GtkSnapshot           *snapshot)
{
  gtk_snapshot_save (snapshot);
  if (transform->rotation != 0.0)
    {
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (transform->width / 2.0, transform->height / 2.0));
      gtk_snapshot_rotate (snapshot, transform->rotation * 180.0 / G_PI);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-transform->width / 2.0, -transform->height / 2.0));
    }
}

/* ---- The layer ------------------------------------------------------------ */

/* Rings are simplified for whole zooms 0 to MAX_LEVEL. */
#define MAX_LEVEL 22

typedef struct {
  double *xy;          /* world units, x then y */
  guint   n;
  double  min_x, min_y, max_x, max_y;
} Ring;

typedef struct {
  char        *code;
  char        *name;
  GArray      *rings;   /* Ring; holes are rings too: filled even-odd */
  double       min_x, min_y, max_x, max_y;
  double       label_x, label_y;
  PangoLayout *layout;
  gboolean     filled;
  GdkRGBA      fill;
} Feature;

struct _IocBoundaryLayer
{
  ShumateLayer  parent_instance;

  GPtrArray    *features;     /* Feature */
  GHashTable   *by_code;      /* code → Feature (borrowed) */
  char         *attribution;
  gboolean      labels;
  double        line_width;
  double        label_zoom;
  guint         n_labels_drawn;

  /* The rings simplified for each whole zoom, made when first drawn, and
   * the line's profile (see "Outlines" below). */
  GArray       *levels[MAX_LEVEL + 1];  /* Ring */
  GdkTexture   *line_texture;
  double        line_texture_height;
  GdkRGBA       line_colour;
  int           line_scale;
  guint         n_segments_drawn;

  /* Fills rendered in tiles, kept while they are used (see "Tiles"
   * below). */
  GHashTable   *tiles;        /* Tile* (its key) → Tile */
  guint64       frame;
  double        last_zoom;
  gint64        zoom_changed_at;
  guint         settle_timeout;
  guint         redraw_idle;
  guint         n_tiles_rendered;
  int           tile_scale;
};

G_DEFINE_FINAL_TYPE (IocBoundaryLayer, ioc_boundary_layer, SHUMATE_TYPE_LAYER)

static void
ring_clear (gpointer data)
{
  Ring *ring = data;

  g_free (ring->xy);
}

static void
feature_free (gpointer data)
{
  Feature *feature = data;

  g_free (feature->code);
  g_free (feature->name);
  g_clear_pointer (&feature->rings, g_array_unref);
  g_clear_object (&feature->layout);
  g_free (feature);
}

static void
clear_layouts (IocBoundaryLayer *self)
{
  for (guint i = 0; i < self->features->len; i++)
    g_clear_object (&((Feature *) g_ptr_array_index (self->features, i))->layout);
}

/* Reads one ring of [lon, lat] pairs; FALSE when it is not one. */
static gboolean
read_ring (JsonArray *coordinates,
           Ring      *ring)
{
  guint n = json_array_get_length (coordinates);

  if (n < 3)
    return FALSE;

  ring->xy = g_new (double, 2 * n);
  ring->n = 0;
  ring->min_x = ring->min_y = G_MAXDOUBLE;
  ring->max_x = ring->max_y = -G_MAXDOUBLE;
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (coordinates, i);
      JsonArray *pair;
      double x, y;

      if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (pair = json_node_get_array (node)) < 2)
        {
          g_clear_pointer (&ring->xy, g_free);
          return FALSE;
        }
      ioc_mercator_from_lat_lon (json_array_get_double_element (pair, 1),
                                 json_array_get_double_element (pair, 0),
                                 &x, &y);
      ring->xy[2 * ring->n] = x;
      ring->xy[2 * ring->n + 1] = y;
      ring->n++;
      ring->min_x = MIN (ring->min_x, x);
      ring->max_x = MAX (ring->max_x, x);
      ring->min_y = MIN (ring->min_y, y);
      ring->max_y = MAX (ring->max_y, y);
    }
  return TRUE;
}

static void
read_polygon (JsonArray *polygon,
              GArray    *rings)
{
  for (guint i = 0; i < json_array_get_length (polygon); i++)
    {
      JsonNode *node = json_array_get_element (polygon, i);
      Ring ring = { 0 };

      if (JSON_NODE_HOLDS_ARRAY (node) && read_ring (json_node_get_array (node), &ring))
        g_array_append_val (rings, ring);
    }
}

static gboolean
ring_contains (const Ring *ring,
               double      x,
               double      y)
{
  gboolean inside = FALSE;

  if (x < ring->min_x || x > ring->max_x || y < ring->min_y || y > ring->max_y)
    return FALSE;

  for (guint i = 0, j = ring->n - 1; i < ring->n; j = i++)
    {
      double xi = ring->xy[2 * i], yi = ring->xy[2 * i + 1];
      double xj = ring->xy[2 * j], yj = ring->xy[2 * j + 1];

      if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        inside = !inside;
    }
  return inside;
}

static gboolean
feature_contains (const Feature *feature,
                  double         x,
                  double         y)
{
  gboolean inside = FALSE;

  if (x < feature->min_x || x > feature->max_x || y < feature->min_y || y > feature->max_y)
    return FALSE;

  /* Even-odd over every ring: holes cut out, islands count. */
  for (guint i = 0; i < feature->rings->len; i++)
    if (ring_contains (&g_array_index (feature->rings, Ring, i), x, y))
      inside = !inside;
  return inside;
}

/* The label goes at the centroid of the largest ring when that lies inside
 * the feature (a crescent's does not), else at the middle of the ring's
 * widest horizontal run through its centre. */
static void
place_label (Feature *feature)
{
  const Ring *largest = NULL;
  double largest_area = 0.0;
  double cx = 0.0, cy = 0.0;

  for (guint i = 0; i < feature->rings->len; i++)
    {
      const Ring *ring = &g_array_index (feature->rings, Ring, i);
      double area = 0.0, sx = 0.0, sy = 0.0;

      for (guint k = 0, j = ring->n - 1; k < ring->n; j = k++)
        {
          double cross = ring->xy[2 * j] * ring->xy[2 * k + 1] - ring->xy[2 * k] * ring->xy[2 * j + 1];

          area += cross;
          sx += (ring->xy[2 * j] + ring->xy[2 * k]) * cross;
          sy += (ring->xy[2 * j + 1] + ring->xy[2 * k + 1]) * cross;
        }
      if (fabs (area) > largest_area)
        {
          largest_area = fabs (area);
          largest = ring;
          cx = sx / (3.0 * area);
          cy = sy / (3.0 * area);
        }
    }

  if (largest == NULL)
    return;

  if (!feature_contains (feature, cx, cy))
    {
      double best = 0.0;

      cy = (largest->min_y + largest->max_y) / 2.0;
      cx = (largest->min_x + largest->max_x) / 2.0;
      /* Crossings of the horizontal line at cy, paired up inside/outside. */
      for (guint k = 0; k < 64; k++)
        {
          double x0 = largest->min_x + (largest->max_x - largest->min_x) * k / 64.0;
          double x1 = largest->min_x + (largest->max_x - largest->min_x) * (k + 1) / 64.0;

          if (feature_contains (feature, (x0 + x1) / 2.0, cy))
            {
              double run_start = x0, run_end = x1;

              while (k + 1 < 64 &&
                     feature_contains (feature, largest->min_x + (largest->max_x - largest->min_x) * (k + 1.5) / 64.0, cy))
                {
                  k++;
                  run_end = largest->min_x + (largest->max_x - largest->min_x) * (k + 1) / 64.0;
                }
              if (run_end - run_start > best)
                {
                  best = run_end - run_start;
                  cx = (run_start + run_end) / 2.0;
                }
            }
        }
    }

  feature->label_x = cx;
  feature->label_y = cy;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static Feature *
read_feature (JsonObject *object)
{
  g_autoptr(GArray) rings = NULL;
  JsonObject *geometry = NULL;
  JsonObject *properties = NULL;
  const char *type;
  JsonArray *coordinates;
  Feature *feature;
  const char *code;

  if (json_object_has_member (object, "geometry") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "geometry")))
    geometry = json_object_get_object_member (object, "geometry");
  if (json_object_has_member (object, "properties") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "properties")))
    properties = json_object_get_object_member (object, "properties");
  if (geometry == NULL || !json_object_has_member (geometry, "coordinates") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (geometry, "coordinates")))
    return NULL;

  type = member_string (geometry, "type");
  coordinates = json_object_get_array_member (geometry, "coordinates");
  rings = g_array_new (FALSE, TRUE, sizeof (Ring));
  g_array_set_clear_func (rings, ring_clear);

  if (g_strcmp0 (type, "Polygon") == 0)
    read_polygon (coordinates, rings);
  else if (g_strcmp0 (type, "MultiPolygon") == 0)
    {
      for (guint i = 0; i < json_array_get_length (coordinates); i++)
        {
          JsonNode *node = json_array_get_element (coordinates, i);

          if (JSON_NODE_HOLDS_ARRAY (node))
            read_polygon (json_node_get_array (node), rings);
        }
    }

  if (rings->len == 0)
    return NULL;

  feature = g_new0 (Feature, 1);
  code = member_string (properties, "code");
  if (code == NULL)
    code = member_string (object, "id");
  if (code == NULL && json_object_has_member (object, "id") &&
      json_node_get_value_type (json_object_get_member (object, "id")) == G_TYPE_INT64)
    feature->code = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (object, "id"));
  else
    feature->code = g_strdup (code);
  feature->name = g_strdup (member_string (properties, "name"));
  feature->min_x = feature->min_y = G_MAXDOUBLE;
  feature->max_x = feature->max_y = -G_MAXDOUBLE;
  for (guint i = 0; i < rings->len; i++)
    {
      const Ring *ring = &g_array_index (rings, Ring, i);

      feature->min_x = MIN (feature->min_x, ring->min_x);
      feature->min_y = MIN (feature->min_y, ring->min_y);
      feature->max_x = MAX (feature->max_x, ring->max_x);
      feature->max_y = MAX (feature->max_y, ring->max_y);
    }
  feature->rings = g_steal_pointer (&rings);
  place_label (feature);
  return feature;
}

/* ---- Tiles --------------------------------------------------------------
 *
 * Fills (a choropleth) do not change while the map moves, so they are
 * drawn with cairo once into tiles of TILE_PX pixels on a grid fixed to the
 * world at one zoom, and each frame only places the tiles' textures. While
 * the zoom changes, the tiles of the nearest whole zoom are shown scaled;
 * once it has held still for SETTLE_MS, tiles are made for the zoom
 * itself, so that a view left at a fractional zoom is sharp. Tiles that no
 * fill reaches are remembered as empty and cost nothing. Tile rendering in
 * one frame stops after RENDER_BUDGET_US; the rest come in the next frames,
 * meanwhile covered by the tiles of the zoom above or below when there are
 * some. Outlines are not drawn in tiles (see "Outlines" below). */

#define TILE_PX 256
#define SETTLE_MS 150
#define RENDER_BUDGET_US 4000
/* Tiles kept: all (most are empty, a few bytes each), and those with a
 * texture (256 KiB each, and as much again in the renderer). A 1920 × 1080
 * view meets at most 45 tiles. */
#define MAX_TILES 2048
#define MAX_TEXTURES 64

typedef struct {
  double      zoom;
  gint64      tx;
  gint64      ty;
  GdkTexture *texture;      /* NULL when nothing shows in it */
  guint64     used;         /* frame it was last drawn in */
} Tile;

static guint
tile_hash (gconstpointer key)
{
  const Tile *tile = key;
  guint64 v = (guint64) tile->tx * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^
              (guint64) tile->ty * G_GUINT64_CONSTANT (0xc2b2ae3d27d4eb4f);

  return (guint) (v ^ (v >> 32)) ^ g_double_hash (&tile->zoom);
}

static gboolean
tile_equal (gconstpointer a,
            gconstpointer b)
{
  const Tile *ta = a, *tb = b;

  return ta->tx == tb->tx && ta->ty == tb->ty && ta->zoom == tb->zoom;
}

static void
tile_free (gpointer data)
{
  Tile *tile = data;

  g_clear_object (&tile->texture);
  g_free (tile);
}

static void
clear_tiles (IocBoundaryLayer *self)
{
  g_hash_table_remove_all (self->tiles);
}

static int
compare_guint64 (gconstpointer a,
                 gconstpointer b)
{
  guint64 va = *(const guint64 *) a, vb = *(const guint64 *) b;

  return va < vb ? -1 : (va > vb ? 1 : 0);
}

/* Keeps the cache in bounds: drops the tiles unused for longest, down to
 * three quarters of the bound they passed, never one of this frame. */
static void
trim_tiles (IocBoundaryLayer *self)
{
  g_autoptr(GArray) ages = NULL;
  GHashTableIter iter;
  gpointer key;
  guint64 cut;
  guint n_textures = 0;
  gboolean textures_only;

  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    n_textures += ((Tile *) key)->texture != NULL;
  if (g_hash_table_size (self->tiles) <= MAX_TILES && n_textures <= MAX_TEXTURES)
    return;

  textures_only = g_hash_table_size (self->tiles) <= MAX_TILES;
  ages = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!textures_only || ((Tile *) key)->texture != NULL)
      g_array_append_val (ages, ((Tile *) key)->used);
  g_array_sort (ages, compare_guint64);
  cut = g_array_index (ages, guint64, ages->len - (textures_only ? MAX_TEXTURES : MAX_TILES) * 3 / 4);
  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Tile *tile = key;

      if (tile->used < cut && tile->used != self->frame && (!textures_only || tile->texture != NULL))
        g_hash_table_iter_remove (&iter);
    }
}

typedef struct {
  double world;             /* world units → pixels at the tile's zoom */
  double x0, y0;            /* the tile's corner in those pixels */
  double pad;               /* what a line may reach beyond the tile */
} TileFrame;

static gboolean
ring_meets_tile (const Ring      *ring,
                 const TileFrame *f)
{
  return !(ring->max_x * f->world < f->x0 - f->pad || ring->min_x * f->world > f->x0 + TILE_PX + f->pad ||
           ring->max_y * f->world < f->y0 - f->pad || ring->min_y * f->world > f->y0 + TILE_PX + f->pad);
}

static gboolean
ring_too_small (const Ring      *ring,
                const TileFrame *f)
{
  return (ring->max_x - ring->min_x) * f->world < 1.0 && (ring->max_y - ring->min_y) * f->world < 1.0;
}

static void
path_ring_whole (cairo_t         *cr,
                 const Ring      *ring,
                 const TileFrame *f)
{
  double px, py;

  if (ring->n < 3 || !ring_meets_tile (ring, f) || ring_too_small (ring, f))
    return;
  px = ring->xy[0] * f->world - f->x0;
  py = ring->xy[1] * f->world - f->y0;
  cairo_move_to (cr, px, py);
  for (guint k = 1; k < ring->n; k++)
    {
      double x = ring->xy[2 * k] * f->world - f->x0;
      double y = ring->xy[2 * k + 1] * f->world - f->y0;

      if (fabs (x - px) < 0.5 && fabs (y - py) < 0.5 && k + 1 < ring->n)
        continue;
      cairo_line_to (cr, x, y);
      px = x;
      py = y;
    }
  cairo_close_path (cr);
}

static GdkTexture *
render_tile (IocBoundaryLayer *self,
             double            zoom,
             gint64            tx,
             gint64            ty,
             int               scale)
{
  TileFrame f = { 256.0 * exp2 (zoom), tx * (double) TILE_PX, ty * (double) TILE_PX, 1.0 };
  gboolean any = FALSE;
  cairo_surface_t *surface;
  cairo_t *cr;
  GdkTexture *texture;
  int size = TILE_PX * scale;

  /* Most tiles hold no fill at all: found out without a surface. */
  for (guint i = 0; i < self->features->len && !any; i++)
    {
      const Feature *feature = g_ptr_array_index (self->features, i);

      for (guint r = 0; r < feature->rings->len && feature->filled && !any; r++)
        any = ring_meets_tile (&g_array_index (feature->rings, Ring, r), &f);
    }
  if (!any)
    return NULL;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, size, size);
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);

  for (guint i = 0; i < self->features->len; i++)
    {
      const Feature *feature = g_ptr_array_index (self->features, i);

      if (!feature->filled)
        continue;
      for (guint r = 0; r < feature->rings->len; r++)
        path_ring_whole (cr, &g_array_index (feature->rings, Ring, r), &f);
      gdk_cairo_set_source_rgba (cr, &feature->fill);
      cairo_fill (cr);
    }
  cairo_destroy (cr);

  texture = ioc_map_texture_new_for_surface (surface);
  cairo_surface_destroy (surface);
  self->n_tiles_rendered++;
  return texture;
}

/* The tile, rendered now if the frame's budget allows; NULL in @found
 * when it is not there yet. */
static Tile *
get_tile (IocBoundaryLayer *self,
          double            zoom,
          gint64            tx,
          gint64            ty,
          int               scale,
          gint64            deadline)
{
  Tile key = { zoom, tx, ty, NULL, 0 };
  Tile *tile = g_hash_table_lookup (self->tiles, &key);

  if (tile == NULL && deadline != 0 && g_get_monotonic_time () < deadline)
    {
      tile = g_new0 (Tile, 1);
      *tile = key;
      tile->texture = render_tile (self, zoom, tx, ty, scale);
      g_hash_table_add (self->tiles, tile);
    }
  if (tile != NULL)
    tile->used = self->frame;
  return tile;
}

static void
append_tile (GtkSnapshot           *snapshot,
             const Tile            *tile,
             const IocMapTransform *t)
{
  double k = t->scale / (256.0 * exp2 (tile->zoom));
  double x = tile->tx * (double) TILE_PX * k - t->offset_x;
  double y = tile->ty * (double) TILE_PX * k - t->offset_y;
  double size = TILE_PX * k;

  if (tile->texture == NULL)
    return;
  /* At its own zoom a tile lies on whole pixels, as it was drawn. */
  if (k == 1.0)
    {
      x = round (x);
      y = round (y);
    }
  gtk_snapshot_append_texture (snapshot, tile->texture, &GRAPHENE_RECT_INIT (x, y, size, size));
}

/* Covers tile (@tx, @ty) of @zoom with what another whole zoom has of it,
 * clipped to it. */
static void
append_stand_in (IocBoundaryLayer      *self,
                 GtkSnapshot           *snapshot,
                 const IocMapTransform *t,
                 double                 zoom,
                 gint64                 tx,
                 gint64                 ty)
{
  double k = t->scale / (256.0 * exp2 (zoom));
  graphene_rect_t clip = GRAPHENE_RECT_INIT (tx * (double) TILE_PX * k - t->offset_x,
                                             ty * (double) TILE_PX * k - t->offset_y,
                                             TILE_PX * k, TILE_PX * k);
  Tile key = { floor (zoom) - 1, tx >> 1, ty >> 1, NULL, 0 };
  Tile *parent;

  if (zoom != floor (zoom))
    return;
  parent = g_hash_table_lookup (self->tiles, &key);
  if (parent != NULL)
    {
      parent->used = self->frame;
      if (parent->texture != NULL)
        {
          gtk_snapshot_push_clip (snapshot, &clip);
          append_tile (snapshot, parent, t);
          gtk_snapshot_pop (snapshot);
        }
      return;
    }
  /* Else the four tiles of the zoom below, whichever are there. */
  for (gint64 dy = 0; dy < 2; dy++)
    for (gint64 dx = 0; dx < 2; dx++)
      {
        Tile child_key = { zoom + 1, 2 * tx + dx, 2 * ty + dy, NULL, 0 };
        Tile *child = g_hash_table_lookup (self->tiles, &child_key);

        if (child != NULL)
          {
            child->used = self->frame;
            append_tile (snapshot, child, t);
          }
      }
}

static gboolean
settle_cb (gpointer data)
{
  IocBoundaryLayer *self = data;

  self->settle_timeout = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

static gboolean
redraw_cb (gpointer data)
{
  IocBoundaryLayer *self = data;

  self->redraw_idle = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

/* Draws the tiles that cover the view (@reach_x, @reach_y around its
 * centre); returns whether any was missing. */
static gboolean
append_tiles (IocBoundaryLayer      *self,
              GtkSnapshot           *snapshot,
              const IocMapTransform *t,
              double                 reach_x,
              double                 reach_y)
{
  gint64 now = g_get_monotonic_time ();
  gint64 deadline = now + RENDER_BUDGET_US;
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double zoom, k, cx, cy;
  gint64 tx0, ty0, tx1, ty1, last;
  gboolean missing = FALSE;

  if (scale != self->tile_scale)
    {
      clear_tiles (self);
      self->tile_scale = scale;
    }
  if (t->zoom != self->last_zoom)
    {
      self->last_zoom = t->zoom;
      self->zoom_changed_at = now;
    }
  if (now - self->zoom_changed_at >= SETTLE_MS * 1000)
    zoom = t->zoom;
  else
    {
      zoom = MAX (0.0, round (t->zoom));
      if (zoom != t->zoom && self->settle_timeout == 0)
        self->settle_timeout = g_timeout_add (SETTLE_MS + 10, settle_cb, self);
    }

  /* The tiles of that zoom under the view, in its pixels. */
  k = 256.0 * exp2 (zoom) / t->scale;
  last = (gint64) ceil (256.0 * exp2 (zoom) / TILE_PX) - 1;
  cx = (t->offset_x + t->width / 2.0) * k;
  cy = (t->offset_y + t->height / 2.0) * k;
  tx0 = CLAMP ((gint64) floor ((cx - reach_x * k) / TILE_PX), 0, last);
  tx1 = CLAMP ((gint64) floor ((cx + reach_x * k) / TILE_PX), 0, last);
  ty0 = CLAMP ((gint64) floor ((cy - reach_y * k) / TILE_PX), 0, last);
  ty1 = CLAMP ((gint64) floor ((cy + reach_y * k) / TILE_PX), 0, last);

  self->frame++;
  for (gint64 ty = ty0; ty <= ty1; ty++)
    for (gint64 tx = tx0; tx <= tx1; tx++)
      {
        Tile *tile = get_tile (self, zoom, tx, ty, scale, deadline);

        if (tile != NULL)
          append_tile (snapshot, tile, t);
        else
          {
            missing = TRUE;
            append_stand_in (self, snapshot, t, zoom, tx, ty);
          }
      }
  trim_tiles (self);
  /* The rest in the next frame, also when the map stops here. */
  if (missing && self->redraw_idle == 0)
    self->redraw_idle = g_idle_add (redraw_cb, self);
  return missing;
}

/* ---- Outlines -----------------------------------------------------------
 *
 * A texture costs the renderer each of its pixels, however few a line
 * crosses: on a software renderer, the outlines drawn in tiles cost more
 * than the rest of the frame. So outlines are geometry. The rings are
 * simplified once per whole zoom (Douglas–Peucker, to SIMPLIFY_PX), and
 * each segment in view is one texture node of the line's profile (its
 * width across, antialiased, with a clear pixel on each side, a few pixels
 * along) stretched over the segment and turned to it: the renderer touches
 * only the line's own pixels. The line is opaque (the outline colour over
 * the view's background), so that segments overlapping at their joins show
 * no darker dots; each segment reaches beyond its ends as far as the turn
 * of the line there needs to close the join (join_reach()). */

/* A pixel. Drawn up to half a zoom either side of its level, the line
 * then strays at most 1.4 px from the surveyed one, where 0.5 px kept
 * more vertices for the stroke to join: 2 ms more a frame on the cairo
 * renderer at zooms 11 to 13, for no difference seen on the screen. */
#define SIMPLIFY_PX 1.0

/* The vertices of @ring that Douglas–Peucker keeps at @tolerance (world
 * units) in @out; FALSE when fewer than two remain. */
static gboolean
simplify_ring (const Ring *ring,
               double      tolerance,
               Ring       *out)
{
  g_autofree guint8 *keep = g_new0 (guint8, ring->n);
  g_autofree guint *stack = g_new (guint, 4 * ring->n + 4);
  double tolerance2 = tolerance * tolerance;
  guint sp = 0, n = 0;

  if (ring->n < 2)
    return FALSE;

  keep[0] = keep[ring->n - 1] = 1;
  stack[sp++] = 0;
  stack[sp++] = ring->n - 1;
  while (sp > 0)
    {
      guint b = stack[--sp];
      guint a = stack[--sp];
      double ax = ring->xy[2 * a], ay = ring->xy[2 * a + 1];
      double dx = ring->xy[2 * b] - ax, dy = ring->xy[2 * b + 1] - ay;
      double length2 = dx * dx + dy * dy;
      double worst = -1.0;
      guint worst_i = 0;

      for (guint i = a + 1; i < b; i++)
        {
          double px = ring->xy[2 * i] - ax, py = ring->xy[2 * i + 1] - ay;
          double d2;

          if (length2 > 0.0)
            {
              double u = CLAMP ((px * dx + py * dy) / length2, 0.0, 1.0);

              px -= u * dx;
              py -= u * dy;
            }
          d2 = px * px + py * py;
          if (d2 > worst)
            {
              worst = d2;
              worst_i = i;
            }
        }
      if (worst > tolerance2)
        {
          keep[worst_i] = 1;
          stack[sp++] = a;
          stack[sp++] = worst_i;
          stack[sp++] = worst_i;
          stack[sp++] = b;
        }
    }

  out->xy = g_new (double, 2 * ring->n);
  for (guint i = 0; i < ring->n; i++)
    if (keep[i])
      {
        out->xy[2 * n] = ring->xy[2 * i];
        out->xy[2 * n + 1] = ring->xy[2 * i + 1];
        n++;
      }
  out->n = n;
  out->min_x = ring->min_x;
  out->min_y = ring->min_y;
  out->max_x = ring->max_x;
  out->max_y = ring->max_y;
  if (n < 2)
    {
      g_clear_pointer (&out->xy, g_free);
      return FALSE;
    }
  return TRUE;
}

static void
clear_levels (IocBoundaryLayer *self)
{
  for (guint z = 0; z <= MAX_LEVEL; z++)
    g_clear_pointer (&self->levels[z], g_array_unref);
}

/* Every ring of every feature, simplified for whole zoom @zoom; rings
 * smaller than a pixel there are left out. */
static GArray *
get_level (IocBoundaryLayer *self,
           guint             zoom)
{
  double world = 256.0 * exp2 (zoom);

  if (self->levels[zoom] != NULL)
    return self->levels[zoom];

  self->levels[zoom] = g_array_new (FALSE, TRUE, sizeof (Ring));
  g_array_set_clear_func (self->levels[zoom], ring_clear);
  for (guint i = 0; i < self->features->len; i++)
    {
      const Feature *feature = g_ptr_array_index (self->features, i);

      for (guint r = 0; r < feature->rings->len; r++)
        {
          const Ring *ring = &g_array_index (feature->rings, Ring, r);
          Ring simple = { 0 };

          if ((ring->max_x - ring->min_x) * world < 1.0 && (ring->max_y - ring->min_y) * world < 1.0)
            continue;
          if (simplify_ring (ring, SIMPLIFY_PX / world, &simple))
            g_array_append_val (self->levels[zoom], simple);
        }
    }
  return self->levels[zoom];
}

/* The line's profile across (rows) in @colour, a few pixels along. */
static void
ensure_line_texture (IocBoundaryLayer *self,
                     const GdkRGBA    *colour,
                     int               scale)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  double height = ceil (self->line_width) + 2.0;
  int width_px = 4, height_px = (int) height * scale;

  if (self->line_texture != NULL && self->line_scale == scale &&
      gdk_rgba_equal (colour, &self->line_colour) && self->line_texture_height == height)
    return;

  g_clear_object (&self->line_texture);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width_px, height_px);
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  cairo_rectangle (cr, 0, (height - self->line_width) / 2.0, width_px, self->line_width);
  gdk_cairo_set_source_rgba (cr, colour);
  cairo_fill (cr);
  cairo_destroy (cr);
  self->line_texture = ioc_map_texture_new_for_surface (surface);
  cairo_surface_destroy (surface);
  self->line_texture_height = height;
  self->line_colour = *colour;
  self->line_scale = scale;
}

/* How far a segment ends beyond vertex @i of @ring to close the join
 * there: half the width at a right angle, less as the line turns less
 * (half the width × tan (turn / 2)), so that a nearly straight join shows
 * no corner of the segments' square ends. */
static double
join_reach (const Ring *ring,
            guint       i,
            double      half_width)
{
  guint prev = (i + ring->n - 1) % ring->n;
  guint next = (i + 1) % ring->n;
  double ux, uy, vx, vy, lu, lv, cross, dot;

  /* GeoJSON repeats the first vertex last: step over the copy. */
  if (ring->xy[2 * prev] == ring->xy[2 * i] && ring->xy[2 * prev + 1] == ring->xy[2 * i + 1])
    prev = (prev + ring->n - 1) % ring->n;
  if (ring->xy[2 * next] == ring->xy[2 * i] && ring->xy[2 * next + 1] == ring->xy[2 * i + 1])
    next = (next + 1) % ring->n;
  ux = ring->xy[2 * i] - ring->xy[2 * prev];
  uy = ring->xy[2 * i + 1] - ring->xy[2 * prev + 1];
  vx = ring->xy[2 * next] - ring->xy[2 * i];
  vy = ring->xy[2 * next + 1] - ring->xy[2 * i + 1];
  lu = hypot (ux, uy);
  lv = hypot (vx, vy);
  if (lu == 0.0 || lv == 0.0)
    return half_width;
  cross = fabs (ux * vy - uy * vx) / (lu * lv);
  dot = (ux * vx + uy * vy) / (lu * lv);
  if (dot <= 0.0)
    return half_width;
  return MIN (half_width, half_width * cross / (1.0 + dot));
}

static inline void
append_segment (IocBoundaryLayer *self,
                GtkSnapshot      *snapshot,
                double            ax,
                double            ay,
                double            bx,
                double            by,
                double            reach_a,
                double            reach_b)
{
  double dx = bx - ax, dy = by - ay;
  double length = hypot (dx, dy);
  double half = self->line_texture_height / 2.0;

  if (length < 1e-3)
    return;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (ax, ay));
  if (dy != 0.0)
    gtk_snapshot_rotate (snapshot, atan2 (dy, dx) * 180.0 / G_PI);
  else if (dx < 0.0)
    gtk_snapshot_scale (snapshot, -1.0, 1.0);
  gtk_snapshot_append_texture (snapshot, self->line_texture,
                               &GRAPHENE_RECT_INIT (-reach_a, -half, length + reach_a + reach_b, 2.0 * half));
  gtk_snapshot_restore (snapshot);
  self->n_segments_drawn++;
}

/* The part of the layer the outlines are drawn in: the view
 * (@reach_x, @reach_y around its centre) and a line's width beyond. */
typedef struct {
  double x0, y0, x1, y1;
} OutlineView;

static void
outline_view_init (OutlineView           *view,
                   IocBoundaryLayer      *self,
                   const IocMapTransform *t,
                   double                 reach_x,
                   double                 reach_y)
{
  double pad = self->line_width + 1.0;

  view->x0 = t->width / 2.0 - reach_x - pad;
  view->x1 = t->width / 2.0 + reach_x + pad;
  view->y0 = t->height / 2.0 - reach_y - pad;
  view->y1 = t->height / 2.0 + reach_y + pad;
}

/* A segment of a ring in @view, ending at vertex @end (1 to the ring's
 * vertex count: the last one closes the ring), from (@ax, @ay) to (@bx,
 * @by) in layer coordinates. @serial is one more than the previous
 * segment's exactly when this one continues it on the same ring. */
typedef void (*OutlineSegmentFunc) (const Ring *ring,
                                    guint       end,
                                    guint64     serial,
                                    double      ax,
                                    double      ay,
                                    double      bx,
                                    double      by,
                                    gpointer    data);

/* Calls @func for each segment of the outlines of the view's zoom level
 * that crosses @view. */
static void
walk_outlines (IocBoundaryLayer      *self,
               const IocMapTransform *t,
               const OutlineView     *view,
               OutlineSegmentFunc     func,
               gpointer               data)
{
  GArray *level = get_level (self, (guint) CLAMP (round (t->zoom), 0, MAX_LEVEL));
  guint64 serial = 0;

  for (guint r = 0; r < level->len; r++)
    {
      const Ring *ring = &g_array_index (level, Ring, r);
      double px, py;

      if (ring->max_x * t->scale - t->offset_x < view->x0 || ring->min_x * t->scale - t->offset_x > view->x1 ||
          ring->max_y * t->scale - t->offset_y < view->y0 || ring->min_y * t->scale - t->offset_y > view->y1)
        continue;

      px = ring->xy[0] * t->scale - t->offset_x;
      py = ring->xy[1] * t->scale - t->offset_y;
      /* The last segment closes the ring (nothing when GeoJSON repeated
       * the first vertex). */
      for (guint k = 1; k <= ring->n; k++, serial++)
        {
          guint i = k % ring->n;
          double x = ring->xy[2 * i] * t->scale - t->offset_x;
          double y = ring->xy[2 * i + 1] * t->scale - t->offset_y;

          if (!(MAX (px, x) < view->x0 || MIN (px, x) > view->x1 ||
                MAX (py, y) < view->y0 || MIN (py, y) > view->y1))
            func (ring, k, serial, px, py, x, y, data);
          px = x;
          py = y;
        }
      /* No segment continues one of another ring. */
      serial++;
    }
}

typedef struct {
  IocBoundaryLayer *self;
  GtkSnapshot      *snapshot;
} SegmentNodes;

static void
append_segment_cb (const Ring *ring,
                   guint       end,
                   guint64     serial,
                   double      ax,
                   double      ay,
                   double      bx,
                   double      by,
                   gpointer    data)
{
  SegmentNodes *nodes = data;
  double half_width = nodes->self->line_width / 2.0;

  append_segment (nodes->self, nodes->snapshot, ax, ay, bx, by,
                  join_reach (ring, end - 1, half_width), join_reach (ring, end % ring->n, half_width));
}

/* Draws the outlines in the view (@reach_x, @reach_y around its centre). */
static void
append_outlines (IocBoundaryLayer      *self,
                 GtkSnapshot           *snapshot,
                 const IocMapTransform *t,
                 double                 reach_x,
                 double                 reach_y)
{
  SegmentNodes nodes = { self, snapshot };
  OutlineView view;

  outline_view_init (&view, self, t, reach_x, reach_y);
  walk_outlines (self, t, &view, append_segment_cb, &nodes);
}

/* The same outlines for the cairo renderer, GTK's own software path, which
 * draws every texture node by copying the texture into a new cairo surface
 * and compositing it through the node's transformation: there the
 * segments cost about nine times the rest of the frame. Cairo strokes a
 * path itself, with cairo's fast antialiasing (its best costs more and
 * looks the same on lines this thin). But a cairo node is drawn through a
 * new surface of its bounds, cleared and composited whatever the node
 * holds: one node over the whole view cost 6 ms a frame at zooms 11 to 13,
 * as much as the strokes (p95 of the map benchmark). So the view is cut in
 * cells of OUTLINE_CELL_PX, each segment goes to the cell of its middle,
 * and each cell's segments are one path stroked in one node over their
 * own bounds: the surfaces cover where the lines are. A line cut between
 * two cells ends in a round cap on both sides, which is the round join it
 * would have had. On the GL renderer the texture nodes stay: a cairo node
 * is an upload there, and measured slower. */

/* 128 and 384 px measured no better; 64 px worse. */
#define OUTLINE_CELL_PX 256.0

typedef struct {
  GArray  *runs;   /* each run: its vertex count, then its vertices' x, y */
  guint    run;    /* where the open run starts in runs */
  guint64  last;   /* the segment that went last to this cell */
  double   min_x, min_y, max_x, max_y;
} OutlineCell;

static void
outline_cell_add (OutlineCell *cell,
                  guint64      segment,
                  double       ax,
                  double       ay,
                  double       bx,
                  double       by)
{
  if (cell->runs == NULL)
    {
      cell->runs = g_array_new (FALSE, FALSE, sizeof (double));
      cell->min_x = cell->min_y = G_MAXDOUBLE;
      cell->max_x = cell->max_y = -G_MAXDOUBLE;
    }
  /* A run goes on while the ring's segments stay in the cell. */
  if (cell->runs->len == 0 || cell->last + 1 != segment)
    {
      double start[3] = { 1.0, ax, ay };

      cell->run = cell->runs->len;
      g_array_append_vals (cell->runs, start, 3);
    }
  g_array_index (cell->runs, double, cell->run) += 1.0;
  g_array_append_val (cell->runs, bx);
  g_array_append_val (cell->runs, by);
  cell->last = segment;
  cell->min_x = MIN (cell->min_x, MIN (ax, bx));
  cell->max_x = MAX (cell->max_x, MAX (ax, bx));
  cell->min_y = MIN (cell->min_y, MIN (ay, by));
  cell->max_y = MAX (cell->max_y, MAX (ay, by));
}

typedef struct {
  IocBoundaryLayer  *self;
  const OutlineView *view;
  OutlineCell       *cells;
  int                nx;
  int                ny;
} OutlineCells;

static void
add_to_cell_cb (const Ring *ring,
                guint       end,
                guint64     serial,
                double      ax,
                double      ay,
                double      bx,
                double      by,
                gpointer    data)
{
  OutlineCells *grid = data;
  int cx = CLAMP ((int) (((ax + bx) / 2.0 - grid->view->x0) / OUTLINE_CELL_PX), 0, grid->nx - 1);
  int cy = CLAMP ((int) (((ay + by) / 2.0 - grid->view->y0) / OUTLINE_CELL_PX), 0, grid->ny - 1);

  outline_cell_add (&grid->cells[cy * grid->nx + cx], serial, ax, ay, bx, by);
  grid->self->n_segments_drawn++;
}

static void
append_outlines_cairo (IocBoundaryLayer      *self,
                       GtkSnapshot           *snapshot,
                       const IocMapTransform *t,
                       double                 reach_x,
                       double                 reach_y,
                       const GdkRGBA         *colour)
{
  double pad = self->line_width + 1.0;
  OutlineView view;
  OutlineCells grid;
  g_autofree OutlineCell *cells = NULL;

  outline_view_init (&view, self, t, reach_x, reach_y);
  grid.self = self;
  grid.view = &view;
  grid.nx = (int) ceil ((view.x1 - view.x0) / OUTLINE_CELL_PX);
  grid.ny = (int) ceil ((view.y1 - view.y0) / OUTLINE_CELL_PX);
  grid.cells = cells = g_new0 (OutlineCell, grid.nx * grid.ny);
  walk_outlines (self, t, &view, add_to_cell_cb, &grid);

  for (int c = 0; c < grid.nx * grid.ny; c++)
    {
      OutlineCell *cell = &cells[c];
      double min_x, min_y, max_x, max_y;
      cairo_t *cr;

      if (cell->runs == NULL)
        continue;
      /* Within the view: what lies beyond is never seen. */
      min_x = floor (MAX (cell->min_x - pad, view.x0));
      min_y = floor (MAX (cell->min_y - pad, view.y0));
      max_x = ceil (MIN (cell->max_x + pad, view.x1));
      max_y = ceil (MIN (cell->max_y + pad, view.y1));
      if (max_x > min_x && max_y > min_y)
        {
          cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (min_x, min_y, max_x - min_x, max_y - min_y));
          cairo_set_line_width (cr, self->line_width);
          cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
          cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
          cairo_set_antialias (cr, CAIRO_ANTIALIAS_FAST);
          gdk_cairo_set_source_rgba (cr, colour);
          for (guint i = 0; i < cell->runs->len;)
            {
              const double *v = &g_array_index (cell->runs, double, i);
              guint n = (guint) v[0];

              cairo_move_to (cr, v[1], v[2]);
              for (guint k = 1; k < n; k++)
                cairo_line_to (cr, v[1 + 2 * k], v[2 + 2 * k]);
              i += 1 + 2 * n;
            }
          cairo_stroke (cr);
          cairo_destroy (cr);
        }
      g_array_unref (cell->runs);
    }
}

static void
get_colours (GtkWidget *widget,
             GdkRGBA   *fg,
             GdkRGBA   *bg)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  gtk_style_context_get_color (context, fg);
  if (!gtk_style_context_lookup_color (context, "view_bg_color", bg))
    *bg = (GdkRGBA) { 1.0 - fg->red, 1.0 - fg->green, 1.0 - fg->blue, 1.0 };
}

typedef struct {
  double x, y, w, h;
} Box;

static gboolean
box_overlaps (const GArray *boxes,
              const Box    *box)
{
  for (guint i = 0; i < boxes->len; i++)
    {
      const Box *other = &g_array_index (boxes, Box, i);

      if (box->x < other->x + other->w && other->x < box->x + box->w &&
          box->y < other->y + other->h && other->y < box->y + box->h)
        return TRUE;
    }
  return FALSE;
}

static void
draw_labels (IocBoundaryLayer      *self,
             GtkSnapshot           *snapshot,
             const IocMapTransform *t,
             const GdkRGBA         *fg,
             const GdkRGBA         *bg)
{
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (Box));
  GdkRGBA halo = *bg;

  halo.alpha = 0.85;
  for (guint i = 0; i < self->features->len; i++)
    {
      Feature *feature = g_ptr_array_index (self->features, i);
      double x, y;
      int w, h;
      Box box;

      if (feature->name == NULL)
        continue;
      if (feature->layout == NULL)
        {
          feature->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), feature->name);
          pango_layout_set_alignment (feature->layout, PANGO_ALIGN_CENTER);
        }
      pango_layout_get_pixel_size (feature->layout, &w, &h);

      /* A label wider than its feature on screen would name its neighbours. */
      if ((feature->max_x - feature->min_x) * t->scale < w * 0.8)
        continue;

      x = feature->label_x * t->scale - t->offset_x;
      y = feature->label_y * t->scale - t->offset_y;
      box = (Box) { x - w / 2.0 - 2, y - h / 2.0 - 1, w + 4, h + 2 };
      if (box.x + box.w < 0 || box.y + box.h < 0 || box.x > t->width || box.y > t->height)
        continue;
      if (box_overlaps (boxes, &box))
        continue;
      g_array_append_val (boxes, box);

      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x - w / 2.0), round (y - h / 2.0)));
      /* A halo in the background colour keeps the name legible over lines
       * and tiles. */
      for (int d = 0; d < 4; d++)
        {
          static const float offsets[4][2] = { { -1, 0 }, { 1, 0 }, { 0, -1 }, { 0, 1 } };

          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (offsets[d][0], offsets[d][1]));
          gtk_snapshot_append_layout (snapshot, feature->layout, &halo);
          gtk_snapshot_restore (snapshot);
        }
      gtk_snapshot_append_layout (snapshot, feature->layout, fg);
      gtk_snapshot_restore (snapshot);
    }
  self->n_labels_drawn = boxes->len;
}

static void
ioc_boundary_layer_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  IocBoundaryLayer *self = IOC_BOUNDARY_LAYER (widget);
  IocMapTransform t;
  double reach, reach_x, reach_y, cx, cy;
  double view_min_x, view_min_y, view_max_x, view_max_y;
  GdkRGBA fg, bg, line;
  gboolean any = FALSE, filled = FALSE;

  self->n_labels_drawn = 0;
  self->n_segments_drawn = 0;
  if (self->features->len == 0)
    return;

  ioc_map_transform_init (&t, SHUMATE_LAYER (self));
  if (t.width <= 0 || t.height <= 0)
    return;

  /* What the (possibly rotated) view can show, in world units. */
  reach = t.rotation != 0.0 ? hypot (t.width, t.height) / 2.0 : MAX (t.width, t.height) / 2.0;
  cx = t.offset_x + t.width / 2.0;
  cy = t.offset_y + t.height / 2.0;
  view_min_x = (cx - reach - self->line_width) / t.scale;
  view_max_x = (cx + reach + self->line_width) / t.scale;
  view_min_y = (cy - reach - self->line_width) / t.scale;
  view_max_y = (cy + reach + self->line_width) / t.scale;

  for (guint i = 0; i < self->features->len && !any; i++)
    {
      const Feature *feature = g_ptr_array_index (self->features, i);

      any = !(feature->max_x < view_min_x || feature->min_x > view_max_x ||
              feature->max_y < view_min_y || feature->min_y > view_max_y);
    }
  if (!any)
    return;

  get_colours (widget, &fg, &bg);
  /* Three quarters of the text colour over the background, opaque. */
  line.red = 0.75 * fg.red + 0.25 * bg.red;
  line.green = 0.75 * fg.green + 0.25 * bg.green;
  line.blue = 0.75 * fg.blue + 0.25 * bg.blue;
  line.alpha = 1.0;
  for (guint i = 0; i < self->features->len && !filled; i++)
    filled = ((const Feature *) g_ptr_array_index (self->features, i))->filled;

  self->n_segments_drawn = 0;
  ioc_map_transform_push_rotation (&t, snapshot);
  reach_x = t.rotation != 0.0 ? reach : t.width / 2.0;
  reach_y = t.rotation != 0.0 ? reach : t.height / 2.0;
  if (filled)
    append_tiles (self, snapshot, &t, reach_x, reach_y);
  if (self->line_width > 0.0)
    {
      /* Each renderer's fastest way (see "Outlines"). */
      if (ioc_map_renderer_is_cairo (widget))
        append_outlines_cairo (self, snapshot, &t, reach_x, reach_y, &line);
      else
        {
          ensure_line_texture (self, &line, gtk_widget_get_scale_factor (widget));
          append_outlines (self, snapshot, &t, reach_x, reach_y);
        }
    }
  if (self->labels && t.zoom >= self->label_zoom)
    draw_labels (self, snapshot, &t, &fg, &bg);
  gtk_snapshot_restore (snapshot);
}

static void
ioc_boundary_layer_css_changed (GtkWidget         *widget,
                                GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (ioc_boundary_layer_parent_class)->css_changed (widget, change);
  /* The font may have changed (text scale, video wall), and the colours. */
  clear_layouts (IOC_BOUNDARY_LAYER (widget));
  clear_tiles (IOC_BOUNDARY_LAYER (widget));
  gtk_widget_queue_draw (widget);
}

static void
ioc_boundary_layer_system_setting_changed (GtkWidget        *widget,
                                           GtkSystemSetting  setting)
{
  GTK_WIDGET_CLASS (ioc_boundary_layer_parent_class)->system_setting_changed (widget, setting);
  clear_layouts (IOC_BOUNDARY_LAYER (widget));
  gtk_widget_queue_draw (widget);
}

static void
ioc_boundary_layer_constructed (GObject *object)
{
  IocBoundaryLayer *self = IOC_BOUNDARY_LAYER (object);

  G_OBJECT_CLASS (ioc_boundary_layer_parent_class)->constructed (object);

  g_signal_connect_object (shumate_layer_get_viewport (SHUMATE_LAYER (self)), "notify",
                           G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
}

static void
ioc_boundary_layer_finalize (GObject *object)
{
  IocBoundaryLayer *self = IOC_BOUNDARY_LAYER (object);

  g_clear_pointer (&self->by_code, g_hash_table_unref);
  g_clear_pointer (&self->features, g_ptr_array_unref);
  g_clear_pointer (&self->attribution, g_free);
  g_clear_pointer (&self->tiles, g_hash_table_unref);
  clear_levels (self);
  g_clear_object (&self->line_texture);
  g_clear_handle_id (&self->settle_timeout, g_source_remove);
  g_clear_handle_id (&self->redraw_idle, g_source_remove);

  G_OBJECT_CLASS (ioc_boundary_layer_parent_class)->finalize (object);
}

static void
ioc_boundary_layer_class_init (IocBoundaryLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ioc_boundary_layer_constructed;
  object_class->finalize = ioc_boundary_layer_finalize;
  widget_class->snapshot = ioc_boundary_layer_snapshot;
  widget_class->css_changed = ioc_boundary_layer_css_changed;
  widget_class->system_setting_changed = ioc_boundary_layer_system_setting_changed;

  gtk_widget_class_set_css_name (widget_class, "iocboundarylayer");
}

static void
ioc_boundary_layer_init (IocBoundaryLayer *self)
{
  self->features = g_ptr_array_new_with_free_func (feature_free);
  self->by_code = g_hash_table_new (g_str_hash, g_str_equal);
  self->line_width = 1.5;
  self->label_zoom = 9.0;
  self->tiles = g_hash_table_new_full (tile_hash, tile_equal, tile_free, NULL);
}

IocBoundaryLayer *
ioc_boundary_layer_new (ShumateViewport *viewport)
{
  g_return_val_if_fail (SHUMATE_IS_VIEWPORT (viewport), NULL);

  return g_object_new (IOC_TYPE_BOUNDARY_LAYER, "viewport", viewport, NULL);
}

void
ioc_boundary_layer_set_geojson (IocBoundaryLayer *self,
                                JsonNode         *feature_collection,
                                gboolean          labels)
{
  JsonObject *collection;
  const char *attribution;

  g_return_if_fail (IOC_IS_BOUNDARY_LAYER (self));

  g_hash_table_remove_all (self->by_code);
  g_ptr_array_set_size (self->features, 0);
  clear_tiles (self);
  clear_levels (self);
  g_clear_pointer (&self->attribution, g_free);
  self->labels = labels;

  if (feature_collection != NULL && JSON_NODE_HOLDS_OBJECT (feature_collection))
    {
      collection = json_node_get_object (feature_collection);
      /* In the user's language where the server gives it. */
      attribution = ioc_text_for_user (member_string (collection, "attribution_vi"),
                                       member_string (collection, "attribution"));
      if (attribution == NULL)
        attribution = member_string (collection, "source");
      self->attribution = g_strdup (attribution);

      if (json_object_has_member (collection, "features") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (collection, "features")))
        {
          JsonArray *features = json_object_get_array_member (collection, "features");

          for (guint i = 0; i < json_array_get_length (features); i++)
            {
              JsonNode *node = json_array_get_element (features, i);
              Feature *feature;

              if (!JSON_NODE_HOLDS_OBJECT (node))
                continue;
              feature = read_feature (json_node_get_object (node));
              if (feature == NULL)
                continue;
              g_ptr_array_add (self->features, feature);
              if (feature->code != NULL)
                g_hash_table_replace (self->by_code, feature->code, feature);
            }
        }
    }

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
ioc_boundary_layer_get_n_features (IocBoundaryLayer *self)
{
  g_return_val_if_fail (IOC_IS_BOUNDARY_LAYER (self), 0);

  return self->features->len;
}

const char *
ioc_boundary_layer_get_attribution (IocBoundaryLayer *self)
{
  g_return_val_if_fail (IOC_IS_BOUNDARY_LAYER (self), NULL);

  return self->attribution;
}

void
ioc_boundary_layer_set_line_width (IocBoundaryLayer *self,
                                   double            width)
{
  g_return_if_fail (IOC_IS_BOUNDARY_LAYER (self));

  if (self->line_width == width)
    return;
  self->line_width = width;
  clear_tiles (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ioc_boundary_layer_set_label_zoom (IocBoundaryLayer *self,
                                   double            zoom)
{
  g_return_if_fail (IOC_IS_BOUNDARY_LAYER (self));

  if (self->label_zoom == zoom)
    return;
  self->label_zoom = zoom;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ioc_boundary_layer_set_fill (IocBoundaryLayer *self,
                             const char       *code,
                             const GdkRGBA    *fill)
{
  Feature *feature;

  g_return_if_fail (IOC_IS_BOUNDARY_LAYER (self));
  g_return_if_fail (code != NULL);

  feature = g_hash_table_lookup (self->by_code, code);
  if (feature == NULL)
    return;
  if (feature->filled == (fill != NULL) && (fill == NULL || gdk_rgba_equal (fill, &feature->fill)))
    return;
  feature->filled = fill != NULL;
  if (fill != NULL)
    feature->fill = *fill;
  clear_tiles (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ioc_boundary_layer_clear_fills (IocBoundaryLayer *self)
{
  g_return_if_fail (IOC_IS_BOUNDARY_LAYER (self));

  for (guint i = 0; i < self->features->len; i++)
    ((Feature *) g_ptr_array_index (self->features, i))->filled = FALSE;
  clear_tiles (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
ioc_boundary_layer_feature_at (IocBoundaryLayer *self,
                               double            x,
                               double            y)
{
  IocMapTransform t;
  double lat, lon, mx, my;

  g_return_val_if_fail (IOC_IS_BOUNDARY_LAYER (self), NULL);

  ioc_map_transform_init (&t, SHUMATE_LAYER (self));
  ioc_map_transform_to_location (&t, x, y, &lat, &lon);
  ioc_mercator_from_lat_lon (lat, lon, &mx, &my);

  /* The last drawn is on top. */
  for (guint i = self->features->len; i > 0; i--)
    {
      const Feature *feature = g_ptr_array_index (self->features, i - 1);

      if (feature_contains (feature, mx, my))
        return feature->code;
    }
  return NULL;
}

const char *
ioc_boundary_layer_get_feature_name (IocBoundaryLayer *self,
                                     const char       *code)
{
  Feature *feature;

  g_return_val_if_fail (IOC_IS_BOUNDARY_LAYER (self), NULL);

  feature = code != NULL ? g_hash_table_lookup (self->by_code, code) : NULL;
  return feature != NULL ? feature->name : NULL;
}

guint
ioc_boundary_layer_get_n_segments_drawn (IocBoundaryLayer *self)
{
  g_return_val_if_fail (IOC_IS_BOUNDARY_LAYER (self), 0);

  return self->n_segments_drawn;
}

guint
ioc_boundary_layer_get_n_labels_drawn (IocBoundaryLayer *self)
{
  g_return_val_if_fail (IOC_IS_BOUNDARY_LAYER (self), 0);

  return self->n_labels_drawn;
}

const char *
ioc_boundary_layer_find_by_name (IocBoundaryLayer *self,
                                 const char       *name)
{
  g_autofree char *folded = NULL;

  g_return_val_if_fail (IOC_IS_BOUNDARY_LAYER (self), NULL);

  if (name == NULL)
    return NULL;
  folded = ioc_text_fold (name);
  for (guint i = 0; i < self->features->len; i++)
    {
      const Feature *feature = g_ptr_array_index (self->features, i);
      g_autofree char *other = feature->name != NULL ? ioc_text_fold (feature->name) : NULL;

      if (other != NULL && g_strcmp0 (g_strstrip (other), g_strstrip (folded)) == 0)
        return feature->code;
    }
  return NULL;
}
