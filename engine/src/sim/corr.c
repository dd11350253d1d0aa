/* corr.c - correlated factors by inversion of their Gaussian copula (corr.h). */
#include "corr.h"

#include <stdlib.h>
#include <string.h>

#include "dist/specfun.h"
#include "util/linalg.h"

struct corr_plan {
    size_t m;            /* correlated factors */
    int *factor;         /* m factor indices */
    double *chol;        /* m x m lower Cholesky factor L of the scores' correlation */
    ty_dist *normal;     /* N(0, 1): the independent scores */
};

struct corr_work {
    size_t max_n;
    double *e;           /* m x max_n independent normals, column by column */
    double *u;           /* max_n uniforms of one factor */
};

ty_status corr_plan_new(const ty_copula *c, corr_plan **out)
{
    *out = NULL;
    if (!c || c->m == 0) return TY_OK;
    size_t m = c->m;
    corr_plan *p = calloc(1, sizeof *p);
    if (!p) return TY_ERR_NOMEM;
    p->m = m;
    p->factor = malloc(m * sizeof *p->factor);
    p->chol = malloc(m * m * sizeof *p->chol);
    ty_dist_spec spec = {.kind = TY_DIST_NORMAL, .param = {0.0, 1.0}};
    ty_status st = ty_dist_new(&spec, &p->normal, NULL, NULL);
    if (!p->factor || !p->chol || st != TY_OK) { corr_plan_free(p); return TY_ERR_NOMEM; }
    for (size_t j = 0; j < m; j++) p->factor[j] = c->factor[j];
    /* The scenario checked the matrix at load time; a failure here would be
     * our bug, reported as an invalid scenario rather than a crash. */
    if (linalg_cholesky(c->corr, p->chol, m) != 0) { corr_plan_free(p); return TY_ERR_INVALID; }
    *out = p;
    return TY_OK;
}

void corr_plan_free(corr_plan *p)
{
    if (!p) return;
    free(p->factor);
    free(p->chol);
    ty_dist_free(p->normal);
    free(p);
}

int corr_has_factor(const corr_plan *p, size_t f)
{
    for (size_t j = 0; p && j < p->m; j++)
        if ((size_t)p->factor[j] == f) return 1;
    return 0;
}

corr_work *corr_work_new(const corr_plan *plan, size_t max_n)
{
    corr_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->max_n = max_n;
    w->e = malloc(plan->m * max_n * sizeof *w->e);
    w->u = malloc(max_n * sizeof *w->u);
    if (!w->e || !w->u) { corr_work_free(w); return NULL; }
    return w;
}

void corr_work_free(corr_work *w)
{
    if (!w) return;
    free(w->e);
    free(w->u);
    free(w);
}

void corr_fill(const corr_plan *p, corr_work *w, ty_rng *rng, const ty_dist *const *dists,
               double *const *cols, size_t n)
{
    size_t m = p->m;
    if (n > w->max_n) return;
    for (size_t j = 0; j < m; j++) ty_dist_sample(p->normal, rng, w->e + j * n, n);
    /* z_j = sum_k L_jk e_k (k <= j), then u = Phi(z): the copula's uniforms
     * (above the median as 1 - (1 - Phi(z)), the survival function being the
     * accurate one there). */
    for (size_t j = 0; j < m; j++) {
        const double *l = p->chol + j * m;
        for (size_t i = 0; i < n; i++) {
            double z = 0;
            for (size_t k = 0; k <= j; k++) z += l[k] * w->e[k * n + i];
            w->u[i] = z < 0 ? sf_norm_cdf(z) : 1.0 - sf_norm_sf(z);
        }
        size_t f = (size_t)p->factor[j];
        ty_dist_quantile_block(dists[f], w->u, cols[f], n);
    }
}
