/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_cmd_check.c: `migsim check SCENARIO.yaml [--set KEY=VALUE]...`: loads the scenario
 * and builds its world without running it, reporting every problem, then one OK line. */
#include <stdio.h>

#include "mig_cmd.h"
#include "mig_policy.h"
#include "mig_util.h"
#include "mig_world.h"

/* The OK line, and the policy line when the scenario has packages or caravans. */
static void print_summary(const mig_cmd_args *a, const mig_config *cfg, const mig_world *w)
{
    printf("%s: OK (model %s, %u places, %u links, %u nationalities, %u sources, %u days from %s)\n", a->scenario,
           cfg->model, w->net->n_places, w->net->n_links, cfg->n_nationalities, cfg->n_sources, cfg->days,
           cfg->start_date);
    {
        char need[32], have[32];
        mig_bytes_text(w->mem_bytes, need, sizeof need);
        mig_bytes_text(w->mem_bytes - w->mem_agents * MIG_AGENT_BYTES, have,
                       sizeof have);
        printf("  memory: about %s (%llu agents x %zu bytes + %s of tables)\n", need,
               (unsigned long long)w->mem_agents, (size_t)MIG_AGENT_BYTES, have);
    }
    if (cfg->n_packages || cfg->n_caravans) {
        uint32_t on = 0;
        for (uint32_t i = 0; i < cfg->n_packages; i++)
            on += cfg->packages[i].enabled;
        printf("  policy: %u of %u packages enabled (%u interventions), %u caravans\n", on, cfg->n_packages,
               w->policy->n_iv, cfg->n_caravans);
    }
}

int mig_cmd_check(mig_cmd_args *a, int *argc, char ***argv)
{
    mig_comm comm = { 0, 1, 0, 0 };
    mig_ctx *ctx = NULL;
    mig_config *cfg = NULL;
    mig_world *w = NULL;
    mig_status st;
    int rc = mig_cmd_scenario_open(a, argc, argv, &comm, &ctx, &cfg);

    if (rc < 0) {
        if ((st = mig_world_create(cfg, ctx, &w)) != MIG_OK) {
            rc = mig_ctx_report(ctx, st, stderr);
        } else {
            print_summary(a, cfg, w);
            rc = 0;
        }
    }
    mig_world_destroy(&w);
    return mig_cmd_scenario_close(&comm, &ctx, &cfg, rc);
}
