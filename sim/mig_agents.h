/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_agents.h: the agent population as a structure of arrays, sized once for tens of
 * millions (MIG_AGENT_BYTES per agent, no per-agent allocation). Agents that leave the
 * system are compacted away; their stable id keeps every random draw unchanged. */
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

/* The agent fields, each an array [cap] of the store, written once:
 * X(name, C type, HDF5 memory type, description). The store's struct, allocation, growth
 * and compaction, the checkpoint's /agents/<name> datasets, MIG_AGENT_BYTES and the tests
 * are generated from it; mig_agents_spawn gives each field its first value. A new field
 * is one line here plus its value in mig_agents_spawn (checkpoints then carry it). */
#define MIG_AGENT_FIELDS(X)                                                                       \
    X(id, uint32_t, H5T_NATIVE_UINT32, "stable agent id: the random-number key")                   \
    X(loc, uint32_t, H5T_NATIVE_UINT32, "place or link index (see state)")                         \
    X(progress, float, H5T_NATIVE_FLOAT, "km travelled along the current link")                    \
    X(group, uint32_t, H5T_NATIVE_UINT32, "group id, MIG_NO_GROUP when alone")                     \
    X(birth, uint16_t, H5T_NATIVE_UINT16, "step (day index) of spawning")                          \
    X(nat, uint16_t, H5T_NATIVE_UINT16, "nationality index")                                       \
    X(origin, uint16_t, H5T_NATIVE_UINT16, "place index where the agent spawned")                  \
    X(state, uint8_t, H5T_NATIVE_UINT8, "mig_agent_state")                                         \
    X(flags, uint8_t, H5T_NATIVE_UINT8, "free for models")                                         \
    X(held_by, uint16_t, H5T_NATIVE_UINT16, "intervention holding a detained agent (mig_policy)")  \
    X(pace, uint8_t, H5T_NATIVE_UINT8, "walking pace, percent of the mode's speed (100 = full)")

typedef struct mig_agents {
    size_t n;            /* live agents, in slots [0, n) */
    size_t cap;          /* allocated slots */
    uint32_t next_id;    /* id of the next agent to spawn (ids are never reused) */
    uint32_t rank;       /* this store holds the agents whose id % nranks == rank */
    uint32_t nranks;     /* MPI ranks sharing the population (1 without MPI) */
#define MIG_AGENT_MEMBER(name, ctype, h5type, doc) ctype *name;
    MIG_AGENT_FIELDS(MIG_AGENT_MEMBER)
#undef MIG_AGENT_MEMBER
} mig_agents;

/* Bytes of storage per agent slot, summed over the fields above. */
#define MIG_AGENT_FIELD_BYTES(name, ctype, h5type, doc) +sizeof(ctype)
#define MIG_AGENT_BYTES (0 MIG_AGENT_FIELDS(MIG_AGENT_FIELD_BYTES))

/* What an agent in the system may hold (mig_agents_check): the sizes of the tables its
 * indices point into and the bounds of its values. */
typedef struct mig_agents_limits {
    uint32_t n_places, n_links, n_nat, n_groups, n_iv;
    const double *link_km;    /* borrowed [n_links]: a link's length bounds progress on it */
    uint32_t next_id;         /* ids lie below it, increasing from slot to slot */
    uint32_t next_day;        /* births lie before it */
} mig_agents_limits;

/* The first entry that breaks the limits: its field (a MIG_AGENT_FIELDS name), its slot and
 * what is wrong ("40 is not a place index (the network has 12 places)"). */
typedef struct mig_agents_fault {
    const char *field;        /* static */
    size_t slot;
    char what[160];
} mig_agents_fault;

/* lifecycle */
/* Allocates room for cap agents up front (caller owns *out). */
mig_status mig_agents_create(size_t cap, mig_agents **out);
void mig_agents_destroy(mig_agents **p);

/* queries */
/* Checks slots [0, n) against lim: every state one of an agent in the system (at a place, on
 * a link, detained; the gone are compacted away), every index within its table, progress
 * finite and within its link, pace a percent, held_by set only on the detained. Returns 0
 * when all hold, else 1 with the first fault in *f. */
int mig_agents_check(const mig_agents *a, const mig_agents_limits *lim, mig_agents_fault *f);

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
