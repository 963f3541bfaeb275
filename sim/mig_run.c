/* mig_run.c: the day loop of a run, its progress reporting and its provenance. */
#include "mig_run.h"

#include <cyaml/cyaml.h>
#include <gsl/gsl_version.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "mig_checkpoint.h"
#include "mig_comm.h"
#include "mig_output.h"
#include "mig_signal.h"
#include "mig_step.h"
#include "mig_version.h"
#include "mig_world.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru))
        return 0.0;
    return (double)ru.ru_maxrss / 1024.0; /* Linux reports KiB */
}

static void fmt_eta(double s, char *buf, size_t n)
{
    long t = s < 0 ? 0 : (long)(s + 0.5);
    snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
}

/* On a terminal: one line redrawn at most 10 times a second. Otherwise: a timestamped
 * log line at each tenth of the run (and the last day). */
static void progress(mig_ctx *ctx, const mig_world *w, uint32_t day, uint32_t days, double t0,
                     uint32_t first_day, uint64_t steps_before, double *last, int *last_decile)
{
    /* with MPI ranks, this rank's rate times the ranks (they hold equal shares) */
    int ranks = w->agents->nranks;
    double t = now_s(), el = t - t0, rate = el > 0 ? (double)(w->agent_steps - steps_before) * ranks / el : 0.0;
    double eta = day + 1 < days ? el / (day + 1 - first_day) * (days - day - 1) : 0.0;
    int pct = (int)(100.0 * (day + 1) / days);
    char e[32];
    if (ctx->level < MIG_LOG_INFO)
        return;
    fmt_eta(eta, e, sizeof e);
    if (ctx->log_is_tty) {
        if (t - *last < 0.1 && day + 1 < days)
            return;
        *last = t;
        fprintf(ctx->log, "\r[%3d%%] day %u/%u  agents %zu  %.3g agent-steps/s  ETA %s   ", pct, day + 1, days,
                (size_t)*w->v_alive, rate, e);
        if (day + 1 == days)
            fputc('\n', ctx->log);
        fflush(ctx->log);
    } else if (pct / 10 > *last_decile || day + 1 == days) {
        *last_decile = pct / 10;
        mig_log(ctx, MIG_LOG_INFO, "day %u/%u (%d%%): %zu agents, %.3g agent-steps/s, ETA %s", day + 1, days, pct,
                (size_t)*w->v_alive, rate, e);
    }
}

mig_status mig_run(const mig_config *cfg, const mig_run_opts *opts, mig_ctx *ctx, mig_run_stats *stats)
{
    const char *output_path = opts->output, *command_line = opts->command_line;
    mig_world *w = NULL;
    mig_output *out = NULL;
    mig_checkpoint *ck = NULL;
    mig_status st;
    uint32_t first_day = 0;
    uint64_t steps_before = 0;
    char ckpt_default[4096], restarted[4096] = "";
    const char *ckpt = opts->checkpoint;
    double t0 = now_s(), last = 0.0;
    int last_decile = 0;
    char seed[32], threads[16], wall[32], hdf5[32], started[32], host[256] = "", gslv[32];
    time_t start = time(NULL);
    struct tm tm;

    memset(stats, 0, sizeof *stats);
    gmtime_r(&start, &tm);
    strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);

    const int rank = ctx->comm ? ctx->comm->rank : 0, ranks = ctx->comm ? ctx->comm->size : 1;
    char nranks[16];

    if (ranks > 1 && (opts->checkpoint_every || opts->stop_after || opts->restart))
        return mig_ctx_error(ctx, MIG_EUSAGE, "checkpoints are not supported with more than one MPI rank (%d)",
                             ranks);
    if ((st = mig_world_create(cfg, ctx, &w)) != MIG_OK)
        return st;
    if (rank == 0) {
        mig_output_layout lay = {
            .path = output_path,
            .days = cfg->days,
            .start_date = cfg->start_date,
            .net = w->net,
            .nationalities = (const char *const *)cfg->nationalities,
            .n_nationalities = cfg->n_nationalities,
            .interventions = (const char *const *)w->obs->labels,
            .n_interventions = (uint32_t)w->obs->dim_len[MIG_DIM_INTERVENTION],
            .chunk_days = cfg->output.chunk_days,
            .deflate = (int)cfg->output.deflate,
            .title = cfg->name,
        };
        if ((st = mig_output_create(&lay, w->obs, ctx, &out)) != MIG_OK)
            goto done;
    }
    if (!ckpt) {
        snprintf(ckpt_default, sizeof ckpt_default, "%s.ckpt", output_path);
        ckpt = ckpt_default;
    }
    if (opts->restart) {
        /* restore the state, then rewrite the days already simulated, as they were */
        if ((st = mig_checkpoint_read(opts->restart, w, &ck, ctx)) != MIG_OK)
            goto done;
        for (uint32_t day = 0; day < ck->next_day; day++) {
            mig_checkpoint_replay(ck, day, w->obs);
            if ((st = mig_output_write_day(out, day, w->obs, ctx)) != MIG_OK)
                goto done;
        }
        first_day = ck->next_day;
        steps_before = w->agent_steps;
        snprintf(restarted, sizeof restarted, "%s (day %u)", opts->restart, first_day);
        mig_log(ctx, MIG_LOG_INFO, "restart from %s: day %u, %zu agents", opts->restart, first_day, w->agents->n);
        mig_checkpoint_destroy(&ck);
    }
    mig_log(ctx, MIG_LOG_INFO, "run %s: model %s, %u places, %u links, %u days from %s, seed %llu, %d threads",
            cfg->path, cfg->model, w->net->n_places, w->net->n_links, cfg->days, cfg->start_date,
            (unsigned long long)cfg->seed, w->threads);
    for (uint32_t day = first_day; day < cfg->days; day++) {
        int sig, stop, last_day = day + 1 == cfg->days;
        if ((st = mig_step_run(w, day, ctx)) != MIG_OK)
            goto done;
        if (rank == 0 && (st = mig_output_write_day(out, day, w->obs, ctx)) != MIG_OK)
            goto done;
        progress(ctx, w, day, cfg->days, t0, first_day, steps_before, &last, &last_decile);
        sig = mig_signal_caught();
        stop = sig || (opts->stop_after && day + 1 == opts->stop_after);
        if (last_day || !(stop || (opts->checkpoint_every && (day + 1) % opts->checkpoint_every == 0)))
            continue;
        if ((st = mig_checkpoint_write(ckpt, w, day + 1, out, ctx)) != MIG_OK)
            goto done;
        mig_log(ctx, MIG_LOG_INFO, "checkpoint %s written after day %u", ckpt, day + 1);
        if (stop) {
            if (sig)
                mig_log(ctx, MIG_LOG_INFO, "signal %d: stopping; resume with --restart %s", sig, ckpt);
            st = mig_ctx_error(ctx, MIG_EINTERRUPT, "stopped after day %u of %u; checkpoint %s (resume with --restart %s)",
                               day + 1, cfg->days, ckpt, ckpt);
            goto done;
        }
    }

    stats->wall_s = now_s() - t0;
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)cfg->seed);
    snprintf(threads, sizeof threads, "%d", w->threads);
    snprintf(nranks, sizeof nranks, "%d", ranks);
    snprintf(wall, sizeof wall, "%.3f", stats->wall_s);
    snprintf(gslv, sizeof gslv, "%s", GSL_VERSION);
    mig_output_hdf5_version(hdf5, sizeof hdf5);
    gethostname(host, sizeof host - 1);
    {
        const char *job = getenv("SLURM_JOB_ID"), *ajob = getenv("SLURM_ARRAY_JOB_ID"),
                   *task = getenv("SLURM_ARRAY_TASK_ID");
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
            { "seed", seed },
            { "threads", threads },
            { "mpi_ranks", nranks },
            { "wall_time_s", wall },
            { "started_utc", started },
            { "host", host },
            { "command_line", command_line ? command_line : "" },
            { "slurm_job_id", job ? job : "" },
            { "slurm_array_job_id", ajob ? ajob : "" },
            { "slurm_array_task_id", task ? task : "" },
            { "restarted_from", restarted },
        };
        if (rank == 0 && (st = mig_output_finish(out, prov, sizeof prov / sizeof prov[0], ctx)) != MIG_OK)
            goto done;
    }
    stats->wall_s = now_s() - t0;
    {
        /* this rank's share, summed over ranks */
        int64_t sums[3] = { (int64_t)w->agent_steps, w->total_spawned, (int64_t)w->agents->n };
        uint64_t reduced = ctx->comm ? ctx->comm->bytes_reduced : 0;
        if (ctx->comm && (st = mig_comm_sum_i64(ctx->comm, sums, 3)) != MIG_OK)
            goto done;
        stats->agent_steps = (uint64_t)sums[0];
        stats->agents_spawned = (uint64_t)sums[1];
        stats->agents_final = (uint64_t)sums[2];
        stats->ranks = ranks;
        stats->bytes_reduced_per_day = (double)reduced / cfg->days;
    }
    stats->peak_rss_mib = peak_rss_mib();
    stats->bytes_per_agent = (double)MIG_AGENT_BYTES;
    if (opts->checkpoint_every || opts->restart)
        unlink(ckpt); /* the output is complete: the checkpoint is no longer needed */
done:
    mig_checkpoint_destroy(&ck);
    mig_output_destroy(&out);
    mig_world_destroy(&w);
    return st;
}
