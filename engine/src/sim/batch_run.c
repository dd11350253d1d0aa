/* batch_run.c - a batch's runs (run.h): every variant, their paired
 * differences from the baseline, every sweep point. The batch file itself
 * is the scenario module's (batch.h); each variant and sweep point arrives
 * as a complete scenario, so this file only orders the runs and collects
 * what they give. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/estimate.h"
#include "tyche/run.h"

ty_status ty_run_difference(ty_run_result *v, const ty_run_result *base)
{
    size_t K = v->noutcomes, G = v->ngroups;
    if (K != base->noutcomes || G != base->ngroups || G < 2 || v->seed != base->seed ||
        v->samples != base->samples || v->group_units != base->group_units ||
        !v->group_sums || !base->group_sums || !v->complete || !base->complete)
        return TY_ERR_INVALID;
    ty_difference *d = calloc(K, sizeof *d);
    if (!d) return TY_ERR_NOMEM;
    double W = (double)v->samples;
    for (size_t k = 0; k < K; k++) {
        /* The ratio estimator of the difference over groups of blocks:
         * both runs' group sums are paired by common random numbers. */
        double diff = v->outcomes[k].probability - base->outcomes[k].probability, ss = 0;
        for (size_t g = 0; g < G; g++) {
            double dg = v->group_sums[g * K + k] - base->group_sums[g * K + k];
            double r = dg - diff * v->group_weights[g];
            ss += r * r;
        }
        double se = sqrt((double)G / (double)(G - 1) * ss) / W;
        /* Student's t on G - 1 degrees of freedom: few groups, wide. */
        double q = stats_t95((double)(G - 1));
        d[k].diff = diff;
        d[k].stderr_ = se;
        d[k].ci_low = diff - q * se;
        d[k].ci_high = diff + q * se;
        d[k].unpaired_stderr = sqrt(v->outcomes[k].stderr_ * v->outcomes[k].stderr_ +
                                    base->outcomes[k].stderr_ * base->outcomes[k].stderr_);
    }
    free(v->difference);
    v->difference = d;
    return TY_OK;
}

/* Allocates out's arrays for sweep sw. 0 or -1 (memory). */
static int sweep_result_init(const ty_sweep *sw, ty_sweep_result *out)
{
    size_t K = ty_scenario_noutcomes(sw->points[0]), n = sw->npoints;
    out->name = strdup(sw->name);
    out->label = sw->label ? strdup(sw->label) : NULL;
    out->factor = strdup(sw->factor);
    out->param = strdup(sw->param);
    out->npoints = n;
    out->noutcomes = K;
    out->outcome_names = calloc(K, sizeof *out->outcome_names);
    if (!out->name || !out->factor || !out->param || (sw->label && !out->label)
        || !out->outcome_names)
        return -1;
    for (size_t k = 0; k < K; k++)
        if (!(out->outcome_names[k] = strdup(ty_scenario_outcome(sw->points[0], k)->name))) return -1;
    out->values = malloc(n * sizeof *out->values);
    out->probability = malloc(n * K * sizeof *out->probability);
    out->ci_low = malloc(n * K * sizeof *out->ci_low);
    out->ci_high = malloc(n * K * sizeof *out->ci_high);
    if (!out->name || !out->factor || !out->param || !out->values || !out->probability ||
        !out->ci_low || !out->ci_high)
        return -1;
    memcpy(out->values, sw->values, n * sizeof *out->values);
    return 0;
}

/* Runs every point of sweep sw into *out. */
static ty_status run_sweep(const ty_sweep *sw, const ty_run_options *opt, ty_batch_hook hook, void *ctx,
                           ty_sweep_result *out, ty_diag *diag)
{
    if (sweep_result_init(sw, out) != 0) return TY_ERR_NOMEM;
    size_t K = out->noutcomes, n = sw->npoints;
    for (size_t i = 0; i < n; i++) {
        ty_run_options ro = *opt;
        ro.sink = NULL;
        char label[96];
        snprintf(label, sizeof label, "%s %zu/%zu", sw->name, i + 1, n);
        ty_status st = hook ? hook(ctx, sw->points[i], sw->name, label, 1, &ro) : TY_OK;
        if (st != TY_OK) return st;
        ty_run_result r;
        st = ty_run_scenario(sw->points[i], sw->name, &ro, &r, diag);
        if (st == TY_OK)
            for (size_t k = 0; k < K; k++) {
                out->probability[i * K + k] = r.outcomes[k].probability;
                out->ci_low[i * K + k] = r.outcomes[k].ci_low;
                out->ci_high[i * K + k] = r.outcomes[k].ci_high;
            }
        ty_run_result_clear(&r);
        if (st != TY_OK) return st;
    }
    return TY_OK;
}

/* Runs the variants into res->runs (nruns counts the ones started). */
static ty_status run_variants(const ty_batch *b, const ty_run_options *opt, ty_batch_hook hook, void *ctx,
                              ty_results *res, ty_diag *diag)
{
    for (size_t v = 0; v < ty_batch_nvariants(b); v++) {
        const ty_variant *var = ty_batch_variant(b, v);
        ty_run_options ro = *opt;
        ty_status st = hook ? hook(ctx, var->scenario, var->name, var->name, 0, &ro) : TY_OK;
        if (st != TY_OK) return st;
        st = ty_run_scenario(var->scenario, var->name, &ro, &res->runs[v], diag);
        res->nruns = v + 1;
        if (var->label && !(res->runs[v].label = strdup(var->label))) st = TY_ERR_NOMEM;
        if (st != TY_OK) return st;
    }
    return TY_OK;
}

/* Each variant's paired difference from the baseline (the variant named
 * "baseline", else the first). A variant that cannot be paired (another
 * seed or sample count) gets a warning at its position, not silence. */
static ty_status run_differences(const ty_batch *b, ty_results *res, ty_diag *diag)
{
    size_t base = 0;
    for (size_t v = 0; v < res->nruns; v++)
        if (strcmp(res->runs[v].variant, "baseline") == 0) base = v;
    for (size_t v = 0; v < res->nruns; v++) {
        if (v == base) continue;
        ty_status st = ty_run_difference(&res->runs[v], &res->runs[base]);
        if (st == TY_ERR_NOMEM) return TY_ERR_NOMEM;
        if (st == TY_OK) continue;
        ty_diag_add(diag, TY_SEV_WARNING, &ty_batch_variant(b, v)->pos,
                    "variant '%s' cannot be paired with '%s' (its seed or sample count differs, or a run "
                    "is too small): no difference from it is reported", res->runs[v].variant,
                    res->runs[base].variant);
        ty_diag_hint(diag, "common random numbers need the same seed and samples: leave 'run' settings "
                           "out of the variant, or compare the runs by their own intervals");
    }
    return TY_OK;
}

ty_status ty_run_describe(ty_results *res, const ty_scenario *s)
{
    res->scenario_name = strdup(ty_scenario_name(s));
    res->scenario_title = ty_scenario_title(s) ? strdup(ty_scenario_title(s)) : NULL;
    res->scenario_source = ty_scenario_source(s) ? strdup(ty_scenario_source(s)) : NULL;
    res->source_text = strdup(ty_scenario_text(s));
    int lost = (ty_scenario_title(s) && !res->scenario_title)
               || (ty_scenario_source(s) && !res->scenario_source);
    return res->scenario_name && res->source_text && !lost ? TY_OK : TY_ERR_NOMEM;
}

/* The scenario's and the batch's texts into res. */
static ty_status batch_describe(const ty_batch *b, ty_results *res)
{
    if (ty_run_describe(res, ty_batch_base(b)) != TY_OK) return TY_ERR_NOMEM;
    res->batch_text = strdup(ty_batch_text(b));
    return res->batch_text ? TY_OK : TY_ERR_NOMEM;
}

ty_status ty_run_batch(const ty_batch *b, const ty_run_options *opt, ty_batch_hook hook, void *ctx,
                       ty_results *res, ty_diag *diag)
{
    size_t nv = ty_batch_nvariants(b), ns = ty_batch_nsweeps(b);
    res->runs = calloc(nv ? nv : 1, sizeof *res->runs);
    res->sweeps = calloc(ns ? ns : 1, sizeof *res->sweeps);
    if (!res->runs || !res->sweeps || batch_describe(b, res) != TY_OK) return TY_ERR_NOMEM;
    ty_status st = run_variants(b, opt, hook, ctx, res, diag);
    if (st == TY_OK && res->nruns > 1) st = run_differences(b, res, diag);
    for (size_t w = 0; w < ns && st == TY_OK; w++) {
        res->nsweeps = w + 1;
        st = run_sweep(ty_batch_sweep(b, w), opt, hook, ctx, &res->sweeps[w], diag);
        if (st == TY_ERR_INTERRUPTED) res->nsweeps = w;   /* a partial sweep is dropped */
    }
    res->complete = st == TY_OK;
    return st;
}
