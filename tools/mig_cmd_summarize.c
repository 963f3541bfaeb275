/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_cmd_summarize.c: `migsim summarize RUN.h5... -o ENSEMBLE.h5 [--quantiles Q,...]
 * [--vars NAME,...]`: mean, standard deviation and quantiles across runs, for every variable
 * over time (or those named). */
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_cmd.h"
#include "mig_ctx.h"
#include "mig_summarize.h"
#include "mig_util.h"

int mig_cmd_summarize_main(int argc, char **argv);

static void print_help(void)
{
    printf("Usage: migsim summarize RUN.h5... -o ENSEMBLE.h5 [--quantiles 0.05,0.5,0.95] [--vars NAME,...]\n"
           "         [-t N] [-q]\n"
           "Mean, sample standard deviation and quantiles across replicate runs, for every\n"
           "variable (V_mean, V_sd, V_q05, ...), with the runs' dimension scales; the inputs\n"
           "and their seeds are listed in /provenance. Inputs must share shapes and labels.\n"
           "  -o, --output FILE       HDF5 file to write (temporary name, renamed on success)\n"
           "      --quantiles LIST    comma-separated, each in [0, 1]\n"
           "      --vars NAME,...     summarize only these data variables (e.g. encounters);\n"
           "                          coordinates are copied as without it\n"
           "  -t, --threads N         OpenMP threads\n"
           "  -q, --quiet             no log line\n");
}

/* summarize's command line */
typedef struct summ_args {
    const char *output, *qtext, *vtext;
    const char **inputs;      /* [n_in] borrowed from argv; the array has argc + 1 entries */
    size_t n_in;
    long threads;
    int quiet;
} summ_args;

/* The command line into a; returns -1 when the command is to run, else the exit code. */
static int parse_args(summ_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "quantiles", required_argument, NULL, 'Q' },
        { "vars", required_argument, NULL, 'V' },
        { "threads", required_argument, NULL, 't' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int opt;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+o:t:qh", longopts, NULL)) != -1 || optind < argc) {
        switch (opt) {
        case -1:
            a->inputs[a->n_in++] = argv[optind++];
            break;
        case 'o':
            a->output = optarg;
            break;
        case 'Q':
            a->qtext = optarg;
            break;
        case 'V':
            a->vtext = optarg;
            break;
        case 't':
            if (mig_cmd_parse_long(optarg, 1, 4096, &a->threads))
                return mig_cmd_usage_error("summarize", "--threads: expected a positive integer, got \"%s\"", optarg);
            break;
        case 'h':
            print_help();
            return 0;
        case 'q':
            a->quiet = 1;
            break;
        default:
            return mig_cmd_usage_error("summarize", "unknown or incomplete option \"%s\"", argv[optind - 1]);
        }
    }
    if (a->n_in == 0)
        return mig_cmd_usage_error("summarize", "%s", "missing the run files to summarize (RUN.h5...)");
    if (!a->output)
        return mig_cmd_usage_error("summarize", "%s", "missing -o ENSEMBLE.h5");
    return -1;
}

int mig_cmd_summarize_main(int argc, char **argv)
{
    summ_args a = { .qtext = "0.05,0.5,0.95" };
    double q[MIG_SUMMARIZE_MAX_QUANTILES];
    size_t nq = 0, nv = 0;
    char *cmdline = NULL, **vars = NULL;
    int rc;
    mig_ctx *ctx = NULL;
    mig_summarize_stats stats;
    mig_status st;

    if (!(a.inputs = calloc((size_t)argc + 1, sizeof *a.inputs)))
        return mig_status_exit_code(MIG_ENOMEM);
    if ((rc = parse_args(&a, argc, argv)) >= 0)
        goto out;
    if ((st = mig_ctx_create(&ctx)) != MIG_OK) {
        rc = mig_status_exit_code(st);
        goto out;
    }
    ctx->threads = a.threads > 0 ? (int)a.threads : omp_get_max_threads();
    if ((st = mig_summarize_parse_quantiles(a.qtext, q, &nq, ctx)) != MIG_OK ||
        (a.vtext && (st = mig_summarize_parse_vars(a.vtext, &vars, &nv, ctx)) != MIG_OK)) {
        fprintf(stderr, "migsim: summarize: %s\nTry 'migsim --help'.\n", mig_ctx_error_at(ctx, 0));
        rc = mig_status_exit_code(st);
        goto out;
    }
    if (!(cmdline = mig_cmd_line("migsim", argc, argv))) {
        rc = mig_status_exit_code(MIG_ENOMEM);
        goto out;
    }
    {
        mig_summarize_opts o = { .quantiles = q, .n_quantiles = nq, .command_line = cmdline,
                                 .vars = (const char *const *)vars, .n_vars = nv };
        st = mig_summarize(a.inputs, a.n_in, a.output, &o, ctx, &stats);
    }
    if (st != MIG_OK) {
        rc = mig_ctx_report(ctx, st, stderr);
        goto out;
    }
    if (!a.quiet)
        mig_log(ctx, MIG_LOG_INFO, "wrote %s: %zu variables over %zu run%s (mean, sd, quantiles %s), %zu "
                "coordinates copied", a.output, stats.n_vars, stats.n_inputs, stats.n_inputs == 1 ? "" : "s",
                a.qtext, stats.n_copied);
    rc = 0;
out:
    mig_ctx_destroy(&ctx);
    free(cmdline);
    mig_free_strings(vars, nv);
    free(a.inputs);
    return rc;
}
