/* main.c - the tyche command: dispatches to one file per verb. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tyche/tyche.h"

typedef struct verb {
    const char *name;
    int (*fn)(int, char **);
    const char *usage;
} verb;

static const verb verbs[] = {
    {"run", cmd_run,
     "tyche run SCENARIO.yaml [-o RESULT.h5] [-n SAMPLES] [--seed S] [--threads T]\n"
     "          [--sampling random|lhs] [--target-halfwidth H] [--max-samples M]\n"
     "          [--save-samples [--compress LEVEL]] [--set FACTOR.PARAM=VALUE]...\n"
     "          [--observe NAME=VALUE]... [--prior] [--json] [--quiet]\n"
     "tyche run --resume RESULT.h5 [--threads T] [--json] [--quiet]\n"
     "  Samples the scenario, estimates each outcome's probability with its 95%\n"
     "  interval, and writes RESULT.h5 (default results/<scenario name>.h5).\n"
     "  -n: samples (default: the scenario's run.samples). --target-halfwidth H:\n"
     "  stop at the first checkpoint (2^k blocks) where every interval's\n"
     "  half-width is <= H, running at most --max-samples (default: -n).\n"
     "  SIGINT/SIGTERM/SIGHUP writes the samples done (complete=0), exits 130;\n"
     "  --resume continues such a run, with the command and scenario stored in\n"
     "  the file, to the result an uninterrupted run gives.\n"
     "  --save-samples streams every sample's values into chunked datasets;\n"
     "  --compress 1..9 deflates them (smaller, much slower; default 0).\n"
     "  A scenario's observations weight every sample by its likelihood: every\n"
     "  estimate is the posterior's, the prior's kept beside; --observe NAME=VALUE\n"
     "  sets a reading's value, --prior ignores the observations.\n"
     "  --quiet: nothing on stdout or stderr on success but warnings (no table,\n"
     "  no progress bar, no closing line); --json still prints its document on\n"
     "  stdout, since it was asked for. Errors always go to stderr.\n"},
    {"batch", cmd_batch,
     "tyche batch BATCH.yaml [-o RESULT.h5] [-n SAMPLES] [--seed S] [--threads T]\n"
     "          [--sampling random|lhs] [--target-halfwidth H] [--max-samples M]\n"
     "          [--save-samples [--compress LEVEL]] [--observe NAME=VALUE]... [--prior]\n"
     "          [--json] [--quiet]\n"
     "tyche batch --resume RESULT.h5 [--threads T] [--json] [--quiet]\n"
     "  Runs every variant and every sweep point of a batch file with the same\n"
     "  seed (common random numbers) into one result file (default\n"
     "  results/<batch name>.h5). --quiet, --json, --observe and --prior as for\n"
     "  'tyche run' (--observe sets the reading in every run that has it).\n"
     "  SIGINT/SIGTERM writes the runs done (complete=0) and exits 130; --resume\n"
     "  keeps the runs complete in the file, continues the interrupted one and\n"
     "  runs the rest, with the command, batch and scenario stored in the file,\n"
     "  to the result an uninterrupted batch gives (not with --save-samples).\n"},
    {"sensitivity", cmd_sensitivity,
     "tyche sensitivity SCENARIO.yaml [-o RESULT.h5] [-n SAMPLES]\n"
     "          [--method tornado|spearman|sobol|all] [--target DERIVED]...\n"
     "          [--ignore-correlations] [--seed S] [--threads T] [--json] [--quiet]\n"
     "  Which factors drive each outcome (and each derived value named with\n"
     "  --target): tornado (each factor held at its 10th and 90th percentile,\n"
     "  the others sampled on the same draws), Spearman rank correlation, and\n"
     "  Sobol first-order and total indices with 95% bootstrap intervals\n"
     "  (--method all, the default, runs the three). -n: samples N (default\n"
     "  32768): N per tornado setting, the first N (at most 2^20) for\n"
     "  Spearman, N (F + 2) evaluations for Sobol (N at most 2^22). Sobol\n"
     "  assumes independent factors: a scenario with correlations exits 3\n"
     "  unless --ignore-correlations (recorded in the file). Writes RESULT.h5\n"
     "  (default results/<scenario name>-sensitivity.h5, beside the run's\n"
     "  results/<scenario name>.h5) with /runs/baseline/sensitivity/.\n"
     "  A batch file stands for its scenario as written. --quiet and --json as\n"
     "  for 'tyche run'. SIGINT/SIGTERM/SIGHUP stops after the round in flight\n"
     "  and writes nothing (an older file stays); exit 130.\n"},
    {"check", cmd_check,
     "tyche check FILE.yaml\n"
     "  Validates a scenario or batch file and prints what it defines: factors,\n"
     "  correlations, derived values, outcomes; for a batch each variant and sweep.\n"
     "  A ci90 factor shows the family it resolves to (lognormal when lo > 0,\n"
     "  else normal). Errors read FILE:LINE:COL: error: MESSAGE; exit 3 when\n"
     "  there are any. Warnings (e.g. a rules model without 'otherwise') read\n"
     "  FILE:LINE:COL: warning: MESSAGE and leave the exit status 0.\n"},
    {"show", cmd_show,
     "tyche show RESULT.h5 [--json]\n"
     "  Reads a result file and prints, per variant, each outcome's probability\n"
     "  with its 95% interval, then the sweeps; --json prints one JSON document.\n"
     "  Exit 1 when the file is missing, not HDF5, not a tyche result file, or\n"
     "  of a newer format version.\n"},
    {"export", cmd_export,
     "tyche export RESULT.h5 --format csv|json [--variant V] [-o DIR] [--quiet]\n"
     "  Writes the result's tables, one file each, into DIR (default: RESULT's\n"
     "  path without .h5 plus -export, e.g. results/ukraine-2014-export/; made\n"
     "  if missing, its parent must exist): outcomes, factors, derived, queries,\n"
     "  observations, differences, one sweep-NAME per sweep, sensitivity, time\n"
     "  curves and more, columns as in docs/export.md; a table the result lacks\n"
     "  writes no file. CSV: RFC 4180, a header row, numbers that read back\n"
     "  exactly (up to 17 digits), an empty field for NaN or a missing text;\n"
     "  JSON: an array of row objects with the same columns, null for empty.\n"
     "  A batch's tables start with a 'variant' column; --variant V exports\n"
     "  that run alone (no sweeps). The files are written under temporary\n"
     "  names and renamed into place together. --quiet: no closing line.\n"
     "  Exit 1 when RESULT.h5 cannot be read or DIR written, 2 for bad options\n"
     "  (an unknown variant among them).\n"},
    {"rng", cmd_rng,
     "tyche rng [--seed S] [--stream K] [--count N] [--format raw|hex]\n"
     "          [--state HEX128 --inc HEX128]\n"
     "  Writes the generator's 64-bit outputs: one 16-digit hex number per line\n"
     "  (--format hex, the default, 10 outputs unless --count), or raw\n"
     "  little-endian bytes for RNG test suites (--format raw: endless unless\n"
     "  --count; stops quietly when the reader closes the pipe).\n"
     "  --seed S --stream K   seed as pcg64's srandom (decimal or 0x hex; default 0 0)\n"
     "  --state/--inc         raw PCG64-DXSM state and increment, as NumPy's\n"
     "                        PCG64DXSM().state (up to 32 hex digits, 0x optional)\n"},
};
#define NVERBS (sizeof verbs / sizeof verbs[0])

static void print_help(FILE *f)
{
    fprintf(f, "tyche %s - scenario-forecasting Monte Carlo engine\n\n"
               "usage: tyche VERB [options]\n\nverbs:\n", ty_version());
    for (size_t i = 0; i < NVERBS; i++)
        fprintf(f, "  %s", verbs[i].usage);
    fprintf(f, "\n  tyche --help | --version | tyche help VERB\n"
               "\nexit status: 0 success, 1 runtime failure, 2 usage, 3 invalid scenario,"
               " 130 interrupted\n"
               "  (1 also for a full disk or a lost standard output; 130 for SIGINT, SIGTERM,\n"
               "  SIGHUP)\n");
}

static const verb *find_verb(const char *name)
{
    for (size_t i = 0; i < NVERBS; i++)
        if (strcmp(verbs[i].name, name) == 0) return &verbs[i];
    return NULL;
}

int cli_usage_error(const char *verb_name, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "tyche %s: ", verb_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'tyche help %s')\n", verb_name);
    return EXIT_USAGE;
}

/* Decimal, or hex after 0x: not strtoull's base 0, which reads a leading 0
 * as octal (-n 010 ran 8 samples, --seed 08 was refused), and not its
 * leading blanks and sign (--seed ' -1' became 2^64 - 1). */
int cli_parse_u64(const char *text, uint64_t *out)
{
    if (!text) return -1;
    int base = 10;
    const char *digits = text;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) { base = 16; digits = text + 2; }
    if (!*digits) return -1;
    for (const char *p = digits; *p; p++)
        if (base == 10 ? !isdigit((unsigned char)*p) : !isxdigit((unsigned char)*p)) return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(digits, &end, base);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

static int dispatch(int argc, char **argv, int *pipe_ok)
{
    if (argc < 2) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    const char *v = argv[1];
    if (strcmp(v, "--help") == 0 || strcmp(v, "-h") == 0) {
        print_help(stdout);
        return EXIT_OK;
    }
    /* A TYCHE_ISA the library cannot follow (ty_version_isa_error): refuse,
     * rather than run, test or time another path than the one asked for. */
    if (ty_version_isa_error()) {
        fprintf(stderr, "tyche: %s\n", ty_version_isa_error());
        return EXIT_USAGE;
    }
    if (strcmp(v, "--version") == 0) {
        printf("tyche %s\nisa: %s\n", ty_version(), ty_version_isa());
        return EXIT_OK;
    }
    if (strcmp(v, "help") == 0) {
        if (argc < 3) { print_help(stdout); return EXIT_OK; }
        const verb *h = find_verb(argv[2]);
        if (!h) {
            fprintf(stderr, "tyche help: unknown verb '%s'\n", argv[2]);
            return EXIT_USAGE;
        }
        fputs(h->usage, stdout);
        return EXIT_OK;
    }
    const verb *found = find_verb(v);
    if (!found) {
        fprintf(stderr, "tyche: unknown verb '%s' (see 'tyche --help')\n", v);
        return EXIT_USAGE;
    }
    /* rng's raw stream is endless: the reader closing the pipe ends it. */
    *pipe_ok = found->fn == cmd_rng;
    /* Under MPI only run, batch and sensitivity share work; the other
     * verbs run on rank 0 alone (rng's endless stream would never end on
     * a rank whose output goes nowhere). */
    if (ty_par_rank() != 0 && found->fn != cmd_run && found->fn != cmd_batch
        && found->fn != cmd_sensitivity)
        return EXIT_OK;
    return found->fn(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
    /* HDF5 first: started before MPI, it does not close itself from
     * MPI_Finalize, which after a failed write (a full disk) would touch
     * the broken file state, as its exit handler would (ty_io_setup). */
    ty_io_setup();          /* before any HDF5 call: quiet, no exit handler */
    if (cli_ranks_start(&argc, &argv) != 0) return EXIT_RUNTIME;
    cli_signals_setup();
    int pipe_ok = 0;
    int rc = dispatch(argc, argv, &pipe_ok);
    rc = cli_close_stdout(rc, pipe_ok);     /* every verb's output checked here, once */
    return cli_ranks_finish(rc);
}
