/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_rng.h: stateless counter-based random numbers (Random123 Philox4x32-10) keyed by
 * (seed, agent id, step, purpose). A draw depends on nothing else, so results are the
 * same for any thread count, agent order or MPI decomposition. Header-only for inlining. */
#ifndef MIG_RNG_H
#define MIG_RNG_H

#include <stddef.h>
#include <stdint.h>
#include <Random123/philox.h>

/* Purposes: one per kind of decision, so two decisions never share a stream. */
typedef enum mig_rng_purpose {
    MIG_RNG_MOVE = 1,        /* move-or-stay and route choice (4 words) */
    MIG_RNG_GROUP_MOVE = 2,  /* the same for a group, keyed by group id */
    MIG_RNG_SPAWN = 3,       /* model spawn decisions (key: source index) */
    MIG_RNG_PACE = 4,        /* walking pace (step 0) */
    MIG_RNG_ENFORCE = 5,     /* apprehension on a passage */
    MIG_RNG_RELEASE = 6,     /* outcome of detention */
    MIG_RNG_QUOTA = 7,       /* priority for a quota (counter word 3: the intervention) */
    MIG_RNG_CARAVAN = 8,     /* joining a caravan (counter word 3: the caravan) */
    MIG_RNG_MODEL = 16,      /* first purpose free for models */
    MIG_RNG_FOR_GROUP = 0x100 /* or-ed into a purpose when the key is a family's group id */
} mig_rng_purpose;

typedef struct mig_rng_words {
    uint32_t w[4];
} mig_rng_words;

/* Four independent 32-bit words for (seed, id, step, purpose). */
static inline mig_rng_words mig_rng_draw(uint64_t seed, uint32_t id, uint32_t step, uint32_t purpose)
{
    philox4x32_key_t k = { { (uint32_t)seed, (uint32_t)(seed >> 32) } };
    philox4x32_ctr_t c = { { id, step, purpose, 0u } };
    philox4x32_ctr_t r = philox4x32(c, k);
    mig_rng_words out = { { r.v[0], r.v[1], r.v[2], r.v[3] } };
    return out;
}

/* The same with a fourth counter word (e.g. an intervention index). */
static inline mig_rng_words mig_rng_draw4(uint64_t seed, uint32_t id, uint32_t step, uint32_t purpose,
                                          uint32_t extra)
{
    philox4x32_key_t k = { { (uint32_t)seed, (uint32_t)(seed >> 32) } };
    philox4x32_ctr_t c = { { id, step, purpose, extra } };
    philox4x32_ctr_t r = philox4x32(c, k);
    mig_rng_words out = { { r.v[0], r.v[1], r.v[2], r.v[3] } };
    return out;
}

/* Draws for a block of n keys at once: out0[j], out1[j] are words 0 and 1 of
 * mig_rng_draw(seed, key[j], step, purpose[j]). Written so the compiler vectorises it;
 * identical results to n calls of mig_rng_draw. */
void mig_rng_draw_block(uint64_t seed, const uint32_t *restrict key, uint32_t step,
                        const uint32_t *restrict purpose, uint32_t *restrict out0,
                        uint32_t *restrict out1, size_t n);

/* A 32-bit word as a double uniform on the open interval (0, 1). */
static inline double mig_rng_u01(uint32_t w)
{
    return ((double)w + 0.5) * (1.0 / 4294967296.0);
}

#endif
