/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_agents.c: the structure-of-arrays store: spawning, growth and order-keeping
 * compaction of every field, and the 32-byte-per-agent budget. */
#include <criterion/criterion.h>

#include <string.h>

#include "mig_agents.h"

Test(agents, budget_is_at_most_32_bytes)
{
    cr_assert_leq(MIG_AGENT_BYTES, 32);
    cr_assert_eq(MIG_AGENT_BYTES, 27);
}

Test(agents, spawn_reserve_and_compact_keep_order)
{
    mig_agents *a = NULL;
    size_t first, freed;
    cr_assert_eq(mig_agents_create(4, &a), MIG_OK);
    cr_assert_eq(mig_agents_reserve(a, 10), MIG_OK);
    cr_assert_geq(a->cap, 10);
    mig_agents_spawn(a, 6, 3, 1, 7, &first);
    cr_assert_eq(first, 0);
    mig_agents_spawn(a, 4, 5, 2, 8, &first);
    cr_assert_eq(first, 6);
    cr_assert_eq(a->n, 10);
    cr_assert_eq(a->next_id, 10);
    for (size_t i = 0; i < 10; i++)
        a->progress[i] = (float)i;
    a->state[1] = MIG_AGENT_ABSORBED;
    a->state[4] = MIG_AGENT_REMOVED;
    a->state[9] = MIG_AGENT_ABSORBED;
    a->state[2] = MIG_AGENT_ON_LINK;
    mig_agents_compact(a, &freed);
    cr_assert_eq(freed, 3);
    cr_assert_eq(a->n, 7);
    {
        const uint32_t ids[7] = { 0, 2, 3, 5, 6, 7, 8 };
        for (size_t i = 0; i < 7; i++) {
            cr_assert_eq(a->id[i], ids[i]);
            cr_assert_float_eq(a->progress[i], (float)ids[i], 0.0);
            cr_assert_eq(a->origin[i], ids[i] < 6 ? 3 : 5);
            cr_assert_eq(a->nat[i], ids[i] < 6 ? 1 : 2);
            cr_assert_eq(a->birth[i], ids[i] < 6 ? 7 : 8);
        }
        cr_assert_eq(a->state[1], MIG_AGENT_ON_LINK);
    }
    /* new agents get fresh ids after compaction */
    mig_agents_spawn(a, 1, 0, 0, 9, &first);
    cr_assert_eq(a->id[first], 10);
    mig_agents_destroy(&a);
    cr_assert_null(a);
    mig_agents_destroy(&a);
}

/* With MPI ranks a store keeps the ids with id % nranks == rank; every rank advances next_id
 * by the whole count, so ids (and random draws) are those of a single process. */
Test(agents, ranks_keep_their_ids)
{
    mig_agents *a = NULL;
    size_t first;
    cr_assert_eq(mig_agents_create(16, &a), MIG_OK);
    a->nranks = 3;
    a->rank = 1;
    a->next_id = 5;
    mig_agents_spawn(a, 10, 4, 0, 0, &first);
    cr_assert_eq(first, 0);
    cr_assert_eq(a->n, 3);
    cr_assert_eq(a->id[0], 7);
    cr_assert_eq(a->id[1], 10);
    cr_assert_eq(a->id[2], 13);
    cr_assert_eq(a->next_id, 15);
    a->rank = 2;
    mig_agents_spawn(a, 1, 4, 0, 0, &first); /* id 15: rank 0's */
    cr_assert_eq(a->n, 3);
    mig_agents_spawn(a, 2, 4, 0, 0, &first); /* ids 16, 17: 17 is rank 2's */
    cr_assert_eq(a->n, 4);
    cr_assert_eq(a->id[3], 17);
    mig_agents_destroy(&a);
}

/* Every field of MIG_AGENT_FIELDS keeps its agent's value through growth and compaction
 * (a field left out of the store's copies would fail here). */
Test(agents, every_field_moves_with_its_agent)
{
    static const size_t kept[5] = { 0, 1, 3, 4, 5 };
    mig_agents *a = NULL;
    size_t first, freed;
    cr_assert_eq(mig_agents_create(6, &a), MIG_OK);
    mig_agents_spawn(a, 6, 0, 0, 0, &first);
#define SET(name, ctype, h5type, doc)                                                             \
    for (size_t i = 0; i < 6; i++)                                                                \
        a->name[i] = (ctype)(i + 7);
    MIG_AGENT_FIELDS(SET)
#undef SET
    for (size_t i = 0; i < 6; i++)
        a->state[i] = i == 2 ? MIG_AGENT_ABSORBED : MIG_AGENT_AT_PLACE;
    cr_assert_eq(mig_agents_reserve(a, 10000), MIG_OK);
    mig_agents_compact(a, &freed);
    cr_assert_eq(freed, 1);
    cr_assert_eq(a->n, 5);
#define CHECK(name, ctype, h5type, doc)                                                           \
    for (size_t j = 0; j < 5; j++)                                                                \
        if (strcmp(#name, "state") != 0)                                                          \
            cr_assert(a->name[j] == (ctype)(kept[j] + 7), "%s[%zu]", #name, j);
    MIG_AGENT_FIELDS(CHECK)
#undef CHECK
    mig_agents_destroy(&a);
}
