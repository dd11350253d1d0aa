/* test_time.c - time scenarios (docs/format.md, 'Time') against closed
 * forms: one constant hazard h gives 1 - (1 - h)^t by step t; two constant
 * competing hazards give the tie rule's probabilities (the first listed
 * wins a step where both fire); a deterministic state whose hazard switches
 * on at a known step; a hazard drawn from a factor (the mean of
 * 1 - (1 - p)^T over p); a random-walk state's mean and percentiles
 * (x_t ~ N(0, t)); results identical for any thread count and across an
 * interrupt and resume; faults and load-time errors with positions.
 *
 * Statistical checks use fixed seeds. Each "within 4 standard errors" check
 * would fail by chance with probability 6.3e-5 for a random seed; about 40
 * such checks: under 3e-3 overall. The seeds are fixed, so the outcome of
 * each run never changes. */
#include "harness.h"
#include "scenario_util.h"

static ty_run_options opts(uint64_t n, uint64_t seed, int threads)
{
    return (ty_run_options){.samples = n, .has_seed = 1, .seed = seed, .threads = threads};
}

/* Cumulative probability of outcome k at reported row r, within 4 of its
 * standard errors (the interval's half-width / 1.96) of truth. */
static void check_cum(const ty_run_result *r, size_t row, size_t k, double truth)
{
    const ty_time_result *t = r->time;
    size_t K = r->noutcomes;
    double p = t->cumulative[row * K + k], se = (t->ci_high[row * K + k] - t->ci_low[row * K + k]) / (2 * 1.96);
    CHECK_MSG(fabs(p - truth) <= 4 * se + 1e-12, "step %llu outcome %zu: %.6f (se %.2g), truth %.6f",
              (unsigned long long)t->step[row], k, p, se, truth);
    CHECK_MSG(t->ci_low[row * K + k] <= p && p <= t->ci_high[row * K + k], "interval around its estimate");
}

static const char *ONE_HAZARD =
    "tyche: 1\nname: one\ntime: {steps: 20, unit: week}\nfactors:\n  a: {dist: \"uniform(0, 1)\"}\n"
    "outcomes:\n  model: events\n  event: {hazard: 0.05}\n  none: {otherwise: true}\n";

static void test_constant_hazard(void)
{
    ty_scenario *s = tu_load(ONE_HAZARD);
    if (!s) return;
    ty_run_options o = opts(200000, 11, 2);
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    CHECK(r.time != NULL);
    if (r.time) {
        CHECK(r.time->steps == 20 && r.time->nreport == 20 && strcmp(r.time->unit, "week") == 0);
        for (size_t row = 0; row < 20; row += 4) {
            CHECK(r.time->step[row] == row + 1);
            double truth = 1 - pow(0.95, (double)(row + 1));
            check_cum(&r, row, 0, truth);
            check_cum(&r, row, 1, 1 - truth);
            /* Each row sums to 1: the events so far and the paths still running. */
            CHECK_NEAR(r.time->cumulative[row * 2] + r.time->cumulative[row * 2 + 1], 1.0, 1e-12);
        }
        /* The last step is the outcome table. */
        CHECK_NEAR(r.time->cumulative[19 * 2], r.outcomes[0].probability, 1e-12);
        CHECK_NEAR(r.outcomes[0].probability, 1 - pow(0.95, 20), 4 * r.outcomes[0].stderr_);
    }
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

/* Both fire in a step with probability h1 h2; the first listed wins. Per
 * step: first h1, second (1 - h1) h2, none q = (1 - h1)(1 - h2); by step t
 * first h1 (1 - q^t) / (1 - q). Listed the other way round the shares
 * change: the tie rule, not only the hazards, decides. */
static void test_competing_hazards(void)
{
    const double h1 = 0.3, h2 = 0.5, q = (1 - h1) * (1 - h2);
    for (int order = 0; order < 2; order++) {
        char text[512];
        snprintf(text, sizeof text, "tyche: 1\nname: two\ntime: {steps: 6}\nfactors:\n  a: {dist: \"uniform(0, 1)\"}\n"
                 "outcomes:\n  model: events\n  %s: {hazard: %g}\n  %s: {hazard: %g}\n  none: {otherwise: true}\n",
                 order ? "second" : "first", order ? h2 : h1, order ? "first" : "second", order ? h1 : h2);
        ty_scenario *s = tu_load(text);
        if (!s) return;
        ty_run_options o = opts(300000, 5 + (uint64_t)order, 3);
        ty_run_result r = {0};
        CHECK(tu_run(s, &o, &r) == TY_OK);
        if (r.time) {
            double a = order ? h2 : h1, b = order ? (1 - h2) * h1 : (1 - h1) * h2;
            for (size_t row = 0; row < 6; row++) {
                double sum = (1 - pow(q, (double)(row + 1))) / (1 - q);
                check_cum(&r, row, 0, a * sum);
                check_cum(&r, row, 1, b * sum);
                check_cum(&r, row, 2, pow(q, (double)(row + 1)));
            }
            CHECK(r.time->unit == NULL || r.time->unit[0] == '\0');
        }
        ty_run_result_clear(&r);
        ty_scenario_free(s);
    }
}

/* A counter state c = step; the hazard is 0 until c reaches 3, then 0.5:
 * P(by t) = 0 for t < 3, 1 - 0.5^(t - 2) after. A second run whose hazard
 * is 1 from step 5 ends every path at step 5 exactly: its states are
 * known exactly by step (mean, percentiles, the running mean NaN after). */
static void test_switching_hazard(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: sw\ntime: {steps: 10}\nfactors:\n  a: {dist: \"uniform(0, 1)\"}\n"
                             "state:\n  c: {init: 0, next: c + 1}\n"
                             "outcomes:\n  model: events\n  on: {hazard: \"c >= 3 ? 0.5 : 0\"}\n  none: {otherwise: true}\n");
    if (!s) return;
    ty_run_options o = opts(100000, 3, 2);
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    if (r.time) {
        for (size_t row = 0; row < 10; row++) {
            double t = (double)(row + 1);
            if (t < 3) CHECK(r.time->cumulative[row * 2] == 0.0);
            else check_cum(&r, row, 0, 1 - pow(0.5, t - 2));
        }
    }
    ty_run_result_clear(&r);
    ty_scenario_free(s);

    s = tu_load("tyche: 1\nname: sw\ntime: {steps: 8}\nfactors:\n  a: {dist: \"uniform(0, 1)\"}\n"
                "state:\n  c:\n    init: 10 * a\n    next: c + 1\n    label: Counter\n"
                "outcomes:\n  model: events\n  on: {hazard: \"step >= 5\"}\n  none: {otherwise: true}\n");
    if (!s) return;
    r = (ty_run_result){0};
    o = opts(5000, 1, 2);
    CHECK(tu_run(s, &o, &r) == TY_OK);
    if (r.time && r.time->nstates == 1) {
        const ty_time_state *c = &r.time->states[0];
        CHECK(strcmp(c->name, "c") == 0 && c->label && strcmp(c->label, "Counter") == 0);
        CHECK(r.time->percentile_samples == 5000);
        for (size_t row = 0; row < 8; row++) {
            double t = (double)(row + 1), held = t < 5 ? t : 5;   /* ended paths keep step 5's */
            CHECK(r.time->cumulative[row * 2] == (t >= 5 ? 1.0 : 0.0));
            CHECK(r.time->ci_low[row * 2] <= r.time->cumulative[row * 2]);
            /* c = 10 a + t: mean 5 + t, percentiles 10 q + t within the sample's error. */
            CHECK_NEAR(c->mean[row], 5 + held, 4 * sqrt(100.0 / 12 / 5000));
            CHECK_NEAR(c->p50[row], 5 + held, 0.3);
            CHECK_NEAR(c->p05[row], 0.5 + held, 0.15);
            CHECK_NEAR(c->p95[row], 9.5 + held, 0.15);
            if (t <= 5) {
                /* Every path runs until step 5: the running paths are all. */
                CHECK_NEAR(c->mean_running[row], c->mean[row], 1e-9);
                CHECK(c->p05_running[row] == c->p05[row] && c->p95_running[row] == c->p95[row]);
            } else {
                CHECK(isnan(c->mean_running[row]) && isnan(c->p50_running[row]));
            }
        }
        CHECK(r.outcomes[0].probability == 1.0);
    }
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

/* The running paths' percentiles: c = 10 a + t, a ~ uniform(0, 1); the
 * paths with a < 0.5 end at step 3, so from step 4 on the running ones
 * have c = 10 U(0.5, 1) + t: 5th, 50th, 95th percentiles 5.25, 7.5, 9.75
 * (+ t), where all paths' (the ended holding step 3's) mix both halves. */
static void test_running_percentiles(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: rp\ntime: {steps: 8}\nfactors:\n  a: {dist: \"uniform(0, 1)\"}\n"
                             "state:\n  c: {init: 10 * a, next: c + 1}\n"
                             "outcomes:\n  model: events\n  out: {hazard: \"a < 0.5 and step >= 3\"}\n"
                             "  none: {otherwise: true}\n");
    if (!s) return;
    ty_run_options o = opts(20000, 4, 2);
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    if (r.time && r.time->nstates == 1) {
        const ty_time_state *c = &r.time->states[0];
        for (size_t row = 3; row < 8; row++) {
            double t = (double)(row + 1);
            CHECK_NEAR(c->p05_running[row], 5.25 + t, 0.16);   /* se 0.038 */
            CHECK_NEAR(c->p50_running[row], 7.5 + t, 0.12);    /* se 0.028 */
            CHECK_NEAR(c->p95_running[row], 9.75 + t, 0.16);
            CHECK_NEAR(c->mean_running[row], 7.5 + t, 0.06);   /* se 0.014 */
            /* All paths: the ended half holds 10 a + 3, a < 0.5. */
            CHECK_NEAR(c->p05[row], 0.5 + 3, 0.15);
        }
        CHECK_NEAR(r.outcomes[0].probability, 0.5, 4 * r.outcomes[0].stderr_);
    }
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

/* A hazard drawn per path, p ~ uniform(0, 0.2): P(by T) = 1 - E[(1-p)^T] =
 * 1 - (1 - 0.8^(T+1)) / (0.2 (T + 1)). Under Latin hypercube sampling too. */
static void test_factor_hazard(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: fh\ntime: {steps: 12}\nfactors:\n  p: {dist: \"uniform(0, 0.2)\"}\n"
                             "outcomes:\n  model: events\n  event: {hazard: p}\n  none: {otherwise: true}\n");
    if (!s) return;
    for (int lhs = 0; lhs < 2; lhs++) {
        ty_run_options o = opts(200000, 21, 2);
        o.sampling = lhs ? TY_SAMPLING_LHS : TY_SAMPLING_RANDOM;
        o.has_sampling = 1;
        ty_run_result r = {0};
        CHECK(tu_run(s, &o, &r) == TY_OK);
        if (r.time)
            for (size_t row = 0; row < 12; row += 3) {
                double T = (double)(row + 1);
                check_cum(&r, row, 0, 1 - (1 - pow(0.8, T + 1)) / (0.2 * (T + 1)));
            }
        CHECK_NEAR(r.outcomes[0].probability, 1 - (1 - pow(0.8, 13)) / (0.2 * 13), 4 * r.outcomes[0].stderr_);
        ty_run_result_clear(&r);
    }
    ty_scenario_free(s);
}

/* x_0 = 0, x_t = x_{t-1} + shock, shock ~ N(0, 1), no event: x_t ~ N(0, t).
 * The percentiles from 16384 paths: the 5th/95th's se is about
 * 0.0166 sqrt(t), the median's 0.0098 sqrt(t). */
static void test_random_walk(void)
{
    ty_scenario *s = tu_load("tyche: 1\nname: rw\ntime: {steps: 16, unit: day}\nfactors:\n  a: {dist: \"uniform(0, 1)\"}\n"
                             "shocks:\n  eps: \"normal(0, 1)\"\nstate:\n  x: {init: 0, next: x + eps, unit: km}\n"
                             "outcomes:\n  model: events\n  never: {hazard: 0}\n  none: {otherwise: true}\n");
    if (!s) return;
    ty_run_options o = opts(100000, 8, 2);
    ty_run_result r = {0};
    CHECK(tu_run(s, &o, &r) == TY_OK);
    if (r.time && r.time->nstates == 1) {
        const ty_time_state *x = &r.time->states[0];
        CHECK(x->unit && strcmp(x->unit, "km") == 0);
        CHECK(r.time->percentile_samples == 16384);
        for (size_t row = 0; row < 16; row += 5) {
            double sd = sqrt((double)(row + 1));
            CHECK_NEAR(x->mean[row], 0, 4 * sd / sqrt(100000.0));
            CHECK_NEAR(x->p50[row], 0, 4 * 0.0098 * sd);
            CHECK_NEAR(x->p05[row], -1.6448536269514722 * sd, 4 * 0.0166 * sd);
            CHECK_NEAR(x->p95[row], 1.6448536269514722 * sd, 4 * 0.0166 * sd);
            CHECK(x->mean_running[row] == x->mean[row]);
            CHECK(x->p50_running[row] == x->p50[row] && x->p95_running[row] == x->p95[row]);
        }
        CHECK(r.outcomes[0].probability == 0 && r.outcomes[1].probability == 1);
    }
    ty_run_result_clear(&r);
    ty_scenario_free(s);
}

static const char *SQUEEZE =
    "tyche: 1\nname: sq\ntime: {steps: 26, unit: week}\n"
    "factors:\n  troops: {dist: \"normal(40000, 8000)\"}\n  talks: {dist: bernoulli(0.8)}\n"
    "derived:\n  force_ratio: troops / 40000\n"
    "shocks:\n  shock: \"normal(0, 0.03)\"\n"
    "state:\n  tension:\n    init: 0.4\n    next: clamp(tension + 0.02*(force_ratio - 1) + shock, 0, 1)\n"
    "outcomes:\n  model: events\n  invasion: {hazard: 0.001 + 0.02*tension^2}\n"
    "  deal: {hazard: 0.01*talks*(1 - tension)}\n  ongoing: {otherwise: true}\n";

static int same_time(const ty_time_result *a, const ty_time_result *b, size_t K)
{
    if (!a || !b || a->nreport != b->nreport || a->nstates != b->nstates) return 0;
    size_t R = a->nreport;
    if (memcmp(a->cumulative, b->cumulative, R * K * sizeof(double)) != 0) return 0;
    if (memcmp(a->ci_low, b->ci_low, R * K * sizeof(double)) != 0) return 0;
    for (size_t j = 0; j < a->nstates; j++) {
        const double *x[] = {a->states[j].mean, a->states[j].p05, a->states[j].p50, a->states[j].p95};
        const double *y[] = {b->states[j].mean, b->states[j].p05, b->states[j].p50, b->states[j].p95};
        for (int i = 0; i < 4; i++)
            if (memcmp(x[i], y[i], R * sizeof(double)) != 0) return 0;
    }
    return 1;
}

/* Any thread count, and a run stopped and resumed, give the same numbers
 * bit for bit. */
static void test_identical(void)
{
    ty_scenario *s = tu_load(SQUEEZE);
    if (!s) return;
    ty_run_options o1 = opts(60000, 2014, 1), o3 = opts(60000, 2014, 3);
    ty_run_result a = {0}, b = {0};
    CHECK(tu_run(s, &o1, &a) == TY_OK);
    CHECK(tu_run(s, &o3, &b) == TY_OK);
    CHECK(same_time(a.time, b.time, 3));
    CHECK(memcmp(a.outcomes, b.outcomes, 3 * sizeof *a.outcomes) == 0);
    ty_run_result full = {0}, part = {0}, rest = {0};
    ty_run_options o2 = opts(60000, 2014, 2);
    tu_run_stop_resume(s, &o2, 2, &full, &part, &rest);
    CHECK(same_time(full.time, rest.time, 3));
    CHECK(same_time(full.time, a.time, 3));
    ty_run_result_clear(&a);
    ty_run_result_clear(&b);
    ty_run_result_clear(&full);
    ty_run_result_clear(&part);
    ty_run_result_clear(&rest);
    ty_scenario_free(s);
}

/* A hazard or state that is not finite stops the run with the definition
 * at its position, the step and the sample. */
static void test_faults(void)
{
    const char *cases[][2] = {
        {"state:\n  x: {init: 0, next: \"step >= 3 ? log(-1) : 0\"}\n"
         "outcomes:\n  model: events\n  ev: {hazard: 0}\n  n: {otherwise: true}\n", "next value of state 'x'"},
        {"outcomes:\n  model: events\n  ev: {hazard: \"step >= 2 ? 1/0 : 0\"}\n  n: {otherwise: true}\n",
         "hazard of outcome 'ev'"},
        {"state:\n  x: {init: log(a - 2), next: x}\n"
         "outcomes:\n  model: events\n  ev: {hazard: 0}\n  n: {otherwise: true}\n", "init of state 'x'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024];
        snprintf(text, sizeof text, "tyche: 1\nname: f\ntime: {steps: 5}\nfactors:\n  a: {dist: \"uniform(0, 1)\"}\n%s",
                 cases[i][0]);
        ty_scenario *s = tu_load(text);
        if (!s) continue;
        ty_run_options o = opts(3000, 1, 2);
        ty_run_result r = {0};
        ty_diag *d = ty_diag_new(20);
        CHECK_MSG(ty_run_scenario(s, "baseline", &o, &r, d) == TY_ERR_INVALID, "case %zu runs", i);
        int found = 0;
        for (size_t j = 0; j < ty_diag_count(d); j++) {
            const ty_diag_entry *e = ty_diag_get(d, j);
            found |= strstr(e->message, cases[i][1]) != NULL && e->line >= 6 && strstr(e->message, "sample 0");
        }
        CHECK_MSG(found, "case %zu: no '%s' for sample 0 at its line", i, cases[i][1]);
        ty_diag_free(d);
        ty_run_result_clear(&r);
        ty_scenario_free(s);
    }
}

/* Everything the load can check without running, each at its line. */
static void test_load_errors(void)
{
    static const struct { const char *body; const char *msg; int line; } cases[] = {
        {"time: {steps: 0}\n", "between 1 and 100000", 1},
        {"time: {steps: 100001}\n", "between 1 and 100000", 1},
        {"time: {steps: 5, colour: red}\n", "unknown key", 1},
        {"time: {unit: week}\n", "needs 'steps'", 1},
        {"time: {steps: 5}\nstate:\n  x: {init: 0, next: x + y}\n  y: {init: 0, next: y}\n", "a state listed after it", 3},
        {"time: {steps: 5}\nstate:\n  x: {init: y, next: x}\n  y: {init: 0, next: y}\n", "a state listed after it", 3},
        {"time: {steps: 5}\nshocks:\n  eps: \"normal(0, 1)\"\nstate:\n  x: {init: eps, next: x}\n", "exists only from", 5},
        {"time: {steps: 5}\nstate:\n  x: {init: step, next: x}\n", "exists only from", 3},
        {"time: {steps: 5}\nstate:\n  x: {next: x}\n", "has no 'init'", 3},
        {"time: {steps: 5}\nstate:\n  x: {init: 0, next: x + zz}\n", "zz", 3},
        {"time: {steps: 5}\nshocks:\n  eps: \"normal(0, -1)\"\n", "sd", 3},
        {"time: {steps: 5}\nshocks:\n  a: \"normal(0, 1)\"\n", "already used", 3},
        {"time: {steps: 5}\nshocks:\n  step: \"normal(0, 1)\"\n", "'step' is the step number", 3},
        {"shocks:\n  eps: \"normal(0, 1)\"\n", "belongs to a scenario that unfolds", 1},
        {"time: {steps: 5}\nstate:\n  x: {init: 0, next: x}\nqueries:\n  q: {mean: x}\n", "query 'q' uses 'x', a state", 5},
        {"time: {steps: 5}\nshocks:\n  eps: normal(0, 1)\nobservations:\n  o: {loglik: eps}\n",
         "observation 'o' uses 'eps', a shock", 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024];
        /* The body first: its lines are numbered from 1 after the two header lines. */
        snprintf(text, sizeof text, "tyche: 1\nname: e\n%sfactors:\n  a: {dist: \"uniform(0, 1)\"}\n"
                 "outcomes:\n  model: events\n  ev: {hazard: 0.1}\n  none: {otherwise: true}\n", cases[i].body);
        ty_diag *d = ty_diag_new(20);
        ty_scenario *s = NULL;
        CHECK_MSG(ty_scenario_parse("e.yaml", text, strlen(text), &s, d) == TY_ERR_INVALID, "case %zu loads", i);
        int found = 0;
        for (size_t j = 0; j < ty_diag_count(d); j++) {
            const ty_diag_entry *e = ty_diag_get(d, j);
            found |= strstr(e->message, cases[i].msg) != NULL && e->line == cases[i].line + 2 && e->col > 0;
        }
        CHECK_MSG(found, "case %zu: no '%s' at line %d", i, cases[i].msg, cases[i].line + 2);
        for (size_t j = 0; !found && j < ty_diag_count(d); j++)
            fprintf(stderr, "    %d:%d: %s\n", ty_diag_get(d, j)->line, ty_diag_get(d, j)->col, ty_diag_get(d, j)->message);
        ty_scenario_free(s);
        ty_diag_free(d);
    }
    /* Outcomes: the events model's own rules. */
    static const struct { const char *outcomes; const char *msg; } oc[] = {
        {"  model: events\n  ev: {hazard: 0.1}\n  other: {hazard: 0.2}\n", "last outcome of 'model: events'"},
        {"  model: events\n  ev: {label: x}\n  none: {otherwise: true}\n", "has no 'hazard'"},
        {"  model: events\n  ev: {hazard: \"\"}\n  none: {otherwise: true}\n", "empty 'hazard'"},
        {"  model: events\n  ev: {hazard: 0.1 + nope}\n  none: {otherwise: true}\n", "nope"},
        {"  model: events\n  ev: {when: a > 1}\n  none: {otherwise: true}\n", "unknown key"},
        {"  model: logit\n  ev: {score: 1}\n  none: {score: 0}\n", "has 'model: events' outcomes"},
    };
    for (size_t i = 0; i < sizeof oc / sizeof *oc; i++) {
        char text[1024];
        snprintf(text, sizeof text, "tyche: 1\nname: e\ntime: {steps: 3}\nfactors:\n  a: {dist: \"uniform(0, 1)\"}\n"
                 "outcomes:\n%s", oc[i].outcomes);
        ty_diag *d = ty_diag_new(20);
        ty_scenario *s = NULL;
        CHECK_MSG(ty_scenario_parse("e.yaml", text, strlen(text), &s, d) == TY_ERR_INVALID, "outcomes case %zu loads", i);
        int found = 0;
        for (size_t j = 0; j < ty_diag_count(d); j++)
            found |= strstr(ty_diag_get(d, j)->message, oc[i].msg) != NULL && ty_diag_get(d, j)->line >= 6;
        CHECK_MSG(found, "outcomes case %zu: no '%s' at the outcomes", i, oc[i].msg);
        ty_scenario_free(s);
        ty_diag_free(d);
    }
    /* Events without time. */
    const char *no_time = "tyche: 1\nname: e\nfactors:\n  a: {dist: \"uniform(0, 1)\"}\n"
                          "outcomes:\n  model: events\n  ev: {hazard: 0.1}\n  none: {otherwise: true}\n";
    ty_diag *d = ty_diag_new(20);
    ty_scenario *s = NULL;
    CHECK(ty_scenario_parse("e.yaml", no_time, strlen(no_time), &s, d) == TY_ERR_INVALID);
    CHECK(ty_diag_count(d) > 0 && strstr(ty_diag_get(d, 0)->message, "needs a 'time:'") && ty_diag_get(d, 0)->line == 6);
    ty_scenario_free(s);
    ty_diag_free(d);
}

TEST_MAIN(test_constant_hazard, test_competing_hazards, test_switching_hazard, test_running_percentiles,
          test_factor_hazard, test_random_walk,
          test_identical, test_faults, test_load_errors)
