/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd-demo"

#include "config.h"

#include <math.h>
#include <string.h>

#include "iocd-feeds.h"
#include "iocd-indicator-store.h"

/* Two years of monthly values, the current month not reported yet. */
#define DEMO_MONTHS 24
#define DEMO_COMMUNES 16
/* The share of a city-wide count that falls in the inner communes that get
 * their own values: enough for a choropleth, without pretending to add up. */
#define COMMUNE_SHARE 0.45

static const char * const columns[] = {
  "code", "name_vi", "name_en", "domain", "unit", "unit_en", "frequency", "department", "direction", "warning", "alert",
  "chart", "start", "end", "seasonal", "peak_month", "noise", "decimals", "missing_months", "last",
  "per_commune", "description", NULL
};

enum {
  COL_CODE, COL_NAME_VI, COL_NAME_EN, COL_DOMAIN, COL_UNIT, COL_UNIT_EN, COL_FREQUENCY, COL_DEPARTMENT, COL_DIRECTION,
  COL_WARNING, COL_ALERT, COL_CHART, COL_START, COL_END, COL_SEASONAL, COL_PEAK_MONTH, COL_NOISE,
  COL_DECIMALS, COL_MISSING, COL_LAST, COL_PER_COMMUNE, COL_DESCRIPTION, N_COLS
};

G_STATIC_ASSERT (G_N_ELEMENTS (columns) == N_COLS + 1);

static gboolean
number (const char  *text,
        gboolean    *present,
        double      *value,
        const char  *what,
        guint        line,
        GError     **error)
{
  char *end = NULL;

  *present = text != NULL && *text != '\0';
  if (!*present)
    return TRUE;

  *value = g_ascii_strtod (text, &end);
  if (*end != '\0' || !isfinite (*value))
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "demo_indicators.csv line %u: %s “%s” is not a number",
                   line, what, text);
      return FALSE;
    }
  return TRUE;
}

static double
gaussian (GRand *rand)
{
  double u = g_rand_double_range (rand, 1e-12, 1.0);
  double v = g_rand_double (rand);

  return sqrt (-2.0 * log (u)) * cos (2 * G_PI * v);
}

static double
round_to (double value,
          int    decimals)
{
  double scale = pow (10, decimals);

  return round (value * scale) / scale;
}

/* Codes of the first communes of former Cần Thơ, in file order. */
static GPtrArray *
load_communes (const char  *data_dir,
               GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, "cantho_2025_communes.csv", NULL);
  g_autoptr(IocCsv) csv = ioc_csv_load (path, error);
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  int code_col, province_col;

  if (csv == NULL)
    return NULL;

  code_col = ioc_csv_column (csv, "code_2025");
  province_col = ioc_csv_column (csv, "former_province");
  if (code_col < 0 || province_col < 0)
    {
      g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s has no code_2025 or former_province column", path);
      return NULL;
    }

  for (guint r = 1; r < csv->records->len && codes->len < DEMO_COMMUNES; r++)
    {
      GStrv record = g_ptr_array_index (csv->records, r);

      if ((int) g_strv_length (record) > MAX (code_col, province_col) &&
          g_str_equal (record[province_col], "Thành phố Cần Thơ"))
        g_ptr_array_add (codes, g_strdup (record[code_col]));
    }

  return g_steal_pointer (&codes);
}

static IocObservation *
new_observation (const char *indicator,
                 const char *area,
                 gint64      period,
                 double      value,
                 gint64      now)
{
  IocObservation *obs = ioc_observation_new ();

  obs->indicator = g_strdup (indicator);
  obs->area = g_strdup (area);
  obs->period = period;
  obs->value = value;
  /* Reported a few days into the next month. */
  obs->submitted_at = MIN (ioc_indicator_period_add (IOC_FREQUENCY_MONTHLY, period, 1) +
                           5 * (gint64) 86400 * G_USEC_PER_SEC, now);
  return obs;
}

gboolean
iocd_demo_seed_indicators (IocdStore   *store,
                           const char  *data_dir,
                           GRand       *rand,
                           gint64       now,
                           GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, "demo_indicators.csv", NULL);
  g_autoptr(IocCsv) csv = NULL;
  g_autoptr(GPtrArray) communes = NULL;
  g_autoptr(GPtrArray) observations = g_ptr_array_new_with_free_func ((GDestroyNotify) ioc_observation_unref);
  g_autoptr(GArray) weights = g_array_new (FALSE, FALSE, sizeof (double));
  IocdIndicatorStore *indicators = IOCD_INDICATOR_STORE (store);
  gint64 this_month = ioc_indicator_period_start (IOC_FREQUENCY_MONTHLY, now);
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  gint64 started = g_get_monotonic_time ();
  double weight_sum = 0;
  guint n_fields;
  int col[N_COLS];

  csv = ioc_csv_load (path, error);
  if (csv == NULL)
    return FALSE;
  for (guint i = 0; i < N_COLS; i++)
    {
      col[i] = ioc_csv_column (csv, columns[i]);
      if (col[i] < 0)
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s has no column “%s”", path, columns[i]);
          return FALSE;
        }
    }

  n_fields = g_strv_length (g_ptr_array_index (csv->records, 0));

  communes = load_communes (data_dir, error);
  if (communes == NULL)
    return FALSE;
  /* Busier and quieter communes, the same for every indicator. */
  for (guint c = 0; c < communes->len; c++)
    {
      double w = g_rand_double_range (rand, 0.4, 1.6);

      g_array_append_val (weights, w);
      weight_sum += w;
    }

  for (guint r = 1; r < csv->records->len; r++)
    {
      GStrv record = g_ptr_array_index (csv->records, r);
      guint line = g_array_index (csv->lines, guint, r);
      g_autoptr(IocIndicator) ind = ioc_indicator_new ();
      double start, end, seasonal, peak, noise, decimals, missing, last = 0, per_commune;
      gboolean present, has_last;
      gboolean percentage;

      if (g_strv_length (record) != n_fields)
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID, "%s line %u: %u fields, not %u", path, line,
                       g_strv_length (record), n_fields);
          return FALSE;
        }

      ind->code = g_strdup (record[col[COL_CODE]]);
      ind->name_vi = g_strdup (record[col[COL_NAME_VI]]);
      ind->name_en = g_strdup (record[col[COL_NAME_EN]]);
      ind->domain = g_strdup (record[col[COL_DOMAIN]]);
      ind->unit = g_strdup (record[col[COL_UNIT]]);
      if (*record[col[COL_UNIT_EN]] != '\0' && g_strcmp0 (record[col[COL_UNIT_EN]], ind->unit) != 0)
        ind->unit_en = g_strdup (record[col[COL_UNIT_EN]]);
      ind->frequency = ioc_frequency_from_string (record[col[COL_FREQUENCY]]);
      ind->department = g_strdup (record[col[COL_DEPARTMENT]]);
      ind->direction = ioc_direction_from_string (record[col[COL_DIRECTION]]);
      ind->chart = g_strdup (record[col[COL_CHART]]);
      ind->description = g_strdup (record[col[COL_DESCRIPTION]]);
      if (ind->frequency != IOC_FREQUENCY_MONTHLY || (int) ind->direction < 0)
        {
          g_set_error (error, IOC_ERROR, IOC_ERROR_INVALID,
                       "%s line %u: the demo has monthly indicators with a direction of higher or lower", path,
                       line);
          return FALSE;
        }

      if (!number (record[col[COL_WARNING]], &ind->has_warning, &ind->warning, "warning", line, error) ||
          !number (record[col[COL_ALERT]], &ind->has_alert, &ind->alert, "alert", line, error) ||
          !number (record[col[COL_START]], &present, &start, "start", line, error) ||
          !number (record[col[COL_END]], &present, &end, "end", line, error) ||
          !number (record[col[COL_SEASONAL]], &present, &seasonal, "seasonal", line, error) ||
          !number (record[col[COL_PEAK_MONTH]], &present, &peak, "peak_month", line, error) ||
          !number (record[col[COL_NOISE]], &present, &noise, "noise", line, error) ||
          !number (record[col[COL_DECIMALS]], &present, &decimals, "decimals", line, error) ||
          !number (record[col[COL_MISSING]], &present, &missing, "missing_months", line, error) ||
          !number (record[col[COL_LAST]], &has_last, &last, "last", line, error) ||
          !number (record[col[COL_PER_COMMUNE]], &present, &per_commune, "per_commune", line, error))
        return FALSE;

      if (!iocd_indicator_store_save_indicator (indicators, ind, error))
        return FALSE;

      percentage = g_strcmp0 (ind->unit, "%") == 0;

      /* Oldest first; the latest reported month is the previous one, or
       * @missing months before it for the stale ones. */
      for (int k = DEMO_MONTHS; k > (int) missing; k--)
        {
          gint64 period = ioc_indicator_period_add (IOC_FREQUENCY_MONTHLY, this_month, -k);
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (period / G_USEC_PER_SEC);
          g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
          int month = g_date_time_get_month (local);
          double progress = (double) (DEMO_MONTHS - k) / (DEMO_MONTHS - 1);
          double value = start + (end - start) * progress +
                         seasonal * cos (2 * G_PI * (month - peak) / 12.0) +
                         noise * start * gaussian (rand);

          if (k == (int) missing + 1 && has_last)
            value = last;
          value = MAX (value, 0);
          if (percentage)
            value = MIN (value, 100);
          value = round_to (value, decimals);

          g_ptr_array_add (observations, new_observation (ind->code, NULL, period, value, now));

          if (per_commune > 0)
            for (guint c = 0; c < communes->len && c < (guint) per_commune; c++)
              {
                double share = value * COMMUNE_SHARE * g_array_index (weights, double, c) / weight_sum;
                double v = round_to (MAX (share * (1 + 0.15 * gaussian (rand)), 0), decimals);

                g_ptr_array_add (observations,
                                 new_observation (ind->code, g_ptr_array_index (communes, c), period, v, now));
              }
        }
    }

  if (!iocd_indicator_store_save_observations (indicators, observations, NULL, NULL, now, NULL, error))
    return FALSE;

  g_debug ("Seeded %u indicators with %u synthetic values in %.0f ms", csv->records->len - 1, observations->len,
           (g_get_monotonic_time () - started) / 1000.0);
  return TRUE;
}
