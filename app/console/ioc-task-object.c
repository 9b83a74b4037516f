/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>

#include "ioc-task-object.h"

struct _IocTaskObject
{
  GObject       parent_instance;

  IocTask      *task;
  gint64        id;
  IocReference *reference;
  char         *search_text;
  gint64        now;
  gint64        made_at;
};

G_DEFINE_FINAL_TYPE (IocTaskObject, ioc_task_object, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_ID_TEXT,
  PROP_TITLE,
  PROP_STATE,
  PROP_STATE_LABEL,
  PROP_STATE_CLASS,
  PROP_PRIORITY,
  PROP_PRIORITY_LABEL,
  PROP_PRIORITY_CLASS,
  PROP_CATEGORY_NAME,
  PROP_COMMUNE_NAME,
  PROP_DEPARTMENT,
  PROP_CREATED_AT,
  PROP_AGE_TEXT,
  PROP_DUE_AT,
  PROP_TIME_LEFT_TEXT,
  PROP_OVERDUE,
  PROP_UPDATED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
ioc_task_state_get_label (IocTaskState state)
{
  switch (state)
    {
    case IOC_TASK_STATE_RECEIVED: return _("Received");
    case IOC_TASK_STATE_VERIFIED: return _("Verified");
    case IOC_TASK_STATE_REJECTED: return _("Rejected");
    case IOC_TASK_STATE_DUPLICATE: return _("Duplicate");
    case IOC_TASK_STATE_FORWARDED: return _("Forwarded");
    case IOC_TASK_STATE_ACKNOWLEDGED: return _("Acknowledged");
    case IOC_TASK_STATE_IN_PROGRESS: return _("In progress");
    case IOC_TASK_STATE_RETURNED: return _("Returned");
    case IOC_TASK_STATE_RESOLVED: return _("Resolved");
    case IOC_TASK_STATE_CLOSED: return _("Closed");
    case IOC_N_TASK_STATES:
    case IOC_TASK_STATE_INVALID:
    default:
      return "";
    }
}

const char *
ioc_priority_get_label (IocPriority priority)
{
  switch (priority)
    {
    case IOC_PRIORITY_URGENT: return _("Urgent");
    case IOC_PRIORITY_HIGH: return _("High");
    case IOC_PRIORITY_NORMAL: return _("Normal");
    case IOC_PRIORITY_LOW: return _("Low");
    case IOC_N_PRIORITIES:
    case IOC_PRIORITY_INVALID:
    default:
      return "";
    }
}

const char *
ioc_source_get_label (IocSource source)
{
  switch (source)
    {
    case IOC_SOURCE_CITIZEN_APP: return _("Citizen app");
    case IOC_SOURCE_HOTLINE: return _("Hotline");
    case IOC_SOURCE_SENSOR: return _("Sensor");
    case IOC_SOURCE_DEPARTMENT: return _("Department");
    case IOC_SOURCE_OPERATOR: return _("Operator");
    case IOC_N_SOURCES:
    case IOC_SOURCE_INVALID:
    default:
      return "";
    }
}

const char *
ioc_action_get_label (IocAction action)
{
  switch (action)
    {
    case IOC_ACTION_VERIFY: return _("Verify");
    case IOC_ACTION_REJECT: return _("Reject");
    case IOC_ACTION_MARK_DUPLICATE: return _("Mark as duplicate");
    case IOC_ACTION_FORWARD: return _("Forward");
    case IOC_ACTION_ACKNOWLEDGE: return _("Acknowledge");
    case IOC_ACTION_START: return _("Start");
    case IOC_ACTION_RETURN: return _("Return");
    case IOC_ACTION_RESOLVE: return _("Resolve");
    case IOC_ACTION_CLOSE: return _("Close");
    case IOC_ACTION_REOPEN: return _("Reopen");
    case IOC_ACTION_COMMENT: return _("Comment");
    case IOC_ACTION_INTAKE: return _("Intake");
    case IOC_ACTION_INVALID:
    default:
      return "";
    }
}

char *
ioc_format_duration (gint64 usec)
{
  gint64 minutes = ABS (usec) / (60 * G_USEC_PER_SEC);

  if (minutes < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", minutes), (int) minutes);
  if (minutes < 48 * 60)
    /* TRANSLATORS: hours and minutes, e.g. "3 h 20 min" */
    return g_strdup_printf (_("%d h %02d min"), (int) (minutes / 60), (int) (minutes % 60));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", minutes / (24 * 60)),
                          (int) (minutes / (24 * 60)));
}

char *
ioc_format_time (gint64 usec)
{
  g_autoptr(GTimeZone) tz = ioc_time_zone ();
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (usec == 0)
    return g_strdup ("");

  utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  local = g_date_time_to_timezone (utc, tz);
  /* TRANSLATORS: a date and time; Vietnamese uses dd/MM/yyyy HH:mm */
  return g_date_time_format (local, _("%d/%m/%Y %H:%M"));
}

static const char *
reference_name (GHashTable *table,
                const char *code,
                gsize       name_offset)
{
  gpointer item;

  if (code == NULL)
    return "";
  item = table ? g_hash_table_lookup (table, code) : NULL;
  return item ? G_STRUCT_MEMBER (const char *, item, name_offset) : code;
}

static void
ioc_task_object_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  IocTaskObject *self = IOC_TASK_OBJECT (object);
  IocTask *t = self->task;
  gint64 now = self->now ? self->now : g_get_real_time ();

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, t->id);
      break;
    case PROP_ID_TEXT:
      g_value_take_string (value, g_strdup_printf ("#%" G_GINT64_FORMAT, t->id));
      break;
    case PROP_TITLE:
      g_value_set_string (value, t->title);
      break;
    case PROP_STATE:
      g_value_set_int (value, t->state);
      break;
    case PROP_STATE_LABEL:
      g_value_set_string (value, ioc_task_state_get_label (t->state));
      break;
    case PROP_STATE_CLASS:
      g_value_take_string (value, g_strdup_printf ("state-%s", ioc_task_state_to_string (t->state)));
      break;
    case PROP_PRIORITY:
      g_value_set_int (value, t->priority);
      break;
    case PROP_PRIORITY_CLASS:
      /* The style sheet's "priority-urgent", "priority-high", … */
      g_value_take_string (value, g_strdup_printf ("priority-%s", ioc_priority_to_string (t->priority)));
      break;
    case PROP_PRIORITY_LABEL:
      g_value_set_string (value, ioc_priority_get_label (t->priority));
      break;
    case PROP_CATEGORY_NAME:
      g_value_set_string (value, reference_name (self->reference ? self->reference->categories : NULL,
                                                 t->category, G_STRUCT_OFFSET (IocCategory, name_vi)));
      break;
    case PROP_COMMUNE_NAME:
      g_value_set_string (value, reference_name (self->reference ? self->reference->communes : NULL,
                                                 t->commune, G_STRUCT_OFFSET (IocCommune, name)));
      break;
    case PROP_DEPARTMENT:
      g_value_set_string (value, t->department ? t->department : "");
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, t->created_at);
      break;
    case PROP_AGE_TEXT:
      g_value_take_string (value, ioc_format_duration (now - t->created_at));
      break;
    case PROP_DUE_AT:
      /* Sorting by time left puts tasks without a due time last. */
      g_value_set_int64 (value, t->due_at ? t->due_at : G_MAXINT64);
      break;
    case PROP_TIME_LEFT_TEXT:
      if (t->due_at == 0 || !ioc_task_state_can_be_overdue (t->state))
        g_value_set_string (value, "");
      else if (now > t->due_at)
        {
          g_autofree char *late = ioc_format_duration (now - t->due_at);
          /* TRANSLATORS: overdue by a duration, e.g. "overdue 2 h 05 min" */
          g_value_take_string (value, g_strdup_printf (_("overdue %s"), late));
        }
      else
        g_value_take_string (value, ioc_format_duration (t->due_at - now));
      break;
    case PROP_OVERDUE:
      g_value_set_boolean (value, ioc_task_is_overdue (t, now));
      break;
    case PROP_UPDATED_AT:
      g_value_set_int64 (value, t->updated_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ioc_task_object_finalize (GObject *object)
{
  IocTaskObject *self = IOC_TASK_OBJECT (object);

  g_clear_pointer (&self->task, ioc_task_unref);
  g_free (self->search_text);

  G_OBJECT_CLASS (ioc_task_object_parent_class)->finalize (object);
}

static void
ioc_task_object_class_init (IocTaskObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = ioc_task_object_get_property;
  object_class->finalize = ioc_task_object_finalize;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_ID_TEXT] = g_param_spec_string ("id-text", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, IOC_N_TASK_STATES, 0, flags);
  properties[PROP_STATE_LABEL] = g_param_spec_string ("state-label", NULL, NULL, NULL, flags);
  properties[PROP_STATE_CLASS] = g_param_spec_string ("state-class", NULL, NULL, NULL, flags);
  properties[PROP_PRIORITY] = g_param_spec_int ("priority", NULL, NULL, 0, IOC_N_PRIORITIES, 0, flags);
  properties[PROP_PRIORITY_LABEL] = g_param_spec_string ("priority-label", NULL, NULL, NULL, flags);
  properties[PROP_PRIORITY_CLASS] = g_param_spec_string ("priority-class", NULL, NULL, NULL, flags);
  properties[PROP_CATEGORY_NAME] = g_param_spec_string ("category-name", NULL, NULL, NULL, flags);
  properties[PROP_COMMUNE_NAME] = g_param_spec_string ("commune-name", NULL, NULL, NULL, flags);
  properties[PROP_DEPARTMENT] = g_param_spec_string ("department", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_AT] = g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_AGE_TEXT] = g_param_spec_string ("age-text", NULL, NULL, NULL, flags);
  properties[PROP_DUE_AT] = g_param_spec_int64 ("due-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_TIME_LEFT_TEXT] = g_param_spec_string ("time-left-text", NULL, NULL, NULL, flags);
  properties[PROP_OVERDUE] = g_param_spec_boolean ("overdue", NULL, NULL, FALSE, flags);
  properties[PROP_UPDATED_AT] = g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ioc_task_object_init (IocTaskObject *self)
{
}

static char *
build_search_text (IocTaskObject *self)
{
  IocTask *t = self->task;
  IocCategory *category = self->reference && t->category
                          ? g_hash_table_lookup (self->reference->categories, t->category) : NULL;
  IocCommune *commune = self->reference && t->commune
                        ? g_hash_table_lookup (self->reference->communes, t->commune) : NULL;
  g_autofree char *joined = g_strdup_printf ("#%" G_GINT64_FORMAT " %s %s %s %s %s",
                                             t->id, t->title ? t->title : "",
                                             t->address ? t->address : "",
                                             category ? category->name_vi : "",
                                             commune ? commune->name : "",
                                             t->description ? t->description : "");

  /* Folded once per change, so that typing in the search box only compares. */
  return ioc_text_fold (joined);
}

IocTaskObject *
ioc_task_object_new (IocTask      *task,
                     IocReference *reference)
{
  IocTaskObject *self = g_object_new (IOC_TYPE_TASK_OBJECT, NULL);

  self->task = ioc_task_ref (task);
  self->id = task->id;
  self->reference = reference;
  self->made_at = g_get_real_time ();
  self->search_text = build_search_text (self);
  return self;
}

IocTask *
ioc_task_object_get_task (IocTaskObject *self)
{
  return self->task;
}

gint64
ioc_task_object_get_id (IocTaskObject *self)
{
  return self->id;
}

const gint64 *
ioc_task_object_peek_id (IocTaskObject *self)
{
  return &self->id;
}

const char *
ioc_task_object_get_search_text (IocTaskObject *self)
{
  return self->search_text;
}

gboolean
ioc_task_object_get_overdue (IocTaskObject *self)
{
  return ioc_task_is_overdue (self->task, self->now ? self->now : g_get_real_time ());
}

gboolean
ioc_task_object_update (IocTaskObject *self,
                        IocTask       *task)
{
  IocTask *old = self->task;

  if (task->version < old->version || task->id != self->id)
    return FALSE;

  self->task = ioc_task_ref (task);
  g_free (self->search_text);
  self->search_text = build_search_text (self);

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (old->title, task->title) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  if (old->state != task->state)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_LABEL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_CLASS]);
    }
  if (old->priority != task->priority)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIORITY]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIORITY_LABEL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIORITY_CLASS]);
    }
  if (g_strcmp0 (old->category, task->category) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATEGORY_NAME]);
  if (g_strcmp0 (old->commune, task->commune) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMMUNE_NAME]);
  if (g_strcmp0 (old->department, task->department) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEPARTMENT]);
  if (old->due_at != task->due_at || old->state != task->state)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DUE_AT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_LEFT_TEXT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERDUE]);
    }
  if (old->updated_at != task->updated_at)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED_AT]);
  g_object_thaw_notify (G_OBJECT (self));

  ioc_task_unref (old);
  return TRUE;
}

/* Whether ioc_format_duration() reads differently for the two intervals:
 * by the minute below two days, by the day above. Most tasks are days old,
 * so a tick need not tell 100,000 objects that nothing they show changed. */
static gboolean
duration_text_differs (gint64 a,
                       gint64 b)
{
  gint64 ma = ABS (a) / (60 * G_USEC_PER_SEC);
  gint64 mb = ABS (b) / (60 * G_USEC_PER_SEC);

  if ((a < 0) != (b < 0))
    return TRUE;
  if (ma < 48 * 60 || mb < 48 * 60)
    return ma != mb;
  return ma / (24 * 60) != mb / (24 * 60);
}

gboolean
ioc_task_object_tick (IocTaskObject *self,
                      gint64         now)
{
  /* Before its first tick, the object is as old as its creation. */
  gint64 before = self->now ? self->now : self->made_at;
  IocTask *t = self->task;
  gboolean was_overdue = ioc_task_is_overdue (t, before);
  gboolean is_overdue;

  self->now = now;
  if (duration_text_differs (before - t->created_at, now - t->created_at))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGE_TEXT]);
  if (t->due_at == 0 || !ioc_task_state_can_be_overdue (t->state))
    return FALSE;

  is_overdue = ioc_task_is_overdue (t, now);
  if (duration_text_differs (t->due_at - before, t->due_at - now))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_LEFT_TEXT]);
  if (was_overdue != is_overdue)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERDUE]);
  return !was_overdue && is_overdue;
}
