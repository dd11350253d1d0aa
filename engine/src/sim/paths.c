/* paths.c - the paths of a time scenario, a block at a time (paths.h). */
#include "paths.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tyche/dist.h"
#include "tyche/rng.h"
#include "tyche/run.h"

#define B TY_RUN_BLOCK

/* SplitMix64's finaliser (Steele, Lea, Flood, OOPSLA 2014). */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#define GOLDEN 0x9e3779b97f4a7c15ull

/* The key of (seed, block, name): each element passes a full mix before the
 * next enters. */
static uint64_t draw_key(uint64_t seed, uint64_t b, uint64_t name_hash)
{
    uint64_t k = mix64(seed + GOLDEN);
    k = mix64(k ^ name_hash);
    return mix64(k ^ mix64(b + 2 * GOLDEN));
}

/* SplitMix64's output number (t B + i) of the stream key, as a uniform in
 * (0, 1): open at both ends, so a quantile is always finite. */
static inline double draw_uniform(uint64_t key, uint64_t t, uint32_t i)
{
    uint64_t z = mix64(key + (t * B + i + 1) * GOLDEN);
    return ((double)(z >> 11) + 0.5) * 0x1p-53;
}

ty_status paths_plan_init(paths_plan *p, const ty_scenario *s)
{
    memset(p, 0, sizeof *p);
    p->F = ty_scenario_nfactors(s);
    p->D = ty_scenario_nderived(s);
    p->H = ty_scenario_nshocks(s);
    p->S = ty_scenario_nstates(s);
    p->K = ty_scenario_noutcomes(s);
    p->E = p->K - 1;
    p->T = ty_scenario_time(s)->steps;
    p->hazards = ty_scenario_hazards(s);
    p->init = calloc(p->S + 1, sizeof *p->init);
    p->next = calloc(p->S + 1, sizeof *p->next);
    p->shock = calloc(p->H + 1, sizeof *p->shock);
    p->shock_key = calloc(p->H + 1, sizeof *p->shock_key);
    p->event_key = calloc(p->E + 1, sizeof *p->event_key);
    p->R = p->T <= PATHS_MAX_REPORT ? (size_t)p->T : PATHS_MAX_REPORT;
    p->report = calloc(p->R, sizeof *p->report);
    p->slot = calloc(p->T + 1, sizeof *p->slot);
    if (!p->init || !p->next || !p->shock || !p->shock_key || !p->event_key || !p->report || !p->slot)
        return TY_ERR_NOMEM;
    for (size_t j = 0; j < p->S; j++) {
        p->init[j] = ty_scenario_state(s, j)->init;
        p->next[j] = ty_scenario_state(s, j)->next;
    }
    for (size_t h = 0; h < p->H; h++) {
        p->shock[h] = ty_scenario_shock(s, h)->dist;
        p->shock_key[h] = ty_rng_hash_name(ty_scenario_shock(s, h)->name);
    }
    /* '@' cannot start a name: an event's stream differs from a factor's. */
    for (size_t k = 0; k < p->E; k++) {
        char name[TY_SCENARIO_MAX_NAME + 2] = "@";
        strncat(name, ty_scenario_outcome(s, k)->name, TY_SCENARIO_MAX_NAME);
        p->event_key[k] = ty_rng_hash_name(name);
    }
    /* Reported steps: all, or R evenly spaced ending at T. */
    for (size_t r = 0; r < p->R; r++) p->report[r] = (uint64_t)(((double)(r + 1) * (double)p->T) / (double)p->R);
    p->report[p->R - 1] = p->T;
    size_t r = 0;
    for (uint64_t t = 1; t <= p->T; t++) {
        while (p->report[r] < t) r++;
        p->slot[t] = (uint32_t)r;
    }
    return TY_OK;
}

void paths_plan_clear(paths_plan *p)
{
    free(p->init);
    free(p->next);
    free(p->shock);
    free(p->shock_key);
    free(p->event_key);
    free(p->report);
    free(p->slot);
    memset(p, 0, sizeof *p);
}

void paths_ws_clear(paths_ws *w)
{
    free(w->cols);
    free(w->in);
    free(w->iin);
    free(w->hz);
    free(w->tmp);
    free(w->u);
    free(w->idx);
    free(w->alive);
    if (w->vm)
        for (size_t i = 0; w->vm[i]; i++) ty_vm_scratch_free(w->vm[i]);
    free(w->vm);
    free(w->end_step);
    free(w->end_event);
    free(w->last);
    free(w->st_all);
    free(w->st_live);
    free(w->live);
    memset(w, 0, sizeof *w);
}

int paths_ws_init(paths_ws *w, const paths_plan *p)
{
    memset(w, 0, sizeof *w);
    size_t nin = p->F + p->D + p->H + p->S + 1;
    w->cols = calloc((nin + p->E + 1) * B, sizeof *w->cols);
    w->in = calloc(nin, sizeof *w->in);
    w->iin = calloc(p->F + p->D + p->S + 1, sizeof *w->iin);
    w->hz = calloc(p->E + 1, sizeof *w->hz);
    w->tmp = malloc(B * sizeof *w->tmp);
    w->u = malloc(B * sizeof *w->u);
    w->idx = malloc(B * sizeof *w->idx);
    w->alive = malloc(B);
    w->vm = calloc(2 * p->S + 2, sizeof *w->vm);   /* NULL-terminated */
    w->end_step = malloc(B * sizeof *w->end_step);
    w->end_event = malloc(B * sizeof *w->end_event);
    w->last = calloc(p->S * B + 1, sizeof *w->last);
    w->st_all = calloc(p->R * p->S + 1, sizeof *w->st_all);
    w->st_live = calloc(p->R * p->S + 1, sizeof *w->st_live);
    w->live = calloc(p->R, sizeof *w->live);
    if (!w->cols || !w->in || !w->iin || !w->hz || !w->tmp || !w->u || !w->idx || !w->alive || !w->vm ||
        !w->end_step || !w->end_event || !w->last || !w->st_all || !w->st_live || !w->live)
        return -1;
    for (size_t i = 0; i < nin; i++) w->in[i] = w->cols + i * B;
    for (size_t i = 0; i < p->F + p->D; i++) w->iin[i] = w->in[i];
    for (size_t j = 0; j < p->S; j++) w->iin[p->F + p->D + j] = w->in[p->F + p->D + p->H + j];
    for (size_t k = 0; k < p->E; k++) w->hz[k] = w->cols + (nin + k) * B;
    size_t v = 0;
    for (size_t j = 0; j < p->S; j++) {
        if (!(w->vm[v++] = ty_vm_scratch_new(p->init[j]))) return -1;
        if (!(w->vm[v++] = ty_vm_scratch_new(p->next[j]))) return -1;
    }
    if (p->E && !(w->vm[v++] = ty_vm_scratch_new(p->hazards))) return -1;
    return 0;
}

/* The first sample of x[0..m) that is not finite among the live, or m. */
static size_t first_not_finite(const double *x, const unsigned char *alive, size_t m)
{
    int bad = 0;
    for (size_t i = 0; i < m; i++) bad |= alive[i] && !isfinite(x[i]);
    for (size_t i = 0; bad && i < m; i++)
        if (alive[i] && !isfinite(x[i])) return i;
    return m;
}

/* Drops the slots of ended paths from every column and the index. */
static size_t compact(const paths_plan *p, paths_ws *w, size_t m)
{
    size_t ncols = p->F + p->D + p->H + p->S + 1, k = 0;
    for (size_t i = 0; i < m; i++) {
        if (!w->alive[i]) continue;
        if (k != i) {
            for (size_t c = 0; c < ncols; c++) w->in[c][k] = w->in[c][i];
            w->idx[k] = w->idx[i];
        }
        w->alive[k++] = 1;
    }
    return k;
}

static ty_status fault(paths_ws *w, size_t slot, int state, int init, int event, uint64_t t, double v,
                       size_t *bad)
{
    w->fault = (paths_fault){.state = state, .init = init, .event = event, .step = t, .value = v,
                             .sample = w->idx[slot]};
    *bad = w->idx[slot];
    return TY_ERR_INVALID;
}

ty_status paths_run(const paths_plan *p, paths_ws *w, uint64_t seed, uint64_t b, size_t n,
                    double *const *fcol, double *const *dcol, double *const *ocol, size_t *bad)
{
    const size_t F = p->F, D = p->D, H = p->H, S = p->S, E = p->E, K = p->K;
    double **st = w->in + F + D + H, *stepcol = w->in[F + D + H + S];
    w->fault = (paths_fault){.state = -1, .event = -1};
    for (size_t c = 0; c < F; c++) memcpy(w->in[c], fcol[c], n * sizeof(double));
    for (size_t c = 0; c < D; c++) memcpy(w->in[F + c], dcol[c], n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        w->idx[i] = (uint32_t)i;
        w->alive[i] = 1;
        w->end_step[i] = 0;
        w->end_event[i] = (uint32_t)(K - 1);
    }
    memset(w->st_all, 0, p->R * S * sizeof *w->st_all);
    memset(w->st_live, 0, p->R * S * sizeof *w->st_live);
    memset(w->live, 0, p->R * sizeof *w->live);
    double frozen[TY_TIME_MAX_STATES] = {0};   /* states of the paths that ended, summed */
    size_t nvm = 0;
    for (size_t j = 0; j < S; j++, nvm += 2) {
        double *out = st[j];
        ty_status rs = ty_program_run(p->init[j], w->vm[nvm], n, (const double *const *)w->iin, &out, NULL, NULL);
        if (rs != TY_OK) return rs;
        size_t at = first_not_finite(st[j], w->alive, n);
        if (at < n) return fault(w, at, (int)j, 1, -1, 0, st[j][at], bad);
    }
    uint64_t key_h[TY_TIME_MAX_SHOCKS], key_e[TY_SCENARIO_MAX_OUTCOMES];
    for (size_t h = 0; h < H; h++) key_h[h] = draw_key(seed, b, p->shock_key[h]);
    for (size_t k = 0; k < E; k++) key_e[k] = draw_key(seed, b, p->event_key[k]);
    size_t m = n, nlive = n;          /* slots in the arrays; paths alive among them */
    uint64_t t;
    for (t = 1; t <= p->T && nlive > 0; t++) {
        if (nlive * 4 <= m * 3) m = compact(p, w, m);   /* a quarter ended: drop them */
        for (size_t i = 0; i < m; i++) stepcol[i] = (double)t;
        for (size_t h = 0; h < H; h++) {
            for (size_t i = 0; i < m; i++) w->u[i] = draw_uniform(key_h[h], t, w->idx[i]);
            ty_dist_quantile_block(p->shock[h], w->u, w->in[F + D + h], m);
        }
        for (size_t j = 0; j < S; j++) {
            double *out = w->tmp;
            ty_status rc = ty_program_run(p->next[j], w->vm[2 * j + 1], m, (const double *const *)w->in, &out,
                                          NULL, NULL);
            if (rc != TY_OK) return rc;
            size_t at = first_not_finite(w->tmp, w->alive, m);
            if (at < m) return fault(w, at, (int)j, 0, -1, t, w->tmp[at], bad);
            memcpy(st[j], w->tmp, m * sizeof(double));
        }
        if (E) {
            ty_status rc = ty_program_run(p->hazards, w->vm[2 * S], m, (const double *const *)w->in, w->hz,
                                          NULL, NULL);
            if (rc != TY_OK) return rc;
            for (size_t k = 0; k < E; k++) {
                size_t at = first_not_finite(w->hz[k], w->alive, m);
                if (at < m) return fault(w, at, -1, 0, (int)k, t, w->hz[k][at], bad);
            }
        }
        /* Reported step: the states of the paths running in it, and of all. */
        int reported = p->report[p->slot[t]] == t;
        size_t r = p->slot[t];
        if (reported) {
            w->live[r] = (double)nlive;
            for (size_t j = 0; j < S; j++) {
                double sum = 0;
                for (size_t i = 0; i < m; i++) sum += w->alive[i] ? st[j][i] : 0.0;
                w->st_live[r * S + j] = sum;
                w->st_all[r * S + j] = sum + frozen[j];
            }
            if (w->collect) {
                /* Ended paths hold their last state; live ones are written below. */
                for (size_t j = 0; j < S; j++) {
                    double *dst = w->collect + (j * p->R + r) * w->ncollect + w->collect_off;
                    for (size_t i = 0; i < n; i++)
                        if (w->end_step[i]) dst[i] = w->last[j * B + i];
                    for (size_t i = 0; i < m; i++)
                        if (w->alive[i]) dst[w->idx[i]] = st[j][i];
                }
            }
        }
        /* Each event fires with probability clamp(hazard, 0, 1); the first
         * listed that fires wins. */
        for (size_t i = 0; i < m; i++) {
            if (!w->alive[i]) continue;
            uint32_t s_i = w->idx[i];
            for (size_t k = 0; k < E; k++) {
                double h = w->hz[k][i];
                if (h <= 0) continue;
                if (h >= 1 || draw_uniform(key_e[k], t, s_i) < h) {
                    w->alive[i] = 0;
                    nlive--;
                    w->end_step[s_i] = (uint32_t)t;
                    w->end_event[s_i] = (uint32_t)k;
                    for (size_t j = 0; j < S; j++) {
                        w->last[j * B + s_i] = st[j][i];
                        frozen[j] += st[j][i];
                    }
                    break;
                }
            }
        }
    }
    /* Reported steps after every path ended (the loop stopped before t):
     * all paths hold their last state. */
    for (size_t r = t <= p->T ? p->slot[t] : p->R; r < p->R; r++) {
        for (size_t j = 0; j < S; j++) w->st_all[r * S + j] = frozen[j];
        if (w->collect)
            for (size_t j = 0; j < S; j++) {
                double *dst = w->collect + (j * p->R + r) * w->ncollect + w->collect_off;
                for (size_t i = 0; i < n; i++) dst[i] = w->last[j * B + i];
            }
    }
    for (size_t k = 0; k < K; k++)
        if (ocol[k])
            for (size_t i = 0; i < n; i++) ocol[k][i] = w->end_event[i] == k ? 1.0 : 0.0;
    return TY_OK;
}
