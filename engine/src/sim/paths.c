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

/* The key of (seed, block, name) of an event's draws: each element passes
 * a full mix before the next enters. */
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
    p->R = paths_nreport(p->T);
    p->report = calloc(p->R, sizeof *p->report);
    p->slot = calloc(p->T + 1, sizeof *p->slot);
    if (!p->init || !p->next || !p->shock || !p->shock_key || !p->report || !p->slot)
        return TY_ERR_NOMEM;
    for (size_t j = 0; j < p->S; j++) {
        p->init[j] = ty_scenario_state(s, j)->init;
        p->next[j] = ty_scenario_state(s, j)->next;
    }
    for (size_t h = 0; h < p->H; h++) {
        p->shock[h] = ty_scenario_shock(s, h)->dist;
        p->shock_key[h] = ty_rng_hash_name(ty_scenario_shock(s, h)->name);
    }
    /* '@' cannot start a name: the events' stream differs from a factor's. */
    p->events_key = ty_rng_hash_name("@events");
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
    free(w->ev);
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
    w->ev = malloc(B * sizeof *w->ev);
    w->vm = calloc(2 * p->S + 2, sizeof *w->vm);   /* NULL-terminated */
    w->end_step = malloc(B * sizeof *w->end_step);
    w->end_event = malloc(B * sizeof *w->end_event);
    w->last = calloc(p->S * B + 1, sizeof *w->last);
    w->st_all = calloc(p->R * p->S + 1, sizeof *w->st_all);
    w->st_live = calloc(p->R * p->S + 1, sizeof *w->st_live);
    w->live = calloc(p->R, sizeof *w->live);
    if (!w->cols || !w->in || !w->iin || !w->hz || !w->tmp || !w->u || !w->idx || !w->alive || !w->ev || !w->vm ||
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

/* The shocks of step t for the m slots: each shock's draws come in chunks
 * of CHUNK paths (by their index in the block), a chunk's from its own
 * stream keyed by (seed, block, shock, step, chunk) through the family's
 * fast sampler, drawn whole whenever one of its paths is alive. So a
 * path's draw depends on nothing but its own index, whichever others are
 * alive, and a shock costs the chunks that hold live paths. */
#define CHUNK 64
static void draw_shocks(const paths_plan *p, paths_ws *w, uint64_t seed, uint64_t b, uint64_t t, size_t m)
{
    for (size_t h = 0; h < p->H; h++) {
        for (size_t c = 0; c < B / CHUNK; c++) {
            if (!w->chunk_live[c]) continue;
            ty_rng rng;
            ty_rng_for_block(&rng, seed, b, mix64(p->shock_key[h] + GOLDEN * (t * (B / CHUNK) + c + 1)));
            ty_dist_sample(p->shock[h], &rng, w->u + c * CHUNK, CHUNK);
        }
        double *col = w->in[p->F + p->D + h];
        if (w->idx[m - 1] == m - 1) memcpy(col, w->u, m * sizeof *col);   /* not compacted yet */
        else
            for (size_t i = 0; i < m; i++) col[i] = w->u[w->idx[i]];
    }
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
    uint32_t *keep = (uint32_t *)w->ev;   /* free between steps */
    for (size_t i = 0; i < m; i++) {
        keep[k] = (uint32_t)i;
        k += w->alive[i];
    }
    /* Column by column: each a tight gather (keep[i] >= i, in place). */
    for (size_t c = 0; c < ncols; c++) {
        double *col = w->in[c];
        for (size_t i = 0; i < k; i++) col[i] = col[keep[i]];
    }
    for (size_t i = 0; i < k; i++) {
        w->idx[i] = w->idx[keep[i]];
        w->alive[i] = 1;
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
    for (size_t c = 0; c < F; c++) memcpy(w->in[c], fcol[c], n * sizeof(double));
    for (size_t c = 0; c < D; c++) memcpy(w->in[F + c], dcol[c], n * sizeof(double));
    for (size_t c = 0; c < B / CHUNK; c++)
        w->chunk_live[c] = (uint16_t)(c * CHUNK >= n ? 0 : n - c * CHUNK >= CHUNK ? CHUNK : n - c * CHUNK);
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
    uint64_t key_e = draw_key(seed, b, p->events_key);
    size_t m = n, nlive = n;          /* slots in the arrays; paths alive among them */
    uint64_t t;
    for (t = 1; t <= p->T && nlive > 0; t++) {
        if (nlive * 4 <= m * 3) m = compact(p, w, m);   /* a quarter ended: drop them */
        for (size_t i = 0; i < m; i++) stepcol[i] = (double)t;
        if (H) draw_shocks(p, w, seed, b, t, m);
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
                /* Eight lanes: a vectorised sum, in a fixed order. */
                double lane[8] = {0}, sum = 0;
                const double *x = st[j];
                size_t i = 0;
                for (; i + 8 <= m; i += 8)
                    for (size_t l = 0; l < 8; l++) lane[l] += w->alive[i + l] ? x[i + l] : 0.0;
                for (; i < m; i++) lane[i & 7] += w->alive[i] ? x[i] : 0.0;
                for (size_t l = 0; l < 8; l++) sum += lane[l];
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
        /* Each event fires with probability clamp(hazard, 0, 1), the draws
         * independent, the first listed that fires winning: the same as
         * one uniform u per path and step taken through the events in
         * order, event k firing when u < h_k and u otherwise rescaled to
         * (u - h_k) / (1 - h_k), uniform again given that k did not fire.
         * One draw instead of one per event; branch-free passes. */
        int32_t *ev = w->ev;
        double *u = w->u;
        for (size_t i = 0; i < m; i++) {
            ev[i] = w->alive[i] ? -1 : -2;
            u[i] = draw_uniform(key_e, t, w->idx[i]);
        }
        for (size_t k = 0; k < E; k++) {
            const double *hz = w->hz[k];
            int last = k + 1 == E;
            for (size_t i = 0; i < m; i++) {
                double h = hz[i] < 0 ? 0.0 : hz[i] > 1 ? 1.0 : hz[i];
                int fire = (ev[i] == -1) & (u[i] < h);
                ev[i] = fire ? (int32_t)k : ev[i];
                if (!last) u[i] = h < 1 ? (u[i] - h) / (1 - h) : 0.5;
            }
        }
        for (size_t i = 0; i < m; i++) {
            if (ev[i] < 0) continue;
            uint32_t s_i = w->idx[i];
            w->alive[i] = 0;
            nlive--;
            w->chunk_live[s_i / CHUNK]--;
            w->end_step[s_i] = (uint32_t)t;
            w->end_event[s_i] = (uint32_t)ev[i];
            for (size_t j = 0; j < S; j++) {
                w->last[j * B + s_i] = st[j][i];
                frozen[j] += st[j][i];
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
