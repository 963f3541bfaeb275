/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_sobol_h5.c: Sobol indices to HDF5 (see mig_sobol_h5.h), laid out as the run outputs are
 * (mig_output.c): string dimension scales, CF attributes as NC_CHAR, provenance as NC_STRING,
 * the 1.8 file format, a temporary file renamed when complete. */
#include "mig_sobol_h5.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "mig_h5.h"
#include "mig_util.h"

/* A 1-D or 2-D dataset: its name, CF attributes and dimension scales. */
typedef struct var_spec {
    const char *name, *long_name, *units;  /* units NULL: none */
    const char *scale;                     /* non-NULL: the dataset is the dimension scale of that name */
    hid_t dim0, dim1;                      /* >= 0: the scales attached to axes 0 and 1 */
} var_spec;

static hid_t str_type(char err[MIG_H5_ERR_MAX])
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (mig_h5_failed(t, "H5Tcopy failed", err))
        return -1;
    if (mig_h5_failed(H5Tset_size(t, H5T_VARIABLE), "H5Tset_size failed", err) ||
        mig_h5_failed(H5Tset_cset(t, H5T_CSET_UTF8), "H5Tset_cset failed", err))
        mig_h5_close(&t, H5Tclose);
    return t;
}

/* Writes dataset v of rank 1 or 2 (dims) from data of type (file and memory alike); the open
 * dataset goes to *keep when keep is non-NULL. 0, or 1 with the error in err. */
static int put_var(hid_t file, const var_spec *v, int rank, const hsize_t *dims, hid_t type, const void *data,
                   hid_t *keep, char err[MIG_H5_ERR_MAX])
{
    mig_h5_dataset d = { v->name, v->long_name, v->units, v->scale, { v->dim0, v->dim1 },
                         type, type, rank, dims, data };
    return mig_h5_put_dataset(file, &d, keep, err);
}

/* The six indices over (output, parameter). */
static int put_indices(hid_t file, const mig_sobol_result *s, hid_t out_dim, hid_t par_dim,
                       char err[MIG_H5_ERR_MAX])
{
    const struct {
        const char *name, *long_name;
        const double *v;
    } ix[] = {
        { "S1", "first-order Sobol index (Saltelli et al. 2010, centred)", s->s1 },
        { "S1_low", "lower bound of the bootstrap percentile interval of S1", s->s1_lo },
        { "S1_high", "upper bound of the bootstrap percentile interval of S1", s->s1_hi },
        { "ST", "total Sobol index (Jansen 1999)", s->st },
        { "ST_low", "lower bound of the bootstrap percentile interval of ST", s->st_lo },
        { "ST_high", "upper bound of the bootstrap percentile interval of ST", s->st_hi },
    };
    hsize_t dims[2] = { 1, s->k };
    for (size_t i = 0; i < sizeof ix / sizeof ix[0]; i++) {
        var_spec v = { ix[i].name, ix[i].long_name, "1", NULL, out_dim, par_dim };
        if (put_var(file, &v, 2, dims, H5T_NATIVE_DOUBLE, ix[i].v, NULL, err))
            return 1;
    }
    return 0;
}

static int put_provenance(hid_t file, const mig_prov_item *prov, size_t n, char err[MIG_H5_ERR_MAX])
{
    hid_t gcpl = -1, g = -1;
    int bad = (gcpl = mig_h5_ordered_plist(H5P_GROUP_CREATE, err)) < 0 ||
              mig_h5_failed(g = H5Gcreate2(file, "provenance", H5P_DEFAULT, gcpl, H5P_DEFAULT), "H5Gcreate2 failed",
                            err);
    for (size_t i = 0; !bad && i < n; i++)
        bad = mig_h5_put_string_attr(g, prov[i].key, prov[i].value ? prov[i].value : "", err);
    mig_h5_close(&g, H5Gclose);
    mig_h5_close(&gcpl, H5Pclose);
    return bad;
}

/* Everything into the open file. 0, or 1 with the error in err. */
static int put_all(hid_t file, const mig_sobol_result *s, const mig_sobol_h5_labels *lab, const mig_prov_item *prov,
                   size_t n_prov, char err[MIG_H5_ERR_MAX])
{
    hid_t str = str_type(err), out_dim = -1, par_dim = -1;
    hsize_t one = 1, k = s->k;
    int bad = 1;
    var_spec vo = { "output", "the output: a variable of the runs summed over the period and its other dimensions",
                    NULL, "output", -1, -1 },
             vp = { "parameter", "the parameter: a scenario key swept over its range", NULL, "parameter", -1, -1 };
    if (str < 0 || mig_h5_put_char_attr(file, "title", "Sobol indices (migsim sobol)", err) ||
        mig_h5_put_char_attr(file, "Conventions", "CF-1.8", err) ||
        mig_h5_put_char_attr(file, "source", "migsim sobol", err) ||
        put_var(file, &vo, 1, &one, str, &lab->output, &out_dim, err) ||
        put_var(file, &vp, 1, &k, str, lab->parameters, &par_dim, err))
        goto done;
    {
        var_spec per = { "period", "the period the output is summed over", NULL, NULL, out_dim, -1 },
                 ln = { "output_long_name", "what the output is", NULL, NULL, out_dim, -1 },
                 mean = { "mean", "the output's mean over design blocks A and B", "agents", NULL, out_dim, -1 },
                 var = { "variance", "the output's variance over A and B (divided by 2N), which the indices "
                         "apportion", "agents2", NULL, out_dim, -1 };
        if (put_var(file, &per, 1, &one, str, &lab->period, NULL, err) ||
            put_var(file, &ln, 1, &one, str, &lab->long_name, NULL, err) ||
            put_indices(file, s, out_dim, par_dim, err) ||
            put_var(file, &mean, 1, &one, H5T_NATIVE_DOUBLE, &s->mean, NULL, err) ||
            put_var(file, &var, 1, &one, H5T_NATIVE_DOUBLE, &s->var, NULL, err) ||
            put_provenance(file, prov, n_prov, err))
            goto done;
    }
    bad = 0;
done:
    mig_h5_close(&out_dim, H5Dclose);
    mig_h5_close(&par_dim, H5Dclose);
    mig_h5_close(&str, H5Tclose);
    return bad;
}

mig_status mig_sobol_write_h5(const char *path, const mig_sobol_result *s, const mig_sobol_h5_labels *lab,
                              const mig_prov_item *prov, size_t n_prov, mig_ctx *ctx)
{
    char err[MIG_H5_ERR_MAX] = "", *tmp = mig_asprintf("%s.tmp.%ld", path, (long)getpid());
    hid_t fcpl = -1, fapl = -1, file = -1;
    mig_status st = MIG_OK;
    int fd = tmp ? open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666) : -1;

    if (!tmp)
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
    if (fd < 0) {
        st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot create output file: %s", path, strerror(errno));
        free(tmp);
        return st;
    }
    close(fd);
    if (mig_h5_file_plists(&fcpl, &fapl, err) ||
        mig_h5_failed(file = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl), "H5Fcreate failed", err) ||
        put_all(file, s, lab, prov, n_prov, err) ||
        mig_h5_failed(H5Fclose(file), "H5Fclose failed", err))
        st = mig_ctx_error(ctx, MIG_EIO, "%s: HDF5: %s", path, err[0] ? err : "unknown error");
    else
        file = -1;
    mig_h5_close(&file, H5Fclose);
    mig_h5_close(&fcpl, H5Pclose);
    mig_h5_close(&fapl, H5Pclose);
    if (st == MIG_OK)
        st = mig_h5_file_commit(tmp, path, ctx);
    if (st != MIG_OK)
        unlink(tmp);
    free(tmp);
    return st;
}
