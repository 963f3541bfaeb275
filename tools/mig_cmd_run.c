/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_cmd_run.c: `migsim run SCENARIO.yaml -o OUTPUT.h5 [options]` and
 * `migsim run --manifest MANIFEST.csv [--task N]`: runs a scenario through mig_run and
 * logs what it did. */
#include <stdlib.h>
#include <string.h>

#include "mig_cmd.h"
#include "mig_outfile.h"
#include "mig_run.h"
#include "mig_signal.h"

/* run --manifest M [--task N]: the scenario, output, seed and overrides of row N, the
 * row's --set values before the command line's; the output's folders made if missing.
 * Returns -1 when done, else the exit code. */
static int take_row(mig_cmd_args *a)
{
    mig_ctx *mctx = NULL;
    char **all;
    mig_status st = mig_ctx_create(&mctx);
    int rc;
    if (st == MIG_OK)
        st = mig_sweep_task(a->manifest, a->task, mctx, &a->row);
    if (st == MIG_OK)   /* the manifest's output folder may not exist here yet */
        st = mig_outfile_make_folders(a->row->output, mctx);
    rc = st == MIG_OK ? -1 : mctx ? mig_ctx_report(mctx, st, stderr) : mig_status_exit_code(st);
    mig_ctx_destroy(&mctx);
    if (rc >= 0)
        return rc;
    if (!(all = calloc(a->n_over + a->row->n_set + 1, sizeof *all)))
        return mig_status_exit_code(MIG_ENOMEM);
    memcpy(all, a->row->set, a->row->n_set * sizeof *all);
    memcpy(all + a->row->n_set, a->overrides, a->n_over * sizeof *all);
    free(a->overrides);
    a->overrides = all;
    a->n_over += a->row->n_set;
    a->scenario = a->row->scenario;
    a->output = a->row->output;
    return -1;
}

/* The manifest row's parameters for the provenance: its "key=value" overrides but the
 * last (the seed), one a line (caller frees; NULL when memory runs out). */
static char *row_parameters(const mig_sweep_row *row)
{
    size_t n = 1;
    char *text;
    for (size_t i = 0; i + 1 < row->n_set; i++)
        n += strlen(row->set[i]) + 1;
    if (!(text = calloc(n, 1)))
        return NULL;
    for (size_t i = 0; i + 1 < row->n_set; i++) {
        if (i)
            strcat(text, "\n");
        strcat(text, row->set[i]);
    }
    return text;
}

static void log_stats(mig_ctx *ctx, const char *output, const mig_run_stats *stats)
{
    if (stats->ranks > 1)
        mig_log(ctx, MIG_LOG_INFO, "MPI: %d ranks, %.0f bytes reduced per rank per day", stats->ranks,
                stats->bytes_reduced_per_day);
    mig_log(ctx, MIG_LOG_INFO,
            "wrote %s: %llu agents spawned, %llu agent-steps in %.3f s (%.4g agent-steps/s), "
            "peak memory %.1f MiB, %.0f bytes per agent, %d threads",
            output, (unsigned long long)stats->agents_spawned, (unsigned long long)stats->agent_steps,
            stats->wall_s, stats->wall_s > 0 ? (double)stats->agent_steps / stats->wall_s : 0.0,
            stats->peak_rss_mib, stats->bytes_per_agent, ctx->threads);
}

int mig_cmd_run(mig_cmd_args *a, int *argc, char ***argv)
{
    mig_comm comm = { 0, 1, 0, 0 };
    mig_ctx *ctx = NULL;
    mig_config *cfg = NULL;
    mig_run_stats stats;
    mig_run_opts ro = { .command_line = a->cmdline, .checkpoint = a->checkpoint,
                        .checkpoint_every = (uint32_t)a->every, .stop_after = (uint32_t)a->stop_after,
                        .restart = a->restart };
    mig_status st;
    char point[24], *params = NULL;
    int rc = a->manifest ? take_row(a) : -1;

    if (rc < 0 && a->row) {
        snprintf(point, sizeof point, "%llu", (unsigned long long)a->row->point);
        if (!(params = row_parameters(a->row)))
            rc = mig_status_exit_code(MIG_ENOMEM);
        ro.sweep_point = point;
        ro.sweep_parameters = params;
    }
    if (rc < 0)
        rc = mig_cmd_scenario_open(a, argc, argv, &comm, &ctx, &cfg);
    if (rc < 0 && a->manifest && (st = mig_ctx_add_input(ctx, a->manifest)) != MIG_OK)
        rc = mig_ctx_report(ctx, st, stderr);
    if (rc < 0 && mig_signal_install())
        rc = mig_ctx_report(ctx, mig_ctx_error(ctx, MIG_EINTERNAL, "cannot install signal handlers"), stderr);
    if (rc < 0) {
        ro.output = a->output;
        if ((st = mig_run(cfg, &ro, ctx, &stats)) != MIG_OK) {
            rc = mig_ctx_report(ctx, st, stderr);
        } else {
            log_stats(ctx, a->output, &stats);
            rc = 0;
        }
    }
    free(params);
    return mig_cmd_scenario_close(&comm, &ctx, &cfg, rc);
}
