/* vmath.h - element functions of the VM, written so that gcc and clang
 * vectorise the block loops that call them (no branches, no libm calls):
 * exp, logistic. The constant folder uses the same functions, so a folded
 * constant equals what the VM would compute.
 *
 * vm_exp: Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2, with ln2 split
 * in a high part whose products with k are exact (fdlibm's ln2_hi/ln2_lo),
 * then the degree-13 Taylor polynomial of exp(r) (truncation error below
 * 1e-17 relative), summed as 1 + (r + r^2 q(r)) so the final rounding
 * dominates; then scaling by 2^k as two exact powers of two so subnormal
 * results need one rounding only. Measured against glibc's exp on 10^6
 * random arguments over the whole range: within 1 ulp (test_vm.c checks 2).
 * Overflow gives +inf, x < -745.14 gives +0, NaN gives NaN. */
#ifndef TYCHE_VMATH_H
#define TYCHE_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Every translation unit that evaluates expressions must round like the VM:
 * no contraction of a*b+c into one fused operation (clang would by default;
 * gcc does not in ISO C mode). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

static inline uint64_t vm_bits_(double x) { uint64_t u; memcpy(&u, &x, sizeof u); return u; }
static inline double vm_double_(uint64_t u) { double x; memcpy(&x, &u, sizeof x); return x; }

static inline double vm_exp(double x)
{
    const double log2e = 1.4426950408889634074;
    const double ln2_hi = 6.93147180369123816490e-01;  /* trailing 32 bits zero */
    const double ln2_lo = 1.90821492927058770002e-10;
    /* Adding 1.5*2^52 rounds to an integer in the low mantissa bits; the
     * bias 1100 keeps k + 1100 non-negative so it can be read as bits. */
    const double shifter = 0x1.8p52 + 1100.0;
    double xc = x < -746.0 ? -746.0 : x;
    xc = xc > 710.0 ? 710.0 : xc;
    double t = xc * log2e + shifter;
    uint64_t u = vm_bits_(t) - vm_bits_(0x1.8p52);   /* k + 1100, in [24, 2124] */
    double kd = t - shifter;                            /* k, exactly */
    double r = (xc - kd * ln2_hi) - kd * ln2_lo;
    double q = 1.0 / 6227020800.0;                      /* 1/13! */
    q = q * r + 1.0 / 479001600.0;
    q = q * r + 1.0 / 39916800.0;
    q = q * r + 1.0 / 3628800.0;
    q = q * r + 1.0 / 362880.0;
    q = q * r + 1.0 / 40320.0;
    q = q * r + 1.0 / 5040.0;
    q = q * r + 1.0 / 720.0;
    q = q * r + 1.0 / 120.0;
    q = q * r + 1.0 / 24.0;
    q = q * r + 1.0 / 6.0;
    q = q * r + 0.5;
    double p = 1.0 + (r + (r * r) * q);
    uint64_t u1 = u >> 1, u2 = u - u1;                  /* k1 + 550, k2 + 550 */
    double s1 = vm_double_((u1 + 473) << 52);           /* 2^k1: exponent k1 + 1023 */
    double s2 = vm_double_((u2 + 473) << 52);
    double y = (p * s1) * s2;
    y = x > 709.782712893384 ? HUGE_VAL : y;
    y = x < -745.1332191019412 ? 0.0 : y;
    return x != x ? x : y;
}

static inline double vm_logistic(double x) { return 1.0 / (1.0 + vm_exp(-x)); }

static inline double vm_normcdf(double x) { return 0.5 * erfc(-x * 0.70710678118654752440); }

#endif
