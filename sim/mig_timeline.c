/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_timeline.c: per-day spawn counts from a constant rate or a dated series CSV, with
 * fractions carried over so that every period's total comes out exactly.
 *
 * The floor rule. A rate r over an active window gives floor(r*(k+1)) - floor(r*k) on the
 * k-th active day (k = 0, 1, ...), and a period total T (times scale) over n days gives
 * floor(T*(k+1)/n) - floor(T*k/n) on its k-th day. The products are the rounded double
 * products, floored with no fudge term: the sums telescope, so a window of n days emits
 * exactly floor(r*n) (as computed) and a period exactly floor(T), and a count depends only
 * on k, never on where the run starts. A rate whose binary value lies just below its
 * decimal spelling can floor one lower than the decimal arithmetic would
 * (0.29 * 100 = 28.999999999999996 gives 28 over 100 days); state totals as series when
 * an exact integer matters. */
#include "mig_timeline.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mig_csv.h"
#include "mig_date.h"

#define MAX_COUNT 4294967295.0   /* UINT32_MAX as a double */

/* A non-negative count from a floored difference; saturates (the rate cannot report). */
static uint32_t to_count(double x)
{
    if (!(x < MAX_COUNT))   /* also NaN, from inf - inf */
        return UINT32_MAX;
    return x > 0 ? (uint32_t)x : 0;
}

/* A rate that is negative, NaN or infinite gives no one: validation belongs to the
 * config, and this function has no status to report through. */
void mig_timeline_rate(uint32_t *daily, int32_t start_day, uint32_t days, double rate,
                       int32_t from_day, int32_t to_day)
{
    for (uint32_t i = 0; i < days; i++) {
        int64_t day = (int64_t)start_day + i;
        uint32_t c = 0;

        if (rate > 0 && isfinite(rate) && day >= from_day && day <= to_day) {
            double k = (double)(day - from_day);
            c = to_count(floor(rate * (k + 1)) - floor(rate * k));
        }
        daily[i] = c;
    }
}

/* ---- series CSV ------------------------------------------------------------------- */

enum { S_START, S_END, S_TOTAL, S_SOURCE, S_NOTE, S_NCOL };
#define S_NREQUIRED 3
static const char *const series_cols[S_NCOL] = { "start", "end", "total", "source", "note" };

/* One series row as parsed. */
typedef struct period {
    int32_t start, end;
    double total;        /* persons, already multiplied by scale */
    int start_ok, end_ok, total_ok;
} period;

/* Checks one row, reporting in column order; returns the number of problems. */
static size_t check_row(const mig_csv *t, mig_ctx *ctx, const int col_of[S_NCOL], size_t r,
                        double scale, period *P)
{
    char q[MIG_CSV_QUOTE_MAX];
    size_t n_err = 0;
    const char *v;

    P->start_ok = (v = t->cells[r][col_of[S_START]]) && mig_date_parse(v, &P->start) == 0;
    P->end_ok = (v = t->cells[r][col_of[S_END]]) && mig_date_parse(v, &P->end) == 0;
    v = t->cells[r][col_of[S_TOTAL]];
    {
        char *endp;
        double x = strtod(v, &endp);
        P->total_ok = *v && *v != ' ' && *v != '\t' && *endp == '\0' && isfinite(x) && x >= 0;
        P->total = x * scale;
    }
    for (size_t j = 0; j < t->n_cols; j++) {
        int jj = (int)j;
        v = t->cells[r][j];
        if (jj == col_of[S_START] && !P->start_ok) {
            mig_csv_cell_error(t, ctx, r, jj, "expected a date YYYY-MM-DD, got %s", mig_csv_quote(q, v));
            n_err++;
        } else if (jj == col_of[S_END] && !P->end_ok) {
            mig_csv_cell_error(t, ctx, r, jj, "expected a date YYYY-MM-DD, got %s", mig_csv_quote(q, v));
            n_err++;
        } else if (jj == col_of[S_END] && P->start_ok && P->end < P->start) {
            mig_csv_cell_error(t, ctx, r, jj, "ends before start (%s)", t->cells[r][col_of[S_START]]);
            n_err++;
        } else if (jj == col_of[S_TOTAL] && !P->total_ok) {
            mig_csv_cell_error(t, ctx, r, jj, "expected a non-negative number, got %s", mig_csv_quote(q, v));
            n_err++;
        }
    }
    return n_err;
}

/* Adds one period into sum[0..days) (a copy of daily, widened); returns the first day
 * whose count would pass UINT32_MAX, or -1. */
static int64_t spread(uint64_t *sum, int32_t start_day, uint32_t days, const period *P)
{
    int64_t n = (int64_t)P->end - P->start + 1;
    int64_t lo = P->start > start_day ? P->start : start_day;
    int64_t hi = (int64_t)start_day + days - 1;
    double whole = floor(P->total);

    if (P->end < hi)
        hi = P->end;
    for (int64_t day = lo; day <= hi; day++) {
        int64_t k = day - P->start;
        double a = floor(P->total * (double)k / (double)n);
        double b = k + 1 >= n ? whole : floor(P->total * (double)(k + 1) / (double)n);
        uint64_t c = b > a ? (uint64_t)(b - a) : 0;   /* b - a < 2^32 once checked below */
        uint64_t *s = &sum[day - start_day];

        if (!(b - a < MAX_COUNT) || *s + c > UINT32_MAX)
            return day;
        *s += c;
    }
    return -1;
}

mig_status mig_timeline_add_series(uint32_t *daily, int32_t start_day, uint32_t days,
                                   const char *path, double scale, mig_ctx *ctx)
{
    mig_csv *t = NULL;
    period *rows = NULL;
    uint64_t *sum = NULL;
    int col_of[S_NCOL];
    size_t n_err;
    mig_status s;

    if (!(scale >= 0) || !isfinite(scale))
        return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: series scale must be a finite number >= 0, "
                             "got %g", path, scale);
    s = mig_csv_read(path, ctx, &t);
    if (s != MIG_OK)
        return s;
    n_err = mig_csv_map_columns(t, ctx, series_cols, S_NCOL, S_NREQUIRED, col_of, NULL);
    if (col_of[S_START] < 0 || col_of[S_END] < 0 || col_of[S_TOTAL] < 0) {
        mig_csv_destroy(&t);
        return MIG_EDATA;
    }
    rows = malloc((t->n_rows ? t->n_rows : 1) * sizeof *rows);
    sum = malloc((days ? days : 1) * sizeof *sum);
    if (!rows || !sum) {
        s = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    for (size_t r = 0; r < t->n_rows; r++)
        n_err += check_row(t, ctx, col_of, r, scale, &rows[r]);
    if (n_err) {
        s = MIG_EDATA;
        goto done;
    }

    /* added into a wide copy first, so daily[] is untouched when a count overflows */
    for (uint32_t i = 0; i < days; i++)
        sum[i] = daily[i];
    for (size_t r = 0; r < t->n_rows; r++) {
        int64_t bad = spread(sum, start_day, days, &rows[r]);
        if (bad >= 0) {
            char d[11];
            mig_date_format((int32_t)bad, d);
            mig_csv_cell_error(t, ctx, r, col_of[S_TOTAL], "more than 4294967295 persons on %s", d);
            n_err++;
        }
    }
    if (n_err) {
        s = MIG_EDATA;
        goto done;
    }
    for (uint32_t i = 0; i < days; i++)
        daily[i] = (uint32_t)sum[i];

done:
    free(rows);
    free(sum);
    mig_csv_destroy(&t);
    return s;
}
