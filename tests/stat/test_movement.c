/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_movement.c: the science of a step checked against analytic results: the number of
 * agents that move follows Binomial(N, p), and route choice frequencies follow the link
 * weights (chi-square test at p = 0.001). */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>

#include "../test_util.h"
#include "mig_step.h"

#define STAR MIGSIM_TEST_DATA "/stat/star.yaml"

static int64_t sum(const int64_t *v, size_t n)
{
    int64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    return s;
}

/* Departures on day `day` for move probability p, with N = 100000 agents at the origin. */
static void check_binomial(const char *p_text, double p, uint64_t seed)
{
    char seed_set[64], p_set[64];
    const char *over[2];
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    double n = 100000.0, sd = sqrt(n * p * (1 - p));
    int64_t stay = 100000;

    snprintf(p_set, sizeof p_set, "movement.move_probability.origin=%s", p_text);
    snprintf(seed_set, sizeof seed_set, "seed=%llu", (unsigned long long)seed);
    over[0] = p_set;
    over[1] = seed_set;
    test_world(STAR, over, 2, 2, &ctx, &cfg, &w);
    for (uint32_t day = 0; day < 3; day++) {
        int64_t moved;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        moved = sum(w->v_flow, w->net->n_links);
        /* those still at the origin draw again, independently, each day */
        sd = sqrt((double)stay * p * (1 - p));
        cr_expect(fabs((double)moved - (double)stay * p) <= 4.0 * sd,
                  "day %u, p = %g: %lld of %lld moved, expected %.1f +- 4 x %.1f", day, p, (long long)moved,
                  (long long)stay, (double)stay * p, sd);
        stay -= moved;
        cr_assert_eq(w->v_occupancy[0], stay, "origin occupancy after day %u", day);
    }
    (void)n;
    test_world_free(&ctx, &cfg, &w);
}

Test(movement, move_probability_is_binomial)
{
    check_binomial("0.3", 0.3, 11);
    check_binomial("0.05", 0.05, 12);
    check_binomial("0.9", 0.9, 13);
}

Test(movement, zero_and_one_are_exact)
{
    const char *zero[] = { "movement.move_probability.origin=0" };
    const char *one[] = { "movement.move_probability.origin=1" };
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    test_world(STAR, zero, 1, 1, &ctx, &cfg, &w);
    cr_assert_eq(mig_step_run(w, 0, ctx), MIG_OK);
    cr_assert_eq(sum(w->v_flow, w->net->n_links), 0);
    cr_assert_eq(w->v_occupancy[0], 100000);
    test_world_free(&ctx, &cfg, &w);
    test_world(STAR, one, 1, 1, &ctx, &cfg, &w);
    cr_assert_eq(mig_step_run(w, 0, ctx), MIG_OK);
    cr_assert_eq(sum(w->v_flow, w->net->n_links), 100000);
    cr_assert_eq(w->v_occupancy[0], 0);
    test_world_free(&ctx, &cfg, &w);
}

/* All agents leave on day 0; link l gets weight 1/d_l (distance_power 1, no lookahead). */
static double route_pvalue(const char *dist_power, double power, uint64_t seed, int threads)
{
    char seed_set[64], dp_set[64];
    const char *over[3] = { "movement.move_probability.origin=1", dp_set, seed_set };
    const double d[4] = { 100, 200, 300, 400 };
    double wsum = 0, chi2 = 0;
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    snprintf(dp_set, sizeof dp_set, "movement.distance_power=%s", dist_power);
    snprintf(seed_set, sizeof seed_set, "seed=%llu", (unsigned long long)seed);
    test_world(STAR, over, 3, threads, &ctx, &cfg, &w);
    cr_assert_eq(mig_step_run(w, 0, ctx), MIG_OK);
    for (int l = 0; l < 4; l++)
        wsum += pow(d[l], -power);
    for (int l = 0; l < 4; l++) {
        double e = 100000.0 * pow(d[l], -power) / wsum, o = (double)w->v_flow[l];
        chi2 += (o - e) * (o - e) / e;
    }
    test_world_free(&ctx, &cfg, &w);
    return gsl_cdf_chisq_Q(chi2, 3.0);
}

Test(movement, route_choice_matches_weights)
{
    double p1 = route_pvalue("1", 1.0, 21, 2), p2 = route_pvalue("2.5", 2.5, 22, 1), p0 = route_pvalue("0", 0.0, 23, 2);
    cr_expect(p1 > 0.001, "distance_power 1: chi-square p-value %g", p1);
    cr_expect(p2 > 0.001, "distance_power 2.5: chi-square p-value %g", p2);
    cr_expect(p0 > 0.001, "distance_power 0 (uniform): chi-square p-value %g", p0);
}

/* The test must be able to fail: wrong weights are rejected. */
Test(movement, chi_square_rejects_wrong_weights)
{
    /* flows drawn with distance_power 1 tested against uniform expectations */
    char seed_set[] = "seed=5";
    const char *over[2] = { "movement.move_probability.origin=1", seed_set };
    double chi2 = 0;
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    test_world(STAR, over, 2, 1, &ctx, &cfg, &w);
    cr_assert_eq(mig_step_run(w, 0, ctx), MIG_OK);
    for (int l = 0; l < 4; l++)
        chi2 += ((double)w->v_flow[l] - 25000.0) * ((double)w->v_flow[l] - 25000.0) / 25000.0;
    cr_expect(gsl_cdf_chisq_Q(chi2, 3.0) < 1e-6);
    test_world_free(&ctx, &cfg, &w);
}
