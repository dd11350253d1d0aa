/* specfun.c - special functions behind the dist module's CDFs, quantiles
 * and moments: normal CDF/quantile, incomplete gamma and beta functions
 * and their inverses. No state; every function is reentrant. */
#include "specfun.h"

#include <float.h>
#include <math.h>

#define SF_TINY 1e-300
#define SF_EPS 3e-16   /* above one ulp of 1, so |del - 1| < SF_EPS can be met */
#define SF_MAXIT 200000

double sf_lgamma(double x)
{
    int sign;
    return lgamma_r(x, &sign);
}

double sf_norm_cdf(double x) { return 0.5 * erfc(-x * M_SQRT1_2); }
double sf_norm_sf(double x) { return 0.5 * erfc(x * M_SQRT1_2); }

/* Wichura's PPND16 (AS 241, p. 481): three rational approximations, for
 * the centre |p - 0.5| <= 0.425, r = sqrt(-log min(p, 1-p)) <= 5 and the
 * far tail. */
double sf_norm_quantile(double p)
{
    if (!(p >= 0.0 && p <= 1.0)) return NAN;
    if (p == 0.0) return -INFINITY;
    if (p == 1.0) return INFINITY;
    double q = p - 0.5, r, val;
    if (fabs(q) <= 0.425) {
        r = 0.180625 - q * q;
        return q * (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r
                         + 6.7265770927008700853e+4) * r + 4.5921953931549871457e+4) * r
                       + 1.3731693765509461125e+4) * r + 1.9715909503065514427e+3) * r
                     + 1.3314166789178437745e+2) * r + 3.3871328727963666080e+0)
               / (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r
                       + 3.9307895800092710610e+4) * r + 2.1213794301586595867e+4) * r
                     + 5.3941960214247511077e+3) * r + 6.8718700749205790830e+2) * r
                   + 4.2313330701600911252e+1) * r + 1.0);
    }
    r = q < 0 ? p : 1.0 - p;
    r = sqrt(-log(r));
    if (r <= 5.0) {
        r -= 1.6;
        val = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r
                    + 2.41780725177450611770e-1) * r + 1.27045825245236838258e+0) * r
                  + 3.64784832476320460504e+0) * r + 5.76949722146069140550e+0) * r
                + 4.63033784615654529590e+0) * r + 1.42343711074968357734e+0)
            / (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r
                    + 1.51986665636164571966e-2) * r + 1.48103976427480074590e-1) * r
                  + 6.89767334985100004550e-1) * r + 1.67638483018380384940e+0) * r
                + 2.05319162663775882187e+0) * r + 1.0);
    } else {
        r -= 5.0;
        val = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
                    + 1.24266094738807843860e-3) * r + 2.65321895265761230930e-2) * r
                  + 2.96560571828504891230e-1) * r + 1.78482653991729133580e+0) * r
                + 5.46378491116411436990e+0) * r + 6.65790464350110377720e+0)
            / (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r
                    + 1.84631831751005468180e-5) * r + 7.86869131145613259100e-4) * r
                  + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r
                + 5.99832206555887937690e-1) * r + 1.0);
    }
    return q < 0 ? -val : val;
}

/* Stirling's remainder lgamma(a) - ((a-0.5) log a - a + log(2 pi)/2),
 * by its asymptotic series for large a (where the direct difference would
 * cancel) and directly otherwise. */
static double stirling_err(double a)
{
    if (a >= 15.0) {
        double a2 = a * a;
        return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * a2)) / a2) / a2) / a;
    }
    return sf_lgamma(a) - ((a - 0.5) * log(a) - a + 0.91893853320467274178);
}

/* log(x^a e^-x / Gamma(a)), written as a(log1p(t) - t) + log(a/2pi)/2 -
 * stirling_err(a) with t = x/a - 1 near x = a, which keeps its accuracy
 * for large a where a log x - x - lgamma(a) would lose digits to
 * cancellation; a(log x - log a) + a - x stands for a(log1p(t) - t) away
 * from x = a, where log1p(t) would lose x itself. */
static double gamma_log_prefactor(double a, double x)
{
    double t = (x - a) / a;
    double core = fabs(t) < 0.5 ? a * (log1p(t) - t) : a * (log(x) - log(a)) + (a - x);
    return core + 0.5 * log(a / (2 * M_PI)) - stirling_err(a);
}

/* log1p(s) - s for s > -1, accurate in relative terms near s = 0 where
 * the difference cancels: with u = s/(2+s), log1p(s) = 2 atanh(u), so
 * log1p(s) - s = -s^2/(2+s) + 2(u^3/3 + u^5/5 + ...), two terms of
 * ratio about s/6 (no cancellation) and a fast series (u^2 <= 0.021). */
static double log1pmx(double s)
{
    if (fabs(s) >= 0.25) return log1p(s) - s;
    double u = s / (2.0 + s), u2 = u * u, t = 0;
    for (int k = 21; k >= 3; k -= 2) t = t * u2 + 1.0 / k;
    return 2.0 * u * u2 * t - s * s / (2.0 + s);
}

/* ---- Temme's uniform asymptotic expansion -----------------------------
 *
 * Both incomplete functions are integrals of exp(R phi) over a peak of
 * width 1/sqrt(R). With the variable zeta of Temme (SIAM J. Math. Anal.
 * 10, 1979, and "Incomplete Laplace integrals", Math. Comp. 1987):
 *
 *   zeta^2 / 2 = -(log1pmx(w) + log1pmx(-tau w) / tau),  sign(zeta) = sign(w),
 *
 * where w is the distance from the peak in units of its position (gamma:
 * w = x/a - 1, tau = 0, whose limit is log1pmx(w) + ... = log1p(w) - w;
 * beta I_x(a, b), a <= b: w = (x (a+b) - a)/a, tau = a/b), the integral
 * becomes int exp(-R zeta^2/2) G(zeta) dzeta with G = zeta/w(zeta), R = a.
 * Repeated integration by parts, G_k = G_k(0) + zeta H_k(zeta), G_{k+1} =
 * H_k', gives
 *
 *   lower = erfc(-zeta sqrt(R/2))/2 - exp(-R zeta^2/2)/sqrt(2 pi R)
 *           * c * sum_k H_k(zeta) / R^k,   upper = 1 - lower,
 *
 * where the erfc term's normalisation is exactly 1 (the whole integral is
 * 1) and c = K sqrt(2 pi / R) with the integral's exact constant K:
 * exp(-stirling_err(a)) for gamma, exp(-(se(a) + se(b) - se(a+b)))/G(0)
 * for beta. H_0 is Temme's C_0 (gamma: 1/(lambda-1) - 1/eta); the series
 * is truncated after H_3, an error of O(R^-4.5) relative.
 *
 * H_k are evaluated from the Taylor series of G in zeta, got by Lagrange
 * inversion: zeta = w B(w) with B = sqrt(A), A(w) = 2 sum_j ((-1)^j +
 * tau^(j+1)) w^j/(j+2), and [zeta^n] G = (1/n) [w^(n-1)] B'(w) B(w)^-n.
 * The series converges for |zeta| up to about 2 sqrt(pi) (the next sheet
 * of the logarithm); it is used for |zeta| <= TM_ZMAX, where 19 terms
 * leave under 1e-17. Outside that (the far tails, where the series or
 * continued fraction converges in a few dozen terms) and for R < TM_RMIN
 * (where they converge in a few hundred) the classical methods remain. */
#define TM_N 19          /* Taylor coefficients of G: degree 0..18 */
#define TM_RMIN 500.0
#define TM_ZMAX 0.35

static void temme_coefs(double tau, double *g)
{
    double A[TM_N + 1], B[TM_N + 1], Bi[TM_N], P[TM_N], Q[TM_N];
    double tp = tau;
    for (int j = 0; j <= TM_N; j++) {
        A[j] = 2.0 * ((j % 2 ? -1.0 : 1.0) + tp) / (j + 2);
        tp *= tau;
    }
    B[0] = sqrt(A[0]);
    for (int j = 1; j <= TM_N; j++) {
        double s = A[j];
        for (int i = 1; i < j; i++) s -= B[i] * B[j - i];
        B[j] = s / (2.0 * B[0]);
    }
    Bi[0] = 1.0 / B[0];
    for (int j = 1; j < TM_N; j++) {
        double s = 0;
        for (int i = 1; i <= j; i++) s += B[i] * Bi[j - i];
        Bi[j] = -s * Bi[0];
    }
    g[0] = B[0];
    for (int j = 0; j < TM_N; j++) P[j] = Bi[j];   /* P = B^-n, n = 1 */
    for (int n = 1; n < TM_N; n++) {
        if (n > 1) {   /* P *= Bi */
            for (int j = 0; j < TM_N; j++) {
                double s = 0;
                for (int i = 0; i <= j; i++) s += P[i] * Bi[j - i];
                Q[j] = s;
            }
            for (int j = 0; j < TM_N; j++) P[j] = Q[j];
        }
        double s = 0;
        for (int i = 0; i < n; i++) s += (i + 1) * B[i + 1] * P[n - 1 - i];
        g[n] = s / n;
    }
}

/* sum_k H_k(zeta) R^-k, k = 0..3, from the Taylor coefficients g of G. */
static double temme_sum(const double *g, double zeta, double R)
{
    double c[TM_N], total = 0, scale = 1;
    int m = TM_N;
    for (int j = 0; j < m; j++) c[j] = g[j];
    for (int k = 0; k < 4; k++) {
        double h = 0;   /* H_k = sum_j c[j+1] zeta^j */
        for (int j = m - 1; j >= 1; j--) h = h * zeta + c[j];
        total += scale * h;
        scale /= R;
        for (int j = 0; j + 2 < m; j++) c[j] = (j + 1) * c[j + 2];   /* G_{k+1} = H_k' */
        m -= 2;
    }
    return total;
}

/* lower/upper from E = R zeta^2 / 2, the sign of zeta, R, tau, and c/G(0)
 * folded into pre. Returns 0 (nothing set) outside the expansion's range. */
static int temme(double E, int neg, double R, double tau, double pre, double *lower, double *upper)
{
    double zeta = sqrt(2.0 * E / R);
    if (!(R >= TM_RMIN && zeta <= TM_ZMAX)) return 0;
    if (neg) zeta = -zeta;
    double g[TM_N];
    temme_coefs(tau, g);
    double z = neg ? -sqrt(E) : sqrt(E);
    double corr = exp(-E) / sqrt(2.0 * M_PI * R) * pre * temme_sum(g, zeta, R);
    *lower = 0.5 * erfc(-z) - corr;
    *upper = 0.5 * erfc(z) + corr;
    return 1;
}

/* Large a near the peak: Temme's expansion. Otherwise P by its power
 * series (Numerical Recipes 3rd ed. 6.2.5) for x < a + 1, Q by Legendre's
 * continued fraction (NR 6.2.7, modified Lentz). */
void sf_gamma_inc(double a, double x, double *p, double *q)
{
    if (!(x > 0)) { *p = 0; *q = 1; return; }
    if (isinf(x)) { *p = 1; *q = 0; return; }
    if (a >= TM_RMIN) {
        double w = (x - a) / a;
        double E = -a * log1pmx(w);
        if (temme(E, w < 0, a, 0.0, exp(-stirling_err(a)), p, q)) return;
    }
    double lpre = gamma_log_prefactor(a, x);
    if (x < a + 1.0) {
        double ap = a, del = 1.0 / a, sum = del;
        for (int n = 0; n < SF_MAXIT; n++) {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if (fabs(del) < fabs(sum) * SF_EPS) break;
        }
        *p = sum * exp(lpre);
        if (*p > 1) *p = 1;
        *q = 1.0 - *p;
    } else {
        double b = x + 1.0 - a, c = 1.0 / SF_TINY, d = 1.0 / b, h = d;
        for (int i = 1; i < SF_MAXIT; i++) {
            double an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if (fabs(d) < SF_TINY) d = SF_TINY;
            c = b + an / c;
            if (fabs(c) < SF_TINY) c = SF_TINY;
            d = 1.0 / d;
            double del = d * c;
            h *= del;
            if (fabs(del - 1.0) < SF_EPS) break;
        }
        *q = exp(lpre) * h;
        if (*q > 1) *q = 1;
        *p = 1.0 - *q;
    }
}

/* Continued fraction of the incomplete beta function (NR 3rd ed. 6.4.5,
 * modified Lentz); xc = 1 - x, given exactly by the caller. */
static double beta_cf(double a, double b, double x, double xc)
{
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    /* 1 - qab x / qap, from the complement xc = 1 - x when x is near 1: a
     * double 1 - x keeps a small x only to an absolute 1e-16, a relative
     * 1e-7 of x = 1e-9 (binomial(1e12, 1e-9) by I_{1-p}(n-k, k+1)). */
    double c = 1.0, d = x <= xc ? 1.0 - qab * x / qap : ((1.0 - b) + qab * xc) / qap;
    if (fabs(d) < SF_TINY) d = SF_TINY;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m < SF_MAXIT; m++) {
        double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < SF_TINY) d = SF_TINY;
        c = 1.0 + aa / c;
        if (fabs(c) < SF_TINY) c = SF_TINY;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < SF_TINY) d = SF_TINY;
        c = 1.0 + aa / c;
        if (fabs(c) < SF_TINY) c = SF_TINY;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < SF_EPS) break;
    }
    return h;
}

static double log_beta(double a, double b)
{
    return sf_lgamma(a) + sf_lgamma(b) - sf_lgamma(a + b);
}

/* a + b = hi + lo exactly (Knuth's two-sum). */
static void two_sum(double a, double b, double *hi, double *lo)
{
    double s = a + b, bb = s - a;
    *hi = s;
    *lo = (a - (s - bb)) + (b - bb);
}

/* I_x(a, b) by Temme's expansion when min(a, b) is large and x near the
 * peak; 0 when it does not apply. The peak's offset S = x (a+b) - a is
 * formed in double-double: a+b itself need not be a double (a binomial
 * with n = 2^53), and S is a small difference of large products. */
static double beta_offset(double a, double b, double x)
{
    double ha = x * a, la = fma(x, a, -ha), hb = x * b, lb = fma(x, b, -hb);
    double t1, e1, t2, e2;
    two_sum(ha, -a, &t1, &e1);
    two_sum(hb, t1, &t2, &e2);
    return t2 + (e1 + e2 + la + lb);   /* x (a + b) - a */
}

/* -log of exp(-E) in the expansion: E = -(a log1pmx(S/a) + b log1pmx(-S/b)),
 * the log of x^a (1-x)^b / (xi^a (1-xi)^b), xi = a/(a+b), without the
 * cancellation of a log x + b log(1-x) against log B(a, b). */
static double beta_E(double a, double b, double x, double S)
{
    /* a log1pmx(S/a) = a log(x (a+b)/a) - S: far below the peak S/a is
     * near -1 and would have lost x, so the log is taken of x directly
     * (likewise of 1 - x far above it, 1 - x exact for x >= 1/2). */
    double ta = S / a < -0.5 ? a * log(x * ((a + b) / a)) - S : a * log1pmx(S / a);
    double tb = -S / b < -0.5 ? b * log((1.0 - x) * ((a + b) / b)) + S : b * log1pmx(-S / b);
    return -(ta + tb);
}

static int beta_temme(double a, double b, double x, double *p, double *q)
{
    if (!(a >= TM_RMIN && b >= TM_RMIN)) return 0;
    double S = beta_offset(a, b, x);
    int flip = a > b;
    if (flip) { double t = a; a = b; b = t; S = -S; }   /* I_x(a,b) = 1 - I_{1-x}(b,a) */
    if (!(S > -a && S < b)) return 0;
    double E = beta_E(a, b, flip ? 1.0 - x : x, S);
    double tau = a / b;
    double pre = exp(-(stirling_err(a) + stirling_err(b) - stirling_err(a + b))) / sqrt(1.0 + tau);
    double lo, up;
    if (!temme(E, S < 0, a, tau, pre, &lo, &up)) return 0;
    if (flip) { *p = up; *q = lo; } else { *p = lo; *q = up; }
    return 1;
}

void sf_beta_inc(double a, double b, double x, double *p, double *q)
{
    if (!(x > 0)) { *p = 0; *q = 1; return; }
    if (!(x < 1)) { *p = 1; *q = 0; return; }
    if (beta_temme(a, b, x, p, q)) return;
    /* log(x^a (1-x)^b / B(a, b)) by Stirling's formula, B(a, b) =
     * sqrt(2 pi) a^(a-1/2) b^(b-1/2) / (a+b)^(a+b-1/2) exp(se(a) + se(b) -
     * se(a+b)): a log x + b log1p(-x) - log_beta(a, b) would cancel to
     * digits lost in proportion to lgamma(a + b) (1e-3 relative at 1e12). */
    double S = beta_offset(a, b, x);
    double lfront = -beta_E(a, b, x, S) + 0.5 * log(a / (2 * M_PI) * (b / (a + b)))
                    - (stirling_err(a) + stirling_err(b) - stirling_err(a + b));
    if (x < (a + 1.0) / (a + b + 2.0)) {
        *p = exp(lfront) * beta_cf(a, b, x, 1.0 - x) / a;
        if (*p > 1) *p = 1;
        *q = 1.0 - *p;
    } else {
        *q = exp(lfront) * beta_cf(b, a, 1.0 - x, x) / b;
        if (*q > 1) *q = 1;
        *p = 1.0 - *q;
    }
}

/* g(t), increasing in t = log x, and dg/dt, for the two inversions. */
typedef struct inv_problem {
    int beta;          /* 0: gamma, 1: beta */
    double a, b, lnorm;
    double p;
    int upper;
} inv_problem;

static double inv_eval(const inv_problem *pr, double t, double *deriv)
{
    double x = exp(t), lo, up;
    if (pr->beta) {
        sf_beta_inc(pr->a, pr->b, x, &lo, &up);
        *deriv = exp(pr->a * t + pr->b * log(-expm1(t)) - pr->lnorm);
    } else {
        sf_gamma_inc(pr->a, x, &lo, &up);
        *deriv = exp(pr->a * t - x - pr->lnorm);
    }
    return pr->upper ? pr->p - up : lo - pr->p;
}

/* Safeguarded Newton in t = log x (NR's rtsafe): a Newton step when it
 * stays inside the bracket [tlo, thi] and shrinks |g| fast enough, a
 * bisection otherwise. Working in log x gives relative accuracy in x over
 * the whole double range (tiny shapes put quantiles near 1e-300). */
static double inv_solve(const inv_problem *pr, double t, double tlo, double thi)
{
    double dt_old = thi - tlo, dt = dt_old;
    if (!(t > tlo && t < thi)) t = 0.5 * (tlo + thi);
    for (int it = 0; it < 400; it++) {
        double d, g = inv_eval(pr, t, &d);
        if (g == 0) break;
        if (g < 0) tlo = t; else thi = t;
        double tn = t - g / d;
        if (!(tn > tlo && tn < thi) || fabs(2.0 * g) > fabs(dt_old * d)) {
            dt_old = dt;
            tn = 0.5 * (tlo + thi);
        } else {
            dt_old = dt;
        }
        dt = tn - t;
        t = tn;
        if (fabs(dt) <= 1e-15 * fmax(1.0, fabs(t)) || thi - tlo <= 1e-15 * fmax(1.0, fabs(t)))
            break;
    }
    return exp(t);
}

double sf_gamma_inc_inv(double a, double p, int upper)
{
    if (!(p >= 0 && p <= 1)) return NAN;
    if (p == (upper ? 1.0 : 0.0)) return 0.0;
    if (p == (upper ? 0.0 : 1.0)) return INFINITY;
    inv_problem pr = {0, a, 0, sf_lgamma(a), p, upper};
    /* Start: Wilson-Hilferty's cube of a normal, or the small-x series
     * P ~ x^a / Gamma(a+1) in the lower tail of small shapes. */
    double z = upper ? -sf_norm_quantile(p) : sf_norm_quantile(p);
    double c = 1.0 - 1.0 / (9 * a) + z / (3 * sqrt(a));
    double t0 = c > 0 ? log(a) + 3 * log(c) : NAN;
    double lp = upper ? log1p(-p) : log(p);
    double tsmall = (lp + sf_lgamma(a + 1)) / a;
    if (!isfinite(t0) || (a < 1 && !upper && tsmall < t0)) t0 = tsmall;
    if (!isfinite(t0)) t0 = log(a);
    return inv_solve(&pr, t0, -746.0, 709.0);
}

double sf_beta_inc_inv(double a, double b, double p, int upper)
{
    if (!(p >= 0 && p <= 1)) return NAN;
    if (p == (upper ? 1.0 : 0.0)) return 0.0;
    if (p == (upper ? 0.0 : 1.0)) return 1.0;
    double lb = log_beta(a, b);
    inv_problem pr = {1, a, b, lb, p, upper};
    double tmean = log(a / (a + b));
    double plo = upper ? 1.0 - p : p, pup = upper ? p : 1.0 - p;
    double t0 = tmean;
    /* Tail starts: I_x ~ x^a / (a B) near 0, 1 - I_x ~ (1-x)^b / (b B) near 1. */
    double ts = (log(plo) + log(a) + lb) / a;
    if (plo < 0.5 && ts < tmean) t0 = ts;
    double tl = log1p(-exp((log(pup) + log(b) + lb) / b));
    if (pup < 0.5 && isfinite(tl) && tl > tmean) t0 = tl;
    double x = inv_solve(&pr, t0, -746.0, 0.0);
    return x > 1.0 ? 1.0 : x;
}
