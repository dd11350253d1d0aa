/* test_io.c - result files: a round trip that compares every field bit for
 * bit, UTF-8 strings, per-sample streaming read back through HDF5, the
 * errors for missing, foreign and newer files, and fault injection (the
 * Nth operation fails, at every write and at finish's flush, close, fsync,
 * rename and folder fsync: the older file survives, no temporary file is
 * left). */
#include <dirent.h>
#include <math.h>
#include <hdf5.h>
#include <stdint.h>
#include <unistd.h>

#include "harness.h"
#include "io_fixture.h"

/* ---- a scratch folder per test ------------------------------------------ */

static void scratch_new(char *dir)
{
    strcpy(dir, "/tmp/tyche-test-io-XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); exit(1); }
}

/* Number of entries in dir other than . and ..; the first one's name in
 * first (when not NULL). */
static int scratch_count(const char *dir, char *first, size_t size)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (n == 0 && first) snprintf(first, size, "%s", e->d_name);
        n++;
    }
    if (d) closedir(d);
    return n;
}

static void scratch_free(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (d) closedir(d);
    rmdir(dir);
}

/* The bytes of path in a new buffer, their number in *n; NULL if unreadable. */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    unsigned char *buf = NULL;
    size_t cap = 0, len = 0, got;
    do {
        if (len == cap) buf = realloc(buf, cap = cap ? 2 * cap : 65536);
        got = fread(buf + len, 1, cap - len, fp);
        len += got;
    } while (got > 0);
    fclose(fp);
    *n = len;
    return buf;
}

/* ---- exact comparison ---------------------------------------------------- */

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_bits(const void *a, const void *b, size_t n)
{
    return n == 0 || (a && b && memcmp(a, b, n) == 0);
}

#define SAME_D(a, b, n) same_bits((a), (b), (n) * sizeof(double))
#define SAME_U(a, b, n) same_bits((a), (b), (n) * sizeof(uint64_t))

static void check_series(const ty_series_stats *a, const ty_series_stats *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        CHECK_STR(a[i].name, b[i].name);
        CHECK(same_str(a[i].unit, b[i].unit));
        CHECK(same_str(a[i].label, b[i].label));
        CHECK(same_str(a[i].dist, b[i].dist));
        CHECK(memcmp(&a[i].summary, &b[i].summary, sizeof a[i].summary) == 0);
        CHECK(a[i].hist.nbins == b[i].hist.nbins);
        if (a[i].hist.nbins == b[i].hist.nbins) {
            CHECK(SAME_D(a[i].hist.edges, b[i].hist.edges, a[i].hist.nbins + 1));
            CHECK(SAME_U(a[i].hist.counts, b[i].hist.counts, a[i].hist.nbins));
        }
        CHECK(a[i].hist.outside_counted == b[i].hist.outside_counted);
        CHECK(a[i].hist.underflow == b[i].hist.underflow && a[i].hist.overflow == b[i].hist.overflow);
    }
}

static void check_run(const ty_run_result *a, const ty_run_result *b)
{
    CHECK_STR(a->variant, b->variant);
    CHECK(same_str(a->label, b->label));
    CHECK(a->seed == b->seed);
    CHECK(a->samples == b->samples);
    CHECK(a->samples_requested == b->samples_requested);
    CHECK(a->sampling == b->sampling);
    CHECK(a->block_size == b->block_size);
    CHECK(a->threads == b->threads && a->ranks == b->ranks);
    CHECK(SAME_D(&a->wall_seconds, &b->wall_seconds, 1));
    CHECK(a->complete == b->complete && a->stopped_early == b->stopped_early);
    CHECK(a->noutcomes == b->noutcomes);
    if (a->noutcomes != b->noutcomes) return;
    for (size_t k = 0; k < a->noutcomes; k++) {
        CHECK_STR(a->outcome_names[k], b->outcome_names[k]);
        CHECK(same_str(a->outcome_labels[k], b->outcome_labels[k]));
    }
    CHECK(same_bits(a->outcomes, b->outcomes, a->noutcomes * sizeof(ty_estimate)));
    CHECK(a->nfactors == b->nfactors && a->nderived == b->nderived);
    if (a->nfactors == b->nfactors) check_series(a->factors, b->factors, a->nfactors);
    if (a->nderived == b->nderived) check_series(a->derived, b->derived, a->nderived);
    const ty_convergence *ca = &a->convergence, *cb = &b->convergence;
    CHECK(ca->npoints == cb->npoints);
    if (ca->npoints == cb->npoints) {
        CHECK(SAME_U(ca->samples, cb->samples, ca->npoints));
        CHECK(SAME_D(ca->probability, cb->probability, ca->npoints * a->noutcomes));
        CHECK(SAME_D(ca->halfwidth, cb->halfwidth, ca->npoints * a->noutcomes));
    }
    /* The spread, NULL in files of an older tyche, bit for bit (NaN too). */
    CHECK(!a->spread == !b->spread);
    if (a->spread && b->spread) CHECK(SAME_D(a->spread, b->spread, a->noutcomes * TY_SPREAD_NLEVELS));
    CHECK(a->nqueries == b->nqueries);
    for (size_t q = 0; q < a->nqueries && q < b->nqueries; q++) {
        const ty_query_result *x = &a->queries[q], *y = &b->queries[q];
        CHECK_STR(x->name, y->name);
        CHECK(same_str(x->label, y->label));
        CHECK(x->kind == y->kind);
        CHECK_STR(x->expr, y->expr);
        CHECK(same_str(x->given, y->given));
        CHECK(same_bits(&x->est, &y->est, sizeof x->est));
        CHECK(SAME_D(x->quantiles, y->quantiles, TY_QUERY_NLEVELS));
        CHECK(SAME_D(&x->given_share, &y->given_share, 1));
    }
    /* Observations and the prior, bit for bit (NaN value and held too). */
    CHECK(a->nobservations == b->nobservations);
    CHECK(!a->observations == !b->observations && !a->outcomes_prior == !b->outcomes_prior);
    CHECK(!a->factors_prior == !b->factors_prior && !a->derived_prior == !b->derived_prior);
    for (size_t i = 0; i < a->nobservations && i < b->nobservations; i++) {
        const ty_observation_result *x = &a->observations[i], *y = &b->observations[i];
        CHECK_STR(x->name, y->name);
        CHECK(same_str(x->label, y->label));
        CHECK(x->kind == y->kind);
        CHECK(same_str(x->of, y->of));
        CHECK(same_str(x->expr, y->expr));
        CHECK(SAME_D(&x->value, &y->value, 1));
        CHECK(SAME_D(&x->held, &y->held, 1));
    }
    CHECK(same_bits(&a->obs, &b->obs, sizeof a->obs));
    if (a->outcomes_prior && b->outcomes_prior)
        CHECK(same_bits(a->outcomes_prior, b->outcomes_prior, a->noutcomes * sizeof(ty_estimate)));
    if (a->factors_prior && b->factors_prior && a->nfactors == b->nfactors)
        check_series(a->factors_prior, b->factors_prior, a->nfactors);
    if (a->derived_prior && b->derived_prior && a->nderived == b->nderived)
        check_series(a->derived_prior, b->derived_prior, a->nderived);
    CHECK(!a->difference == !b->difference);
    if (a->difference && b->difference)
        CHECK(same_bits(a->difference, b->difference, a->noutcomes * sizeof(ty_difference)));
    CHECK(!a->query_difference == !b->query_difference);
    if (a->query_difference && b->query_difference && a->nqueries == b->nqueries)
        CHECK(same_bits(a->query_difference, b->query_difference, a->nqueries * sizeof(ty_difference)));
    CHECK(a->ngroups == b->ngroups && a->group_units == b->group_units);
    CHECK(!a->group_sums == !b->group_sums && !a->query_group_sums == !b->query_group_sums);
    if (a->ngroups == b->ngroups && a->nqueries == b->nqueries) {
        CHECK(SAME_D(a->group_sums, b->group_sums, a->ngroups * a->noutcomes));
        CHECK(SAME_D(a->group_weights, b->group_weights, a->ngroups));
        if (a->query_group_sums && b->query_group_sums)
            CHECK(SAME_D(a->query_group_sums, b->query_group_sums, a->ngroups * a->nqueries * 2));
    }
    /* A time scenario's curves and states, bit for bit. */
    CHECK(!a->time == !b->time);
    if (a->time && b->time) {
        const ty_time_result *x = a->time, *y = b->time;
        size_t R = x->nreport;
        CHECK(x->steps == y->steps && x->percentile_samples == y->percentile_samples && R == y->nreport);
        CHECK(same_str(x->unit, y->unit));
        CHECK(x->nstates == y->nstates);
        if (R == y->nreport) {
            CHECK(SAME_U(x->step, y->step, R));
            CHECK(SAME_D(x->cumulative, y->cumulative, R * a->noutcomes));
            CHECK(SAME_D(x->ci_low, y->ci_low, R * a->noutcomes));
            CHECK(SAME_D(x->ci_high, y->ci_high, R * a->noutcomes));
            for (size_t j = 0; j < x->nstates && j < y->nstates; j++) {
                const ty_time_state *u = &x->states[j], *v = &y->states[j];
                CHECK_STR(u->name, v->name);
                CHECK(same_str(u->label, v->label) && same_str(u->unit, v->unit));
                CHECK(SAME_D(u->mean, v->mean, R) && SAME_D(u->p05, v->p05, R) && SAME_D(u->p50, v->p50, R));
                CHECK(SAME_D(u->p95, v->p95, R) && SAME_D(u->mean_running, v->mean_running, R));
                CHECK(u->p05_running && v->p05_running);
                if (u->p05_running && v->p05_running)
                    CHECK(SAME_D(u->p05_running, v->p05_running, R) && SAME_D(u->p50_running, v->p50_running, R) &&
                          SAME_D(u->p95_running, v->p95_running, R));
            }
        }
    }
    if (!a->complete) {
        CHECK(a->resume.blocks_done == b->resume.blocks_done);
        CHECK(a->resume.nreal == b->resume.nreal && a->resume.ncount == b->resume.ncount);
        if (a->resume.nreal == b->resume.nreal) CHECK(SAME_D(a->resume.real, b->resume.real, a->resume.nreal));
        if (a->resume.ncount == b->resume.ncount) CHECK(SAME_U(a->resume.count, b->resume.count, a->resume.ncount));
    }
}

static void check_same(const ty_results *a, const ty_results *b)
{
    CHECK(a && b);
    if (!a || !b) return;
    CHECK_STR(a->scenario_name, b->scenario_name);
    CHECK(same_str(a->scenario_title, b->scenario_title));
    CHECK(same_str(a->scenario_source, b->scenario_source));
    CHECK_STR(a->source_text, b->source_text);
    CHECK(same_str(a->batch_text, b->batch_text));
    CHECK_STR(a->tyche_version, b->tyche_version);
    CHECK_STR(a->created, b->created);
    CHECK(same_str(a->command_line, b->command_line));
    CHECK(same_str(a->host, b->host));
    CHECK(a->complete == b->complete);
    CHECK(a->nruns == b->nruns);
    for (size_t i = 0; i < a->nruns && i < b->nruns; i++) check_run(&a->runs[i], &b->runs[i]);
    CHECK(a->nsweeps == b->nsweeps);
    for (size_t i = 0; i < a->nsweeps && i < b->nsweeps; i++) {
        const ty_sweep_result *x = &a->sweeps[i], *y = &b->sweeps[i];
        CHECK_STR(x->name, y->name);
        CHECK(x->label ? y->label && !strcmp(x->label, y->label) : !y->label);
        CHECK(!x->outcome_names == !y->outcome_names);
        for (size_t k = 0; x->outcome_names && y->outcome_names && k < x->noutcomes; k++)
            CHECK_STR(x->outcome_names[k], y->outcome_names[k]);
        CHECK_STR(x->factor, y->factor);
        CHECK_STR(x->param, y->param);
        CHECK(x->npoints == y->npoints && x->noutcomes == y->noutcomes);
        if (x->npoints != y->npoints || x->noutcomes != y->noutcomes) continue;
        size_t n = x->npoints * x->noutcomes;
        CHECK(SAME_D(x->values, y->values, x->npoints));
        CHECK(SAME_D(x->probability, y->probability, n));
        CHECK(SAME_D(x->ci_low, y->ci_low, n));
        CHECK(SAME_D(x->ci_high, y->ci_high, n));
    }
}

/* 1 if some stored diagnostic's message contains text. */
static int diag_has(const ty_diag *d, const char *text)
{
    for (size_t i = 0; i < ty_diag_count(d); i++)
        if (strstr(ty_diag_get(d, i)->message, text)) return 1;
    return 0;
}

static void dump_diag(const ty_diag *d)
{
    for (size_t i = 0; i < ty_diag_count(d); i++) fprintf(stderr, "  diag: %s\n", ty_diag_get(d, i)->message);
}

/* ---- tests --------------------------------------------------------------- */

static void test_round_trip(void)
{
    char dir[64], path[128];
    scratch_new(dir);
    snprintf(path, sizeof path, "%s/result.h5", dir);
    ty_results *r = fx_results(0);
    ty_diag *d = ty_diag_new(10);
    ty_status st = ty_results_write(r, path, NULL, d);
    CHECK(st == TY_OK);
    if (st) dump_diag(d);
    CHECK(scratch_count(dir, NULL, 0) == 1);
    ty_results *back = NULL;
    st = ty_results_read(path, &back, d);
    CHECK(st == TY_OK);
    if (st) dump_diag(d);
    check_same(r, back);
    CHECK_STR(back->runs[1].label, "West imposes further sanctions now – Kerry–Lavrov");
    CHECK(back->scenario_source == NULL);
    CHECK(back->runs[0].outcome_labels[1] == NULL);
    /* Queries of the three kinds, NULL label and given, and NaN where the
     * results have them (check_same compared every bit). */
    const ty_run_result *b0 = &back->runs[0], *b1 = &back->runs[1];
    CHECK(b0->nqueries == 3 && b0->queries[0].kind == TY_QUERY_PROBABILITY
          && b0->queries[1].kind == TY_QUERY_MEAN && b0->queries[2].kind == TY_QUERY_QUANTILES);
    CHECK_STR(b0->queries[0].given, "troops > 40000");
    CHECK(b0->queries[1].label == NULL && b0->queries[1].given == NULL);
    CHECK(isnan(b0->queries[2].est.probability) && isnan(b0->queries[0].quantiles[4]));
    CHECK(b0->spread && isnan(b0->spread[4]) && !isnan(b0->spread[3]));
    CHECK(b0->query_difference == NULL && b1->query_difference && isnan(b1->query_difference[2].diff));
    CHECK(b1->query_group_sums && b1->ngroups == 4);
    ty_results_free(back);

    /* Writing again replaces the file in place. */
    ty_results *r2 = fx_results(5);
    CHECK(ty_results_write(r2, path, NULL, d) == TY_OK);
    CHECK(ty_results_read(path, &back, d) == TY_OK);
    check_same(r2, back);
    ty_results_free(back);
    CHECK(scratch_count(dir, NULL, 0) == 1);

    ty_results_free(r);
    ty_results_free(r2);
    ty_diag_free(d);
    scratch_free(dir);
}

/* Empty runs and sweeps, no batch text, no histograms or resume: the
 * zero-length corners. */
static void test_empty(void)
{
    char dir[64], path[128];
    scratch_new(dir);
    snprintf(path, sizeof path, "%s/empty.h5", dir);
    ty_results *r = calloc(1, sizeof *r);
    r->scenario_name = fx_dup("empty");
    r->source_text = fx_dup("");
    r->tyche_version = fx_dup("0.1.0");
    r->created = fx_dup("2020-01-01T00:00:00Z");
    r->complete = 1;
    r->nruns = 1;
    r->runs = calloc(1, sizeof(ty_run_result));
    r->runs[0].variant = fx_dup("baseline");
    r->runs[0].complete = 0;   /* a resume state with nothing in it */
    ty_diag *d = ty_diag_new(10);
    CHECK(ty_results_write(r, path, NULL, d) == TY_OK);
    ty_results *back = NULL;
    ty_status st = ty_results_read(path, &back, d);
    CHECK(st == TY_OK);
    if (st) dump_diag(d);
    check_same(r, back);
    CHECK(back && back->runs[0].spread == NULL && back->runs[0].nqueries == 0);
    /* A run without queries and spread (as every run until the engine
     * fills them) writes neither. */
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(file >= 0 && H5Lexists(file, "/runs/baseline/queries", H5P_DEFAULT) == 0);
    CHECK(H5Lexists(file, "/runs/baseline/outcomes/spread", H5P_DEFAULT) == 0);
    if (file >= 0) H5Fclose(file);
    ty_results_free(back);
    ty_results_free(r);
    ty_diag_free(d);
    scratch_free(dir);
}

static void test_samples(void)
{
    char dir[64], path[128];
    scratch_new(dir);
    snprintf(path, sizeof path, "%s/samples.h5", dir);
    ty_results *r = fx_results(1);
    ty_diag *d = ty_diag_new(10);
    const size_t nrows = 150001;   /* three appends across several 64 Ki chunks */
    ty_io_options opt;
    ty_io_options_init(&opt);
    opt.compression_level = 1;     /* --compress 1: shuffle + deflate */
    ty_status st = fx_write_with_samples(r, path, nrows, &opt, d);
    CHECK(st == TY_OK);
    if (st) dump_diag(d);
    ty_results *back = NULL;
    CHECK(ty_results_read(path, &back, d) == TY_OK);
    check_same(r, back);
    ty_results_free(back);

    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(file >= 0);
    const char *cols[] = {"troops", "resistance", "force_ratio", "invasion", "squeeze", "status_quo"};
    double *buf = malloc(nrows * sizeof(double));
    for (size_t c = 0; c < 6 && file >= 0; c++) {
        char name[128];
        snprintf(name, sizeof name, "/runs/baseline/samples/%s", cols[c]);
        hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
        CHECK_MSG(ds >= 0, "%s", name);
        if (ds < 0) continue;
        hid_t sp = H5Dget_space(ds);
        hsize_t dims[1], maxd[1];
        CHECK(H5Sget_simple_extent_ndims(sp) == 1);
        H5Sget_simple_extent_dims(sp, dims, maxd);
        CHECK(dims[0] == nrows);
        CHECK(maxd[0] == H5S_UNLIMITED);
        hid_t dcpl = H5Dget_create_plist(ds);
        CHECK(H5Pget_layout(dcpl) == H5D_CHUNKED);
        CHECK(H5Pget_nfilters(dcpl) == 2);   /* shuffle, deflate */
        H5Pclose(dcpl);
        CHECK(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
        size_t bad = 0;
        for (size_t i = 0; i < nrows; i++) {
            double want = fx_sample(c, i);
            bad += memcmp(&buf[i], &want, sizeof want) != 0;
        }
        CHECK_MSG(bad == 0, "%s: %zu rows differ", name, bad);
        H5Sclose(sp);
        H5Dclose(ds);
    }
    /* The second variant had no samples. */
    if (file >= 0) {
        CHECK(H5Lexists(file, "/runs/sanctions_now", H5P_DEFAULT) > 0);
        CHECK(H5Lexists(file, "/runs/sanctions_now/samples", H5P_DEFAULT) == 0);
        H5Fclose(file);
    }
    free(buf);
    ty_results_free(r);
    ty_diag_free(d);
    scratch_free(dir);
}

/* The kind of injection point that failed ("write", "flush", "close",
 * "fsync", "rename", "dirsync") from the diagnostic "... (injected fault at
 * operation N, KIND)" of operation n, into kind; "" when there is none. */
static void injected_kind(const ty_diag *d, long n, char *kind, size_t size)
{
    char tag[96];
    snprintf(tag, sizeof tag, "(injected fault at operation %ld, ", n);
    kind[0] = '\0';
    for (size_t i = 0; i < ty_diag_count(d); i++) {
        const char *p = strstr(ty_diag_get(d, i)->message, tag);
        if (!p) continue;
        p += strlen(tag);
        size_t len = strcspn(p, ")");
        snprintf(kind, size, "%.*s", (int)(len < size ? len : size - 1), p);
        return;
    }
}

/* Overwrites path with n bytes. */
static void put_bytes(const char *path, const unsigned char *bytes, size_t n)
{
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (!fp) return;
    CHECK(fwrite(bytes, 1, n, fp) == n);
    CHECK(fclose(fp) == 0);
}

/* The injection points of finish after the schema's writes, in order. */
static const char *const FINISH_POINTS[] = {"flush", "close", "fsync", "rename", "dirsync"};
#define NFINISH (sizeof FINISH_POINTS / sizeof FINISH_POINTS[0])

/* For N = 1, 2, ...: the Nth operation fails, counting every dataset and
 * attribute write (with samples: every column of every append), then
 * finish's H5Fflush, H5Fclose, fsync of the file, rename and fsync of the
 * folder. Each failure returns TY_ERR_IO with a diagnostic on the file and
 * leaves no temporary file. Up to and including the rename, the older file
 * is untouched, byte for byte; a failed fsync of the folder comes after the
 * rename, so the new file is then in place, whole (and says so). The first N
 * that does not fail writes the new file completely. The loop must reach
 * each point of finish exactly once, in order, right after the writes. */
static void fault_loop(int with_samples)
{
    char dir[64], path[128], name[256], kind[32];
    scratch_new(dir);
    snprintf(path, sizeof path, "%s/result.h5", dir);
    ty_results *old = fx_results(0), *fresh = fx_results(3);
    ty_diag *d = ty_diag_new(10);
    CHECK(ty_results_write(old, path, NULL, d) == TY_OK);
    ty_results *back = NULL;
    CHECK(ty_results_read(path, &back, d) == TY_OK);
    check_same(old, back);
    ty_results_free(back);
    back = NULL;
    size_t old_size = 0;
    unsigned char *old_bytes = slurp(path, &old_size);
    CHECK(old_bytes != NULL);
    ty_io_options opt;
    ty_io_options_init(&opt);
    long n, ok_at = 0, nwrites = 0, at[NFINISH] = {0};
    for (n = 1; n < 5000 && !ok_at; n++) {
        ty_diag *fd = ty_diag_new(10);
        opt.fail_after_writes = n;
        ty_status st = with_samples ? fx_write_with_samples(fresh, path, 20000, &opt, fd)
                                    : ty_results_write(fresh, path, &opt, fd);
        if (st == TY_OK) {
            ok_at = n;
            ty_diag_free(fd);
            break;
        }
        CHECK_MSG(st == TY_ERR_IO, "operation %ld: status %d", n, (int)st);
        injected_kind(fd, n, kind, sizeof kind);
        CHECK_MSG(ty_diag_errors(fd) >= 1 && kind[0], "operation %ld: no injected-fault diagnostic", n);
        if (!kind[0]) dump_diag(fd);
        CHECK_MSG(ty_diag_count(fd) >= 1 && ty_diag_get(fd, 0)->file
                  && strcmp(ty_diag_get(fd, 0)->file, path) == 0, "operation %ld: the diagnostic names the file", n);
        size_t k = NFINISH;
        for (size_t i = 0; i < NFINISH; i++)
            if (strcmp(kind, FINISH_POINTS[i]) == 0) k = i;
        if (strcmp(kind, "write") == 0) {
            nwrites++;
            CHECK_MSG(at[0] == 0, "operation %ld: a write after finish's flush", n);
        } else if (k < NFINISH) {
            CHECK_MSG(at[k] == 0, "operation %ld: %s reached twice", n, kind);
            at[k] = n;
        } else {
            CHECK_MSG(0, "operation %ld: unknown injection point '%s'", n, kind);
        }
        /* No temporary file is left, whatever failed. */
        int count = scratch_count(dir, name, sizeof name);
        CHECK_MSG(count == 1 && strcmp(name, "result.h5") == 0,
                  "operation %ld (%s): %d entries, first '%s'", n, kind, count, name);
        if (k == NFINISH - 1) {
            /* After the rename: the new file is whole at the final path. */
            CHECK_MSG(diag_has(fd, "the new file is in place"), "operation %ld: dirsync diagnostic", n);
            CHECK(ty_results_read(path, &back, d) == TY_OK);
            check_same(fresh, back);
            ty_results_free(back);
            back = NULL;
            put_bytes(path, old_bytes, old_size);   /* the older file again, for the next N */
        } else {
            /* The older file is untouched, byte for byte (and so reads back as before). */
            size_t size = 0;
            unsigned char *bytes = slurp(path, &size);
            CHECK_MSG(bytes && old_bytes && size == old_size && memcmp(bytes, old_bytes, size) == 0,
                      "operation %ld (%s): the older file changed", n, kind);
            free(bytes);
        }
        ty_diag_free(fd);
        if (th_test_failed) break;
    }
    if (th_test_failed) goto out;
    CHECK_MSG(ok_at, "still failing after %ld operations", n);
    CHECK_MSG(nwrites > 60, "only %ld writes in a full file?", nwrites);
    /* Every point of finish was reached, once each, in order, straight after
     * the last write, and the next N succeeded. */
    for (size_t i = 0; i < NFINISH; i++)
        CHECK_MSG(at[i] == nwrites + 1 + (long)i, "%s failed at operation %ld, not %ld", FINISH_POINTS[i],
                  at[i], nwrites + 1 + (long)i);
    CHECK_MSG(ok_at == nwrites + 1 + (long)NFINISH, "succeeded at operation %ld", ok_at);
    if (with_samples) CHECK_MSG(nwrites > 6 * 3, "only %ld writes with 3 appends of 6 columns", nwrites);
    CHECK(ty_results_read(path, &back, d) == TY_OK);
    check_same(fresh, back);
    ty_results_free(back);
    CHECK(scratch_count(dir, NULL, 0) == 1);
out:
    free(old_bytes);
    ty_results_free(old);
    ty_results_free(fresh);
    ty_diag_free(d);
    scratch_free(dir);
}

static void test_fault_injection(void) { fault_loop(0); }
static void test_fault_injection_samples(void) { fault_loop(1); }

static void test_abort_and_folder(void)
{
    char dir[64], path[160];
    scratch_new(dir);
    ty_diag *d = ty_diag_new(10);
    ty_result_file *f = NULL;
    snprintf(path, sizeof path, "%s/aborted.h5", dir);
    CHECK(ty_result_file_create(path, NULL, &f, d) == TY_OK);
    CHECK(f != NULL);
    CHECK(scratch_count(dir, NULL, 0) == 1);   /* the temporary file */
    ty_result_file_abort(f);
    CHECK(scratch_count(dir, NULL, 0) == 0);
    ty_result_file_abort(NULL);

    snprintf(path, sizeof path, "%s/no/such/folder/x.h5", dir);
    CHECK(ty_result_file_create(path, NULL, &f, d) == TY_ERR_IO);
    CHECK(f == NULL);
    CHECK(diag_has(d, "does not exist"));

    /* A name that cannot be an HDF5 link fails cleanly. */
    snprintf(path, sizeof path, "%s/bad.h5", dir);
    CHECK(ty_result_file_create(path, NULL, &f, d) == TY_OK);
    const char *names[] = {"a/b"};
    CHECK(ty_result_file_samples_begin(f, "baseline", 1, names, NULL, d) == TY_ERR_INVALID);
    CHECK(diag_has(d, "cannot name an HDF5"));
    ty_results *r = fx_results(0);
    CHECK(ty_result_file_finish(f, r, d) != TY_OK);
    CHECK(scratch_count(dir, NULL, 0) == 0);
    ty_results_free(r);
    ty_diag_free(d);
    scratch_free(dir);
}

/* Sets the root's format_version attribute of path to v. */
static void set_version(const char *path, int v)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t a = H5Aopen(file, "format_version", H5P_DEFAULT);
    CHECK(file >= 0 && a >= 0);
    CHECK(H5Awrite(a, H5T_NATIVE_INT, &v) >= 0);
    H5Aclose(a);
    H5Fclose(file);
}

static void test_read_errors(void)
{
    char dir[64], path[160];
    scratch_new(dir);
    ty_results *r = NULL;
    ty_diag *d = ty_diag_new(10);

    snprintf(path, sizeof path, "%s/missing.h5", dir);
    CHECK(ty_results_read(path, &r, d) == TY_ERR_IO && r == NULL);
    CHECK(diag_has(d, "No such file"));

    snprintf(path, sizeof path, "%s/text.h5", dir);
    FILE *fp = fopen(path, "w");
    fputs("tyche: 1\nname: not-hdf5\n", fp);
    fclose(fp);
    CHECK(ty_results_read(path, &r, d) == TY_ERR_IO && r == NULL);
    CHECK(diag_has(d, "not an HDF5 file"));

    snprintf(path, sizeof path, "%s/foreign.h5", dir);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(file >= 0);
    H5Fclose(file);
    CHECK(ty_results_read(path, &r, d) == TY_ERR_IO && r == NULL);
    CHECK(diag_has(d, "not a tyche result file"));

    snprintf(path, sizeof path, "%s/newer.h5", dir);
    ty_results *src = fx_results(0);
    CHECK(ty_results_write(src, path, NULL, d) == TY_OK);
    set_version(path, TY_IO_FORMAT_VERSION + 1);
    CHECK(ty_results_read(path, &r, d) == TY_ERR_IO && r == NULL);
    CHECK(diag_has(d, "format version 3 is newer than this tyche reads"));

    /* A damaged file: a dataset of the wrong length. */
    snprintf(path, sizeof path, "%s/damaged.h5", dir);
    CHECK(ty_results_write(src, path, NULL, d) == TY_OK);
    file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    CHECK(H5Ldelete(file, "/runs/baseline/outcomes/stderr", H5P_DEFAULT) >= 0);
    hsize_t two[1] = {2};
    hid_t sp = H5Screate_simple(1, two, NULL);
    hid_t ds = H5Dcreate2(file, "/runs/baseline/outcomes/stderr", H5T_IEEE_F64LE, sp, H5P_DEFAULT,
                          H5P_DEFAULT, H5P_DEFAULT);
    CHECK(ds >= 0);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(file);
    CHECK(ty_results_read(path, &r, d) == TY_ERR_IO && r == NULL);
    CHECK(diag_has(d, "/runs/baseline/outcomes/stderr has 2 elements"));

    ty_results_free(src);
    ty_diag_free(d);
    scratch_free(dir);
}

/* Replaces dataset obj of the file at path with zeros of the given shape. */
static void replace_f64(const char *path, const char *obj, int rank, const hsize_t *dims)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    CHECK(file >= 0 && H5Ldelete(file, obj, H5P_DEFAULT) >= 0);
    hsize_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    double *zero = calloc(n ? n : 1, sizeof *zero);
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(file, obj, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(ds >= 0 && H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, zero) >= 0);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(file);
    free(zero);
}

/* Replaces dataset obj of the file at path with n fixed-length UTF-8
 * strings (as tyche writes them). */
static void replace_strs(const char *path, const char *obj, size_t n, const char *const *v)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    CHECK(file >= 0 && H5Ldelete(file, obj, H5P_DEFAULT) >= 0);
    char buf[8][32] = {{0}};
    for (size_t i = 0; i < n && i < 8; i++) snprintf(buf[i], sizeof buf[i], "%s", v[i]);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, sizeof buf[0]);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hsize_t dims[1] = {n};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(file, obj, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(ds >= 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Tclose(t);
    H5Fclose(file);
}

/* Deletes the links objs[0..n) of the file at path. */
static void delete_objs(const char *path, const char *const *objs, size_t n)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    CHECK(file >= 0);
    for (size_t i = 0; i < n; i++) CHECK_MSG(H5Ldelete(file, objs[i], H5P_DEFAULT) >= 0, "%s", objs[i]);
    H5Fclose(file);
}

/* Files of an older tyche have no outcomes/spread, queries/,
 * resume/query_group_sums, observations/ nor the prior's groups: they read
 * back with spread NULL, no queries and no observations, the rest as
 * written. */
static void test_read_older(void)
{
    char dir[64], path[160];
    scratch_new(dir);
    snprintf(path, sizeof path, "%s/older.h5", dir);
    ty_results *src = fx_results(0), *back = NULL;
    ty_diag *d = ty_diag_new(10);
    CHECK(ty_results_write(src, path, NULL, d) == TY_OK);
    static const char *const gone[] = {
        "/runs/baseline/outcomes/spread", "/runs/baseline/queries", "/runs/baseline/resume/query_group_sums",
        "/runs/sanctions_now/outcomes/spread", "/runs/sanctions_now/queries",
        "/runs/sanctions_now/resume/query_group_sums", "/runs/baseline/observations",
        "/runs/baseline/outcomes_prior", "/runs/baseline/factors_prior", "/runs/baseline/derived_prior",
        "/runs/baseline/histograms_prior"};
    delete_objs(path, gone, sizeof gone / sizeof gone[0]);
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    CHECK(file >= 0 && H5Adelete_by_name(file, "/runs/baseline/histograms", "weighted", H5P_DEFAULT) >= 0);
    if (file >= 0) H5Fclose(file);
    ty_status st = ty_results_read(path, &back, d);
    CHECK(st == TY_OK);
    if (st) dump_diag(d);
    for (size_t i = 0; back && i < src->nruns; i++) {
        ty_run_result *a = &src->runs[i], *b = &back->runs[i];
        CHECK(b->spread == NULL && b->nqueries == 0 && b->queries == NULL);
        CHECK(b->query_difference == NULL && b->query_group_sums == NULL);
        CHECK(b->nobservations == 0 && b->observations == NULL && b->outcomes_prior == NULL);
        CHECK(b->factors_prior == NULL && b->derived_prior == NULL);
        /* The rest is as written. */
        free(a->spread);
        a->spread = NULL;
        ty_run_result q = *a;
        q.queries = NULL;
        q.nqueries = 0;
        q.query_difference = NULL;
        q.query_group_sums = NULL;
        q.nobservations = 0;
        q.observations = NULL;
        memset(&q.obs, 0, sizeof q.obs);
        q.outcomes_prior = NULL;
        q.factors_prior = q.derived_prior = NULL;
        check_run(&q, b);
    }
    ty_results_free(back);
    ty_results_free(src);
    ty_diag_free(d);
    scratch_free(dir);
}

/* Damaged outcomes/spread, queries/ and resume/query_group_sums: each read
 * fails with one diagnostic naming the dataset, never a crash. */

/* A dataset replaced by one of another shape (dims, rank) or by strings,
 * and what reading the file must then say (want NULL: it reads). */
typedef struct damage_case {
    const char *obj;
    int rank;
    const hsize_t *dims;              /* NULL: strings */
    const char *const *strs;
    size_t nstrs;
    const char *want;
} damage_case;

/* Each case on a fresh copy of src written to path: the read fails with
 * exactly its one diagnostic, or succeeds where want is NULL. */
static void run_damage_cases(const ty_results *src, const char *path, ty_diag *d, const damage_case *cases,
                             size_t n)
{
    for (size_t c = 0; c < n; c++) {
        ty_diag *e = ty_diag_new(10);
        ty_results *r = NULL;
        CHECK(ty_results_write(src, path, NULL, d) == TY_OK);
        if (cases[c].dims) replace_f64(path, cases[c].obj, cases[c].rank, cases[c].dims);
        else replace_strs(path, cases[c].obj, cases[c].nstrs, cases[c].strs);
        ty_status st = ty_results_read(path, &r, e);
        if (!cases[c].want) {
            CHECK_MSG(st == TY_OK && r, "case %zu", c);
        } else {
            CHECK_MSG(st == TY_ERR_IO && r == NULL, "case %zu", c);
            CHECK_MSG(ty_diag_count(e) == 1 && diag_has(e, cases[c].want), "case %zu: want '%s'", c, cases[c].want);
            if (!diag_has(e, cases[c].want)) dump_diag(e);
        }
        ty_results_free(r);
        ty_diag_free(e);
    }
}

static void test_read_damaged_queries(void)
{
    char dir[64], path[160];
    scratch_new(dir);
    ty_results *src = fx_results(0), *r = NULL;
    ty_diag *d = ty_diag_new(10);
    snprintf(path, sizeof path, "%s/damaged.h5", dir);
    static const hsize_t k2[2] = {3, 2}, q1[1] = {2}, q4[1] = {4}, qq[2] = {3, 4}, g3[3] = {4, 3, 1},
                         g2[3] = {4, 2, 2}, q1x[2] = {1, 3};
    static const char *const bad_kind[] = {"probability", "median", "quantiles"};
    static const char *const four[] = {"a", "b", "c", "d"};
    static const damage_case cases[] = {
        {"/runs/baseline/outcomes/spread", 2, k2, NULL, 0,
         "dataset /runs/baseline/outcomes/spread has 2 elements along dimension 2, expected 3"},
        {"/runs/baseline/outcomes/spread", 1, q4, NULL, 0,
         "dataset /runs/baseline/outcomes/spread does not have 2 dimensions"},
        {"/runs/baseline/queries/value", 1, q1, NULL, 0,
         "dataset /runs/baseline/queries/value has 2 elements along dimension 1, expected 3"},
        {"/runs/baseline/queries/given_share", 2, q1x, NULL, 0,
         "dataset /runs/baseline/queries/given_share does not have 1 dimension"},
        {"/runs/baseline/queries/label", 0, NULL, four, 4,
         "dataset /runs/baseline/queries/label has 4 elements along dimension 1, expected 3"},
        {"/runs/baseline/queries/kind", 0, NULL, bad_kind, 3,
         "/runs/baseline/queries/kind: entry 2, 'median', is not probability, mean or quantiles"},
        {"/runs/baseline/queries/kind", 1, qq + 0, NULL, 0,
         "dataset /runs/baseline/queries/kind is not a list of strings"},
        {"/runs/baseline/queries/name", 0, NULL, bad_kind + 1, 2,
         "dataset /runs/baseline/queries/label has 3 elements along dimension 1, expected 2"},
        {"/runs/baseline/queries/quantiles", 2, qq, NULL, 0,
         "dataset /runs/baseline/queries/quantiles has 4 elements along dimension 2, expected 5"},
        {"/runs/sanctions_now/queries/difference/diff", 1, q1, NULL, 0,
         "dataset /runs/sanctions_now/queries/difference/diff has 2 elements along dimension 1, expected 3"},
        {"/runs/baseline/resume/query_group_sums", 3, g3, NULL, 0,
         "dataset /runs/baseline/resume/query_group_sums has 1 elements along dimension 3, expected 2"},
        {"/runs/sanctions_now/resume/query_group_sums", 3, g2, NULL, 0,
         "dataset /runs/sanctions_now/resume/query_group_sums has 2 elements along dimension 2, expected 3"},
    };
    run_damage_cases(src, path, d, cases, sizeof cases / sizeof cases[0]);

    /* The levels of the spread and of the quantiles: missing, of another
     * shape, or other numbers. */
    static const struct { const char *obj; int how; const char *want; } lv[] = {
        {"/runs/baseline/outcomes/spread", 0, "missing attribute 'levels' of /runs/baseline/outcomes/spread"},
        {"/runs/baseline/outcomes/spread", 1,
         "attribute 'levels' of /runs/baseline/outcomes/spread is not a 1-D array of 3 numbers"},
        {"/runs/baseline/queries/quantiles", 2,
         "attribute 'levels' of /runs/baseline/queries/quantiles: entry 1 is 0.1, not 0.05"},
    };
    for (size_t c = 0; c < sizeof lv / sizeof lv[0]; c++) {
        ty_diag *e = ty_diag_new(10);
        CHECK(ty_results_write(src, path, NULL, d) == TY_OK);
        hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
        hid_t ds = H5Dopen2(file, lv[c].obj, H5P_DEFAULT);
        CHECK(ds >= 0 && H5Adelete(ds, "levels") >= 0);
        if (lv[c].how) {
            double v[5] = {0.1, 0.25, 0.5, 0.75, 0.95};
            hsize_t n[1] = {lv[c].how == 1 ? 2 : 5};
            hid_t sp = H5Screate_simple(1, n, NULL);
            hid_t a = H5Acreate2(ds, "levels", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
            CHECK(a >= 0 && H5Awrite(a, H5T_NATIVE_DOUBLE, v) >= 0);
            H5Aclose(a);
            H5Sclose(sp);
        }
        H5Dclose(ds);
        H5Fclose(file);
        CHECK_MSG(ty_results_read(path, &r, e) == TY_ERR_IO && r == NULL, "levels case %zu", c);
        CHECK_MSG(diag_has(e, lv[c].want), "levels case %zu: want '%s'", c, lv[c].want);
        if (!diag_has(e, lv[c].want)) dump_diag(e);
        ty_diag_free(e);
    }

    /* Sums of queries in a run without queries. */
    {
        ty_diag *e = ty_diag_new(10);
        CHECK(ty_results_write(src, path, NULL, d) == TY_OK);
        static const char *const q[] = {"/runs/baseline/queries"};
        delete_objs(path, q, 1);
        CHECK(ty_results_read(path, &r, e) == TY_ERR_IO && r == NULL);
        CHECK(diag_has(e, "/runs/baseline/resume/query_group_sums: present in a run without queries"));
        ty_diag_free(e);
    }
    ty_results_free(src);
    ty_diag_free(d);
    scratch_free(dir);
}

/* The n strings of 1-D string dataset obj of the file at path, joined by
 * '\n' into buf; the count, or -1 when it cannot be read. */
static long read_strs(const char *path, const char *obj, char *buf, size_t size)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = file < 0 ? -1 : H5Dopen2(file, obj, H5P_DEFAULT);
    long n = -1;
    buf[0] = '\0';
    if (ds >= 0) {
        hid_t t = H5Dget_type(ds), sp = H5Dget_space(ds);
        hsize_t dims[1] = {0};
        size_t len = H5Tget_size(t);
        if (H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, dims, NULL) == 1
            && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t)) {
            char *v = calloc(dims[0] ? dims[0] : 1, len);
            if (dims[0] == 0 || H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0) {
                n = (long)dims[0];
                for (hsize_t i = 0; i < dims[0]; i++)
                    snprintf(buf + strlen(buf), size - strlen(buf), "%s%.*s", i ? "\n" : "", (int)len,
                             v + i * len);
            }
            free(v);
        }
        H5Tclose(t);
        H5Sclose(sp);
        H5Dclose(ds);
    }
    if (file >= 0) H5Fclose(file);
    return n;
}

/* 1 when attribute name of object obj of the file at path exists; its int
 * value in *v. */
static int read_attr_int(const char *path, const char *obj, const char *name, int *v)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    int found = 0;
    *v = -1;
    if (file >= 0 && H5Aexists_by_name(file, obj, name, H5P_DEFAULT) > 0) {
        hid_t a = H5Aopen_by_name(file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
        found = a >= 0 && H5Aread(a, H5T_NATIVE_INT, v) >= 0;
        if (a >= 0) H5Aclose(a);
    }
    if (file >= 0) H5Fclose(file);
    return found;
}

/* A run with observations and one without: every field of the first back
 * bit for bit (NaN value and held, NULL and set labels, an exact reading
 * with no expression), its warnings in the file (none: an empty dataset;
 * two: their texts), the weighted histograms marked; the second's fields
 * zero and NULL, and none of the groups in the file. */
static void test_observations(void)
{
    char dir[64], path[128], buf[4096], want[2048];
    scratch_new(dir);
    snprintf(path, sizeof path, "%s/obs.h5", dir);
    ty_results *r = fx_results(2), *back = NULL;
    ty_diag *d = ty_diag_new(10);
    ty_status st = ty_results_write(r, path, NULL, d);
    CHECK(st == TY_OK);
    if (st) dump_diag(d);
    CHECK(ty_results_read(path, &back, d) == TY_OK);
    check_same(r, back);
    if (back) {
        const ty_run_result *b0 = &back->runs[0], *b1 = &back->runs[1];
        CHECK(b0->nobservations == 4);
        if (b0->nobservations == 4) {
            const ty_observation_result *o = b0->observations;
            CHECK(o[0].kind == TY_OBS_READING && o[1].kind == TY_OBS_WHEN && o[2].kind == TY_OBS_LOGLIK
                  && o[3].kind == TY_OBS_READING);
            CHECK_STR(o[0].label, "Satellite count of troops near Donetsk – 1 April");
            CHECK(o[1].label == NULL && o[3].label == NULL);
            CHECK_STR(o[0].of, "troops");
            CHECK(o[1].of == NULL && o[2].of == NULL);
            CHECK_STR(o[0].expr, "normal(0, 5000)");
            CHECK(o[3].expr == NULL);   /* an exact reading */
            CHECK_STR(o[2].expr, "log(0.2 + 0.6*squeeze)");
            CHECK(isnan(o[1].value) && isnan(o[2].value) && !isnan(o[0].value));
            CHECK(isnan(o[0].held) && isnan(o[2].held) && o[1].held == 0.8125);
        }
        CHECK(b0->outcomes_prior && b0->factors_prior && b0->derived_prior);
        if (b0->factors_prior) CHECK_STR(b0->factors_prior[0].dist, b0->factors[0].dist);
        CHECK(b1->nobservations == 0 && b1->observations == NULL && b1->outcomes_prior == NULL);
        CHECK(b1->factors_prior == NULL && b1->derived_prior == NULL);
        static const ty_observation_stats zero;
        CHECK(memcmp(&b1->obs, &zero, sizeof zero) == 0);
    }
    ty_results_free(back);
    back = NULL;
    int v;
    CHECK(read_strs(path, "/runs/baseline/observations/warnings", buf, sizeof buf) == 0);
    CHECK(read_attr_int(path, "/runs/baseline/histograms", "weighted", &v) && v == 1);
    CHECK(!read_attr_int(path, "/runs/sanctions_now/histograms", "weighted", &v));
    CHECK(!read_attr_int(path, "/runs/baseline/histograms_prior", "weighted", &v));
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    static const char *const none[] = {"observations", "outcomes_prior", "factors_prior", "derived_prior",
                                       "histograms_prior"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        char obj[128];
        snprintf(obj, sizeof obj, "/runs/sanctions_now/%s", none[i]);
        CHECK_MSG(file >= 0 && H5Lexists(file, obj, H5P_DEFAULT) == 0, "%s", obj);
        snprintf(obj, sizeof obj, "/runs/baseline/%s", none[i]);
        CHECK_MSG(file >= 0 && H5Lexists(file, obj, H5P_DEFAULT) > 0, "%s", obj);
    }
    CHECK(file >= 0 && H5Lexists(file, "/runs/baseline/histograms_prior/troops", H5P_DEFAULT) > 0);
    CHECK(file >= 0 && H5Lexists(file, "/runs/baseline/histograms_prior/force_ratio", H5P_DEFAULT) > 0);
    if (file >= 0) H5Fclose(file);

    /* Both warnings: a small effective sample size and a large k-hat. */
    ty_run_result *r0 = &r->runs[0];
    r0->obs.ess = 42.5;
    r0->obs.ess_fraction = 42.5 / (double)r0->samples;
    r0->obs.pareto_k = 0.91;
    CHECK(ty_observation_warnings(&r0->obs) == (TY_OBS_WARN_ESS | TY_OBS_WARN_KHAT));
    CHECK(ty_results_write(r, path, NULL, d) == TY_OK);
    CHECK(read_strs(path, "/runs/baseline/observations/warnings", buf, sizeof buf) == 2);
    char w2[1024];
    ty_observation_warning_text(&r0->obs, r0->samples, TY_OBS_WARN_ESS, want, sizeof want);
    ty_observation_warning_text(&r0->obs, r0->samples, TY_OBS_WARN_KHAT, w2, sizeof w2);
    snprintf(want + strlen(want), sizeof want - strlen(want), "\n%s", w2);
    CHECK_STR(buf, want);
    CHECK(ty_results_read(path, &back, d) == TY_OK);
    check_same(r, back);
    ty_results_free(back);
    back = NULL;

    /* A file whose warnings were left out reads the same. */
    static const char *const warn[] = {"/runs/baseline/observations/warnings"};
    delete_objs(path, warn, 1);
    CHECK(ty_results_read(path, &back, d) == TY_OK);
    check_same(r, back);
    ty_results_free(back);
    back = NULL;

    /* A pareto_k of NaN (too few weights) and an unknown kind. */
    r0->obs.pareto_k = NAN;
    CHECK(ty_results_write(r, path, NULL, d) == TY_OK);
    CHECK(ty_results_read(path, &back, d) == TY_OK);
    CHECK(back && isnan(back->runs[0].obs.pareto_k));
    ty_results_free(back);
    r0->observations[2].kind = 7;
    ty_diag *e = ty_diag_new(10);
    CHECK(ty_results_write(r, path, NULL, e) == TY_ERR_INVALID);
    CHECK(diag_has(e, "observation 'deadline_missed' has an unknown kind 7"));
    ty_diag_free(e);
    r0->observations[2].kind = TY_OBS_LOGLIK;
    /* A run with observations but no prior is the caller's bug. */
    ty_estimate *p = r0->outcomes_prior;
    r0->outcomes_prior = NULL;
    e = ty_diag_new(10);
    CHECK(ty_results_write(r, path, NULL, e) == TY_ERR_INVALID);
    CHECK(diag_has(e, "a run with observations without its prior's outcomes"));
    ty_diag_free(e);
    r0->outcomes_prior = p;

    ty_results_free(r);
    ty_diag_free(d);
    scratch_free(dir);
}

/* Sets (or, with value < 0, deletes) int32 attribute name of obj. */
static void set_attr(const char *path, const char *obj, const char *name, int type_f64, double value)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t o = file < 0 ? -1 : H5Oopen(file, obj, H5P_DEFAULT);
    CHECK_MSG(o >= 0, "%s", obj);
    if (H5Aexists(o, name) > 0) CHECK(H5Adelete(o, name) >= 0);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(o, name, type_f64 ? H5T_IEEE_F64LE : H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int iv = (int)value;
    CHECK(a >= 0 && H5Awrite(a, type_f64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT, type_f64 ? (void *)&value : (void *)&iv) >= 0);
    H5Aclose(a);
    H5Sclose(sp);
    if (o >= 0) H5Oclose(o);
    if (file >= 0) H5Fclose(file);
}

/* Damaged observations/ and prior groups: each read fails with one
 * diagnostic naming the object, never a crash. */
static void test_read_damaged_observations(void)
{
    char dir[64], path[160];
    scratch_new(dir);
    ty_results *src = fx_results(0), *r = NULL;
    ty_diag *d = ty_diag_new(10);
    snprintf(path, sizeof path, "%s/damaged.h5", dir);
    static const hsize_t n3[1] = {3}, n5[1] = {5}, n4x2[2] = {4, 2}, n4[1] = {4}, n1[1] = {1};
    static const char *const bad_kind[] = {"reading", "when", "likelihood", "reading"};
    static const char *const no_of[] = {"", "", "", "force_ratio"};
    static const char *const no_expr[] = {"normal(0, 5000)", "", "log(0.2 + 0.6*squeeze)", ""};
    static const char *const wrong_names[] = {"invasion", "status_quo", "squeeze"};
    static const char *const dup_names[] = {"a", "b", "a", "c"};
    static const char *const two[] = {"troops", "resistance_x"};
    static const damage_case cases[] = {
        {"/runs/baseline/observations/value", 1, n3, NULL, 0,
         "dataset /runs/baseline/observations/value has 3 elements along dimension 1, expected 4"},
        {"/runs/baseline/observations/held", 2, n4x2, NULL, 0,
         "dataset /runs/baseline/observations/held does not have 1 dimension"},
        {"/runs/baseline/observations/label", 0, NULL, wrong_names, 3,
         "dataset /runs/baseline/observations/label has 3 elements along dimension 1, expected 4"},
        {"/runs/baseline/observations/name", 0, NULL, dup_names, 4,
         "/runs/baseline/observations/name: the name 'a' appears twice"},
        {"/runs/baseline/observations/kind", 0, NULL, bad_kind, 4,
         "/runs/baseline/observations/kind: entry 3, 'likelihood', is not reading, when or loglik"},
        {"/runs/baseline/observations/kind", 1, n4, NULL, 0,
         "dataset /runs/baseline/observations/kind is not a list of strings"},
        {"/runs/baseline/observations/of", 0, NULL, no_of, 4,
         "/runs/baseline/observations/of: entry 1 is empty, but observation 'satellite_count' is a reading"},
        {"/runs/baseline/observations/expr", 0, NULL, no_expr, 4,
         "/runs/baseline/observations/expr: entry 2 is empty, but observation 'talks_held' is a when"},
        {"/runs/baseline/observations/value", 1, n4, NULL, 0, NULL},   /* zeros: fine */
        {"/runs/baseline/observations/warnings", 1, n1, NULL, 0,
         "dataset /runs/baseline/observations/warnings is not a list of strings"},
        {"/runs/baseline/outcomes_prior/name", 0, NULL, wrong_names, 3,
         "/runs/baseline/outcomes_prior/name: entry 2, 'status_quo', is not 'squeeze', as in outcomes/name"},
        {"/runs/baseline/outcomes_prior/stderr", 1, n5, NULL, 0,
         "dataset /runs/baseline/outcomes_prior/stderr has 5 elements along dimension 1, expected 3"},
        {"/runs/baseline/factors_prior/name", 0, NULL, two, 2,
         "/runs/baseline/factors_prior/name: entry 2, 'resistance_x', is not 'resistance', as in the run's series"},
        {"/runs/baseline/factors_prior/name", 0, NULL, two, 1,
         "dataset /runs/baseline/factors_prior/name has 1 elements along dimension 1, expected 2"},
        {"/runs/baseline/derived_prior/p50", 1, n3, NULL, 0,
         "dataset /runs/baseline/derived_prior/p50 has 3 elements along dimension 1, expected 1"},
        {"/runs/baseline/histograms_prior/troops/edges", 1, n3, NULL, 0,
         "dataset /runs/baseline/histograms_prior/troops/edges has 3 elements along dimension 1, expected 6"},
    };
    run_damage_cases(src, path, d, cases, sizeof cases / sizeof cases[0]);

    /* NaN where it does not belong, the diagnostics out of range, the
     * weighted flag, and the prior without observations or missing. */
    static const struct { int how; const char *obj, *name; double v; const char *want; } at[] = {
        {0, "/runs/baseline/observations", "ess", -1,
         "attribute 'ess' of /runs/baseline/observations is -1, not a non-negative number"},
        {0, "/runs/baseline/observations", "acceptance", 1.5,
         "attribute 'acceptance' of /runs/baseline/observations is 1.5, not a share within [0, 1]"},
        {0, "/runs/baseline/observations", "log_evidence", NAN, NULL},
        {1, "/runs/baseline/histograms", "weighted", 2,
         "attribute 'weighted' of /runs/baseline/histograms is 2, not 0 or 1"},
        {1, "/runs/sanctions_now/histograms", "weighted", 1,
         "attribute 'weighted' of /runs/sanctions_now/histograms is 1 in a run without observations"},
        {1, "/runs/sanctions_now/histograms", "weighted", 0, NULL},
        {2, "/runs/baseline/observations/value", NULL, 0,
         "/runs/baseline/observations/value: entry 1 is nan, not the value read by observation 'satellite_count'"},
        {3, "/runs/baseline/observations/held", NULL, 0,
         "/runs/baseline/observations/held: entry 2 is nan, not a share within [0, 1]"},
        {4, "/runs/baseline/observations", NULL, 0,
         "/runs/baseline/outcomes_prior: present in a run without observations"},
        {5, "/runs/baseline/histograms_prior", NULL, 0, "missing group /runs/baseline/histograms_prior"},
        {5, "/runs/baseline/observations/name", NULL, 0, "missing dataset /runs/baseline/observations/name"},
        {5, "/runs/baseline/derived_prior", NULL, 0, "missing group /runs/baseline/derived_prior"},
    };
    for (size_t c = 0; c < sizeof at / sizeof at[0]; c++) {
        ty_diag *e = ty_diag_new(10);
        CHECK(ty_results_write(src, path, NULL, d) == TY_OK);
        if (at[c].how <= 1) set_attr(path, at[c].obj, at[c].name, at[c].how == 0, at[c].v);
        else if (at[c].how <= 3) {
            /* One NaN in the column, at the reading (2) or the when (3). */
            hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
            hid_t ds = H5Dopen2(file, at[c].obj, H5P_DEFAULT);
            double v[4];
            CHECK(ds >= 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
            v[at[c].how == 2 ? 0 : 1] = NAN;
            CHECK(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
            H5Dclose(ds);
            H5Fclose(file);
        } else {
            const char *objs[1] = {at[c].obj};
            delete_objs(path, objs, 1);
        }
        ty_status st = ty_results_read(path, &r, e);
        if (!at[c].want) {
            CHECK_MSG(st == TY_OK && r, "attribute case %zu", c);
            if (!r) dump_diag(e);
            ty_results_free(r);
            r = NULL;
        } else {
            CHECK_MSG(st == TY_ERR_IO && r == NULL, "attribute case %zu", c);
            CHECK_MSG(ty_diag_count(e) == 1 && diag_has(e, at[c].want), "attribute case %zu: want '%s'", c,
                      at[c].want);
            if (!diag_has(e, at[c].want)) dump_diag(e);
        }
        ty_diag_free(e);
    }
    ty_results_free(src);
    ty_diag_free(d);
    scratch_free(dir);
}

/* A damaged time/ group: each shape that does not fit the outcomes or the
 * reported steps, and steps that do not rise to the horizon, fail the read
 * with one message naming the dataset. */
static void test_read_damaged_time(void)
{
    char dir[64], path[160];
    scratch_new(dir);
    ty_results *src = fx_results(0);
    ty_diag *d = ty_diag_new(10);
    snprintf(path, sizeof path, "%s/damaged.h5", dir);
    static const hsize_t k2[2] = {5, 2}, r4[2] = {4, 3}, s4[1] = {4}, one[1] = {5}, flat[1] = {15};
    static const damage_case cases[] = {
        {"/runs/sanctions_now/time/cumulative", 2, k2, NULL, 0,
         "dataset /runs/sanctions_now/time/cumulative has 2 elements along dimension 2, expected 3"},
        {"/runs/sanctions_now/time/ci_high", 2, r4, NULL, 0,
         "dataset /runs/sanctions_now/time/ci_high has 4 elements along dimension 1, expected 5"},
        {"/runs/sanctions_now/time/ci_low", 1, flat, NULL, 0,
         "dataset /runs/sanctions_now/time/ci_low does not have 2 dimensions"},
        {"/runs/sanctions_now/time/state/tension/p95", 1, s4, NULL, 0,
         "dataset /runs/sanctions_now/time/state/tension/p95 has 4 elements along dimension 1, expected 5"},
        /* a float64 step: the values 0, 1/3, ... do not rise to step 12 */
        {"/runs/sanctions_now/time/step", 1, one, NULL, 0, "/runs/sanctions_now/time/step"},
    };
    run_damage_cases(src, path, d, cases, sizeof cases / sizeof *cases);
    ty_results_free(src);
    ty_diag_free(d);
    scratch_free(dir);
}

TEST_MAIN(test_round_trip, test_empty, test_samples, test_fault_injection,
          test_fault_injection_samples, test_abort_and_folder, test_read_errors, test_read_older,
          test_read_damaged_queries, test_observations, test_read_damaged_observations, test_read_damaged_time)
