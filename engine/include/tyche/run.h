/* run.h - the run loop: sample a scenario in parallel, block by block, and
 * reduce the blocks' tallies in block order into a ty_run_result.
 *
 * Determinism (docs/architecture.md, 'Determinism'): samples are cut into blocks of
 * TY_RUN_BLOCK; factor f of block b draws from the stream
 * ty_rng_for_block(seed, b, hash(f's name)), so results are bit-identical for
 * any thread count and schedule, and variants sharing a factor draw the same
 * values for it (common random numbers). Floating-point tallies are combined
 * in block order on one thread; histograms are integer counts.
 *
 * Blocks run in rounds (at most TY_RUN_ROUND_BLOCKS blocks, and never past a
 * checkpoint), threads sharing a round by dynamic scheduling. Checkpoints
 * fall at 2^k blocks: there the convergence trace is recorded and the
 * --target-halfwidth rule is tested, so where a run stops does not depend on
 * the thread count. An interrupt is honoured at the end of a round: the
 * result then holds whole rounds only and can be resumed exactly.
 *
 * Memory does not grow with the sample count: a round's tallies, per-thread
 * block buffers and fixed histograms. */
#ifndef TYCHE_RUN_H
#define TYCHE_RUN_H

#include <signal.h>

#include "batch.h"
#include "common.h"
#include "diag.h"
#include "results.h"
#include "scenario.h"

#define TY_RUN_BLOCK 1024          /* samples per block: 8 factors' columns fit in L2 */
#define TY_RUN_CELL 128            /* Latin hypercube cell: the independent unit of an lhs run */
#define TY_RUN_ROUND_BLOCKS 256    /* blocks per round: bounds interrupt latency */
#define TY_RUN_HIST_BINS 1000      /* fine histogram for percentiles and plots */

/* Called on the calling thread after each round, in block order, with the
 * round's samples: cols[0..ncols) are the factors, then the derived values,
 * then the outcomes (probabilities for logit, 0/1 for rules), n values each.
 * Returns 0 to go on, non-zero to stop the run with TY_ERR_IO. */
typedef int (*ty_run_sample_sink)(void *ctx, uint64_t first, size_t n,
                                  const double *const *cols, size_t ncols);

/* Called on the calling thread after each round. */
typedef void (*ty_run_progress)(void *ctx, uint64_t done, uint64_t total);

typedef struct ty_run_options {
    uint64_t samples;            /* 0: the scenario's run.samples */
    int has_seed;                /* else the scenario's run.seed */
    uint64_t seed;
    int has_sampling;            /* else the scenario's run.sampling */
    ty_sampling sampling;
    double target_halfwidth;     /* 0: the scenario's; stop early when reached */
    uint64_t max_samples;        /* 0: the scenario's; with a target, the budget */
    int threads;                 /* 0: OpenMP's default */
    const volatile sig_atomic_t *interrupt;   /* non-zero: stop after the round */
    ty_run_progress progress;
    void *progress_ctx;
    ty_run_sample_sink sink;     /* --save-samples */
    void *sink_ctx;
    const ty_run_result *resume; /* an interrupted result of the same run to continue */
} ty_run_options;

/* Runs scenario s and fills *out (which the caller clears with
 * ty_run_result_clear). variant names the run ("baseline"). Returns TY_OK;
 * TY_ERR_INTERRUPTED when *interrupt stopped it (out then holds the samples
 * done, complete = 0, and the resume state); TY_ERR_INVALID for a scenario
 * error found while running (a rules sample matching no rule, correlations
 * that are not positive definite, a resume state that does not fit), with
 * the message on diag; TY_ERR_IO when the sink failed; TY_ERR_NOMEM. */
ty_status ty_run_scenario(const ty_scenario *s, const char *variant, const ty_run_options *opt,
                          ty_run_result *out, ty_diag *diag);

/* Sets v->difference (allocated, noutcomes entries) to v's difference from
 * base for every outcome, with the standard error of the block-paired
 * differences: both runs must have the same seed, sample count and outcomes
 * (a batch's variants do). Returns TY_OK, TY_ERR_INVALID when they cannot
 * be paired (nothing is set), TY_ERR_NOMEM. */
ty_status ty_run_difference(ty_run_result *v, const ty_run_result *base);

/* Called by ty_run_batch before each run: the scenario, the run's name (the
 * variant's, or the sweep's), a progress label ("troops 3/9" for sweep
 * points), and whether it is a sweep point. ro is the options that run will
 * use (a copy of the batch's, without a sink for sweep points): the hook may
 * set its progress and sink. A status other than TY_OK stops the batch with
 * that status. */
typedef ty_status (*ty_batch_hook)(void *ctx, const ty_scenario *s, const char *name,
                                   const char *label, int sweep_point, ty_run_options *ro);

/* Runs batch b into res (caller's, zeroed; free its members with
 * ty_results_free): every variant with opt, in order, each one's paired
 * difference from the baseline (the variant named "baseline", else the
 * first), then every sweep point; the scenario's name, title, source and
 * text and the batch text. Every run uses the same seed, so variants share
 * their factors' draws (common random numbers). hook may be NULL.
 * Returns TY_OK; TY_ERR_INTERRUPTED when opt->interrupt stopped it (res
 * then holds the variants run so far, the one interrupted included, and
 * the sweeps run so far, the one interrupted partial; res->complete = 0); a run's error otherwise, on
 * diag (res then holds what was done). A variant that cannot be paired with
 * the baseline is a warning on diag. */
ty_status ty_run_batch(const ty_batch *b, const ty_run_options *opt, ty_batch_hook hook, void *ctx,
                       ty_results *res, ty_diag *diag);

/* As ty_run_batch, continuing prev, the results of an interrupted run of
 * the same batch with the same options (ty_results_read of its file), or
 * from the start when prev is NULL. prev's complete runs and whole sweeps
 * are moved into res (their entries in prev are zeroed), its interrupted
 * run or sweep point continues from its resume state, the others run: the
 * result is the uninterrupted batch's, bit for bit, and an interrupted
 * resume can be resumed again. An interrupted batch keeps the points done
 * of the sweep it was running (partial, with that point's state) and the
 * paired-difference groups of its runs. TY_ERR_INVALID (on diag) when prev
 * does not fit b (other variants, sweeps or points; a state or groups
 * missing). */
ty_status ty_run_batch_resume(const ty_batch *b, const ty_run_options *opt, ty_results *prev,
                              ty_batch_hook hook, void *ctx, ty_results *res, ty_diag *diag);

/* Sets res's scenario name, title, source and verbatim text from s.
 * TY_OK or TY_ERR_NOMEM. */
ty_status ty_run_describe(ty_results *res, const ty_scenario *s);

/* The settings a run of s with opt will use (samples, seed, sampling, target,
 * budget), resolved as ty_run_scenario resolves them. */
void ty_run_settings_resolve(const ty_scenario *s, const ty_run_options *opt, ty_run_settings *out);

/* The most samples a run with settings set may draw: samples, or
 * max_samples when that is smaller, or with a target half-width max_samples
 * (samples when there is none). */
uint64_t ty_run_max_samples(const ty_run_settings *set);

#endif
