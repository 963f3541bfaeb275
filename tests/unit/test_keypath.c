/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_keypath.c: key paths split into steps, with [index] and [name] selectors. */
#include <criterion/criterion.h>
#include <string.h>

#include "mig_keypath.h"

static mig_keypath parse(const char *s)
{
    mig_keypath kp;
    cr_assert_eq(mig_keypath_parse(s, strlen(s), &kp), MIG_OK);
    return kp;
}

Test(keypath, steps_and_selectors)
{
    mig_keypath kp = parse("packages[working-group].interventions[1].factor");
    cr_assert_eq(kp.n, 3);
    cr_assert_str_eq(kp.step[0].key, "packages");
    cr_assert_str_eq(kp.step[0].name, "working-group");
    cr_assert_eq(kp.step[0].index, -1);
    cr_assert_str_eq(kp.step[1].key, "interventions");
    cr_assert_eq(kp.step[1].index, 1);
    cr_assert_null(kp.step[1].name);
    cr_assert_str_eq(kp.step[2].key, "factor");
    cr_assert_eq(kp.step[2].index, -1);
    cr_assert_not(kp.step[0].bad || kp.step[1].bad || kp.step[2].bad);
    mig_keypath_free(&kp);
    cr_assert_eq(kp.n, 0);
}

Test(keypath, bad_selectors_and_empty_steps)
{
    const char *bad[] = { "a[-1]", "a[]", "a[1]b", "a[1][2]", "a[1x]", "a[x" };
    mig_keypath kp = parse("..days.");
    cr_assert_eq(kp.n, 1);
    cr_assert_str_eq(kp.step[0].key, "days");
    mig_keypath_free(&kp);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        kp = parse(bad[i]);
        cr_assert_eq(kp.n, 1);
        cr_assert(kp.step[0].bad, "%s", bad[i]);
        cr_assert_str_eq(kp.step[0].text, bad[i]);
        mig_keypath_free(&kp);
    }
    kp = parse("days=3");
    cr_assert_eq(kp.n, 1);
    mig_keypath_free(&kp);
    cr_assert_eq(mig_keypath_parse("sources[0].rate=1", 15, &kp), MIG_OK);
    cr_assert_eq(kp.n, 2);
    cr_assert_str_eq(kp.step[1].key, "rate");
    mig_keypath_free(&kp);
}
