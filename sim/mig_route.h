/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_route.h: route choice tables. For every place, a Walker alias table (built once with
 * GSL's gsl_ran_discrete_preproc) over its out-links, so choosing the next link costs O(1)
 * per agent instead of a scan. Also the look-ahead attraction that link weights use. */
#ifndef MIG_ROUTE_H
#define MIG_ROUTE_H

#include <stdint.h>
#include "mig_config.h"
#include "mig_ctx.h"
#include "mig_network.h"

#define MIG_NO_LINK UINT32_MAX

typedef struct mig_route_table {
    const mig_network *net;   /* borrowed: slots follow net->out_start / out_link */
    double *F;                /* owned [n_links]: GSL cut-offs (Knuth convention), per slot */
    uint32_t *A;              /* owned [n_links]: alias, a slot index within the place */
    uint8_t *usable;          /* owned [n_places]: 1 when the place has a link of weight > 0 */
} mig_route_table;

/* lifecycle */
/* Builds the tables from weight[link] (>= 0, finite). A place whose out-links all weigh 0
 * is marked unusable (agents there stay). */
mig_status mig_route_create(const mig_network *net, const double *weight, mig_ctx *ctx,
                            mig_route_table **out);
void mig_route_destroy(mig_route_table **p);

/* queries */
/* Attraction of each place seen from upstream: A0 = place attractiveness and, for
 * k = 1..steps, A_k(q) = attract(q) + discount * max over q's out-links q->r of A_{k-1}(r).
 * out must have n_places entries. */
void mig_route_attraction(const mig_network *net, uint32_t steps, double discount, double *out);
/* The same look-ahead from a given base attractiveness base[n_places] (not the network's);
 * prev is scratch [n_places]. */
void mig_route_attraction_from(const mig_network *net, const double *base, uint32_t steps, double discount,
                               double *out, double *prev);
/* Link weights attraction(to)^attraction_power / distance_km^distance_power. */
void mig_route_weights(const mig_network *net, const double *attraction,
                       double attraction_power, double distance_power, double *weight_out);

/* Flee's capacity multiplier on the route weights towards a place: with the effective
 * capacity c = capacity x scaling, 1 while occupancy <= buffer x c, 0 at c and above, linear
 * between; 1 when c < 1 (no capacity). */
double mig_route_capacity_factor(double occupancy, double capacity, double buffer, double scaling);

/* The link chosen at place p by a uniform u in [0, 1), or MIG_NO_LINK. */
static inline uint32_t mig_route_pick(const mig_route_table *t, uint32_t p, double u)
{
    const uint32_t s0 = t->net->out_start[p];
    const uint32_t k = t->net->out_start[p + 1] - s0;
    uint32_t c;
    if (!t->usable[p])
        return MIG_NO_LINK;
    c = (uint32_t)(u * k);
    if (c >= k)
        c = k - 1;
    if (!(u < t->F[s0 + c]))
        c = t->A[s0 + c];
    return t->net->out_link[s0 + c];
}

#endif
