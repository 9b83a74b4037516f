/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ioc-client.h"

G_BEGIN_DECLS

/*
 * A liaison submits their department's indicator values: one value with a
 * form, or many from a CSV file. The file is read and checked here, row by
 * row, with the server's rules where the console can know them (the header,
 * numbers, periods, the department's own indicators, known communes,
 * repeated rows); every row is listed with its result, and nothing is sent
 * while any row is bad. What the server still refuses comes back per line
 * into the same list.
 *
 * Actions: submit.import-csv (asks for a file), submit.send-csv,
 * submit.send-form. Signal "submitted" (GStrv codes) after values were stored.
 */

#define IOC_TYPE_INDICATOR_SUBMIT (ioc_indicator_submit_get_type ())
G_DECLARE_FINAL_TYPE (IocIndicatorSubmit, ioc_indicator_submit, IOC, INDICATOR_SUBMIT, GtkWidget)

typedef enum {
  IOC_SUBMIT_EMPTY,        /* no file yet */
  IOC_SUBMIT_CHECKING,     /* reading and checking a file */
  IOC_SUBMIT_HAS_ERRORS,   /* some rows are bad: nothing can be sent */
  IOC_SUBMIT_READY,        /* every row is good */
  IOC_SUBMIT_SENDING,
  IOC_SUBMIT_STORED,       /* the server stored the values */
  IOC_SUBMIT_REFUSED,      /* the server refused lines; nothing was stored */
  IOC_SUBMIT_FAILED,       /* the file or the server could not be reached */
} IocSubmitState;

/* One data row of a CSV as checked. */
typedef struct {
  guint  line;        /* in the file, the header being line 1 */
  char  *indicator;
  char  *period;
  char  *area;
  char  *value;
  char  *problem;     /* NULL when the row is good */
} IocSubmitRow;

void        ioc_submit_row_free                (IocSubmitRow *row);

/* Checks a CSV (RFC 4180, UTF-8) for @department's liaison (NULL: any
 * indicator, as for an admin) against @indicators (code → IocIndicator)
 * and @communes (code → name) at @now. Returns the rows (IocSubmitRow);
 * a bad header gives one row for line 1. NULL with @error when the text is
 * not CSV at all. Pure: the tests run it without a display. */
GPtrArray  *ioc_indicator_check_csv            (const char  *text,
                                                gsize        length,
                                                GHashTable  *indicators,
                                                GHashTable  *communes,
                                                const char  *department,
                                                gint64       now,
                                                GError     **error);

GtkWidget  *ioc_indicator_submit_new           (void);
/* @indicators: the catalogue (IocIndicator); the form offers the user's
 * department's. @communes: code → name. */
void        ioc_indicator_submit_set_context   (IocIndicatorSubmit *self,
                                                IocClient          *client,
                                                IocUser            *user,
                                                GPtrArray          *indicators,
                                                GHashTable         *communes);
/* Reads and checks @file (asynchronously). */
void        ioc_indicator_submit_load_file     (IocIndicatorSubmit *self,
                                                GFile              *file);
/* Checks @text as if read from a file named @name. */
void        ioc_indicator_submit_load_text     (IocIndicatorSubmit *self,
                                                const char         *name,
                                                const char         *text,
                                                gssize              length);
/* The form, for tests and for a caller that opens it on one indicator. */
void        ioc_indicator_submit_set_form      (IocIndicatorSubmit *self,
                                                const char         *indicator,
                                                const char         *period,
                                                const char         *area,
                                                const char         *value);
IocSubmitState ioc_indicator_submit_get_state  (IocIndicatorSubmit *self);
guint       ioc_indicator_submit_get_n_rows    (IocIndicatorSubmit *self);
guint       ioc_indicator_submit_get_n_bad     (IocIndicatorSubmit *self);
/* The row of the file's @line, or NULL. */
const IocSubmitRow *ioc_indicator_submit_get_row (IocIndicatorSubmit *self,
                                                  guint               line);
/* What the section says now (the file's or the form's latest message). */
const char *ioc_indicator_submit_get_message   (IocIndicatorSubmit *self);
const char *ioc_indicator_submit_get_form_message (IocIndicatorSubmit *self);
/* Whether the form's latest submission is still on its way. */
gboolean    ioc_indicator_submit_is_form_busy  (IocIndicatorSubmit *self);

G_END_DECLS
