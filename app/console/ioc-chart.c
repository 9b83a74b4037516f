/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>

#include "ioc-chart.h"
#include "ioc-task-object.h"

typedef struct {
  char   *label;
  GArray *points;          /* IocSeriesPoint, sorted */
  /* What was drawn last: the visible part reduced to the plot's width. */
  GArray *shown;
  guint   shown_max;
  gint64  shown_from;
  gint64  shown_to;
} Series;

typedef struct {
  double  value;
  char   *label;
  int     severity;
} Line;

/* Where the last frame put things, for the readout. */
typedef struct {
  gboolean valid;
  double   x, y, w, h;     /* the plot area */
  gint64   t0, t1;         /* the time range across it */
  double   v0, v1;         /* the value range, bottom to top */
  gint64   offset;         /* bars sit in the middle of their period */
} Geometry;

struct _IocChart
{
  GtkWidget     parent_instance;

  IocChartKind  kind;
  IocFrequency  frequency;
  gboolean      sparkline;
  char         *title;
  char         *unit;

  gboolean      has_thresholds;
  IocDirection  direction;
  gboolean      has_warning;
  double        warning;
  gboolean      has_alert;
  double        alert;

  GPtrArray    *series;    /* Series */
  GArray       *lines;     /* Line */
  gint64        from;
  gint64        to;

  double        cursor_x;
  Geometry      geometry;

  /* The chart as last drawn, without the readout. */
  GskRenderNode *body_node;
  int           body_width;
  int           body_height;
  GdkRGBA       body_fg;
};

G_DEFINE_FINAL_TYPE (IocChart, ioc_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_UNIT,
  PROP_SPARKLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Distinct at a glance on dark and light backgrounds; red is kept for alerts. */
static const char * const series_colors[] = {
  "#3584e4", "#ff7800", "#2ec27e", "#9141ac", "#2190a4", "#c061cb", "#986a44", "#5e5c64",
};

typedef struct {
  GdkRGBA  fg;
  GdkRGBA  bg;
  GdkRGBA  warning;
  GdkRGBA  alert;
  GdkRGBA  levels[3];
  GdkRGBA  series[G_N_ELEMENTS (series_colors)];
  gboolean fill_background;
  gboolean hover;
  PangoFontDescription *font;
} Palette;

static void
palette_init (Palette *p)
{
  gdk_rgba_parse (&p->fg, "#241f31");
  gdk_rgba_parse (&p->bg, "#ffffff");
  gdk_rgba_parse (&p->warning, "#e5a50a");
  gdk_rgba_parse (&p->alert, "#e01b24");
  gdk_rgba_parse (&p->levels[0], "#e5a50a");
  gdk_rgba_parse (&p->levels[1], "#ff7800");
  gdk_rgba_parse (&p->levels[2], "#e01b24");
  for (guint i = 0; i < G_N_ELEMENTS (series_colors); i++)
    gdk_rgba_parse (&p->series[i], series_colors[i]);
  p->fill_background = TRUE;
  p->hover = FALSE;
  p->font = pango_font_description_from_string ("Sans 10");
}

static void
palette_clear (Palette *p)
{
  g_clear_pointer (&p->font, pango_font_description_free);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
palette_from_widget (IocChart *self,
                     Palette  *p)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));
  PangoContext *pango = gtk_widget_get_pango_context (GTK_WIDGET (self));
  GdkRGBA color;

  palette_init (p);
  gtk_style_context_get_color (context, &p->fg);
  if (gtk_style_context_lookup_color (context, "warning_color", &color))
    p->warning = p->levels[0] = color;
  if (gtk_style_context_lookup_color (context, "error_color", &color))
    p->alert = p->levels[2] = color;
  if (gtk_style_context_lookup_color (context, "accent_color", &color))
    p->series[0] = color;
  /* A sparkline takes its colour from CSS: the card's status. */
  if (self->sparkline)
    p->series[0] = p->fg;
  /* Not painted behind the chart, but behind labels that cross lines. */
  if (gtk_style_context_lookup_color (context, "window_bg_color", &color))
    p->bg = color;
  p->fill_background = FALSE;
  p->hover = TRUE;
  pango_font_description_free (p->font);
  p->font = pango_font_description_copy (pango_context_get_font_description (pango));
}
G_GNUC_END_IGNORE_DEPRECATIONS

static void
series_free (Series *s)
{
  g_free (s->label);
  g_clear_pointer (&s->points, g_array_unref);
  g_clear_pointer (&s->shown, g_array_unref);
  g_free (s);
}

static void
line_clear (Line *line)
{
  g_free (line->label);
}

static Series *
get_series (IocChart *self,
            guint     index)
{
  g_return_val_if_fail (index < self->series->len, NULL);
  return g_ptr_array_index (self->series, index);
}

static void
drop_shown (IocChart *self)
{
  for (guint i = 0; i < self->series->len; i++)
    g_clear_pointer (&((Series *) g_ptr_array_index (self->series, i))->shown, g_array_unref);
}

/* Something drawn changed: the cached chart goes too. */
static void
redraw (IocChart *self)
{
  g_clear_pointer (&self->body_node, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
invalidate (IocChart *self)
{
  drop_shown (self);
  redraw (self);
}

/* Formatting */

/* Enough decimals to show @v as it was stored, at most three. */
static int
decimals_of (double v)
{
  for (int d = 0; d < 3; d++)
    {
      double scaled = v * pow (10, d);

      if (fabs (scaled - round (scaled)) < 1e-6 * MAX (1.0, fabs (scaled)))
        return d;
    }
  return 3;
}

/* In the user's locale: "1.234,5" in Vietnamese, "1,234.5" in English. */
static char *
format_number (double v,
               int    decimals)
{
  return g_strdup_printf ("%'.*f", decimals, v);
}

static GDateTime *
local_time (gint64 usec)
{
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return g_date_time_to_timezone (utc, tz);
}

char *
ioc_chart_format_value (double value)
{
  return format_number (value, decimals_of (value));
}

char *
ioc_chart_format_period (IocFrequency frequency,
                         gint64       usec)
{
  g_autoptr(GDateTime) local = local_time (usec);

  switch (frequency)
    {
    case IOC_FREQUENCY_DAILY:
      /* TRANSLATORS: a day in a chart's readout; Vietnamese uses %d/%m/%Y */
      return g_date_time_format (local, _("%d/%m/%Y"));
    case IOC_FREQUENCY_MONTHLY:
      /* TRANSLATORS: a month in a chart's readout, e.g. "03/2026" */
      return g_date_time_format (local, _("%m/%Y"));
    case IOC_FREQUENCY_QUARTERLY:
      /* TRANSLATORS: a quarter and its year, e.g. "Q1 2026"; Vietnamese: "Quý %d/%d" */
      return g_strdup_printf (_("Q%d %d"), (g_date_time_get_month (local) - 1) / 3 + 1,
                              g_date_time_get_year (local));
    case IOC_FREQUENCY_YEARLY:
      return g_date_time_format (local, "%Y");
    case IOC_FREQUENCY_REALTIME:
    case IOC_N_FREQUENCIES:
    case IOC_FREQUENCY_INVALID:
    default:
      return ioc_format_time (usec);
    }
}

/* Drawing helpers */

static void
set_color (cairo_t       *cr,
           const GdkRGBA *color,
           double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

static void
text_size (PangoLayout *layout,
           const char  *text,
           double      *w,
           double      *h)
{
  int pw, ph;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &pw, &ph);
  if (w != NULL)
    *w = pw;
  if (h != NULL)
    *h = ph;
}

/* Draws @text with its box's (@xalign, @yalign) point at (@x, @y). */
static void
draw_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y,
           double       xalign,
           double       yalign)
{
  double w, h;

  text_size (layout, text, &w, &h);
  cairo_move_to (cr, round (x - w * xalign), round (y - h * yalign));
  pango_cairo_show_layout (cr, layout);
}

/* Axes */

static double
nice_step (double raw)
{
  double magnitude, fraction;

  if (raw <= 0 || !isfinite (raw))
    return 1;
  magnitude = pow (10, floor (log10 (raw)));
  fraction = raw / magnitude;
  if (fraction <= 1)
    return magnitude;
  if (fraction <= 2)
    return 2 * magnitude;
  if (fraction <= 2.5)
    return 2.5 * magnitude;
  if (fraction <= 5)
    return 5 * magnitude;
  return 10 * magnitude;
}

static int
step_decimals (double step)
{
  if (step >= 1)
    return 0;
  return MIN (6, (int) ceil (-log10 (step) - 1e-9));
}

typedef enum {
  TICK_SECONDS,
  TICK_MONTHS,
} TickUnit;

typedef struct {
  TickUnit unit;
  gint64   amount;   /* seconds, or months */
} TickStep;

static const TickStep tick_steps[] = {
  { TICK_SECONDS, 60 }, { TICK_SECONDS, 300 }, { TICK_SECONDS, 900 }, { TICK_SECONDS, 1800 },
  { TICK_SECONDS, 3600 }, { TICK_SECONDS, 3 * 3600 }, { TICK_SECONDS, 6 * 3600 },
  { TICK_SECONDS, 12 * 3600 }, { TICK_SECONDS, 86400 }, { TICK_SECONDS, 2 * 86400 },
  { TICK_SECONDS, 7 * 86400 }, { TICK_SECONDS, 14 * 86400 },
  { TICK_MONTHS, 1 }, { TICK_MONTHS, 2 }, { TICK_MONTHS, 3 }, { TICK_MONTHS, 6 },
  { TICK_MONTHS, 12 }, { TICK_MONTHS, 24 }, { TICK_MONTHS, 60 }, { TICK_MONTHS, 120 },
};

static gint64
step_seconds (const TickStep *step)
{
  return step->unit == TICK_SECONDS ? step->amount : step->amount * 30 * 86400;
}

/* Ticks at round local times: midnights, first days of months, years. */
static GArray *
time_ticks (gint64          t0,
            gint64          t1,
            int             max_ticks,
            const TickStep **chosen)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 span = (t1 - t0) / G_USEC_PER_SEC;
  const TickStep *step = &tick_steps[G_N_ELEMENTS (tick_steps) - 1];
  g_autoptr(GDateTime) start = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (tick_steps); i++)
    if (span / step_seconds (&tick_steps[i]) <= MAX (1, max_ticks))
      {
        step = &tick_steps[i];
        break;
      }
  *chosen = step;

  start = local_time (t0);
  if (step->unit == TICK_SECONDS)
    {
      gint64 offset = g_date_time_get_utc_offset (start) / G_USEC_PER_SEC;
      gint64 s0 = t0 / G_USEC_PER_SEC;
      gint64 amount = step->amount;
      gint64 first;

      /* Whole weeks from any day are fine; days and hours align locally. */
      if (amount > 86400)
        amount = 86400;
      first = ((s0 + offset + amount - 1) / amount) * amount - offset;
      if (step->amount > 86400)
        {
          while (first < s0)
            first += 86400;
        }
      for (gint64 s = first; s * G_USEC_PER_SEC <= t1 && ticks->len < 1000; s += step->amount)
        {
          gint64 t = s * G_USEC_PER_SEC;

          if (t >= t0)
            g_array_append_val (ticks, t);
        }
    }
  else
    {
      int year = g_date_time_get_year (start);
      int month = g_date_time_get_month (start);
      g_autoptr(GTimeZone) tz = ioc_time_zone ();

      /* The first month boundary at or after t0 that the step divides. */
      for (guint guard = 0; guard < 2000 && ticks->len < 1000; guard++)
        {
          g_autoptr(GDateTime) dt = g_date_time_new (tz, year, month, 1, 0, 0, 0);
          gint64 t = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
          int index = year * 12 + (month - 1);

          if (t > t1)
            break;
          if (t >= t0 && index % step->amount == 0)
            g_array_append_val (ticks, t);
          month++;
          if (month > 12)
            {
              month = 1;
              year++;
            }
        }
    }

  return ticks;
}

static char *
tick_label (const TickStep *step,
            gint64          t)
{
  g_autoptr(GDateTime) local = local_time (t);

  if (step->unit == TICK_MONTHS && step->amount >= 12)
    return g_date_time_format (local, "%Y");
  if (step->unit == TICK_MONTHS)
    /* TRANSLATORS: a month on a chart's time axis, e.g. "Mar 2026"; Vietnamese uses %m/%Y */
    return g_date_time_format (local, _("%b %Y"));
  if (step->amount >= 86400 || (g_date_time_get_hour (local) == 0 && g_date_time_get_minute (local) == 0))
    /* TRANSLATORS: a day on a chart's time axis, e.g. "28 Nov"; Vietnamese uses %d/%m */
    return g_date_time_format (local, _("%e %b"));
  return g_date_time_format (local, "%H:%M");
}

/* Data */

static void
data_time_range (IocChart *self,
                 gint64   *t0,
                 gint64   *t1)
{
  gboolean any = FALSE;

  *t0 = *t1 = 0;
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      IocSeriesPoint *p = (IocSeriesPoint *) s->points->data;

      if (s->points->len == 0)
        continue;
      if (!any || p[0].t < *t0)
        *t0 = p[0].t;
      if (!any || p[s->points->len - 1].t > *t1)
        *t1 = p[s->points->len - 1].t;
      any = TRUE;
    }
}

/* The length of one period, for bar widths. */
static gint64
period_length (IocChart *self)
{
  switch (self->frequency)
    {
    case IOC_FREQUENCY_DAILY: return (gint64) 86400 * G_USEC_PER_SEC;
    case IOC_FREQUENCY_MONTHLY: return (gint64) (30.44 * 86400 * G_USEC_PER_SEC);
    case IOC_FREQUENCY_QUARTERLY: return (gint64) (91.3 * 86400 * G_USEC_PER_SEC);
    case IOC_FREQUENCY_YEARLY: return (gint64) (365.25 * 86400 * G_USEC_PER_SEC);
    case IOC_FREQUENCY_REALTIME:
    case IOC_N_FREQUENCIES:
    case IOC_FREQUENCY_INVALID:
    default:
      break;
    }

  /* The smallest gap of the first series. */
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      IocSeriesPoint *p = (IocSeriesPoint *) s->points->data;
      gint64 gap = G_MAXINT64;

      for (guint j = 1; j < s->points->len; j++)
        gap = MIN (gap, p[j].t - p[j - 1].t);
      if (gap != G_MAXINT64 && gap > 0)
        return gap;
    }
  return (gint64) 3600 * G_USEC_PER_SEC;
}

static guint
lower_bound (GArray *points,
             gint64  t)
{
  IocSeriesPoint *p = (IocSeriesPoint *) points->data;
  guint lo = 0, hi = points->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (p[mid].t < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The visible part of @s reduced to about two points per pixel column. */
static GArray *
shown_points (Series *s,
              gint64  t0,
              gint64  t1,
              guint   max_points)
{
  guint lo, hi;

  if (s->shown != NULL && s->shown_max == max_points && s->shown_from == t0 && s->shown_to == t1)
    return s->shown;

  g_clear_pointer (&s->shown, g_array_unref);
  lo = lower_bound (s->points, t0);
  hi = lower_bound (s->points, t1 + 1);
  s->shown = ioc_series_downsample ((IocSeriesPoint *) s->points->data + lo, hi - lo, MAX (2, max_points));
  s->shown_max = max_points;
  s->shown_from = t0;
  s->shown_to = t1;
  return s->shown;
}

/* The point of @points nearest to @t, or -1. */
static int
nearest_index (GArray *points,
               gint64  t)
{
  IocSeriesPoint *p = (IocSeriesPoint *) points->data;
  guint i;

  if (points->len == 0)
    return -1;
  i = lower_bound (points, t);
  if (i == points->len)
    return i - 1;
  if (i > 0 && t - p[i - 1].t <= p[i].t - t)
    return i - 1;
  return i;
}

/* The drawing */

static double
x_of (const Geometry *g,
      gint64          t)
{
  if (g->t1 == g->t0)
    return g->x + g->w / 2;
  return g->x + (double) (t - g->t0) / (double) (g->t1 - g->t0) * g->w;
}

static double
y_of (const Geometry *g,
      double          v)
{
  if (g->v1 == g->v0)
    return g->y + g->h / 2;
  return g->y + g->h - (v - g->v0) / (g->v1 - g->v0) * g->h;
}

static void
fill_band (cairo_t        *cr,
           const Geometry *g,
           double          a,
           double          b,
           const GdkRGBA  *color)
{
  double ya = y_of (g, CLAMP (a, g->v0, g->v1));
  double yb = y_of (g, CLAMP (b, g->v0, g->v1));

  if (fabs (ya - yb) < 0.5)
    return;
  set_color (cr, color, 0.12);
  cairo_rectangle (cr, g->x, MIN (ya, yb), g->w, fabs (ya - yb));
  cairo_fill (cr);
}

static void
draw_threshold_line (cairo_t        *cr,
                     const Geometry *g,
                     double          v,
                     const GdkRGBA  *color)
{
  static const double dash[] = { 6, 4 };
  double y;

  if (v < g->v0 || v > g->v1)
    return;
  y = round (y_of (g, v)) + 0.5;
  set_color (cr, color, 0.9);
  cairo_set_line_width (cr, 1);
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cairo_move_to (cr, g->x, y);
  cairo_line_to (cr, g->x + g->w, y);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
draw_series_line (cairo_t        *cr,
                  const Geometry *g,
                  GArray         *points,
                  const GdkRGBA  *color,
                  double          width)
{
  IocSeriesPoint *p = (IocSeriesPoint *) points->data;

  if (points->len == 0)
    return;

  /* Denser than the pixels: the band between each column's lowest and
   * highest value, one filled outline, which is what the zigzag would paint
   * at many times the cost of stroking it. */
  if (points->len > g->w)
    {
      int columns = (int) ceil (g->w) + 1;
      g_autofree double *lo = g_new (double, columns);
      g_autofree double *hi = g_new (double, columns);
      int first = -1, last = -1;

      for (int c = 0; c < columns; c++)
        {
          lo[c] = G_MAXDOUBLE;
          hi[c] = -G_MAXDOUBLE;
        }
      for (guint i = 0; i < points->len; i++)
        {
          int c = (int) floor (x_of (g, p[i].t + g->offset) - g->x);

          if (c < 0 || c >= columns)
            continue;
          /* The line from the previous point crosses into this column. */
          if (i > 0 && c != last && last >= 0)
            {
              lo[c] = MIN (lo[c], p[i - 1].v);
              hi[c] = MAX (hi[c], p[i - 1].v);
            }
          lo[c] = MIN (lo[c], p[i].v);
          hi[c] = MAX (hi[c], p[i].v);
          if (first < 0)
            first = c;
          last = c;
        }
      if (first < 0)
        return;

      /* Columns without a point take their neighbours' values. */
      for (int c = first + 1; c <= last; c++)
        if (lo[c] > hi[c])
          {
            lo[c] = lo[c - 1];
            hi[c] = hi[c - 1];
          }

      /* Whole-pixel boxes: cairo fills those without scan conversion. */
      set_color (cr, color, 1);
      for (int c = first; c <= last; c++)
        {
          double top = floor (y_of (g, hi[c]) - width / 2);
          double bottom = ceil (y_of (g, lo[c]) + width / 2);

          cairo_rectangle (cr, floor (g->x) + c, top, 1, MAX (1, bottom - top));
        }
      cairo_fill (cr);
      return;
    }

  set_color (cr, color, 1);
  cairo_set_line_width (cr, width);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_move_to (cr, x_of (g, p[0].t + g->offset), y_of (g, p[0].v));
  for (guint i = 1; i < points->len; i++)
    cairo_line_to (cr, x_of (g, p[i].t + g->offset), y_of (g, p[i].v));
  cairo_stroke (cr);

  /* A few points read better with their dots. */
  if (points->len <= 60)
    for (guint i = 0; i < points->len; i++)
      {
        cairo_arc (cr, x_of (g, p[i].t + g->offset), y_of (g, p[i].v), width + 1, 0, 2 * G_PI);
        cairo_fill (cr);
      }
}

static void
draw_series_bars (cairo_t        *cr,
                  const Geometry *g,
                  GArray         *points,
                  const GdkRGBA  *color,
                  double          group_width,
                  guint           index,
                  guint           n_series)
{
  IocSeriesPoint *p = (IocSeriesPoint *) points->data;
  double bar = MAX (1, group_width / n_series);
  double base = y_of (g, CLAMP (0, g->v0, g->v1));

  set_color (cr, color, 0.9);
  for (guint i = 0; i < points->len; i++)
    {
      double cx = x_of (g, p[i].t + g->offset) - group_width / 2 + bar * index;
      double y = y_of (g, p[i].v);

      cairo_rectangle (cr, cx, MIN (y, base), MAX (1, bar - (bar > 4 ? 1 : 0)), MAX (1, fabs (base - y)));
    }
  cairo_fill (cr);
}

static const char *
series_label (IocChart *self,
              guint     index)
{
  Series *s = get_series (self, index);

  if (s->label != NULL && *s->label != '\0')
    return s->label;
  if (self->title != NULL)
    return self->title;
  return _("Value");
}

/* The readout over the cached chart: a hairline, a dot per series and a
 * small box of text, each its own small node, so that moving the pointer
 * redraws a few hundred pixels and not the whole chart. */
static void
snapshot_readout (IocChart       *self,
                  GtkSnapshot    *snapshot,
                  const Palette  *p)
{
  const Geometry *g = &self->geometry;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(PangoLayout) layout = NULL;
  g_autofree char *when = NULL;
  GdkRGBA line_color = p->fg;
  gint64 t = 0;
  double v = 0, x, bx, by;
  int tw, th;
  cairo_t *cr;

  if (!ioc_chart_get_readout (self, &t, &v))
    return;

  x = round (x_of (g, t + g->offset));
  line_color.alpha *= 0.6;
  gtk_snapshot_append_color (snapshot, &line_color, &GRAPHENE_RECT_INIT (x, g->y, 1, g->h));

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x - 6, g->y - 6, 13, g->h + 12));
  when = ioc_chart_format_period (self->frequency, t);
  g_string_append (text, when);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      int j = nearest_index (s->points, t);
      IocSeriesPoint *pt;
      g_autofree char *value = NULL;

      if (j < 0 || ((IocSeriesPoint *) s->points->data)[j].t != t)
        continue;
      pt = &((IocSeriesPoint *) s->points->data)[j];
      value = format_number (pt->v, decimals_of (pt->v));
      g_string_append_c (text, '\n');
      if (self->series->len > 1)
        g_string_append_printf (text, "%s: ", series_label (self, i));
      g_string_append (text, value);
      if (self->unit != NULL && *self->unit != '\0')
        g_string_append_printf (text, " %s", self->unit);

      set_color (cr, &p->series[i % G_N_ELEMENTS (series_colors)], 1);
      cairo_arc (cr, x + 0.5, y_of (g, CLAMP (pt->v, g->v0, g->v1)), 4, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_destroy (cr);

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text->str);
  pango_layout_set_font_description (layout, p->font);
  pango_layout_get_pixel_size (layout, &tw, &th);
  bx = x + 8;
  if (bx + tw + 12 > g->x + g->w)
    bx = x - 8 - tw - 12;
  by = g->y + 4;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (bx, by, tw + 12, th + 8));
  /* Dark with light text on either style: it floats over the data. */
  cairo_set_source_rgba (cr, 0.12, 0.12, 0.14, 0.88);
  cairo_rectangle (cr, bx, by, tw + 12, th + 8);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_move_to (cr, bx + 6, by + 4);
  pango_cairo_show_layout (cr, layout);
  cairo_destroy (cr);
}

static void
draw (IocChart      *self,
      cairo_t       *cr,
      int            width,
      int            height,
      const Palette *p)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  g_autoptr(GArray) ticks = NULL;
  const TickStep *tick_step = NULL;
  Geometry g = { 0 };
  gboolean any_points = FALSE;
  double vmin = G_MAXDOUBLE, vmax = -G_MAXDOUBLE;
  double left = 0, top = 0, right = 0, bottom = 0, text_h = 0;
  double vstep = 1, group_width = 0;
  int decimals;
  gint64 t0, t1, period = 0;

  pango_layout_set_font_description (layout, p->font);
  text_size (layout, "0", NULL, &text_h);

  if (p->fill_background)
    {
      set_color (cr, &p->bg, 1);
      cairo_paint (cr);
    }

  /* Time range */
  if (self->from != 0 || self->to != 0)
    {
      t0 = self->from;
      t1 = self->to;
    }
  else
    data_time_range (self, &t0, &t1);
  if (self->kind == IOC_CHART_BAR)
    {
      period = period_length (self);
      g.offset = period / 2;
      if (self->from == 0 && self->to == 0)
        t1 += period;
    }
  if (t1 <= t0)
    {
      t0 -= (gint64) 12 * 3600 * G_USEC_PER_SEC;
      t1 = t0 + (gint64) 24 * 3600 * G_USEC_PER_SEC;
    }

  /* Margins: the value labels' width is known only with the value range,
   * which the plot's width decides through downsampling; a first guess of
   * the label width is good enough for the points per column. */
  if (!self->sparkline)
    {
      top = text_h + 10;
      if (self->title != NULL && !p->hover)
        top += text_h + 8;
      if (self->series->len > 1)
        top += text_h + 6;
      bottom = text_h + 10;
      right = 16;
      left = 60;
    }
  else
    left = right = top = bottom = 2;

  g.x = left;
  g.w = MAX (10, width - left - right);

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      GArray *shown = shown_points (s, t0, t1, (guint) MAX (2, 2 * ceil (g.w)));
      IocSeriesPoint *pts = (IocSeriesPoint *) shown->data;

      for (guint j = 0; j < shown->len; j++)
        {
          vmin = MIN (vmin, pts[j].v);
          vmax = MAX (vmax, pts[j].v);
          any_points = TRUE;
        }
    }

  /* Value range: the thresholds and alarm levels stay in sight. */
  if (!self->sparkline)
    {
      if (self->has_thresholds && self->has_warning)
        {
          vmin = MIN (vmin, self->warning);
          vmax = MAX (vmax, self->warning);
        }
      if (self->has_thresholds && self->has_alert)
        {
          vmin = MIN (vmin, self->alert);
          vmax = MAX (vmax, self->alert);
        }
      for (guint i = 0; i < self->lines->len; i++)
        {
          Line *line = &g_array_index (self->lines, Line, i);

          vmin = MIN (vmin, line->value);
          vmax = MAX (vmax, line->value);
        }
    }
  if (vmin > vmax)
    {
      vmin = 0;
      vmax = 1;
    }
  if (self->kind == IOC_CHART_BAR)
    {
      vmin = MIN (vmin, 0);
      vmax = MAX (vmax, 0);
    }
  if (vmax - vmin < 1e-9)
    {
      double pad = fabs (vmax) > 1e-9 ? fabs (vmax) * 0.1 : 1;

      vmin -= pad;
      vmax += pad;
    }

  g.y = top;
  g.h = MAX (4, height - top - bottom);

  if (!self->sparkline)
    {
      double pad = (vmax - vmin) * 0.05;
      double max_label = 0;

      if (self->kind != IOC_CHART_BAR || vmin < 0)
        vmin -= pad;
      vmax += pad;
      vstep = nice_step ((vmax - vmin) / MAX (2, g.h / 48));
      vmin = floor (vmin / vstep) * vstep;
      vmax = ceil (vmax / vstep) * vstep;
      decimals = step_decimals (vstep);

      for (double v = vmin; v <= vmax + vstep / 2; v += vstep)
        {
          g_autofree char *label = format_number (fabs (v) < vstep / 1e6 ? 0 : v, decimals);
          double w;

          text_size (layout, label, &w, NULL);
          max_label = MAX (max_label, w);
        }
      left = max_label + 12;
      g.x = left;
      g.w = MAX (10, width - left - right);
    }
  else
    {
      double pad = (vmax - vmin) * 0.08;

      vmin -= pad;
      vmax += pad;
      decimals = 0;
    }

  g.t0 = t0;
  g.t1 = t1;
  g.v0 = vmin;
  g.v1 = vmax;
  g.valid = TRUE;

  /* Threshold bands, on the bad side of each threshold. */
  if (self->has_thresholds && !self->sparkline)
    {
      gboolean lower = self->direction == IOC_DIRECTION_LOWER_IS_BETTER;

      if (lower)
        {
          if (self->has_warning)
            fill_band (cr, &g, self->warning, self->has_alert ? self->alert : vmax, &p->warning);
          if (self->has_alert)
            fill_band (cr, &g, self->alert, vmax, &p->alert);
        }
      else
        {
          if (self->has_warning)
            fill_band (cr, &g, self->has_alert ? self->alert : vmin, self->warning, &p->warning);
          if (self->has_alert)
            fill_band (cr, &g, vmin, self->alert, &p->alert);
        }
    }

  if (!self->sparkline)
    {
      /* Grid and value labels */
      cairo_set_line_width (cr, 1);
      for (double v = vmin; v <= vmax + vstep / 2; v += vstep)
        {
          g_autofree char *label = format_number (fabs (v) < vstep / 1e6 ? 0 : v, decimals);
          double y = round (y_of (&g, v)) + 0.5;

          set_color (cr, &p->fg, 0.12);
          cairo_move_to (cr, g.x, y);
          cairo_line_to (cr, g.x + g.w, y);
          cairo_stroke (cr);
          set_color (cr, &p->fg, 0.75);
          draw_text (cr, layout, label, g.x - 6, y, 1, 0.5);
        }

      /* Time ticks and labels */
      ticks = time_ticks (t0, t1, (int) (g.w / 110), &tick_step);
      for (guint i = 0; i < ticks->len; i++)
        {
          gint64 t = g_array_index (ticks, gint64, i);
          g_autofree char *label = tick_label (tick_step, t);
          double x = round (x_of (&g, t)) + 0.5;

          set_color (cr, &p->fg, 0.08);
          cairo_move_to (cr, x, g.y);
          cairo_line_to (cr, x, g.y + g.h);
          cairo_stroke (cr);
          set_color (cr, &p->fg, 0.75);
          cairo_move_to (cr, x, g.y + g.h);
          cairo_line_to (cr, x, g.y + g.h + 4);
          cairo_stroke (cr);
          {
            double tw;

            /* Labels at the ends stay whole inside the chart. */
            text_size (layout, label, &tw, NULL);
            draw_text (cr, layout, label, CLAMP (x, tw / 2 + 1, width - tw / 2 - 1), g.y + g.h + 6, 0.5, 0);
          }
        }

      /* Axes */
      set_color (cr, &p->fg, 0.5);
      cairo_move_to (cr, g.x + 0.5, g.y);
      cairo_line_to (cr, g.x + 0.5, g.y + g.h + 0.5);
      cairo_line_to (cr, g.x + g.w, g.y + g.h + 0.5);
      cairo_stroke (cr);

      if (self->has_thresholds && self->has_warning)
        draw_threshold_line (cr, &g, self->warning, &p->warning);
      if (self->has_thresholds && self->has_alert)
        draw_threshold_line (cr, &g, self->alert, &p->alert);
    }

  /* Series, clipped to the plot */
  cairo_save (cr);
  cairo_rectangle (cr, g.x, g.y - 2, g.w + 1, g.h + 4);
  cairo_clip (cr);
  if (self->kind == IOC_CHART_BAR)
    {
      double period_px = g.w * (double) period / (double) MAX (1, t1 - t0);

      group_width = MAX (1, period_px * 0.8);
    }
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      const GdkRGBA *color = &p->series[i % G_N_ELEMENTS (series_colors)];

      if (self->kind == IOC_CHART_BAR)
        draw_series_bars (cr, &g, s->shown, color, group_width, i, self->series->len);
      else
        draw_series_line (cr, &g, s->shown, color, self->sparkline ? 1.5 : 2);
    }
  cairo_restore (cr);

  if (self->sparkline)
    {
      self->geometry = g;
      return;
    }

  /* Alarm lines with their labels at the right end, above the line; labels
   * of close levels step to the left instead of covering each other. */
  {
    double prev_left = g.x + g.w, prev_top = G_MAXDOUBLE, prev_bottom = -G_MAXDOUBLE;

    for (guint i = 0; i < self->lines->len; i++)
      {
        Line *line = &g_array_index (self->lines, Line, i);
        const GdkRGBA *color = &p->levels[CLAMP (line->severity, 1, 3) - 1];
        double y = round (y_of (&g, line->value)) + 0.5;

        if (line->value < g.v0 || line->value > g.v1)
          continue;
        set_color (cr, color, 1);
        cairo_set_line_width (cr, 2);
        cairo_move_to (cr, g.x, y);
        cairo_line_to (cr, g.x + g.w, y);
        cairo_stroke (cr);
      }

    for (guint i = 0; i < self->lines->len; i++)
      {
        Line *line = &g_array_index (self->lines, Line, i);
        const GdkRGBA *color = &p->levels[CLAMP (line->severity, 1, 3) - 1];
        double y = round (y_of (&g, line->value)) + 0.5;
        double tw, th, lx, ltop, lbottom;

        if (line->label == NULL || line->value < g.v0 || line->value > g.v1)
          continue;
        text_size (layout, line->label, &tw, &th);
        ltop = y - th - 2;
        lbottom = y - 2;
        lx = g.x + g.w - 5;
        if (ltop < prev_bottom && lbottom > prev_top)
          lx = prev_left - 12;

        set_color (cr, &p->bg, 0.85);
        cairo_rectangle (cr, lx - tw - 3, ltop, tw + 6, th);
        cairo_fill (cr);
        set_color (cr, color, 1);
        draw_text (cr, layout, line->label, lx, y - 2, 1, 1);
        prev_left = lx - tw;
        prev_top = ltop;
        prev_bottom = lbottom;
      }
  }

  /* Title (exports), unit, legend */
  {
    double y = 2;

    if (self->title != NULL && !p->hover)
      {
        PangoFontDescription *bold = pango_font_description_copy (p->font);

        pango_font_description_set_weight (bold, PANGO_WEIGHT_BOLD);
        pango_layout_set_font_description (layout, bold);
        set_color (cr, &p->fg, 1);
        draw_text (cr, layout, self->title, g.x, y, 0, 0);
        pango_layout_set_font_description (layout, p->font);
        pango_font_description_free (bold);
        y += text_h + 8;
      }
    if (self->series->len > 1)
      {
        double x = g.x;

        for (guint i = 0; i < self->series->len; i++)
          {
            const char *label = series_label (self, i);
            double tw;

            text_size (layout, label, &tw, NULL);
            if (x + 18 + tw > width - right && x > g.x)
              break;
            set_color (cr, &p->series[i % G_N_ELEMENTS (series_colors)], 1);
            cairo_rectangle (cr, x, y + text_h / 2 - 5, 12, 10);
            cairo_fill (cr);
            set_color (cr, &p->fg, 0.9);
            draw_text (cr, layout, label, x + 16, y, 0, 0);
            x += 16 + tw + 18;
          }
        y += text_h + 6;
      }
    if (self->unit != NULL && *self->unit != '\0')
      {
        set_color (cr, &p->fg, 0.75);
        draw_text (cr, layout, self->unit, 4, y, 0, 0);
      }
  }

  if (!any_points)
    {
      set_color (cr, &p->fg, 0.6);
      draw_text (cr, layout, _("No data"), g.x + g.w / 2, g.y + g.h / 2, 0.5, 0.5);
    }

  self->geometry = g;
}

/* GtkWidget */

static void
ioc_chart_snapshot (GtkWidget   *widget,
                    GtkSnapshot *snapshot)
{
  IocChart *self = IOC_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  Palette palette;

  if (width <= 0 || height <= 0)
    return;

  palette_from_widget (self, &palette);

  /* The same node while nothing but the pointer moved: the renderer keeps
   * what it made of it, and a hover frame costs only the readout. */
  if (self->body_node == NULL || self->body_width != width || self->body_height != height ||
      !gdk_rgba_equal (&self->body_fg, &palette.fg))
    {
      GtkSnapshot *body = gtk_snapshot_new ();
      cairo_t *cr = gtk_snapshot_append_cairo (body, &GRAPHENE_RECT_INIT (0, 0, width, height));

      draw (self, cr, width, height, &palette);
      cairo_destroy (cr);
      g_clear_pointer (&self->body_node, gsk_render_node_unref);
      self->body_node = gtk_snapshot_free_to_node (body);
      self->body_width = width;
      self->body_height = height;
      self->body_fg = palette.fg;
    }
  if (self->body_node != NULL)
    gtk_snapshot_append_node (snapshot, self->body_node);

  snapshot_readout (self, snapshot, &palette);
  palette_clear (&palette);
}

static void
ioc_chart_css_changed (GtkWidget         *widget,
                       GtkCssStyleChange *change)
{
  IocChart *self = IOC_CHART (widget);

  GTK_WIDGET_CLASS (ioc_chart_parent_class)->css_changed (widget, change);
  g_clear_pointer (&self->body_node, gsk_render_node_unref);
}

static void
ioc_chart_measure (GtkWidget      *widget,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural,
                   int            *minimum_baseline,
                   int            *natural_baseline)
{
  IocChart *self = IOC_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = self->sparkline ? 60 : 240;
      *natural = self->sparkline ? 160 : 640;
    }
  else
    {
      *minimum = self->sparkline ? 24 : 160;
      *natural = self->sparkline ? 36 : 320;
    }
}

static void
on_motion_cb (GtkEventControllerMotion *controller,
              double                    x,
              double                    y,
              IocChart                 *self)
{
  ioc_chart_set_cursor (self, x);
}

static void
on_leave_cb (GtkEventControllerMotion *controller,
             IocChart                 *self)
{
  ioc_chart_set_cursor (self, -1);
}

/* Keyboard users step the readout from value to value. */
static gboolean
on_key_pressed_cb (GtkEventControllerKey *controller,
                   guint                  keyval,
                   guint                  keycode,
                   GdkModifierType        state,
                   IocChart              *self)
{
  const Geometry *g = &self->geometry;
  Series *s;
  gint64 t = 0;
  int i;

  if (self->sparkline || self->series->len == 0 || !g->valid)
    return FALSE;
  s = g_ptr_array_index (self->series, 0);
  if (s->points->len == 0)
    return FALSE;

  if (keyval == GDK_KEY_Escape && self->cursor_x >= 0)
    {
      ioc_chart_set_cursor (self, -1);
      return TRUE;
    }
  if (keyval != GDK_KEY_Left && keyval != GDK_KEY_Right && keyval != GDK_KEY_Home && keyval != GDK_KEY_End)
    return FALSE;

  if (!ioc_chart_get_readout (self, &t, NULL))
    i = keyval == GDK_KEY_Left || keyval == GDK_KEY_End ? (int) s->points->len - 1 : 0;
  else
    {
      i = nearest_index (s->points, t);
      if (keyval == GDK_KEY_Left)
        i--;
      else if (keyval == GDK_KEY_Right)
        i++;
      else if (keyval == GDK_KEY_Home)
        i = 0;
      else
        i = s->points->len - 1;
    }
  i = CLAMP (i, 0, (int) s->points->len - 1);
  ioc_chart_set_cursor (self, x_of (g, g_array_index (s->points, IocSeriesPoint, i).t + g->offset));
  return TRUE;
}

static void
ioc_chart_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  IocChart *self = IOC_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_UNIT:
      g_value_set_string (value, self->unit);
      break;
    case PROP_SPARKLINE:
      g_value_set_boolean (value, self->sparkline);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_chart_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  IocChart *self = IOC_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      ioc_chart_set_title (self, g_value_get_string (value));
      break;
    case PROP_UNIT:
      ioc_chart_set_unit (self, g_value_get_string (value));
      break;
    case PROP_SPARKLINE:
      ioc_chart_set_sparkline (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_chart_finalize (GObject *object)
{
  IocChart *self = IOC_CHART (object);

  g_clear_pointer (&self->body_node, gsk_render_node_unref);
  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->lines, g_array_unref);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->unit, g_free);

  G_OBJECT_CLASS (ioc_chart_parent_class)->finalize (object);
}

static void
ioc_chart_class_init (IocChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ioc_chart_finalize;
  object_class->get_property = ioc_chart_get_property;
  object_class->set_property = ioc_chart_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_UNIT] =
    g_param_spec_string ("unit", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SPARKLINE] =
    g_param_spec_boolean ("sparkline", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  widget_class->snapshot = ioc_chart_snapshot;
  widget_class->measure = ioc_chart_measure;
  widget_class->css_changed = ioc_chart_css_changed;

  gtk_widget_class_set_css_name (widget_class, "iocchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ioc_chart_init (IocChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *key;

  self->series = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);
  self->lines = g_array_new (FALSE, TRUE, sizeof (Line));
  g_array_set_clear_func (self->lines, (GDestroyNotify) line_clear);
  self->frequency = IOC_FREQUENCY_REALTIME;
  self->cursor_x = -1;

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
}

/* API */

static gboolean
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

GtkWidget *
ioc_chart_new (void)
{
  return g_object_new (IOC_TYPE_CHART, NULL);
}

void
ioc_chart_set_kind (IocChart     *self,
                    IocChartKind  kind)
{
  g_return_if_fail (IOC_IS_CHART (self));

  if (self->kind == kind)
    return;
  self->kind = kind;
  invalidate (self);
}

IocChartKind
ioc_chart_get_kind (IocChart *self)
{
  g_return_val_if_fail (IOC_IS_CHART (self), IOC_CHART_LINE);
  return self->kind;
}

IocChartKind
ioc_chart_kind_from_string (const char *str)
{
  return g_strcmp0 (str, "bar") == 0 ? IOC_CHART_BAR : IOC_CHART_LINE;
}

void
ioc_chart_set_title (IocChart   *self,
                     const char *title)
{
  g_return_if_fail (IOC_IS_CHART (self));

  if (set_str (&self->title, title))
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      title ? title : "", -1);
      redraw (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
}

void
ioc_chart_set_unit (IocChart   *self,
                    const char *unit)
{
  g_return_if_fail (IOC_IS_CHART (self));

  if (set_str (&self->unit, unit))
    {
      redraw (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNIT]);
    }
}

void
ioc_chart_set_frequency (IocChart     *self,
                         IocFrequency  frequency)
{
  g_return_if_fail (IOC_IS_CHART (self));

  self->frequency = frequency;
  redraw (self);
}

void
ioc_chart_set_sparkline (IocChart *self,
                         gboolean  sparkline)
{
  g_return_if_fail (IOC_IS_CHART (self));

  sparkline = !!sparkline;
  if (self->sparkline == sparkline)
    return;
  self->sparkline = sparkline;
  gtk_widget_set_focusable (GTK_WIDGET (self), !sparkline);
  if (sparkline)
    gtk_widget_add_css_class (GTK_WIDGET (self), "sparkline");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "sparkline");
  g_clear_pointer (&self->body_node, gsk_render_node_unref);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPARKLINE]);
}

gboolean
ioc_chart_get_sparkline (IocChart *self)
{
  g_return_val_if_fail (IOC_IS_CHART (self), FALSE);
  return self->sparkline;
}

void
ioc_chart_set_thresholds (IocChart     *self,
                          IocDirection  direction,
                          gboolean      has_warning,
                          double        warning,
                          gboolean      has_alert,
                          double        alert)
{
  g_return_if_fail (IOC_IS_CHART (self));

  self->has_thresholds = has_warning || has_alert;
  self->direction = direction;
  self->has_warning = has_warning;
  self->warning = warning;
  self->has_alert = has_alert;
  self->alert = alert;
  redraw (self);
}

void
ioc_chart_set_thresholds_from_indicator (IocChart           *self,
                                         const IocIndicator *indicator)
{
  g_return_if_fail (indicator != NULL);

  ioc_chart_set_thresholds (self, indicator->direction,
                            indicator->has_warning, indicator->warning,
                            indicator->has_alert, indicator->alert);
}

void
ioc_chart_clear_thresholds (IocChart *self)
{
  g_return_if_fail (IOC_IS_CHART (self));

  self->has_thresholds = FALSE;
  redraw (self);
}

void
ioc_chart_add_line (IocChart   *self,
                    double      value,
                    const char *label,
                    int         severity)
{
  Line line = { value, g_strdup (label), severity };

  g_return_if_fail (IOC_IS_CHART (self));

  g_array_append_val (self->lines, line);
  redraw (self);
}

void
ioc_chart_clear_lines (IocChart *self)
{
  g_return_if_fail (IOC_IS_CHART (self));

  g_array_set_size (self->lines, 0);
  redraw (self);
}

guint
ioc_chart_get_n_lines (IocChart *self)
{
  g_return_val_if_fail (IOC_IS_CHART (self), 0);
  return self->lines->len;
}

double
ioc_chart_get_line_value (IocChart *self,
                          guint     index)
{
  g_return_val_if_fail (IOC_IS_CHART (self), 0);
  g_return_val_if_fail (index < self->lines->len, 0);
  return g_array_index (self->lines, Line, index).value;
}

const char *
ioc_chart_get_line_label (IocChart *self,
                          guint     index)
{
  g_return_val_if_fail (IOC_IS_CHART (self), NULL);
  g_return_val_if_fail (index < self->lines->len, NULL);
  return g_array_index (self->lines, Line, index).label;
}

static GArray *
copy_points (const IocSeriesPoint *points,
             guint                 n_points)
{
  GArray *array = g_array_sized_new (FALSE, FALSE, sizeof (IocSeriesPoint), n_points);

  if (n_points > 0)
    g_array_append_vals (array, points, n_points);
  return array;
}

guint
ioc_chart_add_series (IocChart             *self,
                      const char           *label,
                      const IocSeriesPoint *points,
                      guint                 n_points)
{
  Series *s;

  g_return_val_if_fail (IOC_IS_CHART (self), 0);
  g_return_val_if_fail (points != NULL || n_points == 0, 0);

  s = g_new0 (Series, 1);
  s->label = g_strdup (label);
  s->points = copy_points (points, n_points);
  g_ptr_array_add (self->series, s);
  redraw (self);
  return self->series->len - 1;
}

void
ioc_chart_set_series_points (IocChart             *self,
                             guint                 index,
                             const IocSeriesPoint *points,
                             guint                 n_points)
{
  Series *s;

  g_return_if_fail (IOC_IS_CHART (self));
  g_return_if_fail (points != NULL || n_points == 0);

  if ((s = get_series (self, index)) == NULL)
    return;
  g_array_unref (s->points);
  s->points = copy_points (points, n_points);
  invalidate (self);
}

void
ioc_chart_append_point (IocChart *self,
                        guint     index,
                        gint64    t,
                        double    v)
{
  IocSeriesPoint point = { t, v };
  Series *s;
  guint i;

  g_return_if_fail (IOC_IS_CHART (self));

  if ((s = get_series (self, index)) == NULL)
    return;
  i = lower_bound (s->points, t);
  if (i < s->points->len && g_array_index (s->points, IocSeriesPoint, i).t == t)
    g_array_index (s->points, IocSeriesPoint, i).v = v;
  else
    g_array_insert_val (s->points, i, point);
  invalidate (self);
}

void
ioc_chart_clear_series (IocChart *self)
{
  g_return_if_fail (IOC_IS_CHART (self));

  g_ptr_array_set_size (self->series, 0);
  redraw (self);
}

guint
ioc_chart_get_n_series (IocChart *self)
{
  g_return_val_if_fail (IOC_IS_CHART (self), 0);
  return self->series->len;
}

guint
ioc_chart_get_n_points (IocChart *self,
                        guint     index)
{
  Series *s;

  g_return_val_if_fail (IOC_IS_CHART (self), 0);
  s = get_series (self, index);
  return s ? s->points->len : 0;
}

const char *
ioc_chart_get_series_label (IocChart *self,
                            guint     index)
{
  Series *s;

  g_return_val_if_fail (IOC_IS_CHART (self), NULL);
  s = get_series (self, index);
  return s ? s->label : NULL;
}

void
ioc_chart_set_time_range (IocChart *self,
                          gint64    from,
                          gint64    to)
{
  g_return_if_fail (IOC_IS_CHART (self));

  if (self->from == from && self->to == to)
    return;
  self->from = from;
  self->to = to;
  invalidate (self);
}

void
ioc_chart_set_cursor (IocChart *self,
                      double    x)
{
  g_return_if_fail (IOC_IS_CHART (self));

  if (self->cursor_x == x)
    return;
  self->cursor_x = x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
ioc_chart_get_readout (IocChart *self,
                       gint64   *t,
                       double   *v)
{
  const Geometry *g = &self->geometry;
  gint64 at;

  g_return_val_if_fail (IOC_IS_CHART (self), FALSE);

  if (!g->valid || self->sparkline || self->cursor_x < g->x || self->cursor_x > g->x + g->w)
    return FALSE;

  at = g->t0 + (gint64) ((self->cursor_x - g->x) / g->w * (double) (g->t1 - g->t0)) - g->offset;
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      int j = nearest_index (s->points, at);
      IocSeriesPoint *p;

      if (j < 0)
        continue;
      p = &g_array_index (s->points, IocSeriesPoint, j);
      if (t != NULL)
        *t = p->t;
      if (v != NULL)
        *v = p->v;
      return TRUE;
    }
  return FALSE;
}

void
ioc_chart_render (IocChart *self,
                  cairo_t  *cr,
                  int       width,
                  int       height)
{
  Palette palette;
  Geometry saved;

  g_return_if_fail (IOC_IS_CHART (self));
  g_return_if_fail (cr != NULL);

  /* An export must not move the on-screen readout. */
  saved = self->geometry;
  palette_init (&palette);
  draw (self, cr, width, height, &palette);
  palette_clear (&palette);
  self->geometry = saved;
  /* The reduced series now fit the export's width, not the screen's. */
  drop_shown (self);
}

static gboolean
cairo_error (cairo_status_t   status,
             const char      *path,
             GError         **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;

  if (status == CAIRO_STATUS_WRITE_ERROR || status == CAIRO_STATUS_FILE_NOT_FOUND)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("The chart could not be saved to “%s”: the folder may not exist or may not be writable."),
                 path);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("The chart could not be drawn (%s)."), cairo_status_to_string (status));
  return FALSE;
}

gboolean
ioc_chart_export_png (IocChart    *self,
                      const char  *path,
                      int          width,
                      int          height,
                      GError     **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  g_return_val_if_fail (IOC_IS_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (width > 0 && height > 0, FALSE);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  ioc_chart_render (self, cr, width, height);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);

  return cairo_error (status, path, error);
}

gboolean
ioc_chart_export_svg (IocChart    *self,
                      const char  *path,
                      int          width,
                      int          height,
                      GError     **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  g_return_val_if_fail (IOC_IS_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (width > 0 && height > 0, FALSE);

  surface = cairo_svg_surface_create (path, width, height);
  status = cairo_surface_status (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    {
      cr = cairo_create (surface);
      ioc_chart_render (self, cr, width, height);
      status = cairo_status (cr);
      cairo_destroy (cr);
      cairo_surface_finish (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);

  return cairo_error (status, path, error);
}

/* RFC 4180: quote a field that holds a comma, a quote or a line break. */
static void
append_csv_field (GString    *out,
                  const char *field)
{
  if (strpbrk (field, ",\"\r\n") == NULL)
    {
      g_string_append (out, field);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = field; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static int
compare_times (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

char *
ioc_chart_to_csv (IocChart *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint n = 0;

  g_return_val_if_fail (IOC_IS_CHART (self), NULL);

  g_string_append (out, "time");
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      g_autofree char *label = g_strdup (series_label (self, i));

      g_string_append_c (out, ',');
      append_csv_field (out, label);
      for (guint j = 0; j < s->points->len; j++)
        g_array_append_val (times, g_array_index (s->points, IocSeriesPoint, j).t);
    }
  g_string_append (out, "\r\n");

  g_array_sort (times, compare_times);
  for (guint i = 0; i < times->len; i++)
    if (n == 0 || g_array_index (times, gint64, n - 1) != g_array_index (times, gint64, i))
      g_array_index (times, gint64, n++) = g_array_index (times, gint64, i);
  g_array_set_size (times, n);

  for (guint i = 0; i < times->len; i++)
    {
      gint64 t = g_array_index (times, gint64, i);
      g_autofree char *when = ioc_time_format (t);

      g_string_append (out, when);
      for (guint k = 0; k < self->series->len; k++)
        {
          Series *s = g_ptr_array_index (self->series, k);
          guint j = lower_bound (s->points, t);

          g_string_append_c (out, ',');
          if (j < s->points->len && g_array_index (s->points, IocSeriesPoint, j).t == t)
            {
              char buf[G_ASCII_DTOSTR_BUF_SIZE];

              /* A file for other programs: a dot, whatever the locale. */
              g_string_append (out, g_ascii_dtostr (buf, sizeof buf, g_array_index (s->points, IocSeriesPoint, j).v));
            }
        }
      g_string_append (out, "\r\n");
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
ioc_chart_export_csv (IocChart    *self,
                      const char  *path,
                      GError     **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (IOC_IS_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  text = ioc_chart_to_csv (self);
  return g_file_set_contents (path, text, -1, error);
}
