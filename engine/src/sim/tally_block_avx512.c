/* tally_block_avx512.c - tally_block.c compiled for the avx512 level (util/cpu.h). */
#define CPU_VARIANT avx512
#include "util/cpu.h"
#if CPU_DISPATCH
#include "tally_block.c"
#endif
