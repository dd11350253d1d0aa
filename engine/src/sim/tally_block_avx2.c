/* tally_block_avx2.c - tally_block.c compiled for the avx2 level (util/cpu.h). */
#define CPU_VARIANT avx2
#include "util/cpu.h"
#if CPU_DISPATCH
#include "tally_block.c"
#endif
