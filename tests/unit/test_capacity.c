/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_capacity.c: places' capacity in the engine. Flee's multiplier at analytic points
 * (1 up to 0.9 of the effective capacity, 0 at it, linear between, capacity_scaling on the
 * capacity), and a run on a two-place graph where a camp nearly full stops those heading to
 * it: 96 agents a day at A, one link to camp B of capacity 100 reached the same day. */
#include <criterion/criterion.h>

#include "../test_util.h"
#include "mig_route.h"
#include "mig_step.h"

#define CAP MIGSIM_TEST_DATA "/capacity/capacity.yaml"

Test(capacity, multiplier_at_analytic_points)
{
    /* capacity 1000, buffer 0.9, scaling 1: 1 at 900 and below, 0 at 1000 and above */
    cr_assert_float_eq(mig_route_capacity_factor(0, 1000, 0.9, 1.0), 1.0, 1e-15);
    cr_assert_float_eq(mig_route_capacity_factor(900, 1000, 0.9, 1.0), 1.0, 1e-15);
    cr_assert_float_eq(mig_route_capacity_factor(950, 1000, 0.9, 1.0), 0.5, 1e-12);
    cr_assert_float_eq(mig_route_capacity_factor(990, 1000, 0.9, 1.0), 0.1, 1e-12);
    cr_assert_float_eq(mig_route_capacity_factor(1000, 1000, 0.9, 1.0), 0.0, 1e-15);
    cr_assert_float_eq(mig_route_capacity_factor(5000, 1000, 0.9, 1.0), 0.0, 1e-15);
    /* scaling 1.25: the effective capacity is 1250, nearly full from 1125 */
    cr_assert_float_eq(mig_route_capacity_factor(1125, 1000, 0.9, 1.25), 1.0, 1e-15);
    cr_assert_float_eq(mig_route_capacity_factor(1187.5, 1000, 0.9, 1.25), 0.5, 1e-12);
    cr_assert_float_eq(mig_route_capacity_factor(1250, 1000, 0.9, 1.25), 0.0, 1e-15);
    /* no capacity (0), or an effective one below 1 person: never limits */
    cr_assert_float_eq(mig_route_capacity_factor(1e9, 0, 0.9, 1.0), 1.0, 1e-15);
    cr_assert_float_eq(mig_route_capacity_factor(5, 0.5, 0.9, 1.25), 1.0, 1e-15);
}

/* Runs the capacity scenario for 3 days with overrides; persons at A and B after each day. */
static void run_capacity(const char *const *over, size_t n_over, int threads, int64_t at_a[3], int64_t at_b[3],
                         double factor_b[3])
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    test_world(CAP, over, n_over, threads, &ctx, &cfg, &w);
    cr_assert_eq(w->has_capacity, 1);
    for (uint32_t day = 0; day < 3; day++) {
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        at_a[day] = w->v_occupancy[0];
        at_b[day] = w->v_occupancy[1];
        factor_b[day] = w->cap_factor[1];
    }
    test_world_free(&ctx, &cfg, &w);
}

Test(capacity, nearly_full_camp_stops_those_heading_to_it)
{
    int64_t a[3], b[3];
    double f[3];
    for (int threads = 1; threads <= 2; threads++) {
        run_capacity(NULL, 0, threads, a, b, f);
        /* day 0: B empty, factor 1, all 96 go; day 1: B holds 96 of 100, factor
         * 1 - (96 - 90) / 10 = 0.4 < 0.5: the 96 new at A stay, and stay on day 2 */
        cr_assert_float_eq(f[0], 1.0, 1e-15);
        cr_assert_float_eq(f[1], 0.4, 1e-12);
        cr_assert_float_eq(f[2], 0.4, 1e-12);
        cr_assert_eq(b[0], 96);
        cr_assert_eq(a[0], 0);
        cr_assert_eq(b[1], 96, "threads %d: B holds %lld", threads, (long long)b[1]);
        cr_assert_eq(a[1], 96);
        cr_assert_eq(b[2], 96);
        cr_assert_eq(a[2], 96);
    }
}

Test(capacity, at_the_buffer_the_camp_is_open)
{
    /* 90 a day: on day 1 B holds exactly 0.9 of its capacity, factor 1, all go */
    const char *over[] = { "sources[0].rate=90" };
    int64_t a[3], b[3];
    double f[3];
    run_capacity(over, 1, 1, a, b, f);
    cr_assert_float_eq(f[1], 1.0, 1e-15);
    cr_assert_eq(b[1], 180);
    cr_assert_eq(a[1], 0);
    /* day 2: 180 >= 100, factor 0 */
    cr_assert_float_eq(f[2], 0.0, 1e-15);
}

Test(capacity, scaling_raises_the_effective_capacity)
{
    /* scaling 1.25: effective capacity 125, nearly full from 112.5; 96 leaves the camp open */
    const char *over[] = { "movement.capacity_scaling=1.25" };
    int64_t a[3], b[3];
    double f[3];
    run_capacity(over, 1, 1, a, b, f);
    cr_assert_float_eq(f[1], 1.0, 1e-15);
    cr_assert_eq(b[1], 192);
}

Test(capacity, bad_buffer_is_refused_where_written)
{
    const char *over[] = { "movement.capacity_buffer=1" };
    mig_ctx *ctx;
    mig_config *cfg = NULL;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_config_load(CAP, over, 1, ctx, &cfg), MIG_ECONFIG);
    cr_assert_eq(mig_ctx_n_errors(ctx), 1);
    cr_assert_str_eq(mig_ctx_error_at(ctx, 0), "--set movement.capacity_buffer=1: movement.capacity_buffer: "
                                               "expected a share of capacity in [0, 0.999], got 1");
    mig_ctx_destroy(&ctx);
}
