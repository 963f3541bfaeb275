/* mig_h5.c: capture of HDF5 error descriptions. */
#include "mig_h5.h"

#include <stdio.h>

static herr_t walk_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc && e->desc[0])
        snprintf(data, MIG_H5_ERR_MAX, "%s", e->desc);
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
