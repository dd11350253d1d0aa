/* par_share.c - what the ranks do the same way with or without MPI
 * (par_int.h): each rank's share of a range of blocks, and the agreements,
 * built on par_first_failing and par_bcast_from (par_mpi.c, par_serial.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "par_int.h"

void par_share_of(uint64_t first, uint64_t end, int rank, int size, uint64_t *lo, uint64_t *hi)
{
    uint64_t n = end > first ? end - first : 0, R = (uint64_t)size, r = (uint64_t)rank;
    uint64_t q = n / R, extra = n % R;
    *lo = first + r * q + (r < extra ? r : extra);
    *hi = *lo + q + (r < extra ? 1 : 0);
}

void par_share(uint64_t first, uint64_t end, uint64_t *lo, uint64_t *hi)
{
    par_share_of(first, end, ty_par_rank(), ty_par_size(), lo, hi);
}

int par_root(void)
{
    return ty_par_rank() == 0;
}

int par_test_fail(const char *point)
{
    const char *v = getenv("TYCHE_TEST_RANK_FAIL");
    char at[32];
    int rank;
    return v && sscanf(v, "%d:%31s", &rank, at) == 2 && rank == ty_par_rank() && strcmp(at, point) == 0;
}

ty_status par_agree_status(ty_status st, const char *what, ty_diag *diag)
{
    int first = par_first_failing(st != TY_OK);
    if (first < 0) return TY_OK;
    int32_t code = (int32_t)st;
    char msg[512] = "";
    if (ty_par_rank() == first)
        for (size_t i = ty_diag_count(diag); i-- > 0;) {
            const ty_diag_entry *e = ty_diag_get(diag, i);
            if (e->severity != TY_SEV_ERROR) continue;
            snprintf(msg, sizeof msg, "%s", e->message);
            break;
        }
    if (par_bcast_from(&code, sizeof code, first) != 0 || (first > 0 && par_bcast_from(msg, sizeof msg, first) != 0))
        ty_par_abort(1);
    if (first > 0 && par_root() && code != TY_ERR_INTERRUPTED)
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "%s failed on rank %d: %s", what, first,
                    msg[0] ? msg : code == TY_ERR_NOMEM ? "out of memory" : "no reason given");
    return (ty_status)code;
}

int ty_par_agree(int code, int *reporter)
{
    int first = par_first_failing(code != 0);
    if (reporter) *reporter = first >= 0 && first == ty_par_rank();
    if (first < 0) return 0;
    int32_t agreed = code;
    if (par_bcast_from(&agreed, sizeof agreed, first) != 0) ty_par_abort(code ? code : 1);
    return agreed;
}

int par_bcast(void *buf, size_t n)
{
    return par_bcast_from(buf, n, 0);
}

ty_status par_exchange_failed(ty_diag *diag)
{
    if (par_root()) ty_diag_add(diag, TY_SEV_ERROR, NULL, "the ranks could not exchange their results (MPI)");
    return TY_ERR_IO;
}
