/* test_query.c - queries and the outcomes' spread (docs/format.md,
 * 'Queries'): closed-form answers for each kind, with and without a
 * condition (0/1 and fractional weights); the spread of a per-sample
 * probability whose distribution is known; bit-identical results for any
 * thread count and across an interrupt and resume; paired differences of
 * queries between two runs; the errors of bad queries, at load time and
 * for bad per-sample values. Agreement with the same quantities computed
 * from --save-samples is tests/cli/queries.sh; coverage of the intervals
 * over many seeds, tests/stat/coverage.c.
 *
 * Statistical checks use fixed seeds. Each "within 4 standard errors" check
 * would fail by chance with probability 6.3e-5 for a random seed; the
 * percentile checks allow 4 of their sampling standard deviations plus one
 * histogram bin (stated at each): 12 checks in all, about 1e-3 overall.
 * The seeds are fixed, so the outcome of each run never changes. */
#include "harness.h"
#include "scenario_util.h"

/* p_a = u exactly (softmax of logit(u) and 0), so a's spread is u's
 * percentiles; y is independent of u. */
static const char *LOGIT =
    "tyche: 1\nname: q\nfactors:\n"
    "  u: {dist: \"uniform(0.0001, 0.9999)\"}\n"
    "  y: {dist: \"normal(10, 2)\"}\n"
    "outcomes:\n  a: {score: log(u) - log(1 - u)}\n  b: {score: \"0\"}\n"
    "queries:\n"
    "  below: {probability: u < 0.3}\n"
    "  pa: {probability: a, label: The probability of a}\n"
    "  u_given_a: {mean: u, given: a}\n"
    "  y_q: {quantiles: y}\n"
    "  u_q_given_a: {quantiles: u, given: a}\n"
    "  y_upper: {mean: y, given: y > 10}\n"
    "  y_q_half: {quantiles: y, given: u < 0.5}\n";

static const ty_query_result *find(const ty_run_result *r, const char *name)
{
    for (size_t q = 0; q < r->nqueries; q++)
        if (strcmp(r->queries[q].name, name) == 0) return &r->queries[q];
    CHECK_MSG(0, "no query %s", name);
    return NULL;
}

/* Within 4 of the estimate's own standard errors. */
#define CHECK_SE(q, truth) CHECK_MSG(fabs((q)->est.probability - (truth)) <= 4 * (q)->est.stderr_, \
    "%s = %.6f (se %.2g), truth %.6f", (q)->name, (q)->est.probability, (q)->est.stderr_, (double)(truth))

static void test_closed_forms(void)
{
    ty_scenario *s = tu_load(LOGIT);
    if (!s) return;
    ty_run_options o = {.samples = 200000, .has_seed = 1, .seed = 11, .threads = 2};
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    CHECK(r.nqueries == 7);
    const double lo = 0.0001, hi = 0.9999, z95 = 1.6448536269514722, z75 = 0.6744897501960817;
    const ty_query_result *q;
    if ((q = find(&r, "below"))) {
        CHECK(q->kind == TY_QUERY_PROBABILITY && q->given == NULL && q->given_share == 1.0);
        CHECK_SE(q, (0.3 - lo) / (hi - lo));
        CHECK(q->est.ci_low < q->est.probability && q->est.probability < q->est.ci_high);
    }
    if ((q = find(&r, "pa"))) {
        /* The same mean as the outcome's estimate, by another estimator. */
        CHECK_NEAR(q->est.probability, r.outcomes[0].probability, 1e-12);
        CHECK_SE(q, 0.5);
        CHECK_STR(q->label, "The probability of a");
    }
    if ((q = find(&r, "u_given_a"))) {
        /* E[u^2] / E[u] for u uniform on [lo, hi]. */
        double eu2 = (hi * hi * hi - lo * lo * lo) / (3 * (hi - lo)), eu = (lo + hi) / 2;
        CHECK_SE(q, eu2 / eu);
        CHECK_STR(q->given, "a");
        CHECK_NEAR(q->given_share, 0.5, 0.01);
    }
    if ((q = find(&r, "y_upper"))) CHECK_SE(q, 10 + 2 * sqrt(2 / M_PI));
    /* Percentiles: about 80,000 samples are binned (the first 64 blocks,
     * then every 8th): y's 5th percentile has a sampling sd of
     * sqrt(0.05 0.95 / 80000) / phi(1.645) x 2 = 0.015, bins are 0.014
     * wide: 4 sd + 1 bin < 0.08. */
    if ((q = find(&r, "y_q"))) {
        double want[5] = {10 - 2 * z95, 10 - 2 * z75, 10, 10 + 2 * z75, 10 + 2 * z95};
        for (int l = 0; l < 5; l++) CHECK_NEAR(q->quantiles[l], want[l], 0.08);
        CHECK(isnan(q->est.probability));
    }
    /* Conditioned on u < 0.5 (independent of y), half the samples count. */
    if ((q = find(&r, "y_q_half"))) {
        double want[5] = {10 - 2 * z95, 10 - 2 * z75, 10, 10 + 2 * z75, 10 + 2 * z95};
        for (int l = 0; l < 5; l++) CHECK_NEAR(q->quantiles[l], want[l], 0.11);
        CHECK_NEAR(q->given_share, 0.5, 0.01);
    }
    /* Weighted by a = u: the density 2u on (0, 1), so the q-quantile is
     * sqrt(q). Fractional weights (the randomised integer rounding) must
     * not bias it; sampling sd at most 0.004, bins 0.001: 0.02. */
    if ((q = find(&r, "u_q_given_a"))) {
        double lv[5] = {0.05, 0.25, 0.5, 0.75, 0.95};
        for (int l = 0; l < 5; l++) CHECK_NEAR(q->quantiles[l], sqrt(lv[l]), 0.02);
    }
    /* a's spread is u's percentiles: sd at most 0.0018 (80,000 binned), bins
     * of 0.001: 0.008. */
    CHECK(r.spread != NULL);
    if (r.spread) {
        CHECK_NEAR(r.spread[0], lo + 0.05 * (hi - lo), 0.008);
        CHECK_NEAR(r.spread[1], 0.5, 0.008);
        CHECK_NEAR(r.spread[2], lo + 0.95 * (hi - lo), 0.008);
        /* b = 1 - a: its spread mirrors a's. */
        CHECK_NEAR(r.spread[3], 1 - r.spread[2], 0.003);
        CHECK_NEAR(r.spread[5], 1 - r.spread[0], 0.003);
    }
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

/* Rules: an outcome in a query is its 0/1 indicator, and its spread is 0s
 * and 1s. */
static void test_rules(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: r\nfactors:\n  x: {dist: \"uniform(0, 1)\"}\n"
                          "outcomes:\n  model: rules\n  hit: {when: x < 0.3}\n  miss: {otherwise: true}\n"
                          "queries:\n  p_hit: {probability: hit}\n  x_if_hit: {mean: x, given: hit}\n");
    if (!s) return;
    ty_run_options o = {.samples = 100000, .has_seed = 1, .seed = 5};
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    const ty_query_result *q = find(&r, "p_hit");
    if (q) CHECK_NEAR(q->est.probability, r.outcomes[0].probability, 1e-12);
    if ((q = find(&r, "x_if_hit"))) {
        CHECK_SE(q, 0.15);
        CHECK_NEAR(q->given_share, r.outcomes[0].probability, 1e-12);
    }
    if (r.spread) {
        CHECK(r.spread[0] == 0 && r.spread[1] == 0 && r.spread[2] == 1);
        CHECK(r.spread[3] == 0 && r.spread[4] == 1 && r.spread[5] == 1);
    }
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

static int same_queries(const ty_run_result *a, const ty_run_result *b)
{
    if (a->nqueries != b->nqueries || !a->spread || !b->spread) return 0;
    if (memcmp(a->spread, b->spread, a->noutcomes * TY_SPREAD_NLEVELS * sizeof *a->spread) != 0) return 0;
    for (size_t q = 0; q < a->nqueries; q++)
        if (memcmp(&a->queries[q].est, &b->queries[q].est, sizeof a->queries[q].est) != 0 ||
            memcmp(a->queries[q].quantiles, b->queries[q].quantiles, sizeof a->queries[q].quantiles) != 0 ||
            memcmp(&a->queries[q].given_share, &b->queries[q].given_share, sizeof(double)) != 0)
            return 0;
    return 1;
}

static void test_bit_identical_across_threads(void)
{
    ty_scenario *s = tu_load(LOGIT);
    if (!s) return;
    for (int lhs = 0; lhs < 2; lhs++) {
        ty_run_result r1 = {0}, r3 = {0};
        ty_run_options o = {.samples = 300001, .threads = 1, .has_sampling = 1,
                            .sampling = lhs ? TY_SAMPLING_LHS : TY_SAMPLING_RANDOM};
        CHECK(tu_run(s, &o, &r1) == TY_OK);
        o.threads = 3;
        CHECK(tu_run(s, &o, &r3) == TY_OK);
        CHECK_MSG(same_queries(&r1, &r3), "sampling %s", lhs ? "lhs" : "random");
        ty_run_result_clear(&r1);
        ty_run_result_clear(&r3);
    }
    ty_scenario_free(s);
}

static void test_resume(void)
{
    ty_scenario *s = tu_load(LOGIT);
    if (!s) return;
    ty_run_result full = {0}, part = {0}, rest = {0};
    ty_run_options o = {.samples = 700000, .threads = 2};
    tu_run_stop_resume(s, &o, 5, &full, &part, &rest);
    CHECK(same_queries(&full, &rest));
    ty_run_result_clear(&full);
    ty_run_result_clear(&part);
    ty_run_result_clear(&rest);
    ty_scenario_free(s);
}

/* Two runs that differ in a derived threshold: P(x < t) moves by 0.05 and
 * the mean of x below it by 0.025; paired by common random numbers, the
 * differences' errors are far below the unpaired ones. */
static void test_paired_difference(void)
{
    const char *fmt = "tyche: 1\nname: p\nfactors:\n  x: {dist: \"uniform(0, 1)\"}\n"
                      "derived:\n  t: \"%s\"\n"
                      "outcomes:\n  model: rules\n  hit: {when: x < 0.5}\n  miss: {otherwise: true}\n"
                      "queries:\n  below: {probability: x < t}\n  x_below: {mean: x, given: x < t}\n"
                      "  xq: {quantiles: x}\n";
    char ta[512], tb[512];
    snprintf(ta, sizeof ta, fmt, "0.3");
    snprintf(tb, sizeof tb, fmt, "0.35");
    ty_scenario *a = tu_load(ta), *b = tu_load(tb);
    if (!a || !b) { ty_scenario_free(a); ty_scenario_free(b); return; }
    ty_run_options o = {.samples = 200000, .has_seed = 1, .seed = 3};
    ty_run_result ra = {0}, rb = {0};
    CHECK(tu_run(a, &o, &ra) == TY_OK);
    CHECK(tu_run(b, &o, &rb) == TY_OK);
    CHECK(ty_run_difference(&rb, &ra) == TY_OK);
    CHECK(rb.query_difference != NULL);
    if (rb.query_difference) {
        const ty_difference *d = &rb.query_difference[0];
        CHECK_MSG(fabs(d->diff - 0.05) <= 4 * d->stderr_, "diff %.6f se %.2g", d->diff, d->stderr_);
        CHECK(d->stderr_ < 0.5 * d->unpaired_stderr);
        CHECK(d->ci_low < d->diff && d->diff < d->ci_high);
        d = &rb.query_difference[1];
        CHECK_MSG(fabs(d->diff - 0.025) <= 4 * d->stderr_, "diff %.6f se %.2g", d->diff, d->stderr_);
        CHECK(isnan(rb.query_difference[2].diff));
    }
    ty_run_result_clear(&ra);
    ty_run_result_clear(&rb);
    ty_scenario_free(a);
    ty_scenario_free(b);
}

/* A per-sample value a query cannot have stops the run, naming the query,
 * the sample and the value: each kind of check, in the expression and in
 * the condition. */
static void test_bad_values(void)
{
    static const struct { const char *query, *want; } cases[] = {
        {"{probability: x * 2}", "the probability of query 'bad'"},
        {"{probability: x < 2, given: x + 0.5}", "the condition of query 'bad'"},
        {"{mean: log(x - 0.5)}", "the value of query 'bad'"},
        {"{quantiles: 1 / (x > 0.9)}", "the value of query 'bad'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[512];
        snprintf(text, sizeof text, "tyche: 1\nname: b\nfactors:\n  x: {dist: \"uniform(0, 1)\"}\n"
                 "outcomes:\n  model: rules\n  hit: {when: x < 0.5}\n  miss: {otherwise: true}\n"
                 "queries:\n  ok: {probability: hit}\n  bad: %s\n", cases[i].query);
        ty_scenario *s = tu_load(text);
        if (!s) continue;
        ty_run_options o = {.samples = 20000, .threads = 2};
        ty_run_result r = {0};
        ty_diag *d = ty_diag_new(20);
        CHECK(ty_run_scenario(s, "baseline", &o, &r, d) == TY_ERR_INVALID);
        CHECK_MSG(ty_diag_count(d) >= 1 && strstr(ty_diag_get(d, 0)->message, cases[i].want),
                  "%s: %s", cases[i].query, ty_diag_count(d) ? ty_diag_get(d, 0)->message : "(none)");
        CHECK(ty_diag_count(d) >= 1 && ty_diag_get(d, 0)->line == 11);
        ty_diag_free(d);
        ty_run_result_clear(&r);
        ty_scenario_free(s);
    }
}

/* Load errors, each at its position. */
static void test_load_errors(void)
{
    static const struct { const char *queries, *want; int line, col; } cases[] = {
        {"  q: {probability: xx < 1}\n", "unknown name 'xx'", 9, 20},
        {"  q: {probability: x < 1, mean: x}\n", "more than one", 9, 6},
        {"  q: {label: nothing}\n", "none of 'probability'", 9, 3},
        {"  x: {mean: 1}\n", "already used by a factor", 9, 3},
        {"  hit: {mean: 1}\n", "already used by an outcome", 9, 3},
        {"  q: {mean: x, given: nope}\n", "unknown name 'nope'", 9, 23},
        {"  q: {mean: x, gven: x}\n", "unknown key", 9, 16},
        {"  q: x < 1\n", "must be a mapping", 9, 6},
        {"  Q: {mean: x}\n", "query name 'Q'", 9, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[512];
        snprintf(text, sizeof text, "tyche: 1\nname: e\nfactors:\n  x: {dist: \"uniform(0, 1)\"}\n"
                 "outcomes:\n  hit: {score: x}\n  miss: {score: \"0\"}\nqueries:\n%s", cases[i].queries);
        ty_diag *d = ty_diag_new(20);
        ty_scenario *s = NULL;
        CHECK(ty_scenario_parse("t.yaml", text, strlen(text), &s, d) == TY_ERR_INVALID && !s);
        int found = 0;
        for (size_t k = 0; k < ty_diag_count(d); k++) {
            const ty_diag_entry *e = ty_diag_get(d, k);
            if (strstr(e->message, cases[i].want) && e->line == cases[i].line && e->col == cases[i].col) found = 1;
        }
        CHECK_MSG(found, "%s: want '%s' at %d:%d, got '%s' at %d:%d", cases[i].queries, cases[i].want,
                  cases[i].line, cases[i].col, ty_diag_count(d) ? ty_diag_get(d, 0)->message : "(none)",
                  ty_diag_count(d) ? ty_diag_get(d, 0)->line : 0, ty_diag_count(d) ? ty_diag_get(d, 0)->col : 0);
        ty_diag_free(d);
        ty_scenario_free(s);
    }
}

TEST_MAIN(test_closed_forms, test_rules, test_bit_identical_across_threads, test_resume, test_paired_difference,
          test_bad_values, test_load_errors)
