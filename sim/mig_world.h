/* mig_world.h: the world state a run steps through: the immutable scenario and network,
 * the agent store, the spawn schedule, the observation buffers, the chosen model and the
 * running totals that prove conservation. Built once from a loaded config. */
#ifndef MIG_WORLD_H
#define MIG_WORLD_H

#include <stdint.h>
#include "mig_agents.h"
#include "mig_config.h"
#include "mig_ctx.h"
#include "mig_network.h"
#include "mig_obs.h"

struct mig_model_ops;

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

    /* per-thread scratch histograms for the parallel phases */
    int threads;
    size_t scratch_len;             /* int64 values per thread */
    int64_t *scratch;               /* owned [threads * scratch_len] */
    int64_t *reduce_buf;            /* owned: all observations of a day, packed (MPI only) */
} mig_world;

/* lifecycle */
/* Loads the network named by cfg, checks the graph against the config (sources at known
 * places with known nationalities, a destination reachable from every source), builds the
 * spawn schedule, registers the observations and creates the model. Every problem is
 * reported to ctx. */
mig_status mig_world_create(const mig_config *cfg, mig_ctx *ctx, mig_world **out);
void mig_world_destroy(mig_world **p);

#endif
