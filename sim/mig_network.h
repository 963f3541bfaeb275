/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_network.h: the place graph (places and directed links) loaded from the scenario's
 * CSV tables, with its integrity checks and a compressed out-link adjacency. Immutable
 * once loaded. */
#ifndef MIG_NETWORK_H
#define MIG_NETWORK_H

#include <stdint.h>
#include "mig_ctx.h"
#include "mig_types.h"
#include "mig_util.h"

typedef struct mig_network {
    uint32_t n_places;
    char **place_name;        /* owned [n_places], unique */
    char **place_country;     /* owned [n_places] */
    uint8_t *place_kind;      /* [n_places] mig_place_kind */
    double *place_lat;        /* [n_places] degrees north */
    double *place_lon;        /* [n_places] degrees east */
    uint32_t *place_capacity; /* [n_places] persons; 0 = unlimited */
    double *place_attract;    /* [n_places] attractiveness, dimensionless, > 0 */

    uint32_t n_links;         /* directed links; a two_way CSV row gives two */
    char **link_name;         /* owned [n_links] "from->to" */
    uint32_t *link_from;      /* [n_links] place index */
    uint32_t *link_to;        /* [n_links] place index */
    double *link_km;          /* [n_links] distance, km, > 0 */
    uint8_t *link_mode;       /* [n_links] mig_mode */
    double *link_cost;        /* [n_links] US$ per person, >= 0 (0 when not given) */
    double *link_risk;        /* [n_links] deaths per crossing, in [0,1] (0 when not given) */

    uint32_t *out_start;      /* [n_places+1]: out-links of p are out_link[out_start[p]..out_start[p+1]) */
    uint32_t *out_link;       /* [n_links] link indices grouped by from-place, CSV order within */
} mig_network;

/* lifecycle */
/* Loads places and links. Every problem found is appended to ctx as
 * "file:line:column: column_name: message"; returns MIG_ENOINPUT for a missing file,
 * MIG_EDATA for any data problem, after reporting all of them. */
mig_status mig_network_load(const char *places_csv, const char *links_csv, mig_ctx *ctx,
                            mig_network **out);
void mig_network_destroy(mig_network **p);

/* queries */
/* Index of a place by name; returns -1 when absent. */
int64_t mig_network_place(const mig_network *net, const char *name);
/* For an unknown place name: `did you mean "P"?` or `expected one of: ...` (in s). */
const char *mig_network_place_hint(const mig_network *net, const char *name, mig_suggest *s);
/* For an unknown link "from -> to": the same over the network's links. */
const char *mig_network_link_hint(const mig_network *net, const char *name, mig_suggest *s);
/* Index of the link from place `from` to place `to`, or -1. */
int64_t mig_network_link(const mig_network *net, uint32_t from, uint32_t to);
/* 1 when some place of kind destination or camp can be reached from place p along
 * directed links (p itself counts), 0 when none can, -1 when p is out of range or memory
 * ran out. */
int mig_network_reaches_destination(const mig_network *net, uint32_t p);

#endif
