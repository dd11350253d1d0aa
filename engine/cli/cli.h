/* cli.h - shared pieces of the tyche command: exit codes, verb entry points,
 * small argument helpers. The CLI parses, calls the library, prints, and maps
 * statuses to exit codes; behaviour lives in libtyche. */
#ifndef TYCHE_CLI_H
#define TYCHE_CLI_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "tyche/diag.h"
#include "tyche/results.h"

/* Exit statuses, the README's 'Using tyche'. */
enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,      /* I/O, HDF5, memory */
    EXIT_USAGE = 2,        /* bad command-line usage */
    EXIT_INVALID = 3,      /* invalid scenario or batch file */
    EXIT_INTERRUPTED = 130
};

/* Each verb: argv[0] is the verb itself. Returns an exit status. */
int cmd_rng(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_sensitivity(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Prints every diagnostic as FILE:LINE:COL: error: MESSAGE, the source line
 * and a caret, and the hint (report.c). */
void cli_print_diags(const ty_diag *diag);

/* A ty_text_writer to stderr (ctx unused): the library's rendered text. */
void cli_put_stderr(void *ctx, const char *text, size_t len);

/* 1 when a diagnostic on diag already says "out of memory" (or one was
 * lost to it): a verb then adds no line of its own, so a failed allocation
 * gets one message. */
int cli_diags_say_oom(const ty_diag *diag);

/* After a successful load: prints the warnings on *diag when show (they
 * are shown even with --quiet) and replaces *diag with an empty one so a
 * later error report does not repeat them. 0, or -1 when out of memory
 * (*diag is then NULL). */
int cli_print_warnings(ty_diag **diag, int show);

/* Prints results as a readable table per variant (outcome, probability,
 * 95% interval, label; samples, seed, threads, wall time; INCOMPLETE when
 * interrupted) and per sweep (print.c). */
void cli_print_results(const ty_results *r, FILE *out);

/* Prints results as one JSON document, the README's JSON shape plus
 * labels, run settings, factor and derived summaries and sweeps; doubles
 * as %.17g, non-finite ones as null (print.c). */
void cli_print_results_json(const ty_results *r, FILE *out);

/* Prints "tyche VERB: MESSAGE" and a pointer to help on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Signals (signals.c). cli_signals_setup, once before any verb: SIGPIPE and
 * SIGXFSZ ignored, so a closed pipe or a file size limit is a failed write
 * (EPIPE, EFBIG) reported as such. cli_catch_signals, by the verbs that
 * write a result: SIGINT, SIGTERM and SIGHUP raise the returned flag (the
 * run loops' interrupt), to be honoured after the round in flight. */
void cli_signals_setup(void);
volatile sig_atomic_t *cli_catch_signals(void);
void cli_signals_loaded(void);   /* after the inputs are read: restart calls (signals.c) */
int cli_interrupted(void);

/* The interrupt test hook (TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=N, see
 * signals.c): N, or 0 when off; and one round done, which raises the
 * interrupt flag at the N-th. Both on the calling thread only. */
uint64_t cli_test_interrupt_rounds(void);
void cli_test_round_done(void);

/* Flushes and closes stdout at the end of the command; returns rc, or
 * EXIT_RUNTIME for a success whose output was lost, after one line on
 * stderr ("tyche: cannot write to standard output: No space left on
 * device"). A closed pipe (EPIPE) prints nothing; with pipe_ends_quietly
 * (tyche rng's endless stream) it also keeps rc. */
int cli_close_stdout(int rc, int pipe_ends_quietly);

/* Ranks (ranks.c; no-ops without MPI). cli_ranks_start, first thing in
 * main: starts MPI; a rank above 0 prints nothing on stdout and keeps its
 * stderr in memory. cli_ranks_gate(rc), by a verb before anything
 * collective (0 when this rank is ready): returns the code every rank then
 * follows, nonzero when any rank failed (the first time only; later calls
 * return rc). cli_ranks_finish(rc), last: passes the gate if the verb did
 * not, agrees the exit code (the lowest failing rank's, which shows its
 * messages when it is not rank 0), ends MPI, returns the code. */
int cli_ranks_start(int *argc, char ***argv);
int cli_ranks_gate(int rc);
int cli_ranks_finish(int rc);

/* Parses a non-negative decimal (or 0x hex) 64-bit integer; 0 on success. */
int cli_parse_u64(const char *text, uint64_t *out);

#endif
