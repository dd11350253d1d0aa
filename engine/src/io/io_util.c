/* io_util.c - small helpers of the io module shared by the writer and the
 * reader: HDF5's error text and the errno behind it, the UTF-8 string type,
 * quiet error stacks, the process-wide HDF5 setup, joined object paths. No
 * file is opened here. */
#include "io_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct err_text {
    char *buf;
    size_t size;
    int done;
    int err;                /* the first "errno = N" of the stack, 0 if none */
} err_text;

/* The system error HDF5's file drivers quote in their messages ("file write
 * failed: ..., errno = 28, error message = 'No space left on device'"): the
 * only place the stack keeps it (HDF5 1.10 to 1.14 word it alike). 0 if none. */
static int quoted_errno(const char *desc)
{
    const char *p = desc ? strstr(desc, "errno = ") : NULL;
    if (!p) return 0;
    long e = strtol(p + 8, NULL, 10);
    return e > 0 && e < 4096 ? (int)e : 0;
}

/* Takes the first (most specific) entry of the walk: its description and
 * the minor message, e.g. "unable to open file (file not found)". */
static herr_t take_first(unsigned n, const H5E_error2_t *e, void *data)
{
    err_text *t = data;
    (void)n;
    if (!t->err) t->err = quoted_errno(e->desc);
    if (t->done) return 0;
    t->done = 1;
    char minor[128] = "";
    if (H5Eget_msg(e->min_num, NULL, minor, sizeof minor) < 0) minor[0] = '\0';
    const char *desc = e->desc ? e->desc : "";
    if (*desc && *minor) snprintf(t->buf, t->size, "%s (%s)", desc, minor);
    else snprintf(t->buf, t->size, "%s%s", desc, minor);
    /* One line: a driver's message spans several. */
    for (char *c = t->buf; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t') *c = ' ';
    return 0;
}

int io_h5_error_errno(char *buf, size_t size)
{
    char dummy[1];
    if (size == 0) { buf = dummy; size = 1; }
    buf[0] = '\0';
    err_text t = {buf, size, 0, 0};
    if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_first, &t) < 0) buf[0] = '\0';
    (void)H5Eclear2(H5E_DEFAULT);
    return t.err;
}

void io_h5_error(char *buf, size_t size)
{
    (void)io_h5_error_errno(buf, size);
}

hid_t io_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

void io_quiet(void)
{
    /* Errors become statuses and diagnostics; HDF5 must not print them. */
    (void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* See io.h. H5dont_atexit must come before anything starts the library:
 * it only stops the atexit registration that the library's start makes. */
void ty_io_setup(void)
{
    (void)H5dont_atexit();
    io_quiet();
}

void io_join(char *buf, size_t size, const char *parent, const char *name)
{
    snprintf(buf, size, "%s%s%s", parent, strcmp(parent, "/") == 0 ? "" : "/", name);
}
