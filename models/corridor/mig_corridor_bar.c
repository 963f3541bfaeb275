/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_corridor_bar.c: the Securing the Border rule's state machine (Proclamation 10773,
 * 89 FR 48487): a pure function of the daily encounters between ports, so that the model and
 * the tests run the same rule (see mig_model_corridor.h for the day semantics). */
#include <stdint.h>

#include "mig_model_corridor.h"

mig_status mig_corridor_bar_rule_of(const mig_corridor_cfg *c, mig_corridor_bar_rule *out)
{
    const mig_corridor_bar_cfg *b = c->securing_border;
    if (!b)
        return MIG_EINTERNAL;
    out->from_day = c->bar_from_day;
    out->window = b->window_days;
    out->on_sum = b->on_at * (double)b->window_days * c->scale;
    out->off_sum = b->off_below * (double)b->window_days * c->scale;
    out->off_after = (int32_t)b->off_after_days;
    return MIG_OK;
}

mig_status mig_corridor_bar_advance(const mig_corridor_bar_rule *r, int32_t start_day, uint32_t d,
                                    const int64_t *enc, mig_corridor_bar *bar)
{
    const int32_t day = start_day + (int32_t)d;
    const int full = d + 1 >= r->window;
    int64_t sum = 0;
    for (uint32_t i = full ? d + 1 - r->window : 0; i <= d; i++)
        sum += enc[i];
    if (day + 1 < r->from_day) {
        bar->active = 0;
        bar->lift_day = INT32_MIN;
    } else if (!bar->active) {
        bar->active = full && (double)sum >= r->on_sum;
        bar->lift_day = INT32_MIN;
    } else {
        if (bar->lift_day != INT32_MIN && (double)sum >= r->on_sum)
            bar->lift_day = INT32_MIN; /* the re-application condition holds */
        else if (bar->lift_day == INT32_MIN && (double)sum < r->off_sum)
            bar->lift_day = day + r->off_after;
        if (bar->lift_day != INT32_MIN && day + 1 >= bar->lift_day) {
            bar->active = 0;
            bar->lift_day = INT32_MIN;
        }
    }
    return MIG_OK;
}

mig_status mig_corridor_bar_states(const mig_corridor_bar_rule *r, int32_t start_day, uint32_t days,
                                   const int64_t *enc, uint8_t *active)
{
    mig_corridor_bar bar = { 0, INT32_MIN };
    for (uint32_t d = 0; d < days; d++) {
        mig_status st;
        active[d] = (uint8_t)bar.active;
        if ((st = mig_corridor_bar_advance(r, start_day, d, enc, &bar)) != MIG_OK)
            return st;
    }
    return MIG_OK;
}
