/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_util.h: shared helpers for the Criterion tests: load a scenario with overrides and
 * build its world, failing the test with every diagnostic if that does not work. */
#ifndef MIG_TEST_UTIL_H
#define MIG_TEST_UTIL_H

#include <criterion/criterion.h>
#include "mig_config.h"
#include "mig_ctx.h"
#include "mig_world.h"

static inline void test_world(const char *yaml, const char *const *over, size_t n_over, int threads,
                              mig_ctx **ctx, mig_config **cfg, mig_world **w)
{
    mig_status st;
    cr_assert_eq(mig_ctx_create(ctx), MIG_OK);
    (*ctx)->threads = threads;
    (*ctx)->level = MIG_LOG_QUIET;
    st = mig_config_load(yaml, over, n_over, *ctx, cfg);
    if (st == MIG_OK)
        st = mig_world_create(*cfg, *ctx, w);
    for (size_t i = 0; i < mig_ctx_n_errors(*ctx); i++)
        cr_log_error("%s", mig_ctx_error_at(*ctx, i));
    cr_assert_eq(st, MIG_OK, "cannot build the world from %s", yaml);
}

static inline void test_world_free(mig_ctx **ctx, mig_config **cfg, mig_world **w)
{
    mig_world_destroy(w);
    mig_config_destroy(cfg);
    mig_ctx_destroy(ctx);
}

#endif
