/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_caravan.h: caravans, led groups that assemble at a place on a dated day and walk a
 * fixed route at a fixed speed until a condition dissolves them. The step calls in after
 * the policy, whose factors (closed links, enforcement) they heed. */
#ifndef MIG_CARAVAN_H
#define MIG_CARAVAN_H

#include <stddef.h>
#include <stdint.h>
#include "mig_config.h"
#include "mig_ctx.h"
#include "mig_env.h"
#include "mig_network.h"
#include "mig_obs.h"
#include "mig_policy.h"
#include "mig_status.h"

enum { MIG_CARAVAN_PENDING, MIG_CARAVAN_WALKING, MIG_CARAVAN_DISSOLVED };

/* One caravan: a led group walking a fixed route at a fixed speed. */
typedef struct mig_caravan {
    uint32_t n_links;
    uint32_t *link;             /* owned [n_links]: the route's links in order */
    float speed;                /* km per day */
    int64_t size;               /* agents: the config's persons times the model's agents per
                                 * person, rounded (at least 1) */
    /* state (checkpointed) */
    int status;
    uint32_t group;             /* group id of the members */
    uint32_t at;                /* index into link: the link walked, or about to be */
    int on_link;                /* 1 while on link[at] */
    float progress;             /* km along link[at], as the members' own progress */
    double km;                  /* km walked */
    uint32_t days;              /* days walked */
    int64_t members;            /* members at assembly, over all ranks */
    int ending;                 /* 1: a condition was met today; it dissolves at the next day's start */
    int32_t dissolved_day;      /* day number, or 0 */
} mig_caravan;

/* The scenario's caravans, in config order. */
typedef struct mig_caravans {
    uint32_t n;
    mig_caravan *list;          /* owned [n] */
    uint64_t seed;
    int64_t *v_members;         /* borrowed from the obs: [place] persons walking in caravans
                                 * (counted in the engine's observe pass) */
} mig_caravans;

/* lifecycle */
/* Compiles the config's caravans against net (every place of a route is checked, problems
 * reported with the field's file:line:column) and registers the observation variable in
 * obs. Caller owns *out. */
mig_status mig_caravan_create(const mig_config *cfg, const mig_network *net, mig_obs *obs, mig_ctx *ctx,
                              mig_caravans **out);
void mig_caravan_destroy(mig_caravans **p);

/* queries */
/* Number of values in the checkpointed state. */
size_t mig_caravan_state_size(const mig_caravans *cs);

/* changes: the step's calls, in order, each after the policy's */
/* Timeline: caravans assembling, dissolving (when a condition was met the day before) and
 * setting off along their next link unless the policy closed it to anyone. */
mig_status mig_caravan_day(mig_caravans *cs, const mig_policy *pol, const mig_env *env, uint32_t step,
                           mig_ctx *ctx);
/* After decide: members of a walking caravan move only with it. */
void mig_caravan_gate(const mig_caravans *cs, const mig_env *env);
/* After travel: caravans' progress (held on links where the policy's closure waits) and
 * the conditions that dissolve them. */
mig_status mig_caravan_after_travel(mig_caravans *cs, const mig_policy *pol, const mig_env *env, uint32_t step,
                                    mig_ctx *ctx);

/* Checkpoint: the state as doubles (exact for the integers it holds), and back. */
void mig_caravan_state_get(const mig_caravans *cs, double *out);
/* 0 when in holds states these caravans can take (each value finite, of its field's type,
 * within its bounds: a walking caravan's group below n_groups, its position within its
 * route), else 1 with *bad the index of the first wrong value. */
int mig_caravan_state_check(const mig_caravans *cs, const double *in, uint32_t n_groups, size_t *bad);
void mig_caravan_state_set(mig_caravans *cs, const double *in);

#endif
