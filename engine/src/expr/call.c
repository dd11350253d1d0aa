/* call.c - distribution calls `normal(mean=40000, sd=0.2 * 4e4)` and
 * constant expressions, parsed with the expression parser and folded to
 * numbers. Knows nothing of which distributions exist: the loader maps
 * callee and argument names. */
#include "expr_int.h"

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
        free((char *)call->args[i].name);
        free(call->args[i].values);
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

/* One parsed argument before folding. */
typedef struct raw_arg {
    const token *name;   /* NULL: positional */
    ty_pos pos, value_pos;
    int is_list;
    node **items;        /* the value (1 item) or the list items */
    size_t nitems;
} raw_arg;

/* arg := [NAME '='] (expr | '[' [expr {',' expr}] ']') */
static int parse_arg(parser *p, raw_arg *a)
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
    if (!a->items) { p->failed = 1; return 0; }
    if (v->kind != TK_LBRACK) {
        a->items[0] = parse_expr(p);
        a->nitems = 1;
        return a->items[0] != NULL;
    }
    a->is_list = 1;
    p->at++;
    if (p->toks[p->at].kind == TK_RBRACK) { p->at++; return 1; }
    for (;;) {
        node *e = parse_expr(p);
        if (!e) return 0;
        if (a->nitems == cap) {
            cap *= 2;
            node **g = expr_arena_alloc(p->arena, cap * sizeof *g);
            if (!g) { p->failed = 1; return 0; }
            memcpy(g, a->items, a->nitems * sizeof *g);
            a->items = g;
        }
        a->items[a->nitems++] = e;
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

/* call := NAME '(' [arg {',' arg}] ')' EOF. Fills *args (malloc'd; the
 * caller frees it, also on failure) and *nargs. Returns TY_OK, or the
 * status of the error reported (TY_ERR_INVALID, TY_ERR_LIMIT) or
 * TY_ERR_NOMEM. */
static ty_status parse_call(parser *p, raw_arg **args, size_t *nargs)
{
    const token *toks = p->toks, *callee = &toks[0];
    size_t cap = 0;
    char d[64];
    if (callee->kind != TK_NAME) {
        desc(callee, d, sizeof d);
        parse_error(p, callee, "expected a distribution such as normal(0, 1), found %s", d);
        return parse_failure(p);
    }
    if (toks[1].kind != TK_LPAREN) {
        desc(&toks[1], d, sizeof d);
        parse_error(p, &toks[1], "expected '(' after '%.*s', found %s", (int)callee->len,
                    callee->start, d);
        return parse_failure(p);
    }
    p->at = 2;
    if (toks[p->at].kind == TK_RPAREN) p->at++;
    else {
        for (;;) {
            if (*nargs == cap) {
                cap = cap ? 2 * cap : 4;
                raw_arg *g = realloc(*args, cap * sizeof *g);
                if (!g) return TY_ERR_NOMEM;
                *args = g;
            }
            if (!parse_arg(p, &(*args)[*nargs])) return parse_failure(p);
            (*nargs)++;
            const token *t = &toks[p->at];
            if (t->kind == TK_COMMA) { p->at++; continue; }
            if (t->kind == TK_RPAREN) { p->at++; break; }
            desc(t, d, sizeof d);
            parse_error(p, t, "expected ',' or ')' to close the '(' at %d:%d, found %s",
                        toks[1].pos.line, toks[1].pos.col, d);
            return parse_failure(p);
        }
    }
    if (toks[p->at].kind != TK_EOF) {
        desc(&toks[p->at], d, sizeof d);
        parse_error(p, &toks[p->at], "unexpected %s after the end of the distribution", d);
        return parse_failure(p);
    }
    return TY_OK;
}

/* Folds every argument value to a number and checks the argument names:
 * none given twice, no positional argument after a named one. Returns the
 * number of errors added. */
static int fold_args(raw_arg *args, size_t nargs, arena *ar, ty_diag *diag)
{
    int errors = 0, seen_named = 0;
    for (size_t i = 0; i < nargs; i++) {
        raw_arg *a = &args[i];
        for (size_t j = 0; j < a->nitems; j++) {
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

/* Copies the callee and the folded arguments into a new ty_call, *out.
 * Returns TY_OK or TY_ERR_NOMEM. */
static ty_status make_call(const token *callee, const raw_arg *args, size_t nargs,
                           ty_call **out)
{
    ty_call *c = calloc(1, sizeof *c);
    if (!c) return TY_ERR_NOMEM;
    c->callee = dup_n(callee->start, callee->len);
    c->callee_pos = callee->pos;
    c->args = calloc(nargs ? nargs : 1, sizeof *c->args);
    c->nargs = nargs;
    if (!c->callee || !c->args) { c->nargs = 0; ty_call_free(c); return TY_ERR_NOMEM; }
    for (size_t i = 0; i < nargs; i++) {
        const raw_arg *a = &args[i];
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
            for (size_t j = 0; j < a->nitems; j++) o->values[j] = a->items[j]->num;
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
    raw_arg *args = NULL;
    size_t nargs = 0;
    st = parse_call(&p, &args, &nargs);
    if (st == TY_OK && fold_args(args, nargs, &ar, diag) > 0) st = TY_ERR_INVALID;
    if (st == TY_OK) st = make_call(&toks[0], args, nargs, out);
    free(args);
    free(toks);
    expr_arena_clear(&ar);
    return st;
}
