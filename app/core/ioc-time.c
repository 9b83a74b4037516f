/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-time.h"

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

char *
ioc_time_format (gint64 usec)
{
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0));
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *offset = NULL;
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

  if (frac_ms != 0)
    {
      g_autofree char *base = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S");
      return g_strdup_printf ("%s.%03d%s", base, (int) frac_ms, offset);
    }
  else
    {
      g_autofree char *base = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S");
      return g_strconcat (base, offset, NULL);
    }
}

gboolean
ioc_time_parse (const char *text,
                gint64     *usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
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
