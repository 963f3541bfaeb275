/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_checkpoint.c: checkpoint files (HDF5): /checkpoint attributes, /agents/<array>,
 * /groups/{pace,speed} [groups], /policy/state [values], /obs/<variable> [next_day,
 * values per day]. /checkpoint's checksum covers the counters and every array in that
 * order; a restart checks it, every shape, index and value before the world is used. */
#include "mig_checkpoint.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mig_caravan.h"
#include "mig_h5.h"
#include "mig_policy.h"
#include "mig_sha256.h"
#include "mig_util.h"

#define FORMAT_VERSION 3

/* The running totals, stored as 64-bit attributes. */
#define CKPT_TOTALS(X)                                                                    \
    X(total_spawned) X(total_absorbed) X(total_removed)

/* The checksum: a 64-bit multiply-rotate hash of the bytes, 8 at a time. */
static uint64_t sum_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w = 0;
        memcpy(&w, b + i, n - i < 8 ? n - i : 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    return h ^ n;
}

/* The counters the checksum starts from, in this order. */
static uint64_t sum_header(uint64_t next_day, uint64_t n, uint64_t next_id, uint64_t steps, const mig_world *w)
{
    const uint64_t v[] = { next_day, n, next_id, steps,
#define V(f) (uint64_t)w->f,
                           CKPT_TOTALS(V)
#undef V
    };
    return sum_bytes(0x6D696773696D636Bull, v, sizeof v);
}

/* ---- writing ----------------------------------------------------------------------------- */

/* A checkpoint being written: its file, whether HDF5 failed and the checksum so far. */
typedef struct writer {
    hid_t f;
    int bad;
    uint64_t sum;
    char err[MIG_H5_ERR_MAX];   /* the first HDF5 failure, one line */
} writer;

/* Counts are stored as signed 64-bit attributes (HDF5 1.10's HL layer has no unsigned
 * 64-bit helper); every value stored is far below 2^63. */
static void put_u64(writer *wr, hid_t loc, const char *name, uint64_t v)
{
    long long x = (long long)v;
    wr->bad |= mig_h5_failed(H5LTset_attribute_long_long(loc, ".", name, &x, 1), "cannot write an attribute", wr->err);
}

/* Dataset name of group g [rank dims] from buf, added to the checksum. */
static void put_array(writer *wr, hid_t g, const char *name, int rank, const hsize_t *dims, hid_t type,
                      const void *buf)
{
    size_t bytes = H5Tget_size(type) * (size_t)dims[0] * (rank > 1 ? (size_t)dims[1] : 1);
    wr->sum = sum_bytes(wr->sum, buf, bytes);
    wr->bad |= mig_h5_failed(H5LTmake_dataset(g, name, rank, dims, type, buf), "cannot write a dataset", wr->err);
}

static hid_t group_create(writer *wr, const char *name)
{
    hid_t g = wr->bad ? -1 : H5Gcreate2(wr->f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    wr->bad |= mig_h5_failed(g, "cannot create a group", wr->err);
    return g;
}

/* /checkpoint: the format, the next day, the counters and the resolved scenario. */
static void write_header(writer *wr, const mig_world *w, uint32_t next_day)
{
    hid_t g = group_create(wr, "checkpoint");
    if (g < 0)
        return;
    put_u64(wr, g, "format_version", FORMAT_VERSION);
    put_u64(wr, g, "next_day", next_day);
    put_u64(wr, g, "agents", w->agents->n);
    put_u64(wr, g, "next_id", w->agents->next_id);
    put_u64(wr, g, "agent_steps", w->agent_steps);
#define PUT(f) put_u64(wr, g, #f, (uint64_t)w->f);
    CKPT_TOTALS(PUT)
#undef PUT
    wr->bad |= mig_h5_put_string_attr(g, "scenario_resolved", w->cfg->resolved_yaml, wr->err);
    wr->sum = sum_header(next_day, w->agents->n, w->agents->next_id, w->agent_steps, w);
    H5Gclose(g);
}

/* /agents/<field> [n], one dataset per entry of MIG_AGENT_FIELDS; /groups/{pace,speed}. */
static void write_agents_groups(writer *wr, const mig_world *w)
{
    hsize_t n = w->agents->n, ng = w->n_groups;
    float zero = 0.0f;
    hid_t g = group_create(wr, "agents");
    if (g < 0)
        return;
#define WRITE(name, ctype, h5type, doc) put_array(wr, g, #name, 1, &n, h5type, w->agents->name);
    MIG_AGENT_FIELDS(WRITE)
#undef WRITE
    H5Gclose(g);
    if ((g = group_create(wr, "groups")) < 0)
        return;
    put_u64(wr, g, "n", w->n_groups);
    put_array(wr, g, "pace", 1, &ng, H5T_NATIVE_FLOAT, ng ? w->group_pace : &zero);
    put_array(wr, g, "speed", 1, &ng, H5T_NATIVE_FLOAT, ng ? w->group_speed : &zero);
    H5Gclose(g);
}

/* /policy/state: the policy's values, then the caravans'. */
static mig_status write_policy(writer *wr, const mig_world *w)
{
    size_t np = mig_policy_state_size(w->policy);
    hsize_t ns = np + mig_caravan_state_size(w->caravans);
    double *state;
    hid_t g = group_create(wr, "policy");
    if (g < 0)
        return MIG_OK;
    if (!(state = malloc((ns ? ns : 1) * sizeof *state))) {
        H5Gclose(g);
        return MIG_ENOMEM;
    }
    mig_policy_state_get(w->policy, state);
    mig_caravan_state_get(w->caravans, state + np);
    put_array(wr, g, "state", 1, &ns, H5T_NATIVE_DOUBLE, state);
    free(state);
    H5Gclose(g);
    return MIG_OK;
}

/* /obs/<variable> [next_day, size]: the rows written to out so far. */
static mig_status write_obs(writer *wr, const mig_world *w, uint32_t next_day, mig_output *out, mig_ctx *ctx)
{
    mig_status st = MIG_OK;
    hid_t g = group_create(wr, "obs");
    for (size_t i = 0; g >= 0 && !wr->bad && st == MIG_OK && i < w->obs->n_vars; i++) {
        const mig_var *v = &w->obs->vars[i];
        hsize_t dims[2] = { next_day, v->size };
        int32_t *rows = malloc((next_day && v->size ? next_day * v->size : 1) * sizeof *rows);
        if (!rows) {
            st = MIG_ENOMEM;
            break;
        }
        if ((st = mig_output_read_rows(out, i, 0, next_day, rows, ctx)) == MIG_OK)
            put_array(wr, g, v->name, 2, dims, H5T_NATIVE_INT32, rows);
        free(rows);
    }
    if (g >= 0)
        H5Gclose(g);
    return st;
}

/* /checkpoint's checksum, last: 63 bits, stored like the counters. */
static void write_checksum(writer *wr)
{
    hid_t g = wr->bad ? -1 : H5Gopen2(wr->f, "checkpoint", H5P_DEFAULT);
    wr->bad |= mig_h5_failed(g, "cannot open /checkpoint", wr->err);
    if (g < 0)
        return;
    put_u64(wr, g, "checksum", wr->sum >> 1);
    H5Gclose(g);
}

/* The seal after the HDF5 bytes of a checkpoint: SEAL_MARK, the SHA-256 of everything before
 * it in hex, a newline. HDF5 ignores bytes past its end of allocation; the reader checks the
 * seal before HDF5 parses anything, so a damaged file never reaches HDF5's own parser (in
 * which the fuzzer found a use-after-free on a corrupt file, HDF5 1.10.8). */
#define SEAL_MARK "\nmigsim-checkpoint-sha256 "
#define SEAL_LEN (sizeof SEAL_MARK - 1 + MIG_SHA256_HEX)

/* The whole file at path into *bytes (caller frees), of any size (mig_file_read caps inputs).
 * Returns 0, or an errno value. */
static int read_whole(const char *path, char **bytes, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;
    int err = 0;
    *bytes = NULL;
    if (!f)
        return errno;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        err = errno ? errno : EIO;
    else if (!(*bytes = malloc((size_t)n + 1)))
        err = ENOMEM;
    else if (fread(*bytes, 1, (size_t)n, f) != (size_t)n)
        err = EIO;
    fclose(f);
    if (err) {
        free(*bytes);
        *bytes = NULL;
    }
    *len = err ? 0 : (size_t)n;
    return err;
}

/* Appends the seal to the file at tmp (path for messages). */
static mig_status seal(const char *tmp, const char *path, mig_ctx *ctx)
{
    char *bytes = NULL, hex[MIG_SHA256_HEX];
    size_t len = 0;
    int err = 0;
    FILE *f;
    if ((err = read_whole(tmp, &bytes, &len)) != 0)
        return mig_ctx_error(ctx, err == ENOMEM ? MIG_ENOMEM : MIG_EIO, "%s: cannot read back the checkpoint: %s", path, strerror(err));
    mig_sha256_hex(bytes, len, hex);
    free(bytes);
    if (!(f = fopen(tmp, "ab")) || fprintf(f, "%s%s\n", SEAL_MARK, hex) < 0 || fclose(f) != 0)
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot write the checkpoint's seal: %s", path, strerror(errno));
    return MIG_OK;
}

/* The seal of the checkpoint at path checked against its contents. */
static mig_status check_seal(const char *path, mig_ctx *ctx)
{
    char *bytes = NULL, hex[MIG_SHA256_HEX];
    size_t len = 0;
    int err = 0;
    mig_status st = MIG_OK;
    if ((err = read_whole(path, &bytes, &len)) != 0)
        return mig_ctx_error(ctx, err == ENOMEM ? MIG_ENOMEM : MIG_ENOINPUT, "%s: cannot read: %s", path,
                             strerror(err));
    if (len < SEAL_LEN || memcmp(bytes + len - SEAL_LEN, SEAL_MARK, sizeof SEAL_MARK - 1) != 0 ||
        bytes[len - 1] != '\n')
        st = mig_ctx_error(ctx, MIG_EDATA, "%s: no seal at the end of the file: not a migsim checkpoint, written "
                           "by a migsim before 0.1.0, or cut short", path);
    else {
        const char *stored = bytes + len - MIG_SHA256_HEX;
        mig_sha256_hex(bytes, len - SEAL_LEN, hex);
        if (memcmp(hex, stored, MIG_SHA256_HEX - 1) != 0)
            st = mig_ctx_error(ctx, MIG_EDATA, "%s: sealed with SHA-256 %.12s..., but the contents give %.12s...: "
                               "the file was changed or damaged after it was written", path, stored, hex);
    }
    free(bytes);
    return st;
}

mig_status mig_checkpoint_write(const char *path, const mig_world *w, uint32_t next_day, mig_output *out,
                                mig_ctx *ctx)
{
    char tmp[4096];
    writer wr = { .f = -1 };
    mig_status st;

    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    mig_h5_errors(ctx);
    if (mig_h5_failed(wr.f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "cannot create", wr.err)) {
        unlink(tmp);
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot create the checkpoint: HDF5: %s", path, wr.err);
    }
    write_header(&wr, w, next_day);
    write_agents_groups(&wr, w);
    if ((st = write_policy(&wr, w)) == MIG_OK)
        st = write_obs(&wr, w, next_day, out, ctx);
    write_checksum(&wr);
    wr.bad |= mig_h5_failed(H5Fclose(wr.f), "cannot close the file", wr.err);
    if (st == MIG_OK && wr.bad)
        st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot write the checkpoint: HDF5: %s", path, wr.err);
    if (st == MIG_OK)
        st = seal(tmp, path, ctx);
    if (st == MIG_OK)
        st = mig_h5_file_commit(tmp, path, ctx);
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

/* ---- reading ----------------------------------------------------------------------------- */

/* A checkpoint being read: its file and path, the checksum of what was read so far, and
 * what /checkpoint says besides the totals (restored into the world directly). */
typedef struct reader {
    hid_t f;
    const char *path;
    mig_ctx *ctx;
    uint64_t sum, stored_sum;
    uint64_t next_day, n, next_id, steps;
} reader;

/* A fault of the checkpoint at field (a dataset or attribute path, with its entry): MIG_EDATA,
 * "CKPT: /agents/loc[5]: message". */
static mig_status corrupt(const reader *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static mig_status corrupt(const reader *r, const char *field, const char *fmt, ...)
{
    mig_loc loc = { r->path, 0, 0 };
    va_list ap;
    mig_status st;
    va_start(ap, fmt);
    st = mig_ctx_vdiag(r->ctx, MIG_EDATA, &loc, field, fmt, ap);
    va_end(ap);
    return st;
}

/* Attribute name of object loc as a count: 1 unless it is one whole number >= 0. */
static int get_u64(hid_t loc, const char *name, uint64_t *v)
{
    long long x = -1;
    hid_t a = H5Aexists(loc, name) > 0 ? H5Aopen(loc, name, H5P_DEFAULT) : -1, sp = a < 0 ? -1 : H5Aget_space(a);
    int bad = sp < 0 || H5Sget_simple_extent_npoints(sp) != 1 || H5Aread(a, H5T_NATIVE_LLONG, &x) < 0 || x < 0;
    mig_h5_close(&sp, H5Sclose);
    mig_h5_close(&a, H5Aclose);
    if (!bad)
        *v = (uint64_t)x;
    return bad;
}

/* Opens dataset name and checks that its shape is [rank want] (what: the figure the shape
 * must match); *d is the open dataset, or -1 on failure. */
static mig_status open_array(reader *r, const char *name, int rank, const hsize_t *want, const char *what, hid_t *d)
{
    hid_t sp;
    hsize_t dims[2] = { 0, 0 };
    int nd;
    mig_status st = MIG_OK;
    *d = H5Lexists(r->f, name, H5P_DEFAULT) > 0 ? H5Dopen2(r->f, name, H5P_DEFAULT) : -1;
    sp = *d < 0 ? -1 : H5Dget_space(*d);
    nd = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
    if (nd < 0)
        st = corrupt(r, name, "missing or unreadable");
    else if (nd != rank)
        st = corrupt(r, name, "%d dimensions, expected %d", nd, rank);
    else if (H5Sget_simple_extent_dims(sp, dims, NULL) < 0 || dims[0] != want[0] || (rank > 1 && dims[1] != want[1]))
        st = corrupt(r, name, "%llu%s%.0llu entries, expected %llu%s%.0llu (%s)", (unsigned long long)dims[0],
                     rank > 1 ? " x " : "", (unsigned long long)dims[1], (unsigned long long)want[0],
                     rank > 1 ? " x " : "", rank > 1 ? (unsigned long long)want[1] : 0ull, what);
    mig_h5_close(&sp, H5Sclose);
    if (st != MIG_OK)
        mig_h5_close(d, H5Dclose);
    return st;
}

/* Dataset name [rank want] into buf as type, after checking its shape, added to the
 * checksum. */
static mig_status get_array(reader *r, const char *name, int rank, const hsize_t *want, const char *what,
                            hid_t type, void *buf)
{
    hid_t d;
    mig_status st = open_array(r, name, rank, want, what, &d);
    if (st == MIG_OK && H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        st = corrupt(r, name, "cannot be read");
    else if (st == MIG_OK)
        r->sum = sum_bytes(r->sum, buf, H5Tget_size(type) * (size_t)want[0] * (rank > 1 ? (size_t)want[1] : 1));
    mig_h5_close(&d, H5Dclose);
    return st;
}

/* The counters of /checkpoint into r, the totals into w. */
static mig_status read_counters(reader *r, hid_t g, mig_world *w)
{
    uint64_t version = 0, t[3] = { 0, 0, 0 };
    int i = 0;
    if (get_u64(g, "format_version", &version))
        return corrupt(r, "/checkpoint", "not a migsim checkpoint (no format_version)");
    if (version != FORMAT_VERSION)
        return corrupt(r, "/checkpoint", "format %llu; this migsim reads format %d (rerun from the start)",
                       (unsigned long long)version, FORMAT_VERSION);
    if (get_u64(g, "next_day", &r->next_day) || get_u64(g, "agents", &r->n) || get_u64(g, "next_id", &r->next_id) ||
        get_u64(g, "agent_steps", &r->steps) || get_u64(g, "checksum", &r->stored_sum))
        return corrupt(r, "/checkpoint", "a counter is missing or not a count");
#define GET(f) if (get_u64(g, #f, &t[i++])) return corrupt(r, "/checkpoint", "%s is missing or not a count", #f);
    CKPT_TOTALS(GET)
#undef GET
    i = 0;
#define SET(f) w->f = (int64_t)(t[i++] & INT64_MAX);
    CKPT_TOTALS(SET)
#undef SET
    return MIG_OK;
}

/* Reads /checkpoint, after checking the format, the scenario (its resolved text), the day
 * and that the counters agree. */
static mig_status read_header(reader *r, mig_world *w)
{
    hid_t g = H5Lexists(r->f, "checkpoint", H5P_DEFAULT) > 0 ? H5Gopen2(r->f, "checkpoint", H5P_DEFAULT) : -1;
    mig_status st = g < 0 ? corrupt(r, "/checkpoint", "not a migsim checkpoint (no /checkpoint group)")
                          : read_counters(r, g, w);
    char *text = NULL;
    if (st == MIG_OK)
        mig_h5_get_string_attr(g, ".", "scenario_resolved", &text);

    if (st == MIG_OK && !text)
        st = corrupt(r, "/checkpoint", "scenario_resolved is missing or not a string");
    else if (st == MIG_OK && strcmp(text, w->cfg->resolved_yaml) != 0)
        st = mig_ctx_error(r->ctx, MIG_ECONFIG,
                           "%s: the checkpoint was written for another scenario (its resolved text differs "
                           "from %s with these --set options)",
                           r->path, w->cfg->path);
    else if (st == MIG_OK && (r->next_day > w->cfg->days || r->next_day == 0))
        st = corrupt(r, "/checkpoint", "next_day %llu is outside the run (1..%u)", (unsigned long long)r->next_day,
                     w->cfg->days);
    else if (st == MIG_OK && (r->next_id > UINT32_MAX || r->n > r->next_id))
        st = corrupt(r, "/checkpoint", "%llu agents with ids below next_id %llu", (unsigned long long)r->n,
                     (unsigned long long)r->next_id);
    else if (st == MIG_OK && (uint64_t)w->total_spawned != r->n + (uint64_t)w->total_absorbed + (uint64_t)w->total_removed)
        st = corrupt(r, "/checkpoint", "total_spawned %lld != agents %llu + total_absorbed %lld + total_removed %lld",
                     (long long)w->total_spawned, (unsigned long long)r->n, (long long)w->total_absorbed,
                     (long long)w->total_removed);
    if (st == MIG_OK)
        r->sum = sum_header(r->next_day, r->n, r->next_id, r->steps, w);
    mig_h5_close(&g, H5Gclose);
    free(text);
    return st;
}

/* /agents/<field> [n], one dataset per entry of MIG_AGENT_FIELDS, into w's store. */
static mig_status read_agents(reader *r, mig_world *w)
{
    const hsize_t n = r->n;
    mig_status st;

    hid_t d;
    /* the shape before the allocation: a wrong count is a fault, not an out of memory */
    if ((st = open_array(r, "/agents/id", 1, &n, "the agent count in /checkpoint", &d)) != MIG_OK)
        return st;
    mig_h5_close(&d, H5Dclose);
    w->agents->n = 0;
    if ((st = mig_agents_reserve(w->agents, (size_t)r->n)) != MIG_OK)
        return st;
#define READ(name, ctype, h5type, doc)                                                                   \
    if (st == MIG_OK)                                                                                      \
        st = get_array(r, "/agents/" #name, 1, &n, "the agent count in /checkpoint", h5type, w->agents->name);
    MIG_AGENT_FIELDS(READ)
#undef READ
    if (st != MIG_OK)
        return st;
    w->agents->n = (size_t)r->n;
    w->agents->next_id = (uint32_t)r->next_id;
    w->agent_steps = r->steps;
    return MIG_OK;
}

/* /groups (recreated in w): n, then pace and speed [n], each finite (a pace in (0, 1], a
 * speed >= 0). There are never more groups than agents spawned plus caravans. */
static mig_status read_groups(reader *r, mig_world *w)
{
    hid_t g = H5Lexists(r->f, "groups", H5P_DEFAULT) > 0 ? H5Gopen2(r->f, "groups", H5P_DEFAULT) : -1;
    uint64_t ng = 0;
    int bad = g < 0 || get_u64(g, "n", &ng);
    mig_status st = MIG_OK;
    hsize_t dim;
    float dummy[1];

    mig_h5_close(&g, H5Gclose);
    if (bad || ng > r->next_id + w->caravans->n)
        return corrupt(r, "/groups", "n is missing or more than the agents spawned and caravans (%llu)",
                       (unsigned long long)(r->next_id + w->caravans->n));
    w->n_groups = 0;
    while (st == MIG_OK && w->n_groups < ng) {
        uint32_t id;
        st = mig_world_new_group(w, 1.0f, 0.0f, &id);
    }
    dim = ng;
    if (st == MIG_OK)
        st = get_array(r, "/groups/pace", 1, &dim, "the group count in /groups", H5T_NATIVE_FLOAT, ng ? w->group_pace : dummy);
    if (st == MIG_OK)
        st = get_array(r, "/groups/speed", 1, &dim, "the group count in /groups", H5T_NATIVE_FLOAT, ng ? w->group_speed : dummy);
    for (uint32_t i = 0; st == MIG_OK && i < ng; i++) {
        const float p = w->group_pace[i], s = w->group_speed[i];
        char field[64];
        if (!(p > 0.0f && p <= 1.0f)) {
            snprintf(field, sizeof field, "/groups/pace[%u]", i);
            st = corrupt(r, field, "%g is not a pace in (0, 1]", (double)p);
        } else if (!(isfinite(s) && s >= 0.0f)) {
            snprintf(field, sizeof field, "/groups/speed[%u]", i);
            st = corrupt(r, field, "%g is not a finite speed >= 0", (double)s);
        }
    }
    return st;
}

/* /policy/state [policy values, caravan values], checked, into w. */
static mig_status read_policy(reader *r, mig_world *w)
{
    size_t np = mig_policy_state_size(w->policy), bad = 0;
    hsize_t want = np + mig_caravan_state_size(w->caravans);
    double *state = malloc((want ? want : 1) * sizeof *state);
    mig_status st = state ? get_array(r, "/policy/state", 1, &want, "the scenario's interventions and caravans",
                                      H5T_NATIVE_DOUBLE, state)
                          : MIG_ENOMEM;
    int wrong = st == MIG_OK && mig_policy_state_check(w->policy, state, &bad);
    if (st == MIG_OK && !wrong && mig_caravan_state_check(w->caravans, state + np, w->n_groups, &bad)) {
        wrong = 1;
        bad += np;
    }
    if (wrong) {
        char field[64];
        snprintf(field, sizeof field, "/policy/state[%zu]", bad);
        st = corrupt(r, field, "%g is not a value this state can take", state[bad]);
    }
    if (st == MIG_OK) {
        mig_policy_state_set(w->policy, state);
        mig_caravan_state_set(w->caravans, state + np);
    }
    free(state);
    return st;
}

/* Every agent against the tables its indices point into. */
static mig_status check_agents(reader *r, const mig_world *w)
{
    mig_agents_limits lim = {
        .n_places = w->net->n_places,
        .n_links = w->net->n_links,
        .n_nat = w->n_nat,
        .n_groups = w->n_groups,
        .n_iv = w->policy->n_iv,
        .link_km = w->net->link_km,
        .next_id = w->agents->next_id,
        .next_day = (uint32_t)r->next_day,
    };
    mig_agents_fault f;
    char field[96];
    if (!mig_agents_check(w->agents, &lim, &f))
        return MIG_OK;
    snprintf(field, sizeof field, "/agents/%s[%zu]", f.field, f.slot);
    return corrupt(r, field, "%s", f.what);
}

/* /obs/<variable> [next_day, size] into ck, checked against w's variables. */
static mig_status read_obs(reader *r, const mig_world *w, mig_checkpoint *ck)
{
    mig_status st = MIG_OK;
    ck->next_day = (uint32_t)r->next_day;
    ck->n_vars = w->obs->n_vars;
    ck->var_size = calloc(ck->n_vars ? ck->n_vars : 1, sizeof *ck->var_size);
    ck->rows = calloc(ck->n_vars ? ck->n_vars : 1, sizeof *ck->rows);
    if (!ck->var_size || !ck->rows)
        st = MIG_ENOMEM;
    for (size_t i = 0; st == MIG_OK && i < ck->n_vars; i++) {
        const mig_var *v = &w->obs->vars[i];
        hsize_t dims[2] = { r->next_day, v->size };
        char name[256];
        snprintf(name, sizeof name, "/obs/%s", v->name);
        ck->var_size[i] = v->size;
        if (!(ck->rows[i] = malloc((r->next_day && v->size ? r->next_day * v->size : 1) * sizeof **ck->rows)))
            st = MIG_ENOMEM;
        else
            st = get_array(r, name, 2, dims, "days before next_day x the variable's size", H5T_NATIVE_INT32, ck->rows[i]);
    }
    return st;
}

/* The whole payload of r into w and ck, in the order the checksum covers it. */
static mig_status read_all(reader *r, mig_world *w, mig_checkpoint *ck)
{
    mig_status st;
    if ((st = read_header(r, w)) != MIG_OK || (st = read_agents(r, w)) != MIG_OK ||
        (st = read_groups(r, w)) != MIG_OK || (st = check_agents(r, w)) != MIG_OK ||
        (st = read_policy(r, w)) != MIG_OK || (st = read_obs(r, w, ck)) != MIG_OK)
        return st;
    if ((r->sum >> 1) != r->stored_sum)
        return corrupt(r, "/checkpoint", "checksum %016llx, but the contents give %016llx: the file was changed "
                       "or damaged after it was written", (unsigned long long)r->stored_sum,
                       (unsigned long long)(r->sum >> 1));
    return MIG_OK;
}

mig_status mig_checkpoint_read(const char *path, mig_world *w, mig_checkpoint **out, mig_ctx *ctx)
{
    reader r = { .f = -1, .path = path, .ctx = ctx };
    mig_checkpoint *ck = NULL;
    mig_status st;

    *out = NULL;
    mig_h5_errors(ctx);
    if (access(path, R_OK) != 0)
        return mig_ctx_error(ctx, MIG_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    if ((st = check_seal(path, ctx)) != MIG_OK)
        return st;
    if ((r.f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return mig_ctx_error(ctx, MIG_EDATA, "%s: not an HDF5 checkpoint file", path);
    st = (ck = calloc(1, sizeof *ck)) ? read_all(&r, w, ck) : MIG_ENOMEM;
    H5Fclose(r.f);
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
