/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_corridor_calibration.c: the corridor model as `migsim calibrate` fits it. The record
 * is the observed monthly encounters (mig_corridor_obs); a run is the scenario simulated in
 * process and summed by month (mig_corridor_simulate), measured by mig_corridor_measure:
 *     MAPE / 0.15 + citizenship error / 0.15 + share error / 0.05 + 4 x band excess.
 * Two matching steps move groups of keys between runs: --levels matches each nationality's
 * level (its hazard base rates; forcing series are observed, not levels) to its observed fiscal-year totals;
 * --sectors moves each nationality's sector factors towards shares estimated from the record. */
#include "mig_corridor_calibration.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_date.h"
#include "mig_model_corridor.h"
#include "mig_world.h"

#define MAX_SOURCES MIG_NNLS_MAX_N
#define MAX_FY MIG_NNLS_MAX_M

/* The record, the window and the last run. */
typedef struct fit_state {
    mig_corridor_obs *obs;
    mig_corridor_sim sim;     /* the last run */
    int32_t win_first, win_last; /* the window's first and last day */
    double scale;             /* agents per person of the runs */
    double *sector_target;    /* [n_nat * n_sectors of obs]: mig_corridor_sector_mix (--sectors) */
} fit_state;

/* ------------------------------------------------------------------ record and runs - */

static mig_status fit_open(const mig_config *cfg0, const mig_world *w0, const char *dir, int32_t first_month,
                           int32_t last_month, double scale, mig_ctx *ctx, void **out)
{
    fit_state *f = calloc(1, sizeof *f);
    mig_status st;
    *out = NULL;
    if (!f)
        return MIG_ENOMEM;
    if ((st = mig_corridor_obs_load(dir, cfg0, w0->net, first_month, last_month, ctx, &f->obs)) != MIG_OK) {
        free(f);
        return st;
    }
    f->win_first = mig_date_from_parts(first_month / 12, first_month % 12 + 1, 1);
    f->win_last = mig_date_from_parts((last_month + 1) / 12, (last_month + 1) % 12 + 1, 1) - 1;
    f->scale = scale;
    *out = f;
    return MIG_OK;
}

static void fit_close(void **p)
{
    fit_state *f = p ? *p : NULL;
    if (!f)
        return;
    mig_corridor_obs_destroy(&f->obs);
    mig_corridor_sim_free(&f->sim);
    free(f->sector_target);
    free(f);
    *p = NULL;
}

static mig_status fit_run(void *state, const char *path, const char *const *over, size_t n_over, mig_ctx *ctx,
                          mig_fit_measures *out)
{
    fit_state *f = state;
    mig_corridor_fit fit;
    mig_status st;
    mig_corridor_sim_free(&f->sim);
    if ((st = mig_corridor_simulate(path, over, n_over, f->obs, ctx, &f->sim)) != MIG_OK)
        return st;
    mig_corridor_measure(f->obs, &f->sim, &fit);
    *out = (mig_fit_measures){ .objective = fit.objective,
                               .n = 4,
                               .key = { "mape", "citizenship_error", "sector_error", "outside" },
                               .value = { fit.mape, fit.citizenship, fit.sector, fit.outside } };
    return MIG_OK;
}

static mig_status fit_figures(void *state, mig_fit_figure_fn emit, void *data)
{
    const fit_state *f = state;
    return mig_corridor_figures(f->obs, &f->sim, emit, data);
}

static void fit_describe(const mig_fit_measures *m, char *buf, size_t size)
{
    snprintf(buf, size,
             "objective %.4f = MAPE %.1f%% / 15%% + citizenships %.1f%% / 15%% + shares %.2f points / 5 + %g x "
             "outside %.3f",
             m->objective, 100 * m->value[0], 100 * m->value[1], 100 * m->value[2], MIG_CORRIDOR_OUTSIDE_WEIGHT,
             m->value[3]);
}

static void fit_summary(const mig_fit_measures *m, char *buf, size_t size)
{
    snprintf(buf, size, "MAPE %.1f%%, citizenship error %.1f%%, share error %.2f points", 100 * m->value[0],
             100 * m->value[1], 100 * m->value[2]);
}

/* ------------------------------------------------------------------ levels ---------- */

static mig_status add_key(mig_fit_group *p, const char *key)
{
    if (p->n_keys == MIG_FIT_MAX_KEYS || !(p->keys[p->n_keys] = strdup(key)))
        return MIG_ENOMEM;
    p->n_keys++;
    return MIG_OK;
}

/* Each key inside the window is a source of its own; one outside follows the source
 * entering at the same place (a forcing series carried forward by a hazard), else the rest. */
static mig_status level_sources(const fit_state *f, mig_fit_session *s, mig_fit_group *p)
{
    const mig_corridor_cfg *cc = mig_corridor_config(mig_fit_scenario(s));
    const char *place[MIG_FIT_MAX_KEYS];
    int inside[MIG_FIT_MAX_KEYS];
    for (size_t j = 0; j < p->n_keys; j++) {
        unsigned idx = (unsigned)strtoul(strchr(p->keys[j], '[') + 1, NULL, 10);
        if (!strncmp(p->keys[j], "corridor.hazards[", 17)) {
            place[j] = cc->hazards[idx].places[0];
            inside[j] = cc->hazard_from[idx] <= f->win_last && cc->hazard_to[idx] >= f->win_first;
        } else {
            place[j] = cc->forcing[idx].place;
            inside[j] = 1;
        }
    }
    for (size_t j = 0; j < p->n_keys; j++) {
        p->slot[j] = -1;
        if (inside[j]) {
            if (p->n_slots == MAX_SOURCES)
                return mig_ctx_error(mig_fit_ctx(s), MIG_EUSAGE, "--levels: %s has more than %d sources in the window",
                                     mig_fit_scenario(s)->nationalities[p->nat], MAX_SOURCES);
            p->slot[j] = p->n_slots++;
        }
    }
    for (size_t j = 0; j < p->n_keys; j++)
        for (size_t k = 0; k < p->n_keys && !inside[j]; k++)
            if (inside[k] && !strcmp(place[k], place[j])) {
                p->slot[j] = p->slot[k];
                break;
            }
    return MIG_OK;
}

/* One group per nationality: its hazard base rates (but those marked `level: false`, derived
 * figures), and the scales of its forcing series marked `level: true`, scaled together (those outside the window keep their ratio to the
 * others). Other forcing series are observed persons taken as counted: not levels. */
static mig_status build_levels(void *state, mig_fit_session *s, mig_fit_group **out, size_t *n_out)
{
    const mig_config *cfg0 = mig_fit_scenario(s);
    const mig_corridor_cfg *cc = mig_corridor_config(cfg0);
    mig_fit_group *g = calloc(cfg0->n_nationalities ? cfg0->n_nationalities : 1, sizeof *g);
    size_t n = 0;
    mig_status st = MIG_OK;
    *out = g;
    *n_out = 0;
    if (!g)
        return MIG_ENOMEM;
    for (uint32_t k = 0; k < cfg0->n_nationalities && st == MIG_OK; k++) {
        mig_fit_group *p = &g[n];
        char key[128];
        p->nat = (int)k;
        for (uint32_t i = 0; i < cc->n_hazards && st == MIG_OK; i++)
            if (cc->hazards[i].level && mig_config_nationality(cfg0, cc->hazards[i].nationality) == (int)k) {
                snprintf(key, sizeof key, "corridor.hazards[%u].base_rate", i);
                st = add_key(p, key);
            }
        for (uint32_t i = 0; i < cc->n_forcing && st == MIG_OK; i++)
            if (cc->forcing[i].level && mig_config_nationality(cfg0, cc->forcing[i].nationality) == (int)k) {
                snprintf(key, sizeof key, "corridor.forcing[%u].scale", i);
                st = add_key(p, key);
            }
        if (p->n_keys)
            *n_out = ++n;
    }
    for (size_t i = 0; i < n && st == MIG_OK; i++)
        for (size_t j = 0; j < g[i].n_keys && st == MIG_OK; j++)
            st = mig_fit_value(s, g[i].keys[j], &g[i].value[j]);
    for (size_t i = 0; i < n && st == MIG_OK; i++)
        st = level_sources(state, s, &g[i]);
    return st;
}

/* The fiscal years wholly inside the window (first month index of each in fy0) and, per
 * nationality and fiscal year, its observed total and 1 where it is among the top 10. */
static int fiscal_years(const mig_corridor_obs *o, int fy0[MAX_FY], double *obs_fy, double *wt, double *tot,
                        int count_only)
{
    const uint32_t nn = o->n_nat;
    int nf = 0;
    for (uint32_t m = 0; m + 12 <= o->n_months && nf < MAX_FY; m++)
        if ((o->first_month + (int32_t)m) % 12 == 9)
            fy0[nf++] = (int)m;
    for (int f = 0; f < nf && !count_only; f++) {
        int top[10], n_top;
        for (uint32_t k = 0; k < nn; k++) {
            tot[k] = 0.0;
            for (int m = fy0[f]; m < fy0[f] + 12; m++)
                tot[k] += o->by_nat[(size_t)m * nn + k];
            obs_fy[(size_t)k * nf + f] = tot[k];
            wt[(size_t)k * nf + f] = 0.0; /* 1: among the top 10 */
        }
        n_top = mig_corridor_top10(tot, nn, o->other, top);
        for (int r = 0; r < n_top; r++)
            wt[(size_t)top[r] * nf + f] = 1.0;
    }
    return nf;
}

/* One group's multipliers: the non-negative least squares of its sources' fiscal-year
 * encounters a[source][fy] against the observed totals less those of the sources not fitted
 * (fixed[fy]: the forcing series), in relative errors. */
static void level_update(mig_fit_group *p, const double (*a)[MAX_FY], const double *fixed, int nf,
                         const double *obs_fy, const double *wt)
{
    double theta[MAX_SOURCES], d[MAX_FY], b[MAX_FY], reduced[MAX_SOURCES][MAX_FY], sum_a = 0.0, sum_ta = 0.0;
    double all, mean = 0.0;
    int map[MAX_SOURCES], n = 0;
    for (int f = 0; f < nf; f++)
        mean += obs_fy[(size_t)p->nat * nf + f] / nf;
    for (int f = 0; f < nf; f++) {
        double ob = obs_fy[(size_t)p->nat * nf + f];
        d[f] = wt[(size_t)p->nat * nf + f] > 0 ? ob : ob > mean ? ob : mean;
        b[f] = d[f] > 0 ? (ob - fixed[f]) / d[f] : 0.0;
    }
    /* a source with no encounters in the window is left as it is */
    for (int j = 0; j < p->n_slots; j++) {
        double tot = 0.0;
        for (int f = 0; f < nf; f++)
            tot += a[j][f];
        theta[j] = 1.0;
        if (tot > 0) {
            map[n] = j;
            for (int f = 0; f < nf; f++)
                reduced[n][f] = d[f] > 0 ? a[j][f] / d[f] : 0.0;
            n++;
        }
    }
    if (n) {
        double t[MAX_SOURCES];
        mig_corridor_nnls(n, nf, (const double(*)[MIG_NNLS_MAX_M])reduced, b, t);
        for (int u = 0; u < n; u++)
            theta[map[u]] = t[u] < 0.1 ? 0.1 : t[u] > 10.0 ? 10.0 : t[u];
    }
    for (int j = 0; j < p->n_slots; j++)
        for (int f = 0; f < nf; f++) {
            sum_a += a[j][f];
            sum_ta += theta[j] * a[j][f];
        }
    all = sum_a > 0 ? sum_ta / sum_a : 1.0;
    for (size_t j = 0; j < p->n_keys; j++)
        p->value[j] *= p->slot[j] >= 0 ? theta[p->slot[j]] : all;
}

/* The last probe's fiscal-year encounters of each group's nationality: into fixed (the
 * probe that keeps no source) when into_fixed, else into a[.][slot] less fixed (at least 0). */
static void probe_totals(const fit_state *fs, const mig_fit_group *g, size_t n, const int *fy0, int nf,
                         double (*into_fixed)[MAX_FY], int slot, double (*fixed)[MAX_FY],
                         double (*a)[MAX_SOURCES][MAX_FY])
{
    const uint32_t nn = fs->obs->n_nat;
    for (size_t i = 0; i < n; i++)
        for (int f = 0; f < nf; f++) {
            double sum = 0.0;
            for (int m = fy0[f]; m < fy0[f] + 12; m++)
                sum += fs->sim.by_nat[(size_t)m * nn + (uint32_t)g[i].nat];
            if (into_fixed)
                into_fixed[i][f] = sum;
            else
                a[i][slot][f] = sum > fixed[i][f] ? sum - fixed[i][f] : 0.0;
        }
}

/* Matches each nationality's sources (its hazard base rates) to its
 * observed fiscal-year totals over the window. One probe run per source index keeps only
 * that source of every nationality, which gives each source's encounters by fiscal year, less
 * those of one more probe that keeps none (the observed forcing alone, which is not fitted);
 * the multipliers are then the non-negative least squares of the errors (simulated -
 * observed) / d, where d is the observed total in a fiscal year in which the nationality
 * is among the top-10 citizenships (relative errors, as the target), and otherwise the
 * larger of it and the nationality's mean over the fiscal years (so that a year with few
 * encounters does not outweigh the others). A source outside the window follows the source
 * entering at the same place (else the nationality's overall change). Multipliers are
 * bounded to [0.1, 10] per pass; a pass that does not lower the objective is undone and
 * ends the matching. */
static mig_status match_levels(void *state, mig_fit_session *s, mig_fit_group *g, size_t n, int iterations)
{
    fit_state *fs = state;
    const mig_corridor_obs *o = fs->obs;
    const uint32_t nn = o->n_nat;
    int fy0[MAX_FY], nf = fiscal_years(o, fy0, NULL, NULL, NULL, 1), ns = 0;
    double (*a)[MAX_SOURCES][MAX_FY] = NULL, (*fixed)[MAX_FY] = NULL, *obs_fy = NULL, *wt = NULL, *tot = NULL;
    mig_status st = MIG_OK;

    for (size_t i = 0; i < n; i++)
        ns = g[i].n_slots > ns ? g[i].n_slots : ns;
    if (!n || !nf || !ns)
        return MIG_OK;
    a = calloc(n, sizeof *a);
    fixed = calloc(n, sizeof *fixed);
    obs_fy = calloc((size_t)nn * nf, sizeof *obs_fy);
    wt = calloc((size_t)nn * nf, sizeof *wt);
    tot = calloc(nn ? nn : 1, sizeof *tot);
    if (!a || !fixed || !obs_fy || !wt || !tot) {
        st = MIG_ENOMEM;
        goto out;
    }
    fiscal_years(o, fy0, obs_fy, wt, tot, 0);
    if ((st = mig_fit_know_current(s, "levels")) != MIG_OK)
        goto out;
    for (int it = 0; it < iterations && st == MIG_OK; it++) {
        int kept;
        mig_fit_save(s);
        for (int r = ns; r >= 0 && st == MIG_OK; r--) /* slot ns: no source kept, the forcing alone */
            if ((st = mig_fit_probe(s, g, r, "level probe")) == MIG_OK)
                probe_totals(fs, g, n, fy0, nf, r == ns ? fixed : NULL, r < ns ? r : 0, fixed, a);
        for (size_t i = 0; i < n && st == MIG_OK; i++)
            level_update(&g[i], (const double(*)[MAX_FY])a[i], fixed[i], nf, obs_fy, wt);
        if (st == MIG_OK && (st = mig_fit_keep_if_better(s, "levels", &kept)) == MIG_OK && !kept)
            break;
    }
out:
    free(a);
    free(fixed);
    free(obs_fy);
    free(wt);
    free(tot);
    return st;
}

/* ------------------------------------------------------------------ sectors --------- */

/* The sector factors' places must hold every Border Patrol sector of the record. */
static mig_status sectors_present(const mig_corridor_obs *o, mig_fit_session *s)
{
    const mig_config *cfg0 = mig_fit_scenario(s);
    const mig_corridor_nat_attraction_cfg *a = mig_corridor_config(cfg0)->attraction_by_nationality;
    if (!a)
        return mig_ctx_error(mig_fit_ctx(s), MIG_EUSAGE,
                             "%s: --sectors fits corridor.attraction_by_nationality, which the scenario lacks; write "
                             "it there first (places: the Border Patrol sectors; a row of factors per nationality)",
                             cfg0->path);
    for (uint32_t k = 0; k < o->n_sectors; k++) {
        uint32_t j = 0;
        while (j < a->n_places && strcmp(a->places[j], o->sector_name[k]))
            j++;
        if (j == a->n_places)
            return mig_config_diag(cfg0, mig_fit_ctx(s), MIG_EUSAGE, "corridor.attraction_by_nationality.places",
                                   "sector \"%s\" is missing (--sectors fits a factor for every Border Patrol sector "
                                   "of the record)", o->sector_name[k]);
    }
    return MIG_OK;
}

static void print_targets(const fit_state *f, mig_fit_session *s, const mig_fit_group *g, size_t n,
                          double residual)
{
    const uint32_t ns = f->obs->n_sectors;
    fprintf(stderr, "calibrate: sector shares by nationality estimated from the record (residual %.1f%% of USBP "
                    "encounters):\n", 100 * residual);
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, "calibrate:   %-14s", mig_fit_scenario(s)->nationalities[g[i].nat]);
        for (uint32_t k = 0; k < ns; k++)
            fprintf(stderr, " %5.1f", 100 * f->sector_target[(size_t)g[i].nat * ns + k]);
        fputc('\n', stderr);
    }
}

/* One group per nationality row of corridor.attraction_by_nationality, a key for each
 * Border Patrol sector of the record; the targets from mig_corridor_sector_mix. */
static mig_status build_sectors(void *state, mig_fit_session *s, mig_fit_group **out, size_t *n_out)
{
    fit_state *f = state;
    const mig_config *cfg0 = mig_fit_scenario(s);
    const mig_corridor_nat_attraction_cfg *a;
    const uint32_t ns = f->obs->n_sectors;
    double residual = 0.0;
    mig_fit_group *g;
    mig_status st;

    *out = NULL;
    *n_out = 0;
    if ((st = sectors_present(f->obs, s)) != MIG_OK)
        return st;
    a = mig_corridor_config(cfg0)->attraction_by_nationality;
    if (!(*out = g = calloc(a->n_factors ? a->n_factors : 1, sizeof *g)) ||
        !(f->sector_target = calloc((size_t)f->obs->n_nat * (ns ? ns : 1), sizeof *f->sector_target)))
        return MIG_ENOMEM;
    if ((st = mig_corridor_sector_mix(f->obs, 0.01, f->sector_target, &residual)) != MIG_OK)
        return mig_ctx_error(mig_fit_ctx(s), st,
                             "the sector mix by nationality could not be estimated from the record");
    for (uint32_t i = 0; i < a->n_factors; i++) {
        mig_fit_group *p = &g[(*n_out)++];
        p->nat = mig_config_nationality(cfg0, a->factors[i].nationality);
        for (uint32_t j = 0; j < a->n_places; j++)
            for (uint32_t k = 0; k < ns; k++)
                if (!strcmp(a->places[j], f->obs->sector_name[k])) {
                    char key[128];
                    snprintf(key, sizeof key, "corridor.attraction_by_nationality.factors[%u].values[%u]", i, j);
                    if ((st = add_key(p, key)) != MIG_OK)
                        return st;
                    p->slot[p->n_keys - 1] = (int)k;
                    p->target[p->n_keys - 1] = f->sector_target[(size_t)p->nat * ns + k];
                    if ((st = mig_fit_value(s, key, &p->value[p->n_keys - 1])) != MIG_OK)
                        return st;
                }
    }
    if (!mig_fit_quiet(s))
        print_targets(f, s, g, *n_out, residual);
    return MIG_OK;
}

/* Moves one group's factors by the run's sector counts; adds to *dev and *all the persons
 * in another sector than the targets give, and the group's total. */
static void sector_update(const fit_state *f, mig_fit_group *p, double *dev, double *all)
{
    const uint32_t ns = f->obs->n_sectors;
    const double *got = f->sim.nat_sector + (size_t)p->nat * ns;
    const double *want = f->sector_target + (size_t)p->nat * ns;
    double tot = 0.0;
    for (uint32_t k = 0; k < ns; k++)
        tot += got[k];
    if (!(tot * f->scale >= 200.0))
        return;
    for (uint32_t k = 0; k < ns; k++)
        *dev += fabs(got[k] - want[k] * tot) / 2;
    *all += tot;
    for (size_t j = 0; j < p->n_keys; j++) {
        int k = p->slot[j];
        double r = (want[k] + 0.002) / (got[k] / tot + 0.002);
        r = r < 0.25 ? 0.25 : r > 4.0 ? 4.0 : r;
        p->value[j] *= r;
        p->value[j] = p->value[j] < 1e-3 ? 1e-3 : p->value[j] > 1e3 ? 1e3 : p->value[j];
    }
}

/* Moves each nationality's sector factors towards its estimated sector shares:
 * factor *= (target / simulated)^0.7 (ratios bounded to [1/4, 4]), then the row is divided
 * by its target-weighted geometric mean, so that the sectors' pull against the ports and
 * the rest of the network stays as it was. A nationality with fewer than 200 simulated
 * USBP encounters (agents) is left as it is. A step that does not lower the objective is
 * undone and ends the matching. */
static mig_status match_sectors(void *state, mig_fit_session *s, mig_fit_group *g, size_t n, int iterations)
{
    int kept = 1;
    for (int it = 0; it < iterations && n; it++) {
        mig_status st = mig_fit_evaluate(s, "sectors");
        double dev = 0.0, all = 0.0;
        if (st != MIG_OK)
            return st;
        if (it == 0)
            mig_fit_accept(s);
        else if (!mig_fit_settle(s, "sectors")) /* the previous step made it worse */
            return MIG_OK;
        mig_fit_save(s);
        for (size_t i = 0; i < n; i++)
            sector_update(state, &g[i], &dev, &all);
        if (!mig_fit_quiet(s) && all > 0)
            fprintf(stderr, "calibrate: sectors: %.1f%% of USBP encounters are in another sector than the estimated "
                            "shares by nationality give\n", 100 * dev / all);
    }
    if (n && iterations > 0)
        return mig_fit_keep_if_better(s, "sectors", &kept);
    return MIG_OK;
}

/* ------------------------------------------------------------------ the table ------- */

static const mig_fit_step_ops steps[] = {
    { .option = "levels", .method = "level", .round_iterations = 3, .final_iterations = 2,
      .build = build_levels, .match = match_levels },
    { .option = "sectors", .method = "sector", .has_target = 1, .round_iterations = 4, .final_iterations = 2,
      .build = build_sectors, .match = match_sectors },
};

const mig_fit_ops mig_corridor_fit_ops = {
    .scale_key = "corridor.scale",
    .note = "objective = MAPE/0.15 + citizenship error/0.15 + share error/0.05 + 4 x outside over "
            "the window (fiscal years wholly inside it; share error: the sectors' shares of USBP "
            "encounters and the ports' share of all; outside: mean of max(0, error/target - 1) over the "
            "citizenship values plus the same over the share values); the values of the best run; level = each "
            "source of a nationality (hazard base rate) fitted to its observed fiscal-year totals "
            "(least squares over probe runs); sector = a nationality's factor on a sector, moved towards the "
            "share estimated from the record (target); simplex = GSL nmsimplex2",
    .open = fit_open,
    .close = fit_close,
    .run = fit_run,
    .describe = fit_describe,
    .summary = fit_summary,
    .figures = fit_figures,
    .steps = steps,
    .n_steps = sizeof steps / sizeof steps[0],
};
