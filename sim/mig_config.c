/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_config.c: scenario loading. The YAML text is parsed with libyaml into a document
 * (which keeps line and column of every node), the documented defaults are merged in,
 * --set overrides are applied, and the document is walked against the libcyaml schema
 * strictly (unknown keys, wrong types, bad numbers: every problem, with its location).
 * Only a document that passes is emitted and loaded by libcyaml into mig_config; the
 * semantic checks (ranges, dates, files) then run with the same locations. */
#include "mig_config.h"

#include <cyaml/cyaml.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "mig_date.h"
#include "mig_keypath.h"
#include "mig_model.h"
#include "mig_util.h"

/* ------------------------------------------------------------------ schema ---------- */

static const cyaml_schema_value_t string_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 64),
};

static const cyaml_schema_field_t network_fields[] = {
    CYAML_FIELD_STRING_PTR("places", CYAML_FLAG_POINTER, mig_network_cfg, places, 1, CYAML_UNLIMITED),
    CYAML_FIELD_STRING_PTR("links", CYAML_FLAG_POINTER, mig_network_cfg, links, 1, CYAML_UNLIMITED),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t source_fields[] = {
    CYAML_FIELD_STRING_PTR("place", CYAML_FLAG_POINTER, mig_source_cfg, place, 1, CYAML_UNLIMITED),
    CYAML_FIELD_STRING_PTR("nationality", CYAML_FLAG_POINTER, mig_source_cfg, nationality, 1, 64),
    CYAML_FIELD_FLOAT("rate", CYAML_FLAG_OPTIONAL, mig_source_cfg, rate),
    CYAML_FIELD_STRING_PTR("from", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_source_cfg, from, 0, 32),
    CYAML_FIELD_STRING_PTR("to", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_source_cfg, to, 0, 32),
    CYAML_FIELD_STRING_PTR("series", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_source_cfg, series, 1,
                           CYAML_UNLIMITED),
    CYAML_FIELD_FLOAT("scale", CYAML_FLAG_OPTIONAL, mig_source_cfg, scale),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t source_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_source_cfg, source_fields),
};

/* Fields of a per-kind or per-mode table of doubles, one field per enum spelling. */
#define KIND_FIELD(e, s) CYAML_FIELD_FLOAT(s, CYAML_FLAG_DEFAULT, mig_kind_table, v[e]),
#define MODE_FIELD(e, s) CYAML_FIELD_FLOAT(s, CYAML_FLAG_DEFAULT, mig_mode_table, v[e]),
typedef struct mig_kind_table {
    double v[MIG_KIND_COUNT];
} mig_kind_table;
typedef struct mig_mode_table {
    double v[MIG_MODE_COUNT];
} mig_mode_table;

/* The destination kind absorbs, so it has no move probability. */
static const cyaml_schema_field_t move_prob_fields[] = {
    CYAML_FIELD_FLOAT("origin", CYAML_FLAG_DEFAULT, mig_kind_table, v[MIG_KIND_ORIGIN]),
    CYAML_FIELD_FLOAT("town", CYAML_FLAG_DEFAULT, mig_kind_table, v[MIG_KIND_TOWN]),
    CYAML_FIELD_FLOAT("camp", CYAML_FLAG_DEFAULT, mig_kind_table, v[MIG_KIND_CAMP]),
    CYAML_FIELD_FLOAT("border", CYAML_FLAG_DEFAULT, mig_kind_table, v[MIG_KIND_BORDER]),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t speed_fields[] = { MIG_MODE_LIST(MODE_FIELD) CYAML_FIELD_END };
#undef KIND_FIELD
#undef MODE_FIELD

static const cyaml_schema_field_t movement_fields[] = {
    { .key = "move_probability",
      .data_offset = offsetof(mig_movement_cfg, move_prob),
      .value = { CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_kind_table, move_prob_fields) } },
    CYAML_FIELD_FLOAT("distance_power", CYAML_FLAG_DEFAULT, mig_movement_cfg, distance_power),
    CYAML_FIELD_FLOAT("attraction_power", CYAML_FLAG_DEFAULT, mig_movement_cfg, attraction_power),
    CYAML_FIELD_UINT("lookahead_steps", CYAML_FLAG_DEFAULT, mig_movement_cfg, lookahead_steps),
    CYAML_FIELD_FLOAT("lookahead_discount", CYAML_FLAG_DEFAULT, mig_movement_cfg, lookahead_discount),
    CYAML_FIELD_FLOAT("capacity_buffer", CYAML_FLAG_DEFAULT, mig_movement_cfg, capacity_buffer),
    CYAML_FIELD_FLOAT("capacity_scaling", CYAML_FLAG_DEFAULT, mig_movement_cfg, capacity_scaling),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t output_fields[] = {
    CYAML_FIELD_UINT("chunk_days", CYAML_FLAG_DEFAULT, mig_output_cfg, chunk_days),
    CYAML_FIELD_UINT("deflate", CYAML_FLAG_DEFAULT, mig_output_cfg, deflate),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t float_entry = {
    CYAML_VALUE_FLOAT(CYAML_FLAG_DEFAULT, double),
};

/* policy: packages of interventions, caravans, groups (sim/mig_config.h documents each) */
#define OPT_STRINGS(key, type, member, count)                                                     \
    CYAML_FIELD_SEQUENCE_COUNT(key, CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, type, member, count, \
                               &string_entry, 0, 65535)
static const cyaml_schema_field_t intervention_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, mig_intervention_cfg, name, 1, 64),
    CYAML_FIELD_STRING_PTR("type", CYAML_FLAG_POINTER, mig_intervention_cfg, type, 1, 32),
    CYAML_FIELD_STRING_PTR("from", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_intervention_cfg, from, 0, 32),
    CYAML_FIELD_STRING_PTR("to", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_intervention_cfg, to, 0, 32),
    CYAML_FIELD_STRING_PTR("basis", CYAML_FLAG_POINTER, mig_intervention_cfg, basis, 1, CYAML_UNLIMITED),
    OPT_STRINGS("places", mig_intervention_cfg, places, n_places),
    OPT_STRINGS("links", mig_intervention_cfg, links, n_links),
    OPT_STRINGS("modes", mig_intervention_cfg, modes, n_modes),
    OPT_STRINGS("countries", mig_intervention_cfg, countries, n_countries),
    OPT_STRINGS("nationalities", mig_intervention_cfg, nationalities, n_nationalities),
    CYAML_FIELD_FLOAT("probability", CYAML_FLAG_OPTIONAL, mig_intervention_cfg, probability),
    CYAML_FIELD_UINT("detention_days", CYAML_FLAG_OPTIONAL, mig_intervention_cfg, detention_days),
    CYAML_FIELD_FLOAT("deport", CYAML_FLAG_OPTIONAL, mig_intervention_cfg, deport),
    CYAML_FIELD_FLOAT("bus_south", CYAML_FLAG_OPTIONAL, mig_intervention_cfg, bus_south),
    CYAML_FIELD_FLOAT("release", CYAML_FLAG_OPTIONAL, mig_intervention_cfg, release),
    CYAML_FIELD_STRING_PTR("bus_to", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_intervention_cfg, bus_to, 1,
                           CYAML_UNLIMITED),
    CYAML_FIELD_STRING_PTR("on_link", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_intervention_cfg, on_link, 1,
                           16),
    CYAML_FIELD_FLOAT("per_day", CYAML_FLAG_OPTIONAL, mig_intervention_cfg, per_day),
    CYAML_FIELD_FLOAT("per_month", CYAML_FLAG_OPTIONAL, mig_intervention_cfg, per_month),
    CYAML_FIELD_FLOAT("factor", CYAML_FLAG_OPTIONAL, mig_intervention_cfg, factor),
    CYAML_FIELD_FLOAT("route_factor", CYAML_FLAG_OPTIONAL, mig_intervention_cfg, route_factor),
    CYAML_FIELD_STRING_PTR("targets", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_intervention_cfg, targets, 1,
                           CYAML_UNLIMITED),
    CYAML_FIELD_FLOAT("scale", CYAML_FLAG_OPTIONAL, mig_intervention_cfg, scale),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t intervention_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_intervention_cfg, intervention_fields),
};

static const cyaml_schema_field_t package_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, mig_package_cfg, name, 1, 64),
    CYAML_FIELD_STRING_PTR("file", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_package_cfg, file, 1,
                           CYAML_UNLIMITED),
    CYAML_FIELD_BOOL("enabled", CYAML_FLAG_DEFAULT, mig_package_cfg, enabled),
    CYAML_FIELD_STRING_PTR("description", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_package_cfg, description,
                           0, CYAML_UNLIMITED),
    CYAML_FIELD_STRING_PTR("source", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_package_cfg, source, 0,
                           CYAML_UNLIMITED),
    CYAML_FIELD_SEQUENCE_COUNT("interventions", CYAML_FLAG_POINTER, mig_package_cfg, interventions,
                               n_interventions, &intervention_entry, 1, 4096),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t package_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_package_cfg, package_fields),
};

static const cyaml_schema_field_t caravan_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, mig_caravan_cfg, name, 1, 64),
    CYAML_FIELD_STRING_PTR("place", CYAML_FLAG_POINTER, mig_caravan_cfg, place, 1, CYAML_UNLIMITED),
    CYAML_FIELD_STRING_PTR("date", CYAML_FLAG_POINTER, mig_caravan_cfg, date, 1, 32),
    CYAML_FIELD_UINT("size", CYAML_FLAG_DEFAULT, mig_caravan_cfg, size),
    OPT_STRINGS("nationalities", mig_caravan_cfg, nationalities, n_nationalities),
    CYAML_FIELD_SEQUENCE_COUNT("shares", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_caravan_cfg, shares,
                               n_shares, &float_entry, 1, 65535),
    CYAML_FIELD_SEQUENCE_COUNT("route", CYAML_FLAG_POINTER, mig_caravan_cfg, route, n_route, &string_entry, 2,
                               4096),
    CYAML_FIELD_FLOAT("speed_km_day", CYAML_FLAG_DEFAULT, mig_caravan_cfg, speed_km_day),
    CYAML_FIELD_UINT("dissolve_days", CYAML_FLAG_DEFAULT, mig_caravan_cfg, dissolve_days),
    CYAML_FIELD_FLOAT("dissolve_km", CYAML_FLAG_DEFAULT, mig_caravan_cfg, dissolve_km),
    CYAML_FIELD_BOOL("dissolve_on_enforcement", CYAML_FLAG_DEFAULT, mig_caravan_cfg, dissolve_on_enforcement),
    CYAML_FIELD_STRING_PTR("basis", CYAML_FLAG_POINTER, mig_caravan_cfg, basis, 1, CYAML_UNLIMITED),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t caravan_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_caravan_cfg, caravan_fields),
};
#undef OPT_STRINGS

static const cyaml_schema_field_t groups_fields[] = {
    CYAML_FIELD_FLOAT("family_share", CYAML_FLAG_DEFAULT, mig_groups_cfg, family_share),
    CYAML_FIELD_UINT("family_size", CYAML_FLAG_DEFAULT, mig_groups_cfg, family_size),
    CYAML_FIELD_FLOAT("slow_share", CYAML_FLAG_DEFAULT, mig_groups_cfg, slow_share),
    CYAML_FIELD_FLOAT("slow_pace", CYAML_FLAG_DEFAULT, mig_groups_cfg, slow_pace),
    CYAML_FIELD_END
};

/* calibration: a record written by `migsim calibrate` */
static const cyaml_schema_field_t calib_param_fields[] = {
    CYAML_FIELD_STRING_PTR("key", CYAML_FLAG_POINTER, mig_calibration_param_cfg, key, 1, CYAML_UNLIMITED),
    CYAML_FIELD_FLOAT("value", CYAML_FLAG_DEFAULT, mig_calibration_param_cfg, value),
    CYAML_FIELD_STRING_PTR("method", CYAML_FLAG_POINTER, mig_calibration_param_cfg, method, 1, 32),
    CYAML_FIELD_FLOAT("lo", CYAML_FLAG_OPTIONAL, mig_calibration_param_cfg, lo),
    CYAML_FIELD_FLOAT("hi", CYAML_FLAG_OPTIONAL, mig_calibration_param_cfg, hi),
    CYAML_FIELD_FLOAT("target", CYAML_FLAG_OPTIONAL, mig_calibration_param_cfg, target),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t calib_param_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_calibration_param_cfg, calib_param_fields),
};

static const cyaml_schema_field_t calib_figure_fields[] = {
    CYAML_FIELD_STRING_PTR("table", CYAML_FLAG_POINTER, mig_calibration_figure_cfg, table, 1, 64),
    CYAML_FIELD_STRING_PTR("label", CYAML_FLAG_POINTER, mig_calibration_figure_cfg, label, 1, 256),
    CYAML_FIELD_FLOAT("observed", CYAML_FLAG_DEFAULT, mig_calibration_figure_cfg, observed),
    CYAML_FIELD_FLOAT("simulated", CYAML_FLAG_DEFAULT, mig_calibration_figure_cfg, simulated),
    CYAML_FIELD_FLOAT("error", CYAML_FLAG_DEFAULT, mig_calibration_figure_cfg, error),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t calib_figure_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_calibration_figure_cfg, calib_figure_fields),
};

static const cyaml_schema_field_t calib_validation_fields[] = {
    CYAML_FIELD_STRING_PTR("window", CYAML_FLAG_POINTER, mig_calibration_validation_cfg, window, 1, 64),
    CYAML_FIELD_FLOAT("objective", CYAML_FLAG_DEFAULT, mig_calibration_validation_cfg, objective),
    CYAML_FIELD_FLOAT("mape", CYAML_FLAG_DEFAULT, mig_calibration_validation_cfg, mape),
    CYAML_FIELD_FLOAT("citizenship_error", CYAML_FLAG_OPTIONAL, mig_calibration_validation_cfg, citizenship_error),
    CYAML_FIELD_FLOAT("sector_error", CYAML_FLAG_OPTIONAL, mig_calibration_validation_cfg, sector_error),
    CYAML_FIELD_FLOAT("outside", CYAML_FLAG_OPTIONAL, mig_calibration_validation_cfg, outside),
    CYAML_FIELD_SEQUENCE_COUNT("figures", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_calibration_validation_cfg,
                               figures, n_figures, &calib_figure_entry, 0, CYAML_UNLIMITED),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t fitted_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t calibration_fields[] = {
    CYAML_FIELD_STRING_PTR("date", CYAML_FLAG_POINTER, mig_calibration_cfg, date, 1, 32),
    CYAML_FIELD_STRING_PTR("command", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_calibration_cfg, command, 0,
                           CYAML_UNLIMITED),
    CYAML_FIELD_STRING_PTR("window", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_calibration_cfg, window, 0,
                           64),
    CYAML_FIELD_FLOAT("scale", CYAML_FLAG_OPTIONAL, mig_calibration_cfg, scale),
    CYAML_FIELD_UINT("evaluations", CYAML_FLAG_OPTIONAL, mig_calibration_cfg, evaluations),
    CYAML_FIELD_FLOAT("seconds", CYAML_FLAG_OPTIONAL, mig_calibration_cfg, seconds),
    CYAML_FIELD_FLOAT("objective", CYAML_FLAG_DEFAULT, mig_calibration_cfg, objective),
    CYAML_FIELD_FLOAT("mape", CYAML_FLAG_DEFAULT, mig_calibration_cfg, mape),
    CYAML_FIELD_FLOAT("citizenship_error", CYAML_FLAG_OPTIONAL, mig_calibration_cfg, citizenship_error),
    CYAML_FIELD_FLOAT("sector_error", CYAML_FLAG_OPTIONAL, mig_calibration_cfg, sector_error),
    CYAML_FIELD_FLOAT("outside", CYAML_FLAG_OPTIONAL, mig_calibration_cfg, outside),
    CYAML_FIELD_SEQUENCE_COUNT("parameters", CYAML_FLAG_POINTER, mig_calibration_cfg, parameters, n_parameters,
                               &calib_param_entry, 0, CYAML_UNLIMITED),
    CYAML_FIELD_UINT("fitted_numbers", CYAML_FLAG_OPTIONAL, mig_calibration_cfg, fitted_numbers),
    CYAML_FIELD_SEQUENCE_COUNT("fitted", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_calibration_cfg, fitted,
                               n_fitted, &fitted_entry, 0, CYAML_UNLIMITED),
    CYAML_FIELD_MAPPING_PTR("validation", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_calibration_cfg, validation,
                            calib_validation_fields),
    CYAML_FIELD_STRING_PTR("note", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_calibration_cfg, note, 0,
                           CYAML_UNLIMITED),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t prior_fields[] = {
    CYAML_FIELD_STRING_PTR("key", CYAML_FLAG_POINTER, mig_prior_cfg, key, 1, CYAML_UNLIMITED),
    CYAML_FIELD_STRING_PTR("distribution", CYAML_FLAG_POINTER, mig_prior_cfg, distribution, 1, 32),
    CYAML_FIELD_FLOAT("lo", CYAML_FLAG_DEFAULT, mig_prior_cfg, lo),
    CYAML_FIELD_FLOAT("hi", CYAML_FLAG_DEFAULT, mig_prior_cfg, hi),
    CYAML_FIELD_STRING_PTR("basis", CYAML_FLAG_POINTER, mig_prior_cfg, basis, 1, CYAML_UNLIMITED),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t prior_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_prior_cfg, prior_fields),
};

/* The engine's top-level keys: the models' sections come between head and tail. */
static const cyaml_schema_field_t config_head_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, mig_config, name, 0, CYAML_UNLIMITED),
    CYAML_FIELD_STRING_PTR("description", CYAML_FLAG_POINTER, mig_config, description, 0, CYAML_UNLIMITED),
    CYAML_FIELD_STRING_PTR("model", CYAML_FLAG_POINTER, mig_config, model, 1, 64),
    CYAML_FIELD_STRING_PTR("start_date", CYAML_FLAG_POINTER, mig_config, start_date, 1, 32),
    CYAML_FIELD_UINT("days", CYAML_FLAG_OPTIONAL, mig_config, days),   /* required unless end_date */
    CYAML_FIELD_STRING_PTR("end_date", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_config, end_date, 1, 32),
    CYAML_FIELD_UINT("seed", CYAML_FLAG_DEFAULT, mig_config, seed),
    CYAML_FIELD_MAPPING("network", CYAML_FLAG_DEFAULT, mig_config, network, network_fields),
    CYAML_FIELD_SEQUENCE_COUNT("nationalities", CYAML_FLAG_POINTER, mig_config, nationalities, n_nationalities,
                               &string_entry, 1, 65535),
    CYAML_FIELD_SEQUENCE_COUNT("sources", CYAML_FLAG_POINTER, mig_config, sources, n_sources, &source_entry, 0,
                               CYAML_UNLIMITED),
    CYAML_FIELD_MAPPING("movement", CYAML_FLAG_DEFAULT, mig_config, movement, movement_fields),
    { .key = "speed_km_per_day",
      .data_offset = offsetof(mig_config, speed),
      .value = { CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_mode_table, speed_fields) } },
    CYAML_FIELD_UINT("max_agents", CYAML_FLAG_DEFAULT, mig_config, max_agents),
    CYAML_FIELD_MAPPING("output", CYAML_FLAG_DEFAULT, mig_config, output, output_fields),
    CYAML_FIELD_END
};
static const cyaml_schema_field_t config_tail_fields[] = {
    CYAML_FIELD_MAPPING_PTR("calibration", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_config, calibration,
                            calibration_fields),
    CYAML_FIELD_SEQUENCE_COUNT("priors", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_config, priors, n_priors,
                               &prior_entry, 0, 64),
    CYAML_FIELD_SEQUENCE_COUNT("packages", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_config, packages,
                               n_packages, &package_entry, 0, 4096),
    CYAML_FIELD_SEQUENCE_COUNT("caravans", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_config, caravans,
                               n_caravans, &caravan_entry, 0, 4096),
    CYAML_FIELD_MAPPING("groups", CYAML_FLAG_DEFAULT, mig_config, groups, groups_fields),
    CYAML_FIELD_END
};


/* Every key that has a default, with its value. Keys absent here are required. The single
 * mapping under `sources` is a template merged into every source entry. */
static const char defaults_yaml[] =
    "name: unnamed\n"
    "description: \"\"\n"
    "model: basic\n"
    "seed: 1\n"
    "sources:\n"
    "  - scale: 1.0\n"
    "movement:\n"
    "  move_probability:\n"
    "    origin: 0.3\n"
    "    town: 0.3\n"
    "    camp: 0.05\n"
    "    border: 0.5\n"
    "  distance_power: 1.0\n"
    "  attraction_power: 1.0\n"
    "  lookahead_steps: 2\n"
    "  lookahead_discount: 0.5\n"
    "  capacity_buffer: 0.9\n"
    "  capacity_scaling: 1.0\n"
    "speed_km_per_day:\n"
    "  foot: 25.0\n"
    "  boat: 150.0\n"
    "  bus: 500.0\n"
    "  rail: 250.0\n"
    "  air: 5000.0\n"
    "max_agents: 0\n"
    "output:\n"
    "  chunk_days: 32\n"
    "  deflate: 4\n"
    "groups:\n"
    "  family_share: 0.0\n"
    "  family_size: 4\n"
    "  slow_share: 0.0\n"
    "  slow_pace: 0.6\n"
    "packages:\n"
    "  - enabled: true\n"
    "caravans:\n"
    "  - dissolve_days: 0\n"
    "    dissolve_km: 0.0\n"
    "    dissolve_on_enforcement: false\n";

const char *mig_config_defaults_yaml(void) { return defaults_yaml; }

/* ------------------------------------------------------------------ model sections -- */

/* The scenario's schema, built at load time from the engine's head keys, the section of
 * every registered model (the i-th model's section loads into mig_config.section[i]), then
 * the engine's tail keys; kept by the config for cyaml_free. */
struct mig_config_schema {
    cyaml_schema_field_t *fields;
    cyaml_schema_value_t value;
};

/* The section the i-th model declares, unless an earlier model declared the same one (then
 * it loads into that model's slot); NULL past the end or for a model without a section. */
static const mig_config_section_ops *section_at(size_t i)
{
    const mig_model_ops *m = mig_model_at(i);
    if (!m || !m->section)
        return NULL;
    for (size_t j = 0; j < i; j++)
        if (mig_model_at(j)->section == m->section)
            return NULL;
    return m->section;
}

static size_t n_fields(const cyaml_schema_field_t *f)
{
    size_t n = 0;
    while (f[n].key)
        n++;
    return n;
}

static void schema_free(struct mig_config_schema *s)
{
    if (s)
        free(s->fields);
    free(s);
}

static mig_status schema_build(struct mig_config_schema **out)
{
    const size_t nh = n_fields(config_head_fields), nt = n_fields(config_tail_fields);
    size_t nm = 0, k = nh;
    struct mig_config_schema *s = calloc(1, sizeof *s);
    while (mig_model_at(nm))
        nm++;
    *out = NULL;
    if (!s || !(s->fields = calloc(nh + nm + nt + 1, sizeof *s->fields))) {
        schema_free(s);
        return MIG_ENOMEM;
    }
    memcpy(s->fields, config_head_fields, nh * sizeof *s->fields);
    for (size_t i = 0; i < nm; i++) {
        const mig_config_section_ops *sec = section_at(i);
        if (!sec)
            continue;
        s->fields[k].key = sec->key;
        s->fields[k].data_offset = (uint32_t)(offsetof(mig_config, section) + i * sizeof(void *));
        s->fields[k++].value = *sec->schema;
    }
    memcpy(s->fields + k, config_tail_fields, (nt + 1) * sizeof *s->fields); /* with the end mark */
    s->value = (cyaml_schema_value_t){ CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, mig_config, s->fields) };
    s->value.data_size = (uint32_t)(sizeof(mig_config) + nm * sizeof(void *));
    *out = s;
    return MIG_OK;
}

void *mig_config_section(const mig_config *cfg, const char *key)
{
    for (size_t i = 0; mig_model_at(i); i++) {
        const mig_config_section_ops *sec = section_at(i);
        if (sec && strcmp(sec->key, key) == 0)
            return cfg->section[i];
    }
    return NULL;
}

/* ------------------------------------------------------------------ locations ------- */

enum { ORIGIN_FILE = 0, ORIGIN_DEFAULT = 1, ORIGIN_SET = 2 /* + override index */ };

typedef struct index_entry {
    char *path;    /* "sources[2].rate" */
    char *where;   /* "configs/x.yaml:12:7", "--set days=3" or the file name for defaults */
    mig_loc loc;   /* the same as fields; loc.file is file */
    char *file;    /* "configs/x.yaml", "--set days=3" */
    int given;     /* 1 unless a default */
} index_entry;

struct mig_config_index {
    size_t n, cap;
    index_entry *e;
};

static void index_free(struct mig_config_index *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->n; i++) {
        free(ix->e[i].path);
        free(ix->e[i].where);
        free(ix->e[i].file);
    }
    free(ix->e);
    free(ix);
}

static const index_entry *index_find(const struct mig_config_index *ix, const char *path)
{
    if (!ix)
        return NULL;
    for (size_t i = 0; i < ix->n; i++)
        if (strcmp(ix->e[i].path, path) == 0)
            return &ix->e[i];
    return NULL;
}

const char *mig_config_where(const mig_config *cfg, const char *field_path)
{
    const index_entry *e = index_find(cfg->index, field_path);
    return e ? e->where : cfg->path;
}

mig_loc mig_config_loc(const mig_config *cfg, const char *field_path)
{
    const index_entry *e = index_find(cfg->index, field_path);
    mig_loc none = { cfg->path, 0, 0 };
    return e ? e->loc : none;
}

mig_status mig_config_diag(const mig_config *cfg, mig_ctx *ctx, mig_status s, const char *field, const char *fmt,
                           ...)
{
    mig_loc loc = mig_config_loc(cfg, field);
    va_list ap;
    va_start(ap, fmt);
    mig_ctx_vdiag(ctx, s, &loc, field, fmt, ap);
    va_end(ap);
    return s;
}

int mig_config_has(const mig_config *cfg, const char *field_path)
{
    const index_entry *e = index_find(cfg->index, field_path);
    return e && e->given;
}

/* ------------------------------------------------------------------ the loader ------ */

/* Everything the loader carries: the document, per-node origins and the diagnostics. */
typedef struct loader {
    const char *path;
    yaml_document_t doc;
    int have_doc;
    int *origin;               /* [node index] ORIGIN_*, or -(1 + i) for node from include i */
    yaml_mark_t *mark;         /* [node index] position in its include file */
    size_t n_origin;
    char **include;            /* [n_include] files spliced in (packages[].file), as resolved */
    size_t n_include;
    const char *const *overrides;
    struct mig_config_index *ix;
    struct mig_config_schema *schema; /* built before the walk; handed to the config */
    mig_ctx *ctx;
    int errors;
    mig_status status;         /* the first error's status */
} loader;

static int node_origin(const loader *L, int id)
{
    return (id > 0 && (size_t)id < L->n_origin) ? L->origin[id] : ORIGIN_FILE;
}

static void set_origin(loader *L, int id, int origin)
{
    if (id <= 0)
        return;
    if ((size_t)id >= L->n_origin) {
        size_t n = (size_t)id * 2 + 16;
        int *o = realloc(L->origin, n * sizeof *o);
        yaml_mark_t *m;
        if (!o)
            return;
        memset(o + L->n_origin, 0, (n - L->n_origin) * sizeof *o);
        L->origin = o;
        if (!(m = realloc(L->mark, n * sizeof *m)))
            return;
        memset(m + L->n_origin, 0, (n - L->n_origin) * sizeof *m);
        L->mark = m;
        L->n_origin = n;
    }
    L->origin[id] = origin;
}

/* Location of a node: file, line and column; the --set text; or the file alone for
 * defaults. *file is newly allocated (NULL when memory runs out). */
static mig_loc node_loc(const loader *L, int id, char **file)
{
    yaml_node_t *n = yaml_document_get_node((yaml_document_t *)&L->doc, id);
    int o = node_origin(L, id);
    mig_loc loc = { NULL, 0, 0 };
    if (o >= ORIGIN_SET) {
        *file = mig_asprintf("--set %s", L->overrides[o - ORIGIN_SET]);
    } else if (o < 0) {
        *file = strdup(L->include[-o - 1]);
        loc.line = L->mark[id].line + 1;
        loc.column = L->mark[id].column + 1;
    } else {
        *file = strdup(L->path);
        if (o != ORIGIN_DEFAULT && n) {
            loc.line = n->start_mark.line + 1;
            loc.column = n->start_mark.column + 1;
        }
    }
    loc.file = *file ? *file : L->path;
    return loc;
}

/* Location text of a node: file:line:col, --set text, or the file for defaults. */
static char *node_where(const loader *L, int id)
{
    char *file;
    mig_loc loc = node_loc(L, id, &file);
    char *w = loc.line ? mig_asprintf("%s:%lu:%lu", loc.file, loc.line, loc.column) : strdup(loc.file);
    free(file);
    return w;
}

static void count_error(loader *L, mig_status s)
{
    if (!L->errors++)
        L->status = s;
}

static void report(loader *L, mig_status s, int id, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void report(loader *L, mig_status s, int id, const char *field, const char *fmt, ...)
{
    va_list ap;
    char *file;
    mig_loc loc = node_loc(L, id, &file);
    va_start(ap, fmt);
    mig_ctx_vdiag(L->ctx, s, &loc, field, fmt, ap);
    va_end(ap);
    count_error(L, s);
    free(file);
}

static void index_add(loader *L, const char *path, int id)
{
    struct mig_config_index *ix = L->ix;
    if (ix->n == ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 64;
        index_entry *e = realloc(ix->e, cap * sizeof *e);
        if (!e)
            return;
        ix->e = e;
        ix->cap = cap;
    }
    ix->e[ix->n].path = strdup(path);
    ix->e[ix->n].where = node_where(L, id);
    ix->e[ix->n].loc = node_loc(L, id, &ix->e[ix->n].file);
    ix->e[ix->n].given = node_origin(L, id) != ORIGIN_DEFAULT;
    ix->n++;
}

static const char *scalar(yaml_node_t *n)
{
    return (n && n->type == YAML_SCALAR_NODE) ? (const char *)n->data.scalar.value : NULL;
}

/* Value node of key in a mapping node, or 0. */
static int map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const char *k = scalar(yaml_document_get_node(d, p->key));
        if (k && strcmp(k, key) == 0)
            return p->value;
    }
    return 0;
}

/* Deep copy of node id of src into dst, every new node tagged with origin. */
static int copy_node(loader *L, yaml_document_t *dst, yaml_document_t *src, int id, int origin)
{
    yaml_node_t *n = yaml_document_get_node(src, id);
    int out = 0;
    if (!n)
        return 0;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        out = yaml_document_add_scalar(dst, n->tag, n->data.scalar.value, (int)n->data.scalar.length,
                                       n->data.scalar.style);
        break;
    case YAML_SEQUENCE_NODE:
        out = yaml_document_add_sequence(dst, n->tag, n->data.sequence.style);
        for (yaml_node_item_t *i = n->data.sequence.items.start; out && i < n->data.sequence.items.top; i++) {
            int c = copy_node(L, dst, src, *i, origin);
            if (!c || !yaml_document_append_sequence_item(dst, out, c))
                return 0;
            n = yaml_document_get_node(src, id); /* src may not move, but stay safe */
        }
        break;
    case YAML_MAPPING_NODE:
        out = yaml_document_add_mapping(dst, n->tag, n->data.mapping.style);
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; out && p < n->data.mapping.pairs.top; p++) {
            int k = copy_node(L, dst, src, p->key, origin);
            int v = copy_node(L, dst, src, p->value, origin);
            if (!k || !v || !yaml_document_append_mapping_pair(dst, out, k, v))
                return 0;
        }
        break;
    default:
        return 0;
    }
    if (dst == &L->doc) {
        set_origin(L, out, origin);
        if (origin < 0 && (size_t)out < L->n_origin)
            L->mark[out] = n->start_mark;
    }
    return out;
}

/* Adds what defaults has and the user's mapping lacks, recursively. A default sequence
 * holding one mapping is a template merged into every entry of the user's sequence. */
static int merge_defaults(loader *L, int uid, yaml_document_t *def, int did)
{
    yaml_node_t *un = yaml_document_get_node(&L->doc, uid), *dn = yaml_document_get_node(def, did);
    if (!un || !dn)
        return 1;
    if (un->type == YAML_SEQUENCE_NODE && dn->type == YAML_SEQUENCE_NODE &&
        dn->data.sequence.items.top - dn->data.sequence.items.start == 1) {
        int tmpl = dn->data.sequence.items.start[0];
        size_t n = (size_t)(un->data.sequence.items.top - un->data.sequence.items.start);
        for (size_t i = 0; i < n; i++) {
            un = yaml_document_get_node(&L->doc, uid);
            if (!merge_defaults(L, un->data.sequence.items.start[i], def, tmpl))
                return 0;
        }
        return 1;
    }
    if (un->type != YAML_MAPPING_NODE || dn->type != YAML_MAPPING_NODE)
        return 1; /* a type error: the schema walk reports it */
    for (size_t j = 0; j < (size_t)(dn->data.mapping.pairs.top - dn->data.mapping.pairs.start); j++) {
        yaml_node_pair_t dp;
        const char *key;
        int uv;
        dn = yaml_document_get_node(def, did);
        dp = dn->data.mapping.pairs.start[j];
        key = scalar(yaml_document_get_node(def, dp.key));
        un = yaml_document_get_node(&L->doc, uid);
        uv = map_get(&L->doc, un, key);
        if (uv) {
            if (!merge_defaults(L, uv, def, dp.value))
                return 0;
        } else {
            yaml_node_t *dv = yaml_document_get_node(def, dp.value);
            int k, v;
            if (dv->type == YAML_SEQUENCE_NODE)
                continue; /* a template, not a value */
            k = copy_node(L, &L->doc, def, dp.key, ORIGIN_DEFAULT);
            v = copy_node(L, &L->doc, def, dp.value, ORIGIN_DEFAULT);
            if (!k || !v || !yaml_document_append_mapping_pair(&L->doc, uid, k, v))
                return 0;
        }
    }
    return 1;
}

/* Parses text into doc; reports syntax errors at where:line:col. Returns 1 on success. */
/* The most nested collections a scenario may have (its deepest keys are about 5 down); a
 * deeper text is refused before libyaml builds it, which costs time quadratic in the depth. */
#define MAX_YAML_DEPTH 64

/* Checks text's shape with libyaml's event parser before the document is built: one
 * document, at most MAX_YAML_DEPTH levels. Returns 1 when it holds (syntax errors are left to
 * yaml_parser_load), else reports the place and returns 0. */
static int yaml_within_limits(loader *L, const char *text, size_t len, const char *where, int line_offset)
{
    yaml_parser_t p;
    yaml_event_t e;
    int depth = 0, docs = 0, ok = 1, done = 0;
    if (!yaml_parser_initialize(&p))
        return 1;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (ok && !done && yaml_parser_parse(&p, &e)) {
        mig_loc loc = { where, line_offset >= 0 ? e.start_mark.line + 1 : 0,
                        line_offset >= 0 ? e.start_mark.column + 1 : 0 };
        if ((e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT) && ++depth > MAX_YAML_DEPTH)
            ok = !mig_ctx_diag(L->ctx, MIG_ECONFIG, &loc, NULL, "nested deeper than %d levels", MAX_YAML_DEPTH);
        else if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT)
            depth--;
        else if (e.type == YAML_DOCUMENT_START_EVENT && ++docs > 1)
            ok = !mig_ctx_diag(L->ctx, MIG_ECONFIG, &loc, NULL,
                               "a second YAML document (after \"---\"); a scenario is one document");
        done = e.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    if (!ok)
        count_error(L, MIG_ECONFIG);
    return ok;
}

static int parse_yaml(loader *L, const char *text, size_t len, yaml_document_t *doc, const char *where,
                      int line_offset)
{
    yaml_parser_t p;
    int ok;
    if (!yaml_within_limits(L, text, len, where, line_offset) || !yaml_parser_initialize(&p))
        return 0;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    ok = yaml_parser_load(&p, doc);
    if (!ok) {
        const char *problem = p.problem ? p.problem : "unknown problem";
        mig_loc loc = { where, 0, 0 };
        if (line_offset >= 0) {
            loc.line = p.problem_mark.line + 1;
            loc.column = p.problem_mark.column + 1;
            mig_ctx_diag(L->ctx, MIG_ECONFIG, &loc, NULL, "YAML syntax error: %s%s%s", problem,
                         p.context ? " " : "", p.context ? p.context : "");
        } else {
            mig_ctx_diag(L->ctx, MIG_ECONFIG, &loc, NULL, "YAML syntax error: %s", problem);
        }
        count_error(L, MIG_ECONFIG);
    }
    yaml_parser_delete(&p);
    return ok;
}

/* Merges each model section's defaults into the section, when the scenario has it. */
static mig_status merge_section_defaults(loader *L)
{
    for (size_t i = 0; mig_model_at(i); i++) {
        const mig_config_section_ops *sec = section_at(i);
        int id = sec && sec->defaults_yaml ? map_get(&L->doc, yaml_document_get_node(&L->doc, 1), sec->key) : 0;
        yaml_node_t *n = id ? yaml_document_get_node(&L->doc, id) : NULL;
        yaml_document_t def;
        int ok;
        if (!n || n->type != YAML_MAPPING_NODE)
            continue;
        if (!parse_yaml(L, sec->defaults_yaml, strlen(sec->defaults_yaml), &def, "defaults", 0))
            return MIG_EINTERNAL;
        ok = merge_defaults(L, id, &def, 1);
        yaml_document_delete(&def);
        if (!ok)
            return MIG_ENOMEM;
    }
    return MIG_OK;
}

/* Splices each packages[i].file into its entry: the file's keys that the entry lacks are
 * copied in, keeping their own file:line:column for messages. */
static void splice_includes(loader *L)
{
    int pid = map_get(&L->doc, yaml_document_get_node(&L->doc, 1), "packages");
    yaml_node_t *seq = pid ? yaml_document_get_node(&L->doc, pid) : NULL;
    size_t n;
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return; /* the schema walk reports a wrong type */
    n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    for (size_t i = 0; i < n; i++) {
        int item = yaml_document_get_node(&L->doc, pid)->data.sequence.items.start[i];
        yaml_node_t *it = yaml_document_get_node(&L->doc, item);
        int fid = it->type == YAML_MAPPING_NODE ? map_get(&L->doc, it, "file") : 0;
        const char *fs = fid ? scalar(yaml_document_get_node(&L->doc, fid)) : NULL;
        char field[64], *dir, *path, *text, **inc;
        size_t len = 0, np;
        int err = 0;
        yaml_document_t d;
        yaml_node_t *root;
        if (!fs || !*fs)
            continue;
        snprintf(field, sizeof field, "packages[%zu].file", i);
        dir = mig_path_dir(L->path);
        path = dir ? mig_path_resolve(dir, fs) : NULL;
        free(dir);
        if (!path)
            return;
        if (mig_file_read(path, &text, &len, &err) != MIG_OK) {
            report(L, MIG_ENOINPUT, fid, field, "cannot open \"%s\": %s", path, strerror(err));
            free(path);
            continue;
        }
        mig_ctx_add_input(L->ctx, path); /* out of memory: only the output check misses it */
        if (!parse_yaml(L, text, len, &d, path, 0)) {
            free(text);
            free(path);
            continue;
        }
        free(text);
        root = yaml_document_get_root_node(&d);
        if (!root || root->type != YAML_MAPPING_NODE) {
            report(L, MIG_ECONFIG, fid, field, "%s: expected a mapping of package keys (name, interventions, ...)",
                   path);
            yaml_document_delete(&d);
            free(path);
            continue;
        }
        if (!(inc = realloc(L->include, (L->n_include + 1) * sizeof *inc))) {
            yaml_document_delete(&d);
            free(path);
            return;
        }
        L->include = inc;
        L->include[L->n_include++] = path;
        np = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
        for (size_t j = 0; j < np; j++) {
            yaml_node_pair_t pr = yaml_document_get_root_node(&d)->data.mapping.pairs.start[j];
            const char *key = scalar(yaml_document_get_node(&d, pr.key));
            int origin = -(int)L->n_include, k, v;
            if (key && strcmp(key, "file") == 0) {
                k = copy_node(L, &L->doc, &d, pr.key, origin);
                report(L, MIG_ECONFIG, k, field, "a package file cannot name another file");
                continue;
            }
            if (key && map_get(&L->doc, yaml_document_get_node(&L->doc, item), key))
                continue; /* the scenario's entry wins */
            k = copy_node(L, &L->doc, &d, pr.key, origin);
            v = copy_node(L, &L->doc, &d, pr.value, origin);
            if (!k || !v || !yaml_document_append_mapping_pair(&L->doc, item, k, v))
                break;
        }
        yaml_document_delete(&d);
    }
}

/* Reports a problem of override k at "--set KEY=VALUE" (field may be NULL); the caller
 * counts it. */
static void set_error(loader *L, size_t k, mig_status s, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void set_error(loader *L, size_t k, mig_status s, const char *field, const char *fmt, ...)
{
    char *file = mig_asprintf("--set %s", L->overrides[k]);
    mig_loc loc = { file ? file : "--set", 0, 0 };
    va_list ap;
    va_start(ap, fmt);
    mig_ctx_vdiag(L->ctx, s, &loc, field, fmt, ap);
    va_end(ap);
    free(file);
}

/* The entry of sequence node seq that step sp selects ([index] or [name]): its slot in the
 * sequence, or NULL after reporting. */
static int *select_entry(loader *L, size_t k, const mig_keypath_step *sp, int seq)
{
    yaml_node_t *s = yaml_document_get_node(&L->doc, seq);
    long len, idx = sp->index;
    if (s->type != YAML_SEQUENCE_NODE) {
        set_error(L, k, MIG_ECONFIG, sp->key, "not a list");
        return NULL;
    }
    len = (long)(s->data.sequence.items.top - s->data.sequence.items.start);
    if (sp->name) {
        for (idx = 0; idx < len; idx++) {
            yaml_node_t *it = yaml_document_get_node(&L->doc, s->data.sequence.items.start[idx]);
            int nid = it && it->type == YAML_MAPPING_NODE ? map_get(&L->doc, it, "name") : 0;
            const char *nm = nid ? scalar(yaml_document_get_node(&L->doc, nid)) : NULL;
            if (nm && strcmp(nm, sp->name) == 0)
                break;
        }
        if (idx == len) {
            mig_suggest sg;
            mig_suggest_init(&sg, sp->name);
            for (idx = 0; idx < len; idx++) {
                yaml_node_t *it = yaml_document_get_node(&L->doc, s->data.sequence.items.start[idx]);
                int nid = it && it->type == YAML_MAPPING_NODE ? map_get(&L->doc, it, "name") : 0;
                const char *nm = nid ? scalar(yaml_document_get_node(&L->doc, nid)) : NULL;
                if (nm)
                    mig_suggest_add(&sg, nm);
            }
            set_error(L, k, MIG_ECONFIG, NULL, "%s has no entry named \"%s\" (%s)", sp->key, sp->name,
                      mig_suggest_hint(&sg));
            return NULL;
        }
    }
    if (idx >= len) {
        set_error(L, k, MIG_ECONFIG, NULL, "%s has %ld entries (index %ld)", sp->key, len, idx);
        return NULL;
    }
    return &s->data.sequence.items.start[idx];
}

/* Follows step sp of override k from mapping node *cur, adding a missing key (with an
 * empty mapping as a placeholder value). *slot gets the key's pair, *item_slot the
 * selected entry's slot (NULL without a selector), *cur the node there. Returns 1, or 0
 * after reporting. */
static int follow_step(loader *L, size_t k, const mig_keypath_step *sp, int *cur, yaml_node_pair_t **slot,
                       int **item_slot)
{
    yaml_node_t *n = yaml_document_get_node(&L->doc, *cur);
    int selects = sp->index >= 0 || sp->name;
    if (sp->bad) {
        set_error(L, k, MIG_EUSAGE, NULL, "bad index in \"%s\"", sp->text);
        return 0;
    }
    if (!n || n->type != YAML_MAPPING_NODE) {
        set_error(L, k, MIG_ECONFIG, NULL, "\"%s\" is not inside a mapping", sp->key);
        return 0;
    }
    *slot = NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const char *key = scalar(yaml_document_get_node(&L->doc, p->key));
        if (key && strcmp(key, sp->key) == 0)
            *slot = p;
    }
    if (!*slot) {
        int kid, vid;
        if (selects) {
            set_error(L, k, MIG_ECONFIG, sp->key, "no such list in the scenario");
            return 0;
        }
        kid = yaml_document_add_scalar(&L->doc, NULL, (yaml_char_t *)sp->key, -1, YAML_PLAIN_SCALAR_STYLE);
        vid = yaml_document_add_mapping(&L->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
        set_origin(L, kid, ORIGIN_SET + (int)k);
        set_origin(L, vid, ORIGIN_SET + (int)k);
        yaml_document_append_mapping_pair(&L->doc, *cur, kid, vid);
        *slot = yaml_document_get_node(&L->doc, *cur)->data.mapping.pairs.top - 1;
    }
    *cur = (*slot)->value;
    *item_slot = NULL;
    if (selects) {
        if (!(*item_slot = select_entry(L, k, sp, *cur)))
            return 0;
        *cur = **item_slot;
    }
    return 1;
}

/* Puts the value of override k, parsed as YAML (so lists "[A, B]" work as in the file),
 * at *item_slot, else in slot. Returns 1, or 0 after reporting. */
static int set_value(loader *L, size_t k, const char *val, yaml_node_pair_t *slot, int *item_slot)
{
    yaml_document_t vdoc;
    char *where = mig_asprintf("--set %s", L->overrides[k]);
    int parsed = where && parse_yaml(L, val, strlen(val), &vdoc, where, -1), vid;
    free(where);
    if (!parsed)
        return 0; /* reported and counted */
    if (!yaml_document_get_root_node(&vdoc)) {
        yaml_document_delete(&vdoc);
        set_error(L, k, MIG_ECONFIG, NULL, "empty value");
        count_error(L, MIG_ECONFIG);
        return 0;
    }
    vid = copy_node(L, &L->doc, &vdoc, 1, ORIGIN_SET + (int)k);
    yaml_document_delete(&vdoc);
    if (!vid) {
        count_error(L, MIG_ECONFIG);
        return 0;
    }
    /* Both slots live in heap arrays owned by their node, which adding nodes to the
     * document does not move. */
    if (item_slot)
        *item_slot = vid;
    else
        slot->value = vid;
    return 1;
}

/* The top-level key that may stand in for required key (optional in the schema), or NULL:
 * a run's length is days or end_date. */
static const char *required_unless(const char *key)
{
    return strcmp(key, "days") == 0 ? "end_date" : NULL;
}

/* A --set of days or end_date replaces the other when the scenario's file gives it, so
 * that `--set end_date=2024-03-31` shortens a scenario written with days (and the other
 * way round); both given with --set stay an error, reported by the walk. */
static void drop_replaced_length(loader *L, const mig_keypath *kp)
{
    const char *key = kp->n == 1 ? kp->step[0].key : NULL, *alt;
    yaml_node_t *root = yaml_document_get_root_node(&L->doc);
    if (!key || kp->step[0].index >= 0 || kp->step[0].name || !root || root->type != YAML_MAPPING_NODE)
        return;
    alt = required_unless(key) ? required_unless(key) : strcmp(key, "end_date") == 0 ? "days" : NULL;
    if (!alt)
        return;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        const char *k = scalar(yaml_document_get_node(&L->doc, p->key));
        if (k && strcmp(k, alt) == 0 && node_origin(L, p->value) < ORIGIN_SET) {
            memmove(p, p + 1, (size_t)(root->data.mapping.pairs.top - p - 1) * sizeof *p);
            root->data.mapping.pairs.top--;
            return;
        }
    }
}

/* Applies one --set key.path=value. Returns 1 on success (errors are reported). */
static int apply_override(loader *L, size_t k)
{
    const char *ov = L->overrides[k], *eq = strchr(ov, '=');
    yaml_node_pair_t *slot = NULL;
    int *item_slot = NULL, cur = 1, ok = 1;
    mig_keypath kp;

    if (!eq || eq == ov) {
        set_error(L, k, MIG_EUSAGE, NULL, "expected key=value");
        count_error(L, MIG_EUSAGE);
        return 0;
    }
    if (mig_keypath_parse(ov, (size_t)(eq - ov), &kp) != MIG_OK)
        return 0;
    drop_replaced_length(L, &kp);
    for (size_t i = 0; ok && i < kp.n; i++)
        ok = follow_step(L, k, &kp.step[i], &cur, &slot, &item_slot);
    mig_keypath_free(&kp);
    if (ok && !slot) {
        set_error(L, k, MIG_EUSAGE, NULL, "empty key");
        ok = 0;
    }
    if (!ok) {
        count_error(L, MIG_ECONFIG);
        return 0;
    }
    return set_value(L, k, eq + 1, slot, item_slot);
}

/* ------------------------------------------------------------------ schema walk ----- */

static int parse_int_strict(const char *s, int is_unsigned, size_t size, long long *out)
{
    char *end;
    long long v;
    unsigned long long u;
    int bits = (int)size * 8;
    if (!*s || strchr(" \t", *s))
        return -1;
    errno = 0;
    if (is_unsigned) {
        if (*s == '-')
            return -2;
        u = strtoull(s, &end, 10);
        if (errno || *end)
            return -1;
        if (bits < 64 && u > ((1ull << bits) - 1))
            return -3;
        *out = (long long)u;
        return 0;
    }
    v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    if (bits < 64 && (v < -(1ll << (bits - 1)) || v > (1ll << (bits - 1)) - 1))
        return -3;
    *out = v;
    return 0;
}

static void walk(loader *L, int id, const cyaml_schema_value_t *sv, const char *path);

static void walk_mapping(loader *L, int id, const cyaml_schema_field_t *fields, const char *path)
{
    yaml_node_t *n = yaml_document_get_node(&L->doc, id);
    size_t npairs = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    for (size_t i = 0; i < npairs; i++) {
        yaml_node_pair_t pr = yaml_document_get_node(&L->doc, id)->data.mapping.pairs.start[i];
        const char *key = scalar(yaml_document_get_node(&L->doc, pr.key));
        const cyaml_schema_field_t *f;
        char *sub;
        if (!key) {
            report(L, MIG_ECONFIG, pr.key, path, "keys must be plain words");
            continue;
        }
        sub = *path ? mig_asprintf("%s.%s", path, key) : strdup(key);
        for (f = fields; f->key; f++)
            if (strcmp(f->key, key) == 0)
                break;
        if (!f->key) {
            mig_suggest sg;
            mig_suggest_init(&sg, key);
            for (const cyaml_schema_field_t *g = fields; g->key; g++)
                mig_suggest_add(&sg, g->key);
            report(L, MIG_ECONFIG, pr.key, sub, "%s", mig_suggest_text(&sg));
            free(sub);
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            yaml_node_pair_t pj = yaml_document_get_node(&L->doc, id)->data.mapping.pairs.start[j];
            const char *kj = scalar(yaml_document_get_node(&L->doc, pj.key));
            if (kj && strcmp(kj, key) == 0) {
                report(L, MIG_ECONFIG, pr.key, sub, "key given twice");
                break;
            }
        }
        walk(L, pr.value, &f->value, sub);
        free(sub);
    }
    for (const cyaml_schema_field_t *f = fields; f->key; f++) {
        yaml_node_t *map = yaml_document_get_node(&L->doc, id);
        const char *alt = !*path ? required_unless(f->key) : NULL;
        if ((f->value.flags & CYAML_FLAG_OPTIONAL) && !alt)
            continue;
        if (alt && map_get(&L->doc, map, f->key) && map_get(&L->doc, map, alt)) {
            char *sub = strdup(alt);
            report(L, MIG_ECONFIG, map_get(&L->doc, map, alt), sub, "give %s or %s, not both", f->key, alt);
            free(sub);
        } else if (!map_get(&L->doc, map, f->key) && !(alt && map_get(&L->doc, map, alt))) {
            char *sub = *path ? mig_asprintf("%s.%s", path, f->key) : strdup(f->key);
            report(L, MIG_ECONFIG, id, sub, "missing required key");
            free(sub);
        }
    }
}

static void walk(loader *L, int id, const cyaml_schema_value_t *sv, const char *path)
{
    yaml_node_t *n = yaml_document_get_node(&L->doc, id);
    const char *s = scalar(n);
    long long iv;
    double dv;
    int rc;

    index_add(L, path, id);
    switch (sv->type) {
    case CYAML_MAPPING:
        if (n->type != YAML_MAPPING_NODE) {
            report(L, MIG_ECONFIG, id, path, "expected a mapping of keys to values%s%s%s", s ? ", got \"" : "",
                   s ? s : "", s ? "\"" : "");
            return;
        }
        walk_mapping(L, id, sv->mapping.fields, path);
        return;
    case CYAML_SEQUENCE: {
        size_t len;
        if (n->type != YAML_SEQUENCE_NODE) {
            report(L, MIG_ECONFIG, id, path, "expected a list%s%s%s", s ? ", got \"" : "", s ? s : "",
                   s ? "\"" : "");
            return;
        }
        len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        if (len < sv->sequence.min)
            report(L, MIG_ECONFIG, id, path, "expected at least %u entr%s, got %zu", sv->sequence.min,
                   sv->sequence.min == 1 ? "y" : "ies", len);
        else if (sv->sequence.max != CYAML_UNLIMITED && len > sv->sequence.max)
            report(L, MIG_ECONFIG, id, path, "expected at most %u entries, got %zu", sv->sequence.max, len);
        for (size_t i = 0; i < len; i++) {
            char *sub = mig_asprintf("%s[%zu]", path, i);
            int item = yaml_document_get_node(&L->doc, id)->data.sequence.items.start[i];
            walk(L, item, sv->sequence.entry, sub);
            free(sub);
        }
        return;
    }
    default:
        break;
    }
    if (!s) {
        report(L, MIG_ECONFIG, id, path, "expected a single value, got a %s",
               n->type == YAML_MAPPING_NODE ? "mapping" : "list");
        return;
    }
    switch (sv->type) {
    case CYAML_INT:
    case CYAML_UINT:
        rc = parse_int_strict(s, sv->type == CYAML_UINT, sv->data_size, &iv);
        if (rc == -2)
            report(L, MIG_ECONFIG, id, path, "expected a non-negative integer, got \"%s\"", s);
        else if (rc == -3)
            report(L, MIG_ECONFIG, id, path, "integer \"%s\" is too large", s);
        else if (rc)
            report(L, MIG_ECONFIG, id, path, "expected an integer, got \"%s\"", s);
        break;
    case CYAML_FLOAT:
        if (mig_parse_number(s, &dv))
            report(L, MIG_ECONFIG, id, path, "expected a number, got \"%s\"", s);
        break;
    case CYAML_BOOL:
        if (strcmp(s, "true") && strcmp(s, "false"))
            report(L, MIG_ECONFIG, id, path, "expected true or false, got \"%s\"", s);
        break;
    case CYAML_STRING: {
        size_t len = strlen(s);
        if (len < sv->string.min)
            report(L, MIG_ECONFIG, id, path, "expected a non-empty text");
        else if (sv->string.max != CYAML_UNLIMITED && len > sv->string.max)
            report(L, MIG_ECONFIG, id, path, "text longer than %u characters", sv->string.max);
        break;
    }
    default:
        break;
    }
}

/* ------------------------------------------------------------------ emit and load --- */

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static int buf_write(void *data, unsigned char *bytes, size_t size)
{
    buf *b = data;
    if (b->n + size + 1 > b->cap) {
        size_t cap = (b->n + size + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, bytes, size);
    b->n += size;
    b->p[b->n] = '\0';
    return 1;
}

/* Emits a copy of the document (the emitter consumes what it dumps). */
static char *emit(loader *L)
{
    yaml_emitter_t em;
    yaml_document_t copy;
    buf b = { 0 };
    int ok;
    if (!yaml_document_initialize(&copy, NULL, NULL, NULL, 1, 1))
        return NULL;
    if (!copy_node(L, &copy, &L->doc, 1, ORIGIN_FILE)) {
        yaml_document_delete(&copy);
        return NULL;
    }
    if (!yaml_emitter_initialize(&em)) {
        yaml_document_delete(&copy);
        return NULL;
    }
    yaml_emitter_set_output(&em, buf_write, &b);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, 100);
    ok = yaml_emitter_open(&em) && yaml_emitter_dump(&em, &copy) && yaml_emitter_close(&em) &&
         yaml_emitter_flush(&em);
    yaml_emitter_delete(&em);
    if (!ok) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

typedef struct cyaml_log_buf {
    char text[512];
} cyaml_log_buf;

static void capture_cyaml_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
    cyaml_log_buf *lb = ctx;
    size_t n = strlen(lb->text);
    (void)level;
    if (n < sizeof lb->text - 1)
        vsnprintf(lb->text + n, sizeof lb->text - n, fmt, args);
}

static const cyaml_config_t *cyaml_cfg(cyaml_log_buf *lb, cyaml_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->log_fn = capture_cyaml_log;
    c->log_ctx = lb;
    c->mem_fn = cyaml_mem;
    c->log_level = CYAML_LOG_ERROR;
    c->flags = CYAML_CFG_DEFAULT;
    return c;
}

/* ------------------------------------------------------------------ semantic checks - */

/* Reports a semantic problem at the location of field. */
static void semantic(mig_config *cfg, mig_ctx *ctx, mig_status s, int *errors, mig_status *first,
                     const char *field, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void semantic(mig_config *cfg, mig_ctx *ctx, mig_status s, int *errors, mig_status *first,
                     const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mig_config_diag(cfg, ctx, s, field, "%s", msg);
    if (!(*errors)++)
        *first = s;
}

/* A file the scenario names: it must open; for the engine's own tables (is_table: the
 * places, links and series CSVs) it must also be a file, not a directory or a device, of at
 * most MIG_INPUT_MAX_BYTES (a model's path may name a folder). */
static void check_path(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first, const char *field,
                       const char *path, int is_table)
{
    struct stat sb;
    FILE *f = fopen(path, "r");
    if (!f) {
        semantic(cfg, ctx, MIG_ENOINPUT, errors, first, field, "cannot open \"%s\": %s", path, strerror(errno));
        return;
    }
    if (is_table && fstat(fileno(f), &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            semantic(cfg, ctx, MIG_ENOINPUT, errors, first, field, "\"%s\" is a directory, not a file", path);
        else if (S_ISREG(sb.st_mode) && (size_t)sb.st_size > MIG_INPUT_MAX_BYTES)
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field,
                     "\"%s\" is larger than %s, the limit for an input file", path, MIG_INPUT_MAX_TEXT);
        else if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "\"%s\" is a device, not a file", path);
    }
    fclose(f);
}

/* The longest run (days), as the output's time axis stores it; a longer one is refused by
 * its own message, not also by the time axis's. */
#define MAX_DAYS 65535

/* The run's days on the CF time axis that xarray decodes with pandas (nanoseconds since 1970:
 * 1677-09-22 .. 2262-04-11, whole years kept): from 1678-01-01 to 2261-12-31. */
static void check_time_axis(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first)
{
    int32_t lo, hi;
    char last[11];
    mig_date_parse("1678-01-01", &lo);
    mig_date_parse("2261-12-31", &hi);
    if (cfg->start_day < lo || cfg->start_day > hi) {
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, "start_date",
                 "expected a date from 1678-01-01 to 2261-12-31 (the time axis xarray and pandas decode), got \"%s\"",
                 cfg->start_date);
    } else if (cfg->days >= 1 && cfg->days <= MAX_DAYS && (int64_t)cfg->start_day + cfg->days - 1 > hi) {
        mig_date_format((int32_t)((int64_t)cfg->start_day + cfg->days - 1), last);
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, cfg->end_date ? "end_date" : "days",
                 "the run would end on %s, after 2261-12-31 (the time axis xarray and pandas decode)", last);
    }
}

/* days from end_date, the last simulated day (inclusive): 1 if set, 0 if end_date is refused. */
static int days_from_end_date(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first)
{
    int32_t end;
    if (mig_date_parse(cfg->end_date, &end))
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, "end_date", "expected a date YYYY-MM-DD, got \"%s\"",
                 cfg->end_date);
    else if (end < cfg->start_day)
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, "end_date", "%s is before start_date %s", cfg->end_date,
                 cfg->start_date);
    else if ((int64_t)end - cfg->start_day + 1 > MAX_DAYS)
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, "end_date",
                 "from %s to %s is %lld days, more than %d (the longest run)", cfg->start_date, cfg->end_date,
                 (long long)end - cfg->start_day + 1, MAX_DAYS);
    else {
        cfg->days = (uint32_t)(end - cfg->start_day + 1);
        return 1;
    }
    return 0;
}

static void check_file(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first, const char *field,
                       const char *path)
{
    check_path(cfg, ctx, errors, first, field, path, 1);
}

static void check_range(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first, const char *field,
                        double v, double lo, double hi, const char *what)
{
    if (!(v >= lo && v <= hi))
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "expected %s, got %g", what, v);
}

/* Parses an optional date field into *day; reports a malformed one. Returns 0 when given
 * and valid, 1 when absent, -1 when malformed. */
static int check_date(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first, const char *field,
                      const char *text, int32_t *day)
{
    if (!text)
        return 1;
    if (mig_date_parse(text, day) == 0)
        return 0;
    semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "expected a date YYYY-MM-DD, got \"%s\"", text);
    return -1;
}

void mig_config_report(mig_config_check *chk, mig_status s, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    semantic(chk->cfg, chk->ctx, s, &chk->errors, &chk->first, field, "%s", msg);
}

void mig_config_check_range(mig_config_check *chk, const char *field, double v, double lo, double hi,
                            const char *what)
{
    check_range(chk->cfg, chk->ctx, &chk->errors, &chk->first, field, v, lo, hi, what);
}

void mig_config_check_file(mig_config_check *chk, const char *field, const char *path)
{
    check_path(chk->cfg, chk->ctx, &chk->errors, &chk->first, field, path, 0);
}

int mig_config_check_date(mig_config_check *chk, const char *field, const char *text, int32_t *day)
{
    return check_date(chk->cfg, chk->ctx, &chk->errors, &chk->first, field, text, day);
}

/* The checks of every model section the scenario has, in registry order. */
static mig_status check_sections(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first)
{
    mig_config_check chk = { cfg, ctx, *errors, *first };
    mig_status st = MIG_OK;
    cfg->agents_per_person = 1.0;
    for (size_t i = 0; st == MIG_OK && mig_model_at(i); i++) {
        const mig_config_section_ops *sec = section_at(i);
        if (sec && cfg->section[i])
            st = sec->check(cfg->section[i], &chk);
        if (st == MIG_OK && sec && cfg->section[i] && sec->agents_per_person)
            cfg->agents_per_person *= sec->agents_per_person(cfg->section[i]);
    }
    *errors = chk.errors;
    *first = chk.first;
    return st;
}

/* 1 when the scenario has a section of a model that spawns agents itself. */
static int has_spawning_section(const mig_config *cfg)
{
    for (size_t i = 0; mig_model_at(i); i++)
        if (section_at(i) && section_at(i)->spawns && cfg->section[i])
            return 1;
    return 0;
}

static void check_calibration(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first)
{
    mig_calibration_cfg *c = cfg->calibration;
    char field[128];
    int32_t day;
    check_date(cfg, ctx, errors, first, "calibration.date", c->date, &day);
    for (uint32_t i = 0; i < c->n_parameters; i++) {
        mig_calibration_param_cfg *p = &c->parameters[i];
        snprintf(field, sizeof field, "calibration.parameters[%u].method", i);
        if (strcmp(p->method, "simplex") && strcmp(p->method, "level") && strcmp(p->method, "sector"))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "expected simplex, level or sector, got \"%s\"",
                     p->method);
        snprintf(field, sizeof field, "calibration.parameters[%u].hi", i);
        if (p->hi < p->lo)
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "below lo (%g)", p->lo);
    }
    if (c->fitted && c->fitted_numbers != c->n_fitted)
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, "calibration.fitted_numbers",
                 "expected the number of entries of calibration.fitted (%u), got %u", c->n_fitted, c->fitted_numbers);
}

/* priors: a known distribution on a finite interval (positive for log-uniform) */
static void check_priors(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first)
{
    char field[96];
    for (uint32_t i = 0; i < cfg->n_priors; i++) {
        const mig_prior_cfg *p = &cfg->priors[i];
        int log_uniform = !strcmp(p->distribution, "log-uniform");
        snprintf(field, sizeof field, "priors[%u].distribution", i);
        if (!log_uniform && strcmp(p->distribution, "uniform"))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "expected uniform or log-uniform, got \"%s\"",
                     p->distribution);
        snprintf(field, sizeof field, "priors[%u].lo", i);
        if (!isfinite(p->lo) || (log_uniform && !(p->lo > 0.0)))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "expected a finite number%s, got %g",
                     log_uniform ? " above 0 (log-uniform)" : "", p->lo);
        snprintf(field, sizeof field, "priors[%u].hi", i);
        if (!isfinite(p->hi) || !(p->hi > p->lo))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "expected a finite number above lo (%g), got %g",
                     p->lo, p->hi);
    }
}

static int valid_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_'))
            return 0;
    return 1;
}

static void check_nationality_list(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first, const char *base,
                                   char **names, uint32_t n)
{
    char field[192];
    mig_suggest sg;
    for (uint32_t i = 0; i < n; i++)
        if (mig_config_nationality(cfg, names[i]) < 0) {
            snprintf(field, sizeof field, "%s.nationalities[%u]", base, i);
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "unknown nationality \"%s\" (not in nationalities; %s)",
                     names[i], mig_config_nationality_hint(cfg, names[i], &sg));
        }
}

/* ---- intervention types: one check_<name> per entry of MIG_IV_TYPES (mig_config.h) ---- */

/* The arguments every check takes: the config, where problems go, and the intervention at base. */
#define IV_CHECK_ARGS                                                                                               \
    mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first, const char *base, mig_intervention_cfg *iv

/* Checks field "<base>.<key>" against [lo, hi] when given; returns whether it is given. */
static int check_key(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first, const char *base,
                     const char *key, double v, double lo, double hi, const char *what)
{
    char field[192];
    int has;
    snprintf(field, sizeof field, "%s.%s", base, key);
    has = mig_config_has(cfg, field);
    if (has)
        check_range(cfg, ctx, errors, first, field, v, lo, hi, what);
    return has;
}

/* What becomes of those an enforcement apprehends: detention_days, deport, bus_south, release, bus_to. */
static void check_outcomes(IV_CHECK_ARGS)
{
    char field[192];
    int shares = 0;
    snprintf(field, sizeof field, "%s.detention_days", base);
    check_range(cfg, ctx, errors, first, field, iv->detention_days, 0, 3650, "a number of days in [0, 3650]");
    snprintf(field, sizeof field, "%s.deport", base);
    shares += mig_config_has(cfg, field);
    check_range(cfg, ctx, errors, first, field, iv->deport, 0.0, 1.0, "a share in [0, 1]");
    snprintf(field, sizeof field, "%s.bus_south", base);
    shares += mig_config_has(cfg, field);
    check_range(cfg, ctx, errors, first, field, iv->bus_south, 0.0, 1.0, "a share in [0, 1]");
    snprintf(field, sizeof field, "%s.release", base);
    shares += mig_config_has(cfg, field);
    check_range(cfg, ctx, errors, first, field, iv->release, 0.0, 1.0, "a share in [0, 1]");
    if (!shares)
        iv->release = 1.0; /* held, then let go where apprehended */
    else if (fabs(iv->deport + iv->bus_south + iv->release - 1.0) > 1e-9)
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, base, "deport + bus_south + release must be 1, got %g",
                 iv->deport + iv->bus_south + iv->release);
    snprintf(field, sizeof field, "%s.bus_to", base);
    if (iv->bus_south > 0.0 && !iv->bus_to)
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "missing: the place bus_south takes people to");
}

static void check_enforcement(IV_CHECK_ARGS)
{
    char field[192];
    snprintf(field, sizeof field, "%s.probability", base);
    if (!mig_config_has(cfg, field))
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "missing: P(apprehended) per passage");
    else
        check_range(cfg, ctx, errors, first, field, iv->probability, 0.0, 1.0, "a probability in [0, 1]");
    check_outcomes(cfg, ctx, errors, first, base, iv);
}

/* targets (the series file is read, and its rows checked, when the policy is compiled) */
static void check_enforcement_target(IV_CHECK_ARGS)
{
    if (!iv->targets) /* named at the entry, which has a line and column */
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, base,
                 "missing targets: a series CSV of apprehensions per period (start, end, total)");
    if (!check_key(cfg, ctx, errors, first, base, "scale", iv->scale, 1e-9, 1e9, "agents per person in [1e-9, 1e9]"))
        iv->scale = 1.0;
    check_outcomes(cfg, ctx, errors, first, base, iv);
}

static void check_closure(IV_CHECK_ARGS)
{
    char field[192];
    snprintf(field, sizeof field, "%s.on_link", base);
    if (iv->on_link && strcmp(iv->on_link, "finish") && strcmp(iv->on_link, "return") && strcmp(iv->on_link, "wait"))
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "expected finish, return or wait, got \"%s\"",
                 iv->on_link);
}

static void check_quota(IV_CHECK_ARGS)
{
    int d = check_key(cfg, ctx, errors, first, base, "per_day", iv->per_day, 0.0, 1e9,
                      "a number of agents in [0, 1e9]");
    int m = check_key(cfg, ctx, errors, first, base, "per_month", iv->per_month, 0.0, 1e10,
                      "a number of agents in [0, 1e10]");
    if (!d)
        iv->per_day = -1.0;
    if (!m)
        iv->per_month = -1.0;
    if (!d && !m)
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, base, "a quota needs per_day or per_month");
}

static void check_visa(IV_CHECK_ARGS)
{
    if (!iv->n_nationalities)
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, base, "a visa rule needs the nationalities it bars");
}

/* factor and route_factor, multipliers that default to 1; need says what is missing when neither is given. */
static void check_factors(IV_CHECK_ARGS, const char *need)
{
    int f = check_key(cfg, ctx, errors, first, base, "factor", iv->factor, 0.0, 1e6, "a multiplier in [0, 1e6]");
    int r = check_key(cfg, ctx, errors, first, base, "route_factor", iv->route_factor, 0.0, 1e6,
                      "a multiplier in [0, 1e6]");
    if (!f)
        iv->factor = 1.0;
    if (!r)
        iv->route_factor = 1.0;
    if (!f && !r)
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, base, "%s", need);
}

static void check_origin(IV_CHECK_ARGS)
{
    check_factors(cfg, ctx, errors, first, base, iv, "an origin intervention needs factor");
}

static void check_deterrence(IV_CHECK_ARGS)
{
    check_factors(cfg, ctx, errors, first, base, iv, "a deterrence needs factor or route_factor");
}

static void check_expulsion(IV_CHECK_ARGS)
{
    (void)cfg, (void)ctx, (void)errors, (void)first, (void)base, (void)iv;
}

static const struct iv_type {
    const char *name;
    int needs_target;
    const char *keys;
    void (*check)(IV_CHECK_ARGS);
} iv_types[MIG_IV_TYPE_COUNT] = {
#define IV_TYPE(id, name, needs_target, keys) { #name, needs_target, keys, check_##name },
    MIG_IV_TYPES(IV_TYPE)
#undef IV_TYPE
};

/* "a, b, ... or z": the type names, for the message on an unknown type. */
static void type_list(char *buf, size_t size)
{
    size_t len = 0;
    for (int t = 0; t < MIG_IV_TYPE_COUNT && len < size; t++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", !t ? "" : t + 1 < MIG_IV_TYPE_COUNT ? ", " : " or ",
                                iv_types[t].name);
}

/* The keys an intervention gives: each must be one its type takes (the schema's keys after basis). */
static void check_keys(IV_CHECK_ARGS, const char *keys)
{
    char field[192], pat[40];
    for (const cyaml_schema_field_t *k = intervention_fields + 5; k->key; k++) {
        snprintf(field, sizeof field, "%s.%s", base, k->key);
        snprintf(pat, sizeof pat, " %s ", k->key);
        if (mig_config_has(cfg, field) && !strstr(keys, pat))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "not used by an intervention of type %s", iv->type);
    }
}

static void check_intervention(IV_CHECK_ARGS)
{
    char field[192], list[160];
    const int32_t last = cfg->start_day + (int32_t)cfg->days - 1;
    const struct iv_type *t = NULL;
    for (int k = 0; k < MIG_IV_TYPE_COUNT; k++)
        if (strcmp(iv->type, iv_types[k].name) == 0)
            t = &iv_types[iv->kind = (mig_iv_type)k];
    if (!t) {
        type_list(list, sizeof list);
        snprintf(field, sizeof field, "%s.type", base);
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "unknown type \"%s\" (expected %s)", iv->type, list);
        return;
    }
    check_keys(cfg, ctx, errors, first, base, iv, t->keys);
    iv->from_day = cfg->start_day;
    iv->to_day = last;
    snprintf(field, sizeof field, "%s.from", base);
    check_date(cfg, ctx, errors, first, field, iv->from, &iv->from_day);
    snprintf(field, sizeof field, "%s.to", base);
    if (check_date(cfg, ctx, errors, first, field, iv->to, &iv->to_day) == 0 && iv->from && iv->to_day < iv->from_day)
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "ends before from (%s)", iv->from ? iv->from : "the run start");
    for (uint32_t i = 0; i < iv->n_modes; i++) {
        mig_mode m;
        snprintf(field, sizeof field, "%s.modes[%u]", base, i);
        if (mig_mode_parse(iv->modes[i], &m))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "unknown mode \"%s\" (expected foot, boat, bus, rail or air)",
                     iv->modes[i]);
    }
    check_nationality_list(cfg, ctx, errors, first, base, iv->nationalities, iv->n_nationalities);
    if (t->needs_target && !(iv->n_places + iv->n_links + iv->n_modes + iv->n_countries))
        semantic(cfg, ctx, MIG_ECONFIG, errors, first, base, "a %s needs a target: places, links, modes or countries",
                 iv->type);
    t->check(cfg, ctx, errors, first, base, iv);
}

static void check_policy(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first)
{
    char field[192], base[128];
    const mig_groups_cfg *g = &cfg->groups;
    for (uint32_t p = 0; p < cfg->n_packages; p++) {
        mig_package_cfg *pk = &cfg->packages[p];
        snprintf(field, sizeof field, "packages[%u].name", p);
        if (!valid_name(pk->name))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field,
                     "\"%s\": use letters, digits, '-' and '_' only", pk->name);
        for (uint32_t q = 0; q < p; q++)
            if (strcmp(cfg->packages[q].name, pk->name) == 0)
                semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "duplicate package name \"%s\"", pk->name);
        for (uint32_t i = 0; i < pk->n_interventions; i++) {
            mig_intervention_cfg *iv = &pk->interventions[i];
            snprintf(base, sizeof base, "packages[%u].interventions[%u]", p, i);
            snprintf(field, sizeof field, "%s.name", base);
            if (!valid_name(iv->name))
                semantic(cfg, ctx, MIG_ECONFIG, errors, first, field,
                         "\"%s\": use letters, digits, '-' and '_' only", iv->name);
            for (uint32_t j = 0; j < i; j++)
                if (strcmp(pk->interventions[j].name, iv->name) == 0)
                    semantic(cfg, ctx, MIG_ECONFIG, errors, first, field,
                             "duplicate intervention name \"%s\" in package %s", iv->name, pk->name);
            check_intervention(cfg, ctx, errors, first, base, iv);
        }
    }
    for (uint32_t c = 0; c < cfg->n_caravans; c++) {
        mig_caravan_cfg *cv = &cfg->caravans[c];
        double sum = 0.0;
        snprintf(base, sizeof base, "caravans[%u]", c);
        snprintf(field, sizeof field, "%s.date", base);
        check_date(cfg, ctx, errors, first, field, cv->date, &cv->day); /* outside the run: it never forms */
        snprintf(field, sizeof field, "%s.size", base);
        check_range(cfg, ctx, errors, first, field, cv->size, 1, 1e8, "a number of agents in [1, 1e8]");
        snprintf(field, sizeof field, "%s.speed_km_day", base);
        check_range(cfg, ctx, errors, first, field, cv->speed_km_day, 1e-3, 1e4, "a speed in km/day in (0, 10000]");
        snprintf(field, sizeof field, "%s.dissolve_km", base);
        check_range(cfg, ctx, errors, first, field, cv->dissolve_km, 0.0, 1e5, "a distance in km in [0, 100000]");
        snprintf(field, sizeof field, "%s.route[0]", base);
        if (cv->n_route && strcmp(cv->route[0], cv->place) != 0)
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "the route must start at place \"%s\", not \"%s\"",
                     cv->place, cv->route[0]);
        check_nationality_list(cfg, ctx, errors, first, base, cv->nationalities, cv->n_nationalities);
        snprintf(field, sizeof field, "%s.shares", base);
        if (cv->n_shares && cv->n_shares != cv->n_nationalities)
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "expected %u shares (one per nationality), got %u",
                     cv->n_nationalities, cv->n_shares);
        for (uint32_t i = 0; i < cv->n_shares; i++) {
            snprintf(field, sizeof field, "%s.shares[%u]", base, i);
            check_range(cfg, ctx, errors, first, field, cv->shares[i], 0.0, 1e9, "a non-negative share");
            sum += cv->shares[i];
        }
        snprintf(field, sizeof field, "%s.shares", base);
        if (cv->n_shares && !(sum > 0.0))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "the shares sum to 0");
    }
    check_range(cfg, ctx, errors, first, "groups.family_share", g->family_share, 0.0, 1.0, "a share in [0, 1]");
    check_range(cfg, ctx, errors, first, "groups.family_size", g->family_size, 2, 1000, "a size in [2, 1000]");
    check_range(cfg, ctx, errors, first, "groups.slow_share", g->slow_share, 0.0, 1.0, "a share in [0, 1]");
    check_range(cfg, ctx, errors, first, "groups.slow_pace", g->slow_pace, 0.01, 1.0, "a pace in [0.01, 1]");
}

/* sources: rate or series, nationality, dates (into source_from, source_to), files */
static mig_status check_sources(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first)
{
    char field[96];

    cfg->series_path = calloc(cfg->n_sources ? cfg->n_sources : 1, sizeof *cfg->series_path);
    cfg->source_from = calloc(cfg->n_sources ? cfg->n_sources : 1, sizeof *cfg->source_from);
    cfg->source_to = calloc(cfg->n_sources ? cfg->n_sources : 1, sizeof *cfg->source_to);
    if (!cfg->series_path || !cfg->source_from || !cfg->source_to)
        return MIG_ENOMEM;
    for (uint32_t i = 0; i < cfg->n_sources; i++) {
        mig_source_cfg *s = &cfg->sources[i];
        char f2[96];
        int has_rate, has_series;
        mig_suggest sg;
        snprintf(field, sizeof field, "sources[%u].rate", i);
        has_rate = mig_config_has(cfg, field);
        snprintf(field, sizeof field, "sources[%u].series", i);
        has_series = mig_config_has(cfg, field);
        snprintf(field, sizeof field, "sources[%u]", i);
        if (has_rate && has_series)
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "give either rate or series, not both");
        else if (!has_rate && !has_series)
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field,
                     "give rate (agents per day) or series (a CSV of dated totals)");
        snprintf(field, sizeof field, "sources[%u].nationality", i);
        if (mig_config_nationality(cfg, s->nationality) < 0)
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "unknown nationality \"%s\" (not in nationalities; %s)",
                     s->nationality, mig_config_nationality_hint(cfg, s->nationality, &sg));
        snprintf(field, sizeof field, "sources[%u].rate", i);
        if (has_rate)
            check_range(cfg, ctx, errors, first, field, s->rate, 0.0, 1e9, "agents per day in [0, 1e9]");
        snprintf(field, sizeof field, "sources[%u].scale", i);
        check_range(cfg, ctx, errors, first, field, s->scale, 1e-9, 1e9, "a positive multiplier");
        cfg->source_from[i] = cfg->start_day;
        cfg->source_to[i] = cfg->start_day + (int32_t)cfg->days - 1;
        snprintf(field, sizeof field, "sources[%u].from", i);
        if (s->from && mig_date_parse(s->from, &cfg->source_from[i]))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field, "expected a date YYYY-MM-DD, got \"%s\"",
                     s->from);
        snprintf(f2, sizeof f2, "sources[%u].to", i);
        if (s->to && mig_date_parse(s->to, &cfg->source_to[i]))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, f2, "expected a date YYYY-MM-DD, got \"%s\"", s->to);
        else if (s->to && s->from && cfg->source_to[i] < cfg->source_from[i])
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, f2, "ends before from (%s)", s->from);
        if (has_series && (s->from || s->to))
            semantic(cfg, ctx, MIG_ECONFIG, errors, first, field,
                     "from/to apply to a rate; a series carries its own dates");
        if (s->series) {
            snprintf(field, sizeof field, "sources[%u].series", i);
            cfg->series_path[i] = mig_path_resolve(cfg->dir, s->series);
            if (!cfg->series_path[i])
                return MIG_ENOMEM;
            check_file(cfg, ctx, errors, first, field, cfg->series_path[i]);
        }
    }
    return MIG_OK;
}

/* movement, speeds, output and capacity: ranges */
static void check_engine_ranges(mig_config *cfg, mig_ctx *ctx, int *errors, mig_status *first)
{
    char field[96];

    for (int k = 0; k < MIG_KIND_COUNT; k++) {
        if (k == MIG_KIND_DESTINATION)
            continue;
        snprintf(field, sizeof field, "movement.move_probability.%s", mig_place_kind_names[k]);
        check_range(cfg, ctx, errors, first, field, cfg->movement.move_prob[k], 0.0, 1.0, "a probability in [0, 1]");
    }
    check_range(cfg, ctx, errors, first, "movement.distance_power", cfg->movement.distance_power, 0.0, 10.0,
                "a power in [0, 10]");
    check_range(cfg, ctx, errors, first, "movement.attraction_power", cfg->movement.attraction_power, 0.0, 10.0,
                "a power in [0, 10]");
    check_range(cfg, ctx, errors, first, "movement.lookahead_steps", cfg->movement.lookahead_steps, 0, 100,
                "a number of steps in [0, 100]");
    check_range(cfg, ctx, errors, first, "movement.lookahead_discount", cfg->movement.lookahead_discount, 0.0,
                1.0, "a discount in [0, 1]");
    check_range(cfg, ctx, errors, first, "movement.capacity_buffer", cfg->movement.capacity_buffer, 0.0, 0.999,
                "a share of capacity in [0, 0.999]");
    check_range(cfg, ctx, errors, first, "movement.capacity_scaling", cfg->movement.capacity_scaling, 1e-6, 1e6,
                "a capacity multiplier in (0, 1e6]");
    for (int m = 0; m < MIG_MODE_COUNT; m++) {
        snprintf(field, sizeof field, "speed_km_per_day.%s", mig_mode_names[m]);
        check_range(cfg, ctx, errors, first, field, cfg->speed[m], 1e-3, 1e5, "a speed in km/day in (0, 100000]");
    }
    check_range(cfg, ctx, errors, first, "output.chunk_days", cfg->output.chunk_days, 1, 65535,
                "a chunk length in days in [1, 65535]");
    check_range(cfg, ctx, errors, first, "output.deflate", cfg->output.deflate, 0, 9, "a gzip level in [0, 9]");
    check_range(cfg, ctx, errors, first, "max_agents", (double)cfg->max_agents, 0, 4294967295.0,
                "a number of agents in [0, 4294967295]");
}

static mig_status check_semantics(mig_config *cfg, mig_ctx *ctx)
{
    int errors = 0;
    mig_status first = MIG_OK, st;
    char field[96];

    if (mig_date_parse(cfg->start_date, &cfg->start_day))
        semantic(cfg, ctx, MIG_ECONFIG, &errors, &first, "start_date", "expected a date YYYY-MM-DD, got \"%s\"",
                 cfg->start_date);
    else if (!cfg->end_date || days_from_end_date(cfg, ctx, &errors, &first))
        check_time_axis(cfg, ctx, &errors, &first);
    if (!cfg->end_date && (cfg->days < 1 || cfg->days > MAX_DAYS))
        semantic(cfg, ctx, MIG_ECONFIG, &errors, &first, "days", "expected a number of days in [1, %d], got %u",
                 MAX_DAYS, cfg->days);
    cfg->places_path = mig_path_resolve(cfg->dir, cfg->network.places);
    cfg->links_path = mig_path_resolve(cfg->dir, cfg->network.links);
    if (!cfg->places_path || !cfg->links_path)
        return MIG_ENOMEM;
    check_file(cfg, ctx, &errors, &first, "network.places", cfg->places_path);
    check_file(cfg, ctx, &errors, &first, "network.links", cfg->links_path);

    for (uint32_t i = 0; i < cfg->n_nationalities; i++)
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(cfg->nationalities[i], cfg->nationalities[j]) == 0) {
                snprintf(field, sizeof field, "nationalities[%u]", i);
                semantic(cfg, ctx, MIG_ECONFIG, &errors, &first, field, "duplicate nationality \"%s\"",
                         cfg->nationalities[i]);
            }

    if ((st = check_sources(cfg, ctx, &errors, &first)) != MIG_OK)
        return st;
    check_engine_ranges(cfg, ctx, &errors, &first);
    if (cfg->n_sources == 0 && !has_spawning_section(cfg))
        semantic(cfg, ctx, MIG_ECONFIG, &errors, &first, "sources", "expected at least 1 entry, got 0");
    if ((st = check_sections(cfg, ctx, &errors, &first)) != MIG_OK)
        return st;
    if (cfg->calibration)
        check_calibration(cfg, ctx, &errors, &first);
    check_priors(cfg, ctx, &errors, &first);
    check_policy(cfg, ctx, &errors, &first);
    return errors ? first : MIG_OK;
}

/* ------------------------------------------------------------------ public ---------- */

const char *mig_config_nationality_hint(const mig_config *cfg, const char *label, mig_suggest *s)
{
    mig_suggest_init(s, label);
    for (uint32_t i = 0; i < cfg->n_nationalities; i++)
        mig_suggest_add(s, cfg->nationalities[i]);
    return mig_suggest_hint(s);
}

int mig_config_nationality(const mig_config *cfg, const char *label)
{
    for (uint32_t i = 0; i < cfg->n_nationalities; i++)
        if (strcmp(cfg->nationalities[i], label) == 0)
            return (int)i;
    return -1;
}

/* Merges the documented defaults, then each model section's into its section. */
static mig_status merge_all_defaults(loader *L)
{
    yaml_document_t def;
    int ok;
    if (!parse_yaml(L, defaults_yaml, sizeof defaults_yaml - 1, &def, "defaults", 0))
        return MIG_EINTERNAL;
    ok = merge_defaults(L, 1, &def, 1);
    yaml_document_delete(&def);
    return ok ? merge_section_defaults(L) : MIG_ENOMEM;
}

/* Emits the walked document (the resolved scenario) and loads it with libcyaml into *out,
 * which takes the text, the index and the schema from L. */
static mig_status load_walked(loader *L, mig_config **out)
{
    char *resolved = emit(L);
    cyaml_log_buf lb = { { 0 } };
    cyaml_config_t cc;
    cyaml_err_t ce;
    mig_config *cfg = NULL;
    mig_loc file_loc = { L->path, 0, 0 };
    if (!resolved)
        return mig_ctx_diag(L->ctx, MIG_ENOMEM, &file_loc, NULL, "cannot write the resolved scenario");
    ce = cyaml_load_data((const uint8_t *)resolved, strlen(resolved), cyaml_cfg(&lb, &cc), &L->schema->value,
                         (cyaml_data_t **)&cfg, NULL);
    if (ce != CYAML_OK) {
        char *nl;
        while ((nl = strchr(lb.text, '\n')))
            *nl = ' ';
        free(resolved);
        return mig_ctx_diag(L->ctx, MIG_ECONFIG, &file_loc, NULL, "%s (libcyaml: %s)", cyaml_strerror(ce), lb.text);
    }
    *out = cfg;
    cfg->schema = L->schema;
    L->schema = NULL;
    cfg->resolved_yaml = resolved;
    cfg->index = L->ix;
    L->ix = NULL;
    cfg->path = strdup(L->path);
    cfg->dir = mig_path_dir(L->path);
    return cfg->path && cfg->dir ? MIG_OK : MIG_ENOMEM;
}

mig_status mig_config_load(const char *path, const char *const *overrides, size_t n_overrides, mig_ctx *ctx,
                           mig_config **out)
{
    loader L = { 0 };
    mig_loc file_loc = { path, 0, 0 };
    size_t len = 0;
    int err = 0;
    char *text;
    mig_config *cfg = NULL;
    mig_status st = MIG_EINTERNAL;

    *out = NULL;
    L.path = path;
    L.overrides = overrides;
    L.ctx = ctx;
    L.ix = calloc(1, sizeof *L.ix);
    if (!L.ix)
        return MIG_ENOMEM;

    if (mig_file_read(path, &text, &len, &err) != MIG_OK) {
        index_free(L.ix);
        return mig_ctx_diag(ctx, err == ENOMEM ? MIG_ENOMEM : MIG_ENOINPUT, &file_loc, NULL, "cannot open: %s",
                            strerror(err));
    }
    if (mig_ctx_add_input(ctx, path) != MIG_OK) {
        free(text);
        index_free(L.ix);
        return MIG_ENOMEM;
    }
    if (!parse_yaml(&L, text, len, &L.doc, path, 0)) {
        free(text);
        index_free(L.ix);
        return MIG_ECONFIG;
    }
    free(text);
    L.have_doc = 1;
    if (!yaml_document_get_root_node(&L.doc) || yaml_document_get_root_node(&L.doc)->type != YAML_MAPPING_NODE) {
        st = mig_ctx_diag(ctx, MIG_ECONFIG, &file_loc, NULL,
                          "expected a mapping of scenario keys (start_date, days, ...)");
        goto done;
    }
    splice_includes(&L);
    for (size_t k = 0; k < n_overrides; k++)
        apply_override(&L, k);
    if ((st = merge_all_defaults(&L)) != MIG_OK || (st = schema_build(&L.schema)) != MIG_OK)
        goto done;

    walk(&L, 1, &L.schema->value, "");
    if (L.errors) {
        st = L.status;
        goto done;
    }
    if ((st = load_walked(&L, &cfg)) == MIG_OK)
        st = check_semantics(cfg, ctx);
done:
    if (L.have_doc)
        yaml_document_delete(&L.doc);
    free(L.origin);
    free(L.mark);
    mig_free_strings(L.include, L.n_include);
    index_free(L.ix);
    schema_free(L.schema);
    if (st != MIG_OK) {
        mig_config_destroy(&cfg);
        return st;
    }
    *out = cfg;
    return MIG_OK;
}

void mig_config_destroy(mig_config **p)
{
    mig_config *cfg;
    struct mig_config_schema *schema;
    cyaml_log_buf lb = { { 0 } };
    cyaml_config_t cc;
    if (!MIG_TAKE(cfg, p))
        return;
    mig_free_strings(cfg->series_path, cfg->n_sources);
    MIG_FREE_ALL(cfg->path, cfg->dir, cfg->places_path, cfg->links_path, cfg->source_from, cfg->source_to,
                 cfg->resolved_yaml);
    index_free(cfg->index);
    for (size_t i = 0; mig_model_at(i); i++)
        if (section_at(i) && cfg->section[i])
            section_at(i)->free_derived(cfg->section[i]);
    schema = cfg->schema;
    cyaml_free(cyaml_cfg(&lb, &cc), &schema->value, cfg, 0);
    schema_free(schema);
}
