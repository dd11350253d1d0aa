/* diag_render.c - diagnostics as the lines the tyche command prints:
 *   FILE:LINE:COL: error: MESSAGE
 *     the offending source line
 *     ^
 *     hint: did you mean ...?
 * written through a caller's writer, so that the command (to stderr) and
 * the bindings (into a message buffer, embed/) show the same text. The
 * source line comes from the text the loader kept on the diagnostics
 * (ty_diag_source): a file is never opened twice. Nothing here allocates:
 * the command reports an out-of-memory failure through it. */
#include "tyche/diag.h"

#include <stdio.h>
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

void ty_text_clean(const char *text, size_t len, ty_text_writer put, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t k = utf8_len(s + i, len - i);
        if (k == 0 || (k == 1 && ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F))) {
            put(ctx, "?", 1);
            i++;
        } else {
            put(ctx, text + i, k);
            i += k;
        }
    }
}

static void put_str(ty_text_writer put, void *ctx, const char *s)
{
    put(ctx, s, strlen(s));
}

/* Line `line` of the source named path, from the text kept on diag, and a
 * caret under column col (characters; a tab stays a tab so that the caret
 * lines up). Nothing when the text is not kept. */
static void show_line(const ty_diag *diag, const char *path, int line, int col, ty_text_writer put, void *ctx)
{
    size_t len;
    const char *text = ty_diag_source_line(diag, path, line, &len);
    if (!text) return;
    if (len > 500) len = 500;
    put_str(put, ctx, "  ");
    ty_text_clean(text, len, put, ctx);
    put_str(put, ctx, "\n  ");
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    for (int c = 1; c < col && i < len; c++) {
        size_t k = utf8_len(s + i, len - i);
        put(ctx, s[i] == '\t' ? "\t" : " ", 1);
        i += k ? k : 1;
    }
    put_str(put, ctx, "^\n");
}

void ty_diag_render(const ty_diag *diag, ty_text_writer put, void *ctx)
{
    static const char *const sev_names[] = {"error", "warning", "note"};
    char num[64];
    size_t stored = 0;
    for (size_t i = 0; i < ty_diag_count(diag); i++) {
        const ty_diag_entry *e = ty_diag_get(diag, i);
        stored += e->severity == TY_SEV_ERROR;
        if (e->file) {
            ty_text_clean(e->file, strlen(e->file), put, ctx);
            if (e->line > 0) {
                snprintf(num, sizeof num, ":%d:%d", e->line, e->col);
                put_str(put, ctx, num);
            }
            put_str(put, ctx, ": ");
        } else {
            put_str(put, ctx, "tyche: ");
        }
        put_str(put, ctx, sev_names[e->severity]);
        put_str(put, ctx, ": ");
        ty_text_clean(e->message, strlen(e->message), put, ctx);
        put_str(put, ctx, "\n");
        if (e->file && e->line > 0) show_line(diag, e->file, e->line, e->col, put, ctx);
        if (e->hint) {
            put_str(put, ctx, "  hint: ");
            ty_text_clean(e->hint, strlen(e->hint), put, ctx);
            put_str(put, ctx, "\n");
        }
    }
    if (ty_diag_errors(diag) > stored && !ty_diag_oom(diag)) {   /* else the line below says it */
        snprintf(num, sizeof num, "tyche: %zu more errors not shown\n", ty_diag_errors(diag) - stored);
        put_str(put, ctx, num);
    }
    if (ty_diag_oom(diag)) put_str(put, ctx, "tyche: out of memory while reporting errors; some are missing\n");
}
