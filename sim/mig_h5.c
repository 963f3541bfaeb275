/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_h5.c: capture of HDF5 error descriptions and the building blocks every file we write
 * shares (property lists, attributes, datasets, the final rename). */
#include "mig_h5.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5_hl.h>

void mig_h5_errors(const mig_ctx *ctx)
{
    if (ctx->level >= MIG_LOG_DEBUG)
        H5Eset_auto2(H5E_DEFAULT, (H5E_auto2_t)H5Eprint2, stderr);
    else
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* HDF5's description of a failed system call runs over lines ("file write failed: time =
 * ...\n, filename = ..., errno = 28, error message = 'No space left on device', ..."): its
 * head and the system's message, on one line. */
static void one_line(const char *desc, char *out)
{
    const char *msg = strstr(desc, "error message = '"), *end;
    size_t head = strcspn(desc, ":\n");
    if (msg && (end = strchr(msg + 17, '\'')))
        snprintf(out, MIG_H5_ERR_MAX, "%.*s: %.*s", (int)head, desc, (int)(end - msg - 17), msg + 17);
    else
        snprintf(out, MIG_H5_ERR_MAX, "%.*s", (int)strcspn(desc, "\n"), desc);
}

static herr_t walk_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc && e->desc[0])
        one_line(e->desc, data);
    return 0;
}

int mig_h5_failed(hid_t r, const char *what, char err[MIG_H5_ERR_MAX])
{
    char desc[MIG_H5_ERR_MAX] = "";
    if (r >= 0)
        return 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_innermost, desc);
    H5Eclear2(H5E_DEFAULT);
    if (!err[0])
        snprintf(err, MIG_H5_ERR_MAX, "%s", desc[0] ? desc : what);
    return 1;
}

void mig_h5_close(hid_t *id, herr_t (*closer)(hid_t))
{
    if (*id >= 0) {
        closer(*id);
        H5Eclear2(H5E_DEFAULT);
    }
    *id = -1;
}

/* A scalar UTF-8 string attribute: variable-length (vlen) or fixed-length, NUL-terminated. */
static int put_str(hid_t loc, const char *name, const char *value, int vlen, char err[MIG_H5_ERR_MAX])
{
    hid_t type = -1, space = -1, attr = -1;
    int bad = 1;
    if (mig_h5_failed(type = H5Tcopy(H5T_C_S1), "H5Tcopy failed", err) ||
        mig_h5_failed(H5Tset_size(type, vlen ? H5T_VARIABLE : strlen(value) + 1), "H5Tset_size failed", err) ||
        mig_h5_failed(H5Tset_strpad(type, H5T_STR_NULLTERM), "H5Tset_strpad failed", err) ||
        mig_h5_failed(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset failed", err) ||
        mig_h5_failed(space = H5Screate(H5S_SCALAR), "H5Screate failed", err) ||
        mig_h5_failed(attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2 failed",
                      err) ||
        mig_h5_failed(H5Awrite(attr, type, vlen ? (const void *)&value : value), "H5Awrite failed", err))
        goto done;
    bad = 0;
done:
    mig_h5_close(&attr, H5Aclose);
    mig_h5_close(&space, H5Sclose);
    mig_h5_close(&type, H5Tclose);
    return bad;
}

int mig_h5_put_char_attr(hid_t loc, const char *name, const char *value, char err[MIG_H5_ERR_MAX])
{
    return put_str(loc, name, value, 0, err);
}

int mig_h5_put_string_attr(hid_t loc, const char *name, const char *value, char err[MIG_H5_ERR_MAX])
{
    return put_str(loc, name, value, 1, err);
}

int mig_h5_get_string_attr(hid_t loc, const char *obj, const char *name, char **out)
{
    hid_t a = -1, sp = -1, ft = -1, mt = -1;
    char *p = NULL;
    *out = NULL;
    if (H5Aexists_by_name(loc, obj, name, H5P_DEFAULT) <= 0 ||
        (a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT)) < 0 || (sp = H5Aget_space(a)) < 0 ||
        H5Sget_simple_extent_npoints(sp) != 1 || (ft = H5Aget_type(a)) < 0 || H5Tget_class(ft) != H5T_STRING ||
        (mt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_cset(mt, H5Tget_cset(ft)) < 0)
        goto done;
    if (H5Tis_variable_str(ft) > 0) {
        if (H5Tset_size(mt, H5T_VARIABLE) >= 0 && H5Aread(a, mt, &p) >= 0 && p)
            *out = strdup(p);
        if (p)
            H5free_memory(p);
    } else if (H5Tget_size(ft) > 0 && H5Tset_size(mt, H5Tget_size(ft) + 1) >= 0 &&
               (*out = calloc(H5Tget_size(ft) + 1, 1)) && H5Aread(a, mt, *out) < 0) {
        free(*out);
        *out = NULL;
    }
done:
    mig_h5_close(&mt, H5Tclose);
    mig_h5_close(&ft, H5Tclose);
    mig_h5_close(&sp, H5Sclose);
    mig_h5_close(&a, H5Aclose);
    H5Eclear2(H5E_DEFAULT);
    return *out == NULL;
}

hid_t mig_h5_ordered_plist(hid_t cls, char err[MIG_H5_ERR_MAX])
{
    hid_t pl = H5Pcreate(cls);
    if (mig_h5_failed(pl, "H5Pcreate failed", err))
        return -1;
    if (mig_h5_failed(H5Pset_attr_creation_order(pl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
                      "H5Pset_attr_creation_order failed", err)) {
        mig_h5_close(&pl, H5Pclose);
        return -1;
    }
    return pl;
}

static int has_values(const mig_h5_dataset *d)
{
    for (int i = 0; i < d->rank; i++)
        if (d->dims[i] == 0)
            return 0;
    return 1;
}

int mig_h5_put_dataset(hid_t loc, const mig_h5_dataset *d, hid_t *keep, char err[MIG_H5_ERR_MAX])
{
    hid_t space = -1, dcpl = -1, dset = -1;
    int bad = 1;
    if (mig_h5_failed(space = H5Screate_simple(d->rank, d->dims, NULL), "H5Screate_simple failed", err) ||
        (dcpl = mig_h5_ordered_plist(H5P_DATASET_CREATE, err)) < 0 ||
        mig_h5_failed(dset = H5Dcreate2(loc, d->name, d->filetype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                      "H5Dcreate2 failed", err) ||
        (has_values(d) && mig_h5_failed(H5Dwrite(dset, d->memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->data),
                                        "H5Dwrite failed", err)) ||
        (d->units && mig_h5_put_char_attr(dset, "units", d->units, err)) ||
        mig_h5_put_char_attr(dset, "long_name", d->long_name, err) ||
        (d->scale && mig_h5_failed(H5DSset_scale(dset, d->scale), "H5DSset_scale failed", err)))
        goto done;
    for (unsigned i = 0; i < 2; i++)
        if (d->dim[i] >= 0 && mig_h5_failed(H5DSattach_scale(dset, d->dim[i], i), "H5DSattach_scale failed", err))
            goto done;
    bad = 0;
    if (keep) {
        *keep = dset;
        dset = -1;
    }
done:
    mig_h5_close(&dset, H5Dclose);
    mig_h5_close(&dcpl, H5Pclose);
    mig_h5_close(&space, H5Sclose);
    return bad;
}

int mig_h5_file_plists(hid_t *fcpl, hid_t *fapl, char err[MIG_H5_ERR_MAX])
{
    return mig_h5_failed(*fcpl = H5Pcreate(H5P_FILE_CREATE), "H5Pcreate failed", err) ||
           mig_h5_failed(H5Pset_link_creation_order(*fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
                         "H5Pset_link_creation_order failed", err) ||
           mig_h5_failed(H5Pset_attr_creation_order(*fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
                         "H5Pset_attr_creation_order failed", err) ||
           mig_h5_failed(*fapl = H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate failed", err) ||
           mig_h5_failed(H5Pset_libver_bounds(*fapl, H5F_LIBVER_V18, H5F_LIBVER_V18), "H5Pset_libver_bounds failed",
                         err) ||
           mig_h5_failed(H5Pset_fclose_degree(*fapl, H5F_CLOSE_STRONG), "H5Pset_fclose_degree failed", err);
}

mig_status mig_h5_file_commit(const char *tmp, const char *path, mig_ctx *ctx)
{
    int fd = open(tmp, O_RDONLY);
    if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL)) {
        mig_status s = mig_ctx_error(ctx, MIG_EIO, "%s: cannot sync %s: %s", path, tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return s;
    }
    close(fd);
    if (rename(tmp, path) != 0)
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot rename %s to it: %s", path, tmp, strerror(errno));
    return MIG_OK;
}
