/* io_file.c - the result file as a file: the temporary name beside the
 * final path, create, the per-sample streaming datasets (samples/), and
 * finish's flush, fsync and rename that make the write atomic, or abort's
 * removal. What goes into the file at finish is io_write.c's schema; the
 * HDF5 write primitives are io_wctx.c. */
#include "tyche/io.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io_int.h"

#define SAMPLE_CHUNK 65536   /* elements per chunk of a samples/ column: 512 KiB */
#define SAMPLE_DESCRIPTION "value of this factor, derived value or outcome in each sample, in sample order"

void ty_io_options_init(ty_io_options *opt)
{
    opt->compression_level = 0;   /* none by default: see io.h */
    opt->shuffle = 1;
    opt->fail_after_writes = 0;
}

/* Test hook: when the environment variable TYCHE_TEST_KILL_AT names point,
 * the process raises SIGKILL there, so that an end-to-end test
 * (tests/cli/atomic.sh) can kill -9 a write at an exact step instead of by
 * timing. The points: "append" (a samples_append after at least one append
 * has landed in the temporary file), and in finish, after the schema is
 * written, "flush" (before H5Fflush), "close" (before H5Fclose), "fsync"
 * (before the fsync of the closed temporary file), "rename" (before the
 * rename into place) and "dirsync" (after the rename, before the fsync of
 * the folder). Unset in normal use; costs one getenv per step. */
static void test_kill_at(const char *point)
{
    const char *at = getenv("TYCHE_TEST_KILL_AT");
    if (at && strcmp(at, point) == 0) raise(SIGKILL);
}

/* A malloc'd copy of s, or NULL. */
static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finaliser: spreads the clock, pid and address bits. */
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* Closes the current per-sample column set (a failed close is recorded on
 * w) and forgets it. */
static void close_cols(io_wctx *w)
{
    ty_result_file *f = w->f;
    for (size_t i = 0; i < f->ncols; i++)
        if (f->cols[i] >= 0 && H5Dclose(f->cols[i]) < 0)
            io_w_fail(w, TY_ERR_IO, "closing %s", f->cols_path);
    free(f->cols);
    f->cols = NULL;
    f->ncols = 0;
    f->nrows = 0;
}

/* Frees f and its strings; touches neither HDF5 nor the disk. */
static void release(ty_result_file *f)
{
    free(f->final_path);
    free(f->tmp_path);
    free(f->dir);
    free(f->cols);
    free(f);
}

/* See io.h. */
void ty_result_file_abort(ty_result_file *f)
{
    if (!f) return;
    io_wctx w = {f, NULL, TY_OK};
    close_cols(&w);
    if (f->file >= 0) (void)H5Fclose(f->file);   /* close degree strong: closes all */
    (void)H5Eclear2(H5E_DEFAULT);
    if (f->tmp_path) (void)unlink(f->tmp_path);
    release(f);
}

/* Fills f's final_path, dir (final_path's folder, "." when it names none)
 * and a tmp_path buffer long enough for any temporary name. Checks that
 * final_path names a file in an existing folder. On error adds the one
 * diagnostic; the caller releases f either way. */
static ty_status set_paths(ty_result_file *f, const char *final_path, const ty_pos *pos, ty_diag *diag)
{
    const char *slash = strrchr(final_path, '/');
    const char *base = slash ? slash + 1 : final_path;
    size_t dlen = slash ? (slash == final_path ? 1 : (size_t)(slash - final_path)) : 1;
    f->final_path = dup_str(final_path);
    f->dir = malloc(dlen + 1);
    f->tmp_path = malloc(dlen + strlen(base) + 64);
    if (!f->final_path || !f->dir || !f->tmp_path) {
        ty_diag_add(diag, TY_SEV_ERROR, pos, "out of memory");
        return TY_ERR_NOMEM;
    }
    if (slash) memcpy(f->dir, final_path, dlen);
    else f->dir[0] = '.';
    f->dir[dlen] = '\0';
    if (!*base) {
        ty_diag_add(diag, TY_SEV_ERROR, pos, "a result file needs a file name, not a folder");
        return TY_ERR_IO;
    }
    struct stat st;
    if (stat(f->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        int e = errno;
        ty_diag_add(diag, TY_SEV_ERROR, pos, "folder '%s' %s", f->dir,
                    stat(f->dir, &st) != 0 ? (e == ENOENT ? "does not exist" : strerror(e))
                                           : "is not a folder");
        return TY_ERR_IO;
    }
    return TY_OK;
}

/* Creates f->file under a fresh temporary name ".BASE.tmp-PID-RANDOM" in
 * f->dir (HDF5's exclusive create; up to 16 names while they clash), with
 * close degree strong so that closing the file closes every object in it.
 * On error adds the one diagnostic and leaves f->file negative. */
static ty_status create_tmp(ty_result_file *f, const ty_pos *pos, ty_diag *diag)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) {
        char h5[256];
        io_h5_error(h5, sizeof h5);
        if (fapl >= 0) H5Pclose(fapl);
        ty_diag_add(diag, TY_SEV_ERROR, pos, "setting up HDF5 file access: %s", h5);
        return TY_ERR_IO;
    }
    const char *slash = strrchr(f->final_path, '/');
    const char *base = slash ? slash + 1 : f->final_path;
    const char *sep = slash ? "/" : "";
    const char *d = slash ? (strcmp(f->dir, "/") == 0 ? "" : f->dir) : "";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)(uintptr_t)f;
    for (int attempt = 0; attempt < 16 && f->file < 0; attempt++) {
        sprintf(f->tmp_path, "%s%s.%s.tmp-%ld-%08llx", d, sep, base, (long)getpid(),
                (unsigned long long)(mix64(seed + (uint64_t)attempt) & 0xffffffffu));
        f->file = H5Fcreate(f->tmp_path, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
        if (f->file < 0 && access(f->tmp_path, F_OK) != 0) break;   /* not a name clash */
    }
    H5Pclose(fapl);
    if (f->file < 0) {
        char h5[256];
        io_h5_error(h5, sizeof h5);
        int e = access(f->dir, W_OK) != 0 ? errno : 0;
        ty_diag_add(diag, TY_SEV_ERROR, pos, "cannot create temporary file '%s': %s", f->tmp_path,
                    e ? strerror(e) : h5);
        return TY_ERR_IO;
    }
    return TY_OK;
}

/* See io.h. */
ty_status ty_result_file_create(const char *final_path, const ty_io_options *opt,
                                ty_result_file **out, ty_diag *diag)
{
    *out = NULL;
    io_quiet();
    ty_pos pos = {final_path, 0, 0};
    ty_result_file *f = calloc(1, sizeof *f);
    if (!f) { ty_diag_add(diag, TY_SEV_ERROR, &pos, "out of memory"); return TY_ERR_NOMEM; }
    f->file = -1;
    if (opt) f->opt = *opt;
    else ty_io_options_init(&f->opt);
    ty_status st = set_paths(f, final_path, &pos, diag);
    if (st == TY_OK) st = create_tmp(f, &pos, diag);
    if (st != TY_OK) {
        release(f);
        return st;
    }
    *out = f;
    return TY_OK;
}

/* Nonzero, with the failure recorded on w, when an earlier call on w->f
 * failed: then only finish (which aborts) or abort remain. */
static int refuse_after_failure(io_wctx *w)
{
    if (!w->f->failed) return 0;
    io_w_fail(w, TY_ERR_IO, "an earlier write failed");
    return 1;
}

/* The creation properties of a samples/ column: chunked, and shuffled and
 * deflated when f's options ask for compression. Returns -1 with the failure
 * recorded on w (or already failed). */
static hid_t sample_dcpl(io_wctx *w)
{
    const ty_io_options *o = &w->f->opt;
    int level = o->compression_level > 9 ? 9 : o->compression_level;
    hid_t dcpl = w->st ? -1 : H5Pcreate(H5P_DATASET_CREATE);
    /* A chunk is allocated whole, so a run of few samples gets chunks no
     * larger than it needs (the next power of two): the file stays
     * proportional to samples x columns. */
    hsize_t chunk[1] = {SAMPLE_CHUNK};
    while (w->f->expect && chunk[0] / 2 >= w->f->expect) chunk[0] /= 2;
    if (!w->st && (dcpl < 0 || H5Pset_chunk(dcpl, 1, chunk) < 0
                   || (o->shuffle && level > 0 && H5Pset_shuffle(dcpl) < 0)
                   || (level > 0 && H5Pset_deflate(dcpl, (unsigned)level) < 0))) {
        io_w_fail(w, TY_ERR_IO, "setting up chunked, compressed datasets in %s", w->f->cols_path);
        if (dcpl >= 0) H5Pclose(dcpl);
        return -1;
    }
    return dcpl;
}

void ty_result_file_samples_expect(ty_result_file *f, uint64_t n)
{
    f->expect = n;
}

/* See io.h. Opens (or creates) /runs/VARIANT/samples and creates one empty,
 * extendible column per name; the set stays open in f until the next begin,
 * finish or abort. */
ty_status ty_result_file_samples_begin(ty_result_file *f, const char *variant, size_t ncolumns,
                                       const char *const *names,
                                       const char *const *descriptions, ty_diag *diag)
{
    io_wctx w = {f, diag, TY_OK};
    if (refuse_after_failure(&w)) return w.st;
    close_cols(&w);
    if (io_w_check_name(&w, "variant", variant)) return w.st;
    for (size_t c = 0; c < ncolumns; c++)
        if (io_w_check_name(&w, "sample column", names[c])) return w.st;
    char path[512], rpath[512];
    hid_t runs = io_w_group(&w, f->file, "/", "runs", 1, path, sizeof path);
    hid_t run = io_w_group(&w, runs, path, variant, 0, rpath, sizeof rpath);
    hid_t g = io_w_group(&w, run, rpath, "samples", 0, f->cols_path, sizeof f->cols_path);
    io_w_close(&w, run, rpath);
    io_w_close(&w, runs, path);
    if (!w.st && !(f->cols = malloc((ncolumns ? ncolumns : 1) * sizeof *f->cols)))
        io_w_fail(&w, TY_ERR_NOMEM, "writing %s: out of memory", f->cols_path);
    hid_t dcpl = sample_dcpl(&w);
    hsize_t zero[1] = {0}, unlimited[1] = {H5S_UNLIMITED};
    hid_t sp = w.st ? -1 : H5Screate_simple(1, zero, unlimited);
    if (!w.st && sp < 0) io_w_fail(&w, TY_ERR_IO, "making a dataspace for %s", f->cols_path);
    for (size_t c = 0; c < ncolumns && !w.st; c++) {
        char cpath[768];
        io_join(cpath, sizeof cpath, f->cols_path, names[c]);
        hid_t d = H5Dcreate2(g, names[c], H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        if (d < 0) { io_w_fail(&w, TY_ERR_IO, "creating dataset %s", cpath); break; }
        f->cols[f->ncols++] = d;
        const char *desc = descriptions && descriptions[c] ? descriptions[c] : SAMPLE_DESCRIPTION;
        io_w_attr_str(&w, d, cpath, "description", desc);
    }
    if (sp >= 0) H5Sclose(sp);
    if (dcpl >= 0) H5Pclose(dcpl);
    io_w_close(&w, g, f->cols_path);
    return w.st;
}

/* See io.h. Extends every column of the current set by n rows and writes
 * them (one counted write per column); nrows grows only when all succeed. */
ty_status ty_result_file_samples_append(ty_result_file *f, size_t n, const double *const *columns,
                                        ty_diag *diag)
{
    io_wctx w = {f, diag, TY_OK};
    if (refuse_after_failure(&w)) return w.st;
    if (n == 0) return TY_OK;
    if (f->nrows > 0) test_kill_at("append");
    hsize_t start[1] = {f->nrows}, count[1] = {n}, size[1] = {f->nrows + n};
    hid_t ms = H5Screate_simple(1, count, NULL);
    if (ms < 0) io_w_fail(&w, TY_ERR_IO, "making a dataspace for %s", f->cols_path);
    for (size_t c = 0; c < f->ncols && !w.st; c++) {
        hid_t d = f->cols[c], fs = -1;
        char cpath[768];
        if (H5Iget_name(d, cpath, sizeof cpath) < 0) snprintf(cpath, sizeof cpath, "%s", f->cols_path);
        if (H5Dset_extent(d, size) < 0 || (fs = H5Dget_space(d)) < 0
            || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0)
            io_w_fail(&w, TY_ERR_IO, "extending dataset %s", cpath);
        else if (!io_w_inject(&w, "dataset", cpath)
                 && H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, columns[c]) < 0)
            io_w_fail(&w, TY_ERR_IO, "writing dataset %s", cpath);
        if (fs >= 0) H5Sclose(fs);
    }
    if (ms >= 0) H5Sclose(ms);
    if (!w.st) f->nrows += n;
    return w.st;
}

/* fsyncs the file (dir 0) or folder (dir 1) at path, first passing its
 * injection point; on error records the failure on w ("syncing ... to
 * disk", then note). Does nothing when w has already failed. */
static void sync_path(io_wctx *w, const char *path, int dir, const char *note)
{
    char what[1100];
    snprintf(what, sizeof what, "syncing %s '%s' to disk%s", dir ? "folder" : "file", path, note);
    if (io_w_inject_at(w, dir ? IO_AT_DIRSYNC : IO_AT_FSYNC, what)) return;
    int fd = open(path, O_RDONLY | (dir ? O_DIRECTORY : 0));
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        io_w_fail(w, TY_ERR_IO, "syncing %s '%s' to disk: %s%s", dir ? "folder" : "file", path,
                  strerror(e), note);
        return;
    }
    close(fd);
}

/* See io.h. The order is what makes the write atomic: schema, flush, close,
 * fsync the file, rename, fsync the folder; any failure up to and including
 * the rename aborts, removing the temporary file and leaving a file at the
 * final path untouched. Each of these steps is a fault-injection point
 * (io_w_inject_at) and a TYCHE_TEST_KILL_AT point. A failure of the last
 * step, the folder's fsync, comes after the rename: the new, complete file
 * is then in place (the older one is gone), and the error says that the
 * rename may not survive a crash of the machine. */
ty_status ty_result_file_finish(ty_result_file *f, const ty_results *r, ty_diag *diag)
{
    io_wctx w = {f, diag, TY_OK};
    (void)refuse_after_failure(&w);
    close_cols(&w);
    if (!w.st) io_write_results(&w, r);
    if (!w.st) test_kill_at("flush");
    if (!io_w_inject_at(&w, IO_AT_FLUSH, "flushing the file") && H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0)
        io_w_fail(&w, TY_ERR_IO, "flushing the file");
    if (w.st) {
        ty_result_file_abort(f);
        return w.st;
    }
    test_kill_at("close");
    /* An injected fault fails the close after it is done, as a failed last
     * metadata write would: the file is closed either way. */
    int injected = io_w_inject_at(&w, IO_AT_CLOSE, "closing the file");
    herr_t closed = H5Fclose(f->file);
    f->file = -1;
    if (closed < 0 && !injected) io_w_fail(&w, TY_ERR_IO, "closing the file");
    if (!w.st) test_kill_at("fsync");
    sync_path(&w, f->tmp_path, 0, "");
    if (!w.st) test_kill_at("rename");
    if (!w.st) {
        char what[1100];
        snprintf(what, sizeof what, "renaming '%s' into place", f->tmp_path);
        if (!io_w_inject_at(&w, IO_AT_RENAME, what) && rename(f->tmp_path, f->final_path) != 0)
            io_w_fail(&w, TY_ERR_IO, "%s: %s", what, strerror(errno));
    }
    if (w.st) {
        ty_result_file_abort(f);
        return w.st;
    }
    /* Renamed: the new file is in place; make the rename itself durable. */
    test_kill_at("dirsync");
    sync_path(&w, f->dir, 1,
              " (the new file is in place, but its rename may not survive a crash of the machine)");
    release(f);
    return w.st;
}
