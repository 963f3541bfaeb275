/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_step.c: the phases of one day. Parallel phases write per-thread histograms that are
 * merged after the loop (integer sums, no atomics), so the result is thread-count free. */
#include "mig_step.h"

#include <omp.h>
#include <string.h>

#include "mig_caravan.h"
#include "mig_comm.h"
#include "mig_model.h"
#include "mig_policy.h"

/* Adds every thread's histogram at slice s into dst. */
static void merge(const mig_world *w, mig_slice s, int64_t *dst)
{
    for (int t = 0; t < w->threads; t++) {
        const int64_t *h = mig_world_scratch(w, t) + s.off;
        for (size_t i = 0; i < s.len; i++)
            dst[i] += h[i];
    }
}

/* A model's hook for the day (timeline, spawn, apply or observe), when it has one. */
static mig_status model_hook(mig_world *w, mig_status (*hook)(void *, mig_world *, uint32_t, mig_ctx *),
                             uint32_t step, mig_ctx *ctx)
{
    return hook ? hook(w->model_state, w, step, ctx) : MIG_OK;
}

/* Policy first (what is in force today: its factors, then the route tables rebuilt when
 * they changed), caravans, then the model's dated changes. */
static mig_status phase_timeline(mig_world *w, uint32_t step, mig_ctx *ctx)
{
    mig_env env;
    int changed;
    mig_status st;
    mig_world_env(w, &env);
    if ((st = mig_policy_day(w->policy, &env, step, &changed, ctx)) != MIG_OK ||
        (changed && (st = mig_world_rebuild_routes(w, ctx)) != MIG_OK) ||
        (st = mig_caravan_day(w->caravans, w->policy, &env, step, ctx)) != MIG_OK)
        return st;
    return model_hook(w, w->model->timeline, step, ctx);
}

static mig_status phase_spawn(mig_world *w, uint32_t step, mig_ctx *ctx)
{
    const size_t days = w->cfg->days;
    mig_status st;
    for (uint32_t s = 0; s < w->n_sources; s++) {
        uint32_t count = w->spawn_daily[(size_t)s * days + step];
        size_t first;
        if (count && (st = mig_world_spawn(w, count, w->source_place[s], w->source_nat[s], step, 1, &first, ctx)) !=
                         MIG_OK)
            return st;
    }
    return model_hook(w, w->model->spawn, step, ctx);
}

/* With capacities: the persons at each place before anyone decides (per-thread counts in
 * the observe phase's occupancy slice, merged, summed over ranks), then today's factors. */
static mig_status phase_capacity(mig_world *w, mig_ctx *ctx)
{
    const mig_agents *a = w->agents;
    const size_t n = a->n, np = w->net->n_places;
    const mig_slice occ_slice = w->slice.occupancy;
    const int nt = w->threads;
    mig_status st;
    if (!w->has_capacity)
        return MIG_OK;
#pragma omp parallel num_threads(nt) default(none) shared(w, a, n, occ_slice, nt)
    {
        size_t b, e;
        int64_t *occ = mig_world_scratch(w, omp_get_thread_num()) + occ_slice.off;
        memset(occ, 0, occ_slice.len * sizeof *occ);
        mig_world_thread_range(n, omp_get_thread_num(), nt, &b, &e);
        for (size_t i = b; i < e; i++)
            if (a->state[i] == MIG_AGENT_AT_PLACE)
                occ[a->loc[i]]++;
    }
    memset(w->place_count, 0, np * sizeof *w->place_count);
    merge(w, occ_slice, w->place_count);
    if (ctx->comm && ctx->comm->size > 1 && (st = mig_comm_sum_i64(ctx->comm, w->place_count, np)) != MIG_OK)
        return mig_ctx_error(ctx, st, "MPI_Allreduce of the persons at places failed");
    return mig_world_update_capacity(w, ctx);
}

static void phase_decide(mig_world *w, uint32_t step)
{
    const mig_model_ops *model = w->model;
    const void *state = w->model_state;
    const size_t n = w->agents->n;
    const int nt = w->threads;
#pragma omp parallel num_threads(nt) default(none) shared(w, model, state, step, n, nt)
    {
        size_t b, e;
        mig_world_thread_range(n, omp_get_thread_num(), nt, &b, &e);
        model->decide(state, w, step, b, e);
    }
}

/* Agents on links advance at their mode's speed times their pace (a family at its slowest
 * member's, a caravan at its own); those that reach the end arrive (an enforcement there
 * may apprehend them), and at a destination are absorbed. Counts flow (departures),
 * arrivals and apprehensions per thread. Links closed with waiting hold their agents. */
static void phase_travel(mig_world *w, uint32_t step)
{
    mig_agents *a = w->agents;
    const mig_network *net = w->net;
    const mig_policy *pol = w->policy;
    const size_t n = a->n, nn = w->n_nat;
    const mig_scratch_slices *sl = &w->slice;
    const double *speed = w->speed;
    const float *gpace = w->group_pace, *gspeed = w->group_speed;
    const uint8_t *wait = pol->link_wait;
    const int nt = w->threads;
    mig_env env;
    if (w->model->travels)
        return;
    mig_world_env(w, &env);
#pragma omp parallel num_threads(nt) default(none)                                                               \
    shared(w, env, a, net, pol, n, nn, sl, speed, gpace, gspeed, wait, nt, step)
    {
        size_t b, e;
        int64_t *base = mig_world_scratch(w, omp_get_thread_num());
        int64_t *flow = base + sl->flow.off, *arr = base + sl->arrivals.off, *app = base + sl->apprehended.off;
        memset(base, 0, sl->travel_len * sizeof *base);
        mig_world_thread_range(n, omp_get_thread_num(), nt, &b, &e);
        for (size_t i = b; i < e; i++) {
            uint32_t l, to, g;
            float prog, sp;
            if (a->state[i] != MIG_AGENT_ON_LINK)
                continue;
            l = a->loc[i];
            if (wait[l])
                continue;
            prog = a->progress[i];
            if (prog == 0.0f)
                flow[l]++;
            g = a->group[i];
            if (g == MIG_NO_GROUP)
                sp = (float)(speed[net->link_mode[l]] * (a->pace[i] / 100.0));
            else if (gspeed[g] > 0.0f)
                sp = gspeed[g];
            else
                sp = (float)(speed[net->link_mode[l]] * gpace[g]);
            prog += sp;
            if (prog < (float)net->link_km[l]) {
                a->progress[i] = prog;
                continue;
            }
            to = net->link_to[l];
            arr[(size_t)to * nn + a->nat[i]]++;
            if (pol->enf_start[l] < pol->enf_start[l + 1] && mig_policy_apprehend(pol, &env, i, l, step, app))
                continue;
            a->loc[i] = to;
            a->progress[i] = 0.0f;
            a->state[i] = net->place_kind[to] == MIG_KIND_DESTINATION ? MIG_AGENT_ABSORBED
                                                                       : MIG_AGENT_AT_PLACE;
        }
    }
    merge(w, sl->flow, w->v_flow);
    merge(w, sl->arrivals, w->v_arrivals);
    merge(w, sl->apprehended, pol->v_apprehended);
    merge(w, sl->seen, pol->seen);
}

/* After decide: closures, visas, quotas and caravans decide who may set off. */
static mig_status phase_gate(mig_world *w, uint32_t step, mig_ctx *ctx)
{
    mig_env env;
    mig_status st;
    mig_world_env(w, &env);
    if ((st = mig_policy_gate(w->policy, &env, step, ctx)) != MIG_OK)
        return st;
    mig_caravan_gate(w->caravans, &env);
    return MIG_OK;
}

/* Releases from detention and caravans' progress, then the model's rules. */
static mig_status phase_apply(mig_world *w, uint32_t step, mig_ctx *ctx)
{
    mig_env env;
    mig_status st;
    mig_world_env(w, &env);
    if ((st = mig_policy_after_travel(w->policy, &env, step, ctx)) != MIG_OK ||
        (st = mig_caravan_after_travel(w->caravans, w->policy, &env, step, ctx)) != MIG_OK)
        return st;
    return model_hook(w, w->model->apply, step, ctx);
}

/* Occupancy per place; agents on links, detained, absorbed and removed this day; and, in
 * the same pass, the policy's stocks: persons detained by intervention and place, persons
 * walking in caravans by place. */
static mig_status phase_observe(mig_world *w, uint32_t step, mig_ctx *ctx)
{
    const mig_agents *a = w->agents;
    const mig_network *net = w->net;
    const size_t n = a->n, np = net->n_places;
    const mig_scratch_slices *sl = &w->slice;
    const float *gspeed = w->group_speed;
    int64_t tally[MIG_AGENT_STATES] = { 0 }; /* indexed by mig_agent_state */
    const int nt = w->threads;
#pragma omp parallel num_threads(nt) default(none) shared(w, a, net, n, np, sl, gspeed, nt)
    {
        size_t b, e;
        int64_t *base = mig_world_scratch(w, omp_get_thread_num());
        int64_t *occ = base + sl->occupancy.off, *st = base + sl->states.off;
        int64_t *det = base + sl->detained.off, *car = base + sl->caravan.off;
        memset(base, 0, sl->observe_len * sizeof *base);
        mig_world_thread_range(n, omp_get_thread_num(), nt, &b, &e);
        for (size_t i = b; i < e; i++) {
            uint32_t g = a->group[i];
            st[a->state[i]]++;
            if (a->state[i] == MIG_AGENT_AT_PLACE)
                occ[a->loc[i]]++;
            else if (a->state[i] == MIG_AGENT_DETAINED)
                det[(size_t)a->held_by[i] * np + a->loc[i]]++;
            if (g != MIG_NO_GROUP && gspeed[g] > 0.0f && a->state[i] != MIG_AGENT_DETAINED)
                car[a->state[i] == MIG_AGENT_ON_LINK ? net->link_from[a->loc[i]] : a->loc[i]]++;
        }
    }
    merge(w, sl->occupancy, w->v_occupancy);
    merge(w, sl->states, tally);
    merge(w, sl->detained, w->policy->v_detained);
    merge(w, sl->caravan, w->caravans->v_members);
    w->total_absorbed += tally[MIG_AGENT_ABSORBED];
    w->total_removed += tally[MIG_AGENT_REMOVED];
    *w->v_on_links = tally[MIG_AGENT_ON_LINK];
    *w->v_alive = tally[MIG_AGENT_AT_PLACE] + tally[MIG_AGENT_ON_LINK] + tally[MIG_AGENT_DETAINED];
    *w->v_total_spawned = w->total_spawned;
    *w->v_total_absorbed = w->total_absorbed;
    *w->v_total_removed = w->total_removed;
    if (w->total_spawned != *w->v_alive + w->total_absorbed + w->total_removed)
        return mig_ctx_error(ctx, MIG_EINTERNAL,
                             "day %u: conservation violated: spawned %lld != alive %lld + absorbed %lld + removed %lld",
                             step, (long long)w->total_spawned, (long long)*w->v_alive,
                             (long long)w->total_absorbed, (long long)w->total_removed);
    return model_hook(w, w->model->observe, step, ctx);
}

/* With MPI ranks, each holds a share of the agents: sum the day's observations (all are
 * counts, so sums are exact and equal to one process's). */
static mig_status phase_reduce(mig_world *w, mig_ctx *ctx)
{
    size_t off = 0;
    mig_status st;
    if (!ctx->comm || ctx->comm->size == 1)
        return MIG_OK;
    for (size_t i = 0; i < w->obs->n_vars; i++) {
        memcpy(w->reduce_buf + off, w->obs->vars[i].day, w->obs->vars[i].size * sizeof *w->reduce_buf);
        off += w->obs->vars[i].size;
    }
    if ((st = mig_comm_sum_i64(ctx->comm, w->reduce_buf, off)) != MIG_OK)
        return mig_ctx_error(ctx, st, "MPI_Allreduce of the day's observations failed");
    off = 0;
    for (size_t i = 0; i < w->obs->n_vars; i++) {
        memcpy(w->obs->vars[i].day, w->reduce_buf + off, w->obs->vars[i].size * sizeof *w->reduce_buf);
        off += w->obs->vars[i].size;
    }
    return MIG_OK;
}

mig_status mig_step_run(mig_world *w, uint32_t step, mig_ctx *ctx)
{
    mig_status st;
    size_t freed;

    mig_obs_clear(w->obs);
    if ((st = phase_timeline(w, step, ctx)) != MIG_OK)
        return st;
    if ((st = phase_spawn(w, step, ctx)) != MIG_OK)
        return st;
    w->agent_steps += w->agents->n;
    if ((st = phase_capacity(w, ctx)) != MIG_OK)
        return st;
    phase_decide(w, step);
    if ((st = phase_gate(w, step, ctx)) != MIG_OK)
        return st;
    phase_travel(w, step);
    if ((st = phase_apply(w, step, ctx)) != MIG_OK)
        return st;
    if ((st = phase_observe(w, step, ctx)) != MIG_OK)
        return st;
    mig_agents_compact(w->agents, &freed);
    return phase_reduce(w, ctx);
}
