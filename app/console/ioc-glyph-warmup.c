/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include "ioc-glyph-warmup.h"

/* Cairo rasterizes a glyph the first time it draws it at a size, and
 * keeps it. Vietnamese has some 270 letters (each vowel in six tones,
 * both cases), so the first frame that shows a screenful of tasks drew
 * hundreds of glyphs for the first time: in a profile of the console
 * benchmark's longest frame, FreeType's glyph loading was a quarter of
 * it. While the first tasks are fetched the main loop is idle: the
 * alphabet is drawn then, off screen, a few letters at a time, in the
 * fonts the queue shows (its text; bold at that size and a tenth smaller
 * for headers and state pills). */

/* Letters per idle call: about 1.5 ms of glyph loading. */
#define CHUNK 40

typedef struct {
  GWeakRef              widget;
  char                 *text;
  PangoFontDescription *fonts[3];
  guint                 font;
  const char           *next;
  cairo_surface_t      *surface;
} Warmup;

static void
warmup_free (gpointer data)
{
  Warmup *warmup = data;

  g_weak_ref_clear (&warmup->widget);
  g_free (warmup->text);
  for (guint i = 0; i < G_N_ELEMENTS (warmup->fonts); i++)
    g_clear_pointer (&warmup->fonts[i], pango_font_description_free);
  cairo_surface_destroy (warmup->surface);
  g_free (warmup);
}

/* Each vowel in its six tones, the consonants, digits and what the
 * queue's numbers and times use, in both cases. */
static char *
alphabet (void)
{
  static const char *const vowels[] = { "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y" };
  static const char *const tones[] = { "", "\xcc\x80", "\xcc\x89", "\xcc\x83", "\xcc\x81", "\xcc\xa3" };
  g_autoptr(GString) lower = g_string_new ("bcdđfghjklmnpqrstvwxz");
  g_autofree char *upper = NULL;
  g_autofree char *composed = NULL;

  for (guint v = 0; v < G_N_ELEMENTS (vowels); v++)
    for (guint t = 0; t < G_N_ELEMENTS (tones); t++)
      {
        g_string_append (lower, vowels[v]);
        g_string_append (lower, tones[t]);
      }
  composed = g_utf8_normalize (lower->str, -1, G_NORMALIZE_NFC);
  upper = g_utf8_strup (composed, -1);
  return g_strconcat (composed, upper, "0123456789#%:,.;–-()/·…", NULL);
}

static gboolean
warmup_step_cb (gpointer data)
{
  Warmup *warmup = data;
  g_autoptr(GtkWidget) widget = g_weak_ref_get (&warmup->widget);
  g_autoptr(PangoLayout) layout = NULL;
  const char *end;
  cairo_t *cr;

  if (widget == NULL)
    return G_SOURCE_REMOVE;
  if (*warmup->next == '\0')
    {
      if (++warmup->font == G_N_ELEMENTS (warmup->fonts))
        return G_SOURCE_REMOVE;
      warmup->next = warmup->text;
    }

  end = warmup->next;
  for (guint i = 0; i < CHUNK && *end != '\0'; i++)
    end = g_utf8_next_char (end);

  layout = gtk_widget_create_pango_layout (widget, NULL);
  pango_layout_set_font_description (layout, warmup->fonts[warmup->font]);
  pango_layout_set_text (layout, warmup->next, end - warmup->next);
  cr = cairo_create (warmup->surface);
  pango_cairo_show_layout (cr, layout);
  cairo_destroy (cr);
  warmup->next = end;
  return G_SOURCE_CONTINUE;
}

/* Starts drawing the alphabet in @widget's fonts while the main loop is
 * idle; it stops by itself, or when @widget goes. */
void
ioc_glyph_warmup_start (GtkWidget *widget)
{
  Warmup *warmup;
  const PangoFontDescription *font;
  double size;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  warmup = g_new0 (Warmup, 1);
  g_weak_ref_init (&warmup->widget, widget);
  warmup->text = alphabet ();
  warmup->next = warmup->text;

  font = pango_context_get_font_description (gtk_widget_get_pango_context (widget));
  size = pango_font_description_get_size (font);
  warmup->fonts[0] = pango_font_description_copy (font);
  warmup->fonts[1] = pango_font_description_copy (font);
  pango_font_description_set_weight (warmup->fonts[1], PANGO_WEIGHT_BOLD);
  warmup->fonts[2] = pango_font_description_copy (warmup->fonts[1]);
  if (pango_font_description_get_size_is_absolute (font))
    pango_font_description_set_absolute_size (warmup->fonts[2], size * 0.9);
  else
    pango_font_description_set_size (warmup->fonts[2], (int) (size * 0.9));

  /* As wide as a chunk's letters need: a glyph is only drawn where it shows. */
  warmup->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 2048, 64);
  g_idle_add_full (G_PRIORITY_LOW, warmup_step_cb, warmup, warmup_free);
}
