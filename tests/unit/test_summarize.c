/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_summarize.c: mig_summarize on small run files written here with the HDF5 C API
 * (a time scale, a place scale, an auxiliary coordinate, two variables over time, and a
 * provenance seed): mean, sd and quantiles equal values computed independently, the layout
 * (dimension scales, attributes, provenance) of the summary, the exact message for every
 * kind of mismatched input, and that a failure leaves nothing at the output path; --vars:
 * only the chosen variables, byte for byte the full summary's, and its errors. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include "mig_ctx.h"
#include "mig_h5.h"
#include "mig_summarize.h"
#include "mig_util.h"
#include "../test_tmp.h"

#define DAYS 3
#define NP 2

/* occupancy of the three runs a, b, c over (time, place) */
static const int occ_abc[3][DAYS][NP] = {
    { { 1, 10 }, { 2, 20 }, { 3, 30 } },
    { { 2, 10 }, { 4, 25 }, { 3, 31 } },
    { { 4, 10 }, { 9, 21 }, { 3, 40 } },
};

typedef struct run_spec {
    const int (*occ)[NP];        /* [days][NP] */
    int days;
    const char *seed;
    const char *units;           /* of time; NULL: "days since 2023-01-01" */
    const char *place1;          /* NULL: "B" */
    int with_tot;                /* 1: also the variable tot (time) */
    int extra;                   /* 1: an extra dataset "extra" */
    int crt_order;               /* 1: links kept in creation order */
} run_spec;

static void str_attr(hid_t loc, const char *name, const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR), a;
    H5Tset_size(t, strlen(value) + 1);
    a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(a, 0);
    H5Awrite(a, t, value);
    H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
}

static hid_t put(hid_t f, const char *name, hid_t ftype, hid_t mtype, int rank, const hsize_t *dims, const void *data)
{
    hid_t s = H5Screate_simple(rank, dims, NULL), d;
    d = H5Dcreate2(f, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(d, 0, "create %s", name);
    cr_assert_geq(H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
    H5Sclose(s);
    return d;
}

static void make_run(const char *path, const run_spec *r)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), f, vstr, time, place, lat, occ, tot, g;
    hsize_t dt = (hsize_t)r->days, dp = NP, d2[2] = { (hsize_t)r->days, NP };
    int t[16], occ_flat[16 * NP], tot_v[16];
    double latv[NP] = { 8.5, -12.25 };
    const char *labels[NP] = { "A", r->place1 ? r->place1 : "B" };

    if (r->crt_order)
        H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    str_attr(f, "title", "tiny");
    str_attr(f, "source", "migsim");
    for (int i = 0; i < r->days; i++) {
        t[i] = i;
        tot_v[i] = 0;
        for (int p = 0; p < NP; p++) {
            occ_flat[i * NP + p] = r->occ[i][p];
            tot_v[i] += r->occ[i][p];
        }
    }
    time = put(f, "time", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &dt, t);
    str_attr(time, "units", r->units ? r->units : "days since 2023-01-01");
    str_attr(time, "long_name", "time");
    H5DSset_scale(time, "time");
    vstr = H5Tcopy(H5T_C_S1);
    H5Tset_size(vstr, H5T_VARIABLE);
    place = put(f, "place", vstr, vstr, 1, &dp, labels);
    str_attr(place, "long_name", "place name");
    H5DSset_scale(place, "place");
    lat = put(f, "place_lat", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &dp, latv);
    str_attr(lat, "units", "degrees_north");
    str_attr(lat, "long_name", "latitude");
    H5DSattach_scale(lat, place, 0);
    occ = put(f, "occ", H5T_STD_I32LE, H5T_NATIVE_INT, 2, d2, occ_flat);
    str_attr(occ, "units", "persons");
    str_attr(occ, "long_name", "persons at a place");
    str_attr(occ, "coordinates", "place_lat");
    H5DSattach_scale(occ, time, 0);
    H5DSattach_scale(occ, place, 1);
    if (r->with_tot) {
        tot = put(f, "tot", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &dt, tot_v);
        str_attr(tot, "units", "persons");
        str_attr(tot, "long_name", "everyone");
        H5DSattach_scale(tot, time, 0);
        H5Dclose(tot);
    }
    if (r->extra) {
        hid_t e = put(f, "extra", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &dp, latv);
        H5Dclose(e);
    }
    g = H5Gcreate2(f, "provenance", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    str_attr(g, "seed", r->seed);
    H5Gclose(g);
    H5Dclose(occ);
    H5Dclose(lat);
    H5Dclose(place);
    H5Dclose(time);
    H5Tclose(vstr);
    H5Fclose(f);
    H5Pclose(fcpl);
}

static void make_abc(void)
{
    run_spec a = { occ_abc[0], DAYS, "11", NULL, NULL, 1, 0, 1 };
    run_spec b = { occ_abc[1], DAYS, "12", NULL, NULL, 1, 0, 1 };
    run_spec c = { occ_abc[2], DAYS, "13", NULL, NULL, 1, 0, 0 };  /* no creation order: name order */
    make_run("a.h5", &a);
    make_run("b.h5", &b);
    make_run("c.h5", &c);
}

static char work_dir[512];

/* A fresh folder under $TMPDIR, made the working directory; removed after the test. */
static void enter_fresh_dir(void)
{
    tmp_dir_make(work_dir, sizeof work_dir, "migsim-summ");
    cr_assert_eq(chdir(work_dir), 0);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void remove_dir(void)
{
    tmp_dir_remove(work_dir);
}

TestSuite(summarize, .init = enter_fresh_dir, .fini = remove_dir);

static const double q3[3] = { 0.05, 0.5, 0.95 };

/* The statistics computed here, independently of the module: the mean as a sum over n, the
 * sample sd by the two-pass formula, the quantile by linear interpolation between order
 * statistics at h = (n - 1) q (Hyndman and Fan's type 7, numpy's default). */
static double mean_of(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

static double sd_of(const double *x, size_t n)
{
    double m = mean_of(x, n), s = 0;
    if (n < 2)
        return 0;
    for (size_t i = 0; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (double)(n - 1));
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double quantile_of(const double *x, size_t n, double q)
{
    double s[16], h;
    size_t i;
    cr_assert(n >= 1 && n <= 16);
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp);
    h = (double)(n - 1) * q;
    i = (size_t)floor(h);
    if (i >= n - 1 || i >= 15)
        return s[n - 1];
    return s[i] + (h - (double)i) * (s[i + 1] - s[i]);
}

static void read_doubles(hid_t f, const char *name, double *out)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), t;
    cr_assert_geq(d, 0, "no dataset %s", name);
    t = H5Dget_type(d);
    cr_expect(H5Tequal(t, H5T_IEEE_F64LE) > 0, "%s is float64", name);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), 0);
    H5Tclose(t);
    H5Dclose(d);
}

/* A string attribute of obj as text (caller frees); either string form is read. */
static char *attr_text(hid_t loc, const char *obj, const char *name)
{
    char *v;
    cr_assert_eq(mig_h5_get_string_attr(loc, obj, name, &v), 0, "no string attribute %s of %s", name, obj);
    return v;
}

static void expect_attr(hid_t f, const char *obj, const char *name, const char *want)
{
    char *v = attr_text(f, obj, name);
    cr_expect_str_eq(v, want, "%s of %s", name, obj);
    free(v);
}

/* 1 when dir holds a file whose name starts with prefix. */
static int has_file(const char *prefix)
{
    DIR *d = opendir(".");
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            found = 1;
    if (d)
        closedir(d);
    return found;
}

static mig_status summarize(const char *const *in, size_t n, const double *q, size_t nq, size_t block, char **err)
{
    mig_ctx *ctx = NULL;
    mig_summarize_opts o = { .quantiles = q, .n_quantiles = nq, .command_line = "migsim summarize test",
                             .block_bytes = block };
    mig_summarize_stats stats;
    mig_status st;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    ctx->threads = 2;
    st = mig_summarize(in, n, "out.h5", &o, ctx, &stats);
    *err = strdup(mig_ctx_n_errors(ctx) ? mig_ctx_error_at(ctx, 0) : "");
    if (st == MIG_OK) {
        cr_expect_eq(stats.n_inputs, n);
        cr_expect_eq(stats.n_vars, 2);
        cr_expect_eq(stats.n_copied, 3);
    }
    mig_ctx_destroy(&ctx);
    return st;
}

/* Every value of occ and tot against the independent computation. */
static void check_values(hid_t f, const int (*const *runs)[NP], size_t n)
{
    static const char *const suffix[5] = { "mean", "sd", "q05", "q50", "q95" };
    double got[DAYS * NP], x[16];
    char name[32];
    for (int s = 0; s < 5; s++) {
        snprintf(name, sizeof name, "occ_%s", suffix[s]);
        read_doubles(f, name, got);
        for (int t = 0; t < DAYS; t++)
            for (int p = 0; p < NP; p++) {
                double want;
                for (size_t i = 0; i < n; i++)
                    x[i] = runs[i][t][p];
                want = s == 0 ? mean_of(x, n) : s == 1 ? sd_of(x, n) : quantile_of(x, n, q3[s - 2]);
                cr_expect(fabs(got[t * NP + p] - want) <= 1e-12 * fabs(want), "%s[%d][%d] = %.17g, expected %.17g",
                          name, t, p, got[t * NP + p], want);
            }
        snprintf(name, sizeof name, "tot_%s", suffix[s]);
        read_doubles(f, name, got);
        for (int t = 0; t < DAYS; t++) {
            double want;
            for (size_t i = 0; i < n; i++)
                x[i] = runs[i][t][0] + runs[i][t][1];
            want = s == 0 ? mean_of(x, n) : s == 1 ? sd_of(x, n) : quantile_of(x, n, q3[s - 2]);
            cr_expect(fabs(got[t] - want) <= 1e-12 * fabs(want), "%s[%d] = %.17g, expected %.17g", name, t, got[t],
                      want);
        }
    }
}

/* ------------------------------------------------------------------ values --------- */

Test(summarize, three_runs_statistics)
{
    const char *in[] = { "a.h5", "b.h5", "c.h5" };
    const int (*runs[3])[NP] = { occ_abc[0], occ_abc[1], occ_abc[2] };
    double got[DAYS * NP];
    char *err;
    hid_t f;

    make_abc();
    cr_assert_eq(summarize(in, 3, q3, 3, 0, &err), MIG_OK, "%s", err);
    cr_expect_not(has_file("out.h5.tmp"));
    f = H5Fopen("out.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    check_values(f, runs, 3);

    /* the first element by hand: runs give 1, 2, 4 */
    read_doubles(f, "occ_mean", got);
    cr_expect_float_eq(got[0], 7.0 / 3.0, 1e-15);
    read_doubles(f, "occ_sd", got);
    cr_expect_float_eq(got[0], sqrt(7.0 / 3.0), 1e-15);
    read_doubles(f, "occ_q05", got);
    cr_expect_float_eq(got[0], 1.1, 1e-15);
    read_doubles(f, "occ_q50", got);
    cr_expect_eq(got[0], 2.0);
    read_doubles(f, "occ_q95", got);
    cr_expect_float_eq(got[0], 3.8, 1e-15);
    /* place B on day 0: 10, 10, 10 */
    cr_expect_eq(got[1], 10.0);
    read_doubles(f, "occ_sd", got);
    cr_expect_eq(got[1], 0.0);
    H5Fclose(f);
    free(err);
}

/* Reading in blocks of one time row gives the same file contents. */
Test(summarize, blocks_of_rows)
{
    const char *in[] = { "a.h5", "b.h5", "c.h5" };
    const int (*runs[3])[NP] = { occ_abc[0], occ_abc[1], occ_abc[2] };
    char *err;
    hid_t f;
    make_abc();
    cr_assert_eq(summarize(in, 3, q3, 3, 1, &err), MIG_OK, "%s", err);
    f = H5Fopen("out.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    check_values(f, runs, 3);
    H5Fclose(f);
    free(err);
}

Test(summarize, one_input)
{
    const char *in[] = { "a.h5" };
    const int (*runs[1])[NP] = { occ_abc[0] };
    char *err;
    double got[DAYS * NP];
    hid_t f;
    make_abc();
    cr_assert_eq(summarize(in, 1, q3, 3, 0, &err), MIG_OK, "%s", err);
    f = H5Fopen("out.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    check_values(f, runs, 1);
    read_doubles(f, "occ_sd", got);
    for (int i = 0; i < DAYS * NP; i++)
        cr_expect_eq(got[i], 0.0);
    read_doubles(f, "occ_q95", got);
    cr_expect_eq(got[3], 20.0);
    H5Fclose(f);
    free(err);
}

/* ------------------------------------------------------------------ layout --------- */

Test(summarize, layout_and_provenance)
{
    const char *in[] = { "a.h5", "b.h5", "c.h5" };
    const double q[2] = { 0.025, 1.0 };
    hid_t f, d, time, place, vstr;
    char *err, *labels[NP];
    double lat[NP], qa;
    int t[DAYS];
    static const char *const names[] = { "time", "place", "place_lat", "occ_mean", "occ_sd", "occ_q02_5",
                                         "occ_q100", "tot_mean", "tot_sd", "tot_q02_5", "tot_q100", NULL };

    make_abc();
    cr_assert_eq(summarize(in, 3, q, 2, 0, &err), MIG_OK, "%s", err);
    f = H5Fopen("out.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    for (int i = 0; names[i]; i++)
        cr_expect(H5Lexists(f, names[i], H5P_DEFAULT) > 0, "%s exists", names[i]);
    cr_expect_eq(H5Lexists(f, "occ", H5P_DEFAULT), 0);
    cr_expect_eq(H5Lexists(f, "occ_q05", H5P_DEFAULT), 0);

    /* the dimension scales and the auxiliary coordinate, copied with their labels */
    time = H5Dopen2(f, "time", H5P_DEFAULT);
    place = H5Dopen2(f, "place", H5P_DEFAULT);
    cr_expect_gt(H5DSis_scale(time), 0);
    cr_expect_gt(H5DSis_scale(place), 0);
    H5Dread(time, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t);
    cr_expect(t[0] == 0 && t[1] == 1 && t[2] == 2);
    expect_attr(f, "time", "units", "days since 2023-01-01");
    vstr = H5Tcopy(H5T_C_S1);
    H5Tset_size(vstr, H5T_VARIABLE);
    H5Dread(place, vstr, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels);
    cr_expect_str_eq(labels[0], "A");
    cr_expect_str_eq(labels[1], "B");
    H5free_memory(labels[0]);
    H5free_memory(labels[1]);
    H5Tclose(vstr);
    read_doubles(f, "place_lat", lat);
    cr_expect(lat[0] == 8.5 && lat[1] == -12.25);
    d = H5Dopen2(f, "place_lat", H5P_DEFAULT);
    cr_expect_gt(H5DSis_attached(d, place, 0), 0);
    H5Dclose(d);
    expect_attr(f, "place_lat", "units", "degrees_north");

    /* statistics: attached to time and place, with units, long_name and coordinates */
    d = H5Dopen2(f, "occ_q02_5", H5P_DEFAULT);
    cr_expect_gt(H5DSis_attached(d, time, 0), 0);
    cr_expect_gt(H5DSis_attached(d, place, 1), 0);
    H5Aread(H5Aopen(d, "quantile", H5P_DEFAULT), H5T_NATIVE_DOUBLE, &qa);
    cr_expect_eq(qa, 0.025);
    H5Dclose(d);
    d = H5Dopen2(f, "tot_mean", H5P_DEFAULT);
    cr_expect_gt(H5DSis_attached(d, time, 0), 0);
    H5Dclose(d);
    expect_attr(f, "occ_mean", "units", "persons");
    expect_attr(f, "occ_mean", "long_name", "mean of persons at a place");
    expect_attr(f, "occ_mean", "coordinates", "place_lat");
    expect_attr(f, "occ_mean", "cell_methods", "realization: mean");
    expect_attr(f, "occ_sd", "long_name", "standard deviation of persons at a place");
    expect_attr(f, "occ_sd", "cell_methods", "realization: standard_deviation");
    expect_attr(f, "occ_q02_5", "long_name", "0.025 quantile of persons at a place");
    expect_attr(f, "tot_q100", "long_name", "1 quantile of everyone");
    expect_attr(f, "/", "title", "tiny");
    expect_attr(f, "/", "source", "migsim summarize");

    /* provenance: the inputs, their seeds, n, the version */
    expect_attr(f, "provenance", "n_inputs", "3");
    expect_attr(f, "provenance", "inputs", "a.h5\nb.h5\nc.h5");
    expect_attr(f, "provenance", "input_seeds", "11\n12\n13");
    expect_attr(f, "provenance", "quantiles", "0.025,1");
    expect_attr(f, "provenance", "command_line", "migsim summarize test");
    {
        char *v = attr_text(f, "provenance", "migsim_version");
        cr_expect_str_not_empty(v);
        free(v);
    }
    H5Dclose(time);
    H5Dclose(place);
    H5Fclose(f);
    free(err);
}

/* ------------------------------------------------------------------ --vars -------- */

/* Summarizes a, b, c into out with vars[0..nv) (none: all); the error text in *err. */
static mig_status summarize_vars(const char *out, const char *const *vars, size_t nv, mig_summarize_stats *stats,
                                 char **err)
{
    const char *in[] = { "a.h5", "b.h5", "c.h5" };
    mig_ctx *ctx = NULL;
    mig_summarize_opts o = { .quantiles = q3, .n_quantiles = 3, .vars = vars, .n_vars = nv };
    mig_status st;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    ctx->threads = 2;
    st = mig_summarize(in, 3, out, &o, ctx, stats);
    *err = strdup(mig_ctx_n_errors(ctx) ? mig_ctx_error_at(ctx, 0) : "");
    mig_ctx_destroy(&ctx);
    return st;
}

/* --vars tot: only tot's statistics, byte for byte those of the full summary, with every
 * coordinate copied and the selection in /provenance; without it no "vars" attribute. */
Test(summarize, vars_selects_variables)
{
    static const char *const stats_tot[] = { "tot_mean", "tot_sd", "tot_q05", "tot_q50", "tot_q95" };
    static const char *const stats_occ[] = { "occ_mean", "occ_sd", "occ_q05", "occ_q50", "occ_q95" };
    const char *tot[] = { "tot" };
    mig_summarize_stats st_all, st_tot;
    double a[DAYS], b[DAYS], la[NP], lb[NP];
    char *err;
    hid_t fa, fb;

    make_abc();
    cr_assert_eq(summarize_vars("all.h5", NULL, 0, &st_all, &err), MIG_OK, "%s", err);
    free(err);
    cr_assert_eq(summarize_vars("tot.h5", tot, 1, &st_tot, &err), MIG_OK, "%s", err);
    free(err);
    cr_expect_eq(st_all.n_vars, 2);
    cr_expect_eq(st_tot.n_vars, 1);
    cr_expect_eq(st_tot.n_copied, 3);
    fa = H5Fopen("all.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    fb = H5Fopen("tot.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(fa >= 0 && fb >= 0);
    for (int k = 0; k < 5; k++) {
        cr_expect_eq(H5Lexists(fb, stats_occ[k], H5P_DEFAULT), 0, "%s is not summarized", stats_occ[k]);
        cr_expect_gt(H5Lexists(fa, stats_occ[k], H5P_DEFAULT), 0, "%s in the full summary", stats_occ[k]);
        read_doubles(fa, stats_tot[k], a);
        read_doubles(fb, stats_tot[k], b);
        cr_expect_eq(memcmp(a, b, sizeof a), 0, "%s differs from the full summary's", stats_tot[k]);
    }
    read_doubles(fa, "place_lat", la);
    read_doubles(fb, "place_lat", lb);
    cr_expect_eq(memcmp(la, lb, sizeof la), 0);
    cr_expect_gt(H5Lexists(fb, "time", H5P_DEFAULT), 0);
    cr_expect_gt(H5Lexists(fb, "place", H5P_DEFAULT), 0);
    expect_attr(fb, "provenance", "vars", "tot");
    expect_attr(fb, "tot_mean", "long_name", "mean of everyone");
    cr_expect_eq(H5Aexists_by_name(fa, "provenance", "vars", H5P_DEFAULT), 0, "no vars without a selection");
    H5Fclose(fa);
    H5Fclose(fb);
}

/* Both variables named, in another order: the datasets of the full summary, in its order. */
Test(summarize, vars_all_named_is_the_full_summary)
{
    const char *both[] = { "tot", "occ" };
    const int (*runs[3])[NP] = { occ_abc[0], occ_abc[1], occ_abc[2] };
    mig_summarize_stats st;
    char *err;
    hid_t f;
    make_abc();
    cr_assert_eq(summarize_vars("out.h5", both, 2, &st, &err), MIG_OK, "%s", err);
    free(err);
    cr_expect_eq(st.n_vars, 2);
    f = H5Fopen("out.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    check_values(f, runs, 3);
    expect_attr(f, "provenance", "vars", "tot,occ");
    H5Fclose(f);
}

/* A name that is no data variable, an empty one, a repeat: MIG_EUSAGE, exact text, no file. */
Test(summarize, vars_errors)
{
    static const struct {
        const char *v[2];
        size_t n;
        const char *message;
    } bad[] = {
        { { "occz" }, 1, "--vars: no data variable \"occz\" in a.h5 (did you mean \"occ\"?)" },
        { { "tot", "place_lat" }, 2, "--vars: no data variable \"place_lat\" in a.h5 (expected one of: occ, tot)" },
        { { "occ", "occ" }, 2, "--vars: \"occ\" given twice" },
        { { "" }, 1, "--vars: an empty name (expected NAME[,NAME...])" },
    };
    mig_summarize_stats st;
    mig_ctx *ctx = NULL;
    char *err;
    make_abc();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(summarize_vars("out.h5", bad[i].v, bad[i].n, &st, &err), MIG_EUSAGE, "case %zu", i);
        cr_expect_str_eq(err, bad[i].message);
        cr_expect_not(has_file("out.h5"), "no output, nor a temporary one, may be left");
        free(err);
    }
    /* the same check on one file, as ensemble makes it after its first run */
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_expect_eq(mig_summarize_check_vars("b.h5", NULL, (const char *[]){ "occ", "tot" }, 2, ctx), MIG_OK);
    cr_expect_eq(mig_summarize_check_vars("b.h5", "the runs of s.yaml", (const char *[]){ "tott" }, 1, ctx),
                 MIG_EUSAGE);
    cr_expect_str_eq(mig_ctx_error_at(ctx, 0), "--vars: no data variable \"tott\" in the runs of s.yaml (did you mean "
                                               "\"tot\"?)");
    mig_ctx_destroy(&ctx);
}

Test(summarize, parse_vars)
{
    static const struct {
        const char *text, *message;
    } bad[] = {
        { "a,,b", "--vars: an empty name in \"a,,b\" (expected NAME[,NAME...])" },
        { "", "--vars: an empty name in \"\" (expected NAME[,NAME...])" },
        { "a,", "--vars: an empty name in \"a,\" (expected NAME[,NAME...])" },
        { ",a", "--vars: an empty name in \",a\" (expected NAME[,NAME...])" },
        { "a,b,a", "--vars: \"a\" given twice" },
    };
    char **v;
    size_t n;
    mig_ctx *ctx = NULL;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_summarize_parse_vars("encounters,occupancy", &v, &n, ctx), MIG_OK);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(v[0], "encounters");
    cr_expect_str_eq(v[1], "occupancy");
    mig_free_strings(v, n);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mig_ctx_clear_errors(ctx);
        cr_expect_eq(mig_summarize_parse_vars(bad[i].text, &v, &n, ctx), MIG_EUSAGE);
        cr_expect_null(v);
        cr_expect_eq(n, 0);
        cr_expect_str_eq(mig_ctx_error_at(ctx, 0), bad[i].message);
    }
    mig_ctx_destroy(&ctx);
}

/* ------------------------------------------------------------------ bad inputs ----- */

/* Summarizing in must fail with want and message, leaving no out.h5 (nor a temporary). */
static void expect_failure(const char *const *in, size_t n, mig_status want, const char *message)
{
    char *err;
    cr_expect_eq(summarize(in, n, q3, 3, 0, &err), want);
    cr_expect_str_eq(err, message);
    cr_expect_not(has_file("out.h5"), "no output, nor a temporary one, may be left");
    free(err);
}

Test(summarize, mismatched_labels)
{
    const char *in[] = { "a.h5", "b.h5", "z.h5" };
    run_spec z = { occ_abc[2], DAYS, "13", NULL, "Z", 1, 0, 1 };
    make_abc();
    make_run("z.h5", &z);
    expect_failure(in, 3, MIG_EDATA, "z.h5: place: entry 1 is \"Z\", in a.h5 \"B\"");
}

Test(summarize, mismatched_shape)
{
    static const int occ4[4][NP] = { { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } };
    const char *in[] = { "a.h5", "d.h5" };
    run_spec d = { occ4, 4, "9", NULL, NULL, 1, 0, 1 };
    make_abc();
    make_run("d.h5", &d);
    expect_failure(in, 2, MIG_EDATA, "d.h5: time: shape (4) differs from (3) in a.h5");
}

Test(summarize, mismatched_datasets)
{
    const char *in1[] = { "a.h5", "x.h5" }, *in2[] = { "a.h5", "y.h5" };
    run_spec x = { occ_abc[1], DAYS, "9", NULL, NULL, 1, 1, 1 };
    run_spec y = { occ_abc[1], DAYS, "9", NULL, NULL, 0, 0, 1 };
    make_abc();
    make_run("x.h5", &x);
    make_run("y.h5", &y);
    expect_failure(in1, 2, MIG_EDATA, "x.h5: dataset \"extra\" is not in a.h5");
    expect_failure(in2, 2, MIG_EDATA, "y.h5: dataset \"tot\" is missing (a.h5 has it)");
}

Test(summarize, mismatched_time_units)
{
    const char *in[] = { "a.h5", "u.h5" };
    run_spec u = { occ_abc[1], DAYS, "9", "days since 2024-01-01", NULL, 1, 0, 1 };
    make_abc();
    make_run("u.h5", &u);
    expect_failure(in, 2, MIG_EDATA,
                   "u.h5: time: units \"days since 2024-01-01\" differ from a.h5 (\"days since 2023-01-01\")");
}

Test(summarize, bad_files)
{
    const char *missing[] = { "a.h5", "nope.h5" }, *text[] = { "a.h5", "t.txt" }, *twice[] = { "a.h5", "b.h5", "a.h5" },
               *self[] = { "a.h5", "out.h5" };
    FILE *t;
    make_abc();
    t = fopen("t.txt", "w");
    fputs("not hdf5\n", t);
    fclose(t);
    expect_failure(missing, 2, MIG_ENOINPUT, "nope.h5: cannot open: No such file or directory");
    expect_failure(text, 2, MIG_EDATA, "t.txt: not an HDF5 file");
    expect_failure(twice, 3, MIG_EUSAGE, "a.h5: given twice (the same file as a.h5)");
    /* the output may not be an input: it would be replaced by the summary */
    cr_assert_eq(link("b.h5", "out.h5"), 0);
    {
        char *err;
        cr_expect_eq(summarize(self, 2, q3, 3, 0, &err), MIG_EUSAGE);
        cr_expect_str_eq(err, "out.h5: the output is also an input (inputs are never overwritten)");
        cr_expect_not(has_file("out.h5.tmp"));
        free(err);
    }
}

/* A negative count (INT_MIN from a damaged file) is refused, not averaged (issue 17, item 7). */
Test(summarize, negative_count)
{
    static const int occ_bad[DAYS][NP] = { { 1, 10 }, { 2, 20 }, { 3, -2147483647 - 1 } };
    const char *in[] = { "a.h5", "n.h5" };
    run_spec n = { occ_bad, DAYS, "9", NULL, NULL, 1, 0, 1 };
    make_abc();
    make_run("n.h5", &n);
    expect_failure(in, 2, MIG_EDATA,
                   "n.h5: occ: entry 1 of time row 2 is -2147483648; a migsim output holds no negative integer "
                   "(the file is damaged)");
}

/* A failed summary leaves an existing file at the output path as it was. */
Test(summarize, failure_keeps_existing_output)
{
    const char *in[] = { "a.h5", "z.h5" };
    run_spec z = { occ_abc[2], DAYS, "13", NULL, "Z", 1, 0, 1 };
    char *err, buf[64] = "";
    FILE *f;
    make_abc();
    make_run("z.h5", &z);
    f = fopen("out.h5", "w");
    fputs("previous\n", f);
    fclose(f);
    cr_expect_eq(summarize(in, 2, q3, 3, 0, &err), MIG_EDATA);
    f = fopen("out.h5", "r");
    cr_assert_not_null(fgets(buf, sizeof buf, f));
    fclose(f);
    cr_expect_str_eq(buf, "previous\n");
    cr_expect_not(has_file("out.h5.tmp"));
    free(err);
}

/* ------------------------------------------------------------------ quantiles ------ */

/* Quantiles of known distributions are reproduced (issue 15, item 6). 201 runs, written in a
 * shuffled order, hold in occ[.][0] the quantiles F^-1(g / 200), g = 0..200, of Beta(2, 5)
 * (times 10^6, rounded) and in occ[.][1] g itself (the discrete uniform on 0..200). Type 7
 * quantiles at p = 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95 fall on order statistics, so they
 * must give Beta(2, 5)'s quantiles (GSL's gsl_cdf_beta_Pinv) to the rounding (0.5 / 10^6)
 * and 200 p exactly. Weighted (as ensemble weights draws): g / 200 with weights the Beta(2, 5)
 * density at g / 200 must give its quantiles within 0.005 (a grid of step 0.005; got 0.0025).
 * An off-by-one order statistic would be off by 0.01 to 0.05. */
#define N_KNOWN 201

static void make_known_runs(char names[N_KNOWN][16], const char *in[N_KNOWN], double w[N_KNOWN])
{
    static int occ[N_KNOWN][DAYS][NP];
    for (int i = 0; i < N_KNOWN; i++) {
        int g = (i * 37) % N_KNOWN;          /* 37 and 201 are coprime: a permutation */
        run_spec r = { (const int(*)[NP])occ[i], DAYS, "1", NULL, NULL, 1, 0, 1 };
        for (int t = 0; t < DAYS; t++) {
            occ[i][t][0] = (int)lround(1e6 * gsl_cdf_beta_Pinv(g / 200.0, 2.0, 5.0));
            occ[i][t][1] = g;
        }
        w[i] = gsl_ran_beta_pdf(g / 200.0, 2.0, 5.0);
        snprintf(names[i], 16, "k%03d.h5", i);
        in[i] = names[i];
        make_run(names[i], &r);
    }
}

Test(summarize, quantiles_of_known_distributions)
{
    static const double q[7] = { 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95 };
    static const char *const qn[7] = { "q05", "q10", "q25", "q50", "q75", "q90", "q95" };
    static char names[N_KNOWN][16];
    const char *in[N_KNOWN];
    double w[N_KNOWN], got[DAYS * NP];
    char *err, name[32];
    mig_ctx *ctx = NULL;
    mig_summarize_stats stats;
    mig_summarize_opts o = { .quantiles = q, .n_quantiles = 7, .weights = w };
    hid_t f;

    make_known_runs(names, in, w);
    cr_assert_eq(summarize(in, N_KNOWN, q, 7, 0, &err), MIG_OK, "%s", err);
    free(err);
    f = H5Fopen("out.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    for (int k = 0; k < 7; k++) {
        double beta = 1e6 * gsl_cdf_beta_Pinv(q[k], 2.0, 5.0);
        snprintf(name, sizeof name, "occ_%s", qn[k]);
        read_doubles(f, name, got);
        for (int t = 0; t < DAYS; t++) {
            cr_expect(fabs(got[t * NP] - beta) <= 0.5, "%s: %.1f, Beta(2, 5)'s %.1f (x 10^6)", name, got[t * NP], beta);
            cr_expect_eq(got[t * NP + 1], 200.0 * q[k], "%s: %.17g, expected %g", name, got[t * NP + 1], 200.0 * q[k]);
        }
    }
    H5Fclose(f);
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_summarize(in, N_KNOWN, "outw.h5", &o, ctx, &stats), MIG_OK);
    mig_ctx_destroy(&ctx);
    f = H5Fopen("outw.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    for (int k = 0; k < 7; k++) {
        double beta = gsl_cdf_beta_Pinv(q[k], 2.0, 5.0);
        snprintf(name, sizeof name, "occ_%s", qn[k]);
        read_doubles(f, name, got);
        cr_expect(fabs(got[1] / 200.0 - beta) <= 0.005, "weighted %s: %.4f, Beta(2, 5)'s %.4f", name,
                  got[1] / 200.0, beta);
    }
    H5Fclose(f);
}

Test(summarize, quantile_names)
{
    static const struct {
        double q;
        const char *name;
    } k[] = { { 0.05, "q05" }, { 0.5, "q50" }, { 0.95, "q95" }, { 0.025, "q02_5" }, { 0.0, "q00" },
              { 1.0, "q100" }, { 0.999, "q99_9" }, { 0.07, "q07" }, { 0.123456, "q12_3456" } };
    char name[32];
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        mig_summarize_quantile_name(k[i].q, name, sizeof name);
        cr_expect_str_eq(name, k[i].name, "quantile %g", k[i].q);
    }
}

Test(summarize, parse_quantiles)
{
    double q[MIG_SUMMARIZE_MAX_QUANTILES];
    size_t n;
    mig_ctx *ctx = NULL;
    static const struct {
        const char *text, *message;
    } bad[] = {
        { "0.5,x", "--quantiles: expected numbers in [0, 1] separated by commas, got \"0.5,x\"" },
        { "", "--quantiles: expected numbers in [0, 1] separated by commas, got \"\"" },
        { "0.5,,0.6", "--quantiles: expected numbers in [0, 1] separated by commas, got \"0.5,,0.6\"" },
        { "1.5", "--quantiles: expected numbers in [0, 1] separated by commas, got \"1.5\"" },
        { "0.5,", "--quantiles: expected numbers in [0, 1] separated by commas, got \"0.5,\"" },
        { "0.5,0.50", "--quantiles: 0.5 and 0.5 both give q50" },
    };
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_summarize_parse_quantiles("0.05,0.5,0.95", q, &n, ctx), MIG_OK);
    cr_expect_eq(n, 3);
    cr_expect(q[0] == 0.05 && q[1] == 0.5 && q[2] == 0.95);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mig_ctx_clear_errors(ctx);
        cr_expect_eq(mig_summarize_parse_quantiles(bad[i].text, q, &n, ctx), MIG_EUSAGE);
        cr_expect_str_eq(mig_ctx_error_at(ctx, 0), bad[i].message);
    }
    mig_ctx_destroy(&ctx);
}

/* ------------------------------------------------------------------ command line --- */

static int run_migsim(const char *const *args, char **err)
{
    pid_t pid = fork();
    int status;
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int fd = open("stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            _exit(127);
        dup2(fd, 2);
        execv(MIGSIM_BINARY, (char *const *)args);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    {
        FILE *f = fopen("stderr.txt", "r");
        *err = calloc(1, 4096);
        if (f) {
            size_t n = fread(*err, 1, 4095, f);
            (*err)[n] = '\0';
            fclose(f);
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

Test(summarize, cli)
{
    const char *ok[] = { "migsim", "summarize", "a.h5", "b.h5", "c.h5", "-o", "out.h5", "--quiet", NULL };
    const char *bad[] = { "migsim", "summarize", "a.h5", "z.h5", "-o", "out2.h5", NULL };
    const char *noout[] = { "migsim", "summarize", "a.h5", NULL };
    const char *badq[] = { "migsim", "summarize", "a.h5", "-o", "out2.h5", "--quantiles", "0.5,2", NULL };
    const char *nodir[] = { "migsim", "summarize", "a.h5", "-o", "no/out2.h5", NULL };
    const char *badv[] = { "migsim", "summarize", "a.h5", "b.h5", "-o", "out2.h5", "--vars", "tot,occz", NULL };
    const char *emptyv[] = { "migsim", "summarize", "a.h5", "-o", "out2.h5", "--vars", "occ,,tot", NULL };
    const char *okv[] = { "migsim", "summarize", "a.h5", "b.h5", "c.h5", "-o", "out3.h5", "--vars", "tot", "-q", NULL };
    run_spec z = { occ_abc[2], DAYS, "13", NULL, "Z", 1, 0, 1 };
    char *err;
    make_abc();
    make_run("z.h5", &z);
    cr_expect_eq(run_migsim(ok, &err), 0, "%s", err);
    cr_expect_str_empty(err);
    cr_expect(has_file("out.h5"));
    free(err);
    cr_expect_eq(run_migsim(bad, &err), 65);
    cr_expect_str_eq(err, "migsim: z.h5: place: entry 1 is \"Z\", in a.h5 \"B\"\n");
    free(err);
    cr_expect_eq(run_migsim(noout, &err), 64);
    cr_expect_str_eq(err, "migsim: summarize: missing -o ENSEMBLE.h5\nTry 'migsim --help'.\n");
    free(err);
    cr_expect_eq(run_migsim(badq, &err), 64);
    cr_expect_str_eq(err, "migsim: summarize: --quantiles: expected numbers in [0, 1] separated by commas, got "
                          "\"0.5,2\"\nTry 'migsim --help'.\n");
    free(err);
    cr_expect_eq(run_migsim(nodir, &err), 74);
    cr_expect_str_eq(err, "migsim: no/out2.h5: cannot create output file: No such file or directory\n");
    free(err);
    cr_expect_eq(run_migsim(badv, &err), 64);
    cr_expect_str_eq(err, "migsim: --vars: no data variable \"occz\" in a.h5 (did you mean \"occ\"?)\n");
    free(err);
    cr_expect_eq(run_migsim(emptyv, &err), 64);
    cr_expect_str_eq(err, "migsim: summarize: --vars: an empty name in \"occ,,tot\" (expected NAME[,NAME...])\n"
                          "Try 'migsim --help'.\n");
    free(err);
    cr_expect_eq(run_migsim(okv, &err), 0, "%s", err);
    free(err);
    {
        hid_t f = H5Fopen("out3.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
        cr_assert_geq(f, 0);
        cr_expect_gt(H5Lexists(f, "tot_mean", H5P_DEFAULT), 0);
        cr_expect_eq(H5Lexists(f, "occ_mean", H5P_DEFAULT), 0);
        expect_attr(f, "provenance", "vars", "tot");
        H5Fclose(f);
    }
    cr_expect_not(has_file("out2.h5"));
}
