/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_sobol_h5.h: Sobol indices (mig_sobol.h) written to HDF5, netCDF-4 compatible: S1, ST
 * and their interval bounds over (output, parameter), labelled, with a provenance group. */
#ifndef MIG_SOBOL_H5_H
#define MIG_SOBOL_H5_H

#include <stddef.h>
#include "mig_ctx.h"
#include "mig_output.h"
#include "mig_sobol.h"

/* What the indices are of: one output (a variable summed over a period, or the difference
 * of two designs' runs), over s->k parameters. All borrowed. */
typedef struct mig_sobol_h5_labels {
    const char *output;              /* the variable, e.g. "encounters" */
    const char *period;              /* as given, e.g. "2024-01:2024-03" */
    const char *long_name;           /* what the output is, in words */
    const char *const *parameters;   /* [k] the parameters' keys */
    size_t replicates, runs;
} mig_sobol_h5_labels;

/* changes */
/* Writes the indices of s to path through "<path>.tmp.<pid>", renamed on success (path never
 * holds half a file): /output and /parameter (dimension scales, strings), /period and
 * /output_long_name over output, S1, S1_low, S1_high, ST, ST_low, ST_high (float64, output x
 * parameter; NaN bounds without bootstrap), mean and variance (over output), the global
 * attributes title, Conventions and source, and /provenance holding prov's n_prov string
 * attributes. MIG_EIO reported to ctx as "<path>: ..." on failure, the temporary file gone. */
mig_status mig_sobol_write_h5(const char *path, const mig_sobol_result *s, const mig_sobol_h5_labels *lab,
                              const mig_prov_item *prov, size_t n_prov, mig_ctx *ctx);

#endif
