/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-test"

#include "config.h"

#include <string.h>

#include "ioc-core.h"

static void
assert_fold (const char *text,
             const char *expected)
{
  g_autofree char *folded = ioc_text_fold (text);

  g_assert_cmpstr (folded, ==, expected);
}

static void
test_fold_examples (void)
{
  assert_fold ("Phản ánh đường", "phan anh duong");
  assert_fold ("ĐÈN ĐƯỜNG", "den duong");
  assert_fold ("Phản ánh ĐƯỜNG", "phan anh duong");
  assert_fold ("Thành phố Cần Thơ", "thanh pho can tho");
  assert_fold ("Quận Ninh Kiều, phường Tân An", "quan ninh kieu, phuong tan an");
  assert_fold ("Ngập nước sau mưa lớn #1234", "ngap nuoc sau mua lon #1234");
  assert_fold ("plain ascii 42", "plain ascii 42");
  assert_fold ("", "");
}

/* Each group: the plain letter, then every toned and modified form of it. */
static const struct {
  const char *base;
  const char *lower;
  const char *upper;
} vowels[] = {
  { "a", "aàáảãạăằắẳẵặâầấẩẫậ", "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ" },
  { "e", "eèéẻẽẹêềếểễệ",       "EÈÉẺẼẸÊỀẾỂỄỆ" },
  { "i", "iìíỉĩị",             "IÌÍỈĨỊ" },
  { "o", "oòóỏõọôồốổỗộơờớởỡợ", "OÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ" },
  { "u", "uùúủũụưừứửữự",       "UÙÚỦŨỤƯỪỨỬỮỰ" },
  { "y", "yỳýỷỹỵ",             "YỲÝỶỸỴ" },
  { "d", "dđ",                 "DĐ" },
};

static void
assert_group_folds (const char *letters,
                    const char *base)
{
  g_autoptr(GString) all = g_string_new (NULL);
  g_autofree char *folded_all = NULL;
  guint n = 0;

  for (const char *p = letters; *p; p = g_utf8_next_char (p))
    {
      char one[8] = { 0 };
      g_autofree char *folded = NULL;

      g_unichar_to_utf8 (g_utf8_get_char (p), one);
      folded = ioc_text_fold (one);
      if (g_strcmp0 (folded, base) != 0)
        g_test_fail_printf ("U+%04X folds to '%s', not '%s'",
                            g_utf8_get_char (p), folded ? folded : "(null)", base);
      g_string_append (all, base);
      n++;
    }

  folded_all = ioc_text_fold (letters);
  g_assert_cmpstr (folded_all, ==, all->str);
  g_assert_cmpuint (strlen (folded_all), ==, n);
}

static void
test_fold_vowels (void)
{
  g_autoptr(GString) lower = g_string_new (NULL);
  g_autoptr(GString) upper = g_string_new (NULL);
  g_autofree char *folded_lower = NULL;
  g_autofree char *folded_upper = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (vowels); i++)
    {
      g_autofree char *up = g_utf8_strup (vowels[i].lower, -1);

      /* The literals above are typed by hand; make sure they pair up. */
      g_assert_cmpstr (up, ==, vowels[i].upper);
      g_assert_cmpint (g_utf8_strlen (vowels[i].lower, -1), ==, g_utf8_strlen (vowels[i].upper, -1));

      assert_group_folds (vowels[i].lower, vowels[i].base);
      assert_group_folds (vowels[i].upper, vowels[i].base);
      g_string_append (lower, vowels[i].lower);
      g_string_append (upper, vowels[i].upper);
    }

  /* Whatever the input, the result is plain lower-case ASCII. */
  folded_lower = ioc_text_fold (lower->str);
  folded_upper = ioc_text_fold (upper->str);
  g_assert_cmpstr (folded_lower, ==, folded_upper);
  for (const char *p = folded_lower; *p; p++)
    g_assert_true (*p >= 'a' && *p <= 'z');
}

static void
test_fold_normalization (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (vowels); i++)
    {
      const char *forms[] = { vowels[i].lower, vowels[i].upper };

      for (guint f = 0; f < G_N_ELEMENTS (forms); f++)
        {
          g_autofree char *nfd = g_utf8_normalize (forms[f], -1, G_NORMALIZE_NFD);
          g_autofree char *nfc = g_utf8_normalize (forms[f], -1, G_NORMALIZE_NFC);
          g_autofree char *folded_nfd = ioc_text_fold (nfd);
          g_autofree char *folded_nfc = ioc_text_fold (nfc);

          /* Make sure the input really changes form; đ has no decomposition. */
          if (!g_str_equal (vowels[i].base, "d"))
            g_assert_cmpstr (nfd, !=, nfc);
          g_assert_cmpstr (folded_nfd, ==, folded_nfc);
        }
    }

  /* ệ precomposed, decomposed in canonical order and in the other order
   * (as some keyboards on older systems type it). */
  assert_fold ("\xe1\xbb\x87", "e");
  assert_fold ("e\xcc\xa3\xcc\x82", "e");
  assert_fold ("e\xcc\x82\xcc\xa3", "e");
  assert_fold ("Vi\xe1\xbb\x87t Nam", "viet nam");
  assert_fold ("Vie\xcc\xa3\xcc\x82t Nam", "viet nam");

  /* Old-style and new-style tone placement mean the same word. */
  assert_fold ("hòa", "hoa");
  assert_fold ("hoà", "hoa");
  assert_fold ("thủy", "thuy");
  assert_fold ("thuỷ", "thuy");
}

static void
test_fold_whitespace (void)
{
  assert_fold ("  Đèn \t\n đường  ", "den duong");
  assert_fold ("a  b\t\tc\r\nd", "a b c d");
  assert_fold ("   ", "");
  assert_fold ("\t\n", "");
  assert_fold ("đèn\xc2\xa0" "đường", "den duong");          /* NO-BREAK SPACE */
  assert_fold ("đèn\xe3\x80\x80" "đường", "den duong");      /* IDEOGRAPHIC SPACE */
  assert_fold (" x ", "x");
}

static void
test_fold_invalid (void)
{
  static const char * const invalid[] = {
    "\xff",
    "abc\xc3",              /* truncated sequence */
    "\xc0\xaf",             /* overlong "/" */
    "\xed\xa0\x80",         /* a UTF-16 surrogate */
    "đường \xfe hỏng",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *folded = ioc_text_fold (invalid[i]);

      g_assert_null (folded);
    }

  g_assert_null (ioc_text_fold (NULL));
}

static gboolean
matches (const char *text,
         const char *query)
{
  g_autofree char *folded_text = ioc_text_fold (text);
  g_autofree char *folded_query = ioc_text_fold (query);

  return ioc_text_matches (folded_text, folded_query);
}

static void
test_matches (void)
{
  g_assert_true (matches ("đèn đường hỏng", "den duong"));
  g_assert_true (matches ("đèn đường hỏng", "duong den"));
  g_assert_true (matches ("đèn đường hỏng", "ĐÈN"));
  g_assert_true (matches ("đèn đường hỏng", "  hong   den  "));
  g_assert_false (matches ("đèn đường hỏng", "den hong x"));
  g_assert_false (matches ("đèn đường hỏng", "cay do"));

  /* An empty query filters nothing out. */
  g_assert_true (matches ("đèn đường hỏng", ""));
  g_assert_true (matches ("đèn đường hỏng", "   "));
  g_assert_true (matches ("", ""));
  g_assert_false (matches ("", "den"));

  g_assert_true (ioc_text_matches ("den duong", NULL));
  g_assert_false (ioc_text_matches (NULL, "den"));
}

static void
test_task_search_text (void)
{
  g_autoptr(IocTask) task = ioc_task_new ();
  g_autofree char *text = NULL;

  task->id = 1234;
  task->title = g_strdup ("Đèn đường hỏng");
  task->description = g_strdup ("Trước   nhà số 12");
  task->address = g_strdup ("Phường Ninh Kiều");
  text = ioc_task_dup_search_text (task);

  g_assert_nonnull (text);
  g_assert_true (ioc_text_matches (text, "den duong"));
  g_assert_true (ioc_text_matches (text, "ninh kieu truoc"));
  g_assert_true (ioc_text_matches (text, "#1234"));
  g_assert_false (ioc_text_matches (text, "cai rang"));
}

/* Data in both languages: the user's, else whichever there is. */
static void
test_for_user (void)
{
  gboolean vi = g_str_has_prefix (g_get_language_names ()[0], "vi");

  g_assert_cmpstr (ioc_text_for_user ("vụ", "accidents"), ==, vi ? "vụ" : "accidents");
  g_assert_cmpstr (ioc_text_for_user ("%", NULL), ==, "%");
  g_assert_cmpstr (ioc_text_for_user ("tỷ đồng", ""), ==, "tỷ đồng");
  g_assert_cmpstr (ioc_text_for_user (NULL, "Boundaries"), ==, "Boundaries");
  g_assert_null (ioc_text_for_user (NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/text/fold/examples", test_fold_examples);
  g_test_add_func ("/text/fold/vowels", test_fold_vowels);
  g_test_add_func ("/text/fold/normalization", test_fold_normalization);
  g_test_add_func ("/text/fold/whitespace", test_fold_whitespace);
  g_test_add_func ("/text/fold/invalid-utf8", test_fold_invalid);
  g_test_add_func ("/text/matches", test_matches);
  g_test_add_func ("/text/task-search-text", test_task_search_text);
  g_test_add_func ("/text/for-user", test_for_user);

  return g_test_run ();
}
