/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_csv.c: reads a CSV table with libcsv in strict mode, feeding it one line at a time
 * so that every record knows the 1-based line on which it starts. */
#include "mig_csv.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_util.h"

#define CHUNK 65536

/* Parser state shared with the libcsv callbacks. */
typedef struct reader {
    const char *path;
    mig_ctx *ctx;
    mig_status status;   /* MIG_ENOMEM once an allocation failed; later input is ignored */
    size_t n_bad;        /* rows reported (too wide, NUL byte); the table is then rejected */
    size_t line;         /* line of the bytes being fed to libcsv */
    size_t bytes;        /* read so far (at most MIG_INPUT_MAX_BYTES) */
    int in_row;          /* 1 while libcsv is inside a record */
    size_t row_line;     /* line on which the current record starts */
    int row_bad;         /* current record already reported */
    char **rec;          /* owned: the current record's fields */
    size_t rec_n, rec_cap;
    int have_header;
    size_t rows_cap;
    mig_csv *t;
} reader;

static char *dup_mem(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        if (n)
            memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void drop_record(reader *r)
{
    for (size_t i = 0; i < r->rec_n; i++)
        free(r->rec[i]);
    r->rec_n = 0;
    r->row_bad = 0;
}

/* A line libcsv skips between records: only spaces, tabs, CR and LF. */
static int is_blank(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

static void on_field(void *s, size_t len, void *data)
{
    reader *r = data;
    const char *f = s ? s : "";
    char *cell;

    if (r->status != MIG_OK)
        return;
    if (!r->in_row) {   /* a record after a lone-CR terminator, mid-line */
        r->in_row = 1;
        r->row_line = r->line;
    }
    if (len > 0 && f[len - 1] == '\r')
        len--;
    if (!r->row_bad && memchr(f, '\0', len)) {
        mig_loc loc = { r->path, r->row_line, r->rec_n + 1 };
        mig_ctx_diag(r->ctx, MIG_EDATA, &loc, NULL, "NUL byte in field");
        r->row_bad = 1;
        r->n_bad++;
    } else if (!r->row_bad && mig_utf8_invalid(f, len) < len) {
        size_t at = mig_utf8_invalid(f, len);
        mig_loc loc = { r->path, r->row_line, r->rec_n + 1 };
        mig_ctx_diag(r->ctx, MIG_EDATA, &loc, NULL, "not UTF-8: byte 0x%02X at byte %zu of the field",
                     (unsigned)(unsigned char)f[at], at + 1);
        r->row_bad = 1;
        r->n_bad++;
    }
    if (r->rec_n == r->rec_cap) {
        size_t cap = r->rec_cap ? 2 * r->rec_cap : 16;
        char **p = realloc(r->rec, cap * sizeof *p);
        if (!p) {
            r->status = MIG_ENOMEM;
            return;
        }
        r->rec = p;
        r->rec_cap = cap;
    }
    cell = dup_mem(f, len);
    if (!cell) {
        r->status = MIG_ENOMEM;
        return;
    }
    r->rec[r->rec_n++] = cell;
}

/* The header: its first cell loses a leading '#' (and the spaces after it). */
static void take_header(reader *r)
{
    mig_csv *t = r->t;
    char *c0 = r->rec[0];

    if (c0[0] == '#') {
        size_t k = 1;
        while (c0[k] == ' ' || c0[k] == '\t')
            k++;
        memmove(c0, c0 + k, strlen(c0 + k) + 1);
    }
    t->header = r->rec;
    t->n_cols = r->rec_n;
    r->rec = NULL;
    r->rec_n = r->rec_cap = 0;
    r->have_header = 1;
}

static void take_row(reader *r)
{
    mig_csv *t = r->t;
    char **row;

    if (t->n_rows == r->rows_cap) {
        size_t cap = r->rows_cap ? 2 * r->rows_cap : 64;
        char ***c = realloc(t->cells, cap * sizeof *c);
        size_t *l;
        if (!c) {
            r->status = MIG_ENOMEM;
            return;
        }
        t->cells = c;
        l = realloc(t->line, cap * sizeof *l);
        if (!l) {
            r->status = MIG_ENOMEM;
            return;
        }
        t->line = l;
        r->rows_cap = cap;
    }
    row = malloc(t->n_cols * sizeof *row);
    if (!row) {
        r->status = MIG_ENOMEM;
        return;
    }
    for (size_t j = 0; j < t->n_cols; j++) {
        row[j] = j < r->rec_n ? r->rec[j] : dup_mem("", 0);
        if (!row[j]) {
            for (size_t i = r->rec_n; i < j; i++)
                free(row[i]);
            free(row);
            r->status = MIG_ENOMEM;
            return;
        }
    }
    r->rec_n = 0;   /* the cells now belong to the row */
    t->cells[t->n_rows] = row;
    t->line[t->n_rows] = r->row_line;
    t->n_rows++;
}

static void on_row(int c, void *data)
{
    reader *r = data;

    (void)c;
    r->in_row = 0;
    if (r->status != MIG_OK || r->rec_n == 0) {
        drop_record(r);
        return;
    }
    if (!r->have_header) {
        take_header(r);
        return;
    }
    if (r->row_bad || r->rec[0][0] == '#') {
        drop_record(r);
        return;
    }
    if (r->rec_n > r->t->n_cols) {
        mig_loc loc = { r->path, r->row_line, r->t->n_cols + 1 };
        mig_ctx_diag(r->ctx, MIG_EDATA, &loc, NULL, "too many fields (header has %zu)", r->t->n_cols);
        r->n_bad++;
        drop_record(r);
        return;
    }
    take_row(r);
    drop_record(r);
}

/* A problem with the file at path, at line (0: the file as a whole), recorded with its
 * place; printed "path:line: message" or "path: message". Returns s. */
static mig_status file_problem(mig_ctx *ctx, mig_status s, const char *path, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static mig_status file_problem(mig_ctx *ctx, mig_status s, const char *path, size_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mig_ctx_vdiag(ctx, s, &(mig_loc){ path, line, 0 }, NULL, fmt, ap);
    va_end(ap);
    return s;
}

/* Feeds the open file to libcsv; returns MIG_OK or the status of a reported failure. */
static mig_status parse_file(reader *r, FILE *f, struct csv_parser *p)
{
    unsigned char *buf = malloc(CHUNK);
    int first = 1;
    size_t n;

    if (!buf)
        return MIG_ENOMEM;
    while ((n = fread(buf, 1, CHUNK, f)) > 0) {
        size_t pos = 0;
        if ((r->bytes += n) > MIG_INPUT_MAX_BYTES) {
            free(buf);
            return file_problem(r->ctx, MIG_EDATA, r->path, r->line, "larger than %s, the limit for an input file",
                                MIG_INPUT_MAX_TEXT);
        }
        if (first && n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
            pos = 3;   /* UTF-8 byte order mark, as spreadsheets write it */
        first = 0;
        while (pos < n) {
            const unsigned char *nl = memchr(buf + pos, '\n', n - pos);
            size_t seg = nl ? (size_t)(nl - (buf + pos)) + 1 : n - pos;

            if (!r->in_row && !is_blank(buf + pos, seg)) {
                r->in_row = 1;
                r->row_line = r->line;
            }
            if (csv_parse(p, buf + pos, seg, on_field, on_row, r) != seg) {
                int e = csv_error(p);
                free(buf);
                if (e == CSV_ENOMEM)
                    return MIG_ENOMEM;
                return file_problem(r->ctx, MIG_EDATA, r->path, r->line, "malformed CSV (%s)", csv_strerror(e));
            }
            if (r->status != MIG_OK) {
                free(buf);
                return r->status;
            }
            pos += seg;
            if (nl)
                r->line++;
        }
    }
    free(buf);
    if (ferror(f)) {
        int e = errno;   /* a directory opens for reading on POSIX, then fails to read */
        if (e == EISDIR)
            return file_problem(r->ctx, MIG_ENOINPUT, r->path, 0, "cannot open: %s", strerror(e));
        return file_problem(r->ctx, MIG_EIO, r->path, 0, "cannot read: %s", strerror(e));
    }
    if (csv_fini(p, on_field, on_row, r) != 0) {
        /* the only strict failure at the end: a quote left open since the record began */
        int e = csv_error(p);
        if (e == CSV_ENOMEM)
            return MIG_ENOMEM;
        return file_problem(r->ctx, MIG_EDATA, r->path, r->in_row ? r->row_line : r->line, "malformed CSV (%s)",
                            csv_strerror(e));
    }
    return r->status;
}

mig_status mig_csv_read(const char *path, mig_ctx *ctx, mig_csv **out)
{
    struct csv_parser p;
    reader r;
    mig_status s;
    FILE *f;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f)
        return file_problem(ctx, MIG_ENOINPUT, path, 0, "cannot open: %s", strerror(errno));
    if (mig_ctx_add_input(ctx, path) != MIG_OK) {
        fclose(f);
        return MIG_ENOMEM;
    }
    memset(&r, 0, sizeof r);
    r.path = path;
    r.ctx = ctx;
    r.status = MIG_OK;
    r.line = 1;
    r.t = calloc(1, sizeof *r.t);
    if (!r.t || !(r.t->path = dup_mem(path, strlen(path)))
        || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        fclose(f);
        mig_csv_destroy(&r.t);
        return file_problem(ctx, MIG_ENOMEM, path, 0, "out of memory");
    }

    /* libcsv grows a field's buffer by this many bytes at a time: its default, 128, copies a
     * long field over and over (seconds for a 2 MB line where realloc cannot grow in place) */
    csv_set_blk_size(&p, 1 << 16);
    s = parse_file(&r, f, &p);
    csv_free(&p);
    fclose(f);
    drop_record(&r);
    free(r.rec);

    if (s == MIG_OK && !r.have_header)
        s = file_problem(ctx, MIG_EDATA, path, 0, "empty file, expected a header row");
    if (s == MIG_OK && r.n_bad > 0)
        s = MIG_EDATA;
    if (s == MIG_ENOMEM)
        file_problem(ctx, MIG_ENOMEM, path, 0, "out of memory");
    if (s != MIG_OK) {
        mig_csv_destroy(&r.t);
        return s;
    }
    *out = r.t;
    return MIG_OK;
}

size_t mig_csv_map_columns(const mig_csv *t, mig_ctx *ctx, const char *const *names, int n, int n_required,
                           int *col_of, int *known_of)
{
    char expected[256], q[MIG_CSV_QUOTE_MAX];
    size_t k = 0, n_err = 0;

    expected[0] = '\0';
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(expected + k, sizeof expected - k, "%s%s", i ? ", " : "", names[i]);
    for (int i = 0; i < n; i++)
        col_of[i] = -1;
    for (size_t j = 0; j < t->n_cols; j++) {
        int id = -1, past = known_of && j >= MIG_CSV_KNOWN_MAX;
        for (int i = 0; i < n; i++)
            if (strcmp(t->header[j], names[i]) == 0)
                id = i;
        if (known_of && !past)
            known_of[j] = -1;
        if (id < 0 || past) {
            mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ t->path, 1, j + 1 }, NULL, "unknown column %s (expected %s)",
                         mig_csv_quote(q, t->header[j]), expected);
            n_err++;
        } else if (col_of[id] >= 0) {
            mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ t->path, 1, j + 1 }, NULL,
                         "repeated column %s (first in column %d)", mig_csv_quote(q, t->header[j]), col_of[id] + 1);
            n_err++;
        } else {
            col_of[id] = (int)j;
            if (known_of)
                known_of[j] = id;
        }
    }
    for (int i = 0; i < n_required; i++)
        if (col_of[i] < 0) {
            mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ t->path, 1, 0 }, NULL, "missing required column \"%s\"",
                         names[i]);
            n_err++;
        }
    return n_err;
}

void mig_csv_destroy(mig_csv **p)
{
    mig_csv *t;
    if (!MIG_TAKE(t, p))
        return;
    for (size_t i = 0; i < t->n_rows; i++)
        mig_free_strings(t->cells[i], t->n_cols);
    mig_free_strings(t->header, t->n_cols);
    MIG_FREE_ALL(t->cells, t->line, t->path, t);
}

int mig_csv_col(const mig_csv *t, const char *name)
{
    if (!t || !name)
        return -1;
    for (size_t j = 0; j < t->n_cols; j++)
        if (strcmp(t->header[j], name) == 0)
            return (int)j;
    return -1;
}

const char *mig_csv_quote(char q[MIG_CSV_QUOTE_MAX], const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(s), k = 0, cut = n;

    if (n > MIG_CSV_QUOTE_CUT) {   /* cut at a UTF-8 character boundary */
        cut = MIG_CSV_QUOTE_CUT;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
    }
    q[k++] = '"';
    for (size_t i = 0; i < cut; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            q[k++] = '\\';
            q[k++] = (char)c;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            q[k++] = '\\';
            q[k++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7F) {
            q[k++] = '\\';
            q[k++] = 'x';
            q[k++] = hex[c >> 4];
            q[k++] = hex[c & 15];
        } else {
            q[k++] = (char)c;
        }
    }
    if (cut < n) {
        memcpy(q + k, "...", 3);
        k += 3;
    }
    q[k++] = '"';
    q[k] = '\0';
    return q;
}

void mig_csv_vcell_error(const mig_csv *t, mig_ctx *ctx, size_t row, int j, const char *fmt, va_list ap)
{
    mig_loc loc = { t->path, t->line[row], (unsigned long)j + 1 };
    mig_ctx_vdiag(ctx, MIG_EDATA, &loc, t->header[j], fmt, ap);
}

void mig_csv_cell_error(const mig_csv *t, mig_ctx *ctx, size_t row, int j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mig_csv_vcell_error(t, ctx, row, j, fmt, ap);
    va_end(ap);
}
