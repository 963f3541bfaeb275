/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_world.h: the world state a run steps through: the immutable scenario and network,
 * the agent store, the spawn schedule, the observation buffers, the chosen model and the
 * running totals that prove conservation. Built once from a loaded config. */
#ifndef MIG_WORLD_H
#define MIG_WORLD_H

#include <stdint.h>
#include "mig_agents.h"
#include "mig_caravan.h"
#include "mig_config.h"
#include "mig_ctx.h"
#include "mig_env.h"
#include "mig_network.h"
#include "mig_obs.h"
#include "mig_policy.h"
#include "mig_rng.h"
#include "mig_route.h"

struct mig_model_ops;

/* A slice of each thread's scratch: values [off, off + len). */
typedef struct mig_slice {
    size_t off, len;
} mig_slice;

/* The per-thread scratch histograms of the parallel phases, one named slice each, laid out
 * once by mig_world_create and used by mig_step. A phase's slices lie end to end from 0
 * (phases overlay one another), so a thread clears its phase's with one memset of
 * <phase>_len values; the scratch holds the longest phase. */
typedef struct mig_scratch_slices {
    /* travel */
    mig_slice flow;          /* [n_links] persons who set off along a link */
    mig_slice arrivals;      /* [n_places * n_nat] persons who arrived at a place */
    mig_slice apprehended;   /* [n_iv * n_places] the policy's apprehensions */
    mig_slice seen;          /* [n_iv] passages an enforcement_target saw (right after apprehended:
                              * the two are mig_policy_apprehend's hist) */
    size_t travel_len;
    /* observe */
    mig_slice occupancy;     /* [n_places] persons at a place */
    mig_slice states;        /* [MIG_AGENT_STATES] agents by mig_agent_state */
    mig_slice detained;      /* [n_iv * n_places] persons detained by intervention and place */
    mig_slice caravan;       /* [n_places] persons walking in caravans by place */
    size_t observe_len;
} mig_scratch_slices;

typedef struct mig_world {
    const mig_config *cfg;          /* borrowed: outlives the world */
    mig_network *net;               /* owned */
    mig_agents *agents;             /* owned */
    uint32_t n_nat;                 /* nationalities */

    /* spawn schedule, built from the config's sources */
    uint32_t n_sources;
    uint32_t *source_place;         /* owned [n_sources] */
    uint16_t *source_nat;           /* owned [n_sources] */
    uint32_t *spawn_daily;          /* owned [n_sources * days]: agents per source per day */

    /* per-mode speed, km per day, and per-place move probability (from the config) */
    double speed[8];

    /* route choice: per-nationality alias tables over the model's base weights times
     * today's policy->link_factor (closures, visas, deterrence); the world owns them and
     * rebuilds them when the model sets weights or the step sees the factors change */
    struct mig_route_table **routes; /* owned [n_nat] */
    double *route_weight;           /* owned [n_nat * n_links]: the model's base weights */

    /* capacity (places with capacity > 0): once a day, before decide, the persons at each
     * place (summed over ranks) give its factor mig_route_capacity_factor (1 where none);
     * the route tables carry the factor of each link's end, and an agent whose chosen next
     * place has a factor below MIG_CAPACITY_FULL stays (Flee's full camp) */
    int has_capacity;               /* 1 when some place has a capacity */
    int64_t *place_count;           /* owned [n_places]: persons at each place before decide */
    double *cap_factor;             /* owned [n_places]: today's factor, in [0, 1] */

    /* groups: families (formed at spawning) and caravans (mig_caravan) */
    uint32_t n_groups, cap_groups;
    float *group_pace;              /* owned [cap_groups]: multiplier on mode speed, the slowest member's */
    float *group_speed;             /* owned [cap_groups]: km per day of a led group, 0 for a family */

    mig_policy *policy;             /* owned: interventions and today's factors */
    mig_caravans *caravans;         /* owned */

    /* the model and its state */
    const struct mig_model_ops *model;  /* static table */
    void *model_state;                  /* owned by the model */

    /* observations: standard variables registered by the engine */
    mig_obs *obs;                   /* owned */
    int64_t *v_occupancy;           /* [place] persons at a place at the end of the day */
    int64_t *v_flow;                /* [link] persons who set off along a link that day */
    int64_t *v_arrivals;            /* [place][nat] persons who arrived at a place that day */
    int64_t *v_spawned;             /* [place][nat] persons spawned that day */
    int64_t *v_on_links;            /* [] persons on links at the end of the day */
    int64_t *v_total_spawned;       /* [] cumulative */
    int64_t *v_total_absorbed;      /* [] cumulative, reached a destination */
    int64_t *v_total_removed;       /* [] cumulative, left otherwise */
    int64_t *v_alive;               /* [] agents in the system at the end of the day */

    /* running totals (conservation: spawned = at places + on links + absorbed + removed) */
    int64_t total_spawned, total_absorbed, total_removed;
    uint64_t agent_steps;           /* sum over steps of agents processed */

    /* memory estimate, made before the agent store is allocated (mig_world_create) */
    uint64_t mem_agents;            /* agent slots: the sources' total (or max_agents) on this rank */
    uint64_t mem_bytes;             /* mem_agents x MIG_AGENT_BYTES plus the tables, bytes */

    /* per-thread scratch histograms for the parallel phases */
    int threads;
    mig_scratch_slices slice;       /* the named slices of each thread's scratch */
    size_t scratch_len;             /* int64 values per thread */
    int64_t *scratch;               /* owned [threads * scratch_len] */
    int64_t *reduce_buf;            /* owned: all observations of a day, packed (MPI only) */
} mig_world;

/* lifecycle */
/* Loads the network named by cfg, checks the graph against the config (sources at known
 * places with known nationalities, a destination reachable from every source), builds the
 * spawn schedule, registers the observations and creates the model. Every problem is
 * reported to ctx. Before the agent store is allocated it estimates the memory the run needs
 * (mem_bytes) and, when that exceeds ctx->max_memory (if set), refuses with MIG_ENOMEM and
 * the figures. */
mig_status mig_world_create(const mig_config *cfg, mig_ctx *ctx, mig_world **out);
void mig_world_destroy(mig_world **p);

/* queries */
/* The random-number key of agent slot i for purpose: a family's members share their
 * group's key (and draw alike); everyone else, caravan members included, draws alone. */
static inline void mig_world_key(const mig_world *w, size_t i, uint32_t purpose, uint32_t *key, uint32_t *pur)
{
    mig_env_key(w->agents, w->group_speed, i, purpose, key, pur);
}
/* Slot range [*b, *e) of thread t among nt for n agents: static and contiguous, so every
 * parallel phase splits the agents alike. */
static inline void mig_world_thread_range(size_t n, int t, int nt, size_t *b, size_t *e)
{
    size_t q = n / (size_t)nt, r = n % (size_t)nt, tt = (size_t)t;
    *b = tt * q + (tt < r ? tt : r);
    *e = *b + q + (tt < r ? 1 : 0);
}
/* Thread t's scratch (scratch_len values; its slices in w->slice). */
static inline int64_t *mig_world_scratch(const mig_world *w, int t)
{
    return w->scratch + (size_t)t * w->scratch_len;
}
/* The pace (percent of mode speed) of agent id under the scenario's groups section. */
uint8_t mig_world_pace(const mig_world *w, uint32_t id);
/* The parts and services of w lent to the policy and caravans for one call (mig_env.h). */
void mig_world_env(mig_world *w, mig_env *out);

/* changes */
/* Sets the model's base route weights: weight[n_links] for every nationality (per_nat 0)
 * or weight[n_nat * n_links] (per_nat 1), and builds the tables with today's factors. */
mig_status mig_world_set_routes(mig_world *w, const double *weight, int per_nat, mig_ctx *ctx);
/* Rebuilds the route tables from the base weights, w->policy->link_factor and the
 * capacity factor of each link's end. */
mig_status mig_world_rebuild_routes(mig_world *w, mig_ctx *ctx);
/* Sets today's capacity factors from w->place_count (the persons at each place) and
 * rebuilds the route tables when a factor changed. */
mig_status mig_world_update_capacity(mig_world *w, mig_ctx *ctx);
/* Spawns count agents at place with nationality nat on step, counts them in `spawned`,
 * gives each its pace and, when families is 1, forms families of the scenario's size
 * from the first ids. *first is the slot of the first kept on this rank. */
mig_status mig_world_spawn(mig_world *w, size_t count, uint32_t place, uint16_t nat, uint32_t step, int families,
                           size_t *first, mig_ctx *ctx);
/* A new group with a pace multiplier and a led speed (0: none); its id in *id. */
mig_status mig_world_new_group(mig_world *w, float pace, float speed, uint32_t *id);

/* A model's decide phase, shared by the models: agents are taken in blocks of
 * MIG_DECIDE_BLOCK; mig_world_draw_block gives agent b0 + j's two words for purpose
 * (u_move[j], u_route[j], keyed by mig_world_key) for a block of n, in one loop without
 * branches that the compiler can pipeline or vectorise; mig_world_move_on then has agent i
 * at place p set off with probability prob times the policy's move factor (u_move) along a
 * link its nationality's route table picks (u_route), or stay. */
#define MIG_DECIDE_BLOCK 256
static inline void mig_world_draw_block(const mig_world *w, uint64_t seed, uint32_t step, uint32_t purpose,
                                        size_t b0, size_t n, uint32_t *u_move, uint32_t *u_route)
{
    uint32_t key[MIG_DECIDE_BLOCK], pur[MIG_DECIDE_BLOCK];
    for (size_t j = 0; j < n; j++)
        mig_world_key(w, b0 + j, purpose, &key[j], &pur[j]);
    mig_rng_draw_block(seed, key, step, pur, u_move, u_route, n);
}
#define MIG_CAPACITY_FULL 0.5
static inline void mig_world_move_on(mig_world *w, size_t i, uint32_t p, double prob, uint32_t u_move,
                                     uint32_t u_route)
{
    mig_agents *a = w->agents;
    const uint32_t k = a->nat[i];
    uint32_t link;
    if (!(mig_rng_u01(u_move) < prob * w->policy->move_factor[(size_t)k * w->net->n_places + p]))
        return;
    link = mig_route_pick(w->routes[k], p, mig_rng_u01(u_route));
    if (link == MIG_NO_LINK || w->cap_factor[w->net->link_to[link]] < MIG_CAPACITY_FULL)
        return;
    a->state[i] = MIG_AGENT_ON_LINK;
    a->loc[i] = link;
    a->progress[i] = 0.0f;
}

#endif
