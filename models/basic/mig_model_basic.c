/* mig_model_basic.c: the basic ruleset, close to Flee's. Each day an agent at a place
 * moves with the probability set for the place's kind; it takes an out-link chosen with
 * weight look-ahead attraction(to)^a / distance_km^b (alias tables built once). Places of kind
 * destination absorb. Group members draw with the group's key, so they choose alike. */
#include <stdlib.h>

#include "mig_agents.h"
#include "mig_model.h"
#include "mig_rng.h"
#include "mig_route.h"

typedef struct basic_state {
    double *move_prob;        /* owned [n_places]: per-day probability of moving on */
    uint64_t seed;
} basic_state;

static void basic_destroy(void **p)
{
    basic_state *s;
    if (!p || !*p)
        return;
    s = *p;
    free(s->move_prob);
    free(s);
    *p = NULL;
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

/* Draws are computed for a block of agents first, in a loop without branches that the
 * compiler can pipeline (or vectorise), then the block's decisions are applied. */
#define DECIDE_BLOCK 256

static void basic_decide(const void *state, mig_world *w, uint32_t step, size_t begin, size_t end)
{
    const basic_state *s = state;
    mig_agents *a = w->agents;
    const double *mf = w->policy->move_factor;
    const size_t np = w->net->n_places;
    uint32_t key[DECIDE_BLOCK], purpose[DECIDE_BLOCK], u_move[DECIDE_BLOCK], u_route[DECIDE_BLOCK];
    for (size_t b0 = begin; b0 < end; b0 += DECIDE_BLOCK) {
        size_t nb = end - b0 < DECIDE_BLOCK ? end - b0 : DECIDE_BLOCK;
        for (size_t j = 0; j < nb; j++)
            mig_world_key(w, b0 + j, MIG_RNG_MOVE, &key[j], &purpose[j]);
        mig_rng_draw_block(s->seed, key, step, purpose, u_move, u_route, nb);
        for (size_t j = 0; j < nb; j++) {
            size_t i = b0 + j;
            uint32_t p, link, k;
            if (a->state[i] != MIG_AGENT_AT_PLACE)
                continue;
            p = a->loc[i];
            k = a->nat[i];
            if (!(mig_rng_u01(u_move[j]) < s->move_prob[p] * mf[(size_t)k * np + p]))
                continue;
            link = mig_route_pick(w->routes[k], p, mig_rng_u01(u_route[j]));
            if (link == MIG_NO_LINK)
                continue;
            a->state[i] = MIG_AGENT_ON_LINK;
            a->loc[i] = link;
            a->progress[i] = 0.0f;
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
