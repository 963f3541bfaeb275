/* mig_agents.h: the agent population as a structure of arrays, sized once for tens of
 * millions (24 bytes per agent, no per-agent allocation). Agents that leave the system
 * are compacted away; their stable id keeps every random draw unchanged. */
#ifndef MIG_AGENTS_H
#define MIG_AGENTS_H

#include <stddef.h>
#include <stdint.h>
#include "mig_status.h"

typedef enum mig_agent_state {
    MIG_AGENT_AT_PLACE = 0,   /* loc is a place index */
    MIG_AGENT_ON_LINK = 1,    /* loc is a link index, progress km travelled along it */
    MIG_AGENT_ABSORBED = 2,   /* reached a destination; removed at the next compaction */
    MIG_AGENT_REMOVED = 3,    /* left the system otherwise (model rules); removed likewise */
    MIG_AGENT_DETAINED = 4    /* held by an enforcement intervention: loc is the place, progress
                               * the step of release, held_by the intervention */
} mig_agent_state;

#define MIG_AGENT_STATES 5

/* 1 when the agent has left the system (absorbed or removed). */
#define MIG_AGENT_GONE(s) ((s) == MIG_AGENT_ABSORBED || (s) == MIG_AGENT_REMOVED)

#define MIG_NO_GROUP UINT32_MAX

typedef struct mig_agents {
    size_t n;            /* live agents, in slots [0, n) */
    size_t cap;          /* allocated slots */
    uint32_t next_id;    /* id of the next agent to spawn (ids are never reused) */
    uint32_t rank;       /* this store holds the agents whose id % nranks == rank */
    uint32_t nranks;     /* MPI ranks sharing the population (1 without MPI) */
    uint32_t *id;        /* [cap] stable agent id: the random-number key */
    uint32_t *loc;       /* [cap] place or link index (see state) */
    float *progress;     /* [cap] km travelled along the current link */
    uint32_t *group;     /* [cap] group id, MIG_NO_GROUP when alone */
    uint16_t *birth;     /* [cap] step (day index) of spawning */
    uint16_t *nat;       /* [cap] nationality index */
    uint16_t *origin;    /* [cap] place index where the agent spawned */
    uint8_t *state;      /* [cap] mig_agent_state */
    uint8_t *flags;      /* [cap] free for models */
    uint16_t *held_by;   /* [cap] intervention holding a detained agent (see mig_policy) */
    uint8_t *pace;       /* [cap] walking pace, percent of the mode's speed (100 = full) */
} mig_agents;

/* Bytes of storage per agent slot, summed over the arrays above. */
#define MIG_AGENT_BYTES                                                                   \
    (sizeof(uint32_t) * 3 + sizeof(float) + sizeof(uint16_t) * 4 + sizeof(uint8_t) * 3)

/* lifecycle */
/* Allocates room for cap agents up front (caller owns *out). */
mig_status mig_agents_create(size_t cap, mig_agents **out);
void mig_agents_destroy(mig_agents **p);

/* changes */
/* Ensures room for n + extra agents, growing geometrically; MIG_ENOMEM on failure
 * (the store is then unchanged). */
mig_status mig_agents_reserve(mig_agents *a, size_t extra);
/* Creates count agents at place with nationality nat, born on step: ids next_id ..
 * next_id + count - 1 on every rank, of which this store keeps those of its rank. The slot
 * of the first kept is *first; a->n - *first were kept. Room must have been reserved. */
void mig_agents_spawn(mig_agents *a, size_t count, uint32_t place, uint16_t nat, uint16_t step,
                      size_t *first);
/* Removes absorbed and removed agents, keeping the order of the rest. Returns how many
 * slots were freed in *freed. */
void mig_agents_compact(mig_agents *a, size_t *freed);

#endif
