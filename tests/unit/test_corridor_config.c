/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_corridor_config.c: bad corridor sections through the real command line
 * (`migsim check`): each case asserts the exact message (file:line:column: field: ...) and
 * the exit code; and the corridor section's defaults resolve as documented. */
#include <criterion/criterion.h>

#include "../test_proc.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../test_tmp.h"
#include "../test_util.h"
#include "mig_corridor_config.h"

static const char places[] = "name,country,kind,lat,lon\n"
                             "A,X,origin,0,0\n"
                             "B,X,border,0,1\n"
                             "S,US,destination,1,1\n";
static const char links[] = "from,to,distance_km,mode\n"
                            "A,B,100,bus\n"
                            "B,S,5,foot\n";
static const char push_ok[] = "month,value,source\n2023-01,1.0,test\n2023-02,1.5,test\n";

/* The scenario's head; each case appends its corridor section. */
#define HEAD                                                                                  \
    "start_date: 2023-01-01\n"                                                                \
    "days: 30\n"                                                                              \
    "model: corridor\n"                                                                       \
    "network: {places: places.csv, links: links.csv}\n"                                       \
    "nationalities: [X]\n"                                                                    \
    "sources: []\n"

typedef struct corridor_case {
    const char *yaml;
    const char *extra_name, *extra_text; /* one more file, or NULL */
    const char *set;                     /* a --set, or NULL */
    int code;
    const char *stderr_text;
} corridor_case;

static void check_case(const corridor_case *c)
{
    char dir[256];
    const char *args[8] = { "migsim", "check", "s.yaml" };
    int n = 3, code;
    char *err;
    tmp_dir_make(dir, sizeof dir, "migsim-corridor");
    write_file(dir, "s.yaml", c->yaml);
    write_file(dir, "places.csv", places);
    write_file(dir, "links.csv", links);
    write_file(dir, "push.csv", push_ok);
    if (c->extra_name)
        write_file(dir, c->extra_name, c->extra_text);
    if (c->set) {
        args[n++] = "--set";
        args[n++] = c->set;
    }
    args[n] = NULL;
    code = run_in(dir, args, &err);
    cr_expect_str_eq(err, c->stderr_text);
    cr_expect_eq(code, c->code, "exit code %d, expected %d", code, c->code);
    free(err);
    tmp_dir_remove(dir);
}

Test(corridor_config, valid_section_checks)
{
    static const corridor_case k = {
        HEAD "corridor:\n"
             "  indicators: [{name: push, file: push.csv}]\n"
             "  hazards: [{nationality: X, places: [A], base_rate: 5, terms: [{indicator: push, beta: 0.1}]}]\n",
        NULL, NULL, NULL, 0, ""
    };
    check_case(&k);
}

Test(corridor_config, misspelt_key)
{
    static const corridor_case k = { HEAD "corridor:\n  scael: 0.1\n", NULL, NULL, NULL, 78,
                                     "migsim: s.yaml:8:3: corridor.scael: unknown key (did you mean \"scale\"?)\n" };
    check_case(&k);
}

Test(corridor_config, unknown_indicator)
{
    static const corridor_case k = {
        HEAD "corridor:\n"
             "  hazards: [{nationality: X, places: [A], base_rate: 5, terms: [{indicator: pull, beta: 0.1}]}]\n",
        NULL, NULL, NULL, 78,
        "migsim: s.yaml:8:77: corridor.hazards[0].terms[0].indicator: unknown indicator \"pull\" (not in "
        "corridor.indicators)\n"
    };
    check_case(&k);
}

Test(corridor_config, bad_term_max)
{
    static const corridor_case k = {
        HEAD "corridor:\n"
             "  indicators: [{name: push, file: push.csv}]\n"
             "  hazards: [{nationality: X, places: [A], base_rate: 5, terms: [{indicator: push, beta: 0.1, max: soon}]}]\n",
        NULL, NULL, NULL, 78,
        "migsim: s.yaml:9:99: corridor.hazards[0].terms[0].max: expected a number, got \"soon\"\n"
    };
    check_case(&k);
}

Test(corridor_config, probability_out_of_range_and_sum)
{
    static const corridor_case k = {
        HEAD "corridor:\n"
             "  outcomes:\n"
             "    - {nationality: \"*\", title42_expel: 0.8, title42_remove: 0.3, remove: 1.5,\n"
             "       retry_expelled: 0, retry_removed: 0}\n",
        NULL, NULL, NULL, 78,
        "migsim: s.yaml:9:75: corridor.outcomes[0].remove: expected a probability in [0, 1], got 1.5\n"
        "migsim: s.yaml:9:62: corridor.outcomes[0].title42_remove: title42_expel + title42_remove must not exceed 1, "
        "got 1.1\n"
        "migsim: 2 problems\n"
    };
    check_case(&k);
}

Test(corridor_config, unknown_nationality_and_bad_date)
{
    static const corridor_case k = {
        HEAD "corridor:\n"
             "  hazards: [{nationality: Y, places: [A], base_rate: 5, from: 2023-02-30}]\n",
        NULL, NULL, NULL, 78,
        "migsim: s.yaml:8:27: corridor.hazards[0].nationality: unknown nationality \"Y\" (not in nationalities; expected one of: X)\n"
        "migsim: s.yaml:8:63: corridor.hazards[0].from: expected a date YYYY-MM-DD, got \"2023-02-30\"\n"
        "migsim: 2 problems\n"
    };
    check_case(&k);
}

Test(corridor_config, missing_indicator_file)
{
    static const corridor_case k = { HEAD "corridor:\n  indicators: [{name: push, file: nope.csv}]\n", NULL, NULL,
                                     NULL, 66,
                                     "migsim: s.yaml:8:35: corridor.indicators[0].file: cannot open \"nope.csv\": No "
                                     "such file or directory\n" };
    check_case(&k);
}

Test(corridor_config, bad_indicator_rows)
{
    static const corridor_case k = {
        HEAD "corridor:\n  indicators: [{name: push, file: bad.csv}]\n", "bad.csv",
        "month,value,source\n2023-01,1.0,test\n2023-13,x,\n2023-01,2,test\n", NULL, 65,
        "migsim: bad.csv:3:1: month: expected a month YYYY-MM, got \"2023-13\"\n"
        "migsim: bad.csv:3:2: value: expected a number, got \"x\"\n"
        "migsim: bad.csv:3:3: source: expected the source of the value, got an empty cell\n"
        "migsim: bad.csv:4:1: month: month 2023-01 given twice (first on line 2)\n"
        "migsim: 4 problems\n"
    };
    check_case(&k);
}

Test(corridor_config, bad_route_options)
{
    static const corridor_case k = {
        HEAD "corridor:\n  route_options: routes.csv\n", "routes.csv",
        "nationality,from,to,weight,source\nX,Nowhere,*,0,test\nZ,A,S,-1,\n", NULL, 65,
        "migsim: routes.csv:2:2: from: unknown place \"Nowhere\"\n"
        "migsim: routes.csv:3:1: nationality: unknown nationality \"Z\" (not in the scenario's nationalities, nor "
        "\"*\")\n"
        "migsim: routes.csv:3:3: to: no link from \"A\" to S in the network\n"
        "migsim: routes.csv:3:4: weight: expected a multiplier >= 0, got \"-1\"\n"
        "migsim: routes.csv:3:5: source: expected the source or stated assumption, got an empty cell\n"
        "migsim: 5 problems\n"
    };
    check_case(&k);
}

Test(corridor_config, unknown_place_in_hazard)
{
    static const corridor_case k = { HEAD "corridor:\n  hazards: [{nationality: X, places: [A, Z], base_rate: 5}]\n",
                                     NULL, NULL, NULL, 78,
                                     "migsim: s.yaml:8:42: corridor.hazards[0].places[1]: unknown place \"Z\" (not in "
                                     "places.csv)\n" };
    check_case(&k);
}

Test(corridor_config, model_corridor_needs_the_section)
{
    static const corridor_case k = {
        "start_date: 2023-01-01\ndays: 30\nmodel: corridor\nnetwork: {places: places.csv, links: links.csv}\n"
        "nationalities: [X]\nsources: [{place: A, nationality: X, rate: 1}]\n",
        NULL, NULL, NULL, 78, "migsim: s.yaml:3:8: model: model \"corridor\" needs a corridor section\n"
    };
    check_case(&k);
}

Test(corridor_config, empty_sources_need_a_spawning_model)
{
    static const corridor_case k = {
        "start_date: 2023-01-01\ndays: 30\nnetwork: {places: places.csv, links: links.csv}\nnationalities: [X]\n"
        "sources: []\n",
        NULL, NULL, NULL, 78, "migsim: s.yaml:5:10: sources: expected at least 1 entry, got 0\n"
    };
    check_case(&k);
}

Test(corridor_config, set_override_checked_like_the_file)
{
    static const corridor_case k = { HEAD "corridor:\n  scale: 0.5\n", NULL, NULL, "corridor.scale=-1", 78,
                                     "migsim: --set corridor.scale=-1: corridor.scale: expected agents per person in "
                                     "(0, 1e6], got -1\n" };
    check_case(&k);
}

/* The defaults inside a corridor section apply only when it is there. */
Test(corridor_config, defaults_resolve)
{
    char dir[256], path[512];
    mig_ctx *ctx;
    mig_config *cfg;
    tmp_dir_make(dir, sizeof dir, "migsim-corridor");
    write_file(dir, "places.csv", places);
    write_file(dir, "links.csv", links);
    write_file(dir, "push.csv", push_ok);
    write_file(dir, "s.yaml",
               HEAD "corridor:\n"
                    "  indicators: [{name: push, file: push.csv}]\n"
                    "  hazards: [{nationality: X, places: [A], base_rate: 5, terms: [{indicator: push, beta: 2}]}]\n");
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_config_load(path, NULL, 0, ctx, &cfg), MIG_OK);
    cr_assert_float_eq(mig_corridor_config(cfg)->scale, 1.0, 0);
    cr_assert_float_eq(mig_corridor_config(cfg)->hazards[0].terms[0].ref, 0.0, 0);
    cr_assert_null(mig_corridor_config(cfg)->hazards[0].from);
    cr_assert_eq(mig_corridor_config(cfg)->hazard_from[0], cfg->start_day);
    cr_assert_eq(mig_corridor_config(cfg)->hazard_to[0], cfg->start_day + 29);
    cr_assert_null(mig_corridor_config(cfg)->cbp_one);
    cr_assert_null(cfg->calibration);
    cr_assert_not_null(strstr(cfg->resolved_yaml, "scale: 1"));
    mig_config_destroy(&cfg);
    /* a scenario without the section resolves without any corridor key */
    write_file(dir, "t.yaml",
               "start_date: 2023-01-01\ndays: 3\nnetwork: {places: places.csv, links: links.csv}\n"
               "nationalities: [X]\nsources: [{place: A, nationality: X, rate: 1}]\n");
    snprintf(path, sizeof path, "%s/t.yaml", dir);
    cr_assert_eq(mig_config_load(path, NULL, 0, ctx, &cfg), MIG_OK);
    cr_assert_null(mig_corridor_config(cfg));
    cr_assert_null(strstr(cfg->resolved_yaml, "corridor"));
    cr_assert_null(strstr(cfg->resolved_yaml, "title42"));
    mig_config_destroy(&cfg);
    mig_ctx_destroy(&ctx);
    tmp_dir_remove(dir);
}

Test(corridor_config, bad_securing_border)
{
    static const corridor_case k = {
        HEAD "corridor:\n"
             "  securing_border: {from: 2024-06-05, on_at: 2500, off_below: 3000, off_after_days: 14,\n"
             "                    window_days: 0, remove: 0.9, nationalities_exempt: [Z]}\n",
        NULL, NULL, NULL, 78,
        "migsim: s.yaml:8:63: corridor.securing_border.off_below: must not exceed on_at (2500), got 3000\n"
        "migsim: s.yaml:9:34: corridor.securing_border.window_days: expected days in [1, 366], got 0\n"
        "migsim: s.yaml:9:73: corridor.securing_border.nationalities_exempt[0]: unknown nationality \"Z\" (not in "
        "nationalities; expected one of: X)\n"
        "migsim: 3 problems\n"
    };
    check_case(&k);
}

Test(corridor_config, bad_sector_choice)
{
    static const corridor_case k = {
        HEAD "corridor:\n"
             "  attraction_by_nationality: {places: [S], factors: [{nationality: X, values: [2]}]}\n"
             "  sector_choice: {data: nowhere, window: 2023-09/2022-10, prior: -1}\n",
        NULL, NULL, NULL, 78,
        "migsim: s.yaml:9:18: corridor.sector_choice: cannot be given with corridor.attraction_by_nationality (both "
        "set where each nationality crosses); keep one\n"
        "migsim: s.yaml:9:25: corridor.sector_choice.data: cannot open \"nowhere\": No such file or directory\n"
        "migsim: s.yaml:9:42: corridor.sector_choice.window: expected FIRST/LAST months as YYYY-MM/YYYY-MM, FIRST not "
        "after LAST, got \"2023-09/2022-10\"\n"
        "migsim: s.yaml:9:66: corridor.sector_choice.prior: expected a weight in [0, 1e6], got -1\n"
        "migsim: 4 problems\n"
    };
    check_case(&k);
}

Test(corridor_config, bad_forecast_error)
{
    static const corridor_case k = {
        HEAD "corridor:\n"
             "  forecast_error: {from: 2023-02-30, nationality: -0.1, sector: 0.3, key: 2, sectors: 1}\n",
        NULL, NULL, NULL, 78,
        "migsim: s.yaml:8:78: corridor.forecast_error.sectors: unknown key (did you mean \"sector\"?)\n"
    };
    static const corridor_case k2 = {
        HEAD "corridor:\n"
             "  forecast_error: {from: 2023-02-30, nationality: -0.1, sector: 0.3, key: 2}\n",
        NULL, NULL, NULL, 78,
        "migsim: s.yaml:8:26: corridor.forecast_error.from: expected a date YYYY-MM-DD, got \"2023-02-30\"\n"
        "migsim: s.yaml:8:51: corridor.forecast_error.nationality: expected a standard deviation (log) in [0, 5], "
        "got -0.1\n"
        "migsim: s.yaml:8:65: corridor.forecast_error.sector: needs corridor.sector_choice (the shares it moves); "
        "give it or set sector: 0\n"
        "migsim: 3 problems\n"
    };
    check_case(&k);
    check_case(&k2);
}
