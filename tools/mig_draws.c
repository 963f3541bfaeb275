/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_draws.c: the draws table: read with mig_csv, its structure checked here, its values
 * checked by loading the scenario with each row's "key=value" overrides (mig_config_load),
 * whose problems at "--set key=value" are told again at the row's cell. */
#include "mig_draws.h"

#include <stdlib.h>
#include <string.h>

#include "mig_config.h"
#include "mig_util.h"

void mig_draws_destroy(mig_draws **p)
{
    mig_draws *dr;
    if (!MIG_TAKE(dr, p))
        return;
    if (dr->label)
        mig_free_strings(dr->label, dr->n_draws);
    if (dr->set)
        mig_free_strings(dr->set, dr->n_draws * dr->n_keys);
    mig_csv_destroy(&dr->csv);
    MIG_FREE_ALL(dr->key_col, dr->weight, dr);
}

const char *const *mig_draws_row(const mig_draws *dr, size_t d)
{
    return (const char *const *)dr->set + d * dr->n_keys;
}

/* The columns: "draw" (first only), "weight", "distance" (left aside), the keys. Returns the
 * problems found. */
static size_t read_header(mig_draws *dr, mig_ctx *ctx, int *draw_col, int *weight_col)
{
    const mig_csv *t = dr->csv;
    char q[MIG_CSV_QUOTE_MAX];
    size_t bad = 0;
    *draw_col = *weight_col = -1;
    for (size_t j = 0; j < t->n_cols; j++) {
        const char *h = t->header[j];
        mig_loc loc = { t->path, 1, j + 1 };
        int first = mig_csv_col(t, h);
        if (first != (int)j) {
            bad++;
            mig_ctx_diag(ctx, MIG_EDATA, &loc, h, "column %s given twice (first in column %d)", mig_csv_quote(q, h),
                         first + 1);
        } else if (!*h) {
            bad++;
            mig_ctx_diag(ctx, MIG_EDATA, &loc, NULL, "empty column name (expected a scenario key, as for --set)");
        } else if (strcmp(h, "draw") == 0 && j > 0) {
            bad++;
            mig_ctx_diag(ctx, MIG_EDATA, &loc, h, "\"draw\" names the draws and must be the first column");
        } else if (strcmp(h, "draw") == 0) {
            *draw_col = 0;
        } else if (strcmp(h, "weight") == 0) {
            *weight_col = (int)j;
        } else if (strcmp(h, "distance") == 0) {
            continue;     /* calibrate --abc's distance of each draw: not a key */
        } else {
            dr->key_col[dr->n_keys++] = (int)j;
        }
    }
    if (!bad && dr->n_keys == 0) {
        bad++;
        mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ t->path, 1, 0 }, NULL,
                     "no parameter columns (expected scenario keys, as for --set, e.g. movement.distance_power)");
    }
    return bad;
}

/* The weight of row r, or -1 after reporting a problem. */
static double row_weight(const mig_csv *t, mig_ctx *ctx, size_t r, int col)
{
    char q[MIG_CSV_QUOTE_MAX];
    double w;
    if (mig_parse_number(t->cells[r][col], &w) || w < 0 || w > 1e300) {
        mig_csv_cell_error(t, ctx, r, col, "expected a number >= 0, got %s", mig_csv_quote(q, t->cells[r][col]));
        return -1;
    }
    return w;
}

/* Cells: none empty, draw names distinct, weights numbers >= 0 (into dr->weight), not all
 * 0. Returns the problems found. */
static size_t read_rows(mig_draws *dr, mig_ctx *ctx, int draw_col, int weight_col)
{
    const mig_csv *t = dr->csv;
    char q[MIG_CSV_QUOTE_MAX];
    size_t bad = 0;
    double sum = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t j = 0; j < t->n_cols; j++)
            if (!t->cells[r][j][0]) {
                bad++;
                mig_csv_cell_error(t, ctx, r, (int)j, "expected a value, got an empty cell");
            }
        for (size_t k = 0; draw_col >= 0 && k < r; k++)
            if (t->cells[r][0][0] && strcmp(t->cells[k][0], t->cells[r][0]) == 0) {
                bad++;
                mig_csv_cell_error(t, ctx, r, 0, "draw %s is named twice (first on line %zu)",
                                   mig_csv_quote(q, t->cells[r][0]), t->line[k]);
                break;
            }
        if (weight_col >= 0 && t->cells[r][weight_col][0]) {
            double w = row_weight(t, ctx, r, weight_col);
            bad += w < 0;
            dr->weight[r] = w;
            sum += w < 0 ? 0 : w;
            dr->equal_weights &= w == dr->weight[0];
        }
    }
    if (!bad && weight_col >= 0 && !(sum > 0) && ++bad)
        mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ t->path, 1, (unsigned long)weight_col + 1 }, "weight",
                     "the weights are all 0 (expected at least one > 0)");
    return bad;
}

/* The labels and "key=value" overrides of every row. */
static mig_status make_rows(mig_draws *dr, mig_ctx *ctx, int draw_col)
{
    const mig_csv *t = dr->csv;
    dr->label = calloc(dr->n_draws, sizeof *dr->label);
    dr->set = calloc(dr->n_draws * dr->n_keys, sizeof *dr->set);
    if (!dr->label || !dr->set)
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", t->path);
    for (size_t r = 0; r < dr->n_draws; r++) {
        dr->label[r] = draw_col >= 0 ? mig_asprintf("%s", t->cells[r][0]) : mig_asprintf("%zu", r + 1);
        if (!dr->label[r])
            return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", t->path);
        for (size_t k = 0; k < dr->n_keys; k++) {
            int j = dr->key_col[k];
            if (!(dr->set[r * dr->n_keys + k] = mig_asprintf("%s=%s", t->header[j], t->cells[r][j])))
                return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", t->path);
        }
    }
    return MIG_OK;
}

mig_status mig_draws_load(const char *path, mig_ctx *ctx, mig_draws **out)
{
    mig_draws *dr;
    char *text = NULL;
    size_t len = 0, bad;
    int err = 0, draw_col, weight_col;
    mig_status st;

    *out = NULL;
    if (!(dr = calloc(1, sizeof *dr)))
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
    if ((st = mig_csv_read(path, ctx, &dr->csv)) != MIG_OK)
        goto fail;
    if ((st = mig_file_read(path, &text, &len, &err)) != MIG_OK) {
        st = mig_ctx_error(ctx, st, "%s: cannot read: %s", path, strerror(err));
        goto fail;
    }
    mig_sha256_hex(text, len, dr->sha256);
    free(text);
    if (!(dr->key_col = calloc(dr->csv->n_cols + 1, sizeof *dr->key_col))) {
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    bad = read_header(dr, ctx, &draw_col, &weight_col);
    if (!bad && dr->csv->n_rows == 0 && ++bad)
        mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ path, 1, 0 }, NULL, "no draws (a header and no rows)");
    dr->equal_weights = 1;
    if (!bad && weight_col >= 0 && !(dr->weight = calloc(dr->csv->n_rows, sizeof *dr->weight))) {
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    if (!bad)
        bad = read_rows(dr, ctx, draw_col, weight_col);
    st = MIG_EDATA;
    if (bad)
        goto fail;
    dr->n_draws = dr->csv->n_rows;
    if ((st = make_rows(dr, ctx, draw_col)) != MIG_OK)
        goto fail;
    *out = dr;
    return MIG_OK;
fail:
    mig_draws_destroy(&dr);
    return st;
}

/* The row cell whose override "--set key=value" problem d is at, or -1. */
static int cell_of(const mig_draws *dr, size_t r, const mig_diag *d)
{
    if (!d->file || strncmp(d->file, "--set ", 6) != 0)
        return -1;
    for (size_t k = 0; k < dr->n_keys; k++)
        if (strcmp(d->file + 6, dr->set[r * dr->n_keys + k]) == 0)
            return (int)k;
    return -1;
}

int mig_draws_tell(const mig_draws *dr, size_t r, mig_ctx *sub, mig_ctx *ctx)
{
    const mig_csv *t = dr->csv;
    int told = 0;
    for (size_t i = 0; i < mig_ctx_n_errors(sub); i++) {
        const mig_diag *d = mig_ctx_diag_at(sub, i);
        int k = cell_of(dr, r, d), j = k >= 0 ? dr->key_col[k] : -1;
        const char *key = j >= 0 ? t->header[j] : NULL;
        int on_key = key && (!d->field || strcmp(d->field, key) != 0 || strncmp(d->message, "unknown key", 11) == 0);
        char *msg;
        if (k < 0) {
            mig_ctx_add(ctx, d);
            continue;
        }
        msg = d->field && strcmp(d->field, key) != 0 ? mig_asprintf("%s: %s", d->field, d->message)
                                                      : mig_asprintf("%s", d->message);
        if (on_key)
            mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ t->path, 1, (unsigned long)j + 1 }, key, "%s",
                         msg ? msg : d->message);
        else
            mig_csv_cell_error(t, ctx, r, j, "%s", msg ? msg : d->message);
        free(msg);
        told = on_key ? 2 : told > 1 ? told : 1;
    }
    mig_ctx_clear_errors(sub);
    return told;
}

mig_status mig_draws_check(const mig_draws *dr, const char *scenario, const char *const *sets, size_t n_sets,
                           mig_ctx *ctx)
{
    const char **over = calloc(n_sets + dr->n_keys + 1, sizeof *over);
    mig_ctx *sub = NULL;
    mig_config *cfg = NULL;
    mig_status st, worst = MIG_OK;
    size_t bad_rows = 0;

    if (!over || mig_ctx_create(&sub) != MIG_OK) {
        free(over);
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", dr->csv->path);
    }
    if (n_sets)
        memcpy(over, sets, n_sets * sizeof *over);
    if ((st = mig_config_load(scenario, over, n_sets, ctx, &cfg)) != MIG_OK)
        worst = st;
    mig_config_destroy(&cfg);
    for (size_t r = 0; worst == MIG_OK && r < dr->n_draws; r++) {
        memcpy(over + n_sets, mig_draws_row(dr, r), dr->n_keys * sizeof *over);
        st = mig_config_load(scenario, over, n_sets + dr->n_keys, sub, &cfg);
        mig_config_destroy(&cfg);
        if (st != MIG_OK && ++bad_rows && mig_draws_tell(dr, r, sub, ctx) == 2)
            break;
    }
    if (worst == MIG_OK && bad_rows)
        worst = MIG_EDATA;
    mig_ctx_destroy(&sub);
    free(over);
    return worst;
}
