/* io_write.c - writing result files (DESIGN section 5): the temporary file
 * beside the final path, per-sample streaming, the schema, and the fsync
 * and rename that make the write atomic. Reading is io_read.c.
 *
 * Every write goes through a context with a sticky status: after the first
 * failure the helpers do nothing, so the schema code reads top to bottom. */
#include "tyche/io.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5_hl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io_int.h"
#include "tyche/version.h"

#define SAMPLE_CHUNK 65536   /* elements per chunk of a samples/ column: 512 KiB */

struct ty_result_file {
    char *final_path, *tmp_path, *dir;
    hid_t file;
    ty_io_options opt;
    long writes;             /* dataset and attribute writes so far */
    int failed;              /* a call failed; only finish (which aborts) or abort remain */
    hid_t *cols;             /* the current per-sample column set */
    size_t ncols;
    hsize_t nrows;
    char cols_path[512];
};

typedef struct wctx {
    ty_result_file *f;
    ty_diag *diag;
    ty_status st;
} wctx;

void ty_io_options_init(ty_io_options *opt)
{
    opt->compression_level = 0;   /* none by default: see io.h */
    opt->shuffle = 1;
    opt->fail_after_writes = 0;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

/* Records the first failure: "WHAT: HDF5's message" on the final path. */
static void w_fail(wctx *w, ty_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void w_fail(wctx *w, ty_status st, const char *fmt, ...)
{
    char h5[256], what[768];
    io_h5_error(h5, sizeof h5);
    if (w->st) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    w->st = st;
    w->f->failed = 1;
    ty_pos pos = {w->f->final_path, 0, 0};
    ty_diag_add(w->diag, TY_SEV_ERROR, &pos, "%s%s%s", what, h5[0] ? ": " : "", h5);
}

/* Counts one write; returns nonzero (and records the failure) when fault
 * injection says this write hits a full disk. */
static int w_inject(wctx *w, const char *op, const char *path)
{
    w->f->writes++;
    if (w->f->opt.fail_after_writes <= 0 || w->f->writes < w->f->opt.fail_after_writes) return 0;
    (void)H5Eclear2(H5E_DEFAULT);
    w_fail(w, TY_ERR_IO, "writing %s %s: no space left on device (injected fault at write %ld)", op, path,
           w->f->writes);
    return 1;
}

static void join(char *buf, size_t size, const char *parent, const char *name)
{
    snprintf(buf, size, "%s%s%s", parent, strcmp(parent, "/") == 0 ? "" : "/", name);
}

/* A name that HDF5 can store as one link: not empty, ".", nor with '/'. */
static int w_check_name(wctx *w, const char *what, const char *name)
{
    if (w->st) return -1;
    if (!name || !*name || strcmp(name, ".") == 0 || strchr(name, '/')) {
        w_fail(w, TY_ERR_INVALID, "%s name '%s' cannot name an HDF5 group or dataset", what,
               name ? name : "(null)");
        return -1;
    }
    return 0;
}

static void w_close(wctx *w, hid_t id, const char *path)
{
    if (id < 0) return;
    if (H5Oclose(id) < 0) w_fail(w, TY_ERR_IO, "closing %s", path);
}

/* Opens parent/name as a group, creating it when missing; with order set,
 * the group remembers the creation order of its links (runs, sweeps). */
static hid_t w_group(wctx *w, hid_t parent, const char *ppath, const char *name, int order,
                     char *path, size_t size)
{
    join(path, size, ppath, name);
    if (w->st) return -1;
    htri_t exists = H5Lexists(parent, name, H5P_DEFAULT);
    if (exists < 0) { w_fail(w, TY_ERR_IO, "looking up %s", path); return -1; }
    if (exists) {
        hid_t g = H5Gopen2(parent, name, H5P_DEFAULT);
        if (g < 0) w_fail(w, TY_ERR_IO, "opening group %s", path);
        return g;
    }
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl < 0) { w_fail(w, TY_ERR_IO, "creating group %s", path); return -1; }
    if (order && H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0) {
        H5Pclose(gcpl);
        w_fail(w, TY_ERR_IO, "creating group %s", path);
        return -1;
    }
    hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (g < 0) w_fail(w, TY_ERR_IO, "creating group %s", path);
    return g;
}

/* Writes a scalar attribute. */
static void w_attr(wctx *w, hid_t obj, const char *path, const char *name, hid_t ftype,
                   hid_t mtype, const void *buf)
{
    if (w->st) return;
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = sp < 0 ? -1 : H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    char what[600];
    snprintf(what, sizeof what, "attribute '%s' of", name);
    if (a < 0) w_fail(w, TY_ERR_IO, "creating %s %s", what, path);
    else if (!w_inject(w, what, path) && H5Awrite(a, mtype, buf) < 0)
        w_fail(w, TY_ERR_IO, "writing %s %s", what, path);
    if (a >= 0 && H5Aclose(a) < 0) w_fail(w, TY_ERR_IO, "closing %s %s", what, path);
    if (sp >= 0) H5Sclose(sp);
}

static void w_attr_str(wctx *w, hid_t obj, const char *path, const char *name, const char *value)
{
    hid_t t = io_str_type();
    if (t < 0) { w_fail(w, TY_ERR_IO, "making a string type for %s", path); return; }
    const char *v = value ? value : "";
    w_attr(w, obj, path, name, t, t, &v);
    H5Tclose(t);
}

static void w_attr_int(wctx *w, hid_t obj, const char *path, const char *name, int value)
{
    w_attr(w, obj, path, name, H5T_STD_I32LE, H5T_NATIVE_INT, &value);
}

static void w_attr_u64(wctx *w, hid_t obj, const char *path, const char *name, uint64_t value)
{
    w_attr(w, obj, path, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

static void w_attr_f64(wctx *w, hid_t obj, const char *path, const char *name, double value)
{
    w_attr(w, obj, path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

/* Creates and writes loc/name with the given shape, then its "units" and
 * "description" attributes (either may be NULL). Returns the open dataset
 * (the caller closes it with w_close) or a negative id. */
static hid_t w_dataset(wctx *w, hid_t loc, const char *lpath, const char *name, hid_t ftype,
                       hid_t mtype, int rank, const hsize_t *dims, const void *data,
                       const char *units, const char *description)
{
    char path[768];
    join(path, sizeof path, lpath, name);
    if (w->st) return -1;
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t d = sp < 0 ? -1 : H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (sp >= 0) H5Sclose(sp);
    if (d < 0) { w_fail(w, TY_ERR_IO, "creating dataset %s", path); return -1; }
    hsize_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    if (n > 0 && !w_inject(w, "dataset", path)
        && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        w_fail(w, TY_ERR_IO, "writing dataset %s", path);
    if (units) w_attr_str(w, d, path, "units", units);
    if (description) w_attr_str(w, d, path, "description", description);
    if (w->st) { H5Dclose(d); return -1; }
    return d;
}

static void w_f64(wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
                  const double *data, const char *units, const char *description)
{
    hsize_t dims[1] = {n};
    hid_t d = w_dataset(w, loc, lpath, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims, data,
                        units, description);
    w_close(w, d, name);
}

static void w_u64(wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
                  const uint64_t *data, const char *units, const char *description)
{
    hsize_t dims[1] = {n};
    hid_t d = w_dataset(w, loc, lpath, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, dims, data,
                        units, description);
    w_close(w, d, name);
}

/* A 1-D dataset of n variable-length UTF-8 strings; NULL entries become "". */
static void w_strs(wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
                   const char *(*get)(const void *, size_t), const void *src,
                   const char *description)
{
    if (w->st) return;
    const char **v = malloc((n ? n : 1) * sizeof *v);
    hid_t t = io_str_type();
    if (!v || t < 0) {
        if (!v) w_fail(w, TY_ERR_NOMEM, "writing %s/%s: out of memory", lpath, name);
        else w_fail(w, TY_ERR_IO, "making a string type for %s/%s", lpath, name);
        free(v);
        if (t >= 0) H5Tclose(t);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = get(src, i);
        v[i] = s ? s : "";
    }
    hsize_t dims[1] = {n};
    hid_t d = w_dataset(w, loc, lpath, name, t, t, 1, dims, v, NULL, description);
    w_close(w, d, name);
    H5Tclose(t);
    free(v);
}

/* A scalar string dataset (the scenario and batch files, verbatim). */
static void w_text(wctx *w, hid_t loc, const char *lpath, const char *name, const char *text,
                   const char *description)
{
    char path[768];
    join(path, sizeof path, lpath, name);
    if (w->st) return;
    hid_t t = io_str_type();
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t d = t < 0 || sp < 0 ? -1 : H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char *v = text ? text : "";
    if (d < 0) w_fail(w, TY_ERR_IO, "creating dataset %s", path);
    else if (!w_inject(w, "dataset", path) && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0)
        w_fail(w, TY_ERR_IO, "writing dataset %s", path);
    if (d >= 0) w_attr_str(w, d, path, "description", description);
    if (d >= 0 && H5Dclose(d) < 0) w_fail(w, TY_ERR_IO, "closing %s", path);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
}

/* Makes axis a dimension scale named name and attaches it to dimension dim
 * of each dataset in ds. */
static void w_scale(wctx *w, hid_t axis, const char *name, const hid_t *ds, size_t n,
                    const char *path)
{
    if (w->st) return;
    if (w_inject(w, "dimension scale", path)) return;
    if (H5DSset_scale(axis, name) < 0) { w_fail(w, TY_ERR_IO, "making %s a dimension scale", path); return; }
    for (size_t i = 0; i < n; i++) {
        if (w_inject(w, "dimension scale attachment", path)) return;
        if (H5DSattach_scale(ds[i], axis, 0) < 0) {
            w_fail(w, TY_ERR_IO, "attaching dimension scale %s", path);
            return;
        }
    }
}

static const char *get_str(const void *src, size_t i) { return ((char *const *)src)[i]; }
static const char *get_series_name(const void *src, size_t i) { return ((const ty_series_stats *)src)[i].name; }
static const char *get_series_unit(const void *src, size_t i) { return ((const ty_series_stats *)src)[i].unit; }
static const char *get_series_label(const void *src, size_t i) { return ((const ty_series_stats *)src)[i].label; }

/* factors/ or derived/: names, units, labels and the summaries. */
static void w_series(wctx *w, hid_t run, const char *rpath, const char *gname,
                     const ty_series_stats *s, size_t n)
{
    char path[640];
    hid_t g = w_group(w, run, rpath, gname, 0, path, sizeof path);
    double *col = malloc((n ? n : 1) * sizeof *col);
    if (!col) w_fail(w, TY_ERR_NOMEM, "writing %s: out of memory", path);
    w_strs(w, g, path, "name", n, get_series_name, s, "name as in the scenario file");
    w_strs(w, g, path, "unit", n, get_series_unit, s, "unit of measurement (\"\": none given)");
    w_strs(w, g, path, "label", n, get_series_label, s, "human-readable label (\"\": none given)");
    static const struct { const char *name, *desc; size_t off; } stats[] = {
        {"mean", "sample mean", offsetof(ty_summary, mean)},
        {"sd", "sample standard deviation", offsetof(ty_summary, sd)},
        {"p05", "5th percentile (from the fine histogram: within one bin width)", offsetof(ty_summary, p05)},
        {"p50", "median (from the fine histogram: within one bin width)", offsetof(ty_summary, p50)},
        {"p95", "95th percentile (from the fine histogram: within one bin width)", offsetof(ty_summary, p95)},
    };
    for (size_t k = 0; col && k < sizeof stats / sizeof stats[0]; k++) {
        for (size_t i = 0; i < n; i++)
            memcpy(&col[i], (const char *)&s[i].summary + stats[k].off, sizeof(double));
        w_f64(w, g, path, stats[k].name, n, col, "same as the series (see unit)", stats[k].desc);
    }
    free(col);
    w_close(w, g, path);
}

static void w_histograms(wctx *w, hid_t hg, const char *hpath, const ty_series_stats *s, size_t n)
{
    for (size_t i = 0; i < n && !w->st; i++) {
        if (s[i].hist.nbins == 0) continue;
        if (w_check_name(w, "histogram", s[i].name)) return;
        char path[768];
        hid_t g = w_group(w, hg, hpath, s[i].name, 0, path, sizeof path);
        w_f64(w, g, path, "edges", s[i].hist.nbins + 1, s[i].hist.edges,
              "same as the series", "bin edges, increasing; bin i is [edges[i], edges[i+1])");
        w_u64(w, g, path, "counts", s[i].hist.nbins, s[i].hist.counts, "samples",
              "samples per bin; values outside the edges are counted in the first and last bins");
        w_close(w, g, path);
    }
}

static void w_convergence(wctx *w, hid_t run, const char *rpath, const ty_run_result *r)
{
    char path[640];
    hid_t g = w_group(w, run, rpath, "convergence", 0, path, sizeof path);
    const ty_convergence *c = &r->convergence;
    hsize_t d1[1] = {c->npoints}, d2[2] = {c->npoints, r->noutcomes};
    hid_t s = w_dataset(w, g, path, "samples", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, d1, c->samples,
                        "samples", "sample count at each checkpoint (doubling)");
    hid_t ds[2];
    ds[0] = w_dataset(w, g, path, "probability", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2,
                      c->probability, "1", "outcome probability estimate at each checkpoint [checkpoint, outcome]");
    ds[1] = w_dataset(w, g, path, "halfwidth", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2,
                      c->halfwidth, "1", "half-width of the 95% interval at each checkpoint [checkpoint, outcome]");
    char spath[700];
    join(spath, sizeof spath, path, "samples");
    w_scale(w, s, "samples", ds, 2, spath);
    w_close(w, ds[0], path);
    w_close(w, ds[1], path);
    w_close(w, s, spath);
    w_close(w, g, path);
}

/* A T x F (x 2) matrix of a sensitivity method. */
static void w_mat(wctx *w, hid_t g, const char *path, const char *name, const ty_sensitivity *s,
                  const double *data, int pairs, const char *units, const char *description)
{
    hsize_t dims[3] = {s->ntargets, s->nfactors, 2};
    hid_t d = w_dataset(w, g, path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, pairs ? 3 : 2, dims,
                        data, units, description);
    w_close(w, d, name);
}

/* sensitivity/ of a run (DESIGN section 5): targets, factors, and a group
 * per method run. */
static void w_sensitivity(wctx *w, hid_t run, const char *rpath, const ty_sensitivity *s)
{
    char path[640], sub[700];
    hid_t g = w_group(w, run, rpath, "sensitivity", 0, path, sizeof path);
    char method[64] = "";
    static const char *const names[3] = {"tornado", "spearman", "sobol"};
    for (int i = 0; i < 3; i++)
        if (s->methods & (1u << i)) {
            if (method[0]) strcat(method, ",");
            strcat(method, names[i]);
        }
    w_attr_str(w, g, path, "method", method);
    w_attr_u64(w, g, path, "samples", s->samples);
    w_attr_u64(w, g, path, "seed", s->seed);
    w_attr_int(w, g, path, "ignore_correlations", s->ignore_correlations ? 1 : 0);
    w_attr_u64(w, g, path, "outcome_targets", s->noutcome_targets);
    w_strs(w, g, path, "targets", s->ntargets, get_str, s->targets,
           "targets: the outcomes, then the derived values named with --target (rows of every matrix)");
    w_strs(w, g, path, "factors", s->nfactors, get_str, s->factors,
           "factor names as in the scenario file (columns of every matrix)");
    if (s->low) {
        hid_t t = w_group(w, g, path, "tornado", 0, sub, sizeof sub);
        w_attr_f64(w, t, sub, "low_quantile", s->low_quantile);
        w_attr_f64(w, t, sub, "high_quantile", s->high_quantile);
        w_attr_u64(w, t, sub, "samples", s->samples);
        w_f64(w, t, sub, "baseline", s->ntargets, s->baseline, "same as the target",
              "mean of each target (probability for outcomes) with every factor sampled");
        w_mat(w, t, sub, "low", s, s->low, 0, "same as the target",
              "mean of the target with the factor held at value_low, the others sampled (same draws) [target, factor]");
        w_mat(w, t, sub, "high", s, s->high, 0, "same as the target",
              "mean of the target with the factor held at value_high, the others sampled (same draws) [target, factor]");
        w_f64(w, t, sub, "value_low", s->nfactors, s->value_low, "same as the factor",
              "the factor's low_quantile quantile, at which low holds it");
        w_f64(w, t, sub, "value_high", s->nfactors, s->value_high, "same as the factor",
              "the factor's high_quantile quantile, at which high holds it");
        w_close(w, t, sub);
    }
    if (s->spearman) {
        hsize_t dims[2] = {s->ntargets, s->nfactors};
        char dpath[720];
        join(dpath, sizeof dpath, path, "spearman");
        hid_t d = w_dataset(w, g, path, "spearman", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, s->spearman,
                            "1", "Spearman rank correlation of the factor with the target's per-sample value "
                            "(ties: average ranks) [target, factor]");
        if (d >= 0) w_attr_u64(w, d, dpath, "samples", s->spearman_samples);
        w_close(w, d, dpath);
    }
    if (s->first) {
        hid_t t = w_group(w, g, path, "sobol", 0, sub, sizeof sub);
        w_attr_u64(w, t, sub, "samples", s->samples);
        w_attr_u64(w, t, sub, "evaluations", s->samples * (s->nfactors + 2));
        w_attr_u64(w, t, sub, "bootstrap", s->bootstrap);
        w_attr_int(w, t, sub, "ignore_correlations", s->ignore_correlations ? 1 : 0);
        w_mat(w, t, sub, "first", s, s->first, 0, "1",
              "first-order Sobol index (Saltelli 2010 estimator) [target, factor]");
        w_mat(w, t, sub, "total", s, s->total, 0, "1",
              "total Sobol index (Jansen estimator) [target, factor]");
        w_mat(w, t, sub, "first_ci", s, s->first_ci, 1, "1",
              "95% bootstrap percentile interval of the first-order index [target, factor, (low, high)]");
        w_mat(w, t, sub, "total_ci", s, s->total_ci, 1, "1",
              "95% bootstrap percentile interval of the total index [target, factor, (low, high)]");
        w_close(w, t, sub);
    }
    w_close(w, g, path);
}

static void w_run(wctx *w, hid_t runs, const ty_run_result *r)
{
    if (w_check_name(w, "variant", r->variant)) return;
    char rpath[512], path[640];
    hid_t run = w_group(w, runs, "/runs", r->variant, 0, rpath, sizeof rpath);
    w_attr_u64(w, run, rpath, "seed", r->seed);
    w_attr_u64(w, run, rpath, "samples", r->samples);
    w_attr_u64(w, run, rpath, "samples_requested", r->samples_requested);
    w_attr_str(w, run, rpath, "sampling", r->sampling == 1 ? "lhs" : "random");
    w_attr_u64(w, run, rpath, "block_size", r->block_size);
    w_attr_int(w, run, rpath, "threads", r->threads);
    w_attr_int(w, run, rpath, "ranks", r->ranks);
    w_attr_f64(w, run, rpath, "wall_seconds", r->wall_seconds);
    w_attr_int(w, run, rpath, "complete", r->complete ? 1 : 0);
    w_attr_int(w, run, rpath, "stopped_early", r->stopped_early ? 1 : 0);
    w_attr_str(w, run, rpath, "label", r->label);

    size_t k = r->noutcomes;
    hid_t g = w_group(w, run, rpath, "outcomes", 0, path, sizeof path);
    double *col = malloc((k ? k : 1) * sizeof *col);
    if (!col) w_fail(w, TY_ERR_NOMEM, "writing %s: out of memory", path);
    w_strs(w, g, path, "name", k, get_str, r->outcome_names, "outcome name as in the scenario file");
    w_strs(w, g, path, "label", k, get_str, r->outcome_labels, "human-readable label (\"\": none given)");
    static const struct { const char *name, *desc; size_t off; } est[] = {
        {"probability", "mean of per-sample outcome probabilities (logit) or frequency (rules)",
         offsetof(ty_estimate, probability)},
        {"stderr", "standard error of the probability, from block means", offsetof(ty_estimate, stderr_)},
        {"ci_low", "lower end of the 95% interval of the probability", offsetof(ty_estimate, ci_low)},
        {"ci_high", "upper end of the 95% interval of the probability", offsetof(ty_estimate, ci_high)},
    };
    for (size_t e = 0; col && e < sizeof est / sizeof est[0]; e++) {
        for (size_t i = 0; i < k; i++)
            memcpy(&col[i], (const char *)&r->outcomes[i] + est[e].off, sizeof(double));
        w_f64(w, g, path, est[e].name, k, col, "1", est[e].desc);
    }
    free(col);
    w_close(w, g, path);

    w_series(w, run, rpath, "factors", r->factors, r->nfactors);
    w_series(w, run, rpath, "derived", r->derived, r->nderived);
    w_convergence(w, run, rpath, r);

    g = w_group(w, run, rpath, "histograms", 0, path, sizeof path);
    w_histograms(w, g, path, r->factors, r->nfactors);
    w_histograms(w, g, path, r->derived, r->nderived);
    w_close(w, g, path);

    if (r->difference) {
        /* A batch variant's difference from the baseline, paired by common
         * random numbers. */
        static const struct { const char *name, *desc; size_t off; } dif[] = {
            {"diff", "probability minus the baseline's", offsetof(ty_difference, diff)},
            {"stderr", "standard error of the difference, paired block by block", offsetof(ty_difference, stderr_)},
            {"ci_low", "lower end of the 95% interval of the difference", offsetof(ty_difference, ci_low)},
            {"ci_high", "upper end of the 95% interval of the difference", offsetof(ty_difference, ci_high)},
            {"unpaired_stderr", "standard error independent runs would give: sqrt(se^2 + se_baseline^2)",
             offsetof(ty_difference, unpaired_stderr)},
        };
        g = w_group(w, run, rpath, "difference", 0, path, sizeof path);
        double *dcol = malloc((k ? k : 1) * sizeof *dcol);
        if (!dcol) w_fail(w, TY_ERR_NOMEM, "writing %s: out of memory", path);
        for (size_t e = 0; dcol && e < sizeof dif / sizeof dif[0]; e++) {
            for (size_t i = 0; i < k; i++)
                memcpy(&dcol[i], (const char *)&r->difference[i] + dif[e].off, sizeof(double));
            w_f64(w, g, path, dif[e].name, k, dcol, "1", dif[e].desc);
        }
        free(dcol);
        w_close(w, g, path);
    }

    if (r->sensitivity) w_sensitivity(w, run, rpath, r->sensitivity);

    if (!r->complete) {
        g = w_group(w, run, rpath, "resume", 0, path, sizeof path);
        w_attr_u64(w, g, path, "blocks_done", r->resume.blocks_done);
        w_f64(w, g, path, "real", r->resume.nreal, r->resume.real, "opaque",
              "accumulator state of the interrupted run (owned by the run module)");
        w_u64(w, g, path, "count", r->resume.ncount, r->resume.count, "opaque",
              "counter state of the interrupted run (owned by the run module)");
        w_close(w, g, path);
    }
    w_close(w, run, rpath);
}

static void w_sweep(wctx *w, hid_t sweeps, const ty_sweep_result *s)
{
    if (w_check_name(w, "sweep", s->name)) return;
    char path[640];
    hid_t g = w_group(w, sweeps, "/sweeps", s->name, 0, path, sizeof path);
    w_attr_str(w, g, path, "factor", s->factor);
    w_attr_str(w, g, path, "param", s->param);
    hsize_t d1[1] = {s->npoints}, d2[2] = {s->npoints, s->noutcomes};
    hid_t v = w_dataset(w, g, path, "values", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, d1, s->values,
                        "same as the swept parameter", "value of FACTOR.PARAM at each point of the sweep");
    hid_t ds[3];
    ds[0] = w_dataset(w, g, path, "probability", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2,
                      s->probability, "1", "outcome probability at each point [point, outcome]");
    ds[1] = w_dataset(w, g, path, "ci_low", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, s->ci_low,
                      "1", "lower end of the 95% interval [point, outcome]");
    ds[2] = w_dataset(w, g, path, "ci_high", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, s->ci_high,
                      "1", "upper end of the 95% interval [point, outcome]");
    char vpath[700];
    join(vpath, sizeof vpath, path, "values");
    w_scale(w, v, "values", ds, 3, vpath);
    for (int i = 0; i < 3; i++) w_close(w, ds[i], path);
    w_close(w, v, vpath);
    w_close(w, g, path);
}

static void now_iso8601(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, size, "unknown");
}

/* The whole schema of DESIGN section 5 into the open file. */
static void w_results(wctx *w, const ty_results *r)
{
    hid_t file = w->f->file;
    char created[64];
    if (!r->created) now_iso8601(created, sizeof created);
    w_attr_str(w, file, "/", "format", TY_IO_FORMAT);
    w_attr_int(w, file, "/", "format_version", TY_IO_FORMAT_VERSION);
    w_attr_str(w, file, "/", "tyche_version", r->tyche_version ? r->tyche_version : ty_version());
    w_attr_str(w, file, "/", "created", r->created ? r->created : created);
    w_attr_str(w, file, "/", "command_line", r->command_line);
    w_attr_str(w, file, "/", "host", r->host);
    w_attr_int(w, file, "/", "complete", r->complete ? 1 : 0);

    char path[640];
    hid_t g = w_group(w, file, "/", "scenario", 0, path, sizeof path);
    w_attr_str(w, g, path, "name", r->scenario_name);
    w_attr_str(w, g, path, "title", r->scenario_title);
    w_attr_str(w, g, path, "source", r->scenario_source);
    w_text(w, g, path, "source_text", r->source_text, "the scenario file, verbatim");
    if (r->batch_text) w_text(w, g, path, "batch_text", r->batch_text, "the batch file, verbatim");
    w_close(w, g, path);

    g = w_group(w, file, "/", "runs", 1, path, sizeof path);
    for (size_t i = 0; i < r->nruns && !w->st; i++) w_run(w, g, &r->runs[i]);
    w_close(w, g, path);

    g = w_group(w, file, "/", "sweeps", 1, path, sizeof path);
    for (size_t i = 0; i < r->nsweeps && !w->st; i++) w_sweep(w, g, &r->sweeps[i]);
    w_close(w, g, path);
}

/* ---- the handle ---------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finaliser: spreads the clock, pid and address bits. */
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

static void close_cols(wctx *w)
{
    ty_result_file *f = w->f;
    for (size_t i = 0; i < f->ncols; i++)
        if (f->cols[i] >= 0 && H5Dclose(f->cols[i]) < 0)
            w_fail(w, TY_ERR_IO, "closing %s", f->cols_path);
    free(f->cols);
    f->cols = NULL;
    f->ncols = 0;
    f->nrows = 0;
}

static void release(ty_result_file *f)
{
    free(f->final_path);
    free(f->tmp_path);
    free(f->dir);
    free(f->cols);
    free(f);
}

void ty_result_file_abort(ty_result_file *f)
{
    if (!f) return;
    wctx w = {f, NULL, TY_OK};
    close_cols(&w);
    if (f->file >= 0) (void)H5Fclose(f->file);   /* close degree strong: closes all */
    (void)H5Eclear2(H5E_DEFAULT);
    if (f->tmp_path) (void)unlink(f->tmp_path);
    release(f);
}

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
    const char *slash = strrchr(final_path, '/');
    const char *base = slash ? slash + 1 : final_path;
    size_t dlen = slash ? (slash == final_path ? 1 : (size_t)(slash - final_path)) : 1;
    f->final_path = dup_str(final_path);
    f->dir = malloc(dlen + 1);
    f->tmp_path = malloc(dlen + strlen(base) + 64);
    if (!f->final_path || !f->dir || !f->tmp_path) {
        release(f);
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "out of memory");
        return TY_ERR_NOMEM;
    }
    if (slash) memcpy(f->dir, final_path, dlen);
    else f->dir[0] = '.';
    f->dir[dlen] = '\0';
    if (!*base) {
        release(f);
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "a result file needs a file name, not a folder");
        return TY_ERR_IO;
    }
    struct stat st;
    if (stat(f->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        int e = errno;
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "folder '%s' %s", f->dir,
                    stat(f->dir, &st) != 0 ? (e == ENOENT ? "does not exist" : strerror(e))
                                           : "is not a folder");
        release(f);
        return TY_ERR_IO;
    }

    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) {
        char h5[256];
        io_h5_error(h5, sizeof h5);
        if (fapl >= 0) H5Pclose(fapl);
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "setting up HDF5 file access: %s", h5);
        release(f);
        return TY_ERR_IO;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)(uintptr_t)f;
    for (int attempt = 0; attempt < 16 && f->file < 0; attempt++) {
        const char *sep = slash ? "/" : "";
        const char *d = slash ? (dlen == 1 && f->dir[0] == '/' ? "" : f->dir) : "";
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
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "cannot create temporary file '%s': %s", f->tmp_path,
                    e ? strerror(e) : h5);
        release(f);
        return TY_ERR_IO;
    }
    *out = f;
    return TY_OK;
}

ty_status ty_result_file_samples_begin(ty_result_file *f, const char *variant, size_t ncolumns,
                                       const char *const *names,
                                       const char *const *descriptions, ty_diag *diag)
{
    wctx w = {f, diag, TY_OK};
    if (f->failed) {
        w_fail(&w, TY_ERR_IO, "an earlier write failed");
        return w.st;
    }
    close_cols(&w);
    if (w_check_name(&w, "variant", variant)) return w.st;
    for (size_t c = 0; c < ncolumns; c++)
        if (w_check_name(&w, "sample column", names[c])) return w.st;
    char path[512], rpath[512];
    hid_t runs = w_group(&w, f->file, "/", "runs", 1, path, sizeof path);
    hid_t run = w_group(&w, runs, path, variant, 0, rpath, sizeof rpath);
    hid_t g = w_group(&w, run, rpath, "samples", 0, f->cols_path, sizeof f->cols_path);
    w_close(&w, run, rpath);
    w_close(&w, runs, path);
    if (!w.st && !(f->cols = malloc((ncolumns ? ncolumns : 1) * sizeof *f->cols)))
        w_fail(&w, TY_ERR_NOMEM, "writing %s: out of memory", f->cols_path);
    hid_t dcpl = w.st ? -1 : H5Pcreate(H5P_DATASET_CREATE);
    hsize_t chunk[1] = {SAMPLE_CHUNK}, zero[1] = {0}, unlimited[1] = {H5S_UNLIMITED};
    if (!w.st && (dcpl < 0 || H5Pset_chunk(dcpl, 1, chunk) < 0
                  || (f->opt.shuffle && f->opt.compression_level > 0 && H5Pset_shuffle(dcpl) < 0)
                  || (f->opt.compression_level > 0
                      && H5Pset_deflate(dcpl, (unsigned)(f->opt.compression_level > 9 ? 9 : f->opt.compression_level)) < 0)))
        w_fail(&w, TY_ERR_IO, "setting up chunked, compressed datasets in %s", f->cols_path);
    hid_t sp = w.st ? -1 : H5Screate_simple(1, zero, unlimited);
    if (!w.st && sp < 0) w_fail(&w, TY_ERR_IO, "making a dataspace for %s", f->cols_path);
    for (size_t c = 0; c < ncolumns && !w.st; c++) {
        char cpath[768];
        join(cpath, sizeof cpath, f->cols_path, names[c]);
        hid_t d = H5Dcreate2(g, names[c], H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        if (d < 0) { w_fail(&w, TY_ERR_IO, "creating dataset %s", cpath); break; }
        f->cols[f->ncols++] = d;
        const char *desc = descriptions && descriptions[c] ? descriptions[c]
                                                           : "value of this factor, derived value or outcome in each sample, in sample order";
        w_attr_str(&w, d, cpath, "description", desc);
    }
    if (sp >= 0) H5Sclose(sp);
    if (dcpl >= 0) H5Pclose(dcpl);
    w_close(&w, g, f->cols_path);
    return w.st;
}

ty_status ty_result_file_samples_append(ty_result_file *f, size_t n, const double *const *columns,
                                        ty_diag *diag)
{
    wctx w = {f, diag, TY_OK};
    if (f->failed) {
        w_fail(&w, TY_ERR_IO, "an earlier write failed");
        return w.st;
    }
    if (n == 0) return TY_OK;
    hsize_t start[1] = {f->nrows}, count[1] = {n}, size[1] = {f->nrows + n};
    hid_t ms = H5Screate_simple(1, count, NULL);
    if (ms < 0) w_fail(&w, TY_ERR_IO, "making a dataspace for %s", f->cols_path);
    for (size_t c = 0; c < f->ncols && !w.st; c++) {
        hid_t d = f->cols[c], fs = -1;
        char cpath[768];
        if (H5Iget_name(d, cpath, sizeof cpath) < 0) snprintf(cpath, sizeof cpath, "%s", f->cols_path);
        if (H5Dset_extent(d, size) < 0 || (fs = H5Dget_space(d)) < 0
            || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0)
            w_fail(&w, TY_ERR_IO, "extending dataset %s", cpath);
        else if (!w_inject(&w, "dataset", cpath)
                 && H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, columns[c]) < 0)
            w_fail(&w, TY_ERR_IO, "writing dataset %s", cpath);
        if (fs >= 0) H5Sclose(fs);
    }
    if (ms >= 0) H5Sclose(ms);
    if (!w.st) f->nrows += n;
    return w.st;
}

static ty_status sync_path(const char *path, int dir, ty_diag *diag, const char *final_path)
{
    int fd = open(path, O_RDONLY | (dir ? O_DIRECTORY : 0));
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        ty_pos pos = {final_path, 0, 0};
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "syncing %s '%s' to disk: %s", dir ? "folder" : "file",
                    path, strerror(e));
        return TY_ERR_IO;
    }
    close(fd);
    return TY_OK;
}

ty_status ty_result_file_finish(ty_result_file *f, const ty_results *r, ty_diag *diag)
{
    wctx w = {f, diag, TY_OK};
    if (f->failed) w_fail(&w, TY_ERR_IO, "an earlier write failed");
    close_cols(&w);
    if (!w.st) w_results(&w, r);
    if (!w.st && H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0) w_fail(&w, TY_ERR_IO, "flushing the file");
    if (w.st) {
        ty_result_file_abort(f);
        return w.st;
    }
    herr_t closed = H5Fclose(f->file);
    f->file = -1;
    if (closed < 0) {
        w_fail(&w, TY_ERR_IO, "closing the file");
        ty_result_file_abort(f);
        return w.st;
    }
    ty_status st = sync_path(f->tmp_path, 0, diag, f->final_path);
    if (st == TY_OK && rename(f->tmp_path, f->final_path) != 0) {
        ty_pos pos = {f->final_path, 0, 0};
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "renaming '%s' into place: %s", f->tmp_path, strerror(errno));
        st = TY_ERR_IO;
    }
    if (st != TY_OK) {
        ty_result_file_abort(f);
        return st;
    }
    /* Renamed: the new file is in place; make the rename itself durable. */
    st = sync_path(f->dir, 1, diag, f->final_path);
    release(f);
    return st;
}

ty_status ty_results_write(const ty_results *r, const char *path, const ty_io_options *opt,
                           ty_diag *diag)
{
    ty_result_file *f;
    ty_status st = ty_result_file_create(path, opt, &f, diag);
    if (st != TY_OK) return st;
    return ty_result_file_finish(f, r, diag);
}
