/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_rng.c: block draws of Philox4x32-10, in a loop the compiler vectorises. */
#include "mig_rng.h"

void mig_rng_draw_block(uint64_t seed, const uint32_t *restrict key, uint32_t step,
                        const uint32_t *restrict purpose, uint32_t *restrict out0,
                        uint32_t *restrict out1, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        philox4x32_key_t k = { { (uint32_t)seed, (uint32_t)(seed >> 32) } };
        philox4x32_ctr_t c = { { key[j], step, purpose[j], 0u } };
        philox4x32_ctr_t r = philox4x32(c, k);
        out0[j] = r.v[0];
        out1[j] = r.v[1];
    }
}
