/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: the migsim command line: hands the arguments to a command (tools/mig_cmd_*.c).
 * The only place that exits; everything else returns a mig_status or an exit code. */
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include <string.h>

#include "mig_cmd.h"

int main(int argc, char **argv)
{
    mig_cmd_args a;
    int rc;

    gsl_set_error_handler_off();
    /* no HDF5 clean-up at exit: after a failed H5Fclose (a full disk) it would close the
     * half-closed file again and crash in H5F__close_cb; the OS reclaims what is left */
    H5dont_atexit();
    for (const mig_cmd *c = mig_cmds; argc > 1 && c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->main(argc - 1, argv + 1);
    /* run and check: their options may come before the command */
    rc = mig_cmd_args_parse(&a, argc, argv);
    if (rc < 0)
        rc = strcmp(a.cmd, "run") == 0 ? mig_cmd_run(&a, &argc, &argv) : mig_cmd_check(&a, &argc, &argv);
    mig_cmd_args_free(&a);
    return rc;
}
