/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_timeline.c: per-day counts from a constant rate (floor rule, window clipping) and
 * from series CSVs (even spreading, adding, scaling, every error's exact text). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mig_ctx.h"
#include "mig_date.h"
#include "mig_timeline.h"

#define DATA(f) MIGSIM_TEST_DATA "/" f

static mig_ctx *ctx;
static void setup(void) { cr_assert_eq(mig_ctx_create(&ctx), MIG_OK); }
static void teardown(void) { mig_ctx_destroy(&ctx); }
TestSuite(timeline, .init = setup, .fini = teardown);

static void expect_days(const uint32_t *got, const uint32_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(got[i], want[i], "day %zu: got %u, expected %u", i, got[i], want[i]);
}

static void expect_error(size_t i, const char *path, const char *tail)
{
    char want[512];
    snprintf(want, sizeof want, "%s%s", path, tail);
    cr_expect_str_eq(mig_ctx_error_at(ctx, i), want);
}

Test(timeline, rate_carries_fractions)
{
    uint32_t d[4] = { 9, 9, 9, 9 };
    mig_timeline_rate(d, 100, 4, 2.5, 100, 103);
    expect_days(d, (uint32_t[]){ 2, 3, 2, 3 }, 4);
}

Test(timeline, rate_window_clipping)
{
    uint32_t d[6];
    /* window 98..103, run 100..105: the window days before the run still count */
    mig_timeline_rate(d, 100, 6, 2.5, 98, 103);
    expect_days(d, (uint32_t[]){ 2, 3, 2, 3, 0, 0 }, 6);
    /* window inside the run */
    mig_timeline_rate(d, 100, 6, 2.5, 102, 103);
    expect_days(d, (uint32_t[]){ 0, 0, 2, 3, 0, 0 }, 6);
    /* window before the run, after it, empty, and a rate of nothing */
    mig_timeline_rate(d, 100, 6, 2.5, 90, 99);
    expect_days(d, (uint32_t[]){ 0, 0, 0, 0, 0, 0 }, 6);
    mig_timeline_rate(d, 100, 6, 2.5, 106, 200);
    expect_days(d, (uint32_t[]){ 0, 0, 0, 0, 0, 0 }, 6);
    mig_timeline_rate(d, 100, 6, 2.5, 103, 102);
    expect_days(d, (uint32_t[]){ 0, 0, 0, 0, 0, 0 }, 6);
    mig_timeline_rate(d, 100, 6, 0, 100, 105);
    expect_days(d, (uint32_t[]){ 0, 0, 0, 0, 0, 0 }, 6);
    mig_timeline_rate(d, 100, 6, -3, 100, 105);
    expect_days(d, (uint32_t[]){ 0, 0, 0, 0, 0, 0 }, 6);
    mig_timeline_rate(d, 100, 6, NAN, 100, 105);
    expect_days(d, (uint32_t[]){ 0, 0, 0, 0, 0, 0 }, 6);
}

Test(timeline, rate_totals_are_exact)
{
    static const double rates[] = { 1.0 / 3, 0.7, 2.5, 12.25, 1000.125, 0.01 };
    uint32_t d[365];
    for (size_t i = 0; i < sizeof rates / sizeof *rates; i++) {
        uint64_t sum = 0;
        mig_timeline_rate(d, 0, 365, rates[i], 0, 364);
        for (int k = 0; k < 365; k++)
            sum += d[k];
        cr_expect_eq(sum, (uint64_t)floor(rates[i] * 365), "rate %g", rates[i]);
    }
    mig_timeline_rate(d, 0, 3, 1e300, 0, 2);   /* saturates rather than wraps */
    cr_expect_eq(d[0], UINT32_MAX);
}

Test(timeline, series_spreads_and_adds)
{
    int32_t jan1 = mig_date_from_parts(2016, 1, 1);
    uint32_t d[6] = { 0 };
    cr_assert_eq(mig_timeline_add_series(d, jan1, 6, DATA("series_ok.csv"), 1.0, ctx), MIG_OK);
    cr_assert_eq(mig_ctx_n_errors(ctx), 0);
    expect_days(d, (uint32_t[]){ 3, 3, 4, 0, 7, 0 }, 6);
    /* a second series adds into the same days */
    cr_assert_eq(mig_timeline_add_series(d, jan1, 6, DATA("series_ok.csv"), 1.0, ctx), MIG_OK);
    expect_days(d, (uint32_t[]){ 6, 6, 8, 0, 14, 0 }, 6);
}

Test(timeline, series_scale_and_clipping)
{
    int32_t jan1 = mig_date_from_parts(2016, 1, 1);
    uint32_t d[6] = { 0 }, e[2] = { 1, 1 };
    /* 5 over 3 days -> 1, 2, 2; 3.5 on one day -> 3 */
    cr_assert_eq(mig_timeline_add_series(d, jan1, 6, DATA("series_ok.csv"), 0.5, ctx), MIG_OK);
    expect_days(d, (uint32_t[]){ 1, 2, 2, 0, 3, 0 }, 6);
    /* a run of Jan 2..3 sees the same per-day counts as a longer run */
    cr_assert_eq(mig_timeline_add_series(e, jan1 + 1, 2, DATA("series_ok.csv"), 1.0, ctx), MIG_OK);
    expect_days(e, (uint32_t[]){ 4, 5 }, 2);
    /* a run before every period is untouched */
    cr_assert_eq(mig_timeline_add_series(e, jan1 - 10, 2, DATA("series_ok.csv"), 1.0, ctx), MIG_OK);
    expect_days(e, (uint32_t[]){ 4, 5 }, 2);
}

Test(timeline, series_errors)
{
    static const char *const tails[] = {
        ":1:5: unknown column \"remark\" (expected start, end, total, source, note)",
        ":3:1: start: expected a date YYYY-MM-DD, got \"2016-02-30\"",
        ":4:2: end: ends before start (2016-03-10)",
        ":4:3: total: expected a non-negative number, got \"-4\"",
        ":5:1: start: expected a date YYYY-MM-DD, got \"2016-1-01\"",
        ":5:2: end: expected a date YYYY-MM-DD, got \"not a date\"",
        ":5:3: total: expected a non-negative number, got \"abc\"",
    };
    const size_t n = sizeof tails / sizeof *tails;
    uint32_t d[3] = { 1, 2, 3 };
    cr_assert_eq(mig_timeline_add_series(d, mig_date_from_parts(2016, 1, 1), 3,
                                         DATA("series_bad.csv"), 1.0, ctx), MIG_EDATA);
    for (size_t i = 0; i < n && i < mig_ctx_n_errors(ctx); i++)
        expect_error(i, DATA("series_bad.csv"), tails[i]);
    cr_expect_eq(mig_ctx_n_errors(ctx), n);
    expect_days(d, (uint32_t[]){ 1, 2, 3 }, 3);   /* nothing added */
}

Test(timeline, series_overflow)
{
    uint32_t d[1] = { 0 };
    cr_assert_eq(mig_timeline_add_series(d, mig_date_from_parts(2016, 1, 1), 1,
                                         DATA("series_huge.csv"), 1.0, ctx), MIG_EDATA);
    cr_assert_eq(mig_ctx_n_errors(ctx), 1);
    expect_error(0, DATA("series_huge.csv"), ":2:3: total: more than 4294967295 persons on 2016-01-01");
    cr_expect_eq(d[0], 0);
}

Test(timeline, series_missing_column_and_file)
{
    uint32_t d[1] = { 0 };
    cr_assert_eq(mig_timeline_add_series(d, 0, 1, DATA("series_missing.csv"), 1.0, ctx), MIG_EDATA);
    cr_assert_eq(mig_ctx_n_errors(ctx), 1);
    expect_error(0, DATA("series_missing.csv"), ":1: missing required column \"end\"");
    mig_ctx_clear_errors(ctx);
    cr_assert_eq(mig_timeline_add_series(d, 0, 1, DATA("series_nonexistent.csv"), 1.0, ctx),
                 MIG_ENOINPUT);
    expect_error(0, DATA("series_nonexistent.csv"), ": cannot open: No such file or directory");
    mig_ctx_clear_errors(ctx);
    cr_assert_eq(mig_timeline_add_series(d, 0, 1, DATA("series_ok.csv"), -1.0, ctx), MIG_EINTERNAL);
}
