/* batch.c - batch files: the named scenario loaded once as written, then once
 * per variant with the variant's overrides laid over it, and once per sweep
 * point with one distribution parameter replaced. */
#include "scenario_int.h"
#include "tyche/batch.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tyche/suggest.h"

struct ty_batch {
    yt_doc *doc;                 /* the batch file */
    char *name;
    ty_scenario *base;
    ty_variant *variants;
    ty_scenario **variant_scenarios;
    size_t nvariants;
    ty_sweep *sweeps;
    size_t nsweeps;
    char **strs;                 /* owned strings */
    size_t nstrs;
    ty_file_id scenario_id;      /* the scenario file read */
    size_t runs, max_runs;       /* scenarios built for variants and sweep points */
    int too_many;                /* max_runs passed (reported once) */
};

/* Each variant and sweep point is a whole scenario built from the file, so
 * a batch costs its runs times its scenario: bounded here before any is
 * built (docs/format.md, "Limits"). Returns 0 (reported at n) when n more
 * runs would pass the bound. */
static int claim_runs(ty_batch *b, size_t n, const yt_node *at, size_t scenario_bytes, ty_diag *diag)
{
    if (b->too_many) return 0;
    if (n <= b->max_runs - b->runs) { b->runs += n; return 1; }
    b->too_many = 1;
    ty_pos pos = yt_pos(b->doc, at);
    ty_diag_add(diag, TY_SEV_ERROR, &pos, "the batch asks for more than %zu runs of its scenario "
                "(variants and sweep points together)", b->max_runs);
    ty_diag_hint(diag, "a batch may build at most %d runs, and runs x the scenario file's size (%zu "
                 "bytes) may be at most %d MiB; use fewer variants or sweep steps", TY_BATCH_MAX_RUNS,
                 scenario_bytes, TY_BATCH_MAX_WORK >> 20);
    return 0;
}

static const char *keep(ty_batch *b, const char *text)
{
    if (!text) return NULL;
    char **strs = realloc(b->strs, (b->nstrs + 1) * sizeof *strs);
    if (!strs) return NULL;
    b->strs = strs;
    char *c = strdup(text);
    if (c) b->strs[b->nstrs++] = c;
    return c;
}

void ty_batch_free(ty_batch *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->nvariants; i++) ty_scenario_free(b->variant_scenarios[i]);
    for (size_t i = 0; i < b->nsweeps; i++) {
        for (size_t p = 0; p < b->sweeps[i].npoints; p++)
            ty_scenario_free((ty_scenario *)b->sweeps[i].points[p]);
        free((void *)b->sweeps[i].points);
        free((void *)b->sweeps[i].values);
    }
    for (size_t i = 0; i < b->nstrs; i++) free(b->strs[i]);
    free(b->strs);
    free(b->variants);
    free(b->variant_scenarios);
    free(b->sweeps);
    free(b->name);
    ty_scenario_free(b->base);
    yt_doc_free(b->doc);
    free(b);
}

ty_status ty_batch_sniff_input(const ty_input *in, int *is_batch, ty_diag *diag)
{
    yt_doc *doc;
    *is_batch = 0;
    ty_status st = yt_doc_parse(in->name, in->text, in->size, &doc, diag);
    if (st != TY_OK) return st;
    *is_batch = doc->root && doc->root->kind == YT_MAP && yt_map_get(doc->root, "batch") != NULL;
    yt_doc_free(doc);
    return TY_OK;
}

ty_status ty_batch_sniff(const char *path, int *is_batch, ty_diag *diag)
{
    ty_input in;
    *is_batch = 0;
    ty_status st = ty_input_read(path, &in, diag);
    if (st == TY_OK) st = ty_batch_sniff_input(&in, is_batch, diag);
    ty_input_clear(&in);
    return st;
}

static void err(ty_diag *diag, const yt_doc *doc, const yt_node *n, const char *fmt, const char *a,
                const char *b2)
{
    ty_pos pos = yt_pos(doc, n);
    ty_diag_add(diag, TY_SEV_ERROR, &pos, fmt, a, b2);
}

/* A batch, variant or sweep name names the result file or an HDF5 group:
 * checked here, at its position, not when the file is written after the
 * runs. Returns 1 when valid. */
static int check_name(ty_diag *diag, const yt_doc *doc, const yt_node *n, const char *what)
{
    if (scenario_valid_name(n->text)) return 1;
    ty_pos pos = yt_pos(doc, n);
    ty_diag_add(diag, TY_SEV_ERROR, &pos, "%s name '%s' must be 1 to %d characters of a-z, 0-9, '_' and '-'",
                what, n->text, TY_SCENARIO_MAX_NAME);
    ty_diag_hint(diag, "the name becomes a file name or a group in the result file");
    return 0;
}

static int parse_number(const yt_node *n, double *out)
{
    if (n->kind != YT_SCALAR) return 0;
    char *end;
    errno = 0;
    double d = strtod(n->text, &end);
    if (n->text[0] == '\0' || *end || errno == ERANGE || !isfinite(d)) return 0;
    *out = d;
    return 1;
}

/* The scenario path relative to the batch file's folder; for a batch read
 * from standard input ("-", /dev/stdin, /dev/fd/N, /proc/self/fd/N, whose
 * folder says nothing), relative to the current folder. */
static char *scenario_path(const ty_input *batch, const char *rel)
{
    const char *bp = batch->name;
    int piped = !batch->regular && (strcmp(bp, "<stdin>") == 0 || strncmp(bp, "/dev/", 5) == 0 ||
                                    strncmp(bp, "/proc/", 6) == 0);
    if (rel[0] == '/' || piped) return strdup(rel);
    const char *slash = strrchr(bp, '/');
    size_t dir = slash ? (size_t)(slash - bp) + 1 : 0;
    char *p = malloc(dir + strlen(rel) + 1);
    if (!p) return NULL;
    memcpy(p, bp, dir);
    strcpy(p + dir, rel);
    return p;
}

/* 1 when text has a line that starts "tyche:" (spaces allowed before the
 * colon): a tyche file, even one whose YAML is broken. */
static int has_tyche_line(const char *text, size_t size)
{
    const char *p = text, *end = text + size;
    while (p < end) {
        if ((size_t)(end - p) >= 5 && memcmp(p, "tyche", 5) == 0) {
            const char *q = p + 5;
            while (q < end && (*q == ' ' || *q == '\t')) q++;
            if (q < end && *q == ':') return 1;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        p = nl + 1;
    }
    return 0;
}

/* Reads and parses the scenario file a batch names (node n of the batch
 * document bdoc) into *sdoc. A file that is not a tyche scenario (not YAML,
 * not a mapping, no top-level 'tyche' key; say /etc/passwd) gets one error
 * at n and none of its lines is kept for the printer: a batch must not echo
 * an arbitrary file. A tyche file with errors gets its errors as usual. */
static ty_status read_scenario(const yt_doc *bdoc, const yt_node *n, const char *spath, yt_doc **sdoc,
                               ty_file_id *id, ty_diag *diag)
{
    *sdoc = NULL;
    ty_input in;
    ty_status st = ty_input_read(spath, &in, diag);
    if (st == TY_OK) *id = in.id;
    if (st == TY_ERR_IO || (st == TY_ERR_INVALID && !in.text)) {
        /* Say where the batch named it, not only that the read failed. */
        err(diag, bdoc, n, "cannot read the scenario '%s' named here%s", spath, "");
        ty_input_clear(&in);
        return TY_ERR_INVALID;
    }
    if (st != TY_OK) { ty_input_clear(&in); return st; }
    ty_diag *scratch = ty_diag_new(1);
    if (!scratch) { ty_input_clear(&in); return TY_ERR_NOMEM; }
    st = yt_doc_parse(in.name, in.text, in.size, sdoc, scratch);
    ty_diag_free(scratch);
    const yt_node *root = *sdoc ? (*sdoc)->root : NULL;
    int tyche = st == TY_OK ? root && root->kind == YT_MAP && yt_map_get(root, "tyche")
                            : st == TY_ERR_INVALID && has_tyche_line(in.text, in.size);
    if (st == TY_OK && tyche && yt_map_get(root, "batch")) {
        err(diag, bdoc, n, "'%s' is a batch file; 'scenario:' names a scenario file%s", spath, "");
        st = TY_ERR_INVALID;
    } else if (st == TY_OK && tyche) {
        ty_diag_source(diag, in.name, in.text, in.size);   /* for its errors' source lines */
    } else if (tyche) {
        st = yt_doc_parse(in.name, in.text, in.size, sdoc, diag);   /* again, to report its errors */
    } else if (st != TY_ERR_NOMEM) {
        err(diag, bdoc, n, "'%s' is not a tyche scenario file (YAML with 'tyche: 1' at the top)%s", spath, "");
        ty_diag_hint(diag, "'scenario:' names the scenario file, relative to the batch file's folder");
        st = TY_ERR_INVALID;
    }
    if (st != TY_OK) { yt_doc_free(*sdoc); *sdoc = NULL; }
    ty_input_clear(&in);
    return st;
}

static int load_variants(ty_batch *b, const yt_doc *sdoc, const yt_node *map, ty_diag *diag, int *oom)
{
    static const char *const keys[] = {"label", "factors", "derived", "run", "observations"};
    const yt_doc *doc = b->doc;
    int errors = 0;
    if (map->kind != YT_MAP) {
        err(diag, doc, map, "'variants' must be a mapping of variant names%s%s", "", "");
        return 1;
    }
    if (map->n > TY_SCENARIO_MAX_VARIANTS) {
        err(diag, doc, map, "too many variants (the limit is 1000)%s%s", "", "");
        return 1;
    }
    b->variants = calloc(map->n ? map->n : 1, sizeof *b->variants);
    b->variant_scenarios = calloc(map->n ? map->n : 1, sizeof *b->variant_scenarios);
    if (!b->variants || !b->variant_scenarios) { *oom = 1; return 1; }
    for (size_t i = 0; i < map->n; i++) {
        const yt_node *k = map->keys[i], *v = map->items[i];
        if (!check_name(diag, doc, k, "variant")) { errors++; continue; }
        char where[128];
        snprintf(where, sizeof where, "variant '%s'", k->text);
        int empty_scalar = v->kind == YT_SCALAR && v->plain && (v->text[0] == '\0' || strcmp(v->text, "null") == 0);
        if (v->kind != YT_MAP && !empty_scalar) {
            err(diag, doc, v, "%s must be a mapping (label, factors, derived, run, observations) or {}%s", where, "");
            errors++;
            continue;
        }
        scenario_overlay ov = {.doc = doc};
        const char *label = NULL;
        if (v->kind == YT_MAP) {
            errors += scenario_check_keys(doc, v, keys, 5, where, diag);
            const yt_node *lb = yt_map_get(v, "label");
            if (lb && lb->kind == YT_SCALAR) label = lb->text;
            else if (lb) { err(diag, doc, lb, "a variant's label must be text%s%s", "", ""); errors++; }
            ov.factors = yt_map_get(v, "factors");
            ov.derived = yt_map_get(v, "derived");
            ov.run = yt_map_get(v, "run");
            ov.observations = yt_map_get(v, "observations");
            const yt_node *maps[4] = {ov.factors, ov.derived, ov.run, ov.observations};
            const char *what[4] = {"factors", "derived", "run", "observations"};
            for (int m = 0; m < 4; m++)
                if (maps[m] && maps[m]->kind != YT_MAP) {
                    err(diag, doc, maps[m], "the variant's '%s' must be a mapping%s", what[m], "");
                    errors++;
                    if (m == 0) ov.factors = NULL;
                    if (m == 1) ov.derived = NULL;
                    if (m == 2) ov.run = NULL;
                    if (m == 3) ov.observations = NULL;
                }
        }
        if (!claim_runs(b, 1, k, sdoc->size, diag)) return errors + 1;
        ty_scenario *s = NULL;
        ty_status st = scenario_build(sdoc, &ov, &s, diag);
        if (st == TY_ERR_NOMEM) { *oom = 1; return errors + 1; }
        if (st != TY_OK) { errors++; continue; }
        ty_variant *var = &b->variants[b->nvariants];
        b->variant_scenarios[b->nvariants++] = s;
        var->name = keep(b, k->text);
        var->label = keep(b, label);
        var->scenario = s;
        var->pos = yt_pos(doc, k);
        if (!var->name || (label && !var->label)) { *oom = 1; return errors + 1; }
    }
    return errors;
}

static int load_sweep(ty_batch *b, const yt_doc *sdoc, const yt_node *k, const yt_node *v,
                      ty_diag *diag, int *oom)
{
    static const char *const keys[] = {"label", "factor", "param", "values", "from", "to", "steps"};
    const yt_doc *doc = b->doc;
    if (!check_name(diag, doc, k, "sweep")) return 1;
    char where[128];
    snprintf(where, sizeof where, "sweep '%s'", k->text);
    if (v->kind != YT_MAP) {
        err(diag, doc, v, "%s must be a mapping with factor, param and values or from/to/steps%s", where, "");
        return 1;
    }
    int errors = scenario_check_keys(doc, v, keys, 7, where, diag);
    const yt_node *fn = yt_map_get(v, "factor"), *pn = yt_map_get(v, "param"),
                  *vals = yt_map_get(v, "values"), *from = yt_map_get(v, "from"),
                  *to = yt_map_get(v, "to"), *steps = yt_map_get(v, "steps"), *lb = yt_map_get(v, "label");
    if (!fn || fn->kind != YT_SCALAR) { err(diag, doc, fn ? fn : k, "%s needs 'factor: NAME'%s", where, ""); return errors + 1; }
    if (!pn || pn->kind != YT_SCALAR) { err(diag, doc, pn ? pn : k, "%s needs 'param: NAME'%s", where, ""); return errors + 1; }
    int f = ty_scenario_find_factor(b->base, fn->text);
    if (f < 0) {
        err(diag, doc, fn, "sweep of unknown factor '%s'%s", fn->text, "");
        const char **names = calloc(ty_scenario_nfactors(b->base), sizeof *names);
        for (size_t i = 0; names && i < ty_scenario_nfactors(b->base); i++) names[i] = ty_scenario_factor(b->base, i)->name;
        const char *close = names && ty_diag_wants_hint(diag)
                          ? ty_suggest(fn->text, names, ty_scenario_nfactors(b->base)) : NULL;
        if (close) ty_diag_hint(diag, "did you mean '%s'?", close);
        free(names);
        return errors + 1;
    }
    ty_dist_kind kind = b->base->specs[f].kind;
    int p = ty_dist_param_index(kind, pn->text);
    if (p < 0 || ty_dist_nparams(kind) == 0) {
        err(diag, doc, pn, "factor's distribution %s has no numeric parameter '%s'", ty_dist_kind_name(kind), pn->text);
        return errors + 1;
    }
    double *values = NULL;
    size_t n = 0;
    if (vals && (from || to || steps)) {
        err(diag, doc, vals, "%s: give either 'values' or 'from'/'to'/'steps', not both%s", where, "");
        return errors + 1;
    }
    if (vals) {
        if (vals->kind != YT_SEQ || vals->n == 0 || vals->n > TY_SCENARIO_MAX_SWEEP_STEPS) {
            err(diag, doc, vals, "%s: 'values' must be a list of 1 to 10000 numbers%s", where, "");
            return errors + 1;
        }
        n = vals->n;
        values = calloc(n, sizeof *values);
        if (!values) { *oom = 1; return errors + 1; }
        for (size_t i = 0; i < n; i++)
            if (!parse_number(vals->items[i], &values[i])) {
                err(diag, doc, vals->items[i], "%s: a value must be a finite number%s", where, "");
                free(values);
                return errors + 1;
            }
    } else {
        double a, z, st;
        if (!from || !to || !steps) { err(diag, doc, k, "%s needs 'values: [...]' or 'from', 'to' and 'steps'%s", where, ""); return errors + 1; }
        if (!parse_number(from, &a)) { err(diag, doc, from, "%s: 'from' must be a number%s", where, ""); return errors + 1; }
        if (!parse_number(to, &z)) { err(diag, doc, to, "%s: 'to' must be a number%s", where, ""); return errors + 1; }
        if (!parse_number(steps, &st) || st != floor(st) || st < 2 || st > TY_SCENARIO_MAX_SWEEP_STEPS) {
            err(diag, doc, steps, "%s: 'steps' must be a whole number from 2 to 10000%s", where, "");
            return errors + 1;
        }
        n = (size_t)st;
        values = calloc(n, sizeof *values);
        if (!values) { *oom = 1; return errors + 1; }
        for (size_t i = 0; i < n; i++) values[i] = a + (z - a) * (double)i / (double)(n - 1);
        values[n - 1] = z;
    }
    if (!claim_runs(b, n, vals ? vals : steps, sdoc->size, diag)) { free(values); return errors + 1; }
    ty_scenario **points = calloc(n, sizeof *points);
    if (!points) { free(values); *oom = 1; return errors + 1; }
    ty_sweep *sw = &b->sweeps[b->nsweeps++];
    sw->name = keep(b, k->text);
    sw->label = lb && lb->kind == YT_SCALAR ? keep(b, lb->text) : NULL;
    sw->factor = ty_scenario_factor(b->base, (size_t)f)->name;
    sw->param = ty_dist_param_name(kind, p);
    sw->factor_index = f;
    sw->param_index = p;
    sw->values = values;
    sw->points = (const ty_scenario *const *)points;
    sw->pos = yt_pos(doc, k);
    /* A name or label that could not be kept is out of memory, never a
     * sweep without it. */
    if (!sw->name || (lb && lb->kind == YT_SCALAR && !sw->label)) { *oom = 1; return errors + 1; }
    for (size_t i = 0; i < n; i++) {
        ty_status st = scenario_build(sdoc, NULL, &points[i], diag);
        if (st == TY_OK) {
            sw->npoints = i + 1;
            ty_pos pos = yt_pos(doc, vals ? vals->items[i] : k);
            st = scenario_set_param(points[i], (size_t)f, p, values[i], diag, &pos);
        }
        if (st == TY_ERR_NOMEM) { *oom = 1; return errors + 1; }
        if (st != TY_OK) return errors + 1;
    }
    return errors;
}

/* Builds the batch of b->doc (b is freed on error). Its scenario is the
 * file its 'scenario' key names (relative to the folder of in, the batch
 * file read), or with stext the text stext named sname (a resumed batch's
 * stored scenario, never read from disk again). */
static ty_status batch_build(ty_batch *b, const ty_input *in, const char *sname, const char *stext,
                             ty_batch **out, ty_diag *diag)
{
    static const char *const keys[] = {"tyche", "batch", "title", "scenario", "variants", "sweeps"};
    const yt_doc *doc = b->doc;
    ty_status st;
    const yt_node *root = doc->root;
    if (!root || root->kind != YT_MAP || !yt_map_get(root, "batch")) {
        ty_pos pos = {doc->file, 0, 0};
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "not a batch file (no top-level 'batch' key)");
        ty_diag_hint(diag, "a scenario file runs with 'tyche run'");
        ty_batch_free(b);
        return TY_ERR_INVALID;
    }
    int errors = scenario_check_keys(doc, root, keys, 6, "the batch", diag);
    const yt_node *n = yt_map_get(root, "tyche");
    if (!n) { err(diag, doc, root, "missing 'tyche: 1' (the format version)%s%s", "", ""); errors++; }
    else if (n->kind != YT_SCALAR || strcmp(n->text, "1") != 0) {
        err(diag, doc, n, "format version '%s' is not supported; this tyche reads version 1%s",
            n->kind == YT_SCALAR ? n->text : "?", "");
        errors++;
    }
    n = yt_map_get(root, "batch");
    if (n->kind != YT_SCALAR || !n->text[0]) { err(diag, doc, n, "'batch' must be the batch's name%s%s", "", ""); errors++; }
    else if (!check_name(diag, doc, n, "batch")) errors++;
    else b->name = strdup(n->text);
    n = yt_map_get(root, "scenario");
    if (!n || n->kind != YT_SCALAR) {
        err(diag, doc, n ? n : root, "a batch needs 'scenario: FILE.yaml' (relative to the batch file)%s%s", "", "");
        ty_batch_free(b);
        return TY_ERR_INVALID;
    }
    yt_doc *sdoc = NULL;
    if (stext) {
        st = yt_doc_parse(sname, stext, strlen(stext), &sdoc, diag);
    } else {
        char *spath = scenario_path(in, n->text);
        if (!spath) { ty_batch_free(b); return TY_ERR_NOMEM; }
        st = read_scenario(doc, n, spath, &sdoc, &b->scenario_id, diag);
        free(spath);
    }
    if (st == TY_OK) st = scenario_build(sdoc, NULL, &b->base, diag);
    if (st != TY_OK) { yt_doc_free(sdoc); ty_batch_free(b); return st; }

    int oom = 0;
    b->max_runs = TY_BATCH_MAX_WORK / (sdoc->size ? sdoc->size : 1);
    if (b->max_runs > TY_BATCH_MAX_RUNS) b->max_runs = TY_BATCH_MAX_RUNS;
    const yt_node *variants = yt_map_get(root, "variants"), *sweeps = yt_map_get(root, "sweeps");
    if (!variants && !sweeps) { err(diag, doc, root, "a batch needs 'variants' or 'sweeps'%s%s", "", ""); errors++; }
    if (variants) errors += load_variants(b, sdoc, variants, diag, &oom);
    if (sweeps && !oom) {
        if (sweeps->kind != YT_MAP) { err(diag, doc, sweeps, "'sweeps' must be a mapping of sweep names%s%s", "", ""); errors++; }
        else {
            b->sweeps = calloc(sweeps->n ? sweeps->n : 1, sizeof *b->sweeps);
            if (!b->sweeps) oom = 1;
            for (size_t i = 0; !oom && i < sweeps->n; i++)
                errors += load_sweep(b, sdoc, sweeps->keys[i], sweeps->items[i], diag, &oom);
        }
    }
    yt_doc_free(sdoc);
    if (oom || errors || (!b->name)) {
        ty_batch_free(b);
        return oom ? TY_ERR_NOMEM : TY_ERR_INVALID;
    }
    *out = b;
    return TY_OK;
}

ty_status ty_batch_load(const char *path, ty_batch **out, ty_diag *diag)
{
    ty_input in;
    *out = NULL;
    ty_status st = ty_input_read(path, &in, diag);
    if (st == TY_OK) st = ty_batch_load_input(&in, out, diag);
    ty_input_clear(&in);
    return st;
}

ty_status ty_batch_load_input(const ty_input *in, ty_batch **out, ty_diag *diag)
{
    *out = NULL;
    ty_batch *b = calloc(1, sizeof *b);
    if (!b) return TY_ERR_NOMEM;
    ty_status st = yt_doc_parse(in->name, in->text, in->size, &b->doc, diag);
    if (st != TY_OK) { ty_batch_free(b); return st; }
    return batch_build(b, in, NULL, NULL, out, diag);
}

ty_status ty_batch_parse(const char *name, const char *text, const char *scenario_name,
                         const char *scenario_text, ty_batch **out, ty_diag *diag)
{
    *out = NULL;
    ty_batch *b = calloc(1, sizeof *b);
    if (!b) return TY_ERR_NOMEM;
    ty_status st = yt_doc_parse(name, text, strlen(text), &b->doc, diag);
    if (st != TY_OK) { ty_batch_free(b); return st; }
    return batch_build(b, NULL, scenario_name, scenario_text, out, diag);
}

const char *ty_batch_name(const ty_batch *b) { return b->name; }
const ty_file_id *ty_batch_scenario_id(const ty_batch *b) { return &b->scenario_id; }
const char *ty_batch_path(const ty_batch *b) { return b->doc->file; }
const char *ty_batch_text(const ty_batch *b) { return b->doc->text; }
const ty_scenario *ty_batch_base(const ty_batch *b) { return b->base; }
size_t ty_batch_nvariants(const ty_batch *b) { return b->nvariants; }
const ty_variant *ty_batch_variant(const ty_batch *b, size_t i) { return i < b->nvariants ? &b->variants[i] : NULL; }
size_t ty_batch_nsweeps(const ty_batch *b) { return b->nsweeps; }
const ty_sweep *ty_batch_sweep(const ty_batch *b, size_t i) { return i < b->nsweeps ? &b->sweeps[i] : NULL; }

/* Every scenario the batch runs: its variants, then its sweep points. */
static size_t batch_runs(ty_batch *b, ty_scenario **out, size_t cap)
{
    size_t n = 0;
    for (size_t v = 0; v < b->nvariants; v++)
        if (n < cap) out[n++] = b->variant_scenarios[v];
    for (size_t w = 0; w < b->nsweeps; w++)
        for (size_t i = 0; i < b->sweeps[w].npoints; i++)
            if (n < cap) out[n++] = (ty_scenario *)b->sweeps[w].points[i];
    return n;
}

static size_t batch_nruns(const ty_batch *b)
{
    size_t n = b->nvariants;
    for (size_t w = 0; w < b->nsweeps; w++) n += b->sweeps[w].npoints;
    return n;
}

ty_status ty_batch_observe(ty_batch *b, const char *name, double value, ty_diag *diag)
{
    size_t cap = batch_nruns(b), found = 0;
    ty_scenario **runs = malloc((cap + 1) * sizeof *runs);
    if (!runs) return TY_ERR_NOMEM;
    size_t n = batch_runs(b, runs, cap);
    ty_status st = TY_OK;
    for (size_t i = 0; i < n && st == TY_OK; i++) {
        int has = 0;
        for (size_t o = 0; o < ty_scenario_nobservations(runs[i]); o++)
            has |= strcmp(ty_scenario_observation(runs[i], o)->name, name) == 0;
        if (!has) continue;
        found++;
        st = ty_scenario_set_observation(runs[i], name, value, diag);
    }
    if (st == TY_OK && found == 0) st = ty_scenario_set_observation(b->base, name, value, diag);
    if (st == TY_OK && found == 0) {
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "--observe: every variant of the batch drops observation '%s'",
                    name);
        st = TY_ERR_INVALID;
    }
    free(runs);
    return st;
}

void ty_batch_drop_observations(ty_batch *b)
{
    for (size_t v = 0; v < b->nvariants; v++) ty_scenario_drop_observations(b->variant_scenarios[v]);
    for (size_t w = 0; w < b->nsweeps; w++)
        for (size_t i = 0; i < b->sweeps[w].npoints; i++)
            ty_scenario_drop_observations((ty_scenario *)b->sweeps[w].points[i]);
}
