/* expr_int.h - internals shared by the expression pipeline:
 *   lex.c (tokens) -> parse.c (AST) -> resolve.c (names, arity, folding)
 *   -> compile.c (bytecode) -> vm.c (block execution).
 * Not a public header. */
#ifndef TYCHE_EXPR_INT_H
#define TYCHE_EXPR_INT_H

#include "tyche/expr.h"
#include "util/name_index.h"

/* ---- arena: every AST node of one parse, freed at once ---- */
typedef struct arena_block arena_block;
typedef struct arena {
    arena_block *head;
    int oom;
} arena;

void *expr_arena_alloc(arena *a, size_t size);   /* zeroed; NULL (and a->oom) on failure */
void expr_arena_clear(arena *a);

/* ---- tokens ---- */
typedef enum tok_kind {
    TK_EOF, TK_NUM, TK_NAME,
    TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_CARET,
    TK_LT, TK_LE, TK_GT, TK_GE, TK_EQ, TK_NE,
    TK_AND, TK_OR, TK_NOT,
    TK_QUEST, TK_COLON, TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK,
    TK_COMMA, TK_ASSIGN
} tok_kind;

typedef struct token {
    tok_kind kind;
    const char *start;   /* into the source text */
    size_t len;
    double num;          /* TK_NUM */
    ty_pos pos;
} token;

/* Splits text (len characters) into tokens ending with TK_EOF. On success
 * *out (malloc'd, caller frees) holds *count tokens and TY_OK is returned;
 * on a bad character or number every such error is added to diag and
 * TY_ERR_INVALID returned, *out NULL. */
ty_status lex_tokens(const char *text, size_t len, const ty_pos *pos, token **out,
                     size_t *count, ty_diag *diag);
const char *lex_kind_str(tok_kind kind);

/* ---- AST ---- */
typedef enum node_kind {
    N_NUM, N_NAME, N_NEG, N_NOT, N_BIN, N_COND, N_CALL, N_LIST
} node_kind;

typedef enum bin_op {
    B_ADD, B_SUB, B_MUL, B_DIV, B_POW,
    B_LT, B_LE, B_GT, B_GE, B_EQ, B_NE, B_AND, B_OR
} bin_op;

typedef enum builtin_fn {
    F_EXP, F_LOG, F_SQRT, F_ABS, F_FLOOR, F_CEIL, F_SIN, F_COS, F_TANH,
    F_LOGISTIC, F_NORMCDF, F_POW, F_MIN, F_MAX, F_CLAMP, F_COUNT
} builtin_fn;

typedef struct node node;
struct node {
    node_kind kind;
    int op;              /* bin_op for N_BIN, builtin_fn for N_CALL after resolve */
    ty_pos pos;          /* the token that names the node: operator, number, name */
    double num;          /* N_NUM */
    const char *name;    /* N_NAME, N_CALL: into the source text */
    size_t namelen;
    int slot;            /* N_NAME after resolve: register slot */
    int need;            /* compile.c: temporaries needed + 1; 0 unknown */
    node **kids;         /* operands, call arguments, list items */
    int nkids;
    /* call arguments only (ty_call_parse) */
    const char *argname;
    size_t argnamelen;
    ty_pos argpos;
};

typedef struct parser {
    const token *toks;
    size_t ntoks, at;
    arena *arena;
    ty_diag *diag;
    int depth;
    int failed;          /* a syntax error was reported: stop */
    int limit;           /* ... and it was a depth limit */
} parser;

/* Parses one whole expression of text. Returns the root, or NULL after
 * reporting the error(s) on diag; *status says which (TY_ERR_INVALID,
 * TY_ERR_LIMIT, TY_ERR_NOMEM). Nodes live in ar. */
node *parse_expr_text(const char *text, const ty_pos *pos, arena *ar, ty_diag *diag,
                      ty_status *status);
/* Parser pieces shared with the call parser (call.c). */
node *parse_expr(parser *p);
void parse_error(parser *p, const token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- resolution and folding ---- */

/* What a name may refer to while resolving one expression. */
typedef struct scope {
    const char *const *names;  /* all declared value names */
    const int *slots;          /* their slots */
    size_t nnames;
    size_t nvisible;           /* names[0..nvisible) are visible */
    size_t self;               /* index of the name being defined, or (size_t)-1 */
    const char *const *other;  /* other names that are not values (outcomes) */
    size_t nother;
    const name_index *index;   /* over names[0..nnames): lookups without a scan */
} scope;

/* Resolves names (to slots and constants) and calls, checks arities, folds
 * constant subexpressions. Returns the new root (folding may replace it)
 * and adds one error per problem; *errors counts them. With sc NULL every
 * name is an error ("not a constant"). */
node *resolve_expr(node *root, const scope *sc, arena *ar, ty_diag *diag, int *errors);

const char *builtin_name(builtin_fn fn);
int builtin_lookup(const char *name, size_t len);           /* fn or -1 */
int builtin_is_reserved(const char *name, size_t len);      /* fn, constant or keyword */
double builtin_eval(builtin_fn fn, const double *args, int nargs);

#endif
