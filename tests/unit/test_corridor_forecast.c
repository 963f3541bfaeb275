/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_corridor_forecast.c: the pieces of corridor.forecast_error (mig_corridor_forecast.h).
 * Its draws are standard normal and keyed by seed, key, kind and index alone; the nationality
 * factors move the composition and hold the total inflow; the rescaled daily counts keep the
 * running sum within one person of the exact one; the sector error keeps each row's sum and
 * moves each sector by its own factor. (The model's use of them: test_corridor.c.) */
#include <criterion/criterion.h>
#include <math.h>

#include "mig_corridor_forecast.h"

Test(corridor_forecast, draws_are_standard_normal_and_keyed)
{
    const uint32_t n = 20000;
    double sum = 0.0, sq = 0.0, z0 = mig_corridor_forecast_z(7, 3, MIG_FORECAST_NATIONALITY, 0);
    uint32_t below = 0;
    for (uint32_t i = 0; i < n; i++) {
        double z = mig_corridor_forecast_z(7, 3, MIG_FORECAST_NATIONALITY, i);
        sum += z;
        sq += z * z;
        below += z < -1.6448536269514722; /* the 5 % quantile */
    }
    /* mean 0 (sd 1/sqrt(n) = 0.0071), variance 1 (sd sqrt(2/n) = 0.01), 5 % below: 4 sd bounds */
    cr_expect_leq(fabs(sum / n), 0.0283, "mean %g", sum / n);
    cr_expect_leq(fabs(sq / n - sum * sum / ((double)n * n) - 1.0), 0.04, "variance %g", sq / n);
    cr_expect_leq(fabs(below - 0.05 * n), 4 * sqrt(0.05 * 0.95 * n), "%u of %u below the 5 %% quantile", below, n);
    cr_expect_eq(mig_corridor_forecast_z(7, 3, MIG_FORECAST_NATIONALITY, 0), z0, "the same key, the same draw");
    cr_expect_neq(mig_corridor_forecast_z(8, 3, MIG_FORECAST_NATIONALITY, 0), z0, "another seed");
    cr_expect_neq(mig_corridor_forecast_z(7, 4, MIG_FORECAST_NATIONALITY, 0), z0, "another key");
    cr_expect_neq(mig_corridor_forecast_z(7, 3, MIG_FORECAST_SECTOR, 0), z0, "another kind");
}

Test(corridor_forecast, nationality_factors_hold_the_total)
{
    const double inflow[4] = { 1000.0, 250.0, 0.0, 8750.0 };
    mig_corridor_forecast_error_cfg e = { .from = "2023-01-01", .nationality = 0.5, .key = 11 };
    double f[4], total = 0.0;
    mig_corridor_nationality_factors(&e, 5, 4, inflow, f);
    for (int n = 0; n < 4; n++)
        total += f[n] * inflow[n];
    cr_expect_float_eq(total, 10000.0, 1e-9, "the total inflow held: %.12g", total);
    for (int n = 1; n < 4; n++) { /* the ratios are the draws' */
        double want = exp(0.5 * (mig_corridor_forecast_z(5, 11, MIG_FORECAST_NATIONALITY, (uint32_t)n) -
                                 mig_corridor_forecast_z(5, 11, MIG_FORECAST_NATIONALITY, 0)));
        cr_expect_float_eq(f[n] / f[0], want, 1e-12, "f[%d] / f[0] = %.12g, want %.12g", n, f[n] / f[0], want);
    }
    cr_expect(fabs(f[0] - 1.0) > 0.01 || fabs(f[3] - 1.0) > 0.01, "the composition moves: %g %g", f[0], f[3]);
    e.nationality = 0.0;
    mig_corridor_nationality_factors(&e, 5, 4, inflow, f);
    for (int n = 0; n < 4; n++)
        cr_expect_eq(f[n], 1.0, "sigma 0: factor %d is %g", n, f[n]);
}

Test(corridor_forecast, rescaled_days_keep_the_running_sum)
{
    uint32_t daily[40], orig[40];
    double exact = 0.0;
    int64_t got = 0;
    for (int i = 0; i < 40; i++)
        orig[i] = daily[i] = (uint32_t)((i * 37) % 11);
    cr_assert_eq(mig_corridor_rescale_daily(daily, 40, 10, 0.37), MIG_OK);
    for (int i = 0; i < 40; i++) {
        if (i < 10) {
            cr_expect_eq(daily[i], orig[i], "day %d before the first is untouched", i);
            continue;
        }
        exact += 0.37 * orig[i];
        got += daily[i];
        cr_expect_leq(fabs((double)got - exact), 0.5, "day %d: %lld against %g", i, (long long)got, exact);
    }
    for (int i = 0; i < 40; i++)
        daily[i] = orig[i];
    cr_assert_eq(mig_corridor_rescale_daily(daily, 40, 0, 1.0), MIG_OK);
    for (int i = 0; i < 40; i++)
        cr_expect_eq(daily[i], orig[i], "factor 1 leaves day %d", i);
    daily[5] = 4000000000u;
    cr_expect_eq(mig_corridor_rescale_daily(daily, 40, 0, 2.0), MIG_EDATA, "past 2^32 - 1 a day");
}

Test(corridor_forecast, sector_error_moves_each_sector_and_keeps_the_rows)
{
    double share[2 * 3] = { 0.6, 0.3, 0.1, 0.05, 0.15, 0.3 }, orig[6], factor[3];
    mig_corridor_forecast_error_cfg e = { .from = "2023-01-01", .sector = 0.4, .key = 2 };
    for (int i = 0; i < 6; i++)
        orig[i] = share[i];
    mig_corridor_sector_error(&e, 9, 2, 3, share, factor);
    for (uint32_t k = 0; k < 3; k++)
        cr_expect_eq(factor[k], exp(0.4 * mig_corridor_forecast_z(9, 2, MIG_FORECAST_SECTOR, k)), "factor %u", k);
    for (int r = 0; r < 2; r++) {
        cr_expect_float_eq(share[r * 3] + share[r * 3 + 1] + share[r * 3 + 2],
                           orig[r * 3] + orig[r * 3 + 1] + orig[r * 3 + 2], 1e-12, "row %d keeps its sum", r);
        for (uint32_t k = 1; k < 3; k++) {
            double want = orig[r * 3 + k] / orig[r * 3] *
                          exp(0.4 * (mig_corridor_forecast_z(9, 2, MIG_FORECAST_SECTOR, k) -
                                     mig_corridor_forecast_z(9, 2, MIG_FORECAST_SECTOR, 0)));
            cr_expect_float_eq(share[r * 3 + k] / share[r * 3], want, 1e-12, "row %d, sector %u", r, k);
        }
    }
    cr_expect(fabs(share[0] - 0.6) > 0.005, "the shares move: %g", share[0]);
}
