/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_sweep.h: parameter sweeps. A sweep spec (YAML) expands parameter ranges (a full grid,
 * GSL's Sobol sequence, or a Saltelli design for Sobol indices) times replicates into a
 * manifest, one CSV row per run; a row is read back by task number for `migsim run
 * --manifest M --task N`, all rows for `migsim sobol`. */
#ifndef MIG_SWEEP_H
#define MIG_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include "mig_ctx.h"

#define MIG_SWEEP_MAX_SOBOL_DIMS 40        /* GSL's gsl_qrng_sobol supports 1..40 */
#define MIG_SWEEP_MAX_RUNS 1000000u        /* rows of one manifest */

/* saltelli: (k + 2) x points points over the k ranged parameters, blocks A, B, AB_1..AB_k
 * as mig_sobol_design lays them out (tools/mig_sobol.h); a parameter with one value is a
 * fixed setting, the same at every point (e.g. a package switched off for a counterfactual) */
typedef enum mig_sweep_design { MIG_SWEEP_GRID, MIG_SWEEP_SOBOL, MIG_SWEEP_SALTELLI } mig_sweep_design;

/* How replicate r of point p gets its seed from the base seed b (see mig_sweep_seed). */
typedef enum mig_sweep_seeds {
    MIG_SWEEP_SEEDS_COMMON,      /* b + r: every point sees the same random numbers */
    MIG_SWEEP_SEEDS_DISTINCT     /* b + p * replicates + r (= b + task): all runs differ */
} mig_sweep_seeds;

typedef struct mig_sweep_param {
    char *key;                /* scenario key path (as for --set), e.g. "speed_km_per_day.bus" */
    int ranged;               /* 1: min..max (grid: in steps; sobol: a Sobol coordinate) */
    double min, max;
    uint32_t steps;           /* grid with a range: number of evenly spaced values, >= 2 */
    int integer;              /* 1: values are integers (rounded; sobol: uniform over min..max) */
    size_t n_values;          /* values listed (or, on a grid, made from the range) */
    char **values;            /* owned [n_values]: each value as text, as passed to --set */
} mig_sweep_param;

typedef struct mig_sweep {
    char *path;               /* the spec file, as given */
    char *scenario;           /* scenario path, resolved against the spec's folder */
    char *output_dir;         /* folder of the run outputs, resolved against the spec's folder */
    uint32_t replicates;      /* runs per point, >= 1 */
    uint64_t seed;            /* base seed */
    mig_sweep_seeds seeds;
    mig_sweep_design design;
    uint32_t sobol_points;    /* sobol: points taken from the sequence; saltelli: base points */
    size_t n_params;
    mig_sweep_param *params;  /* owned [n_params], in the order of the spec */
    size_t n_points;          /* parameter points: grid product, or sobol_points x value lists */
    char **cell;              /* owned [n_points * n_params]: the value text of param i at point p
                                 is cell[p * n_params + i] (borrowed from params or owned here) */
    char **owned_cells;       /* owned [n_owned]: cells made for Sobol points, freed with the sweep */
    size_t n_owned;
} mig_sweep;

/* One manifest row, with its paths resolved against the manifest's folder. */
typedef struct mig_sweep_row {
    uint64_t task, point, replicate, seed;
    char *scenario;           /* owned */
    char *output;             /* owned */
    size_t n_set;
    char **set;               /* owned [n_set]: "key=value" overrides, then "seed=<seed>" last */
} mig_sweep_row;

/* lifecycle */
/* Reads and checks a sweep spec, expands its points, and checks the scenario and every
 * parameter value against it (as `migsim check` would with --set key=value). Problems are
 * appended to ctx as "spec.yaml:line:col: field: message"; returns MIG_ENOINPUT (a missing
 * file), MIG_ECONFIG, or the scenario's own status. On failure *out is NULL. */
mig_status mig_sweep_load(const char *path, mig_ctx *ctx, mig_sweep **out);
void mig_sweep_destroy(mig_sweep **p);           /* accepts NULL; sets *p = NULL */

/* Looks up row `task` of a manifest written by mig_sweep_write_manifest. task_text is the
 * --task argument, or NULL for $SLURM_ARRAY_TASK_ID (MIG_EUSAGE when neither is given or
 * the task is not a row). A malformed manifest gives MIG_EDATA naming file:line:column.
 * On success the caller owns *out (free with mig_sweep_row_destroy). */
mig_status mig_sweep_task(const char *manifest, const char *task_text, mig_ctx *ctx,
                          mig_sweep_row **out);
void mig_sweep_row_destroy(mig_sweep_row **p);   /* accepts NULL; sets *p = NULL */
/* Every row of a manifest, checked as mig_sweep_task checks one (MIG_EDATA naming
 * file:line:column; MIG_ENOINPUT for a missing file): (*rows)[t] is task t. The caller
 * frees them with mig_sweep_rows_destroy. On failure *rows is NULL. */
mig_status mig_sweep_rows(const char *manifest, mig_ctx *ctx, mig_sweep_row ***rows, size_t *n);
void mig_sweep_rows_destroy(mig_sweep_row ***rows, size_t n);   /* accepts NULL */

/* queries */
/* Number of runs (manifest rows): n_points * replicates. */
uint64_t mig_sweep_runs(const mig_sweep *s);
/* Seed of replicate r of point p (see mig_sweep_seeds). */
uint64_t mig_sweep_seed(const mig_sweep *s, uint64_t point, uint64_t replicate);
/* Output file name of replicate r of point p, relative to output_dir: "p<P>_r<R>.h5" with P
 * and R zero-padded to the width of the largest (at least 3 and 2 digits). Writes at most n
 * bytes to buf. */
void mig_sweep_output_name(const mig_sweep *s, uint64_t point, uint64_t replicate, char *buf,
                           size_t n);

/* changes */
/* Writes the manifest to path (under "<path>.tmp.<pid>", renamed on success) and creates
 * output_dir if needed. Scenario and output paths in it are relative to the manifest's folder.
 * Columns: task,point,replicate,seed,scenario,output, then one per parameter key. */
mig_status mig_sweep_write_manifest(const mig_sweep *s, const char *path, mig_ctx *ctx);

#endif
