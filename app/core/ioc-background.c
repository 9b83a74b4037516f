/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-core"

#include "config.h"

#include "ioc-background.h"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* Work that may take the cores for a while (parsing pages of JSON,
 * building the objects of thousands of tasks) but that nobody waits for
 * frame by frame. It runs in threads of its own, at a lower priority than
 * the main loop's: on a machine of two cores, the console's main thread
 * otherwise waited for the parsers (and for iocd, and the X server) in
 * the middle of a frame, which then lasted twice the main thread's own
 * work. The threads are the pool's own (no other work of GLib's runs in
 * them at that priority). The nice value is per thread on Linux;
 * elsewhere the threads run at the process's priority. */

#define BACKGROUND_NICE 10
#define MAX_THREADS 2

typedef struct {
  GTask           *task;
  GTaskThreadFunc  func;
} Work;

static void
lower_this_thread (void)
{
#ifdef __linux__
  static GPrivate lowered;

  if (g_private_get (&lowered) == NULL)
    {
      pid_t tid = (pid_t) syscall (SYS_gettid);

      /* Only ever lowered, which needs no privilege. */
      if (setpriority (PRIO_PROCESS, (id_t) tid, BACKGROUND_NICE) != 0)
        g_debug ("background thread keeps its priority: %s", g_strerror (errno));
      g_private_set (&lowered, GINT_TO_POINTER (1));
    }
#endif
}

static void
run_work (gpointer data,
          gpointer pool_data)
{
  Work *work = data;

  lower_this_thread ();
  work->func (work->task, g_task_get_source_object (work->task), g_task_get_task_data (work->task),
              g_task_get_cancellable (work->task));
  g_object_unref (work->task);
  g_free (work);
}

/**
 * ioc_task_run_in_background:
 * @task: a #GTask
 * @func: what to run with @task
 *
 * Like g_task_run_in_thread(), in one of the background threads: @func
 * returns @task's result, and @task's callback runs in its context.
 */
void
ioc_task_run_in_background (GTask           *task,
                            GTaskThreadFunc  func)
{
  static GThreadPool *pool;
  Work *work;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (run_work, NULL, MAX_THREADS, TRUE, NULL));

  work = g_new (Work, 1);
  work->task = g_object_ref (task);
  work->func = func;
  g_thread_pool_push (pool, work, NULL);
}
