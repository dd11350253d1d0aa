/* embed_int.h - internal: the embed module's shared pieces (message.c). */
#ifndef TYCHE_EMBED_INT_H
#define TYCHE_EMBED_INT_H

#include "tyche/diag.h"
#include "util/sbuf.h"

/* Appends every diagnostic on diag to b as the tyche command prints them
 * (engine/cli/report.c): "FILE:LINE:COL: SEVERITY: MESSAGE" (or "tyche:
 * SEVERITY: MESSAGE" at no file), the source line kept on diag and a caret
 * under the column, "  hint: HINT"; a line each, bytes that are not UTF-8
 * text and control characters as '?'. Then the count of errors not kept,
 * and a line when some were lost to a failed allocation. */
void embed_format_diags(sbuf *b, const ty_diag *diag);

/* Appends text[0..len) to b cleaned as above. */
void embed_put_clean(sbuf *b, const char *text, size_t len);

#endif
