/* results.h - what a run produces, as plain data: per variant, the outcome
 * estimates, factor and derived-value statistics and histograms, and the
 * convergence trace; per batch, the sweeps. The run loop fills it, the io
 * module writes and reads it (HDF5, docs/results.md), the CLI prints it.
 * Nothing here knows how the numbers were computed or stored. */
#ifndef TYCHE_RESULTS_H
#define TYCHE_RESULTS_H

#include "common.h"
#include "diag.h"

/* One outcome's probability estimate. */
typedef struct ty_estimate {
    double probability;
    double stderr_;        /* standard error from the independent units (samples, or lhs cells) */
    double ci_low, ci_high; /* 95% interval */
} ty_estimate;

/* A variant's difference from the batch's baseline for one outcome, paired
 * by common random numbers (both runs draw the same values for the factors
 * they share, block by block). */
typedef struct ty_difference {
    double diff;             /* p_variant - p_baseline */
    double stderr_;          /* from block-group paired differences */
    double ci_low, ci_high;  /* 95%: diff +- t(groups - 1) stderr */
    double unpaired_stderr;  /* sqrt(se_v^2 + se_b^2): what independent runs would give */
} ty_difference;

/* Summary of one factor or derived value over the samples. */
typedef struct ty_summary {
    double mean, sd;
    double p05, p50, p95;  /* from the fine histogram: within one bin width,
                              exact for discrete factors (the sample's own
                              percentiles, docs/results.md); NaN when the
                              percentile lies beyond the histogram's range */
} ty_summary;

/* The finite values of a series: bin i is [edges[i], edges[i+1]), the last
 * bin closed, [edges[nbins-1], edges[nbins]]; values outside the edges are
 * counted apart, never in the edge bins. */
typedef struct ty_histogram {
    size_t nbins;
    double *edges;         /* nbins + 1, increasing */
    uint64_t *counts;      /* nbins */
    uint64_t underflow;    /* values below edges[0] */
    uint64_t overflow;     /* values above edges[nbins] */
    int outside_counted;   /* 1: underflow and overflow are counted (written
                              and read as histograms/NAME/underflow, overflow);
                              0: a file of an older tyche, which counted them
                              in the first and last bins */
} ty_histogram;

/* A named series of values (a factor or a derived value). */
typedef struct ty_series_stats {
    char *name;
    char *unit;            /* may be NULL */
    char *label;           /* may be NULL */
    char *dist;            /* factors: the distribution as resolved (ci90 names
                              the family it chose); NULL for derived values and
                              in results read from a file */
    ty_summary summary;
    ty_histogram hist;
} ty_series_stats;

/* Queries (docs/format.md, 'Queries'): questions beyond the outcome table,
 * answered in the same pass over the samples. */
typedef enum ty_query_kind {
    TY_QUERY_PROBABILITY = 0,   /* the mean of a per-sample probability or 0/1 event */
    TY_QUERY_MEAN = 1,          /* the mean of any per-sample value */
    TY_QUERY_QUANTILES = 2      /* the 5th, 25th, 50th, 75th, 95th percentiles */
} ty_query_kind;

#define TY_QUERY_NLEVELS 5
extern const double ty_query_levels[TY_QUERY_NLEVELS];   /* 0.05 0.25 0.5 0.75 0.95 */
#define TY_SPREAD_NLEVELS 3
extern const double ty_spread_levels[TY_SPREAD_NLEVELS]; /* 0.05 0.5 0.95 */

/* "probability", "mean", "quantiles"; NULL for another value. The inverse
 * returns -1 for an unknown name. */
const char *ty_query_kind_name(int kind);
int ty_query_kind_from_name(const char *name);

typedef struct ty_query_result {
    char *name;
    char *label;           /* may be NULL */
    int kind;              /* ty_query_kind */
    char *expr;            /* the expression as written */
    char *given;           /* the condition as written; NULL when none */
    ty_estimate est;       /* probability and mean: the estimate (in .probability),
                              standard error and 95% interval; NaN for quantiles
                              and when the condition never held */
    double quantiles[TY_QUERY_NLEVELS];   /* quantiles: at ty_query_levels (within one
                              bin width, as series percentiles); else NaN */
    double given_share;    /* the mean weight of the condition over the samples
                              (1 without `given`) */
} ty_query_result;

/* Observations (docs/format.md, 'Observations'): what has been seen, each
 * sample weighted by its likelihood. */
/* (ty_observation_kind is common.h's: scenarios and results share it.) */
/* "reading", "when", "loglik"; NULL for another value. The inverse returns
 * -1 for an unknown name. */
const char *ty_observation_kind_name(int kind);
int ty_observation_kind_from_name(const char *name);

typedef struct ty_observation_result {
    char *name;
    char *label;           /* may be NULL */
    int kind;              /* ty_observation_kind */
    char *of;              /* reading: the factor or derived value read; else NULL */
    char *expr;            /* reading: the error distribution as written ("normal(0, 5000)");
                              when, loglik: the expression */
    double value;          /* reading: the value read; NaN otherwise */
    double held;           /* when: its mean value over the samples (the prior's): the share
                              where a 0/1 fact held, the prior probability of seeing a soft
                              one; NaN otherwise */
} ty_observation_result;

/* Warnings of a weighted run (ty_observation_warnings). */
#define TY_OBS_WARN_ESS 1u     /* effective sample size under TY_OBS_MIN_ESS */
#define TY_OBS_WARN_KHAT 2u    /* Pareto k-hat above TY_OBS_MAX_KHAT */
#define TY_OBS_MIN_ESS 100.0
#define TY_OBS_MAX_KHAT 0.7

/* The diagnostics of a weighted run. */
typedef struct ty_observation_stats {
    double ess;            /* effective sample size (sum w)^2 / sum w^2 */
    double ess_fraction;   /* ess / samples */
    double acceptance;     /* share of samples where every `when` held (1 without any) */
    double log_evidence;   /* log mean w: the log marginal likelihood of what was seen */
    double pareto_k;       /* Pareto k-hat of the largest weights (PSIS); NaN when too few */
} ty_observation_stats;

/* The warnings st calls for (TY_OBS_WARN_* bits), and warning `bit`'s text
 * for people (buf, size): "effective sample size 42 (0.004% of 1000000 samples) is
 * under 100: ...". Returns the length written as snprintf does. */
unsigned ty_observation_warnings(const ty_observation_stats *st);
int ty_observation_warning_text(const ty_observation_stats *st, uint64_t samples, unsigned bit, char *buf,
                                size_t size);

/* A time scenario's results (docs/results.md, 'time/'): per reported step
 * (every step up to 1000 steps, else 1000 evenly spaced ending at the
 * horizon), each outcome's cumulative probability (for the last outcome,
 * `otherwise`, the share of paths with no event yet), and each state's
 * summaries. */
typedef struct ty_time_state {
    char *name;
    char *label, *unit;          /* may be NULL */
    double *mean, *p05, *p50, *p95;   /* nreport each, over all paths (an ended
                                     path keeps its last state); the percentiles
                                     from the first percentile_samples paths */
    double *mean_running;        /* nreport: over the paths running in the step (NaN: none) */
    double *p05_running, *p50_running, *p95_running;   /* nreport: the percentiles over the
                                     paths running in the step, from the same first paths
                                     (NaN: none); NULL in files of an older tyche */
} ty_time_state;

typedef struct ty_time_result {
    uint64_t steps;
    char *unit;                  /* may be NULL */
    uint64_t percentile_samples;
    size_t nreport;
    uint64_t *step;              /* nreport: the reported steps */
    double *cumulative, *ci_low, *ci_high;   /* nreport x noutcomes, row-major */
    size_t nstates;
    ty_time_state *states;
} ty_time_result;

/* Frees t (heap-allocated, as a run result holds it) and everything it owns; NULL is a no-op. */
void ty_time_result_free(ty_time_result *t);

typedef struct ty_convergence {
    size_t npoints;        /* checkpoints at doubling sample counts */
    uint64_t *samples;     /* npoints */
    double *probability;   /* npoints x noutcomes, row-major */
    double *halfwidth;     /* npoints x noutcomes: 95% half-widths */
} ty_convergence;

/* The exact accumulator state of an interrupted run, so `--resume` continues
 * it bit for bit: opaque doubles and counts owned by the run module. */
typedef struct ty_resume_state {
    uint64_t blocks_done;  /* blocks 0..blocks_done-1 are in the tallies */
    size_t nreal;
    double *real;
    size_t ncount;
    uint64_t *count;
} ty_resume_state;

/* Sensitivity analysis of one run (sens.h): T targets (the outcomes, then
 * the derived values named as targets) by F factors. Matrices are T x F,
 * row-major; the intervals T x F x 2 (low, high). A method's arrays are
 * NULL when it was not run. */
typedef struct ty_sensitivity {
    unsigned methods;            /* TY_SENS_* bits of sens.h: 1 tornado, 2 spearman, 4 sobol */
    uint64_t samples;            /* N (see sens.h for what each method does with it) */
    uint64_t seed;
    int ignore_correlations;     /* 1: Sobol ran without the scenario's correlations */
    size_t ntargets, noutcome_targets, nfactors;
    char **targets, **factors;
    /* tornado */
    double low_quantile, high_quantile;
    double *baseline;            /* T: the mean with every factor sampled */
    double *low, *high;          /* T x F: the mean with factor f at value_low[f] / value_high[f] */
    double *value_low, *value_high;   /* F */
    /* spearman */
    uint64_t spearman_samples;
    double *spearman;            /* T x F */
    /* sobol */
    unsigned bootstrap;          /* replicates */
    double *first, *total;       /* T x F */
    double *first_ci, *total_ci; /* T x F x 2 */
} ty_sensitivity;

/* Frees s and everything it owns; NULL is a no-op. */
void ty_sensitivity_free(ty_sensitivity *s);

typedef struct ty_run_result {
    char *variant;         /* "baseline" for a plain run */
    char *label;           /* may be NULL */
    uint64_t seed;
    uint64_t samples;      /* samples in the estimates */
    uint64_t samples_requested;
    int sampling;          /* ty_sampling */
    uint64_t block_size;
    int threads, ranks;
    double wall_seconds;
    int complete;          /* 0: interrupted, resumable */
    int stopped_early;     /* 1: --target-halfwidth reached before samples */
    double target_halfwidth;   /* the target asked for; 0: none */
    int target_reached;    /* 1: every outcome's half-width at most the target at the end */
    double max_halfwidth;  /* the widest outcome interval's half-width at the end */

    size_t noutcomes;
    char **outcome_names, **outcome_labels;   /* labels may be NULL entries */
    ty_estimate *outcomes;

    size_t nfactors, nderived;
    ty_series_stats *factors, *derived;

    ty_convergence convergence;
    ty_resume_state resume;  /* meaningful when complete == 0 */

    double *spread;        /* noutcomes x TY_SPREAD_NLEVELS, row-major: each outcome's
                              5th, 50th and 95th percentiles of its per-sample
                              probability across the sampled worlds; NULL in
                              files of an older tyche */

    size_t nqueries;
    ty_query_result *queries;

    /* Observations: the run's estimates above (outcomes, spread, queries,
     * factors, derived, histograms, convergence) are the weighted
     * (posterior) ones; the prior's are kept beside them. nobservations is 0
     * for a run without observations (or with --prior): the rest is then
     * unset (NULL). */
    size_t nobservations;
    ty_observation_result *observations;
    ty_observation_stats obs;
    ty_estimate *outcomes_prior;       /* noutcomes: unweighted estimates */
    ty_series_stats *factors_prior;    /* nfactors: unweighted summaries and histograms */
    ty_series_stats *derived_prior;    /* nderived */
    ty_difference *difference;  /* noutcomes, from the batch's baseline; NULL otherwise */
    ty_difference *query_difference;  /* nqueries, likewise (NaN rows for quantile
                                         queries); NULL otherwise */
    ty_sensitivity *sensitivity; /* `tyche sensitivity`; NULL otherwise */
    ty_time_result *time;        /* a time scenario's; NULL for a static one */

    /* Outcome sums over groups of group_units consecutive independent units
     * (blocks, or cells of TY_RUN_CELL samples where those are independent),
     * for paired differences between runs. Written only in a file that is
     * not complete (resume/), so that a resumed batch can still pair its
     * runs; NULL in runs read from a complete file. */
    size_t ngroups;
    uint64_t group_units;
    double *group_sums;      /* ngroups x noutcomes */
    double *group_weights;   /* ngroups: samples in each group */
    double *query_group_sums;   /* ngroups x nqueries x 2: each query's sums of
                                   weight x value and of weight over the group;
                                   NULL when there are no queries (or as group_sums) */
} ty_run_result;

typedef struct ty_sweep_result {
    char *name;
    char *label;                     /* may be NULL */
    char *factor, *param;
    char **outcome_names;            /* noutcomes; NULL in files of tyche before 0.2 */
    size_t npoints, noutcomes;
    double *values;                  /* npoints */
    double *probability, *ci_low, *ci_high;   /* npoints x noutcomes, row-major */
    /* An interrupted batch's sweep: npoints are the points done (of more),
     * resume the state of the point after them (blocks_done 0 and no
     * arrays when it had not started). 0: a whole sweep. */
    int partial;
    ty_resume_state resume;
} ty_sweep_result;

/* A whole result file's content. */
typedef struct ty_results {
    char *scenario_name, *scenario_title, *scenario_source;   /* title/source may be NULL */
    char *source_text;               /* the scenario file, verbatim */
    char *batch_text;                /* the batch file, or NULL */
    char *tyche_version;
    char *created;                   /* ISO 8601 UTC */
    char *command_line;              /* the command for people, shell-quoted */
    char **command_args;             /* the command's argv, one string each (argv[0]
                                        the program, argv[1] the verb), for --resume;
                                        NULL: not stored (files of an older tyche) */
    size_t ncommand_args;
    char *host;
    int complete;                    /* all runs complete */
    size_t nruns;
    ty_run_result *runs;
    size_t nsweeps;
    ty_sweep_result *sweeps;
} ty_results;

/* Frees everything a ty_results owns (all strings and arrays above) and
 * the struct itself. NULL is a no-op. */
void ty_results_free(ty_results *results);
void ty_run_result_clear(ty_run_result *run);   /* frees the members only */

/* Checks what holds of every run's estimates whatever the scenario: each
 * outcome probability is finite and within [0, 1], and together they sum to
 * 1 within the rounding of the sums that made them (a few ulp per sample of
 * a block, per block added and per outcome). Returns TY_OK, or
 * TY_ERR_INTERNAL with the numbers on diag: a violation is a bug in tyche,
 * and the run loop returns it rather than let a result file be written. */
ty_status ty_run_result_check(const ty_run_result *r, ty_diag *diag);

/* Writes through put, a line each ("tyche: warning: VARIANT: ..."), the
 * warnings a finished result carries: an observation's effective sample
 * size or Pareto k-hat (ty_observation_warning_text), a target half-width
 * not reached by a complete run. Writes nothing when there are none; the
 * tyche command prints them after its table, ty_embed_run returns them. */
void ty_results_warnings(const ty_results *results, ty_text_writer put, void *ctx);

#endif
