/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_corridor_config.c: the corridor model's section of the scenario: its libcyaml
 * schema, the defaults inside it and its semantic checks (ranges, names that need no
 * network, dates and files), reported at each field's location through mig_config_check.
 * Place names and CSV contents are checked when the model is created (they need the network). */
#include "mig_corridor_config.h"

#include <cyaml/cyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_date.h"
#include "mig_util.h"

/* ------------------------------------------------------------------ schema ---------- */

static const cyaml_schema_value_t string_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 64),
};
static const cyaml_schema_value_t float_entry = {
    CYAML_VALUE_FLOAT(CYAML_FLAG_DEFAULT, double),
};

static const cyaml_schema_field_t term_fields[] = {
    CYAML_FIELD_STRING_PTR("indicator", CYAML_FLAG_POINTER, mig_corridor_term_cfg, indicator, 1, 64),
    CYAML_FIELD_FLOAT("beta", CYAML_FLAG_DEFAULT, mig_corridor_term_cfg, beta),
    CYAML_FIELD_FLOAT("ref", CYAML_FLAG_DEFAULT, mig_corridor_term_cfg, ref),
    CYAML_FIELD_FLOAT_PTR("max", CYAML_FLAG_OPTIONAL, mig_corridor_term_cfg, max),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t term_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_corridor_term_cfg, term_fields),
};

static const cyaml_schema_field_t hazard_fields[] = {
    CYAML_FIELD_STRING_PTR("nationality", CYAML_FLAG_POINTER, mig_corridor_hazard_cfg, nationality, 1, 64),
    CYAML_FIELD_SEQUENCE_COUNT("places", CYAML_FLAG_POINTER, mig_corridor_hazard_cfg, places, n_places,
                               &string_entry, 1, 4096),
    CYAML_FIELD_SEQUENCE_COUNT("shares", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_hazard_cfg,
                               shares, n_shares, &float_entry, 1, 4096),
    CYAML_FIELD_FLOAT("base_rate", CYAML_FLAG_DEFAULT, mig_corridor_hazard_cfg, base_rate),
    CYAML_FIELD_STRING_PTR("from", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_hazard_cfg, from, 0, 32),
    CYAML_FIELD_STRING_PTR("to", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_hazard_cfg, to, 0, 32),
    CYAML_FIELD_SEQUENCE_COUNT("terms", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_hazard_cfg, terms,
                               n_terms, &term_entry, 0, 64),
    CYAML_FIELD_BOOL("level", CYAML_FLAG_OPTIONAL, mig_corridor_hazard_cfg, level),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t hazard_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_corridor_hazard_cfg, hazard_fields),
};

static const cyaml_schema_field_t indicator_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, mig_corridor_indicator_cfg, name, 1, 64),
    CYAML_FIELD_STRING_PTR("file", CYAML_FLAG_POINTER, mig_corridor_indicator_cfg, file, 1, CYAML_UNLIMITED),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t indicator_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_corridor_indicator_cfg, indicator_fields),
};

static const cyaml_schema_field_t forcing_fields[] = {
    CYAML_FIELD_STRING_PTR("place", CYAML_FLAG_POINTER, mig_corridor_forcing_cfg, place, 1, CYAML_UNLIMITED),
    CYAML_FIELD_STRING_PTR("nationality", CYAML_FLAG_POINTER, mig_corridor_forcing_cfg, nationality, 1, 64),
    CYAML_FIELD_STRING_PTR("series", CYAML_FLAG_POINTER, mig_corridor_forcing_cfg, series, 1, CYAML_UNLIMITED),
    CYAML_FIELD_FLOAT("scale", CYAML_FLAG_DEFAULT, mig_corridor_forcing_cfg, scale),
    CYAML_FIELD_BOOL("level", CYAML_FLAG_OPTIONAL, mig_corridor_forcing_cfg, level),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t forcing_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_corridor_forcing_cfg, forcing_fields),
};

static const cyaml_schema_field_t outcome_fields[] = {
    CYAML_FIELD_STRING_PTR("nationality", CYAML_FLAG_POINTER, mig_corridor_outcome_cfg, nationality, 1, 64),
    CYAML_FIELD_STRING_PTR("title42_from", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_outcome_cfg,
                           title42_from, 0, 32),
    CYAML_FIELD_FLOAT("title42_expel", CYAML_FLAG_DEFAULT, mig_corridor_outcome_cfg, title42_expel),
    CYAML_FIELD_FLOAT("title42_remove", CYAML_FLAG_DEFAULT, mig_corridor_outcome_cfg, title42_remove),
    CYAML_FIELD_FLOAT("remove", CYAML_FLAG_DEFAULT, mig_corridor_outcome_cfg, remove),
    CYAML_FIELD_FLOAT("retry_expelled", CYAML_FLAG_DEFAULT, mig_corridor_outcome_cfg, retry_expelled),
    CYAML_FIELD_FLOAT("retry_removed", CYAML_FLAG_DEFAULT, mig_corridor_outcome_cfg, retry_removed),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t outcome_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_corridor_outcome_cfg, outcome_fields),
};

static const cyaml_schema_field_t attraction_fields[] = {
    CYAML_FIELD_STRING_PTR("place", CYAML_FLAG_POINTER, mig_corridor_attraction_cfg, place, 1, CYAML_UNLIMITED),
    CYAML_FIELD_FLOAT("value", CYAML_FLAG_DEFAULT, mig_corridor_attraction_cfg, value),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t attraction_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_corridor_attraction_cfg, attraction_fields),
};

static const cyaml_schema_field_t factor_fields[] = {
    CYAML_FIELD_STRING_PTR("nationality", CYAML_FLAG_POINTER, mig_corridor_factor_cfg, nationality, 1,
                           CYAML_UNLIMITED),
    CYAML_FIELD_SEQUENCE_COUNT("values", CYAML_FLAG_POINTER, mig_corridor_factor_cfg, values, n_values,
                               &float_entry, 1, 4096),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t factor_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_corridor_factor_cfg, factor_fields),
};
static const cyaml_schema_field_t nat_attraction_fields[] = {
    CYAML_FIELD_SEQUENCE_COUNT("places", CYAML_FLAG_POINTER, mig_corridor_nat_attraction_cfg, places, n_places,
                               &string_entry, 1, 4096),
    CYAML_FIELD_SEQUENCE_COUNT("factors", CYAML_FLAG_POINTER, mig_corridor_nat_attraction_cfg, factors,
                               n_factors, &factor_entry, 0, 65535),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t appointment_fields[] = {
    CYAML_FIELD_STRING_PTR("from", CYAML_FLAG_POINTER, mig_corridor_appointment_cfg, from, 1, 32),
    CYAML_FIELD_FLOAT("per_day", CYAML_FLAG_DEFAULT, mig_corridor_appointment_cfg, per_day),
    CYAML_FIELD_END
};
static const cyaml_schema_value_t appointment_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, mig_corridor_appointment_cfg, appointment_fields),
};

static const cyaml_schema_field_t cbp_one_fields[] = {
    CYAML_FIELD_SEQUENCE_COUNT("ports", CYAML_FLAG_POINTER, mig_corridor_cbp_one_cfg, ports, n_ports,
                               &string_entry, 1, 4096),
    CYAML_FIELD_FLOAT("wait_probability", CYAML_FLAG_DEFAULT, mig_corridor_cbp_one_cfg, wait_probability),
    CYAML_FIELD_FLOAT("give_up_probability", CYAML_FLAG_OPTIONAL, mig_corridor_cbp_one_cfg, give_up_probability),
    CYAML_FIELD_SEQUENCE_COUNT("appointments", CYAML_FLAG_POINTER, mig_corridor_cbp_one_cfg, appointments,
                               n_appointments, &appointment_entry, 1, 4096),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t ports_fields[] = {
    CYAML_FIELD_SEQUENCE_COUNT("places", CYAML_FLAG_POINTER, mig_corridor_ports_cfg, places, n_places,
                               &string_entry, 1, 4096),
    CYAML_FIELD_FLOAT("attraction", CYAML_FLAG_DEFAULT, mig_corridor_ports_cfg, attraction),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t bar_fields[] = {
    CYAML_FIELD_STRING_PTR("from", CYAML_FLAG_POINTER, mig_corridor_bar_cfg, from, 1, 32),
    CYAML_FIELD_FLOAT("on_at", CYAML_FLAG_DEFAULT, mig_corridor_bar_cfg, on_at),
    CYAML_FIELD_FLOAT("off_below", CYAML_FLAG_DEFAULT, mig_corridor_bar_cfg, off_below),
    CYAML_FIELD_UINT("off_after_days", CYAML_FLAG_DEFAULT, mig_corridor_bar_cfg, off_after_days),
    CYAML_FIELD_UINT("window_days", CYAML_FLAG_DEFAULT, mig_corridor_bar_cfg, window_days),
    CYAML_FIELD_FLOAT("remove", CYAML_FLAG_DEFAULT, mig_corridor_bar_cfg, remove),
    CYAML_FIELD_FLOAT_PTR("retry_removed", CYAML_FLAG_OPTIONAL, mig_corridor_bar_cfg, retry_removed),
    CYAML_FIELD_SEQUENCE_COUNT("nationalities_exempt", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                               mig_corridor_bar_cfg, nationalities_exempt, n_nationalities_exempt, &string_entry,
                               0, 65535),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t sector_choice_fields[] = {
    CYAML_FIELD_STRING_PTR("data", CYAML_FLAG_POINTER, mig_corridor_sector_choice_cfg, data, 1, CYAML_UNLIMITED),
    CYAML_FIELD_STRING_PTR("window", CYAML_FLAG_POINTER, mig_corridor_sector_choice_cfg, window, 1, 32),
    CYAML_FIELD_FLOAT_PTR("prior", CYAML_FLAG_OPTIONAL, mig_corridor_sector_choice_cfg, prior),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t forecast_error_fields[] = {
    CYAML_FIELD_STRING_PTR("from", CYAML_FLAG_POINTER, mig_corridor_forecast_error_cfg, from, 1, 32),
    CYAML_FIELD_FLOAT("nationality", CYAML_FLAG_OPTIONAL, mig_corridor_forecast_error_cfg, nationality),
    CYAML_FIELD_FLOAT("sector", CYAML_FLAG_OPTIONAL, mig_corridor_forecast_error_cfg, sector),
    CYAML_FIELD_UINT("key", CYAML_FLAG_OPTIONAL, mig_corridor_forecast_error_cfg, key),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t corridor_fields[] = {
    CYAML_FIELD_FLOAT("scale", CYAML_FLAG_DEFAULT, mig_corridor_cfg, scale),
    CYAML_FIELD_STRING_PTR("route_options", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg,
                           route_options, 1, CYAML_UNLIMITED),
    CYAML_FIELD_SEQUENCE_COUNT("attraction", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg,
                               attraction, n_attraction, &attraction_entry, 0, 65535),
    CYAML_FIELD_MAPPING_PTR("attraction_by_nationality", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg,
                            attraction_by_nationality, nat_attraction_fields),
    CYAML_FIELD_MAPPING_PTR("sector_choice", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg,
                            sector_choice, sector_choice_fields),
    CYAML_FIELD_SEQUENCE_COUNT("indicators", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg,
                               indicators, n_indicators, &indicator_entry, 0, 4096),
    CYAML_FIELD_SEQUENCE_COUNT("hazards", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg, hazards,
                               n_hazards, &hazard_entry, 0, 65535),
    CYAML_FIELD_SEQUENCE_COUNT("forcing", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg, forcing,
                               n_forcing, &forcing_entry, 0, 65535),
    CYAML_FIELD_SEQUENCE_COUNT("outcomes", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg, outcomes,
                               n_outcomes, &outcome_entry, 0, 65535),
    CYAML_FIELD_MAPPING_PTR("ports", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg, ports,
                            ports_fields),
    CYAML_FIELD_MAPPING_PTR("cbp_one", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg, cbp_one,
                            cbp_one_fields),
    CYAML_FIELD_MAPPING_PTR("securing_border", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg,
                            securing_border, bar_fields),
    CYAML_FIELD_MAPPING_PTR("forecast_error", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg,
                            forecast_error, forecast_error_fields),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t corridor_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, mig_corridor_cfg, corridor_fields),
};

/* Defaults inside a corridor section, merged only when the scenario has one (so that
 * scenarios of other models resolve exactly as before). */
static const char corridor_defaults_yaml[] =
    "scale: 1.0\n"
    "hazards:\n"
    "  - level: true\n"
    "    terms:\n"
    "      - ref: 0.0\n"
    "forcing:\n"
    "  - scale: 1.0\n"
    "    level: false\n";

/* ------------------------------------------------------------------ checks ---------- */

/* Reports name (at field) unless it is one of the scenario's nationalities, or "*" where star
 * is 1, with the nearest nationality or the list. */
static void check_nationality(mig_config_check *chk, const char *field, const char *name, int star)
{
    mig_suggest sg;
    if ((star && strcmp(name, "*") == 0) || mig_config_nationality(chk->cfg, name) >= 0)
        return;
    mig_config_report(chk, MIG_ECONFIG, field, "unknown nationality \"%s\" (not in nationalities%s; %s)", name,
                      star ? ", nor \"*\"" : "", mig_config_nationality_hint(chk->cfg, name, &sg));
}

/* attraction and attraction_by_nationality */
static void check_attraction(mig_corridor_cfg *c, mig_config_check *chk)
{
    char field[128], f2[128];

    for (uint32_t i = 0; i < c->n_attraction; i++) {
        snprintf(field, sizeof field, "corridor.attraction[%u].value", i);
        mig_config_check_range(chk, field, c->attraction[i].value, 1e-12, 1e12, "an attractiveness in (0, 1e12]");
    }
    if (c->attraction_by_nationality) {
        const mig_corridor_nat_attraction_cfg *a = c->attraction_by_nationality;
        for (uint32_t j = 0; j < a->n_places; j++)
            for (uint32_t k = 0; k < j; k++)
                if (!strcmp(a->places[j], a->places[k])) {
                    snprintf(field, sizeof field, "corridor.attraction_by_nationality.places[%u]", j);
                    mig_config_report(chk, MIG_ECONFIG, field, "place \"%s\" given twice", a->places[j]);
                    break;
                }
        for (uint32_t i = 0; i < a->n_factors; i++) {
            const mig_corridor_factor_cfg *f = &a->factors[i];
            snprintf(field, sizeof field, "corridor.attraction_by_nationality.factors[%u].nationality", i);
            check_nationality(chk, field, f->nationality, 0);
            for (uint32_t k = 0; k < i; k++)
                if (!strcmp(f->nationality, a->factors[k].nationality)) {
                    mig_config_report(chk, MIG_ECONFIG, field, "nationality \"%s\" given twice", f->nationality);
                    break;
                }
            snprintf(field, sizeof field, "corridor.attraction_by_nationality.factors[%u].values", i);
            if (f->n_values != a->n_places)
                mig_config_report(chk, MIG_ECONFIG, field,
                                  "%u values for %u places (one per corridor.attraction_by_nationality.places)",
                                  f->n_values, a->n_places);
            for (uint32_t j = 0; j < f->n_values; j++) {
                snprintf(f2, sizeof f2, "corridor.attraction_by_nationality.factors[%u].values[%u]", i, j);
                mig_config_check_range(chk, f2, f->values[j], 1e-6, 1e6, "a factor in [1e-06, 1e6]");
            }
        }
    }
}

/* indicators: unique names, readable files */
static mig_status check_indicators(mig_corridor_cfg *c, mig_config_check *chk)
{
    char field[128];

    for (uint32_t i = 0; i < c->n_indicators; i++) {
        snprintf(field, sizeof field, "corridor.indicators[%u].name", i);
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(c->indicators[i].name, c->indicators[j].name) == 0) {
                mig_config_report(chk, MIG_ECONFIG, field, "duplicate indicator \"%s\"", c->indicators[i].name);
                break;
            }
        snprintf(field, sizeof field, "corridor.indicators[%u].file", i);
        if (!(c->indicator_path[i] = mig_path_resolve(chk->cfg->dir, c->indicators[i].file)))
            return MIG_ENOMEM;
        mig_config_check_file(chk, field, c->indicator_path[i]);
    }
    return MIG_OK;
}

/* hazards[i].terms: known indicators, ranges */
static void check_terms(const mig_corridor_cfg *c, uint32_t i, mig_config_check *chk)
{
    const mig_corridor_hazard_cfg *h = &c->hazards[i];
    char field[128];

    for (uint32_t k = 0; k < h->n_terms; k++) {
        const mig_corridor_term_cfg *t = &h->terms[k];
        uint32_t j;
        for (j = 0; j < c->n_indicators; j++)
            if (strcmp(c->indicators[j].name, t->indicator) == 0)
                break;
        snprintf(field, sizeof field, "corridor.hazards[%u].terms[%u].indicator", i, k);
        if (j == c->n_indicators)
            mig_config_report(chk, MIG_ECONFIG, field, "unknown indicator \"%s\" (not in corridor.indicators)",
                              t->indicator);
        snprintf(field, sizeof field, "corridor.hazards[%u].terms[%u].beta", i, k);
        mig_config_check_range(chk, field, t->beta, -1e3, 1e3, "a coefficient in [-1000, 1000]");
        if (t->max) {
            snprintf(field, sizeof field, "corridor.hazards[%u].terms[%u].max", i, k);
            mig_config_check_range(chk, field, *t->max, -1e9, 1e9, "an indicator value in [-1e9, 1e9]");
        }
    }
}

/* hazards: nationalities, shares, rates, dates (into hazard_from, hazard_to), terms */
static void check_hazards(mig_corridor_cfg *c, mig_config_check *chk)
{
    char field[128], f2[128];

    for (uint32_t i = 0; i < c->n_hazards; i++) {
        mig_corridor_hazard_cfg *h = &c->hazards[i];
        int rf, rt;
        snprintf(field, sizeof field, "corridor.hazards[%u].nationality", i);
        check_nationality(chk, field, h->nationality, 0);
        snprintf(field, sizeof field, "corridor.hazards[%u].shares", i);
        if (h->n_shares && h->n_shares != h->n_places)
            mig_config_report(chk, MIG_ECONFIG, field, "expected %u shares (one per place), got %u", h->n_places,
                              h->n_shares);
        for (uint32_t k = 0; k < h->n_shares; k++) {
            snprintf(field, sizeof field, "corridor.hazards[%u].shares[%u]", i, k);
            mig_config_check_range(chk, field, h->shares[k], 1e-12, 1e12, "a positive share");
        }
        snprintf(field, sizeof field, "corridor.hazards[%u].base_rate", i);
        mig_config_check_range(chk, field, h->base_rate, 0.0, 1e9, "persons per day in [0, 1e9]");
        c->hazard_from[i] = chk->cfg->start_day;
        c->hazard_to[i] = chk->cfg->start_day + (int32_t)chk->cfg->days - 1;
        snprintf(field, sizeof field, "corridor.hazards[%u].from", i);
        rf = mig_config_check_date(chk, field, h->from, &c->hazard_from[i]);
        snprintf(f2, sizeof f2, "corridor.hazards[%u].to", i);
        rt = mig_config_check_date(chk, f2, h->to, &c->hazard_to[i]);
        if (rf == 0 && rt == 0 && c->hazard_to[i] < c->hazard_from[i])
            mig_config_report(chk, MIG_ECONFIG, f2, "ends before from (%s)", h->from);
        check_terms(c, i, chk);
    }
}

/* forcing: nationalities, scales, readable series */
static mig_status check_forcing(mig_corridor_cfg *c, mig_config_check *chk)
{
    char field[128];

    for (uint32_t i = 0; i < c->n_forcing; i++) {
        mig_corridor_forcing_cfg *f = &c->forcing[i];
        snprintf(field, sizeof field, "corridor.forcing[%u].nationality", i);
        check_nationality(chk, field, f->nationality, 0);
        snprintf(field, sizeof field, "corridor.forcing[%u].scale", i);
        mig_config_check_range(chk, field, f->scale, 0.0, 1e9, "a multiplier in [0, 1e9]");
        snprintf(field, sizeof field, "corridor.forcing[%u].series", i);
        if (!(c->forcing_path[i] = mig_path_resolve(chk->cfg->dir, f->series)))
            return MIG_ENOMEM;
        mig_config_check_file(chk, field, c->forcing_path[i]);
    }
    return MIG_OK;
}

/* outcomes: nationalities (or "*") once each, probabilities, Title 42 dates */
static void check_outcomes(mig_corridor_cfg *c, mig_config_check *chk)
{
    char field[128];

    for (uint32_t i = 0; i < c->n_outcomes; i++) {
        mig_corridor_outcome_cfg *o = &c->outcomes[i];
        static const char *const names[] = { "title42_expel", "title42_remove", "remove", "retry_expelled",
                                             "retry_removed" };
        const double v[] = { o->title42_expel, o->title42_remove, o->remove, o->retry_expelled,
                             o->retry_removed };
        snprintf(field, sizeof field, "corridor.outcomes[%u].nationality", i);
        check_nationality(chk, field, o->nationality, 1);
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(o->nationality, c->outcomes[j].nationality) == 0) {
                mig_config_report(chk, MIG_ECONFIG, field, "outcomes for \"%s\" given twice", o->nationality);
                break;
            }
        for (int k = 0; k < 5; k++) {
            snprintf(field, sizeof field, "corridor.outcomes[%u].%s", i, names[k]);
            mig_config_check_range(chk, field, v[k], 0.0, 1.0, "a probability in [0, 1]");
        }
        snprintf(field, sizeof field, "corridor.outcomes[%u].title42_remove", i);
        if (o->title42_expel >= 0 && o->title42_remove >= 0 && o->title42_expel + o->title42_remove > 1.0 + 1e-12)
            mig_config_report(chk, MIG_ECONFIG, field, "title42_expel + title42_remove must not exceed 1, got %g",
                              o->title42_expel + o->title42_remove);
        c->title42_from_day[i] = INT32_MIN;
        snprintf(field, sizeof field, "corridor.outcomes[%u].title42_from", i);
        mig_config_check_date(chk, field, o->title42_from, &c->title42_from_day[i]);
    }
}

/* ports and cbp_one: attractiveness, probabilities, appointment dates in order */
static mig_status check_ports(mig_corridor_cfg *c, mig_config_check *chk)
{
    char field[128];

    if (c->ports)
        mig_config_check_range(chk, "corridor.ports.attraction", c->ports->attraction, 1e-12, 1e12,
                               "an attractiveness in (0, 1e12]");
    if (c->cbp_one) {
        mig_corridor_cbp_one_cfg *b = c->cbp_one;
        mig_config_check_range(chk, "corridor.cbp_one.wait_probability", b->wait_probability, 0.0, 1.0,
                               "a probability in [0, 1]");
        mig_config_check_range(chk, "corridor.cbp_one.give_up_probability", b->give_up_probability, 0.0, 1.0,
                               "a probability per day in [0, 1]");
        if (!(c->appointment_day = calloc(b->n_appointments ? b->n_appointments : 1, sizeof *c->appointment_day)))
            return MIG_ENOMEM;
        for (uint32_t i = 0; i < b->n_appointments; i++) {
            snprintf(field, sizeof field, "corridor.cbp_one.appointments[%u].from", i);
            if (mig_config_check_date(chk, field, b->appointments[i].from, &c->appointment_day[i]) == 0 &&
                i > 0 && c->appointment_day[i] <= c->appointment_day[i - 1])
                mig_config_report(chk, MIG_ECONFIG, field, "dates must increase (previous %s)",
                                  b->appointments[i - 1].from);
            snprintf(field, sizeof field, "corridor.cbp_one.appointments[%u].per_day", i);
            mig_config_check_range(chk, field, b->appointments[i].per_day, 0.0, 1e9,
                                   "appointments per day in [0, 1e9]");
        }
    }
    return MIG_OK;
}

/* sector_choice: the record's folder, the window, the prior; not with attraction_by_nationality */
static mig_status check_sector_choice(mig_corridor_cfg *c, mig_config_check *chk)
{
    const mig_corridor_sector_choice_cfg *q = c->sector_choice;
    const char *w;

    if (!q)
        return MIG_OK;
    if (c->attraction_by_nationality)
        mig_config_report(chk, MIG_ECONFIG, "corridor.sector_choice",
                          "cannot be given with corridor.attraction_by_nationality (both set where each "
                          "nationality crosses); keep one");
    if (!(c->sector_data_path = mig_path_resolve(chk->cfg->dir, q->data)))
        return MIG_ENOMEM;
    mig_config_check_file(chk, "corridor.sector_choice.data", c->sector_data_path);
    w = q->window;
    if (mig_date_parse_months(w, '/', &c->sector_first_month, &c->sector_last_month))
        mig_config_report(chk, MIG_ECONFIG, "corridor.sector_choice.window",
                          "expected FIRST/LAST months as YYYY-MM/YYYY-MM, FIRST not after LAST, got \"%s\"", w);
    if (q->prior)
        mig_config_check_range(chk, "corridor.sector_choice.prior", *q->prior, 0.0, 1e6, "a weight in [0, 1e6]");
    return MIG_OK;
}

/* securing_border: date, thresholds, probabilities, exempt nationalities */
static void check_bar(mig_corridor_cfg *c, mig_config_check *chk)
{
    const mig_corridor_bar_cfg *b = c->securing_border;
    char field[128];

    if (!b)
        return;
    mig_config_check_date(chk, "corridor.securing_border.from", b->from, &c->bar_from_day);
    mig_config_check_range(chk, "corridor.securing_border.on_at", b->on_at, 1e-9, 1e9,
                           "persons per day in (0, 1e9]");
    mig_config_check_range(chk, "corridor.securing_border.off_below", b->off_below, 0.0, 1e9,
                           "persons per day in [0, 1e9]");
    if (b->off_below > b->on_at)
        mig_config_report(chk, MIG_ECONFIG, "corridor.securing_border.off_below", "must not exceed on_at (%g), got %g",
                          b->on_at, b->off_below);
    mig_config_check_range(chk, "corridor.securing_border.off_after_days", b->off_after_days, 0.0, 3650.0,
                           "calendar days in [0, 3650]");
    mig_config_check_range(chk, "corridor.securing_border.window_days", b->window_days, 1.0, 366.0,
                           "days in [1, 366]");
    mig_config_check_range(chk, "corridor.securing_border.remove", b->remove, 0.0, 1.0, "a probability in [0, 1]");
    if (b->retry_removed)
        mig_config_check_range(chk, "corridor.securing_border.retry_removed", *b->retry_removed, 0.0, 1.0,
                               "a probability in [0, 1]");
    for (uint32_t i = 0; i < b->n_nationalities_exempt; i++) {
        snprintf(field, sizeof field, "corridor.securing_border.nationalities_exempt[%u]", i);
        check_nationality(chk, field, b->nationalities_exempt[i], 0);
    }
}

/* forecast_error: the first day, two sigmas; the sector's needs sector_choice */
static void check_forecast_error(mig_corridor_cfg *c, mig_config_check *chk)
{
    const mig_corridor_forecast_error_cfg *e = c->forecast_error;

    if (!e)
        return;
    mig_config_check_date(chk, "corridor.forecast_error.from", e->from, &c->forecast_from_day);
    mig_config_check_range(chk, "corridor.forecast_error.nationality", e->nationality, 0.0, 5.0,
                           "a standard deviation (log) in [0, 5]");
    mig_config_check_range(chk, "corridor.forecast_error.sector", e->sector, 0.0, 5.0,
                           "a standard deviation (log) in [0, 5]");
    if (e->sector > 0 && !c->sector_choice)
        mig_config_report(chk, MIG_ECONFIG, "corridor.forecast_error.sector",
                          "needs corridor.sector_choice (the shares it moves); give it or set sector: 0");
}

/* The corridor section's checks, in the order of its keys; fills the derived fields. */
static mig_status check_corridor(void *section, mig_config_check *chk)
{
    mig_corridor_cfg *c = section;
    size_t nh = c->n_hazards ? c->n_hazards : 1, ni = c->n_indicators ? c->n_indicators : 1;
    size_t nf = c->n_forcing ? c->n_forcing : 1, no = c->n_outcomes ? c->n_outcomes : 1;
    mig_status st;

    /* derived fields are not in the schema: start them empty */
    c->route_options_path = NULL;
    c->indicator_path = c->forcing_path = NULL;
    c->hazard_from = c->hazard_to = c->title42_from_day = c->appointment_day = NULL;
    mig_config_check_range(chk, "corridor.scale", c->scale, 1e-9, 1e6, "agents per person in (0, 1e6]");
    if (c->route_options) {
        if (!(c->route_options_path = mig_path_resolve(chk->cfg->dir, c->route_options)))
            return MIG_ENOMEM;
        mig_config_check_file(chk, "corridor.route_options", c->route_options_path);
    }
    check_attraction(c, chk);
    c->sector_data_path = NULL;
    if ((st = check_sector_choice(c, chk)) != MIG_OK)
        return st;
    c->indicator_path = calloc(ni, sizeof *c->indicator_path);
    c->forcing_path = calloc(nf, sizeof *c->forcing_path);
    c->hazard_from = calloc(nh, sizeof *c->hazard_from);
    c->hazard_to = calloc(nh, sizeof *c->hazard_to);
    c->title42_from_day = calloc(no, sizeof *c->title42_from_day);
    if (!c->indicator_path || !c->forcing_path || !c->hazard_from || !c->hazard_to || !c->title42_from_day)
        return MIG_ENOMEM;
    if ((st = check_indicators(c, chk)) != MIG_OK)
        return st;
    check_hazards(c, chk);
    if ((st = check_forcing(c, chk)) != MIG_OK)
        return st;
    check_outcomes(c, chk);
    if ((st = check_ports(c, chk)) != MIG_OK)
        return st;
    check_bar(c, chk);
    check_forecast_error(c, chk);
    return MIG_OK;
}

static void free_corridor(void *section)
{
    mig_corridor_cfg *c = section;
    mig_free_strings(c->indicator_path, c->n_indicators);
    mig_free_strings(c->forcing_path, c->n_forcing);
    MIG_FREE_ALL(c->route_options_path, c->sector_data_path, c->hazard_from, c->hazard_to, c->title42_from_day,
                 c->appointment_day);
}

static double corridor_agents_per_person(const void *section)
{
    return ((const mig_corridor_cfg *)section)->scale;
}

/* ------------------------------------------------------------------ public ---------- */

const mig_config_section_ops mig_corridor_section = {
    .key = "corridor",
    .schema = &corridor_schema,
    .defaults_yaml = corridor_defaults_yaml,
    .spawns = 1,
    .check = check_corridor,
    .free_derived = free_corridor,
    .agents_per_person = corridor_agents_per_person,
};

const mig_corridor_cfg *mig_corridor_config(const mig_config *cfg)
{
    return mig_config_section(cfg, mig_corridor_section.key);
}
