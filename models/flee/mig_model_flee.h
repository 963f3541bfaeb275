/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_model_flee.h: the flee model's state and its rules, one function each, exported so
 * that tests/unit/test_flee.c checks every rule against analytic values. */
#ifndef MIG_MODEL_FLEE_H
#define MIG_MODEL_FLEE_H

#include <stdint.h>
#include "mig_flee_config.h"
#include "mig_flee_data.h"
#include "mig_world.h"

typedef struct mig_flee_state {
    const mig_flee_cfg *cfg;  /* borrowed from the config */
    mig_flee_data *data;      /* owned */
    uint64_t seed;
    uint32_t days;
    /* today's places (mig_flee_places_day) */
    double *conflict;         /* owned [n_places]: intensity, 0 outside conflict zones */
    int32_t *onset;           /* owned [n_places]: day the current conflict began */
    uint8_t *camp_closed;     /* owned [n_places]: a camp closure is in force */
    uint8_t *camp;            /* owned [n_places]: a camp today (move chance below 0.005) */
    uint8_t *town;            /* owned [n_places]: a town today (avoid_short_stints forces a move) */
    double *movechance;       /* owned [n_places] */
    double *score;            /* owned [n_places] */
    uint8_t *link_closed;     /* owned [n_links] */
    double *link_inv;         /* owned [n_links]: 1 / (softening + km)^distance_power of the link alone */
    double *spawn_weight;     /* owned [n_places]: scratch of the spawn phase */
    uint32_t *spawn_count;    /* owned [n_places]: scratch of the spawn phase */
    int64_t debt;             /* registrations not yet spawned (falls in the camps' totals) */
    int64_t *v_registered;    /* observation [n_places]: D_c(t) at the camps of data_layout.csv */
    /* each agent's journey, by id / ranks (slots move at compaction, ids do not) */
    size_t cap_ids;
    uint16_t *route;          /* owned [cap_ids * MIG_FLEE_MAX_AWARENESS]: the places still ahead */
    uint8_t *route_len;       /* owned [cap_ids] */
    uint16_t *travelled;      /* owned [cap_ids]: Flee's places_travelled (1 at spawning) */
    float *recent;            /* owned [cap_ids]: Flee's recent_travel_distance */
    /* today's admission (mig_flee_admit), by id / ranks; MIG_FLEE_NONE when unset */
    uint16_t *late_camp;      /* owned [cap_ids]: the camp of its first late step towards one */
    uint16_t *late_from;      /* owned [cap_ids]: the place it took that step from */
    uint16_t *arrived_camp;   /* owned [cap_ids]: the camp it last arrived at */
    int64_t *adm;             /* owned [4 * n_places]: the admission's and the ARD's scratch */
    /* validation: Flee's ARD, its daily terms summed (mig_flee_ard_day) */
    uint8_t *validated;       /* owned [n_places]: a camp whose registrations are not all 0 */
    double ard_rescaled, ard_normal;
    uint32_t ard_days;
} mig_flee_state;

#define MIG_FLEE_NONE UINT16_MAX

/* Spawn decay after days_since_onset: spawn_decay[days / interval], the last beyond it. */
double mig_flee_decay(const mig_flee_cfg *c, int32_t days_since_onset);
/* Agents to spawn today from the camps' totals today and yesterday and the debt carried
 * (updated): the rise less the debt, a negative result becoming the debt. */
void mig_flee_spawn_count(const int64_t *total_today, const int64_t *total_yesterday, int64_t *debt, int64_t *out);
/* Today's conflicts, closures, move chances and scores of every place. */
void mig_flee_places_day(mig_flee_state *s, const mig_network *net, uint32_t step);
/* A path's weight: score(end) / (softening + km)^distance_power x cap[end]. */
double mig_flee_path_weight(const mig_flee_state *s, const double *cap, uint32_t end, double km);
/* The path from p chosen by u in [0, 1) among the loop-free paths of 1..awareness_level open
 * links, by weight (equal weights when all weigh 0); its places in out, their number
 * returned (0: none). */
uint8_t mig_flee_select_path(const mig_flee_state *s, const mig_network *net, const double *cap, uint32_t p,
                             double u, uint16_t out[MIG_FLEE_MAX_AWARENESS]);
/* Room in the journey arrays for every id spawned so far on this rank (new ids: no route,
 * places_travelled 1, recent_travel_distance 0). MIG_ENOMEM leaves them as they were. */
mig_status mig_flee_grow_ids(mig_flee_state *s, const mig_agents *a);
/* Agent slot i's whole day (decide, travel, decide again on arrival with distance left);
 * u0: the words of its first decision, mig_rng_draw4(seed, id, step, MIG_RNG_MODEL, 0).w[0..1]
 * (later decisions draw with hop 1, 2, ...). */
void mig_flee_agent_day(const mig_flee_state *s, mig_world *w, size_t i, uint32_t step, const uint32_t u0[2]);
/* The most persons at place p for which Flee still lets an agent set off towards it (its
 * capacity factor at least MIG_CAPACITY_FULL); INT64_MAX without a capacity. */
int64_t mig_flee_admit_limit(const mig_world *w, uint32_t p);
/* Flee checks a camp's count as each agent takes its next step, and that count rises as
 * agents arrive during the day. Agents that set off towards a camp late in the day (after
 * arriving somewhere today) are admitted in the order of a keyed priority (seed, id, day)
 * among all of today's arrivals there: one is admitted while the persons there in the
 * morning plus the arrivals before it do not exceed mig_flee_admit_limit; the others are
 * put back where they set off, their route dropped. Counts are summed over ranks, so the
 * set is the same for any thread or rank count. */
mig_status mig_flee_admit(mig_flee_state *s, mig_world *w, uint32_t step, mig_ctx *ctx);
/* Adds day step's terms of Flee's ARD from w->v_occupancy (summed over ranks here) at the
 * validated camps against their registrations D: with S and U the sums over those camps
 * of the simulated and registered counts, sum |s U / S - D| / max(U, 1) (rescaled; U / S
 * taken as 0 when S = 0) and sum |s - D| / max(U, 1) (normal). */
mig_status mig_flee_ard_day(mig_flee_state *s, const mig_world *w, uint32_t step, mig_ctx *ctx);

#endif
