/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_cmd_scenario.c: what `run` and `check` share: their options (read once, in any
 * order around the command), and opening the scenario with its context and ranks. */
#include <getopt.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "mig_cmd.h"
#include "mig_util.h"

/* A size in bytes: a number with an optional binary unit K, M, G or T (KiB ... also taken),
 * e.g. "8G", "1.5GiB", "500M"; 0 when malformed or not positive. */
static unsigned long long parse_size(const char *s)
{
    static const char units[] = "KMGT";
    char *end;
    double v = strtod(s, &end), mult = 1.0;
    const char *u = *end ? strchr(units, *end) : NULL;
    if (end == s || !(v > 0.0))
        return 0;
    if (u) {
        for (const char *k = units; k <= u; k++)
            mult *= 1024.0;
        end++;
        if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)
            end += strlen(end);
    }
    if (*end || v * mult > 1e19)
        return 0;
    return (unsigned long long)(v * mult);
}

/* One option (getopt's opt with optarg) into a; returns -1 when it is fine, else the
 * exit code (0 after --help or --version). */
static int parse_option(mig_cmd_args *a, int opt, char **argv)
{
    switch (opt) {
    case 'o':
        a->output = optarg;
        return -1;
    case 's':
        free(a->seed_override);
        if (!(a->seed_override = mig_asprintf("seed=%s", optarg)))
            return mig_status_exit_code(MIG_ENOMEM);
        return -1;
    case 't':
        if (mig_cmd_parse_long(optarg, 1, 4096, &a->threads))
            return mig_cmd_usage_error(NULL, "--threads: expected a positive integer, got \"%s\"", optarg);
        return -1;
    case 'S':
        a->overrides[a->n_over++] = optarg;
        return -1;
    case 'C':
        a->checkpoint = optarg;
        return -1;
    case 'R':
        a->restart = optarg;
        return -1;
    case 'E':
        if (mig_cmd_parse_long(optarg, 1, 65535, &a->every))
            return mig_cmd_usage_error(NULL, "--checkpoint-every: expected a number of days in [1, 65535], got \"%s\"",
                                       optarg);
        return -1;
    case 'A':
        if (mig_cmd_parse_long(optarg, 1, 65535, &a->stop_after))
            return mig_cmd_usage_error(NULL, "--stop-after: expected a number of days in [1, 65535], got \"%s\"",
                                       optarg);
        return -1;
    case 'M':
        a->manifest = optarg;
        return -1;
    case 'X':
        if (!(a->max_memory = parse_size(optarg)))
            return mig_cmd_usage_error(NULL, "--max-memory: expected a size such as 8G or 500M, got \"%s\"", optarg);
        return -1;
    case 'K':
        a->task = optarg;
        return -1;
    case 'q':
        a->quiet = 1;
        return -1;
    case 'v':
        a->verbose = 1;
        return -1;
    case 'h':
        mig_cmd_help(stdout);
        return 0;
    case 'V':
        mig_cmd_version();
        return 0;
    default:
        return mig_cmd_usage_error(NULL, "unknown or incomplete option \"%s\"", argv[optind - 1]);
    }
}

/* The options and the positional arguments: the command, then the scenario. */
static int parse_loop(mig_cmd_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' }, { "seed", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 't' }, { "set", required_argument, NULL, 'S' },
        { "quiet", no_argument, NULL, 'q' },         { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },          { "version", no_argument, NULL, 'V' },
        { "checkpoint", required_argument, NULL, 'C' }, { "checkpoint-every", required_argument, NULL, 'E' },
        { "restart", required_argument, NULL, 'R' }, { "stop-after", required_argument, NULL, 'A' },
        { "manifest", required_argument, NULL, 'M' }, { "task", required_argument, NULL, 'K' },
        { "max-memory", required_argument, NULL, 'X' },
        { NULL, 0, NULL, 0 }
    };
    int opt, rc;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+o:s:t:qvhV", longopts, NULL)) != -1 || optind < argc) {
        if (opt != -1) {
            if ((rc = parse_option(a, opt, argv)) >= 0)
                return rc;
        } else if (!a->cmd) {
            a->cmd = argv[optind++];
        } else if (!a->scenario) {
            a->scenario = argv[optind++];
        } else {
            return mig_cmd_usage_error(NULL, "unexpected argument \"%s\"", argv[optind]);
        }
    }
    return -1;
}

int mig_cmd_args_parse(mig_cmd_args *a, int argc, char **argv)
{
    int rc;
    memset(a, 0, sizeof *a);
    if (!(a->overrides = calloc((size_t)argc + 1, sizeof *a->overrides)) ||
        !(a->cmdline = mig_cmd_line(argv[0], argc - 1, argv + 1)))
        return mig_status_exit_code(MIG_ENOMEM);
    if ((rc = parse_loop(a, argc, argv)) >= 0)
        return rc;
    if (a->seed_override)
        a->overrides[a->n_over++] = a->seed_override;
    if (!a->cmd) {
        mig_cmd_help(stderr);
        return mig_status_exit_code(MIG_EUSAGE);
    }
    if (strcmp(a->cmd, "run") && strcmp(a->cmd, "check"))
        return mig_cmd_usage_error(NULL, "unknown command \"%s\" (expected run or check)", a->cmd);
    if ((a->manifest || a->task) &&
        (!a->manifest || strcmp(a->cmd, "run") || a->scenario || a->output || a->seed_override))
        return mig_cmd_usage_error(NULL, "%s",
                                   !a->manifest ? "--task needs --manifest MANIFEST.csv"
                                                : "--manifest takes the place of SCENARIO.yaml, -o and --seed (run only)");
    return -1;
}

void mig_cmd_args_free(mig_cmd_args *a)
{
    mig_sweep_row_destroy(&a->row);
    free(a->seed_override);
    free(a->overrides);
    free(a->cmdline);
    memset(a, 0, sizeof *a);
}

int mig_cmd_scenario_open(const mig_cmd_args *a, int *argc, char ***argv, mig_comm *comm, mig_ctx **ctx,
                          mig_config **cfg)
{
    mig_status st;
    if (!a->scenario)
        return mig_cmd_usage_error(NULL, "%s: missing the scenario file", a->cmd);
    if (!strcmp(a->cmd, "run") && !a->output)
        return mig_cmd_usage_error(NULL, "%s: missing -o OUTPUT.h5", a->cmd);
    if ((st = mig_ctx_create(ctx)) != MIG_OK)
        return mig_status_exit_code(st);
    if ((st = mig_comm_init(argc, argv, comm)) != MIG_OK)
        return mig_ctx_report(*ctx, mig_ctx_error(*ctx, st, "cannot initialise MPI"), stderr);
    (*ctx)->comm = comm;
    /* only rank 0 logs; errors are printed by every rank that has them */
    (*ctx)->level = a->quiet || comm->rank > 0 ? MIG_LOG_QUIET : a->verbose ? MIG_LOG_DEBUG : MIG_LOG_INFO;
    (*ctx)->threads = a->threads > 0 ? (int)a->threads : omp_get_max_threads();
    (*ctx)->max_memory = a->max_memory ? a->max_memory : mig_memory_available();
    st = mig_config_load(a->scenario, (const char *const *)a->overrides, a->n_over, *ctx, cfg);
    if (st != MIG_OK)
        return mig_ctx_report(*ctx, st, stderr);
    return -1;
}

int mig_cmd_scenario_close(mig_comm *comm, mig_ctx **ctx, mig_config **cfg, int rc)
{
    if (rc != 0)
        mig_comm_abort(comm, rc); /* a rank that failed must not leave the others waiting */
    mig_comm_finalize(comm);
    mig_config_destroy(cfg);
    mig_ctx_destroy(ctx);
    return rc;
}
