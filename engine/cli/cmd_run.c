/* cmd_run.c - `tyche run`: one scenario, one result file. Also `--resume
 * RESULT.h5`, which re-runs the stored command on the stored scenario text
 * from the stored accumulator state, giving the uninterrupted result. */
#include "cli.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

/* Splits a command line written by runner_fill_meta (words separated by
 * spaces, single-quoted when they hold spaces or quotes). */
static int split_words(const char *line, char ***out)
{
    size_t cap = 16, n = 0;
    char **w = malloc(cap * sizeof *w);
    char *buf = strdup(line);
    if (!w || !buf) { free(w); free(buf); return -1; }
    char *p = buf;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        char *start;
        if (*p == '\'') {
            start = ++p;
            while (*p && *p != '\'') p++;
        } else {
            start = p;
            while (*p && *p != ' ') p++;
        }
        if (*p) *p++ = '\0';
        if (n + 2 > cap) {
            char **nw = realloc(w, (cap *= 2) * sizeof *nw);
            if (!nw) { free(w); free(buf); return -1; }
            w = nw;
        }
        w[n++] = strdup(start);
    }
    w[n] = NULL;
    free(buf);
    *out = w;
    return (int)n;
}

static void free_words(char **w)
{
    for (size_t i = 0; w && w[i]; i++) free(w[i]);
    free(w);
}

/* --resume PATH: reads the interrupted result, re-parses its stored command
 * line into *o (keeping this call's --threads, --quiet and --json) and
 * loads the scenario from the stored text. Returns 0, or the exit code
 * after printing why (diagnostics are left on diag with *st set). */
static int resume_setup(runner_opts *o, ty_results **prev, char ***words, ty_scenario **s,
                        ty_status *st, ty_diag *diag)
{
    const char *path = o->resume;
    int threads = o->run.threads, quiet = o->quiet, json = o->json;
    *st = ty_results_read(path, prev, diag);
    if (*st != TY_OK) return runner_exit_code(*st);
    if ((*prev)->nruns != 1 || (*prev)->batch_text) {
        fprintf(stderr, "tyche run: %s is not the result of a 'tyche run'\n", path);
        return EXIT_USAGE;
    }
    if ((*prev)->runs[0].complete) {
        fprintf(stderr, "tyche run: the run in %s is complete; nothing to resume\n", path);
        return EXIT_USAGE;
    }
    int nw = split_words((*prev)->command_line, words);
    if (nw < 2 || runner_parse("run", nw - 1, *words + 1, o)) {
        fprintf(stderr, "tyche run: cannot read the command line stored in %s\n", path);
        return EXIT_RUNTIME;
    }
    if (o->save_samples) {
        fprintf(stderr, "tyche run: a run with --save-samples cannot be resumed (its samples "
                        "are not in the file); run it again\n");
        return EXIT_USAGE;
    }
    o->output = path;
    o->resume = path;
    if (threads) o->run.threads = threads;
    o->quiet = quiet || o->quiet;
    o->json = json || o->json;
    o->run.resume = &(*prev)->runs[0];
    runner_catch_signals(o);
    *st = ty_scenario_parse(path, (*prev)->source_text, strlen((*prev)->source_text), s, diag);
    return *st == TY_OK ? 0 : runner_exit_code(*st);
}

/* The table on stdout and the closing line on stderr, after it in a
 * shared pipe. --quiet: nothing, but --json's document (asked for). */
static void report(const runner_opts *o, const ty_results *res, ty_status run_st, const char *out_path)
{
    if (o->json) cli_print_results_json(res, stdout);
    else if (!o->quiet) cli_print_results(res, stdout);
    fflush(stdout);
    runner_warn_targets(res);
    if (o->quiet) return;
    if (run_st == TY_ERR_INTERRUPTED)
        fprintf(stderr, "tyche: interrupted after %llu samples; wrote %s (resume with: tyche run --resume %s)\n",
                (unsigned long long)res->runs[0].samples, out_path, out_path);
    else
        fprintf(stderr, "tyche: wrote %s\n", out_path);
}

int cmd_run(int argc, char **argv)
{
    runner_opts o;
    if (runner_parse("run", argc, argv, &o)) return EXIT_USAGE;
    /* Handlers first: a signal that comes while the scenario loads is
     * honoured at the first round's end, not lost. */
    runner_catch_signals(&o);
    ty_diag *diag = ty_diag_new(20);
    if (!diag) return EXIT_RUNTIME;
    ty_results *prev = NULL, *res = NULL;
    ty_scenario *s = NULL;
    ty_result_file *file = NULL;
    char **words = NULL;
    char *out_path = NULL;
    ty_status st = TY_OK;
    int rc = EXIT_RUNTIME;

    if (o.resume) {
        rc = resume_setup(&o, &prev, &words, &s, &st, diag);
        if (rc != 0) goto done;
    } else {
        /* A batch file read as a scenario gave an error per batch key. */
        int is_batch = 0;
        st = ty_batch_sniff(o.input, &is_batch, diag);
        if (st == TY_OK && is_batch) {
            rc = cli_usage_error("run", "%s is a batch file: run it with 'tyche batch'", o.input);
            goto out;
        }
        if (st == TY_OK) st = ty_scenario_load(o.input, &s, diag);
    }
    if (st == TY_OK) st = runner_apply_sets(&o, s, diag);
    if (st != TY_OK) goto fail;
    /* Warnings before sampling (not again on --resume: the first run showed them). */
    if (cli_print_warnings(&diag, !o.resume) != 0) goto out;

    rc = EXIT_RUNTIME;
    out_path = runner_output_path(&o, ty_scenario_name(s));
    if (!out_path) goto out;
    st = runner_create_file(&o, out_path, &file, diag);
    if (st != TY_OK) goto fail;
    runner_sink sc = {file, diag};
    if (o.save_samples) {
        st = runner_begin_samples(file, s, &o.run, "baseline", diag);
        if (st != TY_OK) goto fail;
        o.run.sink = runner_append_samples;
        o.run.sink_ctx = &sc;
    }
    runner_progress(&o, ty_scenario_name(s));

    res = calloc(1, sizeof *res);
    if (!res || !(res->runs = calloc(1, sizeof *res->runs))) { st = TY_ERR_NOMEM; goto fail; }
    res->nruns = 1;
    st = ty_run_scenario(s, "baseline", &o.run, &res->runs[0], diag);
    if (st != TY_OK && st != TY_ERR_INTERRUPTED) goto fail;
    ty_status run_st = st;
    if (runner_fill_meta(res, o.resume ? 0 : argc + 1, argv - 1) != 0) { st = TY_ERR_NOMEM; goto fail; }
    if (o.resume) {
        free(res->command_line);
        res->command_line = strdup(prev->command_line);
    }
    res->complete = run_st == TY_OK;
    if (!res->command_line || ty_run_describe(res, s) != TY_OK) { st = TY_ERR_NOMEM; goto fail; }
    st = ty_result_file_finish(file, res, diag);
    file = NULL;
    if (st != TY_OK) goto fail;
    report(&o, res, run_st, out_path);
    rc = runner_exit_code(run_st);
    goto out;

done:
    if (st == TY_OK) goto out;
fail:
    cli_print_diags(diag);
    if (st == TY_ERR_NOMEM) fprintf(stderr, "tyche run: out of memory\n");
    rc = runner_exit_code(st);
out:
    ty_result_file_abort(file);
    free(out_path);
    free_words(words);
    ty_results_free(res);
    ty_results_free(prev);
    ty_scenario_free(s);
    ty_diag_free(diag);
    return rc;
}
