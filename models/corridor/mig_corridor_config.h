/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_corridor_config.h: the corridor model's section of the scenario (`corridor:`), its
 * structs as libcyaml fills them, its schema, defaults and checks (see README "Corridor model"). */
#ifndef MIG_CORRIDOR_CONFIG_H
#define MIG_CORRIDOR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "mig_config.h"

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
    bool level;               /* calibrate --levels fits base_rate (default); false: a derived figure */
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
    bool level;               /* calibrate --levels fits scale as a level of the nationality */
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

/* The Securing the Border rule (Proclamation 10773 and the interim final rule, 89 FR 48487 and
 * 48710): the asylum bar applies while the 7-day average of encounters between ports is high. */
typedef struct mig_corridor_bar_cfg {
    char *from;               /* "YYYY-MM-DD" first day the rule can apply */
    double on_at;             /* the bar applies once the average reaches this (persons per day) */
    double off_below;         /* ... and is lifted off_after_days after it falls below this */
    uint32_t off_after_days;  /* calendar days from that day to the lift */
    uint32_t window_days;     /* days in the moving average */
    double remove;            /* P(removed to the origin) at a sector while the bar applies */
    double *retry_removed;    /* P(a removed person sets off again) meanwhile; NULL: outcomes' */
    char **nationalities_exempt; /* nationalities the bar does not apply to */
    uint32_t n_nationalities_exempt;
} mig_corridor_bar_cfg;

/* Where each nationality crosses, derived from the record: its shares of USBP encounters by
 * sector estimated from the monthly sector and citizenship series over a window
 * (mig_corridor_sector_mix), turned into factors on the sectors' attractiveness in its route
 * weights (mig_corridor_sector_factors). Replaces attraction_by_nationality. */
typedef struct mig_corridor_sector_choice_cfg {
    char *data;               /* folder of the record's CSVs, relative to the YAML file */
    char *window;             /* "YYYY-MM/YYYY-MM": months the shares are estimated from */
    double *prior;            /* pull towards the pooled shares, >= 0; NULL: 0.01 */
} mig_corridor_sector_choice_cfg;

/* A forecast's structural error, drawn once per run (mig_corridor_forecast.h): from `from` on,
 * each nationality's inflow times exp(nationality * z), rescaled so the total inflow is
 * unchanged; each sector's share of every nationality's crossings times exp(sector * z),
 * renormalised (sector_choice; the whole run). z are standard normal, keyed by the run's seed
 * and key. */
typedef struct mig_corridor_forecast_error_cfg {
    char *from;               /* "YYYY-MM-DD": first day of the nationality error */
    double nationality;       /* sigma (log) of a nationality's inflow against the rest, >= 0 */
    double sector;            /* sigma (log) of a sector's share, >= 0 (needs sector_choice) */
    uint32_t key;             /* which draw of the error, with the seed (default 0) */
} mig_corridor_forecast_error_cfg;

typedef struct mig_corridor_cfg {
    double scale;             /* agents per person for everything the model spawns; default 1 */
    char *route_options;      /* CSV nationality,from,to,weight[,source,note], or NULL */
    mig_corridor_attraction_cfg *attraction;
    uint32_t n_attraction;
    mig_corridor_nat_attraction_cfg *attraction_by_nationality; /* NULL: the same for everyone */
    mig_corridor_sector_choice_cfg *sector_choice; /* NULL: none (exclusive with the above) */
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
    mig_corridor_bar_cfg *securing_border; /* NULL: no Securing the Border rule */
    mig_corridor_forecast_error_cfg *forecast_error; /* NULL: none */

    /* derived by the section's check when the scenario loads (owned) */
    char *route_options_path;
    char **indicator_path;    /* [n_indicators] */
    char **forcing_path;      /* [n_forcing] */
    int32_t *hazard_from;     /* [n_hazards] day numbers, inclusive */
    int32_t *hazard_to;       /* [n_hazards] */
    int32_t *title42_from_day; /* [n_outcomes]; INT32_MIN when not given */
    int32_t *appointment_day; /* [n_appointments of cbp_one] */
    int32_t bar_from_day;     /* securing_border.from as a day number */
    int32_t forecast_from_day; /* forecast_error.from as a day number */
    char *sector_data_path;   /* sector_choice.data resolved */
    int32_t sector_first_month, sector_last_month; /* sector_choice.window: year * 12 + month - 1 */
} mig_corridor_cfg;

/* The section's declaration for the loader (schema, defaults, checks, free), named in
 * the corridor model's mig_model_ops. */
extern const mig_config_section_ops mig_corridor_section;

/* queries */
/* The scenario's corridor section, or NULL when it has none. Borrowed from cfg. */
const mig_corridor_cfg *mig_corridor_config(const mig_config *cfg);

#endif
