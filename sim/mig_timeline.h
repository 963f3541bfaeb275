/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_timeline.h: dated inputs turned into per-day schedules before the run: how many
 * agents each spawn source emits on each simulated day (from a constant rate or a dated
 * series CSV). Built once, read by the spawn phase. */
#ifndef MIG_TIMELINE_H
#define MIG_TIMELINE_H

#include <stdint.h>
#include "mig_ctx.h"

/* Fills daily[0..days) with agents per day for a constant rate (agents/day, >= 0)
 * applied on days [from_day, to_day] (day numbers since 1970-01-01, inclusive) of a run
 * that starts on start_day. Fractions carry over: the count on day k is
 * floor(rate*(k+1)) - floor(rate*k) counted from from_day, so totals are exact. */
void mig_timeline_rate(uint32_t *daily, int32_t start_day, uint32_t days, double rate,
                       int32_t from_day, int32_t to_day);

/* Adds a series CSV to daily[0..days). Columns: start, end (YYYY-MM-DD, inclusive),
 * total (persons over that period, >= 0); optional source, note. Each period's total is
 * spread evenly over its days (same floor rule); days outside the run are dropped.
 * Errors name file:line:column; returns MIG_ENOINPUT or MIG_EDATA after reporting all. */
mig_status mig_timeline_add_series(uint32_t *daily, int32_t start_day, uint32_t days,
                                   const char *path, double scale, mig_ctx *ctx);

#endif
