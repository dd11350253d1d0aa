/* test_input.c - user files read once (ty_input_read): regular files,
 * pipes, devices, folders, the size bound; and a batch naming a file that is
 * not a tyche scenario (one error, none of the file's lines kept). */
#include "harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tyche/tyche.h"

static char dir[] = "/tmp/tyche-input-XXXXXX";

/* The work folder, made by the first test that runs (each may run alone). */
static void need_dir(void)
{
    static int made;
    if (!made) CHECK(mkdtemp(dir) != NULL);
    made = 1;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* The message of the only error on d, or "" when d holds not exactly one. */
static const char *only_error(const ty_diag *d)
{
    return ty_diag_errors(d) == 1 && ty_diag_count(d) >= 1 ? ty_diag_get(d, 0)->message : "";
}

static void test_regular_file(void)
{
    need_dir();
    char path[256];
    snprintf(path, sizeof path, "%s/a.yaml", dir);
    write_file(path, "tyche: 1\nname: x\n");
    ty_diag *d = ty_diag_new(8);
    ty_input in;
    CHECK(ty_input_read(path, &in, d) == TY_OK);
    CHECK(in.size == 17 && in.text && strcmp(in.text, "tyche: 1\nname: x\n") == 0);
    CHECK(in.regular == 1 && in.id.known == 1);
    struct stat st;
    CHECK(stat(path, &st) == 0 && in.id.ino == (uint64_t)st.st_ino && in.id.dev == (uint64_t)st.st_dev);
    CHECK_STR(in.name, path);
    ty_input_clear(&in);
    CHECK(in.text == NULL && in.name == NULL);
    unlink(path);
    ty_diag_free(d);
}

/* A pipe has one read: what was written comes back whole, once. */
static void test_pipe(void)
{
    need_dir();
    int fds[2];
    CHECK(pipe(fds) == 0);
    const char *text = "tyche: 1\nname: piped\n";
    CHECK(write(fds[1], text, strlen(text)) == (ssize_t)strlen(text));
    close(fds[1]);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    ty_diag *d = ty_diag_new(8);
    ty_input in;
    CHECK(ty_input_read(path, &in, d) == TY_OK);
    CHECK(in.size == strlen(text) && memcmp(in.text, text, in.size) == 0 && in.regular == 0);
    ty_input_clear(&in);
    /* The scenario loads from the pipe, read once. */
    CHECK(pipe(fds) == 0);
    const char *sc = "tyche: 1\nname: p\nfactors: {a: {dist: \"normal(0, 1)\"}}\n"
                     "outcomes: {x: {score: a}, y: {score: 0}}\n";
    CHECK(write(fds[1], sc, strlen(sc)) == (ssize_t)strlen(sc));
    close(fds[1]);
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    ty_scenario *s = NULL;
    CHECK(ty_scenario_load(path, &s, d) == TY_OK && s && strcmp(ty_scenario_name(s), "p") == 0);
    ty_scenario_free(s);
    close(fds[0]);
    ty_diag_free(d);
}

static void test_refused(void)
{
    need_dir();
    ty_diag *d = ty_diag_new(8);
    ty_input in;
    CHECK(ty_input_read(dir, &in, d) == TY_ERR_IO);
    CHECK(strstr(only_error(d), "is a folder") != NULL);
    CHECK(ty_diag_get(d, 0)->line == 0);   /* no line: nothing of it to show */
    ty_input_clear(&in);
    ty_diag_free(d);

    d = ty_diag_new(8);
    CHECK(ty_input_read("/dev/zero", &in, d) == TY_ERR_INVALID);
    CHECK(strstr(only_error(d), "longer than 4194304 bytes") != NULL);
    CHECK(in.text == NULL);
    ty_input_clear(&in);
    ty_diag_free(d);

    /* A regular file over the bound: refused from its size, unread. */
    char path[256];
    snprintf(path, sizeof path, "%s/huge.yaml", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)TY_INPUT_MAX_BYTES + 1) == 0);
    close(fd);
    d = ty_diag_new(8);
    CHECK(ty_input_read(path, &in, d) == TY_ERR_INVALID);
    CHECK(strstr(only_error(d), "the file is 4194305 bytes") != NULL);
    ty_input_clear(&in);
    ty_diag_free(d);
    /* At the bound exactly: read. */
    fd = open(path, O_WRONLY | O_TRUNC);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)TY_INPUT_MAX_BYTES) == 0);
    close(fd);
    d = ty_diag_new(8);
    CHECK(ty_input_read(path, &in, d) == TY_OK && in.size == TY_INPUT_MAX_BYTES);
    ty_input_clear(&in);
    ty_diag_free(d);
    unlink(path);

    d = ty_diag_new(8);
    snprintf(path, sizeof path, "%s/none.yaml", dir);
    CHECK(ty_input_read(path, &in, d) == TY_ERR_IO);
    CHECK(strstr(only_error(d), "cannot open") != NULL);
    ty_input_clear(&in);
    ty_diag_free(d);
}

/* A batch naming a file that is not a tyche scenario: one error, at the
 * batch's 'scenario:', and no line of the file kept on the diagnostics. */
static void test_batch_foreign_scenario(void)
{
    need_dir();
    static const char *const foreign[] = {
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n",
        "password: hunter2\nuser: alice\n",
        "- one\n- two: {broken\n",
        ("\x7f" "ELF\x02\x01\x01\xff\xfe\x00\x00secret\n"),
        "",
    };
    char spath[256], bpath[256];
    snprintf(spath, sizeof spath, "%s/foreign.txt", dir);
    snprintf(bpath, sizeof bpath, "%s/b.yaml", dir);
    write_file(bpath, "tyche: 1\nbatch: b\nscenario: foreign.txt\nvariants: {v: {}}\n");
    for (size_t i = 0; i < sizeof foreign / sizeof *foreign; i++) {
        FILE *f = fopen(spath, "wb");
        CHECK(f != NULL);
        if (!f) continue;
        fwrite(foreign[i], 1, i == 3 ? 17 : strlen(foreign[i]), f);
        fclose(f);
        ty_diag *d = ty_diag_new(8);
        ty_batch *b = NULL;
        CHECK(ty_batch_load(bpath, &b, d) == TY_ERR_INVALID && b == NULL);
        CHECK_MSG(strstr(only_error(d), "is not a tyche scenario file") != NULL, "file %zu", i);
        const ty_diag_entry *e = ty_diag_get(d, 0);
        CHECK(e && e->line == 3 && e->col == 11 && strcmp(e->file, bpath) == 0);
        size_t len;
        CHECK(ty_diag_source_line(d, spath, 1, &len) == NULL);
        ty_diag_free(d);
    }
    unlink(spath);
    unlink(bpath);
}

static void test_cleanup(void) { rmdir(dir); }

TEST_MAIN(test_regular_file, test_pipe, test_refused, test_batch_foreign_scenario, test_cleanup)
