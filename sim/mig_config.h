/* mig_config.h: the scenario, read from one YAML file (plus --set overrides), checked
 * against a libcyaml schema and semantic rules, with every problem reported as
 * "file:line:column: field: message". Immutable once loaded. */
#ifndef MIG_CONFIG_H
#define MIG_CONFIG_H

#include <stdint.h>
#include "mig_ctx.h"
#include "mig_types.h"

typedef struct mig_source_cfg {
    char *place;              /* place name (must exist in places CSV) */
    char *nationality;        /* one of the scenario's nationalities */
    double rate;              /* agents per day, >= 0; used when series is NULL */
    char *from;               /* "YYYY-MM-DD" first day of the rate, or NULL (run start) */
    char *to;                 /* "YYYY-MM-DD" last day of the rate, or NULL (run end) */
    char *series;             /* dated series CSV (start,end,total), or NULL */
    double scale;             /* multiplier on the series totals, > 0; default 1 */
} mig_source_cfg;

typedef struct mig_movement_cfg {
    double move_prob[MIG_KIND_COUNT]; /* per day, by place kind; destination ignored */
    double distance_power;            /* weight ~ 1 / distance_km^distance_power */
    double attraction_power;          /* weight ~ attraction_ahead^attraction_power */
    uint32_t lookahead_steps;         /* links looked ahead when scoring a next place */
    double lookahead_discount;        /* weight of each further step, in [0,1] */
} mig_movement_cfg;

typedef struct mig_network_cfg {
    char *places;             /* CSV path, relative to the YAML file's folder */
    char *links;              /* CSV path, relative to the YAML file's folder */
} mig_network_cfg;

typedef struct mig_output_cfg {
    uint32_t chunk_days;      /* HDF5 chunk length along time */
    uint32_t deflate;         /* gzip level 0..9 */
} mig_output_cfg;

typedef struct mig_config {
    /* as written in YAML (libcyaml fills these) */
    char *name;
    char *description;
    char *model;              /* model name, e.g. "basic" */
    char *start_date;         /* "YYYY-MM-DD" */
    uint32_t days;            /* number of simulated days, >= 1 */
    uint64_t seed;
    mig_network_cfg network;
    char **nationalities;     /* labels, unique */
    uint32_t n_nationalities;
    mig_source_cfg *sources;
    uint32_t n_sources;
    mig_movement_cfg movement;
    double speed[MIG_MODE_COUNT];  /* km per day, by mode, > 0 */
    uint64_t max_agents;      /* agent capacity; 0 = from the spawn schedule */
    mig_output_cfg output;

    /* derived by mig_config_load (owned) */
    char *path;               /* the YAML file as given */
    char *dir;                /* its folder */
    char *places_path;        /* places resolved against dir */
    char *links_path;         /* links resolved against dir */
    char **series_path;       /* [n_sources] resolved series path or NULL */
    int32_t start_day;        /* days since 1970-01-01 */
    int32_t *source_from;     /* [n_sources] day numbers (inclusive) */
    int32_t *source_to;       /* [n_sources] */
    char *resolved_yaml;      /* the whole scenario with defaults and overrides applied */
    struct mig_config_index *index; /* owned: where each field was set (file:line:col) */
} mig_config;

/* lifecycle */
/* Loads and checks a scenario. overrides are "key.path=value" strings (--set), applied in
 * order; each is checked like the file (errors name "--set key=value"). Every problem
 * is appended to ctx; returns MIG_ENOINPUT (missing file) or MIG_ECONFIG. Graph checks
 * (CSV contents) are not done here: see mig_world_create. */
mig_status mig_config_load(const char *path, const char *const *overrides, size_t n_overrides,
                           mig_ctx *ctx, mig_config **out);
void mig_config_destroy(mig_config **p);

/* queries */
/* Index of a nationality label, or -1. */
int mig_config_nationality(const mig_config *cfg, const char *label);
/* The documented defaults, as YAML text (static). */
const char *mig_config_defaults_yaml(void);
/* Location of a config field for messages: "file:line:column" or "--set k=v" (owned
 * by cfg). Returns cfg->path when the field was not given (a default). */
const char *mig_config_where(const mig_config *cfg, const char *field_path);
/* 1 when field_path was given in the file or by --set (not a default), else 0. */
int mig_config_has(const mig_config *cfg, const char *field_path);

#endif
