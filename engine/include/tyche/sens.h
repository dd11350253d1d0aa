/* sens.h - sensitivity analysis: which factors drive each outcome (and any
 * derived value named as a target). Three methods over the same sampling
 * machinery as the run loop (block.h), deterministic for any thread count:
 *
 *  - tornado: each target's mean with one factor held at its 10th and at its
 *    90th percentile (ty_dist_quantile) while the others are sampled as in a
 *    plain run, correlations included; every setting draws the same streams
 *    (common random numbers), so the swing high - low is precise;
 *  - spearman: the rank correlation of each factor with each target's
 *    per-sample value (probability for logit outcomes, 0/1 for rules), on
 *    the first min(N, TY_SENS_SPEARMAN_MAX) samples of the baseline, ties
 *    given average ranks;
 *  - sobol: first-order and total indices from Saltelli's A/B/AB_i design
 *    (A. Saltelli et al., Comput. Phys. Commun. 181 (2010) 259-270: first
 *    order S_i = mean(f(B) (f(AB_i) - f(A))) / V, their table 2 (b); total
 *    ST_i = mean((f(A) - f(AB_i))^2) / (2V), Jansen's, table 2 (f)), V the
 *    variance of f(A) and f(B) together; 95% percentile intervals from
 *    TY_SENS_BOOTSTRAP bootstrap replicates of the N rows. The indices
 *    assume independent factors: a scenario with correlations is an error
 *    unless ignore_correlations is set (then they are dropped for Sobol
 *    only, and the result records it).
 *
 * Sample sizes: one N for all methods (default TY_SENS_SAMPLES): the
 * tornado runs N samples for each of its 2F + 1 settings, Spearman ranks N
 * samples (at most TY_SENS_SPEARMAN_MAX), Sobol uses N rows of A and B, so
 * N (F + 2) evaluations (N at most TY_SENS_SOBOL_MAX: the per-row values are
 * kept for the bootstrap). */
#ifndef TYCHE_SENS_H
#define TYCHE_SENS_H

#include "common.h"
#include "diag.h"
#include "results.h"
#include "run.h"
#include "scenario.h"

#define TY_SENS_TORNADO 1u
#define TY_SENS_SPEARMAN 2u
#define TY_SENS_SOBOL 4u
#define TY_SENS_ALL 7u

#define TY_SENS_SAMPLES 32768           /* default N: Sobol and Spearman se about 0.005 */
#define TY_SENS_SPEARMAN_MAX 1048576    /* Spearman's subsample: the first 2^20 samples */
#define TY_SENS_SOBOL_MAX 4194304       /* rows kept for the bootstrap */
#define TY_SENS_BOOTSTRAP 500           /* bootstrap replicates of the Sobol indices */
#define TY_SENS_LOW_QUANTILE 0.10
#define TY_SENS_HIGH_QUANTILE 0.90

typedef struct ty_sens_options {
    unsigned methods;            /* TY_SENS_* bits; 0: all */
    uint64_t samples;            /* N; 0: TY_SENS_SAMPLES */
    const char *const *targets;  /* derived values to analyse besides the outcomes */
    size_t ntargets;
    int threads;                 /* 0: OpenMP's default */
    int has_seed;                /* else the scenario's run.seed */
    uint64_t seed;
    int ignore_correlations;     /* Sobol on a correlated scenario: drop them */
    unsigned bootstrap;          /* 0: TY_SENS_BOOTSTRAP */
    const volatile sig_atomic_t *interrupt;   /* non-zero: stop after the round in flight */
    ty_run_progress progress;    /* after each round (TY_RUN_ROUND_BLOCKS blocks, or a round of
                                    bootstrap replicates), on the calling thread: rounds done
                                    and in all */
    void *progress_ctx;
} ty_sens_options;

/* Parses "tornado", "spearman", "sobol" or "all" into TY_SENS_* bits;
 * returns 0, or -1 for anything else. */
int ty_sens_parse_method(const char *text, unsigned *out);

/* Runs the methods of opt on s and returns a new ty_sensitivity in *out
 * (free with ty_sensitivity_free). Errors, with a message on diag and *out
 * NULL: TY_ERR_INVALID for a target that is not a derived value (with a
 * did-you-mean hint), Sobol on a scenario with correlations without
 * ignore_correlations, correlations that are not positive definite, a rules
 * sample matching no rule; TY_ERR_LIMIT for N above TY_SENS_SOBOL_MAX with
 * Sobol; TY_ERR_NOMEM; TY_ERR_INTERRUPTED (no message, *out NULL) when
 * *opt->interrupt was raised: indices of part of the samples would read as
 * answers, so an interrupted analysis gives none.
 * Under MPI ranks (par.h) it is collective: every rank calls it and gets
 * the same status; the result, identical to one process's, is rank 0's
 * (other ranks' *out is incomplete but freeable); a faulty sample is
 * reported by rank 0 alone, and a failed MPI exchange is TY_ERR_IO. Any
 * rank's interrupt stops them all after the same round; the progress
 * callback is called on rank 0 only. */
ty_status ty_sens_run(const ty_scenario *s, const ty_sens_options *opt, ty_sensitivity **out,
                      ty_diag *diag);

#endif
