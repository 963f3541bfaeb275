/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_keypath.h: key paths as --set, sweeps and calibrate write them (days,
 * sources[0].rate, packages[working-group].interventions[1].factor), parsed in one place. */
#ifndef MIG_KEYPATH_H
#define MIG_KEYPATH_H

#include <stddef.h>
#include "mig_status.h"

/* One step of a path: a key, and maybe a selector of one entry of the list there. */
typedef struct mig_keypath_step {
    char *key;                /* owned: "packages" */
    long index;               /* [3]: the entry's index; else -1 */
    char *name;               /* owned: [working-group]: the entry whose `name` is that; else NULL */
    int bad;                  /* 1: a malformed selector ("a[-1]", "a[]", "a[1]b", "a[1][2]") */
    char *text;               /* owned: the step as written, for messages */
} mig_keypath_step;

typedef struct mig_keypath {
    mig_keypath_step *step;   /* owned: [n] */
    size_t n;
} mig_keypath;

/* lifecycle */
/* Splits the first len bytes of text at each '.' (empty steps are skipped) and reads each
 * step's selector: digits make an index, anything else not starting with a number a
 * name. A malformed selector marks its step bad (the caller reports it when it gets
 * there). Returns MIG_OK or MIG_ENOMEM (then *out is empty). Free with mig_keypath_free. */
mig_status mig_keypath_parse(const char *text, size_t len, mig_keypath *out);
void mig_keypath_free(mig_keypath *kp);      /* accepts an empty one; leaves it empty */

#endif
