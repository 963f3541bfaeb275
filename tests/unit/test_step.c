/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_step.c: conservation at every step (spawned = at places + on links + absorbed +
 * removed), checked three independent ways: the engine's totals, a recount of the agent
 * arrays, and the day's observation variables. */
#include <criterion/criterion.h>

#include "../test_util.h"
#include "mig_step.h"

#define DEMO MIGSIM_SOURCE_DIR "/configs/demo.yaml"

Test(step, conservation_every_day)
{
    mig_ctx *ctx;
    mig_config *cfg;
    mig_world *w;
    int64_t cum_spawned = 0, cum_absorbed = 0;
    test_world(DEMO, NULL, 0, 2, &ctx, &cfg, &w);
    for (uint32_t day = 0; day < cfg->days; day++) {
        int64_t at = 0, on = 0, occ = 0, dest_arrivals = 0;
        cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        for (size_t i = 0; i < w->agents->n; i++) {
            at += w->agents->state[i] == MIG_AGENT_AT_PLACE;
            on += w->agents->state[i] == MIG_AGENT_ON_LINK;
            cr_assert(w->agents->state[i] <= MIG_AGENT_ON_LINK, "a compacted store holds only live agents");
        }
        for (uint32_t p = 0; p < w->net->n_places; p++) {
            occ += w->v_occupancy[p];
            for (uint32_t k = 0; k < w->n_nat; k++) {
                cum_spawned += w->v_spawned[p * w->n_nat + k];
                if (w->net->place_kind[p] == MIG_KIND_DESTINATION)
                    dest_arrivals += w->v_arrivals[p * w->n_nat + k];
            }
            if (w->net->place_kind[p] == MIG_KIND_DESTINATION)
                cr_assert_eq(w->v_occupancy[p], 0, "destinations absorb");
        }
        cum_absorbed += dest_arrivals;
        cr_assert_eq(at, occ, "day %u: agents at places", day);
        cr_assert_eq(on, *w->v_on_links, "day %u: agents on links", day);
        cr_assert_eq(cum_spawned, *w->v_total_spawned, "day %u: cumulative spawned", day);
        cr_assert_eq(cum_absorbed, *w->v_total_absorbed, "day %u: cumulative absorbed", day);
        cr_assert_eq(*w->v_total_spawned, at + on + *w->v_total_absorbed + *w->v_total_removed,
                     "day %u: spawned %lld != at places %lld + on links %lld + absorbed %lld + removed %lld", day,
                     (long long)*w->v_total_spawned, (long long)at, (long long)on,
                     (long long)*w->v_total_absorbed, (long long)*w->v_total_removed);
    }
    /* the demo's schedule is exact: 800/day for 90 days plus 250.5/day for 60 days */
    cr_assert_eq(*w->v_total_spawned, 800 * 90 + 15030);
    cr_assert_gt(*w->v_total_absorbed, 0);
    test_world_free(&ctx, &cfg, &w);
}

Test(step, same_result_for_any_thread_count)
{
    int64_t occ[3][64], flow[3][64];
    const int threads[3] = { 1, 2, 4 };
    for (int r = 0; r < 3; r++) {
        mig_ctx *ctx;
        mig_config *cfg;
        mig_world *w;
        test_world(DEMO, NULL, 0, threads[r], &ctx, &cfg, &w);
        for (uint32_t day = 0; day < 60; day++)
            cr_assert_eq(mig_step_run(w, day, ctx), MIG_OK);
        cr_assert_leq(w->net->n_places, 64);
        for (uint32_t p = 0; p < w->net->n_places; p++)
            occ[r][p] = w->v_occupancy[p];
        for (uint32_t l = 0; l < w->net->n_links; l++)
            flow[r][l] = w->v_flow[l];
        if (r) {
            cr_assert_arr_eq(occ[r], occ[0], w->net->n_places * sizeof(int64_t));
            cr_assert_arr_eq(flow[r], flow[0], w->net->n_links * sizeof(int64_t));
        }
        test_world_free(&ctx, &cfg, &w);
    }
}

/* Reverses the order of the live agents (a permutation of slots, as compaction makes). */
static void reverse_store(mig_agents *a)
{
    for (size_t i = 0, j = a->n ? a->n - 1 : 0; i < j; i++, j--) {
#define SWAP(f)                                                                           \
    {                                                                                     \
        __typeof__(a->f[0]) t = a->f[i];                                                  \
        a->f[i] = a->f[j];                                                                \
        a->f[j] = t;                                                                      \
    }
        SWAP(id) SWAP(loc) SWAP(progress) SWAP(group) SWAP(birth) SWAP(nat) SWAP(origin) SWAP(state)
        SWAP(flags)
#undef SWAP
    }
}

/* Results are keyed by agent id, not by slot: reshuffling the store between days (a harsher
 * version of what compaction does) changes no observation. */
Test(step, slot_order_does_not_change_results)
{
    mig_ctx *c1, *c2;
    mig_config *g1, *g2;
    mig_world *w1, *w2;
    test_world(DEMO, NULL, 0, 2, &c1, &g1, &w1);
    test_world(DEMO, NULL, 0, 2, &c2, &g2, &w2);
    for (uint32_t day = 0; day < g1->days; day++) {
        cr_assert_eq(mig_step_run(w1, day, c1), MIG_OK);
        cr_assert_eq(mig_step_run(w2, day, c2), MIG_OK);
        for (size_t v = 0; v < w1->obs->n_vars; v++)
            cr_assert_arr_eq(w1->obs->vars[v].day, w2->obs->vars[v].day, w1->obs->vars[v].size * sizeof(int64_t),
                             "day %u: %s differs", day, w1->obs->vars[v].name);
        reverse_store(w2->agents);
    }
    test_world_free(&c1, &g1, &w1);
    test_world_free(&c2, &g2, &w2);
}
