/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_corridor.c: the corridor model. The shipped scenario loads and runs (conservation
 * every day, encounters only at destinations and in the expected sectors, the same result
 * for 1 and 2 threads); the hazard's response to a step in an indicator matches its
 * formula exactly; encounter outcomes follow their probabilities (binomial bounds); the
 * Title 42 switch takes effect on its date; CBP One appointments respect the quota; the
 * calibration's sector-mix estimate and least squares recover known answers, and sector
 * factors by nationality move crossings as their route weights say; the Securing the Border
 * rule switches on and off on the days its proclamation says, at any scale and thread count. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../test_tmp.h"
#include "../test_util.h"
#include "mig_corridor_forecast.h"
#include "mig_date.h"
#include "mig_model_corridor.h"
#include "mig_obs.h"
#include "mig_step.h"

#define CORRIDOR MIGSIM_SOURCE_DIR "/configs/corridor/corridor.yaml"

/* The head of the tests' small corridor scenarios (places.csv and links.csv of each test). */
#define SCENARIO_HEAD(days, nationalities)                                                    \
    "start_date: 2023-01-01\n"                                                                \
    "days: " days "\n"                                                                        \
    "model: corridor\n"                                                                       \
    "network: {places: places.csv, links: links.csv}\n"                                       \
    "nationalities: " nationalities "\n"                                                      \
    "sources: []\n"

static int64_t *var(const mig_world *w, const char *name)
{
    int i = mig_obs_find(w->obs, name);
    cr_assert_geq(i, 0, "no variable %s", name);
    return w->obs->vars[i].day;
}

/* ---- a small world written into a fresh folder ---------------------------------- */

static char dir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static void make_dir(void)
{
    tmp_dir_make(dir, sizeof dir, "migsim-corridor");
}

/* Removes the folder if there is one; also the suite's .fini, which runs after a failed
 * assertion too. */
static void remove_dir(void)
{
    if (dir[0])
        tmp_dir_remove(dir);
    dir[0] = '\0';
}

TestSuite(corridor, .fini = remove_dir);

/* Origin A -> border city B -> sector S (foot) or port P; B2 -> S too (a second border
 * city across S). Every leg is done in one day. */
static const char places[] = "name,country,kind,lat,lon\n"
                             "A,X,origin,0,0\n"
                             "B,X,border,0,1\n"
                             "B2,X,border,0,2\n"
                             "S,US,destination,1,1\n"
                             "P,US,destination,1,2\n";
static const char links[] = "from,to,distance_km,mode\n"
                            "A,B,100,bus\n"
                            "B,S,5,foot\n"
                            "B,P,5,foot\n"
                            "B2,S,5,foot\n";

static void world_at(const char *yaml, const char *const *over, size_t n, int threads, mig_ctx **ctx,
                     mig_config **cfg, mig_world **w)
{
    char path[512];
    write_file("places.csv", places);
    write_file("links.csv", links);
    write_file("s.yaml", yaml);
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    test_world(path, over, n, threads, ctx, cfg, w);
}

/* ---- the shipped scenario -------------------------------------------------------- */

Test(corridor, scenario_loads_and_checks)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    test_world(CORRIDOR, NULL, 0, 2, &ctx, &cfg, &w);
    cr_assert_str_eq(cfg->model, "corridor");
    cr_assert_not_null(mig_corridor_config(cfg));
    cr_assert_eq(w->net->n_places, 127);
    cr_assert_eq(mig_config_nationality(cfg, "MEXICO"), 0);
    cr_assert_geq(mig_config_nationality(cfg, "OTHER"), 0);
    cr_assert_str_eq(cfg->start_date, "2020-09-01");
    {
        int32_t end;
        char d[11];
        mig_date_format(cfg->start_day + (int32_t)cfg->days - 1, d);
        cr_assert_str_eq(d, "2024-09-30", "the run ends on 2024-09-30");
        cr_assert_eq(mig_date_parse("2021-01-01", &end), 0);
        cr_assert_leq(cfg->start_day, end, "the run covers 2021-01-01");
    }
    test_world_free(&ctx, &cfg, &w);
}

/* 60 days at 1:20: conservation every day, encounters only at destinations, and in the
 * sectors the Mexican origins lead to. */
Test(corridor, short_run_conserves_and_encounters_at_sectors)
{
    const char *over[] = { "days=60", "corridor.scale=0.05" };
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t *enc, spawned = 0, total_enc = 0, oct_enc = 0, *at_sector;
    test_world(CORRIDOR, over, 2, 2, &ctx, &cfg, &w);
    enc = var(w, "encounters");
    at_sector = calloc(w->net->n_places, sizeof *at_sector);
    for (uint32_t day = 0; day < cfg->days; day++) {
        int64_t at = 0, on = 0;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK, "day %u: %s", day,
                     mig_ctx_n_errors(ctx) ? mig_ctx_error_at(ctx, 0) : "");
        for (size_t i = 0; i < w->agents->n; i++) {
            at += w->agents->state[i] == MIG_AGENT_AT_PLACE;
            on += w->agents->state[i] == MIG_AGENT_ON_LINK;
        }
        for (uint32_t p = 0; p < w->net->n_places; p++)
            for (uint32_t k = 0; k < w->n_nat; k++) {
                int64_t e = enc[p * w->n_nat + k];
                spawned += w->v_spawned[p * w->n_nat + k];
                cr_assert(e == 0 || w->net->place_kind[p] == MIG_KIND_DESTINATION,
                          "day %u: encounters at %s, not a destination", day, w->net->place_name[p]);
                cr_assert_eq(e, w->net->place_kind[p] == MIG_KIND_DESTINATION ? w->v_arrivals[p * w->n_nat + k] : 0);
                at_sector[p] += e;
                total_enc += e;
                oct_enc += day >= 30 ? e : 0;
            }
        cr_assert_eq(spawned, *w->v_total_spawned, "day %u", day);
        cr_assert_eq(*w->v_total_spawned, at + on + *w->v_total_absorbed + *w->v_total_removed,
                     "day %u: spawned %lld != at places %lld + on links %lld + absorbed %lld + removed %lld", day,
                     (long long)*w->v_total_spawned, (long long)at, (long long)on,
                     (long long)*w->v_total_absorbed, (long long)*w->v_total_removed);
    }
    cr_assert_gt(spawned, 5000);
    cr_assert_gt(total_enc, 1000);
    {
        /* 1-30 October 2020 (days 30-59) against the record: 71,929 SWB encounters in the
         * month (S-CBP-01), 30/31 of it at 1:20; the calibrated scenario is within 25 % */
        double want = 71929.0 * 30.0 / 31.0 * 0.05;
        cr_assert_leq(fabs((double)oct_enc - want), 0.25 * want, "October 2020: %lld encounters at 1:20, record %.0f",
                      (long long)oct_enc, want);
    }
    {
        const char *expected[] = { "San Diego", "Tucson", "El Paso", "Del Rio", "Laredo", "Rio Grande Valley" };
        for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
            int64_t p = mig_network_place(w->net, expected[i]);
            cr_assert_geq(p, 0);
            cr_assert_gt(at_sector[p], 0, "no encounters at %s in 60 days", expected[i]);
        }
    }
    free(at_sector);
    test_world_free(&ctx, &cfg, &w);
}

Test(corridor, same_result_for_1_and_2_threads)
{
    const char *over[] = { "days=40", "corridor.scale=0.02", "start_date=2023-04-20" };
    int64_t *sum[2];
    size_t n = 0;
    for (int r = 0; r < 2; r++) {
        mig_ctx *ctx;
        mig_config *cfg;
        mig_world *w;
        test_world(CORRIDOR, over, 3, r + 1, &ctx, &cfg, &w);
        n = w->net->n_places * w->n_nat * 4 + 2;
        sum[r] = calloc(n, sizeof *sum[r]);
        for (uint32_t day = 0; day < cfg->days; day++) {
            const char *names[] = { "encounters", "released", "removed", "expelled" };
            cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
            for (int v = 0; v < 4; v++) {
                int64_t *x = var(w, names[v]);
                for (size_t i = 0; i < w->net->n_places * w->n_nat; i++)
                    sum[r][v * w->net->n_places * w->n_nat + i] += x[i] * (day + 1);
            }
            sum[r][n - 2] += *var(w, "cbp_one_waiting");
            sum[r][n - 1] += *w->v_alive;
        }
        test_world_free(&ctx, &cfg, &w);
    }
    cr_assert_arr_eq(sum[0], sum[1], n * sizeof(int64_t));
    cr_assert_gt(sum[0][n - 2], 0, "people wait for CBP One appointments in spring 2023");
    free(sum[0]);
    free(sum[1]);
}

/* ---- the hazard ----------------------------------------------------------------- */

Test(corridor, hazard_rate_formula)
{
    mig_indicator ind = { 0 };
    mig_hazard_term t[2] = { { &ind, 0.3, 0.5, 0, 0.0 }, { &ind, -1.25, 2.0, 0, 0.0 } };
    double x[2] = { 1.7, 0.4 };
    double r = mig_corridor_hazard_rate(80.0, 2, t, x);
    cr_assert_float_eq(r, 80.0 * exp(0.3 * (1.7 - 0.5) - 1.25 * (0.4 - 2.0)), 1e-12 * r);
    cr_assert_float_eq(mig_corridor_hazard_rate(12.5, 0, t, x), 12.5, 0);
}

/* A term with max holds its indicator at max above it (saturation), and leaves it alone below. */
Test(corridor, hazard_rate_max_caps_the_indicator)
{
    mig_indicator ind = { 0 };
    mig_hazard_term t[2] = { { &ind, 0.7, 0.25, 1, 1.5 }, { &ind, -0.4, 0.0, 1, 9.0 } };
    double above[2] = { 2.75, 3.0 }, below[2] = { 1.2, 3.0 };
    double r = mig_corridor_hazard_rate(40.0, 2, t, above);
    cr_assert_float_eq(r, 40.0 * exp(0.7 * (1.5 - 0.25) - 0.4 * 3.0), 1e-12 * r, "x above max is held at max");
    r = mig_corridor_hazard_rate(40.0, 2, t, below);
    cr_assert_float_eq(r, 40.0 * exp(0.7 * (1.2 - 0.25) - 0.4 * 3.0), 1e-12 * r, "x below max is used as it is");
}

/* One hazard (base 100.7, beta 0.3, ref 0.5) on an indicator that steps from 1.0 in January
 * to 1.8 in February 2023 (push.csv, written by each test). */
static const char step_yaml[] = SCENARIO_HEAD("59", "[X]")
                                "corridor:\n"
                                "  indicators: [{name: push, file: push.csv}]\n"
                                "  hazards:\n"
                                "    - nationality: X\n"
                                "      places: [A]\n"
                                "      base_rate: 100.7\n"
                                "      terms: [{indicator: push, beta: 0.3, ref: 0.5}]\n";
static const char step_csv[] = "month,value,source\n2023-01,1.0,test\n2023-02,1.8,test\n";

/* A step of delta in the indicator between January and February multiplies the daily rate
 * by exp(beta * delta); the daily counts are exactly the floor rule's. */
Test(corridor, hazard_step_change_matches_formula)
{
    const double base = 100.7, beta = 0.3, ref = 0.5, x0 = 1.0, delta = 0.8;
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    double sum = 0.0, prev = 0.0, r_jan, r_feb;
    int64_t jan = 0, feb = 0;
    make_dir();
    write_file("push.csv", step_csv);
    world_at(step_yaml, NULL, 0, 2, &ctx, &cfg, &w);
    r_jan = base * exp(beta * (x0 - ref));
    r_feb = base * exp(beta * (x0 + delta - ref));
    cr_assert_float_eq(r_feb / r_jan, exp(beta * delta), 1e-12, "the rate ratio is exp(beta * delta)");
    for (uint32_t day = 0; day < cfg->days; day++) {
        double r = day < 31 ? r_jan : r_feb, f;
        int64_t got;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        got = w->v_spawned[0];
        sum += r;
        f = floor(sum);
        cr_assert_eq(got, (int64_t)(f - prev), "day %u: %lld departures, expected %g", day, (long long)got, f - prev);
        prev = f;
        if (day < 31)
            jan += got;
        else
            feb += got;
    }
    /* the month totals match n * rate within the floor rounding (one person) */
    cr_assert_leq(fabs((double)jan - 31 * r_jan), 1.0);
    cr_assert_leq(fabs((double)feb - 28 * r_feb), 1.0);
    cr_assert_float_eq(((double)feb / 28) / ((double)jan / 31), exp(beta * delta), 0.002);
    test_world_free(&ctx, &cfg, &w);
}

/* The same step with the term's max at 1.4 (by --set, checked like the file): January's 1.0
 * is below the cap, February's 1.8 is held at 1.4, so the rate ratio is exp(beta * 0.4). */
Test(corridor, hazard_step_change_saturates_at_max)
{
    const double base = 100.7, beta = 0.3, ref = 0.5;
    const char *const over[] = { "corridor.hazards[0].terms[0].max=1.4" };
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    double r_jan = base * exp(beta * (1.0 - ref)), r_feb = base * exp(beta * (1.4 - ref));
    int64_t jan = 0, feb = 0;
    make_dir();
    write_file("push.csv", step_csv);
    world_at(step_yaml, over, 1, 2, &ctx, &cfg, &w);
    for (uint32_t day = 0; day < cfg->days; day++) {
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        if (day < 31)
            jan += w->v_spawned[0];
        else
            feb += w->v_spawned[0];
    }
    cr_assert_leq(fabs((double)jan - 31 * r_jan), 1.0, "January %lld, expected %g", (long long)jan, 31 * r_jan);
    cr_assert_leq(fabs((double)feb - 28 * r_feb), 1.0, "February %lld, expected %g (capped)", (long long)feb,
                  28 * r_feb);
    test_world_free(&ctx, &cfg, &w);
}

Test(corridor, hazard_month_without_indicator_is_an_error)
{
    const char yaml[] = SCENARIO_HEAD("40", "[X]")
                        "corridor:\n"
                        "  indicators: [{name: push, file: push.csv}]\n"
                        "  hazards:\n"
                        "    - {nationality: X, places: [A], base_rate: 10, terms: [{indicator: push, beta: 1}]}\n";
    char path[512], want[1024];
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w = NULL;
    make_dir();
    write_file("places.csv", places);
    write_file("links.csv", links);
    write_file("push.csv", "month,value,source\n2023-01,1.0,test\n");
    write_file("s.yaml", yaml);
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    ctx->threads = 1;
    cr_assert_eq(mig_config_load(path, NULL, 0, ctx, &cfg), MIG_OK);
    cr_assert_eq(mig_world_create(cfg, ctx, &w), MIG_EDATA);
    cr_assert_null(w);
    snprintf(want, sizeof want,
             "%s:10:7: corridor.hazards[0]: indicator \"push\" (%s/push.csv) has no value for 2023-02, needed from "
             "2023-02-01",
             path, dir);
    cr_assert_eq(mig_ctx_n_errors(ctx), 1);
    cr_assert_str_eq(mig_ctx_error_at(ctx, 0), want);
    mig_config_destroy(&cfg);
    mig_ctx_destroy(&ctx);
}

/* ---- encounter outcomes --------------------------------------------------------- */

/* Binomial bound: |k - n p| <= 4 sqrt(n p (1 - p)) (+1 for tiny variances). */
static void assert_binomial(int64_t k, int64_t n, double p, const char *what)
{
    double sd = sqrt((double)n * p * (1 - p));
    cr_assert_leq(fabs((double)k - (double)n * p), 4 * sd + 1, "%s: %lld of %lld, expected p = %g (4 sd = %g)",
                  what, (long long)k, (long long)n, p, 4 * sd);
}

static const char outcome_yaml[] = "start_date: 2023-05-01\n"
                                   "days: 20\n"
                                   "model: corridor\n"
                                   "network: {places: places.csv, links: links.csv}\n"
                                   "nationalities: [X, Y]\n"
                                   "sources: []\n"
                                   "movement: {move_probability: {origin: 1, town: 1, camp: 1, border: 1}}\n"
                                   "corridor:\n"
                                   "  ports: {places: [P], attraction: 1.0e-9}\n"
                                   "  hazards:\n"
                                   "    - {nationality: X, places: [A], base_rate: 2000, to: 2023-05-14}\n"
                                   "    - {nationality: Y, places: [A], base_rate: 1000, to: 2023-05-14}\n"
                                   "  outcomes:\n"
                                   "    - {nationality: X, title42_expel: 0.3, title42_remove: 0.2, remove: 0.4,\n"
                                   "       retry_expelled: 1.0, retry_removed: 0.0}\n"
                                   "    - {nationality: \"*\", title42_from: 2023-05-06, title42_expel: 1.0,\n"
                                   "       title42_remove: 0.0, remove: 0.0, retry_expelled: 0.0, retry_removed: 0.0}\n"
                                   "packages:\n"
                                   "  - name: title-42\n"
                                   "    interventions:\n"
                                   "      - {name: expulsions, type: expulsion, to: 2023-05-11,\n"
                                   "         basis: \"test: Title 42 ends on 2023-05-11\"}\n";

Test(corridor, outcome_shares_within_binomial_bounds)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t *enc, *rel, *rem, *exp_;
    int64_t n_t42 = 0, e_t42 = 0, r_t42 = 0, n_t8 = 0, r_t8 = 0, rel_all = 0, enc_all = 0;
    const int64_t S = 3, B = 1, B2 = 2;
    make_dir();
    world_at(outcome_yaml, NULL, 0, 2, &ctx, &cfg, &w);
    enc = var(w, "encounters");
    rel = var(w, "released");
    rem = var(w, "removed");
    exp_ = var(w, "expelled");
    cr_assert_eq(mig_network_place(w->net, "S"), S);
    int32_t until, y_from;
    mig_date_parse("2023-05-11", &until);
    mig_date_parse("2023-05-06", &y_from);
    for (uint32_t day = 0; day < cfg->days; day++) {
        int32_t date = cfg->start_day + (int32_t)day;
        int64_t n, e, r;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        n = enc[S * 2 + 0], e = exp_[S * 2 + 0], r = rem[S * 2 + 0];
        cr_assert_eq(n, e + r + rel[S * 2 + 0], "day %u: every encounter has one outcome", day);
        if (date <= until) {
            n_t42 += n, e_t42 += e, r_t42 += r;
        } else {
            n_t8 += n, r_t8 += r;
            cr_assert_eq(e, 0, "day %u: no expulsions after Title 42", day);
        }
        /* expelled X retry from a border city across S (B or B2): they are counted there */
        if (e)
            cr_assert_geq(w->v_occupancy[B] + w->v_occupancy[B2], e);
        /* nationality Y: Title 42 applies from 2023-05-06 with expulsion certain */
        if (enc[S * 2 + 1])
            cr_assert_eq(exp_[S * 2 + 1], date >= y_from && date <= until ? enc[S * 2 + 1] : 0,
                         "day %u: Y expelled only from title42_from to the end of the title-42 package", day);
        rel_all += rel[mig_network_place(w->net, "P") * 2] + rel[mig_network_place(w->net, "P") * 2 + 1];
        enc_all += enc[mig_network_place(w->net, "P") * 2] + enc[mig_network_place(w->net, "P") * 2 + 1];
    }
    cr_assert_gt(n_t42, 5000);
    cr_assert_gt(n_t8, 1000);
    assert_binomial(e_t42, n_t42, 0.3, "expelled under Title 42");
    assert_binomial(r_t42, n_t42, 0.2, "removed under Title 42");
    assert_binomial(r_t8, n_t8, 0.4, "removed after Title 42");
    cr_assert_eq(rel_all, enc_all, "encounters at ports are releases");
    test_world_free(&ctx, &cfg, &w);
}

Test(corridor, title42_switch_on_its_date)
{
    /* every X encounter is an expulsion while Title 42 applies, none after */
    const char *over[] = { "corridor.outcomes[0].title42_expel=1.0", "corridor.outcomes[0].title42_remove=0.0",
                           "corridor.outcomes[0].retry_expelled=0.0" };
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t *enc, *exp_;
    int32_t until;
    const int64_t S = 3;
    make_dir();
    world_at(outcome_yaml, over, 3, 1, &ctx, &cfg, &w);
    enc = var(w, "encounters");
    exp_ = var(w, "expelled");
    mig_date_parse("2023-05-11", &until);
    for (uint32_t day = 0; day < cfg->days; day++) {
        int32_t date = cfg->start_day + (int32_t)day;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        if (date <= until)
            cr_assert_eq(exp_[S * 2], enc[S * 2], "day %u (Title 42): all expelled", day);
        else
            cr_assert_eq(exp_[S * 2], 0, "day %u (after Title 42): none expelled", day);
        if (date == until || date == until + 1)
            cr_assert_gt(enc[S * 2], 0, "encounters on both sides of the switch");
    }
    test_world_free(&ctx, &cfg, &w);
}

/* CBP One: people at B wait (wait_probability 1) and get at most about the quota a day. */
Test(corridor, cbp_one_appointments_follow_the_quota)
{
    const char yaml[] = SCENARIO_HEAD("40", "[X]")
                        "movement: {move_probability: {origin: 1, town: 1, camp: 1, border: 1}}\n"
                        "corridor:\n"
                        "  ports: {places: [P], attraction: 1.0e-9}\n"
                        "  hazards: [{nationality: X, places: [A], base_rate: 500}]\n"
                        "  cbp_one:\n"
                        "    ports: [P]\n"
                        "    wait_probability: 1.0\n"
                        "    appointments: [{from: 2023-01-15, per_day: 100}]\n";
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t *appt, *wait, *enc, total = 0, days_on = 0;
    const int64_t P = 4, S = 3;
    make_dir();
    world_at(yaml, NULL, 0, 2, &ctx, &cfg, &w);
    appt = var(w, "cbp_one_encounters");
    wait = var(w, "cbp_one_waiting");
    enc = var(w, "encounters");
    for (uint32_t day = 0; day < cfg->days; day++) {
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        if (day < 14) {
            cr_assert_eq(*wait, 0, "day %u: nobody waits before CBP One", day);
            cr_assert_eq(appt[P], 0);
        } else {
            cr_assert_eq(enc[S], 0, "day %u: waiters do not cross between ports", day);
            cr_assert_eq(appt[P], enc[P], "day %u: port encounters are appointments", day);
            if (day > 16) {
                total += appt[P];
                days_on++;
            }
        }
    }
    cr_assert_gt(*wait, 1000, "the queue grows when arrivals exceed the quota");
    {
        double want = 100.0 * (double)days_on;
        cr_assert_leq(fabs((double)total - want), 0.03 * want + 4 * sqrt(want),
                      "%lld appointments in %lld days of a quota of 100 a day", (long long)total,
                      (long long)days_on);
    }
    test_world_free(&ctx, &cfg, &w);
}

/* ---- fit measures ---------------------------------------------------------------- */

/* Collects mig_corridor_figures' figures. */
typedef struct figures {
    mig_fit_figure f[64];
    int n;
} figures;

static mig_status collect_figure(void *data, const mig_fit_figure *f)
{
    figures *all = data;
    cr_assert_lt(all->n, 64);
    all->f[all->n++] = *f;
    return MIG_OK;
}

/* The figures behind the measures of fit_measures' last run (24 months, 10 citizenships and
 * 3 sectors and the ports a year): their mean errors are the measures. */
static void check_figures(mig_corridor_obs *obs, const mig_corridor_sim *sim, const mig_corridor_fit *fit)
{
    char *nat[12] = { "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "OTHER" }, *sec[3] = { "S1", "S2", "S3" };
    figures all = { .n = 0 };
    double ape = 0.0, share = 0.0;
    obs->nat_name = nat;
    obs->sector_name = sec;
    cr_assert_eq(mig_corridor_figures(obs, sim, collect_figure, &all), MIG_OK);
    obs->nat_name = NULL;
    obs->sector_name = NULL;
    cr_assert_eq(all.n, 24 + 2 * (10 + 4));
    for (int i = 0; i < 24; i++) {
        cr_assert_str_eq(all.f[i].table, "month");
        ape += fabs(all.f[i].error) / 24;
    }
    cr_assert_str_eq(all.f[0].label, "2020-10");
    cr_assert_str_eq(all.f[23].label, "2022-09");
    cr_assert_float_eq(ape, fit->mape, 1e-12);
    cr_assert_str_eq(all.f[24].table, "citizenship");
    cr_assert_str_eq(all.f[24].label, "FY2021 K", "the largest citizenship first, OTHER left out");
    cr_assert_float_eq(all.f[24].error, 0.1, 1e-12);
    cr_assert_str_eq(all.f[34].label, "FY2021 S1");
    cr_assert_str_eq(all.f[37].label, "FY2021 ports of entry (of all)");
    cr_assert_str_eq(all.f[51].label, "FY2022 ports of entry (of all)");
    cr_assert_float_eq(all.f[51].error, 0.05, 1e-9);
    cr_assert(all.f[51].share && !all.f[24].share);
    for (int i = 34; i < 52; i++)
        if (!strcmp(all.f[i].table, "sector"))
            share += fabs(all.f[i].error) / 8;
    cr_assert_float_eq(share, fit->sector, 1e-12);
}

/* Two fiscal years of made-up monthly figures: a run equal to the record has no error; a
 * run 10 % above it everywhere has MAPE and citizenship error 0.1 and no share error; a
 * share off by d points adds d / (sectors + 1) to the share error. */
Test(corridor, fit_measures)
{
    enum { NM = 24, NN = 12, NS = 3 };
    double total[NM], ofo[NM], by_nat[NM * NN], by_sector[NM * NS], st[NM], so[NM], sn[NM * NN], ss[NM * NS];
    mig_corridor_obs obs = { 0 };
    mig_corridor_sim sim = { st, so, sn, ss, NULL };
    mig_corridor_fit fit;
    obs.first_month = 2020 * 12 + 9; /* October 2020 */
    obs.n_months = NM;
    obs.n_nat = NN;
    obs.other = NN - 1;
    obs.n_sectors = NS;
    obs.total = total;
    obs.ofo = ofo;
    obs.by_nat = by_nat;
    obs.by_sector = by_sector;
    for (int m = 0; m < NM; m++) {
        total[m] = 0;
        for (int k = 0; k < NN; k++)
            total[m] += by_nat[m * NN + k] = 100.0 * (k + 1) + m;
        ofo[m] = 0.1 * total[m];
        for (int s = 0; s < NS; s++)
            by_sector[m * NS + s] = 10.0 * (s + 1) + m;
    }
    memcpy(st, total, sizeof st);
    memcpy(so, ofo, sizeof so);
    memcpy(sn, by_nat, sizeof sn);
    memcpy(ss, by_sector, sizeof ss);
    mig_corridor_measure(&obs, &sim, &fit);
    cr_assert_eq(fit.n_fy, 2);
    cr_assert_float_eq(fit.objective, 0.0, 1e-12);
    for (int i = 0; i < NM; i++)
        st[i] *= 1.1, so[i] *= 1.1;
    for (int i = 0; i < NM * NN; i++)
        sn[i] *= 1.1;
    for (int i = 0; i < NM * NS; i++)
        ss[i] *= 1.1;
    sn[NN - 1] *= 5; /* OTHER is not among the top-10 citizenships */
    mig_corridor_measure(&obs, &sim, &fit);
    cr_assert_float_eq(fit.mape, 0.1, 1e-12);
    cr_assert_float_eq(fit.citizenship, 0.1, 1e-12);
    cr_assert_float_eq(fit.sector, 0.0, 1e-12);
    cr_assert_float_eq(fit.objective, 0.1 / 0.15 * 2, 1e-12);
    cr_assert_float_eq(fit.outside, 0.0, 1e-12, "every value within its band: no excess");
    /* one citizenship 45 % high in both years, of 10 a year: 3 targets out, excess 2 / 10 */
    for (int m = 0; m < NM; m++)
        sn[m * NN + 3] = by_nat[m * NN + 3] * 1.45;
    mig_corridor_measure(&obs, &sim, &fit);
    cr_assert_float_eq(fit.citizenship, (9 * 0.1 + 0.45) / 10, 1e-12);
    cr_assert_float_eq(fit.outside, (0.45 / 0.15 - 1) / 10, 1e-12);
    cr_assert_float_eq(fit.objective,
                       0.1 / 0.15 + fit.citizenship / 0.15 + MIG_CORRIDOR_OUTSIDE_WEIGHT * (0.45 / 0.15 - 1) / 10,
                       1e-9);
    for (int m = 0; m < NM; m++)
        sn[m * NN + 3] = by_nat[m * NN + 3] * 1.1;
    /* a sector share 6 points off in one of three sectors, both years (3 sector shares and
     * the OFO share are measured each year) */
    memcpy(ss, by_sector, sizeof ss);
    for (int m = 0; m < NM; m++) {
        double t = ss[m * NS] + ss[m * NS + 1] + ss[m * NS + 2];
        ss[m * NS] += 0.06 * t;
        ss[m * NS + 1] -= 0.06 * t;
    }
    mig_corridor_measure(&obs, &sim, &fit);
    cr_assert_float_eq(fit.sector, 2 * 0.06 / 4, 1e-9);
    cr_assert_float_eq(fit.outside, 2 * (0.06 / 0.05 - 1) / 4, 1e-9, "two shares 6 points off of four a year");
    /* the ports' share 5 points high */
    memcpy(ss, by_sector, sizeof ss);
    for (int m = 0; m < NM; m++)
        so[m] = (0.1 + 0.05) * st[m];
    mig_corridor_measure(&obs, &sim, &fit);
    cr_assert_float_eq(fit.sector, 0.05 / 4, 1e-9);
    check_figures(&obs, &sim, &fit);
}

/* ---- where each nationality crosses ------------------------------------------------ */

/* A known sector mix is recovered from the monthly series alone: S = C P exactly, with
 * nationality counts that vary from month to month (no prior). */
Test(corridor, sector_mix_recovers_known_shares)
{
    enum { NM = 36, NN = 3, NS = 3 };
    const double truth[NN * NS] = { 0.7, 0.2, 0.1, 0.0, 0.5, 0.5, 0.1, 0.1, 0.8 };
    double c[NM * NN], s[NM * NS], got[NN * NS], residual = 1.0;
    mig_corridor_obs obs = { 0 };
    obs.first_month = 2020 * 12 + 9;
    obs.n_months = NM;
    obs.n_nat = NN;
    obs.other = -1;
    obs.n_sectors = NS;
    obs.by_sector = s;
    obs.usbp_by_nat = c;
    for (int m = 0; m < NM; m++)
        for (int k = 0; k < NN; k++)
            c[m * NN + k] = 1000.0 + 600.0 * sin(0.3 * m * (k + 1) + k);
    for (int m = 0; m < NM; m++)
        for (int j = 0; j < NS; j++) {
            s[m * NS + j] = 0.0;
            for (int k = 0; k < NN; k++)
                s[m * NS + j] += c[m * NN + k] * truth[k * NS + j];
        }
    cr_assert_eq(mig_corridor_sector_mix(&obs, 0.0, got, &residual), MIG_OK);
    for (int i = 0; i < NN * NS; i++)
        cr_assert_float_eq(got[i], truth[i], 1e-3, "share %d: %g, expected %g", i, got[i], truth[i]);
    cr_assert_leq(residual, 1e-3);
}

static const char fork_places[] = "name,country,kind,lat,lon\n"
                                  "A,X,origin,0,0\n"
                                  "B1,X,border,0,1\n"
                                  "B2,X,border,0,2\n"
                                  "S1,US,destination,1,1\n"
                                  "S2,US,destination,1,2\n";
static const char fork_links[] = "from,to,distance_km,mode\n"
                                 "A,B1,100,bus\n"
                                 "A,B2,100,bus\n"
                                 "B1,S1,5,foot\n"
                                 "B2,S2,5,foot\n";
static const char fork_yaml[] = SCENARIO_HEAD("10", "[X, Y]")
                                "movement: {move_probability: {origin: 1, town: 1, camp: 1, border: 1},\n"
                                "           attraction_power: 1, distance_power: 1, lookahead_steps: 1,\n"
                                "           lookahead_discount: 0.5}\n"
                                "corridor:\n"
                                "  attraction_by_nationality:\n"
                                "    places: [S1, S2]\n"
                                "    factors:\n"
                                "      - {nationality: X, values: [1, %s]}\n"
                                "  hazards:\n"
                                "    - {nationality: X, places: [A], base_rate: 1000, to: 2023-01-05}\n"
                                "    - {nationality: Y, places: [A], base_rate: 1000, to: 2023-01-05}\n";

/* X's factor of 1e6 on S2 gives it route weight (1 + 0.5)/(1 + 0.5 * 1e6) towards B1
 * (look-ahead of one step, places' attractiveness 1); Y, without factors, splits evenly. */
Test(corridor, factors_by_nationality_move_crossings)
{
    char yaml[2048], path[512];
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t *enc, at[2][2] = { { 0, 0 }, { 0, 0 } };
    int64_t s1, s2;
    make_dir();
    snprintf(yaml, sizeof yaml, fork_yaml, "1.0e6");
    write_file("places.csv", fork_places);
    write_file("links.csv", fork_links);
    write_file("s.yaml", yaml);
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    test_world(path, NULL, 0, 2, &ctx, &cfg, &w);
    enc = var(w, "encounters");
    s1 = mig_network_place(w->net, "S1");
    s2 = mig_network_place(w->net, "S2");
    for (uint32_t day = 0; day < cfg->days; day++) {
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        for (uint32_t k = 0; k < 2; k++) {
            at[k][0] += enc[s1 * w->n_nat + k];
            at[k][1] += enc[s2 * w->n_nat + k];
        }
    }
    cr_assert_eq(at[0][0] + at[0][1], 5000, "every X is encountered within the run");
    cr_assert_eq(at[1][0] + at[1][1], 5000);
    assert_binomial(at[0][0], 5000, 1.5 / (1.5 + 1.0 + 0.5e6), "X at S1");
    assert_binomial(at[1][0], 5000, 0.5, "Y at S1");
    test_world_free(&ctx, &cfg, &w);
}

Test(corridor, factors_by_nationality_errors)
{
    const char *bad = SCENARIO_HEAD("10", "[X, Y]")
                      "corridor:\n"
                      "  attraction_by_nationality:\n"
                      "    places: [S1, S2]\n"
                      "    factors:\n"
                      "      - {nationality: X, values: [1]}\n"
                      "      - {nationality: Z, values: [1, 2]}\n"
                      "      - {nationality: X, values: [1, 0]}\n";
    char path[512], want[3][1024];
    mig_ctx *ctx;
    mig_config *cfg = NULL;
    make_dir();
    write_file("places.csv", fork_places);
    write_file("links.csv", fork_links);
    write_file("s.yaml", bad);
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_config_load(path, NULL, 0, ctx, &cfg), MIG_ECONFIG);
    snprintf(want[0], sizeof want[0],
             "%s:11:34: corridor.attraction_by_nationality.factors[0].values: 1 values for 2 places (one per "
             "corridor.attraction_by_nationality.places)",
             path);
    snprintf(want[1], sizeof want[1],
             "%s:12:23: corridor.attraction_by_nationality.factors[1].nationality: unknown nationality \"Z\" (not in "
             "nationalities; expected one of: X, Y)",
             path);
    snprintf(want[2], sizeof want[2],
             "%s:13:23: corridor.attraction_by_nationality.factors[2].nationality: nationality \"X\" given twice", path);
    cr_assert_geq(mig_ctx_n_errors(ctx), 4);
    for (int i = 0; i < 3; i++)
        cr_assert_str_eq(mig_ctx_error_at(ctx, i), want[i]);
    cr_assert(strstr(mig_ctx_error_at(ctx, 3), "factors[2].values[1]") != NULL, "%s", mig_ctx_error_at(ctx, 3));
    mig_config_destroy(&cfg);
    mig_ctx_destroy(&ctx);
}

/* ---- sector choice derived from the record (corridor.sector_choice) ---------------- */

static const char three_places[] = "name,country,kind,lat,lon\n"
                                   "A,X,origin,0,0\n"
                                   "B1,X,border,0,1\n"
                                   "B2,X,border,0,2\n"
                                   "B3,X,border,0,3\n"
                                   "S1,US,destination,1,1\n"
                                   "S2,US,destination,1,2\n"
                                   "S3,US,destination,1,3\n";
static const char three_links[] = "from,to,distance_km,mode\n"
                                  "A,B1,100,bus\n"
                                  "A,B2,150,bus\n"
                                  "A,B3,300,bus\n"
                                  "B1,S1,5,foot\n"
                                  "B2,S2,5,foot\n"
                                  "B3,S3,5,foot\n";
static const double sector_truth[2][3] = { { 0.6, 0.3, 0.1 }, { 0.1, 0.3, 0.6 } };

/* A record of 12 months (2022) whose sector counts are X's and Y's monthly USBP counts times
 * sector_truth, in the four tables the corridor's record has, in folder rec/. */
static void write_record(void)
{
    char totals[4096] = "calendar_month,swb_total_encounters_usbp_plus_ofo,ofo_encounters_swb\n";
    char cit[4096] = "calendar_month,X,Y\n", sec[4096] = "calendar_month,S1,S2,S3\n";
    char usbp[4096] = "calendar_month,citizenship,usbp_swb_encounters_rounded10\n";
    char path[512];
    snprintf(path, sizeof path, "%s/rec", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    for (int m = 0; m < 12; m++) {
        double c[2] = { 1000.0 + 500.0 * sin(m), 1000.0 + 500.0 * cos(0.7 * m) };
        char line[256];
        snprintf(line, sizeof line, "2022-%02d,%.6f,0\n", m + 1, c[0] + c[1]);
        strcat(totals, line);
        snprintf(line, sizeof line, "2022-%02d,%.6f,%.6f\n", m + 1, c[0], c[1]);
        strcat(cit, line);
        snprintf(line, sizeof line, "2022-%02d,X,%.6f\n2022-%02d,Y,%.6f\n", m + 1, c[0], m + 1, c[1]);
        strcat(usbp, line);
        snprintf(line, sizeof line, "2022-%02d", m + 1);
        strcat(sec, line);
        for (int j = 0; j < 3; j++) {
            snprintf(line, sizeof line, ",%.6f", c[0] * sector_truth[0][j] + c[1] * sector_truth[1][j]);
            strcat(sec, line);
        }
        strcat(sec, "\n");
    }
    write_file("rec/cbp_swb_encounters_monthly_fy2021_fy2023.csv", totals);
    write_file("rec/cbp_swb_encounters_monthly_by_citizenship_fy2021_fy2023.csv", cit);
    write_file("rec/usbp_swb_encounters_monthly_by_sector_fy2021_fy2023.csv", sec);
    write_file("rec/usbp_swb_encounters_monthly_by_citizenship_ohss_fy2021_fy2023.csv", usbp);
}

/* Three border cities at different distances: the route weights alone would send most to S1.
 * sector_choice estimates X's and Y's shares from the record (exactly, prior 0) and solves
 * their factors so that they cross in those shares: binomial bounds for 5,000 of each (the
 * shares as route weights alone give them are far outside: X and Y would cross alike). */
/* The record, the network and the scenario of the sector-choice tests; path: the scenario. */
static void write_sector_scenario(char *path, size_t size)
{
    const char *yaml = SCENARIO_HEAD("10", "[X, Y]")
        "movement: {move_probability: {origin: 1, town: 1, camp: 1, border: 1},\n"
        "           attraction_power: 1.5, distance_power: 1, lookahead_steps: 2,\n"
        "           lookahead_discount: 0.5}\n"
        "corridor:\n"
        "  sector_choice: {data: rec, window: 2022-01/2022-12, prior: 0}\n"
        "  hazards:\n"
        "    - {nationality: X, places: [A], base_rate: 1000, to: 2023-01-05}\n"
        "    - {nationality: Y, places: [A], base_rate: 1000, to: 2023-01-05}\n";
    make_dir();
    write_record();
    write_file("places.csv", three_places);
    write_file("links.csv", three_links);
    write_file("s.yaml", yaml);
    snprintf(path, size, "%s/s.yaml", dir);
}

/* Runs w to its end and asserts that X and Y (5,000 each) cross at S1, S2 and S3 in the
 * shares share[nationality][sector] (binomial bounds), every one encountered. */
static void assert_crossings(mig_world *w, mig_ctx *ctx, const double share[2][3])
{
    const char *names[3] = { "S1", "S2", "S3" };
    int64_t *enc = var(w, "encounters"), at[2][3] = { { 0 } };
    for (uint32_t day = 0; day < w->cfg->days; day++) {
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        for (uint32_t k = 0; k < 2; k++)
            for (int j = 0; j < 3; j++)
                at[k][j] += enc[mig_network_place(w->net, names[j]) * w->n_nat + k];
    }
    for (uint32_t k = 0; k < 2; k++) {
        cr_assert_eq(at[k][0] + at[k][1] + at[k][2], 5000, "every agent of nationality %u is encountered", k);
        for (int j = 0; j < 3; j++)
            assert_binomial(at[k][j], 5000, share[k][j], names[j]);
    }
}

Test(corridor, sector_choice_crosses_in_the_record_shares)
{
    char path[512];
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    write_sector_scenario(path, sizeof path);
    test_world(path, NULL, 0, 2, &ctx, &cfg, &w);
    assert_crossings(w, ctx, sector_truth);
    test_world_free(&ctx, &cfg, &w);
}

/* The shares and the factors are solved once per context and kept (mig_ctx_memo_put): a
 * second world of the same scenario in the same context gets the same route tables from
 * them, and spoiling the kept factors changes a third world's tables, so they are what it
 * used. The factors are solved one nationality per thread: 1 and 2 threads give the same
 * tables bit for bit. */
Test(corridor, sector_choice_solved_once_per_context)
{
    char path[512];
    mig_ctx *ctx, *ctx2;
    mig_config *cfg, *cfg2;
    mig_world *w, *w2;
    double *first;
    size_t n;
    write_sector_scenario(path, sizeof path);
    test_world(path, NULL, 0, 1, &ctx, &cfg, &w);
    n = (size_t)w->n_nat * w->net->n_links;
    cr_assert_eq(ctx->n_memo, 2, "the shares and the factors are kept");
    cr_assert_not_null(first = malloc(n * sizeof *first));
    memcpy(first, w->route_weight, n * sizeof *first);
    test_world(path, NULL, 0, 2, &ctx2, &cfg2, &w2);
    cr_assert_eq(memcmp(first, w2->route_weight, n * sizeof *first), 0, "2 threads give 1 thread's tables");
    test_world_free(&ctx2, &cfg2, &w2);
    mig_world_destroy(&w);
    cr_assert_eq(mig_world_create(cfg, ctx, &w), MIG_OK);
    cr_assert_eq(ctx->n_memo, 2, "nothing new to keep");
    cr_assert_eq(memcmp(first, w->route_weight, n * sizeof *first), 0);
    mig_world_destroy(&w);
    for (size_t i = 0; i < ctx->memo[1].value_len / sizeof(double) - 1; i++)
        ((double *)ctx->memo[1].value)[i] = 1.0; /* the factors as if there were none */
    cr_assert_eq(mig_world_create(cfg, ctx, &w), MIG_OK);
    cr_assert_neq(memcmp(first, w->route_weight, n * sizeof *first), 0, "the kept factors are used");
    free(first);
    test_world_free(&ctx, &cfg, &w);
}

/* ---- a forecast's error drawn in the run (corridor.forecast_error) ------------------- */

/* The sector error moves every nationality's sector shares by the sector's factor
 * (mig_corridor_sector_error on the record's shares) and the route tables send it there:
 * binomial bounds for 5,000 of each, against shares that differ from the record's by more. */
Test(corridor, forecast_error_moves_the_sector_shares)
{
    const char *over[] = { "corridor.forecast_error.from=2023-01-01", "corridor.forecast_error.sector=0.5",
                           "corridor.forecast_error.key=3" };
    char path[512];
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    double want[2][3], moved = 0.0;
    write_sector_scenario(path, sizeof path);
    test_world(path, over, 3, 2, &ctx, &cfg, &w);
    for (uint32_t k = 0; k < 2; k++) {
        double sum = 0.0;
        for (uint32_t j = 0; j < 3; j++)
            sum += want[k][j] = sector_truth[k][j] * exp(0.5 * mig_corridor_forecast_z(cfg->seed, 3,
                                                                                      MIG_FORECAST_SECTOR, j));
        for (uint32_t j = 0; j < 3; j++) {
            want[k][j] /= sum;
            moved = fmax(moved, fabs(want[k][j] - sector_truth[k][j]));
        }
    }
    cr_assert_gt(moved, 0.05, "the error moves a share by %g", moved);
    assert_crossings(w, ctx, (const double(*)[3])want);
    test_world_free(&ctx, &cfg, &w);
}

/* Persons spawned by nationality (X, Y) on days [d0, d1) of a world's run. */
static void spawned_by_nat(mig_world *w, mig_ctx *ctx, uint32_t d0, uint32_t d1, int64_t out[2])
{
    out[0] = out[1] = 0;
    for (uint32_t day = 0; day < d1; day++) {
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        for (uint32_t p = 0; day >= d0 && p < w->net->n_places; p++)
            for (uint32_t k = 0; k < 2; k++)
                out[k] += w->v_spawned[(size_t)p * w->n_nat + k];
    }
}

/* The nationality error: X's and Y's inflow (1,000 a day each to 2023-01-05) before `from`
 * (2023-01-03) as without it; from then, each times its factor, the total held (to a
 * person); with both sigmas 0 the run is the run without the section, bit for bit. */
Test(corridor, forecast_error_moves_the_inflow_not_its_total)
{
    const char *over[] = { "corridor.forecast_error.from=2023-01-03", "corridor.forecast_error.nationality=0.7",
                           "corridor.forecast_error.key=1", "corridor.forecast_error.sector=0" };
    const double inflow[2] = { 3000.0, 3000.0 };
    char path[512];
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t before[2], after[2], *enc;
    double f[2];
    write_sector_scenario(path, sizeof path);
    test_world(path, over, 4, 2, &ctx, &cfg, &w);
    mig_corridor_nationality_factors(mig_corridor_config(cfg)->forecast_error, cfg->seed, 2, inflow, f);
    cr_assert_gt(fabs(f[0] - 1.0), 0.05, "the error moves X's inflow: factor %g", f[0]);
    spawned_by_nat(w, ctx, 0, 2, before);
    cr_expect(before[0] == 2000 && before[1] == 2000, "before from: %lld, %lld", (long long)before[0],
              (long long)before[1]);
    test_world_free(&ctx, &cfg, &w);
    test_world(path, over, 4, 2, &ctx, &cfg, &w);
    spawned_by_nat(w, ctx, 2, 10, after);
    for (int k = 0; k < 2; k++)
        cr_expect_leq(fabs((double)after[k] - f[k] * 3000.0), 1.0, "nationality %d: %lld, want %g", k,
                      (long long)after[k], f[k] * 3000.0);
    cr_expect_leq(llabs(after[0] + after[1] - 6000), 1, "the total held: %lld", (long long)(after[0] + after[1]));
    test_world_free(&ctx, &cfg, &w);
    /* sigmas 0: the same encounters every day as without the section */
    {
        const char *zero[] = { "corridor.forecast_error.from=2023-01-03", "corridor.forecast_error.nationality=0",
                               "corridor.forecast_error.sector=0", "corridor.forecast_error.key=1" };
        mig_ctx *ctx2;
        mig_config *cfg2;
        mig_world *w2;
        int64_t *enc2;
        test_world(path, NULL, 0, 2, &ctx, &cfg, &w);
        test_world(path, zero, 4, 2, &ctx2, &cfg2, &w2);
        enc = var(w, "encounters");
        enc2 = var(w2, "encounters");
        for (uint32_t day = 0; day < cfg->days; day++) {
            cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
            cr_assert_eq(mig_step_run(w2, day, ctx2), MIG_OK);
            cr_assert_eq(memcmp(enc, enc2, (size_t)w->net->n_places * w->n_nat * sizeof *enc), 0, "day %u", day);
        }
        test_world_free(&ctx2, &cfg2, &w2);
        test_world_free(&ctx, &cfg, &w);
    }
    remove_dir();
}

/* enforcement_target's targets are persons: at corridor.scale 0.5 the engine multiplies them
 * by the model's agents per person, so 100 persons a day at B are 50 agents a day (1,000 over
 * 20 days; 2,000 if the scale were not applied). */
Test(corridor, enforcement_targets_follow_corridor_scale)
{
    const char *yaml = SCENARIO_HEAD("20", "[X]")
        "movement: {move_probability: {origin: 1, town: 1, camp: 1, border: 1}}\n"
        "corridor:\n"
        "  scale: 0.5\n"
        "  hazards: [{nationality: X, places: [A], base_rate: 1000}]\n"
        "packages:\n"
        "  - name: inm\n"
        "    interventions:\n"
        "      - {name: t, type: enforcement_target, places: [B], targets: targets.csv, basis: t}\n";
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t *app, got = 0;
    make_dir();
    write_file("targets.csv", "start,end,total,source,note\n2023-01-01,2023-01-20,2000,test,100 a day\n");
    world_at(yaml, NULL, 0, 2, &ctx, &cfg, &w);
    cr_assert_float_eq(cfg->agents_per_person, 0.5, 1e-12);
    app = var(w, "policy_apprehended");
    for (uint32_t day = 0; day < cfg->days; day++) {
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        for (uint32_t q = 0; q < w->net->n_places; q++)
            got += app[q];
    }
    cr_assert_leq(fabs((double)got - 1000.0), 4 * sqrt(1000.0) + 1, "%lld agents apprehended, target 1000",
                  (long long)got);
    test_world_free(&ctx, &cfg, &w);
}

/* The level fit's least squares: an exact non-negative solution is recovered; when the
 * unconstrained solution has a negative value, that unknown is 0 and the other is the
 * one-column least squares. */
Test(corridor, nnls_recovers_and_clips)
{
    double a[MIG_NNLS_MAX_N][MIG_NNLS_MAX_M] = { { 1, 2, 3 }, { 1, 0, 1 } };
    double b[3], theta[2];
    for (int f = 0; f < 3; f++)
        b[f] = 2.0 * a[0][f] + 0.5 * a[1][f];
    mig_corridor_nnls(2, 3, (const double(*)[MIG_NNLS_MAX_M])a, b, theta);
    cr_assert_float_eq(theta[0], 2.0, 1e-12);
    cr_assert_float_eq(theta[1], 0.5, 1e-12);
    /* b = 2 a0 - 1 a1 has no non-negative fit; theta1 = 0, theta0 = (a0 . b) / (a0 . a0) */
    for (int f = 0; f < 3; f++)
        b[f] = 2.0 * a[0][f] - 1.0 * a[1][f];
    mig_corridor_nnls(2, 3, (const double(*)[MIG_NNLS_MAX_M])a, b, theta);
    cr_assert_float_eq(theta[1], 0.0, 1e-12);
    cr_assert_float_eq(theta[0], (1 * 1.0 + 2 * 4.0 + 3 * 5.0) / 14.0, 1e-12);
}

/* ---- Securing the Border ----------------------------------------------------------- */

/* The rule as a pure function on a hand-made series (window 7, on at 2,500, off 14 days
 * after the average falls below 1,500, from day 10). Window sums: 21,000 at day 9 (on from
 * day 10 = from, though on since day 6 otherwise); 10,000 at day 15, the first below 10,500
 * (lifted from day 15 + 14 = 29, although the sums are 11,000-13,000 on days 18-23: a
 * rise above 1,500 does not stop the count); 19,000 at day 46 (on again from day 47). */
Test(corridor, securing_border_rule_on_a_hand_made_series)
{
    const mig_corridor_bar_rule r = { .from_day = 100 + 10, .on_sum = 2500.0 * 7, .off_sum = 1500.0 * 7,
                                      .off_after = 14, .window = 7 };
    int64_t enc[51];
    uint8_t active[51];
    for (int d = 0; d < 51; d++)
        enc[d] = d < 10 ? 3000 : d < 15 ? 1000 : d < 21 ? 2000 : d < 41 ? 1000 : 3000;
    cr_assert_eq(mig_corridor_bar_states(&r, 100, 51, enc, active), MIG_OK);
    for (int d = 0; d < 51; d++)
        cr_assert_eq(active[d], (d >= 10 && d <= 28) || d >= 47, "day %d: state %d", d, active[d]);
    /* with the count cancelled by an average at on_at or above, the lift waits for the next fall */
    for (int d = 21; d < 24; d++)
        enc[d] = 8000;
    cr_assert_eq(mig_corridor_bar_states(&r, 100, 51, enc, active), MIG_OK);
    cr_assert_eq(active[29], 1, "day 21's sum 19,000 cancels the lift due on day 29");
}

/* Sector encounters of a known series: X (and exempt Y) spawn at A on dated ranges and reach
 * a sector (S or P, no ports) BAR_LAG days later, so the sector series is the hand-made one
 * above shifted by BAR_LAG; the bar removes every X encounter while it applies, and no Y. */
#define BAR_LAG 1
static const char bar_yaml[] =
    SCENARIO_HEAD("53", "[X, Y]")
    "movement: {move_probability: {origin: 1, town: 1, camp: 1, border: 1}}\n"
    "corridor:\n"
    "  hazards:\n"
    "    - {nationality: X, places: [A], base_rate: 2000, to: 2023-01-10}\n"
    "    - {nationality: Y, places: [A], base_rate: 1000, to: 2023-01-10}\n"
    "    - {nationality: X, places: [A], base_rate: 1000, from: 2023-01-11, to: 2023-01-15}\n"
    "    - {nationality: X, places: [A], base_rate: 2000, from: 2023-01-16, to: 2023-01-21}\n"
    "    - {nationality: X, places: [A], base_rate: 1000, from: 2023-01-22, to: 2023-02-10}\n"
    "    - {nationality: X, places: [A], base_rate: 2500, from: 2023-02-11, to: 2023-02-20}\n"
    "    - {nationality: Y, places: [A], base_rate: 500, from: 2023-02-11, to: 2023-02-20}\n"
    "  outcomes: [{nationality: \"*\", title42_expel: 0, title42_remove: 0, remove: 0, retry_expelled: 0,\n"
    "              retry_removed: 0}]\n"
    "  securing_border: {from: 2023-01-12, on_at: 2500, off_below: 1500, off_after_days: 14, window_days: 7,\n"
    "                    remove: 1.0, retry_removed: 0.0, nationalities_exempt: [Y]}\n";

/* Runs bar_yaml; active[d] from securing_border_active, checks the encounters and outcomes. */
static void run_bar(const char *const *over, size_t n, int threads, double scale, uint8_t *active)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t *enc, *rem, *on;
    make_dir();
    world_at(bar_yaml, over, n, threads, &ctx, &cfg, &w);
    enc = var(w, "encounters");
    rem = var(w, "removed");
    on = var(w, "securing_border_active");
    for (uint32_t day = 0; day < cfg->days; day++) {
        int d = (int)day - BAR_LAG;
        int64_t e = d < 0 || d > 50 ? 0 : d < 10 ? 3000 : d < 15 ? 1000 : d < 21 ? 2000 : d < 41 ? 1000 : 3000;
        int64_t ex = 0, ey = 0, rx = 0, ry = 0;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        for (uint32_t p = 3; p < 5; p++) {
            ex += enc[p * 2], ey += enc[p * 2 + 1], rx += rem[p * 2], ry += rem[p * 2 + 1];
        }
        cr_assert_eq(ex + ey, (int64_t)(e * scale), "day %u: sector encounters", day);
        active[day] = (uint8_t)*on;
        cr_assert_eq(rx, *on ? ex : 0, "day %u: X removed while the bar applies", day);
        cr_assert_eq(ry, 0, "day %u: Y is exempt", day);
    }
    test_world_free(&ctx, &cfg, &w);
    remove_dir();
}

/* On from the first day after the average reaches 2,500 (from 2023-01-12 = day 11), off 14
 * days after the first day it is below 1,500 (day 16: off from day 30), on again from day 48;
 * the same days at 1:2 (thresholds in persons) and with 1 and 2 threads. */
Test(corridor, securing_border_switches_on_the_rule_days)
{
    const char *half[] = { "corridor.scale=0.5" };
    uint8_t a1[53], a2[53], ah[53];
    run_bar(NULL, 0, 1, 1.0, a1);
    run_bar(NULL, 0, 2, 1.0, a2);
    run_bar(half, 1, 2, 0.5, ah);
    for (int d = 0; d < 53; d++) {
        cr_assert_eq(a1[d], (d >= 10 + BAR_LAG && d <= 28 + BAR_LAG) || d >= 47 + BAR_LAG, "day %d: state %d", d,
                     a1[d]);
        cr_assert_eq(a2[d], a1[d], "day %d: 2 threads", d);
        cr_assert_eq(ah[d], a1[d], "day %d: corridor.scale 0.5", d);
    }
}
