/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_policy.h: what governments do on dated days. The scenario's enabled packages are
 * compiled into interventions (one per entry of MIG_IV_TYPES, mig_config.h) over target
 * links, places and nationalities; each day the policy sets the factors it owns (route and
 * move multipliers, closed links, enforcement, expulsion), which the world and the model
 * read, and acts on the agents at the step's fixed points, counting what each intervention
 * did by day and place. Every draw is keyed by agent and step. */
#ifndef MIG_POLICY_H
#define MIG_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "mig_config.h"
#include "mig_ctx.h"
#include "mig_env.h"
#include "mig_network.h"
#include "mig_obs.h"
#include "mig_status.h"

enum { MIG_ON_LINK_FINISH, MIG_ON_LINK_RETURN, MIG_ON_LINK_WAIT };

/* One intervention, compiled against the network. */
typedef struct mig_iv {
    mig_iv_type type;
    const mig_intervention_cfg *cfg; /* borrowed: its scenario entry, whose magnitudes it reads */
    int32_t from_day, to_day;   /* inclusive day numbers */
    uint8_t *nat_on;            /* owned [n_nat] */
    uint8_t *link_on;           /* owned [n_links] */
    uint8_t *place_on;          /* owned [n_places] */
    uint32_t bus_to;            /* enforcement: the place index of cfg->bus_to */
    int on_link;                /* closure: MIG_ON_LINK_* of cfg->on_link */
    double p;                   /* enforcement: cfg->probability; enforcement_target: today's, from the target */
    uint32_t *target;           /* owned [days] or NULL: enforcement_target's apprehensions per day (agents) */
    /* state (checkpointed) */
    int32_t month;              /* month number of month_used */
    int64_t month_used;         /* quota: departures admitted this month; enforcement_target: apprehensions
                                 * this month (both over all ranks) */
    int64_t passages;           /* enforcement_target: passages it saw on the last day, over all ranks */
} mig_iv;

typedef struct mig_policy {
    uint32_t n_iv;
    mig_iv *iv;                 /* owned [n_iv]: the enabled packages' interventions, in order */
    char **label;               /* owned [n_iv]: "package/intervention" */
    uint8_t *active;            /* owned [n_iv]: in force today */
    uint32_t *enf_start;        /* owned [n_links + 1]: interventions that catch on arrival per link (CSR) */
    uint32_t *enf_iv;           /* owned */
    uint32_t n_nat, n_links, n_places;
    uint64_t seed;
    int32_t start_day, day;     /* the run's first day; today (day numbers) */
    int rank0;                  /* 1 on the rank that records per-intervention values (rank 0) */
    int64_t *seen;              /* owned [n_iv]: this rank's passages seen today (the travel phase adds) */

    /* today's factors, set by mig_policy_day (the first day's by mig_policy_create) */
    double *link_factor;        /* owned [n_nat * n_links]: multiplier on route weights (0: closed, barred) */
    double *move_factor;        /* owned [n_nat * n_places]: multiplier on move probability */
    uint8_t *link_wait;         /* owned [n_links]: closed, agents on it wait */
    uint8_t *enf_today;         /* owned [n_links]: an enforcement is active on the link */
    uint8_t *expel;             /* owned [n_nat * n_places]: an expulsion applies */
    int any_closed;             /* some link has factor 0 for some nationality */

    /* observations (borrowed from the obs), [intervention][place] */
    int64_t *v_apprehended, *v_detained, *v_deported, *v_turned_back, *v_released, *v_quota_used;
                                /* (v_detained is counted in the engine's observe pass) */
    int64_t *v_target_p;        /* [intervention], only with an enforcement_target: p in millionths */
} mig_policy;

/* lifecycle */
/* Compiles the config's enabled packages against net (every name is checked, problems
 * reported with the field's file:line:column), sets the first day's factors and registers
 * the observation variables in obs. Caller owns *out. */
mig_status mig_policy_create(const mig_config *cfg, const mig_network *net, mig_obs *obs, mig_ctx *ctx,
                             mig_policy **out);
void mig_policy_destroy(mig_policy **p);

/* queries */
/* Multiplies a spawn schedule daily[0..days) (run starting start_day) of agents entering
 * at place with nationality nat by the origin interventions in force each day, keeping
 * integer counts by the floor rule on the running sum. Unchanged when none applies. */
void mig_policy_scale_spawn(const mig_policy *pol, uint32_t place, uint16_t nat, int32_t start_day, uint32_t days,
                            uint32_t *daily);
/* 1 when an expulsion is in force today at place for nationality nat. */
static inline int mig_policy_expels(const mig_policy *pol, uint32_t n_places, uint32_t place, uint16_t nat)
{
    return pol->expel[(size_t)nat * n_places + place];
}
/* Number of values in the checkpointed state. */
size_t mig_policy_state_size(const mig_policy *pol);

/* changes: the step's calls, in order */
/* Timeline: today's interventions and factors (*links_changed: 1 when link_factor changed,
 * so the route tables must be rebuilt), then their actions on agents (closures' agents on links). */
mig_status mig_policy_day(mig_policy *pol, const mig_env *env, uint32_t step, int *links_changed, mig_ctx *ctx);
/* After decide: those who set off along a closed or barred link stay, quotas admit at most
 * their cap. */
mig_status mig_policy_gate(mig_policy *pol, const mig_env *env, uint32_t step, mig_ctx *ctx);
/* Travel, on arrival over link l of agent slot i (called in parallel, only where
 * enf_start[l] < enf_start[l + 1]): apprehension. hist is the thread's counters:
 * [n_iv * n_places] apprehended by intervention and place (the caller merges them into
 * v_apprehended), then [n_iv] passages seen (merged into seen).
 * Returns 1 when the agent was apprehended. */
int mig_policy_apprehend(const mig_policy *pol, const mig_env *env, size_t i, uint32_t l, uint32_t step,
                         int64_t *hist);
/* After travel: releases from detention. */
mig_status mig_policy_after_travel(mig_policy *pol, const mig_env *env, uint32_t step, mig_ctx *ctx);

/* Checkpoint: the state as doubles (exact for the integers it holds), and back. */
void mig_policy_state_get(const mig_policy *pol, double *out);
/* 0 when in holds a state these interventions can take (whole numbers: a month in int32's
 * range, counts from 0 to 2^53), else 1 with *bad the index of the first wrong value. */
int mig_policy_state_check(const mig_policy *pol, const double *in, size_t *bad);
void mig_policy_state_set(mig_policy *pol, const double *in);

#endif
