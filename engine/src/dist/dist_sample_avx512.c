/* dist_sample_avx512.c - dist_sample.c compiled for the avx512 level (util/cpu.h). */
#define CPU_VARIANT avx512
#include "util/cpu.h"
#if CPU_DISPATCH
#include "dist_sample.c"
#endif
