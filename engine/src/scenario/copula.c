/* copula.c - the scenario's rank correlations as one normal-score
 * correlation matrix (ty_copula), checked to be jointly possible, and a
 * warning for each correlation the factors' distributions cannot reach.
 * The sim module draws the correlated factors from this copula; nothing
 * here knows how the correlations are imposed. */
#include <math.h>
#include <stdlib.h>

#include "scenario_int.h"
#include "tyche/rng.h"
#include "util/linalg.h"

#define REACH_N 65536        /* pairs drawn to measure a reachable correlation */
#define REACH_TOL 0.03       /* warn beyond this; the estimate's sd is < 0.004 */

/* 1 when d has atoms (an integer or table family), where ties make the
 * rank correlation of the values smaller than the copula's. */
static int has_atoms(const ty_dist *d)
{
    switch (ty_dist_get_spec(d)->kind) {
    case TY_DIST_BERNOULLI: case TY_DIST_BINOMIAL: case TY_DIST_POISSON:
    case TY_DIST_DISCRETE: case TY_DIST_CONSTANT:
        return 1;
    default:
        return 0;
    }
}

typedef struct rank_item { double v; size_t i; } rank_item;

static int rank_cmp(const void *pa, const void *pb)
{
    const rank_item *a = pa, *b = pb;
    return (a->v > b->v) - (a->v < b->v);
}

/* x[0..n) replaced by its ranks, ties by their average rank. */
static void to_ranks(double *x, rank_item *it, size_t n)
{
    for (size_t i = 0; i < n; i++) it[i] = (rank_item){x[i], i};
    qsort(it, n, sizeof *it, rank_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && it[j].v == it[i].v) j++;
        for (size_t k = i; k < j; k++) x[it[k].i] = 0.5 * (double)(i + 1 + j);
        i = j;
    }
}

/* The rank correlation the copula's normal-score correlation r gives the
 * values of da and db: Spearman's rho, ties averaged, of REACH_N pairs, the
 * first stratified, the second's own part from a fixed stream (the same
 * every load). NaN when out of memory; 0 when
 * a factor takes one value. */
static double reached_rank(const ty_dist *da, const ty_dist *db, double r)
{
    size_t n = REACH_N;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    rank_item *it = malloc(n * sizeof *it);
    double res = NAN;
    ty_dist *std = NULL;
    ty_dist_spec sn = {.kind = TY_DIST_NORMAL, .param = {0.0, 1.0}};
    if (x && y && it && ty_dist_new(&sn, &std, NULL, NULL) == TY_OK) {
        ty_rng rng;
        ty_rng_for_block(&rng, 0x7963686552656163ull, 0, ty_rng_hash_name("#reach"));
        double c = sqrt(1 - r * r);
        for (size_t i = 0; i < n; i++) {
            /* the first score stratified (its quantile at (i + 1/2) / n),
             * the second's independent part by Box-Muller */
            double ua = ((double)i + 0.5) / (double)n;
            double z1 = ty_dist_quantile(std, ua);
            double u1 = ty_rng_uniform_pos(&rng), u2 = ty_rng_uniform(&rng);
            double w = r * z1 + c * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
            x[i] = ty_dist_quantile(da, ua);
            y[i] = ty_dist_quantile(db, 0.5 * erfc(-w / M_SQRT2));
        }
        to_ranks(x, it, n);
        to_ranks(y, it, n);
        double m = 0.5 * (double)(n + 1), sxy = 0, sxx = 0, syy = 0;
        for (size_t i = 0; i < n; i++) {
            sxy += (x[i] - m) * (y[i] - m);
            sxx += (x[i] - m) * (x[i] - m);
            syy += (y[i] - m) * (y[i] - m);
        }
        res = sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0.0;
    }
    ty_dist_free(std);
    free(x);
    free(y);
    free(it);
    return res;
}

/* Warns, at each correlation, when its factors' distributions cannot reach
 * the rank correlation asked for: ties in a distribution with atoms (two
 * bernoulli(0.5) asked for 0.9 reach about 0.72). Continuous margins reach
 * it exactly (ranks of monotone transforms of the normal scores).
 * TY_ERR_NOMEM when the check could not be made (a warning must not be
 * lost silently). */
static ty_status warn_unreachable(const ty_scenario *s, ty_diag *diag)
{
    for (size_t c = 0; c < s->ncorr; c++) {
        const ty_correlation *k = &s->corr[c];
        const ty_dist *da = s->dists[k->a], *db = s->dists[k->b];
        if (!da || !db || !(has_atoms(da) || has_atoms(db))) continue;
        double r = 2.0 * sin(M_PI * k->rank / 6.0), got = reached_rank(da, db, r);
        if (isnan(got)) return TY_ERR_NOMEM;
        if (!(fabs(got - k->rank) > REACH_TOL)) continue;
        ty_diag_add(diag, TY_SEV_WARNING, &k->pos, "rank correlation %g between %s and %s cannot be "
                    "reached with these distributions; it reaches about %.3g", k->rank,
                    s->factors[k->a].name, s->factors[k->b].name, got);
        ty_diag_hint(diag, "values that repeat (yes/no and count factors) tie in rank, which caps "
                     "their rank correlation; the run uses the copula as given");
    }
    return TY_OK;
}

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
    return warn_unreachable(s, diag);
}
