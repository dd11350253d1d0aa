/* test_print.c - the command's table and JSON output (engine/cli/print.c)
 * of hand-built results: each outcome's spread across the sampled worlds,
 * the queries and a batch variant's query differences, the observations
 * (the prior beside each outcome, the effective sample size, k-hat and the
 * warnings); that results without them (files of an older tyche) print as
 * before; and that every JSON document parses. */
#include "harness.h"

#include <stdint.h>

#include "cli.h"

static char *capture(const ty_results *r, int json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    if (json) cli_print_results_json(r, f);
    else cli_print_results(r, f);
    fclose(f);
    return buf;
}

static char *names[3] = {"invasion", "squeeze", "deal"};
static ty_estimate est[3] = {
    {0.1234, 0.002, 0.1195, 0.1273}, {0.8, 0.003, 0.794, 0.806}, {0.0766, 0.001, 0.0746, 0.0786}};
static double spread[9] = {0.01, 0.12, 0.24, 0.5, 0.81, 0.97, 0.00052, 0.0612, 0.2};

static ty_query_result queries[4] = {
    {"escalation", "Invasion or showdown", TY_QUERY_PROBABILITY, "invasion + showdown", NULL,
     {0.1234, 0.002, 0.119, 0.128}, {NAN, NAN, NAN, NAN, NAN}, 1.0},
    {"ratio_if_invasion", NULL, TY_QUERY_MEAN, "force_ratio", "invasion",
     {1.23456, 0.01, 1.2012, 1.26789}, {NAN, NAN, NAN, NAN, NAN}, 0.1834},
    {"troops_range", NULL, TY_QUERY_QUANTILES, "troops", NULL,
     {NAN, NAN, NAN, NAN}, {12000, 20500, 31000.5, 40000, 123456}, 1.0},
    {"never", NULL, TY_QUERY_MEAN, "troops", "0", {NAN, NAN, NAN, NAN}, {NAN, NAN, NAN, NAN, NAN}, 0.0},
};
static ty_difference qdiff[4] = {
    {0.0123, 0.001, 0.0103, 0.0143, 0.004}, {-0.0456, 0.002, -0.0496, -0.0416, 0.005},
    {NAN, NAN, NAN, NAN, NAN}, {NAN, NAN, NAN, NAN, NAN}};
static ty_difference odiff[3] = {
    {0.01, 0.001, 0.008, 0.012, 0.003}, {-0.01, 0.001, -0.012, -0.008, 0.003}, {0, 0.001, -0.002, 0.002, 0.003}};

static ty_run_result plain_run(void)
{
    ty_run_result run = {0};
    run.variant = "baseline";
    run.seed = 1;
    run.samples = run.samples_requested = 1000;
    run.threads = 1;
    run.complete = 1;
    run.noutcomes = 3;
    run.outcome_names = names;
    run.outcomes = est;
    return run;
}

static ty_results results_of(ty_run_result *runs, size_t n)
{
    ty_results r = {0};
    r.scenario_name = "demo";
    r.complete = 1;
    r.nruns = n;
    r.runs = runs;
    return r;
}

/* Every line of text at most width columns (bytes: the text is ASCII). */
static int widest_line(const char *text)
{
    int w = 0, cur = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') cur = 0;
        else if (++cur > w) w = cur;
    }
    return w;
}

/* ---- a strict JSON checker (RFC 8259), for "the JSON parses" ---------- */

static const char *js_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static const char *js_value(const char *p, int depth);

static const char *js_string(const char *p)
{
    if (*p++ != '"') return NULL;
    for (; *p != '"'; p++) {
        if ((unsigned char)*p < 0x20) return NULL;   /* also the end of the text */
        if (*p != '\\') continue;
        p++;
        if (*p == 'u') {
            for (int i = 1; i <= 4; i++)
                if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i]) return NULL;
            p += 4;
        } else if (!*p || !strchr("\"\\/bfnrt", *p)) {
            return NULL;
        }
    }
    return p + 1;
}

static const char *js_number(const char *p)
{
    if (*p == '-') p++;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
    else return NULL;
    if (*p == '.') {
        if (!(*++p >= '0' && *p <= '9')) return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    return p;
}

static const char *js_items(const char *p, int depth, char close, int keyed)
{
    p = js_ws(p + 1);
    if (*p == close) return p + 1;
    for (;;) {
        if (keyed) {
            if (!(p = js_string(p))) return NULL;
            p = js_ws(p);
            if (*p++ != ':') return NULL;
        }
        if (!(p = js_value(p, depth + 1))) return NULL;
        p = js_ws(p);
        if (*p == close) return p + 1;
        if (*p++ != ',') return NULL;
        p = js_ws(p);
    }
}

static const char *js_value(const char *p, int depth)
{
    p = js_ws(p);
    if (depth > 64) return NULL;
    switch (*p) {
    case '{': return js_items(p, depth, '}', 1);
    case '[': return js_items(p, depth, ']', 0);
    case '"': return js_string(p);
    case 't': return strncmp(p, "true", 4) ? NULL : p + 4;
    case 'f': return strncmp(p, "false", 5) ? NULL : p + 5;
    case 'n': return strncmp(p, "null", 4) ? NULL : p + 4;
    default: return js_number(p);
    }
}

/* 1 when text is exactly one JSON value (whitespace around it allowed). */
static int json_valid(const char *text)
{
    const char *end = text ? js_value(text, 0) : NULL;
    return end && *js_ws(end) == '\0';
}

static void test_json_checker(void)
{
    CHECK(json_valid("{\"a\": [1, -0.5, 2e-3, null, true, false, \"x\\n\\u00e9\"], \"b\": {}}\n"));
    CHECK(!json_valid("{\"a\": nan}") && !json_valid("{\"a\": 1,}") && !json_valid("[1] 2"));
    CHECK(!json_valid("{\"a\" 1}") && !json_valid("[01]") && !json_valid("\"tab\there\"") && !json_valid("[1."));
}

static void test_older_results_unchanged(void)
{
    ty_run_result run = plain_run();
    ty_results r = results_of(&run, 1);
    char *table = capture(&r, 0), *json = capture(&r, 1);
    CHECK(table && json);
    if (!table || !json) return;
    CHECK(!strstr(table, "sampled worlds") && !strstr(table, "query") && !strstr(table, "interval:"));
    CHECK(!strstr(json, "spread") && !strstr(json, "queries"));
    CHECK(!strstr(table, "prior") && !strstr(table, "observations") && !strstr(table, "effective sample"));
    CHECK(!strstr(json, "prior") && !strstr(json, "observations"));
    CHECK(json_valid(json));
    /* The whole table, as tyche printed it before observations (issue 17). */
    CHECK_STR(table, "scenario demo\n\nbaseline\n  1000 samples, seed 1, random sampling, 1 thread, 0.00 s\n\n"
                     "  outcome  probability  95% interval           label\n"
                     "  invasion      12.34%  [11.95%, 12.73%]       \n"
                     "  squeeze       80.00%  [79.40%, 80.60%]       \n"
                     "  deal           7.66%  [7.46%, 7.86%]         \n");
    CHECK(strstr(table, "  invasion      12.34%  [11.95%, 12.73%]") != NULL);
    /* The same run with spread and queries prints the same outcome table first. */
    run.spread = spread;
    run.nqueries = 4;
    run.queries = queries;
    char *more = capture(&r, 0);
    CHECK(more && strncmp(table, more, strlen(table) - 1) == 0);
    free(more);
    free(table);
    free(json);
}

static void test_spread_table(void)
{
    ty_run_result run = plain_run();
    run.spread = spread;
    ty_results r = results_of(&run, 1);
    char *t = capture(&r, 0);
    CHECK(t != NULL);
    if (!t) return;
    CHECK_MSG(strstr(t, "  invasion 90% of sampled worlds: 1.0% to 24% (median 12%)\n") != NULL, "%s", t);
    CHECK(strstr(t, "  squeeze  90% of sampled worlds: 50% to 97% (median 81%)\n") != NULL);
    CHECK(strstr(t, "  deal     90% of sampled worlds: 0.052% to 20% (median 6.1%)\n") != NULL);
    CHECK(strstr(t, "95% interval: Monte Carlo error") && strstr(t, "spread: uncertainty"));
    CHECK(widest_line(t) <= 100);
    free(t);
}

static void test_queries_table(void)
{
    ty_run_result run = plain_run();
    run.nqueries = 4;
    run.queries = queries;
    ty_results r = results_of(&run, 1);
    char *t = capture(&r, 0);
    CHECK(t != NULL);
    if (!t) return;
    CHECK_MSG(strstr(t, "  escalation        probability 12.34% [11.90%, 12.80%]"
                        "          Invasion or show") != NULL, "%s", t);
    CHECK(strstr(t, "  ratio_if_invasion mean        1.235 [1.201, 1.268]"
                    "             | given invasion (P = 18%)\n") != NULL);
    CHECK(strstr(t, "  troops_range      quantiles   1.2e+04 / 2.05e+04 / 3.1e+04 / 4e+04 / 1.235e+05\n"));
    CHECK(strstr(t, "  never             mean        n/a [n/a, n/a]                   | given 0 (P = 0%)\n"));
    CHECK(strstr(t, "(quantiles: 5th / 25th / 50th / 75th / 95th percentiles)"));
    CHECK(!strstr(t, "query vs baseline"));
    CHECK(widest_line(t) <= 100);
    free(t);
}

/* A batch of two runs with spread and queries, the second a variant with
 * outcome and query differences; runs[] holds them. */
static ty_results batch_with_queries(ty_run_result runs[2])
{
    for (int i = 0; i < 2; i++) {
        runs[i] = plain_run();
        runs[i].spread = spread;
        runs[i].nqueries = 4;
        runs[i].queries = queries;
    }
    runs[1].variant = "troops_double";
    runs[1].difference = odiff;
    runs[1].query_difference = qdiff;
    return results_of(runs, 2);
}

static void test_query_differences(void)
{
    ty_run_result runs[2];
    ty_results r = batch_with_queries(runs);
    char *t = capture(&r, 0);
    CHECK(t != NULL);
    if (!t) return;
    const char *v = strstr(t, "\ntroops_double");
    CHECK(v && strstr(t, "query vs baseline") > v);
    CHECK_MSG(strstr(t, "  escalation             +1.23%  [+1.03%, +1.43%]         4.0x\n") != NULL, "%s", t);
    CHECK(strstr(t, "  ratio_if_invasion     -0.0456  [-0.0496, -0.0416]       2.5x\n"));
    CHECK(strstr(t, "  never                     n/a  [n/a, n/a]               n/a\n"));
    const char *d = strstr(t, "query vs baseline");
    CHECK(d && !strstr(d, "troops_range"));   /* quantile queries have no difference */
    CHECK(widest_line(t) <= 100);
    free(t);
}

static void test_json(void)
{
    ty_run_result runs[2];
    ty_results r = batch_with_queries(runs);
    char *j = capture(&r, 1);
    CHECK(j != NULL);
    if (!j) return;
    CHECK_MSG(strstr(j, "\"name\": \"invasion\", \"label\": null, \"probability\": 0.1234, \"stderr\": 0.002, "
                        "\"ci_low\": 0.1195, \"ci_high\": 0.1273, \"spread\": [0.01, 0.12, 0.23999999999999999]")
              != NULL, "%s", j);
    CHECK(strstr(j, "\"queries\": [\n        {\"name\": \"escalation\", \"label\": \"Invasion or showdown\", "
                    "\"kind\": \"probability\", \"expr\": \"invasion + showdown\", \"given\": null, "
                    "\"value\": 0.1234, \"stderr\": 0.002, \"ci_low\": 0.11899999999999999, "
                    "\"ci_high\": 0.128, \"quantiles\": null, \"given_share\": 1}"));
    CHECK(strstr(j, "\"kind\": \"quantiles\", \"expr\": \"troops\", \"given\": null, \"value\": null, "
                    "\"stderr\": null, \"ci_low\": null, \"ci_high\": null, "
                    "\"quantiles\": [12000, 20500, 31000.5, 40000, 123456], \"given_share\": 1, "
                    "\"difference\": {\"diff\": null, \"stderr\": null"));
    CHECK(strstr(j, "\"given\": \"invasion\"") && strstr(j, "\"given_share\": 0.1834"));
    CHECK(strstr(j, "\"difference\": {\"diff\": 0.0123, \"stderr\": 0.001, "));
    CHECK_MSG(json_valid(j), "%s", j);
    CHECK(!strstr(j, "observations") && !strstr(j, "prior"));
    free(j);
}

/* ---- observations (issue 17) ------------------------------------------ */

static ty_observation_result observations[3] = {
    {"satellite_count", "Satellite count, 1 April", TY_OBS_READING, "troops", "normal(0, 5000)", 45000, NAN},
    {"talks_held", NULL, TY_OBS_WHEN, NULL, "talks == 1", NAN, 0.75},
    {"deadline_missed", NULL, TY_OBS_LOGLIK, NULL, "log(0.2 + 0.6*squeeze_value)", NAN, NAN},
};
static ty_estimate prior_est[3] = {
    {0.25, 0.0078125, 0.234375, 0.265625}, {0.625, 0.01, 0.6, 0.65}, {0.125, 0.005, 0.115, 0.135}};
static ty_series_stats factor = {"troops", "soldiers", NULL, NULL, {41000, 4000, 35000, 41000, 48000}, {0}};
static ty_series_stats factor_prior = {"troops", "soldiers", NULL, NULL, {30000, 9000, 15000, 30000, 45000}, {0}};

/* A run of 1,000,000 samples given the three observations above, its
 * diagnostics healthy (no warning). */
static ty_run_result observed_run(void)
{
    ty_run_result run = plain_run();
    run.samples = run.samples_requested = 1000000;
    run.nobservations = 3;
    run.observations = observations;
    run.obs = (ty_observation_stats){500000, 0.5, 0.75, -1.25, 0.25};
    run.outcomes_prior = prior_est;
    run.nfactors = 1;
    run.factors = &factor;
    run.factors_prior = &factor_prior;
    return run;
}

/* The text of warning `bit` as the lines after "  warning: " hold it,
 * joined again: what ty_observation_warning_text says, wrapped. */
static int warning_printed(const char *table, const ty_run_result *run, unsigned bit)
{
    char want[1024], got[1024];
    ty_observation_warning_text(&run->obs, run->samples, bit, want, sizeof want);
    for (const char *p = strstr(table, "  warning: "); p; p = strstr(p + 1, "  warning: ")) {
        size_t n = 0;
        const char *q = p + strlen("  warning: ");
        for (;;) {
            const char *nl = strchr(q, '\n');
            size_t len = nl ? (size_t)(nl - q) : strlen(q);
            if (n + len + 2 > sizeof got) return 0;
            if (n) got[n++] = ' ';
            memcpy(got + n, q, len);
            n += len;
            if (!nl || strncmp(nl + 1, "           ", 11) != 0 || nl[12] == ' ') break;
            q = nl + 12;
        }
        got[n] = '\0';
        if (strcmp(got, want) == 0) return 1;
    }
    return 0;
}

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

static void test_observations_table(void)
{
    ty_run_result run = observed_run();
    ty_results r = results_of(&run, 1);
    char *t = capture(&r, 0);
    CHECK(t != NULL);
    if (!t) return;
    CHECK_MSG(strstr(t, "  outcome  probability  95% interval              prior  label\n"
                        "  invasion      12.34%  [11.95%, 12.73%]         25.00%  \n"
                        "  squeeze       80.00%  [79.40%, 80.60%]         62.50%  \n"
                        "  deal           7.66%  [7.46%, 7.86%]           12.50%  \n") != NULL, "%s", t);
    CHECK(strstr(t, "\n  observations (3): every estimate of this run is given them; prior: without them\n"
                    "    satellite_count reading of troops = 45000, error normal(0, 5000)  Satellite count, 1 April\n"
                    "    talks_held      when talks == 1 (prior probability 75%)\n"
                    "    deadline_missed loglik log(0.2 + 0.6*squeeze_value)\n"
                    "  effective sample size 500,000 of 1,000,000 (50%); Pareto k-hat 0.25\n"
                    "  acceptance 75% (samples where every when held); log evidence -1.25\n"));
    CHECK(!strstr(t, "warning"));
    CHECK(widest_line(t) <= 100);
    /* After the queries, before a variant's differences. */
    run.spread = spread;
    run.nqueries = 4;
    run.queries = queries;
    run.difference = odiff;
    char *t2 = capture(&r, 0);
    CHECK(t2 != NULL);
    if (t2) {
        const char *q = strstr(t2, "(quantiles:"), *o = strstr(t2, "  observations ("), *d = strstr(t2, "vs baseline");
        CHECK(q && o && d && q < o && o < d);
    }
    free(t2);
    free(t);
}

/* An exact reading (no error distribution), a `when` whose share is not
 * known, no labels. */
static void test_observations_exact(void)
{
    ty_observation_result obs[2] = {
        {"count", NULL, TY_OBS_READING, "troops", "", 45000.5, NAN},
        {"held", NULL, TY_OBS_WHEN, NULL, "talks == 1", NAN, NAN}};
    ty_run_result run = observed_run();
    run.nobservations = 2;
    run.observations = obs;
    ty_results r = results_of(&run, 1);
    char *t = capture(&r, 0);
    CHECK(t != NULL);
    if (!t) return;
    CHECK_MSG(strstr(t, "  observations (2): ") && strstr(t, "\n    count       reading of troops = 45000.5, exact\n"
                                                          "    held        when talks == 1\n"), "%s", t);
    free(t);
}

static void test_observations_warnings(void)
{
    ty_run_result run = observed_run();
    run.obs = (ty_observation_stats){42, 4.2e-5, 0.5, -12.5, 0.93};
    ty_results r = results_of(&run, 1);
    char *t = capture(&r, 0), *j = capture(&r, 1);
    CHECK(t && j);
    if (!t || !j) return;
    CHECK_MSG(strstr(t, "  effective sample size 42 of 1,000,000 (0.0042%); Pareto k-hat 0.93\n"
                        "  acceptance 50% (samples where every when held); log evidence -12.5\n"
                        "  warning: the effective sample size is 42") != NULL, "%s", t);
    CHECK(count_of(t, "  warning: ") == 2);
    CHECK_MSG(warning_printed(t, &run, TY_OBS_WARN_ESS) && warning_printed(t, &run, TY_OBS_WARN_KHAT), "%s", t);
    CHECK(widest_line(t) <= 100);
    CHECK_MSG(json_valid(j), "%s", j);
    char want[1024];
    ty_observation_warning_text(&run.obs, run.samples, TY_OBS_WARN_ESS, want, sizeof want);
    const char *w = strstr(j, "\"warnings\": [\"");
    CHECK(w && strncmp(w + strlen("\"warnings\": [\""), want, strlen(want)) == 0);
    CHECK(count_of(j, "Pareto k-hat 0.93, above 0.7") == 1);
    free(t);
    free(j);
    /* k-hat not known (too few weights): n/a, no k-hat warning; null in JSON. */
    run.obs.pareto_k = NAN;
    t = capture(&r, 0);
    j = capture(&r, 1);
    CHECK(t && j);
    if (!t || !j) return;
    CHECK_MSG(strstr(t, "; Pareto k-hat n/a (too few distinct large weights)\n") != NULL, "%s", t);
    CHECK(count_of(t, "  warning: ") == 1 && warning_printed(t, &run, TY_OBS_WARN_ESS));
    CHECK(strstr(j, "\"log_evidence\": -12.5, \"pareto_k\": null,") != NULL);
    CHECK(count_of(j, "Pareto") == 0 && count_of(j, "effective sample size is 42") == 1);
    CHECK_MSG(json_valid(j), "%s", j);
    free(t);
    free(j);
}

static void test_observations_json(void)
{
    ty_run_result run = observed_run();
    ty_results r = results_of(&run, 1);
    char *j = capture(&r, 1);
    CHECK(j != NULL);
    if (!j) return;
    CHECK_MSG(json_valid(j), "%s", j);
    CHECK_MSG(strstr(j, "\"ci_high\": 0.1273, \"prior\": {\"probability\": 0.25, \"stderr\": 0.0078125, "
                        "\"ci_low\": 0.234375, \"ci_high\": 0.265625}}") != NULL, "%s", j);
    CHECK(count_of(j, "\"prior\": {") == 3);
    CHECK(strstr(j, "\"observations\": {\"ess\": 500000, \"ess_fraction\": 0.5, \"acceptance\": 0.75, "
                    "\"log_evidence\": -1.25, \"pareto_k\": 0.25,\n        \"warnings\": [],\n        \"list\": [\n"
                    "          {\"name\": \"satellite_count\", \"kind\": \"reading\", \"of\": \"troops\", "
                    "\"value\": 45000, \"expr\": \"normal(0, 5000)\", \"label\": \"Satellite count, 1 April\", "
                    "\"held\": null},\n"
                    "          {\"name\": \"talks_held\", \"kind\": \"when\", \"of\": null, \"value\": null, "
                    "\"expr\": \"talks == 1\", \"label\": null, \"held\": 0.75},\n"
                    "          {\"name\": \"deadline_missed\", \"kind\": \"loglik\", \"of\": null, "
                    "\"value\": null, \"expr\": \"log(0.2 + 0.6*squeeze_value)\", \"label\": null, "
                    "\"held\": null}\n        ]}"));
    CHECK(strstr(j, "\"factors\": [\n        {\"name\": \"troops\", \"unit\": \"soldiers\", \"mean\": 41000"));
    CHECK(strstr(j, "\"factors_prior\": [\n        {\"name\": \"troops\", \"unit\": \"soldiers\", \"mean\": 30000"));
    CHECK(strstr(j, "\"derived_prior\"") == NULL);   /* NULL: left out */
    free(j);
}

/* A batch: each variant prints its own observations (here only the
 * second has any); the first prints as a run without them. */
static void test_observations_batch(void)
{
    ty_run_result runs[2];
    ty_results r = batch_with_queries(runs);
    char *before = capture(&r, 0);
    ty_run_result obs = observed_run();
    runs[1].samples = obs.samples;
    runs[1].nobservations = obs.nobservations;
    runs[1].observations = obs.observations;
    runs[1].obs = obs.obs;
    runs[1].outcomes_prior = obs.outcomes_prior;
    char *t = capture(&r, 0), *j = capture(&r, 1);
    CHECK(before && t && j);
    if (!before || !t || !j) { free(before); free(t); free(j); return; }
    const char *v = strstr(t, "\ntroops_double");
    CHECK(v && strncmp(before, t, (size_t)(v - t)) == 0);   /* the baseline as before */
    CHECK(count_of(t, "  observations (3)") == 1 && strstr(t, "  observations (3)") > v);
    CHECK(count_of(t, "prior") == 3 && strstr(t, "prior") > v);   /* column, legend, when's share */
    CHECK_MSG(json_valid(j), "%s", j);
    CHECK(count_of(j, "\"observations\": {") == 1 && count_of(j, "\"prior\": {") == 3);
    CHECK(strstr(j, "\"observations\": {") > strstr(j, "\"troops_double\""));
    /* A run whose observation count is 0 ignores the rest (--prior). */
    runs[1].nobservations = 0;
    runs[1].samples = 1000;
    char *t0 = capture(&r, 0);
    CHECK(t0 && strcmp(t0, before) == 0);
    free(t0);
    free(before);
    free(t);
    free(j);
}

TEST_MAIN(test_json_checker, test_older_results_unchanged, test_spread_table, test_queries_table,
          test_query_differences, test_json, test_observations_table, test_observations_exact,
          test_observations_warnings, test_observations_json, test_observations_batch)
