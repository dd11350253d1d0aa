/* test_cpu.c - the instruction-set paths (util/cpu.h) against each other:
 * every copy of the generator's block fill gives ty_rng_next's outputs and
 * final state, and every copy of the block sampler the baseline copy's
 * draws, bit for bit, for each level this CPU can run (the others are
 * skipped with a line saying so). tests/cli/isa_paths.sh compares whole
 * result files across the paths. */
#include "harness.h"
#include "dist_check.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dist/dist_internal.h"
#include "rng/rng_fill.h"
#include "util/cpu.h"

typedef void (*fill_fn)(ty_rng *, uint64_t *, double *, size_t);
typedef void (*sample_fn)(const ty_dist *, ty_rng *, double *, size_t);

#if CPU_DISPATCH
static const fill_fn fills[CPU_ISA_COUNT] = {rng_fill_block_base, rng_fill_block_avx2, rng_fill_block_avx512};
static const sample_fn samplers[CPU_ISA_COUNT] = {dist_sample_block_base, dist_sample_block_avx2,
                                                  dist_sample_block_avx512};
#else
static const fill_fn fills[CPU_ISA_COUNT] = {rng_fill_block_base, NULL, NULL};
static const sample_fn samplers[CPU_ISA_COUNT] = {dist_sample_block_base, NULL, NULL};
#endif

static int level_runs(int l)
{
    if (fills[l] && cpu_isa_supported((cpu_isa_level)l)) return 1;
    printf("  skip %s: %s\n", cpu_isa_name((cpu_isa_level)l),
           fills[l] ? "this CPU cannot run it" : "no copy for this architecture");
    return 0;
}

static void test_chosen_level(void)
{
    cpu_isa_level l = cpu_isa();
    CHECK(l >= CPU_ISA_BASELINE && l < CPU_ISA_COUNT);
    CHECK(cpu_isa_supported(l));
    CHECK(cpu_isa_supported(CPU_ISA_BASELINE));
    CHECK_STR(cpu_isa_name(CPU_ISA_AVX512), "avx512");
    CHECK(cpu_isa_name(CPU_ISA_COUNT) == NULL);
    CHECK(cpu_isa() == l);   /* chosen once */
}

/* Every length 0..600 and a few long ones, as u64 and as doubles, against
 * ty_rng_next: the lanes' start, full groups, the masked tail, the state. */
static void test_fill_every_level(void)
{
    static uint64_t u[5000];
    static double d[5000];
    static const size_t longs[] = {1023, 1024, 4096, 4097, 4999};
    for (int l = 0; l < CPU_ISA_COUNT; l++) {
        if (!level_runs(l)) continue;
        int bad = 0;
        for (size_t k = 0; k < 601 + sizeof longs / sizeof longs[0] && !bad; k++) {
            size_t n = k < 601 ? k : longs[k - 601];
            ty_rng a, b, c;
            ty_rng_for_block(&a, 12345, k, ty_rng_hash_name("fill"));
            b = a;
            c = a;
            fills[l](&b, u, NULL, n);
            fills[l](&c, NULL, d, n);
            for (size_t i = 0; i < n && !bad; i++) {
                ty_rng r = a;
                uint64_t want = ty_rng_next(&a);
                double wd = ty_rng_uniform(&r);
                bad = u[i] != want || memcmp(&d[i], &wd, sizeof wd) != 0;
                CHECK_MSG(!bad, "%s fill: n %zu output %zu differs", cpu_isa_name((cpu_isa_level)l), n, i);
            }
            CHECK_MSG(b.state == a.state && c.state == a.state, "%s fill: n %zu final state differs",
                      cpu_isa_name((cpu_isa_level)l), n);
        }
    }
}

/* The block sampler's copies on every family and its special cases
 * (truncation, shapes below 1, the binomial and Poisson algorithms). */
static void test_sampler_every_level(void)
{
    ty_dist *ds[] = {
        mk(TY_DIST_UNIFORM, 0.3, 0.9, 0),     mk(TY_DIST_NORMAL, 40000, 8000, 0),
        mkb(TY_DIST_NORMAL, 40000, 8000, 0, 15000, 100000),
        mkb(TY_DIST_NORMAL, 0, 1, 0, 4, 5),   mk(TY_DIST_LOGNORMAL, 0, 0.25, 0),
        mk(TY_DIST_BETA, 6, 4, 0),            mk(TY_DIST_BETA, 0.5, 0.5, 0),
        mk(TY_DIST_GAMMA, 2, 1, 0),           mk(TY_DIST_GAMMA, 0.5, 3, 0),
        mk(TY_DIST_TRIANGULAR, 10, 20, 50),   mk(TY_DIST_PERT, 0.05, 0.25, 0.8),
        mk(TY_DIST_BERNOULLI, 0.8, 0, 0),     mk(TY_DIST_BINOMIAL, 20, 0.3, 0),
        mk(TY_DIST_BINOMIAL, 1000, 0.4, 0),   mk(TY_DIST_POISSON, 3, 0, 0),
        mk(TY_DIST_POISSON, 100, 0, 0),       mk(TY_DIST_STUDENT_T, 5, 10, 2),
        mk(TY_DIST_LOGUNIFORM, 1, 1000, 0),   mk(TY_DIST_EXPONENTIAL, 0.5, 0, 0),
        mk(TY_DIST_WEIBULL, 1.5, 3, 0),       mk(TY_DIST_CONSTANT, 7, 0, 0),
    };
    const size_t nd = sizeof ds / sizeof ds[0], n = 4099;
    static double want[4099], got[4099];
    for (size_t j = 0; j < nd; j++) {
        CHECK(ds[j] != NULL);
        if (!ds[j]) continue;
        ty_rng r0;
        ty_rng_for_block(&r0, 2014, j, ty_rng_hash_name("sampler"));
        ty_rng ra = r0;
        samplers[CPU_ISA_BASELINE](ds[j], &ra, want, n);
        for (int l = 1; l < CPU_ISA_COUNT; l++) {
            if (!samplers[l] || !cpu_isa_supported((cpu_isa_level)l)) continue;
            ty_rng rb = r0;
            samplers[l](ds[j], &rb, got, n);
            CHECK_MSG(memcmp(want, got, sizeof want) == 0 && ra.state == rb.state,
                      "case %zu (%s): %s draws differ from baseline's", j,
                      ty_dist_kind_name(ty_dist_get_spec(ds[j])->kind), cpu_isa_name((cpu_isa_level)l));
        }
        ty_dist_free(ds[j]);
    }
}

TEST_MAIN(test_chosen_level, test_fill_every_level, test_sampler_every_level)
