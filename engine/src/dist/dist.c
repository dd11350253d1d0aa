/* dist.c - distributions: the name and parameter tables, validation of a
 * spec, construction (own copies, family setup, bounds and truncation),
 * freeing and descriptions. The derived constants and tables are built in
 * dist_family.c, CDF, quantile and moments live in dist_cdf.c, the block
 * samplers in dist_sample.c. */
#include "util/sbuf.h"
#include "dist_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REJECT_MIN_MASS 0.3         /* truncation: rejection above, inversion below */

/* ---- names ---------------------------------------------------------- */

static const char *const kind_names[] = {
#define X_(id, name, np, a, b, c) name,
    TY_DIST_LIST(X_)
#undef X_
};
static const int kind_nparams[] = {
#define X_(id, name, np, a, b, c) np,
    TY_DIST_LIST(X_)
#undef X_
};
static const char *const kind_pnames[][TY_DIST_MAX_PARAMS] = {
#define X_(id, name, np, a, b, c) {a, b, c},
    TY_DIST_LIST(X_)
#undef X_
};

const char *ty_dist_kind_name(ty_dist_kind kind)
{
    return (unsigned)kind < TY_DIST_COUNT ? kind_names[kind] : NULL;
}

int ty_dist_kind_from_name(const char *name)
{
    for (int k = 0; name && k < TY_DIST_COUNT; k++)
        if (strcmp(name, kind_names[k]) == 0) return k;
    return -1;
}

int ty_dist_nparams(ty_dist_kind kind)
{
    return (unsigned)kind < TY_DIST_COUNT ? kind_nparams[kind] : 0;
}

const char *ty_dist_param_name(ty_dist_kind kind, int i)
{
    if ((unsigned)kind >= TY_DIST_COUNT || i < 0 || i >= TY_DIST_MAX_PARAMS) return NULL;
    return kind_pnames[kind][i];
}

int ty_dist_param_index(ty_dist_kind kind, const char *name)
{
    for (int i = 0; i < TY_DIST_MAX_PARAMS; i++) {
        const char *p = ty_dist_param_name(kind, i);
        if (p && name && strcmp(p, name) == 0) return i;
    }
    return -1;
}

const ty_dist_spec *ty_dist_get_spec(const ty_dist *dist) { return &dist->spec; }

/* ---- validation ------------------------------------------------------ */

#define ERR(...) do { ty_diag_add(diag, TY_SEV_ERROR, pos, __VA_ARGS__); nerr++; } while (0)

/* Where parameter i is written, else pos. */
static const ty_pos *param_pos(const ty_dist_spec *spec, int i, const ty_pos *pos)
{
    return spec->param_pos[i].line > 0 ? &spec->param_pos[i] : pos;
}

/* Checks the values and weights of a discrete spec; returns the number of
 * errors added. */
static int check_discrete(const ty_dist_spec *spec, ty_diag *diag, const ty_pos *pos)
{
    int nerr = 0;
    size_t nw = spec->nweights ? spec->nweights : spec->nvalues;
    if (spec->nvalues == 0 || !spec->values) {
        ERR("discrete: values must not be empty");
        return nerr;
    }
    if (spec->nvalues > TY_DIST_MAX_VALUES)
        ERR("discrete: at most %d values allowed (got %zu)", TY_DIST_MAX_VALUES, spec->nvalues);
    if (spec->weights && nw != spec->nvalues) {
        ERR("discrete: values and weights differ in length (%zu and %zu)", spec->nvalues, nw);
        return nerr;
    }
    for (size_t i = 0; i < spec->nvalues; i++)
        if (!isfinite(spec->values[i]))
            ERR("discrete: values must be finite (value %zu is %g)", i + 1, spec->values[i]);
    if (spec->weights) {
        double total = 0;
        int bad = 0;
        for (size_t i = 0; i < nw; i++) {
            double w = spec->weights[i];
            if (!isfinite(w)) { ERR("discrete: weights must be finite (weight %zu is %g)", i + 1, w); bad = 1; }
            else if (w < 0) { ERR("discrete: weights must be non-negative (weight %zu is %g)", i + 1, w); bad = 1; }
            else total += w;
        }
        if (!bad && !(total > 0)) ERR("discrete: weights must not all be zero");
        else if (!bad && !isfinite(total)) ERR("discrete: the sum of the weights must be finite");
    }
    return nerr;
}

#define PERR(i, ...) do { ty_diag_add(diag, TY_SEV_ERROR, param_pos(spec, i, pos), __VA_ARGS__); nerr++; } while (0)

/* Checks the pairs and bounds of a metalog spec (the fit and its
 * feasibility come after construction); returns the number of errors. */
static int check_metalog(const ty_dist_spec *spec, ty_diag *diag, const ty_pos *pos)
{
    int nerr = 0;
    size_t n = spec->nvalues, np = spec->nweights ? spec->nweights : n;
    const double *x = spec->values, *p = spec->weights;
    int lower = spec->metalog_bounds & TY_DIST_METALOG_LOWER, upper = spec->metalog_bounds & TY_DIST_METALOG_UPPER;
    if (!x || !p) { ERR("metalog: needs quantiles x and probabilities p"); return nerr; }
    if (np != n) { ERR("metalog: x and p differ in length (%zu and %zu)", n, np); return nerr; }
    if (n < TY_DIST_METALOG_MIN || n > TY_DIST_METALOG_MAX) {
        ERR("metalog: needs %d to %d quantile pairs (got %zu)", TY_DIST_METALOG_MIN, TY_DIST_METALOG_MAX, n);
        return nerr;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) ERR("metalog: x must be finite (x %zu is %g)", i + 1, x[i]);
        if (!(p[i] > 0 && p[i] < 1)) ERR("metalog: p must lie strictly between 0 and 1 (p %zu is %g)", i + 1, p[i]);
        else if (i > 0 && !(p[i] > p[i - 1]))
            ERR("metalog: p must be strictly increasing (p %zu = %g after %g)", i + 1, p[i], p[i - 1]);
        if (i > 0 && isfinite(x[i]) && !(x[i] > x[i - 1]))
            ERR("metalog: x must be strictly increasing (x %zu = %g after %g)", i + 1, x[i], x[i - 1]);
    }
    if (nerr) return nerr;
    if (lower && !isfinite(spec->param[0])) PERR(0, "metalog: lower must be finite (got %g)", spec->param[0]);
    if (upper && !isfinite(spec->param[1])) PERR(1, "metalog: upper must be finite (got %g)", spec->param[1]);
    if (nerr) return nerr;
    if (lower && upper && !(spec->param[0] < spec->param[1]))
        PERR(0, "metalog: lower must be < upper (got %g and %g)", spec->param[0], spec->param[1]);
    else if (lower && !(x[0] > spec->param[0]))
        PERR(0, "metalog: every x must be > lower = %g (x 1 is %g)", spec->param[0], x[0]);
    else if (upper && !(x[n - 1] < spec->param[1]))
        PERR(1, "metalog: every x must be < upper = %g (x %zu is %g)", spec->param[1], n, x[n - 1]);
    return nerr;
}

/* Checks the component count and weights of a mixture spec (each
 * component is checked when it is built); returns the number of errors. */
static int check_mixture(const ty_dist_spec *spec, ty_diag *diag, const ty_pos *pos)
{
    int nerr = 0;
    size_t n = spec->ncomponents, nw = spec->nweights ? spec->nweights : n;
    if (n == 0 || !spec->components) { ERR("mixture: needs at least one component"); return nerr; }
    if (n > TY_DIST_MAX_COMPONENTS) {
        ERR("mixture: at most %d components allowed (got %zu)", TY_DIST_MAX_COMPONENTS, n);
        return nerr;
    }
    if (spec->weights && nw != n) {
        ERR("mixture: %zu components but %zu weights", n, nw);
        return nerr;
    }
    if (spec->weights) {
        double total = 0;
        int bad = 0;
        for (size_t i = 0; i < n; i++) {
            double w = spec->weights[i];
            if (!isfinite(w)) { ERR("mixture: weights must be finite (weight %zu is %g)", i + 1, w); bad = 1; }
            else if (w < 0) { ERR("mixture: weights must be non-negative (weight %zu is %g)", i + 1, w); bad = 1; }
            else total += w;
        }
        if (!bad && !(total > 0)) ERR("mixture: weights must not all be zero");
        else if (!bad && !isfinite(total)) ERR("mixture: the sum of the weights must be finite");
    }
    return nerr;
}

/* Levels of mixtures in spec (0 for none). */
static int mixture_depth(const ty_dist_spec *spec)
{
    int m = 0;
    if (spec->kind != TY_DIST_MIXTURE || !spec->components) return 0;
    for (size_t i = 0; i < spec->ncomponents && i < TY_DIST_MAX_COMPONENTS; i++) {
        int k = mixture_depth(&spec->components[i]);
        if (k > m) m = k;
        if (m > TY_DIST_MAX_NEST) break;
    }
    return m + 1;
}

/* Checks the ranges of the (finite) parameters of spec, one rule per kind;
 * returns the number of errors added. */
static int check_params(const ty_dist_spec *spec, ty_diag *diag, const ty_pos *pos)
{
    int nerr = 0;
    const char *name = kind_names[spec->kind];
    const double *P = spec->param;
    switch (spec->kind) {
    case TY_DIST_UNIFORM:
        if (!(P[0] < P[1])) ERR("uniform: min must be < max (got %g and %g)", P[0], P[1]);
        break;
    case TY_DIST_NORMAL:
        if (!(P[1] > 0)) ERR("normal: sd must be > 0 (got %g)", P[1]);
        break;
    case TY_DIST_LOGNORMAL:
        if (!(P[1] > 0)) ERR("lognormal: sigma must be > 0 (got %g)", P[1]);
        break;
    case TY_DIST_CI90:
        if (!(P[0] < P[1])) ERR("ci90: lo must be < hi (got %g and %g)", P[0], P[1]);
        break;
    case TY_DIST_BETA:
        /* above 1e100 the incomplete beta function's continued fraction
         * takes seconds to hours, and the distribution is a point to
         * double precision anyway (its sd is below 1e-50) */
        for (int i = 0; i < 2; i++) {
            if (!(P[i] > 0)) ERR("beta: %s must be > 0 (got %g)", i ? "b" : "a", P[i]);
            else if (P[i] < 1e-300) ERR("beta: %s must be >= 1e-300 (got %g)", i ? "b" : "a", P[i]);
            else if (P[i] > 1e100) ERR("beta: %s must be <= 1e100 (got %g)", i ? "b" : "a", P[i]);
        }
        break;
    case TY_DIST_GAMMA:
        /* 1 / shape must be finite: the samplers and inversions use it */
        if (!(P[0] > 0)) ERR("gamma: shape must be > 0 (got %g)", P[0]);
        else if (P[0] < 1e-300) ERR("gamma: shape must be >= 1e-300 (got %g)", P[0]);
        if (!(P[1] > 0)) ERR("gamma: scale must be > 0 (got %g)", P[1]);
        break;
    case TY_DIST_TRIANGULAR:
    case TY_DIST_PERT:
        if (!(P[0] < P[2])) ERR("%s: min must be < max (got %g and %g)", name, P[0], P[2]);
        else if (!(P[1] >= P[0] && P[1] <= P[2]))
            ERR("%s: mode must be in [min, max] (got %g, not in [%g, %g])", name, P[1], P[0], P[2]);
        break;
    case TY_DIST_BERNOULLI:
        if (!(P[0] >= 0 && P[0] <= 1)) ERR("bernoulli: p must be in [0, 1] (got %g)", P[0]);
        break;
    case TY_DIST_BINOMIAL:
        if (!(P[0] >= 0 && P[0] == floor(P[0]) && P[0] <= 9007199254740992.0))
            ERR("binomial: n must be a non-negative integer (got %g)", P[0]);
        if (!(P[1] >= 0 && P[1] <= 1)) ERR("binomial: p must be in [0, 1] (got %g)", P[1]);
        break;
    case TY_DIST_POISSON:
        if (!(P[0] >= 0)) ERR("poisson: lambda must be >= 0 (got %g)", P[0]);
        else if (P[0] > 1e15) ERR("poisson: lambda must be <= 1e15 (got %g)", P[0]);
        break;
    case TY_DIST_DISCRETE:
        nerr += check_discrete(spec, diag, pos);
        break;
    case TY_DIST_STUDENT_T:
        if (!(P[0] > 0)) PERR(0, "student_t: df must be > 0 (got %g)", P[0]);
        else if (P[0] > TY_DIST_STUDENT_DF_MAX) {
            PERR(0, "student_t: df must be <= %g (got %g)", TY_DIST_STUDENT_DF_MAX, P[0]);
            ty_diag_hint(diag, "above that a t is a normal to within 1e-6: use normal(loc, scale)");
        } else if (P[0] <= 2 && !(spec->has_bounds && isfinite(spec->lo) && isfinite(spec->hi))) {
            PERR(0, "student_t: df = %g gives an infinite %s", P[0], P[0] <= 1 ? "mean and variance" : "variance");
            ty_diag_hint(diag, "a factor's mean and variance must be finite: use df > 2, or truncate it on "
                         "both sides (bounds: [lo, hi] or truncate(student_t(...), lo, hi)); a truncated t "
                         "has finite moments");
        }
        if (!(P[2] > 0)) PERR(2, "student_t: scale must be > 0 (got %g)", P[2]);
        break;
    case TY_DIST_LOGUNIFORM:
        if (!(P[0] > 0)) PERR(0, "loguniform: min must be > 0 (got %g)", P[0]);
        else if (!(P[0] < P[1])) PERR(1, "loguniform: min must be < max (got %g and %g)", P[0], P[1]);
        break;
    case TY_DIST_EXPONENTIAL:
        if (!(P[0] > 0)) PERR(0, "exponential: rate must be > 0 (got %g)", P[0]);
        break;
    case TY_DIST_WEIBULL:
        if (!(P[0] > 0)) PERR(0, "weibull: shape must be > 0 (got %g)", P[0]);
        if (!(P[1] > 0)) PERR(1, "weibull: scale must be > 0 (got %g)", P[1]);
        break;
    case TY_DIST_METALOG:
        nerr += check_metalog(spec, diag, pos);
        break;
    case TY_DIST_MIXTURE:
        nerr += check_mixture(spec, diag, pos);
        if (!nerr && mixture_depth(spec) > TY_DIST_MAX_NEST)
            ERR("mixture: mixtures nest at most %d deep", TY_DIST_MAX_NEST);
        break;
    default:
        break;
    }
    return nerr;
}

/* Checks spec: its parameters are finite, then in range, and its bounds are
 * ordered numbers. Returns the number of errors added. */
static int validate(const ty_dist_spec *spec, ty_diag *diag, const ty_pos *pos)
{
    int nerr = 0;
    const char *name = kind_names[spec->kind];
    const double *P = spec->param;
    int np = kind_nparams[spec->kind];
    int finite = 1;
    for (int i = 0; i < np; i++) {
        if (!isfinite(P[i])) {
            ty_diag_add(diag, TY_SEV_ERROR, spec->kind >= TY_DIST_STUDENT_T ? param_pos(spec, i, pos) : pos,
                        "%s: %s must be finite (got %g)", name, kind_pnames[spec->kind][i], P[i]);
            nerr++;
            finite = 0;
        }
    }
    if (finite) nerr += check_params(spec, diag, pos);
    if (spec->has_bounds) {
        if (isnan(spec->lo) || isnan(spec->hi))
            ERR("%s: bounds must be numbers (got [%g, %g])", name, spec->lo, spec->hi);
        else if (spec->lo > spec->hi)
            ERR("%s: bounds [%g, %g] are reversed", name, spec->lo, spec->hi);
        else if (finite && spec->kind == TY_DIST_CI90)
            for (int i = 0; i < 2; i++)
                if (P[i] < spec->lo || P[i] > spec->hi) {
                    ty_diag_add(diag, TY_SEV_ERROR, param_pos(spec, i, pos), "ci90: the %s "
                                "percentile %s = %g lies outside the bounds [%g, %g]",
                                i ? "95th" : "5th", kind_pnames[spec->kind][i], P[i], spec->lo,
                                spec->hi);
                    ty_diag_hint(diag, "a factor's values stay within its bounds, so its "
                                 "percentiles must lie inside them too");
                    nerr++;
                }
    }
    return nerr;
}

/* ---- representability -------------------------------------------------- */

/* The parameter a distribution that doubles cannot hold is blamed on: the
 * one that makes its spread or location overflow, or its shape degenerate. */
static int blame_param(const ty_dist_spec *spec)
{
    const double *P = spec->param;
    switch (spec->kind) {
    case TY_DIST_NORMAL: return fabs(P[0]) > TY_DIST_MAX_ABS ? 0 : 1;
    case TY_DIST_LOGNORMAL: return P[1] * P[1] > fabs(P[0]) ? 1 : 0;
    case TY_DIST_BETA: case TY_DIST_GAMMA:          /* the farthest from 1 */
        return fabs(log(P[0])) >= fabs(log(P[1])) ? 0 : 1;
    case TY_DIST_CI90:                              /* lognormal: log(hi / lo) */
        if (P[0] > 0) return fabs(log(P[0])) >= fabs(log(P[1])) ? 0 : 1;
        return fabs(P[0]) > fabs(P[1]) ? 0 : 1;
    case TY_DIST_UNIFORM: return fabs(P[0]) > fabs(P[1]) ? 0 : 1;
    case TY_DIST_STUDENT_T: return fabs(P[1]) > TY_DIST_MAX_ABS ? 1 : 2;
    case TY_DIST_LOGUNIFORM: return 1;
    case TY_DIST_WEIBULL: return P[1] > 1e100 ? 1 : 0;
    case TY_DIST_TRIANGULAR: case TY_DIST_PERT: {
        int m = 0;
        for (int i = 1; i < 3; i++) if (fabs(P[i]) > fabs(P[m])) m = i;
        return m;
    }
    default: return 0;
    }
}

/* Checks that d's mean and variance are finite and its quantiles over
 * [1e-12, 1 - 1e-12] are ordered numbers within +-TY_DIST_MAX_ABS (so a
 * block's sums, the histogram ranges and every percentile are finite).
 * Returns 0, or 1 with the error added at the blamed parameter. */
static int check_representable(const ty_dist *d, ty_diag *diag, const ty_pos *pos)
{
    static const double probs[] = {1e-12, 1e-4, 0.05, 0.5, 0.95, 1 - 1e-4, 1 - 1e-12};
    char what[160] = "";
    double prev = -INFINITY;
    for (size_t i = 0; i < sizeof probs / sizeof probs[0] && !what[0]; i++) {
        double q = ty_dist_quantile(d, probs[i]);
        /* ordered up to the quantiles' own rounding (iterative inversions) */
        if (!(fabs(q) <= TY_DIST_MAX_ABS) || !(q >= prev - 1e-9 * fabs(prev)))
            snprintf(what, sizeof what, "its %g%% point is %g", 100 * probs[i], q);
        prev = q;
    }
    if (!what[0] && !isfinite(d->mean)) snprintf(what, sizeof what, "its mean is %g", d->mean);
    if (!what[0] && !isfinite(d->var)) snprintf(what, sizeof what, "its variance is %g", d->var);
    if (!what[0]) return 0;
    const ty_dist_spec *spec = &d->spec;
    int i = blame_param(spec);
    char desc[256];
    ty_dist_describe(d, desc, sizeof desc);
    if (spec->kind == TY_DIST_DISCRETE || ty_dist_nparams(spec->kind) == 0)
        ty_diag_add(diag, TY_SEV_ERROR, pos, "%s: the %s make a distribution that "
                    "doubles cannot represent: %s", kind_names[spec->kind],
                    spec->kind == TY_DIST_MIXTURE ? "components" : "values", what);
    else
        ty_diag_add(diag, TY_SEV_ERROR, param_pos(spec, i, pos), "%s: %s = %g makes a "
                    "distribution that doubles cannot represent: %s", kind_names[spec->kind],
                    kind_pnames[spec->kind][i], spec->param[i], what);
    ty_diag_hint(diag, "%s: a factor's mean and variance must be finite and its values within "
                 "+-1e300; rescale the factor (e.g. thousands rather than units) or narrow "
                 "its parameters", desc);
    return 1;
}

/* ---- construction ---------------------------------------------------- */

/* Records truncation to an interval whose ends have CDF F0, F1 and survival
 * S0, S1: the kept mass is taken from whichever tail keeps precision (the
 * upper one when the interval starts past the median). */
static void set_truncation(ty_dist *d, double F0, double S0, double F1, double S1)
{
    d->truncated = 1;
    d->upper = S0 < 0.5;
    d->cum_lo = d->upper ? S0 : F0;
    d->cum_hi = d->upper ? S1 : F1;
    d->mass = d->upper ? S0 - S1 : F1 - F0;
    d->flo = F0; d->slo = S0; d->fhi = F1; d->shi = S1;
}

/* Applies the bounds [lo, hi] to a built family. Returns TY_OK,
 * TY_ERR_INVALID (with the error added) or TY_ERR_NOMEM. */
static ty_status apply_bounds(ty_dist *d, ty_diag *diag, const ty_pos *pos)
{
    int nerr = 0;
    const char *name = kind_names[d->spec.kind];
    double lo = d->spec.lo, hi = d->spec.hi, blo, bhi;
    dist_base_support(d, &blo, &bhi);
    if (hi < blo || lo > bhi) {
        ERR("%s: bounds [%g, %g] lie outside the support of %s [%g, %g]", name, lo, hi, name, blo, bhi);
        return TY_ERR_INVALID;
    }
    if (lo <= blo && hi >= bhi) return TY_OK;   /* nothing cut off */
    double tl = lo > blo ? lo : blo, th = hi < bhi ? hi : bhi;
    switch (d->family) {
    case FAM_CONSTANT:
        return TY_OK;
    case FAM_UNIFORM:
        if (!(tl < th)) break;
        d->loc = tl; d->scale = th - tl;
        return TY_OK;
    case FAM_BINOMIAL:
    case FAM_POISSON: {
        double kl = ceil(tl), kh = floor(th), sw, m, v;
        if (kl > kh) break;
        size_t n = dist_int_walk(d, kl, kh, NULL, NULL, &sw, &m, &v);
        if (n <= TY_DIST_MAX_VALUES) {
            d->tx = malloc(n * sizeof *d->tx);
            d->tp = malloc(n * sizeof *d->tp);
            if (!d->tx || !d->tp) return TY_ERR_NOMEM;
            dist_int_walk(d, kl, kh, d->tx, d->tp, &sw, &m, &v);
            for (size_t i = 0; i < n; i++) d->tp[i] /= sw;
            d->ntab = n;
            if (dist_table_finish(d) != TY_OK) return TY_ERR_NOMEM;
            d->family = FAM_TABLE; d->sampler = SMP_ALIAS;
            d->lo = d->tx[0]; d->hi = d->tx[n - 1];
            return TY_OK;
        }
        /* too wide for a table: cumulative probabilities at the ends */
        double F0, S0, F1, S1;
        dist_int_cdf(d, kl - 1, &F0, &S0);
        dist_int_cdf(d, kh, &F1, &S1);
        set_truncation(d, F0, S0, F1, S1);
        if (!(d->mass > 0)) break;
        d->lo = kl; d->hi = kh;
        d->mean = m; d->var = v;
        d->reject = d->mass >= REJECT_MIN_MASS;
        if (!d->reject) d->sampler = SMP_INVERT;
        return TY_OK;
    }
    default: {
        if (!(tl < th)) break;
        double F0, S0, F1, S1;
        /* an atom at lo (a discrete mixture component) stays in: P(X < lo) */
        dist_base_cdf(d, d->family == FAM_MIXTURE && dist_has_atoms(d) ? nextafter(tl, -INFINITY) : tl,
                      &F0, &S0);
        dist_base_cdf(d, th, &F1, &S1);
        set_truncation(d, F0, S0, F1, S1);
        if (!(d->mass > 0)) break;
        d->lo = tl; d->hi = th;
        d->reject = d->mass >= REJECT_MIN_MASS;
        if (!d->reject) d->sampler = SMP_INVERT;
        return TY_OK;
    }
    }
    ERR("%s: bounds [%g, %g] hold no probability", name, lo, hi);
    return TY_ERR_INVALID;
}

/* Makes d->spec own its values and weights (discrete), or clears them
 * (every other kind). TY_OK or TY_ERR_NOMEM. */
static ty_status own_spec(ty_dist *d, const ty_dist_spec *spec)
{
    d->spec = *spec;
    d->spec.components = NULL;      /* a mixture's: dist_mixture_build */
    d->spec.component_pos = NULL;
    if (spec->kind != TY_DIST_MIXTURE) d->spec.ncomponents = 0;
    if (spec->kind == TY_DIST_MIXTURE) {
        d->spec.values = NULL;
        d->spec.nvalues = 0;
        d->spec.weights = NULL;
        if (!spec->weights) { d->spec.nweights = 0; return TY_OK; }
        d->own_weights = malloc(spec->ncomponents * sizeof *d->own_weights);
        if (!d->own_weights) return TY_ERR_NOMEM;
        memcpy(d->own_weights, spec->weights, spec->ncomponents * sizeof *d->own_weights);
        d->spec.weights = d->own_weights;
        d->spec.nweights = spec->ncomponents;
        return TY_OK;
    }
    if (spec->kind != TY_DIST_DISCRETE && spec->kind != TY_DIST_METALOG) {
        d->spec.values = d->spec.weights = NULL;
        d->spec.nvalues = d->spec.nweights = 0;
        return TY_OK;
    }
    size_t n = spec->nvalues;
    d->own_values = malloc(n * sizeof *d->own_values);
    if (spec->weights) d->own_weights = malloc(n * sizeof *d->own_weights);
    if (!d->own_values || (spec->weights && !d->own_weights)) return TY_ERR_NOMEM;
    memcpy(d->own_values, spec->values, n * sizeof *d->own_values);
    if (spec->weights) memcpy(d->own_weights, spec->weights, n * sizeof *d->own_weights);
    d->spec.values = d->own_values;
    d->spec.weights = d->own_weights;
    d->spec.nweights = spec->weights ? n : 0;
    return TY_OK;
}

/* Builds the table of a discrete spec within its bounds. Returns TY_OK,
 * TY_ERR_INVALID (the bounds hold nothing; the error added) or
 * TY_ERR_NOMEM. */
static ty_status discrete_table(ty_dist *d, const ty_dist_spec *spec, ty_diag *diag,
                                const ty_pos *pos)
{
    int nerr = 0, empty;
    double lo = spec->has_bounds ? spec->lo : -INFINITY, hi = spec->has_bounds ? spec->hi : INFINITY;
    ty_status st = dist_table_from_values(d, d->own_values, d->own_weights, spec->nvalues, lo, hi, &empty);
    if (st != TY_OK || !empty) return st;
    /* weights were validated, so only the bounds can empty it */
    double vlo = INFINITY, vhi = -INFINITY;
    for (size_t i = 0; i < spec->nvalues; i++) {
        if (spec->values[i] < vlo) vlo = spec->values[i];
        if (spec->values[i] > vhi) vhi = spec->values[i];
    }
    if (hi < vlo || lo > vhi)
        ERR("discrete: bounds [%g, %g] lie outside the support of discrete [%g, %g]", lo, hi, vlo, vhi);
    else
        ERR("discrete: bounds [%g, %g] hold no probability", lo, hi);
    (void)nerr;
    return TY_ERR_INVALID;
}

/* Applies the bounds of a non-discrete spec to the built family and
 * updates support and moments to match. TY_OK, TY_ERR_INVALID (the error
 * added) or TY_ERR_NOMEM. */
static ty_status bound_family(ty_dist *d, ty_diag *diag, const ty_pos *pos)
{
    ty_status st = apply_bounds(d, diag, pos);
    if (st != TY_OK) return st;
    if (d->family == FAM_UNIFORM || d->family == FAM_TABLE) {
        dist_base_support(d, &d->lo, &d->hi);
        dist_base_moments(d, &d->mean, &d->var);
    }
    else if (d->truncated && d->family == FAM_MIXTURE)
        return dist_mixture_truncated_moments(d, &d->mean, &d->var);
    else if (d->truncated && d->family != FAM_BINOMIAL && d->family != FAM_POISSON)
        dist_quad_moments(d, &d->mean, &d->var);
    return TY_OK;
}

ty_status ty_dist_new(const ty_dist_spec *spec, ty_dist **out, ty_diag *diag, const ty_pos *pos)
{
    *out = NULL;
    int nerr = 0;
    if (!spec || (unsigned)spec->kind >= TY_DIST_COUNT) {
        ERR("unknown distribution kind");
        return TY_ERR_INVALID;
    }
    (void)nerr;
    if (validate(spec, diag, pos) > 0) return TY_ERR_INVALID;

    ty_dist *d = calloc(1, sizeof *d);
    if (!d) return TY_ERR_NOMEM;
    ty_status st = own_spec(d, spec);
    if (st != TY_OK) { ty_dist_free(d); return st; }
    dist_family_setup(d);
    if (spec->kind == TY_DIST_METALOG) {
        const char *why;
        double at;
        if (dist_metalog_fit(d, &why, &at)) {
            if (why[0] == 's')
                ty_diag_add(diag, TY_SEV_ERROR, pos, "metalog: the probabilities p give a singular "
                            "system; the quantiles cannot be fitted");
            else if (why[0] == 'h')
                ty_diag_add(diag, TY_SEV_ERROR, pos, "metalog: the open tail is a power law with "
                            "exponent %.3g (>= 0.5): its variance is infinite", at);
            else
                ty_diag_add(diag, TY_SEV_ERROR, pos, "metalog: these quantiles are not a distribution: "
                            "the fitted quantile function decreases near p = %.3g", at);
            if (why[0] == 'h')
                ty_diag_hint(diag, "bring the outermost quantile on the open side closer to the median, "
                             "or give the other bound too");
            else
                ty_diag_hint(diag, "the quantiles are too far apart in the tails for %zu terms; try fewer "
                             "pairs, move the outer quantiles towards the median, spread the p values, or "
                             "give lower/upper bounds", spec->nvalues);
            ty_dist_free(d);
            return TY_ERR_INVALID;
        }
    }
    if (spec->kind == TY_DIST_MIXTURE) {
        st = dist_mixture_build(d, spec, diag, pos);
        if (st != TY_OK) { ty_dist_free(d); return st; }
    }
    if (spec->kind == TY_DIST_DISCRETE) {
        st = discrete_table(d, spec, diag, pos);
        if (st != TY_OK) { ty_dist_free(d); return st; }
    }
    dist_base_support(d, &d->lo, &d->hi);
    dist_base_moments(d, &d->mean, &d->var);
    if (spec->has_bounds && spec->kind != TY_DIST_DISCRETE) {
        st = bound_family(d, diag, pos);
        if (st != TY_OK) { ty_dist_free(d); return st; }
    }
    st = dist_qtab_build(d);
    if (st != TY_OK) { ty_dist_free(d); return st; }
    if (check_representable(d, diag, pos)) { ty_dist_free(d); return TY_ERR_INVALID; }
    *out = d;
    return TY_OK;
}

void ty_dist_free(ty_dist *dist)
{
    if (!dist) return;
    free(dist->own_values);
    free(dist->own_weights);
    free(dist->tx);
    free(dist->tp);
    free(dist->tcum);
    free(dist->tucum);
    free(dist->aprob);
    free(dist->aidx);
    dist_qtab_free(dist->qtab);
    dist_mixture_free(dist);
    free(dist);
}

/* ---- description ------------------------------------------------------ */

int ty_dist_describe(const ty_dist *dist, char *buf, size_t size)
{
    sbuf s = {buf, size, 0};
    if (buf && size) buf[0] = '\0';
    const ty_dist_spec *sp = &dist->spec;
    sbuf_printf(&s, "%s(", kind_names[sp->kind]);
    if (sp->kind == TY_DIST_DISCRETE) {
        sbuf_printf(&s, "values=[");
        for (size_t i = 0; i < sp->nvalues; i++) sbuf_printf(&s, "%s%.15g", i ? ", " : "", sp->values[i]);
        sbuf_printf(&s, "]");
        if (sp->weights) {
            sbuf_printf(&s, ", weights=[");
            for (size_t i = 0; i < sp->nvalues; i++) sbuf_printf(&s, "%s%.15g", i ? ", " : "", sp->weights[i]);
            sbuf_printf(&s, "]");
        }
    } else if (sp->kind == TY_DIST_METALOG) {
        sbuf_printf(&s, "x=[");
        for (size_t i = 0; i < sp->nvalues; i++) sbuf_printf(&s, "%s%.15g", i ? ", " : "", sp->values[i]);
        sbuf_printf(&s, "], p=[");
        for (size_t i = 0; i < sp->nvalues; i++) sbuf_printf(&s, "%s%.15g", i ? ", " : "", sp->weights[i]);
        sbuf_printf(&s, "]");
        if (sp->metalog_bounds & TY_DIST_METALOG_LOWER) sbuf_printf(&s, ", lower=%.15g", sp->param[0]);
        if (sp->metalog_bounds & TY_DIST_METALOG_UPPER) sbuf_printf(&s, ", upper=%.15g", sp->param[1]);
    } else if (sp->kind == TY_DIST_MIXTURE) {
        sbuf_printf(&s, "[");
        for (size_t i = 0; i < dist->ncomp; i++) {
            char sub[512];
            ty_dist_describe(dist->comp[i], sub, sizeof sub);
            sbuf_printf(&s, "%s%s", i ? ", " : "", sub);
        }
        sbuf_printf(&s, "], weights=[");
        for (size_t i = 0; i < dist->ncomp; i++) sbuf_printf(&s, "%s%.6g", i ? ", " : "", dist->w[i]);
        sbuf_printf(&s, "]");
    } else {
        for (int i = 0; i < kind_nparams[sp->kind]; i++)
            sbuf_printf(&s, "%s%s=%.15g", i ? ", " : "", kind_pnames[sp->kind][i], sp->param[i]);
    }
    sbuf_printf(&s, ")");
    if (sp->kind == TY_DIST_CI90)   /* the family it chose: lognormal when lo > 0 */
        sbuf_printf(&s, dist->family == FAM_NORMAL ? " -> normal(mean=%.4g, sd=%.4g)"
                    : " -> lognormal(mu=%.4g, sigma=%.4g)", dist->loc, dist->scale);
    if (sp->has_bounds) sbuf_printf(&s, " in [%.15g, %.15g]", sp->lo, sp->hi);
    return (int)s.len;
}
