/* lex.c - the expression lexer: text to a token array, each token with its
 * file position. Positions advance by one column per byte and start a new
 * line after '\n'. Knows nothing of grammar or names. */
#include "expr_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *lex_kind_str(tok_kind kind)
{
    switch (kind) {
    case TK_EOF: return "end of expression";
    case TK_NUM: return "number";
    case TK_NAME: return "name";
    case TK_PLUS: return "+";
    case TK_MINUS: return "-";
    case TK_STAR: return "*";
    case TK_SLASH: return "/";
    case TK_CARET: return "^";
    case TK_LT: return "<";
    case TK_LE: return "<=";
    case TK_GT: return ">";
    case TK_GE: return ">=";
    case TK_EQ: return "==";
    case TK_NE: return "!=";
    case TK_AND: return "and";
    case TK_OR: return "or";
    case TK_NOT: return "not";
    case TK_QUEST: return "?";
    case TK_COLON: return ":";
    case TK_LPAREN: return "(";
    case TK_RPAREN: return ")";
    case TK_LBRACK: return "[";
    case TK_RBRACK: return "]";
    case TK_COMMA: return ",";
    case TK_ASSIGN: return "=";
    }
    return "?";
}

static int is_name_start(int c) { return isalpha(c) || c == '_'; }
static int is_name_char(int c) { return isalnum(c) || c == '_'; }

/* Scans a number at s: digits ['.' digits] [e[+-]digits] | '.' digits ...
 * Returns its length, or 0 when malformed (no digits, bare exponent). */
static size_t scan_number(const char *s, const char *end)
{
    const char *p = s;
    size_t digits = 0;
    while (p < end && isdigit((unsigned char)*p)) { p++; digits++; }
    if (p < end && *p == '.') {
        p++;
        while (p < end && isdigit((unsigned char)*p)) { p++; digits++; }
    }
    if (!digits) return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        if (q < end && (*q == '+' || *q == '-')) q++;
        if (q >= end || !isdigit((unsigned char)*q)) return 0;
        while (q < end && isdigit((unsigned char)*q)) q++;
        p = q;
    }
    return (size_t)(p - s);
}

/* Skips blanks and line ends from p, advancing *at; returns the first other
 * byte (or end). */
static const char *skip_space(const char *p, const char *end, ty_pos *at)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        if (*p == '\n') { at->line++; at->col = 1; } else at->col++;
        p++;
    }
    return p;
}

/* The value of the l-byte number text at p (not NUL-terminated). Returns
 * TY_OK, or TY_ERR_NOMEM when a long text could not be copied. */
static ty_status number_value(const char *p, size_t l, double *num)
{
    char buf[64];
    if (l < sizeof buf) {
        memcpy(buf, p, l);
        buf[l] = '\0';
        *num = strtod(buf, NULL);
        return TY_OK;
    }
    char *tmp = malloc(l + 1);
    if (!tmp) return TY_ERR_NOMEM;
    memcpy(tmp, p, l);
    tmp[l] = '\0';
    *num = strtod(tmp, NULL);
    free(tmp);
    return TY_OK;
}

/* Lexes the number at p (a digit, or '.' and a digit) into t. A number run
 * into name characters ('2x', '1.2.3') is one malformed token, reported
 * (with a hint for a missing '*') and counted in *errors. *len gets the
 * bytes consumed. Returns TY_OK or TY_ERR_NOMEM. */
static ty_status lex_number(token *t, const char *p, const char *end, size_t *len,
                            ty_diag *diag, int *errors)
{
    size_t l = scan_number(p, end);
    size_t bad = l;
    while (p + bad < end && (is_name_char((unsigned char)p[bad]) || p[bad] == '.')) bad++;
    if (l == 0 || bad != l) {
        if (bad == 0) bad = 1;
        ty_diag_add(diag, TY_SEV_ERROR, &t->pos, "malformed number '%.*s'", (int)bad, p);
        if (l > 0 && is_name_start((unsigned char)p[l]))
            ty_diag_hint(diag, "write multiplication with '*', as in '%.*s*%.*s'",
                         (int)l, p, (int)(bad - l), p + l);
        (*errors)++;
        *len = bad;
        return TY_OK;
    }
    *len = l;
    if (number_value(p, l, &t->num) != TY_OK) return TY_ERR_NOMEM;
    t->kind = TK_NUM;
    return TY_OK;
}

/* Lexes the name or keyword (and, or, not) at p into t; returns its length. */
static size_t lex_name(token *t, const char *p, const char *end)
{
    size_t l = 1;
    while (p + l < end && is_name_char((unsigned char)p[l])) l++;
    t->kind = TK_NAME;
    if (l == 3 && !memcmp(p, "and", 3)) t->kind = TK_AND;
    else if (l == 2 && !memcmp(p, "or", 2)) t->kind = TK_OR;
    else if (l == 3 && !memcmp(p, "not", 3)) t->kind = TK_NOT;
    return l;
}

/* Lexes the operator or punctuation at p into t, or reports an unexpected
 * character (with a hint for '**', '!', '&&' and '||') counted in *errors.
 * Returns the bytes consumed. */
static size_t lex_symbol(token *t, const char *p, const char *end, ty_diag *diag, int *errors)
{
    unsigned char c = (unsigned char)*p;
    char c2 = p + 1 < end ? p[1] : '\0';
    size_t l = 1;
    switch (c) {
    case '+': t->kind = TK_PLUS; break;
    case '-': t->kind = TK_MINUS; break;
    case '*':
        if (c2 == '*') {
            ty_diag_add(diag, TY_SEV_ERROR, &t->pos, "unexpected '**'");
            ty_diag_hint(diag, "write powers with '^', as in 'x^2'");
            (*errors)++;
            l = 2;
        }
        t->kind = TK_STAR;
        break;
    case '/': t->kind = TK_SLASH; break;
    case '^': t->kind = TK_CARET; break;
    case '<': if (c2 == '=') { t->kind = TK_LE; l = 2; } else t->kind = TK_LT; break;
    case '>': if (c2 == '=') { t->kind = TK_GE; l = 2; } else t->kind = TK_GT; break;
    case '=': if (c2 == '=') { t->kind = TK_EQ; l = 2; } else t->kind = TK_ASSIGN; break;
    case '!':
        if (c2 == '=') { t->kind = TK_NE; l = 2; break; }
        ty_diag_add(diag, TY_SEV_ERROR, &t->pos, "unexpected character '!'");
        ty_diag_hint(diag, "write negation as 'not'");
        (*errors)++;
        break;
    case '&': case '|':
        l = c2 == (char)c ? 2 : 1;
        ty_diag_add(diag, TY_SEV_ERROR, &t->pos, "unexpected '%.*s'", (int)l, p);
        ty_diag_hint(diag, "write '%s'", c == '&' ? "and" : "or");
        (*errors)++;
        break;
    case '?': t->kind = TK_QUEST; break;
    case ':': t->kind = TK_COLON; break;
    case '(': t->kind = TK_LPAREN; break;
    case ')': t->kind = TK_RPAREN; break;
    case '[': t->kind = TK_LBRACK; break;
    case ']': t->kind = TK_RBRACK; break;
    case ',': t->kind = TK_COMMA; break;
    default:
        if (c >= 0x20 && c < 0x7f)
            ty_diag_add(diag, TY_SEV_ERROR, &t->pos, "unexpected character '%c'", c);
        else
            ty_diag_add(diag, TY_SEV_ERROR, &t->pos, "unexpected byte 0x%02x", c);
        (*errors)++;
        break;
    }
    return l;
}

ty_status lex_tokens(const char *text, size_t len, const ty_pos *pos, token **out,
                     size_t *count, ty_diag *diag)
{
    *out = NULL;
    *count = 0;
    size_t cap = 16, n = 0;
    token *toks = malloc(cap * sizeof *toks);
    if (!toks) return TY_ERR_NOMEM;
    ty_pos at = pos ? *pos : (ty_pos){NULL, 1, 1};
    const char *p = text, *end = text + len;
    int errors = 0;
    for (;;) {
        p = skip_space(p, end, &at);
        if (n == cap) {
            token *t = realloc(toks, 2 * cap * sizeof *toks);
            if (!t) { free(toks); return TY_ERR_NOMEM; }
            toks = t;
            cap *= 2;
        }
        token *t = &toks[n];
        memset(t, 0, sizeof *t);
        t->start = p;
        t->pos = at;
        if (p >= end) { t->kind = TK_EOF; n++; break; }
        unsigned char c = (unsigned char)*p;
        size_t l;
        if (isdigit(c) || (c == '.' && p + 1 < end && isdigit((unsigned char)p[1]))) {
            if (lex_number(t, p, end, &l, diag, &errors) != TY_OK) { free(toks); return TY_ERR_NOMEM; }
        } else if (is_name_start(c)) {
            l = lex_name(t, p, end);
        } else {
            l = lex_symbol(t, p, end, diag, &errors);
        }
        t->len = l;
        p += l;
        at.col += (int)l;
        n++;
    }
    if (errors) { free(toks); return TY_ERR_INVALID; }
    *out = toks;
    *count = n;
    return TY_OK;
}
