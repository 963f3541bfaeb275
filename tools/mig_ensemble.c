/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_ensemble.c: draws x seeds, each a whole run (mig_run) into a temporary folder, then
 * one summary of them all (mig_summarize, quantiles along a "quantile" dimension) with the
 * ensemble's provenance. Run i is draw i / n_seeds with seed B + i % n_seeds. */
#include "mig_ensemble.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "mig_config.h"
#include "mig_model.h"
#include "mig_run.h"
#include "mig_sha256.h"
#include "mig_summarize.h"
#include "mig_util.h"

#define FILES_SPARE 64            /* descriptors kept free besides the run files */
/* Memory of the summary: HDF5 keeps about 1.1 MiB per open input (measured: 400 demo runs,
 * 465 MiB peak against 73 MiB for 50), plus the blocks read (at most 256 MiB). */
#define MIB_PER_RUN 1.25
#define MIB_BLOCKS 256.0
#define MEMORY_SHARE 0.8          /* of the physical memory, the most an ensemble may plan */

/* What one ensemble holds while it runs. */
typedef struct ens {
    const mig_ensemble_opts *o;
    mig_ctx *ctx;
    size_t n_draws, n_runs;
    char *dir;                    /* owned: "<output>.runs.<pid>" */
    int dir_made;
    char **path;                  /* owned [n_runs]: run files, NULL until made */
    char **label;                 /* owned [n_runs]: "draw D seed S" */
    double *weight;               /* owned [n_runs]: the draws' unequal weights, else NULL */
} ens;

void mig_ensemble_uncertainty(const mig_ensemble_opts *o, const char *model_words, char *buf, size_t n)
{
    const int more = model_words && model_words[0];
    if (!o->draws)
        snprintf(buf, n, "seeds only%s%s", more ? " + " : "", more ? model_words : "");
    else
        snprintf(buf, n, "parameter draws (%zu from %s%s) x seeds (%" PRIu32 ")%s%s", o->draws->n_draws,
                 o->draws_path, o->draws->equal_weights ? "" : ", weighted", o->n_seeds, more ? " + " : "",
                 more ? model_words : "");
}

/* Raises the soft open-file limit to the hard one and checks that n_runs files fit. */
static mig_status check_files(ens *E)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return MIG_OK;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)E->n_runs + FILES_SPARE > rl.rlim_cur)
        return mig_ctx_error(E->ctx, MIG_EUSAGE,
                             "%s: %zu runs would need %zu files open at once to summarize, and this process may "
                             "open %llu (ulimit -n); give fewer draws or --seeds",
                             E->o->output, E->n_runs, E->n_runs + FILES_SPARE, (unsigned long long)rl.rlim_cur);
    return MIG_OK;
}

/* The summary's memory, estimated from the number of runs, against the machine's. */
static mig_status check_memory(ens *E)
{
    double need = MIB_BLOCKS + MIB_PER_RUN * (double)E->n_runs;
    double phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
    mig_log(E->ctx, MIG_LOG_INFO,
            "ensemble: %zu runs; summarizing them takes at most about %.0f MiB of memory (%.2f MiB per run "
            "open at once, plus blocks of at most %.0f MiB)", E->n_runs, need, MIB_PER_RUN, MIB_BLOCKS);
    if (phys > 0 && need > MEMORY_SHARE * phys)
        return mig_ctx_error(E->ctx, MIG_ENOMEM,
                             "%s: %zu runs would take about %.0f MiB of memory to summarize (%.2f MiB per run "
                             "open at once), more than %.0f %% of this machine's %.0f MiB; give fewer draws or "
                             "--seeds",
                             E->o->output, E->n_runs, need, MIB_PER_RUN, 100 * MEMORY_SHARE, phys);
    return MIG_OK;
}

/* After the first run: its size x the runs must fit in the folder's free space. */
static mig_status check_space(ens *E, mig_ensemble_stats *stats)
{
    struct stat sb;
    struct statvfs fs;
    double need, avail;
    if (stat(E->path[0], &sb) != 0 || statvfs(E->dir, &fs) != 0)
        return MIG_OK;
    stats->run_bytes = (double)sb.st_size;
    need = stats->run_bytes * (double)(E->n_runs - 1);
    avail = (double)fs.f_bavail * (double)fs.f_frsize;
    mig_log(E->ctx, MIG_LOG_INFO, "ensemble: %zu runs of %.1f MiB each: about %.1f MiB of temporary space in %s "
            "(%.0f MiB free)", E->n_runs, stats->run_bytes / 1048576.0, need / 1048576.0 + stats->run_bytes / 1048576.0,
            E->dir, avail / 1048576.0);
    if (need > 0.95 * avail)
        return mig_ctx_error(E->ctx, MIG_EIO,
                             "%s: the %zu runs need about %.1f MiB of temporary space in %s (the first run's file is "
                             "%.1f MiB) and %.1f MiB are free; give fewer draws or --seeds, or write elsewhere",
                             E->o->output, E->n_runs, (need + stats->run_bytes) / 1048576.0, E->dir,
                             stats->run_bytes / 1048576.0, avail / 1048576.0);
    return MIG_OK;
}

/* After the first run: the data variables asked for (o->vars) must be among its own, told
 * as "in the runs of SCENARIO" (the run's file is temporary). */
static mig_status check_vars(ens *E)
{
    char *shown;
    mig_status st;
    if (!E->o->vars || E->o->n_vars == 0)
        return MIG_OK;
    if (!(shown = mig_asprintf("the runs of %s", E->o->scenario)))
        return mig_ctx_error(E->ctx, MIG_ENOMEM, "%s: out of memory", E->o->output);
    st = mig_summarize_check_vars(E->path[0], shown, E->o->vars, E->o->n_vars, E->ctx);
    free(shown);
    return st;
}

/* A context for one run, logging like ctx (quiet), or NULL. */
static mig_ctx *run_ctx(const mig_ctx *ctx)
{
    mig_ctx *sub = NULL;
    if (mig_ctx_create(&sub) != MIG_OK)
        return NULL;
    sub->log = ctx->log;
    sub->log_is_tty = ctx->log_is_tty;
    sub->threads = ctx->threads;
    sub->level = MIG_LOG_QUIET;
    return sub;
}

/* One run: the scenario with --set, the draw's values and the seed, into E->path[i]; a
 * problem with a draw's value is told at its cell. */
static mig_status run_one(ens *E, size_t i)
{
    const mig_ensemble_opts *o = E->o;
    size_t d = i / o->n_seeds, n_keys = o->draws ? o->draws->n_keys : 0, n_over = o->n_sets + n_keys + 1;
    uint64_t seed = o->seed + i % o->n_seeds;
    const char **over = calloc(n_over, sizeof *over);
    char *seed_set = mig_asprintf("seed=%" PRIu64, seed);
    mig_ctx *sub = run_ctx(E->ctx);
    mig_config *cfg = NULL;
    mig_run_stats rs;
    mig_status st;

    E->path[i] = mig_asprintf("%s/run%06zu.h5", E->dir, i);
    E->label[i] = mig_asprintf("draw %s seed %" PRIu64, o->draws ? o->draws->label[d] : "-", seed);
    if (!over || !seed_set || !sub || !E->path[i] || !E->label[i]) {
        st = mig_ctx_error(E->ctx, MIG_ENOMEM, "%s: out of memory", o->output);
        goto done;
    }
    if (o->n_sets)
        memcpy(over, o->sets, o->n_sets * sizeof *over);
    if (n_keys)
        memcpy(over + o->n_sets, mig_draws_row(o->draws, d), n_keys * sizeof *over);
    over[n_over - 1] = seed_set;
    if ((st = mig_config_load(o->scenario, over, n_over, sub, &cfg)) == MIG_OK)
        st = mig_run(cfg, &(mig_run_opts){ .output = E->path[i], .command_line = o->command_line }, sub, &rs);
    if (st == MIG_OK && o->progress)
        mig_log(E->ctx, MIG_LOG_INFO, "ensemble: run %zu/%zu (%s) in %.2f s", i + 1, E->n_runs, E->label[i],
                rs.wall_s);
    if (st != MIG_OK && o->draws && mig_draws_tell(o->draws, d, sub, E->ctx) > 0)
        st = MIG_EDATA;
    for (size_t k = 0; st != MIG_OK && k < mig_ctx_n_errors(sub); k++)
        mig_ctx_add(E->ctx, mig_ctx_diag_at(sub, k));
done:
    mig_ctx_destroy(&sub);
    mig_config_destroy(&cfg);
    free(seed_set);
    free(over);
    return st;
}

/* The scenario as resolved with --set (no draw, no seed override): its text, and the
 * uncertainties included in words (mig_ensemble_uncertainty with its model's) into unc. */
static mig_status scenario_text(const mig_ensemble_opts *o, mig_ctx *ctx, char **text, char *unc, size_t n)
{
    mig_config *cfg = NULL;
    mig_status st = mig_config_load(o->scenario, o->sets, o->n_sets, ctx, &cfg);
    const mig_model_ops *ops = st == MIG_OK ? mig_model_find(cfg->model) : NULL;
    char words[512] = "";
    *text = NULL;
    if (ops && ops->uncertainty)
        ops->uncertainty(cfg, words, sizeof words);
    mig_ensemble_uncertainty(o, words, unc, n);
    if (st == MIG_OK && !(*text = mig_asprintf("%s", cfg->resolved_yaml)))
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", o->output);
    mig_config_destroy(&cfg);
    return st;
}

/* The n strings of v joined by newlines (caller frees), or NULL when memory runs out. */
static char *lines(const char *const *v, size_t n)
{
    size_t len = 1;
    char *s;
    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    if (!(s = calloc(len, 1)))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, "\n");
        strcat(s, v[i]);
    }
    return s;
}

/* The summary of the runs into o->output, with the ensemble's provenance. */
static mig_status summarize(ens *E, const char *resolved, mig_ensemble_stats *stats)
{
    const mig_ensemble_opts *o = E->o;
    const mig_draws *dr = o->draws;
    const char *unc = stats->uncertainty;
    char sc_hash[MIG_SHA256_HEX], nd[32], ns[32], nr[32], seeds[96];
    const char **key_names = dr ? calloc(dr->n_keys + 1, sizeof *key_names) : NULL;
    char *labels = NULL, *keys = NULL;
    mig_summarize_stats ss;
    mig_status st;

    for (size_t k = 0; key_names && k < dr->n_keys; k++)
        key_names[k] = dr->csv->header[dr->key_col[k]];
    if (dr && (!key_names || !(labels = lines((const char *const *)dr->label, dr->n_draws)) ||
               !(keys = lines(key_names, dr->n_keys)))) {
        MIG_FREE_ALL(key_names, labels, keys);
        return mig_ctx_error(E->ctx, MIG_ENOMEM, "%s: out of memory", o->output);
    }
    mig_sha256_hex(resolved, strlen(resolved), sc_hash);
    snprintf(nd, sizeof nd, "%zu", E->n_draws);
    snprintf(ns, sizeof ns, "%" PRIu32, o->n_seeds);
    snprintf(nr, sizeof nr, "%zu", E->n_runs);
    snprintf(seeds, sizeof seeds, "%" PRIu64 "..%" PRIu64 " (the same for every draw)", o->seed,
             o->seed + o->n_seeds - 1);
    {
        const char *extra[] = {
            "uncertainty", unc,
            "scenario_path", o->scenario,
            "scenario_resolved", resolved,
            "scenario_sha256", sc_hash,
            "draws_file", dr ? o->draws_path : "",
            "draws_sha256", dr ? dr->sha256 : "",
            "draws_keys", keys ? keys : "",
            "draws_labels", labels ? labels : "",
            "n_draws", nd,
            "n_seeds", ns,
            "n_runs", nr,
            "seeds", seeds,
            "pooling", E->weight ? "every draw x seed run weighted by its draw's weight (column weight): "
                                   "weighted mean, sd (reliability weights) and quantiles over all runs"
                                 : "every draw x seed run counts once (equal weights); quantiles and mean over "
                                   "all runs",
        };
        mig_summarize_opts so = { .quantiles = o->quantiles, .n_quantiles = o->n_quantiles,
                                  .command_line = o->command_line, .quantile_dim = 1, .source = "migsim ensemble",
                                  .input_labels = (const char *const *)E->label, .extra = extra,
                                  .n_extra = sizeof extra / sizeof extra[0] / 2, .weights = E->weight,
                                  .vars = o->vars, .n_vars = o->n_vars };
        st = mig_summarize((const char *const *)E->path, E->n_runs, o->output, &so, E->ctx, &ss);
    }
    stats->n_vars = ss.n_vars;
    MIG_FREE_ALL(key_names, labels, keys);
    return st;
}

/* Writes DIR/runs.csv (file, draw, seed of every run) for --keep-runs. */
static mig_status write_index(ens *E)
{
    char *path = mig_asprintf("%s/runs.csv", E->dir);
    FILE *f = path ? fopen(path, "w") : NULL;
    int bad = !f;
    for (size_t i = 0; f && i < E->n_runs; i++)
        bad |= fprintf(f, "%s%s,\"%s\",%" PRIu64 "\n", i ? "" : "file,draw,seed\n", strrchr(E->path[i], '/') + 1,
                       E->o->draws ? E->o->draws->label[i / E->o->n_seeds] : "", E->o->seed + i % E->o->n_seeds) < 0;
    if (f)
        bad |= fclose(f) != 0;
    free(path);
    return bad ? mig_ctx_error(E->ctx, MIG_EIO, "%s/runs.csv: cannot write: %s", E->dir, strerror(errno)) : MIG_OK;
}

/* Removes the run files and their folder (unless keep). */
static void cleanup(ens *E, int keep)
{
    for (size_t i = 0; !keep && E->path && i < E->n_runs; i++)
        if (E->path[i])
            unlink(E->path[i]);
    if (E->dir_made && !keep)
        rmdir(E->dir);
    if (E->path)
        mig_free_strings(E->path, E->n_runs);
    if (E->label)
        mig_free_strings(E->label, E->n_runs);
    free(E->weight);
    free(E->dir);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

mig_status mig_ensemble_run(const mig_ensemble_opts *o, mig_ctx *ctx, mig_ensemble_stats *stats)
{
    ens E = { .o = o, .ctx = ctx, .n_draws = o->draws ? o->draws->n_draws : 1 };
    char *resolved = NULL;
    double t0 = now_s();
    mig_status st;

    memset(stats, 0, sizeof *stats);
    if (o->n_seeds == 0)
        return mig_ctx_error(ctx, MIG_EUSAGE, "--seeds: expected at least 1");
    E.n_runs = E.n_draws * o->n_seeds;
    stats->n_runs = E.n_runs;
    if ((st = check_files(&E)) != MIG_OK || (st = check_memory(&E)) != MIG_OK ||
        (st = scenario_text(o, ctx, &resolved, stats->uncertainty, sizeof stats->uncertainty)) != MIG_OK)
        goto done;
    E.dir = o->keep_runs ? mig_asprintf("%s", o->keep_runs)
                         : mig_asprintf("%s.runs.%ld", o->output, (long)getpid());
    E.path = calloc(E.n_runs, sizeof *E.path);
    E.label = calloc(E.n_runs, sizeof *E.label);
    if (o->draws && !o->draws->equal_weights && (E.weight = calloc(E.n_runs, sizeof *E.weight)))
        for (size_t i = 0; i < E.n_runs; i++)
            E.weight[i] = o->draws->weight[i / o->n_seeds];
    if (!E.dir || !E.path || !E.label || (o->draws && !o->draws->equal_weights && !E.weight)) {
        st = mig_ctx_error(ctx, MIG_ENOMEM, "%s: out of memory", o->output);
        goto done;
    }
    if (mkdir(E.dir, 0777) != 0) {
        st = mig_ctx_error(ctx, MIG_EIO, "%s: cannot create the folder for the runs %s: %s", o->output, E.dir,
                           strerror(errno));
        goto done;
    }
    E.dir_made = 1;
    for (size_t i = 0; i < E.n_runs; i++)
        if ((st = run_one(&E, i)) != MIG_OK ||
            (i == 0 && ((st = check_vars(&E)) != MIG_OK || (st = check_space(&E, stats)) != MIG_OK)))
            goto done;
    if ((st = summarize(&E, resolved, stats)) == MIG_OK && o->keep_runs && (st = write_index(&E)) != MIG_OK)
        unlink(o->output);
done:
    cleanup(&E, st == MIG_OK && o->keep_runs);
    free(resolved);
    stats->wall_s = now_s() - t0;
    return st;
}
