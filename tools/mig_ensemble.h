/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_ensemble.h: forecast intervals: runs a scenario for every parameter draw (a
 * mig_draws table, or none) times seeds B..B+N-1 (the same seeds for every draw) and
 * writes one HDF5 file of statistics across all those runs (mig_summarize with a
 * "quantile" dimension), with provenance saying which uncertainties it includes. */
#ifndef MIG_ENSEMBLE_H
#define MIG_ENSEMBLE_H

#include <stddef.h>
#include <stdint.h>
#include "mig_ctx.h"
#include "mig_draws.h"

typedef struct mig_ensemble_opts {
    const char *scenario;         /* the scenario file */
    const char *output;           /* HDF5 file to write (temporary name, renamed on success) */
    const char *const *sets;      /* borrowed [n_sets]: --set overrides, before each draw's */
    size_t n_sets;
    const mig_draws *draws;       /* borrowed, checked (mig_draws_check); NULL: seeds only */
    const char *draws_path;       /* the draws file as given (provenance) */
    uint64_t seed;                /* first seed */
    uint32_t n_seeds;             /* seeds per draw, >= 1 */
    const double *quantiles;      /* borrowed [n_quantiles] */
    size_t n_quantiles;
    const char *command_line;     /* borrowed, for the provenance; may be NULL */
    int progress;                 /* 1: a log line per run */
    const char *keep_runs;        /* a new folder to keep the runs in (run000000.h5, ..., and
                                     runs.csv: file, draw, seed), or NULL: removed at the end */
    const char *const *vars;      /* borrowed [n_vars]: the data variables to summarize, checked
                                     against the first run (mig_summarize_check_vars); NULL or 0:
                                     all */
    size_t n_vars;
} mig_ensemble_opts;

typedef struct mig_ensemble_stats {
    size_t n_runs;                /* draws x seeds */
    size_t n_vars;                /* variables summarized */
    double run_bytes;             /* size of the first run's file (the temporary space per run) */
    double wall_s;
    char uncertainty[1024];       /* mig_ensemble_uncertainty's words for this ensemble */
} mig_ensemble_stats;

/* changes */
/* Runs every draw x seed into a folder "<output>.runs.<pid>" next to the output (removed at
 * the end, whatever happens) and summarizes the runs into output (only o->vars, if given: a
 * name that is not a data variable of the first run stops the ensemble after that run,
 * MIG_EUSAGE). The runs are kept on disk, not in memory, and the summary reads a block of
 * rows at a time; before the second run the space they need (the first run's size x runs)
 * is checked against the free space of that folder's file system, the number of runs
 * against the open-file limit (all run files are open together while summarizing) and the
 * summary's memory (about 1.25 MiB per run plus 256 MiB) against 80 % of the machine's:
 * each refused with a message saying what is needed.
 * On failure nothing is left at output. Results do not depend on ctx->threads. */
mig_status mig_ensemble_run(const mig_ensemble_opts *o, mig_ctx *ctx, mig_ensemble_stats *stats);

/* queries */
/* The uncertainties included, in words: "seeds only", or "parameter draws (N from FILE) x
 * seeds (M)" ("(N from FILE, weighted)" with unequal weights), then " + " and model_words
 * when they are not empty (what the model draws in each run, mig_model_ops.uncertainty; NULL:
 * none). Writes at most n bytes. */
void mig_ensemble_uncertainty(const mig_ensemble_opts *o, const char *model_words, char *buf, size_t n);

#endif
