/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_summarize.h: ensemble statistics across runs. Reads run files that share their
 * dimensions and labels and writes, for every data variable V over (time, ...) (or those
 * chosen), V_mean,
 * V_sd and V_q<NN> (chosen quantiles; or, with quantile_dim, one V_quantile over
 * (quantile, time, ...)) as float64 with the same dimension scales and auxiliary
 * coordinates, plus a provenance group listing the inputs and their seeds. */
#ifndef MIG_SUMMARIZE_H
#define MIG_SUMMARIZE_H

#include <stddef.h>
#include "mig_ctx.h"

#define MIG_SUMMARIZE_MAX_QUANTILES 32

typedef struct mig_summarize_opts {
    const double *quantiles;      /* borrowed [n_quantiles], each in [0, 1], distinct names */
    size_t n_quantiles;
    const char *command_line;     /* borrowed: stored in the provenance; may be NULL */
    size_t block_bytes;           /* input values held in memory at once, all inputs together
                                     (at least one time row); 0: 256 MiB */
    int quantile_dim;             /* 1: V_quantile over (quantile, time, ...) and a dimension
                                     scale "quantile" instead of one V_q<NN> per quantile */
    const char *source;           /* borrowed: the root attribute "source"; NULL: "migsim summarize" */
    const char *const *input_labels; /* borrowed [n_inputs] or NULL: what /provenance lists as
                                        "inputs" instead of the file names */
    const char *const *extra;     /* borrowed [2 * n_extra]: more /provenance attributes, name
                                     then value */
    size_t n_extra;
    const double *weights;        /* borrowed [n_inputs] or NULL: each input's weight (>= 0, not
                                     all 0) for a weighted mean, sd and quantiles (see the
                                     README); NULL: every input counts once */
    const char *const *vars;      /* borrowed [n_vars]: the data variables to summarize (in the
                                     inputs' order, whatever the order here; each a data variable
                                     of the inputs, no repeats); NULL or 0: all of them. Every
                                     dimension scale and auxiliary coordinate is copied either way;
                                     /provenance "vars" lists them (only when given) */
    size_t n_vars;
} mig_summarize_opts;

typedef struct mig_summarize_stats {
    size_t n_inputs;              /* files summarized */
    size_t n_vars;                /* data variables summarized */
    size_t n_copied;              /* dimension scales and auxiliary coordinates copied */
} mig_summarize_stats;

/* changes */
/* Summarizes inputs[0..n_inputs) into output, written as "<output>.tmp.<pid>" and renamed
 * only on success (a failure leaves nothing at output and an existing file untouched).
 * Inputs that differ from inputs[0] (dataset names, shapes, dimensions, labels) are rejected
 * with a message naming the file that differs: MIG_EDATA. A missing input: MIG_ENOINPUT. */
mig_status mig_summarize(const char *const *inputs, size_t n_inputs, const char *output,
                         const mig_summarize_opts *opts, mig_ctx *ctx, mig_summarize_stats *stats);

/* queries */
/* Checks that each of vars[0..n) is a data variable (numeric, over time) of the run file at
 * path; shown names the file in the message (NULL: path): MIG_EUSAGE "--vars: no data
 * variable 'x' in SHOWN (did you mean ...)", and for an empty name or a repeat (as
 * mig_summarize_parse_vars). A file that cannot be read: as mig_summarize. */
mig_status mig_summarize_check_vars(const char *path, const char *shown, const char *const *vars, size_t n,
                                    mig_ctx *ctx);
/* Splits "a,b,c" (--vars) into *names (owned by the caller: mig_free_strings(*names, *n)); an
 * empty text or item ("a,,b") or a name given twice: MIG_EUSAGE with a message, *names NULL. */
mig_status mig_summarize_parse_vars(const char *text, char ***names, size_t *n, mig_ctx *ctx);
/* Parses "0.05,0.5,0.95" into q (caller's array of MIG_SUMMARIZE_MAX_QUANTILES): numbers in
 * [0, 1], each giving a distinct dataset suffix. MIG_EUSAGE with a message otherwise. */
mig_status mig_summarize_parse_quantiles(const char *text, double *q, size_t *n, mig_ctx *ctx);
/* Dataset suffix of quantile q: "q05" for 0.05, "q50", "q95", "q02_5" for 0.025, "q100" for 1
 * (the percentage, two digits at least, fraction after '_'; up to 4 decimals). */
void mig_summarize_quantile_name(double q, char *buf, size_t n);

#endif
