/* io_file.c - the result file as a file: the temporary name beside the
 * final path (and the removal of stale ones), create, the per-sample
 * streaming datasets (samples/), and finish's flush, fsync and rename that
 * make the write atomic, or abort's removal. What goes into the file at
 * finish is io_write.c's schema; the HDF5 write primitives are io_wctx.c. */
#define _GNU_SOURCE   /* memfd_create */
#include "tyche/io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io_int.h"
#include "mpi/par_int.h"
#ifdef TYCHE_MPI
#include <mpi.h>
#endif

#define SAMPLE_CHUNK 65536   /* elements per chunk of a samples/ column: 512 KiB */
#define SAMPLE_DESCRIPTION "value of this factor, derived value or outcome in each sample, in sample order"

void ty_io_options_init(ty_io_options *opt)
{
    opt->compression_level = 0;   /* none by default: see io.h */
    opt->shuffle = 1;
    opt->fail_after_writes = 0;
    opt->collective = 0;
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

/* Points the descriptor of f's open file at a sink that takes every write
 * (an anonymous memory file, or /dev/null under a file size limit, which a
 * memory file obeys too), so that closing a file that is being thrown away
 * cannot fail: on a full disk HDF5's close must write its cached metadata
 * and chunks, and a failed H5Fclose leaves the library's state broken (HDF5
 * 1.10 crashed in its exit handler on it). Reads still see what had reached
 * the disk. Best effort: without a handle or a sink nothing changes. */
static void discard_writes(ty_result_file *f)
{
    void *handle = NULL;
    if (H5Fget_vfd_handle(f->file, H5P_DEFAULT, &handle) < 0 || !handle) {
        (void)H5Eclear2(H5E_DEFAULT);
        return;
    }
    int fd = *(int *)handle, sink = -1;
#if defined(__linux__) && defined(MFD_CLOEXEC)
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur == RLIM_INFINITY)
        sink = memfd_create("tyche-discard", MFD_CLOEXEC);
#endif
    if (sink < 0) sink = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (sink < 0) return;
    (void)dup2(sink, fd);
    close(sink);
}

/* See io.h. The objects are closed before the file (the samples' datasets
 * first, then the file, whose strong close degree closes anything else) and
 * writes go nowhere; a file whose close already failed is never closed
 * again (HDF5 would free it twice). */
void ty_result_file_abort(ty_result_file *f)
{
    if (!f) return;
    io_wctx w = {f, NULL, TY_OK};
    /* A collective file's handle is MPI-IO's, not a descriptor. */
    if (f->file >= 0 && !f->close_failed && !f->collective) discard_writes(f);
    close_cols(&w);
    if (f->file >= 0 && !f->close_failed) (void)H5Fclose(f->file);
    f->file = -1;
    (void)H5Eclear2(H5E_DEFAULT);
    if (f->tmp_path && (!f->collective || par_root())) (void)unlink(f->tmp_path);
    release(f);
}

/* Bytes the temporary name ".BASE.tmp-TAG-PID-XXXXXXXX" adds to BASE (an
 * 8-digit TAG, a PID of up to 10 digits). */
#define TMP_NAME_EXTRA 34

/* What kind of thing mode is, for "is a ..." in messages. */
static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISLNK(mode)) return "a symbolic link";
    return "not a regular file";
}

/* The checks on an existing final path: only a regular file is replaced.
 * A symbolic link is refused, whatever it points to: the rename that makes
 * the write atomic would replace the link itself, not its target, which is
 * never what was meant (and a link to a device, or to a file the user did
 * not name, must not be written through). In a sticky folder (/tmp) a file
 * of another user cannot be replaced: found now, not at the rename. */
static ty_status check_target(const ty_result_file *f, const struct stat *dir, const ty_pos *pos,
                              ty_diag *diag)
{
    struct stat st;
    if (lstat(f->final_path, &st) != 0) {
        if (errno == ENOENT) return TY_OK;
        ty_diag_add(diag, TY_SEV_ERROR, pos, "cannot use this result path: %s", strerror(errno));
        return TY_ERR_IO;
    }
    if (S_ISLNK(st.st_mode)) {
        char to[512];
        ssize_t n = readlink(f->final_path, to, sizeof to - 1);
        to[n > 0 ? n : 0] = '\0';
        ty_diag_add(diag, TY_SEV_ERROR, pos, "the result path is a symbolic link%s%s%s; tyche writes a new "
                    "file and renames it into place, which would replace the link, so it writes through "
                    "no link: give the path it points to", n > 0 ? " (to '" : "", to, n > 0 ? "')" : "");
        return TY_ERR_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        ty_diag_add(diag, TY_SEV_ERROR, pos, "the result path is %s; tyche writes result files only to "
                    "a new or a regular file%s", kind_of(st.st_mode),
                    S_ISDIR(st.st_mode) ? " (give a file name inside the folder)" : "");
        return TY_ERR_IO;
    }
    uid_t me = geteuid();
    if ((dir->st_mode & S_ISVTX) && me != 0 && st.st_uid != me && dir->st_uid != me) {
        ty_diag_add(diag, TY_SEV_ERROR, pos, "cannot replace the file: it belongs to another user, in a "
                    "folder where only a file's owner may replace it (sticky, as /tmp)");
        return TY_ERR_IO;
    }
    return TY_OK;
}

/* Fills f's final_path, dir (final_path's folder, "." when it names none)
 * and a tmp_path buffer long enough for any temporary name. Checks, so that
 * a run fails before its first sample rather than at the rename after its
 * last: final_path names a file (not a folder) in an existing, writable
 * folder; its name and the temporary name fit the file system's limits;
 * and what is there now, if anything, is a regular file (check_target).
 * On error adds the one diagnostic; the caller releases f either way. */
static ty_status set_paths(ty_result_file *f, const char *final_path, const ty_pos *pos, ty_diag *diag)
{
    const char *slash = strrchr(final_path, '/');
    const char *base = slash ? slash + 1 : final_path;
    size_t dlen = slash ? (slash == final_path ? 1 : (size_t)(slash - final_path)) : 1;
    f->final_path = dup_str(final_path);
    f->dir = malloc(dlen + 1);
    f->tmp_cap = dlen + strlen(base) + 64;
    f->tmp_path = calloc(f->tmp_cap, 1);
    if (!f->final_path || !f->dir || !f->tmp_path) {
        ty_diag_add(diag, TY_SEV_ERROR, pos, "out of memory");
        return TY_ERR_NOMEM;
    }
    if (slash) memcpy(f->dir, final_path, dlen);
    else f->dir[0] = '.';
    f->dir[dlen] = '\0';
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
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
    if (access(f->dir, W_OK | X_OK) != 0) {
        ty_diag_add(diag, TY_SEV_ERROR, pos, "cannot write in folder '%s': %s", f->dir, strerror(errno));
        return TY_ERR_IO;
    }
    long name_max = pathconf(f->dir, _PC_NAME_MAX), path_max = pathconf(f->dir, _PC_PATH_MAX);
    if (name_max <= 0) name_max = 255;
    if (path_max <= 0) path_max = 4096;
    if (strlen(base) + TMP_NAME_EXTRA > (size_t)name_max) {
        ty_diag_add(diag, TY_SEV_ERROR, pos, "the file name is too long: %zu bytes, and at most %ld fit "
                    "in this folder with the temporary name tyche writes first (.NAME.tmp-TAG-PID-XXXXXXXX)",
                    strlen(base), name_max - TMP_NAME_EXTRA);
        return TY_ERR_IO;
    }
    if (strlen(final_path) + TMP_NAME_EXTRA >= (size_t)path_max) {
        ty_diag_add(diag, TY_SEV_ERROR, pos, "the path is too long: %zu bytes, and at most %ld fit with "
                    "the temporary name tyche writes first", strlen(final_path), path_max - TMP_NAME_EXTRA - 1);
        return TY_ERR_IO;
    }
    return check_target(f, &st, pos, diag);
}

/* This machine's tag in temporary names: 8 hex digits of a hash of the
 * boot id and the PID namespace, so that "process PID is gone" is only
 * ever judged for a name made under the same kernel boot and the same
 * process numbering (not on another host sharing the folder, nor in
 * another container). 0 when /proc cannot tell: such names are never
 * judged stale. */
static uint32_t machine_tag(void)
{
    char id[160] = "";
    FILE *fp = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (!fp) return 0;
    size_t n = fread(id, 1, 64, fp);
    fclose(fp);
    if (n < 16) return 0;
    ssize_t m = readlink("/proc/self/ns/pid", id + n, sizeof id - n - 1);
    if (m > 0) n += (size_t)m;
    uint64_t h = 0xcbf29ce484222325u;   /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)id[i]) * 0x100000001b3u;
    uint32_t t = (uint32_t)(h ^ (h >> 32));
    return t ? t : 1;
}

/* Removes the temporary files of a result at base in the folder dir that
 * were left by a process of this machine (tag, see machine_tag) that no
 * longer exists: ".BASE.tmp-TAG-PID-XXXXXXXX", a regular file, and
 * kill(PID, 0) answers ESRCH. A live process's file (another tyche writing
 * the same result at the same time) and names made elsewhere are never
 * touched; a reused PID only keeps a stale file longer. Best effort and
 * silent: a file that cannot be removed stays. */
static void remove_stale(const char *dir, const char *base, uint32_t tag)
{
    if (!tag) return;
    DIR *d = opendir(dir);
    if (!d) return;
    size_t blen = strlen(base);
    char want[24];
    size_t wlen = (size_t)snprintf(want, sizeof want, ".tmp-%08x-", (unsigned)tag);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        if (nm[0] != '.' || strncmp(nm + 1, base, blen) != 0 || strncmp(nm + 1 + blen, want, wlen) != 0)
            continue;
        const char *p = nm + 1 + blen + wlen;
        if (*p < '0' || *p > '9') continue;
        char *end;
        errno = 0;
        long pid = strtol(p, &end, 10);
        if (errno || end == p || *end != '-' || pid <= 0 || strlen(end + 1) != 8
            || strspn(end + 1, "0123456789abcdef") != 8)
            continue;
        if ((pid_t)pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        struct stat st;
        if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            (void)unlinkat(dirfd(d), nm, 0);
    }
    closedir(d);
}

/* The file access properties of a result file, or a negative id: close
 * degree strong (closing the file closes every object in it) and HDF5
 * 1.8's object headers (checksummed; attributes over 64 KiB, a long title
 * as a fixed-length string, in dense storage); with mpio, MPI-IO for a
 * collective file (never in a build without MPI, which makes none). */
static hid_t file_access(int mpio)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0
        || H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0
#ifdef TYCHE_MPI
        || (mpio && H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL) < 0)
#else
        || mpio
#endif
    ) {
        if (fapl >= 0) H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

/* Creates f->file under a fresh temporary name ".BASE.tmp-TAG-PID-RANDOM"
 * in f->dir, with close degree strong so that closing the file closes every
 * object in it. The name is first taken with an exclusive open (up to 16
 * names while they clash), so a file left by a failed HDF5 create is known
 * to be ours and removed. On error adds the one diagnostic and leaves
 * f->file negative and nothing on disk. */
static ty_status create_tmp(ty_result_file *f, const ty_pos *pos, ty_diag *diag)
{
    hid_t fapl = file_access(f->collective);
    if (fapl < 0) {
        char h5[256];
        io_h5_error(h5, sizeof h5);
        ty_diag_add(diag, TY_SEV_ERROR, pos, "setting up HDF5 file access: %s", h5);
        return TY_ERR_IO;
    }
    const char *slash = strrchr(f->final_path, '/');
    const char *base = slash ? slash + 1 : f->final_path;
    const char *sep = slash ? "/" : "";
    const char *d = slash ? (strcmp(f->dir, "/") == 0 ? "" : f->dir) : "";
    int fd = -1, e = 0;
    /* A collective file: rank 0 takes the name (its PID in it) and tells
     * the others. */
    if (!f->collective || par_root()) {
        uint32_t tag = machine_tag();
        remove_stale(f->dir, base, tag);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)(uintptr_t)f;
        for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
            sprintf(f->tmp_path, "%s%s.%s.tmp-%08x-%ld-%08llx", d, sep, base, (unsigned)tag, (long)getpid(),
                    (unsigned long long)(mix64(seed + (uint64_t)attempt) & 0xffffffffu));
            fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            e = errno;
            if (fd < 0 && e != EEXIST) break;
        }
    }
    if (f->collective) {
        int32_t got[2] = {fd >= 0, e};
        if (par_bcast(got, sizeof got) != 0 || par_bcast(f->tmp_path, f->tmp_cap) != 0) got[0] = 0;
        if (!par_root()) fd = got[0] ? INT_MAX : -1;   /* a name, but no descriptor here */
        e = got[1];
    }
    if (fd < 0) {
        H5Pclose(fapl);
        ty_diag_add(diag, TY_SEV_ERROR, pos, "cannot create a file in folder '%s': %s", f->dir,
                    strerror(e));
        return TY_ERR_IO;
    }
    if (fd != INT_MAX) close(fd);
    f->file = H5Fcreate(f->tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    char h5[256] = "";
    if (f->file < 0) e = io_h5_error_errno(h5, sizeof h5);   /* before H5Pclose clears the stack */
    H5Pclose(fapl);
    if (f->collective && par_min_u64(f->file >= 0) == 0 && f->file >= 0) {
        /* Made on this rank, not on another: no half-made file stays open. */
        (void)H5Fclose(f->file);
        f->file = -1;
        if (!e) snprintf(h5, sizeof h5, "it failed on another rank");
    }
    if (f->file < 0) {
        if (e) ty_diag_add(diag, TY_SEV_ERROR, pos, "cannot write: %s", strerror(e));
        else ty_diag_add(diag, TY_SEV_ERROR, pos, "cannot create temporary file '%s': %s", f->tmp_path, h5);
        if (!f->collective || par_root()) (void)unlink(f->tmp_path);
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
    f->collective = f->opt.collective && ty_par_built() && ty_par_size() > 1;
    ty_status st = set_paths(f, final_path, &pos, diag);
    /* A collective file: no rank goes on to the collective create alone. */
    if (f->collective) st = (ty_status)ty_par_agree((int)st, NULL);
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
                   || (level > 0 && H5Pset_deflate(dcpl, (unsigned)level) < 0)
                   /* Parallel HDF5 allocates a collective file's chunks when
                    * it grows (in step on every rank): with no fill values
                    * to write then, a full disk fails the collective write
                    * (on every rank alike), not one rank's extend. */
                   || (w->f->collective && H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) < 0))) {
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

/* See io.h. A collective write: every rank extends the columns to the end
 * of the last rank's rows, selects its own rows (or none) and joins one
 * collective H5Dwrite per column. */
static ty_status samples_write_collective(ty_result_file *f, uint64_t first, size_t n,
                                          const double *const *columns, ty_diag *diag)
{
    io_wctx w = {f, diag, TY_OK};
    /* A rank with no rows this time says nothing of where the rows end. */
    uint64_t end = n && first + n > f->nrows ? first + n : f->nrows;
    uint64_t total = UINT64_MAX - par_min_u64(UINT64_MAX - end);
    if (total == f->nrows) return TY_OK;
    hsize_t start[1] = {first}, count[1] = {n ? n : 1}, size[1] = {total};
    double none = 0;
    hid_t ms = H5Screate_simple(1, count, NULL), dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (ms < 0 || dxpl < 0 || (n == 0 && H5Sselect_none(ms) < 0)
#ifdef TYCHE_MPI
        || H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) < 0
#endif
    )
        io_w_fail(&w, TY_ERR_IO, "setting up a collective write of %s", f->cols_path);
    /* Each collective step is agreed before the next: a rank whose write
     * failed (its part of a full disk) must not leave the others waiting
     * in the next column's collective calls. */
    int ok = par_min_u64(!w.st) != 0;
    for (size_t c = 0; c < f->ncols && ok; c++) {
        hid_t d = f->cols[c], fs = -1;
        char cpath[768];
        if (H5Iget_name(d, cpath, sizeof cpath) < 0) snprintf(cpath, sizeof cpath, "%s", f->cols_path);
        if (H5Dset_extent(d, size) < 0 || (fs = H5Dget_space(d)) < 0
            || (n ? H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL)
                  : H5Sselect_none(fs)) < 0)
            io_w_fail(&w, TY_ERR_IO, "extending dataset %s", cpath);
        if ((ok = par_min_u64(!w.st) != 0)
            && H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, dxpl, n ? columns[c] : &none) < 0)
            io_w_fail(&w, TY_ERR_IO, "writing dataset %s", cpath);
        if (fs >= 0) H5Sclose(fs);
        if (ok) ok = par_min_u64(!w.st) != 0;
    }
    if (!ok && !w.st) io_w_fail(&w, TY_ERR_IO, "writing %s: failed on another rank", f->cols_path);
    if (ms >= 0) H5Sclose(ms);
    if (dxpl >= 0) H5Pclose(dxpl);
    if (!w.st && par_test_fail("write"))
        io_w_fail(&w, TY_ERR_IO, "cannot write: No space left on device (test: TYCHE_TEST_RANK_FAIL)");
    if (!w.st) f->nrows = total;
    return w.st;
}

ty_status ty_result_file_samples_write(ty_result_file *f, uint64_t first, size_t n,
                                       const double *const *columns, ty_diag *diag)
{
    if (f->collective) return samples_write_collective(f, first, n, columns, diag);
    if (first != f->nrows) {
        io_wctx w = {f, diag, TY_OK};
        io_w_fail(&w, TY_ERR_INVALID, "writing %s: rows from %llu, after %llu rows", f->cols_path,
                  (unsigned long long)first, (unsigned long long)f->nrows);
        return w.st;
    }
    return ty_result_file_samples_append(f, n, columns, diag);
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

/* A collective file at finish: every rank closes it (MPI-IO's close is
 * collective), then rank 0 opens it again on its own to write the rest
 * and goes on as one process does; the others are done. Returns 1 on a
 * rank that is done (its status on w), 0 on rank 0 to go on. */
static int finish_collective(io_wctx *w)
{
    ty_result_file *f = w->f;
    (void)refuse_after_failure(w);
    close_cols(w);
    herr_t closed = H5Fclose(f->file);
    if (closed < 0) f->close_failed = 1;
    else f->file = -1;
    if (closed < 0) io_w_fail(w, TY_ERR_IO, "closing the file");
    if (!par_root()) return 1;
    f->collective = 0;
    if (!w->st) {
        hid_t fapl = file_access(0);
        if (fapl >= 0) {
            f->file = H5Fopen(f->tmp_path, H5F_ACC_RDWR, fapl);
            H5Pclose(fapl);
        }
        if (f->file < 0) io_w_fail(w, TY_ERR_IO, "opening the samples written by the ranks");
    }
    return 0;
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
    if (f->collective && finish_collective(&w)) {
        release(f);
        return w.st;
    }
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
    if (closed < 0) f->close_failed = 1;   /* the id is HDF5's now: abort must not close it again */
    else f->file = -1;
    if (closed < 0 && !injected) io_w_fail(&w, TY_ERR_IO, "closing the file");
    if (!w.st) test_kill_at("fsync");
    sync_path(&w, f->tmp_path, 0, "");
    /* The target was checked before the first sample (check_target);
     * something may have been put there since (a FIFO, a link, a folder):
     * checked again, so that the rename replaces a regular file or nothing. */
    struct stat now;
    if (!w.st && lstat(f->final_path, &now) == 0 && !S_ISREG(now.st_mode))
        io_w_fail(&w, TY_ERR_IO, "the result path became %s during the run; it is not replaced",
                  kind_of(now.st_mode));
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
