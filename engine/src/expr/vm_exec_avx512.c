/* vm_exec_avx512.c - vm_exec.c compiled for the avx512 level (util/cpu.h). */
#define CPU_VARIANT avx512
#include "util/cpu.h"
#if CPU_DISPATCH
#include "vm_exec.c"
#endif
