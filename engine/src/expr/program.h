/* program.h - the compiled program shared by compile.c (which builds it) and
 * vm.c (which runs and lists it). Not a public header. */
#ifndef TYCHE_PROGRAM_H
#define TYCHE_PROGRAM_H

#include "tyche/expr.h"
#include "opcodes.h"
#include "util/cpu.h"

#include <stdint.h>

#define VM_CHUNK 256          /* samples per pass: registers stay in L1 */
#define VM_MAX_TEMPS 1024

typedef struct vm_instr {
    uint16_t op, dst, a, b, c;
    double k, k2;
} vm_instr;

struct ty_program {
    ty_outcome_model model;
    size_t nfactors, nderived, noutcomes, ntemps;
    size_t nslots;            /* nfactors + nderived + noutcomes + ntemps */
    vm_instr *code;
    size_t ncode;
    char **names;             /* nslots entries; NULL for temporaries */
};

/* Runs the code over one chunk of m samples (vm_exec.c; one copy per
 * instruction-set level, util/cpu.h). Returns m, or the index within the
 * chunk of the faulty sample, with *f filled (but for its sample). */
CPU_DECLARE(size_t, vm_exec_chunk, (const ty_program *p, double *const *S, size_t m, double *aux,
                                    ty_program_fault *f));

#endif
