/* embed_int.h - internal: the embed module's shared pieces (message.c). */
#ifndef TYCHE_EMBED_INT_H
#define TYCHE_EMBED_INT_H

#include "tyche/diag.h"
#include "util/sbuf.h"

/* A ty_text_writer into the sbuf ctx: text past its size is cut (the
 * buffer stays NUL-terminated). */
void embed_put_sbuf(void *ctx, const char *text, size_t len);

#endif
