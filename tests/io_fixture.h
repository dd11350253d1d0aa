/* io_fixture.h - a synthetic ty_results for the io tests and the schema
 * fixture writer: two variants (the second interrupted, with a resume
 * state, and a batch variant's differences), three outcomes with their
 * spread, three queries (one of each kind, with and without a condition
 * and a label), observations of the three kinds in the first (with the
 * prior's outcomes, factors and derived values; the second has none),
 * a time scenario's curves and states in the second, factors and derived
 * values with histograms, convergence, paired-difference
 * groups, a sweep, UTF-8 strings and awkward doubles
 * (-0, subnormal, 1/3, NaN where results have them) so that a round trip
 * shows bit-identity. */
#ifndef TYCHE_TEST_IO_FIXTURE_H
#define TYCHE_TEST_IO_FIXTURE_H

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tyche/tyche.h"

static char *fx_dup(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    memcpy(c, s, n);
    return c;
}

static double fx_val(unsigned i)
{
    static const double odd[] = {1.0 / 3.0, -0.0, DBL_MIN / 8, 0.1 + 0.2, 1e300, -2.5e-7, 0.0103};
    return odd[i % 7] + (double)(i / 7) * 0.015625;
}

static void fx_series(ty_series_stats *s, const char *name, const char *unit, const char *label,
                      size_t nbins, unsigned salt)
{
    s->name = fx_dup(name);
    s->unit = fx_dup(unit);
    s->label = fx_dup(label);
    s->summary.mean = fx_val(salt);
    s->summary.sd = fx_val(salt + 1);
    s->summary.p05 = fx_val(salt + 2);
    s->summary.p50 = fx_val(salt + 3);
    s->summary.p95 = fx_val(salt + 4);
    s->hist.nbins = nbins;
    if (nbins) {
        s->hist.edges = malloc((nbins + 1) * sizeof(double));
        s->hist.counts = malloc(nbins * sizeof(uint64_t));
        for (size_t b = 0; b <= nbins; b++) s->hist.edges[b] = 1000.0 * (double)b + (double)salt / 3.0;
        for (size_t b = 0; b < nbins; b++) s->hist.counts[b] = (uint64_t)(b * 977 + salt) | ((uint64_t)1 << 40);
        s->hist.underflow = salt;
        s->hist.overflow = ((uint64_t)1 << 63) + salt;
        s->hist.outside_counted = 1;
    }
}

/* The queries of every fixture run: a probability with a condition and a
 * label, a mean with neither, quantiles with a label. Non-quantile queries
 * have NaN quantiles, quantile queries a NaN estimate, as the engine
 * writes them. */
static void fx_queries(ty_run_result *run, unsigned salt)
{
    static const char *names[] = {"escalation", "ratio_mean", "troops_range"};
    static const char *labels[] = {"Invasion or showdown – “escalation”", NULL, "Troop range"};
    static const char *exprs[] = {"invasion + squeeze", "force_ratio", "troops"};
    static const char *givens[] = {"troops > 40000", NULL, NULL};
    static const int kinds[] = {TY_QUERY_PROBABILITY, TY_QUERY_MEAN, TY_QUERY_QUANTILES};
    run->nqueries = 3;
    run->queries = calloc(3, sizeof(ty_query_result));
    for (size_t q = 0; q < 3; q++) {
        ty_query_result *r = &run->queries[q];
        unsigned s = salt + 11 * (unsigned)q;
        r->name = fx_dup(names[q]);
        r->label = fx_dup(labels[q]);
        r->kind = kinds[q];
        r->expr = fx_dup(exprs[q]);
        r->given = fx_dup(givens[q]);
        if (r->kind == TY_QUERY_QUANTILES) {
            r->est.probability = r->est.stderr_ = r->est.ci_low = r->est.ci_high = NAN;
            for (size_t l = 0; l < TY_QUERY_NLEVELS; l++) r->quantiles[l] = 20000.0 * (double)(l + 1) + fx_val(s + (unsigned)l);
        } else {
            r->est.probability = fx_val(s);
            r->est.stderr_ = fx_val(s + 1);
            r->est.ci_low = fx_val(s + 2);
            r->est.ci_high = fx_val(s + 3);
            for (size_t l = 0; l < TY_QUERY_NLEVELS; l++) r->quantiles[l] = NAN;
        }
        r->given_share = r->given ? 0.4375 : 1.0;
    }
}

/* Paired-difference groups (as a file that is not complete keeps them in
 * resume/): 4 groups of 2 units, the outcomes' sums and the queries'. */
static void fx_groups(ty_run_result *run, unsigned salt)
{
    run->ngroups = 4;
    run->group_units = 2;
    run->group_sums = malloc(4 * run->noutcomes * sizeof(double));
    run->group_weights = malloc(4 * sizeof(double));
    run->query_group_sums = malloc(4 * run->nqueries * 2 * sizeof(double));
    for (size_t i = 0; i < 4 * run->noutcomes; i++) run->group_sums[i] = fx_val(salt + 7 * (unsigned)i);
    for (size_t i = 0; i < 4; i++) run->group_weights[i] = 8192.0 + (double)i;
    for (size_t i = 0; i < 4 * run->nqueries * 2; i++) run->query_group_sums[i] = fx_val(salt + 5 * (unsigned)i);
}

/* A batch variant's differences from the baseline: for the outcomes, and
 * for the queries (a NaN row for the quantile query). */
static void fx_differences(ty_run_result *run, unsigned salt)
{
    run->difference = calloc(run->noutcomes, sizeof(ty_difference));
    for (size_t k = 0; k < run->noutcomes; k++) {
        ty_difference *d = &run->difference[k];
        d->diff = fx_val(salt + (unsigned)k) - 0.125;
        d->stderr_ = 0.0078125 * (double)(k + 1);
        d->ci_low = d->diff - 0.5;
        d->ci_high = d->diff + 0.5;
        d->unpaired_stderr = 0.03125 * (double)(k + 1);
    }
    run->query_difference = calloc(run->nqueries, sizeof(ty_difference));
    for (size_t q = 0; q < run->nqueries; q++) {
        ty_difference *d = &run->query_difference[q];
        if (run->queries[q].kind == TY_QUERY_QUANTILES) {
            d->diff = d->stderr_ = d->ci_low = d->ci_high = d->unpaired_stderr = NAN;
            continue;
        }
        d->diff = fx_val(salt + 3 * (unsigned)q);
        d->stderr_ = 0.015625;
        d->ci_low = d->diff - 0.25;
        d->ci_high = d->diff + 0.25;
        d->unpaired_stderr = 0.0625;
    }
}

/* Observations of a run (after its outcomes and series): a reading of a
 * factor with an error and a UTF-8 label, a when with its share held, a
 * loglik with a label, an exact reading of a derived value without one;
 * NaN value and held where the engine leaves them; the diagnostics (no
 * warnings), and the prior's outcomes, factors and derived values, their
 * names, units, labels and distributions those of the run's series. */
static void fx_observations(ty_run_result *run, unsigned salt)
{
    static const char *names[] = {"satellite_count", "talks_held", "deadline_missed", "ratio_seen"};
    static const char *labels[] = {"Satellite count of troops near Donetsk – 1 April", NULL,
                                   "Deadline missed", NULL};
    static const int kinds[] = {TY_OBS_READING, TY_OBS_WHEN, TY_OBS_LOGLIK, TY_OBS_READING};
    static const char *ofs[] = {"troops", NULL, NULL, "force_ratio"};
    static const char *exprs[] = {"normal(0, 5000)", "troops > 40000", "log(0.2 + 0.6*squeeze)", NULL};
    run->nobservations = 4;
    run->observations = calloc(4, sizeof(ty_observation_result));
    for (size_t i = 0; i < 4; i++) {
        ty_observation_result *o = &run->observations[i];
        o->name = fx_dup(names[i]);
        o->label = fx_dup(labels[i]);
        o->kind = kinds[i];
        o->of = fx_dup(ofs[i]);
        o->expr = fx_dup(exprs[i]);
        o->value = kinds[i] == TY_OBS_READING ? 45000.0 + fx_val(salt + (unsigned)i) : NAN;
        o->held = kinds[i] == TY_OBS_WHEN ? 0.8125 : NAN;
    }
    run->obs.ess = 412345.5 + (double)salt;
    run->obs.ess_fraction = run->obs.ess / (double)run->samples;
    run->obs.acceptance = 0.8125;
    run->obs.log_evidence = -1.234 - fx_val(salt);
    run->obs.pareto_k = 0.21;
    run->outcomes_prior = calloc(run->noutcomes, sizeof(ty_estimate));
    for (size_t k = 0; k < run->noutcomes; k++) {
        run->outcomes_prior[k].probability = fx_val(salt + 20 + (unsigned)k);
        run->outcomes_prior[k].stderr_ = fx_val(salt + 21 + (unsigned)k);
        run->outcomes_prior[k].ci_low = fx_val(salt + 22 + (unsigned)k);
        run->outcomes_prior[k].ci_high = fx_val(salt + 23 + (unsigned)k);
    }
    run->factors_prior = calloc(run->nfactors, sizeof(ty_series_stats));
    for (size_t i = 0; i < run->nfactors; i++) {
        const ty_series_stats *f = &run->factors[i];
        fx_series(&run->factors_prior[i], f->name, f->unit, f->label, f->hist.nbins, salt + 30 + (unsigned)i);
        run->factors_prior[i].dist = fx_dup(f->dist);
    }
    run->derived_prior = calloc(run->nderived, sizeof(ty_series_stats));
    for (size_t i = 0; i < run->nderived; i++) {
        const ty_series_stats *f = &run->derived[i];
        fx_series(&run->derived_prior[i], f->name, f->unit, f->label, f->hist.nbins, salt + 40 + (unsigned)i);
    }
}

/* A time scenario's results: 5 reported steps of 12 (rows summing to 1,
 * each estimate inside its interval), two states, one with a UTF-8 label
 * and a unit, the running mean NaN once no path runs. */
static void fx_time(ty_run_result *run, unsigned salt)
{
    ty_time_result *t = calloc(1, sizeof *t);
    size_t R = 5, K = run->noutcomes;
    run->time = t;
    t->steps = 12;
    t->unit = fx_dup("week");
    t->percentile_samples = 16384;
    t->nreport = R;
    t->step = malloc(R * sizeof *t->step);
    t->cumulative = malloc(R * K * sizeof(double));
    t->ci_low = malloc(R * K * sizeof(double));
    t->ci_high = malloc(R * K * sizeof(double));
    static const uint64_t steps[] = {2, 5, 7, 10, 12};
    for (size_t r = 0; r < R; r++) {
        t->step[r] = steps[r];
        double a = 0.01 * (double)(r + 1) + 1e-5 * salt, b = 1.0 / 3 * 0.1 * (double)(r + 1);
        double v[3] = {a, b, 1 - a - b};
        for (size_t k = 0; k < K; k++) {
            t->cumulative[r * K + k] = v[k];
            t->ci_low[r * K + k] = v[k] - 0.001;
            t->ci_high[r * K + k] = v[k] + 0.001;
        }
    }
    t->nstates = 2;
    t->states = calloc(2, sizeof(ty_time_state));
    static const char *names[] = {"tension", "sanctions"};
    for (size_t j = 0; j < 2; j++) {
        ty_time_state *x = &t->states[j];
        x->name = fx_dup(names[j]);
        x->label = j ? NULL : fx_dup("Tension on the border – an index");
        x->unit = j ? NULL : fx_dup("index");
        double **arr[] = {&x->mean, &x->p05, &x->p50, &x->p95, &x->mean_running, &x->p05_running,
                          &x->p50_running, &x->p95_running};
        for (int i = 0; i < 8; i++) {
            *arr[i] = malloc(R * sizeof(double));
            for (size_t r = 0; r < R; r++) (*arr[i])[r] = fx_val(salt + (unsigned)(i * 7 + (int)r + (int)j));
        }
        x->mean_running[R - 1] = x->p05_running[R - 1] = x->p50_running[R - 1] = x->p95_running[R - 1] = NAN;
    }
}

static void fx_run(ty_run_result *run, const char *variant, const char *label, int complete, unsigned salt)
{
    static const char *onames[] = {"invasion", "squeeze", "status_quo"};
    static const char *olabels[] = {"Russian invasion of eastern Ukraine", NULL,
                                    "Kerry–Lavrov talks succeed – status quo"};
    run->variant = fx_dup(variant);
    run->label = fx_dup(label);
    run->seed = 18446744073709551615u - salt;
    run->samples = 1000000 + salt;
    run->samples_requested = 2000000;
    run->sampling = salt % 2;
    run->block_size = 4096;
    run->threads = 8;
    run->ranks = 1;
    run->wall_seconds = 1.25 + fx_val(salt);
    run->complete = complete;
    run->stopped_early = !complete ? 0 : 1;
    run->noutcomes = 3;
    run->outcome_names = calloc(3, sizeof(char *));
    run->outcome_labels = calloc(3, sizeof(char *));
    run->outcomes = calloc(3, sizeof(ty_estimate));
    for (size_t k = 0; k < 3; k++) {
        run->outcome_names[k] = fx_dup(onames[k]);
        run->outcome_labels[k] = fx_dup(olabels[k]);
        run->outcomes[k].probability = fx_val(salt + (unsigned)k);
        run->outcomes[k].stderr_ = fx_val(salt + (unsigned)k + 1);
        run->outcomes[k].ci_low = fx_val(salt + (unsigned)k + 2);
        run->outcomes[k].ci_high = fx_val(salt + (unsigned)k + 3);
    }
    run->spread = malloc(3 * TY_SPREAD_NLEVELS * sizeof(double));
    for (size_t i = 0; i < 3 * TY_SPREAD_NLEVELS; i++) run->spread[i] = fx_val(salt + (unsigned)i);
    run->spread[4] = NAN;   /* a percentile not known */
    fx_queries(run, salt);
    run->nfactors = 2;
    run->factors = calloc(2, sizeof(ty_series_stats));
    fx_series(&run->factors[0], "troops", "troops", "Battle-ready Russian troops on Ukraine’s frontiers", 5, salt);
    fx_series(&run->factors[1], "resistance", NULL, NULL, 3, salt + 5);
    run->factors[0].dist = fx_dup("normal(mean=40000, sd=8000) in [15000, 100000]");
    run->factors[1].dist = fx_dup("ci90(lo=-5, hi=40) -> normal(mean=17.5, sd=13.68)");
    run->nderived = 1;
    run->derived = calloc(1, sizeof(ty_series_stats));
    fx_series(&run->derived[0], "force_ratio", "1", "Force ratio", 4, salt + 9);
    ty_convergence *c = &run->convergence;
    c->npoints = 4;
    c->samples = malloc(4 * sizeof(uint64_t));
    c->probability = malloc(12 * sizeof(double));
    c->halfwidth = malloc(12 * sizeof(double));
    for (size_t i = 0; i < 4; i++) c->samples[i] = (uint64_t)4096 << i;
    for (size_t i = 0; i < 12; i++) {
        c->probability[i] = fx_val(salt + (unsigned)i * 3);
        c->halfwidth[i] = fx_val(salt + (unsigned)i * 5);
    }
    if (!complete) {
        run->resume.blocks_done = 123;
        run->resume.nreal = 7;
        run->resume.real = malloc(7 * sizeof(double));
        for (size_t i = 0; i < 7; i++) run->resume.real[i] = fx_val(salt + (unsigned)i);
        run->resume.ncount = 3;
        run->resume.count = malloc(3 * sizeof(uint64_t));
        for (size_t i = 0; i < 3; i++) run->resume.count[i] = (uint64_t)i * 0x100000001u + salt;
    }
}

/* A new result tree; salt changes every number, so two trees differ. */
static ty_results *fx_results(unsigned salt)
{
    ty_results *r = calloc(1, sizeof *r);
    r->scenario_name = fx_dup("ukraine-2014");
    r->scenario_title = fx_dup("US–Russia diplomatic feelers over Ukraine, spring 2014");
    r->scenario_source = NULL;
    r->source_text = fx_dup("tyche: 1\nname: ukraine-2014\n# Kerry–Lavrov, “quotes”, tabs\there\n");
    r->batch_text = fx_dup("tyche: 1\nbatch: policy\n");
    r->tyche_version = fx_dup(ty_version());
    r->created = fx_dup("2014-04-17T12:00:00Z");
    r->command_line = fx_dup("tyche batch policy.yaml -o results/x.h5");
    r->host = fx_dup("testhost");
    r->complete = 0;
    r->nruns = 2;
    r->runs = calloc(2, sizeof(ty_run_result));
    fx_run(&r->runs[0], "baseline", NULL, 1, salt);
    fx_run(&r->runs[1], "sanctions_now", "West imposes further sanctions now – Kerry–Lavrov", 0, salt + 2);
    fx_observations(&r->runs[0], salt);
    fx_time(&r->runs[1], salt);
    fx_differences(&r->runs[1], salt + 4);
    for (size_t i = 0; i < 2; i++) fx_groups(&r->runs[i], salt + 6 * (unsigned)i);
    r->nsweeps = 1;
    r->sweeps = calloc(1, sizeof(ty_sweep_result));
    ty_sweep_result *s = &r->sweeps[0];
    s->name = fx_dup("troop_buildup");
    s->label = fx_dup("Troop build-up – 20,000 to 100,000");
    s->outcome_names = calloc(3, sizeof(char *));
    s->outcome_names[0] = fx_dup("invasion");
    s->outcome_names[1] = fx_dup("squeeze");
    s->outcome_names[2] = fx_dup("deal");
    s->factor = fx_dup("troops");
    s->param = fx_dup("mean");
    s->npoints = 5;
    s->noutcomes = 3;
    s->values = malloc(5 * sizeof(double));
    s->probability = malloc(15 * sizeof(double));
    s->ci_low = malloc(15 * sizeof(double));
    s->ci_high = malloc(15 * sizeof(double));
    for (size_t i = 0; i < 5; i++) s->values[i] = 20000.0 + 20000.0 * (double)i;
    for (size_t i = 0; i < 15; i++) {
        s->probability[i] = fx_val(salt + (unsigned)i);
        s->ci_low[i] = fx_val(salt + (unsigned)i + 1);
        s->ci_high[i] = fx_val(salt + (unsigned)i + 2);
    }
    return r;
}

/* Writes r to path with per-sample columns for the first variant: one
 * column per factor, derived value and outcome, nrows rows in three
 * appends; column c row i holds fx_sample(c, i). */
static double fx_sample(size_t c, size_t i) { return (double)c * 1e6 + (double)i / 7.0; }

static ty_status fx_write_with_samples(const ty_results *r, const char *path, size_t nrows,
                                       const ty_io_options *opt, ty_diag *diag)
{
    const ty_run_result *run = &r->runs[0];
    size_t ncols = run->nfactors + run->nderived + run->noutcomes;
    const char **names = calloc(ncols, sizeof *names);
    size_t c = 0;
    for (size_t i = 0; i < run->nfactors; i++) names[c++] = run->factors[i].name;
    for (size_t i = 0; i < run->nderived; i++) names[c++] = run->derived[i].name;
    for (size_t i = 0; i < run->noutcomes; i++) names[c++] = run->outcome_names[i];
    ty_result_file *f = NULL;
    ty_status st = ty_result_file_create(path, opt, &f, diag);
    if (st == TY_OK) st = ty_result_file_samples_begin(f, run->variant, ncols, names, NULL, diag);
    size_t cuts[4] = {0, nrows / 10, nrows / 10 + nrows / 2, nrows};
    double **cols = calloc(ncols, sizeof *cols);
    for (size_t j = 0; j < ncols; j++) cols[j] = malloc((nrows ? nrows : 1) * sizeof(double));
    for (int part = 0; part < 3 && st == TY_OK; part++) {
        size_t n = cuts[part + 1] - cuts[part];
        for (size_t j = 0; j < ncols; j++)
            for (size_t i = 0; i < n; i++) cols[j][i] = fx_sample(j, cuts[part] + i);
        st = ty_result_file_samples_append(f, n, (const double *const *)cols, diag);
    }
    for (size_t j = 0; j < ncols; j++) free(cols[j]);
    free(cols);
    free(names);
    if (f && st == TY_OK) st = ty_result_file_finish(f, r, diag);
    else ty_result_file_abort(f);
    return st;
}

#endif
