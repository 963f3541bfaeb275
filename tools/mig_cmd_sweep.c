/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_cmd_sweep.c: `migsim sweep SPEC.yaml -o MANIFEST.csv`: expands a sweep spec into a
 * manifest with one row per run, for `migsim run --manifest MANIFEST.csv --task N`. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mig_cmd.h"
#include "mig_ctx.h"
#include "mig_sweep.h"

int mig_cmd_sweep_main(int argc, char **argv);


int mig_cmd_sweep_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *spec = NULL, *manifest = NULL;
    int quiet = 0, opt, rc;
    mig_ctx *ctx = NULL;
    mig_sweep *s = NULL;
    mig_status st;

    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+o:qh", longopts, NULL)) != -1 || optind < argc) {
        if (opt == -1) {
            if (spec)
                return mig_cmd_usage_error("sweep", "unexpected argument \"%s\"", argv[optind]);
            spec = argv[optind++];
            continue;
        }
        switch (opt) {
        case 'o':
            manifest = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            printf("Usage: migsim sweep SPEC.yaml -o MANIFEST.csv [-q]\n"
                   "Expands a sweep spec (a scenario, parameters as value lists or ranges, a grid\n"
                   "or a Sobol design, replicates, seeds) into a manifest with one row per run;\n"
                   "run row N with `migsim run --manifest MANIFEST.csv --task N` (N defaults to\n"
                   "$SLURM_ARRAY_TASK_ID). The spec format is in README.md, \"Sweeps and ensembles\".\n"
                   "  -o, --output FILE   manifest to write (temporary name, renamed on success)\n"
                   "  -q, --quiet         no log line\n");
            return 0;
        default:
            return mig_cmd_usage_error("sweep", "unknown or incomplete option \"%s\"", argv[optind - 1]);
        }
    }
    if (!spec)
        return mig_cmd_usage_error("sweep", "%s", "missing the sweep spec (SPEC.yaml)");
    if (!manifest)
        return mig_cmd_usage_error("sweep", "%s", "missing -o MANIFEST.csv");
    if ((st = mig_ctx_create(&ctx)) != MIG_OK)
        return mig_status_exit_code(st);
    st = mig_sweep_load(spec, ctx, &s);
    if (st == MIG_OK)
        st = mig_sweep_write_manifest(s, manifest, ctx);
    if (st != MIG_OK) {
        rc = mig_ctx_report(ctx, st, stderr);
    } else {
        uint64_t runs = mig_sweep_runs(s);
        if (!quiet)
            printf("%s: %" PRIu64 " run%s (%zu point%s x %" PRIu32 " replicate%s), tasks 0..%" PRIu64
                   ", outputs in %s/\n"
                   "run one:   migsim run --manifest %s --task N\n"
                   "submit:    sbatch --array=0-%" PRIu64 " scripts/slurm/array.sbatch %s\n",
                   manifest, runs, runs == 1 ? "" : "s", s->n_points, s->n_points == 1 ? "" : "s",
                   s->replicates, s->replicates == 1 ? "" : "s", runs - 1, s->output_dir, manifest,
                   runs - 1, manifest);
        rc = 0;
    }
    mig_sweep_destroy(&s);
    mig_ctx_destroy(&ctx);
    return rc;
}
