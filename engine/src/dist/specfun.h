/* specfun.h - internal special functions for the dist module: the normal
 * CDF and quantile, regularized incomplete gamma and beta functions and
 * their inverses. Every function is pure and reentrant (lgamma_r, never
 * lgamma, whose signgam is global state). Not part of the public API. */
#ifndef TYCHE_SPECFUN_H
#define TYCHE_SPECFUN_H

/* log |Gamma(x)|, reentrant. */
double sf_lgamma(double x);

/* Standard normal CDF Phi(x) and its complement 1 - Phi(x), both accurate in
 * relative terms far into their tails. */
double sf_norm_cdf(double x);
double sf_norm_sf(double x);
/* Standard normal quantile for p in [0,1] (Wichura, AS 241, Appl. Statist.
 * 37(3), 1988, pp. 477-484, PPND16: relative accuracy about 1e-16).
 * Returns -inf at 0, +inf at 1, NaN outside. */
double sf_norm_quantile(double p);

/* Regularized incomplete gamma P(a, x) and Q(a, x) = 1 - P(a, x), a > 0,
 * x >= 0, computed together: one of them directly (series or continued
 * fraction), the other as its complement, so the smaller is accurate in
 * relative terms. */
void sf_gamma_inc(double a, double x, double *p, double *q);
/* x with P(a, x) = p (upper == 0) or Q(a, x) = p (upper == 1): safeguarded
 * Newton in log x, relative accuracy about 1e-14. */
double sf_gamma_inc_inv(double a, double p, int upper);

/* Regularized incomplete beta I_x(a, b) and 1 - I_x(a, b), a, b > 0,
 * x in [0, 1] (continued fraction, Numerical Recipes 3rd ed. 6.4). */
void sf_beta_inc(double a, double b, double x, double *p, double *q);
/* x with I_x(a, b) = p (upper == 0) or 1 - I_x(a, b) = p (upper == 1). */
double sf_beta_inc_inv(double a, double b, double p, int upper);

#endif
