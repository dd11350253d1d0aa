/* cmd_check.c - `tyche check FILE`: validates a scenario or batch file and
 * prints what it defines; errors as FILE:LINE:COL, exit 3. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "tyche/batch.h"
#include "tyche/scenario.h"

static void print_factor_line(const ty_factor *f)
{
    char desc[512];
    ty_dist_describe(f->dist, desc, sizeof desc);
    printf("  %-18s %s", f->name, desc);
    if (f->unit) printf("  [%s]", f->unit);
    printf("\n");
    if (f->label) printf("  %-18s %s\n", "", f->label);
}

/* One observation as tyche check lists it, after its name. */
static void describe_observation(const ty_observation *o, char *buf, size_t size)
{
    if (o->kind == TY_OBS_READING)
        snprintf(buf, size, "reading of %s = %g, %s%s", o->of, o->value, o->error_text ? "error " : "exact",
                 o->error_text ? o->error_text : "");
    else
        snprintf(buf, size, "%s %s", ty_observation_kind_name(o->kind), o->expr_text);
}

/* What the scenario observed: each reading, fact and log-likelihood. */
static void print_observations(const ty_scenario *s)
{
    if (ty_scenario_nobservations(s)) printf("\nobservations (%zu):\n", ty_scenario_nobservations(s));
    for (size_t i = 0; i < ty_scenario_nobservations(s); i++) {
        const ty_observation *o = ty_scenario_observation(s, i);
        char d[512];
        describe_observation(o, d, sizeof d);
        printf("  %-18s %s", o->name, d);
        if (o->label) printf("  (%s)", o->label);
        printf("\n");
    }
}

static void print_scenario(const ty_scenario *s)
{
    const ty_run_settings *r = ty_scenario_run(s);
    printf("scenario %s\n", ty_scenario_name(s));
    if (ty_scenario_title(s)) printf("  title:   %s\n", ty_scenario_title(s));
    if (ty_scenario_source(s)) printf("  source:  %s\n", ty_scenario_source(s));
    if (ty_scenario_horizon(s)) printf("  horizon: %s\n", ty_scenario_horizon(s));
    printf("  run:     samples=%llu seed=%llu sampling=%s", (unsigned long long)r->samples,
           (unsigned long long)r->seed, r->sampling == TY_SAMPLING_LHS ? "lhs" : "random");
    if (r->target_halfwidth > 0) printf(" target_halfwidth=%g", r->target_halfwidth);
    if (r->max_samples) printf(" max_samples=%llu", (unsigned long long)r->max_samples);
    printf("\n\nfactors (%zu):\n", ty_scenario_nfactors(s));
    for (size_t i = 0; i < ty_scenario_nfactors(s); i++) print_factor_line(ty_scenario_factor(s, i));
    if (ty_scenario_ncorrelations(s)) {
        printf("\ncorrelations (Spearman, %zu):\n", ty_scenario_ncorrelations(s));
        for (size_t i = 0; i < ty_scenario_ncorrelations(s); i++) {
            const ty_correlation *c = ty_scenario_correlation(s, i);
            printf("  %s ~ %s: %g\n", ty_scenario_factor(s, (size_t)c->a)->name,
                   ty_scenario_factor(s, (size_t)c->b)->name, c->rank);
        }
    }
    if (ty_scenario_nderived(s)) {
        printf("\nderived (%zu):\n", ty_scenario_nderived(s));
        for (size_t i = 0; i < ty_scenario_nderived(s); i++) {
            const ty_derived *d = ty_scenario_derived(s, i);
            printf("  %-18s = %s", d->name, d->expr_text);
            if (d->unit) printf("  [%s]", d->unit);
            if (d->has_bounds) printf("  bounds [%g, %g]", d->lo, d->hi);
            printf("\n");
            if (d->label) printf("  %-18s %s\n", "", d->label);
        }
    }
    const ty_time *tm = ty_scenario_time(s);
    if (tm) {
        printf("\ntime: %llu steps%s%s\n", (unsigned long long)tm->steps, tm->unit ? " of a " : "",
               tm->unit ? tm->unit : "");
        if (ty_scenario_nshocks(s)) printf("\nshocks (%zu):\n", ty_scenario_nshocks(s));
        for (size_t i = 0; i < ty_scenario_nshocks(s); i++)
            printf("  %-18s %s\n", ty_scenario_shock(s, i)->name, ty_scenario_shock(s, i)->dist_text);
        if (ty_scenario_nstates(s)) printf("\nstate (%zu, updated in this order):\n", ty_scenario_nstates(s));
        for (size_t i = 0; i < ty_scenario_nstates(s); i++) {
            const ty_state *st = ty_scenario_state(s, i);
            printf("  %-18s init %s\n  %-18s next %s", st->name, st->init_text, "", st->next_text);
            if (st->unit) printf("  [%s]", st->unit);
            printf("\n");
            if (st->label) printf("  %-18s %s\n", "", st->label);
        }
    }
    ty_outcome_model model = ty_scenario_model(s);
    int logit = model == TY_OUTCOME_LOGIT;
    printf("\noutcomes (%zu, model %s):\n", ty_scenario_noutcomes(s),
           logit ? "logit" : model == TY_OUTCOME_EVENTS ? "events" : "rules");
    for (size_t i = 0; i < ty_scenario_noutcomes(s); i++) {
        const ty_outcome *o = ty_scenario_outcome(s, i);
        if (o->otherwise) printf("  %-18s otherwise", o->name);
        else printf("  %-18s %s %s", o->name, logit ? "score" : model == TY_OUTCOME_EVENTS ? "hazard" : "when ",
                    o->expr_text);
        if (o->label) printf("  (%s)", o->label);
        printf("\n");
    }
    if (ty_scenario_nqueries(s)) printf("\nqueries (%zu):\n", ty_scenario_nqueries(s));
    for (size_t i = 0; i < ty_scenario_nqueries(s); i++) {
        const ty_query *q = ty_scenario_query(s, i);
        printf("  %-18s %s %s", q->name, ty_query_kind_name(q->kind), q->expr_text);
        if (q->given_text) printf("  given %s", q->given_text);
        if (q->label) printf("  (%s)", q->label);
        printf("\n");
    }
    print_observations(s);
}

/* A variant's observations that differ from the scenario's: dropped,
 * changed, added. 1 when any. */
static int print_observation_changes(const ty_scenario *s, const ty_scenario *base)
{
    int changed = 0;
    char d1[512], d2[512];
    for (size_t i = 0; i < ty_scenario_nobservations(base); i++) {
        const ty_observation *o0 = ty_scenario_observation(base, i), *o = NULL;
        for (size_t j = 0; j < ty_scenario_nobservations(s) && !o; j++)
            if (strcmp(ty_scenario_observation(s, j)->name, o0->name) == 0) o = ty_scenario_observation(s, j);
        if (!o) { printf("    observation %-12s dropped\n", o0->name); changed = 1; continue; }
        describe_observation(o, d1, sizeof d1);
        describe_observation(o0, d2, sizeof d2);
        if (strcmp(d1, d2) != 0) { printf("    observation %-12s %s\n", o->name, d1); changed = 1; }
    }
    for (size_t j = 0; j < ty_scenario_nobservations(s); j++) {
        const ty_observation *o = ty_scenario_observation(s, j);
        int known = 0;
        for (size_t i = 0; i < ty_scenario_nobservations(base) && !known; i++)
            known = strcmp(ty_scenario_observation(base, i)->name, o->name) == 0;
        if (known) continue;
        describe_observation(o, d1, sizeof d1);
        printf("    observation %-12s %s (added)\n", o->name, d1);
        changed = 1;
    }
    return changed;
}

static void print_batch(const ty_batch *b)
{
    printf("batch %s over scenario %s (%s)\n", ty_batch_name(b),
           ty_scenario_name(ty_batch_base(b)), ty_scenario_path(ty_batch_base(b)));
    printf("\nvariants (%zu):\n", ty_batch_nvariants(b));
    for (size_t v = 0; v < ty_batch_nvariants(b); v++) {
        const ty_variant *var = ty_batch_variant(b, v);
        printf("\n- %s%s%s%s\n", var->name, var->label ? " (" : "", var->label ? var->label : "",
               var->label ? ")" : "");
        const ty_scenario *s = var->scenario, *base = ty_batch_base(b);
        int changed = 0;
        for (size_t i = 0; i < ty_scenario_nfactors(s); i++) {
            char d1[512], d2[512];
            ty_dist_describe(ty_scenario_factor(s, i)->dist, d1, sizeof d1);
            ty_dist_describe(ty_scenario_factor(base, i)->dist, d2, sizeof d2);
            if (strcmp(d1, d2) != 0) { printf("    factor  %-16s %s\n", ty_scenario_factor(s, i)->name, d1); changed = 1; }
        }
        for (size_t i = 0; i < ty_scenario_nderived(s); i++)
            if (strcmp(ty_scenario_derived(s, i)->expr_text, ty_scenario_derived(base, i)->expr_text) != 0) {
                printf("    derived %-16s = %s\n", ty_scenario_derived(s, i)->name, ty_scenario_derived(s, i)->expr_text);
                changed = 1;
            }
        changed |= print_observation_changes(s, base);
        const ty_run_settings *r = ty_scenario_run(s), *r0 = ty_scenario_run(base);
        if (memcmp(r, r0, sizeof *r) != 0) {
            printf("    run     samples=%llu seed=%llu\n", (unsigned long long)r->samples, (unsigned long long)r->seed);
            changed = 1;
        }
        if (!changed) printf("    (the scenario as written)\n");
    }
    if (ty_batch_nsweeps(b)) printf("\nsweeps (%zu):\n", ty_batch_nsweeps(b));
    for (size_t w = 0; w < ty_batch_nsweeps(b); w++) {
        const ty_sweep *sw = ty_batch_sweep(b, w);
        printf("\n- %s: %s.%s over %zu points:", sw->name, sw->factor, sw->param, sw->npoints);
        for (size_t p = 0; p < sw->npoints; p++) printf("%s%g", p ? ", " : " ", sw->values[p]);
        printf("\n");
    }
}

int cmd_check(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("check", "unknown option '%s'", argv[i]);
        if (path) return cli_usage_error("check", "one file at a time ('%s' and '%s')", path, argv[i]);
        path = argv[i];
    }
    if (!path) return cli_usage_error("check", "missing FILE.yaml");

    ty_diag *diag = ty_diag_new(20);
    if (!diag) { fprintf(stderr, "tyche check: out of memory\n"); return EXIT_RUNTIME; }
    ty_batch *batch = NULL;
    ty_scenario *scenario = NULL;
    int is_batch = 0;
    ty_input in;   /* read once: a pipe or FIFO has no second read */
    ty_status st = ty_input_read(path, &in, diag);
    if (st == TY_OK) st = ty_batch_sniff_input(&in, &is_batch, diag);
    if (st == TY_OK)
        st = is_batch ? ty_batch_load_input(&in, &batch, diag) : ty_scenario_load_input(&in, &scenario, diag);
    ty_input_clear(&in);
    int rc = EXIT_OK;
    if (st == TY_OK) {
        if (batch) print_batch(batch);
        else print_scenario(scenario);
        cli_print_warnings(&diag, 1);   /* after the listing, where they are seen; exit 0 */
    } else {
        cli_print_diags(diag);
        rc = st == TY_ERR_INVALID || st == TY_ERR_LIMIT ? EXIT_INVALID
           : st == TY_ERR_INTERRUPTED ? EXIT_INTERRUPTED : EXIT_RUNTIME;
        if (st == TY_ERR_NOMEM && !cli_diags_say_oom(diag)) fprintf(stderr, "tyche check: out of memory\n");
    }
    ty_batch_free(batch);
    ty_scenario_free(scenario);
    ty_diag_free(diag);
    return rc;
}
