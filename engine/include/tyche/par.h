/* par.h - the processes of an MPI run (ranks). tyche built with TYCHE_MPI
 * runs under mpirun or srun: every rank loads the same inputs, takes its
 * contiguous share of each round's blocks, and rank 0 adds the blocks'
 * tallies in block order, decides every stop and writes the result file,
 * so results are bit-identical to one process for any ranks x threads
 * (docs/architecture.md). In a build without MPI (the default) these calls
 * are those of the one and only rank: rank 0 of 1.
 *
 * Only the program's main thread calls MPI (MPI_THREAD_FUNNELED); OpenMP
 * threads never do. */
#ifndef TYCHE_PAR_H
#define TYCHE_PAR_H

#include "common.h"

/* 1 when this libtyche was built with MPI, else 0. */
int ty_par_built(void);

/* Starts MPI (a no-op without it). Call first thing in main, before any
 * thread starts. 0, or -1 when MPI could not start (nothing else works). */
int ty_par_init(int *argc, char ***argv);

/* Ends MPI; after it no ty_par_ call but ty_par_rank/size. */
void ty_par_finalize(void);

/* This process's rank (0 .. size - 1) and the number of ranks. */
int ty_par_rank(void);
int ty_par_size(void);

/* Collective: every rank passes its exit code (0: success). Returns the
 * code of the lowest-ranked rank whose code is not 0, or 0 when every
 * rank succeeded; *reporter (may be NULL) is 1 on that rank, the one that
 * tells the user, and 0 on every other. Call it at the points where ranks
 * could disagree (inputs read, a file written), so that no rank waits in a
 * collective the others have left. */
int ty_par_agree(int code, int *reporter);

/* Ends every rank at once with exit status code (MPI_Abort): for a rank
 * that cannot go on and cannot tell the others (never in normal errors). */
void ty_par_abort(int code);

#endif
