/* results.c - freeing the plain-data result tree of results.h, the
 * invariants every run's estimates keep (ty_run_result_check), and the
 * warnings a result carries, as text (ty_results_warnings). */
#include "tyche/results.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void series_clear(ty_series_stats *s)
{
    free(s->name);
    free(s->unit);
    free(s->label);
    free(s->dist);
    free(s->hist.edges);
    free(s->hist.counts);
}

void ty_sensitivity_free(ty_sensitivity *s)
{
    if (!s) return;
    for (size_t i = 0; s->targets && i < s->ntargets; i++) free(s->targets[i]);
    for (size_t i = 0; s->factors && i < s->nfactors; i++) free(s->factors[i]);
    free(s->targets);
    free(s->factors);
    free(s->baseline);
    free(s->low);
    free(s->high);
    free(s->value_low);
    free(s->value_high);
    free(s->spearman);
    free(s->first);
    free(s->total);
    free(s->first_ci);
    free(s->total_ci);
    free(s);
}

const double ty_query_levels[TY_QUERY_NLEVELS] = {0.05, 0.25, 0.5, 0.75, 0.95};
const double ty_spread_levels[TY_SPREAD_NLEVELS] = {0.05, 0.5, 0.95};

static const char *const query_kind_names[] = {"probability", "mean", "quantiles"};

const char *ty_query_kind_name(int kind)
{
    return kind >= 0 && kind < 3 ? query_kind_names[kind] : NULL;
}

int ty_query_kind_from_name(const char *name)
{
    for (int k = 0; k < 3; k++)
        if (name && strcmp(name, query_kind_names[k]) == 0) return k;
    return -1;
}

static const char *const observation_kind_names[] = {"reading", "when", "loglik"};

const char *ty_observation_kind_name(int kind)
{
    return kind >= 0 && kind < 3 ? observation_kind_names[kind] : NULL;
}

int ty_observation_kind_from_name(const char *name)
{
    for (int k = 0; name && k < 3; k++)
        if (strcmp(name, observation_kind_names[k]) == 0) return k;
    return -1;
}

unsigned ty_observation_warnings(const ty_observation_stats *st)
{
    unsigned w = 0;
    if (!(st->ess >= TY_OBS_MIN_ESS)) w |= TY_OBS_WARN_ESS;
    if (st->pareto_k > TY_OBS_MAX_KHAT) w |= TY_OBS_WARN_KHAT;
    return w;
}

int ty_observation_warning_text(const ty_observation_stats *st, uint64_t samples, unsigned bit, char *buf,
                                size_t size)
{
    if (bit == TY_OBS_WARN_ESS)
        return snprintf(buf, size, "the effective sample size is %.3g (%.3g%% of %llu samples), under %g: "
                        "the observations leave few samples that matter, and the estimates rest on them; "
                        "run more samples, or check that the observations fit the factors' distributions",
                        st->ess, 100 * st->ess_fraction, (unsigned long long)samples, TY_OBS_MIN_ESS);
    if (bit == TY_OBS_WARN_KHAT)
        return snprintf(buf, size, "the largest weights have Pareto k-hat %.2f, above %.1f: a few samples "
                        "carry most of the weight and the intervals may be too narrow; the observations "
                        "are far from what the factors' distributions expect", st->pareto_k, TY_OBS_MAX_KHAT);
    return snprintf(buf, size, "%s", "");
}

void ty_time_result_free(ty_time_result *t)
{
    if (!t) return;
    free(t->unit);
    free(t->step);
    free(t->cumulative);
    free(t->ci_low);
    free(t->ci_high);
    for (size_t j = 0; t->states && j < t->nstates; j++) {
        ty_time_state *st = &t->states[j];
        free(st->name); free(st->label); free(st->unit);
        free(st->mean); free(st->p05); free(st->p50); free(st->p95); free(st->mean_running);
        free(st->p05_running); free(st->p50_running); free(st->p95_running);
    }
    free(t->states);
    free(t);
}

void ty_run_result_clear(ty_run_result *run)
{
    if (!run) return;
    ty_time_result_free(run->time);
    free(run->variant);
    free(run->label);
    for (size_t k = 0; k < run->noutcomes; k++) {
        if (run->outcome_names) free(run->outcome_names[k]);
        if (run->outcome_labels) free(run->outcome_labels[k]);
    }
    free(run->outcome_names);
    free(run->outcome_labels);
    free(run->outcomes);
    for (size_t i = 0; run->factors && i < run->nfactors; i++) series_clear(&run->factors[i]);
    for (size_t i = 0; run->derived && i < run->nderived; i++) series_clear(&run->derived[i]);
    free(run->factors);
    free(run->derived);
    free(run->convergence.samples);
    free(run->convergence.probability);
    free(run->convergence.halfwidth);
    free(run->resume.real);
    free(run->resume.count);
    free(run->difference);
    free(run->spread);
    for (size_t q = 0; run->queries && q < run->nqueries; q++) {
        free(run->queries[q].name);
        free(run->queries[q].label);
        free(run->queries[q].expr);
        free(run->queries[q].given);
    }
    free(run->queries);
    free(run->query_difference);
    free(run->query_group_sums);
    for (size_t i = 0; run->observations && i < run->nobservations; i++) {
        free(run->observations[i].name);
        free(run->observations[i].label);
        free(run->observations[i].of);
        free(run->observations[i].expr);
    }
    free(run->observations);
    free(run->outcomes_prior);
    for (size_t i = 0; run->factors_prior && i < run->nfactors; i++) series_clear(&run->factors_prior[i]);
    for (size_t i = 0; run->derived_prior && i < run->nderived; i++) series_clear(&run->derived_prior[i]);
    free(run->factors_prior);
    free(run->derived_prior);
    ty_sensitivity_free(run->sensitivity);
    free(run->group_sums);
    free(run->group_weights);
}

void ty_results_free(ty_results *r)
{
    if (!r) return;
    for (size_t i = 0; r->runs && i < r->nruns; i++) ty_run_result_clear(&r->runs[i]);
    for (size_t i = 0; r->sweeps && i < r->nsweeps; i++) {
        ty_sweep_result *s = &r->sweeps[i];
        free(s->name);
        free(s->label);
        for (size_t k = 0; s->outcome_names && k < s->noutcomes; k++) free(s->outcome_names[k]);
        free(s->outcome_names);
        free(s->factor);
        free(s->param);
        free(s->values);
        free(s->probability);
        free(s->ci_low);
        free(s->ci_high);
        free(s->resume.real);
        free(s->resume.count);
    }
    free(r->runs);
    free(r->sweeps);
    free(r->scenario_name);
    free(r->scenario_title);
    free(r->scenario_source);
    free(r->source_text);
    free(r->batch_text);
    free(r->tyche_version);
    free(r->created);
    free(r->command_line);
    for (size_t i = 0; r->command_args && i < r->ncommand_args; i++) free(r->command_args[i]);
    free(r->command_args);
    free(r->host);
    free(r);
}

ty_status ty_run_result_check(const ty_run_result *r, ty_diag *diag)
{
    if (r->noutcomes == 0 || r->samples == 0) return TY_OK;
    /* Each sample's probabilities sum to 1 within ~K ulp (softmax) and each
     * outcome's total is a sum over a block's samples, then over blocks: a
     * relative error of at most (block + blocks) ulp, plus the division. */
    double blocks = r->block_size ? ceil((double)r->samples / (double)r->block_size) : (double)r->samples;
    double K = (double)r->noutcomes, bs = r->block_size ? (double)r->block_size : 1.0;
    double tol = 4.0 * K * (bs + blocks + K + 4.0) * DBL_EPSILON, sum = 0;
    for (size_t k = 0; k < r->noutcomes; k++) {
        double p = r->outcomes[k].probability;
        if (!(p >= -tol && p <= 1 + tol)) {
            ty_diag_add(diag, TY_SEV_ERROR, NULL, "internal error: the probability of outcome "
                        "'%s' is %.17g; the result is not written",
                        r->outcome_names ? r->outcome_names[k] : "?", p);
            ty_diag_hint(diag, "this is a bug in tyche: please report it with the scenario");
            return TY_ERR_INTERNAL;
        }
        sum += p;
    }
    if (!(fabs(sum - 1.0) <= tol)) {
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "internal error: the outcome probabilities sum to "
                    "%.17g, not 1 (tolerance %.3g); the result is not written", sum, tol);
        ty_diag_hint(diag, "this is a bug in tyche: please report it with the scenario");
        return TY_ERR_INTERNAL;
    }
    return TY_OK;
}

static void put_line(ty_text_writer put, void *ctx, const char *variant, const char *text)
{
    put(ctx, "tyche: warning: ", 16);
    ty_text_clean(variant, strlen(variant), put, ctx);
    put(ctx, ": ", 2);
    ty_text_clean(text, strlen(text), put, ctx);
    put(ctx, "\n", 1);
}

void ty_results_warnings(const ty_results *results, ty_text_writer put, void *ctx)
{
    char text[512];
    /* Observations that leave few samples that matter (ESS, k-hat). */
    for (size_t v = 0; v < results->nruns; v++) {
        const ty_run_result *r = &results->runs[v];
        if (r->nobservations == 0) continue;
        unsigned w = ty_observation_warnings(&r->obs);
        for (unsigned bit = 1; bit <= TY_OBS_WARN_KHAT; bit <<= 1) {
            if (!(w & bit)) continue;
            ty_observation_warning_text(&r->obs, r->samples, bit, text, sizeof text);
            put_line(put, ctx, r->variant, text);
        }
    }
    for (size_t v = 0; v < results->nruns; v++) {
        const ty_run_result *r = &results->runs[v];
        if (!(r->target_halfwidth > 0) || r->target_reached || !r->complete) continue;
        snprintf(text, sizeof text, "target half-width %g not reached: the widest interval is +-%.3g after "
                 "%llu samples (raise the budget, run.max_samples or --max-samples, or accept the wider interval)", r->target_halfwidth,
                 r->max_halfwidth, (unsigned long long)r->samples);
        put_line(put, ctx, r->variant, text);
    }
}
