/* io_util.c - small helpers of the io module shared by the writer and the
 * reader: HDF5's error text and the errno behind it, the string types,
 * quiet error stacks, the process-wide HDF5 setup, joined object paths, and
 * the checked reads of untrusted attributes and datasets (shape, strings,
 * numbers). No file is opened here. */
#include "io_int.h"

#include <stdint.h>
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

hid_t io_str_type_fixed(size_t len)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, len + 1) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0
        || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* ---- reading untrusted objects ------------------------------------------- */

int io_shape(hid_t id, int is_attr, hsize_t dims[3])
{
    hid_t sp = is_attr ? H5Aget_space(id) : H5Dget_space(id);
    if (sp < 0) return -1;
    int rank = -1;
    H5S_class_t cls = H5Sget_simple_extent_type(sp);
    if (cls == H5S_SCALAR) rank = 0;
    else if (cls == H5S_SIMPLE) {
        int nd = H5Sget_simple_extent_ndims(sp);
        if (nd >= 1 && nd <= 3 && H5Sget_simple_extent_dims(sp, dims, NULL) == nd) rank = nd;
    }
    H5Sclose(sp);
    return rank;
}

int io_utf8_ok(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > n || (len == 2 && c < 0xC2)) return 0;
        unsigned cp = len == 1 ? c : c & (0x7F >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += len;
    }
    return 1;
}

void io_free_strs(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) free(s[i]);
    free(s);
}

/* A new copy of s[0..n) with a final NUL, checked as UTF-8 without NULs. */
static char *str_take(const char *s, size_t n, const char **why)
{
    if (memchr(s, '\0', n)) n = strlen(s);
    if (!io_utf8_ok(s, n)) { *why = "is not valid UTF-8"; return NULL; }
    char *c = malloc(n + 1);
    if (!c) { *why = "is too large to read (out of memory)"; return NULL; }
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

static herr_t read_any(hid_t id, int is_attr, hid_t mt, void *buf)
{
    return is_attr ? H5Aread(id, mt, buf) : H5Dread(id, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
}

/* Variable-length strings: HDF5 reads them from the global heap, which a
 * damaged file can turn into a crash inside the library; only files of
 * format version 1 store them. */
static char **read_vlen(hid_t id, int is_attr, size_t n, size_t max, const char **why)
{
    hid_t mt = io_str_type();
    char **raw = calloc(n ? n : 1, sizeof *raw), **out = calloc(n ? n : 1, sizeof *out);
    if (mt < 0 || !raw || !out || (n && read_any(id, is_attr, mt, raw) < 0)) {
        *why = !raw || !out ? "is too large to read (out of memory)" : "cannot be read";
        if (mt >= 0) H5Tclose(mt);
        free(raw);
        free(out);
        return NULL;
    }
    for (size_t i = 0; i < n && !*why; i++) {
        size_t len = raw[i] ? strnlen(raw[i], max + 1) : 0;
        if (len > max) *why = "holds a string that is too long";
        else out[i] = str_take(raw[i] ? raw[i] : "", len, why);
    }
    for (size_t i = 0; i < n; i++) H5free_memory(raw[i]);
    free(raw);
    H5Tclose(mt);
    if (*why) { io_free_strs(out, n); return NULL; }
    return out;
}

char **io_read_strs(hid_t id, int is_attr, size_t n, int vlen_ok, size_t max, const char **why)
{
    *why = NULL;
    hid_t ft = is_attr ? H5Aget_type(id) : H5Dget_type(id);
    if (ft < 0) { *why = "cannot be read"; return NULL; }
    char **out = NULL;
    htri_t var = H5Tget_class(ft) == H5T_STRING ? H5Tis_variable_str(ft) : -1;
    size_t size = var == 0 ? H5Tget_size(ft) : 0;
    if (var < 0) *why = "is not a string";
    else if (var > 0 && !vlen_ok) *why = "is a variable-length string (not written by this format version)";
    else if (var > 0) out = read_vlen(id, is_attr, n, max, why);
    else if (size == 0 || size > max + 1) *why = "holds a string that is too long";
    else if (n > ((size_t)1 << 30) / size) *why = "is too large to read";
    else {
        hid_t mt = H5Tcopy(H5T_C_S1);
        char *buf = calloc(n ? n * size : 1, 1);
        out = calloc(n ? n : 1, sizeof *out);
        H5T_cset_t cset = H5Tget_cset(ft);   /* HDF5 converts no character set to another */
        if (mt < 0 || cset < 0 || H5Tset_size(mt, size) < 0 || H5Tset_strpad(mt, H5T_STR_NULLPAD) < 0
            || H5Tset_cset(mt, cset) < 0)
            *why = "cannot be read";
        else if (!buf || !out) *why = "is too large to read (out of memory)";
        else if (n && read_any(id, is_attr, mt, buf) < 0) *why = "cannot be read";
        for (size_t i = 0; i < n && !*why; i++) out[i] = str_take(buf + i * size, size, why);
        if (mt >= 0) H5Tclose(mt);
        free(buf);
        if (*why) { io_free_strs(out, n); out = NULL; }
    }
    H5Tclose(ft);
    return out;
}

int io_read_nums(hid_t id, int is_attr, size_t n, io_num kind, void *out, const char **why)
{
    *why = NULL;
    hid_t ft = is_attr ? H5Aget_type(id) : H5Dget_type(id);
    if (ft < 0) { *why = "cannot be read"; return -1; }
    H5T_class_t cls = H5Tget_class(ft);
    size_t size = H5Tget_size(ft);
    H5T_sign_t sign = cls == H5T_INTEGER ? H5Tget_sign(ft) : H5T_SGN_ERROR;
    H5Tclose(ft);
    int integer = cls == H5T_INTEGER && size >= 1 && size <= 8;
    if (kind != IO_NUM_F64 && !integer) { *why = "is not an integer"; return -1; }
    if (kind == IO_NUM_F64 && !integer && !(cls == H5T_FLOAT && (size == 4 || size == 8))) {
        *why = "is not a number";
        return -1;
    }
    if (n == 0) return 0;
    if (kind == IO_NUM_F64)
        return read_any(id, is_attr, H5T_NATIVE_DOUBLE, out) < 0 ? (*why = "cannot be read", -1) : 0;
    /* Integers through int64 or uint64 by the file's sign, so that HDF5's
     * conversion never clips a negative count to 0 or a huge one to the
     * maximum without a word. */
    int64_t *v = malloc(n * sizeof *v);
    if (!v) { *why = "is too large to read (out of memory)"; return -1; }
    int is_signed = sign == H5T_SGN_2;
    if (read_any(id, is_attr, is_signed ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64, v) < 0) {
        free(v);
        *why = "cannot be read";
        return -1;
    }
    for (size_t i = 0; i < n && !*why; i++) {
        if (kind == IO_NUM_U64) {
            if (is_signed && v[i] < 0) *why = "is negative";
            else memcpy((uint64_t *)out + i, &v[i], sizeof(uint64_t));
        } else {
            uint64_t u;
            memcpy(&u, &v[i], sizeof u);
            if (is_signed ? v[i] < INT32_MIN || v[i] > INT32_MAX : u > INT32_MAX) *why = "is out of range";
            else ((int *)out)[i] = (int)v[i];
        }
    }
    free(v);
    return *why ? -1 : 0;
}
