/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "ioc-intake-dialog.h"

/* A searchable choice among many (103 communes, dozens of categories):
 * a button that opens a list filtered by the words typed, matched without
 * case or diacritics ("tan an" finds "Tân An"). */
typedef struct {
  IocIntakeDialog    *self;
  GtkMenuButton      *button;
  GtkSearchEntry     *search;
  GtkStringList      *codes;
  GHashTable         *names;       /* code → name (owned strings) */
  GHashTable         *folded;      /* code → folded name + code */
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  char               *query;       /* folded */
  char               *selected;
  const char         *placeholder;
} Choice;

struct _IocIntakeDialog
{
  AdwWindow          parent_instance;

  GtkWidget         *create_button;
  GtkWidget         *spinner;
  GtkLabel          *error_label;
  GtkGrid           *form_grid;
  IocLocationPicker *picker;
  GtkEntry          *latitude_entry;
  GtkEntry          *longitude_entry;
  GtkLabel          *location_error_label;
  GtkLabel          *location_warning_label;

  GtkEntry          *title_entry;
  GtkTextView       *description_view;
  GtkEntry          *address_entry;
  GtkDropDown       *priority_dropdown;
  GtkDropDown       *source_dropdown;
  GtkEntry          *reporter_name_entry;
  GtkEntry          *reporter_phone_entry;
  GtkEntry          *reporter_email_entry;
  GtkLabel          *category_hint_label;
  Choice            *category;
  Choice            *commune;

  GHashTable        *field_errors;   /* field → GtkLabel (borrowed) */
  GHashTable        *field_widgets;  /* field → GtkWidget that turns red */

  IocClient         *client;
  IocReference      *reference;
  GCancellable      *cancellable;
  char              *key;            /* kept for every retry until created */
  gboolean           busy;
  gboolean           syncing;
  gboolean           has_field_message;  /* the message above is about marked fields */
};

G_DEFINE_FINAL_TYPE (IocIntakeDialog, ioc_intake_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The order of the priority and source lists. */
static const IocPriority priorities[] = {
  IOC_PRIORITY_URGENT, IOC_PRIORITY_HIGH, IOC_PRIORITY_NORMAL, IOC_PRIORITY_LOW,
};
static const IocSource sources[] = {
  IOC_SOURCE_HOTLINE, IOC_SOURCE_OPERATOR, IOC_SOURCE_DEPARTMENT, IOC_SOURCE_CITIZEN_APP,
};

static void clear_field_error (IocIntakeDialog *self, const char *field);
static void update_category_hint (IocIntakeDialog *self);

/* Choices */

static void
choice_free (Choice *choice)
{
  g_clear_object (&choice->codes);
  g_clear_object (&choice->filtered);
  g_clear_pointer (&choice->names, g_hash_table_unref);
  g_clear_pointer (&choice->folded, g_hash_table_unref);
  g_free (choice->query);
  g_free (choice->selected);
  g_free (choice);
}

static gboolean
choice_filter_func (gpointer item,
                    gpointer data)
{
  Choice *choice = data;
  const char *code = gtk_string_object_get_string (item);

  if (choice->query == NULL || *choice->query == '\0')
    return TRUE;
  return ioc_text_matches (g_hash_table_lookup (choice->folded, code), choice->query);
}

static void
choice_update_button (Choice *choice)
{
  const char *name = choice->selected ? g_hash_table_lookup (choice->names, choice->selected) : NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (name ? name : choice->placeholder);

  /* Looks like the drop-downs next to it: the text at the start, an arrow at the end. */
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  if (name == NULL)
    gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("pan-down-symbolic"));
  gtk_widget_set_hexpand (box, TRUE);
  gtk_menu_button_set_child (choice->button, box);
  gtk_widget_set_halign (box, GTK_ALIGN_FILL);
  gtk_widget_set_halign (gtk_widget_get_parent (box), GTK_ALIGN_FILL);
}

static gboolean
choice_select (Choice     *choice,
               const char *code)
{
  if (code != NULL && !g_hash_table_contains (choice->names, code))
    return FALSE;
  g_free (choice->selected);
  choice->selected = g_strdup (code);
  choice_update_button (choice);
  return TRUE;
}

static void
on_choice_search_changed_cb (GtkSearchEntry *entry,
                             Choice         *choice)
{
  g_free (choice->query);
  choice->query = ioc_text_fold (gtk_editable_get_text (GTK_EDITABLE (entry)));
  gtk_filter_changed (GTK_FILTER (choice->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void choice_picked (Choice *choice, const char *code);

static void
on_choice_activate_cb (GtkListView *list,
                       guint        position,
                       Choice      *choice)
{
  g_autoptr(GtkStringObject) item = g_list_model_get_item (G_LIST_MODEL (choice->filtered), position);

  if (item != NULL)
    choice_picked (choice, gtk_string_object_get_string (item));
}

/* Enter in the search box takes the first match. */
static void
on_choice_search_activate_cb (GtkSearchEntry *entry,
                              Choice         *choice)
{
  on_choice_activate_cb (NULL, 0, choice);
}

static void
setup_choice_row_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     Choice                   *choice)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 4);
  gtk_widget_set_margin_bottom (label, 4);
  gtk_list_item_set_child (item, label);
}

static void
bind_choice_row_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    Choice                   *choice)
{
  const char *code = gtk_string_object_get_string (gtk_list_item_get_item (item));

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), g_hash_table_lookup (choice->names, code));
}

static int
compare_by_name (gconstpointer a,
                 gconstpointer b,
                 gpointer      data)
{
  GHashTable *names = data;

  return g_utf8_collate (g_hash_table_lookup (names, *(const char **) a),
                         g_hash_table_lookup (names, *(const char **) b));
}

/* @names: code → name, taken. */
static Choice *
choice_new (IocIntakeDialog *self,
            GHashTable      *names,
            const char      *placeholder)
{
  Choice *choice = g_new0 (Choice, 1);
  g_autoptr(GPtrArray) codes = g_ptr_array_new ();
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkSingleSelection) selection = NULL;
  GHashTableIter iter;
  gpointer code, name;
  GtkWidget *popover, *box, *scroller, *list;

  choice->self = self;
  choice->names = names;
  choice->placeholder = placeholder;
  choice->folded = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  choice->codes = gtk_string_list_new (NULL);

  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &code, &name))
    {
      g_autofree char *both = g_strconcat (name, " ", code, NULL);

      g_ptr_array_add (codes, code);
      g_hash_table_insert (choice->folded, code, ioc_text_fold (both));
    }
  g_ptr_array_sort_with_data (codes, compare_by_name, names);
  for (guint i = 0; i < codes->len; i++)
    gtk_string_list_append (choice->codes, g_ptr_array_index (codes, i));

  choice->filter = gtk_custom_filter_new (choice_filter_func, choice, NULL);
  choice->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (choice->codes)),
                                                GTK_FILTER (choice->filter));
  selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (choice->filtered)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_choice_row_cb), choice);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_choice_row_cb), choice);
  list = gtk_list_view_new (GTK_SELECTION_MODEL (g_steal_pointer (&selection)), g_steal_pointer (&factory));
  gtk_list_view_set_single_click_activate (GTK_LIST_VIEW (list), TRUE);
  g_signal_connect (list, "activate", G_CALLBACK (on_choice_activate_cb), choice);

  choice->search = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_signal_connect (choice->search, "search-changed", G_CALLBACK (on_choice_search_changed_cb), choice);
  g_signal_connect (choice->search, "activate", G_CALLBACK (on_choice_search_activate_cb), choice);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scroller), 360);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (choice->search));
  gtk_box_append (GTK_BOX (box), scroller);
  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_popover_set_default_widget (GTK_POPOVER (popover), NULL);

  choice->button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_popover (choice->button, popover);
  gtk_widget_set_hexpand (GTK_WIDGET (choice->button), TRUE);
  choice_update_button (choice);
  return choice;
}

static void
on_choice_popover_shown_cb (GtkPopover *popover,
                            Choice     *choice)
{
  gtk_editable_set_text (GTK_EDITABLE (choice->search), "");
  gtk_widget_grab_focus (GTK_WIDGET (choice->search));
}

/* Fields */

static const char *
field_for_widget_key (const char *field)
{
  /* The server names a coordinate as "location", "location.lat" … */
  if (g_str_has_prefix (field, "location") || g_str_equal (field, "latitude") || g_str_equal (field, "longitude"))
    return "location";
  return field;
}

static void
set_field_error (IocIntakeDialog *self,
                 const char      *field,
                 const char      *text)
{
  const char *key = field_for_widget_key (field);
  GtkLabel *label = g_hash_table_lookup (self->field_errors, key);
  GPtrArray *widgets = g_hash_table_lookup (self->field_widgets, key);

  if (label == NULL)
    return;
  gtk_label_set_label (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
  for (guint i = 0; widgets != NULL && i < widgets->len; i++)
    {
      if (text != NULL)
        gtk_widget_add_css_class (g_ptr_array_index (widgets, i), "error");
      else
        gtk_widget_remove_css_class (g_ptr_array_index (widgets, i), "error");
    }
}

static void
set_error (IocIntakeDialog *self,
           const char      *text)
{
  gtk_label_set_label (self->error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

static void
clear_field_error (IocIntakeDialog *self,
                   const char      *field)
{
  GHashTableIter iter;
  gpointer label;

  set_field_error (self, field, NULL);

  /* The message above the form points at marked fields: it goes with the
   * last of them. */
  g_hash_table_iter_init (&iter, self->field_errors);
  while (g_hash_table_iter_next (&iter, NULL, &label))
    if (gtk_widget_get_visible (label))
      return;
  if (!self->busy && self->has_field_message)
    {
      set_error (self, NULL);
      self->has_field_message = FALSE;
    }
}

static void
on_field_changed_cb (GtkWidget       *widget,
                     IocIntakeDialog *self)
{
  const char *field = g_object_get_data (G_OBJECT (widget), "ioc-field");

  /* The user is fixing it: the mark goes, the text stays. */
  if (field != NULL)
    clear_field_error (self, field);
}

static void
watch_widget (IocIntakeDialog *self,
              const char      *field,
              GtkWidget       *widget)
{
  GPtrArray *widgets = g_hash_table_lookup (self->field_widgets, field);

  if (widgets == NULL)
    {
      widgets = g_ptr_array_new ();
      g_hash_table_insert (self->field_widgets, (gpointer) field, widgets);
    }
  g_ptr_array_add (widgets, widget);
  g_object_set_data (G_OBJECT (widget), "ioc-field", (gpointer) field);
  if (GTK_IS_EDITABLE (widget))
    g_signal_connect (widget, "changed", G_CALLBACK (on_field_changed_cb), self);
}

static void
add_field (IocIntakeDialog *self,
           int             *row,
           const char      *field,
           const char      *label_text,
           gboolean         required,
           GtkWidget       *widget)
{
  g_autofree char *text = required ? g_strdup_printf ("%s *", label_text) : g_strdup (label_text);
  GtkWidget *label = gtk_label_new_with_mnemonic (text);
  GtkWidget *error = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_set_valign (label, GTK_ALIGN_START);
  gtk_widget_set_margin_top (label, 8);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_widget_set_hexpand (widget, TRUE);
  gtk_widget_set_margin_top (widget, 4);

  gtk_label_set_xalign (GTK_LABEL (error), 0);
  gtk_label_set_wrap (GTK_LABEL (error), TRUE);
  gtk_widget_add_css_class (error, "error");
  gtk_widget_add_css_class (error, "caption");
  gtk_widget_set_visible (error, FALSE);

  gtk_grid_attach (self->form_grid, label, 0, *row, 1, 1);
  gtk_grid_attach (self->form_grid, widget, 1, *row, 1, 1);
  gtk_grid_attach (self->form_grid, error, 1, *row + 1, 1, 1);
  *row += 2;

  g_hash_table_insert (self->field_errors, (gpointer) field, error);
  if (GTK_IS_SCROLLED_WINDOW (widget))
    watch_widget (self, field, gtk_widget_get_parent (widget) ? widget : widget);
  else if (!GTK_IS_MENU_BUTTON (widget))
    watch_widget (self, field, widget);
}

static void
add_heading (IocIntakeDialog *self,
             int             *row,
             const char      *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (label, *row > 0 ? 18 : 0);
  gtk_widget_set_margin_bottom (label, 4);
  gtk_grid_attach (self->form_grid, label, 0, *row, 2, 1);
  *row += 1;
}

static GtkEntry *
new_entry (int max_length)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_max_length (GTK_ENTRY (entry), max_length);
  return GTK_ENTRY (entry);
}

static void
on_description_changed_cb (GtkTextBuffer   *buffer,
                           IocIntakeDialog *self)
{
  clear_field_error (self, "description");
}

static void
on_priority_changed_cb (IocIntakeDialog *self)
{
  clear_field_error (self, "priority");
}

static void
on_category_picked (IocIntakeDialog *self)
{
  clear_field_error (self, "category");
  update_category_hint (self);
}

static void
choice_picked (Choice     *choice,
               const char *code)
{
  IocIntakeDialog *self = choice->self;

  choice_select (choice, code);
  gtk_menu_button_popdown (choice->button);
  if (choice == self->category)
    on_category_picked (self);
  else
    clear_field_error (self, "commune");
}

static void
update_category_hint (IocIntakeDialog *self)
{
  IocCategory *category = NULL;
  IocDepartment *department = NULL;
  g_autofree char *text = NULL;
  GtkStringList *priorities_model = GTK_STRING_LIST (gtk_drop_down_get_model (self->priority_dropdown));
  g_autofree char *first = NULL;

  if (self->category->selected != NULL && self->reference != NULL)
    category = g_hash_table_lookup (self->reference->categories, self->category->selected);
  if (category != NULL && category->department != NULL && self->reference->departments != NULL)
    department = g_hash_table_lookup (self->reference->departments, category->department);

  if (category != NULL)
    {
      /* TRANSLATORS: under the category: its usual department, processing time in hours and priority */
      text = g_strdup_printf (_("Usually forwarded to %s, to be handled within %d h; priority %s."),
                              department ? department->name_vi : (category->department ? category->department
                                                                                        : _("no department")),
                              (int) category->sla_hours, ioc_priority_get_label (category->priority));
      /* TRANSLATORS: the first priority choice, with the category's priority */
      first = g_strdup_printf (_("The category's (%s)"), ioc_priority_get_label (category->priority));
    }
  else
    first = g_strdup (_("The category's"));

  gtk_label_set_label (self->category_hint_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->category_hint_label), text != NULL);
  {
    guint selected = gtk_drop_down_get_selected (self->priority_dropdown);
    const char * const additions[] = { first, NULL };

    gtk_string_list_splice (priorities_model, 0, 1, additions);
    gtk_drop_down_set_selected (self->priority_dropdown, selected);
  }
}

static void
build_form (IocIntakeDialog *self)
{
  g_autoptr(GHashTable) category_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) commune_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GtkStringList) priority_names = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) source_names = gtk_string_list_new (NULL);
  GtkWidget *scroller;
  GHashTableIter iter;
  gpointer key, value;
  int row = 0;

  if (self->reference != NULL && self->reference->categories != NULL)
    {
      g_hash_table_iter_init (&iter, self->reference->categories);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (category_names, g_strdup (key), g_strdup (((IocCategory *) value)->name_vi));
    }
  if (self->reference != NULL && self->reference->communes != NULL)
    {
      g_hash_table_iter_init (&iter, self->reference->communes);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (commune_names, g_strdup (key), g_strdup (((IocCommune *) value)->name));
    }

  add_heading (self, &row, _("Report"));

  self->category = choice_new (self, g_steal_pointer (&category_names), _("Choose a category…"));
  g_signal_connect (gtk_menu_button_get_popover (self->category->button), "show",
                    G_CALLBACK (on_choice_popover_shown_cb), self->category);
  add_field (self, &row, "category", _("_Category"), TRUE, GTK_WIDGET (self->category->button));
  watch_widget (self, "category", GTK_WIDGET (self->category->button));
  self->category_hint_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->category_hint_label, 0);
  gtk_label_set_wrap (self->category_hint_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->category_hint_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->category_hint_label), "caption");
  gtk_widget_set_visible (GTK_WIDGET (self->category_hint_label), FALSE);
  gtk_grid_attach (self->form_grid, GTK_WIDGET (self->category_hint_label), 1, row++, 1, 1);

  self->title_entry = new_entry (IOC_TASK_TITLE_MAX);
  gtk_entry_set_placeholder_text (self->title_entry, _("What is it, in a few words"));
  add_field (self, &row, "title", _("_Title"), TRUE, GTK_WIDGET (self->title_entry));

  self->description_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->description_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (self->description_view, 6);
  gtk_text_view_set_bottom_margin (self->description_view, 6);
  gtk_text_view_set_left_margin (self->description_view, 6);
  gtk_text_view_set_right_margin (self->description_view, 6);
  g_signal_connect (gtk_text_view_get_buffer (self->description_view), "changed",
                    G_CALLBACK (on_description_changed_cb), self);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->description_view));
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 96);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_add_css_class (scroller, "card");
  add_field (self, &row, "description", _("_Description"), FALSE, scroller);

  self->address_entry = new_entry (IOC_TASK_ADDRESS_MAX);
  gtk_entry_set_placeholder_text (self->address_entry, _("House number, street, hamlet…"));
  add_field (self, &row, "address", _("_Address"), FALSE, GTK_WIDGET (self->address_entry));

  self->commune = choice_new (self, g_steal_pointer (&commune_names), _("Choose a commune or ward…"));
  g_signal_connect (gtk_menu_button_get_popover (self->commune->button), "show",
                    G_CALLBACK (on_choice_popover_shown_cb), self->commune);
  add_field (self, &row, "commune", _("Co_mmune or ward"), FALSE, GTK_WIDGET (self->commune->button));
  watch_widget (self, "commune", GTK_WIDGET (self->commune->button));

  gtk_string_list_append (priority_names, _("The category's"));
  for (guint i = 0; i < G_N_ELEMENTS (priorities); i++)
    gtk_string_list_append (priority_names, ioc_priority_get_label (priorities[i]));
  self->priority_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (priority_names)), NULL));
  g_signal_connect_swapped (self->priority_dropdown, "notify::selected", G_CALLBACK (on_priority_changed_cb), self);
  add_field (self, &row, "priority", _("_Priority"), FALSE, GTK_WIDGET (self->priority_dropdown));

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    gtk_string_list_append (source_names, ioc_source_get_label (sources[i]));
  self->source_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (source_names)), NULL));
  add_field (self, &row, "source", _("_Source"), FALSE, GTK_WIDGET (self->source_dropdown));

  add_heading (self, &row, _("Reporter (seen by operators and supervisors only)"));
  self->reporter_name_entry = new_entry (200);
  add_field (self, &row, "reporter.name", _("_Name"), FALSE, GTK_WIDGET (self->reporter_name_entry));
  self->reporter_phone_entry = new_entry (32);
  gtk_entry_set_input_purpose (self->reporter_phone_entry, GTK_INPUT_PURPOSE_PHONE);
  add_field (self, &row, "reporter.phone", _("P_hone"), FALSE, GTK_WIDGET (self->reporter_phone_entry));
  self->reporter_email_entry = new_entry (254);
  gtk_entry_set_input_purpose (self->reporter_email_entry, GTK_INPUT_PURPOSE_EMAIL);
  add_field (self, &row, "reporter.email", _("_E-mail"), FALSE, GTK_WIDGET (self->reporter_email_entry));

  /* The location's error label lives under the map; the coordinates'
   * own handler decides when their mark goes. */
  g_hash_table_insert (self->field_errors, (gpointer) "location", self->location_error_label);
  {
    GPtrArray *widgets = g_ptr_array_new ();

    g_ptr_array_add (widgets, self->latitude_entry);
    g_ptr_array_add (widgets, self->longitude_entry);
    g_hash_table_insert (self->field_widgets, (gpointer) "location", widgets);
  }

  update_category_hint (self);
}

/* Location: the map and the typed coordinates stay in sync */

/* Accepts "10.0339" and the Vietnamese "10,0339". */
static gboolean
parse_coordinate (const char *text,
                  double      min,
                  double      max,
                  double     *out)
{
  g_autofree char *copy = g_strstrip (g_strdup (text ? text : ""));
  char *end = NULL;
  double value;

  g_strdelimit (copy, ",", '.');
  if (*copy == '\0')
    return FALSE;
  errno = 0;
  value = g_ascii_strtod (copy, &end);
  if (errno != 0 || end == copy || *end != '\0' || !(value >= min && value <= max))
    return FALSE;
  *out = value;
  return TRUE;
}

static void
update_location_warning (IocIntakeDialog *self)
{
  gboolean show = FALSE;

  if (ioc_location_picker_get_has_location (self->picker))
    show = !ioc_location_picker_is_in_city (self->picker, ioc_location_picker_get_latitude (self->picker),
                                            ioc_location_picker_get_longitude (self->picker));
  gtk_label_set_label (self->location_warning_label,
                       show ? _("This point is outside Cần Thơ. Check the coordinates (latitude first, then longitude).")
                            : "");
  gtk_widget_set_visible (GTK_WIDGET (self->location_warning_label), show);
}

static void
on_picker_location_changed_cb (IocIntakeDialog *self)
{
  if (self->syncing)
    return;

  self->syncing = TRUE;
  if (ioc_location_picker_get_has_location (self->picker))
    {
      char lat[G_ASCII_DTOSTR_BUF_SIZE], lon[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (lat, sizeof lat, "%.6f", ioc_location_picker_get_latitude (self->picker));
      g_ascii_formatd (lon, sizeof lon, "%.6f", ioc_location_picker_get_longitude (self->picker));
      gtk_editable_set_text (GTK_EDITABLE (self->latitude_entry), lat);
      gtk_editable_set_text (GTK_EDITABLE (self->longitude_entry), lon);
      clear_field_error (self, "location");
    }
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->latitude_entry), "");
      gtk_editable_set_text (GTK_EDITABLE (self->longitude_entry), "");
    }
  self->syncing = FALSE;
  update_location_warning (self);
}

/* Reads the typed pair: TRUE with has_location FALSE when both are empty. */
static gboolean
read_coordinates (IocIntakeDialog *self,
                  gboolean        *has_location,
                  double          *lat,
                  double          *lon,
                  gboolean         show_errors)
{
  const char *lat_text = gtk_editable_get_text (GTK_EDITABLE (self->latitude_entry));
  const char *lon_text = gtk_editable_get_text (GTK_EDITABLE (self->longitude_entry));
  g_autofree char *lat_stripped = g_strstrip (g_strdup (lat_text));
  g_autofree char *lon_stripped = g_strstrip (g_strdup (lon_text));
  const char *problem = NULL;

  *has_location = FALSE;
  if (*lat_stripped == '\0' && *lon_stripped == '\0')
    return TRUE;

  if (!parse_coordinate (lat_stripped, -90, 90, lat))
    problem = _("The latitude must be a number between -90 and 90 (Cần Thơ is near 10.03).");
  else if (!parse_coordinate (lon_stripped, -180, 180, lon))
    problem = _("The longitude must be a number between -180 and 180 (Cần Thơ is near 105.78).");

  if (problem != NULL)
    {
      if (show_errors)
        set_field_error (self, "location", problem);
      return FALSE;
    }
  *has_location = TRUE;
  return TRUE;
}

static void
on_coordinate_changed_cb (IocIntakeDialog *self)
{
  gboolean has_location = FALSE;
  double lat = 0, lon = 0;
  const char *lat_text, *lon_text;

  if (self->syncing)
    return;

  lat_text = gtk_editable_get_text (GTK_EDITABLE (self->latitude_entry));
  lon_text = gtk_editable_get_text (GTK_EDITABLE (self->longitude_entry));
  /* Half typed: wait for the other half before saying anything. */
  if (!read_coordinates (self, &has_location, &lat, &lon, *lat_text != '\0' && *lon_text != '\0'))
    return;
  clear_field_error (self, "location");

  self->syncing = TRUE;
  if (has_location)
    ioc_location_picker_set_location (self->picker, lat, lon);
  else
    ioc_location_picker_clear_location (self->picker);
  self->syncing = FALSE;
  update_location_warning (self);
}

static void
clear_location_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  IocIntakeDialog *self = IOC_INTAKE_DIALOG (widget);

  ioc_location_picker_clear_location (self->picker);
  clear_field_error (self, "location");
}

/* Sending */

static char *
entry_text (GtkEntry *entry)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  return *text ? g_steal_pointer (&text) : NULL;
}

static char *
description_text (IocIntakeDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->description_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  return *text ? g_steal_pointer (&text) : NULL;
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

/* Checks what the console can check and builds the request; NULL with the
 * errors shown at their fields. */
static JsonNode *
build_request (IocIntakeDialog *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *title = entry_text (self->title_entry);
  g_autofree char *description = description_text (self);
  g_autofree char *address = entry_text (self->address_entry);
  g_autofree char *name = entry_text (self->reporter_name_entry);
  g_autofree char *phone = entry_text (self->reporter_phone_entry);
  g_autofree char *email = entry_text (self->reporter_email_entry);
  guint priority = gtk_drop_down_get_selected (self->priority_dropdown);
  guint source = gtk_drop_down_get_selected (self->source_dropdown);
  gboolean has_location = FALSE;
  double lat = 0, lon = 0;
  gboolean ok = TRUE;

  if (self->category->selected == NULL)
    {
      set_field_error (self, "category", _("Choose the category of the report."));
      ok = FALSE;
    }
  if (title == NULL)
    {
      set_field_error (self, "title", _("Enter a short title."));
      ok = FALSE;
    }
  if (description != NULL && g_utf8_strlen (description, -1) > IOC_TASK_DESCRIPTION_MAX)
    {
      g_autofree char *text = g_strdup_printf (_("The description is too long: at most %d characters."),
                                               IOC_TASK_DESCRIPTION_MAX);
      set_field_error (self, "description", text);
      ok = FALSE;
    }
  if (!read_coordinates (self, &has_location, &lat, &lon, TRUE))
    ok = FALSE;
  else if (!has_location && address == NULL)
    {
      set_field_error (self, "location",
                       _("Click the place on the map, type its coordinates, or enter an address."));
      set_field_error (self, "address", _("An address is needed when there is no location."));
      ok = FALSE;
    }
  if (email != NULL && strchr (email, '@') == NULL)
    {
      set_field_error (self, "reporter.email", _("This is not an e-mail address."));
      ok = FALSE;
    }
  if (!ok)
    return NULL;

  json_builder_begin_object (builder);
  add_string (builder, "category", self->category->selected);
  add_string (builder, "title", title);
  add_string (builder, "description", description);
  add_string (builder, "address", address);
  add_string (builder, "commune", self->commune->selected);
  if (has_location)
    {
      json_builder_set_member_name (builder, "location");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "lat");
      json_builder_add_double_value (builder, lat);
      json_builder_set_member_name (builder, "lon");
      json_builder_add_double_value (builder, lon);
      json_builder_end_object (builder);
    }
  /* The first choice leaves it to the server: the category's priority. */
  if (priority > 0 && priority <= G_N_ELEMENTS (priorities))
    add_string (builder, "priority", ioc_priority_to_string (priorities[priority - 1]));
  if (source < G_N_ELEMENTS (sources))
    add_string (builder, "source", ioc_source_to_string (sources[source]));
  if (name != NULL || phone != NULL || email != NULL)
    {
      json_builder_set_member_name (builder, "reporter");
      json_builder_begin_object (builder);
      add_string (builder, "name", name);
      add_string (builder, "phone", phone);
      add_string (builder, "email", email);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
set_busy (IocIntakeDialog *self,
          gboolean         busy)
{
  self->busy = busy;
  gtk_widget_set_visible (self->spinner, busy);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "intake.create", !busy);
}

/* The server's field error in the user's words where we know the field. */
static void
show_server_field_error (IocIntakeDialog *self,
                         const GError    *error)
{
  g_autofree char *field = ioc_error_get_field (error);
  const char *message = error->message;
  g_autofree char *text = NULL;

  if (field != NULL && g_str_has_prefix (message, field) && g_str_has_prefix (message + strlen (field), ": "))
    message += strlen (field) + 2;

  if (field != NULL && g_hash_table_contains (self->field_errors, field_for_widget_key (field)))
    {
      if (g_str_equal (field, "commune"))
        text = g_strdup (_("The server does not know this commune: choose another one."));
      else if (g_str_equal (field, "category"))
        text = g_strdup (_("The server does not know this category: choose another one."));
      else
        /* TRANSLATORS: the server's own words about a field, in English */
        text = g_strdup_printf (_("The server refused this: %s"), message);
      set_field_error (self, field, text);
      set_error (self, _("The server refused the report: correct the marked field and press Create again."));
      self->has_field_message = TRUE;
      return;
    }

  {
    /* TRANSLATORS: the server's own words, in English */
    g_autofree char *all = g_strdup_printf (_("The server refused the report: %s"), error->message);

    set_error (self, all);
  }
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(IocIntakeDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ioc_client_post_json_finish (IOC_CLIENT (source), result, NULL, &error);
  g_autoptr(IocTask) task = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  if (node != NULL)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        task = ioc_task_from_json (json_node_get_object (node), NULL);
      if (task == NULL)
        {
          /* Created all the same: a new key, so that pressing Create again
           * makes a second report only if the user really wants one. */
          set_error (self, _("The report was created, but the server's answer cannot be read. "
                             "Look for it in the queue before entering it again."));
          g_free (self->key);
          self->key = ioc_client_new_idempotency_key ();
          return;
        }
      g_signal_emit (self, signals[SIGNAL_CREATED], 0, task);
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  if (g_error_matches (error, IOC_ERROR, IOC_ERROR_INVALID))
    show_server_field_error (self, error);
  else if (g_error_matches (error, IOC_ERROR, IOC_ERROR_IDEMPOTENCY))
    set_error (self, _("An earlier attempt already reached the server with what was typed then. "
                       "Look for the report in the queue before entering it again."));
  else if (g_error_matches (error, IOC_ERROR, IOC_ERROR_FORBIDDEN))
    set_error (self, _("Only IOC operators may take in reports."));
  else if (g_error_matches (error, IOC_ERROR, IOC_ERROR_UNAUTHORIZED))
    set_error (self, _("Your session has ended. Sign in again in the main window, then press Create: "
                       "what you typed is kept."));
  else
    {
      /* TRANSLATORS: %s says what went wrong with the network or the server */
      g_autofree char *text = g_strdup_printf (_("The report was not sent: %s Nothing typed is lost; "
                                                 "press Create to try again (it will not be created twice)."),
                                               error->message);
      set_error (self, text);
    }
}

void
ioc_intake_dialog_submit (IocIntakeDialog *self)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (IOC_IS_INTAKE_DIALOG (self));

  if (self->busy)
    return;
  set_error (self, NULL);
  self->has_field_message = FALSE;
  body = build_request (self);
  if (body == NULL)
    {
      set_error (self, _("Some fields need attention: see the marks below."));
      self->has_field_message = TRUE;
      return;
    }

  set_busy (self, TRUE);
  ioc_client_post_json_async (self->client, "/api/v1/tasks", body, self->key, self->cancellable, created_cb,
                              g_object_ref (self));
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ioc_intake_dialog_submit (IOC_INTAKE_DIALOG (widget));
}

/* Public */

static GtkEntry *
entry_for (IocIntakeDialog *self,
           const char      *field)
{
  if (g_str_equal (field, "title")) return self->title_entry;
  if (g_str_equal (field, "address")) return self->address_entry;
  if (g_str_equal (field, "latitude")) return self->latitude_entry;
  if (g_str_equal (field, "longitude")) return self->longitude_entry;
  if (g_str_equal (field, "reporter.name")) return self->reporter_name_entry;
  if (g_str_equal (field, "reporter.phone")) return self->reporter_phone_entry;
  if (g_str_equal (field, "reporter.email")) return self->reporter_email_entry;
  return NULL;
}

void
ioc_intake_dialog_set_text (IocIntakeDialog *self,
                            const char      *field,
                            const char      *text)
{
  GtkEntry *entry;

  g_return_if_fail (IOC_IS_INTAKE_DIALOG (self));
  g_return_if_fail (field != NULL);

  if (g_str_equal (field, "description"))
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->description_view), text ? text : "", -1);
      return;
    }
  entry = entry_for (self, field);
  g_return_if_fail (entry != NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), text ? text : "");
}

char *
ioc_intake_dialog_dup_text (IocIntakeDialog *self,
                            const char      *field)
{
  GtkEntry *entry;

  g_return_val_if_fail (IOC_IS_INTAKE_DIALOG (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  if (g_str_equal (field, "description"))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->description_view);
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    }
  entry = entry_for (self, field);
  g_return_val_if_fail (entry != NULL, NULL);
  return g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));
}

gboolean
ioc_intake_dialog_select (IocIntakeDialog *self,
                          const char      *field,
                          const char      *code)
{
  g_return_val_if_fail (IOC_IS_INTAKE_DIALOG (self), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  if (g_str_equal (field, "category"))
    {
      if (!choice_select (self->category, code))
        return FALSE;
      on_category_picked (self);
      return TRUE;
    }
  if (g_str_equal (field, "commune"))
    {
      if (!choice_select (self->commune, code))
        return FALSE;
      clear_field_error (self, "commune");
      return TRUE;
    }
  if (g_str_equal (field, "priority"))
    {
      if (code == NULL)
        {
          gtk_drop_down_set_selected (self->priority_dropdown, 0);
          return TRUE;
        }
      for (guint i = 0; i < G_N_ELEMENTS (priorities); i++)
        if (g_strcmp0 (ioc_priority_to_string (priorities[i]), code) == 0)
          {
            gtk_drop_down_set_selected (self->priority_dropdown, i + 1);
            return TRUE;
          }
      return FALSE;
    }
  if (g_str_equal (field, "source"))
    {
      for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
        if (g_strcmp0 (ioc_source_to_string (sources[i]), code ? code : "hotline") == 0)
          {
            gtk_drop_down_set_selected (self->source_dropdown, i);
            return TRUE;
          }
      return FALSE;
    }
  return FALSE;
}

const char *
ioc_intake_dialog_get_selected (IocIntakeDialog *self,
                                const char      *field)
{
  guint i;

  g_return_val_if_fail (IOC_IS_INTAKE_DIALOG (self), NULL);

  if (g_str_equal (field, "category"))
    return self->category->selected;
  if (g_str_equal (field, "commune"))
    return self->commune->selected;
  if (g_str_equal (field, "priority"))
    {
      i = gtk_drop_down_get_selected (self->priority_dropdown);
      return i > 0 && i <= G_N_ELEMENTS (priorities) ? ioc_priority_to_string (priorities[i - 1]) : NULL;
    }
  if (g_str_equal (field, "source"))
    {
      i = gtk_drop_down_get_selected (self->source_dropdown);
      return i < G_N_ELEMENTS (sources) ? ioc_source_to_string (sources[i]) : NULL;
    }
  return NULL;
}

const char *
ioc_intake_dialog_get_field_error (IocIntakeDialog *self,
                                   const char      *field)
{
  GtkLabel *label;

  g_return_val_if_fail (IOC_IS_INTAKE_DIALOG (self), NULL);

  label = g_hash_table_lookup (self->field_errors, field_for_widget_key (field));
  if (label == NULL || !gtk_widget_get_visible (GTK_WIDGET (label)))
    return NULL;
  return gtk_label_get_label (label);
}

const char *
ioc_intake_dialog_get_error (IocIntakeDialog *self)
{
  g_return_val_if_fail (IOC_IS_INTAKE_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label)) ? gtk_label_get_label (self->error_label) : NULL;
}

const char *
ioc_intake_dialog_get_location_warning (IocIntakeDialog *self)
{
  g_return_val_if_fail (IOC_IS_INTAKE_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->location_warning_label))
         ? gtk_label_get_label (self->location_warning_label) : NULL;
}

gboolean
ioc_intake_dialog_is_busy (IocIntakeDialog *self)
{
  g_return_val_if_fail (IOC_IS_INTAKE_DIALOG (self), FALSE);
  return self->busy;
}

IocLocationPicker *
ioc_intake_dialog_get_location_picker (IocIntakeDialog *self)
{
  g_return_val_if_fail (IOC_IS_INTAKE_DIALOG (self), NULL);
  return self->picker;
}

const char *
ioc_intake_dialog_get_idempotency_key (IocIntakeDialog *self)
{
  g_return_val_if_fail (IOC_IS_INTAKE_DIALOG (self), NULL);
  return self->key;
}

/* The basemap the map view uses too, when the schema is installed. */
static char *
lookup_tile_source (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;
  g_autoptr(GSettings) settings = NULL;

  if (schema == NULL)
    return NULL;
  settings = g_settings_new (APP_ID);
  return g_settings_get_string (settings, "tile-source");
}

GtkWidget *
ioc_intake_dialog_new (GtkWindow    *parent,
                       IocClient    *client,
                       IocReference *reference)
{
  IocIntakeDialog *self;
  g_autofree char *tiles = NULL;

  g_return_val_if_fail (IOC_IS_CLIENT (client), NULL);

  self = g_object_new (IOC_TYPE_INTAKE_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->reference = reference;
  build_form (self);

  tiles = lookup_tile_source ();
  ioc_location_picker_set_tile_source (self->picker, tiles);
  ioc_location_picker_set_client (self->picker, client);
  gtk_widget_grab_focus (GTK_WIDGET (self->category->button));
  return GTK_WIDGET (self);
}

/* GObject */

static void
ioc_intake_dialog_dispose (GObject *object)
{
  IocIntakeDialog *self = IOC_INTAKE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), IOC_TYPE_INTAKE_DIALOG);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ioc_intake_dialog_parent_class)->dispose (object);
}

static void
ioc_intake_dialog_finalize (GObject *object)
{
  IocIntakeDialog *self = IOC_INTAKE_DIALOG (object);

  g_clear_pointer (&self->category, choice_free);
  g_clear_pointer (&self->commune, choice_free);
  g_clear_pointer (&self->field_errors, g_hash_table_unref);
  g_clear_pointer (&self->field_widgets, g_hash_table_unref);
  g_free (self->key);

  G_OBJECT_CLASS (ioc_intake_dialog_parent_class)->finalize (object);
}

static void
ioc_intake_dialog_class_init (IocIntakeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ioc_intake_dialog_dispose;
  object_class->finalize = ioc_intake_dialog_finalize;

  signals[SIGNAL_CREATED] =
    g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, IOC_TYPE_TASK | G_SIGNAL_TYPE_STATIC_SCOPE);

  g_type_ensure (IOC_TYPE_LOCATION_PICKER);

  gtk_widget_class_set_template_from_resource (widget_class, "/vn/gov/cantho/IocConsole/ioc-intake-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, IocIntakeDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, IocIntakeDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, IocIntakeDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, IocIntakeDialog, form_grid);
  gtk_widget_class_bind_template_child (widget_class, IocIntakeDialog, picker);
  gtk_widget_class_bind_template_child (widget_class, IocIntakeDialog, latitude_entry);
  gtk_widget_class_bind_template_child (widget_class, IocIntakeDialog, longitude_entry);
  gtk_widget_class_bind_template_child (widget_class, IocIntakeDialog, location_error_label);
  gtk_widget_class_bind_template_child (widget_class, IocIntakeDialog, location_warning_label);

  gtk_widget_class_install_action (widget_class, "intake.create", NULL, create_action);
  gtk_widget_class_install_action (widget_class, "intake.clear-location", NULL, clear_location_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "intake.create", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ioc_intake_dialog_init (IocIntakeDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->key = ioc_client_new_idempotency_key ();
  self->field_errors = g_hash_table_new (g_str_hash, g_str_equal);
  self->field_widgets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);

  g_signal_connect_swapped (self->picker, "notify::latitude", G_CALLBACK (on_picker_location_changed_cb), self);
  g_signal_connect_swapped (self->picker, "notify::longitude", G_CALLBACK (on_picker_location_changed_cb), self);
  g_signal_connect_swapped (self->picker, "notify::has-location", G_CALLBACK (on_picker_location_changed_cb), self);
  g_signal_connect_swapped (self->latitude_entry, "changed", G_CALLBACK (on_coordinate_changed_cb), self);
  g_signal_connect_swapped (self->longitude_entry, "changed", G_CALLBACK (on_coordinate_changed_cb), self);
}
