/* diag.h - diagnostics: errors and warnings accumulated on a context object
 * that the caller owns. The library never prints; the CLI formats these as
 *   FILE:LINE:COL: error: MESSAGE
 * followed by the source line and a caret when the source text is known. */
#ifndef TYCHE_DIAG_H
#define TYCHE_DIAG_H

#include "common.h"

typedef enum ty_severity { TY_SEV_ERROR, TY_SEV_WARNING, TY_SEV_NOTE } ty_severity;

typedef struct ty_diag_entry {
    ty_severity severity;
    char *file;           /* may be NULL: no file */
    int line, col;        /* 1-based; 0 when unknown */
    char *message;
    char *hint;           /* may be NULL: e.g. "did you mean 'normal'?" */
} ty_diag_entry;

typedef struct ty_diag ty_diag;

/* Returns a new, empty diagnostics list that keeps at most max_errors errors
 * (further errors are counted, not stored), or NULL when out of memory.
 * Free with ty_diag_free. */
ty_diag *ty_diag_new(size_t max_errors);
void ty_diag_free(ty_diag *diag);

/* Appends a diagnostic at pos (pos may be NULL). The message is printf-style.
 * Allocation failure is remembered (ty_diag_oom) rather than reported, so
 * callers on an error path need no second error path. diag may be NULL:
 * then nothing is recorded. */
void ty_diag_add(ty_diag *diag, ty_severity sev, const ty_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sets the hint of the most recently added diagnostic (printf-style); no
 * effect when that diagnostic was not stored (past max_errors). */
void ty_diag_hint(ty_diag *diag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 when a hint would be kept: the most recent diagnostic was stored.
 * Callers test it before costly hints ("did you mean" over thousands of
 * names), so that a file with a million errors costs no more than max_errors hints. */
int ty_diag_wants_hint(const ty_diag *diag);

size_t ty_diag_count(const ty_diag *diag);            /* entries stored */
size_t ty_diag_errors(const ty_diag *diag);           /* errors seen, stored or not */
const ty_diag_entry *ty_diag_get(const ty_diag *diag, size_t i);
int ty_diag_oom(const ty_diag *diag);                 /* 1 if an entry was lost to OOM */

/* Sources: the text a diagnostic's FILE names, kept so that a printer can
 * show the offending line without opening the file again (a FIFO or a
 * device cannot be read twice, and a file may change in between).
 * ty_diag_source keeps a copy of text[0..size) as the source named name,
 * replacing an earlier one of that name; on allocation failure nothing is
 * kept (the line is then not shown). ty_diag_forget_source drops it, so
 * that no line of it is shown (a file that is not a tyche file). */
void ty_diag_source(ty_diag *diag, const char *name, const char *text, size_t size);
void ty_diag_forget_source(ty_diag *diag, const char *name);

/* Line `line` (1-based) of the source named name: a pointer into the kept
 * text and its length in *len (without the line break), or NULL when no
 * such source or line is kept. Valid until the source is replaced or diag
 * freed. */
const char *ty_diag_source_line(const ty_diag *diag, const char *name, int line, size_t *len);

/* A sink for rendered text: called with the pieces of the text in order
 * (len bytes each, not NUL-terminated). It must not fail; it may drop what
 * does not fit (a fixed buffer) or write it (a stream). */
typedef void (*ty_text_writer)(void *ctx, const char *text, size_t len);

/* Writes every diagnostic on diag through put, as the tyche command prints
 * them: "FILE:LINE:COL: SEVERITY: MESSAGE" ("FILE: ..." without a line,
 * "tyche: ..." without a file), then the source line kept on diag with a
 * caret under the column, then "  hint: HINT", a line each; then how many
 * errors were counted but not kept, and a line when some were lost to a
 * failed allocation. File names, messages and source lines are cleaned as
 * by ty_text_clean. Allocates nothing. */
void ty_diag_render(const ty_diag *diag, ty_text_writer put, void *ctx);

/* Writes text[0..len) through put with every byte that is not valid UTF-8
 * and every control character but a tab as '?', so that a file's bytes (a
 * binary file, an escape sequence in a quoted string) never reach a
 * terminal as they are; each character written then takes one column. */
void ty_text_clean(const char *text, size_t len, ty_text_writer put, void *ctx);

#endif
