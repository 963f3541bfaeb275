/* mig_agents.c: structure-of-arrays agent store. */
#include "mig_agents.h"

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
