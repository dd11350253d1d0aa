/* vm.c - runs a compiled program over a block of samples, chunk by chunk,
 * one instruction at a time over the whole chunk (structure of arrays), so
 * each instruction is a tight loop the compiler vectorises and dispatch
 * costs once per 256 samples. Also the disassembler. Allocates nothing
 * while running; the scratch holds the registers and the last fault. */
#include "util/sbuf.h"
#include "ops.h"
#include "program.h"
#include "util/vmath.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ty_vm_scratch {
    const ty_program *prog;
    double **slot;     /* nslots pointers, re-aimed for each chunk */
    double *buf;       /* (nderived + noutcomes + ntemps + 2) * VM_CHUNK */
    ty_program_fault fault;   /* of the last run */
};

ty_vm_scratch *ty_vm_scratch_new(const ty_program *prog)
{
    ty_vm_scratch *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->prog = prog;
    size_t nbuf = prog->nderived + prog->noutcomes + prog->ntemps + 2;
    s->slot = calloc(prog->nslots + 1, sizeof *s->slot);
    s->buf = aligned_alloc(64, nbuf * VM_CHUNK * sizeof(double));
    if (!s->slot || !s->buf) { ty_vm_scratch_free(s); return NULL; }
    memset(s->buf, 0, nbuf * VM_CHUNK * sizeof(double));
    return s;
}

void ty_vm_scratch_free(ty_vm_scratch *scratch)
{
    if (!scratch) return;
    free(scratch->slot);
    free(scratch->buf);
    free(scratch);
}

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
static size_t exec_chunk(const ty_program *p, double *const *S, size_t m, double *aux,
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

ty_status ty_program_run(const ty_program *prog, ty_vm_scratch *scratch, size_t n,
                         const double *const *factors, double *const *derived,
                         double *const *outcomes, size_t *bad_sample)
{
    const size_t F = prog->nfactors, D = prog->nderived, K = prog->noutcomes;
    double **S = scratch->slot;
    double *own = scratch->buf;   /* D + K own columns, temps, then 2 aux */
    for (size_t t = 0; t < prog->ntemps; t++) S[F + D + K + t] = own + (D + K + t) * VM_CHUNK;
    double *aux = own + (D + K + prog->ntemps) * VM_CHUNK;
    ty_program_fault *f = &scratch->fault;
    *f = (ty_program_fault){0};
    for (size_t off = 0; off < n; off += VM_CHUNK) {
        size_t m = n - off < VM_CHUNK ? n - off : VM_CHUNK;
        for (size_t c = 0; c < F; c++) S[c] = (double *)(uintptr_t)(factors[c] + off);
        for (size_t j = 0; j < D; j++)
            S[F + j] = derived && derived[j] ? derived[j] + off : own + j * VM_CHUNK;
        for (size_t j = 0; j < K; j++)
            S[F + D + j] = outcomes && outcomes[j] ? outcomes[j] + off : own + (D + j) * VM_CHUNK;
        size_t bad = exec_chunk(prog, S, m, aux, f);
        if (bad < m) {
            f->sample = off + bad;
            if (bad_sample) *bad_sample = off + bad;
            return TY_ERR_INVALID;
        }
    }
    return TY_OK;
}

ty_program_fault ty_vm_scratch_fault(const ty_vm_scratch *scratch) { return scratch->fault; }

/* ---- disassembler ---- */

static const char *const op_names[] = {
#define TY_OP_NAME_(name, operands, meaning) #name,
    TY_OPCODES(TY_OP_NAME_)
#undef TY_OP_NAME_
};
static const char *const op_operands[] = {
#define TY_OP_OPS_(name, operands, meaning) operands,
    TY_OPCODES(TY_OP_OPS_)
#undef TY_OP_OPS_
};


static void sb_slot(sbuf *b, const ty_program *p, size_t s)
{
    size_t base_out = p->nfactors + p->nderived, base_t = base_out + p->noutcomes;
    if (s >= base_t) sbuf_printf(b, "t%zu", s - base_t);
    else if (s >= base_out) sbuf_printf(b, "outcome.%s", p->names[s]);
    else sbuf_printf(b, "%s", p->names[s]);
}

/* Shortest of %.15g/%.17g that reads back exactly. */
static void sb_num(sbuf *b, double x)
{
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", x);
    if (strtod(tmp, NULL) != x && x == x) snprintf(tmp, sizeof tmp, "%.17g", x);
    sbuf_printf(b, "%s", tmp);
}

size_t ty_program_disasm(const ty_program *prog, char *buf, size_t size)
{
    sbuf b = {buf, size, 0};
    if (size) buf[0] = '\0';
    for (size_t pc = 0; pc < prog->ncode; pc++) {
        const vm_instr *in = &prog->code[pc];
        sbuf_printf(&b, "%4zu  %-9s", pc, op_names[in->op]);
        const char *ops = op_operands[in->op];
        for (const char *o = ops; *o; o++) {
            sbuf_printf(&b, o == ops ? " " : ", ");
            switch (*o) {
            case 'd': sb_slot(&b, prog, in->dst); break;
            case 'a': sb_slot(&b, prog, in->a); break;
            case 'b': sb_slot(&b, prog, in->b); break;
            case 'c': sb_slot(&b, prog, in->c); break;
            case 'k': sb_num(&b, in->k); break;
            case 'K': sb_num(&b, in->k2); break;
            case 'n': sbuf_printf(&b, "%u", (unsigned)in->b); break;
            }
        }
        sbuf_printf(&b, "\n");
    }
    if (size && b.len >= size) buf[size - 1] = '\0';
    return b.len;
}
