/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-test"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "iocd-test-utils.h"

/*
 * The task list's q and bbox filters read indexes (a trigram FTS5 index of
 * the folded search text, an R*Tree of the locations); their answers must
 * be exactly those of the plain SQL the indexes replace, which this test
 * runs on iocd's own database: LIKE for every word, BETWEEN for the box.
 */

static IocdTestServer *server;
static SoupSession *session;
static sqlite3 *db;
static const char *operator_token;

/* Tasks made here, so that the lists also hold tasks written after the
 * indexes were built (by the triggers, not the migration's backfill). */
static const char * const titles[] = {
  "Cống thoát nước khổng lồ bị tắc ở Cần Thơ",
  "Đèn đường \"quá\" tối 100% _hẻm 5_",
  "Ổ gà sâu trên đường Nguyễn Văn Cừ",
};

/* Every page of @path (which has its own query string), as ids in order. */
static GArray *
list_all (const char *path)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *after = NULL;

  do
    {
      g_autofree char *page = after == NULL ? g_strdup (path)
                                            : g_strdup_printf ("%s&after=%s", path, after);
      g_autoptr(IocdTestResponse) r = iocd_test_request (server, session, "GET", page, operator_token, NULL, NULL);
      JsonNode *tasks;
      JsonArray *array;

      g_clear_pointer (&after, g_free);
      if (!iocd_test_check_status (r, 200, page))
        break;
      tasks = iocd_test_json_get (r->body, "tasks");
      g_assert_nonnull (tasks);
      array = json_node_get_array (tasks);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          gint64 id = json_object_get_int_member (json_array_get_object_element (array, i), "id");

          g_array_append_val (ids, id);
        }
      after = g_strdup (iocd_test_json_string (r->body, "next"));
    }
  while (after != NULL);

  return ids;
}

/* The ids of an SQL query whose text parameters are @params, in order. */
static GArray *
select_ids (const char         *sql,
            const char * const *params,
            const double       *numbers,
            guint               n_numbers)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;
  int index = 1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    sqlite3_bind_text (stmt, index++, params[i], -1, SQLITE_TRANSIENT);
  for (guint i = 0; i < n_numbers; i++)
    sqlite3_bind_double (stmt, index++, numbers[i]);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);

  return ids;
}

static void
check_same_ids (const char *what,
                GArray     *got,
                GArray     *expected)
{
  if (got->len != expected->len)
    {
      iocd_test_fail ("%s: %u tasks listed, %u expected", what, got->len, expected->len);
      return;
    }
  for (guint i = 0; i < got->len; i++)
    if (g_array_index (got, gint64, i) != g_array_index (expected, gint64, i))
      {
        iocd_test_fail ("%s: task %" G_GINT64_FORMAT " at %u, %" G_GINT64_FORMAT " expected", what,
                        g_array_index (got, gint64, i), i, g_array_index (expected, gint64, i));
        return;
      }
  g_test_message ("%s: %u tasks, as expected", what, got->len);
}

/* @q as a client types it; @folded as iocd folds it (the words LIKE gets). */
static void
check_q (const char *q,
         const char *folded,
         guint       at_least)
{
  g_auto(GStrv) words = g_strsplit (folded, " ", -1);
  g_autoptr(GPtrArray) patterns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) where = g_string_new ("1");
  g_autofree char *escaped = g_uri_escape_string (q, NULL, FALSE);
  const char * const orders[] = { "id", "updated" };

  for (guint i = 0; words[i] != NULL; i++)
    {
      GString *pattern = g_string_new ("%");

      for (const char *p = words[i]; *p; p++)
        {
          if (*p == '%' || *p == '_' || *p == '\\')
            g_string_append_c (pattern, '\\');
          g_string_append_c (pattern, *p);
        }
      g_string_append_c (pattern, '%');
      g_ptr_array_add (patterns, g_string_free (pattern, FALSE));
      g_string_append (where, " AND search LIKE ? ESCAPE '\\'");
    }
  g_ptr_array_add (patterns, NULL);

  for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
    {
      /* Small pages: the cursor is also read from the index. */
      g_autofree char *path = g_strdup_printf ("/api/v1/tasks?q=%s&order=%s&limit=7", escaped, orders[o]);
      g_autofree char *sql = g_strdup_printf ("SELECT id FROM tasks WHERE %s ORDER BY %s", where->str,
                                              o == 0 ? "id DESC" : "updated_at, id");
      g_autoptr(GArray) got = list_all (path);
      g_autoptr(GArray) expected = select_ids (sql, (const char * const *) patterns->pdata, NULL, 0);
      g_autofree char *what = g_strdup_printf ("q=%s (order %s)", q, orders[o]);

      check_same_ids (what, got, expected);
      if (expected->len < at_least)
        iocd_test_fail ("%s: only %u tasks match, the test meant at least %u", what, expected->len, at_least);
    }
}

static void
test_q_like (void)
{
  /* Words of 1 and 2 characters (not in the trigram index), of 3 and more,
   * Vietnamese with diacritics, mixed, LIKE's own wildcards and a quote
   * (FTS5 syntax), words in no task, and the tasks made above. */
  check_q ("a", "a", 10);
  check_q ("Đ", "d", 10);
  check_q ("gà", "ga", 1);
  check_q ("ng 1", "ng 1", 1);
  check_q ("đường", "duong", 20);
  check_q ("Đường ngập", "duong ngap", 1);
  check_q ("ngập nước", "ngap nuoc", 1);
  check_q ("khổng lồ cần thơ", "khong lo can tho", 1);
  check_q ("Nguyễn Văn Cừ", "nguyen van cu", 1);
  check_q ("ộ", "o", 10);
  check_q ("\"quá\"", "\"qua\"", 1);
  check_q ("\"", "\"", 1);
  check_q ("100%", "100%", 1);
  check_q ("_hem", "_hem", 1);
  check_q ("5_", "5_", 1);
  check_q ("%", "%", 1);
  check_q ("(du lieu mo phong)", "(du lieu mo phong)", 10);
  check_q ("du* OR NEAR", "du* or near", 0);
  check_q ("zzqxw", "zzqxw", 0);
  check_q ("#1", "#1", 10);
}

static void
test_bbox (void)
{
  g_autoptr(GArray) located = select_ids ("SELECT id FROM tasks WHERE lat IS NOT NULL ORDER BY id", NULL, NULL, 0);
  GRand *rand = g_rand_new_with_seed (4);
  guint compared = 0;

  g_assert_cmpuint (located->len, >, 50);

  for (guint i = 0; i < 40; i++)
    {
      gint64 id = g_array_index (located, gint64, g_rand_int_range (rand, 0, located->len));
      g_autofree char *sql = g_strdup_printf ("SELECT lat, lon FROM tasks WHERE id = %" G_GINT64_FORMAT, id);
      sqlite3_stmt *stmt = NULL;
      double lat, lon, half, box[4];
      char min_lon[G_ASCII_DTOSTR_BUF_SIZE], min_lat[G_ASCII_DTOSTR_BUF_SIZE];
      char max_lon[G_ASCII_DTOSTR_BUF_SIZE], max_lat[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *path = NULL;
      g_autoptr(GArray) got = NULL;
      g_autoptr(GArray) expected = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      lat = sqlite3_column_double (stmt, 0);
      lon = sqlite3_column_double (stmt, 1);
      sqlite3_finalize (stmt);

      /* Every fourth box has a task exactly on its edges (also a box of
       * one point): the index's 32-bit bounds must not lose it. */
      half = i % 4 == 0 ? 0 : g_rand_double_range (rand, 0.0005, 0.05);
      box[0] = i % 8 == 4 ? lat : lat - half;
      box[1] = lat + half;
      box[2] = i % 8 == 4 ? lon : lon - half;
      box[3] = lon + half;

      path = g_strdup_printf ("/api/v1/tasks?bbox=%s,%s,%s,%s&limit=50",
                              g_ascii_dtostr (min_lon, sizeof min_lon, box[2]),
                              g_ascii_dtostr (min_lat, sizeof min_lat, box[0]),
                              g_ascii_dtostr (max_lon, sizeof max_lon, box[3]),
                              g_ascii_dtostr (max_lat, sizeof max_lat, box[1]));
      got = list_all (path);
      expected = select_ids ("SELECT id FROM tasks WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? "
                             "ORDER BY id DESC", NULL, box, 4);
      check_same_ids (path, got, expected);
      if (expected->len == 0)
        iocd_test_fail ("%s: the box around task %" G_GINT64_FORMAT " should hold it", path, id);
      compared++;
    }

  /* A box with a text search and a state: the filters combine. */
    {
      double box[] = { 9.8, 10.5, 105.1, 106.0 };
      const char * const params[] = { "%duong%", NULL };
      g_autoptr(GArray) got = list_all ("/api/v1/tasks?bbox=105.1,9.8,106.0,10.5&q=duong&state=received,verified&limit=9");
      g_autoptr(GArray) expected = NULL;
      sqlite3_stmt *stmt = NULL;
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

      g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM tasks WHERE search LIKE ?1 "
                                               "AND state IN ('received', 'verified') "
                                               "AND lat BETWEEN ?2 AND ?3 AND lon BETWEEN ?4 AND ?5 "
                                               "ORDER BY id DESC", -1, &stmt, NULL), ==, SQLITE_OK);
      sqlite3_bind_text (stmt, 1, params[0], -1, SQLITE_STATIC);
      for (guint i = 0; i < 4; i++)
        sqlite3_bind_double (stmt, 2 + i, box[i]);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (ids, id);
        }
      sqlite3_finalize (stmt);
      expected = g_steal_pointer (&ids);
      check_same_ids ("bbox, q and state", got, expected);
      if (expected->len == 0)
        iocd_test_fail ("bbox, q and state: the demo tasks should give some");
    }

  g_test_message ("%u boxes compared", compared);
  g_rand_free (rand);
}

/* The indexes the list reads are there and hold every task (the triggers
 * keep them in the transactions that write tasks). */
static void
test_indexes (void)
{
  g_autoptr(GArray) fts = select_ids ("SELECT count (*) FROM tasks_fts", NULL, NULL, 0);
  g_autoptr(GArray) tasks = select_ids ("SELECT count (*) FROM tasks", NULL, NULL, 0);
  g_autoptr(GArray) rtree = select_ids ("SELECT count (*) FROM tasks_rtree", NULL, NULL, 0);
  g_autoptr(GArray) located = select_ids ("SELECT count (*) FROM tasks WHERE lat IS NOT NULL", NULL, NULL, 0);
  g_autoptr(GArray) missing = select_ids ("SELECT count (*) FROM tasks t WHERE lat IS NOT NULL AND NOT EXISTS "
                                          "(SELECT 1 FROM tasks_rtree r WHERE r.id = t.id "
                                          "AND t.lat BETWEEN r.min_lat AND r.max_lat "
                                          "AND t.lon BETWEEN r.min_lon AND r.max_lon)", NULL, NULL, 0);
  char *message = NULL;

  g_assert_cmpint (g_array_index (fts, gint64, 0), ==, g_array_index (tasks, gint64, 0));
  g_assert_cmpint (g_array_index (rtree, gint64, 0), ==, g_array_index (located, gint64, 0));
  g_assert_cmpint (g_array_index (missing, gint64, 0), ==, 0);

  /* FTS5's own check that the index matches its content table. */
  if (sqlite3_exec (db, "INSERT INTO tasks_fts (tasks_fts) VALUES ('integrity-check')",
                    NULL, NULL, &message) != SQLITE_OK)
    {
      iocd_test_fail ("tasks_fts integrity-check: %s", message);
      sqlite3_free (message);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *path = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = iocd_test_server_start (NULL);
  session = iocd_test_session_new (server);
  operator_token = iocd_test_token (server, session, "trucban1");

  /* Made after start: the triggers index them, and a forward rewrites their
   * row (the search text unchanged). */
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      gint64 id = iocd_test_new_task (server, session, operator_token, "DRAIN", titles[i]);
      g_autoptr(IocdTestResponse) r = iocd_test_act (server, session, operator_token, id, "verify",
                                                     "{\"version\": 1}", NULL);

      iocd_test_assert_status (r, 200, "verify");
    }

  path = g_build_filename (server->state_dir, "iocd.db", NULL);
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);

  g_test_add_func ("/tasks/list/q/like", test_q_like);
  g_test_add_func ("/tasks/list/bbox/between", test_bbox);
  g_test_add_func ("/tasks/list/indexes", test_indexes);

  ret = g_test_run ();

  sqlite3_close (db);
  g_object_unref (session);
  iocd_test_server_free (server);

  return ret;
}
