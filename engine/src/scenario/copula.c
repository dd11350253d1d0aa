/* copula.c - the scenario's rank correlations as one normal-score
 * correlation matrix (ty_copula), checked to be jointly possible. The sim
 * module draws the correlated factors from this copula; nothing here knows
 * how the correlations are imposed. */
#include <math.h>
#include <stdlib.h>

#include "scenario_int.h"
#include "util/linalg.h"

ty_status scenario_build_copula(ty_scenario *s, ty_diag *diag)
{
    size_t nc = s->ncorr, nf = s->nfactors, m = 0;
    if (nc == 0) return TY_OK;
    int *slot = malloc(nf * sizeof *slot);
    if (!slot) return TY_ERR_NOMEM;
    for (size_t f = 0; f < nf; f++) slot[f] = -1;
    for (size_t c = 0; c < nc; c++) {
        if (slot[s->corr[c].a] < 0) slot[s->corr[c].a] = (int)m++;
        if (slot[s->corr[c].b] < 0) slot[s->corr[c].b] = (int)m++;
    }
    s->copula_factor = malloc(m * sizeof *s->copula_factor);
    s->copula_corr = calloc(m * m, sizeof *s->copula_corr);
    double *chol = malloc(m * m * sizeof *chol);
    if (!s->copula_factor || !s->copula_corr || !chol) { free(slot); free(chol); return TY_ERR_NOMEM; }
    for (size_t f = 0; f < nf; f++)
        if (slot[f] >= 0) s->copula_factor[slot[f]] = (int)f;
    double *r = s->copula_corr;
    for (size_t i = 0; i < m; i++) r[i * m + i] = 1.0;
    for (size_t c = 0; c < nc; c++) {
        /* Spearman rho of normal scores -> their Pearson correlation
         * (K. Pearson 1907): r = 2 sin(pi rho / 6). */
        size_t i = (size_t)slot[s->corr[c].a], j = (size_t)slot[s->corr[c].b];
        r[i * m + j] = r[j * m + i] = 2.0 * sin(M_PI * s->corr[c].rank / 6.0);
    }
    free(slot);
    int pd = linalg_cholesky(r, chol, m) == 0;
    free(chol);
    if (!pd) {
        ty_diag_add(diag, TY_SEV_ERROR, &s->corr[0].pos,
                    "the correlations are inconsistent: their matrix is not positive definite");
        ty_diag_hint(diag, "no joint distribution has these pairwise rank correlations; weaken "
                           "the strongest ones or check their signs");
        return TY_ERR_INVALID;
    }
    s->copula = (ty_copula){.m = m, .factor = s->copula_factor, .corr = s->copula_corr};
    return TY_OK;
}
