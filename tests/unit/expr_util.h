/* expr_util.h - helpers shared by the expression tests: evaluate one
 * expression through the VM, and format the first diagnostic. */
#ifndef TYCHE_TEST_EXPR_UTIL_H
#define TYCHE_TEST_EXPR_UTIL_H

#include "harness.h"
#include "tyche/tyche.h"

static const char *const eu_factors[] = {"x", "y", "z", "troops", "resistance"};
#define EU_NF 5

/* Compiles `v: text` over factors x, y, z, troops, resistance and evaluates
 * it for one sample; NaN (and a test failure) if it does not compile. */
static double eu_eval(const char *text, double x, double y, double z)
{
    ty_expr_def d = {"v", {"t.yaml", 1, 1}, text, {"t.yaml", 2, 5}};
    ty_program_spec spec = {eu_factors, NULL, EU_NF, &d, 1, TY_OUTCOME_LOGIT, NULL, 0};
    ty_program *p = NULL;
    ty_diag *diag = ty_diag_new(10);
    ty_status st = ty_program_new(&spec, &p, diag);
    CHECK_MSG(st == TY_OK, "'%s' does not compile: %s", text,
              ty_diag_count(diag) ? ty_diag_get(diag, 0)->message : "?");
    ty_diag_free(diag);
    if (!p) return NAN;
    double fx[1] = {x}, fy[1] = {y}, fz[1] = {z}, ft[1] = {40000}, fr[1] = {0.5}, out[1] = {-1};
    const double *cols[EU_NF] = {fx, fy, fz, ft, fr};
    double *dout[1] = {out};
    ty_vm_scratch *s = ty_vm_scratch_new(p);
    st = ty_program_run(p, s, 1, cols, dout, NULL, NULL);
    CHECK(st == TY_OK);
    ty_vm_scratch_free(s);
    ty_program_free(p);
    return out[0];
}

/* "LINE:COL: message" of diagnostic i, with " [hint]" when there is one. */
static const char *eu_fmt(const ty_diag *diag, size_t i, char *buf, size_t size)
{
    const ty_diag_entry *e = ty_diag_get(diag, i);
    if (!e) { snprintf(buf, size, "(none)"); return buf; }
    int n = snprintf(buf, size, "%d:%d: %s", e->line, e->col, e->message);
    if (e->hint && n >= 0 && (size_t)n < size) snprintf(buf + n, size - (size_t)n, " [%s]", e->hint);
    return buf;
}

/* Compiles `v: text` (text starting at 2:5) and checks that it fails with
 * exactly `want` as its first error ("LINE:COL: message [hint]"). */
#define EU_CHECK_ERR(text, want) do { \
    ty_expr_def eu_d = {"v", {"t.yaml", 1, 1}, (text), {"t.yaml", 2, 5}}; \
    ty_program_spec eu_s = {eu_factors, NULL, EU_NF, &eu_d, 1, TY_OUTCOME_LOGIT, NULL, 0}; \
    ty_program *eu_p = NULL; ty_diag *eu_g = ty_diag_new(10); char eu_b[512]; \
    ty_status eu_st = ty_program_new(&eu_s, &eu_p, eu_g); \
    CHECK(eu_st != TY_OK && eu_p == NULL); \
    CHECK_STR(eu_fmt(eu_g, 0, eu_b, sizeof eu_b), (want)); \
    ty_program_free(eu_p); ty_diag_free(eu_g); } while (0)

#endif
