/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-demo"

#include "config.h"

#include <math.h>
#include <string.h>

#include "iocd-auth.h"
#include "iocd-demo.h"
#include "iocd-feeds.h"

#define DAY_US ((gint64) 24 * 3600 * G_USEC_PER_SEC)
#define HOUR_US ((gint64) 3600 * G_USEC_PER_SEC)
#define MINUTE_US ((gint64) 60 * G_USEC_PER_SEC)

/* Synthetic notes, in the administrative register the users write in. */
static const char * const results[] = {
  "Đơn vị đã cử tổ kỹ thuật xuống hiện trường và khắc phục xong.",
  "Đã xử lý dứt điểm, hiện trạng đã được chụp ảnh lưu hồ sơ.",
  "Đã phối hợp với UBND phường kiểm tra và xử lý theo quy định.",
  "Đã khắc phục tạm thời, sẽ sửa chữa hoàn chỉnh trong kế hoạch duy tu quý tới.",
};
static const char * const return_reasons[] = {
  "Nội dung không thuộc thẩm quyền của đơn vị, đề nghị IOC chuyển đơn vị khác.",
  "Địa điểm phản ánh chưa rõ, đề nghị bổ sung thông tin.",
};
static const char * const reject_reasons[] = {
  "Nội dung phản ánh không đủ thông tin để xác minh.",
  "Đã liên hệ người phản ánh, nội dung không chính xác.",
};
static const char * const reopen_reasons[] = {
  "Người dân phản ánh lại: sự việc tái diễn.",
};

typedef struct {
  char        *name;
  IocGeoShape *shape;
} District;

typedef struct {
  char *code;
  char *name;
  char *district;   /* a former district of Cần Thơ with a polygon, or NULL */
} Commune;

typedef struct {
  IocdStore  *store;
  GRand      *rand;
  gint64      now;
  GPtrArray  *districts;    /* District */
  GPtrArray  *communes;     /* Commune */
  GPtrArray  *streets;      /* GStrv: name, former_district */
  GPtrArray  *templates;    /* GStrv: category, title, description */
  GPtrArray  *categories;   /* IocCategory */
  GPtrArray  *people;       /* char* */
  GHashTable *liaisons;     /* department → IocUser */
  GPtrArray  *operators;    /* IocUser */
  GArray     *by_category;  /* task ids seen, for duplicates */
} Seeder;

static void
district_free (District *d)
{
  g_free (d->name);
  ioc_geo_shape_free (d->shape);
  g_free (d);
}

static void
commune_free (Commune *c)
{
  g_free (c->code);
  g_free (c->name);
  g_free (c->district);
  g_free (c);
}

char *
iocd_demo_find_data_dir (void)
{
  const char *env = g_getenv ("IOCD_DATA_DIR");
  g_autofree char *installed = g_build_filename (PKGDATADIR, "cantho", NULL);
  g_autofree char *source = g_build_filename (IOC_SOURCE_DATADIR, "cantho", NULL);

  if (env != NULL)
    return g_strdup (env);
  if (g_file_test (installed, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&installed);
  return g_steal_pointer (&source);
}

static IocCsv *
load_csv (const char  *data_dir,
          const char  *name,
          const char  *const *columns,
          int         *indices,
          GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, name, NULL);
  g_autoptr(IocCsv) csv = ioc_csv_load (path, error);

  if (csv == NULL)
    return NULL;

  for (guint i = 0; columns[i] != NULL; i++)
    {
      indices[i] = ioc_csv_column (csv, columns[i]);
      if (indices[i] < 0)
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s has no column “%s”", path, columns[i]);
          return NULL;
        }
    }

  return g_steal_pointer (&csv);
}

static const char *
cell (GStrv record,
      int   index)
{
  return (guint) index < g_strv_length (record) ? record[index] : "";
}

gboolean
iocd_demo_load_reference (IocdStore   *store,
                          const char  *data_dir,
                          GError     **error)
{
  static const char * const dep_cols[] = { "code", "name_vi", "name_en", "era", NULL };
  static const char * const cat_cols[] = { "code", "name_vi", "name_en", "department", "sla_hours", "priority", NULL };
  static const char * const com_cols[] = { "code_2025", "name", "type", "former_districts", NULL };
  int dep[4], cat[6], com[4];
  g_autoptr(IocCsv) departments = load_csv (data_dir, "cantho_departments.csv", dep_cols, dep, error);
  g_autoptr(IocCsv) categories = departments ? load_csv (data_dir, "categories.csv", cat_cols, cat, error) : NULL;
  g_autoptr(IocCsv) communes = categories ? load_csv (data_dir, "cantho_2025_communes.csv", com_cols, com, error)
                                          : NULL;

  if (communes == NULL)
    return FALSE;

  for (guint i = 1; i < departments->records->len; i++)
    {
      GStrv r = g_ptr_array_index (departments->records, i);
      const char *era = cell (r, dep[3]);
      g_autoptr(IocDepartment) d = NULL;

      /* Only the organisation in force since 1 July 2025 receives tasks. */
      if (!g_str_has_prefix (era, "post-2025") && !g_str_has_prefix (era, "central-line"))
        continue;

      d = ioc_department_new ();
      d->code = g_strdup (cell (r, dep[0]));
      d->name_vi = g_strdup (cell (r, dep[1]));
      d->name_en = g_strdup (cell (r, dep[2]));
      if (!iocd_store_save_department (store, d, error))
        return FALSE;
    }

  for (guint i = 1; i < categories->records->len; i++)
    {
      GStrv r = g_ptr_array_index (categories->records, i);
      g_autoptr(IocCategory) c = ioc_category_new ();

      c->code = g_strdup (cell (r, cat[0]));
      c->name_vi = g_strdup (cell (r, cat[1]));
      c->name_en = g_strdup (cell (r, cat[2]));
      c->department = g_strdup (cell (r, cat[3]));
      c->sla_hours = g_ascii_strtoll (cell (r, cat[4]), NULL, 10);
      c->priority = ioc_priority_from_string (cell (r, cat[5]));
      if ((int) c->priority < 0 || c->sla_hours <= 0)
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "categories.csv line %u: bad priority or SLA",
                       g_array_index (categories->lines, guint, i));
          return FALSE;
        }
      if (!iocd_store_save_category (store, c, error))
        return FALSE;
    }

  for (guint i = 1; i < communes->records->len; i++)
    {
      GStrv r = g_ptr_array_index (communes->records, i);
      g_autoptr(IocCommune) c = ioc_commune_new ();

      c->code = g_strdup (cell (r, com[0]));
      c->name = g_strdup (cell (r, com[1]));
      c->kind = g_strdup (cell (r, com[2]));
      c->former_districts = g_strdup (cell (r, com[3]));
      if (!iocd_store_save_commune (store, c, error))
        return FALSE;
    }

  return iocd_demo_load_category_attributes (store, data_dir, error);
}

static gboolean
load_districts (Seeder      *seeder,
                const char  *data_dir,
                GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, "cantho_districts.geojson", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *features;

  if (!json_parser_load_from_file (parser, path, error))
    return FALSE;

  features = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "features");
  for (guint i = 0; i < json_array_get_length (features); i++)
    {
      JsonObject *f = json_array_get_object_element (features, i);
      JsonObject *props = json_object_get_object_member (f, "properties");
      District *d = g_new0 (District, 1);

      d->name = g_strdup (json_object_get_string_member (props, "name"));
      d->shape = ioc_geo_shape_new_from_geojson (json_object_get_object_member (f, "geometry"), error);
      if (d->shape == NULL)
        {
          district_free (d);
          return FALSE;
        }
      g_ptr_array_add (seeder->districts, d);
    }

  return TRUE;
}

static District *
find_district (Seeder     *seeder,
               const char *name)
{
  for (guint i = 0; i < seeder->districts->len; i++)
    {
      District *d = g_ptr_array_index (seeder->districts, i);

      if (g_str_equal (d->name, name))
        return d;
    }
  return NULL;
}

static gboolean
load_lists (Seeder      *seeder,
            const char  *data_dir,
            GError     **error)
{
  static const char * const street_cols[] = { "name", "former_district", NULL };
  static const char * const tmpl_cols[] = { "category", "title", "description", NULL };
  static const char * const people_cols[] = { "name", NULL };
  static const char * const com_cols[] = { "code_2025", "name", "former_districts", NULL };
  int sc[2], tc[3], pc[1], cc[3];
  g_autoptr(IocCsv) streets = load_csv (data_dir, "demo_streets.csv", street_cols, sc, error);
  g_autoptr(IocCsv) templates = streets ? load_csv (data_dir, "demo_task_templates.csv", tmpl_cols, tc, error) : NULL;
  g_autoptr(IocCsv) people = templates ? load_csv (data_dir, "demo_people.csv", people_cols, pc, error) : NULL;
  g_autoptr(IocCsv) communes = people ? load_csv (data_dir, "cantho_2025_communes.csv", com_cols, cc, error) : NULL;

  if (communes == NULL)
    return FALSE;

  for (guint i = 1; i < streets->records->len; i++)
    {
      GStrv r = g_ptr_array_index (streets->records, i);
      const char *pair[] = { cell (r, sc[0]), cell (r, sc[1]), NULL };

      if (find_district (seeder, pair[1]) != NULL)
        g_ptr_array_add (seeder->streets, g_strdupv ((GStrv) pair));
    }
  for (guint i = 1; i < templates->records->len; i++)
    {
      GStrv r = g_ptr_array_index (templates->records, i);
      const char *t[] = { cell (r, tc[0]), cell (r, tc[1]), cell (r, tc[2]), NULL };

      g_ptr_array_add (seeder->templates, g_strdupv ((GStrv) t));
    }
  for (guint i = 1; i < people->records->len; i++)
    g_ptr_array_add (seeder->people, g_strdup (cell (g_ptr_array_index (people->records, i), pc[0])));

  for (guint i = 1; i < communes->records->len; i++)
    {
      GStrv r = g_ptr_array_index (communes->records, i);
      g_auto(GStrv) former = g_strsplit (cell (r, cc[2]), "; ", -1);
      Commune *c = g_new0 (Commune, 1);

      c->code = g_strdup (cell (r, cc[0]));
      c->name = g_strdup (cell (r, cc[1]));
      /* Only the former Cần Thơ districts have polygons; the rest of the
       * merged city gets addresses without coordinates rather than made-up points. */
      for (guint k = 0; former[k] != NULL; k++)
        if (find_district (seeder, former[k]) != NULL)
          {
            c->district = g_strdup (former[k]);
            break;
          }
      g_ptr_array_add (seeder->communes, c);
    }

  if (seeder->streets->len == 0 || seeder->templates->len == 0 || seeder->people->len == 0)
    {
      g_set_error_literal (error, IOC_ERROR, IOC_ERROR_INVALID, "the demo lists are empty");
      return FALSE;
    }

  return TRUE;
}

static IocUser *
add_user (Seeder      *seeder,
          const char  *username,
          const char  *display_name,
          IocRole      role,
          const char  *department,
          const char  *hash,
          GError     **error)
{
  g_autoptr(IocUser) user = ioc_user_new ();

  user->username = g_strdup (username);
  user->display_name = g_strdup (display_name);
  user->role = role;
  user->department = g_strdup (department);
  if (iocd_store_create_user (seeder->store, user, hash, error) == 0)
    return NULL;

  return g_steal_pointer (&user);
}

static const char *
pick (Seeder     *seeder,
      const char *const *list,
      guint       n)
{
  return list[g_rand_int_range (seeder->rand, 0, n)];
}

static gint64
step (Seeder  *seeder,
      gint64   at,
      gint64   min,
      gint64   max)
{
  return at + min + (gint64) (g_rand_double (seeder->rand) * (max - min));
}

static gboolean
apply (Seeder            *seeder,
       IocTask           *task,
       IocUser           *actor,
       IocAction          action,
       gint64             at,
       const char        *note,
       GError           **error)
{
  const IocWorkflowRule *rule = ioc_workflow_rule (action);
  g_autoptr(IocTimelineEntry) entry = ioc_timeline_entry_new ();
  IocdChange change = { 0 };
  gboolean ok;

  entry->at = at;
  entry->actor_id = actor->id;
  entry->actor_name = g_strdup (actor->display_name);
  entry->actor_role = actor->role;
  entry->action = action;
  entry->from_state = task->state;
  entry->to_state = rule->to == IOC_TASK_STATE_INVALID ? task->state : rule->to;
  entry->note = g_strdup (note);

  switch (action)
    {
    case IOC_ACTION_FORWARD:
      entry->department = g_strdup (task->department);
      entry->due_at = task->due_at;
      break;
    case IOC_ACTION_MARK_DUPLICATE:
      entry->duplicate_of = task->duplicate_of;
      break;
    case IOC_ACTION_RESOLVE:
      g_free (task->result);
      task->result = g_strdup (note);
      break;
    case IOC_ACTION_CLOSE:
      entry->rating = task->rating;
      break;
    case IOC_ACTION_VERIFY:
    case IOC_ACTION_REJECT:
    case IOC_ACTION_ACKNOWLEDGE:
    case IOC_ACTION_START:
    case IOC_ACTION_RETURN:
    case IOC_ACTION_REOPEN:
    case IOC_ACTION_COMMENT:
    case IOC_N_ACTIONS:
    case IOC_ACTION_INVALID:
    default:
      break;
    }

  change.expected_version = task->version;
  task->state = entry->to_state;
  task->version++;
  task->updated_at = at;
  change.task = task;
  change.entry = entry;
  change.event_kind = IOC_EVENT_TASK_CHANGED;

  ok = iocd_store_commit_change (seeder->store, &change, error);
  iocd_change_clear (&change);
  return ok;
}

typedef enum {
  END_RECEIVED, END_VERIFIED, END_REJECTED, END_DUPLICATE, END_FORWARDED, END_ACKNOWLEDGED,
  END_IN_PROGRESS, END_RETURNED, END_RESOLVED, END_CLOSED, END_REOPENED, N_ENDS
} End;

/* Roughly the mix of a working IOC: most work done, a live tail in every state. */
static const guint end_weights[N_ENDS] = { 5, 4, 4, 3, 10, 8, 12, 4, 8, 39, 3 };

static End
pick_end (Seeder *seeder)
{
  guint total = 0, r;

  for (guint i = 0; i < N_ENDS; i++)
    total += end_weights[i];
  r = g_rand_int_range (seeder->rand, 0, total);
  for (guint i = 0; i < N_ENDS; i++)
    {
      if (r < end_weights[i])
        return i;
      r -= end_weights[i];
    }
  return END_CLOSED;
}

static char *
fill_template (const char *text,
               const char *street)
{
  g_auto(GStrv) parts = g_strsplit (text, "{street}", -1);

  return g_strjoinv (street, parts);
}

static gboolean
seed_task (Seeder  *seeder,
           guint    index,
           GError **error)
{
  g_autoptr(IocTask) task = ioc_task_new ();
  g_autoptr(IocTimelineEntry) entry = ioc_timeline_entry_new ();
  GStrv tmpl = g_ptr_array_index (seeder->templates, g_rand_int_range (seeder->rand, 0, seeder->templates->len));
  IocCategory *category = NULL;
  IocUser *op = g_ptr_array_index (seeder->operators, g_rand_int_range (seeder->rand, 0, seeder->operators->len));
  IocUser *liaison;
  IocdChange change = { 0 };
  End end = pick_end (seeder);
  g_autofree char *description = NULL;
  const char *street;
  gint64 at;
  double age_days;
  gboolean ok;

  for (guint i = 0; i < seeder->categories->len; i++)
    if (g_str_equal (((IocCategory *) g_ptr_array_index (seeder->categories, i))->code, tmpl[0]))
      category = g_ptr_array_index (seeder->categories, i);
  if (category == NULL)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "template of unknown category %s", tmpl[0]);
      return FALSE;
    }

  /* Open work is recent; finished work spreads over two months. */
  age_days = end == END_CLOSED || end == END_REJECTED || end == END_DUPLICATE
             ? 2 + g_rand_double (seeder->rand) * 58
             : 0.05 + pow (g_rand_double (seeder->rand), 2) * 12;
  at = seeder->now - (gint64) (age_days * DAY_US);

  if (g_rand_int_range (seeder->rand, 0, 100) < 80)
    {
      GStrv s = g_ptr_array_index (seeder->streets, g_rand_int_range (seeder->rand, 0, seeder->streets->len));
      District *d = find_district (seeder, s[1]);
      GPtrArray *candidates = g_ptr_array_new ();
      IocBBox bbox;

      street = s[0];
      for (guint i = 0; i < seeder->communes->len; i++)
        {
          Commune *c = g_ptr_array_index (seeder->communes, i);

          if (g_strcmp0 (c->district, s[1]) == 0)
            g_ptr_array_add (candidates, c);
        }
      if (candidates->len > 0)
        task->commune = g_strdup (((Commune *) g_ptr_array_index (candidates,
                                   g_rand_int_range (seeder->rand, 0, candidates->len)))->code);
      g_ptr_array_unref (candidates);

      ioc_geo_shape_get_bbox (d->shape, &bbox);
      for (guint tries = 0; tries < 1000; tries++)
        {
          double lat = bbox.min_lat + g_rand_double (seeder->rand) * (bbox.max_lat - bbox.min_lat);
          double lon = bbox.min_lon + g_rand_double (seeder->rand) * (bbox.max_lon - bbox.min_lon);

          if (ioc_geo_shape_contains (d->shape, lat, lon))
            {
              task->has_location = TRUE;
              task->lat = round (lat * 1e6) / 1e6;
              task->lon = round (lon * 1e6) / 1e6;
              break;
            }
        }
      task->address = g_strdup_printf ("%s, %s", street, s[1]);
    }
  else
    {
      Commune *c;

      do
        c = g_ptr_array_index (seeder->communes, g_rand_int_range (seeder->rand, 0, seeder->communes->len));
      while (c->district != NULL);
      street = c->name;
      task->commune = g_strdup (c->code);
      task->address = g_strdup (c->name);
    }

  description = fill_template (tmpl[2], street);
  task->category = g_strdup (category->code);
  task->title = g_strdup (tmpl[1]);
  task->description = g_strconcat (description, " (Dữ liệu mô phỏng)", NULL);
  task->priority = g_rand_int_range (seeder->rand, 0, 10) == 0 ? IOC_PRIORITY_URGENT : category->priority;
  task->source = g_rand_int_range (seeder->rand, 0, 2) == 0 ? IOC_SOURCE_HOTLINE : IOC_SOURCE_CITIZEN_APP;
  if (g_rand_int_range (seeder->rand, 0, 3) == 0)
    {
      task->reporter_name = g_strdup (g_ptr_array_index (seeder->people,
                                      g_rand_int_range (seeder->rand, 0, seeder->people->len)));
      /* 0900 000 xxx numbers are not in service: nobody is called by mistake. */
      task->reporter_phone = g_strdup_printf ("0900000%03d", index % 1000);
    }
  task->version = 1;
  task->created_at = at;
  task->updated_at = at;

  entry->at = at;
  entry->actor_id = op->id;
  entry->actor_name = g_strdup (op->display_name);
  entry->actor_role = op->role;
  entry->action = IOC_ACTION_INTAKE;
  entry->to_state = IOC_TASK_STATE_RECEIVED;
  change.task = task;
  change.entry = entry;
  change.event_kind = IOC_EVENT_TASK_CREATED;
  ok = iocd_store_commit_change (seeder->store, &change, error);
  iocd_change_clear (&change);
  if (!ok)
    return FALSE;

  if (end == END_RECEIVED)
    return TRUE;

  if (end == END_DUPLICATE && seeder->by_category->len > 0)
    {
      task->duplicate_of = g_array_index (seeder->by_category, gint64,
                                          g_rand_int_range (seeder->rand, 0, seeder->by_category->len));
      return apply (seeder, task, op, IOC_ACTION_MARK_DUPLICATE, step (seeder, at, 5 * MINUTE_US, 2 * HOUR_US),
                    NULL, error);
    }
  g_array_append_val (seeder->by_category, task->id);

  if (end == END_REJECTED && g_rand_boolean (seeder->rand))
    return apply (seeder, task, op, IOC_ACTION_REJECT, step (seeder, at, 5 * MINUTE_US, HOUR_US),
                  pick (seeder, reject_reasons, G_N_ELEMENTS (reject_reasons)), error);

  at = step (seeder, at, 2 * MINUTE_US, 40 * MINUTE_US);
  if (!apply (seeder, task, op, IOC_ACTION_VERIFY, at, NULL, error))
    return FALSE;
  if (end == END_VERIFIED)
    return TRUE;
  if (end == END_REJECTED)
    return apply (seeder, task, op, IOC_ACTION_REJECT, step (seeder, at, 5 * MINUTE_US, HOUR_US),
                  pick (seeder, reject_reasons, G_N_ELEMENTS (reject_reasons)), error);

  at = step (seeder, at, 5 * MINUTE_US, 90 * MINUTE_US);
  g_free (task->department);
  task->department = g_strdup (category->department);
  /* Some open work runs late so that "overdue" has something to show. */
  task->due_at = at + category->sla_hours * HOUR_US;
  if (!apply (seeder, task, op, IOC_ACTION_FORWARD, at, NULL, error))
    return FALSE;

  liaison = g_hash_table_lookup (seeder->liaisons, task->department);
  if (end == END_FORWARDED)
    return TRUE;

  at = step (seeder, at, 10 * MINUTE_US, 4 * HOUR_US);
  if (end == END_RETURNED)
    return apply (seeder, task, liaison, IOC_ACTION_RETURN, at,
                  pick (seeder, return_reasons, G_N_ELEMENTS (return_reasons)), error);

  if (!apply (seeder, task, liaison, IOC_ACTION_ACKNOWLEDGE, at, NULL, error))
    return FALSE;
  if (end == END_ACKNOWLEDGED)
    return TRUE;

  at = step (seeder, at, 20 * MINUTE_US, 6 * HOUR_US);
  if (!apply (seeder, task, liaison, IOC_ACTION_START, at, NULL, error))
    return FALSE;
  if (end == END_IN_PROGRESS)
    return TRUE;

  at = step (seeder, at, HOUR_US, category->sla_hours * HOUR_US * 5 / 4);
  if (at >= seeder->now)
    return TRUE;
  if (!apply (seeder, task, liaison, IOC_ACTION_RESOLVE, at,
              pick (seeder, results, G_N_ELEMENTS (results)), error))
    return FALSE;
  if (end == END_RESOLVED)
    return TRUE;

  at = step (seeder, at, 30 * MINUTE_US, 12 * HOUR_US);
  if (at >= seeder->now)
    return TRUE;
  task->rating = g_rand_int_range (seeder->rand, 3, 6);
  if (!apply (seeder, task, op, IOC_ACTION_CLOSE, at, NULL, error))
    return FALSE;

  if (end == END_REOPENED)
    {
      at = step (seeder, at, HOUR_US, 2 * DAY_US);
      if (at < seeder->now)
        {
          task->rating = 0;
          g_clear_pointer (&task->result, g_free);
          task->due_at = 0;
          return apply (seeder, task, op, IOC_ACTION_REOPEN, at,
                        pick (seeder, reopen_reasons, G_N_ELEMENTS (reopen_reasons)), error);
        }
    }

  return TRUE;
}

static char *
ascii_lower (const char *code)
{
  g_autofree char *folded = ioc_text_fold (code);

  return g_ascii_strdown (folded, -1);
}

gboolean
iocd_demo_seed (IocdStore   *store,
                const char  *data_dir,
                guint        n_tasks,
                guint32      random_seed,
                char       **password,
                GError     **error)
{
  g_autofree char *seeded = iocd_store_get_meta (store, "demo");
  g_autofree char *demo_password = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GPtrArray) departments = NULL;
  Seeder seeder = { 0 };
  gboolean ok = FALSE;
  guint person = 0;

  *password = NULL;
  if (seeded != NULL)
    return TRUE;

  seeder.store = store;
  seeder.rand = g_rand_new_with_seed (random_seed);
  seeder.now = g_get_real_time ();
  seeder.districts = g_ptr_array_new_with_free_func ((GDestroyNotify) district_free);
  seeder.communes = g_ptr_array_new_with_free_func ((GDestroyNotify) commune_free);
  seeder.streets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  seeder.templates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  seeder.people = g_ptr_array_new_with_free_func (g_free);
  seeder.liaisons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ioc_user_unref);
  seeder.operators = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_user_unref);
  seeder.by_category = g_array_new (FALSE, FALSE, sizeof (gint64));

  demo_password = iocd_auth_new_password ();
  /* One hash for all demo accounts: they share the printed password anyway. */
  hash = iocd_auth_hash_password (demo_password, error);
  if (hash == NULL || !iocd_store_begin_batch (store, error))
    goto out;

  if (!iocd_demo_load_reference (store, data_dir, error) ||
      !load_districts (&seeder, data_dir, error) ||
      !load_lists (&seeder, data_dir, error))
    goto rollback;

  seeder.categories = iocd_store_list_categories (store, error);
  departments = iocd_store_list_departments (store, error);
  if (seeder.categories == NULL || departments == NULL)
    goto rollback;

#define PERSON() ((const char *) g_ptr_array_index (seeder.people, person++ % seeder.people->len))
  {
    IocUser *u;

    if ((u = add_user (&seeder, "admin", "Quản trị hệ thống", IOC_ROLE_ADMIN, NULL, hash, error)) == NULL)
      goto rollback;
    ioc_user_unref (u);
    if ((u = add_user (&seeder, "lanhdao", PERSON (), IOC_ROLE_SUPERVISOR, NULL, hash, error)) == NULL)
      goto rollback;
    ioc_user_unref (u);
    for (guint i = 1; i <= 3; i++)
      {
        g_autofree char *name = g_strdup_printf ("trucban%u", i);

        if ((u = add_user (&seeder, name, PERSON (), IOC_ROLE_OPERATOR, NULL, hash, error)) == NULL)
          goto rollback;
        g_ptr_array_add (seeder.operators, u);
      }
    for (guint i = 0; i < departments->len; i++)
      {
        IocDepartment *d = g_ptr_array_index (departments, i);
        g_autofree char *lower = ascii_lower (d->code);
        g_autofree char *name = g_strconcat ("lienlac.", lower, NULL);

        if ((u = add_user (&seeder, name, PERSON (), IOC_ROLE_LIAISON, d->code, hash, error)) == NULL)
          goto rollback;
        g_hash_table_insert (seeder.liaisons, g_strdup (d->code), u);
      }
  }
#undef PERSON

  for (guint i = 0; i < n_tasks; i++)
    if (!seed_task (&seeder, i, error))
      goto rollback;

  if (!iocd_demo_seed_indicators (store, data_dir, seeder.rand, seeder.now, error) ||
      !iocd_demo_seed_sensors (store, data_dir, seeder.rand, seeder.now, error))
    goto rollback;

  if (!iocd_store_set_meta (store, "demo", "synthetic demo data: tasks, people and passwords are not real", error) ||
      !iocd_store_end_batch (store, TRUE, error))
    goto out;

  *password = g_steal_pointer (&demo_password);
  ok = TRUE;
  goto out;

rollback:
  iocd_store_end_batch (store, FALSE, NULL);
out:
  g_rand_free (seeder.rand);
  g_ptr_array_unref (seeder.districts);
  g_ptr_array_unref (seeder.communes);
  g_ptr_array_unref (seeder.streets);
  g_ptr_array_unref (seeder.templates);
  g_ptr_array_unref (seeder.people);
  g_hash_table_unref (seeder.liaisons);
  g_ptr_array_unref (seeder.operators);
  g_array_unref (seeder.by_category);
  g_clear_pointer (&seeder.categories, g_ptr_array_unref);
  return ok;
}
