/* paths.h - internal: the paths of a time scenario (docs/format.md, 'Time'),
 * one block at a time. After the block's factors and derived values are
 * computed, every path of the block advances step by step through the
 * compiled state updates and hazards; a path that meets an event leaves the
 * work, so the cost follows the live paths, not steps x samples (paths that
 * ended are compacted away once they are a quarter of those in the arrays).
 *
 * Randomness: a path's event draw at step t (one uniform for all events,
 * paths.c) is counter-based, keyed by (seed, block) and counted by (t, the
 * path's index in the block): SplitMix64's output at that count. Its shock draws at step t
 * come from a PCG stream of (seed, block, shock, t, its chunk of 64 paths),
 * drawn whole by the family's sampler, at the path's place in the chunk.
 * So a path draws the same numbers whichever other paths are still alive,
 * on any thread or rank count, and two variants of a batch that share a
 * shock or event draw the same numbers for it path by path (common random
 * numbers that survive paths ending at different steps). */
#ifndef TYCHE_SIM_PATHS_H
#define TYCHE_SIM_PATHS_H

#include "tyche/expr.h"
#include "tyche/run.h"
#include "tyche/scenario.h"

#define PATHS_MAX_REPORT 1000    /* reported steps at most: every step up to this
                                    many, else this many evenly spaced */

/* The steps reported of a horizon of T steps (paths_plan.R). */
static inline size_t paths_nreport(uint64_t T) { return T <= PATHS_MAX_REPORT ? (size_t)T : PATHS_MAX_REPORT; }

typedef struct paths_plan {
    size_t F, D, H, S, E, K;     /* factors, derived, shocks, states, events (K - 1), outcomes */
    uint64_t T;                  /* steps */
    const ty_program **init, **next;   /* S each */
    const ty_program *hazards;   /* E derived values */
    const ty_dist **shock;       /* H */
    uint64_t *shock_key;         /* name hashes: H */
    uint64_t events_key;         /* the events' one draw per path and step */
    size_t R;                    /* reported steps */
    uint64_t *report;            /* R: the reported steps, increasing, report[R-1] = T */
    uint32_t *slot;              /* T + 1: slot[t] = the first r with report[r] >= t */
} paths_plan;

/* A path's fault: a hazard or state that is not finite. */
typedef struct paths_fault {
    int state;                   /* -1, or the state whose init or next gave value */
    int init;                    /* 1: the state's init */
    int event;                   /* -1, or the event whose hazard gave value */
    uint64_t step;
    double value;
    size_t sample;               /* in the block */
} paths_fault;

typedef struct paths_ws {
    double *cols;                /* (F + D + H + S + 1 + E + 1) x B, compacted copies */
    double **in;                 /* F + D + H + S + 1: the next and hazard programs' inputs */
    double **iin;                /* F + D + S: init's inputs */
    double **hz;                 /* E */
    double *tmp, *u;             /* B each */
    uint32_t *idx;               /* live slot -> sample in the block */
    unsigned char *alive;        /* per slot */
    int32_t *ev;                 /* per slot: the event that fired this step, -1 none, -2 ended */
    uint16_t chunk_live[TY_RUN_BLOCK / 64];   /* live paths per chunk of 64 (shock draws) */
    ty_vm_scratch **vm;          /* 2 S + 1 */
    /* per block, read by the tallies */
    uint32_t *end_step;          /* B: the step of the path's event, 0: none by the horizon */
    uint32_t *end_event;         /* B: the outcome the path ended in (K - 1: otherwise) */
    double *last;                /* S x B: a path's state when it ended */
    double *st_all, *st_live;    /* R x S: sums over all paths, over paths running at the step */
    double *live;                /* R: paths running at the step (alive during it) */
    /* percentiles: when collect is set, the states of every path at each
     * reported step, collect[(j * R + r) * ncollect + collect_off + i] */
    double *collect;
    size_t ncollect, collect_off;
    paths_fault fault;
} paths_ws;

/* The plan of s (a time scenario); TY_OK or TY_ERR_NOMEM. */
ty_status paths_plan_init(paths_plan *p, const ty_scenario *s);
void paths_plan_clear(paths_plan *p);

int paths_ws_init(paths_ws *w, const paths_plan *p);
void paths_ws_clear(paths_ws *w);

/* Runs the n paths of block b from the factor and derived columns: fills
 * the outcome columns (1 where the path ended in outcome k) and w's per-
 * block arrays. TY_OK, or TY_ERR_INVALID with *bad the faulty sample and
 * w->fault what went wrong (block_eval resets it before each block). */
ty_status paths_run(const paths_plan *p, paths_ws *w, uint64_t seed, uint64_t b, size_t n,
                    double *const *fcol, double *const *dcol, double *const *ocol, size_t *bad);

#endif
