/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_signal.c: a flag set by SIGTERM, SIGUSR1, SIGINT or SIGHUP, polled by the run loop
 * between days. */
#include "mig_signal.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t caught;

static void on_signal(int sig) { caught = sig; }

int mig_signal_install(void)
{
    static const int stop[] = { SIGTERM, SIGUSR1, SIGINT, SIGHUP };
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++) {
        /* SIGINT and SIGHUP ignored on entry (nohup, a background job) stay ignored */
        if ((stop[i] == SIGINT || stop[i] == SIGHUP) && sigaction(stop[i], NULL, &old) == 0 &&
            old.sa_handler == SIG_IGN)
            continue;
        if (sigaction(stop[i], &sa, NULL))
            return -1;
    }
    return 0;
}

int mig_signal_caught(void) { return caught; }
