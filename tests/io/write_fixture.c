/* write_fixture.c - writes the synthetic result file of io_fixture.h for
 * the schema check and the `tyche show` test:
 *   write_fixture PATH [valid|plain|foreign|newer]
 * valid (the default): two variants (with their outcomes' spread, queries
 * of the three kinds, the second variant's differences and both runs'
 * paired-difference groups), a sweep, per-sample columns for the first
 * variant; plain: the same without per-sample columns (a base file of
 * tests/io/fuzz_results.py); foreign: an HDF5 file that is not a tyche
 * result; newer: a valid file claiming the next format version. Exit 0 on
 * success. */
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

#include "io_fixture.h"

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: write_fixture PATH [valid|plain|foreign|newer]\n");
        return 2;
    }
    const char *path = argv[1], *mode = argc == 3 ? argv[2] : "valid";
    if (strcmp(mode, "foreign") == 0) {
        hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        if (f < 0 || H5Fclose(f) < 0) return 1;
        return 0;
    }
    ty_results *r = fx_results(0);
    ty_diag *d = ty_diag_new(10);
    ty_status st = strcmp(mode, "plain") == 0 ? ty_results_write(r, path, NULL, d)
                                              : fx_write_with_samples(r, path, 100000, NULL, d);
    for (size_t i = 0; i < ty_diag_count(d); i++)
        fprintf(stderr, "write_fixture: %s\n", ty_diag_get(d, i)->message);
    ty_results_free(r);
    ty_diag_free(d);
    if (st != TY_OK) return 1;
    if (strcmp(mode, "newer") == 0) {
        hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
        hid_t a = f < 0 ? -1 : H5Aopen(f, "format_version", H5P_DEFAULT);
        int v = TY_IO_FORMAT_VERSION + 1;
        if (a < 0 || H5Awrite(a, H5T_NATIVE_INT, &v) < 0) return 1;
        H5Aclose(a);
        H5Fclose(f);
    }
    return 0;
}
