/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_keypath.c: key paths split into steps with [index] and [name] selectors. */
#include "mig_keypath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The step written as the len bytes at seg. Returns 0, or -1 when memory runs out. */
static int parse_step(const char *seg, size_t len, mig_keypath_step *st)
{
    char *br, *end;
    size_t bl;
    long idx;

    memset(st, 0, sizeof *st);
    st->index = -1;
    if (!(st->text = strndup(seg, len)))
        return -1;
    if (!(br = strchr(st->text, '[')))
        return (st->key = strdup(st->text)) ? 0 : -1;
    bl = strlen(br);
    errno = 0;
    idx = strtol(br + 1, &end, 10);
    if (end == br + 1 && bl > 2 && br[bl - 1] == ']' && !strchr(br + 1, '[')) {
        if (!(st->name = strndup(br + 1, bl - 2)))
            return -1;
    } else if (end == br + 1 || *end != ']' || end[1] || idx < 0 || errno == ERANGE) {
        st->bad = 1;
    } else {
        st->index = idx;
    }
    return (st->key = strndup(st->text, (size_t)(br - st->text))) ? 0 : -1;
}

mig_status mig_keypath_parse(const char *text, size_t len, mig_keypath *out)
{
    size_t i = 0;
    out->step = NULL;
    out->n = 0;
    while (i < len) {
        size_t j = i;
        mig_keypath_step *s;
        while (j < len && text[j] != '.')
            j++;
        if (j > i) {
            if (!(s = realloc(out->step, (out->n + 1) * sizeof *s)))
                goto nomem;
            out->step = s;
            if (parse_step(text + i, j - i, &out->step[out->n++]))
                goto nomem;
        }
        i = j + 1;
    }
    return MIG_OK;
nomem:
    mig_keypath_free(out);
    return MIG_ENOMEM;
}

void mig_keypath_free(mig_keypath *kp)
{
    for (size_t i = 0; i < kp->n; i++) {
        free(kp->step[i].key);
        free(kp->step[i].name);
        free(kp->step[i].text);
    }
    free(kp->step);
    kp->step = NULL;
    kp->n = 0;
}
