/* bench_draws.c - micro-benchmark of the generator and the samplers: ns per
 * 64-bit output, per double and per draw of each distribution, drawn in
 * blocks of 4096 into one reused buffer, as the run loop draws them.
 * It times only sampling: building a ty_dist is outside the timed region.
 * The quantile:NAME rows time ty_dist_quantile_block (Latin hypercube
 * sampling, copulas) on a fixed block of 4096 uniforms, ns per value.
 * bench/run-draws runs it beside bench/peers/numpy_draws.py. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tyche/dist.h"
#include "tyche/rng.h"

#define BLOCK 4096          /* draws per call, as the run loop's blocks */
#define MAX_REPS 101
#define CALIBRATE_S 0.02    /* time the calibration aims at before scaling */

typedef enum mode {
    MODE_FILL,              /* ty_rng_fill: 64-bit outputs into the buffer */
    MODE_NEXT,              /* ty_rng_next inlined in a plain loop, no stores */
    MODE_FILL_UNIFORM,      /* ty_rng_fill_uniform: doubles on [0,1) */
    MODE_DIST,              /* ty_dist_sample */
    MODE_QUANTILE           /* ty_dist_quantile_block of fixed uniforms */
} mode;

static const double discrete_values[5] = {1, 2, 3, 4, 5};
static const double discrete_weights[5] = {0.1, 0.2, 0.3, 0.25, 0.15};
static const double metalog_x[3] = {10, 20, 40}, metalog_p[3] = {0.1, 0.5, 0.9};
static const ty_dist_spec mixture_comps[2] = {
    {.kind = TY_DIST_NORMAL, .param = {0, 1}}, {.kind = TY_DIST_GAMMA, .param = {2, 1}}};
static const double mixture_weights[2] = {0.7, 0.3};

/* One benchmark: name is the key shared with the NumPy peer's output (no
 * spaces, so the TSV stays one field per column). */
typedef struct bench_case {
    const char *name;
    mode mode;
    ty_dist_spec spec;
} bench_case;

#define DIST(name_, kind_, ...) \
    {name_, MODE_DIST, {.kind = TY_DIST_##kind_, .param = {__VA_ARGS__}}}
#define QUANT(name_, kind_, ...) \
    {name_, MODE_QUANTILE, {.kind = TY_DIST_##kind_, .param = {__VA_ARGS__}}}
#define TRUNC(name_, mean_, sd_, lo_, hi_)                                     \
    {name_, MODE_DIST, {.kind = TY_DIST_NORMAL, .param = {mean_, sd_},         \
                        .has_bounds = 1, .lo = lo_, .hi = hi_}}

static const bench_case cases[] = {
    {"rng_fill_u64", MODE_FILL, {0}},
    {"rng_next_u64", MODE_NEXT, {0}},
    {"rng_fill_uniform", MODE_FILL_UNIFORM, {0}},
    DIST("uniform(0,1)", UNIFORM, 0, 1),
    DIST("normal(0,1)", NORMAL, 0, 1),
    DIST("lognormal(0,1)", LOGNORMAL, 0, 1),
    DIST("beta(2,3)", BETA, 2, 3),
    DIST("beta(0.5,0.5)", BETA, 0.5, 0.5),
    DIST("gamma(2,1)", GAMMA, 2, 1),
    DIST("gamma(0.5,1)", GAMMA, 0.5, 1),
    DIST("triangular(10,20,50)", TRIANGULAR, 10, 20, 50),
    DIST("pert(10,20,50)", PERT, 10, 20, 50),
    DIST("bernoulli(0.3)", BERNOULLI, 0.3),
    DIST("binomial(20,0.3)", BINOMIAL, 20, 0.3),
    DIST("binomial(1000,0.4)", BINOMIAL, 1000, 0.4),
    DIST("poisson(3)", POISSON, 3),
    DIST("poisson(100)", POISSON, 100),
    {"discrete(5)", MODE_DIST, {.kind = TY_DIST_DISCRETE, .values = discrete_values,
                                .weights = discrete_weights, .nvalues = 5}},
    DIST("student_t(5,10,2)", STUDENT_T, 5, 10, 2),
    DIST("loguniform(1,1000)", LOGUNIFORM, 1, 1000),
    DIST("exponential(0.5)", EXPONENTIAL, 0.5),
    DIST("weibull(1.5,3)", WEIBULL, 1.5, 3),
    {"metalog(3_terms)", MODE_DIST, {.kind = TY_DIST_METALOG, .values = metalog_x, .weights = metalog_p,
                                     .nvalues = 3, .nweights = 3}},
    {"mixture(normal,gamma)", MODE_DIST, {.kind = TY_DIST_MIXTURE, .components = mixture_comps,
                                          .ncomponents = 2, .weights = mixture_weights, .nweights = 2}},
    {"student_t(1)[-10,10]", MODE_DIST, {.kind = TY_DIST_STUDENT_T, .param = {1, 0, 1},
                                         .has_bounds = 1, .lo = -10, .hi = 10}},
    TRUNC("normal(40000,8000)[15000,100000]", 40000, 8000, 15000, 100000),
    TRUNC("normal(0,1)[4,5]", 0, 1, 4, 5),
    QUANT("quantile:normal(0,1)", NORMAL, 0, 1),
    QUANT("quantile:beta(2,3)", BETA, 2, 3),
    QUANT("quantile:gamma(2,1)", GAMMA, 2, 1),
    QUANT("quantile:pert(250,500,1300)", PERT, 250, 500, 1300),
    QUANT("quantile:student_t(5,10,2)", STUDENT_T, 5, 10, 2),
    QUANT("quantile:weibull(1.5,3)", WEIBULL, 1.5, 3),
    {"quantile:metalog(3_terms)", MODE_QUANTILE, {.kind = TY_DIST_METALOG, .values = metalog_x,
                                                 .weights = metalog_p, .nvalues = 3, .nweights = 3}},
    {"quantile:mixture(normal,gamma)", MODE_QUANTILE, {.kind = TY_DIST_MIXTURE, .components = mixture_comps,
                                                      .ncomponents = 2, .weights = mixture_weights,
                                                      .nweights = 2}},
};
#define NCASES (sizeof cases / sizeof cases[0])

static double clock_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Wall time, what is reported. */
static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* This thread's CPU time: beside the wall time it shows how long the
 * benchmark sat descheduled on a busy machine. */
static double cpu_s(void)
{
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static uint64_t double_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* Buffers reused by every block: the samplers write to memory that is
 * already in cache, as in the run loop. */
static uint64_t ubuf[BLOCK];
static double dbuf[BLOCK];
static double qbuf[BLOCK];     /* MODE_QUANTILE: uniforms, drawn once */

/* Draws nblocks blocks of c and returns a checksum of a few outputs per
 * block. The sampling calls go into libtyche, which the compiler cannot see
 * through, so they are never removed; the inlined ty_rng_next loop folds
 * every output into the checksum. */
static uint64_t run_blocks(const bench_case *c, const ty_dist *dist, ty_rng *rng, size_t nblocks)
{
    uint64_t sum = 0;
    switch (c->mode) {
    case MODE_FILL:
        for (size_t b = 0; b < nblocks; b++) {
            ty_rng_fill(rng, ubuf, BLOCK);
            sum += ubuf[0] ^ ubuf[BLOCK - 1];
        }
        break;
    case MODE_NEXT: {
        ty_rng r = *rng;
        for (size_t b = 0; b < nblocks; b++)
            for (size_t i = 0; i < BLOCK; i++)
                sum ^= ty_rng_next(&r);
        *rng = r;
        break;
    }
    case MODE_FILL_UNIFORM:
        for (size_t b = 0; b < nblocks; b++) {
            ty_rng_fill_uniform(rng, dbuf, BLOCK);
            sum += double_bits(dbuf[0]) ^ double_bits(dbuf[BLOCK - 1]);
        }
        break;
    case MODE_DIST:
        for (size_t b = 0; b < nblocks; b++) {
            ty_dist_sample(dist, rng, dbuf, BLOCK);
            sum += double_bits(dbuf[0]) ^ double_bits(dbuf[BLOCK / 2])
                   ^ double_bits(dbuf[BLOCK - 1]);
        }
        break;
    case MODE_QUANTILE:
        for (size_t b = 0; b < nblocks; b++) {
            ty_dist_quantile_block(dist, qbuf, dbuf, BLOCK);
            sum += double_bits(dbuf[0]) ^ double_bits(dbuf[BLOCK / 2])
                   ^ double_bits(dbuf[BLOCK - 1]);
        }
        break;
    }
    return sum;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct result {
    double median, min, max;    /* wall ns per draw over the repetitions */
    double cpu_median;          /* CPU ns per draw, median */
    size_t draws;               /* per repetition */
} result;

static double median_of(double *x, int n)
{
    qsort(x, (size_t)n, sizeof x[0], cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

/* Times c: one warm-up block, a calibration that doubles the block count
 * until CALIBRATE_S has passed, then reps repetitions of about target_s each.
 * *checksum absorbs every output checksum. */
static result time_case(const bench_case *c, const ty_dist *dist, double target_s, int reps,
                        uint64_t *checksum)
{
    ty_rng rng;
    ty_rng_seed(&rng, 2014, 0);
    *checksum += run_blocks(c, dist, &rng, 1);

    size_t nblocks = 1;
    double t;
    for (;;) {
        double t0 = now_s();
        *checksum += run_blocks(c, dist, &rng, nblocks);
        t = now_s() - t0;
        if (t >= CALIBRATE_S || nblocks >= ((size_t)1 << 40))
            break;
        nblocks *= 2;
    }
    double per_block = t / (double)nblocks;
    nblocks = (size_t)(target_s / per_block) + 1;

    double ns[MAX_REPS], cpu_ns[MAX_REPS];
    const double draws = (double)nblocks * BLOCK;
    for (int r = 0; r < reps; r++) {
        double c0 = cpu_s(), t0 = now_s();
        *checksum += run_blocks(c, dist, &rng, nblocks);
        t = now_s() - t0;
        ns[r] = t * 1e9 / draws;
        cpu_ns[r] = (cpu_s() - c0) * 1e9 / draws;
    }
    result res;
    res.median = median_of(ns, reps);   /* sorts ns */
    res.min = ns[0];
    res.max = ns[reps - 1];
    res.cpu_median = median_of(cpu_ns, reps);
    res.draws = nblocks * BLOCK;
    return res;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench_draws [--time SECONDS] [--reps N] [--only NAME] [--quiet] [--list]\n"
            "  Times the generator and each sampler in blocks of %d draws.\n"
            "  stdout: TSV (name, ns_per_draw, min_ns, max_ns, draws_per_rep, cpu_ns_per_draw):\n"
            "  wall-clock ns per draw (median, min, max over the repetitions), then the\n"
            "  median CPU time per draw, lower than the wall time when the machine is busy;\n"
            "  stderr: the same as a table, unless --quiet.\n"
            "  --time  seconds per repetition (default 0.25)\n"
            "  --reps  repetitions; the median is reported (default 5)\n"
            "  --only  run only the case called NAME (as in the first column)\n"
            "  --list  print the case names and exit\n",
            BLOCK);
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' ? 0 : -1;
}

int main(int argc, char **argv)
{
    double target_s = 0.25;
    double reps_d = 5;
    const char *only = NULL;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--list") == 0) {
            for (size_t k = 0; k < NCASES; k++)
                printf("%s\n", cases[k].name);
            return 0;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--time") == 0 && i + 1 < argc) {
            if (parse_double(argv[++i], &target_s) != 0 || !(target_s > 0 && target_s < 100)) {
                fprintf(stderr, "bench_draws: --time wants seconds in (0, 100), not '%s'\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--reps") == 0 && i + 1 < argc) {
            if (parse_double(argv[++i], &reps_d) != 0 || !(reps_d >= 1 && reps_d <= MAX_REPS)
                || reps_d != (double)(int)reps_d) {
                fprintf(stderr, "bench_draws: --reps wants an integer in [1, %d], not '%s'\n",
                        MAX_REPS, argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    int reps = (int)reps_d;

    ty_diag *diag = ty_diag_new(16);
    if (!diag) {
        fprintf(stderr, "bench_draws: out of memory\n");
        return 1;
    }
    const ty_pos pos = {"bench_draws.c", 0, 0};
    uint64_t checksum = 0;
    int status = 0;
    ty_rng qrng;
    ty_rng_seed(&qrng, 4096, 1);
    ty_rng_fill_uniform(&qrng, qbuf, BLOCK);

    printf("name\tns_per_draw\tmin_ns\tmax_ns\tdraws_per_rep\tcpu_ns_per_draw\n");
    if (!quiet)
        fprintf(stderr, "%-34s %12s %10s %10s %14s %12s\n", "draw", "ns/draw", "min", "max",
                "draws/rep", "cpu ns/draw");
    for (size_t k = 0; k < NCASES; k++) {
        const bench_case *c = &cases[k];
        if (only && strcmp(c->name, only) != 0)
            continue;
        ty_dist *dist = NULL;
        if (c->mode == MODE_DIST || c->mode == MODE_QUANTILE) {
            size_t seen = ty_diag_count(diag);
            ty_status st = ty_dist_new(&c->spec, &dist, diag, &pos);
            if (st != TY_OK) {
                for (size_t e = seen; e < ty_diag_count(diag); e++)
                    fprintf(stderr, "bench_draws: %s: %s\n", c->name, ty_diag_get(diag, e)->message);
                fprintf(stderr, "bench_draws: %s: ty_dist_new failed (status %d)\n", c->name,
                        (int)st);
                status = 1;
                continue;
            }
        }
        result r = time_case(c, dist, target_s, reps, &checksum);
        ty_dist_free(dist);
        printf("%s\t%.3f\t%.3f\t%.3f\t%zu\t%.3f\n", c->name, r.median, r.min, r.max, r.draws,
               r.cpu_median);
        fflush(stdout);
        if (!quiet)
            fprintf(stderr, "%-34s %12.3f %10.3f %10.3f %14zu %12.3f\n", c->name, r.median, r.min,
                    r.max, r.draws, r.cpu_median);
    }
    /* The checksum keeps every timed call live; printing it is the proof. */
    printf("# checksum\t%016llx\n", (unsigned long long)checksum);
    if (!quiet)
        fprintf(stderr, "checksum %016llx (median of %d repetitions of ~%.2f s each)\n",
                (unsigned long long)checksum, reps, target_s);
    ty_diag_free(diag);
    return status;
}
