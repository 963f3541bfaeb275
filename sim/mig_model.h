/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_model.h: the interface every behaviour ruleset implements, a table of function
 * pointers chosen at run time by the scenario's `model` key, never by #if. The engine owns
 * the phases (timeline, spawn, decide, travel, apply, observe); a model fills in the rules. */
#ifndef MIG_MODEL_H
#define MIG_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "mig_ctx.h"
#include "mig_fit.h"
#include "mig_obs.h"
#include "mig_output.h"
#include "mig_world.h"

#define MIG_MAX_RESULTS 8 /* results a model may give (mig_model_ops.results) */

typedef struct mig_model_ops {
    const char *name;       /* the scenario's `model` value */
    const char *summary;    /* one line for --help */
    /* The model's own top-level section of the scenario (schema, defaults, checks, free),
     * or NULL when it reads only the engine's keys. */
    const mig_config_section_ops *section;

    /* Builds the model's read-only tables from the world (network, config) and may
     * register extra observation variables in w->obs. Owns *state. Required. */
    mig_status (*create)(mig_world *w, mig_ctx *ctx, void **state);
    /* Frees *state; accepts NULL. Required. */
    void (*destroy)(void **state);

    /* timeline phase: applies dated changes before spawning. Sequential. May be NULL. */
    mig_status (*timeline)(void *state, mig_world *w, uint32_t step, mig_ctx *ctx);
    /* spawn phase: spawns agents beyond the scenario's sources. Sequential. May be NULL. */
    mig_status (*spawn)(void *state, mig_world *w, uint32_t step, mig_ctx *ctx);
    /* decide phase: for agents in slots [begin, end) that are at a place, decide whether
     * to move and along which link (set state ON_LINK, loc = link, progress = 0). May
     * write only those agents' slots; reads the world. Called inside a parallel region
     * on disjoint ranges. Required. */
    void (*decide)(const void *state, mig_world *w, uint32_t step, size_t begin, size_t end);
    /* 1 when decide also moves the agents along links for the whole day (Flee's several
     * links a day): the engine's travel phase then leaves them where decide put them. */
    int travels;
    /* apply phase: after travel and arrival, deterministic rules on agents and places
     * (e.g. outcomes at a destination). May be NULL. */
    mig_status (*apply)(void *state, mig_world *w, uint32_t step, mig_ctx *ctx);
    /* observe phase: fills the model's own observation variables. May be NULL. */
    mig_status (*observe)(void *state, mig_world *w, uint32_t step, mig_ctx *ctx);

    /* After the last day: the run's results (e.g. validation scores; the same on every
     * rank), at most cap of them into out, their number returned; names borrowed from
     * the model. Printed at the end of `migsim run` and written to the output's group
     * "results". May be NULL. */
    size_t (*results)(const void *state, mig_result *out, size_t cap);
    /* What `migsim calibrate` needs to fit the model to a record (sim/mig_fit.h), or NULL
     * when the model cannot be calibrated. */
    const mig_fit_ops *fit;
    /* What each run of the scenario draws beyond the engine's random numbers, in words for
     * an ensemble's provenance (e.g. a forecast error drawn from the seed); buf[0] = '\0'
     * when nothing. At most n bytes. May be NULL. */
    void (*uncertainty)(const mig_config *cfg, char *buf, size_t n);
} mig_model_ops;

/* The registry of models compiled in. Returns NULL when name is unknown. */
const mig_model_ops *mig_model_find(const char *name);
/* The i-th model, or NULL past the end (for --help listings). */
const mig_model_ops *mig_model_at(size_t i);

#endif
