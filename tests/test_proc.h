/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_proc.h: helpers for tests that run the real migsim binary in a scratch folder: write
 * files, run with stderr captured (stdout discarded), read files back, look for leftovers. */
#ifndef MIG_TEST_PROC_H
#define MIG_TEST_PROC_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* The file's text (at most 64 KiB), or "" when it cannot be read; caller frees. */
static inline char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 65536);
    if (f) {
        size_t n = fread(buf, 1, 65535, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

/* Runs MIGSIM_BINARY with args in dir; returns the exit code and stderr in *err (owned). */
static inline int run_in(const char *dir, const char *const *args, char **err)
{
    char errpath[512];
    pid_t pid;
    int status;
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", dir);
    pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int out = open("/dev/null", O_WRONLY);
        if (fd < 0 || out < 0 || chdir(dir) != 0)
            _exit(127);
        dup2(fd, 2);
        dup2(out, 1);
        close(fd);
        close(out);
        execv(MIGSIM_BINARY, (char *const *)args);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    *err = slurp(errpath);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* 1 when dir holds a file whose name starts with prefix. */
static inline int has_file(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            found = 1;
    if (d)
        closedir(d);
    return found;
}

#endif
