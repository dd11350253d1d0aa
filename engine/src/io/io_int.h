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
 * ("" when there is none; always one line) and clears the stack. */
void io_h5_error(char *buf, size_t size);

/* io_h5_error, and returns the system error (errno) behind the failure
 * when a file driver on the stack quotes one (ENOSPC, EFBIG, EIO...), else
 * 0. buf may be NULL with size 0. */
int io_h5_error_errno(char *buf, size_t size);

/* A new variable-length UTF-8 string type, or a negative id; the caller
 * closes it with H5Tclose. Only for reading files of format version 1. */
hid_t io_str_type(void);

/* A new fixed-length UTF-8 string type of len bytes plus the terminating
 * NUL (H5T_STR_NULLTERM), or a negative id; the caller closes it. Result
 * files of format version 2 store every string so, inline in its attribute
 * or dataset: nothing points into the global heap, which a damaged file can
 * turn into a crash inside libhdf5. */
hid_t io_str_type_fixed(size_t len);

/* ---- reading untrusted objects (io_util.c) -------------------------------
 * A result file may be damaged or crafted: these check an attribute's or a
 * dataset's (is_attr says which id is) shape and type before reading, so
 * that no read overflows the caller's buffer. On failure they return an
 * error and point *why at a fixed phrase ("is not an integer", "is not valid
 * UTF-8", ...) that the caller puts after the object's name. */

/* The rank (0 for a scalar, 1 to 3) of id's dataspace with its dimensions
 * in dims; -1 for a null dataspace, more than 3 dimensions, or an error. */
int io_shape(hid_t id, int is_attr, hsize_t dims[3]);

/* Reads id's n string elements (the caller has checked the shape) as a new
 * array of new NUL-terminated strings, each at most max bytes, valid UTF-8
 * (a string stops at its first NUL). Fixed-length strings always;
 * variable-length ones only with vlen_ok (files of format version 1).
 * Returns NULL with *why set on failure; io_free_strs(out, n) frees. */
char **io_read_strs(hid_t id, int is_attr, size_t n, int vlen_ok, size_t max, const char **why);
void io_free_strs(char **s, size_t n);

/* 1 when text[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF), else 0. */
int io_utf8_ok(const char *text, size_t n);

typedef enum io_num { IO_NUM_U64, IO_NUM_I32, IO_NUM_F64 } io_num;

/* Reads id's n numbers into out as uint64_t, int or double. U64 and I32
 * want an integer type (up to 64 bits) whose values fit (no negative
 * count); F64 takes any integer or a 32- or 64-bit float. Returns 0, or -1
 * with *why set. */
int io_read_nums(hid_t id, int is_attr, size_t n, io_num kind, void *out, const char **why);

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
    int close_failed;        /* H5Fclose failed: the id must never be closed again */
    int collective;          /* every rank has it open (ty_io_options.collective) */
    size_t tmp_cap;          /* bytes at tmp_path */
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

/* Records the first failure as one diagnostic on the final path and marks
 * the file failed; later failures are dropped. The diagnostic is "cannot
 * write: STRERROR" when HDF5's stack quotes a system error (a full disk, a
 * file size limit, an I/O error: what the user can act on, not HDF5's
 * internals), else "WHAT: HDF5's message", one line either way. Always
 * clears HDF5's error stack. */
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
 * string is stored as ""; strings are fixed-length (io_str_type_fixed). */
void io_w_attr_str(io_wctx *w, hid_t obj, const char *path, const char *name, const char *value);
void io_w_attr_int(io_wctx *w, hid_t obj, const char *path, const char *name, int value);
void io_w_attr_u64(io_wctx *w, hid_t obj, const char *path, const char *name, uint64_t value);
void io_w_attr_f64(io_wctx *w, hid_t obj, const char *path, const char *name, double value);

/* A 1-D float64 attribute of n values (percentile levels). */
void io_w_attr_f64s(io_wctx *w, hid_t obj, const char *path, const char *name, size_t n,
                    const double *values);

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

/* get(src, i) for i < n (NULL as "") packed as n fixed-length strings of
 * *len + 1 bytes each, *len the longest: a new buffer, or NULL when out of
 * memory. */
char *io_pack_strs(size_t n, const char *(*get)(const void *, size_t), const void *src, size_t *len);

/* A 1-D dataset of n fixed-length UTF-8 strings (io_str_type_fixed, sized
 * to the longest), get(src, i) for each i; NULL entries become "". Besides
 * its description it has the attribute _Encoding = "utf-8", by which netCDF
 * readers (xarray) decode it to text. io_w_strs_open returns the open
 * dataset (the caller closes it, or passes it to io_w_dim) or a negative id. */
hid_t io_w_strs_open(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
                     const char *(*get)(const void *, size_t), const void *src,
                     const char *description);
void io_w_strs(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
               const char *(*get)(const void *, size_t), const void *src,
               const char *description);

/* A scalar fixed-length string dataset (the scenario and batch files,
 * verbatim), with _Encoding as io_w_strs; NULL is stored as "". */
void io_w_text(io_wctx *w, hid_t loc, const char *lpath, const char *name, const char *text,
               const char *description);

/* ---- dimension scales: what netCDF readers name dimensions by --------------
 * xarray (through h5netcdf) names a dataset's dimension after the dataset
 * that is attached to it as a dimension scale (its link name, not the
 * scale's NAME), and gives it that dataset's values as coordinates; a
 * dataset with some dimensions scaled and others not cannot be opened. So
 * every dimension of every dataset gets a scale, in the same group (a
 * reader opening one group sees only its own coordinates). Every step is a
 * counted write (io_w_inject), like the datasets. */

/* Makes axis a dimension scale named name (HDF5's NAME attribute); path
 * names axis in diagnostics. */
void io_w_scale_set(io_wctx *w, hid_t axis, const char *name, const char *path);

/* Makes axis a dimension scale named name and attaches it to dimension 0 of
 * each of the n datasets in ds; path names axis in diagnostics. */
void io_w_scale(io_wctx *w, hid_t axis, const char *name, const hid_t *ds, size_t n,
                const char *path);

/* Attaches the scale axis (path: its name in diagnostics) to dimension
 * dim of each dataset of loc named in datasets (NULL-terminated; a name
 * that loc lacks is skipped: optional datasets). */
void io_w_attach(io_wctx *w, hid_t loc, const char *lpath, hid_t axis, unsigned dim,
                 const char *const *datasets, const char *path);

/* Makes axis, the open dataset loc/name, a dimension scale named name,
 * attaches it to dimension dim of each dataset of loc named in datasets (a
 * NULL-terminated list; a name that loc lacks is skipped: optional
 * datasets), then closes axis (also on failure). */
void io_w_dim(io_wctx *w, hid_t loc, const char *lpath, hid_t axis, const char *name, unsigned dim,
              const char *const *datasets);

/* Creates loc/name, a dimension of n without coordinates: a float32
 * dataset never written (so taking no space), with netCDF's NAME for a
 * dimension that is no variable, which readers list as a dimension only;
 * then its description. Returns it open for io_w_dim or io_w_attach_all
 * (the caller closes it), or a negative id. */
hid_t io_w_bare_dim(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
                    const char *description);

/* Makes the 1-D dataset loc/name a dimension scale of its own name: its
 * own coordinate (histogram edges, the warnings, the resume state). */
void io_w_self_scale(io_wctx *w, hid_t loc, const char *lpath, const char *name);

/* 1 when loc has a link name, 0 when not, -1 on failure (recorded) or
 * when w has already failed. */
int io_w_exists(io_wctx *w, hid_t loc, const char *lpath, const char *name);

/* The length of the first (in name order) of the 1-D datasets of the group
 * g, the per-sample columns, all as long; 0 for an empty group or when w
 * has failed (a dataset not 1-D fails). */
size_t io_w_rows(io_wctx *w, hid_t g, const char *gpath);

/* Attaches the scale axis (path: its name in diagnostics) to dimension dim
 * of every dataset in the group g (the per-sample columns, whose names are
 * the scenario's). */
void io_w_attach_all(io_wctx *w, hid_t g, const char *gpath, hid_t axis, unsigned dim,
                     const char *path);

/* Writes the whole schema of docs/results.md for r into w->f's open file:
 * root attributes, scenario/, runs/ and sweeps/ (io_write.c). */
void io_write_results(io_wctx *w, const ty_results *r);

#endif
