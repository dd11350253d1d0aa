/* par_serial.c - the ranks of a build without MPI: one, rank 0. Built
 * instead of par_mpi.c when TYCHE_MPI is off. */
#include <stdlib.h>

#include "par_int.h"

int ty_par_built(void) { return 0; }
int ty_par_init(int *argc, char ***argv) { (void)argc; (void)argv; return 0; }
void ty_par_finalize(void) {}
int ty_par_rank(void) { return 0; }
int ty_par_size(void) { return 1; }

void ty_par_abort(int code) { exit(code); }

/* One rank holds everything already. */
int par_gather(void *buf, size_t esize, uint64_t first, uint64_t count, int all)
{
    (void)buf; (void)esize; (void)first; (void)count; (void)all;
    return 0;
}

uint64_t par_min_u64(uint64_t v) { return v; }
int par_sum_u64(uint64_t *buf, size_t n) { (void)buf; (void)n; return 0; }
int par_min_f64(double *buf, size_t n) { (void)buf; (void)n; return 0; }
int par_max_f64(double *buf, size_t n) { (void)buf; (void)n; return 0; }
int par_first_failing(int failed) { return failed ? 0 : -1; }
int par_bcast_from(void *buf, size_t n, int from) { (void)buf; (void)n; (void)from; return 0; }
