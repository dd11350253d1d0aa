/* io_read.c - reading a result file (docs/results.md) back into a
 * ty_results, as untrusted input: checks that it is an HDF5 file, a tyche
 * result file and a format version this tyche reads, and before reading
 * each object its link, kind, type, rank and shape (io_util.c's checked
 * reads), then names, counts and flags; the observations and the prior
 * of a weighted run where present. Per-sample columns (samples/) are
 * not read. Writing is io_file.c and io_write.c. */
#include "tyche/io.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io_int.h"

/* Bounds on what a file may make the reader allocate: a string attribute or
 * list entry, a text dataset (a scenario file, verbatim), and any numeric
 * dataset, which also may not need more than R_EXPAND times the file's size
 * (tyche never compresses the datasets read here, so a larger one is a
 * damaged dimension, not data). */
#define R_MAX_STR ((size_t)16 << 20)
#define R_MAX_TEXT ((size_t)64 << 20)
#define R_MAX_BYTES ((size_t)256 << 20)
#define R_EXPAND 64

typedef struct rctx {
    const char *path;
    ty_diag *diag;
    ty_status st;
    int version;             /* format_version; 1 may hold variable-length strings */
    uint64_t fsize;          /* the file's size in bytes */
} rctx;

static void r_fail(rctx *r, ty_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void r_fail(rctx *r, ty_status st, const char *fmt, ...)
{
    char h5[256], what[768];
    io_h5_error(h5, sizeof h5);
    if (r->st) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    r->st = st;
    ty_pos pos = {r->path, 0, 0};
    ty_diag_add(r->diag, TY_SEV_ERROR, &pos, "%s%s%s", what, h5[0] ? ": " : "", h5);
}

static void *r_alloc(rctx *r, size_t n, size_t size)
{
    if (r->st) return NULL;
    void *p = calloc(n ? n : 1, size);
    if (!p) r_fail(r, TY_ERR_NOMEM, "out of memory");
    return p;
}

static char *r_dup(rctx *r, const char *s, int nullable)
{
    if (r->st || (nullable && (!s || !*s))) return NULL;
    if (!s) s = "";
    size_t n = strlen(s) + 1;
    char *c = r_alloc(r, n, 1);
    if (c) memcpy(c, s, n);
    return c;
}

/* 1 when loc/name is a hard link (an object of this file), 0 when there is
 * no such link; a soft or external link fails: following one could open
 * another file or loop. */
static int r_link(rctx *r, hid_t loc, const char *lpath, const char *name)
{
    if (r->st) return 0;
    char path[768];
    io_join(path, sizeof path, lpath, name);
    htri_t e = H5Lexists(loc, name, H5P_DEFAULT);
    if (e < 0) { r_fail(r, TY_ERR_IO, "looking up %s", path); return 0; }
    if (e == 0) return 0;
    H5L_info_t info;
    if (H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) {
        r_fail(r, TY_ERR_IO, "looking up %s", path);
        return 0;
    }
    if (info.type != H5L_TYPE_HARD) {
        r_fail(r, TY_ERR_IO, "%s is a %s link, not an object of this file", path,
               info.type == H5L_TYPE_EXTERNAL ? "external" : "soft");
        return 0;
    }
    return 1;
}

/* Opens loc/name as a group (writing its path into path). */
static hid_t r_group(rctx *r, hid_t loc, const char *lpath, const char *name, char *path, size_t size)
{
    io_join(path, size, lpath, name);
    if (r->st) return -1;
    if (!r_link(r, loc, lpath, name)) { r_fail(r, TY_ERR_IO, "missing group %s", path); return -1; }
    hid_t g = H5Oopen(loc, name, H5P_DEFAULT);
    if (g < 0) { r_fail(r, TY_ERR_IO, "opening group %s", path); return -1; }
    if (H5Iget_type(g) != H5I_GROUP) {
        H5Oclose(g);
        r_fail(r, TY_ERR_IO, "%s is not a group", path);
        return -1;
    }
    return g;
}

/* 1 if loc (whose path is lpath) has a member name, 0 if not; sticky
 * failure on error or a soft or external link. */
static int r_exists(rctx *r, hid_t loc, const char *lpath, const char *name)
{
    return r_link(r, loc, lpath, name);
}

static void r_close(rctx *r, hid_t id, const char *path)
{
    if (id >= 0 && H5Oclose(id) < 0) r_fail(r, TY_ERR_IO, "closing %s", path);
}

/* Opens attribute name of obj after checking that it is a scalar. */
static hid_t r_attr_open(rctx *r, hid_t obj, const char *path, const char *name, const char *what)
{
    if (r->st) return -1;
    htri_t e = H5Aexists(obj, name);
    hid_t a = e > 0 ? H5Aopen(obj, name, H5P_DEFAULT) : -1;
    if (a < 0) {
        r_fail(r, TY_ERR_IO, "missing attribute '%s' of %s", name, path);
        return -1;
    }
    hsize_t dims[3];
    if (io_shape(a, 1, dims) != 0) {
        H5Aclose(a);
        r_fail(r, TY_ERR_IO, "attribute '%s' of %s is not a scalar %s", name, path, what);
        return -1;
    }
    return a;
}

/* A scalar string attribute, copied into malloc'd memory; with nullable,
 * "" becomes NULL. */
static char *r_attr_str(rctx *r, hid_t obj, const char *path, const char *name, int nullable)
{
    hid_t a = r_attr_open(r, obj, path, name, "string");
    if (a < 0) return NULL;
    const char *why = NULL;
    char **v = io_read_strs(a, 1, 1, r->version == 1, R_MAX_STR, &why);
    H5Aclose(a);
    if (!v) {
        r_fail(r, TY_ERR_IO, "attribute '%s' of %s %s", name, path,
               strcmp(why, "is not a string") == 0 ? "is not a scalar string" : why);
        return NULL;
    }
    char *out = nullable && !v[0][0] ? NULL : v[0];
    if (!out) free(v[0]);
    free(v);
    return out;
}

/* A scalar numeric attribute read as kind into out. */
static void r_attr_num(rctx *r, hid_t obj, const char *path, const char *name, io_num kind, void *out)
{
    const char *what = kind == IO_NUM_F64 ? "number" : "integer";
    hid_t a = r_attr_open(r, obj, path, name, what);
    if (a < 0) return;
    const char *why = NULL;
    if (io_read_nums(a, 1, 1, kind, out, &why) < 0) {
        if (strncmp(why, "is not", 6) == 0)
            r_fail(r, TY_ERR_IO, "attribute '%s' of %s is not a scalar %s", name, path, what);
        else
            r_fail(r, TY_ERR_IO, "attribute '%s' of %s %s", name, path, why);
    }
    H5Aclose(a);
}

static uint64_t r_attr_u64(rctx *r, hid_t obj, const char *path, const char *name)
{
    uint64_t v = 0;
    r_attr_num(r, obj, path, name, IO_NUM_U64, &v);
    return v;
}

static int r_attr_int(rctx *r, hid_t obj, const char *path, const char *name)
{
    int v = 0;
    r_attr_num(r, obj, path, name, IO_NUM_I32, &v);
    return v;
}

static double r_attr_f64(rctx *r, hid_t obj, const char *path, const char *name)
{
    double v = 0;
    r_attr_num(r, obj, path, name, IO_NUM_F64, &v);
    return v;
}

/* A 0 or 1 flag attribute. */
static int r_attr_flag(rctx *r, hid_t obj, const char *path, const char *name)
{
    int v = r_attr_int(r, obj, path, name);
    if (!r->st && v != 0 && v != 1) r_fail(r, TY_ERR_IO, "attribute '%s' of %s is %d, not 0 or 1", name, path, v);
    return v;
}

/* Opens dataset loc/name and checks its rank (0 for a scalar) and, where
 * want[i] is not (size_t)-1, its dimensions, which go to dims; *n is the
 * element count. Returns the dataset or a negative id. */
static hid_t r_dopen(rctx *r, hid_t loc, const char *lpath, const char *name, int rank,
                     const size_t *want, size_t *dims, size_t *n, char *path, size_t size)
{
    io_join(path, size, lpath, name);
    *n = 0;
    if (r->st) return -1;
    if (!r_link(r, loc, lpath, name)) { r_fail(r, TY_ERR_IO, "missing dataset %s", path); return -1; }
    hid_t d = H5Oopen(loc, name, H5P_DEFAULT);
    if (d < 0) { r_fail(r, TY_ERR_IO, "opening dataset %s", path); return -1; }
    if (H5Iget_type(d) != H5I_DATASET) {
        H5Oclose(d);
        r_fail(r, TY_ERR_IO, "%s is not a dataset", path);
        return -1;
    }
    hsize_t hd[3] = {0, 0, 0};
    if (io_shape(d, 0, hd) != rank) {
        if (rank == 0) r_fail(r, TY_ERR_IO, "dataset %s is not a scalar", path);
        else r_fail(r, TY_ERR_IO, "dataset %s does not have %d dimension%s", path, rank, rank == 1 ? "" : "s");
        H5Dclose(d);
        return -1;
    }
    size_t count = 1;
    for (int i = 0; i < rank; i++) {
        if (hd[i] > (hsize_t)R_MAX_BYTES) {
            r_fail(r, TY_ERR_IO, "dataset %s is too large (%llu elements along dimension %d)", path,
                   (unsigned long long)hd[i], i + 1);
            break;
        }
        dims[i] = (size_t)hd[i];
        if (want && want[i] != (size_t)-1 && want[i] != dims[i]) {
            r_fail(r, TY_ERR_IO, "dataset %s has %zu elements along dimension %d, expected %zu",
                   path, dims[i], i + 1, want[i]);
            break;
        }
        count = dims[i] && count > R_MAX_BYTES / dims[i] ? R_MAX_BYTES + 1 : count * dims[i];
    }
    if (!r->st && count > R_MAX_BYTES / 8)
        r_fail(r, TY_ERR_IO, "dataset %s is too large (%zu elements)", path, count);
    if (r->st) { H5Dclose(d); return -1; }
    *n = count;
    return d;
}

/* Reads numeric loc/name (see r_dopen) as kind: a new array of *count
 * elements of elsize bytes. */
static void *r_data(rctx *r, hid_t loc, const char *lpath, const char *name, int rank,
                    const size_t *want, size_t *dims, io_num kind, size_t *count)
{
    char path[768];
    size_t n = 0, dd[3];
    hid_t d = r_dopen(r, loc, lpath, name, rank, want, dims ? dims : dd, &n, path, sizeof path);
    if (count) *count = 0;
    if (d < 0) return NULL;
    void *out = NULL;
    if ((uint64_t)n * 8 > r->fsize * R_EXPAND + ((uint64_t)1 << 20))
        r_fail(r, TY_ERR_IO, "dataset %s claims %zu elements, more than the file can hold", path, n);
    else out = r_alloc(r, n, 8);
    const char *why = NULL;
    if (out && io_read_nums(d, 0, n, kind, out, &why) < 0) {
        r_fail(r, TY_ERR_IO, "dataset %s %s", path, why);
        free(out);
        out = NULL;
    }
    H5Dclose(d);
    if (count && out) *count = n;
    return out;
}

static double *r_f64(rctx *r, hid_t loc, const char *lpath, const char *name, size_t want, size_t *n)
{
    size_t w[1] = {want}, d[1] = {0};
    double *v = r_data(r, loc, lpath, name, 1, w, d, IO_NUM_F64, NULL);
    if (n) *n = v ? d[0] : 0;
    return v;
}

static uint64_t *r_u64(rctx *r, hid_t loc, const char *lpath, const char *name, size_t want, size_t *n)
{
    size_t w[1] = {want}, d[1] = {0};
    uint64_t *v = r_data(r, loc, lpath, name, 1, w, d, IO_NUM_U64, NULL);
    if (n) *n = v ? d[0] : 0;
    return v;
}

static double *r_f64_2d(rctx *r, hid_t loc, const char *lpath, const char *name, size_t rows, size_t cols)
{
    size_t w[2] = {rows, cols}, d[2];
    return r_data(r, loc, lpath, name, 2, w, d, IO_NUM_F64, NULL);
}

/* Checks the attribute 'levels' of dataset loc/name (already read, so a
 * dataset of this file): a 1-D array of the n numbers want, exactly (the
 * levels this tyche computes; another set is a damaged file). */
static void r_levels(rctx *r, hid_t loc, const char *lpath, const char *name, const double *want, size_t n)
{
    char path[768];
    io_join(path, sizeof path, lpath, name);
    if (r->st) return;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) { r_fail(r, TY_ERR_IO, "opening dataset %s", path); return; }
    htri_t e = H5Aexists(d, "levels");
    hid_t a = e > 0 ? H5Aopen(d, "levels", H5P_DEFAULT) : -1;
    hsize_t dims[3];
    double v[8];
    const char *why = NULL;
    if (a < 0) r_fail(r, TY_ERR_IO, "missing attribute 'levels' of %s", path);
    else if (io_shape(a, 1, dims) != 1 || dims[0] != n || n > 8 || io_read_nums(a, 1, n, IO_NUM_F64, v, &why) < 0)
        r_fail(r, TY_ERR_IO, "attribute 'levels' of %s is not a 1-D array of %zu numbers", path, n);
    else
        for (size_t i = 0; i < n; i++)
            if (v[i] != want[i]) {
                r_fail(r, TY_ERR_IO, "attribute 'levels' of %s: entry %zu is %g, not %g", path, i + 1,
                       v[i], want[i]);
                break;
            }
    if (a >= 0) H5Aclose(a);
    H5Dclose(d);
}

/* A scalar uint64 dataset. */
static uint64_t r_u64_scalar(rctx *r, hid_t loc, const char *lpath, const char *name)
{
    uint64_t *v = r_data(r, loc, lpath, name, 0, NULL, NULL, IO_NUM_U64, NULL);
    uint64_t x = v ? *v : 0;
    free(v);
    return x;
}

/* Reads string elements of dataset loc/name (rank 1, want elements or any
 * with (size_t)-1; rank 0 for a scalar text) with at most max bytes each. */
static char **r_str_data(rctx *r, hid_t loc, const char *lpath, const char *name, int rank,
                         size_t want, size_t max, size_t *n)
{
    char path[768];
    size_t w[1] = {want}, d[1] = {0}, count = 0;
    *n = 0;
    hid_t ds = r_dopen(r, loc, lpath, name, rank, w, d, &count, path, sizeof path);
    if (ds < 0) return NULL;
    const char *why = NULL;
    char **v = io_read_strs(ds, 0, count, r->version == 1, max, &why);
    H5Dclose(ds);
    if (!v) {
        r_fail(r, TY_ERR_IO, "dataset %s %s", path,
               strcmp(why, "is not a string") == 0 ? "is not a list of strings" : why);
        return NULL;
    }
    *n = count;
    return v;
}

/* A 1-D string dataset of want elements (any with (size_t)-1): a new array
 * of new strings, *n of them; with nullable, "" entries become NULL. */
static char **r_strs(rctx *r, hid_t loc, const char *lpath, const char *name, size_t want,
                     size_t *n, int nullable)
{
    size_t k = 0;
    char **v = r_str_data(r, loc, lpath, name, 1, want, R_MAX_STR, &k);
    for (size_t i = 0; v && nullable && i < k; i++)
        if (!v[i][0]) { free(v[i]); v[i] = NULL; }
    if (n) *n = k;
    return v;
}

/* Checks that names (n of them, dataset lpath/name) can name rows and
 * groups: none empty, ".", or with '/', and no two alike. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void r_check_names(rctx *r, char *const *names, size_t n, const char *lpath, const char *name)
{
    if (r->st || !names) return;
    for (size_t i = 0; i < n; i++)
        if (!names[i][0] || strcmp(names[i], ".") == 0 || strchr(names[i], '/')) {
            r_fail(r, TY_ERR_IO, "%s/%s: entry %zu, '%s', is not a valid name", lpath, name, i + 1,
                   names[i]);
            return;
        }
    char **s = r_alloc(r, n, sizeof *s);
    if (!s) return;
    memcpy(s, names, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_str);
    for (size_t i = 1; i < n; i++)
        if (strcmp(s[i - 1], s[i]) == 0) {
            r_fail(r, TY_ERR_IO, "%s/%s: the name '%s' appears twice", lpath, name, s[i]);
            break;
        }
    free(s);
}

/* A scalar string dataset. */
static char *r_text(rctx *r, hid_t loc, const char *lpath, const char *name)
{
    size_t n = 0;
    char **v = r_str_data(r, loc, lpath, name, 0, (size_t)-1, R_MAX_TEXT, &n);
    if (!v) return NULL;
    char *out = v[0];
    free(v);
    return out;
}

/* Names of g's links in creation order (name order where the group does
 * not track creation order). */
static char **r_links(rctx *r, hid_t g, const char *path, size_t *n)
{
    *n = 0;
    if (r->st) return NULL;
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0) { r_fail(r, TY_ERR_IO, "listing %s", path); return NULL; }
    if (info.nlinks > r->fsize) { r_fail(r, TY_ERR_IO, "listing %s: damaged link count", path); return NULL; }
    char **names = r_alloc(r, (size_t)info.nlinks, sizeof *names);
    if (!names) return NULL;
    H5_index_t idx = H5_INDEX_CRT_ORDER;
    if (info.nlinks > 0 && H5Lget_name_by_idx(g, ".", idx, H5_ITER_INC, 0, NULL, 0, H5P_DEFAULT) < 0) {
        (void)H5Eclear2(H5E_DEFAULT);
        idx = H5_INDEX_NAME;
    }
    for (hsize_t i = 0; i < info.nlinks && !r->st; i++) {
        ssize_t len = H5Lget_name_by_idx(g, ".", idx, H5_ITER_INC, i, NULL, 0, H5P_DEFAULT);
        if (len < 0 || (size_t)len > R_MAX_STR) { r_fail(r, TY_ERR_IO, "listing %s", path); break; }
        names[i] = r_alloc(r, (size_t)len + 1, 1);
        if (names[i] && H5Lget_name_by_idx(g, ".", idx, H5_ITER_INC, i, names[i], (size_t)len + 1,
                                           H5P_DEFAULT) < 0)
            r_fail(r, TY_ERR_IO, "listing %s", path);
        else if (names[i] && !io_utf8_ok(names[i], (size_t)len))
            r_fail(r, TY_ERR_IO, "%s: member %llu's name is not valid UTF-8", path, (unsigned long long)i + 1);
        if (names[i]) (*n)++;
    }
    return names;
}

static void free_strs(char **s, size_t n)
{
    io_free_strs(s, n);
}

/* factors/ or derived/ (gname) of a run, with their histograms from hist
 * (whose path is hpath), into *out and *nout. For a prior (factors_prior/,
 * derived_prior/), match is the posterior series: the prior has their
 * number of rows (*out is then set only with as many) and their names, in
 * their order; NULL for the posterior series. */
static void r_series(rctx *r, hid_t run, const char *rpath, const char *gname, hid_t hist,
                     const char *hpath, ty_series_stats **out, size_t *nout,
                     const ty_series_stats *match, size_t nmatch)
{
    char path[640];
    hid_t g = r_group(r, run, rpath, gname, path, sizeof path);
    size_t n = 0;
    char **names = r_strs(r, g, path, "name", match ? nmatch : (size_t)-1, &n, 0);
    r_check_names(r, names, n, path, "name");
    for (size_t i = 0; match && names && i < n && !r->st; i++)
        if (strcmp(names[i], match[i].name) != 0)
            r_fail(r, TY_ERR_IO, "%s/name: entry %zu, '%s', is not '%s', as in the run's series", path,
                   i + 1, names[i], match[i].name);
    ty_series_stats *s = r_alloc(r, n, sizeof *s);
    if (!s) { free_strs(names, n); r_close(r, g, path); return; }
    *out = s;
    *nout = n;
    for (size_t i = 0; i < n; i++) s[i].name = names[i];
    free(names);
    char **units = r_strs(r, g, path, "unit", n, NULL, 1);
    char **labels = r_strs(r, g, path, "label", n, NULL, 1);
    for (size_t i = 0; units && labels && i < n; i++) {
        s[i].unit = units[i];
        s[i].label = labels[i];
    }
    if (!units || !labels) {
        free_strs(units, n);
        free_strs(labels, n);
    } else {
        free(units);
        free(labels);
    }
    if (!r->st && r_exists(r, g, path, "dist")) {   /* factors only; absent before tyche 0.2 */
        char **dists = r_strs(r, g, path, "dist", n, NULL, 1);
        for (size_t i = 0; dists && i < n; i++) s[i].dist = dists[i];
        free(dists);
    }
    static const struct { const char *name; size_t off; } stats[] = {
        {"mean", offsetof(ty_summary, mean)}, {"sd", offsetof(ty_summary, sd)},
        {"p05", offsetof(ty_summary, p05)}, {"p50", offsetof(ty_summary, p50)},
        {"p95", offsetof(ty_summary, p95)},
    };
    for (size_t k = 0; k < sizeof stats / sizeof stats[0]; k++) {
        double *col = r_f64(r, g, path, stats[k].name, n, NULL);
        for (size_t i = 0; col && i < n; i++)
            memcpy((char *)&s[i].summary + stats[k].off, &col[i], sizeof(double));
        free(col);
    }
    r_close(r, g, path);
    for (size_t i = 0; i < n && !r->st; i++) {
        if (!r_exists(r, hist, hpath, s[i].name)) continue;
        char hp[768];
        hid_t h = r_group(r, hist, hpath, s[i].name, hp, sizeof hp);
        size_t nb = 0, ne = 0;
        s[i].hist.counts = r_u64(r, h, hp, "counts", (size_t)-1, &nb);
        s[i].hist.edges = r_f64(r, h, hp, "edges", nb + 1, &ne);
        if (!r->st) s[i].hist.nbins = nb;
        /* Files of an older tyche counted the values beyond the edges in
         * the edge bins and have neither dataset. */
        int hu = r_exists(r, h, hp, "underflow"), ho = r_exists(r, h, hp, "overflow");
        if (hu != ho) r_fail(r, TY_ERR_IO, "%s has %s but not %s", hp, hu ? "underflow" : "overflow",
                             hu ? "overflow" : "underflow");
        if (hu && ho) {
            s[i].hist.underflow = r_u64_scalar(r, h, hp, "underflow");
            s[i].hist.overflow = r_u64_scalar(r, h, hp, "overflow");
            s[i].hist.outside_counted = !r->st;
        }
        r_close(r, h, hp);
    }
}

/* A T x F (x 2) matrix of sensitivity/. */
static double *r_mat(rctx *r, hid_t loc, const char *lpath, const char *name, const ty_sensitivity *s,
                     int pairs)
{
    size_t w[3] = {s->ntargets, s->nfactors, 2}, d[3];
    return r_data(r, loc, lpath, name, pairs ? 3 : 2, w, d, IO_NUM_F64, NULL);
}

/* sensitivity/ of a run (io_write.c's w_sensitivity). */
static ty_sensitivity *r_sensitivity(rctx *r, hid_t run, const char *rpath)
{
    char path[640], sub[700];
    ty_sensitivity *s = r_alloc(r, 1, sizeof *s);
    if (!s) return NULL;
    hid_t g = r_group(r, run, rpath, "sensitivity", path, sizeof path);
    char *method = r_attr_str(r, g, path, "method", 0);
    /* Every method the attribute names has its group, and only those are
     * read: the printers take a group's matrices as present when its
     * method is. */
    static const char *const names[3] = {"tornado", "spearman", "sobol"};
    for (int i = 0; method && i < 3; i++)
        if (strstr(method, names[i])) {
            s->methods |= 1u << i;
            if (!r_exists(r, g, path, names[i]))
                r_fail(r, TY_ERR_IO, "%s names the method %s but has no %s", path, names[i], names[i]);
        }
    if (method && !s->methods && !r->st) r_fail(r, TY_ERR_IO, "attribute 'method' of %s names no method", path);
    free(method);
    s->samples = r_attr_u64(r, g, path, "samples");
    s->seed = r_attr_u64(r, g, path, "seed");
    s->ignore_correlations = r_attr_flag(r, g, path, "ignore_correlations");
    uint64_t nout = r_attr_u64(r, g, path, "outcome_targets");
    size_t nt = 0, nf = 0;
    s->targets = r_strs(r, g, path, "targets", (size_t)-1, &nt, 0);
    s->ntargets = nt;
    s->factors = r_strs(r, g, path, "factors", (size_t)-1, &nf, 0);
    s->nfactors = nf;
    r_check_names(r, s->targets, nt, path, "targets");
    r_check_names(r, s->factors, nf, path, "factors");
    if (!r->st && nout > nt)
        r_fail(r, TY_ERR_IO, "attribute 'outcome_targets' of %s is %llu, more than the %zu targets", path,
               (unsigned long long)nout, nt);
    s->noutcome_targets = (size_t)nout;
    if (!r->st && (s->methods & 1u)) {
        hid_t t = r_group(r, g, path, "tornado", sub, sizeof sub);
        s->low_quantile = r_attr_f64(r, t, sub, "low_quantile");
        s->high_quantile = r_attr_f64(r, t, sub, "high_quantile");
        s->baseline = r_f64(r, t, sub, "baseline", nt, NULL);
        s->low = r_mat(r, t, sub, "low", s, 0);
        s->high = r_mat(r, t, sub, "high", s, 0);
        s->value_low = r_f64(r, t, sub, "value_low", nf, NULL);
        s->value_high = r_f64(r, t, sub, "value_high", nf, NULL);
        r_close(r, t, sub);
    }
    if (!r->st && (s->methods & 2u)) {
        s->spearman = r_mat(r, g, path, "spearman", s, 0);
        hid_t d = r->st ? -1 : H5Dopen2(g, "spearman", H5P_DEFAULT);
        snprintf(sub, sizeof sub, "%s/spearman", path);
        if (d >= 0) {
            s->spearman_samples = r_attr_u64(r, d, sub, "samples");
            H5Dclose(d);
        }
    }
    if (!r->st && (s->methods & 4u)) {
        hid_t t = r_group(r, g, path, "sobol", sub, sizeof sub);
        uint64_t boot = r_attr_u64(r, t, sub, "bootstrap");
        if (!r->st && boot > UINT_MAX) r_fail(r, TY_ERR_IO, "attribute 'bootstrap' of %s is out of range", sub);
        s->bootstrap = (unsigned)boot;
        s->first = r_mat(r, t, sub, "first", s, 0);
        s->total = r_mat(r, t, sub, "total", s, 0);
        s->first_ci = r_mat(r, t, sub, "first_ci", s, 1);
        s->total_ci = r_mat(r, t, sub, "total_ci", s, 1);
        r_close(r, t, sub);
    }
    r_close(r, g, path);
    return s;
}

/* The attributes of runs/NAME into run (its variant is NAME). */
static void r_run_attrs(rctx *r, hid_t g, const char *rpath, const char *name, ty_run_result *run)
{
    run->variant = r_dup(r, name, 0);
    run->label = r_attr_str(r, g, rpath, "label", 1);
    run->seed = r_attr_u64(r, g, rpath, "seed");
    run->samples = r_attr_u64(r, g, rpath, "samples");
    run->samples_requested = r_attr_u64(r, g, rpath, "samples_requested");
    run->block_size = r_attr_u64(r, g, rpath, "block_size");
    run->threads = r_attr_int(r, g, rpath, "threads");
    run->ranks = r_attr_int(r, g, rpath, "ranks");
    run->wall_seconds = r_attr_f64(r, g, rpath, "wall_seconds");
    run->complete = r_attr_flag(r, g, rpath, "complete");
    run->stopped_early = r_attr_flag(r, g, rpath, "stopped_early");
    if (H5Aexists(g, "target_halfwidth") > 0) {   /* absent from files of tyche before 0.2 */
        run->target_halfwidth = r_attr_f64(r, g, rpath, "target_halfwidth");
        run->target_reached = r_attr_flag(r, g, rpath, "target_reached");
        run->max_halfwidth = r_attr_f64(r, g, rpath, "max_halfwidth");
    }
    char *sampling = r_attr_str(r, g, rpath, "sampling", 0);
    if (sampling && strcmp(sampling, "lhs") == 0) run->sampling = 1;
    else if (sampling && strcmp(sampling, "random") == 0) run->sampling = 0;
    else if (sampling) r_fail(r, TY_ERR_IO, "%s: unknown sampling '%s'", rpath, sampling);
    free(sampling);
}

/* The ty_estimate columns of outcomes/ or outcomes_prior/ (group o, whose
 * path is path) into the k rows of est (NULL: nothing, the allocation
 * failed). Once a sample is done, a probability is a number (a NaN or an
 * infinity is a damaged file, not a result). */
static void r_estimates(rctx *r, hid_t o, const char *path, size_t k, ty_estimate *est, uint64_t samples)
{
    static const struct { const char *name; size_t off; } fields[] = {
        {"probability", offsetof(ty_estimate, probability)}, {"stderr", offsetof(ty_estimate, stderr_)},
        {"ci_low", offsetof(ty_estimate, ci_low)}, {"ci_high", offsetof(ty_estimate, ci_high)},
    };
    for (size_t e = 0; e < sizeof fields / sizeof fields[0]; e++) {
        double *col = r_f64(r, o, path, fields[e].name, k, NULL);
        for (size_t i = 0; col && est && i < k; i++)
            memcpy((char *)&est[i] + fields[e].off, &col[i], sizeof(double));
        free(col);
    }
    for (size_t i = 0; est && i < k && samples > 0 && !r->st; i++) {
        double p = est[i].probability;
        if (!isfinite(p))
            r_fail(r, TY_ERR_IO, "%s/probability: entry %zu is %g, not a probability", path, i + 1, p);
    }
}

/* outcomes/ into run: names, labels and the ty_estimate columns. Returns
 * the number of outcomes, 0 when they could not be read. */
static size_t r_outcomes(rctx *r, hid_t g, const char *rpath, ty_run_result *run)
{
    char path[640];
    hid_t o = r_group(r, g, rpath, "outcomes", path, sizeof path);
    size_t k = 0;
    char **names = r_strs(r, o, path, "name", (size_t)-1, &k, 0);
    r_check_names(r, names, k, path, "name");
    char **labels = r_strs(r, o, path, "label", k, NULL, 1);
    ty_estimate *est = r_alloc(r, k, sizeof *est);
    if (names && labels && est) {
        run->outcome_names = names;
        run->outcome_labels = labels;
        run->outcomes = est;
        run->noutcomes = k;
    } else {
        free_strs(names, k);
        free_strs(labels, k);
        free(est);
        k = 0;
    }
    r_estimates(r, o, path, k, run->outcomes, run->samples);
    /* Absent from files of an older tyche: spread stays NULL. */
    if (!r->st && r_exists(r, o, path, "spread")) {
        run->spread = r_f64_2d(r, o, path, "spread", k, TY_SPREAD_NLEVELS);
        r_levels(r, o, path, "spread", ty_spread_levels, TY_SPREAD_NLEVELS);
    }
    r_close(r, o, path);
    return r->st ? 0 : k;
}

/* The columns of a difference/ group dg (outcomes' or queries') into the k
 * rows of out (NULL: nothing, the allocation failed). */
static void r_diff_columns(rctx *r, hid_t dg, const char *path, size_t k, ty_difference *out)
{
    static const struct { const char *name; size_t off; } dif[] = {
        {"diff", offsetof(ty_difference, diff)}, {"stderr", offsetof(ty_difference, stderr_)},
        {"ci_low", offsetof(ty_difference, ci_low)}, {"ci_high", offsetof(ty_difference, ci_high)},
        {"unpaired_stderr", offsetof(ty_difference, unpaired_stderr)},
    };
    for (size_t e = 0; out && e < sizeof dif / sizeof dif[0]; e++) {
        double *col = r_f64(r, dg, path, dif[e].name, k, NULL);
        for (size_t i = 0; col && i < k; i++)
            memcpy((char *)&out[i] + dif[e].off, &col[i], sizeof(double));
        free(col);
    }
}

/* Moves the n strings of v into field (a char * member at offset off) of
 * each of the n structs of stride bytes at base (queries, observations),
 * and frees v; NULL v does nothing. */
static void move_strs(char **v, size_t n, void *base, size_t stride, size_t off)
{
    for (size_t i = 0; v && i < n; i++) memcpy((char *)base + i * stride + off, &v[i], sizeof(char *));
    free(v);
}

/* queries/ into run (only in files of a scenario with queries): every
 * dataset as long as name, each kind one of ty_query_kind_name's, the
 * quantiles [query, level] at ty_query_levels, and difference/ when present.
 * run->queries is set before its fields, so that ty_run_result_clear
 * frees whatever was read when a later check fails. */
static void r_queries(rctx *r, hid_t g, const char *rpath, ty_run_result *run)
{
    char path[640];
    hid_t qg = r_group(r, g, rpath, "queries", path, sizeof path);
    size_t n = 0;
    char **names = r_strs(r, qg, path, "name", (size_t)-1, &n, 0);
    r_check_names(r, names, n, path, "name");
    ty_query_result *q = r_alloc(r, n, sizeof *q);
    if (!q) { free_strs(names, n); r_close(r, qg, path); return; }
    run->queries = q;
    run->nqueries = n;
    move_strs(names, n, q, sizeof *q, offsetof(ty_query_result, name));
    move_strs(r_strs(r, qg, path, "label", n, NULL, 1), n, q, sizeof *q, offsetof(ty_query_result, label));
    char **kinds = r_strs(r, qg, path, "kind", n, NULL, 0);
    for (size_t i = 0; kinds && i < n && !r->st; i++) {
        q[i].kind = ty_query_kind_from_name(kinds[i]);
        if (q[i].kind < 0)
            r_fail(r, TY_ERR_IO, "%s/kind: entry %zu, '%s', is not probability, mean or quantiles", path,
                   i + 1, kinds[i]);
    }
    free_strs(kinds, kinds ? n : 0);
    move_strs(r_strs(r, qg, path, "expr", n, NULL, 0), n, q, sizeof *q, offsetof(ty_query_result, expr));
    move_strs(r_strs(r, qg, path, "given", n, NULL, 1), n, q, sizeof *q, offsetof(ty_query_result, given));
    static const struct { const char *name; size_t off; } fields[] = {
        {"value", offsetof(ty_query_result, est.probability)},
        {"stderr", offsetof(ty_query_result, est.stderr_)},
        {"ci_low", offsetof(ty_query_result, est.ci_low)},
        {"ci_high", offsetof(ty_query_result, est.ci_high)},
        {"given_share", offsetof(ty_query_result, given_share)},
    };
    for (size_t e = 0; e < sizeof fields / sizeof fields[0]; e++) {
        double *col = r_f64(r, qg, path, fields[e].name, n, NULL);
        for (size_t i = 0; col && i < n; i++)
            memcpy((char *)&q[i] + fields[e].off, &col[i], sizeof(double));
        free(col);
    }
    double *qs = r_f64_2d(r, qg, path, "quantiles", n, TY_QUERY_NLEVELS);
    for (size_t i = 0; qs && i < n; i++)
        memcpy(q[i].quantiles, &qs[i * TY_QUERY_NLEVELS], sizeof q[i].quantiles);
    free(qs);
    r_levels(r, qg, path, "quantiles", ty_query_levels, TY_QUERY_NLEVELS);
    if (!r->st && r_exists(r, qg, path, "difference")) {
        char dpath[700];
        hid_t dg = r_group(r, qg, path, "difference", dpath, sizeof dpath);
        run->query_difference = r_alloc(r, n, sizeof *run->query_difference);
        r_diff_columns(r, dg, dpath, n, run->query_difference);
        r_close(r, dg, dpath);
    }
    r_close(r, qg, path);
}

/* A float64 attribute of observations/ that must not be negative (NaN:
 * not known), or within [0, 1] with unit set. */
static double r_obs_stat(rctx *r, hid_t og, const char *path, const char *name, int unit)
{
    double v = r_attr_f64(r, og, path, name);
    if (!r->st && (v < 0 || (unit && v > 1)))
        r_fail(r, TY_ERR_IO, "attribute '%s' of %s is %g, not %s", name, path, v,
               unit ? "a share within [0, 1]" : "a non-negative number");
    return v;
}

/* observations/ into run (only in files of a run with observations): the
 * diagnostics, every dataset as long as name (at least one), each kind one
 * of ty_observation_kind_name's, a reading's series read and value a
 * number, a when's or loglik's expression, a when's share held within
 * [0, 1] once a sample is done; warnings, when present, a list of strings
 * (not kept: ty_observation_warnings gives them again). run->observations
 * is set before its fields, so that ty_run_result_clear frees whatever was
 * read when a later check fails. */
static void r_observations(rctx *r, hid_t g, const char *rpath, ty_run_result *run)
{
    char path[640];
    hid_t og = r_group(r, g, rpath, "observations", path, sizeof path);
    run->obs.ess = r_obs_stat(r, og, path, "ess", 0);
    run->obs.ess_fraction = r_obs_stat(r, og, path, "ess_fraction", 0);
    run->obs.acceptance = r_obs_stat(r, og, path, "acceptance", 1);
    run->obs.log_evidence = r_attr_f64(r, og, path, "log_evidence");
    run->obs.pareto_k = r_attr_f64(r, og, path, "pareto_k");
    size_t n = 0;
    char **names = r_strs(r, og, path, "name", (size_t)-1, &n, 0);
    r_check_names(r, names, n, path, "name");
    if (!r->st && n == 0) r_fail(r, TY_ERR_IO, "%s/name: no observations", path);
    ty_observation_result *o = r_alloc(r, n, sizeof *o);
    if (!o) { free_strs(names, n); r_close(r, og, path); return; }
    run->observations = o;
    run->nobservations = n;
    move_strs(names, n, o, sizeof *o, offsetof(ty_observation_result, name));
    char **kinds = r_strs(r, og, path, "kind", n, NULL, 0);
    for (size_t i = 0; kinds && i < n && !r->st; i++) {
        o[i].kind = ty_observation_kind_from_name(kinds[i]);
        if (o[i].kind < 0)
            r_fail(r, TY_ERR_IO, "%s/kind: entry %zu, '%s', is not reading, when or loglik", path, i + 1,
                   kinds[i]);
    }
    free_strs(kinds, kinds ? n : 0);
    move_strs(r_strs(r, og, path, "of", n, NULL, 1), n, o, sizeof *o, offsetof(ty_observation_result, of));
    move_strs(r_strs(r, og, path, "expr", n, NULL, 1), n, o, sizeof *o, offsetof(ty_observation_result, expr));
    move_strs(r_strs(r, og, path, "label", n, NULL, 1), n, o, sizeof *o, offsetof(ty_observation_result, label));
    double *value = r_f64(r, og, path, "value", n, NULL);
    double *held = r_f64(r, og, path, "held", n, NULL);
    for (size_t i = 0; value && held && i < n; i++) {
        o[i].value = value[i];
        o[i].held = held[i];
    }
    free(value);
    free(held);
    for (size_t i = 0; i < n && !r->st; i++) {
        const ty_observation_result *x = &o[i];
        if (x->kind == TY_OBS_READING && !x->of)
            r_fail(r, TY_ERR_IO, "%s/of: entry %zu is empty, but observation '%s' is a reading", path, i + 1,
                   x->name);
        else if (x->kind == TY_OBS_READING && !isfinite(x->value))
            r_fail(r, TY_ERR_IO, "%s/value: entry %zu is %g, not the value read by observation '%s'", path,
                   i + 1, x->value, x->name);
        else if (x->kind != TY_OBS_READING && !x->expr)
            r_fail(r, TY_ERR_IO, "%s/expr: entry %zu is empty, but observation '%s' is a %s", path, i + 1,
                   x->name, ty_observation_kind_name(x->kind));
        else if (x->kind == TY_OBS_WHEN && (run->samples > 0 || !isnan(x->held)) && !(x->held >= 0 && x->held <= 1))
            r_fail(r, TY_ERR_IO, "%s/held: entry %zu is %g, not a share within [0, 1]", path, i + 1, x->held);
    }
    if (!r->st && r_exists(r, og, path, "warnings")) {   /* may be left out when there are none */
        size_t nw = 0;
        char **warn = r_strs(r, og, path, "warnings", (size_t)-1, &nw, 0);
        free_strs(warn, warn ? nw : 0);
    }
    r_close(r, og, path);
}

/* outcomes_prior/ of a run with observations into run->outcomes_prior: the
 * run's outcomes (k, by name, in order) and their unweighted estimates. */
static void r_outcomes_prior(rctx *r, hid_t g, const char *rpath, size_t k, ty_run_result *run)
{
    char path[640];
    hid_t o = r_group(r, g, rpath, "outcomes_prior", path, sizeof path);
    size_t n = 0;
    char **names = r_strs(r, o, path, "name", k, &n, 0);
    for (size_t i = 0; names && i < n && !r->st; i++)
        if (strcmp(names[i], run->outcome_names[i]) != 0)
            r_fail(r, TY_ERR_IO, "%s/name: entry %zu, '%s', is not '%s', as in outcomes/name", path, i + 1,
                   names[i], run->outcome_names[i]);
    free_strs(names, names ? n : 0);
    run->outcomes_prior = r_alloc(r, k, sizeof *run->outcomes_prior);
    r_estimates(r, o, path, k, run->outcomes_prior, run->samples);
    r_close(r, o, path);
}

/* convergence/ into run, checking its shape against k outcomes. */
static void r_convergence(rctx *r, hid_t g, const char *rpath, size_t k, ty_run_result *run)
{
    char path[640];
    hid_t c = r_group(r, g, rpath, "convergence", path, sizeof path);
    size_t m = 0;
    run->convergence.samples = r_u64(r, c, path, "samples", (size_t)-1, &m);
    run->convergence.probability = r_f64_2d(r, c, path, "probability", m, k);
    run->convergence.halfwidth = r_f64_2d(r, c, path, "halfwidth", m, k);
    if (!r->st) run->convergence.npoints = m;
    r_close(r, c, path);
}

/* time/ of a time scenario's run into run->time, its shapes checked
 * against k outcomes. */
static void r_time(rctx *r, hid_t g, const char *rpath, size_t k, ty_run_result *run)
{
    char path[640], spath[760], jpath[900];
    hid_t t = r_group(r, g, rpath, "time", path, sizeof path);
    ty_time_result *tr = r_alloc(r, 1, sizeof *tr);
    if (!tr) { r_close(r, t, path); return; }
    run->time = tr;
    tr->steps = r_attr_u64(r, t, path, "steps");
    tr->unit = r_attr_str(r, t, path, "unit", 1);
    tr->percentile_samples = r_attr_u64(r, t, path, "percentile_samples");
    size_t m = 0;
    tr->step = r_u64(r, t, path, "step", (size_t)-1, &m);
    tr->cumulative = r_f64_2d(r, t, path, "cumulative", m, k);
    tr->ci_low = r_f64_2d(r, t, path, "ci_low", m, k);
    tr->ci_high = r_f64_2d(r, t, path, "ci_high", m, k);
    if (!r->st) {
        tr->nreport = m;
        if (m == 0 || tr->steps < 1 || tr->step[m - 1] != tr->steps)
            r_fail(r, TY_ERR_IO, "%s/step: the reported steps do not end at the %llu steps", path,
                   (unsigned long long)tr->steps);
        for (size_t i = 1; i < m && !r->st; i++)
            if (tr->step[i] <= tr->step[i - 1])
                r_fail(r, TY_ERR_IO, "%s/step: not increasing at %zu", path, i);
    }
    hid_t sg = r_group(r, t, path, "state", spath, sizeof spath);
    size_t ns = 0;
    char **names = r_links(r, sg, spath, &ns);
    tr->states = r_alloc(r, ns + 1, sizeof *tr->states);
    for (size_t j = 0; j < ns && tr->states && !r->st; j++) {
        ty_time_state *x = &tr->states[j];
        x->name = r_dup(r, names[j], 0);
        tr->nstates = j + 1;
        hid_t jg = r_group(r, sg, spath, names[j], jpath, sizeof jpath);
        if (!r->st && H5Aexists(jg, "label") > 0) x->label = r_attr_str(r, jg, jpath, "label", 1);
        if (!r->st && H5Aexists(jg, "unit") > 0) x->unit = r_attr_str(r, jg, jpath, "unit", 1);
        size_t got;
        x->mean = r_f64(r, jg, jpath, "mean", m, &got);
        x->p05 = r_f64(r, jg, jpath, "p05", m, &got);
        x->p50 = r_f64(r, jg, jpath, "p50", m, &got);
        x->p95 = r_f64(r, jg, jpath, "p95", m, &got);
        x->mean_running = r_f64(r, jg, jpath, "mean_running", m, &got);
        if (!r->st && r_exists(r, jg, jpath, "p05_running")) {   /* absent: an older tyche */
            x->p05_running = r_f64(r, jg, jpath, "p05_running", m, &got);
            x->p50_running = r_f64(r, jg, jpath, "p50_running", m, &got);
            x->p95_running = r_f64(r, jg, jpath, "p95_running", m, &got);
        }
        r_close(r, jg, jpath);
    }
    free_strs(names, ns);
    r_close(r, sg, spath);
    r_close(r, t, path);
}

/* difference/ of a batch variant into run: k rows of ty_difference. */
static void r_difference(rctx *r, hid_t g, const char *rpath, size_t k, ty_run_result *run)
{
    char path[640];
    hid_t dg = r_group(r, g, rpath, "difference", path, sizeof path);
    run->difference = r_alloc(r, k, sizeof *run->difference);
    r_diff_columns(r, dg, path, k, run->difference);
    r_close(r, dg, path);
}

/* resume/ of a run in a file that is not complete: an incomplete run's
 * state into run->resume (opaque to this module), and the paired-difference
 * groups when present. */
static void r_resume(rctx *r, hid_t g, const char *rpath, size_t k, ty_run_result *run)
{
    char path[640];
    hid_t s = r_group(r, g, rpath, "resume", path, sizeof path);
    if (!run->complete) {
        run->resume.blocks_done = r_attr_u64(r, s, path, "blocks_done");
        run->resume.real = r_f64(r, s, path, "real", (size_t)-1, &run->resume.nreal);
        run->resume.count = r_u64(r, s, path, "count", (size_t)-1, &run->resume.ncount);
    }
    if (!r->st && r_exists(r, s, path, "group_sums")) {
        size_t ng = 0;
        run->group_units = r_attr_u64(r, s, path, "group_units");
        run->group_weights = r_f64(r, s, path, "group_weights", (size_t)-1, &ng);
        run->group_sums = r_f64_2d(r, s, path, "group_sums", ng, k);
        if (!r->st) run->ngroups = ng;
        /* The queries' sums, where the run has queries: as many groups. */
        if (!r->st && r_exists(r, s, path, "query_group_sums")) {
            size_t w[3] = {ng, run->nqueries, 2}, d[3];
            if (!run->nqueries)
                r_fail(r, TY_ERR_IO, "%s/query_group_sums: present in a run without queries", path);
            else
                run->query_group_sums = r_data(r, s, path, "query_group_sums", 3, w, d, IO_NUM_F64, NULL);
        }
    }
    if (!r->st && !run->group_sums && r_exists(r, s, path, "query_group_sums"))
        r_fail(r, TY_ERR_IO, "%s has query_group_sums but no group_sums", path);
    r_close(r, s, path);
}

/* runs/NAME into run: attributes, outcomes, series with their histograms,
 * convergence, and the optional difference, sensitivity and resume. */
static void r_run(rctx *r, hid_t runs, const char *name, ty_run_result *run)
{
    char rpath[512];
    hid_t g = r_group(r, runs, "/runs", name, rpath, sizeof rpath);
    r_run_attrs(r, g, rpath, name, run);
    size_t k = r_outcomes(r, g, rpath, run);
    if (r_exists(r, g, rpath, "queries")) r_queries(r, g, rpath, run);   /* absent: no queries (or an older tyche) */
    /* Absent: no observations (or an older tyche), and then no prior. */
    if (r_exists(r, g, rpath, "observations")) r_observations(r, g, rpath, run);
    static const char *const prior[] = {"outcomes_prior", "factors_prior", "derived_prior", "histograms_prior"};
    for (size_t i = 0; i < sizeof prior / sizeof prior[0] && !run->nobservations && !r->st; i++)
        if (r_exists(r, g, rpath, prior[i]))
            r_fail(r, TY_ERR_IO, "%s/%s: present in a run without observations", rpath, prior[i]);
    if (run->nobservations) r_outcomes_prior(r, g, rpath, k, run);

    char hpath[640];
    hid_t h = r_group(r, g, rpath, "histograms", hpath, sizeof hpath);
    /* The counts of a run with observations are weighted (docs/results.md). */
    if (h >= 0 && !r->st && H5Aexists(h, "weighted") > 0 && r_attr_flag(r, h, hpath, "weighted")
        && !run->nobservations)
        r_fail(r, TY_ERR_IO, "attribute 'weighted' of %s is 1 in a run without observations", hpath);
    r_series(r, g, rpath, "factors", h, hpath, &run->factors, &run->nfactors, NULL, 0);
    r_series(r, g, rpath, "derived", h, hpath, &run->derived, &run->nderived, NULL, 0);
    r_close(r, h, hpath);
    if (run->nobservations && !r->st) {
        size_t nf = 0, nd = 0;
        h = r_group(r, g, rpath, "histograms_prior", hpath, sizeof hpath);
        r_series(r, g, rpath, "factors_prior", h, hpath, &run->factors_prior, &nf, run->factors, run->nfactors);
        r_series(r, g, rpath, "derived_prior", h, hpath, &run->derived_prior, &nd, run->derived, run->nderived);
        r_close(r, h, hpath);
    }

    r_convergence(r, g, rpath, k, run);
    if (r_exists(r, g, rpath, "time")) r_time(r, g, rpath, k, run);
    if (k && r_exists(r, g, rpath, "difference")) r_difference(r, g, rpath, k, run);
    if (r_exists(r, g, rpath, "sensitivity")) run->sensitivity = r_sensitivity(r, g, rpath);
    if (r_exists(r, g, rpath, "resume")) r_resume(r, g, rpath, k, run);
    r_close(r, g, rpath);
}

static void r_sweep(rctx *r, hid_t sweeps, const char *name, ty_sweep_result *s)
{
    char path[640];
    hid_t g = r_group(r, sweeps, "/sweeps", name, path, sizeof path);
    s->name = r_dup(r, name, 0);
    s->factor = r_attr_str(r, g, path, "factor", 0);
    s->param = r_attr_str(r, g, path, "param", 0);
    if (H5Aexists(g, "label") > 0) s->label = r_attr_str(r, g, path, "label", 1);
    size_t n = 0, d[2] = {0, 0}, w[2] = {(size_t)-1, (size_t)-1};
    s->values = r_f64(r, g, path, "values", (size_t)-1, &n);
    w[0] = n;
    s->probability = r_data(r, g, path, "probability", 2, w, d, IO_NUM_F64, NULL);
    w[1] = d[1];
    s->ci_low = r_f64_2d(r, g, path, "ci_low", n, w[1]);
    s->ci_high = r_f64_2d(r, g, path, "ci_high", n, w[1]);
    if (!r->st) {
        s->npoints = n;
        s->noutcomes = d[1];
    }
    if (!r->st && r_exists(r, g, path, "outcome"))   /* absent from files of tyche before 0.2 */
        s->outcome_names = r_strs(r, g, path, "outcome", s->noutcomes, NULL, 0);
    r_check_names(r, s->outcome_names, s->noutcomes, path, "outcome");
    /* The sweep an interrupted batch was running: the points done, and the
     * state of the next (io_write.c's w_sweep). */
    if (!r->st && H5Aexists(g, "complete") > 0 && r_attr_int(r, g, path, "complete") == 0) {
        char rp[700];
        s->partial = 1;
        hid_t rg = r_group(r, g, path, "resume", rp, sizeof rp);
        s->resume.blocks_done = r_attr_u64(r, rg, rp, "blocks_done");
        s->resume.real = r_f64(r, rg, rp, "real", (size_t)-1, &s->resume.nreal);
        s->resume.count = r_u64(r, rg, rp, "count", (size_t)-1, &s->resume.ncount);
        r_close(r, rg, rp);
    }
    r_close(r, g, path);
}

/* The root's command_args (io_write.c's w_command_args) into res: a 1-D
 * attribute of strings; absent (files of an older tyche): NULL. A damaged
 * one (another type or shape, an unreadable element) fails the read. */
static void r_command_args(rctx *r, hid_t file, ty_results *res)
{
    if (r->st || H5Aexists(file, "command_args") <= 0) return;
    hid_t a = H5Aopen(file, "command_args", H5P_DEFAULT);
    if (a < 0) { r_fail(r, TY_ERR_IO, "reading attribute 'command_args' of /"); return; }
    hsize_t dims[3];
    const char *why = NULL;
    char **args = NULL;
    if (io_shape(a, 1, dims) != 1 || dims[0] > 4096)
        why = "is not a 1-D array of at most 4096 strings";
    else if (dims[0] > 0)
        args = io_read_strs(a, 1, (size_t)dims[0], r->version == 1, R_MAX_STR, &why);
    H5Aclose(a);
    if (why) { r_fail(r, TY_ERR_IO, "attribute 'command_args' of / %s", why); return; }
    res->command_args = args;
    res->ncommand_args = args ? (size_t)dims[0] : 0;
}

/* Checks format and version attributes of the root; 0 when readable. */
static void r_check_format(rctx *r, hid_t file)
{
    const char *foreign = "not a tyche result file (no format=\"" TY_IO_FORMAT "\" attribute)";
    if (H5Aexists(file, "format") <= 0 || H5Aexists(file, "format_version") <= 0) {
        (void)H5Eclear2(H5E_DEFAULT);
        r_fail(r, TY_ERR_IO, "%s", foreign);
        return;
    }
    /* The version first, before any string is read: files of format 1 keep
     * their strings in HDF5's global heap, whose damaged entries crash
     * libhdf5 itself (tests/fuzz/regressions/results/); they are refused
     * unread. */
    int version = r_attr_int(r, file, "/", "format_version");
    r->version = TY_IO_FORMAT_VERSION;
    if (!r->st && version == 1) {
        r_fail(r, TY_ERR_IO, "written by an older tyche (result format version 1, whose strings a "
               "damaged file can turn into a crash); run its scenario again with this tyche");
        return;
    }
    char *format = r_attr_str(r, file, "/", "format", 0);
    if (r->st) return;
    int ours = strcmp(format, TY_IO_FORMAT) == 0;
    free(format);
    if (!ours)
        r_fail(r, TY_ERR_IO, "%s", foreign);
    else if (version > TY_IO_FORMAT_VERSION)
        r_fail(r, TY_ERR_IO, "format version %d is newer than this tyche reads (version %d); "
               "use a newer tyche", version, TY_IO_FORMAT_VERSION);
    else if (version < 1)
        r_fail(r, TY_ERR_IO, "format version %d is not a valid tyche result format version", version);
}

static void r_results(rctx *r, hid_t file, ty_results *res)
{
    r_check_format(r, file);
    res->tyche_version = r_attr_str(r, file, "/", "tyche_version", 0);
    res->created = r_attr_str(r, file, "/", "created", 0);
    res->command_line = r_attr_str(r, file, "/", "command_line", 1);
    r_command_args(r, file, res);
    res->host = r_attr_str(r, file, "/", "host", 1);
    res->complete = r_attr_flag(r, file, "/", "complete");

    char path[640];
    hid_t g = r_group(r, file, "/", "scenario", path, sizeof path);
    res->scenario_name = r_attr_str(r, g, path, "name", 0);
    res->scenario_title = r_attr_str(r, g, path, "title", 1);
    res->scenario_source = r_attr_str(r, g, path, "source", 1);
    res->source_text = r_text(r, g, path, "source_text");
    if (r_exists(r, g, path, "batch_text")) res->batch_text = r_text(r, g, path, "batch_text");
    r_close(r, g, path);

    size_t n = 0;
    g = r_group(r, file, "/", "runs", path, sizeof path);
    char **names = r_links(r, g, path, &n);
    res->runs = r_alloc(r, n, sizeof *res->runs);
    if (res->runs) res->nruns = n;
    for (size_t i = 0; i < n && !r->st; i++) r_run(r, g, names[i], &res->runs[i]);
    free_strs(names, n);
    r_close(r, g, path);

    n = 0;
    if (r_exists(r, file, "/", "sweeps")) {
        g = r_group(r, file, "/", "sweeps", path, sizeof path);
        names = r_links(r, g, path, &n);
        res->sweeps = r_alloc(r, n, sizeof *res->sweeps);
        if (res->sweeps) res->nsweeps = n;
        for (size_t i = 0; i < n && !r->st; i++) r_sweep(r, g, names[i], &res->sweeps[i]);
        free_strs(names, n);
        r_close(r, g, path);
    }
}

ty_status ty_results_read(const char *path, ty_results **out, ty_diag *diag)
{
    *out = NULL;
    io_quiet();
    rctx r = {path, diag, TY_OK, 0, 0};
    struct stat st;
    if (stat(path, &st) != 0) {
        r_fail(&r, TY_ERR_IO, "cannot open: %s", strerror(errno));
        return r.st;
    }
    if (S_ISDIR(st.st_mode)) {
        r_fail(&r, TY_ERR_IO, "is a folder, not a result file");
        return r.st;
    }
    r.fsize = (uint64_t)st.st_size;
    htri_t is = H5Fis_hdf5(path);
    if (is == 0) {
        (void)H5Eclear2(H5E_DEFAULT);
        ty_pos pos = {path, 0, 0};
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "not an HDF5 file");
        return TY_ERR_IO;
    }
    if (is < 0) {
        r_fail(&r, TY_ERR_IO, "cannot read");
        return r.st;
    }
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) {
        if (fapl >= 0) H5Pclose(fapl);
        r_fail(&r, TY_ERR_IO, "setting up HDF5 file access");
        return r.st;
    }
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (file < 0) {
        r_fail(&r, TY_ERR_IO, "cannot open as HDF5");
        return r.st;
    }
    ty_results *res = r_alloc(&r, 1, sizeof *res);
    if (res) r_results(&r, file, res);
    if (H5Fclose(file) < 0) r_fail(&r, TY_ERR_IO, "closing");
    if (r.st) {
        ty_results_free(res);
        return r.st;
    }
    *out = res;
    return TY_OK;
}
