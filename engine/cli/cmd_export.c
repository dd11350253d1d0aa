/* cmd_export.c - `tyche export RESULT.h5 --format csv|json [--variant V]
 * [-o DIR] [--quiet]`: reads a result file and writes its tables, one file
 * each, into a folder (export.h, docs/export.md). Exit 1 when the file
 * cannot be read or the folder written, 2 for bad options (an unknown
 * variant among them). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "tyche/export.h"
#include "tyche/io.h"

typedef struct export_args {
    const char *input, *dir, *variant;
    int format;               /* -1 until --format */
    int quiet;
} export_args;

static int parse(int argc, char **argv, export_args *a)
{
    const char *verb = "export";
    memset(a, 0, sizeof *a);
    a->format = -1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (o[0] != '-' || strcmp(o, "-") == 0) {
            if (a->input) return cli_usage_error(verb, "one file at a time ('%s' and '%s')", a->input, o);
            a->input = o;
            continue;
        }
        if (strcmp(o, "--quiet") == 0) { a->quiet = 1; continue; }
        if (strcmp(o, "-o") != 0 && strcmp(o, "--format") != 0 && strcmp(o, "--variant") != 0)
            return cli_usage_error(verb, "unknown option '%s'", o);
        if (!v) return cli_usage_error(verb, "option '%s' needs a value", o);
        i++;
        if (strcmp(o, "-o") == 0) {
            if (!*v) return cli_usage_error(verb, "-o: the folder is empty");
            a->dir = v;
        } else if (strcmp(o, "--format") == 0) {
            a->format = ty_export_format_from_name(v);
            if (a->format < 0) return cli_usage_error(verb, "--format: '%s' is not csv or json", v);
        } else {
            if (!*v) return cli_usage_error(verb, "--variant: the name is empty");
            a->variant = v;
        }
    }
    if (!a->input) return cli_usage_error(verb, "missing RESULT.h5");
    if (a->format < 0) return cli_usage_error(verb, "missing --format csv|json");
    return 0;
}

/* An unknown --variant: a usage error with the variants and a hint, from
 * the library's diagnostic. */
static int variant_error(const export_args *a, const ty_diag *diag)
{
    const ty_diag_entry *e = ty_diag_count(diag) ? ty_diag_get(diag, 0) : NULL;
    if (!e) return cli_usage_error("export", "--variant: no variant '%s' in %s", a->variant, a->input);
    return cli_usage_error("export", "%s: %s%s%s", a->input, e->message, e->hint ? "; " : "",
                           e->hint ? e->hint : "");
}

/* Reports a failed read or write (exit 1), or an out-of-memory. */
static int runtime_error(const ty_diag *diag, ty_status st)
{
    cli_print_diags(diag);
    if (st == TY_ERR_NOMEM && !cli_diags_say_oom(diag)) fprintf(stderr, "tyche export: out of memory\n");
    return EXIT_RUNTIME;
}

int cmd_export(int argc, char **argv)
{
    export_args a;
    if (parse(argc, argv, &a)) return EXIT_USAGE;
    ty_diag *diag = ty_diag_new(20);
    if (!diag) { fprintf(stderr, "tyche export: out of memory\n"); return EXIT_RUNTIME; }
    ty_results *r = NULL;
    char *dir = NULL;
    int rc = EXIT_OK;
    ty_status st = ty_results_read(a.input, &r, diag);
    if (st != TY_OK) {
        rc = runtime_error(diag, st);
    } else if ((st = ty_export_check_variant(r, a.variant, diag)) != TY_OK) {
        rc = st == TY_ERR_INVALID ? variant_error(&a, diag) : runtime_error(diag, st);
    } else if (!a.dir && ty_export_default_dir(a.input, &dir) != TY_OK) {
        fprintf(stderr, "tyche export: out of memory\n");
        rc = EXIT_RUNTIME;
    } else {
        ty_export_options opt;
        ty_export_options_init(&opt);
        opt.format = a.format;
        opt.variant = a.variant;
        ty_export_summary sum;
        const char *out = a.dir ? a.dir : dir;
        st = ty_export_write(r, out, &opt, &sum, diag);
        if (st != TY_OK) rc = runtime_error(diag, st);
        else if (!a.quiet)
            fprintf(stderr, "tyche: wrote %zu %s files (%zu rows) to %s\n", sum.nfiles,
                    ty_export_format_name(a.format), sum.nrows, out);
    }
    free(dir);
    ty_results_free(r);
    ty_diag_free(diag);
    return rc;
}
