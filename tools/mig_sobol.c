/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_sobol.c: Sobol indices from a Saltelli design (see mig_sobol.h). The estimators are the
 * ones Saltelli et al. (2010, "Variance based sensitivity analysis of model output", table 2)
 * recommend: (b) for S1 (with fB centred on the mean, as Sobol' 2001 centres f) and Jansen's
 * (f) for ST; the intervals are bootstrap percentiles over the base points, as in SALib. */
#include "mig_sobol.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "mig_rng.h"
#include "mig_util.h"

#define BOOT_PURPOSE 0x50B0u      /* the counter word of the resampling draws */

void mig_sobol_result_free(mig_sobol_result *r)
{
    if (!r)
        return;
    MIG_FREE_ALL(r->s1, r->st, r->s1_lo, r->s1_hi, r->st_lo, r->st_hi);
    memset(r, 0, sizeof *r);
}

/* The indices over the rows idx[0..n) (a bootstrap resample, or every row): s1[k], st[k].
 * Returns the variance of the A and B outputs of those rows. fB is centred on the rows' mean
 * f0 in S1's numerator: the same in expectation (fAB_i - fA has mean 0), but the estimate
 * no longer depends on the output's level; without it an output whose mean is large against
 * its spread (counts of encounters: mean 118,000, sd 6,800) gets S1 intervals wider than 1. */
static double estimate(const double *y, size_t n, size_t k, const size_t *idx, double *s1, double *st)
{
    const double *fa = y, *fb = y + n;
    double mean = 0.0, var = 0.0;
    for (size_t j = 0; j < n; j++)
        mean += fa[idx[j]] + fb[idx[j]];
    mean /= 2.0 * (double)n;
    for (size_t j = 0; j < n; j++)
        var += (fa[idx[j]] - mean) * (fa[idx[j]] - mean) + (fb[idx[j]] - mean) * (fb[idx[j]] - mean);
    var /= 2.0 * (double)n;
    for (size_t i = 0; i < k; i++) {
        const double *fab = y + (2 + i) * n;
        double a = 0.0, t = 0.0;
        for (size_t j = 0; j < n; j++) {
            size_t r = idx[j];
            a += (fb[r] - mean) * (fab[r] - fa[r]);
            t += (fa[r] - fab[r]) * (fa[r] - fab[r]);
        }
        s1[i] = var > 0 ? a / (double)n / var : NAN;
        st[i] = var > 0 ? t / (2.0 * (double)n) / var : NAN;
    }
    return var;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q quantile of v[0..m) (sorted here), linear between order statistics. */
static double quantile(double *v, size_t m, double q)
{
    double h = (double)(m - 1) * q;
    size_t i = (size_t)floor(h);
    qsort(v, m, sizeof *v, by_value);
    return i + 1 >= m ? v[m - 1] : v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

/* n_boot resamples of the rows: the percentile intervals of r (allocated by the caller). */
static mig_status bootstrap(const double *y, mig_sobol_result *r, uint64_t seed)
{
    size_t n = r->n, k = r->k, B = r->n_boot;
    size_t *idx = malloc(n * sizeof *idx);
    double *rep = malloc(2 * k * B * sizeof *rep), *one = malloc(2 * k * sizeof *one);
    double lo = (1.0 - r->level) / 2.0, hi = 1.0 - lo;
    if (!idx || !rep || !one) {
        MIG_FREE_ALL(idx, rep, one);
        return MIG_ENOMEM;
    }
    for (size_t b = 0; b < B; b++) {
        for (size_t j = 0; j < n; j++) {
            mig_rng_words w = mig_rng_draw(seed, (uint32_t)b, (uint32_t)j, BOOT_PURPOSE);
            idx[j] = (size_t)(mig_rng_u01(w.w[0]) * (double)n);
        }
        /* a resample whose outputs do not vary has no indices: it counts as 0 */
        if (!(estimate(y, n, k, idx, one, one + k) > 0))
            memset(one, 0, 2 * k * sizeof *one);
        for (size_t i = 0; i < 2 * k; i++)
            rep[i * B + b] = one[i];     /* s1 of parameter i at row i, st at row k + i */
    }
    for (size_t i = 0; i < k; i++) {
        r->s1_lo[i] = quantile(rep + i * B, B, lo);
        r->s1_hi[i] = quantile(rep + i * B, B, hi);
        r->st_lo[i] = quantile(rep + (k + i) * B, B, lo);
        r->st_hi[i] = quantile(rep + (k + i) * B, B, hi);
    }
    MIG_FREE_ALL(idx, rep, one);
    return MIG_OK;
}

/* MIG_EDATA for an output that is not finite (which design point). */
static mig_status check_outputs(const double *y, size_t n, size_t k, mig_ctx *ctx)
{
    for (size_t p = 0; p < (k + 2) * n; p++)
        if (!isfinite(y[p]))
            return mig_ctx_error(ctx, MIG_EDATA, "sobol: the output of design point %zu (block %zu, row %zu) is %g",
                                 p, p / n, p % n, y[p]);
    return MIG_OK;
}

mig_status mig_sobol_indices(const double *y, size_t n, size_t k, size_t n_boot, double level, uint64_t seed,
                             mig_ctx *ctx, mig_sobol_result *out)
{
    mig_sobol_result r = { .k = k, .n = n, .n_boot = n_boot, .level = level };
    size_t *all = NULL;
    mig_status st;

    memset(out, 0, sizeof *out);
    if (n < 2 || k == 0 || k > MIG_SOBOL_MAX_PARAMS || !(level > 0 && level < 1))
        return mig_ctx_error(ctx, MIG_EUSAGE, "sobol: expected at least 2 base points, 1 to %d parameters and a "
                             "level in (0, 1), got %zu, %zu and %g", MIG_SOBOL_MAX_PARAMS, n, k, level);
    if ((st = check_outputs(y, n, k, ctx)) != MIG_OK)
        return st;
    all = malloc(n * sizeof *all);
    r.s1 = malloc(k * sizeof *r.s1);
    r.st = malloc(k * sizeof *r.st);
    r.s1_lo = malloc(k * sizeof *r.s1_lo);
    r.s1_hi = malloc(k * sizeof *r.s1_hi);
    r.st_lo = malloc(k * sizeof *r.st_lo);
    r.st_hi = malloc(k * sizeof *r.st_hi);
    if (!all || !r.s1 || !r.st || !r.s1_lo || !r.s1_hi || !r.st_lo || !r.st_hi) {
        st = mig_ctx_error(ctx, MIG_ENOMEM, "sobol: out of memory for %zu parameters", k);
        goto fail;
    }
    for (size_t j = 0; j < n; j++)
        all[j] = j;
    r.var = estimate(y, n, k, all, r.s1, r.st);
    for (size_t j = 0; j < 2 * n; j++)
        r.mean += y[j] / (2.0 * (double)n);
    if (!(r.var > 0)) {
        st = mig_ctx_error(ctx, MIG_EDATA, "sobol: the output is the same (%g) at every point of A and B: "
                           "no variance to apportion", y[0]);
        goto fail;
    }
    for (size_t i = 0; i < k; i++)
        r.s1_lo[i] = r.s1_hi[i] = r.st_lo[i] = r.st_hi[i] = NAN;
    if (n_boot && (st = bootstrap(y, &r, seed)) != MIG_OK) {
        st = mig_ctx_error(ctx, st, "sobol: out of memory for %zu resamples", n_boot);
        goto fail;
    }
    free(all);
    *out = r;
    return MIG_OK;
fail:
    free(all);
    mig_sobol_result_free(&r);
    return st;
}

mig_status mig_sobol_design(size_t n, size_t k, double *u)
{
    double x[2 * MIG_SOBOL_MAX_PARAMS];
    gsl_qrng *q;
    if (k == 0 || k > MIG_SOBOL_MAX_PARAMS)
        return MIG_EUSAGE;
    if (!(q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k))))
        return MIG_ENOMEM;
    gsl_qrng_get(q, x);              /* the first point: A and B equal */
    for (size_t j = 0; j < n; j++) {
        gsl_qrng_get(q, x);
        for (size_t b = 0; b < k + 2; b++) {
            double *p = u + (b * n + j) * k;
            for (size_t i = 0; i < k; i++)
                p[i] = b == 1 || b == 2 + i ? x[k + i] : x[i];
        }
    }
    gsl_qrng_free(q);
    return MIG_OK;
}
