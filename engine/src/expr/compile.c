/* compile.c - ty_program_new: checks the declared names, parses and resolves
 * every expression of a scenario, then generates block bytecode. Derived
 * values and scores are computed straight into their output slots; the
 * operand needing more temporaries is generated first (Sethi-Ullman) and
 * temporaries are reused as soon as they are read, so few are live. */
#include "expr_int.h"
#include "ops.h"
#include "program.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- code generation ---- */

typedef struct cg {
    vm_instr *code;
    size_t n, cap;
    int base_temp;
    int ntemps;             /* high-water mark */
    char used[VM_MAX_TEMPS];
    int oom, overflow;
} cg;

typedef struct opnd {
    int isk;                /* 1: constant k, no slot */
    double k;
    int slot;
} opnd;

static void emit(cg *g, int op, int dst, int a, int b, int c, double k, double k2)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 32;
        vm_instr *code = realloc(g->code, cap * sizeof *code);
        if (!code) { g->oom = 1; return; }
        g->code = code;
        g->cap = cap;
    }
    g->code[g->n++] = (vm_instr){(uint16_t)op, (uint16_t)dst, (uint16_t)a, (uint16_t)b,
                                 (uint16_t)c, k, k2};
}

static int alloc_temp(cg *g)
{
    for (int i = 0; i < VM_MAX_TEMPS; i++) {
        if (!g->used[i]) {
            g->used[i] = 1;
            if (i + 1 > g->ntemps) g->ntemps = i + 1;
            return g->base_temp + i;
        }
    }
    g->overflow = 1;
    return g->base_temp;
}

static void release(cg *g, opnd o)
{
    if (!o.isk && o.slot >= g->base_temp) g->used[o.slot - g->base_temp] = 0;
}

static opnd reg(int slot) { return (opnd){0, 0, slot}; }
static opnd konst(double k) { return (opnd){1, k, -1}; }

/* Where a result goes: the requested slot, or a fresh temporary. */
static int target(cg *g, int dst) { return dst >= 0 ? dst : alloc_temp(g); }

/* A constant result: loaded only when a slot was requested. */
static opnd finish_const(cg *g, double k, int dst)
{
    if (dst < 0) return konst(k);
    emit(g, OP_LOADK, dst, 0, 0, 0, k, 0);
    return reg(dst);
}

/* Temporaries a subtree needs; memoised in node->need (+1). */
static int need(node *n)
{
    if (n->need) return n->need - 1;
    int r = 0;
    if (n->kind == N_NUM || n->kind == N_NAME) r = 0;
    else if (n->nkids == 1) { r = need(n->kids[0]); if (r < 1) r = 1; }
    else {
        for (int i = 0; i < n->nkids; i++) {
            int k = need(n->kids[i]) + i;   /* earlier results stay live */
            if (k > r) r = k;
        }
        if (n->nkids == 2) {
            int a = need(n->kids[0]), b = need(n->kids[1]);
            r = a == b ? a + 1 : (a > b ? a : b);
        }
        if (r < 1) r = 1;
    }
    n->need = r + 1;
    return r;
}

static opnd gen(cg *g, node *n, int dst);

/* Generates n into a slot: constants are loaded into a temporary. */
static opnd gen_reg(cg *g, node *n)
{
    opnd o = gen(g, n, -1);
    if (!o.isk) return o;
    int t = alloc_temp(g);
    emit(g, OP_LOADK, t, 0, 0, 0, o.k, 0);
    return reg(t);
}

static opnd gen_unary(cg *g, int op, node *kid, int dst)
{
    opnd a = gen_reg(g, kid);
    release(g, a);
    int d = target(g, dst);
    emit(g, op, d, a.slot, 0, 0, 0, 0);
    return reg(d);
}

/* Generates two operands, the needier first; both may be constants. */
static void gen_pair(cg *g, node *l, node *r, opnd *a, opnd *b)
{
    if (need(r) > need(l)) {
        *b = gen(g, r, -1);
        *a = gen(g, l, -1);
    } else {
        *a = gen(g, l, -1);
        *b = gen(g, r, -1);
    }
}

static int is_mulk(const node *n, node **y, double *k)
{
    if (n->kind != N_BIN || n->op != B_MUL) return 0;
    if (n->kids[1]->kind == N_NUM && n->kids[0]->kind != N_NUM) {
        *y = n->kids[0]; *k = n->kids[1]->num; return 1;
    }
    if (n->kids[0]->kind == N_NUM && n->kids[1]->kind != N_NUM) {
        *y = n->kids[1]; *k = n->kids[0]->num; return 1;
    }
    return 0;
}

static int is_mulrr(const node *n)
{
    return n->kind == N_BIN && n->op == B_MUL && n->kids[0]->kind != N_NUM &&
           n->kids[1]->kind != N_NUM;
}

/* Fused add/subtract forms; returns 1 when one applied. Each is exactly the
 * C expression it replaces: x - y*k == x + y*(-k) and addition commutes. */
static int gen_fused(cg *g, node *n, int dst, opnd *out)
{
    node *l = n->kids[0], *r = n->kids[1], *y;
    double k, sign = n->op == B_SUB ? -1.0 : 1.0;
    if (r->kind == N_NUM && is_mulk(l, &y, &k)) {             /* y*k +- c */
        opnd a = gen_reg(g, y);
        release(g, a);
        int d = target(g, dst);
        emit(g, OP_MULKADDK, d, a.slot, 0, 0, k, sign * r->num);
        *out = reg(d);
        return 1;
    }
    if (l->kind == N_NUM && is_mulk(r, &y, &k)) {             /* c +- y*k */
        opnd a = gen_reg(g, y);
        release(g, a);
        int d = target(g, dst);
        emit(g, OP_MULKADDK, d, a.slot, 0, 0, sign * k, l->num);
        *out = reg(d);
        return 1;
    }
    node *x = NULL;
    if (is_mulk(r, &y, &k)) x = l;                            /* x +- y*k */
    else if (n->op == B_ADD && is_mulk(l, &y, &k)) { x = r; sign = 1.0; }
    if (x && x->kind != N_NUM) {
        opnd a, b;
        gen_pair(g, x, y, &a, &b);
        release(g, a);
        release(g, b);
        int d = target(g, dst);
        emit(g, OP_ADDMULK, d, a.slot, b.slot, 0, sign * k, 0);
        *out = reg(d);
        return 1;
    }
    if (n->op != B_ADD) {
        if (is_mulrr(l) && r->kind == N_NUM) {                /* a*b - c */
            opnd a, b;
            gen_pair(g, l->kids[0], l->kids[1], &a, &b);
            release(g, a);
            release(g, b);
            int d = target(g, dst);
            emit(g, OP_MULADDK, d, a.slot, b.slot, 0, -r->num, 0);
            *out = reg(d);
            return 1;
        }
        return 0;
    }
    node *m = is_mulrr(l) ? l : is_mulrr(r) ? r : NULL;       /* a*b + x */
    if (!m) return 0;
    x = m == l ? r : l;
    if (x->kind == N_NUM) {
        opnd a, b;
        gen_pair(g, m->kids[0], m->kids[1], &a, &b);
        release(g, a);
        release(g, b);
        int d = target(g, dst);
        emit(g, OP_MULADDK, d, a.slot, b.slot, 0, x->num, 0);
        *out = reg(d);
        return 1;
    }
    opnd a, b, c;
    if (need(x) > need(m)) {
        c = gen(g, x, -1);
        gen_pair(g, m->kids[0], m->kids[1], &a, &b);
    } else {
        gen_pair(g, m->kids[0], m->kids[1], &a, &b);
        c = gen(g, x, -1);
    }
    release(g, a);
    release(g, b);
    release(g, c);
    int d = target(g, dst);
    emit(g, OP_MULADD, d, a.slot, b.slot, c.slot, 0, 0);
    *out = reg(d);
    return 1;
}

static opnd gen_bin(cg *g, node *n, int dst)
{
    opnd o;
    if ((n->op == B_ADD || n->op == B_SUB) && gen_fused(g, n, dst, &o)) return o;
    opnd a, b;
    gen_pair(g, n->kids[0], n->kids[1], &a, &b);
    release(g, a);
    release(g, b);
    if (n->op == B_AND || n->op == B_OR) {
        if ((a.isk && a.k != a.k) || (b.isk && b.k != b.k)) {   /* a NaN constant */
            opnd k = a.isk ? a : b, x = a.isk ? b : a;
            int t = alloc_temp(g), d = target(g, dst);
            emit(g, OP_LOADK, t, 0, 0, 0, k.k, 0);
            emit(g, n->op == B_AND ? OP_AND : OP_OR, d, x.isk ? t : x.slot, t, 0, 0, 0);
            release(g, reg(t));
            return reg(d);
        }
        if (a.isk || b.isk) {
            opnd k = a.isk ? a : b, x = a.isk ? b : a;
            int zero = k.k == 0;
            if (n->op == B_AND && zero) return finish_const(g, 0, dst);
            if (n->op == B_OR && !zero) return finish_const(g, 1, dst);
            int d = target(g, dst);
            emit(g, OP_BOOL, d, x.slot, 0, 0, 0, 0);
            return reg(d);
        }
        int d = target(g, dst);
        emit(g, n->op == B_AND ? OP_AND : OP_OR, d, a.slot, b.slot, 0, 0, 0);
        return reg(d);
    }
    int d = target(g, dst);
    static const int rr[] = {
        [B_ADD] = OP_ADD, [B_SUB] = OP_SUB, [B_MUL] = OP_MUL, [B_DIV] = OP_DIV,
        [B_POW] = OP_POW, [B_LT] = OP_LT, [B_LE] = OP_LE, [B_GT] = OP_GT, [B_GE] = OP_GE,
        [B_EQ] = OP_EQ, [B_NE] = OP_NE};
    static const int rk[] = {            /* a op k */
        [B_ADD] = OP_ADDK, [B_SUB] = OP_ADDK, [B_MUL] = OP_MULK, [B_DIV] = OP_DIVK,
        [B_POW] = OP_POWK, [B_LT] = OP_LTK, [B_LE] = OP_LEK, [B_GT] = OP_GTK, [B_GE] = OP_GEK,
        [B_EQ] = OP_EQK, [B_NE] = OP_NEK};
    static const int kr[] = {            /* k op a */
        [B_ADD] = OP_ADDK, [B_SUB] = OP_KSUB, [B_MUL] = OP_MULK, [B_DIV] = OP_KDIV,
        [B_POW] = OP_KPOW, [B_LT] = OP_GTK, [B_LE] = OP_GEK, [B_GT] = OP_LTK, [B_GE] = OP_LEK,
        [B_EQ] = OP_EQK, [B_NE] = OP_NEK};
    if (!a.isk && !b.isk) emit(g, rr[n->op], d, a.slot, b.slot, 0, 0, 0);
    else if (b.isk) emit(g, rk[n->op], d, a.slot, 0, 0, n->op == B_SUB ? -b.k : b.k, 0);
    else emit(g, kr[n->op], d, b.slot, 0, 0, a.k, 0);
    return reg(d);
}

/* min/max over the arguments in order; clamp as max then min. */
static opnd gen_minmax(cg *g, int rr, int rk, node *first, node *const *rest, int nrest,
                       int dst)
{
    opnd acc = gen(g, first, -1);
    for (int i = 0; i < nrest; i++) {
        opnd b = gen(g, rest[i], -1);
        if (acc.isk && b.isk) {
            acc = konst(rr == OP_MIN ? op_min(acc.k, b.k) : op_max(acc.k, b.k));
            if (i == nrest - 1) return finish_const(g, acc.k, dst);
            continue;
        }
        release(g, acc);
        release(g, b);
        int d = i == nrest - 1 ? target(g, dst) : alloc_temp(g);
        if (acc.isk) { opnd t = acc; acc = b; b = t; }   /* min/max commute */
        if (b.isk) emit(g, rk, d, acc.slot, 0, 0, b.k, 0);
        else emit(g, rr, d, acc.slot, b.slot, 0, 0, 0);
        acc = reg(d);
    }
    return acc;
}

static opnd gen_call(cg *g, node *n, int dst)
{
    static const int unary[F_COUNT] = {
        [F_EXP] = OP_EXP, [F_LOG] = OP_LOG, [F_SQRT] = OP_SQRT, [F_ABS] = OP_ABS,
        [F_FLOOR] = OP_FLOOR, [F_CEIL] = OP_CEIL, [F_SIN] = OP_SIN, [F_COS] = OP_COS,
        [F_TANH] = OP_TANH, [F_LOGISTIC] = OP_LOGISTIC, [F_NORMCDF] = OP_NORMCDF};
    switch ((builtin_fn)n->op) {
    case F_POW: {
        node tmp = *n;
        tmp.kind = N_BIN;
        tmp.op = B_POW;
        return gen_bin(g, &tmp, dst);
    }
    case F_MIN: return gen_minmax(g, OP_MIN, OP_MINK, n->kids[0], n->kids + 1, n->nkids - 1, dst);
    case F_MAX: return gen_minmax(g, OP_MAX, OP_MAXK, n->kids[0], n->kids + 1, n->nkids - 1, dst);
    case F_CLAMP: {
        opnd lo = gen_minmax(g, OP_MAX, OP_MAXK, n->kids[0], n->kids + 1, 1, -1);
        opnd hi = gen(g, n->kids[2], -1);
        release(g, lo);
        release(g, hi);
        int d = target(g, dst);
        if (lo.isk) { opnd t = lo; lo = hi; hi = t; }
        if (hi.isk) emit(g, OP_MINK, d, lo.slot, 0, 0, hi.k, 0);
        else emit(g, OP_MIN, d, lo.slot, hi.slot, 0, 0, 0);
        return reg(d);
    }
    default:
        return gen_unary(g, unary[n->op], n->kids[0], dst);
    }
}

static opnd gen(cg *g, node *n, int dst)
{
    switch (n->kind) {
    case N_NUM:
        return finish_const(g, n->num, dst);
    case N_NAME:
        if (dst < 0) return reg(n->slot);
        emit(g, OP_MOV, dst, n->slot, 0, 0, 0, 0);
        return reg(dst);
    case N_NEG: return gen_unary(g, OP_NEG, n->kids[0], dst);
    case N_NOT: return gen_unary(g, OP_NOT, n->kids[0], dst);
    case N_BIN: return gen_bin(g, n, dst);
    case N_CALL: return gen_call(g, n, dst);
    case N_COND: {
        opnd c = gen_reg(g, n->kids[0]);
        opnd a = gen_reg(g, n->kids[1]);
        opnd b = gen_reg(g, n->kids[2]);
        release(g, c);
        release(g, a);
        release(g, b);
        int d = target(g, dst);
        emit(g, OP_SELECT, d, c.slot, a.slot, b.slot, 0, 0);
        return reg(d);
    }
    case N_LIST: break;
    }
    return konst(0);
}

/* ---- names ---- */

static int valid_name(const char *s)
{
    if (!s || !(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))) return 0;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
              (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

static const ty_pos *opt_pos(const ty_pos *p) { return p && p->line > 0 ? p : NULL; }

/* Checks a declared value name against the names before it. Returns 1 if ok. */
static int check_decl(const char *name, const ty_pos *pos, const char *const *before, size_t n,
                      const ty_pos *before_pos, const char *what, ty_diag *diag)
{
    if (!valid_name(name)) {
        ty_diag_add(diag, TY_SEV_ERROR, opt_pos(pos),
                    "%s name '%s' is not a valid name (letters, digits and '_', not starting "
                    "with a digit)", what, name ? name : "");
        return 0;
    }
    if (builtin_is_reserved(name, strlen(name))) {
        ty_diag_add(diag, TY_SEV_ERROR, opt_pos(pos),
                    "'%s' is a built-in function, constant or keyword and cannot be redefined",
                    name);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (before[i] && strcmp(before[i], name) == 0) {
            ty_diag_add(diag, TY_SEV_ERROR, opt_pos(pos), "'%s' is defined twice", name);
            if (before_pos && before_pos[i].line > 0)
                ty_diag_hint(diag, "the first definition is at %d:%d", before_pos[i].line,
                             before_pos[i].col);
            return 0;
        }
    }
    return 1;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

void ty_program_free(ty_program *prog)
{
    if (!prog) return;
    if (prog->names)
        for (size_t i = 0; i < prog->nslots; i++) free(prog->names[i]);
    free(prog->names);
    free(prog->code);
    free(prog);
}

/* The working state of ty_program_new: the declared value names (factors,
 * then derived values) with their positions and slots, the outcome names,
 * the resolved roots (derived values, then outcomes; NULL for an outcome
 * without text) and the arena they live in, and what has gone wrong. */
typedef struct prog_build {
    const ty_program_spec *spec;
    size_t F, D, K, V;      /* factors, derived values, outcomes, F + D */
    const char **names;
    ty_pos *npos;
    int *slots;
    const char **onames;
    node **roots;
    arena ar;
    int invalid, limit, nomem;
} prog_build;

/* Allocates the working arrays of b for spec; sets b->nomem on failure.
 * b is ready for build_free either way. */
static void build_init(prog_build *b, const ty_program_spec *spec)
{
    memset(b, 0, sizeof *b);
    b->spec = spec;
    b->F = spec->nfactors;
    b->D = spec->nderived;
    b->K = spec->noutcomes;
    b->V = b->F + b->D;
    b->names = calloc(b->V + 1, sizeof *b->names);
    b->npos = calloc(b->V + 1, sizeof *b->npos);
    b->slots = calloc(b->V + 1, sizeof *b->slots);
    b->onames = calloc(b->K + 1, sizeof *b->onames);
    b->roots = calloc(b->D + b->K + 1, sizeof *b->roots);
    if (!b->names || !b->npos || !b->slots || !b->onames || !b->roots) b->nomem = 1;
}

static void build_free(prog_build *b)
{
    expr_arena_clear(&b->ar);
    free(b->names);
    free(b->npos);
    free(b->slots);
    free(b->onames);
    free(b->roots);
}

/* Declares the factors and derived values in order, each in the next slot;
 * every bad or repeated name is reported and sets b->invalid. */
static void declare_values(prog_build *b, ty_diag *diag)
{
    const ty_program_spec *spec = b->spec;
    size_t F = b->F;
    for (size_t i = 0; i < b->V; i++) {
        const char *nm = i < F ? spec->factors[i] : spec->derived[i - F].name;
        ty_pos p = i < F ? (spec->factor_pos ? spec->factor_pos[i] : (ty_pos){0}) :
                           spec->derived[i - F].name_pos;
        if (!check_decl(nm, &p, b->names, i, b->npos, i < F ? "factor" : "derived value", diag))
            b->invalid = 1;
        b->names[i] = nm;
        b->npos[i] = p;
        b->slots[i] = (int)i;
    }
}

/* Declares the outcomes: valid, distinct names; every one with a score
 * under the logit model, and under rules only the last may be 'otherwise'
 * (no text). Each problem is reported and sets b->invalid. */
static void declare_outcomes(prog_build *b, ty_diag *diag)
{
    const ty_program_spec *spec = b->spec;
    size_t K = b->K;
    for (size_t k = 0; k < K; k++) {
        const ty_expr_def *o = &spec->outcomes[k];
        b->onames[k] = o->name;
        if (!valid_name(o->name)) {
            ty_diag_add(diag, TY_SEV_ERROR, opt_pos(&o->name_pos),
                        "outcome name '%s' is not a valid name (letters, digits and '_', not "
                        "starting with a digit)", o->name ? o->name : "");
            b->invalid = 1;
            continue;
        }
        for (size_t j = 0; j < k; j++) {
            if (b->onames[j] && strcmp(b->onames[j], o->name) == 0) {
                ty_diag_add(diag, TY_SEV_ERROR, opt_pos(&o->name_pos),
                            "outcome '%s' is defined twice", o->name);
                b->invalid = 1;
                break;
            }
        }
        if (!o->text) {
            if (spec->model == TY_OUTCOME_LOGIT) {
                ty_diag_add(diag, TY_SEV_ERROR, opt_pos(&o->name_pos),
                            "outcome '%s' has no score", o->name);
                b->invalid = 1;
            } else if (k + 1 != K) {
                ty_diag_add(diag, TY_SEV_ERROR, opt_pos(&o->name_pos),
                            "'otherwise' must be the last outcome ('%s' is not)", o->name);
                b->invalid = 1;
            }
        }
    }
}

/* Parses and resolves every derived value and outcome into b->roots: a
 * derived value sees the factors and the derived values before it, an
 * outcome every value. Failures set b->invalid, b->limit or b->nomem. */
static void resolve_all(prog_build *b, ty_diag *diag)
{
    const ty_program_spec *spec = b->spec;
    size_t F = b->F, D = b->D, K = b->K, V = b->V;
    name_index index;
    if (name_index_build(&index, b->names, V) != 0) { b->nomem = 1; return; }
    for (size_t j = 0; j < D + K; j++) {
        const ty_expr_def *def = j < D ? &spec->derived[j] : &spec->outcomes[j - D];
        if (!def->text) continue;
        ty_status st;
        node *root = parse_expr_text(def->text, &def->pos, &b->ar, diag, &st);
        if (!root) {
            if (st == TY_ERR_NOMEM) b->nomem = 1;
            else if (st == TY_ERR_LIMIT) b->limit = 1;
            else b->invalid = 1;
            continue;
        }
        scope sc = {b->names, b->slots, V, j < D ? F + j : V, j < D ? F + j : (size_t)-1,
                    b->onames, K, &index};
        int errors = 0;
        b->roots[j] = resolve_expr(root, &sc, &b->ar, diag, &errors);
        if (errors) { b->invalid = 1; b->roots[j] = NULL; }
    }
    name_index_free(&index);
    if (b->ar.oom) b->nomem = 1;
}

static const char *nonfinite_name(double v)
{
    return v != v ? "NaN" : v > 0 ? "+infinity" : "-infinity";
}

/* An outcome whose score or condition folded to a constant must be finite:
 * it would be so for every sample (the run-time checks see only what the
 * VM computes, and a folded NaN condition would read as true). Reports each
 * at its expression and sets b->invalid. */
static void check_constant_outcomes(prog_build *b, ty_diag *diag)
{
    for (size_t k = 0; k < b->K; k++) {
        const node *r = b->roots[b->D + k];
        if (!r || r->kind != N_NUM || isfinite(r->num)) continue;
        const ty_expr_def *o = &b->spec->outcomes[k];
        ty_diag_add(diag, TY_SEV_ERROR, opt_pos(&o->pos), "the %s of outcome '%s' is %s for "
                    "every sample", b->spec->model == TY_OUTCOME_LOGIT ? "score" : "condition",
                    o->name, nonfinite_name(r->num));
        ty_diag_hint(diag, "scores and conditions must be finite numbers (log, sqrt and / of "
                     "constants can give NaN or an infinity)");
        b->invalid = 1;
    }
}

/* Emits the derived values, each straight into its slot. */
static void gen_derived(cg *g, const prog_build *b)
{
    for (size_t j = 0; j < b->D; j++) {
        opnd o = gen(g, b->roots[j], (int)(b->F + j));
        release(g, o);
    }
}

/* Logit model: emits each outcome's score into its slot, then the softmax
 * that turns the scores into probabilities and checks them (a score that
 * is not finite stops the run: softmax would turn it into NaN or silently
 * into 0 or 1). */
static void gen_scores(cg *g, const prog_build *b)
{
    for (size_t k = 0; k < b->K; k++) {
        opnd o = gen(g, b->roots[b->D + k], (int)(b->V + k));
        release(g, o);
    }
    emit(g, OP_SOFTMAX, 0, (int)b->V, (int)b->K, 0, 0, 0);
}

/* Rules model: emits the conditions in order, the first true one choosing
 * its outcome; a constant-true condition or 'otherwise' ends the list, a
 * constant-false one is skipped. */
static void gen_rules(cg *g, const prog_build *b)
{
    int chosen = alloc_temp(g);
    emit(g, OP_LOADK, chosen, 0, 0, 0, -1.0, 0);
    for (size_t k = 0; k < b->K; k++) {
        node *c = b->roots[b->D + k];
        if (!c || (c->kind == N_NUM && c->num != 0)) {
            emit(g, OP_RULEELSE, chosen, 0, 0, 0, (double)k, 0);
            break;                       /* later rules can never win */
        }
        if (c->kind == N_NUM) continue;  /* never true */
        opnd o = gen_reg(g, c);
        release(g, o);
        emit(g, OP_RULE, chosen, o.slot, 0, 0, (double)k, 0);
    }
    emit(g, OP_RULEEND, chosen, (int)b->V, (int)b->K, 0, 0, 0);
}

/* Wraps the generated code in a ty_program with its slot names; the code
 * is taken over (or freed). NULL with b->nomem or b->limit (reported) set
 * on failure. */
static ty_program *program_from_code(prog_build *b, cg *g, ty_diag *diag)
{
    size_t V = b->V, K = b->K;
    if (g->oom) { free(g->code); b->nomem = 1; return NULL; }
    if (g->overflow || V + K + (size_t)g->ntemps > 65535) {
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "scenario too large for the expression VM");
        free(g->code);
        b->limit = 1;
        return NULL;
    }
    ty_program *p = calloc(1, sizeof *p);
    if (!p) { free(g->code); b->nomem = 1; return NULL; }
    p->model = b->spec->model;
    p->nfactors = b->F;
    p->nderived = b->D;
    p->noutcomes = K;
    p->ntemps = (size_t)g->ntemps;
    p->nslots = V + K + p->ntemps;
    p->code = g->code;
    p->ncode = g->n;
    p->names = calloc(p->nslots + 1, sizeof *p->names);
    if (!p->names) { ty_program_free(p); b->nomem = 1; return NULL; }
    for (size_t i = 0; i < V + K; i++) {
        p->names[i] = dup_str(i < V ? b->names[i] : b->onames[i - V]);
        if (!p->names[i]) { ty_program_free(p); b->nomem = 1; return NULL; }
    }
    return p;
}

/* Generates the block bytecode of the resolved roots: derived values, then
 * the outcome scores or rules. NULL on failure (see program_from_code). */
static ty_program *generate(prog_build *b, ty_diag *diag)
{
    cg g;
    memset(&g, 0, sizeof g);
    g.base_temp = (int)(b->V + b->K);
    gen_derived(&g, b);
    if (b->K && b->spec->model == TY_OUTCOME_LOGIT) gen_scores(&g, b);
    else if (b->K) gen_rules(&g, b);
    return program_from_code(b, &g, diag);
}

ty_status ty_program_new(const ty_program_spec *spec, ty_program **out, ty_diag *diag)
{
    *out = NULL;
    prog_build b;
    build_init(&b, spec);
    if (!b.nomem) {
        declare_values(&b, diag);
        declare_outcomes(&b, diag);
        resolve_all(&b, diag);
        if (!(b.invalid || b.limit || b.nomem)) check_constant_outcomes(&b, diag);
        if (!(b.invalid || b.limit || b.nomem)) *out = generate(&b, diag);
    }
    build_free(&b);
    if (b.nomem) return TY_ERR_NOMEM;
    if (b.invalid) return TY_ERR_INVALID;
    if (b.limit) return TY_ERR_LIMIT;
    return TY_OK;
}

size_t ty_program_nfactors(const ty_program *prog) { return prog->nfactors; }
size_t ty_program_nderived(const ty_program *prog) { return prog->nderived; }
size_t ty_program_noutcomes(const ty_program *prog) { return prog->noutcomes; }
ty_outcome_model ty_program_model(const ty_program *prog) { return prog->model; }
size_t ty_program_ninstr(const ty_program *prog) { return prog->ncode; }
size_t ty_program_ntemps(const ty_program *prog) { return prog->ntemps; }
