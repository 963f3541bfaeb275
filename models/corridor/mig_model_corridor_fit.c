/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_model_corridor_fit.c: the corridor model against the record: the observed CBP/OHSS
 * monthly series mapped onto a scenario, an in-process run summed by month, and the fit
 * measures that `migsim calibrate` minimises and scripts/corridor_compare.py reports. */
#include "mig_model_corridor.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_csv.h"
#include "mig_date.h"
#include "mig_driver.h"
#include "mig_obs.h"
#include "mig_util.h"
#include "mig_world.h"

#define TOTALS_CSV "cbp_swb_encounters_monthly_fy2021_fy2023.csv"
#define CITIZENSHIP_CSV "cbp_swb_encounters_monthly_by_citizenship_fy2021_fy2023.csv"
#define SECTOR_CSV "usbp_swb_encounters_monthly_by_sector_fy2021_fy2023.csv"
#define USBP_CITIZENSHIP_CSV "usbp_swb_encounters_monthly_by_citizenship_ohss_fy2021_fy2023.csv"

void mig_corridor_obs_destroy(mig_corridor_obs **p)
{
    mig_corridor_obs *o;
    if (!MIG_TAKE(o, p))
        return;
    mig_free_strings(o->sector_name, o->n_sectors);
    mig_free_strings(o->nat_name, o->n_nat);
    MIG_FREE_ALL(o->total, o->ofo, o->by_nat, o->by_sector, o->usbp_by_nat, o->sector_place, o->is_port, o->is_dest,
                 o);
}

/* Opens dir/name; the month column's index in *mcol. */
static mig_status open_table(const char *dir, const char *name, mig_ctx *ctx, mig_csv **t, int *mcol)
{
    char path[4096];
    mig_status st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if ((st = mig_csv_read(path, ctx, t)) != MIG_OK)
        return st;
    if ((*mcol = mig_csv_col(*t, "calendar_month")) < 0) {
        mig_csv_destroy(t);
        return mig_ctx_error(ctx, MIG_EDATA, "%s:1: missing required column \"calendar_month\"", path);
    }
    return MIG_OK;
}

/* The window index of a row's month, or -1 (outside, or a total row with no month). */
static int64_t row_month(const mig_csv *t, size_t r, int mcol, int32_t first, uint32_t n)
{
    int32_t m;
    if (mig_date_parse_month(t->cells[r][mcol], &m))
        return -1;
    m -= first;
    return m >= 0 && (uint32_t)m < n ? m : -1;
}

static int number(const char *v, double *out)
{
    char *end;
    if (!*v)
        return -1;
    *out = strtod(v, &end);
    return *end || !isfinite(*out) ? -1 : 0;
}

/* Reports the first month of the window [first, first + n) that no row of t gave. */
static mig_status check_months(const mig_csv *t, const uint8_t *have, int32_t first, uint32_t n, mig_ctx *ctx)
{
    for (uint32_t m = 0; m < n; m++)
        if (!have[m]) {
            int y = (int)((first + (int32_t)m) / 12), mo = (int)((first + (int32_t)m) % 12) + 1;
            return mig_ctx_error(ctx, MIG_EDATA, "%s: no row for %04d-%02d (needed by the fit window)", t->path, y, mo);
        }
    return MIG_OK;
}

/* Fills dst[m * width + col_map[j]] from every column j with col_map[j] >= 0; reports a
 * month of the window that no row gives. */
static mig_status fill(const mig_csv *t, int mcol, const int *col_map, uint32_t width, int32_t first, uint32_t n,
                       double *dst, mig_ctx *ctx)
{
    uint8_t *have = calloc(n ? n : 1, 1);
    mig_status st = MIG_OK;
    if (!have)
        return MIG_ENOMEM;
    for (size_t r = 0; r < t->n_rows; r++) {
        int64_t m = row_month(t, r, mcol, first, n);
        if (m < 0)
            continue;
        have[m] = 1;
        for (size_t j = 0; j < t->n_cols; j++) {
            double x;
            if (col_map[j] < 0)
                continue;
            if (number(t->cells[r][j], &x)) {
                st = mig_ctx_error(ctx, MIG_EDATA, "%s:%zu:%zu: %s: expected a number, got \"%s\"", t->path,
                                   t->line[r], j + 1, t->header[j], t->cells[r][j]);
                continue;
            }
            dst[(size_t)m * width + (uint32_t)col_map[j]] += x;
        }
    }
    if (st == MIG_OK)
        st = check_months(t, have, first, n, ctx);
    free(have);
    return st;
}

/* usbp_by_nat from the OHSS long table (calendar_month, citizenship, count columns). */
static mig_status load_usbp_by_nat(const char *dir, const mig_config *cfg, mig_corridor_obs *o, mig_ctx *ctx)
{
    mig_csv *t = NULL;
    int mcol, ccol, vcol;
    uint8_t *have = NULL;
    mig_status st;

    if ((st = open_table(dir, USBP_CITIZENSHIP_CSV, ctx, &t, &mcol)) != MIG_OK)
        return st;
    ccol = mig_csv_col(t, "citizenship");
    vcol = mig_csv_col(t, "usbp_swb_encounters_rounded10");
    if (ccol < 0 || vcol < 0) {
        st = mig_ctx_error(ctx, MIG_EDATA, "%s:1: missing required column \"%s\"", t->path,
                           ccol < 0 ? "citizenship" : "usbp_swb_encounters_rounded10");
        goto out;
    }
    o->usbp_by_nat = calloc((size_t)o->n_months * o->n_nat, sizeof *o->usbp_by_nat);
    have = calloc(o->n_months ? o->n_months : 1, 1);
    if (!o->usbp_by_nat || !have) {
        st = MIG_ENOMEM;
        goto out;
    }
    for (size_t r = 0; r < t->n_rows && st == MIG_OK; r++) {
        int64_t m = row_month(t, r, mcol, o->first_month, o->n_months);
        char name[128];
        size_t n = 0;
        double x;
        int k;
        if (m < 0)
            continue;
        for (const char *c = t->cells[r][ccol]; *c && *c != ',' && n + 1 < sizeof name; c++)
            name[n++] = (char)toupper((unsigned char)*c);
        name[n] = '\0';
        if ((k = mig_config_nationality(cfg, name)) < 0)
            k = o->other;
        if (number(t->cells[r][vcol], &x)) {
            st = mig_ctx_error(ctx, MIG_EDATA, "%s:%zu:%d: %s: expected a number, got \"%s\"", t->path, t->line[r],
                               vcol + 1, t->header[vcol], t->cells[r][vcol]);
            break;
        }
        if (k < 0) {
            st = mig_ctx_error(ctx, MIG_EDATA, "%s:%zu:%d: citizenship \"%s\" is not a nationality of the scenario, "
                               "which has no OTHER to count it in", t->path, t->line[r], ccol + 1, t->cells[r][ccol]);
            break;
        }
        o->usbp_by_nat[(size_t)m * o->n_nat + (uint32_t)k] += x;
        have[m] = 1;
    }
    if (st == MIG_OK)
        st = check_months(t, have, o->first_month, o->n_months, ctx);
out:
    free(have);
    mig_csv_destroy(&t);
    return st;
}

/* Rows of x[n][k] projected onto the probability simplex (sort-based). */
static void project_rows(double *x, uint32_t n, uint32_t k, double *u)
{
    for (uint32_t i = 0; i < n; i++) {
        double *r = x + (size_t)i * k, css = 0.0, theta = 0.0;
        memcpy(u, r, k * sizeof *u);
        for (uint32_t a = 1; a < k; a++) /* descending insertion sort: k is small */
            for (uint32_t b = a; b > 0 && u[b] > u[b - 1]; b--) {
                double t = u[b];
                u[b] = u[b - 1];
                u[b - 1] = t;
            }
        for (uint32_t j = 0; j < k; j++) {
            css += u[j];
            if (u[j] - (css - 1.0) / (j + 1) > 0)
                theta = (css - 1.0) / (j + 1);
        }
        for (uint32_t j = 0; j < k; j++)
            r[j] = r[j] > theta ? r[j] - theta : 0.0;
    }
}

/* mig_corridor_nnls: every subset of the unknowns is solved by its normal equations
 * (Gaussian elimination with partial pivoting) and the best one with all values > 0 kept. */
void mig_corridor_nnls(int n, int nf, const double (*a)[MIG_NNLS_MAX_M], const double *b, double *theta)
{
    double best = HUGE_VAL;
    for (int j = 0; j < n; j++)
        theta[j] = 1.0;
    for (unsigned mask = 1; mask < (1u << n); mask++) {
        int idx[MIG_NNLS_MAX_N], m = 0, ok = 1;
        double M[MIG_NNLS_MAX_N][MIG_NNLS_MAX_N + 1], t[MIG_NNLS_MAX_N] = { 0 }, r = 0.0;
        for (int j = 0; j < n; j++)
            if (mask & (1u << j))
                idx[m++] = j;
        for (int u = 0; u < m; u++) {
            for (int v = 0; v < m; v++) {
                M[u][v] = 0.0;
                for (int f = 0; f < nf; f++)
                    M[u][v] += a[idx[u]][f] * a[idx[v]][f];
            }
            M[u][m] = 0.0;
            for (int f = 0; f < nf; f++)
                M[u][m] += a[idx[u]][f] * b[f];
        }
        for (int u = 0; u < m && ok; u++) { /* Gaussian elimination with partial pivoting */
            int piv = u;
            for (int v = u + 1; v < m; v++)
                if (fabs(M[v][u]) > fabs(M[piv][u]))
                    piv = v;
            if (!(fabs(M[piv][u]) > 1e-12)) {
                ok = 0;
                break;
            }
            for (int v = 0; v <= m; v++) {
                double x = M[u][v];
                M[u][v] = M[piv][v];
                M[piv][v] = x;
            }
            for (int v = u + 1; v < m; v++) {
                double g = M[v][u] / M[u][u];
                for (int q = u; q <= m; q++)
                    M[v][q] -= g * M[u][q];
            }
        }
        for (int u = m - 1; u >= 0 && ok; u--) {
            double x = M[u][m];
            for (int v = u + 1; v < m; v++)
                x -= M[u][v] * t[v];
            t[u] = x / M[u][u];
            if (!(t[u] > 0))
                ok = 0;
        }
        if (!ok)
            continue;
        for (int f = 0; f < nf; f++) {
            double y = -b[f];
            for (int u = 0; u < m; u++)
                y += t[u] * a[idx[u]][f];
            r += y * y;
        }
        if (r < best) {
            best = r;
            for (int j = 0; j < n; j++)
                theta[j] = 0.0;
            for (int u = 0; u < m; u++)
                theta[idx[u]] = t[u];
        }
    }
    if (best == HUGE_VAL)
        for (int j = 0; j < n; j++)
            theta[j] = 1.0;
}

/* The sums over months behind mig_corridor_sector_mix (all zeroed by the caller):
 * A = sum c c', B = sum c s', p0 = sum s, wt = sum c, *norm = sum |s|^2, *total = sum of s,
 * with c a month's USBP encounters by nationality and s its encounters by sector. */
static void sector_sums(const mig_corridor_obs *obs, double *A, double *B, double *p0, double *wt, double *norm,
                        double *total)
{
    const uint32_t nn = obs->n_nat, ns = obs->n_sectors;
    for (uint32_t m = 0; m < obs->n_months; m++) {
        const double *c = obs->usbp_by_nat + (size_t)m * nn, *sv = obs->by_sector + (size_t)m * ns;
        for (uint32_t a = 0; a < nn; a++) {
            wt[a] += c[a];
            for (uint32_t b = 0; b < nn; b++)
                A[(size_t)a * nn + b] += c[a] * c[b];
            for (uint32_t j = 0; j < ns; j++)
                B[(size_t)a * ns + j] += c[a] * sv[j];
        }
        for (uint32_t j = 0; j < ns; j++) {
            p0[j] += sv[j];
            *norm += sv[j] * sv[j];
            *total += sv[j];
        }
    }
}

mig_status mig_corridor_sector_mix(const mig_corridor_obs *obs, double prior, double *share, double *residual)
{
    const uint32_t nn = obs->n_nat, ns = obs->n_sectors, nm = obs->n_months;
    double *A = calloc((size_t)nn * nn, sizeof *A), *B = calloc((size_t)nn * ns, sizeof *B);
    double *p0 = calloc(ns ? ns : 1, sizeof *p0), *wt = calloc(nn ? nn : 1, sizeof *wt);
    double *y = malloc((size_t)nn * ns * sizeof *y), *prev = malloc((size_t)nn * ns * sizeof *prev);
    double *g = malloc((size_t)nn * ns * sizeof *g), *u = malloc((ns ? ns : 1) * sizeof *u);
    double norm = 0.0, total = 0.0, trace = 0.0, lip, t = 1.0, res = 0.0, sum = 0.0;
    mig_status st = MIG_ENOMEM;

    if (!A || !B || !p0 || !wt || !y || !prev || !g || !u || !obs->usbp_by_nat)
        goto out;
    sector_sums(obs, A, B, p0, wt, &norm, &total);
    st = MIG_EDATA;
    if (!(norm > 0) || !(total > 0))
        goto out;
    for (uint32_t j = 0; j < ns; j++)
        p0[j] /= total;
    for (uint32_t a = 0; a < nn; a++) {
        wt[a] /= total;
        trace += A[(size_t)a * nn + a];
    }
    lip = 2.0 * trace / norm + 2.0 * prior; /* trace >= the largest eigenvalue; wt <= 1 */
    for (uint32_t a = 0; a < nn; a++)
        memcpy(share + (size_t)a * ns, p0, ns * sizeof *p0);
    memcpy(y, share, (size_t)nn * ns * sizeof *y);
    for (int it = 0; it < 20000; it++) {
        double tn;
        for (uint32_t a = 0; a < nn; a++)
            for (uint32_t j = 0; j < ns; j++) {
                double ap = 0.0;
                for (uint32_t b = 0; b < nn; b++)
                    ap += A[(size_t)a * nn + b] * y[(size_t)b * ns + j];
                g[(size_t)a * ns + j] = 2.0 * (ap - B[(size_t)a * ns + j]) / norm +
                                        2.0 * prior * wt[a] * (y[(size_t)a * ns + j] - p0[j]);
            }
        memcpy(prev, share, (size_t)nn * ns * sizeof *prev);
        for (size_t i = 0; i < (size_t)nn * ns; i++)
            share[i] = y[i] - g[i] / lip;
        project_rows(share, nn, ns, u);
        tn = 0.5 * (1.0 + sqrt(1.0 + 4.0 * t * t));
        for (size_t i = 0; i < (size_t)nn * ns; i++)
            y[i] = share[i] + (t - 1.0) / tn * (share[i] - prev[i]);
        t = tn;
    }
    for (uint32_t m = 0; m < nm; m++)
        for (uint32_t j = 0; j < ns; j++) {
            double fit = 0.0;
            for (uint32_t a = 0; a < nn; a++)
                fit += obs->usbp_by_nat[(size_t)m * nn + a] * share[(size_t)a * ns + j];
            res += fabs(obs->by_sector[(size_t)m * ns + j] - fit);
            sum += obs->by_sector[(size_t)m * ns + j];
        }
    if (residual)
        *residual = res / sum;
    st = MIG_OK;
out:
    free(A);
    free(B);
    free(p0);
    free(wt);
    free(y);
    free(prev);
    free(g);
    free(u);
    return st;
}

/* Reads an opened table of the record into o; map has a slot for each column. */
typedef mig_status (*table_reader)(const mig_csv *t, int mcol, int *map, const void *arg, mig_corridor_obs *o,
                                   mig_ctx *ctx);

/* Opens dir/name as open_table does, hands it to read with a column map, and closes it. */
static mig_status load_table(const char *dir, const char *name, table_reader read, const void *arg,
                             mig_corridor_obs *o, mig_ctx *ctx)
{
    mig_csv *t = NULL;
    int mcol, *map = NULL;
    mig_status st = open_table(dir, name, ctx, &t, &mcol);
    if (st == MIG_OK)
        st = (map = malloc(t->n_cols * sizeof *map)) ? read(t, mcol, map, arg, o, ctx) : MIG_ENOMEM;
    free(map);
    mig_csv_destroy(&t);
    return st;
}

/* total and ofo from the totals table. */
static mig_status read_totals(const mig_csv *t, int mcol, int *map, const void *arg, mig_corridor_obs *o,
                              mig_ctx *ctx)
{
    static const char *const cols[2] = { "swb_total_encounters_usbp_plus_ofo", "ofo_encounters_swb" };
    double *dst[2] = { o->total, o->ofo };
    mig_status st = MIG_OK;
    (void)arg;
    for (int i = 0; i < 2 && st == MIG_OK; i++) {
        for (size_t j = 0; j < t->n_cols; j++)
            map[j] = strcmp(t->header[j], cols[i]) == 0 ? 0 : -1;
        st = fill(t, mcol, map, 1, o->first_month, o->n_months, dst[i], ctx);
    }
    return st;
}

/* by_nat from the citizenship table (arg: the scenario): a column the scenario lacks counts
 * as OTHER. */
static mig_status read_by_nat(const mig_csv *t, int mcol, int *map, const void *arg, mig_corridor_obs *o,
                              mig_ctx *ctx)
{
    const mig_config *cfg = arg;
    for (size_t j = 0; j < t->n_cols; j++) {
        const char *h = t->header[j];
        int k;
        if (!strcmp(h, "fiscal_year") || !strcmp(h, "month_abbv") || !strcmp(h, "calendar_month") ||
            !strcmp(h, "TOTAL")) {
            map[j] = -1;
            continue;
        }
        k = mig_config_nationality(cfg, h);
        if (k < 0 && o->other < 0)
            return mig_ctx_error(ctx, MIG_EDATA, "%s:1:%zu: citizenship \"%s\" is not a nationality of the "
                                 "scenario, which has no OTHER to count it in", t->path, j + 1, h);
        map[j] = k >= 0 ? k : o->other;
    }
    return fill(t, mcol, map, o->n_nat, o->first_month, o->n_months, o->by_nat, ctx);
}

/* Maps the sector table's columns, named as the sector places, to sectors of o. */
static mig_status map_sectors(const mig_csv *t, const mig_network *net, int *map, mig_corridor_obs *o, mig_ctx *ctx)
{
    if (!(o->sector_place = calloc(t->n_cols, sizeof *o->sector_place)) ||
        !(o->sector_name = calloc(t->n_cols, sizeof *o->sector_name)))
        return MIG_ENOMEM;
    for (size_t j = 0; j < t->n_cols; j++) {
        const char *h = t->header[j];
        int64_t p;
        map[j] = -1;
        if (!strcmp(h, "fiscal_year") || !strcmp(h, "month") || !strcmp(h, "calendar_month") ||
            !strncmp(h, "SWB_", 4))
            continue;
        p = mig_network_place(net, h);
        if (p < 0 || net->place_kind[p] != MIG_KIND_DESTINATION || o->is_port[p])
            return mig_ctx_error(ctx, MIG_EDATA, "%s:1:%zu: sector \"%s\" is not a destination place (other than a "
                                 "port of entry) of the network", t->path, j + 1, h);
        o->sector_place[o->n_sectors] = (uint32_t)p;
        if (!(o->sector_name[o->n_sectors] = malloc(strlen(h) + 1)))
            return MIG_ENOMEM;
        strcpy(o->sector_name[o->n_sectors], h);
        map[j] = (int)o->n_sectors++;
    }
    return MIG_OK;
}

/* by_sector from the Border Patrol sector table (arg: the network). */
static mig_status read_by_sector(const mig_csv *t, int mcol, int *map, const void *arg, mig_corridor_obs *o,
                                 mig_ctx *ctx)
{
    mig_status st = map_sectors(t, arg, map, o, ctx);
    if (st != MIG_OK)
        return st;
    o->by_sector = calloc((size_t)o->n_months * (o->n_sectors ? o->n_sectors : 1), sizeof *o->by_sector);
    return o->by_sector ? fill(t, mcol, map, o->n_sectors, o->first_month, o->n_months, o->by_sector, ctx)
                        : MIG_ENOMEM;
}

mig_status mig_corridor_obs_load(const char *dir, const mig_config *cfg, const mig_network *net,
                                 int32_t first_month, int32_t last_month, mig_ctx *ctx, mig_corridor_obs **out)
{
    mig_corridor_obs *o = calloc(1, sizeof *o);
    mig_status st = MIG_ENOMEM;
    const mig_corridor_ports_cfg *ports;

    *out = NULL;
    if (!o)
        return MIG_ENOMEM;
    if (last_month < first_month) {
        free(o);
        return mig_ctx_error(ctx, MIG_EUSAGE, "the fit window ends before it starts");
    }
    o->first_month = first_month;
    o->n_months = (uint32_t)(last_month - first_month + 1);
    o->n_nat = cfg->n_nationalities;
    o->n_places = net->n_places;
    o->other = mig_config_nationality(cfg, "OTHER");
    o->total = calloc(o->n_months, sizeof *o->total);
    o->ofo = calloc(o->n_months, sizeof *o->ofo);
    o->by_nat = calloc((size_t)o->n_months * o->n_nat, sizeof *o->by_nat);
    o->is_port = calloc(net->n_places, 1);
    o->is_dest = calloc(net->n_places, 1);
    o->nat_name = calloc(o->n_nat ? o->n_nat : 1, sizeof *o->nat_name);
    if (!o->total || !o->ofo || !o->by_nat || !o->is_port || !o->is_dest || !o->nat_name)
        goto fail;
    for (uint32_t k = 0; k < o->n_nat; k++)
        if (!(o->nat_name[k] = strdup(cfg->nationalities[k])))
            goto fail;
    for (uint32_t p = 0; p < net->n_places; p++)
        o->is_dest[p] = net->place_kind[p] == MIG_KIND_DESTINATION;
    if (mig_corridor_config(cfg) && (ports = mig_corridor_config(cfg)->ports))
        for (uint32_t i = 0; i < ports->n_places; i++) {
            int64_t p = mig_network_place(net, ports->places[i]);
            if (p >= 0)
                o->is_port[p] = 1;
        }

    if ((st = load_table(dir, TOTALS_CSV, read_totals, NULL, o, ctx)) != MIG_OK ||
        (st = load_table(dir, CITIZENSHIP_CSV, read_by_nat, cfg, o, ctx)) != MIG_OK ||
        (st = load_table(dir, SECTOR_CSV, read_by_sector, net, o, ctx)) != MIG_OK ||
        (st = load_usbp_by_nat(dir, cfg, o, ctx)) != MIG_OK)  /* long table: one row per month and citizenship */
        goto fail;
    *out = o;
    return MIG_OK;
fail:
    mig_corridor_obs_destroy(&o);
    return st;
}

void mig_corridor_sim_free(mig_corridor_sim *sim)
{
    MIG_FREE_ALL(sim->total, sim->ofo, sim->by_nat, sim->by_sector, sim->nat_sector);
    memset(sim, 0, sizeof *sim);
}

/* Adds one day's encounters (agents, by place and nationality) into month m of sim. */
static void add_day(const mig_corridor_obs *obs, const int64_t *enc, const int32_t *sector_of, uint32_t m,
                    mig_corridor_sim *sim)
{
    for (uint32_t p = 0; p < obs->n_places; p++) {
        if (!obs->is_dest[p])
            continue;
        for (uint32_t k = 0; k < obs->n_nat; k++) {
            double e = (double)enc[(size_t)p * obs->n_nat + k];
            sim->total[m] += e;
            if (obs->is_port[p])
                sim->ofo[m] += e;
            sim->by_nat[(size_t)m * obs->n_nat + k] += e;
            if (sector_of[p] >= 0) {
                sim->by_sector[(size_t)m * obs->n_sectors + (uint32_t)sector_of[p]] += e;
                sim->nat_sector[(size_t)k * obs->n_sectors + (uint32_t)sector_of[p]] += e;
            }
        }
    }
}

/* Agents to persons: every sum of sim divided by the scenario's corridor.scale. */
static void divide_by_scale(const mig_corridor_obs *obs, double scale, mig_corridor_sim *sim)
{
    for (uint32_t m = 0; m < obs->n_months; m++) {
        sim->total[m] /= scale;
        sim->ofo[m] /= scale;
        for (uint32_t k = 0; k < obs->n_nat; k++)
            sim->by_nat[(size_t)m * obs->n_nat + k] /= scale;
        for (uint32_t s = 0; s < obs->n_sectors; s++)
            sim->by_sector[(size_t)m * obs->n_sectors + s] /= scale;
    }
    for (size_t i = 0; i < (size_t)obs->n_nat * obs->n_sectors; i++)
        sim->nat_sector[i] /= scale;
}

mig_status mig_corridor_simulate(const char *path, const char *const *over, size_t n_over,
                                 const mig_corridor_obs *obs, mig_ctx *ctx, mig_corridor_sim *sim)
{
    const mig_driver_opts dopts = { .output = NULL }; /* in process: no output, no reports */
    mig_config *cfg = NULL;
    mig_driver *d = NULL;
    mig_world *w;
    mig_status st;
    int v;
    int32_t *sector_of = NULL;

    memset(sim, 0, sizeof *sim);
    if ((st = mig_config_load(path, over, n_over, ctx, &cfg)) != MIG_OK)
        return st;
    if (!mig_corridor_config(cfg)) {
        st = mig_ctx_error(ctx, MIG_ECONFIG, "%s: the fit needs a scenario of model corridor", path);
        goto done;
    }
    if ((st = mig_driver_open(cfg, &dopts, ctx, &d)) != MIG_OK)
        goto done;
    w = d->world;
    if (w->net->n_places != obs->n_places || w->n_nat != obs->n_nat) {
        st = mig_ctx_error(ctx, MIG_EINTERNAL, "%s: the network or nationalities changed between runs", path);
        goto done;
    }
    v = mig_obs_find(w->obs, "encounters");
    sim->total = calloc(obs->n_months, sizeof *sim->total);
    sim->ofo = calloc(obs->n_months, sizeof *sim->ofo);
    sim->by_nat = calloc((size_t)obs->n_months * obs->n_nat, sizeof *sim->by_nat);
    sim->by_sector = calloc((size_t)obs->n_months * (obs->n_sectors ? obs->n_sectors : 1), sizeof *sim->by_sector);
    sim->nat_sector = calloc((size_t)obs->n_nat * (obs->n_sectors ? obs->n_sectors : 1), sizeof *sim->nat_sector);
    sector_of = malloc(obs->n_places * sizeof *sector_of);
    if (v < 0 || !sim->total || !sim->ofo || !sim->by_nat || !sim->by_sector || !sim->nat_sector || !sector_of) {
        st = v < 0 ? mig_ctx_error(ctx, MIG_EINTERNAL, "no encounters variable") : MIG_ENOMEM;
        goto done;
    }
    for (uint32_t p = 0; p < obs->n_places; p++)
        sector_of[p] = -1;
    for (uint32_t s = 0; s < obs->n_sectors; s++)
        sector_of[obs->sector_place[s]] = (int32_t)s;
    for (uint32_t day = 0; day < cfg->days; day++) {
        int64_t m = (int64_t)mig_corridor_month_of(cfg->start_day + (int32_t)day) - obs->first_month;
        const int64_t *enc = w->obs->vars[v].day;
        if (m >= (int64_t)obs->n_months)
            break;
        if ((st = mig_driver_step(d, ctx)) != MIG_OK)
            goto done;
        if (m >= 0)
            add_day(obs, enc, sector_of, (uint32_t)m, sim);
    }
    divide_by_scale(obs, mig_corridor_config(cfg)->scale, sim);
    st = MIG_OK;
done:
    free(sector_of);
    if (st != MIG_OK)
        mig_corridor_sim_free(sim);
    mig_driver_close(&d);
    mig_config_destroy(&cfg);
    return st;
}

int mig_corridor_top10(const double *total, uint32_t n, int other, int top[10])
{
    int n_top = 0;
    while (n_top < 10) {
        int best = -1;
        for (uint32_t k = 0; k < n; k++) {
            int taken = (int)k == other;
            for (int r = 0; r < n_top && !taken; r++)
                taken = top[r] == (int)k;
            if (!taken && total[k] > 0 && (best < 0 || total[k] > total[best]))
                best = (int)k;
        }
        if (best < 0)
            break;
        top[n_top++] = best;
    }
    return n_top;
}

/* How far an error lies beyond its target band, in targets (0 inside it). */
static double band_excess(double error, double target)
{
    return error > target ? error / target - 1.0 : 0.0;
}

/* Sums of the fit measures' terms over fiscal years; the figures behind them go to emit
 * (when not NULL) until it fails (st). */
typedef struct fy_terms {
    double cit, cit_out, sec, sec_out;
    uint32_t n_cit, n_sec;
    mig_fit_figure_fn emit;
    void *data;
    mig_status st;
} fy_terms;

/* Hands one figure to a->emit, if any and none has failed. */
static void emit_figure(fy_terms *a, const char *table, const char *label, double observed, double simulated,
                        double error, int share)
{
    mig_fit_figure f = { .table = table, .observed = observed, .simulated = simulated, .error = error,
                         .share = share };
    if (!a->emit || a->st != MIG_OK)
        return;
    snprintf(f.label, sizeof f.label, "%s", label);
    a->st = a->emit(a->data, &f);
}

/* Adds one share error (target band 0.05) to the sector terms. */
static void add_share(fy_terms *a, const char *label, double sim_share, double obs_share)
{
    double d = fabs(sim_share - obs_share);
    a->sec += d;
    a->sec_out += band_excess(d, 0.05);
    a->n_sec++;
    emit_figure(a, "sector", label, obs_share, sim_share, sim_share - obs_share, 1);
}

/* Adds the citizenship and sector terms of the fiscal year of months [m0, m0 + 12).
 * o_nat, s_nat (n_nat) and o_sec, s_sec (n_sectors): scratch. */
static void measure_year(const mig_corridor_obs *obs, const mig_corridor_sim *sim, uint32_t m0, double *o_nat,
                         double *s_nat, double *o_sec, double *s_sec, fy_terms *a)
{
    const uint32_t nn = obs->n_nat, ns = obs->n_sectors;
    const int fy = (int)((obs->first_month + (int32_t)m0) / 12) + 1; /* October of fy - 1 */
    double so = 0.0, ss = 0.0, ot = 0.0, oo = 0.0, st = 0.0, sp = 0.0;
    char label[96];
    int top[10], n_top;

    memset(o_nat, 0, nn * sizeof *o_nat);
    memset(s_nat, 0, nn * sizeof *s_nat);
    memset(o_sec, 0, ns * sizeof *o_sec);
    memset(s_sec, 0, ns * sizeof *s_sec);
    for (uint32_t m = m0; m < m0 + 12; m++) {
        for (uint32_t k = 0; k < nn; k++) {
            o_nat[k] += obs->by_nat[(size_t)m * nn + k];
            s_nat[k] += sim->by_nat[(size_t)m * nn + k];
        }
        for (uint32_t s = 0; s < ns; s++) {
            o_sec[s] += obs->by_sector[(size_t)m * ns + s];
            s_sec[s] += sim->by_sector[(size_t)m * ns + s];
        }
    }
    n_top = mig_corridor_top10(o_nat, nn, obs->other, top);
    for (int r = 0; r < n_top; r++) {
        double e = fabs(s_nat[top[r]] - o_nat[top[r]]) / o_nat[top[r]];
        a->cit += e;
        a->cit_out += band_excess(e, 0.15);
        a->n_cit++;
        if (a->emit)
            snprintf(label, sizeof label, "FY%d %s", fy, obs->nat_name ? obs->nat_name[top[r]] : "?");
        emit_figure(a, "citizenship", label, o_nat[top[r]], s_nat[top[r]],
                    (s_nat[top[r]] - o_nat[top[r]]) / o_nat[top[r]], 0);
    }
    for (uint32_t s = 0; s < ns; s++) {
        so += o_sec[s];
        ss += s_sec[s];
    }
    for (uint32_t s = 0; s < ns && so > 0; s++) {
        if (a->emit)
            snprintf(label, sizeof label, "FY%d %s", fy, obs->sector_name ? obs->sector_name[s] : "?");
        add_share(a, label, ss > 0 ? s_sec[s] / ss : 0.0, o_sec[s] / so);
    }
    /* the ports' (OFO) share of all encounters counts as one more share */
    for (uint32_t m = m0; m < m0 + 12; m++) {
        ot += obs->total[m];
        oo += obs->ofo ? obs->ofo[m] : 0.0;
        st += sim->total[m];
        sp += sim->ofo ? sim->ofo[m] : 0.0;
    }
    if (a->emit)
        snprintf(label, sizeof label, "FY%d ports of entry (of all)", fy);
    if (ot > 0 && obs->ofo)
        add_share(a, label, st > 0 ? sp / st : 0.0, oo / ot);
}

/* The monthly MAPE (months with observations), each month's figure to a->emit. */
static double monthly_mape(const mig_corridor_obs *obs, const mig_corridor_sim *sim, fy_terms *a)
{
    double ape = 0.0;
    uint32_t n_ape = 0;
    char label[16];
    for (uint32_t m = 0; m < obs->n_months; m++)
        if (obs->total[m] > 0) {
            ape += fabs(sim->total[m] - obs->total[m]) / obs->total[m];
            n_ape++;
            if (a->emit)
                snprintf(label, sizeof label, "%04d-%02d", (int)((obs->first_month + (int32_t)m) / 12),
                         (int)((obs->first_month + (int32_t)m) % 12) + 1);
            emit_figure(a, "month", label, obs->total[m], sim->total[m],
                        (sim->total[m] - obs->total[m]) / obs->total[m], 0);
        }
    return n_ape ? ape / n_ape : 0.0;
}

/* The measures, and their figures to a->emit. */
static mig_status measure(const mig_corridor_obs *obs, const mig_corridor_sim *sim, mig_corridor_fit *fit,
                          fy_terms *a)
{
    const uint32_t nn = obs->n_nat, ns = obs->n_sectors;
    double *o_nat = calloc(nn ? nn : 1, sizeof *o_nat), *s_nat = calloc(nn ? nn : 1, sizeof *s_nat);
    double *o_sec = calloc(ns ? ns : 1, sizeof *o_sec), *s_sec = calloc(ns ? ns : 1, sizeof *s_sec);

    memset(fit, 0, sizeof *fit);
    fit->mape = monthly_mape(obs, sim, a);
    /* fiscal years wholly inside the window: October (month index 9) to September */
    for (uint32_t m0 = 0; o_nat && s_nat && o_sec && s_sec && m0 + 12 <= obs->n_months; m0++)
        if ((obs->first_month + (int32_t)m0) % 12 == 9) {
            measure_year(obs, sim, m0, o_nat, s_nat, o_sec, s_sec, a);
            fit->n_fy++;
        }
    fit->citizenship = a->n_cit ? a->cit / a->n_cit : 0.0;
    fit->sector = a->n_sec ? a->sec / a->n_sec : 0.0;
    fit->outside = (a->n_cit ? a->cit_out / a->n_cit : 0.0) + (a->n_sec ? a->sec_out / a->n_sec : 0.0);
    fit->objective = fit->mape / 0.15 + fit->citizenship / 0.15 + fit->sector / 0.05 +
                     MIG_CORRIDOR_OUTSIDE_WEIGHT * fit->outside;
    if (a->st == MIG_OK && (!o_nat || !s_nat || !o_sec || !s_sec))
        a->st = MIG_ENOMEM;
    free(o_nat);
    free(s_nat);
    free(o_sec);
    free(s_sec);
    return a->st;
}

void mig_corridor_measure(const mig_corridor_obs *obs, const mig_corridor_sim *sim, mig_corridor_fit *fit)
{
    fy_terms a = { .st = MIG_OK };
    (void)measure(obs, sim, fit, &a);
}

mig_status mig_corridor_figures(const mig_corridor_obs *obs, const mig_corridor_sim *sim, mig_fit_figure_fn emit,
                                void *data)
{
    mig_corridor_fit fit;
    fy_terms a = { .emit = emit, .data = data, .st = MIG_OK };
    return measure(obs, sim, &fit, &a);
}
