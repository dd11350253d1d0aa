/* io_write.c - the schema of a result file (docs/results.md): writes a
 * ty_results into the open file as root attributes, scenario/, runs/ (per
 * run: outcomes, queries, observations, factors, derived, the prior's
 * outcomes, factors and derived values, convergence, histograms (and the
 * prior's), difference, sensitivity, resume) and sweeps/, every dimension of every dataset with a
 * named dimension scale for xarray (docs/results.md, "Opening in xarray"). It neither opens, syncs
 * nor renames the file (io_file.c) nor touches HDF5 but through io_wctx.c; reading is io_read.c. */
#include "tyche/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io_int.h"
#include "tyche/version.h"

/* io_w_strs getters: entry i of a string array, or a series' name, unit, label. */
static const char *get_str(const void *src, size_t i) { return ((char *const *)src)[i]; }
static const char *get_series_name(const void *src, size_t i) { return ((const ty_series_stats *)src)[i].name; }
static const char *get_series_unit(const void *src, size_t i) { return ((const ty_series_stats *)src)[i].unit; }
static const char *get_series_label(const void *src, size_t i) { return ((const ty_series_stats *)src)[i].label; }
static const char *get_series_dist(const void *src, size_t i) { return ((const ty_series_stats *)src)[i].dist; }

/* loc/name, the coordinate of the dimension name: n strings get(src, i)
 * (the rows' names), a dimension scale attached to dimension dim of each
 * dataset of loc named in rows (docs/results.md, "Opening in xarray"). */
static void w_coord_strs(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
                         const char *(*get)(const void *, size_t), const void *src,
                         const char *description, unsigned dim, const char *const *rows)
{
    hid_t d = io_w_strs_open(w, loc, lpath, name, n, get, src, description);
    io_w_dim(w, loc, lpath, d, name, dim, rows);
}

/* loc/name, the float64 coordinate of the dimension name (the levels of a
 * percentile table), attached to dimension dim of the datasets in rows. */
static void w_coord_f64(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
                        const double *values, const char *units, const char *description, unsigned dim,
                        const char *const *rows)
{
    hsize_t d1[1] = {n};
    hid_t d = io_w_dataset(w, loc, lpath, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, d1, values, units,
                           description);
    io_w_dim(w, loc, lpath, d, name, dim, rows);
}

/* loc/name, a dimension of n without coordinates (io_w_bare_dim), attached
 * to dimension dim of the datasets in rows. */
static void w_bare_dim(io_wctx *w, hid_t loc, const char *lpath, const char *name, size_t n,
                       const char *description, unsigned dim, const char *const *rows)
{
    char path[768];
    io_join(path, sizeof path, lpath, name);
    hid_t d = io_w_bare_dim(w, loc, lpath, name, n, description);
    io_w_attach(w, loc, lpath, d, dim, rows, path);
    io_w_close(w, d, path);
}

/* The datasets of factors/, derived/ (and the prior's), one row per series. */
static const char *const SERIES_ROWS[] = {"name", "unit", "label", "dist", "mean", "sd", "p05", "p50", "p95",
                                          NULL};

/* factors/ or derived/ (and a weighted run's factors_prior/, derived_prior/):
 * names, units, labels and the summaries of s; the names, units, labels and
 * distributions come from id (s itself, or for a prior the posterior
 * series, whose rows the prior's follow). */
static void w_series(io_wctx *w, hid_t run, const char *rpath, const char *gname,
                     const ty_series_stats *s, const ty_series_stats *id, size_t n)
{
    char path[640];
    hid_t g = io_w_group(w, run, rpath, gname, 0, path, sizeof path);
    double *col = malloc((n ? n : 1) * sizeof *col);
    if (!col) io_w_fail(w, TY_ERR_NOMEM, "writing %s: out of memory", path);
    io_w_strs(w, g, path, "name", n, get_series_name, id, "name as in the scenario file");
    io_w_strs(w, g, path, "unit", n, get_series_unit, id, "unit of measurement (\"\": none given)");
    io_w_strs(w, g, path, "label", n, get_series_label, id, "human-readable label (\"\": none given)");
    if (strncmp(gname, "factors", 7) == 0)
        io_w_strs(w, g, path, "dist", n, get_series_dist, id, "the distribution as resolved, e.g. "
                  "ci90(lo=5, hi=40) -> lognormal(mu=..., sigma=...)");
    static const struct { const char *name, *desc; size_t off; } stats[] = {
        {"mean", "sample mean", offsetof(ty_summary, mean)},
        {"sd", "sample standard deviation", offsetof(ty_summary, sd)},
        {"p05", "5th percentile (from the fine histogram: within one bin width, exact for discrete "
                "factors; NaN beyond the histogram's range)", offsetof(ty_summary, p05)},
        {"p50", "median (from the fine histogram: within one bin width, exact for discrete "
                "factors; NaN beyond the histogram's range)", offsetof(ty_summary, p50)},
        {"p95", "95th percentile (from the fine histogram: within one bin width, exact for discrete "
                "factors; NaN beyond the histogram's range)", offsetof(ty_summary, p95)},
    };
    for (size_t k = 0; col && k < sizeof stats / sizeof stats[0]; k++) {
        for (size_t i = 0; i < n; i++)
            memcpy(&col[i], (const char *)&s[i].summary + stats[k].off, sizeof(double));
        io_w_f64(w, g, path, stats[k].name, n, col, "same as the series (see unit)", stats[k].desc);
    }
    free(col);
    int factors = strncmp(gname, "factors", 7) == 0;
    w_coord_strs(w, g, path, factors ? "factor" : "derived", n, get_series_name, id, factors
                 ? "factor names: the coordinate of the dimension factor of every dataset here (as name)"
                 : "derived value names: the coordinate of the dimension derived of every dataset here (as name)",
                 0, SERIES_ROWS);
    io_w_close(w, g, path);
}

/* A scalar uint64 dataset loc/name. */
static void w_u64_scalar(io_wctx *w, hid_t loc, const char *lpath, const char *name, uint64_t v,
                         const char *units, const char *description)
{
    hid_t d = io_w_dataset(w, loc, lpath, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, NULL, &v,
                           units, description);
    io_w_close(w, d, name);
}

/* histograms/NAME (edges, counts, underflow, overflow) for each of the n
 * series of s that has a histogram, NAME the name of the same row of id (s
 * itself, or for a prior the posterior series); a series name that cannot
 * be a group name fails the write. A histogram read from an older file,
 * whose edge bins hold the values beyond them, has no underflow or
 * overflow to write. weighted: the counts of a run with observations, each
 * sample counting round(w * 65536) (docs/results.md). */
static void w_histograms(io_wctx *w, hid_t hg, const char *hpath, const ty_series_stats *s,
                         const ty_series_stats *id, size_t n, int weighted)
{
    const char *units = weighted ? "weighted samples" : "samples";
    for (size_t i = 0; i < n && !w->st; i++) {
        if (s[i].hist.nbins == 0) continue;
        if (io_w_check_name(w, "histogram", id[i].name)) return;
        char path[768];
        hid_t g = io_w_group(w, hg, hpath, id[i].name, 0, path, sizeof path);
        io_w_f64(w, g, path, "edges", s[i].hist.nbins + 1, s[i].hist.edges,
                 "same as the series", "bin edges, increasing; bin i is [edges[i], edges[i+1])");
        if (s[i].hist.outside_counted) {
            io_w_u64(w, g, path, "counts", s[i].hist.nbins, s[i].hist.counts, units, weighted
                     ? "weighted count of the finite values per bin, each sample counting round(w * 65536), "
                       "w its weight scaled so that the pilot's largest is 1 (normalise before use; the "
                       "last bin is closed: [edges[n-1], edges[n]]); values outside the edges are in "
                       "underflow and overflow, never in the edge bins"
                     : "finite values per bin (the last bin is closed: [edges[n-1], edges[n]]); values "
                       "outside the edges are in underflow and overflow, never in the edge bins");
            w_u64_scalar(w, g, path, "underflow", s[i].hist.underflow, units, weighted
                         ? "weighted count of the finite values below edges[0], as counts"
                         : "finite values below edges[0]");
            w_u64_scalar(w, g, path, "overflow", s[i].hist.overflow, units, weighted
                         ? "weighted count of the finite values above edges[n], as counts"
                         : "finite values above edges[n]");
        } else {
            io_w_u64(w, g, path, "counts", s[i].hist.nbins, s[i].hist.counts, units,
                     "samples per bin; values outside the edges are counted in the first and last bins");
        }
        /* edges is its own coordinate; counts' bins have none (bin i is
         * [edges[i], edges[i+1])). */
        io_w_self_scale(w, g, path, "edges");
        static const char *const counts[] = {"counts", NULL};
        w_bare_dim(w, g, path, "bin", s[i].hist.nbins, "the dimension bin of counts, without coordinates "
                   "(bin i is [edges[i], edges[i+1])); no data", 0, counts);
        io_w_close(w, g, path);
    }
}

/* convergence/: the checkpoint sample counts, a dimension scale of the
 * [checkpoint, outcome] probability and half-width. */
static void w_convergence(io_wctx *w, hid_t run, const char *rpath, const ty_run_result *r)
{
    char path[640];
    hid_t g = io_w_group(w, run, rpath, "convergence", 0, path, sizeof path);
    const ty_convergence *c = &r->convergence;
    hsize_t d1[1] = {c->npoints}, d2[2] = {c->npoints, r->noutcomes};
    hid_t s = io_w_dataset(w, g, path, "samples", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, d1, c->samples,
                           "samples", "sample count at each checkpoint (doubling)");
    hid_t ds[2];
    ds[0] = io_w_dataset(w, g, path, "probability", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2,
                         c->probability, "1", "outcome probability estimate at each checkpoint [checkpoint, outcome]");
    ds[1] = io_w_dataset(w, g, path, "halfwidth", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2,
                         c->halfwidth, "1", "half-width of the 95% interval at each checkpoint [checkpoint, outcome]");
    char spath[700];
    io_join(spath, sizeof spath, path, "samples");
    io_w_scale(w, s, "samples", ds, 2, spath);
    io_w_close(w, ds[0], path);
    io_w_close(w, ds[1], path);
    io_w_close(w, s, spath);
    static const char *const cols[] = {"probability", "halfwidth", NULL};
    w_coord_strs(w, g, path, "outcome", r->noutcomes, get_str, r->outcome_names,
                 "outcome names: the coordinate of the dimension outcome (the columns)", 1, cols);
    io_w_close(w, g, path);
}

/* A T x F (x 2) matrix of a sensitivity method. */
static void w_mat(io_wctx *w, hid_t g, const char *path, const char *name, const ty_sensitivity *s,
                  const double *data, int pairs, const char *units, const char *description)
{
    hsize_t dims[3] = {s->ntargets, s->nfactors, 2};
    hid_t d = io_w_dataset(w, g, path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, pairs ? 3 : 2, dims,
                           data, units, description);
    io_w_close(w, d, name);
}

/* The coordinates target and factor of a sensitivity group g: target on
 * dimension 0 of by_target and of the matrices, factor on dimension 0 of
 * by_factor and dimension 1 of the matrices (NULL-terminated lists). */
static void w_sens_coords(io_wctx *w, hid_t g, const char *path, const ty_sensitivity *s,
                          const char *const *by_target, const char *const *by_factor,
                          const char *const *matrices)
{
    char tpath[768], fpath[768];
    io_join(tpath, sizeof tpath, path, "target");
    io_join(fpath, sizeof fpath, path, "factor");
    hid_t t = io_w_strs_open(w, g, path, "target", s->ntargets, get_str, s->targets,
                             "target names: the coordinate of the dimension target (as targets)");
    io_w_scale_set(w, t, "target", tpath);
    io_w_attach(w, g, path, t, 0, by_target, tpath);
    io_w_attach(w, g, path, t, 0, matrices, tpath);
    io_w_close(w, t, tpath);
    hid_t f = io_w_strs_open(w, g, path, "factor", s->nfactors, get_str, s->factors,
                             "factor names: the coordinate of the dimension factor (as factors)");
    io_w_scale_set(w, f, "factor", fpath);
    io_w_attach(w, g, path, f, 0, by_factor, fpath);
    io_w_attach(w, g, path, f, 1, matrices, fpath);
    io_w_close(w, f, fpath);
}

/* sensitivity/tornado: the quantiles, the baseline, and each target's mean
 * with each factor held low and high. */
static void w_tornado(io_wctx *w, hid_t g, const char *path, const ty_sensitivity *s)
{
    char sub[700];
    hid_t t = io_w_group(w, g, path, "tornado", 0, sub, sizeof sub);
    io_w_attr_f64(w, t, sub, "low_quantile", s->low_quantile);
    io_w_attr_f64(w, t, sub, "high_quantile", s->high_quantile);
    io_w_attr_u64(w, t, sub, "samples", s->samples);
    io_w_f64(w, t, sub, "baseline", s->ntargets, s->baseline, "same as the target",
             "mean of each target (probability for outcomes) with every factor sampled");
    w_mat(w, t, sub, "low", s, s->low, 0, "same as the target",
          "mean of the target with the factor held at value_low, the others sampled (same draws) [target, factor]");
    w_mat(w, t, sub, "high", s, s->high, 0, "same as the target",
          "mean of the target with the factor held at value_high, the others sampled (same draws) [target, factor]");
    io_w_f64(w, t, sub, "value_low", s->nfactors, s->value_low, "same as the factor",
             "the factor's low_quantile quantile, at which low holds it");
    io_w_f64(w, t, sub, "value_high", s->nfactors, s->value_high, "same as the factor",
             "the factor's high_quantile quantile, at which high holds it");
    static const char *const by_target[] = {"baseline", NULL}, *const by_factor[] = {"value_low", "value_high", NULL},
                             *const matrices[] = {"low", "high", NULL};
    w_sens_coords(w, t, sub, s, by_target, by_factor, matrices);
    io_w_close(w, t, sub);
}

/* sensitivity/spearman: the T x F rank correlations and their sample count. */
static void w_spearman(io_wctx *w, hid_t g, const char *path, const ty_sensitivity *s)
{
    hsize_t dims[2] = {s->ntargets, s->nfactors};
    char dpath[720];
    io_join(dpath, sizeof dpath, path, "spearman");
    hid_t d = io_w_dataset(w, g, path, "spearman", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, s->spearman,
                           "1", "Spearman rank correlation of the factor with the target's per-sample value "
                           "(ties: average ranks) [target, factor]");
    if (d >= 0) io_w_attr_u64(w, d, dpath, "samples", s->spearman_samples);
    io_w_close(w, d, dpath);
}

/* sensitivity/sobol: first-order and total indices with their bootstrap
 * intervals. */
static void w_sobol(io_wctx *w, hid_t g, const char *path, const ty_sensitivity *s)
{
    char sub[700];
    hid_t t = io_w_group(w, g, path, "sobol", 0, sub, sizeof sub);
    io_w_attr_u64(w, t, sub, "samples", s->samples);
    io_w_attr_u64(w, t, sub, "evaluations", s->samples * (s->nfactors + 2));
    io_w_attr_u64(w, t, sub, "bootstrap", s->bootstrap);
    io_w_attr_int(w, t, sub, "ignore_correlations", s->ignore_correlations ? 1 : 0);
    w_mat(w, t, sub, "first", s, s->first, 0, "1",
          "first-order Sobol index (Saltelli 2010 estimator) [target, factor]");
    w_mat(w, t, sub, "total", s, s->total, 0, "1",
          "total Sobol index (Jansen estimator) [target, factor]");
    w_mat(w, t, sub, "first_ci", s, s->first_ci, 1, "1",
          "95% bootstrap percentile interval of the first-order index [target, factor, (low, high)]");
    w_mat(w, t, sub, "total_ci", s, s->total_ci, 1, "1",
          "95% bootstrap percentile interval of the total index [target, factor, (low, high)]");
    static const char *const matrices[] = {"first", "total", "first_ci", "total_ci", NULL},
                             *const intervals[] = {"first_ci", "total_ci", NULL};
    static const char *const bounds[] = {"low", "high"};
    w_sens_coords(w, t, sub, s, NULL, NULL, matrices);
    w_coord_strs(w, t, sub, "bound", 2, get_str, bounds, "the coordinate of the dimension bound of the "
                 "intervals: their low and high ends", 2, intervals);
    io_w_close(w, t, sub);
}

/* sensitivity/ of a run (docs/results.md): targets, factors, and a group
 * per method run. */
static void w_sensitivity(io_wctx *w, hid_t run, const char *rpath, const ty_sensitivity *s)
{
    char path[640];
    hid_t g = io_w_group(w, run, rpath, "sensitivity", 0, path, sizeof path);
    char method[64] = "";
    static const char *const names[3] = {"tornado", "spearman", "sobol"};
    for (int i = 0; i < 3; i++)
        if (s->methods & (1u << i)) {
            if (method[0]) strcat(method, ",");
            strcat(method, names[i]);
        }
    io_w_attr_str(w, g, path, "method", method);
    io_w_attr_u64(w, g, path, "samples", s->samples);
    io_w_attr_u64(w, g, path, "seed", s->seed);
    io_w_attr_int(w, g, path, "ignore_correlations", s->ignore_correlations ? 1 : 0);
    io_w_attr_u64(w, g, path, "outcome_targets", s->noutcome_targets);
    io_w_strs(w, g, path, "targets", s->ntargets, get_str, s->targets,
              "targets: the outcomes, then the derived values named with --target (rows of every matrix)");
    io_w_strs(w, g, path, "factors", s->nfactors, get_str, s->factors,
              "factor names as in the scenario file (columns of every matrix)");
    if (s->low) w_tornado(w, g, path, s);
    if (s->spearman) w_spearman(w, g, path, s);
    if (s->first) w_sobol(w, g, path, s);
    static const char *const by_target[] = {"targets", NULL}, *const by_factor[] = {"factors", NULL},
                             *const matrices[] = {"spearman", NULL};
    w_sens_coords(w, g, path, s, by_target, by_factor, matrices);
    io_w_close(w, g, path);
}

/* The attributes of runs/VARIANT: how the run was made. */
static void w_run_attrs(io_wctx *w, hid_t run, const char *rpath, const ty_run_result *r)
{
    io_w_attr_u64(w, run, rpath, "seed", r->seed);
    io_w_attr_u64(w, run, rpath, "samples", r->samples);
    io_w_attr_u64(w, run, rpath, "samples_requested", r->samples_requested);
    io_w_attr_str(w, run, rpath, "sampling", r->sampling == 1 ? "lhs" : "random");
    io_w_attr_u64(w, run, rpath, "block_size", r->block_size);
    io_w_attr_int(w, run, rpath, "threads", r->threads);
    io_w_attr_int(w, run, rpath, "ranks", r->ranks);
    io_w_attr_f64(w, run, rpath, "wall_seconds", r->wall_seconds);
    io_w_attr_int(w, run, rpath, "complete", r->complete ? 1 : 0);
    io_w_attr_int(w, run, rpath, "stopped_early", r->stopped_early ? 1 : 0);
    io_w_attr_f64(w, run, rpath, "target_halfwidth", r->target_halfwidth);
    io_w_attr_int(w, run, rpath, "target_reached", r->target_reached ? 1 : 0);
    io_w_attr_f64(w, run, rpath, "max_halfwidth", r->max_halfwidth);
    io_w_attr_str(w, run, rpath, "label", r->label);
}

/* The columns of ty_estimate for k outcomes (outcomes/, outcomes_prior/). */
static void w_estimates(io_wctx *w, hid_t g, const char *path, const ty_estimate *e, size_t k, int prior)
{
    static const struct { const char *name, *desc, *prior; size_t off; } est[] = {
        {"probability", "mean of per-sample outcome probabilities (logit) or frequency (rules)",
         "the prior probability: mean of per-sample outcome probabilities (logit) or frequency (rules), "
         "without the observations", offsetof(ty_estimate, probability)},
        {"stderr", "standard error of the probability, from block means",
         "standard error of the prior probability, from block means", offsetof(ty_estimate, stderr_)},
        {"ci_low", "lower end of the 95% interval of the probability",
         "lower end of the 95% interval of the prior probability", offsetof(ty_estimate, ci_low)},
        {"ci_high", "upper end of the 95% interval of the probability",
         "upper end of the 95% interval of the prior probability", offsetof(ty_estimate, ci_high)},
    };
    double *col = malloc((k ? k : 1) * sizeof *col);
    if (!col) io_w_fail(w, TY_ERR_NOMEM, "writing %s: out of memory", path);
    for (size_t f = 0; col && f < sizeof est / sizeof est[0]; f++) {
        for (size_t i = 0; i < k; i++)
            memcpy(&col[i], (const char *)&e[i] + est[f].off, sizeof(double));
        io_w_f64(w, g, path, est[f].name, k, col, "1", prior ? est[f].prior : est[f].desc);
    }
    free(col);
}

/* The datasets of outcomes/ and outcomes_prior/, one row per outcome. */
static const char *const OUTCOME_ROWS[] = {"name", "label", "probability", "stderr", "ci_low", "ci_high", "spread",
                                           NULL};

/* outcomes/: names, labels, and one column per field of ty_estimate. */
static void w_outcomes(io_wctx *w, hid_t run, const char *rpath, const ty_run_result *r)
{
    char path[640];
    size_t k = r->noutcomes;
    hid_t g = io_w_group(w, run, rpath, "outcomes", 0, path, sizeof path);
    io_w_strs(w, g, path, "name", k, get_str, r->outcome_names, "outcome name as in the scenario file");
    io_w_strs(w, g, path, "label", k, get_str, r->outcome_labels, "human-readable label (\"\": none given)");
    w_estimates(w, g, path, r->outcomes, k, 0);
    if (r->spread) {   /* absent from files of an older tyche */
        char spath[700];
        hsize_t d2[2] = {k, TY_SPREAD_NLEVELS};
        io_join(spath, sizeof spath, path, "spread");
        hid_t d = io_w_dataset(w, g, path, "spread", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, r->spread,
                               "1", "5th, 50th and 95th percentiles of the outcome's per-sample "
                               "probability across the sampled worlds [outcome, level] (the levels "
                               "in the attribute 'levels'; NaN when not known)");
        io_w_attr_f64s(w, d, spath, "levels", TY_SPREAD_NLEVELS, ty_spread_levels);
        io_w_close(w, d, spath);
        static const char *const spread[] = {"spread", NULL};
        w_coord_f64(w, g, path, "quantile", TY_SPREAD_NLEVELS, ty_spread_levels, "1", "the coordinate of "
                    "the dimension quantile of spread: its levels (as its attribute levels)", 1, spread);
    }
    w_coord_strs(w, g, path, "outcome", k, get_str, r->outcome_names,
                 "outcome names: the coordinate of the dimension outcome of every dataset here (as name)", 0,
                 OUTCOME_ROWS);
    io_w_close(w, g, path);
}

/* io_w_strs getters over the queries: name, label, kind, expr, given. */
static const char *get_query_name(const void *src, size_t i) { return ((const ty_query_result *)src)[i].name; }
static const char *get_query_label(const void *src, size_t i) { return ((const ty_query_result *)src)[i].label; }
static const char *get_query_expr(const void *src, size_t i) { return ((const ty_query_result *)src)[i].expr; }
static const char *get_query_given(const void *src, size_t i) { return ((const ty_query_result *)src)[i].given; }
static const char *get_query_kind(const void *src, size_t i)
{
    return ty_query_kind_name(((const ty_query_result *)src)[i].kind);
}

/* The columns of ty_difference, for outcomes/'s difference/ and queries/'s. */
static const struct { const char *name, *desc; size_t off; } dif[] = {
    {"diff", NULL, offsetof(ty_difference, diff)},   /* w_diff_group's diff_desc */
    {"stderr", "standard error of the difference, paired block by block", offsetof(ty_difference, stderr_)},
    {"ci_low", "lower end of the 95% interval of the difference", offsetof(ty_difference, ci_low)},
    {"ci_high", "upper end of the 95% interval of the difference", offsetof(ty_difference, ci_high)},
    {"unpaired_stderr", "standard error independent runs would give: sqrt(se^2 + se_baseline^2)",
     offsetof(ty_difference, unpaired_stderr)},
};

/* A difference/ group under parent: n rows of ty_difference, one column
 * per field, in units; diff_desc says what diff is. The rows are the
 * dimension dim, whose coordinate is the names get(src, i). */
static void w_diff_group(io_wctx *w, hid_t parent, const char *ppath, const ty_difference *d, size_t n,
                         const char *units, const char *diff_desc, const char *dim,
                         const char *(*get)(const void *, size_t), const void *src)
{
    char path[700];
    hid_t g = io_w_group(w, parent, ppath, "difference", 0, path, sizeof path);
    double *col = malloc((n ? n : 1) * sizeof *col);
    if (!col) io_w_fail(w, TY_ERR_NOMEM, "writing %s: out of memory", path);
    for (size_t e = 0; col && e < sizeof dif / sizeof dif[0]; e++) {
        for (size_t i = 0; i < n; i++)
            memcpy(&col[i], (const char *)&d[i] + dif[e].off, sizeof(double));
        io_w_f64(w, g, path, dif[e].name, n, col, units, e == 0 ? diff_desc : dif[e].desc);
    }
    free(col);
    static const char *const rows[] = {"diff", "stderr", "ci_low", "ci_high", "unpaired_stderr", NULL};
    char desc[128];
    snprintf(desc, sizeof desc, "%s names: the coordinate of the dimension %s of every dataset here", dim, dim);
    w_coord_strs(w, g, path, dim, n, get, src, desc, 0, rows);
    io_w_close(w, g, path);
}

/* queries/ (only when the scenario has queries): names, labels, kinds,
 * expressions and conditions, one column per field of the estimate, the
 * [query, level] quantiles with their levels, the condition's share, and
 * difference/ for a batch variant. A kind that ty_query_kind_name does
 * not know fails the write (a bug of the caller, never stored). */
static void w_queries(io_wctx *w, hid_t run, const char *rpath, const ty_run_result *r)
{
    size_t q = r->nqueries;
    for (size_t i = 0; i < q && !w->st; i++)
        if (!ty_query_kind_name(r->queries[i].kind))
            io_w_fail(w, TY_ERR_INVALID, "writing %s/queries: query '%s' has an unknown kind %d", rpath,
                      r->queries[i].name ? r->queries[i].name : "(null)", r->queries[i].kind);
    char path[640];
    hid_t g = io_w_group(w, run, rpath, "queries", 0, path, sizeof path);
    const ty_query_result *qs = r->queries;
    io_w_strs(w, g, path, "name", q, get_query_name, qs, "query name as in the scenario file");
    io_w_strs(w, g, path, "label", q, get_query_label, qs, "human-readable label (\"\": none given)");
    io_w_strs(w, g, path, "kind", q, get_query_kind, qs, "\"probability\", \"mean\" or \"quantiles\"");
    io_w_strs(w, g, path, "expr", q, get_query_expr, qs, "the expression, as written");
    io_w_strs(w, g, path, "given", q, get_query_given, qs,
              "the condition (given:), as written (\"\": none)");
    static const struct { const char *name, *desc; size_t off; } est[] = {
        {"value", "probability or mean of the expression over the samples, weighted by the condition "
                  "(NaN for quantile queries and when the condition never held)",
         offsetof(ty_query_result, est.probability)},
        {"stderr", "standard error of the value", offsetof(ty_query_result, est.stderr_)},
        {"ci_low", "lower end of the 95% interval of the value", offsetof(ty_query_result, est.ci_low)},
        {"ci_high", "upper end of the 95% interval of the value", offsetof(ty_query_result, est.ci_high)},
        {"given_share", "mean weight of the condition over the samples (1 without given)",
         offsetof(ty_query_result, given_share)},
    };
    double *col = malloc((q ? q * TY_QUERY_NLEVELS : 1) * sizeof *col);
    if (!col) io_w_fail(w, TY_ERR_NOMEM, "writing %s: out of memory", path);
    for (size_t e = 0; col && e < sizeof est / sizeof est[0]; e++) {
        for (size_t i = 0; i < q; i++)
            memcpy(&col[i], (const char *)&qs[i] + est[e].off, sizeof(double));
        io_w_f64(w, g, path, est[e].name, q, col, e == 4 ? "1" : "same as the expression", est[e].desc);
    }
    if (col) {
        char qpath[700];
        hsize_t d2[2] = {q, TY_QUERY_NLEVELS};
        for (size_t i = 0; i < q; i++)
            memcpy(&col[i * TY_QUERY_NLEVELS], qs[i].quantiles, sizeof qs[i].quantiles);
        io_join(qpath, sizeof qpath, path, "quantiles");
        hid_t d = io_w_dataset(w, g, path, "quantiles", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, col,
                               "same as the expression", "percentiles of the expression over the "
                               "samples [query, level] (the levels in the attribute 'levels'; NaN rows "
                               "for probability and mean queries)");
        io_w_attr_f64s(w, d, qpath, "levels", TY_QUERY_NLEVELS, ty_query_levels);
        io_w_close(w, d, qpath);
    }
    free(col);
    static const char *const rows[] = {"name", "label", "kind", "expr", "given", "value", "stderr", "ci_low",
                                       "ci_high", "given_share", "quantiles", NULL},
                             *const quantiles[] = {"quantiles", NULL};
    w_coord_strs(w, g, path, "query", q, get_query_name, qs, "query names: the coordinate of the dimension "
                 "query of every dataset here (as name)", 0, rows);
    w_coord_f64(w, g, path, "quantile", TY_QUERY_NLEVELS, ty_query_levels, "1", "the coordinate of the "
                "dimension quantile of quantiles: its levels (as its attribute levels)", 1, quantiles);
    if (r->query_difference) w_diff_group(w, g, path, r->query_difference, q, "same as the expression",
                                           "value minus the baseline's (NaN for quantile queries)", "query",
                                           get_query_name, qs);
    io_w_close(w, g, path);
}

/* io_w_strs getters over the observations: name, kind, of, expr, label. */
static const char *get_obs_name(const void *src, size_t i) { return ((const ty_observation_result *)src)[i].name; }
static const char *get_obs_of(const void *src, size_t i) { return ((const ty_observation_result *)src)[i].of; }
static const char *get_obs_expr(const void *src, size_t i) { return ((const ty_observation_result *)src)[i].expr; }
static const char *get_obs_label(const void *src, size_t i) { return ((const ty_observation_result *)src)[i].label; }
static const char *get_obs_kind(const void *src, size_t i)
{
    return ty_observation_kind_name(((const ty_observation_result *)src)[i].kind);
}

/* The most warnings ty_observation_warnings can give (bits of an unsigned). */
#define W_OBS_MAXWARN 32

/* observations/ (only for a run with observations): the diagnostics as
 * attributes (ess, ess_fraction, acceptance, log_evidence, pareto_k), then
 * names, kinds, what each reads, expressions and labels, the values read
 * and the shares held, and the texts of the warnings the diagnostics call
 * for (none: an empty dataset). A kind that ty_observation_kind_name does
 * not know fails the write (a bug of the caller, never stored). */
static void w_observations(io_wctx *w, hid_t run, const char *rpath, const ty_run_result *r)
{
    size_t n = r->nobservations;
    const ty_observation_result *o = r->observations;
    for (size_t i = 0; i < n && !w->st; i++)
        if (!ty_observation_kind_name(o[i].kind))
            io_w_fail(w, TY_ERR_INVALID, "writing %s/observations: observation '%s' has an unknown kind %d",
                      rpath, o[i].name ? o[i].name : "(null)", o[i].kind);
    char path[640];
    hid_t g = io_w_group(w, run, rpath, "observations", 0, path, sizeof path);
    io_w_attr_f64(w, g, path, "ess", r->obs.ess);
    io_w_attr_f64(w, g, path, "ess_fraction", r->obs.ess_fraction);
    io_w_attr_f64(w, g, path, "acceptance", r->obs.acceptance);
    io_w_attr_f64(w, g, path, "log_evidence", r->obs.log_evidence);
    io_w_attr_f64(w, g, path, "pareto_k", r->obs.pareto_k);
    io_w_strs(w, g, path, "name", n, get_obs_name, o, "observation name as in the scenario file");
    io_w_strs(w, g, path, "kind", n, get_obs_kind, o, "\"reading\", \"when\" or \"loglik\"");
    io_w_strs(w, g, path, "of", n, get_obs_of, o,
              "reading: the factor or derived value read (\"\" for when and loglik)");
    io_w_strs(w, g, path, "expr", n, get_obs_expr, o,
              "reading: the error distribution as written (\"\": exact); when, loglik: the expression");
    io_w_strs(w, g, path, "label", n, get_obs_label, o, "human-readable label (\"\": none given)");
    double *col = malloc((n ? n : 1) * sizeof *col);
    if (!col) io_w_fail(w, TY_ERR_NOMEM, "writing %s: out of memory", path);
    for (size_t i = 0; col && i < n; i++) col[i] = o[i].value;
    if (col) io_w_f64(w, g, path, "value", n, col, "same as the series read (see of)",
                      "reading: the value read (NaN for when and loglik)");
    for (size_t i = 0; col && i < n; i++) col[i] = o[i].held;
    if (col) io_w_f64(w, g, path, "held", n, col, "1",
                      "when: the share of the prior's samples where it held (NaN for reading and loglik)");
    free(col);
    /* The warnings, as ty_observation_warning_text words them. */
    char *text[W_OBS_MAXWARN];
    size_t nw = 0;
    unsigned bits = ty_observation_warnings(&r->obs);
    for (unsigned b = 0; b < W_OBS_MAXWARN && !w->st; b++) {
        if (!(bits & (1u << b))) continue;
        int len = ty_observation_warning_text(&r->obs, r->samples, 1u << b, NULL, 0);
        text[nw] = malloc(len > 0 ? (size_t)len + 1 : 1);
        if (!text[nw]) { io_w_fail(w, TY_ERR_NOMEM, "writing %s: out of memory", path); break; }
        if (len > 0) ty_observation_warning_text(&r->obs, r->samples, 1u << b, text[nw], (size_t)len + 1);
        else text[nw][0] = '\0';
        nw++;
    }
    io_w_strs(w, g, path, "warnings", nw, get_str, text,
              "the warnings of the diagnostics above (effective sample size, Pareto k-hat), one line each");
    for (size_t i = 0; i < nw; i++) free(text[i]);
    io_w_self_scale(w, g, path, "warnings");
    static const char *const rows[] = {"name", "kind", "of", "expr", "label", "value", "held", NULL};
    w_coord_strs(w, g, path, "observation", n, get_obs_name, o, "observation names: the coordinate of the "
                 "dimension observation of every dataset here but warnings (as name)", 0, rows);
    io_w_close(w, g, path);
}

/* The prior of a run with observations: outcomes_prior/ (names and the
 * unweighted estimates), factors_prior/ and derived_prior/ (as factors/ and
 * derived/, their rows those of the posterior series) and
 * histograms_prior/NAME. Missing prior arrays are a bug of the caller. */
static void w_prior(io_wctx *w, hid_t run, const char *rpath, const ty_run_result *r)
{
    if (w->st) return;
    if ((r->noutcomes && !r->outcomes_prior) || (r->nfactors && !r->factors_prior)
        || (r->nderived && !r->derived_prior)) {
        io_w_fail(w, TY_ERR_INVALID, "writing %s: a run with observations without its prior's %s", rpath,
                  r->noutcomes && !r->outcomes_prior ? "outcomes"
                  : r->nfactors && !r->factors_prior ? "factors" : "derived values");
        return;
    }
    char path[640];
    hid_t g = io_w_group(w, run, rpath, "outcomes_prior", 0, path, sizeof path);
    io_w_strs(w, g, path, "name", r->noutcomes, get_str, r->outcome_names,
              "outcome name as in the scenario file (the rows of outcomes/)");
    w_estimates(w, g, path, r->outcomes_prior, r->noutcomes, 1);
    w_coord_strs(w, g, path, "outcome", r->noutcomes, get_str, r->outcome_names,
                 "outcome names: the coordinate of the dimension outcome of every dataset here (as name)", 0,
                 OUTCOME_ROWS);
    io_w_close(w, g, path);
    w_series(w, run, rpath, "factors_prior", r->factors_prior, r->factors, r->nfactors);
    w_series(w, run, rpath, "derived_prior", r->derived_prior, r->derived, r->nderived);
}

/* difference/ of a batch variant: its difference from the baseline, paired
 * by common random numbers, one column per field of ty_difference. */
static void w_difference(io_wctx *w, hid_t run, const char *rpath, const ty_run_result *r)
{
    w_diff_group(w, run, rpath, r->difference, r->noutcomes, "1", "probability minus the baseline's", "outcome",
                 get_str, r->outcome_names);
}

/* The dimensions of resume/ (not meant to be read, but opened in xarray
 * like any group): real and count their own coordinates; group without
 * coordinates; outcome and query named; sum (weight x value, weight)
 * without coordinates. */
static void w_resume_dims(io_wctx *w, hid_t g, const char *path, const ty_run_result *r)
{
    if (!r->complete) {
        io_w_self_scale(w, g, path, "real");
        io_w_self_scale(w, g, path, "count");
    }
    if (!r->group_sums || !r->group_weights) return;
    static const char *const by_group[] = {"group_sums", "group_weights", "query_group_sums", NULL},
                             *const sums[] = {"group_sums", NULL}, *const qsums[] = {"query_group_sums", NULL};
    w_bare_dim(w, g, path, "group", r->ngroups, "the dimension group, without coordinates; no data", 0,
               by_group);
    w_coord_strs(w, g, path, "outcome", r->noutcomes, get_str, r->outcome_names,
                 "outcome names: the coordinate of the dimension outcome of group_sums", 1, sums);
    if (r->nqueries && r->query_group_sums) {
        w_coord_strs(w, g, path, "query", r->nqueries, get_query_name, r->queries,
                     "query names: the coordinate of the dimension query of query_group_sums", 1, qsums);
        w_bare_dim(w, g, path, "sum", 2, "the dimension sum of query_group_sums (weight x value, weight), "
                   "without coordinates; no data", 2, qsums);
    }
}

/* resume/ of a run in a file that is not complete: an incomplete run's
 * opaque state (the run module's), and any run's paired-difference groups,
 * which a resumed batch pairs its variants with. */
static void w_resume(io_wctx *w, hid_t run, const char *rpath, const ty_run_result *r)
{
    char path[640];
    hid_t g = io_w_group(w, run, rpath, "resume", 0, path, sizeof path);
    if (!r->complete) {
        io_w_attr_u64(w, g, path, "blocks_done", r->resume.blocks_done);
        io_w_f64(w, g, path, "real", r->resume.nreal, r->resume.real, "opaque",
                 "accumulator state of the interrupted run (owned by the run module)");
        io_w_u64(w, g, path, "count", r->resume.ncount, r->resume.count, "opaque",
                 "counter state of the interrupted run (owned by the run module)");
    }
    if (r->group_sums && r->group_weights) {
        hsize_t d2[2] = {r->ngroups, r->noutcomes};
        io_w_attr_u64(w, g, path, "group_units", r->group_units);
        hid_t d = io_w_dataset(w, g, path, "group_sums", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2,
                               r->group_sums, "opaque", "outcome sums per group of group_units "
                               "independent units [group, outcome], for paired differences");
        io_w_close(w, d, path);
        io_w_f64(w, g, path, "group_weights", r->ngroups, r->group_weights, "samples",
                 "samples in each group");
        if (r->nqueries && r->query_group_sums) {
            hsize_t d3[3] = {r->ngroups, r->nqueries, 2};
            d = io_w_dataset(w, g, path, "query_group_sums", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, d3,
                             r->query_group_sums, "opaque", "query sums per group of group_units "
                             "independent units [group, query, (weight x value, weight)], for paired "
                             "differences");
            io_w_close(w, d, path);
        }
    }
    w_resume_dims(w, g, path, r);
    io_w_close(w, g, path);
}

/* runs/VARIANT: its attributes and groups, in the order of docs/results.md
 * (which is also the order of the counted writes). */
/* time/ (a time scenario's run): the reported steps (a dimension scale of
 * the [step, outcome] cumulative probabilities and intervals), and per
 * state its summaries by step. */
static void w_time(io_wctx *w, hid_t run, const char *rpath, const ty_run_result *r)
{
    const ty_time_result *t = r->time;
    char path[640], spath[760], jpath[900];
    hid_t g = io_w_group(w, run, rpath, "time", 0, path, sizeof path);
    io_w_attr_u64(w, g, path, "steps", t->steps);
    io_w_attr_str(w, g, path, "unit", t->unit);
    io_w_attr_u64(w, g, path, "percentile_samples", t->percentile_samples);
    hsize_t d1[1] = {t->nreport}, d2[2] = {t->nreport, r->noutcomes};
    hid_t st = io_w_dataset(w, g, path, "step", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, d1, t->step, t->unit,
                            "the reported steps (every step up to 1000, else 1000 evenly spaced)");
    hid_t ds[3];
    ds[0] = io_w_dataset(w, g, path, "cumulative", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, t->cumulative, "1",
                         "probability that the path ended in the outcome by the step [step, outcome]; for the "
                         "last outcome (otherwise) the share of paths with no event yet");
    ds[1] = io_w_dataset(w, g, path, "ci_low", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, t->ci_low, "1",
                         "lower end of the 95% interval of cumulative");
    ds[2] = io_w_dataset(w, g, path, "ci_high", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, t->ci_high, "1",
                         "upper end of the 95% interval of cumulative");
    io_join(spath, sizeof spath, path, "step");
    io_w_scale(w, st, "step", ds, 3, spath);
    for (int i = 0; i < 3; i++) io_w_close(w, ds[i], path);
    io_w_close(w, st, spath);
    static const char *const by_step[] = {"cumulative", "ci_low", "ci_high", NULL};
    w_coord_strs(w, g, path, "outcome", r->noutcomes, get_str, r->outcome_names,
                 "outcome names: the coordinate of the dimension outcome (the columns)", 1, by_step);
    hid_t sg = io_w_group(w, g, path, "state", 1, spath, sizeof spath);   /* states in the order written */
    for (size_t j = 0; j < t->nstates; j++) {
        const ty_time_state *x = &t->states[j];
        if (io_w_check_name(w, "state", x->name)) break;
        hid_t jg = io_w_group(w, sg, spath, x->name, 0, jpath, sizeof jpath);
        if (x->label) io_w_attr_str(w, jg, jpath, "label", x->label);
        if (x->unit) io_w_attr_str(w, jg, jpath, "unit", x->unit);
        io_w_f64(w, jg, jpath, "mean", t->nreport, x->mean, x->unit, "mean over all paths by step (an ended "
                 "path keeps its last state)");
        io_w_f64(w, jg, jpath, "p05", t->nreport, x->p05, x->unit, "5th percentile over all paths by step "
                 "(from the first percentile_samples paths)");
        io_w_f64(w, jg, jpath, "p50", t->nreport, x->p50, x->unit, "median over all paths by step");
        io_w_f64(w, jg, jpath, "p95", t->nreport, x->p95, x->unit, "95th percentile over all paths by step");
        io_w_f64(w, jg, jpath, "mean_running", t->nreport, x->mean_running, x->unit,
                 "mean over the paths running in the step (NaN: none)");
        if (x->p05_running) {
            io_w_f64(w, jg, jpath, "p05_running", t->nreport, x->p05_running, x->unit,
                     "5th percentile over the paths running in the step (NaN: none)");
            io_w_f64(w, jg, jpath, "p50_running", t->nreport, x->p50_running, x->unit,
                     "median over the paths running in the step (NaN: none)");
            io_w_f64(w, jg, jpath, "p95_running", t->nreport, x->p95_running, x->unit,
                     "95th percentile over the paths running in the step (NaN: none)");
        }
        /* A copy of time/step: a group opened in xarray has only its own coordinates. */
        static const char *const rows[] = {"mean", "p05", "p50", "p95", "mean_running", "p05_running",
                                           "p50_running", "p95_running", NULL};
        hid_t sd = io_w_dataset(w, jg, jpath, "step", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, d1, t->step, t->unit,
                                "the reported steps, as time/step: the coordinate of the dimension step");
        io_w_dim(w, jg, jpath, sd, "step", 0, rows);
        io_w_close(w, jg, jpath);
    }
    io_w_close(w, sg, spath);
    io_w_close(w, g, path);
}

/* The dimension sample of the per-sample columns that --save-samples
 * streamed into runs/VARIANT/samples (io_file.c), when there are any: a
 * dimension without coordinates (the sample's index), in the run's group,
 * where no scenario name can take its name as it could in samples/. */
static void w_sample_dim(io_wctx *w, hid_t run, const char *rpath)
{
    if (io_w_exists(w, run, rpath, "samples") <= 0) return;
    char path[640], spath[700];
    hid_t g = io_w_group(w, run, rpath, "samples", 0, path, sizeof path);
    size_t n = io_w_rows(w, g, path);   /* the columns are all as long */
    hid_t s = io_w_bare_dim(w, run, rpath, "sample", n, "the dimension sample of the columns of "
                            "samples/ (the sample's index), without coordinates; no data");
    io_join(spath, sizeof spath, rpath, "sample");
    io_w_attach_all(w, g, path, s, 0, spath);
    io_w_close(w, s, spath);
    io_w_close(w, g, path);
}

static void w_run(io_wctx *w, hid_t runs, const ty_run_result *r, int file_complete)
{
    if (io_w_check_name(w, "variant", r->variant)) return;
    char rpath[512], path[640];
    hid_t run = io_w_group(w, runs, "/runs", r->variant, 0, rpath, sizeof rpath);
    w_run_attrs(w, run, rpath, r);
    int weighted = r->nobservations > 0;
    if (weighted && !r->observations)
        io_w_fail(w, TY_ERR_INVALID, "writing %s: %zu observations without their list", rpath, r->nobservations);
    w_outcomes(w, run, rpath, r);
    if (r->nqueries) w_queries(w, run, rpath, r);
    if (weighted) w_observations(w, run, rpath, r);
    w_series(w, run, rpath, "factors", r->factors, r->factors, r->nfactors);
    w_series(w, run, rpath, "derived", r->derived, r->derived, r->nderived);
    if (weighted) w_prior(w, run, rpath, r);
    w_convergence(w, run, rpath, r);
    if (r->time) w_time(w, run, rpath, r);
    hid_t g = io_w_group(w, run, rpath, "histograms", 0, path, sizeof path);
    if (weighted) io_w_attr_int(w, g, path, "weighted", 1);
    w_histograms(w, g, path, r->factors, r->factors, r->nfactors, weighted);
    w_histograms(w, g, path, r->derived, r->derived, r->nderived, weighted);
    io_w_close(w, g, path);
    if (weighted) {
        g = io_w_group(w, run, rpath, "histograms_prior", 0, path, sizeof path);
        w_histograms(w, g, path, r->factors_prior, r->factors, r->nfactors, 0);
        w_histograms(w, g, path, r->derived_prior, r->derived, r->nderived, 0);
        io_w_close(w, g, path);
    }
    if (r->difference) w_difference(w, run, rpath, r);
    if (r->sensitivity) w_sensitivity(w, run, rpath, r->sensitivity);
    if (!r->complete || !file_complete) w_resume(w, run, rpath, r);
    w_sample_dim(w, run, rpath);
    io_w_close(w, run, rpath);
}

/* sweeps/NAME: the swept FACTOR.PARAM, its values (a dimension scale) and
 * the [point, outcome] probability and interval. */
static void w_sweep(io_wctx *w, hid_t sweeps, const ty_sweep_result *s)
{
    if (io_w_check_name(w, "sweep", s->name)) return;
    char path[640];
    hid_t g = io_w_group(w, sweeps, "/sweeps", s->name, 0, path, sizeof path);
    io_w_attr_str(w, g, path, "factor", s->factor);
    io_w_attr_str(w, g, path, "param", s->param);
    io_w_attr_str(w, g, path, "label", s->label);
    hid_t oc = -1;
    if (s->outcome_names)
        oc = io_w_strs_open(w, g, path, "outcome", s->noutcomes, get_str, s->outcome_names,
                            "outcome name of each column of probability, ci_low, ci_high");
    hsize_t d1[1] = {s->npoints}, d2[2] = {s->npoints, s->noutcomes};
    hid_t v = io_w_dataset(w, g, path, "values", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, d1, s->values,
                           "same as the swept parameter", "value of FACTOR.PARAM at each point of the sweep");
    hid_t ds[3];
    ds[0] = io_w_dataset(w, g, path, "probability", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2,
                         s->probability, "1", "outcome probability at each point [point, outcome]");
    ds[1] = io_w_dataset(w, g, path, "ci_low", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, s->ci_low,
                         "1", "lower end of the 95% interval [point, outcome]");
    ds[2] = io_w_dataset(w, g, path, "ci_high", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, s->ci_high,
                         "1", "upper end of the 95% interval [point, outcome]");
    char vpath[700];
    io_join(vpath, sizeof vpath, path, "values");
    io_w_scale(w, v, "values", ds, 3, vpath);
    for (int i = 0; i < 3; i++) io_w_close(w, ds[i], path);
    io_w_close(w, v, vpath);
    /* The columns: outcome (the names) is their coordinate; a sweep read
     * from a file before tyche 0.2 has no names, and a column without them. */
    static const char *const cols[] = {"probability", "ci_low", "ci_high", NULL};
    if (s->outcome_names) io_w_dim(w, g, path, oc, "outcome", 1, cols);
    else w_bare_dim(w, g, path, "column", s->noutcomes, "the dimension column (the outcomes, as "
                    "/runs/VARIANT/outcomes/name), without coordinates; no data", 1, cols);
    if (s->partial) {   /* an interrupted batch's: the points done, then the state of the next */
        char rp[700];
        io_w_attr_int(w, g, path, "complete", 0);
        hid_t rg = io_w_group(w, g, path, "resume", 0, rp, sizeof rp);
        io_w_attr_u64(w, rg, rp, "blocks_done", s->resume.blocks_done);
        io_w_f64(w, rg, rp, "real", s->resume.nreal, s->resume.real, "opaque",
                 "accumulator state of the interrupted sweep point (owned by the run module)");
        io_w_u64(w, rg, rp, "count", s->resume.ncount, s->resume.count, "opaque",
                 "counter state of the interrupted sweep point (owned by the run module)");
        io_w_self_scale(w, rg, rp, "real");
        io_w_self_scale(w, rg, rp, "count");
        io_w_close(w, rg, rp);
    }
    io_w_close(w, g, path);
}

/* command_args, the command's argv as a 1-D attribute of UTF-8 strings
 * (one per argument, any bytes but NUL: --resume reads them back as
 * given, where command_line is only for people). None stored: empty. */
static const char *arg_at(const void *args, size_t i) { return ((char *const *)args)[i]; }

static void w_command_args(io_wctx *w, hid_t file, const ty_results *r)
{
    if (w->st) return;
    size_t n = r->command_args ? r->ncommand_args : 0, len;
    char *v = io_pack_strs(n, arg_at, r->command_args, &len);
    hsize_t dims[1] = {n};
    hid_t t = io_str_type_fixed(len);
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t a = !v || t < 0 || sp < 0 ? -1 : H5Acreate2(file, "command_args", t, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (!v) io_w_fail(w, TY_ERR_NOMEM, "writing attribute 'command_args' of /: out of memory");
    else if (a < 0) io_w_fail(w, TY_ERR_IO, "creating attribute 'command_args' of /");
    else if (!io_w_inject(w, "attribute 'command_args' of", "/") && n > 0 && H5Awrite(a, t, v) < 0)
        io_w_fail(w, TY_ERR_IO, "writing attribute 'command_args' of /");
    if (a >= 0 && H5Aclose(a) < 0) io_w_fail(w, TY_ERR_IO, "closing attribute 'command_args' of /");
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    free(v);
}

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ", or "unknown". */
static void now_iso8601(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, size, "unknown");
}

/* The whole schema of docs/results.md into the open file; see io_int.h. */
void io_write_results(io_wctx *w, const ty_results *r)
{
    hid_t file = w->f->file;
    char created[64];
    if (!r->created) now_iso8601(created, sizeof created);
    io_w_attr_str(w, file, "/", "format", TY_IO_FORMAT);
    io_w_attr_int(w, file, "/", "format_version", TY_IO_FORMAT_VERSION);
    io_w_attr_str(w, file, "/", "tyche_version", r->tyche_version ? r->tyche_version : ty_version());
    io_w_attr_str(w, file, "/", "created", r->created ? r->created : created);
    io_w_attr_str(w, file, "/", "command_line", r->command_line);
    w_command_args(w, file, r);
    io_w_attr_str(w, file, "/", "host", r->host);
    io_w_attr_int(w, file, "/", "complete", r->complete ? 1 : 0);

    char path[640];
    hid_t g = io_w_group(w, file, "/", "scenario", 0, path, sizeof path);
    io_w_attr_str(w, g, path, "name", r->scenario_name);
    io_w_attr_str(w, g, path, "title", r->scenario_title);
    io_w_attr_str(w, g, path, "source", r->scenario_source);
    io_w_text(w, g, path, "source_text", r->source_text, "the scenario file, verbatim");
    if (r->batch_text) io_w_text(w, g, path, "batch_text", r->batch_text, "the batch file, verbatim");
    io_w_close(w, g, path);

    g = io_w_group(w, file, "/", "runs", 1, path, sizeof path);
    for (size_t i = 0; i < r->nruns && !w->st; i++) w_run(w, g, &r->runs[i], r->complete);
    io_w_close(w, g, path);

    g = io_w_group(w, file, "/", "sweeps", 1, path, sizeof path);
    for (size_t i = 0; i < r->nsweeps && !w->st; i++) w_sweep(w, g, &r->sweeps[i]);
    io_w_close(w, g, path);
}

/* See io.h. */
ty_status ty_results_write(const ty_results *r, const char *path, const ty_io_options *opt,
                           ty_diag *diag)
{
    ty_result_file *f;
    ty_status st = ty_result_file_create(path, opt, &f, diag);
    if (st != TY_OK) return st;
    return ty_result_file_finish(f, r, diag);
}

