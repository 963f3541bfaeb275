/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_cmd_sobol.c: `migsim sobol MANIFEST.csv --output VAR -o SOBOL.csv`: Sobol indices of a
 * run output (a variable summed over a period) from the runs of a Saltelli sweep (design
 * saltelli), with bootstrap intervals: a CSV and a table on stdout. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mig_cmd.h"
#include "mig_ctx.h"
#include "mig_h5.h"
#include "mig_runvalue.h"
#include "mig_sobol.h"
#include "mig_sweep.h"
#include "mig_util.h"

int mig_cmd_sobol_main(int argc, char **argv);

typedef struct sobol_args {
    const char *manifest, *var, *period_text, *output;
    mig_period period;
    long boot;
    double level;
    uint64_t seed;
    int quiet;
} sobol_args;

static void print_help(void)
{
    printf("Usage: migsim sobol MANIFEST.csv --output VAR -o SOBOL.csv [--period P] [--bootstrap B]\n"
           "         [--level L] [--seed S] [-q]\n"
           "Sobol first-order (S1) and total (ST) indices of VAR summed over the period and all\n"
           "its other dimensions (e.g. encounters in FY2023), from the runs of a sweep with design\n"
           "saltelli (each point's replicates averaged), with bootstrap percentile intervals.\n"
           "  -O, --output VAR       a variable over time of the runs (encounters, arrivals, ...)\n"
           "  -p, --period P         FY2023, 2023-01, 2023-01:2023-03, 2023-01-15:2023-02-14 or all\n"
           "                         (default all)\n"
           "  -o FILE                the indices as CSV (temporary name, renamed on success)\n"
           "  -B, --bootstrap B      resamples of the base points (default 1000; 0: no intervals)\n"
           "  -l, --level L          the intervals' coverage (default 0.95)\n"
           "  -s, --seed S           the resampling's seed (default 1)\n"
           "  -q, --quiet            no table\n");
}

/* One option into a; 0, or the usage exit code. */
static int take_option(sobol_args *a, int opt, const char *arg, const char *argv_opt)
{
    char *end;
    switch (opt) {
    case 'O':
        a->var = arg;
        return 0;
    case 'p':
        a->period_text = arg;
        if (mig_period_parse(arg, &a->period))
            return mig_cmd_usage_error("sobol", "--period: expected FY2023, 2023-01, 2023-01:2023-03, "
                                       "2023-01-15:2023-02-14 or all, got \"%s\"", arg);
        return 0;
    case 'o':
        a->output = arg;
        return 0;
    case 'B':
        if (mig_cmd_parse_long(arg, 0, 100000, &a->boot))
            return mig_cmd_usage_error("sobol", "--bootstrap: expected 0 to 100000, got \"%s\"", arg);
        return 0;
    case 'l':
        a->level = strtod(arg, &end);
        if (end == arg || *end || !(a->level > 0 && a->level < 1))
            return mig_cmd_usage_error("sobol", "--level: expected a number between 0 and 1, got \"%s\"", arg);
        return 0;
    case 's':
        errno = 0;
        a->seed = strtoull(arg, &end, 10);
        if (end == arg || *end || *arg == '-' || errno == ERANGE)
            return mig_cmd_usage_error("sobol", "--seed: expected 0 to 2^64-1, got \"%s\"", arg);
        return 0;
    case 'q':
        a->quiet = 1;
        return 0;
    case 'h':
        print_help();
        return 0;
    default:
        return mig_cmd_usage_error("sobol", "unknown or incomplete option \"%s\"", argv_opt);
    }
}

/* The command line into a; -1 when the command is to run, else the exit code. */
static int parse_args(sobol_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'O' }, { "period", required_argument, NULL, 'p' },
        { "bootstrap", required_argument, NULL, 'B' }, { "level", required_argument, NULL, 'l' },
        { "seed", required_argument, NULL, 's' }, { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int opt, rc;
    *a = (sobol_args){ .boot = 1000, .level = 0.95, .seed = 1, .period = { .whole = 1 }, .period_text = "all" };
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+O:p:o:B:l:s:qh", longopts, NULL)) != -1 || optind < argc) {
        if (opt == -1) {
            if (a->manifest)
                return mig_cmd_usage_error("sobol", "unexpected argument \"%s\"", argv[optind]);
            a->manifest = argv[optind++];
            continue;
        }
        if ((rc = take_option(a, opt, optarg, argv[optind - 1])) != 0 || opt == 'h')
            return rc;
    }
    if (!a->manifest)
        return mig_cmd_usage_error("sobol", "%s", "missing the manifest (MANIFEST.csv, from migsim sweep)");
    if (!a->var)
        return mig_cmd_usage_error("sobol", "%s", "missing --output VAR (a variable of the runs, e.g. encounters)");
    if (!a->output)
        return mig_cmd_usage_error("sobol", "%s", "missing -o SOBOL.csv");
    return -1;
}

/* The layout of the manifest's rows: *reps replicates of each point, *n base points over
 * *k parameters; MIG_EDATA when the rows are not a Saltelli design as migsim sweep writes it. */
static mig_status saltelli_layout(mig_sweep_row *const *r, size_t m, const char *manifest, mig_ctx *ctx, size_t *n,
                                  size_t *k, size_t *reps)
{
    size_t R = 0, np, K = r[0]->n_set - 1;
    while (R < m && r[R]->point == 0)
        R++;
    for (size_t t = 0; t < m; t++)
        if (r[t]->point != t / R || r[t]->replicate != t % R)
            return mig_ctx_error(ctx, MIG_EDATA, "%s: task %zu: expected point %zu, replicate %zu (as migsim sweep "
                                 "writes them), got point %" PRIu64 ", replicate %" PRIu64, manifest, t, t / R, t % R,
                                 r[t]->point, r[t]->replicate);
    np = m / R;
    if (m % R || K == 0 || K > MIG_SOBOL_MAX_PARAMS || np % (K + 2) || np / (K + 2) < 2)
        return mig_ctx_error(ctx, MIG_EDATA, "%s: %zu points over %zu parameters are not a Saltelli design ((k + 2) x N "
                             "points, N >= 2: migsim sweep with design: saltelli)", manifest, np, K);
    *n = np / (K + 2);
    for (size_t i = 0; i < K; i++)
        for (size_t j = 0; j < *n; j++)
            for (size_t c = 0; c < K; c++) {
                size_t p = (2 + i) * *n + j, q = c == i ? *n + j : j;
                if (strcmp(r[p * R]->set[c], r[q * R]->set[c]) != 0)
                    return mig_ctx_error(ctx, MIG_EDATA, "%s: point %zu (block AB_%zu, row %zu): %s, expected the "
                                         "value of point %zu (not a Saltelli design: migsim sweep with design: "
                                         "saltelli)", manifest, p, i + 1, j, r[p * R]->set[c], q);
            }
    *k = K;
    *reps = R;
    return MIG_OK;
}

/* y[p]: the mean over point p's replicates of the runs' totals. */
static mig_status read_outputs(mig_sweep_row *const *r, size_t m, size_t reps, const sobol_args *a, mig_ctx *ctx,
                               double *y)
{
    mig_status st;
    for (size_t t = 0; t < m; t++) {
        double v;
        if ((st = mig_runvalue_total(r[t]->output, a->var, &a->period, ctx, &v)) != MIG_OK)
            return st;
        if (t % reps == 0)
            y[t / reps] = 0.0;
        y[t / reps] += v / (double)reps;
    }
    return MIG_OK;
}

/* The key of override "key=value" into buf. */
static const char *key_of(const char *set, char *buf, size_t n)
{
    const char *eq = strchr(set, '=');
    snprintf(buf, n, "%.*s", eq ? (int)(eq - set) : (int)strlen(set), set);
    return buf;
}

/* A CSV cell: quoted when it holds a comma or a quote. */
static void put_cell(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++)
        fprintf(f, *s == '"' ? "\"\"" : "%c", *s);
    fputc('"', f);
}

static int write_rows(FILE *f, const sobol_args *a, const mig_sobol_result *s, mig_sweep_row *const *r, size_t reps)
{
    char key[512];
    fputs("output,period,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high,base_points,replicates,runs,bootstrap,"
          "level,mean,variance\n", f);
    for (size_t i = 0; i < s->k; i++) {
        put_cell(f, a->var);
        fputc(',', f);
        put_cell(f, a->period_text);
        fputc(',', f);
        put_cell(f, key_of(r[0]->set[i], key, sizeof key));
        fprintf(f, ",%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%zu,%zu,%zu,%zu,%g,%.10g,%.10g\n", s->s1[i], s->s1_lo[i],
                s->s1_hi[i], s->st[i], s->st_lo[i], s->st_hi[i], s->n, reps, (s->k + 2) * s->n * reps, s->n_boot,
                s->level, s->mean, s->var);
    }
    return !ferror(f);
}

/* The indices as CSV at a->output, through a temporary file. */
static mig_status write_csv(const sobol_args *a, const mig_sobol_result *s, mig_sweep_row *const *r, size_t reps,
                            mig_ctx *ctx)
{
    char *tmp = mig_asprintf("%s.tmp.%ld", a->output, (long)getpid());
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    int ok = f && write_rows(f, a, s, r, reps);
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, a->output) != 0) {
        if (tmp)
            unlink(tmp);
        free(tmp);
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot write", a->output);
    }
    free(tmp);
    return MIG_OK;
}

static void print_table(const sobol_args *a, const mig_sobol_result *s, mig_sweep_row *const *r, size_t reps)
{
    char key[512];
    printf("%s: Sobol indices of %s over %s (%zu base points x %zu parameters + 2, %zu replicate%s, %zu runs; "
           "mean %.6g, variance %.6g)\n", a->output, a->var, a->period_text, s->n, s->k, reps, reps == 1 ? "" : "s",
           (s->k + 2) * s->n * reps, s->mean, s->var);
    printf("  %-44s %8s %18s %8s %18s\n", "parameter", "S1", "interval", "ST", "interval");
    for (size_t i = 0; i < s->k; i++)
        printf("  %-44s %8.4f [%7.4f, %7.4f] %8.4f [%7.4f, %7.4f]\n", key_of(r[0]->set[i], key, sizeof key), s->s1[i],
               s->s1_lo[i], s->s1_hi[i], s->st[i], s->st_lo[i], s->st_hi[i]);
    if (s->n_boot)
        printf("  (%g intervals: percentiles of %zu bootstrap resamples of the base points)\n", s->level, s->n_boot);
}

int mig_cmd_sobol_main(int argc, char **argv)
{
    sobol_args a;
    mig_ctx *ctx = NULL;
    mig_sweep_row **rows = NULL;
    mig_sobol_result s = { 0 };
    size_t m = 0, n = 0, k = 0, reps = 0;
    double *y = NULL;
    int rc = parse_args(&a, argc, argv);
    mig_status st;

    if (rc >= 0)
        return rc;
    if ((st = mig_ctx_create(&ctx)) != MIG_OK)
        return mig_status_exit_code(st);
    mig_h5_errors(ctx);
    if ((st = mig_sweep_rows(a.manifest, ctx, &rows, &m)) == MIG_OK &&
        (st = saltelli_layout(rows, m, a.manifest, ctx, &n, &k, &reps)) == MIG_OK &&
        !(y = malloc(m / reps * sizeof *y)))
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", a.manifest);
    if (st == MIG_OK && (st = read_outputs(rows, m, reps, &a, ctx, y)) == MIG_OK &&
        (st = mig_sobol_indices(y, n, k, (size_t)a.boot, a.level, a.seed, ctx, &s)) == MIG_OK &&
        (st = write_csv(&a, &s, rows, reps, ctx)) == MIG_OK && !a.quiet)
        print_table(&a, &s, rows, reps);
    rc = st == MIG_OK ? 0 : mig_ctx_report(ctx, st, stderr);
    mig_sobol_result_free(&s);
    free(y);
    mig_sweep_rows_destroy(&rows, m);
    mig_ctx_destroy(&ctx);
    return rc;
}
