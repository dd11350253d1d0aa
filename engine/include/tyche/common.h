/* common.h - status codes, positions and small types shared by every module.
 * Nothing here allocates or keeps state. */
#ifndef TYCHE_COMMON_H
#define TYCHE_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Status of every fallible library call. TY_OK is 0; details of a failure
 * go to the caller's ty_diag (diag.h). */
typedef enum ty_status {
    TY_OK = 0,
    TY_ERR_INVALID = 1,   /* bad user input: scenario, parameters */
    TY_ERR_NOMEM = 2,     /* allocation failed */
    TY_ERR_IO = 3,        /* file system, HDF5 */
    TY_ERR_LIMIT = 4,     /* a documented bound was exceeded */
    TY_ERR_INTERRUPTED = 5,
    TY_ERR_INTERNAL = 6,  /* a broken invariant of tyche's own: a bug, never input */
    TY_ERR_NO_WEIGHT = 7  /* observations left no sample with positive weight (exit 1) */
} ty_status;

/* The kinds of observation (docs/format.md, 'Observations'): what a
 * scenario says was seen, and what a result reports it weighted by. */
typedef enum ty_observation_kind {
    TY_OBS_READING = 0,         /* a noisy reading of a factor or derived value */
    TY_OBS_WHEN = 1,            /* a fact: only the worlds where it holds (or its probability) */
    TY_OBS_LOGLIK = 2           /* any log-likelihood, per sample */
} ty_observation_kind;

/* 128-bit unsigned integer (gcc and clang both provide it on 64-bit targets). */
__extension__ typedef unsigned __int128 ty_u128;

/* A position in a user file: 1-based line and column; line 0 means none. */
typedef struct ty_pos {
    const char *file;
    int line;
    int col;
} ty_pos;

#endif
