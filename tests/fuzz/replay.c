/* replay.c - a plain main for the fuzz targets, built in every preset: runs
 * LLVMFuzzerTestOneInput once on each file named, or on each file of each
 * folder named (sorted, not recursive), and prints how many it ran. A crash
 * or sanitizer report fails the ctest test that runs it; that is how the
 * seed corpora and tests/fuzz/regressions/<target>/ are replayed. A missing
 * path is an error (a typo must not pass as an empty corpus). */
#include "fuzz_util.h"

#include <dirent.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return -1; }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; }
            buf = nb;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) { fprintf(stderr, "%s: cannot read\n", path); free(buf); return -1; }
    /* An exact-size copy, so that ASan sees a read past the input's end. */
    unsigned char *exact = malloc(n ? n : 1);
    if (!exact) { free(buf); return -1; }
    memcpy(exact, buf, n);
    free(buf);
    if (getenv("TYCHE_REPLAY_VERBOSE")) fprintf(stderr, "%s\n", path);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    size_t ran = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) { perror(argv[i]); return 1; }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i]) != 0) return 1;
            ran++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) { perror(argv[i]); return 1; }
        char **names = NULL;
        size_t n = 0, cap = 0;
        for (struct dirent *e; (e = readdir(d));) {
            if (e->d_name[0] == '.') continue;   /* ., .., and dot files (.gitkeep) */
            if (n == cap && !(names = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names))) return 1;
            if (!(names[n++] = strdup(e->d_name))) return 1;
        }
        closedir(d);
        if (n) qsort(names, n, sizeof *names, by_name);
        for (size_t k = 0; k < n; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[k]);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                if (run_file(path) != 0) return 1;
                ran++;
            }
            free(names[k]);
        }
        free(names);
    }
    printf("replayed %zu inputs\n", ran);
    return 0;
}
