/* run_file.c - ty_embed_run: a scenario or batch file run into a result
 * file, as `tyche run` and `tyche batch` run it, for bindings. The steps
 * are the command's (read once, load, --set, --observe, --prior, create
 * the file, run, stamp, finish); what the command prints becomes the text
 * of the caller's message buffer (message.c). No option parsing beyond
 * splitting a "FACTOR.PARAM" key, no printing, no signal handling. */
#include "embed/embed_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tyche/batch.h"
#include "tyche/dist.h"
#include "tyche/embed.h"
#include "tyche/io.h"
#include "tyche/run.h"
#include "tyche/scenario.h"
#include "tyche/suggest.h"

#define EMBED_MAX_SAMPLES (UINT64_C(1) << 50)   /* as -n and run.samples */
#define EMBED_MAX_THREADS 4096                  /* as --threads */

/* What one call loaded: the input read once, and the scenario or batch. */
typedef struct embed_job {
    ty_input in;
    ty_scenario *s;              /* a scenario file, else NULL */
    ty_batch *b;                 /* a batch file, else NULL */
} embed_job;

/* A value as short as prints back to itself, for messages. */
static void format_value(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.15g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, size, "%.17g", v);
}

/* The arguments that need no file: TY_OK, or TY_ERR_INVALID on diag. */
static ty_status check_args(const char *input_path, const char *result_path, uint64_t samples, int threads,
                            const char *const *set_keys, const double *set_values, size_t nsets,
                            const char *const *observe_names, const double *observe_values, size_t nobserve,
                            int prior, ty_diag *diag)
{
    const char *why = NULL;
    char text[128];
    if (!input_path || !*input_path) why = "the scenario or batch path is empty";
    else if (!result_path || !*result_path) why = "the result path is empty";
    else if (samples > EMBED_MAX_SAMPLES) why = "samples must be a whole number from 1 to 2^50 (0: the file's)";
    else if (threads < 0 || threads > EMBED_MAX_THREADS) why = "threads must be from 1 to 4096 (0: OpenMP's default)";
    else if (nsets > TY_EMBED_MAX_SETS || nobserve > TY_EMBED_MAX_SETS) {
        snprintf(text, sizeof text, "at most %d %s", TY_EMBED_MAX_SETS,
                 nsets > TY_EMBED_MAX_SETS ? "settings (set)" : "observations (observe)");
        why = text;
    } else if ((nsets && (!set_keys || !set_values)) || (nobserve && (!observe_names || !observe_values)))
        why = "a settings or observations array is NULL";
    else if (prior && nobserve)
        why = "prior ignores every observation, so an observed value would set nothing";
    if (!why) return TY_OK;
    ty_diag_add(diag, TY_SEV_ERROR, NULL, "%s", why);
    return TY_ERR_INVALID;
}

/* Reads the input once and loads it as a scenario or, when it has a
 * top-level 'batch' key, as a batch. The loader's status, diagnostics on diag. */
static ty_status load(const char *path, embed_job *job, ty_diag *diag)
{
    int is_batch = 0;
    ty_status st = ty_input_read(path, &job->in, diag);
    if (st == TY_OK) st = ty_batch_sniff_input(&job->in, &is_batch, diag);
    if (st != TY_OK) return st;
    return is_batch ? ty_batch_load_input(&job->in, &job->b, diag) : ty_scenario_load_input(&job->in, &job->s, diag);
}

/* Moves the diagnostics of one setting (d) to diag, each message led by
 * "OPTION 'KEY=VALUE': " in place of the library's "--set: " or
 * "--observe: ". */
static void move_diags(ty_diag *diag, ty_diag *d, const char *option, const char *what)
{
    for (size_t i = 0; i < ty_diag_count(d); i++) {
        const ty_diag_entry *e = ty_diag_get(d, i);
        const char *msg = e->message;
        const char *colon = strstr(msg, ": ");
        if (msg[0] == '-' && msg[1] == '-' && colon) msg = colon + 2;
        ty_pos pos = {e->file, e->line, e->col};
        ty_diag_add(diag, e->severity, e->file ? &pos : NULL, "%s '%s': %s", option, what, msg);
        if (e->hint) ty_diag_hint(diag, "%s", e->hint);
    }
}

/* Applies the sets to s in order: TY_OK, or the first one's error on diag
 * (s then holds the sets before it). */
static ty_status apply_sets(ty_scenario *s, const char *const *keys, const double *values, size_t n,
                            ty_diag *diag)
{
    for (size_t i = 0; i < n; i++) {
        char what[320], factor[128], param[64], num[32];
        const char *key = keys[i] ? keys[i] : "";
        format_value(num, sizeof num, values[i]);
        snprintf(what, sizeof what, "%.256s=%s", key, num);
        if (!isfinite(values[i])) {
            ty_diag_add(diag, TY_SEV_ERROR, NULL, "set '%s': the value is not a finite number", what);
            return TY_ERR_INVALID;
        }
        const char *dot = strchr(key, '.');
        if (!dot || dot == key || !dot[1] || (size_t)(dot - key) >= sizeof factor || strlen(dot + 1) >= sizeof param) {
            ty_diag_add(diag, TY_SEV_ERROR, NULL, "set '%s': '%.256s' is not FACTOR.PARAM", what, key);
            return TY_ERR_INVALID;
        }
        memcpy(factor, key, (size_t)(dot - key));
        factor[dot - key] = '\0';
        strcpy(param, dot + 1);
        ty_diag *d = ty_diag_new(4);
        if (!d) return TY_ERR_NOMEM;
        ty_status st = ty_scenario_set_param(s, factor, param, values[i], d);
        move_diags(diag, d, "set", what);
        ty_diag_free(d);
        if (st != TY_OK) return st;
    }
    return TY_OK;
}

/* Sets the observed values in s (or in every run of b), then --prior's
 * drop. TY_OK, or the first error on diag. */
static ty_status apply_observe(embed_job *job, const char *const *names, const double *values, size_t n, int prior,
                               ty_diag *diag)
{
    for (size_t i = 0; i < n; i++) {
        char what[320], num[32];
        const char *name = names[i] ? names[i] : "";
        format_value(num, sizeof num, values[i]);
        snprintf(what, sizeof what, "%.256s=%s", name, num);
        if (!isfinite(values[i])) {
            ty_diag_add(diag, TY_SEV_ERROR, NULL, "observe '%s': the value is not a finite number", what);
            return TY_ERR_INVALID;
        }
        ty_diag *d = ty_diag_new(4);
        if (!d) return TY_ERR_NOMEM;
        ty_status st = job->s ? ty_scenario_set_observation(job->s, name, values[i], d)
                              : ty_batch_observe(job->b, name, values[i], d);
        move_diags(diag, d, "observe", what);
        ty_diag_free(d);
        if (st != TY_OK) return st;
    }
    if (prior && job->s) ty_scenario_drop_observations(job->s);
    else if (prior) ty_batch_drop_observations(job->b);
    return TY_OK;
}

/* Refuses a result path that is one of the inputs (the same device and
 * inode, so also through a link): the rename would replace it. */
static ty_status check_output(const char *path, const embed_job *job, ty_diag *diag)
{
    struct stat st;
    if (stat(path, &st) != 0) return TY_OK;   /* a new file, or ty_result_file_create says why not */
    const ty_file_id *ids[2] = {&job->in.id, job->b ? ty_batch_scenario_id(job->b) : NULL};
    const char *what[2] = {job->b ? "the batch file" : "the scenario file", "the scenario file of the batch"};
    for (int i = 0; i < 2; i++) {
        if (!ids[i] || !ids[i]->known) continue;
        if ((uint64_t)st.st_dev == ids[i]->dev && (uint64_t)st.st_ino == ids[i]->ino) {
            ty_diag_add(diag, TY_SEV_ERROR, NULL, "the result path '%s' is %s: writing the result would replace it",
                        path, what[i]);
            return TY_ERR_INVALID;
        }
    }
    return TY_OK;
}

/* Runs the job into *res (new, the caller's to free): the one run of a
 * scenario, described, or the batch. The run's status. */
static ty_status run(const embed_job *job, const ty_run_options *opt, ty_results **res, ty_diag *diag)
{
    if (!(*res = calloc(1, sizeof **res))) return TY_ERR_NOMEM;
    if (job->b) return ty_run_batch(job->b, opt, NULL, NULL, *res, diag);
    if (!((*res)->runs = calloc(1, sizeof *(*res)->runs))) return TY_ERR_NOMEM;
    (*res)->nruns = 1;
    ty_status st = ty_run_scenario(job->s, "baseline", opt, &(*res)->runs[0], diag);
    if (st != TY_OK) return st;
    (*res)->complete = 1;
    return ty_run_describe(*res, job->s);
}

/* The message buffer: the diagnostics, then (on success) the run's
 * warnings; NUL-terminated, cut to fit. */
static void fill_message(char *message, size_t size, const ty_diag *diag, const ty_results *res, ty_status st)
{
    if (!message || size == 0) return;
    sbuf b = {message, size, 0};
    message[0] = '\0';
    if (diag) ty_diag_render(diag, embed_put_sbuf, &b);
    if (st == TY_OK && res) ty_results_warnings(res, embed_put_sbuf, &b);
    if (st == TY_ERR_NOMEM && (!diag || ty_diag_count(diag) == 0)) sbuf_printf(&b, "tyche: error: out of memory\n");
    if (st != TY_OK && b.len == 0) sbuf_printf(&b, "tyche: error: failed with status %d\n", (int)st);
    /* drop the last line break: the text is one message */
    size_t end = b.len < size ? b.len : size - 1;
    if (end > 0 && message[end - 1] == '\n') message[end - 1] = '\0';
}

ty_status ty_embed_run(const char *input_path, const char *result_path, uint64_t samples, int has_seed,
                       uint64_t seed, int threads, const char *const *set_keys, const double *set_values,
                       size_t nsets, const char *const *observe_names, const double *observe_values,
                       size_t nobserve, int prior, const char *command_line, char *message,
                       size_t message_size)
{
    ty_diag *diag = ty_diag_new(20);
    embed_job job = {0};
    ty_results *res = NULL;
    ty_result_file *file = NULL;
    ty_status st = diag ? TY_OK : TY_ERR_NOMEM;
    if (st == TY_OK) st = check_args(input_path, result_path, samples, threads, set_keys, set_values, nsets,
                                         observe_names, observe_values, nobserve, prior, diag);
    if (st == TY_OK) st = load(input_path, &job, diag);
    if (st == TY_OK && job.b && nsets) {
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "set applies to a scenario; %s is a batch file: put overrides "
                    "in its variants", input_path);
        st = TY_ERR_INVALID;
    }
    if (st == TY_OK && job.s) st = apply_sets(job.s, set_keys, set_values, nsets, diag);
    if (st == TY_OK) st = apply_observe(&job, observe_names, observe_values, nobserve, prior, diag);
    if (st == TY_OK) st = check_output(result_path, &job, diag);
    /* the file first: a path that cannot be written fails before the first sample */
    if (st == TY_OK) st = ty_result_file_create(result_path, NULL, &file, diag);
    ty_run_options opt = {0};
    opt.samples = samples;
    opt.has_seed = has_seed != 0;
    opt.seed = seed;
    opt.threads = threads;
    if (st == TY_OK) st = run(&job, &opt, &res, diag);
    if (st == TY_OK) st = ty_embed_stamp(res, command_line ? command_line : "ty_embed_run", 0, NULL);
    if (st == TY_OK) {
        st = ty_result_file_finish(file, res, diag);
        file = NULL;
    }
    fill_message(message, message_size, diag, res, st);
    ty_result_file_abort(file);
    ty_results_free(res);
    ty_batch_free(job.b);
    ty_scenario_free(job.s);
    ty_input_clear(&job.in);
    ty_diag_free(diag);
    return st;
}
