/* cpu.h - the instruction-set level the hot loops run at, chosen once per
 * process at run time, and the names of the per-level copies of those loops.
 *
 * Why: a Debian package must run on any x86-64, so the library is built
 * without -march=native; but the generator's lanes, the samplers, the
 * expression VM and the tallies run 1.5-2x faster with AVX2 or AVX-512. So
 * the files that hold them are compiled three times (engine/CMakeLists.txt,
 * "Run-time dispatch"): as themselves at the baseline (x86-64), and through
 * a two-line wrapper FILE_avx2.c / FILE_avx512.c that defines CPU_VARIANT
 * and includes FILE.c, at -march=x86-64-v3 and -march=x86-64-v4. Every
 * external function of such a file is named CPU_FN(name): name_base,
 * name_avx2, name_avx512; its caller picks one with CPU_PICK(name).
 *
 * Results are bit-identical on every path: the project compiles with
 * -ffp-contract=off (no fused multiply-add unless a call asks for fma()),
 * nothing is reassociated, and the generator's lanes are integer exact.
 * tests/cli/isa_paths.sh checks it. */
#ifndef TYCHE_CPU_H
#define TYCHE_CPU_H

typedef enum {
    CPU_ISA_BASELINE,   /* x86-64 (SSE2), or any other architecture */
    CPU_ISA_AVX2,       /* x86-64-v3: AVX2, FMA, BMI1/2 */
    CPU_ISA_AVX512,     /* x86-64-v4: AVX-512 F, DQ, BW, VL, CD */
    CPU_ISA_COUNT
} cpu_isa_level;

/* The level the hot loops run at: the best the CPU (and the OS) supports,
 * unless the environment variable TYCHE_ISA names another (baseline, avx2,
 * avx512; for tests and benchmarks). Chosen once, on the first call, under
 * pthread_once, and never changed after: thread-safe, and the same for
 * every call of the process. An unknown name or a level the CPU lacks is
 * not followed (the best level runs) and cpu_isa_error says why. */
cpu_isa_level cpu_isa(void);

/* "baseline", "avx2" or "avx512"; NULL for anything else. */
const char *cpu_isa_name(cpu_isa_level isa);

/* 1 if this CPU (and OS) can run level isa. */
int cpu_isa_supported(cpu_isa_level isa);

/* NULL, or a message (static, one line) saying why TYCHE_ISA was not
 * followed. */
const char *cpu_isa_error(void);

/* Per-level copies exist where gcc or clang targets x86-64; elsewhere the
 * baseline copy is the only one. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CPU_DISPATCH 1
#else
#define CPU_DISPATCH 0
#endif

/* The name of this compilation's copy of function name: a wrapper defines
 * CPU_VARIANT (avx2, avx512) before it includes anything. */
#define CPU_CAT_(a, b) a##_##b
#define CPU_CAT(a, b) CPU_CAT_(a, b)
#ifdef CPU_VARIANT
#define CPU_FN(name) CPU_CAT(name, CPU_VARIANT)
#else
#define CPU_FN(name) name##_base
#endif

/* Declares the copies of a function: CPU_DECLARE(void, f, (int x)). */
#if CPU_DISPATCH
#define CPU_DECLARE(ret, name, params) \
    ret name##_base params;            \
    ret name##_avx2 params;            \
    ret name##_avx512 params
/* The copy of name for the chosen level (a function designator). */
#define CPU_PICK(name)                                            \
    (cpu_isa() == CPU_ISA_AVX512 ? name##_avx512                  \
     : cpu_isa() == CPU_ISA_AVX2 ? name##_avx2 : name##_base)
#else
#define CPU_DECLARE(ret, name, params) ret name##_base params
#define CPU_PICK(name) name##_base
#endif

#endif
