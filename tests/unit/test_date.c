/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_date.c: day numbers since 1970-01-01, strict YYYY-MM-DD parsing and formatting. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "mig_date.h"

static int32_t parse_ok(const char *s)
{
    int32_t d = INT32_MIN;
    cr_assert_eq(mig_date_parse(s, &d), 0, "rejected \"%s\"", s);
    return d;
}

Test(date, known_days)
{
    cr_expect_eq(parse_ok("1970-01-01"), 0);
    cr_expect_eq(parse_ok("1970-01-02"), 1);
    cr_expect_eq(parse_ok("1969-12-31"), -1);
    cr_expect_eq(parse_ok("2000-02-29"), 11016);
    cr_expect_eq(parse_ok("2016-01-01"), 16801);
    cr_expect_eq(parse_ok("2023-12-24"), 19715);
    cr_expect_eq(parse_ok("2024-02-29"), 19782);
    cr_expect_eq(parse_ok("1900-03-01"), -25508);
    cr_expect_eq(parse_ok("0001-01-01"), -719162);
    cr_expect_eq(parse_ok("9999-12-31"), 2932896);
    cr_expect_eq(mig_date_from_parts(2023, 12, 24), 19715);
    cr_expect_eq(mig_date_from_parts(1970, 1, 1), 0);
}

Test(date, format_and_parts)
{
    char buf[11];
    int y, m, d;
    mig_date_format(0, buf);
    cr_expect_str_eq(buf, "1970-01-01");
    mig_date_format(11016, buf);
    cr_expect_str_eq(buf, "2000-02-29");
    mig_date_format(19715, buf);
    cr_expect_str_eq(buf, "2023-12-24");
    mig_date_format(-719162, buf);
    cr_expect_str_eq(buf, "0001-01-01");
    mig_date_format(INT32_MAX, buf);   /* year 5881580: does not fit, not truncated */
    cr_expect_str_eq(buf, "####-##-##");
    mig_date_parts(-1, &y, &m, &d);
    cr_expect(y == 1969 && m == 12 && d == 31);
    mig_date_parts(11016, &y, &m, &d);
    cr_expect(y == 2000 && m == 2 && d == 29);
}

Test(date, round_trips)
{
    char buf[11];
    int y, m, d;
    /* 0000-03-01 .. 9999-12-31, every day */
    for (int32_t day = mig_date_from_parts(0, 3, 1); day <= 2932896; day++) {
        int32_t back = INT32_MIN;
        mig_date_format(day, buf);
        cr_assert_eq(mig_date_parse(buf, &back), 0, "%s", buf);
        cr_assert_eq(back, day, "%s", buf);
        mig_date_parts(day, &y, &m, &d);
        cr_assert_eq(mig_date_from_parts(y, m, d), day);
    }
}

Test(date, rejections)
{
    static const char *const bad[] = {
        "2023-02-29", "1900-02-29", "2023-13-01", "2023-00-10", "2023-01-00", "2023-04-31",
        "2023-01-32", "2023-1-01", "2023-01-1", "23-01-01", "2023-01-01x", "2023-01-01 ",
        " 2023-01-01", "2023/01/01", "2023-01-0a", "+023-01-01", "", "2023", "2023-", "2023-01",
        "2023-01-", "20230101", "2023-001-01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int32_t d = 12345;
        cr_expect_eq(mig_date_parse(bad[i], &d), -1, "accepted \"%s\"", bad[i]);
        cr_expect_eq(d, 12345, "\"%s\" wrote the output", bad[i]);
    }
    cr_expect_eq(mig_date_parse(NULL, NULL), -1);
}
