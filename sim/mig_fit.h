/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_fit.h: calibration's meeting point with a model that can be fitted to a record: the
 * fit table a model declares (record, runs and their measures, matching steps) and the
 * services of a calibration in progress that those steps call (`migsim calibrate`). */
#ifndef MIG_FIT_H
#define MIG_FIT_H

#include <stddef.h>
#include <stdint.h>
#include "mig_config.h"
#include "mig_ctx.h"

struct mig_world;

#define MIG_FIT_MAX_KEYS 64
#define MIG_FIT_MAX_MEASURES 8

/* Scenario keys a matching step moves together, each with its own value. */
typedef struct mig_fit_group {
    char *keys[MIG_FIT_MAX_KEYS]; /* owned: keys written in the scenario file */
    size_t n_keys;
    double value[MIG_FIT_MAX_KEYS]; /* each key's current value */
    double target[MIG_FIT_MAX_KEYS]; /* what the step aims at, for the record (see has_target) */
    int slot[MIG_FIT_MAX_KEYS];   /* the step's own use (e.g. a source or sector index) */
    int nat;                      /* the step's own use (e.g. a nationality index) */
    int n_slots;                  /* the step's own use */
} mig_fit_group;

/* One run measured against the record. */
typedef struct mig_fit_measures {
    double objective;             /* what calibration minimises */
    size_t n;                     /* further measures, written into the record after objective */
    const char *key[MIG_FIT_MAX_MEASURES]; /* static: record keys, e.g. "mape" */
    double value[MIG_FIT_MAX_MEASURES];
} mig_fit_measures;

/* One figure of a run beside the record's: a month's total, a fiscal year's citizenship
 * total, a sector's share (the model's figures behind its measures). */
typedef struct mig_fit_figure {
    const char *table;            /* static: the model's word for the kind, e.g. "month" */
    char label[96];               /* what it is of, e.g. "2022-10", "FY2023 MEXICO" */
    double observed, simulated;
    double error;                 /* share: simulated - observed; else (simulated - observed) / observed */
    int share;                    /* 1: observed and simulated are shares (fractions) */
} mig_fit_figure;

/* Receives the figures one by one; a status other than MIG_OK stops them. */
typedef mig_status (*mig_fit_figure_fn)(void *data, const mig_fit_figure *f);

/* The calibration in progress (tools/mig_cmd_calibrate.c); its services follow. */
typedef struct mig_fit_session mig_fit_session;

/* A matching step: moves its groups' values by a rule of its own between runs. */
typedef struct mig_fit_step_ops {
    const char *option;           /* calibrate's option that asks for it, without "--" */
    const char *method;           /* the record's method for its keys */
    int has_target;               /* 1: the record gives each key's target */
    int round_iterations;         /* iterations in each round (before the simplex) */
    int final_iterations;         /* iterations after the last round (steps in reverse order) */
    /* Builds the groups from the scenario (mig_fit_scenario); *groups owned by the caller
     * (free each key, then the array). */
    mig_status (*build)(void *state, mig_fit_session *s, mig_fit_group **groups, size_t *n);
    /* Runs up to iterations matching iterations on the groups. */
    mig_status (*match)(void *state, mig_fit_session *s, mig_fit_group *groups, size_t n, int iterations);
} mig_fit_step_ops;

/* What a model that can be fitted declares (its mig_model_ops.fit). */
typedef struct mig_fit_ops {
    const char *scale_key;        /* the key --scale sets (agents per person) */
    const char *note;             /* the record's note: objective and methods */
    /* Loads the record from dir for the calendar months [first_month, last_month] (month
     * numbers: year * 12 + month - 1) onto the scenario cfg0 and its world; scale is the
     * --scale the runs use. Owns *state. */
    mig_status (*open)(const mig_config *cfg0, const struct mig_world *w0, const char *dir, int32_t first_month,
                       int32_t last_month, double scale, mig_ctx *ctx, void **state);
    void (*close)(void **state);
    /* Runs the scenario at path with the overrides, in process, keeps the run in state
     * (for the steps) and measures it. */
    mig_status (*run)(void *state, const char *path, const char *const *over, size_t n_over, mig_ctx *ctx,
                      mig_fit_measures *out);
    /* The measures in words: the progress line after "objective" (describe) and the
     * summary in parentheses after the final objective (summary). */
    void (*describe)(const mig_fit_measures *m, char *buf, size_t size);
    void (*summary)(const mig_fit_measures *m, char *buf, size_t size);
    /* Optional (NULL: none): the last run's figures behind its measures, in the order of a
     * report (`migsim calibrate --validate` prints and records them). */
    mig_status (*figures)(void *state, mig_fit_figure_fn emit, void *data);
    const mig_fit_step_ops *steps; /* [n_steps], in the order each round runs them */
    size_t n_steps;
} mig_fit_ops;

/* ---- services of the calibration in progress, for the steps ---------------------------- */

/* queries */
const mig_config *mig_fit_scenario(const mig_fit_session *s); /* the scenario as written */
mig_ctx *mig_fit_ctx(mig_fit_session *s);
int mig_fit_quiet(const mig_fit_session *s);          /* 1: no progress lines */
/* The value written at key in the scenario file (reports a key written elsewhere). */
mig_status mig_fit_value(mig_fit_session *s, const char *key, double *out);

/* runs */
/* Runs the current values (the model keeps the run); what names it in progress lines. */
mig_status mig_fit_evaluate(mig_fit_session *s, const char *what);
/* The same with only the keys of groups whose slot is slot (the others of those groups 0). */
mig_status mig_fit_probe(mig_fit_session *s, const mig_fit_group *groups, int slot, const char *what);
/* The objective of the current values, evaluated if not known. */
mig_status mig_fit_know_current(mig_fit_session *s, const char *what);
/* Takes the last run's objective as the current values'. */
void mig_fit_accept(mig_fit_session *s);

/* steps */
/* Saves every fitted value before a step. */
void mig_fit_save(mig_fit_session *s);
/* Keeps the step if the last run lowered the objective, else puts the saved values back;
 * returns 1 if it stays. */
int mig_fit_settle(mig_fit_session *s, const char *what);
/* Runs the stepped values and settles the step; *kept: 1 if it stays. */
mig_status mig_fit_keep_if_better(mig_fit_session *s, const char *what, int *kept);

#endif
