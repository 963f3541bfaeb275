/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_checkpoint.h: checkpoint and restart. A checkpoint is an HDF5 file holding the
 * world's dynamic state (agent arrays, running totals, the next day) and the observation
 * rows written so far, so that a restarted run rewrites its output identically and ends
 * with datasets byte-identical to an uninterrupted run's. */
#ifndef MIG_CHECKPOINT_H
#define MIG_CHECKPOINT_H

#include <stdint.h>
#include "mig_ctx.h"
#include "mig_output.h"
#include "mig_world.h"

/* What a checkpoint holds besides the world state: the observation history. */
typedef struct mig_checkpoint {
    uint32_t next_day;        /* the first day still to simulate */
    size_t n_vars;
    size_t *var_size;         /* owned [n_vars] values per day */
    int32_t **rows;           /* owned [n_vars][next_day * var_size] */
} mig_checkpoint;

/* lifecycle */
/* Writes the state of w after day next_day - 1, with the rows written to out so far, to
 * path (under "<path>.tmp.<pid>", then renamed). */
mig_status mig_checkpoint_write(const char *path, const mig_world *w, uint32_t next_day, mig_output *out,
                                mig_ctx *ctx);
/* Reads path, checks that it was written for the same resolved scenario and observation
 * variables as w, restores w's agents and totals, and returns the history (caller owns). */
mig_status mig_checkpoint_read(const char *path, mig_world *w, mig_checkpoint **out, mig_ctx *ctx);
void mig_checkpoint_destroy(mig_checkpoint **p);

/* queries */
/* Fills obs's day buffers with the stored observations of a past day (< next_day). */
void mig_checkpoint_replay(const mig_checkpoint *ck, uint32_t day, mig_obs *obs);

#endif
