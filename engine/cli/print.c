/* print.c - results on stdout: a readable table per variant and per sweep,
 * or one JSON document (the README's 'Using tyche'). Only formats; reads nothing. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A probability as a percentage with enough digits to show small ones. */
static void fmt_pct(char *buf, size_t size, double p)
{
    double v = p * 100.0;
    if (!isfinite(v)) snprintf(buf, size, "n/a");
    else if (v == 0.0) snprintf(buf, size, "0%%");
    else if (fabs(v) >= 0.1 && fabs(v) < 1000.0) snprintf(buf, size, "%.2f%%", v);
    else snprintf(buf, size, "%.3g%%", v);
}

static const char *sweep_outcome(const ty_results *r, const ty_sweep_result *s, size_t k,
                                 char *buf, size_t size)
{
    if (s->outcome_names) return s->outcome_names[k];
    if (r->nruns > 0 && r->runs[0].noutcomes == s->noutcomes) return r->runs[0].outcome_names[k];
    snprintf(buf, size, "outcome %zu", k + 1);
    return buf;
}

static void print_sensitivity(const ty_sensitivity *s, FILE *out);

/* A target's value: a percentage for outcomes, else 4 significant digits. */
static void fmt_val(char *buf, size_t size, double v, int pct, int sign)
{
    if (!isfinite(v)) snprintf(buf, size, "n/a");
    else if (pct) snprintf(buf, size, sign ? "%+.2f%%" : "%.2f%%", 100 * v);
    else snprintf(buf, size, sign ? "%+.4g" : "%.4g", v);
}

/* A probability in % to about two significant digits, for the spread,
 * which is read as a range, not to the last digit: 1.0%, 24%, 0.052%. */
static void fmt_pct2(char *buf, size_t size, double p)
{
    double v = p * 100.0;
    if (!isfinite(v)) snprintf(buf, size, "n/a");
    else if (v == 0.0) snprintf(buf, size, "0%%");
    else if (fabs(v) >= 9.95) snprintf(buf, size, "%.0f%%", v);
    else if (fabs(v) >= 0.995) snprintf(buf, size, "%.1f%%", v);
    else snprintf(buf, size, "%.2g%%", v);
}

/* A value of a mean or quantile query: %.4g, n/a when not finite. */
static void fmt_num(char *buf, size_t size, double v)
{
    if (!isfinite(v)) snprintf(buf, size, "n/a");
    else snprintf(buf, size, "%.4g", v);
}

/* Each outcome's spread across the sampled worlds (5th to 95th percentile
 * of its per-sample probability), apart from the table of estimates, whose
 * 95% interval is only Monte Carlo error; the last line says which is which. */
static void print_spread(const ty_run_result *run, int w, FILE *out)
{
    fprintf(out, "\n  %-*s spread of the probability across the sampled worlds\n", w, "outcome");
    for (size_t k = 0; k < run->noutcomes; k++) {
        const double *s = run->spread + k * TY_SPREAD_NLEVELS;
        char lo[32], mid[32], hi[32];
        fmt_pct2(lo, sizeof lo, s[0]);
        fmt_pct2(mid, sizeof mid, s[1]);
        fmt_pct2(hi, sizeof hi, s[2]);
        fprintf(out, "  %-*s 90%% of sampled worlds: %s to %s (median %s)\n", w,
                run->outcome_names[k], lo, hi, mid);
    }
    fputs("  (95% interval: Monte Carlo error, narrows with samples; spread: uncertainty, does not)\n",
          out);
}

/* A query's estimate and 95% interval, or its five quantiles. */
static void fmt_query(char *buf, size_t size, const ty_query_result *q)
{
    char v[32], lo[32], hi[32];
    if (q->kind == TY_QUERY_QUANTILES) {
        char x[TY_QUERY_NLEVELS][32];
        for (int i = 0; i < TY_QUERY_NLEVELS; i++) fmt_num(x[i], sizeof x[i], q->quantiles[i]);
        snprintf(buf, size, "%s / %s / %s / %s / %s", x[0], x[1], x[2], x[3], x[4]);
        return;
    }
    if (q->kind == TY_QUERY_PROBABILITY) {
        fmt_pct(v, sizeof v, q->est.probability);
        fmt_pct(lo, sizeof lo, q->est.ci_low);
        fmt_pct(hi, sizeof hi, q->est.ci_high);
    } else {
        fmt_num(v, sizeof v, q->est.probability);
        fmt_num(lo, sizeof lo, q->est.ci_low);
        fmt_num(hi, sizeof hi, q->est.ci_high);
    }
    snprintf(buf, size, "%s [%s, %s]", v, lo, hi);
}

static int query_name_width(const ty_run_result *run)
{
    int w = 11;
    for (size_t i = 0; i < run->nqueries; i++) {
        int len = (int)strlen(run->queries[i].name);
        if (len > w) w = len;
    }
    return w;
}

/* The queries: name, kind, the estimate with its 95% interval (a
 * probability in %, a mean as %.4g) or the five quantiles, then the
 * condition ("| given EXPR (P = share)") and the label. */
static void print_queries(const ty_run_result *run, FILE *out)
{
    int w = query_name_width(run), any_quantiles = 0;
    fprintf(out, "\n  %-*s %-11s %-32s %s\n", w, "query", "kind", "estimate [95% interval]",
            "given, label");
    for (size_t i = 0; i < run->nqueries; i++) {
        const ty_query_result *q = &run->queries[i];
        const char *kind = ty_query_kind_name(q->kind);
        char cell[200], share[32];
        fmt_query(cell, sizeof cell, q);
        any_quantiles |= q->kind == TY_QUERY_QUANTILES;
        /* Padded only when the condition or label follows: no trailing blanks. */
        fprintf(out, "  %-*s %-11s %-*s", w, q->name, kind ? kind : "?", q->given || q->label ? 32 : 0, cell);
        if (q->given) {
            fmt_pct2(share, sizeof share, q->given_share);
            fprintf(out, " | given %s (P = %s)", q->given, share);
        }
        if (q->label) fprintf(out, "%s%s", q->given ? ", " : " ", q->label);
        fputc('\n', out);
    }
    if (any_quantiles) fputs("  (quantiles: 5th / 25th / 50th / 75th / 95th percentiles)\n", out);
}

/* How much narrower pairing made a difference: "12.3x"; "n/a" where the
 * paired error is 0 or a rounding's (the quantity is the same in both runs,
 * e.g. a condition the variant's change does not touch). */
static void fmt_se_ratio(char *buf, size_t size, const ty_difference *d)
{
    double r = d->unpaired_stderr / d->stderr_;
    if (d->stderr_ > 0 && isfinite(r) && r < 1e6) snprintf(buf, size, "%.1fx", r);
    else snprintf(buf, size, "n/a");
}

/* A batch variant's queries against the baseline, paired as the outcomes'
 * differences; quantile queries have none (NaN rows) and are left out. */
static void print_query_differences(const ty_run_result *run, FILE *out)
{
    int w = query_name_width(run), header = 0;
    if (w < 17) w = 17;
    for (size_t i = 0; i < run->nqueries; i++) {
        const ty_query_result *q = &run->queries[i];
        const ty_difference *d = &run->query_difference[i];
        if (q->kind == TY_QUERY_QUANTILES) continue;
        if (!header)
            fprintf(out, "\n  %-*s %11s  %-24s %s\n", w, "query vs baseline", "difference",
                    "95% interval (paired)", "unpaired se / paired se");
        header = 1;
        int pct = q->kind == TY_QUERY_PROBABILITY;
        char v[48], lo[48], hi[48], ci[100], ratio[32] = "n/a";
        fmt_val(v, sizeof v, d->diff, pct, 1);
        fmt_val(lo, sizeof lo, d->ci_low, pct, 1);
        fmt_val(hi, sizeof hi, d->ci_high, pct, 1);
        snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
        fmt_se_ratio(ratio, sizeof ratio, d);
        fprintf(out, "  %-*s %11s  %-24s %s\n", w, q->name, v, ci, ratio);
    }
}

/* A count with thousands separators: 1,000,000. */
static void fmt_count(char *buf, size_t size, unsigned long long n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", n);
    size_t j = 0;
    for (int i = 0; i < len && j + 2 < size; i++) {
        if (i && (len - i) % 3 == 0) buf[j++] = ',';
        buf[j++] = digits[i];
    }
    if (size) buf[j < size ? j : size - 1] = '\0';
}

/* The effective sample size: 42.7 under 100, else a count (412,345). */
static void fmt_ess(char *buf, size_t size, double ess)
{
    if (!isfinite(ess) || ess < 0) snprintf(buf, size, "n/a");
    else if (ess < 100) snprintf(buf, size, "%.3g", ess);
    else if (ess < 1e19) fmt_count(buf, size, (unsigned long long)llround(ess));
    else snprintf(buf, size, "%.4g", ess);
}

/* An observation as read: "reading of troops = 45000, error normal(0, 5000)",
 * "when talks == 1 (prior probability 80%)": the
 * share where a 0/1 fact held, the chance of seeing a soft one, "loglik EXPR". Returns
 * the length as snprintf does (buf may be NULL when size is 0). */
static int fmt_observation(char *buf, size_t size, const ty_observation_result *o)
{
    char v[40], held[32];
    const char *expr = o->expr ? o->expr : "";
    switch (o->kind) {
    case TY_OBS_READING:
        if (isfinite(o->value)) snprintf(v, sizeof v, "%.10g", o->value);
        else snprintf(v, sizeof v, "n/a");
        if (*expr) return snprintf(buf, size, "reading of %s = %s, error %s", o->of ? o->of : "?", v, expr);
        return snprintf(buf, size, "reading of %s = %s, exact", o->of ? o->of : "?", v);
    case TY_OBS_WHEN:
        if (!isfinite(o->held)) return snprintf(buf, size, "when %s", expr);
        fmt_pct2(held, sizeof held, o->held);
        return snprintf(buf, size, "when %s (prior probability %s)", expr, held);
    case TY_OBS_LOGLIK:
        return snprintf(buf, size, "loglik %s", expr);
    default:
        return snprintf(buf, size, "? %s", expr);
    }
}

/* "warning: TEXT" wrapped at 100 columns, the continuation lines under the
 * text's start. */
static void print_wrapped_warning(const char *text, FILE *out)
{
    static const char prefix[] = "  warning: ";
    const int width = 100, indent = (int)sizeof prefix - 1;
    int col = indent;
    fputs(prefix, out);
    for (const char *p = text; *p;) {
        while (*p == ' ') p++;
        if (!*p) break;
        int len = (int)strcspn(p, " ");
        if (col > indent && col + 1 + len > width) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        }
        if (col > indent) { fputc(' ', out); col++; }
        fwrite(p, 1, (size_t)len, out);
        col += len;
        p += len;
    }
    fputc('\n', out);
}

/* The observations the run's estimates are given: each as read (name,
 * what, label), the effective sample size and Pareto k-hat, the acceptance
 * share and the log evidence, then each warning. */
static void print_observations(const ty_run_result *run, FILE *out)
{
    int nw = 11, dw = 0;
    for (size_t i = 0; i < run->nobservations; i++) {
        const ty_observation_result *o = &run->observations[i];
        int len = o->name ? (int)strlen(o->name) : 1;
        if (len > nw) nw = len;
        int d = fmt_observation(NULL, 0, o);
        if (o->label && d > dw) dw = d;
    }
    if (dw > 56) dw = 56;
    fprintf(out, "\n  observations (%zu): every estimate of this run is given them; prior: without them\n",
            run->nobservations);
    for (size_t i = 0; i < run->nobservations; i++) {
        const ty_observation_result *o = &run->observations[i];
        char small[256], *desc = small;
        int d = fmt_observation(small, sizeof small, o);
        if (d >= (int)sizeof small && (desc = malloc((size_t)d + 1)) != NULL) fmt_observation(desc, (size_t)d + 1, o);
        if (!desc) desc = small;   /* out of memory: the description cut short */
        /* Padded only when the label follows: no trailing blanks. */
        fprintf(out, "    %-*s %-*s", nw, o->name ? o->name : "?", o->label ? dw : 0, desc);
        if (o->label) fprintf(out, "  %s", o->label);
        fputc('\n', out);
        if (desc != small) free(desc);
    }
    const ty_observation_stats *st = &run->obs;
    char ess[40], n[40], share[32], acc[32], ev[32];
    fmt_ess(ess, sizeof ess, st->ess);
    fmt_count(n, sizeof n, (unsigned long long)run->samples);
    fmt_pct2(share, sizeof share, st->ess_fraction);
    fmt_pct2(acc, sizeof acc, st->acceptance);
    fmt_num(ev, sizeof ev, st->log_evidence);
    fprintf(out, "  effective sample size %s of %s (%s); Pareto k-hat ", ess, n, share);
    if (isfinite(st->pareto_k)) fprintf(out, "%.2f\n", st->pareto_k);
    else fputs("n/a (too few distinct large weights)\n", out);
    fprintf(out, "  acceptance %s (samples where every when held); log evidence %s\n", acc, ev);
    unsigned warn = ty_observation_warnings(st);
    for (unsigned bit = 1; bit && bit <= warn; bit <<= 1) {
        if (!(warn & bit)) continue;
        char text[1024];
        ty_observation_warning_text(st, run->samples, bit, text, sizeof text);
        print_wrapped_warning(text, out);
    }
}

/* A state's cell of the time table at reported row r: "mean (p05 to p95)". */
static int state_cell(const ty_time_state *x, size_t r, char *cell, size_t size)
{
    char a[32], b[32], c[32];
    fmt_num(a, sizeof a, x->mean[r]);
    fmt_num(b, sizeof b, x->p05[r]);
    fmt_num(c, sizeof c, x->p95[r]);
    return snprintf(cell, size, "%s (%s to %s)", a, b, c);
}

/* The width of a state's column: its name or its widest cell. */
static int state_width(const ty_time_state *x, const size_t *pick, size_t rows)
{
    int w = (int)strlen(x->name);
    for (size_t i = 0; i < rows; i++) {
        char cell[112];
        int len = state_cell(x, pick[i], cell, sizeof cell);
        if (len > w) w = len;
    }
    return w;
}

/* A time scenario's curves at about 8 of the reported steps (the last
 * among them): each outcome's cumulative probability with its interval's
 * half-width, then each state's mean and 5th-95th percentiles. */
static void print_time(const ty_run_result *run, FILE *out)
{
    const ty_time_result *t = run->time;
    const char *unit = t->unit && t->unit[0] ? t->unit : "step";
    size_t R = t->nreport, K = run->noutcomes, rows = R < 8 ? R : 8, pick[8];
    for (size_t i = 0; i < rows; i++) pick[i] = (i + 1) * R / rows - 1;
    int w = 11;
    for (size_t k = 0; k < K; k++) {
        int len = (int)strlen(run->outcome_names[k]) + 2;
        if (len > w) w = len;
    }
    fprintf(out, "\n  by %s: probability of each outcome so far (the last: no event yet), 95%% +-\n", unit);
    fprintf(out, "  %8s", unit);
    for (size_t k = 0; k < K; k++) fprintf(out, "  %-*s", w + 6, run->outcome_names[k]);
    fputc('\n', out);
    for (size_t i = 0; i < rows; i++) {
        size_t r = pick[i];
        fprintf(out, "  %8llu", (unsigned long long)t->step[r]);
        for (size_t k = 0; k < K; k++) {
            char p[32], cell[64];
            fmt_pct(p, sizeof p, t->cumulative[r * K + k]);
            double h = (t->ci_high[r * K + k] - t->ci_low[r * K + k]) / 2;
            snprintf(cell, sizeof cell, "%s +-%.2f", p, 100 * h);
            fprintf(out, "  %-*s", w + 6, cell);
        }
        fputc('\n', out);
    }
    if (!t->nstates) return;
    fprintf(out, "\n  states by %s%s: mean (5th to 95th percentile)\n", unit,
            run->nobservations ? ", without the observations (every path weighing 1)" : "");
    /* One column per state, as wide as its widest cell or name (measured
     * by formatting the column twice: nothing to allocate, so printing
     * cannot fail after the run). */
    fprintf(out, "  %8s", unit);
    for (size_t j = 0; j < t->nstates; j++)
        fprintf(out, "  %-*s", state_width(&t->states[j], pick, rows), t->states[j].name);
    fputc('\n', out);
    for (size_t i = 0; i < rows; i++) {
        fprintf(out, "  %8llu", (unsigned long long)t->step[pick[i]]);
        for (size_t j = 0; j < t->nstates; j++) {
            char cell[112];
            state_cell(&t->states[j], pick[i], cell, sizeof cell);
            fprintf(out, "  %-*s", state_width(&t->states[j], pick, rows), cell);
        }
        fputc('\n', out);
    }
}

static void print_run(const ty_run_result *run, const char *verb, FILE *out)
{
    fprintf(out, "\n%s", run->variant);
    if (run->label) fprintf(out, " - %s", run->label);
    fprintf(out, "\n  %llu samples", (unsigned long long)run->samples);
    if (run->samples_requested && run->samples_requested != run->samples)
        fprintf(out, " of %llu requested", (unsigned long long)run->samples_requested);
    fprintf(out, ", seed %llu, %s sampling, %d thread%s", (unsigned long long)run->seed,
            run->sampling == 1 ? "lhs" : "random", run->threads, run->threads == 1 ? "" : "s");
    if (run->ranks > 1) fprintf(out, " x %d ranks", run->ranks);
    fprintf(out, ", %.2f s\n", run->wall_seconds);
    if (run->stopped_early) fprintf(out, "  stopped early: target half-width reached\n");
    if (run->target_halfwidth > 0 && !run->target_reached)
        fprintf(out, "  TARGET NOT REACHED: the widest interval is +-%.3g, the target +-%.3g\n",
                run->max_halfwidth, run->target_halfwidth);
    if (!run->complete) fprintf(out, "  INCOMPLETE (interrupted; resume with tyche %s --resume FILE)\n", verb);

    int w = 7;
    for (size_t k = 0; k < run->noutcomes; k++) {
        int len = (int)strlen(run->outcome_names[k]);
        if (len > w) w = len;
    }
    /* With observations the prior's probability stands beside each posterior one. */
    const ty_estimate *prior = run->nobservations ? run->outcomes_prior : NULL;
    if (prior)
        fprintf(out, "\n  %-*s %11s  %-22s %8s  %s\n", w, "outcome", "probability", "95% interval", "prior",
                "label");
    else
        fprintf(out, "\n  %-*s %11s  %-22s %s\n", w, "outcome", "probability", "95% interval", "label");
    for (size_t k = 0; k < run->noutcomes; k++) {
        const ty_estimate *e = &run->outcomes[k];
        char p[32], lo[32], hi[32], ci[80];
        fmt_pct(p, sizeof p, e->probability);
        fmt_pct(lo, sizeof lo, e->ci_low);
        fmt_pct(hi, sizeof hi, e->ci_high);
        snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
        const char *label = run->outcome_labels && run->outcome_labels[k] ? run->outcome_labels[k] : "";
        if (prior) {
            char pp[32];
            fmt_pct(pp, sizeof pp, prior[k].probability);
            fprintf(out, "  %-*s %11s  %-22s %8s  %s\n", w, run->outcome_names[k], p, ci, pp, label);
        } else {
            fprintf(out, "  %-*s %11s  %-22s %s\n", w, run->outcome_names[k], p, ci, label);
        }
    }
    if (run->spread && !run->time) print_spread(run, w, out);   /* a path's outcome is 0 or 1 */
    if (run->time) print_time(run, out);
    if (run->nqueries && run->queries) print_queries(run, out);
    if (run->nobservations && run->observations) print_observations(run, out);
    if (run->sensitivity) print_sensitivity(run->sensitivity, out);
    if (!run->difference) return;
    /* Paired by common random numbers: far narrower than two independent
     * runs' intervals would allow; the last column says by how much. */
    fprintf(out, "\n  %-*s %11s  %-24s %s\n", w, "vs baseline", "difference", "95% interval (paired)",
            "unpaired se / paired se");
    for (size_t k = 0; k < run->noutcomes; k++) {
        const ty_difference *d = &run->difference[k];
        char ratio[32];
        fmt_se_ratio(ratio, sizeof ratio, d);
        fprintf(out, "  %-*s %+10.3f%%  [%+.3f%%, %+.3f%%]%*s %s\n", w, run->outcome_names[k],
                100 * d->diff, 100 * d->ci_low, 100 * d->ci_high, 4, "", ratio);
    }
    if (run->query_difference && run->nqueries && run->queries) print_query_differences(run, out);
}

/* How much factor f matters for target t, for ordering the table: the
 * tornado's swing, else the total index, else |Spearman|. */
static double importance(const ty_sensitivity *s, size_t t, size_t f)
{
    size_t j = t * s->nfactors + f;
    double v = s->low ? fabs(s->high[j] - s->low[j]) : s->total ? s->total[j] : fabs(s->spearman[j]);
    return isfinite(v) ? v : -1;
}

static void print_sensitivity(const ty_sensitivity *s, FILE *out)
{
    size_t F = s->nfactors;
    fprintf(out, "\n  sensitivity (%s%s%s), %llu samples, seed %llu\n",
            s->low ? "tornado" : "", s->spearman ? (s->low ? ", spearman" : "spearman") : "",
            s->first ? (s->low || s->spearman ? ", sobol" : "sobol") : "",
            (unsigned long long)s->samples, (unsigned long long)s->seed);
    if (s->low)
        fprintf(out, "  tornado: each factor held at its %g%% and %g%% quantiles, the others sampled\n",
                100 * s->low_quantile, 100 * s->high_quantile);
    if (s->spearman)
        fprintf(out, "  spearman: rank correlation over the first %llu samples\n",
                (unsigned long long)s->spearman_samples);
    if (s->first)
        fprintf(out, "  sobol: first-order S1 and total ST indices, %u bootstrap replicates for the 95%% intervals%s\n",
                s->bootstrap, s->ignore_correlations ? "\n  sobol: the scenario's correlations were IGNORED "
                "(--ignore-correlations): the factors were sampled independently" : "");
    /* Without memory for the ranking the rows keep the scenario's order:
     * the same numbers, only not sorted. */
    size_t *order = malloc((F ? F : 1) * sizeof *order);
    int w = 6;
    for (size_t f = 0; f < F; f++)
        if ((int)strlen(s->factors[f]) > w) w = (int)strlen(s->factors[f]);
    for (size_t t = 0; t < s->ntargets; t++) {
        int pct = t < s->noutcome_targets;
        char b[48];
        fprintf(out, "\n  %s (%s)", s->targets[t], pct ? "outcome" : "derived");
        if (s->low) {
            fmt_val(b, sizeof b, s->baseline[t], pct, 0);
            fprintf(out, ", baseline %s", b);
        }
        fprintf(out, "\n    %-*s", w, "factor");
        if (s->low) fprintf(out, " %10s %10s %10s", "low", "high", "swing");
        if (s->spearman) fprintf(out, " %9s", "spearman");
        if (s->first) fprintf(out, "  %-22s %s", "S1 [95%]", "ST [95%]");
        fputc('\n', out);
        for (size_t f = 0; f < F && order; f++) {
            size_t i = f;
            while (i > 0 && importance(s, t, order[i - 1]) < importance(s, t, f)) { order[i] = order[i - 1]; i--; }
            order[i] = f;
        }
        for (size_t i = 0; i < F; i++) {
            size_t f = order ? order[i] : i, j = t * F + f;
            fprintf(out, "    %-*s", w, s->factors[f]);
            if (s->low) {
                char lo[48], hi[48], sw[48];
                fmt_val(lo, sizeof lo, s->low[j], pct, 0);
                fmt_val(hi, sizeof hi, s->high[j], pct, 0);
                fmt_val(sw, sizeof sw, s->high[j] - s->low[j], pct, 1);
                fprintf(out, " %10s %10s %10s", lo, hi, sw);
            }
            if (s->spearman) {
                if (isfinite(s->spearman[j])) fprintf(out, " %+9.3f", s->spearman[j]);
                else fprintf(out, " %9s", "n/a");
            }
            if (s->first) {
                char c1[64], c2[64];
                snprintf(c1, sizeof c1, "%.3f [%.3f, %.3f]", s->first[j], s->first_ci[2 * j], s->first_ci[2 * j + 1]);
                snprintf(c2, sizeof c2, "%.3f [%.3f, %.3f]", s->total[j], s->total_ci[2 * j], s->total_ci[2 * j + 1]);
                fprintf(out, "  %-22s %s", isfinite(s->first[j]) ? c1 : "n/a", isfinite(s->total[j]) ? c2 : "n/a");
            }
            fputc('\n', out);
        }
    }
    if (s->low)
        fprintf(out, "\n  tornado values (low / high: the factor's %g%% / %g%% quantile):\n",
                100 * s->low_quantile, 100 * s->high_quantile);
    for (size_t f = 0; s->low && f < F; f++)
        fprintf(out, "    %-*s %.6g / %.6g\n", w, s->factors[f], s->value_low[f], s->value_high[f]);
    free(order);
}

static void print_sweep(const ty_results *r, const ty_sweep_result *s, FILE *out)
{
    fprintf(out, "\nsweep %s: %s.%s over %zu points\n", s->name, s->factor ? s->factor : "?",
            s->param ? s->param : "?", s->npoints);
    if (s->partial) fprintf(out, "  INCOMPLETE (interrupted; resume with tyche batch --resume FILE)\n");
    fprintf(out, "  %14s", "value");
    for (size_t k = 0; k < s->noutcomes; k++) {
        char buf[32];
        fprintf(out, "  %-26s", sweep_outcome(r, s, k, buf, sizeof buf));
    }
    fputc('\n', out);
    for (size_t i = 0; i < s->npoints; i++) {
        fprintf(out, "  %14.6g", s->values[i]);
        for (size_t k = 0; k < s->noutcomes; k++) {
            size_t j = i * s->noutcomes + k;
            char p[32], lo[32], hi[32], cell[120];
            fmt_pct(p, sizeof p, s->probability[j]);
            fmt_pct(lo, sizeof lo, s->ci_low[j]);
            fmt_pct(hi, sizeof hi, s->ci_high[j]);
            snprintf(cell, sizeof cell, "%s [%s, %s]", p, lo, hi);
            fprintf(out, "  %-26s", cell);
        }
        fputc('\n', out);
    }
}

void cli_print_results(const ty_results *r, FILE *out)
{
    fprintf(out, "scenario %s", r->scenario_name ? r->scenario_name : "?");
    if (r->scenario_title) fprintf(out, ": %s", r->scenario_title);
    fputc('\n', out);
    if (r->scenario_source) fprintf(out, "source: %s\n", r->scenario_source);
    if (r->created || r->tyche_version)
        fprintf(out, "written %s by tyche %s\n", r->created ? r->created : "?",
                r->tyche_version ? r->tyche_version : "?");
    if (!r->complete) fprintf(out, "INCOMPLETE: some runs were interrupted\n");
    for (size_t i = 0; i < r->nruns; i++) print_run(&r->runs[i], r->batch_text ? "batch" : "run", out);
    for (size_t i = 0; i < r->nsweeps; i++) print_sweep(r, &r->sweeps[i], out);
}

/* ---- JSON ------------------------------------------------------------- */

static void json_str(FILE *out, const char *s)
{
    if (!s) { fputs("null", out); return; }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        default:
            if (*p < 0x20 || *p == 0x7f) fprintf(out, "\\u%04x", *p);
            else fputc(*p, out);   /* UTF-8 passes through */
        }
    }
    fputc('"', out);
}

static void json_num(FILE *out, double v)
{
    if (isfinite(v)) fprintf(out, "%.17g", v);
    else fputs("null", out);
}

static void json_key(FILE *out, const char *key)
{
    json_str(out, key);
    fputs(": ", out);
}

static void json_nums(FILE *out, const double *v, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i) fputs(", ", out);
        json_num(out, v[i]);
    }
    fputc(']', out);
}

static void json_series(FILE *out, const char *key, const ty_series_stats *s, size_t n)
{
    fputs(",\n      ", out);
    json_key(out, key);
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n        {" : "\n        {", out);
        json_key(out, "name"); json_str(out, s[i].name);
        fputs(", ", out); json_key(out, "unit"); json_str(out, s[i].unit);
        fputs(", ", out); json_key(out, "mean"); json_num(out, s[i].summary.mean);
        fputs(", ", out); json_key(out, "sd"); json_num(out, s[i].summary.sd);
        fputs(", ", out); json_key(out, "p05"); json_num(out, s[i].summary.p05);
        fputs(", ", out); json_key(out, "p50"); json_num(out, s[i].summary.p50);
        fputs(", ", out); json_key(out, "p95"); json_num(out, s[i].summary.p95);
        fputc('}', out);
    }
    fputs(n ? "\n      ]" : "]", out);
}

static void json_strs(FILE *out, char *const *v, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i) fputs(", ", out);
        json_str(out, v[i]);
    }
    fputc(']', out);
}

static void json_matrix(FILE *out, const char *key, const double *m, size_t rows, size_t cols);

/* [T][F][2] intervals. */
static void json_pairs(FILE *out, const char *key, const double *m, size_t rows, size_t cols)
{
    fputs(",\n        ", out);
    json_key(out, key);
    fputc('[', out);
    for (size_t i = 0; i < rows; i++) {
        fputs(i ? ", [" : "[", out);
        for (size_t j = 0; j < cols; j++) {
            if (j) fputs(", ", out);
            json_nums(out, m + 2 * (i * cols + j), 2);
        }
        fputc(']', out);
    }
    fputc(']', out);
}

/* "sensitivity": {"method": [...], "samples", "seed", "ignore_correlations",
 * "targets", "outcome_targets", "factors", "tornado": {"baseline", "low",
 * "high", "value_low", "value_high", ...}, "spearman": [[T][F]], "sobol":
 * {"first", "total", "first_ci", "total_ci", "bootstrap"}}. */
static void json_sensitivity(FILE *out, const ty_sensitivity *s)
{
    size_t T = s->ntargets, F = s->nfactors;
    fputs(",\n      \"sensitivity\": {\n        \"method\": [", out);
    static const char *const names[3] = {"tornado", "spearman", "sobol"};
    int first = 1;
    for (int i = 0; i < 3; i++)
        if (s->methods & (1u << i)) { fprintf(out, "%s\"%s\"", first ? "" : ", ", names[i]); first = 0; }
    fprintf(out, "],\n        \"samples\": %llu,\n        \"seed\": %llu,\n        \"ignore_correlations\": %s",
            (unsigned long long)s->samples, (unsigned long long)s->seed, s->ignore_correlations ? "true" : "false");
    fputs(",\n        \"targets\": ", out); json_strs(out, s->targets, T);
    fprintf(out, ",\n        \"outcome_targets\": %zu", s->noutcome_targets);
    fputs(",\n        \"factors\": ", out); json_strs(out, s->factors, F);
    if (s->low) {
        fputs(",\n        \"tornado\": {", out);
        fprintf(out, "\"low_quantile\": %g, \"high_quantile\": %g, \"baseline\": ", s->low_quantile, s->high_quantile);
        json_nums(out, s->baseline, T);
        fputs(", \"value_low\": ", out); json_nums(out, s->value_low, F);
        fputs(", \"value_high\": ", out); json_nums(out, s->value_high, F);
        json_matrix(out, "low", s->low, T, F);
        json_matrix(out, "high", s->high, T, F);
        fputc('}', out);
    }
    if (s->spearman) {
        fprintf(out, ",\n        \"spearman_samples\": %llu", (unsigned long long)s->spearman_samples);
        json_matrix(out, "spearman", s->spearman, T, F);
    }
    if (s->first) {
        fprintf(out, ",\n        \"sobol\": {\"bootstrap\": %u", s->bootstrap);
        json_matrix(out, "first", s->first, T, F);
        json_matrix(out, "total", s->total, T, F);
        json_pairs(out, "first_ci", s->first_ci, T, F);
        json_pairs(out, "total_ci", s->total_ci, T, F);
        fputc('}', out);
    }
    fputs("\n      }", out);
}

static void json_difference(FILE *out, const ty_difference *d)
{
    fputc('{', out);
    json_key(out, "diff"); json_num(out, d->diff);
    fputs(", ", out); json_key(out, "stderr"); json_num(out, d->stderr_);
    fputs(", ", out); json_key(out, "ci_low"); json_num(out, d->ci_low);
    fputs(", ", out); json_key(out, "ci_high"); json_num(out, d->ci_high);
    fputs(", ", out); json_key(out, "unpaired_stderr"); json_num(out, d->unpaired_stderr);
    fputc('}', out);
}

/* "queries": [{"name", "label", "kind", "expr", "given", "value", "stderr",
 * "ci_low", "ci_high", "quantiles": [5] or null, "given_share",
 * "difference": {...} in a batch variant}]; absent when there are none. */
static void json_queries(FILE *out, const ty_run_result *run)
{
    fputs(",\n      \"queries\": [", out);
    for (size_t i = 0; i < run->nqueries; i++) {
        const ty_query_result *q = &run->queries[i];
        fputs(i ? ",\n        {" : "\n        {", out);
        json_key(out, "name"); json_str(out, q->name);
        fputs(", ", out); json_key(out, "label"); json_str(out, q->label);
        fputs(", ", out); json_key(out, "kind"); json_str(out, ty_query_kind_name(q->kind));
        fputs(", ", out); json_key(out, "expr"); json_str(out, q->expr);
        fputs(", ", out); json_key(out, "given"); json_str(out, q->given);
        fputs(", ", out); json_key(out, "value"); json_num(out, q->est.probability);
        fputs(", ", out); json_key(out, "stderr"); json_num(out, q->est.stderr_);
        fputs(", ", out); json_key(out, "ci_low"); json_num(out, q->est.ci_low);
        fputs(", ", out); json_key(out, "ci_high"); json_num(out, q->est.ci_high);
        fputs(", ", out); json_key(out, "quantiles");
        if (q->kind == TY_QUERY_QUANTILES) json_nums(out, q->quantiles, TY_QUERY_NLEVELS);
        else fputs("null", out);
        fputs(", ", out); json_key(out, "given_share"); json_num(out, q->given_share);
        if (run->query_difference) {
            fputs(", ", out); json_key(out, "difference");
            json_difference(out, &run->query_difference[i]);
        }
        fputc('}', out);
    }
    fputs("\n      ]", out);
}

/* "observations": {"ess", "ess_fraction", "acceptance", "log_evidence",
 * "pareto_k", "warnings": [text], "list": [{"name", "kind", "of", "value",
 * "expr", "label", "held"}]}; absent when the run has none. */
static void json_observations(FILE *out, const ty_run_result *run)
{
    const ty_observation_stats *st = &run->obs;
    fputs(",\n      \"observations\": {", out);
    json_key(out, "ess"); json_num(out, st->ess);
    fputs(", ", out); json_key(out, "ess_fraction"); json_num(out, st->ess_fraction);
    fputs(", ", out); json_key(out, "acceptance"); json_num(out, st->acceptance);
    fputs(", ", out); json_key(out, "log_evidence"); json_num(out, st->log_evidence);
    fputs(", ", out); json_key(out, "pareto_k"); json_num(out, st->pareto_k);
    fputs(",\n        \"warnings\": [", out);
    unsigned warn = ty_observation_warnings(st);
    int first = 1;
    for (unsigned bit = 1; bit && bit <= warn; bit <<= 1) {
        if (!(warn & bit)) continue;
        char text[1024];
        ty_observation_warning_text(st, run->samples, bit, text, sizeof text);
        if (!first) fputs(", ", out);
        json_str(out, text);
        first = 0;
    }
    fputs("],\n        \"list\": [", out);
    for (size_t i = 0; i < run->nobservations; i++) {
        const ty_observation_result *o = &run->observations[i];
        fputs(i ? ",\n          {" : "\n          {", out);
        json_key(out, "name"); json_str(out, o->name);
        fputs(", ", out); json_key(out, "kind"); json_str(out, ty_observation_kind_name(o->kind));
        fputs(", ", out); json_key(out, "of"); json_str(out, o->of);
        fputs(", ", out); json_key(out, "value"); json_num(out, o->value);
        fputs(", ", out); json_key(out, "expr"); json_str(out, o->expr);
        fputs(", ", out); json_key(out, "label"); json_str(out, o->label);
        fputs(", ", out); json_key(out, "held"); json_num(out, o->held);
        fputc('}', out);
    }
    fputs(run->nobservations ? "\n        ]}" : "]}", out);
}

static void json_time(FILE *out, const ty_run_result *run)
{
    const ty_time_result *t = run->time;
    size_t R = t->nreport, K = run->noutcomes;
    fputs(",\n      \"time\": {", out);
    fprintf(out, "\"steps\": %llu, ", (unsigned long long)t->steps);
    json_key(out, "unit"); json_str(out, t->unit);
    fprintf(out, ", \"percentile_samples\": %llu, \"step\": [", (unsigned long long)t->percentile_samples);
    for (size_t r = 0; r < R; r++) fprintf(out, "%s%llu", r ? ", " : "", (unsigned long long)t->step[r]);
    fputc(']', out);
    json_matrix(out, "cumulative", t->cumulative, R, K);
    json_matrix(out, "ci_low", t->ci_low, R, K);
    json_matrix(out, "ci_high", t->ci_high, R, K);
    fputs(",\n        \"states\": [", out);
    for (size_t j = 0; j < t->nstates; j++) {
        const ty_time_state *x = &t->states[j];
        fputs(j ? ",\n          {" : "\n          {", out);
        json_key(out, "name"); json_str(out, x->name);
        fputs(", ", out); json_key(out, "label"); json_str(out, x->label);
        fputs(", ", out); json_key(out, "unit"); json_str(out, x->unit);
        const char *keys[] = {"mean", "p05", "p50", "p95", "mean_running", "p05_running", "p50_running",
                              "p95_running"};
        const double *vals[] = {x->mean, x->p05, x->p50, x->p95, x->mean_running, x->p05_running,
                                x->p50_running, x->p95_running};
        for (int i = 0; i < 8; i++) {
            if (!vals[i]) continue;
            fputs(", ", out);
            json_key(out, keys[i]);
            json_nums(out, vals[i], R);
        }
        fputc('}', out);
    }
    fputs(t->nstates ? "\n        ]}" : "]}", out);
}

static void json_run(FILE *out, const ty_run_result *run)
{
    fputs("    ", out);
    json_key(out, run->variant);
    fputs("{\n      ", out);
    json_key(out, "label"); json_str(out, run->label);
    fprintf(out, ",\n      \"samples\": %llu", (unsigned long long)run->samples);
    fprintf(out, ",\n      \"samples_requested\": %llu", (unsigned long long)run->samples_requested);
    fprintf(out, ",\n      \"seed\": %llu", (unsigned long long)run->seed);
    fprintf(out, ",\n      \"sampling\": \"%s\"", run->sampling == 1 ? "lhs" : "random");
    fprintf(out, ",\n      \"threads\": %d,\n      \"ranks\": %d", run->threads, run->ranks);
    fputs(",\n      \"wall_seconds\": ", out); json_num(out, run->wall_seconds);
    fprintf(out, ",\n      \"complete\": %s", run->complete ? "true" : "false");
    fprintf(out, ",\n      \"stopped_early\": %s", run->stopped_early ? "true" : "false");
    if (run->target_halfwidth > 0) {
        fputs(",\n      \"target_halfwidth\": ", out); json_num(out, run->target_halfwidth);
        fprintf(out, ",\n      \"target_reached\": %s", run->target_reached ? "true" : "false");
        fputs(",\n      \"max_halfwidth\": ", out); json_num(out, run->max_halfwidth);
    }
    fputs(",\n      \"outcomes\": [", out);
    for (size_t k = 0; k < run->noutcomes; k++) {
        const ty_estimate *e = &run->outcomes[k];
        fputs(k ? ",\n        {" : "\n        {", out);
        json_key(out, "name"); json_str(out, run->outcome_names[k]);
        fputs(", ", out); json_key(out, "label");
        json_str(out, run->outcome_labels ? run->outcome_labels[k] : NULL);
        fputs(", ", out); json_key(out, "probability"); json_num(out, e->probability);
        fputs(", ", out); json_key(out, "stderr"); json_num(out, e->stderr_);
        fputs(", ", out); json_key(out, "ci_low"); json_num(out, e->ci_low);
        fputs(", ", out); json_key(out, "ci_high"); json_num(out, e->ci_high);
        if (run->spread) {
            fputs(", ", out); json_key(out, "spread");
            json_nums(out, run->spread + k * TY_SPREAD_NLEVELS, TY_SPREAD_NLEVELS);
        }
        if (run->difference) {
            fputs(", ", out); json_key(out, "difference");
            json_difference(out, &run->difference[k]);
        }
        if (run->nobservations && run->outcomes_prior) {
            const ty_estimate *p = &run->outcomes_prior[k];
            fputs(", ", out); json_key(out, "prior");
            fputc('{', out);
            json_key(out, "probability"); json_num(out, p->probability);
            fputs(", ", out); json_key(out, "stderr"); json_num(out, p->stderr_);
            fputs(", ", out); json_key(out, "ci_low"); json_num(out, p->ci_low);
            fputs(", ", out); json_key(out, "ci_high"); json_num(out, p->ci_high);
            fputc('}', out);
        }
        fputc('}', out);
    }
    fputs(run->noutcomes ? "\n      ]" : "]", out);
    if (run->nqueries && run->queries) json_queries(out, run);
    if (run->nobservations && run->observations) json_observations(out, run);
    json_series(out, "factors", run->factors, run->nfactors);
    json_series(out, "derived", run->derived, run->nderived);
    if (run->nobservations && run->factors_prior) json_series(out, "factors_prior", run->factors_prior, run->nfactors);
    if (run->nobservations && run->derived_prior) json_series(out, "derived_prior", run->derived_prior, run->nderived);
    if (run->sensitivity) json_sensitivity(out, run->sensitivity);
    if (run->time) json_time(out, run);
    fputs("\n    }", out);
}

static void json_matrix(FILE *out, const char *key, const double *m, size_t rows, size_t cols)
{
    fputs(",\n      ", out);
    json_key(out, key);
    fputc('[', out);
    for (size_t i = 0; i < rows; i++) {
        if (i) fputs(", ", out);
        json_nums(out, m + i * cols, cols);
    }
    fputc(']', out);
}

static void json_sweep(FILE *out, const ty_results *r, const ty_sweep_result *s)
{
    fputs("    ", out);
    json_key(out, s->name);
    fputs("{\n      ", out);
    json_key(out, "factor"); json_str(out, s->factor);
    fputs(",\n      ", out); json_key(out, "param"); json_str(out, s->param);
    fputs(",\n      ", out); json_key(out, "outcomes");
    fputc('[', out);
    for (size_t k = 0; k < s->noutcomes; k++) {
        char buf[32];
        if (k) fputs(", ", out);
        json_str(out, sweep_outcome(r, s, k, buf, sizeof buf));
    }
    fputc(']', out);
    fputs(",\n      ", out); json_key(out, "values"); json_nums(out, s->values, s->npoints);
    json_matrix(out, "probability", s->probability, s->npoints, s->noutcomes);
    json_matrix(out, "ci_low", s->ci_low, s->npoints, s->noutcomes);
    json_matrix(out, "ci_high", s->ci_high, s->npoints, s->noutcomes);
    fputs("\n    }", out);
}

void cli_print_results_json(const ty_results *r, FILE *out)
{
    fputs("{\n  ", out);
    json_key(out, "scenario"); json_str(out, r->scenario_name);
    fputs(",\n  ", out); json_key(out, "title"); json_str(out, r->scenario_title);
    fputs(",\n  ", out); json_key(out, "source"); json_str(out, r->scenario_source);
    fputs(",\n  ", out); json_key(out, "tyche_version"); json_str(out, r->tyche_version);
    fputs(",\n  ", out); json_key(out, "created"); json_str(out, r->created);
    fprintf(out, ",\n  \"complete\": %s", r->complete ? "true" : "false");
    fputs(",\n  \"runs\": {", out);
    for (size_t i = 0; i < r->nruns; i++) {
        fputs(i ? ",\n" : "\n", out);
        json_run(out, &r->runs[i]);
    }
    fputs(r->nruns ? "\n  }" : "}", out);
    fputs(",\n  \"sweeps\": {", out);
    for (size_t i = 0; i < r->nsweeps; i++) {
        fputs(i ? ",\n" : "\n", out);
        json_sweep(out, r, &r->sweeps[i]);
    }
    fputs(r->nsweeps ? "\n  }" : "}", out);
    fputs("\n}\n", out);
}
