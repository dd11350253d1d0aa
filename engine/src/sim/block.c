/* block.c - sampling and evaluating one block of a scenario (block.h). */
#include "block.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tyche/dist.h"
#include "stats/estimate.h"
#include "tyche/rng.h"

#define B TY_RUN_BLOCK

ty_status block_plan_init(block_plan *p, const ty_scenario *s, ty_sampling sampling, int use_corr,
                          ty_diag *diag)
{
    memset(p, 0, sizeof *p);
    p->s = s;
    p->prog = ty_scenario_program(s);
    p->F = ty_scenario_nfactors(s);
    p->D = ty_scenario_nderived(s);
    p->K = ty_scenario_noutcomes(s);
    p->sampling = sampling;
    p->cells = TY_RUN_BLOCK / TY_RUN_CELL;
    p->corr_hash = ty_rng_hash_name("#copula");         /* '#' cannot start a factor name */
    p->hash = malloc((p->F + 1) * sizeof *p->hash);
    p->dists = malloc((p->F + 1) * sizeof *p->dists);
    p->copula = calloc(p->F + 1, 1);
    if (!p->hash || !p->dists || !p->copula) return TY_ERR_NOMEM;
    for (size_t f = 0; f < p->F; f++) {
        p->hash[f] = ty_rng_hash_name(ty_scenario_factor(s, f)->name);
        p->dists[f] = ty_scenario_factor(s, f)->dist;
    }
    ty_status st = use_corr ? corr_plan_new(ty_scenario_copula(s), &p->corr) : TY_OK;
    if (st == TY_ERR_INVALID)
        ty_diag_add(diag, TY_SEV_ERROR, &ty_scenario_correlation(s, 0)->pos,
                    "the correlations are inconsistent: their matrix is not positive definite");
    for (size_t f = 0; f < p->F; f++) p->copula[f] = (unsigned char)corr_has_factor(p->corr, f);
    if (st == TY_OK && ty_scenario_time(s)) {
        if (!(p->paths = malloc(sizeof *p->paths))) return TY_ERR_NOMEM;
        st = paths_plan_init(p->paths, s);
    }
    return st;
}

void block_plan_clear(block_plan *p)
{
    free(p->hash);
    free(p->dists);
    free(p->copula);
    corr_plan_free(p->corr);
    if (p->paths) paths_plan_clear(p->paths);
    free(p->paths);
    memset(p, 0, sizeof *p);
}

void block_ws_clear(block_ws *w)
{
    free(w->cols);
    free(w->fcol);
    free(w->dcol);
    free(w->ocol);
    ty_vm_scratch_free(w->vm);
    corr_work_free(w->cw);
    free(w->u);
    free(w->perm);
    free(w->inputs);
    free(w->qcol);
    free(w->gcol);
    free(w->lw);
    free(w->otmp);
    free(w->held);
    if (w->pw) paths_ws_clear(w->pw);
    free(w->pw);
    if (w->qvm)
        for (size_t i = 0; w->qvm[i]; i++) ty_vm_scratch_free(w->qvm[i]);
    free(w->qvm);
    memset(w, 0, sizeof *w);
}

int block_ws_init(block_ws *w, const block_plan *p)
{
    memset(w, 0, sizeof *w);
    size_t ncols = p->F + p->D + p->K, nq = 0;
    for (size_t q = 0; q < p->Q; q++) nq += 1 + (ty_scenario_query(p->s, q)->given != NULL);
    w->cols = malloc((ncols + nq) * B * sizeof *w->cols);
    w->inputs = malloc((ncols + 1) * sizeof *w->inputs);
    w->qcol = calloc(p->Q + 1, sizeof *w->qcol);
    w->gcol = calloc(p->Q + 1, sizeof *w->gcol);
    w->qvm = calloc(2 * p->Q + p->O + 1, sizeof *w->qvm);   /* NULL-terminated */
    w->qfault.query = w->qfault.observation = -1;
    w->lw = malloc(B * sizeof *w->lw);
    w->otmp = malloc(B * sizeof *w->otmp);
    w->held = calloc(p->O + 1, sizeof *w->held);
    if (!w->cols || !w->inputs || !w->qcol || !w->gcol || !w->qvm || !w->lw || !w->otmp || !w->held) return -1;
    for (size_t i = 0; i < ncols; i++) w->inputs[i] = w->cols + i * B;
    size_t next = ncols, nvm = 0;
    for (size_t q = 0; q < p->Q; q++) {
        const ty_query *qy = ty_scenario_query(p->s, q);
        w->qcol[q] = w->cols + next++ * B;
        if (!(w->qvm[nvm++] = ty_vm_scratch_new(qy->value))) return -1;
        if (qy->given) {
            w->gcol[q] = w->cols + next++ * B;
            if (!(w->qvm[nvm++] = ty_vm_scratch_new(qy->given))) return -1;
        }
    }
    for (size_t o = 0; o < p->O; o++) {
        const ty_observation *ob = ty_scenario_observation(p->s, o);
        if (ob->prog && !(w->qvm[nvm++] = ty_vm_scratch_new(ob->prog))) return -1;
    }
    w->fcol = malloc((p->F + 1) * sizeof *w->fcol);
    w->dcol = malloc((p->D + 1) * sizeof *w->dcol);
    w->ocol = malloc((p->K + 1) * sizeof *w->ocol);
    w->vm = ty_vm_scratch_new(p->prog);
    w->u = malloc(B * sizeof *w->u);
    w->perm = malloc(B * sizeof *w->perm);
    if (p->corr) w->cw = corr_work_new(p->corr, B);
    if (!w->cols || !w->fcol || !w->dcol || !w->ocol || !w->vm || !w->u || !w->perm || (p->corr && !w->cw))
        return -1;
    for (size_t f = 0; f < p->F; f++) w->fcol[f] = w->cols + f * B;
    for (size_t d = 0; d < p->D; d++) w->dcol[d] = w->cols + (p->F + d) * B;
    for (size_t k = 0; k < p->K; k++) w->ocol[k] = w->cols + (p->F + p->D + k) * B;
    if (p->paths && (!(w->pw = malloc(sizeof *w->pw)) || paths_ws_init(w->pw, p->paths) != 0)) return -1;
    return 0;
}

size_t block_cells_for(uint64_t n)
{
    return n >= 8192 ? 8 : n >= 4096 ? 16 : n >= 2048 ? 32 : BLOCK_MAX_CELLS;
}

size_t block_ncells(const block_plan *p, uint64_t b, size_t n)
{
    size_t c = (n * p->cells + TY_RUN_BLOCK - 1) / TY_RUN_BLOCK;
    if (b == 0 && n < TY_RUN_BLOCK && c < 8) c = 8;
    if (c > n) c = n;
    return c ? c : 1;
}

/* Latin hypercube, one design per cell: stratum perm[i] of the cell's m, a
 * uniform point in it, then the quantile (M. D. McKay, R. J. Beckman,
 * W. J. Conover, Technometrics 21(2), 1979, 239-245). Independent cells are
 * what lets a run measure its own error (replicated Latin hypercube,
 * R. L. Iman 1981): each cell is one unit of the standard error. */
static void lhs_fill(const block_plan *p, const ty_dist *d, ty_rng *rng, block_ws *w, uint64_t b,
                     double *col, size_t n)
{
    size_t c = block_ncells(p, b, n);
    for (size_t k = 0; k < c; k++) {
        size_t c0 = k * n / c, m = (k + 1) * n / c - c0;
        uint32_t *perm = w->perm + c0;
        for (size_t i = 0; i < m; i++) perm[i] = (uint32_t)i;
        for (size_t i = m - 1; i > 0; i--) {
            size_t j = (size_t)ty_rng_bounded(rng, (uint64_t)i + 1);
            uint32_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (size_t i = 0; i < m; i++)
            w->u[c0 + i] = ((double)perm[i] + ty_rng_uniform_pos(rng)) / (double)m;
    }
    ty_dist_quantile_block(d, w->u, col, n);
}

void block_sample(const block_plan *p, block_ws *w, uint64_t seed, uint64_t b, size_t n)
{
    w->seed = seed;
    w->block = b;
    for (size_t f = 0; f < p->F; f++) {
        if (p->copula[f]) continue;
        ty_rng rng;
        ty_rng_for_block(&rng, seed, b, p->hash[f]);
        if (p->sampling == TY_SAMPLING_LHS) lhs_fill(p, p->dists[f], &rng, w, b, w->fcol[f], n);
        else ty_dist_sample(p->dists[f], &rng, w->fcol[f], n);
    }
    if (p->corr) {
        ty_rng rng;
        ty_rng_for_block(&rng, seed, b, p->corr_hash);
        corr_fill(p->corr, w->cw, &rng, p->dists, w->fcol, n);
    }
}

/* The first sample of x[0..n) outside what a query allows (probability:
 * [0, 1] within 1e-9, the ends taken for such values; else finite), or n. */
static size_t query_check(double *x, size_t n, int probability)
{
    if (!probability) {
        for (size_t i = 0; i < n; i++)
            if (!isfinite(x[i])) return i;
        return n;
    }
    /* A vectorisable pass (a value out of range is rare), then its index. */
    int out = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        int in = v >= -1e-9 && v <= 1 + 1e-9;
        out |= !in;
        x[i] = !in ? v : v < 0 ? 0.0 : v > 1 ? 1.0 : v;   /* a bad value kept for the message */
    }
    for (size_t i = 0; out && i < n; i++)
        if (!(x[i] >= 0 && x[i] <= 1)) return i;
    return n;
}

/* The queries' columns; the lowest faulty sample (then the lowest query)
 * into w->qfault. */
static ty_status eval_queries(const block_plan *p, block_ws *w, size_t n, size_t *bad)
{
    w->qfault.query = w->qfault.observation = -1;
    size_t first = n, nvm = 0;
    for (size_t q = 0; q < p->Q; q++) {
        const ty_query *qy = ty_scenario_query(p->s, q);
        for (int g = 0; g < 2; g++) {
            const ty_program *prog = g ? qy->given : qy->value;
            if (!prog) continue;
            double *col = g ? w->gcol[q] : w->qcol[q];
            /* Derived values are not checked by the program: never a fault. */
            (void)ty_program_run(prog, w->qvm[nvm++], n, w->inputs, &col, NULL, NULL);
            size_t i = query_check(col, n, g || qy->kind == 0);
            if (i < first) {
                first = i;
                w->qfault = (block_query_fault){(int)q, -1, g, col[i], i};
            }
        }
    }
    if (first == n) return TY_OK;
    *bad = first;
    return TY_ERR_INVALID;
}

/* A reading's log-likelihood for true values x[0..n), added to lw: the
 * error's log density at what was read. NaN x: a fault (returns its index),
 * else n. */
static size_t reading_loglik(const ty_observation *ob, const double *x, double *lw, size_t n)
{
    const double LOG_SQRT_2PI = 0.91893853320467274178;
    const double *q = ob->error_param;
    double v = ob->value;
    switch (ob->error) {
    case TY_OBS_ERROR_EXACT:
        for (size_t i = 0; i < n; i++) lw[i] += x[i] == v ? 0.0 : -INFINITY;
        break;
    case TY_OBS_ERROR_NORMAL: {
        double inv = 1 / q[1], c = -log(q[1]) - LOG_SQRT_2PI;
        for (size_t i = 0; i < n; i++) {
            double z = (v - x[i] - q[0]) * inv;
            lw[i] += c - 0.5 * z * z;
        }
        break;
    }
    case TY_OBS_ERROR_STUDENT_T: {
        double df = q[0], inv = 1 / q[2];
        double c = lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * M_PI) - log(q[2]);
        for (size_t i = 0; i < n; i++) {
            double z = (v - x[i] - q[1]) * inv;
            lw[i] += c - (df + 1) / 2 * log1p(z * z / df);
        }
        break;
    }
    case TY_OBS_ERROR_LOGNORMAL: {
        /* reading = x e, log e ~ N(mu, sigma): the density of the reading,
         * 1/reading of the log's; x <= 0 cannot give a positive reading. */
        double lv = log(v), inv = 1 / q[1], c = -log(q[1]) - LOG_SQRT_2PI - lv;
        for (size_t i = 0; i < n; i++) {
            double z = (lv - log(x[i]) - q[0]) * inv;
            lw[i] += x[i] > 0 ? c - 0.5 * z * z : -INFINITY;
        }
        break;
    }
    }
    /* NaN true values: rare, so a flag first (vectorised), the index after. */
    int nan = 0;
    for (size_t i = 0; i < n; i++) nan |= x[i] != x[i];
    for (size_t i = 0; nan && i < n; i++)
        if (x[i] != x[i]) return i;
    return n;
}

/* The observations' log-likelihoods summed into w->lw, the `when`s' counts
 * into w->held and w->accepted; the lowest faulty sample into w->qfault. */
static ty_status eval_observations(const block_plan *p, block_ws *w, size_t n, size_t *bad)
{
    size_t first = n, nvm = 0;
    for (size_t i = 0; i < n; i++) w->lw[i] = 0, w->u[i] = 1;
    for (size_t q = 0; q < p->Q; q++) nvm += 1 + (ty_scenario_query(p->s, q)->given != NULL);
    int any_when = 0;
    for (size_t o = 0; o < p->O; o++) {
        const ty_observation *ob = ty_scenario_observation(p->s, o);
        size_t f = n;
        w->held[o] = 0;
        if (ob->kind == TY_OBS_READING) {
            f = reading_loglik(ob, w->inputs[ob->of_column], w->lw, n);
        } else {
            double *col = w->otmp;
            (void)ty_program_run(ob->prog, w->qvm[nvm++], n, w->inputs, &col, NULL, NULL);
            if (ob->kind == TY_OBS_WHEN) {
                /* A fact's probability in each world: 0 or 1, or in between. */
                f = query_check(col, n, 1);
                uint32_t between = 0;
                /* Facts are mostly 0 or 1: a vectorisable pass, then the
                 * logs of the values in between, if any. */
                for (size_t i = 0; i < f; i++) {
                    double v = col[i];
                    between += v > 0 && v < 1;
                    w->u[i] = v > 0 ? w->u[i] : 0.0;
                    w->lw[i] += v > 0 ? 0.0 : -INFINITY;
                }
                for (size_t i = 0; between && i < f; i++)
                    if (col[i] > 0 && col[i] < 1) w->lw[i] += log(col[i]);
                w->held[o] = stats_finite_sum(col, f, NULL);
                any_when = 1;
            } else {
                int faulty = 0;
                for (size_t i = 0; i < n; i++) {
                    double v = col[i];
                    faulty |= v != v || v == INFINITY;
                    w->lw[i] += v;
                }
                for (size_t i = 0; faulty && i < n && f == n; i++)
                    if (col[i] != col[i] || col[i] == INFINITY) f = i;
            }
        }
        if (f < first) {
            first = f;
            double v = ob->kind == TY_OBS_READING ? w->inputs[ob->of_column][f] : w->otmp[f];
            w->qfault = (block_query_fault){-1, (int)o, 0, v, f};
        }
    }
    if (first < n) {
        *bad = first;
        return TY_ERR_INVALID;
    }
    /* Accepted: every `when` held (w->u, free after sampling, holds the
     * flags). A reading's or loglik's -inf is a weight of 0, not a fact. */
    uint32_t acc = (uint32_t)n;
    if (any_when) {
        acc = 0;
        for (size_t i = 0; i < n; i++) acc += w->u[i] > 0;
    }
    w->accepted = acc;
    return TY_OK;
}

ty_status block_eval(const block_plan *p, block_ws *w, size_t n, size_t *bad)
{
    size_t bad_i = 0;
    ty_status st = ty_program_run(p->prog, w->vm, n, (const double *const *)w->fcol, w->dcol, w->ocol, &bad_i);
    w->qfault.query = w->qfault.observation = -1;
    if (w->pw) w->pw->fault = (paths_fault){.state = -1, .event = -1};
    if (st == TY_OK && p->paths)
        st = paths_run(p->paths, w->pw, w->seed, w->block, n, w->fcol, w->dcol, w->ocol, &bad_i);
    if (st == TY_OK && p->Q) st = eval_queries(p, w, n, &bad_i);
    if (st == TY_OK && p->O) st = eval_observations(p, w, n, &bad_i);
    if (bad) *bad = bad_i;
    return st;
}

/* The expression text for a message: whitespace runs as one space, cut to
 * about 80 characters. */
static void brief_text(const char *text, char *out, size_t size)
{
    size_t n = 0;
    int space = 0;
    for (const char *c = text ? text : ""; *c && n + 4 < size; c++) {
        if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r') { space = n > 0; continue; }
        if (space) out[n++] = ' ';
        space = 0;
        out[n++] = *c;
    }
    if (text && n + 4 >= size && size >= 4) memcpy(out + size - 4, "...", 3), n = size - 1;
    out[n] = '\0';
}

void block_report_fault(const block_plan *p, const block_ws *w, uint64_t sample, ty_diag *diag)
{
    ty_program_fault f = ty_vm_scratch_fault(w->vm);
    const block_query_fault *qf = &w->qfault;
    const paths_fault *pf = w->pw && (w->pw->fault.state >= 0 || w->pw->fault.event >= 0) ? &w->pw->fault : NULL;
    size_t at = pf ? pf->sample : qf->query >= 0 || qf->observation >= 0 ? qf->sample : f.sample;
    char vals[1024] = "";
    for (size_t c = 0; c < p->F && strlen(vals) < sizeof vals - 80; c++) {
        char one[96];
        snprintf(one, sizeof one, "%s%s=%.6g", c ? ", " : "", ty_scenario_factor(p->s, c)->name,
                 w->fcol[c][at]);
        strncat(vals, one, sizeof vals - strlen(vals) - 1);
    }
    if (pf) {
        char brief[96];
        const char *v = pf->value != pf->value ? "NaN" : pf->value > 0 ? "+infinity" : "-infinity";
        if (pf->state >= 0) {
            const ty_state *st = ty_scenario_state(p->s, (size_t)pf->state);
            brief_text(pf->init ? st->init_text : st->next_text, brief, sizeof brief);
            if (pf->init)
                ty_diag_add(diag, TY_SEV_ERROR, &st->init_pos, "the init of state '%s' (%s) is %s for sample "
                            "%llu: %s", st->name, brief, v, (unsigned long long)sample, vals);
            else
                ty_diag_add(diag, TY_SEV_ERROR, &st->next_pos, "the next value of state '%s' (%s) is %s at step "
                            "%llu for sample %llu: %s", st->name, brief, v, (unsigned long long)pf->step,
                            (unsigned long long)sample, vals);
        } else {
            const ty_outcome *o = ty_scenario_outcome(p->s, (size_t)pf->event);
            brief_text(o->expr_text, brief, sizeof brief);
            ty_diag_add(diag, TY_SEV_ERROR, &o->pos, "the hazard of outcome '%s' (%s) is %s at step %llu for "
                        "sample %llu: %s", o->name, brief, v, (unsigned long long)pf->step,
                        (unsigned long long)sample, vals);
        }
        ty_diag_hint(diag, "states and hazards must be finite on every path: guard the expression (e.g. "
                     "clamp(x, 0, 1)) or keep its inputs in its domain");
        return;
    }
    if (qf->observation >= 0) {
        const ty_observation *ob = ty_scenario_observation(p->s, (size_t)qf->observation);
        if (ob->kind == TY_OBS_READING) {
            ty_diag_add(diag, TY_SEV_ERROR, &ob->pos, "observation '%s' reads '%s', which is %.17g for "
                        "sample %llu: %s", ob->name, ob->of, qf->value, (unsigned long long)sample, vals);
            ty_diag_hint(diag, "a value read must be a number for every sample: guard the derived value's "
                         "expression");
            return;
        }
        char brief[96];
        brief_text(ob->expr_text, brief, sizeof brief);
        int when = ob->kind == TY_OBS_WHEN;
        ty_diag_add(diag, TY_SEV_ERROR, &ob->pos, "the %s of observation '%s' (%s) is %.17g for sample %llu, "
                    "%s: %s", when ? "condition" : "log-likelihood", ob->name, brief, qf->value,
                    (unsigned long long)sample, when ? "not in [0, 1]" : "not a number or -infinity", vals);
        ty_diag_hint(diag, when ? "a 'when' is a 0/1 fact (e.g. 'talks == 1') or the probability that it "
                                  "holds in each world"
                                : "a 'loglik' is a log-likelihood: finite, or -infinity where what was seen "
                                  "is impossible (e.g. 'log(0.2 + 0.6*squeeze_value)')");
        return;
    }
    if (qf->query >= 0) {
        const ty_query *qy = ty_scenario_query(p->s, (size_t)qf->query);
        int prob = qf->in_given || qy->kind == 0;
        char brief[96];
        brief_text(qf->in_given ? qy->given_text : qy->expr_text, brief, sizeof brief);
        ty_diag_add(diag, TY_SEV_ERROR, qf->in_given ? &qy->given_pos : &qy->pos,
                    "the %s of query '%s' (%s) is %.17g for sample %llu, %s: %s",
                    qf->in_given ? "condition" : prob ? "probability" : "value", qy->name, brief, qf->value,
                    (unsigned long long)sample, prob ? "not in [0, 1]" : "not a finite number", vals);
        ty_diag_hint(diag, prob ? "a probability or 'given' is a per-sample probability or a 0/1 event, "
                                  "e.g. 'invasion + showdown' or 'force_ratio > 1.5'"
                                : "guard the expression so that every sample has a finite value");
        return;
    }
    if (f.kind != TY_FAULT_NOT_FINITE) {
        ty_pos pos = ty_scenario_outcome(p->s, p->K - 1)->name_pos;
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "sample %llu matches no rule and there is no "
                    "'otherwise': %s", (unsigned long long)sample, vals);
        ty_diag_hint(diag, "add a last outcome with 'otherwise: true', or widen the rules");
        return;
    }
    const char *what, *name, *text;
    ty_pos pos;
    if (f.def < p->D) {
        const ty_derived *d = ty_scenario_derived(p->s, f.def);
        what = "derived value";
        name = d->name;
        text = d->expr_text;
        pos = d->pos;
    } else {
        const ty_outcome *o = ty_scenario_outcome(p->s, f.def - p->D);
        what = ty_scenario_model(p->s) == TY_OUTCOME_LOGIT ? "score of outcome" : "condition of outcome";
        name = o->name;
        text = o->expr_text;
        pos = o->pos;
    }
    char brief[96];
    brief_text(text, brief, sizeof brief);
    ty_diag_add(diag, TY_SEV_ERROR, &pos, "the %s '%s' (%s) is %s for sample %llu: %s", what, name,
                brief, f.value != f.value ? "NaN" : f.value > 0 ? "+infinity" : "-infinity",
                (unsigned long long)sample, vals);
    ty_diag_hint(diag, "scores and conditions must be finite for every sample: guard the "
                 "expression (e.g. 'x > 0 ? log(x) : -10') or keep the factors in its domain");
}
