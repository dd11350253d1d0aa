/* par_mpi.c - the ranks of an MPI build (par.h, par_int.h). Every
 * communication is on MPI_COMM_WORLD from the main thread, with errors
 * returned (MPI_ERRORS_RETURN) rather than aborting, so a failure becomes a
 * status the caller reports. Built instead of par_serial.c when TYCHE_MPI
 * is on. */
#include <limits.h>
#include <mpi.h>
#include <stdlib.h>

#include "par_int.h"

static int g_rank = 0, g_size = 1, g_started = 0;

int ty_par_built(void) { return 1; }

int ty_par_init(int *argc, char ***argv)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return -1;
    g_started = 1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    return 0;
}

void ty_par_finalize(void)
{
    if (g_started) MPI_Finalize();
    g_started = 0;
}

int ty_par_rank(void) { return g_rank; }
int ty_par_size(void) { return g_size; }

void ty_par_abort(int code)
{
    if (g_started) MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

int par_gather(void *buf, size_t esize, uint64_t first, uint64_t count, int all)
{
    if (g_size == 1) return 0;
    uint64_t mine[2] = {first, count}, *spans = malloc(2 * (size_t)g_size * sizeof *spans);
    int *counts = malloc(2 * (size_t)g_size * sizeof *counts), *displs = counts + g_size;
    int ok = spans && counts && esize <= INT_MAX;
    /* Every rank takes part in every call, even one that failed to allocate:
     * the failure is agreed before anyone leaves. */
    uint64_t fail = !ok, any = 0;
    if (MPI_Allreduce(&fail, &any, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS || any) {
        free(spans);
        free(counts);
        return -1;
    }
    int rc = MPI_Allgather(mine, 2, MPI_UINT64_T, spans, 2, MPI_UINT64_T, MPI_COMM_WORLD);
    for (int r = 0; rc == MPI_SUCCESS && r < g_size; r++) {
        if (spans[2 * r] > INT_MAX || spans[2 * r + 1] > INT_MAX) rc = MPI_ERR_COUNT;
        counts[r] = (int)spans[2 * r + 1];
        displs[r] = (int)spans[2 * r];
    }
    MPI_Datatype el = MPI_DATATYPE_NULL;
    if (rc == MPI_SUCCESS) rc = MPI_Type_contiguous((int)esize, MPI_BYTE, &el);
    if (rc == MPI_SUCCESS) rc = MPI_Type_commit(&el);
    char *own = (char *)buf + first * esize;
    if (rc == MPI_SUCCESS && all)
        rc = MPI_Allgatherv(MPI_IN_PLACE, 0, el, buf, counts, displs, el, MPI_COMM_WORLD);
    else if (rc == MPI_SUCCESS && g_rank == 0)
        rc = MPI_Gatherv(MPI_IN_PLACE, 0, el, buf, counts, displs, el, 0, MPI_COMM_WORLD);
    else if (rc == MPI_SUCCESS)
        rc = MPI_Gatherv(own, (int)count, el, NULL, NULL, NULL, el, 0, MPI_COMM_WORLD);
    if (el != MPI_DATATYPE_NULL) MPI_Type_free(&el);
    free(spans);
    free(counts);
    return rc == MPI_SUCCESS ? 0 : -1;
}

uint64_t par_min_u64(uint64_t v)
{
    uint64_t out = v;
    if (g_size > 1 && MPI_Allreduce(&v, &out, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
        ty_par_abort(1);
    return out;
}

static int reduce_root(void *buf, size_t n, MPI_Datatype t, MPI_Op op)
{
    if (g_size == 1 || n == 0) return 0;
    if (n > INT_MAX) return -1;
    int rc = g_rank == 0 ? MPI_Reduce(MPI_IN_PLACE, buf, (int)n, t, op, 0, MPI_COMM_WORLD)
                         : MPI_Reduce(buf, NULL, (int)n, t, op, 0, MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? 0 : -1;
}

int par_sum_u64(uint64_t *buf, size_t n) { return reduce_root(buf, n, MPI_UINT64_T, MPI_SUM); }
int par_min_f64(double *buf, size_t n) { return reduce_root(buf, n, MPI_DOUBLE, MPI_MIN); }
int par_max_f64(double *buf, size_t n) { return reduce_root(buf, n, MPI_DOUBLE, MPI_MAX); }

int par_first_failing(int failed)
{
    int mine = failed ? g_rank : g_size, first = mine;
    if (g_size > 1 && MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
        ty_par_abort(1);
    return first == g_size ? -1 : first;
}

int par_bcast_from(void *buf, size_t n, int from)
{
    if (g_size == 1 || n == 0) return 0;
    if (n > INT_MAX) return -1;
    return MPI_Bcast(buf, (int)n, MPI_BYTE, from, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
}
