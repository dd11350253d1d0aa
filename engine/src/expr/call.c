/* call.c - distribution calls `normal(mean=40000, sd=0.2 * 4e4)`, with
 * nested calls as arguments (`mixture([normal(0, 1), gamma(2, 1)])`), and
 * constant expressions, parsed with the expression parser and folded to
 * numbers. Knows nothing of which distributions exist: the loader maps
 * callee and argument names. */
#include "expr_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ty_status ty_expr_const(const char *text, const ty_pos *pos, double *value, ty_diag *diag)
{
    arena ar = {NULL, 0};
    ty_status st;
    node *root = parse_expr_text(text, pos, &ar, diag, &st);
    if (root) {
        int errors = 0;
        root = resolve_expr(root, NULL, &ar, diag, &errors);
        if (errors) st = TY_ERR_INVALID;
        else *value = root->num;
    }
    if (ar.oom) st = TY_ERR_NOMEM;
    expr_arena_clear(&ar);
    return st;
}

void ty_call_free(ty_call *call)
{
    if (!call) return;
    for (size_t i = 0; i < call->nargs; i++) {
        ty_call_arg *a = &call->args[i];
        free((char *)a->name);
        free(a->values);
        ty_call_free(a->call);
        for (size_t j = 0; a->calls && j < a->nvalues; j++) ty_call_free(a->calls[j]);
        free(a->calls);
    }
    free(call->args);
    free(call->callee);
    free(call);
}

static char *dup_n(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (c) { memcpy(c, s, n); c[n] = '\0'; }
    return c;
}

static void desc(const token *t, char *buf, size_t size)
{
    if (t->kind == TK_EOF) snprintf(buf, size, "end of text");
    else snprintf(buf, size, "'%.*s'", t->len > 40 ? 40 : (int)t->len, t->start);
}

typedef struct raw_call raw_call;

/* One parsed argument before folding. */
typedef struct raw_arg {
    const token *name;   /* NULL: positional */
    ty_pos pos, value_pos;
    int is_list;
    node **items;        /* the value (1 item) or the list items; NULL where a call */
    raw_call **subs;     /* the nested call of each item, or NULL */
    size_t nitems;
} raw_arg;

/* One parsed call: callee, its '(' and the arguments (all in the arena). */
struct raw_call {
    const token *callee, *lparen;
    raw_arg *args;
    size_t nargs;
};

static raw_call *parse_call_at(parser *p, int depth);

/* A nested call starts here: NAME '(' where NAME is not an expression
 * function (exp(1) stays an expression). */
static int at_nested_call(const parser *p)
{
    const token *t = &p->toks[p->at];
    return t->kind == TK_NAME && p->toks[p->at + 1].kind == TK_LPAREN &&
           builtin_lookup(t->start, t->len) < 0;
}

/* item := call | expr; stores one into items[k], subs[k]. */
static int parse_item(parser *p, raw_arg *a, size_t k, int depth)
{
    if (at_nested_call(p)) {
        a->subs[k] = parse_call_at(p, depth + 1);
        return a->subs[k] != NULL;
    }
    a->items[k] = parse_expr(p);
    return a->items[k] != NULL;
}

/* arg := [NAME '='] (item | '[' [item {',' item}] ']') */
static int parse_arg(parser *p, raw_arg *a, int depth)
{
    const token *t = &p->toks[p->at];
    memset(a, 0, sizeof *a);
    a->pos = t->pos;
    if (t->kind == TK_NAME && p->toks[p->at + 1].kind == TK_ASSIGN) {
        a->name = t;
        p->at += 2;
    }
    const token *v = &p->toks[p->at];
    a->value_pos = v->pos;
    size_t cap = 1;
    a->items = expr_arena_alloc(p->arena, sizeof *a->items);
    a->subs = expr_arena_alloc(p->arena, sizeof *a->subs);
    if (!a->items || !a->subs) { p->failed = 1; return 0; }
    if (v->kind != TK_LBRACK) {
        a->nitems = 1;
        return parse_item(p, a, 0, depth);
    }
    a->is_list = 1;
    p->at++;
    if (p->toks[p->at].kind == TK_RBRACK) { p->at++; return 1; }
    for (;;) {
        if (a->nitems == cap) {
            cap *= 2;
            node **g = expr_arena_alloc(p->arena, cap * sizeof *g);
            raw_call **h = expr_arena_alloc(p->arena, cap * sizeof *h);
            if (!g || !h) { p->failed = 1; return 0; }
            memcpy(g, a->items, a->nitems * sizeof *g);
            memcpy(h, a->subs, a->nitems * sizeof *h);
            a->items = g;
            a->subs = h;
        }
        if (!parse_item(p, a, a->nitems, depth)) return 0;
        a->nitems++;
        const token *t2 = &p->toks[p->at];
        if (t2->kind == TK_COMMA) { p->at++; continue; }
        if (t2->kind == TK_RBRACK) { p->at++; return 1; }
        char d[64];
        desc(t2, d, sizeof d);
        parse_error(p, t2, "expected ',' or ']' in the list opened at %d:%d, found %s",
                    v->pos.line, v->pos.col, d);
        return 0;
    }
}

/* The status of a syntax error already reported on p: out of memory, a
 * depth limit, or invalid text. */
static ty_status parse_failure(const parser *p)
{
    return p->arena->oom ? TY_ERR_NOMEM : p->limit ? TY_ERR_LIMIT : TY_ERR_INVALID;
}

/* call := NAME '(' [arg {',' arg}] ')', from p->at. Returns the call (in
 * the arena), or NULL after reporting the error. depth counts the calls
 * it is nested in (at most TY_CALL_MAX_NEST). */
static raw_call *parse_call_at(parser *p, int depth)
{
    const token *toks = p->toks, *callee = &toks[p->at];
    char d[64];
    if (depth > TY_CALL_MAX_NEST) {
        parse_error(p, callee, "calls nested more than %d deep", TY_CALL_MAX_NEST);
        p->limit = 1;
        return NULL;
    }
    if (callee->kind != TK_NAME) {
        desc(callee, d, sizeof d);
        parse_error(p, callee, "expected a distribution such as normal(0, 1), found %s", d);
        return NULL;
    }
    const token *lp = &toks[p->at + 1];
    if (lp->kind != TK_LPAREN) {
        desc(lp, d, sizeof d);
        parse_error(p, lp, "expected '(' after '%.*s', found %s", (int)callee->len,
                    callee->start, d);
        return NULL;
    }
    raw_call *c = expr_arena_alloc(p->arena, sizeof *c);
    if (!c) { p->failed = 1; return NULL; }
    c->callee = callee;
    c->lparen = lp;
    p->at += 2;
    if (toks[p->at].kind == TK_RPAREN) { p->at++; return c; }
    size_t cap = 0;
    for (;;) {
        if (c->nargs == cap) {
            cap = cap ? 2 * cap : 4;
            raw_arg *g = expr_arena_alloc(p->arena, cap * sizeof *g);
            if (!g) { p->failed = 1; return NULL; }
            if (c->nargs) memcpy(g, c->args, c->nargs * sizeof *g);
            c->args = g;
        }
        if (!parse_arg(p, &c->args[c->nargs], depth)) return NULL;
        c->nargs++;
        const token *t = &toks[p->at];
        if (t->kind == TK_COMMA) { p->at++; continue; }
        if (t->kind == TK_RPAREN) { p->at++; return c; }
        desc(t, d, sizeof d);
        parse_error(p, t, "expected ',' or ')' to close the '(' at %d:%d, found %s",
                    lp->pos.line, lp->pos.col, d);
        return NULL;
    }
}

/* The whole text: one call, then the end. */
static raw_call *parse_call(parser *p)
{
    p->at = 0;
    raw_call *c = parse_call_at(p, 0);
    if (!c) return NULL;
    if (p->toks[p->at].kind != TK_EOF) {
        char d[64];
        desc(&p->toks[p->at], d, sizeof d);
        parse_error(p, &p->toks[p->at], "unexpected %s after the end of the distribution", d);
        return NULL;
    }
    return c;
}

/* Folds every argument value of c (and of its nested calls) to a number
 * and checks the argument names: none given twice, no positional argument
 * after a named one. Returns the number of errors added. */
static int fold_args(raw_call *c, arena *ar, ty_diag *diag)
{
    int errors = 0, seen_named = 0;
    raw_arg *args = c->args;
    for (size_t i = 0; i < c->nargs; i++) {
        raw_arg *a = &args[i];
        for (size_t j = 0; j < a->nitems; j++) {
            if (a->subs[j]) { errors += fold_args(a->subs[j], ar, diag); continue; }
            int e = 0;
            a->items[j] = resolve_expr(a->items[j], NULL, ar, diag, &e);
            errors += e;
        }
        if (a->name) {
            seen_named = 1;
            for (size_t j = 0; j < i; j++) {
                if (args[j].name && args[j].name->len == a->name->len &&
                    !memcmp(args[j].name->start, a->name->start, a->name->len)) {
                    ty_diag_add(diag, TY_SEV_ERROR, &a->pos, "argument '%.*s' given twice",
                                (int)a->name->len, a->name->start);
                    errors++;
                    break;
                }
            }
        } else if (seen_named) {
            ty_diag_add(diag, TY_SEV_ERROR, &a->pos, "positional argument after a named one");
            errors++;
        }
    }
    return errors;
}

/* Copies a folded raw call (and its nested calls) into a new ty_call,
 * *out. Returns TY_OK or TY_ERR_NOMEM (nothing left allocated). */
static ty_status make_call(const raw_call *rc, ty_call **out)
{
    *out = NULL;
    ty_call *c = calloc(1, sizeof *c);
    if (!c) return TY_ERR_NOMEM;
    c->callee = dup_n(rc->callee->start, rc->callee->len);
    c->callee_pos = rc->callee->pos;
    c->args = calloc(rc->nargs ? rc->nargs : 1, sizeof *c->args);
    c->nargs = rc->nargs;
    if (!c->callee || !c->args) { c->nargs = 0; ty_call_free(c); return TY_ERR_NOMEM; }
    for (size_t i = 0; i < rc->nargs; i++) {
        const raw_arg *a = &rc->args[i];
        ty_call_arg *o = &c->args[i];
        o->pos = a->pos;
        o->value_pos = a->value_pos;
        o->is_list = a->is_list;
        if (a->name && !(o->name = dup_n(a->name->start, a->name->len))) {
            ty_call_free(c);
            return TY_ERR_NOMEM;
        }
        if (a->is_list) {
            o->nvalues = a->nitems;
            o->values = malloc((a->nitems ? a->nitems : 1) * sizeof *o->values);
            if (!o->values) { ty_call_free(c); return TY_ERR_NOMEM; }
            int any_call = 0;
            for (size_t j = 0; j < a->nitems; j++) any_call |= a->subs[j] != NULL;
            if (any_call && !(o->calls = calloc(a->nitems, sizeof *o->calls))) {
                ty_call_free(c);
                return TY_ERR_NOMEM;
            }
            for (size_t j = 0; j < a->nitems; j++) {
                o->values[j] = a->subs[j] ? NAN : a->items[j]->num;
                if (a->subs[j] && make_call(a->subs[j], &o->calls[j]) != TY_OK) {
                    ty_call_free(c);
                    return TY_ERR_NOMEM;
                }
            }
        } else if (a->subs[0]) {
            o->value = NAN;
            if (make_call(a->subs[0], &o->call) != TY_OK) { ty_call_free(c); return TY_ERR_NOMEM; }
        } else {
            o->value = a->items[0]->num;
        }
    }
    *out = c;
    return TY_OK;
}

ty_status ty_call_parse(const char *text, const ty_pos *pos, ty_call **out, ty_diag *diag)
{
    *out = NULL;
    ty_pos start = pos ? *pos : (ty_pos){NULL, 1, 1};
    size_t len = strlen(text);
    if (len > TY_CALL_MAX_LEN) {
        ty_diag_add(diag, TY_SEV_ERROR, &start,
                    "distribution too long (%zu characters; the limit is %u)", len,
                    TY_CALL_MAX_LEN);
        return TY_ERR_LIMIT;
    }
    token *toks;
    size_t ntoks;
    ty_status st = lex_tokens(text, len, &start, &toks, &ntoks, diag);
    if (st != TY_OK) return st;

    arena ar = {NULL, 0};
    parser p = {toks, ntoks, 0, &ar, diag, 0, 0, 0};
    raw_call *rc = parse_call(&p);
    st = rc ? TY_OK : parse_failure(&p);
    if (st == TY_OK && fold_args(rc, &ar, diag) > 0) st = TY_ERR_INVALID;
    if (st == TY_OK) st = make_call(rc, out);
    free(toks);
    expr_arena_clear(&ar);
    return st;
}
