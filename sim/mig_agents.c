/* mig_agents.c: structure-of-arrays agent store. */
#include "mig_agents.h"

#include <stdlib.h>
#include <string.h>

/* The arrays, as (pointer to member, element size), so that allocation, growth and
 * compaction are written once. */
#define AGENT_ARRAYS(X)                                                                   \
    X(id) X(loc) X(progress) X(group) X(birth) X(nat) X(origin) X(state) X(flags) X(held_by) X(pace)

static mig_status resize(mig_agents *a, size_t cap)
{
    /* Allocate all new arrays first so that failure leaves the store unchanged. */
#define NEW(f) void *new_##f = malloc(cap * sizeof *a->f);
    AGENT_ARRAYS(NEW)
#undef NEW
#define OK(f) &&new_##f
    if (!(1 AGENT_ARRAYS(OK))) {
#define FREE(f) free(new_##f);
        AGENT_ARRAYS(FREE)
#undef FREE
        return MIG_ENOMEM;
    }
#undef OK
#define MOVE(f)                                                                           \
    if (a->n)                                                                             \
        memcpy(new_##f, a->f, a->n * sizeof *a->f);                                       \
    free(a->f);                                                                           \
    a->f = new_##f;
    AGENT_ARRAYS(MOVE)
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
    if (!p || !*p)
        return;
#define FREE(f) free((*p)->f);
    AGENT_ARRAYS(FREE)
#undef FREE
    free(*p);
    *p = NULL;
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
    size_t s = a->n;
    *first = s;
    if (a->nranks > 1) {
        /* keep only this rank's ids (id % nranks == rank), stepping straight to them */
        size_t kept = 0;
        uint64_t end = (uint64_t)a->next_id + count;
        uint64_t id = a->next_id + (a->rank + a->nranks - a->next_id % a->nranks) % a->nranks;
        a->next_id = (uint32_t)end;
        for (; id < end; id += a->nranks) {
            a->id[s + kept] = (uint32_t)id;
            a->loc[s + kept] = place;
            a->progress[s + kept] = 0.0f;
            a->group[s + kept] = MIG_NO_GROUP;
            a->birth[s + kept] = step;
            a->nat[s + kept] = nat;
            a->origin[s + kept] = (uint16_t)place;
            a->state[s + kept] = MIG_AGENT_AT_PLACE;
            a->flags[s + kept] = 0;
            a->held_by[s + kept] = 0;
            a->pace[s + kept] = 100;
            kept++;
        }
        a->n += kept;
        return;
    }
    for (size_t i = 0; i < count; i++) {
        a->id[s + i] = a->next_id++;
        a->loc[s + i] = place;
        a->progress[s + i] = 0.0f;
        a->group[s + i] = MIG_NO_GROUP;
        a->birth[s + i] = step;
        a->nat[s + i] = nat;
        a->origin[s + i] = (uint16_t)place;
        a->state[s + i] = MIG_AGENT_AT_PLACE;
        a->flags[s + i] = 0;
        a->held_by[s + i] = 0;
        a->pace[s + i] = 100;
    }
    a->n += count;
}

void mig_agents_compact(mig_agents *a, size_t *freed)
{
    size_t w = 0;
    for (size_t r = 0; r < a->n; r++) {
        if (MIG_AGENT_GONE(a->state[r]))
            continue;
        if (w != r) {
#define COPY(f) a->f[w] = a->f[r];
            AGENT_ARRAYS(COPY)
#undef COPY
        }
        w++;
    }
    *freed = a->n - w;
    a->n = w;
}
