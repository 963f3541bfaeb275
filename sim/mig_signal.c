/* mig_signal.c: a flag set by SIGTERM/SIGUSR1, polled by the run loop between days. */
#include "mig_signal.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t caught;

static void on_signal(int sig) { caught = sig; }

int mig_signal_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGUSR1, &sa, NULL))
        return -1;
    return 0;
}

int mig_signal_caught(void) { return caught; }
