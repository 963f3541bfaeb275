/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_cmd_sobol.c: `migsim sobol MANIFEST.csv --output VAR -o SOBOL.h5|SOBOL.csv`: Sobol
 * indices of a run output (a variable summed over a period) from the runs of a Saltelli sweep
 * (design saltelli), with bootstrap intervals: HDF5 with provenance or CSV, and a table on
 * stdout. With --minus MANIFEST2 the output is the paired difference of each run and its
 * counterpart in a second sweep of the same design (e.g. a policy package switched off). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_version.h>

#include "mig_cmd.h"
#include "mig_ctx.h"
#include "mig_h5.h"
#include "mig_output.h"
#include "mig_runvalue.h"
#include "mig_sha256.h"
#include "mig_sobol.h"
#include "mig_sobol_h5.h"
#include "mig_sweep.h"
#include "mig_util.h"
#include "mig_version.h"

int mig_cmd_sobol_main(int argc, char **argv);

typedef struct sobol_args {
    const char *manifest, *minus, *var, *period_text, *output, *csv;
    mig_period period;
    long boot;
    double level;
    uint64_t seed;
    int quiet;
} sobol_args;

/* One manifest read as a Saltelli design. */
typedef struct design {
    const char *path;
    mig_sweep_row **r;                     /* owned [m] */
    size_t m, n, k, reps;                  /* rows, base points, parameters, replicates */
    size_t col[MIG_SOBOL_MAX_PARAMS];      /* the parameters' columns in each row's set[] */
    char sha256[MIG_SHA256_HEX];           /* of the manifest's bytes */
} design;

static void print_help(void)
{
    printf("Usage: migsim sobol MANIFEST.csv --output VAR -o SOBOL.h5|SOBOL.csv [--period P]\n"
           "         [--minus MANIFEST2.csv] [--csv SOBOL.csv] [--bootstrap B] [--level L] [--seed S] [-q]\n"
           "Sobol first-order (S1) and total (ST) indices of VAR summed over the period and all\n"
           "its other dimensions (e.g. encounters in FY2023), from the runs of a sweep with design\n"
           "saltelli (each point's replicates averaged), with bootstrap percentile intervals.\n"
           "  -O, --output VAR       a variable over time of the runs (encounters, arrivals, ...)\n"
           "  -p, --period P         FY2023, 2023-01, 2023-01:2023-03, 2023-01-15:2023-02-14 or all\n"
           "                         (default all)\n"
           "  -o FILE                the indices: HDF5 with provenance when FILE ends in .h5, .hdf5\n"
           "                         or .nc, else CSV (temporary name, renamed on success)\n"
           "  -m, --minus MANIFEST2  the indices of the paired difference run - run of MANIFEST2, a\n"
           "                         sweep of the same design, parameter values and seeds with another\n"
           "                         scenario or fixed settings (e.g. a package switched off)\n"
           "  -c, --csv FILE         the indices as CSV too (with an HDF5 -o)\n"
           "  -B, --bootstrap B      resamples of the base points (default 1000; 0: no intervals)\n"
           "  -l, --level L          the intervals' coverage (default 0.95)\n"
           "  -s, --seed S           the resampling's seed (default 1)\n"
           "  -q, --quiet            no table\n");
}

/* 1 when path names an HDF5 file by its extension. */
static int is_h5(const char *path)
{
    static const char *const ext[] = { ".h5", ".hdf5", ".nc" };
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (n > strlen(ext[i]) && strcmp(path + n - strlen(ext[i]), ext[i]) == 0)
            return 1;
    return 0;
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
    case 'm':
        a->minus = arg;
        return 0;
    case 'c':
        a->csv = arg;
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

/* What the options say together: -1 when the command is to run, else the usage exit code. */
static int check_args(const sobol_args *a)
{
    if (!a->manifest)
        return mig_cmd_usage_error("sobol", "%s", "missing the manifest (MANIFEST.csv, from migsim sweep)");
    if (!a->var)
        return mig_cmd_usage_error("sobol", "%s", "missing --output VAR (a variable of the runs, e.g. encounters)");
    if (!a->output)
        return mig_cmd_usage_error("sobol", "%s", "missing -o SOBOL.h5 or -o SOBOL.csv");
    if (a->csv && !is_h5(a->output))
        return mig_cmd_usage_error("sobol", "--csv %s: -o already writes CSV (--csv goes with -o FILE.h5)", a->csv);
    if (a->csv && strcmp(a->csv, a->output) == 0)
        return mig_cmd_usage_error("sobol", "--csv %s: the same file as -o", a->csv);
    if (a->minus && strcmp(a->minus, a->manifest) == 0)
        return mig_cmd_usage_error("sobol", "--minus %s: the same manifest: the difference would be zero", a->minus);
    return -1;
}

/* The command line into a; -1 when the command is to run, else the exit code. */
static int parse_args(sobol_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'O' }, { "period", required_argument, NULL, 'p' },
        { "minus", required_argument, NULL, 'm' }, { "csv", required_argument, NULL, 'c' },
        { "bootstrap", required_argument, NULL, 'B' }, { "level", required_argument, NULL, 'l' },
        { "seed", required_argument, NULL, 's' }, { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int opt, rc;
    *a = (sobol_args){ .boot = 1000, .level = 0.95, .seed = 1, .period = { .whole = 1 }, .period_text = "all" };
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+O:p:o:m:c:B:l:s:qh", longopts, NULL)) != -1 || optind < argc) {
        if (opt == -1) {
            if (a->manifest)
                return mig_cmd_usage_error("sobol", "unexpected argument \"%s\"", argv[optind]);
            a->manifest = argv[optind++];
            continue;
        }
        if ((rc = take_option(a, opt, optarg, argv[optind - 1])) != 0 || opt == 'h')
            return rc;
    }
    return check_args(a);
}

/* ------------------------------------------------------------------ the design ------ */

/* The key of override "key=value" into buf. */
static const char *key_of(const char *set, char *buf, size_t n)
{
    const char *eq = strchr(set, '=');
    snprintf(buf, n, "%.*s", eq ? (int)(eq - set) : (int)strlen(set), set);
    return buf;
}

/* d->col and d->k: the columns whose values vary over the rows (the parameters); a column
 * with one value in every row is a fixed setting. The last override is the seed. */
static mig_status parameter_columns(design *d, mig_ctx *ctx)
{
    size_t nc = d->r[0]->n_set - 1;
    d->k = 0;
    for (size_t c = 0; c < nc; c++) {
        size_t t = 1;
        while (t < d->m && strcmp(d->r[t]->set[c], d->r[0]->set[c]) == 0)
            t++;
        if (t == d->m)
            continue;
        if (d->k == MIG_SOBOL_MAX_PARAMS)
            return mig_ctx_error(ctx, MIG_EDATA, "%s: more than %d parameters vary (not a Saltelli design: migsim "
                                 "sweep with design: saltelli)", d->path, MIG_SOBOL_MAX_PARAMS);
        d->col[d->k++] = c;
    }
    return MIG_OK;
}

/* The layout of the manifest's rows: d->reps replicates of each point, d->n base points over
 * d->k parameters; MIG_EDATA when the rows are not a Saltelli design as migsim sweep writes it. */
static mig_status saltelli_layout(design *d, mig_ctx *ctx)
{
    mig_sweep_row *const *r = d->r;
    size_t R = 0, np, K, m = d->m;
    mig_status st;
    while (R < m && r[R]->point == 0)
        R++;
    for (size_t t = 0; t < m; t++)
        if (r[t]->point != t / R || r[t]->replicate != t % R)
            return mig_ctx_error(ctx, MIG_EDATA, "%s: task %zu: expected point %zu, replicate %zu (as migsim sweep "
                                 "writes them), got point %" PRIu64 ", replicate %" PRIu64, d->path, t, t / R, t % R,
                                 r[t]->point, r[t]->replicate);
    if ((st = parameter_columns(d, ctx)) != MIG_OK)
        return st;
    np = m / R;
    K = d->k;
    if (m % R || K == 0 || np % (K + 2) || np / (K + 2) < 2)
        return mig_ctx_error(ctx, MIG_EDATA, "%s: %zu points over %zu parameters are not a Saltelli design ((k + 2) x N "
                             "points, N >= 2: migsim sweep with design: saltelli)", d->path, np, K);
    d->n = np / (K + 2);
    d->reps = R;
    for (size_t i = 0; i < K; i++)
        for (size_t j = 0; j < d->n; j++)
            for (size_t c = 0; c < K; c++) {
                size_t p = (2 + i) * d->n + j, q = c == i ? d->n + j : j;
                if (strcmp(r[p * R]->set[d->col[c]], r[q * R]->set[d->col[c]]) != 0)
                    return mig_ctx_error(ctx, MIG_EDATA, "%s: point %zu (block AB_%zu, row %zu): %s, expected the "
                                         "value of point %zu (not a Saltelli design: migsim sweep with design: "
                                         "saltelli)", d->path, p, i + 1, j, r[p * R]->set[d->col[c]], q);
            }
    return MIG_OK;
}

/* Reads manifest path into *d (its rows, layout and digest). */
static mig_status design_read(const char *path, mig_ctx *ctx, design *d)
{
    char *text = NULL;
    size_t len = 0;
    int err = 0;
    mig_status st;
    memset(d, 0, sizeof *d);
    d->path = path;
    if ((st = mig_sweep_rows(path, ctx, &d->r, &d->m)) != MIG_OK)
        return st;
    if (mig_file_read(path, &text, &len, &err) != MIG_OK)
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot read: %s", path, strerror(err));
    mig_sha256_hex(text, len, d->sha256);
    free(text);
    return saltelli_layout(d, ctx);
}

static void design_free(design *d)
{
    mig_sweep_rows_destroy(&d->r, d->m);
}

#define SAME_DESIGN "the two manifests must be one design: the same sweep spec but for the scenario, output_dir " \
                    "and fixed settings"

/* 1 when column c of d's rows is one of its parameters. */
static int is_param(const design *d, size_t c)
{
    for (size_t i = 0; i < d->k; i++)
        if (d->col[i] == c)
            return 1;
    return 0;
}

/* 1 when the two designs' runs are set up alike: the same scenario file and the same fixed
 * settings (the overrides that are neither parameters nor the seed). */
static int same_setup(const design *a, const design *b)
{
    const mig_sweep_row *ra = a->r[0], *rb = b->r[0];
    char *pa = realpath(ra->scenario, NULL), *pb = realpath(rb->scenario, NULL);
    int same = strcmp(pa ? pa : ra->scenario, pb ? pb : rb->scenario) == 0 && ra->n_set - a->k == rb->n_set - b->k;
    free(pa);
    free(pb);
    for (size_t c = 0; same && c + 1 < ra->n_set; c++) {
        int found = is_param(a, c);
        for (size_t e = 0; !found && e + 1 < rb->n_set; e++)
            found = !is_param(b, e) && strcmp(ra->set[c], rb->set[e]) == 0;
        same = found;
    }
    return same;
}

/* b is a's counterpart: the same layout, parameters, values and seeds row by row, other runs
 * (outputs), and another scenario or other fixed settings. MIG_EDATA naming b's task and
 * field, or MIG_EUSAGE when the two would give the same runs. */
static mig_status pair_designs(const design *a, const design *b, mig_ctx *ctx)
{
    char ka[512], kb[512];
    if (b->m != a->m || b->k != a->k || b->reps != a->reps)
        return mig_ctx_error(ctx, MIG_EDATA, "%s: %zu runs (%zu base points x %zu parameters, %zu replicates), %s has "
                             "%zu (%zu x %zu, %zu): " SAME_DESIGN, b->path, b->m, b->n, b->k, b->reps, a->path, a->m,
                             a->n, a->k, a->reps);
    for (size_t i = 0; i < a->k; i++)
        if (strcmp(key_of(a->r[0]->set[a->col[i]], ka, sizeof ka), key_of(b->r[0]->set[b->col[i]], kb, sizeof kb)))
            return mig_ctx_error(ctx, MIG_EDATA, "%s: parameter %zu is %s, %s has %s: " SAME_DESIGN, b->path, i + 1, kb,
                                 a->path, ka);
    for (size_t t = 0; t < a->m; t++) {
        const mig_sweep_row *ra = a->r[t], *rb = b->r[t];
        if (rb->seed != ra->seed)
            return mig_ctx_error(ctx, MIG_EDATA, "%s: task %zu: seed: %" PRIu64 ", %s has %" PRIu64 ": " SAME_DESIGN,
                                 b->path, t, rb->seed, a->path, ra->seed);
        for (size_t i = 0; i < a->k; i++)
            if (strcmp(ra->set[a->col[i]], rb->set[b->col[i]]) != 0)
                return mig_ctx_error(ctx, MIG_EDATA, "%s: task %zu: %s, %s has %s: " SAME_DESIGN, b->path, t,
                                     rb->set[b->col[i]], a->path, ra->set[a->col[i]]);
        if (strcmp(ra->output, rb->output) == 0)
            return mig_ctx_error(ctx, MIG_EUSAGE, "%s: task %zu: the same run as %s's (%s): give the counterfactual "
                                 "sweep its own output_dir", b->path, t, a->path, rb->output);
    }
    if (same_setup(a, b))
        return mig_ctx_error(ctx, MIG_EUSAGE, "%s: the same scenario and fixed settings as %s: the difference would be "
                             "zero (give the counterfactual a fixed setting, e.g. {key: \"packages[P].enabled\", "
                             "values: [false]})", b->path, a->path);
    return MIG_OK;
}

/* y[p]: the mean over point p's replicates of the runs' totals (minus, when b is given, the
 * totals of b's runs of the same task). */
static mig_status read_outputs(const design *a, const design *b, const sobol_args *args, mig_ctx *ctx, double *y)
{
    mig_status st;
    for (size_t t = 0; t < a->m; t++) {
        double v, w = 0.0;
        if ((st = mig_runvalue_total(a->r[t]->output, args->var, &args->period, ctx, &v)) != MIG_OK ||
            (b && (st = mig_runvalue_total(b->r[t]->output, args->var, &args->period, ctx, &w)) != MIG_OK))
            return st;
        if (t % a->reps == 0)
            y[t / a->reps] = 0.0;
        y[t / a->reps] += (v - w) / (double)a->reps;
    }
    return MIG_OK;
}

/* ------------------------------------------------------------------ the files ------- */

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

static int write_rows(FILE *f, const sobol_args *a, const mig_sobol_result *s, const design *d)
{
    char key[512];
    fputs("output,period,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high,base_points,replicates,runs,bootstrap,"
          "level,mean,variance,minus\n", f);
    for (size_t i = 0; i < s->k; i++) {
        put_cell(f, a->var);
        fputc(',', f);
        put_cell(f, a->period_text);
        fputc(',', f);
        put_cell(f, key_of(d->r[0]->set[d->col[i]], key, sizeof key));
        fprintf(f, ",%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%zu,%zu,%zu,%zu,%g,%.10g,%.10g,", s->s1[i], s->s1_lo[i],
                s->s1_hi[i], s->st[i], s->st_lo[i], s->st_hi[i], s->n, d->reps, d->m * (a->minus ? 2 : 1), s->n_boot,
                s->level, s->mean, s->var);
        put_cell(f, a->minus ? a->minus : "");
        fputc('\n', f);
    }
    return !ferror(f);
}

/* The indices as CSV at path, through a temporary file. */
static mig_status write_csv(const char *path, const sobol_args *a, const mig_sobol_result *s, const design *d,
                            mig_ctx *ctx)
{
    char *tmp = mig_asprintf("%s.tmp.%ld", path, (long)getpid());
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    int ok = f && write_rows(f, a, s, d);
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        if (tmp)
            unlink(tmp);
        free(tmp);
        return mig_ctx_error(ctx, MIG_EIO, "%s: cannot write", path);
    }
    free(tmp);
    return MIG_OK;
}

/* s's n strings joined by newlines (caller frees; NULL when memory runs out). */
static char *lines(const char *const *s, size_t n)
{
    size_t len = 1;
    char *out;
    for (size_t i = 0; i < n; i++)
        len += strlen(s[i]) + 1;
    if (!(out = calloc(len, 1)))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(out, "\n");
        strcat(out, s[i]);
    }
    return out;
}

/* The fixed settings of d's runs (overrides that are no parameter, not the seed), one a line. */
static char *fixed_settings(const design *d)
{
    const mig_sweep_row *r = d->r[0];
    const char **v = calloc(r->n_set, sizeof *v);
    size_t n = 0;
    char *out;
    for (size_t c = 0; v && c + 1 < r->n_set; c++)
        if (!is_param(d, c))
            v[n++] = r->set[c];
    out = v ? lines(v, n) : NULL;
    free(v);
    return out;
}

/* The run outputs of d, one a line. */
static char *run_list(const design *d)
{
    const char **v = malloc((d->m ? d->m : 1) * sizeof *v);
    char *out;
    for (size_t t = 0; v && t < d->m; t++)
        v[t] = d->r[t]->output;
    out = v ? lines(v, d->m) : NULL;
    free(v);
    return out;
}

/* Texts the provenance holds, owned. */
typedef struct prov_texts {
    char *fixed, *minus_fixed, *runs, *minus_runs, *long_name;
} prov_texts;

static mig_status prov_texts_make(const sobol_args *a, const design *d, const design *b, prov_texts *p, mig_ctx *ctx)
{
    p->fixed = fixed_settings(d);
    p->runs = run_list(d);
    p->minus_fixed = b ? fixed_settings(b) : strdup("");
    p->minus_runs = b ? run_list(b) : strdup("");
    p->long_name = b ? mig_asprintf("%s summed over %s and its other dimensions: each run of %s minus the run of %s "
                                    "with the same parameter values and seed (paired)", a->var, a->period_text,
                                    a->manifest, a->minus)
                     : mig_asprintf("%s summed over %s and its other dimensions", a->var, a->period_text);
    if (!p->fixed || !p->runs || !p->minus_fixed || !p->minus_runs || !p->long_name)
        return mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", a->output);
    return MIG_OK;
}

static void prov_texts_free(prov_texts *p)
{
    MIG_FREE_ALL(p->fixed, p->minus_fixed, p->runs, p->minus_runs, p->long_name);
}

/* The indices as HDF5 at a->output, with the provenance. */
static mig_status write_h5(const sobol_args *a, const char *cmdline, const mig_sobol_result *s, const design *d,
                           const design *b, mig_ctx *ctx)
{
    char hdf5[32], created[32], nb[32], reps[32], runs[32], boot[32], level[32], seed[32], key[MIG_SOBOL_MAX_PARAMS][512];
    const char *keys[MIG_SOBOL_MAX_PARAMS], *job = getenv("SLURM_JOB_ID");
    time_t now = time(NULL);
    struct tm tmv;
    prov_texts p = { 0 };
    mig_status st;

    for (size_t i = 0; i < s->k; i++)
        keys[i] = key_of(d->r[0]->set[d->col[i]], key[i], sizeof key[i]);
    mig_output_hdf5_version(hdf5, sizeof hdf5);
    gmtime_r(&now, &tmv);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    snprintf(nb, sizeof nb, "%zu", s->n);
    snprintf(reps, sizeof reps, "%zu", d->reps);
    snprintf(runs, sizeof runs, "%zu", d->m * (b ? 2 : 1));
    snprintf(boot, sizeof boot, "%zu", s->n_boot);
    snprintf(level, sizeof level, "%g", s->level);
    snprintf(seed, sizeof seed, "%" PRIu64, a->seed);
    if ((st = prov_texts_make(a, d, b, &p, ctx)) == MIG_OK) {
        const mig_prov_item prov[] = {
            { "migsim_version", MIG_VERSION }, { "git_revision", MIG_GIT_REVISION },
            { "compiler", MIGSIM_COMPILER }, { "gsl_version", GSL_VERSION }, { "hdf5_version", hdf5 },
            { "command_line", cmdline }, { "created_utc", created }, { "slurm_job_id", job ? job : "" },
            { "manifest", a->manifest }, { "manifest_sha256", d->sha256 }, { "scenario_path", d->r[0]->scenario },
            { "fixed_settings", p.fixed }, { "runs", p.runs },
            { "minus_manifest", b ? a->minus : "" }, { "minus_manifest_sha256", b ? b->sha256 : "" },
            { "minus_scenario_path", b ? b->r[0]->scenario : "" }, { "minus_fixed_settings", p.minus_fixed },
            { "minus_runs", p.minus_runs },
            { "base_points", nb }, { "replicates", reps }, { "n_runs", runs },
            { "bootstrap", boot }, { "level", level }, { "bootstrap_seed", seed },
            { "estimators", "S1: Saltelli et al. 2010, table 2 (b), f(B) centred on the mean over A and B; ST: "
                            "Jansen 1999; V: the variance over A and B (divided by 2N); each point's output the "
                            "mean of its replicates; intervals: percentiles of bootstrap resamples of the N base "
                            "points (Philox keyed by bootstrap_seed, resample, row)" },
        };
        const mig_sobol_h5_labels lab = { .output = a->var, .period = a->period_text, .long_name = p.long_name,
                                          .parameters = keys, .replicates = d->reps, .runs = d->m * (b ? 2 : 1) };
        st = mig_sobol_write_h5(a->output, s, &lab, prov, sizeof prov / sizeof prov[0], ctx);
    }
    prov_texts_free(&p);
    return st;
}

static void print_table(const sobol_args *a, const mig_sobol_result *s, const design *d)
{
    char key[512];
    size_t runs = d->m * (a->minus ? 2 : 1);
    int w = 44;
    printf("%s: Sobol indices of %s over %s%s%s (%zu base points x %zu parameters + 2, %zu replicate%s, %zu runs; "
           "mean %.6g, variance %.6g)\n", a->output, a->var, a->period_text, a->minus ? ", minus the runs of " : "",
           a->minus ? a->minus : "", s->n, s->k, d->reps, d->reps == 1 ? "" : "s", runs, s->mean, s->var);
    for (size_t i = 0; i < s->k; i++)
        if (strlen(key_of(d->r[0]->set[d->col[i]], key, sizeof key)) > (size_t)w)
            w = (int)strlen(key);
    printf("  %-*s %8s %18s %8s %18s\n", w, "parameter", "S1", "interval", "ST", "interval");
    for (size_t i = 0; i < s->k; i++)
        printf("  %-*s %8.4f [%7.4f, %7.4f] %8.4f [%7.4f, %7.4f]\n", w,
               key_of(d->r[0]->set[d->col[i]], key, sizeof key), s->s1[i], s->s1_lo[i], s->s1_hi[i], s->st[i],
               s->st_lo[i], s->st_hi[i]);
    if (s->n_boot)
        printf("  (%g intervals: percentiles of %zu bootstrap resamples of the base points)\n", s->level, s->n_boot);
}

/* The indices from the designs' runs, written where a asks. */
static mig_status sobol(const sobol_args *a, const char *cmdline, mig_ctx *ctx)
{
    design d = { 0 }, b = { 0 };
    mig_sobol_result s = { 0 };
    double *y = NULL;
    mig_status st;

    if ((st = design_read(a->manifest, ctx, &d)) == MIG_OK && a->minus &&
        (st = design_read(a->minus, ctx, &b)) == MIG_OK)
        st = pair_designs(&d, &b, ctx);
    if (st == MIG_OK && !(y = malloc(d.m / d.reps * sizeof *y)))
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", a->manifest);
    if (st == MIG_OK && (st = read_outputs(&d, a->minus ? &b : NULL, a, ctx, y)) == MIG_OK &&
        (st = mig_sobol_indices(y, d.n, d.k, (size_t)a->boot, a->level, a->seed, ctx, &s)) == MIG_OK) {
        if (is_h5(a->output))
            st = write_h5(a, cmdline, &s, &d, a->minus ? &b : NULL, ctx);
        else
            st = write_csv(a->output, a, &s, &d, ctx);
        if (st == MIG_OK && a->csv)
            st = write_csv(a->csv, a, &s, &d, ctx);
        if (st == MIG_OK && !a->quiet)
            print_table(a, &s, &d);
    }
    mig_sobol_result_free(&s);
    free(y);
    design_free(&b);
    design_free(&d);
    return st;
}

int mig_cmd_sobol_main(int argc, char **argv)
{
    sobol_args a;
    mig_ctx *ctx = NULL;
    char *cmdline = NULL;
    int rc = parse_args(&a, argc, argv);
    mig_status st;

    if (rc >= 0)
        return rc;
    if ((st = mig_ctx_create(&ctx)) != MIG_OK)
        return mig_status_exit_code(st);
    mig_h5_errors(ctx);
    if (!(cmdline = mig_cmd_line("migsim", argc, argv)))
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", a.output);
    else
        st = sobol(&a, cmdline, ctx);
    rc = st == MIG_OK ? 0 : mig_ctx_report(ctx, st, stderr);
    free(cmdline);
    mig_ctx_destroy(&ctx);
    return rc;
}
