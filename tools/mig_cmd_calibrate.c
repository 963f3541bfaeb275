/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_cmd_calibrate.c: `migsim calibrate SCENARIO.yaml -o FITTED.yaml`: fits a scenario
 * of a model that declares a fit table (sim/mig_fit.h) to the model's record. Each round
 * runs the model's matching steps the command line asks for (e.g. --levels), then fits the
 * --param keys with GSL's Nelder-Mead simplex (gsl_multimin_fminimizer_nmsimplex2) on the
 * model's objective, logit-transformed within their bounds; after the last round the steps
 * run again in reverse order. A matching step that does not lower the objective is undone,
 * the simplex never ends worse than it started, and the fitted scenario gets the values of
 * the best whole-scenario run. Runs are in process (no output file), at a reduced scale if
 * asked. The fitted values are written into a copy of the scenario text, in place of the
 * old ones (comments kept), with a `calibration` record: date, command, objective, the
 * model's measures, every parameter. */
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mig_config.h"
#include "mig_cmd.h"
#include "mig_ctx.h"
#include "mig_date.h"
#include "mig_abc.h"
#include "mig_fit.h"
#include "mig_keypath.h"
#include "mig_model.h"
#include "mig_util.h"
#include "mig_world.h"

int mig_cmd_calibrate_main(int argc, char **argv);

#define MAX_KEYS MIG_FIT_MAX_KEYS

/* A --param: one value written to one or more scenario keys, fitted by the simplex. */
typedef struct param {
    char *keys[MAX_KEYS];
    size_t n_keys;
    double lo, hi, value;
} param;

/* One of the model's matching steps, with its groups when the command line asked for it. */
typedef struct step {
    const mig_fit_step_ops *ops;
    mig_fit_group *groups;    /* owned [n_groups] */
    size_t n_groups;
} step;

typedef struct mig_fit_session cal;

struct mig_fit_session {
    const char *scenario;
    char *text;               /* the scenario file */
    const mig_config *cfg0;   /* the scenario as written (locations of the keys) */
    const char *const *user_set;
    size_t n_user_set;
    char scale_set[64], days_set[64];
    char seed_set[48];        /* --abc: each run's seed ("seed=N"), else empty */
    param *simplex;
    size_t n_simplex;
    const mig_fit_ops *fit;   /* the model's */
    void *fit_state;          /* the record and the last run (fit->open) */
    void *val_state;          /* --validate: the record over its window and the validation run */
    char val_days_set[64];
    mig_fit_measures val_m;   /* of the validation run */
    char val_window[32];      /* YYYY-MM/YYYY-MM */
    step *steps;              /* [fit->n_steps] */
    const mig_fit_group *probe_groups; /* mig_fit_probe: these groups keep only their keys of */
    int probe;                /* this slot (the rest 0) */
    mig_ctx *ctx;
    unsigned evals, max_evals;
    mig_status err;
    mig_fit_measures fit_m;   /* of the last evaluation */
    double best;              /* best simplex objective so far */
    double *best_value;       /* [n_simplex] values at best */
    double current;           /* objective of the current values (NAN: not evaluated) */
    double *before;           /* [n_values] the values before a matching step */
    size_t n_values;
    int quiet;
    double t0;
    mig_fit_session *parent;  /* --abc --jobs: a worker's, whose evals count every worker's runs; else NULL */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}


/* ---- values in the scenario text --------------------------------------------------- */

/* The scalar written at a key: its byte offset and length in the scenario text, from the
 * config index. Returns 0 and *off, *len; 1 when the key is not written in the file (a
 * default or a --set), 2 when it is written in another file (a package's file), 3 when no
 * value is there. No message: locate() and resolve_names() say what fits their use. */
static int find_value(const mig_config *cfg0, const char *text, const char *key, size_t *off, size_t *len)
{
    mig_loc loc = mig_config_loc(cfg0, key);
    size_t o = 0;
    if (!mig_config_has(cfg0, key) || loc.line < 1 || loc.column < 1)
        return 1;
    if (strcmp(loc.file, cfg0->path) != 0)
        return 2;
    for (unsigned long l = 1; l < loc.line && text[o]; o++)
        if (text[o] == '\n')
            l++;
    o += loc.column - 1;
    *off = o;
    /* a plain scalar ends at a comma, bracket or brace (flow style), a comment or the line end */
    for (*len = 0; text[o + *len] && !strchr(",]}\n\r#", text[o + *len]); (*len)++)
        ;
    while (*len && (text[o + *len - 1] == ' ' || text[o + *len - 1] == '\t'))
        (*len)--;
    return *len ? 0 : 3;
}

static mig_status locate(const mig_config *cfg0, const char *text, const char *key, size_t *off, size_t *len,
                         mig_ctx *ctx)
{
    const char *where = mig_config_where(cfg0, key);
    switch (find_value(cfg0, text, key, off, len)) {
    case 0:
        return MIG_OK;
    case 1:
        return mig_ctx_error(ctx, MIG_EUSAGE, "%s: %s is not written in the scenario file; write it there first",
                             cfg0->path, key);
    case 2:
        return mig_ctx_error(ctx, MIG_EUSAGE,
                             "%s: %s is written in another file (%s); calibrate rewrites only the scenario file",
                             cfg0->path, key, where);
    default:
        return mig_ctx_error(ctx, MIG_EUSAGE, "%s: %s: no value at %s", cfg0->path, key, where);
    }
}

static int append(char **s, size_t *n, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The index of the entry of list (a key path, e.g. "packages[3].interventions") whose
 * `name` is written in the scenario file as the nl bytes at name. */
static mig_status entry_index(const mig_config *cfg0, const char *text, const char *key, const char *list,
                              const char *name, size_t nl, long *out, mig_ctx *ctx)
{
    int elsewhere = 0;
    for (long i = 0;; i++) {
        size_t off, len;
        char *probe = mig_asprintf("%s[%ld].name", list, i);
        int f;
        if (!probe)
            return MIG_ENOMEM;
        f = mig_config_has(cfg0, probe) ? find_value(cfg0, text, probe, &off, &len) : -1;
        free(probe);
        if (f < 0)
            return mig_ctx_error(ctx, MIG_EUSAGE, "--param %s: %s has no entry named \"%.*s\"%s", key, list, (int)nl,
                                 name,
                                 elsewhere ? " in the scenario file (entries written in another file cannot be "
                                             "fitted: calibrate rewrites only the scenario file)"
                                           : "");
        elsewhere |= f == 2;
        if (f != 0)
            continue; /* a name written elsewhere: its entry cannot be fitted here anyway */
        if (len >= 2 && (text[off] == '"' || text[off] == '\'') && text[off + len - 1] == text[off]) {
            off++;
            len -= 2;
        }
        if (len == nl && !strncmp(text + off, name, nl)) {
            *out = i;
            return MIG_OK;
        }
    }
}

/* A key whose list entries are named, as --set allows (packages[tapachula-asylum].
 * interventions[haitians-wait].factor), with each name turned into the index of the entry
 * whose `name` is written so in the scenario file (packages[3].interventions[0].factor).
 * *out: the key with indices only (the caller frees it); NULL on failure. */
static mig_status resolve_names(const mig_config *cfg0, const char *text, const char *key, char **out, mig_ctx *ctx)
{
    char *r = NULL;
    size_t n = 0, cap = 0;
    mig_keypath kp;
    mig_status st = mig_keypath_parse(key, strlen(key), &kp);

    *out = NULL;
    for (size_t i = 0; st == MIG_OK && i < kp.n; i++) {
        const mig_keypath_step *sp = &kp.step[i];
        long idx = sp->index;
        if (sp->bad)
            st = mig_ctx_error(ctx, MIG_EUSAGE, "--param %s: bad index in the key", key);
        else if (append(&r, &n, &cap, "%s%s", i ? "." : "", sp->key))
            st = MIG_ENOMEM;
        else if (sp->name)
            st = entry_index(cfg0, text, key, r, sp->name, strlen(sp->name), &idx, ctx);
        if (st == MIG_OK && idx >= 0 && append(&r, &n, &cap, "[%ld]", idx))
            st = MIG_ENOMEM;
    }
    if (st == MIG_OK && !r && !(r = strdup(key)))
        st = MIG_ENOMEM;
    mig_keypath_free(&kp);
    if (st != MIG_OK) {
        free(r);
        return st;
    }
    *out = r;
    return MIG_OK;
}

static mig_status value_of(const mig_config *cfg0, const char *text, const char *key, double *out, mig_ctx *ctx)
{
    size_t off, len;
    char buf[64], *end;
    mig_status st = locate(cfg0, text, key, &off, &len, ctx);
    if (st != MIG_OK)
        return st;
    if (len >= sizeof buf)
        return mig_ctx_error(ctx, MIG_EUSAGE, "%s: %s is not a number", cfg0->path, key);
    memcpy(buf, text + off, len);
    buf[len] = '\0';
    *out = strtod(buf, &end);
    if (*end || !isfinite(*out))
        return mig_ctx_error(ctx, MIG_EUSAGE, "%s: %s: \"%s\" is not a number", cfg0->path, key, buf);
    return MIG_OK;
}

/* ---- one evaluation ---------------------------------------------------------------- */

static double simplex_value(const param *p, double z)
{
    return p->lo + (p->hi - p->lo) / (1.0 + exp(-z));
}

/* Every fitted value (the steps' keys in step order, then the simplex parameters) copied
 * to or from dst; returns how many there are (dst NULL: only counts). */
static size_t snapshot_values(cal *c, double *dst, int restore)
{
    size_t n = 0;
    for (size_t k = 0; k < c->fit->n_steps; k++)
        for (size_t i = 0; i < c->steps[k].n_groups; i++) {
            mig_fit_group *p = &c->steps[k].groups[i];
            for (size_t j = 0; j < p->n_keys; j++, n++)
                if (dst) {
                    if (restore)
                        p->value[j] = dst[n];
                    else
                        dst[n] = p->value[j];
                }
        }
    for (size_t i = 0; i < c->n_simplex; i++, n++)
        if (dst) {
            if (restore)
                c->simplex[i].value = dst[n];
            else
                dst[n] = c->simplex[i].value;
        }
    return n;
}

/* The overrides of a run: the user's --set first (so the fitted values override them), the
 * scale and days, then every fitted key with its current value; *n how many, those from
 * index *n_fixed owned (free_overrides). */
static mig_status overrides(const cal *c, const char *days_set, char ***out, size_t *n, size_t *n_fixed)
{
    size_t k = 0, cap = c->n_user_set + 3;
    char **over, buf[512];
    *out = NULL;
    for (size_t i = 0; i < c->n_simplex; i++)
        cap += c->simplex[i].n_keys;
    for (size_t s = 0; s < c->fit->n_steps; s++)
        for (size_t i = 0; i < c->steps[s].n_groups; i++)
            cap += c->steps[s].groups[i].n_keys;
    if (!(over = calloc(cap, sizeof *over)))
        return MIG_ENOMEM;
    for (size_t i = 0; i < c->n_user_set; i++)
        over[k++] = (char *)c->user_set[i];
    over[k++] = (char *)c->scale_set;
    over[k++] = (char *)days_set;
    if (c->seed_set[0])
        over[k++] = (char *)c->seed_set;
    *n_fixed = k;
    for (size_t s = 0; s < c->fit->n_steps; s++)
        for (size_t i = 0; i < c->steps[s].n_groups; i++) {
            const mig_fit_group *p = &c->steps[s].groups[i];
            for (size_t j = 0; j < p->n_keys; j++) {
                int off = c->steps[s].groups == c->probe_groups && c->probe >= 0 && p->slot[j] != c->probe;
                snprintf(buf, sizeof buf, "%s=%.10g", p->keys[j], off ? 0.0 : p->value[j]);
                over[k++] = strdup(buf);
            }
        }
    for (size_t i = 0; i < c->n_simplex; i++)
        for (size_t j = 0; j < c->simplex[i].n_keys; j++) {
            snprintf(buf, sizeof buf, "%s=%.10g", c->simplex[i].keys[j], c->simplex[i].value);
            over[k++] = strdup(buf);
        }
    *out = over;
    *n = k;
    for (size_t i = *n_fixed; i < k; i++)
        if (!over[i])
            return MIG_ENOMEM;
    return MIG_OK;
}

static void free_overrides(char **over, size_t n, size_t n_fixed)
{
    for (size_t i = n_fixed; over && i < n; i++)
        free(over[i]);
    free(over);
}

/* Runs the scenario with the current values through days_set, measured against the record
 * in state (which keeps the run); on success *out its measures and a progress line. */
static mig_status run_current(cal *c, void *state, const char *days_set, const char *what, mig_fit_measures *out)
{
    size_t k = 0, n_fixed = 0;
    char **over = NULL, line[512];
    mig_fit_measures m;
    mig_status st = overrides(c, days_set, &over, &k, &n_fixed);
    cal *counter = c->parent ? c->parent : c;
    unsigned run = 0;
    if (st == MIG_OK) {
        mig_log_level level = c->ctx->level; /* the model's log lines at load: once, when the record opens */
        if (level == MIG_LOG_INFO)
            c->ctx->level = MIG_LOG_QUIET;
        st = c->fit->run(state, c->scenario, (const char *const *)over, k, c->ctx, &m);
        c->ctx->level = level;
#pragma omp atomic capture
        run = ++counter->evals;
    }
    if (st == MIG_OK) {
        *out = m;
        if (!c->quiet) {
            c->fit->describe(&m, line, sizeof line);
            fprintf(stderr, "calibrate: run %u (%s): %s  [%.0f s]\n", run, what, line, now_s() - c->t0);
        }
    }
    free_overrides(over, k, n_fixed);
    return st;
}

/* Runs the scenario with the current values; the model keeps the run, c->fit_m its measures. */
static mig_status evaluate(cal *c, const char *what)
{
    return run_current(c, c->fit_state, c->days_set, what, &c->fit_m);
}

/* ---- services for the model's matching steps (sim/mig_fit.h) ------------------------ */

const mig_config *mig_fit_scenario(const mig_fit_session *s) { return s->cfg0; }
mig_ctx *mig_fit_ctx(mig_fit_session *s) { return s->ctx; }
int mig_fit_quiet(const mig_fit_session *s) { return s->quiet; }

mig_status mig_fit_value(mig_fit_session *s, const char *key, double *out)
{
    return value_of(s->cfg0, s->text, key, out, s->ctx);
}

mig_status mig_fit_evaluate(mig_fit_session *s, const char *what) { return evaluate(s, what); }

mig_status mig_fit_probe(mig_fit_session *s, const mig_fit_group *groups, int slot, const char *what)
{
    mig_status st;
    s->probe_groups = groups;
    s->probe = slot;
    st = evaluate(s, what);
    s->probe_groups = NULL;
    s->probe = -1;
    return st;
}

void mig_fit_accept(mig_fit_session *s) { s->current = s->fit_m.objective; }

void mig_fit_save(mig_fit_session *s) { snapshot_values(s, s->before, 0); }

/* A matching step is kept only if it lowers the objective: c->fit_m is the run with the
 * stepped values; unless it beats c->current, c->before (saved by mig_fit_save before the
 * step) is put back. */
int mig_fit_settle(mig_fit_session *c, const char *what)
{
    if (c->fit_m.objective < c->current) {
        c->current = c->fit_m.objective;
        return 1;
    }
    if (!c->quiet)
        fprintf(stderr, "calibrate: %s: step undone (objective %.4f, not below %.4f)\n", what, c->fit_m.objective,
                c->current);
    snapshot_values(c, c->before, 1);
    return 0;
}

mig_status mig_fit_keep_if_better(mig_fit_session *c, const char *what, int *kept)
{
    mig_status st = evaluate(c, what);
    if (st != MIG_OK)
        return st;
    *kept = mig_fit_settle(c, what);
    return MIG_OK;
}

mig_status mig_fit_know_current(mig_fit_session *c, const char *what)
{
    mig_status st;
    if (!isnan(c->current))
        return MIG_OK;
    if ((st = evaluate(c, what)) != MIG_OK)
        return st;
    c->current = c->fit_m.objective;
    return MIG_OK;
}

/* ---- the simplex ------------------------------------------------------------------- */

static double objective(const gsl_vector *z, void *data)
{
    cal *c = data;
    mig_status st;
    if (c->err != MIG_OK)
        return GSL_POSINF;
    for (size_t i = 0; i < c->n_simplex; i++)
        c->simplex[i].value = simplex_value(&c->simplex[i], gsl_vector_get(z, i));
    st = evaluate(c, "simplex");
    if (st == MIG_ECONFIG) {
        /* values the scenario rejects (e.g. two probabilities summing past 1): a point
         * outside the feasible region, penalised so that the simplex turns back */
        if (!c->quiet)
            fprintf(stderr, "calibrate: run %u (simplex): rejected: %s\n", c->evals,
                    mig_ctx_n_errors(c->ctx) ? mig_ctx_error_at(c->ctx, 0) : "invalid values");
        mig_ctx_clear_errors(c->ctx);
        return 1e6;
    }
    if (st != MIG_OK) {
        c->err = st;
        return GSL_POSINF;
    }
    if (c->fit_m.objective < c->best) {
        c->best = c->fit_m.objective;
        for (size_t i = 0; i < c->n_simplex; i++)
            c->best_value[i] = c->simplex[i].value;
    }
    return c->fit_m.objective;
}

static mig_status run_simplex(cal *c, unsigned budget)
{
    gsl_multimin_function f = { objective, c->n_simplex, c };
    gsl_multimin_fminimizer *m;
    gsl_vector *z, *step;
    unsigned start = c->evals;
    if (!c->n_simplex || !budget)
        return MIG_OK;
    m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, c->n_simplex);
    z = gsl_vector_alloc(c->n_simplex);
    step = gsl_vector_alloc(c->n_simplex);
    if (!m || !z || !step) {
        gsl_multimin_fminimizer_free(m);
        gsl_vector_free(z);
        gsl_vector_free(step);
        return MIG_ENOMEM;
    }
    /* the values as they are count as the best so far: the starting vertex can differ from
     * them (a value near a bound is moved inside before the logit), and the simplex must
     * not leave them worse than it found them */
    c->best = isnan(c->current) ? GSL_POSINF : c->current;
    for (size_t i = 0; i < c->n_simplex; i++) {
        param *p = &c->simplex[i];
        double t = (p->value - p->lo) / (p->hi - p->lo);
        t = t < 0.02 ? 0.02 : t > 0.98 ? 0.98 : t;
        gsl_vector_set(z, i, log(t / (1 - t)));
        gsl_vector_set(step, i, 0.7);
        c->best_value[i] = p->value;
    }
    if (gsl_multimin_fminimizer_set(m, &f, z, step) == GSL_SUCCESS)
        while (c->err == MIG_OK && c->evals - start < budget) {
            if (gsl_multimin_fminimizer_iterate(m) != GSL_SUCCESS)
                break;
            if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), 1e-3) == GSL_SUCCESS)
                break;
        }
    for (size_t i = 0; i < c->n_simplex; i++)
        c->simplex[i].value = c->best_value[i];
    if (isfinite(c->best))
        c->current = c->best; /* the objective of the values just restored */
    gsl_multimin_fminimizer_free(m);
    gsl_vector_free(z);
    gsl_vector_free(step);
    return c->err;
}

/* ---- the fitted scenario ----------------------------------------------------------- */

typedef struct edit {
    size_t off, len;
    char text[64];
} edit;

static int by_offset_desc(const void *a, const void *b)
{
    const edit *x = a, *y = b;
    return x->off < y->off ? 1 : x->off > y->off ? -1 : 0;
}

/* Appends printf text to a growing string. */
static int append(char **s, size_t *n, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0)
        return -1;
    if (*n + (size_t)k + 1 > *cap) {
        size_t nc = (*n + (size_t)k + 1) * 2;
        char *p = realloc(*s, nc);
        if (!p)
            return -1;
        *s = p;
        *cap = nc;
    }
    va_start(ap, fmt);
    vsnprintf(*s + *n, *cap - *n, fmt, ap);
    va_end(ap);
    *n += (size_t)k;
    return 0;
}

/* YAML double-quoted text. */
static void quote(char *dst, size_t cap, const char *s)
{
    size_t k = 0;
    if (cap < 3)
        return;
    dst[k++] = '"';
    for (; *s && k + 3 < cap; s++) {
        if (*s == '"' || *s == '\\')
            dst[k++] = '\\';
        dst[k++] = *s;
    }
    dst[k++] = '"';
    dst[k] = '\0';
}

/* Calls f for every fitted group of keys in the record's order: the steps' groups (values
 * per key; target per key or NULL), then the simplex parameters (values NULL: simplex
 * gives the value). Stops at the first nonzero return and returns it. */
typedef int (*fitted_fn)(const char *const *keys, const double *values, size_t n, const double *target,
                         const char *method, const param *simplex, void *data);
static int each_fitted(const cal *c, fitted_fn f, void *data)
{
    int r = 0;
    for (size_t k = 0; k < c->fit->n_steps && !r; k++)
        for (size_t i = 0; i < c->steps[k].n_groups && !r; i++) {
            const mig_fit_group *g = &c->steps[k].groups[i];
            r = f((const char *const *)g->keys, g->value, g->n_keys, c->steps[k].ops->has_target ? g->target : NULL,
                  c->steps[k].ops->method, NULL, data);
        }
    for (size_t i = 0; i < c->n_simplex && !r; i++)
        r = f((const char *const *)c->simplex[i].keys, NULL, c->simplex[i].n_keys, NULL, "simplex", &c->simplex[i],
              data);
    return r;
}

typedef struct edits {
    const cal *c;
    edit *e;
    size_t n, cap;
    mig_status st;
} edits;

static int add_edits(const char *const *keys, const double *values, size_t n, const double *target,
                     const char *method, const param *simplex, void *data)
{
    edits *E = data;
    (void)target;
    (void)method;
    for (size_t j = 0; j < n; j++) {
        edit *e;
        if (E->n == E->cap) {
            size_t cap = E->cap ? E->cap * 2 : 64;
            if (!(e = realloc(E->e, cap * sizeof *e))) {
                E->st = MIG_ENOMEM;
                return 1;
            }
            E->e = e;
            E->cap = cap;
        }
        e = &E->e[E->n++];
        if ((E->st = locate(E->c->cfg0, E->c->text, keys[j], &e->off, &e->len, E->c->ctx)) != MIG_OK)
            return 1;
        snprintf(e->text, sizeof e->text, "%.8g", values ? values[j] : simplex->value);
    }
    return 0;
}

/* The scenario text with every fitted value in place of the old one and without an earlier
 * calibration record (a top-level key, written last). */
static mig_status edited_text(const cal *c, char **s, size_t *n, size_t *cap)
{
    edits E = { c, NULL, 0, 0, MIG_OK };
    size_t len = strlen(c->text), cut = len, pos = 0;
    int ok = 1;
    if (each_fitted(c, add_edits, &E)) {
        free(E.e);
        return E.st;
    }
    if (E.n)
        qsort(E.e, E.n, sizeof *E.e, by_offset_desc);
    for (size_t o = 0; o < len; o = strchr(c->text + o, '\n') ? (size_t)(strchr(c->text + o, '\n') - c->text) + 1 : len)
        if (strncmp(c->text + o, "calibration:", 12) == 0) {
            cut = o;
            break;
        }
    for (size_t i = 0; i < E.n; i++)
        if (E.e[i].off + E.e[i].len > cut) {
            free(E.e);
            return mig_ctx_error(c->ctx, MIG_EUSAGE, "%s: a fitted key lies inside the old calibration record",
                                 c->cfg0->path);
        }
    /* front to back (the edits are sorted back to front) */
    for (size_t i = E.n; i-- > 0 && ok;) {
        ok &= append(s, n, cap, "%.*s%s", (int)(E.e[i].off - pos), c->text + pos, E.e[i].text) == 0;
        pos = E.e[i].off + E.e[i].len;
    }
    ok &= append(s, n, cap, "%.*s", (int)(cut - pos), c->text + pos) == 0;
    if (ok && *n && (*s)[*n - 1] != '\n')
        ok &= append(s, n, cap, "\n") == 0;
    free(E.e);
    return ok ? MIG_OK : MIG_ENOMEM;
}

typedef struct text {
    char *s;
    size_t n, cap;
} text;

static int add_record_params(const char *const *keys, const double *values, size_t n, const double *target,
                             const char *method, const param *simplex, void *data)
{
    text *t = data;
    char q[8192];
    for (size_t j = 0; j < n; j++) {
        int bad;
        quote(q, sizeof q, keys[j]);
        if (simplex)
            bad = append(&t->s, &t->n, &t->cap, "    - {key: %s, value: %.8g, method: %s, lo: %g, hi: %g}\n", q,
                         simplex->value, method, simplex->lo, simplex->hi);
        else if (target)
            bad = append(&t->s, &t->n, &t->cap, "    - {key: %s, value: %.8g, method: %s, target: %.4f}\n", q,
                         values[j], method, target[j]);
        else
            bad = append(&t->s, &t->n, &t->cap, "    - {key: %s, value: %.8g, method: %s}\n", q, values[j], method);
        if (bad)
            return 1;
    }
    return 0;
}

/* ---- the fitted numbers ------------------------------------------------------------ */

/* Fitted numbers, each one value: its keys joined by commas ("a,b,c": one value written at
 * three keys). */
typedef struct fitted_list {
    char **e;                 /* owned [n] */
    size_t n, cap;
} fitted_list;

static int fitted_push(fitted_list *l, char *entry)
{
    if (!entry)
        return -1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        char **e = realloc(l->e, cap * sizeof *e);
        if (!e) {
            free(entry);
            return -1;
        }
        l->e = e;
        l->cap = cap;
    }
    l->e[l->n++] = entry;
    return 0;
}

static void fitted_free(fitted_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->e[i]);
    free(l->e);
}

/* 1 if key is one of the comma-separated keys of entry. */
static int entry_has(const char *entry, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = entry; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (!strncmp(p, key, kl) && (p[kl] == ',' || !p[kl]))
            return 1;
    return 0;
}

/* each_fitted's callback: a step's keys one number each, a simplex parameter's keys one. */
static int add_fitted(const char *const *keys, const double *values, size_t n, const double *target,
                      const char *method, const param *simplex, void *data)
{
    fitted_list *l = data;
    char *joined = NULL;
    size_t len = 0, cap = 0;
    (void)values;
    (void)target;
    (void)method;
    for (size_t j = 0; j < n; j++)
        if (!simplex ? fitted_push(l, strdup(keys[j])) : append(&joined, &len, &cap, "%s%s", j ? "," : "", keys[j]))
            return 1;
    return simplex ? fitted_push(l, joined) : 0;
}

/* The previous record's fitted numbers: its `fitted` list; a record without one, its
 * parameters, consecutive simplex entries with the same value and bounds as one. */
static int previous_fitted(const mig_calibration_cfg *r, fitted_list *l)
{
    if (r->fitted) {
        for (uint32_t i = 0; i < r->n_fitted; i++)
            if (fitted_push(l, strdup(r->fitted[i])))
                return -1;
        return 0;
    }
    for (uint32_t i = 0; i < r->n_parameters; i++) {
        const mig_calibration_param_cfg *p = &r->parameters[i], *q = i ? p - 1 : NULL;
        if (q && !strcmp(p->method, "simplex") && !strcmp(q->method, "simplex") && p->value == q->value &&
            p->lo == q->lo && p->hi == q->hi) {
            char *e = mig_asprintf("%s,%s", l->e[l->n - 1], p->key);
            if (!e)
                return -1;
            free(l->e[l->n - 1]);
            l->e[l->n - 1] = e;
        } else if (fitted_push(l, strdup(p->key))) {
            return -1;
        }
    }
    return 0;
}

/* Every number fitted by this calibration or by the scenario's previous record (the union):
 * the previous entries first, less the keys fitted now and those no longer in the scenario,
 * then this calibration's. */
static int fitted_union(const cal *c, fitted_list *out)
{
    fitted_list now = { 0 }, before = { 0 };
    int bad = each_fitted(c, add_fitted, &now) ||
              (c->cfg0->calibration && previous_fitted(c->cfg0->calibration, &before));
    for (size_t i = 0; i < before.n && !bad; i++) {
        char *joined = NULL, *save = NULL;
        size_t len = 0, cap = 0;
        for (char *k = strtok_r(before.e[i], ",", &save); k && !bad; k = strtok_r(NULL, ",", &save)) {
            int taken = !mig_config_has(c->cfg0, k);
            for (size_t j = 0; j < now.n && !taken; j++)
                taken = entry_has(now.e[j], k);
            for (size_t j = 0; j < out->n && !taken; j++)
                taken = entry_has(out->e[j], k);
            if (!taken)
                bad = append(&joined, &len, &cap, "%s%s", joined ? "," : "", k);
        }
        if (joined && !bad)
            bad = fitted_push(out, joined);
        else
            free(joined);
    }
    for (size_t i = 0; i < now.n && !bad; i++) {
        bad = fitted_push(out, now.e[i]);
        now.e[i] = NULL;
    }
    fitted_free(&now);
    fitted_free(&before);
    return bad ? -1 : 0;
}

/* The record's fitted_numbers and fitted list. */
static int append_fitted(const cal *c, text *t)
{
    fitted_list l = { 0 };
    char q[8192];
    int ok = fitted_union(c, &l) == 0;
    ok &= ok && append(&t->s, &t->n, &t->cap, "  fitted_numbers: %zu\n  fitted:%s\n", l.n, l.n ? "" : " []") == 0;
    for (size_t i = 0; i < l.n && ok; i++) {
        quote(q, sizeof q, l.e[i]);
        ok &= append(&t->s, &t->n, &t->cap, "    - %s\n", q) == 0;
    }
    fitted_free(&l);
    return ok;
}

/* ---- the validation ---------------------------------------------------------------- */

/* mig_fit_figure_fn: one figure as an entry of the record's validation.figures. */
static mig_status record_figure(void *data, const mig_fit_figure *f)
{
    text *t = data;
    char q[256];
    quote(q, sizeof q, f->label);
    return append(&t->s, &t->n, &t->cap,
                  "      - {table: %s, label: %s, observed: %.8g, simulated: %.8g, error: %.6g}\n", f->table, q,
                  f->observed, f->simulated, f->error)
               ? MIG_ENOMEM
               : MIG_OK;
}

/* The record's validation block: the window, the validation run's measures, its figures. */
static int append_validation(const cal *c, text *t)
{
    int ok = append(&t->s, &t->n, &t->cap, "  validation:\n    window: %s\n    objective: %.6g\n", c->val_window,
                    c->val_m.objective) == 0;
    for (size_t i = 0; i < c->val_m.n && ok; i++)
        ok &= append(&t->s, &t->n, &t->cap, "    %s: %.6g\n", c->val_m.key[i], c->val_m.value[i]) == 0;
    if (ok && c->fit->figures) {
        ok &= append(&t->s, &t->n, &t->cap, "    figures:\n") == 0;
        ok &= ok && c->fit->figures(c->val_state, record_figure, t) == MIG_OK;
    }
    return ok;
}

/* mig_fit_figure_fn: one figure as a line under the validation heading. */
static mig_status print_figure(void *data, const mig_fit_figure *f)
{
    (void)data;
    if (f->share)
        printf("  %-12s %-40s observed %8.2f%%  simulated %8.2f%%  %+7.2f points\n", f->table, f->label,
               100 * f->observed, 100 * f->simulated, 100 * f->error);
    else
        printf("  %-12s %-40s observed %9.0f  simulated %9.0f  %+7.1f%%\n", f->table, f->label, f->observed,
               f->simulated, 100 * f->error);
    return MIG_OK;
}

/* The calibration record: the run, the model's measures of the last run, the validation
 * run's, the fitted numbers, every parameter. */
static int append_record(const cal *c, text *t, const char *command, double seconds, const char *window,
                         double scale)
{
    char date[16], q[8192];
    time_t now = time(NULL);
    struct tm tm;
    int ok;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    quote(q, sizeof q, command);
    ok = append(&t->s, &t->n, &t->cap,
                "calibration:                # written by migsim calibrate; not used by runs\n"
                "  date: %s\n"
                "  command: %s\n"
                "  window: %s\n"
                "  scale: %g\n"
                "  evaluations: %u\n"
                "  seconds: %.0f\n"
                "  objective: %.6g\n",
                date, q, window, scale, c->evals, seconds, c->fit_m.objective) == 0;
    for (size_t i = 0; i < c->fit_m.n && ok; i++)
        ok &= append(&t->s, &t->n, &t->cap, "  %s: %.6g\n", c->fit_m.key[i], c->fit_m.value[i]) == 0;
    if (ok && c->val_state)
        ok &= append_validation(c, t);
    ok &= ok && append_fitted(c, t);
    ok &= append(&t->s, &t->n, &t->cap, "  parameters:%s\n", c->n_values ? "" : " []") == 0;
    ok &= ok && each_fitted(c, add_record_params, t) == 0;
    ok &= append(&t->s, &t->n, &t->cap, "  note: \"%s\"\n", c->fit->note) == 0;
    return ok;
}

/* Writes text next to out (relative paths resolve there), checks that it loads, then
 * renames it to out. */
static mig_status write_checked(const cal *c, const char *out, const text *t)
{
    char tmp[4096];
    FILE *f;
    int ok;
    mig_status st;
    mig_config *check = NULL;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
    if (!(f = fopen(tmp, "w")))
        return mig_ctx_error(c->ctx, MIG_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    ok = fwrite(t->s, 1, t->n, f) == t->n;
    ok &= fclose(f) == 0;
    if (!ok) {
        remove(tmp);
        return mig_ctx_error(c->ctx, MIG_EIO, "%s: cannot write: %s", out, strerror(errno));
    }
    st = mig_config_load(tmp, NULL, 0, c->ctx, &check);
    mig_config_destroy(&check);
    if (st != MIG_OK) {
        remove(tmp);
        return mig_ctx_error(c->ctx, st, "%s: the fitted scenario does not load there (its paths are relative to "
                             "its folder: write it next to %s)", out, c->cfg0->path);
    }
    if (rename(tmp, out) != 0) {
        remove(tmp);
        return mig_ctx_error(c->ctx, MIG_EIO, "%s: cannot write: %s", out, strerror(errno));
    }
    return MIG_OK;
}

static mig_status write_fitted(const cal *c, const char *out, const char *command, double seconds,
                               const char *window, double scale)
{
    text t = { NULL, 0, 0 };
    mig_status st = edited_text(c, &t.s, &t.n, &t.cap);
    if (st == MIG_OK && !append_record(c, &t, command, seconds, window, scale))
        st = MIG_ENOMEM;
    if (st == MIG_OK)
        st = write_checked(c, out, &t);
    free(t.s);
    return st;
}


/* ---- command line ------------------------------------------------------------------ */

/* "KEY[,KEY...]=LO:HI" */
static int parse_param(const char *arg, param *p)
{
    const char *eq = strrchr(arg, '=');
    char keys[4096], *save = NULL, *k, *end;
    memset(p, 0, sizeof *p);
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof keys)
        return -1;
    memcpy(keys, arg, (size_t)(eq - arg));
    keys[eq - arg] = '\0';
    p->lo = strtod(eq + 1, &end);
    if (*end != ':')
        return -1;
    p->hi = strtod(end + 1, &end);
    if (*end || !(p->hi > p->lo))
        return -1;
    for (k = strtok_r(keys, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        if (p->n_keys == MAX_KEYS || !(p->keys[p->n_keys] = strdup(k)))
            return -1;
        p->n_keys++;
    }
    return p->n_keys ? 0 : -1;
}

static void free_params(param *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        for (size_t j = 0; j < p[i].n_keys; j++)
            free(p[i].keys[j]);
    free(p);
}

/* ---- the command ------------------------------------------------------------------- */

#define STEP_OPT 1000  /* getopt value of the first matching-step option */
#define MAX_STEP_OPTS 32

/* calibrate's command line */
typedef struct cal_args {
    const char *scenario, *out, *data, *window;
    const char *validate;     /* --validate, or NULL */
    char **sets;              /* [n_sets] --set texts (borrowed from argv) */
    size_t n_sets;
    param *simplex;           /* [n_simplex] --param */
    size_t n_simplex;
    const char *step_names[MAX_STEP_OPTS]; /* the step options of every model (option STEP_OPT + i) */
    size_t n_step_names;
    unsigned char want[MAX_STEP_OPTS]; /* 1: --step_names[i] given */
    int quiet, abc;           /* abc: --abc (sample the posterior of the scenario's priors) */
    long particles, generations;
    double abc_quantile;
    int max_evals_given;
    long rounds, threads, max_evals;
    long jobs;                /* --jobs: --abc runs at once (default 1) */
    double scale;
    int32_t first_month, last_month;
    int32_t val_first, val_last; /* --validate's months */
} cal_args;

/* The fixed options, then the matching steps of every model that can be calibrated
 * (--levels, ...), each once, into a->step_names. */
static void calibrate_options(cal_args *a, struct option *opts, size_t n_fixed)
{
    size_t n = 0;
    for (size_t i = 0; mig_model_at(i); i++) {
        const mig_fit_ops *f = mig_model_at(i)->fit;
        for (size_t k = 0; f && k < f->n_steps; k++) {
            size_t j = 0;
            while (j < n && strcmp(a->step_names[j], f->steps[k].option))
                j++;
            if (j == n && n < MAX_STEP_OPTS) {
                a->step_names[n] = f->steps[k].option;
                opts[n_fixed + n] = (struct option){ a->step_names[n], no_argument, NULL, STEP_OPT + (int)n };
                n++;
            }
        }
    }
    opts[n_fixed + n] = (struct option){ NULL, 0, NULL, 0 };
    a->n_step_names = n;
}

static void print_help(void)
{
    printf("Usage: migsim calibrate SCENARIO.yaml -o FITTED.yaml [--STEP]...\n"
           "        [--param KEY[,KEY...]=LO:HI]... [--scale S] [--window YYYY-MM:YYYY-MM] [--data DIR] [--max-evals N] [--rounds R]\n"
           "        [--validate YYYY-MM:YYYY-MM] [--threads N] [--set KEY=VALUE]... [-q]\n"
           "       migsim calibrate SCENARIO.yaml --abc -o DRAWS.csv [--particles N] [--generations G]\n"
           "        [--abc-quantile Q] [--max-evals N] [--scale S] [--window ...] [--data DIR] [--jobs J] [--threads N]\n"
           "        [--set ...]\n"
           "Fits a scenario to its model's record (--data, default the scenario's data folder):\n"
           "each --STEP runs one of the model's matching steps in every round; each --param is\n"
           "fitted with GSL's Nelder-Mead simplex within [LO, HI] on the model's objective over\n"
           "the window (default 2020-10:2023-09). Runs are in process at the model's scale S\n"
           "(agents per person, default 0.1). The fitted values and a `calibration` record are\n"
           "written into FITTED.yaml. --validate runs the fitted values once more and reports\n"
           "the measures over that window too (printed and recorded). --abc samples the\n"
           "posterior of the scenario's priors (ABC-SMC, the objective as distance): N draws\n"
           "(default 100) after G generations (default 4) at the Q quantile (default 0.5) into\n"
           "DRAWS.csv, its record into DRAWS.yaml; the scenario is not changed. --jobs J makes\n"
           "J runs at once (default 1), each with --threads threads (default 1 with --jobs, else\n"
           "all): on a machine of C cores, J = C; the draws are the same for any J. See README.md,\n"
           "\"Calibration\" and \"Posterior\". Models and their steps:\n");
    for (size_t i = 0; mig_model_at(i); i++) {
        const mig_fit_ops *f = mig_model_at(i)->fit;
        if (!f)
            continue;
        printf("  %-10s", mig_model_at(i)->name);
        for (size_t k = 0; k < f->n_steps; k++)
            printf(" --%s", f->steps[k].option);
        printf("  (scale: %s)\n", f->scale_key);
    }
}

/* One option (getopt's opt with optarg) into a; returns -1 when it is fine, else the
 * exit code (0 after --help). */
static int parse_option(cal_args *a, int opt, char **argv)
{
    char *end;
    switch (opt) {
    case 'o':
        a->out = optarg;
        return -1;
    case 'p':
        if (parse_param(optarg, &a->simplex[a->n_simplex++]))
            return mig_cmd_usage_error("calibrate", "--param %s: expected KEY[,KEY...]=LO:HI with LO < HI", optarg);
        return -1;
    case 'x':
        a->scale = strtod(optarg, &end);
        if (*end || !(a->scale > 0) || a->scale > 1e6)
            return mig_cmd_usage_error("calibrate", "--scale: expected agents per migrant in (0, 1e6], got \"%s\"",
                                       optarg);
        return -1;
    case 'w':
        a->window = optarg;
        return -1;
    case 'V':
        a->validate = optarg;
        return -1;
    case 'd':
        a->data = optarg;
        return -1;
    case 'm':
        a->max_evals = strtol(optarg, &end, 10);
        if (*end || a->max_evals < 0 || a->max_evals > 1000000)
            return mig_cmd_usage_error("calibrate", "--max-evals: expected a number of runs, got \"%s\"", optarg);
        a->max_evals_given = 1;
        return -1;
    case 'r':
        if (mig_cmd_parse_long(optarg, 1, 100, &a->rounds))
            return mig_cmd_usage_error("calibrate", "--rounds: expected 1 to 100, got \"%s\"", optarg);
        return -1;
    case 't':
        if (mig_cmd_parse_long(optarg, 1, 4096, &a->threads))
            return mig_cmd_usage_error("calibrate", "--threads: expected a positive integer, got \"%s\"", optarg);
        return -1;
    case 'S':
        a->sets[a->n_sets++] = optarg;
        return -1;
    case 'q':
        a->quiet = 1;
        return -1;
    case 'A':
        a->abc = 1;
        return -1;
    case 'P':
        if (mig_cmd_parse_long(optarg, 2, 100000, &a->particles))
            return mig_cmd_usage_error("calibrate", "--particles: expected 2 to 100000, got \"%s\"", optarg);
        return -1;
    case 'G':
        if (mig_cmd_parse_long(optarg, 0, MIG_ABC_MAX_GENERATIONS, &a->generations))
            return mig_cmd_usage_error("calibrate", "--generations: expected 0 to 32, got \"%s\"", optarg);
        return -1;
    case 'Q':
        a->abc_quantile = strtod(optarg, &end);
        if (*end || !(a->abc_quantile > 0 && a->abc_quantile < 1))
            return mig_cmd_usage_error("calibrate", "--abc-quantile: expected a fraction in (0, 1), got \"%s\"",
                                       optarg);
        return -1;
    case 'j':
        if (mig_cmd_parse_long(optarg, 1, 4096, &a->jobs))
            return mig_cmd_usage_error("calibrate", "--jobs: expected a positive integer, got \"%s\"", optarg);
        return -1;
    case 'h':
        print_help();
        return 0;
    default:
        if (opt >= STEP_OPT && opt < STEP_OPT + (int)a->n_step_names) {
            a->want[opt - STEP_OPT] = 1;
            return -1;
        }
        return mig_cmd_usage_error("calibrate", "unknown or incomplete option \"%s\"", argv[optind - 1]);
    }
}

/* The command line into a (whose sets and simplex hold argc + 1 entries); returns -1 when
 * the command is to run, else the exit code. */
static int parse_args(cal_args *a, int argc, char **argv)
{
    static const struct option fixed[] = {
        { "output", required_argument, NULL, 'o' },  { "param", required_argument, NULL, 'p' },
        { "scale", required_argument, NULL, 'x' },
        { "window", required_argument, NULL, 'w' },  { "data", required_argument, NULL, 'd' },
        { "validate", required_argument, NULL, 'V' },
        { "max-evals", required_argument, NULL, 'm' }, { "rounds", required_argument, NULL, 'r' },
        { "threads", required_argument, NULL, 't' }, { "set", required_argument, NULL, 'S' },
        { "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
        { "abc", no_argument, NULL, 'A' },           { "particles", required_argument, NULL, 'P' },
        { "generations", required_argument, NULL, 'G' }, { "abc-quantile", required_argument, NULL, 'Q' },
        { "jobs", required_argument, NULL, 'j' },
    };
    struct option longopts[sizeof fixed / sizeof fixed[0] + MAX_STEP_OPTS + 1];
    int opt, rc;

    memcpy(longopts, fixed, sizeof fixed);
    calibrate_options(a, longopts, sizeof fixed / sizeof fixed[0]);
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+o:t:qh", longopts, NULL)) != -1 || optind < argc) {
        if (opt != -1) {
            if ((rc = parse_option(a, opt, argv)) >= 0)
                return rc;
        } else if (a->scenario) {
            return mig_cmd_usage_error("calibrate", "unexpected argument \"%s\"", argv[optind]);
        } else {
            a->scenario = argv[optind++];
        }
    }
    if (!a->scenario)
        return mig_cmd_usage_error("calibrate", "%s", "missing the scenario file");
    if (!a->out)
        return mig_cmd_usage_error("calibrate", "%s", "missing -o FITTED.yaml");
    if (mig_date_parse_months(a->window, ':', &a->first_month, &a->last_month))
        return mig_cmd_usage_error("calibrate", "--window: expected YYYY-MM:YYYY-MM, got \"%s\"", a->window);
    if (a->validate && mig_date_parse_months(a->validate, ':', &a->val_first, &a->val_last))
        return mig_cmd_usage_error("calibrate", "--validate: expected YYYY-MM:YYYY-MM, got \"%s\"", a->validate);
    if (a->jobs > 1 && !a->abc)
        return mig_cmd_usage_error("calibrate", "%s", "--jobs: only with --abc (the simplex and the matching steps "
                                   "make one run at a time; --threads gives each run threads)");
    return -1;
}

/* The fit table of the scenario's model; names the models that have one when it has none. */
static mig_status fit_of(const mig_config *cfg0, const char *scenario, mig_ctx *ctx, const mig_fit_ops **out)
{
    const mig_model_ops *m = mig_model_find(cfg0->model);
    char names[256] = "";
    *out = m ? m->fit : NULL;
    if (*out)
        return MIG_OK;
    for (size_t i = 0; mig_model_at(i); i++)
        if (mig_model_at(i)->fit && strlen(names) + strlen(mig_model_at(i)->name) + 5 < sizeof names) {
            if (*names)
                strcat(names, " or ");
            strcat(names, mig_model_at(i)->name);
        }
    return mig_ctx_error(ctx, MIG_ECONFIG, "%s: calibrate needs a scenario of model %s", scenario, names);
}

/* The days override of runs through the last day of the months [first, last] (the kind of
 * window, named so in messages), which the scenario's run must cover. */
static mig_status window_days(const cal *c, const char *kind, const char *name, int32_t first, int32_t last,
                              char *days_set, size_t size)
{
    const mig_config *cfg0 = c->cfg0;
    int32_t last_day = mig_date_from_parts((last + 1) / 12, (last + 1) % 12 + 1, 1) - 1;
    int32_t first_day = mig_date_from_parts(first / 12, first % 12 + 1, 1);
    long days = (long)last_day - cfg0->start_day + 1;
    if (first_day < cfg0->start_day || days > (long)cfg0->days)
        return mig_ctx_error(c->ctx, MIG_EUSAGE, "%s: the run (from %s, %u days) does not cover the %s %s",
                             c->scenario, cfg0->start_date, cfg0->days, kind, name);
    snprintf(days_set, size, "days=%ld", days);
    return MIG_OK;
}

/* The folder of the model's record: --data, else the scenario's data/ folder (owned). */
static char *record_dir(const cal_args *a)
{
    const char *slash = strrchr(a->scenario, '/');
    size_t dl = slash ? (size_t)(slash - a->scenario) : 0;
    return a->data ? strdup(a->data) : mig_asprintf("%.*s%sdata", (int)dl, a->scenario, dl ? "/" : "");
}

/* The model's record for the window and, with --validate, for the validation window
 * (each its own state: the fit never sees the validation window's), the runs' days and scale. */
static mig_status open_record(cal *c, const cal_args *a)
{
    const mig_config *cfg0 = c->cfg0;
    char *dir = record_dir(a);
    mig_world *w0 = NULL;
    mig_status st;
    if (!dir)
        return MIG_ENOMEM;
    if ((st = window_days(c, "window", a->window, a->first_month, a->last_month, c->days_set,
                          sizeof c->days_set)) == MIG_OK && a->validate)
        st = window_days(c, "validation window", a->validate, a->val_first, a->val_last, c->val_days_set,
                         sizeof c->val_days_set);
    /* the scenario's world (the network), for the record's names */
    if (st == MIG_OK && (st = mig_world_create(cfg0, c->ctx, &w0)) == MIG_OK)
        st = c->fit->open(cfg0, w0, dir, a->first_month, a->last_month, a->scale, c->ctx, &c->fit_state);
    if (st == MIG_OK && a->validate)
        st = c->fit->open(cfg0, w0, dir, a->val_first, a->val_last, a->scale, c->ctx, &c->val_state);
    mig_world_destroy(&w0);
    free(dir);
    snprintf(c->scale_set, sizeof c->scale_set, "%s=%.10g", c->fit->scale_key, a->scale);
    return st;
}

/* The model's record over the window once more, into *state (an --abc worker's), read
 * quietly (its log lines came when the session's opened). */
static mig_status reopen_record(cal *c, const cal_args *a, void **state)
{
    char *dir = record_dir(a);
    mig_log_level level = c->ctx->level;
    mig_world *w0 = NULL;
    mig_status st;
    if (!dir)
        return MIG_ENOMEM;
    c->ctx->level = MIG_LOG_QUIET;
    if ((st = mig_world_create(c->cfg0, c->ctx, &w0)) == MIG_OK)
        st = c->fit->open(c->cfg0, w0, dir, a->first_month, a->last_month, a->scale, c->ctx, state);
    c->ctx->level = level;
    mig_world_destroy(&w0);
    free(dir);
    return st;
}

/* The groups of each of the model's steps that the command line asks for. */
static mig_status build_steps(cal *c, const cal_args *a)
{
    if (!(c->steps = calloc(c->fit->n_steps ? c->fit->n_steps : 1, sizeof *c->steps)))
        return MIG_ENOMEM;
    for (size_t i = 0; i < a->n_step_names; i++) {
        size_t k = 0;
        while (k < c->fit->n_steps && strcmp(c->fit->steps[k].option, a->step_names[i]))
            k++;
        if (a->want[i] && k == c->fit->n_steps)
            return mig_ctx_error(c->ctx, MIG_EUSAGE, "%s: --%s: model %s has no such matching step", a->scenario,
                                 a->step_names[i], c->cfg0->model);
    }
    for (size_t k = 0; k < c->fit->n_steps; k++) {
        step *s = &c->steps[k];
        size_t i = 0;
        mig_status st;
        s->ops = &c->fit->steps[k];
        while (i < a->n_step_names && strcmp(a->step_names[i], s->ops->option))
            i++;
        if (i < a->n_step_names && a->want[i] &&
            (st = s->ops->build(c->fit_state, c, &s->groups, &s->n_groups)) != MIG_OK)
            return st;
    }
    return MIG_OK;
}

/* The scenario as written (locations of the keys), its model's fit table, the record over
 * the window, the run's days and scale, and the groups of the steps asked for. */
static mig_status open_scenario(cal *c, const cal_args *a, mig_config **cfg0)
{
    size_t len;
    int err;
    mig_status st;
    if (mig_file_read(a->scenario, &c->text, &len, &err) != MIG_OK)
        return mig_ctx_error(c->ctx, MIG_ENOINPUT, "%s: cannot open: %s", a->scenario, strerror(err));
    if ((st = mig_config_load(a->scenario, NULL, 0, c->ctx, cfg0)) != MIG_OK)
        return st;
    c->cfg0 = *cfg0;
    if ((st = fit_of(*cfg0, a->scenario, c->ctx, &c->fit)) != MIG_OK || (st = open_record(c, a)) != MIG_OK)
        return st;
    return build_steps(c, a);
}

/* An error if key is fitted by a matching step already. */
static mig_status fitted_already(const cal *c, const char *key)
{
    for (size_t k = 0; k < c->fit->n_steps; k++)
        for (size_t l = 0; l < c->steps[k].n_groups; l++)
            for (size_t m = 0; m < c->steps[k].groups[l].n_keys; m++)
                if (!strcmp(c->steps[k].groups[l].keys[m], key))
                    return mig_ctx_error(c->ctx, MIG_EUSAGE, "--param %s: fitted as a %s already", key,
                                         c->steps[k].ops->method);
    return MIG_OK;
}

/* The --param keys with their entry names turned into indices, each parameter starting
 * at its value in the scenario file (within [lo, hi]). */
static mig_status prepare_simplex(cal *c, const mig_config *cfg0)
{
    mig_status st;
    for (size_t i = 0; i < c->n_simplex; i++)
        for (size_t j = 0; j < c->simplex[i].n_keys; j++) {
            char *k;
            if ((st = resolve_names(cfg0, c->text, c->simplex[i].keys[j], &k, c->ctx)) != MIG_OK)
                return st;
            free(c->simplex[i].keys[j]);
            c->simplex[i].keys[j] = k;
        }
    for (size_t i = 0; i < c->n_simplex; i++) {
        param *p = &c->simplex[i];
        double v0 = 0.0;
        for (size_t j = 0; j < p->n_keys; j++) {
            double v = 0.0;
            if ((st = fitted_already(c, p->keys[j])) != MIG_OK)
                return st;
            if ((st = value_of(cfg0, c->text, p->keys[j], &v, c->ctx)) != MIG_OK)
                return st;
            if (!j)
                v0 = v;
        }
        p->value = v0 < p->lo ? p->lo : v0 > p->hi ? p->hi : v0;
    }
    return MIG_OK;
}

static void print_plan(const cal *c, const cal_args *a)
{
    fprintf(stderr, "calibrate: %s: ", a->scenario);
    for (size_t k = 0; k < c->fit->n_steps; k++)
        fprintf(stderr, "%zu %s%s, ", c->steps[k].n_groups, c->steps[k].ops->method,
                c->steps[k].n_groups == 1 ? "" : "s");
    fprintf(stderr, "%zu simplex parameter%s, window %s, scale %g, %d thread%s\n", c->n_simplex,
            c->n_simplex == 1 ? "" : "s", a->window, a->scale, c->ctx->threads, c->ctx->threads == 1 ? "" : "s");
}

/* Runs each step that has groups, in the model's order (reverse: backwards). */
static mig_status run_steps(cal *c, int reverse)
{
    for (size_t i = 0; i < c->fit->n_steps; i++) {
        step *s = &c->steps[reverse ? c->fit->n_steps - 1 - i : i];
        int it = reverse ? s->ops->final_iterations : s->ops->round_iterations;
        mig_status st;
        if (s->n_groups && (st = s->ops->match(c->fit_state, c, s->groups, s->n_groups, it)) != MIG_OK)
            return st;
    }
    return MIG_OK;
}

/* The fit: the values as given (a stage never leaves the scenario worse than it found
 * it), rounds of the model's matching steps and simplex, the steps again in reverse
 * order, a final run. */
static mig_status fit(cal *c, const cal_args *a)
{
    mig_status st;
    if (!(c->best_value = calloc(c->n_simplex ? c->n_simplex : 1, sizeof *c->best_value)))
        return MIG_ENOMEM;
    c->n_values = snapshot_values(c, NULL, 0);
    if (!(c->before = calloc(c->n_values ? c->n_values : 1, sizeof *c->before)))
        return MIG_ENOMEM;
    c->current = NAN;
    if (!c->quiet)
        print_plan(c, a);
    if ((st = evaluate(c, "start")) != MIG_OK)
        return st;
    c->current = c->fit_m.objective;
    for (long r = 0; r < a->rounds; r++)
        if ((st = run_steps(c, 0)) != MIG_OK || (st = run_simplex(c, (unsigned)(a->max_evals / a->rounds))) != MIG_OK)
            return st;
    if ((st = run_steps(c, 1)) != MIG_OK)
        return st;
    if (c->evals == 1)
        return MIG_OK; /* nothing ran after the start: its values and measures are the final ones */
    return evaluate(c, "final");
}

/* --validate: the final values run once more through the validation window, measured on it. */
static mig_status validate(cal *c, const cal_args *a)
{
    if (!c->val_state)
        return MIG_OK;
    snprintf(c->val_window, sizeof c->val_window, "%.7s/%.7s", a->validate, a->validate + 8);
    return run_current(c, c->val_state, c->val_days_set, "validation", &c->val_m);
}

/* The result on stdout: the objective over the window, then under a "validation" heading
 * the validation run's measures and figures. */
static mig_status print_result(const cal *c, const cal_args *a, double seconds)
{
    char summary[256];
    c->fit->summary(&c->fit_m, summary, sizeof summary);
    printf("%s: objective %.4f (%s) after %u runs in %.0f s at scale %g\n", a->out, c->fit_m.objective, summary,
           c->evals, seconds, a->scale);
    if (!c->val_state)
        return MIG_OK;
    c->fit->summary(&c->val_m, summary, sizeof summary);
    printf("validation %s: objective %.4f (%s)\n", c->val_window, c->val_m.objective, summary);
    return c->fit->figures ? c->fit->figures(c->val_state, print_figure, NULL) : MIG_OK;
}

/* ---- --abc: the posterior of the scenario's priors --------------------------------- */

/* The simulator of the sampler, on one of its workers (data: the workers, [0] the session
 * itself): the parameters into the worker's simplex values, one run with its own seed (the
 * scenario's seed + the run's number, modulo 2^64), the model's objective as the distance;
 * values the scenario rejects are a distance of +inf. */
static mig_status abc_distance(void *data, int worker, const double *theta, uint64_t run, double *dist)
{
    cal *c = ((cal **)data)[worker];
    mig_status st;
    for (size_t i = 0; i < c->n_simplex; i++)
        c->simplex[i].value = theta[i];
    snprintf(c->seed_set, sizeof c->seed_set, "seed=%llu", (unsigned long long)(c->cfg0->seed + run));
    st = evaluate(c, "abc");
    if (st == MIG_ECONFIG) {
        mig_ctx_clear_errors(c->ctx);
        *dist = INFINITY;
        return MIG_OK;
    }
    *dist = c->fit_m.objective;
    return st;
}

static void abc_progress(void *data, int g, double tol, size_t runs, size_t accepted)
{
    const cal *c = data;
    if (!c->quiet)
        fprintf(stderr, "calibrate: abc generation %d: tolerance %.4g, %zu accepted of %zu runs  [%.0f s]\n", g,
                tol, accepted, runs, now_s() - c->t0);
}

/* The priors as the simplex's parameters (keys resolved and checked as --param's). */
static mig_status abc_params(cal *c, const cal_args *a, mig_abc_prior *prior)
{
    const mig_config *cfg0 = c->cfg0;
    if (a->n_simplex || a->validate)
        return mig_ctx_error(c->ctx, MIG_EUSAGE, "--abc samples the scenario's priors: %s is not used with it",
                             a->n_simplex ? "--param" : "--validate");
    for (size_t k = 0; k < c->fit->n_steps; k++)
        if (c->steps[k].n_groups)
            return mig_ctx_error(c->ctx, MIG_EUSAGE, "--abc: --%s is not used with it", c->steps[k].ops->option);
    if (!cfg0->n_priors)
        return mig_ctx_error(c->ctx, MIG_EUSAGE, "%s: --abc needs a priors list in the scenario "
                             "(configs/corridor/README.md, \"Posterior\")", a->scenario);
    free(c->simplex); /* the command line's, empty */
    if (!(c->simplex = calloc(cfg0->n_priors, sizeof *c->simplex)))
        return MIG_ENOMEM;
    for (uint32_t i = 0; i < cfg0->n_priors; i++, c->n_simplex++) {
        const mig_prior_cfg *p = &cfg0->priors[i];
        char *text = mig_asprintf("%s=%.17g:%.17g", p->key, p->lo, p->hi);
        int bad = !text || parse_param(text, &c->simplex[i]);
        free(text);
        if (bad)
            return mig_ctx_error(c->ctx, MIG_ECONFIG, "%s: priors[%u].key: expected KEY[,KEY...], got \"%s\"",
                                 a->scenario, i, p->key);
        prior[i] = (mig_abc_prior){ p->lo, p->hi, !strcmp(p->distribution, "log-uniform") };
    }
    return prepare_simplex(c, cfg0);
}

/* The files: -o FILE.csv (the draws) and FILE.yaml (the record). */
static mig_status abc_write(cal *c, const cal_args *a, const mig_abc_result *r, const mig_abc_settings *set,
                            const mig_abc_prior *prior, const char *command, const char *window)
{
    size_t n = c->n_simplex, len = strlen(a->out);
    const char **names = calloc(3 * n, sizeof *names);
    char *yaml = mig_asprintf("%.*s.yaml", (int)(len - 4), a->out), date[16];
    time_t now = time(NULL);
    struct tm tm;
    mig_status st = MIG_ENOMEM;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    if (names && yaml) {
        mig_abc_meta m = { a->scenario, command, window, date, c->fit->note, a->scale, now_s() - c->t0,
                           names, names + n, names + 2 * n };
        for (size_t i = 0; i < n; i++) {
            names[i] = c->cfg0->priors[i].key;
            names[n + i] = c->cfg0->priors[i].distribution;
            names[2 * n + i] = c->cfg0->priors[i].basis;
        }
        st = mig_abc_write(a->out, yaml, r, set, prior, &m, c->ctx);
    }
    free(names);
    free(yaml);
    return st;
}

static void abc_worker_free(cal **p)
{
    cal *w = *p;
    if (!w)
        return;
    if (w->fit_state)
        w->fit->close(&w->fit_state);
    mig_ctx_destroy(&w->ctx);
    free(w->simplex);
    free(w);
    *p = NULL;
}

/* A worker of --jobs: a copy of c with simplex values, a seed, a context (errors, the
 * model's memo) and the model's record and last run of its own; the rest (the scenario,
 * its keys, the --set texts) c's, only read. */
static mig_status abc_worker(cal *c, const cal_args *a, cal **out)
{
    cal *w = malloc(sizeof *w);
    mig_status st = MIG_ENOMEM;
    *out = NULL;
    if (!w)
        return MIG_ENOMEM;
    *w = *c;
    w->parent = c;
    w->fit_state = w->val_state = NULL;
    w->ctx = NULL;
    if ((w->simplex = malloc(c->n_simplex * sizeof *w->simplex)) && (st = mig_ctx_create(&w->ctx)) == MIG_OK) {
        memcpy(w->simplex, c->simplex, c->n_simplex * sizeof *w->simplex);
        w->ctx->level = c->ctx->level;
        w->ctx->threads = c->ctx->threads;
        w->ctx->max_memory = c->ctx->max_memory;
        st = reopen_record(c, a, &w->fit_state);
    }
    if (st != MIG_OK)
        abc_worker_free(&w);
    *out = w;
    return st;
}

/* --abc: the sampler on n workers (w[0] is c); a worker's problems into c's context. */
static mig_status abc_sample(cal *c, const cal_args *a, const mig_abc_prior *prior, const mig_abc_settings *set,
                             mig_abc_result *r)
{
    int n = set->jobs > 1 ? set->jobs : 1;
    cal **w = calloc((size_t)n, sizeof *w);
    mig_status st = w ? MIG_OK : MIG_ENOMEM;
    if (st == MIG_OK)
        w[0] = c;
    for (int i = 1; i < n && st == MIG_OK; i++)
        st = abc_worker(c, a, &w[i]);
    if (st == MIG_OK)
        st = mig_abc_run(prior, c->n_simplex, set, abc_distance, w, abc_progress, c, r);
    for (int i = 1; w && i < n; i++) {
        for (size_t k = 0; w[i] && k < mig_ctx_n_errors(w[i]->ctx); k++)
            if (mig_ctx_add(c->ctx, mig_ctx_diag_at(w[i]->ctx, k)) != MIG_OK)
                st = MIG_ENOMEM;
        abc_worker_free(&w[i]);
    }
    free(w);
    return st;
}

/* --abc: samples the posterior of the priors and writes it; the scenario is not changed. */
static mig_status abc(cal *c, const cal_args *a, const char *command, const char *window)
{
    mig_abc_prior prior[64];
    mig_abc_settings set = { (size_t)a->particles, (int)a->generations, a->abc_quantile,
                             a->max_evals_given ? (size_t)a->max_evals : 0, c->cfg0->seed, (int)a->jobs };
    mig_abc_result r;
    size_t len = strlen(a->out);
    mig_status st;
    if (len < 5 || strcmp(a->out + len - 4, ".csv"))
        return mig_ctx_error(c->ctx, MIG_EUSAGE, "--abc: expected -o FILE.csv (the draws; FILE.yaml gets the "
                             "record), got \"%s\"", a->out);
    {
        char *dir = mig_asprintf("%.*s", strrchr(a->out, '/') ? (int)(strrchr(a->out, '/') - a->out) + 1 : 0, a->out);
        int ok = dir && access(*dir ? dir : ".", W_OK) == 0;
        free(dir);
        if (!ok)
            return mig_ctx_error(c->ctx, MIG_EIO, "%s: cannot write there: %s", a->out, strerror(errno));
    }
    if (c->cfg0->n_priors > 64)
        return mig_ctx_error(c->ctx, MIG_EUSAGE, "--abc: at most 64 priors");
    if ((st = abc_params(c, a, prior)) != MIG_OK)
        return st;
    if (!c->quiet)
        fprintf(stderr, "calibrate: abc: %zu priors, %zu particles, %d generations at the %g quantile, window %s, "
                "scale %g, %d run%s at once of %d thread%s\n", c->n_simplex, set.particles, set.generations,
                set.quantile, a->window, a->scale, set.jobs, set.jobs == 1 ? "" : "s", c->ctx->threads,
                c->ctx->threads == 1 ? "" : "s");
    if (set.jobs > 1 && c->ctx->threads > 1)
        omp_set_max_active_levels(2); /* each run's own threads inside the workers' */
    st = abc_sample(c, a, prior, &set, &r);
    if (st == MIG_EUSAGE && !mig_ctx_n_errors(c->ctx))
        return mig_ctx_error(c->ctx, MIG_EUSAGE, "--abc: --max-evals %ld ends the sampling before the first "
                             "generation is whole", a->max_evals);
    if (st != MIG_OK)
        return st;
    st = abc_write(c, a, &r, &set, prior, command, window);
    if (st == MIG_OK) {
        printf("%s: %zu draws, generation %d (tolerance %.4g) after %zu runs in %.0f s at scale %g\n", a->out,
               set.particles, r.generations, r.tolerance[r.generations], r.total_runs, now_s() - c->t0, a->scale);
        for (size_t i = 0; i < c->n_simplex; i++) {
            double mean, sd;
            mig_abc_moments(&r, i, &mean, &sd);
            printf("  %s: %.6g +- %.3g\n", c->cfg0->priors[i].key, mean, sd);
        }
    }
    mig_abc_result_free(&r);
    return st;
}

static void free_cal(cal *c)
{
    free_params(c->simplex, c->n_simplex);
    for (size_t k = 0; c->steps && k < c->fit->n_steps; k++) {
        for (size_t i = 0; i < c->steps[k].n_groups; i++)
            for (size_t j = 0; j < c->steps[k].groups[i].n_keys; j++)
                free(c->steps[k].groups[i].keys[j]);
        free(c->steps[k].groups);
    }
    free(c->steps);
    if (c->fit) {
        c->fit->close(&c->fit_state);
        c->fit->close(&c->val_state);
    }
    free(c->best_value);
    free(c->before);
    free(c->text);
}

int mig_cmd_calibrate_main(int argc, char **argv)
{
    cal_args a = { .window = "2020-10:2023-09", .rounds = 2, .max_evals = 200, .scale = 0.1, .particles = 100,
                   .generations = 4, .abc_quantile = 0.5, .jobs = 1 };
    char *command = NULL, wtext[32];
    double t0 = now_s();
    int rc;
    mig_ctx *ctx = NULL;
    mig_config *cfg0 = NULL;
    mig_status st;
    cal c;

    memset(&c, 0, sizeof c);
    gsl_set_error_handler_off();
    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    a.simplex = calloc((size_t)argc + 1, sizeof *a.simplex);
    if (!a.sets || !a.simplex)
        rc = mig_status_exit_code(MIG_ENOMEM);
    else if ((rc = parse_args(&a, argc, argv)) < 0 && !(command = mig_cmd_line("migsim", argc, argv)))
        rc = mig_status_exit_code(MIG_ENOMEM);
    else if (rc < 0 && (st = mig_ctx_create(&ctx)) != MIG_OK)
        rc = mig_status_exit_code(st);
    if (rc >= 0)
        goto done;
    ctx->level = a.quiet ? MIG_LOG_QUIET : MIG_LOG_INFO;
    /* with --jobs, each of the runs at once has one thread unless --threads says otherwise */
    ctx->threads = a.threads > 0 ? (int)a.threads : a.jobs > 1 ? 1 : omp_get_max_threads();
    c = (cal){ .ctx = ctx, .scenario = a.scenario, .user_set = (const char *const *)a.sets,
               .n_user_set = a.n_sets, .t0 = t0, .err = MIG_OK, .probe = -1, .simplex = a.simplex,
               .n_simplex = a.n_simplex, .quiet = a.quiet };
    a.simplex = NULL;
    snprintf(wtext, sizeof wtext, "%.7s/%.7s", a.window, a.window + 8);
    if (a.abc) {
        if ((st = open_scenario(&c, &a, &cfg0)) != MIG_OK || (st = abc(&c, &a, command, wtext)) != MIG_OK)
            rc = mig_ctx_report(ctx, st, stderr);
        else
            rc = 0;
        goto done;
    }
    if ((st = open_scenario(&c, &a, &cfg0)) != MIG_OK || (st = prepare_simplex(&c, cfg0)) != MIG_OK ||
        (st = fit(&c, &a)) != MIG_OK || (st = validate(&c, &a)) != MIG_OK ||
        (st = write_fitted(&c, a.out, command, now_s() - t0, wtext, a.scale)) != MIG_OK ||
        (st = print_result(&c, &a, now_s() - t0)) != MIG_OK) {
        rc = mig_ctx_report(ctx, st, stderr);
        goto done;
    }
    rc = 0;
done:
    free_params(a.simplex, a.n_simplex);
    free_cal(&c);
    mig_config_destroy(&cfg0);
    mig_ctx_destroy(&ctx);
    free(command);
    free(a.sets);
    return rc;
}
