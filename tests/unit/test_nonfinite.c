/* test_nonfinite.c - numbers that are not numbers in per-sample expressions:
 * every way an outcome score or rule condition can become NaN or infinite
 * (a table of expressions over the functions and operators, each with one
 * bad sample planted at a varying place among good ones) stops the program
 * at exactly that sample and names the outcome; NaN propagates through
 * comparisons, not, ?:, min, max and clamp, and Kleene and/or keep guards
 * working; the constant folder agrees with the VM; constant non-finite
 * outcomes are load errors; large finite scores stay stable; and the
 * result invariant (probabilities sum to 1) holds or is an internal error. */
#include "harness.h"
#include "tyche/tyche.h"

#include <float.h>

/* One expression of x that is finite for x in [1, 2] and not finite at the
 * planted value. */
typedef struct bad_case {
    const char *expr;
    double bad_x;
} bad_case;

static const bad_case bcases[] = {
    {"log(x)", -1},                      /* NaN */
    {"log(x)", 0},                       /* -inf */
    {"sqrt(x)", -4},
    {"x / (x - 3)", 3},                  /* 3/0: +inf */
    {"(x - 3) / (3 - x)", 3},            /* 0/0 */
    {"exp(300 * x)", 3},                 /* overflow */
    {"pow(x, 0.5)", -2},
    {"x ^ 400", 1e10},
    {"x * 1e307", 1e10},
    {"logistic(x) + log(x - 0.5)", 0.25},
    {"max(log(x), 0)", -1},              /* fmax would drop the NaN */
    {"min(0, sqrt(x))", -1},
    {"clamp(log(x), -1, 1)", -3},
    {"x > 0 ? log(x) : sqrt(x)", -1},    /* the branch taken is NaN */
    {"log(x) > 0 ? 1 : 2", -1},          /* NaN condition */
    {"(log(x) > 5) + 1", -1},            /* comparison with NaN */
    {"(not (log(x) < 0)) + 1", -1},
    {"(x < 5 and log(3 - x) > 0) + 1", 4},        /* 1 and NaN = NaN */
    {"(sqrt(x) > 0 or x > 0) + 1", -1},            /* NaN or 0 = NaN */
    {"(log(x) == log(x)) + 1", -1},
    {"(log(x) != 3) + 1", -1},
    {"tanh(x) + cos(x) * sin(x) + (1 / x)", 0},
    {"abs(floor(x) + ceil(x)) + normcdf(x) - x ^ -1", 0},
};
#define NCASES (sizeof bcases / sizeof bcases[0])

enum { N = 1000 };
static double xs[N], ys[N], o[3][N];

static ty_program *compile(const char *expr, ty_outcome_model model)
{
    int rules = model == TY_OUTCOME_RULES;
    const char *f[] = {"x", "y"};
    ty_expr_def out[] = {{"first", {0}, rules ? "y > 10" : "y", {"t", 1, 1}},
                         {"second", {0}, expr, {"t", 2, 5}},
                         {"rest", {0}, rules ? NULL : "0", {"t", 3, 1}}};
    ty_program_spec spec = {f, NULL, 2, NULL, 0, model, out, 3};
    ty_program *p = NULL;
    ty_status st = ty_program_new(&spec, &p, NULL);
    CHECK_MSG(st == TY_OK, "%s does not compile", expr);
    return p;
}

/* Fills x with good values in [1, 2] and the bad value at `at`. */
static void plant(double bad_x, size_t at)
{
    for (size_t i = 0; i < N; i++) {
        xs[i] = 1.0 + (double)(i % 97) / 96.0;
        ys[i] = (double)(i % 7);
    }
    if (at < N) xs[at] = bad_x;
}

static void test_each_case_stops_at_its_sample(void)
{
    const size_t where[] = {0, 1, 255, 256, 511, 700, 999};
    for (int model = 0; model < 2; model++) {
        for (size_t c = 0; c < NCASES; c++) {
            ty_program *p = compile(bcases[c].expr, (ty_outcome_model)model);
            if (!p) continue;
            ty_vm_scratch *s = ty_vm_scratch_new(p);
            const double *fc[2] = {xs, ys};
            double *oc[3] = {o[0], o[1], o[2]};
            plant(0, N);
            CHECK_MSG(ty_program_run(p, s, N, fc, NULL, oc, NULL) == TY_OK, "%s good values",
                      bcases[c].expr);
            for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
                plant(bcases[c].bad_x, where[w]);
                size_t at = N + 1;
                ty_status st = ty_program_run(p, s, N, fc, NULL, oc, &at);
                ty_program_fault f = ty_vm_scratch_fault(s);
                CHECK_MSG(st == TY_ERR_INVALID && at == where[w] && f.sample == at &&
                              f.kind == TY_FAULT_NOT_FINITE && f.def == 1 && !isfinite(f.value),
                          "%s model %d at %zu: st %d at %zu kind %d def %zu", bcases[c].expr,
                          model, where[w], (int)st, at, (int)f.kind, f.def);
            }
            ty_vm_scratch_free(s);
            ty_program_free(p);
        }
    }
}

/* Under rules, a condition is read only for the samples no earlier rule
 * took: a NaN there is no fault (order is how rules guard). */
static void test_rules_read_only_undecided_samples(void)
{
    for (size_t c = 0; c < NCASES; c++) {
        const char *f[] = {"x", "y"};
        ty_expr_def out[] = {{"taken", {0}, "x < 1 or x > 2", {"t", 1, 1}},
                             {"second", {0}, bcases[c].expr, {"t", 2, 5}},
                             {"rest", {0}, NULL, {"t", 3, 1}}};
        ty_program_spec spec = {f, NULL, 2, NULL, 0, TY_OUTCOME_RULES, out, 3};
        ty_program *p = NULL;
        CHECK(ty_program_new(&spec, &p, NULL) == TY_OK);
        if (!p) continue;
        ty_vm_scratch *s = ty_vm_scratch_new(p);
        const double *fc[2] = {xs, ys};
        double *oc[3] = {o[0], o[1], o[2]};
        if (bcases[c].bad_x < 1 || bcases[c].bad_x > 2) {
            plant(bcases[c].bad_x, 300);
            CHECK_MSG(ty_program_run(p, s, N, fc, NULL, oc, NULL) == TY_OK, "%s", bcases[c].expr);
            CHECK(o[0][300] == 1 && o[1][300] == 0);
        }
        ty_vm_scratch_free(s);
        ty_program_free(p);
    }
}

/* Guards written with and, or and ?: never fault. */
static void test_guards(void)
{
    const char *guards[] = {"x > 0 and log(x) > 0", "x <= 0 or log(x) < 1",
                            "(x > 0 ? log(x) : -1) > 0", "not (x > 0 and sqrt(x) > 1)",
                            "x > 0 and (x < 0 or log(x) > 0)"};
    for (size_t g = 0; g < sizeof guards / sizeof guards[0]; g++) {
        for (int model = 0; model < 2; model++) {
            ty_program *p = compile(guards[g], (ty_outcome_model)model);
            if (!p) continue;
            ty_vm_scratch *s = ty_vm_scratch_new(p);
            const double *fc[2] = {xs, ys};
            double *oc[3] = {o[0], o[1], o[2]};
            plant(-1, 10);
            xs[20] = 0;
            xs[30] = -INFINITY;
            CHECK_MSG(ty_program_run(p, s, N, fc, NULL, oc, NULL) == TY_OK, "%s", guards[g]);
            ty_vm_scratch_free(s);
            ty_program_free(p);
        }
    }
}

/* A derived value that is NaN stops the run at the score that reads it,
 * and only there. */
static void test_through_derived(void)
{
    const char *f[] = {"x", "y"};
    ty_expr_def der[] = {{"lx", {0}, "log(x)", {"t", 1, 1}}, {"unused", {0}, "sqrt(-x)", {"t", 2, 1}}};
    ty_expr_def out[] = {{"a", {0}, "0", {"t", 3, 1}}, {"b", {0}, "lx * 2", {"t", 4, 1}}};
    ty_program_spec spec = {f, NULL, 2, der, 2, TY_OUTCOME_LOGIT, out, 2};
    ty_program *p = NULL;
    CHECK(ty_program_new(&spec, &p, NULL) == TY_OK);
    if (!p) return;
    ty_vm_scratch *s = ty_vm_scratch_new(p);
    const double *fc[2] = {xs, ys};
    double *oc[2] = {o[0], o[1]};
    plant(-1, N);
    CHECK(ty_program_run(p, s, N, fc, NULL, oc, NULL) == TY_OK);   /* unused is NaN: no matter */
    plant(-1, 444);
    size_t at = 0;
    CHECK(ty_program_run(p, s, N, fc, NULL, oc, &at) == TY_ERR_INVALID && at == 444);
    ty_program_fault fl = ty_vm_scratch_fault(s);
    CHECK(fl.kind == TY_FAULT_NOT_FINITE && fl.def == 2 + 1 && isnan(fl.value));
    ty_vm_scratch_free(s);
    ty_program_free(p);
}

/* The folder computes what the VM computes, NaN included: each case folded
 * at its bad value (text with X replaced) against the VM's score there. */
static void test_fold_matches_vm(void)
{
    const char *ops[] = {"(X < 1) + 0", "(X >= 1) + 0", "(X == 1) + 0", "(X != 1) + 0",
                         "(not X) + 0", "(X and 0) + 0", "(X and 1) + 0", "(X or 1) + 0",
                         "(X or 0) + 0", "(0 or X) + 0", "(1 and X) + 0", "min(X, 1)",
                         "max(1, X)", "clamp(X, 0, 1)", "X ? 1 : 2", "min(X, 2, 3)"};
    const double vals[] = {NAN, 0.5, 1, -INFINITY, INFINITY, 0};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
            /* the folder: the expression with x a constant */
            char text[128], num[32];
            if (isnan(vals[v])) snprintf(num, sizeof num, "(0/0)");
            else if (isinf(vals[v])) snprintf(num, sizeof num, "(%s1/0)", vals[v] < 0 ? "-" : "");
            else snprintf(num, sizeof num, "%.17g", vals[v]);
            size_t n = 0;
            for (const char *c = ops[i]; *c && n + 40 < sizeof text; c++) {
                if (*c == 'X') { n += (size_t)snprintf(text + n, sizeof text - n, "%s", num); }
                else text[n++] = *c;
            }
            text[n] = '\0';
            double folded = 0;
            ty_pos pos = {"t", 1, 1};
            CHECK_MSG(ty_expr_const(text, &pos, &folded, NULL) == TY_OK, "%s", text);
            /* the VM: as a derived value (derived values are not checked) */
            const char *f[] = {"X"};
            ty_expr_def der[] = {{"d", {0}, ops[i], {"t", 1, 1}}};
            ty_program_spec spec = {f, NULL, 1, der, 1, TY_OUTCOME_LOGIT, NULL, 0};
            ty_program *p = NULL;
            CHECK(ty_program_new(&spec, &p, NULL) == TY_OK);
            if (!p) continue;
            ty_vm_scratch *s = ty_vm_scratch_new(p);
            double x1[1] = {vals[v]}, d1[1] = {0};
            const double *fc[1] = {x1};
            double *dc[1] = {d1};
            CHECK(ty_program_run(p, s, 1, fc, dc, NULL, NULL) == TY_OK);
            CHECK_MSG((isnan(folded) && isnan(d1[0])) || folded == d1[0],
                      "%s: folded %g, VM %g at x = %g", ops[i], folded, d1[0], vals[v]);
            ty_vm_scratch_free(s);
            ty_program_free(p);
        }
    }
}

/* The semantics themselves: NaN propagates unless and/or are decided. */
static void test_nan_semantics(void)
{
    struct { const char *text; double want; } t[] = {
        {"(0/0) < 1", NAN}, {"(0/0) == (0/0)", NAN}, {"not (0/0)", NAN},
        {"0 and (0/0)", 0}, {"(0/0) and 0", 0}, {"1 and (0/0)", NAN},
        {"1 or (0/0)", 1}, {"(0/0) or 1", 1}, {"0 or (0/0)", NAN},
        {"min(0/0, 1)", NAN}, {"max(1, 0/0)", NAN}, {"(0/0) ? 1 : 2", NAN},
        {"1/0 > 1e308", 1}, {"-1/0 < 0", 1}, {"min(1/0, 3)", 3},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double v = 0;
        ty_pos pos = {"t", 1, 1};
        CHECK(ty_expr_const(t[i].text, &pos, &v, NULL) == TY_OK);
        CHECK_MSG((isnan(v) && isnan(t[i].want)) || v == t[i].want, "%s = %g", t[i].text, v);
    }
}

/* Outcomes that fold to a constant that is not finite are compile errors
 * at the expression. */
static void test_constant_outcomes(void)
{
    const char *texts[] = {"log(-1)", "1/0", "-1/0", "sqrt(-2) > 0", "0/0 or 0"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        for (int model = 0; model < 2; model++) {
            const char *f[] = {"x"};
            ty_expr_def out[] = {{"a", {0}, "x", {"t", 1, 1}}, {"b", {0}, texts[i], {"t", 7, 9}}};
            ty_program_spec spec = {f, NULL, 1, NULL, 0, (ty_outcome_model)model, out, 2};
            ty_program *p = NULL;
            ty_diag *d = ty_diag_new(10);
            CHECK_MSG(ty_program_new(&spec, &p, d) == TY_ERR_INVALID && !p, "%s", texts[i]);
            CHECK(ty_diag_count(d) == 1);
            if (ty_diag_count(d) == 1) {
                const ty_diag_entry *g = ty_diag_get(d, 0);
                CHECK(g->line == 7 && g->col == 9);
                CHECK_MSG(strstr(g->message, "of outcome 'b' is") != NULL, "%s", g->message);
            }
            ty_diag_free(d);
        }
    }
}

/* Large finite scores: the softmax shifts by the maximum, so probabilities
 * stay finite and sum to 1. */
static void test_large_scores(void)
{
    const char *f[] = {"x", "y"};
    ty_expr_def out[] = {{"a", {0}, "x", {"t", 1, 1}}, {"b", {0}, "x - y", {"t", 2, 1}},
                         {"c", {0}, "-x", {"t", 3, 1}}};
    ty_program_spec spec = {f, NULL, 2, NULL, 0, TY_OUTCOME_LOGIT, out, 3};
    ty_program *p = NULL;
    CHECK(ty_program_new(&spec, &p, NULL) == TY_OK);
    if (!p) return;
    ty_vm_scratch *s = ty_vm_scratch_new(p);
    const double big[] = {1e3, 1e300, DBL_MAX / 2, 745, 710, 1e-300};
    for (size_t i = 0; i < N; i++) {
        xs[i] = big[i % 6] * (i % 2 ? -1 : 1);
        ys[i] = (double)(i % 5);
    }
    const double *fc[2] = {xs, ys};
    double *oc[3] = {o[0], o[1], o[2]};
    CHECK(ty_program_run(p, s, N, fc, NULL, oc, NULL) == TY_OK);
    int bad = 0;
    for (size_t i = 0; i < N; i++) {
        double sum = o[0][i] + o[1][i] + o[2][i];
        bad += !(isfinite(o[0][i]) && isfinite(o[1][i]) && isfinite(o[2][i]) && fabs(sum - 1) < 1e-15);
    }
    CHECK(bad == 0);
    ty_vm_scratch_free(s);
    ty_program_free(p);
}

/* The invariant of every run: probabilities finite, in [0, 1], summing to 1
 * within rounding; anything else is an internal error. */
static void test_result_invariant(void)
{
    ty_estimate est[3] = {{.probability = 0.2}, {.probability = 0.3}, {.probability = 0.5}};
    char *names[3] = {"a", "b", "c"};
    ty_run_result r = {0};
    r.noutcomes = 3;
    r.outcomes = est;
    r.outcome_names = names;
    r.samples = 100000;
    r.block_size = 4096;
    ty_diag *d = ty_diag_new(10);
    CHECK(ty_run_result_check(&r, d) == TY_OK);
    est[2].probability = 0.5 + 1e-15;
    CHECK(ty_run_result_check(&r, d) == TY_OK);              /* rounding */
    const double broken[] = {0.5 + 1e-7, 0.6, NAN, INFINITY, -0.1};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        est[2].probability = broken[i];
        CHECK_MSG(ty_run_result_check(&r, d) == TY_ERR_INTERNAL, "%g", broken[i]);
    }
    CHECK(ty_diag_count(d) == 5 && strstr(ty_diag_get(d, 0)->message, "internal error"));
    ty_diag_free(d);
}

TEST_MAIN(test_each_case_stops_at_its_sample, test_rules_read_only_undecided_samples, test_guards,
          test_through_derived, test_fold_matches_vm, test_nan_semantics, test_constant_outcomes,
          test_large_scores, test_result_invariant)
