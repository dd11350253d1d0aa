/* test_rng.c - PCG64-DXSM against NumPy's known answers, jump-ahead, bounded
 * integers, uniform doubles, and the per-(seed, block, name) streams. */
#include "harness.h"

#include <stdint.h>

#include "tyche/rng.h"

static ty_u128 u128_of(const char *hex)
{
    ty_u128 v = 0;
    int rc = ty_rng_parse_u128(hex, &v);
    CHECK(rc == 0);
    return v;
}

/* Reads tests/data/pcg64dxsm_kat.txt (made by gen_pcg64dxsm_kat.py from
 * NumPy's PCG64DXSM) and checks every output and every advanced state. */
static void test_known_answers_from_numpy(void)
{
    FILE *f = fopen(TYCHE_TEST_DATA "/pcg64dxsm_kat.txt", "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[256], a[64], b[64];
    ty_rng rng = {0, 1}, start = {0, 1};
    int cases = 0, outs = 0, advances = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "case %63s %63s", a, b) == 2) {
            ty_rng_set_raw(&rng, u128_of(a), u128_of(b));
            start = rng;
            cases++;
        } else if (sscanf(line, "out %63s", a) == 1) {
            uint64_t want = (uint64_t)u128_of(a);
            uint64_t got = ty_rng_next(&rng);
            CHECK_MSG(got == want, "case %d output %d: got %016llx want %016llx", cases, outs,
                      (unsigned long long)got, (unsigned long long)want);
            outs++;
        } else if (sscanf(line, "advance %63s %63s", a, b) == 2) {
            ty_rng r = start;
            ty_rng_advance(&r, u128_of(a));
            CHECK_MSG(r.state == u128_of(b), "case %d advance by %s", cases, a);
            advances++;
        }
    }
    fclose(f);
    CHECK(cases == 6);
    CHECK(outs == 6 * 16);
    CHECK(advances == 6 * 5);
}

static void test_advance_equals_steps_and_back(void)
{
    ty_rng base;
    ty_rng_seed(&base, 42, 54);
    const uint64_t ks[] = {0, 1, 2, 17, 1000, 65537};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        ty_rng stepped = base, jumped = base;
        for (uint64_t s = 0; s < ks[i]; s++) (void)ty_rng_next(&stepped);
        ty_rng_advance(&jumped, ks[i]);
        CHECK_MSG(stepped.state == jumped.state, "advance(%llu)", (unsigned long long)ks[i]);
        CHECK(ty_rng_next(&stepped) == ty_rng_next(&jumped));
        /* Backwards: advance by 2^128 - k undoes k steps (and the output just taken). */
        ty_rng_advance(&jumped, (ty_u128)0 - (ty_u128)(ks[i] + 1));
        CHECK_MSG(jumped.state == base.state, "advance(-%llu)", (unsigned long long)ks[i]);
    }
    /* A huge jump and its inverse. */
    ty_rng r = base;
    ty_u128 delta = ((ty_u128)0x123456789abcdefULL << 64) | 0xfedcba9876543210ULL;
    ty_rng_advance(&r, delta);
    CHECK(r.state != base.state);
    ty_rng_advance(&r, (ty_u128)0 - delta);
    CHECK(r.state == base.state);
}

static void test_fill_matches_next(void)
{
    ty_rng a, b;
    ty_rng_seed(&a, 7, 9);
    b = a;
    uint64_t buf[1000];
    double u[1000];
    ty_rng_fill(&a, buf, 1000);
    for (int i = 0; i < 1000; i++) CHECK(buf[i] == ty_rng_next(&b));
    ty_rng_fill_uniform(&a, u, 1000);
    for (int i = 0; i < 1000; i++) {
        uint64_t x = ty_rng_next(&b);
        CHECK(u[i] == (double)(x >> 11) * 0x1.0p-53);
        CHECK(u[i] >= 0.0 && u[i] < 1.0);
    }
    CHECK(a.state == b.state);
}

/* The block fills (multi-lane with AVX-512, rng.c) against ty_rng_next for
 * every length 0..FILL_MAX, odd and even, from several states including
 * all-ones and zero words and an unaligned destination: same outputs, same
 * final state, increment untouched, nothing written past out[n). */
#define FILL_MAX 3000
static void test_fill_every_length(void)
{
    static uint64_t ref[FILL_MAX + 1];
    static ty_u128 ref_state[FILL_MAX + 1];
    static uint64_t buf[FILL_MAX + 9];
    static double dbuf[FILL_MAX + 9];
    const ty_u128 ones = ~(ty_u128)0;
    const ty_rng starts[] = {
        {0, 1},
        {ones, ones},
        {(ty_u128)UINT64_MAX, ones << 64 | 1},
        {u128_of("0123456789abcdeffedcba9876543210"), u128_of("deadbeefcafef00d0000000012345679")},
        {ones << 64, 3},
    };
    for (size_t k = 0; k < sizeof starts / sizeof starts[0] + 1; k++) {
        ty_rng s;
        if (k < sizeof starts / sizeof starts[0]) ty_rng_set_raw(&s, starts[k].state, starts[k].inc);
        else ty_rng_seed(&s, 12345, 678);
        ty_rng t = s;
        for (size_t i = 0; i <= FILL_MAX; i++) {
            ref_state[i] = t.state;
            ref[i] = ty_rng_next(&t);
        }
        for (size_t n = 0; n <= FILL_MAX; n++) {
            size_t off = n & 1;   /* odd n also writes at an odd (8-byte) offset */
            const uint64_t guard = UINT64_C(0x5a5a5a5a5a5a5a5a);
            for (size_t i = 0; i < n + 9; i++) buf[i] = guard;
            ty_rng a = s;
            ty_rng_fill(&a, buf + off, n);
            size_t bad = 0;
            for (size_t i = 0; i < n; i++) bad += buf[off + i] != ref[i];
            for (size_t i = n + off; i < n + 9; i++) bad += buf[i] != guard;
            if (off) bad += buf[0] != guard;
            CHECK_MSG(bad == 0, "start %zu, n %zu: %zu wrong words", k, n, bad);
            CHECK_MSG(a.state == ref_state[n] && a.inc == s.inc, "start %zu, n %zu: state", k, n);

            for (size_t i = 0; i < n + 9; i++) dbuf[i] = -1.0;
            a = s;
            ty_rng_fill_uniform(&a, dbuf + off, n);
            bad = 0;
            for (size_t i = 0; i < n; i++) bad += dbuf[off + i] != (double)(ref[i] >> 11) * 0x1.0p-53;
            for (size_t i = n + off; i < n + 9; i++) bad += dbuf[i] != -1.0;
            if (off) bad += dbuf[0] != -1.0;
            CHECK_MSG(bad == 0, "start %zu, n %zu: %zu wrong doubles", k, n, bad);
            CHECK_MSG(a.state == ref_state[n] && a.inc == s.inc, "start %zu, n %zu: uniform state", k, n);
        }
    }
}

static void test_uniform_endpoints(void)
{
    /* An output of all ones maps to the largest double below 1, zero to 0. */
    CHECK((double)(UINT64_MAX >> 11) * 0x1.0p-53 == 1.0 - 0x1.0p-53);
    ty_rng r;
    ty_rng_seed(&r, 1, 1);
    for (int i = 0; i < 100000; i++) {
        double p = ty_rng_uniform_pos(&r);
        CHECK(p > 0.0 && p < 1.0);
    }
}

/* Chi-square of ty_rng_bounded over k cells, n draws. Critical values at
 * alpha = 1e-6 (df = k-1): false-failure rate 1e-6 per call, 3 calls. */
static double chi_square_bounded(uint64_t bound, int k, int n, uint64_t seed)
{
    ty_rng r;
    ty_rng_seed(&r, seed, 3);
    long counts[64] = {0};
    for (int i = 0; i < n; i++) {
        uint64_t x = ty_rng_bounded(&r, bound);
        CHECK(x < bound);
        /* Map to k cells by the value's position in [0, bound). */
        int cell = (int)((double)x / (double)bound * k);
        counts[cell < k ? cell : k - 1]++;
    }
    double chi = 0;
    for (int c = 0; c < k; c++) {
        double expect = (double)n / k;
        chi += (counts[c] - expect) * (counts[c] - expect) / expect;
    }
    return chi;
}

static void test_bounded_unbiased(void)
{
    ty_rng r;
    ty_rng_seed(&r, 5, 5);
    for (int i = 0; i < 1000; i++) CHECK(ty_rng_bounded(&r, 1) == 0);
    /* bound 6, 6 cells: chi2(5) critical at 1e-6 is 35.9. */
    CHECK(chi_square_bounded(6, 6, 600000, 11) < 35.9);
    /* bound 2^63 + 2^62: a plain modulo would put twice the weight on the
     * low third; 3 cells, chi2(2) critical at 1e-6 is 27.6. */
    CHECK(chi_square_bounded((UINT64_C(1) << 63) + (UINT64_C(1) << 62), 3, 300000, 12) < 27.6);
    /* bound 2^63 + 1: rejection rate near 1/2; 2 cells, chi2(1) at 1e-6 is 23.9. */
    CHECK(chi_square_bounded((UINT64_C(1) << 63) + 1, 2, 200000, 13) < 23.9);
}

static void test_seed_streams_distinct(void)
{
    ty_rng a, b, c;
    ty_rng_seed(&a, 2014, 0);
    ty_rng_seed(&b, 2014, 1);
    ty_rng_seed(&c, 2014, 0);
    int same_ab = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = ty_rng_next(&a);
        same_ab += x == ty_rng_next(&b);
        CHECK(x == ty_rng_next(&c));
    }
    CHECK(same_ab == 0);
}

static void test_parse_and_format(void)
{
    ty_u128 v;
    CHECK(ty_rng_parse_u128("0x1f", &v) == 0 && v == 31);
    CHECK(ty_rng_parse_u128("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", &v) == 0 && v == (ty_u128)0 - 1);
    CHECK(ty_rng_parse_u128("1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", &v) == -1); /* 33 digits */
    CHECK(ty_rng_parse_u128("", &v) == -1);
    CHECK(ty_rng_parse_u128("0x", &v) == -1);
    CHECK(ty_rng_parse_u128("12g", &v) == -1);
    char buf[33];
    ty_rng_format_u128(((ty_u128)0xdeadbeefULL << 64) | 0x1234, buf);
    CHECK_STR(buf, "00000000deadbeef0000000000001234");
}

/* Pearson correlation of the uniforms of two generators over n draws. */
static double correlation(ty_rng a, ty_rng b, int n)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        double x = ty_rng_uniform(&a), y = ty_rng_uniform(&b);
        sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
    }
    double cov = sxy / n - (sx / n) * (sy / n);
    return cov / sqrt((sxx / n - (sx / n) * (sx / n)) * (syy / n - (sy / n) * (sy / n)));
}

static void test_block_streams_distinct(void)
{
    /* 4 seeds x 200 blocks x 8 names = 6400 streams: all first outputs and
     * all states distinct. A chance 64-bit collision has probability ~1e-12. */
    enum { NS = 4, NB = 200, NN = 8, TOTAL = NS * NB * NN };
    static const char *names[NN] = {"troops", "troopz", "resistance", "sanctions",
                                    "talks", "a", "b", ""};
    static uint64_t first[TOTAL];
    int k = 0;
    for (int s = 0; s < NS; s++)
        for (int b = 0; b < NB; b++)
            for (int n = 0; n < NN; n++) {
                ty_rng r;
                ty_rng_for_block(&r, (uint64_t)s, (uint64_t)b, ty_rng_hash_name(names[n]));
                CHECK(r.inc & 1u);
                first[k++] = ty_rng_next(&r);
            }
    int dups = 0;
    for (int i = 0; i < TOTAL; i++)
        for (int j = i + 1; j < TOTAL; j++)
            dups += first[i] == first[j];
    CHECK(dups == 0);
    /* The stream depends only on (seed, block, name): the same triple twice
     * gives the same sequence. */
    ty_rng x, y;
    ty_rng_for_block(&x, 2014, 77, ty_rng_hash_name("troops"));
    ty_rng_for_block(&y, 2014, 77, ty_rng_hash_name("troops"));
    for (int i = 0; i < 100; i++) CHECK(ty_rng_next(&x) == ty_rng_next(&y));
}

static void test_block_streams_uncorrelated(void)
{
    /* Neighbouring keys (block b and b+1, seed s and s+1, names differing in
     * one letter) must give uncorrelated uniforms. Under independence the
     * correlation of n pairs has sd 1/sqrt(n); |r| < 5/sqrt(n) fails by
     * chance with probability 5.7e-7 per pair, 30 pairs: 1.7e-5 overall. */
    const int n = 200000;
    const double limit = 5.0 / sqrt((double)n);
    uint64_t h = ty_rng_hash_name("troops"), h2 = ty_rng_hash_name("troopz");
    for (uint64_t b = 0; b < 10; b++) {
        ty_rng r1, r2, r3, r4, r5;
        ty_rng_for_block(&r1, 2014, b, h);
        ty_rng_for_block(&r2, 2014, b + 1, h);
        ty_rng_for_block(&r3, 2015, b, h);
        ty_rng_for_block(&r4, 2014, b, h2);
        r5 = r1;
        CHECK(fabs(correlation(r1, r2, n)) < limit);
        CHECK(fabs(correlation(r1, r3, n)) < limit);
        CHECK(fabs(correlation(r1, r4, n)) < limit);
        /* A sanity check that the test has power: a stream against itself
         * shifted by nothing correlates perfectly. */
        if (b == 0) CHECK(correlation(r1, r5, 1000) > 0.999);
    }
}

static void test_hash_name(void)
{
    CHECK(ty_rng_hash_name("troops") != ty_rng_hash_name("troopz"));
    CHECK(ty_rng_hash_name("ab") != ty_rng_hash_name("ba"));
    CHECK(ty_rng_hash_name("") != ty_rng_hash_name("a"));
    /* The hash keys every factor's stream, so it is part of what a seed
     * reproduces: pinned to FNV-1a 64 then SplitMix64's finaliser (values
     * from an independent Python computation), and it reads the name's
     * bytes, not its address. */
    CHECK(ty_rng_hash_name("talks") == UINT64_C(0x94c1831d9b6ef997));
    CHECK(ty_rng_hash_name("") == UINT64_C(0xf52a15e9a9b5e89b));
    char copy[] = "talks";
    CHECK(ty_rng_hash_name(copy) == ty_rng_hash_name("talks"));
}

TEST_MAIN(test_known_answers_from_numpy, test_advance_equals_steps_and_back,
          test_fill_matches_next, test_fill_every_length, test_uniform_endpoints, test_bounded_unbiased,
          test_seed_streams_distinct, test_parse_and_format, test_block_streams_distinct,
          test_block_streams_uncorrelated, test_hash_name)
