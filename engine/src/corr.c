/* corr.c - Iman-Conover rank correlation within a block (see corr.h). */
#include "corr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "specfun.h"

struct corr_plan {
    size_t m;            /* correlated factors */
    int *factor;         /* m factor indices */
    double *chol_target; /* m x m lower Cholesky factor of the target (normal-score Pearson) */
};

struct corr_work {
    size_t max_n, m;
    double *scores;      /* max_n van der Waerden scores for the current n */
    size_t scores_n;
    double *s;           /* n x m permuted scores, row-major */
    double *t;           /* n x m corrected scores */
    double *sorted;      /* n values of one factor, sorted */
    struct keyed *pairs; /* n (score, index) pairs being ordered */
};

/* A corrected score and its sample index; sorted by score, ties by index so
 * the order is unique. */
typedef struct keyed { double key; size_t idx; } keyed;

/* Cholesky a = l l^T (lower, row-major m x m). Returns 0, or -1 when a is not
 * positive definite. */
static int cholesky(const double *a, double *l, size_t m)
{
    memset(l, 0, m * m * sizeof *l);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j <= i; j++) {
            double sum = a[i * m + j];
            for (size_t k = 0; k < j; k++) sum -= l[i * m + k] * l[j * m + k];
            if (i == j) {
                if (!(sum > 1e-12)) return -1;
                l[i * m + i] = sqrt(sum);
            } else {
                l[i * m + j] = sum / l[j * m + j];
            }
        }
    return 0;
}

ty_status corr_plan_new(const ty_scenario *s, corr_plan **out, ty_diag *diag)
{
    *out = NULL;
    size_t nc = ty_scenario_ncorrelations(s), nf = ty_scenario_nfactors(s);
    if (nc == 0) return TY_OK;
    int *slot = malloc(nf * sizeof *slot);
    corr_plan *p = calloc(1, sizeof *p);
    if (!slot || !p) { free(slot); free(p); return TY_ERR_NOMEM; }
    for (size_t f = 0; f < nf; f++) slot[f] = -1;
    for (size_t c = 0; c < nc; c++) {
        const ty_correlation *cr = ty_scenario_correlation(s, c);
        if (slot[cr->a] < 0) slot[cr->a] = (int)p->m++;
        if (slot[cr->b] < 0) slot[cr->b] = (int)p->m++;
    }
    size_t m = p->m;
    p->factor = malloc(m * sizeof *p->factor);
    double *target = calloc(m * m, sizeof *target);
    p->chol_target = malloc(m * m * sizeof *p->chol_target);
    if (!p->factor || !target || !p->chol_target) {
        free(slot); free(target); corr_plan_free(p);
        return TY_ERR_NOMEM;
    }
    for (size_t f = 0; f < nf; f++)
        if (slot[f] >= 0) p->factor[slot[f]] = (int)f;
    for (size_t i = 0; i < m; i++) target[i * m + i] = 1.0;
    for (size_t c = 0; c < nc; c++) {
        const ty_correlation *cr = ty_scenario_correlation(s, c);
        /* Spearman rho of normal scores -> their Pearson correlation
         * (K. Pearson 1907): r = 2 sin(pi rho / 6). */
        double r = 2.0 * sin(M_PI * cr->rank / 6.0);
        size_t i = (size_t)slot[cr->a], j = (size_t)slot[cr->b];
        target[i * m + j] = target[j * m + i] = r;
    }
    free(slot);
    if (cholesky(target, p->chol_target, m) != 0) {
        const ty_correlation *first = ty_scenario_correlation(s, 0);
        ty_diag_add(diag, TY_SEV_ERROR, &first->pos,
                    "the correlations are inconsistent: their matrix is not positive definite");
        ty_diag_hint(diag, "no joint distribution has these pairwise rank correlations; weaken "
                           "the strongest ones or check their signs");
        free(target);
        corr_plan_free(p);
        return TY_ERR_INVALID;
    }
    free(target);
    *out = p;
    return TY_OK;
}

void corr_plan_free(corr_plan *p)
{
    if (!p) return;
    free(p->factor);
    free(p->chol_target);
    free(p);
}

corr_work *corr_work_new(const corr_plan *plan, size_t max_n)
{
    corr_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->max_n = max_n;
    w->m = plan->m;
    w->scores = malloc(max_n * sizeof *w->scores);
    w->s = malloc(max_n * plan->m * sizeof *w->s);
    w->t = malloc(max_n * plan->m * sizeof *w->t);
    w->sorted = malloc(max_n * sizeof *w->sorted);
    w->pairs = malloc(max_n * sizeof *w->pairs);
    if (!w->scores || !w->s || !w->t || !w->sorted || !w->pairs) {
        corr_work_free(w);
        return NULL;
    }
    return w;
}

void corr_work_free(corr_work *w)
{
    if (!w) return;
    free(w->scores);
    free(w->s);
    free(w->t);
    free(w->sorted);
    free(w->pairs);
    free(w);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key) return (x->key > y->key) - (x->key < y->key);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

void corr_apply(const corr_plan *plan, corr_work *w, ty_rng *rng, double *const *cols, size_t n)
{
    size_t m = plan->m;
    if (n < 2 || n > w->max_n) return;
    if (w->scores_n != n) {
        for (size_t i = 0; i < n; i++) w->scores[i] = sf_norm_quantile((double)(i + 1) / (double)(n + 1));
        w->scores_n = n;
    }
    /* Each column: a random permutation of the scores (Fisher-Yates). */
    for (size_t j = 0; j < m; j++) {
        for (size_t i = 0; i < n; i++) w->s[i * m + j] = w->scores[i];
        for (size_t i = n - 1; i > 0; i--) {
            size_t k = (size_t)ty_rng_bounded(rng, (uint64_t)i + 1);
            double tmp = w->s[i * m + j];
            w->s[i * m + j] = w->s[k * m + j];
            w->s[k * m + j] = tmp;
        }
    }
    /* Their sample correlation e (the scores have mean 0 and equal
     * variance in every column), its Cholesky factor q, and the correction
     * t = s (p q^-1)^T so that t's correlation is the target's. */
    double e[64 * 64], q[64 * 64], a[64 * 64];
    double *ebuf = m <= 64 ? e : malloc(3 * m * m * sizeof *ebuf);
    double *qbuf = m <= 64 ? q : ebuf + m * m, *abuf = m <= 64 ? a : ebuf + 2 * m * m;
    if (!ebuf) return;
    double var = 0;
    for (size_t i = 0; i < n; i++) var += w->scores[i] * w->scores[i];
    for (size_t j = 0; j < m; j++)
        for (size_t k = 0; k <= j; k++) {
            double sum = 0;
            for (size_t i = 0; i < n; i++) sum += w->s[i * m + j] * w->s[i * m + k];
            ebuf[j * m + k] = ebuf[k * m + j] = sum / var;
        }
    if (cholesky(ebuf, qbuf, m) != 0) {
        /* A degenerate draw (tiny n): keep the independent pairing. */
        if (m > 64) free(ebuf);
        return;
    }
    /* a = p q^-1 (lower triangular): solve a q = p row by row. */
    const double *p = plan->chol_target;
    for (size_t i = 0; i < m; i++)
        for (size_t j = m; j-- > 0;) {
            double sum = p[i * m + j];
            for (size_t k = j + 1; k < m; k++) sum -= abuf[i * m + k] * qbuf[k * m + j];
            abuf[i * m + j] = sum / qbuf[j * m + j];
        }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            double sum = 0;
            for (size_t k = 0; k < m; k++) sum += abuf[j * m + k] * w->s[i * m + k];
            w->t[i * m + j] = sum;
        }
    if (m > 64) free(ebuf);
    /* Rearrange each factor: the sample with the r-th smallest corrected
     * score gets the factor's r-th smallest value. */
    for (size_t j = 0; j < m; j++) {
        double *col = cols[plan->factor[j]];
        memcpy(w->sorted, col, n * sizeof *col);
        qsort(w->sorted, n, sizeof *w->sorted, cmp_double);
        keyed *pairs = w->pairs;
        for (size_t i = 0; i < n; i++) { pairs[i].key = w->t[i * m + j]; pairs[i].idx = i; }
        qsort(pairs, n, sizeof *pairs, cmp_keyed);
        for (size_t r = 0; r < n; r++) col[pairs[r].idx] = w->sorted[r];
    }
}
