/* forecast.c - libtyche from C: load a scenario, change one factor, run it,
 * print each outcome's probability with its 95% interval, and write the
 * result file that `tyche show` and tyche-plot read.
 *
 * Build against an installed tyche (docs/library.md):
 *   cc forecast.c $(pkg-config --cflags --libs tyche) -o forecast
 * Run:
 *   ./forecast /usr/share/tyche/scenarios/ukraine-2014.yaml forecast.h5 */
#include <stdio.h>
#include <stdlib.h>

#include <tyche/tyche.h>

/* Every diagnostic as the command prints it: FILE:LINE:COL: error: MESSAGE. */
static void print_diags(const ty_diag *diag)
{
    for (size_t i = 0; i < ty_diag_count(diag); i++) {
        const ty_diag_entry *e = ty_diag_get(diag, i);
        const char *sev = e->severity == TY_SEV_ERROR ? "error" : e->severity == TY_SEV_WARNING ? "warning" : "note";
        if (e->file && e->line > 0) fprintf(stderr, "%s:%d:%d: ", e->file, e->line, e->col);
        else if (e->file) fprintf(stderr, "%s: ", e->file);
        fprintf(stderr, "%s: %s\n", sev, e->message);
        if (e->hint) fprintf(stderr, "  hint: %s\n", e->hint);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: forecast SCENARIO.yaml RESULT.h5\n");
        return 2;
    }
    ty_io_setup();                       /* before any other HDF5 use */
    ty_diag *diag = ty_diag_new(20);
    ty_scenario *s = NULL;
    ty_results *res = calloc(1, sizeof *res);
    int rc = 1;
    if (!diag || !res || !(res->runs = calloc(1, sizeof *res->runs))) goto out;
    res->nruns = 1;

    ty_status st = ty_scenario_load(argv[1], &s, diag);
    if (st != TY_OK) { rc = 3; goto fail; }
    printf("%s (tyche %s)\n", ty_scenario_name(s), ty_version());

    ty_run_options opt = {0};            /* zero: the scenario's own settings */
    opt.samples = 200000;
    opt.has_seed = 1;
    opt.seed = 2014;
    st = ty_run_scenario(s, "baseline", &opt, &res->runs[0], diag);
    if (st != TY_OK) goto fail;

    const ty_run_result *run = &res->runs[0];
    for (size_t k = 0; k < run->noutcomes; k++)
        printf("  %-16s %6.2f%%  [%5.2f, %5.2f]\n", run->outcome_names[k], 100 * run->outcomes[k].probability,
               100 * run->outcomes[k].ci_low, 100 * run->outcomes[k].ci_high);

    res->complete = 1;
    if ((st = ty_run_describe(res, s)) != TY_OK) goto fail;
    if ((st = ty_results_write(res, argv[2], NULL, diag)) != TY_OK) goto fail;
    printf("wrote %s\n", argv[2]);
    rc = 0;
    goto out;
fail:
    print_diags(diag);
out:
    ty_results_free(res);
    ty_scenario_free(s);
    ty_diag_free(diag);
    return rc;
}
