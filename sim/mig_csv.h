/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_csv.h: reads a small CSV table (RFC 4180, via libcsv) into memory with the line of
 * every record, so that loaders can report errors as file:line:column. */
#ifndef MIG_CSV_H
#define MIG_CSV_H

#include <stdarg.h>
#include <stddef.h>
#include "mig_ctx.h"

typedef struct mig_csv {
    char *path;            /* owned copy of the file name, as given */
    size_t n_cols;         /* header width */
    char **header;         /* owned [n_cols] */
    size_t n_rows;         /* data rows, header excluded */
    char ***cells;         /* owned [n_rows][n_cols]; a missing trailing cell is "" */
    size_t *line;          /* owned [n_rows]: 1-based line in the file where the row starts */
} mig_csv;

/* lifecycle */
/* Reads the whole file. A header row is required; a first header cell starting with '#'
 * has the '#' stripped (Flee's convention); blank lines and lines whose first cell
 * starts with '#' after the header are skipped. A row with more cells than the header
 * is an error (file:line:column). Missing file: MIG_ENOINPUT; bad syntax: MIG_EDATA. */
mig_status mig_csv_read(const char *path, mig_ctx *ctx, mig_csv **out);
void mig_csv_destroy(mig_csv **p);

/* queries */
/* Column index of a header name, or -1. */
int mig_csv_col(const mig_csv *t, const char *name);

/* Maps the header onto the known columns names[0..n) (col_of[i]: header column or -1); the
 * first n_required are required. known_of: NULL, or [MIG_CSV_KNOWN_MAX] header column ->
 * known column or -1, and then columns past MIG_CSV_KNOWN_MAX count as unknown. Reports
 * unknown, repeated and missing columns (file:1:column) and returns how many. */
#define MIG_CSV_KNOWN_MAX 64
size_t mig_csv_map_columns(const mig_csv *t, mig_ctx *ctx, const char *const *names, int n, int n_required,
                           int *col_of, int *known_of);

/* errors */
/* Adds a diagnostic about the cell at (row, header column j): "path:line:col: column:
 * message", with the record's fields set (file, line, column j + 1, field the column). */
void mig_csv_cell_error(const mig_csv *t, mig_ctx *ctx, size_t row, int j, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void mig_csv_vcell_error(const mig_csv *t, mig_ctx *ctx, size_t row, int j, const char *fmt, va_list ap);

/* Writes s in double quotes into q (MIG_CSV_QUOTE_MAX bytes) for error messages, escaping
 * '"', '\\' and control bytes, and cuts values longer than MIG_CSV_QUOTE_CUT bytes (at a
 * UTF-8 boundary) with "...", so that one bad cell cannot flood a message. Returns q. */
#define MIG_CSV_QUOTE_CUT 100
#define MIG_CSV_QUOTE_MAX (2 + 4 * MIG_CSV_QUOTE_CUT + 3 + 1)
const char *mig_csv_quote(char q[MIG_CSV_QUOTE_MAX], const char *s);

#endif
