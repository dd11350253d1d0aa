/* sbuf.h - internal: appending printf-style text to a caller's buffer with
 * snprintf's contract (the text is cut to fit, the length it needed is
 * counted), for the describe and disassemble functions. */
#ifndef TYCHE_SBUF_H
#define TYCHE_SBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef struct sbuf { char *buf; size_t size, len; } sbuf;

static inline void sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void sbuf_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->len < b->size ? b->size - b->len : 0;
    int n = vsnprintf(room ? b->buf + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) b->len += (size_t)n;
}

#endif
