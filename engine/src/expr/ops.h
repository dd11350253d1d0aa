/* ops.h - the element functions of the operators whose NaN behaviour is
 * tyche's own, shared by the VM (vm.c) and the constant folder (resolve.c)
 * so a folded constant equals what the VM computes. Branch-free forms the
 * compilers vectorise.
 *
 * Why NaN propagates here: in C a comparison with a NaN operand is false,
 * so `log(x) > 2` would quietly read "no" for x < 0, a rule would not match
 * and the sample would fall to a later rule: a silently wrong probability.
 * Instead a comparison, `not` and a ?: condition with a NaN operand give
 * NaN, which the checks of the scores and rules then report. `and`/`or`
 * follow Kleene's three-valued logic with NaN as "unknown": a side that
 * decides the result alone wins (0 and NaN = 0, 1 or NaN = 1), so a guard
 * such as `x > 0 and log(x) > 2` keeps working; otherwise NaN. min and max
 * propagate NaN (IEEE 754-2019 minimum/maximum), unlike C's fmin/fmax,
 * which drop it. Infinities compare as IEEE orders them. */
#ifndef TYCHE_EXPR_OPS_H
#define TYCHE_EXPR_OPS_H

#include <math.h>

static inline int op_num_(double x) { return x == x; }

/* A comparison result c (0/1) of a and b: NaN when either is NaN. */
static inline double op_cmp(int c, double a, double b)
{
    return (op_num_(a) & op_num_(b)) ? (c ? 1.0 : 0.0) : NAN;
}

static inline double op_not(double a) { return a == 0 ? 1.0 : op_num_(a) ? 0.0 : NAN; }
static inline double op_bool(double a) { return a == 0 ? 0.0 : op_num_(a) ? 1.0 : NAN; }

static inline double op_and(double a, double b)
{
    return ((a == 0) | (b == 0)) ? 0.0 : (op_num_(a) & op_num_(b)) ? 1.0 : NAN;
}

static inline double op_or(double a, double b)
{
    return (((a != 0) & op_num_(a)) | ((b != 0) & op_num_(b))) ? 1.0
           : (op_num_(a) & op_num_(b))                        ? 0.0
                                                              : NAN;
}

/* c ? a : b, NaN when c is NaN. */
static inline double op_select(double c, double a, double b)
{
    return c == 0 ? b : op_num_(c) ? a : NAN;
}

/* The lesser/greater of a and b, NaN when either is NaN (a + b then). */
static inline double op_min(double a, double b) { return a < b ? a : b <= a ? b : a + b; }
static inline double op_max(double a, double b) { return a > b ? a : b >= a ? b : a + b; }

#endif
