/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_h5.h: HDF5 failures reported through our own path: the innermost description from
 * HDF5's error stack is kept for one precise message (automatic printing is off); and the
 * pieces every file we write is made of (property lists, CF attributes, datasets with their
 * dimension scales, the final rename). Shared by the output module and the tools that read
 * or write HDF5 (summarize, sobol ...). */
#ifndef MIG_H5_H
#define MIG_H5_H

#include <hdf5.h>
#include "mig_ctx.h"

#define MIG_H5_ERR_MAX 512

/* HDF5's own error printing: its whole stack on stderr at -v (ctx->level MIG_LOG_DEBUG),
 * else off (failures are reported through ctx, one line each). Call before using HDF5. */
void mig_h5_errors(const mig_ctx *ctx);
/* When r < 0: stores the innermost HDF5 error description (or `what` if the stack is empty)
 * into err unless err already holds one, clears the stack and returns 1; else returns 0.
 * A system error is kept to one line: "file write failed: No space left on device". */
int mig_h5_failed(hid_t r, const char *what, char err[MIG_H5_ERR_MAX]);
/* Closes *id with closer when it is open (>= 0), ignoring errors, and sets it to -1. */
void mig_h5_close(hid_t *id, herr_t (*closer)(hid_t));

/* The property lists every file we write is created with: *fcpl tracks links and attributes
 * in creation order, *fapl holds the file to the 1.8 format and closes it strongly. Returns
 * 1 on failure (described in err; what was made is in *fcpl / *fapl for the caller to close),
 * else 0. */
int mig_h5_file_plists(hid_t *fcpl, hid_t *fapl, char err[MIG_H5_ERR_MAX]);

/* A creation property list of class cls (datasets, groups) that lists attributes in creation
 * order; -1 on failure (described in err). The caller closes it. */
hid_t mig_h5_ordered_plist(hid_t cls, char err[MIG_H5_ERR_MAX]);

/* Puts the finished file tmp on disk and gives it its name path, so that a crash leaves the
 * old file or the new, never half of one. Returns MIG_OK, or MIG_EIO reported to ctx as
 * "<path>: cannot sync <tmp>: ..." or "<path>: cannot rename <tmp> to it: ...". */
mig_status mig_h5_file_commit(const char *tmp, const char *path, mig_ctx *ctx);

/* A contiguous dataset of rank 1 or 2 for mig_h5_put_dataset: its CF attributes, dimension
 * scales, types, shape and values (not owned: the caller's, read during the call only). */
typedef struct mig_h5_dataset {
    const char *name, *long_name;
    const char *units;          /* NULL: no units attribute */
    const char *scale;          /* non-NULL: make the dataset the dimension scale of that name */
    hid_t dim[2];               /* >= 0: the dimension scale attached to axis 0 / axis 1 */
    hid_t filetype, memtype;    /* on disk and in data (strings: both the vlen type, data an
                                 * array of char pointers) */
    int rank;                   /* 1 or 2 */
    const hsize_t *dims;        /* [rank] */
    const void *data;           /* not read when a dimension is 0 */
} mig_h5_dataset;

/* Writes dataset d under loc with an ordered creation property list (mig_h5_ordered_plist),
 * then its units (when set) and long_name attributes (NC_CHAR), then makes it a dimension
 * scale and attaches d->dim[]'s. Hands the open dataset to *keep when keep is non-NULL (the
 * caller closes it), else closes it. Returns 1 on failure (described in err; nothing left
 * open, *keep untouched), else 0. */
int mig_h5_put_dataset(hid_t loc, const mig_h5_dataset *d, hid_t *keep, char err[MIG_H5_ERR_MAX]);

/* Writes a scalar string attribute, UTF-8, in one of netCDF-4's two forms. Both return 1 on
 * failure (described in err), else 0.
 * char: fixed-length, NUL-terminated (NC_CHAR), the form CF metadata takes (units,
 *   long_name, calendar, coordinates, cell_methods, title, Conventions, source): every netCDF
 *   and CF tool reads it (NCO before 5.1.8 skips NC_STRING CF attributes); h5py gives bytes.
 * string: variable-length (NC_STRING), for free text (the provenance): h5py, xarray and hdf5r
 *   all read it back as text (str). */
int mig_h5_put_char_attr(hid_t loc, const char *name, const char *value, char err[MIG_H5_ERR_MAX]);
int mig_h5_put_string_attr(hid_t loc, const char *name, const char *value, char err[MIG_H5_ERR_MAX]);
/* The string attribute name of object obj under loc ("." for loc itself) as a new string in
 * *out (caller frees): variable-length, as migsim writes them, or fixed-length, as files of
 * migsim 0.1.0 and other writers hold. Returns 0, or 1 with *out NULL when there is no
 * such attribute, it is not one string, or memory runs out (HDF5's error stack is cleared). */
int mig_h5_get_string_attr(hid_t loc, const char *obj, const char *name, char **out);

#endif
