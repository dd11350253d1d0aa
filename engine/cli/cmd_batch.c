/* cmd_batch.c - `tyche batch`: every variant of a batch file, then every
 * sweep point, with the same seed (common random numbers), into one result
 * file. */
#include "cli.h"
#include "runner.h"

#include <stdlib.h>

/* Before each run: the progress label, and for a variant with
 * --save-samples the start of its per-sample columns. */
typedef struct batch_ctx { runner_opts *o; ty_result_file *file; runner_sink sink; } batch_ctx;

static ty_status before_run(void *ctx, const ty_scenario *s, const char *name, const char *label,
                            int sweep_point, ty_run_options *ro)
{
    batch_ctx *c = ctx;
    if (c->o->save_samples && !sweep_point) {
        ty_status st = runner_begin_samples(c->file, s, ro, name, c->sink.diag);
        if (st != TY_OK) return st;
        ro->sink = runner_append_samples;
        ro->sink_ctx = &c->sink;
    }
    runner_progress(c->o, label);
    ro->progress = c->o->run.progress;
    ro->progress_ctx = c->o->run.progress_ctx;
    return TY_OK;
}

/* ---- --resume RESULT.h5 ------------------------------------------------ */

/* Reads the interrupted batch's result into *prev and its stored command
 * into *o, and builds the batch from the stored batch and scenario texts
 * (never from disk: they may have changed or gone), named *bname and
 * *sname so that their errors point at those texts. Returns 0, or the
 * exit code after printing why (diagnostics are left on diag with *st
 * set). */
static int resume_setup(runner_opts *o, ty_results **prev, char **bname, char **sname, ty_batch **b,
                        ty_status *st, ty_diag *diag)
{
    const char *path = o->resume;
    int rc = runner_resume_setup("batch", o, prev, st, diag);
    if (rc != 0) return rc;
    *bname = runner_stored_name(path, "batch");
    *sname = runner_stored_name(path, "scenario");
    if (!*bname || !*sname) { *st = TY_ERR_NOMEM; return EXIT_RUNTIME; }
    *st = ty_batch_parse(*bname, (*prev)->batch_text, *sname, (*prev)->source_text, b, diag);
    return *st == TY_OK ? 0 : runner_exit_code(*st);
}

/* ---- tyche batch ------------------------------------------------------- */

int cmd_batch(int argc, char **argv)
{
    runner_opts o;
    if (runner_parse("batch", argc, argv, &o)) return EXIT_USAGE;
    runner_catch_signals(&o);
    ty_diag *diag = ty_diag_new(20);
    if (!diag) { fprintf(stderr, "tyche batch: out of memory\n"); return EXIT_RUNTIME; }
    ty_batch *b = NULL;
    ty_results *res = NULL, *prev = NULL;
    ty_result_file *file = NULL;
    char *out_path = NULL, *bname = NULL, *sname = NULL;
    int rc;
    ty_input in = {0};   /* read once: a pipe or FIFO has no second read */
    ty_status st = TY_OK;
    if (o.resume) {
        rc = resume_setup(&o, &prev, &bname, &sname, &b, &st, diag);
        if (rc != 0 && st == TY_OK) goto out;
    } else {
        st = ty_input_read(o.input, &in, diag);
        if (st == TY_OK) st = ty_batch_load_input(&in, &b, diag);
    }
    cli_signals_loaded();
    if (st != TY_OK) goto fail;
    /* Warnings before sampling (not again on --resume: the first run showed them). */
    if (cli_print_warnings(&diag, !o.resume) != 0) { rc = EXIT_RUNTIME; goto out; }
    if (o.nsets) {
        fprintf(stderr, "tyche batch: --set applies to 'tyche run'; put overrides in the batch's variants\n");
        rc = EXIT_USAGE;
        goto out;
    }
    if ((rc = runner_apply_observe("batch", &o, NULL, b)) != 0) goto out;
    out_path = runner_output_path(&o, ty_batch_name(b));
    if (!out_path) { rc = EXIT_RUNTIME; goto out; }
    runner_input_ref inputs[] = {{&in.id, o.input, "the batch file"},
                                 {ty_batch_scenario_id(b), ty_scenario_path(ty_batch_base(b)), "the scenario file of the batch"}};
    if ((rc = runner_check_output("batch", out_path, inputs, o.resume ? 0 : 2)) != 0) goto out;
    /* Every rank is ready, or none goes on (cli_ranks_gate). */
    if ((rc = cli_ranks_gate(0)) != 0) goto out;
    rc = EXIT_RUNTIME;
    st = runner_create_file(&o, out_path, &file, diag);
    if (st != TY_OK) goto fail;

    res = calloc(1, sizeof *res);
    if (!res) { st = TY_ERR_NOMEM; goto fail; }
    batch_ctx ctx = {&o, file, {file, diag}};
    ty_status run_st = ty_run_batch_resume(b, &o.run, prev, before_run, &ctx, res, diag);
    if (run_st != TY_OK && run_st != TY_ERR_INTERRUPTED) { st = run_st; goto fail; }
    /* A resumed batch keeps the command it was started with. */
    if (runner_fill_meta(res, prev ? (int)prev->ncommand_args : argc + 1, prev ? prev->command_args : argv - 1) != 0) {
        st = TY_ERR_NOMEM;
        goto fail;
    }
    st = runner_finish_file(file, res, diag);
    file = NULL;
    if (st != TY_OK) goto fail;
    if (o.json) cli_print_results_json(res, stdout);
    else if (!o.quiet) cli_print_results(res, stdout);
    fflush(stdout);   /* the table, then the closing line, in a shared pipe */
    if (cli_print_warnings(&diag, 1) != 0) { rc = EXIT_RUNTIME; goto out; }
    runner_warn_targets(res);
    if (!o.quiet && run_st == TY_OK) fprintf(stderr, "tyche: wrote %s\n", out_path);
    else if (!o.quiet)
        fprintf(stderr, "tyche: interrupted; wrote the runs done to %s (resume with: tyche batch --resume %s)\n",
                out_path, out_path);
    rc = runner_exit_code(run_st);
    goto out;
fail:
    cli_print_diags(diag);
    if (st == TY_ERR_NOMEM && !cli_diags_say_oom(diag)) fprintf(stderr, "tyche batch: out of memory\n");
    rc = runner_exit_code(st);
out:
    ty_result_file_abort(file);
    free(out_path);
    ty_results_free(res);
    ty_results_free(prev);
    free(bname);
    free(sname);
    ty_batch_free(b);
    ty_input_clear(&in);
    ty_diag_free(diag);
    return rc;
}
