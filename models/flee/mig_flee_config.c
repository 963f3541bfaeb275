/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_flee_config.c: the flee model's section: schema, defaults and range checks, reported
 * at each field's location. The Flee tables themselves are read when the model is created. */
#include "mig_flee_config.h"

#include <cyaml/cyaml.h>
#include <stdio.h>
#include <stdlib.h>

#include "mig_util.h"

static const cyaml_schema_value_t float_entry = {
    CYAML_VALUE_FLOAT(CYAML_FLAG_DEFAULT, double),
};

static const cyaml_schema_field_t flee_fields[] = {
    CYAML_FIELD_STRING_PTR("input", CYAML_FLAG_POINTER, mig_flee_cfg, input, 1, CYAML_UNLIMITED),
    CYAML_FIELD_UINT("awareness_level", CYAML_FLAG_DEFAULT, mig_flee_cfg, awareness_level),
    CYAML_FIELD_FLOAT("max_move_speed", CYAML_FLAG_DEFAULT, mig_flee_cfg, max_move_speed),
    CYAML_FIELD_FLOAT("max_walk_speed", CYAML_FLAG_DEFAULT, mig_flee_cfg, max_walk_speed),
    CYAML_FIELD_BOOL("start_on_foot", CYAML_FLAG_DEFAULT, mig_flee_cfg, start_on_foot),
    CYAML_FIELD_BOOL("avoid_short_stints", CYAML_FLAG_DEFAULT, mig_flee_cfg, avoid_short_stints),
    CYAML_FIELD_FLOAT("softening", CYAML_FLAG_DEFAULT, mig_flee_cfg, softening),
    CYAML_FIELD_FLOAT("distance_power", CYAML_FLAG_DEFAULT, mig_flee_cfg, distance_power),
    CYAML_FIELD_FLOAT("camp_weight", CYAML_FLAG_DEFAULT, mig_flee_cfg, camp_weight),
    CYAML_FIELD_FLOAT("foreign_weight", CYAML_FLAG_DEFAULT, mig_flee_cfg, foreign_weight),
    CYAML_FIELD_FLOAT("conflict_weight", CYAML_FLAG_DEFAULT, mig_flee_cfg, conflict_weight),
    CYAML_FIELD_FLOAT("default_movechance", CYAML_FLAG_DEFAULT, mig_flee_cfg, default_movechance),
    CYAML_FIELD_FLOAT("conflict_movechance", CYAML_FLAG_DEFAULT, mig_flee_cfg, conflict_movechance),
    CYAML_FIELD_FLOAT("camp_movechance", CYAML_FLAG_DEFAULT, mig_flee_cfg, camp_movechance),
    CYAML_FIELD_FLOAT("idpcamp_movechance", CYAML_FLAG_DEFAULT, mig_flee_cfg, idpcamp_movechance),
    CYAML_FIELD_SEQUENCE_COUNT("spawn_decay", CYAML_FLAG_POINTER, mig_flee_cfg, spawn_decay, n_spawn_decay,
                               &float_entry, 1, 64),
    CYAML_FIELD_UINT("spawn_decay_interval", CYAML_FLAG_DEFAULT, mig_flee_cfg, spawn_decay_interval),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t flee_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_flee_cfg, flee_fields),
};

/* Flee 3's validation settings (Flee's code defaults differ: default_movechance 0.3,
 * camp_weight 1, max_move_speed 360, softening 10, start_on_foot and avoid_short_stints
 * as here); spawn_decay has no default (write it, e.g. [1, 1, 1, 0.5, 0.1]). */
static const char flee_defaults_yaml[] =
    "awareness_level: 1\n"
    "max_move_speed: 200.0\n"
    "max_walk_speed: 35.0\n"
    "start_on_foot: true\n"
    "avoid_short_stints: true\n"
    "softening: 10.0\n"
    "distance_power: 1.0\n"
    "camp_weight: 2.0\n"
    "foreign_weight: 1.0\n"
    "conflict_weight: 0.31622776601683794\n"
    "default_movechance: 0.5\n"
    "conflict_movechance: 1.0\n"
    "camp_movechance: 0.001\n"
    "idpcamp_movechance: 0.1\n"
    "spawn_decay_interval: 30\n";

static mig_status check_flee(void *section, mig_config_check *chk)
{
    mig_flee_cfg *c = section;
    char field[64], *csv;
    static const struct {
        const char *name;
        size_t off;
    } chances[] = {
        { "default_movechance", offsetof(mig_flee_cfg, default_movechance) },
        { "conflict_movechance", offsetof(mig_flee_cfg, conflict_movechance) },
        { "camp_movechance", offsetof(mig_flee_cfg, camp_movechance) },
        { "idpcamp_movechance", offsetof(mig_flee_cfg, idpcamp_movechance) },
    };

    c->input_path = NULL;
    mig_config_check_range(chk, "flee.awareness_level", c->awareness_level, 1, MIG_FLEE_MAX_AWARENESS,
                           "a number of links in [1, 4]");
    mig_config_check_range(chk, "flee.max_move_speed", c->max_move_speed, 1e-3, 1e5, "a speed in km/day in (0, 1e5]");
    mig_config_check_range(chk, "flee.max_walk_speed", c->max_walk_speed, 1e-3, 1e5, "a speed in km/day in (0, 1e5]");
    mig_config_check_range(chk, "flee.softening", c->softening, 0.0, 1e6, "a distance in km in [0, 1e6]");
    mig_config_check_range(chk, "flee.distance_power", c->distance_power, 0.0, 10.0, "a power in [0, 10]");
    mig_config_check_range(chk, "flee.camp_weight", c->camp_weight, 1e-9, 1e9, "a weight in (0, 1e9]");
    mig_config_check_range(chk, "flee.foreign_weight", c->foreign_weight, 1e-9, 1e9, "a weight in (0, 1e9]");
    mig_config_check_range(chk, "flee.conflict_weight", c->conflict_weight, 1e-9, 1e9, "a weight in (0, 1e9]");
    for (size_t i = 0; i < sizeof chances / sizeof chances[0]; i++) {
        snprintf(field, sizeof field, "flee.%s", chances[i].name);
        mig_config_check_range(chk, field, *(const double *)((const char *)c + chances[i].off), 0.0, 1.0,
                               "a probability in [0, 1]");
    }
    for (uint32_t i = 0; i < c->n_spawn_decay; i++) {
        snprintf(field, sizeof field, "flee.spawn_decay[%u]", i);
        mig_config_check_range(chk, field, c->spawn_decay[i], 0.0, 1e6, "a factor in [0, 1e6]");
    }
    mig_config_check_range(chk, "flee.spawn_decay_interval", c->spawn_decay_interval, 1, 100000,
                           "a number of days in [1, 100000]");
    if (!(c->input_path = mig_path_resolve(chk->cfg->dir, c->input)) ||
        !(csv = mig_path_resolve(c->input_path, "input_csv/locations.csv")))
        return MIG_ENOMEM;
    mig_config_check_file(chk, "flee.input", csv);
    free(csv);
    return MIG_OK;
}

static void free_flee(void *section)
{
    free(((mig_flee_cfg *)section)->input_path);
}

const mig_config_section_ops mig_flee_section = {
    .key = "flee",
    .schema = &flee_schema,
    .defaults_yaml = flee_defaults_yaml,
    .spawns = 1,
    .check = check_flee,
    .free_derived = free_flee,
};

const mig_flee_cfg *mig_flee_config(const mig_config *cfg)
{
    return mig_config_section(cfg, mig_flee_section.key);
}
