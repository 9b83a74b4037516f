/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-time.h"

#define GREGORIAN_LEAP(y) (((y) % 4 == 0) && ((y) % 100 != 0 || (y) % 400 == 0))

static GTimeZone *zone;
G_LOCK_DEFINE_STATIC (zone);

void
ioc_time_set_zone (const char *identifier)
{
  GTimeZone *tz = g_time_zone_new_identifier (identifier);

  /* Without tzdata Vietnam is still UTC+7 all year (no daylight saving). */
  if (tz == NULL)
    tz = g_time_zone_new_offset (7 * 3600);

  G_LOCK (zone);
  g_clear_pointer (&zone, g_time_zone_unref);
  zone = tz;
  G_UNLOCK (zone);
}

GTimeZone *
ioc_time_zone (void)
{
  GTimeZone *ret;

  G_LOCK (zone);
  if (zone == NULL)
    {
      zone = g_time_zone_new_identifier (IOC_DEFAULT_TIME_ZONE);
      if (zone == NULL)
        zone = g_time_zone_new_offset (7 * 3600);
    }
  ret = g_time_zone_ref (zone);
  G_UNLOCK (zone);

  return ret;
}

/* The zone's interval (its UTC offset) for the last instants formatted:
 * [known_lo, known_hi] are seconds known to lie in interval known_interval
 * of known_zone (held by a reference, so that the pointer stays unique).
 * Intervals are contiguous, so every instant between two of them does too;
 * for Vietnam, one interval covers everything since 1975. */
static GTimeZone *known_zone;
static gint64 known_lo, known_hi;
static int known_interval;
static gint32 known_offset;
G_LOCK_DEFINE_STATIC (known);

static gint32
utc_offset_at (GTimeZone *tz,
               gint64     seconds)
{
  gint32 ret;
  int interval;

  G_LOCK (known);
  if (tz == known_zone && seconds >= known_lo && seconds <= known_hi)
    {
      ret = known_offset;
      G_UNLOCK (known);
      return ret;
    }

  /* What g_date_time_to_timezone () looks up for the instant. */
  interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, seconds);
  ret = g_time_zone_get_offset (tz, interval);
  if (tz == known_zone && interval == known_interval)
    {
      known_lo = MIN (known_lo, seconds);
      known_hi = MAX (known_hi, seconds);
    }
  else
    {
      g_clear_pointer (&known_zone, g_time_zone_unref);
      known_zone = g_time_zone_ref (tz);
      known_interval = interval;
      known_offset = ret;
      known_lo = known_hi = seconds;
    }
  G_UNLOCK (known);

  return ret;
}

/* The date of day @days since 1970-01-01, proleptic Gregorian
 * (H. Hinnant's civil_from_days). */
static void
civil_from_days (gint64  days,
                 int    *year,
                 int    *month,
                 int    *day)
{
  gint64 era, doe, yoe, doy, mp;

  days += 719468;
  era = (days >= 0 ? days : days - 146096) / 146097;
  doe = days - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = (int) (mp < 10 ? mp + 3 : mp - 9);
  *year = (int) (yoe + era * 400 + (*month <= 2));
}

/* Through GDateTime: the reference the fast path below must equal, and the
 * path for local years it does not write (fewer or more than 4 digits). */
static char *
format_with_date_time (gint64     usec,
                       GTimeZone *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0));
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *offset = NULL;
  g_autofree char *base = NULL;
  gint64 frac_ms;
  gint64 offset_s;

  if (utc == NULL)
    return NULL;

  local = g_date_time_to_timezone (utc, tz);
  if (local == NULL)
    return NULL;
  offset_s = g_date_time_get_utc_offset (local) / G_USEC_PER_SEC;
  offset = g_strdup_printf ("%c%02d:%02d",
                            offset_s < 0 ? '-' : '+',
                            (int) (ABS (offset_s) / 3600),
                            (int) ((ABS (offset_s) % 3600) / 60));
  frac_ms = ((usec % G_USEC_PER_SEC) + G_USEC_PER_SEC) % G_USEC_PER_SEC / 1000;
  base = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S");

  if (frac_ms != 0)
    return g_strdup_printf ("%s.%03d%s", base, (int) frac_ms, offset);
  else
    return g_strconcat (base, offset, NULL);
}

/* Writes @value in @width digits (it has no more) at @p; returns the end. */
static char *
put_digits (char *p,
            int   value,
            int   width)
{
  for (int i = width - 1; i >= 0; i--, value /= 10)
    p[i] = (char) ('0' + value % 10);
  return p + width;
}

/* Every list page formats several times per task: this path allocates only
 * the result (no GDateTime, no format parsing, no printf), and the offset
 * lookup is cached above. */
char *
ioc_time_format (gint64 usec)
{
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  gint64 seconds = usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0);
  int frac_ms = (int) ((usec - seconds * G_USEC_PER_SEC) / 1000);
  gint64 offset_s, abs_offset, local, days, second_of_day;
  int year, month, day;
  char text[sizeof "YYYY-MM-DDTHH:MM:SS.mmm+HH:MM"];
  char *p = text;

  /* Far outside the years iocd accepts: leave the limits to GDateTime. */
  if (seconds < -86400LL * 366 * 1000 || seconds > 86400LL * 366 * 9000)
    return format_with_date_time (usec, tz);

  offset_s = utc_offset_at (tz, seconds);
  local = seconds + offset_s;
  days = local / 86400 - (local % 86400 < 0);
  second_of_day = local - days * 86400;
  civil_from_days (days, &year, &month, &day);
  if (year < 1000 || year > 9999)
    return format_with_date_time (usec, tz);

  /* As GDateTime writes it: the offset's seconds (before 1906) are cut. */
  abs_offset = ABS (offset_s);
  p = put_digits (p, year, 4);
  *p++ = '-';
  p = put_digits (p, month, 2);
  *p++ = '-';
  p = put_digits (p, day, 2);
  *p++ = 'T';
  p = put_digits (p, (int) (second_of_day / 3600), 2);
  *p++ = ':';
  p = put_digits (p, (int) (second_of_day % 3600 / 60), 2);
  *p++ = ':';
  p = put_digits (p, (int) (second_of_day % 60), 2);
  if (frac_ms != 0)
    {
      *p++ = '.';
      p = put_digits (p, frac_ms, 3);
    }
  *p++ = offset_s < 0 ? '-' : '+';
  p = put_digits (p, (int) (abs_offset / 3600), 2);
  *p++ = ':';
  p = put_digits (p, (int) (abs_offset % 3600 / 60), 2);

  return g_strndup (text, p - text);
}

/* Days from 1970-01-01 to @y-@m-@d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
static gint64
days_from_civil (int y,
                 int m,
                 int d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static gboolean
digits (const char *p,
        int         n,
        int        *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (p[i] < '0' || p[i] > '9')
        return FALSE;
      v = v * 10 + (p[i] - '0');
    }
  *out = v;
  return TRUE;
}

/*
 * The form every client and ioc_time_format write,
 * YYYY-MM-DDTHH:MM:SS[.f…](Z|±HH:MM), without the cost of a GDateTime and a
 * GTimeZone per call: sensor feeds send tens of thousands per request.
 * Returns FALSE for anything else, valid or not, which then takes the
 * GDateTime path; where it answers, it answers exactly as that path does
 * (tests/core/test-time-geo.c compares the two), the year rule included.
 */
static gboolean
parse_common (const char *text,
              gboolean   *valid,
              gint64     *usec)
{
  static const int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int year, month, day, hour, minute, second, offset_h = 0, offset_m = 0, sign = 0;
  const char *p = text;
  double whole = 0, divisor = 1;
  gint64 frac_us = 0, seconds;
  int n_frac = 0;

  if (!digits (p, 4, &year) || p[4] != '-' || !digits (p + 5, 2, &month) || p[7] != '-' ||
      !digits (p + 8, 2, &day) || p[10] != 'T' || !digits (p + 11, 2, &hour) || p[13] != ':' ||
      !digits (p + 14, 2, &minute) || p[16] != ':' || !digits (p + 17, 2, &second))
    return FALSE;
  p += 19;

  if (*p == '.')
    {
      /* As GLib reads them: all the digits as one number over a power of
       * ten, in doubles. Up to 6 digits the division is what it rounds. */
      whole = second;
      for (p++; *p >= '0' && *p <= '9'; p++, n_frac++)
        {
          if (n_frac == 6)
            return FALSE;
          whole = whole * 10 + (*p - '0');
          divisor *= 10;
        }
      if (n_frac == 0)
        return FALSE;
    }

  if (*p == 'Z' && p[1] == '\0')
    ;
  else if ((*p == '+' || *p == '-') && digits (p + 1, 2, &offset_h) && p[3] == ':' &&
           digits (p + 4, 2, &offset_m) && p[6] == '\0')
    sign = *p == '+' ? 1 : -1;
  else
    return FALSE;

  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 ||
      offset_h > 23 || offset_m > 59 ||
      day > month_days[month - 1] + (month == 2 && GREGORIAN_LEAP (year)))
    return FALSE;

  *valid = year >= 1970 && year <= 9000;
  if (!*valid)
    return TRUE;

  if (n_frac > 0)
    {
      /* g_date_time_new's conversion of fractional seconds to µs. */
      double s = whole / divisor;
      gint64 us = (gint64) (s * G_USEC_PER_SEC);

      if ((us + 1) * 1e-6 <= s)
        us++;
      frac_us = us % G_USEC_PER_SEC;
    }

  seconds = days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
            sign * (offset_h * 3600 + offset_m * 60);
  *usec = seconds * G_USEC_PER_SEC + frac_us;
  return TRUE;
}

gboolean
ioc_time_parse (const char *text,
                gint64     *usec)
{
  g_autoptr(GDateTime) dt = NULL;
  gboolean valid = FALSE;
  gint64 fast = 0;

  if (text == NULL)
    return FALSE;

  if (parse_common (text, &valid, &fast))
    {
      if (valid && usec != NULL)
        *usec = fast;
      return valid;
    }

  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;

  /* No default zone: a time without an offset is ambiguous and refused. */
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;

  /* Years outside this range are typing mistakes here, and some of them
   * could not be written back (no zero padding, offsets with seconds). */
  if (g_date_time_get_year (dt) < 1970 || g_date_time_get_year (dt) > 9000)
    return FALSE;

  if (usec != NULL)
    *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);

  return TRUE;
}
