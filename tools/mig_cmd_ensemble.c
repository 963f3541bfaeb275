/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_cmd_ensemble.c: `migsim ensemble SCENARIO.yaml -o OUT.h5 [--draws DRAWS.csv]
 * [--seeds N] [--seed B] [--quantiles 5,50,95] [--vars NAME,...] [--set KEY=VALUE]...
 * [--threads N] [-q]`:
 * forecast intervals over parameter draws x seeds (mig_ensemble). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_cmd.h"
#include "mig_ctx.h"
#include "mig_ensemble.h"
#include "mig_summarize.h"
#include "mig_util.h"

int mig_cmd_ensemble_main(int argc, char **argv);

static void print_help(void)
{
    printf("Usage: migsim ensemble SCENARIO.yaml -o OUT.h5 [--draws DRAWS.csv] [--seeds N] [--seed B]\n"
           "         [--quantiles 5,10,25,50,75,90,95] [--vars NAME,...] [--set KEY=VALUE]... [--threads N]\n"
           "         [--check] [--keep-runs DIR] [-q]\n"
           "Runs the scenario for every parameter draw (a row of DRAWS.csv) with seeds B..B+N-1 (the\n"
           "same seeds for every draw) and writes one HDF5 file: for every variable V over time,\n"
           "V_mean, V_sd and V_quantile over (quantile, time, ...) across all draw x seed runs, with\n"
           "the runs' dimension scales; /provenance says which uncertainties are included.\n"
           "  -o, --output FILE       HDF5 file to write (temporary name, renamed on success)\n"
           "      --draws FILE        CSV: a column per scenario key (as for --set), a row per draw;\n"
           "                          optional first column \"draw\" (names), optional \"weight\"\n"
           "                          (>= 0: weighted statistics). Without it: seeds only\n"
           "      --seeds N           seeds per draw (default 10)\n"
           "  -s, --seed B            first seed (default 1)\n"
           "      --quantiles LIST    percentages in [0, 100], comma-separated (default 5,10,25,50,75,90,95)\n"
           "      --vars NAME,...     summarize only these data variables (e.g. encounters; checked\n"
           "                          against the first run); coordinates are copied as without it\n"
           "      --set KEY=VALUE     override a scenario key in every run (before the draw's values)\n"
           "  -t, --threads N         OpenMP threads (results do not depend on it)\n"
           "      --check             check the scenario and the draws, run nothing\n"
           "      --keep-runs DIR     keep the runs in DIR (a new folder; runs.csv lists them)\n"
           "  -q, --quiet             no log lines\n");
}

typedef struct ens_args {
    const char *scenario, *output, *draws, *qtext, *keep, *vtext;
    const char **sets;        /* [n_sets] borrowed from argv; argc entries */
    size_t n_sets;
    long threads, seeds;
    uint64_t seed;
    int quiet, check;
} ens_args;

static int parse_seed(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (*end || errno)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* One option into a; -1 when fine, else the exit code. */
static int parse_option(ens_args *a, int opt, char **argv)
{
    switch (opt) {
    case 'o': a->output = optarg; return -1;
    case 'D': a->draws = optarg; return -1;
    case 'Q': a->qtext = optarg; return -1;
    case 'S': a->sets[a->n_sets++] = optarg; return -1;
    case 'c': a->check = 1; return -1;
    case 'K': a->keep = optarg; return -1;
    case 'V': a->vtext = optarg; return -1;
    case 'q': a->quiet = 1; return -1;
    case 'N':
        if (mig_cmd_parse_long(optarg, 1, 1000000, &a->seeds))
            return mig_cmd_usage_error("ensemble", "--seeds: expected a whole number in [1, 1000000], got \"%s\"",
                                       optarg);
        return -1;
    case 's':
        if (parse_seed(optarg, &a->seed))
            return mig_cmd_usage_error("ensemble", "--seed: expected a seed in 0..2^64-1, got \"%s\"", optarg);
        return -1;
    case 't':
        if (mig_cmd_parse_long(optarg, 1, 4096, &a->threads))
            return mig_cmd_usage_error("ensemble", "--threads: expected a positive integer, got \"%s\"", optarg);
        return -1;
    case 'h':
        print_help();
        return 0;
    default:
        return mig_cmd_usage_error("ensemble", "unknown or incomplete option \"%s\"", argv[optind - 1]);
    }
}

/* The command line into a; returns -1 when the command is to run, else the exit code. */
static int parse_args(ens_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },  { "draws", required_argument, NULL, 'D' },
        { "seeds", required_argument, NULL, 'N' },   { "seed", required_argument, NULL, 's' },
        { "quantiles", required_argument, NULL, 'Q' }, { "set", required_argument, NULL, 'S' },
        { "threads", required_argument, NULL, 't' }, { "check", no_argument, NULL, 'c' },
        { "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
        { "keep-runs", required_argument, NULL, 'K' }, { "vars", required_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int opt, rc;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+o:s:t:qh", longopts, NULL)) != -1 || optind < argc) {
        if (opt != -1) {
            if ((rc = parse_option(a, opt, argv)) >= 0)
                return rc;
        } else if (!a->scenario) {
            a->scenario = argv[optind++];
        } else {
            return mig_cmd_usage_error("ensemble", "unexpected argument \"%s\"", argv[optind]);
        }
    }
    if (!a->scenario)
        return mig_cmd_usage_error("ensemble", "%s", "missing the scenario file (SCENARIO.yaml)");
    if (!a->output && !a->check)
        return mig_cmd_usage_error("ensemble", "%s", "missing -o OUT.h5");
    return -1;
}

/* --quantiles as percentages into q (fractions). */
static mig_status parse_percentages(const char *text, double *q, size_t *n, mig_ctx *ctx)
{
    char *copy = mig_asprintf("%s", text), *save = NULL, *tok, *frac;
    size_t len = 0;
    mig_status st = MIG_EUSAGE;
    if (!copy)
        return mig_ctx_error(ctx, MIG_ENOMEM, "out of memory");
    frac = calloc((strlen(text) + 1) * 32, 1);   /* at most 25 bytes per value, one value per 2 bytes */
    for (tok = strtok_r(copy, ",", &save); frac && tok; tok = strtok_r(NULL, ",", &save)) {
        double v;
        if (mig_parse_number(tok, &v) || v < 0 || v > 100)
            break;
        len += (size_t)sprintf(frac + len, "%s%.17g", len ? "," : "", v / 100.0);
    }
    if (!frac)
        st = mig_ctx_error(ctx, MIG_ENOMEM, "out of memory");
    else if (tok || !*text || text[0] == ',' || text[strlen(text) - 1] == ',' || strstr(text, ",,"))
        st = mig_ctx_error(ctx, MIG_EUSAGE, "--quantiles: expected percentages in [0, 100] separated by commas, "
                                            "got \"%s\"", text);
    else
        st = mig_summarize_parse_quantiles(frac, q, n, ctx);
    free(copy);
    free(frac);
    return st;
}

/* Reads and checks the draws (when given) against the scenario with the --set values. */
static mig_status load_draws(const ens_args *a, mig_ctx *ctx, mig_draws **dr)
{
    mig_status st;
    *dr = NULL;
    if (!a->draws) {
        mig_config *cfg = NULL;
        st = mig_config_load(a->scenario, a->sets, a->n_sets, ctx, &cfg);
        mig_config_destroy(&cfg);
        return st;
    }
    if ((st = mig_draws_load(a->draws, ctx, dr)) == MIG_OK &&
        (st = mig_draws_check(*dr, a->scenario, a->sets, a->n_sets, ctx)) != MIG_OK)
        mig_draws_destroy(dr);
    return st;
}

int mig_cmd_ensemble_main(int argc, char **argv)
{
    ens_args a = { .qtext = "5,10,25,50,75,90,95", .seeds = 10, .seed = 1 };
    double q[MIG_SUMMARIZE_MAX_QUANTILES];
    size_t nq = 0, nv = 0;
    char *cmdline = NULL, **vars = NULL;
    mig_ctx *ctx = NULL;
    mig_draws *dr = NULL;
    mig_ensemble_stats stats;
    mig_status st = MIG_OK;
    int rc;

    if (!(a.sets = calloc((size_t)argc + 1, sizeof *a.sets)))
        return mig_status_exit_code(MIG_ENOMEM);
    if ((rc = parse_args(&a, argc, argv)) >= 0)
        goto out;
    if ((st = mig_ctx_create(&ctx)) != MIG_OK) {
        rc = mig_status_exit_code(st);
        goto out;
    }
    ctx->threads = a.threads > 0 ? (int)a.threads : omp_get_max_threads();
    ctx->level = a.quiet ? MIG_LOG_QUIET : MIG_LOG_INFO;
    if ((st = parse_percentages(a.qtext, q, &nq, ctx)) != MIG_OK ||
        (a.vtext && (st = mig_summarize_parse_vars(a.vtext, &vars, &nv, ctx)) != MIG_OK)) {
        fprintf(stderr, "migsim: ensemble: %s\nTry 'migsim --help'.\n", mig_ctx_error_at(ctx, 0));
        rc = mig_status_exit_code(st);
        goto out;
    }
    if (!(cmdline = mig_cmd_line("migsim", argc, argv))) {
        rc = mig_status_exit_code(MIG_ENOMEM);
        goto out;
    }
    if ((st = load_draws(&a, ctx, &dr)) == MIG_OK && !a.check) {
        mig_ensemble_opts o = { .scenario = a.scenario, .output = a.output, .sets = a.sets, .n_sets = a.n_sets,
                                .draws = dr, .draws_path = a.draws, .seed = a.seed, .n_seeds = (uint32_t)a.seeds,
                                .quantiles = q, .n_quantiles = nq, .command_line = cmdline, .progress = !a.quiet,
                                .keep_runs = a.keep, .vars = (const char *const *)vars, .n_vars = nv };
        st = mig_ensemble_run(&o, ctx, &stats);
        if (st == MIG_OK)
            mig_log(ctx, MIG_LOG_INFO, "wrote %s: %zu variables over %zu runs (%s) in %.1f s", a.output,
                    stats.n_vars, stats.n_runs, stats.uncertainty, stats.wall_s);
    }
    rc = st == MIG_OK ? 0 : mig_ctx_report(ctx, st, stderr);
out:
    mig_draws_destroy(&dr);
    mig_ctx_destroy(&ctx);
    free(cmdline);
    mig_free_strings(vars, nv);
    free(a.sets);
    return rc;
}
