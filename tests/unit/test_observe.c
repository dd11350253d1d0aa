/* test_observe.c - observations (docs/format.md, 'Observations'): the
 * weighted estimates against closed forms (a normal prior read with a
 * normal error: the conjugate posterior; a Beta prior with binomial
 * evidence as a loglik; a rare condition and an imperfect test; a hard
 * `when` on a normal factor: a truncated normal), the diagnostics (effective
 * sample size, acceptance, log evidence, Pareto k-hat and their warnings),
 * no sample of positive weight, the run restarted when the pilot
 * underestimates the weights, bit-identical results for any thread count
 * and across an interrupt and resume, --observe and --prior, paired
 * differences between weighted runs, and load-time errors. Coverage of the
 * weighted intervals over many seeds is tests/stat/coverage.c.
 *
 * Statistical checks use fixed seeds. Each "within 4 standard errors" check
 * would fail by chance with probability 6.3e-5 for a random seed; the
 * posterior sd checks allow 3% (their relative standard error is under
 * 0.5% at these sizes: 6 sigma); log evidence within 4 of its delta-method
 * standard errors. About 20 checks in all: under 2e-3 overall. The seeds
 * are fixed, so the outcome of each run never changes. */
#include "harness.h"
#include "scenario_util.h"

/* An outcome within 4 of its own standard errors. */
#define CHECK_P(r, k, truth) CHECK_MSG(fabs((r).outcomes[k].probability - (truth)) <= 4 * (r).outcomes[k].stderr_, \
    "outcome %d = %.6f (se %.2g), truth %.6f", (int)(k), (r).outcomes[k].probability, (r).outcomes[k].stderr_, \
    (double)(truth))

static ty_run_options opts(uint64_t n, uint64_t seed, int threads)
{
    return (ty_run_options){.samples = n, .has_seed = 1, .seed = seed, .threads = threads};
}

/* Normal prior N(40000, 8000), reading 45000 with error N(0, 5000): the
 * posterior is N(43595.51, 4239.99); P(x > 50000) = 0.0654583; the
 * evidence is the reading's marginal density N(45000; 40000, sqrt(8000^2 +
 * 5000^2)), log -10.2114614. */
static const char *CONJUGATE =
    "tyche: 1\nname: nn\nfactors:\n  troops: {dist: \"normal(40000, 8000)\"}\n"
    "outcomes:\n  model: rules\n  big: {when: troops > 50000}\n  small: {otherwise: true}\n"
    "observations:\n  count: {of: troops, value: 45000, error: \"normal(0, 5000)\", label: A count}\n";

static void test_conjugate_normal(void)
{
    ty_scenario *s = tu_load(CONJUGATE);
    if (!s) return;
    ty_run_options o = opts(400000, 7, 2);
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    CHECK(r.nobservations == 1 && r.observations && r.outcomes_prior && r.factors_prior);
    if (r.nobservations == 1 && r.outcomes_prior && r.factors_prior) {
        CHECK_P(r, 0, 0.06545832982839017);
        /* The posterior's mean and sd (weighted moments); the prior's beside. */
        double post_sd = 4239.99152002544;
        CHECK_NEAR(r.factors[0].summary.mean, 43595.505617977535, 4 * post_sd / sqrt(r.obs.ess));
        CHECK_NEAR(r.factors[0].summary.sd, post_sd, 0.03 * post_sd);
        CHECK_NEAR(r.factors[0].summary.p50, 43595.5, 4 * 1.25 * post_sd / sqrt(r.obs.ess) + 60);
        CHECK_NEAR(r.factors_prior[0].summary.mean, 40000, 4 * 8000 / sqrt(400000.0));
        CHECK_NEAR(r.outcomes_prior[0].probability, 0.10564977366685535, 4 * r.outcomes_prior[0].stderr_);
        /* Evidence: log mean w. Its delta-method se is sd(w)/(mean w sqrt N),
         * here under 0.002; 0.01 is 5 of them. */
        CHECK_NEAR(r.obs.log_evidence, -10.211461435255128, 0.01);
        CHECK(r.obs.ess > 0.3 * 400000 && r.obs.ess < 400000);
        CHECK_NEAR(r.obs.ess_fraction, r.obs.ess / 400000, 1e-12);
        CHECK(r.obs.acceptance == 1.0);
        CHECK(r.obs.pareto_k < 0.5);
        CHECK(ty_observation_warnings(&r.obs) == 0);
        const ty_observation_result *ob = &r.observations[0];
        CHECK(ob->kind == TY_OBS_READING && strcmp(ob->name, "count") == 0 && strcmp(ob->of, "troops") == 0);
        CHECK(ob->value == 45000 && strcmp(ob->expr, "normal(0, 5000)") == 0 && isnan(ob->held));
        CHECK(ob->label && strcmp(ob->label, "A count") == 0);
        /* The interval covers and sums stay 1. */
        CHECK(r.outcomes[0].ci_low < r.outcomes[0].probability && r.outcomes[0].probability < r.outcomes[0].ci_high);
        CHECK_NEAR(r.outcomes[0].probability + r.outcomes[1].probability, 1.0, 1e-12);
    }
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

/* Beta(2, 3) prior, 7 successes in 10 as a loglik: the posterior is
 * Beta(9, 6), mean 0.6, sd 0.122474, P(theta > 0.7) = 0.219484; evidence
 * B(9, 6) / B(2, 3), log -7.31421989. Under Latin hypercube sampling too. */
static void test_beta_binomial(void)
{
    static const char *BETA =
        "tyche: 1\nname: bb\nfactors:\n  theta: {dist: \"beta(2, 3)\"}\n"
        "outcomes:\n  model: rules\n  high: {when: theta > 0.7}\n  low: {otherwise: true}\n"
        "queries:\n  theta_mean: {mean: theta}\n"
        "observations:\n  trials: {loglik: \"7*log(theta) + 3*log(1 - theta)\"}\n";
    ty_scenario *s = tu_load(BETA);
    if (!s) return;
    for (int lhs = 0; lhs < 2; lhs++) {
        ty_run_options o = opts(200000, 3, 2);
        o.has_sampling = 1;
        o.sampling = lhs ? TY_SAMPLING_LHS : TY_SAMPLING_RANDOM;
        ty_run_result r = {0};
        CHECK(tu_run(s, &o, &r) == TY_OK);
        if (r.nobservations != 1 || r.nqueries != 1) { ty_run_result_clear(&r); continue; }
        CHECK_P(r, 0, 0.21948416523063008);
        const ty_query_result *q = &r.queries[0];
        CHECK_MSG(fabs(q->est.probability - 0.6) <= 4 * q->est.stderr_, "mean %.6f se %.2g (lhs %d)",
                  q->est.probability, q->est.stderr_, lhs);
        CHECK_NEAR(r.factors[0].summary.mean, 0.6, 4 * q->est.stderr_);
        CHECK_NEAR(r.factors[0].summary.sd, 0.1224744871391589, 0.03 * 0.1224744871391589);
        CHECK_NEAR(r.obs.log_evidence, -7.314219887423386, 0.01);
        CHECK(r.observations[0].kind == TY_OBS_LOGLIK && r.observations[0].of == NULL);
        ty_run_result_clear(&r);
    }
    ty_scenario_free(s);
}

/* A condition in 1 of 1000; a test that finds it 99% of the time and
 * raises a false alarm 5% of the time came back positive: P(condition |
 * positive) = 0.00099 / 0.05094 = 0.0194346, the evidence P(positive) =
 * 0.05094. The test's result as a fractional `when` (its probability in
 * each world) and as a loglik give the same. */
static void test_rare_condition(void)
{
    static const char *RARE[2] = {
        "tyche: 1\nname: rare\nfactors:\n  sick: {dist: bernoulli(0.001)}\n"
        "outcomes:\n  model: rules\n  ill: {when: sick == 1}\n  well: {otherwise: true}\n"
        "observations:\n  positive: {when: \"sick == 1 ? 0.99 : 0.05\"}\n",
        "tyche: 1\nname: rare\nfactors:\n  sick: {dist: bernoulli(0.001)}\n"
        "outcomes:\n  model: rules\n  ill: {when: sick == 1}\n  well: {otherwise: true}\n"
        "observations:\n  positive: {loglik: \"log(sick == 1 ? 0.99 : 0.05)\"}\n"};
    for (int v = 0; v < 2; v++) {
        ty_scenario *s = tu_load(RARE[v]);
        if (!s) continue;
        ty_run_options o = opts(400000, 5, 2);
        ty_run_result r = {0};
        CHECK(tu_run(s, &o, &r) == TY_OK);
        if (r.nobservations == 1) {
            CHECK_P(r, 0, 0.019434628975265017);
            CHECK_NEAR(r.obs.log_evidence, -2.977106809430826, 0.01);
            CHECK(r.obs.acceptance == 1.0);   /* a when that holds with some probability in every world */
            /* A soft fact's mean value: the prior probability of seeing it. */
            if (v == 0) CHECK_NEAR(r.observations[0].held, 0.05094, 4 * sqrt(0.05 * 0.95 / 4e5));
        }
        ty_run_result_clear(&r);
        ty_scenario_free(s);
    }
    /* Read exactly: a discrete factor read without error keeps the worlds
     * where it equals the reading. */
    ty_scenario *s = tu_load("tyche: 1\nname: exact\nfactors:\n  sick: {dist: bernoulli(0.3)}\n"
                             "  x: {dist: \"normal(0, 1)\"}\n"
                             "outcomes:\n  model: rules\n  ill: {when: sick == 1}\n  well: {otherwise: true}\n"
                             "observations:\n  seen: {of: sick, value: 1}\n");
    if (s) {
        ty_run_options o = opts(20000, 5, 2);
        ty_run_result r = {0};
        CHECK(tu_run(s, &o, &r) == TY_OK);
        CHECK(r.outcomes[0].probability == 1.0 && r.outcomes[1].probability == 0.0);
        CHECK_NEAR(r.obs.ess_fraction, 0.3, 4 * sqrt(0.21 / 20000));
        CHECK_NEAR(r.obs.log_evidence, log(0.3), 4 * sqrt(0.7 / 0.3 / 20000));
        ty_run_result_clear(&r);
        ty_scenario_free(s);
    }
}

/* x ~ N(0, 1) known to exceed 1: P(x > 2 | x > 1) = 0.1433935, the
 * acceptance P(x > 1) = 0.1586553. */
static const char *TRUNC =
    "tyche: 1\nname: tn\nfactors:\n  x: {dist: \"normal(0, 1)\"}\n  y: {dist: \"uniform(0, 1)\"}\n"
    "outcomes:\n  model: rules\n  far: {when: x > 2}\n  near: {otherwise: true}\n"
    "observations:\n  above: {when: x > 1}\n";

static void test_truncated_normal(void)
{
    ty_scenario *s = tu_load(TRUNC);
    if (!s) return;
    for (int lhs = 0; lhs < 2; lhs++) {
        ty_run_options o = opts(300000, 9, 2);
        o.has_sampling = 1;
        o.sampling = lhs ? TY_SAMPLING_LHS : TY_SAMPLING_RANDOM;
        ty_run_result r = {0};
        CHECK(tu_run(s, &o, &r) == TY_OK);
        if (r.nobservations == 1) {
            CHECK_P(r, 0, 0.14339349869880652);
            double acc = 0.15865525393145707;
            CHECK_NEAR(r.obs.acceptance, acc, 4 * sqrt(acc * (1 - acc) / 300000));
            CHECK_NEAR(r.observations[0].held, acc, 4 * sqrt(acc * (1 - acc) / 300000));
            CHECK_NEAR(r.obs.log_evidence, log(acc), 4 * sqrt((1 - acc) / acc / 300000));
            /* Equal weights: the ESS is the count accepted. */
            CHECK_NEAR(r.obs.ess, r.obs.acceptance * 300000, 1e-6 * 300000);
            /* The posterior's least value is 1; y is untouched. */
            CHECK(r.factors[0].summary.p05 >= 1.0 && r.factors[0].summary.p05 < 1.05);
            CHECK_NEAR(r.factors[1].summary.mean, 0.5, 4 * sqrt(1.0 / 12 / r.obs.ess));
        }
        ty_run_result_clear(&r);
    }
    ty_scenario_free(s);
}

/* Results do not depend on the thread count, nor on an interrupt and a
 * resume with another. */
static void test_identical(void)
{
    ty_scenario *s = tu_load(CONJUGATE);
    if (!s) return;
    ty_run_result a = {0}, b = {0};
    ty_run_options o1 = opts(100000, 21, 1), o3 = opts(100000, 21, 3);
    CHECK(tu_run(s, &o1, &a) == TY_OK);
    CHECK(tu_run(s, &o3, &b) == TY_OK);
    CHECK(memcmp(a.outcomes, b.outcomes, 2 * sizeof *a.outcomes) == 0);
    CHECK(memcmp(&a.obs, &b.obs, sizeof a.obs) == 0);
    CHECK(memcmp(&a.factors[0].summary, &b.factors[0].summary, sizeof a.factors[0].summary) == 0);
    CHECK(memcmp(a.factors[0].hist.counts, b.factors[0].hist.counts, a.factors[0].hist.nbins * sizeof(uint64_t)) == 0);
    CHECK(memcmp(a.spread, b.spread, 2 * TY_SPREAD_NLEVELS * sizeof *a.spread) == 0);
    ty_run_result_clear(&a);
    ty_run_result_clear(&b);

    ty_run_result full = {0}, part = {0}, rest = {0};
    ty_run_options o = opts(200000, 4, 2);
    tu_run_stop_resume(s, &o, 3, &full, &part, &rest);
    CHECK(memcmp(full.outcomes, rest.outcomes, 2 * sizeof *full.outcomes) == 0);
    CHECK(memcmp(&full.obs, &rest.obs, sizeof full.obs) == 0);
    CHECK(full.outcomes_prior && rest.outcomes_prior &&
          memcmp(full.outcomes_prior, rest.outcomes_prior, 2 * sizeof *full.outcomes_prior) == 0);
    CHECK(memcmp(&full.factors[0].summary, &rest.factors[0].summary, sizeof full.factors[0].summary) == 0);
    ty_run_result_clear(&full);
    ty_run_result_clear(&part);
    ty_run_result_clear(&rest);
    ty_scenario_free(s);
}

/* Observations that leave almost nothing: the warnings fire. A precise
 * reading six standard deviations out (ESS of a handful), and weights
 * u^-1.2 (a Pareto tail of index 1/1.2: k-hat about 1.2). */
static void test_warnings(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: w\nfactors:\n  x: {dist: \"normal(0, 1)\"}\n"
                             "outcomes:\n  model: rules\n  hi: {when: x > 5}\n  lo: {otherwise: true}\n"
                             "observations:\n  far: {of: x, value: 4.5, error: \"normal(0, 0.05)\"}\n");
    if (s) {
        ty_run_options o = opts(20000, 2, 2);
        ty_run_result r = {0};
        CHECK(tu_run(s, &o, &r) == TY_OK);
        CHECK_MSG(r.obs.ess < 100, "ess %g", r.obs.ess);
        CHECK(ty_observation_warnings(&r.obs) & TY_OBS_WARN_ESS);
        char buf[512];
        ty_observation_warning_text(&r.obs, r.samples, TY_OBS_WARN_ESS, buf, sizeof buf);
        CHECK(strstr(buf, "effective sample size") != NULL);
        ty_run_result_clear(&r);
        ty_scenario_free(s);
    }
    s = tu_load("tyche: 1\nname: k\nfactors:\n  u: {dist: \"uniform(0, 1)\"}\n"
                "outcomes:\n  model: rules\n  small: {when: u < 0.01}\n  big: {otherwise: true}\n"
                "observations:\n  heavy: {loglik: \"-1.2 * log(u)\"}\n");
    if (s) {
        ty_run_options o = opts(100000, 2, 2);
        ty_run_result r = {0};
        CHECK(tu_run(s, &o, &r) == TY_OK);
        CHECK_MSG(r.obs.pareto_k > 0.9 && r.obs.pareto_k < 1.5, "k-hat %g", r.obs.pareto_k);
        CHECK(ty_observation_warnings(&r.obs) & TY_OBS_WARN_KHAT);
        ty_run_result_clear(&r);
        ty_scenario_free(s);
    }
}

/* No sample of positive weight: TY_ERR_NO_WEIGHT, naming the `when`. */
static void test_no_weight(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: none\nfactors:\n  x: {dist: \"normal(0, 1)\"}\n"
                             "outcomes:\n  model: rules\n  hi: {when: x > 0}\n  lo: {otherwise: true}\n"
                             "observations:\n  impossible: {when: x > 50}\n");
    if (!s) return;
    ty_run_options o = opts(5000, 1, 2);
    ty_run_result r = {0};
    ty_diag *d = ty_diag_new(20);
    CHECK(ty_run_scenario(s, "baseline", &o, &r, d) == TY_ERR_NO_WEIGHT);
    int named = 0, line = 0;
    for (size_t i = 0; i < ty_diag_count(d); i++) {
        named |= strstr(ty_diag_get(d, i)->message, "'impossible'") != NULL;
        if (strstr(ty_diag_get(d, i)->message, "no sample has positive weight")) line = 1;
    }
    CHECK(named && line);
    ty_diag_free(d);
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

/* A reading sixteen standard deviations out, which the pilot's 8192
 * samples cannot approach (the run's largest x, near 4.3, is some 25
 * log-units more likely than the pilot's best): the run starts again with
 * the greater shift (measured: once), and its result is still the same for
 * any thread count. */
static void test_restart(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: far\nfactors:\n  x: {dist: \"normal(0, 1)\"}\n"
                             "outcomes:\n  model: rules\n  hi: {when: x > 4}\n  lo: {otherwise: true}\n"
                             "observations:\n  far: {of: x, value: 16, error: \"normal(0, 0.5)\"}\n");
    if (!s) return;
    ty_run_result a = {0}, b = {0};
    ty_run_options o1 = opts(100000, 8, 1), o2 = opts(100000, 8, 2);
    CHECK(tu_run(s, &o1, &a) == TY_OK);
    CHECK(tu_run(s, &o2, &b) == TY_OK);
    CHECK(a.outcomes[0].probability > 0.5 && isfinite(a.obs.log_evidence) && a.obs.log_evidence < -200);
    CHECK(memcmp(a.outcomes, b.outcomes, 2 * sizeof *a.outcomes) == 0);
    CHECK(memcmp(&a.obs, &b.obs, sizeof a.obs) == 0);
    CHECK(ty_observation_warnings(&a.obs) & TY_OBS_WARN_ESS);
    ty_run_result_clear(&a);
    ty_run_result_clear(&b);
    ty_scenario_free(s);
}

/* --target-halfwidth measures the weighted interval: the run stops at a
 * checkpoint where every weighted interval is that narrow. */
static void test_target(void)
{
    ty_scenario *s = tu_load(CONJUGATE);
    if (!s) return;
    ty_run_options o = opts(1 << 22, 17, 2);
    o.target_halfwidth = 0.002;
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    CHECK(r.stopped_early && r.samples < (1u << 22) && r.target_reached);
    for (size_t k = 0; k < 2; k++)
        CHECK((r.outcomes[k].ci_high - r.outcomes[k].ci_low) / 2 <= 0.002);
    CHECK(r.convergence.npoints > 2);
    CHECK_P(r, 0, 0.06545832982839017);
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

/* --observe sets a reading's value; --prior drops the observations; paired
 * differences between a weighted run and its prior. */
static void test_observe_prior_difference(void)
{
    ty_scenario *s = tu_load(CONJUGATE), *p = tu_load(CONJUGATE);
    if (!s || !p) { ty_scenario_free(s); ty_scenario_free(p); return; }
    ty_diag *d = ty_diag_new(10);
    CHECK(ty_scenario_set_observation(s, "count", 60000, d) == TY_OK);
    CHECK(ty_scenario_set_observation(s, "cuont", 1, d) == TY_ERR_INVALID);
    CHECK(ty_scenario_set_observation(s, "count", NAN, d) == TY_ERR_INVALID);
    CHECK(ty_scenario_observation(s, 0)->value == 60000);
    ty_diag_free(d);
    ty_scenario_drop_observations(p);
    CHECK(ty_scenario_nobservations(p) == 0);
    ty_run_options o = opts(100000, 13, 2);
    ty_run_result r = {0}, q = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    CHECK(tu_run(p, &o, &q) == TY_OK);
    CHECK(q.nobservations == 0 && q.observations == NULL && q.outcomes_prior == NULL && q.factors_prior == NULL);
    /* The prior's run equals the weighted run's prior column: one pass gives both. */
    CHECK_NEAR(q.outcomes[0].probability, r.outcomes_prior[0].probability, 1e-12);
    /* Reading 60000: posterior mean (40000/64e6 + 60000/25e6) / (1/64e6 + 1/25e6) = 54382.0. */
    CHECK_NEAR(r.factors[0].summary.mean, 54382.02247191011, 4 * 4239.99 / sqrt(r.obs.ess));
    CHECK(ty_run_difference(&r, &q) == TY_OK);
    if (r.difference) {
        double diff = r.outcomes[0].probability - q.outcomes[0].probability;
        CHECK(r.difference[0].diff == diff);
        CHECK(r.difference[0].stderr_ > 0 && r.difference[0].stderr_ < r.difference[0].unpaired_stderr * 1.5);
        CHECK(r.difference[0].ci_low < diff && diff < r.difference[0].ci_high);
    }
    ty_run_result_clear(&r);
    ty_run_result_clear(&q);
    ty_scenario_free(s);
    ty_scenario_free(p);
}

/* Each load-time error, at its position. */
static void test_load_errors(void)
{
    static const struct { const char *obs, *msg; } cases[] = {
        {"  a: {of: xx, value: 1, error: \"normal(0, 1)\"}\n", "not a factor or derived value"},
        {"  a: {of: x, value: 1}\n", "without an 'error'"},
        {"  a: {of: talks, value: 2}\n", "can never take"},
        {"  a: {of: x, value: 1, error: \"uniform(0, 1)\"}\n", "must be normal"},
        {"  a: {of: x, value: 1, error: \"lognormal(0, 1)\"}\n", "can be negative"},
        {"  a: {of: talks, value: 1, error: \"lognormal(0, 0.1)\"}\n", "can be 0"},
        {"  a: {when: talks == 1, loglik: \"0\"}\n", "exactly one of"},
        {"  a: {of: hi, value: 1, error: \"normal(0, 1)\"}\n", "not a factor"},
        {"  a: {loglik: \"zz\"}\n", "zz"},
        {"  x: {when: \"1\"}\n", "already used"},
        {"  a: {of: x, error: \"normal(0, 1)\"}\n", "no 'value'"},
        {"  a: {of: x, value: 1, error: \"normal(0, -1)\"}\n", "sd"},
        {"  a: {of: x, value: 1, error: \"truncate(normal(0, 1), -1, 1)\"}\n", "truncated"},
        {"  a: {of: pos, value: -3, error: \"lognormal(0, 1)\"}\n", "must be positive"},
        {"  a: {of: x, value: 1, error: \"normal(0, 1)\", colour: red}\n", "unknown key"},
        {"  a: 3\n", "must be a mapping"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024];
        snprintf(text, sizeof text, "tyche: 1\nname: e\nfactors:\n  x: {dist: \"normal(0, 1)\"}\n"
                 "  talks: {dist: bernoulli(0.8)}\n  pos: {dist: \"lognormal(0, 1)\"}\n"
                 "outcomes:\n  model: rules\n  hi: {when: x > 1}\n  lo: {otherwise: true}\n"
                 "observations:\n%s", cases[i].obs);
        ty_diag *d = ty_diag_new(20);
        ty_scenario *s = NULL;
        CHECK_MSG(ty_scenario_parse("e.yaml", text, strlen(text), &s, d) == TY_ERR_INVALID, "case %zu loads", i);
        int found = 0, positioned = 1;
        for (size_t j = 0; j < ty_diag_count(d); j++) {
            const ty_diag_entry *e = ty_diag_get(d, j);
            found |= strstr(e->message, cases[i].msg) != NULL;
            if (e->severity == TY_SEV_ERROR && e->line < 12) positioned = 0;
        }
        CHECK_MSG(found && positioned, "case %zu: no '%s' at the observation's line", i, cases[i].msg);
        ty_scenario_free(s);
        ty_diag_free(d);
    }
}

TEST_MAIN(test_conjugate_normal, test_beta_binomial, test_rare_condition, test_truncated_normal, test_identical,
          test_warnings, test_no_weight, test_restart, test_target, test_observe_prior_difference, test_load_errors)
