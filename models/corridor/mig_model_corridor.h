/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_model_corridor.h: the corridor model's data pieces, shared by the model, its fit for
 * `migsim calibrate` (mig_corridor_calibration.c) and the tests: monthly indicator series,
 * the log-linear departure hazard, and per-nationality route options. */
#ifndef MIG_MODEL_CORRIDOR_H
#define MIG_MODEL_CORRIDOR_H

#include <stddef.h>
#include <stdint.h>
#include "mig_config.h"
#include "mig_corridor_config.h"
#include "mig_ctx.h"
#include "mig_fit.h"
#include "mig_network.h"

/* A monthly indicator: one value per calendar month (months need not be contiguous). */
typedef struct mig_indicator {
    char *name;               /* owned */
    char *path;               /* owned: the CSV it came from */
    int32_t first_month;      /* month number (year * 12 + month - 1) of value[0] */
    uint32_t n_months;
    double *value;            /* owned [n_months] */
    uint8_t *have;            /* owned [n_months]: 1 where the CSV gives the month */
} mig_indicator;

/* A hazard term as the schedule uses it. */
typedef struct mig_hazard_term {
    const mig_indicator *ind; /* borrowed */
    double beta;              /* log-rate per unit of the indicator */
    double ref;               /* indicator value at which the term is 0 */
    int has_max;              /* 1: the indicator is capped at max (saturation) */
    double max;
} mig_hazard_term;

/* lifecycle */
/* Reads a CSV with columns month (YYYY-MM), value (a number), source (non-empty text)
 * and optionally note. Every problem is reported as file:line:column: column: message;
 * returns MIG_ENOINPUT or MIG_EDATA after reporting all. Caller owns *out. */
mig_status mig_indicator_load(const char *path, const char *name, mig_ctx *ctx, mig_indicator **out);
void mig_indicator_destroy(mig_indicator **p);

/* queries */
/* Month number of a day number (days since 1970-01-01). */
int32_t mig_corridor_month_of(int32_t day);
/* The indicator's value for the month containing day; returns 0 and sets *out, or -1
 * when the CSV has no row for that month. */
int mig_indicator_at(const mig_indicator *ind, int32_t day, double *out);

/* The daily departure rate of the hazard model,
 *     rate = base * exp(sum_k beta_k * (min(x_k, max_k) - ref_k)),
 * with the sum taken in term order. x[k] is term k's indicator value; max_k applies only
 * to terms with has_max. */
double mig_corridor_hazard_rate(double base, size_t n_terms, const mig_hazard_term *terms, const double *x);

/* Fills daily[0..days) (run starting on start_day) with departures on days
 * [from_day, to_day] for a rate of mult * mig_corridor_hazard_rate(base, terms, x(day)),
 * x from each term's indicator for the day's month. Counts follow the floor rule on the
 * running sum: with S_k = r_0 + ... + r_k (a double, summed in day order from the first
 * active day of the run), day k gets floor(S_k) - floor(S_{k-1}). A month an indicator
 * lacks is an error naming the indicator, the month and what (for messages). */
mig_status mig_corridor_hazard_schedule(uint32_t *daily, int32_t start_day, uint32_t days, int32_t from_day,
                                        int32_t to_day, double base, double mult, size_t n_terms,
                                        const mig_hazard_term *terms, const char *what, mig_ctx *ctx);

/* Route options: multipliers on link weights per nationality, from a CSV with columns
 * nationality, from, to, weight, source (non-empty) and optionally note; "*" matches any
 * nationality or place; a link's multiplier is the product of every matching row.
 * Fills mult[nat * n_links + link] (n_nat * n_links values, set to 1 first). Reports
 * unknown labels, places and links as file:line:column. */
mig_status mig_corridor_route_options(const char *path, const mig_config *cfg, const mig_network *net,
                                      double *mult, mig_ctx *ctx);

/* Route weights wn[n_links]: look-ahead attractiveness of base[p] * fac[p], where a port of
 * entry takes the largest factor other than 1 among the sectors reached from its border city
 * (the factors move where a nationality crosses, not whether at a port or between them).
 * bk, attr, prev: scratch [n_places]. */
void mig_corridor_weights(const mig_network *net, const mig_movement_cfg *mv, const double *base,
                          const uint8_t *is_port, const double *fac, double *bk, double *attr, double *prev,
                          double *wn);

/* ---- where each nationality crosses (models/corridor/mig_corridor_sectors.c) ----------------- */

/* corridor.sector_choice: each nationality's factors on the Border Patrol sectors of the
 * record (fac[n_nat * n_places], the rest left as given) such that its route tables (weights
 * times the route options mult[n_nat * n_links]) send its walks from its sources (hazard and
 * forcing places, equally) to the sectors in the shares estimated from the record over the
 * window (mig_corridor_sector_mix). Logs how closely they match. */
struct mig_world;
mig_status mig_corridor_sector_factors(const struct mig_world *w, const double *base, const uint8_t *is_port,
                                       const double *mult, mig_ctx *ctx, double *fac);

/* ---- fitting to the record (models/corridor/mig_model_corridor_fit.c) ------------------------ */

/* The observed CBP/OHSS series over a window of calendar months, mapped onto a scenario:
 * southwest-border encounters (USBP + OFO), by citizenship (columns of citizenships the
 * scenario lacks are added to its OTHER), and USBP encounters by sector (sector columns
 * are place names of the network). */
typedef struct mig_corridor_obs {
    int32_t first_month;      /* month number (year * 12 + month - 1) of the first month */
    uint32_t n_months;
    uint32_t n_nat;           /* the scenario's nationalities */
    int other;                /* index of the nationality OTHER, or -1 */
    uint32_t n_sectors;
    double *total;            /* owned [n_months] */
    double *ofo;              /* owned [n_months]: of which at ports of entry (CBP OFO) */
    double *by_nat;           /* owned [n_months * n_nat] */
    double *by_sector;        /* owned [n_months * n_sectors] */
    double *usbp_by_nat;      /* owned [n_months * n_nat]: USBP (between ports) by citizenship (OHSS) */
    uint32_t *sector_place;   /* owned [n_sectors]: place index of each sector column */
    char **sector_name;       /* owned [n_sectors] */
    char **nat_name;          /* owned [n_nat]: the scenario's nationalities (NULL: not named) */
    uint8_t *is_port;         /* owned [n_places]: 1 for the scenario's ports of entry */
    uint8_t *is_dest;         /* owned [n_places]: 1 for destinations */
    uint32_t n_places;
} mig_corridor_obs;

/* A run's encounters on the same months (per migrant: divided by corridor.scale). */
typedef struct mig_corridor_sim {
    double *total;            /* owned [n_months] */
    double *ofo;              /* owned [n_months]: at ports of entry */
    double *by_nat;           /* owned [n_months * n_nat] */
    double *by_sector;        /* owned [n_months * n_sectors] */
    double *nat_sector;       /* owned [n_nat * n_sectors]: USBP encounters over the window */
} mig_corridor_sim;

/* Weight of the band excess in the objective: a value outside its target band costs this
 * many times more per unit of excess than its error inside, so the simplex prefers bringing
 * the worst values into their bands (the targets count values within bands) over trimming
 * errors that are within them already. */
#define MIG_CORRIDOR_OUTSIDE_WEIGHT 4.0

/* Fit measures over the window; fiscal years are those wholly inside it. */
typedef struct mig_corridor_fit {
    double mape;              /* mean |sim - obs| / obs over the months */
    double citizenship;       /* mean |sim - obs| / obs over each FY's top-10 citizenships (OTHER excluded) */
    double sector;            /* mean |share_sim - share_obs| over each FY's sector shares of USBP
                               * encounters and the ports' (OFO) share of all (0.05 = 5 points) */
    double outside;           /* band excess: mean over the citizenship values of
                               * max(0, |sim - obs| / obs / 0.15 - 1), plus the same over the
                               * share values with 0.05 (0: every value within its target) */
    double objective;         /* mape / 0.15 + citizenship / 0.15 + sector / 0.05
                               * + MIG_CORRIDOR_OUTSIDE_WEIGHT * outside */
    uint32_t n_fy;            /* fiscal years measured */
} mig_corridor_fit;

/* Reads cbp_swb_encounters_monthly_fy2021_fy2023.csv,
 * cbp_swb_encounters_monthly_by_citizenship_fy2021_fy2023.csv,
 * usbp_swb_encounters_monthly_by_sector_fy2021_fy2023.csv and
 * usbp_swb_encounters_monthly_by_citizenship_ohss_fy2021_fy2023.csv (a citizenship counts
 * as the nationality named by its text up to the first comma, else as OTHER) from dir for months
 * [first_month, last_month]. Every month must be present. Caller owns *out. */
mig_status mig_corridor_obs_load(const char *dir, const mig_config *cfg, const mig_network *net,
                                 int32_t first_month, int32_t last_month, mig_ctx *ctx, mig_corridor_obs **out);
void mig_corridor_obs_destroy(mig_corridor_obs **p);

/* Runs the scenario at path with the overrides (model corridor, in process, no output)
 * through the last day of the window and sums its encounters into sim (allocated here;
 * free with mig_corridor_sim_free). */
mig_status mig_corridor_simulate(const char *path, const char *const *over, size_t n_over,
                                 const mig_corridor_obs *obs, mig_ctx *ctx, mig_corridor_sim *sim);
void mig_corridor_sim_free(mig_corridor_sim *sim);

/* Each nationality's share of its USBP encounters by sector, estimated from the observed
 * monthly series alone (no sector-by-citizenship table is published): the P >= 0 with
 * rows summing to 1 that minimises
 *     |S - C P|^2 / |S|^2 + prior * sum_k w_k |P_k - p0|^2
 * where S[month][sector] are the sector counts, C[month][k] the USBP counts by citizenship,
 * p0 the pooled sector shares and w_k nationality k's share of the encounters (projected
 * gradient with Nesterov steps, rows projected onto the simplex). share[n_nat * n_sectors];
 * *residual: |S - C P| summed / |S| summed. */
mig_status mig_corridor_sector_mix(const mig_corridor_obs *obs, double prior, double *share, double *residual);

/* The theta >= 0 minimising sum_f (sum_j theta[j] a[j][f] - b[f])^2 for n unknowns
 * (1 <= n <= MIG_NNLS_MAX_N) and m equations (m <= MIG_NNLS_MAX_M); theta[n]. When no
 * subset has a solution with every value > 0, theta is all 1 (no change). Used by
 * `migsim calibrate --levels`. */
#define MIG_NNLS_MAX_N 4
#define MIG_NNLS_MAX_M 16
void mig_corridor_nnls(int n, int m, const double (*a)[MIG_NNLS_MAX_M], const double *b, double *theta);

/* The top-10 citizenships by total[n] (those with total > 0; OTHER, index other, is not a
 * citizenship): their indices into top[10], largest first; returns how many. */
int mig_corridor_top10(const double *total, uint32_t n, int other, int top[10]);

/* Measures sim against obs. */
void mig_corridor_measure(const mig_corridor_obs *obs, const mig_corridor_sim *sim, mig_corridor_fit *fit);
/* The figures behind those measures, to emit in this order: each month's total (table
 * "month", label YYYY-MM, months with observations), then for each fiscal year wholly in the
 * window its top-10 citizenships' totals ("citizenship", "FY2023 MEXICO") and the sectors'
 * shares of USBP encounters and the ports' share of all ("sector", "FY2023 Tucson",
 * "FY2023 ports of entry (of all)"). */
mig_status mig_corridor_figures(const mig_corridor_obs *obs, const mig_corridor_sim *sim, mig_fit_figure_fn emit,
                                void *data);

/* The Securing the Border rule's state machine (corridor.securing_border), on the day's
 * encounters at Border Patrol sectors in agents: the thresholds are in persons per day, so
 * they are multiplied by the window and corridor.scale once. The average over days
 * d-window+1..d, known at the end of day d, decides the state of day d+1: off -> on when it
 * reaches on_at (from `from` on; the window may reach back before `from`, never before the
 * run's start: with fewer days than the window the state stays off); on -> lifted on day
 * f + off_after_days, f the first day whose average is below off_below (a later average
 * between off_below and on_at does not stop the count; one at on_at or above cancels it). */
typedef struct mig_corridor_bar_rule {
    int32_t from_day;         /* first day the bar can apply */
    double on_sum;            /* window sum (agents) at or above which it applies */
    double off_sum;           /* window sum below which the lift count starts */
    int32_t off_after;        /* calendar days from that day to the first day lifted */
    uint32_t window;          /* days in the average */
} mig_corridor_bar_rule;

typedef struct mig_corridor_bar {
    int active;               /* the bar applies today */
    int32_t lift_day;         /* first day lifted, pending; INT32_MIN: none */
} mig_corridor_bar;

/* The rule of a scenario's securing_border section (which must be present). */
mig_status mig_corridor_bar_rule_of(const mig_corridor_cfg *c, mig_corridor_bar_rule *out);

/* Advances *bar from day start_day + d to the next day, given enc[0..d] (encounters per
 * day, agents, the run's days so far). */
mig_status mig_corridor_bar_advance(const mig_corridor_bar_rule *r, int32_t start_day, uint32_t d,
                                    const int64_t *enc, mig_corridor_bar *bar);

/* The states of days 0..days-1 of a run (active[0] = 0: no days before the run) for the
 * series enc[0..days). */
mig_status mig_corridor_bar_states(const mig_corridor_bar_rule *r, int32_t start_day, uint32_t days,
                                   const int64_t *enc, uint8_t *active);

#endif
