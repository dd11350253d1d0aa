/* scenario_object.c - the ty_scenario object itself: the strings and lists
 * it owns, freeing it, changing one parameter (--set, sweeps), and the
 * read-only view the run loop and the CLI use. Loading and validation are
 * scenario.c's. */
#include "scenario_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tyche/suggest.h"

/* ---- ownership helpers ------------------------------------------------ */

const char *scenario_own_str(ty_scenario *s, const char *text)
{
    if (!text) return NULL;
    if (s->nstrs == s->capstrs) {
        size_t cap = s->capstrs ? 2 * s->capstrs : 32;
        char **strs = realloc(s->strs, cap * sizeof *strs);
        if (!strs) return NULL;
        s->strs = strs;
        s->capstrs = cap;
    }
    size_t n = strlen(text) + 1;
    char *c = malloc(n);
    if (!c) return NULL;
    memcpy(c, text, n);
    s->strs[s->nstrs++] = c;
    return c;
}

void *scenario_own_mem(ty_scenario *s, size_t size)
{
    if (s->nlists == s->caplists) {
        size_t cap = s->caplists ? 2 * s->caplists : 8;
        void **lists = realloc(s->lists, cap * sizeof *lists);
        if (!lists) return NULL;
        s->lists = lists;
        s->caplists = cap;
    }
    void *l = calloc(size ? size : 1, 1);
    if (l) s->lists[s->nlists++] = l;
    return l;
}

double *scenario_own_list(ty_scenario *s, size_t n)
{
    return scenario_own_mem(s, n * sizeof(double));
}

void ty_scenario_free(ty_scenario *s)
{
    if (!s) return;
    ty_program_free(s->program);
    for (size_t q = 0; s->queries && q < s->nqueries; q++) {
        ty_program_free((ty_program *)s->queries[q].value);
        ty_program_free((ty_program *)s->queries[q].given);
    }
    free(s->queries);
    for (size_t o = 0; s->observations && o < s->nobservations_owned; o++)
        ty_program_free((ty_program *)s->observations[o].prog);
    free(s->observations);
    for (size_t i = 0; i < s->nfactors; i++) ty_dist_free(s->dists ? s->dists[i] : NULL);
    for (size_t i = 0; i < s->nstrs; i++) free(s->strs[i]);
    for (size_t i = 0; i < s->nlists; i++) free(s->lists[i]);
    free(s->strs);
    free(s->lists);
    free(s->factors);
    free(s->dists);
    free(s->specs);
    free(s->corr);
    free(s->copula_factor);
    free(s->copula_corr);
    free(s->derived);
    free(s->outcomes);
    for (size_t i = 0; s->shocks && i < s->nshocks; i++) ty_dist_free(s->shock_dists[i]);
    free(s->shocks);
    free(s->shock_dists);
    for (size_t i = 0; s->states && i < s->nstates; i++) {
        ty_program_free((ty_program *)s->states[i].init);
        ty_program_free((ty_program *)s->states[i].next);
    }
    free(s->states);
    ty_program_free(s->hazards);
    free(s->path);
    free(s->text);
    free(s);
}

int scenario_find_factor(const ty_scenario *s, const char *name)
{
    for (size_t i = 0; i < s->nfactors; i++)
        if (s->factors[i].name && strcmp(s->factors[i].name, name) == 0) return (int)i;
    return -1;
}

ty_status scenario_set_param(ty_scenario *s, size_t f, int param, double value, ty_diag *diag,
                             const ty_pos *pos)
{
    ty_dist_spec spec = s->specs[f];
    spec.param[param] = value;
    /* the positions of the scenario's text point into its YAML document,
     * gone after loading: errors about a set value go to pos */
    memset(spec.param_pos, 0, sizeof spec.param_pos);
    ty_dist *d;
    ty_status st = ty_dist_new(&spec, &d, diag, pos);
    if (st != TY_OK) return st;
    ty_dist_free(s->dists[f]);
    s->dists[f] = d;
    s->specs[f] = spec;
    s->factors[f].dist = d;
    return TY_OK;
}

ty_status ty_scenario_set_param(ty_scenario *s, const char *factor, const char *param, double value,
                                ty_diag *diag)
{
    int f = scenario_find_factor(s, factor);
    if (f < 0) {
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "scenario '%s' has no factor '%s'", s->name, factor);
        const char **names = calloc(s->nfactors ? s->nfactors : 1, sizeof *names);
        for (size_t i = 0; names && i < s->nfactors; i++) names[i] = s->factors[i].name;
        const char *close = names ? ty_suggest(factor, names, s->nfactors) : NULL;
        if (close) ty_diag_hint(diag, "did you mean '%s'?", close);
        free(names);
        return TY_ERR_INVALID;
    }
    ty_dist_kind kind = s->specs[f].kind;
    int np = kind == TY_DIST_DISCRETE ? 0 : ty_dist_nparams(kind);
    int p = np > 0 ? ty_dist_param_index(kind, param) : -1;
    if (np == 0) {
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "factor '%s' is %s, which has no numeric parameter to set", factor,
                    ty_dist_kind_name(kind));
        return TY_ERR_INVALID;
    }
    if (p < 0) {
        /* The parameters it has, and the nearest to what was asked. */
        const char *names[16];
        char list[256] = "";
        int n = np < 16 ? np : 16;
        for (int i = 0; i < n; i++) {
            names[i] = ty_dist_param_name(kind, i);
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
        }
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "factor '%s' is %s(%s), which has no parameter '%s'", factor,
                    ty_dist_kind_name(kind), list, param);
        const char *close = ty_suggest(param, names, (size_t)n);
        if (close) ty_diag_hint(diag, "did you mean '%s'?", close);
        return TY_ERR_INVALID;
    }
    return scenario_set_param(s, (size_t)f, p, value, diag, NULL);
}

/* ---- read-only view --------------------------------------------------- */

const char *ty_scenario_name(const ty_scenario *s) { return s->name; }
const char *ty_scenario_title(const ty_scenario *s) { return s->title; }
const char *ty_scenario_source(const ty_scenario *s) { return s->source; }
const char *ty_scenario_horizon(const ty_scenario *s) { return s->horizon; }
const char *ty_scenario_path(const ty_scenario *s) { return s->path; }
const char *ty_scenario_text(const ty_scenario *s) { return s->text; }
const ty_run_settings *ty_scenario_run(const ty_scenario *s) { return &s->run; }
size_t ty_scenario_nfactors(const ty_scenario *s) { return s->nfactors; }
const ty_factor *ty_scenario_factor(const ty_scenario *s, size_t i) { return i < s->nfactors ? &s->factors[i] : NULL; }
int ty_scenario_find_factor(const ty_scenario *s, const char *name) { return scenario_find_factor(s, name); }
size_t ty_scenario_ncorrelations(const ty_scenario *s) { return s->ncorr; }
const ty_correlation *ty_scenario_correlation(const ty_scenario *s, size_t i) { return i < s->ncorr ? &s->corr[i] : NULL; }
const ty_copula *ty_scenario_copula(const ty_scenario *s) { return s->copula.m ? &s->copula : NULL; }
size_t ty_scenario_nderived(const ty_scenario *s) { return s->nderived; }
const ty_derived *ty_scenario_derived(const ty_scenario *s, size_t i) { return i < s->nderived ? &s->derived[i] : NULL; }
ty_outcome_model ty_scenario_model(const ty_scenario *s) { return s->model; }
size_t ty_scenario_noutcomes(const ty_scenario *s) { return s->noutcomes; }
const ty_program *ty_scenario_program(const ty_scenario *s) { return s->program; }
size_t ty_scenario_nqueries(const ty_scenario *s) { return s->nqueries; }
const ty_query *ty_scenario_query(const ty_scenario *s, size_t i) { return &s->queries[i]; }
const ty_outcome *ty_scenario_outcome(const ty_scenario *s, size_t i) { return i < s->noutcomes ? &s->outcomes[i] : NULL; }

size_t ty_scenario_nobservations(const ty_scenario *s) { return s->nobservations; }
const ty_observation *ty_scenario_observation(const ty_scenario *s, size_t i)
{
    return i < s->nobservations ? &s->observations[i] : NULL;
}

void ty_scenario_drop_observations(ty_scenario *s) { s->nobservations = 0; }

const ty_time *ty_scenario_time(const ty_scenario *s) { return s->has_time ? &s->time : NULL; }
size_t ty_scenario_nshocks(const ty_scenario *s) { return s->nshocks; }
const ty_shock *ty_scenario_shock(const ty_scenario *s, size_t i) { return i < s->nshocks ? &s->shocks[i] : NULL; }
size_t ty_scenario_nstates(const ty_scenario *s) { return s->nstates; }
const ty_state *ty_scenario_state(const ty_scenario *s, size_t i) { return i < s->nstates ? &s->states[i] : NULL; }
const ty_program *ty_scenario_hazards(const ty_scenario *s) { return s->hazards; }
