/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_tmp.h: scratch folders for the Criterion tests, made under $TMPDIR (/tmp when unset)
 * and removed with everything in them, so that a test run leaves nothing behind there
 * (tests/tmpdir_check.sh fails a ctest test that does). */
#ifndef MIG_TEST_TMP_H
#define MIG_TEST_TMP_H

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Makes a fresh folder $TMPDIR/<name>-XXXXXX; its path goes into dir (n bytes). */
static inline void tmp_dir_make(char *dir, size_t n, const char *name)
{
    const char *tmp = getenv("TMPDIR");
    int len = snprintf(dir, n, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    cr_assert(len > 0 && (size_t)len < n, "TMPDIR is too long for the test's buffer: %s", tmp);
    cr_assert_not_null(mkdtemp(dir), "cannot make %s", dir);
}

static inline int tmp_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* Removes dir and everything in it, leaving it first in case it is the working directory.
 * A suite's .fini does not run after cr_skip_test: a skipping test calls this itself. */
static inline void tmp_dir_remove(const char *dir)
{
    cr_assert_eq(chdir("/"), 0);
    cr_assert_eq(nftw(dir, tmp_remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0, "cannot remove %s", dir);
}

#endif
