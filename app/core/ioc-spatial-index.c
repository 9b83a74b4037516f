/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include <math.h>

#include "ioc-spatial-index.h"

#define MERCATOR_MAX_LAT 85.0511287798066

void
ioc_mercator_from_lat_lon (double  lat,
                           double  lon,
                           double *x,
                           double *y)
{
  double phi = CLAMP (lat, -MERCATOR_MAX_LAT, MERCATOR_MAX_LAT) * G_PI / 180.0;

  *x = (CLAMP (lon, -180.0, 180.0) + 180.0) / 360.0;
  *y = (1.0 - log (tan (phi) + 1.0 / cos (phi)) / G_PI) / 2.0;
}

void
ioc_mercator_to_lat_lon (double  x,
                         double  y,
                         double *lat,
                         double *lon)
{
  *lon = x * 360.0 - 180.0;
  *lat = atan (sinh (G_PI * (1.0 - 2.0 * y))) * 180.0 / G_PI;
}

/* Levels 0 to STORED_MAX keep their cells' tallies; above it, cells are
 * few per view and are counted from the buckets when asked. The buckets
 * are the cells of level STORED_MAX. */
#define STORED_MAX 16
#define TILE_PX 256.0
/* Sums of coordinates in 1e-7 degrees (1 cm): exact in any order, so that
 * removing a point takes away exactly what inserting it added. */
#define FIXED 1e7

typedef struct {
  gint64  id;
  double  lat;
  double  lon;
  double  mx;        /* Mercator world units */
  double  my;
  guint32 bucket;    /* index in self->buckets */
  guint32 pos;       /* position in that bucket */
  guint8  kind;
} Slot;

typedef struct {
  gint64   key;
  guint32 *slots;
  guint32  n;
  guint32  alloc;
} Bucket;

typedef struct {
  gint64   key;      /* first: the hash table's key points here */
  guint32  count;
  gboolean bbox_dirty;
  gint64   sum_lat;
  gint64   sum_lon;
  gint64   sum_id;   /* the id itself when count is 1 */
  IocBBox  bbox;
  IocKindCounts kinds;
} Agg;

struct _IocSpatialIndex
{
  GArray     *slots;        /* Slot */
  GArray     *free_slots;   /* guint32 */
  GHashTable *by_id;        /* gint64* (in the slot) → slot index + 1 */
  GArray     *buckets;      /* Bucket */
  GHashTable *bucket_index; /* gint64* key → bucket index + 1 */
  GHashTable *levels[STORED_MAX + 1]; /* gint64* key → Agg */
  guint       size;
};

static inline double
world_cells (guint zoom)
{
  return TILE_PX * (double) (1u << zoom) / IOC_CLUSTER_CELL_PX;
}

/* The same cell as ioc_cluster_cell_for(): the world size is a power of
 * two, so scaling the Mercator units by it is exact. */
static inline void
cell_of (double  mx,
         double  my,
         guint   zoom,
         gint64 *cx,
         gint64 *cy)
{
  double world = TILE_PX * (double) (1u << zoom);
  gint64 last = (gint64) ceil (world / IOC_CLUSTER_CELL_PX) - 1;

  *cx = CLAMP ((gint64) floor (mx * world / IOC_CLUSTER_CELL_PX), 0, last);
  *cy = CLAMP ((gint64) floor (my * world / IOC_CLUSTER_CELL_PX), 0, last);
}

static inline gint64
pack (gint64 cx,
      gint64 cy)
{
  return (cx << 32) | cy;
}

static inline gint64
unpack_x (gint64 key)
{
  return key >> 32;
}

static inline gint64
unpack_y (gint64 key)
{
  return key & G_GINT64_CONSTANT (0xffffffff);
}

/* Packed cells differ in a few low bits of each half: g_int64_hash()
 * (the halves XORed) would put whole diagonals in one slot. */
static guint
key_hash (gconstpointer key)
{
  guint64 v = *(const guint64 *) key;

  v ^= v >> 33;
  v *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  v ^= v >> 33;
  return (guint) v;
}

static void
bucket_clear (gpointer data)
{
  Bucket *bucket = data;

  g_free (bucket->slots);
}

IocSpatialIndex *
ioc_spatial_index_new (void)
{
  IocSpatialIndex *self = g_new0 (IocSpatialIndex, 1);

  self->slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  self->free_slots = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->buckets = g_array_new (FALSE, TRUE, sizeof (Bucket));
  g_array_set_clear_func (self->buckets, bucket_clear);
  self->bucket_index = g_hash_table_new (key_hash, g_int64_equal);
  for (guint z = 0; z <= STORED_MAX; z++)
    self->levels[z] = g_hash_table_new_full (key_hash, g_int64_equal, NULL, g_free);
  return self;
}

void
ioc_spatial_index_free (IocSpatialIndex *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->by_id);
  g_array_unref (self->slots);
  g_array_unref (self->free_slots);
  g_hash_table_unref (self->bucket_index);
  g_array_unref (self->buckets);
  for (guint z = 0; z <= STORED_MAX; z++)
    g_hash_table_unref (self->levels[z]);
  g_free (self);
}

guint
ioc_spatial_index_get_size (IocSpatialIndex *self)
{
  return self->size;
}

void
ioc_spatial_index_clear (IocSpatialIndex *self)
{
  g_hash_table_remove_all (self->by_id);
  g_array_set_size (self->slots, 0);
  g_array_set_size (self->free_slots, 0);
  g_hash_table_remove_all (self->bucket_index);
  g_array_set_size (self->buckets, 0);
  for (guint z = 0; z <= STORED_MAX; z++)
    g_hash_table_remove_all (self->levels[z]);
  self->size = 0;
}

static inline Slot *
slot_at (IocSpatialIndex *self,
         guint32          index)
{
  return &g_array_index (self->slots, Slot, index);
}

/* The slot's id is where by_id's key points: the slots array must not move
 * while the table holds keys into it, so it grows by rehashing. */
static void
rekey_by_id (IocSpatialIndex *self)
{
  g_hash_table_remove_all (self->by_id);
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = slot_at (self, i);

      if (slot->id != 0)
        g_hash_table_insert (self->by_id, &slot->id, GUINT_TO_POINTER (i + 1));
    }
}

static void
rekey_buckets (IocSpatialIndex *self)
{
  g_hash_table_remove_all (self->bucket_index);
  for (guint i = 0; i < self->buckets->len; i++)
    {
      Bucket *bucket = &g_array_index (self->buckets, Bucket, i);

      g_hash_table_insert (self->bucket_index, &bucket->key, GUINT_TO_POINTER (i + 1));
    }
}

static guint32
new_slot (IocSpatialIndex *self)
{
  guint32 index;
  Slot *before;

  if (self->free_slots->len > 0)
    {
      index = g_array_index (self->free_slots, guint32, self->free_slots->len - 1);
      g_array_set_size (self->free_slots, self->free_slots->len - 1);
      return index;
    }

  index = self->slots->len;
  before = (Slot *) self->slots->data;
  if (self->slots->len == 0 ||
      (self->slots->len & (self->slots->len - 1)) == 0)
    {
      /* About to double: reserve, then re-point the keys once. */
      g_array_set_size (self->slots, MAX (64u, self->slots->len * 2));
      g_array_set_size (self->slots, index);
    }
  g_array_set_size (self->slots, index + 1);
  slot_at (self, index)->id = 0;
  /* Also when it grew otherwise (after a load of any size). */
  if ((Slot *) self->slots->data != before)
    rekey_by_id (self);
  return index;
}

static guint32
bucket_for (IocSpatialIndex *self,
            gint64           key)
{
  gpointer found = g_hash_table_lookup (self->bucket_index, &key);
  Bucket fresh = { 0 };
  Bucket *before;

  if (found != NULL)
    return GPOINTER_TO_UINT (found) - 1;

  before = (Bucket *) self->buckets->data;
  fresh.key = key;
  g_array_append_val (self->buckets, fresh);
  if ((Bucket *) self->buckets->data != before)
    rekey_buckets (self);
  else
    g_hash_table_insert (self->bucket_index,
                         &g_array_index (self->buckets, Bucket, self->buckets->len - 1).key,
                         GUINT_TO_POINTER (self->buckets->len));
  return self->buckets->len - 1;
}

static void
agg_add (IocSpatialIndex *self,
         guint            zoom,
         const Slot      *slot)
{
  gint64 cx, cy, key;
  Agg *agg;

  cell_of (slot->mx, slot->my, zoom, &cx, &cy);
  key = pack (cx, cy);
  agg = g_hash_table_lookup (self->levels[zoom], &key);
  if (agg == NULL)
    {
      agg = g_new0 (Agg, 1);
      agg->key = key;
      agg->bbox.min_lat = agg->bbox.max_lat = slot->lat;
      agg->bbox.min_lon = agg->bbox.max_lon = slot->lon;
      g_hash_table_insert (self->levels[zoom], &agg->key, agg);
    }
  agg->count++;
  agg->sum_lat += (gint64) llround (slot->lat * FIXED);
  agg->sum_lon += (gint64) llround (slot->lon * FIXED);
  agg->sum_id += slot->id;
  agg->kinds.count[slot->kind]++;
  if (!agg->bbox_dirty)
    {
      agg->bbox.min_lat = MIN (agg->bbox.min_lat, slot->lat);
      agg->bbox.max_lat = MAX (agg->bbox.max_lat, slot->lat);
      agg->bbox.min_lon = MIN (agg->bbox.min_lon, slot->lon);
      agg->bbox.max_lon = MAX (agg->bbox.max_lon, slot->lon);
    }
}

static void
agg_remove (IocSpatialIndex *self,
            guint            zoom,
            const Slot      *slot)
{
  gint64 cx, cy, key;
  Agg *agg;

  cell_of (slot->mx, slot->my, zoom, &cx, &cy);
  key = pack (cx, cy);
  agg = g_hash_table_lookup (self->levels[zoom], &key);
  g_return_if_fail (agg != NULL);

  if (--agg->count == 0)
    {
      g_hash_table_remove (self->levels[zoom], &key);
      return;
    }
  agg->sum_lat -= (gint64) llround (slot->lat * FIXED);
  agg->sum_lon -= (gint64) llround (slot->lon * FIXED);
  agg->sum_id -= slot->id;
  agg->kinds.count[slot->kind]--;
  /* A point on the edge of the box: the box shrinks, to what is found out
   * when it is next asked for. */
  if (slot->lat == agg->bbox.min_lat || slot->lat == agg->bbox.max_lat ||
      slot->lon == agg->bbox.min_lon || slot->lon == agg->bbox.max_lon)
    agg->bbox_dirty = TRUE;
}

/* Puts slot @index in the bucket of its finest cell. */
static void
bucket_add (IocSpatialIndex *self,
            guint32          index)
{
  Slot *slot = slot_at (self, index);
  gint64 cx, cy;
  Bucket *bucket;

  cell_of (slot->mx, slot->my, STORED_MAX, &cx, &cy);
  slot->bucket = bucket_for (self, pack (cx, cy));
  bucket = &g_array_index (self->buckets, Bucket, slot->bucket);
  if (bucket->n == bucket->alloc)
    {
      bucket->alloc = MAX (4u, bucket->alloc * 2);
      bucket->slots = g_renew (guint32, bucket->slots, bucket->alloc);
    }
  slot->pos = bucket->n;
  bucket->slots[bucket->n++] = index;
}

static void
insert_slot (IocSpatialIndex *self,
             guint32          index)
{
  Slot *slot;

  bucket_add (self, index);
  slot = slot_at (self, index);
  for (guint z = 0; z <= STORED_MAX; z++)
    agg_add (self, z, slot);
}

static void
remove_slot (IocSpatialIndex *self,
             guint32          index)
{
  Slot *slot = slot_at (self, index);
  Bucket *bucket = &g_array_index (self->buckets, Bucket, slot->bucket);
  guint32 last = bucket->slots[--bucket->n];

  bucket->slots[slot->pos] = last;
  slot_at (self, last)->pos = slot->pos;

  for (guint z = 0; z <= STORED_MAX; z++)
    agg_remove (self, z, slot);
}

static void
fill_slot (Slot   *slot,
           gint64  id,
           double  lat,
           double  lon,
           guint   kind)
{
  slot->id = id;
  slot->lat = lat;
  slot->lon = lon;
  slot->kind = MIN (kind, IOC_SPATIAL_INDEX_N_KINDS - 1);
  ioc_mercator_from_lat_lon (lat, lon, &slot->mx, &slot->my);
}

void
ioc_spatial_index_insert (IocSpatialIndex *self,
                          gint64           id,
                          double           lat,
                          double           lon,
                          guint            kind)
{
  gpointer found;
  guint32 index;
  Slot *slot;

  g_return_if_fail (self != NULL);
  g_return_if_fail (id != 0);

  found = g_hash_table_lookup (self->by_id, &id);
  if (found != NULL)
    {
      index = GPOINTER_TO_UINT (found) - 1;
      slot = slot_at (self, index);
      if (slot->lat == lat && slot->lon == lon && slot->kind == MIN (kind, IOC_SPATIAL_INDEX_N_KINDS - 1))
        return;
      remove_slot (self, index);
      fill_slot (slot, id, lat, lon, kind);
      insert_slot (self, index);
      return;
    }

  index = new_slot (self);
  slot = slot_at (self, index);
  fill_slot (slot, id, lat, lon, kind);
  g_hash_table_insert (self->by_id, &slot->id, GUINT_TO_POINTER (index + 1));
  insert_slot (self, index);
  self->size++;
}

gboolean
ioc_spatial_index_remove (IocSpatialIndex *self,
                          gint64           id)
{
  gpointer found;
  guint32 index;

  g_return_val_if_fail (self != NULL, FALSE);

  found = g_hash_table_lookup (self->by_id, &id);
  if (found == NULL)
    return FALSE;

  index = GPOINTER_TO_UINT (found) - 1;
  remove_slot (self, index);
  g_hash_table_remove (self->by_id, &id);
  slot_at (self, index)->id = 0;
  g_array_append_val (self->free_slots, index);
  self->size--;
  return TRUE;
}

gboolean
ioc_spatial_index_lookup (IocSpatialIndex *self,
                          gint64           id,
                          double          *lat,
                          double          *lon)
{
  gpointer found = g_hash_table_lookup (self->by_id, &id);
  Slot *slot;

  if (found == NULL)
    return FALSE;
  slot = slot_at (self, GPOINTER_TO_UINT (found) - 1);
  if (lat != NULL)
    *lat = slot->lat;
  if (lon != NULL)
    *lon = slot->lon;
  return TRUE;
}

/* Adds what @from counts to @agg. */
static void
agg_merge (Agg       *agg,
           const Agg *from)
{
  if (agg->count == 0)
    agg->bbox = from->bbox;
  else
    {
      agg->bbox.min_lat = MIN (agg->bbox.min_lat, from->bbox.min_lat);
      agg->bbox.max_lat = MAX (agg->bbox.max_lat, from->bbox.max_lat);
      agg->bbox.min_lon = MIN (agg->bbox.min_lon, from->bbox.min_lon);
      agg->bbox.max_lon = MAX (agg->bbox.max_lon, from->bbox.max_lon);
    }
  agg->count += from->count;
  agg->sum_lat += from->sum_lat;
  agg->sum_lon += from->sum_lon;
  agg->sum_id += from->sum_id;
  for (guint k = 0; k < IOC_SPATIAL_INDEX_N_KINDS; k++)
    agg->kinds.count[k] += from->kinds.count[k];
}

static Agg *
agg_for (GHashTable *level,
         gint64      key)
{
  Agg *agg = g_hash_table_lookup (level, &key);

  if (agg == NULL)
    {
      agg = g_new0 (Agg, 1);
      agg->key = key;
      g_hash_table_insert (level, &agg->key, agg);
    }
  return agg;
}

/* In one pass, not point by point: the slots, the buckets, the cells of
 * STORED_MAX from the buckets (they are the same cells), and each level's
 * cells from those of the level below it. A cell at zoom z + 1 lies in one
 * cell at z, (x / 2, y / 2): its size is half in world units and both grids
 * start at 0 (and the cells are computed by the same scaling, exact by
 * powers of two). */
void
ioc_spatial_index_load (IocSpatialIndex       *self,
                        const IocClusterPoint *points,
                        const guint8          *kinds,
                        guint                  n_points)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (points != NULL || n_points == 0);

  ioc_spatial_index_clear (self);
  /* One allocation for the slots, so that their keys never move. */
  g_array_set_size (self->slots, MAX (n_points, 64u));
  g_array_set_size (self->slots, 0);

  for (guint i = 0; i < n_points; i++)
    {
      guint kind = kinds != NULL ? kinds[i] : 0;
      gpointer found;
      Slot *slot;

      g_return_if_fail (points[i].id != 0);
      found = g_hash_table_lookup (self->by_id, &points[i].id);
      if (found != NULL)
        {
          /* The same id again: the later place counts, as with insert. */
          fill_slot (slot_at (self, GPOINTER_TO_UINT (found) - 1), points[i].id, points[i].lat, points[i].lon, kind);
          continue;
        }
      g_array_set_size (self->slots, self->slots->len + 1);
      slot = slot_at (self, self->slots->len - 1);
      fill_slot (slot, points[i].id, points[i].lat, points[i].lon, kind);
      g_hash_table_insert (self->by_id, &slot->id, GUINT_TO_POINTER (self->slots->len));
    }
  self->size = self->slots->len;

  for (guint32 index = 0; index < self->slots->len; index++)
    bucket_add (self, index);

  for (guint b = 0; b < self->buckets->len; b++)
    {
      const Bucket *bucket = &g_array_index (self->buckets, Bucket, b);
      Agg *agg = agg_for (self->levels[STORED_MAX], bucket->key);

      for (guint32 i = 0; i < bucket->n; i++)
        {
          const Slot *slot = slot_at (self, bucket->slots[i]);

          if (agg->count == 0)
            {
              agg->bbox.min_lat = agg->bbox.max_lat = slot->lat;
              agg->bbox.min_lon = agg->bbox.max_lon = slot->lon;
            }
          else
            {
              agg->bbox.min_lat = MIN (agg->bbox.min_lat, slot->lat);
              agg->bbox.max_lat = MAX (agg->bbox.max_lat, slot->lat);
              agg->bbox.min_lon = MIN (agg->bbox.min_lon, slot->lon);
              agg->bbox.max_lon = MAX (agg->bbox.max_lon, slot->lon);
            }
          agg->count++;
          agg->sum_lat += (gint64) llround (slot->lat * FIXED);
          agg->sum_lon += (gint64) llround (slot->lon * FIXED);
          agg->sum_id += slot->id;
          agg->kinds.count[slot->kind]++;
        }
    }

  for (guint z = STORED_MAX; z > 0; z--)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->levels[z]);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          const Agg *child = value;

          agg_merge (agg_for (self->levels[z - 1], pack (unpack_x (child->key) >> 1, unpack_y (child->key) >> 1)),
                     child);
        }
    }
}

/* Calls @func on every bucket whose cell range at STORED_MAX meets
 * [x0, x1] × [y0, y1] (cells of that level). */
static void
foreach_bucket (IocSpatialIndex *self,
                gint64           x0,
                gint64           y0,
                gint64           x1,
                gint64           y1,
                void           (*func) (IocSpatialIndex *self, const Bucket *bucket, gpointer data),
                gpointer         data)
{
  if ((double) (x1 - x0 + 1) * (double) (y1 - y0 + 1) > (double) self->buckets->len)
    {
      for (guint i = 0; i < self->buckets->len; i++)
        {
          const Bucket *bucket = &g_array_index (self->buckets, Bucket, i);
          gint64 bx = unpack_x (bucket->key), by = unpack_y (bucket->key);

          if (bucket->n > 0 && bx >= x0 && bx <= x1 && by >= y0 && by <= y1)
            func (self, bucket, data);
        }
      return;
    }

  for (gint64 y = y0; y <= y1; y++)
    for (gint64 x = x0; x <= x1; x++)
      {
        gint64 key = pack (x, y);
        gpointer found = g_hash_table_lookup (self->bucket_index, &key);

        if (found != NULL)
          func (self, &g_array_index (self->buckets, Bucket, GPOINTER_TO_UINT (found) - 1), data);
      }
}

/* The cells at @zoom of the corners of @bbox: north-west and south-east. */
static void
bbox_cells (const IocBBox *bbox,
            guint          zoom,
            gint64        *x0,
            gint64        *y0,
            gint64        *x1,
            gint64        *y1)
{
  double ax, ay, bx, by;

  ioc_mercator_from_lat_lon (bbox->max_lat, bbox->min_lon, &ax, &ay);
  ioc_mercator_from_lat_lon (bbox->min_lat, bbox->max_lon, &bx, &by);
  cell_of (ax, ay, zoom, x0, y0);
  cell_of (bx, by, zoom, x1, y1);
}

/* The buckets that may hold points of cells [x0, x1] × [y0, y1] at @zoom. */
static void
cells_to_buckets (guint   zoom,
                  gint64  x0,
                  gint64  y0,
                  gint64  x1,
                  gint64  y1,
                  gint64 *bx0,
                  gint64 *by0,
                  gint64 *bx1,
                  gint64 *by1)
{
  double ratio = world_cells (STORED_MAX) / world_cells (zoom);
  gint64 last = (gint64) ceil (world_cells (STORED_MAX)) - 1;

  /* One bucket of slack on each side for the rounding at the edges. */
  *bx0 = CLAMP ((gint64) floor (x0 * ratio) - 1, 0, last);
  *by0 = CLAMP ((gint64) floor (y0 * ratio) - 1, 0, last);
  *bx1 = CLAMP ((gint64) floor ((x1 + 1) * ratio) + 1, 0, last);
  *by1 = CLAMP ((gint64) floor ((y1 + 1) * ratio) + 1, 0, last);
}

typedef struct {
  const IocBBox *bbox;
  GArray        *out;
} BBoxQuery;

static void
collect_in_bbox (IocSpatialIndex *self,
                 const Bucket    *bucket,
                 gpointer         data)
{
  BBoxQuery *query = data;

  for (guint32 i = 0; i < bucket->n; i++)
    {
      const Slot *slot = slot_at (self, bucket->slots[i]);

      if (ioc_bbox_contains (query->bbox, slot->lat, slot->lon))
        {
          IocClusterPoint point = { slot->lat, slot->lon, slot->id };

          g_array_append_val (query->out, point);
        }
    }
}

GArray *
ioc_spatial_index_query_bbox (IocSpatialIndex *self,
                              const IocBBox   *bbox)
{
  BBoxQuery query = { bbox, g_array_new (FALSE, FALSE, sizeof (IocClusterPoint)) };
  gint64 x0, y0, x1, y1;

  g_return_val_if_fail (self != NULL && bbox != NULL, query.out);

  bbox_cells (bbox, STORED_MAX, &x0, &y0, &x1, &y1);
  foreach_bucket (self, x0, y0, x1, y1, collect_in_bbox, &query);
  return query.out;
}

typedef struct {
  guint   zoom;
  gint64  x0, y0, x1, y1;
  GArray *points;   /* IocClusterPoint */
  GArray *kinds;    /* guint8 */
} CellQuery;

static void
collect_in_cells (IocSpatialIndex *self,
                  const Bucket    *bucket,
                  gpointer         data)
{
  CellQuery *query = data;

  for (guint32 i = 0; i < bucket->n; i++)
    {
      const Slot *slot = slot_at (self, bucket->slots[i]);
      gint64 cx, cy;

      cell_of (slot->mx, slot->my, query->zoom, &cx, &cy);
      if (cx >= query->x0 && cx <= query->x1 && cy >= query->y0 && cy <= query->y1)
        {
          IocClusterPoint point = { slot->lat, slot->lon, slot->id };

          g_array_append_val (query->points, point);
          g_array_append_val (query->kinds, slot->kind);
        }
    }
}

/* Every point of the cells [x0, x1] × [y0, y1] at @zoom. */
static void
points_of_cells (IocSpatialIndex *self,
                 CellQuery       *query)
{
  gint64 bx0, by0, bx1, by1;

  query->points = g_array_new (FALSE, FALSE, sizeof (IocClusterPoint));
  query->kinds = g_array_new (FALSE, FALSE, sizeof (guint8));
  cells_to_buckets (query->zoom, query->x0, query->y0, query->x1, query->y1, &bx0, &by0, &bx1, &by1);
  foreach_bucket (self, bx0, by0, bx1, by1, collect_in_cells, query);
}

static void
refresh_bbox (IocSpatialIndex *self,
              guint            zoom,
              Agg             *agg)
{
  CellQuery query = { zoom, unpack_x (agg->key), unpack_y (agg->key), unpack_x (agg->key), unpack_y (agg->key) };

  points_of_cells (self, &query);
  g_assert (query.points->len == agg->count);
  for (guint i = 0; i < query.points->len; i++)
    {
      const IocClusterPoint *p = &g_array_index (query.points, IocClusterPoint, i);

      if (i == 0)
        {
          agg->bbox.min_lat = agg->bbox.max_lat = p->lat;
          agg->bbox.min_lon = agg->bbox.max_lon = p->lon;
        }
      agg->bbox.min_lat = MIN (agg->bbox.min_lat, p->lat);
      agg->bbox.max_lat = MAX (agg->bbox.max_lat, p->lat);
      agg->bbox.min_lon = MIN (agg->bbox.min_lon, p->lon);
      agg->bbox.max_lon = MAX (agg->bbox.max_lon, p->lon);
    }
  agg->bbox_dirty = FALSE;
  g_array_unref (query.points);
  g_array_unref (query.kinds);
}

static int
compare_aggs (gconstpointer a,
              gconstpointer b)
{
  const Agg *aa = *(const Agg * const *) a;
  const Agg *ab = *(const Agg * const *) b;
  gint64 ya = unpack_y (aa->key), yb = unpack_y (ab->key);
  gint64 xa = unpack_x (aa->key), xb = unpack_x (ab->key);

  if (ya != yb)
    return ya < yb ? -1 : 1;
  return xa < xb ? -1 : (xa > xb ? 1 : 0);
}

GArray *
ioc_spatial_index_query_clusters (IocSpatialIndex *self,
                                  const IocBBox   *bbox,
                                  guint            zoom,
                                  GArray         **kind_counts)
{
  GArray *clusters = g_array_new (FALSE, TRUE, sizeof (IocCluster));
  GArray *counts = g_array_new (FALSE, TRUE, sizeof (IocKindCounts));
  gint64 x0, y0, x1, y1;

  g_return_val_if_fail (self != NULL && bbox != NULL, clusters);

  zoom = MIN (zoom, IOC_CLUSTER_MAX_ZOOM);
  bbox_cells (bbox, zoom, &x0, &y0, &x1, &y1);

  if (zoom <= STORED_MAX)
    {
      GHashTable *level = self->levels[zoom];
      g_autoptr(GPtrArray) found = g_ptr_array_new ();

      if ((double) (x1 - x0 + 1) * (double) (y1 - y0 + 1) > (double) g_hash_table_size (level))
        {
          GHashTableIter iter;
          gpointer value;

          g_hash_table_iter_init (&iter, level);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            {
              Agg *agg = value;
              gint64 cx = unpack_x (agg->key), cy = unpack_y (agg->key);

              if (cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1)
                g_ptr_array_add (found, agg);
            }
        }
      else
        {
          for (gint64 y = y0; y <= y1; y++)
            for (gint64 x = x0; x <= x1; x++)
              {
                gint64 key = pack (x, y);
                Agg *agg = g_hash_table_lookup (level, &key);

                if (agg != NULL)
                  g_ptr_array_add (found, agg);
              }
        }
      g_ptr_array_sort (found, compare_aggs);

      g_array_set_size (clusters, found->len);
      g_array_set_size (counts, found->len);
      for (guint i = 0; i < found->len; i++)
        {
          Agg *agg = g_ptr_array_index (found, i);
          IocCluster *cluster = &g_array_index (clusters, IocCluster, i);

          if (agg->bbox_dirty)
            refresh_bbox (self, zoom, agg);
          cluster->count = agg->count;
          cluster->lat = agg->sum_lat / FIXED / agg->count;
          cluster->lon = agg->sum_lon / FIXED / agg->count;
          cluster->bbox = agg->bbox;
          cluster->id = agg->count == 1 ? agg->sum_id : 0;
          cluster->cell_x = unpack_x (agg->key);
          cluster->cell_y = unpack_y (agg->key);
          g_array_index (counts, IocKindCounts, i) = agg->kinds;
        }
    }
  else
    {
      CellQuery query = { zoom, x0, y0, x1, y1 };
      g_autofree guint *assignment = NULL;

      points_of_cells (self, &query);
      assignment = g_new (guint, MAX (1u, query.points->len));
      g_array_unref (clusters);
      clusters = ioc_cluster_points ((const IocClusterPoint *) query.points->data, query.points->len,
                                     zoom, IOC_CLUSTER_CELL_PX, assignment);
      g_array_set_size (counts, clusters->len);
      for (guint i = 0; i < query.points->len; i++)
        g_array_index (counts, IocKindCounts, assignment[i]).count[g_array_index (query.kinds, guint8, i)]++;
      g_array_unref (query.points);
      g_array_unref (query.kinds);
    }

  if (kind_counts != NULL)
    *kind_counts = counts;
  else
    g_array_unref (counts);
  return clusters;
}

typedef struct {
  double mx, my;
  double scale;     /* world units → pixels at the zoom */
  double best_d2;
  gint64 best_id;
} NearestQuery;

static void
nearest_in_bucket (IocSpatialIndex *self,
                   const Bucket    *bucket,
                   gpointer         data)
{
  NearestQuery *query = data;

  for (guint32 i = 0; i < bucket->n; i++)
    {
      const Slot *slot = slot_at (self, bucket->slots[i]);
      double dx = (slot->mx - query->mx) * query->scale;
      double dy = (slot->my - query->my) * query->scale;
      double d2 = dx * dx + dy * dy;

      if (d2 < query->best_d2 || (d2 == query->best_d2 && query->best_id != 0 && slot->id < query->best_id))
        {
          query->best_d2 = d2;
          query->best_id = slot->id;
        }
    }
}

gint64
ioc_spatial_index_nearest (IocSpatialIndex *self,
                           double           lat,
                           double           lon,
                           double           zoom,
                           double           radius_px)
{
  NearestQuery query;
  double r;
  double world_b = world_cells (STORED_MAX);
  gint64 last = (gint64) ceil (world_b) - 1;

  g_return_val_if_fail (self != NULL, 0);

  ioc_mercator_from_lat_lon (lat, lon, &query.mx, &query.my);
  query.scale = TILE_PX * exp2 (zoom);
  query.best_d2 = radius_px * radius_px;
  query.best_id = 0;
  /* The radius in world units, and the buckets it reaches. */
  r = radius_px / query.scale;
  foreach_bucket (self,
                  CLAMP ((gint64) floor ((query.mx - r) * world_b) - 1, 0, last),
                  CLAMP ((gint64) floor ((query.my - r) * world_b) - 1, 0, last),
                  CLAMP ((gint64) floor ((query.mx + r) * world_b) + 1, 0, last),
                  CLAMP ((gint64) floor ((query.my + r) * world_b) + 1, 0, last),
                  nearest_in_bucket, &query);
  return query.best_id;
}
