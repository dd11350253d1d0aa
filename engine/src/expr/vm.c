/* vm.c - runs a compiled program over a block of samples, chunk by chunk,
 * one instruction at a time over the whole chunk (structure of arrays), so
 * each instruction is a tight loop the compiler vectorises and dispatch
 * costs once per 256 samples (the loop itself: vm_exec.c, one copy per
 * instruction-set level). Also the disassembler. Allocates nothing
 * while running; the scratch holds the registers and the last fault. */
#include "util/sbuf.h"
#include "ops.h"
#include "program.h"
#include "util/vmath.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ty_vm_scratch {
    const ty_program *prog;
    double **slot;     /* nslots pointers, re-aimed for each chunk */
    double *buf;       /* (nderived + noutcomes + ntemps + 2) * VM_CHUNK */
    ty_program_fault fault;   /* of the last run */
};

ty_vm_scratch *ty_vm_scratch_new(const ty_program *prog)
{
    ty_vm_scratch *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->prog = prog;
    size_t nbuf = prog->nderived + prog->noutcomes + prog->ntemps + 2;
    s->slot = calloc(prog->nslots + 1, sizeof *s->slot);
    s->buf = aligned_alloc(64, nbuf * VM_CHUNK * sizeof(double));
    if (!s->slot || !s->buf) { ty_vm_scratch_free(s); return NULL; }
    memset(s->buf, 0, nbuf * VM_CHUNK * sizeof(double));
    return s;
}

void ty_vm_scratch_free(ty_vm_scratch *scratch)
{
    if (!scratch) return;
    free(scratch->slot);
    free(scratch->buf);
    free(scratch);
}

ty_status ty_program_run(const ty_program *prog, ty_vm_scratch *scratch, size_t n,
                         const double *const *factors, double *const *derived,
                         double *const *outcomes, size_t *bad_sample)
{
    const size_t F = prog->nfactors, D = prog->nderived, K = prog->noutcomes;
    double **S = scratch->slot;
    double *own = scratch->buf;   /* D + K own columns, temps, then 2 aux */
    for (size_t t = 0; t < prog->ntemps; t++) S[F + D + K + t] = own + (D + K + t) * VM_CHUNK;
    double *aux = own + (D + K + prog->ntemps) * VM_CHUNK;
    ty_program_fault *f = &scratch->fault;
    *f = (ty_program_fault){0};
    size_t (*exec_chunk)(const ty_program *, double *const *, size_t, double *, ty_program_fault *) =
        CPU_PICK(vm_exec_chunk);
    for (size_t off = 0; off < n; off += VM_CHUNK) {
        size_t m = n - off < VM_CHUNK ? n - off : VM_CHUNK;
        for (size_t c = 0; c < F; c++) S[c] = (double *)(uintptr_t)(factors[c] + off);
        for (size_t j = 0; j < D; j++)
            S[F + j] = derived && derived[j] ? derived[j] + off : own + j * VM_CHUNK;
        for (size_t j = 0; j < K; j++)
            S[F + D + j] = outcomes && outcomes[j] ? outcomes[j] + off : own + (D + j) * VM_CHUNK;
        size_t bad = exec_chunk(prog, S, m, aux, f);
        if (bad < m) {
            f->sample = off + bad;
            if (bad_sample) *bad_sample = off + bad;
            return TY_ERR_INVALID;
        }
    }
    return TY_OK;
}

ty_program_fault ty_vm_scratch_fault(const ty_vm_scratch *scratch) { return scratch->fault; }

/* ---- disassembler ---- */

static const char *const op_names[] = {
#define TY_OP_NAME_(name, operands, meaning) #name,
    TY_OPCODES(TY_OP_NAME_)
#undef TY_OP_NAME_
};
static const char *const op_operands[] = {
#define TY_OP_OPS_(name, operands, meaning) operands,
    TY_OPCODES(TY_OP_OPS_)
#undef TY_OP_OPS_
};


static void sb_slot(sbuf *b, const ty_program *p, size_t s)
{
    size_t base_out = p->nfactors + p->nderived, base_t = base_out + p->noutcomes;
    if (s >= base_t) sbuf_printf(b, "t%zu", s - base_t);
    else if (s >= base_out) sbuf_printf(b, "outcome.%s", p->names[s]);
    else sbuf_printf(b, "%s", p->names[s]);
}

/* Shortest of %.15g/%.17g that reads back exactly. */
static void sb_num(sbuf *b, double x)
{
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", x);
    if (strtod(tmp, NULL) != x && x == x) snprintf(tmp, sizeof tmp, "%.17g", x);
    sbuf_printf(b, "%s", tmp);
}

size_t ty_program_disasm(const ty_program *prog, char *buf, size_t size)
{
    sbuf b = {buf, size, 0};
    if (size) buf[0] = '\0';
    for (size_t pc = 0; pc < prog->ncode; pc++) {
        const vm_instr *in = &prog->code[pc];
        sbuf_printf(&b, "%4zu  %-9s", pc, op_names[in->op]);
        const char *ops = op_operands[in->op];
        for (const char *o = ops; *o; o++) {
            sbuf_printf(&b, o == ops ? " " : ", ");
            switch (*o) {
            case 'd': sb_slot(&b, prog, in->dst); break;
            case 'a': sb_slot(&b, prog, in->a); break;
            case 'b': sb_slot(&b, prog, in->b); break;
            case 'c': sb_slot(&b, prog, in->c); break;
            case 'k': sb_num(&b, in->k); break;
            case 'K': sb_num(&b, in->k2); break;
            case 'n': sbuf_printf(&b, "%u", (unsigned)in->b); break;
            }
        }
        sbuf_printf(&b, "\n");
    }
    if (size && b.len >= size) buf[size - 1] = '\0';
    return b.len;
}
