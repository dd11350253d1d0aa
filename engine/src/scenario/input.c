/* input.c - a user file (scenario or batch) read once into memory, with a
 * size bound, whatever it is: a regular file, a pipe, a FIFO, /dev/stdin.
 * It does not parse: yaml_tree.c parses the text from memory. */
#define _GNU_SOURCE   /* ppoll */
#include "tyche/scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIRST_CHUNK 65536

void ty_input_clear(ty_input *in)
{
    if (!in) return;
    free(in->name);
    free(in->text);
    memset(in, 0, sizeof *in);
}

/* Why st cannot be read as text, or NULL when it can. */
static const char *refusal(const struct stat *st)
{
    if (S_ISDIR(st->st_mode)) return "is a folder, not a file";
    if (S_ISBLK(st->st_mode)) return "is a block device, not a file";
    if (S_ISREG(st->st_mode) || S_ISFIFO(st->st_mode) || S_ISCHR(st->st_mode) || S_ISSOCK(st->st_mode))
        return NULL;
    return "is not a file";
}

/* Waits until fd (a pipe, FIFO, terminal, socket) has data or its end.
 * The wait has every signal unblocked (ppoll's mask): a caller that blocks
 * its interrupt signals before reading (the tyche command does) loses no
 * signal in the gap between its last check and a wait that would never
 * end: one pending or arriving ends the wait. 0, or the errno (EINTR). */
static int wait_readable(int fd)
{
    sigset_t none;
    sigemptyset(&none);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = ppoll(&p, 1, NULL, &none);
    return r < 0 ? errno : 0;   /* POLLIN, POLLHUP or POLLERR: the read tells which */
}

/* Reads fd to its end into in->text, at most TY_INPUT_MAX_BYTES; the
 * buffer grows by doubling from the file's size (or FIRST_CHUNK), so a
 * small pipe costs little and /dev/zero stops at the bound. */
static ty_status read_all(int fd, int waits, size_t hint, ty_input *in, const ty_pos *pos, ty_diag *diag)
{
    size_t cap = hint + 1 > FIRST_CHUNK ? hint + 1 : FIRST_CHUNK, n = 0;
    if (cap > TY_INPUT_MAX_BYTES + 1) cap = TY_INPUT_MAX_BYTES + 1;
    char *buf = malloc(cap + 1);
    if (!buf) return TY_ERR_NOMEM;
    for (;;) {
        if (n == cap) {
            if (cap == TY_INPUT_MAX_BYTES + 1) break;   /* one byte past the bound: too big */
            size_t grown = 2 * cap > TY_INPUT_MAX_BYTES + 1 ? TY_INPUT_MAX_BYTES + 1 : 2 * cap;
            char *b = realloc(buf, grown + 1);
            if (!b) { free(buf); return TY_ERR_NOMEM; }
            buf = b;
            cap = grown;
        }
        int e = waits ? wait_readable(fd) : 0;
        ssize_t got = e ? -1 : read(fd, buf + n, cap - n);
        if (got == 0) break;
        if (got < 0 && !e) e = errno;
        if (got < 0 && e == EAGAIN) continue;   /* a wake with nothing to read: wait again */
        if (got < 0) {
            free(buf);
            if (e == EINTR) {
                /* A FIFO's writer may not have come yet: nothing read. */
                ty_diag_add(diag, TY_SEV_ERROR, pos, n ? "interrupted while reading"
                            : "interrupted while waiting for input");
                return TY_ERR_INTERRUPTED;
            }
            ty_diag_add(diag, TY_SEV_ERROR, pos, "cannot read: %s", strerror(e));
            return TY_ERR_IO;
        }
        n += (size_t)got;
    }
    if (n > TY_INPUT_MAX_BYTES) {
        free(buf);
        ty_diag_add(diag, TY_SEV_ERROR, pos, "longer than %u bytes (4 MiB), the most tyche reads from "
                    "a scenario or batch file", TY_INPUT_MAX_BYTES);
        return TY_ERR_INVALID;
    }
    buf[n] = '\0';
    in->text = buf;
    in->size = n;
    return TY_OK;
}

ty_status ty_input_read(const char *path, ty_input *in, ty_diag *diag)
{
    memset(in, 0, sizeof *in);
    int is_stdin = strcmp(path, "-") == 0;
    in->name = strdup(is_stdin ? "<stdin>" : path);
    if (!in->name) return TY_ERR_NOMEM;
    ty_pos pos = {in->name, 0, 0};
    /* Opened without blocking: a FIFO's wait for a writer (as cat's) is
     * read_all's ppoll, which a signal ends without a race. */
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        if (e == EINTR) {
            ty_diag_add(diag, TY_SEV_ERROR, &pos, "interrupted while opening");
            return TY_ERR_INTERRUPTED;
        }
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "cannot open: %s", strerror(e));
        return TY_ERR_IO;
    }
    struct stat st;
    ty_status rc = TY_OK;
    if (fstat(fd, &st) != 0) {
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "cannot read: %s", strerror(errno));
        rc = TY_ERR_IO;
    } else if (refusal(&st)) {
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "%s", refusal(&st));
        ty_diag_hint(diag, "give a scenario or batch file (YAML text)");
        rc = TY_ERR_IO;
    } else if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > TY_INPUT_MAX_BYTES) {
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "the file is %jd bytes; tyche reads at most %u (4 MiB) "
                    "from a scenario or batch file", (intmax_t)st.st_size, TY_INPUT_MAX_BYTES);
        rc = TY_ERR_INVALID;
    } else {
        in->regular = S_ISREG(st.st_mode);
        in->id.dev = (uint64_t)st.st_dev;
        in->id.ino = (uint64_t)st.st_ino;
        in->id.known = 1;
        rc = read_all(fd, !in->regular, in->regular ? (size_t)st.st_size : 0, in, &pos, diag);
    }
    if (!is_stdin) close(fd);
    return rc;
}
