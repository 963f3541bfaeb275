/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_summarize.c: ensemble statistics across run files.
 *
 * The root datasets of the first input are sorted into three roles:
 *   dimension scales (H5DSis_scale): time, place, link, nationality   copied
 *   data variables: numeric, axis 0 attached to the scale "time"       summarized
 *   everything else (auxiliary coordinates place_*, link_*)            copied
 * Every other input must have the same datasets, shapes, types and dimensions, and the same
 * contents in every copied dataset (labels, coordinates, the time axis and its units);
 * otherwise the file that differs is named. Groups (such as /provenance) are not compared.
 *
 * Runs of one sweep point (their provenance's "sweep_parameters", the manifest row's
 * "key=value" lines, the same in every input) give the output one scalar coordinate per
 * parameter, named by its key: float64 for a number, else a string; every statistic lists
 * them in its "coordinates".
 *
 * With opts->vars only the data variables named there are summarized (the others are still
 * compared across inputs by layout); every scale and auxiliary coordinate is copied as
 * without it, so the file stays labelled alike and the statistics are byte for byte those of
 * a full summary.
 *
 * For each data variable V the output holds V_mean, V_sd (sample standard deviation, n - 1
 * in the denominator; 0 when there is one input) and V_q<NN> for each chosen quantile
 * (GSL's gsl_stats_quantile_from_sorted_data: linear interpolation between order statistics,
 * numpy's default), float64, chunked along time with shuffle + deflate. Variables are read
 * one at a time, a block of time rows from every input at once (at most BLOCK_BYTES), so
 * memory does not grow with the length of the runs.
 *
 * HDF5 reports errors through a stack that the next call clears, so the innermost
 * description is caught where a call fails (as in mig_output.c). */
#include "mig_summarize.h"

#include "mig_h5.h"
#include "mig_util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include "mig_version.h"

#define MAX_RANK 8
#define BLOCK_BYTES ((size_t)256 << 20)    /* default input values held at once, all inputs */
#define CHUNK_BYTES ((size_t)4 << 20)      /* largest output chunk */

typedef enum role { ROLE_SCALE, ROLE_AUX, ROLE_DATA } role;

typedef struct dinfo {
    char *name;                  /* owned */
    role role;
    int rank;
    hsize_t dims[MAX_RANK];
    char *dim[MAX_RANK];         /* owned: name of the scale on each axis, or NULL */
    H5T_class_t cls;
    hsize_t chunk0;              /* chunk length along axis 0, 0 when not chunked */
} dinfo;

typedef struct layout {
    size_t n, cap;
    dinfo *d;                    /* owned [n], in creation order */
} layout;

typedef struct summ {
    const char *out_path;
    char *tmp;                   /* owned "<out>.tmp.<pid>" */
    int tmp_made;
    const char *const *in_path;
    size_t n_in;
    hid_t *in;                   /* owned [n_in] open input files, -1 when closed */
    hid_t out;
    layout L;                    /* of inputs[0] */
    hid_t *scale_id;             /* owned [L.n]: the output's scale datasets, -1 for others */
    hid_t qscale;                /* the output's "quantile" scale (quantile_dim), or -1 */
    char *params;                /* owned: the inputs' shared "sweep_parameters", or NULL */
    char *param_names;           /* owned: their keys, space-separated, or NULL */
    char h5err[MIG_H5_ERR_MAX];
    mig_ctx *ctx;
} summ;

static const char *const ds_reserved_attrs[] = { "CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST",
                                                 "_Netcdf4Dimid", "_Netcdf4Coordinates", NULL };

/* ------------------------------------------------------------------ HDF5 errors ---- */

/* When r < 0, keeps the innermost HDF5 error description (or what) unless one is kept. */
static int failed(summ *S, hid_t r, const char *what)
{
    return mig_h5_failed(r, what, S->h5err);
}

/* "<file>: HDF5: <description>" */
static mig_status report_h5(summ *S, const char *file)
{
    mig_status s = mig_ctx_error(S->ctx, MIG_EIO, "%s: HDF5: %s", file, S->h5err[0] ? S->h5err : "unknown error");
    S->h5err[0] = '\0';
    return s;
}

/* ------------------------------------------------------------------ quantiles ------ */

void mig_summarize_quantile_name(double q, char *buf, size_t n)
{
    char pct[32], *dot;
    snprintf(pct, sizeof pct, "%.4f", q * 100.0);
    dot = strchr(pct, '.');
    if (dot) {
        char *end = pct + strlen(pct);
        while (end > dot + 1 && end[-1] == '0')
            *--end = '\0';
        if (end == dot + 1)
            *dot = '\0';
        else
            *dot = '_';
    }
    /* two digits at least before the fraction: q05, q50, q02_5 */
    if (pct[0] && (pct[1] == '\0' || pct[1] == '_'))
        snprintf(buf, n, "q0%s", pct);
    else
        snprintf(buf, n, "q%s", pct);
}

mig_status mig_summarize_parse_quantiles(const char *text, double *q, size_t *n, mig_ctx *ctx)
{
    const char *p = text;
    char names[MIG_SUMMARIZE_MAX_QUANTILES][32];
    *n = 0;
    if (!*text)
        return mig_ctx_error(ctx, MIG_EUSAGE, "--quantiles: expected numbers in [0, 1] separated by commas, "
                                              "got \"\"");
    for (;;) {
        char *end;
        double v;
        if (*p == ' ' || *p == '\t' || *p == ',' || !*p)
            goto bad;
        errno = 0;
        v = strtod(p, &end);
        if (end == p || (*end && *end != ',') || !(v >= 0.0 && v <= 1.0))
            goto bad;
        if (*n == MIG_SUMMARIZE_MAX_QUANTILES)
            return mig_ctx_error(ctx, MIG_EUSAGE, "--quantiles: at most %d quantiles", MIG_SUMMARIZE_MAX_QUANTILES);
        mig_summarize_quantile_name(v, names[*n], sizeof names[0]);
        for (size_t k = 0; k < *n; k++)
            if (strcmp(names[k], names[*n]) == 0)
                return mig_ctx_error(ctx, MIG_EUSAGE, "--quantiles: %g and %g both give %s", q[k], v, names[k]);
        q[(*n)++] = v;
        if (!*end)
            return MIG_OK;
        p = end + 1;
    }
bad:
    return mig_ctx_error(ctx, MIG_EUSAGE, "--quantiles: expected numbers in [0, 1] separated by commas, got \"%s\"",
                         text);
}

/* ------------------------------------------------------------------ reading -------- */

typedef struct names {
    size_t n, cap;
    char **v;
} names;

static herr_t collect_link(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    names *nm = data;
    (void)g;
    (void)info;
    if (nm->n == nm->cap) {
        size_t cap = nm->cap ? nm->cap * 2 : 32;
        char **v = realloc(nm->v, cap * sizeof *v);
        if (!v)
            return -1;
        nm->v = v;
        nm->cap = cap;
    }
    if (!(nm->v[nm->n] = strdup(name)))
        return -1;
    nm->n++;
    return 0;
}

static herr_t first_scale_name(hid_t did, unsigned dim, hid_t dsid, void *data)
{
    char buf[1024];
    ssize_t len = H5Iget_name(dsid, buf, sizeof buf);
    (void)did;
    (void)dim;
    if (len > 0 && (size_t)len < sizeof buf)
        *(char **)data = strdup(buf[0] == '/' ? buf + 1 : buf);
    return 1;
}

static void layout_free(layout *L)
{
    for (size_t i = 0; i < L->n; i++) {
        free(L->d[i].name);
        for (int k = 0; k < L->d[i].rank; k++)
            free(L->d[i].dim[k]);
    }
    free(L->d);
    memset(L, 0, sizeof *L);
}

/* What scan records of dataset obj (of the file at path) into d, named already: rank,
 * sizes, class, rows per chunk, dimension names and role. Returns MIG_OK or a reported
 * status. */
static mig_status describe(summ *S, hid_t obj, const char *path, dinfo *d)
{
    hid_t space = -1, type = -1, dcpl = -1;
    mig_status st = MIG_OK;
    if (failed(S, space = H5Dget_space(obj), "H5Dget_space failed") ||
        failed(S, type = H5Dget_type(obj), "H5Dget_type failed") ||
        failed(S, dcpl = H5Dget_create_plist(obj), "H5Dget_create_plist failed")) {
        st = report_h5(S, path);
        goto out;
    }
    d->rank = H5Sget_simple_extent_ndims(space);
    if (d->rank < 0 || d->rank > MAX_RANK) {
        st = mig_ctx_error(S->ctx, MIG_EDATA, "%s: %s: %d dimensions (at most %d are supported)", path, d->name,
                           d->rank, MAX_RANK);
        d->rank = 0;
        goto out;
    }
    H5Sget_simple_extent_dims(space, d->dims, NULL);
    d->cls = H5Tget_class(type);
    if (H5Pget_layout(dcpl) == H5D_CHUNKED && d->rank > 0) {
        hsize_t ch[MAX_RANK];
        if (H5Pget_chunk(dcpl, d->rank, ch) == d->rank)
            d->chunk0 = ch[0];
    }
    for (int k = 0; k < d->rank; k++)
        if (H5DSget_num_scales(obj, (unsigned)k) > 0)
            H5DSiterate_scales(obj, (unsigned)k, NULL, first_scale_name, &d->dim[k]);
    H5Eclear2(H5E_DEFAULT);
    if (H5DSis_scale(obj) > 0)
        d->role = ROLE_SCALE;
    else if (d->rank >= 1 && d->dim[0] && strcmp(d->dim[0], "time") == 0 &&
             (d->cls == H5T_INTEGER || d->cls == H5T_FLOAT))
        d->role = ROLE_DATA;
    else
        d->role = ROLE_AUX;
    H5Eclear2(H5E_DEFAULT);
out:
    mig_h5_close(&dcpl, H5Pclose);
    mig_h5_close(&type, H5Tclose);
    mig_h5_close(&space, H5Sclose);
    return st;
}

/* The root datasets of file f (path for messages), in creation order where it is kept. */
static mig_status scan(summ *S, hid_t f, const char *path, layout *L)
{
    names nm = { 0 };
    mig_status st = MIG_OK;

    memset(L, 0, sizeof *L);
    if (H5Literate(f, H5_INDEX_CRT_ORDER, H5_ITER_INC, NULL, collect_link, &nm) < 0) {
        H5Eclear2(H5E_DEFAULT);
        for (size_t i = 0; i < nm.n; i++)
            free(nm.v[i]);
        nm.n = 0;
        if (failed(S, H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_link, &nm), "H5Literate failed")) {
            st = report_h5(S, path);
            goto done;
        }
    }
    L->d = calloc(nm.n ? nm.n : 1, sizeof *L->d);
    if (!L->d) {
        st = mig_ctx_error(S->ctx, MIG_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    for (size_t i = 0; i < nm.n && st == MIG_OK; i++) {
        hid_t obj = -1;
        if (failed(S, obj = H5Oopen(f, nm.v[i], H5P_DEFAULT), "H5Oopen failed")) {
            st = report_h5(S, path);
            break;
        }
        if (H5Iget_type(obj) == H5I_DATASET) {
            dinfo *d = &L->d[L->n++];
            d->name = nm.v[i];
            nm.v[i] = NULL;
            st = describe(S, obj, path, d);
        }
        mig_h5_close(&obj, H5Oclose);
    }
done:
    for (size_t i = 0; i < nm.n; i++)
        free(nm.v[i]);
    free(nm.v);
    if (st != MIG_OK)
        layout_free(L);
    return st;
}

static const dinfo *find(const layout *L, const char *name)
{
    for (size_t i = 0; i < L->n; i++)
        if (strcmp(L->d[i].name, name) == 0)
            return &L->d[i];
    return NULL;
}

/* ------------------------------------------------------------------ --vars -------- */

/* Whether d is summarized: a data variable, and named in o->vars when they are given. */
static int chosen(const mig_summarize_opts *o, const dinfo *d)
{
    if (d->role != ROLE_DATA)
        return 0;
    if (!o->vars || o->n_vars == 0)
        return 1;
    for (size_t k = 0; k < o->n_vars; k++)
        if (strcmp(o->vars[k], d->name) == 0)
            return 1;
    return 0;
}

/* The names of a selection: none empty, none twice. */
static mig_status check_list(const char *const *v, size_t n, mig_ctx *ctx)
{
    for (size_t i = 0; i < n; i++) {
        if (!v[i] || !*v[i])
            return mig_ctx_error(ctx, MIG_EUSAGE, "--vars: an empty name (expected NAME[,NAME...])");
        for (size_t k = 0; k < i; k++)
            if (strcmp(v[k], v[i]) == 0)
                return mig_ctx_error(ctx, MIG_EUSAGE, "--vars: \"%s\" given twice", v[i]);
    }
    return MIG_OK;
}

/* Each of v[0..n) a data variable of layout L (of the file shown as shown). */
static mig_status check_selection(mig_ctx *ctx, const layout *L, const char *shown, const char *const *v, size_t n)
{
    mig_status st = check_list(v, n, ctx);
    for (size_t i = 0; i < n && st == MIG_OK; i++) {
        const dinfo *d = find(L, v[i]);
        mig_suggest sg;
        if (d && d->role == ROLE_DATA)
            continue;
        mig_suggest_init(&sg, v[i]);
        for (size_t k = 0; k < L->n; k++)
            if (L->d[k].role == ROLE_DATA)
                mig_suggest_add(&sg, L->d[k].name);
        st = mig_ctx_error(ctx, MIG_EUSAGE, "--vars: no data variable \"%s\" in %s (%s)", v[i], shown,
                           mig_suggest_hint(&sg));
    }
    return st;
}

static void shape_text(const dinfo *d, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    len += (size_t)snprintf(buf, n, "(");
    for (int k = 0; k < d->rank && len < n; k++)
        len += (size_t)snprintf(buf + len, n - len, "%s%llu", k ? ", " : "", (unsigned long long)d->dims[k]);
    if (len < n)
        snprintf(buf + len, n - len, ")");
}

/* Layout b (of file pb) against a (of pa): names, shapes, types, dimensions. */
static mig_status compare_layouts(summ *S, const layout *a, const char *pa, const layout *b, const char *pb)
{
    for (size_t i = 0; i < a->n; i++) {
        const dinfo *x = &a->d[i], *y = find(b, x->name);
        char sa[160], sb[160];
        if (!y)
            return mig_ctx_error(S->ctx, MIG_EDATA, "%s: dataset \"%s\" is missing (%s has it)", pb, x->name, pa);
        shape_text(x, sa, sizeof sa);
        shape_text(y, sb, sizeof sb);
        if (strcmp(sa, sb) != 0)
            return mig_ctx_error(S->ctx, MIG_EDATA, "%s: %s: shape %s differs from %s in %s", pb, x->name, sb, sa,
                                 pa);
        if (x->cls != y->cls || x->role != y->role)
            return mig_ctx_error(S->ctx, MIG_EDATA, "%s: %s: %s differs from %s", pb, x->name,
                                 x->cls != y->cls ? "type" : "role (dimension scale, coordinate or variable)",
                                 pa);
        for (int k = 0; k < x->rank; k++) {
            const char *dx = x->dim[k] ? x->dim[k] : "(none)", *dy = y->dim[k] ? y->dim[k] : "(none)";
            if (strcmp(dx, dy) != 0)
                return mig_ctx_error(S->ctx, MIG_EDATA, "%s: %s: dimension %d is %s, in %s %s", pb, x->name, k,
                                     dy, pa, dx);
        }
    }
    for (size_t i = 0; i < b->n; i++)
        if (!find(a, b->d[i].name))
            return mig_ctx_error(S->ctx, MIG_EDATA, "%s: dataset \"%s\" is not in %s", pb, b->d[i].name, pa);
    return MIG_OK;
}

/* A whole dataset in memory: variable-length strings as char *, anything else in its
 * native type. */
typedef struct blob {
    hid_t memtype;
    hid_t space;
    int vstr;
    size_t n, size;
    void *data;
} blob;

static void blob_free(blob *b)
{
    if (b->data && b->vstr && b->n > 0) {
        H5Dvlen_reclaim(b->memtype, b->space, H5P_DEFAULT, b->data);
        H5Eclear2(H5E_DEFAULT);
    }
    free(b->data);
    b->data = NULL;
    mig_h5_close(&b->memtype, H5Tclose);
    mig_h5_close(&b->space, H5Sclose);
}

static int blob_read(summ *S, hid_t dset, blob *b)
{
    hid_t ftype = -1;
    hssize_t np;
    int bad = 1;

    memset(b, 0, sizeof *b);
    b->memtype = b->space = -1;
    if (failed(S, ftype = H5Dget_type(dset), "H5Dget_type failed") ||
        failed(S, b->space = H5Dget_space(dset), "H5Dget_space failed"))
        goto done;
    np = H5Sget_simple_extent_npoints(b->space);
    if (failed(S, (hid_t)np, "H5Sget_simple_extent_npoints failed"))
        goto done;
    b->n = (size_t)np;
    b->vstr = H5Tget_class(ftype) == H5T_STRING && H5Tis_variable_str(ftype) > 0;
    if (b->vstr) {
        if (failed(S, b->memtype = H5Tcopy(H5T_C_S1), "H5Tcopy failed") ||
            failed(S, H5Tset_size(b->memtype, H5T_VARIABLE), "H5Tset_size failed") ||
            failed(S, H5Tset_cset(b->memtype, H5Tget_cset(ftype)), "H5Tset_cset failed"))
            goto done;
    } else if (H5Tget_class(ftype) == H5T_STRING) {
        if (failed(S, b->memtype = H5Tcopy(ftype), "H5Tcopy failed"))
            goto done;
    } else if (failed(S, b->memtype = H5Tget_native_type(ftype, H5T_DIR_ASCEND), "H5Tget_native_type failed")) {
        goto done;
    }
    b->size = H5Tget_size(b->memtype);
    b->data = calloc(b->n ? b->n : 1, b->size);
    if (!b->data) {
        snprintf(S->h5err, sizeof S->h5err, "out of memory");
        goto done;
    }
    if (b->n > 0 && failed(S, H5Dread(dset, b->memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, b->data), "H5Dread failed"))
        goto done;
    bad = 0;
done:
    mig_h5_close(&ftype, H5Tclose);
    if (bad) {
        if (b->vstr) {
            free(b->data);
            b->data = NULL;
        }
        blob_free(b);
    }
    return bad;
}

/* A string attribute of object name in f, or NULL (caller frees). */
static char *read_str_attr(hid_t f, const char *obj, const char *name)
{
    char *v;
    mig_h5_get_string_attr(f, obj, name, &v);
    return v;
}

/* Contents of every copied dataset (and the units of the scales) of input k against input 0. */
static mig_status compare_contents(summ *S, size_t k)
{
    const char *pa = S->in_path[0], *pb = S->in_path[k];
    for (size_t i = 0; i < S->L.n; i++) {
        const dinfo *d = &S->L.d[i];
        hid_t da = -1, db = -1;
        blob a, b;
        mig_status st = MIG_OK;
        if (d->role == ROLE_DATA)
            continue;
        if (failed(S, da = H5Dopen2(S->in[0], d->name, H5P_DEFAULT), "H5Dopen2 failed"))
            return report_h5(S, pa);
        if (failed(S, db = H5Dopen2(S->in[k], d->name, H5P_DEFAULT), "H5Dopen2 failed")) {
            mig_h5_close(&da, H5Dclose);
            return report_h5(S, pb);
        }
        if (blob_read(S, da, &a)) {
            mig_h5_close(&da, H5Dclose);
            mig_h5_close(&db, H5Dclose);
            return report_h5(S, pa);
        }
        if (blob_read(S, db, &b)) {
            blob_free(&a);
            mig_h5_close(&da, H5Dclose);
            mig_h5_close(&db, H5Dclose);
            return report_h5(S, pb);
        }
        if (a.size != b.size || a.vstr != b.vstr) {
            st = mig_ctx_error(S->ctx, MIG_EDATA, "%s: %s: type differs from %s", pb, d->name, pa);
        } else if (a.vstr) {
            for (size_t j = 0; j < a.n; j++) {
                const char *x = ((char **)a.data)[j], *y = ((char **)b.data)[j];
                if (strcmp(x ? x : "", y ? y : "") != 0) {
                    st = mig_ctx_error(S->ctx, MIG_EDATA, "%s: %s: entry %zu is \"%s\", in %s \"%s\"", pb, d->name,
                                       j, y ? y : "", pa, x ? x : "");
                    break;
                }
            }
        } else {
            for (size_t j = 0; j < a.n; j++)
                if (memcmp((char *)a.data + j * a.size, (char *)b.data + j * b.size, a.size) != 0) {
                    st = mig_ctx_error(S->ctx, MIG_EDATA, "%s: %s: entry %zu differs from %s", pb, d->name, j, pa);
                    break;
                }
        }
        blob_free(&a);
        blob_free(&b);
        mig_h5_close(&da, H5Dclose);
        mig_h5_close(&db, H5Dclose);
        if (st == MIG_OK && d->role == ROLE_SCALE) {
            char *ua = read_str_attr(S->in[0], d->name, "units"), *ub = read_str_attr(S->in[k], d->name, "units");
            if ((ua || ub) && (!ua || !ub || strcmp(ua, ub) != 0))
                st = mig_ctx_error(S->ctx, MIG_EDATA, "%s: %s: units \"%s\" differ from %s (\"%s\")", pb, d->name,
                                   ub ? ub : "", pa, ua ? ua : "");
            free(ua);
            free(ub);
        }
        if (st != MIG_OK)
            return st;
    }
    return MIG_OK;
}

/* ------------------------------------------------------------------ writing -------- */

/* A CF attribute (NC_CHAR); the provenance is written as NC_STRING (mig_h5.h). */
static int put_attr(summ *S, hid_t loc, const char *name, const char *value)
{
    return mig_h5_put_char_attr(loc, name, value, S->h5err);
}

static int put_attr_double(summ *S, hid_t loc, const char *name, double v)
{
    hid_t space = -1, attr = -1;
    int bad = 1;
    if (failed(S, space = H5Screate(H5S_SCALAR), "H5Screate failed") ||
        failed(S, attr = H5Acreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT),
               "H5Acreate2 failed") ||
        failed(S, H5Awrite(attr, H5T_NATIVE_DOUBLE, &v), "H5Awrite failed"))
        goto done;
    bad = 0;
done:
    mig_h5_close(&attr, H5Aclose);
    mig_h5_close(&space, H5Sclose);
    return bad;
}

typedef struct attr_copy {
    summ *S;
    hid_t dst;
    const char *const *skip;     /* NULL-terminated names not copied */
    int bad;
} attr_copy;

static herr_t copy_one_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    attr_copy *c = data;
    summ *S = c->S;
    hid_t a = -1, t = -1, sp = -1, mt = -1, na = -1;
    void *buf = NULL;
    hssize_t np;
    (void)info;
    for (const char *const *k = ds_reserved_attrs; *k; k++)
        if (strcmp(*k, name) == 0)
            return 0;
    for (const char *const *k = c->skip; k && *k; k++)
        if (strcmp(*k, name) == 0)
            return 0;
    if (failed(S, a = H5Aopen(loc, name, H5P_DEFAULT), "H5Aopen failed") ||
        failed(S, t = H5Aget_type(a), "H5Aget_type failed") || failed(S, sp = H5Aget_space(a), "H5Aget_space failed"))
        goto bad;
    if (H5Tget_class(t) == H5T_REFERENCE || H5Tdetect_class(t, H5T_REFERENCE) > 0)
        goto done; /* object references point into the input file */
    np = H5Sget_simple_extent_npoints(sp);
    if (np < 0)
        goto bad;
    if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
        if (failed(S, mt = H5Tcopy(H5T_C_S1), "H5Tcopy failed") ||
            failed(S, H5Tset_size(mt, H5T_VARIABLE), "H5Tset_size failed") ||
            failed(S, H5Tset_cset(mt, H5Tget_cset(t)), "H5Tset_cset failed"))
            goto bad;
    } else if (H5Tdetect_class(t, H5T_VLEN) > 0) {
        goto done; /* not written by migsim; not carried */
    } else if (failed(S, mt = H5Tcopy(t), "H5Tcopy failed")) {
        goto bad;
    }
    buf = calloc((size_t)(np ? np : 1), H5Tget_size(mt));
    if (!buf) {
        snprintf(S->h5err, sizeof S->h5err, "out of memory");
        goto bad;
    }
    if (failed(S, H5Aread(a, mt, buf), "H5Aread failed") ||
        failed(S, na = H5Acreate2(c->dst, name, t, sp, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2 failed") ||
        failed(S, H5Awrite(na, mt, buf), "H5Awrite failed"))
        goto bad;
    if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0)
        H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, buf);
    goto done;
bad:
    c->bad = 1;
done:
    free(buf);
    mig_h5_close(&na, H5Aclose);
    mig_h5_close(&mt, H5Tclose);
    mig_h5_close(&sp, H5Sclose);
    mig_h5_close(&t, H5Tclose);
    mig_h5_close(&a, H5Aclose);
    return c->bad ? -1 : 0;
}

/* Copies the attributes of src to dst (creation order where kept), except skip and the
 * dimension-scale bookkeeping. Returns 1 on failure (error caught). */
static int copy_attrs(summ *S, hid_t src, hid_t dst, const char *const *skip)
{
    attr_copy c = { S, dst, skip, 0 };
    hsize_t idx = 0;
    if (H5Aiterate2(src, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, copy_one_attr, &c) < 0 && !c.bad) {
        H5Eclear2(H5E_DEFAULT);
        idx = 0;
        if (H5Aiterate2(src, H5_INDEX_NAME, H5_ITER_INC, &idx, copy_one_attr, &c) < 0 && !c.bad)
            return failed(S, -1, "H5Aiterate2 failed");
    }
    return c.bad;
}

static hid_t out_scale(const summ *S, const char *name)
{
    for (size_t i = 0; name && i < S->L.n; i++)
        if (S->L.d[i].role == ROLE_SCALE && strcmp(S->L.d[i].name, name) == 0)
            return S->scale_id[i];
    return -1;
}

/* Attaches the output's scales to dset along the axes of d, from axis lead on (the
 * "quantile" scale on axis 0 when lead is 1). */
static int attach(summ *S, hid_t dset, const dinfo *d, int lead)
{
    if (lead && failed(S, H5DSattach_scale(dset, S->qscale, 0), "H5DSattach_scale failed"))
        return 1;
    for (int k = 0; k < d->rank; k++) {
        hid_t sc = out_scale(S, d->dim[k]);
        if (sc >= 0 && failed(S, H5DSattach_scale(dset, sc, (unsigned)(k + lead)), "H5DSattach_scale failed"))
            return 1;
    }
    return 0;
}

/* Copies a scale or auxiliary dataset from input 0 (contiguous, as mig_output writes them). */
static mig_status copy_dataset(summ *S, size_t i)
{
    const dinfo *d = &S->L.d[i];
    hid_t src = -1, ftype = -1, dcpl = -1, dst = -1;
    blob b = { .memtype = -1, .space = -1 };
    int bad = 1;

    if (failed(S, src = H5Dopen2(S->in[0], d->name, H5P_DEFAULT), "H5Dopen2 failed"))
        return report_h5(S, S->in_path[0]);
    if (blob_read(S, src, &b)) {
        mig_h5_close(&src, H5Dclose);
        return report_h5(S, S->in_path[0]);
    }
    if (failed(S, ftype = H5Dget_type(src), "H5Dget_type failed") ||
        (dcpl = mig_h5_ordered_plist(H5P_DATASET_CREATE, S->h5err)) < 0 ||
        failed(S, dst = H5Dcreate2(S->out, d->name, ftype, b.space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
               "H5Dcreate2 failed"))
        goto done;
    if (b.n > 0 && failed(S, H5Dwrite(dst, b.memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, b.data), "H5Dwrite failed"))
        goto done;
    if (copy_attrs(S, src, dst, NULL))
        goto done;
    if (d->role == ROLE_SCALE) {
        char name[256] = "";
        if (H5DSget_scale_name(src, name, sizeof name) <= 0)
            snprintf(name, sizeof name, "%s", d->name);
        H5Eclear2(H5E_DEFAULT);
        if (failed(S, H5DSset_scale(dst, name), "H5DSset_scale failed"))
            goto done;
        S->scale_id[i] = dst;
        dst = -1;
    } else if (attach(S, dst, d, 0)) {
        goto done;
    }
    bad = 0;
done:
    blob_free(&b);
    mig_h5_close(&dst, H5Dclose);
    mig_h5_close(&dcpl, H5Pclose);
    mig_h5_close(&ftype, H5Tclose);
    mig_h5_close(&src, H5Dclose);
    return bad ? report_h5(S, S->out_path) : MIG_OK;
}

/* Datasets written per variable: mean, sd, then one per quantile or one for them all. */
static size_t n_stats(const mig_summarize_opts *o)
{
    return 2 + (o->quantile_dim ? (o->n_quantiles > 0) : o->n_quantiles);
}

/* Name of statistic k of variable var: var_mean, var_sd, var_q<NN> or var_quantile. */
static void stat_name(const char *var, const mig_summarize_opts *o, size_t k, char *buf, size_t n)
{
    char qn[32];
    if (k < 2)
        snprintf(buf, n, "%s_%s", var, k == 0 ? "mean" : "sd");
    else if (o->quantile_dim)
        snprintf(buf, n, "%s_quantile", var);
    else {
        mig_summarize_quantile_name(o->quantiles[k - 2], qn, sizeof qn);
        snprintf(buf, n, "%s_%s", var, qn);
    }
}

/* The statistics written for each variable: mean, sd, then the quantiles. */
typedef struct stat_out {
    char name[300];
    hid_t dset;
} stat_out;

/* The dataspace and creation list of a statistic of d: d's shape, after a leading axis of
 * nq quantiles when lead is 1 (one quantile per chunk). Returns 1 on failure. */
static int stat_space(summ *S, const dinfo *d, int lead, hsize_t nq, hsize_t rows_per_chunk, hid_t *space,
                      hid_t *dcpl)
{
    hsize_t dims[MAX_RANK + 1], chunk[MAX_RANK + 1];
    size_t size = 1;
    dims[0] = nq;
    chunk[0] = 1;
    for (int k = 0; k < d->rank; k++) {
        dims[k + lead] = d->dims[k];
        chunk[k + lead] = k == 0 ? rows_per_chunk : d->dims[k];
        size *= k ? (size_t)d->dims[k] : 1;
    }
    if (failed(S, *space = H5Screate_simple(d->rank + lead, dims, NULL), "H5Screate_simple failed") ||
        (*dcpl = mig_h5_ordered_plist(H5P_DATASET_CREATE, S->h5err)) < 0)
        return 1;
    if (size > 0 && d->dims[0] > 0 &&
        (failed(S, H5Pset_chunk(*dcpl, d->rank + lead, chunk), "H5Pset_chunk failed") ||
         failed(S, H5Pset_shuffle(*dcpl), "H5Pset_shuffle failed") ||
         failed(S, H5Pset_deflate(*dcpl, 4), "H5Pset_deflate failed")))
        return 1;
    return 0;
}

/* Creates the float64 datasets of data variable d (output names in st[0..ns)). */
/* ------------------------------------------------------------ sweep parameters ----- */

/* The "sweep_parameters" every input's provenance holds, or NULL when one has none (or an
 * empty one) or they differ (caller frees). */
static char *shared_parameters(const summ *S)
{
    char *first = read_str_attr(S->in[0], "provenance", "sweep_parameters");
    for (size_t i = 1; first && i < S->n_in; i++) {
        char *p = read_str_attr(S->in[i], "provenance", "sweep_parameters");
        int same = p && strcmp(p, first) == 0;
        free(p);
        if (!same) {
            free(first);
            first = NULL;
        }
    }
    if (first && !*first) {
        free(first);
        first = NULL;
    }
    return first;
}

/* The scalar dataset name = value: float64 when value is a finite number written in full,
 * else a UTF-8 string. Returns nonzero on an HDF5 failure (S->h5err says which). */
static int put_parameter(summ *S, const char *name, const char *value)
{
    hid_t space = -1, type = -1, ds = -1;
    char *end, text[1200];
    double x = strtod(value, &end);
    int num = *value && !*end && isfinite(x), bad = 1;

    if (failed(S, space = H5Screate(H5S_SCALAR), "H5Screate failed") ||
        failed(S, type = H5Tcopy(num ? H5T_IEEE_F64LE : H5T_C_S1), "H5Tcopy failed") ||
        (!num && (failed(S, H5Tset_size(type, H5T_VARIABLE), "H5Tset_size failed") ||
                  failed(S, H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset failed"))) ||
        failed(S, ds = H5Dcreate2(S->out, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               "H5Dcreate2 failed") ||
        failed(S, num ? H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &x)
                      : H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value),
               "H5Dwrite failed"))
        goto done;
    snprintf(text, sizeof text, "sweep parameter %s, the same in every input (the manifest's --set value)",
             name);
    bad = put_attr(S, ds, "long_name", text);
done:
    mig_h5_close(&ds, H5Dclose);
    mig_h5_close(&type, H5Tclose);
    mig_h5_close(&space, H5Sclose);
    return bad;
}

/* Writes S->params, one "key=value" a line, as scalar coordinates and lists their keys in
 * S->param_names. */
static mig_status write_parameters(summ *S)
{
    char *copy, *save = NULL;
    if (!S->params)
        return MIG_OK;
    copy = strdup(S->params);
    S->param_names = calloc(strlen(S->params) + 1, 1);
    if (!copy || !S->param_names) {
        free(copy);
        return mig_ctx_error(S->ctx, MIG_ENOMEM, "%s: out of memory", S->out_path);
    }
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        if (put_parameter(S, line, eq + 1)) {
            free(copy);
            return report_h5(S, S->out_path);
        }
        if (*S->param_names)
            strcat(S->param_names, " ");
        strcat(S->param_names, line);
    }
    free(copy);
    return MIG_OK;
}

/* coords (owned, may be NULL) followed by the parameters' names; returns the new text, or
 * coords when there are none (or memory runs out). */
static char *with_parameters(const summ *S, char *coords)
{
    char *both;
    if (!S->param_names || !*S->param_names)
        return coords;
    if (!coords)
        return strdup(S->param_names);
    if (!(both = mig_asprintf("%s %s", coords, S->param_names)))
        return coords;
    free(coords);
    return both;
}

static mig_status create_stats(summ *S, const dinfo *d, const mig_summarize_opts *o, stat_out *st, size_t ns,
                               hsize_t rows_per_chunk)
{
    hid_t space = -1, dcpl = -1, qspace = -1, qdcpl = -1;
    char *ln = NULL, *units = NULL, *coords = NULL, text[1200];
    int bad = 1, qdim = o->quantile_dim != 0;

    ln = read_str_attr(S->in[0], d->name, "long_name");
    units = read_str_attr(S->in[0], d->name, "units");
    coords = with_parameters(S, read_str_attr(S->in[0], d->name, "coordinates"));
    if (stat_space(S, d, 0, 0, rows_per_chunk, &space, &dcpl) ||
        (qdim && stat_space(S, d, 1, o->n_quantiles, rows_per_chunk, &qspace, &qdcpl)))
        goto done;
    for (size_t s = 0; s < ns; s++) {
        hid_t ds;
        int lead = qdim && s >= 2;
        if (failed(S, st[s].dset = ds = H5Dcreate2(S->out, st[s].name, H5T_IEEE_F64LE, lead ? qspace : space,
                                                   H5P_DEFAULT, lead ? qdcpl : dcpl, H5P_DEFAULT),
                   "H5Dcreate2 failed"))
            goto done;
        if (units && put_attr(S, ds, "units", units))
            goto done;
        if (s == 0)
            snprintf(text, sizeof text, "mean of %s", ln ? ln : d->name);
        else if (s == 1)
            snprintf(text, sizeof text, "standard deviation of %s", ln ? ln : d->name);
        else if (lead)
            snprintf(text, sizeof text, "quantiles of %s", ln ? ln : d->name);
        else
            snprintf(text, sizeof text, "%g quantile of %s", o->quantiles[s - 2], ln ? ln : d->name);
        if (put_attr(S, ds, "long_name", text) || (coords && put_attr(S, ds, "coordinates", coords)))
            goto done;
        if (s < 2 && put_attr(S, ds, "cell_methods", s == 0 ? "realization: mean" : "realization: standard_deviation"))
            goto done;
        if (s >= 2 && !lead && put_attr_double(S, ds, "quantile", o->quantiles[s - 2]))
            goto done;
        if (lead && put_attr(S, ds, "cell_methods", "realization: quantile"))
            goto done;
        if (attach(S, ds, d, lead))
            goto done;
    }
    bad = 0;
done:
    free(ln);
    free(units);
    free(coords);
    mig_h5_close(&qdcpl, H5Pclose);
    mig_h5_close(&qspace, H5Sclose);
    mig_h5_close(&dcpl, H5Pclose);
    mig_h5_close(&space, H5Sclose);
    return bad ? report_h5(S, S->out_path) : MIG_OK;
}

/* Weighted statistics of x[0..n) with weights w (>= 0, not all 0) into out[s * m] (s: mean,
 * sd, quantiles); perm and y are scratch of n. The mean is sum w x / sum w, the sd uses
 * reliability weights (sum w (x - mean)^2 / (W - sum w^2 / W)), and quantile p is the
 * linear interpolation at h = p (W - w_last) along the values of positive weight sorted by
 * value (equal values with the largest weight last), value k standing at the sum of the
 * weights before it:
 * with unit weights exactly the unweighted rule (h = p (n - 1)). */
static void weighted(const double *x, const double *w, size_t n, size_t m, const double *q, size_t nq, double *out,
                     size_t *perm, double *y)
{
    double sw = 0, sx = 0, ss = 0, sw2 = 0, mean, span;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        sw += w[i];
        sx += w[i] * x[i];
        sw2 += w[i] * w[i];
    }
    mean = sx / sw;
    for (size_t i = 0; i < n; i++)
        ss += w[i] * (x[i] - mean) * (x[i] - mean);
    out[0] = mean;
    out[m] = sw - sw2 / sw > 0 ? sqrt(ss / (sw - sw2 / sw)) : 0.0;
    gsl_sort_index(perm, x, 1, n);
    /* within a run of equal values only the last one's weight matters (it spans the step to
     * the next value): the largest, so that ties do not depend on order */
    for (size_t i0 = 0, i1; i0 < n; i0 = i1 + 1) {
        size_t top = i0, tmp;
        for (i1 = i0; i1 + 1 < n && x[perm[i1 + 1]] == x[perm[i0]]; i1++)
            if (w[perm[i1 + 1]] > w[perm[top]])
                top = i1 + 1;
        tmp = perm[top];
        perm[top] = perm[i1];
        perm[i1] = tmp;
    }
    for (size_t i = 0; i < n; i++)
        if (w[perm[i]] > 0)
            perm[k++] = perm[i];
    for (size_t i = 0; i < k; i++)
        y[i] = i ? y[i - 1] + w[perm[i - 1]] : 0.0;     /* the weight before value i */
    span = y[k - 1];
    for (size_t j = 0; j < nq; j++) {
        double h = q[j] * span, delta;
        size_t i = 0;
        if (k == 1) {
            out[(2 + j) * m] = x[perm[0]];
            continue;
        }
        while (i + 2 < k && y[i + 1] <= h)
            i++;
        delta = (h - y[i]) / w[perm[i]];
        out[(2 + j) * m] = (1 - delta) * x[perm[i]] + delta * x[perm[i + 1]];
    }
}

_Static_assert(sizeof(size_t) <= sizeof(double), "the scratch holds a permutation in a double's room");

/* Statistics of element j of m over n inputs held in in[i * m + j], into out[s * m + j];
 * weighted when w is not NULL. scratch holds n doubles and n size_t per thread. */
static void compute(const double *in, const double *w, size_t n, size_t m, const double *q, size_t nq, double *out,
                    double *scratch, int threads)
{
#pragma omp parallel num_threads(threads) default(none) shared(in, w, n, m, q, nq, out, scratch)
    {
        double *x = scratch + (size_t)omp_get_thread_num() * 3 * n;
#pragma omp for schedule(static)
        for (size_t j = 0; j < m; j++) {
            double sum = 0.0, ss = 0.0, mean;
            for (size_t i = 0; i < n; i++) {
                x[i] = in[i * m + j];
                sum += x[i];
            }
            if (w) {
                weighted(x, w, n, m, q, nq, out + j, (size_t *)(x + n), x + 2 * n);
                continue;
            }
            mean = sum / (double)n;
            for (size_t i = 0; i < n; i++)
                ss += (x[i] - mean) * (x[i] - mean);
            out[j] = mean;
            out[m + j] = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
            gsl_sort(x, 1, n);
            for (size_t k = 0; k < nq; k++)
                out[(2 + k) * m + j] = gsl_stats_quantile_from_sorted_data(x, 1, n, q[k]);
        }
    }
}

/* The ns statistics of variable d: <name>_mean, <name>_sd, then one per quantile (or one
 * <name>_quantile); none open. */
static void stat_names(const dinfo *d, const mig_summarize_opts *o, stat_out *st, size_t ns)
{
    for (size_t k = 0; k < ns; k++) {
        st[k].dset = -1;
        stat_name(d->name, o, k, st[k].name, sizeof st[k].name);
    }
}

/* Rows per chunk of the statistics of d (rows of size values): as in the input, at most
 * CHUNK_BYTES, at least 1 and at most rows. */
static size_t stat_chunk_rows(const dinfo *d, size_t size, size_t rows)
{
    size_t chunk_rows = d->chunk0 ? (size_t)d->chunk0 : 32;
    if (size > 0 && chunk_rows * size * sizeof(double) > CHUNK_BYTES)
        chunk_rows = CHUNK_BYTES / (size * sizeof(double));
    if (chunk_rows < 1)
        chunk_rows = 1;
    if (chunk_rows > rows)
        chunk_rows = rows ? rows : 1;
    return chunk_rows;
}

/* Reads (write 0) or writes (write 1) the block at start, count of dataset dset as doubles
 * from or to buf. Returns 1 on failure (described in S->h5err), else 0. */
static int move_rows(summ *S, hid_t dset, int rank, const hsize_t *start, const hsize_t *count, double *buf,
                     int write)
{
    hid_t fs = -1, ms = -1;
    int bad = failed(S, fs = H5Dget_space(dset), "H5Dget_space failed") ||
              failed(S, H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL),
                     "H5Sselect_hyperslab failed") ||
              failed(S, ms = H5Screate_simple(rank, count, NULL), "H5Screate_simple failed") ||
              (write ? failed(S, H5Dwrite(dset, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf), "H5Dwrite failed")
                     : failed(S, H5Dread(dset, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf), "H5Dread failed"));
    mig_h5_close(&ms, H5Sclose);
    mig_h5_close(&fs, H5Sclose);
    return bad;
}

/* Writes the block at start, count of every statistic of d from out (statistic k at
 * out + k * m, as compute leaves them); the quantiles of V_quantile one slab each. */
static int write_stats(summ *S, const dinfo *d, const mig_summarize_opts *o, const stat_out *st,
                       const hsize_t *start, const hsize_t *count, const double *out, size_t m)
{
    hsize_t qstart[MAX_RANK + 1] = { 0 }, qcount[MAX_RANK + 1] = { 1 };
    for (size_t k = 0; k < (o->quantile_dim ? 2 : n_stats(o)); k++)
        if (move_rows(S, st[k].dset, d->rank, start, count, (double *)out + k * m, 1))
            return 1;
    if (!o->quantile_dim)
        return 0;
    memcpy(qstart + 1, start, (size_t)d->rank * sizeof *start);
    memcpy(qcount + 1, count, (size_t)d->rank * sizeof *count);
    for (size_t k = 0; k < o->n_quantiles; k++) {
        qstart[0] = k;
        if (move_rows(S, st[2].dset, d->rank + 1, qstart, qcount, (double *)out + (2 + k) * m, 1))
            return 1;
    }
    return 0;
}

/* A migsim output stores counts (and probabilities in units of 1e-6) as integers, none
 * negative: a negative entry of integer variable d in block x (first row r0, m values) of
 * input i means a damaged file (INT_MIN averaged into a mean otherwise). */
static mig_status check_counts(summ *S, const dinfo *d, size_t i, const double *x, size_t r0, size_t m,
                               size_t size)
{
    if (d->cls != H5T_INTEGER)
        return MIG_OK;
    for (size_t j = 0; j < m; j++)
        if (x[j] < 0)
            return mig_ctx_error(S->ctx, MIG_EDATA,
                                 "%s: %s: entry %zu of time row %zu is %.0f; a migsim output holds no negative "
                                 "integer (the file is damaged)",
                                 S->in_path[i], d->name, j % size, r0 + j / size, x[j]);
    return MIG_OK;
}

/* Summarizes one data variable, a block of time rows at a time. */
static mig_status summarize_var(summ *S, const dinfo *d, const mig_summarize_opts *o)
{
    size_t ns = n_stats(o), nv = 2 + o->n_quantiles, n = S->n_in, size = 1, rows = (size_t)d->dims[0], block,
           chunk_rows;
    stat_out st[2 + MIG_SUMMARIZE_MAX_QUANTILES];
    hid_t *src = NULL;
    double *in = NULL, *out = NULL, *scratch = NULL;
    int threads = S->ctx->threads > 0 ? S->ctx->threads : 1;
    mig_status s = MIG_OK;

    for (int k = 1; k < d->rank; k++)
        size *= (size_t)d->dims[k];
    stat_names(d, o, st, ns);
    chunk_rows = stat_chunk_rows(d, size, rows);
    if ((s = create_stats(S, d, o, st, ns, chunk_rows)) != MIG_OK)
        goto done;
    if (size == 0 || rows == 0)
        goto done;

    block = (o->block_bytes ? o->block_bytes : BLOCK_BYTES) / (n * size * sizeof(double));
    if (block >= chunk_rows)
        block -= block % chunk_rows;
    if (block < 1)
        block = 1;
    if (block > rows)
        block = rows;
    src = malloc(n * sizeof *src);
    in = malloc(n * block * size * sizeof *in);
    out = malloc(nv * block * size * sizeof *out);
    scratch = malloc((size_t)threads * 3 * n * sizeof *scratch);
    if (!src || !in || !out || !scratch) {
        s = mig_ctx_error(S->ctx, MIG_ENOMEM, "%s: %s: out of memory for %zu inputs", S->out_path, d->name, n);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        src[i] = -1;
    for (size_t i = 0; i < n; i++)
        if (failed(S, src[i] = H5Dopen2(S->in[i], d->name, H5P_DEFAULT), "H5Dopen2 failed")) {
            s = report_h5(S, S->in_path[i]);
            goto done;
        }
    for (size_t r0 = 0; r0 < rows; r0 += block) {
        size_t nr = rows - r0 < block ? rows - r0 : block, m = nr * size;
        hsize_t start[MAX_RANK] = { 0 }, count[MAX_RANK];
        start[0] = r0;
        count[0] = nr;
        for (int k = 1; k < d->rank; k++)
            count[k] = d->dims[k];
        for (size_t i = 0; i < n; i++)
            if (move_rows(S, src[i], d->rank, start, count, in + i * m, 0)) {
                s = report_h5(S, S->in_path[i]);
                goto done;
            } else if ((s = check_counts(S, d, i, in + i * m, r0, m, size)) != MIG_OK)
                goto done;
        compute(in, o->weights, n, m, o->quantiles, o->n_quantiles, out, scratch, threads);
        if (write_stats(S, d, o, st, start, count, out, m)) {
            s = report_h5(S, S->out_path);
            goto done;
        }
    }
done:
    for (size_t i = 0; src && i < n; i++)
        mig_h5_close(&src[i], H5Dclose);
    for (size_t k = 0; k < ns; k++)
        mig_h5_close(&st[k].dset, H5Dclose);
    MIG_FREE_ALL(src, in, out, scratch);
    return s;
}

/* Every output name is new: no statistic lands on a copied dataset or on another one. */
static mig_status check_names(summ *S, const mig_summarize_opts *o)
{
    size_t ns = n_stats(o), cap = S->L.n * ns + 1, n = 0;
    char **all = calloc(cap, sizeof *all);
    mig_status st = MIG_OK;
    if (!all)
        return mig_ctx_error(S->ctx, MIG_ENOMEM, "%s: out of memory", S->out_path);
    for (size_t i = 0; i < S->L.n && st == MIG_OK; i++) {
        const dinfo *d = &S->L.d[i];
        if (d->role == ROLE_DATA && !chosen(o, d))
            continue;
        for (size_t k = 0; k < (d->role == ROLE_DATA ? ns : 1); k++) {
            char name[300];
            if (d->role != ROLE_DATA)
                snprintf(name, sizeof name, "%s", d->name);
            else
                stat_name(d->name, o, k, name, sizeof name);
            for (size_t j = 0; j < n; j++)
                if (strcmp(all[j], name) == 0) {
                    st = mig_ctx_error(S->ctx, MIG_EDATA, "%s: the summary would hold two datasets named \"%s\"",
                                       S->in_path[0], name);
                    break;
                }
            if (st != MIG_OK)
                break;
            if (!(all[n++] = strdup(name))) {
                st = mig_ctx_error(S->ctx, MIG_ENOMEM, "%s: out of memory", S->out_path);
                break;
            }
        }
    }
    if (st == MIG_OK && o->quantile_dim)
        for (size_t j = 0; j < n; j++)
            if (strcmp(all[j], "quantile") == 0) {
                st = mig_ctx_error(S->ctx, MIG_EDATA, "%s: the summary would hold two datasets named \"quantile\"",
                                   S->in_path[0]);
                break;
            }
    for (size_t j = 0; j < n; j++)
        free(all[j]);
    free(all);
    return st;
}

/* ------------------------------------------------------------------ provenance ----- */

static char *join(const char *const *items, size_t n, const char *sep)
{
    size_t len = 1;
    char *s;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + strlen(sep);
    s = calloc(len, 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, sep);
        strcat(s, items[i]);
    }
    return s;
}

/* The inputs' provenance seeds, one line each ("" where an input has none), into *out (caller
 * frees). */
static mig_status input_seeds(summ *S, char **out)
{
    char **seeds = calloc(S->n_in, sizeof *seeds);
    mig_status st = MIG_OK;
    *out = NULL;
    if (!seeds)
        return mig_ctx_error(S->ctx, MIG_ENOMEM, "%s: out of memory", S->out_path);
    for (size_t i = 0; i < S->n_in && st == MIG_OK; i++) {
        seeds[i] = read_str_attr(S->in[i], "provenance", "seed");
        if (!seeds[i] && !(seeds[i] = strdup("")))
            st = MIG_ENOMEM;
    }
    if (st == MIG_OK && !(*out = join((const char *const *)seeds, S->n_in, "\n")))
        st = MIG_ENOMEM;
    for (size_t i = 0; i < S->n_in; i++)
        free(seeds[i]);
    free(seeds);
    return st == MIG_OK ? MIG_OK : mig_ctx_error(S->ctx, st, "%s: out of memory", S->out_path);
}

static mig_status write_provenance(summ *S, const mig_summarize_opts *o)
{
    char *inputs = NULL, *seed_list = NULL, *vars = NULL;
    char qtext[MIG_SUMMARIZE_MAX_QUANTILES * 24 + 1] = "", nin[32], hdf5[32], started[32];
    hid_t gcpl = -1, g = -1;
    unsigned maj = 0, min = 0, rel = 0;
    time_t now = time(NULL);
    struct tm tmv;
    mig_status st = MIG_OK;
    int bad = 1;

    if ((st = input_seeds(S, &seed_list)) != MIG_OK)
        return st;
    if (!(inputs = join(o->input_labels ? o->input_labels : S->in_path, S->n_in, "\n"))) {
        st = mig_ctx_error(S->ctx, MIG_ENOMEM, "%s: out of memory", S->out_path);
        goto done;
    }
    for (size_t k = 0; k < o->n_quantiles; k++)
        snprintf(qtext + strlen(qtext), sizeof qtext - strlen(qtext), "%s%g", k ? "," : "", o->quantiles[k]);
    snprintf(nin, sizeof nin, "%zu", S->n_in);
    H5get_libversion(&maj, &min, &rel);
    snprintf(hdf5, sizeof hdf5, "%u.%u.%u", maj, min, rel);
    gmtime_r(&now, &tmv);
    strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    {
        const char *job = getenv("SLURM_JOB_ID");
        const struct {
            const char *k, *v;
        } prov[] = {
            { "migsim_version", MIG_VERSION },
            { "git_revision", MIG_GIT_REVISION },
            { "compiler", MIGSIM_COMPILER },
            { "gsl_version", GSL_VERSION },
            { "hdf5_version", hdf5 },
            { "command_line", o->command_line ? o->command_line : "" },
            { "created_utc", started },
            { "slurm_job_id", job ? job : "" },
            { "n_inputs", nin },
            { "inputs", inputs },
            { "input_seeds", seed_list },
            { "sweep_parameters", S->params ? S->params : "" },
            { "quantiles", qtext },
            { "statistics", "mean; sample standard deviation (n - 1 in the denominator, 0 for one input); "
                            "quantiles by linear interpolation between order statistics "
                            "(GSL gsl_stats_quantile_from_sorted_data, numpy's default)" },
        };
        if ((gcpl = mig_h5_ordered_plist(H5P_GROUP_CREATE, S->h5err)) < 0 ||
            failed(S, g = H5Gcreate2(S->out, "provenance", H5P_DEFAULT, gcpl, H5P_DEFAULT), "H5Gcreate2 failed"))
            goto done;
        for (size_t i = 0; i < sizeof prov / sizeof prov[0]; i++)
            if (mig_h5_put_string_attr(g, prov[i].k, prov[i].v, S->h5err))
                goto done;
        if (o->vars && o->n_vars > 0 && !(vars = join(o->vars, o->n_vars, ","))) {
            st = mig_ctx_error(S->ctx, MIG_ENOMEM, "%s: out of memory", S->out_path);
            goto done;
        }
        if (vars && mig_h5_put_string_attr(g, "vars", vars, S->h5err))
            goto done;
        for (size_t i = 0; i < o->n_extra; i++)
            if (mig_h5_put_string_attr(g, o->extra[2 * i], o->extra[2 * i + 1], S->h5err))
                goto done;
    }
    bad = 0;
done:
    mig_h5_close(&g, H5Gclose);
    mig_h5_close(&gcpl, H5Pclose);
    MIG_FREE_ALL(inputs, seed_list, vars);
    if (st != MIG_OK)
        return st;
    return bad ? report_h5(S, S->out_path) : MIG_OK;
}

/* ------------------------------------------------------------------ the whole ------ */

/* Inputs exist, are distinct, are not the output, and open as HDF5. */
static mig_status open_inputs(summ *S)
{
    struct stat *sb = calloc(S->n_in, sizeof *sb), so;
    int have_out = stat(S->out_path, &so) == 0;
    mig_status st = MIG_OK;

    if (!sb)
        return mig_ctx_error(S->ctx, MIG_ENOMEM, "%s: out of memory", S->out_path);
    for (size_t i = 0; i < S->n_in && st == MIG_OK; i++) {
        const char *p = S->in_path[i];
        htri_t is;
        if (stat(p, &sb[i]) != 0) {
            st = mig_ctx_error(S->ctx, errno == ENOENT ? MIG_ENOINPUT : MIG_EIO, "%s: cannot open: %s", p,
                               strerror(errno));
            break;
        }
        if (have_out && sb[i].st_dev == so.st_dev && sb[i].st_ino == so.st_ino) {
            st = mig_ctx_error(S->ctx, MIG_EUSAGE, "%s: the output is also an input (inputs are never overwritten)",
                               S->out_path);
            break;
        }
        for (size_t k = 0; k < i; k++)
            if (sb[i].st_dev == sb[k].st_dev && sb[i].st_ino == sb[k].st_ino) {
                st = mig_ctx_error(S->ctx, MIG_EUSAGE, "%s: given twice (the same file as %s)", p, S->in_path[k]);
                break;
            }
        if (st != MIG_OK)
            break;
        is = H5Fis_hdf5(p);
        H5Eclear2(H5E_DEFAULT);
        if (is <= 0) {
            st = mig_ctx_error(S->ctx, MIG_EDATA, "%s: not an HDF5 file", p);
            break;
        }
        if (failed(S, S->in[i] = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen failed")) {
            st = mig_ctx_error(S->ctx, MIG_EDATA, "%s: cannot open: HDF5: %s", p, S->h5err);
            S->h5err[0] = '\0';
        }
    }
    free(sb);
    return st;
}

static mig_status create_output(summ *S, const char *source)
{
    hid_t fcpl = -1, fapl = -1, root = -1;
    static const char *const skip_root[] = { "source", NULL };
    int n, fd;
    mig_status st = MIG_EIO;

    n = snprintf(NULL, 0, "%s.tmp.%ld", S->out_path, (long)getpid());
    S->tmp = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (!S->tmp)
        return mig_ctx_error(S->ctx, MIG_ENOMEM, "%s: out of memory", S->out_path);
    snprintf(S->tmp, (size_t)n + 1, "%s.tmp.%ld", S->out_path, (long)getpid());
    fd = open(S->tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0)
        return mig_ctx_error(S->ctx, MIG_EIO, "%s: cannot create output file: %s", S->out_path, strerror(errno));
    S->tmp_made = 1;
    close(fd);
    if (mig_h5_file_plists(&fcpl, &fapl, S->h5err) ||
        failed(S, S->out = H5Fcreate(S->tmp, H5F_ACC_TRUNC, fcpl, fapl), "H5Fcreate failed"))
        goto done;
    if (failed(S, root = H5Gopen2(S->in[0], "/", H5P_DEFAULT), "H5Gopen2 failed")) {
        st = report_h5(S, S->in_path[0]);
        goto out;
    }
    if (copy_attrs(S, root, S->out, skip_root) || put_attr(S, S->out, "source", source ? source : "migsim summarize"))
        goto done;
    st = MIG_OK;
    goto out;
done:
    st = report_h5(S, S->out_path);
out:
    mig_h5_close(&root, H5Gclose);
    mig_h5_close(&fcpl, H5Pclose);
    mig_h5_close(&fapl, H5Pclose);
    return st;
}

/* Opens and scans every input (the first's layout into S->L, o->vars checked against it,
 * the others compared with it) and counts the variables to summarize into stats. */
static mig_status read_inputs(summ *S, const mig_summarize_opts *o, mig_summarize_stats *stats)
{
    mig_status st;
    if ((st = open_inputs(S)) != MIG_OK || (st = scan(S, S->in[0], S->in_path[0], &S->L)) != MIG_OK)
        return st;
    if (o->vars && o->n_vars > 0 &&
        (st = check_selection(S->ctx, &S->L, S->in_path[0], o->vars, o->n_vars)) != MIG_OK)
        return st;
    for (size_t k = 1; k < S->n_in; k++) {
        layout Lk;
        if ((st = scan(S, S->in[k], S->in_path[k], &Lk)) != MIG_OK)
            return st;
        st = compare_layouts(S, &S->L, S->in_path[0], &Lk, S->in_path[k]);
        layout_free(&Lk);
        if (st != MIG_OK || (st = compare_contents(S, k)) != MIG_OK)
            return st;
    }
    for (size_t i = 0; i < S->L.n; i++)
        stats->n_vars += (size_t)chosen(o, &S->L.d[i]);
    if (stats->n_vars == 0)
        return mig_ctx_error(S->ctx, MIG_EDATA, "%s: no variables over time to summarize", S->in_path[0]);
    return MIG_OK;
}

/* The dimension scale "quantile" (quantile_dim): the levels, float64. */
static mig_status create_qscale(summ *S, const mig_summarize_opts *o)
{
    hsize_t n = o->n_quantiles;
    hid_t space = -1, dcpl = -1;
    int bad = failed(S, space = H5Screate_simple(1, &n, NULL), "H5Screate_simple failed") ||
              (dcpl = mig_h5_ordered_plist(H5P_DATASET_CREATE, S->h5err)) < 0 ||
              failed(S, S->qscale = H5Dcreate2(S->out, "quantile", H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl,
                                               H5P_DEFAULT), "H5Dcreate2 failed") ||
              failed(S, H5Dwrite(S->qscale, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, o->quantiles),
                     "H5Dwrite failed") ||
              put_attr(S, S->qscale, "long_name", "quantile level (probability) across runs") ||
              put_attr(S, S->qscale, "units", "1") ||
              failed(S, H5DSset_scale(S->qscale, "quantile"), "H5DSset_scale failed");
    mig_h5_close(&dcpl, H5Pclose);
    mig_h5_close(&space, H5Sclose);
    return bad ? report_h5(S, S->out_path) : MIG_OK;
}

/* The output's datasets: the dimension scales copied first (and "quantile" made), then the
 * other coordinates copied and each variable over time summarized. */
static mig_status write_datasets(summ *S, const mig_summarize_opts *opts, mig_summarize_stats *stats)
{
    mig_status st;
    if (opts->quantile_dim && opts->n_quantiles > 0 && (st = create_qscale(S, opts)) != MIG_OK)
        return st;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < S->L.n; i++) {
            const dinfo *d = &S->L.d[i];
            if ((pass == 0) != (d->role == ROLE_SCALE) || (d->role == ROLE_DATA && !chosen(opts, d)))
                continue;
            st = d->role == ROLE_DATA ? summarize_var(S, d, opts) : copy_dataset(S, i);
            if (st != MIG_OK)
                return st;
            stats->n_copied += d->role != ROLE_DATA;
        }
    return MIG_OK;
}

/* Closes the output, syncs it and renames it to its name. */
static mig_status finish_output(summ *S)
{
    mig_status st;
    for (size_t i = 0; i < S->L.n; i++)
        mig_h5_close(&S->scale_id[i], H5Dclose);
    mig_h5_close(&S->qscale, H5Dclose);
    if (failed(S, H5Fclose(S->out), "H5Fclose failed")) {
        S->out = -1;
        return report_h5(S, S->out_path);
    }
    S->out = -1;
    if ((st = mig_h5_file_commit(S->tmp, S->out_path, S->ctx)) == MIG_OK)
        S->tmp_made = 0;
    return st;
}

mig_status mig_summarize(const char *const *inputs, size_t n_inputs, const char *output,
                         const mig_summarize_opts *opts, mig_ctx *ctx, mig_summarize_stats *stats)
{
    summ S = { 0 };
    mig_status st = MIG_OK;

    memset(stats, 0, sizeof *stats);
    if (n_inputs == 0 || !inputs)
        return mig_ctx_error(ctx, MIG_EUSAGE, "%s: no input files", output);
    if (opts->n_quantiles > MIG_SUMMARIZE_MAX_QUANTILES)
        return mig_ctx_error(ctx, MIG_EUSAGE, "--quantiles: at most %d quantiles", MIG_SUMMARIZE_MAX_QUANTILES);
    if (opts->vars && (st = check_list(opts->vars, opts->n_vars, ctx)) != MIG_OK)
        return st;
    mig_h5_errors(ctx);
    S.ctx = ctx;
    S.out_path = output;
    S.in_path = inputs;
    S.n_in = n_inputs;
    S.out = S.qscale = -1;
    S.in = malloc(n_inputs * sizeof *S.in);
    if (!S.in)
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", output);
    for (size_t i = 0; i < n_inputs; i++)
        S.in[i] = -1;

    if ((st = read_inputs(&S, opts, stats)) != MIG_OK || (st = check_names(&S, opts)) != MIG_OK)
        goto done;
    S.scale_id = malloc((S.L.n ? S.L.n : 1) * sizeof *S.scale_id);
    if (!S.scale_id) {
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", output);
        goto done;
    }
    for (size_t i = 0; i < S.L.n; i++)
        S.scale_id[i] = -1;

    S.params = shared_parameters(&S);
    if ((st = create_output(&S, opts->source)) != MIG_OK || (st = write_parameters(&S)) != MIG_OK ||
        (st = write_datasets(&S, opts, stats)) != MIG_OK ||
        (st = write_provenance(&S, opts)) != MIG_OK || (st = finish_output(&S)) != MIG_OK)
        goto done;
    stats->n_inputs = n_inputs;
done:
    if (S.scale_id)
        for (size_t i = 0; i < S.L.n; i++)
            mig_h5_close(&S.scale_id[i], H5Dclose);
    mig_h5_close(&S.qscale, H5Dclose);
    mig_h5_close(&S.out, H5Fclose);
    if (S.tmp_made)
        unlink(S.tmp);
    for (size_t i = 0; i < n_inputs; i++)
        mig_h5_close(&S.in[i], H5Fclose);
    MIG_FREE_ALL(S.in, S.scale_id, S.tmp, S.params, S.param_names);
    layout_free(&S.L);
    if (st != MIG_OK)
        memset(stats, 0, sizeof *stats);
    return st;
}

mig_status mig_summarize_check_vars(const char *path, const char *shown, const char *const *vars, size_t n,
                                    mig_ctx *ctx)
{
    summ S = { .ctx = ctx, .out_path = path };
    hid_t f = -1;
    mig_status st;

    if ((st = check_list(vars, n, ctx)) != MIG_OK)
        return st;
    mig_h5_errors(ctx);
    if (failed(&S, f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen failed"))
        return mig_ctx_error(ctx, MIG_EDATA, "%s: cannot open: HDF5: %s", path, S.h5err);
    if ((st = scan(&S, f, path, &S.L)) == MIG_OK)
        st = check_selection(ctx, &S.L, shown ? shown : path, vars, n);
    layout_free(&S.L);
    mig_h5_close(&f, H5Fclose);
    return st;
}

mig_status mig_summarize_parse_vars(const char *text, char ***names, size_t *n, mig_ctx *ctx)
{
    size_t cap = 1;
    const char *p = text;
    mig_status st;

    *names = NULL;
    *n = 0;
    for (const char *c = text; *c; c++)
        cap += *c == ',';
    if (!(*names = calloc(cap, sizeof **names)))
        return mig_ctx_error(ctx, MIG_ENOMEM, "--vars: out of memory");
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == 0) {
            st = mig_ctx_error(ctx, MIG_EUSAGE, "--vars: an empty name in \"%s\" (expected NAME[,NAME...])", text);
            goto bad;
        }
        if (!((*names)[(*n)++] = strndup(p, len))) {
            st = mig_ctx_error(ctx, MIG_ENOMEM, "--vars: out of memory");
            goto bad;
        }
        if (!p[len])
            break;
        p += len + 1;
    }
    if ((st = check_list((const char *const *)*names, *n, ctx)) == MIG_OK)
        return MIG_OK;
bad:
    mig_free_strings(*names, *n);
    *names = NULL;
    *n = 0;
    return st;
}
