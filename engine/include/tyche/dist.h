/* dist.h - probability distributions: validation, block sampling, CDF and
 * quantile, optional truncation bounds.
 *
 * A ty_dist is built once from a ty_dist_spec (validated, with derived
 * constants and tables precomputed), is immutable afterwards and may be
 * shared by all threads. Sampling fills a whole block per call: the switch
 * on the kind happens once per block, never per sample.
 *
 * This module knows nothing of scenarios or YAML: the loader turns a call
 * such as `normal(40000, 8000)` into a spec and passes the call's position
 * for error messages. */
#ifndef TYCHE_DIST_H
#define TYCHE_DIST_H

#include "common.h"
#include "diag.h"
#include "rng.h"

/* X(ID, name, number of numeric parameters, parameter names...)
 * The one list of distributions: it feeds the enum, the names and the
 * parameter names. discrete takes two lists instead of numbers; metalog
 * takes two lists (values x, probabilities p) and optional lower/upper
 * bounds; mixture a list of component distributions and optional weights.
 * The kinds with 0 numeric parameters have none that --set or a sweep can
 * change. student_t's loc and scale default to 0 and 1 in scenarios. */
#define TY_DIST_LIST(X)                                        \
    X(UNIFORM,    "uniform",    2, "min", "max", NULL)         \
    X(NORMAL,     "normal",     2, "mean", "sd", NULL)         \
    X(LOGNORMAL,  "lognormal",  2, "mu", "sigma", NULL)        \
    X(CI90,       "ci90",       2, "lo", "hi", NULL)           \
    X(BETA,       "beta",       2, "a", "b", NULL)             \
    X(GAMMA,      "gamma",      2, "shape", "scale", NULL)     \
    X(TRIANGULAR, "triangular", 3, "min", "mode", "max")       \
    X(PERT,       "pert",       3, "min", "mode", "max")       \
    X(BERNOULLI,  "bernoulli",  1, "p", NULL, NULL)            \
    X(BINOMIAL,   "binomial",   2, "n", "p", NULL)             \
    X(POISSON,    "poisson",    1, "lambda", NULL, NULL)       \
    X(DISCRETE,   "discrete",   0, "values", "weights", NULL)  \
    X(CONSTANT,   "constant",   1, "x", NULL, NULL)           \
    X(STUDENT_T,  "student_t",  3, "df", "loc", "scale")       \
    X(LOGUNIFORM, "loguniform", 2, "min", "max", NULL)         \
    X(EXPONENTIAL, "exponential", 1, "rate", NULL, NULL)       \
    X(WEIBULL,    "weibull",    2, "shape", "scale", NULL)     \
    X(METALOG,    "metalog",    0, "x", "p", NULL)             \
    X(MIXTURE,    "mixture",    0, "components", "weights", NULL)

typedef enum ty_dist_kind {
#define TY_DIST_ENUM_(id, name, np, a, b, c) TY_DIST_##id,
    TY_DIST_LIST(TY_DIST_ENUM_)
#undef TY_DIST_ENUM_
    TY_DIST_COUNT
} ty_dist_kind;

#define TY_DIST_MAX_PARAMS 3
#define TY_DIST_MAX_VALUES 100000   /* entries of a discrete distribution */
#define TY_DIST_METALOG_MIN 3       /* quantile pairs of a metalog: terms = pairs */
#define TY_DIST_METALOG_MAX 5
#define TY_DIST_MAX_COMPONENTS 100  /* components of a mixture */
#define TY_DIST_MAX_NEST 8          /* mixtures within mixtures */
#define TY_DIST_STUDENT_DF_MAX 1e6  /* above, a t is a normal to 1e-6 */

/* metalog_bounds bits: which of param[0] (lower) and param[1] (upper) hold */
#define TY_DIST_METALOG_LOWER 1
#define TY_DIST_METALOG_UPPER 2

/* What a distribution call says; the caller owns values/weights. */
typedef struct ty_dist_spec {
    ty_dist_kind kind;
    double param[TY_DIST_MAX_PARAMS];   /* in the order of TY_DIST_LIST */
    const double *values;               /* discrete: nvalues each; metalog: the
                                           quantiles x, nvalues of them */
    const double *weights;              /* discrete and mixture (nweights of
                                           them); need not sum to 1; NULL:
                                           equal weights. metalog: the
                                           probabilities p, nvalues of them */
    size_t nvalues;
    int has_bounds;                     /* truncate to [lo, hi] (may be infinite) */
    double lo, hi;
    size_t nweights;                    /* discrete: length of weights, checked
                                           against nvalues; 0 means nvalues */
    ty_pos param_pos[TY_DIST_MAX_PARAMS]; /* where each parameter is written, for
                                           errors about one of them; line 0:
                                           unknown (the call's pos is used) */
    int metalog_bounds;                 /* metalog: TY_DIST_METALOG_LOWER/UPPER
                                           bits; param[0] = lower, param[1] = upper */
    const struct ty_dist_spec *components; /* mixture: ncomponents specs (each
                                           with its own bounds, maybe a
                                           mixture); the caller owns them */
    size_t ncomponents;
    const ty_pos *component_pos;        /* mixture: where each component is
                                           written (NULL or line 0: pos) */
} ty_dist_spec;

/* Every factor's values, mean and variance stay within doubles with room
 * for sums over a block: ty_dist_new rejects a distribution whose mean or
 * variance is not finite or whose quantiles from 1e-12 to 1 - 1e-12 reach
 * beyond +-TY_DIST_MAX_ABS (or are NaN). */
#define TY_DIST_MAX_ABS 1e300

typedef struct ty_dist ty_dist;

/* Name <-> kind. ty_dist_kind_from_name returns -1 for an unknown name. */
const char *ty_dist_kind_name(ty_dist_kind kind);
int ty_dist_kind_from_name(const char *name);
/* Number of numeric parameters (0 for discrete), and their names. */
int ty_dist_nparams(ty_dist_kind kind);
const char *ty_dist_param_name(ty_dist_kind kind, int i);
/* Index of a named parameter of kind, or -1. */
int ty_dist_param_index(ty_dist_kind kind, const char *name);

/* Validates spec and builds the distribution. On success *out owns a new
 * object (free with ty_dist_free) and TY_OK is returned. On bad parameters
 * (sd <= 0, min >= max, p outside [0,1], non-finite values, bounds reversed,
 * outside the support or holding no probability, negative or all-zero
 * weights, ci90 percentiles outside the bounds, student_t with df <= 2
 * (infinite variance) unless bounds on both sides truncate it, metalog
 * pairs that are unordered or whose quantile function is not increasing,
 * an invalid mixture component (its errors are reported at its own
 * position), a distribution doubles
 * cannot represent: see TY_DIST_MAX_ABS) TY_ERR_INVALID is returned, one
 * error per problem is added to diag at pos (or at the parameter's
 * spec->param_pos when known) naming the parameter, and *out is NULL. TY_ERR_NOMEM when out
 * of memory. */
ty_status ty_dist_new(const ty_dist_spec *spec, ty_dist **out, ty_diag *diag, const ty_pos *pos);
void ty_dist_free(ty_dist *dist);

/* The spec the distribution was built from (values/weights point into the
 * distribution's own copies). */
const ty_dist_spec *ty_dist_get_spec(const ty_dist *dist);

/* Fills out[0..n) with independent draws, advancing rng. Thread-safe for a
 * shared dist with per-thread rngs. The draws are a deterministic function
 * of the rng state and n; cutting one call into several may give other
 * (equally distributed) values, as samplers work in chunks. Truncated distributions draw by
 * rejection while the bounds keep most of the mass and by inversion
 * otherwise, so narrow tails stay cheap. */
void ty_dist_sample(const ty_dist *dist, ty_rng *rng, double *out, size_t n);

/* CDF and quantile of the distribution as truncated. For discrete kinds the
 * quantile is the smallest x with CDF(x) >= p. p outside [0,1] gives NaN. */
double ty_dist_cdf(const ty_dist *dist, double x);
double ty_dist_quantile(const ty_dist *dist, double p);
/* out[i] = quantile(u[i]) for a block (Latin hypercube sampling, tornado). */
void ty_dist_quantile_block(const ty_dist *dist, const double *u, double *out, size_t n);

/* Mean and variance of the distribution as truncated (exact where a closed
 * form exists, else by numerical integration of the quantile). */
double ty_dist_mean(const ty_dist *dist);
double ty_dist_variance(const ty_dist *dist);

/* Support [lo, hi] after truncation (may be infinite). */
void ty_dist_support(const ty_dist *dist, double *lo, double *hi);

/* Writes a one-line description such as "normal(mean=40000, sd=8000) in
 * [15000, 100000]" into buf (always NUL-terminated). Returns the length it
 * needed, like snprintf. */
int ty_dist_describe(const ty_dist *dist, char *buf, size_t size);

#endif
