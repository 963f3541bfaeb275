/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_step.h: one simulated day, as a script of phases: timeline -> spawn -> decide
 * (parallel) -> travel and arrive (parallel) -> apply -> observe (parallel reduction) ->
 * compact. Results depend only on the config and seed, never on the thread count. */
#ifndef MIG_STEP_H
#define MIG_STEP_H

#include <stdint.h>
#include "mig_ctx.h"
#include "mig_world.h"

/* Advances the world by day `step` (0-based) and leaves that day's observations in
 * w->obs. Verifies conservation (spawned = at places + on links + absorbed + removed) and
 * returns MIG_EINTERNAL with a message if it fails. */
mig_status mig_step_run(mig_world *w, uint32_t step, mig_ctx *ctx);

#endif
