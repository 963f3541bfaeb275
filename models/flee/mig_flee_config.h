/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_flee_config.h: the flee model's section of the scenario (`flee:`): where the Flee input
 * folder is and Flee's move and spawn rules' settings (names as in Flee's simsetting.yml).
 * Defaults are those of Flee 3's validation runs (simsetting-flee3-validation.yml). */
#ifndef MIG_FLEE_CONFIG_H
#define MIG_FLEE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "mig_config.h"

#define MIG_FLEE_MAX_AWARENESS 4

typedef struct mig_flee_cfg {
    char *input;                 /* Flee input folder (input_csv/, source_data/), relative to the scenario */
    uint32_t awareness_level;    /* links looked ahead when choosing a path, 1..MIG_FLEE_MAX_AWARENESS */
    double max_move_speed;       /* km per day */
    double max_walk_speed;       /* km per day, the first link when start_on_foot */
    bool start_on_foot;
    bool avoid_short_stints;
    double softening;            /* km added to a path's length in its weight */
    double distance_power;       /* weight ~ 1 / (softening + km)^distance_power */
    double camp_weight, foreign_weight, conflict_weight;
    double default_movechance, conflict_movechance, camp_movechance, idpcamp_movechance;
    double *spawn_decay;         /* by interval since a conflict's onset (conflict_spawn_decay) */
    uint32_t n_spawn_decay;
    uint32_t spawn_decay_interval; /* days (conflict_spawn_decay_interval) */
    /* derived by the check (owned) */
    char *input_path;            /* input resolved against the scenario's folder */
} mig_flee_cfg;

extern const mig_config_section_ops mig_flee_section;

/* The scenario's flee section, or NULL when it has none (borrowed from cfg). */
const mig_flee_cfg *mig_flee_config(const mig_config *cfg);

#endif
