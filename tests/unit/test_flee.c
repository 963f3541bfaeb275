/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_flee.c: the flee model's rules, each against analytic values, on a five-place Flee
 * folder (tests/data/flee/tiny: conflict zones A and D, town B, camps C (capacity 100) and E
 * abroad; routes A-B 100 km, B-C 50, D-B 300, C-E 10; link A-B closed on days 3 and 4;
 * registrations at C and E, E's corrected on 2024-01-06), imported by scripts/import_flee.py
 * into tests/data/flee/tiny.yaml. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../test_util.h"
#include "mig_model_flee.h"
#include "mig_rng.h"
#include "mig_step.h"

#define TINY MIGSIM_TEST_DATA "/flee/tiny.yaml"

/* Agent slot i's day with its keyed first decision, as the decide phase draws it. */
static void agent_day(mig_world *w, size_t i, uint32_t day)
{
    const mig_flee_state *s = w->model_state;
    const mig_rng_words r = mig_rng_draw4(s->seed, w->agents->id[i], day, MIG_RNG_MODEL, 0);
    mig_flee_agent_day(s, w, i, day, r.w);
}

static uint32_t place(const mig_world *w, const char *name)
{
    int64_t p = mig_network_place(w->net, name);
    cr_assert_geq(p, 0, "no place %s", name);
    return (uint32_t)p;
}

static uint32_t link_of(const mig_world *w, const char *from, const char *to)
{
    int64_t l = mig_network_link(w->net, place(w, from), place(w, to));
    cr_assert_geq(l, 0, "no link %s -> %s", from, to);
    return (uint32_t)l;
}

Test(flee, decay_by_30_day_intervals)
{
    double decay[] = { 1.0, 1.0, 1.0, 0.5, 0.1 };
    mig_flee_cfg c = { .spawn_decay = decay, .n_spawn_decay = 5, .spawn_decay_interval = 30 };
    const int32_t day[] = { 0, 29, 30, 89, 90, 119, 120, 1000 };
    const double want[] = { 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.1, 0.1 };
    for (size_t i = 0; i < sizeof day / sizeof day[0]; i++)
        cr_assert_float_eq(mig_flee_decay(&c, day[i]), want[i], 1e-15, "day %d", day[i]);
}

Test(flee, spawn_count_is_the_rise_with_debt_carried)
{
    /* camps' totals 100, 150, 120, 130, 200: spawn 50; a fall of 30 is owed; 10 pays part of
     * it (20 owed); 70 less 20 spawns 50 and clears the debt */
    const int64_t total[] = { 100, 150, 120, 130, 200 }, want[] = { 50, 0, 0, 50 }, want_debt[] = { 0, 30, 20, 0 };
    int64_t debt = 0, n;
    for (int t = 1; t < 5; t++) {
        mig_flee_spawn_count(&total[t], &total[t - 1], &debt, &n);
        cr_assert_eq(n, want[t - 1], "day %d", t);
        cr_assert_eq(debt, want_debt[t - 1], "day %d", t);
    }
}

Test(flee, spawned_each_day_follows_the_registrations)
{
    /* D_C: 10, 20, 30, 25, 20, 30, 40, 50, 60, 70; D_E after normalize (points before day 5
     * halved: 0, 20 on days 0, 3, then 20): 0, 6, 13, 20, 20, ...; totals 10, 26, 43, 45, 40,
     * 50, 60, 70, 80, 90: day 4's fall of 5 is a debt paid on day 5 */
    const int64_t want[] = { 10, 26, 43, 45, 45, 50, 60, 70, 80, 90 };
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    test_world(TINY, NULL, 0, 1, &ctx, &cfg, &w);
    for (uint32_t day = 0; day < 10; day++) {
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        cr_assert_eq(*w->v_total_spawned, want[day], "day %u: %lld spawned", day, (long long)*w->v_total_spawned);
        if (day == 0)
            cr_assert_eq(w->v_spawned[place(w, "C")], 10, "day 0: C's registrations placed in it");
        if (day == 1) /* D is no conflict zone before day 2: all 16 come from A */
            cr_assert_eq(w->v_spawned[place(w, "A")], 16);
    }
    /* C's capacity 100 is lowered by its 10 day-0 registrations */
    cr_assert_eq(w->net->place_capacity[place(w, "C")], 90);
    test_world_free(&ctx, &cfg, &w);
}

Test(flee, places_move_chances_scores_and_closures)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    mig_flee_state *s;
    test_world(TINY, NULL, 0, 1, &ctx, &cfg, &w);
    s = w->model_state;
    mig_flee_places_day(s, w->net, 0);
    mig_flee_places_day(s, w->net, 1);
    mig_flee_places_day(s, w->net, 2);
    cr_assert_float_eq(s->movechance[place(w, "A")], 1.0, 1e-15);
    cr_assert_float_eq(s->movechance[place(w, "B")], 0.5, 1e-15);
    cr_assert_float_eq(s->movechance[place(w, "C")], 0.001, 1e-15);
    cr_assert_eq(s->camp[place(w, "C")], 1);
    cr_assert_eq(s->camp[place(w, "B")], 0);
    /* D: a conflict zone from day 2, intensity 0.5: (1 / sqrt 10)^(decay 1 x 0.5) */
    cr_assert_eq(s->onset[place(w, "D")], 2);
    cr_assert_float_eq(s->score[place(w, "D")], pow(10.0, -0.25), 1e-12);
    cr_assert_float_eq(s->score[place(w, "C")], 2.0, 1e-15, "a camp abroad: camp_weight 2 x foreign_weight 1");
    cr_assert_float_eq(s->score[place(w, "B")], 1.0, 1e-15);
    cr_assert_eq(s->link_closed[link_of(w, "A", "B")], 0);
    mig_flee_places_day(s, w->net, 3);
    cr_assert_eq(s->link_closed[link_of(w, "A", "B")], 1, "closed from day 3");
    cr_assert_eq(s->link_closed[link_of(w, "B", "A")], 1, "both ways");
    cr_assert_eq(s->link_closed[link_of(w, "B", "C")], 0);
    mig_flee_places_day(s, w->net, 5);
    cr_assert_eq(s->link_closed[link_of(w, "A", "B")], 0, "open again on day 5");
    test_world_free(&ctx, &cfg, &w);
}

Test(flee, path_weights_of_a_three_place_graph)
{
    const char *over[] = { "flee.awareness_level=2" };
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    mig_flee_state *s;
    uint16_t path[MIG_FLEE_MAX_AWARENESS];
    double w1, w2, w3, total;
    test_world(TINY, over, 1, 1, &ctx, &cfg, &w);
    s = w->model_state;
    mig_flee_places_day(s, w->net, 0);
    /* from A: [B] 1 / (10 + 100); [B, C] 2 / (10 + 150); [B, D] 1 / (10 + 400) (D not yet in conflict) */
    w1 = mig_flee_path_weight(s, w->cap_factor, place(w, "B"), 100.0);
    w2 = mig_flee_path_weight(s, w->cap_factor, place(w, "C"), 150.0);
    w3 = mig_flee_path_weight(s, w->cap_factor, place(w, "D"), 400.0);
    cr_assert_float_eq(w1, 1.0 / 110.0, 1e-15);
    cr_assert_float_eq(w2, 1.0 / 80.0, 1e-15);
    cr_assert_float_eq(w3, 1.0 / 410.0, 1e-15);
    total = w1 + w2 + w3;
    cr_assert_eq(mig_flee_select_path(s, w->net, w->cap_factor, place(w, "A"), w1 / total - 1e-9, path), 1);
    cr_assert_eq(path[0], place(w, "B"));
    cr_assert_eq(mig_flee_select_path(s, w->net, w->cap_factor, place(w, "A"), w1 / total + 1e-9, path), 2);
    cr_assert_eq(path[1], place(w, "C"));
    cr_assert_eq(mig_flee_select_path(s, w->net, w->cap_factor, place(w, "A"), (w1 + w2) / total + 1e-9, path), 2);
    cr_assert_eq(path[1], place(w, "D"));
    /* a camp at capacity weighs 0 */
    w->cap_factor[place(w, "C")] = 0.0;
    cr_assert_float_eq(mig_flee_path_weight(s, w->cap_factor, place(w, "C"), 150.0), 0.0, 1e-15);
    test_world_free(&ctx, &cfg, &w);
}

/* One agent spawned at A on day 0 of the tiny world, with its route, then its day. */
static void one_agent_day(mig_world *w, mig_ctx *ctx, uint32_t day, const char *r0, const char *r1, uint16_t travelled)
{
    mig_flee_state *s = w->model_state;
    size_t first;
    cr_assert_eq(mig_world_spawn(w, 1, place(w, "A"), 0, 0, 0, &first, ctx), MIG_OK);
    cr_assert_eq(mig_flee_grow_ids(s, w->agents), MIG_OK);
    s->route_len[w->agents->id[first]] = (uint8_t)((r0 != NULL) + (r1 != NULL));
    if (r0)
        s->route[w->agents->id[first] * MIG_FLEE_MAX_AWARENESS] = (uint16_t)place(w, r0);
    if (r1)
        s->route[w->agents->id[first] * MIG_FLEE_MAX_AWARENESS + 1] = (uint16_t)place(w, r1);
    s->travelled[w->agents->id[first]] = travelled;
    mig_flee_places_day(s, w->net, day);
    agent_day(w, first, day);
}

Test(flee, several_links_a_day_along_the_committed_path)
{
    /* on a route A -> B -> C at 200 km a day: A-B (100) leaves 100 km, B-C (50) is done the
     * same day; at C (camp, move chance 0 here) it stays */
    const char *over[] = { "flee.camp_movechance=0" };
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    test_world(TINY, over, 1, 1, &ctx, &cfg, &w);
    one_agent_day(w, ctx, 0, "B", "C", 2);
    cr_assert_eq(w->agents->state[0], MIG_AGENT_AT_PLACE);
    cr_assert_eq(w->agents->loc[0], place(w, "C"));
    cr_assert_float_eq(((mig_flee_state *)w->model_state)->recent[0], (0.0 + 150.0 / 200.0) / 2.0, 1e-6);
    test_world_free(&ctx, &cfg, &w);
}

Test(flee, first_link_on_foot)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    test_world(TINY, NULL, 0, 1, &ctx, &cfg, &w);
    one_agent_day(w, ctx, 0, "B", NULL, 1);
    cr_assert_eq(w->agents->state[0], MIG_AGENT_ON_LINK);
    cr_assert_eq(w->agents->loc[0], link_of(w, "A", "B"));
    cr_assert_float_eq(w->agents->progress[0], 35.0f, 1e-6, "max_walk_speed on the first link");
    test_world_free(&ctx, &cfg, &w);
}

Test(flee, avoid_short_stints_forces_a_move_at_a_town)
{
    /* arrived at B after 100 of 200 km: (0 + 100 / 200) / 2 = 0.25 < 0.5, so the agent must
     * move on from the town even with a move chance of 0.005 (the least that is not a camp's);
     * without the rule it stays (its keyed draw for that decision is above 0.005) */
    const char *over[] = { "flee.default_movechance=0.005", "flee.avoid_short_stints=false" };
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    test_world(TINY, over, 1, 1, &ctx, &cfg, &w);
    one_agent_day(w, ctx, 0, "B", NULL, 2);
    cr_assert(!(w->agents->state[0] == MIG_AGENT_AT_PLACE && w->agents->loc[0] == place(w, "B")),
              "forced on from B");
    test_world_free(&ctx, &cfg, &w);
    test_world(TINY, over, 2, 1, &ctx, &cfg, &w);
    one_agent_day(w, ctx, 0, "B", NULL, 2);
    cr_assert_eq(w->agents->state[0], MIG_AGENT_AT_PLACE);
    cr_assert_eq(w->agents->loc[0], place(w, "B"));
    test_world_free(&ctx, &cfg, &w);
}

Test(flee, a_closed_link_sends_the_agent_back)
{
    /* day 3: A-B is closed; an agent already on it reaches its end and is sent back to A */
    const char *over[] = { "flee.default_movechance=0", "flee.avoid_short_stints=false" };
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    mig_flee_state *s;
    size_t first;
    test_world(TINY, over, 2, 1, &ctx, &cfg, &w);
    s = w->model_state;
    cr_assert_eq(mig_world_spawn(w, 1, place(w, "A"), 0, 0, 0, &first, ctx), MIG_OK);
    cr_assert_eq(mig_flee_grow_ids(s, w->agents), MIG_OK);
    w->agents->state[0] = MIG_AGENT_ON_LINK;
    w->agents->loc[0] = link_of(w, "A", "B");
    w->agents->progress[0] = 50.0f;
    s->travelled[0] = 2;
    mig_flee_places_day(s, w->net, 3);
    agent_day(w, 0, 3);
    cr_assert_eq(w->agents->state[0], MIG_AGENT_AT_PLACE);
    cr_assert_eq(w->agents->loc[0], place(w, "A"), "back at the link's start");
    /* and a route through the closed link is dropped: the agent stays */
    s->route_len[0] = 1;
    s->route[0] = (uint16_t)place(w, "B");
    agent_day(w, 0, 3);
    cr_assert_eq(w->agents->state[0], MIG_AGENT_AT_PLACE);
    cr_assert_eq(s->route_len[0], 0);
    test_world_free(&ctx, &cfg, &w);
}

Test(flee, an_agent_heading_to_a_full_camp_stays)
{
    const char *over[] = { "flee.camp_movechance=0" };
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    mig_flee_state *s;
    test_world(TINY, over, 1, 1, &ctx, &cfg, &w);
    s = w->model_state;
    w->cap_factor[place(w, "C")] = 0.49; /* below MIG_CAPACITY_FULL */
    one_agent_day(w, ctx, 0, "B", "C", 2);
    cr_assert_eq(w->agents->state[0], MIG_AGENT_AT_PLACE);
    cr_assert_eq(w->agents->loc[0], place(w, "A"));
    cr_assert_eq(s->route_len[0], 0, "the route is dropped");
    test_world_free(&ctx, &cfg, &w);
}

Test(flee, same_result_for_any_thread_count)
{
    int64_t occ[2][5];
    for (int t = 0; t < 2; t++) {
        mig_ctx *ctx;
        mig_config *cfg;
        mig_world *w;
        test_world(TINY, NULL, 0, t + 1, &ctx, &cfg, &w);
        for (uint32_t day = 0; day < 10; day++)
            cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        for (uint32_t p = 0; p < 5; p++)
            occ[t][p] = w->v_occupancy[p];
        test_world_free(&ctx, &cfg, &w);
    }
    cr_assert_arr_eq(occ[0], occ[1], sizeof occ[0]);
}

/* n agents of the tiny world placed at place `at`, or on link from -> to at km progress,
 * each with a route to `dest` (NULL: none) and places_travelled 2; the first slot in *first. */
static void place_agents(mig_world *w, mig_ctx *ctx, size_t n, const char *from, const char *to, float km,
                         const char *dest, size_t *first)
{
    mig_flee_state *s = w->model_state;
    cr_assert_eq(mig_world_spawn(w, n, place(w, from), 0, 0, 0, first, ctx), MIG_OK);
    cr_assert_eq(mig_flee_grow_ids(s, w->agents), MIG_OK);
    for (size_t i = *first; i < *first + n; i++) {
        const uint32_t k = w->agents->id[i];
        if (to) {
            w->agents->state[i] = MIG_AGENT_ON_LINK;
            w->agents->loc[i] = link_of(w, from, to);
            w->agents->progress[i] = km;
        }
        s->travelled[k] = 2;
        s->route_len[k] = dest != NULL;
        if (dest)
            s->route[k * MIG_FLEE_MAX_AWARENESS] = (uint16_t)place(w, dest);
    }
}

static int by_key(const void *x, const void *y)
{
    const uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Camp C (capacity 104, scaling 1, buffer 0.9: factor 1 - (n - 93.6) / 10.4, at least 0.5 up
 * to n = 98.8) holds 93 in the morning; 20 agents arrive at B from A with distance left and
 * set off for C late in the day, and n_a more on link B-C arrive at C today (they set off
 * earlier: never refused). Flee's rule, replayed here in the order of the keyed priorities
 * (seed, id, day, MIG_RNG_MODEL + 2) << 32 | id: a late one is admitted while the count is
 * at most 98, and every admitted arrival adds 1. With n_a = 0 exactly 6 = 98 + 1 - 93 of the
 * 20 are admitted, those of the 6 smallest priorities. Refused ones are back at B without a
 * route; the same set for 1 and 2 threads. */
static void admit_case(int threads, size_t n_a, int admitted[23])
{
    const char *over[] = { "flee.camp_movechance=0" };
    const uint32_t day = 5, c_place = 2;
    uint64_t keys[23], order[23];
    int late[23];
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    mig_flee_state *s;
    size_t c0, a0, l0, n = n_a + 20, n_in = 0;
    int64_t count = 93;
    test_world(TINY, over, 1, threads, &ctx, &cfg, &w);
    s = w->model_state;
    cr_assert_eq(place(w, "C"), c_place);
    w->net->place_capacity[c_place] = 104;
    cr_assert_eq(mig_flee_admit_limit(w, c_place), 98);
    place_agents(w, ctx, 93, "C", NULL, 0.0f, NULL, &c0);
    place_agents(w, ctx, 20, "A", "B", 99.0f, "C", &l0);
    if (n_a)
        place_agents(w, ctx, n_a, "B", "C", 49.0f, NULL, &a0);
    mig_flee_places_day(s, w->net, day);
    w->cap_factor[c_place] = 1.0; /* the morning's factor (C at 93) */
    w->place_count[c_place] = 93;
    for (size_t j = 0; j < n; j++) {
        const size_t i = l0 + j;
        const mig_rng_words r = mig_rng_draw4(s->seed, w->agents->id[i], day, MIG_RNG_MODEL, 0);
        const uint32_t u[2] = { r.w[0], r.w[1] };
        s->late_camp[w->agents->id[i]] = s->arrived_camp[w->agents->id[i]] = MIG_FLEE_NONE;
        mig_flee_agent_day(s, w, i, day, u);
        cr_assert_eq(w->agents->loc[i], c_place, "every one reaches C before the admission");
    }
    cr_assert_eq(mig_flee_admit(s, w, day, ctx), MIG_OK);
    for (size_t j = 0; j < n; j++) {
        const size_t i = l0 + j;
        late[j] = j < 20;
        keys[j] = (uint64_t)mig_rng_draw(s->seed, w->agents->id[i], day, MIG_RNG_MODEL + 2).w[0] << 32 |
                  w->agents->id[i];
        admitted[j] = w->agents->state[i] == MIG_AGENT_AT_PLACE && w->agents->loc[i] == c_place;
        n_in += (size_t)(admitted[j] && late[j]);
        if (!admitted[j]) {
            cr_assert(late[j], "an arrival that set off earlier is never refused");
            cr_assert_eq(w->agents->loc[i], place(w, "B"));
            cr_assert_eq(s->route_len[w->agents->id[i]], 0);
        }
    }
    memcpy(order, keys, n * sizeof *keys);
    qsort(order, n, sizeof *order, by_key);
    for (size_t r = 0; r < n; r++) /* Flee's sequential rule in priority order */
        for (size_t j = 0; j < n; j++)
            if (keys[j] == order[r]) {
                const int in = !late[j] || count <= 98;
                cr_assert_eq(admitted[j], in, "n_a %zu, threads %d: priority rank %zu", n_a, threads, r);
                count += in;
            }
    if (n_a == 0) {
        cr_assert_eq(n_in, 6, "threads %d: %zu of 20 admitted", threads, n_in);
        for (size_t j = 0; j < 20; j++)
            cr_assert_eq(admitted[j], keys[j] <= order[5], "the 6 smallest priorities");
    }
    test_world_free(&ctx, &cfg, &w);
}

Test(flee, a_camp_near_capacity_admits_the_first_k_arrivals)
{
    int admitted[2][2][23];
    memset(admitted, 0, sizeof admitted);
    for (int threads = 1; threads <= 2; threads++) {
        admit_case(threads, 0, admitted[threads - 1][0]);
        admit_case(threads, 3, admitted[threads - 1][1]);
    }
    cr_assert_arr_eq(admitted[0], admitted[1], sizeof admitted[0]);
}
