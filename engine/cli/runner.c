/* runner.c - options, progress, signals and metadata shared by `tyche run`
 * and `tyche batch` (runner.h). */
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

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

void runner_catch_signals(runner_opts *o)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    o->run.interrupt = &interrupted;
}

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
        int flag = strcmp(a, "--save-samples") == 0 || strcmp(a, "--json") == 0 || strcmp(a, "--quiet") == 0;
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
            else if (strcmp(a, "--json") == 0) o->json = 1;
            else o->quiet = 1;
            continue;
        }
        static const char *const with_value[] = {"-o", "-n", "--seed", "--threads", "--sampling",
            "--target-halfwidth", "--max-samples", "--set", "--resume", "--compress"};
        int known = 0;
        for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++) known |= strcmp(a, with_value[k]) == 0;
        if (!known) return cli_usage_error(verb, "unknown option '%s'", a);
        if (!v) return cli_usage_error(verb, "option '%s' needs a value", a);
        i++;
        if (strcmp(a, "-o") == 0) o->output = v;
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
        } else {   /* --set FACTOR.PARAM=VALUE */
            const char *dot = strchr(v, '.'), *eq = strchr(v, '=');
            if (o->nsets == RUNNER_MAX_SETS) return cli_usage_error(verb, "at most %d --set options", RUNNER_MAX_SETS);
            if (!dot || !eq || eq < dot || dot == v || eq == dot + 1 ||
                (size_t)(dot - v) >= sizeof o->sets[0].factor || (size_t)(eq - dot - 1) >= sizeof o->sets[0].param)
                return cli_usage_error(verb, "--set: '%s' is not FACTOR.PARAM=VALUE", v);
            if (parse_double(eq + 1, &o->sets[o->nsets].value))
                return cli_usage_error(verb, "--set: '%s' is not a number", eq + 1);
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
    if (o->resume && not_with_resume && strcmp(verb, "run") == 0)
        return cli_usage_error(verb, "--resume takes only --threads, --json and --quiet: the result holds "
                               "the run's other options ('%s')", not_with_resume);
    if (!o->resume && !o->input) return cli_usage_error(verb, "missing the %s file", strcmp(verb, "batch") ? "SCENARIO.yaml" : "BATCH.yaml");
    return 0;
}

ty_status runner_apply_sets(const runner_opts *o, ty_scenario *s, ty_diag *diag)
{
    ty_status st = TY_OK;
    for (size_t i = 0; i < o->nsets; i++) {
        ty_status one = ty_scenario_set_param(s, o->sets[i].factor, o->sets[i].param, o->sets[i].value, diag);
        if (one != TY_OK) st = one;
    }
    return st;
}

/* The progress bar: redrawn at most 10 times a second. */
typedef struct progress_state {
    const char *label;
    double start, last;
    int drawn;                   /* the bar is shown (a terminal, not --quiet) */
} progress_state;
static progress_state bar;

/* Test hook: TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=N stops `tyche run` and
 * `tyche batch` exactly as a SIGINT would, at the end of the N-th round of
 * blocks (counted over the whole command, a batch's runs together): the
 * run loop calls the progress callback on the calling thread after each
 * round and then tests the interrupt flag, so the flag raised here is seen
 * after that very round. It makes interrupt-and-resume tests deterministic
 * (tests/cli/thread_identity.sh) instead of racing a run against a signal,
 * and works with --quiet and without a terminal. Read once; unset, 0 or not
 * a whole number: off. Not for users: a signal is the way to stop a run. */
static uint64_t test_interrupt_after(void)
{
    static int read;
    static uint64_t n;
    if (!read) {
        const char *v = getenv("TYCHE_TEST_INTERRUPT_AFTER_ROUNDS");
        if (!v || cli_parse_u64(v, &n)) n = 0;
        read = 1;
    }
    return n;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void draw(void *ctx, uint64_t done, uint64_t total)
{
    progress_state *p = ctx;
    uint64_t after = test_interrupt_after();
    if (after) {
        static uint64_t rounds;
        if (++rounds >= after) interrupted = 1;
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
    if (!bar.drawn && !test_interrupt_after()) return;
    o->run.progress = draw;   /* the test hook counts rounds in it */
    o->run.progress_ctx = &bar;
    if (!bar.drawn) return;
    bar.label = label;
    bar.start = bar.last = now();
    bar.last -= 1;
}

int runner_fill_meta(ty_results *r, int argc, char **argv)
{
    r->tyche_version = strdup(ty_version());
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    r->created = strdup(buf);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    r->host = strdup(host);
    size_t len = 1;
    for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 3;
    r->command_line = malloc(len);
    if (!r->tyche_version || !r->created || !r->host || !r->command_line) return -1;
    r->command_line[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i) strcat(r->command_line, " ");
        int quote = strpbrk(argv[i], " \t'\"") != NULL || !argv[i][0];
        if (quote) strcat(r->command_line, "'");
        strcat(r->command_line, argv[i]);
        if (quote) strcat(r->command_line, "'");
    }
    return 0;
}

ty_status runner_create_file(const runner_opts *o, const char *path, ty_result_file **f, ty_diag *diag)
{
    ty_io_options opt;
    ty_io_options_init(&opt);
    opt.compression_level = o->compress;
    return ty_result_file_create(path, &opt, f, diag);
}

char *runner_output_path(const runner_opts *o, const char *name)
{
    if (o->output) return strdup(o->output);
    if (mkdir("results", 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "tyche: cannot create the folder results/: %s\n", strerror(errno));
        return NULL;
    }
    char *p = malloc(strlen(name) + 16);
    if (p) sprintf(p, "results/%s.h5", name);
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
    (void)first; (void)ncols;
    return ty_result_file_samples_append(c->file, n, cols, c->diag) != TY_OK;
}

ty_status runner_begin_samples(ty_result_file *f, const ty_scenario *s, const ty_run_options *ro,
                               const char *variant, ty_diag *diag)
{
    ty_run_settings set;
    ty_run_settings_resolve(s, ro, &set);
    ty_result_file_samples_expect(f, ty_run_max_samples(&set));
    size_t F = ty_scenario_nfactors(s), D = ty_scenario_nderived(s), K = ty_scenario_noutcomes(s);
    const char **names = malloc((F + D + K) * sizeof *names);
    if (!names) return TY_ERR_NOMEM;
    for (size_t i = 0; i < F; i++) names[i] = ty_scenario_factor(s, i)->name;
    for (size_t i = 0; i < D; i++) names[F + i] = ty_scenario_derived(s, i)->name;
    for (size_t i = 0; i < K; i++) names[F + D + i] = ty_scenario_outcome(s, i)->name;
    ty_status st = ty_result_file_samples_begin(f, variant, F + D + K, names, NULL, diag);
    free(names);
    return st;
}

void runner_warn_targets(const ty_results *res)
{
    for (size_t v = 0; v < res->nruns; v++) {
        const ty_run_result *r = &res->runs[v];
        if (!(r->target_halfwidth > 0) || r->target_reached || !r->complete) continue;
        fprintf(stderr, "tyche: warning: %s: target half-width %g not reached: the widest interval is "
                "+-%.3g after %llu samples (raise --max-samples, or accept the wider interval)\n",
                r->variant, r->target_halfwidth, r->max_halfwidth, (unsigned long long)r->samples);
    }
}
