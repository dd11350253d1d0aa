/* run_int.h - internal: what the run loop (run.c) shares with its tallies
 * (tally.c): the plan every block reads, a thread's workspace, and the
 * block-order reduction of the blocks' tallies. */
#ifndef TYCHE_SIM_RUN_INT_H
#define TYCHE_SIM_RUN_INT_H

#include "block.h"
#include "stats/estimate.h"
#include "tyche/run.h"
#include "util/cpu.h"

#define B TY_RUN_BLOCK
#define NB TY_RUN_HIST_BINS
#define CELL TY_RUN_CELL
#define NCELL BLOCK_MAX_CELLS    /* cells per block at most */
#define HS (NB + 2)              /* a series' histogram: NB bins, then the counts
                                    below and above its range */

/* What the samples' independence lets the standard error rest on. */
typedef enum unit_kind {
    UNITS_SAMPLES,               /* random sampling: every sample is independent */
    UNITS_CELLS                  /* Latin hypercube, stratified per cell: every cell */
} unit_kind;

/* How a series' histogram is binned and its percentiles read (tally.c). */
typedef enum hist_kind {
    HIST_CONTINUOUS,             /* interpolated within the bin: within one bin width */
    HIST_INTEGER,                /* integer values, bins from an integer lo, w = 1 (a
                                    bin per integer: exact) or a power of two */
    HIST_VALUES                  /* a discrete factor's values: the one value of
                                    the distribution in the bin (exact) */
} hist_kind;

/* Everything a block needs that does not change during the run. */
typedef struct plan {
    block_plan bp;               /* sampling and evaluation of one block */
    const ty_scenario *s;
    size_t F, D, K, S;           /* factors, derived, outcomes, series: the F + D
                                    values, then the K outcomes (their spread),
                                    then the quantile queries' values */
    size_t Q;                    /* queries */
    size_t O;                    /* observations: 0 for an unweighted run */
    int weighted;                /* O > 0: every estimate is weighted by the samples'
                                    likelihoods (docs/format.md, 'Observations') */
    double shift;                /* a sample's weight is exp(lw - shift): the
                                    pilot's greatest log-weight (or a restart's) */
    size_t *qseries;             /* Q: query q's series (quantile queries), else 0 */
    uint64_t seed;
    ty_outcome_model model;
    unit_kind units;
    double *hist_lo, *hist_w;    /* S histogram ranges: NB bins of width w from lo ... */
    double *hist_hi;             /* ... to hi = lo + NB w; values beyond counted apart */
    unsigned char *hist_kind;    /* S hist_kind */
    size_t ntally;               /* doubles per block tally: see block_tally */
    size_t TR, TE, TS;           /* time scenarios: reported steps, events, states (0: static) */
    size_t time_off;             /* the time section's offset in a block's tally (T_TIME) */
} plan;

/* Offsets in a block's tally: K outcome sums, K outcome M2 (about the
 * block's mean), NCELL x K cell sums (block_ncells of them used), then S
 * series means, S M2, S counts, then per query TQ doubles: per cell the
 * sum of condition x value and of the condition, and the count of values
 * other than 0 and 1. */
#define T_SUM(p) 0
#define T_M2(p) ((p)->K)
#define T_CELL(p) (2 * (p)->K)
#define T_SERIES(p) ((2 + NCELL) * (p)->K)
#define T_QUERY(p) (T_SERIES(p) + 3 * (p)->S)
#define TQ (2 * NCELL + 2)       /* ... and the sum of (condition x weight)^2 */
#define WSCALE 65536.0           /* a weighted histogram's count for weight 1 */

/* A weighted run's tallies follow: per cell the weighted sums of the K
 * outcomes and the cell's weight, NCELL x (K + 1); per series its weight,
 * weighted mean and M2 about it, S x 3; the block's sum of w^2, samples
 * accepted (every `when` held), greatest log-weight; per observation the
 * sum of its values (a `when`'s). */
#define T_WCELL(p) (T_QUERY(p) + TQ * (p)->Q)
#define T_WSERIES(p) (T_WCELL(p) + NCELL * ((p)->K + 1))
#define T_WSCALAR(p) (T_WSERIES(p) + 3 * (p)->S)
#define T_HELD(p) (T_WSCALAR(p) + 3)
#define LW_HEAD 10.0             /* a log-weight this far above the shift restarts
                                    the run with a greater shift (run.c): weights
                                    stay below e^10, weighted counts far from overflow */
#define LW_SPAN 60.0             /* the log-weight histogram: [shift - 60, shift + 10] */
#define LWB 4096

/* A time scenario's section of a block tally, at T_TIME: per reported step
 * r and event k the sums of w and w^2 over the paths whose event k came in
 * the steps (report[r-1], report[r]] (w = 1 in a run without observations),
 * TR x TE x 2; then per reported step and state the sums of the state over
 * all paths and over the paths running in that step, TR x TS x 2; then the
 * running paths per reported step, TR. All plain sums: the reduction adds
 * them in block order. */
#define T_TIME(p) ((p)->time_off)
#define TIME_SIZE(p) ((p)->TR * ((p)->TE * 2 + (p)->TS * 2 + 1))

/* A thread's working memory: one block and its histogram counts. */
typedef struct workspace {
    block_ws bw;
    uint64_t *hist;              /* S x HS counts, merged after each round */
    double *vmin, *vmax;         /* S: least and greatest finite value binned, likewise */
    uint64_t *whist;             /* weighted: S x HS weighted counts, likewise */
    uint64_t *lwhist;            /* weighted: LWB + 2 log-weight counts (bins, below, above) */
    double *wt, *wg;             /* weighted: B weights; B weights x conditions */
} workspace;

/* The reduction of all blocks so far, in block order. */
typedef struct accum {
    uint64_t blocks;             /* blocks added */
    stats_blocks est;            /* the K outcome probabilities over the units */
    double *omean, *om2;         /* K: the samples' running mean and M2, as independent draws */
    double *smean, *sm2;         /* S series: running mean and M2 */
    uint64_t *sn;                /* S: finite values counted */
    uint64_t *hist;              /* S x HS: NB bins, below, above */
    double *vmin, *vmax;         /* S: least and greatest finite value binned (+-inf: none) */
    uint64_t group_units;        /* cells per group for paired differences */
    size_t ngroups;
    double *gsum, *gw;           /* ngroups x K outcome sums, ngroups weights */
    stats_ratio *qr;             /* Q: each query's ratio estimator over the cells */
    uint64_t *qbin;              /* Q: values other than 0 and 1 */
    double *qgsum;               /* ngroups x Q x 2: query sums per group */
    double *qw2;                 /* Q: sum of (condition x weight)^2 */
    /* weighted runs (the others above are then the prior's, unweighted,
     * except the queries and groups, which are weighted) */
    stats_ratio *wr;             /* K: the outcomes' weighted ratio estimators over the cells */
    double *wsw, *wsmean, *wsm2; /* S: weighted series moments */
    uint64_t *whist;             /* S x HS weighted counts */
    double ow, ow2;              /* sum of w, of w^2 */
    uint64_t accepted;
    double lwmax;                /* the greatest log-weight (-inf: none yet) */
    double *held;                /* O: each `when`'s values summed */
    uint64_t *lwhist;            /* LWB + 2 */
    double *time;                /* TIME_SIZE: the time sections added */
} accum;

/* Allocates p's histogram ranges and a's arrays for nblocks blocks of a run
 * of n samples, after p->bp is set up (at most
 * 4096 groups of whole units for paired differences, whatever the size).
 * 0, or -1 when out of memory (free with accum_free all the same). */
int accum_init(accum *a, plan *p, uint64_t nblocks, uint64_t n);
void accum_free(accum *a, plan *p);

/* Adds block b's tally t (w samples) to a, in block order: its units to the
 * ratio estimator and the paired-difference groups, its samples to the
 * independent-draws moments and the series. */
void accum_add(const plan *p, accum *a, uint64_t b, const double *t, size_t w);

/* Adds the threads' histogram counts (and least and greatest values) to
 * a's and resets theirs. */
void accum_merge_hist(const plan *p, accum *a, workspace *ws, int nws);

/* Ranks: a's histogram counts and least and greatest values back to none
 * (a rank other than 0 after a resume: rank 0 holds the stored ones), and
 * every rank's added into rank 0's (collective). 0, or -1 (MPI failure). */
void accum_clear_hist(const plan *p, accum *a);
int accum_reduce_hist(const plan *p, accum *a);

/* The slot of a finite value v in a histogram of NB bins from lo to hi,
 * 1/inv wide: its bin, NB below lo, NB + 1 above hi. The last bin is closed:
 * hi itself (a support's end) is in it. */
static inline int32_t hist_slot(double v, double lo, double hi, double inv)
{
    double pos = (v - lo) * inv;
    pos = pos < 0 ? 0 : pos > NB - 1 ? NB - 1 : pos;
    int32_t b = (int32_t)pos;
    b = v < lo ? NB : b;
    return v > hi ? NB + 1 : b;
}

/* Series j's column in w, and its weights (NULL: every sample 1) (tally.c). */
const double *tally_series_col(const plan *p, const workspace *w, size_t j, const double **weight);

int workspace_init(workspace *w, const plan *p);
void workspace_free(workspace *w);

/* Samples block b (n samples) and runs the program. Returns TY_OK or
 * TY_ERR_INVALID with *bad = the lowest sample index that matched no rule. */
ty_status block_compute(const plan *p, workspace *w, uint64_t b, size_t n, uint64_t *bad);

/* The block's floating tallies (in sample order) into t[0..p->ntally) and,
 * for the histogram blocks, its counts into w's histograms. */
void block_tally(const plan *p, workspace *w, uint64_t b, size_t n, double *t);
/* Its copies, one per instruction-set level (tally_block.c, util/cpu.h). */
CPU_DECLARE(void, block_tally, (const plan *p, workspace *w, uint64_t b, size_t n, double *t));

/* Histogram ranges and kinds (docs/results.md): a continuous factor's
 * 0.01%-99.99% quantiles (a finite end of its support instead when that is
 * near); a discrete factor's values, a bin per integer where they span at
 * most NB; a derived value's declared bounds, else its 0.1%-99.9% points in
 * a pilot of the run's first 8 blocks (recomputed: the same for any thread
 * count) widened by 5% of their span each way, or a bin per integer when
 * the pilot's values are integers spanning at most NB. Uses w's columns.
 * A weighted run's shift: the pilot's greatest log-weight (0 when none is
 * finite). 0, or -1 when out of memory. */
int tally_ranges(plan *p, workspace *w, uint64_t n_total);

/* The greatest log-weight of the blocks [lo, hi) of a round whose tallies
 * start at t (-inf for none). */
double tally_round_lwmax(const plan *p, const double *t, size_t nblocks);

/* A weighted run's estimate of outcome k (the ratio estimator over the
 * cells, interval at the effective sample size). */
ty_estimate tally_weighted_outcome(const plan *p, const accum *a, size_t k);

/* The observations' list and diagnostics, and the prior's estimates and
 * summaries, into out (weighted runs). 0, -1 (memory). */
int tally_fill_observations(const plan *p, const accum *a, ty_run_result *out);

/* The factor and derived summaries and histograms into out. 0 or -1 (memory). */
int tally_fill_series(const plan *p, const accum *a, ty_run_result *out);

/* A time scenario's cumulative probabilities by step and state means into
 * out->time (allocated; the states' percentiles are run.c's). 0 or -1. */
int tally_fill_time(const plan *p, const accum *a, ty_run_result *out);

/* The outcomes' spread and the queries' answers into out. 0 or -1 (memory). */
int tally_fill_queries(const plan *p, const accum *a, ty_run_result *out);

/* The accumulators as --resume state, and back (layout fixed by tally.c).
 * 0, or -1 when out of memory / when the state does not fit p. */
int tally_save_state(const plan *p, const accum *a, ty_resume_state *rs);

/* A weighted run's shift as stored in rs (NaN: not a weighted state). */
double tally_state_shift(const plan *p, const ty_resume_state *rs);
int tally_load_state(const plan *p, accum *a, const ty_resume_state *rs);

/* ty_run_scenario on this rank alone, whatever the ranks (no collective
 * call): a batch's sweep points spread over the ranks run so. */
ty_status run_scenario_local(const ty_scenario *s, const char *variant, const ty_run_options *opt,
                             ty_run_result *out, ty_diag *diag);

/* The length of a run of s with opt over `ranks` ranks, in block times:
 * the sum over its rounds of the blocks the busiest rank runs (the target
 * half-width taken as never reached). */
uint64_t run_span(const ty_scenario *s, const ty_run_options *opt, int ranks);

#endif
