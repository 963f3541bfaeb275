/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_runvalue.c: a run's variable summed over a period (see mig_runvalue.h): the time axis
 * read with its "days since YYYY-MM-DD" units, the period's rows read as one hyperslab. */
#include "mig_runvalue.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mig_date.h"
#include "mig_h5.h"
#include "mig_util.h"

int mig_period_parse(const char *s, mig_period *p)
{
    char a[16], b[16], extra;
    int32_t m0, m1;
    int fy, y, m;
    memset(p, 0, sizeof *p);
    if (strcmp(s, "all") == 0)
        return p->whole = 1, 0;
    if (sscanf(s, "FY%4d%c", &fy, &extra) == 1 && strlen(s) == 6 && fy > 1900) {
        p->first = mig_date_from_parts(fy - 1, 10, 1);
        p->last = mig_date_from_parts(fy, 9, 30);
        return 0;
    }
    if (strlen(s) == 21 && s[10] == ':' && sscanf(s, "%10[0-9-]:%10[0-9-]%c", a, b, &extra) == 2)
        return mig_date_parse(a, &p->first) || mig_date_parse(b, &p->last) || p->last < p->first ? -1 : 0;
    if (strlen(s) == 7) {
        if (mig_date_parse_month(s, &m0))
            return -1;
        m1 = m0;
    } else if (mig_date_parse_months(s, ':', &m0, &m1)) {
        return -1;
    }
    p->first = mig_date_from_parts(m0 / 12, m0 % 12 + 1, 1);
    y = (m1 + 1) / 12;
    m = (m1 + 1) % 12 + 1;
    p->last = mig_date_from_parts(y, m, 1) - 1;   /* the day before the next month */
    return 0;
}

/* The first day of the run at f (from time's units) and its days time[0..*n) (owned). */
static int read_time(hid_t f, int32_t *start, int32_t **time, size_t *n)
{
    hid_t d = H5Dopen2(f, "time", H5P_DEFAULT), sp = -1;
    char *units = NULL, date[16];
    hsize_t dim;
    int ok = 0;
    *time = NULL;
    if (d < 0 || mig_h5_get_string_attr(d, ".", "units", &units) ||
        sscanf(units, "days since %10s", date) != 1 || mig_date_parse(date, start))
        goto done;
    if ((sp = H5Dget_space(d)) < 0 || H5Sget_simple_extent_ndims(sp) != 1 || H5Sget_simple_extent_dims(sp, &dim, NULL) < 0 ||
        dim == 0 || !(*time = malloc(dim * sizeof **time)))
        goto done;
    ok = H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, *time) >= 0;
    *n = dim;
done:
    if (!ok) {
        free(*time);
        *time = NULL;
    }
    free(units);
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return ok;
}

/* The sum of rows t0..t1 (of n_time) of dataset d, whose first dimension is time. */
static int sum_rows(hid_t d, size_t n_time, size_t t0, size_t t1, double *out)
{
    hid_t sp = H5Dget_space(d), mem = -1;
    hsize_t dims[8], start[8] = { 0 }, count[8];
    int nd = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp), ok = 0;
    size_t cells = 1;
    double *buf = NULL;
    if (nd < 1 || nd > 8 || H5Sget_simple_extent_dims(sp, dims, NULL) < 0 || dims[0] != n_time)
        goto done;
    memcpy(count, dims, sizeof dims);
    start[0] = t0;
    count[0] = t1 - t0 + 1;
    for (int i = 0; i < nd; i++)
        cells *= count[i];
    if (!(buf = malloc(cells * sizeof *buf)) || (mem = H5Screate_simple(nd, count, NULL)) < 0 ||
        H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        H5Dread(d, H5T_NATIVE_DOUBLE, mem, sp, H5P_DEFAULT, buf) < 0)
        goto done;
    *out = 0.0;
    for (size_t c = 0; c < cells; c++)
        *out += buf[c];
    ok = 1;
done:
    free(buf);
    if (mem >= 0)
        H5Sclose(mem);
    if (sp >= 0)
        H5Sclose(sp);
    return ok;
}

/* The rows of time[0..n) from start within p: *t0..*t1; 0 when p is not inside the run. */
static int rows_of(const mig_period *p, int32_t start, const int32_t *time, size_t n, size_t *t0, size_t *t1)
{
    int32_t first = start + time[0], last = start + time[n - 1];
    if (p->whole) {
        *t0 = 0;
        *t1 = n - 1;
        return 1;
    }
    if (p->first < first || p->last > last || last - first + 1 != (int32_t)n)
        return 0;
    *t0 = (size_t)(p->first - first);
    *t1 = (size_t)(p->last - first);
    return 1;
}

mig_status mig_runvalue_total(const char *path, const char *var, const mig_period *p, mig_ctx *ctx, double *out)
{
    hid_t f, d = -1;
    int32_t start, *time = NULL;
    size_t n = 0, t0, t1;
    char a[11], b[11], c[11], e[11];
    mig_status st = MIG_EDATA;

    if (access(path, F_OK) != 0)
        return mig_ctx_error(ctx, MIG_ENOINPUT, "%s: no such run output (has the run been made?)", path);
    if ((f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return mig_ctx_error(ctx, MIG_EDATA, "%s: not an HDF5 file", path);
    if (!read_time(f, &start, &time, &n)) {
        mig_ctx_error(ctx, st, "%s: no time axis with units \"days since YYYY-MM-DD\" (not a migsim run?)", path);
    } else if (!rows_of(p, start, time, n, &t0, &t1)) {
        mig_date_format(p->first, a);
        mig_date_format(p->last, b);
        mig_date_format(start + time[0], c);
        mig_date_format(start + time[n - 1], e);
        mig_ctx_error(ctx, st, "%s: the period %s to %s is not inside the run (%s to %s)", path, a, b, c, e);
    } else if (H5Lexists(f, var, H5P_DEFAULT) <= 0 || (d = H5Dopen2(f, var, H5P_DEFAULT)) < 0) {
        mig_ctx_error(ctx, st, "%s: no variable \"%s\"", path, var);
    } else if (!sum_rows(d, n, t0, t1, out)) {
        mig_ctx_error(ctx, st, "%s: %s is not a numeric variable over time", path, var);
    } else {
        st = MIG_OK;
    }
    if (d >= 0)
        H5Dclose(d);
    H5Fclose(f);
    free(time);
    return st;
}
