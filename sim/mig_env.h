/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_env.h: the parts of the world that the policy and caravans act on, lent by the world
 * for one call (mig_world_env fills it), so that neither module depends on mig_world.h. */
#ifndef MIG_ENV_H
#define MIG_ENV_H

#include <stddef.h>
#include <stdint.h>
#include "mig_agents.h"
#include "mig_config.h"
#include "mig_ctx.h"
#include "mig_network.h"
#include "mig_status.h"

typedef struct mig_env {
    const mig_config *cfg;          /* borrowed, as every pointer here */
    const mig_network *net;
    mig_agents *agents;
    const float *group_speed;       /* [groups]: km per day of a led group, 0 for a family; stale
                                     * once new_group has been called */
    uint32_t n_nat;
    int threads;
    /* the world's services: a new group (its id in *id), and count agents spawned at place
     * with nationality nat on step, the first kept on this rank at slot *first */
    void *world;
    mig_status (*new_group)(void *world, float pace, float speed, uint32_t *id);
    mig_status (*spawn)(void *world, size_t count, uint32_t place, uint16_t nat, uint32_t step, size_t *first,
                        mig_ctx *ctx);
} mig_env;

/* The random-number key of agent slot i for purpose: a family's members share their
 * group's key (and draw alike); everyone else, caravan members included, draws alone. */
static inline void mig_env_key(const mig_agents *a, const float *group_speed, size_t i, uint32_t purpose,
                               uint32_t *key, uint32_t *pur)
{
    uint32_t g = a->group[i];
    if (g != MIG_NO_GROUP && group_speed[g] == 0.0f) {
        *key = g;
        *pur = purpose | 0x100u;
    } else {
        *key = a->id[i];
        *pur = purpose;
    }
}

#endif
