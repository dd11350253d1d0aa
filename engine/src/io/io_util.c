/* io_util.c - small helpers of the io module shared by the writer and the
 * reader: HDF5's error text, the UTF-8 string type, quiet error stacks,
 * joined object paths. No file is opened here. */
#include "io_int.h"

#include <stdio.h>
#include <string.h>

typedef struct err_text {
    char *buf;
    size_t size;
    int done;
} err_text;

/* Takes the first (most specific) entry of the walk: its description and
 * the minor message, e.g. "unable to open file (file not found)". */
static herr_t take_first(unsigned n, const H5E_error2_t *e, void *data)
{
    err_text *t = data;
    (void)n;
    if (t->done) return 0;
    t->done = 1;
    char minor[128] = "";
    if (H5Eget_msg(e->min_num, NULL, minor, sizeof minor) < 0) minor[0] = '\0';
    const char *desc = e->desc ? e->desc : "";
    if (*desc && *minor) snprintf(t->buf, t->size, "%s (%s)", desc, minor);
    else snprintf(t->buf, t->size, "%s%s", desc, minor);
    return 0;
}

void io_h5_error(char *buf, size_t size)
{
    if (size == 0) return;
    buf[0] = '\0';
    err_text t = {buf, size, 0};
    if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_first, &t) < 0) buf[0] = '\0';
    (void)H5Eclear2(H5E_DEFAULT);
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

void io_join(char *buf, size_t size, const char *parent, const char *name)
{
    snprintf(buf, size, "%s%s%s", parent, strcmp(parent, "/") == 0 ? "" : "/", name);
}
