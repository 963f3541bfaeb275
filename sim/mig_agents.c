/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_agents.c: structure-of-arrays agent store. */
#include "mig_agents.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_util.h"

/* Allocation, growth and compaction go over MIG_AGENT_FIELDS; each local macro takes a
 * field's name and ignores the rest of its entry. */
static mig_status resize(mig_agents *a, size_t cap)
{
    /* Allocate all new arrays first so that failure leaves the store unchanged. */
#define NEW(f, ...) void *new_##f = malloc(cap * sizeof *a->f);
    MIG_AGENT_FIELDS(NEW)
#undef NEW
#define OK(f, ...) &&new_##f
    if (!(1 MIG_AGENT_FIELDS(OK))) {
#define FREE(f, ...) free(new_##f);
        MIG_AGENT_FIELDS(FREE)
#undef FREE
        return MIG_ENOMEM;
    }
#undef OK
#define MOVE(f, ...)                                                                      \
    if (a->n)                                                                             \
        memcpy(new_##f, a->f, a->n * sizeof *a->f);                                       \
    free(a->f);                                                                           \
    a->f = new_##f;
    MIG_AGENT_FIELDS(MOVE)
#undef MOVE
    a->cap = cap;
    return MIG_OK;
}

mig_status mig_agents_create(size_t cap, mig_agents **out)
{
    mig_agents *a = calloc(1, sizeof *a);
    *out = NULL;
    if (!a)
        return MIG_ENOMEM;
    a->nranks = 1;
    if (resize(a, cap ? cap : 1) != MIG_OK) {
        free(a);
        return MIG_ENOMEM;
    }
    *out = a;
    return MIG_OK;
}

void mig_agents_destroy(mig_agents **p)
{
    mig_agents *a;
    if (!MIG_TAKE(a, p))
        return;
#define FREE(f, ...) free(a->f);
    MIG_AGENT_FIELDS(FREE)
#undef FREE
    free(a);
}

mig_status mig_agents_reserve(mig_agents *a, size_t extra)
{
    size_t need = a->n + extra, cap = a->cap;
    if (need <= cap)
        return MIG_OK;
    while (cap < need)
        cap = cap + cap / 2 + 1024;
    return resize(a, cap);
}

void mig_agents_spawn(mig_agents *a, size_t count, uint32_t place, uint16_t nat, uint16_t step,
                      size_t *first)
{
    /* ids next_id .. next_id + count - 1; keep this rank's (id % nranks == rank), stepping
     * straight to them (every id with one rank) */
    const uint64_t end = (uint64_t)a->next_id + count;
    size_t s = a->n;
    *first = s;
    for (uint64_t id = a->next_id + (a->rank + a->nranks - a->next_id % a->nranks) % a->nranks; id < end;
         id += a->nranks, s++) {
        a->id[s] = (uint32_t)id;
        a->loc[s] = place;
        a->progress[s] = 0.0f;
        a->group[s] = MIG_NO_GROUP;
        a->birth[s] = step;
        a->nat[s] = nat;
        a->origin[s] = (uint16_t)place;
        a->state[s] = MIG_AGENT_AT_PLACE;
        a->flags[s] = 0;
        a->held_by[s] = 0;
        a->pace[s] = 100;
    }
    a->next_id = (uint32_t)end;
    a->n = s;
}

void mig_agents_compact(mig_agents *a, size_t *freed)
{
    size_t w = 0;
    for (size_t r = 0; r < a->n; r++) {
        if (MIG_AGENT_GONE(a->state[r]))
            continue;
        if (w != r) {
#define COPY(f, ...) a->f[w] = a->f[r];
            MIG_AGENT_FIELDS(COPY)
#undef COPY
        }
        w++;
    }
    *freed = a->n - w;
    a->n = w;
}

/* Records the fault of field fld in slot i of f and makes the caller return 1. */
#define FAULT(fld, ...)                                                                   \
    do {                                                                                  \
        f->field = #fld;                                                                  \
        f->slot = i;                                                                      \
        snprintf(f->what, sizeof f->what, __VA_ARGS__);                                   \
        return 1;                                                                         \
    } while (0)

/* Slot i's indices: into the network, the nationalities, the groups, the interventions. */
static int check_indices(const mig_agents *a, size_t i, const mig_agents_limits *lim, mig_agents_fault *f)
{
    const uint8_t s = a->state[i];
    const uint32_t loc = a->loc[i], g = a->group[i];
    if (s != MIG_AGENT_AT_PLACE && s != MIG_AGENT_ON_LINK && s != MIG_AGENT_DETAINED)
        FAULT(state, "%u is not the state of an agent in the system (0 at a place, 1 on a link, 4 detained)", s);
    if (s == MIG_AGENT_ON_LINK && loc >= lim->n_links)
        FAULT(loc, "%u is not a link index (the network has %u links)", loc, lim->n_links);
    if (s != MIG_AGENT_ON_LINK && loc >= lim->n_places)
        FAULT(loc, "%u is not a place index (the network has %u places)", loc, lim->n_places);
    if (a->origin[i] >= lim->n_places)
        FAULT(origin, "%u is not a place index (the network has %u places)", a->origin[i], lim->n_places);
    if (a->nat[i] >= lim->n_nat)
        FAULT(nat, "%u is not a nationality index (the scenario has %u)", a->nat[i], lim->n_nat);
    if (g != MIG_NO_GROUP && g >= lim->n_groups)
        FAULT(group, "%u is not a group index (the checkpoint has %u groups)", g, lim->n_groups);
    if (s == MIG_AGENT_DETAINED && a->held_by[i] >= lim->n_iv)
        FAULT(held_by, "%u is not an intervention index (the scenario has %u)", a->held_by[i], lim->n_iv);
    if (s != MIG_AGENT_DETAINED && a->held_by[i] != 0)
        FAULT(held_by, "%u on an agent that is not detained (expected 0)", a->held_by[i]);
    return 0;
}

/* Slot i's values: its id, birth, progress and pace. */
static int check_values(const mig_agents *a, size_t i, const mig_agents_limits *lim, mig_agents_fault *f)
{
    const float p = a->progress[i];
    if (a->id[i] >= lim->next_id || (i && a->id[i] <= a->id[i - 1]))
        FAULT(id, "%u is not an id below next_id %u and above the previous slot's", a->id[i], lim->next_id);
    if (a->birth[i] >= lim->next_day)
        FAULT(birth, "%u is not a day before the checkpoint's day %u", a->birth[i], lim->next_day);
    if (!isfinite(p) || p < 0.0f)
        FAULT(progress, "%g is not a finite number >= 0", (double)p);
    if (a->state[i] == MIG_AGENT_ON_LINK && (double)p > lim->link_km[a->loc[i]])
        FAULT(progress, "%g km is beyond the end of link %u (%g km)", (double)p, a->loc[i], lim->link_km[a->loc[i]]);
    if (a->pace[i] < 1 || a->pace[i] > 100)
        FAULT(pace, "%u is not a pace in percent (1..100)", a->pace[i]);
    return 0;
}
#undef FAULT

int mig_agents_check(const mig_agents *a, const mig_agents_limits *lim, mig_agents_fault *f)
{
    for (size_t i = 0; i < a->n; i++)
        if (check_indices(a, i, lim, f) || check_values(a, i, lim, f))
            return 1;
    return 0;
}
