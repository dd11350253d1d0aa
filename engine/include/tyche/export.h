/* export.h - a result's tables as CSV or JSON files (docs/export.md): one
 * file per table (outcomes, factors, derived values, queries, observations,
 * differences, each sweep, sensitivity, time curves, ...) in one folder,
 * for pandas, R or a spreadsheet. It reads a ty_results as plain data (the
 * io module reads the file); it never touches HDF5.
 *
 * CSV is RFC 4180: a header row, CRLF line ends, UTF-8 without a byte-order
 * mark; a field holding a comma, a double quote, CR or LF is put in double
 * quotes with its quotes doubled. Numbers are the shortest of %.15g, %.16g
 * and %.17g that reads back to the same double (0.003, not
 * 0.0030000000000000001); a number that is NaN or infinite, and an absent
 * string (a missing label), is an empty field. Counts and flags are
 * integers. JSON is one file per table too, an
 * array of row objects with the CSV's column names in the same order, the
 * same numbers, and null where the CSV has an empty field.
 *
 * Every file is written under a temporary name in the folder
 * (".NAME.tmp-PID-XXXXXXXX"), fsynced, and only when every table of the
 * export is written are they all renamed into place and the folder
 * fsynced: a failure (a full disk) before the renames leaves no new file
 * and every older one as it was, and never a partial file under a final
 * name. Files of tables this export does not have are left alone.
 *
 * Errors: a status (TY_ERR_INVALID for a bad option, such as an unknown
 * variant; TY_ERR_IO for the file system; TY_ERR_NOMEM) and one diagnostic
 * on the caller's ty_diag. Nothing prints. No state: calls on different
 * results may run in different threads. */
#ifndef TYCHE_EXPORT_H
#define TYCHE_EXPORT_H

#include "common.h"
#include "diag.h"
#include "results.h"

typedef enum ty_export_format {
    TY_EXPORT_CSV = 0,
    TY_EXPORT_JSON = 1
} ty_export_format;

/* "csv", "json"; NULL for another value. The inverse returns -1 for an
 * unknown name. */
const char *ty_export_format_name(int format);
int ty_export_format_from_name(const char *name);

typedef struct ty_export_options {
    int format;              /* ty_export_format; default TY_EXPORT_CSV */
    const char *variant;     /* NULL (default): every run, and the sweeps; a
                                batch's tables then have a first column
                                `variant`. A name: that run alone, without
                                the `variant` column and without the
                                sweeps (they are not runs). */
} ty_export_options;

/* Fills *opt with the defaults above. */
void ty_export_options_init(ty_export_options *opt);

/* What ty_export_write did: the files written and their rows in all
 * (header rows not counted). */
typedef struct ty_export_summary {
    size_t nfiles;
    size_t nrows;
} ty_export_summary;

/* The default folder for the tables of the result at result_path: the path
 * without its ".h5" (if it has one) plus "-export", so results/x.h5 gives
 * results/x-export. Returns TY_OK with a new string in *out (the caller
 * frees it), or TY_ERR_NOMEM with *out NULL. */
ty_status ty_export_default_dir(const char *result_path, char **out);

/* Checks that r has a run named variant. TY_OK when it has (variant NULL
 * always passes); else TY_ERR_INVALID and one diagnostic without a
 * position, "no variant 'X' (the result's variants: a, b, c)", with
 * the hint "did you mean 'b'?" when one name is close (suggest.h). */
ty_status ty_export_check_variant(const ty_results *r, const char *variant, ty_diag *diag);

/* Writes r's tables into the folder dir, creating it when missing (its
 * parent must exist), one file per table that has rows: NAME.csv or
 * NAME.json (the names and columns are docs/export.md's). opt may be NULL
 * (defaults). *summary, when not NULL, is set on success (zeros on error).
 * Errors: TY_ERR_INVALID for an unknown variant (ty_export_check_variant's
 * diagnostic) or format; TY_ERR_IO when dir cannot be made or is not a
 * folder, when a final name is taken by something other than a regular
 * file, or when a write, fsync or rename fails (the diagnostic names the
 * file: "DIR/outcomes.csv: cannot write: No space left on device"); then
 * every temporary file is removed and no final name was replaced, except
 * after a failed rename (the tables renamed before it stay, each whole).
 * TY_ERR_NOMEM. A failed fsync of the folder after the renames is reported
 * too (the files are in place). */
ty_status ty_export_write(const ty_results *r, const char *dir, const ty_export_options *opt,
                          ty_export_summary *summary, ty_diag *diag);

#endif
