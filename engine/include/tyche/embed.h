/* embed.h - entry points for bindings (Python's ctypes, any C FFI): one
 * call runs a scenario or batch file into a result file, as `tyche run` and
 * `tyche batch` do, with only strings, numbers and arrays crossing the
 * boundary (no struct, no callback, nothing to free). And the root
 * metadata every result file carries, for any program that writes one
 * (the tyche command uses it too).
 *
 * Nothing here prints, exits or installs a signal handler: the caller's
 * process (an interpreter) keeps its own. */
#ifndef TYCHE_EMBED_H
#define TYCHE_EMBED_H

#include "common.h"
#include "results.h"

/* Runs the scenario or batch file at input_path (a batch is told by its
 * top-level 'batch' key, as `tyche run` tells it) and writes its result
 * file to result_path, atomically (io.h): the run of `tyche run INPUT -o
 * RESULT [options]`, or of `tyche batch INPUT -o RESULT [options]`, to the
 * same numbers bit for bit. The file is read once (ty_input_read).
 *
 *   samples          0: the file's run.samples (a variant's own for a
 *                    batch); else 1 to 2^50, as -n
 *   has_seed, seed   has_seed 1: seed, as --seed; 0: the file's run.seed
 *   threads          0: OpenMP's default; else 1 to 4096, as --threads (the
 *                    numbers do not depend on it)
 *   set_keys[i], set_values[i], i < nsets
 *                    "FACTOR.PARAM" and its value, as --set
 *                    FACTOR.PARAM=VALUE, applied in order (scenarios only:
 *                    a batch's overrides are its variants'); at most 64
 *   observe_names[i], observe_values[i], i < nobserve
 *                    a reading's name and the value read, as --observe
 *                    NAME=VALUE (in a batch, in every run that has it);
 *                    at most 64
 *   prior            1: ignore every observation, as --prior (not with
 *                    nobserve > 0)
 *   command_line     what made the file, for people, stored as the root's
 *                    command_line (e.g. "python: tyche.run('x.yaml',
 *                    samples=1000)"); NULL: "ty_embed_run". command_args
 *                    is stored empty: the file holds no tyche command to
 *                    --resume (none is needed: the call is never interrupted)
 *   message, message_size
 *                    a buffer the call fills with text (NUL-terminated, cut
 *                    to fit; message may be NULL when message_size is 0):
 *                    on error every diagnostic as the tyche command prints
 *                    them, "FILE:LINE:COL: error: MESSAGE", then the source
 *                    line, a caret and "  hint: ..." where there is one, a
 *                    line each (an error at no file position reads "tyche:
 *                    error: MESSAGE"); on success the warnings, "tyche:
 *                    warning: ..." (the file's, an observation's effective
 *                    sample size, a target half-width not reached), or ""
 *
 * Returns TY_OK when the result file is in place. Errors, with the
 * diagnostics in message and no file written (an older file at
 * result_path is untouched):
 *   TY_ERR_INVALID  a bad argument (a key that is not FACTOR.PARAM, a
 *                   factor, parameter or observation the file lacks, a
 *                   value that is not finite or that its distribution
 *                   rejects, set_keys for a batch, prior with
 *                   observations, samples or threads out of range, a NULL
 *                   or empty path, a NULL array with a count), an invalid
 *                   scenario or batch file (FILE:LINE:COL, up to 20
 *                   errors), a result_path that is the input itself;
 *   TY_ERR_LIMIT    a documented bound of the file exceeded;
 *   TY_ERR_IO       the input cannot be read, the result cannot be written
 *                   (a missing folder, a full disk: one line naming the
 *                   file);
 *   TY_ERR_NO_WEIGHT  the observations left no sample with positive weight;
 *   TY_ERR_NOMEM, TY_ERR_INTERNAL.
 * Reentrant: calls on different threads share nothing but the HDF5 library
 * (which must then be thread-safe, io.h). The run itself uses `threads`
 * OpenMP threads and cannot be interrupted: it returns when done. */
ty_status ty_embed_run(const char *input_path, const char *result_path, uint64_t samples, int has_seed,
                       uint64_t seed, int threads, const char *const *set_keys, const double *set_values,
                       size_t nsets, const char *const *observe_names, const double *observe_values,
                       size_t nobserve, int prior, const char *command_line, char *message,
                       size_t message_size);

/* The most set_keys and observe_names one ty_embed_run takes (as the tyche
 * command's --set and --observe). */
#define TY_EMBED_MAX_SETS 64

/* Sets r's root metadata for a file written now: tyche_version
 * (ty_version()), created (the current UTC time, ISO 8601), host (this
 * machine's name), command_line (a copy; NULL stores "") and command_args
 * (copies of args[0..nargs); nargs 0 stores none: an empty attribute).
 * Earlier values of these members are freed first. Returns TY_OK, or
 * TY_ERR_NOMEM (r's members then hold what was set, freed by
 * ty_results_free as usual). */
ty_status ty_embed_stamp(ty_results *r, const char *command_line, size_t nargs, const char *const *args);

#endif
