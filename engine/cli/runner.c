/* runner.c - options, progress and metadata shared by `tyche run` and
 * `tyche batch` (runner.h); signals are signals.c's. */
#include "runner.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static int parse_double(const char *t, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    if (!*t || isspace((unsigned char)*t) || *end || errno || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* Whole numbers may be written 1e6 as well as 1000000. */
int runner_parse_count(const char *t, uint64_t *out)
{
    uint64_t v;
    double d;
    if (cli_parse_u64(t, &v) == 0) {
        if (v < 1 || v > RUNNER_MAX_SAMPLES) return -1;
    } else if (parse_double(t, &d) == 0 && d >= 1 && d == floor(d) && d <= (double)RUNNER_MAX_SAMPLES) {
        v = (uint64_t)d;
    } else {
        return -1;
    }
    *out = v;
    return 0;
}

int runner_parse(const char *verb, int argc, char **argv, runner_opts *o)
{
    memset(o, 0, sizeof *o);
    const char *not_with_resume = NULL;   /* an option --resume would ignore */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int flag = strcmp(a, "--save-samples") == 0 || strcmp(a, "--json") == 0 || strcmp(a, "--quiet") == 0 ||
                   strcmp(a, "--prior") == 0;
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->input) return cli_usage_error(verb, "one input file at a time ('%s' and '%s')", o->input, a);
            o->input = a;
            continue;
        }
        if (strcmp(a, "--threads") != 0 && strcmp(a, "--resume") != 0 && strcmp(a, "--json") != 0 &&
            strcmp(a, "--quiet") != 0 && !not_with_resume)
            not_with_resume = a;
        if (flag) {
            if (strcmp(a, "--save-samples") == 0) o->save_samples = 1;
            else if (strcmp(a, "--prior") == 0) o->prior = 1;
            else if (strcmp(a, "--json") == 0) o->json = 1;
            else o->quiet = 1;
            continue;
        }
        static const char *const with_value[] = {"-o", "-n", "--seed", "--threads", "--sampling",
            "--target-halfwidth", "--max-samples", "--set", "--resume", "--compress", "--observe"};
        int known = 0;
        for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++) known |= strcmp(a, with_value[k]) == 0;
        if (!known) return cli_usage_error(verb, "unknown option '%s'", a);
        if (!v) return cli_usage_error(verb, "option '%s' needs a value", a);
        i++;
        if (strcmp(a, "-o") == 0) {
            if (!*v) return cli_usage_error(verb, "-o: the result path is empty");
            o->output = v;
        }
        else if (strcmp(a, "--compress") == 0) {
            uint64_t lv;
            if (cli_parse_u64(v, &lv) || lv > 9) return cli_usage_error(verb, "--compress: '%s' is not a level from 0 to 9", v);
            o->compress = (int)lv;
        }
        else if (strcmp(a, "--resume") == 0) o->resume = v;
        else if (strcmp(a, "-n") == 0) {
            if (runner_parse_count(v, &o->run.samples))
                return cli_usage_error(verb, "-n: '%s' is not a whole number from 1 to 2^50", v);
        } else if (strcmp(a, "--seed") == 0) {
            if (cli_parse_u64(v, &o->run.seed)) return cli_usage_error(verb, "--seed: '%s' is not a 64-bit unsigned integer", v);
            o->run.has_seed = 1;
        } else if (strcmp(a, "--threads") == 0) {
            uint64_t t;
            if (cli_parse_u64(v, &t) || t == 0 || t > 4096) return cli_usage_error(verb, "--threads: '%s' is not a number from 1 to 4096", v);
            o->run.threads = (int)t;
        } else if (strcmp(a, "--sampling") == 0) {
            o->run.has_sampling = 1;
            if (strcmp(v, "random") == 0) o->run.sampling = TY_SAMPLING_RANDOM;
            else if (strcmp(v, "lhs") == 0) o->run.sampling = TY_SAMPLING_LHS;
            else return cli_usage_error(verb, "--sampling: '%s' is not one of random, lhs", v);
        } else if (strcmp(a, "--target-halfwidth") == 0) {
            if (parse_double(v, &o->run.target_halfwidth) || !(o->run.target_halfwidth > 0 && o->run.target_halfwidth < 0.5))
                return cli_usage_error(verb, "--target-halfwidth: '%s' is not a number in (0, 0.5)", v);
        } else if (strcmp(a, "--max-samples") == 0) {
            if (runner_parse_count(v, &o->run.max_samples))
                return cli_usage_error(verb, "--max-samples: '%s' is not a whole number from 1 to 2^50", v);
        } else if (strcmp(a, "--observe") == 0) {
            const char *eq = strchr(v, '=');
            if (o->nobserve == RUNNER_MAX_SETS)
                return cli_usage_error(verb, "at most %d --observe options", RUNNER_MAX_SETS);
            if (!eq || eq == v || (size_t)(eq - v) >= sizeof o->observe[0].name)
                return cli_usage_error(verb, "--observe: '%s' is not NAME=VALUE", v);
            if (parse_double(eq + 1, &o->observe[o->nobserve].value))
                return cli_usage_error(verb, "--observe: '%s' is not a number", eq + 1);
            o->observe[o->nobserve].text = v;
            memcpy(o->observe[o->nobserve].name, v, (size_t)(eq - v));
            o->observe[o->nobserve].name[eq - v] = '\0';
            o->nobserve++;
        } else {   /* --set FACTOR.PARAM=VALUE */
            const char *dot = strchr(v, '.'), *eq = strchr(v, '=');
            if (o->nsets == RUNNER_MAX_SETS) return cli_usage_error(verb, "at most %d --set options", RUNNER_MAX_SETS);
            if (!dot || !eq || eq < dot || dot == v || eq == dot + 1 ||
                (size_t)(dot - v) >= sizeof o->sets[0].factor || (size_t)(eq - dot - 1) >= sizeof o->sets[0].param)
                return cli_usage_error(verb, "--set: '%s' is not FACTOR.PARAM=VALUE", v);
            if (parse_double(eq + 1, &o->sets[o->nsets].value))
                return cli_usage_error(verb, "--set: '%s' is not a number", eq + 1);
            o->sets[o->nsets].text = v;
            memcpy(o->sets[o->nsets].factor, v, (size_t)(dot - v));
            o->sets[o->nsets].factor[dot - v] = '\0';
            memcpy(o->sets[o->nsets].param, dot + 1, (size_t)(eq - dot - 1));
            o->sets[o->nsets].param[eq - dot - 1] = '\0';
            o->nsets++;
        }
    }
    if (o->resume && o->input)
        return cli_usage_error(verb, "--resume RESULT.h5 takes no scenario file: the result holds it");
    /* The resumed run re-reads its options from the file: any other given
     * here would be silently ignored (-o, -n, --set...). */
    if (o->resume && not_with_resume)
        return cli_usage_error(verb, "--resume takes only --threads, --json and --quiet: the result holds "
                               "the %s's other options ('%s')", verb, not_with_resume);
    if (o->prior && o->nobserve)
        return cli_usage_error(verb, "--prior ignores every observation, so --observe '%s' would set nothing",
                               o->observe[0].text);
    if (!o->resume && !o->input) return cli_usage_error(verb, "missing the %s file", strcmp(verb, "batch") ? "SCENARIO.yaml" : "BATCH.yaml");
    return 0;
}

int runner_apply_sets(const char *verb, const runner_opts *o, ty_scenario *s)
{
    for (size_t i = 0; i < o->nsets; i++) {
        const char *text = o->sets[i].text ? o->sets[i].text : o->sets[i].factor;
        ty_diag *d = ty_diag_new(4);
        if (!d) return EXIT_RUNTIME;
        ty_status st = ty_scenario_set_param(s, o->sets[i].factor, o->sets[i].param, o->sets[i].value, d);
        if (st == TY_ERR_NOMEM || (st != TY_OK && ty_diag_count(d) == 0)) {
            ty_diag_free(d);
            fprintf(stderr, "tyche %s: out of memory\n", verb);
            return EXIT_RUNTIME;
        }
        if (st != TY_OK) {
            const ty_diag_entry *e = ty_diag_get(d, 0);
            int rc = cli_usage_error(verb, "--set '%s': %s%s%s", text, e->message, e->hint ? "; " : "",
                                     e->hint ? e->hint : "");
            ty_diag_free(d);
            return rc;
        }
        ty_diag_free(d);
    }
    return 0;
}

int runner_apply_observe(const char *verb, const runner_opts *o, ty_scenario *s, ty_batch *b)
{
    for (size_t i = 0; i < o->nobserve; i++) {
        ty_diag *d = ty_diag_new(4);
        if (!d) return EXIT_RUNTIME;
        ty_status st = s ? ty_scenario_set_observation(s, o->observe[i].name, o->observe[i].value, d)
                         : ty_batch_observe(b, o->observe[i].name, o->observe[i].value, d);
        if (st == TY_ERR_NOMEM || (st != TY_OK && ty_diag_count(d) == 0)) {
            ty_diag_free(d);
            fprintf(stderr, "tyche %s: out of memory\n", verb);
            return EXIT_RUNTIME;
        }
        if (st != TY_OK) {
            const ty_diag_entry *e = ty_diag_get(d, 0);
            const char *msg = e->message;
            if (strncmp(msg, "--observe: ", 11) == 0) msg += 11;
            int rc = cli_usage_error(verb, "--observe '%s': %s%s%s", o->observe[i].text, msg,
                                     e->hint ? "; " : "", e->hint ? e->hint : "");
            ty_diag_free(d);
            return rc;
        }
        ty_diag_free(d);
    }
    if (o->prior) {
        if (s) ty_scenario_drop_observations(s);
        else ty_batch_drop_observations(b);
    }
    return 0;
}

int runner_check_output(const char *verb, const char *out_path, const runner_input_ref *in, size_t n)
{
    struct stat st;
    if (stat(out_path, &st) != 0) return 0;   /* a new file, or set_paths will say why not */
    for (size_t i = 0; i < n; i++) {
        if (!in[i].id || !in[i].id->known) continue;
        if ((uint64_t)st.st_dev == in[i].id->dev && (uint64_t)st.st_ino == in[i].id->ino) {
            fflush(stdout);
            fprintf(stderr, "tyche %s: the result path '%s' is %s%s%s%s: writing the result would "
                    "replace it; give another -o\n", verb, out_path, in[i].what,
                    strcmp(in[i].path, out_path) ? " '" : "", strcmp(in[i].path, out_path) ? in[i].path : "",
                    strcmp(in[i].path, out_path) ? "'" : "");
            return EXIT_RUNTIME;
        }
    }
    return 0;
}

/* The progress bar: redrawn at most 10 times a second. */
typedef struct progress_state {
    const char *label;
    double start, last;
    int drawn;                   /* the bar is shown (a terminal, not --quiet) */
} progress_state;
static progress_state bar;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void draw(void *ctx, uint64_t done, uint64_t total)
{
    progress_state *p = ctx;
    if (cli_test_interrupt_rounds()) {   /* the test hook (signals.c) */
        cli_test_round_done();
        if (!p->drawn) return;
    }
    double t = now();
    if (done < total && t - p->last < 0.1) return;
    p->last = t;
    double frac = total ? (double)done / (double)total : 1, el = t - p->start;
    double rate = el > 0 ? (double)done / el : 0, eta = rate > 0 ? (double)(total - done) / rate : 0;
    char line[41];
    int filled = (int)(frac * 40);
    for (int i = 0; i < 40; i++) line[i] = i < filled ? '=' : ' ';
    line[40] = '\0';
    fprintf(stderr, "\r%-16.16s [%s] %5.1f%%  %.3g samples/s  ETA %.0fs ", p->label, line, 100 * frac, rate, eta);
    if (done >= total) fputc('\n', stderr);
    fflush(stderr);
}

void runner_progress(runner_opts *o, const char *label)
{
    bar.drawn = !o->quiet && isatty(STDERR_FILENO);
    if (!bar.drawn && !cli_test_interrupt_rounds()) return;
    o->run.progress = draw;   /* the test hook counts rounds in it */
    o->run.progress_ctx = &bar;
    if (!bar.drawn) return;
    bar.label = label;
    bar.start = bar.last = now();
    bar.last -= 1;
}

/* Appends a as one shell word: as is when it is plain, else in single
 * quotes with each ' written '\'' (for people: --resume reads the array). */
static char *shell_word(char *p, const char *a)
{
    int plain = *a != '\0';
    for (const char *c = a; *c; c++)
        plain &= isalnum((unsigned char)*c) || strchr("@%+=:,./_-", *c) != NULL;
    if (plain) return stpcpy(p, a);
    *p++ = '\'';
    for (const char *c = a; *c; c++) {
        if (*c == '\'') p = stpcpy(p, "'\\''");
        else *p++ = *c;
    }
    *p++ = '\'';
    *p = '\0';
    return p;
}

int runner_fill_meta(ty_results *r, int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++) len += 4 * strlen(argv[i]) + 3;
    char *line = malloc(len);
    if (!line) return -1;
    char *p = line;
    *p = '\0';
    for (int i = 0; i < argc; i++) {
        if (i) *p++ = ' ';
        p = shell_word(p, argv[i]);
    }
    /* version, time and host: the library's stamp (embed.h) */
    ty_status st = ty_embed_stamp(r, line, (size_t)argc, (const char *const *)argv);
    free(line);
    return st == TY_OK ? 0 : -1;
}

int runner_resume_setup(const char *verb, runner_opts *o, ty_results **prev, ty_status *st, ty_diag *diag)
{
    const char *path = o->resume;
    int threads = o->run.threads, quiet = o->quiet, json = o->json;
    *st = ty_results_read(path, prev, diag);
    if (*st != TY_OK) return runner_exit_code(*st);
    const ty_results *r = *prev;
    char **args = r->command_args;
    size_t n = r->command_args ? r->ncommand_args : 0;
    int sens = n >= 2 && strcmp(args[1], "sensitivity") == 0;
    const char *kind = sens ? "sensitivity" : r->batch_text ? "batch" : "run";
    if (strcmp(kind, verb) != 0) {
        fprintf(stderr, "tyche %s: %s is the result of a 'tyche %s', not of a 'tyche %s'", verb, path, kind, verb);
        if (!sens) fprintf(stderr, "; resume it with 'tyche %s --resume %s'", kind, path);
        fputc('\n', stderr);
        return EXIT_USAGE;
    }
    if (r->complete) {
        fprintf(stderr, "tyche %s: the %s in %s is complete; nothing to resume\n", verb, verb, path);
        return EXIT_USAGE;
    }
    if (!args) {
        fprintf(stderr, "tyche %s: %s holds no stored command (the attribute command_args): a tyche "
                "older than this one wrote it, and cannot be resumed; run the %s again\n", verb, path, verb);
        return EXIT_RUNTIME;
    }
    if (n < 2 || strcmp(args[1], verb) != 0) {
        fprintf(stderr, "tyche %s: the command stored in %s (command_args) is %s, not a 'tyche %s' "
                "command; the file is damaged\n", verb, path, n < 2 ? "empty" : "another", verb);
        return EXIT_RUNTIME;
    }
    if (runner_parse(verb, (int)n - 1, args + 1, o) || o->resume || !o->input) {
        fprintf(stderr, "tyche %s: cannot use the command stored in %s (command_args)%s; the file is "
                "damaged\n", verb, path, o->resume ? ": it holds --resume" : "");
        return EXIT_RUNTIME;
    }
    if (o->save_samples) {
        fprintf(stderr, "tyche %s: a %s with --save-samples cannot be resumed (its samples are not in the "
                "file); run it again\n", verb, verb);
        return EXIT_USAGE;
    }
    o->input = NULL;
    o->output = path;
    o->resume = path;
    if (threads) o->run.threads = threads;
    o->quiet = quiet || o->quiet;
    o->json = json || o->json;
    runner_catch_signals(o);
    return 0;
}

char *runner_stored_name(const char *path, const char *what)
{
    size_t n = strlen(path) + strlen(what) + 16;
    char *name = malloc(n);
    if (name) snprintf(name, n, "%s (stored %s)", path, what);
    return name;
}

ty_status runner_create_file(const runner_opts *o, const char *path, ty_result_file **f, ty_diag *diag)
{
    *f = NULL;
    /* Under MPI rank 0 writes the file; with --save-samples every rank
     * writes its own samples into it (collectively) first. */
    ty_status st = TY_OK;
    if (ty_par_rank() == 0 || o->save_samples) {
        ty_io_options opt;
        ty_io_options_init(&opt);
        opt.compression_level = o->compress;
        opt.collective = o->save_samples && ty_par_size() > 1;
        st = ty_result_file_create(path, &opt, f, diag);
    }
    /* Every rank goes on to the run, or none does (rank 0 says why). */
    return (ty_status)ty_par_agree((int)st, NULL);
}

ty_status runner_finish_file(ty_result_file *f, const ty_results *r, ty_diag *diag)
{
    return f ? ty_result_file_finish(f, r, diag) : TY_OK;
}

char *runner_output_path(const runner_opts *o, const char *name)
{
    if (o->output) {
        char *p = strdup(o->output);
        if (!p) fprintf(stderr, "tyche: out of memory\n");
        return p;
    }
    if (mkdir("results", 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "tyche: cannot create the folder results/: %s\n", strerror(errno));
        return NULL;
    }
    char *p = malloc(strlen(name) + 16);
    if (p) sprintf(p, "results/%s.h5", name);
    else fprintf(stderr, "tyche: out of memory\n");
    return p;
}

int runner_exit_code(ty_status st)
{
    switch (st) {
    case TY_OK: return EXIT_OK;
    case TY_ERR_INVALID: case TY_ERR_LIMIT: return EXIT_INVALID;
    case TY_ERR_INTERRUPTED: return EXIT_INTERRUPTED;
    default: return EXIT_RUNTIME;
    }
}

int runner_append_samples(void *ctx, uint64_t first, size_t n, const double *const *cols, size_t ncols)
{
    runner_sink *c = ctx;
    (void)ncols;
    return ty_result_file_samples_write(c->file, first, n, cols, c->diag) != TY_OK;
}

ty_status runner_begin_samples(ty_result_file *f, const ty_scenario *s, const ty_run_options *ro,
                               const char *variant, ty_diag *diag)
{
    ty_run_settings set;
    ty_run_settings_resolve(s, ro, &set);
    ty_result_file_samples_expect(f, ty_run_max_samples(&set));
    size_t F = ty_scenario_nfactors(s), D = ty_scenario_nderived(s), K = ty_scenario_noutcomes(s);
    size_t W = ty_scenario_nobservations(s) > 0;   /* a weighted run's log-weights */
    const char **names = malloc((F + D + K + 1) * sizeof *names);
    if (!names) return TY_ERR_NOMEM;
    for (size_t i = 0; i < F; i++) names[i] = ty_scenario_factor(s, i)->name;
    for (size_t i = 0; i < D; i++) names[F + i] = ty_scenario_derived(s, i)->name;
    for (size_t i = 0; i < K; i++) names[F + D + i] = ty_scenario_outcome(s, i)->name;
    if (W) {
        names[F + D + K] = "log_weight";
        for (size_t i = 0; i < F + D + K; i++)
            if (strcmp(names[i], "log_weight") == 0) {
                ty_diag_add(diag, TY_SEV_ERROR, NULL, "--save-samples: samples/log_weight holds the per-sample "
                            "log-weights of a run with observations; rename the scenario's 'log_weight'");
                free(names);
                return TY_ERR_INVALID;
            }
    }
    ty_status st = ty_result_file_samples_begin(f, variant, F + D + K + W, names, NULL, diag);
    free(names);
    return st;
}

void runner_warn_targets(const ty_results *res)
{
    ty_results_warnings(res, cli_put_stderr, NULL);
}
