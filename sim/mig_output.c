/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_output.c: the HDF5 writer. The file is laid out so that netCDF-4 readers (netCDF-C,
 * h5netcdf, hence xarray with either engine) see dimensions and labelled coordinates:
 *
 *   /time, /place, /link, /nationality   dimension scales (coordinate variables)
 *   /place_*, /link_*                    auxiliary coordinates over place or link
 *   /<var> for each obs variable         int32 (time, dims...), chunked along time
 *   /provenance                          a group whose attributes are the provenance
 *
 * Choices made for the readers (each checked with netCDF-C 4.9 and h5netcdf 1.1):
 * - Label datasets use variable-length UTF-8 strings (netCDF-4 NC_STRING). netCDF-C 4.9
 *   misreads fixed-length string datasets: of ["Aleppo", "Kilis"] only "Aleppo" survives.
 * - CF attributes (units, long_name, ...) are scalar fixed-length, NUL-terminated, UTF-8
 *   (netCDF NC_CHAR text): the classic form every netCDF and CF tool reads. The provenance
 *   is variable-length UTF-8 (NC_STRING), which h5py reads as str, not bytes.
 * - File format bounds are pinned to the 1.8 format, which permits
 *   creation-order indexes (variables list in the order written) and dense attribute
 *   storage (a provenance value, such as the resolved config, may exceed 64 KiB), while
 *   keeping the file readable by HDF5 1.8 and later.
 * - Each obs variable names its auxiliary coordinates in a CF "coordinates" attribute,
 *   so that xarray shows place_lat, link_mode, ... as coordinates, not data variables.
 *
 * HDF5 reports an error through a stack that the next API call clears, so the innermost
 * description is captured right where a call fails (catch) and reported after cleanup. */
#ifndef _POSIX_C_SOURCE
#endif
#include "mig_output.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "mig_h5.h"
#include "mig_util.h"

#define RANK_MAX (1 + MIG_OBS_MAX_DIMS)

typedef struct out_var {
    char *name;                 /* owned copy of the obs variable name */
    hid_t dset;                 /* open dataset, or -1 */
    int rank;                   /* 1 + ndims */
    hsize_t dims[RANK_MAX];     /* dataset shape: days, then the obs dims */
    size_t size;                /* values per day */
    int32_t *buf;               /* owned [rows * size]: days not yet written */
} out_var;

struct mig_output {
    char *path;                 /* owned copy of the final path */
    char *tmp;                  /* owned: "<path>.tmp.<pid>" */
    int tmp_made;               /* 1 once the temporary file exists */
    hid_t file;                 /* open file, or -1 */
    uint32_t days;
    uint32_t rows;              /* chunk length along time = buffered days */
    uint32_t next_day;          /* the day write_day expects */
    uint32_t buf_first;         /* first day held in the buffers */
    size_t n_vars;
    out_var *vars;              /* owned [n_vars] */
    int finished;               /* 1 after a successful finish */
    int broken;                 /* 1 after a failure that left the file inconsistent */
    char h5err[MIG_H5_ERR_MAX];            /* first HDF5 error description caught, "" if none */
};

static const char *const place_aux[] = { "place_country", "place_kind", "place_lat", "place_lon",
                                         "place_capacity", "place_attractiveness" };
static const char *const link_aux[] = { "link_from", "link_to", "link_distance_km", "link_mode",
                                        "link_cost_usd", "link_risk" };
#define N_AUX 6

/* ---------------------------------------------------------------------------------------
 * HDF5 errors */

/* When r < 0, stores the innermost HDF5 error description (or what, if the stack is
 * empty) unless an earlier one is already stored, and returns 1; else returns 0. */
static int failed(mig_output *o, hid_t r, const char *what)
{
    return mig_h5_failed(r, what, o->h5err);
}

/* Reports the caught HDF5 error as "<path>: HDF5: <description>" and forgets it. */
static mig_status report_h5(mig_output *o, mig_ctx *ctx)
{
    mig_status s = mig_ctx_error(ctx, MIG_EIO, "%s: HDF5: %s", o->path,
                                 o->h5err[0] ? o->h5err : "unknown error");
    o->h5err[0] = '\0';
    return s;
}

/* ---------------------------------------------------------------------------------------
 * building blocks */


/* A CF attribute: a scalar fixed-length NUL-terminated UTF-8 string (NC_CHAR). */
static int put_attr(mig_output *o, hid_t loc, const char *name, const char *value)
{
    return mig_h5_put_char_attr(loc, name, value, o->h5err);
}

/* Variable-length UTF-8 string type (netCDF-4 NC_STRING). */
static hid_t vlen_str_type(mig_output *o)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (failed(o, t, "H5Tcopy failed"))
        return -1;
    if (failed(o, H5Tset_size(t, H5T_VARIABLE), "H5Tset_size failed") ||
        failed(o, H5Tset_cset(t, H5T_CSET_UTF8), "H5Tset_cset failed")) {
        mig_h5_close(&t, H5Tclose);
        return -1;
    }
    return t;
}

/* How a 1-D dataset is described and tied to its dimension. */
typedef struct col_spec {
    const char *name;
    const char *long_name;
    const char *units;          /* NULL: no units attribute */
    const char *scale_name;     /* non-NULL: make the dataset the dimension scale of that name */
    hid_t attach;               /* >= 0: attach this dimension scale to axis 0 */
} col_spec;

/* Writes a contiguous 1-D dataset of n values of memtype (filetype on disk; for strings
 * both are the vlen type and data is an array of char pointers). Hands the open dataset
 * to *keep when keep is non-NULL, else closes it. Returns 0, or 1 with the error caught. */
static int put_col(mig_output *o, const col_spec *c, hid_t filetype, hid_t memtype,
                   hsize_t n, const void *data, hid_t *keep)
{
    mig_h5_dataset d = { c->name, c->long_name, c->units, c->scale_name, { c->attach, -1 },
                         filetype, memtype, 1, &n, data };
    return mig_h5_put_dataset(o->file, &d, keep, o->h5err);
}

static int put_strings(mig_output *o, const col_spec *c, hsize_t n, const char *const *s,
                       hid_t *keep)
{
    hid_t t = vlen_str_type(o);
    int bad;
    if (t < 0)
        return 1;
    bad = put_col(o, c, t, t, n, s, keep);
    mig_h5_close(&t, H5Tclose);
    return bad;
}

/* ---------------------------------------------------------------------------------------
 * file contents */

typedef struct scales {
    hid_t time, place, link, nat, iv;
} scales;

static void scales_close(scales *sc)
{
    mig_h5_close(&sc->time, H5Dclose);
    mig_h5_close(&sc->place, H5Dclose);
    mig_h5_close(&sc->link, H5Dclose);
    mig_h5_close(&sc->nat, H5Dclose);
    mig_h5_close(&sc->iv, H5Dclose);
}

static hid_t scale_of(const scales *sc, mig_dim d)
{
    switch (d) {
    case MIG_DIM_PLACE: return sc->place;
    case MIG_DIM_LINK: return sc->link;
    case MIG_DIM_INTERVENTION: return sc->iv;
    default: return sc->nat;
    }
}

/* The four dimension scales. Returns MIG_OK or a reported status. */
static mig_status write_scales(mig_output *o, const mig_output_layout *L, scales *sc,
                               mig_ctx *ctx)
{
    const mig_network *net = L->net;
    int32_t *t = NULL;
    char units[128];
    mig_status s = MIG_EIO;
    col_spec c;

    t = malloc((size_t)L->days * sizeof *t);
    if (!t)
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", o->path);
    for (uint32_t i = 0; i < L->days; i++)
        t[i] = (int32_t)i;
    snprintf(units, sizeof units, "days since %s", L->start_date);

    c = (col_spec){ "time", "time", units, "time", -1 };
    if (put_col(o, &c, H5T_STD_I32LE, H5T_NATIVE_INT32, L->days, t, &sc->time) ||
        put_attr(o, sc->time, "calendar", "standard") ||
        put_attr(o, sc->time, "standard_name", "time") ||
        put_attr(o, sc->time, "axis", "T"))
        goto done;
    c = (col_spec){ "place", "place name", NULL, "place", -1 };
    if (put_strings(o, &c, net->n_places, (const char *const *)net->place_name, &sc->place))
        goto done;
    c = (col_spec){ "link", "link name (from->to)", NULL, "link", -1 };
    if (put_strings(o, &c, net->n_links, (const char *const *)net->link_name, &sc->link))
        goto done;
    c = (col_spec){ "nationality", "nationality", NULL, "nationality", -1 };
    if (put_strings(o, &c, L->n_nationalities, L->nationalities, &sc->nat))
        goto done;
    c = (col_spec){ "intervention", "intervention (package/name)", NULL, "intervention", -1 };
    if (put_strings(o, &c, L->n_interventions, L->interventions, &sc->iv))
        goto done;
    s = MIG_OK;
done:
    free(t);
    return s == MIG_OK ? s : report_h5(o, ctx);
}

/* An auxiliary coordinate: its description and values (strings, doubles or int32s). */
typedef enum { AUX_STR, AUX_F64, AUX_I32 } aux_type;
typedef struct aux_col {
    const char *name, *long_name, *units;
    hid_t attach;
    aux_type type;
    hsize_t n;
    const void *data;
} aux_col;

static int put_aux(mig_output *o, const aux_col *a)
{
    col_spec c = { a->name, a->long_name, a->units, NULL, a->attach };
    switch (a->type) {
    case AUX_STR: return put_strings(o, &c, a->n, a->data, NULL);
    case AUX_F64: return put_col(o, &c, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, a->n, a->data, NULL);
    default: return put_col(o, &c, H5T_STD_I32LE, H5T_NATIVE_INT32, a->n, a->data, NULL);
    }
}

/* Checks that every place kind, capacity, link end and mode can be written. */
static mig_status check_aux(mig_output *o, const mig_network *net, mig_ctx *ctx)
{
    size_t np = net->n_places;
    for (size_t i = 0; i < np; i++)
        if (net->place_kind[i] >= MIG_KIND_COUNT || net->place_capacity[i] > INT32_MAX)
            return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: place %s: %s out of range", o->path,
                                 net->place_name[i],
                                 net->place_kind[i] >= MIG_KIND_COUNT ? "kind" : "capacity");
    for (size_t i = 0; i < net->n_links; i++)
        if (net->link_from[i] >= np || net->link_to[i] >= np ||
            net->link_mode[i] >= MIG_MODE_COUNT)
            return mig_ctx_error(ctx, MIG_EINTERNAL,
                                 "%s: link %s: place index or mode out of range", o->path,
                                 net->link_name[i]);
    return MIG_OK;
}

/* Auxiliary coordinates over place and link. */
static mig_status write_aux(mig_output *o, const mig_network *net, const scales *sc,
                            mig_ctx *ctx)
{
    size_t np = net->n_places, nl = net->n_links;
    const char **txt = malloc((np + 3 * nl) * sizeof *txt + 1);
    const char **kind = txt, **from = txt + np, **to = from + nl, **mode = to + nl;
    int32_t *cap = malloc(np * sizeof *cap + 1);
    mig_status s = MIG_OK;

    if (!txt || !cap) {
        s = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", o->path);
        goto done;
    }
    if ((s = check_aux(o, net, ctx)) != MIG_OK)
        goto done;
    for (size_t i = 0; i < np; i++) {
        cap[i] = (int32_t)net->place_capacity[i];
        kind[i] = mig_place_kind_names[net->place_kind[i]];
    }
    for (size_t i = 0; i < nl; i++) {
        from[i] = net->place_name[net->link_from[i]];
        to[i] = net->place_name[net->link_to[i]];
        mode[i] = mig_mode_names[net->link_mode[i]];
    }
    const aux_col cols[] = {
        { place_aux[0], "country of the place", NULL, sc->place, AUX_STR, np, net->place_country },
        { place_aux[1], "kind of place (origin, town, camp, border, destination)", NULL, sc->place,
          AUX_STR, np, kind },
        { place_aux[2], "latitude", "degrees_north", sc->place, AUX_F64, np, net->place_lat },
        { place_aux[3], "longitude", "degrees_east", sc->place, AUX_F64, np, net->place_lon },
        { place_aux[4], "capacity of the place (0 = unlimited)", "persons", sc->place, AUX_I32, np,
          cap },
        { place_aux[5], "attractiveness of the place", "1", sc->place, AUX_F64, np,
          net->place_attract },
        { link_aux[0], "place the link leaves from", NULL, sc->link, AUX_STR, nl, from },
        { link_aux[1], "place the link goes to", NULL, sc->link, AUX_STR, nl, to },
        { link_aux[2], "length of the link", "km", sc->link, AUX_F64, nl, net->link_km },
        { link_aux[3], "travel mode of the link (foot, boat, bus, rail, air)", NULL, sc->link,
          AUX_STR, nl, mode },
        { link_aux[4], "cost of travelling the link per person", "USD", sc->link, AUX_F64, nl,
          net->link_cost },
        { link_aux[5], "probability of death per crossing of the link", "1", sc->link, AUX_F64,
          nl, net->link_risk },
    };
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        if (put_aux(o, &cols[i])) {
            s = report_h5(o, ctx);
            break;
        }
done:
    free(txt);
    free(cap);
    return s;
}


/* One int32 dataset (time, dims...) per obs variable, chunked along time, with its
 * day buffer. Returns MIG_OK or a reported status. */
static mig_status create_var(mig_output *o, const mig_output_layout *L, const mig_obs *obs,
                             const mig_var *v, const scales *sc, out_var *ov, mig_ctx *ctx)
{
    hid_t space = -1, dcpl = -1;
    hsize_t chunk[RANK_MAX];
    char coords[512] = "";
    int has_place = 0, has_link = 0, bad = 1;

    ov->name = strdup(v->name);
    ov->size = v->size;
    ov->rank = 1 + v->ndims;
    ov->dims[0] = L->days;
    chunk[0] = o->rows;
    for (int d = 0; d < v->ndims; d++) {
        ov->dims[1 + d] = chunk[1 + d] = obs->dim_len[v->dims[d]];
        has_place |= v->dims[d] == MIG_DIM_PLACE;
        has_link |= v->dims[d] == MIG_DIM_LINK;
    }
    if (v->size > SIZE_MAX / sizeof(int32_t) / o->rows)
        ov->buf = NULL;
    else
        ov->buf = calloc((size_t)o->rows * (v->size ? v->size : 1), sizeof *ov->buf);
    if (!ov->name || !ov->buf)
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: %s: out of memory for %" PRIu32 " days",
                             o->path, v->name, o->rows);

    for (size_t i = 0; has_place && i < N_AUX; i++)
        snprintf(coords + strlen(coords), sizeof coords - strlen(coords), "%s%s",
                 coords[0] ? " " : "", place_aux[i]);
    for (size_t i = 0; has_link && i < N_AUX; i++)
        snprintf(coords + strlen(coords), sizeof coords - strlen(coords), "%s%s",
                 coords[0] ? " " : "", link_aux[i]);

    if (failed(o, space = H5Screate_simple(ov->rank, ov->dims, NULL), "H5Screate_simple failed") ||
        (dcpl = mig_h5_ordered_plist(H5P_DATASET_CREATE, o->h5err)) < 0)
        goto done;
    /* a dimension of length 0 cannot be chunked: such a variable holds no values and is
     * left contiguous */
    if (v->size > 0) {
        if (failed(o, H5Pset_chunk(dcpl, ov->rank, chunk), "H5Pset_chunk failed"))
            goto done;
        if (L->deflate > 0 &&
            (failed(o, H5Pset_shuffle(dcpl), "H5Pset_shuffle failed") ||
             failed(o, H5Pset_deflate(dcpl, (unsigned)L->deflate), "H5Pset_deflate failed")))
            goto done;
    }
    if (failed(o, ov->dset = H5Dcreate2(o->file, v->name, H5T_STD_I32LE, space, H5P_DEFAULT,
                                        dcpl, H5P_DEFAULT), "H5Dcreate2 failed") ||
        put_attr(o, ov->dset, "units", v->units) ||
        put_attr(o, ov->dset, "long_name", v->long_name) ||
        (coords[0] && put_attr(o, ov->dset, "coordinates", coords)) ||
        failed(o, H5DSattach_scale(ov->dset, sc->time, 0), "H5DSattach_scale failed"))
        goto done;
    for (int d = 0; d < v->ndims; d++)
        if (failed(o, H5DSattach_scale(ov->dset, scale_of(sc, v->dims[d]), (unsigned)(1 + d)),
                   "H5DSattach_scale failed"))
            goto done;
    bad = 0;
done:
    mig_h5_close(&dcpl, H5Pclose);
    mig_h5_close(&space, H5Sclose);
    return bad ? report_h5(o, ctx) : MIG_OK;
}

static int reserved_name(const char *name)
{
    static const char *const fixed[] = { "time",         "place",      "link",   "nationality",
                                         "intervention", "provenance", "results" };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(name, fixed[i]) == 0)
            return 1;
    for (size_t i = 0; i < N_AUX; i++)
        if (strcmp(name, place_aux[i]) == 0 || strcmp(name, link_aux[i]) == 0)
            return 1;
    return 0;
}

static mig_status check_layout(const mig_output_layout *L, const mig_obs *obs, mig_ctx *ctx)
{
    const char *p;
    uint32_t len[MIG_DIM_COUNT];

    if (!L || !L->path || !L->path[0])
        return mig_ctx_error(ctx, MIG_EINTERNAL, "mig_output_create: no output path");
    p = L->path;
    if (!obs || !L->net || !L->start_date || (L->n_nationalities > 0 && !L->nationalities))
        return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: output layout is incomplete", p);
    if (L->days == 0 || L->days > INT32_MAX)
        return mig_ctx_error(ctx, MIG_EINTERNAL,
                             "%s: the time axis must have 1 to %d days, not %" PRIu32, p,
                             INT32_MAX, L->days);
    if (L->chunk_days == 0)
        return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: chunk_days must be at least 1", p);
    if (L->deflate < 0 || L->deflate > 9)
        return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: deflate level %d is not in 0..9", p,
                             L->deflate);
    len[MIG_DIM_PLACE] = L->net->n_places;
    len[MIG_DIM_LINK] = L->net->n_links;
    len[MIG_DIM_NATIONALITY] = L->n_nationalities;
    len[MIG_DIM_INTERVENTION] = L->n_interventions;
    for (int d = 0; d < MIG_DIM_COUNT; d++)
        if (obs->dim_len[d] != len[d])
            return mig_ctx_error(ctx, MIG_EINTERNAL,
                                 "%s: observations have %zu %s entries but the output has %" PRIu32,
                                 p, obs->dim_len[d], mig_dim_names[d], len[d]);
    for (size_t i = 0; i < obs->n_vars; i++) {
        const char *n = obs->vars[i].name;
        if (reserved_name(n))
            return mig_ctx_error(ctx, MIG_EINTERNAL,
                                 "%s: variable name \"%s\" is taken by a coordinate of the output",
                                 p, n);
        if (strchr(n, '/') || strcmp(n, ".") == 0)
            return mig_ctx_error(ctx, MIG_EINTERNAL,
                                 "%s: variable name \"%s\" is not a dataset name", p, n);
    }
    return MIG_OK;
}

/* ---------------------------------------------------------------------------------------
 * lifecycle */

/* Creates the temporary file o->tmp with the root attributes. Returns MIG_OK or a
 * reported status. */
static mig_status create_file(mig_output *o, const char *title, mig_ctx *ctx)
{
    hid_t fcpl = -1, fapl = -1;
    mig_status s = MIG_OK;
    int fd;

    /* our own exclusive create gives the exact reason when the folder is missing or not
     * writable; HDF5 then truncates the empty file it owns */
    fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0)
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot create output file: %s", o->path,
                             strerror(errno));
    o->tmp_made = 1;
    close(fd);

    if (mig_h5_file_plists(&fcpl, &fapl, o->h5err))
        s = report_h5(o, ctx);
    else if (failed(o, o->file = H5Fcreate(o->tmp, H5F_ACC_TRUNC, fcpl, fapl),
                    "H5Fcreate failed")) {
        s = mig_ctx_error(ctx, MIG_EIO, "%s: cannot create output file: %s", o->path, o->h5err);
        o->h5err[0] = '\0';
    } else if (put_attr(o, o->file, "title", title ? title : "") ||
               put_attr(o, o->file, "Conventions", "CF-1.8") ||
               put_attr(o, o->file, "source", "migsim"))
        s = report_h5(o, ctx);
    mig_h5_close(&fcpl, H5Pclose);
    mig_h5_close(&fapl, H5Pclose);
    return s;
}

mig_status mig_output_create(const mig_output_layout *layout, const mig_obs *obs, mig_ctx *ctx,
                             mig_output **out)
{
    const mig_output_layout *L = layout;
    mig_output *o = NULL;
    scales sc = { -1, -1, -1, -1, -1 };
    mig_status s;
    int n;

    *out = NULL;
    s = check_layout(L, obs, ctx);
    if (s != MIG_OK)
        return s;
    mig_h5_errors(ctx);

    o = calloc(1, sizeof *o);
    if (!o)
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", L->path);
    o->file = -1;
    o->days = L->days;
    o->rows = L->chunk_days < L->days ? L->chunk_days : L->days;
    o->path = strdup(L->path);
    n = snprintf(NULL, 0, "%s.tmp.%ld", L->path, (long)getpid());
    o->tmp = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (o->tmp)
        snprintf(o->tmp, (size_t)n + 1, "%s.tmp.%ld", L->path, (long)getpid());
    o->vars = calloc(obs->n_vars ? obs->n_vars : 1, sizeof *o->vars);
    if (!o->path || !o->tmp || !o->vars) {
        s = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", L->path);
        goto fail;
    }
    o->n_vars = obs->n_vars;
    for (size_t i = 0; i < o->n_vars; i++)
        o->vars[i].dset = -1;

    if ((s = create_file(o, L->title, ctx)) != MIG_OK)
        goto fail;
    if ((s = write_scales(o, L, &sc, ctx)) != MIG_OK ||
        (s = write_aux(o, L->net, &sc, ctx)) != MIG_OK)
        goto fail;
    for (size_t i = 0; i < obs->n_vars; i++)
        if ((s = create_var(o, L, obs, &obs->vars[i], &sc, &o->vars[i], ctx)) != MIG_OK)
            goto fail;
    scales_close(&sc);
    *out = o;
    return MIG_OK;

fail:
    scales_close(&sc);
    mig_output_destroy(&o);
    return s;
}

/* Writes the buffered days [buf_first, next_day) of every variable as one hyperslab. */
/* Writes (write = 1) or reads rows [t0, t0 + n) of v from or to buf. Returns 1 on an
 * HDF5 failure (recorded in o->h5err), else 0. */
static int rows_io(mig_output *o, out_var *v, uint32_t t0, uint32_t n, int32_t *buf, int write)
{
    hsize_t start[RANK_MAX] = { 0 }, count[RANK_MAX];
    hid_t fspace = -1, mspace = -1;
    int bad = 0;

    start[0] = t0;
    count[0] = n;
    for (int d = 1; d < v->rank; d++)
        count[d] = v->dims[d];
    if (failed(o, fspace = H5Dget_space(v->dset), "H5Dget_space failed") ||
        failed(o, H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL),
               "H5Sselect_hyperslab failed") ||
        failed(o, mspace = H5Screate_simple(v->rank, count, NULL), "H5Screate_simple failed") ||
        (write ? failed(o, H5Dwrite(v->dset, H5T_NATIVE_INT32, mspace, fspace, H5P_DEFAULT, buf), "H5Dwrite failed")
               : failed(o, H5Dread(v->dset, H5T_NATIVE_INT32, mspace, fspace, H5P_DEFAULT, buf), "H5Dread failed")))
        bad = 1;
    mig_h5_close(&mspace, H5Sclose);
    mig_h5_close(&fspace, H5Sclose);
    return bad;
}

static mig_status flush(mig_output *o, mig_ctx *ctx)
{
    uint32_t n = o->next_day - o->buf_first;

    if (n == 0)
        return MIG_OK;
    for (size_t i = 0; i < o->n_vars; i++) {
        out_var *v = &o->vars[i];
        if (v->size && rows_io(o, v, o->buf_first, n, v->buf, 1)) {
            o->broken = 1;
            return report_h5(o, ctx);
        }
    }
    o->buf_first = o->next_day;
    return MIG_OK;
}

mig_status mig_output_write_day(mig_output *o, uint32_t t, const mig_obs *obs, mig_ctx *ctx)
{
    size_t row;

    if (!o || !obs)
        return mig_ctx_error(ctx, MIG_EINTERNAL,
                             "mig_output_write_day: no output or observations");
    if (o->finished || o->broken)
        return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: day %" PRIu32 " written after %s", o->path,
                             t, o->finished ? "finish" : "an earlier error");
    if (t >= o->days)
        return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: day %" PRIu32 " is past the last day (%"
                             PRIu32 ")", o->path, t, o->days - 1);
    if (t != o->next_day)
        return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: day %" PRIu32 " written out of order "
                             "(expected day %" PRIu32 ")", o->path, t, o->next_day);
    if (obs->n_vars != o->n_vars)
        return mig_ctx_error(ctx, MIG_EINTERNAL,
                             "%s: observations have %zu variables but the output was created "
                             "with %zu", o->path, obs->n_vars, o->n_vars);
    row = t - o->buf_first;
    for (size_t i = 0; i < o->n_vars; i++) {
        const mig_var *v = &obs->vars[i];
        out_var *ov = &o->vars[i];
        int32_t *dst = ov->buf + row * ov->size;

        if (v->size != ov->size || strcmp(v->name, ov->name) != 0)
            return mig_ctx_error(ctx, MIG_EINTERNAL,
                                 "%s: observation variable %zu is %s but the output has %s",
                                 o->path, i, v->name, ov->name);
        for (size_t j = 0; j < v->size; j++) {
            int64_t x = v->day[j];
            if (x < INT32_MIN || x > INT32_MAX)
                return mig_ctx_error(ctx, MIG_EINTERNAL,
                                     "%s: %s: value %" PRId64 " on day %" PRIu32
                                     " does not fit in int32", o->path, v->name, x, t);
            dst[j] = (int32_t)x;
        }
    }
    o->next_day++;
    if (o->next_day - o->buf_first == o->rows)
        return flush(o, ctx);
    return MIG_OK;
}

mig_status mig_output_read_rows(mig_output *o, size_t var, uint32_t t0, uint32_t n, int32_t *dst,
                                mig_ctx *ctx)
{
    out_var *v;
    uint32_t n_file;

    if (!o || var >= o->n_vars || t0 + n > o->next_day || o->broken)
        return mig_ctx_error(ctx, MIG_EINTERNAL, "mig_output_read_rows: rows %" PRIu32 "..%" PRIu32
                             " not available", t0, t0 + n);
    v = &o->vars[var];
    if (v->size == 0 || n == 0)
        return MIG_OK;
    /* rows before buf_first are in the file, the rest in the buffer */
    n_file = t0 < o->buf_first ? (t0 + n < o->buf_first ? n : o->buf_first - t0) : 0;
    if (n_file && rows_io(o, v, t0, n_file, dst, 0))
        return report_h5(o, ctx);
    if (n > n_file)
        memcpy(dst + (size_t)n_file * v->size, v->buf + (size_t)(t0 + n_file - o->buf_first) * v->size,
               (size_t)(n - n_file) * v->size * sizeof *dst);
    return MIG_OK;
}

mig_status mig_output_write_results(mig_output *o, const char *group, const mig_result *r, size_t n, mig_ctx *ctx)
{
    hid_t grp = -1, space = -1, dset = -1;
    int bad;
    if (!o || o->finished || o->broken)
        return mig_ctx_error(ctx, MIG_EINTERNAL, "mig_output_write_results: no open output");
    bad = failed(o, grp = H5Gcreate2(o->file, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2 failed") ||
          failed(o, space = H5Screate(H5S_SCALAR), "H5Screate failed");
    for (size_t i = 0; !bad && i < n; i++) {
        bad = failed(o, dset = H5Dcreate2(grp, r[i].name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                                          H5P_DEFAULT), "H5Dcreate2 failed") ||
              failed(o, H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &r[i].value),
                     "H5Dwrite failed") ||
              put_attr(o, dset, "long_name", r[i].long_name) || put_attr(o, dset, "units", r[i].units);
        mig_h5_close(&dset, H5Dclose);
    }
    mig_h5_close(&space, H5Sclose);
    mig_h5_close(&grp, H5Gclose);
    return bad ? report_h5(o, ctx) : MIG_OK;
}

mig_status mig_output_finish(mig_output *o, const mig_prov_item *prov, size_t n_prov, mig_ctx *ctx)
{
    hid_t gcpl = -1, grp = -1;
    int bad = 0;
    mig_status s;

    if (!o)
        return mig_ctx_error(ctx, MIG_EINTERNAL, "mig_output_finish: no output");
    if (o->finished || o->broken)
        return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: finish called after %s", o->path,
                             o->finished ? "finish" : "an earlier error");
    if (o->next_day != o->days)
        return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: finish after %" PRIu32 " of %" PRIu32
                             " days written", o->path, o->next_day, o->days);
    for (size_t i = 0; i < n_prov; i++)
        if (!prov || !prov[i].key)
            return mig_ctx_error(ctx, MIG_EINTERNAL, "%s: provenance item %zu has no key",
                                 o->path, i);

    o->broken = 1; /* until the rename succeeds */
    if ((s = flush(o, ctx)) != MIG_OK)
        return s;
    if ((gcpl = mig_h5_ordered_plist(H5P_GROUP_CREATE, o->h5err)) < 0 ||
        failed(o, grp = H5Gcreate2(o->file, "provenance", H5P_DEFAULT, gcpl, H5P_DEFAULT),
               "H5Gcreate2 failed"))
        bad = 1;
    for (size_t i = 0; !bad && i < n_prov; i++)
        bad = mig_h5_put_string_attr(grp, prov[i].key, prov[i].value ? prov[i].value : "", o->h5err);
    mig_h5_close(&grp, H5Gclose);
    mig_h5_close(&gcpl, H5Pclose);
    if (bad)
        return report_h5(o, ctx);

    for (size_t i = 0; i < o->n_vars; i++)
        if (o->vars[i].dset >= 0) {
            bad |= failed(o, H5Dclose(o->vars[i].dset), "H5Dclose failed");
            o->vars[i].dset = -1;
        }
    bad |= failed(o, H5Fclose(o->file), "H5Fclose failed");
    o->file = -1;
    if (bad)
        return report_h5(o, ctx);

    if ((s = mig_h5_file_commit(o->tmp, o->path, ctx)) != MIG_OK)
        return s;
    o->broken = 0;
    o->finished = 1;
    return MIG_OK;
}

void mig_output_destroy(mig_output **p)
{
    mig_output *o;
    if (!MIG_TAKE(o, p))
        return;
    for (size_t i = 0; i < o->n_vars; i++) {
        mig_h5_close(&o->vars[i].dset, H5Dclose);
        free(o->vars[i].name);
        free(o->vars[i].buf);
    }
    mig_h5_close(&o->file, H5Fclose);
    if (o->tmp_made && !o->finished)
        unlink(o->tmp);
    MIG_FREE_ALL(o->vars, o->tmp, o->path, o);
}

void mig_output_hdf5_version(char *buf, size_t n)
{
    unsigned maj = 0, min = 0, rel = 0;

    if (!buf || n == 0)
        return;
    if (H5get_libversion(&maj, &min, &rel) < 0)
        snprintf(buf, n, "unknown");
    else
        snprintf(buf, n, "%u.%u.%u", maj, min, rel);
}
