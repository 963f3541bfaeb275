/* main.c: the migsim command line: `run` and `check` subcommands, --help and --version.
 * The only place that prints errors and exits; everything else returns a mig_status. */
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_cmd.h"
#include "mig_comm.h"
#include "mig_config.h"
#include "mig_ctx.h"
#include "mig_model.h"
#include "mig_output.h"
#include "mig_run.h"
#include "mig_signal.h"
#include "mig_sweep.h"
#include "mig_version.h"
#include "mig_policy.h"
#include "mig_world.h"

static void usage(FILE *f)
{
    fprintf(f,
            "migsim %s: agent-based simulator of irregular migration along the\n"
            "Central America - Mexico - United States corridor.\n"
            "\n"
            "Usage:\n"
            "  migsim run SCENARIO.yaml -o OUTPUT.h5 [options]   run a scenario, write HDF5\n"
            "  migsim check SCENARIO.yaml [--set KEY=VALUE]...   validate only, report every problem\n"
            "  migsim run --manifest MANIFEST.csv [--task N]     run row N of a sweep (see sweep below)\n",
            MIG_VERSION);
    for (const mig_cmd *c = mig_cmds; c->name; c++)
        fprintf(f, "%s\n", c->usage);
    fprintf(f,
            "  migsim --help | --version\n"
            "\n"
            "Options of run and check:\n"
            "  -o, --output FILE      HDF5 file to write (run only; required). It is written under\n"
            "                         FILE.tmp.<pid> and renamed to FILE only when the run succeeds.\n"
            "  -s, --seed N           random seed, 0..2^64-1 (same as --set seed=N)\n"
            "  -t, --threads N        OpenMP threads (default: OMP_NUM_THREADS, else all cores).\n"
            "                         Results are identical for any thread count.\n"
            "      --set KEY=VALUE    override a scenario key; repeatable; checked like the file.\n"
            "                         KEY is a dotted path: days, movement.distance_power,\n"
            "                         speed_km_per_day.bus, sources[0].rate, nationalities=[A, B]\n"
            "      --checkpoint FILE  checkpoint path (default OUTPUT.ckpt)\n"
            "      --checkpoint-every DAYS  write a checkpoint every DAYS simulated days\n"
            "      --stop-after DAYS  write a checkpoint after DAYS days and stop (exit 75)\n"
            "      --restart FILE     resume from a checkpoint (same scenario and --set options);\n"
            "                         the output equals an uninterrupted run's. On SIGTERM or\n"
            "                         SIGUSR1 a run finishes the day, checkpoints and exits 75.\n"
            "      --manifest FILE    take the scenario, output, seed and --set values from row N of\n"
            "      --task N           a manifest written by `migsim sweep` (run only; N defaults to\n"
            "                         $SLURM_ARRAY_TASK_ID; more --set options apply after the row's)\n"
            "  -q, --quiet            no progress or log lines (errors are still printed)\n"
            "  -v, --verbose          more log lines\n"
            "  -h, --help             this help\n"
            "  -V, --version          version, git revision and library versions\n"
            "\n"
            "Progress: a redrawn line when stderr is a terminal; timestamped log lines otherwise\n"
            "(batch jobs, SLURM).\n"
            "\n"
            "Models:\n");
    for (size_t i = 0; mig_model_at(i); i++)
        fprintf(f, "  %-10s %s\n", mig_model_at(i)->name, mig_model_at(i)->summary);
    fprintf(f, "\n"
               "Exit status: 0 success, 64 usage error, 65 bad data (CSV contents, graph),\n"
               "66 missing input file, 70 internal error, 71 out of memory, 74 I/O error,\n"
               "75 interrupted (checkpoint written), 78 bad configuration (scenario YAML).\n"
               "\n"
               "Example:\n"
               "  migsim run configs/demo.yaml -o out.h5 --seed 7 --threads 2 --set days=120\n"
               "  python3 -c 'import xarray as xr; print(xr.open_dataset(\"out.h5\"))'\n");
}

static void version(void)
{
    char hdf5[32];
    mig_output_hdf5_version(hdf5, sizeof hdf5);
    printf("migsim %s (git %s)\n", MIG_VERSION, MIG_GIT_REVISION);
    printf("compiler %s, GSL %s, HDF5 %s, OpenMP %d\n", MIGSIM_COMPILER, GSL_VERSION, hdf5, _OPENMP);
}


static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "migsim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'migsim --help'.\n");
    return mig_status_exit_code(MIG_EUSAGE);
}

/* Parses a positive integer option; returns 0 on success. */
static int parse_count(const char *s, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' }, { "seed", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 't' }, { "set", required_argument, NULL, 'S' },
        { "quiet", no_argument, NULL, 'q' },         { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },          { "version", no_argument, NULL, 'V' },
        { "checkpoint", required_argument, NULL, 'C' }, { "checkpoint-every", required_argument, NULL, 'E' },
        { "restart", required_argument, NULL, 'R' }, { "stop-after", required_argument, NULL, 'A' },
        { "manifest", required_argument, NULL, 'M' }, { "task", required_argument, NULL, 'K' },
        { NULL, 0, NULL, 0 }
    };
    const char *cmd = NULL, *scenario = NULL, *output = NULL;
    char **overrides = NULL, *seed_override = NULL, *cmdline = NULL;
    size_t n_over = 0, cmdlen = 1;
    long threads = 0, every = 0, stop_after = 0;
    const char *checkpoint = NULL, *restart = NULL;
    const char *manifest = NULL, *task = NULL;   /* run --manifest M --task N */
    mig_sweep_row *row = NULL;
    int quiet = 0, verbose = 0, opt, rc;
    mig_ctx *ctx = NULL;
    mig_config *cfg = NULL;
    mig_comm comm = { 0, 1, 0, 0 };
    mig_status st;

    gsl_set_error_handler_off();
    for (const mig_cmd *c = mig_cmds; argc > 1 && c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->main(argc - 1, argv + 1);
    overrides = calloc((size_t)argc + 1, sizeof *overrides);
    if (!overrides)
        return mig_status_exit_code(MIG_ENOMEM);
    for (int i = 0; i < argc; i++)
        cmdlen += strlen(argv[i]) + 1;
    cmdline = calloc(cmdlen, 1);
    if (!cmdline) {
        free(overrides);
        return mig_status_exit_code(MIG_ENOMEM);
    }
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(cmdline, " ");
        strcat(cmdline, argv[i]);
    }

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+o:s:t:qvhV", longopts, NULL)) != -1 || optind < argc) {
        if (opt == -1) {
            /* a positional argument: the subcommand, then the scenario */
            if (!cmd)
                cmd = argv[optind];
            else if (!scenario)
                scenario = argv[optind];
            else {
                rc = usage_error("unexpected argument \"%s\"", argv[optind]);
                goto out;
            }
            optind++;
            continue;
        }
        switch (opt) {
        case 'o':
            output = optarg;
            break;
        case 's': {
            size_t n = strlen(optarg) + 6;
            free(seed_override);
            seed_override = malloc(n);
            if (!seed_override) {
                rc = mig_status_exit_code(MIG_ENOMEM);
                goto out;
            }
            snprintf(seed_override, n, "seed=%s", optarg);
            break;
        }
        case 't':
            if (parse_count(optarg, 4096, &threads)) {
                rc = usage_error("--threads: expected a positive integer, got \"%s\"", optarg);
                goto out;
            }
            break;
        case 'S':
            overrides[n_over++] = optarg;
            break;
        case 'C':
            checkpoint = optarg;
            break;
        case 'R':
            restart = optarg;
            break;
        case 'E':
        case 'A':
            if (parse_count(optarg, 65535, opt == 'E' ? &every : &stop_after)) {
                rc = usage_error(opt == 'E' ? "--checkpoint-every: expected a number of days in [1, 65535], got \"%s\""
                                            : "--stop-after: expected a number of days in [1, 65535], got \"%s\"",
                                 optarg);
                goto out;
            }
            break;
        case 'M':
            manifest = optarg;
            break;
        case 'K':
            task = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'v':
            verbose = 1;
            break;
        case 'h':
            usage(stdout);
            rc = 0;
            goto out;
        case 'V':
            version();
            rc = 0;
            goto out;
        default:
            rc = usage_error("unknown or incomplete option \"%s\"", argv[optind - 1]);
            goto out;
        }
    }
    if (seed_override)
        overrides[n_over++] = seed_override;
    if (!cmd) {
        usage(stderr);
        rc = mig_status_exit_code(MIG_EUSAGE);
        goto out;
    }
    if (strcmp(cmd, "run") && strcmp(cmd, "check")) {
        rc = usage_error("unknown command \"%s\" (expected run or check)", cmd);
        goto out;
    }
    if (manifest || task) {
        /* run --manifest M [--task N]: scenario, output, seed and overrides from row N */
        mig_ctx *mctx = NULL;
        char **all;
        if (!manifest || strcmp(cmd, "run") || scenario || output || seed_override) {
            rc = usage_error("%s", !manifest ? "--task needs --manifest MANIFEST.csv"
                                             : "--manifest takes the place of SCENARIO.yaml, -o and --seed (run only)");
            goto out;
        }
        st = mig_ctx_create(&mctx);
        if (st == MIG_OK)
            st = mig_sweep_task(manifest, task, mctx, &row);
        rc = st == MIG_OK ? 0 : mctx ? mig_ctx_report(mctx, st, stderr) : mig_status_exit_code(st);
        mig_ctx_destroy(&mctx);
        all = rc ? NULL : calloc(n_over + row->n_set + 1, sizeof *all);
        if (!rc && !all)
            rc = mig_status_exit_code(MIG_ENOMEM);
        if (rc)
            goto out;
        memcpy(all, row->set, row->n_set * sizeof *all);
        memcpy(all + row->n_set, overrides, n_over * sizeof *all);
        free(overrides);
        overrides = all;
        n_over += row->n_set;
        scenario = row->scenario;
        output = row->output;
    }
    if (!scenario) {
        rc = usage_error("%s: missing the scenario file", cmd);
        goto out;
    }
    if (!strcmp(cmd, "run") && !output) {
        rc = usage_error("%s: missing -o OUTPUT.h5", cmd);
        goto out;
    }

    if ((st = mig_ctx_create(&ctx)) != MIG_OK) {
        rc = mig_status_exit_code(st);
        goto out;
    }
    if ((st = mig_comm_init(&argc, &argv, &comm)) != MIG_OK) {
        rc = mig_ctx_report(ctx, mig_ctx_error(ctx, st, "cannot initialise MPI"), stderr);
        goto out;
    }
    ctx->comm = &comm;
    /* only rank 0 logs; errors are printed by every rank that has them */
    ctx->level = quiet || comm.rank > 0 ? MIG_LOG_QUIET : verbose ? MIG_LOG_DEBUG : MIG_LOG_INFO;
    ctx->threads = threads > 0 ? (int)threads : omp_get_max_threads();

    st = mig_config_load(scenario, (const char *const *)overrides, n_over, ctx, &cfg);
    if (st != MIG_OK) {
        rc = mig_ctx_report(ctx, st, stderr);
        goto out;
    }
    if (!strcmp(cmd, "check")) {
        mig_world *w = NULL;
        st = mig_world_create(cfg, ctx, &w);
        if (st != MIG_OK) {
            rc = mig_ctx_report(ctx, st, stderr);
            goto out;
        }
        printf("%s: OK (model %s, %u places, %u links, %u nationalities, %u sources, %u days from %s)\n",
               scenario, cfg->model, w->net->n_places, w->net->n_links, cfg->n_nationalities, cfg->n_sources,
               cfg->days, cfg->start_date);
        if (cfg->n_packages || cfg->n_caravans) {
            uint32_t on = 0;
            for (uint32_t i = 0; i < cfg->n_packages; i++)
                on += cfg->packages[i].enabled;
            printf("  policy: %u of %u packages enabled (%u interventions), %u caravans\n", on, cfg->n_packages,
                   w->policy->n_iv, cfg->n_caravans);
        }
        mig_world_destroy(&w);
        rc = 0;
        goto out;
    }
    {
        mig_run_stats stats;
        mig_run_opts ro = { .output = output, .command_line = cmdline, .checkpoint = checkpoint,
                            .checkpoint_every = (uint32_t)every, .stop_after = (uint32_t)stop_after,
                            .restart = restart };
        if (mig_signal_install()) {
            rc = mig_ctx_report(ctx, mig_ctx_error(ctx, MIG_EINTERNAL, "cannot install signal handlers"), stderr);
            goto out;
        }
        st = mig_run(cfg, &ro, ctx, &stats);
        if (st != MIG_OK) {
            rc = mig_ctx_report(ctx, st, stderr);
            goto out;
        }
        if (stats.ranks > 1)
            mig_log(ctx, MIG_LOG_INFO, "MPI: %d ranks, %.0f bytes reduced per rank per day", stats.ranks,
                    stats.bytes_reduced_per_day);
        mig_log(ctx, MIG_LOG_INFO,
                "wrote %s: %llu agents spawned, %llu agent-steps in %.3f s (%.4g agent-steps/s), "
                "peak memory %.1f MiB, %.0f bytes per agent, %d threads",
                output, (unsigned long long)stats.agents_spawned, (unsigned long long)stats.agent_steps,
                stats.wall_s, stats.wall_s > 0 ? (double)stats.agent_steps / stats.wall_s : 0.0,
                stats.peak_rss_mib, stats.bytes_per_agent, ctx->threads);
        rc = 0;
    }
out:
    if (rc != 0)
        mig_comm_abort(&comm, rc); /* a rank that failed must not leave the others waiting */
    mig_comm_finalize(&comm);
    mig_config_destroy(&cfg);
    mig_ctx_destroy(&ctx);
    mig_sweep_row_destroy(&row);
    free(seed_override);
    free(overrides);
    free(cmdline);
    return rc;
}
