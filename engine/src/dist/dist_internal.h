/* dist_internal.h - the ty_dist object and the functions shared by the
 * files of the dist module: dist.c (validation, construction), dist_family.c
 * (family setup, tables), dist_cdf.c (CDF, quantile, moments) and
 * dist_sample.c (block samplers). Internal: not part of the public API. */
#ifndef TYCHE_DIST_INTERNAL_H
#define TYCHE_DIST_INTERNAL_H

#include "tyche/dist.h"
#include "util/cpu.h"

/* The family gives CDF and quantile; ci90 becomes normal or lognormal, pert
 * a scaled beta, bernoulli a binomial with n = 1, a degenerate binomial or
 * poisson a constant, and discrete (or a truncated integer family) a table. */
typedef enum dist_family {
    FAM_UNIFORM, FAM_NORMAL, FAM_LOGNORMAL, FAM_BETA, FAM_GAMMA, FAM_TRIANGULAR,
    FAM_BINOMIAL, FAM_POISSON, FAM_TABLE, FAM_CONSTANT,
    FAM_STUDENT, FAM_LOGUNIFORM, FAM_EXPONENTIAL, FAM_WEIBULL, FAM_METALOG, FAM_MIXTURE
} dist_family;

/* The block sampler that ty_dist_sample runs. */
typedef enum dist_sampler {
    SMP_UNIFORM, SMP_NORMAL, SMP_LOGNORMAL, SMP_BETA, SMP_GAMMA, SMP_TRIANGULAR,
    SMP_BERNOULLI, SMP_BINOMIAL, SMP_POISSON, SMP_ALIAS, SMP_CONSTANT,
    SMP_STUDENT, SMP_LOGUNIFORM, SMP_EXPONENTIAL, SMP_WEIBULL, SMP_METALOG, SMP_MIXTURE,
    SMP_INVERT      /* truncated, little mass kept: x = quantile(u) */
} dist_sampler;

/* Marsaglia-Tsang constants for Gamma(shape): d = s - 1/3, c = 1/sqrt(9d)
 * with s = shape, or s = shape + 1 and the U^(1/shape) boost when shape < 1. */
typedef struct gamma_consts {
    double d, c, inv_shape;
    int boost;
} gamma_consts;

struct ty_dist {
    ty_dist_spec spec;          /* values/weights point to own copies */
    double *own_values, *own_weights;
    dist_family family;
    dist_sampler sampler;
    int reject;                 /* filter raw draws to [lo, hi] */
    double lo, hi;              /* support after truncation */

    /* Family parameters. uniform: loc=min, scale=max-min; normal/lognormal:
     * loc=mean or mu, scale=sd or sigma; beta: a, b on [loc, loc+scale];
     * gamma: a=shape, scale; triangular: a=min, b=mode, c=max; binomial:
     * a=n, b=p; poisson: a=lambda; constant: a=x. */
    double loc, scale, a, b, c;

    /* Sampler constants. */
    gamma_consts ga, gb;        /* gamma: ga; beta: ga, gb (ratio of gammas) */
    int johnk;                  /* beta with a, b <= 1: Johnk's method */
    double tri_fc, tri_l, tri_r;/* triangular: F(mode), (max-min)(mode-min), (max-min)(max-mode) */
    struct {                    /* binomial: p' = min(p, 1-p), flip when p > 1/2 */
        double n, p, q, flip;
        int btrd;
        double qn, s, as;       /* inversion: q^n, p/q, (n+1) p/q */
        double m, r, nr, npq, bb, aa, cc, alpha, vr, urvr, h;
    } bin;
    struct {
        int ptrs;
        double emlam;           /* exp(-lambda), multiplication method */
        double slam, loglam, b, a, invalpha, vr, lgam_unused;
    } poi;

    /* Truncation of a non-table family: the interval [lo, hi] in integer
     * terms for integer families, and the cumulative probabilities at its
     * ends in lower (F) or upper (S = 1 - F) terms, whichever keeps digits. */
    int truncated, upper;
    double cum_lo, cum_hi, mass;
    double flo, slo, fhi, shi;  /* F and S at both ends */

    /* Table: sorted distinct values, probabilities, cumulative from below
     * and from above, Vose alias table. */
    size_t ntab;
    double *tx, *tp, *tcum, *tucum, *aprob;
    uint32_t *aidx;

    double mean, var;

    /* student_t: a = df, loc, scale, b = log of the density's constant,
     * ga = Gamma(df/2) constants (the chi-square); loguniform: loc = log min, scale = log(max/min), a = min,
     * c = max; exponential: a = rate; weibull: a = shape, scale. */

    /* metalog: y = M(p) = sum ml_a[j] basis_j(p) (Keelin 2016), then
     * x = y (ml_bound 0), lower + e^y (1), upper - e^-y (2), or
     * (lower + upper e^y) / (1 + e^y) (3); ml_lo, ml_hi those bounds. */
    int ml_n, ml_bound;
    double ml_a[TY_DIST_METALOG_MAX], ml_lo, ml_hi;

    /* mixture: the built components, their normalised weights and the
     * cumulative sums (wcum[ncomp - 1] == 1), own copies of their specs
     * (d->spec.components points there) and weights. */
    size_t ncomp;
    struct ty_dist **comp;
    double *w, *wcum;
    ty_dist_spec *own_specs;

    /* Inverse-CDF table of a beta or gamma family (truncated or not), or of
     * an untruncated binomial or poisson one, whose exact quantile iterates;
     * NULL for every other family. Built once by
     * dist_qtab_build, read-only afterwards. */
    struct dist_qtab *qtab;
};

/* ---- dist_family.c: the derived form of a validated spec ---- */

/* Sets the family, its parameters and the untruncated sampler from d->spec. */
void dist_family_setup(ty_dist *d);
/* Table of a discrete distribution restricted to [lo, hi], with its alias
 * table; *empty set when nothing of positive weight remains. TY_OK or
 * TY_ERR_NOMEM. */
ty_status dist_table_from_values(ty_dist *d, const double *v, const double *w, size_t n,
                                 double lo, double hi, int *empty);
/* Cumulative sums and the alias table over d->tp[0..ntab). TY_OK or
 * TY_ERR_NOMEM. */
ty_status dist_table_finish(ty_dist *d);
/* Walks the pmf of a binomial or poisson family over [kl, kh] outwards from
 * the mode; stores the points in order when xs/ws are given. Returns their
 * number; *sw, *mean, *var get the weight sum and the moments. */
size_t dist_int_walk(const ty_dist *d, double kl, double kh, double *xs, double *ws,
                     double *sw, double *mean, double *var);

/* ---- dist_metalog.c, dist_mixture.c: the two composite families ---- */

/* Fits the metalog's coefficients to d->spec's pairs and checks that its
 * quantile function increases; 0 on success, else 1 with *why set to a
 * static text naming the problem ("singular", "decreasing" near p =
 * *where_p, or "heavy": an open power-law tail of exponent *where_p >= 1/2,
 * infinite variance). */
int dist_metalog_fit(ty_dist *d, const char **why, double *where_p);
/* Quantile at lower (upper == 0) or upper probability p; the bounds at 0, 1. */
double dist_metalog_quantile(const ty_dist *d, double p, int upper);
/* F and S at x by bisection and Newton on p. */
void dist_metalog_cdf(const ty_dist *d, double x, double *F, double *S);
void dist_metalog_sample(const ty_dist *d, ty_rng *rng, double *out, size_t n);

/* Builds the components of a mixture spec (errors at their positions).
 * TY_OK, TY_ERR_INVALID or TY_ERR_NOMEM. */
ty_status dist_mixture_build(ty_dist *d, const ty_dist_spec *spec, ty_diag *diag, const ty_pos *pos);
void dist_mixture_free(ty_dist *d);
void dist_mixture_cdf(const ty_dist *d, double x, double *F, double *S);
/* Smallest x with F(x) >= p (upper: S(x) <= p), by bisection. */
double dist_mixture_quantile(const ty_dist *d, double p, int upper);
void dist_mixture_support(const ty_dist *d, double *lo, double *hi);
void dist_mixture_moments(const ty_dist *d, double *mean, double *var);
/* Mean and variance of the mixture truncated to [d->lo, d->hi]: each
 * component truncated alike (built for the purpose), weighted by w_i times
 * its mass there. Exact for atoms, where quadrature of the quantile is
 * not. TY_OK or TY_ERR_NOMEM. */
ty_status dist_mixture_truncated_moments(const ty_dist *d, double *mean, double *var);
void dist_mixture_sample(const ty_dist *d, ty_rng *rng, double *out, size_t n);
/* 1 when some component has atoms (a table, integer or constant family). */
int dist_has_atoms(const ty_dist *d);

/* ---- dist_qtab.c: the fast quantile of beta, gamma, binomial, poisson ---- */

/* Builds d->qtab for a beta or gamma family, or an untruncated binomial or
 * poisson one (no-op for the others); TY_OK
 * or TY_ERR_NOMEM. Needs d complete (bounds applied). */
ty_status dist_qtab_build(ty_dist *d);
void dist_qtab_free(struct dist_qtab *q);
/* out[i] = quantile(u[i]) through d->qtab (which must be set), falling back
 * to the exact quantile where the table does not reach. */
void dist_qtab_quantile_block(const ty_dist *d, const double *u, double *out, size_t n);

/* ---- dist_cdf.c: evaluation ---- */

/* F = P(X <= k), S = P(X > k) of a binomial or poisson family, k integer. */
void dist_int_cdf(const ty_dist *d, double k, double *F, double *S);
/* F = P(X <= x), S = P(X > x) of the untruncated family. */
void dist_base_cdf(const ty_dist *d, double x, double *F, double *S);
/* Truncated quantile: x with P(X <= x) = p (upper == 0) or P(X > x) = p
 * (upper == 1), clamped to [lo, hi]. */
double dist_quantile_tail(const ty_dist *d, double p, int upper);
/* Support, and mean and variance, of the untruncated family or table. */
void dist_base_support(const ty_dist *d, double *lo, double *hi);
void dist_base_moments(const ty_dist *d, double *mean, double *var);
/* Mean and variance of a truncated continuous family by quadrature. */
void dist_quad_moments(const ty_dist *d, double *mean, double *var);

/* ty_dist_sample's copies, one per instruction-set level (dist_sample.c,
 * util/cpu.h): the same draws on every level. */
CPU_DECLARE(void, dist_sample_block, (const ty_dist *dist, ty_rng *rng, double *out, size_t n));

#endif
