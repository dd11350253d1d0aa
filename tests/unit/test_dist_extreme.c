/* test_dist_extreme.c - binomial and poisson quantiles and CDFs at huge
 * parameters (n up to 2^53, the validator's limit; lambda up to 1e15):
 * the returned k satisfies F(k) >= u > F(k-1) under an independent CDF, and
 * a quantile costs microseconds.
 *
 * References, none of which shares code with the engine:
 *  - GSL's gsl_cdf_binomial_P / gsl_cdf_poisson_P where it is accurate (n,
 *    lambda <= 1e6, to 1e-8: its log-beta from lgamma differences loses
 *    about 2e-9 at n = 1e6; checked against the walk below);
 *  - a walk of the pmf in long double by its ratio recurrence from the mode
 *    outwards until the weights fall below 1e-40 of the mode's, summed and
 *    normalised (no lgamma: exact up to the recurrence's rounding, about
 *    1e-19 per step), for standard deviations up to 2e6;
 *  - beyond that (lambda = 1e15, n = 2^53 with p not tiny), where a walk
 *    would take seconds, the continuity-corrected normal approximation with
 *    its skewness term: k within 1 of it (the neglected terms are below
 *    z^3/sd < 1e-3 there).
 * Deterministic: no random numbers. */
#include "dist_check.h"

#include <time.h>

static const double U[] = {1e-12, 1e-6, 0.025, 0.5, 0.975, 1 - 1e-6};
#define NU (sizeof U / sizeof U[0])
#define NMAX 9007199254740992.0   /* dist.c: binomial n <= 2^53 */
#define LMAX 1e15                 /* dist.c: poisson lambda <= 1e15 */

/* pmf(k+1)/pmf(k) and pmf(k-1)/pmf(k) */
static long double up_ratio(int bin, double n, double p, long double k)
{
    return bin ? (n - k) * (long double)p / ((k + 1) * (1 - (long double)p)) : n / (k + 1);
}
static long double down_ratio(int bin, double n, double p, long double k)
{
    return bin ? k * (1 - (long double)p) / ((n - k + 1) * (long double)p) : k / (long double)n;
}

/* F[i] = P(X <= ks[i]) and S[i] = P(X > ks[i]) for ascending ks[0..m), by
 * the long double walk. */
static void walk_cdf(int bin, double n, double p, const double *ks, size_t m, long double *F,
                     long double *S)
{
    double mode = bin ? floor((n + 1) * p) : floor(n);
    if (bin && mode > n) mode = n;
    long double w = 1, k = mode;
    while (k > 0) {             /* down to where the weights vanish */
        long double r = down_ratio(bin, n, p, k);
        if (w * r < 1e-40L) break;
        w *= r;
        k -= 1;
    }
    long double cum = 0;
    size_t i = 0;
    while (i < m && ks[i] < k) F[i++] = 0;
    for (;;) {
        cum += w;
        while (i < m && ks[i] == k) F[i++] = cum;
        if (bin && k >= n) break;
        long double r = up_ratio(bin, n, p, k);
        if (k >= mode && w * r < 1e-40L) break;
        w *= r;
        k += 1;
    }
    for (; i < m; i++) F[i] = cum;
    /* S from the tail above each k, summed from the top for precision */
    long double tail = 0;
    long double wk = w, kk = k;
    for (size_t j = m; j-- > 0;) {
        while (kk > ks[j] && kk >= 0) {
            tail += wk;
            wk *= down_ratio(bin, n, p, kk);
            kk -= 1;
            if (wk == 0) break;
        }
        S[j] = tail / cum;
        F[j] /= cum;
    }
}

static void check_case(int bin, double n, double p)
{
    ty_dist *d = bin ? mk(TY_DIST_BINOMIAL, n, p, 0) : mk(TY_DIST_POISSON, n, 0, 0);
    CHECK(d != NULL);
    if (!d) return;
    double mean = bin ? n * p : n, var = bin ? mean * (1 - p) : mean, sd = sqrt(var);
    double ks[2 * NU], q[NU];
    for (size_t i = 0; i < NU; i++) {
        q[i] = ty_dist_quantile(d, U[i]);
        double blk;
        ty_dist_quantile_block(d, &U[i], &blk, 1);
        CHECK_MSG(blk == q[i], "%s(%g, %g) u=%g: block %.17g, single %.17g", bin ? "binomial" : "poisson",
                  n, p, U[i], blk, q[i]);
        CHECK_MSG(q[i] == floor(q[i]) && q[i] >= 0 && (!bin || q[i] <= n), "k=%.17g", q[i]);
        ks[2 * i] = q[i] - 1;
        ks[2 * i + 1] = q[i];
        /* the engine's own CDF agrees with its quantile */
        double c1 = ty_dist_cdf(d, q[i]), c0 = ty_dist_cdf(d, q[i] - 1);
        CHECK_MSG(c1 >= U[i] * (1 - 1e-12) && c0 < U[i] * (1 + 1e-12) + 1e-300,
                  "%s(%g, %g) u=%g k=%.17g: engine cdf %.17g, %.17g", bin ? "binomial" : "poisson", n, p,
                  U[i], q[i], c0, c1);
    }
    if (sd <= 2e6) {
        long double F[2 * NU], S[2 * NU];
        double kss[2 * NU];
        size_t idx[2 * NU];
        for (size_t i = 0; i < 2 * NU; i++) idx[i] = i;
        for (size_t i = 0; i < 2 * NU; i++)   /* sort indices by k */
            for (size_t j = i + 1; j < 2 * NU; j++)
                if (ks[idx[j]] < ks[idx[i]]) { size_t t = idx[i]; idx[i] = idx[j]; idx[j] = t; }
        for (size_t i = 0; i < 2 * NU; i++) kss[i] = ks[idx[i]];
        long double Fs[2 * NU], Ss[2 * NU];
        walk_cdf(bin, n, p, kss, 2 * NU, Fs, Ss);
        for (size_t i = 0; i < 2 * NU; i++) { F[idx[i]] = Fs[i]; S[idx[i]] = Ss[i]; }
        for (size_t i = 0; i < NU; i++) {
            /* F(k) >= u > F(k-1), in upper terms above the median; a slack
             * of 1e-10 relative, far below pmf(k)/F(k) at every case */
            long double u = U[i], ub = 1 - (long double)U[i];
            int ok = U[i] <= 0.5 ? (F[2 * i + 1] >= u * (1 - 1e-10L) && F[2 * i] < u * (1 + 1e-10L))
                                 : (S[2 * i + 1] <= ub * (1 + 1e-10L) && S[2 * i] > ub * (1 - 1e-10L));
            CHECK_MSG(ok, "%s(%.17g, %g) u=%g: k=%.17g, F(k-1)=%.17Lg F(k)=%.17Lg S(k-1)=%.17Lg S(k)=%.17Lg",
                      bin ? "binomial" : "poisson", n, p, U[i], q[i], F[2 * i], F[2 * i + 1], S[2 * i],
                      S[2 * i + 1]);
            /* the engine's CDF against the walk: 1e-12 relative in the body,
             * 1e-10 on the smaller tail beyond */
            double c = ty_dist_cdf(d, q[i]);
            double cs = 1 - c;
            if (F[2 * i + 1] > 1e-3 && S[2 * i + 1] > 1e-3)
                CHECK_MSG(fabsl(c - F[2 * i + 1]) <= 1e-12L * F[2 * i + 1], "%s(%.17g, %g) u=%g: cdf %.17g vs %.17Lg", bin ? "binomial" : "poisson", n, p, U[i], c,
                          F[2 * i + 1]);
            else if (F[2 * i + 1] <= 0.5)
                CHECK_MSG(fabsl(c - F[2 * i + 1]) <= 1e-10L * F[2 * i + 1], "%s(%.17g, %g) u=%g: cdf %.17g vs %.17Lg", bin ? "binomial" : "poisson", n, p, U[i], c,
                          F[2 * i + 1]);
            else
                CHECK_MSG(fabsl(cs - S[2 * i + 1]) <= 1e-10L * S[2 * i + 1] + 1e-16L, "%s(%.17g, %g) u=%g: sf %.17g vs %.17Lg",
                          bin ? "binomial" : "poisson", n, p, U[i], cs, S[2 * i + 1]);
            /* GSL where it is accurate */
            if (n <= 1e6 && (bin ? q[i] < 4294967295.0 : 1)) {
                double g1 = bin ? gsl_cdf_binomial_P((unsigned)q[i], p, (unsigned)n)
                                : gsl_cdf_poisson_P((unsigned)q[i], n);
                double g0 = q[i] < 1 ? 0
                          : bin ? gsl_cdf_binomial_P((unsigned)(q[i] - 1), p, (unsigned)n)
                                : gsl_cdf_poisson_P((unsigned)(q[i] - 1), n);
                CHECK_MSG(fabsl(g1 - F[2 * i + 1]) <= 1e-8L * F[2 * i + 1], "%s(%.17g, %g) u=%g: gsl %.17g walk %.17Lg", bin ? "binomial" : "poisson", n, p, U[i], g1,
                          F[2 * i + 1]);
                if (U[i] <= 0.5) CHECK_MSG(g1 >= U[i] && g0 < U[i], "gsl: %.17g %.17g", g0, g1);
            }
        }
    } else {
        for (size_t i = 0; i < NU; i++) {
            double z = gsl_cdf_ugaussian_Pinv(U[i]);
            double g1 = bin ? (1 - 2 * p) / sd : 1 / sd;
            double kn = ceil(mean + sd * (z + g1 * (z * z - 1) / 6) - 0.5);
            CHECK_MSG(fabs(q[i] - kn) <= 1, "%s(%.17g, %g) u=%g: k=%.17g, normal+skew %.17g",
                      bin ? "binomial" : "poisson", n, p, U[i], q[i], kn);
        }
    }
    ty_dist_free(d);
}

static void test_binomial_extreme(void)
{
    const double ns[] = {1e6, 1e9, 1e12, NMAX}, ps[] = {1e-9, 0.3, 0.5, 0.999};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) check_case(1, ns[i], ps[j]);
}

static void test_poisson_extreme(void)
{
    const double ls[] = {1e3, 1e6, 1e9, 1e12, LMAX};
    for (size_t i = 0; i < 5; i++) check_case(0, ls[i], 0);
}

/* 1000 quantiles at lambda = 1e12 and at binomial(1e12, 0.3) each well
 * under a second (a safety limit, not a benchmark: a few microseconds each
 * here, milliseconds each before Temme's expansion). */
static void test_cost(void)
{
    ty_dist *ds[2] = {mk(TY_DIST_POISSON, 1e12, 0, 0), mk(TY_DIST_BINOMIAL, 1e12, 0.3, 0)};
    for (int c = 0; c < 2; c++) {
        CHECK(ds[c] != NULL);
        if (!ds[c]) continue;
        struct timespec t0, t1;
        double s = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < 1000; i++) s += ty_dist_quantile(ds[c], (i + 0.5) / 1000);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double dt = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        CHECK_MSG(dt < 0.2, "1000 quantiles took %.3f s", dt);
        CHECK(s > 0);
        ty_dist_free(ds[c]);
    }
}

TEST_MAIN(test_binomial_extreme, test_poisson_extreme, test_cost)
