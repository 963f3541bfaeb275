/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_config.c: scenario loading: defaults filled in and visible in the resolved text,
 * overrides applied and checked, locations of fields, and relative paths. */
#include <criterion/criterion.h>
#include <string.h>

#include "mig_config.h"

#define DEMO MIGSIM_SOURCE_DIR "/configs/demo.yaml"

static mig_config *load(const char *const *over, size_t n, mig_ctx **ctx, mig_status expect)
{
    mig_config *cfg = NULL;
    mig_status st;
    cr_assert_eq(mig_ctx_create(ctx), MIG_OK);
    st = mig_config_load(DEMO, over, n, *ctx, &cfg);
    for (size_t i = 0; i < mig_ctx_n_errors(*ctx); i++)
        cr_log_info("%s", mig_ctx_error_at(*ctx, i));
    cr_assert_eq(st, expect);
    return cfg;
}

Test(config, demo_values_and_defaults)
{
    mig_ctx *ctx;
    mig_config *cfg = load(NULL, 0, &ctx, MIG_OK);
    cr_assert_str_eq(cfg->name, "demo");
    cr_assert_str_eq(cfg->model, "basic");
    cr_assert_eq(cfg->days, 90);
    cr_assert_eq(cfg->seed, 1);
    cr_assert_eq(cfg->start_day, 19358); /* 2023-01-01 */
    cr_assert_eq(cfg->n_nationalities, 2);
    cr_assert_str_eq(cfg->nationalities[1], "HONDURAS");
    cr_assert_eq(cfg->n_sources, 2);
    cr_assert_float_eq(cfg->sources[1].rate, 250.5, 0);
    cr_assert_eq(cfg->source_from[1], 19358 + 14);
    cr_assert_eq(cfg->source_to[1], 19358 + 73);
    cr_assert_eq(cfg->source_from[0], 19358);
    cr_assert_eq(cfg->source_to[0], 19358 + 89);
    cr_assert_float_eq(cfg->sources[0].scale, 1.0, 0, "template default for each source");
    cr_assert_float_eq(cfg->movement.move_prob[MIG_KIND_TOWN], 0.5, 0);
    cr_assert_eq(cfg->movement.lookahead_steps, 2, "default");
    cr_assert_float_eq(cfg->movement.lookahead_discount, 0.5, 0, "default");
    cr_assert_float_eq(cfg->speed[MIG_MODE_FOOT], 15, 0);
    cr_assert_eq(cfg->output.chunk_days, 32, "default");
    cr_assert_str_eq(cfg->places_path, MIGSIM_SOURCE_DIR "/configs/demo/places.csv");
    /* the resolved text carries every value used, defaults included */
    cr_assert_not_null(strstr(cfg->resolved_yaml, "lookahead_discount: 0.5"));
    cr_assert_not_null(strstr(cfg->resolved_yaml, "chunk_days: 32"));
    cr_assert_not_null(strstr(cfg->resolved_yaml, "rate: 250.5"));
    /* locations */
    cr_assert_str_eq(mig_config_where(cfg, "days"), DEMO ":9:7");
    cr_assert_str_eq(mig_config_where(cfg, "output.chunk_days"), DEMO, "defaults point at the file");
    cr_assert(mig_config_has(cfg, "sources[1].from"));
    cr_assert_not(mig_config_has(cfg, "sources[0].from"));
    cr_assert_not(mig_config_has(cfg, "max_agents"));
    mig_config_destroy(&cfg);
    cr_assert_null(cfg);
    mig_ctx_destroy(&ctx);
}

Test(config, overrides_apply_and_are_located)
{
    const char *over[] = { "days=120", "movement.distance_power=2", "sources[1].rate=7",
                           "nationalities=[VENEZUELA, HONDURAS, CUBA]", "output.deflate=0" };
    mig_ctx *ctx;
    mig_config *cfg = load(over, 5, &ctx, MIG_OK);
    cr_assert_eq(cfg->days, 120);
    cr_assert_float_eq(cfg->movement.distance_power, 2.0, 0);
    cr_assert_float_eq(cfg->sources[1].rate, 7.0, 0);
    cr_assert_eq(cfg->n_nationalities, 3);
    cr_assert_eq(cfg->output.deflate, 0);
    cr_assert_str_eq(mig_config_where(cfg, "days"), "--set days=120");
    cr_assert_str_eq(mig_config_where(cfg, "sources[1].rate"), "--set sources[1].rate=7");
    cr_assert_not_null(strstr(cfg->resolved_yaml, "days: 120"));
    mig_config_destroy(&cfg);
    mig_ctx_destroy(&ctx);
}

Test(config, every_problem_is_reported)
{
    const char *over[] = { "days=0", "movement.lookahead_discount=1.5", "speed_km_per_day.air=0",
                           "output.deflate=10" };
    mig_ctx *ctx;
    mig_config *cfg = load(over, 4, &ctx, MIG_ECONFIG);
    cr_assert_null(cfg);
    cr_assert_eq(mig_ctx_n_errors(ctx), 4);
    cr_assert_str_eq(mig_ctx_error_at(ctx, 0), "--set days=0: days: expected a number of days in [1, 65535], got 0");
    cr_assert_str_eq(mig_ctx_error_at(ctx, 1),
                     "--set movement.lookahead_discount=1.5: movement.lookahead_discount: expected a discount in [0, 1], got 1.5");
    cr_assert_str_eq(mig_ctx_error_at(ctx, 2),
                     "--set speed_km_per_day.air=0: speed_km_per_day.air: expected a speed in km/day in (0, 100000], got 0");
    cr_assert_str_eq(mig_ctx_error_at(ctx, 3),
                     "--set output.deflate=10: output.deflate: expected a gzip level in [0, 9], got 10");
    mig_ctx_destroy(&ctx);
}

/* Too many days is one problem, not also a time axis ending on "####-##-##" (issue 17, item 8) */
Test(config, too_many_days_reported_once)
{
    const char *over[] = { "days=2147483648" };
    mig_ctx *ctx;
    mig_config *cfg = load(over, 1, &ctx, MIG_ECONFIG);
    cr_assert_null(cfg);
    cr_assert_eq(mig_ctx_n_errors(ctx), 1);
    cr_assert_str_eq(mig_ctx_error_at(ctx, 0),
                     "--set days=2147483648: days: expected a number of days in [1, 65535], got 2147483648");
    mig_ctx_destroy(&ctx);
}

Test(config, missing_file)
{
    mig_ctx *ctx;
    mig_config *cfg = NULL;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_config_load("/nonexistent/s.yaml", NULL, 0, ctx, &cfg), MIG_ENOINPUT);
    cr_assert_null(cfg);
    cr_assert_str_eq(mig_ctx_error_at(ctx, 0), "/nonexistent/s.yaml: cannot open: No such file or directory");
    mig_ctx_destroy(&ctx);
}
