/* scenario_compile.c - the scenario loader's bridge to the expression module:
 * distribution calls -> ty_dist_spec, and derived values and outcomes ->
 * one compiled ty_program. Knows nothing of YAML. */
#include "scenario_int.h"

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

/* "mean, sd" for messages. */
static void param_list(ty_dist_kind kind, char *buf, size_t size)
{
    int np = kind == TY_DIST_DISCRETE ? 2 : ty_dist_nparams(kind);
    buf[0] = '\0';
    for (int i = 0; i < np; i++) {
        strncat(buf, i ? ", " : "", size - strlen(buf) - 1);
        strncat(buf, ty_dist_param_name(kind, i), size - strlen(buf) - 1);
    }
}

/* Hints for spellings of a distribution that read naturally but are not
 * calls: "5 to 40" and "normal(0, 1) in [0, 1]" (the ty_call_parse error
 * just added gets the hint). */
static void dist_syntax_hint(const char *text, ty_diag *diag)
{
    double lo, hi;
    int n = 0;
    if (sscanf(text, " %lf to %lf %n", &lo, &hi, &n) == 2 && text[n] == '\0')
        ty_diag_hint(diag, "for a range write ci90(%g, %g): %g and %g are then the 5th and 95th "
                     "percentiles", lo, hi, lo, hi);
    else if (strstr(text, ") in ["))
        ty_diag_hint(diag, "bounds go in their own key beside dist: 'dist: %.*s' and 'bounds: %s'",
                     (int)(strstr(text, ") in") - text + 1), text, strstr(text, ") in") + 5);
}

ty_status scenario_parse_dist(ty_scenario *s, const char *text, const ty_pos *pos,
                              ty_dist_spec *spec, ty_diag *diag)
{
    ty_call *call;
    ty_status st = ty_call_parse(text, pos, &call, diag);
    if (st == TY_ERR_INVALID) dist_syntax_hint(text, diag);
    if (st != TY_OK) return st;
    memset(spec, 0, sizeof *spec);
    int kind = ty_dist_kind_from_name(call->callee);
    if (kind < 0) {
        unknown_dist(call, diag);
        ty_call_free(call);
        return TY_ERR_INVALID;
    }
    spec->kind = (ty_dist_kind)kind;
    const char *dname = call->callee;
    int discrete = kind == TY_DIST_DISCRETE;
    int np = discrete ? 2 : ty_dist_nparams(spec->kind);
    const ty_call_arg *given[TY_DIST_MAX_PARAMS] = {0};
    char plist[128];
    param_list(spec->kind, plist, sizeof plist);
    int bad = 0;
    for (size_t i = 0; i < call->nargs; i++) {
        const ty_call_arg *a = &call->args[i];
        int idx = (int)i;
        if (a->name) {
            idx = ty_dist_param_index(spec->kind, a->name);
            if (idx < 0) {
                ty_diag_add(diag, TY_SEV_ERROR, &a->pos, "%s has no parameter '%s'", dname, a->name);
                const char *names[TY_DIST_MAX_PARAMS];
                for (int k = 0; k < np; k++) names[k] = ty_dist_param_name(spec->kind, k);
                const char *close = ty_suggest(a->name, names, (size_t)np);
                if (close) ty_diag_hint(diag, "did you mean '%s'?", close);
                else ty_diag_hint(diag, "%s takes (%s)", dname, plist);
                bad = 1;
                continue;
            }
        } else if (idx >= np) {
            ty_diag_add(diag, TY_SEV_ERROR, &a->pos, "%s takes %d argument%s (%s); this is argument %zu",
                        dname, np, np == 1 ? "" : "s", plist, i + 1);
            bad = 1;
            continue;
        }
        if (given[idx]) {
            ty_diag_add(diag, TY_SEV_ERROR, &a->pos, "%s: '%s' is given twice", dname,
                        ty_dist_param_name(spec->kind, idx));
            bad = 1;
            continue;
        }
        if (a->is_list != discrete) {
            ty_diag_add(diag, TY_SEV_ERROR, &a->value_pos, discrete
                        ? "%s: '%s' must be a list such as [1, 2, 3]"
                        : "%s: '%s' must be a number, not a list", dname,
                        ty_dist_param_name(spec->kind, idx));
            bad = 1;
            continue;
        }
        given[idx] = a;
    }
    for (int k = 0; k < np && !bad; k++)
        if (!given[k] && !(discrete && k == 1)) {   /* discrete: no weights, equal weights */
            ty_diag_add(diag, TY_SEV_ERROR, &call->callee_pos, "%s needs %d argument%s (%s); '%s' is missing",
                        dname, np, np == 1 ? "" : "s", plist, ty_dist_param_name(spec->kind, k));
            bad = 1;
        }
    if (!bad && discrete) {
        if (given[0]->nvalues > TY_DIST_MAX_VALUES) {
            ty_diag_add(diag, TY_SEV_ERROR, &given[0]->value_pos, "discrete: %zu values; the limit is %d",
                        given[0]->nvalues, TY_DIST_MAX_VALUES);
            bad = 1;
        } else {
            double *v = scenario_own_list(s, given[0]->nvalues);
            double *w = given[1] ? scenario_own_list(s, given[1]->nvalues) : NULL;
            if (!v || (given[1] && !w)) { ty_call_free(call); return TY_ERR_NOMEM; }
            memcpy(v, given[0]->values, given[0]->nvalues * sizeof *v);
            if (w) memcpy(w, given[1]->values, given[1]->nvalues * sizeof *w);
            spec->values = v;
            spec->weights = w;
            spec->nvalues = given[0]->nvalues;
            spec->nweights = given[1] ? given[1]->nvalues : 0;
            if (given[1] && given[1]->nvalues != given[0]->nvalues) {
                ty_diag_add(diag, TY_SEV_ERROR, &given[1]->value_pos,
                            "discrete: %zu values but %zu weights", given[0]->nvalues, given[1]->nvalues);
                bad = 1;
            }
        }
    } else if (!bad) {
        for (int k = 0; k < np; k++) {
            spec->param[k] = given[k]->value;
            spec->param_pos[k] = given[k]->value_pos;
        }
    }
    ty_call_free(call);
    return bad ? TY_ERR_INVALID : TY_OK;
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

static ty_status resolve_queries(ty_scenario *s, ty_diag *diag)
{
    if (s->nqueries == 0) return TY_OK;
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
    for (size_t q = 0; q < s->nqueries; q++) {
        ty_query *qy = &s->queries[q];
        ty_status a = compile_query_expr(s, names, npos, qy->name, qy->expr_text, &qy->pos, &qy->name_pos,
                                         &qy->value, diag);
        ty_status b = compile_query_expr(s, names, npos, qy->name, qy->given_text, &qy->given_pos,
                                         &qy->name_pos, &qy->given, diag);
        if (a == TY_ERR_NOMEM || b == TY_ERR_NOMEM) worst = TY_ERR_NOMEM;
        else if (worst == TY_OK && (a != TY_OK || b != TY_OK)) worst = a != TY_OK ? a : b;
    }
    free(names);
    free(npos);
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
        ty_program_spec spec = {
            .factors = names, .factor_pos = fpos, .nfactors = s->nfactors,
            .derived = derived, .nderived = s->nderived,
            .model = s->model, .outcomes = outcomes, .noutcomes = s->noutcomes,
        };
        st = ty_program_new(&spec, &s->program, diag);
    }
    free(names);
    free(fpos);
    free(derived);
    free(outcomes);
    return st == TY_OK ? resolve_queries(s, diag) : st;
}
