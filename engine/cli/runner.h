/* runner.h - what `tyche run` and `tyche batch` share: their options,
 * progress bar, signal handling, and turning run results into a result file
 * and a printed table. */
#ifndef TYCHE_CLI_RUNNER_H
#define TYCHE_CLI_RUNNER_H

#include <signal.h>
#include <stdio.h>

#include "tyche/tyche.h"
#include "tyche/io.h"

#define RUNNER_MAX_SETS 64
#define RUNNER_MAX_SAMPLES (UINT64_C(1) << 50)   /* as run.samples in a scenario */

typedef struct runner_opts {
    const char *input;           /* SCENARIO.yaml or BATCH.yaml */
    const char *output;          /* -o; NULL: results/<name>.h5 */
    const char *resume;          /* --resume RESULT.h5 */
    ty_run_options run;
    int save_samples, json, quiet;
    int compress;                /* --compress LEVEL: deflate for samples/, 0 none */
    size_t nsets;
    struct { char factor[128], param[64]; double value; } sets[RUNNER_MAX_SETS];
} runner_opts;

/* Parses argv[1..argc) of verb ("run" or "batch"). Returns 0, or EXIT_USAGE
 * after printing the problem. */
int runner_parse(const char *verb, int argc, char **argv, runner_opts *o);

/* Parses a sample count, 1 to RUNNER_MAX_SAMPLES, written 1000000 or 1e6. 0 or -1. */
int runner_parse_count(const char *t, uint64_t *out);

/* Applies the --set overrides to s. Returns TY_OK or an error on diag. */
ty_status runner_apply_sets(const runner_opts *o, ty_scenario *s, ty_diag *diag);

/* Installs SIGINT/SIGTERM handlers that raise the flag runner_interrupt
 * points to, and sets o->run.interrupt to it. */
void runner_catch_signals(runner_opts *o);

/* Sets up the progress bar on stderr when it is a terminal and not --quiet:
 * label names what runs ("baseline", "sweep troops 3/9"). */
void runner_progress(runner_opts *o, const char *label);

/* The file's top-level metadata: version, time, command line, host. */
int runner_fill_meta(ty_results *r, int argc, char **argv);

/* The output path: -o, or results/<name>.h5 (creating results/). Returns
 * a string to free, or NULL after printing why. */
char *runner_output_path(const runner_opts *o, const char *name);

/* --save-samples: the sink context, the sink that appends a round's
 * columns to the result file, and the start of one variant's columns
 * (factors, derived values, outcomes, named as in the scenario). */
typedef struct runner_sink { ty_result_file *file; ty_diag *diag; } runner_sink;
int runner_append_samples(void *ctx, uint64_t first, size_t n, const double *const *cols, size_t ncols);
ty_status runner_begin_samples(ty_result_file *f, const ty_scenario *s, const ty_run_options *ro,
                               const char *variant, ty_diag *diag);

/* Creates the result file at path with the --compress level. */
ty_status runner_create_file(const runner_opts *o, const char *path, ty_result_file **f, ty_diag *diag);

/* Warns on stderr (even with --quiet: it is a warning) for each run whose
 * --target-halfwidth was not reached within its sample budget. */
void runner_warn_targets(const ty_results *res);

/* Maps a status to the exit code of the README's 'Using tyche'. */
int runner_exit_code(ty_status st);

#endif
