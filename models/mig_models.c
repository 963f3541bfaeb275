/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_models.c: the registry of behaviour models, looked up by name at run time. */
#include <string.h>
#include "mig_model.h"

extern const mig_model_ops mig_model_basic;
extern const mig_model_ops mig_model_corridor;
extern const mig_model_ops mig_model_flee;

static const mig_model_ops *const registry[] = { &mig_model_basic, &mig_model_corridor, &mig_model_flee };

const mig_model_ops *mig_model_find(const char *name)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const mig_model_ops *mig_model_at(size_t i)
{
    return i < sizeof registry / sizeof registry[0] ? registry[i] : NULL;
}
