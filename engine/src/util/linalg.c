/* linalg.c - Cholesky factorisation (linalg.h). */
#include "linalg.h"

#include <math.h>
#include <string.h>

int linalg_cholesky(const double *a, double *l, size_t m)
{
    memset(l, 0, m * m * sizeof *l);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j <= i; j++) {
            double sum = a[i * m + j];
            for (size_t k = 0; k < j; k++) sum -= l[i * m + k] * l[j * m + k];
            if (i == j) {
                if (!(sum > 1e-12)) return -1;
                l[i * m + i] = sqrt(sum);
            } else {
                l[i * m + j] = sum / l[j * m + j];
            }
        }
    return 0;
}
