/* mig_cmd_summarize.c: `migsim summarize RUN.h5... -o ENSEMBLE.h5 [--quantiles Q,...]`:
 * mean, standard deviation and quantiles across runs, for every variable over time. */
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_cmd.h"
#include "mig_ctx.h"
#include "mig_summarize.h"

int mig_cmd_summarize_main(int argc, char **argv);


int mig_cmd_summarize_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "quantiles", required_argument, NULL, 'Q' },
        { "threads", required_argument, NULL, 't' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *output = NULL, *qtext = "0.05,0.5,0.95";
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    double q[MIG_SUMMARIZE_MAX_QUANTILES];
    size_t n_in = 0, nq = 0;
    char *cmdline = NULL;
    long threads = 0;
    int quiet = 0, opt, rc;
    mig_ctx *ctx = NULL;
    mig_summarize_stats stats;
    mig_status st;

    if (!inputs)
        return mig_status_exit_code(MIG_ENOMEM);
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+o:t:qh", longopts, NULL)) != -1 || optind < argc) {
        if (opt == -1) {
            inputs[n_in++] = argv[optind++];
            continue;
        }
        switch (opt) {
        case 'o':
            output = optarg;
            break;
        case 'Q':
            qtext = optarg;
            break;
        case 't':
            if (mig_cmd_parse_long(optarg, 1, 4096, &threads)) {
                rc = mig_cmd_usage_error("summarize", "--threads: expected a positive integer, got \"%s\"", optarg);
                goto out;
            }
            break;
        case 'h':
            printf("Usage: migsim summarize RUN.h5... -o ENSEMBLE.h5 [--quantiles 0.05,0.5,0.95] [-t N] [-q]\n"
                   "Mean, sample standard deviation and quantiles across replicate runs, for every\n"
                   "variable (V_mean, V_sd, V_q05, ...), with the runs' dimension scales; the inputs\n"
                   "and their seeds are listed in /provenance. Inputs must share shapes and labels.\n"
                   "  -o, --output FILE       HDF5 file to write (temporary name, renamed on success)\n"
                   "      --quantiles LIST    comma-separated, each in [0, 1]\n"
                   "  -t, --threads N         OpenMP threads\n"
                   "  -q, --quiet             no log line\n");
            free(inputs);
            return 0;
        case 'q':
            quiet = 1;
            break;
        default:
            rc = mig_cmd_usage_error("summarize", "unknown or incomplete option \"%s\"", argv[optind - 1]);
            goto out;
        }
    }
    if (n_in == 0) {
        rc = mig_cmd_usage_error("summarize", "%s", "missing the run files to summarize (RUN.h5...)");
        goto out;
    }
    if (!output) {
        rc = mig_cmd_usage_error("summarize", "%s", "missing -o ENSEMBLE.h5");
        goto out;
    }
    if ((st = mig_ctx_create(&ctx)) != MIG_OK) {
        rc = mig_status_exit_code(st);
        goto out;
    }
    ctx->threads = threads > 0 ? (int)threads : omp_get_max_threads();
    if ((st = mig_summarize_parse_quantiles(qtext, q, &nq, ctx)) != MIG_OK) {
        fprintf(stderr, "migsim: summarize: %s\nTry 'migsim --help'.\n", mig_ctx_error_at(ctx, 0));
        rc = mig_status_exit_code(st);
        goto out;
    }
    if (!(cmdline = mig_cmd_line("migsim", argc, argv))) {
        rc = mig_status_exit_code(MIG_ENOMEM);
        goto out;
    }
    {
        mig_summarize_opts o = { q, nq, cmdline, 0 };
        st = mig_summarize(inputs, n_in, output, &o, ctx, &stats);
    }
    if (st != MIG_OK) {
        rc = mig_ctx_report(ctx, st, stderr);
        goto out;
    }
    if (!quiet)
        mig_log(ctx, MIG_LOG_INFO, "wrote %s: %zu variables over %zu run%s (mean, sd, quantiles %s), %zu "
                "coordinates copied", output, stats.n_vars, stats.n_inputs, stats.n_inputs == 1 ? "" : "s", qtext,
                stats.n_copied);
    rc = 0;
out:
    mig_ctx_destroy(&ctx);
    free(cmdline);
    free(inputs);
    return rc;
}
