/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_network.c: loads places.csv and links.csv into the place graph, reporting every
 * problem found as file:line:column before giving up, and builds the out-link adjacency. */
#include "mig_network.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mig_csv.h"
#include "mig_util.h"

/* ---- columns ---------------------------------------------------------------------- */

enum { P_NAME, P_COUNTRY, P_KIND, P_LAT, P_LON, P_CAPACITY, P_ATTRACT, P_SOURCE, P_NOTE, P_NCOL };
#define P_NREQUIRED 5   /* name .. lon */
static const char *const place_cols[P_NCOL] = { "name", "country", "kind", "lat", "lon",
    "capacity", "attractiveness", "source", "note" };

enum { L_FROM, L_TO, L_KM, L_MODE, L_TWO_WAY, L_COST, L_RISK, L_SOURCE, L_NOTE, L_NCOL };
#define L_NREQUIRED 4   /* from .. mode */
static const char *const link_cols[L_NCOL] = { "from", "to", "distance_km", "mode", "two_way",
    "cost_usd", "risk", "source", "note" };

#define MAX_COLS 9

/* One table being checked: where its diagnostics go and how many were reported. */
typedef struct check {
    const mig_csv *t;
    mig_ctx *ctx;
    size_t n_err;
    int known_of[MIG_CSV_KNOWN_MAX];   /* header column -> known column id, or -1 (unknown, repeated) */
    int col_of[MAX_COLS];   /* known column id -> header column, or -1 */
} check;


/* "path:line:col: column: message" for the cell at (row, header column j), counted. */
static void cell_error(check *c, size_t row, int j, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void cell_error(check *c, size_t row, int j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mig_csv_vcell_error(c->t, c->ctx, row, j, fmt, ap);
    va_end(ap);
    c->n_err++;
}

/* Maps the header to the known columns (mig_csv_map_columns), counting the errors. */
static void map_columns(check *c, const char *const *names, int n_names, int n_required)
{
    for (int i = 0; i < MAX_COLS; i++)
        c->col_of[i] = -1;
    c->n_err += mig_csv_map_columns(c->t, c->ctx, names, n_names, n_required, c->col_of, c->known_of);
}

/* Header column j maps to a known column id, or -1. */
static int known(const check *c, size_t j) { return j < MIG_CSV_KNOWN_MAX ? c->known_of[j] : -1; }

/* The cell of known column id in a row, or NULL when the column is absent. */
static const char *cell(const check *c, size_t row, int id)
{
    return c->col_of[id] >= 0 ? c->t->cells[row][c->col_of[id]] : NULL;
}

/* ---- cell values -------------------------------------------------------------------- */

/* A non-negative decimal integer that fits uint32_t. */
static int parse_count(const char *s, uint32_t *v)
{
    uint64_t x = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        x = 10 * x + (uint64_t)(*s - '0');
        if (x > UINT32_MAX)
            return -1;
    }
    *v = (uint32_t)x;
    return 0;
}

/* ---- place name index (sorted, for loading) ------------------------------------------ */

typedef struct name_ref {
    const char *name;
    uint32_t row;
} name_ref;

static int cmp_name_row(const void *a, const void *b)
{
    const name_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const name_ref *)a)->name, ((const name_ref *)b)->name);
}

/* Row of a place by name in the deduplicated index, or -1. */
static int64_t index_find(const name_ref *idx, size_t n, const char *name)
{
    name_ref key = { name, 0 };
    const name_ref *hit = n ? bsearch(&key, idx, n, sizeof *idx, cmp_name) : NULL;
    return hit ? (int64_t)hit->row : -1;
}

/* ---- places ---------------------------------------------------------------------------- */


/* Allocates the place arrays of net and the name index for n places. */
static mig_status alloc_places(mig_network *net, size_t n, name_ref **refs, size_t **dup_line)
{
    net->n_places = (uint32_t)n;
    net->place_name = calloc(n, sizeof *net->place_name);
    net->place_country = calloc(n, sizeof *net->place_country);
    net->place_kind = calloc(n, sizeof *net->place_kind);
    net->place_lat = calloc(n, sizeof *net->place_lat);
    net->place_lon = calloc(n, sizeof *net->place_lon);
    net->place_capacity = calloc(n, sizeof *net->place_capacity);
    net->place_attract = calloc(n, sizeof *net->place_attract);
    *refs = malloc(n * sizeof **refs);
    *dup_line = calloc(n, sizeof **dup_line);
    if (!net->place_name || !net->place_country || !net->place_kind || !net->place_lat
        || !net->place_lon || !net->place_capacity || !net->place_attract || !*refs || !*dup_line)
        return MIG_ENOMEM;
    return MIG_OK;
}

/* Sorts the named rows into refs, keeping the first occurrence of each name; dup_line[r]: the
 * line where row r's name first appeared, or 0. Returns the number of distinct names. */
static size_t index_places(const check *c, name_ref *refs, size_t *dup_line)
{
    const mig_csv *t = c->t;
    size_t n_named = 0, m = 0;

    for (size_t r = 0; r < t->n_rows; r++) {
        const char *name = cell(c, r, P_NAME);
        if (name && *name)
            refs[n_named++] = (name_ref){ name, (uint32_t)r };
    }
    if (n_named)
        qsort(refs, n_named, sizeof *refs, cmp_name_row);
    for (size_t i = 0; i < n_named; i++) {
        if (m > 0 && strcmp(refs[m - 1].name, refs[i].name) == 0)
            dup_line[refs[i].row] = t->line[refs[m - 1].row];
        else
            refs[m++] = refs[i];
    }
    return m;
}

/* A latitude or longitude cell (r, j): a number in [-limit, limit] into *dst, else an error. */
static void coordinate_cell(check *c, size_t r, int j, const char *what, double limit, double *dst)
{
    const char *v = c->t->cells[r][j];
    char q[MIG_CSV_QUOTE_MAX];
    double x;
    if (mig_parse_number(v, &x) == 0 && x >= -limit && x <= limit)
        *dst = x;
    else
        cell_error(c, r, j, "expected a %s in [%g, %g], got %s", what, -limit, limit, mig_csv_quote(q, v));
}

/* Checks cell (r, j) of the places table and stores its value in net. dup: the line where
 * the row's name first appeared, or 0. */
static mig_status check_place_cell(mig_network *net, check *c, size_t r, size_t j, size_t dup)
{
    const char *v = c->t->cells[r][j];
    int jj = (int)j;
    double x;
    mig_place_kind kind;
    char q[MIG_CSV_QUOTE_MAX];

    switch (known(c, j)) {
    case P_NAME:
        if (!*v)
            cell_error(c, r, jj, "empty place name");
        else if (dup)
            cell_error(c, r, jj, "duplicate place %s (first on line %zu)", mig_csv_quote(q, v), dup);
        return (net->place_name[r] = strdup(v)) ? MIG_OK : MIG_ENOMEM;
    case P_COUNTRY:
        return (net->place_country[r] = strdup(v)) ? MIG_OK : MIG_ENOMEM;
    case P_KIND:
        if (mig_place_kind_parse(v, &kind) == 0)
            net->place_kind[r] = (uint8_t)kind;
        else
            cell_error(c, r, jj, "expected one of origin, town, camp, border, destination, got %s",
                       mig_csv_quote(q, v));
        break;
    case P_LAT:
        coordinate_cell(c, r, jj, "latitude", 90, &net->place_lat[r]);
        break;
    case P_LON:
        coordinate_cell(c, r, jj, "longitude", 180, &net->place_lon[r]);
        break;
    case P_CAPACITY:
        if (*v && parse_count(v, &net->place_capacity[r]) != 0)
            cell_error(c, r, jj, "expected a non-negative integer, got %s", mig_csv_quote(q, v));
        break;
    case P_ATTRACT:
        if (!*v)
            break;
        if (mig_parse_number(v, &x) == 0 && x > 0)
            net->place_attract[r] = x;
        else
            cell_error(c, r, jj, "expected a positive number, got %s", mig_csv_quote(q, v));
        break;
    default:   /* source, note, and columns already reported */
        break;
    }
    return MIG_OK;
}

/* Checks the places table and fills the place arrays of net (valid only when no error was
 * reported). *idx_out: the names, sorted, first occurrence of each (owned by caller). */
static mig_status check_places(mig_network *net, check *c, name_ref **idx_out, size_t *n_idx)
{
    const mig_csv *t = c->t;
    size_t n = t->n_rows, m;
    name_ref *refs = NULL;
    size_t *dup_line = NULL;

    *idx_out = NULL;
    *n_idx = 0;
    map_columns(c, place_cols, P_NCOL, P_NREQUIRED);
    if (n == 0) {
        mig_ctx_error(c->ctx, MIG_EDATA, "%s: no places", t->path);
        c->n_err++;
        return MIG_OK;
    }
    if (n >= UINT32_MAX) {
        mig_ctx_error(c->ctx, MIG_EDATA, "%s: too many places (%zu)", t->path, n);
        c->n_err++;
        return MIG_OK;
    }
    if (alloc_places(net, n, &refs, &dup_line) != MIG_OK)
        goto nomem;

    /* duplicates first, so each row's messages come out in column order */
    m = index_places(c, refs, dup_line);
    for (size_t r = 0; r < n; r++) {
        net->place_attract[r] = 1.0;
        for (size_t j = 0; j < t->n_cols; j++)
            if (check_place_cell(net, c, r, j, dup_line[r]) != MIG_OK)
                goto nomem;
    }
    free(dup_line);
    *idx_out = refs;
    *n_idx = m;
    return MIG_OK;

nomem:
    free(refs);
    free(dup_line);
    return MIG_ENOMEM;
}

/* ---- links ------------------------------------------------------------------------------ */

/* A links.csv row as parsed; fields are meaningful when the matching *_ok is set. */
typedef struct link_row {
    int64_t from, to;           /* place index, -1 when unknown */
    double km, cost, risk;
    int mode;                   /* mig_mode, -1 when invalid */
    int two_way;                /* 0 or 1; -1 when invalid */
    int km_ok, cost_ok, risk_ok;
    size_t dup_line[2];         /* forward / reverse link first seen on this line, or 0 */
} link_row;

/* A directed link, for finding repeats: key (from, to, mode), then CSV order. */
typedef struct link_key {
    uint32_t from, to, seq;     /* seq = 2 * row + (0 forward, 1 reverse) */
    int mode;
} link_key;

static int cmp_link_key(const void *a, const void *b)
{
    const link_key *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    if (x->mode != y->mode)
        return x->mode < y->mode ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static void parse_link_row(const check *c, size_t r, const name_ref *idx, size_t n_idx,
                           link_row *L)
{
    const char *v;
    mig_mode mode;

    L->from = L->to = -1;
    L->mode = -1;
    L->two_way = 0;
    L->cost = L->risk = 0;
    L->cost_ok = L->risk_ok = 1;
    if ((v = cell(c, r, L_FROM)) && idx)
        L->from = index_find(idx, n_idx, v);
    if ((v = cell(c, r, L_TO)) && idx)
        L->to = index_find(idx, n_idx, v);
    if ((v = cell(c, r, L_KM)))
        L->km_ok = mig_parse_number(v, &L->km) == 0 && L->km > 0;
    if ((v = cell(c, r, L_MODE)) && mig_mode_parse(v, &mode) == 0)
        L->mode = (int)mode;
    if ((v = cell(c, r, L_TWO_WAY)) && *v)
        L->two_way = strcmp(v, "0") == 0 ? 0 : strcmp(v, "1") == 0 ? 1 : -1;
    if ((v = cell(c, r, L_COST)) && *v)
        L->cost_ok = mig_parse_number(v, &L->cost) == 0 && L->cost >= 0;
    if ((v = cell(c, r, L_RISK)) && *v)
        L->risk_ok = mig_parse_number(v, &L->risk) == 0 && L->risk >= 0 && L->risk <= 1;
}

/* Marks every directed link that repeats an earlier one (same from, to and mode). */
static mig_status find_repeats(const mig_csv *t, link_row *rows, size_t n)
{
    link_key *keys = malloc(2 * n * sizeof *keys);
    size_t nk = 0;

    if (!keys)
        return MIG_ENOMEM;
    for (size_t r = 0; r < n; r++) {
        const link_row *L = &rows[r];
        if (L->from < 0 || L->to < 0 || L->from == L->to || L->mode < 0)
            continue;
        keys[nk++] = (link_key){ (uint32_t)L->from, (uint32_t)L->to, (uint32_t)(2 * r), L->mode };
        if (L->two_way == 1)
            keys[nk++] = (link_key){ (uint32_t)L->to, (uint32_t)L->from, (uint32_t)(2 * r + 1),
                                     L->mode };
    }
    if (nk)
        qsort(keys, nk, sizeof *keys, cmp_link_key);
    for (size_t i = 1, first = 0; i < nk; i++) {
        if (keys[i].from == keys[first].from && keys[i].to == keys[first].to
            && keys[i].mode == keys[first].mode)
            rows[keys[i].seq / 2].dup_line[keys[i].seq % 2] = t->line[keys[first].seq / 2];
        else
            first = i;
    }
    free(keys);
    return MIG_OK;
}

/* What value cell col of a link row should have held, when it does not; else NULL. */
static const char *value_expected(const link_row *L, int col)
{
    switch (col) {
    case L_KM:
        return L->km_ok ? NULL : "expected a positive number";
    case L_MODE:
        return L->mode >= 0 ? NULL : "expected one of foot, boat, bus, rail, air";
    case L_TWO_WAY:
        return L->two_way >= 0 ? NULL : "expected 0 or 1";
    case L_COST:
        return L->cost_ok ? NULL : "expected a non-negative number";
    case L_RISK:
        return L->risk_ok ? NULL : "expected a probability in [0, 1]";
    default:
        return NULL;
    }
}

/* The hint for an unknown place v of the links table: among the places table's names. */
static const char *place_hint(const name_ref *idx, size_t n_idx, const char *v, mig_suggest *s)
{
    mig_suggest_init(s, v);
    for (size_t i = 0; i < n_idx; i++)
        mig_suggest_add(s, idx[i].name);
    return mig_suggest_hint(s);
}

static void report_link_row(check *c, size_t r, const link_row *L, const name_ref *idx, size_t n_idx)
{
    int places_known = idx != NULL;
    mig_suggest sg;
    const mig_csv *t = c->t;
    const char *want;
    char q[MIG_CSV_QUOTE_MAX], q2[MIG_CSV_QUOTE_MAX], pair[2 * MIG_CSV_QUOTE_CUT + 8];
    const char *from = cell(c, r, L_FROM);

    for (size_t j = 0; j < t->n_cols; j++) {
        const char *v = t->cells[r][j];
        int jj = (int)j;

        switch (known(c, j)) {
        case L_FROM:
            if (places_known && L->from < 0)
                cell_error(c, r, jj, "unknown place %s (%s)", mig_csv_quote(q, v), place_hint(idx, n_idx, v, &sg));
            break;
        case L_TO:
            if (places_known && L->to < 0) {
                cell_error(c, r, jj, "unknown place %s (%s)", mig_csv_quote(q, v), place_hint(idx, n_idx, v, &sg));
            } else if (from && strcmp(from, v) == 0) {
                cell_error(c, r, jj, "link from %s to itself", mig_csv_quote(q, v));
            } else {
                for (int d = 0; d < 2; d++) {
                    if (!L->dup_line[d])
                        continue;
                    snprintf(pair, sizeof pair, "%s->%s", d ? v : from, d ? from : v);
                    cell_error(c, r, jj, "duplicate link %s (mode %s, first on line %zu)",
                               mig_csv_quote(q2, pair), mig_mode_names[L->mode], L->dup_line[d]);
                }
            }
            break;
        default:
            if ((want = value_expected(L, known(c, j))))
                cell_error(c, r, jj, "%s, got %s", want, mig_csv_quote(q, v));
            break;
        }
    }
}

/* Directed links in CSV order (a two_way row gives from->to then to->from) and the CSR. */
static mig_status build_links(mig_network *net, const link_row *rows, size_t n)
{
    size_t nl = 0, k = 0;

    for (size_t r = 0; r < n; r++)
        nl += 1 + (size_t)(rows[r].two_way == 1);
    if (nl >= UINT32_MAX)
        return MIG_EDATA;
    net->n_links = (uint32_t)nl;
    net->link_name = calloc(nl ? nl : 1, sizeof *net->link_name);
    net->link_from = malloc((nl ? nl : 1) * sizeof *net->link_from);
    net->link_to = malloc((nl ? nl : 1) * sizeof *net->link_to);
    net->link_km = malloc((nl ? nl : 1) * sizeof *net->link_km);
    net->link_mode = malloc((nl ? nl : 1) * sizeof *net->link_mode);
    net->link_cost = malloc((nl ? nl : 1) * sizeof *net->link_cost);
    net->link_risk = malloc((nl ? nl : 1) * sizeof *net->link_risk);
    net->out_start = calloc((size_t)net->n_places + 1, sizeof *net->out_start);
    net->out_link = malloc((nl ? nl : 1) * sizeof *net->out_link);
    if (!net->link_name || !net->link_from || !net->link_to || !net->link_km || !net->link_mode
        || !net->link_cost || !net->link_risk || !net->out_start || !net->out_link)
        return MIG_ENOMEM;

    for (size_t r = 0; r < n; r++) {
        int n_dir = rows[r].two_way == 1 ? 2 : 1;
        for (int d = 0; d < n_dir; d++, k++) {
            uint32_t a = (uint32_t)(d ? rows[r].to : rows[r].from);
            uint32_t b = (uint32_t)(d ? rows[r].from : rows[r].to);
            size_t len = strlen(net->place_name[a]) + 2 + strlen(net->place_name[b]) + 1;

            net->link_from[k] = a;
            net->link_to[k] = b;
            net->link_km[k] = rows[r].km;
            net->link_mode[k] = (uint8_t)rows[r].mode;
            net->link_cost[k] = rows[r].cost;
            net->link_risk[k] = rows[r].risk;
            if (!(net->link_name[k] = malloc(len)))
                return MIG_ENOMEM;
            snprintf(net->link_name[k], len, "%s->%s", net->place_name[a], net->place_name[b]);
        }
    }

    /* counting sort by from-place: stable, so CSV order is kept within a place */
    for (size_t i = 0; i < nl; i++)
        net->out_start[net->link_from[i] + 1]++;
    for (uint32_t p = 0; p < net->n_places; p++)
        net->out_start[p + 1] += net->out_start[p];
    {
        uint32_t *next = malloc(((size_t)net->n_places + 1) * sizeof *next);
        if (!next)
            return MIG_ENOMEM;
        memcpy(next, net->out_start, ((size_t)net->n_places + 1) * sizeof *next);
        for (size_t i = 0; i < nl; i++)
            net->out_link[next[net->link_from[i]]++] = (uint32_t)i;
        free(next);
    }
    return MIG_OK;
}

/* ---- load --------------------------------------------------------------------------- */

/* The status to return: out of memory first, then a missing file, then any other failure. */
static mig_status worse(mig_status a, mig_status b)
{
    if (a == MIG_ENOMEM || b == MIG_ENOMEM)
        return MIG_ENOMEM;
    if (a == MIG_ENOINPUT || b == MIG_ENOINPUT)
        return MIG_ENOINPUT;
    return a != MIG_OK ? a : b;
}

mig_status mig_network_load(const char *places_csv, const char *links_csv, mig_ctx *ctx,
                            mig_network **out)
{
    mig_network *net;
    mig_csv *pt = NULL, *lt = NULL;
    name_ref *idx = NULL;
    size_t n_idx = 0, n_err = 0;
    link_row *rows = NULL;
    mig_status s, sl;
    int places_known = 0;   /* link ends can be looked up: places.csv read, with names */
    check c;

    *out = NULL;
    net = calloc(1, sizeof *net);
    if (!net)
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", places_csv);

    s = mig_csv_read(places_csv, ctx, &pt);
    if (s == MIG_OK) {
        memset(&c, 0, sizeof c);
        c.t = pt;
        c.ctx = ctx;
        s = check_places(net, &c, &idx, &n_idx);
        n_err += c.n_err;
        places_known = c.col_of[P_NAME] >= 0 && pt->n_rows > 0;
    }
    if (s == MIG_ENOMEM)
        goto fail;

    /* links are checked even when places failed, minus the place-name lookups */
    sl = mig_csv_read(links_csv, ctx, &lt);
    if (sl == MIG_OK) {
        memset(&c, 0, sizeof c);
        c.t = lt;
        c.ctx = ctx;
        map_columns(&c, link_cols, L_NCOL, L_NREQUIRED);
        rows = calloc(lt->n_rows ? lt->n_rows : 1, sizeof *rows);
        if (!rows) {
            sl = MIG_ENOMEM;
        } else {
            for (size_t r = 0; r < lt->n_rows; r++)
                parse_link_row(&c, r, places_known ? idx : NULL, n_idx, &rows[r]);
            sl = find_repeats(lt, rows, lt->n_rows);
            for (size_t r = 0; sl == MIG_OK && r < lt->n_rows; r++)
                report_link_row(&c, r, &rows[r], places_known ? idx : NULL, n_idx);
        }
        n_err += c.n_err;
    }
    s = worse(s, sl);
    if (s == MIG_OK && n_err == 0)
        s = build_links(net, rows, lt->n_rows);
    else if (s == MIG_OK)
        s = MIG_EDATA;

fail:
    if (s == MIG_ENOMEM)
        mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory while loading the network", places_csv);
    free(rows);
    free(idx);
    mig_csv_destroy(&pt);
    mig_csv_destroy(&lt);
    if (s != MIG_OK) {
        mig_network_destroy(&net);
        return s;
    }
    *out = net;
    return MIG_OK;
}

void mig_network_destroy(mig_network **p)
{
    mig_network *net;
    if (!MIG_TAKE(net, p))
        return;
    mig_free_strings(net->place_name, net->n_places);
    mig_free_strings(net->place_country, net->n_places);
    mig_free_strings(net->link_name, net->n_links);
    MIG_FREE_ALL(net->place_kind, net->place_lat, net->place_lon, net->place_capacity, net->place_attract,
                 net->link_from, net->link_to, net->link_km, net->link_mode, net->link_cost, net->link_risk,
                 net->out_start, net->out_link, net);
}

/* ---- queries -------------------------------------------------------------------------- */

/* A linear scan: the struct has no room for an index, and networks hold at most a few
 * thousand places, looked up by name only while a scenario is being resolved. */
int64_t mig_network_place(const mig_network *net, const char *name)
{
    if (!net || !name)
        return -1;
    for (uint32_t i = 0; i < net->n_places; i++)
        if (strcmp(net->place_name[i], name) == 0)
            return i;
    return -1;
}

const char *mig_network_place_hint(const mig_network *net, const char *name, mig_suggest *s)
{
    mig_suggest_init(s, name);
    for (uint32_t i = 0; i < net->n_places; i++)
        mig_suggest_add(s, net->place_name[i]);
    return mig_suggest_hint(s);
}

const char *mig_network_link_hint(const mig_network *net, const char *name, mig_suggest *s)
{
    char text[sizeof s->best];
    mig_suggest_init(s, name);
    for (uint32_t l = 0; l < net->n_links; l++) {
        snprintf(text, sizeof text, "%s -> %s", net->place_name[net->link_from[l]], net->place_name[net->link_to[l]]);
        mig_suggest_add(s, text);
    }
    return mig_suggest_hint(s);
}

/* Breadth-first search from p. Returns 1 or 0; -1 when p is not a place or the work
 * arrays cannot be allocated (the prototype has no status to report it through). */
int64_t mig_network_link(const mig_network *net, uint32_t from, uint32_t to)
{
    for (uint32_t s = net->out_start[from]; s < net->out_start[from + 1]; s++)
        if (net->link_to[net->out_link[s]] == to)
            return net->out_link[s];
    return -1;
}

int mig_network_reaches_destination(const mig_network *net, uint32_t p)
{
    uint32_t *queue, head = 0, tail = 0;
    uint8_t *seen;
    int found = 0;

    if (!net || p >= net->n_places)
        return -1;
    queue = malloc((size_t)net->n_places * sizeof *queue);
    seen = calloc(net->n_places, 1);
    if (!queue || !seen) {
        free(queue);
        free(seen);
        return -1;
    }
    seen[p] = 1;
    queue[tail++] = p;
    while (head < tail && !found) {
        uint32_t u = queue[head++];
        if (net->place_kind[u] == MIG_KIND_DESTINATION || net->place_kind[u] == MIG_KIND_CAMP) {
            found = 1;
            break;
        }
        for (uint32_t e = net->out_start[u]; e < net->out_start[u + 1]; e++) {
            uint32_t v = net->link_to[net->out_link[e]];
            if (!seen[v]) {
                seen[v] = 1;
                queue[tail++] = v;
            }
        }
    }
    free(queue);
    free(seen);
    return found;
}
