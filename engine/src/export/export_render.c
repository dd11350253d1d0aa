/* export_render.c - a table's rows as CSV (RFC 4180) or as a JSON array of
 * row objects, appended to a buffer in memory. Knows nothing of results or
 * files: export_tables.c says what the cells are, export_file.c writes them. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_int.h"
#include "tyche/export.h"

/* Makes room for n more bytes and a NUL; 0, or -1 (oom set) when it cannot. */
static int buf_reserve(export_buf *b, size_t n)
{
    if (b->oom) return -1;
    if (b->len + n + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1) {
        if (cap > SIZE_MAX / 2) { b->oom = 1; return -1; }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) { b->oom = 1; return -1; }
    b->p = p;
    b->cap = cap;
    return 0;
}

static void buf_put(export_buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) != 0) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_puts(export_buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_putc(export_buf *b, char c) { buf_put(b, &c, 1); }

/* A CSV field: as is, or in double quotes with its quotes doubled when it
 * holds a comma, a quote, CR or LF (RFC 4180, 2.6 and 2.7). */
static void csv_str(export_buf *b, const char *s)
{
    if (!s) return;
    if (!s[strcspn(s, ",\"\r\n")]) { buf_puts(b, s); return; }
    buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"') buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

/* A JSON string (RFC 8259): quote, backslash and control characters
 * escaped; UTF-8 passes through (the reader checked it is valid). */
static void json_str(export_buf *b, const char *s)
{
    if (!s) { buf_puts(b, "null"); return; }
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                buf_puts(b, esc);
            } else {
                buf_putc(b, (char)*p);
            }
        }
    }
    buf_putc(b, '"');
}

/* The shortest of %.15g, %.16g and %.17g that reads back to v exactly:
 * 0.003 rather than 0.0030000000000000001, which a spreadsheet shows as
 * typed; %.17g always reads back. */
static void fmt_double(char *s, size_t size, double v)
{
    for (int digits = 15; digits < 17; digits++) {
        snprintf(s, size, "%.*g", digits, v);
        if (strtod(s, NULL) == v) return;
    }
    snprintf(s, size, "%.17g", v);
}

/* Before a cell: the separator, and in JSON the column's name. */
static void cell_start(export_table *t)
{
    if (t->format == TY_EXPORT_JSON) {
        buf_puts(&t->buf, t->col ? ", " : "");
        json_str(&t->buf, t->col < t->ncols ? t->cols[t->col] : "?");
        buf_puts(&t->buf, ": ");
    } else if (t->col) {
        buf_putc(&t->buf, ',');
    }
    t->col++;
}

/* Ends the row in progress, if any. */
static void row_end(export_table *t)
{
    if (!t->nrows) return;
    buf_puts(&t->buf, t->format == TY_EXPORT_JSON ? "}" : "\r\n");
}

void export_table_begin(export_table *t, int format, const char *name, const char *const *cols,
                        size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->format = format;
    t->name = strdup(name);
    t->cols = cols;
    t->ncols = ncols;
    if (format == TY_EXPORT_JSON) {
        buf_putc(&t->buf, '[');
        return;
    }
    for (size_t i = 0; i < ncols; i++) {
        if (i) buf_putc(&t->buf, ',');
        csv_str(&t->buf, cols[i]);
    }
    buf_puts(&t->buf, "\r\n");
}

void export_table_row(export_table *t)
{
    row_end(t);
    if (t->format == TY_EXPORT_JSON) buf_puts(&t->buf, t->nrows ? ",\n  {" : "\n  {");
    t->nrows++;
    t->col = 0;
}

void export_table_str(export_table *t, const char *s)
{
    cell_start(t);
    if (t->format == TY_EXPORT_JSON) json_str(&t->buf, s);
    else csv_str(&t->buf, s);
}

void export_table_num(export_table *t, double v)
{
    cell_start(t);
    if (isfinite(v)) {
        char s[40];
        fmt_double(s, sizeof s, v);
        buf_puts(&t->buf, s);
    } else if (t->format == TY_EXPORT_JSON) {
        buf_puts(&t->buf, "null");
    }
}

void export_table_u64(export_table *t, uint64_t v)
{
    char s[32];
    cell_start(t);
    snprintf(s, sizeof s, "%" PRIu64, v);
    buf_puts(&t->buf, s);
}

void export_table_i64(export_table *t, int64_t v)
{
    char s[32];
    cell_start(t);
    snprintf(s, sizeof s, "%" PRId64, v);
    buf_puts(&t->buf, s);
}

void export_table_finish(export_table *t)
{
    row_end(t);
    if (t->format == TY_EXPORT_JSON) buf_puts(&t->buf, t->nrows ? "\n]\n" : "]\n");
}

void export_table_clear(export_table *t)
{
    free(t->name);
    free(t->buf.p);
    memset(t, 0, sizeof *t);
}
