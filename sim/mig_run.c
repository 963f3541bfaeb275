/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_run.c: a whole run through the driver: its provenance and its statistics. */
#include "mig_run.h"

#include <cyaml/cyaml.h>
#include <gsl/gsl_version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "mig_comm.h"
#include "mig_driver.h"
#include "mig_model.h"
#include "mig_version.h"

static double peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru))
        return 0.0;
    return (double)ru.ru_maxrss / 1024.0; /* Linux reports KiB */
}

/* The model's results of the run: logged, and written to the output's group "results". */
static mig_status write_results(mig_driver *d, mig_ctx *ctx)
{
    const mig_model_ops *m = d->world->model;
    mig_result r[MIG_MAX_RESULTS];
    size_t n;
    if (!m->results)
        return MIG_OK;
    n = m->results(d->world->model_state, r, MIG_MAX_RESULTS);
    for (size_t i = 0; i < n; i++)
        mig_log(ctx, MIG_LOG_INFO, "%s = %.4f (%s)", r[i].name, r[i].value, r[i].long_name);
    return d->out && n ? mig_output_write_results(d->out, "results", r, n, ctx) : MIG_OK;
}

/* Writes the provenance (wall time so far, started at `started`) and finishes the output. */
static mig_status finish(mig_driver *d, const mig_run_opts *opts, const char *started, int ranks, mig_ctx *ctx)
{
    const mig_config *cfg = d->cfg;
    char seed[32], threads[16], nranks[16], wall[32], hdf5[32], host[256] = "", gslv[32], per[32];
    const char *job = getenv("SLURM_JOB_ID"), *ajob = getenv("SLURM_ARRAY_JOB_ID"),
               *task = getenv("SLURM_ARRAY_TASK_ID");

    snprintf(seed, sizeof seed, "%llu", (unsigned long long)cfg->seed);
    snprintf(threads, sizeof threads, "%d", d->world->threads);
    snprintf(nranks, sizeof nranks, "%d", ranks);
    snprintf(wall, sizeof wall, "%.3f", mig_driver_elapsed_s(d));
    snprintf(gslv, sizeof gslv, "%s", GSL_VERSION);
    snprintf(per, sizeof per, "%.17g", cfg->agents_per_person);
    mig_output_hdf5_version(hdf5, sizeof hdf5);
    gethostname(host, sizeof host - 1);
    {
        mig_prov_item prov[] = {
            { "migsim_version", MIG_VERSION },
            { "git_revision", MIG_GIT_REVISION },
            { "compiler", MIGSIM_COMPILER },
            { "gsl_version", gslv },
            { "hdf5_version", hdf5 },
            { "libcyaml_version", cyaml_version_str },
            { "scenario_path", cfg->path },
            { "scenario_resolved", cfg->resolved_yaml },
            { "model", cfg->model },
            { "agents_per_person", per },
            { "seed", seed },
            { "threads", threads },
            { "mpi_ranks", nranks },
            { "wall_time_s", wall },
            { "started_utc", started },
            { "host", host },
            { "command_line", opts->command_line ? opts->command_line : "" },
            { "slurm_job_id", job ? job : "" },
            { "slurm_array_job_id", ajob ? ajob : "" },
            { "slurm_array_task_id", task ? task : "" },
            { "restarted_from", d->restarted },
            { "sweep_point", opts->sweep_point ? opts->sweep_point : "" },
            { "sweep_parameters", opts->sweep_parameters ? opts->sweep_parameters : "" },
        };
        return mig_driver_finish(d, prov, sizeof prov / sizeof prov[0], ctx);
    }
}

/* The run's statistics, this rank's share summed over ranks. */
static mig_status fill_stats(const mig_driver *d, int ranks, mig_ctx *ctx, mig_run_stats *stats)
{
    const mig_world *w = d->world;
    int64_t sums[3] = { (int64_t)w->agent_steps, w->total_spawned, (int64_t)w->agents->n };
    uint64_t reduced = ctx->comm ? ctx->comm->bytes_reduced : 0;
    mig_status st;

    stats->wall_s = mig_driver_elapsed_s(d);
    if (ctx->comm && (st = mig_comm_sum_i64(ctx->comm, sums, 3)) != MIG_OK)
        return st;
    stats->agent_steps = (uint64_t)sums[0];
    stats->agents_spawned = (uint64_t)sums[1];
    stats->agents_final = (uint64_t)sums[2];
    stats->ranks = ranks;
    stats->bytes_reduced_per_day = (double)reduced / d->cfg->days;
    stats->peak_rss_mib = peak_rss_mib();
    stats->bytes_per_agent = (double)MIG_AGENT_BYTES;
    return MIG_OK;
}

mig_status mig_run(const mig_config *cfg, const mig_run_opts *opts, mig_ctx *ctx, mig_run_stats *stats)
{
    const int ranks = ctx->comm ? ctx->comm->size : 1;
    mig_driver_opts dopts = {
        .output = opts->output,
        .checkpoint = opts->checkpoint,
        .checkpoint_every = opts->checkpoint_every,
        .stop_after = opts->stop_after,
        .restart = opts->restart,
        .report = 1,
    };
    mig_driver *d = NULL;
    mig_status st;
    char started[32];
    time_t start = time(NULL);
    struct tm tm;

    memset(stats, 0, sizeof *stats);
    gmtime_r(&start, &tm);
    strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if ((st = mig_driver_open(cfg, &dopts, ctx, &d)) != MIG_OK)
        return st;
    while (st == MIG_OK && d->day < cfg->days)
        st = mig_driver_step(d, ctx);
    if (st == MIG_OK)
        st = write_results(d, ctx);
    if (st == MIG_OK)
        st = finish(d, opts, started, ranks, ctx);
    if (st == MIG_OK)
        st = fill_stats(d, ranks, ctx, stats);
    mig_driver_close(&d);
    return st;
}
