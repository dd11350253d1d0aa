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

int cmd_batch(int argc, char **argv)
{
    runner_opts o;
    if (runner_parse("batch", argc, argv, &o)) return EXIT_USAGE;
    runner_catch_signals(&o);
    if (o.resume) return cli_usage_error("batch", "--resume is for 'tyche run' results; run the batch again");
    ty_diag *diag = ty_diag_new(20);
    if (!diag) return EXIT_RUNTIME;
    ty_batch *b = NULL;
    ty_results *res = NULL;
    ty_result_file *file = NULL;
    char *out_path = NULL;
    int rc;
    ty_status st = ty_batch_load(o.input, &b, diag);
    if (st != TY_OK) goto fail;
    if (cli_print_warnings(&diag, 1) != 0) { rc = EXIT_RUNTIME; goto out; }
    if (o.nsets) {
        fprintf(stderr, "tyche batch: --set applies to 'tyche run'; put overrides in the batch's variants\n");
        rc = EXIT_USAGE;
        goto out;
    }
    out_path = runner_output_path(&o, ty_batch_name(b));
    if (!out_path) { rc = EXIT_RUNTIME; goto out; }
    st = runner_create_file(&o, out_path, &file, diag);
    if (st != TY_OK) goto fail;

    res = calloc(1, sizeof *res);
    if (!res) { st = TY_ERR_NOMEM; goto fail; }
    batch_ctx ctx = {&o, file, {file, diag}};
    ty_status run_st = ty_run_batch(b, &o.run, before_run, &ctx, res, diag);
    if (run_st != TY_OK && run_st != TY_ERR_INTERRUPTED) { st = run_st; goto fail; }
    if (runner_fill_meta(res, argc + 1, argv - 1) != 0) { st = TY_ERR_NOMEM; goto fail; }
    st = ty_result_file_finish(file, res, diag);
    file = NULL;
    if (st != TY_OK) goto fail;
    if (o.json) cli_print_results_json(res, stdout);
    else if (!o.quiet) cli_print_results(res, stdout);
    fflush(stdout);   /* the table, then the closing line, in a shared pipe */
    if (cli_print_warnings(&diag, 1) != 0) { rc = EXIT_RUNTIME; goto out; }
    runner_warn_targets(res);
    if (!o.quiet) fprintf(stderr, "tyche: %s %s\n", run_st == TY_OK ? "wrote" : "interrupted; wrote the runs done to", out_path);
    rc = runner_exit_code(run_st);
    goto out;
fail:
    cli_print_diags(diag);
    if (st == TY_ERR_NOMEM) fprintf(stderr, "tyche batch: out of memory\n");
    rc = runner_exit_code(st);
out:
    ty_result_file_abort(file);
    free(out_path);
    ty_results_free(res);
    ty_batch_free(b);
    ty_diag_free(diag);
    return rc;
}
