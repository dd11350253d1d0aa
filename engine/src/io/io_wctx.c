/* io_wctx.c - the write context's primitives: the sticky status and its one
 * diagnostic, fault injection, names, and the HDF5 groups, attributes,
 * datasets and dimension scales that the schema (io_write.c) and the
 * per-sample streaming (io_file.c) are written with. It knows no schema and
 * does not own the file: see io_int.h for the contracts. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include <hdf5_hl.h>

#include "io_int.h"
#include "util/fault.h"

/* Records the first failure: "cannot write: STRERROR" when a file driver
 * quoted the system error, else "WHAT: HDF5's message", on the final path. */
void io_w_fail(io_wctx *w, ty_status st, const char *fmt, ...)
{
    char h5[256], what[768];
    int e = io_h5_error_errno(h5, sizeof h5);
    if (w->st) return;
    /* MPI-IO (a collective file) quotes no system error: a failed write
     * to a folder left without space is a full disk all the same. */
    struct statvfs vfs;
    if (!e && w->f->collective && w->f->dir && statvfs(w->f->dir, &vfs) == 0
        && (double)vfs.f_bavail * (double)vfs.f_frsize < 1048576.0)
        e = ENOSPC;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    w->st = st;
    w->f->failed = 1;
    ty_pos pos = {w->f->final_path, 0, 0};
    if (e) ty_diag_add(w->diag, TY_SEV_ERROR, &pos, "cannot write: %s", strerror(e));
    else ty_diag_add(w->diag, TY_SEV_ERROR, &pos, "%s%s%s", what, h5[0] ? ": " : "", h5);
}

const char *io_at_name(io_at at)
{
    static const char *const names[] = {"write", "flush", "close", "fsync", "rename", "dirsync"};
    return (unsigned)at < sizeof names / sizeof names[0] ? names[at] : "?";
}

/* Counts one injection point; nonzero (and the failure recorded) when fault
 * injection says this operation fails: a write, flush or close as if the
 * disk were full, an fsync or rename as if the device failed. */
int io_w_inject_at(io_wctx *w, io_at at, const char *what)
{
    if (w->st) return 1;
    w->f->ops++;
    int env = fault_io(io_at_name(at));   /* the fault build's TYCHE_FAULT_IO; 0 in others */
    if (!env && (w->f->opt.fail_after_writes <= 0 || w->f->ops < w->f->opt.fail_after_writes))
        return 0;
    const char *reason = strerror(at == IO_AT_FSYNC || at == IO_AT_DIRSYNC || at == IO_AT_RENAME
                                  ? EIO : ENOSPC);
    (void)H5Eclear2(H5E_DEFAULT);
    io_w_fail(w, TY_ERR_IO, "%s: %s (injected fault at operation %ld, %s)", what, reason, w->f->ops,
              io_at_name(at));
    return 1;
}

int io_w_inject(io_wctx *w, const char *op, const char *path)
{
    char what[900];
    snprintf(what, sizeof what, "writing %s %s", op, path);
    return io_w_inject_at(w, IO_AT_WRITE, what);
}

/* A name that HDF5 can store as one link: not empty, ".", nor with '/'. */
int io_w_check_name(io_wctx *w, const char *what, const char *name)
{
    if (w->st) return -1;
    if (!name || !*name || strcmp(name, ".") == 0 || strchr(name, '/')) {
        io_w_fail(w, TY_ERR_INVALID, "%s name '%s' cannot name an HDF5 group or dataset", what,
                  name ? name : "(null)");
        return -1;
    }
    return 0;
}

void io_w_close(io_wctx *w, hid_t id, const char *path)
{
    if (id < 0) return;
    if (H5Oclose(id) < 0) io_w_fail(w, TY_ERR_IO, "closing %s", path);
}

/* Opens parent/name as a group, creating it when missing; with order set,
 * the group remembers the creation order of its links (runs, sweeps). */
hid_t io_w_group(io_wctx *w, hid_t parent, const char *ppath, const char *name, int order,
                 char *path, size_t size)
{
    io_join(path, size, ppath, name);
    if (w->st) return -1;
    htri_t exists = H5Lexists(parent, name, H5P_DEFAULT);
    if (exists < 0) { io_w_fail(w, TY_ERR_IO, "looking up %s", path); return -1; }
    if (exists) {
        hid_t g = H5Gopen2(parent, name, H5P_DEFAULT);
        if (g < 0) io_w_fail(w, TY_ERR_IO, "opening group %s", path);
        return g;
    }
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl < 0) { io_w_fail(w, TY_ERR_IO, "creating group %s", path); return -1; }
    if (order && H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0) {
        H5Pclose(gcpl);
        io_w_fail(w, TY_ERR_IO, "creating group %s", path);
        return -1;
    }
    hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (g < 0) io_w_fail(w, TY_ERR_IO, "creating group %s", path);
    return g;
}

/* Writes a scalar attribute. */
static void attr_scalar(io_wctx *w, hid_t obj, const char *path, const char *name, hid_t ftype,
                        hid_t mtype, const void *buf)
{
    if (w->st) return;
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = sp < 0 ? -1 : H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    char what[600];
    snprintf(what, sizeof what, "attribute '%s' of", name);
    if (a < 0) io_w_fail(w, TY_ERR_IO, "creating %s %s", what, path);
    else if (!io_w_inject(w, what, path) && H5Awrite(a, mtype, buf) < 0)
        io_w_fail(w, TY_ERR_IO, "writing %s %s", what, path);
    if (a >= 0 && H5Aclose(a) < 0) io_w_fail(w, TY_ERR_IO, "closing %s %s", what, path);
    if (sp >= 0) H5Sclose(sp);
}

void io_w_attr_str(io_wctx *w, hid_t obj, const char *path, const char *name, const char *value)
{
    if (w->st) return;
    const char *v = value ? value : "";
    hid_t t = io_str_type_fixed(strlen(v));
    if (t < 0) { io_w_fail(w, TY_ERR_IO, "making a string type for %s", path); return; }
    attr_scalar(w, obj, path, name, t, t, v);
    H5Tclose(t);
}

void io_w_attr_int(io_wctx *w, hid_t obj, const char *path, const char *name, int value)
{
    attr_scalar(w, obj, path, name, H5T_STD_I32LE, H5T_NATIVE_INT, &value);
}

void io_w_attr_u64(io_wctx *w, hid_t obj, const char *path, const char *name, uint64_t value)
{
    attr_scalar(w, obj, path, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void io_w_attr_f64(io_wctx *w, hid_t obj, const char *path, const char *name, double value)
{
    attr_scalar(w, obj, path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

/* A 1-D float64 attribute of n values (the levels of a percentile table):
 * one counted write, as a scalar attribute. */
void io_w_attr_f64s(io_wctx *w, hid_t obj, const char *path, const char *name, size_t n,
                    const double *values)
{
    if (w->st) return;
    hsize_t dims[1] = {n};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t a = sp < 0 ? -1 : H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    char what[600];
    snprintf(what, sizeof what, "attribute '%s' of", name);
    if (a < 0) io_w_fail(w, TY_ERR_IO, "creating %s %s", what, path);
    else if (!io_w_inject(w, what, path) && n > 0 && H5Awrite(a, H5T_NATIVE_DOUBLE, values) < 0)
        io_w_fail(w, TY_ERR_IO, "writing %s %s", what, path);
    if (a >= 0 && H5Aclose(a) < 0) io_w_fail(w, TY_ERR_IO, "closing %s %s", what, path);
    if (sp >= 0) H5Sclose(sp);
}

/* Creates and writes loc/name with the given shape, then its "units" and
 * "description" attributes (either may be NULL). Returns the open dataset
 * (the caller closes it with io_w_close) or a negative id. */
hid_t io_w_dataset(io_wctx *w, hid_t loc, const char *lpath, const char *name, hid_t ftype,
                   hid_t mtype, int rank, const hsize_t *dims, const void *data,
                   const char *units, const char *description)
{
    char path[768];
    io_join(path, sizeof path, lpath, name);
    if (w->st) return -1;
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t d = sp < 0 ? -1 : H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (sp >= 0) H5Sclose(sp);
    if (d < 0) { io_w_fail(w, TY_ERR_IO, "creating dataset %s", path); return -1; }
    hsize_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    if (n > 0 && !io_w_inject(w, "dataset", path)
        && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        io_w_fail(w, TY_ERR_IO, "writing dataset %s", path);
    if (units) io_w_attr_str(w, d, path, "units", units);
    if (description) io_w_attr_str(w, d, path, "description", description);
    if (w->st) { H5Dclose(d); return -1; }
    return d;
}

void io_w_f64(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
              const double *data, const char *units, const char *description)
{
    hsize_t dims[1] = {n};
    hid_t d = io_w_dataset(w, loc, lpath, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims, data,
                           units, description);
    io_w_close(w, d, name);
}

void io_w_u64(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
              const uint64_t *data, const char *units, const char *description)
{
    hsize_t dims[1] = {n};
    hid_t d = io_w_dataset(w, loc, lpath, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, dims, data,
                           units, description);
    io_w_close(w, d, name);
}

/* A 1-D dataset of n UTF-8 strings, fixed-length (io_str_type_fixed) at
 * the longest one's length; NULL entries become "". */
char *io_pack_strs(size_t n, const char *(*get)(const void *, size_t), const void *src, size_t *len)
{
    size_t l = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = get(src, i);
        if (s && strlen(s) > l) l = strlen(s);
    }
    char *v = n && l + 1 <= SIZE_MAX / n ? calloc(n, l + 1) : malloc(1);
    for (size_t i = 0; v && i < n; i++) {
        const char *s = get(src, i);
        if (s) memcpy(v + i * (l + 1), s, strlen(s));
    }
    *len = l;
    return v;
}

/* The attribute _Encoding = "utf-8" of a string dataset: what netCDF
 * readers (xarray) decode fixed-length strings by, to text rather than bytes. */
static void attr_encoding(io_wctx *w, hid_t d, const char *path)
{
    io_w_attr_str(w, d, path, "_Encoding", "utf-8");
}

hid_t io_w_strs_open(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
                     const char *(*get)(const void *, size_t), const void *src,
                     const char *description)
{
    if (w->st) return -1;
    size_t len;
    char *v = io_pack_strs(n, get, src, &len);
    hid_t t = v ? io_str_type_fixed(len) : -1;
    if (!v || t < 0) {
        if (!v) io_w_fail(w, TY_ERR_NOMEM, "writing %s/%s: out of memory", lpath, name);
        else io_w_fail(w, TY_ERR_IO, "making a string type for %s/%s", lpath, name);
        free(v);
        return -1;
    }
    hsize_t dims[1] = {n};
    char path[768];
    io_join(path, sizeof path, lpath, name);
    hid_t d = io_w_dataset(w, loc, lpath, name, t, t, 1, dims, v, NULL, description);
    if (d >= 0) attr_encoding(w, d, path);
    H5Tclose(t);
    free(v);
    if (w->st && d >= 0) { H5Dclose(d); return -1; }
    return d;
}

void io_w_strs(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
               const char *(*get)(const void *, size_t), const void *src,
               const char *description)
{
    hid_t d = io_w_strs_open(w, loc, lpath, name, n, get, src, description);
    io_w_close(w, d, name);
}

/* A scalar string dataset (the scenario and batch files, verbatim),
 * fixed-length at its own length. */
void io_w_text(io_wctx *w, hid_t loc, const char *lpath, const char *name, const char *text,
               const char *description)
{
    char path[768];
    io_join(path, sizeof path, lpath, name);
    if (w->st) return;
    const char *v = text ? text : "";
    hid_t t = io_str_type_fixed(strlen(v));
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t d = t < 0 || sp < 0 ? -1 : H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d < 0) io_w_fail(w, TY_ERR_IO, "creating dataset %s", path);
    else if (!io_w_inject(w, "dataset", path) && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        io_w_fail(w, TY_ERR_IO, "writing dataset %s", path);
    if (d >= 0) io_w_attr_str(w, d, path, "description", description);
    if (d >= 0) attr_encoding(w, d, path);
    if (d >= 0 && H5Dclose(d) < 0) io_w_fail(w, TY_ERR_IO, "closing %s", path);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
}

/* Makes axis a dimension scale named name: one counted write. */
void io_w_scale_set(io_wctx *w, hid_t axis, const char *name, const char *path)
{
    if (w->st || axis < 0) return;
    if (io_w_inject(w, "dimension scale", path)) return;
    if (H5DSset_scale(axis, name) < 0) io_w_fail(w, TY_ERR_IO, "making %s a dimension scale", path);
}

/* Attaches the scale axis to dimension dim of the open dataset d (whose
 * path is dpath): one counted write. */
static void attach(io_wctx *w, hid_t d, hid_t axis, unsigned dim, const char *dpath, const char *path)
{
    if (w->st || io_w_inject(w, "dimension scale attachment", path)) return;
    if (H5DSattach_scale(d, axis, dim) < 0)
        io_w_fail(w, TY_ERR_IO, "attaching dimension scale %s to %s", path, dpath);
}

/* Makes axis a dimension scale named name and attaches it to dimension 0 of
 * each dataset in ds (one counted write each, as the scale itself). */
void io_w_scale(io_wctx *w, hid_t axis, const char *name, const hid_t *ds, size_t n,
                const char *path)
{
    io_w_scale_set(w, axis, name, path);
    for (size_t i = 0; i < n && !w->st; i++) attach(w, ds[i], axis, 0, path, path);
}

/* Opens loc/name (a dataset), runs attach, closes it. */
static void attach_named(io_wctx *w, hid_t loc, const char *lpath, const char *name, hid_t axis,
                         unsigned dim, const char *path)
{
    char dpath[768];
    io_join(dpath, sizeof dpath, lpath, name);
    if (w->st) return;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) { io_w_fail(w, TY_ERR_IO, "opening dataset %s", dpath); return; }
    attach(w, d, axis, dim, dpath, path);
    if (H5Dclose(d) < 0) io_w_fail(w, TY_ERR_IO, "closing %s", dpath);
}

void io_w_attach(io_wctx *w, hid_t loc, const char *lpath, hid_t axis, unsigned dim,
                 const char *const *datasets, const char *path)
{
    for (size_t i = 0; datasets && datasets[i] && !w->st; i++) {
        htri_t e = H5Lexists(loc, datasets[i], H5P_DEFAULT);
        if (e < 0) io_w_fail(w, TY_ERR_IO, "looking up %s/%s", lpath, datasets[i]);
        else if (e > 0) attach_named(w, loc, lpath, datasets[i], axis, dim, path);
    }
}

void io_w_dim(io_wctx *w, hid_t loc, const char *lpath, hid_t axis, const char *name, unsigned dim,
              const char *const *datasets)
{
    char path[768];
    io_join(path, sizeof path, lpath, name);
    io_w_scale_set(w, axis, name, path);
    io_w_attach(w, loc, lpath, axis, dim, datasets, path);
    io_w_close(w, axis, path);
}

/* netCDF-4's NAME of a dimension without a coordinate variable: readers
 * (netCDF, h5netcdf, xarray) take the dimension but list no variable. */
#define IO_BARE_DIM "This is a netCDF dimension but not a netCDF variable."

hid_t io_w_bare_dim(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
                    const char *description)
{
    char path[768], tag[128];
    io_join(path, sizeof path, lpath, name);
    if (w->st) return -1;
    hsize_t dims[1] = {n};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    /* Contiguous and never written: HDF5 allocates no storage for it. */
    hid_t d = sp < 0 ? -1 : H5Dcreate2(loc, name, H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (sp >= 0) H5Sclose(sp);
    if (d < 0) { io_w_fail(w, TY_ERR_IO, "creating dataset %s", path); return -1; }
    if (!io_w_inject(w, "dimension", path)) io_w_attr_str(w, d, path, "description", description);
    snprintf(tag, sizeof tag, "%s%10zu", IO_BARE_DIM, n);
    io_w_scale_set(w, d, tag, path);
    if (w->st) { H5Dclose(d); return -1; }
    return d;
}

void io_w_self_scale(io_wctx *w, hid_t loc, const char *lpath, const char *name)
{
    char path[768];
    io_join(path, sizeof path, lpath, name);
    if (w->st) return;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) { io_w_fail(w, TY_ERR_IO, "opening dataset %s", path); return; }
    io_w_scale_set(w, d, name, path);
    io_w_close(w, d, path);
}

int io_w_exists(io_wctx *w, hid_t loc, const char *lpath, const char *name)
{
    if (w->st) return -1;
    htri_t e = H5Lexists(loc, name, H5P_DEFAULT);
    if (e < 0) io_w_fail(w, TY_ERR_IO, "looking up %s/%s", lpath, name);
    return e < 0 ? -1 : e > 0;
}

size_t io_w_rows(io_wctx *w, hid_t g, const char *gpath)
{
    H5G_info_t info;
    hsize_t n = 0;
    if (w->st) return 0;
    if (H5Gget_info(g, &info) < 0) { io_w_fail(w, TY_ERR_IO, "listing %s", gpath); return 0; }
    if (info.nlinks == 0) return 0;
    hid_t d = H5Oopen_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, 0, H5P_DEFAULT);
    hid_t sp = d < 0 ? -1 : H5Dget_space(d);
    if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 1 || H5Sget_simple_extent_dims(sp, &n, NULL) != 1)
        io_w_fail(w, TY_ERR_IO, "reading the length of the columns of %s", gpath);
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Oclose(d);
    return (size_t)n;
}

void io_w_attach_all(io_wctx *w, hid_t g, const char *gpath, hid_t axis, unsigned dim,
                     const char *path)
{
    if (w->st) return;
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0) { io_w_fail(w, TY_ERR_IO, "listing %s", gpath); return; }
    for (hsize_t i = 0; i < info.nlinks && !w->st; i++) {
        char name[512];
        ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                                         H5P_DEFAULT);
        if (len < 0 || (size_t)len >= sizeof name) {
            io_w_fail(w, TY_ERR_IO, "listing %s", gpath);
            break;
        }
        attach_named(w, g, gpath, name, axis, dim, path);
    }
}
