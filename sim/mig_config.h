/* mig_config.h: the scenario, read from one YAML file (plus --set overrides), checked
 * against a libcyaml schema and semantic rules, with every problem reported as
 * "file:line:column: field: message". Immutable once loaded. */
#ifndef MIG_CONFIG_H
#define MIG_CONFIG_H

#include <stdbool.h>
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

/* ---- the corridor model's section (model `corridor`; see README "Corridor model") ---- */

typedef struct mig_corridor_term_cfg {
    char *indicator;          /* name of one of corridor.indicators */
    double beta;              /* log-rate change per unit of the indicator */
    double ref;               /* indicator value at which the term is 0; default 0 */
    double *max;              /* optional: the indicator is held at max above it (saturation);
                                 NULL: no cap */
} mig_corridor_term_cfg;

typedef struct mig_corridor_hazard_cfg {
    char *nationality;        /* one of the scenario's nationalities */
    char **places;            /* origin places the departures are split over */
    uint32_t n_places;
    double *shares;           /* [n_shares] split of the departures (n_shares = 0: even) */
    uint32_t n_shares;
    double base_rate;         /* persons per day when every term is 0 */
    char *from;               /* "YYYY-MM-DD" first day, or NULL (run start) */
    char *to;                 /* "YYYY-MM-DD" last day, or NULL (run end) */
    mig_corridor_term_cfg *terms;
    uint32_t n_terms;
} mig_corridor_hazard_cfg;

typedef struct mig_corridor_indicator_cfg {
    char *name;               /* unique name used by hazard terms */
    char *file;               /* CSV month,value[,source,note], relative to the YAML file */
} mig_corridor_indicator_cfg;

typedef struct mig_corridor_forcing_cfg {
    char *place;              /* where the observed persons enter the simulation */
    char *nationality;
    char *series;             /* series CSV start,end,total[,source,note] */
    double scale;             /* multiplier on the totals; default 1 */
} mig_corridor_forcing_cfg;

typedef struct mig_corridor_outcome_cfg {
    char *nationality;        /* a nationality, or "*" for every one not listed */
    char *title42_from;       /* "YYYY-MM-DD" first day Title 42 applies to it, or NULL */
    double title42_expel;     /* P(expelled to Mexico) at a sector while Title 42 applies */
    double title42_remove;    /* P(removed to the origin) at a sector while Title 42 applies */
    double remove;            /* P(removed to the origin) at a sector otherwise */
    double retry_expelled;    /* P(an expelled person tries again from the border city) */
    double retry_removed;     /* P(a removed person sets off again from the origin) */
} mig_corridor_outcome_cfg;

typedef struct mig_corridor_attraction_cfg {
    char *place;
    double value;             /* replaces the place's attractiveness in route weights, > 0 */
} mig_corridor_attraction_cfg;

/* Route attractiveness of some places by nationality: values[j] multiplies places[j]'s
 * attractiveness (corridor.attraction or places.csv) in that nationality's route weights. */
typedef struct mig_corridor_factor_cfg {
    char *nationality;        /* a name in nationalities, each at most once */
    double *values;           /* [n_values == n_places of the block], each in (0, 1e6] */
    uint32_t n_values;
} mig_corridor_factor_cfg;

typedef struct mig_corridor_nat_attraction_cfg {
    char **places;            /* distinct place names */
    uint32_t n_places;
    mig_corridor_factor_cfg *factors;
    uint32_t n_factors;
} mig_corridor_nat_attraction_cfg;

typedef struct mig_corridor_appointment_cfg {
    char *from;               /* "YYYY-MM-DD" first day of this daily quota */
    double per_day;           /* CBP One appointments per day, >= 0 (persons) */
} mig_corridor_appointment_cfg;

typedef struct mig_corridor_cbp_one_cfg {
    char **ports;             /* ports of entry (destination places) taking appointments */
    uint32_t n_ports;
    double wait_probability;  /* P(a person at such a port's border city waits for one) */
    double give_up_probability; /* P(a waiter stops waiting, per day); default 0 */
    mig_corridor_appointment_cfg *appointments; /* quotas, in date order */
    uint32_t n_appointments;
} mig_corridor_cbp_one_cfg;

typedef struct mig_corridor_ports_cfg {
    char **places;            /* ports of entry (destination places where OFO encounters) */
    uint32_t n_places;
    double attraction;        /* their attractiveness in route weights, > 0 */
} mig_corridor_ports_cfg;

typedef struct mig_corridor_cfg {
    double scale;             /* agents per person for everything the model spawns; default 1 */
    char *route_options;      /* CSV nationality,from,to,weight[,source,note], or NULL */
    mig_corridor_attraction_cfg *attraction;
    uint32_t n_attraction;
    mig_corridor_nat_attraction_cfg *attraction_by_nationality; /* NULL: the same for everyone */
    mig_corridor_indicator_cfg *indicators;
    uint32_t n_indicators;
    mig_corridor_hazard_cfg *hazards;
    uint32_t n_hazards;
    mig_corridor_forcing_cfg *forcing;
    uint32_t n_forcing;
    mig_corridor_outcome_cfg *outcomes;
    uint32_t n_outcomes;
    mig_corridor_ports_cfg *ports;     /* NULL: no place is a port of entry */
    mig_corridor_cbp_one_cfg *cbp_one; /* NULL: no appointments */

    /* derived by mig_config_load (owned) */
    char *route_options_path;
    char **indicator_path;    /* [n_indicators] */
    char **forcing_path;      /* [n_forcing] */
    int32_t *hazard_from;     /* [n_hazards] day numbers, inclusive */
    int32_t *hazard_to;       /* [n_hazards] */
    int32_t *title42_from_day; /* [n_outcomes]; INT32_MIN when not given */
    int32_t *appointment_day; /* [n_appointments of cbp_one] */
} mig_corridor_cfg;

/* ---- policy: packages of dated interventions, and caravans (sim/mig_policy.h) ----------- */

typedef struct mig_intervention_cfg {
    char *name;               /* unique within its package */
    char *type;               /* enforcement | closure | quota | visa | origin | deterrence | expulsion */
    char *from;               /* "YYYY-MM-DD" first day, or NULL (run start) */
    char *to;                 /* "YYYY-MM-DD" last day, or NULL (run end) */
    char *basis;              /* why these magnitudes: sources and assumptions (required) */
    /* targets: each filter given must match (an empty list matches anything) */
    char **places;            /* place names (a link matches by its destination) */
    uint32_t n_places;
    char **links;             /* "from -> to" */
    uint32_t n_links;
    char **modes;             /* foot | boat | bus | rail | air */
    uint32_t n_modes;
    char **countries;         /* places.csv country (a link matches by its destination's) */
    uint32_t n_countries;
    char **nationalities;     /* agents it applies to (empty: all) */
    uint32_t n_nationalities;
    /* magnitudes (which apply depends on type; see README "Policy") */
    double probability;       /* enforcement: P(apprehended) per passage */
    uint32_t detention_days;  /* enforcement: days held */
    double deport;            /* enforcement: share deported to the origin */
    double bus_south;         /* enforcement: share bused to bus_to */
    double release;           /* enforcement: share released where held */
    char *bus_to;             /* enforcement: place name */
    char *on_link;            /* closure: finish | return | wait (default finish) */
    double per_day;           /* quota: departures per day (agents) */
    double per_month;         /* quota: departures per calendar month (agents) */
    double factor;            /* origin: departures multiplier; deterrence: move-probability multiplier */
    double route_factor;      /* deterrence: route-weight multiplier */

    /* derived by mig_config_load */
    int32_t from_day, to_day; /* inclusive day numbers */
} mig_intervention_cfg;

typedef struct mig_package_cfg {
    char *name;               /* unique; --set 'packages[NAME].enabled=false' */
    char *file;               /* YAML file the package's other keys were read from, or NULL */
    bool enabled;             /* default true */
    char *description;
    char *source;             /* source ids */
    mig_intervention_cfg *interventions;
    uint32_t n_interventions;
} mig_package_cfg;

typedef struct mig_caravan_cfg {
    char *name;
    char *place;              /* where it assembles; route[0] */
    char *date;               /* "YYYY-MM-DD" the day it assembles and sets off */
    uint32_t size;            /* agents */
    char **nationalities;     /* of spawned members (shortfall), optional */
    uint32_t n_nationalities;
    double *shares;           /* [n_shares] split of spawned members (even when absent) */
    uint32_t n_shares;
    char **route;             /* places walked; consecutive pairs are links */
    uint32_t n_route;
    double speed_km_day;      /* walking speed, km per day */
    uint32_t dissolve_days;   /* 0: no limit */
    double dissolve_km;       /* 0: no limit */
    bool dissolve_on_enforcement;
    char *basis;

    /* derived by mig_config_load */
    int32_t day;
} mig_caravan_cfg;

typedef struct mig_groups_cfg {
    double family_share;      /* share of spawned agents who travel in families, [0, 1] */
    uint32_t family_size;     /* persons per family, >= 2 */
    double slow_share;        /* share of persons who walk slower, [0, 1] */
    double slow_pace;         /* their pace as a multiplier on mode speed, (0, 1] */
} mig_groups_cfg;

/* A record of a calibration, written by `migsim calibrate` (not used by runs). */
typedef struct mig_calibration_param_cfg {
    char *key;                /* scenario key, e.g. corridor.hazards[0].base_rate */
    double value;
    char *method;             /* "simplex", "level" or "sector" */
    double lo, hi;            /* search bounds (simplex) */
    double target;            /* sector: the estimated share of the nationality's USBP encounters */
} mig_calibration_param_cfg;

typedef struct mig_calibration_cfg {
    char *date;               /* when it was run, YYYY-MM-DD */
    char *command;            /* the command line */
    char *window;             /* observed window, e.g. 2020-10/2023-09 */
    double scale;             /* corridor.scale used while fitting */
    uint32_t evaluations;     /* model runs */
    double seconds;           /* wall time */
    double objective;         /* final objective value */
    double mape;              /* monthly southwest-border encounter MAPE, fraction */
    double citizenship_error; /* mean |FY error| of the top-10 citizenships, fraction */
    double sector_error;      /* mean |FY share error| of the sectors' USBP shares and the ports'
                               * share of all encounters, fraction (0.01 = 1 point) */
    double outside;           /* band excess of the values outside their targets (0: none) */
    mig_calibration_param_cfg *parameters;
    uint32_t n_parameters;
    char *note;
} mig_calibration_cfg;

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
    mig_corridor_cfg *corridor;       /* NULL when the scenario has no corridor section */
    mig_calibration_cfg *calibration; /* NULL when not calibrated */
    mig_package_cfg *packages;        /* policy packages (may be empty) */
    uint32_t n_packages;
    mig_caravan_cfg *caravans;
    uint32_t n_caravans;
    mig_groups_cfg groups;

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
/* The defaults inside a corridor section, as YAML text (static); merged only when the
 * scenario has a corridor section. */
const char *mig_config_corridor_defaults_yaml(void);
/* Location of a config field for messages: "file:line:column" or "--set k=v" (owned
 * by cfg). Returns cfg->path when the field was not given (a default). */
const char *mig_config_where(const mig_config *cfg, const char *field_path);
/* The same location as fields: the file (or "--set k=v"), line and column (0 when not
 * known: a default or a --set); loc.file is owned by cfg. */
mig_loc mig_config_loc(const mig_config *cfg, const char *field_path);
/* 1 when field_path was given in the file or by --set (not a default), else 0. */
int mig_config_has(const mig_config *cfg, const char *field_path);

/* errors */
/* Adds a diagnostic about field_path at its location ("file:line:col: field: message")
 * and returns s. */
mig_status mig_config_diag(const mig_config *cfg, mig_ctx *ctx, mig_status s, const char *field_path,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
