/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_abc.h: approximate Bayesian computation by sequential Monte Carlo (ABC-SMC, Beaumont
 * et al. 2009, with the tolerance of each generation a quantile of the last one's distances,
 * Del Moral et al. 2012), for any simulator that returns a distance to the observations. */
#ifndef MIG_ABC_H
#define MIG_ABC_H

#include <stddef.h>
#include <stdint.h>
#include "mig_ctx.h"

#define MIG_ABC_MAX_GENERATIONS 32

/* A prior: uniform on [lo, hi], or uniform in log on it (log_uniform, lo > 0). */
typedef struct mig_abc_prior {
    double lo, hi;
    int log_uniform;
} mig_abc_prior;

typedef struct mig_abc_settings {
    size_t particles;         /* population size N */
    int generations;          /* generations after the first, sampled from the prior */
    double quantile;          /* each tolerance: this quantile of the last accepted distances */
    size_t max_runs;          /* stop when a generation would pass this many runs in all (0: none) */
    uint64_t seed;            /* the sampler's random numbers (priors, resampling, kernels) */
    int jobs;                 /* particles made at once, one per worker (0 or 1: one at a time); the
                               * result is the same, bit for bit, for any number */
} mig_abc_settings;

/* The simulator: runs parameters theta[n_par] and returns the distance in *dist. run: a number
 * unique to the run (a mix of its generation, particle and attempt; e.g. for its seed, so that
 * the run does not depend on the order the runs are made in). worker: which of the set->jobs
 * workers calls (0 to jobs - 1), which may call at the same time as the others: data must give
 * each worker state of its own. A status other than MIG_OK stops the sampler; a distance of
 * +inf rejects the parameters (e.g. values the simulator refuses). */
typedef mig_status (*mig_abc_distance_fn)(void *data, int worker, const double *theta, uint64_t run, double *dist);

/* Progress, once per generation (may be NULL). */
typedef void (*mig_abc_progress_fn)(void *data, int generation, double tolerance, size_t runs, size_t accepted);

typedef struct mig_abc_result {
    size_t n_par, n;          /* parameters, particles */
    double *theta;            /* owned [n * n_par]: the last population */
    double *weight;           /* owned [n], summing to 1 */
    double *dist;             /* owned [n]: each particle's distance */
    int generations;          /* generations run after the first */
    double tolerance[MIG_ABC_MAX_GENERATIONS + 1]; /* [0]: inf (the prior); [g]: generation g's */
    size_t runs[MIG_ABC_MAX_GENERATIONS + 1];      /* runs made by each generation */
    size_t total_runs;
    int stopped_by_budget;    /* 1: max_runs ended the sampling early */
} mig_abc_result;

/* Samples the posterior. out is filled (free with mig_abc_result_free) on MIG_OK. */
mig_status mig_abc_run(const mig_abc_prior *prior, size_t n_par, const mig_abc_settings *set, mig_abc_distance_fn f,
                       void *data, mig_abc_progress_fn progress, void *pdata, mig_abc_result *out);

/* The weighted mean and standard deviation of parameter i of a result. */
void mig_abc_moments(const mig_abc_result *r, size_t i, double *mean, double *sd);

/* The weighted q quantile of parameter i of a result: the smallest value whose cumulative
 * weight (values in increasing order) reaches q. pairs: the caller's scratch of 2 r->n doubles. */
double mig_abc_quantile(const mig_abc_result *r, size_t i, double q, double *pairs);

/* Draws n indices of the population in proportion to its weights (systematic resampling,
 * one uniform from seed): idx[n]. */
mig_status mig_abc_resample(const mig_abc_result *r, size_t n, uint64_t seed, size_t *idx);

void mig_abc_result_free(mig_abc_result *r);

/* What the posterior's files say besides the sample (borrowed strings). */
typedef struct mig_abc_meta {
    const char *scenario, *command, *window, *date;
    const char *distance;     /* what the distance is, in words */
    double scale, seconds;
    const char *const *names; /* [n_par] each parameter's keys, "a" or "a,b" (one value at both) */
    const char *const *distribution; /* [n_par] "uniform" or "log-uniform" */
    const char *const *basis; /* [n_par] */
} mig_abc_meta;

/* Writes the posterior sample to csv (columns draw, weight, then one per key: the
 * population resampled to set->particles equal-weight draws in proportion to its weights,
 * so that each row is a draw) and its record to yaml (settings, tolerances, runs, and each
 * parameter's prior and posterior summary), each through a temporary file next to it. */
mig_status mig_abc_write(const char *csv, const char *yaml, const mig_abc_result *r, const mig_abc_settings *set,
                         const mig_abc_prior *prior, const mig_abc_meta *m, mig_ctx *ctx);

#endif
