/* mig_checkpoint.c: checkpoint files (HDF5): /checkpoint attributes, /agents/<array>,
 * /groups/{pace,speed} [groups], /policy/state [values], /obs/<variable> [next_day,
 * values per day]. */
#include "mig_checkpoint.h"

#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mig_caravan.h"
#include "mig_policy.h"
#include "mig_util.h"

#define FORMAT_VERSION 2

/* The running totals, stored as 64-bit attributes. */
#define CKPT_TOTALS(X)                                                                    \
    X(total_spawned) X(total_absorbed) X(total_removed)

static mig_status h5fail(mig_ctx *ctx, const char *path, const char *what)
{
    return mig_ctx_error(ctx, MIG_EIO, "%s: checkpoint: %s", path, what);
}

/* Counts are stored as signed 64-bit attributes (HDF5 1.10's HL layer has no unsigned
 * 64-bit helper); every value stored is far below 2^63. */
static int put_u64(hid_t loc, const char *name, uint64_t v)
{
    long long x = (long long)v;
    return H5LTset_attribute_long_long(loc, ".", name, &x, 1) < 0;
}

static int get_u64(hid_t loc, const char *name, uint64_t *v)
{
    long long x = 0;
    if (H5LTget_attribute_long_long(loc, ".", name, &x) < 0 || x < 0)
        return 1;
    *v = (uint64_t)x;
    return 0;
}

static hid_t group_create(hid_t f, const char *name)
{
    return H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

/* /checkpoint: the format, the next day, the counters and the resolved scenario. Each
 * write_* returns 1 when HDF5 failed. */
static int write_header(hid_t f, const mig_world *w, uint32_t next_day)
{
    hid_t g = group_create(f, "checkpoint");
    int bad = g < 0;
    if (bad)
        return 1;
    bad |= put_u64(g, "format_version", FORMAT_VERSION);
    bad |= put_u64(g, "next_day", next_day);
    bad |= put_u64(g, "agents", w->agents->n);
    bad |= put_u64(g, "next_id", w->agents->next_id);
    bad |= put_u64(g, "agent_steps", w->agent_steps);
#define PUT(f) bad |= put_u64(g, #f, (uint64_t)w->f);
    CKPT_TOTALS(PUT)
#undef PUT
    bad |= H5LTset_attribute_string(g, ".", "scenario_resolved", w->cfg->resolved_yaml) < 0;
    H5Gclose(g);
    return bad;
}

/* /agents/<field> [n], one dataset per entry of MIG_AGENT_FIELDS. */
static int write_agents(hid_t f, const mig_world *w)
{
    hsize_t n = w->agents->n;
    hid_t g = group_create(f, "agents");
    int bad = g < 0;
    if (bad)
        return 1;
#define WRITE(name, ctype, h5type, doc) bad |= H5LTmake_dataset(g, #name, 1, &n, h5type, w->agents->name) < 0;
    MIG_AGENT_FIELDS(WRITE)
#undef WRITE
    H5Gclose(g);
    return bad;
}

static int write_groups(hid_t f, const mig_world *w)
{
    hsize_t ng = w->n_groups;
    float zero = 0.0f;
    hid_t g = group_create(f, "groups");
    int bad = g < 0;
    if (bad)
        return 1;
    bad |= put_u64(g, "n", w->n_groups);
    bad |= H5LTmake_dataset(g, "pace", 1, &ng, H5T_NATIVE_FLOAT, ng ? w->group_pace : &zero) < 0;
    bad |= H5LTmake_dataset(g, "speed", 1, &ng, H5T_NATIVE_FLOAT, ng ? w->group_speed : &zero) < 0;
    H5Gclose(g);
    return bad;
}

/* /policy/state; *bad set when HDF5 failed. */
static mig_status write_policy(hid_t f, const mig_world *w, int *bad)
{
    mig_status st = MIG_OK;
    hid_t g = group_create(f, "policy");
    size_t np;
    hsize_t ns;
    double *state;
    if (g < 0) {
        *bad = 1;
        return MIG_OK;
    }
    np = mig_policy_state_size(w->policy);
    ns = np + mig_caravan_state_size(w->caravans);
    state = malloc((ns ? ns : 1) * sizeof *state);
    if (!state) {
        st = MIG_ENOMEM;
        *bad = 1;
    } else {
        mig_policy_state_get(w->policy, state);
        mig_caravan_state_get(w->caravans, state + np);
        *bad |= H5LTmake_dataset(g, "state", 1, &ns, H5T_NATIVE_DOUBLE, state) < 0;
        free(state);
    }
    H5Gclose(g);
    return st;
}

/* /obs/<variable> [next_day, size]: the rows written to out so far; *bad set when HDF5
 * failed. */
static mig_status write_obs(hid_t f, const mig_world *w, uint32_t next_day, mig_output *out, int *bad,
                            mig_ctx *ctx)
{
    mig_status st = MIG_OK;
    hid_t g = group_create(f, "obs");
    *bad |= g < 0;
    for (size_t i = 0; !*bad && st == MIG_OK && i < w->obs->n_vars; i++) {
        const mig_var *v = &w->obs->vars[i];
        hsize_t dims[2] = { next_day, v->size };
        int32_t *rows = malloc((next_day && v->size ? next_day * v->size : 1) * sizeof *rows);
        if (!rows) {
            st = MIG_ENOMEM;
            break;
        }
        st = mig_output_read_rows(out, i, 0, next_day, rows, ctx);
        if (st == MIG_OK)
            *bad |= H5LTmake_dataset(g, v->name, 2, dims, H5T_NATIVE_INT32, rows) < 0;
        free(rows);
    }
    if (g >= 0)
        H5Gclose(g);
    return st;
}

mig_status mig_checkpoint_write(const char *path, const mig_world *w, uint32_t next_day, mig_output *out,
                                mig_ctx *ctx)
{
    char tmp[4096];
    hid_t f;
    int bad;
    mig_status st = MIG_OK;

    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0)
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot create checkpoint: %s", path, strerror(errno));
    bad = write_header(f, w, next_day) || write_agents(f, w) || write_groups(f, w);
    if (!bad)
        st = write_policy(f, w, &bad);
    if (!bad)
        st = write_obs(f, w, next_day, out, &bad, ctx);
    bad |= H5Fclose(f) < 0;
    if (st == MIG_OK && bad)
        st = h5fail(ctx, path, "HDF5 write failed");
    if (st == MIG_OK && rename(tmp, path) != 0)
        st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot rename checkpoint: %s", path, strerror(errno));
    if (st != MIG_OK)
        unlink(tmp);
    return st;
}

void mig_checkpoint_destroy(mig_checkpoint **p)
{
    mig_checkpoint *c;
    if (!MIG_TAKE(c, p))
        return;
    for (size_t i = 0; c->rows && i < c->n_vars; i++)
        free(c->rows[i]);
    MIG_FREE_ALL(c->rows, c->var_size, c);
}

/* What /checkpoint says besides the totals (restored into the world directly). */
typedef struct header {
    uint64_t next_day, n, next_id, steps;
} header;

/* Reads /checkpoint into *h and the totals into w, after checking the format, the
 * scenario (its resolved text) and the day. */
static mig_status read_header(hid_t f, const char *path, mig_world *w, header *h, mig_ctx *ctx)
{
    uint64_t version = 0;
    hid_t g = H5Gopen2(f, "checkpoint", H5P_DEFAULT);
    mig_status st = MIG_OK;
    char *text = NULL;
    hsize_t len = 0;
    H5T_class_t cls;
    size_t tsize;
    int bad = 0;

    if (g < 0 || get_u64(g, "format_version", &version) || version != FORMAT_VERSION ||
        get_u64(g, "next_day", &h->next_day) || get_u64(g, "agents", &h->n) || get_u64(g, "next_id", &h->next_id) ||
        get_u64(g, "agent_steps", &h->steps))
        st = mig_ctx_error(ctx, MIG_EDATA, "%s: not a migsim checkpoint (format %d)", path, FORMAT_VERSION);
    else if (H5LTget_attribute_info(g, ".", "scenario_resolved", &len, &cls, &tsize) < 0 ||
             !(text = calloc(tsize + 1, 1)) || H5LTget_attribute_string(g, ".", "scenario_resolved", text) < 0)
        st = h5fail(ctx, path, "cannot read the scenario");
    else if (strcmp(text, w->cfg->resolved_yaml) != 0)
        st = mig_ctx_error(ctx, MIG_ECONFIG,
                           "%s: the checkpoint was written for another scenario (its resolved text differs "
                           "from %s with these --set options)",
                           path, w->cfg->path);
    else if (h->next_day > w->cfg->days || h->next_day == 0)
        st = mig_ctx_error(ctx, MIG_EDATA, "%s: checkpoint day %llu is outside the run (1..%u)", path,
                           (unsigned long long)h->next_day, w->cfg->days);
    if (st == MIG_OK) {
#define GET(f) bad |= get_u64(g, #f, (uint64_t *)&w->f);
        CKPT_TOTALS(GET)
#undef GET
        if (bad)
            st = h5fail(ctx, path, "cannot read the totals");
    }
    if (g >= 0)
        H5Gclose(g);
    free(text);
    return st;
}

/* /agents/<field>, one dataset per entry of MIG_AGENT_FIELDS, into w's store. */
static mig_status read_agents(hid_t f, const char *path, const header *h, mig_world *w, mig_ctx *ctx)
{
    mig_status st;
    hid_t g;
    int bad;

    w->agents->n = 0;
    if ((st = mig_agents_reserve(w->agents, h->n)) != MIG_OK)
        return st;
    g = H5Gopen2(f, "agents", H5P_DEFAULT);
    bad = g < 0;
#define READ(name, ctype, h5type, doc) bad |= !bad && H5LTread_dataset(g, #name, h5type, w->agents->name) < 0;
    MIG_AGENT_FIELDS(READ)
#undef READ
    if (g >= 0)
        H5Gclose(g);
    if (bad)
        return h5fail(ctx, path, "cannot read the agents");
    w->agents->n = h->n;
    w->agents->next_id = (uint32_t)h->next_id;
    w->agent_steps = h->steps;
    return MIG_OK;
}

/* /groups (recreated in w) and /policy/state. */
static mig_status read_groups_policy(hid_t f, const char *path, mig_world *w, mig_ctx *ctx)
{
    hid_t g = H5Gopen2(f, "groups", H5P_DEFAULT);
    uint64_t ng = 0;
    int bad = g < 0 || get_u64(g, "n", &ng) || ng > UINT32_MAX;
    mig_status st = MIG_OK;

    w->n_groups = 0;
    while (!bad && st == MIG_OK && w->n_groups < ng) {
        uint32_t id;
        st = mig_world_new_group(w, 1.0f, 0.0f, &id);
    }
    if (!bad && st == MIG_OK && ng) {
        bad |= H5LTread_dataset(g, "pace", H5T_NATIVE_FLOAT, w->group_pace) < 0;
        bad |= H5LTread_dataset(g, "speed", H5T_NATIVE_FLOAT, w->group_speed) < 0;
    }
    if (g >= 0)
        H5Gclose(g);
    if (st != MIG_OK)
        return st;
    g = bad ? -1 : H5Gopen2(f, "policy", H5P_DEFAULT);
    {
        hsize_t ns = 0;
        size_t np = mig_policy_state_size(w->policy), want = np + mig_caravan_state_size(w->caravans);
        double *state = malloc((want ? want : 1) * sizeof *state);
        bad = bad || g < 0 || !state || H5LTget_dataset_info(g, "state", &ns, NULL, NULL) < 0 || ns != want ||
              H5LTread_dataset(g, "state", H5T_NATIVE_DOUBLE, state) < 0;
        if (!bad) {
            mig_policy_state_set(w->policy, state);
            mig_caravan_state_set(w->caravans, state + np);
        }
        free(state);
    }
    if (g >= 0)
        H5Gclose(g);
    return bad ? h5fail(ctx, path, "cannot read the groups or the policy state") : MIG_OK;
}

/* /obs/<variable> [next_day, size] into ck, checked against w's variables. */
static mig_status read_obs(hid_t f, const char *path, const mig_world *w, uint64_t next_day, mig_checkpoint *ck,
                           mig_ctx *ctx)
{
    hid_t g = H5Gopen2(f, "obs", H5P_DEFAULT);
    mig_status st = MIG_OK;

    if (g < 0)
        return h5fail(ctx, path, "no observation history");
    ck->next_day = (uint32_t)next_day;
    ck->n_vars = w->obs->n_vars;
    ck->var_size = calloc(ck->n_vars ? ck->n_vars : 1, sizeof *ck->var_size);
    ck->rows = calloc(ck->n_vars ? ck->n_vars : 1, sizeof *ck->rows);
    if (!ck->var_size || !ck->rows)
        st = MIG_ENOMEM;
    for (size_t i = 0; st == MIG_OK && i < ck->n_vars; i++) {
        const mig_var *v = &w->obs->vars[i];
        hsize_t dims[2] = { 0, 0 };
        if (H5LTget_dataset_info(g, v->name, dims, NULL, NULL) < 0 || dims[0] != next_day || dims[1] != v->size) {
            st = mig_ctx_error(ctx, MIG_EDATA, "%s: observation \"%s\" missing or of another shape", path, v->name);
            break;
        }
        ck->var_size[i] = v->size;
        ck->rows[i] = malloc((next_day && v->size ? next_day * v->size : 1) * sizeof **ck->rows);
        if (!ck->rows[i])
            st = MIG_ENOMEM;
        else if (H5LTread_dataset(g, v->name, H5T_NATIVE_INT32, ck->rows[i]) < 0)
            st = h5fail(ctx, path, "cannot read the observation history");
    }
    H5Gclose(g);
    return st;
}

mig_status mig_checkpoint_read(const char *path, mig_world *w, mig_checkpoint **out, mig_ctx *ctx)
{
    header h = { 0, 0, 0, 0 };
    mig_checkpoint *ck = NULL;
    mig_status st;
    hid_t f;

    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (access(path, R_OK) != 0)
        return mig_ctx_error(ctx, MIG_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return mig_ctx_error(ctx, MIG_EDATA, "%s: not an HDF5 checkpoint file", path);
    if ((st = read_header(f, path, w, &h, ctx)) == MIG_OK && (st = read_agents(f, path, &h, w, ctx)) == MIG_OK &&
        (st = read_groups_policy(f, path, w, ctx)) == MIG_OK)
        st = (ck = calloc(1, sizeof *ck)) ? read_obs(f, path, w, h.next_day, ck, ctx) : MIG_ENOMEM;
    H5Fclose(f);
    if (st != MIG_OK) {
        mig_checkpoint_destroy(&ck);
        return st;
    }
    *out = ck;
    return MIG_OK;
}

void mig_checkpoint_replay(const mig_checkpoint *ck, uint32_t day, mig_obs *obs)
{
    for (size_t i = 0; i < ck->n_vars && i < obs->n_vars; i++) {
        const int32_t *src = ck->rows[i] + (size_t)day * ck->var_size[i];
        for (size_t j = 0; j < ck->var_size[i]; j++)
            obs->vars[i].day[j] = src[j];
    }
}
