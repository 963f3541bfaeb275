/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_run.h: one whole run: builds the world from a loaded scenario, steps it day by day,
 * writes every day's observations to HDF5 and the provenance at the end, and reports
 * progress (a redrawn line on a terminal, timestamped log lines otherwise). */
#ifndef MIG_RUN_H
#define MIG_RUN_H

#include <stdint.h>
#include "mig_config.h"
#include "mig_ctx.h"

typedef struct mig_run_stats {
    double wall_s;            /* seconds from world creation to the renamed output */
    uint64_t agent_steps;     /* agents processed, summed over days */
    uint64_t agents_spawned;  /* total agents created */
    uint64_t agents_final;    /* agents still in the system at the end */
    double peak_rss_mib;      /* peak resident memory of the process, MiB */
    double bytes_per_agent;   /* agent store bytes per agent slot */
    int ranks;                /* MPI ranks (1 without MPI) */
    double bytes_reduced_per_day; /* MPI payload each rank reduced per day */
} mig_run_stats;

typedef struct mig_run_opts {
    const char *output;         /* HDF5 file to write (required) */
    const char *command_line;   /* stored in the provenance, or NULL */
    const char *checkpoint;     /* checkpoint path; NULL = "<output>.ckpt" */
    uint32_t checkpoint_every;  /* write a checkpoint every this many days; 0 = never */
    uint32_t stop_after;        /* checkpoint and stop after this many days; 0 = run to the end */
    const char *restart;        /* resume from this checkpoint, or NULL */
    const char *sweep_point;    /* the manifest row's point number, or NULL (not a sweep's run) */
    const char *sweep_parameters; /* its parameters, "key=value" lines (no seed), or NULL */
} mig_run_opts;

/* Runs cfg and writes opts->output. On failure nothing exists at the output path (a file
 * already there is left untouched). When SIGTERM or SIGUSR1 arrives, or after
 * opts->stop_after days, the run finishes the day, writes a checkpoint and returns
 * MIG_EINTERRUPT. A run resumed from a checkpoint writes datasets byte-identical to an
 * uninterrupted run's. A successful run removes its checkpoint file. */
mig_status mig_run(const mig_config *cfg, const mig_run_opts *opts, mig_ctx *ctx, mig_run_stats *stats);

#endif
