/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_cmd.c: the table of extra subcommands (add a line here for a new one) and the
 * argument helpers every command shares. */
#include <gsl/gsl_version.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_cmd.h"
#include "mig_model.h"
#include "mig_output.h"
#include "mig_status.h"
#include "mig_version.h"

int mig_cmd_sweep_main(int argc, char **argv);       /* tools/mig_cmd_sweep.c */
int mig_cmd_summarize_main(int argc, char **argv);   /* tools/mig_cmd_summarize.c */
int mig_cmd_calibrate_main(int argc, char **argv);   /* tools/mig_cmd_calibrate.c */
int mig_cmd_ensemble_main(int argc, char **argv);    /* tools/mig_cmd_ensemble.c */
int mig_cmd_sobol_main(int argc, char **argv);       /* tools/mig_cmd_sobol.c */

const mig_cmd mig_cmds[] = {
    { "sweep",
      "  migsim sweep SPEC.yaml -o MANIFEST.csv            expand a sweep: a manifest row per run",
      mig_cmd_sweep_main },
    { "summarize",
      "  migsim summarize RUN.h5... -o ENSEMBLE.h5         mean, sd, quantiles across runs\n"
      "         [--quantiles 0.05,0.5,0.95] [--threads N]",
      mig_cmd_summarize_main },
    { "ensemble",
      "  migsim ensemble SCENARIO.yaml -o OUT.h5           forecast intervals: quantiles over draws x seeds\n"
      "         [--draws DRAWS.csv] [--seeds N] [--seed B] [--quantiles 5,50,95] [--set K=V]...",
      mig_cmd_ensemble_main },
    { "sobol",
      "  migsim sobol MANIFEST.csv --output VAR -o S.h5    Sobol indices (S1, ST) from a saltelli sweep\n"
      "         [--period FY2023] [--minus MANIFEST2.csv] [--csv S.csv] [--bootstrap B] [--level L] [--seed S]",
      mig_cmd_sobol_main },
    { "calibrate",
      "  migsim calibrate SCENARIO.yaml -o FITTED.yaml     fit a scenario to its model's record\n"
      "         [--levels] [--param KEY=LO:HI]... [--scale S]  (Nelder-Mead), write the fit back",
      mig_cmd_calibrate_main },
    { NULL, NULL, NULL },
};

void mig_cmd_help(FILE *f)
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
            "                         the output equals an uninterrupted run's. On SIGTERM,\n"
            "                         SIGUSR1, SIGINT or SIGHUP a run finishes the day,\n"
            "                         checkpoints and exits 75, leaving no temporary file.\n"
            "      --max-memory SIZE  refuse (exit 71) a run whose memory estimate exceeds SIZE\n"
            "                         (8G, 500M; default: the memory available). check prints it.\n"
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

void mig_cmd_version(void)
{
    char hdf5[32];
    mig_output_hdf5_version(hdf5, sizeof hdf5);
    printf("migsim %s (git %s)\n", MIG_VERSION, MIG_GIT_REVISION);
    printf("compiler %s, GSL %s, HDF5 %s, OpenMP %d\n", MIGSIM_COMPILER, GSL_VERSION, hdf5, _OPENMP);
}

int mig_cmd_usage_error(const char *cmd, const char *fmt, const char *arg)
{
    if (cmd)
        fprintf(stderr, "migsim: %s: ", cmd);
    else
        fprintf(stderr, "migsim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'migsim --help'.\n");
    return mig_status_exit_code(MIG_EUSAGE);
}

int mig_cmd_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

char *mig_cmd_line(const char *head, int argc, char **argv)
{
    size_t n = strlen(head) + 1, len;
    char *s;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    if (!(s = malloc(n)))
        return NULL;
    len = (size_t)snprintf(s, n, "%s", head);
    for (int i = 0; i < argc; i++)
        len += (size_t)snprintf(s + len, n - len, " %s", argv[i]);
    return s;
}
