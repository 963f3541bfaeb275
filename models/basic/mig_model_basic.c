/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_model_basic.c: the basic ruleset, close to Flee's. Each day an agent at a place
 * moves with the probability set for the place's kind; it takes an out-link chosen with
 * weight look-ahead attraction(to)^a / distance_km^b (alias tables built once). Places of kind
 * destination absorb. Group members draw with the group's key, so they choose alike. */
#include <stdlib.h>

#include "mig_agents.h"
#include "mig_model.h"
#include "mig_rng.h"
#include "mig_route.h"
#include "mig_util.h"

typedef struct basic_state {
    double *move_prob;        /* owned [n_places]: per-day probability of moving on */
    uint64_t seed;
} basic_state;

static void basic_destroy(void **p)
{
    basic_state *s;
    if (!MIG_TAKE(s, p))
        return;
    free(s->move_prob);
    free(s);
}

static mig_status basic_create(mig_world *w, mig_ctx *ctx, void **out)
{
    const mig_network *net = w->net;
    const mig_movement_cfg *mv = &w->cfg->movement;
    basic_state *s = calloc(1, sizeof *s);
    double *attraction = NULL, *weight = NULL;
    mig_status st = MIG_ENOMEM;
    void *tmp;

    *out = NULL;
    if (!s)
        return MIG_ENOMEM;
    s->seed = w->cfg->seed;
    s->move_prob = malloc(net->n_places * sizeof *s->move_prob);
    attraction = malloc(net->n_places * sizeof *attraction);
    weight = malloc((net->n_links ? net->n_links : 1) * sizeof *weight);
    if (!s->move_prob || !attraction || !weight)
        goto fail;
    for (uint32_t p = 0; p < net->n_places; p++)
        s->move_prob[p] = net->place_kind[p] == MIG_KIND_DESTINATION
                              ? 0.0
                              : mv->move_prob[net->place_kind[p]];
    mig_route_attraction(net, mv->lookahead_steps, mv->lookahead_discount, attraction);
    mig_route_weights(net, attraction, mv->attraction_power, mv->distance_power, weight);
    st = mig_world_set_routes(w, weight, 0, ctx);
    if (st != MIG_OK)
        goto fail;
    free(attraction);
    free(weight);
    *out = s;
    return MIG_OK;
fail:
    free(attraction);
    free(weight);
    tmp = s;
    basic_destroy(&tmp);
    return st;
}

/* Draws are computed for a block of agents first, then the block's decisions are applied. */
static void basic_decide(const void *state, mig_world *w, uint32_t step, size_t begin, size_t end)
{
    const basic_state *s = state;
    const mig_agents *a = w->agents;
    uint32_t u_move[MIG_DECIDE_BLOCK], u_route[MIG_DECIDE_BLOCK];
    for (size_t b0 = begin; b0 < end; b0 += MIG_DECIDE_BLOCK) {
        size_t nb = end - b0 < MIG_DECIDE_BLOCK ? end - b0 : MIG_DECIDE_BLOCK;
        mig_world_draw_block(w, s->seed, step, MIG_RNG_MOVE, b0, nb, u_move, u_route);
        for (size_t j = 0; j < nb; j++) {
            size_t i = b0 + j;
            if (a->state[i] == MIG_AGENT_AT_PLACE)
                mig_world_move_on(w, i, a->loc[i], s->move_prob[a->loc[i]], u_move[j], u_route[j]);
        }
    }
}

const mig_model_ops mig_model_basic = {
    .name = "basic",
    .summary = "move with a per-kind daily probability; route by attraction ahead and distance",
    .create = basic_create,
    .destroy = basic_destroy,
    .decide = basic_decide,
};
