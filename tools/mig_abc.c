/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_abc.c: ABC-SMC (see mig_abc.h). Parameters are moved in the prior's own scale (the
 * log of a log-uniform one), where every prior is flat on its interval, so a particle's
 * weight is 1 / sum_j w_j K(u | u_j) inside the support; K is a Gaussian with twice the
 * population's weighted variance in each coordinate (Beaumont et al. 2009). */
#include "mig_abc.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct pop {
    double *u, *w, *d;        /* [n * n_par], [n], [n] */
} pop;

typedef struct sampler {
    const mig_abc_prior *prior;
    size_t n_par, n;
    mig_abc_distance_fn f;
    void *data;
    gsl_rng *rng;
    uint64_t run;
    double sigma[64];         /* kernel standard deviation by coordinate */
} sampler;

static double lo_of(const mig_abc_prior *p) { return p->log_uniform ? log(p->lo) : p->lo; }
static double hi_of(const mig_abc_prior *p) { return p->log_uniform ? log(p->hi) : p->hi; }

static void to_theta(const sampler *s, const double *u, double *theta)
{
    for (size_t i = 0; i < s->n_par; i++)
        theta[i] = s->prior[i].log_uniform ? exp(u[i]) : u[i];
}

static int inside(const sampler *s, const double *u)
{
    for (size_t i = 0; i < s->n_par; i++)
        if (!(u[i] >= lo_of(&s->prior[i]) && u[i] <= hi_of(&s->prior[i])))
            return 0;
    return 1;
}

static mig_status distance(sampler *s, const double *u, double *d)
{
    double theta[64];
    to_theta(s, u, theta);
    return s->f(s->data, theta, s->run++, d);
}

static int pop_alloc(pop *p, size_t n, size_t n_par)
{
    p->u = malloc(n * n_par * sizeof *p->u);
    p->w = malloc(n * sizeof *p->w);
    p->d = malloc(n * sizeof *p->d);
    return p->u && p->w && p->d;
}

static void pop_free(pop *p)
{
    free(p->u);
    free(p->w);
    free(p->d);
    p->u = p->w = p->d = NULL;
}

/* Generation 0: N particles from the prior (a particle the simulator rejects is drawn again). */
static mig_status from_prior(sampler *s, pop *p, size_t max_runs)
{
    for (size_t k = 0; k < s->n; k++) {
        double *u = p->u + k * s->n_par;
        do {
            mig_status st;
            if (max_runs && s->run >= max_runs)
                return MIG_EUSAGE;
            for (size_t i = 0; i < s->n_par; i++)
                u[i] = lo_of(&s->prior[i]) + (hi_of(&s->prior[i]) - lo_of(&s->prior[i])) * gsl_rng_uniform(s->rng);
            if ((st = distance(s, u, &p->d[k])) != MIG_OK)
                return st;
        } while (!isfinite(p->d[k]));
        p->w[k] = 1.0 / (double)s->n;
    }
    return MIG_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double quantile(const double *d, size_t n, double q, double *scratch)
{
    memcpy(scratch, d, n * sizeof *d);
    qsort(scratch, n, sizeof *scratch, cmp_double);
    return scratch[(size_t)floor(q * (double)(n - 1))];
}

/* The weighted mean and variance of coordinate i of n points x[n * n_par] (weights sum to 1). */
static void weighted_moments(const double *x, const double *w, size_t n, size_t n_par, size_t i, double *mean,
                             double *var)
{
    double m = 0.0, v = 0.0;
    for (size_t k = 0; k < n; k++)
        m += w[k] * x[k * n_par + i];
    for (size_t k = 0; k < n; k++) {
        double e = x[k * n_par + i] - m;
        v += w[k] * e * e;
    }
    *mean = m;
    *var = v;
}

static void kernel_widths(sampler *s, const pop *p)
{
    for (size_t i = 0; i < s->n_par; i++) {
        double m, v;
        weighted_moments(p->u, p->w, s->n, s->n_par, i, &m, &v);
        s->sigma[i] = sqrt(2.0 * v);
        if (!(s->sigma[i] > 0.0)) /* a collapsed coordinate still moves a little */
            s->sigma[i] = 1e-6 * (hi_of(&s->prior[i]) - lo_of(&s->prior[i]));
    }
}

static size_t pick(sampler *s, const pop *p)
{
    double r = gsl_rng_uniform(s->rng), c = 0.0;
    for (size_t k = 0; k < s->n; k++)
        if ((c += p->w[k]) > r)
            return k;
    return s->n - 1;
}

/* The weight of u after the population old: 1 / sum_j w_j K(u | u_j) (unnormalised). */
static double new_weight(const sampler *s, const pop *old, const double *u)
{
    double sum = 0.0;
    for (size_t j = 0; j < s->n; j++) {
        double e = 0.0;
        for (size_t i = 0; i < s->n_par; i++) {
            double z = (u[i] - old->u[j * s->n_par + i]) / s->sigma[i];
            e += z * z;
        }
        sum += old->w[j] * exp(-0.5 * e);
    }
    return sum > 0.0 ? 1.0 / sum : 0.0;
}

/* One generation at tolerance eps: N particles moved from old and accepted within it. */
static mig_status generation(sampler *s, const pop *old, pop *nw, double eps, size_t max_runs)
{
    double wsum = 0.0;
    kernel_widths(s, old);
    for (size_t k = 0; k < s->n; k++) {
        double *u = nw->u + k * s->n_par;
        for (;;) {
            const double *from = old->u + pick(s, old) * s->n_par;
            mig_status st;
            for (size_t i = 0; i < s->n_par; i++)
                u[i] = from[i] + gsl_ran_gaussian_ziggurat(s->rng, s->sigma[i]);
            if (!inside(s, u))
                continue;
            if (max_runs && s->run >= max_runs)
                return MIG_EUSAGE;
            if ((st = distance(s, u, &nw->d[k])) != MIG_OK)
                return st;
            if (nw->d[k] <= eps)
                break;
        }
        wsum += nw->w[k] = new_weight(s, old, u);
    }
    for (size_t k = 0; k < s->n; k++)
        nw->w[k] = wsum > 0.0 ? nw->w[k] / wsum : 1.0 / (double)s->n;
    return MIG_OK;
}

static void take(mig_abc_result *out, const sampler *s, pop *p)
{
    out->n_par = s->n_par;
    out->n = s->n;
    out->theta = p->u;
    out->weight = p->w;
    out->dist = p->d;
    for (size_t k = 0; k < s->n; k++)
        to_theta(s, p->u + k * s->n_par, p->u + k * s->n_par);
    p->u = p->w = p->d = NULL;
}

static mig_status run_generations(sampler *s, const mig_abc_settings *set, pop *cur, pop *nxt, double *scratch,
                                  mig_abc_progress_fn progress, void *pdata, mig_abc_result *out)
{
    for (int g = 1; g <= set->generations && g <= MIG_ABC_MAX_GENERATIONS; g++) {
        size_t before = (size_t)s->run;
        double eps = quantile(cur->d, s->n, set->quantile, scratch);
        mig_status st = generation(s, cur, nxt, eps, set->max_runs);
        pop t;
        out->total_runs = (size_t)s->run;
        if (st == MIG_EUSAGE) { /* the budget ends it: the last whole generation stands */
            out->stopped_by_budget = 1;
            return MIG_OK;
        }
        if (st != MIG_OK)
            return st;
        out->tolerance[g] = eps;
        out->runs[g] = (size_t)s->run - before;
        out->generations = g;
        t = *cur;
        *cur = *nxt;
        *nxt = t;
        if (progress)
            progress(pdata, g, eps, out->runs[g], s->n);
    }
    return MIG_OK;
}

mig_status mig_abc_run(const mig_abc_prior *prior, size_t n_par, const mig_abc_settings *set, mig_abc_distance_fn f,
                       void *data, mig_abc_progress_fn progress, void *pdata, mig_abc_result *out)
{
    sampler s = { prior, n_par, set->particles, f, data, NULL, 0, { 0 } };
    pop cur = { 0 }, nxt = { 0 };
    double *scratch = malloc((set->particles ? set->particles : 1) * sizeof *scratch);
    mig_status st = MIG_ENOMEM;

    memset(out, 0, sizeof *out);
    if (!n_par || n_par > 64 || set->particles < 2 || !(set->quantile > 0.0 && set->quantile < 1.0)) {
        free(scratch);
        return MIG_EUSAGE;
    }
    if (scratch && (s.rng = gsl_rng_alloc(gsl_rng_mt19937)) && pop_alloc(&cur, s.n, n_par) &&
        pop_alloc(&nxt, s.n, n_par)) {
        gsl_rng_set(s.rng, (unsigned long)set->seed);
        out->tolerance[0] = INFINITY;
        st = from_prior(&s, &cur, set->max_runs);
        out->runs[0] = out->total_runs = (size_t)s.run;
        if (st == MIG_OK && progress)
            progress(pdata, 0, INFINITY, out->runs[0], s.n);
        if (st == MIG_OK)
            st = run_generations(&s, set, &cur, &nxt, scratch, progress, pdata, out);
        if (st == MIG_OK)
            take(out, &s, &cur);
    }
    pop_free(&cur);
    pop_free(&nxt);
    free(scratch);
    gsl_rng_free(s.rng);
    return st;
}

void mig_abc_moments(const mig_abc_result *r, size_t i, double *mean, double *sd)
{
    double v;
    weighted_moments(r->theta, r->weight, r->n, r->n_par, i, mean, &v);
    *sd = sqrt(v);
}

static int by_value(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

double mig_abc_quantile(const mig_abc_result *r, size_t i, double q, double *pairs)
{
    double c = 0.0;
    for (size_t k = 0; k < r->n; k++) {
        pairs[2 * k] = r->theta[k * r->n_par + i];
        pairs[2 * k + 1] = r->weight[k];
    }
    qsort(pairs, r->n, 2 * sizeof *pairs, by_value);
    for (size_t k = 0; k < r->n; k++)
        if ((c += pairs[2 * k + 1]) >= q)
            return pairs[2 * k];
    return pairs[2 * (r->n - 1)];
}

mig_status mig_abc_resample(const mig_abc_result *r, size_t n, uint64_t seed, size_t *idx)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double u, c = 0.0;
    size_t k = 0;
    if (!rng)
        return MIG_ENOMEM;
    gsl_rng_set(rng, (unsigned long)seed);
    u = gsl_rng_uniform(rng) / (double)n;
    for (size_t i = 0; i < n; i++) {
        double t = u + (double)i / (double)n;
        while (k + 1 < r->n && c + r->weight[k] <= t)
            c += r->weight[k++];
        idx[i] = k;
    }
    gsl_rng_free(rng);
    return MIG_OK;
}

void mig_abc_result_free(mig_abc_result *r)
{
    free(r->theta);
    free(r->weight);
    free(r->dist);
    r->theta = r->weight = r->dist = NULL;
}
