/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_rng.c: the counter-based generator: Random123's own known-answer vectors for
 * Philox4x32-10, block draws equal to single draws, and the (0, 1) mapping. */
#include <criterion/criterion.h>

#include "mig_rng.h"

/* Random123 tests/kat_vectors, the three "philox4x32 10" lines (ctr[4] key[2] -> out[4]). */
Test(rng, philox_known_answers)
{
    const uint32_t kat[3][10] = {
        { 0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 },
        { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d, 0x41c83b0e,
          0xa20bc7c6, 0x6d5451fd },
        { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09, 0x94fdcceb,
          0x5001e420, 0x24126ea1 },
    };
    for (int i = 0; i < 3; i++) {
        philox4x32_ctr_t c = { { kat[i][0], kat[i][1], kat[i][2], kat[i][3] } };
        philox4x32_key_t k = { { kat[i][4], kat[i][5] } };
        philox4x32_ctr_t r = philox4x32(c, k);
        for (int j = 0; j < 4; j++)
            cr_assert_eq(r.v[j], kat[i][6 + j], "vector %d word %d: %08x", i, j, r.v[j]);
    }
    /* mig_rng_draw maps (seed, id, step, purpose) onto key and counter as documented */
    mig_rng_words w = mig_rng_draw(0, 0, 0, 0);
    cr_assert_eq(w.w[0], 0x6627e8d5);
    cr_assert_eq(w.w[3], 0x9b00dbd8);
}

Test(rng, block_equals_single_draws)
{
    uint32_t key[1000], purpose[1000], o0[1000], o1[1000];
    for (uint32_t j = 0; j < 1000; j++) {
        key[j] = j * 2654435761u;
        purpose[j] = j % 3 ? MIG_RNG_MOVE : MIG_RNG_GROUP_MOVE;
    }
    mig_rng_draw_block(0x123456789abcdefull, key, 42, purpose, o0, o1, 1000);
    for (uint32_t j = 0; j < 1000; j++) {
        mig_rng_words w = mig_rng_draw(0x123456789abcdefull, key[j], 42, purpose[j]);
        cr_assert_eq(o0[j], w.w[0]);
        cr_assert_eq(o1[j], w.w[1]);
    }
}

Test(rng, keys_give_different_streams)
{
    mig_rng_words a = mig_rng_draw(1, 5, 9, MIG_RNG_MOVE), b = mig_rng_draw(1, 5, 10, MIG_RNG_MOVE),
                  c = mig_rng_draw(1, 5, 9, MIG_RNG_GROUP_MOVE), d = mig_rng_draw(2, 5, 9, MIG_RNG_MOVE),
                  e = mig_rng_draw((uint64_t)1 << 32 | 1, 5, 9, MIG_RNG_MOVE);
    cr_assert_neq(a.w[0], b.w[0]);
    cr_assert_neq(a.w[0], c.w[0]);
    cr_assert_neq(a.w[0], d.w[0]);
    cr_assert_neq(a.w[0], e.w[0], "the seed's high 32 bits matter");
}

Test(rng, u01_is_open_interval)
{
    cr_assert_gt(mig_rng_u01(0), 0.0);
    cr_assert_lt(mig_rng_u01(0xffffffffu), 1.0);
    cr_assert_float_eq(mig_rng_u01(0x80000000u), 0.5 + 0.5 / 4294967296.0, 1e-15);
}
