/* cmd_run.c - `tyche run`: one scenario, one result file. Also `--resume
 * RESULT.h5`, which re-runs the stored command on the stored scenario text
 * from the stored accumulator state, giving the uninterrupted result. */
#include "cli.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

/* --resume PATH: reads the interrupted result and its stored command into
 * *o (runner_resume_setup) and loads the scenario from the stored text,
 * named *name so that its errors point at that text. Returns 0, or the
 * exit code after printing why (diagnostics are left on diag with *st set). */
static int resume_setup(runner_opts *o, ty_results **prev, char **name, ty_scenario **s,
                        ty_status *st, ty_diag *diag)
{
    const char *path = o->resume;
    int rc = runner_resume_setup("run", o, prev, st, diag);
    if (rc != 0) return rc;
    if ((*prev)->nruns != 1) {
        fprintf(stderr, "tyche run: %s holds %zu runs, not the one of a 'tyche run'; the file is damaged\n",
                path, (*prev)->nruns);
        return EXIT_RUNTIME;
    }
    o->run.resume = &(*prev)->runs[0];
    if (!(*name = runner_stored_name(path, "scenario"))) { *st = TY_ERR_NOMEM; return EXIT_RUNTIME; }
    *st = ty_scenario_parse(*name, (*prev)->source_text, strlen((*prev)->source_text), s, diag);
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
    if (!diag) { fprintf(stderr, "tyche run: out of memory\n"); return EXIT_RUNTIME; }
    ty_results *prev = NULL, *res = NULL;
    ty_scenario *s = NULL;
    ty_result_file *file = NULL;
    char *stored_name = NULL;
    char *out_path = NULL;
    ty_input in = {0};
    ty_status st = TY_OK;
    int rc = EXIT_RUNTIME;

    if (o.resume) {
        rc = resume_setup(&o, &prev, &stored_name, &s, &st, diag);
        if (rc != 0) goto done;
    } else {
        /* Read once: a pipe or FIFO has no second read. A batch file read
         * as a scenario gave an error per batch key. */
        int is_batch = 0;
        st = ty_input_read(o.input, &in, diag);
        if (st == TY_OK) st = ty_batch_sniff_input(&in, &is_batch, diag);
        if (st == TY_OK && is_batch) {
            rc = cli_usage_error("run", "%s is a batch file: run it with 'tyche batch'", o.input);
            goto out;
        }
        if (st == TY_OK) st = ty_scenario_load_input(&in, &s, diag);
    }
    cli_signals_loaded();
    if (st != TY_OK) goto fail;
    if ((rc = runner_apply_sets("run", &o, s)) != 0) goto out;
    if ((rc = runner_apply_observe("run", &o, s, NULL)) != 0) goto out;
    /* Warnings before sampling (not again on --resume: the first run showed them). */
    rc = EXIT_RUNTIME;
    if (cli_print_warnings(&diag, !o.resume) != 0) goto out;

    out_path = runner_output_path(&o, ty_scenario_name(s));
    if (!out_path) goto out;
    runner_input_ref inputs[] = {{&in.id, o.input, "the scenario file"}};
    if ((rc = runner_check_output("run", out_path, inputs, o.resume ? 0 : 1)) != 0) goto out;
    /* Every rank is ready, or none goes on (cli_ranks_gate). */
    if ((rc = cli_ranks_gate(0)) != 0) goto out;
    rc = EXIT_RUNTIME;
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
    /* A resumed run keeps the command it was started with. */
    if (runner_fill_meta(res, prev ? (int)prev->ncommand_args : argc + 1, prev ? prev->command_args : argv - 1) != 0) {
        st = TY_ERR_NOMEM;
        goto fail;
    }
    res->complete = run_st == TY_OK;
    if (ty_run_describe(res, s) != TY_OK) { st = TY_ERR_NOMEM; goto fail; }
    st = runner_finish_file(file, res, diag);
    file = NULL;
    if (st != TY_OK) goto fail;
    report(&o, res, run_st, out_path);
    rc = runner_exit_code(run_st);
    goto out;

done:
    if (st == TY_OK) goto out;
fail:
    cli_print_diags(diag);
    if (st == TY_ERR_NOMEM && !cli_diags_say_oom(diag)) fprintf(stderr, "tyche run: out of memory\n");
    rc = runner_exit_code(st);
out:
    ty_result_file_abort(file);
    free(out_path);
    free(stored_name);
    ty_results_free(res);
    ty_results_free(prev);
    ty_scenario_free(s);
    ty_input_clear(&in);
    ty_diag_free(diag);
    return rc;
}
