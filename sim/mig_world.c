/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_world.c: builds the world from a loaded config: network, graph checks that need
 * both config and CSV, spawn schedule, observation variables and the model. */
#include "mig_world.h"

#include <stdlib.h>
#include <string.h>

#include "mig_comm.h"
#include "mig_date.h"
#include "mig_model.h"
#include "mig_rng.h"
#include "mig_route.h"
#include "mig_timeline.h"
#include "mig_util.h"

/* Checks each source against the network and fills the schedule. */
static mig_status build_sources(mig_world *w, mig_ctx *ctx)
{
    const mig_config *cfg = w->cfg;
    mig_status st = MIG_OK;
    size_t days = cfg->days;

    w->n_sources = cfg->n_sources;
    w->source_place = calloc(cfg->n_sources ? cfg->n_sources : 1, sizeof *w->source_place);
    w->source_nat = calloc(cfg->n_sources ? cfg->n_sources : 1, sizeof *w->source_nat);
    w->spawn_daily = calloc((cfg->n_sources ? cfg->n_sources : 1) * days, sizeof *w->spawn_daily);
    if (!w->source_place || !w->source_nat || !w->spawn_daily)
        return MIG_ENOMEM;
    for (uint32_t i = 0; i < cfg->n_sources; i++) {
        const mig_source_cfg *src = &cfg->sources[i];
        char field[64];
        int64_t p = mig_network_place(w->net, src->place);
        int nat = mig_config_nationality(cfg, src->nationality);
        snprintf(field, sizeof field, "sources[%u].place", i);
        if (p < 0) {
            mig_suggest sg;
            st = mig_config_diag(cfg, ctx, MIG_ECONFIG, field, "unknown place \"%s\" (not in %s; %s)", src->place,
                                 cfg->places_path, mig_network_place_hint(w->net, src->place, &sg));
            continue;
        }
        if (w->net->place_kind[p] == MIG_KIND_DESTINATION) {
            st = mig_config_diag(cfg, ctx, MIG_ECONFIG, field, "\"%s\" is a destination; agents cannot start there",
                                 src->place);
            continue;
        }
        int reach = mig_network_reaches_destination(w->net, (uint32_t)p);
        if (reach < 0)
            return mig_ctx_error(ctx, MIG_ENOMEM, "out of memory checking the graph");
        if (!reach) {
            st = mig_config_diag(cfg, ctx, MIG_EDATA, field, "no destination or camp can be reached from \"%s\"",
                                 src->place);
            continue;
        }
        w->source_place[i] = (uint32_t)p;
        w->source_nat[i] = (uint16_t)(nat < 0 ? 0 : nat);
        if (cfg->series_path[i]) {
            mig_status s2 = mig_timeline_add_series(w->spawn_daily + (size_t)i * days, cfg->start_day,
                                                    cfg->days, cfg->series_path[i], src->scale, ctx);
            if (s2 != MIG_OK)
                st = s2;
        } else {
            mig_timeline_rate(w->spawn_daily + (size_t)i * days, cfg->start_day, cfg->days,
                              src->rate, cfg->source_from[i], cfg->source_to[i]);
        }
    }
    return st;
}

static mig_status register_obs(mig_world *w)
{
    static const mig_dim place[] = { MIG_DIM_PLACE }, link[] = { MIG_DIM_LINK },
                         place_nat[] = { MIG_DIM_PLACE, MIG_DIM_NATIONALITY };
    mig_obs *o = w->obs;
    mig_status st;
#define ADD(var, name, long_name, units, nd, dims)                                          \
    if ((st = mig_obs_add(o, name, long_name, units, nd, dims, &w->var)) != MIG_OK)          \
        return st;
    ADD(v_occupancy, "occupancy", "persons at a place at the end of the day", "persons", 1, place)
    ADD(v_flow, "flow", "persons who set off along a link during the day", "persons day-1", 1, link)
    ADD(v_arrivals, "arrivals", "persons who arrived at a place during the day, by nationality",
        "persons day-1", 2, place_nat)
    ADD(v_spawned, "spawned", "persons who entered the simulation at a place during the day, by nationality",
        "persons day-1", 2, place_nat)
    ADD(v_on_links, "on_links", "persons travelling along links at the end of the day", "persons", 0, NULL)
    ADD(v_alive, "alive", "persons in the system (at places, on links or detained) at the end of the day", "persons", 0, NULL)
    ADD(v_total_spawned, "total_spawned", "persons spawned since the start, cumulative", "persons", 0, NULL)
    ADD(v_total_absorbed, "total_absorbed", "persons absorbed at destinations since the start, cumulative",
        "persons", 0, NULL)
    ADD(v_total_removed, "total_removed", "persons removed by model rules since the start, cumulative",
        "persons", 0, NULL)
#undef ADD
    return MIG_OK;
}

/* The policy and caravans, the spawn schedule under origin interventions, and the route
 * tables' storage (the model fills them, under the policy's first-day factors). */
static mig_status build_policy(mig_world *w, mig_ctx *ctx)
{
    const mig_config *cfg = w->cfg;
    mig_status st = mig_policy_create(cfg, w->net, w->obs, ctx, &w->policy);
    if (st == MIG_OK || st == MIG_ECONFIG || st == MIG_EDATA) {
        /* the caravans' problems are reported with the interventions', in one report */
        mig_status sc = mig_caravan_create(cfg, w->net, w->obs, ctx, &w->caravans);
        if (st == MIG_OK)
            st = sc;
    }
    if (st != MIG_OK)
        return st;
    for (uint32_t i = 0; i < w->n_sources; i++)
        mig_policy_scale_spawn(w->policy, w->source_place[i], w->source_nat[i], cfg->start_day, cfg->days,
                               w->spawn_daily + (size_t)i * cfg->days);
    w->routes = calloc(w->n_nat, sizeof *w->routes);
    w->route_weight = calloc((size_t)w->n_nat * (w->net->n_links ? w->net->n_links : 1), sizeof *w->route_weight);
    w->place_count = calloc(w->net->n_places ? w->net->n_places : 1, sizeof *w->place_count);
    w->cap_factor = malloc((w->net->n_places ? w->net->n_places : 1) * sizeof *w->cap_factor);
    if (!w->routes || !w->route_weight || !w->place_count || !w->cap_factor)
        return MIG_ENOMEM;
    for (uint32_t p = 0; p < w->net->n_places; p++) {
        w->cap_factor[p] = 1.0;
        w->has_capacity |= w->net->place_capacity[p] > 0;
    }
    return MIG_OK;
}

/* Lays out the named slices of the per-thread scratch (see mig_scratch_slices) and sizes
 * it for the longest phase. */
static void layout_scratch(mig_world *w)
{
    const size_t nl = w->net->n_links, np = w->net->n_places, nn = w->n_nat, n_iv = w->policy->n_iv;
    mig_scratch_slices *s = &w->slice;
    size_t off = 0;
#define SLICE(name, n)                                                                            \
    s->name = (mig_slice){ off, (n) };                                                            \
    off += s->name.len;
    SLICE(flow, nl)
    SLICE(arrivals, np * nn)
    SLICE(apprehended, n_iv * np)
    SLICE(seen, n_iv)
    s->travel_len = off;
    off = 0;
    SLICE(occupancy, np)
    SLICE(states, MIG_AGENT_STATES)
    SLICE(detained, n_iv * np)
    SLICE(caravan, np)
    s->observe_len = off;
#undef SLICE
    w->scratch_len = s->travel_len > s->observe_len ? s->travel_len : s->observe_len;
}

/* The per-thread scratch and, with MPI ranks, the buffer of a day's packed observations. */
static mig_status create_scratch(mig_world *w, mig_ctx *ctx)
{
    w->threads = ctx->threads > 0 ? ctx->threads : 1;
    layout_scratch(w);
    w->scratch = calloc((size_t)w->threads * w->scratch_len, sizeof *w->scratch);
    if (!w->scratch)
        return MIG_ENOMEM;
    if (ctx->comm && ctx->comm->size > 1) {
        size_t n = 0;
        for (size_t i = 0; i < w->obs->n_vars; i++)
            n += w->obs->vars[i].size;
        w->reduce_buf = calloc(n ? n : 1, sizeof *w->reduce_buf);
        if (!w->reduce_buf)
            return MIG_ENOMEM;
    }
    return MIG_OK;
}

/* The memory a run needs: cap agent slots of MIG_AGENT_BYTES, their groups (families) and
 * the tables: the spawn schedule, route weights and alias tables, the policy's factors, each
 * thread's histograms, a day's observations and the output's buffered chunk of them. */
static mig_status estimate_memory(mig_world *w, uint64_t cap, mig_ctx *ctx)
{
    const mig_config *cfg = w->cfg;
    const uint64_t np = w->net->n_places, nl = w->net->n_links, nn = w->n_nat, threads = (uint64_t)ctx->threads;
    const uint64_t obs_day = np * nn * 2 + nl + np * 8 + 16;  /* values per day, with the policy's by place */
    const double fam = cfg->groups.family_share > 0.0 ? cfg->groups.family_share / cfg->groups.family_size : 0.0;
    uint64_t tables = (uint64_t)w->n_sources * cfg->days * 4 + nn * nl * 40 + nn * np * 8 +
                      threads * (nl + np * (nn + 8) + 16) * 8 + obs_day * (8 + 4 * (uint64_t)cfg->output.chunk_days) +
                      (uint64_t)((double)cap * fam) * 8;
    char need[32], have[32], tab[32];
    w->mem_agents = cap;
    w->mem_bytes = cap * MIG_AGENT_BYTES + tables;
    if (!ctx->max_memory || w->mem_bytes <= ctx->max_memory)
        return MIG_OK;
    mig_bytes_text(w->mem_bytes, need, sizeof need);
    mig_bytes_text(ctx->max_memory, have, sizeof have);
    mig_bytes_text(tables, tab, sizeof tab);
    return mig_ctx_error(ctx, MIG_ENOMEM,
                         "%s: the run needs about %s (%llu agents x %zu bytes + %s of tables), more than the %s "
                         "it may use (the memory available, or --max-memory)",
                         cfg->path, need, (unsigned long long)cap, (size_t)MIG_AGENT_BYTES, tab, have);
}

mig_status mig_world_create(const mig_config *cfg, mig_ctx *ctx, mig_world **out)
{
    mig_world *w = calloc(1, sizeof *w);
    mig_status st;
    uint64_t total = 0;

    *out = NULL;
    if (!w)
        return MIG_ENOMEM;
    w->cfg = cfg;
    w->n_nat = cfg->n_nationalities;
    for (int m = 0; m < MIG_MODE_COUNT; m++)
        w->speed[m] = cfg->speed[m];

    st = mig_network_load(cfg->places_path, cfg->links_path, ctx, &w->net);
    if (st != MIG_OK)
        goto fail;
    if (w->net->n_places > UINT16_MAX) {
        st = mig_ctx_error(ctx, MIG_EDATA, "%s: %u places; at most %u are supported", cfg->places_path,
                           w->net->n_places, (unsigned)UINT16_MAX);
        goto fail;
    }
    st = build_sources(w, ctx);
    if (st != MIG_OK)
        goto fail;
    for (size_t i = 0; i < (size_t)w->n_sources * cfg->days; i++)
        total += w->spawn_daily[i];
    if (cfg->max_agents && total > cfg->max_agents) {
        st = mig_config_diag(cfg, ctx, MIG_ECONFIG, "max_agents", "the sources spawn %llu agents, more than max_agents %llu",
                             (unsigned long long)total, (unsigned long long)cfg->max_agents);
        goto fail;
    }
    if (total > UINT32_MAX) {
        st = mig_ctx_error(ctx, MIG_ECONFIG, "%s: the sources spawn %llu agents; at most %u are supported",
                           cfg->path, (unsigned long long)total, (unsigned)UINT32_MAX);
        goto fail;
    }
    {
        /* with MPI ranks each holds about 1/size of the agents */
        uint32_t size = ctx->comm ? (uint32_t)ctx->comm->size : 1;
        uint64_t cap = cfg->max_agents ? cfg->max_agents : total;
        cap = size > 1 ? cap / size + 1024 : cap;
        if ((st = estimate_memory(w, cap, ctx)) != MIG_OK)
            goto fail;
        st = mig_agents_create(cap, &w->agents);
        if (st != MIG_OK)
            goto fail;
        w->agents->nranks = size;
        w->agents->rank = ctx->comm ? (uint32_t)ctx->comm->rank : 0;
    }
    st = mig_obs_create(w->net->n_places, w->net->n_links, w->n_nat, &w->obs);
    if (st != MIG_OK || (st = register_obs(w)) != MIG_OK)
        goto fail;
    if ((st = build_policy(w, ctx)) != MIG_OK)
        goto fail;

    w->model = mig_model_find(cfg->model);
    if (!w->model) {
        st = mig_config_diag(cfg, ctx, MIG_ECONFIG, "model", "unknown model \"%s\"", cfg->model);
        goto fail;
    }
    st = w->model->create(w, ctx, &w->model_state);
    if (st != MIG_OK)
        goto fail;
    for (uint32_t k = 0; k < w->n_nat; k++)
        if (!w->routes[k]) {
            st = mig_ctx_error(ctx, MIG_EINTERNAL, "model %s did not set route weights", w->model->name);
            goto fail;
        }

    if ((st = create_scratch(w, ctx)) != MIG_OK)
        goto fail;
    *out = w;
    return MIG_OK;
fail:
    mig_world_destroy(&w);
    return st;
}

void mig_world_destroy(mig_world **p)
{
    mig_world *w;
    if (!MIG_TAKE(w, p))
        return;
    if (w->model && w->model->destroy)
        w->model->destroy(&w->model_state);
    mig_caravan_destroy(&w->caravans);
    mig_policy_destroy(&w->policy);
    if (w->routes)
        for (uint32_t k = 0; k < w->n_nat; k++)
            mig_route_destroy(&w->routes[k]);
    mig_obs_destroy(&w->obs);
    mig_agents_destroy(&w->agents);
    mig_network_destroy(&w->net);
    MIG_FREE_ALL(w->routes, w->route_weight, w->place_count, w->cap_factor, w->group_pace, w->group_speed,
                 w->source_place, w->source_nat,
                 w->spawn_daily, w->scratch, w->reduce_buf, w);
}

/* ---- routes, spawning, groups -------------------------------------------------------- */

mig_status mig_world_set_routes(mig_world *w, const double *weight, int per_nat, mig_ctx *ctx)
{
    size_t nl = w->net->n_links;
    for (uint32_t k = 0; k < w->n_nat; k++)
        memcpy(w->route_weight + (size_t)k * nl, weight + (per_nat ? (size_t)k * nl : 0), nl * sizeof *weight);
    return mig_world_rebuild_routes(w, ctx);
}

mig_status mig_world_rebuild_routes(mig_world *w, mig_ctx *ctx)
{
    size_t nl = w->net->n_links;
    double *wn = malloc((nl ? nl : 1) * sizeof *wn);
    mig_status st = MIG_OK;
    if (!wn)
        return mig_ctx_error(ctx, MIG_ENOMEM, "out of memory building route tables");
    for (uint32_t k = 0; k < w->n_nat && st == MIG_OK; k++) {
        mig_route_table *t = NULL;
        for (size_t l = 0; l < nl; l++)
            wn[l] = w->route_weight[(size_t)k * nl + l] * w->policy->link_factor[(size_t)k * nl + l] *
                    w->cap_factor[w->net->link_to[l]];
        if ((st = mig_route_create(w->net, wn, ctx, &t)) == MIG_OK) {
            mig_route_destroy(&w->routes[k]);
            w->routes[k] = t;
        }
    }
    free(wn);
    return st;
}

mig_status mig_world_update_capacity(mig_world *w, mig_ctx *ctx)
{
    const mig_network *net = w->net;
    const mig_movement_cfg *mv = &w->cfg->movement;
    int changed = 0;
    for (uint32_t p = 0; p < net->n_places; p++) {
        double f = mig_route_capacity_factor((double)w->place_count[p], (double)net->place_capacity[p],
                                             mv->capacity_buffer, mv->capacity_scaling);
        changed |= f != w->cap_factor[p];
        w->cap_factor[p] = f;
    }
    return changed ? mig_world_rebuild_routes(w, ctx) : MIG_OK;
}

uint8_t mig_world_pace(const mig_world *w, uint32_t id)
{
    const mig_groups_cfg *g = &w->cfg->groups;
    if (!(g->slow_share > 0.0))
        return 100;
    if (mig_rng_u01(mig_rng_draw(w->cfg->seed, id, 0, MIG_RNG_PACE).w[0]) < g->slow_share)
        return (uint8_t)(g->slow_pace * 100.0 + 0.5);
    return 100;
}

static mig_status env_new_group(void *w, float pace, float speed, uint32_t *id)
{
    return mig_world_new_group(w, pace, speed, id);
}

static mig_status env_spawn(void *w, size_t count, uint32_t place, uint16_t nat, uint32_t step, size_t *first,
                            mig_ctx *ctx)
{
    return mig_world_spawn(w, count, place, nat, step, 0, first, ctx);
}

void mig_world_env(mig_world *w, mig_env *out)
{
    *out = (mig_env){ .cfg = w->cfg,
                      .net = w->net,
                      .agents = w->agents,
                      .group_speed = w->group_speed,
                      .n_nat = w->n_nat,
                      .threads = w->threads,
                      .world = w,
                      .new_group = env_new_group,
                      .spawn = env_spawn };
}

mig_status mig_world_new_group(mig_world *w, float pace, float speed, uint32_t *id)
{
    if (w->n_groups == w->cap_groups) {
        uint32_t cap = w->cap_groups ? w->cap_groups * 2 : 1024;
        float *p = realloc(w->group_pace, cap * sizeof *p), *s;
        if (!p)
            return MIG_ENOMEM;
        w->group_pace = p;
        if (!(s = realloc(w->group_speed, cap * sizeof *s)))
            return MIG_ENOMEM;
        w->group_speed = s;
        w->cap_groups = cap;
    }
    w->group_pace[w->n_groups] = pace;
    w->group_speed[w->n_groups] = speed;
    *id = w->n_groups++;
    return MIG_OK;
}

mig_status mig_world_spawn(mig_world *w, size_t count, uint32_t place, uint16_t nat, uint32_t step, int families,
                           size_t *first, mig_ctx *ctx)
{
    mig_agents *a = w->agents;
    const mig_groups_cfg *g = &w->cfg->groups;
    uint32_t id0 = a->next_id, fam_size = g->family_size, n_fam = 0, g0 = 0;
    mig_status st;
    *first = a->n;
    if (!count)
        return MIG_OK;
    if (w->cfg->max_agents && (uint64_t)a->next_id + count > w->cfg->max_agents) {
        char date[11];
        mig_date_format(w->cfg->start_day + (int32_t)step, date);
        return mig_config_diag(w->cfg, ctx, MIG_ECONFIG, "max_agents",
                               "the run would spawn more than max_agents %llu agents on %s (day %u)",
                               (unsigned long long)w->cfg->max_agents, date, step + 1);
    }
    if ((st = mig_agents_reserve(a, count)) != MIG_OK)
        return mig_ctx_error(ctx, st, "cannot grow the agent store to %zu agents", a->n + count);
    mig_agents_spawn(a, count, place, nat, (uint16_t)step, first);
    w->v_spawned[(size_t)place * w->n_nat + nat] += (int64_t)(a->n - *first);
    w->total_spawned += (int64_t)(a->n - *first);
    if (g->slow_share > 0.0)
        for (size_t i = *first; i < a->n; i++)
            a->pace[i] = mig_world_pace(w, a->id[i]);
    if (families && g->family_share > 0.0)
        n_fam = (uint32_t)((double)count * g->family_share / fam_size);
    /* families: ids id0 + f * size ... + size - 1, group ids in order; the same on every
     * rank, since spawning is (each rank keeps its own ids of the same id range) */
    for (uint32_t f = 0; f < n_fam; f++) {
        uint32_t gid;
        uint8_t slowest = 100;
        for (uint32_t m = 0; m < fam_size; m++) {
            uint8_t pc = mig_world_pace(w, id0 + f * fam_size + m);
            if (pc < slowest)
                slowest = pc;
        }
        if ((st = mig_world_new_group(w, (float)(slowest / 100.0), 0.0f, &gid)) != MIG_OK)
            return mig_ctx_error(ctx, st, "out of memory for groups");
        if (!f)
            g0 = gid;
    }
    for (size_t i = *first; n_fam && i < a->n; i++) {
        uint32_t k = a->id[i] - id0;
        if (k < n_fam * fam_size)
            a->group[i] = g0 + k / fam_size;
    }
    return MIG_OK;
}
