/* resolve.c - name resolution, arity checks and constant folding of one
 * parsed expression. Every problem is reported at its token, not only the
 * first. Folding uses the same element functions as the VM (vmath.h), so a
 * folded constant is bit-identical to what the VM computes; it never
 * reassociates (x + 1 + 2 stays (x + 1) + 2). */
#include "expr_int.h"
#include "ops.h"
#include "util/vmath.h"
#include "tyche/suggest.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int min_args, max_args;   /* max -1: unbounded */
} builtins[F_COUNT] = {
    [F_EXP] = {"exp", 1, 1},         [F_LOG] = {"log", 1, 1},
    [F_SQRT] = {"sqrt", 1, 1},       [F_ABS] = {"abs", 1, 1},
    [F_FLOOR] = {"floor", 1, 1},     [F_CEIL] = {"ceil", 1, 1},
    [F_SIN] = {"sin", 1, 1},         [F_COS] = {"cos", 1, 1},
    [F_TANH] = {"tanh", 1, 1},       [F_LOGISTIC] = {"logistic", 1, 1},
    [F_NORMCDF] = {"normcdf", 1, 1}, [F_POW] = {"pow", 2, 2},
    [F_MIN] = {"min", 2, -1},        [F_MAX] = {"max", 2, -1},
    [F_CLAMP] = {"clamp", 3, 3},
};

static const struct { const char *name; double value; } constants[] = {
    {"pi", 3.14159265358979323846},
    {"e", 2.71828182845904523536},
};

static int name_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

const char *builtin_name(builtin_fn fn) { return builtins[fn].name; }

int builtin_lookup(const char *name, size_t len)
{
    for (int i = 0; i < F_COUNT; i++)
        if (name_is(name, len, builtins[i].name)) return i;
    return -1;
}

static int constant_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++)
        if (name_is(name, len, constants[i].name)) return (int)i;
    return -1;
}

int builtin_is_reserved(const char *name, size_t len)
{
    return builtin_lookup(name, len) >= 0 || constant_lookup(name, len) >= 0 ||
           name_is(name, len, "and") || name_is(name, len, "or") || name_is(name, len, "not");
}

/* The value of a op b, for folding an operator with constant operands. */
static double fold_bin(bin_op op, double a, double b)
{
    switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return pow(a, b);
    case B_LT: return op_cmp(a < b, a, b);
    case B_LE: return op_cmp(a <= b, a, b);
    case B_GT: return op_cmp(a > b, a, b);
    case B_GE: return op_cmp(a >= b, a, b);
    case B_EQ: return op_cmp(a == b, a, b);
    case B_NE: return op_cmp(a != b, a, b);
    case B_AND: return op_and(a, b);
    case B_OR: return op_or(a, b);
    }
    return 0;
}

double builtin_eval(builtin_fn fn, const double *x, int n)
{
    switch (fn) {
    case F_EXP: return vm_exp(x[0]);
    case F_LOG: return log(x[0]);
    case F_SQRT: return sqrt(x[0]);
    case F_ABS: return fabs(x[0]);
    case F_FLOOR: return floor(x[0]);
    case F_CEIL: return ceil(x[0]);
    case F_SIN: return sin(x[0]);
    case F_COS: return cos(x[0]);
    case F_TANH: return tanh(x[0]);
    case F_LOGISTIC: return vm_logistic(x[0]);
    case F_NORMCDF: return vm_normcdf(x[0]);
    case F_POW: return pow(x[0], x[1]);
    case F_MIN: case F_MAX: {
        double v = x[0];
        for (int i = 1; i < n; i++) v = fn == F_MIN ? op_min(v, x[i]) : op_max(v, x[i]);
        return v;
    }
    case F_CLAMP: return op_min(op_max(x[0], x[1]), x[2]);
    case F_COUNT: break;
    }
    return 0;
}

typedef struct rctx {
    const scope *sc;
    ty_diag *diag;
    int errors;
    arena *ar;   /* its oom flag: a failed allocation is out of memory, not a bad name */
} rctx;

/* A NUL-terminated copy of a name for messages and lookups; caller frees. */
static char *name_dup(const node *n)
{
    char *s = malloc(n->namelen + 1);
    if (s) { memcpy(s, n->name, n->namelen); s[n->namelen] = '\0'; }
    return s;
}

/* Hint for an unknown name among the visible names and constants, or for an
 * unknown function among the functions. Not recursive, so its allocations
 * never pile up on deep trees. */
static void hint_unknown(rctx *r, const char *word, int want_fn)
{
    if (!ty_diag_wants_hint(r->diag)) return;
    size_t n = 0, cap = F_COUNT + 2 + (r->sc ? r->sc->nvisible : 0);
    const char **cand = malloc(cap * sizeof *cand);
    if (!cand) return;
    if (want_fn) {
        for (int i = 0; i < F_COUNT; i++) cand[n++] = builtins[i].name;
    } else {
        if (r->sc)
            for (size_t i = 0; i < r->sc->nvisible; i++)
                if (i != r->sc->self) cand[n++] = r->sc->names[i];
        cand[n++] = "pi";
        cand[n++] = "e";
    }
    const char *s = ty_suggest(word, cand, n);
    if (s) ty_diag_hint(r->diag, "did you mean '%s'?", s);
    free(cand);
}

static void resolve_name(rctx *r, node *n)
{
    int c = constant_lookup(n->name, n->namelen);
    if (c >= 0) {
        n->kind = N_NUM;
        n->num = constants[c].value;
        return;
    }
    char *name = name_dup(n);
    if (!name) { r->ar->oom = 1; r->errors++; ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos, "out of memory"); return; }
    r->errors++;
    const scope *sc = r->sc;
    if (builtin_lookup(n->name, n->namelen) >= 0) {
        ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos, "'%s' is a function; call it as %s(...)", name,
                    name);
        free(name);
        return;
    }
    if (!sc) {
        ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos,
                    "'%s' is not a constant: only numbers, pi, e, operators and functions "
                    "are allowed here", name);
        free(name);
        return;
    }
    long at = name_index_find(sc->index, name);
    if (at >= 0) {
        size_t i = (size_t)at;
        if (i == sc->self)
            ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos,
                        "'%s' is used in its own definition (a cycle)", name);
        else if (i >= sc->nvisible)
            ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos,
                        "'%s' is defined later; a derived value may use only factors and "
                        "earlier derived values", name);
        else {
            n->slot = sc->slots[i];
            r->errors--;
        }
        free(name);
        return;
    }
    for (size_t i = 0; i < sc->nother; i++) {
        if (strcmp(sc->other[i], name) == 0) {
            ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos,
                        "'%s' is an outcome, not a value; outcomes cannot be used in "
                        "expressions", name);
            free(name);
            return;
        }
    }
    ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos, "unknown name '%s'", name);
    hint_unknown(r, name, 0);
    free(name);
}

static void check_call(rctx *r, node *n)
{
    int fn = builtin_lookup(n->name, n->namelen);
    char *name = name_dup(n);
    if (!name) { r->ar->oom = 1; r->errors++; ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos, "out of memory"); return; }
    if (fn < 0) {
        r->errors++;
        int is_value = constant_lookup(n->name, n->namelen) >= 0;
        if (r->sc && !is_value) is_value = name_index_find(r->sc->index, name) >= 0;
        if (is_value) {
            ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos, "'%s' is not a function", name);
        } else {
            ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos, "unknown function '%s'", name);
            hint_unknown(r, name, 1);
        }
    } else {
        int lo = builtins[fn].min_args, hi = builtins[fn].max_args;
        if (n->nkids < lo || (hi >= 0 && n->nkids > hi)) {
            r->errors++;
            if (lo == hi)
                ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos, "'%s' takes %d argument%s, got %d",
                            name, lo, lo == 1 ? "" : "s", n->nkids);
            else
                ty_diag_add(r->diag, TY_SEV_ERROR, &n->pos,
                            "'%s' takes at least %d arguments, got %d", name, lo, n->nkids);
        }
        n->op = fn;
    }
    free(name);
}

static int all_const(const node *n)
{
    for (int i = 0; i < n->nkids; i++)
        if (n->kids[i]->kind != N_NUM) return 0;
    return 1;
}

static node *to_num(node *n, double v)
{
    n->kind = N_NUM;
    n->num = v;
    n->nkids = 0;
    return n;
}

static node *resolve(rctx *r, node *n)
{
    if (n->kind == N_CALL) check_call(r, n);
    for (int i = 0; i < n->nkids; i++) n->kids[i] = resolve(r, n->kids[i]);
    switch (n->kind) {
    case N_NUM: case N_LIST:
        return n;
    case N_NAME:
        resolve_name(r, n);
        return n;
    case N_NEG:
        return all_const(n) ? to_num(n, -n->kids[0]->num) : n;
    case N_NOT:
        return all_const(n) ? to_num(n, op_not(n->kids[0]->num)) : n;
    case N_BIN:
        if (all_const(n)) return to_num(n, fold_bin(n->op, n->kids[0]->num, n->kids[1]->num));
        /* x and 0 is 0, x or 1 is 1, for every x (NaN included): folded
         * here so the code generator never sees a constant it must place */
        for (int i = 0; i < 2; i++) {
            const node *k = n->kids[i];
            if (k->kind != N_NUM) continue;
            if (n->op == B_AND && k->num == 0) return to_num(n, 0.0);
            if (n->op == B_OR && k->num != 0 && k->num == k->num) return to_num(n, 1.0);
        }
        /* x * 1 is x exactly, for every x */
        if (n->op == B_MUL && n->kids[1]->kind == N_NUM && n->kids[1]->num == 1.0)
            return n->kids[0];
        if (n->op == B_MUL && n->kids[0]->kind == N_NUM && n->kids[0]->num == 1.0)
            return n->kids[1];
        return n;
    case N_COND:
        if (n->kids[0]->kind == N_NUM) {
            double c = n->kids[0]->num;
            return c != c ? to_num(n, c) : c != 0 ? n->kids[1] : n->kids[2];
        }
        return n;
    case N_CALL: {
        if (n->op < 0 || !all_const(n) || n->nkids == 0) return n;
        int lo = builtins[n->op].min_args, hi = builtins[n->op].max_args;
        if (n->nkids < lo || (hi >= 0 && n->nkids > hi)) return n;
        double args[8] = {0}, *a = n->nkids <= 8 ? args : malloc((size_t)n->nkids * sizeof *a);
        if (!a) return n;
        for (int i = 0; i < n->nkids; i++) a[i] = n->kids[i]->num;
        double v = builtin_eval(n->op, a, n->nkids);
        if (a != args) free(a);
        return to_num(n, v);
    }
    }
    return n;
}

node *resolve_expr(node *root, const scope *sc, arena *ar, ty_diag *diag, int *errors)
{
    rctx r = {sc, diag, 0, ar};
    root = resolve(&r, root);
    *errors = r.errors;
    return root;
}
