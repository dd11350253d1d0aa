/* corr.c - Iman-Conover rank correlation within a block (see corr.h). */
#include "corr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist/specfun.h"
#include "util/linalg.h"

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
    uint64_t *key, *key_tmp;     /* n sortable keys and the radix sort's scratch */
    uint32_t *idx, *idx_tmp;     /* n sample indices carried along */
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
    p->chol_target = malloc(m * m * sizeof *p->chol_target);
    if (!p->factor || !p->chol_target) { corr_plan_free(p); return TY_ERR_NOMEM; }
    for (size_t j = 0; j < m; j++) p->factor[j] = c->factor[j];
    /* The scenario checked the matrix at load time; a failure here would be
     * our bug, reported as an invalid scenario rather than a crash. */
    if (linalg_cholesky(c->corr, p->chol_target, m) != 0) { corr_plan_free(p); return TY_ERR_INVALID; }
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
    w->key = malloc(max_n * sizeof *w->key);
    w->key_tmp = malloc(max_n * sizeof *w->key_tmp);
    w->idx = malloc(max_n * sizeof *w->idx);
    w->idx_tmp = malloc(max_n * sizeof *w->idx_tmp);
    if (!w->scores || !w->s || !w->t || !w->key || !w->key_tmp || !w->idx || !w->idx_tmp) {
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
    free(w->key);
    free(w->key_tmp);
    free(w->idx);
    free(w->idx_tmp);
    free(w);
}

/* Doubles as unsigned keys in the same order (-0 before +0; NaN last). */
static uint64_t key_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static double double_of(uint64_t k)
{
    uint64_t u = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Sorts key[0..n) ascending in place, carrying idx along when it is not
 * NULL: LSD radix sort, 8 bits a pass, stable (equal keys keep their index
 * order), skipping the passes where every key has the same digit. On blocks
 * of 1024 it is about 15 times faster than qsort with a comparator, which
 * took three quarters of a correlated scenario's run time. */
static void radix_sort(uint64_t *key, uint32_t *idx, size_t n, uint64_t *key_tmp, uint32_t *idx_tmp)
{
    uint64_t *src = key, *dst = key_tmp;
    uint32_t *isrc = idx, *idst = idx_tmp;
    for (int shift = 0; shift < 64 && n > 1; shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++) count[(src[i] >> shift) & 255]++;
        if (count[(src[0] >> shift) & 255] == n) continue;
        size_t pos = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = count[d];
            count[d] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t to = count[(src[i] >> shift) & 255]++;
            dst[to] = src[i];
            if (idx) idst[to] = isrc[i];
        }
        uint64_t *t = src; src = dst; dst = t;
        uint32_t *ti = isrc; isrc = idst; idst = ti;
    }
    if (src != key) {
        memcpy(key, src, n * sizeof *key);
        if (idx) memcpy(idx, isrc, n * sizeof *idx);
    }
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
    if (linalg_cholesky(ebuf, qbuf, m) != 0) {
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
        /* The factor's values in order, and the samples in the order of
         * their corrected scores (ties by sample index): the r-th sample of
         * the second gets the r-th value of the first. */
        uint64_t *vals = w->key;
        for (size_t i = 0; i < n; i++) vals[i] = key_of(col[i]);
        radix_sort(vals, NULL, n, w->key_tmp, NULL);
        for (size_t i = 0; i < n; i++) w->s[i * m + j] = double_of(vals[i]);
        for (size_t i = 0; i < n; i++) {
            w->key[i] = key_of(w->t[i * m + j]);
            w->idx[i] = (uint32_t)i;
        }
        radix_sort(w->key, w->idx, n, w->key_tmp, w->idx_tmp);
        for (size_t r = 0; r < n; r++) col[w->idx[r]] = w->s[r * m + j];
    }
}
