/* dist_sample_avx2.c - dist_sample.c compiled for the avx2 level (util/cpu.h). */
#define CPU_VARIANT avx2
#include "util/cpu.h"
#if CPU_DISPATCH
#include "dist_sample.c"
#endif
