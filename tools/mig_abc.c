/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_abc.c: ABC-SMC (see mig_abc.h). Parameters are moved in the prior's own scale (the
 * log of a log-uniform one), where every prior is flat on its interval, so a particle's
 * weight is 1 / sum_j w_j K(u | u_j) inside the support; K is a Gaussian with twice the
 * population's weighted variance in each coordinate (Beaumont et al. 2009).
 * Each particle of a generation is made on its own: its proposals come from a counter-based
 * stream keyed by (seed, generation, particle) and each of its runs gets a number made of
 * (generation, particle, attempt), so that set->jobs workers may make the particles in any
 * order and the population is the same, bit for bit, for any number of them. */
#include "mig_abc.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "mig_rng.h"

/* The purposes of the sampler's streams (counter word 2), apart from the engine's. */
enum { ABC_PRIOR = 0xabc0, ABC_MOVE = 0xabc1 };

typedef struct pop {
    double *u, *w, *d;        /* [n * n_par], [n], [n] */
} pop;

typedef struct sampler {
    const mig_abc_prior *prior;
    size_t n_par, n;
    mig_abc_distance_fn f;
    void *data;
    uint64_t seed;
    size_t max_runs;          /* 0: no budget */
    size_t runs;              /* runs made so far (and reserved, inside a generation) */
    int stop;                 /* 1: a worker met an error or the budget: the others stop too */
    double sigma[64];         /* kernel standard deviation by coordinate */
} sampler;

/* A particle's random numbers: Philox words for (seed, particle, generation, purpose, block). */
typedef struct stream {
    uint64_t seed;
    uint32_t k, g, purpose, block;
    uint32_t w[4];
    int used;
} stream;

static double uniform(stream *r)
{
    if (r->used == 4) {
        mig_rng_words x = mig_rng_draw4(r->seed, r->k, r->g, r->purpose, r->block++);
        memcpy(r->w, x.w, sizeof r->w);
        r->used = 0;
    }
    return mig_rng_u01(r->w[r->used++]);
}

/* A normal deviate of standard deviation sd (Box-Muller, one of the pair). */
static double gaussian(stream *r, double sd)
{
    double a = uniform(r), b = uniform(r);
    return sd * sqrt(-2.0 * log(a)) * cos(6.283185307179586 * b);
}

/* The number of run a (from 0) of particle k of generation g: the three packed into 64 bits
 * (g < 2^8, k < 2^28, a < 2^28) and mixed (splitmix64's finaliser, a bijection), so that
 * distinct runs get distinct numbers whose every bit varies. */
static uint64_t run_number(int g, size_t k, uint64_t a)
{
    uint64_t z = ((uint64_t)g << 56) | ((uint64_t)k << 28) | (a & 0xfffffffu);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

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

static size_t pick(const sampler *s, const pop *p, stream *r)
{
    double u = uniform(r), c = 0.0;
    for (size_t k = 0; k < s->n; k++)
        if ((c += p->w[k]) > u)
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

/* A proposal of particle k into u: from the prior (generation 0), else a particle of old
 * moved by the kernel, drawn again until it lies inside the priors. */
static void propose(const sampler *s, const pop *old, int g, stream *r, double *u)
{
    if (!g) {
        for (size_t i = 0; i < s->n_par; i++)
            u[i] = lo_of(&s->prior[i]) + (hi_of(&s->prior[i]) - lo_of(&s->prior[i])) * uniform(r);
        return;
    }
    do {
        const double *from = old->u + pick(s, old, r) * s->n_par;
        for (size_t i = 0; i < s->n_par; i++)
            u[i] = from[i] + gaussian(r, s->sigma[i]);
    } while (!inside(s, u));
}

/* Takes the next run of the budget: 0 when it is spent (or another worker stopped). */
static int reserve(sampler *s)
{
    size_t slot;
    int stop;
#pragma omp atomic read
    stop = s->stop;
    if (stop)
        return 0;
#pragma omp atomic capture
    slot = s->runs++;
    if (s->max_runs && slot >= s->max_runs) {
#pragma omp atomic write
        s->stop = 1;
        return 0;
    }
    return 1;
}

/* Particle k of generation g (on worker): proposals until one is accepted, i.e. its distance
 * is finite (generation 0: a particle the simulator rejects is drawn again) and within eps.
 * MIG_EUSAGE when the budget ends it first. */
static mig_status particle(sampler *s, const pop *old, pop *nw, int g, size_t k, double eps, int worker)
{
    stream r = { s->seed, (uint32_t)k, (uint32_t)g, g ? ABC_MOVE : ABC_PRIOR, 0, { 0 }, 4 };
    double *u = nw->u + k * s->n_par, theta[64];
    for (uint64_t a = 0;; a++) {
        mig_status st;
        propose(s, old, g, &r, u);
        if (!reserve(s))
            return MIG_EUSAGE;
        to_theta(s, u, theta);
        if ((st = s->f(s->data, worker, theta, run_number(g, k, a), &nw->d[k])) != MIG_OK) {
#pragma omp atomic write
            s->stop = 1;
            return st;
        }
        if (isfinite(nw->d[k]) && nw->d[k] <= eps)
            return MIG_OK;
    }
}

/* The particles of generation g at tolerance eps (g = 0: +inf), made by jobs workers; the
 * first error in particle order (the budget's, MIG_EUSAGE, only when there is no other). */
static mig_status particles(sampler *s, const pop *old, pop *nw, int g, double eps, int jobs, mig_status *st)
{
    const size_t n = s->n;
    mig_status worst = MIG_OK;
#pragma omp parallel for num_threads(jobs) schedule(dynamic, 1) default(none) shared(s, old, nw, g, eps, st, n)
    for (size_t k = 0; k < n; k++)
        st[k] = particle(s, old, nw, g, k, eps, omp_get_thread_num());
    for (size_t k = 0; k < n && worst == MIG_OK; k++)
        if (st[k] != MIG_OK && st[k] != MIG_EUSAGE)
            worst = st[k];
    for (size_t k = 0; k < n && worst == MIG_OK; k++)
        worst = st[k];
    return worst;
}

/* One generation at tolerance eps (generation 0: from the prior, equal weights). */
static mig_status generation(sampler *s, const pop *old, pop *nw, int g, double eps, int jobs, mig_status *st)
{
    double wsum = 0.0;
    mig_status rc;
    if (g)
        kernel_widths(s, old);
    if ((rc = particles(s, old, nw, g, eps, jobs, st)) != MIG_OK)
        return rc;
    for (size_t k = 0; k < s->n; k++)
        wsum += nw->w[k] = g ? new_weight(s, old, nw->u + k * s->n_par) : 1.0;
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
                                  mig_status *st_k, mig_abc_progress_fn progress, void *pdata, mig_abc_result *out)
{
    int jobs = set->jobs > 1 ? set->jobs : 1;
    for (int g = 1; g <= set->generations && g <= MIG_ABC_MAX_GENERATIONS; g++) {
        size_t before = s->runs;
        double eps = quantile(cur->d, s->n, set->quantile, scratch);
        mig_status st = generation(s, cur, nxt, g, eps, jobs, st_k);
        pop t;
        if (st == MIG_EUSAGE) { /* the budget ends it: the last whole generation stands */
            out->total_runs = s->max_runs;
            out->stopped_by_budget = 1;
            return MIG_OK;
        }
        if (st != MIG_OK)
            return st;
        out->total_runs = s->runs;
        out->tolerance[g] = eps;
        out->runs[g] = s->runs - before;
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
    sampler s = { prior, n_par, set->particles, f, data, set->seed, set->max_runs, 0, 0, { 0 } };
    pop cur = { 0 }, nxt = { 0 };
    size_t n = set->particles ? set->particles : 1;
    double *scratch = malloc(n * sizeof *scratch);
    mig_status *st_k = malloc(n * sizeof *st_k), st = MIG_ENOMEM;

    memset(out, 0, sizeof *out);
    if (!n_par || n_par > 64 || set->particles < 2 || set->particles >= (1u << 28) ||
        !(set->quantile > 0.0 && set->quantile < 1.0)) {
        free(scratch);
        free(st_k);
        return MIG_EUSAGE;
    }
    if (scratch && st_k && pop_alloc(&cur, s.n, n_par) && pop_alloc(&nxt, s.n, n_par)) {
        out->tolerance[0] = INFINITY;
        st = generation(&s, NULL, &cur, 0, INFINITY, set->jobs > 1 ? set->jobs : 1, st_k);
        out->runs[0] = out->total_runs = s.runs;
        if (st == MIG_OK && progress)
            progress(pdata, 0, INFINITY, out->runs[0], s.n);
        if (st == MIG_OK)
            st = run_generations(&s, set, &cur, &nxt, scratch, st_k, progress, pdata, out);
        if (st == MIG_OK)
            take(out, &s, &cur);
    }
    pop_free(&cur);
    pop_free(&nxt);
    free(scratch);
    free(st_k);
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
