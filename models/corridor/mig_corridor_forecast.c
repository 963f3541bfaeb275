/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_corridor_forecast.c: a forecast's structural error drawn once per run (see the header). */
#include <math.h>
#include <gsl/gsl_cdf.h>

#include "mig_corridor_forecast.h"
#include "mig_rng.h"

enum { RNG_FORECAST = MIG_RNG_MODEL + 3 }; /* after the corridor model's own three */

double mig_corridor_forecast_z(uint64_t seed, uint32_t key, uint32_t what, uint32_t index)
{
    mig_rng_words r = mig_rng_draw4(seed, index, key, RNG_FORECAST, what);
    return gsl_cdf_ugaussian_Pinv(mig_rng_u01(r.w[0]));
}

void mig_corridor_nationality_factors(const mig_corridor_forecast_error_cfg *e, uint64_t seed, uint32_t n_nat,
                                      const double *inflow, double *f)
{
    double total = 0.0, weighted = 0.0;

    for (uint32_t n = 0; n < n_nat; n++) {
        f[n] = exp(e->nationality * mig_corridor_forecast_z(seed, e->key, MIG_FORECAST_NATIONALITY, n));
        total += inflow[n];
        weighted += inflow[n] * f[n];
    }
    for (uint32_t n = 0; n < n_nat; n++)
        f[n] = e->nationality > 0 && total > 0 ? f[n] * total / weighted : 1.0;
}

mig_status mig_corridor_rescale_daily(uint32_t *daily, uint32_t days, uint32_t first, double f)
{
    double sum = 0.0, prev = 0.0;

    for (uint32_t i = first; i < days; i++) {
        double v;
        sum += f * daily[i];
        v = floor(sum + 0.5);
        if (v - prev > 4294967295.0)
            return MIG_EDATA;
        daily[i] = (uint32_t)(v - prev);
        prev = v;
    }
    return MIG_OK;
}

void mig_corridor_sector_error(const mig_corridor_forecast_error_cfg *e, uint64_t seed, size_t n_rows,
                               size_t n_sectors, double *share, double *factor)
{
    for (size_t k = 0; k < n_sectors; k++)
        factor[k] = exp(e->sector * mig_corridor_forecast_z(seed, e->key, MIG_FORECAST_SECTOR, (uint32_t)k));
    for (size_t r = 0; r < n_rows; r++) {
        double *row = share + r * n_sectors, before = 0.0, after = 0.0;
        for (size_t k = 0; k < n_sectors; k++) {
            before += row[k];
            row[k] *= factor[k];
            after += row[k];
        }
        for (size_t k = 0; k < n_sectors && after > 0; k++)
            row[k] *= before / after;
    }
}
