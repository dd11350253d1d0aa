/* cmd_rng.c - `tyche rng`: the generator's raw outputs, for RNG test suites
 * (dieharder, PractRand) and for checking against NumPy's PCG64DXSM. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tyche/rng.h"

int cmd_rng(int argc, char **argv)
{
    uint64_t seed = 0, stream = 0, count = 0;
    int have_count = 0, have_seed = 0, raw = 0;
    const char *state_text = NULL, *inc_text = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        int takes = strcmp(a, "--seed") == 0 || strcmp(a, "--stream") == 0 ||
                    strcmp(a, "--count") == 0 || strcmp(a, "--format") == 0 ||
                    strcmp(a, "--state") == 0 || strcmp(a, "--inc") == 0;
        if (!takes) return cli_usage_error("rng", "unknown option '%s'", a);
        if (!val) return cli_usage_error("rng", "option '%s' needs a value", a);
        i++;
        if (strcmp(a, "--seed") == 0) {
            if (cli_parse_u64(val, &seed)) return cli_usage_error("rng", "--seed: '%s' is not a 64-bit unsigned integer", val);
            have_seed = 1;
        } else if (strcmp(a, "--stream") == 0) {
            if (cli_parse_u64(val, &stream)) return cli_usage_error("rng", "--stream: '%s' is not a 64-bit unsigned integer", val);
            have_seed = 1;
        } else if (strcmp(a, "--count") == 0) {
            if (cli_parse_u64(val, &count)) return cli_usage_error("rng", "--count: '%s' is not a non-negative integer", val);
            have_count = 1;
        } else if (strcmp(a, "--format") == 0) {
            if (strcmp(val, "raw") == 0) raw = 1;
            else if (strcmp(val, "hex") == 0) raw = 0;
            else return cli_usage_error("rng", "--format: '%s' is not one of raw, hex", val);
        } else if (strcmp(a, "--state") == 0) {
            state_text = val;
        } else {
            inc_text = val;
        }
    }

    ty_rng rng;
    if (state_text || inc_text) {
        if (!state_text || !inc_text)
            return cli_usage_error("rng", "--state and --inc go together");
        if (have_seed)
            return cli_usage_error("rng", "--state/--inc and --seed/--stream exclude each other");
        ty_u128 state, inc;
        if (ty_rng_parse_u128(state_text, &state))
            return cli_usage_error("rng", "--state: '%s' is not a hex number of up to 32 digits", state_text);
        if (ty_rng_parse_u128(inc_text, &inc))
            return cli_usage_error("rng", "--inc: '%s' is not a hex number of up to 32 digits", inc_text);
        ty_rng_set_raw(&rng, state, inc);
    } else {
        ty_rng_seed(&rng, seed, stream);
    }
    if (!have_count && !raw) count = 10;
    int endless = raw && !have_count;

    /* A reader closing the pipe (dieharder, head) is a normal end. */
    signal(SIGPIPE, SIG_IGN);
    uint64_t buf[4096];
    uint64_t done = 0;
    while (endless || done < count) {
        size_t n = 4096;
        if (!endless && count - done < n) n = (size_t)(count - done);
        ty_rng_fill(&rng, buf, n);
        if (raw) {
            /* Raw little-endian bytes; x86-64 and aarch64 are little-endian,
             * others are converted byte by byte. */
            unsigned char bytes[sizeof buf];
            for (size_t i = 0; i < n; i++)
                for (int b = 0; b < 8; b++)
                    bytes[8 * i + (size_t)b] = (unsigned char)(buf[i] >> (8 * b));
            if (fwrite(bytes, 8, n, stdout) != n) break;
        } else {
            for (size_t i = 0; i < n; i++)
                if (printf("%016llx\n", (unsigned long long)buf[i]) < 0) break;
        }
        done += n;
        if (ferror(stdout)) break;
    }
    /* main's cli_close_stdout reports a failed output (a closed pipe is the
     * reader's normal end of the stream). */
    return EXIT_OK;
}
