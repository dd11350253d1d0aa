/* rng.h - PCG64 with the DXSM output function (128-bit LCG state, 64-bit
 * "cheap" multiplier), bit-compatible with NumPy's PCG64DXSM for the same
 * state and increment.
 *
 * Reference: M. E. O'Neill, "PCG: A Family of Simple Fast Space-Efficient
 * Statistically Good Algorithms for Random Number Generation", HMC-CS-2014-0905;
 * DXSM output as in NumPy 1.21+ (pcg_cm_random_r): the output is taken from the
 * state before the step, and the LCG step uses the 64-bit multiplier
 * 0xda942042e4dd58b5.
 *
 * ty_rng is a small value type: each thread keeps its own copy on the stack.
 * No function here has hidden state; all are reentrant. */
#ifndef TYCHE_RNG_H
#define TYCHE_RNG_H

#include "common.h"

#define TY_RNG_MULT UINT64_C(0xda942042e4dd58b5)

typedef struct ty_rng {
    ty_u128 state;
    ty_u128 inc;      /* always odd */
} ty_rng;

/* Sets the raw state and increment exactly as NumPy's
 * PCG64DXSM().state = {"state": {"state": state, "inc": inc}} does
 * (inc is forced odd). */
void ty_rng_set_raw(ty_rng *rng, ty_u128 state, ty_u128 inc);

/* Seeds like pcg64's srandom: inc = 2*stream+1, state = 0, step,
 * state += seed, step. Distinct streams give distinct sequences. */
void ty_rng_seed(ty_rng *rng, ty_u128 seed, ty_u128 stream);

/* Next 64-bit output. */
static inline uint64_t ty_rng_next(ty_rng *rng)
{
    uint64_t hi = (uint64_t)(rng->state >> 64);
    uint64_t lo = (uint64_t)rng->state | 1u;
    hi ^= hi >> 32;
    hi *= TY_RNG_MULT;
    hi ^= hi >> 48;
    hi *= lo;
    rng->state = rng->state * TY_RNG_MULT + rng->inc;
    return hi;
}

/* Next double uniform on [0,1) with 53 random bits (NumPy's random()). */
static inline double ty_rng_uniform(ty_rng *rng)
{
    return (double)(ty_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* Next double uniform on the open interval (0,1): never 0, for logs. */
static inline double ty_rng_uniform_pos(ty_rng *rng)
{
    return ((double)(ty_rng_next(rng) >> 11) + 0.5) * 0x1.0p-53;
}

/* Unbiased integer in [0, bound) by Lemire's multiply-and-reject
 * (D. Lemire, "Fast Random Integer Generation in an Interval", ACM TOMACS
 * 29(1), 2019). bound must be > 0. */
uint64_t ty_rng_bounded(ty_rng *rng, uint64_t bound);

/* Advances the generator by delta steps in O(log delta) (F. Brown, "Random
 * Number Generation with Arbitrary Stride", Trans. Am. Nucl. Soc. 1994).
 * Going back k steps is advancing by 2^128 - k, i.e. (ty_u128)0 - k. */
void ty_rng_advance(ty_rng *rng, ty_u128 delta);

/* Fills out[0..n) with the next n 64-bit outputs. */
void ty_rng_fill(ty_rng *rng, uint64_t *out, size_t n);

/* Fills out[0..n) with the next n doubles on [0,1), as ty_rng_uniform. */
void ty_rng_fill_uniform(ty_rng *rng, double *out, size_t n);

/* 64-bit hash of a name (FNV-1a followed by the SplitMix64 finaliser), the
 * name's part of a stream key. */
uint64_t ty_rng_hash_name(const char *name);

/* The stream for (seed, block, name), docs/architecture.md, 'Determinism': state and increment
 * come from SplitMix64 chains over (seed, block, hash of name), so
 *  - the stream of a factor depends only on its name, never on its position
 *    in the scenario: variants sharing a factor draw identical values;
 *  - every block starts at an independent point of a distinct stream, so
 *    blocks can be run in any order on any thread.
 * name_hash is ty_rng_hash_name(name); taking the hash lets the run loop
 * hash each name once. */
void ty_rng_for_block(ty_rng *rng, uint64_t seed, uint64_t block, uint64_t name_hash);

/* Parses up to 32 hex digits (optional 0x) into *out. Returns 0 on success,
 * -1 on an empty string, a non-hex digit or more than 32 digits. */
int ty_rng_parse_u128(const char *text, ty_u128 *out);

/* Writes v as 32 lowercase hex digits plus NUL into buf[33]. */
void ty_rng_format_u128(ty_u128 v, char buf[33]);

#endif
