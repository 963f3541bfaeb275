/* mig_cmd_calibrate.c: `migsim calibrate SCENARIO.yaml -o FITTED.yaml`: fits a corridor
 * scenario to the observed monthly encounters. Each nationality's level (its hazard base
 * rates and forcing scales) is matched to its observed total over the window by ratio
 * updates; the --param keys are fitted with GSL's Nelder-Mead simplex
 * (gsl_multimin_fminimizer_nmsimplex2) on the objective
 *     MAPE / 0.15 + citizenship error / 0.15 + share error / 0.05 + 4 x band excess
 * (each measure over its target: 3 or less means all three means are within target; the
 * share error covers the sectors' shares of USBP encounters and the ports' share of all;
 * the band excess is how far the values outside their bands lie beyond them, in targets).
 * A matching step that does not lower the objective is undone, the simplex never ends worse
 * than it started, and the fitted scenario gets the values of the best whole-scenario run.
 * Runs are in process (no output file), at a reduced scale if asked. The fitted values are
 * written into a copy of the scenario text, in place of the old ones (comments kept), with
 * a `calibration` record: date, command, objective, fit measures, every parameter. */
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
#include "mig_keypath.h"
#include "mig_model_corridor.h"
#include "mig_util.h"
#include "mig_world.h"

int mig_cmd_calibrate_main(int argc, char **argv);

#define MAX_KEYS 64

/* A fitted quantity: one value written to one or more scenario keys. */
typedef struct param {
    char *keys[MAX_KEYS];
    size_t n_keys;
    double lo, hi, value;
    int level;                /* 1: a nationality's level (values are per key, scaled together);
                               * 2: a nationality's sector factors (values per key) */
    int nat;                  /* level, sectors: nationality index */
    double key_value[MAX_KEYS]; /* level, sectors: each key's current value */
    int slot[MAX_KEYS];       /* sectors: each key's sector (column of the record's sector table);
                               * level: each key's source (-1: outside the window, follows the rest) */
    int n_sources;            /* level: sources inside the window */
} param;

typedef struct cal {
    const char *scenario;
    char *text;               /* the scenario file */
    const char *const *user_set;
    size_t n_user_set;
    char scale_set[64], days_set[64];
    param *simplex;
    size_t n_simplex;
    param *levels;
    size_t n_levels;
    param *sectors;           /* --sectors: one per nationality with factors */
    size_t n_sectors;
    double *sector_target;    /* [n_nat * n_sectors of obs]: mig_corridor_sector_mix */
    int32_t win_first, win_last; /* the window's first and last day */
    int probe;                /* >= 0: levels keep only their sources of this index (the rest 0) */
    mig_corridor_obs *obs;
    mig_ctx *ctx;
    unsigned evals, max_evals;
    mig_status err;
    mig_corridor_fit fit;     /* of the last evaluation */
    double best;              /* best simplex objective so far */
    double *best_value;       /* [n_simplex] values at best */
    double current;           /* objective of the current values (NAN: not evaluated) */
    double *before;           /* [n_values] the values before a matching step */
    size_t n_values;
    int quiet;
    double t0;
} cal;

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

/* Every fitted value (levels' and sectors' keys, then the simplex parameters) copied to or
 * from dst; returns how many there are (dst NULL: only counts). */
static size_t snapshot_values(cal *c, double *dst, int restore)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_levels + c->n_sectors; i++) {
        param *p = i < c->n_levels ? &c->levels[i] : &c->sectors[i - c->n_levels];
        for (size_t j = 0; j < p->n_keys; j++, n++)
            if (dst) {
                if (restore)
                    p->key_value[j] = dst[n];
                else
                    dst[n] = p->key_value[j];
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

/* Runs the scenario with the current values; fills c->fit and the run's totals. */
static mig_status evaluate(cal *c, mig_corridor_sim *sim, const char *what)
{
    size_t n = c->n_user_set + 2, k = 0, cap = n;
    char **over;
    mig_status st;
    for (size_t i = 0; i < c->n_simplex; i++)
        cap += c->simplex[i].n_keys;
    for (size_t i = 0; i < c->n_levels; i++)
        cap += c->levels[i].n_keys;
    for (size_t i = 0; i < c->n_sectors; i++)
        cap += c->sectors[i].n_keys;
    if (!(over = calloc(cap, sizeof *over)))
        return MIG_ENOMEM;
    for (size_t i = 0; i < c->n_user_set; i++)
        over[k++] = (char *)c->user_set[i];
    over[k++] = c->scale_set;
    over[k++] = c->days_set;
    /* the user's --set come first, so the fitted values override them */
    for (size_t i = 0; i < c->n_levels + c->n_sectors; i++) {
        const param *p = i < c->n_levels ? &c->levels[i] : &c->sectors[i - c->n_levels];
        for (size_t j = 0; j < p->n_keys; j++) {
            char buf[512];
            int off = i < c->n_levels && c->probe >= 0 && p->slot[j] != c->probe;
            snprintf(buf, sizeof buf, "%s=%.10g", p->keys[j], off ? 0.0 : p->key_value[j]);
            over[k++] = strdup(buf);
        }
    }
    for (size_t i = 0; i < c->n_simplex; i++)
        for (size_t j = 0; j < c->simplex[i].n_keys; j++) {
            char buf[512];
            snprintf(buf, sizeof buf, "%s=%.10g", c->simplex[i].keys[j], c->simplex[i].value);
            over[k++] = strdup(buf);
        }
    for (size_t i = n; i < k; i++)
        if (!over[i]) {
            st = MIG_ENOMEM;
            goto out;
        }
    st = mig_corridor_simulate(c->scenario, (const char *const *)over, k, c->obs, c->ctx, sim);
    c->evals++;
    if (st == MIG_ECONFIG && !strcmp(what, "simplex"))
        goto out;
    if (st == MIG_OK) {
        mig_corridor_measure(c->obs, sim, &c->fit);
        if (!c->quiet)
            fprintf(stderr,
                    "calibrate: run %u (%s): objective %.4f = MAPE %.1f%% / 15%% + citizenships %.1f%% / 15%% + "
                    "shares %.2f points / 5 + %g x outside %.3f  [%.0f s]\n",
                    c->evals, what, c->fit.objective, 100 * c->fit.mape, 100 * c->fit.citizenship,
                    100 * c->fit.sector, MIG_CORRIDOR_OUTSIDE_WEIGHT, c->fit.outside, now_s() - c->t0);
    }
out:
    for (size_t i = n; i < k; i++)
        free(over[i]);
    free(over);
    return st;
}

#define MAX_SOURCES MIG_NNLS_MAX_N
#define MAX_FY MIG_NNLS_MAX_M

static mig_status evaluate(cal *c, mig_corridor_sim *sim, const char *what);

/* A matching step (levels or sectors) is kept only if it lowers the objective: c->fit is
 * the run with the stepped values; unless it beats c->current, c->before (saved by the
 * caller before the step) is put back. Returns 1 if the step stays. */
static int settle_step(cal *c, const char *what)
{
    if (c->fit.objective < c->current) {
        c->current = c->fit.objective;
        return 1;
    }
    if (!c->quiet)
        fprintf(stderr, "calibrate: %s: step undone (objective %.4f, not below %.4f)\n", what, c->fit.objective,
                c->current);
    snapshot_values(c, c->before, 1);
    return 0;
}

/* Runs the stepped values and settles the step; *kept: 1 if it stays. */
static mig_status keep_if_better(cal *c, const char *what, int *kept)
{
    mig_corridor_sim sim;
    mig_status st = evaluate(c, &sim, what);
    if (st != MIG_OK)
        return st;
    mig_corridor_sim_free(&sim);
    *kept = settle_step(c, what);
    return MIG_OK;
}

/* The objective of the current values, evaluated if not known. */
static mig_status know_current(cal *c, const char *what)
{
    mig_corridor_sim sim;
    mig_status st;
    if (!isnan(c->current))
        return MIG_OK;
    if ((st = evaluate(c, &sim, what)) != MIG_OK)
        return st;
    mig_corridor_sim_free(&sim);
    c->current = c->fit.objective;
    return MIG_OK;
}

/* Matches each nationality's sources (its hazard base rates and forcing scales) to its
 * observed fiscal-year totals over the window. One probe run per source index keeps only
 * that source of every nationality, which gives each source's encounters by fiscal year;
 * the multipliers are then the non-negative least squares of the errors (simulated -
 * observed) / d, where d is the observed total in a fiscal year in which the nationality
 * is among the top-10 citizenships (relative errors, as the target), and otherwise the
 * larger of it and the nationality's mean over the fiscal years (so that a year with few
 * encounters does not outweigh the others). A source outside the window follows the source
 * entering at the same place (else the nationality's overall change). Multipliers are
 * bounded to [0.1, 10] per pass; a pass that does not lower the objective is undone and
 * ends the matching. */
static mig_status match_levels(cal *c, int iterations)
{
    const mig_corridor_obs *o = c->obs;
    const uint32_t nn = o->n_nat;
    int fy0[MAX_FY], nf = 0, ns = 0;
    double (*a)[MAX_SOURCES][MAX_FY] = NULL, *obs_fy = NULL, *wt = NULL, *tot = NULL;
    mig_status st = MIG_OK;

    for (uint32_t m = 0; m + 12 <= o->n_months && nf < MAX_FY; m++)
        if ((o->first_month + (int32_t)m) % 12 == 9)
            fy0[nf++] = (int)m;
    for (size_t i = 0; i < c->n_levels; i++)
        ns = c->levels[i].n_sources > ns ? c->levels[i].n_sources : ns;
    if (!c->n_levels || !nf || !ns)
        return MIG_OK;
    a = calloc(c->n_levels, sizeof *a);
    obs_fy = calloc((size_t)nn * nf, sizeof *obs_fy);
    wt = calloc((size_t)nn * nf, sizeof *wt);
    tot = calloc(nn ? nn : 1, sizeof *tot);
    if (!a || !obs_fy || !wt || !tot) {
        st = MIG_ENOMEM;
        goto out;
    }
    for (int f = 0; f < nf; f++) {
        int top[10], n_top;
        for (uint32_t k = 0; k < nn; k++) {
            tot[k] = 0.0;
            for (int m = fy0[f]; m < fy0[f] + 12; m++)
                tot[k] += o->by_nat[(size_t)m * nn + k];
            obs_fy[(size_t)k * nf + f] = tot[k];
            wt[(size_t)k * nf + f] = 0.0; /* 1: among the top 10 */
        }
        n_top = mig_corridor_top10(tot, nn, o->other, top);
        for (int r = 0; r < n_top; r++)
            wt[(size_t)top[r] * nf + f] = 1.0;
    }
    if ((st = know_current(c, "levels")) != MIG_OK)
        goto out;
    for (int it = 0; it < iterations && st == MIG_OK; it++) {
        int kept;
        snapshot_values(c, c->before, 0);
        for (int r = 0; r < ns && st == MIG_OK; r++) {
            mig_corridor_sim sim;
            c->probe = r;
            st = evaluate(c, &sim, "level probe");
            c->probe = -1;
            if (st != MIG_OK)
                break;
            for (size_t i = 0; i < c->n_levels; i++)
                for (int f = 0; f < nf; f++) {
                    double sum = 0.0;
                    for (int m = fy0[f]; m < fy0[f] + 12; m++)
                        sum += sim.by_nat[(size_t)m * nn + (uint32_t)c->levels[i].nat];
                    a[i][r][f] = sum;
                }
            mig_corridor_sim_free(&sim);
        }
        for (size_t i = 0; i < c->n_levels && st == MIG_OK; i++) {
            param *p = &c->levels[i];
            double theta[MAX_SOURCES], d[MAX_FY], b[MAX_FY], reduced[MAX_SOURCES][MAX_FY], sum_a = 0.0, sum_ta = 0.0;
            double all, mean = 0.0;
            int map[MAX_SOURCES], n = 0;
            for (int f = 0; f < nf; f++)
                mean += obs_fy[(size_t)p->nat * nf + f] / nf;
            for (int f = 0; f < nf; f++) {
                double ob = obs_fy[(size_t)p->nat * nf + f];
                d[f] = wt[(size_t)p->nat * nf + f] > 0 ? ob : ob > mean ? ob : mean;
                b[f] = d[f] > 0 ? ob / d[f] : 0.0;
            }
            /* a source with no encounters in the window is left as it is */
            for (int j = 0; j < p->n_sources; j++) {
                double tot = 0.0;
                for (int f = 0; f < nf; f++)
                    tot += a[i][j][f];
                theta[j] = 1.0;
                if (tot > 0) {
                    map[n] = j;
                    for (int f = 0; f < nf; f++)
                        reduced[n][f] = d[f] > 0 ? a[i][j][f] / d[f] : 0.0;
                    n++;
                }
            }
            if (n) {
                double t[MAX_SOURCES];
                mig_corridor_nnls(n, nf, (const double(*)[MIG_NNLS_MAX_M])reduced, b, t);
                for (int u = 0; u < n; u++)
                    theta[map[u]] = t[u] < 0.1 ? 0.1 : t[u] > 10.0 ? 10.0 : t[u];
            }
            for (int j = 0; j < p->n_sources; j++)
                for (int f = 0; f < nf; f++) {
                    sum_a += a[i][j][f];
                    sum_ta += theta[j] * a[i][j][f];
                }
            all = sum_a > 0 ? sum_ta / sum_a : 1.0;
            for (size_t j = 0; j < p->n_keys; j++)
                p->key_value[j] *= p->slot[j] >= 0 ? theta[p->slot[j]] : all;
        }
        if (st == MIG_OK && (st = keep_if_better(c, "levels", &kept)) == MIG_OK && !kept)
            break;
    }
out:
    free(a);
    free(obs_fy);
    free(wt);
    free(tot);
    return st;
}

/* Moves each nationality's sector factors towards its estimated sector shares:
 * factor *= (target / simulated)^0.7 (ratios bounded to [1/4, 4]), then the row is divided
 * by its target-weighted geometric mean, so that the sectors' pull against the ports and
 * the rest of the network stays as it was. A nationality with fewer than 200 simulated
 * USBP encounters (agents) is left as it is. A step that does not lower the objective is
 * undone and ends the matching. */
static mig_status match_sectors(cal *c, int iterations, double scale)
{
    const uint32_t ns = c->obs->n_sectors;
    int kept = 1;
    for (int it = 0; it < iterations && c->n_sectors; it++) {
        mig_corridor_sim sim;
        mig_status st = evaluate(c, &sim, "sectors");
        if (st != MIG_OK)
            return st;
        double dev = 0.0, all = 0.0;
        if (it == 0)
            c->current = c->fit.objective;
        else if (!settle_step(c, "sectors")) { /* the previous step made it worse */
            mig_corridor_sim_free(&sim);
            return MIG_OK;
        }
        snapshot_values(c, c->before, 0);
        for (size_t i = 0; i < c->n_sectors; i++) {
            param *p = &c->sectors[i];
            const double *got = sim.nat_sector + (size_t)p->nat * ns;
            const double *want = c->sector_target + (size_t)p->nat * ns;
            double tot = 0.0;
            for (uint32_t s = 0; s < ns; s++)
                tot += got[s];
            if (!(tot * scale >= 200.0))
                continue;
            for (uint32_t s = 0; s < ns; s++)
                dev += fabs(got[s] - want[s] * tot) / 2;
            all += tot;
            for (size_t j = 0; j < p->n_keys; j++) {
                int s = p->slot[j];
                double r = (want[s] + 0.002) / (got[s] / tot + 0.002);
                r = r < 0.25 ? 0.25 : r > 4.0 ? 4.0 : r;
                p->key_value[j] *= r;
                p->key_value[j] = p->key_value[j] < 1e-3 ? 1e-3 : p->key_value[j] > 1e3 ? 1e3 : p->key_value[j];
            }
        }
        if (!c->quiet && all > 0)
            fprintf(stderr, "calibrate: sectors: %.1f%% of USBP encounters are in another sector than the estimated "
                            "shares by nationality give\n", 100 * dev / all);
        mig_corridor_sim_free(&sim);
    }
    if (c->n_sectors && iterations > 0)
        return keep_if_better(c, "sectors", &kept);
    return MIG_OK;
}

static double objective(const gsl_vector *z, void *data)
{
    cal *c = data;
    mig_corridor_sim sim;
    mig_status st;
    if (c->err != MIG_OK)
        return GSL_POSINF;
    for (size_t i = 0; i < c->n_simplex; i++)
        c->simplex[i].value = simplex_value(&c->simplex[i], gsl_vector_get(z, i));
    st = evaluate(c, &sim, "simplex");
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
    mig_corridor_sim_free(&sim);
    if (c->fit.objective < c->best) {
        c->best = c->fit.objective;
        for (size_t i = 0; i < c->n_simplex; i++)
            c->best_value[i] = c->simplex[i].value;
    }
    return c->fit.objective;
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

static mig_status write_fitted(cal *c, const mig_config *cfg0, const char *out, const char *command, double seconds,
                               const char *window, double scale, mig_ctx *ctx)
{
    size_t n_edits = 0, cap_edits = 0, n = 0, cap = 0, len = strlen(c->text), cut = len;
    edit *e = NULL;
    char *s = NULL, date[16], tmp[4096], q[8192];
    time_t now = time(NULL);
    struct tm tm;
    FILE *f;
    mig_status st = MIG_OK;
    int ok = 1;

    for (size_t i = 0; i < c->n_levels; i++)
        cap_edits += c->levels[i].n_keys;
    for (size_t i = 0; i < c->n_sectors; i++)
        cap_edits += c->sectors[i].n_keys;
    for (size_t i = 0; i < c->n_simplex; i++)
        cap_edits += c->simplex[i].n_keys;
    if (!(e = calloc(cap_edits ? cap_edits : 1, sizeof *e)))
        return MIG_ENOMEM;
    for (size_t i = 0; i < c->n_levels + c->n_sectors + c->n_simplex && st == MIG_OK; i++) {
        param *p = i < c->n_levels                  ? &c->levels[i]
                   : i < c->n_levels + c->n_sectors ? &c->sectors[i - c->n_levels]
                                                    : &c->simplex[i - c->n_levels - c->n_sectors];
        for (size_t j = 0; j < p->n_keys && st == MIG_OK; j++) {
            st = locate(cfg0, c->text, p->keys[j], &e[n_edits].off, &e[n_edits].len, ctx);
            snprintf(e[n_edits].text, sizeof e[n_edits].text, "%.8g", p->level ? p->key_value[j] : p->value);
            n_edits++;
        }
    }
    if (st != MIG_OK) {
        free(e);
        return st;
    }
    qsort(e, n_edits, sizeof *e, by_offset_desc);
    /* an earlier calibration record (a top-level key, written last) is replaced */
    for (size_t o = 0; o < len; o = strchr(c->text + o, '\n') ? (size_t)(strchr(c->text + o, '\n') - c->text) + 1 : len)
        if (strncmp(c->text + o, "calibration:", 12) == 0) {
            cut = o;
            break;
        }
    for (size_t i = 0; i < n_edits; i++)
        if (e[i].off + e[i].len > cut) {
            free(e);
            return mig_ctx_error(ctx, MIG_EUSAGE, "%s: a fitted key lies inside the old calibration record",
                                 cfg0->path);
        }
    /* the text with each edit, front to back (the edits are sorted back to front) */
    {
        size_t pos = 0;
        for (size_t i = n_edits; i-- > 0 && ok;) {
            ok &= append(&s, &n, &cap, "%.*s%s", (int)(e[i].off - pos), c->text + pos, e[i].text) == 0;
            pos = e[i].off + e[i].len;
        }
        ok &= append(&s, &n, &cap, "%.*s", (int)(cut - pos), c->text + pos) == 0;
    }
    if (ok && n && s[n - 1] != '\n')
        ok &= append(&s, &n, &cap, "\n") == 0;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    quote(q, sizeof q, command);
    ok &= append(&s, &n, &cap,
                 "calibration:                # written by migsim calibrate; not used by runs\n"
                 "  date: %s\n"
                 "  command: %s\n"
                 "  window: %s\n"
                 "  scale: %g\n"
                 "  evaluations: %u\n"
                 "  seconds: %.0f\n"
                 "  objective: %.6g\n"
                 "  mape: %.6g\n"
                 "  citizenship_error: %.6g\n"
                 "  sector_error: %.6g\n"
                 "  outside: %.6g\n"
                 "  parameters:\n",
                 date, q, window, scale, c->evals, seconds, c->fit.objective, c->fit.mape, c->fit.citizenship,
                 c->fit.sector, c->fit.outside) == 0;
    for (size_t i = 0; i < c->n_levels && ok; i++)
        for (size_t j = 0; j < c->levels[i].n_keys && ok; j++) {
            quote(q, sizeof q, c->levels[i].keys[j]);
            ok &= append(&s, &n, &cap, "    - {key: %s, value: %.8g, method: level}\n", q, c->levels[i].key_value[j]) ==
                  0;
        }
    for (size_t i = 0; i < c->n_sectors && ok; i++)
        for (size_t j = 0; j < c->sectors[i].n_keys && ok; j++) {
            quote(q, sizeof q, c->sectors[i].keys[j]);
            ok &= append(&s, &n, &cap, "    - {key: %s, value: %.8g, method: sector, target: %.4f}\n", q,
                         c->sectors[i].key_value[j],
                         c->sector_target[(size_t)c->sectors[i].nat * c->obs->n_sectors + (size_t)c->sectors[i].slot[j]]) ==
                  0;
        }
    for (size_t i = 0; i < c->n_simplex && ok; i++)
        for (size_t j = 0; j < c->simplex[i].n_keys && ok; j++) {
            quote(q, sizeof q, c->simplex[i].keys[j]);
            ok &= append(&s, &n, &cap, "    - {key: %s, value: %.8g, method: simplex, lo: %g, hi: %g}\n", q,
                         c->simplex[i].value, c->simplex[i].lo, c->simplex[i].hi) == 0;
        }
    ok &= append(&s, &n, &cap,
                 "  note: \"objective = MAPE/0.15 + citizenship error/0.15 + share error/0.05 + 4 x outside over "
                 "the window (fiscal years wholly inside it; share error: the sectors' shares of USBP "
                 "encounters and the ports' share of all; outside: mean of max(0, error/target - 1) over the "
                 "citizenship values plus the same over the share values); the values of the best run; level = each source of a nationality (hazard base "
                 "rate, forcing scale) fitted to its observed fiscal-year totals (least squares over probe runs); "
                 "sector = a nationality's factor on a sector, moved towards the share estimated from the record "
                 "(target); simplex = GSL nmsimplex2\"\n") == 0;
    free(e);
    if (!ok) {
        free(s);
        return MIG_ENOMEM;
    }
    /* written next to the output (relative paths resolve there), checked, then renamed */
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
    if (!(f = fopen(tmp, "w"))) {
        free(s);
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    }
    ok = fwrite(s, 1, n, f) == n;
    ok &= fclose(f) == 0;
    free(s);
    if (!ok) {
        remove(tmp);
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot write: %s", out, strerror(errno));
    }
    {
        mig_config *check = NULL;
        st = mig_config_load(tmp, NULL, 0, ctx, &check);
        mig_config_destroy(&check);
        if (st != MIG_OK) {
            remove(tmp);
            return mig_ctx_error(ctx, st, "%s: the fitted scenario does not load there (its paths are relative to "
                                 "its folder: write it next to %s)", out, cfg0->path);
        }
    }
    if (rename(tmp, out) != 0) {
        remove(tmp);
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot write: %s", out, strerror(errno));
    }
    return MIG_OK;
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

static int parse_month(const char *s, int32_t *out)
{
    char buf[16];
    int32_t day;
    if (strlen(s) != 7)
        return -1;
    snprintf(buf, sizeof buf, "%s-01", s);
    if (mig_date_parse(buf, &day))
        return -1;
    *out = mig_corridor_month_of(day);
    return 0;
}

static void free_params(param *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        for (size_t j = 0; j < p[i].n_keys; j++)
            free(p[i].keys[j]);
    free(p);
}

/* One level per nationality: all its hazard base rates and forcing scales, scaled
 * together (those outside the window keep their ratio to the others). */
static mig_status build_levels(cal *c, const mig_config *cfg0)
{
    const mig_corridor_cfg *cc = mig_corridor_config(cfg0);
    c->levels = calloc(cfg0->n_nationalities, sizeof *c->levels);
    if (!c->levels)
        return MIG_ENOMEM;
    for (uint32_t k = 0; k < cfg0->n_nationalities; k++) {
        param *p = &c->levels[c->n_levels];
        char key[128];
        p->level = 1;
        p->nat = (int)k;
        for (uint32_t i = 0; i < cc->n_hazards; i++) {
            if (mig_config_nationality(cfg0, cc->hazards[i].nationality) != (int)k)
                continue;
            snprintf(key, sizeof key, "corridor.hazards[%u].base_rate", i);
            if (p->n_keys == MAX_KEYS || !(p->keys[p->n_keys++] = strdup(key)))
                return MIG_ENOMEM;
        }
        for (uint32_t i = 0; i < cc->n_forcing; i++) {
            if (mig_config_nationality(cfg0, cc->forcing[i].nationality) != (int)k)
                continue;
            snprintf(key, sizeof key, "corridor.forcing[%u].scale", i);
            if (p->n_keys == MAX_KEYS || !(p->keys[p->n_keys++] = strdup(key)))
                return MIG_ENOMEM;
        }
        if (p->n_keys)
            c->n_levels++;
    }
    for (size_t i = 0; i < c->n_levels; i++)
        for (size_t j = 0; j < c->levels[i].n_keys; j++) {
            mig_status st = value_of(cfg0, c->text, c->levels[i].keys[j], &c->levels[i].key_value[j], c->ctx);
            if (st != MIG_OK)
                return st;
        }
    /* sources: each key inside the window is one; one outside follows the source entering
     * at the same place (a forcing series carried forward by a hazard), else the rest */
    for (size_t i = 0; i < c->n_levels; i++) {
        param *p = &c->levels[i];
        const char *place[MAX_KEYS];
        int inside[MAX_KEYS];
        for (size_t j = 0; j < p->n_keys; j++) {
            unsigned idx = (unsigned)strtoul(strchr(p->keys[j], '[') + 1, NULL, 10);
            if (!strncmp(p->keys[j], "corridor.hazards[", 17)) {
                place[j] = cc->hazards[idx].places[0];
                inside[j] = cc->hazard_from[idx] <= c->win_last && cc->hazard_to[idx] >= c->win_first;
            } else {
                place[j] = cc->forcing[idx].place;
                inside[j] = 1;
            }
        }
        for (size_t j = 0; j < p->n_keys; j++) {
            p->slot[j] = -1;
            if (inside[j]) {
                if (p->n_sources == MAX_SOURCES)
                    return mig_ctx_error(c->ctx, MIG_EUSAGE, "--levels: %s has more than %d sources in the window",
                                         cfg0->nationalities[p->nat], MAX_SOURCES);
                p->slot[j] = p->n_sources++;
            }
        }
        for (size_t j = 0; j < p->n_keys; j++)
            for (size_t k = 0; k < p->n_keys && !inside[j]; k++)
                if (inside[k] && !strcmp(place[k], place[j])) {
                    p->slot[j] = p->slot[k];
                    break;
                }
    }
    return MIG_OK;
}

/* --sectors: one param per nationality row of corridor.attraction_by_nationality, a key
 * for each Border Patrol sector of the record; the targets from mig_corridor_sector_mix. */
static mig_status build_sectors(cal *c, const mig_config *cfg0)
{
    const mig_corridor_nat_attraction_cfg *a = mig_corridor_config(cfg0)->attraction_by_nationality;
    const uint32_t ns = c->obs->n_sectors;
    double residual = 0.0;
    mig_status st;

    if (!a)
        return mig_ctx_error(c->ctx, MIG_EUSAGE,
                             "%s: --sectors fits corridor.attraction_by_nationality, which the scenario lacks; write "
                             "it there first (places: the Border Patrol sectors; a row of factors per nationality)",
                             cfg0->path);
    for (uint32_t s = 0; s < ns; s++) {
        uint32_t j = 0;
        while (j < a->n_places && strcmp(a->places[j], c->obs->sector_name[s]))
            j++;
        if (j == a->n_places)
            return mig_ctx_error(c->ctx, MIG_EUSAGE,
                                 "%s: corridor.attraction_by_nationality.places: sector \"%s\" is missing (--sectors "
                                 "fits a factor for every Border Patrol sector of the record)",
                                 mig_config_where(cfg0, "corridor.attraction_by_nationality.places"),
                                 c->obs->sector_name[s]);
    }
    if (!(c->sectors = calloc(a->n_factors ? a->n_factors : 1, sizeof *c->sectors)) ||
        !(c->sector_target = calloc((size_t)c->obs->n_nat * (ns ? ns : 1), sizeof *c->sector_target)))
        return MIG_ENOMEM;
    if ((st = mig_corridor_sector_mix(c->obs, 0.01, c->sector_target, &residual)) != MIG_OK)
        return mig_ctx_error(c->ctx, st, "the sector mix by nationality could not be estimated from the record");
    for (uint32_t i = 0; i < a->n_factors; i++) {
        param *p = &c->sectors[c->n_sectors++];
        p->level = 2;
        p->nat = mig_config_nationality(cfg0, a->factors[i].nationality);
        for (uint32_t j = 0; j < a->n_places; j++)
            for (uint32_t s = 0; s < ns; s++)
                if (!strcmp(a->places[j], c->obs->sector_name[s])) {
                    char key[128];
                    snprintf(key, sizeof key, "corridor.attraction_by_nationality.factors[%u].values[%u]", i, j);
                    if (p->n_keys == MAX_KEYS || !(p->keys[p->n_keys] = strdup(key)))
                        return MIG_ENOMEM;
                    p->slot[p->n_keys] = (int)s;
                    if ((st = value_of(cfg0, c->text, key, &p->key_value[p->n_keys], c->ctx)) != MIG_OK)
                        return st;
                    p->n_keys++;
                }
    }
    if (!c->quiet) {
        fprintf(stderr, "calibrate: sector shares by nationality estimated from the record (residual %.1f%% of USBP "
                        "encounters):\n", 100 * residual);
        for (size_t i = 0; i < c->n_sectors; i++) {
            fprintf(stderr, "calibrate:   %-14s", cfg0->nationalities[c->sectors[i].nat]);
            for (uint32_t s = 0; s < ns; s++)
                fprintf(stderr, " %5.1f", 100 * c->sector_target[(size_t)c->sectors[i].nat * ns + s]);
            fputc('\n', stderr);
        }
    }
    return MIG_OK;
}

/* ---- the command ------------------------------------------------------------------- */

/* calibrate's command line */
typedef struct cal_args {
    const char *scenario, *out, *data, *window;
    char **sets;              /* [n_sets] --set texts (borrowed from argv) */
    size_t n_sets;
    param *simplex;           /* [n_simplex] --param */
    size_t n_simplex;
    int levels, sectors, quiet;
    long rounds, threads, max_evals;
    double scale;
    int32_t first_month, last_month;
} cal_args;

static void print_help(void)
{
    printf("Usage: migsim calibrate SCENARIO.yaml -o FITTED.yaml [--levels] [--sectors]\n"
           "        [--param KEY[,KEY...]=LO:HI]... [--scale S] [--window YYYY-MM:YYYY-MM] [--data DIR] [--max-evals N] [--rounds R]\n"
           "        [--threads N] [--set KEY=VALUE]... [-q]\n"
           "Fits a corridor scenario to the observed encounters: --levels matches each\n"
           "nationality's level to its observed total; --sectors moves each nationality's\n"
           "sector factors (corridor.attraction_by_nationality) towards its sector shares\n"
           "estimated from the record; each --param is fitted with GSL's\n"
           "Nelder-Mead simplex within [LO, HI]. Objective over the window (default\n"
           "2020-10:2023-09): MAPE/0.15 + citizenship error/0.15 + share error/0.05\n"
           "+ 4 x band excess (values outside their +-15 %% or +-5 point bands). Runs are\n"
           "in process at corridor.scale = S (default 0.1). The fitted values and a\n"
           "`calibration` record are written into FITTED.yaml. See README.md, \"Calibration\".\n");
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
    case 'L':
        a->levels = 1;
        return -1;
    case 'E':
        a->sectors = 1;
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
    case 'd':
        a->data = optarg;
        return -1;
    case 'm':
        a->max_evals = strtol(optarg, &end, 10);
        if (*end || a->max_evals < 0 || a->max_evals > 1000000)
            return mig_cmd_usage_error("calibrate", "--max-evals: expected a number of runs, got \"%s\"", optarg);
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
    case 'h':
        print_help();
        return 0;
    default:
        return mig_cmd_usage_error("calibrate", "unknown or incomplete option \"%s\"", argv[optind - 1]);
    }
}

/* The command line into a (whose sets and simplex hold argc + 1 entries); returns -1 when
 * the command is to run, else the exit code. */
static int parse_args(cal_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },  { "param", required_argument, NULL, 'p' },
        { "levels", no_argument, NULL, 'L' },        { "scale", required_argument, NULL, 'x' },
        { "sectors", no_argument, NULL, 'E' },
        { "window", required_argument, NULL, 'w' },  { "data", required_argument, NULL, 'd' },
        { "max-evals", required_argument, NULL, 'm' }, { "rounds", required_argument, NULL, 'r' },
        { "threads", required_argument, NULL, 't' }, { "set", required_argument, NULL, 'S' },
        { "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *window;
    char win[32];
    int opt, rc;

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
    window = a->window;
    if (strlen(window) != 15 || window[7] != ':' ||
        (memcpy(win, window, 7), win[7] = '\0', parse_month(win, &a->first_month)) ||
        parse_month(window + 8, &a->last_month) || a->last_month < a->first_month)
        return mig_cmd_usage_error("calibrate", "--window: expected YYYY-MM:YYYY-MM, got \"%s\"", window);
    return -1;
}

/* The scenario as written (locations of the keys), then its world (the network) and the
 * record over the window; the run's days and scale, and the levels and sectors to match.
 * *datadir: the default data folder when --data is not given (caller frees). */
static mig_status open_scenario(cal *c, const cal_args *a, mig_config **cfg0, mig_world **w0, char **datadir)
{
    const char *data = a->data, *scenario = a->scenario;
    int32_t last_day, first_day;
    long days;
    size_t len;
    int err;
    mig_status st;

    if (mig_file_read(scenario, &c->text, &len, &err) != MIG_OK)
        return mig_ctx_error(c->ctx, MIG_ENOINPUT, "%s: cannot open: %s", scenario, strerror(err));
    if ((st = mig_config_load(scenario, NULL, 0, c->ctx, cfg0)) != MIG_OK)
        return st;
    if (!mig_corridor_config(*cfg0))
        return mig_ctx_error(c->ctx, MIG_ECONFIG, "%s: calibrate needs a scenario of model corridor", scenario);
    if ((st = mig_world_create(*cfg0, c->ctx, w0)) != MIG_OK)
        return st;
    if (!data) {
        const char *slash = strrchr(scenario, '/');
        size_t dl = slash ? (size_t)(slash - scenario) : 0;
        if (!(*datadir = malloc(dl + 8)))
            return MIG_ENOMEM;
        snprintf(*datadir, dl + 8, "%.*s%sdata", (int)dl, scenario, dl ? "/" : "");
        data = *datadir;
    }
    st = mig_corridor_obs_load(data, *cfg0, (*w0)->net, a->first_month, a->last_month, c->ctx, &c->obs);
    if (st != MIG_OK)
        return st;
    /* run through the window's last day only */
    last_day = mig_date_from_parts((a->last_month + 1) / 12, (a->last_month + 1) % 12 + 1, 1) - 1;
    first_day = mig_date_from_parts(a->first_month / 12, a->first_month % 12 + 1, 1);
    days = (long)last_day - (*cfg0)->start_day + 1;
    if (first_day < (*cfg0)->start_day || days > (long)(*cfg0)->days)
        return mig_ctx_error(c->ctx, MIG_EUSAGE, "%s: the run (from %s, %u days) does not cover the window %s",
                             scenario, (*cfg0)->start_date, (*cfg0)->days, a->window);
    snprintf(c->days_set, sizeof c->days_set, "days=%ld", days);
    c->win_first = first_day;
    c->win_last = last_day;
    snprintf(c->scale_set, sizeof c->scale_set, "corridor.scale=%.10g", a->scale);
    if (a->levels && (st = build_levels(c, *cfg0)) != MIG_OK)
        return st;
    if (a->sectors && (st = build_sectors(c, *cfg0)) != MIG_OK)
        return st;
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
            double v;
            for (size_t l = 0; l < c->n_levels; l++)
                for (size_t m = 0; m < c->levels[l].n_keys; m++)
                    if (!strcmp(c->levels[l].keys[m], p->keys[j]))
                        return mig_ctx_error(c->ctx, MIG_EUSAGE, "--param %s: fitted as a level already",
                                             p->keys[j]);
            if ((st = value_of(cfg0, c->text, p->keys[j], &v, c->ctx)) != MIG_OK)
                return st;
            if (!j)
                v0 = v;
        }
        p->value = v0 < p->lo ? p->lo : v0 > p->hi ? p->hi : v0;
    }
    return MIG_OK;
}

/* One whole-scenario evaluation, its result kept in c->fit. */
static mig_status evaluate_all(cal *c, const char *what)
{
    mig_corridor_sim sim;
    mig_status st = evaluate(c, &sim, what);
    if (st == MIG_OK)
        mig_corridor_sim_free(&sim);
    return st;
}

/* The fit: the values as given (a stage never leaves the scenario worse than it found
 * it), rounds of level and sector matching and simplex, a last matching, a final run. */
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
        fprintf(stderr, "calibrate: %s: %zu level%s, %zu simplex parameter%s, window %s, scale %g, %d thread%s\n",
                a->scenario, c->n_levels, c->n_levels == 1 ? "" : "s", c->n_simplex, c->n_simplex == 1 ? "" : "s",
                a->window, a->scale, c->ctx->threads, c->ctx->threads == 1 ? "" : "s");
    if ((st = evaluate_all(c, "start")) != MIG_OK)
        return st;
    c->current = c->fit.objective;
    for (long r = 0; r < a->rounds; r++) {
        if ((st = match_levels(c, 3)) != MIG_OK || (st = match_sectors(c, 4, a->scale)) != MIG_OK ||
            (st = run_simplex(c, (unsigned)(a->max_evals / a->rounds))) != MIG_OK)
            return st;
    }
    if ((st = match_sectors(c, 2, a->scale)) != MIG_OK || (st = match_levels(c, 2)) != MIG_OK)
        return st;
    return evaluate_all(c, "final");
}

static void free_cal(cal *c)
{
    free_params(c->simplex, c->n_simplex);
    free_params(c->levels, c->n_levels);
    free_params(c->sectors, c->n_sectors);
    free(c->sector_target);
    free(c->best_value);
    free(c->before);
    free(c->text);
    mig_corridor_obs_destroy(&c->obs);
}

int mig_cmd_calibrate_main(int argc, char **argv)
{
    cal_args a = { .window = "2020-10:2023-09", .rounds = 2, .max_evals = 200, .scale = 0.1 };
    char *command = NULL, *datadir = NULL;
    double t0 = now_s();
    int rc;
    mig_ctx *ctx = NULL;
    mig_config *cfg0 = NULL;
    mig_world *w0 = NULL;
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
    ctx->threads = a.threads > 0 ? (int)a.threads : omp_get_max_threads();
    c = (cal){ .ctx = ctx, .scenario = a.scenario, .user_set = (const char *const *)a.sets,
               .n_user_set = a.n_sets, .t0 = t0, .err = MIG_OK, .probe = -1, .simplex = a.simplex,
               .n_simplex = a.n_simplex, .quiet = a.quiet };
    a.simplex = NULL;
    if ((st = open_scenario(&c, &a, &cfg0, &w0, &datadir)) != MIG_OK || (st = prepare_simplex(&c, cfg0)) != MIG_OK ||
        (st = fit(&c, &a)) != MIG_OK) {
        rc = mig_ctx_report(ctx, st, stderr);
        goto done;
    }
    {
        char wtext[32];
        snprintf(wtext, sizeof wtext, "%.7s/%.7s", a.window, a.window + 8);
        if ((st = write_fitted(&c, cfg0, a.out, command, now_s() - t0, wtext, a.scale, ctx)) != MIG_OK) {
            rc = mig_ctx_report(ctx, st, stderr);
            goto done;
        }
    }
    printf("%s: objective %.4f (MAPE %.1f%%, citizenship error %.1f%%, share error %.2f points) after %u "
           "runs in %.0f s at scale %g\n",
           a.out, c.fit.objective, 100 * c.fit.mape, 100 * c.fit.citizenship, 100 * c.fit.sector, c.evals,
           now_s() - t0, a.scale);
    rc = 0;
done:
    free_params(a.simplex, a.n_simplex);
    free_cal(&c);
    mig_world_destroy(&w0);
    mig_config_destroy(&cfg0);
    mig_ctx_destroy(&ctx);
    free(datadir);
    free(command);
    free(a.sets);
    return rc;
}
