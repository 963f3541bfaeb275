/* mig_cmd.c: the table of extra subcommands. Add a line here for a new one. */
#include <stddef.h>

#include "mig_cmd.h"

const mig_cmd mig_cmds[] = {
    { NULL, NULL, NULL },
};
