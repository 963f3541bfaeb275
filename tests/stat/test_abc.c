/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_abc.c: mig_abc (ABC-SMC) on problems whose posterior is known analytically.
 * 1. A normal mean: y_1..y_25 ~ N(theta, 1) observed with mean 1.3, flat prior on [-10, 10];
 *    the simulator draws 25 values at theta and the distance is |mean - 1.3|. The sample mean is
 *    sufficient, so as the tolerance goes to 0 the ABC posterior is the exact posterior
 *    N(1.3, 1/25): mean 1.3, sd 0.2. With 400 particles and 8 generations at the median the
 *    weighted mean must lie within 1.3 +- 0.05 (4 standard errors of a mean of 400 draws of
 *    sd 0.2 would be 0.04; ABC's tolerance adds a little) and the sd within [0.17, 0.26]
 *    (tolerance widens it; without weights or with a wrong kernel it collapses or spreads).
 * 2. A log-uniform prior and no information (constant distance): the population stays the
 *    prior: the share below the geometric middle is 1/2 within binomial bounds.
 * 3. The same settings and seed give the same population, bit for bit; the run budget stops
 *    the sampler after the last whole generation.
 * 4. Any number of workers (settings.jobs) gives the same population, tolerances and runs, bit
 *    for bit, as one: each worker calls the simulator with its own state, from 2 or 3 OpenMP
 *    threads at once; a budget that ends a generation made by workers stops at the same run. */
#include <criterion/criterion.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "mig_abc.h"

#define MAX_WORKERS 4

typedef struct toy {
    gsl_rng *rng[MAX_WORKERS]; /* each worker's */
    double obs_mean;
    size_t calls;
} toy;

static void toy_init(toy *t, double obs_mean)
{
    for (int i = 0; i < MAX_WORKERS; i++)
        cr_assert_not_null(t->rng[i] = gsl_rng_alloc(gsl_rng_mt19937));
    t->obs_mean = obs_mean;
    t->calls = 0;
}

static void toy_free(toy *t)
{
    for (int i = 0; i < MAX_WORKERS; i++)
        gsl_rng_free(t->rng[i]);
}

static mig_status normal_mean(void *data, int worker, const double *theta, uint64_t run, double *dist)
{
    toy *t = data;
    gsl_rng *rng = t->rng[worker];
    double s = 0.0;
    gsl_rng_set(rng, 1000 + run); /* keyed by the run, as migsim's draws are */
    for (int i = 0; i < 25; i++)
        s += theta[0] + gsl_ran_gaussian_ziggurat(rng, 1.0);
    *dist = fabs(s / 25.0 - t->obs_mean);
#pragma omp atomic
    t->calls++;
    return MIG_OK;
}

static mig_status flat(void *data, int worker, const double *theta, uint64_t run, double *dist)
{
    (void)data;
    (void)worker;
    (void)theta;
    (void)run;
    *dist = 1.0;
    return MIG_OK;
}

Test(abc, normal_mean_posterior)
{
    mig_abc_prior prior = { -10.0, 10.0, 0 };
    mig_abc_settings set = { 400, 8, 0.5, 0, 7, 1 };
    toy t;
    mig_abc_result r;
    double mean, sd, sum = 0.0;
    toy_init(&t, 1.3);
    cr_assert_eq(mig_abc_run(&prior, 1, &set, normal_mean, &t, NULL, NULL, &r), MIG_OK);
    mig_abc_moments(&r, 0, &mean, &sd);
    cr_log_info("posterior mean %.4f sd %.4f after %zu runs, last tolerance %.4f", mean, sd, r.total_runs,
                r.tolerance[r.generations]);
    cr_expect(fabs(mean - 1.3) < 0.05, "mean %g", mean);
    cr_expect(sd > 0.17 && sd < 0.26, "sd %g", sd);
    cr_expect_eq(r.generations, 8);
    cr_expect_eq(r.total_runs, t.calls);
    for (int g = 2; g <= r.generations; g++)
        cr_expect(r.tolerance[g] <= r.tolerance[g - 1], "tolerances must not rise");
    for (size_t k = 0; k < r.n; k++) {
        sum += r.weight[k];
        cr_expect(r.dist[k] <= r.tolerance[r.generations]);
    }
    cr_expect(fabs(sum - 1.0) < 1e-9);
    mig_abc_result_free(&r);
    toy_free(&t);
}

Test(abc, log_uniform_prior_kept_without_information)
{
    mig_abc_prior prior = { 0.01, 100.0, 1 };
    mig_abc_settings set = { 1000, 3, 0.5, 0, 11, 1 };
    mig_abc_result r;
    size_t below = 0;
    size_t *idx = malloc(1000 * sizeof *idx);
    cr_assert_eq(mig_abc_run(&prior, 1, &set, flat, NULL, NULL, NULL, &r), MIG_OK);
    cr_assert_eq(mig_abc_resample(&r, 1000, 5, idx), MIG_OK);
    for (size_t k = 0; k < 1000; k++) {
        double x = r.theta[idx[k]];
        cr_assert(x >= 0.01 && x <= 100.0);
        below += x < 1.0;
    }
    /* binomial(1000, 1/2): sd 15.8; 4 sd; resampling adds at most a little */
    cr_expect(below > 500 - 70 && below < 500 + 70, "below %zu", below);
    free(idx);
    mig_abc_result_free(&r);
}

Test(abc, reproducible_and_budget)
{
    mig_abc_prior prior = { -10.0, 10.0, 0 };
    mig_abc_settings set = { 50, 3, 0.5, 0, 3, 1 };
    toy t1, t2;
    mig_abc_result a, b, c;
    toy_init(&t1, 1.3);
    toy_init(&t2, 1.3);
    cr_assert_eq(mig_abc_run(&prior, 1, &set, normal_mean, &t1, NULL, NULL, &a), MIG_OK);
    cr_assert_eq(mig_abc_run(&prior, 1, &set, normal_mean, &t2, NULL, NULL, &b), MIG_OK);
    for (size_t k = 0; k < a.n; k++) {
        cr_expect_eq(a.theta[k], b.theta[k]);
        cr_expect_eq(a.weight[k], b.weight[k]);
    }
    /* a budget inside generation 2 keeps generation 1's population */
    set.max_runs = a.runs[0] + a.runs[1] + 1;
    cr_assert_eq(mig_abc_run(&prior, 1, &set, normal_mean, &t1, NULL, NULL, &c), MIG_OK);
    cr_expect_eq(c.generations, 1);
    cr_expect_eq(c.stopped_by_budget, 1);
    cr_expect_eq(c.tolerance[1], a.tolerance[1]);
    mig_abc_result_free(&a);
    mig_abc_result_free(&b);
    mig_abc_result_free(&c);
    toy_free(&t1);
    toy_free(&t2);
}

static void expect_same(const mig_abc_result *a, const mig_abc_result *b, int jobs)
{
    cr_assert_eq(a->n, b->n);
    cr_expect_eq(a->generations, b->generations, "jobs %d: generations %d, not %d", jobs, b->generations,
                 a->generations);
    cr_expect_eq(a->total_runs, b->total_runs, "jobs %d: %zu runs, not %zu", jobs, b->total_runs, a->total_runs);
    cr_expect_eq(a->stopped_by_budget, b->stopped_by_budget);
    for (int g = 0; g <= a->generations; g++) {
        cr_expect_eq(a->runs[g], b->runs[g], "jobs %d: generation %d: %zu runs, not %zu", jobs, g, b->runs[g],
                     a->runs[g]);
        cr_expect_eq(a->tolerance[g], b->tolerance[g]);
    }
    for (size_t k = 0; k < a->n; k++) {
        cr_expect_eq(a->theta[k], b->theta[k], "jobs %d: particle %zu: %.17g, not %.17g", jobs, k, b->theta[k],
                     a->theta[k]);
        cr_expect_eq(a->weight[k], b->weight[k]);
        cr_expect_eq(a->dist[k], b->dist[k]);
    }
}

Test(abc, same_population_for_any_number_of_workers)
{
    mig_abc_prior prior = { -10.0, 10.0, 0 };
    mig_abc_settings set = { 60, 3, 0.5, 0, 5, 1 };
    toy t;
    mig_abc_result one, many;
    toy_init(&t, 1.3);
    cr_assert_eq(mig_abc_run(&prior, 1, &set, normal_mean, &t, NULL, NULL, &one), MIG_OK);
    cr_expect_eq(one.total_runs, t.calls);
    for (int jobs = 2; jobs <= 3; jobs++) {
        set.jobs = jobs;
        t.calls = 0;
        cr_assert_eq(mig_abc_run(&prior, 1, &set, normal_mean, &t, NULL, NULL, &many), MIG_OK);
        cr_expect_eq(many.total_runs, t.calls);
        expect_same(&one, &many, jobs);
        mig_abc_result_free(&many);
    }
    /* a budget inside generation 3: generation 2's population, and exactly the budget's runs */
    set.max_runs = one.runs[0] + one.runs[1] + one.runs[2] + one.runs[3] / 2;
    set.jobs = 1;
    mig_abc_result_free(&one);
    cr_assert_eq(mig_abc_run(&prior, 1, &set, normal_mean, &t, NULL, NULL, &one), MIG_OK);
    cr_expect_eq(one.generations, 2);
    cr_expect_eq(one.total_runs, set.max_runs);
    set.jobs = 3;
    t.calls = 0;
    cr_assert_eq(mig_abc_run(&prior, 1, &set, normal_mean, &t, NULL, NULL, &many), MIG_OK);
    cr_expect_eq(t.calls, set.max_runs, "jobs 3: %zu runs made under a budget of %zu", t.calls, set.max_runs);
    expect_same(&one, &many, 3);
    mig_abc_result_free(&one);
    mig_abc_result_free(&many);
    toy_free(&t);
}
