/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_types.h: small enumerations shared by the config, network and model modules:
 * place kinds and travel modes, with their spelling in YAML and CSV files. */
#ifndef MIG_TYPES_H
#define MIG_TYPES_H

#include <stdint.h>

/* X(enum, spelling) */
#define MIG_PLACE_KIND_LIST(X)          \
    X(MIG_KIND_ORIGIN, "origin")        \
    X(MIG_KIND_TOWN, "town")            \
    X(MIG_KIND_CAMP, "camp")            \
    X(MIG_KIND_BORDER, "border")        \
    X(MIG_KIND_DESTINATION, "destination")

#define MIG_MODE_LIST(X)        \
    X(MIG_MODE_FOOT, "foot")    \
    X(MIG_MODE_BOAT, "boat")    \
    X(MIG_MODE_BUS, "bus")      \
    X(MIG_MODE_RAIL, "rail")    \
    X(MIG_MODE_AIR, "air")

#define MIG_ENUM_ITEM(e, s) e,
typedef enum mig_place_kind { MIG_PLACE_KIND_LIST(MIG_ENUM_ITEM) MIG_KIND_COUNT } mig_place_kind;
typedef enum mig_mode { MIG_MODE_LIST(MIG_ENUM_ITEM) MIG_MODE_COUNT } mig_mode;
#undef MIG_ENUM_ITEM

extern const char *const mig_place_kind_names[MIG_KIND_COUNT];
extern const char *const mig_mode_names[MIG_MODE_COUNT];

/* Parse a spelling; returns 0 and sets *out on success, -1 when unknown. */
int mig_place_kind_parse(const char *s, mig_place_kind *out);
int mig_mode_parse(const char *s, mig_mode *out);

#endif
