/* par_int.h - internal: what the run loop, the sensitivity passes and the
 * result files need of the ranks: each rank's share of a range of blocks,
 * gathers into rank 0 in block order, and the few reductions whose result
 * does not depend on order (integer sums, minima, maxima). Every function
 * here is collective: every rank calls it, in the same order. Without MPI
 * they are those of a single rank. */
#ifndef TYCHE_MPI_PAR_INT_H
#define TYCHE_MPI_PAR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tyche/diag.h"
#include "tyche/par.h"

/* 1 on rank 0. */
int par_root(void);

/* The share [*lo, *hi) of [first, end) of rank `rank` of `size`: contiguous
 * ranges in rank order, the remainder one each to the lowest ranks. */
void par_share_of(uint64_t first, uint64_t end, int rank, int size, uint64_t *lo, uint64_t *hi);

/* This rank's share of [first, end). */
void par_share(uint64_t first, uint64_t end, uint64_t *lo, uint64_t *hi);

/* Gathers: every rank holds elements [first, first + count) of buf (each
 * esize bytes) and passes those; afterwards rank 0's buf (every rank's with
 * all = 1) holds every rank's elements at their places. The ranks' spans
 * must not overlap. 0, or -1 on an MPI failure (on every rank). */
int par_gather(void *buf, size_t esize, uint64_t first, uint64_t count, int all);

/* All ranks: the least of every rank's v. */
uint64_t par_min_u64(uint64_t v);

/* buf[0..n) summed over the ranks into rank 0's buf (integers: exact in
 * any order); min/max likewise for doubles. 0, or -1 on an MPI failure. */
int par_sum_u64(uint64_t *buf, size_t n);
int par_min_f64(double *buf, size_t n);
int par_max_f64(double *buf, size_t n);

/* Rank 0's n bytes at buf to every rank. 0, or -1. */
int par_bcast(void *buf, size_t n);

/* The lowest rank whose `failed` is nonzero, -1 when none (all ranks). */
int par_first_failing(int failed);

/* Rank from's n bytes at buf to every rank. 0, or -1. */
int par_bcast_from(void *buf, size_t n, int from);

/* The status every rank goes on with after a step that may fail on some
 * ranks only (memory, a write): the lowest-ranked failure's, so that no
 * rank waits in a collective the others have left. When that rank is not
 * rank 0, rank 0 adds "WHAT failed on rank R: REASON" to diag, REASON being
 * that rank's last error (a full disk on one node reads as such). An
 * interrupt is agreed without a message. */
ty_status par_agree_status(ty_status st, const char *what, ty_diag *diag);

/* An exchange between the ranks failed: rank 0 says so on diag; every
 * rank returns TY_ERR_IO. */
ty_status par_exchange_failed(ty_diag *diag);

/* Test hook: 1 when the environment variable TYCHE_TEST_RANK_FAIL is
 * "RANK:POINT" for this rank and this point, so that an end-to-end test
 * can make one rank alone fail there: "alloc" (a thread's scratch in a
 * round of the run loop), "write" (its rows of --save-samples). Unset in
 * normal use. */
int par_test_fail(const char *point);

#endif
