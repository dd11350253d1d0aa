/* scenario.c - scenario files: the YAML tree (yaml_tree.h) checked key by key
 * and turned into a validated ty_scenario. Distribution calls and
 * expressions are parsed by the expression module; distributions are built by
 * the dist module. Keeps going after an error to report them all. */
#include "scenario_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tyche/suggest.h"
#include "util/name_index.h"


/* ---- the loader's context --------------------------------------------- */

typedef struct loader {
    const yt_doc *doc;        /* the document the node being read lives in */
    ty_diag *diag;
    ty_scenario *s;
    int errors;
    int oom;
} loader;

static void error_at(loader *L, const yt_node *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void error_at(loader *L, const yt_node *node, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ty_pos pos = yt_pos(L->doc, node);
    ty_diag_add(L->diag, TY_SEV_ERROR, &pos, "%s", msg);
    L->errors++;
}

static const char *own(loader *L, const char *text)
{
    const char *c = scenario_own_str(L->s, text);
    if (text && !c) L->oom = 1;
    return c;
}

int scenario_check_keys(const yt_doc *doc, const yt_node *map, const char *const *allowed,
                        size_t n, const char *where, ty_diag *diag)
{
    int bad = 0;
    for (size_t i = 0; i < map->n; i++) {
        const char *key = map->keys[i]->text;
        int known = 0;
        for (size_t k = 0; k < n && !known; k++) known = strcmp(key, allowed[k]) == 0;
        if (known) continue;
        bad++;
        ty_pos pos = yt_pos(doc, map->keys[i]);
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "unknown key '%s' in %s", key, where);
        const char *close = ty_suggest(key, allowed, n);
        if (strpbrk(key, ")]") || (map->items[i]->kind == YT_SCALAR && map->items[i]->text[0] == '\0'
                                   && strpbrk(key, ")]")))
            ty_diag_hint(diag, "inside {...} a comma ends a plain value, so 'f(a, b)' is split at the "
                               "comma; quote it (\"f(a, b)\") or write it on its own line (docs/format.md, "
                               "'YAML pitfalls')");
        else if (close)
            ty_diag_hint(diag, "did you mean '%s'?", close);
        else {
            char list[512] = "";
            for (size_t k = 0; k < n; k++) {
                strncat(list, k ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, allowed[k], sizeof list - strlen(list) - 1);
            }
            ty_diag_hint(diag, "expected one of: %s (docs/format.md lists every key)", list);
        }
    }
    return bad;
}

static int check_keys(loader *L, const yt_node *map, const char *const *allowed, size_t n,
                      const char *where)
{
    int bad = scenario_check_keys(L->doc, map, allowed, n, where, L->diag);
    L->errors += bad;
    return bad;
}

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

static int expect_kind(loader *L, const yt_node *node, yt_kind kind, const char *what)
{
    if (node->kind == kind) return 1;
    error_at(L, node, "%s must be %s, not %s", what, yt_kind_name(kind), yt_kind_name(node->kind));
    return 0;
}

/* A scalar's text, or NULL with an error. */
static const char *scalar(loader *L, const yt_node *node, const char *what)
{
    return expect_kind(L, node, YT_SCALAR, what) ? node->text : NULL;
}

/* Parses a whole-number scalar into *out (0 <= value <= max). */
static int get_u64(loader *L, const yt_node *node, const char *what, uint64_t min, uint64_t max,
                   uint64_t *out)
{
    const char *t = scalar(L, node, what);
    if (!t) return 0;
    char *end;
    errno = 0;
    /* Accept 1000000, 1e6 and 1_000_000 styles: a float literal that is a
     * whole number is taken too, since analysts write 1e6. */
    unsigned long long v = 0;
    int ok = 0;
    if (t[0] != '-' && t[0] != '+' && t[0] != '\0') {
        v = strtoull(t, &end, 10);
        ok = !errno && *end == '\0';
        if (!ok) {
            errno = 0;
            double d = strtod(t, &end);
            if (!errno && *end == '\0' && d >= 0 && d <= 1.8e19 && d == floor(d)) {
                v = (unsigned long long)d;
                ok = d < 18446744073709551616.0;
            }
        }
    }
    if (!ok) {
        error_at(L, node, "%s must be a whole number, not '%s'", what, t);
        return 0;
    }
    if (v < min || v > max) {
        error_at(L, node, "%s must be between %llu and %llu (got %llu)", what,
                 (unsigned long long)min, (unsigned long long)max, v);
        return 0;
    }
    *out = v;
    return 1;
}

static int get_double(loader *L, const yt_node *node, const char *what, double *out)
{
    const char *t = scalar(L, node, what);
    if (!t) return 0;
    char *end;
    errno = 0;
    double d = strtod(t, &end);
    if (t[0] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(d)) {
        error_at(L, node, "%s must be a finite number, not '%s'", what, t);
        return 0;
    }
    *out = d;
    return 1;
}

/* Identifiers usable in expressions: [a-z_][a-z0-9_]*, at most
 * TY_SCENARIO_MAX_NAME characters, not a function or constant name. */
static int check_identifier(loader *L, const yt_node *key, const char *kind)
{
    const char *t = key->text;
    size_t n = strlen(t);
    int ok = n > 0 && (t[0] == '_' || (t[0] >= 'a' && t[0] <= 'z'));
    for (size_t i = 1; ok && i < n; i++)
        ok = t[i] == '_' || (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9');
    if (!ok) {
        error_at(L, key, "%s name '%s' must be lower-case letters, digits and '_', starting with "
                 "a letter or '_'", kind, t);
        return 0;
    }
    if (n > TY_SCENARIO_MAX_NAME) {
        error_at(L, key, "%s name is %zu characters long; the limit is %d", kind, n,
                 TY_SCENARIO_MAX_NAME);
        return 0;
    }
    return 1;
}

/* The value of key in the overlay map (if any) else in the base map. */
static const yt_node *pick(const yt_node *base, const yt_node *over, const char *key, int *from_over)
{
    const yt_node *o = over ? yt_map_get(over, key) : NULL;
    *from_over = o != NULL;
    return o ? o : (base ? yt_map_get(base, key) : NULL);
}

/* ---- sections --------------------------------------------------------- */

static void load_run(loader *L, const yt_node *run, const yt_doc *over_doc, const yt_node *over)
{
    static const char *const keys[] = {"samples", "seed", "sampling", "target_halfwidth", "max_samples"};
    ty_run_settings *r = &L->s->run;
    const yt_node *maps[2] = {run, over};
    const yt_doc *docs[2] = {L->doc, over_doc};
    for (int m = 0; m < 2; m++) {
        const yt_node *map = maps[m];
        if (!map) continue;
        const yt_doc *saved = L->doc;
        L->doc = docs[m];
        if (expect_kind(L, map, YT_MAP, "'run'")) {
            check_keys(L, map, keys, NKEYS(keys), "'run'");
            const yt_node *n;
            if ((n = yt_map_get(map, "samples")))
                get_u64(L, n, "run.samples", 1, UINT64_C(1) << 50, &r->samples);
            if ((n = yt_map_get(map, "seed")))
                get_u64(L, n, "run.seed", 0, UINT64_MAX, &r->seed);
            if ((n = yt_map_get(map, "max_samples")))
                get_u64(L, n, "run.max_samples", 1, UINT64_C(1) << 50, &r->max_samples);
            if ((n = yt_map_get(map, "target_halfwidth"))) {
                double h;
                if (get_double(L, n, "run.target_halfwidth", &h)) {
                    if (h > 0 && h < 0.5) r->target_halfwidth = h;
                    else error_at(L, n, "run.target_halfwidth must be in (0, 0.5) (got %g)", h);
                }
            }
            if ((n = yt_map_get(map, "sampling"))) {
                const char *t = scalar(L, n, "run.sampling");
                if (t && strcmp(t, "random") == 0) r->sampling = TY_SAMPLING_RANDOM;
                else if (t && strcmp(t, "lhs") == 0) r->sampling = TY_SAMPLING_LHS;
                else if (t) error_at(L, n, "run.sampling must be 'random' or 'lhs', not '%s'", t);
            }
        }
        L->doc = saved;
    }
}

static void load_factor(loader *L, size_t index, const yt_node *key, const yt_node *base,
                        const yt_doc *over_doc, const yt_node *over)
{
    static const char *const keys[] = {"dist", "bounds", "unit", "label", "evidence", "reason"};
    ty_scenario *s = L->s;
    ty_factor *f = &s->factors[index];
    f->name = own(L, key->text);
    f->pos = yt_pos(L->doc, key);
    char where[128];
    snprintf(where, sizeof where, "factor '%s'", key->text);
    if (!expect_kind(L, base, YT_MAP, where)) return;
    check_keys(L, base, keys, NKEYS(keys), where);
    const yt_doc *base_doc = L->doc;
    if (over) {
        L->doc = over_doc;
        if (expect_kind(L, over, YT_MAP, where)) check_keys(L, over, keys, NKEYS(keys), where);
        else over = NULL;
        L->doc = base_doc;
    }
    int from_over;
    const char *const text_keys[] = {"unit", "label", "evidence", "reason"};
    const char **text_fields[] = {&f->unit, &f->label, &f->evidence, &f->reason};
    for (int k = 0; k < 4; k++) {
        const yt_node *n = pick(base, over, text_keys[k], &from_over);
        L->doc = from_over ? over_doc : base_doc;
        if (n) *text_fields[k] = own(L, scalar(L, n, text_keys[k]));
        L->doc = base_doc;
    }

    ty_dist_spec *spec = &s->specs[index];
    const yt_node *dn = pick(base, over, "dist", &from_over);
    const yt_doc *dist_doc = from_over ? over_doc : base_doc;
    L->doc = dist_doc;
    int dist_ok = 0;
    if (!dn) {
        error_at(L, key, "factor '%s' has no 'dist'", key->text);
    } else if (scalar(L, dn, "dist")) {
        f->dist_text = own(L, dn->text);
        ty_pos pos = yt_text_pos(L->doc, dn);
        ty_status pst = scenario_parse_dist(s, dn->text, &pos, spec, L->diag);
        if (pst == TY_ERR_NOMEM) L->oom = 1;
        else if (pst != TY_OK) L->errors++;
        dist_ok = pst == TY_OK;
    }
    /* The parameters are checked at the call's position, the bounds at the
     * bounds' position: build once without bounds, then with them. A
     * student_t with df <= 2 exists only truncated: with a bounds key it is
     * built once, with them. */
    const yt_node *bn = pick(base, over, "bounds", &from_over);
    int heavy_t = spec->kind == TY_DIST_STUDENT_T && spec->param[0] > 0 && spec->param[0] <= 2 &&
                  !spec->has_bounds;
    if (dist_ok && !(bn && heavy_t)) {
        ty_pos pos = yt_text_pos(dist_doc, dn);
        ty_status st = ty_dist_new(spec, &s->dists[index], L->diag, &pos);
        if (st == TY_ERR_NOMEM) L->oom = 1;
        else if (st != TY_OK) L->errors++;
        dist_ok = st == TY_OK;
    }
    L->doc = from_over ? over_doc : base_doc;
    if (bn && expect_kind(L, bn, YT_SEQ, "bounds")) {
        double lo, hi;
        if (bn->n != 2) {
            error_at(L, bn, "bounds must be a list of two numbers [lo, hi], not %zu items", bn->n);
        } else if (get_double(L, bn->items[0], "bounds' lower end", &lo) &&
                   get_double(L, bn->items[1], "bounds' upper end", &hi)) {
            /* on a truncate(...): the intersection of the two */
            if (spec->has_bounds && !(fmax(lo, spec->lo) <= fmin(hi, spec->hi))) {
                error_at(L, bn, "bounds [%g, %g] do not meet the dist's truncation [%g, %g]", lo, hi,
                         spec->lo, spec->hi);
                dist_ok = 0;
            } else if (spec->has_bounds) {
                lo = fmax(lo, spec->lo);
                hi = fmin(hi, spec->hi);
            }
            spec->has_bounds = 1;
            spec->lo = lo;
            spec->hi = hi;
            if (dist_ok) {
                ty_dist_free(s->dists[index]);
                s->dists[index] = NULL;
                ty_pos pos = yt_pos(L->doc, bn);
                ty_status st = ty_dist_new(spec, &s->dists[index], L->diag, &pos);
                if (st == TY_ERR_NOMEM) L->oom = 1;
                else if (st != TY_OK) L->errors++;
            }
        }
    }
    f->dist = s->dists[index];
    L->doc = base_doc;
}

static void load_factors(loader *L, const yt_node *map, const yt_doc *over_doc, const yt_node *over)
{
    ty_scenario *s = L->s;
    if (!expect_kind(L, map, YT_MAP, "'factors'")) return;
    if (map->n == 0) { error_at(L, map, "'factors' is empty: a scenario needs at least one factor"); return; }
    if (map->n > TY_SCENARIO_MAX_FACTORS) {
        error_at(L, map, "%zu factors; the limit is %d", map->n, TY_SCENARIO_MAX_FACTORS);
        return;
    }
    s->factors = calloc(map->n, sizeof *s->factors);
    s->dists = calloc(map->n, sizeof *s->dists);
    s->specs = calloc(map->n, sizeof *s->specs);
    if (!s->factors || !s->dists || !s->specs) { L->oom = 1; return; }
    s->nfactors = map->n;
    for (size_t i = 0; i < map->n; i++) {
        check_identifier(L, map->keys[i], "factor");
        const yt_node *o = over ? yt_map_get(over, map->keys[i]->text) : NULL;
        load_factor(L, i, map->keys[i], map->items[i], over_doc, o);
    }
    if (over && over->kind == YT_MAP) {
        for (size_t j = 0; j < over->n; j++)
            if (!yt_map_get(map, over->keys[j]->text)) {
                const yt_doc *saved = L->doc;
                L->doc = over_doc;
                const char **names = calloc(map->n, sizeof *names);
                for (size_t i = 0; names && i < map->n; i++) names[i] = map->keys[i]->text;
                error_at(L, over->keys[j], "override of unknown factor '%s'", over->keys[j]->text);
                const char *close = names && ty_diag_wants_hint(L->diag)
                                  ? ty_suggest(over->keys[j]->text, names, map->n) : NULL;
                if (close) ty_diag_hint(L->diag, "did you mean '%s'?", close);
                free(names);
                L->doc = saved;
            }
    }
}


static void load_correlations(loader *L, const yt_node *seq)
{
    static const char *const keys[] = {"factors", "rank"};
    ty_scenario *s = L->s;
    if (!expect_kind(L, seq, YT_SEQ, "'correlations'")) return;
    s->corr = calloc(seq->n ? seq->n : 1, sizeof *s->corr);
    /* Names found by a hash index and pairs seen marked in an nf x nf
     * bitmap: the node limit allows tens of thousands of correlations, and
     * scans made their checks quadratic. */
    const char **fnames = calloc(s->nfactors ? s->nfactors : 1, sizeof *fnames);
    unsigned char *seen = calloc(s->nfactors * s->nfactors / 8 + 1, 1);
    name_index index = {0};
    for (size_t f = 0; fnames && f < s->nfactors; f++) fnames[f] = s->factors[f].name;
    if (!s->corr || !fnames || !seen || name_index_build(&index, fnames, s->nfactors) != 0) {
        free(fnames);
        free(seen);
        L->oom = 1;
        return;
    }
    for (size_t i = 0; i < seq->n; i++) {
        const yt_node *c = seq->items[i];
        if (!expect_kind(L, c, YT_MAP, "a correlation")) continue;
        check_keys(L, c, keys, NKEYS(keys), "a correlation");
        const yt_node *fs = yt_map_get(c, "factors"), *rk = yt_map_get(c, "rank");
        if (!fs || !rk) { error_at(L, c, "a correlation needs 'factors: [a, b]' and 'rank: r'"); continue; }
        if (!expect_kind(L, fs, YT_SEQ, "a correlation's factors")) continue;
        if (fs->n != 2) { error_at(L, fs, "a correlation names two factors, not %zu", fs->n); continue; }
        int idx[2], ok = 1;
        for (int k = 0; k < 2; k++) {
            const char *nm = scalar(L, fs->items[k], "a correlated factor");
            idx[k] = nm ? (int)name_index_find(&index, nm) : -1;
            if (nm && idx[k] < 0) {
                error_at(L, fs->items[k], "unknown factor '%s' in a correlation", nm);
                const char *close = ty_diag_wants_hint(L->diag) ? ty_suggest(nm, fnames, s->nfactors) : NULL;
                if (close) ty_diag_hint(L->diag, "did you mean '%s'?", close);
            }
            ok &= idx[k] >= 0;
        }
        if (ok && idx[0] == idx[1]) { error_at(L, fs, "a factor cannot be correlated with itself"); ok = 0; }
        size_t lo = (size_t)(idx[0] < idx[1] ? idx[0] : idx[1]), hi = (size_t)(idx[0] ^ idx[1]) ^ lo;
        size_t bit = lo * s->nfactors + hi;
        if (ok && (seen[bit / 8] >> (bit % 8) & 1)) {
            error_at(L, fs, "the correlation of '%s' and '%s' is given twice",
                     s->factors[idx[0]].name, s->factors[idx[1]].name);
            ok = 0;
        }
        double r;
        if (!get_double(L, rk, "a correlation's rank", &r)) continue;
        if (!(r > -1 && r < 1)) { error_at(L, rk, "rank correlation must be in (-1, 1) (got %g)", r); continue; }
        if (!ok) continue;
        seen[bit / 8] |= (unsigned char)(1u << (bit % 8));
        ty_correlation *dst = &s->corr[s->ncorr++];
        dst->a = idx[0];
        dst->b = idx[1];
        dst->rank = r;
        dst->pos = yt_pos(L->doc, c);
    }
    name_index_free(&index);
    free(fnames);
    free(seen);
}

/* bounds: [lo, hi] of a factor or derived value: 1 with *lo, *hi set. */
static int get_bounds(loader *L, const yt_node *bn, double *lo, double *hi)
{
    if (!expect_kind(L, bn, YT_SEQ, "bounds")) return 0;
    if (bn->n != 2) {
        error_at(L, bn, "bounds must be a list of two numbers [lo, hi], not %zu items", bn->n);
        return 0;
    }
    return get_double(L, bn->items[0], "bounds' lower end", lo) &&
           get_double(L, bn->items[1], "bounds' upper end", hi);
}

/* A derived value is NAME: EXPR or NAME: {expr: EXPR, unit: U, label: L,
 * bounds: [lo, hi]}. A variant's override (over, in over_doc) replaces the
 * expression when it is plain text, or the keys it gives when a mapping. */
static void load_one_derived(loader *L, const yt_node *k, const yt_node *base, const yt_doc *over_doc,
                             const yt_node *over)
{
    static const char *const keys[] = {"expr", "unit", "label", "bounds"};
    ty_scenario *s = L->s;
    char where[128];
    snprintf(where, sizeof where, "derived value '%s'", k->text);
    const yt_doc *base_doc = L->doc;
    const yt_node *maps[2] = {base, over};
    const yt_doc *docs[2] = {base_doc, over_doc};
    const yt_node *field[4] = {0};    /* expr, unit, label, bounds: the last word wins */
    const yt_doc *field_doc[4] = {0};
    for (int m = 0; m < 2; m++) {
        const yt_node *v = maps[m];
        if (!v) continue;
        L->doc = docs[m];
        if (v->kind == YT_MAP) {
            check_keys(L, v, keys, NKEYS(keys), where);
            for (int f = 0; f < 4; f++)
                if (yt_map_get(v, keys[f])) { field[f] = yt_map_get(v, keys[f]); field_doc[f] = docs[m]; }
        } else if (v->kind == YT_SCALAR) {
            field[0] = v;
            field_doc[0] = docs[m];
        } else {
            error_at(L, v, "%s must be an expression or a mapping {expr: ..., unit: ..., label: ..., "
                     "bounds: [lo, hi]}, not %s", where, yt_kind_name(v->kind));
            L->doc = base_doc;
            return;
        }
    }
    L->doc = base_doc;
    if (!field[0]) {
        error_at(L, k, "%s has no 'expr'", where);
        ty_diag_hint(L->diag, "write %s: {expr: EXPRESSION, unit: ..., label: ...}", k->text);
        return;
    }
    ty_derived *d = &s->derived[s->nderived];
    int ok = 1;
    L->doc = field_doc[0];
    const char *t = scalar(L, field[0], "a derived value's expression");
    ok &= t != NULL;
    if (t) d->pos = yt_text_pos(L->doc, field[0]);
    const char **text[2] = {&d->unit, &d->label};
    for (int f = 1; f <= 2; f++)
        if (field[f]) {
            L->doc = field_doc[f];
            const char *v = scalar(L, field[f], keys[f]);
            if (v) *text[f - 1] = own(L, v);
            else ok = 0;
        }
    if (field[3]) {
        L->doc = field_doc[3];
        double lo, hi;
        if (!get_bounds(L, field[3], &lo, &hi)) ok = 0;
        else if (!(lo < hi)) {
            error_at(L, field[3], "%s: bounds [%g, %g] must have lo < hi", where, lo, hi);
            ok = 0;
        } else {
            d->has_bounds = 1;
            d->lo = lo;
            d->hi = hi;
        }
    }
    L->doc = base_doc;
    if (!ok) return;
    d->name = own(L, k->text);
    d->expr_text = own(L, t);
    d->name_pos = yt_pos(base_doc, k);
    s->nderived++;
}

static void load_derived(loader *L, const yt_node *map, const yt_doc *over_doc, const yt_node *over)
{
    ty_scenario *s = L->s;
    if (!expect_kind(L, map, YT_MAP, "'derived'")) return;
    if (map->n > TY_SCENARIO_MAX_DERIVED) {
        error_at(L, map, "%zu derived values; the limit is %d", map->n, TY_SCENARIO_MAX_DERIVED);
        return;
    }
    s->derived = calloc(map->n ? map->n : 1, sizeof *s->derived);
    if (!s->derived) { L->oom = 1; return; }
    for (size_t i = 0; i < map->n; i++) {
        const yt_node *k = map->keys[i];
        check_identifier(L, k, "derived value");
        const yt_node *o = over ? yt_map_get(over, k->text) : NULL;
        load_one_derived(L, k, map->items[i], over_doc, o);
    }
    if (over && over->kind == YT_MAP)
        for (size_t j = 0; j < over->n; j++)
            if (!yt_map_get(map, over->keys[j]->text)) {
                const yt_doc *saved = L->doc;
                L->doc = over_doc;
                error_at(L, over->keys[j], "override of unknown derived value '%s'", over->keys[j]->text);
                L->doc = saved;
            }
}

/* `otherwise: true` on outcome o (the catch-all of rules and events), which
 * must be the last. */
static void load_otherwise(loader *L, const yt_node *other, int last, ty_outcome *o)
{
    const char *t = scalar(L, other, "otherwise");
    if (t && strcmp(t, "true") != 0)
        error_at(L, other, "'otherwise' must be 'true' (got '%s')", t);
    else if (t && !last)
        error_at(L, other, "only the last outcome may be 'otherwise'");
    o->otherwise = 1;
}

static void load_outcomes(loader *L, const yt_node *map)
{
    static const char *const keys[] = {"label", "score", "when", "otherwise", "reason"};
    static const char *const event_keys[] = {"label", "hazard", "otherwise", "reason"};
    ty_scenario *s = L->s;
    if (!expect_kind(L, map, YT_MAP, "'outcomes'")) return;
    const yt_node *model = yt_map_get(map, "model");
    s->model = TY_OUTCOME_LOGIT;
    if (model) {
        const char *t = scalar(L, model, "outcomes.model");
        if (t && strcmp(t, "rules") == 0) s->model = TY_OUTCOME_RULES;
        else if (t && strcmp(t, "events") == 0) s->model = TY_OUTCOME_EVENTS;
        else if (t && strcmp(t, "logit") != 0)
            error_at(L, model, "outcomes.model must be 'logit', 'rules' or 'events', not '%s'", t);
    }
    if (s->model == TY_OUTCOME_EVENTS && !s->has_time)
        error_at(L, model, "'model: events' needs a 'time:' block (e.g. time: {steps: 26, unit: week})");
    else if (s->has_time && s->model != TY_OUTCOME_EVENTS)
        error_at(L, model ? model : map, "a scenario with 'time:' has 'model: events' outcomes, each with a "
                 "per-step 'hazard' and the last 'otherwise: true'");
    size_t n = map->n - (model != NULL);
    if (n > TY_SCENARIO_MAX_OUTCOMES) {
        error_at(L, map, "%zu outcomes; the limit is %d", n, TY_SCENARIO_MAX_OUTCOMES);
        return;
    }
    if (n < 2) { error_at(L, map, "a scenario needs at least two outcomes (found %zu)", n); return; }
    s->outcomes = calloc(n, sizeof *s->outcomes);
    if (!s->outcomes) { L->oom = 1; return; }
    for (size_t i = 0; i < map->n; i++) {
        const yt_node *k = map->keys[i], *v = map->items[i];
        if (strcmp(k->text, "model") == 0) continue;
        check_identifier(L, k, "outcome");
        char where[128];
        snprintf(where, sizeof where, "outcome '%s'", k->text);
        if (!expect_kind(L, v, YT_MAP, where)) continue;
        if (s->model == TY_OUTCOME_EVENTS) check_keys(L, v, event_keys, NKEYS(event_keys), where);
        else check_keys(L, v, keys, NKEYS(keys), where);
        ty_outcome *o = &s->outcomes[s->noutcomes++];
        o->name = own(L, k->text);
        o->pos = yt_pos(L->doc, k);
        o->name_pos = o->pos;
        const yt_node *lb = yt_map_get(v, "label");
        if (lb) o->label = own(L, scalar(L, lb, "label"));
        const yt_node *score = yt_map_get(v, "score"), *when = yt_map_get(v, "when"),
                      *other = yt_map_get(v, "otherwise");
        if (s->model == TY_OUTCOME_EVENTS) {
            const yt_node *hz = yt_map_get(v, "hazard");
            if (hz && other)
                error_at(L, other, "outcome '%s' has both 'hazard' and 'otherwise'", k->text);
            else if (other) {
                load_otherwise(L, other, i + 1 == map->n, o);
            } else if (!hz)
                error_at(L, k, "outcome '%s' has no 'hazard' (model: events): its probability of "
                         "happening in each step, e.g. hazard: 0.01", k->text);
            else if (scalar(L, hz, "hazard")) {
                if (hz->text[strspn(hz->text, " \t\r\n")] == '\0')
                    error_at(L, hz, "outcome '%s' has an empty 'hazard'", k->text);
                o->expr_text = own(L, hz->text);
                o->pos = yt_text_pos(L->doc, hz);
            }
        } else if (s->model == TY_OUTCOME_LOGIT) {
            if (when || other)
                error_at(L, when ? when : other, "outcome '%s' uses '%s', which belongs to "
                         "'model: rules'; a logit outcome has a 'score'", k->text, when ? "when" : "otherwise");
            else if (!score)
                error_at(L, k, "outcome '%s' has no 'score' (model: logit)", k->text);
            else if (scalar(L, score, "score")) {
                o->expr_text = own(L, score->text);
                o->pos = yt_text_pos(L->doc, score);
            }
        } else {
            if (score)
                error_at(L, score, "outcome '%s' has a 'score', which belongs to 'model: logit'; "
                         "a rules outcome has 'when' (or 'otherwise: true')", k->text);
            else if (when && other)
                error_at(L, other, "outcome '%s' has both 'when' and 'otherwise'", k->text);
            else if (other) {
                load_otherwise(L, other, i + 1 == map->n, o);
            } else if (!when)
                error_at(L, k, "outcome '%s' has no 'when' (model: rules)", k->text);
            else if (scalar(L, when, "when")) {
                o->expr_text = own(L, when->text);
                o->pos = yt_text_pos(L->doc, when);
            }
        }
    }
}

/* A section that is a mapping of at most limit named entries (queries,
 * shocks, states): a zeroed array of map->n + 1 entries of size bytes, or
 * NULL with the error (what: "'queries'"; plural: "queries"). */
static void *section_entries(loader *L, const yt_node *map, const char *what, const char *plural, size_t limit,
                             size_t size)
{
    if (!expect_kind(L, map, YT_MAP, what)) return NULL;
    if (map->n > limit) {
        error_at(L, map, "%zu %s; the limit is %zu", map->n, plural, limit);
        return NULL;
    }
    void *a = calloc(map->n + 1, size);
    if (!a) L->oom = 1;
    return a;
}

/* ---- time (docs/format.md, 'Time') -------------------------------------- */

static void load_time(loader *L, const yt_node *n)
{
    static const char *const keys[] = {"steps", "unit"};
    ty_scenario *s = L->s;
    s->has_time = 1;
    s->time.pos = yt_pos(L->doc, n);
    if (!expect_kind(L, n, YT_MAP, "'time'")) return;
    check_keys(L, n, keys, NKEYS(keys), "'time'");
    const yt_node *st = yt_map_get(n, "steps"), *u = yt_map_get(n, "unit");
    if (!st) error_at(L, n, "'time' needs 'steps' (e.g. time: {steps: 26, unit: week})");
    else get_u64(L, st, "time.steps", 1, TY_TIME_MAX_STEPS, &s->time.steps);
    if (u) s->time.unit = own(L, scalar(L, u, "time.unit"));
}

/* shocks: NAME: DIST, a fresh draw per path and step. */
static void load_shocks(loader *L, const yt_node *map)
{
    ty_scenario *s = L->s;
    if (!(s->shocks = section_entries(L, map, "'shocks'", "shocks", TY_TIME_MAX_SHOCKS, sizeof *s->shocks))) return;
    s->shock_dists = calloc(map->n + 1, sizeof *s->shock_dists);
    if (!s->shock_dists) { L->oom = 1; return; }
    for (size_t i = 0; i < map->n; i++) {
        const yt_node *k = map->keys[i], *v = map->items[i];
        if (!check_identifier(L, k, "shock")) continue;
        char where[128];
        snprintf(where, sizeof where, "shock '%s'", k->text);
        const char *t = scalar(L, v, where);
        if (!t) continue;
        ty_pos pos = yt_text_pos(L->doc, v);
        ty_dist_spec sp;
        memset(&sp, 0, sizeof sp);
        ty_status st = scenario_parse_dist(s, t, &pos, &sp, L->diag);
        if (st == TY_ERR_NOMEM) { L->oom = 1; return; }
        if (st != TY_OK) { L->errors++; continue; }
        ty_dist *d = NULL;
        st = ty_dist_new(&sp, &d, L->diag, &pos);
        if (st == TY_ERR_NOMEM) { L->oom = 1; return; }
        if (st != TY_OK) { L->errors++; continue; }
        ty_shock *sh = &s->shocks[s->nshocks];
        s->shock_dists[s->nshocks++] = d;
        sh->name = own(L, k->text);
        sh->dist_text = own(L, t);
        sh->dist = d;
        sh->pos = yt_pos(L->doc, k);
    }
}

/* state: NAME: {init: EXPR, next: EXPR, label:, unit:}. */
static void load_states(loader *L, const yt_node *map)
{
    static const char *const keys[] = {"init", "next", "label", "unit", "reason"};
    ty_scenario *s = L->s;
    s->states = section_entries(L, map, "'state'", "state variables", TY_TIME_MAX_STATES, sizeof *s->states);
    if (!s->states) return;
    for (size_t i = 0; i < map->n; i++) {
        const yt_node *k = map->keys[i], *v = map->items[i];
        if (!check_identifier(L, k, "state")) continue;
        char where[128];
        snprintf(where, sizeof where, "state '%s'", k->text);
        if (!expect_kind(L, v, YT_MAP, where)) continue;
        check_keys(L, v, keys, NKEYS(keys), where);
        ty_state *st = &s->states[s->nstates++];
        st->name = own(L, k->text);
        st->name_pos = yt_pos(L->doc, k);
        const yt_node *in = yt_map_get(v, "init"), *nx = yt_map_get(v, "next"), *n;
        if (!in) error_at(L, k, "state '%s' has no 'init' (its value before the first step)", k->text);
        else if (scalar(L, in, "init")) { st->init_text = own(L, in->text); st->init_pos = yt_text_pos(L->doc, in); }
        if (!nx) error_at(L, k, "state '%s' has no 'next' (its value at each step; 'next: %s' keeps it)",
                          k->text, k->text);
        else if (scalar(L, nx, "next")) { st->next_text = own(L, nx->text); st->next_pos = yt_text_pos(L->doc, nx); }
        if ((n = yt_map_get(v, "label"))) st->label = own(L, scalar(L, n, "label"));
        if ((n = yt_map_get(v, "unit"))) st->unit = own(L, scalar(L, n, "unit"));
    }
}

/* Queries (docs/format.md, 'Queries'): each a mapping with one of
 * probability, mean or quantiles, and optionally given and label. */
static void load_queries(loader *L, const yt_node *map)
{
    static const char *const keys[] = {"probability", "mean", "quantiles", "given", "label", "reason"};
    ty_scenario *s = L->s;
    s->queries = section_entries(L, map, "'queries'", "queries", TY_SCENARIO_MAX_QUERIES, sizeof *s->queries);
    if (!s->queries) return;
    for (size_t i = 0; i < map->n; i++) {
        const yt_node *k = map->keys[i], *v = map->items[i];
        if (!check_identifier(L, k, "query")) continue;
        char where[128];
        snprintf(where, sizeof where, "query '%s'", k->text);
        if (v->kind != YT_MAP) {
            error_at(L, v, "%s must be a mapping such as {probability: EXPR}, {mean: EXPR, given: "
                     "EXPR} or {quantiles: EXPR}, not %s", where, yt_kind_name(v->kind));
            continue;
        }
        check_keys(L, v, keys, NKEYS(keys), where);
        const yt_node *what = NULL;
        int kind = -1, several = 0;
        for (int q = 0; q < 3; q++) {
            const yt_node *e = yt_map_get(v, keys[q]);
            if (!e) continue;
            if (what) several = 1;
            else { what = e; kind = q; }
        }
        if (several) {
            error_at(L, v, "%s asks more than one thing; a query has one of 'probability', 'mean' "
                     "and 'quantiles'", where);
            ty_diag_hint(L->diag, "make each question a query of its own");
            continue;
        }
        if (!what) {
            error_at(L, k, "%s has none of 'probability', 'mean' and 'quantiles'", where);
            ty_diag_hint(L->diag, "e.g.  %s: {probability: force_ratio > 1.5}", k->text);
            continue;
        }
        const char *t = scalar(L, what, keys[kind]);
        if (!t) continue;
        ty_query *qy = &s->queries[s->nqueries];
        qy->kind = kind;
        qy->expr_text = own(L, t);
        qy->pos = yt_text_pos(L->doc, what);
        const yt_node *given = yt_map_get(v, "given"), *lb = yt_map_get(v, "label"),
                      *reason = yt_map_get(v, "reason");
        if (given) {
            const char *g = scalar(L, given, "given");
            if (!g) continue;
            qy->given_text = own(L, g);
            qy->given_pos = yt_text_pos(L->doc, given);
        }
        if (lb) {
            const char *l = scalar(L, lb, "label");
            if (!l) continue;
            qy->label = own(L, l);
        }
        if (reason && !scalar(L, reason, "reason")) continue;
        qy->name = own(L, k->text);
        qy->name_pos = yt_pos(L->doc, k);
        s->nqueries++;
    }
}

/* ---- observations (docs/format.md, 'Observations') ----------------------- */

/* A field of an observation: the overlay's (a batch variant's) when it has
 * the key, else the scenario's; *doc is the document it lives in. */
typedef struct obs_src {
    const yt_node *base, *over;
    const yt_doc *base_doc, *over_doc;
} obs_src;

static const yt_node *obs_field(const obs_src *src, const char *key, const yt_doc **doc)
{
    const yt_node *n = src->over && src->over->kind == YT_MAP ? yt_map_get(src->over, key) : NULL;
    if (n) { *doc = src->over_doc; return n; }
    n = src->base && src->base->kind == YT_MAP ? yt_map_get(src->base, key) : NULL;
    *doc = src->base_doc;
    return n;
}

static int is_null_node(const yt_node *n)
{
    return n->kind == YT_SCALAR && n->plain &&
           (n->text[0] == '\0' || strcmp(n->text, "null") == 0 || strcmp(n->text, "~") == 0);
}

/* Whether factor f takes discrete values only, and whether it can take x. */
static int factor_discrete(const ty_scenario *s, size_t f)
{
    switch (s->specs[f].kind) {
    case TY_DIST_BERNOULLI: case TY_DIST_BINOMIAL: case TY_DIST_POISSON:
    case TY_DIST_DISCRETE: case TY_DIST_CONSTANT:
        return 1;
    default:
        return 0;
    }
}

static int factor_can_take(const ty_scenario *s, size_t f, double x)
{
    const ty_dist_spec *sp = &s->specs[f];
    double lo, hi;
    if (!s->dists[f]) return 1;   /* the factor's own error is reported; no second one */
    ty_dist_support(s->dists[f], &lo, &hi);
    if (!(x >= lo && x <= hi)) return 0;
    switch (sp->kind) {
    case TY_DIST_BERNOULLI: case TY_DIST_BINOMIAL: case TY_DIST_POISSON:
        return x == floor(x);
    case TY_DIST_CONSTANT:
        return x == sp->param[0];
    case TY_DIST_DISCRETE:
        for (size_t i = 0; i < sp->nvalues; i++)
            if (sp->values[i] == x && (!sp->weights || sp->weights[i] > 0)) return 1;
        return 0;
    default:
        return 1;
    }
}

/* What a reading's value must be for its error: positive under a
 * multiplicative (lognormal) error; a value the factor can take when read
 * exactly. 1, or 0 with the reason in why. */
static int reading_value_ok(const ty_scenario *s, const ty_observation *ob, double v, char *why, size_t size)
{
    if (!isfinite(v)) { snprintf(why, size, "must be a finite number"); return 0; }
    if (ob->error == TY_OBS_ERROR_LOGNORMAL && !(v > 0)) {
        snprintf(why, size, "must be positive: under a lognormal (multiplicative) error the reading is "
                 "the true value times the error");
        return 0;
    }
    if (ob->error == TY_OBS_ERROR_EXACT && ob->of_column < s->nfactors &&
        !factor_can_take(s, ob->of_column, v)) {
        snprintf(why, size, "is one '%s' can never take (%s), so the observation rules out every sample",
                 ob->of, s->factors[ob->of_column].dist_text);
        return 0;
    }
    return 1;
}

/* A reading's error distribution (error: DIST, text at pos): normal,
 * lognormal or student_t, untruncated, with valid parameters. */
static int load_obs_error(loader *L, ty_observation *ob, const yt_node *en, const char *where)
{
    const char *t = scalar(L, en, "error");
    if (!t) return 0;
    ty_pos pos = yt_text_pos(L->doc, en);
    ty_dist_spec sp;
    memset(&sp, 0, sizeof sp);
    ty_status st = scenario_parse_dist(L->s, t, &pos, &sp, L->diag);
    if (st == TY_ERR_NOMEM) { L->oom = 1; return 0; }
    if (st != TY_OK) { L->errors++; return 0; }
    if (sp.kind != TY_DIST_NORMAL && sp.kind != TY_DIST_LOGNORMAL && sp.kind != TY_DIST_STUDENT_T) {
        error_at(L, en, "%s: the error of a reading must be normal(mean, sd), lognormal(mu, sigma) or "
                 "student_t(df, loc, scale), not '%s'", where, t);
        ty_diag_hint(L->diag, "normal(0, s): reading = true value + error; lognormal(0, s): reading = "
                     "true value x error; student_t(4, 0, s): a normal error with heavier tails");
        return 0;
    }
    if (sp.has_bounds) {
        error_at(L, en, "%s: an error distribution cannot be truncated", where);
        return 0;
    }
    ty_dist *d = NULL;
    st = ty_dist_new(&sp, &d, L->diag, &pos);
    ty_dist_free(d);
    if (st == TY_ERR_NOMEM) { L->oom = 1; return 0; }
    if (st != TY_OK) { L->errors++; return 0; }
    ob->error = sp.kind == TY_DIST_NORMAL ? TY_OBS_ERROR_NORMAL
              : sp.kind == TY_DIST_LOGNORMAL ? TY_OBS_ERROR_LOGNORMAL : TY_OBS_ERROR_STUDENT_T;
    memcpy(ob->error_param, sp.param, sizeof ob->error_param);
    ob->error_text = own(L, t);
    return 1;
}

/* A reading: of, value, error. 1 when valid. */
static int load_reading(loader *L, const obs_src *src, ty_observation *ob, const yt_node *of_node,
                        const yt_doc *of_doc, const char *where, const yt_node *key)
{
    ty_scenario *s = L->s;
    const yt_doc *doc;
    const yt_node *vn = obs_field(src, "value", &doc), *en;
    L->doc = of_doc;
    const char *name = scalar(L, of_node, "of");
    if (!name) return 0;
    int col = -1;
    for (size_t f = 0; f < s->nfactors && col < 0; f++)
        if (strcmp(s->factors[f].name, name) == 0) col = (int)f;
    for (size_t d = 0; d < s->nderived && col < 0; d++)
        if (strcmp(s->derived[d].name, name) == 0) col = (int)(s->nfactors + d);
    if (col < 0) {
        int outcome = 0;
        for (size_t k = 0; k < s->noutcomes; k++) outcome |= strcmp(s->outcomes[k].name, name) == 0;
        error_at(L, of_node, "%s reads '%s', which is not a factor or derived value", where, name);
        size_t n = s->nfactors + s->nderived;
        const char **names = calloc(n + 1, sizeof *names);
        for (size_t i = 0; names && i < n; i++)
            names[i] = i < s->nfactors ? s->factors[i].name : s->derived[i - s->nfactors].name;
        const char *close = names && !outcome ? ty_suggest(name, names, n) : NULL;
        if (outcome)
            ty_diag_hint(L->diag, "an outcome is observed with 'when' (e.g. when: %s == 0) or 'loglik'", name);
        else if (close)
            ty_diag_hint(L->diag, "did you mean '%s'?", close);
        free(names);
        return 0;
    }
    ob->kind = TY_OBS_READING;
    ob->of = own(L, name);
    ob->of_column = (size_t)col;
    ob->pos = yt_text_pos(L->doc, of_node);
    ob->error = TY_OBS_ERROR_EXACT;
    /* A factor whose distribution did not load has its own error; checking
     * a reading against it would only add a false one. */
    if (col < (int)s->nfactors && !s->dists[col]) return 0;
    int ok = 1;
    if ((en = obs_field(src, "error", &doc))) {
        L->doc = doc;
        ok = load_obs_error(L, ob, en, where);
    } else if (col >= (int)s->nfactors || !factor_discrete(s, (size_t)col)) {
        L->doc = src->base ? src->base_doc : src->over_doc;
        error_at(L, key, "%s reads %s '%s' without an 'error': an exact reading of a continuous value "
                 "has probability 0", where, col < (int)s->nfactors ? "the continuous factor" : "the derived value",
                 name);
        ty_diag_hint(L->diag, "give the reading's error, e.g.  error: normal(0, 5000)");
        ok = 0;
    }
    /* (A factor whose distribution did not load has its own error, and no
     * support to check against.) */
    if (ok && ob->error == TY_OBS_ERROR_LOGNORMAL && col < (int)s->nfactors && s->dists[col]) {
        /* reading = true x error: a true value of 0 or less gives no
         * positive reading. A continuous factor whose support starts at 0
         * is 0 with probability 0; a discrete one that can be 0 is not. */
        double lo, hi;
        ty_dist_support(s->dists[col], &lo, &hi);
        int zero = factor_discrete(s, (size_t)col) && factor_can_take(s, (size_t)col, 0);
        if (!(lo >= 0) || zero) {
            L->doc = doc;
            error_at(L, en, "%s: a lognormal error multiplies the true value, but '%s' (%s) can be %s",
                     where, name, s->factors[col].dist_text, zero ? "0" : "negative");
            ty_diag_hint(L->diag, "use an additive error, e.g.  error: normal(0, s)");
            ok = 0;
        }
    }
    if (!vn) {
        L->doc = src->base ? src->base_doc : src->over_doc;
        error_at(L, key, "%s reads '%s' but has no 'value' (what was read)", where, name);
        return 0;
    }
    L->doc = doc;
    double v;
    if (!get_double(L, vn, "an observation's value", &v)) return 0;
    ob->value = v;
    ob->value_pos = yt_text_pos(L->doc, vn);
    char why[256];
    if (ok && !reading_value_ok(s, ob, v, why, sizeof why)) {
        error_at(L, vn, "%s: the value %g %s", where, v, why);
        ok = 0;
    }
    return ok;
}

static void load_one_observation(loader *L, const yt_node *key, const obs_src *src)
{
    static const char *const keys[] = {"of", "value", "error", "when", "loglik", "label", "reason", "source"};
    ty_scenario *s = L->s;
    const yt_doc *base_doc = L->doc;
    char where[128];
    snprintf(where, sizeof where, "observation '%s'", key->text);
    const yt_node *parts[2] = {src->base, src->over};
    const yt_doc *docs[2] = {src->base_doc, src->over_doc};
    for (int m = 0; m < 2; m++) {
        const yt_node *v = parts[m];
        if (!v) continue;
        L->doc = docs[m];
        if (v->kind == YT_MAP) {
            check_keys(L, v, keys, NKEYS(keys), where);
        } else if (!(m == 1 && v->kind == YT_SCALAR)) {
            error_at(L, v, "%s must be a mapping with 'of' (and 'value', 'error'), 'when' or 'loglik', not %s",
                     where, yt_kind_name(v->kind));
            L->doc = base_doc;
            return;
        }
    }
    /* A variant's plain number is a new value for the reading. */
    obs_src eff = *src;
    const yt_node *new_value = NULL;
    if (src->over && src->over->kind == YT_SCALAR) {
        new_value = src->over;
        eff.over = NULL;
    }
    const yt_doc *d_of, *d_when, *d_ll, *d;
    const yt_node *of = obs_field(&eff, "of", &d_of), *when = obs_field(&eff, "when", &d_when),
                  *ll = obs_field(&eff, "loglik", &d_ll);
    L->doc = docs[src->base ? 0 : 1];
    if ((of != NULL) + (when != NULL) + (ll != NULL) != 1) {
        error_at(L, key, "%s must have exactly one of 'of' (a reading), 'when' (a fact) and 'loglik' "
                 "(a log-likelihood)", where);
        ty_diag_hint(L->diag, "e.g.  %s: {of: troops, value: 45000, error: normal(0, 5000)}", key->text);
        L->doc = base_doc;
        return;
    }
    ty_observation *ob = &s->observations[s->nobservations];
    memset(ob, 0, sizeof *ob);
    ob->value = NAN;
    int ok = 1;
    if (of) {
        ok = load_reading(L, &eff, ob, of, d_of, where, key);
        if (ok && new_value) {
            L->doc = src->over_doc;
            double v;
            char why[256];
            if (!get_double(L, new_value, "an observation's value", &v)) ok = 0;
            else if (!reading_value_ok(s, ob, v, why, sizeof why)) {
                error_at(L, new_value, "%s: the value %g %s", where, v, why);
                ok = 0;
            } else {
                ob->value = v;
                ob->value_pos = yt_text_pos(L->doc, new_value);
            }
        }
    } else {
        if (new_value) {
            L->doc = src->over_doc;
            error_at(L, new_value, "%s is a '%s' and has no value to set; override it with a mapping "
                     "({%s: ...}) or drop it with null", where, when ? "when" : "loglik", when ? "when" : "loglik");
            ok = 0;
        }
        const yt_node *e = when ? when : ll;
        L->doc = when ? d_when : d_ll;
        const char *t = scalar(L, e, when ? "when" : "loglik");
        if (!t) ok = 0;
        else {
            ob->kind = when ? TY_OBS_WHEN : TY_OBS_LOGLIK;
            ob->expr_text = own(L, t);
            ob->pos = yt_text_pos(L->doc, e);
        }
    }
    const yt_node *lb = obs_field(&eff, "label", &d);
    if (lb) {
        L->doc = d;
        const char *t = scalar(L, lb, "label");
        if (t) ob->label = own(L, t);
        else ok = 0;
    }
    const yt_node *other[2] = {obs_field(&eff, "reason", &d), NULL};
    if (other[0]) { L->doc = d; if (!scalar(L, other[0], "reason")) ok = 0; }
    if ((other[1] = obs_field(&eff, "source", &d))) { L->doc = d; if (!scalar(L, other[1], "source")) ok = 0; }
    L->doc = base_doc;
    if (!ok) return;
    ob->name = own(L, key->text);
    ob->name_pos = yt_pos(docs[src->base ? 0 : 1], key);
    s->nobservations++;
}

ty_status ty_scenario_set_observation(ty_scenario *s, const char *name, double value, ty_diag *diag)
{
    for (size_t i = 0; i < s->nobservations; i++) {
        ty_observation *ob = &s->observations[i];
        if (strcmp(ob->name, name) != 0) continue;
        if (ob->kind != TY_OBS_READING) {
            ty_diag_add(diag, TY_SEV_ERROR, NULL, "--observe: observation '%s' is a '%s' and has no value "
                        "to set (only readings, with 'of', do)", name, ob->kind == TY_OBS_WHEN ? "when" : "loglik");
            return TY_ERR_INVALID;
        }
        char why[256];
        if (!reading_value_ok(s, ob, value, why, sizeof why)) {
            ty_diag_add(diag, TY_SEV_ERROR, NULL, "--observe: the value %g of '%s' %s", value, name, why);
            return TY_ERR_INVALID;
        }
        ob->value = value;
        return TY_OK;
    }
    ty_diag_add(diag, TY_SEV_ERROR, NULL, "--observe: the scenario has no observation '%s'", name);
    const char **names = calloc(s->nobservations + 1, sizeof *names);
    for (size_t i = 0; names && i < s->nobservations; i++) names[i] = s->observations[i].name;
    const char *close = names ? ty_suggest(name, names, s->nobservations) : NULL;
    if (close) ty_diag_hint(diag, "did you mean '%s'?", close);
    else if (s->nobservations == 0) ty_diag_hint(diag, "observations are declared in the scenario's "
                                                 "'observations:' section (docs/format.md)");
    free(names);
    return TY_ERR_INVALID;
}

/* The scenario's observations, with a variant's overrides (over, in
 * over_doc): a null drops one, a number sets a reading's value, a mapping
 * is merged key by key (or defines a new observation). map may be NULL. */
static void load_observations(loader *L, const yt_node *map, const yt_doc *over_doc, const yt_node *over)
{
    ty_scenario *s = L->s;
    if (map && !expect_kind(L, map, YT_MAP, "'observations'")) return;
    size_t n = (map ? map->n : 0) + (over && over->kind == YT_MAP ? over->n : 0);
    if (n > TY_SCENARIO_MAX_OBSERVATIONS) {
        error_at(L, map ? map : over, "%zu observations; the limit is %d", n, TY_SCENARIO_MAX_OBSERVATIONS);
        return;
    }
    s->observations = calloc(n + 1, sizeof *s->observations);
    if (!s->observations) { L->oom = 1; return; }
    const yt_doc *base_doc = L->doc;
    for (size_t i = 0; map && i < map->n; i++) {
        const yt_node *k = map->keys[i];
        if (!check_identifier(L, k, "observation")) continue;
        const yt_node *o = over && over->kind == YT_MAP ? yt_map_get(over, k->text) : NULL;
        if (o && is_null_node(o)) continue;           /* dropped by the variant */
        obs_src src = {map->items[i], o, base_doc, over_doc};
        load_one_observation(L, k, &src);
    }
    for (size_t j = 0; over && over->kind == YT_MAP && j < over->n; j++) {
        const yt_node *k = over->keys[j];
        if (map && yt_map_get(map, k->text)) continue;
        L->doc = over_doc;
        if (is_null_node(over->items[j])) {
            error_at(L, k, "the variant drops observation '%s', which the scenario does not have", k->text);
            L->doc = base_doc;
            continue;
        }
        if (!check_identifier(L, k, "observation")) { L->doc = base_doc; continue; }
        if (over->items[j]->kind != YT_MAP) {
            error_at(L, over->items[j], "the variant sets observation '%s', which the scenario does not "
                     "have; a new observation is a mapping with 'of', 'when' or 'loglik'", k->text);
            L->doc = base_doc;
            continue;
        }
        L->doc = base_doc;
        obs_src src = {NULL, over->items[j], base_doc, over_doc};
        load_one_observation(L, k, &src);
    }
    L->doc = base_doc;
}

/* Factors, derived values, outcomes and queries share one namespace
 * (expressions and the result file's samples/ name them alike): a name used
 * twice is an error at the second use. Sorted by name, each clash is found
 * in O(n log n). */
typedef struct named {
    const char *name, *kind;
    ty_pos pos;
    size_t order;            /* in the file's order of sections */
} named;

static int cmp_named(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

static void check_unique_names(loader *L)
{
    const ty_scenario *s = L->s;
    size_t n = s->nfactors + s->nderived + s->noutcomes + s->nqueries + s->nobservations + s->nshocks +
               s->nstates, m = 0;
    named *all = malloc((n + 1) * sizeof *all);
    if (!all) { L->oom = 1; return; }
    for (size_t i = 0; i < s->nfactors; i++)
        { all[m] = (named){s->factors[i].name, "a factor", s->factors[i].pos, m}; m++; }
    for (size_t i = 0; i < s->nderived; i++)
        { all[m] = (named){s->derived[i].name, "a derived value", s->derived[i].name_pos, m}; m++; }
    for (size_t i = 0; i < s->noutcomes; i++)
        { all[m] = (named){s->outcomes[i].name, "an outcome", s->outcomes[i].name_pos, m}; m++; }
    for (size_t i = 0; i < s->nqueries; i++)
        { all[m] = (named){s->queries[i].name, "a query", s->queries[i].name_pos, m}; m++; }
    for (size_t i = 0; i < s->nobservations; i++)
        { all[m] = (named){s->observations[i].name, "an observation", s->observations[i].name_pos, m}; m++; }
    for (size_t i = 0; i < s->nshocks; i++)
        { all[m] = (named){s->shocks[i].name, "a shock", s->shocks[i].pos, m}; m++; }
    for (size_t i = 0; i < s->nstates; i++)
        { all[m] = (named){s->states[i].name, "a state variable", s->states[i].name_pos, m}; m++; }
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (all[i].name) all[k++] = all[i];
    for (size_t i = 0; s->has_time && i < k; i++)
        if (strcmp(all[i].name, "step") == 0) {
            ty_diag_add(L->diag, TY_SEV_ERROR, &all[i].pos, "'step' is the step number (1, 2, ...) in a "
                        "scenario with 'time:'; %s cannot be named so", all[i].kind);
            L->errors++;
        }
    qsort(all, k, sizeof *all, cmp_named);
    for (size_t i = 1; i < k; i++) {
        /* The first of a run of equal names is the one kept; factors clash
         * among themselves only through YAML's duplicate-key check. */
        size_t first = i;
        while (first > 0 && strcmp(all[first - 1].name, all[i].name) == 0) first--;
        if (first == i) continue;
        if (strcmp(all[i].kind, "a factor") == 0 && strcmp(all[first].kind, "a factor") == 0) continue;
        ty_diag_add(L->diag, TY_SEV_ERROR, &all[i].pos, "name '%s' is already used by %s (line %d)",
                    all[i].name, all[first].kind, all[first].pos.line);
        ty_diag_hint(L->diag, "factors, derived values, outcomes, queries, observations, shocks and states "
                     "share one set of names; rename one");
        L->errors++;
    }
    free(all);
}

/* A warning at pos unless the same one is already on diag (a batch builds
 * its scenario once per variant and sweep point). */
static void warn_once(ty_diag *diag, const ty_pos *pos, const char *msg, const char *hint)
{
    for (size_t i = 0; i < ty_diag_count(diag); i++) {
        const ty_diag_entry *e = ty_diag_get(diag, i);
        if (e->severity == TY_SEV_WARNING && e->line == pos->line && e->col == pos->col &&
            e->file && pos->file && strcmp(e->file, pos->file) == 0 && strcmp(e->message, msg) == 0)
            return;
    }
    ty_diag_add(diag, TY_SEV_WARNING, pos, "%s", msg);
    if (hint) ty_diag_hint(diag, "%s", hint);
}

int scenario_valid_name(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > TY_SCENARIO_MAX_NAME) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '_' || t[i] == '-'))
            return 0;
    return 1;
}

ty_status scenario_build(const yt_doc *doc, const scenario_overlay *overlay, ty_scenario **out,
                         ty_diag *diag)
{
    static const char *const keys[] = {"tyche", "name", "title", "source", "horizon", "description",
                                       "run", "factors", "correlations", "derived", "outcomes", "queries",
                                       "observations", "time", "shocks", "state"};
    *out = NULL;
    ty_scenario *s = calloc(1, sizeof *s);
    if (!s) return TY_ERR_NOMEM;
    s->run.samples = 1000000;
    s->path = strdup(doc->file);
    s->text = strdup(doc->text);
    if (!s->path || !s->text) { ty_scenario_free(s); return TY_ERR_NOMEM; }

    loader L = {.doc = doc, .diag = diag, .s = s};
    const yt_node *root = doc->root;
    const yt_doc *odoc = overlay ? overlay->doc : NULL;
    if (!root || root->kind != YT_MAP) {
        ty_pos pos = {doc->file, root ? root->line : 1, root ? root->col : 1};
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "a scenario file is a mapping with keys tyche, name, "
                    "factors, outcomes, ...; this file is %s", root ? yt_kind_name(root->kind) : "empty");
        ty_scenario_free(s);
        return TY_ERR_INVALID;
    }
    check_keys(&L, root, keys, NKEYS(keys), "the scenario");

    const yt_node *n = yt_map_get(root, "tyche");
    if (!n) error_at(&L, root, "missing 'tyche: 1' (the format version)");
    else if (scalar(&L, n, "tyche") && strcmp(n->text, "1") != 0)
        error_at(&L, n, "format version '%s' is not supported; this tyche reads version 1", n->text);

    n = yt_map_get(root, "name");
    if (!n) error_at(&L, root, "missing 'name'");
    else if (scalar(&L, n, "name")) {
        if (scenario_valid_name(n->text)) s->name = own(&L, n->text);
        else error_at(&L, n, "name '%s' must be 1 to %d characters of a-z, 0-9, '_' and '-'",
                      n->text, TY_SCENARIO_MAX_NAME);
    }
    const char *const text_keys[] = {"title", "source", "horizon"};
    const char **text_fields[] = {&s->title, &s->source, &s->horizon};
    for (int k = 0; k < 3; k++)
        if ((n = yt_map_get(root, text_keys[k]))) *text_fields[k] = own(&L, scalar(&L, n, text_keys[k]));
    if ((n = yt_map_get(root, "description"))) scalar(&L, n, "description");

    load_run(&L, yt_map_get(root, "run"), odoc, overlay ? overlay->run : NULL);
    n = yt_map_get(root, "factors");
    if (!n) error_at(&L, root, "missing 'factors'");
    else load_factors(&L, n, odoc, overlay ? overlay->factors : NULL);
    /* Out of memory: later sections would only report errors that are the
     * lost memory's (a factor whose name could not be kept is "unknown"). */
    if (L.oom) goto failed;
    if ((n = yt_map_get(root, "correlations"))) load_correlations(&L, n);
    if (L.oom) goto failed;
    if ((n = yt_map_get(root, "derived"))) load_derived(&L, n, odoc, overlay ? overlay->derived : NULL);
    else if (overlay && overlay->derived && overlay->derived->n) {
        L.doc = odoc;
        error_at(&L, overlay->derived->keys[0], "override of unknown derived value '%s' (the scenario "
                 "has no derived values)", overlay->derived->keys[0]->text);
        L.doc = doc;
    }
    const yt_node *tn = yt_map_get(root, "time");
    if (tn) load_time(&L, tn);
    for (size_t i = 0; !tn && i < root->n; i++)
        if (strcmp(root->keys[i]->text, "shocks") == 0 || strcmp(root->keys[i]->text, "state") == 0)
            error_at(&L, root->keys[i], "'%s' belongs to a scenario that unfolds over steps: add "
                     "'time: {steps: N, unit: week}'", root->keys[i]->text);
    if (tn && (n = yt_map_get(root, "shocks")) && !L.oom) load_shocks(&L, n);
    if (tn && (n = yt_map_get(root, "state")) && !L.oom) load_states(&L, n);
    n = yt_map_get(root, "outcomes");
    if (!n) error_at(&L, root, "missing 'outcomes'");
    else load_outcomes(&L, n);
    if (n && s->model == TY_OUTCOME_EVENTS && s->noutcomes && !s->outcomes[s->noutcomes - 1].otherwise)
        error_at(&L, n, "the last outcome of 'model: events' is 'otherwise: true': the paths where no "
                 "event happens by the horizon");
    const yt_node *qn = yt_map_get(root, "queries");
    if (qn && !L.oom) load_queries(&L, qn);
    const yt_node *obn = yt_map_get(root, "observations");
    if ((obn || (overlay && overlay->observations)) && !L.oom)
        load_observations(&L, obn, odoc, overlay ? overlay->observations : NULL);
    s->nobservations_owned = s->nobservations;
    if (n && L.errors == 0 && !L.oom) check_unique_names(&L);
    if (n && L.errors == 0 && s->model == TY_OUTCOME_RULES && s->noutcomes &&
        !s->outcomes[s->noutcomes - 1].otherwise) {
        ty_pos pos = yt_pos(doc, root);
        for (size_t i = 0; i < root->n; i++)
            if (strcmp(root->keys[i]->text, "outcomes") == 0) pos = yt_pos(doc, root->keys[i]);
        warn_once(diag, &pos, "a sample that matches no rule stops the run; add a last outcome with "
                  "'otherwise: true'", "e.g.  other: {label: None of the above, otherwise: true}");
    }

    if (!L.oom && L.errors == 0 && ty_diag_errors(diag) == 0) {
        /* Correlations must be jointly possible: checked once here so the
         * error has the file's position. */
        ty_status st = scenario_build_copula(s, diag);
        if (st == TY_ERR_NOMEM) L.oom = 1;
        else if (st != TY_OK) L.errors++;
    }
    if (!L.oom && L.errors == 0 && ty_diag_errors(diag) == 0) {
        ty_status st = scenario_resolve(s, diag);
        if (st == TY_ERR_NOMEM) L.oom = 1;
        else if (st != TY_OK) L.errors++;
    }
failed:
    if (L.oom || L.errors || ty_diag_oom(diag)) {
        ty_scenario_free(s);
        return L.oom ? TY_ERR_NOMEM : TY_ERR_INVALID;
    }
    /* Positions outlive the document: point them at the scenario's own copy
     * of the path (overlay positions stay with the batch, which outlives its
     * variants). */
    for (size_t i = 0; i < s->nfactors; i++)
        if (s->factors[i].pos.file == doc->file) s->factors[i].pos.file = s->path;
    for (size_t i = 0; i < s->ncorr; i++)
        if (s->corr[i].pos.file == doc->file) s->corr[i].pos.file = s->path;
    for (size_t i = 0; i < s->nderived; i++) {
        if (s->derived[i].pos.file == doc->file) s->derived[i].pos.file = s->path;
        if (s->derived[i].name_pos.file == doc->file) s->derived[i].name_pos.file = s->path;
    }
    for (size_t i = 0; i < s->noutcomes; i++) {
        if (s->outcomes[i].pos.file == doc->file) s->outcomes[i].pos.file = s->path;
        if (s->outcomes[i].name_pos.file == doc->file) s->outcomes[i].name_pos.file = s->path;
    }
    if (s->time.pos.file == doc->file) s->time.pos.file = s->path;
    for (size_t i = 0; i < s->nshocks; i++)
        if (s->shocks[i].pos.file == doc->file) s->shocks[i].pos.file = s->path;
    for (size_t i = 0; i < s->nstates; i++) {
        ty_state *st = &s->states[i];
        ty_pos *ps[] = {&st->name_pos, &st->init_pos, &st->next_pos};
        for (int j = 0; j < 3; j++)
            if (ps[j]->file == doc->file) ps[j]->file = s->path;
    }
    for (size_t i = 0; i < s->nqueries; i++) {
        ty_query *q = &s->queries[i];
        ty_pos *ps[] = {&q->pos, &q->given_pos, &q->name_pos};
        for (int j = 0; j < 3; j++)
            if (ps[j]->file == doc->file) ps[j]->file = s->path;
    }
    for (size_t i = 0; i < s->nobservations; i++) {
        ty_observation *o = &s->observations[i];
        ty_pos *ps[] = {&o->pos, &o->value_pos, &o->name_pos};
        for (int j = 0; j < 3; j++)
            if (ps[j]->file == doc->file) ps[j]->file = s->path;
    }
    *out = s;
    return TY_OK;
}

ty_status ty_scenario_parse(const char *name, const char *text, size_t size, ty_scenario **out,
                            ty_diag *diag)
{
    yt_doc *doc;
    *out = NULL;
    ty_status st = yt_doc_parse(name, text, size, &doc, diag);
    if (st != TY_OK) return st;
    st = scenario_build(doc, NULL, out, diag);
    yt_doc_free(doc);
    return st;
}

ty_status ty_scenario_load_input(const ty_input *in, ty_scenario **out, ty_diag *diag)
{
    return ty_scenario_parse(in->name, in->text, in->size, out, diag);
}

/* Reads path once (yt_doc_load) and builds from the text in memory. */
ty_status ty_scenario_load(const char *path, ty_scenario **out, ty_diag *diag)
{
    yt_doc *doc;
    *out = NULL;
    ty_status st = yt_doc_load(path, &doc, diag);
    if (st != TY_OK) return st;
    st = scenario_build(doc, NULL, out, diag);
    yt_doc_free(doc);
    return st;
}
