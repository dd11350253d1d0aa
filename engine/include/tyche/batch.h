/* batch.h - batch files (docs/format.md): a scenario, variants that
 * override its factors, derived values or run settings, and sweeps of one
 * distribution parameter. Each variant and each sweep point is given as a
 * complete ty_scenario, so the run loop needs nothing batch-specific. */
#ifndef TYCHE_BATCH_H
#define TYCHE_BATCH_H

#include "common.h"
#include "diag.h"
#include "scenario.h"

/* A batch builds one scenario per variant and per sweep point: at most
 * TY_BATCH_MAX_RUNS of them, and at most TY_BATCH_MAX_WORK bytes of
 * scenario file in all (runs x the file's size), which bounds the time and
 * memory loading takes whatever the file asks. */
#define TY_BATCH_MAX_RUNS 10000
#define TY_BATCH_MAX_WORK (32 << 20)

typedef struct ty_variant {
    const char *name;
    const char *label;            /* NULL when absent */
    const ty_scenario *scenario;  /* the base scenario with the overrides applied */
    ty_pos pos;
} ty_variant;

typedef struct ty_sweep {
    const char *name;
    const char *label;            /* NULL when absent */
    const char *factor;           /* the swept factor */
    const char *param;            /* the swept distribution parameter */
    int factor_index, param_index;
    size_t npoints;
    const double *values;         /* npoints parameter values */
    const ty_scenario *const *points;   /* npoints scenarios */
    ty_pos pos;
} ty_sweep;

typedef struct ty_batch ty_batch;

/* Sets *is_batch to 1 when the YAML file at path is a batch file (has a
 * top-level 'batch' key), 0 otherwise. Errors (unreadable, YAML syntax) go
 * to diag with TY_ERR_IO or TY_ERR_INVALID. */
ty_status ty_batch_sniff(const char *path, int *is_batch, ty_diag *diag);
/* The same on a file already read (ty_input_read): parses its text. */
ty_status ty_batch_sniff_input(const ty_input *in, int *is_batch, ty_diag *diag);

/* Loads a batch file and the scenario it names (relative to the batch
 * file's folder; for a batch read from standard input, to the current
 * folder), builds every variant and sweep point. Each file is read once
 * (ty_input_read). A named file that is not a tyche scenario (not YAML, no
 * top-level 'tyche' key) is one error at the batch's 'scenario:', and no
 * line of it is shown: a batch must not echo an arbitrary file. An override of a
 * factor, derived value or parameter that does not exist is an error at the
 * override's position. Returns TY_OK with *out owning a new batch
 * (ty_batch_free), or an error status with diagnostics and *out NULL. */
ty_status ty_batch_load(const char *path, ty_batch **out, ty_diag *diag);
/* As ty_batch_load, from texts in memory (a result file's stored batch
 * and scenario, for --resume): the batch text named name in diagnostics,
 * and the scenario text named scenario_name, whatever file the batch's
 * 'scenario' key names. */
ty_status ty_batch_parse(const char *name, const char *text, const char *scenario_name,
                         const char *scenario_text, ty_batch **out, ty_diag *diag);
/* The same on a batch file already read; in must outlive nothing (copied). */
ty_status ty_batch_load_input(const ty_input *in, ty_batch **out, ty_diag *diag);
void ty_batch_free(ty_batch *batch);

/* Read-only view; pointers stay valid until ty_batch_free. */
const char *ty_batch_name(const ty_batch *b);             /* the batch: key */
const char *ty_batch_path(const ty_batch *b);             /* the file it was loaded from */
const char *ty_batch_text(const ty_batch *b);             /* the batch file, verbatim */
const ty_scenario *ty_batch_base(const ty_batch *b);      /* the scenario as written */

/* `--observe NAME=VALUE` of a batch: sets reading name's value in every run
 * (variants and sweep points) that has it; a variant that dropped it stays
 * without. TY_ERR_INVALID on diag when no run has it or the value does not
 * fit (ty_scenario_set_observation). */
ty_status ty_batch_observe(ty_batch *b, const char *name, double value, ty_diag *diag);

/* `--prior` of a batch: every run ignores its observations. */
void ty_batch_drop_observations(ty_batch *b);
const ty_file_id *ty_batch_scenario_id(const ty_batch *b);   /* the scenario file read */
size_t ty_batch_nvariants(const ty_batch *b);
const ty_variant *ty_batch_variant(const ty_batch *b, size_t i);
size_t ty_batch_nsweeps(const ty_batch *b);
const ty_sweep *ty_batch_sweep(const ty_batch *b, size_t i);

#endif
