/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_driver.h: the one loop that simulates: builds the world from a loaded scenario and
 * steps it day by day, with (as options) HDF5 output, checkpoint and restart, stops on a
 * signal or after a set day, and progress reports. `run` (mig_run), the calibration's
 * in-process runs and anything else that simulates days go through it. */
#ifndef MIG_DRIVER_H
#define MIG_DRIVER_H

#include <stdint.h>
#include "mig_config.h"
#include "mig_ctx.h"
#include "mig_output.h"
#include "mig_world.h"

typedef struct mig_driver_opts {
    const char *output;         /* HDF5 file to write, or NULL: no output, no checkpoints and no
                                 * signal stops (the day's observations stay in the world) */
    const char *checkpoint;     /* checkpoint path; NULL = "<output>.ckpt" */
    uint32_t checkpoint_every;  /* write a checkpoint every this many days; 0 = never */
    uint32_t stop_after;        /* checkpoint and stop after this many days; 0 = run to the end */
    const char *restart;        /* resume from this checkpoint, or NULL */
    int report;                 /* 1: log the run's opening line and its progress */
} mig_driver_opts;

typedef struct mig_driver {
    const mig_config *cfg;      /* borrowed: outlives the driver */
    mig_driver_opts opts;       /* copied; its strings are borrowed */
    mig_world *world;           /* owned: read it between steps (the day's observations) */
    mig_output *out;            /* owned: NULL without output and on MPI ranks other than 0 */
    uint32_t day;               /* the next day to simulate */
    uint32_t first_day;         /* the first day simulated here (a restart's checkpoint day) */
    char checkpoint[4096];      /* the checkpoint path */
    char restarted[4096];       /* "<checkpoint> (day N)" after a restart, else "" */
    /* progress */
    double t0;                  /* monotonic seconds when the driver was opened */
    double last;                /* when the terminal line was last redrawn */
    int last_decile;            /* the last tenth of the run logged */
    uint64_t steps_before;      /* agent steps restored from a checkpoint */
} mig_driver;

/* lifecycle */
/* Builds the world of cfg, creates opts->output (on MPI rank 0) and, with opts->restart,
 * restores the checkpoint's state and rewrites the days it had simulated. The caller owns
 * *out (mig_driver_close). Checkpoint options with more than one MPI rank are refused. */
mig_status mig_driver_open(const mig_config *cfg, const mig_driver_opts *opts, mig_ctx *ctx, mig_driver **out);
/* Closes the output (deleting it unless mig_driver_finish succeeded) and the world;
 * accepts NULL and sets *p = NULL. */
void mig_driver_close(mig_driver **p);

/* queries */
/* Seconds since the driver was opened. */
double mig_driver_elapsed_s(const mig_driver *d);

/* changes */
/* Simulates day d->day, writes its observations, reports progress and writes a checkpoint
 * when one is due. When SIGTERM or SIGUSR1 has arrived, or after opts.stop_after days, it
 * writes a checkpoint and returns MIG_EINTERRUPT. d->day must be below cfg->days. */
mig_status mig_driver_step(mig_driver *d, mig_ctx *ctx);
/* After the last day: writes the provenance (prov, n_prov) and renames the output into
 * place (rank 0), then removes the checkpoint of a run that wrote or read one. */
mig_status mig_driver_finish(mig_driver *d, const mig_prov_item *prov, size_t n_prov, mig_ctx *ctx);

#endif
