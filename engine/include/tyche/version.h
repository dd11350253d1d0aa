/* version.h - the library's version, one place. */
#ifndef TYCHE_VERSION_H
#define TYCHE_VERSION_H

#define TY_VERSION_MAJOR 0
#define TY_VERSION_MINOR 1
#define TY_VERSION_PATCH 0
#define TY_VERSION_STRING "0.1.0"

/* Returns TY_VERSION_STRING as compiled into the library. */
const char *ty_version(void);

/* The instruction-set path the library's hot loops (generator, samplers,
 * expression VM, tallies) run on: "baseline" (x86-64), "avx2" (x86-64-v3)
 * or "avx512" (x86-64-v4). The best the CPU supports, chosen once per
 * process, unless the environment variable TYCHE_ISA names another; every
 * path gives the same results, bit for bit (docs/architecture.md,
 * "Run-time dispatch"). Thread-safe. */
const char *ty_version_isa(void);

/* NULL, or a one-line message saying why TYCHE_ISA was not followed (an
 * unknown name, or a path this CPU cannot run); the best path runs then.
 * The tyche command refuses to run (exit 2) when it is not NULL. */
const char *ty_version_isa_error(void);

#endif
