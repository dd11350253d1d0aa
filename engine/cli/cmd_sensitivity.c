/* cmd_sensitivity.c - `tyche sensitivity`: which factors drive each outcome
 * (and each derived value named with --target), by tornado, Spearman rank
 * correlation and Sobol indices (sens.h), into one result file whose run
 * "baseline" carries the usual estimates and sensitivity/. */
#include "cli.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TARGETS 256

typedef struct sens_args {
    const char *input, *output;
    ty_sens_options sens;
    const char *targets[MAX_TARGETS];
    int json, quiet;
} sens_args;

static int parse(int argc, char **argv, sens_args *a)
{
    const char *verb = "sensitivity";
    memset(a, 0, sizeof *a);
    a->sens.methods = TY_SENS_ALL;
    a->sens.targets = a->targets;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (o[0] != '-' || strcmp(o, "-") == 0) {
            if (a->input) return cli_usage_error(verb, "one scenario file at a time ('%s' and '%s')", a->input, o);
            a->input = o;
            continue;
        }
        if (strcmp(o, "--json") == 0) { a->json = 1; continue; }
        if (strcmp(o, "--quiet") == 0) { a->quiet = 1; continue; }
        if (strcmp(o, "--ignore-correlations") == 0) { a->sens.ignore_correlations = 1; continue; }
        static const char *const with_value[] = {"-o", "-n", "--method", "--target", "--seed", "--threads"};
        int known = 0;
        for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++) known |= strcmp(o, with_value[k]) == 0;
        if (!known) return cli_usage_error(verb, "unknown option '%s'", o);
        if (!v) return cli_usage_error(verb, "option '%s' needs a value", o);
        i++;
        if (strcmp(o, "-o") == 0) {
            if (!*v) return cli_usage_error(verb, "-o: the result path is empty");
            a->output = v;
        }
        else if (strcmp(o, "-n") == 0) {
            if (runner_parse_count(v, &a->sens.samples) || a->sens.samples < 2)
                return cli_usage_error(verb, "-n: '%s' is not a whole number from 2 to 2^50", v);
        } else if (strcmp(o, "--method") == 0) {
            if (ty_sens_parse_method(v, &a->sens.methods))
                return cli_usage_error(verb, "--method: '%s' is not one of tornado, spearman, sobol, all", v);
        } else if (strcmp(o, "--target") == 0) {
            if (a->sens.ntargets == MAX_TARGETS) return cli_usage_error(verb, "at most %d --target options", MAX_TARGETS);
            a->targets[a->sens.ntargets++] = v;
        } else if (strcmp(o, "--seed") == 0) {
            if (cli_parse_u64(v, &a->sens.seed)) return cli_usage_error(verb, "--seed: '%s' is not a 64-bit unsigned integer", v);
            a->sens.has_seed = 1;
        } else {
            uint64_t t;
            if (cli_parse_u64(v, &t) || t == 0 || t > 4096)
                return cli_usage_error(verb, "--threads: '%s' is not a number from 1 to 4096", v);
            a->sens.threads = (int)t;
        }
    }
    if (!a->input) return cli_usage_error(verb, "missing the SCENARIO.yaml file");
    if ((a->sens.methods & TY_SENS_SOBOL) && a->sens.samples > TY_SENS_SOBOL_MAX)
        return cli_usage_error(verb, "-n: %llu is more than the %d samples Sobol indices keep for their "
                               "bootstrap; use --method tornado or spearman for more",
                               (unsigned long long)a->sens.samples, TY_SENS_SOBOL_MAX);
    return 0;
}

/* The progress callback of the interrupt test hook (signals.c): counts the
 * analysis's rounds and the baseline run's together. */
static void count_round(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx; (void)done; (void)total;
    cli_test_round_done();
}

/* --target names must be derived values: a usage error with a hint. */
static int check_targets(const sens_args *a, const ty_scenario *s)
{
    size_t D = ty_scenario_nderived(s);
    const char **cand = malloc((D + 1) * sizeof *cand);
    if (!cand) { fprintf(stderr, "tyche sensitivity: out of memory\n"); return EXIT_RUNTIME; }
    for (size_t d = 0; d < D; d++) cand[d] = ty_scenario_derived(s, d)->name;
    int rc = 0;
    for (size_t i = 0; i < a->sens.ntargets && !rc; i++) {
        const char *t = a->targets[i];
        size_t d = 0;
        while (d < D && strcmp(cand[d], t) != 0) d++;
        if (d < D) continue;
        const char *hint = ty_suggest(t, cand, D);
        char extra[160] = "";
        if (hint) snprintf(extra, sizeof extra, "; did you mean '%s'?", hint);
        else if (D == 0) snprintf(extra, sizeof extra, "; the scenario has none");
        rc = cli_usage_error("sensitivity", "--target: '%s' is not a derived value of %s%s%s", t,
                             ty_scenario_name(s),
                             ty_scenario_find_factor(s, t) >= 0 ? " (it is a factor)" : "", extra);
    }
    free(cand);
    return rc;
}

int cmd_sensitivity(int argc, char **argv)
{
    sens_args a;
    if (parse(argc, argv, &a)) return EXIT_USAGE;
    /* SIGINT, SIGTERM, SIGHUP: stop after the round in flight and write
     * nothing (exit 130); handlers first, so one during the load counts. */
    a.sens.interrupt = cli_catch_signals();
    if (cli_test_interrupt_rounds()) a.sens.progress = count_round;
    ty_diag *diag = ty_diag_new(20);
    if (!diag) { fprintf(stderr, "tyche sensitivity: out of memory\n"); return EXIT_RUNTIME; }
    ty_scenario *own = NULL;
    ty_batch *batch = NULL;
    const ty_scenario *s = NULL;
    ty_results *res = NULL;
    ty_result_file *file = NULL;
    char *out_path = NULL;
    int rc = EXIT_RUNTIME;
    int is_batch = 0;
    ty_input in;   /* read once: a pipe or FIFO has no second read */
    ty_status st = ty_input_read(a.input, &in, diag);
    if (st == TY_OK) st = ty_batch_sniff_input(&in, &is_batch, diag);
    /* A batch file: the scenario it names, as written (no variant applied). */
    if (st == TY_OK && is_batch) {
        st = ty_batch_load_input(&in, &batch, diag);
        if (st == TY_OK) s = ty_batch_base(batch);
    } else if (st == TY_OK) {
        st = ty_scenario_load_input(&in, &own, diag);
        s = own;
    }
    cli_signals_loaded();
    if (st != TY_OK) goto fail;
    if (cli_print_warnings(&diag, 1) != 0) goto out;
    /* Tornado, rank correlation and Sobol indices explain the model as
     * written: weighting the samples would change what they mean. */
    if (ty_scenario_nobservations(s))
        fprintf(stderr, "tyche sensitivity: warning: the scenario's %zu observation%s ignored: sensitivity "
                "analysis explains the prior model (tyche run shows the update)\n", ty_scenario_nobservations(s),
                ty_scenario_nobservations(s) == 1 ? " is" : "s are");
    if ((rc = check_targets(&a, s)) != 0) goto out;
    rc = EXIT_RUNTIME;

    runner_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.output = a.output;
    /* Not results/<name>.h5: that is the run's result, kept. */
    char name[TY_SCENARIO_MAX_NAME + 16];
    snprintf(name, sizeof name, "%s-sensitivity", ty_scenario_name(s));
    out_path = runner_output_path(&ro, name);
    if (!out_path) goto out;
    runner_input_ref inputs[] = {{&in.id, a.input, batch ? "the batch file" : "the scenario file"},
                                 {batch ? ty_batch_scenario_id(batch) : NULL, ty_scenario_path(s),
                                  "the scenario file of the batch"}};
    if ((rc = runner_check_output("sensitivity", out_path, inputs, 2)) != 0) goto out;
    if ((rc = cli_ranks_gate(0)) != 0) goto out;
    rc = EXIT_RUNTIME;
    st = runner_create_file(&ro, out_path, &file, diag);
    if (st != TY_OK) goto fail;

    res = calloc(1, sizeof *res);
    if (!res || !(res->runs = calloc(1, sizeof *res->runs))) { st = TY_ERR_NOMEM; goto fail; }
    res->nruns = 1;
    /* The usual estimates: a plain run of N samples with the same seed,
     * whose outcome probabilities are the tornado's baseline. */
    ty_run_options run = {.samples = a.sens.samples ? a.sens.samples : TY_SENS_SAMPLES,
                          .threads = a.sens.threads, .has_seed = a.sens.has_seed, .seed = a.sens.seed,
                          .has_sampling = 1, .sampling = TY_SAMPLING_RANDOM,
                          .interrupt = a.sens.interrupt, .progress = a.sens.progress};
    ty_sensitivity *sens = NULL;
    st = ty_sens_run(s, &a.sens, &sens, diag);
    if (st != TY_OK) goto fail;
    st = ty_run_scenario(s, "baseline", &run, &res->runs[0], diag);
    res->runs[0].sensitivity = sens;
    if (st != TY_OK) goto fail;
    if (runner_fill_meta(res, argc + 1, argv - 1) != 0) { st = TY_ERR_NOMEM; goto fail; }
    res->complete = 1;
    if (ty_run_describe(res, s) != TY_OK) { st = TY_ERR_NOMEM; goto fail; }
    st = runner_finish_file(file, res, diag);
    file = NULL;
    if (st != TY_OK) goto fail;
    if (a.json) cli_print_results_json(res, stdout);
    else if (!a.quiet) cli_print_results(res, stdout);
    fflush(stdout);   /* the table, then the closing line, in a shared pipe */
    if (!a.quiet) fprintf(stderr, "tyche: wrote %s\n", out_path);
    rc = EXIT_OK;
    goto out;

fail:
    if (st == TY_ERR_INTERRUPTED) {
        /* Indices from part of the samples would read as answers: nothing
         * is written, an older file of that name stays. */
        fprintf(stderr, "tyche sensitivity: interrupted; nothing written (run it again)\n");
        rc = EXIT_INTERRUPTED;
        goto out;
    }
    cli_print_diags(diag);
    if (st == TY_ERR_NOMEM && !cli_diags_say_oom(diag)) fprintf(stderr, "tyche sensitivity: out of memory\n");
    rc = runner_exit_code(st);
out:
    ty_result_file_abort(file);
    free(out_path);
    ty_results_free(res);
    ty_scenario_free(own);
    ty_batch_free(batch);
    ty_input_clear(&in);
    ty_diag_free(diag);
    return rc;
}
