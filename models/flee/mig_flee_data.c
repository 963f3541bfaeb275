/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_flee_data.c: Flee's input tables read natively and checked against the network. A
 * table without a header (data_layout.csv, the series, registration_corrections.csv) is
 * read by mig_csv as if its first row were one: row 0 below is that first row. */
#include "mig_flee_data.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mig_csv.h"
#include "mig_date.h"
#include "mig_util.h"

/* ---- cells, rows and messages ---------------------------------------------------------- */

/* Row r of a table read without a header: 0 is mig_csv's header. */
static const char *cell(const mig_csv *t, size_t r, size_t j)
{
    if (j >= t->n_cols)
        return "";
    return r == 0 ? t->header[j] : t->cells[r - 1][j];
}

static mig_status bad(mig_ctx *ctx, const mig_csv *t, size_t r, size_t j, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* A problem at (row r of a headerless reading, column j): file:line:col: field: message. */
static mig_status bad(mig_ctx *ctx, const mig_csv *t, size_t r, size_t j, const char *field, const char *fmt, ...)
{
    mig_loc loc = { t->path, r == 0 ? 1 : t->line[r - 1], j + 1 };
    va_list ap;
    va_start(ap, fmt);
    mig_ctx_vdiag(ctx, MIG_EDATA, &loc, field, fmt, ap);
    va_end(ap);
    return MIG_EDATA;
}

/* s without blanks around it, in buf. */
static const char *trim(char *buf, size_t size, const char *s)
{
    size_t n;
    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

/* The number in cell (r, j) of a headerless reading, or a problem about field. */
static mig_status number(mig_ctx *ctx, const mig_csv *t, size_t r, size_t j, const char *field, double *out)
{
    char buf[64], q[MIG_CSV_QUOTE_MAX];
    if (mig_parse_number(trim(buf, sizeof buf, cell(t, r, j)), out) != 0)
        return bad(ctx, t, r, j, field, "expected a number, got %s", mig_csv_quote(q, cell(t, r, j)));
    return MIG_OK;
}

/* The network's place named in cell (r, j), or a problem about field. */
static mig_status place_at(mig_ctx *ctx, const mig_network *net, const mig_csv *t, size_t r, size_t j,
                           const char *field, uint32_t *out)
{
    char buf[256], q[MIG_CSV_QUOTE_MAX];
    int64_t p = mig_network_place(net, trim(buf, sizeof buf, cell(t, r, j)));
    if (p < 0)
        return bad(ctx, t, r, j, field, "unknown place %s (not in the network)", mig_csv_quote(q, buf));
    *out = (uint32_t)p;
    return MIG_OK;
}

static mig_status read_table(const char *dir, const char *rel, mig_ctx *ctx, mig_csv **out)
{
    char *path = mig_path_resolve(dir, rel);
    mig_status st;
    if (!path)
        return MIG_ENOMEM;
    st = mig_csv_read(path, ctx, out);
    free(path);
    return st;
}

/* ---- locations.csv ---------------------------------------------------------------------- */

static mig_status location_type(mig_ctx *ctx, const mig_csv *t, size_t r, uint8_t *out)
{
    static const char *const names[] = { "conflict_zone", "town", "camp", "idpcamp", "forwarding_hub" };
    char buf[64], q[MIG_CSV_QUOTE_MAX];
    trim(buf, sizeof buf, cell(t, r, 5));
    for (uint8_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (!strcmp(buf, names[k])) {
            *out = k;
            return MIG_OK;
        }
    return bad(ctx, t, r, 5, "location_type",
               "unsupported location type %s (expected conflict_zone, town, camp, idpcamp or forwarding_hub)",
               mig_csv_quote(q, buf));
}

static mig_status read_locations(const char *dir, const mig_network *net, mig_flee_data *d, mig_ctx *ctx)
{
    mig_csv *t = NULL;
    mig_status st = read_table(dir, "input_csv/locations.csv", ctx, &t);
    uint8_t *seen = calloc(net->n_places ? net->n_places : 1, 1);
    char home[128] = "", buf[128];
    if (st != MIG_OK || !seen) {
        free(seen);
        mig_csv_destroy(&t);
        return st != MIG_OK ? st : MIG_ENOMEM;
    }
    for (size_t r = 1; r <= t->n_rows && st == MIG_OK; r++) {
        uint32_t p = 0;
        if ((st = place_at(ctx, net, t, r, 0, "name", &p)) != MIG_OK ||
            (st = location_type(ctx, t, r, &d->type[p])) != MIG_OK ||
            (*trim(buf, sizeof buf, cell(t, r, 7)) && (st = number(ctx, t, r, 7, "population", &d->pop[p])) != MIG_OK))
            break; /* an empty population is 0, as in Flee */
        trim(buf, sizeof buf, cell(t, r, 2));
        if (r == 1)
            snprintf(home, sizeof home, "%s", buf);
        d->foreign[p] = strcmp(buf, home) != 0;
        d->country[p] = 0;
        while (strcmp(net->place_country[d->country[p]], net->place_country[p]))
            d->country[p]++;
        seen[p] = 1;
    }
    for (uint32_t p = 0; p < net->n_places && st == MIG_OK; p++)
        if (!seen[p])
            st = mig_ctx_error(ctx, MIG_EDATA, "%s: name: place \"%s\" of the network is missing", t->path,
                               net->place_name[p]);
    free(seen);
    mig_csv_destroy(&t);
    return st;
}

/* ---- conflicts.csv ---------------------------------------------------------------------- */

static mig_status read_conflicts(const char *dir, const mig_network *net, mig_flee_data *d, mig_ctx *ctx)
{
    mig_csv *t = NULL;
    mig_status st = read_table(dir, "input_csv/conflicts.csv", ctx, &t);
    uint32_t *col = NULL;
    if (st != MIG_OK)
        return st;
    d->n_days = (uint32_t)t->n_rows;
    col = malloc((t->n_cols ? t->n_cols : 1) * sizeof *col);
    d->intensity = calloc((size_t)(d->n_days ? d->n_days : 1) * net->n_places, sizeof *d->intensity);
    if (!col || !d->intensity)
        st = MIG_ENOMEM;
    for (size_t j = 1; j < t->n_cols && st == MIG_OK; j++) {
        char buf[8];
        col[j] = UINT32_MAX; /* a column without a name (a trailing comma) is empty */
        if (*trim(buf, sizeof buf, t->header[j]))
            st = place_at(ctx, net, t, 0, j, "conflicts", &col[j]);
    }
    for (size_t r = 1; r <= t->n_rows && st == MIG_OK; r++) {
        double day, v;
        if ((st = number(ctx, t, r, 0, "Day", &day)) != MIG_OK)
            break;
        if (day != (double)(r - 1)) {
            st = bad(ctx, t, r, 0, "Day", "expected day %zu (one row a day from 0)", r - 1);
            break;
        }
        for (size_t j = 1; j < t->n_cols && st == MIG_OK; j++)
            if (col[j] != UINT32_MAX && (st = number(ctx, t, r, j, t->header[j], &v)) == MIG_OK)
                d->intensity[(r - 1) * net->n_places + col[j]] = v;
    }
    free(col);
    mig_csv_destroy(&t);
    return st;
}

/* ---- closures.csv ----------------------------------------------------------------------- */

static mig_status closure_row(const mig_network *net, const mig_csv *t, size_t r, mig_flee_closure *c,
                              int *skip, mig_ctx *ctx)
{
    static const char *const types[] = { "country", "location", "link", "camp" };
    char buf[64], q[MIG_CSV_QUOTE_MAX];
    double start, end;
    mig_status st;
    int k = -1;
    trim(buf, sizeof buf, cell(t, r, 0));
    *skip = !strcmp(buf, "remove_forced_redirection"); /* forced redirection is unused by Flee's rules */
    if (*skip)
        return MIG_OK;
    for (int i = 0; i < 4; i++)
        if (!strcmp(buf, types[i]))
            k = i;
    if (k < 0)
        return bad(ctx, t, r, 0, "closure_type",
                   "unsupported closure type %s (expected country, location, link or camp)", mig_csv_quote(q, buf));
    c->type = (mig_flee_closure_type)k;
    if ((st = number(ctx, t, r, 3, "closure_start", &start)) != MIG_OK ||
        (st = number(ctx, t, r, 4, "closure_end", &end)) != MIG_OK)
        return st;
    c->start = (int32_t)start;
    c->end = (int32_t)end;
    if (k == MIG_FLEE_CLOSE_COUNTRY) {
        const char *names[2] = { cell(t, r, 1), cell(t, r, 2) };
        uint32_t *dst[2] = { &c->a, &c->b };
        for (int s = 0; s < 2; s++) {
            uint32_t p = 0;
            while (p < net->n_places && strcmp(net->place_country[p], trim(buf, sizeof buf, names[s])))
                p++;
            if (p == net->n_places)
                return bad(ctx, t, r, 1 + (size_t)s, s ? "name2" : "name1", "unknown country %s (no place in it)",
                           mig_csv_quote(q, buf));
            *dst[s] = p;
        }
        return MIG_OK;
    }
    if ((st = place_at(ctx, net, t, r, 1, "name1", &c->a)) != MIG_OK)
        return st;
    c->b = c->a;
    return k == MIG_FLEE_CLOSE_LINK ? place_at(ctx, net, t, r, 2, "name2", &c->b) : MIG_OK;
}

static mig_status read_closures(const char *dir, const mig_network *net, mig_flee_data *d, mig_ctx *ctx)
{
    mig_csv *t = NULL;
    mig_status st = read_table(dir, "input_csv/closures.csv", ctx, &t);
    if (st != MIG_OK)
        return st;
    d->closures = calloc(t->n_rows ? t->n_rows : 1, sizeof *d->closures);
    if (!d->closures)
        st = MIG_ENOMEM;
    for (size_t r = 1; r <= t->n_rows && st == MIG_OK; r++) {
        int skip;
        if ((st = closure_row(net, t, r, &d->closures[d->n_closures], &skip, ctx)) == MIG_OK && !skip)
            d->n_closures++;
    }
    mig_csv_destroy(&t);
    return st;
}

/* ---- UNHCR series, registration corrections, data_layout.csv ---------------------------- */

double mig_flee_series_at(const int32_t *day, const double *value, size_t n, double t)
{
    size_t k = 0;
    if (n == 0)
        return 0.0;
    if (t <= day[0])
        return value[0];
    if (t >= day[n - 1])
        return value[n - 1];
    while (day[k + 1] < t)
        k++;
    return value[k] + (value[k + 1] - value[k]) * (t - day[k]) / (double)(day[k + 1] - day[k]);
}

/* One series file: n points (date, count), dates increasing, as days from start_day. */
typedef struct series {
    int32_t *day;
    double *value;
    size_t n;
} series;

/* Splits line (modified) at commas into at most max trimmed fields; returns how many. */
static size_t split(char *line, char **field, size_t max)
{
    size_t n = 0;
    for (char *p = line; n < max; p++) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        while (isspace((unsigned char)*p))
            p++;
        field[n] = p;
        for (char *e = p + strlen(p); e > p && isspace((unsigned char)e[-1]);)
            *--e = '\0';
        n++;
        if (!c)
            break;
        p = c;
    }
    return n;
}

/* A small headerless table read whole (rows of different widths, '#' comments): its
 * text, split line by line with next_row. */
typedef struct lines {
    char *path, *text, *next;
    unsigned long line;
    size_t rows;               /* an upper bound: newlines + 1 */
} lines;

static mig_status lines_open(lines *L, const char *dir, const char *rel, mig_ctx *ctx)
{
    size_t len = 0;
    int err = 0;
    mig_status st;
    memset(L, 0, sizeof *L);
    if (!(L->path = mig_path_resolve(dir, rel)))
        return MIG_ENOMEM;
    if ((st = mig_file_read(L->path, &L->text, &len, &err)) != MIG_OK)
        return st == MIG_ENOMEM ? st : mig_ctx_error(ctx, st, "%s: cannot read: %s", L->path, strerror(err));
    L->next = L->text;
    L->rows = 1;
    for (size_t i = 0; i < len; i++)
        L->rows += L->text[i] == '\n';
    return MIG_OK;
}

/* The next row that is not blank or a '#' comment, split into at most max trimmed fields
 * (*n); 0 at the end. L->line is its line. */
static int next_row(lines *L, char **f, size_t max, size_t *n)
{
    while (L->next) {
        char *line = L->next;
        L->next = strchr(line, '\n');
        if (L->next)
            *L->next++ = '\0';
        L->line++;
        *n = split(line, f, max);
        if (*f[0] && f[0][0] != '#')
            return 1;
    }
    return 0;
}

static void lines_close(lines *L)
{
    MIG_FREE_ALL(L->path, L->text);
}

static mig_status read_series(const char *dir, const char *rel, int32_t start_day, series *s, mig_ctx *ctx)
{
    lines L;
    char *f[4];
    size_t n;
    mig_status st = lines_open(&L, dir, rel, ctx);
    if (st == MIG_OK) {
        s->day = malloc(L.rows * sizeof *s->day);
        s->value = malloc(L.rows * sizeof *s->value);
        if (!s->day || !s->value)
            st = MIG_ENOMEM;
    }
    while (st == MIG_OK && next_row(&L, f, 4, &n)) {
        mig_loc loc = { L.path, L.line, 1 };
        char q[MIG_CSV_QUOTE_MAX];
        int32_t day;
        if (mig_date_parse(f[0], &day) != 0)
            st = mig_ctx_diag(ctx, MIG_EDATA, &loc, "date", "expected a date YYYY-MM-DD, got %s",
                              mig_csv_quote(q, f[0]));
        else if (s->n && day - start_day <= s->day[s->n - 1])
            st = mig_ctx_diag(ctx, MIG_EDATA, &loc, "date", "dates must increase (%s is not after the row before)",
                              f[0]);
        else if (loc.column = 2, n < 2 || mig_parse_number(f[1], &s->value[s->n]) != 0)
            st = mig_ctx_diag(ctx, MIG_EDATA, &loc, "count", "expected a number, got %s",
                              mig_csv_quote(q, n < 2 ? "" : f[1]));
        else
            s->day[s->n++] = day - start_day;
    }
    lines_close(&L);
    return st;
}

/* Flee's "normalize" correction (correctLevel1Registrations): when a point lies on the date
 * (on or after the start), the points before it are rescaled by v(date) / v(the point before
 * it), so the series has no fall there; otherwise nothing changes. */
static void normalize(series *s, int32_t day)
{
    size_t k = 0;
    double f;
    while (k < s->n && s->day[k] < day)
        k++;
    if (day < 0 || k == 0 || k == s->n || s->day[k] != day || !(s->value[k - 1] > 0.0))
        return;
    f = s->value[k] / s->value[k - 1];
    for (size_t i = 0; i < k; i++)
        s->value[i] *= f;
}

static void free_series(series *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        MIG_FREE_ALL(s[i].day, s[i].value);
    free(s);
}

/* registration_corrections.csv (name, date, normalize), when present, on the camps' series;
 * file[c] .. file[c + 1] are camp c's series. */
static mig_status read_corrections(const char *dir, char *const *names, uint32_t n_names, series *s,
                                   const uint32_t *file, int32_t start_day, mig_ctx *ctx)
{
    char *path = mig_path_resolve(dir, "input_csv/registration_corrections.csv");
    mig_csv *t = NULL;
    mig_status st;
    char buf[64], q[MIG_CSV_QUOTE_MAX];
    if (!path)
        return MIG_ENOMEM;
    st = access(path, F_OK) == 0 ? mig_csv_read(path, ctx, &t) : MIG_OK;
    free(path);
    for (size_t r = 0; t && r <= t->n_rows && st == MIG_OK; r++) {
        uint32_t c = 0;
        int32_t day;
        trim(buf, sizeof buf, cell(t, r, 0));
        while (c < n_names && strcmp(names[c], buf))
            c++;
        if (c == n_names)
            st = bad(ctx, t, r, 0, "name", "%s is not a camp of source_data/data_layout.csv", mig_csv_quote(q, buf));
        else if (mig_date_parse(trim(buf, sizeof buf, cell(t, r, 1)), &day) != 0)
            st = bad(ctx, t, r, 1, "date", "expected a date YYYY-MM-DD, got %s", mig_csv_quote(q, cell(t, r, 1)));
        else if (strcmp(trim(buf, sizeof buf, cell(t, r, 2)), "normalize"))
            st = bad(ctx, t, r, 2, "action", "unsupported correction %s (expected normalize)", mig_csv_quote(q, buf));
        else
            for (uint32_t f = file[c]; f < file[c + 1]; f++)
                normalize(&s[f], day - start_day);
    }
    mig_csv_destroy(&t);
    return st;
}

/* One camp row of data_layout.csv, "name,file[,file...]" (fields f[0..n)): its place
 * (MIG_FLEE_NO_PLACE for a name not in the network: Flee sums every series into the spawn
 * totals but places and observes only locations) and series (appended to s from *n_files). */
static mig_status layout_row(const mig_network *net, const char *sdir, char **f, size_t n, int32_t start_day,
                             mig_flee_data *d, series *s, uint32_t *n_files, mig_ctx *ctx)
{
    int64_t p = mig_network_place(net, f[0]);
    mig_status st = MIG_OK;
    d->camp_place[d->n_camps] = p < 0 ? MIG_FLEE_NO_PLACE : (uint32_t)p;
    for (size_t j = 1; j < n && st == MIG_OK; j++)
        if (*f[j])
            st = read_series(sdir, f[j], start_day, &s[(*n_files)++], ctx);
    return st;
}

/* data_layout.csv: "total,file" (not used: the camps' sum is the total) and one row per
 * camp, "name,file[,file...]", whose series are summed. Rows differ in width, so it is
 * split here rather than read as a table. */
static mig_status read_layout(const char *dir, const mig_network *net, mig_flee_data *d, int32_t start_day,
                              uint32_t days, mig_ctx *ctx)
{
    char *sdir = mig_path_resolve(dir, "source_data"), *f[64], **names = NULL;
    size_t n;
    series *s = NULL;
    uint32_t *file = NULL, n_files = 0;
    lines L;
    mig_status st = lines_open(&L, dir, "source_data/data_layout.csv", ctx);
    if (st == MIG_OK) {
        s = calloc(L.rows * 64, sizeof *s);
        file = calloc(L.rows + 1, sizeof *file);
        d->camp_place = calloc(L.rows, sizeof *d->camp_place);
        names = calloc(L.rows, sizeof *names);
        if (!sdir || !s || !file || !d->camp_place || !names)
            st = MIG_ENOMEM;
    }
    while (st == MIG_OK && next_row(&L, f, 64, &n)) {
        if (!strcmp(f[0], "total"))
            continue;
        if (!(names[d->n_camps] = strdup(f[0])))
            st = MIG_ENOMEM;
        else if ((st = layout_row(net, sdir, f, n, start_day, d, s, &n_files, ctx)) == MIG_OK)
            file[++d->n_camps] = n_files;
    }
    if (st == MIG_OK)
        st = read_corrections(dir, names, d->n_camps, s, file, start_day, ctx);
    if (st == MIG_OK && !(d->camp_count = calloc((size_t)(d->n_camps ? d->n_camps : 1) * days, sizeof *d->camp_count)))
        st = MIG_ENOMEM;
    for (uint32_t c = 0; st == MIG_OK && c < d->n_camps; c++)
        for (uint32_t day = 0; day < days; day++) {
            double v = 0.0;
            for (uint32_t k = file[c]; k < file[c + 1]; k++)
                v += mig_flee_series_at(s[k].day, s[k].value, s[k].n, day);
            d->camp_count[(size_t)c * days + day] = (int64_t)v;
        }
    free_series(s, n_files);
    mig_free_strings(names, L.rows);
    free(sdir);
    free(file);
    lines_close(&L);
    return st;
}

/* ---- public ----------------------------------------------------------------------------- */

mig_status mig_flee_data_load(const char *dir, const mig_network *net, int32_t start_day, uint32_t days,
                              mig_ctx *ctx, mig_flee_data **out)
{
    mig_flee_data *d = calloc(1, sizeof *d);
    size_t np = net->n_places ? net->n_places : 1;
    mig_status st = MIG_ENOMEM;
    *out = NULL;
    if (!d)
        return MIG_ENOMEM;
    d->n_places = net->n_places;
    d->type = calloc(np, 1);
    d->foreign = calloc(np, 1);
    d->country = calloc(np, sizeof *d->country);
    d->pop = calloc(np, sizeof *d->pop);
    if (d->type && d->foreign && d->country && d->pop &&
        (st = read_locations(dir, net, d, ctx)) == MIG_OK && (st = read_conflicts(dir, net, d, ctx)) == MIG_OK &&
        (st = read_closures(dir, net, d, ctx)) == MIG_OK &&
        (st = read_layout(dir, net, d, start_day, days, ctx)) == MIG_OK) {
        *out = d;
        return MIG_OK;
    }
    mig_flee_data_destroy(&d);
    return st;
}

void mig_flee_data_destroy(mig_flee_data **p)
{
    mig_flee_data *d;
    if (!MIG_TAKE(d, p))
        return;
    MIG_FREE_ALL(d->type, d->foreign, d->country, d->pop, d->intensity, d->closures, d->camp_place, d->camp_count,
                 d);
}
