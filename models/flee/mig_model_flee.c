/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_model_flee.c: Flee's rules (Suleimenova et al. 2017; Flee 3, djgroen/flee), run on a
 * Flee input folder read natively (mig_flee_data). Each day: the conflicts of the day, the
 * closures in force, the places' move chances and scores (timeline); spawning from the
 * camps' registration totals with debt, origins drawn by population x intensity x decay
 * (spawn); then every agent decides and travels for the whole day (decide: several links a
 * day, the first on foot, paths committed to, closures sending agents back), reading
 * capacity factors the engine computed once for the day. The rule functions are exported
 * for the unit tests (mig_model_flee.h). */
#include "mig_model_flee.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mig_comm.h"
#include "mig_model.h"
#include "mig_rng.h"
#include "mig_util.h"

#define R MIG_FLEE_MAX_AWARENESS
#define PURPOSE_MOVE (MIG_RNG_MODEL + 0)
#define PURPOSE_SPAWN (MIG_RNG_MODEL + 1)
#define PURPOSE_ADMIT (MIG_RNG_MODEL + 2)
#define MAX_HOPS 64 /* links an agent may finish in one day (Flee stops at its recursion limit) */

/* ---- rules ------------------------------------------------------------------------------ */

double mig_flee_decay(const mig_flee_cfg *c, int32_t days_since_onset)
{
    uint32_t i = days_since_onset < 0 ? 0 : (uint32_t)days_since_onset / c->spawn_decay_interval;
    return c->spawn_decay[i < c->n_spawn_decay ? i : c->n_spawn_decay - 1];
}

void mig_flee_spawn_count(const int64_t *total_today, const int64_t *total_yesterday, int64_t *debt, int64_t *out)
{
    int64_t n = *total_today - *total_yesterday - *debt;
    if (n < 0) {
        *debt = -n;
        n = 0;
    } else {
        *debt = 0;
    }
    *out = n;
}

/* Today's state of every place from the conflicts, closures and settings of the day. */
void mig_flee_places_day(mig_flee_state *s, const mig_network *net, uint32_t step)
{
    const mig_flee_cfg *c = s->cfg;
    const mig_flee_data *d = s->data;
    const uint32_t np = net->n_places;
    const uint32_t row = d->n_days ? (step < d->n_days ? step : d->n_days - 1) : 0;
    memset(s->camp_closed, 0, np);
    memset(s->link_closed, 0, net->n_links ? net->n_links : 1);
    for (uint32_t i = 0; i < d->n_closures; i++) {
        const mig_flee_closure *k = &d->closures[i];
        if ((int32_t)step < k->start || (int32_t)step >= k->end)
            continue;
        if (k->type == MIG_FLEE_CLOSE_CAMP)
            s->camp_closed[k->a] = 1;
        for (uint32_t l = 0; k->type != MIG_FLEE_CLOSE_CAMP && l < net->n_links; l++) {
            uint32_t f = net->link_from[l], t = net->link_to[l];
            if (k->type == MIG_FLEE_CLOSE_COUNTRY) {
                f = d->country[f];
                t = d->country[t];
            }
            if (k->type == MIG_FLEE_CLOSE_LOCATION ? (f == k->a || t == k->a)
                                                   : ((f == k->a && t == k->b) || (f == k->b && t == k->a)))
                s->link_closed[l] = 1;
        }
    }
    for (uint32_t p = 0; p < np; p++) {
        double v = d->n_days ? d->intensity[(size_t)row * np + p] : 0.0, mc, score = 1.0;
        uint8_t type = d->type[p];
        if (v > 0.0 && !(s->conflict[p] > 0.0))
            s->onset[p] = (int32_t)step;
        s->conflict[p] = v;
        if (type == MIG_FLEE_CAMP && s->camp_closed[p])
            type = MIG_FLEE_TOWN;
        mc = v > 0.0                     ? c->conflict_movechance
             : type == MIG_FLEE_CAMP    ? c->camp_movechance
             : type == MIG_FLEE_IDPCAMP ? c->idpcamp_movechance
             : type == MIG_FLEE_HUB     ? 1.0
                                        : c->default_movechance;
        s->movechance[p] = mc;
        s->camp[p] = mc < 0.005;
        s->town[p] = !s->camp[p] && type != MIG_FLEE_IDPCAMP && type != MIG_FLEE_HUB;
        if (d->foreign[p])
            score *= c->foreign_weight;
        if (s->camp[p] || type == MIG_FLEE_IDPCAMP)
            score *= c->camp_weight;
        if (v > 0.0)
            score *= pow(c->conflict_weight, mig_flee_decay(c, (int32_t)step - s->onset[p]) * v);
        s->score[p] = score;
    }
}

/* ---- paths ------------------------------------------------------------------------------ */

/* A walk over the loop-free paths of 1..awareness_level open links from a place, in a fixed
 * order: summing their weights, or picking the one where the running sum passes target. */
typedef struct walk {
    const mig_flee_state *s;
    const mig_network *net;
    const double *cap;        /* the engine's capacity factors of the day */
    uint32_t origin;
    uint16_t path[R];
    double sum, target;       /* target < 0: only sum */
    uint32_t n, nth;          /* paths seen; with equal weights, the one to pick */
    int picked;
    uint16_t *out;            /* [R] the path picked */
    uint8_t out_len;
} walk;

/* 1 / (softening + km)^distance_power (a division for the usual power 1). */
static double inv_distance(const mig_flee_cfg *c, double km)
{
    return c->distance_power == 1.0 ? 1.0 / (c->softening + km) : pow(c->softening + km, -c->distance_power);
}

double mig_flee_path_weight(const mig_flee_state *s, const double *cap, uint32_t end, double km)
{
    return s->score[end] * inv_distance(s->cfg, km) * cap[end];
}

static int on_path(const walk *k, uint32_t q, uint32_t depth)
{
    if (q == k->origin)
        return 1;
    for (uint32_t i = 0; i < depth; i++)
        if (k->path[i] == q)
            return 1;
    return 0;
}

static void visit(walk *k, double wt, uint32_t len)
{
    int take;
    k->sum += wt;
    take = k->target >= 0.0 ? k->sum > k->target : k->nth == k->n;
    k->n++;
    if (k->picked || k->target == -1.0 || !take)
        return;
    k->picked = 1;
    memcpy(k->out, k->path, len * sizeof *k->path);
    k->out_len = (uint8_t)len;
}

static void paths(walk *k, uint32_t p, uint32_t depth, double km)
{
    const mig_network *net = k->net;
    if (depth >= R)
        return;
    for (uint32_t j = net->out_start[p]; j < net->out_start[p + 1] && !k->picked; j++) {
        uint32_t l = net->out_link[j], q = net->link_to[l];
        double d = km + net->link_km[l];
        if (k->s->link_closed[l] || on_path(k, q, depth))
            continue;
        k->path[depth] = (uint16_t)q;
        visit(k, k->s->score[q] * (depth ? inv_distance(k->s->cfg, d) : k->s->link_inv[l]) * k->cap[q], depth + 1);
        if (depth + 1 < k->s->cfg->awareness_level)
            paths(k, q, depth + 1, d);
    }
}

uint8_t mig_flee_select_path(const mig_flee_state *s, const mig_network *net, const double *cap, uint32_t p,
                             double u, uint16_t out[R])
{
    walk k = { .s = s, .net = net, .cap = cap, .origin = p, .target = -1.0, .out = out };
    paths(&k, p, 0, 0.0);
    if (k.n == 0)
        return 0;
    if (k.sum > 0.0) {
        k.target = u * k.sum; /* the first path whose running sum passes it */
    } else {
        k.target = -2.0;      /* all weigh 0: Flee weighs them equally */
        k.nth = (uint32_t)(u * k.n);
    }
    k.sum = 0.0;
    k.n = 0;
    paths(&k, p, 0, 0.0);
    if (!k.picked) { /* rounding left the sum short of the target: the last path */
        k.target = -2.0;
        k.nth = k.n - 1;
        k.sum = 0.0;
        k.n = 0;
        paths(&k, p, 0, 0.0);
    }
    return k.out_len;
}

/* ---- an agent's day --------------------------------------------------------------------- */

/* The next link of agent k's route from p, or MIG_NO_LINK (the route is then dropped): the
 * link must be open, and the route's end must not be a camp nearly full today. A late step
 * (after an arrival today) towards a camp is noted for mig_flee_admit. */
static uint32_t next_link(const mig_flee_state *s, const mig_world *w, size_t k, uint32_t p, int late)
{
    const mig_network *net = w->net;
    uint16_t *route = s->route + k * R;
    const uint32_t q = route[0], end = route[s->route_len[k] - 1];
    uint32_t link = MIG_NO_LINK;
    for (uint32_t j = net->out_start[p]; j < net->out_start[p + 1]; j++)
        if (net->link_to[net->out_link[j]] == q && !s->link_closed[net->out_link[j]])
            link = net->out_link[j];
    if (link == MIG_NO_LINK || (s->camp[end] && w->cap_factor[end] < MIG_CAPACITY_FULL)) {
        s->route_len[k] = 0;
        return MIG_NO_LINK;
    }
    if (late && s->camp[end] && s->late_camp[k] == MIG_FLEE_NONE) {
        s->late_camp[k] = (uint16_t)end;
        s->late_from[k] = (uint16_t)p;
    }
    memmove(route, route + 1, (size_t)(s->route_len[k] - 1) * sizeof *route);
    s->route_len[k]--;
    return link;
}

/* Flee's evolve for agent slot i (id slot k) at a place: move with the place's chance (1 on a
 * route, or at a town when forced), choosing a path when it has none; u: the decision's two
 * keyed words (move, path); late: after an arrival today. */
static void evolve(const mig_flee_state *s, mig_world *w, size_t i, size_t k, const uint32_t u[2], int force,
                   int late)
{
    mig_agents *a = w->agents;
    const uint32_t p = a->loc[i];
    const double mc = (force && s->town[p]) || s->route_len[k] ? 1.0 : s->movechance[p];
    uint32_t link;
    if (!(mig_rng_u01(u[0]) < mc))
        return;
    if (!s->route_len[k])
        s->route_len[k] = mig_flee_select_path(s, w->net, w->cap_factor, p, mig_rng_u01(u[1]), s->route + k * R);
    if (!s->route_len[k] || (link = next_link(s, w, k, p, late)) == MIG_NO_LINK)
        return;
    a->state[i] = MIG_AGENT_ON_LINK;
    a->loc[i] = link;
    a->progress[i] = 0.0f;
}

void mig_flee_agent_day(const mig_flee_state *s, mig_world *w, size_t i, uint32_t step, const uint32_t u0[2])
{
    mig_agents *a = w->agents;
    const mig_network *net = w->net;
    const mig_flee_cfg *c = s->cfg;
    const size_t k = a->id[i] / a->nranks;
    double moved = 0.0;
    uint32_t hop = 1;
    if (a->state[i] == MIG_AGENT_AT_PLACE)
        evolve(s, w, i, k, u0, 0, 0);
    while (a->state[i] == MIG_AGENT_ON_LINK && hop < MAX_HOPS) {
        const uint32_t l = a->loc[i];
        const double speed = s->travelled[k] == 1 && c->start_on_foot ? c->max_walk_speed : c->max_move_speed;
        double prog = a->progress[i] + speed;
        int more;
        moved += speed;
        if (!(prog > net->link_km[l])) {
            a->progress[i] = (float)prog;
            break;
        }
        if (s->travelled[k] < UINT16_MAX)
            s->travelled[k]++;
        moved += net->link_km[l] - prog;
        a->state[i] = MIG_AGENT_AT_PLACE;
        a->progress[i] = 0.0f;
        a->loc[i] = s->link_closed[l] ? net->link_from[l] : net->link_to[l];
        if (!s->link_closed[l] && s->camp[a->loc[i]])
            s->arrived_camp[k] = (uint16_t)a->loc[i];
        more = !s->link_closed[l] && moved < speed;
        if (!more)
            break;
        {
            const mig_rng_words r = mig_rng_draw4(s->seed, a->id[i], step, PURPOSE_MOVE, hop++);
            evolve(s, w, i, k, r.w, c->avoid_short_stints && (s->recent[k] + moved / c->max_move_speed) / 2.0 < 0.5,
                   1);
        }
    }
    s->recent[k] = (float)((s->recent[k] + moved / c->max_move_speed) / 2.0);
}

/* The day's first decision words of a block of agents are drawn at once (the engine's
 * vectorised Philox, equal to mig_rng_draw4 with hop 0); the later ones one by one. */
static void flee_decide(const void *state, mig_world *w, uint32_t step, size_t begin, size_t end)
{
    const mig_flee_state *s = state;
    const mig_agents *a = w->agents;
    uint32_t key[MIG_DECIDE_BLOCK], pur[MIG_DECIDE_BLOCK], u0[MIG_DECIDE_BLOCK], u1[MIG_DECIDE_BLOCK];
    for (size_t b0 = begin; b0 < end; b0 += MIG_DECIDE_BLOCK) {
        size_t nb = end - b0 < MIG_DECIDE_BLOCK ? end - b0 : MIG_DECIDE_BLOCK;
        for (size_t j = 0; j < nb; j++) {
            key[j] = a->id[b0 + j];
            pur[j] = PURPOSE_MOVE;
        }
        mig_rng_draw_block(s->seed, key, step, pur, u0, u1, nb);
        for (size_t j = 0; j < nb; j++) {
            const size_t i = b0 + j, k = key[j] / a->nranks;
            const uint32_t u[2] = { u0[j], u1[j] };
            s->late_camp[k] = s->arrived_camp[k] = MIG_FLEE_NONE;
            if (a->state[i] == MIG_AGENT_AT_PLACE && !s->route_len[k] &&
                !(mig_rng_u01(u0[j]) < s->movechance[a->loc[i]])) {
                s->recent[k] = (float)(s->recent[k] / 2.0); /* stays: mig_flee_agent_day's outcome, sooner */
                continue;
            }
            mig_flee_agent_day(s, w, i, step, u);
        }
    }
}

/* ---- admission at camps ----------------------------------------------------------------- */

int64_t mig_flee_admit_limit(const mig_world *w, uint32_t p)
{
    const mig_movement_cfg *mv = &w->cfg->movement;
    const double cap = (double)w->net->place_capacity[p];
    int64_t m;
    if (w->net->place_capacity[p] == 0)
        return INT64_MAX;
    m = (int64_t)floor(cap * mv->capacity_scaling) + 1;
    while (m > 0 && mig_route_capacity_factor((double)m, cap, mv->capacity_buffer, mv->capacity_scaling) <
                        MIG_CAPACITY_FULL)
        m--;
    return m;
}

/* One of today's arrivals at a camp, or a late step towards one (which may be refused). */
typedef struct adm_event {
    uint64_t key;    /* keyed priority (high word) and id (low word): unique */
    size_t slot;
    uint16_t camp;
    uint8_t arrives; /* counts at the camp */
    uint8_t late;
} adm_event;

static int push_event(adm_event **e, size_t *n, size_t *cap, adm_event ev)
{
    if (*n == *cap) {
        adm_event *t = realloc(*e, (*cap = *cap ? 2 * *cap : 1024) * sizeof *t);
        if (!t)
            return 0;
        *e = t;
    }
    (*e)[(*n)++] = ev;
    return 1;
}

/* Today's events on this rank, with per camp the arrivals (adm[p]) and late steps
 * (adm[np + p]). *out is the caller's to free. */
static mig_status admit_events(mig_flee_state *s, const mig_world *w, uint32_t step, adm_event **out, size_t *n_out)
{
    const mig_agents *a = w->agents;
    const size_t np = w->net->n_places;
    adm_event *e = NULL;
    size_t n = 0, cap = 0;
    memset(s->adm, 0, 2 * np * sizeof *s->adm);
    for (size_t i = 0; i < a->n; i++) {
        const size_t k = a->id[i] / a->nranks;
        const uint16_t lc = s->late_camp[k], ac = s->arrived_camp[k];
        uint64_t key;
        if (lc == MIG_FLEE_NONE && ac == MIG_FLEE_NONE)
            continue;
        key = (uint64_t)mig_rng_draw(s->seed, a->id[i], step, PURPOSE_ADMIT).w[0] << 32 | a->id[i];
        if ((lc != MIG_FLEE_NONE && !push_event(&e, &n, &cap, (adm_event){ key, i, lc, ac == lc, 1 })) ||
            (ac != MIG_FLEE_NONE && ac != lc && !push_event(&e, &n, &cap, (adm_event){ key, i, ac, 1, 0 }))) {
            free(e);
            return MIG_ENOMEM;
        }
        if (lc != MIG_FLEE_NONE)
            s->adm[np + lc]++;
        if (ac != MIG_FLEE_NONE)
            s->adm[ac]++;
    }
    *out = e;
    *n_out = n;
    return MIG_OK;
}

static mig_status sum_ranks(mig_ctx *ctx, int64_t *v, size_t n)
{
    return ctx->comm && ctx->comm->size > 1 ? mig_comm_sum_i64(ctx->comm, v, n) : MIG_OK;
}

/* For each camp p marked 1 in todo: the largest key t[p] such that the arrivals there with
 * a smaller key number at most room[p], found by bisection over all ranks at once; todo[p]
 * becomes 2 where there is none (room[p] < 0: every late step refused). lo, hi, cnt:
 * scratch [np]. */
static mig_status admit_thresholds(const adm_event *e, size_t n, size_t np, const int64_t *room, uint8_t *todo,
                                   uint64_t *t, uint64_t *lo, uint64_t *hi, int64_t *cnt, mig_ctx *ctx)
{
    mig_status st;
    int open = 1;
    for (size_t p = 0; p < np; p++) {
        lo[p] = 0;
        hi[p] = UINT64_MAX;
        t[p] = 0;
        if (todo[p] && room[p] < 0)
            todo[p] = 2;
    }
    while (open) {
        memset(cnt, 0, np * sizeof *cnt);
        for (size_t j = 0; j < n; j++) {
            const size_t p = e[j].camp;
            cnt[p] += todo[p] == 1 && lo[p] <= hi[p] && e[j].arrives && e[j].key < lo[p] + (hi[p] - lo[p]) / 2;
        }
        if ((st = sum_ranks(ctx, cnt, np)) != MIG_OK)
            return st;
        open = 0;
        for (size_t p = 0; p < np; p++) {
            const uint64_t mid = lo[p] + (hi[p] - lo[p]) / 2;
            if (todo[p] != 1 || lo[p] > hi[p])
                continue;
            if (cnt[p] <= room[p]) {
                t[p] = mid;
                if (mid == UINT64_MAX)
                    hi[p] = 0, lo[p] = 1;
                else
                    lo[p] = mid + 1;
            } else if (mid == 0) {
                hi[p] = 0, lo[p] = 1;
            } else {
                hi[p] = mid - 1;
            }
            open |= lo[p] <= hi[p];
        }
    }
    return MIG_OK;
}

mig_status mig_flee_admit(mig_flee_state *s, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    mig_agents *a = w->agents;
    const size_t np = w->net->n_places;
    int64_t *arr = s->adm, *late = s->adm + np, *room = s->adm + 2 * np, *cnt = s->adm + 3 * np;
    adm_event *e = NULL;
    size_t n = 0;
    uint64_t *t = NULL;
    uint8_t *todo;
    int need = 0;
    mig_status st;
    if (!w->has_capacity)
        return MIG_OK;
    if (admit_events(s, w, step, &e, &n) != MIG_OK)
        return mig_ctx_error(ctx, MIG_ENOMEM, "out of memory (the flee model's admission at camps)");
    if ((st = sum_ranks(ctx, s->adm, 2 * np)) != MIG_OK)
        goto mpi_fail;
    if (!(t = malloc(np * (3 * sizeof *t + 1)))) {
        free(e);
        return mig_ctx_error(ctx, MIG_ENOMEM, "out of memory (the flee model's admission at camps)");
    }
    todo = (uint8_t *)(t + 3 * np);
    for (size_t p = 0; p < np; p++) {
        const int64_t limit = mig_flee_admit_limit(w, (uint32_t)p);
        room[p] = limit == INT64_MAX ? INT64_MAX : limit - w->place_count[p];
        todo[p] = late[p] > 0 && arr[p] > room[p];
        need |= todo[p];
    }
    if (need && (st = admit_thresholds(e, n, np, room, todo, t, t + np, t + 2 * np, cnt, ctx)) != MIG_OK)
        goto mpi_fail;
    for (size_t j = 0; need && j < n; j++) {
        const size_t i = e[j].slot, k = a->id[i] / a->nranks;
        if (!e[j].late || !todo[e[j].camp] || (todo[e[j].camp] == 1 && e[j].key <= t[e[j].camp]))
            continue;
        a->state[i] = MIG_AGENT_AT_PLACE;
        a->loc[i] = s->late_from[k];
        a->progress[i] = 0.0f;
        s->route_len[k] = 0;
    }
    free(e);
    free(t);
    return MIG_OK;
mpi_fail:
    free(e);
    free(t);
    return mig_ctx_error(ctx, st, "MPI_Allreduce for the admission at camps failed");
}

static mig_status flee_apply(void *state, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    return mig_flee_admit(state, w, step, ctx);
}

/* ---- spawning --------------------------------------------------------------------------- */

/* Room in the journey arrays for every id spawned so far on this rank. */
mig_status mig_flee_grow_ids(mig_flee_state *s, const mig_agents *a)
{
    size_t need = a->next_id / a->nranks + 1, cap = s->cap_ids;
    void *p;
    if (need <= cap)
        return MIG_OK;
    need = need > 2 * cap ? need : 2 * cap;
#define GROW(f, n)                                                                                \
    if (!(p = realloc(s->f, need * (n) * sizeof *s->f)))                                           \
        return MIG_ENOMEM;                                                                        \
    s->f = p;
    GROW(route, R)
    GROW(route_len, 1)
    GROW(travelled, 1)
    GROW(recent, 1)
    GROW(late_camp, 1)
    GROW(late_from, 1)
    GROW(arrived_camp, 1)
#undef GROW
    for (size_t k = cap; k < need; k++) {
        s->route_len[k] = 0;
        s->travelled[k] = 1;
        s->recent[k] = 0.0f;
        s->late_camp[k] = s->arrived_camp[k] = MIG_FLEE_NONE;
    }
    s->cap_ids = need;
    return MIG_OK;
}

/* n origins drawn by population x intensity x decay (one keyed draw each, the same on every
 * rank), counted per place into s->spawn_count. */
static mig_status draw_origins(mig_flee_state *s, const mig_network *net, uint32_t step, int64_t n, mig_ctx *ctx)
{
    const uint32_t np = net->n_places;
    double total = 0.0;
    for (uint32_t p = 0; p < np; p++) {
        s->spawn_weight[p] = s->conflict[p] > 0.0 ? s->data->pop[p] * s->conflict[p] *
                                                        mig_flee_decay(s->cfg, (int32_t)step - s->onset[p])
                                                  : 0.0;
        total += s->spawn_weight[p];
        s->spawn_count[p] = 0;
    }
    if (n > 0 && !(total > 0.0))
        return mig_ctx_error(ctx, MIG_EDATA, "day %u: %lld agents to spawn but no conflict zone to spawn them in",
                             step, (long long)n);
    for (int64_t j = 0; j < n; j++) {
        double u = mig_rng_u01(mig_rng_draw(s->seed, (uint32_t)j, step, PURPOSE_SPAWN).w[0]) * total, acc = 0.0;
        uint32_t p = 0, last = 0;
        for (; p < np; p++) {
            if (!(s->spawn_weight[p] > 0.0))
                continue;
            last = p;
            if ((acc += s->spawn_weight[p]) > u)
                break;
        }
        s->spawn_count[p < np ? p : last]++;
    }
    return MIG_OK;
}

static mig_status flee_spawn(void *state, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    mig_flee_state *s = state;
    const mig_flee_data *d = s->data;
    int64_t today = 0, yesterday = 0, n = 0;
    mig_status st;
    size_t first;
    for (uint32_t c = 0; c < d->n_camps; c++) {
        today += d->camp_count[(size_t)c * s->days + step];
        yesterday += step ? d->camp_count[(size_t)c * s->days + step - 1] : 0;
    }
    if (step == 0) { /* the camps' day-0 registrations are placed in them */
        for (uint32_t c = 0; c < d->n_camps; c++)
            if (d->camp_place[c] != MIG_FLEE_NO_PLACE && d->camp_count[(size_t)c * s->days] > 0 &&
                (st = mig_world_spawn(w, (size_t)d->camp_count[(size_t)c * s->days], d->camp_place[c], 0, step, 0,
                                      &first, ctx)) != MIG_OK)
                return st;
    } else {
        mig_flee_spawn_count(&today, &yesterday, &s->debt, &n);
        if ((st = draw_origins(s, w->net, step, n, ctx)) != MIG_OK)
            return st;
        for (uint32_t p = 0; p < w->net->n_places; p++)
            if (s->spawn_count[p] && (st = mig_world_spawn(w, s->spawn_count[p], p, 0, step, 0, &first, ctx)) != MIG_OK)
                return st;
    }
    if (mig_flee_grow_ids(s, w->agents) != MIG_OK)
        return mig_ctx_error(ctx, MIG_ENOMEM, "out of memory (the flee model's journeys)");
    return MIG_OK;
}

/* D_c(step) at each camp place of data_layout.csv into reg (the last series of a place). */
static void registered_day(const mig_flee_state *s, uint32_t step, int64_t *reg)
{
    for (uint32_t c = 0; c < s->data->n_camps; c++)
        if (s->data->camp_place[c] != MIG_FLEE_NO_PLACE)
            reg[s->data->camp_place[c]] = s->data->camp_count[(size_t)c * s->days + step];
}

mig_status mig_flee_ard_day(mig_flee_state *s, const mig_world *w, uint32_t step, mig_ctx *ctx)
{
    const size_t np = w->net->n_places;
    int64_t *sim = s->adm, *reg = s->adm + np;
    double sum_s = 0.0, sum_u = 0.0, scale, r = 0.0, n = 0.0;
    mig_status st;
    memset(reg, 0, np * sizeof *reg);
    registered_day(s, step, reg);
    for (size_t p = 0; p < np; p++)
        sim[p] = s->validated[p] ? w->v_occupancy[p] : 0;
    if ((st = sum_ranks(ctx, sim, np)) != MIG_OK)
        return mig_ctx_error(ctx, st, "MPI_Allreduce of the camps' counts failed");
    for (size_t p = 0; p < np; p++)
        if (s->validated[p]) {
            sum_s += (double)sim[p];
            sum_u += (double)reg[p];
        }
    scale = sum_s > 0.0 ? sum_u / sum_s : 0.0;
    for (size_t p = 0; p < np; p++)
        if (s->validated[p]) {
            r += fabs((double)sim[p] * scale - (double)reg[p]);
            n += fabs((double)sim[p] - (double)reg[p]);
        }
    sum_u = sum_u > 1.0 ? sum_u : 1.0;
    s->ard_rescaled += r / sum_u;
    s->ard_normal += n / sum_u;
    s->ard_days++;
    return MIG_OK;
}

/* The camps' registrations of the day beside the simulated counts (on rank 0 only, as
 * observations are summed over ranks), and the day's terms of the ARD. */
static mig_status flee_observe(void *state, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    mig_flee_state *s = state;
    if (!ctx->comm || ctx->comm->rank == 0)
        registered_day(s, step, s->v_registered);
    return mig_flee_ard_day(s, w, step, ctx);
}

static size_t flee_results(const void *state, mig_result *out, size_t cap)
{
    const mig_flee_state *s = state;
    const double days = s->ard_days ? (double)s->ard_days : 1.0;
    if (cap < 2)
        return 0;
    out[0] = (mig_result){ "ard_rescaled",
                           "Flee's averaged relative difference of the camps' counts from the registrations, "
                           "the simulated counts rescaled to the registered total each day",
                           "1", s->ard_rescaled / days };
    out[1] = (mig_result){ "ard_normal",
                           "Flee's averaged relative difference of the camps' counts from the registrations",
                           "1", s->ard_normal / days };
    return 2;
}

static mig_status flee_timeline(void *state, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    (void)ctx;
    mig_flee_places_day(state, w->net, step);
    return MIG_OK;
}

/* ---- lifecycle -------------------------------------------------------------------------- */

static void flee_destroy(void **p)
{
    mig_flee_state *s;
    if (!MIG_TAKE(s, p))
        return;
    mig_flee_data_destroy(&s->data);
    MIG_FREE_ALL(s->conflict, s->onset, s->camp_closed, s->camp, s->town, s->movechance, s->score, s->link_closed,
                 s->spawn_weight, s->spawn_count, s->link_inv, s->route, s->route_len, s->travelled, s->recent,
                 s->late_camp, s->late_from, s->arrived_camp, s->adm, s->validated, s);
}

/* Flee lowers a camp's capacity by the registrations placed in it on day 0 (spawning.py);
 * the network is the world's, set up before any step. */
static void lower_capacities(const mig_flee_state *s, mig_network *net)
{
    for (uint32_t c = 0; c < s->data->n_camps; c++) {
        uint32_t p = s->data->camp_place[c];
        int64_t left;
        if (p == MIG_FLEE_NO_PLACE || net->place_capacity[p] == 0)
            continue;
        left = (int64_t)net->place_capacity[p] - s->data->camp_count[(size_t)c * s->days];
        net->place_capacity[p] = left > 0 ? (uint32_t)left : 0;
    }
}

/* The camp places whose registrations are not 0 on every day (scripts/flee_validate.py's
 * choice), in s->validated. */
static void mark_validated(mig_flee_state *s, size_t np)
{
    int64_t *reg = s->adm;
    memset(reg, 0, np * sizeof *reg);
    for (uint32_t t = 0; t < s->days; t++) {
        registered_day(s, t, reg);
        for (size_t p = 0; p < np; p++)
            s->validated[p] |= reg[p] != 0;
    }
}

static mig_status flee_create(mig_world *w, mig_ctx *ctx, void **out)
{
    static const mig_dim place_dim[] = { MIG_DIM_PLACE };
    const mig_config *cfg = w->cfg;
    const size_t np = w->net->n_places ? w->net->n_places : 1, nl = w->net->n_links ? w->net->n_links : 1;
    mig_flee_state *s;
    double *ones;
    mig_status st;
    void *tmp;
    *out = NULL;
    if (!mig_flee_config(cfg))
        return mig_config_diag(cfg, ctx, MIG_ECONFIG, "model", "model flee needs a flee section (flee.input)");
    if (!(s = calloc(1, sizeof *s)))
        return MIG_ENOMEM;
    s->cfg = mig_flee_config(cfg);
    s->seed = cfg->seed;
    s->days = cfg->days;
    st = mig_flee_data_load(s->cfg->input_path, w->net, cfg->start_day, cfg->days, ctx, &s->data);
    s->conflict = calloc(np, sizeof *s->conflict);
    s->onset = calloc(np, sizeof *s->onset);
    s->camp_closed = calloc(np, 1);
    s->camp = calloc(np, 1);
    s->town = calloc(np, 1);
    s->movechance = calloc(np, sizeof *s->movechance);
    s->score = calloc(np, sizeof *s->score);
    s->link_closed = calloc(nl, 1);
    s->spawn_weight = calloc(np, sizeof *s->spawn_weight);
    s->spawn_count = calloc(np, sizeof *s->spawn_count);
    s->link_inv = malloc(nl * sizeof *s->link_inv);
    s->adm = malloc(4 * np * sizeof *s->adm);
    s->validated = calloc(np, 1);
    ones = malloc(nl * sizeof *ones);
    if (st == MIG_OK && (!s->conflict || !s->onset || !s->camp_closed || !s->camp || !s->town || !s->movechance ||
                         !s->score || !s->link_closed || !s->spawn_weight || !s->spawn_count || !s->link_inv ||
                         !s->adm || !s->validated || !ones))
        st = MIG_ENOMEM;
    if (st == MIG_OK)
        st = mig_obs_add(w->obs, "registered", "registrations at a camp (UNHCR, as Flee interpolates them)",
                         "persons", 1, place_dim, &s->v_registered);
    if (st == MIG_OK) { /* the engine's route tables are unused: Flee's paths are the model's */
        for (size_t l = 0; l < nl; l++)
            ones[l] = 1.0;
        for (uint32_t l = 0; l < w->net->n_links; l++)
            s->link_inv[l] = inv_distance(s->cfg, w->net->link_km[l]);
        lower_capacities(s, w->net);
        mark_validated(s, np);
        st = mig_world_set_routes(w, ones, 0, ctx);
    }
    free(ones);
    if (st != MIG_OK) {
        tmp = s;
        flee_destroy(&tmp);
        return st;
    }
    *out = s;
    return MIG_OK;
}

const mig_model_ops mig_model_flee = {
    .name = "flee",
    .summary = "Flee's rules on a Flee input folder (flee.input): conflicts, registrations, paths, capacity",
    .section = &mig_flee_section,
    .create = flee_create,
    .destroy = flee_destroy,
    .timeline = flee_timeline,
    .spawn = flee_spawn,
    .decide = flee_decide,
    .apply = flee_apply,
    .observe = flee_observe,
    .results = flee_results,
    .travels = 1,
};
