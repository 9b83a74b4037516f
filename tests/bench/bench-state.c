/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "bench-state.h"

/* Copies one file in writes of one database page.
 *
 * A live iocd's database is read and written by SQLite a page at a time,
 * so the kernel caches it in page-sized pieces.  A copy made with large
 * writes (g_file_copy) leaves it cached in large folios instead, and on
 * kernels that cache ext4 files in large folios every later page write
 * and writeback then walks the whole folio: that measured a quarter more
 * iocd CPU per forward than a database SQLite itself had written. */
#define STATE_PAGE_SIZE 4096

static gboolean
copy_file_by_pages (const char  *src_path,
                    const char  *dst_path,
                    GError     **error)
{
  g_autofree char *buffer = g_malloc (64 * STATE_PAGE_SIZE);
  const char *failed_path = src_path;
  gboolean ok = FALSE;
  int in, out = -1;

  in = g_open (src_path, O_RDONLY, 0);
  if (in < 0)
    goto out;
  failed_path = dst_path;
  out = g_open (dst_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0)
    goto out;

  for (;;)
    {
      ssize_t n;

      failed_path = src_path;
      n = read (in, buffer, 64 * STATE_PAGE_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto out;
      if (n == 0)
        break;

      failed_path = dst_path;
      for (ssize_t done = 0; done < n;)
        {
          ssize_t w = write (out, buffer + done, MIN (STATE_PAGE_SIZE, n - done));

          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            goto out;
          done += w;
        }
    }
  ok = TRUE;

out:
  if (!ok)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot copy %s: %s", failed_path,
                   g_strerror (saved));
    }
  if (in >= 0)
    close (in);
  if (out >= 0 && close (out) != 0 && ok)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot write %s: %s", dst_path,
                   g_strerror (saved));
      ok = FALSE;
    }

  return ok;
}

gboolean
bench_copy_state (const char  *from,
                  const char  *to,
                  guint64     *bytes,
                  GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, error);
  const char *name;

  if (bytes != NULL)
    *bytes = 0;
  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src_path = g_build_filename (from, name, NULL);
      g_autofree char *dst_path = g_build_filename (to, name, NULL);
      g_autoptr(GFile) src = g_file_new_for_path (src_path);
      g_autoptr(GFile) dst = g_file_new_for_path (dst_path);
      GStatBuf st;
      int fd;

      /* The shared-memory index is rebuilt from the WAL; a stale copy would only mislead. */
      if (g_str_has_suffix (name, "-shm") || !g_file_test (src_path, G_FILE_TEST_IS_REGULAR))
        continue;
      if (bytes != NULL && g_stat (src_path, &st) == 0)
        *bytes += st.st_size;
      if (!copy_file_by_pages (src_path, dst_path, error))
        return FALSE;

      /* Written back now, not by the kernel during the measurements. */
      fd = g_open (dst_path, O_RDONLY, 0);
      if (fd < 0 || g_fsync (fd) != 0)
        {
          int saved = errno;

          if (fd >= 0)
            close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot sync %s: %s", dst_path,
                       g_strerror (saved));
          return FALSE;
        }
      close (fd);
    }

  return TRUE;
}

