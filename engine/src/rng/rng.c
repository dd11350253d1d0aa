/* rng.c - PCG64-DXSM: seeding, jump-ahead, bounded integers, block fills and
 * the stream derivation of docs/architecture.md, 'Determinism'. The per-output step is inline in
 * rng.h so the samplers' loops can keep the state in registers; the block
 * fills' loops are in rng_fill.c, one copy per instruction-set level. */
#include "tyche/rng.h"
#include "rng_fill.h"

void ty_rng_set_raw(ty_rng *rng, ty_u128 state, ty_u128 inc)
{
    rng->state = state;
    rng->inc = inc | 1u;
}

void ty_rng_seed(ty_rng *rng, ty_u128 seed, ty_u128 stream)
{
    rng->inc = (stream << 1) | 1u;
    rng->state = 0;
    (void)ty_rng_next(rng);
    rng->state += seed;
    (void)ty_rng_next(rng);
}

uint64_t ty_rng_bounded(ty_rng *rng, uint64_t bound)
{
    /* Lemire: the high word of x*bound is uniform on [0,bound) once the
     * low word's biased region (below 2^64 mod bound) is rejected. */
    ty_u128 m = (ty_u128)ty_rng_next(rng) * bound;
    uint64_t low = (uint64_t)m;
    if (low < bound) {
        uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            m = (ty_u128)ty_rng_next(rng) * bound;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

void ty_rng_advance(ty_rng *rng, ty_u128 delta)
{
    /* Brown's method: accumulate the affine map x -> acc_mult*x + acc_plus
     * for delta steps by squaring the one-step map. */
    ty_u128 cur_mult = TY_RNG_MULT, cur_plus = rng->inc;
    ty_u128 acc_mult = 1, acc_plus = 0;
    while (delta > 0) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1;
    }
    rng->state = acc_mult * rng->state + acc_plus;
}

/* ---- block fills: the copy for the CPU (rng_fill.c, util/cpu.h) ---- */

void ty_rng_fill(ty_rng *rng, uint64_t *out, size_t n)
{
    CPU_PICK(rng_fill_block)(rng, out, NULL, n);
}

void ty_rng_fill_uniform(ty_rng *rng, double *out, size_t n)
{
    CPU_PICK(rng_fill_block)(rng, NULL, out, n);
}

/* SplitMix64's finaliser (S. Vigna; constants from Stafford's Mix13): a
 * bijection on 64 bits with full avalanche, used to mix stream keys. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t ty_rng_hash_name(const char *name)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);   /* FNV-1a offset basis */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);            /* FNV prime */
    }
    return mix64(h);
}

void ty_rng_for_block(ty_rng *rng, uint64_t seed, uint64_t block, uint64_t name_hash)
{
    /* Four lanes of a keyed SplitMix64 chain; the golden-ratio increments
     * keep lanes apart. Each key element passes a full mix before the next
     * enters, so (seed, block, name) triples that differ anywhere give
     * unrelated 256-bit outputs. */
    const uint64_t golden = UINT64_C(0x9e3779b97f4a7c15);
    uint64_t k = mix64(seed + golden);
    k = mix64(k ^ name_hash);
    uint64_t b = mix64(k ^ mix64(block + 2 * golden));
    ty_u128 state = ((ty_u128)mix64(b + 3 * golden) << 64) | mix64(b + 4 * golden);
    ty_u128 inc = ((ty_u128)mix64(k + 5 * golden) << 64) | mix64(b + 6 * golden);
    ty_rng_set_raw(rng, state, inc);
    (void)ty_rng_next(rng);   /* one step so the first output mixes state and inc */
}

int ty_rng_parse_u128(const char *text, ty_u128 *out)
{
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        text += 2;
    ty_u128 v = 0;
    int ndigits = 0;
    for (const char *p = text; *p; p++) {
        int d;
        if (*p >= '0' && *p <= '9') d = *p - '0';
        else if (*p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F') d = *p - 'A' + 10;
        else return -1;
        if (++ndigits > 32) return -1;
        v = (v << 4) | (ty_u128)d;
    }
    if (ndigits == 0) return -1;
    *out = v;
    return 0;
}

void ty_rng_format_u128(ty_u128 v, char buf[33])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 31; i >= 0; i--) {
        buf[i] = digits[(unsigned)(v & 15u)];
        v >>= 4;
    }
    buf[32] = '\0';
}
