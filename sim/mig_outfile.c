/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_outfile.c: output paths checked before a run; stale temporary files removed. */
#include "mig_outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mig_util.h"

/* What a file that is not a regular one is, for the message. */
static const char *kind_of(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
           : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

mig_status mig_outfile_check(const char *path, const char *what, mig_ctx *ctx)
{
    char *dir = mig_path_dir(path);
    const char *in;
    struct stat sb;
    mig_status st = MIG_OK;
    if (!dir)
        return MIG_ENOMEM;
    if (access(*dir ? dir : ".", W_OK | X_OK) != 0)
        st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot create %s file: %s", path, what, strerror(errno));
    else if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
        st = mig_ctx_error(ctx, MIG_EUSAGE, "%s: the %s must be a new or a regular file; this is %s", path, what,
                           kind_of(sb.st_mode));
    else if ((in = mig_ctx_input_same(ctx, path)))
        st = mig_ctx_error(ctx, MIG_EUSAGE, "%s: the %s would overwrite an input of this run (%s)", path, what, in);
    free(dir);
    return st;
}

/* 1 when name is "<something>.tmp.<pid>" of a process that is gone; *pid is then set. */
static int stale_name(const char *name, long *pid)
{
    const char *t = strstr(name, ".tmp.");
    char *end;
    while (t && strstr(t + 1, ".tmp."))
        t = strstr(t + 1, ".tmp.");
    if (!t || t == name || !t[5])
        return 0;
    errno = 0;
    *pid = strtol(t + 5, &end, 10);
    if (*end || errno || *pid <= 0 || t[5] == '0' || t[5] == '+' || t[5] == '-')
        return 0;
    return *pid != (long)getpid() && kill((pid_t)*pid, 0) != 0 && errno == ESRCH;
}

/* 1 when the regular file at path is held locked by no process. */
static int unlocked(const char *path)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK), free_ = 0;
    if (fd < 0)
        return 0;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0) {
        free_ = 1;
        flock(fd, LOCK_UN);
    }
    close(fd);
    return free_;
}

void mig_outfile_remove_stale(const char *path, mig_ctx *ctx)
{
    char *dir = mig_path_dir(path);
    DIR *d = dir ? opendir(*dir ? dir : ".") : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        long pid;
        char *full;
        if (!stale_name(e->d_name, &pid) || !(full = mig_path_resolve(dir, e->d_name)))
            continue;
        if (unlocked(full) && unlink(full) == 0)
            mig_log(ctx, MIG_LOG_DEBUG, "removed %s, left by process %ld (gone)", full, pid);
        free(full);
    }
    if (d)
        closedir(d);
    free(dir);
}

mig_status mig_outfile_make_folders(const char *path, mig_ctx *ctx)
{
    char *dir = strdup(path);
    mig_status st = MIG_OK;
    if (!dir)
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
    for (char *p = strchr(dir + 1, '/'); p && st == MIG_OK; p = strchr(p + 1, '/')) {
        struct stat sb;
        *p = '\0';
        if (stat(dir, &sb) != 0 && mkdir(dir, 0777) != 0 && errno != EEXIST)
            st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot create the folder %s: %s", path, dir, strerror(errno));
        else if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
            st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot create the folder %s: a file of that name exists", path,
                               dir);
        *p = '/';
    }
    free(dir);
    return st;
}
