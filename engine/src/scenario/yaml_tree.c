/* yaml_tree.c - libyaml's event stream folded into a yt_node tree with
 * positions. Every libyaml call's result is checked (it returns 1 on success). */
#include "yaml_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *yt_kind_name(yt_kind kind)
{
    switch (kind) {
    case YT_SCALAR: return "a scalar";
    case YT_MAP: return "a mapping";
    case YT_SEQ: return "a list";
    }
    return "?";
}

static void node_free(yt_node *node)
{
    /* Iterative over the top level would be nicer, but depth is bounded by
     * YT_MAX_DEPTH so recursion is safe. */
    if (!node) return;
    for (size_t i = 0; i < node->n; i++) {
        if (node->keys) node_free(node->keys[i]);
        if (node->items) node_free(node->items[i]);
    }
    free(node->keys);
    free(node->items);
    free(node->text);
    free(node);
}

void yt_doc_free(yt_doc *doc)
{
    if (!doc) return;
    node_free(doc->root);
    free(doc->file);
    free(doc->text);
    free(doc);
}

typedef struct builder {
    yaml_parser_t parser;
    yt_doc *doc;
    ty_diag *diag;
    size_t nodes;
    int failed;        /* an error was reported */
    int oom;
} builder;

static void error_at(builder *b, int line, int col, const char *fmt, const char *arg)
{
    ty_pos pos = {b->doc->file, line, col};
    ty_diag_add(b->diag, TY_SEV_ERROR, &pos, fmt, arg);
    b->failed = 1;
}

static yt_node *new_node(builder *b, yt_kind kind, const yaml_mark_t *mark)
{
    if (++b->nodes > YT_MAX_NODES) {
        if (b->nodes == YT_MAX_NODES + 1)
            error_at(b, (int)mark->line + 1, (int)mark->column + 1,
                     "the file has more than %s YAML nodes", "200000");
        return NULL;
    }
    yt_node *n = calloc(1, sizeof *n);
    if (!n) { b->oom = 1; return NULL; }
    n->kind = kind;
    n->line = (int)mark->line + 1;
    n->col = (int)mark->column + 1;
    return n;
}

static int append(builder *b, yt_node *parent, yt_node *key, yt_node *item)
{
    /* Grow by doubling: capacity is the next power of two >= n. */
    size_t n = parent->n;
    if ((n & (n - 1)) == 0) {
        size_t cap = n ? 2 * n : 1;
        yt_node **items = realloc(parent->items, cap * sizeof *items);
        if (!items) { b->oom = 1; return -1; }
        parent->items = items;
        if (parent->kind == YT_MAP) {
            yt_node **keys = realloc(parent->keys, cap * sizeof *keys);
            if (!keys) { b->oom = 1; return -1; }
            parent->keys = keys;
        }
    }
    if (parent->kind == YT_MAP) parent->keys[n] = key;
    parent->items[n] = item;
    parent->n = n + 1;
    return 0;
}

/* Line and column (1-based; the column counts characters, as libyaml's
 * marks do) of byte offset off in text. */
static void offset_pos(const char *text, size_t size, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < size; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') { ++*line; *col = 1; }
        else if ((c & 0xC0) != 0x80) ++*col;   /* not a UTF-8 continuation byte */
    }
}

static void syntax_error(builder *b)
{
    const yaml_parser_t *p = &b->parser;
    char msg[512];
    if (p->error == YAML_READER_ERROR) {
        /* A bad byte: libyaml gives its offset, not a mark (whose 1:1 is wrong). */
        int line, col, value = p->problem_value;
        const unsigned char *t = (const unsigned char *)b->doc->text;
        size_t off = p->problem_offset;
        if (p->problem && strstr(p->problem, "trailing") && off <= b->doc->size) {
            /* libyaml points at the byte after the sequence's start: point at the start. */
            size_t k = off;
            while (k > 0 && off - k < 4 && (t[k - 1] & 0xC0) == 0x80) k--;
            if (k > 0 && (t[k - 1] & 0xC0) == 0xC0) { off = k - 1; value = t[off]; }
        }
        offset_pos(b->doc->text, b->doc->size, off, &line, &col);
        if (value >= 0)
            snprintf(msg, sizeof msg, "not UTF-8 text: %s (byte 0x%02X); tyche files are UTF-8",
                     p->problem ? p->problem : "invalid byte", (unsigned)value);
        else
            snprintf(msg, sizeof msg, "not UTF-8 text: %s; tyche files are UTF-8",
                     p->problem ? p->problem : "invalid byte");
        error_at(b, line, col, "%s", msg);
        return;
    }
    if (p->context)
        snprintf(msg, sizeof msg, "YAML syntax: %s %s (line %lu)", p->problem ? p->problem : "error",
                 p->context, (unsigned long)p->context_mark.line + 1);
    else
        snprintf(msg, sizeof msg, "YAML syntax: %s", p->problem ? p->problem : "error");
    error_at(b, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1, "%s", msg);
    /* "c ? a : b" unquoted: YAML takes '? ' for a complex key and ': ' for
     * a mapping, so the expression breaks where it stands. */
    const char *line = b->doc->text;
    for (size_t l = 0; line && l < p->problem_mark.line; l++)
        line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL;
    size_t len = line ? strcspn(line, "\n") : 0;
    const char *q = line ? memchr(line, '?', len) : NULL;
    if (q && !memchr(line, '"', len) && !memchr(line, '\'', len)) {
        const char *colon = memchr(line, ':', (size_t)(q - line));
        if (!colon || memchr(line, '{', len)) {
            ty_diag_hint(b->diag, "an expression with 'c ? a : b' must be quoted, since YAML reads "
                         "'? ' and ': ' as its own syntax: write it as \"c ? a : b\" (docs/format.md, "
                         "'YAML pitfalls')");
            return;
        }
        const char *expr = colon + 1;
        while (*expr == ' ') expr++;
        int keylen = (int)(colon - line);
        while (keylen > 0 && line[0] == ' ') { line++; keylen--; }
        ty_diag_hint(b->diag, "an expression with 'c ? a : b' must be quoted, since YAML reads '? ' "
                     "and ': ' as its own syntax: %.*s: \"%.*s\" (docs/format.md, 'YAML pitfalls')", keylen, line,
                     (int)strcspn(expr, "\r\n"), expr);
    }
}

typedef struct key_ref { const char *text; size_t i; } key_ref;

/* Orders keys by text, then by position in the mapping. */
static int by_key(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Reports each key of map that repeats an earlier one, in the order they
 * are written, naming the first. Sorting keeps this O(n log n): a mapping
 * may have as many keys as the node limit allows. Returns -1 on OOM. */
static int check_duplicates(builder *b, const yt_node *map)
{
    size_t n = map->n;
    if (n < 2) return 0;
    key_ref *order = malloc(n * sizeof *order);
    size_t *first = malloc(n * sizeof *first);
    if (!order || !first) { free(order); free(first); b->oom = 1; return -1; }
    for (size_t i = 0; i < n; i++) order[i] = (key_ref){map->keys[i]->text, i};
    qsort(order, n, sizeof *order, by_key);
    for (size_t r = 0; r < n; r++) {
        int same = r > 0 && strcmp(order[r - 1].text, order[r].text) == 0;
        first[order[r].i] = same ? first[order[r - 1].i] : order[r].i;
    }
    for (size_t i = 0; i < n; i++) {
        if (first[i] == i) continue;
        const yt_node *key = map->keys[i], *k0 = map->keys[first[i]];
        char at[64];
        snprintf(at, sizeof at, "%d:%d", k0->line, k0->col);
        ty_pos pos = {b->doc->file, key->line, key->col};
        ty_diag_add(b->diag, TY_SEV_ERROR, &pos, "duplicate key '%s' (first at %s)", key->text, at);
        b->failed = 1;
    }
    free(order);
    free(first);
    return 0;
}

/* Reads one node starting with event ev (already taken); depth counts
 * nesting. Returns the node or NULL (error reported or OOM). */
static yt_node *read_node(builder *b, yaml_event_t *ev, int depth);

static yt_node *read_collection(builder *b, yaml_event_t *start, int depth)
{
    int is_map = start->type == YAML_MAPPING_START_EVENT;
    yt_node *node = new_node(b, is_map ? YT_MAP : YT_SEQ, &start->start_mark);
    if (!node) return NULL;
    if (depth > YT_MAX_DEPTH) {
        error_at(b, node->line, node->col, "YAML nesting deeper than %s levels", "32");
        node_free(node);
        return NULL;
    }
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&b->parser, &ev)) { syntax_error(b); node_free(node); return NULL; }
        if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            if (is_map && check_duplicates(b, node) != 0) { node_free(node); return NULL; }
            return node;
        }
        yt_node *key = NULL;
        if (is_map) {
            key = read_node(b, &ev, depth + 1);
            yaml_event_delete(&ev);
            if (!key) { node_free(node); return NULL; }
            if (key->kind != YT_SCALAR) {
                error_at(b, key->line, key->col, "a mapping key must be a plain name, not %s",
                         yt_kind_name(key->kind));
                node_free(key); node_free(node);
                return NULL;
            }
            if (!yaml_parser_parse(&b->parser, &ev)) { syntax_error(b); node_free(key); node_free(node); return NULL; }
        }
        yt_node *item = read_node(b, &ev, depth + 1);
        yaml_event_delete(&ev);
        if (!item || append(b, node, key, item) != 0) {
            node_free(key); node_free(item); node_free(node);
            return NULL;
        }
    }
}

static yt_node *read_node(builder *b, yaml_event_t *ev, int depth)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        yt_node *node = new_node(b, YT_SCALAR, &ev->start_mark);
        if (!node) return NULL;
        size_t len = ev->data.scalar.length;
        if (memchr(ev->data.scalar.value, '\0', len)) {
            error_at(b, node->line, node->col, "a value contains a NUL character%s", "");
            node_free(node);
            return NULL;
        }
        node->text = malloc(len + 1);
        if (!node->text) { b->oom = 1; node_free(node); return NULL; }
        memcpy(node->text, ev->data.scalar.value, len);
        node->text[len] = '\0';
        node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        node->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                       ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        return node;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return read_collection(b, ev, depth);
    case YAML_ALIAS_EVENT:
        error_at(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                 "YAML aliases (*%s) are not allowed in tyche files; write the value out",
                 (const char *)ev->data.alias.anchor);
        return NULL;
    default:
        error_at(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                 "unexpected YAML event%s", "");
        return NULL;
    }
}

ty_status yt_doc_parse(const char *name, const char *text, size_t size, yt_doc **out, ty_diag *diag)
{
    *out = NULL;
    /* Kept for the printer's source lines: the file is read only once. */
    ty_diag_source(diag, name, text, size);
    yt_doc *doc = calloc(1, sizeof *doc);
    if (!doc) return TY_ERR_NOMEM;
    size_t nlen = strlen(name) + 1;
    doc->file = malloc(nlen);
    doc->text = malloc(size + 1);
    if (!doc->file || !doc->text) { yt_doc_free(doc); return TY_ERR_NOMEM; }
    memcpy(doc->file, name, nlen);
    memcpy(doc->text, text, size);
    doc->text[size] = '\0';
    doc->size = size;

    if (size > YT_MAX_FILE_BYTES) {
        ty_pos pos = {doc->file, 1, 1};
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "file is %zu bytes; tyche reads at most %u", size,
                    YT_MAX_FILE_BYTES);
        yt_doc_free(doc);
        return TY_ERR_INVALID;
    }

    builder b = {.doc = doc, .diag = diag};
    if (!yaml_parser_initialize(&b.parser)) { yt_doc_free(doc); return TY_ERR_NOMEM; }
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)doc->text, size);
    yaml_parser_set_encoding(&b.parser, YAML_UTF8_ENCODING);

    int docs = 0, done = 0;
    while (!done && !b.failed && !b.oom) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&b.parser, &ev)) { syntax_error(&b); break; }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                error_at(&b, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                         "a tyche file holds one YAML document; found a second%s", "");
            break;
        case YAML_SCALAR_EVENT: case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: case YAML_ALIAS_EVENT:
            doc->root = read_node(&b, &ev, 1);
            break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&b.parser);
    if (b.oom) { yt_doc_free(doc); return TY_ERR_NOMEM; }
    if (b.failed) { yt_doc_free(doc); return TY_ERR_INVALID; }
    *out = doc;
    return TY_OK;
}

ty_status yt_doc_load(const char *path, yt_doc **out, ty_diag *diag)
{
    *out = NULL;
    ty_input in;
    ty_status st = ty_input_read(path, &in, diag);
    if (st == TY_OK) st = yt_doc_parse(in.name, in.text, in.size, out, diag);
    ty_input_clear(&in);
    return st;
}

yt_node *yt_map_get(const yt_node *map, const char *key)
{
    if (!map || map->kind != YT_MAP) return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->text, key) == 0) return map->items[i];
    return NULL;
}

ty_pos yt_pos(const yt_doc *doc, const yt_node *node)
{
    ty_pos p = {doc->file, node ? node->line : 0, node ? node->col : 0};
    return p;
}

ty_pos yt_text_pos(const yt_doc *doc, const yt_node *node)
{
    ty_pos p = yt_pos(doc, node);
    if (node && node->kind == YT_SCALAR && node->quoted) p.col++;
    return p;
}
