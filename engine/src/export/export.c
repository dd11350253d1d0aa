/* export.c - the export's public face (export.h): options, the default
 * folder, the variant check, and the loop that renders each table of a
 * result and hands the ones with rows to export_file.c. The tables are
 * export_tables.c's, the text export_render.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_int.h"
#include "tyche/export.h"
#include "tyche/suggest.h"

static const char *const format_names[] = {"csv", "json"};

const char *ty_export_format_name(int format)
{
    return format >= 0 && format < 2 ? format_names[format] : NULL;
}

int ty_export_format_from_name(const char *name)
{
    for (int i = 0; name && i < 2; i++)
        if (strcmp(name, format_names[i]) == 0) return i;
    return -1;
}

void ty_export_options_init(ty_export_options *opt)
{
    opt->format = TY_EXPORT_CSV;
    opt->variant = NULL;
}

/* See export.h. */
ty_status ty_export_default_dir(const char *result_path, char **out)
{
    size_t len = strlen(result_path);
    if (len > 3 && strcmp(result_path + len - 3, ".h5") == 0 && result_path[len - 4] != '/') len -= 3;
    *out = malloc(len + sizeof "-export");
    if (!*out) return TY_ERR_NOMEM;
    memcpy(*out, result_path, len);
    memcpy(*out + len, "-export", sizeof "-export");
    return TY_OK;
}

/* See export.h. */
ty_status ty_export_check_variant(const ty_results *r, const char *variant, ty_diag *diag)
{
    if (!variant) return TY_OK;
    size_t len = 1;
    for (size_t i = 0; i < r->nruns; i++) {
        if (strcmp(r->runs[i].variant, variant) == 0) return TY_OK;
        len += strlen(r->runs[i].variant) + 2;
    }
    char *names = malloc(len);
    if (!names) {
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "out of memory");
        return TY_ERR_NOMEM;
    }
    names[0] = '\0';
    size_t pos = 0;
    for (size_t i = 0; i < r->nruns; i++)
        pos += (size_t)snprintf(names + pos, len - pos, "%s%s", i ? ", " : "", r->runs[i].variant);
    ty_diag_add(diag, TY_SEV_ERROR, NULL, "no variant '%s' (the result's variants: %s)", variant, names);
    free(names);
    const char **cand = malloc((r->nruns ? r->nruns : 1) * sizeof *cand);
    if (cand) {
        for (size_t i = 0; i < r->nruns; i++) cand[i] = r->runs[i].variant;
        const char *near = ty_suggest(variant, cand, r->nruns);
        if (near) ty_diag_hint(diag, "did you mean '%s'?", near);
        free(cand);
    }
    return TY_ERR_INVALID;
}

/* Which runs the export covers, and how. */
static void make_ctx(const ty_results *r, const ty_export_options *opt, export_ctx *c)
{
    memset(c, 0, sizeof *c);
    c->r = r;
    c->format = opt->format;
    if (opt->variant) {
        for (size_t i = 0; i < r->nruns; i++)
            if (strcmp(r->runs[i].variant, opt->variant) == 0) { c->first_run = i; break; }
        c->nruns = 1;
        return;
    }
    c->nruns = r->nruns;
    c->with_variant = r->nruns > 1 || r->batch_text != NULL;
    c->with_sweeps = 1;
}

/* Renders table i and adds it to the files when it has rows. */
static ty_status add_table(const export_ctx *c, size_t i, export_files *files, ty_export_summary *sum,
                           ty_diag *diag)
{
    export_table t;
    export_table_build(c, i, &t);
    ty_status st = TY_OK;
    if (!t.name || t.buf.oom) {
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "out of memory");
        st = TY_ERR_NOMEM;
    } else if (t.nrows) {
        const char *ext = c->format == TY_EXPORT_JSON ? ".json" : ".csv";
        size_t len = strlen(t.name) + strlen(ext) + 1;
        char *name = malloc(len);
        if (!name) {
            ty_diag_add(diag, TY_SEV_ERROR, NULL, "out of memory");
            st = TY_ERR_NOMEM;
        } else {
            snprintf(name, len, "%s%s", t.name, ext);
            st = export_files_add(files, name, t.buf.p, t.buf.len, diag);
            free(name);
            sum->nfiles++;
            sum->nrows += t.nrows;
        }
    }
    export_table_clear(&t);
    return st;
}

/* See export.h. */
ty_status ty_export_write(const ty_results *r, const char *dir, const ty_export_options *opt,
                          ty_export_summary *summary, ty_diag *diag)
{
    ty_export_options defaults;
    if (!opt) {
        ty_export_options_init(&defaults);
        opt = &defaults;
    }
    ty_export_summary sum = {0, 0};
    if (summary) *summary = sum;
    if (!ty_export_format_name(opt->format)) {
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "unknown export format %d", opt->format);
        return TY_ERR_INVALID;
    }
    ty_status st = ty_export_check_variant(r, opt->variant, diag);
    if (st != TY_OK) return st;
    export_ctx c;
    make_ctx(r, opt, &c);
    export_files *files = NULL;
    st = export_files_open(dir, &files, diag);
    size_t n = export_table_count(&c);
    for (size_t i = 0; st == TY_OK && i < n; i++) st = add_table(&c, i, files, &sum, diag);
    if (st != TY_OK) {
        export_files_abort(files);
        return st;
    }
    st = export_files_commit(files, diag);
    if (summary && st == TY_OK) *summary = sum;
    return st;
}
