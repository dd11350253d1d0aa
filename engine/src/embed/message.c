/* message.c - diagnostics as text in a caller's buffer, the lines the tyche
 * command prints on stderr (engine/cli/report.c prints the same layout), so
 * that a binding's exception reads as the command's error. Nothing prints. */
#include "embed/embed_int.h"

#include <string.h>

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

void embed_put_clean(sbuf *b, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t k = utf8_len(s + i, len - i);
        if (k == 0 || (k == 1 && ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F))) {
            sbuf_printf(b, "?");
            i++;
        } else {
            sbuf_printf(b, "%.*s", (int)k, text + i);
            i += k;
        }
    }
}

/* The source line of a diagnostic at line:col of the source named path,
 * from the text kept on diag, and a caret under the column (a tab stays a
 * tab so that the caret lines up). Nothing when the text is not kept. */
static void source_line(sbuf *b, const ty_diag *diag, const char *path, int line, int col)
{
    size_t len;
    const char *text = ty_diag_source_line(diag, path, line, &len);
    if (!text) return;
    if (len > 500) len = 500;
    sbuf_printf(b, "  ");
    embed_put_clean(b, text, len);
    sbuf_printf(b, "\n  ");
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    for (int c = 1; c < col && i < len; c++) {
        size_t k = utf8_len(s + i, len - i);
        sbuf_printf(b, "%c", s[i] == '\t' ? '\t' : ' ');
        i += k ? k : 1;
    }
    sbuf_printf(b, "^\n");
}

void embed_format_diags(sbuf *b, const ty_diag *diag)
{
    static const char *const sev_names[] = {"error", "warning", "note"};
    size_t stored = 0;
    for (size_t i = 0; i < ty_diag_count(diag); i++) {
        const ty_diag_entry *e = ty_diag_get(diag, i);
        stored += e->severity == TY_SEV_ERROR;
        if (e->file) {
            embed_put_clean(b, e->file, strlen(e->file));
            if (e->line > 0) sbuf_printf(b, ":%d:%d", e->line, e->col);
            sbuf_printf(b, ": ");
        } else {
            sbuf_printf(b, "tyche: ");
        }
        sbuf_printf(b, "%s: ", sev_names[e->severity]);
        embed_put_clean(b, e->message, strlen(e->message));
        sbuf_printf(b, "\n");
        if (e->file && e->line > 0) source_line(b, diag, e->file, e->line, e->col);
        if (e->hint) {
            sbuf_printf(b, "  hint: ");
            embed_put_clean(b, e->hint, strlen(e->hint));
            sbuf_printf(b, "\n");
        }
    }
    if (ty_diag_errors(diag) > stored && !ty_diag_oom(diag))
        sbuf_printf(b, "tyche: %zu more errors not shown\n", ty_diag_errors(diag) - stored);
    if (ty_diag_oom(diag)) sbuf_printf(b, "tyche: out of memory while reporting errors; some are missing\n");
}
