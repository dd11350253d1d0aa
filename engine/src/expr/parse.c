/* parse.c - recursive-descent parser from tokens to an AST whose every node
 * carries its position. Each grammar rule (expr.h) is the comment above its
 * function. One syntax error per expression is reported: the parse stops
 * there. Names are not looked up here (resolve.c). */
#include "expr_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---- */

struct arena_block {
    arena_block *next;
    size_t used, size;
    max_align_t data[];
};

void *expr_arena_alloc(arena *a, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (size == 0) size = sizeof(max_align_t);
    arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t bsize = size > 8192 ? size : 8192;
        b = malloc(sizeof *b + bsize);
        if (!b) { a->oom = 1; return NULL; }
        b->next = a->head;
        b->used = 0;
        b->size = bsize;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

void expr_arena_clear(arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->oom = 0;
}

/* ---- helpers ---- */

static const token *peek(parser *p) { return &p->toks[p->at]; }
static const token *advance(parser *p)
{
    const token *t = &p->toks[p->at];
    if (t->kind != TK_EOF) p->at++;
    return t;
}

void parse_error(parser *p, const token *t, const char *fmt, ...)
{
    if (p->failed) return;
    p->failed = 1;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ty_diag_add(p->diag, TY_SEV_ERROR, &t->pos, "%s", msg);
}

/* Describes a token for messages: 'x', '+', "end of expression". */
static void tok_desc(const token *t, char *buf, size_t size)
{
    if (t->kind == TK_EOF) snprintf(buf, size, "end of expression");
    else snprintf(buf, size, "'%.*s'", t->len > 40 ? 40 : (int)t->len, t->start);
}

static node *new_node(parser *p, node_kind kind, const token *t)
{
    node *n = expr_arena_alloc(p->arena, sizeof *n);
    if (!n) {
        if (!p->failed) ty_diag_add(p->diag, TY_SEV_ERROR, &t->pos, "out of memory");
        p->failed = 1;
        return NULL;
    }
    n->kind = kind;
    n->pos = t->pos;
    n->slot = -1;
    return n;
}

static node *new_bin(parser *p, const token *op, int bop, node *a, node *b)
{
    node *n = new_node(p, N_BIN, op);
    node **k = n ? expr_arena_alloc(p->arena, 2 * sizeof *k) : NULL;
    if (!k) { p->failed = 1; return NULL; }
    n->op = bop;
    k[0] = a;
    k[1] = b;
    n->kids = k;
    n->nkids = 2;
    return n;
}

static node *new_unary(parser *p, const token *op, node_kind kind, node *a)
{
    node *n = new_node(p, kind, op);
    node **k = n ? expr_arena_alloc(p->arena, sizeof *k) : NULL;
    if (!k) { p->failed = 1; return NULL; }
    k[0] = a;
    n->kids = k;
    n->nkids = 1;
    return n;
}

static int enter(parser *p, const token *t)
{
    if (++p->depth > TY_EXPR_MAX_DEPTH) {
        if (!p->failed) p->limit = 1;
        parse_error(p, t, "expression nested too deeply (the limit is %d levels)",
                    TY_EXPR_MAX_DEPTH);
        return 0;
    }
    return 1;
}

static node *parse_unary(parser *p);

/* primary := NUMBER | NAME | NAME '(' expr {',' expr} ')' | '(' expr ')' */
static node *parse_primary(parser *p)
{
    const token *t = peek(p);
    char desc[64];
    switch (t->kind) {
    case TK_NUM: {
        advance(p);
        node *n = new_node(p, N_NUM, t);
        if (n) n->num = t->num;
        return n;
    }
    case TK_NAME: {
        advance(p);
        if (peek(p)->kind != TK_LPAREN) {
            node *n = new_node(p, N_NAME, t);
            if (n) { n->name = t->start; n->namelen = t->len; }
            return n;
        }
        const token *open = advance(p);
        node *n = new_node(p, N_CALL, t);
        if (!n) return NULL;
        n->name = t->start;
        n->namelen = t->len;
        n->op = -1;
        node **args = NULL;
        int nargs = 0, cap = 0;
        if (peek(p)->kind != TK_RPAREN) {
            for (;;) {
                node *a = parse_expr(p);
                if (!a) return NULL;
                if (nargs == cap) {
                    cap = cap ? 2 * cap : 4;
                    node **g = expr_arena_alloc(p->arena, (size_t)cap * sizeof *g);
                    if (!g) { p->failed = 1; return NULL; }
                    if (nargs) memcpy(g, args, (size_t)nargs * sizeof *g);
                    args = g;
                }
                args[nargs++] = a;
                if (peek(p)->kind != TK_COMMA) break;
                advance(p);
            }
        }
        if (peek(p)->kind != TK_RPAREN) {
            tok_desc(peek(p), desc, sizeof desc);
            parse_error(p, peek(p), "expected ',' or ')' to close the '(' at %d:%d, found %s",
                        open->pos.line, open->pos.col, desc);
            return NULL;
        }
        advance(p);
        n->kids = args;
        n->nkids = nargs;
        return n;
    }
    case TK_LPAREN: {
        advance(p);
        node *n = parse_expr(p);
        if (!n) return NULL;
        if (peek(p)->kind != TK_RPAREN) {
            tok_desc(peek(p), desc, sizeof desc);
            parse_error(p, peek(p), "expected ')' to close the '(' at %d:%d, found %s",
                        t->pos.line, t->pos.col, desc);
            return NULL;
        }
        advance(p);
        return n;
    }
    case TK_RPAREN:
        parse_error(p, t, "unexpected ')' (unbalanced parentheses)");
        return NULL;
    case TK_EOF:
        parse_error(p, t, "expected an expression, found end of expression");
        return NULL;
    default:
        tok_desc(t, desc, sizeof desc);
        parse_error(p, t, "expected an expression, found %s", desc);
        return NULL;
    }
}

/* power := primary ['^' unary] */
static node *parse_power(parser *p)
{
    node *base = parse_primary(p);
    if (!base || peek(p)->kind != TK_CARET) return base;
    const token *op = advance(p);
    node *ex = parse_unary(p);
    return ex ? new_bin(p, op, B_POW, base, ex) : NULL;
}

/* unary := ('-'|'+') unary | power */
static node *parse_unary(parser *p)
{
    const token *t = peek(p);
    if (t->kind != TK_MINUS && t->kind != TK_PLUS) return parse_power(p);
    if (!enter(p, t)) return NULL;
    advance(p);
    node *a = parse_unary(p);
    p->depth--;
    if (!a) return NULL;
    return t->kind == TK_MINUS ? new_unary(p, t, N_NEG, a) : a;
}

/* term := unary {('*'|'/') unary} */
static node *parse_term(parser *p)
{
    node *a = parse_unary(p);
    while (a && (peek(p)->kind == TK_STAR || peek(p)->kind == TK_SLASH)) {
        const token *op = advance(p);
        node *b = parse_unary(p);
        a = b ? new_bin(p, op, op->kind == TK_STAR ? B_MUL : B_DIV, a, b) : NULL;
    }
    return a;
}

/* sum := term {('+'|'-') term} */
static node *parse_sum(parser *p)
{
    node *a = parse_term(p);
    while (a && (peek(p)->kind == TK_PLUS || peek(p)->kind == TK_MINUS)) {
        const token *op = advance(p);
        node *b = parse_term(p);
        a = b ? new_bin(p, op, op->kind == TK_PLUS ? B_ADD : B_SUB, a, b) : NULL;
    }
    return a;
}

static int cmp_op(tok_kind k)
{
    switch (k) {
    case TK_LT: return B_LT;
    case TK_LE: return B_LE;
    case TK_GT: return B_GT;
    case TK_GE: return B_GE;
    case TK_EQ: return B_EQ;
    case TK_NE: return B_NE;
    default: return -1;
    }
}

/* cmp := sum [cmpop sum] */
static node *parse_cmp(parser *p)
{
    node *a = parse_sum(p);
    if (!a) return NULL;
    int op = cmp_op(peek(p)->kind);
    if (op < 0) return a;
    const token *t = advance(p);
    node *b = parse_sum(p);
    if (!b) return NULL;
    if (cmp_op(peek(p)->kind) >= 0) {
        parse_error(p, peek(p), "comparisons cannot be chained");
        ty_diag_hint(p->diag, "write 'a < b and b < c'");
        return NULL;
    }
    return new_bin(p, t, op, a, b);
}

/* not := 'not' not | cmp */
static node *parse_not(parser *p)
{
    const token *t = peek(p);
    if (t->kind != TK_NOT) return parse_cmp(p);
    if (!enter(p, t)) return NULL;
    advance(p);
    node *a = parse_not(p);
    p->depth--;
    return a ? new_unary(p, t, N_NOT, a) : NULL;
}

/* and := not {'and' not} */
static node *parse_and(parser *p)
{
    node *a = parse_not(p);
    while (a && peek(p)->kind == TK_AND) {
        const token *op = advance(p);
        node *b = parse_not(p);
        a = b ? new_bin(p, op, B_AND, a, b) : NULL;
    }
    return a;
}

/* or := and {'or' and} */
static node *parse_or(parser *p)
{
    node *a = parse_and(p);
    while (a && peek(p)->kind == TK_OR) {
        const token *op = advance(p);
        node *b = parse_and(p);
        a = b ? new_bin(p, op, B_OR, a, b) : NULL;
    }
    return a;
}

/* expr := or ['?' expr ':' expr] */
node *parse_expr(parser *p)
{
    if (!enter(p, peek(p))) return NULL;
    node *c = parse_or(p), *n = c;
    if (c && peek(p)->kind == TK_QUEST) {
        const token *q = advance(p);
        node *a = parse_expr(p);
        n = NULL;
        if (a && peek(p)->kind != TK_COLON) {
            char desc[64];
            tok_desc(peek(p), desc, sizeof desc);
            parse_error(p, peek(p), "expected ':' of the '?' at %d:%d, found %s", q->pos.line,
                        q->pos.col, desc);
        } else if (a) {
            advance(p);
            node *b = parse_expr(p);
            if (b) {
                n = new_node(p, N_COND, q);
                node **k = n ? expr_arena_alloc(p->arena, 3 * sizeof *k) : NULL;
                if (k) {
                    k[0] = c;
                    k[1] = a;
                    k[2] = b;
                    n->kids = k;
                    n->nkids = 3;
                } else {
                    n = NULL;
                    p->failed = 1;
                }
            }
        }
    }
    p->depth--;
    return n;
}

node *parse_expr_text(const char *text, const ty_pos *pos, arena *ar, ty_diag *diag,
                      ty_status *status)
{
    ty_pos start = pos ? *pos : (ty_pos){NULL, 1, 1};
    size_t len = strlen(text);
    if (len > TY_EXPR_MAX_LEN) {
        ty_diag_add(diag, TY_SEV_ERROR, &start,
                    "expression too long (%zu characters; the limit is %d)", len,
                    TY_EXPR_MAX_LEN);
        *status = TY_ERR_LIMIT;
        return NULL;
    }
    token *toks;
    size_t ntoks;
    *status = lex_tokens(text, len, &start, &toks, &ntoks, diag);
    if (*status != TY_OK) return NULL;
    if (toks[0].kind == TK_EOF) {
        ty_diag_add(diag, TY_SEV_ERROR, &start, "empty expression");
        free(toks);
        *status = TY_ERR_INVALID;
        return NULL;
    }
    parser p = {toks, ntoks, 0, ar, diag, 0, 0, 0};
    node *root = parse_expr(&p);
    if (root && peek(&p)->kind != TK_EOF) {
        const token *t = peek(&p);
        if (t->kind == TK_RPAREN)
            parse_error(&p, t, "unexpected ')' (unbalanced parentheses)");
        else
            parse_error(&p, t, "unexpected '%.*s' after the end of the expression",
                        t->len > 40 ? 40 : (int)t->len, t->start);
        root = NULL;
    }
    if (!root) *status = ar->oom ? TY_ERR_NOMEM : p.limit ? TY_ERR_LIMIT : TY_ERR_INVALID;
    free(toks);
    return root;
}
