/* c_loop.c - the bench model (shared/bench-model/MODEL.md) as a hand-written,
 * specialised C + OpenMP loop: tyche's generator and block samplers, then
 * the derived values, the five scores and the softmax written out in C over
 * the block's arrays. No YAML, no expression VM, no histograms, no result
 * file: the speed tyche's general path is measured against, side by side in
 * bench/run. Blocks and streams are tyche's (ty_rng_for_block with the same
 * seed and factor names), so it draws the very values `tyche run` draws and
 * its estimates agree with tyche's to rounding.
 *
 *   c_loop [-n N] [--threads T] [--seed S]
 * prints {"samples", "threads", "wall_seconds", "outcomes": [{"name",
 * "probability", "stderr"}]} on stdout. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tyche/tyche.h"
#include "util/vmath.h"

#define BLOCK TY_RUN_BLOCK
enum { TROOPS, RESISTANCE, SANCTIONS, TALKS, US_RESOLVE, TERRITORY, SQUEEZE_VALUE, CRIMEA, NF };
static const char *const factor_names[NF] = {"troops", "resistance", "sanctions", "talks",
                                             "us_resolve", "territory", "squeeze_value", "crimea_secure"};
static const char *const outcome_names[5] = {"invasion", "squeeze", "federal_deal", "showdown", "withdrawal"};

static ty_dist *make(ty_dist_kind kind, double a, double b, double c, int bounded, double lo, double hi)
{
    ty_dist_spec spec = {.kind = kind, .param = {a, b, c}, .has_bounds = bounded, .lo = lo, .hi = hi};
    ty_dist *d = NULL;
    if (ty_dist_new(&spec, &d, NULL, NULL) != TY_OK) {
        fprintf(stderr, "c_loop: bad distribution\n");
        exit(1);
    }
    return d;
}

int main(int argc, char **argv)
{
    uint64_t n = 10000000, seed = 2014;
    int threads = omp_get_max_threads();
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-n") == 0) n = (uint64_t)strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--threads") == 0) threads = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--seed") == 0) seed = strtoull(argv[i + 1], NULL, 0);
        else { fprintf(stderr, "usage: c_loop [-n N] [--threads T] [--seed S]\n"); return 2; }
    }
    ty_dist *dist[NF] = {
        make(TY_DIST_NORMAL, 40000, 8000, 0, 1, 15000, 100000),
        make(TY_DIST_BETA, 6, 4, 0, 0, 0, 0),
        make(TY_DIST_PERT, 0.05, 0.25, 0.8, 0, 0, 0),
        make(TY_DIST_BERNOULLI, 0.8, 0, 0, 0, 0, 0),
        make(TY_DIST_BETA, 2, 3, 0, 0, 0, 0),
        make(TY_DIST_LOGNORMAL, 0, 0.25, 0, 0, 0, 0),
        make(TY_DIST_UNIFORM, 0.3, 0.9, 0, 0, 0, 0),
        make(TY_DIST_BERNOULLI, 0.9, 0, 0, 0, 0, 0),
    };
    uint64_t hash[NF];
    for (int f = 0; f < NF; f++) hash[f] = ty_rng_hash_name(factor_names[f]);
    uint64_t nblocks = (n + BLOCK - 1) / BLOCK;
    /* Per-block sums of p and p^2, reduced in block order afterwards. */
    double *sums = calloc(nblocks * 10, sizeof *sums);
    if (!sums) return 1;

    double t0 = omp_get_wtime();
#pragma omp parallel num_threads(threads)
    {
        double x[NF][BLOCK], s[5][BLOCK];
#pragma omp for schedule(dynamic, 16)
        for (uint64_t b = 0; b < nblocks; b++) {
            size_t m = (size_t)(b + 1 < nblocks ? BLOCK : n - b * BLOCK);
            for (int f = 0; f < NF; f++) {
                ty_rng rng;
                ty_rng_for_block(&rng, seed, b, hash[f]);
                ty_dist_sample(dist[f], &rng, x[f], m);
            }
            /* One pass per quantity over the block, so each loop vectorises. */
            double *tr = x[TROOPS], *re = x[RESISTANCE], *sa = x[SANCTIONS], *ta = x[TALKS],
                   *us = x[US_RESOLVE], *te = x[TERRITORY], *sv = x[SQUEEZE_VALUE], *cr = x[CRIMEA];
            for (size_t i = 0; i < m; i++) {
                double force_ratio = tr[i] / (30000 * te[i] * (0.5 + re[i]));
                double sanction_cost = sa[i] * (1 - 0.5 * ta[i]);
                s[0][i] = -3.0 + 2.0 * force_ratio - 2.5 * re[i] - 2.0 * sanction_cost
                          - 1.5 * sv[i] + 0.5 * (1 - cr[i]);
                s[4][i] = -2.5 + 2.0 * sanction_cost + 1.0 * (1 - sv[i]) - 0.5 * cr[i];
            }
            for (size_t i = 0; i < m; i++) s[1][i] = 0.5 + 1.5 * sv[i] + 1.0 * ta[i];
            for (size_t i = 0; i < m; i++) s[2][i] = -1.0 + 1.5 * ta[i] * (1 - us[i]);
            for (size_t i = 0; i < m; i++) s[3][i] = -1.5 + 2.0 * us[i] + 1.0 * sa[i] - 0.5 * ta[i];
            for (size_t i = 0; i < m; i++) {
                double mx = s[0][i];
                mx = s[1][i] > mx ? s[1][i] : mx;
                mx = s[2][i] > mx ? s[2][i] : mx;
                mx = s[3][i] > mx ? s[3][i] : mx;
                mx = s[4][i] > mx ? s[4][i] : mx;
                double e0 = vm_exp(s[0][i] - mx), e1 = vm_exp(s[1][i] - mx), e2 = vm_exp(s[2][i] - mx),
                       e3 = vm_exp(s[3][i] - mx), e4 = vm_exp(s[4][i] - mx);
                double inv = 1.0 / (e0 + e1 + e2 + e3 + e4);
                s[0][i] = e0 * inv; s[1][i] = e1 * inv; s[2][i] = e2 * inv;
                s[3][i] = e3 * inv; s[4][i] = e4 * inv;
            }
            for (int k = 0; k < 5; k++) {
                double sum = 0, sq = 0;
                for (size_t i = 0; i < m; i++) { sum += s[k][i]; sq += s[k][i] * s[k][i]; }
                sums[b * 10 + 2 * k] = sum;
                sums[b * 10 + 2 * k + 1] = sq;
            }
        }
    }
    double wall = omp_get_wtime() - t0;

    printf("{\"samples\": %llu, \"threads\": %d, \"wall_seconds\": %.6f, \"outcomes\": [",
           (unsigned long long)n, threads, wall);
    for (int k = 0; k < 5; k++) {
        double sum = 0, sq = 0;
        for (uint64_t b = 0; b < nblocks; b++) { sum += sums[b * 10 + 2 * k]; sq += sums[b * 10 + 2 * k + 1]; }
        double p = sum / (double)n, var = sq / (double)n - p * p;
        double se = var > 0 ? sqrt(var / (double)n) : 0;
        printf("%s{\"name\": \"%s\", \"probability\": %.17g, \"stderr\": %.17g}", k ? ", " : "",
               outcome_names[k], p, se);
    }
    printf("]}\n");
    for (int f = 0; f < NF; f++) ty_dist_free(dist[f]);
    free(sums);
    return 0;
}
