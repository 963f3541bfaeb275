/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_policy.c: interventions. Compiled once from the scenario against the network; each
 * day the step asks what is in force and the interventions act on the agents at fixed
 * points (see mig_policy.h). What a type does is its entry in the hooks table below, one
 * <name>_ops per entry of MIG_IV_TYPES. Counts go to per-intervention, per-place observation
 * variables; everything random is keyed by agent and step. */
#include "mig_policy.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_comm.h"
#include "mig_date.h"
#include "mig_rng.h"
#include "mig_timeline.h"
#include "mig_util.h"

static void iv_free(mig_iv *iv)
{
    MIG_FREE_ALL(iv->nat_on, iv->link_on, iv->place_on, iv->target);
}

void mig_policy_destroy(mig_policy **p)
{
    mig_policy *pol;
    if (!MIG_TAKE(pol, p))
        return;
    for (uint32_t i = 0; i < pol->n_iv; i++)
        iv_free(&pol->iv[i]);
    mig_free_strings(pol->label, pol->n_iv);
    MIG_FREE_ALL(pol->iv, pol->active, pol->enf_start, pol->enf_iv, pol->link_factor, pol->move_factor,
                 pol->link_wait, pol->enf_today, pol->expel, pol->seen, pol);
}

static mig_status sum_ranks(mig_ctx *ctx, int64_t *v)
{
    return ctx->comm && ctx->comm->size > 1 ? mig_comm_sum_i64(ctx->comm, v, 1) : MIG_OK;
}

/* ---- the hooks of each type ------------------------------------------------------------ */

typedef struct iv_ops {
    /* compiling: narrows the targets */
    void (*narrow)(mig_iv *iv, const mig_network *net);
    /* today, on each of its links: the route multiplier f for nationality k, times its own */
    double (*route)(const mig_iv *iv, size_t k, double f);
    /* today: sets the factors it owns besides the route multipliers */
    void (*mark)(mig_policy *pol, const mig_iv *iv);
    /* timeline, while in force: acts on the agents (intervention i) */
    void (*day)(mig_policy *pol, uint32_t i, const mig_env *env);
    /* after decide, while in force: who may set off (intervention i) */
    mig_status (*gate)(mig_policy *pol, uint32_t i, const mig_env *env, uint32_t step, mig_ctx *ctx);
    /* spawning, while in force: multiplier on departures at its places */
    double (*departures)(const mig_iv *iv);
    /* travel: 1 when it may apprehend on arrival over its links (mig_policy_apprehend) */
    int catches;
} iv_ops;

/* enforcement: apprehends on arrival; a destination's arrivals are the model's (encounters) */
static void enforcement_narrow(mig_iv *iv, const mig_network *net)
{
    for (uint32_t l = 0; l < net->n_links; l++)
        if (net->place_kind[net->link_to[l]] == MIG_KIND_DESTINATION)
            iv->link_on[l] = 0;
}

static void enforcement_mark(mig_policy *pol, const mig_iv *iv)
{
    for (size_t l = 0; l < pol->n_links; l++)
        if (iv->link_on[l])
            pol->enf_today[l] = 1;
}

/* closure: its links closed to all; agents on them finish, return or wait */
static double closure_route(const mig_iv *iv, size_t k, double f)
{
    (void)iv, (void)k, (void)f;
    return 0.0;
}

static void closure_mark(mig_policy *pol, const mig_iv *iv)
{
    for (size_t l = 0; l < pol->n_links; l++)
        if (iv->on_link == MIG_ON_LINK_WAIT && iv->link_on[l])
            pol->link_wait[l] = 1;
}

/* Agents on a closed link whose closure says return: back to the link's start. */
static void closure_day(mig_policy *pol, uint32_t i, const mig_env *env)
{
    const mig_iv *iv = &pol->iv[i];
    const mig_network *net = env->net;
    mig_agents *a = env->agents;
    if (iv->on_link != MIG_ON_LINK_RETURN)
        return;
    for (size_t s = 0; s < a->n; s++)
        if (a->state[s] == MIG_AGENT_ON_LINK && iv->link_on[a->loc[s]]) {
            uint32_t from = net->link_from[a->loc[s]];
            a->state[s] = MIG_AGENT_AT_PLACE;
            a->loc[s] = from;
            a->progress[s] = 0.0f;
            pol->v_turned_back[(size_t)i * pol->n_places + from]++;
        }
}

/* visa: its links barred to its nationalities */
static double visa_route(const mig_iv *iv, size_t k, double f)
{
    return iv->nat_on[k] ? 0.0 : f;
}

/* origin: departures multiplied at its places */
static double origin_departures(const mig_iv *iv)
{
    return iv->cfg->factor;
}

/* deterrence: route weights and move probability multiplied */
static double deterrence_route(const mig_iv *iv, size_t k, double f)
{
    return iv->nat_on[k] ? f * iv->cfg->route_factor : f;
}

static void deterrence_mark(mig_policy *pol, const mig_iv *iv)
{
    for (size_t k = 0; k < pol->n_nat; k++)
        for (size_t p = 0; p < pol->n_places; p++)
            if (iv->nat_on[k] && iv->place_on[p])
                pol->move_factor[k * pol->n_places + p] *= iv->cfg->factor;
}

/* expulsion: the model expels at its destinations */
static void expulsion_narrow(mig_iv *iv, const mig_network *net)
{
    for (uint32_t p = 0; p < net->n_places; p++)
        iv->place_on[p] &= net->place_kind[p] == MIG_KIND_DESTINATION;
}

static void expulsion_mark(mig_policy *pol, const mig_iv *iv)
{
    for (size_t k = 0; k < pol->n_nat; k++)
        for (size_t p = 0; p < pol->n_places; p++)
            if (iv->nat_on[k] && iv->place_on[p])
                pol->expel[k * pol->n_places + p] = 1;
}

/* enforcement_target: enforcement whose probability each day follows a monthly target. On
 * day d, with T = its target summed over the days of d's month it has been in force up to
 * and including d, A = its apprehensions so far that month and N = the passages it saw on
 * day d - 1 (all integer counts over every rank, so p is the same for any thread or rank
 * count): p = clamp((T - A) / N, 0, 1), and p = 0 when N = 0 (its first day in force, or
 * after a day without passages). A shortfall is made up on the following days of the month;
 * a new month starts afresh. */
static void target_day(mig_policy *pol, uint32_t i, const mig_env *env)
{
    mig_iv *iv = &pol->iv[i];
    int yy, mm, dd;
    int32_t first;
    int64_t want = 0;
    (void)env;
    mig_date_parts(pol->day, &yy, &mm, &dd);
    if (iv->month != yy * 12 + mm - 1) {
        iv->month = yy * 12 + mm - 1;
        iv->month_used = 0;
    }
    first = pol->day - (dd - 1);
    if (first < iv->from_day)
        first = iv->from_day;
    if (first < pol->start_day)
        first = pol->start_day;
    for (int32_t d = first; d <= pol->day; d++)
        want += iv->target[d - pol->start_day];
    iv->p = iv->passages > 0 ? (double)(want - iv->month_used) / (double)iv->passages : 0.0;
    iv->p = iv->p < 0.0 ? 0.0 : iv->p > 1.0 ? 1.0 : iv->p;
    if (pol->v_target_p && pol->rank0)
        pol->v_target_p[i] = (int64_t)llround(iv->p * 1e6);
}

/* After travel, for every enforcement_target (in force or not): today's apprehensions into
 * its month, and today's passages for tomorrow's p, summed over ranks. */
static mig_status target_count(mig_policy *pol, mig_ctx *ctx)
{
    for (uint32_t i = 0; i < pol->n_iv; i++) {
        mig_iv *iv = &pol->iv[i];
        int64_t c[2] = { 0, pol->seen[i] };
        mig_status st;
        if (iv->type != MIG_IV_ENFORCEMENT_TARGET)
            continue;
        for (uint32_t p = 0; p < pol->n_places; p++)
            c[0] += pol->v_apprehended[(size_t)i * pol->n_places + p];
        if (ctx->comm && ctx->comm->size > 1 && (st = mig_comm_sum_i64(ctx->comm, c, 2)) != MIG_OK)
            return mig_ctx_error(ctx, st, "MPI_Allreduce for an enforcement target failed");
        iv->month_used += c[0];
        iv->passages = c[1];
    }
    memset(pol->seen, 0, pol->n_iv * sizeof *pol->seen);
    return MIG_OK;
}

static mig_status quota_gate(mig_policy *pol, uint32_t i, const mig_env *env, uint32_t step, mig_ctx *ctx);

static const iv_ops enforcement_ops = { .narrow = enforcement_narrow, .mark = enforcement_mark, .catches = 1 };
static const iv_ops closure_ops = { .route = closure_route, .mark = closure_mark, .day = closure_day };
static const iv_ops quota_ops = { .gate = quota_gate };
static const iv_ops visa_ops = { .route = visa_route };
static const iv_ops origin_ops = { .departures = origin_departures };
static const iv_ops deterrence_ops = { .route = deterrence_route, .mark = deterrence_mark };
static const iv_ops expulsion_ops = { .narrow = expulsion_narrow, .mark = expulsion_mark };
static const iv_ops enforcement_target_ops = { .narrow = enforcement_narrow, .mark = enforcement_mark,
                                               .day = target_day, .catches = 1 };

static const iv_ops *const ops[MIG_IV_TYPE_COUNT] = {
#define IV_OPS(id, name, needs_target, keys) &name##_ops,
    MIG_IV_TYPES(IV_OPS)
#undef IV_OPS
};

/* ---- compiling ------------------------------------------------------------------------ */

typedef struct builder {
    const mig_config *cfg;
    const mig_network *net;
    mig_ctx *ctx;
    int errors;
    mig_status first;
} builder;

/* A problem with field, recorded at its location (mig_config_loc); the first's status is kept. */
static void fail(builder *b, mig_status s, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(builder *b, mig_status s, const char *field, const char *fmt, ...)
{
    mig_loc loc = mig_config_loc(b->cfg, field);
    va_list ap;
    va_start(ap, fmt);
    mig_ctx_vdiag(b->ctx, s, &loc, field, fmt, ap);
    va_end(ap);
    if (!b->errors++)
        b->first = s;
}

static int in_list(char **list, uint32_t n, const char *s)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* The link "from -> to" names, or -1. */
static int64_t find_link(const mig_network *net, const char *name)
{
    const char *arrow = strstr(name, "->");
    char from[256], to[256];
    size_t fl;
    const char *t;
    int64_t pf, pt;
    if (!arrow)
        return -1;
    fl = (size_t)(arrow - name);
    t = arrow + 2;
    while (fl && name[fl - 1] == ' ')
        fl--;
    while (*t == ' ')
        t++;
    if (fl >= sizeof from || strlen(t) >= sizeof to)
        return -1;
    memcpy(from, name, fl);
    from[fl] = '\0';
    snprintf(to, sizeof to, "%s", t);
    pf = mig_network_place(net, from);
    pt = mig_network_place(net, to);
    return pf >= 0 && pt >= 0 ? mig_network_link(net, (uint32_t)pf, (uint32_t)pt) : -1;
}

/* Checks the places, countries, links and bus_to the intervention names; link_idx[i] is
 * the index of c->links[i] (or -1). */
static void check_names(builder *b, const char *base, const mig_intervention_cfg *c, mig_iv *iv, int64_t *link_idx)
{
    const mig_network *net = b->net;
    char field[192];
    mig_suggest sg;
    for (uint32_t i = 0; i < c->n_places; i++)
        if (mig_network_place(net, c->places[i]) < 0) {
            snprintf(field, sizeof field, "%s.places[%u]", base, i);
            fail(b, MIG_ECONFIG, field, "unknown place \"%s\" (%s)", c->places[i],
                 mig_network_place_hint(net, c->places[i], &sg));
        }
    for (uint32_t i = 0; i < c->n_countries; i++) {
        int found = 0;
        for (uint32_t p = 0; p < net->n_places && !found; p++)
            found = strcmp(net->place_country[p], c->countries[i]) == 0;
        if (!found) {
            snprintf(field, sizeof field, "%s.countries[%u]", base, i);
            fail(b, MIG_ECONFIG, field, "no place lies in country \"%s\"", c->countries[i]);
        }
    }
    for (uint32_t i = 0; i < c->n_links; i++)
        if ((link_idx[i] = find_link(net, c->links[i])) < 0) {
            snprintf(field, sizeof field, "%s.links[%u]", base, i);
            fail(b, MIG_ECONFIG, field, "no link \"%s\" in the network (write \"from -> to\"; %s)", c->links[i],
                 mig_network_link_hint(net, c->links[i], &sg));
        }
    if (c->bus_to && mig_network_place(net, c->bus_to) < 0) {
        snprintf(field, sizeof field, "%s.bus_to", base);
        fail(b, MIG_ECONFIG, field, "unknown place \"%s\" (%s)", c->bus_to, mig_network_place_hint(net, c->bus_to, &sg));
    } else if (c->bus_to) {
        iv->bus_to = (uint32_t)mig_network_place(net, c->bus_to);
    }
}

/* The nationalities, places and links the intervention applies to. */
static void set_targets(const builder *b, const mig_intervention_cfg *c, mig_iv *iv, const int64_t *link_idx)
{
    const mig_network *net = b->net;
    for (uint32_t k = 0; k < b->cfg->n_nationalities; k++)
        iv->nat_on[k] = !c->n_nationalities || in_list(c->nationalities, c->n_nationalities, b->cfg->nationalities[k]);
    for (uint32_t p = 0; p < net->n_places; p++)
        iv->place_on[p] = (!c->n_places || in_list(c->places, c->n_places, net->place_name[p])) &&
                          (!c->n_countries || in_list(c->countries, c->n_countries, net->place_country[p]));
    for (uint32_t l = 0; l < net->n_links; l++) {
        int on = iv->place_on[net->link_to[l]];
        if (c->n_links) {
            int listed = 0;
            for (uint32_t i = 0; i < c->n_links; i++)
                listed |= link_idx[i] == (int64_t)l;
            on &= listed;
        }
        if (c->n_modes)
            on &= in_list(c->modes, c->n_modes, mig_mode_names[net->link_mode[l]]);
        iv->link_on[l] = (uint8_t)on;
    }
    if (ops[iv->type]->narrow)
        ops[iv->type]->narrow(iv, net);
}

/* enforcement_target: its targets series (a path relative to the scenario's folder) spread
 * over the run's days by the floor rule (mig_timeline_add_series), times scale. Problems in
 * the file are reported with its file:line:column and count as the scenario's errors. */
static mig_status load_target(builder *b, const mig_intervention_cfg *c, mig_iv *iv)
{
    char *path = mig_path_resolve(b->cfg->dir, c->targets);
    mig_status st;
    iv->target = calloc(b->cfg->days ? b->cfg->days : 1, sizeof *iv->target);
    if (!path || !iv->target) {
        free(path);
        return MIG_ENOMEM;
    }
    st = mig_timeline_add_series(iv->target, b->cfg->start_day, b->cfg->days, path,
                                 c->scale * b->cfg->agents_per_person, b->ctx);
    free(path);
    if (st == MIG_ENOMEM)
        return st;
    if (st != MIG_OK && !b->errors++)
        b->first = st;
    return MIG_OK;
}

/* Checks every name the intervention gives; fills its target arrays. */
static mig_status compile_iv(builder *b, const char *base, const mig_intervention_cfg *c, mig_iv *iv)
{
    const mig_network *net = b->net;
    int64_t *link_idx = calloc(c->n_links ? c->n_links : 1, sizeof *link_idx);
    iv->nat_on = calloc(b->cfg->n_nationalities ? b->cfg->n_nationalities : 1, 1);
    iv->link_on = calloc(net->n_links ? net->n_links : 1, 1);
    iv->place_on = calloc(net->n_places, 1);
    if (!iv->nat_on || !iv->link_on || !iv->place_on || !link_idx) {
        free(link_idx);
        return MIG_ENOMEM;
    }
    iv->type = c->kind;
    iv->cfg = c;
    iv->from_day = c->from_day;
    iv->to_day = c->to_day;
    iv->on_link = !c->on_link || strcmp(c->on_link, "finish") == 0 ? MIG_ON_LINK_FINISH
                  : strcmp(c->on_link, "return") == 0             ? MIG_ON_LINK_RETURN
                                                                  : MIG_ON_LINK_WAIT;
    iv->month = INT32_MIN;
    iv->p = c->probability;
    check_names(b, base, c, iv, link_idx);
    set_targets(b, c, iv, link_idx);
    free(link_idx);
    return c->targets ? load_target(b, c, iv) : MIG_OK;
}

static mig_status register_obs(mig_policy *pol, mig_obs *obs)
{
    static const mig_dim iv_place[] = { MIG_DIM_INTERVENTION, MIG_DIM_PLACE };
    mig_status st;
#define ADD(var, name, long_name, units)                                                       \
    if ((st = mig_obs_add(obs, name, long_name, units, 2, iv_place, &pol->var)) != MIG_OK)     \
        return st;
    ADD(v_apprehended, "policy_apprehended", "persons apprehended on arriving at the place, by intervention",
        "persons day-1")
    ADD(v_detained, "policy_detained", "persons held at the place at the end of the day, by intervention",
        "persons")
    ADD(v_deported, "policy_deported", "persons deported from detention at the place to their origin",
        "persons day-1")
    ADD(v_turned_back, "policy_turned_back",
        "persons turned back: bused south from detention at the place, returned to the place from a closed "
        "link, or kept at the place by a quota",
        "persons day-1")
    ADD(v_released, "policy_released", "persons released from detention at the place", "persons day-1")
    ADD(v_quota_used, "policy_quota_used", "departures admitted by a quota, at the place they left",
        "persons day-1")
#undef ADD
    for (uint32_t i = 0; i < pol->n_iv; i++)
        if (pol->iv[i].type == MIG_IV_ENFORCEMENT_TARGET) {
            static const mig_dim iv_only[] = { MIG_DIM_INTERVENTION };
            return mig_obs_add(obs, "policy_target_probability",
                               "per-passage apprehension probability an enforcement_target set for the day "
                               "(0 for other interventions and on days it is not in force)",
                               "1e-6", 1, iv_only, &pol->v_target_p);
        }
    return MIG_OK;
}

/* The interventions that catch on arrival, per link in intervention order (CSR). */
static mig_status index_catches(mig_policy *pol)
{
    uint32_t ne = 0;
    for (uint32_t i = 0; i < pol->n_iv; i++)
        if (ops[pol->iv[i].type]->catches)
            for (uint32_t l = 0; l < pol->n_links; l++)
                ne += pol->iv[i].link_on[l];
    pol->enf_iv = calloc(ne ? ne : 1, sizeof *pol->enf_iv);
    if (!pol->enf_iv)
        return MIG_ENOMEM;
    ne = 0;
    for (uint32_t l = 0; l < pol->n_links; l++) {
        pol->enf_start[l] = ne;
        for (uint32_t i = 0; i < pol->n_iv; i++)
            if (ops[pol->iv[i].type]->catches && pol->iv[i].link_on[l])
                pol->enf_iv[ne++] = i;
    }
    pol->enf_start[pol->n_links] = ne;
    return MIG_OK;
}

static mig_status alloc_policy(mig_policy *pol, uint32_t n)
{
    const size_t nl = pol->n_links ? pol->n_links : 1, nn = pol->n_nat, np = pol->n_places;
    pol->iv = calloc(n ? n : 1, sizeof *pol->iv);
    pol->label = calloc(n ? n : 1, sizeof *pol->label);
    pol->active = calloc(n ? n : 1, 1);
    pol->enf_start = calloc(nl + 1, sizeof *pol->enf_start);
    pol->link_factor = malloc(nn * nl * sizeof *pol->link_factor);
    pol->move_factor = malloc(nn * np * sizeof *pol->move_factor);
    pol->link_wait = calloc(nl, 1);
    pol->enf_today = calloc(nl, 1);
    pol->expel = calloc(nn * np, 1);
    pol->seen = calloc(n ? n : 1, sizeof *pol->seen);
    if (!pol->iv || !pol->label || !pol->active || !pol->enf_start || !pol->link_factor || !pol->move_factor ||
        !pol->link_wait || !pol->enf_today || !pol->expel || !pol->seen)
        return MIG_ENOMEM;
    for (size_t i = 0; i < nn * nl; i++)
        pol->link_factor[i] = 1.0;
    return MIG_OK;
}

static int factors(mig_policy *pol, int32_t day);

mig_status mig_policy_create(const mig_config *cfg, const mig_network *net, mig_obs *obs, mig_ctx *ctx,
                             mig_policy **out)
{
    mig_policy *pol = calloc(1, sizeof *pol);
    builder b = { cfg, net, ctx, 0, MIG_OK };
    mig_status st = MIG_ENOMEM;
    uint32_t n = 0, k = 0;
    char base[128];

    *out = NULL;
    if (!pol)
        return MIG_ENOMEM;
    pol->seed = cfg->seed;
    pol->n_nat = cfg->n_nationalities;
    pol->n_links = net->n_links;
    pol->n_places = net->n_places;
    pol->start_day = cfg->start_day;
    pol->rank0 = !ctx->comm || ctx->comm->rank == 0;
    for (uint32_t p = 0; p < cfg->n_packages; p++)
        if (cfg->packages[p].enabled)
            n += cfg->packages[p].n_interventions;
    if (alloc_policy(pol, n) != MIG_OK)
        goto fail;
    for (uint32_t p = 0; p < cfg->n_packages; p++) {
        const mig_package_cfg *pk = &cfg->packages[p];
        if (!pk->enabled)
            continue;
        for (uint32_t i = 0; i < pk->n_interventions; i++, k++) {
            snprintf(base, sizeof base, "packages[%u].interventions[%u]", p, i);
            pol->n_iv = k + 1;
            if (!(pol->label[k] = mig_asprintf("%s/%s", pk->name, pk->interventions[i].name)))
                goto fail;
            if ((st = compile_iv(&b, base, &pk->interventions[i], &pol->iv[k])) != MIG_OK)
                goto fail;
            st = MIG_ENOMEM;
        }
    }
    pol->n_iv = n;
    if (b.errors) {
        st = b.first;
        goto fail;
    }
    if (n > UINT16_MAX) {
        st = mig_ctx_error(ctx, MIG_ECONFIG, "%s: %u interventions; at most %u are supported", cfg->path, n,
                           (unsigned)UINT16_MAX);
        goto fail;
    }
    if ((st = index_catches(pol)) != MIG_OK ||
        (st = mig_obs_set_labels(obs, MIG_DIM_INTERVENTION, n, (const char *const *)pol->label)) != MIG_OK ||
        (st = register_obs(pol, obs)) != MIG_OK)
        goto fail;
    (void)factors(pol, cfg->start_day); /* the first day's factors, before the model builds routes */
    *out = pol;
    return MIG_OK;
fail:
    mig_policy_destroy(&pol);
    return st;
}

void mig_policy_scale_spawn(const mig_policy *pol, uint32_t place, uint16_t nat, int32_t start_day, uint32_t days,
                            uint32_t *daily)
{
    int any = 0;
    double sum = 0.0, prev_floor = 0.0;
    for (uint32_t i = 0; i < pol->n_iv; i++)
        any |= ops[pol->iv[i].type]->departures && pol->iv[i].place_on[place] && pol->iv[i].nat_on[nat];
    if (!any)
        return;
    for (uint32_t d = 0; d < days; d++) {
        int32_t day = start_day + (int32_t)d;
        double f = 1.0, fl;
        for (uint32_t i = 0; i < pol->n_iv; i++) {
            const mig_iv *iv = &pol->iv[i];
            if (ops[iv->type]->departures && iv->place_on[place] && iv->nat_on[nat] && day >= iv->from_day &&
                day <= iv->to_day)
                f *= ops[iv->type]->departures(iv);
        }
        sum += (double)daily[d] * f;
        fl = floor(sum + 1e-9);
        daily[d] = (uint32_t)(fl - prev_floor);
        prev_floor = fl;
    }
}

/* ---- the day ---------------------------------------------------------------------------- */

/* Which interventions are in force on day, and the factors that follow. Returns 1 when
 * the link factors changed. The link factors are a function of which interventions are in
 * force (a route op reads only its intervention and the nationality), so they are computed
 * again only on a day that changes that set (they start as those of none: 1, none closed). */
static int factors(mig_policy *pol, int32_t day)
{
    const size_t nl = pol->n_links, np = pol->n_places, nn = pol->n_nat;
    int changed = 0, same = 1;
    pol->day = day;
    memset(pol->expel, 0, nn * np);
    memset(pol->enf_today, 0, nl ? nl : 1);
    memset(pol->link_wait, 0, nl ? nl : 1);
    for (size_t i = 0; i < nn * np; i++)
        pol->move_factor[i] = 1.0;
    for (uint32_t i = 0; i < pol->n_iv; i++) {
        uint8_t on = day >= pol->iv[i].from_day && day <= pol->iv[i].to_day;
        same &= pol->active[i] == on;
        pol->active[i] = on;
    }
    if (!same)
        pol->any_closed = 0;
    for (size_t k = 0; k < nn && !same; k++)
        for (size_t l = 0; l < nl; l++) {
            double f = 1.0;
            for (uint32_t i = 0; i < pol->n_iv; i++)
                if (pol->active[i] && pol->iv[i].link_on[l] && ops[pol->iv[i].type]->route)
                    f = ops[pol->iv[i].type]->route(&pol->iv[i], k, f);
            if (f == 0.0)
                pol->any_closed = 1;
            if (pol->link_factor[k * nl + l] != f) {
                pol->link_factor[k * nl + l] = f;
                changed = 1;
            }
        }
    for (uint32_t i = 0; i < pol->n_iv; i++)
        if (pol->active[i] && ops[pol->iv[i].type]->mark)
            ops[pol->iv[i].type]->mark(pol, &pol->iv[i]);
    return changed;
}

mig_status mig_policy_day(mig_policy *pol, const mig_env *env, uint32_t step, int *links_changed, mig_ctx *ctx)
{
    (void)ctx;
    *links_changed = factors(pol, env->cfg->start_day + (int32_t)step);
    for (uint32_t i = 0; i < pol->n_iv; i++)
        if (pol->active[i] && ops[pol->iv[i].type]->day)
            ops[pol->iv[i].type]->day(pol, i, env);
    return MIG_OK;
}

/* ---- after decide ----------------------------------------------------------------------- */

/* Those who set off today (on a link, progress 0) along a link closed or barred to them stay. */
static void gate_closed(const mig_policy *pol, const mig_env *env)
{
    mig_agents *a = env->agents;
    const mig_network *net = env->net;
    const double *lf = pol->link_factor;
    const size_t n = a->n, nl = net->n_links;
    const int nt = env->threads;
#pragma omp parallel for num_threads(nt) default(none) shared(a, net, lf, n, nl)
    for (size_t i = 0; i < n; i++) {
        uint32_t l;
        if (a->state[i] != MIG_AGENT_ON_LINK || a->progress[i] != 0.0f)
            continue;
        l = a->loc[i];
        if (lf[(size_t)a->nat[i] * nl + l] == 0.0) {
            a->state[i] = MIG_AGENT_AT_PLACE;
            a->loc[i] = net->link_from[l];
        }
    }
}

typedef struct cand {
    uint64_t prio;
    size_t slot;
} cand;

/* Today's departures along quota i's links by its nationalities, caravans' members aside,
 * with their keyed priorities (a family shares one). *out is the caller's to free. */
static mig_status quota_candidates(const mig_policy *pol, uint32_t i, const mig_env *env, uint32_t step,
                                   cand **out, size_t *n_out)
{
    const mig_iv *iv = &pol->iv[i];
    const mig_agents *a = env->agents;
    cand *c = NULL;
    size_t nc = 0, cap_c = 0;
    for (size_t s = 0; s < a->n; s++) {
        uint32_t key, pur, g = a->group[s];
        if (a->state[s] != MIG_AGENT_ON_LINK || a->progress[s] != 0.0f || !iv->link_on[a->loc[s]] ||
            !iv->nat_on[a->nat[s]] || (g != MIG_NO_GROUP && env->group_speed[g] > 0.0f))
            continue;
        if (nc == cap_c) {
            cand *t = realloc(c, (cap_c = cap_c ? 2 * cap_c : 1024) * sizeof *c);
            if (!t) {
                free(c);
                return MIG_ENOMEM;
            }
            c = t;
        }
        mig_env_key(a, env->group_speed, s, MIG_RNG_QUOTA, &key, &pur);
        c[nc].prio = ((uint64_t)mig_rng_draw4(pol->seed, key, step, pur, i).w[0] << 32) | key;
        c[nc].slot = s;
        nc++;
    }
    *out = c;
    *n_out = nc;
    return MIG_OK;
}

/* The largest threshold *best with count(prio <= *best) <= cap over all ranks, by
 * bisection; *any is 0 when there is none. */
static mig_status quota_threshold(const cand *c, size_t nc, int64_t cap, mig_ctx *ctx, uint64_t *best, int *any)
{
    uint64_t lo = 0, hi = UINT64_MAX;
    mig_status st;
    *best = 0;
    *any = 0;
    while (lo <= hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        int64_t cnt = 0;
        for (size_t j = 0; j < nc; j++)
            cnt += c[j].prio <= mid;
        if ((st = sum_ranks(ctx, &cnt)) != MIG_OK)
            return st;
        if (cnt <= cap) {
            *best = mid;
            *any = 1;
            if (mid == UINT64_MAX)
                break;
            lo = mid + 1;
        } else {
            if (mid == 0)
                break;
            hi = mid - 1;
        }
    }
    return MIG_OK;
}

/* Quota i's cap today: per day, and what is left of its month. */
static int64_t quota_cap(mig_iv *iv, const mig_config *cfg, uint32_t step)
{
    int yy, mm, dd;
    int32_t month;
    int64_t cap = INT64_MAX;
    mig_date_parts(cfg->start_day + (int32_t)step, &yy, &mm, &dd);
    month = yy * 12 + mm - 1;
    if (iv->month != month) {
        iv->month = month;
        iv->month_used = 0;
    }
    if (iv->cfg->per_day >= 0.0)
        cap = (int64_t)floor(iv->cfg->per_day);
    if (iv->cfg->per_month >= 0.0 && (int64_t)floor(iv->cfg->per_month) - iv->month_used < cap)
        cap = (int64_t)floor(iv->cfg->per_month) - iv->month_used;
    return cap < 0 ? 0 : cap;
}

/* Quota i: of today's departures along its links by its nationalities, admit those of
 * lowest keyed priority up to the cap (a family shares one priority, so it is admitted
 * or kept whole); the rest stay. Counts over all ranks, so the cap holds globally. */
static mig_status quota_gate(mig_policy *pol, uint32_t i, const mig_env *env, uint32_t step, mig_ctx *ctx)
{
    mig_iv *iv = &pol->iv[i];
    mig_agents *a = env->agents;
    const mig_network *net = env->net;
    const size_t np = net->n_places;
    const int64_t cap = quota_cap(iv, env->cfg, step);
    cand *c;
    size_t nc;
    int64_t total, admitted = 0;
    uint64_t best = 0;
    int any = 1;
    mig_status st;

    if (quota_candidates(pol, i, env, step, &c, &nc) != MIG_OK)
        return mig_ctx_error(ctx, MIG_ENOMEM, "out of memory for a quota");
    total = (int64_t)nc;
    if ((st = sum_ranks(ctx, &total)) != MIG_OK ||
        (total > cap && (st = quota_threshold(c, nc, cap, ctx, &best, &any)) != MIG_OK))
        goto mpi_fail;
    for (size_t j = 0; j < nc; j++) {
        size_t s = c[j].slot;
        uint32_t from = net->link_from[a->loc[s]];
        if (total <= cap || (any && c[j].prio <= best)) {
            pol->v_quota_used[(size_t)i * np + from]++;
            admitted++;
            continue;
        }
        a->state[s] = MIG_AGENT_AT_PLACE;
        a->loc[s] = from;
        pol->v_turned_back[(size_t)i * np + from]++;
    }
    if (total <= cap)
        admitted = total;
    else if ((st = sum_ranks(ctx, &admitted)) != MIG_OK)
        goto mpi_fail;
    iv->month_used += admitted;
    free(c);
    return MIG_OK;
mpi_fail:
    free(c);
    return mig_ctx_error(ctx, st, "MPI_Allreduce for a quota failed");
}

mig_status mig_policy_gate(mig_policy *pol, const mig_env *env, uint32_t step, mig_ctx *ctx)
{
    mig_status st;
    if (pol->any_closed)
        gate_closed(pol, env);
    for (uint32_t i = 0; i < pol->n_iv; i++)
        if (pol->active[i] && ops[pol->iv[i].type]->gate &&
            (st = ops[pol->iv[i].type]->gate(pol, i, env, step, ctx)) != MIG_OK)
            return st;
    return MIG_OK;
}

/* ---- travel ------------------------------------------------------------------------------ */

int mig_policy_apprehend(const mig_policy *pol, const mig_env *env, size_t i, uint32_t l, uint32_t step,
                         int64_t *hist)
{
    mig_agents *a = env->agents;
    const uint32_t to = env->net->link_to[l];
    uint32_t key, pur;
    double u;
    if (!pol->enf_today[l])
        return 0;
    mig_env_key(a, env->group_speed, i, MIG_RNG_ENFORCE, &key, &pur);
    u = mig_rng_u01(mig_rng_draw(pol->seed, key, step, pur).w[0]);
    for (uint32_t k = pol->enf_start[l]; k < pol->enf_start[l + 1]; k++) {
        const uint32_t j = pol->enf_iv[k];
        const mig_iv *iv = &pol->iv[j];
        const double p = iv->p;
        uint32_t g;
        if (!pol->active[j] || !iv->nat_on[a->nat[i]])
            continue;
        if (iv->type == MIG_IV_ENFORCEMENT_TARGET)
            hist[(size_t)pol->n_iv * pol->n_places + j]++; /* a passage it saw */
        if (!(u < p)) {
            /* not by this one: the rest of u is uniform for the next */
            u = p < 1.0 ? (u - p) / (1.0 - p) : 0.5;
            continue;
        }
        hist[(size_t)j * pol->n_places + to]++;
        g = a->group[i];
        if (g != MIG_NO_GROUP && env->group_speed[g] > 0.0f)
            a->group[i] = MIG_NO_GROUP; /* out of the caravan */
        a->state[i] = MIG_AGENT_DETAINED;
        a->loc[i] = to;
        a->progress[i] = (float)(step + iv->cfg->detention_days);
        a->held_by[i] = (uint16_t)j;
        return 1;
    }
    return 0;
}

/* ---- after travel ------------------------------------------------------------------------ */

/* Releases those due: deported to the origin, bused to bus_to, or released in place. */
mig_status mig_policy_after_travel(mig_policy *pol, const mig_env *env, uint32_t step, mig_ctx *ctx)
{
    mig_agents *a = env->agents;
    const size_t np = pol->n_places;
    mig_status st;
    if ((st = target_count(pol, ctx)) != MIG_OK)
        return st;
    for (size_t i = 0; i < a->n; i++) {
        const mig_iv *iv;
        uint32_t key, pur, j, at;
        double u;
        if (a->state[i] != MIG_AGENT_DETAINED || a->progress[i] > (float)step)
            continue;
        j = a->held_by[i];
        iv = &pol->iv[j];
        at = a->loc[i];
        mig_env_key(a, env->group_speed, i, MIG_RNG_RELEASE, &key, &pur);
        u = mig_rng_u01(mig_rng_draw(pol->seed, key, step, pur).w[0]);
        a->state[i] = MIG_AGENT_AT_PLACE;
        a->progress[i] = 0.0f;
        a->held_by[i] = 0;
        if (u < iv->cfg->deport) {
            a->loc[i] = a->origin[i];
            a->flags[i] = 0;
            pol->v_deported[(size_t)j * np + at]++;
        } else if (u < iv->cfg->deport + iv->cfg->bus_south) {
            a->loc[i] = iv->bus_to;
            a->flags[i] = 0;
            pol->v_turned_back[(size_t)j * np + at]++;
        } else {
            pol->v_released[(size_t)j * np + at]++;
        }
    }
    return MIG_OK;
}

/* ---- checkpoint -------------------------------------------------------------------------- */

#define IV_STATE 2

/* month and month_used for every intervention, and passages for an enforcement_target */
size_t mig_policy_state_size(const mig_policy *pol)
{
    size_t n = (size_t)pol->n_iv * IV_STATE;
    for (uint32_t i = 0; i < pol->n_iv; i++)
        n += pol->iv[i].type == MIG_IV_ENFORCEMENT_TARGET;
    return n;
}

void mig_policy_state_get(const mig_policy *pol, double *out)
{
    for (uint32_t i = 0; i < pol->n_iv; i++) {
        *out++ = pol->iv[i].month;
        *out++ = (double)pol->iv[i].month_used;
        if (pol->iv[i].type == MIG_IV_ENFORCEMENT_TARGET)
            *out++ = (double)pol->iv[i].passages;
    }
}

int mig_policy_state_check(const mig_policy *pol, const double *in, size_t *bad)
{
    const double *v = in;
    for (uint32_t i = 0; i < pol->n_iv; i++) {
        const int n = 2 + (pol->iv[i].type == MIG_IV_ENFORCEMENT_TARGET);
        for (int k = 0; k < n; k++, v++) {
            const double lo = k ? 0.0 : (double)INT32_MIN, hi = k ? 9007199254740992.0 : (double)INT32_MAX;
            if (!isfinite(*v) || *v < lo || *v > hi || *v != floor(*v)) {
                *bad = (size_t)(v - in);
                return 1;
            }
        }
    }
    return 0;
}

void mig_policy_state_set(mig_policy *pol, const double *in)
{
    for (uint32_t i = 0; i < pol->n_iv; i++) {
        pol->iv[i].month = (int32_t)*in++;
        pol->iv[i].month_used = (int64_t)*in++;
        if (pol->iv[i].type == MIG_IV_ENFORCEMENT_TARGET)
            pol->iv[i].passages = (int64_t)*in++;
    }
}
