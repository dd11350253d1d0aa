/* bench_vm.c - the expression VM against the same formulas hand-written in
 * C: the bench model's derived values, five logit scores and the softmax
 * (bench/../shared MODEL.md), over pre-filled factor arrays in blocks.
 * Prints ns/sample for each and the ratio. Single thread.
 *
 *   bench_vm [TOTAL_SAMPLES [BLOCK]]     defaults 1e7, 4096 */
#include "tyche/tyche.h"
#include "util/vmath.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *const factors[] = {"troops", "resistance", "sanctions", "talks",
                                      "us_resolve", "territory", "squeeze_value",
                                      "crimea_secure"};
static const ty_expr_def derived[] = {
    {"force_needed", {0}, "30000 * territory * (0.5 + resistance)", {"bench", 1, 1}},
    {"force_ratio", {0}, "troops / force_needed", {"bench", 2, 1}},
    {"sanction_cost", {0}, "sanctions * (1 - 0.5 * talks)", {"bench", 3, 1}},
};
static const ty_expr_def outcomes[] = {
    {"invasion", {0}, "-3.0 + 2.0*force_ratio - 2.5*resistance - 2.0*sanction_cost"
                      " - 1.5*squeeze_value + 0.5*(1 - crimea_secure)", {"bench", 4, 1}},
    {"squeeze", {0}, "0.5 + 1.5*squeeze_value + 1.0*talks", {"bench", 5, 1}},
    {"federal_deal", {0}, "-1.0 + 1.5*talks*(1 - us_resolve)", {"bench", 6, 1}},
    {"showdown", {0}, "-1.5 + 2.0*us_resolve + 1.0*sanctions - 0.5*talks", {"bench", 7, 1}},
    {"withdrawal", {0}, "-2.5 + 2.0*sanction_cost + 1.0*(1 - squeeze_value)"
                        " - 0.5*crimea_secure", {"bench", 8, 1}},
};

/* The hand-written loop, as a C programmer would write it for speed (restrict
 * pointers and `omp simd`, without which gcc 12 does not vectorise it); EXP is vm_exp (the same exp the VM uses) or libm's. */
#define HAND(name, EXP, SIMD)                                                                 \
    static void name(double *const *f, double *const *d, double *const *o, size_t n)     \
    {                                                                                   \
        const double *restrict f0 = f[0], *restrict f1 = f[1], *restrict f2 = f[2];      \
        const double *restrict f3 = f[3], *restrict f4 = f[4], *restrict f5 = f[5];      \
        const double *restrict f6 = f[6], *restrict f7 = f[7];                           \
        double *restrict d0 = d[0], *restrict d1 = d[1], *restrict d2 = d[2];            \
        double *restrict o0 = o[0], *restrict o1 = o[1], *restrict o2 = o[2];            \
        double *restrict o3 = o[3], *restrict o4 = o[4];                                 \
        SIMD                                                                            \
        for (size_t i = 0; i < n; i++) {                                                \
            double troops = f0[i], resistance = f1[i], sanctions = f2[i];                \
            double talks = f3[i], us_resolve = f4[i], territory = f5[i];                 \
            double squeeze_value = f6[i], crimea_secure = f7[i];                         \
            double force_needed = 30000 * territory * (0.5 + resistance);               \
            double force_ratio = troops / force_needed;                                 \
            double sanction_cost = sanctions * (1 - 0.5 * talks);                       \
            d0[i] =   force_needed;                                                     \
            d1[i] =   force_ratio;                                                      \
            d2[i] =   sanction_cost;                                                    \
            double s0 = -3.0 + 2.0 * force_ratio - 2.5 * resistance -                   \
                        2.0 * sanction_cost - 1.5 * squeeze_value +                     \
                        0.5 * (1 - crimea_secure);                                      \
            double s1 = 0.5 + 1.5 * squeeze_value + 1.0 * talks;                        \
            double s2 = -1.0 + 1.5 * talks * (1 - us_resolve);                          \
            double s3 = -1.5 + 2.0 * us_resolve + 1.0 * sanctions - 0.5 * talks;        \
            double s4 = -2.5 + 2.0 * sanction_cost + 1.0 * (1 - squeeze_value) -        \
                        0.5 * crimea_secure;                                            \
            double m = s0;                                                              \
            m = s1 > m ? s1 : m;                                                        \
            m = s2 > m ? s2 : m;                                                        \
            m = s3 > m ? s3 : m;                                                        \
            m = s4 > m ? s4 : m;                                                        \
            double e0 = EXP(s0 - m), e1 = EXP(s1 - m), e2 = EXP(s2 - m);                \
            double e3 = EXP(s3 - m), e4 = EXP(s4 - m);                                  \
            double sum = e0 + e1 + e2 + e3 + e4;                                        \
            o0[i] =   e0 / sum;                                                         \
            o1[i] =   e1 / sum;                                                         \
            o2[i] =   e2 / sum;                                                         \
            o3[i] =   e3 / sum;                                                         \
            o4[i] =   e4 / sum;                                                         \
        }                                                                               \
    }
HAND(hand_vmexp, vm_exp, _Pragma("omp simd"))
HAND(hand_libm, exp, )   /* clang cannot vectorise libm exp: no pragma */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t lcg(uint64_t *s) { return *s = *s * 6364136223846793005u + 1442695040888963407u; }
static double unif(uint64_t *s) { return (double)(lcg(s) >> 11) * 0x1p-53; }

int main(int argc, char **argv)
{
    size_t total = argc > 1 ? (size_t)atof(argv[1]) : 10000000;
    size_t block = argc > 2 ? (size_t)atof(argv[2]) : 4096;
    size_t nblocks = total / block;
    /* a pool of pre-filled blocks, cycled, so factor generation is not timed */
    enum { POOL = 16 };
    double *f[POOL][8], *d[3], *o[5], *o2[5];
    uint64_t s = 2014;
    for (int b = 0; b < POOL; b++)
        for (int j = 0; j < 8; j++) {
            f[b][j] = malloc(block * sizeof(double));
            for (size_t i = 0; i < block; i++) {
                double u = unif(&s);
                switch (j) {
                case 0: f[b][j][i] = 40000 + 8000 * (u - 0.5) * 3.4; break;
                case 3: f[b][j][i] = u < 0.8; break;
                case 5: f[b][j][i] = exp(0.25 * (u - 0.5) * 3.4); break;
                case 7: f[b][j][i] = u < 0.9; break;
                default: f[b][j][i] = u;
                }
            }
        }
    for (int k = 0; k < 3; k++) d[k] = malloc(block * sizeof(double));
    for (int k = 0; k < 5; k++) { o[k] = malloc(block * sizeof(double)); o2[k] = malloc(block * sizeof(double)); }

    ty_program_spec spec = {factors, NULL, 8, derived, 3, TY_OUTCOME_LOGIT, outcomes, 5};
    ty_program *prog;
    ty_diag *diag = ty_diag_new(10);
    if (ty_program_new(&spec, &prog, diag) != TY_OK) {
        fprintf(stderr, "bench_vm: %s\n", ty_diag_get(diag, 0)->message);
        return 1;
    }
    ty_diag_free(diag);
    ty_vm_scratch *scratch = ty_vm_scratch_new(prog);
    size_t len = ty_program_disasm(prog, NULL, 0);
    char *listing = malloc(len + 1);
    ty_program_disasm(prog, listing, len + 1);
    printf("bytecode: %zu instructions, %zu temporaries\n%s", ty_program_ninstr(prog),
           ty_program_ntemps(prog), listing);
    free(listing);

    double acc[3] = {0, 0, 0}, best[3] = {1e30, 1e30, 1e30};
    for (int rep = 0; rep < 3; rep++) {
        for (int which = 0; which < 3; which++) {
            double t0 = now();
            for (size_t b = 0; b < nblocks; b++) {
                double *const *fb = f[b % POOL];
                if (which == 0)
                    ty_program_run(prog, scratch, block, (const double *const *)fb, d, o, NULL);
                else if (which == 1)
                    hand_vmexp(fb, d, o2, block);
                else
                    hand_libm(fb, d, o2, block);
                acc[which] += o[0][b % block] + o2[0][b % block];
            }
            double t = now() - t0;
            if (t < best[which]) best[which] = t;
        }
    }
    /* the VM and the hand loop with the same exp agree bit for bit */
    ty_program_run(prog, scratch, block, (const double *const *)f[0], d, o, NULL);
    hand_vmexp(f[0], d, o2, block);
    size_t diff = 0;
    for (int k = 0; k < 5; k++)
        for (size_t i = 0; i < block; i++) diff += o[k][i] != o2[k][i];

    double ns = 1e9 / (double)(nblocks * block);
    printf("samples %zu in blocks of %zu (best of 3)\n", nblocks * block, block);
    printf("VM                    %7.3f ns/sample\n", best[0] * ns);
    printf("hand C, same exp      %7.3f ns/sample\n", best[1] * ns);
    printf("hand C, libm exp      %7.3f ns/sample\n", best[2] * ns);
    printf("ratio VM / hand C (same exp): %.2f\n", best[0] / best[1]);
    printf("ratio VM / hand C (libm exp): %.2f\n", best[0] / best[2]);
    printf("VM vs hand C probabilities differing: %zu of %zu (checksum %g)\n", diff, 5 * block,
           acc[0] + acc[1] + acc[2]);
    ty_vm_scratch_free(scratch);
    ty_program_free(prog);
    for (int b = 0; b < POOL; b++)
        for (int j = 0; j < 8; j++) free(f[b][j]);
    for (int k = 0; k < 3; k++) free(d[k]);
    for (int k = 0; k < 5; k++) { free(o[k]); free(o2[k]); }
    return diff != 0;
}
