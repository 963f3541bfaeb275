/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_sobol.c: mig_sobol's estimators on functions whose Sobol indices are known.
 * 1. Ishigami (a = 7, b = 0.1, x_i uniform on [-pi, pi]): S1 = (0.3139, 0.4424, 0),
 *    ST = (0.5576, 0.4424, 0.2437) (Saltelli et al. 2008, sec. 4.5; Sobol' and Levitan 1999).
 *    From the Saltelli design of 8192 base points (40960 evaluations; a quasi-random design,
 *    so the figures are the same on every run) every index must lie within 0.005 of its
 *    value (got: S1 0.3142, 0.4426, 0.0004; ST 0.5577, 0.4427, 0.2435), and every 95 %
 *    bootstrap interval (500 resamples) must contain it and be narrower than 0.1.
 * 2. A linear function sum a_i x_i of independent uniforms: S1_i = ST_i = a_i^2 / sum a_j^2
 *    (0.75, 0.1875, 0.0625 for a = 4, 2, 1), within 0.01 with 4096 base points.
 * 3. The design: blocks A, B and AB_i laid out as documented (AB_i equals A but in column
 *    i, which equals B's); every coordinate in [0, 1).
 * 4. Deterministic: the same seed gives the same intervals bit for bit, another seed other
 *    intervals; constant outputs and bad arguments are refused with exact messages.
 * 5. HDF5 (mig_sobol_write_h5): Ishigami's indices written and read back equal the computed
 *    ones bit for bit (and so lie within 0.005 of the exact values), labelled by parameter
 *    and output, with the provenance given; a file that cannot be made leaves nothing behind
 *    and names the path. */
#include <criterion/criterion.h>

#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mig_h5.h"
#include "mig_sobol.h"
#include "mig_sobol_h5.h"
#include "../test_tmp.h"

static double ishigami(const double *u)
{
    double x1 = -M_PI + 2 * M_PI * u[0], x2 = -M_PI + 2 * M_PI * u[1], x3 = -M_PI + 2 * M_PI * u[2];
    return sin(x1) + 7.0 * sin(x2) * sin(x2) + 0.1 * pow(x3, 4) * sin(x1);
}

static double linear(const double *u)
{
    return 4.0 * u[0] + 2.0 * u[1] + 1.0 * u[2];
}

/* The outputs of f over the Saltelli design of n base points, k = 3 (caller frees). */
static double *outputs(double (*f)(const double *), size_t n)
{
    size_t k = 3, m = (k + 2) * n;
    double *u = malloc(m * k * sizeof *u), *y = malloc(m * sizeof *y);
    cr_assert(u && y);
    cr_assert_eq(mig_sobol_design(n, k, u), MIG_OK);
    for (size_t p = 0; p < m; p++)
        y[p] = f(u + p * k);
    free(u);
    return y;
}

Test(sobol, ishigami)
{
    static const double s1[3] = { 0.3139, 0.4424, 0.0 }, st[3] = { 0.5576, 0.4424, 0.2437 };
    size_t n = 8192;
    double *y = outputs(ishigami, n);
    mig_ctx *ctx;
    mig_sobol_result r;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_sobol_indices(y, n, 3, 500, 0.95, 42, ctx, &r), MIG_OK);
    for (size_t i = 0; i < 3; i++) {
        cr_log_info("x%zu: S1 %.4f [%.4f, %.4f] (exact %.4f), ST %.4f [%.4f, %.4f] (exact %.4f)", i + 1, r.s1[i],
                    r.s1_lo[i], r.s1_hi[i], s1[i], r.st[i], r.st_lo[i], r.st_hi[i], st[i]);
        cr_expect(fabs(r.s1[i] - s1[i]) < 0.005, "S1 of x%zu: %.4f, expected %.4f +- 0.005", i + 1, r.s1[i], s1[i]);
        cr_expect(fabs(r.st[i] - st[i]) < 0.005, "ST of x%zu: %.4f, expected %.4f +- 0.005", i + 1, r.st[i], st[i]);
        cr_expect(r.s1_lo[i] <= s1[i] && s1[i] <= r.s1_hi[i] && r.s1_hi[i] - r.s1_lo[i] < 0.1,
                  "S1 of x%zu: interval [%.4f, %.4f]", i + 1, r.s1_lo[i], r.s1_hi[i]);
        cr_expect(r.st_lo[i] <= st[i] && st[i] <= r.st_hi[i] && r.st_hi[i] - r.st_lo[i] < 0.1,
                  "ST of x%zu: interval [%.4f, %.4f]", i + 1, r.st_lo[i], r.st_hi[i]);
    }
    /* the variance of the Ishigami function: a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 */
    cr_expect(fabs(r.var - 13.8446) / 13.8446 < 0.02, "variance %.4f, expected 13.8446", r.var);
    cr_expect(fabs(r.mean - 3.5) < 0.05, "mean %.4f, expected a/2 = 3.5", r.mean);
    mig_sobol_result_free(&r);
    mig_ctx_destroy(&ctx);
    free(y);
}

Test(sobol, linear)
{
    static const double s[3] = { 16.0 / 21.0, 4.0 / 21.0, 1.0 / 21.0 };
    size_t n = 4096;
    double *y = outputs(linear, n);
    mig_ctx *ctx;
    mig_sobol_result r;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_sobol_indices(y, n, 3, 0, 0.95, 1, ctx, &r), MIG_OK);
    for (size_t i = 0; i < 3; i++) {
        cr_expect(fabs(r.s1[i] - s[i]) < 0.01, "S1 of x%zu: %.4f, expected %.4f", i + 1, r.s1[i], s[i]);
        cr_expect(fabs(r.st[i] - s[i]) < 0.01, "ST of x%zu: %.4f, expected %.4f", i + 1, r.st[i], s[i]);
        cr_expect(isnan(r.s1_lo[i]) && isnan(r.st_hi[i]), "no bootstrap: no interval");
    }
    mig_sobol_result_free(&r);
    mig_ctx_destroy(&ctx);
    free(y);
}

Test(sobol, design_layout)
{
    size_t n = 16, k = 3;
    double *u = malloc((k + 2) * n * k * sizeof *u);
    cr_assert_eq(mig_sobol_design(n, k, u), MIG_OK);
    for (size_t j = 0; j < n; j++) {
        const double *a = u + j * k, *b = u + (n + j) * k;
        for (size_t i = 0; i < k; i++) {
            const double *ab = u + ((2 + i) * n + j) * k;
            cr_expect(a[i] >= 0 && a[i] < 1 && b[i] >= 0 && b[i] < 1);
            for (size_t c = 0; c < k; c++)
                cr_expect_eq(ab[c], c == i ? b[c] : a[c], "AB_%zu row %zu column %zu", i, j, c);
        }
    }
    cr_expect_eq(mig_sobol_design(n, 0, u), MIG_EUSAGE);
    cr_expect_eq(mig_sobol_design(n, MIG_SOBOL_MAX_PARAMS + 1, u), MIG_EUSAGE);
    free(u);
}

Test(sobol, deterministic_and_errors)
{
    size_t n = 64;
    double *y = outputs(ishigami, n), flat[5 * 4] = { 0 };
    mig_ctx *ctx;
    mig_sobol_result a, b, c;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_sobol_indices(y, n, 3, 200, 0.9, 7, ctx, &a), MIG_OK);
    cr_assert_eq(mig_sobol_indices(y, n, 3, 200, 0.9, 7, ctx, &b), MIG_OK);
    cr_assert_eq(mig_sobol_indices(y, n, 3, 200, 0.9, 8, ctx, &c), MIG_OK);
    int differ = 0;
    for (size_t i = 0; i < 3; i++) {
        cr_expect_eq(a.s1_lo[i], b.s1_lo[i]);
        cr_expect_eq(a.st_hi[i], b.st_hi[i]);
        differ += a.s1_lo[i] != c.s1_lo[i];
    }
    cr_expect(differ > 0, "another seed, other resamples");
    mig_sobol_result_free(&a);
    mig_sobol_result_free(&b);
    mig_sobol_result_free(&c);
    for (size_t p = 0; p < 20; p++)
        flat[p] = 2.5;
    cr_expect_eq(mig_sobol_indices(flat, 4, 3, 10, 0.95, 1, ctx, &a), MIG_EDATA);
    cr_expect_str_eq(mig_ctx_error_at(ctx, 0),
                     "sobol: the output is the same (2.5) at every point of A and B: no variance to apportion");
    flat[13] = NAN;
    cr_expect_eq(mig_sobol_indices(flat, 4, 3, 10, 0.95, 1, ctx, &a), MIG_EDATA);
    cr_expect_str_eq(mig_ctx_error_at(ctx, 1), "sobol: the output of design point 13 (block 3, row 1) is nan");
    cr_expect_eq(mig_sobol_indices(flat, 1, 3, 10, 0.95, 1, ctx, &a), MIG_EUSAGE);
    cr_expect_eq(mig_sobol_indices(flat, 4, 3, 10, 1.0, 1, ctx, &a), MIG_EUSAGE);
    mig_ctx_destroy(&ctx);
    free(y);
}

/* Dataset name of f as n doubles into v. */
static void read_doubles(hid_t f, const char *name, double *v, size_t n)
{
    hsize_t dims[2] = { 0, 0 };
    cr_assert_geq(H5LTget_dataset_info(f, name, dims, NULL, NULL), 0, "%s", name);
    cr_assert_eq(dims[0] * (dims[1] ? dims[1] : 1), n, "%s", name);
    cr_assert_geq(H5LTread_dataset_double(f, name, v), 0, "%s", name);
}

Test(sobol, ishigami_hdf5)
{
    static const double s1[3] = { 0.3139, 0.4424, 0.0 }, st[3] = { 0.5576, 0.4424, 0.2437 };
    static const char *const keys[3] = { "x1", "x2", "x3" };
    const mig_prov_item prov[] = { { "command_line", "test_sobol" }, { "manifest_sha256", "abc" } };
    const mig_sobol_h5_labels lab = { .output = "ishigami", .period = "all", .long_name = "Ishigami function",
                                      .parameters = keys, .replicates = 1, .runs = 5 * 8192 };
    char dir[256], path[320], bad[320];
    double *y = outputs(ishigami, 8192), v[3], lo[3], hi[3], ts[3], tlo[3], thi[3];
    char *labels[3] = { NULL }, *out[1] = { NULL }, *text = NULL;
    mig_ctx *ctx;
    mig_sobol_result r;
    hid_t f, d, t;

    tmp_dir_make(dir, sizeof dir, "migsim-sobol");
    snprintf(path, sizeof path, "%s/s.h5", dir);
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    mig_h5_errors(ctx);
    cr_assert_eq(mig_sobol_indices(y, 8192, 3, 200, 0.95, 42, ctx, &r), MIG_OK);
    cr_assert_eq(mig_sobol_write_h5(path, &r, &lab, prov, 2, ctx), MIG_OK);
    cr_assert_geq(f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), 0);
    read_doubles(f, "S1", v, 3);
    read_doubles(f, "S1_low", lo, 3);
    read_doubles(f, "S1_high", hi, 3);
    read_doubles(f, "ST", ts, 3);
    read_doubles(f, "ST_low", tlo, 3);
    read_doubles(f, "ST_high", thi, 3);
    for (size_t i = 0; i < 3; i++) {
        cr_expect(v[i] == r.s1[i] && lo[i] == r.s1_lo[i] && hi[i] == r.s1_hi[i], "S1 of x%zu", i + 1);
        cr_expect(ts[i] == r.st[i] && tlo[i] == r.st_lo[i] && thi[i] == r.st_hi[i], "ST of x%zu", i + 1);
        cr_expect(fabs(v[i] - s1[i]) < 0.005 && fabs(ts[i] - st[i]) < 0.005, "x%zu: %.4f %.4f", i + 1, v[i], ts[i]);
    }
    cr_assert_geq(d = H5Dopen2(f, "parameter", H5P_DEFAULT), 0);
    cr_assert_geq(t = H5Dget_type(d), 0);
    cr_assert_geq(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels), 0);
    cr_expect(labels[0] && strcmp(labels[0], "x1") == 0 && labels[2] && strcmp(labels[2], "x3") == 0);
    H5Dclose(d);
    cr_assert_geq(d = H5Dopen2(f, "output", H5P_DEFAULT), 0);
    cr_assert_geq(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), 0);
    cr_expect(out[0] && strcmp(out[0], "ishigami") == 0);
    H5Dclose(d);
    {
        hid_t ds = H5Dopen2(f, "S1", H5P_DEFAULT), sc = H5Dopen2(f, "parameter", H5P_DEFAULT);
        cr_expect_eq(H5DSis_attached(ds, sc, 1), 1, "S1's axis 1 is not the parameter scale");
        H5Dclose(ds);
        H5Dclose(sc);
    }
    cr_assert_eq(mig_h5_get_string_attr(f, "provenance", "manifest_sha256", &text), 0);
    cr_expect_str_eq(text, "abc");
    H5Tclose(t);
    H5Fclose(f);
    for (size_t i = 0; i < 3; i++)
        H5free_memory(labels[i]);
    H5free_memory(out[0]);
    /* a folder that does not exist: the error names the path, nothing is written */
    snprintf(bad, sizeof bad, "%s/nope/s.h5", dir);
    cr_expect_eq(mig_sobol_write_h5(bad, &r, &lab, prov, 2, ctx), MIG_EIO);
    cr_expect(strstr(mig_ctx_error_at(ctx, 0), "/nope/s.h5: cannot create output file: No such file or directory"),
              "%s", mig_ctx_error_at(ctx, 0));
    unlink(path);
    cr_expect_eq(rmdir(dir), 0, "the folder holds something besides s.h5");
    free(text);
    mig_sobol_result_free(&r);
    mig_ctx_destroy(&ctx);
    free(y);
}
