/* block.h - internal: one block of samples of a scenario. A block_plan is
 * what every block shares (the compiled program, stream keys, correlations);
 * a block_ws is one thread's working memory (factor, derived and outcome
 * columns, VM scratch). The run loop and sensitivity analysis both sample
 * and evaluate blocks through this module; neither knows how the other
 * tallies. */
#ifndef TYCHE_BLOCK_H
#define TYCHE_BLOCK_H

#include "corr.h"
#include "paths.h"
#include "tyche/expr.h"
#include "tyche/run.h"

typedef struct block_plan {
    const ty_scenario *s;
    const ty_dist **dists;       /* F: each factor's distribution */
    unsigned char *copula;       /* F: 1 for a correlated factor (drawn from the copula) */
    const ty_program *prog;
    size_t F, D, K;              /* factors, derived values, outcomes */
    uint64_t *hash;              /* F stream keys (hash of each factor's name) */
    corr_plan *corr;             /* NULL: no correlations (or ignored) */
    uint64_t corr_hash;
    ty_sampling sampling;
    size_t cells;                /* cells per full block (block_ncells); 8 unless set */
    size_t Q;                    /* queries evaluated by block_eval: 0 unless the
                                    caller sets it to ty_scenario_nqueries (the run
                                    loop does; sensitivity analysis does not) */
    size_t O;                    /* observations evaluated by block_eval into the
                                    log-weights: 0 unless the caller sets it to
                                    ty_scenario_nobservations (the run loop does) */
    paths_plan *paths;           /* a time scenario's paths; NULL for a static one */
} block_plan;

/* A query value a sample cannot have (block_eval): not finite, or a
 * probability or condition outside [0, 1]. */
typedef struct block_query_fault {
    int query;                   /* -1: none */
    int observation;             /* -1, or the observation whose value cannot be
                                    (then query is -1) */
    int in_given;                /* 1: the condition's value, 0: the expression's */
    double value;
    size_t sample;               /* in the block */
} block_query_fault;

typedef struct block_ws {
    double *cols;                /* (F + D + K) x TY_RUN_BLOCK, column-major */
    double **fcol, **dcol, **ocol;
    ty_vm_scratch *vm;
    corr_work *cw;
    double *u;                   /* LHS: uniforms */
    uint32_t *perm;              /* LHS: strata */
    const double **inputs;       /* F + D + K: every column, the queries' inputs */
    double **qcol, **gcol;       /* Q each: the queries' values and conditions
                                    (gcol[q] NULL: no condition, every weight 1) */
    ty_vm_scratch **qvm;         /* 2 Q + O: scratch for each query and observation program */
    double *lw;                  /* the samples' log-weights: the sum of the
                                    observations' log-likelihoods (O > 0) */
    double *otmp;                /* an observation's values */
    double *held;                /* O: observation o's (a when's) values summed
                                    over the block: the samples where it held,
                                    its probability where it is soft */
    uint32_t accepted;           /* samples where every `when` held */
    block_query_fault qfault;    /* of the last block_eval */
    paths_ws *pw;                /* a time scenario's paths (plan's paths set) */
    uint64_t seed, block;        /* of the last block_sample */
} block_ws;

/* Prepares p for s. With use_corr == 0 the scenario's correlations are
 * ignored (independent factors). Errors (correlations not positive
 * definite) go to diag. Clear with block_plan_clear. */
ty_status block_plan_init(block_plan *p, const ty_scenario *s, ty_sampling sampling, int use_corr,
                          ty_diag *diag);
void block_plan_clear(block_plan *p);

/* Allocates w for p; 0, or -1 when out of memory (clear it all the same). */
int block_ws_init(block_ws *w, const block_plan *p);
void block_ws_clear(block_ws *w);

/* Cells: a block of n samples is cut into c = block_ncells(p, b, n) cells
 * of equal size (within one sample), cell k being [k n / c, (k + 1) n / c):
 * p->cells for a full block, in proportion for a short last one, and at
 * least 8 for a run of a single short block (so even 100 samples have 8
 * units). Latin hypercube stratifies each cell on its own. */
#define BLOCK_MAX_CELLS 64
size_t block_ncells(const block_plan *p, uint64_t b, size_t n);

/* Cells per full block for a run of n samples: 8 (of TY_RUN_CELL samples)
 * from 8192 samples on; smaller cells, up to BLOCK_MAX_CELLS a block, for
 * smaller runs, so that every run has dozens of units to measure its error
 * with (few units make the interval's width itself uncertain, and skewed
 * outcomes then under-cover). */
size_t block_cells_for(uint64_t n);

/* Samples the factor columns of block b (n <= TY_RUN_BLOCK samples) from the
 * streams (seed, b, name): uncorrelated factors by their samplers (Latin
 * hypercube: stratified per cell), correlated ones from their copula. */
void block_sample(const block_plan *p, block_ws *w, uint64_t seed, uint64_t b, size_t n);

/* Runs the program over the current factor columns into the derived and
 * outcome columns, then the first p->Q queries into theirs, then the first
 * p->O observations' log-likelihoods, summed into w->lw (a reading's error
 * density at what was read; log of a `when`'s value, in [0, 1]; a
 * `loglik`'s value, NaN and +inf refused). TY_OK, or
 * TY_ERR_INVALID with *bad the index in the block of the faulty sample: one
 * that matched no rule, or whose score or rule condition was not finite
 * (see ty_program_run), or else the lowest whose query value cannot be (a
 * value not finite, a probability or condition outside [0, 1]; values
 * within 1e-9 of [0, 1] are taken as its end, the rounding of sums of
 * probabilities). */
ty_status block_eval(const block_plan *p, block_ws *w, size_t n, size_t *bad);

/* The error for the fault of w's last block_eval, whose faulty sample is
 * number `sample` of the run: the definition at its position (the last
 * outcome's name for a sample matching no rule), with the sample's factor
 * values, and a hint. Needs w's factor columns as block_eval left them. */
void block_report_fault(const block_plan *p, const block_ws *w, uint64_t sample, ty_diag *diag);

#endif
