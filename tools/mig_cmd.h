/* mig_cmd.h: subcommands beyond run and check, each in its own file (tools/mig_cmd_*.c).
 * Each takes argc/argv starting at the subcommand's name, prints its own errors through a
 * mig_ctx, and returns a process exit code (sysexits); only main calls exit. */
#ifndef MIG_CMD_H
#define MIG_CMD_H

typedef struct mig_cmd {
    const char *name;
    const char *usage;       /* one or more lines for --help, each "  migsim NAME ..." */
    int (*main)(int argc, char **argv);
} mig_cmd;

/* The table of extra subcommands, terminated by an entry with name NULL. */
extern const mig_cmd mig_cmds[];

#endif
