/* report.c - prints diagnostics as
 *   FILE:LINE:COL: error: MESSAGE
 *       the offending source line
 *       ^
 *   hint: did you mean ...?
 * The source line comes from the text the loader kept on the diagnostics
 * (ty_diag_source): a file is never opened twice. Bytes that are not UTF-8
 * text, and control characters, are shown as '?'. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "tyche/diag.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t k = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
             : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (k == 0 || k > n) return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return k;
}

/* Writes text[0..len) to stderr with each byte that is not valid UTF-8 and
 * each control character but a tab shown as '?', so that a file's bytes
 * (a binary file, an escape sequence in a quoted YAML string) never reach
 * the terminal as they are. Returns the characters written, whose columns
 * are then one each, for the caret. */
static size_t put_clean(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t chars = 0;
    for (size_t i = 0; i < len; chars++) {
        size_t k = utf8_len(s + i, len - i);
        if (k == 0 || (k == 1 && ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F))) {
            fputc('?', stderr);
            i++;
        } else {
            fwrite(s + i, 1, k, stderr);
            i += k;
        }
    }
    return chars;
}

static void put_str(const char *s)
{
    put_clean(s, strlen(s));
}

/* Shows line `line` of the source the diagnostic names, from the text the
 * loader kept on diag (never by opening the file again), with a caret under
 * column col (characters; a tab stays a tab so the caret lines up). */
static void show_line(const ty_diag *diag, const char *path, int line, int col)
{
    size_t len;
    const char *text = ty_diag_source_line(diag, path, line, &len);
    if (!text) return;
    if (len > 500) len = 500;
    fputs("  ", stderr);
    put_clean(text, len);
    fputs("\n  ", stderr);
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    for (int c = 1; c < col && i < len; c++) {
        size_t k = utf8_len(s + i, len - i);
        fputc(s[i] == '\t' ? '\t' : ' ', stderr);
        i += k ? k : 1;
    }
    fputs("^\n", stderr);
}

void cli_print_diags(const ty_diag *diag)
{
    static const char *sev_names[] = {"error", "warning", "note"};
    fflush(stdout);   /* what was printed so far comes first in a shared pipe */
    for (size_t i = 0; i < ty_diag_count(diag); i++) {
        const ty_diag_entry *e = ty_diag_get(diag, i);
        if (e->file) {
            put_str(e->file);
            if (e->line > 0) fprintf(stderr, ":%d:%d", e->line, e->col);
            fputs(": ", stderr);
        } else {
            fputs("tyche: ", stderr);
        }
        fprintf(stderr, "%s: ", sev_names[e->severity]);
        put_str(e->message);
        fputc('\n', stderr);
        if (e->file && e->line > 0) show_line(diag, e->file, e->line, e->col);
        if (e->hint) {
            fputs("  hint: ", stderr);
            put_str(e->hint);
            fputc('\n', stderr);
        }
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
