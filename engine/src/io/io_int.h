/* io_int.h - pieces shared by the files of the io module: the HDF5 error
 * text and the UTF-8 string type (io_util.c), the result-file handle and the
 * write context with its primitives (io_wctx.c), and the schema writer
 * (io_write.c). Only the io module includes hdf5.h; nothing here is public. */
#ifndef TYCHE_IO_INT_H
#define TYCHE_IO_INT_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "tyche/io.h"

/* Copies the most specific message of HDF5's current error stack into buf
 * ("" when there is none) and clears the stack. */
void io_h5_error(char *buf, size_t size);

/* A new variable-length UTF-8 string type, or a negative id; the caller
 * closes it with H5Tclose. */
hid_t io_str_type(void);

/* Turns HDF5's automatic error printing off for this thread's default
 * stack (the library never prints). */
void io_quiet(void);

/* buf = parent/name as an HDF5 path ("/" + name for the root). */
void io_join(char *buf, size_t size, const char *parent, const char *name);

/* ---- writing (io_file.c, io_wctx.c, io_write.c) -------------------------- */

/* The result file being written (io_file.c owns its life). */
struct ty_result_file {
    char *final_path, *tmp_path, *dir;
    hid_t file;
    ty_io_options opt;
    long ops;                /* fault-injection points passed so far (io_w_inject) */
    int failed;              /* a call failed; only finish (which aborts) or abort remain */
    hid_t *cols;             /* the current per-sample column set */
    size_t ncols;
    hsize_t nrows;
    uint64_t expect;         /* samples the next column set gets at most; 0: unknown */
    char cols_path[512];
};

/* One public call's write context. The status is sticky: after the first
 * failure every io_w_* helper does nothing (returning -1 where it returns an
 * id), so the schema code reads top to bottom and checks once at the end. */
typedef struct io_wctx {
    ty_result_file *f;
    ty_diag *diag;
    ty_status st;
} io_wctx;

/* Records the first failure as one diagnostic on the final path, "WHAT:
 * HDF5's message", and marks the file failed; later failures are dropped.
 * Always clears HDF5's error stack. */
void io_w_fail(io_wctx *w, ty_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The kinds of fault-injection point, in the order a write passes them:
 * every dataset/attribute write and dimension-scale step (IO_AT_WRITE,
 * including each column of each samples_append), then finish's H5Fflush,
 * H5Fclose, fsync of the temporary file, rename into place and fsync of the
 * folder. io_at_name gives each one's name ("write", "flush", "close",
 * "fsync", "rename", "dirsync"), which the injected diagnostic ends with. */
typedef enum io_at {
    IO_AT_WRITE, IO_AT_FLUSH, IO_AT_CLOSE, IO_AT_FSYNC, IO_AT_RENAME, IO_AT_DIRSYNC
} io_at;

const char *io_at_name(io_at at);

/* Counts one injection point (one counter across all kinds, so "fail the
 * Nth" for N = 1, 2, ... reaches every point of a write in order); returns
 * nonzero, with the failure recorded on w, when fault injection
 * (ty_io_options.fail_after_writes = N) says this operation fails: the Nth
 * point and every later one (the failure is sticky anyway). The
 * diagnostic is "WHAT: REASON (injected fault at operation N, KIND)", WHAT
 * being e.g. "writing dataset /x" or "flushing the file". Does nothing
 * (returns nonzero) when w has already failed. */
int io_w_inject_at(io_wctx *w, io_at at, const char *what);

/* io_w_inject_at(w, IO_AT_WRITE, "writing OP PATH"). */
int io_w_inject(io_wctx *w, const char *op, const char *path);

/* 0 when name can be stored as one HDF5 link (not empty, ".", nor with
 * '/'); otherwise records TY_ERR_INVALID naming it as a WHAT, and returns -1
 * (also when the context has already failed). */
int io_w_check_name(io_wctx *w, const char *what, const char *name);

/* Closes an object opened by the helpers below; a negative id is a no-op. */
void io_w_close(io_wctx *w, hid_t id, const char *path);

/* Opens parent/name as a group, creating it when missing, and writes its
 * path into path; with order set, a new group remembers the creation order
 * of its links (runs, sweeps). Returns the group or a negative id. */
hid_t io_w_group(io_wctx *w, hid_t parent, const char *ppath, const char *name, int order,
                 char *path, size_t size);

/* Scalar attributes of obj (whose path is path, for diagnostics). A NULL
 * string is stored as "". */
void io_w_attr_str(io_wctx *w, hid_t obj, const char *path, const char *name, const char *value);
void io_w_attr_int(io_wctx *w, hid_t obj, const char *path, const char *name, int value);
void io_w_attr_u64(io_wctx *w, hid_t obj, const char *path, const char *name, uint64_t value);
void io_w_attr_f64(io_wctx *w, hid_t obj, const char *path, const char *name, double value);

/* Creates and writes loc/name with the given shape, then its "units" and
 * "description" attributes (either may be NULL). Returns the open dataset
 * (the caller closes it with io_w_close) or a negative id. */
hid_t io_w_dataset(io_wctx *w, hid_t loc, const char *lpath, const char *name, hid_t ftype,
                   hid_t mtype, int rank, const hsize_t *dims, const void *data,
                   const char *units, const char *description);

/* 1-D datasets of n doubles or n uint64s, written and closed. */
void io_w_f64(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
              const double *data, const char *units, const char *description);
void io_w_u64(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
              const uint64_t *data, const char *units, const char *description);

/* A 1-D dataset of n variable-length UTF-8 strings, get(src, i) for each i;
 * NULL entries become "". */
void io_w_strs(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
               const char *(*get)(const void *, size_t), const void *src,
               const char *description);

/* A scalar string dataset (the scenario and batch files, verbatim); NULL is
 * stored as "". */
void io_w_text(io_wctx *w, hid_t loc, const char *lpath, const char *name, const char *text,
               const char *description);

/* Makes axis a dimension scale named name and attaches it to dimension 0 of
 * each of the n datasets in ds; path names axis in diagnostics. */
void io_w_scale(io_wctx *w, hid_t axis, const char *name, const hid_t *ds, size_t n,
                const char *path);

/* Writes the whole schema of docs/results.md for r into w->f's open file:
 * root attributes, scenario/, runs/ and sweeps/ (io_write.c). */
void io_write_results(io_wctx *w, const ty_results *r);

#endif
