/* test_print.c - the command's table and JSON output (engine/cli/print.c)
 * of hand-built results: each outcome's spread across the sampled worlds,
 * the queries and a batch variant's query differences; and that results
 * without them (files of an older tyche) print as before. */
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

static void test_older_results_unchanged(void)
{
    ty_run_result run = plain_run();
    ty_results r = results_of(&run, 1);
    char *table = capture(&r, 0), *json = capture(&r, 1);
    CHECK(table && json);
    if (!table || !json) return;
    CHECK(!strstr(table, "sampled worlds") && !strstr(table, "query") && !strstr(table, "interval:"));
    CHECK(!strstr(json, "spread") && !strstr(json, "queries"));
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
    free(j);
}

TEST_MAIN(test_older_results_unchanged, test_spread_table, test_queries_table, test_query_differences,
          test_json)
