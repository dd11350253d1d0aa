/* report.c - prints diagnostics on stderr as the library renders them
 * (ty_diag_render: FILE:LINE:COL: error: MESSAGE, the source line, a caret,
 * the hint), and what the verbs share about them. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "tyche/diag.h"

void cli_put_stderr(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    fwrite(text, 1, len, stderr);
}

void cli_print_diags(const ty_diag *diag)
{
    fflush(stdout);   /* what was printed so far comes first in a shared pipe */
    ty_diag_render(diag, cli_put_stderr, NULL);
}

int cli_diags_say_oom(const ty_diag *diag)
{
    for (size_t i = 0; i < ty_diag_count(diag); i++)
        if (strstr(ty_diag_get(diag, i)->message, "out of memory")) return 1;
    return ty_diag_oom(diag);
}

int cli_print_warnings(ty_diag **diag, int show)
{
    if (ty_diag_count(*diag) == 0) return 0;
    if (show) cli_print_diags(*diag);
    fflush(stderr);
    ty_diag_free(*diag);
    *diag = ty_diag_new(20);
    if (!*diag) fprintf(stderr, "tyche: out of memory\n");
    return *diag ? 0 : -1;
}
