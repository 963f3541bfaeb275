/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_status.h: the one list of status codes every fallible migsim function returns,
 * with a message and a sysexits-style process exit code for each. */
#ifndef MIG_STATUS_H
#define MIG_STATUS_H

/* X(name, exit code, message). Exit codes follow sysexits.h. */
#define MIG_STATUS_LIST(X)                                              \
    X(MIG_OK,         0,  "success")                                    \
    X(MIG_EUSAGE,     64, "command line usage error")                   \
    X(MIG_EDATA,      65, "bad input data")                             \
    X(MIG_ENOINPUT,   66, "cannot open input file")                     \
    X(MIG_EINTERNAL,  70, "internal error")                             \
    X(MIG_ENOMEM,     71, "out of memory")                              \
    X(MIG_EIO,        74, "input/output error")                         \
    X(MIG_EINTERRUPT, 75, "interrupted; checkpoint written")            \
    X(MIG_ECONFIG,    78, "bad configuration")

#define MIG_STATUS_ENUM(name, code, msg) name,
typedef enum mig_status { MIG_STATUS_LIST(MIG_STATUS_ENUM) MIG_STATUS_COUNT } mig_status;
#undef MIG_STATUS_ENUM

/* Static message for a status; never NULL. */
const char *mig_status_str(mig_status s);
/* Process exit code (sysexits) for a status. */
int mig_status_exit_code(mig_status s);

#endif
