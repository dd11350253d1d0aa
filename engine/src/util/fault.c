/* fault.c - the fault-injection build's counters (TYCHE_FAULT_INJECTION;
 * empty otherwise). SQLite-style: a test fails the Nth allocation or the Nth
 * I/O operation and checks that tyche exits cleanly, N = 1, 2, ...
 * (tests/fault/fault_loop.sh). Environment, read once at start-up:
 *
 *   TYCHE_FAULT_ALLOC=N    the Nth allocation made by tyche's own code fails
 *                          (returns NULL); N+ fails the Nth and every later one
 *   TYCHE_FAULT_IO=N       the Nth I/O operation of a result-file write fails
 *                          (any kind, counted in order); KIND:N the Nth of one
 *                          kind (write, flush, close, fsync, rename, dirsync)
 *   TYCHE_FAULT_REPORT=F   at exit, append the counts to file F: "alloc N",
 *                          "io N" and "io.KIND N" lines
 *   TYCHE_FAULT_STACK=1    print the stack of each injected allocation
 *                          failure (sanitizer builds), to find its call site
 *
 * Allocations are counted by wrapping malloc, calloc, realloc, strdup,
 * strndup and aligned_alloc at link time (-Wl,--wrap, engine/CMakeLists.txt):
 * every call from libtyche and the tyche command goes through the wrappers
 * without a line of theirs changing, while HDF5, libyaml and the OpenMP
 * runtime (shared libraries, not wrapped) keep the real allocator: their
 * own handling of a failed malloc is not ours to test. The counters are
 * the one piece of global state in the library, and exist in this build only. */
#ifdef TYCHE_FAULT_INJECTION

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

static const char *const kinds[] = {"write", "flush", "close", "fsync", "rename", "dirsync"};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static long alloc_count, alloc_fail;  /* allocations so far; the one to fail (0: none) */
static int alloc_persist;             /* "N+": every allocation from the Nth fails */
static long io_count, io_kind_count[NKINDS], io_fail;
static int io_fail_kind = -1;         /* -1: io_fail counts every kind */
static const char *report_path;
static int print_stack;

/* The sanitizers' stack printer, where a sanitizer is linked in. */
extern void __sanitizer_print_stack_trace(void) __attribute__((weak));

static int kind_index(const char *kind)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(kinds[i], kind) == 0) return (int)i;
    return -1;
}

/* A positive whole number at s, ending at end (or the string's end). */
static long parse_n(const char *s, char **end)
{
    long n = strtol(s, end, 10);
    return *end == s || n < 0 ? 0 : n;
}

static void report(void)
{
    FILE *f = fopen(report_path, "a");
    if (!f) return;
    fprintf(f, "alloc %ld\nio %ld\n", __atomic_load_n(&alloc_count, __ATOMIC_RELAXED),
            __atomic_load_n(&io_count, __ATOMIC_RELAXED));
    for (size_t i = 0; i < NKINDS; i++)
        fprintf(f, "io.%s %ld\n", kinds[i], __atomic_load_n(&io_kind_count[i], __ATOMIC_RELAXED));
    fclose(f);
}

/* Runs before main (and before any allocation of ours). A malformed
 * setting is a test's mistake: say so and stop, rather than test nothing. */
__attribute__((constructor)) static void fault_setup(void)
{
    const char *a = getenv("TYCHE_FAULT_ALLOC"), *io = getenv("TYCHE_FAULT_IO");
    char *end;
    if (a && *a) {
        alloc_fail = parse_n(a, &end);
        alloc_persist = *end == '+';
        if (!alloc_fail || (*end && strcmp(end, "+") != 0)) {
            fprintf(stderr, "tyche (fault build): TYCHE_FAULT_ALLOC='%s' is not N or N+\n", a);
            exit(2);
        }
    }
    if (io && *io) {
        const char *colon = strchr(io, ':');
        if (colon) {
            char kind[16];
            size_t len = (size_t)(colon - io);
            if (len >= sizeof kind) len = sizeof kind - 1;
            memcpy(kind, io, len);
            kind[len] = '\0';
            io_fail_kind = kind_index(kind);
            io = colon + 1;
        }
        io_fail = parse_n(io, &end);
        if (!io_fail || *end || (colon && io_fail_kind < 0)) {
            fprintf(stderr, "tyche (fault build): TYCHE_FAULT_IO='%s' is not N or KIND:N\n",
                    getenv("TYCHE_FAULT_IO"));
            exit(2);
        }
    }
    const char *stack = getenv("TYCHE_FAULT_STACK");
    print_stack = stack && *stack && strcmp(stack, "0") != 0;
    report_path = getenv("TYCHE_FAULT_REPORT");
    if (report_path && *report_path) atexit(report);
}

int fault_io(const char *kind)
{
    int k = kind_index(kind);
    long n = __atomic_add_fetch(&io_count, 1, __ATOMIC_RELAXED);
    long nk = k >= 0 ? __atomic_add_fetch(&io_kind_count[k], 1, __ATOMIC_RELAXED) : 0;
    if (!io_fail) return 0;
    return io_fail_kind < 0 ? n == io_fail : k == io_fail_kind && nk == io_fail;
}

/* Nonzero when this allocation is to fail. */
static int alloc_fails(void)
{
    long n = __atomic_add_fetch(&alloc_count, 1, __ATOMIC_RELAXED);
    if (!alloc_fail || !(n == alloc_fail || (alloc_persist && n > alloc_fail))) return 0;
    if (print_stack && __sanitizer_print_stack_trace) {
        fprintf(stderr, "tyche (fault build): allocation %ld fails here:\n", n);
        __sanitizer_print_stack_trace();
    }
    return 1;
}

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__real_aligned_alloc(size_t align, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t size);

void *__wrap_malloc(size_t size) { return alloc_fails() ? NULL : __real_malloc(size); }
void *__wrap_calloc(size_t n, size_t size) { return alloc_fails() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t size) { return alloc_fails() ? NULL : __real_realloc(p, size); }
char *__wrap_strdup(const char *s) { return alloc_fails() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return alloc_fails() ? NULL : __real_strndup(s, n); }
void *__wrap_aligned_alloc(size_t align, size_t size)
{
    return alloc_fails() ? NULL : __real_aligned_alloc(align, size);
}

#else
typedef int fault_injection_is_off;   /* ISO C wants a translation unit to declare something */
#endif
