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
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "mig_corridor_forecast.h"
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
 * m, next and sum: scratch [n_places] (sum: each place's total weight out, summed once). */
static void walk(const mig_network *net, const double *wl, const double *start, double *m, double *next,
                 double *sum, double *end)
{
    double left = 1.0;

    for (uint32_t p = 0; p < net->n_places; p++) {
        sum[p] = 0.0;
        for (uint32_t o = net->out_start[p]; o < net->out_start[p + 1]; o++)
            sum[p] += wl[net->out_link[o]];
    }
    memcpy(m, start, net->n_places * sizeof *m);
    memset(end, 0, net->n_places * sizeof *end);
    for (int step = 0; step < WALK_STEPS && left > WALK_LEFT; step++) {
        double *t;
        memset(next, 0, net->n_places * sizeof *next);
        left = 0.0;
        for (uint32_t p = 0; p < net->n_places; p++) {
            if (!(m[p] > 0.0))
                continue;
            if (net->place_kind[p] == MIG_KIND_DESTINATION) {
                end[p] += m[p];
                continue;
            }
            if (!(sum[p] > 0.0))
                continue;
            for (uint32_t o = net->out_start[p]; o < net->out_start[p + 1]; o++) {
                uint32_t l = net->out_link[o];
                next[net->link_to[l]] += m[p] * wl[l] / sum[p];
                left += m[p] * wl[l] / sum[p];
            }
        }
        t = m; /* next step's mass is next; m becomes the scratch */
        m = next;
        next = t;
    }
}

typedef struct solve_scratch {
    double *bk, *attr, *prev, *wl, *start, *m, *next, *end, *sum; /* [n_places] each, wl [n_links] */
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
        walk(net, z->wl, z->start, z->m, z->next, z->sum, z->end);
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

/* Every nationality's factors; the nationalities are solved independently, one per thread
 * (each with its own scratch), so the factors are the same for any thread count. */
static mig_status solve_all(const mig_world *w, const mig_corridor_obs *obs, const double *share,
                            const double *base, const uint8_t *is_port, const double *mult, mig_ctx *ctx,
                            double *fac, double *worst)
{
    const size_t np = w->net->n_places, nl = w->net->n_links ? w->net->n_links : 1, per = 8 * np + nl;
    const int nt = ctx->threads > 1 ? ctx->threads : 1, nn = (int)obs->n_nat;
    double *all = malloc(per * (size_t)nt * sizeof *all), *dev = calloc(obs->n_nat ? obs->n_nat : 1, sizeof *dev);

    if (!all || !dev) {
        MIG_FREE_ALL(all, dev);
        return MIG_ENOMEM;
    }
#pragma omp parallel for num_threads(nt) schedule(dynamic) default(none) \
    shared(w, obs, share, base, is_port, mult, fac, all, dev, np, nl, per, nn)
    for (int k = 0; k < nn; k++) {
        double *a = all + per * (size_t)omp_get_thread_num();
        solve_scratch z = { a, a + np, a + 2 * np, a + 3 * np, a + 3 * np + nl, a + 4 * np + nl,
                            a + 5 * np + nl, a + 6 * np + nl, a + 7 * np + nl };
        if (sources(w, (uint32_t)k, z.start))
            solve(w, obs, base, is_port, mult + (size_t)k * w->net->n_links, share + (size_t)k * obs->n_sectors, &z,
                  fac + (size_t)k * np, &dev[k]);
        else
            dev[k] = -1.0; /* no sources: nothing to solve */
    }
    *worst = 0.0;
    for (uint32_t k = 0; k < obs->n_nat; k++) {
        if (dev[k] < 0.0)
            continue;
        *worst = fmax(*worst, dev[k]);
        mig_log(ctx, MIG_LOG_DEBUG, "sector choice: %s within %.2f points", w->cfg->nationalities[k], 100 * dev[k]);
    }
    MIG_FREE_ALL(all, dev);
    return MIG_OK;
}

/* The bytes a memo's key is made of (mig_ctx_memo_get): every input of a result, in order. */
typedef struct key_buf {
    unsigned char *b;
    size_t n, cap;
    int failed;
} key_buf;

static void key_add(key_buf *k, const void *p, size_t n)
{
    if (k->failed || !n)
        return;
    if (k->n + n > k->cap) {
        size_t cap = 2 * (k->n + n);
        unsigned char *b = realloc(k->b, cap);
        if (!b) {
            k->failed = 1;
            return;
        }
        k->b = b;
        k->cap = cap;
    }
    memcpy(k->b + k->n, p, n);
    k->n += n;
}

/* The shares of mig_corridor_sector_mix (share[n_nat * n_sectors], then the residual), kept
 * in ctx under the record's months and the prior: the same in every run of a process. */
static mig_status mix_memo(const mig_corridor_obs *obs, double prior, mig_ctx *ctx, double *share, double *residual)
{
    const size_t ns = (size_t)obs->n_nat * obs->n_sectors, nm = obs->n_months;
    key_buf k = { 0 };
    size_t len = 0;
    const double *hit;
    mig_status st;

    key_add(&k, "corridor.sector_mix", 19);
    key_add(&k, &prior, sizeof prior);
    key_add(&k, &obs->n_nat, sizeof obs->n_nat);
    key_add(&k, &obs->n_sectors, sizeof obs->n_sectors);
    key_add(&k, obs->usbp_by_nat, obs->usbp_by_nat ? nm * obs->n_nat * sizeof(double) : 0);
    key_add(&k, obs->by_sector, nm * obs->n_sectors * sizeof(double));
    if (!k.failed && (hit = mig_ctx_memo_get(ctx, k.b, k.n, &len)) && len == (ns + 1) * sizeof *hit) {
        memcpy(share, hit, ns * sizeof *share);
        *residual = hit[ns];
        free(k.b);
        return MIG_OK;
    }
    if ((st = mig_corridor_sector_mix(obs, prior, share, residual)) == MIG_OK && !k.failed) {
        share[ns] = *residual; /* share has room for it */
        st = mig_ctx_memo_put(ctx, k.b, k.n, share, (ns + 1) * sizeof *share);
    }
    free(k.b);
    return k.failed ? MIG_ENOMEM : st;
}

/* The key of solve_all's factors: the shares and every input of the route tables' solve. */
static void factors_key(const mig_world *w, const mig_corridor_obs *obs, const double *share, const double *base,
                        const uint8_t *is_port, const double *mult, double *start, key_buf *k)
{
    const mig_network *net = w->net;
    const mig_movement_cfg *mv = &w->cfg->movement;
    const size_t np = net->n_places, nl = net->n_links;

    key_add(k, "corridor.sector_factors", 23);
    key_add(k, &np, sizeof np);
    key_add(k, &nl, sizeof nl);
    key_add(k, &obs->n_nat, sizeof obs->n_nat);
    key_add(k, &obs->n_sectors, sizeof obs->n_sectors);
    key_add(k, share, (size_t)obs->n_nat * obs->n_sectors * sizeof *share);
    key_add(k, obs->sector_place, obs->n_sectors * sizeof *obs->sector_place);
    key_add(k, base, np * sizeof *base);
    key_add(k, is_port, np);
    key_add(k, mult, (size_t)obs->n_nat * nl * sizeof *mult);
    key_add(k, &mv->attraction_power, sizeof mv->attraction_power);
    key_add(k, &mv->distance_power, sizeof mv->distance_power);
    key_add(k, &mv->lookahead_steps, sizeof mv->lookahead_steps);
    key_add(k, &mv->lookahead_discount, sizeof mv->lookahead_discount);
    key_add(k, net->place_kind, np * sizeof *net->place_kind);
    key_add(k, net->link_to, nl * sizeof *net->link_to);
    key_add(k, net->link_km, nl * sizeof *net->link_km);
    key_add(k, net->out_start, (np + 1) * sizeof *net->out_start);
    key_add(k, net->out_link, nl * sizeof *net->out_link);
    for (uint32_t n = 0; n < obs->n_nat; n++) {
        int has = sources(w, n, start);
        key_add(k, &has, sizeof has);
        key_add(k, start, np * sizeof *start);
    }
}

/* solve_all's factors (fac[n_nat * n_places], then *worst), kept in ctx under all they depend
 * on: a run whose drawn values leave the route tables' inputs as they were reuses them. */
static mig_status factors_memo(const mig_world *w, const mig_corridor_obs *obs, const double *share,
                               const double *base, const uint8_t *is_port, const double *mult, mig_ctx *ctx,
                               double *fac, double *worst)
{
    const size_t n = (size_t)obs->n_nat * w->net->n_places;
    double *start = malloc((w->net->n_places ? w->net->n_places : 1) * sizeof *start), *keep = NULL;
    key_buf k = { 0 };
    size_t len = 0;
    const double *hit = NULL;
    mig_status st = MIG_ENOMEM;

    if (start)
        factors_key(w, obs, share, base, is_port, mult, start, &k);
    if (!start || k.failed)
        goto out;
    if ((hit = mig_ctx_memo_get(ctx, k.b, k.n, &len)) && len == (n + 1) * sizeof *hit) {
        memcpy(fac, hit, n * sizeof *fac);
        *worst = hit[n];
        st = MIG_OK;
        goto out;
    }
    if ((st = solve_all(w, obs, share, base, is_port, mult, ctx, fac, worst)) != MIG_OK)
        goto out;
    if (!(keep = malloc((n + 1) * sizeof *keep))) {
        st = MIG_ENOMEM;
        goto out;
    }
    memcpy(keep, fac, n * sizeof *keep);
    keep[n] = *worst;
    st = mig_ctx_memo_put(ctx, k.b, k.n, keep, (n + 1) * sizeof *keep);
out:
    free(start);
    free(keep);
    free(k.b);
    return st;
}

/* corridor.forecast_error's sector part on the estimated shares (mig_corridor_sector_error),
 * with each sector's factor logged. */
static mig_status sector_error(const mig_world *w, const mig_corridor_obs *obs, double *share, mig_ctx *ctx)
{
    const mig_corridor_forecast_error_cfg *e = mig_corridor_config(w->cfg)->forecast_error;
    double *factor = malloc((obs->n_sectors ? obs->n_sectors : 1) * sizeof *factor);
    char line[2048];
    size_t len = 0;

    if (!factor)
        return MIG_ENOMEM;
    mig_corridor_sector_error(e, w->cfg->seed, obs->n_nat, obs->n_sectors, share, factor);
    for (uint32_t k = 0; k < obs->n_sectors && len < sizeof line; k++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%s %.3f", k ? ", " : "", obs->sector_name[k],
                                factor[k]);
    mig_log(ctx, MIG_LOG_INFO, "forecast error (key %" PRIu32 "): each nationality's sector shares times %s, "
            "renormalised", e->key, line);
    free(factor);
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
    if (st == MIG_OK && (st = mix_memo(obs, prior, ctx, share, &residual)) == MIG_EDATA) {
        mig_loc loc = mig_config_loc(w->cfg, "corridor.sector_choice.window");
        mig_ctx_diag(ctx, st, &loc, "corridor.sector_choice", "no USBP encounters by sector and citizenship in %s",
                     c->sector_choice->window);
    }
    if (st == MIG_OK && c->forecast_error && c->forecast_error->sector > 0)
        st = sector_error(w, obs, share, ctx);
    if (st == MIG_OK)
        st = factors_memo(w, obs, share, base, is_port, mult, ctx, fac, &worst);
    if (st == MIG_OK)
        mig_log(ctx, MIG_LOG_INFO,
                "sector choice: shares by nationality estimated from %s over %s (%.1f%% of USBP encounters off "
                "the estimate); route tables within %.2f points of them",
                c->sector_choice->data, c->sector_choice->window, 100 * residual, 100 * worst);
    free(share);
    mig_corridor_obs_destroy(&obs);
    return st;
}
