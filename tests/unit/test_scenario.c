/* test_scenario.c - scenario and batch files: a valid file loads with every
 * field in order; errors are all reported with positions; hostile input
 * (deep nesting, aliases, huge counts) is refused with a clear error; batch
 * variants and sweeps apply their overrides. */
#include "harness.h"

#include <stdlib.h>
#include <unistd.h>

#include "tyche/tyche.h"

static const char *VALID =
    "tyche: 1\n"
    "name: demo-1\n"
    "title: A demo\n"
    "source: Somebody, 2014\n"
    "run: {samples: 1e5, seed: 7, sampling: lhs}\n"
    "factors:\n"
    "  troops:\n"
    "    dist: normal(mean=40000, sd=0.2 * 4e4)\n"
    "    bounds: [15000, 100000]\n"
    "    unit: troops\n"
    "    label: Troops\n"
    "    evidence: \"40,000 battle-ready troops\"\n"
    "  talks: {dist: \"bernoulli(0.8)\"}\n"
    "  level: {dist: \"discrete([1, 2, 3], [0.2, 0.5, 0.3])\"}\n"
    "correlations:\n"
    "  - {factors: [troops, level], rank: 0.5}\n"
    "derived:\n"
    "  ratio: troops / 30000\n"
    "  push: ratio * level\n"
    "outcomes:\n"
    "  model: logit\n"
    "  invasion: {label: Invasion, score: -3 + push}\n"
    "  squeeze: {score: 0.5 + talks}\n";

static ty_scenario *parse_ok(const char *text)
{
    ty_diag *d = ty_diag_new(20);
    ty_scenario *s = NULL;
    ty_status st = ty_scenario_parse("t.yaml", text, strlen(text), &s, d);
    CHECK_MSG(st == TY_OK, "status %d", (int)st);
    for (size_t i = 0; i < ty_diag_count(d); i++)
        fprintf(stderr, "  %d:%d: %s\n", ty_diag_get(d, i)->line, ty_diag_get(d, i)->col, ty_diag_get(d, i)->message);
    ty_diag_free(d);
    return s;
}

/* Parses text expecting failure; returns the diag (caller frees). */
static ty_diag *parse_bad(const char *text, ty_status want)
{
    ty_diag *d = ty_diag_new(20);
    ty_scenario *s = NULL;
    ty_status st = ty_scenario_parse("bad.yaml", text, strlen(text), &s, d);
    CHECK_MSG(st == want, "status %d, want %d", (int)st, (int)want);
    CHECK(s == NULL);
    ty_scenario_free(s);
    return d;
}

static int has_error(const ty_diag *d, int line, int col, const char *frag)
{
    for (size_t i = 0; i < ty_diag_count(d); i++) {
        const ty_diag_entry *e = ty_diag_get(d, i);
        if (e->line == line && e->col == col && strstr(e->message, frag)) return 1;
    }
    for (size_t i = 0; i < ty_diag_count(d); i++)
        fprintf(stderr, "  have %d:%d: %s\n", ty_diag_get(d, i)->line, ty_diag_get(d, i)->col, ty_diag_get(d, i)->message);
    return 0;
}

static void test_valid_scenario_fields(void)
{
    ty_scenario *s = parse_ok(VALID);
    if (!s) return;
    CHECK_STR(ty_scenario_name(s), "demo-1");
    CHECK_STR(ty_scenario_title(s), "A demo");
    CHECK_STR(ty_scenario_source(s), "Somebody, 2014");
    CHECK(ty_scenario_horizon(s) == NULL);
    const ty_run_settings *r = ty_scenario_run(s);
    CHECK(r->samples == 100000 && r->seed == 7 && r->sampling == TY_SAMPLING_LHS);
    CHECK(ty_scenario_nfactors(s) == 3);
    const ty_factor *f = ty_scenario_factor(s, 0);
    CHECK_STR(f->name, "troops");
    CHECK_STR(f->unit, "troops");
    CHECK_STR(f->evidence, "40,000 battle-ready troops");
    CHECK(f->pos.line == 7 && f->pos.col == 3);
    const ty_dist_spec *sp = ty_dist_get_spec(f->dist);
    CHECK(sp->kind == TY_DIST_NORMAL && sp->param[0] == 40000 && sp->param[1] == 8000);
    CHECK(sp->has_bounds && sp->lo == 15000 && sp->hi == 100000);
    sp = ty_dist_get_spec(ty_scenario_factor(s, 2)->dist);
    CHECK(sp->kind == TY_DIST_DISCRETE && sp->nvalues == 3 && sp->values[2] == 3 && sp->weights[1] == 0.5);
    CHECK_STR(ty_scenario_factor(s, 1)->name, "talks");
    CHECK(ty_scenario_find_factor(s, "level") == 2 && ty_scenario_find_factor(s, "nope") == -1);
    CHECK(ty_scenario_ncorrelations(s) == 1);
    CHECK(ty_scenario_correlation(s, 0)->a == 0 && ty_scenario_correlation(s, 0)->b == 2);
    CHECK(ty_scenario_nderived(s) == 2);
    CHECK_STR(ty_scenario_derived(s, 1)->name, "push");
    CHECK_STR(ty_scenario_derived(s, 1)->expr_text, "ratio * level");
    CHECK(ty_scenario_model(s) == TY_OUTCOME_LOGIT);
    CHECK(ty_scenario_noutcomes(s) == 2);
    CHECK_STR(ty_scenario_outcome(s, 0)->name, "invasion");
    CHECK_STR(ty_scenario_outcome(s, 0)->label, "Invasion");
    CHECK(ty_scenario_outcome(s, 1)->label == NULL);
    CHECK(ty_scenario_program(s) != NULL);
    CHECK(ty_program_nderived(ty_scenario_program(s)) == 2);
    CHECK(ty_program_noutcomes(ty_scenario_program(s)) == 2);
    ty_scenario_free(s);
}

static void test_program_evaluates(void)
{
    ty_scenario *s = parse_ok(VALID);
    if (!s) return;
    const ty_program *p = ty_scenario_program(s);
    double troops[2] = {30000, 60000}, talks[2] = {1, 0}, level[2] = {1, 3};
    const double *cols[3] = {troops, talks, level};
    double ratio[2], push[2], inv[2], sq[2];
    double *der[2] = {ratio, push}, *out[2] = {inv, sq};
    ty_vm_scratch *sc = ty_vm_scratch_new(p);
    CHECK(ty_program_run(p, sc, 2, cols, der, out, NULL) == TY_OK);
    CHECK(ratio[0] == 1.0 && push[1] == 6.0);
    /* sample 0: scores -2 and 1.5 */
    CHECK_NEAR(inv[0], 1.0 / (1.0 + exp(3.5)), 1e-15);
    CHECK_NEAR(inv[0] + sq[0], 1.0, 1e-15);
    ty_vm_scratch_free(sc);
    ty_scenario_free(s);
}

static void test_rules_model(void)
{
    const char *text = "tyche: 1\nname: r\nfactors:\n  x: {dist: \"uniform(0, 1)\"}\n"
                       "outcomes:\n  model: rules\n  low: {when: x < 0.3}\n  mid: {when: x < 0.7}\n"
                       "  high: {otherwise: true}\n";
    ty_scenario *s = parse_ok(text);
    if (!s) return;
    CHECK(ty_scenario_model(s) == TY_OUTCOME_RULES);
    CHECK(ty_scenario_outcome(s, 2)->otherwise == 1);
    CHECK(ty_scenario_outcome(s, 2)->expr_text == NULL);
    ty_scenario_free(s);
}

static void test_all_errors_reported(void)
{
    /* Three independent errors on three lines: all three are reported. */
    const char *text = "tyche: 1\nname: x\nrun: {samples: 0}\nfactors:\n"
                       "  a: {dist: \"normal(0, -1)\"}\n  b: {dist: \"bernoulli(2)\"}\n"
                       "outcomes:\n  p: {score: a}\n  q: {score: b}\n";
    ty_diag *d = parse_bad(text, TY_ERR_INVALID);
    CHECK(ty_diag_errors(d) == 3);
    CHECK(has_error(d, 3, 16, "run.samples must be between 1"));
    CHECK(has_error(d, 5, 14, "sd must be > 0"));
    CHECK(has_error(d, 6, 14, "p must be in [0, 1]"));
    ty_diag_free(d);
}

static void test_error_cap(void)
{
    /* 50 bad factors: 20 stored (the diag's cap), all 50 counted. */
    char text[8192] = "tyche: 1\nname: x\nfactors:\n";
    for (int i = 0; i < 50; i++) {
        char line[64];
        snprintf(line, sizeof line, "  f%d: {dist: \"uniform(1, 0)\"}\n", i);
        strcat(text, line);
    }
    strcat(text, "outcomes:\n  p: {score: 1}\n  q: {score: 0}\n");
    ty_diag *d = parse_bad(text, TY_ERR_INVALID);
    CHECK(ty_diag_count(d) == 20);
    CHECK(ty_diag_errors(d) == 50);
    ty_diag_free(d);
}

static void test_hint_did_you_mean(void)
{
    const char *text = "tyche: 1\nname: x\nfactors:\n  troops: {dist: \"nromal(0, 1)\"}\n"
                       "outcomes:\n  p: {score: troopz}\n  q: {score: 0}\n";
    ty_diag *d = parse_bad(text, TY_ERR_INVALID);
    CHECK(has_error(d, 4, 19, "unknown distribution 'nromal'"));
    CHECK(ty_diag_get(d, 0)->hint && strstr(ty_diag_get(d, 0)->hint, "did you mean 'normal'?"));
    ty_diag_free(d);
    text = "tyche: 1\nname: x\nfactors:\n  troops: {dist: \"normal(0, 1)\"}\n"
           "outcomes:\n  p: {score: troopz}\n  q: {score: 0}\n";
    d = parse_bad(text, TY_ERR_INVALID);
    CHECK(has_error(d, 6, 14, "unknown name 'troopz'"));
    CHECK(ty_diag_count(d) >= 1 && ty_diag_get(d, 0)->hint &&
          strstr(ty_diag_get(d, 0)->hint, "did you mean 'troops'?"));
    ty_diag_free(d);
}

static void test_hostile_input(void)
{
    /* Billion laughs: refused at the first alias. */
    const char *laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n";
    ty_diag *d = parse_bad(laughs, TY_ERR_INVALID);
    CHECK(has_error(d, 2, 8, "aliases"));
    ty_diag_free(d);
    /* Nesting 100 deep. */
    char deep[512] = "";
    for (int i = 0; i < 100; i++) strcat(deep, "[");
    for (int i = 0; i < 100; i++) strcat(deep, "]");
    d = parse_bad(deep, TY_ERR_INVALID);
    CHECK(ty_diag_count(d) >= 1 && strstr(ty_diag_get(d, 0)->message, "nesting deeper than 32"));
    ty_diag_free(d);
    /* Too many factors. */
    size_t cap = 64 * 1100 + 256;
    char *many = malloc(cap);
    strcpy(many, "tyche: 1\nname: x\nfactors:\n");
    for (int i = 0; i < 1001; i++) {
        char line[64];
        snprintf(line, sizeof line, "  f%d: {dist: \"uniform(0, 1)\"}\n", i);
        strcat(many, line);
    }
    strcat(many, "outcomes:\n  p: {score: 1}\n  q: {score: 0}\n");
    d = parse_bad(many, TY_ERR_INVALID);
    CHECK(has_error(d, 4, 3, "1001 factors; the limit is 1000"));
    ty_diag_free(d);
    free(many);
    /* An expression over the length limit. */
    size_t n = TY_EXPR_MAX_LEN + 100;
    char *longx = malloc(n + 256);
    strcpy(longx, "tyche: 1\nname: x\nfactors:\n  a: {dist: \"uniform(0, 1)\"}\noutcomes:\n  p: {score: a");
    for (size_t i = strlen(longx); i < n; i += 4) strcat(longx, " + a");
    strcat(longx, "}\n  q: {score: 0}\n");
    ty_diag *d2 = ty_diag_new(20);
    ty_scenario *s = NULL;
    ty_status st = ty_scenario_parse("long.yaml", longx, strlen(longx), &s, d2);
    CHECK(st != TY_OK && s == NULL);
    CHECK(ty_diag_count(d2) >= 1);
    ty_diag_free(d2);
    free(longx);
    /* A file over the size limit. */
    size_t big = (4u << 20) + 10;
    char *huge = malloc(big + 1);
    memset(huge, '#', big);
    huge[big] = '\0';
    d = parse_bad(huge, TY_ERR_INVALID);
    CHECK(ty_diag_count(d) >= 1 && strstr(ty_diag_get(d, 0)->message, "bytes; tyche reads at most"));
    ty_diag_free(d);
    free(huge);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static void test_batch_variants_and_sweeps(void)
{
    char dir[] = "/tmp/tyche-batch-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char spath[256], bpath[256];
    snprintf(spath, sizeof spath, "%s/s.yaml", dir);
    snprintf(bpath, sizeof bpath, "%s/b.yaml", dir);
    write_file(spath, VALID);
    write_file(bpath,
               "tyche: 1\nbatch: policy\nscenario: s.yaml\nvariants:\n  baseline: {}\n"
               "  doubled:\n    label: Troops double\n    factors:\n      troops: {dist: \"normal(80000, 8000)\"}\n"
               "    derived:\n      ratio: troops / 20000\n    run: {seed: 99}\n"
               "sweeps:\n  buildup: {factor: troops, param: mean, from: 20000, to: 100000, steps: 9}\n"
               "  talk: {factor: talks, param: p, values: [0.1, 0.9]}\n");
    ty_diag *d = ty_diag_new(20);
    ty_batch *b = NULL;
    int is_batch = 0;
    CHECK(ty_batch_sniff(bpath, &is_batch, d) == TY_OK && is_batch == 1);
    CHECK(ty_batch_sniff(spath, &is_batch, d) == TY_OK && is_batch == 0);
    ty_status st = ty_batch_load(bpath, &b, d);
    CHECK(st == TY_OK);
    if (b) {
        CHECK_STR(ty_batch_name(b), "policy");
        CHECK(ty_batch_nvariants(b) == 2);
        const ty_variant *v = ty_batch_variant(b, 1);
        CHECK_STR(v->name, "doubled");
        CHECK_STR(v->label, "Troops double");
        const ty_dist_spec *sp = ty_dist_get_spec(ty_scenario_factor(v->scenario, 0)->dist);
        CHECK(sp->param[0] == 80000);
        CHECK(sp->has_bounds && sp->hi == 100000);   /* bounds kept from the scenario */
        CHECK_STR(ty_scenario_derived(v->scenario, 0)->expr_text, "troops / 20000");
        CHECK(ty_scenario_run(v->scenario)->seed == 99);
        CHECK(ty_scenario_run(ty_batch_variant(b, 0)->scenario)->seed == 7);
        CHECK(ty_batch_nsweeps(b) == 2);
        const ty_sweep *sw = ty_batch_sweep(b, 0);
        CHECK(sw->npoints == 9 && sw->values[0] == 20000 && sw->values[8] == 100000 && sw->values[4] == 60000);
        CHECK(ty_dist_get_spec(ty_scenario_factor(sw->points[4], 0)->dist)->param[0] == 60000);
        CHECK(ty_dist_get_spec(ty_scenario_factor(ty_batch_sweep(b, 1)->points[1], 1)->dist)->param[0] == 0.9);
    }
    ty_batch_free(b);
    ty_diag_free(d);

    /* Overrides of things that do not exist: errors at the override. */
    write_file(bpath,
               "tyche: 1\nbatch: policy\nscenario: s.yaml\nvariants:\n  bad:\n    factors:\n"
               "      troopz: {dist: \"normal(1, 1)\"}\n    derived:\n      nope: troops\n"
               "sweeps:\n  s1: {factor: troops, param: sigma, from: 1, to: 2, steps: 3}\n"
               "  s2: {factor: troops, param: sd, from: 1, to: -1, steps: 3}\n");
    d = ty_diag_new(20);
    st = ty_batch_load(bpath, &b, d);
    CHECK(st == TY_ERR_INVALID && b == NULL);
    CHECK(has_error(d, 7, 7, "override of unknown factor 'troopz'"));
    CHECK(has_error(d, 9, 7, "override of unknown derived value 'nope'"));
    CHECK(has_error(d, 11, 31, "no numeric parameter 'sigma'"));
    CHECK(has_error(d, 12, 3, "sd must be > 0"));
    ty_diag_free(d);
    unlink(spath);
    unlink(bpath);
    rmdir(dir);
}

/* What new users write: discrete without weights (equal weights), the
 * derived values' long form, names shared across factors, derived values and
 * outcomes, a rules model without 'otherwise' (a warning, not an error). */
static void test_newcomer_forms(void)
{
    ty_scenario *s = parse_ok("tyche: 1\nname: n\n"
                              "factors:\n  level: {dist: \"discrete([1, 2, 3])\"}\n"
                              "derived:\n  twice: {expr: level * 2, unit: km, label: Twice, bounds: [0, 8]}\n"
                              "  plain: twice + 1\n"
                              "outcomes:\n  up: {score: twice}\n  down: {score: 0}\n");
    if (s) {
        const ty_dist_spec *sp = ty_dist_get_spec(ty_scenario_factor(s, 0)->dist);
        CHECK(sp->kind == TY_DIST_DISCRETE && sp->nvalues == 3 && sp->weights == NULL);
        CHECK(fabs(ty_dist_mean(ty_scenario_factor(s, 0)->dist) - 2) < 1e-12);
        const ty_derived *d = ty_scenario_derived(s, 0);
        CHECK_STR(d->expr_text, "level * 2");
        CHECK_STR(d->unit, "km");
        CHECK_STR(d->label, "Twice");
        CHECK(d->has_bounds && d->lo == 0 && d->hi == 8);
        CHECK(d->pos.line == 6 && d->pos.col == 17 && d->name_pos.line == 6 && d->name_pos.col == 3);
        d = ty_scenario_derived(s, 1);
        CHECK(d->unit == NULL && d->label == NULL && !d->has_bounds);
    }
    ty_scenario_free(s);

    /* One namespace: the second use is the error, naming the first. */
    ty_diag *d = parse_bad("tyche: 1\nname: n\nfactors:\n  a: {dist: \"normal(0, 1)\"}\n"
                           "derived:\n  b: a + 1\n"
                           "outcomes:\n  a: {score: 1}\n  b: {score: 0}\n", TY_ERR_INVALID);
    CHECK(has_error(d, 8, 3, "name 'a' is already used by a factor (line 4)"));
    CHECK(has_error(d, 9, 3, "name 'b' is already used by a derived value (line 6)"));
    ty_diag_free(d);

    /* Rules without 'otherwise': loads, with one warning at 'outcomes'. */
    const char *rules = "tyche: 1\nname: n\nfactors:\n  a: {dist: \"normal(0, 1)\"}\n"
                        "outcomes:\n  model: rules\n  up: {when: a > 0}\n  down: {when: a <= 0}\n";
    d = ty_diag_new(20);
    s = NULL;
    CHECK(ty_scenario_parse("r.yaml", rules, strlen(rules), &s, d) == TY_OK && s);
    CHECK(ty_diag_count(d) == 1 && ty_diag_errors(d) == 0);
    if (ty_diag_count(d) == 1) {
        const ty_diag_entry *e = ty_diag_get(d, 0);
        CHECK(e->severity == TY_SEV_WARNING && e->line == 5 && e->col == 1);
        CHECK(strstr(e->message, "'otherwise: true'") != NULL && e->hint != NULL);
    }
    ty_scenario_free(s);
    ty_diag_free(d);
}

TEST_MAIN(test_valid_scenario_fields, test_program_evaluates, test_rules_model,
          test_all_errors_reported, test_error_cap, test_hint_did_you_mean, test_hostile_input,
          test_batch_variants_and_sweeps, test_newcomer_forms)
