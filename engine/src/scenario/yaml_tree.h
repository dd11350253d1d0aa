/* yaml_tree.h - internal: a YAML document read into a small tree whose every
 * node keeps its line and column, for the scenario loader. Only this module
 * and the loader see YAML; the tree holds plain strings.
 *
 * Hostile input is bounded: file size, nesting depth and node count are
 * limited, aliases are refused (no billion-laughs expansion), and duplicate
 * keys are errors. */
#ifndef TYCHE_YAML_TREE_H
#define TYCHE_YAML_TREE_H

#include "tyche/common.h"
#include "tyche/diag.h"
#include "tyche/scenario.h"

#define YT_MAX_FILE_BYTES TY_INPUT_MAX_BYTES   /* 4 MiB */
#define YT_MAX_DEPTH 32
#define YT_MAX_NODES 200000

typedef enum yt_kind { YT_SCALAR, YT_MAP, YT_SEQ } yt_kind;

typedef struct yt_node yt_node;
struct yt_node {
    yt_kind kind;
    int line, col;          /* 1-based start of the node */
    char *text;             /* scalars: the value, NUL-terminated */
    int plain;              /* scalars: 1 if unquoted (so `null`, numbers apply) */
    int quoted;             /* scalars: 1 if in '...' or "...": text starts a column later */
    size_t n;               /* maps: pairs; sequences: items */
    yt_node **keys;         /* maps only: n scalar keys */
    yt_node **items;        /* maps: n values; sequences: n items */
};

typedef struct yt_doc {
    char *file;             /* the path, as given */
    char *text;             /* the file's bytes, NUL-terminated */
    size_t size;
    yt_node *root;          /* NULL for an empty document */
} yt_doc;

/* Reads path once (ty_input_read) and parses it. On success returns TY_OK and *out owns a new
 * document (free with yt_doc_free). On a YAML error, an oversize file, too
 * deep nesting, too many nodes, an alias, a non-scalar key or a duplicate key,
 * errors with positions go to diag and TY_ERR_INVALID is returned (*out NULL).
 * TY_ERR_IO when the file cannot be read (diag says why), TY_ERR_NOMEM. */
ty_status yt_doc_load(const char *path, yt_doc **out, ty_diag *diag);

/* As yt_doc_load, from text in memory; name is used in messages. */
ty_status yt_doc_parse(const char *name, const char *text, size_t size, yt_doc **out, ty_diag *diag);

void yt_doc_free(yt_doc *doc);

/* The value of key in map, or NULL. */
yt_node *yt_map_get(const yt_node *map, const char *key);

/* The position of node in doc. */
ty_pos yt_pos(const yt_doc *doc, const yt_node *node);

/* The position of a scalar's first character of text (after an opening
 * quote), for expression positions. */
ty_pos yt_text_pos(const yt_doc *doc, const yt_node *node);

/* Name of a node kind for messages: "a mapping", "a list", "a scalar". */
const char *yt_kind_name(yt_kind kind);

#endif
