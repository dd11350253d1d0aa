/* batch_run.c - a batch's runs (run.h): every variant, their paired
 * differences from the baseline, every sweep point. The batch file itself
 * is the scenario module's (batch.h); each variant and sweep point arrives
 * as a complete scenario, so this file only orders the runs and collects
 * what they give. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/par_int.h"
#include "run_int.h"
#include "stats/estimate.h"
#include "tyche/run.h"

/* Each query's paired difference from the baseline (NaN for quantile
 * queries): the difference of two ratio estimators, linearised group by
 * group, e_g = (s_vg - R_v w_vg) / W_v - (s_bg - R_b w_bg) / W_b, whose
 * spread over the G paired groups gives the standard error. */
static ty_status query_difference(ty_run_result *v, const ty_run_result *base)
{
    size_t Q = v->nqueries, G = v->ngroups;
    free(v->query_difference);
    v->query_difference = NULL;
    if (Q == 0) return TY_OK;
    if (base->nqueries != Q || !v->query_group_sums || !base->query_group_sums) return TY_ERR_INVALID;
    ty_difference *d = calloc(Q, sizeof *d);
    if (!d) return TY_ERR_NOMEM;
    for (size_t q = 0; q < Q; q++) {
        const ty_query_result *qv = &v->queries[q], *qb = &base->queries[q];
        d[q] = (ty_difference){NAN, NAN, NAN, NAN, NAN};
        if (qv->kind == TY_QUERY_QUANTILES || strcmp(qv->name, qb->name) != 0) continue;
        double Wv = 0, Wb = 0, Sv = 0, Sb = 0;
        for (size_t g = 0; g < G; g++) {
            Sv += v->query_group_sums[(g * Q + q) * 2];
            Wv += v->query_group_sums[(g * Q + q) * 2 + 1];
            Sb += base->query_group_sums[(g * Q + q) * 2];
            Wb += base->query_group_sums[(g * Q + q) * 2 + 1];
        }
        if (!(Wv > 0) || !(Wb > 0)) continue;
        double Rv = Sv / Wv, Rb = Sb / Wb, ss = 0;
        for (size_t g = 0; g < G; g++) {
            const double *gv = v->query_group_sums + (g * Q + q) * 2, *gb = base->query_group_sums + (g * Q + q) * 2;
            double e = (gv[0] - Rv * gv[1]) / Wv - (gb[0] - Rb * gb[1]) / Wb;
            ss += e * e;
        }
        double se = sqrt((double)G / (double)(G - 1) * ss), t = stats_t95((double)(G - 1));
        double diff = qv->est.probability - qb->est.probability;
        d[q].diff = diff;
        d[q].stderr_ = se;
        d[q].ci_low = diff - t * se;
        d[q].ci_high = diff + t * se;
        d[q].unpaired_stderr = sqrt(qv->est.stderr_ * qv->est.stderr_ + qb->est.stderr_ * qb->est.stderr_);
    }
    v->query_difference = d;
    return TY_OK;
}

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
    /* A run with observations pairs its weighted sums: each run's ratio
     * estimator linearised over the groups (as query_difference), on its
     * own total weight. Without, both runs' groups weigh their samples. */
    int weighted = v->nobservations > 0 || base->nobservations > 0;
    double Wv = 0, Wb = 0;
    for (size_t g = 0; g < G; g++) {
        Wv += v->group_weights ? v->group_weights[g] : 0;
        Wb += base->group_weights ? base->group_weights[g] : 0;
    }
    if (weighted && (!v->group_weights || !base->group_weights || !(Wv > 0) || !(Wb > 0))) {
        free(d);
        return TY_ERR_INVALID;
    }
    for (size_t k = 0; k < K; k++) {
        /* The ratio estimator of the difference over groups of blocks:
         * both runs' group sums are paired by common random numbers. */
        double diff = v->outcomes[k].probability - base->outcomes[k].probability, ss = 0;
        double Rv = v->outcomes[k].probability, Rb = base->outcomes[k].probability;
        for (size_t g = 0; g < G; g++) {
            double r;
            if (weighted)
                r = ((v->group_sums[g * K + k] - Rv * v->group_weights[g]) / Wv -
                     (base->group_sums[g * K + k] - Rb * base->group_weights[g]) / Wb) * W;
            else
                r = v->group_sums[g * K + k] - base->group_sums[g * K + k] - diff * v->group_weights[g];
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
    return query_difference(v, base);
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

/* Whether the ranks should take whole points of sw from point first on,
 * rather than share each point's blocks: whichever makes the sweep shorter
 * (run_span, in block times; the points run alike). Sharing wins for large
 * points, whole points for many small ones, whose few blocks a round
 * cannot spread over many ranks. The same answer on every rank. */
static int spread_points(const ty_sweep *sw, const ty_run_options *opt, size_t first)
{
    uint64_t R = (uint64_t)ty_par_size(), P = sw->npoints - first;
    if (R < 2 || P < 2) return 0;
    uint64_t whole = (P + R - 1) / R * run_span(sw->points[first], opt, 1);
    uint64_t shared = P * run_span(sw->points[first], opt, (int)R);
    return whole < shared;
}

/* Points [first, n) of sw spread over the ranks, contiguous shares, each
 * point run on its rank alone (run_scenario_local): the same result as any
 * other way, point by point. Rank 0 gathers the estimates. A failure: rank
 * 0 reports the lowest failing point, running it again itself when another
 * rank met it. An interrupt on any rank: the sweep keeps its points done
 * from the start up to the first one not done, without a resume state
 * (--resume runs the rest again, whole). */
static ty_status run_sweep_spread(const ty_sweep *sw, const ty_run_options *opt, ty_batch_hook hook,
                                  void *ctx, size_t first, ty_sweep_result *out, ty_diag *diag)
{
    size_t K = out->noutcomes;
    uint64_t lo, hi, done;
    par_share(first, sw->npoints, &lo, &hi);
    ty_status st = TY_OK;
    for (done = lo; done < hi; done++) {
        ty_run_options ro = *opt;
        ro.sink = NULL;
        ro.resume = NULL;
        char label[96];
        snprintf(label, sizeof label, "%s %llu/%zu", sw->name, (unsigned long long)done + 1, sw->npoints);
        st = hook ? hook(ctx, sw->points[done], sw->name, label, 1, &ro) : TY_OK;
        ty_run_result r;
        if (st == TY_OK) st = run_scenario_local(sw->points[done], sw->name, &ro, &r, diag);
        else memset(&r, 0, sizeof r);
        for (size_t k = 0; st == TY_OK && k < K; k++) {
            out->probability[done * K + k] = r.outcomes[k].probability;
            out->ci_low[done * K + k] = r.outcomes[k].ci_low;
            out->ci_high[done * K + k] = r.outcomes[k].ci_high;
        }
        ty_run_result_clear(&r);
        if (st != TY_OK) break;
    }
    int failed = st != TY_OK && st != TY_ERR_INTERRUPTED;
    uint64_t fail_at = par_min_u64(failed ? done : UINT64_MAX);
    uint64_t stop_at = par_min_u64(done < hi ? done : UINT64_MAX);
    if (fail_at != UINT64_MAX) {
        ty_status all = (ty_status)ty_par_agree(failed ? (int)st : 0, NULL);
        if (par_root() && !failed) {
            /* Another rank's failure: the point again here, for its message. */
            ty_run_options ro = *opt;
            ro.sink = NULL;
            ro.resume = NULL;
            ty_run_result r;
            if (run_scenario_local(sw->points[fail_at], sw->name, &ro, &r, diag) == TY_OK)
                ty_diag_add(diag, TY_SEV_ERROR, NULL, "sweep '%s': point %llu failed on another rank",
                            sw->name, (unsigned long long)fail_at + 1);
            ty_run_result_clear(&r);
        }
        return all;
    }
    for (int pass = 0; pass < 3; pass++) {
        double *a = pass == 0 ? out->probability : pass == 1 ? out->ci_low : out->ci_high;
        if (par_gather(a, K * sizeof *a, lo, done - lo, 0) != 0) {
            if (par_root()) ty_diag_add(diag, TY_SEV_ERROR, NULL, "the ranks could not exchange their results (MPI)");
            return TY_ERR_IO;
        }
    }
    if (stop_at == UINT64_MAX) return TY_OK;
    out->npoints = (size_t)stop_at;
    out->partial = 1;
    return TY_ERR_INTERRUPTED;
}

/* Runs the points of sweep sw into *out, after the points prev (a partial
 * sweep of an interrupted batch, or NULL) holds: the first of the others
 * continues from prev's resume state. Interrupted, out keeps the points
 * done (partial, with the state of the point it was running). */
static ty_status run_sweep(const ty_sweep *sw, const ty_run_options *opt, ty_batch_hook hook, void *ctx,
                           const ty_sweep_result *prev, ty_sweep_result *out, ty_diag *diag)
{
    if (sweep_result_init(sw, out) != 0) return TY_ERR_NOMEM;
    size_t K = out->noutcomes, n = sw->npoints, first = prev ? prev->npoints : 0;
    if (first) {
        memcpy(out->probability, prev->probability, first * K * sizeof *out->probability);
        memcpy(out->ci_low, prev->ci_low, first * K * sizeof *out->ci_low);
        memcpy(out->ci_high, prev->ci_high, first * K * sizeof *out->ci_high);
    }
    for (size_t i = first; i < n; i++) {
        /* The point that was running continues from its state, on all ranks. */
        if (!(prev && i == first && prev->resume.nreal) && spread_points(sw, opt, i))
            return run_sweep_spread(sw, opt, hook, ctx, i, out, diag);
        ty_run_options ro = *opt;
        ro.sink = NULL;
        /* The stored state of the point that was running, as a run result
         * (none when the points were spread over ranks: it runs again). */
        ty_run_result was = {0};
        if (prev && i == first && prev->resume.nreal) {
            was.noutcomes = K;
            was.resume = prev->resume;
            ro.resume = &was;
        } else {
            ro.resume = NULL;
        }
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
        if (st == TY_ERR_INTERRUPTED) {
            out->npoints = i;
            out->partial = 1;
            out->resume = r.resume;
            memset(&r.resume, 0, sizeof r.resume);
        }
        ty_run_result_clear(&r);
        if (st != TY_OK) return st;
    }
    return TY_OK;
}

/* Runs the variants into res->runs (nruns counts the ones started). With
 * prev (an interrupted batch's results), its complete runs are moved into
 * res, its incomplete one continues; *ran says whether any variant ran. */
static ty_status run_variants(const ty_batch *b, const ty_run_options *opt, ty_batch_hook hook, void *ctx,
                              ty_results *prev, ty_results *res, int *ran, ty_diag *diag)
{
    for (size_t v = 0; v < ty_batch_nvariants(b); v++) {
        const ty_variant *var = ty_batch_variant(b, v);
        ty_run_result *was = prev && v < prev->nruns ? &prev->runs[v] : NULL;
        if (was && was->complete) {
            res->runs[v] = *was;
            memset(was, 0, sizeof *was);
            res->nruns = v + 1;
            continue;
        }
        *ran = 1;
        ty_run_options ro = *opt;
        ro.resume = was;
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

/* "does not fit" for ty_run_batch_resume: prev is not an interrupted run of b. */
static ty_status misfit(ty_diag *diag, const char *what, const char *name)
{
    ty_diag_add(diag, TY_SEV_ERROR, NULL, "the interrupted batch does not fit its stored batch file: "
                "%s '%s' (was the file changed?)", what, name);
    return TY_ERR_INVALID;
}

/* Checks that prev holds what an interrupted run of b leaves: the first
 * variants in order, all complete but maybe the last, with the groups
 * that pair them when there is more than one variant; then, all variants
 * done, the first sweeps, all whole but maybe the last, whose points done
 * are b's first. TY_OK or TY_ERR_INVALID on diag. */
static ty_status resume_fits(const ty_batch *b, const ty_results *prev, ty_diag *diag)
{
    size_t nv = ty_batch_nvariants(b), ns = ty_batch_nsweeps(b);
    if (prev->nruns > nv) return misfit(diag, "a run of no variant", prev->runs[nv].variant);
    /* Variants left to run: the differences are made again, from the groups. */
    int pair = nv > 1 && (prev->nruns < nv || !prev->runs[nv - 1].complete);
    for (size_t v = 0; v < prev->nruns; v++) {
        const ty_run_result *r = &prev->runs[v];
        if (!r->variant || strcmp(r->variant, ty_batch_variant(b, v)->name) != 0)
            return misfit(diag, "a run where the batch has variant", ty_batch_variant(b, v)->name);
        if (!r->complete && v + 1 < prev->nruns) return misfit(diag, "an incomplete run before the last,", r->variant);
        if (!r->complete && !r->resume.real) return misfit(diag, "no resume state for the run", r->variant);
        if (pair && (!r->group_sums || !r->group_weights))
            return misfit(diag, "no paired-difference groups for the run", r->variant);
    }
    if (prev->nsweeps > 0 && (prev->nruns < nv || (nv && !prev->runs[nv - 1].complete)))
        return misfit(diag, "a sweep before every variant ran, at", prev->sweeps[0].name);
    if (prev->nsweeps > ns) return misfit(diag, "a sweep the batch does not have,", prev->sweeps[ns].name);
    for (size_t w = 0; w < prev->nsweeps; w++) {
        const ty_sweep_result *s = &prev->sweeps[w];
        const ty_sweep *sw = ty_batch_sweep(b, w);
        if (!s->name || strcmp(s->name, sw->name) != 0) return misfit(diag, "a sweep where the batch has", sw->name);
        if (s->partial && w + 1 < prev->nsweeps) return misfit(diag, "a partial sweep before the last,", s->name);
        if (s->npoints > sw->npoints || (!s->partial && s->npoints != sw->npoints) ||
            s->noutcomes != ty_scenario_noutcomes(sw->points[0]) ||
            (s->npoints && memcmp(s->values, sw->values, s->npoints * sizeof *s->values) != 0))
            return misfit(diag, "other points or outcomes in the sweep", s->name);
    }
    return TY_OK;
}

ty_status ty_run_batch(const ty_batch *b, const ty_run_options *opt, ty_batch_hook hook, void *ctx,
                       ty_results *res, ty_diag *diag)
{
    return ty_run_batch_resume(b, opt, NULL, hook, ctx, res, diag);
}

ty_status ty_run_batch_resume(const ty_batch *b, const ty_run_options *opt, ty_results *prev,
                              ty_batch_hook hook, void *ctx, ty_results *res, ty_diag *diag)
{
    size_t nv = ty_batch_nvariants(b), ns = ty_batch_nsweeps(b);
    if (prev && resume_fits(b, prev, diag) != TY_OK) return TY_ERR_INVALID;
    res->runs = calloc(nv ? nv : 1, sizeof *res->runs);
    res->sweeps = calloc(ns ? ns : 1, sizeof *res->sweeps);
    if (!res->runs || !res->sweeps || batch_describe(b, res) != TY_OK) return TY_ERR_NOMEM;
    int ran = 0;
    ty_status st = run_variants(b, opt, hook, ctx, prev, res, &ran, diag);
    /* Differences kept from the file were made from these very runs. */
    if (st == TY_OK && res->nruns > 1 && ran) st = run_differences(b, res, diag);
    for (size_t w = 0; w < ns && st == TY_OK; w++) {
        const ty_sweep_result *was = prev && w < prev->nsweeps ? &prev->sweeps[w] : NULL;
        res->nsweeps = w + 1;
        if (was && !was->partial) {   /* a whole sweep: kept */
            res->sweeps[w] = *was;
            memset(&prev->sweeps[w], 0, sizeof prev->sweeps[w]);
            continue;
        }
        st = run_sweep(ty_batch_sweep(b, w), opt, hook, ctx, was, &res->sweeps[w], diag);
    }
    res->complete = st == TY_OK;
    return st;
}
