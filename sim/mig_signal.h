/* mig_signal.h: SIGTERM and SIGUSR1 (SLURM's warning signal) ask a run to stop cleanly: it
 * finishes the current day, writes a checkpoint and exits with MIG_EINTERRUPT (75). The
 * flag is the one process-wide variable in migsim: a signal handler cannot be handed a
 * context. */
#ifndef MIG_SIGNAL_H
#define MIG_SIGNAL_H

/* Installs the handlers for SIGTERM and SIGUSR1. Returns 0 on success. */
int mig_signal_install(void);
/* The signal caught since installation (SIGTERM or SIGUSR1), or 0. */
int mig_signal_caught(void);

#endif
