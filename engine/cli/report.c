/* report.c - prints diagnostics as
 *   FILE:LINE:COL: error: MESSAGE
 *       the offending source line
 *       ^
 *   hint: did you mean ...?
 * The source line comes from the text the loader kept on the diagnostics
 * (ty_diag_source): a file is never opened twice. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "tyche/diag.h"

/* Copies line `line` (1-based) of the source the diagnostic names into
 * buf, from the text the loader kept on diag (never by opening the file
 * again); returns 0 if found. */
static int read_line(const ty_diag *diag, const char *path, int line, char *buf, size_t size)
{
    size_t len;
    const char *text = ty_diag_source_line(diag, path, line, &len);
    if (!text) return -1;
    if (len >= size) len = size - 1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    return 0;
}

void cli_print_diags(const ty_diag *diag)
{
    static const char *sev_names[] = {"error", "warning", "note"};
    fflush(stdout);   /* what was printed so far comes first in a shared pipe */
    for (size_t i = 0; i < ty_diag_count(diag); i++) {
        const ty_diag_entry *e = ty_diag_get(diag, i);
        if (e->file && e->line > 0)
            fprintf(stderr, "%s:%d:%d: %s: %s\n", e->file, e->line, e->col, sev_names[e->severity], e->message);
        else if (e->file)
            fprintf(stderr, "%s: %s: %s\n", e->file, sev_names[e->severity], e->message);
        else
            fprintf(stderr, "tyche: %s: %s\n", sev_names[e->severity], e->message);
        char line[512];
        if (e->file && e->line > 0 && read_line(diag, e->file, e->line, line, sizeof line) == 0) {
            fprintf(stderr, "  %s\n  ", line);
            /* Keep tabs so the caret lines up under the column. */
            for (int c = 1; c < e->col && (size_t)(c - 1) < strlen(line); c++)
                fputc(line[c - 1] == '\t' ? '\t' : ' ', stderr);
            fputs("^\n", stderr);
        }
        if (e->hint) fprintf(stderr, "  hint: %s\n", e->hint);
    }
    size_t stored = 0;
    for (size_t i = 0; i < ty_diag_count(diag); i++)
        stored += ty_diag_get(diag, i)->severity == TY_SEV_ERROR;
    if (ty_diag_errors(diag) > stored && !ty_diag_oom(diag))   /* else the line below says it */
        fprintf(stderr, "tyche: %zu more errors not shown\n", ty_diag_errors(diag) - stored);
    if (ty_diag_oom(diag))
        fprintf(stderr, "tyche: out of memory while reporting errors; some are missing\n");
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
