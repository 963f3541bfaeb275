/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_flee_data.h: a Flee input folder read natively (locations.csv, conflicts.csv,
 * closures.csv, registration_corrections.csv, source_data/data_layout.csv and the UNHCR
 * series), mapped onto the engine's network. Every problem names file:line:column and the
 * field; anything Flee's validation rules do not use is refused, not ignored. */
#ifndef MIG_FLEE_DATA_H
#define MIG_FLEE_DATA_H

#include <stdint.h>
#include "mig_ctx.h"
#include "mig_network.h"

#define MIG_FLEE_NO_PLACE UINT32_MAX

typedef enum mig_flee_type {
    MIG_FLEE_CONFLICT_ZONE, MIG_FLEE_TOWN, MIG_FLEE_CAMP, MIG_FLEE_IDPCAMP, MIG_FLEE_HUB
} mig_flee_type;

typedef enum mig_flee_closure_type {
    MIG_FLEE_CLOSE_COUNTRY, MIG_FLEE_CLOSE_LOCATION, MIG_FLEE_CLOSE_LINK, MIG_FLEE_CLOSE_CAMP
} mig_flee_closure_type;

typedef struct mig_flee_closure {
    mig_flee_closure_type type;
    uint32_t a, b;            /* places (location: a; link, camp: a, b) or countries' first places */
    int32_t start, end;       /* closed on days [start, end) */
} mig_flee_closure;

typedef struct mig_flee_data {
    uint32_t n_places;        /* the network's */
    uint8_t *type;            /* owned [n_places] mig_flee_type (as written; conflicts change it) */
    uint8_t *foreign;         /* owned [n_places]: 1 when its country is not the first row's */
    uint32_t *country;        /* owned [n_places]: the first place of the same country */
    double *pop;              /* owned [n_places]: population (a camp's: its capacity) */
    uint32_t n_days;          /* rows of conflicts.csv (day 0 ..) */
    double *intensity;        /* owned [n_days * n_places]: conflict intensity by day */
    mig_flee_closure *closures; /* owned [n_closures] */
    uint32_t n_closures;
    uint32_t n_camps;         /* camps of data_layout.csv (the 'total' row excluded) */
    uint32_t *camp_place;     /* owned [n_camps]: MIG_FLEE_NO_PLACE for a series of no location
                               * (counted in the spawn totals, as Flee does, but not placed) */
    int64_t *camp_count;      /* owned [n_camps * days]: D_c(t), registrations interpolated, truncated */
} mig_flee_data;

/* lifecycle */
/* Reads the folder dir (input_csv/, source_data/) for a run of days from start_day (days
 * since 1970-01-01) on net. Every problem is reported to ctx (MIG_EDATA, MIG_ENOINPUT). */
mig_status mig_flee_data_load(const char *dir, const mig_network *net, int32_t start_day, uint32_t days,
                              mig_ctx *ctx, mig_flee_data **out);
void mig_flee_data_destroy(mig_flee_data **p);

/* queries */
/* Interpolates a series (n points, day[i] increasing) at day t: linear between points,
 * flat outside them. */
double mig_flee_series_at(const int32_t *day, const double *value, size_t n, double t);

#endif
