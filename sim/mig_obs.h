/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_obs.h: one day's observations as a list of named integer variables over the
 * dimensions place, link and nationality. The engine registers the standard ones; a
 * model may register more. The output module writes every registered variable. */
#ifndef MIG_OBS_H
#define MIG_OBS_H

#include <stddef.h>
#include <stdint.h>
#include "mig_status.h"

typedef enum mig_dim {
    MIG_DIM_PLACE,
    MIG_DIM_LINK,
    MIG_DIM_NATIONALITY,
    MIG_DIM_INTERVENTION,
    MIG_DIM_COUNT
} mig_dim;

#define MIG_OBS_MAX_DIMS 2

typedef struct mig_var {
    char *name;               /* owned: dataset name, e.g. "arrivals" */
    char *long_name;          /* owned: CF long_name */
    char *units;              /* owned: CF units, e.g. "persons" or "persons day-1" */
    int ndims;                /* dimensions besides time, 0..MIG_OBS_MAX_DIMS */
    mig_dim dims[MIG_OBS_MAX_DIMS];
    size_t size;              /* values per day = product of dim lengths (1 when ndims = 0) */
    int64_t *day;             /* owned [size]: this day's values, zeroed by mig_obs_clear */
} mig_var;

typedef struct mig_obs {
    size_t dim_len[MIG_DIM_COUNT];
    char **labels;            /* owned [dim_len[MIG_DIM_INTERVENTION]]: intervention names */
    size_t n_vars;
    mig_var *vars;            /* owned [n_vars], in registration (= output) order */
} mig_obs;

/* lifecycle */
mig_status mig_obs_create(size_t n_places, size_t n_links, size_t n_nat, mig_obs **out);
void mig_obs_destroy(mig_obs **p);

/* changes */
/* Registers a variable; *data (borrowed, owned by obs) points to its day buffer, laid
 * out row-major over dims (last dim fastest). Name must be unique. */
mig_status mig_obs_add(mig_obs *obs, const char *name, const char *long_name,
                       const char *units, int ndims, const mig_dim *dims, int64_t **data);
/* Sets the length and labels (copied) of the intervention dimension (0 until set). */
mig_status mig_obs_set_labels(mig_obs *obs, mig_dim dim, size_t n, const char *const *labels);
/* Zeroes every variable's day buffer. */
void mig_obs_clear(mig_obs *obs);

/* queries */
/* Index of a variable by name, or -1. */
int mig_obs_find(const mig_obs *obs, const char *name);

extern const char *const mig_dim_names[MIG_DIM_COUNT];

#endif
