/* linalg.h - internal: the little dense linear algebra tyche needs (the
 * correlation matrices of a scenario's factors are small: one row per
 * correlated factor). No allocation, no state. */
#ifndef TYCHE_LINALG_H
#define TYCHE_LINALG_H

#include <stddef.h>

/* Cholesky factor of the symmetric m x m matrix a (row-major): writes the
 * lower triangle l with a = l l^T (the upper triangle of l is zeroed).
 * Returns 0, or -1 when a is not positive definite (a pivot <= 1e-12). */
int linalg_cholesky(const double *a, double *l, size_t m);

#endif
