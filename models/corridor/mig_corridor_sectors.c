/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_corridor_sectors.c: where each nationality crosses, derived from the record
 * (corridor.sector_choice) instead of fitted. The shares of a nationality's USBP encounters by
 * sector are estimated from the monthly sector and citizenship series over a window
 * (mig_corridor_sector_mix); the factors on the sectors' attractiveness in its route weights
 * are then solved for, so that a walk on its route tables from its sources ends at each sector
 * in those shares. The walk is the route choice alone (no stay, policy or encounter), solved
 * exactly as absorption probabilities; the factors are a fixed point of
 *     f_s <- f_s * (target_s / walk_s)^(1 / attraction_power),
 * started at 1. Deterministic: the same factors on every thread and rank. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mig_model_corridor.h"
#include "mig_world.h"

enum { SOLVE_ITERATIONS = 500, WALK_STEPS = 4000 };
#define SOLVE_TOLERANCE 1e-4 /* largest |walk share - target| at which the solve stops */
#define WALK_LEFT 1e-12      /* mass still walking at which a walk stops */
/* The factor of a sector with an estimated share of 0: small, not 0, so that a border city
 * whose only crossing it is does not become a dead end for those who reach it anyway. */
#define ZERO_SHARE_FACTOR 1e-6
/* The first factor of the other sectors: large against the attractiveness of 1 of the places
 * on the way, so that the sectors' shares decide the look-ahead, not the border cities. */
#define START_FACTOR 100.0

/* Nationality k's sources: 1 / (number of source rows) at each hazard place (split as the
 * hazard splits) and forcing place. Returns 0 when it has none. */
static int sources(const mig_world *w, uint32_t k, double *start)
{
    const mig_corridor_cfg *c = mig_corridor_config(w->cfg);
    uint32_t rows = 0;

    memset(start, 0, w->net->n_places * sizeof *start);
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < c->n_hazards; i++) {
            const mig_corridor_hazard_cfg *h = &c->hazards[i];
            if (mig_config_nationality(w->cfg, h->nationality) != (int)k)
                continue;
            for (uint32_t j = 0; pass && j < h->n_places; j++) {
                int64_t p = mig_network_place(w->net, h->places[j]);
                double part = h->n_shares ? h->shares[j] : 1.0 / h->n_places;
                if (p >= 0)
                    start[p] += part / rows;
            }
            rows += !pass;
        }
        for (uint32_t i = 0; i < c->n_forcing; i++) {
            int64_t p = mig_network_place(w->net, c->forcing[i].place);
            if (mig_config_nationality(w->cfg, c->forcing[i].nationality) != (int)k)
                continue;
            if (pass && p >= 0)
                start[p] += 1.0 / rows;
            rows += !pass;
        }
        if (!rows)
            return 0;
    }
    return 1;
}

/* Where walks from start end: end[p] for each destination p, by the link weights wl (a
 * place's links in proportion to them; a place without a usable link keeps nothing).
 * m and next: scratch [n_places]. */
static void walk(const mig_network *net, const double *wl, const double *start, double *m, double *next,
                 double *end)
{
    double left = 1.0;

    memcpy(m, start, net->n_places * sizeof *m);
    memset(end, 0, net->n_places * sizeof *end);
    for (int step = 0; step < WALK_STEPS && left > WALK_LEFT; step++) {
        memset(next, 0, net->n_places * sizeof *next);
        left = 0.0;
        for (uint32_t p = 0; p < net->n_places; p++) {
            double sum = 0.0;
            if (!(m[p] > 0.0))
                continue;
            if (net->place_kind[p] == MIG_KIND_DESTINATION) {
                end[p] += m[p];
                continue;
            }
            for (uint32_t o = net->out_start[p]; o < net->out_start[p + 1]; o++)
                sum += wl[net->out_link[o]];
            if (!(sum > 0.0))
                continue;
            for (uint32_t o = net->out_start[p]; o < net->out_start[p + 1]; o++) {
                uint32_t l = net->out_link[o];
                next[net->link_to[l]] += m[p] * wl[l] / sum;
                left += m[p] * wl[l] / sum;
            }
        }
        memcpy(m, next, net->n_places * sizeof *m);
    }
}

typedef struct solve_scratch {
    double *bk, *attr, *prev, *wl, *start, *m, *next, *end; /* [n_places] each, wl [n_links] */
} solve_scratch;

/* Solves nationality k's factors on the sectors (fac[n_places]) for its target shares
 * (target[n_sectors]); *dev: the largest |walk share - target| reached. */
static void solve(const mig_world *w, const mig_corridor_obs *obs, const double *base, const uint8_t *is_port,
                  const double *mult_k, const double *target, solve_scratch *z, double *fac, double *dev)
{
    const mig_network *net = w->net;
    const double power = w->cfg->movement.attraction_power;

    for (uint32_t j = 0; j < obs->n_sectors; j++)
        fac[obs->sector_place[j]] = target[j] > 0.0 ? START_FACTOR : ZERO_SHARE_FACTOR;
    for (int it = 0; it < SOLVE_ITERATIONS; it++) {
        double sum = 0.0;
        mig_corridor_weights(net, &w->cfg->movement, base, is_port, fac, z->bk, z->attr, z->prev, z->wl);
        for (uint32_t l = 0; l < net->n_links; l++)
            z->wl[l] *= mult_k[l];
        walk(net, z->wl, z->start, z->m, z->next, z->end);
        for (uint32_t j = 0; j < obs->n_sectors; j++)
            sum += z->end[obs->sector_place[j]];
        *dev = 0.0;
        for (uint32_t j = 0; j < obs->n_sectors; j++) {
            uint32_t p = obs->sector_place[j];
            double got = sum > 0.0 ? z->end[p] / sum : 0.0;
            *dev = fmax(*dev, fabs(got - target[j]));
            if (got > 0.0 && target[j] > 0.0 && power > 0.0)
                fac[p] *= pow(target[j] / got, 1.0 / power);
        }
        if (*dev < SOLVE_TOLERANCE)
            break;
    }
}

static mig_status solve_all(const mig_world *w, const mig_corridor_obs *obs, const double *share,
                            const double *base, const uint8_t *is_port, const double *mult, mig_ctx *ctx,
                            double *fac, double *worst)
{
    const size_t np = w->net->n_places, nl = w->net->n_links ? w->net->n_links : 1;
    double *all = malloc((7 * np + nl) * sizeof *all);
    solve_scratch z;

    if (!all)
        return MIG_ENOMEM;
    z = (solve_scratch){ all, all + np, all + 2 * np, all + 3 * np, all + 3 * np + nl, all + 4 * np + nl,
                         all + 5 * np + nl, all + 6 * np + nl };
    *worst = 0.0;
    for (uint32_t k = 0; k < obs->n_nat; k++) {
        double dev = 0.0;
        if (!sources(w, k, z.start))
            continue;
        solve(w, obs, base, is_port, mult + (size_t)k * w->net->n_links, share + (size_t)k * obs->n_sectors, &z,
              fac + k * np, &dev);
        *worst = fmax(*worst, dev);
        mig_log(ctx, MIG_LOG_DEBUG, "sector choice: %s within %.2f points", w->cfg->nationalities[k], 100 * dev);
    }
    free(all);
    return MIG_OK;
}

mig_status mig_corridor_sector_factors(const mig_world *w, const double *base, const uint8_t *is_port,
                                       const double *mult, mig_ctx *ctx, double *fac)
{
    const mig_corridor_cfg *c = mig_corridor_config(w->cfg);
    mig_corridor_obs *obs = NULL;
    double *share = NULL, residual = 0.0, worst = 0.0;
    const double prior = c->sector_choice->prior ? *c->sector_choice->prior : 0.01;
    mig_status st;

    st = mig_corridor_obs_load(c->sector_data_path, w->cfg, w->net, c->sector_first_month, c->sector_last_month, ctx,
                               &obs);
    if (st != MIG_OK)
        return st;
    if (!(share = malloc(((size_t)obs->n_nat * obs->n_sectors + 1) * sizeof *share)))
        st = MIG_ENOMEM;
    if (st == MIG_OK && (st = mig_corridor_sector_mix(obs, prior, share, &residual)) != MIG_OK) {
        mig_loc loc = mig_config_loc(w->cfg, "corridor.sector_choice.window");
        mig_ctx_diag(ctx, st, &loc, "corridor.sector_choice", "no USBP encounters by sector and citizenship in %s",
                     c->sector_choice->window);
    }
    if (st == MIG_OK)
        st = solve_all(w, obs, share, base, is_port, mult, ctx, fac, &worst);
    if (st == MIG_OK)
        mig_log(ctx, MIG_LOG_INFO,
                "sector choice: shares by nationality estimated from %s over %s (%.1f%% of USBP encounters off "
                "the estimate); route tables within %.2f points of them",
                c->sector_choice->data, c->sector_choice->window, 100 * residual, 100 * worst);
    free(share);
    mig_corridor_obs_destroy(&obs);
    return st;
}
