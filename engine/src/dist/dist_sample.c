/* dist_sample.c - block samplers. ty_dist_sample switches on the sampler
 * once per block and runs a tight loop over a local copy of the generator,
 * so its 256-bit state stays in registers; rare slow paths are out of line.
 * The normal, gamma and beta samplers work a chunk at a time: generator
 * outputs into a buffer (ty_rng_fill), a branch-free vectorised pass, then a
 * scalar fix-up of the rare slots that need more. Every sampler is exact
 * (no approximation beyond double rounding) and deterministic: the same
 * state and the same n give the same draws. Compiled once per
 * instruction-set level (util/cpu.h), ty_dist_sample at the end picks one;
 * every level gives the same draws, bit for bit. */
#include "dist_internal.h"
#include "specfun.h"
#include "util/vmath.h"
#include "ziggurat_tables.h"

#include <math.h>
#include <string.h>

/* ---- normal: ziggurat ------------------------------------------------- */

/* The ziggurat's rare paths (about 1.2% of draws with 256 layers): the
 * wedge test of layer idx, or for the base layer the tail beyond R by
 * Marsaglia's method (G. Marsaglia, "Generating a variable from the tail of
 * the normal distribution", Technometrics 6(1), 1964, pp. 101-102; also
 * Marsaglia & Tsang 2000, p. 4). Returns NaN when the point is rejected. */
__attribute__((noinline)) static double zig_slow(ty_rng *r, unsigned idx, double x, int neg)
{
    if (idx == 0) {
        double xx, yy;
        do {
            xx = -log(ty_rng_uniform_pos(r)) * (1.0 / ZIG_R);
            yy = -log(ty_rng_uniform_pos(r));
        } while (yy + yy < xx * xx);
        return neg ? -(ZIG_R + xx) : ZIG_R + xx;
    }
    double y = zig_f[idx] + ty_rng_uniform(r) * (zig_f[idx + 1] - zig_f[idx]);
    if (y < exp(-0.5 * x * x)) return neg ? -x : x;
    return NAN;
}

/* x with its sign bit flipped when bit 8 of u is set: branch-free, since
 * the sign is a coin flip that a branch would mispredict half the time. */
static inline double apply_sign(double x, uint64_t u)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    b ^= (u & 0x100) << 55;
    memcpy(&x, &b, sizeof b);
    return x;
}

/* Standard normal by the 256-layer ziggurat (G. Marsaglia and W. W. Tsang,
 * "The Ziggurat Method for Generating Random Variables", J. Stat. Softw.
 * 5(8), 2000, pp. 1-7). Unlike their 32-bit version, which reuses the same
 * bits for layer and abscissa (the flaw Doornik 2005 points out), one 64-bit
 * output is split into independent parts: bits 0-7 the layer, bit 8 the
 * sign, bits 12-63 a 52-bit abscissa, so the fast path is exact. */
static inline double zig_normal(ty_rng *r)
{
    for (;;) {
        uint64_t u = ty_rng_next(r);
        unsigned idx = (unsigned)(u & 0xff);
        uint64_t m = u >> 12;
        double x = (double)m * zig_w[idx];
        int neg = (int)((u >> 8) & 1);
        if (m < zig_k[idx]) return apply_sign(x, u);
        ty_rng t = *r;   /* keep r's address from escaping the hot loop */
        double y = zig_slow(&t, idx, x, neg);
        *r = t;
        if (y == y) return y;
    }
}

#define ZCHUNK 256

/* Fills out[0..n) with standard normals, per chunk of ZCHUNK in three
 * passes: the generator's outputs into a buffer; a branch-free pass that
 * gcc and clang vectorise (gathers from the tables, AVX-512 on the build
 * machine) giving every slot its fast-path value and a flag when the point
 * fell outside the layer's inner box (~1.2% of slots); then the wedge/tail
 * continuation (zig_slow, retrying the whole draw on rejection) for just
 * the flagged slots, found 8 flags at a time. Each slot's value is a
 * complete ziggurat draw from iid outputs; only the order in which outputs
 * are consumed differs from the one-at-a-time loop, so the method stays
 * exact. Measured (release -O3 -march=native on the build machine, blocks
 * of 1024, median of 31 thread-CPU timings, ns per draw): one-at-a-time
 * loop 7.4; the former fused two-pass loop 4.3; three passes with the scalar
 * generator 3.3; three passes with the eight-lane
 * generator fill (now ty_rng_fill, rng.c) 2.4. */
static void normal_fill(ty_rng *rng, double *out, size_t n)
{
    ty_rng r = *rng;
    uint64_t ub[ZCHUNK];
    uint8_t rej[ZCHUNK + 8];
    for (size_t base = 0; base < n; base += ZCHUNK) {
        size_t m = n - base < ZCHUNK ? n - base : ZCHUNK;
        double *o = out + base;
        ty_rng_fill(&r, ub, m);
        for (size_t i = 0; i < m; i++) {
            uint64_t u = ub[i];
            unsigned idx = (unsigned)(u & 0xff);
            uint64_t a = u >> 12;
            double x = (double)(int64_t)a * zig_w[idx];
            o[i] = apply_sign(x, u);
            rej[i] = a >= zig_k[idx];
        }
        memset(rej + m, 0, 8);
        for (size_t i = 0; i < m; i += 8) {
            uint64_t w;
            memcpy(&w, rej + i, 8);
            while (w) {
                size_t j = i + (size_t)(__builtin_ctzll(w) >> 3);
                w &= w - 1;
                uint64_t u = ub[j];
                unsigned idx = (unsigned)(u & 0xff);
                double x = (double)(u >> 12) * zig_w[idx];
                double y = zig_slow(&r, idx, x, (int)((u >> 8) & 1));
                o[j] = y == y ? y : zig_normal(&r);
            }
        }
    }
    *rng = r;
}

/* ---- gamma and beta ----------------------------------------------------- */

#define GCHUNK 256

/* Fills out[0..n) with Gamma(s) draws (scale 1), s >= 1, by G. Marsaglia
 * and W. W. Tsang, "A Simple Method for Generating Gamma Variables", ACM
 * TOMS 26(3), 2000, pp. 363-372: the squeeze and the log test of p. 369.
 * Shapes below 1 (g->boost) take Gamma(s+1) times U^(1/s) (p. 371).
 *
 * Candidates are made a chunk at a time: the chunk's normals by normal_fill,
 * its uniforms from a buffer of outputs, then one branch-free pass (which
 * vectorises) computes d v^3 and classifies each candidate as rejected
 * (v <= 0), accepted by the squeeze u < 1 - 0.0331 x^4, or undecided; a
 * scalar pass keeps the accepted candidates in order, deciding the few
 * undecided ones (2-4% for shapes of order 1) by the log test. Rejecting
 * the whole (x, u) pair when v <= 0, instead of redrawing x alone, accepts
 * the same set with the same density, so the draws are exact Marsaglia-Tsang
 * draws from iid inputs; the chunk is sized from the draws still wanted, so
 * few candidates are left unused, and their number depends only on n.
 * The boost's exp is vm_exp (vmath.h, within 1 ulp of glibc's exp, so no
 * approximation beyond rounding), which vectorises; the log stays glibc's.
 * Measured as normal_fill, Gamma(2): the former one-candidate-at-a-time
 * loop over buffered normals 10.9 ns per draw, this 5.9; Gamma(0.5): 23.3
 * before, 15.8 with glibc's exp in the boost, 12.4 with vm_exp. About a
 * sixth of the Gamma(2) time is the log test of undecided candidates. */
static void gamma_fill(ty_rng *rng, double *out, size_t n, const gamma_consts *g)
{
    const double d = g->d, c = g->c;
    double xb[GCHUNK], vb[GCHUNK];
    uint64_t ub[GCHUNK];
    uint8_t fl[GCHUNK];
    size_t k = 0;
    while (k < n) {
        size_t want = n - k, m = want + (want >> 4) + 8;
        if (m > GCHUNK) m = GCHUNK;
        normal_fill(rng, xb, m);
        ty_rng_fill(rng, ub, m);
        for (size_t i = 0; i < m; i++) {
            double x = xb[i], v = 1.0 + c * x, x2 = x * x;
            double u = ((double)(int64_t)(ub[i] >> 11) + 0.5) * 0x1.0p-53;
            vb[i] = d * (v * v * v);
            fl[i] = (uint8_t)((v > 0) + ((v > 0) & (u < 1.0 - 0.0331 * (x2 * x2))));
        }
        for (size_t i = 0; i < m && k < n; i++) {
            unsigned f = fl[i];
            if (f == 1) {
                double x = xb[i], v = 1.0 + c * x, x2 = x * x;
                double u = ((double)(ub[i] >> 11) + 0.5) * 0x1.0p-53;
                v = v * v * v;
                f = log(u) < 0.5 * x2 + d * (1.0 - v + log(v)) ? 2 : 0;
            }
            out[k] = vb[i];
            k += f >> 1;
        }
    }
    if (g->boost) {
        const double ia = g->inv_shape;
        for (size_t base = 0; base < n; base += GCHUNK) {
            size_t m = n - base < GCHUNK ? n - base : GCHUNK;
            ty_rng_fill(rng, ub, m);
            for (size_t i = 0; i < m; i++) xb[i] = log(((double)(ub[i] >> 11) + 0.5) * 0x1.0p-53);
            for (size_t i = 0; i < m; i++) out[base + i] *= vm_exp(xb[i] * ia);
        }
    }
}

/* Beta(a, b) with a, b <= 1 by Johnk's method (M. D. Johnk, Metrika 8, 1964,
 * pp. 5-15; L. Devroye, Non-Uniform Random Variate Generation, 1986, p. 418):
 * accept U^(1/a), V^(1/b) when their sum is <= 1, probability
 * Gamma(a+1)Gamma(b+1)/Gamma(a+b+1) >= 1/2 here. Chosen over the ratio of
 * two gammas because for shapes below 1 each gamma needs the boost (an extra
 * log and exp) and both may underflow to 0/0 for tiny shapes; the sum is
 * formed in log space when the powers underflow. */
static inline double beta_johnk(ty_rng *r, double ia, double ib)
{
    for (;;) {
        double lu = log(ty_rng_uniform_pos(r)) * ia, lv = log(ty_rng_uniform_pos(r)) * ib;
        double x = exp(lu), y = exp(lv), s = x + y;
        if (s <= 1.0) {
            if (s > 1e-290) return x / s;
            double lm = lu > lv ? lu : lv;
            lu -= lm;
            lv -= lm;
            return exp(lu - log(exp(lu) + exp(lv)));
        }
    }
}

/* Beta(a, b) on [loc, loc + scale]: Johnk's method when a, b <= 1, else
 * X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) (L. Devroye, Non-Uniform
 * Random Variate Generation, 1986, p. 432), a chunk of each at a time.
 * Measured as normal_fill, Beta(2,3): the former draw-by-draw ratio 21.2 ns
 * per draw, this 12.8. Cheng's BB (R. C. H. Cheng, Comm. ACM 21(4), 1978,
 * pp. 317-322), a log and an exp per draw in scalar libm, has not been
 * measured against it yet. */
static inline void beta_fill(ty_rng *r, const ty_dist *d, double *out, size_t n)
{
    const double loc = d->loc, scale = d->scale;
    if (d->johnk) {
        const double ia = 1 / d->a, ib = 1 / d->b;
        for (size_t i = 0; i < n; i++) out[i] = loc + scale * beta_johnk(r, ia, ib);
        return;
    }
    double yb[GCHUNK];
    for (size_t base = 0; base < n; base += GCHUNK) {
        size_t m = n - base < GCHUNK ? n - base : GCHUNK;
        double *o = out + base;
        gamma_fill(r, o, m, &d->ga);
        gamma_fill(r, yb, m, &d->gb);
        for (size_t i = 0; i < m; i++) o[i] = loc + scale * (o[i] / (o[i] + yb[i]));
    }
}

/* ---- student's t ------------------------------------------------------- */

/* T = Z / sqrt(V / df), Z standard normal, V chi-square with df degrees of
 * freedom = 2 Gamma(df/2) (Devroye 1986, p. 445), a chunk of each at a
 * time through the vectorised normal and gamma fills. */
static void student_fill(ty_rng *r, const ty_dist *d, double *out, size_t n)
{
    const double loc = d->loc, scale = d->scale, hdf = 0.5 * d->a;
    double gb[GCHUNK];
    for (size_t base = 0; base < n; base += GCHUNK) {
        size_t m = n - base < GCHUNK ? n - base : GCHUNK;
        double *o = out + base;
        normal_fill(r, o, m);
        gamma_fill(r, gb, m, &d->ga);
        for (size_t i = 0; i < m; i++) o[i] = loc + scale * (o[i] * sqrt(hdf / gb[i]));
    }
}

/* ---- binomial ------------------------------------------------------------ */

/* Inversion by sequential search from 0 (Kachitvichyanukul & Schmeiser,
 * "Binomial random variate generation", CACM 31(2), 1988, p. 216, BINV);
 * used while n p' < 10, so at most a few steps on average. */
static inline double binom_inv(ty_rng *r, const ty_dist *d)
{
    for (;;) {
        double u = ty_rng_uniform(r), pk = d->bin.qn, k = 0;
        while (u > pk) {
            u -= pk;
            k += 1;
            if (k > d->bin.n) break;
            pk *= d->bin.as / k - d->bin.s;
        }
        if (k <= d->bin.n) return k;   /* else rounding ran off the end: redraw */
    }
}

/* BTRD (W. Hormann, "The generation of binomial random variates", J. Stat.
 * Comput. Simul. 46, 1993, pp. 101-110, algorithm BTRD p. 105): transformed
 * rejection with decomposition; steps numbered as in the paper. */
static double binom_btrd(ty_rng *r, const ty_dist *d)
{
    const double n = d->bin.n, p = d->bin.p, m = d->bin.m, rr = d->bin.r, nr = d->bin.nr;
    const double npq = d->bin.npq, a = d->bin.aa, b = d->bin.bb, c = d->bin.cc;
    const double alpha = d->bin.alpha, vr = d->bin.vr, urvr = d->bin.urvr;
    (void)p;
    for (;;) {
        double v = ty_rng_uniform(r), u, us, k;
        /* 1: the central box, accepted at once */
        if (v <= urvr) {
            u = v / vr - 0.43;
            return floor((2 * a / (0.5 - fabs(u)) + b) * u + c);
        }
        /* 2: a point in the hat */
        if (v >= vr) {
            u = ty_rng_uniform(r) - 0.5;
        } else {
            u = v / vr - 0.93;
            u = (u < 0 ? -0.5 : 0.5) - u;
            v = ty_rng_uniform(r) * vr;
        }
        /* 3.0 */
        us = 0.5 - fabs(u);
        k = floor((2 * a / us + b) * u + c);
        if (k < 0 || k > n) continue;
        v = v * alpha / (a / (us * us) + b);
        double km = fabs(k - m);
        if (km <= 15) {
            /* 3.1: recursive evaluation of f(k)/f(m) */
            double f = 1;
            if (m < k) {
                for (double i = m + 1; i <= k; i += 1) f *= nr / i - rr;
            } else if (m > k) {
                for (double i = k + 1; i <= m; i += 1) v *= nr / i - rr;
            }
            if (v <= f) return k;
            continue;
        }
        /* 3.2: squeeze on log f */
        v = log(v);
        double rho = (km / npq) * (((km / 3 + 0.625) * km + 1.0 / 6) / npq + 0.5);
        double t = -km * km / (2 * npq);
        if (v < t - rho) return k;
        if (v > t + rho) continue;
        /* 3.3-3.4: the final test with Stirling corrections */
        double nm = n - m + 1, nk = n - k + 1;
        double h = d->bin.h;
        double fck, fcnk;
        {
            /* fc as in dist.c's btrd_fc, inlined for the table-free range */
            double kk = k, r1 = 1 / (kk + 1), r2 = r1 * r1;
            fck = kk < 10 ? sf_lgamma(kk + 1) - ((kk + 0.5) * log(kk + 1) - (kk + 1) + 0.91893853320467274178)
                          : (1.0 / 12 - (1.0 / 360 - r2 / 1260) * r2) * r1;
            double jj = n - k, s1 = 1 / (jj + 1), s2 = s1 * s1;
            fcnk = jj < 10 ? sf_lgamma(jj + 1) - ((jj + 0.5) * log(jj + 1) - (jj + 1) + 0.91893853320467274178)
                           : (1.0 / 12 - (1.0 / 360 - s2 / 1260) * s2) * s1;
        }
        if (v <= h + (n + 1) * log(nm / nk) + (k + 0.5) * log(nk * rr / (k + 1)) - fck - fcnk)
            return k;
    }
}

/* ---- poisson ------------------------------------------------------------- */

/* Inversion by sequential search (Devroye 1986, p. 505) for lambda < 10. */
static inline double poisson_inv(ty_rng *r, double lam, double emlam)
{
    for (;;) {
        double u = ty_rng_uniform(r), pk = emlam, k = 0;
        while (u > pk && k < 200) {
            u -= pk;
            k += 1;
            pk *= lam / k;
        }
        if (k < 200) return k;
    }
}

/* PTRS (W. Hormann, "The transformed rejection method for generating
 * Poisson random variables", Insurance: Mathematics and Economics 12(1),
 * 1993, pp. 39-45, algorithm PTRS p. 43) for lambda >= 10. */
static double poisson_ptrs(ty_rng *r, const ty_dist *d)
{
    const double lam = d->a, a = d->poi.a, b = d->poi.b, vr = d->poi.vr;
    const double loginvalpha = log(d->poi.invalpha), loglam = d->poi.loglam;
    for (;;) {
        double u = ty_rng_uniform(r) - 0.5, v = ty_rng_uniform(r);
        double us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + lam + 0.43);
        if (us >= 0.07 && v <= vr) return k;
        if (k < 0 || (us < 0.013 && v > us)) continue;
        if (log(v) + loginvalpha - log(a / (us * us) + b) <= -lam + k * loglam - sf_lgamma(k + 1))
            return k;
    }
}

/* ---- discrete tables ------------------------------------------------------ */

/* Lemire's unbiased bounded integer, inline for the alias loop. */
static inline uint64_t bounded(ty_rng *r, uint64_t bound)
{
    ty_u128 m = (ty_u128)ty_rng_next(r) * bound;
    uint64_t low = (uint64_t)m;
    if (low < bound) {
        uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            m = (ty_u128)ty_rng_next(r) * bound;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* ---- the block loop -------------------------------------------------------- */

static void sample_raw(const ty_dist *d, ty_rng *rng, double *out, size_t n)
{
    ty_rng r = *rng;
    switch (d->sampler) {
    case SMP_UNIFORM: {
        const double loc = d->loc, scale = d->scale;
        for (size_t i = 0; i < n; i++) out[i] = loc + scale * ty_rng_uniform(&r);
        break;
    }
    case SMP_NORMAL: {
        const double loc = d->loc, scale = d->scale;
        normal_fill(&r, out, n);
        for (size_t i = 0; i < n; i++) out[i] = loc + scale * out[i];
        break;
    }
    case SMP_LOGNORMAL: {
        const double loc = d->loc, scale = d->scale;
        normal_fill(&r, out, n);
        /* vm_exp (within 1 ulp) vectorises; libm exp was 60% of this case. */
        for (size_t i = 0; i < n; i++) out[i] = vm_exp(loc + scale * out[i]);
        break;
    }
    case SMP_GAMMA: {
        const double scale = d->scale;
        gamma_fill(&r, out, n, &d->ga);
        for (size_t i = 0; i < n; i++) out[i] *= scale;
        break;
    }
    case SMP_BETA:
        beta_fill(&r, d, out, n);
        break;
    case SMP_TRIANGULAR: {
        /* inversion of the piecewise quadratic CDF */
        const double a = d->a, c = d->c, fc = d->tri_fc, l = d->tri_l, rr = d->tri_r;
        for (size_t i = 0; i < n; i++) {
            double u = ty_rng_uniform(&r);
            out[i] = u < fc ? a + sqrt(u * l) : c - sqrt((1 - u) * rr);
        }
        break;
    }
    case SMP_BERNOULLI: {
        /* The vectorised uniform fill, then a compare the compiler turns
         * into a mask (one uniform per draw, as before): the per-draw
         * loop compiled to a branch mispredicted 30% of the time. */
        const double p = d->b;
        ty_rng_fill_uniform(&r, out, n);
        for (size_t i = 0; i < n; i++) out[i] = out[i] < p ? 1.0 : 0.0;
        break;
    }
    case SMP_BINOMIAL: {
        const double nn = d->bin.n;
        const int flip = d->bin.flip != 0;
        if (d->bin.btrd) {
            for (size_t i = 0; i < n; i++) out[i] = binom_btrd(&r, d);
        } else {
            for (size_t i = 0; i < n; i++) out[i] = binom_inv(&r, d);
        }
        if (flip)
            for (size_t i = 0; i < n; i++) out[i] = nn - out[i];
        break;
    }
    case SMP_POISSON: {
        if (d->poi.ptrs) {
            for (size_t i = 0; i < n; i++) out[i] = poisson_ptrs(&r, d);
        } else {
            const double lam = d->a, em = d->poi.emlam;
            for (size_t i = 0; i < n; i++) out[i] = poisson_inv(&r, lam, em);
        }
        break;
    }
    case SMP_ALIAS: {
        /* Vose's alias method: one uniform bucket, one coin per draw */
        const uint64_t nt = d->ntab;
        const double *tx = d->tx, *ap = d->aprob;
        const uint32_t *ai = d->aidx;
        for (size_t i = 0; i < n; i++) {
            uint64_t j = bounded(&r, nt);
            double u = ty_rng_uniform(&r);
            out[i] = u < ap[j] ? tx[j] : tx[ai[j]];
        }
        break;
    }
    case SMP_CONSTANT: {
        const double x = d->a;
        for (size_t i = 0; i < n; i++) out[i] = x;
        break;
    }
    case SMP_STUDENT:
        student_fill(&r, d, out, n);
        break;
    case SMP_LOGUNIFORM: {
        /* exp of a uniform on [log min, log max] (NumPy: exp(uniform)) */
        const double loc = d->loc, scale = d->scale, hi = d->c;
        ty_rng_fill_uniform(&r, out, n);
        for (size_t i = 0; i < n; i++) {
            double x = vm_exp(loc + scale * out[i]);
            out[i] = x > hi ? hi : x;
        }
        break;
    }
    case SMP_EXPONENTIAL: {
        /* inversion, -log(1 - u) / rate with 1 - u in (0, 1] */
        const double inv = d->scale;
        ty_rng_fill_uniform(&r, out, n);
        for (size_t i = 0; i < n; i++) out[i] = -log1p(-out[i]) * inv;
        break;
    }
    case SMP_WEIBULL: {
        /* inversion, scale (-log(1 - u))^(1/shape) */
        const double scale = d->scale, ik = 1 / d->a;
        ty_rng_fill_uniform(&r, out, n);
        for (size_t i = 0; i < n; i++) out[i] = scale * pow(-log1p(-out[i]), ik);
        break;
    }
    case SMP_METALOG:
        dist_metalog_sample(d, &r, out, n);
        break;
    case SMP_MIXTURE:
        dist_mixture_sample(d, &r, out, n);
        break;
    case SMP_INVERT:
        for (size_t i = 0; i < n; i++) out[i] = dist_quantile_tail(d, ty_rng_uniform(&r), 0);
        break;
    }
    *rng = r;
}

void CPU_FN(dist_sample_block)(const ty_dist *dist, ty_rng *rng, double *out, size_t n)
{
    if (!dist->reject) {
        sample_raw(dist, rng, out, n);
        return;
    }
    /* Truncation by rejection: draw the untruncated block, keep what lies in
     * [lo, hi] (branch-free compaction), redraw the shortfall. The bounds
     * keep at least 30% of the mass, so this ends after a few rounds. */
    const double lo = dist->lo, hi = dist->hi;
    size_t filled = 0;
    while (filled < n) {
        sample_raw(dist, rng, out + filled, n - filled);
        size_t k = filled;
        for (size_t i = filled; i < n; i++) {
            double x = out[i];
            out[k] = x;
            k += (x >= lo) & (x <= hi);
        }
        filled = k;
    }
}

#ifndef CPU_VARIANT
/* The copy of this file for the CPU's instruction-set level (util/cpu.h):
 * dist_sample_avx2.c and dist_sample_avx512.c compile it again. */
void ty_dist_sample(const ty_dist *dist, ty_rng *rng, double *out, size_t n)
{
    CPU_PICK(dist_sample_block)(dist, rng, out, n);
}
#endif
