/* scenario_int.h - internal: the scenario object's layout and the loader's
 * entry point shared by scenario.c (scenario files) and batch.c (batch
 * files, which load a scenario with a variant's overrides laid over it). */
#ifndef TYCHE_SCENARIO_INT_H
#define TYCHE_SCENARIO_INT_H

#include "tyche/scenario.h"
#include "yaml_tree.h"

struct ty_scenario {
    char *path, *text;
    const char *name, *title, *source, *horizon;
    ty_run_settings run;
    ty_factor *factors;
    ty_dist **dists;             /* owned; factors[i].dist aliases dists[i] */
    ty_dist_spec *specs;         /* as parsed, for overrides and sweeps */
    size_t nfactors;
    ty_correlation *corr;
    size_t ncorr;
    ty_copula copula;            /* built from corr by scenario_build_copula */
    int *copula_factor;          /* owned storage behind copula */
    double *copula_corr;
    ty_derived *derived;
    size_t nderived;
    ty_outcome_model model;
    ty_program *program;         /* compiled derived values and outcomes */
    ty_outcome *outcomes;
    size_t noutcomes;
    ty_query *queries;           /* value and given programs owned (scenario_resolve) */
    size_t nqueries;
    ty_observation *observations;   /* when and loglik programs owned (scenario_resolve) */
    size_t nobservations;        /* 0 after ty_scenario_drop_observations ... */
    size_t nobservations_owned;  /* ... which keeps this many to free */
    int has_time;                /* a time: block (then model is TY_OUTCOME_EVENTS) */
    ty_time time;
    ty_shock *shocks;
    ty_dist **shock_dists;       /* owned; shocks[i].dist aliases */
    size_t nshocks;
    ty_state *states;            /* init and next programs owned */
    size_t nstates;
    ty_program *hazards;         /* the events' hazards (scenario_resolve) */
    char **strs;                 /* every string the scenario owns */
    size_t nstrs, capstrs;
    void **lists;                /* lists, component specs and positions the specs point to */
    size_t nlists, caplists;
};

/* Overrides a variant lays over a scenario file: each may be NULL. Factor
 * overrides are merged key by key into the factor's mapping; derived
 * overrides replace the expression; run overrides replace run settings. */
typedef struct scenario_overlay {
    const yt_doc *doc;           /* the batch file the overlay nodes live in */
    const yt_node *factors, *derived, *run, *observations;
} scenario_overlay;

/* Builds a scenario from a parsed scenario document and an optional overlay.
 * Errors go to diag; returns TY_OK, TY_ERR_INVALID or TY_ERR_NOMEM. */
ty_status scenario_build(const yt_doc *doc, const scenario_overlay *overlay,
                         ty_scenario **out, ty_diag *diag);

/* Replaces parameter param of factor f's distribution with value and
 * rebuilds it (sweeps). Errors (the value is invalid for the distribution)
 * go to diag at pos. */
ty_status scenario_set_param(ty_scenario *s, size_t f, int param, double value,
                             ty_diag *diag, const ty_pos *pos);

/* Parses a distribution call (text at pos) into spec: callee and argument
 * names mapped to the dist module's kinds and parameters; lists owned by s.
 * Also `LO to HI` (ci90(LO, HI)), nested calls in mixture([...], [...])
 * and truncate(DIST, lo, hi) (DIST's spec with bounds, intersected with its
 * own). Errors go to diag. A bounds: key is left to the caller. */
ty_status scenario_parse_dist(ty_scenario *s, const char *text, const ty_pos *pos,
                              ty_dist_spec *spec, ty_diag *diag);

/* Builds s->copula from s->corr and checks that it is positive definite
 * (jointly possible correlations): TY_ERR_INVALID with an error at the
 * first correlation's position otherwise; TY_ERR_NOMEM. */
ty_status scenario_build_copula(ty_scenario *s, ty_diag *diag);

/* Whether t is a valid name for something that names a file or an HDF5
 * group (a scenario, batch, variant or sweep): 1 to TY_SCENARIO_MAX_NAME
 * characters of [a-z0-9_-]. */
int scenario_valid_name(const char *t);

/* Compiles the derived values and outcomes into s->program, and each
 * query's expression and condition into programs of their own. */
ty_status scenario_resolve(ty_scenario *s, ty_diag *diag);

/* A copy of text owned by s (NULL for NULL, or when out of memory). */
const char *scenario_own_str(ty_scenario *s, const char *text);

/* The index of the factor named name, or -1. */
int scenario_find_factor(const ty_scenario *s, const char *name);

/* A list of n doubles owned by s (zeroed), or NULL when out of memory. */
double *scenario_own_list(ty_scenario *s, size_t n);
/* size bytes owned by s (zeroed), or NULL when out of memory. */
void *scenario_own_mem(ty_scenario *s, size_t size);

/* Reports unknown keys of map (not in allowed[0..n)) with a hint; where
 * names what is being read ("factor 'troops'"). Returns the count. */
int scenario_check_keys(const yt_doc *doc, const yt_node *map, const char *const *allowed,
                        size_t n, const char *where, ty_diag *diag);

#endif
