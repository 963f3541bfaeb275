/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_types.c: spelling tables for place kinds and travel modes. */
#include "mig_types.h"

#include <string.h>

#define MIG_NAME_ITEM(e, s) s,
const char *const mig_place_kind_names[MIG_KIND_COUNT] = { MIG_PLACE_KIND_LIST(MIG_NAME_ITEM) };
const char *const mig_mode_names[MIG_MODE_COUNT] = { MIG_MODE_LIST(MIG_NAME_ITEM) };
#undef MIG_NAME_ITEM

static int parse(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int mig_place_kind_parse(const char *s, mig_place_kind *out)
{
    int i = parse(s, mig_place_kind_names, MIG_KIND_COUNT);
    if (i < 0)
        return -1;
    *out = (mig_place_kind)i;
    return 0;
}

int mig_mode_parse(const char *s, mig_mode *out)
{
    int i = parse(s, mig_mode_names, MIG_MODE_COUNT);
    if (i < 0)
        return -1;
    *out = (mig_mode)i;
    return 0;
}
