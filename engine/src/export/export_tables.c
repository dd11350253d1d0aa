/* export_tables.c - the tables of a result (docs/export.md): which there
 * are, their columns, and their rows from a ty_results. One builder per
 * table; each renders through export_render.c and knows no format. A table
 * the result does not have gets no rows (and so no file). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_int.h"
#include "tyche/export.h"

/* Every per-run table's columns start with "variant", which a table leaves
 * out when the export does not carry it (one run, or --variant). */
static void begin(export_table *t, const export_ctx *c, const char *name, const char *const *cols,
                  size_t ncols)
{
    if (c->with_variant) export_table_begin(t, c->format, name, cols, ncols);
    else export_table_begin(t, c->format, name, cols + 1, ncols - 1);
}

#define BEGIN(t, c, name, cols) begin(t, c, name, cols, sizeof cols / sizeof cols[0])

static void row(export_table *t, const export_ctx *c, const ty_run_result *run)
{
    export_table_row(t);
    if (c->with_variant) export_table_str(t, run->variant);
}

#define FOR_RUNS(c, run) \
    for (const ty_run_result *run = (c)->r->runs + (c)->first_run; \
         run < (c)->r->runs + (c)->first_run + (c)->nruns; run++)

static const char *outcome_label(const ty_run_result *run, size_t k)
{
    return run->outcome_labels ? run->outcome_labels[k] : NULL;
}

/* result: one row about the file. */
static void t_result(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"scenario", "title", "source", "tyche_version", "created", "host",
                                       "command_line", "complete"};
    const ty_results *r = c->r;
    export_table_begin(t, c->format, "result", cols, sizeof cols / sizeof cols[0]);
    export_table_row(t);
    export_table_str(t, r->scenario_name);
    export_table_str(t, r->scenario_title);
    export_table_str(t, r->scenario_source);
    export_table_str(t, r->tyche_version);
    export_table_str(t, r->created);
    export_table_str(t, r->host);
    export_table_str(t, r->command_line);
    export_table_i64(t, r->complete);
}

/* runs: one row per run, always with its variant (the key). */
static void t_runs(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "label", "seed", "samples", "samples_requested", "sampling",
                                       "block_size", "threads", "ranks", "wall_seconds", "complete",
                                       "stopped_early", "target_halfwidth", "target_reached", "max_halfwidth",
                                       "time_steps", "time_unit", "percentile_samples"};
    export_table_begin(t, c->format, "runs", cols, sizeof cols / sizeof cols[0]);
    FOR_RUNS(c, run) {
        export_table_row(t);
        export_table_str(t, run->variant);
        export_table_str(t, run->label);
        export_table_u64(t, run->seed);
        export_table_u64(t, run->samples);
        export_table_u64(t, run->samples_requested);
        export_table_str(t, run->sampling == 1 ? "lhs" : "random");
        export_table_u64(t, run->block_size);
        export_table_i64(t, run->threads);
        export_table_i64(t, run->ranks);
        export_table_num(t, run->wall_seconds);
        export_table_i64(t, run->complete);
        export_table_i64(t, run->stopped_early);
        export_table_num(t, run->target_halfwidth);
        export_table_i64(t, run->target_reached);
        export_table_num(t, run->max_halfwidth);
        if (run->time) {
            export_table_u64(t, run->time->steps);
            export_table_str(t, run->time->unit);
            export_table_u64(t, run->time->percentile_samples);
        } else {
            export_table_str(t, NULL);
            export_table_str(t, NULL);
            export_table_str(t, NULL);
        }
    }
}

static void t_outcomes(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "outcome", "label", "probability", "stderr", "ci_low",
                                       "ci_high", "spread_p05", "spread_p50", "spread_p95"};
    BEGIN(t, c, "outcomes", cols);
    FOR_RUNS(c, run) {
        for (size_t k = 0; k < run->noutcomes; k++) {
            const ty_estimate *e = &run->outcomes[k];
            row(t, c, run);
            export_table_str(t, run->outcome_names[k]);
            export_table_str(t, outcome_label(run, k));
            export_table_num(t, e->probability);
            export_table_num(t, e->stderr_);
            export_table_num(t, e->ci_low);
            export_table_num(t, e->ci_high);
            for (int j = 0; j < TY_SPREAD_NLEVELS; j++)
                export_table_num(t, run->spread ? run->spread[k * TY_SPREAD_NLEVELS + j] : NAN);
        }
    }
}

static void t_outcomes_prior(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "outcome", "label", "probability", "stderr", "ci_low",
                                       "ci_high"};
    BEGIN(t, c, "outcomes_prior", cols);
    FOR_RUNS(c, run) {
        if (!run->nobservations || !run->outcomes_prior) continue;
        for (size_t k = 0; k < run->noutcomes; k++) {
            const ty_estimate *e = &run->outcomes_prior[k];
            row(t, c, run);
            export_table_str(t, run->outcome_names[k]);
            export_table_str(t, outcome_label(run, k));
            export_table_num(t, e->probability);
            export_table_num(t, e->stderr_);
            export_table_num(t, e->ci_low);
            export_table_num(t, e->ci_high);
        }
    }
}

static void difference_cells(export_table *t, const ty_difference *d)
{
    export_table_num(t, d->diff);
    export_table_num(t, d->stderr_);
    export_table_num(t, d->ci_low);
    export_table_num(t, d->ci_high);
    export_table_num(t, d->unpaired_stderr);
}

static void t_differences(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "outcome", "diff", "stderr", "ci_low", "ci_high",
                                       "unpaired_stderr"};
    BEGIN(t, c, "differences", cols);
    FOR_RUNS(c, run) {
        if (!run->difference) continue;
        for (size_t k = 0; k < run->noutcomes; k++) {
            row(t, c, run);
            export_table_str(t, run->outcome_names[k]);
            difference_cells(t, &run->difference[k]);
        }
    }
}

static void t_queries(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "query", "label", "kind", "expr", "given", "value", "stderr",
                                       "ci_low", "ci_high", "q05", "q25", "q50", "q75", "q95", "given_share"};
    BEGIN(t, c, "queries", cols);
    FOR_RUNS(c, run) {
        for (size_t i = 0; i < run->nqueries; i++) {
            const ty_query_result *q = &run->queries[i];
            row(t, c, run);
            export_table_str(t, q->name);
            export_table_str(t, q->label);
            export_table_str(t, ty_query_kind_name(q->kind));
            export_table_str(t, q->expr);
            export_table_str(t, q->given);
            export_table_num(t, q->est.probability);
            export_table_num(t, q->est.stderr_);
            export_table_num(t, q->est.ci_low);
            export_table_num(t, q->est.ci_high);
            for (int j = 0; j < TY_QUERY_NLEVELS; j++) export_table_num(t, q->quantiles[j]);
            export_table_num(t, q->given_share);
        }
    }
}

/* The differences of probability and mean queries (a quantile query has
 * none). */
static void t_query_differences(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "query", "kind", "diff", "stderr", "ci_low", "ci_high",
                                       "unpaired_stderr"};
    BEGIN(t, c, "query_differences", cols);
    FOR_RUNS(c, run) {
        if (!run->query_difference) continue;
        for (size_t i = 0; i < run->nqueries; i++) {
            const ty_query_result *q = &run->queries[i];
            if (q->kind == TY_QUERY_QUANTILES) continue;
            row(t, c, run);
            export_table_str(t, q->name);
            export_table_str(t, ty_query_kind_name(q->kind));
            difference_cells(t, &run->query_difference[i]);
        }
    }
}

/* factors, derived and their priors: one row per series. */
static const char *const factor_cols[] = {"variant", "factor", "label", "unit", "mean", "sd", "p05", "p50",
                                          "p95"};
static const char *const derived_cols[] = {"variant", "derived", "label", "unit", "mean", "sd", "p05", "p50",
                                           "p95"};

static void series_table(const export_ctx *c, export_table *t, const char *name, int which)
{
    if (which % 2 == 0) BEGIN(t, c, name, factor_cols);
    else BEGIN(t, c, name, derived_cols);
    FOR_RUNS(c, run) {
        const ty_series_stats *s;
        size_t n;
        switch (which) {
        case 0: s = run->factors; n = run->nfactors; break;
        case 1: s = run->derived; n = run->nderived; break;
        case 2: s = run->nobservations ? run->factors_prior : NULL; n = run->nfactors; break;
        default: s = run->nobservations ? run->derived_prior : NULL; n = run->nderived; break;
        }
        for (size_t i = 0; s && i < n; i++) {
            row(t, c, run);
            export_table_str(t, s[i].name);
            export_table_str(t, s[i].label);
            export_table_str(t, s[i].unit);
            export_table_num(t, s[i].summary.mean);
            export_table_num(t, s[i].summary.sd);
            export_table_num(t, s[i].summary.p05);
            export_table_num(t, s[i].summary.p50);
            export_table_num(t, s[i].summary.p95);
        }
    }
}

static void t_factors(const export_ctx *c, export_table *t) { series_table(c, t, "factors", 0); }
static void t_derived(const export_ctx *c, export_table *t) { series_table(c, t, "derived", 1); }
static void t_factors_prior(const export_ctx *c, export_table *t) { series_table(c, t, "factors_prior", 2); }
static void t_derived_prior(const export_ctx *c, export_table *t) { series_table(c, t, "derived_prior", 3); }

static void t_observations(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "observation", "kind", "of", "expr", "label", "value", "held"};
    BEGIN(t, c, "observations", cols);
    FOR_RUNS(c, run) {
        for (size_t i = 0; i < run->nobservations; i++) {
            const ty_observation_result *o = &run->observations[i];
            row(t, c, run);
            export_table_str(t, o->name);
            export_table_str(t, ty_observation_kind_name(o->kind));
            export_table_str(t, o->of);
            export_table_str(t, o->expr);
            export_table_str(t, o->label);
            export_table_num(t, o->value);
            export_table_num(t, o->held);
        }
    }
}

/* The weights' diagnostics of each run with observations; warnings one a
 * line, as tyche run prints them. */
static void t_observation_stats(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "samples", "ess", "ess_fraction", "acceptance",
                                       "log_evidence", "pareto_k", "warnings"};
    BEGIN(t, c, "observation_stats", cols);
    FOR_RUNS(c, run) {
        if (!run->nobservations) continue;
        const ty_observation_stats *st = &run->obs;
        row(t, c, run);
        export_table_u64(t, run->samples);
        export_table_num(t, st->ess);
        export_table_num(t, st->ess_fraction);
        export_table_num(t, st->acceptance);
        export_table_num(t, st->log_evidence);
        export_table_num(t, st->pareto_k);
        char text[2048] = "";
        size_t len = 0;
        unsigned warn = ty_observation_warnings(st);
        for (unsigned bit = 1; bit && bit <= warn; bit <<= 1) {
            if (!(warn & bit) || len + 2 >= sizeof text) continue;
            if (len) text[len++] = '\n';
            int n = ty_observation_warning_text(st, run->samples, bit, text + len, sizeof text - len);
            len = n < 0 ? len : len + (size_t)n < sizeof text ? len + (size_t)n : sizeof text - 1;
            text[len] = '\0';
        }
        export_table_str(t, len ? text : NULL);
    }
}

static void t_convergence(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "samples", "outcome", "probability", "halfwidth"};
    BEGIN(t, c, "convergence", cols);
    FOR_RUNS(c, run) {
        const ty_convergence *v = &run->convergence;
        size_t K = run->noutcomes;
        for (size_t i = 0; i < v->npoints; i++)
            for (size_t k = 0; k < K; k++) {
                row(t, c, run);
                export_table_u64(t, v->samples[i]);
                export_table_str(t, run->outcome_names[k]);
                export_table_num(t, v->probability[i * K + k]);
                export_table_num(t, v->halfwidth[i * K + k]);
            }
    }
}

/* One series' histogram: a row per bin, then (when the file counted them)
 * the values below the first edge (bin_low empty) and above the last
 * (bin_high empty). */
static void histogram_rows(const export_ctx *c, export_table *t, const ty_run_result *run, const char *kind,
                           const ty_series_stats *s)
{
    const ty_histogram *h = &s->hist;
    if (!h->nbins || !h->edges || !h->counts) return;
    for (size_t b = 0; b < h->nbins; b++) {
        row(t, c, run);
        export_table_str(t, kind);
        export_table_str(t, s->name);
        export_table_num(t, h->edges[b]);
        export_table_num(t, h->edges[b + 1]);
        export_table_u64(t, h->counts[b]);
    }
    if (!h->outside_counted) return;
    row(t, c, run);
    export_table_str(t, kind);
    export_table_str(t, s->name);
    export_table_num(t, NAN);
    export_table_num(t, h->edges[0]);
    export_table_u64(t, h->underflow);
    row(t, c, run);
    export_table_str(t, kind);
    export_table_str(t, s->name);
    export_table_num(t, h->edges[h->nbins]);
    export_table_num(t, NAN);
    export_table_u64(t, h->overflow);
}

static void histogram_table(const export_ctx *c, export_table *t, const char *name, int prior)
{
    static const char *const cols[] = {"variant", "kind", "series", "bin_low", "bin_high", "count"};
    BEGIN(t, c, name, cols);
    FOR_RUNS(c, run) {
        const ty_series_stats *f = prior ? (run->nobservations ? run->factors_prior : NULL) : run->factors;
        const ty_series_stats *d = prior ? (run->nobservations ? run->derived_prior : NULL) : run->derived;
        for (size_t i = 0; f && i < run->nfactors; i++) histogram_rows(c, t, run, "factor", &f[i]);
        for (size_t i = 0; d && i < run->nderived; i++) histogram_rows(c, t, run, "derived", &d[i]);
    }
}

static void t_histograms(const export_ctx *c, export_table *t) { histogram_table(c, t, "histograms", 0); }
static void t_histograms_prior(const export_ctx *c, export_table *t)
{
    histogram_table(c, t, "histograms_prior", 1);
}

static void t_time_outcomes(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "step", "outcome", "cumulative", "ci_low", "ci_high"};
    BEGIN(t, c, "time_outcomes", cols);
    FOR_RUNS(c, run) {
        const ty_time_result *tm = run->time;
        if (!tm) continue;
        size_t K = run->noutcomes;
        for (size_t i = 0; i < tm->nreport; i++)
            for (size_t k = 0; k < K; k++) {
                row(t, c, run);
                export_table_u64(t, tm->step[i]);
                export_table_str(t, run->outcome_names[k]);
                export_table_num(t, tm->cumulative[i * K + k]);
                export_table_num(t, tm->ci_low[i * K + k]);
                export_table_num(t, tm->ci_high[i * K + k]);
            }
    }
}

static double at(const double *v, size_t i) { return v ? v[i] : NAN; }

static void t_time_states(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "step", "state", "label", "unit", "mean", "p05", "p50", "p95",
                                       "mean_running", "p05_running", "p50_running", "p95_running"};
    BEGIN(t, c, "time_states", cols);
    FOR_RUNS(c, run) {
        const ty_time_result *tm = run->time;
        if (!tm) continue;
        for (size_t i = 0; i < tm->nreport; i++)
            for (size_t j = 0; j < tm->nstates; j++) {
                const ty_time_state *x = &tm->states[j];
                row(t, c, run);
                export_table_u64(t, tm->step[i]);
                export_table_str(t, x->name);
                export_table_str(t, x->label);
                export_table_str(t, x->unit);
                export_table_num(t, at(x->mean, i));
                export_table_num(t, at(x->p05, i));
                export_table_num(t, at(x->p50, i));
                export_table_num(t, at(x->p95, i));
                export_table_num(t, at(x->mean_running, i));
                export_table_num(t, at(x->p05_running, i));
                export_table_num(t, at(x->p50_running, i));
                export_table_num(t, at(x->p95_running, i));
            }
    }
}

/* One row of the sensitivity table; factor_value and baseline are the
 * tornado's (NaN for the other measures). */
static void sens_row(const export_ctx *c, export_table *t, const ty_run_result *run, size_t i, size_t f,
                     const char *measure, double value, double lo, double hi, double factor_value,
                     double baseline)
{
    const ty_sensitivity *s = run->sensitivity;
    row(t, c, run);
    export_table_str(t, s->targets[i]);
    export_table_str(t, i < s->noutcome_targets ? "outcome" : "derived");
    export_table_str(t, s->factors[f]);
    export_table_str(t, measure);
    export_table_num(t, value);
    export_table_num(t, lo);
    export_table_num(t, hi);
    export_table_num(t, factor_value);
    export_table_num(t, baseline);
}

static void t_sensitivity(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "target", "target_kind", "factor", "measure", "value",
                                       "ci_low", "ci_high", "factor_value", "baseline"};
    BEGIN(t, c, "sensitivity", cols);
    FOR_RUNS(c, run) {
        const ty_sensitivity *s = run->sensitivity;
        if (!s) continue;
        size_t F = s->nfactors;
        for (size_t i = 0; i < s->ntargets; i++)
            for (size_t f = 0; f < F; f++) {
                size_t m = i * F + f;
                if (s->low) {
                    sens_row(c, t, run, i, f, "tornado_low", s->low[m], NAN, NAN, s->value_low[f], s->baseline[i]);
                    sens_row(c, t, run, i, f, "tornado_high", s->high[m], NAN, NAN, s->value_high[f],
                             s->baseline[i]);
                }
                if (s->spearman) sens_row(c, t, run, i, f, "spearman", s->spearman[m], NAN, NAN, NAN, NAN);
                if (s->first) {
                    sens_row(c, t, run, i, f, "sobol_first", s->first[m], s->first_ci[2 * m],
                             s->first_ci[2 * m + 1], NAN, NAN);
                    sens_row(c, t, run, i, f, "sobol_total", s->total[m], s->total_ci[2 * m],
                             s->total_ci[2 * m + 1], NAN, NAN);
                }
            }
    }
}

static void t_sensitivity_settings(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"variant", "methods", "samples", "seed", "ignore_correlations",
                                       "low_quantile", "high_quantile", "spearman_samples", "bootstrap"};
    static const char *const names[3] = {"tornado", "spearman", "sobol"};
    BEGIN(t, c, "sensitivity_settings", cols);
    FOR_RUNS(c, run) {
        const ty_sensitivity *s = run->sensitivity;
        if (!s) continue;
        char methods[64] = "";
        for (int i = 0; i < 3; i++)
            if (s->methods & (1u << i)) {
                if (methods[0]) strcat(methods, ",");
                strcat(methods, names[i]);
            }
        row(t, c, run);
        export_table_str(t, methods);
        export_table_u64(t, s->samples);
        export_table_u64(t, s->seed);
        export_table_i64(t, s->ignore_correlations);
        export_table_num(t, s->low ? s->low_quantile : NAN);
        export_table_num(t, s->low ? s->high_quantile : NAN);
        if (s->spearman) export_table_u64(t, s->spearman_samples);
        else export_table_str(t, NULL);
        if (s->first) export_table_u64(t, s->bootstrap);
        else export_table_str(t, NULL);
    }
}

/* sweeps: one row per sweep (the batch's, not a run's: no variant). */
static void t_sweeps(const export_ctx *c, export_table *t)
{
    static const char *const cols[] = {"sweep", "label", "factor", "param", "points", "complete"};
    export_table_begin(t, c->format, "sweeps", cols, sizeof cols / sizeof cols[0]);
    if (!c->with_sweeps) return;
    for (size_t i = 0; i < c->r->nsweeps; i++) {
        const ty_sweep_result *s = &c->r->sweeps[i];
        export_table_row(t);
        export_table_str(t, s->name);
        export_table_str(t, s->label);
        export_table_str(t, s->factor);
        export_table_str(t, s->param);
        export_table_u64(t, s->npoints);
        export_table_i64(t, !s->partial);
    }
}

/* sweep-NAME: long format, a row per point and outcome. */
static void t_sweep(const export_ctx *c, export_table *t, const ty_sweep_result *s)
{
    static const char *const cols[] = {"value", "outcome", "probability", "ci_low", "ci_high"};
    size_t len = strlen(s->name) + 7;
    char small[128], *name = len <= sizeof small ? small : malloc(len);
    if (!name) {   /* out of memory: a table without a name, which export.c reports */
        memset(t, 0, sizeof *t);
        return;
    }
    snprintf(name, len, "sweep-%s", s->name);
    export_table_begin(t, c->format, name, cols, sizeof cols / sizeof cols[0]);
    if (name != small) free(name);
    const ty_run_result *base = c->r->nruns ? &c->r->runs[0] : NULL;
    size_t K = s->noutcomes;
    for (size_t p = 0; p < s->npoints; p++)
        for (size_t k = 0; k < K; k++) {
            char other[32];
            const char *outcome = other;
            if (s->outcome_names) outcome = s->outcome_names[k];
            else if (base && base->noutcomes == K) outcome = base->outcome_names[k];
            else snprintf(other, sizeof other, "outcome %zu", k + 1);
            export_table_row(t);
            export_table_num(t, s->values[p]);
            export_table_str(t, outcome);
            export_table_num(t, s->probability[p * K + k]);
            export_table_num(t, s->ci_low[p * K + k]);
            export_table_num(t, s->ci_high[p * K + k]);
        }
}

typedef void (*builder)(const export_ctx *, export_table *);

/* The fixed tables, in the order they are written. */
static const builder tables[] = {
    t_result,       t_runs,          t_outcomes,       t_outcomes_prior,    t_differences,
    t_queries,      t_query_differences, t_factors,    t_factors_prior,     t_derived,
    t_derived_prior, t_observations, t_observation_stats, t_convergence,    t_histograms,
    t_histograms_prior, t_time_outcomes, t_time_states, t_sensitivity,      t_sensitivity_settings,
    t_sweeps,
};
#define NTABLES (sizeof tables / sizeof tables[0])

size_t export_table_count(const export_ctx *c)
{
    return NTABLES + (c->with_sweeps ? c->r->nsweeps : 0);
}

void export_table_build(const export_ctx *c, size_t i, export_table *t)
{
    if (i < NTABLES) tables[i](c, t);
    else t_sweep(c, t, &c->r->sweeps[i - NTABLES]);
    export_table_finish(t);
}
