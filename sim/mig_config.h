/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_config.h: the scenario, read from one YAML file (plus --set overrides), checked
 * against a libcyaml schema and semantic rules, with every problem reported as
 * "file:line:column: field: message". Immutable once loaded. */
#ifndef MIG_CONFIG_H
#define MIG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "mig_ctx.h"
#include "mig_types.h"
#include "mig_util.h"

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
    double capacity_buffer;           /* a place with a capacity is nearly full above this share of
                                       * its effective capacity: route weights fall linearly from 1
                                       * there to 0 at it (Flee's CapacityBuffer), in [0,1) */
    double capacity_scaling;          /* effective capacity = places' capacity x this (Flee's
                                       * CapacityScaling), > 0 */
} mig_movement_cfg;

typedef struct mig_network_cfg {
    char *places;             /* CSV path, relative to the YAML file's folder */
    char *links;              /* CSV path, relative to the YAML file's folder */
} mig_network_cfg;

typedef struct mig_output_cfg {
    uint32_t chunk_days;      /* HDF5 chunk length along time */
    uint32_t deflate;         /* gzip level 0..9 */
} mig_output_cfg;

/* ---- policy: packages of dated interventions, and caravans (sim/mig_policy.h) ----------- */

/* The intervention types, written once: X(ID, name, needs_target, keys). An entry yields the
 * enum value MIG_IV_<ID>, the type's name in the scenario, its keys (those it takes besides
 * name, type, from, to and basis, each surrounded by spaces), its checks (check_<name> in
 * mig_config.c) and its hooks (<name>_ops in mig_policy.c). needs_target: 1 when it must
 * name places, links, modes or countries. */
#define MIG_IV_TYPES(X)                                                                                           \
    X(ENFORCEMENT, enforcement, 1,                                                                                \
      " places links modes countries nationalities probability detention_days deport bus_south release bus_to ") \
    X(CLOSURE, closure, 1, " places links modes countries on_link ")                                            \
    X(QUOTA, quota, 1, " places links modes countries nationalities per_day per_month ")                        \
    X(VISA, visa, 1, " places links modes countries nationalities ")                                            \
    X(ORIGIN, origin, 0, " places countries nationalities factor ")                                             \
    X(DETERRENCE, deterrence, 1, " places links modes countries nationalities factor route_factor ")            \
    X(EXPULSION, expulsion, 0, " places nationalities ")                                                          \
    X(ENFORCEMENT_TARGET, enforcement_target, 1,                                                                  \
      " places links modes countries nationalities targets scale detention_days deport bus_south release bus_to ")

#define MIG_IV_ENUM_(id, name, needs_target, keys) MIG_IV_##id,
typedef enum mig_iv_type { MIG_IV_TYPES(MIG_IV_ENUM_) MIG_IV_TYPE_COUNT } mig_iv_type;
#undef MIG_IV_ENUM_

typedef struct mig_intervention_cfg {
    char *name;               /* unique within its package */
    char *type;               /* a name in MIG_IV_TYPES */
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
    char *targets;            /* enforcement_target: series CSV of apprehensions (persons) per period */
    double scale;             /* enforcement_target: agents per person in targets (default 1) */

    /* derived by mig_config_load */
    mig_iv_type kind;         /* type's entry in MIG_IV_TYPES */
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
    uint32_t size;            /* persons (agents: times cfg->agents_per_person, rounded) */
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

/* ---- a model's own section of the scenario (declared in its mig_model_ops) ------------- */

struct cyaml_schema_value;
struct mig_config;

/* Semantic checks in progress: a section's check reports each problem through
 * mig_config_report and the mig_config_check_* helpers, at the field's file:line:col. */
typedef struct mig_config_check {
    struct mig_config *cfg;   /* borrowed: the scenario being checked (engine fields checked) */
    mig_ctx *ctx;             /* borrowed: where problems go */
    int errors;               /* problems reported so far */
    mig_status first;         /* the first problem's status */
} mig_config_check;

/* A top-level key of the scenario that a model owns (e.g. one named after the model). The
 * loader puts it into the schema after the engine's `output` key, merges its defaults, walks
 * and loads it like the engine's keys, and runs its check after the engine's checks of the
 * common keys (before those of the calibration record and the policy). */
typedef struct mig_config_section_ops {
    const char *key;          /* the top-level key */
    const struct cyaml_schema_value *schema; /* its value: a mapping with CYAML_FLAG_POINTER |
                                              * CYAML_FLAG_OPTIONAL (absent: NULL) */
    const char *defaults_yaml; /* defaults inside it, merged only when the scenario has the
                                * section (other scenarios resolve as before); NULL: none */
    int spawns;               /* 1: a scenario with the section may have no sources */
    /* Checks a present section and fills its derived fields. Returns MIG_OK or MIG_ENOMEM;
     * problems are counted in chk. Required. */
    mig_status (*check)(void *section, mig_config_check *chk);
    /* Frees what check derived (the loader frees what libcyaml loaded). Required. */
    void (*free_derived)(void *section);
    /* Agents per person of a checked section (a model that spawns at a scale of its own), by
     * which the engine multiplies what the scenario gives in persons (enforcement_target's
     * targets). NULL: 1. */
    double (*agents_per_person)(const void *section);
} mig_config_section_ops;

/* A record of a calibration, written by `migsim calibrate` (not used by runs). */
typedef struct mig_calibration_param_cfg {
    char *key;                /* scenario key, e.g. sources[0].scale */
    double value;
    char *method;             /* "simplex", "level" or "sector" */
    double lo, hi;            /* search bounds (simplex) */
    double target;            /* sector: the estimated share of the nationality's USBP encounters */
} mig_calibration_param_cfg;

/* One figure of the validation run beside the record's (mig_fit_figure). */
typedef struct mig_calibration_figure_cfg {
    char *table;              /* the model's word, e.g. "month", "citizenship", "sector" */
    char *label;              /* what it is of, e.g. "2022-10", "FY2023 MEXICO" */
    double observed, simulated;
    double error;             /* relative error, or (shares) the difference */
} mig_calibration_figure_cfg;

/* The best run's measures on another window than the fit's (`migsim calibrate --validate`). */
typedef struct mig_calibration_validation_cfg {
    char *window;             /* e.g. 2022-10/2023-09 */
    double objective, mape, citizenship_error, sector_error, outside; /* as the record's */
    mig_calibration_figure_cfg *figures;
    uint32_t n_figures;
} mig_calibration_validation_cfg;

typedef struct mig_calibration_cfg {
    char *date;               /* when it was run, YYYY-MM-DD */
    char *command;            /* the command line */
    char *window;             /* observed window, e.g. 2020-10/2023-09 */
    double scale;             /* the model's scale (agents per person) used while fitting */
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
    char **fitted;            /* every key fitted by it or by the records before it; "a,b" one
                               * value written at several keys */
    uint32_t n_fitted;
    uint32_t fitted_numbers;  /* the values fitted: n_fitted */
    mig_calibration_validation_cfg *validation; /* NULL: none */
    char *note;
} mig_calibration_cfg;

/* A prior of a fitted value, for `migsim calibrate --abc`: its distribution, its range and
 * why (not used by runs). */
typedef struct mig_prior_cfg {
    char *key;                /* scenario key as for --set; "a,b" one value written at several keys */
    char *distribution;       /* "uniform" or "log-uniform" (on [lo, hi]) */
    double lo, hi;
    char *basis;              /* the reason for the range: a source or a stated assumption */
} mig_prior_cfg;

typedef struct mig_config {
    /* as written in YAML (libcyaml fills these) */
    char *name;
    char *description;
    char *model;              /* model name, e.g. "basic" */
    char *start_date;         /* "YYYY-MM-DD" */
    uint32_t days;            /* number of simulated days, >= 1 (from end_date when given) */
    char *end_date;           /* "YYYY-MM-DD", last simulated day, or NULL: days given */
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
    mig_calibration_cfg *calibration; /* NULL when not calibrated */
    mig_prior_cfg *priors;            /* calibrate --abc's priors (may be empty) */
    uint32_t n_priors;
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
    double agents_per_person; /* the model sections' agents_per_person (product; 1 if none) */
    struct mig_config_index *index; /* owned: where each field was set (file:line:col) */
    struct mig_config_schema *schema; /* owned: the schema it was loaded with (engine keys + sections) */

    /* the models' own sections (libcyaml fills these): section[i] belongs to the i-th model of
     * the registry (mig_model_at); NULL when that model has no section or the scenario lacks it.
     * Read them with mig_config_section. */
    void *section[];
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
/* For an unknown nationality: `did you mean "N"?` or `expected one of: ...` (in s). */
const char *mig_config_nationality_hint(const mig_config *cfg, const char *label, mig_suggest *s);
/* The documented defaults, as YAML text (static). */
const char *mig_config_defaults_yaml(void);
/* The section a model declared under key (mig_config_section_ops.key), as loaded; NULL when
 * the scenario has none. Borrowed from cfg; its type is the model's. */
void *mig_config_section(const mig_config *cfg, const char *key);
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

/* checks (for a section's check) */
/* Reports a problem with field at its location: "where: field: message". */
void mig_config_report(mig_config_check *chk, mig_status s, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Reports "expected WHAT, got V" unless lo <= v <= hi. */
void mig_config_check_range(mig_config_check *chk, const char *field, double v, double lo, double hi,
                            const char *what);
/* Reports a file that cannot be opened for reading. */
void mig_config_check_file(mig_config_check *chk, const char *field, const char *path);
/* Parses an optional date into *day; reports a malformed one. Returns 0 when given and
 * valid, 1 when absent (text NULL), -1 when malformed. */
int mig_config_check_date(mig_config_check *chk, const char *field, const char *text, int32_t *day);

#endif
