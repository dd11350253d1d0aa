/* rng_fill_avx512.c - rng_fill.c compiled for the avx512 level (util/cpu.h). */
#define CPU_VARIANT avx512
#include "util/cpu.h"
#if CPU_DISPATCH
#include "rng_fill.c"
#endif
