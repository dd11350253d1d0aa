/* diag.c - the diagnostics list: formatted messages with positions,
 * accumulated up to a limit. Never prints. */
#include "tyche/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct diag_source {
    char *name, *text;
    size_t size;
} diag_source;

struct ty_diag {
    diag_source *sources;
    size_t nsources;
    ty_diag_entry *entries;
    size_t count, cap;
    size_t max_errors;
    size_t errors;     /* errors seen, including those not stored */
    int dropped;       /* the last diagnostic added was not stored */
    int oom;
};

ty_diag *ty_diag_new(size_t max_errors)
{
    ty_diag *d = calloc(1, sizeof *d);
    if (d) d->max_errors = max_errors ? max_errors : 1;
    return d;
}

void ty_diag_free(ty_diag *diag)
{
    if (!diag) return;
    for (size_t i = 0; i < diag->count; i++) {
        free(diag->entries[i].file);
        free(diag->entries[i].message);
        free(diag->entries[i].hint);
    }
    free(diag->entries);
    for (size_t i = 0; i < diag->nsources; i++) {
        free(diag->sources[i].name);
        free(diag->sources[i].text);
    }
    free(diag->sources);
    free(diag);
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *dup_str(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

void ty_diag_add(ty_diag *diag, ty_severity sev, const ty_pos *pos, const char *fmt, ...)
{
    if (!diag) return;
    diag->dropped = 1;
    if (sev == TY_SEV_ERROR && diag->errors++ >= diag->max_errors) return;
    if (diag->count == diag->cap) {
        size_t cap = diag->cap ? diag->cap * 2 : 8;
        ty_diag_entry *e = realloc(diag->entries, cap * sizeof *e);
        if (!e) { diag->oom = 1; return; }
        diag->entries = e;
        diag->cap = cap;
    }
    ty_diag_entry *e = &diag->entries[diag->count];
    memset(e, 0, sizeof *e);
    e->severity = sev;
    if (pos) {
        e->file = dup_str(pos->file);
        e->line = pos->line;
        e->col = pos->col;
    }
    va_list ap;
    va_start(ap, fmt);
    e->message = vformat(fmt, ap);
    va_end(ap);
    if (!e->message || (pos && pos->file && !e->file)) {
        free(e->file);
        free(e->message);
        diag->oom = 1;
        return;
    }
    diag->count++;
    diag->dropped = 0;
}

void ty_diag_hint(ty_diag *diag, const char *fmt, ...)
{
    /* A hint for an error that was only counted must not replace the
     * hint of the last one stored. */
    if (!diag || diag->count == 0 || diag->dropped) return;
    ty_diag_entry *e = &diag->entries[diag->count - 1];
    va_list ap;
    va_start(ap, fmt);
    char *h = vformat(fmt, ap);
    va_end(ap);
    if (!h) { diag->oom = 1; return; }
    free(e->hint);
    e->hint = h;
}

size_t ty_diag_count(const ty_diag *diag) { return diag ? diag->count : 0; }
int ty_diag_wants_hint(const ty_diag *diag) { return diag && diag->count > 0 && !diag->dropped; }
size_t ty_diag_errors(const ty_diag *diag) { return diag ? diag->errors : 0; }
int ty_diag_oom(const ty_diag *diag) { return diag ? diag->oom : 0; }

const ty_diag_entry *ty_diag_get(const ty_diag *diag, size_t i)
{
    return (diag && i < diag->count) ? &diag->entries[i] : NULL;
}

static diag_source *find_source(const ty_diag *diag, const char *name)
{
    for (size_t i = 0; diag && name && i < diag->nsources; i++)
        if (strcmp(diag->sources[i].name, name) == 0) return &diag->sources[i];
    return NULL;
}

void ty_diag_forget_source(ty_diag *diag, const char *name)
{
    diag_source *s = find_source(diag, name);
    if (!s) return;
    free(s->name);
    free(s->text);
    *s = diag->sources[--diag->nsources];
}

void ty_diag_source(ty_diag *diag, const char *name, const char *text, size_t size)
{
    if (!diag || !name) return;
    ty_diag_forget_source(diag, name);
    diag_source *grown = realloc(diag->sources, (diag->nsources + 1) * sizeof *grown);
    if (!grown) return;
    diag->sources = grown;
    diag_source *s = &diag->sources[diag->nsources];
    s->name = dup_str(name);
    s->text = malloc(size ? size : 1);
    if (!s->name || !s->text) { free(s->name); free(s->text); return; }
    if (size) memcpy(s->text, text, size);
    s->size = size;
    diag->nsources++;
}

const char *ty_diag_source_line(const ty_diag *diag, const char *name, int line, size_t *len)
{
    const diag_source *s = find_source(diag, name);
    if (!s || line < 1) return NULL;
    const char *p = s->text, *end = s->text + s->size;
    for (int cur = 1; cur < line; cur++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return NULL;
        p = nl + 1;
    }
    const char *e = p;
    while (e < end && *e != '\n' && *e != '\r') e++;
    *len = (size_t)(e - p);
    return p;
}
