/* test_run.c - the run loop: bit-identical results for any thread count,
 * closed-form probabilities (rules on uniform thresholds, normal and
 * truncated-normal tails, constant logit scores, correlated normals' orthant),
 * the achieved rank correlation, Latin hypercube, early stopping at a target
 * half-width, interrupt and resume. Interval coverage over many seeds is
 * tests/stat/coverage.c.
 *
 * Statistical checks use fixed seeds. Each "within 4 standard errors" check
 * would fail by chance with probability 6.3e-5 for a random seed; there are
 * 9 of them, so about 6e-4 overall. Their power: an estimator biased by 6
 * standard errors fails its check with probability 0.98 (5 se: 0.84), where
 * a standard error is the run's own (printed with each failure); the
 * closed-form cases run 1e5 to 1e6 samples, so a bias of about 1% of a
 * 5% probability is caught. The achieved Spearman correlations and
 * the agreement with the NumPy reference (tests/data/bench_reference.txt)
 * are checked at 4.892 sd (1e-6 each; 7 checks); their power is stated at
 * each. The seeds are fixed, so the outcome of each run never changes. */
#include "harness.h"
#include "scenario_util.h"

#include <stdlib.h>

#include "tyche/tyche.h"

static const char *BENCH_PATH = TYCHE_TEST_DATA "/../../bench/models/ukraine-2014-bench.yaml";

static ty_scenario *load_file(const char *path)
{
    ty_diag *d = ty_diag_new(20);
    ty_scenario *s = NULL;
    CHECK(ty_scenario_load(path, &s, d) == TY_OK);
    ty_diag_free(d);
    return s;
}

static void test_bit_identical_across_threads(void)
{
    ty_scenario *s = load_file(BENCH_PATH);
    if (!s) return;
    ty_run_result ref = {0};
    const int threads[] = {1, 2, 3, 7};
    for (int t = 0; t < 4; t++) {
        ty_run_options o = {.samples = 300000 + 123, .threads = threads[t]};
        ty_run_result r = {0};
        CHECK(tu_run(s, &o, &r) == TY_OK);
        CHECK(r.samples == 300123 && r.complete == 1);
        if (t == 0) { ref = r; continue; }
        CHECK(r.noutcomes == ref.noutcomes);
        CHECK_MSG(memcmp(r.outcomes, ref.outcomes, r.noutcomes * sizeof *r.outcomes) == 0,
                  "threads=%d differs from threads=1", threads[t]);
        for (size_t f = 0; f < r.nfactors; f++) {
            CHECK(memcmp(&r.factors[f].summary, &ref.factors[f].summary, sizeof r.factors[f].summary) == 0);
            CHECK(memcmp(r.factors[f].hist.counts, ref.factors[f].hist.counts, r.factors[f].hist.nbins * sizeof(uint64_t)) == 0);
            CHECK(r.factors[f].hist.underflow == ref.factors[f].hist.underflow &&
                  r.factors[f].hist.overflow == ref.factors[f].hist.overflow);
        }
        for (size_t d = 0; d < r.nderived; d++) {
            CHECK(memcmp(&r.derived[d].summary, &ref.derived[d].summary, sizeof r.derived[d].summary) == 0);
            /* The derived ranges come from a pilot of the first blocks,
             * the same whatever the threads. */
            CHECK(memcmp(r.derived[d].hist.edges, ref.derived[d].hist.edges, (TY_RUN_HIST_BINS + 1) * sizeof(double)) == 0);
            CHECK(memcmp(r.derived[d].hist.counts, ref.derived[d].hist.counts, TY_RUN_HIST_BINS * sizeof(uint64_t)) == 0);
            CHECK(r.derived[d].hist.underflow == ref.derived[d].hist.underflow &&
                  r.derived[d].hist.overflow == ref.derived[d].hist.overflow);
        }
        ty_run_result_clear(&r);
    }
    /* The estimates sum to one (agreement with the NumPy reference:
     * test_bench_reference). */
    double total = 0;
    for (size_t k = 0; k < 5; k++) total += ref.outcomes[k].probability;
    CHECK_NEAR(total, 1.0, 1e-12);
    ty_run_result_clear(&ref);
    ty_scenario_free(s);
}

/* Reads tests/data/bench_reference.txt (gen_bench_reference.py: the NumPy
 * peer bench/peers/numpy_model.py at 1e8 samples): name, probability,
 * standard error per outcome. Returns the number read. */
static int read_bench_reference(char names[5][32], double *p, double *se)
{
    FILE *f = fopen(TYCHE_TEST_DATA "/bench_reference.txt", "r");
    CHECK(f != NULL);
    if (!f) return 0;
    char line[256];
    int k = 0;
    while (k < 5 && fgets(line, sizeof line, f))
        if (line[0] != '#' && sscanf(line, "%31s %lf %lf", names[k], &p[k], &se[k]) == 3) k++;
    fclose(f);
    return k;
}

/* The benchmark model against an independent implementation: tyche at 4e6
 * samples vs the NumPy peer at 1e8 (different generator streams, different
 * samplers), per outcome z = (p_tyche - p_numpy) / sqrt(se_t^2 + se_np^2),
 * |z| < 4.892: false failure 1e-6 per outcome, 5e-6 in all. Error caught:
 * any bias in tyche's estimate (a sampler, the truncation, the logit, the
 * estimator) of 7.2 combined standard errors is found with power 0.99;
 * the run prints that size per outcome (2.5e-4 absolute for squeeze, i.e.
 * 0.03% relative; 1.1e-4 for invasion, 1.1%; 4.1e-5 for withdrawal, 0.3%). */
static void test_bench_reference(void)
{
    char names[5][32];
    double want[5], wse[5];
    CHECK(read_bench_reference(names, want, wse) == 5);
    ty_scenario *s = load_file(BENCH_PATH);
    if (!s) return;
    ty_run_options o = {.samples = 4000000};
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    CHECK(r.noutcomes == 5);
    for (size_t k = 0; k < 5 && k < r.noutcomes; k++) {
        CHECK_STR(r.outcome_names[k], names[k]);
        double se = sqrt(r.outcomes[k].stderr_ * r.outcomes[k].stderr_ + wse[k] * wse[k]);
        double z = (r.outcomes[k].probability - want[k]) / se;
        printf("bench %-13s tyche %.6f numpy %.6f z %+.2f (bias found with power 0.99: %.2g)\n",
               names[k], r.outcomes[k].probability, want[k], z, 7.218 * se);
        CHECK_MSG(fabs(z) < 4.892, "%s: tyche %.6f vs numpy %.6f: z = %.2f", names[k],
                  r.outcomes[k].probability, want[k], z);
    }
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

/* Checks outcome k of a run against the exact probability. */
static void check_close(const ty_run_result *r, size_t k, double truth)
{
    const ty_estimate *e = &r->outcomes[k];
    CHECK_MSG(fabs(e->probability - truth) < 4 * e->stderr_, "%s: %.6f vs truth %.6f (se %.2g)",
              r->outcome_names[k], e->probability, truth, e->stderr_);
    CHECK(e->ci_low <= e->probability && e->probability <= e->ci_high);
    CHECK(e->ci_low >= 0 && e->ci_high <= 1);
}

static void test_rules_uniform_thresholds(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: u\nrun: {seed: 11}\nfactors:\n  x: {dist: \"uniform(0, 1)\"}\n"
                          "outcomes:\n  model: rules\n  low: {when: x < 0.3}\n  mid: {when: x < 0.7}\n"
                          "  high: {otherwise: true}\n");
    if (!s) return;
    ty_run_options o = {.samples = 200000};
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    check_close(&r, 0, 0.3);
    check_close(&r, 1, 0.4);
    check_close(&r, 2, 0.3);
    /* Summary statistics of the factor: exact mean 0.5, sd 1/sqrt(12);
     * percentiles within a histogram bin (1/1000). */
    CHECK_NEAR(r.factors[0].summary.mean, 0.5, 4 * 0.2887 / sqrt(200000.0));
    CHECK_NEAR(r.factors[0].summary.sd, 0.288675, 0.002);
    CHECK_NEAR(r.factors[0].summary.p05, 0.05, 0.004);
    CHECK_NEAR(r.factors[0].summary.p95, 0.95, 0.004);
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

static void test_normal_tails(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: n\nrun: {seed: 12}\nfactors:\n  x: {dist: \"normal(0, 1)\"}\n"
                          "  y:\n    dist: normal(0, 1)\n    bounds: [1, 10]\n"
                          "outcomes:\n  model: rules\n  xt: {when: x > 1.5}\n  yt: {when: y > 2}\n  rest: {otherwise: true}\n");
    if (!s) return;
    ty_run_options o = {.samples = 400000};
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    double px = 0.5 * erfc(1.5 / sqrt(2.0));
    /* y > 2 given y in [1, 10]: (Phi(10) - Phi(2)) / (Phi(10) - Phi(1)); the
     * two rules overlap, so "yt" means x <= 1.5 and y > 2. */
    double py = (0.5 * erfc(2 / sqrt(2.0))) / (0.5 * erfc(1 / sqrt(2.0)));
    check_close(&r, 0, px);
    check_close(&r, 1, (1 - px) * py);
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

static void test_logit_constant_scores(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: c\nfactors:\n  x: {dist: \"uniform(0, 1)\"}\n"
                          "outcomes:\n  a: {score: 0}\n  b: {score: 1}\n  c: {score: 2 + 0 * x}\n");
    if (!s) return;
    ty_run_options o = {.samples = 5000};
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    double z = 1 + exp(1.0) + exp(2.0);
    CHECK_NEAR(r.outcomes[0].probability, 1 / z, 1e-14);
    CHECK_NEAR(r.outcomes[1].probability, exp(1.0) / z, 1e-14);
    CHECK_NEAR(r.outcomes[2].probability, exp(2.0) / z, 1e-14);
    CHECK(r.outcomes[0].stderr_ < 1e-15);
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

/* Spearman correlation of two captured columns. */
typedef struct capture { double *x, *y; size_t n, cap; int fx, fy; uint64_t next; int out_of_order; } capture;
static int sink(void *ctx, uint64_t first, size_t n, const double *const *cols, size_t ncols)
{
    capture *c = ctx;
    (void)ncols;
    /* Rounds arrive in sample order, each starting where the last ended. */
    if (first != c->next) c->out_of_order = 1;
    c->next = first + n;
    for (size_t i = 0; i < n && c->n < c->cap; i++) {
        c->x[c->n] = cols[c->fx][i];
        c->y[c->n] = cols[c->fy][i];
        c->n++;
    }
    return 0;
}

static int cmp_idx_val;
static const double *rank_src;
static int cmp_rank(const void *a, const void *b)
{
    double x = rank_src[*(const size_t *)a], y = rank_src[*(const size_t *)b];
    (void)cmp_idx_val;
    return (x > y) - (x < y);
}

static void ranks(const double *v, double *r, size_t n)
{
    size_t *idx = malloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    rank_src = v;
    qsort(idx, n, sizeof *idx, cmp_rank);
    for (size_t i = 0; i < n; i++) r[idx[i]] = (double)i;
    free(idx);
}

static double spearman(const double *x, const double *y, size_t n)
{
    double *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    ranks(x, rx, n);
    ranks(y, ry, n);
    double mean = (n - 1) / 2.0, sxy = 0, sxx = 0;
    for (size_t i = 0; i < n; i++) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
    }
    free(rx);
    free(ry);
    return sxy / sxx;
}

/* The achieved rank correlation. Correlated factors come from a Gaussian
 * copula whose normal scores have Pearson r = 2 sin(pi rho / 6), so the
 * population Spearman of the factors is the target rho exactly. The
 * sample Spearman of n pairs has sd ~ c (1 - rho^2) / sqrt(n) with
 * c = sqrt(1.06) (Fieller, Hartley & Pearson, Biometrika 44 (1957) 470);
 * a simulation (1000 runs of n = 1e4, NumPy) gave sqrt(n) sd = 0.686 at
 * rho 0.6 and 0.901 at rho -0.3, within 5% of it. The check allows
 * 4.892 sd with c = 1.1 sqrt(1.06) (10% margin): false failure < 1e-6
 * each at a random seed. Error caught: a copula that skips the
 * Spearman-to-Pearson conversion (r = rho) gives Spearman
 * (6 / pi) asin(rho / 2): 0.58192 for 0.6 (off by 0.0181 = 26 sd at
 * n = 1e6, tolerance 0.0036: power 1 - 1e-100) and -0.28756 for -0.3 (off
 * by 0.0124 = 13.8 sd, tolerance 0.0050: power 1 - 1e-15). */
static double spearman_tol(double rho, size_t n)
{
    return 4.892 * 1.1 * sqrt(1.06) * (1 - rho * rho) / sqrt((double)n);
}

static void test_correlations(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: k\nrun: {seed: 13}\nfactors:\n  x: {dist: \"normal(0, 1)\"}\n"
                          "  y: {dist: \"normal(0, 1)\"}\n  g: {dist: \"gamma(2, 1)\"}\n"
                          "correlations:\n  - {factors: [x, y], rank: 0.6}\n  - {factors: [x, g], rank: -0.3}\n"
                          "outcomes:\n  model: rules\n  both: {when: x > 0 and y > 0}\n  other: {otherwise: true}\n");
    if (!s) return;
    const size_t n = 1000000;
    capture c = {.cap = n, .fx = 0, .fy = 1};
    c.x = malloc(c.cap * sizeof *c.x);
    c.y = malloc(c.cap * sizeof *c.y);
    ty_run_options o = {.samples = n, .sink = sink, .sink_ctx = &c};
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    CHECK(c.out_of_order == 0 && c.next == n && c.n == n);
    double rho = spearman(c.x, c.y, c.n), tol = spearman_tol(0.6, c.n);
    printf("spearman %.5f (target 0.6, tolerance %.4f; without the conversion 0.58192)\n", rho, tol);
    CHECK_MSG(fabs(rho - 0.6) < tol, "achieved Spearman %.5f, target 0.6 +- %.4f", rho, tol);
    /* Orthant probability of a bivariate normal with Pearson r:
     * 1/4 + asin(r) / (2 pi), r = 2 sin(pi rho / 6). */
    double pr = 2 * sin(M_PI * 0.6 / 6);
    check_close(&r, 0, 0.25 + asin(pr) / (2 * M_PI));
    ty_run_result_clear(&r);
    /* The second pair, with a gamma factor. */
    c.n = 0;
    c.next = 0;
    c.fy = 2;
    o.threads = 1;   /* in order with one thread too */
    CHECK(tu_run(s, &o, &r) == TY_OK);
    CHECK(c.out_of_order == 0 && c.next == n && c.n == n);
    rho = spearman(c.x, c.y, c.n);
    tol = spearman_tol(-0.3, c.n);
    printf("spearman %.5f (target -0.3, tolerance %.4f; without the conversion -0.28756)\n", rho, tol);
    CHECK_MSG(fabs(rho + 0.3) < tol, "achieved Spearman %.5f, target -0.3 +- %.4f", rho, tol);
    ty_run_result_clear(&r);
    free(c.x);
    free(c.y);
    ty_scenario_free(s);

    /* An impossible set of correlations is a scenario error. */
    const char *bad = "tyche: 1\nname: k\nfactors:\n  a: {dist: \"normal(0, 1)\"}\n  b: {dist: \"normal(0, 1)\"}\n"
                      "  c: {dist: \"normal(0, 1)\"}\ncorrelations:\n  - {factors: [a, b], rank: 0.9}\n"
                      "  - {factors: [b, c], rank: 0.9}\n  - {factors: [a, c], rank: -0.9}\n"
                      "outcomes:\n  p: {score: a}\n  q: {score: 0}\n";
    ty_diag *d = ty_diag_new(20);
    ty_scenario *sb = NULL;
    CHECK(ty_scenario_parse("bad.yaml", bad, strlen(bad), &sb, d) == TY_ERR_INVALID);
    CHECK(ty_diag_count(d) == 1 && strstr(ty_diag_get(d, 0)->message, "not positive definite"));
    CHECK(ty_diag_count(d) == 1 && ty_diag_get(d, 0)->line == 8);
    ty_diag_free(d);
}

static void test_latin_hypercube(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: lhs\nrun: {seed: 5, sampling: lhs}\nfactors:\n"
                          "  x: {dist: \"uniform(0, 1)\"}\n  y: {dist: \"beta(2, 5)\"}\n"
                          "outcomes:\n  model: rules\n  a: {when: x < 0.37}\n  b: {otherwise: true}\n");
    if (!s) return;
    ty_run_options o = {.samples = 100000};
    ty_run_result lhs = {0}, rnd = {0};
    CHECK(tu_run(s, &o, &lhs) == TY_OK);
    check_close(&lhs, 0, 0.37);
    /* Stratification: in each block of 1024 exactly floor or ceil of
     * 0.37 * 1024 samples fall below 0.37, so the block means barely vary. */
    o.has_sampling = 1;
    o.sampling = TY_SAMPLING_RANDOM;
    CHECK(tu_run(s, &o, &rnd) == TY_OK);
    CHECK_MSG(lhs.outcomes[0].stderr_ < rnd.outcomes[0].stderr_ / 10, "lhs se %.3g, random se %.3g",
              lhs.outcomes[0].stderr_, rnd.outcomes[0].stderr_);
    CHECK(lhs.sampling == TY_SAMPLING_LHS && rnd.sampling == TY_SAMPLING_RANDOM);
    CHECK_NEAR(lhs.factors[1].summary.mean, 2.0 / 7.0, 1e-4);
    ty_run_result_clear(&lhs);
    ty_run_result_clear(&rnd);
    ty_scenario_free(s);
}

static void test_target_halfwidth(void)
{
    ty_scenario *s = load_file(BENCH_PATH);
    if (!s) return;
    ty_run_result r1 = {0}, r2 = {0};
    ty_run_options o = {.target_halfwidth = 0.002, .max_samples = 50000000, .threads = 1};
    CHECK(tu_run(s, &o, &r1) == TY_OK);
    o.threads = 2;
    CHECK(tu_run(s, &o, &r2) == TY_OK);
    CHECK(r1.stopped_early == 1);
    CHECK(r1.samples == r2.samples);
    /* Stops at a checkpoint: a power of two of blocks. */
    uint64_t blocks = r1.samples / TY_RUN_BLOCK;
    CHECK(r1.samples % TY_RUN_BLOCK == 0 && (blocks & (blocks - 1)) == 0);
    for (size_t k = 0; k < r1.noutcomes; k++)
        CHECK((r1.outcomes[k].ci_high - r1.outcomes[k].ci_low) / 2 <= 0.002);
    /* ... and the checkpoint before did not meet the target. */
    const ty_convergence *c = &r1.convergence;
    CHECK(c->npoints >= 2 && c->samples[c->npoints - 1] == r1.samples);
    double prev_max = 0;
    for (size_t k = 0; k < r1.noutcomes; k++)
        prev_max = fmax(prev_max, c->halfwidth[(c->npoints - 2) * r1.noutcomes + k]);
    CHECK(prev_max > 0.002);
    CHECK(memcmp(r1.outcomes, r2.outcomes, r1.noutcomes * sizeof *r1.outcomes) == 0);
    ty_run_result_clear(&r1);
    ty_run_result_clear(&r2);
    ty_scenario_free(s);
}

static void test_interrupt_and_resume(void)
{
    ty_scenario *s = load_file(BENCH_PATH);
    if (!s) return;
    ty_run_result full = {0}, part = {0}, rest = {0};
    ty_run_options o = {.samples = 700000, .threads = 2};
    tu_run_stop_resume(s, &o, 5, &full, &part, &rest);
    CHECK(memcmp(rest.outcomes, full.outcomes, full.noutcomes * sizeof *full.outcomes) == 0);
    for (size_t d = 0; d < full.nderived; d++) {
        CHECK(memcmp(&rest.derived[d].summary, &full.derived[d].summary, sizeof full.derived[d].summary) == 0);
        CHECK(memcmp(rest.derived[d].hist.counts, full.derived[d].hist.counts, TY_RUN_HIST_BINS * sizeof(uint64_t)) == 0);
        CHECK(rest.derived[d].hist.overflow == full.derived[d].hist.overflow &&
              rest.derived[d].hist.underflow == full.derived[d].hist.underflow);
    }
    CHECK(rest.convergence.npoints == full.convergence.npoints);
    CHECK(memcmp(rest.convergence.probability, full.convergence.probability,
                 full.convergence.npoints * full.noutcomes * sizeof(double)) == 0);
    ty_run_result_clear(&full);
    ty_run_result_clear(&part);
    ty_run_result_clear(&rest);
    ty_scenario_free(s);
}

static void test_rules_no_match_reported(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: nm\nfactors:\n  x: {dist: \"uniform(0, 1)\"}\n"
                          "outcomes:\n  model: rules\n  a: {when: x < 0.5}\n  b: {when: x < 0.99}\n");
    if (!s) return;
    ty_run_options o = {.samples = 100000};
    ty_run_result r = {0};
    ty_diag *d = ty_diag_new(20);
    CHECK(ty_run_scenario(s, "baseline", &o, &r, d) == TY_ERR_INVALID);
    CHECK(ty_diag_count(d) == 1 && strstr(ty_diag_get(d, 0)->message, "matches no rule"));
    CHECK(ty_diag_count(d) == 1 && strstr(ty_diag_get(d, 0)->message, "x=0.99"));
    ty_diag_free(d);
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

static void test_paired_difference(void)
{
    /* Two runs sharing factor x (same name, same seed): the difference of a
     * shifted threshold is paired block by block. The truth: P(x < 0.35) -
     * P(x < 0.3) = 0.05 for x uniform. */
    ty_scenario *a = tu_load("tyche: 1\nname: p\nfactors:\n  x: {dist: \"uniform(0, 1)\"}\n  y: {dist: \"normal(0, 1)\"}\n"
                          "outcomes:\n  model: rules\n  hit: {when: x < 0.3}\n  miss: {otherwise: true}\n");
    ty_scenario *b = tu_load("tyche: 1\nname: p\nfactors:\n  x: {dist: \"uniform(0, 1)\"}\n  y: {dist: \"normal(0, 1)\"}\n"
                          "outcomes:\n  model: rules\n  hit: {when: x < 0.35}\n  miss: {otherwise: true}\n");
    if (!a || !b) return;
    ty_run_options o = {.samples = 200000};
    ty_run_result ra = {0}, rb = {0}, rc = {0};
    CHECK(tu_run(a, &o, &ra) == TY_OK);
    CHECK(tu_run(b, &o, &rb) == TY_OK);
    CHECK(tu_run(a, &o, &rc) == TY_OK);
    CHECK(ty_run_difference(&rb, &ra) == TY_OK);
    const ty_difference *d = &rb.difference[0];
    CHECK_MSG(fabs(d->diff - 0.05) < 4 * d->stderr_, "diff %.5f se %.2g", d->diff, d->stderr_);
    /* Pairing removes the shared variance: se of the difference of two
     * nested thresholds is sqrt(0.05 * 0.95 / n), the unpaired one larger.
     * The estimate of the se from G = 196 groups has a relative sd of about
     * 1/sqrt(2(G-1)) = 5%: allow 4 of those. */
    CHECK_NEAR(d->stderr_, sqrt(0.05 * 0.95 / 200000), 0.2 * sqrt(0.05 * 0.95 / 200000));
    CHECK(d->unpaired_stderr > 2 * d->stderr_);
    CHECK(d->ci_low < d->diff && d->diff < d->ci_high);
    /* Identical runs: zero difference, zero error. */
    CHECK(ty_run_difference(&rc, &ra) == TY_OK);
    CHECK(rc.difference[0].diff == 0 && rc.difference[0].stderr_ == 0);
    /* Runs with different seeds cannot be paired. */
    ty_run_result rd = {0};
    ty_run_options o2 = {.samples = 200000, .has_seed = 1, .seed = 99};
    CHECK(tu_run(a, &o2, &rd) == TY_OK);
    CHECK(ty_run_difference(&rd, &ra) == TY_ERR_INVALID && rd.difference == NULL);
    ty_run_result_clear(&ra);
    ty_run_result_clear(&rb);
    ty_run_result_clear(&rc);
    ty_run_result_clear(&rd);
    ty_scenario_free(a);
    ty_scenario_free(b);
}

/* Every column of the samples that enter the histograms: blocks 0-63 and
 * every 8th after (tally.c), captured from the sample sink. */
typedef struct hcapture { size_t ncols, n, cap; double **col; } hcapture;
static int hsink(void *ctx, uint64_t first, size_t n, const double *const *cols, size_t ncols)
{
    hcapture *c = ctx;
    if (!c->col) {
        c->ncols = ncols;
        c->col = calloc(ncols, sizeof *c->col);
        for (size_t k = 0; k < ncols; k++) c->col[k] = malloc(c->cap * sizeof(double));
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t b = (first + i) / TY_RUN_BLOCK;
        if (!(b < 64 || b % 8 == 0) || c->n >= c->cap) continue;
        for (size_t k = 0; k < ncols; k++) c->col[k][c->n] = cols[k][i];
        c->n++;
    }
    return 0;
}

static void hcapture_free(hcapture *c)
{
    for (size_t k = 0; c->col && k < c->ncols; k++) free(c->col[k]);
    free(c->col);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The sample's q-quantile of x[0..n) (finite values): the order statistic
 * of rank k, the least k >= q n (as tyche defines it, docs/results.md). */
static double sample_quantile(const double *x, size_t n, double q)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) v[m++] = x[i];
    qsort(v, m, sizeof *v, cmp_dbl);
    size_t k = (size_t)ceil(q * (double)m);
    double r = m ? v[k ? k - 1 : 0] : NAN;
    free(v);
    return r;
}

/* Counts of x[0..n) below lo and above hi. */
static void outside(const double *x, size_t n, double lo, double hi, uint64_t *under, uint64_t *over)
{
    *under = *over = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) continue;
        if (x[i] < lo) (*under)++;
        if (x[i] > hi) (*over)++;
    }
}

/* A heavy-tailed derived value (a ratio of normals: Cauchy): values beyond
 * the range are counted apart, exactly, never in the edge bins; the
 * percentiles agree with the sample's within one bin. All checks are exact
 * comparisons with the captured samples (no chance failures) but the edge
 * bins': a Cauchy's density at the range's ends (about its 0.1% and 99.9%
 * points widened) puts about 0.1 expected samples in each of the two last
 * bins, so the top bin above 3 x its neighbour + 10 has a chance below
 * 1e-12 (Poisson), where clamping put hundreds there. */
static void test_histogram_overflow(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: h\nrun: {seed: 21}\nfactors:\n  a: {dist: \"normal(0, 1)\"}\n"
                          "  b: {dist: \"normal(0, 1)\"}\nderived:\n  ratio: a / b\n"
                          "outcomes:\n  up: {score: a}\n  down: {score: 0}\n");
    if (!s) return;
    hcapture c = {.cap = 200000};
    ty_run_options o = {.samples = 300000, .threads = 3, .sink = hsink, .sink_ctx = &c};
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    const ty_histogram *h = &r.derived[0].hist;
    const double *x = c.col[2];
    CHECK(h->outside_counted == 1 && h->nbins == TY_RUN_HIST_BINS);
    uint64_t under, over, total = h->underflow + h->overflow;
    outside(x, c.n, h->edges[0], h->edges[h->nbins], &under, &over);
    for (size_t i = 0; i < h->nbins; i++) total += h->counts[i];
    CHECK_MSG(h->underflow == under && h->overflow == over, "under %llu/%llu over %llu/%llu",
              (unsigned long long)h->underflow, (unsigned long long)under,
              (unsigned long long)h->overflow, (unsigned long long)over);
    CHECK(total == c.n);
    /* The 0.1%-99.9% points: a few hundred of 200,000 beyond them. */
    CHECK(over > 20 && under > 20 && over < 2000 && under < 2000);
    size_t nb = h->nbins;
    CHECK_MSG(h->counts[nb - 1] <= 3 * h->counts[nb - 2] + 10, "top bin %llu, its neighbour %llu",
              (unsigned long long)h->counts[nb - 1], (unsigned long long)h->counts[nb - 2]);
    CHECK_MSG(h->counts[0] <= 3 * h->counts[1] + 10, "bottom bin %llu, its neighbour %llu",
              (unsigned long long)h->counts[0], (unsigned long long)h->counts[1]);
    double w = h->edges[1] - h->edges[0];
    CHECK_NEAR(r.derived[0].summary.p05, sample_quantile(x, c.n, 0.05), w);
    CHECK_NEAR(r.derived[0].summary.p50, sample_quantile(x, c.n, 0.50), w);
    CHECK_NEAR(r.derived[0].summary.p95, sample_quantile(x, c.n, 0.95), w);
    /* The factors too: normal(0, 1) over its 0.01%-99.99% quantiles, the
     * rest counted apart. */
    const ty_histogram *hf = &r.factors[0].hist;
    outside(c.col[0], c.n, hf->edges[0], hf->edges[hf->nbins], &under, &over);
    CHECK(hf->underflow == under && hf->overflow == over);
    CHECK_NEAR(hf->edges[hf->nbins], 3.719, 0.001);
    ty_run_result_clear(&r);
    hcapture_free(&c);
    ty_scenario_free(s);
}

/* Declared bounds of a derived value are its histogram's range, whatever
 * the values do; a percentile beyond them is NaN (not representable). */
static void test_derived_bounds(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: db\nrun: {seed: 22}\nfactors:\n  x: {dist: \"uniform(0, 1)\"}\n"
                          "derived:\n  y:\n    expr: 2 * x\n    bounds: [0, 1.5]\n"
                          "outcomes:\n  up: {score: x}\n  down: {score: 0}\n");
    if (!s) return;
    hcapture c = {.cap = 100000};
    ty_run_options o = {.samples = 100000, .sink = hsink, .sink_ctx = &c};
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    const ty_histogram *h = &r.derived[0].hist;
    CHECK(h->edges[0] == 0);
    CHECK_MSG(h->edges[h->nbins] >= 1.5 && h->edges[h->nbins] < 1.5 + 1e-12, "top edge %.17g", h->edges[h->nbins]);
    uint64_t under, over;
    outside(c.col[1], c.n, h->edges[0], h->edges[h->nbins], &under, &over);
    CHECK(h->underflow == 0 && under == 0 && h->overflow == over);
    /* A quarter of 2x is above 1.5: of the 70,656 samples binned (blocks
     * 0-63 and 64, 72, ..., 96), 17,664 +- 115; a fifth is 14,131, 31 sd
     * below. */
    CHECK_MSG(c.n == 70656 && over > c.n / 5, "%llu of %zu above", (unsigned long long)over, c.n);
    CHECK(isnan(r.derived[0].summary.p95));
    double w = h->edges[1] - h->edges[0];
    CHECK_NEAR(r.derived[0].summary.p50, sample_quantile(c.col[1], c.n, 0.5), w);
    CHECK_NEAR(r.derived[0].summary.p05, sample_quantile(c.col[1], c.n, 0.05), w);
    ty_run_result_clear(&r);
    hcapture_free(&c);
    ty_scenario_free(s);
}

/* A factor truncated to [0, 1e308] is binned over its quantiles, not its
 * support: the half-normal's median 0.6745 (0.674490). The sample median of
 * 200,000 has sd 0.5 / (sqrt(2e5) 2 phi(0.6745)) = 0.0018 and the bins are
 * 0.004 wide, so |p50 - 0.6745| > 0.01 has a chance below 1e-3 even with
 * a whole bin's error (at the fixed seed it either passes or never does). */
static void test_factor_huge_bounds(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: hb\nrun: {seed: 23}\nfactors:\n"
                          "  x:\n    dist: normal(0, 1)\n    bounds: [0, 1e308]\n"
                          "outcomes:\n  up: {score: x}\n  down: {score: 0}\n");
    if (!s) return;
    ty_run_options o = {.samples = 200000};
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    const ty_histogram *h = &r.factors[0].hist;
    CHECK_MSG(h->edges[0] == 0 && h->edges[h->nbins] < 5, "range [%g, %g]", h->edges[0], h->edges[h->nbins]);
    CHECK_NEAR(r.factors[0].summary.p50, 0.674490, 0.01);
    CHECK_NEAR(r.factors[0].summary.p05, 0.062707, 0.01);
    CHECK_NEAR(r.factors[0].summary.p95, 1.959964, 0.03);
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

/* Discrete factors' percentiles are the sample's own, exactly: a bin per
 * integer (bernoulli, binomial, poisson, integer discrete values), the
 * value alone in its bin (other discrete values, constants). Compared with
 * the captured samples' order statistics: no chance failures. bernoulli(0.8)
 * gives 0/1/1 unless the share of zeros in 92,000 samples falls below 5%
 * (it is 20% +- 0.13%). */
static void test_discrete_percentiles(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: dp\nrun: {seed: 24}\nfactors:\n"
                          "  be: {dist: \"bernoulli(0.8)\"}\n  bi: {dist: \"binomial(10, 0.3)\"}\n"
                          "  po: {dist: \"poisson(3.5)\"}\n  bp: {dist: \"poisson(2000)\"}\n"
                          "  dv: {dist: \"discrete([0.5, 1.7, 3.25], [0.2, 0.5, 0.3])\"}\n"
                          "  ct: {dist: \"constant(2.5)\"}\n"
                          "derived:\n  allies: be + bi\n"
                          "outcomes:\n  up: {score: be}\n  down: {score: 0}\n");
    if (!s) return;
    hcapture c = {.cap = 300000};
    ty_run_options o = {.samples = 300000, .threads = 2, .sink = hsink, .sink_ctx = &c};
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    CHECK(r.factors[0].summary.p05 == 0 && r.factors[0].summary.p50 == 1 && r.factors[0].summary.p95 == 1);
    static const double qs[3] = {0.05, 0.5, 0.95};
    for (size_t j = 0; j < r.nfactors + r.nderived; j++) {
        const ty_series_stats *st = j < r.nfactors ? &r.factors[j] : &r.derived[j - r.nfactors];
        const double got[3] = {st->summary.p05, st->summary.p50, st->summary.p95};
        for (int k = 0; k < 3; k++) {
            double want = sample_quantile(c.col[j], c.n, qs[k]);
            CHECK_MSG(got[k] == want, "%s: p%02.0f %.17g, the sample's %.17g", st->name, 100 * qs[k], got[k], want);
        }
        uint64_t under, over;
        outside(c.col[j], c.n, st->hist.edges[0], st->hist.edges[st->hist.nbins], &under, &over);
        CHECK_MSG(under == 0 && over == 0 && st->hist.underflow == 0 && st->hist.overflow == 0,
                  "%s: %llu below, %llu above the range", st->name, (unsigned long long)under,
                  (unsigned long long)over);
    }
    /* A bin per integer from the least value: bernoulli's 0 and 1 in [0, 1)
     * and [1, 2). */
    CHECK(r.factors[0].hist.edges[0] == 0 && r.factors[0].hist.edges[1] == 1);
    CHECK(r.factors[0].hist.counts[0] + r.factors[0].hist.counts[1] == c.n);
    ty_run_result_clear(&r);
    hcapture_free(&c);
    ty_scenario_free(s);
}

TEST_MAIN(test_bit_identical_across_threads, test_bench_reference, test_rules_uniform_thresholds, test_normal_tails,
          test_logit_constant_scores, test_correlations, test_latin_hypercube,
          test_target_halfwidth, test_interrupt_and_resume, test_rules_no_match_reported,
          test_paired_difference, test_histogram_overflow, test_derived_bounds, test_factor_huge_bounds,
          test_discrete_percentiles)
