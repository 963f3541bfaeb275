/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_policy.c: interventions, packages, groups and caravans, each against an exact or
 * analytic expectation: closures give zero flow, apprehensions are binomial, quotas are
 * never exceeded, families stay together, a package switched off restores the baseline,
 * and a caravan walks and dissolves as configured. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../test_tmp.h"
#include "../test_util.h"
#include "mig_policy.h"
#include "mig_step.h"

static char dir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* A origin; M, N, T, Mp, P towns; B border; D, D2 destinations. */
static const char places[] = "name,country,kind,lat,lon\n"
                             "A,Aland,origin,0,0\n"
                             "M,Mland,town,0,1\n"
                             "N,Mland,town,1,1\n"
                             "B,Mland,border,0,2\n"
                             "D,Usland,destination,0,3\n"
                             "D2,Usland,destination,5,5\n"
                             "T,Mland,town,2,0\n"
                             "Mp,Mland,town,2,1\n"
                             "P,Mland,town,2,2\n";
static const char links[] = "from,to,distance_km,mode\n"
                            "A,M,20,foot\n"
                            "A,N,20,foot\n"
                            "M,B,2000,bus\n"
                            "N,B,100,bus\n"
                            "B,D,10,foot\n"
                            "A,D2,3000,air\n"
                            "T,Mp,105,foot\n"
                            "Mp,P,43,foot\n"
                            "P,D,10,foot\n";
#define HEAD                                                                                   \
    "start_date: 2023-01-01\n"                                                                 \
    "days: 40\n"                                                                               \
    "network: {places: places.csv, links: links.csv}\n"                                        \
    "nationalities: [X, Y]\n"                                                                  \
    "sources:\n"                                                                               \
    "  - {place: A, nationality: X, rate: 500}\n"                                              \
    "  - {place: A, nationality: Y, rate: 300}\n"                                              \
    "movement: {move_probability: {origin: 1, town: 1, camp: 1, border: 1}, lookahead_steps: 0}\n"

static void setup(void)
{
    tmp_dir_make(dir, sizeof dir, "migsim-policy");
    write_file("places.csv", places);
    write_file("links.csv", links);
}

static void teardown(void)
{
    tmp_dir_remove(dir);
}

static void world(const char *yaml, const char *const *over, size_t n_over, int threads, mig_ctx **ctx,
                  mig_config **cfg, mig_world **w)
{
    char path[512];
    write_file("s.yaml", yaml);
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    test_world(path, over, n_over, threads, ctx, cfg, w);
}

static int64_t *var(const mig_world *w, const char *name)
{
    int i = mig_obs_find(w->obs, name);
    cr_assert_geq(i, 0, "no variable %s", name);
    return w->obs->vars[i].day;
}

static uint32_t link_of(const mig_world *w, const char *from, const char *to)
{
    int64_t f = mig_network_place(w->net, from), t = mig_network_place(w->net, to), l = -1;
    if (f >= 0 && t >= 0)
        l = mig_network_link(w->net, (uint32_t)f, (uint32_t)t);
    cr_assert_geq(l, 0, "no link %s -> %s", from, to);
    return (uint32_t)l;
}

static uint32_t place(const mig_world *w, const char *name)
{
    int64_t p = mig_network_place(w->net, name);
    cr_assert_geq(p, 0);
    return (uint32_t)p;
}

TestSuite(policy, .init = setup, .fini = teardown);

Test(policy, closure_gives_zero_flow_for_its_days)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    uint32_t am, mb, m;
    int64_t *back;
    world(HEAD "packages:\n"
               "  - name: shut\n"
               "    interventions:\n"
               "      - {name: a-m, type: closure, links: [\"A -> M\"], from: 2023-01-05, to: 2023-01-10,\n"
               "         basis: test}\n"
               "      - {name: m-b, type: closure, links: [\"M -> B\"], on_link: return, from: 2023-01-06,\n"
               "         to: 2023-01-06, basis: test}\n",
          NULL, 0, 2, &ctx, &cfg, &w);
    am = link_of(w, "A", "M");
    mb = link_of(w, "M", "B");
    m = place(w, "M");
    back = var(w, "policy_turned_back");
    for (uint32_t day = 0; day < 20; day++) {
        int64_t on_mb = 0;
        for (size_t i = 0; i < w->agents->n; i++)
            on_mb += w->agents->state[i] == MIG_AGENT_ON_LINK && w->agents->loc[i] == mb;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        if (day >= 4 && day <= 9)
            cr_assert_eq(w->v_flow[am], 0, "day %u: A -> M is closed", day);
        else
            cr_assert_gt(w->v_flow[am], 100, "day %u: A -> M is open", day);
        /* return: everyone on M -> B when it closes goes back to M, and nobody sets off */
        if (day == 5) {
            cr_assert_gt(on_mb, 0);
            cr_assert_eq(back[1 * w->net->n_places + m], on_mb, "day 5: all %lld on M -> B returned",
                         (long long)on_mb);
            cr_assert_eq(w->v_flow[mb], 0);
        } else {
            cr_assert_eq(back[1 * w->net->n_places + m], 0);
        }
    }
    test_world_free(&ctx, &cfg, &w);
}

static void assert_binomial(int64_t k, int64_t n, double p, const char *what)
{
    double sd = sqrt((double)n * p * (1 - p));
    cr_assert_leq(fabs((double)k - (double)n * p), 4 * sd + 1, "%s: %lld of %lld, expected p = %g (4 sd = %g)",
                  what, (long long)k, (long long)n, p, 4 * sd);
}

Test(policy, enforcement_is_binomial_and_detention_lasts_its_days)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t *app, *det, *dep, *rel, a_hist[40] = { 0 }, passages = 0, apprehended = 0, deported = 0, out = 0;
    uint32_t m, np;
    world(HEAD "packages:\n"
               "  - name: checks\n"
               "    interventions:\n"
               "      - {name: at-m, type: enforcement, places: [M], probability: 0.3, detention_days: 3,\n"
               "         deport: 0.25, release: 0.75, basis: test}\n",
          NULL, 0, 2, &ctx, &cfg, &w);
    app = var(w, "policy_apprehended");
    det = var(w, "policy_detained");
    dep = var(w, "policy_deported");
    rel = var(w, "policy_released");
    m = place(w, "M");
    np = w->net->n_places;
    for (uint32_t day = 0; day < 40; day++) {
        int64_t held = 0;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        a_hist[day] = app[m];
        passages += w->v_arrivals[m * 2] + w->v_arrivals[m * 2 + 1];
        apprehended += app[m];
        deported += dep[m];
        out += dep[m] + rel[m];
        /* held on days s .. s + 2, let go on day s + 3 */
        cr_assert_eq(dep[m] + rel[m], day >= 3 ? a_hist[day - 3] : 0, "day %u: releases", day);
        for (uint32_t d = day >= 2 ? day - 2 : 0; d <= day; d++)
            held += a_hist[d];
        cr_assert_eq(det[m], held, "day %u: detained", day);
        for (uint32_t p = 0; p < np; p++)
            if (p != m)
                cr_assert_eq(app[p], 0);
    }
    cr_assert_gt(passages, 10000);
    assert_binomial(apprehended, passages, 0.3, "apprehended at M");
    assert_binomial(deported, out, 0.25, "deported of those let go");
    test_world_free(&ctx, &cfg, &w);
}

Test(policy, quota_is_never_exceeded)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t *used, *back, month_used = 0;
    uint32_t a, am;
    int full_days = 0;
    world(HEAD "packages:\n"
               "  - name: legal\n"
               "    interventions:\n"
               "      - {name: am, type: quota, links: [\"A -> M\"], nationalities: [X], per_day: 37,\n"
               "         per_month: 600, basis: test}\n",
          NULL, 0, 2, &ctx, &cfg, &w);
    used = var(w, "policy_quota_used");
    back = var(w, "policy_turned_back");
    a = place(w, "A");
    am = link_of(w, "A", "M");
    for (uint32_t day = 0; day < 40; day++) {
        int64_t cap;
        if (day == 31)
            month_used = 0; /* February */
        cap = 600 - month_used < 37 ? 600 - month_used : 37;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        cr_assert_leq(used[a], cap, "day %u: %lld admitted, cap %lld", day, (long long)used[a], (long long)cap);
        if (back[a] > 0) {
            cr_assert_eq(used[a], cap, "day %u: turned back only when the cap is reached", day);
            full_days++;
        }
        /* Y is not under the quota: the flow is X admitted plus Y */
        cr_assert_geq(w->v_flow[am], used[a]);
        month_used += used[a];
        cr_assert_leq(month_used, 600);
    }
    cr_assert_gt(full_days, 20);
    cr_assert_eq(month_used, 9 * 37, "February: 9 days of 37");
    test_world_free(&ctx, &cfg, &w);
}

Test(policy, family_members_are_always_at_the_same_place)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t grouped = 0, slow_groups = 0;
    world(HEAD "groups: {family_share: 0.6, family_size: 3, slow_share: 0.3, slow_pace: 0.5}\n"
               "packages:\n"
               "  - name: p\n"
               "    interventions:\n"
               "      - {name: checks, type: enforcement, places: [M, N], probability: 0.4, detention_days: 2,\n"
               "         deport: 0.3, bus_south: 0.3, bus_to: N, release: 0.4, basis: test}\n"
               "      - {name: shut, type: closure, links: [\"N -> B\"], on_link: wait, from: 2023-01-08,\n"
               "         to: 2023-01-12, basis: test}\n",
          NULL, 0, 2, &ctx, &cfg, &w);
    for (uint32_t day = 0; day < 40; day++) {
        uint32_t ng;
        int64_t *first;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        ng = w->n_groups;
        first = malloc((ng ? ng : 1) * sizeof *first);
        for (uint32_t g = 0; g < ng; g++)
            first[g] = -1;
        for (size_t i = 0; i < w->agents->n; i++) {
            uint32_t g = w->agents->group[i];
            size_t f;
            if (g == MIG_NO_GROUP)
                continue;
            grouped++;
            if (first[g] < 0) {
                first[g] = (int64_t)i;
                continue;
            }
            f = (size_t)first[g];
            cr_assert_eq(w->agents->state[i], w->agents->state[f], "day %u: group %u state", day, g);
            cr_assert_eq(w->agents->loc[i], w->agents->loc[f], "day %u: group %u place", day, g);
            cr_assert_eq(w->agents->progress[i], w->agents->progress[f], "day %u: group %u progress", day, g);
        }
        free(first);
    }
    for (uint32_t g = 0; g < w->n_groups; g++)
        slow_groups += w->group_pace[g] < 1.0f;
    cr_assert_gt(grouped, 1000);
    /* P(a family of 3 has a slow member) = 1 - 0.7^3 = 0.657 */
    assert_binomial(slow_groups, w->n_groups, 0.657, "families with a slow member");
    test_world_free(&ctx, &cfg, &w);
}

/* Runs days with the given overrides; copies every observation of every day into out. */
static size_t run_all(const char *yaml, const char *const *over, size_t n_over, uint32_t days, int64_t **out)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    size_t per_day = 0, k = 0;
    world(yaml, over, n_over, 2, &ctx, &cfg, &w);
    for (size_t v = 0; v < w->obs->n_vars; v++)
        per_day += w->obs->vars[v].size;
    *out = malloc(per_day * days * sizeof **out);
    for (uint32_t day = 0; day < days; day++) {
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        for (size_t v = 0; v < w->obs->n_vars; v++)
            for (size_t j = 0; j < w->obs->vars[v].size; j++)
                (*out)[k++] = w->obs->vars[v].day[j];
    }
    test_world_free(&ctx, &cfg, &w);
    return k;
}

Test(policy, package_switched_off_restores_the_baseline)
{
    static const char pk[] = HEAD "groups: {family_share: 0.5, family_size: 2}\n"
                                  "packages:\n"
                                  "  - name: all\n"
                                  "    interventions:\n"
                                  "      - {name: e, type: enforcement, places: [M], probability: 0.5, basis: t}\n"
                                  "      - {name: o, type: origin, places: [A], factor: 0.5, basis: t}\n"
                                  "      - {name: v, type: visa, modes: [air], nationalities: [Y], basis: t}\n";
    static const char base[] = HEAD "groups: {family_share: 0.5, family_size: 2}\n";
    const char *off[] = { "packages[all].enabled=false" };
    int64_t *a, *b, *c;
    size_t na = run_all(base, NULL, 0, 30, &a), nb = run_all(pk, off, 1, 30, &b), nc = run_all(pk, NULL, 0, 30, &c);
    cr_assert_eq(na, nb);
    cr_assert_arr_eq(a, b, na * sizeof *a, "every observation equal, every day");
    /* on, it changes the run (the comparison can fail); the policy variables then have
     * three interventions, so the sizes differ as well */
    cr_assert_neq(na, nc);
    free(a);
    free(b);
    free(c);
}

Test(policy, visa_origin_and_deterrence_are_exact)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    uint32_t d2, a, mb, am;
    int64_t x_air = 0;
    world(HEAD "packages:\n"
               "  - name: p\n"
               "    interventions:\n"
               "      - {name: visa, type: visa, modes: [air], nationalities: [Y], basis: t}\n"
               "      - {name: halve, type: origin, countries: [Aland], nationalities: [X], factor: 0.5,\n"
               "         from: 2023-01-11, basis: t}\n"
               "      - {name: stay, type: deterrence, places: [M], factor: 0.0, from: 2023-01-16, basis: t}\n"
               "      - {name: avoid, type: deterrence, links: [\"A -> M\"], route_factor: 0.0, from: 2023-01-21,\n"
               "         basis: t}\n",
          NULL, 0, 2, &ctx, &cfg, &w);
    d2 = place(w, "D2");
    a = place(w, "A");
    mb = link_of(w, "M", "B");
    am = link_of(w, "A", "M");
    for (uint32_t day = 0; day < 40; day++) {
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        cr_assert_eq(w->v_arrivals[d2 * 2 + 1], 0, "day %u: Y may not fly", day);
        x_air += w->v_arrivals[d2 * 2];
        cr_assert_eq(w->v_spawned[a * 2], day < 10 ? 500 : 250, "day %u: X departures", day);
        cr_assert_eq(w->v_spawned[a * 2 + 1], 300, "day %u: Y departures", day);
        if (day >= 15)
            cr_assert_eq(w->v_flow[mb], 0, "day %u: nobody leaves M", day);
        if (day >= 20)
            cr_assert_eq(w->v_flow[am], 0, "day %u: nobody heads for M", day);
    }
    cr_assert_gt(x_air, 0);
    test_world_free(&ctx, &cfg, &w);
}

#define CARAVAN                                                                                \
    "caravans:\n"                                                                              \
    "  - {name: c, place: T, date: 2023-01-03, size: 50, nationalities: [X, Y], shares: [3, 2],\n" \
    "     route: [T, Mp, P], speed_km_day: 11.7, dissolve_days: 9, dissolve_km: 105, basis: t}\n"

Test(policy, caravan_walks_at_its_speed_and_dissolves_on_its_day)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t *car;
    uint32_t t, mp, tm;
    world(HEAD CARAVAN, NULL, 0, 2, &ctx, &cfg, &w);
    car = var(w, "caravan_members");
    t = place(w, "T");
    mp = place(w, "Mp");
    tm = link_of(w, "T", "Mp");
    for (uint32_t day = 0; day < 16; day++) {
        int64_t members = 0, at_mp = w->v_arrivals[mp * 2] + w->v_arrivals[mp * 2 + 1];
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        at_mp = w->v_arrivals[mp * 2] + w->v_arrivals[mp * 2 + 1];
        for (uint32_t p = 0; p < w->net->n_places; p++)
            members += car[p];
        if (day == 2) {
            cr_assert_eq(w->v_spawned[t * 2], 30, "3:2 of 50");
            cr_assert_eq(w->v_spawned[t * 2 + 1], 20);
            cr_assert_eq(w->v_flow[tm], 50, "all 50 set off together");
        }
        /* 11.7 km a day: 105 km take 9 days (day 2 .. 10), arriving on day 10 */
        cr_assert_eq(at_mp, day == 10 ? 50 : 0, "day %u: arrivals at Mp", day);
        /* walking days 2 .. 10 (9 days, 105 km); it dissolves at the start of day 11 */
        cr_assert_eq(members, day >= 2 && day <= 10 ? 50 : 0, "day %u: caravan members", day);
        if (day >= 2 && day < 10)
            cr_assert_eq(car[t], 50, "day %u: counted at the place last left", day);
    }
    cr_assert_eq(w->caravans->list[0].dissolved_day, cfg->start_day + 11);
    test_world_free(&ctx, &cfg, &w);
}

Test(policy, caravan_dissolving_early_leaves_members_at_their_own_pace)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t *car;
    uint32_t mp;
    const char *over[] = { "caravans[0].dissolve_days=4" };
    world(HEAD CARAVAN, over, 1, 2, &ctx, &cfg, &w);
    car = var(w, "caravan_members");
    mp = place(w, "Mp");
    for (uint32_t day = 0; day < 16; day++) {
        int64_t members = 0;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        for (uint32_t p = 0; p < w->net->n_places; p++)
            members += car[p];
        cr_assert_eq(members, day >= 2 && day <= 5 ? 50 : 0, "day %u: members", day);
        /* 4 x 11.7 = 46.8 km, then 25 km a day on foot: 71.8, 96.8, 121.8 -> day 8 */
        cr_assert_eq(w->v_arrivals[mp * 2] + w->v_arrivals[mp * 2 + 1], day == 8 ? 50 : 0, "day %u: at Mp", day);
    }
    test_world_free(&ctx, &cfg, &w);
}

/* A caravan's size is persons: a model with 0.02 agents per person (corridor.scale) makes the
 * 50 of CARAVAN one agent, 0.5 makes 25 (rounded), 0.001 still one. */
Test(policy, caravan_size_is_persons_scaled_by_the_models_agents_per_person)
{
    const double per[] = { 0.5, 0.02, 0.001, 1.0 };
    const int64_t want[] = { 25, 1, 1, 50 };
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    world(HEAD CARAVAN, NULL, 0, 1, &ctx, &cfg, &w);
    cr_assert_eq(w->caravans->list[0].size, 50);
    for (size_t k = 0; k < sizeof per / sizeof *per; k++) {
        mig_obs *obs = NULL;
        mig_caravans *cs = NULL;
        cfg->agents_per_person = per[k];
        cr_assert_eq(mig_obs_create(w->net->n_places, w->net->n_links, cfg->n_nationalities, &obs), MIG_OK);
        cr_assert_eq(mig_caravan_create(cfg, w->net, obs, ctx, &cs), MIG_OK);
        cr_assert_eq(cs->list[0].size, want[k], "%g agents per person", per[k]);
        mig_caravan_destroy(&cs);
        mig_obs_destroy(&obs);
    }
    test_world_free(&ctx, &cfg, &w);
}

/* Bad input: the first error's exact text, which names file (under dir). */
static void expect_error_in(const char *yaml, const char *file, const char *want_suffix)
{
    mig_ctx *ctx;
    mig_config *cfg = NULL;
    mig_world *w = NULL;
    char path[512];
    mig_status st;
    const char *got;
    write_file("bad.yaml", yaml);
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    ctx->level = MIG_LOG_QUIET;
    st = mig_config_load(path, NULL, 0, ctx, &cfg);
    if (st == MIG_OK)
        st = mig_world_create(cfg, ctx, &w);
    cr_assert_neq(st, MIG_OK, "accepted: %s", yaml);
    cr_assert_geq(mig_ctx_n_errors(ctx), 1);
    got = mig_ctx_error_at(ctx, 0);
    cr_assert(strlen(got) >= strlen(want_suffix) && strcmp(got + strlen(got) - strlen(want_suffix), want_suffix) == 0,
              "got \"%s\", want ...\"%s\"", got, want_suffix);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    cr_assert(strncmp(got, path, strlen(path)) == 0, "names the file: %s", got);
    mig_world_destroy(&w);
    mig_config_destroy(&cfg);
    mig_ctx_destroy(&ctx);
}

static void expect_error(const char *yaml, const char *want_suffix)
{
    expect_error_in(yaml, "bad.yaml", want_suffix);
}

Test(policy, bad_input_names_file_line_and_field)
{
    expect_error(HEAD "packages:\n  - name: p\n    interventions:\n"
                      "      - {name: a, type: enforcment, places: [M], probability: 0.1, basis: t}\n",
                 ":12:25: packages[0].interventions[0].type: unknown type \"enforcment\" (expected enforcement, "
                 "closure, quota, visa, origin, deterrence, expulsion or enforcement_target)");
    expect_error(HEAD "packages:\n  - name: p\n    interventions:\n"
                      "      - {name: a, type: closure, places: [Nowhere], basis: t}\n",
                 ":12:43: packages[0].interventions[0].places[0]: unknown place \"Nowhere\" (expected one of: A, M, N, B, D, D2, T, Mp, P)");
    expect_error(HEAD "packages:\n  - name: p\n    interventions:\n"
                      "      - {name: a, type: closure, links: [\"A -> B\"], basis: t}\n",
                 ":12:42: packages[0].interventions[0].links[0]: no link \"A -> B\" in the network (write "
                 "\"from -> to\"; did you mean \"A -> M\"?)");
    expect_error(HEAD "packages:\n  - name: p\n    interventions:\n"
                      "      - {name: a, type: closure, places: [M], probability: 0.5, basis: t}\n",
                 ":12:60: packages[0].interventions[0].probability: not used by an intervention of type closure");
    expect_error(HEAD "packages:\n  - name: p\n    interventions:\n"
                      "      - {name: a, type: enforcement, places: [M], probability: 0.5, deport: 0.5,\n"
                      "         release: 0.4, basis: t}\n",
                 ":12:9: packages[0].interventions[0]: deport + bus_south + release must be 1, got 0.9");
    expect_error(HEAD "packages:\n  - name: p\n    interventions:\n"
                      "      - {name: a, type: quota, places: [M], per_dya: 5, basis: t}\n",
                 ":12:45: packages[0].interventions[0].per_dya: unknown key (did you mean \"per_day\"?)");
    expect_error(HEAD "packages:\n  - name: p\n    file: missing.yaml\n",
                 "missing.yaml\": No such file or directory");
}

Test(policy, package_file_and_name_index_in_set)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    const char *over[] = { "packages[wg].interventions[checks].probability=0.25" };
    write_file("wg.yaml", "name: wg\n"
                          "description: a package in its own file\n"
                          "interventions:\n"
                          "  - {name: checks, type: enforcement, places: [M], probability: 0.5, basis: t}\n");
    world(HEAD "packages:\n  - {file: wg.yaml, enabled: true}\n", over, 1, 1, &ctx, &cfg, &w);
    cr_assert_eq(cfg->n_packages, 1);
    cr_assert_str_eq(cfg->packages[0].name, "wg");
    cr_assert_float_eq(cfg->packages[0].interventions[0].probability, 0.25, 0);
    cr_assert_str_eq(w->policy->label[0], "wg/checks");
    cr_assert(strstr(mig_config_where(cfg, "packages[0].interventions[0].type"), "/wg.yaml:4:") != NULL,
              "%s", mig_config_where(cfg, "packages[0].interventions[0].type"));
    test_world_free(&ctx, &cfg, &w);
}

/* ---- enforcement_target ------------------------------------------------------------------ */

/* Monthly targets on arrivals at M (about half of 800 a day arrive there): 100 a day in
 * January, 200 in February, 50 in March, so no fixed probability meets all three. */
static const char targets_csv[] = "start,end,total,source,note\n"
                                  "2023-01-01,2023-01-31,3100,test,100 a day\n"
                                  "2023-02-01,2023-02-28,5600,test,200 a day\n"
                                  "2023-03-01,2023-03-31,1550,test,50 a day\n";
#define TARGET_HEAD                                                                            \
    HEAD "packages:\n"                                                                          \
         "  - name: inm\n"                                                                      \
         "    interventions:\n"

/* Runs days with threads; apprehended[day * n_iv + iv] (all places) and p in millionths alike. */
static void run_target(const char *yaml, int threads, uint32_t days, int64_t *apprehended, int64_t *p_micro)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    const char *over[] = { "days=90" };
    int64_t *app, *p;
    write_file("targets.csv", targets_csv);
    world(yaml, over, 1, threads, &ctx, &cfg, &w);
    app = var(w, "policy_apprehended");
    p = var(w, "policy_target_probability");
    for (uint32_t day = 0; day < days; day++) {
        const uint32_t n_iv = w->policy->n_iv, np = w->net->n_places;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        for (uint32_t i = 0; i < n_iv; i++) {
            int64_t sum = 0;
            for (uint32_t q = 0; q < np; q++)
                sum += app[(size_t)i * np + q];
            apprehended[(size_t)day * n_iv + i] = sum;
            p_micro[(size_t)day * n_iv + i] = p[i];
        }
    }
    test_world_free(&ctx, &cfg, &w);
}

/* |achieved - target| <= 4 sqrt(target) + 1: the binomial bound of the last day's draws, far
 * wider than the controller's error and far narrower than a fixed probability's. */
static void assert_month(const int64_t *app, uint32_t n_iv, uint32_t iv, uint32_t d0, uint32_t d1, double target,
                         const char *what)
{
    int64_t got = 0;
    for (uint32_t d = d0; d <= d1; d++)
        got += app[(size_t)d * n_iv + iv];
    cr_assert_leq(fabs((double)got - target), 4 * sqrt(target) + 1, "%s: %lld apprehended, target %g", what,
                  (long long)got, target);
}

Test(policy, enforcement_target_meets_each_months_target)
{
    static const char yaml[] = TARGET_HEAD "      - {name: t, type: enforcement_target, places: [M], targets: "
                                           "targets.csv, basis: t}\n";
    static int64_t app[90], p[90];
    run_target(yaml, 2, 90, app, p);
    assert_month(app, 1, 0, 0, 30, 3100, "January");
    assert_month(app, 1, 0, 31, 58, 5600, "February");
    assert_month(app, 1, 0, 59, 89, 1550, "March");
    cr_assert_eq(p[0], 0, "first day: no passages seen yet, p = 0");
    cr_assert_gt(p[40], 0);
}

Test(policy, enforcement_target_suspended_gives_zero_and_resumes)
{
    /* in force to 2023-01-20, suspended 21 - 25, again from 2023-01-26 */
    static const char yaml[] = TARGET_HEAD
        "      - {name: a, type: enforcement_target, places: [M], targets: targets.csv, to: 2023-01-20, basis: t}\n"
        "      - {name: b, type: enforcement_target, places: [M], targets: targets.csv, from: 2023-01-26, basis: t}\n";
    static int64_t app[60 * 2], p[60 * 2];
    run_target(yaml, 2, 60, app, p);
    for (uint32_t d = 20; d <= 24; d++)
        cr_assert_eq(app[d * 2] + app[d * 2 + 1], 0, "day %u: suspended", d);
    for (uint32_t d = 0; d < 60; d++) {
        if (d >= 20)
            cr_assert_eq(app[d * 2], 0, "day %u: a has ended", d);
        if (d < 25)
            cr_assert_eq(app[d * 2 + 1], 0, "day %u: b has not begun", d);
    }
    /* b's first day has seen no passages (p = 0), then it makes up January 26 - 31 */
    cr_assert_eq(p[25 * 2 + 1], 0);
    cr_assert_gt(app[26 * 2 + 1], 0, "resumed");
    assert_month(app, 2, 0, 0, 19, 2000, "a, January 1 - 20");
    assert_month(app, 2, 1, 25, 30, 600, "b, January 26 - 31");
    assert_month(app, 2, 1, 31, 58, 5600, "b, February");
}

Test(policy, enforcement_target_is_thread_count_free)
{
    static const char yaml[] = TARGET_HEAD "      - {name: t, type: enforcement_target, places: [M], targets: "
                                           "targets.csv, scale: 0.5, detention_days: 3, deport: 0.5, "
                                           "release: 0.5, basis: t}\n";
    static int64_t a1[40], p1[40], a2[40], p2[40];
    int64_t total = 0;
    run_target(yaml, 1, 40, a1, p1);
    run_target(yaml, 2, 40, a2, p2);
    cr_assert_arr_eq(a1, a2, sizeof a1, "daily apprehensions equal for 1 and 2 threads");
    cr_assert_arr_eq(p1, p2, sizeof p1, "daily probabilities equal for 1 and 2 threads");
    for (uint32_t d = 0; d < 31; d++)
        total += a1[d];
    cr_assert_gt(total, 0);
    assert_month(a1, 1, 0, 0, 30, 1550, "January at scale 0.5");
}

Test(policy, enforcement_target_bad_input_names_file_line_and_field)
{
    expect_error(TARGET_HEAD "      - {name: t, type: enforcement_target, places: [M], basis: t}\n",
                 ":12:9: packages[0].interventions[0]: missing targets: a series CSV of apprehensions per period "
                 "(start, end, total)");
    write_file("bad_targets.csv", "start,end,total\n2023-01-01,2023-01-31,3100\n2023-02-01,2023-02-28,many\n");
    expect_error_in(TARGET_HEAD "      - {name: t, type: enforcement_target, places: [M], targets: bad_targets.csv, "
                                "basis: t}\n",
                    "bad_targets.csv", "bad_targets.csv:3:3: total: expected a non-negative number, got \"many\"");
    expect_error(TARGET_HEAD "      - {name: t, type: enforcement_target, places: [M], targets: targets.csv, "
                             "probability: 0.5, basis: t}\n",
                 ":12:93: packages[0].interventions[0].probability: not used by an intervention of type "
                 "enforcement_target");
}
