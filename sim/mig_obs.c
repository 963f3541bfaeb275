/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_obs.c: the registry of observation variables and their per-day integer buffers. */
#include "mig_obs.h"

#include <stdlib.h>
#include <string.h>

#include "mig_util.h"

const char *const mig_dim_names[MIG_DIM_COUNT] = { "place", "link", "nationality", "intervention" };

static void var_free(mig_var *v)
{
    MIG_FREE_ALL(v->name, v->long_name, v->units, v->day);
    memset(v, 0, sizeof *v);
}

mig_status mig_obs_create(size_t n_places, size_t n_links, size_t n_nat, mig_obs **out)
{
    mig_obs *obs = calloc(1, sizeof *obs);
    *out = NULL;
    if (!obs)
        return MIG_ENOMEM;
    obs->dim_len[MIG_DIM_PLACE] = n_places;
    obs->dim_len[MIG_DIM_LINK] = n_links;
    obs->dim_len[MIG_DIM_NATIONALITY] = n_nat;
    *out = obs;
    return MIG_OK;
}

void mig_obs_destroy(mig_obs **p)
{
    mig_obs *obs;
    if (!MIG_TAKE(obs, p))
        return;
    for (size_t i = 0; i < obs->n_vars; i++)
        var_free(&obs->vars[i]);
    mig_free_strings(obs->labels, obs->dim_len[MIG_DIM_INTERVENTION]);
    MIG_FREE_ALL(obs->vars, obs);
}

mig_status mig_obs_set_labels(mig_obs *obs, mig_dim dim, size_t n, const char *const *labels)
{
    char **l;
    if (dim != MIG_DIM_INTERVENTION || obs->labels)
        return MIG_EINTERNAL;
    if (!(l = calloc(n ? n : 1, sizeof *l)))
        return MIG_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!(l[i] = strdup(labels[i]))) {
            while (i--)
                free(l[i]);
            free(l);
            return MIG_ENOMEM;
        }
    obs->labels = l;
    obs->dim_len[MIG_DIM_INTERVENTION] = n;
    return MIG_OK;
}

mig_status mig_obs_add(mig_obs *obs, const char *name, const char *long_name,
                       const char *units, int ndims, const mig_dim *dims, int64_t **data)
{
    mig_var v;
    mig_var *grown;
    size_t size = 1;

    if (data)
        *data = NULL;
    if (!obs || !name || !name[0] || !long_name || !units)
        return MIG_EINTERNAL;
    if (ndims < 0 || ndims > MIG_OBS_MAX_DIMS || (ndims > 0 && !dims))
        return MIG_EINTERNAL;
    if (mig_obs_find(obs, name) >= 0)
        return MIG_EINTERNAL;
    for (int d = 0; d < ndims; d++) {
        size_t len;
        if ((int)dims[d] < 0 || dims[d] >= MIG_DIM_COUNT)
            return MIG_EINTERNAL;
        len = obs->dim_len[dims[d]];
        if (len != 0 && size > SIZE_MAX / sizeof(int64_t) / len)
            return MIG_ENOMEM;
        size *= len;
    }

    memset(&v, 0, sizeof v);
    v.ndims = ndims;
    for (int d = 0; d < ndims; d++)
        v.dims[d] = dims[d];
    v.size = size;
    v.name = strdup(name);
    v.long_name = strdup(long_name);
    v.units = strdup(units);
    /* calloc(0) may return NULL: keep at least one element so NULL always means failure */
    v.day = calloc(size ? size : 1, sizeof *v.day);
    if (!v.name || !v.long_name || !v.units || !v.day) {
        var_free(&v);
        return MIG_ENOMEM;
    }
    grown = realloc(obs->vars, (obs->n_vars + 1) * sizeof *grown);
    if (!grown) {
        var_free(&v);
        return MIG_ENOMEM;
    }
    obs->vars = grown;
    obs->vars[obs->n_vars++] = v;
    if (data)
        *data = v.day;
    return MIG_OK;
}

void mig_obs_clear(mig_obs *obs)
{
    if (!obs)
        return;
    for (size_t i = 0; i < obs->n_vars; i++)
        memset(obs->vars[i].day, 0, obs->vars[i].size * sizeof *obs->vars[i].day);
}

int mig_obs_find(const mig_obs *obs, const char *name)
{
    if (!obs || !name)
        return -1;
    for (size_t i = 0; i < obs->n_vars; i++)
        if (strcmp(obs->vars[i].name, name) == 0)
            return (int)i;
    return -1;
}
