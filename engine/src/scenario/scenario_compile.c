/* scenario_compile.c - the scenario loader's bridge to the expression module:
 * distribution calls -> ty_dist_spec, and derived values and outcomes ->
 * one compiled ty_program. Knows nothing of YAML. */
#include "scenario_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tyche/suggest.h"

static void unknown_dist(const ty_call *call, ty_diag *diag)
{
    const char *names[TY_DIST_COUNT];
    for (int k = 0; k < TY_DIST_COUNT; k++) names[k] = ty_dist_kind_name((ty_dist_kind)k);
    ty_diag_add(diag, TY_SEV_ERROR, &call->callee_pos, "unknown distribution '%s'", call->callee);
    const char *close = ty_suggest(call->callee, names, TY_DIST_COUNT);
    if (close) {
        ty_diag_hint(diag, "did you mean '%s'?", close);
    } else {
        char list[256] = "";
        for (int k = 0; k < TY_DIST_COUNT; k++) {
            strncat(list, k ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, names[k], sizeof list - strlen(list) - 1);
        }
        ty_diag_hint(diag, "the distributions are %s (docs/format.md, 'Distributions')", list);
    }
}

/* Hints for spellings of a distribution that read naturally but are not
 * calls: "normal(0, 1) in [0, 1]" (the ty_call_parse error just added gets
 * the hint). */
static void dist_syntax_hint(const char *text, ty_diag *diag)
{
    if (strstr(text, ") in ["))
        ty_diag_hint(diag, "bounds go in their own key beside dist: 'dist: %.*s' and 'bounds: %s'",
                     (int)(strstr(text, ") in") - text + 1), text, strstr(text, ") in") + 5);
}

/* `LO to HI`: the text splits at a " to " and starts like a number (not a
 * call). Returns the offset of " to ", or -1. */
static long range_split(const char *text)
{
    const char *t = strstr(text, " to ");
    if (!t) return -1;
    const char *c = text;
    while (*c == ' ' || *c == '\t') c++;
    if (!(isdigit((unsigned char)*c) || *c == '-' || *c == '+' || *c == '.' || *c == '(')) return -1;
    if (strstr(t + 4, " to ")) return -1;
    return (long)(t - text);
}

/* `LO to HI` is ci90(LO, HI): each side a constant expression, positioned
 * by its column (the dist text is one line). */
static ty_status parse_range(const char *text, long at, const ty_pos *pos, ty_dist_spec *spec,
                             ty_diag *diag)
{
    char buf[512];
    size_t n = (size_t)at < sizeof buf - 1 ? (size_t)at : sizeof buf - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    ty_pos p0 = pos ? *pos : (ty_pos){NULL, 1, 1}, p1 = p0;
    p1.col += (int)at + 4;
    memset(spec, 0, sizeof *spec);
    spec->kind = TY_DIST_CI90;
    ty_status st = ty_expr_const(buf, &p0, &spec->param[0], diag);
    ty_status st2 = ty_expr_const(text + at + 4, &p1, &spec->param[1], diag);
    if (st != TY_OK) return st;
    if (st2 != TY_OK) return st2;
    const char *c = text;
    while (*c == ' ') { c++; p0.col++; }
    c = text + at + 4;
    while (*c == ' ') { c++; p1.col++; }
    spec->param_pos[0] = p0;
    spec->param_pos[1] = p1;
    return TY_OK;
}

static ty_status spec_from_call(ty_scenario *s, const ty_call *call, ty_dist_spec *spec,
                                ty_diag *diag);

/* An argument that must be a number (not a list, not a call); 1 if so,
 * else 0 with the error added. */
static int want_number(const char *dname, const char *pname, const ty_call_arg *a, ty_diag *diag)
{
    if (!a->is_list && !a->call) return 1;
    ty_diag_add(diag, TY_SEV_ERROR, &a->value_pos, "%s: '%s' must be a number, not %s", dname, pname,
                a->call ? "a distribution" : "a list");
    return 0;
}

/* An argument that must be a list of numbers; 1 if so, else 0. */
static int want_numbers(const char *dname, const char *pname, const ty_call_arg *a, ty_diag *diag)
{
    if (a->is_list && !a->calls) return 1;
    ty_diag_add(diag, TY_SEV_ERROR, &a->value_pos, "%s: '%s' must be a list such as [1, 2, 3]",
                dname, pname);
    return 0;
}

/* Maps the arguments of call to the names[0..n) (positional in order, or
 * named); given[k] gets the argument of names[k] or NULL. Reports unknown
 * names, extra and repeated arguments, and the missing ones among the
 * first nreq. Returns the number of errors. */
static int map_args(const ty_call *call, const char *const *names, int n, int nreq,
                    const ty_call_arg **given, ty_diag *diag)
{
    const char *dname = call->callee;
    char plist[128] = "";
    for (int k = 0; k < n; k++) {
        strncat(plist, k ? ", " : "", sizeof plist - strlen(plist) - 1);
        strncat(plist, names[k], sizeof plist - strlen(plist) - 1);
    }
    int bad = 0;
    for (int k = 0; k < n; k++) given[k] = NULL;
    for (size_t i = 0; i < call->nargs; i++) {
        const ty_call_arg *a = &call->args[i];
        int idx = (int)i;
        if (a->name) {
            idx = -1;
            for (int k = 0; k < n; k++) if (strcmp(names[k], a->name) == 0) idx = k;
            if (idx < 0) {
                ty_diag_add(diag, TY_SEV_ERROR, &a->pos, "%s has no parameter '%s'", dname, a->name);
                const char *close = ty_suggest(a->name, names, (size_t)n);
                if (close) ty_diag_hint(diag, "did you mean '%s'?", close);
                else ty_diag_hint(diag, "%s takes (%s)", dname, plist);
                bad++;
                continue;
            }
        } else if (idx >= n) {
            ty_diag_add(diag, TY_SEV_ERROR, &a->pos, "%s takes %d argument%s (%s); this is argument %zu",
                        dname, n, n == 1 ? "" : "s", plist, i + 1);
            bad++;
            continue;
        }
        if (given[idx]) {
            ty_diag_add(diag, TY_SEV_ERROR, &a->pos, "%s: '%s' is given twice", dname, names[idx]);
            bad++;
            continue;
        }
        given[idx] = a;
    }
    for (int k = 0; k < nreq && !bad; k++)
        if (!given[k]) {
            ty_diag_add(diag, TY_SEV_ERROR, &call->callee_pos, "%s needs %d argument%s (%s); '%s' is missing",
                        dname, nreq, nreq == 1 ? "" : "s", plist, names[k]);
            bad++;
        }
    return bad;
}

/* A list argument copied into a list owned by s; NULL when out of memory. */
static double *own_copy(ty_scenario *s, const ty_call_arg *a)
{
    double *v = scenario_own_list(s, a->nvalues);
    if (v) memcpy(v, a->values, a->nvalues * sizeof *v);
    return v;
}

/* truncate(DIST, lo, hi): DIST's spec with bounds [lo, hi], intersected
 * with bounds it already has (a truncate within a truncate). */
static ty_status spec_truncate(ty_scenario *s, const ty_call *call, ty_dist_spec *spec, ty_diag *diag)
{
    static const char *const names[] = {"dist", "lo", "hi"};
    const ty_call_arg *g[3];
    if (map_args(call, names, 3, 3, g, diag)) return TY_ERR_INVALID;
    int bad = 0;
    if (!g[0]->call) {
        ty_diag_add(diag, TY_SEV_ERROR, &g[0]->value_pos, "truncate: 'dist' must be a distribution "
                    "such as normal(0, 1)");
        bad = 1;
    }
    bad |= !want_number("truncate", "lo", g[1], diag);
    bad |= !want_number("truncate", "hi", g[2], diag);
    if (bad) return TY_ERR_INVALID;
    ty_status st = spec_from_call(s, g[0]->call, spec, diag);
    if (st != TY_OK) return st;
    double lo = g[1]->value, hi = g[2]->value;
    if (isnan(lo) || isnan(hi) || lo > hi) {
        ty_diag_add(diag, TY_SEV_ERROR, &g[1]->value_pos, "truncate: lo must be <= hi (got %g and %g)", lo, hi);
        return TY_ERR_INVALID;
    }
    if (spec->has_bounds) {
        double nlo = fmax(lo, spec->lo), nhi = fmin(hi, spec->hi);
        if (nlo > nhi) {
            ty_diag_add(diag, TY_SEV_ERROR, &g[1]->value_pos, "truncate: [%g, %g] does not meet the inner "
                        "truncation [%g, %g]", lo, hi, spec->lo, spec->hi);
            return TY_ERR_INVALID;
        }
        lo = nlo;
        hi = nhi;
    }
    spec->has_bounds = 1;
    spec->lo = lo;
    spec->hi = hi;
    return TY_OK;
}

/* mixture([DIST, ...], [w, ...]): component specs and their positions
 * owned by s. */
static ty_status spec_mixture(ty_scenario *s, const ty_call *call, ty_dist_spec *spec, ty_diag *diag)
{
    static const char *const names[] = {"components", "weights"};
    const ty_call_arg *g[2];
    if (map_args(call, names, 2, 1, g, diag)) return TY_ERR_INVALID;
    const ty_call_arg *c = g[0];
    int bad = 0;
    if (!c->is_list || !c->calls || c->nvalues == 0) {
        ty_diag_add(diag, TY_SEV_ERROR, &c->value_pos, "mixture: 'components' must be a list of "
                    "distributions such as [normal(0, 1), gamma(2, 1)]");
        return TY_ERR_INVALID;
    }
    if (c->nvalues > TY_DIST_MAX_COMPONENTS) {
        ty_diag_add(diag, TY_SEV_ERROR, &c->value_pos, "mixture: %zu components; the limit is %d",
                    c->nvalues, TY_DIST_MAX_COMPONENTS);
        return TY_ERR_INVALID;
    }
    if (g[1] && !want_numbers("mixture", "weights", g[1], diag)) bad = 1;
    size_t n = c->nvalues;
    ty_dist_spec *comps = scenario_own_mem(s, n * sizeof *comps);
    ty_pos *cpos = scenario_own_mem(s, n * sizeof *cpos);
    if (!comps || !cpos) return TY_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!c->calls[i]) {
            ty_diag_add(diag, TY_SEV_ERROR, &c->value_pos, "mixture: component %zu is a number, not a "
                        "distribution (write constant(x) for a fixed value)", i + 1);
            bad = 1;
            continue;
        }
        ty_status st = spec_from_call(s, c->calls[i], &comps[i], diag);
        if (st == TY_ERR_NOMEM) return st;
        if (st != TY_OK) bad = 1;
        cpos[i] = c->calls[i]->callee_pos;
    }
    if (!bad && g[1] && g[1]->nvalues != n) {
        ty_diag_add(diag, TY_SEV_ERROR, &g[1]->value_pos, "mixture: %zu components but %zu weights",
                    n, g[1]->nvalues);
        bad = 1;
    }
    if (bad) return TY_ERR_INVALID;
    spec->kind = TY_DIST_MIXTURE;
    spec->components = comps;
    spec->component_pos = cpos;
    spec->ncomponents = n;
    if (g[1]) {
        double *w = own_copy(s, g[1]);
        if (!w) return TY_ERR_NOMEM;
        spec->weights = w;
        spec->nweights = n;
    }
    return TY_OK;
}

/* metalog([x...], [p...], lower=L, upper=U). */
static ty_status spec_metalog(ty_scenario *s, const ty_call *call, ty_dist_spec *spec, ty_diag *diag)
{
    static const char *const names[] = {"x", "p", "lower", "upper"};
    const ty_call_arg *g[4];
    if (map_args(call, names, 4, 2, g, diag)) return TY_ERR_INVALID;
    int bad = !want_numbers("metalog", "x", g[0], diag);
    bad |= !want_numbers("metalog", "p", g[1], diag);
    for (int k = 2; k < 4; k++) if (g[k]) bad |= !want_number("metalog", names[k], g[k], diag);
    if (bad) return TY_ERR_INVALID;
    if (g[0]->nvalues != g[1]->nvalues) {
        ty_diag_add(diag, TY_SEV_ERROR, &g[1]->value_pos, "metalog: %zu quantiles x but %zu probabilities p",
                    g[0]->nvalues, g[1]->nvalues);
        return TY_ERR_INVALID;
    }
    if (g[0]->nvalues < TY_DIST_METALOG_MIN || g[0]->nvalues > TY_DIST_METALOG_MAX) {
        ty_diag_add(diag, TY_SEV_ERROR, &g[0]->value_pos, "metalog: needs %d to %d quantile pairs (got %zu)",
                    TY_DIST_METALOG_MIN, TY_DIST_METALOG_MAX, g[0]->nvalues);
        return TY_ERR_INVALID;
    }
    double *x = own_copy(s, g[0]), *p = own_copy(s, g[1]);
    if (!x || !p) return TY_ERR_NOMEM;
    spec->kind = TY_DIST_METALOG;
    spec->values = x;
    spec->weights = p;
    spec->nvalues = spec->nweights = g[0]->nvalues;
    for (int k = 0; k < 2; k++)
        if (g[2 + k]) {
            spec->metalog_bounds |= k ? TY_DIST_METALOG_UPPER : TY_DIST_METALOG_LOWER;
            spec->param[k] = g[2 + k]->value;
            spec->param_pos[k] = g[2 + k]->value_pos;
        }
    return TY_OK;
}

/* The spec of one (maybe nested) call. */
static ty_status spec_from_call(ty_scenario *s, const ty_call *call, ty_dist_spec *spec,
                                ty_diag *diag)
{
    memset(spec, 0, sizeof *spec);
    if (strcmp(call->callee, "truncate") == 0) return spec_truncate(s, call, spec, diag);
    int kind = ty_dist_kind_from_name(call->callee);
    if (kind < 0) {
        unknown_dist(call, diag);
        return TY_ERR_INVALID;
    }
    if (kind == TY_DIST_MIXTURE) return spec_mixture(s, call, spec, diag);
    if (kind == TY_DIST_METALOG) return spec_metalog(s, call, spec, diag);
    spec->kind = (ty_dist_kind)kind;
    const char *dname = call->callee;
    int discrete = kind == TY_DIST_DISCRETE;
    int np = discrete ? 2 : ty_dist_nparams(spec->kind);
    /* student_t(df, loc=0, scale=1) */
    int nreq = discrete ? 1 : kind == TY_DIST_STUDENT_T ? 1 : np;
    const char *names[TY_DIST_MAX_PARAMS];
    for (int k = 0; k < np; k++) names[k] = ty_dist_param_name(spec->kind, k);
    const ty_call_arg *given[TY_DIST_MAX_PARAMS];
    if (map_args(call, names, np, nreq, given, diag)) return TY_ERR_INVALID;
    int bad = 0;
    for (int k = 0; k < np; k++) {
        if (!given[k]) continue;
        if (discrete) bad |= !want_numbers(dname, names[k], given[k], diag);
        else bad |= !want_number(dname, names[k], given[k], diag);
    }
    if (bad) return TY_ERR_INVALID;
    if (discrete) {
        if (given[0]->nvalues > TY_DIST_MAX_VALUES) {
            ty_diag_add(diag, TY_SEV_ERROR, &given[0]->value_pos, "discrete: %zu values; the limit is %d",
                        given[0]->nvalues, TY_DIST_MAX_VALUES);
            return TY_ERR_INVALID;
        }
        double *v = own_copy(s, given[0]);
        double *w = given[1] ? own_copy(s, given[1]) : NULL;
        if (!v || (given[1] && !w)) return TY_ERR_NOMEM;
        spec->values = v;
        spec->weights = w;
        spec->nvalues = given[0]->nvalues;
        spec->nweights = given[1] ? given[1]->nvalues : 0;
        if (given[1] && given[1]->nvalues != given[0]->nvalues) {
            ty_diag_add(diag, TY_SEV_ERROR, &given[1]->value_pos,
                        "discrete: %zu values but %zu weights", given[0]->nvalues, given[1]->nvalues);
            return TY_ERR_INVALID;
        }
        return TY_OK;
    }
    if (kind == TY_DIST_STUDENT_T) { spec->param[1] = 0; spec->param[2] = 1; }
    for (int k = 0; k < np; k++) {
        if (!given[k]) continue;
        spec->param[k] = given[k]->value;
        spec->param_pos[k] = given[k]->value_pos;
    }
    return TY_OK;
}

ty_status scenario_parse_dist(ty_scenario *s, const char *text, const ty_pos *pos,
                              ty_dist_spec *spec, ty_diag *diag)
{
    long at = range_split(text);
    if (at >= 0) return parse_range(text, at, pos, spec, diag);
    ty_call *call;
    ty_status st = ty_call_parse(text, pos, &call, diag);
    if (st == TY_ERR_INVALID) dist_syntax_hint(text, diag);
    if (st != TY_OK) return st;
    st = spec_from_call(s, call, spec, diag);
    ty_call_free(call);
    return st;
}

/* The first identifier of text that is one of names[0..n), or -1; *at its
 * offset. Numbers are skipped whole (the e of 1e5 is not a name). The
 * grammar has no strings, so every identifier is a name or a function. */
static long first_use(const char *text, const char *const *names, size_t n, size_t *at)
{
    for (size_t i = 0; text[i];) {
        unsigned char c = (unsigned char)text[i];
        if (isdigit(c) || (c == '.' && isdigit((unsigned char)text[i + 1]))) {
            while (isdigit((unsigned char)text[i]) || text[i] == '.') i++;
            if (text[i] == 'e' || text[i] == 'E') {
                size_t j = i + 1;
                if (text[j] == '+' || text[j] == '-') j++;
                if (isdigit((unsigned char)text[j])) {
                    i = j;
                    while (isdigit((unsigned char)text[i])) i++;
                }
            }
        } else if (isalpha(c) || c == '_') {
            size_t j = i;
            while (isalnum((unsigned char)text[j]) || text[j] == '_') j++;
            for (size_t k = 0; k < n; k++)
                if (strlen(names[k]) == j - i && strncmp(text + i, names[k], j - i) == 0) {
                    *at = i;
                    return (long)k;
                }
            i = j;
        } else {
            i++;
        }
    }
    return -1;
}

/* The position of text[off], text starting at pos. */
static ty_pos pos_at(const ty_pos *pos, const char *text, size_t off)
{
    ty_pos p = *pos;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') { p.line++; p.col = 1; }
        else p.col++;
    }
    return p;
}

/* One query expression as a program of its own: its inputs are every
 * factor, derived value and outcome column (F + D + K, in that order), its
 * one derived value the expression. NULL text: nothing to compile. */
static ty_status compile_query_expr(const ty_scenario *s, const char **names, const ty_pos *npos,
                                    const char *qname, const char *text, const ty_pos *pos,
                                    const ty_pos *name_pos, const ty_program **out, ty_diag *diag)
{
    *out = NULL;
    if (!text) return TY_OK;
    ty_expr_def def = {.name = qname, .name_pos = *name_pos, .text = text, .pos = *pos};
    ty_program_spec spec = {
        .factors = names, .factor_pos = npos, .nfactors = s->nfactors + s->nderived + s->noutcomes,
        .derived = &def, .nderived = 1, .model = TY_OUTCOME_LOGIT, .outcomes = NULL, .noutcomes = 0,
    };
    ty_program *prog = NULL;
    ty_status st = ty_program_new(&spec, &prog, diag);
    *out = prog;
    return st;
}

/* The queries' expressions and conditions, and the `when` and `loglik`
 * expressions of the observations, each a program over the F + D + K
 * columns. */
static ty_status resolve_queries(ty_scenario *s, ty_diag *diag)
{
    if (s->nqueries == 0 && s->nobservations == 0) return TY_OK;
    size_t n = s->nfactors + s->nderived + s->noutcomes;
    const char **names = calloc(n, sizeof *names);
    ty_pos *npos = calloc(n, sizeof *npos);
    if (!names || !npos) { free(names); free(npos); return TY_ERR_NOMEM; }
    for (size_t i = 0; i < s->nfactors; i++) { names[i] = s->factors[i].name; npos[i] = s->factors[i].pos; }
    for (size_t i = 0; i < s->nderived; i++) {
        names[s->nfactors + i] = s->derived[i].name;
        npos[s->nfactors + i] = s->derived[i].name_pos;
    }
    for (size_t i = 0; i < s->noutcomes; i++) {
        names[s->nfactors + s->nderived + i] = s->outcomes[i].name;
        npos[s->nfactors + s->nderived + i] = s->outcomes[i].name_pos;
    }
    ty_status worst = TY_OK;
    /* A time scenario's states and shocks live inside the steps: a query or
     * an observation sees a path's final outcome, not its states. */
    const char *inner[TY_TIME_MAX_STATES + TY_TIME_MAX_SHOCKS + 1];
    size_t ninner = 0;
    for (size_t i = 0; i < s->nstates; i++) inner[ninner++] = s->states[i].name;
    for (size_t i = 0; i < s->nshocks; i++) inner[ninner++] = s->shocks[i].name;
    for (size_t q = 0; q < s->nqueries + s->nobservations && ninner; q++) {
        int isq = q < s->nqueries;
        const ty_query *qy = isq ? &s->queries[q] : NULL;
        const ty_observation *ob = isq ? NULL : &s->observations[q - s->nqueries];
        const char *texts[2] = {isq ? qy->expr_text : ob->expr_text, isq ? qy->given_text : NULL};
        const ty_pos *poss[2] = {isq ? &qy->pos : &ob->pos, isq ? &qy->given_pos : NULL};
        for (int t = 0; t < 2; t++) {
            size_t at;
            long u = texts[t] ? first_use(texts[t], inner, ninner, &at) : -1;
            if (u < 0) continue;
            ty_pos p = pos_at(poss[t], texts[t], at);
            ty_diag_add(diag, TY_SEV_ERROR, &p, "%s '%s' uses '%s', a %s of the steps: %s see a path's factors, "
                        "derived values and final outcome", isq ? "query" : "observation", isq ? qy->name : ob->name,
                        inner[u], (size_t)u < s->nstates ? "state" : "shock", isq ? "queries" : "observations");
            ty_diag_hint(diag, "a state's mean and percentiles by step are among the run's time results (the "
                         "table, --json, the result file's time/)");
            worst = TY_ERR_INVALID;
        }
    }
    if (worst != TY_OK) { free(names); free(npos); return worst; }
    for (size_t q = 0; q < s->nqueries; q++) {
        ty_query *qy = &s->queries[q];
        ty_status a = compile_query_expr(s, names, npos, qy->name, qy->expr_text, &qy->pos, &qy->name_pos,
                                         &qy->value, diag);
        ty_status b = compile_query_expr(s, names, npos, qy->name, qy->given_text, &qy->given_pos,
                                         &qy->name_pos, &qy->given, diag);
        if (a == TY_ERR_NOMEM || b == TY_ERR_NOMEM) worst = TY_ERR_NOMEM;
        else if (worst == TY_OK && (a != TY_OK || b != TY_OK)) worst = a != TY_OK ? a : b;
    }
    for (size_t o = 0; o < s->nobservations; o++) {
        ty_observation *ob = &s->observations[o];
        if (ob->kind == TY_OBS_READING) continue;
        ty_status a = compile_query_expr(s, names, npos, ob->name, ob->expr_text, &ob->pos, &ob->name_pos,
                                         &ob->prog, diag);
        if (a == TY_ERR_NOMEM) worst = TY_ERR_NOMEM;
        else if (worst == TY_OK && a != TY_OK) worst = a;
    }
    free(names);
    free(npos);
    return worst;
}

/* ---- time: the states' init and next, the events' hazards ---------------- */

/* One expression over the given inputs as a program whose one derived
 * value (named def, upper case so no scenario name can clash) is it. */
static ty_status compile_one(const char **names, const ty_pos *npos, size_t n, const char *def_name,
                             const ty_pos *name_pos, const char *text, const ty_pos *pos,
                             const ty_program **out, ty_diag *diag)
{
    ty_expr_def def = {.name = def_name, .name_pos = *name_pos, .text = text, .pos = *pos};
    ty_program_spec spec = {.factors = names, .factor_pos = npos, .nfactors = n, .derived = &def,
                            .nderived = 1, .model = TY_OUTCOME_LOGIT};
    ty_program *prog = NULL;
    ty_status st = ty_program_new(&spec, &prog, diag);
    *out = prog;
    return st;
}

/* The states' init and next programs and the hazards' program. The time
 * inputs are F factors, D derived values, H shocks, S states and `step`;
 * init's are the F + D columns and the S states. Uses the load can see
 * without running: a state's init or next that uses a later state, an init
 * that uses a shock or `step` (neither exists before step 1). */
static ty_status resolve_time(ty_scenario *s, ty_diag *diag)
{
    size_t F = s->nfactors, D = s->nderived, H = s->nshocks, S = s->nstates, n = F + D + H + S + 1;
    const char **names = calloc(n, sizeof *names);
    ty_pos *npos = calloc(n, sizeof *npos);
    ty_expr_def *hz = calloc(s->noutcomes + 1, sizeof *hz);
    if (!names || !npos || !hz) { free(names); free(npos); free(hz); return TY_ERR_NOMEM; }
    for (size_t i = 0; i < F; i++) { names[i] = s->factors[i].name; npos[i] = s->factors[i].pos; }
    for (size_t i = 0; i < D; i++) { names[F + i] = s->derived[i].name; npos[F + i] = s->derived[i].name_pos; }
    for (size_t i = 0; i < H; i++) { names[F + D + i] = s->shocks[i].name; npos[F + D + i] = s->shocks[i].pos; }
    for (size_t i = 0; i < S; i++) {
        names[F + D + H + i] = s->states[i].name;
        npos[F + D + H + i] = s->states[i].name_pos;
    }
    names[n - 1] = "step";
    npos[n - 1] = s->time.pos;
    ty_status worst = TY_OK;
    int errors = 0;
    for (size_t j = 0; j < S; j++) {
        ty_state *st = &s->states[j];
        size_t at;
        long u;
        /* A later state is not known yet at this point of the step. */
        if ((u = first_use(st->next_text, names + F + D + H + j + 1, S - j - 1, &at)) >= 0) {
            ty_pos p = pos_at(&st->next_pos, st->next_text, at);
            ty_diag_add(diag, TY_SEV_ERROR, &p, "state '%s' uses '%s', a state listed after it: states are "
                        "updated in the order written, each from those before it", st->name,
                        names[F + D + H + j + 1 + (size_t)u]);
            ty_diag_hint(diag, "move '%s' above '%s'", names[F + D + H + j + 1 + (size_t)u], st->name);
            errors++;
        }
        if ((u = first_use(st->init_text, names + F + D + H + j, S - j, &at)) >= 0) {
            ty_pos p = pos_at(&st->init_pos, st->init_text, at);
            ty_diag_add(diag, TY_SEV_ERROR, &p, "the init of state '%s' uses '%s', %s", st->name,
                        names[F + D + H + j + (size_t)u],
                        u == 0 ? "itself: init is its value before the first step"
                               : "a state listed after it: init values are set in the order written");
            errors++;
        }
        const char *later[TY_TIME_MAX_SHOCKS + 1];
        for (size_t i = 0; i < H; i++) later[i] = s->shocks[i].name;
        later[H] = "step";
        if ((u = first_use(st->init_text, later, H + 1, &at)) >= 0) {
            ty_pos p = pos_at(&st->init_pos, st->init_text, at);
            ty_diag_add(diag, TY_SEV_ERROR, &p, "the init of state '%s' uses '%s', which exists only from "
                        "the first step on (init may use factors, derived values and earlier states)",
                        st->name, later[u]);
            errors++;
        }
    }
    if (errors) { worst = TY_ERR_INVALID; goto out; }
    /* init: over factors, derived values and the states (those before it). */
    const char **inames = calloc(F + D + S + 1, sizeof *inames);
    ty_pos *ipos = calloc(F + D + S + 1, sizeof *ipos);
    if (!inames || !ipos) { free(inames); free(ipos); worst = TY_ERR_NOMEM; goto out; }
    memcpy(inames, names, (F + D) * sizeof *names);
    memcpy(inames + F + D, names + F + D + H, S * sizeof *names);
    memcpy(ipos, npos, (F + D) * sizeof *npos);
    memcpy(ipos + F + D, npos + F + D + H, S * sizeof *npos);
    for (size_t j = 0; j < S; j++) {
        ty_state *st = &s->states[j];
        ty_status a = compile_one(inames, ipos, F + D + S, "INIT", &st->name_pos, st->init_text, &st->init_pos,
                                  &st->init, diag);
        ty_status b = compile_one(names, npos, n, "NEXT", &st->name_pos, st->next_text, &st->next_pos,
                                  &st->next, diag);
        if (a == TY_ERR_NOMEM || b == TY_ERR_NOMEM) worst = TY_ERR_NOMEM;
        else if (worst == TY_OK && (a != TY_OK || b != TY_OK)) worst = a != TY_OK ? a : b;
    }
    free(inames);
    free(ipos);
    size_t E = s->noutcomes - 1;   /* the last is `otherwise` */
    for (size_t k = 0; k < E; k++) {
        hz[k].name = s->outcomes[k].name;
        hz[k].name_pos = s->outcomes[k].name_pos;
        hz[k].text = s->outcomes[k].expr_text;
        hz[k].pos = s->outcomes[k].pos;
    }
    if (worst == TY_OK) {
        ty_program_spec spec = {.factors = names, .factor_pos = npos, .nfactors = n, .derived = hz,
                                .nderived = E, .model = TY_OUTCOME_LOGIT};
        worst = ty_program_new(&spec, &s->hazards, diag);
    }
out:
    free(names);
    free(npos);
    free(hz);
    return worst;
}

ty_status scenario_resolve(ty_scenario *s, ty_diag *diag)
{
    const char **names = calloc(s->nfactors ? s->nfactors : 1, sizeof *names);
    ty_pos *fpos = calloc(s->nfactors ? s->nfactors : 1, sizeof *fpos);
    ty_expr_def *derived = calloc(s->nderived ? s->nderived : 1, sizeof *derived);
    ty_expr_def *outcomes = calloc(s->noutcomes ? s->noutcomes : 1, sizeof *outcomes);
    ty_status st = TY_ERR_NOMEM;
    if (names && fpos && derived && outcomes) {
        for (size_t i = 0; i < s->nfactors; i++) {
            names[i] = s->factors[i].name;
            fpos[i] = s->factors[i].pos;
        }
        for (size_t i = 0; i < s->nderived; i++) {
            derived[i].name = s->derived[i].name;
            derived[i].text = s->derived[i].expr_text;
            derived[i].pos = s->derived[i].pos;
            derived[i].name_pos = s->derived[i].name_pos;
        }
        for (size_t i = 0; i < s->noutcomes; i++) {
            outcomes[i].name = s->outcomes[i].name;
            outcomes[i].text = s->outcomes[i].expr_text;
            outcomes[i].pos = s->outcomes[i].pos;
            outcomes[i].name_pos = s->outcomes[i].name_pos;
        }
        /* A time scenario's program computes the derived values only: its
         * outcomes are the paths' events (resolve_time). */
        int events = s->model == TY_OUTCOME_EVENTS;
        ty_program_spec spec = {
            .factors = names, .factor_pos = fpos, .nfactors = s->nfactors,
            .derived = derived, .nderived = s->nderived,
            .model = events ? TY_OUTCOME_LOGIT : s->model, .outcomes = events ? NULL : outcomes,
            .noutcomes = events ? 0 : s->noutcomes,
        };
        st = ty_program_new(&spec, &s->program, diag);
        if (st == TY_OK && events) st = resolve_time(s, diag);
    }
    free(names);
    free(fpos);
    free(derived);
    free(outcomes);
    return st == TY_OK ? resolve_queries(s, diag) : st;
}
