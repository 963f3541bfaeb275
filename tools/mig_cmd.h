/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_cmd.h: the command-line tools (tools/mig_cmd_*.c, one file each) and the argument
 * helpers they share. Each command takes argc/argv starting at its name, prints its own
 * errors through a mig_ctx, and returns a process exit code (sysexits); only main exits. */
#ifndef MIG_CMD_H
#define MIG_CMD_H

#include <stdio.h>
#include "mig_comm.h"
#include "mig_config.h"
#include "mig_ctx.h"
#include "mig_sweep.h"

typedef struct mig_cmd {
    const char *name;
    const char *usage;       /* one or more lines for --help, each "  migsim NAME ..." */
    int (*main)(int argc, char **argv);
} mig_cmd;

/* The table of extra subcommands, terminated by an entry with name NULL. */
extern const mig_cmd mig_cmds[];

/* What `migsim run|check SCENARIO.yaml [options]` asks for (options may come before the
 * command too). */
typedef struct mig_cmd_args {
    const char *cmd;          /* "run" or "check" */
    const char *scenario, *output, *checkpoint, *restart;
    const char *manifest, *task;  /* run --manifest M --task N */
    char **overrides;         /* owned array of borrowed texts: --set, then --seed's */
    size_t n_over;
    char *seed_override;      /* owned: "seed=N" for --seed N, or NULL */
    char *cmdline;            /* owned: the command line, for provenance */
    long threads, every, stop_after;
    unsigned long long max_memory;  /* --max-memory in bytes, 0: the memory available */
    int quiet, verbose;
    mig_sweep_row *row;       /* owned: the manifest's row once read (mig_cmd_run) */
} mig_cmd_args;

/* The scenario's commands (tools/mig_cmd_run.c, tools/mig_cmd_check.c): each returns an
 * exit code. argc and argv are main's, for MPI. */
int mig_cmd_run(mig_cmd_args *a, int *argc, char ***argv);
int mig_cmd_check(mig_cmd_args *a, int *argc, char ***argv);

/* help */
void mig_cmd_help(FILE *f);   /* migsim --help */
void mig_cmd_version(void);   /* migsim --version, to stdout */

/* run and check: lifecycle */
/* Reads main's argc/argv into *a (then free it with mig_cmd_args_free); prints --help,
 * --version and usage errors. Returns -1 when a->cmd is to run, else the exit code. */
int mig_cmd_args_parse(mig_cmd_args *a, int argc, char **argv);
void mig_cmd_args_free(mig_cmd_args *a);
/* Checks that a names the scenario (and -o for run), then sets up *ctx (caller destroys),
 * *comm and loads *cfg (caller destroys); prints what goes wrong. Returns -1 when all is
 * ready, else the exit code. */
int mig_cmd_scenario_open(const mig_cmd_args *a, int *argc, char ***argv, mig_comm *comm, mig_ctx **ctx,
                          mig_config **cfg);
/* Ends what mig_cmd_scenario_open began (every rank when rc says a failure) and returns
 * rc. */
int mig_cmd_scenario_close(mig_comm *comm, mig_ctx **ctx, mig_config **cfg, int rc);

/* shared argument parsing */
/* Prints "migsim: CMD: " (just "migsim: " when cmd is NULL), then fmt with arg, then
 * "Try 'migsim --help'." to stderr; returns the usage exit code (64). */
int mig_cmd_usage_error(const char *cmd, const char *fmt, const char *arg);
/* A whole number in [lo, hi] written in full; returns 0 and *out, or -1. */
int mig_cmd_parse_long(const char *s, long lo, long hi, long *out);
/* The command line as one string: head, then " ARG" for each of argv[0..argc) (caller
 * frees; NULL when memory runs out). */
char *mig_cmd_line(const char *head, int argc, char **argv);

#endif
