/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_abc_recovery.c: ABC-SMC (mig_abc) recovers the known parameters of a small synthetic
 * scenario of the basic model (issue 15, item 6). The star of tests/data/stat/star.yaml:
 * 2000 agents at an origin on day 0, four destinations at 100, 200, 300 and 400 km, 3 days.
 * "Observed" data are a run at the true values (move probability at the origin 0.3, distance
 * power 1.0) with a seed of their own; the summaries are the share of agents that left by the
 * end of day 2 and the shares of the departures to each destination; the distance is their
 * Euclidean distance, each scaled by about its standard deviation between seeds (0.01, 0.015).
 * Priors: the probability uniform on [0.05, 0.9], the power uniform on [0, 3]. Each
 * replication has other observed data, sampler seed and run seeds; 200 particles, 5
 * generations at the median. Each true value must lie in the 90 % credible interval (the
 * weighted 5 % and 95 % quantiles of the last population) in at least 80 % of the
 * replications (rounded down), and the intervals must be informative: on average narrower
 * than a quarter of the prior's range (a posterior equal to the prior would cover every time).
 * 10 replications (8 of 10 needed; got 10 of 10 for both, mean widths 0.085 and 0.65, 32,123
 * runs, 24 s of CPU in the Release build); MIGSIM_ABC_RECOVERY_REPS sets another number (the
 * sanitizer build runs 3, tests/CMakeLists.txt). */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../test_util.h"
#include "mig_abc.h"
#include "mig_step.h"

#define STAR MIGSIM_TEST_DATA "/stat/star.yaml"
#define N_AGENTS 2000
#define N_STATS 5

typedef struct synth {
    double obs[N_STATS];      /* the observed summaries */
    uint64_t seed0;           /* the runs' seeds: seed0 + run */
} synth;

/* The summaries of a run at (p, power) with seed: the share that left the origin by the end
 * of day 2, then the shares of the departures to D1..D4. */
static void summaries(double p, double power, uint64_t seed, double s[N_STATS])
{
    char ps[64], ws[64], ss[64];
    const char *over[] = { ps, ws, ss, "sources[0].rate=2000" };
    int64_t flow[4] = { 0 }, moved = 0;
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    snprintf(ps, sizeof ps, "movement.move_probability.origin=%.17g", p);
    snprintf(ws, sizeof ws, "movement.distance_power=%.17g", power);
    snprintf(ss, sizeof ss, "seed=%llu", (unsigned long long)seed);
    test_world(STAR, over, 4, 1, &ctx, &cfg, &w);
    for (uint32_t day = 0; day < 3; day++) {
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        for (size_t l = 0; l < 4; l++)
            flow[l] += w->v_flow[l];
    }
    for (size_t l = 0; l < 4; l++)
        moved += flow[l];
    s[0] = (double)moved / N_AGENTS;
    for (size_t l = 0; l < 4; l++)
        s[1 + l] = moved ? (double)flow[l] / (double)moved : 0.0;
    test_world_free(&ctx, &cfg, &w);
}

static mig_status distance(void *data, int worker, const double *theta, uint64_t run, double *dist)
{
    const synth *S = data;
    (void)worker;
    double s[N_STATS], d = 0.0;
    summaries(theta[0], theta[1], S->seed0 + run, s);
    for (size_t i = 0; i < N_STATS; i++) {
        double z = (s[i] - S->obs[i]) / (i == 0 ? 0.01 : 0.015);
        d += z * z;
    }
    *dist = sqrt(d);
    return MIG_OK;
}

Test(abc_recovery, true_values_in_the_90_percent_interval, .timeout = 1800)
{
    static const double truth[2] = { 0.3, 1.0 };
    static const mig_abc_prior prior[2] = { { 0.05, 0.9, 0 }, { 0.0, 3.0, 0 } };
    const char *env = getenv("MIGSIM_ABC_RECOVERY_REPS");
    int reps = env ? atoi(env) : 10, need, covered[2] = { 0, 0 };
    double width[2] = { 0, 0 };
    size_t runs = 0;
    cr_assert(reps >= 1 && reps <= 100, "MIGSIM_ABC_RECOVERY_REPS: expected 1 to 100, got \"%s\"", env);
    need = (int)floor(0.8 * reps);
    for (int r = 0; r < reps; r++) {
        mig_abc_settings set = { 200, 5, 0.5, 0, 100 + (uint64_t)r, 1 };
        synth S = { .seed0 = 1000000u * (uint64_t)(r + 1) };
        mig_abc_result res;
        double pairs[2 * 200];
        summaries(truth[0], truth[1], 7000 + (uint64_t)r, S.obs);
        cr_assert_eq(mig_abc_run(prior, 2, &set, distance, &S, NULL, NULL, &res), MIG_OK);
        runs += res.total_runs;
        for (size_t i = 0; i < 2; i++) {
            double lo = mig_abc_quantile(&res, i, 0.05, pairs), hi = mig_abc_quantile(&res, i, 0.95, pairs);
            int in = lo <= truth[i] && truth[i] <= hi;
            covered[i] += in;
            width[i] += (hi - lo) / reps;
            cr_log_info("replication %d: parameter %zu: 90%% interval [%.4f, %.4f], true %.2f %s", r, i, lo, hi,
                        truth[i], in ? "inside" : "OUTSIDE");
        }
        mig_abc_result_free(&res);
    }
    cr_log_info("covered: probability %d of %d, power %d of %d (need %d); mean widths %.4f, %.4f; %zu runs", covered[0],
                reps, covered[1], reps, need, width[0], width[1], runs);
    for (size_t i = 0; i < 2; i++) {
        cr_expect(covered[i] >= need, "parameter %zu: true value inside the 90%% interval in %d of %d replications, "
                  "expected at least %d", i, covered[i], reps, need);
        cr_expect(width[i] < 0.25 * (prior[i].hi - prior[i].lo), "parameter %zu: mean interval width %.4f is not "
                  "informative (a quarter of the prior's range: %.4f)", i, width[i],
                  0.25 * (prior[i].hi - prior[i].lo));
    }
}
