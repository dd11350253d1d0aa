/* stamp.c - ty_embed_stamp: the root metadata of a result file written now
 * (version, time, host, command). The tyche command's runner_fill_meta and
 * ty_embed_run both stamp their results here; how a command line is quoted
 * for people is the caller's business. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tyche/embed.h"
#include "tyche/version.h"

static void free_args(ty_results *r)
{
    for (size_t i = 0; r->command_args && i < r->ncommand_args; i++) free(r->command_args[i]);
    free(r->command_args);
    r->command_args = NULL;
    r->ncommand_args = 0;
}

/* Replaces *slot with a copy of text; 0, or -1 (then *slot is NULL). */
static int set_copy(char **slot, const char *text)
{
    free(*slot);
    *slot = strdup(text);
    return *slot ? 0 : -1;
}

ty_status ty_embed_stamp(ty_results *r, const char *command_line, size_t nargs, const char *const *args)
{
    time_t t = time(NULL);
    struct tm tm;
    char created[32] = "";
    if (gmtime_r(&t, &tm)) strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    int bad = set_copy(&r->tyche_version, ty_version());
    bad |= set_copy(&r->created, created);
    bad |= set_copy(&r->host, host);
    bad |= set_copy(&r->command_line, command_line ? command_line : "");
    free_args(r);
    if (bad) return TY_ERR_NOMEM;
    if (nargs == 0) return TY_OK;
    /* NULL-terminated, as a read file's */
    if (!(r->command_args = calloc(nargs + 1, sizeof *r->command_args))) return TY_ERR_NOMEM;
    r->ncommand_args = nargs;
    for (size_t i = 0; i < nargs; i++)
        if (!(r->command_args[i] = strdup(args[i]))) return TY_ERR_NOMEM;
    return TY_OK;
}
