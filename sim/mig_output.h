/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_output.h: writes a run to HDF5: one dataset per observation variable over
 * (time, ...), with dimension scales, CF attributes, chunking with shuffle + deflate,
 * and a provenance group. The file is written under a temporary name and renamed to the
 * requested path only by mig_output_finish, so that path never holds a broken file. */
#ifndef MIG_OUTPUT_H
#define MIG_OUTPUT_H

#include <stdint.h>
#include "mig_ctx.h"
#include "mig_network.h"
#include "mig_obs.h"

typedef struct mig_output mig_output;   /* opaque */

typedef struct mig_output_layout {
    const char *path;                  /* borrowed: final path */
    uint32_t days;                     /* length of the time axis */
    const char *start_date;            /* borrowed: "YYYY-MM-DD", time units "days since <it>" */
    const mig_network *net;            /* borrowed: place and link labels and attributes */
    const char *const *nationalities;  /* borrowed [n_nationalities] */
    uint32_t n_nationalities;
    const char *const *interventions;  /* borrowed [n_interventions]: "package/name" */
    uint32_t n_interventions;
    uint32_t chunk_days;               /* chunk length along time, >= 1 */
    int deflate;                       /* 0..9 */
    const char *title;                 /* borrowed: global attribute */
} mig_output_layout;

/* One provenance entry: a name and a string value, written as attributes of /provenance. */
typedef struct mig_prov_item {
    const char *key;
    const char *value;
} mig_prov_item;

/* A result of the whole run (e.g. a validation score), written as a scalar dataset. */
typedef struct mig_result {
    const char *name;      /* dataset name in its group */
    const char *long_name;
    const char *units;
    double value;
} mig_result;

/* lifecycle */
/* Creates "<path>.tmp.<pid>" next to path, writes the dimension scales and creates one
 * dataset per variable of obs (which must not gain variables afterwards). */
mig_status mig_output_create(const mig_output_layout *layout, const mig_obs *obs, mig_ctx *ctx,
                             mig_output **out);
/* Appends day t (0-based, in order) from obs's day buffers. */
mig_status mig_output_write_day(mig_output *o, uint32_t t, const mig_obs *obs, mig_ctx *ctx);
/* Reads back rows [t0, t0 + n) of variable var (obs order) as written so far (t0 + n must
 * not pass the days written) into dst (n * values per day int32, row-major): for
 * checkpoints, which store the history so that a restart rewrites it identically. */
mig_status mig_output_read_rows(mig_output *o, size_t var, uint32_t t0, uint32_t n, int32_t *dst,
                                mig_ctx *ctx);
/* Writes the n results as scalar float64 datasets (attributes long_name, units) of a new
 * group `group`; before finish. */
mig_status mig_output_write_results(mig_output *o, const char *group, const mig_result *r, size_t n, mig_ctx *ctx);
/* Writes the provenance group, flushes, closes and renames the temporary file to path. */
mig_status mig_output_finish(mig_output *o, const mig_prov_item *prov, size_t n_prov, mig_ctx *ctx);
/* Accepts NULL. If finish did not succeed, closes and deletes the temporary file. */
void mig_output_destroy(mig_output **p);

/* queries */
/* HDF5 library version as "1.10.8" into buf. */
void mig_output_hdf5_version(char *buf, size_t n);

#endif
