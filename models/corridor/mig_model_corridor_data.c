/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_model_corridor_data.c: the corridor model's inputs read from CSV (monthly
 * indicators, route options) and the log-linear hazard schedule. */
#include "mig_model_corridor.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_csv.h"
#include "mig_date.h"
#include "mig_util.h"

/* ---- CSV helpers ------------------------------------------------------------------ */

/* A value for messages: in double quotes, cut after 60 bytes, control bytes as '?'. */
static const char *quoted(char q[72], const char *s)
{
    size_t k = 0;
    q[k++] = '"';
    for (size_t i = 0; s[i] && k < 62; i++)
        q[k++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) ? '?' : s[i];
    if (strlen(s) > 60) {
        q[k++] = '.';
        q[k++] = '.';
        q[k++] = '.';
    }
    q[k++] = '"';
    q[k] = '\0';
    return q;
}

/* Maps the header onto cols[0..n) (col_of[i] = header column or -1); the first n_req are
 * required. Reports unknown, repeated and missing columns; returns how many. */
static size_t map_columns(const mig_csv *t, mig_ctx *ctx, const char *const *cols, int n, int n_req,
                          const char *expected, int *col_of)
{
    char q[72];
    size_t n_err = 0;
    for (int i = 0; i < n; i++)
        col_of[i] = -1;
    for (size_t j = 0; j < t->n_cols; j++) {
        int id = -1;
        for (int i = 0; i < n; i++)
            if (strcmp(t->header[j], cols[i]) == 0)
                id = i;
        if (id < 0) {
            mig_ctx_error(ctx, MIG_EDATA, "%s:1:%zu: unknown column %s (expected %s)", t->path, j + 1,
                          quoted(q, t->header[j]), expected);
            n_err++;
        } else if (col_of[id] >= 0) {
            mig_ctx_error(ctx, MIG_EDATA, "%s:1:%zu: repeated column %s (first in column %d)", t->path, j + 1,
                          quoted(q, t->header[j]), col_of[id] + 1);
            n_err++;
        } else {
            col_of[id] = (int)j;
        }
    }
    for (int i = 0; i < n_req; i++)
        if (col_of[i] < 0) {
            mig_ctx_error(ctx, MIG_EDATA, "%s:1: missing required column \"%s\"", t->path, cols[i]);
            n_err++;
        }
    return n_err;
}

/* ---- indicators ------------------------------------------------------------------- */

int32_t mig_corridor_month_of(int32_t day)
{
    int y, m, d;
    mig_date_parts(day, &y, &m, &d);
    return (int32_t)y * 12 + (m - 1);
}

int mig_indicator_at(const mig_indicator *ind, int32_t day, double *out)
{
    int64_t k = (int64_t)mig_corridor_month_of(day) - ind->first_month;
    if (k < 0 || k >= (int64_t)ind->n_months || !ind->have[k])
        return -1;
    *out = ind->value[k];
    return 0;
}

void mig_indicator_destroy(mig_indicator **p)
{
    mig_indicator *ind;
    if (MIG_TAKE(ind, p))
        MIG_FREE_ALL(ind->name, ind->path, ind->value, ind->have, ind);
}

enum { I_MONTH, I_VALUE, I_SOURCE, I_NOTE, I_NCOL };
static const char *const indicator_cols[I_NCOL] = { "month", "value", "source", "note" };

/* Checks row r of an indicator table into month[r] and value[r]; month[r] = INT32_MIN when
 * the row gives no usable month and value. Returns the number of errors reported. */
static size_t check_row(const mig_csv *t, mig_ctx *ctx, const int *col, size_t r, int32_t *month, double *value)
{
    const char *m = t->cells[r][col[I_MONTH]], *v = t->cells[r][col[I_VALUE]];
    const char *src = t->cells[r][col[I_SOURCE]];
    size_t n_err = 0;
    int ok = 1;
    char q[72];

    if (mig_date_parse_month(m, &month[r])) {
        mig_csv_cell_error(t, ctx, r, col[I_MONTH], "expected a month YYYY-MM, got %s", quoted(q, m));
        n_err++;
        ok = 0;
    } else {
        for (size_t r2 = 0; r2 < r; r2++)
            if (month[r2] == month[r]) {
                mig_csv_cell_error(t, ctx, r, col[I_MONTH], "month %s given twice (first on line %zu)", m,
                           t->line[r2]);
                n_err++;
                ok = 0;
                break;
            }
    }
    if (mig_parse_number(v, &value[r])) {
        mig_csv_cell_error(t, ctx, r, col[I_VALUE], "expected a number, got %s", quoted(q, v));
        n_err++;
        ok = 0;
    }
    if (!*src) {
        mig_csv_cell_error(t, ctx, r, col[I_SOURCE], "expected the source of the value, got an empty cell");
        n_err++;
    }
    if (!ok)
        month[r] = INT32_MIN;
    return n_err;
}

mig_status mig_indicator_load(const char *path, const char *name, mig_ctx *ctx, mig_indicator **out)
{
    mig_csv *t = NULL;
    mig_indicator *ind = NULL;
    int col[I_NCOL];
    int32_t *month = NULL;
    double *value = NULL;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    size_t n_err;
    mig_status st;

    *out = NULL;
    if ((st = mig_csv_read(path, ctx, &t)) != MIG_OK)
        return st;
    n_err = map_columns(t, ctx, indicator_cols, I_NCOL, 3, "month, value, source, note", col);
    if (col[I_MONTH] < 0 || col[I_VALUE] < 0 || col[I_SOURCE] < 0) {
        mig_csv_destroy(&t);
        return MIG_EDATA;
    }
    month = malloc((t->n_rows ? t->n_rows : 1) * sizeof *month);
    value = malloc((t->n_rows ? t->n_rows : 1) * sizeof *value);
    if (!month || !value) {
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    if (t->n_rows == 0) {
        mig_ctx_error(ctx, MIG_EDATA, "%s: no rows (expected one per month)", path);
        n_err++;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        n_err += check_row(t, ctx, col, r, month, value);
        if (month[r] != INT32_MIN) {
            if (month[r] < lo)
                lo = month[r];
            if (month[r] > hi)
                hi = month[r];
        }
    }
    if (n_err) {
        st = MIG_EDATA;
        goto done;
    }
    ind = calloc(1, sizeof *ind);
    if (!ind) {
        st = MIG_ENOMEM;
        goto done;
    }
    ind->first_month = lo;
    ind->n_months = (uint32_t)(hi - lo + 1);
    ind->name = malloc(strlen(name) + 1);
    ind->path = malloc(strlen(path) + 1);
    ind->value = calloc(ind->n_months, sizeof *ind->value);
    ind->have = calloc(ind->n_months, sizeof *ind->have);
    if (!ind->name || !ind->path || !ind->value || !ind->have) {
        mig_indicator_destroy(&ind);
        st = MIG_ENOMEM;
        goto done;
    }
    strcpy(ind->name, name);
    strcpy(ind->path, path);
    for (size_t r = 0; r < t->n_rows; r++) {
        ind->value[month[r] - lo] = value[r];
        ind->have[month[r] - lo] = 1;
    }
    *out = ind;
    st = MIG_OK;
done:
    free(month);
    free(value);
    mig_csv_destroy(&t);
    return st;
}

/* ---- the hazard ------------------------------------------------------------------- */

double mig_corridor_hazard_rate(double base, size_t n_terms, const mig_hazard_term *terms, const double *x)
{
    double eta = 0.0;
    for (size_t k = 0; k < n_terms; k++) {
        double v = terms[k].has_max && x[k] > terms[k].max ? terms[k].max : x[k];
        eta += terms[k].beta * (v - terms[k].ref);
    }
    return base * exp(eta);
}

#define MAX_TERMS 64

mig_status mig_corridor_hazard_schedule(uint32_t *daily, int32_t start_day, uint32_t days, int32_t from_day,
                                        int32_t to_day, double base, double mult, size_t n_terms,
                                        const mig_hazard_term *terms, const char *what, mig_ctx *ctx)
{
    double x[MAX_TERMS], sum = 0.0, prev_floor = 0.0;
    if (n_terms > MAX_TERMS)
        return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: more than %d terms", what, MAX_TERMS);
    for (uint32_t i = 0; i < days; i++) {
        int32_t day = start_day + (int32_t)i;
        double r, f;
        daily[i] = 0;
        if (day < from_day || day > to_day)
            continue;
        for (size_t k = 0; k < n_terms; k++)
            if (mig_indicator_at(terms[k].ind, day, &x[k])) {
                char d[11];
                int y, m, dd;
                mig_date_format(day, d);
                mig_date_parts(day, &y, &m, &dd);
                return mig_ctx_error(ctx, MIG_EDATA,
                                     "%s: indicator \"%s\" (%s) has no value for %04d-%02d, needed from %s",
                                     what, terms[k].ind->name, terms[k].ind->path, y, m, d);
            }
        r = mult * mig_corridor_hazard_rate(base, n_terms, terms, x);
        if (!(r >= 0) || !(r < 4e9))
            return mig_ctx_error(ctx, MIG_EDATA, "%s: the departure rate on day %d is %g persons per day", what,
                                 (int)i, r);
        sum += r;
        f = floor(sum);
        daily[i] = (uint32_t)(f - prev_floor);
        prev_floor = f;
    }
    return MIG_OK;
}

/* ---- route options ---------------------------------------------------------------- */

enum { R_NAT, R_FROM, R_TO, R_WEIGHT, R_SOURCE, R_NOTE, R_NCOL };
static const char *const route_cols[R_NCOL] = { "nationality", "from", "to", "weight", "source", "note" };

mig_status mig_corridor_route_options(const char *path, const mig_config *cfg, const mig_network *net,
                                      double *mult, mig_ctx *ctx)
{
    mig_csv *t = NULL;
    int col[R_NCOL];
    size_t n_err;
    const size_t nl = net->n_links, nn = cfg->n_nationalities;
    mig_status st;
    char q[72];

    for (size_t i = 0; i < nn * nl; i++)
        mult[i] = 1.0;
    if ((st = mig_csv_read(path, ctx, &t)) != MIG_OK)
        return st;
    n_err = map_columns(t, ctx, route_cols, R_NCOL, 5, "nationality, from, to, weight, source, note", col);
    if (n_err) {
        mig_csv_destroy(&t);
        return MIG_EDATA;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        const char *nat = t->cells[r][col[R_NAT]], *from = t->cells[r][col[R_FROM]];
        const char *to = t->cells[r][col[R_TO]], *wv = t->cells[r][col[R_WEIGHT]];
        int k = -1, bad = 0;
        int64_t pf = -1, pt = -1;
        double w;
        if (strcmp(nat, "*") && (k = mig_config_nationality(cfg, nat)) < 0) {
            mig_csv_cell_error(t, ctx, r, col[R_NAT], "unknown nationality %s (not in the scenario's nationalities, nor \"*\")",
                       quoted(q, nat));
            bad = 1;
        }
        if (strcmp(from, "*") && (pf = mig_network_place(net, from)) < 0) {
            mig_csv_cell_error(t, ctx, r, col[R_FROM], "unknown place %s", quoted(q, from));
            bad = 1;
        }
        if (strcmp(to, "*") && (pt = mig_network_place(net, to)) < 0) {
            mig_csv_cell_error(t, ctx, r, col[R_TO], "unknown place %s", quoted(q, to));
            bad = 1;
        }
        if (pf >= 0 && pt >= 0) {
            int found = 0;
            for (uint32_t l = 0; l < nl; l++)
                found |= net->link_from[l] == (uint32_t)pf && net->link_to[l] == (uint32_t)pt;
            if (!found) {
                mig_csv_cell_error(t, ctx, r, col[R_TO], "no link from %s to %s in the network", quoted(q, from), to);
                bad = 1;
            }
        }
        if (mig_parse_number(wv, &w) || w < 0) {
            mig_csv_cell_error(t, ctx, r, col[R_WEIGHT], "expected a multiplier >= 0, got %s", quoted(q, wv));
            bad = 1;
        }
        if (!*t->cells[r][col[R_SOURCE]]) {
            mig_csv_cell_error(t, ctx, r, col[R_SOURCE], "expected the source or stated assumption, got an empty cell");
            bad = 1;
        }
        if (bad) {
            n_err++;
            continue;
        }
        for (size_t kk = 0; kk < nn; kk++) {
            if (k >= 0 && (size_t)k != kk)
                continue;
            for (uint32_t l = 0; l < nl; l++)
                if ((pf < 0 || net->link_from[l] == (uint32_t)pf) && (pt < 0 || net->link_to[l] == (uint32_t)pt))
                    mult[kk * nl + l] *= w;
        }
    }
    mig_csv_destroy(&t);
    return n_err ? MIG_EDATA : MIG_OK;
}
