/* message.c - the message buffer of ty_embed_run: the library's rendering
 * of diagnostics and warnings (ty_diag_render, ty_results_warnings: the
 * lines the tyche command prints) into the caller's fixed buffer, so that a
 * binding's exception reads as the command's error. */
#include "embed/embed_int.h"

void embed_put_sbuf(void *ctx, const char *text, size_t len)
{
    sbuf_printf(ctx, "%.*s", (int)len, text);
}
