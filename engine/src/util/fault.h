/* fault.h - internal: the hooks of the fault-injection build (CMake option
 * TYCHE_FAULT_INJECTION, preset `fault`), SQLite-style: fail the Nth
 * allocation (fault.c wraps malloc and friends at link time) or the Nth I/O
 * operation of a result-file write (the io module asks fault_io at each of
 * its injection points). In every other build fault_io is a constant 0 and
 * nothing is wrapped. The environment variables are described in fault.c
 * and docs/testing.md. */
#ifndef TYCHE_FAULT_H
#define TYCHE_FAULT_H

#ifdef TYCHE_FAULT_INJECTION
/* Counts one I/O operation of the given kind ("write", "flush", "close",
 * "fsync", "rename", "dirsync") for the whole process; nonzero when
 * TYCHE_FAULT_IO says this one fails. Thread-safe. */
int fault_io(const char *kind);
#else
static inline int fault_io(const char *kind) { (void)kind; return 0; }
#endif

#endif
