/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_caravan.c: caravans. Compiled once from the scenario against the network; each day
 * they assemble, set off, walk and dissolve as configured (see mig_caravan.h). Joining is
 * a draw keyed by agent, step and caravan; groups and spawned members come from the world
 * through the env's services. */
#include "mig_caravan.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "mig_comm.h"
#include "mig_date.h"
#include "mig_rng.h"
#include "mig_util.h"

void mig_caravan_destroy(mig_caravans **p)
{
    mig_caravans *cs;
    if (!MIG_TAKE(cs, p))
        return;
    for (uint32_t c = 0; c < cs->n; c++)
        free(cs->list[c].link);
    free(cs->list);
    free(cs);
}

/* Caravan cc's route as links; every problem is reported, the first's status kept in *first. */
static mig_status compile_caravan(const mig_config *cfg, const mig_network *net, uint32_t c, mig_caravan *cv,
                                  mig_ctx *ctx, mig_status *first)
{
    const mig_caravan_cfg *cc = &cfg->caravans[c];
    char field[192];
    int64_t prev = -1;
    cv->link = calloc(cc->n_route, sizeof *cv->link);
    if (!cv->link)
        return MIG_ENOMEM;
    cv->n_links = cc->n_route - 1;
    cv->speed = (float)cc->speed_km_day;
    cv->size = llround((double)cc->size * cfg->agents_per_person);
    if (cv->size < 1)
        cv->size = 1;
    cv->status = MIG_CARAVAN_PENDING;
    for (uint32_t i = 0; i < cc->n_route; i++) {
        int64_t p = mig_network_place(net, cc->route[i]), l;
        mig_status st = MIG_OK;
        snprintf(field, sizeof field, "caravans[%u].route[%u]", c, i);
        if (p < 0) {
            mig_suggest sg;
            st = mig_config_diag(cfg, ctx, MIG_ECONFIG, field, "unknown place \"%s\" (%s)", cc->route[i],
                                 mig_network_place_hint(net, cc->route[i], &sg));
        } else if (prev >= 0 && (l = mig_network_link(net, (uint32_t)prev, (uint32_t)p)) < 0)
            st = mig_config_diag(cfg, ctx, MIG_EDATA, field,
                                 "no link leads here from the previous place of the route (\"%s\")", cc->route[i - 1]);
        else if (prev >= 0)
            cv->link[i - 1] = (uint32_t)l;
        if (st != MIG_OK && *first == MIG_OK)
            *first = st;
        prev = p;
    }
    return MIG_OK;
}

mig_status mig_caravan_create(const mig_config *cfg, const mig_network *net, mig_obs *obs, mig_ctx *ctx,
                              mig_caravans **out)
{
    static const mig_dim place[] = { MIG_DIM_PLACE };
    mig_caravans *cs = calloc(1, sizeof *cs);
    mig_status st = MIG_ENOMEM, first = MIG_OK;

    *out = NULL;
    if (!cs || !(cs->list = calloc(cfg->n_caravans ? cfg->n_caravans : 1, sizeof *cs->list)))
        goto fail;
    cs->seed = cfg->seed;
    for (uint32_t c = 0; c < cfg->n_caravans; c++) {
        cs->n = c + 1;
        if ((st = compile_caravan(cfg, net, c, &cs->list[c], ctx, &first)) != MIG_OK)
            goto fail;
    }
    if ((st = first) != MIG_OK ||
        (st = mig_obs_add(obs, "caravan_members", "persons walking in caravans, at the place they are at or last left",
                          "persons", 1, place, &cs->v_members)) != MIG_OK)
        goto fail;
    *out = cs;
    return MIG_OK;
fail:
    mig_caravan_destroy(&cs);
    return st;
}

/* ---- the day ---------------------------------------------------------------------------- */

static mig_status sum_ranks(mig_ctx *ctx, int64_t *v)
{
    return ctx->comm && ctx->comm->size > 1 ? mig_comm_sum_i64(ctx->comm, v, 1) : MIG_OK;
}

/* Members of caravan cv at the caravan's place set off along its next link. */
static void set_off(const mig_env *env, const mig_caravan *cv)
{
    mig_agents *a = env->agents;
    const uint32_t l = cv->link[cv->at], g = cv->group;
    const size_t n = a->n;
    const int nt = env->threads;
#pragma omp parallel for num_threads(nt) default(none) shared(a, n, l, g)
    for (size_t i = 0; i < n; i++)
        if (a->group[i] == g && a->state[i] == MIG_AGENT_AT_PLACE) {
            a->state[i] = MIG_AGENT_ON_LINK;
            a->loc[i] = l;
            a->progress[i] = 0.0f;
        }
}

static void dissolve(const mig_env *env, mig_caravan *cv)
{
    mig_agents *a = env->agents;
    const uint32_t g = cv->group;
    const size_t n = a->n;
    const int nt = env->threads;
#pragma omp parallel for num_threads(nt) default(none) shared(a, n, g)
    for (size_t i = 0; i < n; i++)
        if (a->group[i] == g)
            a->group[i] = MIG_NO_GROUP;
    cv->status = MIG_CARAVAN_DISSOLVED;
}

/* Those without a group at the caravan's place join with probability size / present (all
 * when fewer are present); *present and *joined count over all ranks. */
static mig_status recruit(const mig_caravans *cs, uint32_t c, const mig_env *env, uint32_t place, uint32_t step,
                          int64_t *present, int64_t *joined, mig_ctx *ctx)
{
    const int64_t size = cs->list[c].size;
    mig_agents *a = env->agents;
    const uint32_t g = cs->list[c].group;
    double q;
    mig_status st;
    *present = *joined = 0;
    for (size_t i = 0; i < a->n; i++)
        *present += a->state[i] == MIG_AGENT_AT_PLACE && a->loc[i] == place && a->group[i] == MIG_NO_GROUP;
    if ((st = sum_ranks(ctx, present)) != MIG_OK)
        return st;
    q = *present > size ? (double)size / (double)*present : 1.0;
    for (size_t i = 0; i < a->n; i++)
        if (a->state[i] == MIG_AGENT_AT_PLACE && a->loc[i] == place && a->group[i] == MIG_NO_GROUP &&
            mig_rng_u01(mig_rng_draw4(cs->seed, a->id[i], step, MIG_RNG_CARAVAN, c).w[0]) < q) {
            a->group[i] = g;
            (*joined)++;
        }
    return sum_ranks(ctx, joined);
}

/* The shortfall need arrives to join, split by the caravan's shares with the floor rule. */
static mig_status spawn_shortfall(const mig_caravan_cfg *cc, uint32_t group, const mig_env *env, uint32_t place,
                                  int64_t need, uint32_t step, mig_ctx *ctx)
{
    double total = 0.0, run = 0.0, prev = 0.0;
    mig_agents *a = env->agents;
    mig_status st;
    for (uint32_t k = 0; k < cc->n_nationalities; k++)
        total += cc->n_shares ? cc->shares[k] : 1.0;
    for (uint32_t k = 0; k < cc->n_nationalities; k++) {
        size_t first, count;
        double fl;
        run += (double)need * (cc->n_shares ? cc->shares[k] : 1.0) / total;
        fl = k + 1 == cc->n_nationalities ? (double)need : floor(run + 1e-9);
        count = (size_t)(fl - prev);
        prev = fl;
        st = env->spawn(env->world, count, place, (uint16_t)mig_config_nationality(env->cfg, cc->nationalities[k]),
                        step, &first, ctx);
        if (st != MIG_OK)
            return st;
        for (size_t i = first; i < a->n; i++)
            a->group[i] = group;
    }
    return MIG_OK;
}

static mig_status assemble(mig_caravans *cs, uint32_t c, const mig_env *env, uint32_t step, mig_ctx *ctx)
{
    const mig_caravan_cfg *cc = &env->cfg->caravans[c];
    mig_caravan *cv = &cs->list[c];
    const uint32_t place = env->net->link_from[cv->link[0]];
    int64_t present, joined, spawned = 0;
    char date[16];
    mig_status st;

    if ((st = env->new_group(env->world, 1.0f, cv->speed, &cv->group)) != MIG_OK)
        return mig_ctx_error(ctx, st, "out of memory for groups");
    if ((st = recruit(cs, c, env, place, step, &present, &joined, ctx)) != MIG_OK)
        return mig_ctx_error(ctx, st, "MPI_Allreduce of a caravan's count failed");
    if (present < cv->size && cc->n_nationalities) {
        spawned = cv->size - present;
        if ((st = spawn_shortfall(cc, cv->group, env, place, spawned, step, ctx)) != MIG_OK)
            return st;
    }
    cv->members = joined + spawned;
    cv->status = MIG_CARAVAN_WALKING;
    mig_date_format(env->cfg->start_day + (int32_t)step, date);
    mig_log(ctx, MIG_LOG_INFO, "caravan %s assembled at %s on %s: %lld members (%lld of %lld present joined, %lld "
                "arrived to join)", cc->name, env->net->place_name[place], date, (long long)cv->members,
                (long long)joined, (long long)present, (long long)spawned);
    return MIG_OK;
}

mig_status mig_caravan_day(mig_caravans *cs, const mig_policy *pol, const mig_env *env, uint32_t step,
                           mig_ctx *ctx)
{
    const int32_t day = env->cfg->start_day + (int32_t)step;
    const size_t nl = env->net->n_links;
    mig_status st;
    for (uint32_t c = 0; c < cs->n; c++) {
        mig_caravan *cv = &cs->list[c];
        int open = 1;
        if (cv->status == MIG_CARAVAN_PENDING && env->cfg->caravans[c].day == day &&
            (st = assemble(cs, c, env, step, ctx)) != MIG_OK)
            return st;
        if (cv->status == MIG_CARAVAN_WALKING && cv->ending) {
            dissolve(env, cv);
            cv->dissolved_day = day;
            continue;
        }
        if (cv->status != MIG_CARAVAN_WALKING || cv->on_link)
            continue;
        /* at a place of its route: on along the next link unless it is closed to anyone */
        for (uint32_t k = 0; k < env->n_nat; k++)
            open &= pol->link_factor[(size_t)k * nl + cv->link[cv->at]] > 0.0;
        if (open) {
            set_off(env, cv);
            cv->on_link = 1;
            cv->progress = 0.0f;
        }
    }
    return MIG_OK;
}

/* ---- after decide ----------------------------------------------------------------------- */

void mig_caravan_gate(const mig_caravans *cs, const mig_env *env)
{
    mig_agents *a = env->agents;
    const mig_network *net = env->net;
    const float *gspeed = env->group_speed;
    const mig_caravan *cv = cs->list;
    const uint32_t ncv = cs->n;
    const size_t n = a->n;
    const int nt = env->threads;
    int walking = 0;
    for (uint32_t c = 0; c < ncv; c++)
        walking |= cv[c].status == MIG_CARAVAN_WALKING;
    if (!walking)
        return;
#pragma omp parallel for num_threads(nt) default(none) shared(a, net, gspeed, cv, ncv, n)
    for (size_t i = 0; i < n; i++) {
        uint32_t l, g = a->group[i];
        int stay = 1;
        if (a->state[i] != MIG_AGENT_ON_LINK || a->progress[i] != 0.0f || g == MIG_NO_GROUP || !(gspeed[g] > 0.0f))
            continue;
        /* a caravan member goes only where its caravan set off to today */
        l = a->loc[i];
        for (uint32_t c = 0; c < ncv; c++)
            if (cv[c].group == g && cv[c].status == MIG_CARAVAN_WALKING && cv[c].on_link &&
                cv[c].link[cv[c].at] == l && cv[c].progress == 0.0f)
                stay = 0;
        if (stay) {
            a->state[i] = MIG_AGENT_AT_PLACE;
            a->loc[i] = net->link_from[l];
        }
    }
}

/* ---- after travel ------------------------------------------------------------------------ */

/* Caravan cv's day on link l, with the same arithmetic as the members' own progress in the
 * travel phase; returns 1 when it arrived at the link's end. */
static int walk(mig_caravan *cv, const mig_policy *pol, const mig_network *net, uint32_t l)
{
    cv->days++;
    if (pol->link_wait[l])
        return 0; /* a closed link with waiting: nobody moves */
    if (cv->progress + cv->speed < (float)net->link_km[l]) {
        cv->progress += cv->speed;
        cv->km += cv->speed;
        return 0;
    }
    cv->km += net->link_km[l] - cv->progress;
    cv->progress = 0.0f;
    cv->on_link = 0;
    cv->at++;
    return 1;
}

mig_status mig_caravan_after_travel(mig_caravans *cs, const mig_policy *pol, const mig_env *env, uint32_t step,
                                    mig_ctx *ctx)
{
    const int32_t day = env->cfg->start_day + (int32_t)step;
    const mig_network *net = env->net;
    for (uint32_t c = 0; c < cs->n; c++) {
        mig_caravan *cv = &cs->list[c];
        const mig_caravan_cfg *cc = &env->cfg->caravans[c];
        const char *why = NULL;
        int arrived;
        uint32_t l;
        char date[16];
        if (cv->status != MIG_CARAVAN_WALKING || !cv->on_link || cv->ending)
            continue;
        l = cv->link[cv->at];
        arrived = walk(cv, pol, net, l);
        if (arrived && cc->dissolve_on_enforcement && pol->enf_today[l])
            why = "met enforcement";
        else if (cc->dissolve_km > 0.0 && cv->km >= cc->dissolve_km - 1e-9)
            why = "walked its distance";
        else if (cc->dissolve_days && cv->days >= cc->dissolve_days)
            why = "walked its days";
        else if (arrived && cv->at == cv->n_links)
            why = "reached the end of its route";
        if (!why)
            continue;
        cv->ending = 1;
        mig_date_format(day + 1, date);
        mig_log(ctx, MIG_LOG_INFO, "caravan %s dissolves %s %s%s%s from %s: %s (%u days, %.1f km)", cc->name,
                cv->on_link ? "on the way from" : "at",
                net->place_name[cv->on_link ? net->link_from[l] : net->link_to[l]], cv->on_link ? " to " : "",
                cv->on_link ? net->place_name[net->link_to[l]] : "", date, why, cv->days, cv->km);
    }
    return MIG_OK;
}

/* ---- checkpoint -------------------------------------------------------------------------- */

/* A caravan's checkpointed state: X(field, type, lowest, highest), written once for the size,
 * get, check and set; the bounds may use cv (the caravan) and n_groups. */
#define CARAVAN_STATE(X)                                                                                          \
    X(status, int, MIG_CARAVAN_PENDING, MIG_CARAVAN_DISSOLVED)                                                    \
    X(group, uint32_t, 0, (cv->status == MIG_CARAVAN_PENDING ? (double)UINT32_MAX : (double)n_groups - 1))        \
    X(at, uint32_t, 0, cv->n_links) X(on_link, int, 0, 1) X(progress, float, 0, 1e9) X(km, double, 0, 1e15)      \
    X(days, uint32_t, 0, UINT32_MAX) X(members, int64_t, 0, 9007199254740992.0)                                  \
    X(dissolved_day, int32_t, INT32_MIN, INT32_MAX) X(ending, int, 0, 1)

size_t mig_caravan_state_size(const mig_caravans *cs)
{
#define ONE(f, t, lo, hi) +1
    return (size_t)cs->n * (0 CARAVAN_STATE(ONE));
#undef ONE
}

void mig_caravan_state_get(const mig_caravans *cs, double *out)
{
    for (uint32_t c = 0; c < cs->n; c++) {
        const mig_caravan *cv = &cs->list[c];
#define GET(f, t, lo, hi) *out++ = (double)cv->f;
        CARAVAN_STATE(GET)
#undef GET
    }
}

int mig_caravan_state_check(const mig_caravans *cs, const double *in, uint32_t n_groups, size_t *bad)
{
    const double *v = in;
    for (uint32_t c = 0; c < cs->n; c++) {
        /* the bounds read the caravan's status as the checkpoint gives it (status comes first) */
        mig_caravan probe = cs->list[c], *cv = &probe;
        probe.status = isfinite(v[0]) && v[0] >= 0 && v[0] <= MIG_CARAVAN_DISSOLVED ? (int)v[0] : 0;
#define CHECK(f, t, lo, hi)                                                                                       \
        if (!isfinite(*v) || *v < (double)(lo) || *v > (double)(hi) || (double)(t)*v != *v) {                     \
            *bad = (size_t)(v - in);                                                                              \
            return 1;                                                                                             \
        }                                                                                                         \
        v++;
        CARAVAN_STATE(CHECK)
#undef CHECK
    }
    return 0;
}

void mig_caravan_state_set(mig_caravans *cs, const double *in)
{
    for (uint32_t c = 0; c < cs->n; c++) {
        mig_caravan *cv = &cs->list[c];
#define SET(f, t, lo, hi) cv->f = (t)*in++;
        CARAVAN_STATE(SET)
#undef SET
    }
}
