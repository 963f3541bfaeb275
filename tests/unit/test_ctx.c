/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_ctx.c: diagnostic records: the fields as given, the printed text built from them. */
#include <criterion/criterion.h>

#include "mig_ctx.h"

Test(ctx, record_fields_and_text)
{
    mig_ctx *ctx = NULL;
    mig_loc at = { "configs/x.yaml", 12, 7 }, file_only = { "s.yaml", 0, 0 };
    const mig_diag *d;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_ctx_diag(ctx, MIG_ECONFIG, &at, "routes[3].distance_km", "expected a positive number, got \"%s\"",
                              "far"),
                 MIG_ECONFIG);
    mig_ctx_diag(ctx, MIG_ENOINPUT, &file_only, NULL, "cannot open: %s", "No such file or directory");
    mig_ctx_diag(ctx, MIG_ECONFIG, NULL, "days", "expected %d", 1);
    mig_ctx_error(ctx, MIG_EUSAGE, "plain %s", "text");
    cr_assert_eq(mig_ctx_n_errors(ctx), 4);
    d = mig_ctx_diag_at(ctx, 0);
    cr_assert_eq(d->status, MIG_ECONFIG);
    cr_assert_str_eq(d->file, "configs/x.yaml");
    cr_assert_eq(d->line, 12);
    cr_assert_eq(d->column, 7);
    cr_assert_str_eq(d->field, "routes[3].distance_km");
    cr_assert_str_eq(d->message, "expected a positive number, got \"far\"");
    cr_assert_str_eq(mig_ctx_error_at(ctx, 0),
                     "configs/x.yaml:12:7: routes[3].distance_km: expected a positive number, got \"far\"");
    cr_assert_str_eq(mig_ctx_error_at(ctx, 1), "s.yaml: cannot open: No such file or directory");
    cr_assert_str_eq(mig_ctx_error_at(ctx, 2), "days: expected 1");
    cr_assert_str_eq(mig_ctx_error_at(ctx, 3), "plain text");
    cr_assert_null(mig_ctx_diag_at(ctx, 3)->file);
    cr_assert_null(mig_ctx_diag_at(ctx, 4));
    mig_ctx_destroy(&ctx);
}

Test(ctx, add_copies_a_record)
{
    mig_ctx *a = NULL, *b = NULL;
    mig_loc at = { "--set days=0", 0, 0 };
    cr_assert_eq(mig_ctx_create(&a), MIG_OK);
    cr_assert_eq(mig_ctx_create(&b), MIG_OK);
    mig_ctx_diag(a, MIG_ECONFIG, &at, "days", "expected a number of days in [1, 65535], got 0");
    mig_ctx_add(b, mig_ctx_diag_at(a, 0));
    mig_ctx_clear_errors(a);
    cr_assert_eq(mig_ctx_n_errors(a), 0);
    cr_assert_str_eq(mig_ctx_error_at(b, 0), "--set days=0: days: expected a number of days in [1, 65535], got 0");
    cr_assert_str_eq(mig_ctx_diag_at(b, 0)->field, "days");
    mig_ctx_destroy(&a);
    mig_ctx_destroy(&b);
}

/* The memo: a value under the exact bytes of its key (a key that is a prefix of another is
 * another key), copies of both kept, the oldest of MIG_MEMO_MAX + 1 dropped. */
Test(ctx, memo_keeps_values_under_exact_keys)
{
    mig_ctx *ctx = NULL;
    size_t len = 0;
    double v = 2.5;
    char key[8] = "key-0";
    const double *got;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_null(mig_ctx_memo_get(ctx, "abc", 3, &len));
    cr_assert_eq(mig_ctx_memo_put(ctx, "abc", 3, &v, sizeof v), MIG_OK);
    v = 0.0; /* a copy was kept */
    cr_assert_not_null(got = mig_ctx_memo_get(ctx, "abc", 3, &len));
    cr_assert_eq(len, sizeof v);
    cr_assert_eq(*got, 2.5);
    cr_assert_null(mig_ctx_memo_get(ctx, "ab", 2, &len));
    cr_assert_null(mig_ctx_memo_get(ctx, "abd", 3, &len));
    for (int i = 0; i < MIG_MEMO_MAX; i++) {
        key[4] = (char)('0' + i);
        v = i;
        cr_assert_eq(mig_ctx_memo_put(ctx, key, sizeof key, &v, sizeof v), MIG_OK);
    }
    cr_assert_eq(ctx->n_memo, MIG_MEMO_MAX);
    cr_assert_null(mig_ctx_memo_get(ctx, "abc", 3, &len), "the oldest was dropped");
    key[4] = '0';
    cr_assert_not_null(got = mig_ctx_memo_get(ctx, key, sizeof key, &len));
    cr_assert_eq(*got, 0.0);
    key[4] = (char)('0' + MIG_MEMO_MAX - 1);
    cr_assert_not_null(got = mig_ctx_memo_get(ctx, key, sizeof key, &len));
    cr_assert_eq(*got, MIG_MEMO_MAX - 1);
    mig_ctx_destroy(&ctx);
}
