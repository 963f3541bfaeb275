/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_model_corridor.c: the Central America - Mexico - US corridor. Agents carry a
 * nationality (CBP's citizenship labels) and enter from their own origins, by a
 * log-linear departure hazard on monthly indicators or from observed dated series (the
 * Darien); each nationality has its own route table. Arriving at a Border Patrol sector or
 * a port of entry is an encounter; at a sector the outcome is drawn: released, removed to
 * the origin, or (under Title 42) expelled to the Mexican border city across, from where
 * the person may try again. Ports of entry receive CBP One appointment holders. While the
 * Securing the Border bar applies (a rule on the run's own average of sector encounters,
 * mig_corridor_bar.c), sector encounters of nationalities not exempt use its removal. */
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "mig_agents.h"
#include "mig_corridor_calibration.h"
#include "mig_comm.h"
#include "mig_date.h"
#include "mig_corridor_forecast.h"
#include "mig_model.h"
#include "mig_model_corridor.h"
#include "mig_policy.h"
#include "mig_rng.h"
#include "mig_route.h"
#include "mig_timeline.h"
#include "mig_util.h"

/* Random-number purposes of this model. */
enum {
    RNG_MOVE = MIG_RNG_MODEL + 0,    /* move-or-stay and route choice */
    RNG_CBP_WAIT = MIG_RNG_MODEL + 1, /* whether to wait for a CBP One appointment */
    RNG_OUTCOME = MIG_RNG_MODEL + 2  /* encounter outcome, retry, border city */
};

/* Bits of mig_agents.flags used by this model. */
enum { FLAG_CBP_DECIDED = 1u << 0, FLAG_CBP_WAITER = 1u << 1, FLAG_CBP_APPOINTMENT = 1u << 2 };

/* What becomes of a nationality's persons encountered at a sector (corridor.outcomes). */
typedef struct corridor_outcome {
    double t42_expel, t42_remove, remove, retry_exp, retry_rem;
    int32_t t42_from;          /* first day Title 42 applies (while an expulsion intervention
                                * is in force at the sector) */
} corridor_outcome;

typedef struct corridor_state {
    uint64_t seed;
    uint32_t n_nat, n_places, days;
    int32_t start_day;
    double *move_prob;         /* owned [n_places] */
    uint8_t *is_port;          /* owned [n_places]: destination where OFO encounters */

    /* spawning (hazards, then forcing), one entry per (place, nationality) stream */
    uint32_t n_src;
    uint32_t *src_place;       /* owned [n_src] */
    uint16_t *src_nat;         /* owned [n_src] */
    uint32_t *src_daily;       /* owned [n_src * days] */

    /* encounter outcomes */
    corridor_outcome *outcome; /* owned [n_nat] */
    uint32_t *across_start;    /* owned [n_places + 1]: border cities with a link into each place */
    uint32_t *across;          /* owned */

    /* CBP One */
    uint32_t *cbp_link;        /* owned [n_places]: border city -> CBP One port link, or MIG_NO_LINK */
    double *cbp_quota;         /* owned [days]: appointments that day (scaled) */
    double cbp_wait;
    double cbp_give_up;        /* P(a waiter stops waiting), per day */
    int cbp_on;                /* today: appointments are given */
    double cbp_q;              /* today: P(a waiter gets an appointment) */
    double waiting;            /* expected waiters at the end of the previous day */
    int has_cbp;               /* 1 when the scenario has a cbp_one section */

    /* Securing the Border (corridor.securing_border) */
    int has_bar;               /* 1 when the scenario has the section */
    mig_corridor_bar_rule bar_rule;
    mig_corridor_bar bar;      /* today's state */
    double bar_remove;         /* P(removed) at a sector while the bar applies */
    double *bar_retry;         /* owned [n_nat] P(a removed person sets off again) meanwhile */
    uint8_t *bar_exempt;       /* owned [n_nat] */
    int64_t *bar_enc;          /* owned [days] encounters at sectors per day, all ranks (agents) */
    int64_t observed_step;     /* the last step observed (-1: none) */

    /* observations (borrowed from w->obs) */
    int64_t *v_enc, *v_rel, *v_rem, *v_exp, *v_appt, *v_wait, *v_bar;

    /* per-thread scratch for apply/decide counts */
    int threads;
    size_t scratch_len;
    int64_t *scratch;          /* owned [threads * scratch_len] */
} corridor_state;

static void corridor_destroy(void **p)
{
    corridor_state *s;
    if (!MIG_TAKE(s, p))
        return;
    MIG_FREE_ALL(s->move_prob, s->is_port, s->src_place, s->src_nat, s->src_daily, s->outcome, s->across_start,
                 s->across, s->cbp_link, s->cbp_quota, s->bar_retry, s->bar_exempt, s->bar_enc, s->scratch, s);
}

/* Problems found while building: how many, and the status of the first. */
typedef struct errs {
    int n;
    mig_status first;
} errs;

static void fail_with(errs *e, mig_status s)
{
    if (!e->n++)
        e->first = s;
}

/* A problem with a field of the scenario, recorded at its location (as mig_config_diag
 * does) and counted in errors. */
static void field_error(const mig_world *w, mig_ctx *ctx, errs *errors, mig_status s, const char *field,
                        const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void field_error(const mig_world *w, mig_ctx *ctx, errs *errors, mig_status s, const char *field,
                        const char *fmt, ...)
{
    mig_loc loc = mig_config_loc(w->cfg, field);
    va_list ap;
    va_start(ap, fmt);
    mig_ctx_vdiag(ctx, s, &loc, field, fmt, ap);
    va_end(ap);
    fail_with(errors, s);
}

/* A place named in the scenario: index, or -1 with an error at the field's location. */
static int64_t named_place(const mig_world *w, mig_ctx *ctx, const char *field, const char *name, errs *errors)
{
    int64_t p = mig_network_place(w->net, name);
    if (p < 0)
        field_error(w, ctx, errors, MIG_ECONFIG, field, "unknown place \"%s\" (not in %s)", name,
                    w->cfg->places_path);
    return p;
}

/* A port of entry named in the scenario: a place that is a destination; else -1 with an
 * error at the field's location. */
static int64_t port_place(const mig_world *w, mig_ctx *ctx, const char *field, const char *name, errs *errors)
{
    int64_t p = named_place(w, ctx, field, name, errors);
    if (p >= 0 && w->net->place_kind[p] != MIG_KIND_DESTINATION) {
        field_error(w, ctx, errors, MIG_ECONFIG, field, "\"%s\" is not a destination (a port of entry must be)",
                    name);
        return -1;
    }
    return p;
}

void mig_corridor_weights(const mig_network *net, const mig_movement_cfg *mv, const double *base,
                          const uint8_t *is_port, const double *fac, double *bk, double *attr, double *prev,
                          double *wn)
{
    for (uint32_t p = 0; p < net->n_places; p++)
        bk[p] = base[p] * fac[p];
    /* a port of entry goes with the sector reached from the same border city */
    for (uint32_t l = 0; l < net->n_links; l++) {
        uint32_t port = net->link_to[l], city = net->link_from[l];
        double best = 0.0;
        if (!is_port[port])
            continue;
        for (uint32_t o = net->out_start[city]; o < net->out_start[city + 1]; o++) {
            uint32_t q = net->link_to[net->out_link[o]];
            if (!is_port[q] && fac[q] != 1.0 && fac[q] > best)
                best = fac[q];
        }
        if (best > 0.0)
            bk[port] = base[port] * best;
    }
    mig_route_attraction_from(net, bk, mv->lookahead_steps, mv->lookahead_discount, attr, prev);
    mig_route_weights(net, attr, mv->attraction_power, mv->distance_power, wn);
}

/* Nationality k's factors on places (fac[n_places], 1 where none) from its row of
 * corridor.attraction_by_nationality; 0 when it has none (fac untouched). */
static int nationality_factors(const mig_world *w, uint32_t k, double *fac)
{
    const mig_corridor_nat_attraction_cfg *a = mig_corridor_config(w->cfg)->attraction_by_nationality;
    const mig_corridor_factor_cfg *f = NULL;

    if (!a)
        return 0;
    for (uint32_t i = 0; i < a->n_factors && !f; i++)
        if (mig_config_nationality(w->cfg, a->factors[i].nationality) == (int)k)
            f = &a->factors[i];
    if (!f || f->n_values != a->n_places)
        return 0;
    for (uint32_t p = 0; p < w->net->n_places; p++)
        fac[p] = 1.0;
    for (uint32_t j = 0; j < a->n_places; j++) {
        int64_t p = mig_network_place(w->net, a->places[j]); /* checked by build_routes */
        if (p >= 0)
            fac[p] = f->values[j];
    }
    return 1;
}

/* The factors on places of every nationality (fac[n_nat * n_places]; *has 0 when neither
 * attraction_by_nationality nor sector_choice is given): the scenario's rows, or those
 * derived from the record (mig_corridor_sector_factors). */
static mig_status place_factors(corridor_state *s, mig_world *w, const double *base, const double *mult,
                                mig_ctx *ctx, double *fac, int *has)
{
    const mig_corridor_cfg *c = mig_corridor_config(w->cfg);
    const size_t np = w->net->n_places;

    for (size_t i = 0; i < np * s->n_nat; i++)
        fac[i] = 1.0;
    *has = c->attraction_by_nationality || c->sector_choice;
    if (c->sector_choice)
        return mig_corridor_sector_factors(w, base, s->is_port, mult, ctx, fac);
    for (uint32_t k = 0; k < s->n_nat; k++)
        nationality_factors(w, k, fac + k * np);
    return MIG_OK;
}

/* mult[n_nat * n_links] (the route options) times each nationality's weights: the common
 * weight[] or, where it has factors on places, its own. attr and prev: scratch [n_places]. */
static mig_status nationality_routes(corridor_state *s, mig_world *w, const double *base, double *attr,
                                     double *prev, const double *weight, double *mult, mig_ctx *ctx)
{
    const mig_network *net = w->net;
    const size_t np = net->n_places, nl = net->n_links ? net->n_links : 1;
    double *fac = malloc(np * s->n_nat * sizeof *fac), *bk = malloc(np * sizeof *bk), *wn = malloc(nl * sizeof *wn);
    mig_status st = MIG_ENOMEM;
    int has = 0;

    if (!fac || !bk || !wn || (st = place_factors(s, w, base, mult, ctx, fac, &has)) != MIG_OK)
        goto out;
    for (uint32_t k = 0; k < s->n_nat; k++) {
        const double *wk = weight;
        if (has) {
            mig_corridor_weights(net, &w->cfg->movement, base, s->is_port, fac + k * np, bk, attr, prev, wn);
            wk = wn;
        }
        for (uint32_t l = 0; l < net->n_links; l++)
            mult[(size_t)k * net->n_links + l] *= wk[l];
    }
out:
    free(fac);
    free(bk);
    free(wn);
    return st;
}

/* Route tables per nationality: weight = look-ahead attraction(to)^a / km^b times the route
 * options' multipliers. Also marks the ports. */
static mig_status build_routes(corridor_state *s, mig_world *w, mig_ctx *ctx, errs *errors)
{
    const mig_network *net = w->net;
    const mig_corridor_cfg *c = mig_corridor_config(w->cfg);
    const mig_movement_cfg *mv = &w->cfg->movement;
    const size_t np = net->n_places, nl = net->n_links ? net->n_links : 1;
    double *base = malloc(np * sizeof *base), *attr = malloc(np * sizeof *attr), *prev = malloc(np * sizeof *prev);
    double *weight = malloc(nl * sizeof *weight), *mult = malloc(nl * s->n_nat * sizeof *mult);
    mig_status st = MIG_ENOMEM;
    char field[128];

    s->is_port = calloc(np, 1);
    if (!base || !attr || !prev || !weight || !mult || !s->is_port)
        goto out;
    for (uint32_t p = 0; p < np; p++)
        base[p] = net->place_attract[p];
    for (uint32_t i = 0; i < c->n_attraction; i++) {
        int64_t p;
        snprintf(field, sizeof field, "corridor.attraction[%u].place", i);
        if ((p = named_place(w, ctx, field, c->attraction[i].place, errors)) >= 0)
            base[p] = c->attraction[i].value;
    }
    if (c->ports)
        for (uint32_t i = 0; i < c->ports->n_places; i++) {
            int64_t p;
            snprintf(field, sizeof field, "corridor.ports.places[%u]", i);
            if ((p = port_place(w, ctx, field, c->ports->places[i], errors)) < 0)
                continue;
            s->is_port[p] = 1;
            base[p] = c->ports->attraction;
        }
    if (c->attraction_by_nationality)
        for (uint32_t j = 0; j < c->attraction_by_nationality->n_places; j++) {
            snprintf(field, sizeof field, "corridor.attraction_by_nationality.places[%u]", j);
            named_place(w, ctx, field, c->attraction_by_nationality->places[j], errors);
        }
    mig_route_attraction_from(net, base, mv->lookahead_steps, mv->lookahead_discount, attr, prev);
    mig_route_weights(net, attr, mv->attraction_power, mv->distance_power, weight);
    if (c->route_options_path) {
        st = mig_corridor_route_options(c->route_options_path, w->cfg, net, mult, ctx);
        if (st != MIG_OK) {
            fail_with(errors, st);
            st = MIG_OK;
            goto out;
        }
    } else {
        for (size_t i = 0; i < nl * s->n_nat; i++)
            mult[i] = 1.0;
    }
    if (errors->n) {
        st = MIG_OK;
        goto out;
    }
    if ((st = nationality_routes(s, w, base, attr, prev, weight, mult, ctx)) != MIG_OK)
        goto out;
    st = mig_world_set_routes(w, mult, 1, ctx);
out:
    free(base);
    free(attr);
    free(prev);
    free(weight);
    free(mult);
    return st;
}

/* Appends one spawn stream; returns its daily row (zeroed) or NULL. */
static uint32_t *add_stream(corridor_state *s, uint32_t place, uint16_t nat)
{
    uint32_t *p = realloc(s->src_place, (s->n_src + 1) * sizeof *p);
    uint16_t *n;
    uint32_t *d;
    if (!p)
        return NULL;
    s->src_place = p;
    if (!(n = realloc(s->src_nat, (s->n_src + 1) * sizeof *n)))
        return NULL;
    s->src_nat = n;
    if (!(d = realloc(s->src_daily, (size_t)(s->n_src + 1) * s->days * sizeof *d)))
        return NULL;
    s->src_daily = d;
    s->src_place[s->n_src] = place;
    s->src_nat[s->n_src] = nat;
    d += (size_t)s->n_src * s->days;
    memset(d, 0, s->days * sizeof *d);
    s->n_src++;
    return d;
}

/* A place where agents of a stream may start: known, not a destination, with a way on. */
static int64_t start_place(mig_world *w, mig_ctx *ctx, const char *field, const char *name, errs *errors)
{
    int64_t p = named_place(w, ctx, field, name, errors);
    if (p < 0)
        return -1;
    if (w->net->place_kind[p] == MIG_KIND_DESTINATION) {
        field_error(w, ctx, errors, MIG_ECONFIG, field, "\"%s\" is a destination; agents cannot start there", name);
        return -1;
    }
    if (!mig_network_reaches_destination(w->net, (uint32_t)p)) {
        field_error(w, ctx, errors, MIG_EDATA, field, "no destination or camp can be reached from \"%s\"", name);
        return -1;
    }
    return p;
}

/* The terms of hazard hz, each with its indicator (ind: the loaded indicators, in the
 * order of corridor.indicators). */
static void hazard_terms(const mig_corridor_cfg *c, const mig_corridor_hazard_cfg *hz, mig_indicator **ind,
                         mig_hazard_term *terms)
{
    for (uint32_t k = 0; k < hz->n_terms; k++) {
        for (uint32_t j = 0; j < c->n_indicators; j++)
            if (strcmp(c->indicators[j].name, hz->terms[k].indicator) == 0)
                terms[k].ind = ind[j];
        terms[k].beta = hz->terms[k].beta;
        terms[k].ref = hz->terms[k].ref;
        terms[k].has_max = hz->terms[k].max != NULL;
        terms[k].max = hz->terms[k].max ? *hz->terms[k].max : 0.0;
    }
}

/* Hazard h's streams, one per place: daily departures from its base rate and terms, times
 * the place's share. A problem is reported and counted in errors (its other places are then
 * left out); returns MIG_ENOMEM or MIG_OK. */
static mig_status spawn_hazard(corridor_state *s, mig_world *w, uint32_t h, mig_indicator **ind, mig_ctx *ctx,
                               errs *errors)
{
    const mig_config *cfg = w->cfg;
    const mig_corridor_cfg *c = mig_corridor_config(cfg);
    const mig_corridor_hazard_cfg *hz = &c->hazards[h];
    const int nat = mig_config_nationality(cfg, hz->nationality);
    mig_hazard_term *terms = calloc(hz->n_terms ? hz->n_terms : 1, sizeof *terms);
    double total_share = 0.0;
    mig_status st = MIG_OK;
    char field[128], what[384];

    if (!terms)
        return MIG_ENOMEM;
    hazard_terms(c, hz, ind, terms);
    for (uint32_t k = 0; k < hz->n_places; k++)
        total_share += hz->n_shares ? hz->shares[k] : 1.0;
    for (uint32_t k = 0; k < hz->n_places; k++) {
        int64_t p;
        uint32_t *daily;
        double share = (hz->n_shares ? hz->shares[k] : 1.0) / total_share;
        mig_status s2;
        snprintf(field, sizeof field, "corridor.hazards[%u].places[%u]", h, k);
        if ((p = start_place(w, ctx, field, hz->places[k], errors)) < 0)
            continue;
        if (!(daily = add_stream(s, (uint32_t)p, (uint16_t)nat))) {
            st = MIG_ENOMEM;
            break;
        }
        snprintf(field, sizeof field, "corridor.hazards[%u]", h);
        snprintf(what, sizeof what, "%s: %s", mig_config_where(cfg, field), field);
        s2 = mig_corridor_hazard_schedule(daily, cfg->start_day, cfg->days, c->hazard_from[h], c->hazard_to[h],
                                          hz->base_rate, c->scale * share, hz->n_terms, terms, what, ctx);
        if (s2 != MIG_OK) {
            fail_with(errors, s2);
            break;
        }
    }
    free(terms);
    return st;
}

/* Forcing f's stream: the observed series at its place, scaled. A problem is reported and
 * counted in errors; returns MIG_ENOMEM or MIG_OK. */
static mig_status spawn_forcing(corridor_state *s, mig_world *w, uint32_t f, mig_ctx *ctx, errs *errors)
{
    const mig_config *cfg = w->cfg;
    const mig_corridor_cfg *c = mig_corridor_config(cfg);
    const mig_corridor_forcing_cfg *fc = &c->forcing[f];
    int64_t p;
    uint32_t *daily;
    mig_status st;
    char field[128];

    snprintf(field, sizeof field, "corridor.forcing[%u].place", f);
    if ((p = start_place(w, ctx, field, fc->place, errors)) < 0)
        return MIG_OK;
    if (!(daily = add_stream(s, (uint32_t)p, (uint16_t)mig_config_nationality(cfg, fc->nationality))))
        return MIG_ENOMEM;
    st = mig_timeline_add_series(daily, cfg->start_day, cfg->days, c->forcing_path[f], fc->scale * c->scale, ctx);
    if (st != MIG_OK)
        fail_with(errors, st);
    return MIG_OK;
}

/* corridor.forecast_error's nationality part: each stream from forecast_error.from on times its
 * nationality's factor (mig_corridor_nationality_factors over the streams' inflow), logged. */
static mig_status nationality_error(corridor_state *s, const mig_world *w, mig_ctx *ctx)
{
    const mig_config *cfg = w->cfg;
    const mig_corridor_cfg *c = mig_corridor_config(cfg);
    const mig_corridor_forecast_error_cfg *e = c->forecast_error;
    int64_t d0 = (int64_t)c->forecast_from_day - s->start_day;
    uint32_t first = d0 < 0 ? 0 : d0 > (int64_t)s->days ? s->days : (uint32_t)d0;
    double *inflow, *f;
    char line[2048];
    size_t len = 0;

    if (!e || !(e->nationality > 0))
        return MIG_OK;
    if (!(inflow = calloc(2 * (size_t)s->n_nat, sizeof *inflow)))
        return MIG_ENOMEM;
    f = inflow + s->n_nat;
    for (uint32_t k = 0; k < s->n_src; k++)
        for (uint32_t i = first; i < s->days; i++)
            inflow[s->src_nat[k]] += s->src_daily[(size_t)k * s->days + i];
    mig_corridor_nationality_factors(e, s->seed, s->n_nat, inflow, f);
    for (uint32_t k = 0; k < s->n_src; k++)
        if (mig_corridor_rescale_daily(s->src_daily + (size_t)k * s->days, s->days, first, f[s->src_nat[k]])) {
            double bad = f[s->src_nat[k]];
            free(inflow);
            return mig_config_diag(cfg, ctx, MIG_EDATA, "corridor.forecast_error.nationality",
                                   "a nationality's factor (%g) takes a day's inflow past 2^32 - 1 persons", bad);
        }
    for (uint32_t n = 0; n < s->n_nat && n < cfg->n_nationalities && len < sizeof line; n++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%s %.3f", n ? ", " : "", cfg->nationalities[n], f[n]);
    mig_log(ctx, MIG_LOG_INFO, "forecast error (key %" PRIu32 "): inflow from %s on times %s", e->key, e->from, line);
    free(inflow);
    return MIG_OK;
}

/* The spawning streams: the indicators loaded, then each hazard's streams and each
 * forcing's, none after the first problem. */
static mig_status build_spawning(corridor_state *s, mig_world *w, mig_ctx *ctx, errs *errors)
{
    const mig_corridor_cfg *c = mig_corridor_config(w->cfg);
    mig_indicator **ind = calloc(c->n_indicators ? c->n_indicators : 1, sizeof *ind);
    mig_status st = MIG_OK;

    if (!ind)
        return MIG_ENOMEM;
    for (uint32_t i = 0; i < c->n_indicators; i++) {
        mig_status s2 = mig_indicator_load(c->indicator_path[i], c->indicators[i].name, ctx, &ind[i]);
        if (s2 != MIG_OK)
            fail_with(errors, s2);
    }
    for (uint32_t h = 0; h < c->n_hazards && !errors->n && st == MIG_OK; h++)
        st = spawn_hazard(s, w, h, ind, ctx, errors);
    for (uint32_t f = 0; f < c->n_forcing && !errors->n && st == MIG_OK; f++)
        st = spawn_forcing(s, w, f, ctx, errors);
    for (uint32_t i = 0; i < c->n_indicators; i++)
        mig_indicator_destroy(&ind[i]);
    free(ind);
    return st;
}

static mig_status build_outcomes(corridor_state *s, mig_world *w, mig_ctx *ctx, errs *errors)
{
    const mig_corridor_cfg *c = mig_corridor_config(w->cfg);
    const mig_network *net = w->net;
    const uint32_t nn = s->n_nat, np = net->n_places;
    uint32_t n_across = 0;
    (void)ctx;
    (void)errors;
    s->outcome = calloc(nn, sizeof *s->outcome);
    s->across_start = calloc((size_t)np + 1, sizeof(uint32_t));
    if (!s->outcome || !s->across_start)
        return MIG_ENOMEM;
    for (uint32_t k = 0; k < nn; k++) {
        const mig_corridor_outcome_cfg *o = NULL;
        int32_t from = INT32_MIN;
        for (uint32_t i = 0; i < c->n_outcomes; i++)
            if (strcmp(c->outcomes[i].nationality, w->cfg->nationalities[k]) == 0) {
                o = &c->outcomes[i];
                from = c->title42_from_day[i];
            }
        if (!o)
            for (uint32_t i = 0; i < c->n_outcomes; i++)
                if (strcmp(c->outcomes[i].nationality, "*") == 0) {
                    o = &c->outcomes[i];
                    from = c->title42_from_day[i];
                }
        s->outcome[k].t42_from = from;
        if (!o)
            continue; /* every encounter is a release */
        s->outcome[k].t42_expel = o->title42_expel;
        s->outcome[k].t42_remove = o->title42_remove;
        s->outcome[k].remove = o->remove;
        s->outcome[k].retry_exp = o->retry_expelled;
        s->outcome[k].retry_rem = o->retry_removed;
    }
    /* border cities across each destination: the border-kind places with a link into it */
    for (uint32_t l = 0; l < net->n_links; l++)
        if (net->place_kind[net->link_from[l]] == MIG_KIND_BORDER)
            n_across++;
    s->across = calloc(n_across ? n_across : 1, sizeof *s->across);
    if (!s->across)
        return MIG_ENOMEM;
    n_across = 0;
    for (uint32_t p = 0; p < np; p++) {
        s->across_start[p] = n_across;
        if (net->place_kind[p] == MIG_KIND_DESTINATION)
            for (uint32_t l = 0; l < net->n_links; l++)
                if (net->link_to[l] == p && net->place_kind[net->link_from[l]] == MIG_KIND_BORDER)
                    s->across[n_across++] = net->link_from[l];
    }
    s->across_start[np] = n_across;
    return MIG_OK;
}

static mig_status build_cbp_one(corridor_state *s, mig_world *w, mig_ctx *ctx, errs *errors)
{
    const mig_corridor_cfg *c = mig_corridor_config(w->cfg);
    const mig_network *net = w->net;
    char field[128];
    s->cbp_link = malloc(net->n_places * sizeof *s->cbp_link);
    s->cbp_quota = calloc(s->days, sizeof *s->cbp_quota);
    if (!s->cbp_link || !s->cbp_quota)
        return MIG_ENOMEM;
    for (uint32_t p = 0; p < net->n_places; p++)
        s->cbp_link[p] = MIG_NO_LINK;
    if (!c->cbp_one)
        return MIG_OK;
    s->has_cbp = 1;
    s->cbp_wait = c->cbp_one->wait_probability;
    s->cbp_give_up = c->cbp_one->give_up_probability;
    for (uint32_t i = 0; i < c->cbp_one->n_ports; i++) {
        int64_t port;
        int linked = 0;
        snprintf(field, sizeof field, "corridor.cbp_one.ports[%u]", i);
        if ((port = port_place(w, ctx, field, c->cbp_one->ports[i], errors)) < 0)
            continue;
        for (uint32_t l = 0; l < net->n_links; l++)
            if (net->link_to[l] == (uint32_t)port && net->place_kind[net->link_from[l]] == MIG_KIND_BORDER) {
                s->cbp_link[net->link_from[l]] = l;
                linked = 1;
            }
        if (!linked)
            field_error(w, ctx, errors, MIG_EDATA, field, "no border city has a link to \"%s\"", c->cbp_one->ports[i]);
    }
    for (uint32_t i = 0; i < s->days; i++) {
        int32_t day = s->start_day + (int32_t)i;
        for (uint32_t a = 0; a < c->cbp_one->n_appointments; a++)
            if (c->appointment_day[a] <= day)
                s->cbp_quota[i] = c->cbp_one->appointments[a].per_day * c->scale;
        /* before the first quota date nothing is given (cbp_quota stays 0) */
    }
    return MIG_OK;
}

static mig_status build_bar(corridor_state *s, mig_world *w)
{
    const mig_corridor_cfg *c = mig_corridor_config(w->cfg);
    const mig_corridor_bar_cfg *b = c->securing_border;
    s->bar.lift_day = INT32_MIN;
    if (!b)
        return MIG_OK;
    s->has_bar = 1;
    s->bar_remove = b->remove;
    s->bar_retry = malloc(s->n_nat * sizeof *s->bar_retry);
    s->bar_exempt = calloc(s->n_nat, sizeof *s->bar_exempt);
    s->bar_enc = calloc(s->days, sizeof *s->bar_enc);
    if (!s->bar_retry || !s->bar_exempt || !s->bar_enc)
        return MIG_ENOMEM;
    for (uint32_t k = 0; k < s->n_nat; k++)
        s->bar_retry[k] = b->retry_removed ? *b->retry_removed : s->outcome[k].retry_rem;
    for (uint32_t i = 0; i < b->n_nationalities_exempt; i++)
        s->bar_exempt[mig_config_nationality(w->cfg, b->nationalities_exempt[i])] = 1;
    return mig_corridor_bar_rule_of(c, &s->bar_rule);
}

static mig_status register_obs(corridor_state *s, mig_world *w)
{
    static const mig_dim place[] = { MIG_DIM_PLACE }, place_nat[] = { MIG_DIM_PLACE, MIG_DIM_NATIONALITY };
    mig_status st;
#define ADD(var, name, long_name, units, nd, dims)                                          \
    if ((st = mig_obs_add(w->obs, name, long_name, units, nd, dims, &s->var)) != MIG_OK)    \
        return st;
    ADD(v_enc, "encounters",
        "encounters at US Border Patrol sectors and ports of entry (events, not persons), by nationality",
        "events day-1", 2, place_nat)
    ADD(v_rel, "released", "encounters that ended in release into the US", "events day-1", 2, place_nat)
    ADD(v_rem, "removed", "encounters that ended in removal to the origin (Title 8)", "events day-1", 2,
        place_nat)
    ADD(v_exp, "expelled", "encounters that ended in expulsion to Mexico under Title 42", "events day-1", 2,
        place_nat)
    ADD(v_appt, "cbp_one_encounters", "encounters at ports of entry by CBP One appointment holders",
        "events day-1", 1, place)
    ADD(v_wait, "cbp_one_waiting", "persons waiting at border cities for a CBP One appointment, end of day",
        "persons", 0, NULL)
    if (s->has_bar)
        ADD(v_bar, "securing_border_active",
            "1 on the days the Securing the Border asylum bar applies (corridor.securing_border), else 0", "1", 0,
            NULL)
#undef ADD
    return MIG_OK;
}

static mig_status corridor_create(mig_world *w, mig_ctx *ctx, void **out)
{
    const mig_config *cfg = w->cfg;
    const mig_network *net = w->net;
    corridor_state *s;
    mig_status st;
    errs errors = { 0, MIG_OK };
    void *tmp;

    *out = NULL;
    if (!mig_corridor_config(cfg))
        return mig_config_diag(cfg, ctx, MIG_ECONFIG, "model", "model \"corridor\" needs a corridor section");
    if (!(s = calloc(1, sizeof *s)))
        return MIG_ENOMEM;
    s->seed = cfg->seed;
    s->n_nat = w->n_nat;
    s->n_places = net->n_places;
    s->days = cfg->days;
    s->start_day = cfg->start_day;
    s->observed_step = -1;
    s->move_prob = malloc(net->n_places * sizeof *s->move_prob);
    if (!s->move_prob) {
        st = MIG_ENOMEM;
        goto fail;
    }
    for (uint32_t p = 0; p < net->n_places; p++)
        s->move_prob[p] =
            net->place_kind[p] == MIG_KIND_DESTINATION ? 0.0 : cfg->movement.move_prob[net->place_kind[p]];
    if ((st = build_routes(s, w, ctx, &errors)) != MIG_OK)
        goto fail;
    if ((st = build_outcomes(s, w, ctx, &errors)) != MIG_OK)
        goto fail;
    if ((st = build_cbp_one(s, w, ctx, &errors)) != MIG_OK)
        goto fail;
    if ((st = build_bar(s, w)) != MIG_OK)
        goto fail;
    if (!errors.n && (st = build_spawning(s, w, ctx, &errors)) != MIG_OK)
        goto fail;
    if (!errors.n && (st = nationality_error(s, w, ctx)) != MIG_OK)
        goto fail;
    for (uint32_t k = 0; k < s->n_src && !errors.n; k++) /* origin interventions */
        mig_policy_scale_spawn(w->policy, s->src_place[k], s->src_nat[k], s->start_day, s->days,
                               s->src_daily + (size_t)k * s->days);
    if (errors.n) {
        st = errors.first;
        goto fail;
    }
    if ((st = register_obs(s, w)) != MIG_OK)
        goto fail;
    s->threads = ctx->threads > 0 ? ctx->threads : 1;
    s->scratch_len = 3 * (size_t)net->n_places * s->n_nat + net->n_places;
    s->scratch = calloc((size_t)s->threads * s->scratch_len, sizeof *s->scratch);
    if (!s->scratch) {
        st = MIG_ENOMEM;
        goto fail;
    }
    *out = s;
    return MIG_OK;
fail:
    tmp = s;
    corridor_destroy(&tmp);
    return st;
}

/* Waiters for CBP One at border cities with a port, and those there who have not decided
 * yet, in the agent arrays as they are (the end of a day, or the start of the next). */
static void count_waiting(const corridor_state *s, const mig_world *w, int64_t *waiting, int64_t *undecided)
{
    const mig_agents *a = w->agents;
    const size_t n = a->n;
    const uint32_t *cbp_link = s->cbp_link;
    const int nt = w->threads;
    int64_t wt = 0, ud = 0;
#pragma omp parallel for num_threads(nt) default(none) shared(a, n, cbp_link) reduction(+ : wt, ud)
    for (size_t i = 0; i < n; i++)
        if (a->state[i] == MIG_AGENT_AT_PLACE && cbp_link[a->loc[i]] != MIG_NO_LINK) {
            wt += (a->flags[i] & FLAG_CBP_WAITER) != 0;
            ud += (a->flags[i] & FLAG_CBP_DECIDED) == 0;
        }
    *waiting = wt;
    *undecided = ud;
}

static mig_status corridor_timeline(void *state, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    corridor_state *s = state;
    double quota = s->cbp_quota[step];
    /* A restart loses the daily encounters before it (they are not in the checkpoint): allowed
     * only while none of them can enter an average that decides a day from `from` on, i.e.
     * restart day + window_days <= from (the bar is then off, and stays off until averages of
     * days after the restart alone decide it). */
    if (s->has_bar && s->observed_step + 1 != (int64_t)step &&
        (int64_t)s->start_day + step + s->bar_rule.window > (int64_t)s->bar_rule.from_day)
        return mig_config_diag(w->cfg, ctx, MIG_ECONFIG, "corridor.securing_border",
                               "a run restarted from a checkpoint cannot restore the daily encounters of the rule's "
                               "average (not supported for a restart later than window_days before from)");
    if (s->has_cbp && s->observed_step + 1 != (int64_t)step) {
        /* a run restarted from a checkpoint: yesterday's count from the restored agents */
        int64_t wt, ud;
        count_waiting(s, w, &wt, &ud);
        s->waiting = (double)wt + s->cbp_wait * (double)ud;
    }
    /* s->waiting is the total over all MPI ranks (summed in corridor_observe) */
    s->cbp_on = quota > 0.0;
    s->cbp_q = !s->cbp_on ? 0.0 : s->waiting > quota ? quota / s->waiting : 1.0;
    return MIG_OK;
}

static mig_status corridor_spawn(void *state, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    corridor_state *s = state;
    mig_status st;
    for (uint32_t k = 0; k < s->n_src; k++) {
        uint32_t count = s->src_daily[(size_t)k * s->days + step];
        size_t first;
        if (count && (st = mig_world_spawn(w, count, s->src_place[k], s->src_nat[k], step, 1, &first, ctx)) != MIG_OK)
            return st;
    }
    return MIG_OK;
}

/* Each day an agent at a place moves on with the probability of the place's kind, along
 * a link drawn from its nationality's table. At a border city with a CBP One port, once
 * appointments are given, an agent first decides (once per stay) whether to wait for one;
 * a waiter sets off to the port with today's appointment probability and otherwise stays. */
static void corridor_decide(const void *state, mig_world *w, uint32_t step, size_t begin, size_t end)
{
    const corridor_state *s = state;
    mig_agents *a = w->agents;
    uint32_t u_move[MIG_DECIDE_BLOCK], u_route[MIG_DECIDE_BLOCK];
    for (size_t b0 = begin; b0 < end; b0 += MIG_DECIDE_BLOCK) {
        size_t nb = end - b0 < MIG_DECIDE_BLOCK ? end - b0 : MIG_DECIDE_BLOCK;
        mig_world_draw_block(w, s->seed, step, RNG_MOVE, b0, nb, u_move, u_route);
        for (size_t j = 0; j < nb; j++) {
            size_t i = b0 + j;
            uint32_t p;
            if (a->state[i] != MIG_AGENT_AT_PLACE)
                continue;
            p = a->loc[i];
            if (s->cbp_on && s->cbp_link[p] != MIG_NO_LINK) {
                uint8_t f = a->flags[i];
                if (!(f & FLAG_CBP_DECIDED)) {
                    uint32_t kk, pp;
                    mig_rng_words r;
                    mig_world_key(w, i, RNG_CBP_WAIT, &kk, &pp);
                    r = mig_rng_draw(s->seed, kk, step, pp);
                    f |= FLAG_CBP_DECIDED;
                    if (mig_rng_u01(r.w[0]) < s->cbp_wait)
                        f |= FLAG_CBP_WAITER;
                    a->flags[i] = f;
                }
                if (f & FLAG_CBP_WAITER) {
                    if (mig_rng_u01(u_move[j]) < s->cbp_q) {
                        a->flags[i] = f | FLAG_CBP_APPOINTMENT;
                        a->state[i] = MIG_AGENT_ON_LINK;
                        a->loc[i] = s->cbp_link[p];
                        a->progress[i] = 0.0f;
                    } else if (mig_rng_u01(u_route[j]) < s->cbp_give_up) {
                        a->flags[i] = f & (uint8_t)~FLAG_CBP_WAITER; /* moves on as others do from tomorrow */
                    }
                    continue;
                }
            }
            mig_world_move_on(w, i, p, s->move_prob[p], u_move[j], u_route[j]);
        }
    }
}

static mig_status grow_scratch(corridor_state *s, int threads)
{
    if (threads > s->threads) {
        int64_t *p = realloc(s->scratch, (size_t)threads * s->scratch_len * sizeof *p);
        if (!p)
            return MIG_ENOMEM;
        s->scratch = p;
        s->threads = threads;
    }
    return MIG_OK;
}

/* Agent i sets off again from place: at the place, with no flags. */
static void start_again(mig_agents *a, size_t i, uint32_t place)
{
    a->loc[i] = place;
    a->state[i] = MIG_AGENT_AT_PLACE;
    a->progress[i] = 0.0f;
    a->flags[i] = 0;
}

/* A thread's counts of today's outcomes, slices of its scratch: released, removed and
 * expelled by (place, nationality), appointments kept by port. */
typedef struct outcome_counts {
    int64_t *rel, *rem, *exp_, *appt;
} outcome_counts;

/* The outcome of agent i, absorbed today. At a port: released. At a sector: expelled under
 * Title 42 (to a border city with a link into the sector, drawn evenly; retrying or
 * leaving), removed to the origin (setting off again from there, or leaving), or released. */
static void encounter(const corridor_state *s, const mig_world *w, size_t i, uint32_t step, int32_t day,
                      const outcome_counts *h)
{
    mig_agents *a = w->agents;
    const uint32_t p = a->loc[i], k = a->nat[i];
    const size_t pk = (size_t)p * s->n_nat + k;
    const corridor_outcome *o = &s->outcome[k];
    uint32_t key, pur;
    mig_rng_words r;
    double u, pe, pr, retry;
    int t42, barred;
    if (s->is_port[p]) {
        h->rel[pk]++;
        h->appt[p] += (a->flags[i] & FLAG_CBP_APPOINTMENT) != 0;
        return;
    }
    mig_world_key(w, i, RNG_OUTCOME, &key, &pur);
    r = mig_rng_draw(s->seed, key, step, pur);
    t42 = day >= o->t42_from && mig_policy_expels(w->policy, (uint32_t)s->n_places, p, (uint16_t)k);
    barred = !t42 && s->bar.active && !s->bar_exempt[k];
    pe = t42 ? o->t42_expel : 0.0;
    pr = t42 ? o->t42_remove : barred ? s->bar_remove : o->remove;
    retry = barred ? s->bar_retry[k] : o->retry_rem;
    u = mig_rng_u01(r.w[0]);
    if (u < pe) {
        uint32_t c0 = s->across_start[p], nc = s->across_start[p + 1] - c0;
        h->exp_[pk]++;
        if (nc && mig_rng_u01(r.w[1]) < o->retry_exp) {
            uint32_t c = (uint32_t)(mig_rng_u01(r.w[2]) * nc);
            start_again(a, i, s->across[c0 + (c < nc ? c : nc - 1)]);
        } else {
            a->state[i] = MIG_AGENT_REMOVED;
        }
    } else if (u < pe + pr) {
        h->rem[pk]++;
        if (mig_rng_u01(r.w[1]) < retry)
            start_again(a, i, a->origin[i]);
        else
            a->state[i] = MIG_AGENT_REMOVED;
    } else {
        h->rel[pk]++;
    }
}

/* Today's outcomes (of agents absorbed today: the store is compacted daily), counted per
 * thread, then summed into the observations. */
static mig_status corridor_apply(void *state, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    corridor_state *s = state;
    const mig_agents *a = w->agents;
    const size_t n = a->n, np = s->n_places, nn = s->n_nat, len = s->scratch_len;
    const int32_t day = s->start_day + (int32_t)step;
    const int nt = w->threads;
    int64_t *scratch;
    mig_status st;
    if ((st = grow_scratch(s, nt)) != MIG_OK)
        return mig_ctx_error(ctx, st, "out of memory");
    scratch = s->scratch;
#pragma omp parallel num_threads(nt) default(none) shared(s, w, a, scratch, n, np, nn, len, day, step, nt)
    {
        size_t b, e;
        int64_t *rel = scratch + (size_t)omp_get_thread_num() * len;
        const outcome_counts h = { rel, rel + np * nn, rel + 2 * np * nn, rel + 3 * np * nn };
        memset(rel, 0, (3 * np * nn + np) * sizeof *rel);
        mig_world_thread_range(n, omp_get_thread_num(), nt, &b, &e);
        for (size_t i = b; i < e; i++)
            if (a->state[i] == MIG_AGENT_ABSORBED)
                encounter(s, w, i, step, day, &h);
    }
    for (int t = 0; t < nt; t++) {
        const int64_t *h = scratch + (size_t)t * len;
        for (size_t i = 0; i < np * nn; i++) {
            s->v_rel[i] += h[i];
            s->v_rem[i] += h[np * nn + i];
            s->v_exp[i] += h[2 * np * nn + i];
        }
        for (size_t p = 0; p < np; p++)
            s->v_appt[p] += h[3 * np * nn + p];
    }
    return MIG_OK;
}

/* Encounters = arrivals at destinations; CBP One departures (today's flow on the port
 * links) and the waiters at the end of the day; the Securing the Border state of today, and
 * tomorrow's from the encounters at sectors. */
static mig_status corridor_observe(void *state, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    corridor_state *s = state;
    const mig_network *net = w->net;
    const size_t nn = s->n_nat;
    int64_t sums[3] = { 0, 0, 0 }; /* waiting, undecided, encounters at sectors */
    for (uint32_t p = 0; p < net->n_places; p++)
        if (net->place_kind[p] == MIG_KIND_DESTINATION) {
            memcpy(s->v_enc + (size_t)p * nn, w->v_arrivals + (size_t)p * nn, nn * sizeof *s->v_enc);
            for (size_t k = 0; k < nn && !s->is_port[p]; k++)
                sums[2] += w->v_arrivals[(size_t)p * nn + k];
        }
    s->observed_step = step;
    if (!s->has_cbp && !s->has_bar)
        return MIG_OK;
    if (s->has_cbp)
        count_waiting(s, w, &sums[0], &sums[1]);
    /* the engine sums observation variables over MPI ranks: keep this rank's count there,
     * and the bar's state on rank 0 only */
    if (s->has_cbp)
        *s->v_wait = sums[0];
    if (s->has_bar)
        *s->v_bar = (!ctx->comm || ctx->comm->rank == 0) ? s->bar.active : 0;
    /* tomorrow's appointment probability divides the quota among today's waiters and
     * the expected waiters among those who arrived today and have not decided yet, and
     * tomorrow's bar follows today's encounters at sectors, over all ranks (every rank calls
     * observe each day, so the sum is a matched collective) */
    if (ctx->comm) {
        mig_status st = mig_comm_sum_i64(ctx->comm, sums, 3);
        if (st != MIG_OK)
            return mig_ctx_error(ctx, st, "MPI_Allreduce of the CBP One waiting and sector encounter counts failed");
    }
    if (s->has_cbp)
        s->waiting = (double)sums[0] + s->cbp_wait * (double)sums[1];
    if (s->has_bar) {
        s->bar_enc[step] = sums[2];
        return mig_corridor_bar_advance(&s->bar_rule, s->start_day, step, s->bar_enc, &s->bar);
    }
    return MIG_OK;
}

/* mig_model_ops.uncertainty: corridor.forecast_error, when it draws anything. */
static void corridor_uncertainty(const mig_config *cfg, char *buf, size_t n)
{
    const mig_corridor_cfg *c = mig_corridor_config(cfg);
    const mig_corridor_forecast_error_cfg *e = c ? c->forecast_error : NULL;

    buf[0] = '\0';
    if (e && (e->nationality > 0 || e->sector > 0))
        snprintf(buf, n,
                 "a forecast error drawn in each run from its seed and corridor.forecast_error.key (each "
                 "nationality's inflow from %s: sigma %g in log, the total held; each sector's share: sigma %g in log)",
                 e->from, e->nationality, e->sector);
}

const mig_model_ops mig_model_corridor = {
    .name = "corridor",
    .summary = "nationalities, departure hazards and observed forcing, encounters with Title 42 and CBP One",
    .section = &mig_corridor_section,
    .create = corridor_create,
    .destroy = corridor_destroy,
    .timeline = corridor_timeline,
    .spawn = corridor_spawn,
    .decide = corridor_decide,
    .apply = corridor_apply,
    .observe = corridor_observe,
    .fit = &mig_corridor_fit_ops,
    .uncertainty = corridor_uncertainty,
};
