/* scenario_util.h - what the unit tests of the engine share on top of
 * harness.h: a scenario from YAML text that must load (its diagnostics
 * printed, a failed load a failed check), a run that prints its
 * diagnostics, a progress callback that raises an interrupt flag after a
 * given number of rounds, and a run stopped that way and resumed (to test
 * --resume). Include after harness.h. */
#ifndef TYCHE_TEST_SCENARIO_UTIL_H
#define TYCHE_TEST_SCENARIO_UTIL_H

#include <signal.h>

#include "tyche/tyche.h"

static inline ty_scenario *tu_load(const char *text)
{
    ty_diag *d = ty_diag_new(20);
    ty_scenario *s = NULL;
    ty_status st = ty_scenario_parse("t.yaml", text, strlen(text), &s, d);
    CHECK_MSG(st == TY_OK, "parse status %d", (int)st);
    for (size_t i = 0; i < ty_diag_count(d); i++)
        fprintf(stderr, "  %d:%d: %s\n", ty_diag_get(d, i)->line, ty_diag_get(d, i)->col, ty_diag_get(d, i)->message);
    ty_diag_free(d);
    return s;
}

static inline ty_status tu_run(const ty_scenario *s, ty_run_options *o, ty_run_result *r)
{
    ty_diag *d = ty_diag_new(20);
    ty_status st = ty_run_scenario(s, "baseline", o, r, d);
    for (size_t i = 0; i < ty_diag_count(d); i++)
        fprintf(stderr, "  run: %s\n", ty_diag_get(d, i)->message);
    ty_diag_free(d);
    return st;
}

/* opt.interrupt = &st.flag, opt.progress = tu_progress, opt.progress_ctx =
 * &st: the run stops after st.after rounds. */
typedef struct tu_stopper { volatile sig_atomic_t flag; int calls, after; } tu_stopper;

static inline void tu_progress(void *ctx, uint64_t done, uint64_t total)
{
    tu_stopper *st = ctx;
    (void)done;
    (void)total;
    if (++st->calls == st->after) st->flag = 1;
}

/* The run of s with *o three ways: whole into *full; stopped after
 * `after` rounds into *part (complete 0, the samples of whole blocks);
 * then resumed from *part with another thread count into *rest, which
 * must be the whole run's (the callers compare what they test). */
static inline void tu_run_stop_resume(const ty_scenario *s, const ty_run_options *o, int after,
                                      ty_run_result *full, ty_run_result *part, ty_run_result *rest)
{
    ty_run_options whole = *o;
    CHECK(tu_run(s, &whole, full) == TY_OK);
    tu_stopper st = {.after = after};
    ty_run_options oi = *o;
    oi.interrupt = &st.flag;
    oi.progress = tu_progress;
    oi.progress_ctx = &st;
    CHECK(tu_run(s, &oi, part) == TY_ERR_INTERRUPTED);
    CHECK(part->complete == 0 && part->samples > 0 && part->samples < full->samples);
    CHECK(part->resume.blocks_done * TY_RUN_BLOCK == part->samples);
    ty_run_options orr = *o;
    orr.threads = o->threads == 3 ? 2 : 3;   /* another thread count on resume changes nothing */
    orr.resume = part;
    CHECK(tu_run(s, &orr, rest) == TY_OK);
    CHECK(rest->complete == 1 && rest->samples == full->samples);
}

#endif
