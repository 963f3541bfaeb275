/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_sweep.c: sweep specs and manifests.
 *
 * The spec is parsed with libyaml's document API, which keeps the line and column of every
 * node, and walked by hand against the few keys a spec has. (The scenario loader walks a
 * libcyaml schema because it loads a large nested struct; a spec is a handful of scalars and
 * a list whose entries take either `values` or `min`/`max`, so a direct walk is shorter and
 * gives the same precise messages. Numbers are parsed strictly here: "12x" is an error.)
 *
 * Checks run in three stages, each reporting all of its problems and running only if the one
 * before passed: (1) keys, types and numbers, (2) ranges and combinations, (3) the scenario
 * and every parameter value, loaded with mig_config_load as `--set key=value` would be.
 *
 * Points: a grid is the product of the parameters' value lists, the last parameter varying
 * fastest (as itertools.product). A Sobol design takes `points` points of GSL's Sobol
 * sequence (gsl_qrng_sobol, from its first point (0.5, ..., 0.5)) over the ranged parameters,
 * each coordinate u scaled to min + u (max - min); parameters given as value lists are crossed
 * with them (Sobol point outermost). A Saltelli design (for Sobol indices, `migsim sobol`)
 * takes only ranges: mig_sobol_design's A, B and AB_i blocks of `points` rows each. Task t is
 * replicate t % replicates of point t / replicates. */
#include "mig_sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <gsl/gsl_qrng.h>
#include <yaml.h>

#include "mig_config.h"
#include "mig_csv.h"
#include "mig_model.h"
#include "mig_sobol.h"
#include "mig_util.h"

#define MAX_REPLICATES 1000000u
#define MAX_STEPS 1000000u

static const char *const design_names[] = { "grid", "sobol", "saltelli", NULL };

/* ------------------------------------------------------------------ small helpers --- */

/* Strict unsigned decimal: digits only, no sign, no blanks. 0 on success, -1 not a
 * number, -2 negative, -3 too large. */
static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (*s == '-' && s[1] >= '0' && s[1] <= '9')
        return -2;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (*end)
        return -1;
    if (errno == ERANGE)
        return -3;
    *out = (uint64_t)v;
    return 0;
}

/* Shortest text that reads back as exactly v: whole numbers below 10^15 without an
 * exponent ("300", not "3e+02"), others as the shortest "%.*g". */
static void fmt_num(double v, char *buf, size_t n)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, n, "%.0f", v == 0.0 ? 0.0 : v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* ------------------------------------------------------------------ the spec walk --- */

typedef struct spec_reader {
    const char *path;
    yaml_document_t doc;
    mig_ctx *ctx;
    int errors;
    mig_status status;        /* the first problem's status */
} spec_reader;

static yaml_node_t *node(spec_reader *R, int id)
{
    return id > 0 ? yaml_document_get_node(&R->doc, id) : NULL;
}

static const char *scalar(spec_reader *R, int id)
{
    yaml_node_t *n = node(R, id);
    return (n && n->type == YAML_SCALAR_NODE) ? (const char *)n->data.scalar.value : NULL;
}

/* Reports "path:line:col: field: message" at node id (the file alone when id is 0). */
static void report(spec_reader *R, mig_status s, int id, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void report(spec_reader *R, mig_status s, int id, const char *field, const char *fmt, ...)
{
    yaml_node_t *n = node(R, id);
    char msg[1024];
    mig_loc loc = { R->path, 0, 0 };
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n) {
        loc.line = n->start_mark.line + 1;
        loc.column = n->start_mark.column + 1;
    }
    mig_ctx_diag(R->ctx, s, &loc, field, "%s", msg);
    if (!R->errors++)
        R->status = s;
}

/* Value node of key in mapping id, or 0; *key_id gets the key node. */
static int map_get(spec_reader *R, int id, const char *key, int *key_id)
{
    yaml_node_t *n = node(R, id);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const char *k = scalar(R, p->key);
        if (k && strcmp(k, key) == 0) {
            if (key_id)
                *key_id = p->key;
            return p->value;
        }
    }
    return 0;
}

/* Reports unknown and repeated keys of mapping id (fields: NULL-terminated), prefixing the
 * field names with prefix. */
static void check_keys(spec_reader *R, int id, const char *const *fields, const char *prefix)
{
    yaml_node_t *n = node(R, id);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const char *k = scalar(R, p->key);
        char field[256];
        int known = 0;
        if (!k) {
            report(R, MIG_ECONFIG, p->key, prefix, "keys must be plain words");
            continue;
        }
        snprintf(field, sizeof field, "%s%s", prefix, k);
        for (const char *const *f = fields; *f; f++)
            known |= strcmp(*f, k) == 0;
        if (!known) {
            mig_suggest sg;
            mig_suggest_init(&sg, k);
            for (const char *const *f = fields; *f; f++)
                mig_suggest_add(&sg, *f);
            report(R, MIG_ECONFIG, p->key, field, "%s", mig_suggest_text(&sg));
            continue;
        }
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            const char *kq = scalar(R, q->key);
            if (kq && strcmp(kq, k) == 0) {
                report(R, MIG_ECONFIG, p->key, field, "key given twice");
                break;
            }
        }
    }
}

/* The scalar text of value node id, or NULL after reporting what it is instead. */
static const char *want_scalar(spec_reader *R, int id, const char *field)
{
    yaml_node_t *n = node(R, id);
    const char *s = scalar(R, id);
    if (!s)
        report(R, MIG_ECONFIG, id, field, "expected a single value, got a %s",
               n && n->type == YAML_MAPPING_NODE ? "mapping" : "list");
    return s;
}

/* An unsigned integer field in [lo, hi]; what names the quantity for the range message. */
static int want_uint(spec_reader *R, int id, const char *field, uint64_t lo, uint64_t hi,
                     const char *what, uint64_t *out)
{
    const char *s = want_scalar(R, id, field);
    int rc;
    if (!s)
        return -1;
    rc = parse_u64(s, out);
    if (rc == -2)
        report(R, MIG_ECONFIG, id, field, "expected a non-negative integer, got \"%s\"", s);
    else if (rc == -3)
        report(R, MIG_ECONFIG, id, field, "integer \"%s\" is too large", s);
    else if (rc)
        report(R, MIG_ECONFIG, id, field, "expected an integer, got \"%s\"", s);
    else if (*out < lo || *out > hi)
        report(R, MIG_ECONFIG, id, field, "expected %s in [%" PRIu64 ", %" PRIu64 "], got %s", what,
               lo, hi, s);
    else
        return 0;
    return -1;
}

static int want_num(spec_reader *R, int id, const char *field, double *out)
{
    const char *s = want_scalar(R, id, field);
    if (!s)
        return -1;
    if (mig_parse_number(s, out)) {
        report(R, MIG_ECONFIG, id, field, "expected a number, got \"%s\"", s);
        return -1;
    }
    return 0;
}

/* One of the words (NULL-terminated); returns its index or -1 after reporting. */
static int want_word(spec_reader *R, int id, const char *field, const char *const *words)
{
    const char *s = want_scalar(R, id, field);
    char list[128] = "";
    int i;
    if (!s)
        return -1;
    for (i = 0; words[i]; i++) {
        if (strcmp(words[i], s) == 0)
            return i;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 !*list ? "" : words[i + 1] ? ", " : " or ", words[i]);
    }
    report(R, MIG_ECONFIG, id, field, "expected %s, got \"%s\"", list, s);
    return -1;
}

/* Characters a key path may hold: the --set syntax, and nothing a CSV header must quote. */
static int good_key(const char *k)
{
    if (!*k)
        return 0;
    for (const char *c = k; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '.' || *c == '[' || *c == ']' || *c == '-'))
            return 0;
    return 1;
}

/* Where each parameter's parts sit in the document, for the later stages. */
typedef struct param_nodes {
    int entry, key, values, min, max, steps, integer;
} param_nodes;

/* parameters[i].key (at pre.key): a scenario key other than the seed, copied into p->key. */
static void read_key(spec_reader *R, mig_sweep_param *p, int id, const param_nodes *pn, const char *pre)
{
    char field[96];
    snprintf(field, sizeof field, "%s.key", pre);
    if (!pn->key) {
        report(R, MIG_ECONFIG, id, field, "missing required key");
    } else {
        const char *k = want_scalar(R, pn->key, field);
        if (k && !good_key(k))
            report(R, MIG_ECONFIG, pn->key, field,
                   "expected a scenario key such as movement.distance_power, got \"%s\"", k);
        else if (k && strcmp(k, "seed") == 0)
            report(R, MIG_ECONFIG, pn->key, field,
                   "the seed is set by the sweep (seed, seeds, replicates), not swept as a parameter");
        else if (k && !(p->key = strdup(k)))
            report(R, MIG_ENOMEM, pn->key, field, "out of memory");
    }
}

/* parameters[i].values: a list of distinct, non-empty single values, copied into p. Returns
 * -1 when memory ran out, else 0. */
static int read_values(spec_reader *R, mig_sweep_param *p, const param_nodes *pn, const char *pre)
{
    yaml_node_t *n = node(R, pn->values);
    char field[96];
    size_t len;
    snprintf(field, sizeof field, "%s.values", pre);
    if (n->type != YAML_SEQUENCE_NODE) {
        const char *t = scalar(R, pn->values);
        report(R, MIG_ECONFIG, pn->values, field, "expected a list of values%s%s%s",
               t ? ", got \"" : "", t ? t : "", t ? "\"" : "");
        return 0;
    }
    len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (len == 0)
        report(R, MIG_ECONFIG, pn->values, field, "expected at least 1 entry, got 0");
    p->values = calloc(len ? len : 1, sizeof *p->values);
    if (!p->values) {
        report(R, MIG_ENOMEM, pn->values, field, "out of memory");
        return -1;
    }
    for (size_t j = 0; j < len; j++) {
        int item = node(R, pn->values)->data.sequence.items.start[j];
        const char *t;
        snprintf(field, sizeof field, "%s.values[%zu]", pre, j);
        t = scalar(R, item);
        if (!t)
            report(R, MIG_ECONFIG, item, field, "expected a single value (a list or mapping cannot be swept)");
        else if (!*t)
            report(R, MIG_ECONFIG, item, field, "expected a non-empty value");
        else {
            for (size_t k = 0; k < p->n_values; k++)
                if (strcmp(p->values[k], t) == 0) {
                    report(R, MIG_ECONFIG, item, field, "\"%s\" is listed twice", t);
                    break;
                }
            if (!(p->values[p->n_values++] = strdup(t)))
                report(R, MIG_ENOMEM, item, field, "out of memory");
        }
    }
    return 0;
}

/* parameters[i].min, max, steps and integer, each when given. */
static void read_bounds(spec_reader *R, mig_sweep_param *p, const param_nodes *pn, const char *pre)
{
    static const char *const bools[] = { "true", "false", NULL };
    char field[96];
    uint64_t u;
    int b;
    snprintf(field, sizeof field, "%s.min", pre);
    if (pn->min)
        want_num(R, pn->min, field, &p->min);
    snprintf(field, sizeof field, "%s.max", pre);
    if (pn->max)
        want_num(R, pn->max, field, &p->max);
    snprintf(field, sizeof field, "%s.steps", pre);
    if (pn->steps && want_uint(R, pn->steps, field, 2, MAX_STEPS, "a number of steps", &u) == 0)
        p->steps = (uint32_t)u;
    snprintf(field, sizeof field, "%s.integer", pre);
    if (pn->integer && (b = want_word(R, pn->integer, field, bools)) >= 0)
        p->integer = b == 0;
}

/* Stage 2 for parameters[i]: values, or min and max (with steps on a grid), not both; an
 * integer range of integers, max above min. errors0: the count before the parameter. */
static void check_range(spec_reader *R, const mig_sweep *s, mig_sweep_param *p, int id, const param_nodes *pn,
                        const char *pre, int errors0)
{
    char field[96];
    p->ranged = pn->min || pn->max;
    if (pn->values && p->ranged) {
        report(R, MIG_ECONFIG, id, pre, "give values, or min and max, not both");
        return;
    }
    if (!pn->values && !p->ranged) {
        report(R, MIG_ECONFIG, id, pre, "give values (a list), or min and max");
        return;
    }
    if (p->ranged && !pn->min)
        report(R, MIG_ECONFIG, id, pre, "min is missing (max is given)");
    else if (p->ranged && !pn->max)
        report(R, MIG_ECONFIG, id, pre, "max is missing (min is given)");
    if (pn->values && (pn->steps || pn->integer)) {
        snprintf(field, sizeof field, "%s.%s", pre, pn->steps ? "steps" : "integer");
        report(R, MIG_ECONFIG, pn->steps ? pn->steps : pn->integer, field,
               "only with min and max (values are used as written)");
    }
    if (R->errors > errors0 || !p->ranged)
        return;
    if (p->integer) {
        const double lim = 9007199254740992.0; /* 2^53: every integer up to it is exact */
        snprintf(field, sizeof field, "%s.min", pre);
        if (p->min != floor(p->min) || fabs(p->min) > lim)
            report(R, MIG_ECONFIG, pn->min, field, "expected an integer (integer: true), got %s",
                   scalar(R, pn->min));
        snprintf(field, sizeof field, "%s.max", pre);
        if (p->max != floor(p->max) || fabs(p->max) > lim)
            report(R, MIG_ECONFIG, pn->max, field, "expected an integer (integer: true), got %s",
                   scalar(R, pn->max));
    }
    snprintf(field, sizeof field, "%s.max", pre);
    if (R->errors == errors0 && !(p->max > p->min))
        report(R, MIG_ECONFIG, pn->max, field, "expected more than min (%s), got %s",
               scalar(R, pn->min), scalar(R, pn->max));
    snprintf(field, sizeof field, "%s.steps", pre);
    if (s->design != MIG_SWEEP_GRID && pn->steps)
        report(R, MIG_ECONFIG, pn->steps, field, "only for design grid (design %s draws values between min and max)",
               design_names[s->design]);
    else if (s->design == MIG_SWEEP_GRID && !pn->steps)
        report(R, MIG_ECONFIG, id, field, "missing (a range on a grid needs steps)");
    else if (R->errors == errors0 && s->design == MIG_SWEEP_GRID && p->integer &&
             (double)p->steps - 1 > p->max - p->min)
        report(R, MIG_ECONFIG, pn->steps, field,
               "%" PRIu32 " integer steps from %s to %s repeat values (at most %.0f)", p->steps,
               scalar(R, pn->min), scalar(R, pn->max), p->max - p->min + 1);
}

/* parameters[i]: stage 1 (each field on its own), then stage 2 (the fields together). */
static void read_param(spec_reader *R, mig_sweep *s, size_t i, int id, param_nodes *pn)
{
    static const char *const fields[] = { "key", "values", "min", "max", "steps", "integer", NULL };
    mig_sweep_param *p = &s->params[i];
    char pre[64], field[96];
    int errors0 = R->errors;

    snprintf(pre, sizeof pre, "parameters[%zu]", i);
    memset(pn, 0, sizeof *pn);
    pn->entry = id;
    if (node(R, id)->type != YAML_MAPPING_NODE) {
        const char *t = scalar(R, id);
        report(R, MIG_ECONFIG, id, pre,
               "expected a mapping such as {key: movement.distance_power, values: [0.5, 1, 2]}%s%s%s",
               t ? ", got \"" : "", t ? t : "", t ? "\"" : "");
        return;
    }
    snprintf(field, sizeof field, "%s.", pre);
    check_keys(R, id, fields, field);
    pn->key = map_get(R, id, "key", NULL);
    pn->values = map_get(R, id, "values", NULL);
    pn->min = map_get(R, id, "min", NULL);
    pn->max = map_get(R, id, "max", NULL);
    pn->steps = map_get(R, id, "steps", NULL);
    pn->integer = map_get(R, id, "integer", NULL);
    read_key(R, p, id, pn, pre);
    if (pn->values && read_values(R, p, pn, pre))
        return;
    read_bounds(R, p, pn, pre);
    if (R->errors == errors0)
        check_range(R, s, p, id, pn, pre, errors0);
}

/* scenario and output_dir, resolved against the spec's folder. Returns -1 when memory ran
 * out, else 0. */
static int read_paths(spec_reader *R, mig_sweep *s, int scen, int outd)
{
    char *dir = mig_path_dir(R->path);
    if (!dir) {
        report(R, MIG_ENOMEM, 0, NULL, "out of memory");
        return -1;
    }
    if (!scen) {
        report(R, MIG_ECONFIG, 1, "scenario", "missing required key");
    } else {
        const char *t = want_scalar(R, scen, "scenario");
        if (t && !*t)
            report(R, MIG_ECONFIG, scen, "scenario", "expected a path to a scenario YAML file");
        else if (t)
            s->scenario = mig_path_resolve(dir, t);
    }
    {
        const char *t = outd ? want_scalar(R, outd, "output_dir") : "runs";
        if (t && !*t)
            report(R, MIG_ECONFIG, outd, "output_dir", "expected a folder for the run outputs");
        else if (t)
            s->output_dir = mig_path_resolve(dir, t);
    }
    free(dir);
    return 0;
}

/* parameters: a list, each entry read by read_param (its nodes into *pnodes). */
static void read_params(spec_reader *R, mig_sweep *s, int params, param_nodes **pnodes)
{
    yaml_node_t *n = node(R, params);
    if (n->type != YAML_SEQUENCE_NODE) {
        const char *t = scalar(R, params);
        report(R, MIG_ECONFIG, params, "parameters", "expected a list of parameters%s%s%s",
               t ? ", got \"" : "", t ? t : "", t ? "\"" : "");
    } else {
        size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        s->params = calloc(len ? len : 1, sizeof *s->params);
        *pnodes = calloc(len ? len : 1, sizeof **pnodes);
        if (!s->params || !*pnodes) {
            report(R, MIG_ENOMEM, params, "parameters", "out of memory");
            return;
        }
        s->n_params = len;
        for (size_t i = 0; i < len; i++)
            read_param(R, s, i, node(R, params)->data.sequence.items.start[i], &(*pnodes)[i]);
    }
}

/* Stage 2 for the whole spec: points with designs sobol and saltelli only, each key swept
 * once, between 1 and MIG_SWEEP_MAX_SOBOL_DIMS ranges for design sobol, 1 to
 * MIG_SOBOL_MAX_PARAMS ranges and fixed settings (one value each) for saltelli, with at
 * least 2 points. */
static void check_spec(spec_reader *R, const mig_sweep *s, int points, int params, const param_nodes *pnodes)
{
    const char *dn = design_names[s->design];
    size_t d = 0, lim = s->design == MIG_SWEEP_SALTELLI ? MIG_SOBOL_MAX_PARAMS : MIG_SWEEP_MAX_SOBOL_DIMS;
    if (s->design != MIG_SWEEP_GRID && !points)
        report(R, MIG_ECONFIG, 1, "points", "missing required key (design %s)", dn);
    if (s->design == MIG_SWEEP_GRID && points)
        report(R, MIG_ECONFIG, points, "points",
               "only for designs sobol and saltelli (a grid has one point per combination of values)");
    if (s->design == MIG_SWEEP_SALTELLI && points && s->sobol_points < 2)
        report(R, MIG_ECONFIG, points, "points", "expected at least 2 base points (design saltelli), got %s",
               scalar(R, points));
    for (size_t i = 0; i < s->n_params; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->params[i].key, s->params[j].key) == 0) {
                char field[64];
                snprintf(field, sizeof field, "parameters[%zu].key", i);
                report(R, MIG_ECONFIG, pnodes[i].key, field, "%s is already swept by parameters[%zu]",
                       s->params[i].key, j);
                break;
            }
    for (size_t i = 0; i < s->n_params; i++) {
        d += (size_t)s->params[i].ranged;
        if (s->design == MIG_SWEEP_SALTELLI && !s->params[i].ranged && s->params[i].n_values != 1) {
            char field[64];
            snprintf(field, sizeof field, "parameters[%zu].values", i);
            report(R, MIG_ECONFIG, pnodes[i].values, field,
                   "design saltelli takes ranges (min and max: a Sobol index is about a range) and fixed "
                   "settings (one value), got %zu values", s->params[i].n_values);
        }
    }
    if (s->design == MIG_SWEEP_GRID)
        return;
    if (d == 0)
        report(R, MIG_ECONFIG, params ? params : 1, "parameters", "design %s needs at least one parameter with min and max",
               dn);
    else if (d > lim)
        report(R, MIG_ECONFIG, params, "parameters",
               "design %s takes at most %zu parameters with min and max (GSL's Sobol sequence), got %zu", dn, lim, d);
}

/* Stage 1 and 2 for the whole spec. Fills s except the points. */
static void read_spec(spec_reader *R, mig_sweep *s, param_nodes **pnodes, int *scen_node)
{
    static const char *const fields[] = { "scenario", "output_dir", "replicates", "seed", "seeds",
                                          "design", "points", "parameters", NULL };
    static const char *const seed_modes[] = { "common", "distinct", NULL };
    int scen, outd, rep, seed, seeds, design, points, params, w;
    uint64_t u;

    check_keys(R, 1, fields, "");
    scen = map_get(R, 1, "scenario", NULL);
    outd = map_get(R, 1, "output_dir", NULL);
    rep = map_get(R, 1, "replicates", NULL);
    seed = map_get(R, 1, "seed", NULL);
    seeds = map_get(R, 1, "seeds", NULL);
    design = map_get(R, 1, "design", NULL);
    points = map_get(R, 1, "points", NULL);
    params = map_get(R, 1, "parameters", NULL);
    *scen_node = scen;
    if (read_paths(R, s, scen, outd))
        return;
    s->replicates = 1;
    if (rep && want_uint(R, rep, "replicates", 1, MAX_REPLICATES, "a number of replicates", &u) == 0)
        s->replicates = (uint32_t)u;
    s->seed = 1;
    if (seed)
        want_uint(R, seed, "seed", 0, UINT64_MAX, "a seed", &s->seed);
    if (seeds && (w = want_word(R, seeds, "seeds", seed_modes)) >= 0)
        s->seeds = (mig_sweep_seeds)w;
    if (design && (w = want_word(R, design, "design", design_names)) >= 0)
        s->design = (mig_sweep_design)w;
    if (points && want_uint(R, points, "points", 1, MIG_SWEEP_MAX_RUNS, "a number of points", &u) == 0)
        s->sobol_points = (uint32_t)u;
    if (params)
        read_params(R, s, params, pnodes);
    if (!R->errors)
        check_spec(R, s, points, params, *pnodes);
}

/* ------------------------------------------------------------------ expansion ------- */

/* Grid values of a ranged parameter: min + k (max - min) / (steps - 1), k = 0..steps-1. */
static mig_status grid_values(mig_sweep_param *p)
{
    char buf[64];
    p->values = calloc(p->steps, sizeof *p->values);
    if (!p->values)
        return MIG_ENOMEM;
    for (uint32_t k = 0; k < p->steps; k++) {
        double v = k + 1 == p->steps ? p->max : p->min + k * (p->max - p->min) / (p->steps - 1);
        if (p->integer)
            snprintf(buf, sizeof buf, "%.0f", round(v));
        else
            fmt_num(v, buf, sizeof buf);
        if (!(p->values[p->n_values++] = strdup(buf)))
            return MIG_ENOMEM;
    }
    return MIG_OK;
}

/* Sobol coordinate u in [0, 1) scaled to the parameter's range. */
static void sobol_value(const mig_sweep_param *p, double u, char *buf, size_t n)
{
    if (p->integer) {
        double v = p->min + floor(u * (p->max - p->min + 1));
        snprintf(buf, n, "%.0f", v > p->max ? p->max : v);
    } else {
        fmt_num(p->min + u * (p->max - p->min), buf, n);
    }
}

/* Number of combinations of the value-list parameters (grid: all of them). 0 on overflow
 * past the run limit. */
static uint64_t combos(const mig_sweep *s)
{
    uint64_t c = 1;
    for (size_t i = 0; i < s->n_params; i++) {
        const mig_sweep_param *p = &s->params[i];
        if (s->design != MIG_SWEEP_GRID && p->ranged)
            continue;
        if (p->n_values > MIG_SWEEP_MAX_RUNS || c * p->n_values > MIG_SWEEP_MAX_RUNS)
            return 0;
        c *= p->n_values;
    }
    return c;
}

/* The cells of a Saltelli design over the k ranged parameters: mig_sobol_design's points
 * scaled to the ranges, each cell owned; a fixed setting (one value) has its value at
 * every point. */
static mig_status saltelli_cells(spec_reader *R, mig_sweep *s, size_t k)
{
    size_t np_ = s->n_params, m = s->n_points;
    double *u = malloc(m * k * sizeof *u);
    char buf[64];
    s->owned_cells = calloc(m * k, sizeof *s->owned_cells);
    if (!u || !s->owned_cells || mig_sobol_design(s->sobol_points, k, u) != MIG_OK) {
        free(u);
        return mig_ctx_error(R->ctx, MIG_ENOMEM, "%s: out of memory for %zu Saltelli points", R->path, m);
    }
    s->n_owned = m * k;
    for (size_t p = 0; p < m; p++)
        for (size_t i = 0, j = 0; i < np_; i++) {
            const mig_sweep_param *pr = &s->params[i];
            size_t c = p * k + j;
            if (!pr->ranged) {
                s->cell[p * np_ + i] = pr->values[0];
                continue;
            }
            sobol_value(pr, u[c], buf, sizeof buf);
            if (!(s->owned_cells[c] = strdup(buf))) {
                free(u);
                return mig_ctx_error(R->ctx, MIG_ENOMEM, "%s: out of memory", R->path);
            }
            s->cell[p * np_ + i] = s->owned_cells[c];
            j++;
        }
    free(u);
    return MIG_OK;
}

static mig_status expand(spec_reader *R, mig_sweep *s)
{
    uint64_t nc, np, runs;
    size_t d = 0, np_ = s->n_params;
    gsl_qrng *q = NULL;
    double u[MIG_SWEEP_MAX_SOBOL_DIMS];
    char buf[64];

    for (size_t i = 0; i < np_; i++) {
        if (s->design == MIG_SWEEP_GRID && s->params[i].ranged && grid_values(&s->params[i]) != MIG_OK)
            return mig_ctx_error(R->ctx, MIG_ENOMEM, "%s: out of memory", R->path);
        d += (size_t)s->params[i].ranged;
    }
    nc = combos(s);
    np = s->design == MIG_SWEEP_SOBOL      ? nc * s->sobol_points
         : s->design == MIG_SWEEP_SALTELLI ? (uint64_t)s->sobol_points * (d + 2)
                                           : nc;
    runs = np * s->replicates;
    if (nc == 0 || np > MIG_SWEEP_MAX_RUNS || runs > MIG_SWEEP_MAX_RUNS) {
        report(R, MIG_ECONFIG, 0, NULL, "the sweep has more than %u runs (points x replicates)",
               MIG_SWEEP_MAX_RUNS);
        return R->status;
    }
    if (s->seeds == MIG_SWEEP_SEEDS_DISTINCT ? UINT64_MAX - s->seed < runs - 1
                                             : UINT64_MAX - s->seed < (uint64_t)s->replicates - 1) {
        int id = map_get(R, 1, "seed", NULL);
        report(R, MIG_ECONFIG, id, "seed", "seed + %" PRIu64 " (the last run's offset) exceeds 2^64-1",
               s->seeds == MIG_SWEEP_SEEDS_DISTINCT ? runs - 1 : (uint64_t)s->replicates - 1);
        return R->status;
    }
    s->n_points = (size_t)np;
    s->cell = calloc(s->n_points * (np_ ? np_ : 1), sizeof *s->cell);
    if (!s->cell)
        return mig_ctx_error(R->ctx, MIG_ENOMEM, "%s: out of memory for %zu points", R->path, s->n_points);
    if (s->design == MIG_SWEEP_SALTELLI)
        return saltelli_cells(R, s, d);
    if (s->design == MIG_SWEEP_SOBOL) {
        s->owned_cells = calloc((size_t)s->sobol_points * d, sizeof *s->owned_cells);
        s->n_owned = s->owned_cells ? (size_t)s->sobol_points * d : 0;
        q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d);
        if (!s->owned_cells || !q) {
            gsl_qrng_free(q);
            return mig_ctx_error(R->ctx, MIG_ENOMEM, "%s: out of memory for %" PRIu32 " Sobol points",
                                 R->path, s->sobol_points);
        }
        for (uint32_t k = 0; k < s->sobol_points; k++) {
            size_t j = 0;
            gsl_qrng_get(q, u);
            for (size_t i = 0; i < np_; i++) {
                if (!s->params[i].ranged)
                    continue;
                sobol_value(&s->params[i], u[j], buf, sizeof buf);
                if (!(s->owned_cells[(size_t)k * d + j] = strdup(buf))) {
                    gsl_qrng_free(q);
                    return mig_ctx_error(R->ctx, MIG_ENOMEM, "%s: out of memory", R->path);
                }
                j++;
            }
        }
        gsl_qrng_free(q);
    }
    for (size_t p = 0; p < s->n_points; p++) {
        size_t c = s->design == MIG_SWEEP_SOBOL ? p % nc : p, k = p / nc, j = d;
        /* mixed radix over the value lists, last parameter fastest */
        for (size_t i = np_; i-- > 0;) {
            mig_sweep_param *pr = &s->params[i];
            if (s->design == MIG_SWEEP_SOBOL && pr->ranged) {
                s->cell[p * np_ + i] = s->owned_cells[k * d + --j];
                continue;
            }
            s->cell[p * np_ + i] = pr->values[c % pr->n_values];
            c /= pr->n_values;
        }
    }
    return MIG_OK;
}

/* ------------------------------------------------------------------ stage 3 --------- */

/* Moves the diagnostics of sub into ctx, each with status s. */
static void adopt_errors(mig_ctx *ctx, mig_ctx *sub, mig_status s)
{
    for (size_t i = 0; i < mig_ctx_n_errors(sub); i++) {
        mig_diag d = *mig_ctx_diag_at(sub, i);
        d.status = s;
        mig_ctx_add(ctx, &d);
    }
    mig_ctx_clear_errors(sub);
}

/* A problem of the scenario loaded with override ov, told at the sweep's own place: its
 * field and message when it is about the override ("--set ov"), else its whole text. */
static void report_sub(spec_reader *R, mig_status s, int id, const char *field, const mig_diag *d,
                       const char *set_file)
{
    if (!d->file || strcmp(d->file, set_file) != 0)
        report(R, s, id, field, "%s", d->text);
    else if (d->field)
        report(R, s, id, field, "%s: %s", d->field, d->message);
    else
        report(R, s, id, field, "%s", d->message);
}

/* 1 when d (the first problem of the scenario loaded with --set KEY=...) is about the
 * value: it names key as its field, at the override or nowhere, and is no unknown key. */
static int on_value(const mig_diag *d, const char *set_file, const char *key)
{
    return d->field && strcmp(d->field, key) == 0 && (!d->file || strcmp(d->file, set_file) == 0) &&
           strncmp(d->message, "unknown key", 11) != 0;
}

/* Loads the scenario with one override; on failure reports at node id (the value) or at
 * key_id when the problem is the key itself. Returns 0 when the value is accepted. */
static int check_value(spec_reader *R, const mig_sweep *s, const mig_sweep_param *p, const char *value,
                       int id, const char *field, int key_id, const char *key_field, mig_ctx *sub)
{
    char *ov = mig_asprintf("%s=%s", p->key, value), *set_file = mig_asprintf("--set %s=%s", p->key, value);
    const char *over[1];
    mig_config *cfg = NULL;
    mig_status st;
    int bad = 0;

    if (!ov || !set_file) {
        free(ov);
        free(set_file);
        report(R, MIG_ENOMEM, id, field, "out of memory");
        return -1;
    }
    over[0] = ov;
    st = mig_config_load(s->scenario, over, 1, sub, &cfg);
    if (st == MIG_OK && !mig_model_find(cfg->model))
        st = mig_config_diag(cfg, sub, MIG_ECONFIG, "model", "unknown model \"%s\"", cfg->model);
    if (st != MIG_OK) {
        const mig_diag *d0 = mig_ctx_diag_at(sub, 0);
        /* a problem with the value is one about the key's own field; anything else (an
         * unknown key, an index past a list's end) is about the key */
        int on_key = !d0 || !on_value(d0, set_file, p->key);
        for (size_t i = 0; i < mig_ctx_n_errors(sub); i++)
            report_sub(R, st, on_key ? key_id : id, on_key ? key_field : field, mig_ctx_diag_at(sub, i), set_file);
        mig_ctx_clear_errors(sub);
        bad = 1;
    }
    mig_config_destroy(&cfg);
    free(ov);
    free(set_file);
    return bad;
}

/* Stage 3: the scenario, then each parameter's values (its first bad value is reported). */
static void check_scenario(spec_reader *R, const mig_sweep *s, const param_nodes *pn, int scen_node)
{
    mig_ctx *sub = NULL;
    mig_config *cfg = NULL;
    FILE *f;
    mig_status st;

    f = fopen(s->scenario, "r");
    if (!f) {
        report(R, MIG_ENOINPUT, scen_node, "scenario", "cannot open \"%s\": %s", s->scenario,
               strerror(errno));
        return;
    }
    fclose(f);
    if (mig_ctx_create(&sub) != MIG_OK) {
        report(R, MIG_ENOMEM, 0, NULL, "out of memory");
        return;
    }
    st = mig_config_load(s->scenario, NULL, 0, sub, &cfg);
    if (st == MIG_OK && !mig_model_find(cfg->model))
        st = mig_config_diag(cfg, sub, MIG_ECONFIG, "model", "unknown model \"%s\"", cfg->model);
    mig_config_destroy(&cfg);
    if (st != MIG_OK) {
        adopt_errors(R->ctx, sub, st);
        if (!R->errors++)
            R->status = st;
        mig_ctx_destroy(&sub);
        return;
    }
    for (size_t i = 0; i < s->n_params; i++) {
        const mig_sweep_param *p = &s->params[i];
        char field[96], key_field[96];
        snprintf(key_field, sizeof key_field, "parameters[%zu].key", i);
        if (p->ranged) {
            char lo[64], hi[64];
            if (p->integer) {
                snprintf(lo, sizeof lo, "%.0f", p->min);
                snprintf(hi, sizeof hi, "%.0f", p->max);
            } else {
                fmt_num(p->min, lo, sizeof lo);
                fmt_num(p->max, hi, sizeof hi);
            }
            snprintf(field, sizeof field, "parameters[%zu].min", i);
            if (check_value(R, s, p, lo, pn[i].min, field, pn[i].key, key_field, sub))
                continue;
            snprintf(field, sizeof field, "parameters[%zu].max", i);
            check_value(R, s, p, hi, pn[i].max, field, pn[i].key, key_field, sub);
            continue;
        }
        for (size_t j = 0; j < p->n_values; j++) {
            int item = node(R, pn[i].values)->data.sequence.items.start[j];
            snprintf(field, sizeof field, "parameters[%zu].values[%zu]", i, j);
            if (check_value(R, s, p, p->values[j], item, field, pn[i].key, key_field, sub))
                break;
        }
    }
    mig_ctx_destroy(&sub);
}

/* ------------------------------------------------------------------ public: load ---- */

mig_status mig_sweep_load(const char *path, mig_ctx *ctx, mig_sweep **out)
{
    spec_reader R = { 0 };
    mig_loc file_loc = { path, 0, 0 };
    yaml_parser_t parser;
    param_nodes *pn = NULL;
    mig_sweep *s = NULL;
    size_t len = 0;
    int err = 0, have_doc = 0, scen_node = 0;
    char *text;
    mig_status st = MIG_OK;
    yaml_node_t *root;

    *out = NULL;
    R.path = path;
    R.ctx = ctx;
    if (mig_file_read(path, &text, &len, &err) != MIG_OK)
        return mig_ctx_diag(ctx, err == ENOMEM ? MIG_ENOMEM : MIG_ENOINPUT, &file_loc, NULL, "cannot open: %s",
                            strerror(err));
    if (!yaml_parser_initialize(&parser)) {
        free(text);
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &R.doc)) {
        file_loc.line = parser.problem_mark.line + 1;
        file_loc.column = parser.problem_mark.column + 1;
        st = mig_ctx_diag(ctx, MIG_ECONFIG, &file_loc, NULL, "YAML syntax error: %s%s%s",
                          parser.problem ? parser.problem : "unknown problem", parser.context ? " " : "",
                          parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        free(text);
        return st;
    }
    yaml_parser_delete(&parser);
    free(text);
    have_doc = 1;
    root = yaml_document_get_root_node(&R.doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        st = mig_ctx_error(ctx, MIG_ECONFIG,
                           "%s: expected a mapping of sweep keys (scenario, replicates, parameters, ...)",
                           path);
        goto done;
    }
    s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    read_spec(&R, s, &pn, &scen_node);
    if (!R.errors && (!s->scenario || !s->output_dir))
        report(&R, MIG_ENOMEM, 0, NULL, "out of memory");
    if (!R.errors && expand(&R, s) != MIG_OK && !R.errors)
        R.errors = 1, R.status = MIG_ENOMEM;
    if (!R.errors)
        check_scenario(&R, s, pn, scen_node);
    st = R.errors ? R.status : MIG_OK;
done:
    if (have_doc)
        yaml_document_delete(&R.doc);
    free(pn);
    if (st != MIG_OK) {
        mig_sweep_destroy(&s);
        return st;
    }
    *out = s;
    return MIG_OK;
}

void mig_sweep_destroy(mig_sweep **p)
{
    mig_sweep *s;
    if (!MIG_TAKE(s, p))
        return;
    for (size_t i = 0; i < s->n_params; i++) {
        mig_free_strings(s->params[i].values, s->params[i].n_values);
        free(s->params[i].key);
    }
    mig_free_strings(s->owned_cells, s->n_owned);
    MIG_FREE_ALL(s->cell, s->params, s->scenario, s->output_dir, s->path, s);
}

/* ------------------------------------------------------------------ queries --------- */

uint64_t mig_sweep_runs(const mig_sweep *s)
{
    return (uint64_t)s->n_points * s->replicates;
}

uint64_t mig_sweep_seed(const mig_sweep *s, uint64_t point, uint64_t replicate)
{
    if (s->seeds == MIG_SWEEP_SEEDS_DISTINCT)
        return s->seed + point * s->replicates + replicate;
    return s->seed + replicate;
}

static int digits(uint64_t v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

void mig_sweep_output_name(const mig_sweep *s, uint64_t point, uint64_t replicate, char *buf, size_t n)
{
    int wp = digits(s->n_points ? s->n_points - 1 : 0), wr = digits(s->replicates - 1);
    if (snprintf(buf, n, "p%0*" PRIu64 "_r%0*" PRIu64 ".h5", wp < 3 ? 3 : wp, point, wr < 2 ? 2 : wr,
                 replicate) >= (int)n && n > 0)
        buf[n - 1] = '\0'; /* cannot happen with n >= 48 */
}

/* ------------------------------------------------------------------ the manifest ---- */

/* mkdir -p. Returns 0, or -1 with errno set. */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    int rc = 0;
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    for (char *c = p + 1; rc == 0; c++) {
        if (*c == '/' || *c == '\0') {
            char keep = *c;
            *c = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                rc = -1;
            *c = keep;
            if (!keep)
                break;
        }
    }
    if (rc == 0) {
        struct stat st;
        if (stat(path, &st) != 0)
            rc = -1;
        else if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            rc = -1;
        }
    }
    free(p);
    return rc;
}

/* target relative to base; both absolute and canonical (realpath). */
static char *rel_path(const char *target, const char *base)
{
    size_t common = 0, i = 0, up = 0, len;
    char *r, *w;
    if (strcmp(base, "/") == 0)
        return strdup(target[1] ? target + 1 : ".");
    /* the longest common prefix ending at a component boundary */
    for (;; i++) {
        int tb = target[i] == '/' || target[i] == '\0', bb = base[i] == '/' || base[i] == '\0';
        if (tb && bb)
            common = i;
        if (target[i] != base[i] || !target[i])
            break;
    }
    for (const char *c = base + common; *c; c++)
        up += *c == '/';
    len = up * 3 + strlen(target + common) + 2;
    r = w = malloc(len);
    if (!r)
        return NULL;
    for (size_t k = 0; k < up; k++, w += 3)
        memcpy(w, "../", 3);
    *w = '\0';
    if (target[common] == '/')
        strcat(w, target + common + 1);
    if (!*r)
        strcpy(r, ".");
    else if (r[strlen(r) - 1] == '/')
        r[strlen(r) - 1] = '\0';
    return r;
}

/* Writes one CSV cell, quoted when it must be (RFC 4180). */
static void put_cell(FILE *f, const char *s, int first)
{
    if (!first)
        fputc(',', f);
    if (strpbrk(s, ",\"\r\n") || *s == ' ' || *s == '#' || (*s && s[strlen(s) - 1] == ' ')) {
        fputc('"', f);
        for (const char *c = s; *c; c++) {
            if (*c == '"')
                fputc('"', f);
            fputc(*c, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

/* The manifest's header and rows, one per (point, replicate) in task order, with paths
 * relative to the manifest's folder (rel_scen, rel_out). Returns -1 when memory ran out. */
static int write_table(FILE *f, const mig_sweep *s, const char *rel_scen, const char *rel_out)
{
    char name[64];
    fputs("task,point,replicate,seed,scenario,output", f);
    for (size_t i = 0; i < s->n_params; i++)
        put_cell(f, s->params[i].key, 0);
    fputc('\n', f);
    for (uint64_t p = 0, task = 0; p < s->n_points; p++) {
        for (uint64_t r = 0; r < s->replicates; r++, task++) {
            char num[96], *out;
            mig_sweep_output_name(s, p, r, name, sizeof name);
            snprintf(num, sizeof num, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, task, p, r,
                     mig_sweep_seed(s, p, r));
            fputs(num, f);
            put_cell(f, rel_scen, 0);
            out = strcmp(rel_out, ".") == 0 ? strdup(name) : mig_asprintf("%s/%s", rel_out, name);
            if (!out)
                return -1;
            put_cell(f, out, 0);
            free(out);
            for (size_t i = 0; i < s->n_params; i++)
                put_cell(f, s->cell[p * s->n_params + i], 0);
            fputc('\n', f);
        }
    }
    return 0;
}

mig_status mig_sweep_write_manifest(const mig_sweep *s, const char *path, mig_ctx *ctx)
{
    char *mdir = mig_path_dir(path), *tmp = NULL, *rscen = NULL, *rout = NULL, *rel_scen = NULL,
         *rel_out = NULL;
    FILE *f = NULL;
    int fd = -1, made_tmp = 0;
    mig_status st = MIG_EIO;

    if (!mdir)
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
    rout = realpath(*mdir ? mdir : ".", NULL);
    if (!rout) {
        st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot create: %s: %s", path, mdir, strerror(errno));
        goto done;
    }
    free(mdir);
    mdir = rout;
    rout = NULL;
    if (make_dirs(s->output_dir) != 0) {
        st = mig_ctx_error(ctx, MIG_EIO, "%s: output_dir: cannot create folder \"%s\": %s", s->path,
                           s->output_dir, strerror(errno));
        goto done;
    }
    rscen = realpath(s->scenario, NULL);
    rout = realpath(s->output_dir, NULL);
    if (!rscen || !rout) {
        st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot resolve \"%s\": %s", s->path,
                           rscen ? s->output_dir : s->scenario, strerror(errno));
        goto done;
    }
    rel_scen = rel_path(rscen, mdir);
    rel_out = rel_path(rout, mdir);
    tmp = mig_asprintf("%s.tmp.%ld", path, (long)getpid());
    if (!rel_scen || !rel_out || !tmp) {
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0 || !(f = fdopen(fd, "w"))) {
        st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot create: %s", path, strerror(errno));
        goto done;
    }
    made_tmp = 1;
    fd = -1;
    if (write_table(f, s, rel_scen, rel_out)) {
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    if (fflush(f) != 0 || ferror(f) || (fsync(fileno(f)) != 0 && errno != EINVAL)) {
        st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot write: %s", path, strerror(errno));
        goto done;
    }
    if (fclose(f) != 0) {
        f = NULL;
        st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot write: %s", path, strerror(errno));
        goto done;
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot rename %s to it: %s", path, tmp, strerror(errno));
        goto done;
    }
    made_tmp = 0;
    st = MIG_OK;
done:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    if (made_tmp)
        unlink(tmp);
    MIG_FREE_ALL(tmp, mdir, rscen, rout, rel_scen, rel_out);
    return st;
}

/* ------------------------------------------------------------------ run --manifest -- */

static const char *const fixed_cols[] = { "task", "point", "replicate", "seed", "scenario", "output" };
#define N_FIXED 6

/* The manifest's header: the fixed columns in order, then distinct scenario keys. */
static mig_status check_manifest_header(const mig_csv *t, const char *manifest, mig_ctx *ctx)
{
    for (size_t c = 0; c < N_FIXED; c++)
        if (c >= t->n_cols || strcmp(t->header[c], fixed_cols[c]) != 0)
            return mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ manifest, 1, c + 1 }, NULL,
                                "expected column \"%s\", got \"%s\" (not a manifest written by migsim sweep?)",
                                fixed_cols[c], c < t->n_cols ? t->header[c] : "");
    for (size_t c = N_FIXED; c < t->n_cols; c++) {
        if (!good_key(t->header[c]))
            return mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ manifest, 1, c + 1 }, NULL,
                                "expected a scenario key, got \"%s\"", t->header[c]);
        for (size_t k = N_FIXED; k < c; k++)
            if (strcmp(t->header[k], t->header[c]) == 0)
                return mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ manifest, 1, c + 1 }, NULL,
                                    "column \"%s\" given twice", t->header[c]);
    }
    return MIG_OK;
}

/* Row task of the manifest: there, its numbers (into v: task, point, replicate, seed) whole,
 * its task column its own number, no value empty. */
static mig_status check_task_row(const mig_csv *t, uint64_t task, const char *manifest, uint64_t v[4], mig_ctx *ctx)
{
    char **cells;
    size_t line;
    if (task >= t->n_rows) {
        if (t->n_rows == 0)
            return mig_ctx_error(ctx, MIG_EUSAGE, "%s: task %" PRIu64 ": no such row (the manifest has no rows)",
                                 manifest, task);
        return mig_ctx_error(ctx, MIG_EUSAGE, "%s: task %" PRIu64 ": no such row (tasks 0..%zu)", manifest, task,
                             t->n_rows - 1);
    }
    cells = t->cells[task];
    line = t->line[task];
    for (size_t c = 0; c < 4; c++)
        if (parse_u64(cells[c], &v[c]) != 0)
            return mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ manifest, line, c + 1 }, fixed_cols[c],
                                "expected a non-negative integer, got \"%s\"", cells[c]);
    if (v[0] != task)
        return mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ manifest, line, 1 }, "task",
                            "expected %" PRIu64 " (rows in task order from 0), got \"%s\"", task, cells[0]);
    for (size_t c = 4; c < t->n_cols; c++)
        if (!cells[c][0])
            return mig_ctx_diag(ctx, MIG_EDATA, &(mig_loc){ manifest, line, c + 1 }, t->header[c], "empty value");
    return MIG_OK;
}

/* The run of row task (numbers v): its paths resolved against the manifest's folder, its
 * overrides the swept keys' values, then the seed. MIG_ENOMEM is its only failure. */
static mig_status make_row(const mig_csv *t, uint64_t task, const uint64_t v[4], const char *manifest,
                           mig_sweep_row **out)
{
    char **cells = t->cells[task], *mdir = mig_path_dir(manifest);
    mig_sweep_row *row = calloc(1, sizeof *row);
    mig_status st = MIG_ENOMEM;

    if (!mdir || !row)
        goto done;
    row->task = v[0];
    row->point = v[1];
    row->replicate = v[2];
    row->seed = v[3];
    row->scenario = mig_path_resolve(mdir, cells[4]);
    row->output = mig_path_resolve(mdir, cells[5]);
    row->set = calloc(t->n_cols - N_FIXED + 1, sizeof *row->set);
    if (!row->scenario || !row->output || !row->set)
        goto done;
    for (size_t c = N_FIXED; c < t->n_cols; c++)
        if (!(row->set[row->n_set++] = mig_asprintf("%s=%s", t->header[c], cells[c])))
            goto done;
    if ((row->set[row->n_set++] = mig_asprintf("seed=%" PRIu64, row->seed)))
        st = MIG_OK;
done:
    free(mdir);
    if (st == MIG_OK)
        *out = row;
    else
        mig_sweep_row_destroy(&row);
    return st;
}

mig_status mig_sweep_task(const char *manifest, const char *task_text, mig_ctx *ctx, mig_sweep_row **out)
{
    const char *src = task_text ? "--task" : "SLURM_ARRAY_TASK_ID";
    const char *text = task_text ? task_text : getenv("SLURM_ARRAY_TASK_ID");
    mig_csv *t = NULL;
    uint64_t task, v[4];
    mig_status st;

    *out = NULL;
    if (!text || !*text)
        return mig_ctx_error(ctx, MIG_EUSAGE,
                             "%s: no task number: give --task N or set SLURM_ARRAY_TASK_ID", manifest);
    if (parse_u64(text, &task) != 0)
        return mig_ctx_error(ctx, MIG_EUSAGE, "%s: expected a task number (0, 1, 2, ...), got \"%s\"",
                             src, text);
    if ((st = mig_csv_read(manifest, ctx, &t)) != MIG_OK)
        return st;
    if ((st = check_manifest_header(t, manifest, ctx)) == MIG_OK &&
        (st = check_task_row(t, task, manifest, v, ctx)) == MIG_OK &&
        (st = make_row(t, task, v, manifest, out)) != MIG_OK)
        mig_ctx_error(ctx, st, "%s: out of memory", manifest);
    mig_csv_destroy(&t);
    return st;
}

void mig_sweep_row_destroy(mig_sweep_row **p)
{
    mig_sweep_row *r;
    if (!MIG_TAKE(r, p))
        return;
    mig_free_strings(r->set, r->n_set);
    MIG_FREE_ALL(r->scenario, r->output, r);
}

mig_status mig_sweep_rows(const char *manifest, mig_ctx *ctx, mig_sweep_row ***rows, size_t *n)
{
    mig_csv *t = NULL;
    mig_sweep_row **r = NULL;
    uint64_t v[4];
    mig_status st;

    *rows = NULL;
    *n = 0;
    if ((st = mig_csv_read(manifest, ctx, &t)) != MIG_OK)
        return st;
    if ((st = check_manifest_header(t, manifest, ctx)) != MIG_OK)
        goto done;
    if (t->n_rows == 0) {
        st = mig_ctx_error(ctx, MIG_EDATA, "%s: no rows (a header and no runs)", manifest);
        goto done;
    }
    if (!(r = calloc(t->n_rows, sizeof *r))) {
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", manifest);
        goto done;
    }
    for (size_t task = 0; st == MIG_OK && task < t->n_rows; task++)
        if ((st = check_task_row(t, task, manifest, v, ctx)) == MIG_OK &&
            (st = make_row(t, task, v, manifest, &r[task])) != MIG_OK)
            mig_ctx_error(ctx, st, "%s: out of memory", manifest);
done:
    if (st == MIG_OK) {
        *rows = r;
        *n = t->n_rows;
    } else {
        mig_sweep_rows_destroy(&r, t->n_rows);
    }
    mig_csv_destroy(&t);
    return st;
}

void mig_sweep_rows_destroy(mig_sweep_row ***rows, size_t n)
{
    if (!rows || !*rows)
        return;
    for (size_t i = 0; i < n; i++)
        mig_sweep_row_destroy(&(*rows)[i]);
    free(*rows);
    *rows = NULL;
}
