/* corr.h - internal: correlated factors drawn from their Gaussian copula.
 * The scenario's rank correlations are a Gaussian copula on normal scores
 * (ty_copula: the scores' correlation matrix R). Per sample, independent
 * normals e are mixed into z = L e (R = L L^T), turned into uniforms
 * u = Phi(z), and each correlated factor takes its quantile at u. Each
 * sample is an independent draw of the copula, so the rank correlations
 * hold exactly in expectation (Spearman rho = (6/pi) asin(r/2), the target),
 * tails included, and the run's samples stay independent of each other.
 * Marginals are the factors' own distributions, exactly. */
#ifndef TYCHE_CORR_H
#define TYCHE_CORR_H

#include "tyche/dist.h"
#include "tyche/rng.h"
#include "tyche/scenario.h"

typedef struct corr_plan corr_plan;
typedef struct corr_work corr_work;

/* Builds the plan for copula c (ty_scenario_copula): NULL in *out (and
 * TY_OK) when c is NULL (no correlations). The scenario validated the
 * matrix; TY_ERR_INVALID only if it is not positive definite after all,
 * TY_ERR_NOMEM. */
ty_status corr_plan_new(const ty_copula *c, corr_plan **out);
void corr_plan_free(corr_plan *plan);

/* Whether factor f is one of the plan's correlated factors. */
int corr_has_factor(const corr_plan *plan, size_t f);

/* Per-thread scratch for blocks of up to max_n samples; NULL when out of memory. */
corr_work *corr_work_new(const corr_plan *plan, size_t max_n);
void corr_work_free(corr_work *work);

/* Fills cols[f][0..n) of every correlated factor f with n independent draws
 * of the copula, dists[f] giving each factor's quantile, drawing the normals
 * from rng. */
void corr_fill(const corr_plan *plan, corr_work *work, ty_rng *rng, const ty_dist *const *dists,
               double *const *cols, size_t n);

#endif
