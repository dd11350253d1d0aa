/* scenario.h - scenario and batch files (docs/format.md): loading,
 * validation, overrides, and the read-only view the run loop and the CLI use.
 *
 * A ty_scenario is what one scenario file says, validated: every factor's
 * distribution built (dist.h), every expression parsed and resolved
 * (expr.h). A batch (ty_batch) names a scenario and lists variants and
 * sweeps; ty_batch_variant() gives each variant as a scenario of its own with
 * the overrides applied, so the rest of the engine only ever sees scenarios.
 *
 * Errors: every problem found in a file goes to the caller's ty_diag as
 * FILE:LINE:COL with a message (and a "did you mean" hint where one helps);
 * loading goes on after an error to report as many as it can. */
#ifndef TYCHE_SCENARIO_H
#define TYCHE_SCENARIO_H

#include "common.h"
#include "diag.h"
#include "dist.h"
#include "expr.h"

#define TY_SCENARIO_MAX_FACTORS 1000
#define TY_SCENARIO_MAX_DERIVED 1000
#define TY_SCENARIO_MAX_OUTCOMES 100
#define TY_SCENARIO_MAX_QUERIES 100
#define TY_SCENARIO_MAX_OBSERVATIONS 100
#define TY_SCENARIO_MAX_NAME 64
#define TY_SCENARIO_MAX_VARIANTS 1000
#define TY_SCENARIO_MAX_SWEEP_STEPS 10000

typedef enum ty_sampling { TY_SAMPLING_RANDOM, TY_SAMPLING_LHS } ty_sampling;

/* Run settings: from the file's `run:` block, overridable by variants and
 * the command line. */
typedef struct ty_run_settings {
    uint64_t samples;            /* default 1000000 */
    uint64_t seed;               /* default 0 */
    ty_sampling sampling;        /* default random */
    double target_halfwidth;     /* 0: none */
    uint64_t max_samples;        /* 0: none */
} ty_run_settings;

typedef struct ty_factor {
    const char *name;
    const char *label, *unit, *evidence, *reason;   /* NULL when absent */
    const char *dist_text;       /* as written, e.g. "normal(40000, 8000)" */
    const ty_dist *dist;         /* built and validated */
    ty_pos pos;                  /* of the factor's name */
} ty_factor;

typedef struct ty_correlation {
    int a, b;                    /* factor indices, a != b */
    double rank;                 /* target Spearman correlation in (-1, 1) */
    ty_pos pos;
} ty_correlation;

/* The dependence the correlations ask for, as the matrix a sampler needs:
 * rank correlations are a Gaussian copula on normal scores, so the target is
 * the Pearson correlation of the scores, r = 2 sin(pi rho / 6) (K. Pearson
 * 1907). Slots follow the order in which factors first appear in the
 * correlation list. Validated positive definite at load time. */
typedef struct ty_copula {
    size_t m;                    /* correlated factors */
    const int *factor;           /* m factor indices, one per slot */
    const double *corr;          /* m x m row-major normal-score correlation */
} ty_copula;

typedef struct ty_derived {
    const char *name;
    const char *expr_text;
    const char *unit, *label;    /* NULL when absent (long form only) */
    int has_bounds;              /* bounds: [lo, hi], lo < hi: a hint for */
    double lo, hi;               /* histograms and charts; values are not clipped */
    ty_pos pos;                  /* of the expression text */
    ty_pos name_pos;             /* of the name */
} ty_derived;

typedef struct ty_outcome {
    const char *name;
    const char *label;           /* NULL when absent */
    const char *expr_text;       /* score (logit) or when (rules); NULL for otherwise */
    int otherwise;               /* rules: the catch-all last outcome */
    ty_pos pos;                  /* of the expression (or of the name) */
    ty_pos name_pos;             /* of the name */
} ty_outcome;

/* A question beyond the outcome table (docs/format.md, 'Queries'), asked of
 * every sample: its expression may use the factors, the derived values and
 * the outcomes (an outcome standing for its per-sample probability, or its
 * 0/1 indicator under rules). Each expression is compiled on its own into a
 * program whose inputs are those F + D + K columns, in that order, and
 * whose one derived value is the query's column. */
typedef struct ty_query {
    const char *name;
    const char *label;           /* NULL when absent */
    int kind;                    /* ty_query_kind (results.h) */
    const char *expr_text;
    const char *given_text;      /* NULL: every sample counts alike */
    ty_pos name_pos, pos, given_pos;
    const ty_program *value;     /* the expression's program */
    const ty_program *given;     /* the condition's; NULL when none */
} ty_query;

/* The error of a reading (docs/format.md, 'Observations'): reading = true
 * value + error (normal, student_t), or true value x error (lognormal);
 * exact: a discrete value read without error (weight 1 where it equals). */
typedef enum ty_obs_error {
    TY_OBS_ERROR_EXACT = 0,
    TY_OBS_ERROR_NORMAL = 1,     /* param: mean, sd */
    TY_OBS_ERROR_LOGNORMAL = 2,  /* param: mu, sigma (of log error) */
    TY_OBS_ERROR_STUDENT_T = 3   /* param: df, loc, scale */
} ty_obs_error;

/* What has been seen (docs/format.md, 'Observations'). Every sample is
 * weighted by the likelihood of every observation: a reading's error
 * density at (value - true) (or log value - log true), a `when`'s value
 * (0 or 1, or a probability in between), exp of a `loglik`. */
typedef struct ty_observation {
    const char *name;
    const char *label;           /* NULL when absent */
    int kind;                    /* ty_observation_kind (common.h) */
    /* reading */
    const char *of;              /* the factor or derived value read */
    size_t of_column;            /* its column: factors, then derived values (F + D) */
    double value;                /* the value read (--observe NAME=VALUE sets it) */
    int error;                   /* ty_obs_error */
    double error_param[3];
    const char *error_text;      /* as written; NULL: exact */
    /* when, loglik */
    const char *expr_text;
    const ty_program *prog;      /* inputs: the F + D + K columns, as a query's */
    ty_pos name_pos, pos;        /* pos: of the expression, or of `of` */
    ty_pos value_pos;            /* of the value (readings) */
} ty_observation;

/* Time (docs/format.md, 'Time'): a scenario that unfolds over steps. Each
 * step the states are updated in order (each `next` may use the factors,
 * derived values, shocks, the states before it (updated this step), its own
 * value (of the step before) and `step`), then each event's hazard is
 * evaluated and the event fires with probability clamp(hazard, 0, 1), drawn
 * independently; of several in one step the first listed wins; a path stops
 * at its first event. */
#define TY_TIME_MAX_STEPS 100000
#define TY_TIME_MAX_STATES 100
#define TY_TIME_MAX_SHOCKS 100

typedef struct ty_time {
    uint64_t steps;              /* 1..TY_TIME_MAX_STEPS */
    const char *unit;            /* "week"; NULL when absent */
    ty_pos pos;                  /* of the time: key */
} ty_time;

/* A fresh draw per path and step. */
typedef struct ty_shock {
    const char *name;
    const char *dist_text;
    const ty_dist *dist;
    ty_pos pos;                  /* of the name */
} ty_shock;

/* A state variable: init (before step 1: factors, derived values, earlier
 * states' init values) and next (see above). Each compiled on its own:
 * init's inputs are the F + D columns and the states, next's and the
 * hazards' the time inputs (ty_scenario_time_inputs). */
typedef struct ty_state {
    const char *name;
    const char *label, *unit;    /* NULL when absent */
    const char *init_text, *next_text;
    ty_pos name_pos, init_pos, next_pos;
    const ty_program *init, *next;
} ty_state;

typedef struct ty_scenario ty_scenario;

/* ---- user files, read once -------------------------------------------
 * Every scenario and batch file is read exactly once, into memory, and
 * parsed from there: a pipe, a FIFO or /dev/stdin has no second read, and a
 * file may change between two. The read is bounded (TY_INPUT_MAX_BYTES), so
 * /dev/zero or a huge file is an error, not a hang or an exhausted memory. */

#define TY_INPUT_MAX_BYTES (4u << 20)   /* 4 MiB: a scenario is a few KiB */

/* The identity of a file read (st_dev, st_ino), to tell an output path that
 * is one of the inputs; known is 0 when the input had none (never set). */
typedef struct ty_file_id {
    uint64_t dev, ino;
    int known;
} ty_file_id;

typedef struct ty_input {
    char *name;                  /* the path as given; "-" is named "<stdin>" */
    char *text;                  /* the bytes read, NUL-terminated (not counted in size) */
    size_t size;
    int regular;                 /* 1: a regular file; 0: a pipe, FIFO, socket or character device */
    ty_file_id id;
} ty_input;

/* Reads the file at path ("-": standard input) into *in, which the caller
 * clears with ty_input_clear (also after an error; *in is zeroed first).
 * Regular files, pipes, FIFOs, sockets and character devices are read to
 * their end; a folder or a block device is an error (TY_ERR_IO), as is a
 * file that cannot be opened or read. More than TY_INPUT_MAX_BYTES is
 * TY_ERR_INVALID, found without reading a regular file and after
 * TY_INPUT_MAX_BYTES + 1 bytes of anything else. Waits for data (a FIFO
 * with no writer yet, a terminal) with every signal unblocked, so a caller
 * that blocks SIGINT and SIGTERM before the call loses none: a handled
 * signal pending or arriving gives TY_ERR_INTERRUPTED. TY_ERR_NOMEM. One
 * diagnostic, at no line, says why. */
ty_status ty_input_read(const char *path, ty_input *in, ty_diag *diag);
void ty_input_clear(ty_input *in);

/* Loads and validates a scenario file. On success returns TY_OK and *out
 * owns a new scenario (ty_scenario_free). On invalid content returns
 * TY_ERR_INVALID with every error found in diag (up to the diag's limit);
 * TY_ERR_IO if the file cannot be read; TY_ERR_NOMEM. *out is NULL on error. */
ty_status ty_scenario_load(const char *path, ty_scenario **out, ty_diag *diag);
/* The same from a file already read (ty_input_read). */
ty_status ty_scenario_load_input(const ty_input *in, ty_scenario **out, ty_diag *diag);
/* The same from text in memory; name is used in messages. */
ty_status ty_scenario_parse(const char *name, const char *text, size_t size,
                            ty_scenario **out, ty_diag *diag);
void ty_scenario_free(ty_scenario *scenario);

/* Sets parameter param (a name such as "mean") of factor's distribution to
 * value and rebuilds it, as `--set FACTOR.PARAM=VALUE` does. Errors go to
 * diag (one, at no file position) with TY_ERR_INVALID, s then unchanged: no
 * such factor ("scenario 'S' has no factor 'F'", with a did-you-mean hint),
 * a distribution with no numeric parameter (a discrete list, a mixture), no
 * such parameter ("factor 'F' is normal(mean, sd), which has no parameter
 * 'P'", with a hint), a value the distribution rejects. */
ty_status ty_scenario_set_param(ty_scenario *s, const char *factor, const char *param,
                                double value, ty_diag *diag);

/* Read-only view. Pointers stay valid until ty_scenario_free. */
const char *ty_scenario_name(const ty_scenario *s);
const char *ty_scenario_title(const ty_scenario *s);    /* NULL when absent */
const char *ty_scenario_source(const ty_scenario *s);   /* the article; NULL when absent */
const char *ty_scenario_horizon(const ty_scenario *s);  /* NULL when absent */
const char *ty_scenario_path(const ty_scenario *s);
const char *ty_scenario_text(const ty_scenario *s);     /* the file, verbatim */
const ty_run_settings *ty_scenario_run(const ty_scenario *s);
size_t ty_scenario_nfactors(const ty_scenario *s);
const ty_factor *ty_scenario_factor(const ty_scenario *s, size_t i);
int ty_scenario_find_factor(const ty_scenario *s, const char *name);   /* index or -1 */
size_t ty_scenario_ncorrelations(const ty_scenario *s);
const ty_correlation *ty_scenario_correlation(const ty_scenario *s, size_t i);
/* The correlations as one matrix; NULL when the scenario has none. */
const ty_copula *ty_scenario_copula(const ty_scenario *s);
size_t ty_scenario_nderived(const ty_scenario *s);
const ty_derived *ty_scenario_derived(const ty_scenario *s, size_t i);
ty_outcome_model ty_scenario_model(const ty_scenario *s);
/* The compiled evaluation of derived values and outcomes (expr.h). */
const ty_program *ty_scenario_program(const ty_scenario *s);
size_t ty_scenario_noutcomes(const ty_scenario *s);
const ty_outcome *ty_scenario_outcome(const ty_scenario *s, size_t i);
size_t ty_scenario_nobservations(const ty_scenario *s);   /* 0 after ty_scenario_drop_observations */
const ty_observation *ty_scenario_observation(const ty_scenario *s, size_t i);

/* `--observe NAME=VALUE`: sets reading name's value. TY_ERR_INVALID on diag
 * (no such observation, not a reading, a value its error cannot give); s is
 * then unchanged. */
ty_status ty_scenario_set_observation(ty_scenario *s, const char *name, double value, ty_diag *diag);

/* `--prior`: the run ignores every observation. */
void ty_scenario_drop_observations(ty_scenario *s);

/* Time scenarios: NULL for a static one. The hazard program's derived
 * values are the events' hazards (outcomes 0..K-2; the last outcome is
 * `otherwise`). The inputs of every next and hazard program are, in order:
 * the F factors, D derived values, H shocks, S states and `step`. */
const ty_time *ty_scenario_time(const ty_scenario *s);
size_t ty_scenario_nshocks(const ty_scenario *s);
const ty_shock *ty_scenario_shock(const ty_scenario *s, size_t i);
size_t ty_scenario_nstates(const ty_scenario *s);
const ty_state *ty_scenario_state(const ty_scenario *s, size_t i);
const ty_program *ty_scenario_hazards(const ty_scenario *s);

/* The scenario's queries (docs/format.md, 'Queries'), in file order. */
size_t ty_scenario_nqueries(const ty_scenario *s);
const ty_query *ty_scenario_query(const ty_scenario *s, size_t i);

#endif
