/* vm_exec.c - the VM's instruction loop over one chunk (vm.c runs the
 * chunks): one tight loop per instruction that the compiler vectorises.
 * Compiled once per instruction-set level (util/cpu.h: vm_exec_avx2.c,
 * vm_exec_avx512.c); ty_program_run picks one, and every level computes the
 * same values, bit for bit (no contraction, no reassociation). */
#include "ops.h"
#include "program.h"
#include "util/vmath.h"

#include <math.h>
#include <string.h>

/* Softmax over the columns c[0..k) of one chunk, per sample, stably:
 * p_j = exp(s_j - max) / sum_i exp(s_i - max), summed in column order.
 * The scores are checked in the pass that finds the maximum (x - x is 0
 * for a finite x, NaN otherwise): returns 1, leaving the columns as they
 * were, if some score is not finite. */
static int softmax(double *const *c, size_t k, size_t m, double *mx, double *sum)
{
    int bad = 0;
    for (size_t i = 0; i < m; i++) {
        mx[i] = c[0][i];
        bad |= (c[0][i] - c[0][i]) != 0;
    }
    for (size_t j = 1; j < k; j++) {
        const double *x = c[j];
        for (size_t i = 0; i < m; i++) {
            mx[i] = x[i] > mx[i] ? x[i] : mx[i];
            bad |= (x[i] - x[i]) != 0;
        }
    }
    if (bad) return 1;
    for (size_t i = 0; i < m; i++) sum[i] = 0.0;
    for (size_t j = 0; j < k; j++) {
        double *x = c[j];
        for (size_t i = 0; i < m; i++) {
            double e = vm_exp(x[i] - mx[i]);
            x[i] = e;
            sum[i] += e;
        }
    }
    for (size_t j = 0; j < k; j++) {
        double *x = c[j];
        for (size_t i = 0; i < m; i++) x[i] = x[i] / sum[i];
    }
    return 0;
}

/* 1 if some x[0..m) is NaN or infinite: one pass the compiler vectorises
 * (x - x is 0 for a finite x and NaN otherwise; an OR needs no order). */
static int any_not_finite(const double *x, size_t m)
{
    int bad = 0;
    for (size_t i = 0; i < m; i++) bad |= (x[i] - x[i]) != 0;
    return bad;
}

static size_t first_not_finite(const double *x, size_t m)
{
    size_t i = 0;
    while (i < m && x[i] - x[i] == 0) i++;
    return i;
}

/* A rule's fault code for a condition value a that is not finite: below
 * -1 (undecided) and distinct per rule k and per kind of value. */
static inline double rule_fault(double k3, double a)
{
    return k3 - (a != a ? 0.0 : a > 0 ? 1.0 : 2.0);
}

/* Decodes the chooser value d < 0 of a sample at RULEEND into f. */
static void rule_fault_decode(const ty_program *p, double d, ty_program_fault *f)
{
    if (d == -1.0) { f->kind = TY_FAULT_NO_RULE; return; }
    double c = -2.0 - d;                           /* 3k + t */
    size_t k = (size_t)(c / 3.0), t = (size_t)c - 3 * k;
    f->kind = TY_FAULT_NOT_FINITE;
    f->def = p->nderived + k;
    f->value = t == 0 ? NAN : t == 1 ? INFINITY : -INFINITY;
}

/* Runs the code over one chunk of m samples. Returns m, or the index within
 * the chunk of the faulty sample, with *f filled (but for its sample). */
size_t CPU_FN(vm_exec_chunk)(const ty_program *p, double *const *S, size_t m, double *aux,
                             ty_program_fault *f)
{
    for (size_t pc = 0; pc < p->ncode; pc++) {
        const vm_instr *in = &p->code[pc];
        double *d = S[in->dst];
        const double *a = S[in->a], *b = S[in->b], *c = S[in->c];
        const double k = in->k, k2 = in->k2;
#define LOOP(expr) for (size_t i = 0; i < m; i++) d[i] = (expr); break
        switch ((vm_op)in->op) {
        case OP_LOADK: LOOP(k);
        case OP_MOV: LOOP(a[i]);
        case OP_NEG: LOOP(-a[i]);
        case OP_NOT: LOOP(op_not(a[i]));
        case OP_BOOL: LOOP(op_bool(a[i]));
        case OP_ADD: LOOP(a[i] + b[i]);
        case OP_SUB: LOOP(a[i] - b[i]);
        case OP_MUL: LOOP(a[i] * b[i]);
        case OP_DIV: LOOP(a[i] / b[i]);
        case OP_POW: LOOP(pow(a[i], b[i]));
        case OP_ADDK: LOOP(a[i] + k);
        case OP_KSUB: LOOP(k - a[i]);
        case OP_MULK: LOOP(a[i] * k);
        case OP_DIVK: LOOP(a[i] / k);
        case OP_KDIV: LOOP(k / a[i]);
        case OP_POWK:
            /* x^2 as x*x: the same correctly rounded value, without libm
             * (a squared hazard or score is common; pow was a third of a
             * time scenario's run). */
            if (k == 2.0) { LOOP(a[i] * a[i]); }
            LOOP(pow(a[i], k));
        case OP_KPOW: LOOP(pow(k, a[i]));
        case OP_ADDMULK: LOOP(a[i] + b[i] * k);
        case OP_MULKADDK: LOOP(a[i] * k + k2);
        case OP_MULADD: LOOP(a[i] * b[i] + c[i]);
        case OP_MULADDK: LOOP(a[i] * b[i] + k);
        case OP_LT: LOOP(op_cmp(a[i] < b[i], a[i], b[i]));
        case OP_LE: LOOP(op_cmp(a[i] <= b[i], a[i], b[i]));
        case OP_GT: LOOP(op_cmp(a[i] > b[i], a[i], b[i]));
        case OP_GE: LOOP(op_cmp(a[i] >= b[i], a[i], b[i]));
        case OP_EQ: LOOP(op_cmp(a[i] == b[i], a[i], b[i]));
        case OP_NE: LOOP(op_cmp(a[i] != b[i], a[i], b[i]));
        case OP_LTK: LOOP(op_cmp(a[i] < k, a[i], k));
        case OP_LEK: LOOP(op_cmp(a[i] <= k, a[i], k));
        case OP_GTK: LOOP(op_cmp(a[i] > k, a[i], k));
        case OP_GEK: LOOP(op_cmp(a[i] >= k, a[i], k));
        case OP_EQK: LOOP(op_cmp(a[i] == k, a[i], k));
        case OP_NEK: LOOP(op_cmp(a[i] != k, a[i], k));
        case OP_AND: LOOP(op_and(a[i], b[i]));
        case OP_OR: LOOP(op_or(a[i], b[i]));
        case OP_SELECT: LOOP(op_select(a[i], b[i], c[i]));
        case OP_MIN: LOOP(op_min(a[i], b[i]));
        case OP_MAX: LOOP(op_max(a[i], b[i]));
        case OP_MINK: LOOP(op_min(a[i], k));
        case OP_MAXK: LOOP(op_max(a[i], k));
        case OP_EXP: LOOP(vm_exp(a[i]));
        case OP_LOG: LOOP(log(a[i]));
        case OP_SQRT: LOOP(sqrt(a[i]));
        case OP_ABS: LOOP(fabs(a[i]));
        case OP_FLOOR: LOOP(floor(a[i]));
        case OP_CEIL: LOOP(ceil(a[i]));
        case OP_SIN: LOOP(sin(a[i]));
        case OP_COS: LOOP(cos(a[i]));
        case OP_TANH: LOOP(tanh(a[i]));
        case OP_LOGISTIC: LOOP(vm_logistic(a[i]));
        case OP_NORMCDF: LOOP(vm_normcdf(a[i]));
        case OP_SOFTMAX:
            if (softmax(S + in->a, in->b, m, aux, aux + VM_CHUNK)) {
                /* the lowest faulty sample, its first faulty score */
                for (size_t i = 0; i < m; i++)
                    for (size_t j = 0; j < in->b; j++) {
                        double x = S[in->a + j][i];
                        if (x - x == 0) continue;
                        f->kind = TY_FAULT_NOT_FINITE;
                        f->def = p->nderived + j;
                        f->value = x;
                        return i;
                    }
            }
            break;
        case OP_CHECK:
            if (any_not_finite(a, m)) {
                size_t i = first_not_finite(a, m);
                f->kind = TY_FAULT_NOT_FINITE;
                f->def = (size_t)k;
                f->value = a[i];
                return i;
            }
            break;
        case OP_RULE: {
            const double k3 = -2.0 - 3.0 * k;
            LOOP(d[i] != -1.0 ? d[i] : a[i] - a[i] != 0 ? rule_fault(k3, a[i]) : a[i] != 0 ? k : -1.0);
        }
        case OP_RULEELSE: LOOP(d[i] == -1.0 ? k : d[i]);
        case OP_RULEEND:
            for (size_t j = 0; j < in->b; j++) {
                double *o = S[in->a + j];
                for (size_t i = 0; i < m; i++) o[i] = d[i] == (double)j ? 1.0 : 0.0;
            }
            for (size_t i = 0; i < m; i++)
                if (d[i] < 0) {
                    rule_fault_decode(p, d[i], f);
                    return i;
                }
            break;
        case OP_COUNT: break;
        }
#undef LOOP
    }
    return m;
}
