/* cmd_show.c - `tyche show RESULT.h5 [--json]`: reads a result file and
 * prints it as a table or one JSON document; exit 1 when it cannot. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "tyche/io.h"

int cmd_show(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("show", "unknown option '%s'", argv[i]);
        else if (path) return cli_usage_error("show", "one file at a time ('%s' and '%s')", path, argv[i]);
        else path = argv[i];
    }
    if (!path) return cli_usage_error("show", "missing RESULT.h5");

    ty_diag *diag = ty_diag_new(20);
    if (!diag) { fprintf(stderr, "tyche show: out of memory\n"); return EXIT_RUNTIME; }
    ty_results *r = NULL;
    ty_status st = ty_results_read(path, &r, diag);
    int rc = EXIT_OK;
    if (st == TY_OK) {
        if (json) cli_print_results_json(r, stdout);
        else cli_print_results(r, stdout);   /* a lost output: main's cli_close_stdout */
    } else {
        cli_print_diags(diag);
        if (st == TY_ERR_NOMEM && !cli_diags_say_oom(diag)) fprintf(stderr, "tyche show: out of memory\n");
        rc = EXIT_RUNTIME;
    }
    ty_results_free(r);
    ty_diag_free(diag);
    return rc;
}
