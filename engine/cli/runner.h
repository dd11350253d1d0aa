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
    struct { char factor[128], param[64]; double value; const char *text; } sets[RUNNER_MAX_SETS];
    int prior;                   /* --prior: ignore every observation */
    size_t nobserve;             /* --observe NAME=VALUE */
    struct { char name[128]; double value; const char *text; } observe[RUNNER_MAX_SETS];
} runner_opts;

/* Parses argv[1..argc) of verb ("run" or "batch"). Returns 0, or EXIT_USAGE
 * after printing the problem. */
int runner_parse(const char *verb, int argc, char **argv, runner_opts *o);

/* Parses a sample count, 1 to RUNNER_MAX_SAMPLES, written 1000000 or 1e6. 0 or -1. */
int runner_parse_count(const char *t, uint64_t *out);

/* Applies the --set overrides to s. Returns 0, or after printing
 * "tyche VERB: --set 'TEXT': PROBLEM" (an unknown factor or parameter, with
 * a did-you-mean hint where there is one, or a value the distribution
 * rejects) EXIT_USAGE, or EXIT_RUNTIME when out of memory. */
int runner_apply_sets(const char *verb, const runner_opts *o, ty_scenario *s);

/* Applies --observe and --prior to s (run) or b (batch; s NULL). Returns 0,
 * or after printing "tyche VERB: --observe 'TEXT': PROBLEM" EXIT_USAGE, or
 * EXIT_RUNTIME when out of memory. */
int runner_apply_observe(const char *verb, const runner_opts *o, ty_scenario *s, ty_batch *b);

/* An input file, for runner_check_output: its identity (ty_input_read) and
 * what to call it ("the scenario file"). */
typedef struct runner_input_ref {
    const ty_file_id *id;
    const char *path, *what;
} runner_input_ref;

/* Refuses a result path that is one of the n inputs (the same file: device
 * and inode, so also through a hard or symbolic link): the result would
 * replace it. Returns 0, or EXIT_RUNTIME after printing one line. The other
 * checks of a result path (a folder, a device, a FIFO, a symbolic link, a
 * missing or read-only folder, a name too long) are ty_result_file_create's,
 * also before the first sample. */
int runner_check_output(const char *verb, const char *out_path, const runner_input_ref *in, size_t n);

/* cli_catch_signals (SIGINT, SIGTERM, SIGHUP) with o->run.interrupt set to
 * its flag (signals.c). */
void runner_catch_signals(runner_opts *o);

/* Sets up the progress bar on stderr when it is a terminal and not --quiet:
 * label names what runs ("baseline", "sweep troops 3/9"). */
void runner_progress(runner_opts *o, const char *label);

/* The file's top-level metadata: version, time, host, and the command:
 * argv[0..argc) copied as command_args (what --resume reads back) and
 * shell-quoted into command_line (for people). 0 or -1 (memory). */
int runner_fill_meta(ty_results *r, int argc, char **argv);

/* --resume RESULT.h5 of verb ("run" or "batch"): reads the result into
 * *prev (the caller frees it; o's strings point into it) and parses its
 * stored command (command_args) into *o, keeping this call's --threads,
 * --quiet and --json; the output is the result itself. Returns 0, or the
 * exit code after printing why: another verb's result, a complete one, a
 * missing or damaged command, --save-samples (a read error is left on diag
 * with *st set, for the caller to print). */
int runner_resume_setup(const char *verb, runner_opts *o, ty_results **prev, ty_status *st, ty_diag *diag);

/* "PATH (stored WHAT)": the name under which a result's stored scenario or
 * batch text is parsed, so that its errors point at the stored text, not
 * at the HDF5 file's bytes. A string to free, or NULL. */
char *runner_stored_name(const char *path, const char *what);

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

/* Creates the result file at path with the --compress level. Under MPI
 * only rank 0 has one (*f stays NULL on the others), unless --save-samples
 * makes it collective. runner_finish_file finishes it (TY_OK for NULL). */
ty_status runner_create_file(const runner_opts *o, const char *path, ty_result_file **f, ty_diag *diag);
ty_status runner_finish_file(ty_result_file *f, const ty_results *r, ty_diag *diag);

/* Warns on stderr (even with --quiet: it is a warning) for each run whose
 * --target-halfwidth was not reached within its sample budget. */
void runner_warn_targets(const ty_results *res);   /* and the observations' warnings */

/* Maps a status to the exit code of the README's 'Using tyche'. */
int runner_exit_code(ty_status st);

#endif
