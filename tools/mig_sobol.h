/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_sobol.h: variance-based sensitivity: Sobol first-order (S1) and total (ST) indices
 * from the outputs of a Saltelli design, with bootstrap percentile intervals. */
#ifndef MIG_SOBOL_H
#define MIG_SOBOL_H

#include <stddef.h>
#include <stdint.h>
#include "mig_ctx.h"

#define MIG_SOBOL_MAX_PARAMS 20    /* 2k coordinates of GSL's Sobol sequence, at most 40 */

/* The Saltelli design of n base points over k parameters is (k + 2) blocks of n points: block
 * 0 is A, block 1 is B (two independent samples), block 2 + i is AB_i (A with column i taken
 * from B). Point p of the design is row p % n of block p / n. */

typedef struct mig_sobol_result {
    size_t k, n;              /* parameters, base points */
    size_t n_boot;            /* bootstrap resamples (0: no intervals) */
    double level;             /* the intervals' coverage, e.g. 0.95 */
    double mean, var;         /* of the 2n outputs of A and B (var: divided by 2n) */
    double *s1, *st;          /* owned [k] */
    double *s1_lo, *s1_hi;    /* owned [k]: bootstrap percentile interval (NaN when n_boot is 0) */
    double *st_lo, *st_hi;    /* owned [k] */
} mig_sobol_result;

/* lifecycle */
/* The indices from y[(k + 2) n], the output at each point of the design (y[b n + j]: row j of
 * block b). S1_i = mean_j (fB_j - f0) (fAB_i,j - fA_j) / V (Saltelli et al. 2010, table 2
 * (b), with fB centred on f0, the mean of fA and fB: indices that do not depend on the
 * output's level),
 * ST_i = mean_j (fA_j - fAB_i,j)^2 / (2 V) (Jansen 1999), V the variance of fA and fB
 * together. n_boot resamples of the n rows (drawn with mig_rng keyed by (seed, resample,
 * row)) give the level interval of each index, between the (1 -+ level) / 2 quantiles of
 * the resampled indices. MIG_EDATA (described in ctx) when an output is not finite or the
 * outputs do not vary; MIG_EUSAGE for n < 2, k of 0 or past the maximum, a level outside
 * (0, 1). out is filled on MIG_OK (free with mig_sobol_result_free). */
mig_status mig_sobol_indices(const double *y, size_t n, size_t k, size_t n_boot, double level, uint64_t seed,
                             mig_ctx *ctx, mig_sobol_result *out);
void mig_sobol_result_free(mig_sobol_result *r);

/* The design's points in the unit cube: u[((k + 2) n) k] (point p's coordinates at u + p k),
 * A and B from one Sobol sequence of dimension 2 k (GSL's gsl_qrng_sobol, its first point
 * (0.5, ...) skipped: there A and B would coincide): A from the first k coordinates, B from
 * the last k. MIG_EUSAGE for k of 0 or past MIG_SOBOL_MAX_PARAMS, MIG_ENOMEM. */
mig_status mig_sobol_design(size_t n, size_t k, double *u);

#endif
