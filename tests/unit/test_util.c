/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_util.c: reading a whole file, and "did you mean". */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_util.h"

Test(util, file_read)
{
    char path[] = "/tmp/migsim-util-XXXXXX", *text = (char *)1;
    size_t len = 0;
    int fd = mkstemp(path), err = 0;
    FILE *f;
    cr_assert_geq(fd, 0);
    f = fdopen(fd, "w");
    fputs("a: 1\n", f);
    fclose(f);
    cr_assert_eq(mig_file_read(path, &text, &len, &err), MIG_OK);
    cr_assert_str_eq(text, "a: 1\n");
    cr_assert_eq(len, 5);
    free(text);
    remove(path);
    cr_assert_eq(mig_file_read(path, &text, &len, &err), MIG_ENOINPUT);
    cr_assert_null(text);
    cr_assert_eq(err, ENOENT);
    cr_assert_eq(mig_file_read("/tmp", &text, &len, &err), MIG_EIO);
    cr_assert_eq(err, EIO);
}

Test(util, suggest)
{
    mig_suggest s;
    mig_suggest_init(&s, "dyas");
    mig_suggest_add(&s, "start_date");
    mig_suggest_add(&s, "days");
    cr_assert_str_eq(mig_suggest_text(&s), "unknown key (did you mean \"days\"?)");
    mig_suggest_init(&s, "zzzzzz");
    mig_suggest_add(&s, "start_date");
    mig_suggest_add(&s, "days");
    cr_assert_str_eq(mig_suggest_text(&s), "unknown key (expected one of: start_date, days)");
}

/* The hint for unknown names (issue 18, item 7): the nearest within two edits and half the
 * word's length, else the list, cut with ", ..." when it does not fit. */
Test(util, suggest_hint)
{
    mig_suggest s;
    char name[32];
    mig_suggest_init(&s, "San Pedro Sul");
    mig_suggest_add(&s, "Tegucigalpa");
    mig_suggest_add(&s, "San Pedro Sula");
    cr_assert_str_eq(mig_suggest_hint(&s), "did you mean \"San Pedro Sula\"?");
    mig_suggest_init(&s, "Z");   /* one letter: "A" is one edit away, but not a suggestion */
    mig_suggest_add(&s, "A");
    mig_suggest_add(&s, "B");
    cr_assert_str_eq(mig_suggest_hint(&s), "expected one of: A, B");
    mig_suggest_init(&s, "nowhere-at-all");
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "place-%03d", i);
        mig_suggest_add(&s, name);
    }
    cr_assert_eq(strncmp(mig_suggest_hint(&s), "expected one of: place-000, place-001, ", 39), 0);
    cr_assert_str_eq(mig_suggest_hint(&s) + strlen(mig_suggest_hint(&s)) - 5, ", ...");
}
