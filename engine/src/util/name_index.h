/* name_index.h - internal: a hash index over an array of names, so that
 * looking a name up costs O(1) instead of a scan. Scenarios have up to
 * thousands of names and expressions can name them tens of thousands of
 * times, where scans made loading quadratic. The index keeps positions
 * into the caller's array (which must outlive it); a name given twice is
 * found at its first position. */
#ifndef TYCHE_UTIL_NAME_INDEX_H
#define TYCHE_UTIL_NAME_INDEX_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct name_index {
    const char *const *names;
    size_t *slot;            /* cap entries: position + 1, 0 when empty */
    size_t cap;              /* a power of two, at least twice the names */
} name_index;

static inline uint64_t name_index_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u;             /* FNV-1a */
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* Position of name[0..len) in the indexed array, or -1. */
static inline long name_index_find_len(const name_index *ix, const char *name, size_t len)
{
    if (!ix->cap) return -1;
    for (size_t h = (size_t)name_index_hash(name, len) & (ix->cap - 1);; h = (h + 1) & (ix->cap - 1)) {
        size_t s = ix->slot[h];
        if (!s) return -1;
        const char *c = ix->names[s - 1];
        if (strncmp(c, name, len) == 0 && c[len] == '\0') return (long)(s - 1);
    }
}

static inline long name_index_find(const name_index *ix, const char *name)
{
    return name_index_find_len(ix, name, strlen(name));
}

/* Indexes names[0..n) (NULL entries are skipped). Returns 0, or -1 when out
 * of memory (ix is then empty: every lookup misses). Free with
 * name_index_free. */
static inline int name_index_build(name_index *ix, const char *const *names, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    ix->names = names;
    ix->cap = 0;
    ix->slot = calloc(cap, sizeof *ix->slot);
    if (!ix->slot) return -1;
    ix->cap = cap;
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || name_index_find(ix, names[i]) >= 0) continue;
        size_t h = (size_t)name_index_hash(names[i], strlen(names[i])) & (cap - 1);
        while (ix->slot[h]) h = (h + 1) & (cap - 1);
        ix->slot[h] = i + 1;
    }
    return 0;
}

static inline void name_index_free(name_index *ix)
{
    free(ix->slot);
    ix->slot = NULL;
    ix->cap = 0;
}

#endif
