/* vm_exec_avx2.c - vm_exec.c compiled for the avx2 level (util/cpu.h). */
#define CPU_VARIANT avx2
#include "util/cpu.h"
#if CPU_DISPATCH
#include "vm_exec.c"
#endif
