/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_abc_write.c: the files of an ABC posterior (see mig_abc.h): the sample as CSV, for
 * `migsim ensemble --draws` and `--set`, and its record as YAML. */
#include "mig_abc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A comma-separated list of keys, one column each (a tied value repeated). */
static void header(FILE *f, const mig_abc_meta *m, size_t n_par)
{
    fputs("draw,weight", f);
    for (size_t i = 0; i < n_par; i++)
        fprintf(f, ",%s", m->names[i]);
    fputc('\n', f);
}

static size_t n_keys(const char *name)
{
    size_t n = 1;
    for (; *name; name++)
        n += *name == ',';
    return n;
}

static int write_csv(FILE *f, const mig_abc_result *r, const mig_abc_settings *set, const mig_abc_meta *m)
{
    size_t *idx = malloc(set->particles * sizeof *idx);
    if (!idx || mig_abc_resample(r, set->particles, set->seed + 1, idx) != MIG_OK) {
        free(idx);
        return 0;
    }
    header(f, m, r->n_par);
    for (size_t d = 0; d < set->particles; d++) {
        const double *th = r->theta + idx[d] * r->n_par;
        fprintf(f, "%zu,%.10g", d, 1.0 / (double)set->particles);
        for (size_t i = 0; i < r->n_par; i++)
            for (size_t k = 0; k < n_keys(m->names[i]); k++)
                fprintf(f, ",%.10g", th[i]);
        fputc('\n', f);
    }
    free(idx);
    return 1;
}

/* s as a YAML double-quoted scalar (one line) */
static void put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++)
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else
            fputc(*s == '\n' ? ' ' : *s, f);
    fputc('"', f);
}

static void yaml_params(FILE *f, const mig_abc_result *r, const mig_abc_prior *prior, const mig_abc_meta *m,
                        double *pairs)
{
    fputs("  parameters:             # prior, and the posterior's weighted mean, sd and quantiles\n", f);
    for (size_t i = 0; i < r->n_par; i++) {
        double mean, sd;
        mig_abc_moments(r, i, &mean, &sd);
        fprintf(f, "    - key: \"%s\"\n      prior: {distribution: %s, lo: %.10g, hi: %.10g}\n", m->names[i],
                m->distribution[i], prior[i].lo, prior[i].hi);
        fputs("      basis: ", f);
        put_quoted(f, m->basis[i]);
        fprintf(f, "\n      posterior: {mean: %.6g, sd: %.6g, q05: %.6g, q50: %.6g, q95: %.6g}\n", mean, sd,
                mig_abc_quantile(r, i, 0.05, pairs), mig_abc_quantile(r, i, 0.5, pairs), mig_abc_quantile(r, i, 0.95, pairs));
    }
}

static int write_yaml(FILE *f, const mig_abc_result *r, const mig_abc_settings *set, const mig_abc_prior *prior,
                      const mig_abc_meta *m, const char *csv)
{
    double *pairs = malloc(2 * r->n * sizeof *pairs);
    if (!pairs)
        return 0;
    fprintf(f, "# The record of an ABC-SMC posterior sample (migsim calibrate --abc); the draws are in %s.\n", csv);
    fprintf(f, "abc:\n  date: %s\n  scenario: ", m->date);
    put_quoted(f, m->scenario);
    fputs("\n  command: ", f);
    put_quoted(f, m->command);
    fprintf(f, "\n  window: %s\n  scale: %g\n  distance: ", m->window, m->scale);
    put_quoted(f, m->distance);
    fputc('\n', f);
    fprintf(f, "  particles: %zu\n  quantile: %g     # each tolerance: this quantile of the last distances\n",
            set->particles, set->quantile);
    fprintf(f, "  generations: %d        # after the first (from the prior)\n  stopped_by_budget: %s\n",
            r->generations, r->stopped_by_budget ? "true" : "false");
    fputs("  tolerances: [.inf", f);
    for (int g = 1; g <= r->generations; g++)
        fprintf(f, ", %.6g", r->tolerance[g]);
    fputs("]\n  runs: [", f);
    for (int g = 0; g <= r->generations; g++)
        fprintf(f, "%s%zu", g ? ", " : "", r->runs[g]);
    fprintf(f, "]           # by generation\n  total_runs: %zu\n  seconds: %.0f\n", r->total_runs, m->seconds);
    if (r->generations)
        fprintf(f, "  acceptance_last: %.4f     # accepted / runs in the last generation\n",
                (double)r->n / (double)r->runs[r->generations]);
    fprintf(f, "  draws: \"%s\"         # %zu draws resampled in proportion to the weights\n", csv, set->particles);
    yaml_params(f, r, prior, m, pairs);
    free(pairs);
    return 1;
}

static mig_status write_file(const char *path, int csv, const mig_abc_result *r, const mig_abc_settings *set,
                             const mig_abc_prior *prior, const mig_abc_meta *m, const char *csv_path, mig_ctx *ctx)
{
    char tmp[4096];
    FILE *f;
    int ok;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (!(f = fopen(tmp, "w")))
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot write: %s", path, strerror(errno));
    ok = csv ? write_csv(f, r, set, m) : write_yaml(f, r, set, prior, m, csv_path);
    ok &= !ferror(f);
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return mig_ctx_error(ctx, ok ? MIG_EIO : MIG_ENOMEM, "%s: cannot write: %s", path, strerror(e));
    }
    return MIG_OK;
}

mig_status mig_abc_write(const char *csv, const char *yaml, const mig_abc_result *r, const mig_abc_settings *set,
                         const mig_abc_prior *prior, const mig_abc_meta *m, mig_ctx *ctx)
{
    mig_status st = write_file(csv, 1, r, set, prior, m, csv, ctx);
    if (st == MIG_OK && (st = write_file(yaml, 0, r, set, prior, m, csv, ctx)) != MIG_OK)
        remove(csv);
    return st;
}
