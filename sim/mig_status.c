/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_status.c: message and exit-code tables generated from MIG_STATUS_LIST. */
#include "mig_status.h"

#define MIG_STATUS_MSG(name, code, msg) msg,
#define MIG_STATUS_CODE(name, code, msg) code,
static const char *const messages[] = { MIG_STATUS_LIST(MIG_STATUS_MSG) };
static const int codes[] = { MIG_STATUS_LIST(MIG_STATUS_CODE) };

const char *mig_status_str(mig_status s)
{
    if ((int)s < 0 || s >= MIG_STATUS_COUNT)
        return "unknown status";
    return messages[s];
}

int mig_status_exit_code(mig_status s)
{
    if ((int)s < 0 || s >= MIG_STATUS_COUNT)
        return 70;
    return codes[s];
}
