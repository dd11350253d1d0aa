/* rng_fill_avx2.c - rng_fill.c compiled for the avx2 level (util/cpu.h). */
#define CPU_VARIANT avx2
#include "util/cpu.h"
#if CPU_DISPATCH
#include "rng_fill.c"
#endif
