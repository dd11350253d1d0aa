/* fuzz_util.h - what the fuzz targets share: a private temporary folder
 * (for the targets whose library entry point takes a path), writing bytes
 * to a file in it, and the libFuzzer entry point's declaration. */
#ifndef TYCHE_FUZZ_UTIL_H
#define TYCHE_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A folder of this process's own, made once and removed at exit. */
static char fz_dir[64];

static inline void fz_cleanup(void)
{
    /* The folder holds only the plain files fz_write made. */
    DIR *d = opendir(fz_dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char path[320];
        snprintf(path, sizeof path, "%s/%s", fz_dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(fz_dir);
}

static inline const char *fz_tmpdir(void)
{
    if (!fz_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fz_dir, sizeof fz_dir, "%s/tyche-fuzz-XXXXXX", t && strlen(t) < 32 ? t : "/tmp");
        if (!mkdtemp(fz_dir)) { perror("mkdtemp"); abort(); }
        atexit(fz_cleanup);
    }
    return fz_dir;
}

/* Writes data to fz_tmpdir()/name; the path is in a static buffer. */
static inline const char *fz_write(const char *name, const void *data, size_t size)
{
    static char path[512];
    int n = snprintf(path, sizeof path, "%s/%s", fz_tmpdir(), name);
    if (n < 0 || (size_t)n >= sizeof path) { fprintf(stderr, "fz_write: name too long\n"); abort(); }
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); abort(); }
    if (size && fwrite(data, 1, size, f) != size) { perror(path); abort(); }
    if (fclose(f) != 0) { perror(path); abort(); }
    return path;
}

#endif
