/* ranks.c - the tyche command under MPI: one voice and one exit status.
 *
 * Every rank runs the same command on the same inputs. Rank 0 speaks:
 * the others' standard output goes nowhere and their standard error into
 * memory, shown only when that rank turns out to be the one to report (it
 * failed where the lower ranks did not: its own disk full, its own memory
 * short). Two agreements order the ranks: the gate, before anything
 * collective (the run), and the finish; every rank passes each exactly
 * once, whatever path it took, so no rank waits in a collective that
 * another has left. In a build without MPI all of this is a no-op. */
#define _GNU_SOURCE
#include "cli.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tyche/par.h"

static int g_gated;
static int g_echo;              /* this rank's failure is another's, learnt at the gate */
static int g_stderr = -1;       /* a rank above 0: its real standard error */
static int g_buffer = -1;       /* ... and the memory file standing in for it */

int cli_ranks_start(int *argc, char ***argv)
{
    if (ty_par_init(argc, argv) != 0) {
        fprintf(stderr, "tyche: MPI could not start\n");
        return -1;
    }
    if (ty_par_rank() == 0) return 0;
    fflush(stdout);
    fflush(stderr);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    int mem = memfd_create("tyche-rank-stderr", MFD_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDOUT_FILENO);
        close(null);
    }
    if (mem >= 0 && (g_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) >= 0) {
        dup2(mem, STDERR_FILENO);
        g_buffer = mem;
    } else if (mem >= 0) {
        close(mem);
    }
    return 0;
}

int cli_ranks_gate(int rc)
{
    if (g_gated) return rc;
    g_gated = 1;
    int code = ty_par_agree(rc, NULL);
    g_echo = rc == 0 && code != 0;
    return code;
}

/* Copies what this rank wrote to standard error to the real one. */
static void show_buffer(void)
{
    fflush(stderr);
    char buf[4096];
    ssize_t n;
    if (lseek(g_buffer, 0, SEEK_SET) != 0) return;
    while ((n = read(g_buffer, buf, sizeof buf)) > 0)
        if (write(g_stderr, buf, (size_t)n) != n) break;
}

int cli_ranks_finish(int rc)
{
    rc = cli_ranks_gate(rc);
    /* A rank that only echoes another's failure is not the one to tell it
     * (a scenario file missing on one node: that node's rank says so). */
    int reporter = 0;
    int code = ty_par_agree(g_echo ? 0 : rc, &reporter);
    if (code == 0) code = rc;
    if (reporter && g_buffer >= 0) show_buffer();
    ty_par_finalize();
    return code;
}
