/* export_int.h - internal: the pieces of the export module. A table is
 * rendered row by row straight into memory as CSV or JSON (export_render.c);
 * the builders of export_tables.c fill it from a ty_results; export_file.c
 * writes the rendered tables into a folder under temporary names and renames
 * them into place; export.c strings them together (export.h). */
#ifndef TYCHE_EXPORT_INT_H
#define TYCHE_EXPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tyche/diag.h"
#include "tyche/results.h"

/* A growing text buffer; oom is set (and the text left as it was) when an
 * allocation fails, so a builder need not check every append. */
typedef struct export_buf {
    char *p;
    size_t len, cap;
    int oom;
} export_buf;

/* One table being rendered: its file name without the extension, its
 * columns, and the text so far. Cells are given in column order, one call
 * each, after export_table_row; the JSON form needs the column names for
 * every row, so cols must outlive the table. */
typedef struct export_table {
    int format;                /* ty_export_format */
    char *name;                /* owned: "outcomes", "sweep-troop_buildup" */
    const char *const *cols;
    size_t ncols;
    size_t col;                /* cells given in the current row */
    size_t nrows;
    export_buf buf;
} export_table;

/* export_render.c. begin starts the table (CSV: the header row; JSON: the
 * opening bracket), taking a copy of name; finish ends it (JSON: the closing
 * bracket). Each cell: a string (NULL: absent, an empty field or null), a
 * double (NaN and infinities: empty or null; else %.17g), an unsigned or a
 * signed integer. clear frees the table's memory; the struct may be begun
 * again. Out of memory shows as buf.oom (or name NULL after begin). */
void export_table_begin(export_table *t, int format, const char *name, const char *const *cols,
                        size_t ncols);
void export_table_row(export_table *t);
void export_table_str(export_table *t, const char *s);
void export_table_num(export_table *t, double v);
void export_table_u64(export_table *t, uint64_t v);
void export_table_i64(export_table *t, int64_t v);
void export_table_finish(export_table *t);
void export_table_clear(export_table *t);

/* What the builders read: the result, the runs chosen (every run, or one),
 * and whether the tables get the leading `variant` column. */
typedef struct export_ctx {
    const ty_results *r;
    size_t first_run, nruns;   /* runs[first_run .. first_run + nruns) */
    int with_variant;
    int with_sweeps;
    int format;
} export_ctx;

/* export_tables.c. The number of tables an export may have (the fixed list
 * and one per sweep), and table i rendered into *t (begun and finished; t
 * has no rows when the result has none of it: such a table writes no file). */
size_t export_table_count(const export_ctx *c);
void export_table_build(const export_ctx *c, size_t i, export_table *t);

/* export_file.c: a set of files written into one folder, all or none. */
typedef struct export_files export_files;

/* Makes dir if missing (one level) and checks it is a folder this process
 * can write in. Returns a new set in *out, or an error with its diagnostic
 * (*out NULL). */
ty_status export_files_open(const char *dir, export_files **out, ty_diag *diag);

/* Writes text[0..len) to a temporary file for the final name NAME in the
 * folder, fsyncs and closes it. On error removes that temporary file and
 * returns the error (the set's other temporary files stay until
 * export_files_abort). */
ty_status export_files_add(export_files *f, const char *name, const char *text, size_t len,
                           ty_diag *diag);

/* Renames every temporary file into place in the order added, then fsyncs
 * the folder. Always releases f. On a failed rename removes the temporary
 * files not yet renamed. */
ty_status export_files_commit(export_files *f, ty_diag *diag);

/* Removes every temporary file and releases f. NULL is a no-op. */
void export_files_abort(export_files *f);

#endif
