/* rng_fill.h - the per-level copies of the block fill (rng_fill.c). */
#ifndef TYCHE_RNG_FILL_H
#define TYCHE_RNG_FILL_H

#include "tyche/rng.h"
#include "util/cpu.h"

#include <stddef.h>
#include <stdint.h>

/* The next n outputs of rng into u, or, when u is NULL, ty_rng_uniform's
 * doubles into d; rng advances n steps. Every copy gives the same values. */
CPU_DECLARE(void, rng_fill_block, (ty_rng *rng, uint64_t *u, double *d, size_t n));

#endif
