/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_signal.h: SIGTERM, SIGUSR1 (SLURM's warning signal), SIGINT (Ctrl-C) and SIGHUP ask a
 * run to stop cleanly: it finishes the current day, writes a checkpoint, removes its
 * temporary output and exits with MIG_EINTERRUPT (75). The handler only sets a flag, the one
 * process-wide variable in migsim: a signal handler cannot be handed a context. */
#ifndef MIG_SIGNAL_H
#define MIG_SIGNAL_H

/* Installs the handler for SIGTERM, SIGUSR1, SIGINT and SIGHUP (the last two only when not
 * ignored on entry, as under nohup). Returns 0 on success. */
int mig_signal_install(void);
/* The signal caught since installation, or 0. */
int mig_signal_caught(void);

#endif
