/* pareto.h - internal: the Pareto k-hat diagnostic of importance weights
 * (PSIS: Vehtari, Simpson, Gelman, Yao and Gabry, "Pareto smoothed importance
 * sampling", JMLR 2024). Pure functions: the generalized Pareto shape of the
 * largest weights' exceedances over a threshold, from the weights themselves
 * or from a histogram of their logarithms (what the run loop keeps).
 *
 * k-hat reads as PSIS says: below 0.5 the weights' variance is finite; up to
 * about 0.7 the estimate is usable; above 0.7 (or 1 - 1/log10(S) for S
 * samples) it is unreliable; at 1 and above the mean itself is in doubt.
 * Every function returns NaN when there is no diagnostic to give. */
#ifndef TYCHE_STATS_PARETO_H
#define TYCHE_STATS_PARETO_H

#include <stddef.h>
#include <stdint.h>

/* The generalized Pareto shape xi (positive for heavy tails) of the
 * exceedances x[0..n), sorted ascending, all >= 0: Zhang and Stephens'
 * (2009) posterior-mean fit on a grid of m = 30 + floor(sqrt(n)) points,
 * then PSIS's weakly informative prior, k = (n k + 10 * 0.5) / (n + 10).
 * NaN when n < 5, when any x is not finite or negative, when x is not
 * ascending, when the first quartile x[floor(n/4 + 0.5) - 1] is 0 (all
 * equal included) or when the fit is not finite. O(n sqrt(n)); allocates
 * nothing. */
double stats_gpd_khat(const double *x, size_t n);

/* Pareto k-hat of n importance log-weights lw[0..n) (any order; -inf is a
 * zero weight; lw is not modified): the tail is the M = ceil(min(0.2 n,
 * 3 sqrt(n))) largest, the cutoff the (M+1)-th largest, and the result
 * stats_gpd_khat of the M exceedances exp(lw - max) - exp(cutoff - max)
 * (zeros included). NaN when n < 25 (0.2 n under 5 samples), when any lw is
 * NaN or +inf, when fewer than 5 of the M exceed the cutoff (all equal, all
 * -inf), or when the tail allocation of M + 1 doubles fails. O(n log M). */
double stats_pareto_khat(const double *lw, size_t n);

/* The same diagnostic from a histogram of log-weights: counts[i] samples
 * with lw in [lo + i width, lo + (i + 1) width), `below` samples below lo,
 * n_total samples in all. Samples not in counts (`below`, and any of
 * n_total beyond below + the counts, e.g. lw = -inf) are zero weights. The
 * M (from n_total, as above) largest log-weights and the cutoff are
 * rebuilt by spreading each bin's c samples evenly inside it (the j-th at
 * lo + width (i + (j + 0.5) / c)), and the exceedances in weight space,
 * exp(lw - top) - exp(cutoff - top), go to stats_gpd_khat. NaN when
 * n_total < 25, lo or width is not finite, width <= 0, counts is NULL with
 * nbins > 0, below + the counts exceed n_total, or as stats_pareto_khat.
 * O(nbins + M) time; allocates M + 1 doubles (NaN if that fails). */
double stats_pareto_khat_hist(const uint64_t *counts, size_t nbins, double lo, double width,
                              uint64_t below, uint64_t n_total);

#endif
