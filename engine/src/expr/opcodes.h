/* opcodes.h - the one list of VM instructions. Every instruction works on a
 * whole chunk of samples: each register (slot) is an array of doubles, one
 * per sample. Slots 0..F-1 are the factor columns, then the derived columns,
 * then the outcome columns, then temporaries.
 *
 * X(NAME, operands, meaning) -- operands, for the disassembler:
 *   d destination slot, a b c source slots, k constant k, K constant k2,
 *   n count (field b) -- in the order printed.
 * Comparisons give NaN when an operand is NaN (ops.h says why).
 * Fused forms round twice, exactly as the C expression they stand for
 * (they are not fused multiply-adds); they save passes over the chunk. */
#ifndef TYCHE_OPCODES_H
#define TYCHE_OPCODES_H

#define TY_OPCODES(X)                                                          \
    X(LOADK,    "dk",   "d = k")                                               \
    X(MOV,      "da",   "d = a")                                               \
    X(NEG,      "da",   "d = -a")                                              \
    X(NOT,      "da",   "d = (a == 0)                (NaN: NaN, ops.h)")       \
    X(BOOL,     "da",   "d = (a != 0)                (NaN: NaN)")              \
    X(ADD,      "dab",  "d = a + b")                                           \
    X(SUB,      "dab",  "d = a - b")                                           \
    X(MUL,      "dab",  "d = a * b")                                           \
    X(DIV,      "dab",  "d = a / b")                                           \
    X(POW,      "dab",  "d = pow(a, b)")                                       \
    X(ADDK,     "dak",  "d = a + k")                                           \
    X(KSUB,     "dak",  "d = k - a")                                           \
    X(MULK,     "dak",  "d = a * k")                                           \
    X(DIVK,     "dak",  "d = a / k")                                           \
    X(KDIV,     "dak",  "d = k / a")                                           \
    X(POWK,     "dak",  "d = pow(a, k)")                                       \
    X(KPOW,     "dak",  "d = pow(k, a)")                                       \
    X(ADDMULK,  "dabk", "d = a + b * k")                                       \
    X(MULKADDK, "dakK", "d = a * k + k2")                                      \
    X(MULADD,   "dabc", "d = a * b + c")                                       \
    X(MULADDK,  "dabk", "d = a * b + k")                                       \
    X(LT,       "dab",  "d = (a < b)")                                         \
    X(LE,       "dab",  "d = (a <= b)")                                        \
    X(GT,       "dab",  "d = (a > b)")                                         \
    X(GE,       "dab",  "d = (a >= b)")                                        \
    X(EQ,       "dab",  "d = (a == b)")                                        \
    X(NE,       "dab",  "d = (a != b)")                                        \
    X(LTK,      "dak",  "d = (a < k)")                                         \
    X(LEK,      "dak",  "d = (a <= k)")                                        \
    X(GTK,      "dak",  "d = (a > k)")                                         \
    X(GEK,      "dak",  "d = (a >= k)")                                        \
    X(EQK,      "dak",  "d = (a == k)")                                        \
    X(NEK,      "dak",  "d = (a != k)")                                        \
    X(AND,      "dab",  "d = (a != 0 and b != 0)     (Kleene on NaN, ops.h)")  \
    X(OR,       "dab",  "d = (a != 0 or b != 0)      (Kleene on NaN)")         \
    X(SELECT,   "dabc", "d = a != 0 ? b : c          (a NaN: NaN)")            \
    X(MIN,      "dab",  "d = min(a, b)               (NaN if either is)")      \
    X(MAX,      "dab",  "d = max(a, b)               (NaN if either is)")      \
    X(MINK,     "dak",  "d = min(a, k)")                                       \
    X(MAXK,     "dak",  "d = max(a, k)")                                       \
    X(EXP,      "da",   "d = exp(a), vectorised (vmath.h)")                    \
    X(LOG,      "da",   "d = log(a)")                                          \
    X(SQRT,     "da",   "d = sqrt(a)")                                         \
    X(ABS,      "da",   "d = fabs(a)")                                         \
    X(FLOOR,    "da",   "d = floor(a)")                                        \
    X(CEIL,     "da",   "d = ceil(a)")                                         \
    X(SIN,      "da",   "d = sin(a)")                                          \
    X(COS,      "da",   "d = cos(a)")                                          \
    X(TANH,     "da",   "d = tanh(a)")                                         \
    X(LOGISTIC, "da",   "d = 1 / (1 + exp(-a))")                               \
    X(NORMCDF,  "da",   "d = 0.5 * erfc(-a * sqrt(1/2))")                      \
    X(SOFTMAX,  "an",   "slots a..a+n-1 = softmax of themselves, per sample;" \
                        " stop if one is not finite")                          \
    X(CHECK,    "ak",   "stop if some a is not finite (k: its definition;"     \
                        " for per-sample values other than scores and rules)") \
    X(RULE,     "dak",  "d = (d == -1 and a != 0) ? k : d (first true wins);"  \
                        " a not finite where d == -1: d = -2 - 3k - (0 NaN,"   \
                        " 1 +inf, 2 -inf)")                                    \
    X(RULEELSE, "dk",   "d = d == -1 ? k : d               (otherwise)")       \
    X(RULEEND,  "dan",  "slot a+j = (d == j) for j < n; stop if some d < 0")

typedef enum vm_op {
#define TY_OP_ENUM_(name, operands, meaning) OP_##name,
    TY_OPCODES(TY_OP_ENUM_)
#undef TY_OP_ENUM_
    OP_COUNT
} vm_op;

#endif
