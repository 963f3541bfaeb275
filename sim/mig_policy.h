/* mig_policy.h: what governments and migrants do on dated days. The scenario's enabled
 * packages are compiled into interventions (enforcement, closure, quota, visa, origin,
 * deterrence, expulsion) over target links, places and nationalities, and caravans into
 * led groups; the step calls in at fixed points and each intervention counts what it did
 * by day and place. Every draw is keyed by agent (or group) and step. */
#ifndef MIG_POLICY_H
#define MIG_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "mig_ctx.h"
#include "mig_status.h"

struct mig_world;

typedef enum mig_iv_type {
    MIG_IV_ENFORCEMENT,
    MIG_IV_CLOSURE,
    MIG_IV_QUOTA,
    MIG_IV_VISA,
    MIG_IV_ORIGIN,
    MIG_IV_DETERRENCE,
    MIG_IV_EXPULSION,
    MIG_IV_TYPE_COUNT
} mig_iv_type;

enum { MIG_ON_LINK_FINISH, MIG_ON_LINK_RETURN, MIG_ON_LINK_WAIT };

/* One intervention, compiled against the network. */
typedef struct mig_iv {
    mig_iv_type type;
    int32_t from_day, to_day;   /* inclusive day numbers */
    uint8_t *nat_on;            /* owned [n_nat] */
    uint8_t *link_on;           /* owned [n_links] */
    uint8_t *place_on;          /* owned [n_places] */
    double probability, deport, bus_south;
    uint32_t detention_days, bus_to;
    int on_link;
    double per_day, per_month;  /* < 0: no cap */
    double factor, route_factor;
    /* state (checkpointed) */
    int32_t month;              /* month number of month_used */
    int64_t month_used;         /* quota: departures admitted this month, over all ranks */
} mig_iv;

enum { MIG_CARAVAN_PENDING, MIG_CARAVAN_WALKING, MIG_CARAVAN_DISSOLVED };

/* One caravan: a led group walking a fixed route at a fixed speed. */
typedef struct mig_caravan {
    uint32_t n_links;
    uint32_t *link;             /* owned [n_links]: the route's links in order */
    float speed;                /* km per day */
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

typedef struct mig_policy {
    uint32_t n_iv;
    mig_iv *iv;                 /* owned [n_iv]: the enabled packages' interventions, in order */
    char **label;               /* owned [n_iv]: "package/intervention" */
    uint8_t *active;            /* owned [n_iv]: in force today */
    uint32_t *enf_start;        /* owned [n_links + 1]: enforcement interventions per link (CSR) */
    uint32_t *enf_iv;           /* owned */
    uint8_t *expel;             /* owned [n_nat * n_places]: an expulsion applies today */
    uint8_t *enf_today;         /* owned [n_links]: an enforcement is active on the link today */
    int any_closed;             /* today some link has factor 0 for some nationality */
    uint32_t n_caravans;
    mig_caravan *caravans;      /* owned [n_caravans] */
    uint64_t seed;

    /* observations (borrowed from w->obs), [intervention][place] */
    int64_t *v_apprehended, *v_detained, *v_deported, *v_turned_back, *v_released, *v_quota_used;
    int64_t *v_caravan;         /* [place] persons walking in caravans
                                 * (v_detained and v_caravan are counted in the engine's observe pass) */
} mig_policy;

/* lifecycle */
/* Compiles the config's enabled packages and caravans against w->net (every name is
 * checked, problems reported with the field's file:line:column), sets the world's route
 * and move factors for the first day, and registers the observation variables. Needs
 * w->net, w->obs and w->n_nat. Caller owns *out. */
mig_status mig_policy_create(struct mig_world *w, mig_ctx *ctx, mig_policy **out);
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
/* Timeline: today's interventions and factors (rebuilding route tables on change),
 * closures' agents on links, caravans assembling and setting off. */
mig_status mig_policy_day(mig_policy *pol, struct mig_world *w, uint32_t step, mig_ctx *ctx);
/* After decide: those who set off along a closed or barred link stay, caravan members
 * follow their caravan, quotas admit at most their cap. */
mig_status mig_policy_gate(mig_policy *pol, struct mig_world *w, uint32_t step, mig_ctx *ctx);
/* Travel, on arrival over link l of agent slot i (called in parallel, only where
 * enf_start[l] < enf_start[l + 1]): apprehension. hist is the thread's
 * [intervention][place] counter. Returns 1 when the agent was apprehended. */
int mig_policy_apprehend(const mig_policy *pol, struct mig_world *w, size_t i, uint32_t l, uint32_t step,
                         int64_t *hist);
/* After travel: releases from detention, caravans' progress and dissolution. */
mig_status mig_policy_after_travel(mig_policy *pol, struct mig_world *w, uint32_t step, mig_ctx *ctx);

/* Checkpoint: the state as doubles (exact for the integers it holds), and back. */
void mig_policy_state_get(const mig_policy *pol, double *out);
void mig_policy_state_set(mig_policy *pol, const double *in);

#endif
