/* cmd_batch.c - `tyche batch`: every variant of a batch file, then every
 * sweep point, with the same seed (common random numbers), into one result
 * file. */
#include "cli.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

/* Runs every point of sweep sw into *out. */
static ty_status run_sweep(const ty_sweep *sw, runner_opts *o, ty_sweep_result *out, ty_diag *diag)
{
    size_t K = ty_scenario_noutcomes(sw->points[0]), n = sw->npoints;
    out->name = strdup(sw->name);
    out->factor = strdup(sw->factor);
    out->param = strdup(sw->param);
    out->npoints = n;
    out->noutcomes = K;
    out->values = malloc(n * sizeof *out->values);
    out->probability = malloc(n * K * sizeof *out->probability);
    out->ci_low = malloc(n * K * sizeof *out->ci_low);
    out->ci_high = malloc(n * K * sizeof *out->ci_high);
    if (!out->name || !out->factor || !out->param || !out->values || !out->probability ||
        !out->ci_low || !out->ci_high)
        return TY_ERR_NOMEM;
    memcpy(out->values, sw->values, n * sizeof *out->values);
    for (size_t i = 0; i < n; i++) {
        char label[64];
        snprintf(label, sizeof label, "%s %zu/%zu", sw->name, i + 1, n);
        runner_progress(o, label);
        ty_run_options ro = o->run;
        ro.sink = NULL;
        ty_run_result r;
        ty_status st = ty_run_scenario(sw->points[i], sw->name, &ro, &r, diag);
        if (st == TY_OK)
            for (size_t k = 0; k < K; k++) {
                out->probability[i * K + k] = r.outcomes[k].probability;
                out->ci_low[i * K + k] = r.outcomes[k].ci_low;
                out->ci_high[i * K + k] = r.outcomes[k].ci_high;
            }
        ty_run_result_clear(&r);
        if (st != TY_OK) return st;
    }
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
    if (o.nsets) {
        fprintf(stderr, "tyche batch: --set applies to 'tyche run'; put overrides in the batch's variants\n");
        rc = EXIT_USAGE;
        goto out;
    }
    out_path = runner_output_path(&o, ty_batch_name(b));
    if (!out_path) { rc = EXIT_RUNTIME; goto out; }
    st = runner_create_file(&o, out_path, &file, diag);
    if (st != TY_OK) goto fail;

    size_t nv = ty_batch_nvariants(b), ns = ty_batch_nsweeps(b);
    res = calloc(1, sizeof *res);
    if (!res || !(res->runs = calloc(nv ? nv : 1, sizeof *res->runs)) ||
        !(res->sweeps = calloc(ns ? ns : 1, sizeof *res->sweeps))) { st = TY_ERR_NOMEM; goto fail; }
    ty_status run_st = TY_OK;
    runner_sink sc = {file, diag};
    for (size_t v = 0; v < nv && run_st == TY_OK; v++) {
        const ty_variant *var = ty_batch_variant(b, v);
        ty_run_options ro = o.run;
        if (o.save_samples) {
            st = runner_begin_samples(file, var->scenario, var->name, diag);
            if (st != TY_OK) goto fail;
            ro.sink = runner_append_samples;
            ro.sink_ctx = &sc;
        }
        runner_progress(&o, var->name);
        ro.progress = o.run.progress;
        ro.progress_ctx = o.run.progress_ctx;
        run_st = ty_run_scenario(var->scenario, var->name, &ro, &res->runs[v], diag);
        res->nruns = v + 1;
        if (var->label && !(res->runs[v].label = strdup(var->label))) run_st = TY_ERR_NOMEM;
        if (run_st != TY_OK && run_st != TY_ERR_INTERRUPTED) { st = run_st; goto fail; }
    }
    /* Differences from the baseline (the variant named "baseline", else the
     * first), paired block by block thanks to common random numbers. */
    if (run_st == TY_OK && res->nruns > 1) {
        size_t base = 0;
        for (size_t v = 0; v < res->nruns; v++)
            if (strcmp(res->runs[v].variant, "baseline") == 0) base = v;
        for (size_t v = 0; v < res->nruns; v++)
            if (v != base && ty_run_difference(&res->runs[v], &res->runs[base]) == TY_ERR_NOMEM) {
                st = TY_ERR_NOMEM;
                goto fail;
            }
    }
    for (size_t w = 0; w < ns && run_st == TY_OK; w++) {
        res->nsweeps = w + 1;
        run_st = run_sweep(ty_batch_sweep(b, w), &o, &res->sweeps[w], diag);
        if (run_st == TY_ERR_INTERRUPTED) res->nsweeps = w;   /* a partial sweep is dropped */
        else if (run_st != TY_OK) { st = run_st; goto fail; }
    }
    const ty_scenario *base = ty_batch_base(b);
    if (runner_fill_meta(res, argc + 1, argv - 1) != 0) { st = TY_ERR_NOMEM; goto fail; }
    res->scenario_name = strdup(ty_scenario_name(base));
    res->scenario_title = ty_scenario_title(base) ? strdup(ty_scenario_title(base)) : NULL;
    res->scenario_source = ty_scenario_source(base) ? strdup(ty_scenario_source(base)) : NULL;
    res->source_text = strdup(ty_scenario_text(base));
    res->batch_text = strdup(ty_batch_text(b));
    res->complete = run_st == TY_OK;
    if (!res->scenario_name || !res->source_text || !res->batch_text) { st = TY_ERR_NOMEM; goto fail; }
    st = ty_result_file_finish(file, res, diag);
    file = NULL;
    if (st != TY_OK) goto fail;
    if (o.json) cli_print_results_json(res, stdout);
    else cli_print_results(res, stdout);
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
