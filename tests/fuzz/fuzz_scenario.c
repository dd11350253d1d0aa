/* fuzz_scenario.c - the scenario and batch loaders on arbitrary bytes.
 *
 * Every input goes through ty_scenario_parse. An input with a top-level
 * `batch` key is also loaded as a batch file from a private folder that
 * holds copies of the .yaml files of scenarios/, so seeds such as
 * scenarios/ukraine-2014-policy.yaml find their scenario; a batch whose
 * `scenario:` contains a '/' is not loaded (it could name any file, a FIFO
 * or a device). Errors are the expected outcome; the target checks only
 * that loading returns, that a success leaves a usable object and an
 * error leaves none, and (under the sanitizers) that nothing leaks or
 * reads out of bounds. */
#include "fuzz_util.h"
#include "scenario/yaml_tree.h"
#include "tyche/batch.h"
#include "tyche/scenario.h"

#ifndef TYCHE_FUZZ_SCENARIOS
#error "TYCHE_FUZZ_SCENARIOS: the folder of scenario files (set by CMake)"
#endif

static void copy_scenarios(void)
{
    DIR *d = opendir(TYCHE_FUZZ_SCENARIOS);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0 || n > 80) continue;
        char src[512];
        snprintf(src, sizeof src, "%s/%s", TYCHE_FUZZ_SCENARIOS, e->d_name);
        FILE *f = fopen(src, "rb");
        if (!f) continue;
        static char buf[1 << 20];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        fz_write(e->d_name, buf, len);
    }
    closedir(d);
}

/* 1 when data is a mapping with `batch` and a `scenario` that names a file
 * inside the private folder. */
static int batch_to_load(const uint8_t *data, size_t size)
{
    int has = 0;
    for (size_t i = 0; !has && i + 5 <= size; i++) has = memcmp(data + i, "batch", 5) == 0;
    if (!has) return 0;
    yt_doc *doc = NULL;
    ty_diag *diag = ty_diag_new(4);
    int ok = 0;
    if (diag && yt_doc_parse("sniff", (const char *)data, size, &doc, diag) == TY_OK && doc->root &&
        doc->root->kind == YT_MAP && yt_map_get(doc->root, "batch")) {
        const yt_node *s = yt_map_get(doc->root, "scenario");
        ok = !s || s->kind != YT_SCALAR || !strchr(s->text, '/');
    }
    yt_doc_free(doc);
    ty_diag_free(diag);
    return ok;
}

static void check_scenario(const ty_scenario *s)
{
    /* Walk the view: every pointer the loader promised must be readable. */
    size_t total = 0;
    for (size_t i = 0; i < ty_scenario_nfactors(s); i++)
        total += strlen(ty_scenario_factor(s, i)->name) + strlen(ty_scenario_factor(s, i)->dist_text);
    for (size_t i = 0; i < ty_scenario_nderived(s); i++) total += strlen(ty_scenario_derived(s, i)->name);
    for (size_t i = 0; i < ty_scenario_noutcomes(s); i++) total += strlen(ty_scenario_outcome(s, i)->name);
    const ty_copula *c = ty_scenario_copula(s);
    if (c)
        for (size_t i = 0; i < c->m; i++)
            if (c->factor[i] < 0 || (size_t)c->factor[i] >= ty_scenario_nfactors(s)) abort();
    if (!ty_scenario_program(s) || total == 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) { copy_scenarios(); init = 1; }
    ty_diag *diag = ty_diag_new(20);
    if (!diag) return 0;
    ty_scenario *s = NULL;
    ty_status st = ty_scenario_parse("fuzz.yaml", (const char *)data, size, &s, diag);
    if ((st == TY_OK) != (s != NULL)) abort();
    if (st != TY_OK && ty_diag_errors(diag) == 0 && st != TY_ERR_NOMEM) abort();
    if (s) check_scenario(s);
    ty_scenario_free(s);
    ty_diag_free(diag);

    if (batch_to_load(data, size)) {
        const char *path = fz_write("fuzz-batch.yaml", data, size);
        diag = ty_diag_new(20);
        ty_batch *b = NULL;
        st = ty_batch_load(path, &b, diag);
        if ((st == TY_OK) != (b != NULL)) abort();
        if (st != TY_OK && ty_diag_errors(diag) == 0 && st != TY_ERR_NOMEM) abort();
        for (size_t i = 0; b && i < ty_batch_nvariants(b); i++)
            check_scenario(ty_batch_variant(b, i)->scenario);
        for (size_t i = 0; b && i < ty_batch_nsweeps(b); i++)
            for (size_t k = 0; k < ty_batch_sweep(b, i)->npoints; k++)
                check_scenario(ty_batch_sweep(b, i)->points[k]);
        ty_batch_free(b);
        ty_diag_free(diag);
    }
    return 0;
}
