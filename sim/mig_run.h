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
} mig_run_stats;

/* Runs cfg and writes output_path. command_line (borrowed) is stored in the provenance.
 * On failure nothing exists at output_path (a file already there is left untouched). */
mig_status mig_run(const mig_config *cfg, const char *output_path, const char *command_line, mig_ctx *ctx,
                   mig_run_stats *stats);

#endif
