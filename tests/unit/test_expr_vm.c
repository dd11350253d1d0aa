/* test_expr_vm.c - operators, functions, precedence, constant folding, the
 * bytecode, and the VM against the same formulas written in C: the logit
 * bench model, softmax stability, the exp accuracy bound, rules. */
#include "expr_util.h"
#include "util/vmath.h"

#include <stdint.h>

#define EV(text, x, y, z) eu_eval(text, x, y, z)

static void test_operators(void)
{
    CHECK(EV("x + y", 1.5, 2, 0) == 3.5);
    CHECK(EV("x - y", 1.5, 2, 0) == -0.5);
    CHECK(EV("x * y", 1.5, 2, 0) == 3);
    CHECK(EV("x / y", 1.5, 2, 0) == 0.75);
    CHECK(EV("x ^ y", 3, 2, 0) == 9);
    CHECK(EV("x / y", 1, 0, 0) == HUGE_VAL);
    CHECK(EV("x < y", 1, 2, 0) == 1 && EV("x < y", 2, 2, 0) == 0);
    CHECK(EV("x <= y", 2, 2, 0) == 1 && EV("x <= y", 3, 2, 0) == 0);
    CHECK(EV("x > y", 3, 2, 0) == 1 && EV("x > y", 2, 2, 0) == 0);
    CHECK(EV("x >= y", 2, 2, 0) == 1 && EV("x >= y", 1, 2, 0) == 0);
    CHECK(EV("x == y", 2, 2, 0) == 1 && EV("x == y", 1, 2, 0) == 0);
    CHECK(EV("x != y", 2, 2, 0) == 0 && EV("x != y", 1, 2, 0) == 1);
    CHECK(EV("x and y", 2, -3, 0) == 1 && EV("x and y", 0, 1, 0) == 0);
    CHECK(EV("x or y", 0, 0, 0) == 0 && EV("x or y", 0, 0.1, 0) == 1);
    CHECK(EV("not x", 0, 0, 0) == 1 && EV("not x", 5, 0, 0) == 0);
    CHECK(EV("x ? y : z", 1, 2, 3) == 2 && EV("x ? y : z", 0, 2, 3) == 3);
    /* constant operands on either side (the K forms) */
    CHECK(EV("2 - x", 0.5, 0, 0) == 1.5 && EV("x - 2", 0.5, 0, 0) == -1.5);
    CHECK(EV("3 / x", 2, 0, 0) == 1.5 && EV("x / 4", 2, 0, 0) == 0.5);
    CHECK(EV("2 ^ x", 3, 0, 0) == 8 && EV("x ^ 2", 3, 0, 0) == 9);
    CHECK(EV("1 < x", 2, 0, 0) == 1 && EV("x < 1", 2, 0, 0) == 0);
    CHECK(EV("2 <= x", 2, 0, 0) == 1 && EV("3 >= x", 2, 0, 0) == 1);
    CHECK(EV("2 > x", 2, 0, 0) == 0 && EV("2 == x", 2, 0, 0) == 1 && EV("2 != x", 2, 0, 0) == 0);
    CHECK(EV("x and 0", 1, 0, 0) == 0 && EV("x and 2", 3, 0, 0) == 1 && EV("0 or x", 0, 0, 0) == 0);
    CHECK(EV("x or 1", 0, 0, 0) == 1 && EV("x ? 5 : 6", 1, 0, 0) == 5 && EV("x ? 5 : 6", 0, 0, 0) == 6);
    /* fused forms */
    CHECK(EV("x + y * 3", 1, 2, 0) == 7 && EV("x - y * 3", 1, 2, 0) == -5);
    CHECK(EV("3 * y + x", 1, 2, 0) == 7 && EV("2 * x + 1", 3, 0, 0) == 7);
    CHECK(EV("1 - 2 * x", 3, 0, 0) == -5 && EV("x * 2 - 1", 3, 0, 0) == 5);
    CHECK(EV("x * y + z", 2, 3, 4) == 10 && EV("z + x * y", 2, 3, 4) == 10);
    CHECK(EV("x * y + 1", 2, 3, 0) == 7 && EV("x * y - 1", 2, 3, 0) == 5);
    CHECK(EV("1 + x * y", 2, 3, 0) == 7);
}

static void test_functions(void)
{
    CHECK(EV("exp(x)", 0, 0, 0) == 1);
    CHECK_NEAR(EV("exp(x)", 1, 0, 0), exp(1.0), 5e-16);   /* 1 ulp */
    CHECK(EV("log(x)", 1, 0, 0) == 0 && EV("log(x)", 8, 0, 0) == log(8.0));
    CHECK(EV("sqrt(x)", 2, 0, 0) == sqrt(2.0));
    CHECK(EV("abs(x)", -2.5, 0, 0) == 2.5);
    CHECK(EV("floor(x)", -2.5, 0, 0) == -3 && EV("ceil(x)", -2.5, 0, 0) == -2);
    volatile double h = 0.7;   /* libm at run time, not gcc's folding */
    CHECK(EV("sin(x)", 0.7, 0, 0) == sin(h) && EV("cos(x)", 0.7, 0, 0) == cos(h));
    CHECK(EV("tanh(x)", 0.7, 0, 0) == tanh(h));
    CHECK(EV("logistic(x)", 0, 0, 0) == 0.5);
    CHECK_NEAR(EV("logistic(x)", 2, 0, 0), 1 / (1 + exp(-2.0)), 1e-15);
    CHECK(EV("normcdf(x)", 0, 0, 0) == 0.5);
    CHECK_NEAR(EV("normcdf(x)", 1.959963984540054, 0, 0), 0.975, 1e-15);
    CHECK(EV("pow(x, y)", 2, 10, 0) == 1024 && EV("pow(x, 0.5)", 4, 0, 0) == 2);
    CHECK(EV("pow(2, x)", 3, 0, 0) == 8);
    CHECK(EV("min(x, y)", 1, 2, 0) == 1 && EV("max(x, y)", 1, 2, 0) == 2);
    CHECK(EV("min(x, y, z, 0.5)", 1, 2, 3) == 0.5 && EV("max(x, 7, y, z)", 1, 2, 3) == 7);
    CHECK(EV("min(4, x)", 5, 0, 0) == 4 && EV("max(4, 1, x)", 0, 0, 0) == 4);
    CHECK(EV("clamp(x, 0, 1)", 1.5, 0, 0) == 1 && EV("clamp(x, 0, 1)", -1, 0, 0) == 0);
    CHECK(EV("clamp(x, y, z)", 0.5, 0, 1) == 0.5 && EV("clamp(2, y, z)", 0, 0, 1) == 1);
    CHECK(EV("clamp(x, 0, z)", 5, 0, 3) == 3);
    CHECK(EV("pi", 0, 0, 0) == 3.14159265358979323846 && EV("e", 0, 0, 0) == 2.71828182845904523536);
    CHECK(EV("x", 4, 0, 0) == 4 && EV("4", 0, 0, 0) == 4);
    /* the VM and the folder agree on the same operations */
    CHECK(EV("exp(x) + log(x) + logistic(x) + normcdf(x)", 0.3, 0, 0) ==
          EV("exp(0.3) + log(0.3) + logistic(0.3) + normcdf(0.3)", 0, 0, 0));
}

static void test_precedence(void)
{
    CHECK(EV("-2^2", 0, 0, 0) == -4 && EV("-x^2", 2, 0, 0) == -4);
    CHECK(EV("2^3^2", 0, 0, 0) == 512 && EV("x^y^z", 2, 3, 2) == 512);
    CHECK(EV("2^-1", 0, 0, 0) == 0.5 && EV("x^-y", 2, 1, 0) == 0.5);
    CHECK(EV("(-2)^2", 0, 0, 0) == 4 && EV("--x", 3, 0, 0) == 3 && EV("+-x", 3, 0, 0) == -3);
    CHECK(EV("1 + 2 * 3", 0, 0, 0) == 7 && EV("x + y * z", 1, 2, 3) == 7);
    CHECK(EV("(1 + 2) * 3", 0, 0, 0) == 9 && EV("(x + y) * z", 1, 2, 3) == 9);
    CHECK(EV("8 / 4 / 2", 0, 0, 0) == 1 && EV("x / y / z", 8, 4, 2) == 1);
    CHECK(EV("8 - 4 - 2", 0, 0, 0) == 2 && EV("x - y - z", 8, 4, 2) == 2);
    CHECK(EV("2 * 3 ^ 2", 0, 0, 0) == 18 && EV("-x * y", 2, 3, 0) == -6);
    CHECK(EV("1 + 1 < 3", 0, 0, 0) == 1 && EV("x + 1 < y", 1, 3, 0) == 1);
    CHECK(EV("not x > 1", 2, 0, 0) == 0 && EV("not x == 0", 0, 0, 0) == 0);
    CHECK(EV("x or y and z", 1, 0, 0) == 1);                   /* and binds tighter */
    CHECK(EV("(x or y) and z", 1, 0, 0) == 0);
    CHECK(EV("not x and y", 0, 1, 0) == 1 && EV("not (x and y)", 1, 0, 0) == 1);
    CHECK(EV("x ? 1 : y ? 2 : 3", 0, 1, 0) == 2);             /* right-assoc */
    CHECK(EV("x ? 1 : y ? 2 : 3", 0, 0, 0) == 3);
    CHECK(EV("x ? y ? 1 : 2 : 3", 1, 0, 0) == 2);
    CHECK(EV("x > 1 ? x + 1 : x - 1", 2, 0, 0) == 3);
    CHECK(EV("x or y ? 10 : 20", 0, 1, 0) == 10);
    CHECK(EV("1 ? 2 : 3", 0, 0, 0) == 2 && EV("0 ? x : y", 5, 6, 0) == 6);
    CHECK(EV("4e4", 0, 0, 0) == 40000 && EV(".5", 0, 0, 0) == 0.5 && EV("1.5E-3", 0, 0, 0) == 0.0015);
}

/* Bytecode for a program with one derived value over x, y. */
static ty_program *compile1(const char *text)
{
    ty_expr_def d = {"v", {0}, text, {"t", 1, 1}};
    ty_program_spec spec = {eu_factors, NULL, EU_NF, &d, 1, TY_OUTCOME_LOGIT, NULL, 0};
    ty_program *p = NULL;
    ty_diag *diag = ty_diag_new(5);
    CHECK(ty_program_new(&spec, &p, diag) == TY_OK);
    ty_diag_free(diag);
    return p;
}

static void check_code(const char *text, const char *want)
{
    ty_program *p = compile1(text);
    char buf[2048];
    if (!p) return;
    size_t need = ty_program_disasm(p, buf, sizeof buf);
    CHECK(need == strlen(buf));
    CHECK_STR(buf, want);
    ty_program_free(p);
}

static void test_folding(void)
{
    check_code("2 * 3 + 1", "   0  LOADK     v, 7\n");
    check_code("sqrt(16) + max(1, 2, 3) * pi - (1 < 2 ? e : 0) + 2^-1",
               "   0  LOADK     v, 11.206496132310335\n");
    check_code("x * 1", "   0  MOV       v, x\n");
    check_code("(2 + 3) * x", "   0  MULK      v, x, 5\n");
    check_code("x + 1 + 2", "   0  ADDK      t0, x, 1\n   1  ADDK      v, t0, 2\n");
    check_code("0 ? x : y + 1", "   0  ADDK      v, y, 1\n");
    check_code("x - 0.1", "   0  ADDK      v, x, -0.1\n");
    check_code("-3 + 2 * x - 2.5 * y",
               "   0  MULKADDK  t0, x, 2, -3\n   1  ADDMULK   v, t0, y, -2.5\n");
    check_code("clamp(x, 0, 1)", "   0  MAXK      t0, x, 0\n   1  MINK      v, t0, 1\n");
    ty_program *p = compile1("exp(log(2)) * x");
    CHECK(p && ty_program_ninstr(p) == 1);
    ty_program_free(p);
    /* a right-deep tree needs few temporaries once evaluated needier-first */
    p = compile1("x * (y + (z * (x + (y * (z + (x * (y + 1)))))))");
    CHECK(p && ty_program_ntemps(p) <= 1);
    ty_program_free(p);
    p = compile1("(x + y) * (y + z) + (z + x) * (x - y)");
    CHECK(p && ty_program_ntemps(p) <= 4);   /* MULADD keeps both factors live */
    ty_program_free(p);
}

/* ---- the bench model through the VM and in C ---- */

static const char *const bm_factors[] = {"troops", "resistance", "sanctions", "talks",
                                         "us_resolve", "territory", "squeeze_value",
                                         "crimea_secure"};
static const ty_expr_def bm_derived[] = {
    {"force_needed", {0}, "30000 * territory * (0.5 + resistance)", {"b", 1, 1}},
    {"force_ratio", {0}, "troops / force_needed", {"b", 2, 1}},
    {"sanction_cost", {0}, "sanctions * (1 - 0.5 * talks)", {"b", 3, 1}},
};
static const ty_expr_def bm_outcomes[] = {
    {"invasion", {0}, "-3.0 + 2.0*force_ratio - 2.5*resistance - 2.0*sanction_cost\n"
                      "  - 1.5*squeeze_value + 0.5*(1 - crimea_secure)", {"b", 4, 1}},
    {"squeeze", {0}, "0.5 + 1.5*squeeze_value + 1.0*talks", {"b", 6, 1}},
    {"federal_deal", {0}, "-1.0 + 1.5*talks*(1 - us_resolve)", {"b", 7, 1}},
    {"showdown", {0}, "-1.5 + 2.0*us_resolve + 1.0*sanctions - 0.5*talks", {"b", 8, 1}},
    {"withdrawal", {0}, "-2.5 + 2.0*sanction_cost + 1.0*(1 - squeeze_value)\n"
                        "  - 0.5*crimea_secure", {"b", 9, 1}},
};

static uint64_t lcg(uint64_t *s) { return *s = *s * 6364136223846793005u + 1442695040888963407u; }
static double unif(uint64_t *s) { return (double)(lcg(s) >> 11) * 0x1p-53; }

static void test_equivalence(void)
{
    ty_program_spec spec = {bm_factors, NULL, 8, bm_derived, 3, TY_OUTCOME_LOGIT, bm_outcomes, 5};
    ty_program *p = NULL;
    ty_diag *diag = ty_diag_new(5);
    CHECK(ty_program_new(&spec, &p, diag) == TY_OK);
    ty_diag_free(diag);
    if (!p) return;
    enum { N = 1000 };
    static double f[8][N], d[3][N], o[5][N], o2[5][N];
    uint64_t s = 42;
    for (int i = 0; i < N; i++) {
        f[0][i] = 40000 + 8000 * (unif(&s) - 0.5) * 3;
        f[1][i] = unif(&s);
        f[2][i] = 0.05 + 0.75 * unif(&s);
        f[3][i] = unif(&s) < 0.8;
        f[4][i] = unif(&s);
        f[5][i] = exp(0.25 * (unif(&s) - 0.5));
        f[6][i] = 0.3 + 0.6 * unif(&s);
        f[7][i] = unif(&s) < 0.9;
    }
    const double *fc[8];
    for (int j = 0; j < 8; j++) fc[j] = f[j];
    double *dc[3] = {d[0], d[1], d[2]}, *oc[5] = {o[0], o[1], o[2], o[3], o[4]};
    ty_vm_scratch *sc = ty_vm_scratch_new(p);
    CHECK(ty_program_run(p, sc, N, fc, dc, oc, NULL) == TY_OK);
    int mismatch = 0;
    for (int i = 0; i < N; i++) {
        double troops = f[0][i], resistance = f[1][i], sanctions = f[2][i], talks = f[3][i];
        double us_resolve = f[4][i], territory = f[5][i], squeeze_value = f[6][i];
        double crimea_secure = f[7][i];
        double force_needed = 30000 * territory * (0.5 + resistance);
        double force_ratio = troops / force_needed;
        double sanction_cost = sanctions * (1 - 0.5 * talks);
        double sc5[5];
        sc5[0] = -3.0 + 2.0 * force_ratio - 2.5 * resistance - 2.0 * sanction_cost -
                 1.5 * squeeze_value + 0.5 * (1 - crimea_secure);
        sc5[1] = 0.5 + 1.5 * squeeze_value + 1.0 * talks;
        sc5[2] = -1.0 + 1.5 * talks * (1 - us_resolve);
        sc5[3] = -1.5 + 2.0 * us_resolve + 1.0 * sanctions - 0.5 * talks;
        sc5[4] = -2.5 + 2.0 * sanction_cost + 1.0 * (1 - squeeze_value) - 0.5 * crimea_secure;
        double m = sc5[0];
        for (int k = 1; k < 5; k++) m = sc5[k] > m ? sc5[k] : m;
        double e[5], sum = 0;
        for (int k = 0; k < 5; k++) { e[k] = vm_exp(sc5[k] - m); sum += e[k]; }
        if (d[0][i] != force_needed || d[1][i] != force_ratio || d[2][i] != sanction_cost)
            mismatch++;
        double psum = 0;
        for (int k = 0; k < 5; k++) {
            if (o[k][i] != e[k] / sum) mismatch++;
            psum += o[k][i];
            /* and libm's exp within a few ulp of the whole probability */
            double el = 0;
            for (int j = 0; j < 5; j++) el += exp(sc5[j] - m);
            CHECK_NEAR(o[k][i], exp(sc5[k] - m) / el, 1e-15);
        }
        CHECK_NEAR(psum, 1.0, 1e-15);
    }
    CHECK_MSG(mismatch == 0, "%d values differ from the C formulas", mismatch);
    /* chunking does not change results: run in uneven pieces */
    double *oc2[5] = {o2[0], o2[1], o2[2], o2[3], o2[4]};
    size_t done = 0, step = 1;
    while (done < N) {
        size_t n = N - done < step ? N - done : step;
        const double *fo[8];
        double *po[5];
        for (int j = 0; j < 8; j++) fo[j] = f[j] + done;
        for (int k = 0; k < 5; k++) po[k] = oc2[k] + done;
        CHECK(ty_program_run(p, sc, n, fo, NULL, po, NULL) == TY_OK);
        done += n;
        step = step * 3 + 1;
    }
    CHECK(memcmp(o, o2, sizeof o) == 0);
    ty_vm_scratch_free(sc);
    ty_program_free(p);
}

static double ulp_diff(double a, double b)
{
    if (a == b) return 0;
    if (!isfinite(a) || !isfinite(b)) return HUGE_VAL;
    double u = nextafter(fabs(b), HUGE_VAL) - fabs(b);
    return fabs(a - b) / u;
}

static void test_exp_accuracy(void)
{
    uint64_t s = 7;
    double worst = 0;
    for (int i = 0; i < 1000000; i++) {
        double x = -745 + (709.7 + 745) * unif(&s);
        if (i % 2) x = -20 + 40 * unif(&s);
        double d = ulp_diff(vm_exp(x), exp(x));
        if (d > worst) worst = d;
    }
    CHECK_MSG(worst <= 2, "worst error %g ulp", worst);
    printf("vm_exp: worst error against glibc exp over 1e6 arguments: %.3g ulp\n", worst);
    CHECK(vm_exp(0) == 1 && ulp_diff(vm_exp(1), exp(1.0)) <= 1);
    CHECK(vm_exp(710) == HUGE_VAL && vm_exp(1e300) == HUGE_VAL && vm_exp(HUGE_VAL) == HUGE_VAL);
    CHECK(vm_exp(-746) == 0 && vm_exp(-HUGE_VAL) == 0 && isnan(vm_exp(NAN)));
    CHECK(vm_exp(709.78) == exp(709.78) || ulp_diff(vm_exp(709.78), exp(709.78)) <= 2);
    CHECK(ulp_diff(vm_exp(-740), exp(-740)) <= 2);   /* subnormal */
}

static void test_softmax_stability(void)
{
    const char *f[] = {"a"};
    ty_expr_def out[] = {{"lo", {0}, "1000 + a", {"t", 1, 1}},
                         {"hi", {0}, "1001 + a", {"t", 2, 1}},
                         {"low", {0}, "-1000", {"t", 3, 1}}};
    ty_program_spec spec = {f, NULL, 1, NULL, 0, TY_OUTCOME_LOGIT, out, 3};
    ty_program *p = NULL;
    CHECK(ty_program_new(&spec, &p, NULL) == TY_OK);
    if (!p) return;
    double a[2] = {0, 1e6}, p0[2], p1[2], p2[2];
    const double *fc[1] = {a};
    double *oc[3] = {p0, p1, p2};
    ty_vm_scratch *s = ty_vm_scratch_new(p);
    CHECK(ty_program_run(p, s, 2, fc, NULL, oc, NULL) == TY_OK);
    double want = 1 / (1 + exp(1.0));
    CHECK_NEAR(p0[0], want, 1e-15);
    CHECK_NEAR(p1[0], 1 - want, 1e-15);
    CHECK(p2[0] == 0 && p2[1] == 0);
    CHECK_NEAR(p0[1], want, 1e-15);
    CHECK(isfinite(p0[1]) && isfinite(p1[1]));
    ty_vm_scratch_free(s);
    ty_program_free(p);
}

static void test_rules(void)
{
    const char *f[] = {"x"};
    ty_expr_def out[] = {{"big", {0}, "x > 10", {"t", 1, 1}},
                         {"mid", {0}, "x > 5", {"t", 2, 1}},
                         {"neg", {0}, "x < 0", {"t", 3, 1}},
                         {"rest", {0}, NULL, {0}}};
    ty_program_spec spec = {f, NULL, 1, NULL, 0, TY_OUTCOME_RULES, out, 4};
    ty_program *p = NULL;
    CHECK(ty_program_new(&spec, &p, NULL) == TY_OK);
    if (!p) return;
    enum { N = 600 };
    static double x[N], o[4][N];
    for (int i = 0; i < N; i++) x[i] = (double)(i % 30) - 8;
    const double *fc[1] = {x};
    double *oc[4] = {o[0], o[1], o[2], o[3]};
    ty_vm_scratch *s = ty_vm_scratch_new(p);
    CHECK(ty_program_run(p, s, N, fc, NULL, oc, NULL) == TY_OK);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        int want = x[i] > 10 ? 0 : x[i] > 5 ? 1 : x[i] < 0 ? 2 : 3;
        for (int k = 0; k < 4; k++) bad += o[k][i] != (k == want);
    }
    CHECK(bad == 0);
    ty_vm_scratch_free(s);
    ty_program_free(p);

    /* no otherwise: the first sample matching nothing is reported */
    spec.noutcomes = 3;
    CHECK(ty_program_new(&spec, &p, NULL) == TY_OK);
    s = ty_vm_scratch_new(p);
    for (int i = 0; i < N; i++) x[i] = i == 300 || i == 400 ? 2 : -1;
    size_t at = 0;
    CHECK(ty_program_run(p, s, N, fc, NULL, oc, &at) == TY_ERR_INVALID);
    CHECK(at == 300);
    for (int i = 0; i < N; i++) x[i] = -1;
    CHECK(ty_program_run(p, s, N, fc, NULL, oc, &at) == TY_OK);
    ty_vm_scratch_free(s);
    ty_program_free(p);

    /* otherwise must be last; a logit model has no otherwise */
    ty_expr_def bad_out[] = {{"a", {"t", 4, 3}, NULL, {0}}, {"b", {0}, "x > 1", {"t", 5, 6}}};
    spec.outcomes = bad_out;
    spec.noutcomes = 2;
    ty_diag *diag = ty_diag_new(5);
    CHECK(ty_program_new(&spec, &p, diag) == TY_ERR_INVALID);
    char buf[256];
    CHECK_STR(eu_fmt(diag, 0, buf, sizeof buf), "4:3: 'otherwise' must be the last outcome ('a' is not)");
    ty_diag_free(diag);
}

TEST_MAIN(test_operators, test_functions, test_precedence, test_folding, test_equivalence,
          test_exp_accuracy, test_softmax_stability, test_rules)
