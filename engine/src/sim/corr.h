/* corr.h - internal: rank correlations imposed within each block by the
 * Iman-Conover method (R. L. Iman and W. J. Conover, "A distribution-free
 * approach to inducing rank correlation among input variables", Commun.
 * Statist. Simul. Comput. 11(3), 1982, 311-334): van der Waerden scores are
 * permuted at random, their sample correlation is corrected to the target
 * with Cholesky factors, and each factor's values are rearranged to follow
 * the scores' ranks. Marginals are untouched: only the pairing changes. */
#ifndef TYCHE_CORR_H
#define TYCHE_CORR_H

#include "tyche/rng.h"
#include "tyche/scenario.h"

typedef struct corr_plan corr_plan;
typedef struct corr_work corr_work;

/* Builds the plan that imposes the scenario's copula (ty_scenario_copula):
 * NULL in *out (and TY_OK) when c is NULL (no correlations). The scenario
 * validated the matrix; TY_ERR_INVALID only if it is not positive definite
 * after all, TY_ERR_NOMEM. */
ty_status corr_plan_new(const ty_copula *c, corr_plan **out);
void corr_plan_free(corr_plan *plan);

/* Per-thread scratch for blocks of up to max_n samples; NULL when out of memory. */
corr_work *corr_work_new(const corr_plan *plan, size_t max_n);
void corr_work_free(corr_work *work);

/* Rearranges cols[f][0..n) of the correlated factors in place, drawing the
 * score permutations from rng. n must be at least 2 (a block of 1 keeps its
 * values). */
void corr_apply(const corr_plan *plan, corr_work *work, ty_rng *rng, double *const *cols, size_t n);

#endif
