/* expr.h - the expression language of scenario files: derived values,
 * outcome scores and rules, compiled to a block bytecode program; and the
 * parser of distribution calls such as `normal(mean=40000, sd=8000)`.
 *
 * This module knows nothing of YAML: the loader passes each expression's
 * text with the position of its first character, and gets back errors with
 * exact FILE:LINE:COL positions on its ty_diag.
 *
 * Grammar, from the lowest precedence to the highest:
 *
 *   expr    := or ['?' expr ':' expr]          right-associative: a ? b : c ? d : e
 *   or      := and {'or' and}                  nonzero is true; result 0 or 1
 *   and     := not {'and' not}                 both sides are always evaluated
 *   not     := 'not' not | cmp                 not x > 1  is  not (x > 1)
 *   cmp     := sum [('<'|'<='|'>'|'>='|'=='|'!=') sum]   result 0 or 1; no chaining
 *   sum     := term {('+'|'-') term}           left-associative
 *   term    := unary {('*'|'/') unary}         left-associative
 *   unary   := ('-'|'+') unary | power
 *   power   := primary ['^' unary]             right-associative: 2^3^2 = 2^9;
 *                                              -2^2 = -4; 2^-1 = 0.5
 *   primary := NUMBER | NAME | NAME '(' expr {',' expr} ')' | '(' expr ')'
 *
 *   NUMBER  := digits ['.' digits] [exponent] | '.' digits [exponent]
 *              (4e4, 1.5E-3, .5); NAME := [A-Za-z_][A-Za-z0-9_]*
 *
 * Constants: pi, e. Functions: exp log sqrt abs floor ceil sin cos tanh
 * logistic normcdf (one argument), pow(x, y), min and max (two or more),
 * clamp(x, lo, hi) = min(max(x, lo), hi). Values are doubles with C's
 * arithmetic (x/0 is inf, log(-1) is NaN), except that NaN is never lost:
 * a comparison, `not`, a ?: condition, min or max with a NaN operand gives
 * NaN; `and`/`or` give NaN unless the other side decides alone (0 and NaN
 * is 0, 1 or NaN is 1). Every outcome score and every rule condition a
 * sample reaches must be finite (see ty_program_run).
 * exp and logistic use tyche's own vectorised exp, within 2 ulp of the
 * correctly rounded result (usually within 1); the other functions are libm's;
 * normcdf(x) = 0.5 * erfc(-x * sqrt(1/2)).
 *
 * Limits: an expression is at most TY_EXPR_MAX_LEN characters and nests at
 * most TY_EXPR_MAX_DEPTH levels (parentheses, calls, unary operators, ?:
 * branches); beyond either it is rejected with TY_ERR_LIMIT. A distribution
 * call may be up to TY_CALL_MAX_LEN characters (long discrete lists).
 */
#ifndef TYCHE_EXPR_H
#define TYCHE_EXPR_H

#include "common.h"
#include "diag.h"

#define TY_EXPR_MAX_LEN 4096
#define TY_EXPR_MAX_DEPTH 64
#define TY_CALL_MAX_LEN (1u << 20)

/* ---- Programs: a whole scenario's evaluation ---------------------------- */

typedef enum ty_outcome_model {
    TY_OUTCOME_LOGIT = 0,  /* each outcome has a score; probabilities = softmax */
    TY_OUTCOME_RULES = 1,  /* each outcome has a condition; the first true wins */
    TY_OUTCOME_EVENTS = 2  /* time scenarios: each outcome but the last (`otherwise`)
                              has a per-step hazard; the first event of a path is
                              its outcome (scenario.h, the scenario's time model).
                              Not a program's model: the program computes the
                              derived values only */
} ty_outcome_model;

/* One named definition: a derived value, a score or a rule. */
typedef struct ty_expr_def {
    const char *name;
    ty_pos name_pos;      /* where the name is written; line 0 if unknown */
    const char *text;     /* the expression; NULL for a rules model's `otherwise` */
    ty_pos pos;           /* position of text[0]; a newline in text starts
                             line pos.line+1 at column 1 */
} ty_expr_def;

typedef struct ty_program_spec {
    const char *const *factors;   /* nfactors names, in column order */
    const ty_pos *factor_pos;     /* nfactors positions, or NULL */
    size_t nfactors;
    const ty_expr_def *derived;   /* in order: each may use the factors and the
                                     derived values before it */
    size_t nderived;
    ty_outcome_model model;
    const ty_expr_def *outcomes;  /* scores or conditions; may use every
                                     factor and derived value */
    size_t noutcomes;
} ty_program_spec;

typedef struct ty_program ty_program;
typedef struct ty_vm_scratch ty_vm_scratch;

/* Parses, resolves, folds and compiles every expression of spec. On success
 * *out owns a new immutable program (free with ty_program_free) that any
 * number of threads may run at once, and TY_OK is returned. Otherwise *out
 * is NULL and every error found is on diag (up to its cap), each at the
 * exact position of the offending token: syntax errors (one per expression),
 * unknown names with a "did you mean" hint, references to later derived
 * values, a derived value used in its own definition, names defined twice or
 * shadowing a constant, function or keyword, wrong numbers of arguments,
 * `otherwise` not last or in a logit model. Returns TY_ERR_INVALID for such
 * errors, TY_ERR_LIMIT when only length or depth limits were exceeded,
 * TY_ERR_NOMEM when out of memory. spec and its strings are not kept. */
ty_status ty_program_new(const ty_program_spec *spec, ty_program **out, ty_diag *diag);
void ty_program_free(ty_program *prog);

/* What a compiled program reads and computes: its input factors, derived
 * values and outcomes (as in the spec it was built from) and the model. */
size_t ty_program_nfactors(const ty_program *prog);
size_t ty_program_nderived(const ty_program *prog);
size_t ty_program_noutcomes(const ty_program *prog);
ty_outcome_model ty_program_model(const ty_program *prog);
size_t ty_program_ninstr(const ty_program *prog);     /* bytecode length */
size_t ty_program_ntemps(const ty_program *prog);     /* temporary registers */

/* Writes a readable listing of the bytecode, one instruction a line
 * ("   3  MULK      t0, territory, 30000"), into buf (always NUL-terminated
 * when size > 0). Returns the length it needed, like snprintf. */
size_t ty_program_disasm(const ty_program *prog, char *buf, size_t size);

/* Per-thread working memory for running prog (a few KiB per register, fixed
 * whatever n is given to ty_program_run). NULL when out of memory. Free with
 * ty_vm_scratch_free; it must not outlive prog. */
ty_vm_scratch *ty_vm_scratch_new(const ty_program *prog);
void ty_vm_scratch_free(ty_vm_scratch *scratch);

/* Evaluates prog for samples 0..n-1. factors[f][i] is factor f of sample i.
 * derived[d] (nderived columns) receives each derived value, and
 * outcomes[k] (noutcomes columns) receives, for a logit model, outcome k's
 * probability (the softmax of the scores, computed stably by subtracting the
 * per-sample maximum) and for a rules model 1 if outcome k is the first
 * whose condition is nonzero, else 0. derived or outcomes, or any column in
 * them, may be NULL when not wanted. Output columns must not overlap inputs.
 * Work proceeds in chunks of 256 samples; results do not depend on n or on
 * how a block is split. Nothing is allocated; scratch is used by one thread
 * at a time.
 * Returns TY_OK, or TY_ERR_INVALID for a fault: a logit score that is not
 * finite (NaN or +-inf), a rule condition that is not finite for a sample
 * no earlier rule took, or a sample that matches no rule when there is no
 * `otherwise`. *bad_sample (if not NULL) is then the index of the faulty
 * sample (the lowest of the first faulty chunk for its first failing check)
 * and ty_vm_scratch_fault tells what went wrong; outputs are complete for
 * the samples before that chunk only. The checks cost one pass per score
 * over each chunk; rules are checked as they are chosen. */
ty_status ty_program_run(const ty_program *prog, ty_vm_scratch *scratch, size_t n,
                         const double *const *factors, double *const *derived,
                         double *const *outcomes, size_t *bad_sample);

typedef enum ty_fault_kind {
    TY_FAULT_NONE = 0,
    TY_FAULT_NO_RULE,      /* no condition was true and there is no otherwise */
    TY_FAULT_NOT_FINITE    /* a checked definition gave NaN or an infinity */
} ty_fault_kind;

typedef struct ty_program_fault {
    ty_fault_kind kind;
    size_t sample;         /* as *bad_sample */
    size_t def;            /* NOT_FINITE: the definition, numbered as in the
                              spec: derived value j is j, outcome k is
                              nderived + k */
    double value;          /* NOT_FINITE: NaN, +inf or -inf */
} ty_program_fault;

/* The fault of the last ty_program_run on scratch (kind TY_FAULT_NONE after
 * a successful run). */
ty_program_fault ty_vm_scratch_fault(const ty_vm_scratch *scratch);

/* ---- Constant expressions and distribution calls ----------------------- */

/* Parses a constant expression (numbers, pi, e, operators, functions) and
 * folds it to *value. Names are errors. Returns TY_OK, TY_ERR_INVALID,
 * TY_ERR_LIMIT or TY_ERR_NOMEM; errors go to diag. */
ty_status ty_expr_const(const char *text, const ty_pos *pos, double *value, ty_diag *diag);

#define TY_CALL_MAX_NEST 16    /* calls within calls */

typedef struct ty_call ty_call;

/* One argument of a call: `mean = 2 * 4e4`, `[1, 2, 3]`, a nested call
 * `normal(0, 1)` or a list of them `[normal(0, 1), gamma(2, 1)]`. */
typedef struct ty_call_arg {
    const char *name;      /* NULL for a positional argument */
    ty_pos pos;            /* the argument's first token (its name if named) */
    ty_pos value_pos;      /* the value's first token */
    int is_list;           /* 1: values[0..nvalues) holds a list literal */
    double value;          /* the folded value when not a list (NaN: a call) */
    double *values;        /* NaN where the item is a call */
    size_t nvalues;
    ty_call *call;         /* the value is a nested call (not a list), or NULL */
    ty_call **calls;       /* a list with calls: nvalues entries, NULL where the
                              item is a number; NULL when no item is a call */
} ty_call_arg;

struct ty_call {
    char *callee;          /* e.g. "normal" */
    ty_pos callee_pos;
    ty_call_arg *args;
    size_t nargs;
};

/* Parses `NAME(arg, ...)` where each arg is [NAME '='] (item | '[' item,
 * ... ']') and an item a constant expression or a nested call NAME(...)
 * (NAME not an expression function such as exp), folding each value;
 * positions inside nested calls are kept. At most TY_CALL_MAX_NEST levels. Knows nothing of
 * which callees exist: the caller maps callee and argument names (see
 * ty_suggest for hints). Errors, all reported: syntax, non-constant values
 * (names) at their position, a positional argument after a named one, an
 * argument named twice. On success *out owns a new ty_call (free with
 * ty_call_free; the pos.file pointers are those of pos) and TY_OK is
 * returned; otherwise *out is NULL and TY_ERR_INVALID, TY_ERR_LIMIT or
 * TY_ERR_NOMEM is returned. */
ty_status ty_call_parse(const char *text, const ty_pos *pos, ty_call **out, ty_diag *diag);
void ty_call_free(ty_call *call);

#endif
