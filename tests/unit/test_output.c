/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_output.c: mig_obs (the variable registry) and mig_output (the HDF5 writer):
 * values and layout read back through the HDF5 C API, the temporary-file discipline,
 * and the exact messages of every failure. When MIGSIM_KEEP_H5 names a path, the standard
 * test also leaves its file there for the reader scripts:
 *   MIGSIM_KEEP_H5=/tmp/h2/t.h5 ./test_output --filter 'output/standard_file'
 *   /usr/bin/python3 scripts/check_output.py /tmp/h2/t.h5 --engine netcdf4 --expect ...
 * (the sums to expect are printed by that test). */
#ifndef _POSIX_C_SOURCE
#endif
#include <criterion/criterion.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "mig_ctx.h"
#include "mig_h5.h"
#include "mig_network.h"
#include "mig_obs.h"
#include "mig_output.h"

/* ------------------------------------------------------------------------------------ */
/* fixtures */

#define NP 3
#define NL 3
#define NN 2

static const char *const nat_labels[NN] = { "SYR", "AFG" };

typedef struct world {
    mig_network net;
    mig_obs *obs;
    int64_t *occ, *flow, *arr, *spawn;   /* borrowed day buffers */
    mig_ctx *ctx;
} world;

static char *sdup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    cr_assert_not_null(d);
    strcpy(d, s);
    return d;
}

/* A hand-built network: A (origin) -> B (camp) -> C (destination), and back B -> A. */
static void net_build(mig_network *n, uint32_t n_links)
{
    static const char *names[NP] = { "Aleppo", "Kilis camp", "Gaziantep" };
    static const char *countries[NP] = { "Syria", "Türkiye", "Türkiye" };
    static const uint8_t kinds[NP] = { MIG_KIND_ORIGIN, MIG_KIND_CAMP, MIG_KIND_DESTINATION };
    static const uint32_t from[NL] = { 0, 1, 1 }, to[NL] = { 1, 2, 0 };
    static const uint8_t modes[NL] = { MIG_MODE_FOOT, MIG_MODE_BUS, MIG_MODE_FOOT };

    memset(n, 0, sizeof *n);
    n->n_places = NP;
    n->place_name = calloc(NP, sizeof(char *));
    n->place_country = calloc(NP, sizeof(char *));
    n->place_kind = calloc(NP, sizeof(uint8_t));
    n->place_lat = calloc(NP, sizeof(double));
    n->place_lon = calloc(NP, sizeof(double));
    n->place_capacity = calloc(NP, sizeof(uint32_t));
    n->place_attract = calloc(NP, sizeof(double));
    cr_assert(n->place_name && n->place_country && n->place_kind && n->place_lat &&
              n->place_lon && n->place_capacity && n->place_attract);
    for (int p = 0; p < NP; p++) {
        n->place_name[p] = sdup(names[p]);
        n->place_country[p] = sdup(countries[p]);
        n->place_kind[p] = kinds[p];
        n->place_lat[p] = 36.0 + 0.25 * p;
        n->place_lon[p] = 37.0 + 0.5 * p;
        n->place_capacity[p] = p == 1 ? 20000 : 0;
        n->place_attract[p] = 1.0 + p;
    }
    n->n_links = n_links;
    n->link_name = calloc(NL, sizeof(char *));
    n->link_from = calloc(NL, sizeof(uint32_t));
    n->link_to = calloc(NL, sizeof(uint32_t));
    n->link_km = calloc(NL, sizeof(double));
    n->link_mode = calloc(NL, sizeof(uint8_t));
    n->link_cost = calloc(NL, sizeof(double));
    n->link_risk = calloc(NL, sizeof(double));
    cr_assert(n->link_name && n->link_from && n->link_to && n->link_km && n->link_mode &&
              n->link_cost && n->link_risk);
    for (uint32_t l = 0; l < n_links; l++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s->%s", names[from[l]], names[to[l]]);
        n->link_name[l] = sdup(buf);
        n->link_from[l] = from[l];
        n->link_to[l] = to[l];
        n->link_km[l] = 50.0 + l;
        n->link_mode[l] = modes[l];
        n->link_cost[l] = 10.0 * l;
        n->link_risk[l] = 0.001 * l;
    }
}

static void net_free(mig_network *n)
{
    for (uint32_t p = 0; p < n->n_places; p++) {
        free(n->place_name[p]);
        free(n->place_country[p]);
    }
    for (uint32_t l = 0; l < n->n_links; l++)
        free(n->link_name[l]);
    free(n->place_name);
    free(n->place_country);
    free(n->place_kind);
    free(n->place_lat);
    free(n->place_lon);
    free(n->place_capacity);
    free(n->place_attract);
    free(n->link_name);
    free(n->link_from);
    free(n->link_to);
    free(n->link_km);
    free(n->link_mode);
    free(n->link_cost);
    free(n->link_risk);
}

static void world_init(world *w, uint32_t n_links)
{
    const mig_dim pl[1] = { MIG_DIM_PLACE }, li[1] = { MIG_DIM_LINK };
    const mig_dim pn[2] = { MIG_DIM_PLACE, MIG_DIM_NATIONALITY };

    memset(w, 0, sizeof *w);
    net_build(&w->net, n_links);
    cr_assert_eq(mig_ctx_create(&w->ctx), MIG_OK);
    cr_assert_eq(mig_obs_create(NP, n_links, NN, &w->obs), MIG_OK);
    cr_assert_eq(mig_obs_add(w->obs, "occupancy", "persons present at the end of the day",
                             "persons", 1, pl, &w->occ), MIG_OK);
    cr_assert_eq(mig_obs_add(w->obs, "flow", "persons who left along the link",
                             "persons day-1", 1, li, &w->flow), MIG_OK);
    cr_assert_eq(mig_obs_add(w->obs, "arrivals", "persons who arrived at the place",
                             "persons day-1", 2, pn, &w->arr), MIG_OK);
    cr_assert_eq(mig_obs_add(w->obs, "spawned", "persons who started at the place",
                             "persons day-1", 2, pn, &w->spawn), MIG_OK);
}

static void world_free(world *w)
{
    mig_obs_destroy(&w->obs);
    mig_ctx_destroy(&w->ctx);
    net_free(&w->net);
}

/* The known values of day t. */
static int32_t v_occ(uint32_t t, size_t p) { return (int32_t)(100 * t + p); }
static int32_t v_flow(uint32_t t, size_t l) { return (int32_t)(10 * t + l + 1); }
static int32_t v_arr(uint32_t t, size_t p, size_t n) { return (int32_t)(t + 2 * p + n); }
static int32_t v_spawn(uint32_t t, size_t p, size_t n)
{
    return t == 0 && p == 0 ? (int32_t)(1000 + n) : 0;
}

/* Sums of the four variables over days 0..days-1, by formula. */
static void expected_sums(uint32_t days, size_t n_links, int64_t s[4])
{
    memset(s, 0, 4 * sizeof *s);
    for (uint32_t t = 0; t < days; t++) {
        for (size_t p = 0; p < NP; p++) {
            s[0] += v_occ(t, p);
            for (size_t n = 0; n < NN; n++) {
                s[2] += v_arr(t, p, n);
                s[3] += v_spawn(t, p, n);
            }
        }
        for (size_t l = 0; l < n_links; l++)
            s[1] += v_flow(t, l);
    }
}

static void fill_day(world *w, uint32_t t)
{
    mig_obs_clear(w->obs);
    for (size_t p = 0; p < NP; p++) {
        w->occ[p] = v_occ(t, p);
        for (size_t n = 0; n < NN; n++) {
            w->arr[p * NN + n] = v_arr(t, p, n);
            w->spawn[p * NN + n] = v_spawn(t, p, n);
        }
    }
    for (size_t l = 0; l < w->net.n_links; l++)
        w->flow[l] = v_flow(t, l);
}

static mig_output_layout layout_for(const world *w, const char *path, uint32_t days,
                                    uint32_t chunk, int deflate)
{
    mig_output_layout L = { 0 };
    L.path = path;
    L.days = days;
    L.start_date = "2023-01-01";
    L.net = &w->net;
    L.nationalities = nat_labels;
    L.n_nationalities = NN;
    L.chunk_days = chunk;
    L.deflate = deflate;
    L.title = "migsim unit test: Aleppo corridor";
    return L;
}

/* A fresh folder per test (Criterion runs each test in its own process). */
static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "/tmp/migsim-test-output-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", dir);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void tmp_name(char *buf, size_t n, const char *path)
{
    snprintf(buf, n, "%s.tmp.%ld", path, (long)getpid());
}

/* Number of entries in dir. */
static int count_entries(const char *d)
{
    char cmd[160];
    FILE *f;
    int n = -1;
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", d);
    f = popen(cmd, "r");
    cr_assert_not_null(f);
    cr_assert_eq(fscanf(f, "%d", &n), 1);
    pclose(f);
    return n;
}

static const mig_prov_item prov[] = {
    { "seed", "42" },
    { "version", "0.1.0" },
    { "config", "name: test\nplaces: places.csv\n" },
};

/* Writes days 0..days-1 and finishes; asserts success. */
static void write_run(world *w, const char *path, uint32_t days, uint32_t chunk, int deflate)
{
    mig_output_layout L = layout_for(w, path, days, chunk, deflate);
    mig_output *o = NULL;

    cr_assert_eq(mig_output_create(&L, w->obs, w->ctx, &o), MIG_OK, "%s",
                 mig_ctx_n_errors(w->ctx) ? mig_ctx_error_at(w->ctx, 0) : "");
    for (uint32_t t = 0; t < days; t++) {
        fill_day(w, t);
        cr_assert_eq(mig_output_write_day(o, t, w->obs, w->ctx), MIG_OK);
    }
    cr_assert_eq(mig_output_finish(o, prov, sizeof prov / sizeof prov[0], w->ctx), MIG_OK, "%s",
                 mig_ctx_n_errors(w->ctx) ? mig_ctx_error_at(w->ctx, 0) : "");
    mig_output_destroy(&o);
    cr_assert_null(o);
}

/* ---- HDF5 reading helpers ---------------------------------------------------------- */

/* A provenance attribute name of obj as written: a scalar variable-length UTF-8 string
 * (netCDF-4's NC_STRING, which h5py reads back as str). Returns its text (caller frees). */
static char *vlen_attr(hid_t loc, const char *obj, const char *name)
{
    hid_t a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    hid_t t, sp, mt = H5Tcopy(H5T_C_S1);
    char *p = NULL, *v;

    cr_assert_geq(a, 0, "no attribute %s on %s", name, obj);
    t = H5Aget_type(a);
    sp = H5Aget_space(a);
    cr_assert_eq(H5Tget_class(t), H5T_STRING);
    cr_assert(H5Tis_variable_str(t) > 0, "attribute %s should be a variable-length string", name);
    cr_assert_eq(H5Tget_cset(t), H5T_CSET_UTF8);
    cr_assert_eq(H5Sget_simple_extent_type(sp), H5S_SCALAR, "attribute %s should be a scalar", name);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    cr_assert_geq(H5Aread(a, mt, &p), 0);
    cr_assert_not_null(p);
    v = strdup(p);
    H5free_memory(p);
    H5Tclose(mt);
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
    return v;
}

/* A CF attribute as written: a scalar fixed-length UTF-8 string (NC_CHAR), the form every
 * netCDF and CF tool reads. */
static void read_str_attr(hid_t loc, const char *obj, const char *name, char *buf, size_t n)
{
    hid_t a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    hid_t t, mt;
    size_t sz;
    char *tmp;

    cr_assert_geq(a, 0, "no attribute %s on %s", name, obj);
    t = H5Aget_type(a);
    cr_assert_eq(H5Tget_class(t), H5T_STRING);
    cr_assert_eq(H5Tis_variable_str(t), 0, "attribute %s should be a fixed-length string", name);
    cr_assert_eq(H5Tget_cset(t), H5T_CSET_UTF8);
    sz = H5Tget_size(t);
    tmp = calloc(sz + 1, 1);
    mt = H5Tcopy(t);
    cr_assert_geq(H5Aread(a, mt, tmp), 0);
    snprintf(buf, n, "%s", tmp);
    free(tmp);
    H5Tclose(mt);
    H5Tclose(t);
    H5Aclose(a);
}

static void assert_attr(hid_t loc, const char *obj, const char *name, const char *want)
{
    char buf[512];
    read_str_attr(loc, obj, name, buf, sizeof buf);
    cr_assert_str_eq(buf, want, "%s@%s", obj, name);
}

/* A provenance attribute: variable-length, with the text want. */
static void assert_prov(hid_t loc, const char *name, const char *want)
{
    char *v = vlen_attr(loc, "provenance", name);
    cr_assert_str_eq(v, want, "provenance@%s", name);
    free(v);
}

/* Reads a whole int32 dataset; returns malloc'ed values and its shape. */
static int32_t *read_i32(hid_t f, const char *name, int *rank, hsize_t dims[3])
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), s, t;
    hsize_t n = 1;
    int32_t *v;

    cr_assert_geq(d, 0, "no dataset %s", name);
    t = H5Dget_type(d);
    cr_assert(H5Tequal(t, H5T_STD_I32LE) > 0, "%s is not int32 little-endian", name);
    s = H5Dget_space(d);
    *rank = H5Sget_simple_extent_ndims(s);
    cr_assert(*rank >= 1 && *rank <= 3);
    H5Sget_simple_extent_dims(s, dims, NULL);
    for (int i = 0; i < *rank; i++)
        n *= dims[i];
    v = calloc(n ? n : 1, sizeof *v);
    if (n)
        cr_assert_geq(H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Sclose(s);
    H5Tclose(t);
    H5Dclose(d);
    return v;
}

/* Reads a 1-D variable-length string dataset into buf[i] (each up to 64 bytes). */
static hsize_t read_strs(hid_t f, const char *name, char buf[][64], hsize_t max)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), s, t;
    hsize_t n;
    char **v;

    cr_assert_geq(d, 0, "no dataset %s", name);
    t = H5Dget_type(d);
    cr_assert(H5Tis_variable_str(t) > 0, "%s should hold variable-length strings", name);
    cr_assert_eq(H5Tget_cset(t), H5T_CSET_UTF8);
    s = H5Dget_space(d);
    H5Sget_simple_extent_dims(s, &n, NULL);
    cr_assert_leq(n, max);
    v = calloc(n ? n : 1, sizeof *v);
    if (n)
        cr_assert_geq(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    for (hsize_t i = 0; i < n; i++)
        snprintf(buf[i], 64, "%s", v[i]);
    if (n)
        H5Dvlen_reclaim(t, s, H5P_DEFAULT, v);
    free(v);
    H5Sclose(s);
    H5Tclose(t);
    H5Dclose(d);
    return n;
}

static void assert_scale(hid_t f, const char *var, unsigned axis, const char *scale)
{
    hid_t d = H5Dopen2(f, var, H5P_DEFAULT), sc = H5Dopen2(f, scale, H5P_DEFAULT);
    char name[64] = "";
    cr_assert_geq(d, 0);
    cr_assert_geq(sc, 0);
    cr_assert_gt(H5DSis_scale(sc), 0, "%s is not a dimension scale", scale);
    cr_assert_gt(H5DSget_scale_name(sc, name, sizeof name), 0);
    cr_assert_str_eq(name, scale);
    cr_assert_gt(H5DSis_attached(d, sc, axis), 0, "%s axis %u is not %s", var, axis, scale);
    H5Dclose(sc);
    H5Dclose(d);
}

/* Chunk dims and filters of a dataset. */
static void layout_of(hid_t f, const char *name, int *chunked, hsize_t chunk[3], int *nfilt,
                      H5Z_filter_t filt[2], unsigned *level)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), pl = H5Dget_create_plist(d);
    *chunked = H5Pget_layout(pl) == H5D_CHUNKED;
    if (*chunked)
        H5Pget_chunk(pl, 3, chunk);
    *nfilt = H5Pget_nfilters(pl);
    *level = 0;
    for (int i = 0; i < *nfilt && i < 2; i++) {
        unsigned flags, cd[4];
        size_t ncd = 4;
        filt[i] = H5Pget_filter2(pl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL);
        if (filt[i] == H5Z_FILTER_DEFLATE)
            *level = cd[0];
    }
    H5Pclose(pl);
    H5Dclose(d);
}

/* ------------------------------------------------------------------------------------ */
/* mig_obs */

Test(obs, add_find_clear)
{
    mig_obs *obs = NULL;
    int64_t *a = NULL, *b = NULL, *c = NULL;
    const mig_dim pn[2] = { MIG_DIM_PLACE, MIG_DIM_NATIONALITY };
    const mig_dim li[1] = { MIG_DIM_LINK };
    char name[16] = "arrivals";

    cr_assert_eq(mig_obs_create(4, 7, 3, &obs), MIG_OK);
    cr_assert_eq(obs->dim_len[MIG_DIM_PLACE], 4);
    cr_assert_eq(obs->dim_len[MIG_DIM_LINK], 7);
    cr_assert_eq(obs->dim_len[MIG_DIM_NATIONALITY], 3);
    cr_assert_eq(mig_obs_add(obs, name, "arrivals", "persons day-1", 2, pn, &a), MIG_OK);
    name[0] = 'X'; /* the registry keeps its own copy */
    cr_assert_eq(mig_obs_add(obs, "flow", "flow", "persons day-1", 1, li, &b), MIG_OK);
    cr_assert_eq(mig_obs_add(obs, "deaths", "deaths in total", "persons day-1", 0, NULL, &c),
                 MIG_OK);
    cr_assert_eq(obs->n_vars, 3);
    cr_assert_str_eq(obs->vars[0].name, "arrivals");
    cr_assert_eq(obs->vars[0].size, 12);
    cr_assert_eq(obs->vars[1].size, 7);
    cr_assert_eq(obs->vars[2].size, 1);
    cr_assert_eq(obs->vars[0].day, a);
    cr_assert_eq(obs->vars[1].day, b);
    cr_assert_eq(mig_obs_find(obs, "flow"), 1);
    cr_assert_eq(mig_obs_find(obs, "deaths"), 2);
    cr_assert_eq(mig_obs_find(obs, "nope"), -1);
    for (int i = 0; i < 12; i++)
        a[i] = i + 1;
    b[6] = -5;
    c[0] = 9;
    mig_obs_clear(obs);
    for (int i = 0; i < 12; i++)
        cr_assert_eq(a[i], 0);
    cr_assert_eq(b[6], 0);
    cr_assert_eq(c[0], 0);
    cr_assert_str_eq(mig_dim_names[MIG_DIM_PLACE], "place");
    cr_assert_str_eq(mig_dim_names[MIG_DIM_LINK], "link");
    cr_assert_str_eq(mig_dim_names[MIG_DIM_NATIONALITY], "nationality");
    mig_obs_destroy(&obs);
    cr_assert_null(obs);
    mig_obs_destroy(&obs);
    mig_obs_destroy(NULL);
}

Test(obs, rejects_duplicates_and_bad_dims)
{
    mig_obs *obs = NULL;
    int64_t *a = (int64_t *)1;
    const mig_dim three[3] = { MIG_DIM_PLACE, MIG_DIM_LINK, MIG_DIM_NATIONALITY };
    const mig_dim bad[1] = { MIG_DIM_COUNT };

    cr_assert_eq(mig_obs_create(2, 2, 2, &obs), MIG_OK);
    cr_assert_eq(mig_obs_add(obs, "occupancy", "o", "persons", 1, three, &a), MIG_OK);
    a = (int64_t *)1;
    cr_assert_eq(mig_obs_add(obs, "occupancy", "o", "persons", 1, three, &a), MIG_EINTERNAL);
    cr_assert_null(a);
    a = (int64_t *)1;
    cr_assert_eq(mig_obs_add(obs, "three", "t", "1", 3, three, &a), MIG_EINTERNAL);
    cr_assert_null(a);
    cr_assert_eq(mig_obs_add(obs, "neg", "t", "1", -1, three, &a), MIG_EINTERNAL);
    cr_assert_eq(mig_obs_add(obs, "baddim", "t", "1", 1, bad, &a), MIG_EINTERNAL);
    cr_assert_eq(mig_obs_add(obs, "", "t", "1", 0, NULL, &a), MIG_EINTERNAL);
    cr_assert_eq(obs->n_vars, 1);
    mig_obs_destroy(&obs);
}

Test(obs, zero_length_dimension)
{
    mig_obs *obs = NULL;
    int64_t *a = NULL;
    const mig_dim li[1] = { MIG_DIM_LINK };

    cr_assert_eq(mig_obs_create(2, 0, 2, &obs), MIG_OK);
    cr_assert_eq(mig_obs_add(obs, "flow", "f", "persons day-1", 1, li, &a), MIG_OK);
    cr_assert_not_null(a);
    cr_assert_eq(obs->vars[0].size, 0);
    mig_obs_clear(obs);
    mig_obs_destroy(&obs);
}

/* ------------------------------------------------------------------------------------ */
/* mig_output */

TestSuite(output, .init = make_dir, .fini = remove_dir);

Test(output, standard_file)
{
    world w;
    char path[128], tmp[160];
    mig_output_layout L;
    mig_output *o = NULL;
    const uint32_t days = 10;
    hid_t f;
    int rank, chunked, nfilt;
    hsize_t dims[3], chunk[3];
    H5Z_filter_t filt[2];
    unsigned level;
    int32_t *v;
    char lab[8][64];
    const char *keep = getenv("MIGSIM_KEEP_H5");
    int64_t sums[4] = { 0 };

    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/run.h5", dir);
    tmp_name(tmp, sizeof tmp, path);
    L = layout_for(&w, path, days, 4, 4);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_OK);
    cr_assert(exists(tmp), "the temporary file %s should exist while writing", tmp);
    cr_assert_not(exists(path));
    for (uint32_t t = 0; t < days; t++) {
        fill_day(&w, t);
        cr_assert_eq(mig_output_write_day(o, t, w.obs, w.ctx), MIG_OK);
        cr_assert_not(exists(path));
    }
    cr_assert_eq(mig_output_finish(o, prov, 3, w.ctx), MIG_OK);
    cr_assert(exists(path));
    cr_assert_not(exists(tmp));
    cr_assert_eq(count_entries(dir), 1);
    mig_output_destroy(&o);
    cr_assert_null(o);
    cr_assert(exists(path), "destroy after finish keeps the file");
    cr_assert_eq(mig_ctx_n_errors(w.ctx), 0);

    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    assert_attr(f, ".", "title", "migsim unit test: Aleppo corridor");
    assert_attr(f, ".", "Conventions", "CF-1.8");
    assert_attr(f, ".", "source", "migsim");

    /* time */
    v = read_i32(f, "time", &rank, dims);
    cr_assert_eq(rank, 1);
    cr_assert_eq(dims[0], days);
    for (uint32_t t = 0; t < days; t++)
        cr_assert_eq(v[t], (int32_t)t);
    free(v);
    assert_attr(f, "time", "units", "days since 2023-01-01");
    assert_attr(f, "time", "calendar", "standard");
    assert_attr(f, "time", "long_name", "time");
    assert_attr(f, "time", "axis", "T");

    /* labels and auxiliary coordinates */
    cr_assert_eq(read_strs(f, "place", lab, 8), NP);
    cr_assert_str_eq(lab[0], "Aleppo");
    cr_assert_str_eq(lab[1], "Kilis camp");
    cr_assert_str_eq(lab[2], "Gaziantep");
    cr_assert_eq(read_strs(f, "link", lab, 8), NL);
    cr_assert_str_eq(lab[0], "Aleppo->Kilis camp");
    cr_assert_str_eq(lab[2], "Kilis camp->Aleppo");
    cr_assert_eq(read_strs(f, "nationality", lab, 8), NN);
    cr_assert_str_eq(lab[0], "SYR");
    cr_assert_str_eq(lab[1], "AFG");
    cr_assert_eq(read_strs(f, "place_country", lab, 8), NP);
    cr_assert_str_eq(lab[1], "Türkiye");
    cr_assert_eq(read_strs(f, "place_kind", lab, 8), NP);
    cr_assert_str_eq(lab[0], "origin");
    cr_assert_str_eq(lab[1], "camp");
    cr_assert_str_eq(lab[2], "destination");
    cr_assert_eq(read_strs(f, "link_from", lab, 8), NL);
    cr_assert_str_eq(lab[2], "Kilis camp");
    cr_assert_eq(read_strs(f, "link_to", lab, 8), NL);
    cr_assert_str_eq(lab[2], "Aleppo");
    cr_assert_eq(read_strs(f, "link_mode", lab, 8), NL);
    cr_assert_str_eq(lab[0], "foot");
    cr_assert_str_eq(lab[1], "bus");
    v = read_i32(f, "place_capacity", &rank, dims);
    cr_assert_eq(v[0], 0);
    cr_assert_eq(v[1], 20000);
    free(v);
    {
        double d[NP];
        hid_t ds = H5Dopen2(f, "place_lat", H5P_DEFAULT);
        cr_assert_geq(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d), 0);
        cr_assert_float_eq(d[2], 36.5, 1e-12);
        H5Dclose(ds);
    }
    assert_attr(f, "place_lat", "units", "degrees_north");
    assert_attr(f, "place_lon", "units", "degrees_east");
    assert_attr(f, "place_capacity", "units", "persons");
    assert_attr(f, "place_capacity", "long_name", "capacity of the place (0 = unlimited)");
    assert_attr(f, "place_attractiveness", "units", "1");
    assert_attr(f, "link_distance_km", "units", "km");
    assert_attr(f, "link_cost_usd", "units", "USD");
    assert_attr(f, "link_risk", "units", "1");
    assert_scale(f, "place_country", 0, "place");
    assert_scale(f, "link_risk", 0, "link");

    /* the four variables: values, shapes, scales, attributes, chunks, filters */
    v = read_i32(f, "occupancy", &rank, dims);
    cr_assert_eq(rank, 2);
    cr_assert_eq(dims[0], days);
    cr_assert_eq(dims[1], NP);
    for (uint32_t t = 0; t < days; t++)
        for (size_t p = 0; p < NP; p++) {
            cr_assert_eq(v[t * NP + p], v_occ(t, p), "occupancy[%u][%zu]", t, p);
            sums[0] += v[t * NP + p];
        }
    free(v);
    v = read_i32(f, "flow", &rank, dims);
    cr_assert_eq(rank, 2);
    cr_assert_eq(dims[1], NL);
    for (uint32_t t = 0; t < days; t++)
        for (size_t l = 0; l < NL; l++) {
            cr_assert_eq(v[t * NL + l], v_flow(t, l));
            sums[1] += v[t * NL + l];
        }
    free(v);
    v = read_i32(f, "arrivals", &rank, dims);
    cr_assert_eq(rank, 3);
    cr_assert(dims[0] == days && dims[1] == NP && dims[2] == NN);
    for (uint32_t t = 0; t < days; t++)
        for (size_t p = 0; p < NP; p++)
            for (size_t n = 0; n < NN; n++) {
                cr_assert_eq(v[(t * NP + p) * NN + n], v_arr(t, p, n));
                sums[2] += v[(t * NP + p) * NN + n];
            }
    free(v);
    v = read_i32(f, "spawned", &rank, dims);
    for (uint32_t t = 0; t < days; t++)
        for (size_t p = 0; p < NP; p++)
            for (size_t n = 0; n < NN; n++) {
                cr_assert_eq(v[(t * NP + p) * NN + n], v_spawn(t, p, n));
                sums[3] += v[(t * NP + p) * NN + n];
            }
    free(v);

    assert_attr(f, "occupancy", "units", "persons");
    assert_attr(f, "occupancy", "long_name", "persons present at the end of the day");
    assert_attr(f, "arrivals", "units", "persons day-1");
    assert_attr(f, "occupancy", "coordinates",
                "place_country place_kind place_lat place_lon place_capacity place_attractiveness");
    assert_attr(f, "flow", "coordinates",
                "link_from link_to link_distance_km link_mode link_cost_usd link_risk");
    assert_scale(f, "occupancy", 0, "time");
    assert_scale(f, "occupancy", 1, "place");
    assert_scale(f, "flow", 1, "link");
    assert_scale(f, "arrivals", 0, "time");
    assert_scale(f, "arrivals", 1, "place");
    assert_scale(f, "arrivals", 2, "nationality");

    layout_of(f, "arrivals", &chunked, chunk, &nfilt, filt, &level);
    cr_assert(chunked);
    cr_assert_eq(chunk[0], 4);
    cr_assert_eq(chunk[1], NP);
    cr_assert_eq(chunk[2], NN);
    cr_assert_eq(nfilt, 2);
    cr_assert_eq(filt[0], H5Z_FILTER_SHUFFLE);
    cr_assert_eq(filt[1], H5Z_FILTER_DEFLATE);
    cr_assert_eq(level, 4);
    layout_of(f, "flow", &chunked, chunk, &nfilt, filt, &level);
    cr_assert(chunked);
    cr_assert_eq(chunk[0], 4);
    cr_assert_eq(chunk[1], NL);

    /* provenance */
    assert_prov(f, "seed", "42");
    assert_prov(f, "version", "0.1.0");
    assert_prov(f, "config", "name: test\nplaces: places.csv\n");
    H5Fclose(f);

    {
        int64_t want[4];
        expected_sums(days, NL, want);
        for (int i = 0; i < 4; i++)
            cr_assert_eq(sums[i], want[i]);
    }
    if (keep) {
        printf("wrote %s: --expect occupancy=%" PRId64 " flow=%" PRId64 " arrivals=%" PRId64
               " spawned=%" PRId64 "\n", keep, sums[0], sums[1], sums[2], sums[3]);
        write_run(&w, keep, days, 4, 4);
    }
    world_free(&w);
}

Test(output, no_filters_and_short_run)
{
    world w;
    char path[128];
    hid_t f;
    int chunked, nfilt, rank;
    hsize_t chunk[3], dims[3];
    H5Z_filter_t filt[2];
    unsigned level;
    int32_t *v;

    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/plain.h5", dir);
    write_run(&w, path, 3, 30, 0);  /* chunk_days > days: one chunk of 3 days */
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    layout_of(f, "occupancy", &chunked, chunk, &nfilt, filt, &level);
    cr_assert(chunked);
    cr_assert_eq(chunk[0], 3);
    cr_assert_eq(chunk[1], NP);
    cr_assert_eq(nfilt, 0);
    v = read_i32(f, "spawned", &rank, dims);
    cr_assert_eq(dims[0], 3);
    cr_assert_eq(v[0], 1000);
    cr_assert_eq(v[1], 1001);
    free(v);
    H5Fclose(f);
    world_free(&w);
}

Test(output, every_day_its_own_chunk)
{
    world w;
    char path[128];
    hid_t f;
    int rank;
    hsize_t dims[3];
    int32_t *v;

    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/c1.h5", dir);
    write_run(&w, path, 5, 1, 9);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    v = read_i32(f, "occupancy", &rank, dims);
    for (uint32_t t = 0; t < 5; t++)
        for (size_t p = 0; p < NP; p++)
            cr_assert_eq(v[t * NP + p], v_occ(t, p));
    free(v);
    H5Fclose(f);
    world_free(&w);
}

Test(output, destroy_without_finish_removes_temporary)
{
    world w;
    char path[128], tmp[160];
    mig_output_layout L;
    mig_output *o = NULL;

    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/abandoned.h5", dir);
    tmp_name(tmp, sizeof tmp, path);
    L = layout_for(&w, path, 10, 4, 4);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_OK);
    for (uint32_t t = 0; t < 6; t++) {   /* one chunk flushed, two days buffered */
        fill_day(&w, t);
        cr_assert_eq(mig_output_write_day(o, t, w.obs, w.ctx), MIG_OK);
    }
    cr_assert(exists(tmp));
    mig_output_destroy(&o);
    cr_assert_null(o);
    cr_assert_not(exists(tmp));
    cr_assert_not(exists(path));
    cr_assert_eq(count_entries(dir), 0);
    mig_output_destroy(&o);
    mig_output_destroy(NULL);
    world_free(&w);
}

Test(output, existing_file_replaced_only_at_finish)
{
    world w;
    char path[128], buf[8] = "";
    mig_output_layout L;
    mig_output *o = NULL;
    FILE *fp;
    hid_t f;

    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/old.h5", dir);
    fp = fopen(path, "w");
    fputs("old", fp);
    fclose(fp);

    L = layout_for(&w, path, 2, 4, 1);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_OK);
    for (uint32_t t = 0; t < 2; t++) {
        fill_day(&w, t);
        cr_assert_eq(mig_output_write_day(o, t, w.obs, w.ctx), MIG_OK);
    }
    fp = fopen(path, "r");
    cr_assert_not_null(fgets(buf, sizeof buf, fp));
    fclose(fp);
    cr_assert_str_eq(buf, "old", "the old file stays until finish");
    cr_assert_eq(mig_output_finish(o, NULL, 0, w.ctx), MIG_OK);
    mig_output_destroy(&o);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "finish put the new file in place");
    cr_assert_gt(H5Lexists(f, "provenance", H5P_DEFAULT), 0, "the group exists even when empty");
    H5Fclose(f);

    /* an abandoned rewrite leaves the finished file untouched */
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_OK);
    mig_output_destroy(&o);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    H5Fclose(f);
    cr_assert_eq(count_entries(dir), 1);
    world_free(&w);
}

Test(output, missing_folder)
{
    world w;
    char path[160], want[256];
    mig_output_layout L;
    mig_output *o = (mig_output *)1;

    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/no/such/folder/run.h5", dir);
    L = layout_for(&w, path, 10, 4, 4);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_EIO);
    cr_assert_null(o);
    cr_assert_eq(mig_ctx_n_errors(w.ctx), 1);
    snprintf(want, sizeof want, "%s: cannot create output file: No such file or directory", path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 0), want);
    cr_assert_not(exists(path));
    world_free(&w);
}

Test(output, folder_is_a_file)
{
    world w;
    char path[160], want[256];
    mig_output_layout L;
    mig_output *o = (mig_output *)1;
    FILE *fp;

    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/file", dir);
    fp = fopen(path, "w");
    fclose(fp);
    snprintf(path, sizeof path, "%s/file/run.h5", dir);
    L = layout_for(&w, path, 10, 4, 4);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_EIO);
    cr_assert_null(o);
    snprintf(want, sizeof want, "%s: cannot create output file: Not a directory", path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 0), want);
    world_free(&w);
}

Test(output, unwritable_folder)
{
    world w;
    char sub[96], path[160], want[256];
    mig_output_layout L;
    mig_output *o = (mig_output *)1;

    if (geteuid() == 0) {
        remove_dir(); /* a skipped test does not reach the suite's fini */
        cr_skip_test("running as root: folder permissions are not enforced");
    }
    world_init(&w, NL);
    snprintf(sub, sizeof sub, "%s/ro", dir);
    cr_assert_eq(mkdir(sub, 0555), 0);
    snprintf(path, sizeof path, "%s/run.h5", sub);
    L = layout_for(&w, path, 10, 4, 4);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_EIO);
    cr_assert_null(o);
    snprintf(want, sizeof want, "%s: cannot create output file: Permission denied", path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 0), want);
    cr_assert_not(exists(path));
    chmod(sub, 0755);
    world_free(&w);
}

Test(output, value_too_large_for_int32)
{
    world w;
    char path[128], want[256];
    mig_output_layout L;
    mig_output *o = NULL;

    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/big.h5", dir);
    L = layout_for(&w, path, 10, 4, 4);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_OK);
    fill_day(&w, 0);
    cr_assert_eq(mig_output_write_day(o, 0, w.obs, w.ctx), MIG_OK);
    fill_day(&w, 1);
    w.arr[3] = INT64_C(3000000000);
    cr_assert_eq(mig_output_write_day(o, 1, w.obs, w.ctx), MIG_EINTERNAL);
    snprintf(want, sizeof want, "%s: arrivals: value 3000000000 on day 1 does not fit in int32",
             path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 0), want);
    w.arr[3] = INT64_C(-2147483649);
    cr_assert_eq(mig_output_write_day(o, 1, w.obs, w.ctx), MIG_EINTERNAL);
    snprintf(want, sizeof want, "%s: arrivals: value -2147483649 on day 1 does not fit in int32",
             path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 1), want);
    /* the limits themselves fit, and the day may then be written */
    w.arr[3] = INT32_MAX;
    w.arr[4] = INT32_MIN;
    cr_assert_eq(mig_output_write_day(o, 1, w.obs, w.ctx), MIG_OK);
    mig_output_destroy(&o);
    cr_assert_not(exists(path));
    cr_assert_eq(count_entries(dir), 0);
    world_free(&w);
}

Test(output, days_in_order_only)
{
    world w;
    char path[128], want[256];
    mig_output_layout L;
    mig_output *o = NULL;

    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/order.h5", dir);
    L = layout_for(&w, path, 3, 2, 1);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_OK);
    fill_day(&w, 0);
    cr_assert_eq(mig_output_write_day(o, 1, w.obs, w.ctx), MIG_EINTERNAL);
    snprintf(want, sizeof want, "%s: day 1 written out of order (expected day 0)", path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 0), want);
    cr_assert_eq(mig_output_write_day(o, 0, w.obs, w.ctx), MIG_OK);
    cr_assert_eq(mig_output_write_day(o, 0, w.obs, w.ctx), MIG_EINTERNAL);
    snprintf(want, sizeof want, "%s: day 0 written out of order (expected day 1)", path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 1), want);
    cr_assert_eq(mig_output_finish(o, prov, 3, w.ctx), MIG_EINTERNAL);
    snprintf(want, sizeof want, "%s: finish after 1 of 3 days written", path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 2), want);
    cr_assert_eq(mig_output_write_day(o, 1, w.obs, w.ctx), MIG_OK);
    cr_assert_eq(mig_output_write_day(o, 2, w.obs, w.ctx), MIG_OK);
    cr_assert_eq(mig_output_write_day(o, 3, w.obs, w.ctx), MIG_EINTERNAL);
    snprintf(want, sizeof want, "%s: day 3 is past the last day (2)", path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 3), want);
    cr_assert_eq(mig_output_finish(o, prov, 3, w.ctx), MIG_OK);
    cr_assert_eq(mig_output_write_day(o, 3, w.obs, w.ctx), MIG_EINTERNAL);
    cr_assert_eq(mig_output_finish(o, prov, 3, w.ctx), MIG_EINTERNAL);
    mig_output_destroy(&o);
    cr_assert(exists(path));
    world_free(&w);
}

Test(output, hdf5_failure_reported_and_nothing_left)
{
    world w;
    char path[128], want[256];
    mig_output_layout L;
    mig_output *o = NULL;
    const mig_prov_item dup[2] = { { "seed", "1" }, { "seed", "2" } };

    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/dup.h5", dir);
    L = layout_for(&w, path, 1, 1, 0);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_OK);
    fill_day(&w, 0);
    cr_assert_eq(mig_output_write_day(o, 0, w.obs, w.ctx), MIG_OK);
    cr_assert_eq(mig_output_finish(o, dup, 2, w.ctx), MIG_EIO);
    snprintf(want, sizeof want, "%s: HDF5: attribute already exists", path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 0), want);
    cr_assert_not(exists(path));
    mig_output_destroy(&o);
    cr_assert_not(exists(path));
    cr_assert_eq(count_entries(dir), 0);
    world_free(&w);
}

Test(output, bad_layouts)
{
    world w;
    char path[128], want[256];
    mig_output_layout L;
    mig_output *o = (mig_output *)1;
    const mig_dim pl[1] = { MIG_DIM_PLACE };
    int64_t *x;

    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/bad.h5", dir);
    L = layout_for(&w, path, 0, 4, 4);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_EINTERNAL);
    cr_assert_null(o);
    L = layout_for(&w, path, 5, 0, 4);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_EINTERNAL);
    snprintf(want, sizeof want, "%s: chunk_days must be at least 1", path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 1), want);
    L = layout_for(&w, path, 5, 4, 10);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_EINTERNAL);
    L = layout_for(&w, path, 5, 4, 4);
    L.n_nationalities = 1;
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_EINTERNAL);
    snprintf(want, sizeof want,
             "%s: observations have 2 nationality entries but the output has 1", path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 3), want);
    L = layout_for(&w, path, 5, 4, 4);
    cr_assert_eq(mig_obs_add(w.obs, "place_lat", "clash", "1", 1, pl, &x), MIG_OK);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_EINTERNAL);
    snprintf(want, sizeof want,
             "%s: variable name \"place_lat\" is taken by a coordinate of the output", path);
    cr_assert_str_eq(mig_ctx_error_at(w.ctx, 4), want);
    cr_assert_null(o);
    cr_assert_eq(count_entries(dir), 0);
    world_free(&w);
}

Test(output, no_links)
{
    world w;
    char path[128];
    hid_t f;
    int rank;
    hsize_t dims[3];
    int32_t *v;

    world_init(&w, 0);
    snprintf(path, sizeof path, "%s/nolinks.h5", dir);
    write_run(&w, path, 4, 2, 4);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    v = read_i32(f, "flow", &rank, dims);
    cr_assert_eq(rank, 2);
    cr_assert_eq(dims[0], 4);
    cr_assert_eq(dims[1], 0);
    free(v);
    v = read_i32(f, "occupancy", &rank, dims);
    cr_assert_eq(v[3 * NP + 2], v_occ(3, 2));
    free(v);
    H5Fclose(f);
    world_free(&w);
}

Test(output, large_provenance_value)
{
    world w;
    char path[128];
    mig_output_layout L;
    mig_output *o = NULL;
    size_t n = 200000;
    char *big = malloc(n + 1), *back;
    mig_prov_item item[2] = { { "config", NULL }, { "empty", "" } };
    hid_t f;

    cr_assert_not_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    big[n] = '\0';
    item[0].value = big;
    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/prov.h5", dir);
    L = layout_for(&w, path, 1, 1, 1);
    cr_assert_eq(mig_output_create(&L, w.obs, w.ctx, &o), MIG_OK);
    fill_day(&w, 0);
    cr_assert_eq(mig_output_write_day(o, 0, w.obs, w.ctx), MIG_OK);
    cr_assert_eq(mig_output_finish(o, item, 2, w.ctx), MIG_OK, "%s",
                 mig_ctx_n_errors(w.ctx) ? mig_ctx_error_at(w.ctx, 0) : "");
    mig_output_destroy(&o);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    back = vlen_attr(f, "provenance", "config");
    cr_assert_eq(strlen(back), n);
    cr_assert_eq(memcmp(back, big, n + 1), 0);
    free(back);
    assert_prov(f, "empty", "");
    H5Fclose(f);
    free(big);
    world_free(&w);
}

/* mig_h5_get_string_attr reads both string forms (variable-length, as migsim writes its
 * provenance; fixed-length, as CF attributes and migsim 0.1.0's provenance) and refuses what
 * is not one string. */
Test(output, string_attrs_read_back_in_both_forms)
{
    char path[128], err[MIG_H5_ERR_MAX] = "", buf[64], *v = NULL;
    hid_t f, sp;
    int n[2] = { 1, 2 };
    hsize_t two = 2;

    snprintf(path, sizeof path, "%s/attrs.h5", dir);
    f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    cr_assert_eq(mig_h5_put_string_attr(f, "vlen", "Ciudad Ju\xc3\xa1rez", err), 0, "%s", err);
    cr_assert_eq(mig_h5_put_char_attr(f, "fixed", "days since 2023-01-01", err), 0, "%s", err);
    cr_assert_geq(H5LTset_attribute_string(f, ".", "ascii", "persons"), 0);
    cr_assert_geq(H5LTset_attribute_int(f, ".", "number", n, 1), 0);
    sp = H5Screate_simple(1, &two, NULL);
    H5Aclose(H5Acreate2(f, "two", H5T_C_S1, sp, H5P_DEFAULT, H5P_DEFAULT));
    H5Sclose(sp);
    v = vlen_attr(f, ".", "vlen");             /* the forms each writer gives */
    free(v);
    read_str_attr(f, ".", "fixed", buf, sizeof buf);
    cr_expect_str_eq(buf, "days since 2023-01-01");
    cr_assert_eq(mig_h5_get_string_attr(f, ".", "vlen", &v), 0);
    cr_expect_str_eq(v, "Ciudad Ju\xc3\xa1rez");
    free(v);
    cr_assert_eq(mig_h5_get_string_attr(f, ".", "fixed", &v), 0);
    cr_expect_str_eq(v, "days since 2023-01-01");
    free(v);
    cr_assert_eq(mig_h5_get_string_attr(f, ".", "ascii", &v), 0);
    cr_expect_str_eq(v, "persons");
    free(v);
    cr_expect_eq(mig_h5_get_string_attr(f, ".", "number", &v), 1);
    cr_expect_null(v);
    cr_expect_eq(mig_h5_get_string_attr(f, ".", "two", &v), 1);
    cr_expect_null(v);
    cr_expect_eq(mig_h5_get_string_attr(f, ".", "missing", &v), 1);
    cr_expect_null(v);
    H5Fclose(f);
}

/* mig_h5_put_dataset, which the run output and sobol's file share: a 2-D dataset with its
 * attributes and both axes' scales, an empty one (no values read), the handle kept; a name
 * already taken fails with HDF5's description, leaving *keep as it was. */
Test(output, put_dataset_attributes_scales_and_failure)
{
    char path[128], err[MIG_H5_ERR_MAX] = "", buf[64];
    const char *rows[] = { "a", "b" };
    int32_t cols[3] = { 7, 8, 9 }, v[6] = { 1, 2, 3, 4, 5, 6 }, back[6];
    hsize_t two = 2, three = 3, d23[2] = { 2, 3 }, d20[2] = { 2, 0 };
    hid_t f, xd, ed, str = H5Tcopy(H5T_C_S1), row = -1, col = -1, kept = 42;

    H5Tset_size(str, H5T_VARIABLE);
    snprintf(path, sizeof path, "%s/dataset.h5", dir);
    f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    mig_h5_dataset r = { "row", "row name", NULL, "row", { -1, -1 }, str, str, 1, &two, rows },
                   c = { "col", "column", "km", "col", { -1, -1 }, H5T_STD_I32LE, H5T_NATIVE_INT32, 1, &three, cols };
    cr_assert_eq(mig_h5_put_dataset(f, &r, &row, err), 0, "%s", err);
    cr_assert_eq(mig_h5_put_dataset(f, &c, &col, err), 0, "%s", err);
    mig_h5_dataset x = { "x", "values", "agents", NULL, { row, col }, H5T_STD_I32LE, H5T_NATIVE_INT32, 2, d23, v },
                   e = { "empty", "nothing", NULL, NULL, { row, -1 }, H5T_STD_I32LE, H5T_NATIVE_INT32, 2, d20, NULL };
    cr_assert_eq(mig_h5_put_dataset(f, &x, NULL, err), 0, "%s", err);
    cr_assert_eq(mig_h5_put_dataset(f, &e, NULL, err), 0, "%s", err);
    cr_assert_geq(H5LTread_dataset_int(f, "x", back), 0);
    cr_expect_arr_eq(back, v, sizeof v);
    read_str_attr(f, "x", "units", buf, sizeof buf);
    cr_expect_str_eq(buf, "agents");
    read_str_attr(f, "empty", "long_name", buf, sizeof buf);
    cr_expect_str_eq(buf, "nothing");
    cr_expect_eq(H5LTfind_attribute(row, "units"), 0);
    cr_expect_eq(H5DSis_scale(col), 1);
    xd = H5Dopen2(f, "x", H5P_DEFAULT);
    ed = H5Dopen2(f, "empty", H5P_DEFAULT);
    cr_expect_eq(H5DSis_attached(xd, row, 0), 1);
    cr_expect_eq(H5DSis_attached(xd, col, 1), 1);
    cr_expect_eq(H5DSis_attached(ed, row, 0), 1);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);       /* as main sets it: the failure is ours to report */
    cr_expect_eq(mig_h5_put_dataset(f, &x, &kept, err), 1);
    cr_expect_str_eq(err, "name already exists");
    cr_expect_eq(kept, 42);
    H5Dclose(xd);
    H5Dclose(ed);
    H5Dclose(row);
    H5Dclose(col);
    H5Tclose(str);
    H5Fclose(f);
}

/* The reader scripts (xarray with both engines, R with hdf5r) on a file written here.
 * Runs only in the CMake build (which defines MIGSIM_SOURCE_DIR) and where the readers
 * are installed. */
Test(output, reader_scripts)
{
#ifndef MIGSIM_SOURCE_DIR
    remove_dir();
    cr_skip_test("MIGSIM_SOURCE_DIR is not defined: built outside CMake");
#else
    static const char *const engines[2] = { "netcdf4", "h5netcdf" };
    world w;
    char path[128], expect[256], cmd[1024];
    int64_t s[4];

    if (system("/usr/bin/python3 -c 'import xarray, netCDF4, h5netcdf' >/dev/null 2>&1") != 0) {
        remove_dir();
        cr_skip_test("/usr/bin/python3 lacks xarray, netCDF4 or h5netcdf");
    }
    world_init(&w, NL);
    snprintf(path, sizeof path, "%s/readers.h5", dir);
    write_run(&w, path, 10, 4, 4);
    expected_sums(10, NL, s);
    snprintf(expect, sizeof expect, "occupancy=%" PRId64 " flow=%" PRId64 " arrivals=%" PRId64
             " spawned=%" PRId64, s[0], s[1], s[2], s[3]);
    for (int e = 0; e < 2; e++) {
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/scripts/check_output.py' '%s' "
                 "--engine %s --expect %s >/dev/null", MIGSIM_SOURCE_DIR, path, engines[e], expect);
        cr_expect_eq(system(cmd), 0, "%s", cmd);
    }
    if (system("Rscript -e 'suppressMessages(library(hdf5r))' >/dev/null 2>&1") == 0) {
        snprintf(expect, sizeof expect, "occupancy %" PRId64 " flow %" PRId64 " arrivals %" PRId64
                 " spawned %" PRId64, s[0], s[1], s[2], s[3]);
        snprintf(cmd, sizeof cmd, "Rscript '%s/scripts/check_output.R' '%s' %s >/dev/null",
                 MIGSIM_SOURCE_DIR, path, expect);
        cr_expect_eq(system(cmd), 0, "%s", cmd);
    } else {
        cr_log_warn("Rscript with hdf5r not found: R reader not checked");
    }
    world_free(&w);
#endif
}

Test(output, hdf5_version)
{
    char buf[32], want[32];
    snprintf(want, sizeof want, "%d.%d.%d", H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE);
    mig_output_hdf5_version(buf, sizeof buf);
    cr_assert_str_eq(buf, want);
}
