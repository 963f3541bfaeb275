/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_driver.c: the day loop: world, output, checkpoint and restart, signal stops and
 * progress reporting. */
#include "mig_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mig_checkpoint.h"
#include "mig_comm.h"
#include "mig_outfile.h"
#include "mig_signal.h"
#include "mig_step.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fmt_eta(double s, char *buf, size_t n)
{
    long t = s < 0 ? 0 : (long)(s + 0.5);
    snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
}

/* On a terminal: one line redrawn at most 10 times a second. Otherwise: a timestamped
 * log line at each tenth of the run (and the last day). */
static void progress(mig_driver *d, uint32_t day, mig_ctx *ctx)
{
    /* with MPI ranks, this rank's rate times the ranks (they hold equal shares) */
    const mig_world *w = d->world;
    const uint32_t days = d->cfg->days;
    int ranks = w->agents->nranks;
    double t = now_s(), el = t - d->t0,
           rate = el > 0 ? (double)(w->agent_steps - d->steps_before) * ranks / el : 0.0;
    double eta = day + 1 < days ? el / (day + 1 - d->first_day) * (days - day - 1) : 0.0;
    int pct = (int)(100.0 * (day + 1) / days);
    char e[32];
    if (ctx->level < MIG_LOG_INFO)
        return;
    fmt_eta(eta, e, sizeof e);
    if (ctx->log_is_tty) {
        if (t - d->last < 0.1 && day + 1 < days)
            return;
        d->last = t;
        fprintf(ctx->log, "\r[%3d%%] day %u/%u  agents %zu  %.3g agent-steps/s  ETA %s   ", pct, day + 1, days,
                (size_t)*w->v_alive, rate, e);
        if (day + 1 == days)
            fputc('\n', ctx->log);
        fflush(ctx->log);
    } else if (pct / 10 > d->last_decile || day + 1 == days) {
        d->last_decile = pct / 10;
        mig_log(ctx, MIG_LOG_INFO, "day %u/%u (%d%%): %zu agents, %.3g agent-steps/s, ETA %s", day + 1, days, pct,
                (size_t)*w->v_alive, rate, e);
    }
}

static mig_status create_output(mig_driver *d, mig_ctx *ctx)
{
    const mig_config *cfg = d->cfg;
    const mig_world *w = d->world;
    mig_output_layout lay = {
        .path = d->opts.output,
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
    return mig_output_create(&lay, w->obs, ctx, &d->out);
}

/* Restores the state of checkpoint opts.restart, then rewrites the days already
 * simulated, as they were. */
static mig_status restart(mig_driver *d, mig_ctx *ctx)
{
    const char *path = d->opts.restart;
    mig_checkpoint *ck = NULL;
    mig_status st;
    if ((st = mig_checkpoint_read(path, d->world, &ck, ctx)) != MIG_OK)
        return st;
    for (uint32_t day = 0; day < ck->next_day && st == MIG_OK && d->out; day++) {
        mig_checkpoint_replay(ck, day, d->world->obs);
        st = mig_output_write_day(d->out, day, d->world->obs, ctx);
    }
    if (st == MIG_OK) {
        d->day = d->first_day = ck->next_day;
        d->steps_before = d->world->agent_steps;
        snprintf(d->restarted, sizeof d->restarted, "%s (day %u)", path, d->first_day);
        mig_log(ctx, MIG_LOG_INFO, "restart from %s: day %u, %zu agents", path, d->first_day,
                d->world->agents->n);
    }
    mig_checkpoint_destroy(&ck);
    return st;
}

/* Before anything is written: the checkpoint path and the output must each be new or a
 * regular file in a writable folder and none of the inputs (the restart file is an input of
 * the output, while the checkpoint may replace it); stale temporary files of killed runs in
 * the output's folder are removed. */
static mig_status check_paths(mig_driver *d, mig_ctx *ctx)
{
    mig_status st;
    if ((st = mig_outfile_check(d->opts.output, "output", ctx)) != MIG_OK ||
        (st = mig_outfile_check(d->checkpoint, "checkpoint", ctx)) != MIG_OK)
        return st;
    if (d->opts.restart && ((st = mig_ctx_add_input(ctx, d->opts.restart)) != MIG_OK ||
                            (st = mig_outfile_check(d->opts.output, "output", ctx)) != MIG_OK))
        return st;
    if (!ctx->comm || ctx->comm->rank == 0) /* the rank that writes, so no rank races another's */
        mig_outfile_remove_stale(d->opts.output, ctx);
    return MIG_OK;
}

mig_status mig_driver_open(const mig_config *cfg, const mig_driver_opts *opts, mig_ctx *ctx, mig_driver **out)
{
    const int rank = ctx->comm ? ctx->comm->rank : 0, ranks = ctx->comm ? ctx->comm->size : 1;
    mig_driver *d;
    mig_world *w;
    mig_status st;

    *out = NULL;
    if (ranks > 1 && (opts->checkpoint_every || opts->stop_after || opts->restart))
        return mig_ctx_error(ctx, MIG_EUSAGE, "checkpoints are not supported with more than one MPI rank (%d)",
                             ranks);
    if (!(d = calloc(1, sizeof *d)))
        return MIG_ENOMEM;
    d->t0 = now_s();
    d->cfg = cfg;
    d->opts = *opts;
    if ((st = mig_world_create(cfg, ctx, &d->world)) != MIG_OK)
        goto fail;
    w = d->world;
    if (opts->checkpoint)
        snprintf(d->checkpoint, sizeof d->checkpoint, "%s", opts->checkpoint);
    else if (opts->output)
        snprintf(d->checkpoint, sizeof d->checkpoint, "%s.ckpt", opts->output);
    if (opts->output && (st = check_paths(d, ctx)) != MIG_OK)
        goto fail;
    if (opts->output && rank == 0 && (st = create_output(d, ctx)) != MIG_OK)
        goto fail;
    if (opts->restart && (st = restart(d, ctx)) != MIG_OK)
        goto fail;
    if (opts->report)
        mig_log(ctx, MIG_LOG_INFO, "run %s: model %s, %u places, %u links, %u days from %s, seed %llu, %d threads",
                cfg->path, cfg->model, w->net->n_places, w->net->n_links, cfg->days, cfg->start_date,
                (unsigned long long)cfg->seed, w->threads);
    *out = d;
    return MIG_OK;
fail:
    mig_driver_close(&d);
    return st;
}

void mig_driver_close(mig_driver **p)
{
    if (!p || !*p)
        return;
    mig_output_destroy(&(*p)->out);
    mig_world_destroy(&(*p)->world);
    free(*p);
    *p = NULL;
}

double mig_driver_elapsed_s(const mig_driver *d)
{
    return now_s() - d->t0;
}

/* After day (not the last): a checkpoint every opts.checkpoint_every days, and a
 * checkpoint then MIG_EINTERRUPT on a signal or at opts.stop_after. */
static mig_status checkpoint_due(mig_driver *d, uint32_t day, mig_ctx *ctx)
{
    const mig_driver_opts *o = &d->opts;
    int sig = mig_signal_caught(), stop = sig || (o->stop_after && day + 1 == o->stop_after);
    mig_status st;
    if (!(stop || (o->checkpoint_every && (day + 1) % o->checkpoint_every == 0)))
        return MIG_OK;
    if ((st = mig_checkpoint_write(d->checkpoint, d->world, day + 1, d->out, ctx)) != MIG_OK)
        return st;
    mig_log(ctx, MIG_LOG_INFO, "checkpoint %s written after day %u", d->checkpoint, day + 1);
    if (!stop)
        return MIG_OK;
    if (sig)
        mig_log(ctx, MIG_LOG_INFO, "signal %d: stopping; resume with --restart %s", sig, d->checkpoint);
    return mig_ctx_error(ctx, MIG_EINTERRUPT, "stopped after day %u of %u; checkpoint %s (resume with --restart %s)",
                         day + 1, d->cfg->days, d->checkpoint, d->checkpoint);
}

mig_status mig_driver_step(mig_driver *d, mig_ctx *ctx)
{
    const uint32_t day = d->day;
    mig_status st;
    if ((st = mig_step_run(d->world, day, ctx)) != MIG_OK)
        return st;
    if (d->out && (st = mig_output_write_day(d->out, day, d->world->obs, ctx)) != MIG_OK)
        return st;
    d->day++;
    if (d->opts.report)
        progress(d, day, ctx);
    if (!d->opts.output || day + 1 == d->cfg->days)
        return MIG_OK;
    return checkpoint_due(d, day, ctx);
}

mig_status mig_driver_finish(mig_driver *d, const mig_prov_item *prov, size_t n_prov, mig_ctx *ctx)
{
    mig_status st;
    if (d->out && (st = mig_output_finish(d->out, prov, n_prov, ctx)) != MIG_OK)
        return st;
    if (d->opts.output && (d->opts.checkpoint_every || d->opts.restart))
        unlink(d->checkpoint); /* the output is complete: the checkpoint is no longer needed */
    return MIG_OK;
}
