/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>

#include "ioc-task-details.h"

struct _IocTaskDetails
{
  GtkWidget    parent_instance;

  GtkWidget   *scroller;
  GtkLabel    *placeholder_label;
  GtkLabel    *title_label;
  GtkFlowBox  *actions_box;
  GtkGrid     *fields_grid;
  GtkLabel    *timeline_heading;
  GtkListBox  *timeline_list;

  IocTask     *task;
  guint        offered;
};

G_DEFINE_FINAL_TYPE (IocTaskDetails, ioc_task_details, GTK_TYPE_WIDGET)

enum {
  ACTION_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_children (GtkWidget *container)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (container)) != NULL)
    {
      if (GTK_IS_FLOW_BOX (container))
        gtk_flow_box_remove (GTK_FLOW_BOX (container), child);
      else if (GTK_IS_LIST_BOX (container))
        gtk_list_box_remove (GTK_LIST_BOX (container), child);
      else
        gtk_grid_remove (GTK_GRID (container), child);
    }
}

static void
add_field (IocTaskDetails *self,
           int            *row,
           const char     *name,
           const char     *value)
{
  GtkWidget *key, *val;

  if (value == NULL || *value == '\0')
    return;

  key = gtk_label_new (name);
  gtk_label_set_xalign (GTK_LABEL (key), 1);
  gtk_label_set_yalign (GTK_LABEL (key), 0);
  gtk_widget_add_css_class (key, "dim-label");
  val = gtk_label_new (value);
  gtk_label_set_xalign (GTK_LABEL (val), 0);
  gtk_label_set_wrap (GTK_LABEL (val), TRUE);
  gtk_label_set_selectable (GTK_LABEL (val), TRUE);
  gtk_widget_set_hexpand (val, TRUE);
  gtk_grid_attach (self->fields_grid, key, 0, *row, 1, 1);
  gtk_grid_attach (self->fields_grid, val, 1, *row, 1, 1);
  (*row)++;
}

static void
on_action_clicked_cb (GtkButton      *button,
                      IocTaskDetails *self)
{
  int action = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "ioc-action"));

  g_signal_emit (self, signals[ACTION_REQUESTED], 0, action);
}

static GtkWidget *
timeline_row (IocTimelineEntry *e)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *head, *note;
  g_autofree char *when = ioc_format_time (e->at);
  g_autofree char *text = NULL;

  if (e->from_state != e->to_state && e->to_state != IOC_TASK_STATE_INVALID)
    /* TRANSLATORS: time — who — action → new state, e.g. "28/11/2026 09:15 — Nguyễn Văn An — Forward → Forwarded" */
    text = g_strdup_printf (_("%s — %s — %s → %s"), when, e->actor_name ? e->actor_name : "",
                            ioc_action_get_label (e->action), ioc_task_state_get_label (e->to_state));
  else
    text = g_strdup_printf ("%s — %s — %s", when, e->actor_name ? e->actor_name : "",
                            ioc_action_get_label (e->action));

  head = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (head), 0);
  gtk_label_set_wrap (GTK_LABEL (head), TRUE);
  gtk_box_append (GTK_BOX (box), head);

  if (e->note != NULL && *e->note)
    {
      note = gtk_label_new (e->note);
      gtk_label_set_xalign (GTK_LABEL (note), 0);
      gtk_label_set_wrap (GTK_LABEL (note), TRUE);
      gtk_label_set_selectable (GTK_LABEL (note), TRUE);
      gtk_widget_add_css_class (note, "dim-label");
      gtk_box_append (GTK_BOX (box), note);
    }

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  return box;
}

void
ioc_task_details_set_task (IocTaskDetails *self,
                           IocTask        *task,
                           IocUser        *user,
                           IocReference   *reference)
{
  gboolean shown = task != NULL;
  int row = 0;

  g_clear_pointer (&self->task, ioc_task_unref);
  self->task = task ? ioc_task_ref (task) : NULL;
  self->offered = 0;

  clear_children (GTK_WIDGET (self->actions_box));
  clear_children (GTK_WIDGET (self->fields_grid));
  clear_children (GTK_WIDGET (self->timeline_list));

  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label), !shown);
  gtk_widget_set_visible (GTK_WIDGET (self->title_label), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->timeline_heading), shown && task->timeline != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->timeline_list), shown && task->timeline != NULL);
  if (!shown)
    return;

  {
    g_autofree char *title = g_strdup_printf ("#%" G_GINT64_FORMAT " %s", task->id, task->title);
    gtk_label_set_label (self->title_label, title);
  }

  if (user != NULL)
    {
      gboolean own = user->role == IOC_ROLE_LIAISON && g_strcmp0 (user->department, task->department) == 0;

      /* The same table the server enforces decides which buttons exist. */
      self->offered = ioc_workflow_allowed_actions (task->state, user->role, own, TRUE);
      for (int a = 0; a < IOC_N_ACTIONS; a++)
        if (self->offered & (1u << a))
          {
            GtkWidget *button = gtk_button_new_with_label (ioc_action_get_label (a));

            g_object_set_data (G_OBJECT (button), "ioc-action", GINT_TO_POINTER (a));
            if (a == IOC_ACTION_FORWARD || a == IOC_ACTION_ACKNOWLEDGE || a == IOC_ACTION_RESOLVE ||
                a == IOC_ACTION_VERIFY || a == IOC_ACTION_CLOSE)
              gtk_widget_add_css_class (button, "suggested-action");
            g_signal_connect (button, "clicked", G_CALLBACK (on_action_clicked_cb), self);
            gtk_flow_box_append (self->actions_box, button);
          }
    }

  {
    IocCategory *category = reference && task->category ? g_hash_table_lookup (reference->categories, task->category) : NULL;
    IocCommune *commune = reference && task->commune ? g_hash_table_lookup (reference->communes, task->commune) : NULL;
    IocDepartment *department = reference && task->department
                                ? g_hash_table_lookup (reference->departments, task->department) : NULL;
    g_autofree char *created = ioc_format_time (task->created_at);
    g_autofree char *updated = ioc_format_time (task->updated_at);
    g_autofree char *due = ioc_format_time (task->due_at);
    g_autofree char *location = task->has_location ? g_strdup_printf ("%.6f, %.6f", task->lat, task->lon) : NULL;
    g_autofree char *rating = task->rating > 0 ? g_strdup_printf ("%d/5", (int) task->rating) : NULL;
    g_autofree char *duplicate = task->duplicate_of > 0 ? g_strdup_printf ("#%" G_GINT64_FORMAT, task->duplicate_of) : NULL;

    add_field (self, &row, _("State"), ioc_task_state_get_label (task->state));
    add_field (self, &row, _("Priority"), ioc_priority_get_label (task->priority));
    add_field (self, &row, _("Category"), category ? category->name_vi : task->category);
    add_field (self, &row, _("Source"), ioc_source_get_label (task->source));
    add_field (self, &row, _("Description"), task->description);
    add_field (self, &row, _("Address"), task->address);
    add_field (self, &row, _("Commune"), commune ? commune->name : task->commune);
    add_field (self, &row, _("Location"), location);
    add_field (self, &row, _("Department"), department ? department->name_vi : task->department);
    add_field (self, &row, _("Due time"), due);
    add_field (self, &row, _("Result"), task->result);
    add_field (self, &row, _("Satisfaction"), rating);
    add_field (self, &row, _("Duplicate of"), duplicate);
    add_field (self, &row, _("Reporter"), task->reporter_name);
    add_field (self, &row, _("Phone"), task->reporter_phone);
    add_field (self, &row, _("E-mail"), task->reporter_email);
    add_field (self, &row, C_("task field", "Received at"), created);
    add_field (self, &row, C_("task field", "Updated at"), updated);
  }

  if (task->timeline != NULL)
    for (guint i = 0; i < task->timeline->len; i++)
      gtk_list_box_append (self->timeline_list, timeline_row (g_ptr_array_index (task->timeline, i)));
}

IocTask *
ioc_task_details_get_task (IocTaskDetails *self)
{
  return self->task;
}

guint
ioc_task_details_get_offered_actions (IocTaskDetails *self)
{
  return self->offered;
}

static void
ioc_task_details_dispose (GObject *object)
{
  IocTaskDetails *self = IOC_TASK_DETAILS (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_TASK_DETAILS);
  g_clear_pointer (&self->task, ioc_task_unref);

  G_OBJECT_CLASS (ioc_task_details_parent_class)->dispose (object);
}

static void
ioc_task_details_class_init (IocTaskDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_task_details_dispose;

  signals[ACTION_REQUESTED] =
    g_signal_new ("action-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-task-details.ui");
  gtk_widget_class_bind_template_child (widget_class, IocTaskDetails, scroller);
  gtk_widget_class_bind_template_child (widget_class, IocTaskDetails, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, IocTaskDetails, title_label);
  gtk_widget_class_bind_template_child (widget_class, IocTaskDetails, actions_box);
  gtk_widget_class_bind_template_child (widget_class, IocTaskDetails, fields_grid);
  gtk_widget_class_bind_template_child (widget_class, IocTaskDetails, timeline_heading);
  gtk_widget_class_bind_template_child (widget_class, IocTaskDetails, timeline_list);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ioc_task_details_init (IocTaskDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ioc_task_details_set_task (self, NULL, NULL, NULL);
}
