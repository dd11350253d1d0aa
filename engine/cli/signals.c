/* signals.c - how the tyche command meets signals and a failing stdout:
 * SIGINT, SIGTERM and SIGHUP raise the interrupt flag that the verbs which
 * write a result honour after the round in flight (exit 130); SIGPIPE and
 * SIGXFSZ are ignored so that a closed pipe or a file size limit becomes a
 * failed write (EPIPE, EFBIG) that is reported, not a silent death; stdout
 * is flushed and closed in one place at the end. Also the deterministic
 * interrupt test hook. */
#include "cli.h"
#include "runner.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

void cli_signals_setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
}

static void install(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = flags;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static void block(int how)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(how, &set, NULL);
}

/* While the inputs load, the signals are blocked and only the input's wait
 * for data (a FIFO nobody writes to, a terminal) unblocks them, atomically
 * (ppoll in input.c): a signal that comes before the wait is pending when
 * it starts and ends it at once. Without the block, one arriving between
 * the flag's last check and a blocking open or read was lost and the wait
 * never ended (seen under load in CI). The loader stops with exit 130. */
volatile sig_atomic_t *cli_catch_signals(void)
{
    install(0);
    block(SIG_BLOCK);
    /* Test hook: a SIGTERM that comes before the inputs are read, the
     * case a lost signal hung (tests/cli/inputs.sh). Not for users. */
    const char *v = getenv("TYCHE_TEST_SIGNAL_WHILE_LOADING");
    if (v && strcmp(v, "1") == 0) raise(SIGTERM);
    return &interrupted;
}

/* Once the inputs are in memory, unblocked (one that came while loading is
 * delivered now and raises the flag) and restarted calls: a write to stdout
 * or a pipe in progress when the signal comes must not fail with EINTR;
 * the flag is polled between rounds. */
void cli_signals_loaded(void)
{
    install(SA_RESTART);
    block(SIG_UNBLOCK);
}

void runner_catch_signals(runner_opts *o)
{
    o->run.interrupt = cli_catch_signals();
}

int cli_interrupted(void)
{
    return interrupted != 0;
}

/* Test hook: TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=N stops `tyche run`, `tyche
 * batch` and `tyche sensitivity` exactly as a SIGINT would, at the end of
 * the N-th round of blocks (counted over the whole command: a batch's runs
 * together, sensitivity's passes and its baseline run together): the loops
 * call their progress callback on the calling thread after each round and
 * then test the interrupt flag, so the flag raised here is seen after that
 * very round. It makes interrupt tests deterministic (tests/cli/
 * thread_identity.sh, signals.sh) instead of racing a run against a signal,
 * and works with --quiet and without a terminal. Read once; unset, 0 or not
 * a whole number: off. Not for users: a signal is the way to stop a run. */
uint64_t cli_test_interrupt_rounds(void)
{
    static int read;
    static uint64_t n;
    if (!read) {
        const char *v = getenv("TYCHE_TEST_INTERRUPT_AFTER_ROUNDS");
        if (!v || cli_parse_u64(v, &n)) n = 0;
        read = 1;
    }
    return n;
}

void cli_test_round_done(void)
{
    static uint64_t rounds;
    uint64_t after = cli_test_interrupt_rounds();
    if (after && ++rounds >= after) interrupted = 1;
}

int cli_close_stdout(int rc, int pipe_ends_quietly)
{
    errno = 0;
    int failed = fflush(stdout) != 0;
    int e = failed ? errno : 0;
    if (!failed && ferror(stdout)) {
        /* An earlier write failed and its buffer was dropped: its errno is
         * long gone. One more byte tells why (the output is lost already). */
        failed = 1;
        if (write(STDOUT_FILENO, "\n", 1) < 0) e = errno;
    }
    if (fclose(stdout) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    if (!failed) return rc;
    /* A reader that closed the pipe (head, a pager quit early) took what it
     * wanted: no message. Anything else is a lost output, said in one line. */
    if (e != EPIPE)
        fprintf(stderr, "tyche: cannot write to standard output: %s\n", e ? strerror(e) : "write error");
    if (e == EPIPE && pipe_ends_quietly) return rc;
    return rc == EXIT_OK ? EXIT_RUNTIME : rc;
}
