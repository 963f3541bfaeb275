/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_draws.h: a table of parameter draws (a CSV: one column per scenario key, written as
 * for --set; one row per draw; an optional first column "draw" naming the draws, an
 * optional column "weight" and an optional "distance", left aside: what calibrate --abc
 * writes), read and checked against a scenario as --set would check each
 * row's values. What `migsim ensemble --draws` runs; a posterior sample written this way
 * feeds it. */
#ifndef MIG_DRAWS_H
#define MIG_DRAWS_H

#include <stddef.h>
#include "mig_csv.h"
#include "mig_ctx.h"
#include "mig_sha256.h"

typedef struct mig_draws {
    mig_csv *csv;             /* owned: the table as read */
    char sha256[MIG_SHA256_HEX]; /* of the file's bytes */
    size_t n_draws;           /* rows */
    size_t n_keys;            /* parameter columns */
    int *key_col;             /* owned [n_keys]: their columns in csv */
    char **label;             /* owned [n_draws]: the "draw" cell, else the row number from 1 */
    char **set;               /* owned [n_draws * n_keys]: "key=value", row by row */
    double *weight;           /* owned [n_draws] when the table has a "weight" column, else NULL */
    int equal_weights;        /* 1 when there is no weight column or all weights are equal */
} mig_draws;

/* lifecycle */
/* Reads path. Problems (file:line:column: column: message): no parameter column, a column
 * given twice, "draw" elsewhere than first, no rows, an empty cell, a repeated draw name, a
 * weight that is not a finite number >= 0, weights that are all 0.
 * MIG_ENOINPUT for a missing file, else MIG_EDATA. On failure *out is NULL. */
mig_status mig_draws_load(const char *path, mig_ctx *ctx, mig_draws **out);
void mig_draws_destroy(mig_draws **p);            /* accepts NULL; sets *p = NULL */

/* queries */
/* The overrides of draw d: n_keys "key=value" strings (borrowed). */
const char *const *mig_draws_row(const mig_draws *dr, size_t d);
/* Loads scenario with sets[0..n_sets) and then each row's values, as --set would: a
 * problem with a value is reported at its cell (DRAWS.csv:line:column: key: message), a
 * problem with a key at its header cell (line 1), any other as the scenario reports it.
 * Stops at the first problem with a key. Returns MIG_OK, MIG_EDATA, or the scenario's own
 * status when it fails without any row. */
mig_status mig_draws_check(const mig_draws *dr, const char *scenario, const char *const *sets, size_t n_sets,
                           mig_ctx *ctx);

/* changes */
/* Moves the problems in sub (of the scenario loaded or run with row r's overrides) into
 * ctx, those at one of the row's "--set key=value" told at its cell (a value) or header
 * cell (a key), as MIG_EDATA; others as they are. Returns 2 when one is about a key, else 1
 * when one is at a value's cell, else 0. */
int mig_draws_tell(const mig_draws *dr, size_t r, mig_ctx *sub, mig_ctx *ctx);

#endif
