/* io.h - result files (HDF5, docs/results.md): writing a ty_results
 * atomically, streaming per-sample columns, reading a file back.
 *
 * A result file is written under a temporary name in the folder of its
 * final path (".NAME.tmp-TAG-PID-RANDOM", TAG naming this machine's boot and
 * PID namespace) and renamed into place by ty_result_file_finish only when
 * everything is on disk (file and folder fsynced), so a crash or a full disk
 * never leaves a half-written file under the final name and never harms an
 * older file of that name. A process killed outright (kill -9) leaves its
 * temporary file; the next ty_result_file_create of the same name removes
 * the temporary files of that name whose process (same TAG) is gone, never
 * one of a live process.
 *
 * Strings are UTF-8. Absent optional strings (a NULL label, unit, title,
 * source) are stored as "" and read back as NULL.
 *
 * Errors: a status (TY_ERR_IO for the file system and HDF5, TY_ERR_NOMEM,
 * TY_ERR_INVALID for a name that cannot be a group name) and one diagnostic
 * on the caller's ty_diag naming the file, the operation and the object
 * ("writing /runs/baseline/outcomes/probability: ..."), or "cannot write:
 * STRERROR" when the system refused a write (a full disk: "No space left on
 * device"; a file size limit: "File too large"). Nothing prints.
 * Calls on different handles may run in different threads only if the HDF5
 * library was built thread-safe; a handle is used by one thread at a time. */
#ifndef TYCHE_IO_H
#define TYCHE_IO_H

#include "common.h"
#include "diag.h"
#include "results.h"

#define TY_IO_FORMAT "tyche-result"
#define TY_IO_FORMAT_VERSION 2   /* 2: fixed-length strings; 1 (variable-length) still read */

typedef struct ty_io_options {
    int compression_level;   /* deflate level 0..9 for samples/ (0: none); default 0:
                                on a run's random doubles deflate 1 saved 25% of the
                                space and cut the write rate from ~500 to ~22 MB/s */
    int shuffle;             /* 1: byte-shuffle before deflate (default) */
    long fail_after_writes;  /* tests: the Nth operation (dataset/attribute write,
                                flush, close, fsync, rename, folder fsync) fails as
                                if the disk were full; 0: off (default) */
    int collective;          /* MPI build, more than one rank: every rank calls
                                create, samples_begin, samples_write, finish (or
                                abort) in the same order, each writing its own rows
                                of samples/ through parallel HDF5 (MPI-IO; the
                                folder must be shared by the ranks), and rank 0
                                alone writes the rest at finish. 0 (default):
                                one process writes. */
} ty_io_options;

/* Process-wide HDF5 setup for a program (the tyche command calls it first
 * thing, before any other HDF5 use): HDF5's printing of its error stack off,
 * and no HDF5 exit handler: after a failed close on a full disk that handler
 * would touch the broken file state and crash. Files must then be closed
 * before exit, as libtyche always does. Optional for library users. With
 * MPI, call it before MPI_Init: a parallel HDF5 started after MPI closes
 * itself from MPI_Finalize, with the same crash after a failed write. */
void ty_io_setup(void);

/* Fills *opt with the defaults above. */
void ty_io_options_init(ty_io_options *opt);

typedef struct ty_result_file ty_result_file;

/* Creates a temporary HDF5 file in final_path's folder and returns a handle
 * in *out. opt may be NULL (defaults). The folder must exist (it is not
 * created). On error *out is NULL and nothing is left on disk. The handle is
 * released by exactly one of ty_result_file_finish or ty_result_file_abort. */
ty_status ty_result_file_create(const char *final_path, const ty_io_options *opt,
                                ty_result_file **out, ty_diag *diag);

/* Says that the next column set will get at most n samples (0: unknown,
 * the default): its chunks are then no larger than n rounded up to a power
 * of two, so a small run's file stays small. */
void ty_result_file_samples_expect(ty_result_file *f, uint64_t n);

/* Starts the per-sample columns of one variant (--save-samples): one
 * chunked, compressed, extendible 1-D double dataset /runs/VARIANT/samples/NAME
 * per column, in the order given (factors, derived values, outcomes).
 * descriptions may be NULL, or hold NULL entries. Ends any earlier column
 * set. Call it for the variants in the order of ty_results.runs. */
ty_status ty_result_file_samples_begin(ty_result_file *f, const char *variant, size_t ncolumns,
                                       const char *const *names,
                                       const char *const *descriptions, ty_diag *diag);

/* Appends n rows: columns[c][0..n-1] for every column c of the current set,
 * written straight to the file (nothing is kept in memory). */
ty_status ty_result_file_samples_append(ty_result_file *f, size_t n,
                                        const double *const *columns, ty_diag *diag);

/* Writes n rows from row `first` on. One process: rows come in order
 * (first is the number of rows so far; otherwise TY_ERR_INVALID), as
 * samples_append. Collective (ty_io_options.collective): every rank calls
 * it with its own rows (n may be 0); the columns grow to the end of the
 * last rank's rows and each rank's rows land in one collective write. */
ty_status ty_result_file_samples_write(ty_result_file *f, uint64_t first, size_t n,
                                       const double *const *columns, ty_diag *diag);

/* Writes everything of r (groups that samples_begin created are reused),
 * flushes, closes, fsyncs and renames the file into place, then fsyncs the
 * folder. Always releases f. On an error up to and including the rename,
 * the temporary file is removed and a file already at the final path is
 * untouched. If only the folder's fsync fails, the new file is already in
 * place (the error says so): its rename may not survive a crash of the
 * machine, but nothing can restore the old file at that point. */
ty_status ty_result_file_finish(ty_result_file *f, const ty_results *r, ty_diag *diag);

/* Closes and removes the temporary file and releases f. NULL is a no-op.
 * Collective for a collective file. */
void ty_result_file_abort(ty_result_file *f);

/* create + finish: writes r to path atomically. */
ty_status ty_results_write(const ty_results *r, const char *path, const ty_io_options *opt,
                           ty_diag *diag);

/* Reads a result file (everything, including the resume state of
 * incomplete runs) into a new ty_results in *out, which the caller frees
 * with ty_results_free. Per-sample columns are not read. Errors: a missing
 * file, "not an HDF5 file", "not a tyche result file", "format version N is
 * newer than this tyche reads", a damaged or inconsistent file. On error
 * *out is NULL. */
ty_status ty_results_read(const char *path, ty_results **out, ty_diag *diag);

#endif
