/* cpu.c - chooses the instruction-set level of the hot loops once per
 * process (util/cpu.h says why and how the copies are built). The choice
 * is the library's only mutable static state: written once under
 * pthread_once, read-only after. */
#include "util/cpu.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const isa_names[CPU_ISA_COUNT] = {"baseline", "avx2", "avx512"};

static pthread_once_t isa_once = PTHREAD_ONCE_INIT;
static cpu_isa_level isa_chosen = CPU_ISA_BASELINE;
static char isa_error[160];

const char *cpu_isa_name(cpu_isa_level isa)
{
    return (unsigned)isa < CPU_ISA_COUNT ? isa_names[isa] : NULL;
}

int cpu_isa_supported(cpu_isa_level isa)
{
    if (isa == CPU_ISA_BASELINE) return 1;
#if CPU_DISPATCH
    /* The features -march=x86-64-v3 and -v4 let the compiler use that
     * __builtin_cpu_supports knows under both gcc and clang (LZCNT, MOVBE
     * and F16C come with AVX2 on every CPU that has it); libgcc checks
     * with XGETBV that the OS saves the registers too, and valgrind's
     * CPUID hides AVX-512, so a program under it takes the AVX2 path. */
    __builtin_cpu_init();
    int v3 = __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2")
             && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi")
             && __builtin_cpu_supports("bmi2");
    if (isa == CPU_ISA_AVX2) return v3;
    if (isa == CPU_ISA_AVX512)
        return v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
               && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
               && __builtin_cpu_supports("avx512cd");
#endif
    return 0;
}

static void isa_choose(void)
{
    cpu_isa_level best = CPU_ISA_BASELINE;
    for (int l = CPU_ISA_BASELINE; l < CPU_ISA_COUNT; l++)
        if (cpu_isa_supported((cpu_isa_level)l)) best = (cpu_isa_level)l;
    isa_chosen = best;
    const char *want = getenv("TYCHE_ISA");
    if (!want || !*want) return;
    for (int l = CPU_ISA_BASELINE; l < CPU_ISA_COUNT; l++) {
        if (strcmp(want, isa_names[l]) != 0) continue;
        if (cpu_isa_supported((cpu_isa_level)l)) {
            isa_chosen = (cpu_isa_level)l;
        } else {
            snprintf(isa_error, sizeof isa_error, "TYCHE_ISA=%s: this CPU cannot run that path (best: %s)",
                     isa_names[l], isa_names[best]);
        }
        return;
    }
    snprintf(isa_error, sizeof isa_error, "TYCHE_ISA=%.40s: unknown path (baseline, avx2 or avx512)", want);
}

cpu_isa_level cpu_isa(void)
{
    pthread_once(&isa_once, isa_choose);
    return isa_chosen;
}

const char *cpu_isa_error(void)
{
    pthread_once(&isa_once, isa_choose);
    return isa_error[0] ? isa_error : NULL;
}
