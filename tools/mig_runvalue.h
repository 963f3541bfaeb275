/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_runvalue.h: one number from a run's HDF5 output: a variable over time summed over a
 * period and over all its other dimensions (e.g. the encounters of FY2023), for `migsim sobol`. */
#ifndef MIG_RUNVALUE_H
#define MIG_RUNVALUE_H

#include <stdint.h>
#include "mig_ctx.h"

typedef struct mig_period {
    int whole;                /* 1: every day of the run */
    int32_t first, last;      /* else: the first and last day (mig_date day numbers) */
} mig_period;

/* queries */
/* Parses a period: "FY2023" (2022-10-01 to 2023-09-30), "2023-01" (a month), "2023-01:2023-03"
 * (months), "2023-01-15:2023-02-14" (days), or "all". Returns 0, or -1 when malformed. */
int mig_period_parse(const char *s, mig_period *p);

/* The sum of variable var of the run at path over the days of period p (which the run must
 * cover) and all other dimensions, as a double. MIG_ENOINPUT for a missing file; MIG_EDATA
 * naming the file for one that is not a run, a variable that is missing or not over time, a
 * period outside the run. */
mig_status mig_runvalue_total(const char *path, const char *var, const mig_period *p, mig_ctx *ctx, double *out);

#endif
