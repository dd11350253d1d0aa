/* fuzz_results.c - the result-file reader on arbitrary bytes: the input is
 * written as a file (the reader takes a path) and read with ty_results_read,
 * as `tyche show` and `tyche run --resume` do. A read either fails with a
 * diagnostic or returns results whose view is walked. Seeds are small
 * result files made by tyche (tests/fuzz/seeds/results/); libFuzzer's
 * mutations of HDF5's binary layout reach the reader's checks of shapes,
 * types and counts. */
#include "fuzz_util.h"
#include "tyche/io.h"
#include "tyche/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_write("fuzz.h5", data, size);
    ty_diag *diag = ty_diag_new(20);
    if (!diag) return 0;
    ty_results *r = NULL;
    ty_status st = ty_results_read(path, &r, diag);
    if ((st == TY_OK) != (r != NULL)) abort();
    if (st != TY_OK && st != TY_ERR_NOMEM && ty_diag_errors(diag) == 0) abort();
    ty_results_free(r);
    ty_diag_free(diag);
    return 0;
}
