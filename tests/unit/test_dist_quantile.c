/* test_dist_quantile.c - ty_dist_quantile_block, the fast quantile (an
 * inverse-CDF table for beta, pert and gamma, closed forms for the rest),
 * against the exact scalar ty_dist_quantile for every continuous kind,
 * several parameter sets each, truncated too: at 1e5 points uniform in u
 * and 2 x 1000 points spread in log u over 1e-12 .. 1e-3 at both ends.
 *
 * Checked: the relative error of every value below QTOL (the table reaches
 * about 3e-11 at worst, 1e-13 typically); monotone in u; CDF(Q(u)) ~ u
 * within 1e-7 of min(u, 1-u);
 * exact support ends at u = 0 and 1, NaN outside [0, 1]. What it catches:
 * a wrong node, slope or interpolation formula, a table reaching past its
 * valid range, a wrong half or tail coordinate, a lost truncation.
 *
 * Integer families (bernoulli, binomial, poisson) search a table of the
 * exact cumulative probabilities: equal to the exact quantile, checked
 * exactly, at and around every jump too.
 *
 * False-failure rate: 0 (no randomness; every point is fixed). */
#include "dist_check.h"

#include <float.h>

#define NU 100000
#define NT 1000
#define QTOL 1e-9

typedef struct qcase {
    const char *what;
    ty_dist_kind kind;
    double p0, p1, p2;
    int trunc;
    double lo, hi;
} qcase;

static const qcase qcases[] = {
    {"uniform(-1,3)", TY_DIST_UNIFORM, -1, 3, 0, 0, 0, 0},
    {"normal(5,2)", TY_DIST_NORMAL, 5, 2, 0, 0, 0, 0},
    {"lognormal(1,0.7)", TY_DIST_LOGNORMAL, 1, 0.7, 0, 0, 0, 0},
    {"ci90(50,200)", TY_DIST_CI90, 50, 200, 0, 0, 0, 0},
    {"ci90(-5,20)", TY_DIST_CI90, -5, 20, 0, 0, 0, 0},
    {"triangular(0,3,10)", TY_DIST_TRIANGULAR, 0, 3, 10, 0, 0, 0},
    {"beta(2,3)", TY_DIST_BETA, 2, 3, 0, 0, 0, 0},
    {"beta(6,4)", TY_DIST_BETA, 6, 4, 0, 0, 0, 0},
    {"beta(0.5,0.5)", TY_DIST_BETA, 0.5, 0.5, 0, 0, 0, 0},
    {"beta(0.1,0.2)", TY_DIST_BETA, 0.1, 0.2, 0, 0, 0, 0},
    {"beta(0.5,50)", TY_DIST_BETA, 0.5, 50, 0, 0, 0, 0},
    {"beta(200,30)", TY_DIST_BETA, 200, 30, 0, 0, 0, 0},
    {"beta(1,1)", TY_DIST_BETA, 1, 1, 0, 0, 0, 0},
    {"beta(1e4,1e4)", TY_DIST_BETA, 1e4, 1e4, 0, 0, 0, 0},
    {"pert(250,500,1300)", TY_DIST_PERT, 250, 500, 1300, 0, 0, 0},
    {"pert(0.3,0.7,0.95)", TY_DIST_PERT, 0.3, 0.7, 0.95, 0, 0, 0},
    {"pert(0,0,1)", TY_DIST_PERT, 0, 0, 1, 0, 0, 0},
    {"pert(-10,0,5)", TY_DIST_PERT, -10, 0, 5, 0, 0, 0},
    {"gamma(2,1)", TY_DIST_GAMMA, 2, 1, 0, 0, 0, 0},
    {"gamma(0.05,1)", TY_DIST_GAMMA, 0.05, 1, 0, 0, 0, 0},
    {"gamma(0.5,3)", TY_DIST_GAMMA, 0.5, 3, 0, 0, 0, 0},
    {"gamma(500,1)", TY_DIST_GAMMA, 500, 1, 0, 0, 0, 0},
    {"gamma(1e6,2)", TY_DIST_GAMMA, 1e6, 2, 0, 0, 0, 0},
    {"normal(0,1)[5,6]", TY_DIST_NORMAL, 0, 1, 0, 1, 5, 6},
    {"gamma(2,1)[1,3]", TY_DIST_GAMMA, 2, 1, 0, 1, 1, 3},
    {"gamma(2,1)[5,inf]", TY_DIST_GAMMA, 2, 1, 0, 1, 5, INFINITY},
    {"gamma(2,1)[30,40]", TY_DIST_GAMMA, 2, 1, 0, 1, 30, 40},
    {"gamma(0.5,1)[-inf,0.01]", TY_DIST_GAMMA, 0.5, 1, 0, 1, -INFINITY, 0.01},
    {"beta(2,5)[0.5,0.8]", TY_DIST_BETA, 2, 5, 0, 1, 0.5, 0.8},
    {"beta(2,5)[0.01,0.2]", TY_DIST_BETA, 2, 5, 0, 1, 0.01, 0.2},
    {"beta(2,5)[0.1,1]", TY_DIST_BETA, 2, 5, 0, 1, 0.1, 1},
    {"pert(0,3,10)[2,4]", TY_DIST_PERT, 0, 3, 10, 1, 2, 4},
    {"pert(250,500,1300)[300,1000]", TY_DIST_PERT, 250, 500, 1300, 1, 300, 1000},
};

/* u in increasing order: the lower tail, the body, the upper tail. */
static double *grid(size_t *n)
{
    double *u = malloc((NU + 2 * NT) * sizeof *u);
    size_t m = 0;
    for (int i = 0; i < NT; i++) u[m++] = pow(10, -12 + 9.0 * i / (NT - 1));
    for (int i = 0; i < NU; i++) u[m++] = (i + 0.5) / NU;
    for (int i = NT - 1; i >= 0; i--) u[m++] = 1 - pow(10, -12 + 9.0 * i / (NT - 1));
    qsort(u, m, sizeof *u, cmp_dbl);
    *n = m;
    return u;
}

/* Scale of the error at x: |x|, or where the support straddles 0 (pert(-10,
 * 0, 5)) the distance to the nearer end when that is larger, since near
 * x = 0 no quantile keeps relative digits. */
static double err_scale(double x, double lo, double hi)
{
    double s = fabs(x);
    if (lo < 0 && hi > 0) {
        double g = fmin(x - lo, hi - x);
        if (g > s) s = g;
    }
    return s;
}

static void check_case(const qcase *c)
{
    ty_dist *d = c->trunc ? mkb(c->kind, c->p0, c->p1, c->p2, c->lo, c->hi)
                          : mk(c->kind, c->p0, c->p1, c->p2);
    CHECK_MSG(d != NULL, "%s: not built", c->what);
    if (!d) return;
    size_t n;
    double *u = grid(&n), *q = malloc(n * sizeof *q);
    ty_dist_quantile_block(d, u, q, n);
    double lo, hi;
    ty_dist_support(d, &lo, &hi);
    double emax = 0, umax = 0, rmax = 0, urmax = 0;
    int mono = 1;
    for (size_t i = 0; i < n; i++) {
        double x = ty_dist_quantile(d, u[i]);
        double e = fabs(q[i] - x) / err_scale(x, lo, hi);
        if (x == 0) e = fabs(q[i]);
        if (!(e <= emax)) { emax = e; umax = u[i]; }
        /* monotone, up to 1e-13 relative: where the table hands over to the
         * exact quantile (x within 1e-8 relative of an end of the support),
         * that one wobbles by some 1e-14 (its Newton stops at 1e-15 in log
         * x, a truncation adds the rounding of F(lo) + u mass) */
        if (i > 0 && q[i] < q[i - 1] - 1e-13 * fabs(q[i])) {
            if (mono) fprintf(stderr, "%s: Q(%.17g) = %.17g < Q(%.17g) = %.17g (exact %.17g)\n", c->what, u[i], q[i], u[i - 1], q[i - 1], x);
            mono = 0;
        }
        /* round trip (every 7th point): CDF(Q(u)) ~ u within 1e-7 of the
         * tail probability, or as close as the exact quantile gets where x
         * has run out of digits (x within an ulp or so of an end) */
        if (i % 7 == 0) {
            double F = ty_dist_cdf(d, q[i]), t = fmin(u[i], 1 - u[i]);
            double lim = 1e-7 * t + 4 * fabs(ty_dist_cdf(d, x) - u[i]) + 1e-14;
            double r = fabs(F - u[i]) / lim;
            if (!(r <= rmax)) { rmax = r; urmax = u[i]; }
        }
    }
    CHECK_MSG(emax <= QTOL, "%s: block quantile off by %.3g (relative) at u = %.17g", c->what,
              emax, umax);
    CHECK_MSG(mono, "%s: block quantile not monotone", c->what);
    CHECK_MSG(rmax <= 1, "%s: CDF(Q(u)) - u = %.3g x its bound at u = %.17g",
              c->what, rmax, urmax);
    for (size_t i = 0; i < n; i++) CHECK(q[i] >= lo && q[i] <= hi);
    /* the ends of the support exactly; NaN outside [0, 1] */
    double ue[5] = {0, 1, -0.5, 1.5, NAN}, qe[5];
    ty_dist_quantile_block(d, ue, qe, 5);
    CHECK_MSG(qe[0] == lo && qe[1] == hi, "%s: Q(0) = %g, Q(1) = %g, support [%g, %g]", c->what,
              qe[0], qe[1], lo, hi);
    CHECK(isnan(qe[2]) && isnan(qe[3]) && isnan(qe[4]));
    free(u);
    free(q);
    ty_dist_free(d);
}

static void test_block_vs_exact(void)
{
    for (size_t k = 0; k < sizeof qcases / sizeof qcases[0]; k++) check_case(&qcases[k]);
}

/* Dense points straddling the places where the table changes interval,
 * half or falls back: every double in a few ulps around u = 1/2, and the
 * grid 1e-6 apart across the whole body, stay monotone. */
static void test_monotone_dense(void)
{
    ty_dist *d = mk(TY_DIST_BETA, 2, 3, 0);
    double u[41], q[41];
    double m = 0.5;
    for (int i = 0; i < 20; i++) m = nextafter(m, 0);
    for (int i = 0; i < 41; i++) { u[i] = m; m = nextafter(m, 1); }
    ty_dist_quantile_block(d, u, q, 41);
    for (int i = 1; i < 41; i++) CHECK(q[i] >= q[i - 1] - 2 * DBL_EPSILON * q[i]);
    size_t n = 1000000;
    double *uu = malloc(n * sizeof *uu), *qq = malloc(n * sizeof *qq);
    for (size_t i = 0; i < n; i++) uu[i] = (i + 0.5) / n;
    ty_dist_quantile_block(d, uu, qq, n);
    int mono = 1;
    for (size_t i = 1; i < n; i++) mono &= qq[i] > qq[i - 1];
    CHECK(mono);
    free(uu);
    free(qq);
    ty_dist_free(d);
}

/* Integer families (bernoulli, binomial, poisson): the block quantile
 * searches a table of the exact F(k), S(k), so it must equal the exact
 * quantile everywhere: on the grid, and at each F(k) and its neighbouring
 * doubles, where the answer changes. */
static void test_integer_exact(void)
{
    static const struct { ty_dist_kind kind; double p0, p1; } ic[] = {
        {TY_DIST_BERNOULLI, 0.8, 0}, {TY_DIST_BERNOULLI, 0.3, 0}, {TY_DIST_BINOMIAL, 20, 0.3},
        {TY_DIST_BINOMIAL, 1000, 0.4}, {TY_DIST_POISSON, 3, 0}, {TY_DIST_POISSON, 100, 0},
        {TY_DIST_POISSON, 1e5, 0},
    };
    for (size_t c = 0; c < sizeof ic / sizeof ic[0]; c++) {
        ty_dist *d = mk(ic[c].kind, ic[c].p0, ic[c].p1, 0);
        CHECK(d != NULL);
        if (!d) continue;
        size_t n, m = 0;
        double *g = grid(&n);
        double *u = malloc((n + 3 * 400) * sizeof *u);
        for (size_t i = 0; i < n; i++) u[m++] = g[i];
        double k0 = ty_dist_quantile(d, 1e-6), k1 = ty_dist_quantile(d, 1 - 1e-6);
        for (double k = k0; k <= k1 && m + 3 <= n + 3 * 400; k += fmax(1, floor((k1 - k0) / 399))) {
            double F = ty_dist_cdf(d, k);
            if (!(F > 0 && F < 1)) continue;
            u[m++] = nextafter(F, 0);
            u[m++] = F;
            u[m++] = nextafter(F, 1);
        }
        double *q = malloc(m * sizeof *q);
        ty_dist_quantile_block(d, u, q, m);
        size_t bad = 0;
        for (size_t i = 0; i < m; i++) {
            double x = ty_dist_quantile(d, u[i]);
            if (q[i] != x) {
                if (!bad) fprintf(stderr, "case %zu: Q(%.17g) = %g, exact %g\n", c, u[i], q[i], x);
                bad++;
            }
        }
        CHECK_MSG(bad == 0, "integer case %zu: %zu values differ from the exact quantile", c, bad);
        double ue[5] = {0, 1, -0.5, 1.5, NAN}, qe[5], lo, hi;
        ty_dist_support(d, &lo, &hi);
        ty_dist_quantile_block(d, ue, qe, 5);
        CHECK(qe[0] == lo && qe[1] == hi && isnan(qe[2]) && isnan(qe[3]) && isnan(qe[4]));
        free(g);
        free(u);
        free(q);
        ty_dist_free(d);
    }
}

TEST_MAIN(test_block_vs_exact, test_monotone_dense, test_integer_exact)
