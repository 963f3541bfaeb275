/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_corridor_forecast.h: a forecast's structural error, drawn once per run
 * (corridor.forecast_error). What a fit to the past cannot say about the year ahead is put
 * on the run's composition, not its total: each nationality's share of the inflow from a day
 * on, and each Border Patrol sector's share of where every nationality crosses. The draws are
 * standard normal, keyed by the run's seed and the error's key, so an ensemble that gives each
 * parameter draw its own key draws a new error for every draw x seed, and a scenario and its
 * counterfactual on the same draws and seeds share it. */
#ifndef MIG_CORRIDOR_FORECAST_H
#define MIG_CORRIDOR_FORECAST_H

#include <stddef.h>
#include <stdint.h>
#include "mig_corridor_config.h"
#include "mig_status.h"

enum { MIG_FORECAST_NATIONALITY = 0, MIG_FORECAST_SECTOR = 1 };

/* The standard normal draw number index of kind what (MIG_FORECAST_*) for seed and key. */
double mig_corridor_forecast_z(uint64_t seed, uint32_t key, uint32_t what, uint32_t index);

/* Each nationality's factor on its inflow from forecast_error.from on: exp(sigma z_n) divided by
 * the mean of those over the nationalities weighted by inflow[n] (their inflow from that day,
 * persons), so that sum(f * inflow) = sum(inflow). f[n] = 1 for all when sigma is 0 or there is
 * no inflow. */
void mig_corridor_nationality_factors(const mig_corridor_forecast_error_cfg *e, uint64_t seed, uint32_t n_nat,
                                      const double *inflow, double *f);

/* daily[first..days) times f, rounded so the running sum stays within one of the exact one.
 * MIG_EDATA (daily untouched past the first bad day) when a day would exceed 2^32 - 1. */
mig_status mig_corridor_rescale_daily(uint32_t *daily, uint32_t days, uint32_t first, double f);

/* Every row of share[n_rows * n_sectors] (a nationality's shares by sector) with sector k's
 * share times factor[k] = exp(e->sector z_k), then rescaled to the row's former sum. factor
 * [n_sectors]: scratch, the factors on return. */
void mig_corridor_sector_error(const mig_corridor_forecast_error_cfg *e, uint64_t seed, size_t n_rows,
                               size_t n_sectors, double *share, double *factor);

#endif
