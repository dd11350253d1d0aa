/* export_file.c - the files of one export, all or none: each table written
 * to a temporary name in the folder and fsynced, then every one renamed
 * into place and the folder fsynced. Knows nothing of tables or formats.
 * The fault-injection build fails its writes, fsyncs, closes, renames and
 * the folder's fsync on demand (util/fault.h, docs/testing.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "export_int.h"
#include "util/fault.h"

typedef struct export_entry {
    char *tmp, *final;   /* full paths */
} export_entry;

struct export_files {
    char *dir;
    int made_dir;        /* 1: this export created dir (removed again if left empty) */
    size_t n, cap;
    export_entry *e;
    uint64_t seed;       /* for the temporary names' random part */
};

/* dir + "/" + name, or NULL when out of memory. */
static char *join(const char *dir, const char *prefix, const char *name, const char *suffix)
{
    size_t len = strlen(dir) + strlen(prefix) + strlen(name) + strlen(suffix) + 2;
    char *p = malloc(len);
    if (p) snprintf(p, len, "%s%s%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", prefix, name, suffix);
    return p;
}

static void nomem(ty_diag *diag, const char *path)
{
    ty_pos pos = {path, 0, 0};
    ty_diag_add(diag, TY_SEV_ERROR, &pos, "out of memory");
}

static ty_status fail(ty_diag *diag, const char *path, const char *fmt, const char *arg)
{
    ty_pos pos = {path, 0, 0};
    ty_diag_add(diag, TY_SEV_ERROR, &pos, fmt, arg);
    return TY_ERR_IO;
}

/* See export_int.h. */
ty_status export_files_open(const char *dir, export_files **out, ty_diag *diag)
{
    *out = NULL;
    if (!dir || !*dir) return fail(diag, NULL, "%s", "tyche export needs a folder to write in");
    export_files *f = calloc(1, sizeof *f);
    if (!f || !(f->dir = strdup(dir))) {
        free(f);
        nomem(diag, dir);
        return TY_ERR_NOMEM;
    }
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT) {
            export_files_abort(f);
            return fail(diag, dir, "cannot use this folder: %s", strerror(errno));
        }
        if (mkdir(dir, 0777) != 0) {
            int e = errno;
            export_files_abort(f);
            return fail(diag, dir, "cannot create the folder: %s",
                        e == ENOENT ? "its parent folder does not exist (tyche export makes one level)"
                                    : strerror(e));
        }
        f->made_dir = 1;
    } else if (!S_ISDIR(st.st_mode)) {
        export_files_abort(f);
        return fail(diag, dir, "%s", "not a folder: tyche export writes one file per table into a folder");
    }
    if (access(dir, W_OK | X_OK) != 0) {
        int e = errno;
        export_files_abort(f);
        return fail(diag, dir, "cannot write in this folder: %s", strerror(e));
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    f->seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)getpid() << 12;
    *out = f;
    return TY_OK;
}

/* A 64-bit mix (splitmix64's finaliser) for the temporary names. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* Opens a fresh temporary file ".NAME.tmp-PID-XXXXXXXX" for final in the
 * folder; its path in *tmp (the caller frees it). -1 with errno set. */
static int open_tmp(export_files *f, const char *name, char **tmp)
{
    char suffix[48];
    int fd = -1;
    *tmp = NULL;
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        snprintf(suffix, sizeof suffix, ".tmp-%ld-%08llx", (long)getpid(),
                 (unsigned long long)(mix64(f->seed++) & 0xffffffffu));
        free(*tmp);
        *tmp = join(f->dir, ".", name, suffix);
        if (!*tmp) { errno = ENOMEM; return -1; }
        fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    return fd;
}

/* An error number for the messages: e > 0 is errno's; an injected fault
 * (the fault build) is the negative of the errno it stands for, and its
 * message says so, as the io module's do. */
static const char *reason(int e, char *buf, size_t size)
{
    if (e >= 0) return strerror(e);
    snprintf(buf, size, "%s (injected fault)", strerror(-e));
    return buf;
}

/* Writes all of text to fd, one injection point per write call. 0, or
 * -1 with errno set, or -2 for an injected fault. */
static int write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        if (fault_io("write")) return -2;
        ssize_t n = write(fd, text, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The final name may be nothing or a regular file: the rename would
 * replace a symbolic link itself, and cannot replace a folder. */
static ty_status check_final(const char *final, ty_diag *diag)
{
    struct stat st;
    if (lstat(final, &st) != 0) {
        if (errno == ENOENT) return TY_OK;
        return fail(diag, final, "cannot use this file name: %s", strerror(errno));
    }
    if (S_ISREG(st.st_mode)) return TY_OK;
    return fail(diag, final, "%s; tyche export replaces only regular files",
                S_ISDIR(st.st_mode) ? "is a folder" : S_ISLNK(st.st_mode) ? "is a symbolic link" : "is not a regular file");
}

/* See export_int.h. */
ty_status export_files_add(export_files *f, const char *name, const char *text, size_t len, ty_diag *diag)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 32;
        export_entry *e = realloc(f->e, cap * sizeof *e);
        if (!e) { nomem(diag, f->dir); return TY_ERR_NOMEM; }
        f->e = e;
        f->cap = cap;
    }
    char *final = join(f->dir, "", name, "");
    if (!final) { nomem(diag, f->dir); return TY_ERR_NOMEM; }
    ty_status st = check_final(final, diag);
    if (st != TY_OK) { free(final); return st; }
    char *tmp = NULL;
    int fd = open_tmp(f, name, &tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        st = e == ENOMEM ? TY_ERR_NOMEM : fail(diag, final, "cannot create a file in this folder: %s", strerror(e));
        if (e == ENOMEM) nomem(diag, final);
        free(final);
        return st;
    }
    const char *what = NULL;
    int e = 0, w = write_all(fd, text, len);
    if (w != 0) { what = "cannot write: %s"; e = w == -2 ? -ENOSPC : errno; }
    else if (fault_io("fsync")) { what = "cannot write: fsync: %s"; e = -EIO; }
    else if (fsync(fd) != 0) { what = "cannot write: fsync: %s"; e = errno; }
    if (fault_io("close") && !what) { what = "cannot write: %s"; e = -ENOSPC; }
    if (close(fd) != 0 && !what) { what = "cannot write: %s"; e = errno; }
    if (what) {
        char buf[96];
        (void)unlink(tmp);
        free(tmp);
        st = fail(diag, final, what, reason(e, buf, sizeof buf));
        free(final);
        return st;
    }
    f->e[f->n].tmp = tmp;
    f->e[f->n].final = final;
    f->n++;
    return TY_OK;
}

/* Removes the temporary files from entry `from` on, frees everything and,
 * when this export made the folder and it is empty, removes it. */
static void release(export_files *f, size_t from)
{
    for (size_t i = 0; i < f->n; i++) {
        if (i >= from) (void)unlink(f->e[i].tmp);
        free(f->e[i].tmp);
        free(f->e[i].final);
    }
    if (f->made_dir && from == 0) (void)rmdir(f->dir);
    free(f->e);
    free(f->dir);
    free(f);
}

/* See export_int.h. */
ty_status export_files_commit(export_files *f, ty_diag *diag)
{
    for (size_t i = 0; i < f->n; i++) {
        char buf[96];
        int e = fault_io("rename") ? -EIO : rename(f->e[i].tmp, f->e[i].final) != 0 ? errno : 0;
        if (e) {
            ty_status st = fail(diag, f->e[i].final, "cannot rename the new file into place: %s",
                                reason(e, buf, sizeof buf));
            release(f, i);
            return st;
        }
    }
    ty_status st = TY_OK;
    int e = 0;
    if (fault_io("dirsync")) e = -EIO;
    else {
        int fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0) e = errno;
        if (fd >= 0) close(fd);
    }
    char buf[96];
    if (e && e != EINVAL && e != EROFS)   /* a folder that cannot be fsynced at all is fine */
        st = fail(diag, f->dir, "the files are in place, but fsync of the folder failed: %s",
                  reason(e, buf, sizeof buf));
    release(f, f->n);
    return st;
}

/* See export_int.h. */
void export_files_abort(export_files *f)
{
    if (f) release(f, 0);
}
