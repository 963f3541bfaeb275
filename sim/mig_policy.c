/* mig_policy.c: interventions and caravans. Compiled once from the scenario against the
 * network; each day the step asks what is in force and the interventions act on the
 * agents at fixed points (see mig_policy.h). Counts go to per-intervention, per-place
 * observation variables; everything random is keyed by agent or group and step. */
#include "mig_policy.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_comm.h"
#include "mig_date.h"
#include "mig_rng.h"
#include "mig_util.h"
#include "mig_world.h"

static const char *const type_names[MIG_IV_TYPE_COUNT] = { "enforcement", "closure",    "quota",    "visa",
                                                           "origin",      "deterrence", "expulsion" };

static void iv_free(mig_iv *iv)
{
    free(iv->nat_on);
    free(iv->link_on);
    free(iv->place_on);
}

void mig_policy_destroy(mig_policy **p)
{
    mig_policy *pol;
    if (!p || !*p)
        return;
    pol = *p;
    for (uint32_t i = 0; i < pol->n_iv; i++) {
        iv_free(&pol->iv[i]);
        if (pol->label)
            free(pol->label[i]);
    }
    free(pol->iv);
    free(pol->label);
    free(pol->active);
    free(pol->enf_start);
    free(pol->enf_iv);
    free(pol->expel);
    free(pol->enf_today);
    for (uint32_t c = 0; c < pol->n_caravans; c++)
        free(pol->caravans[c].link);
    free(pol->caravans);
    free(pol);
    *p = NULL;
}

/* ---- compiling ------------------------------------------------------------------------ */

typedef struct builder {
    mig_world *w;
    mig_ctx *ctx;
    int errors;
    mig_status first;
} builder;

static void fail(builder *b, mig_status s, const char *field, const char *fmt, const char *name)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, name);
    mig_ctx_error(b->ctx, s, "%s: %s: %s", mig_config_where(b->w->cfg, field), field, msg);
    if (!b->errors++)
        b->first = s;
}

static int in_list(char **list, uint32_t n, const char *s)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* Checks every name the intervention gives; fills its target arrays. */
static mig_status compile_iv(builder *b, const char *base, const mig_intervention_cfg *c, mig_iv *iv)
{
    const mig_world *w = b->w;
    const mig_network *net = w->net;
    char field[192];
    int64_t *link_idx = NULL;

    iv->nat_on = calloc(w->n_nat, 1);
    iv->link_on = calloc(net->n_links ? net->n_links : 1, 1);
    iv->place_on = calloc(net->n_places, 1);
    link_idx = calloc(c->n_links ? c->n_links : 1, sizeof *link_idx);
    if (!iv->nat_on || !iv->link_on || !iv->place_on || !link_idx) {
        free(link_idx);
        return MIG_ENOMEM;
    }
    for (int t = 0; t < MIG_IV_TYPE_COUNT; t++)
        if (strcmp(c->type, type_names[t]) == 0)
            iv->type = (mig_iv_type)t;
    iv->from_day = c->from_day;
    iv->to_day = c->to_day;
    iv->probability = c->probability;
    iv->detention_days = c->detention_days;
    iv->deport = c->deport;
    iv->bus_south = c->bus_south;
    iv->on_link = !c->on_link || strcmp(c->on_link, "finish") == 0 ? MIG_ON_LINK_FINISH
                  : strcmp(c->on_link, "return") == 0             ? MIG_ON_LINK_RETURN
                                                                  : MIG_ON_LINK_WAIT;
    iv->per_day = c->per_day;
    iv->per_month = c->per_month;
    iv->factor = c->factor;
    iv->route_factor = c->route_factor;
    iv->month = INT32_MIN;
    for (uint32_t k = 0; k < w->n_nat; k++)
        iv->nat_on[k] = !c->n_nationalities || in_list(c->nationalities, c->n_nationalities, w->cfg->nationalities[k]);
    for (uint32_t i = 0; i < c->n_places; i++)
        if (mig_network_place(net, c->places[i]) < 0) {
            snprintf(field, sizeof field, "%s.places[%u]", base, i);
            fail(b, MIG_ECONFIG, field, "unknown place \"%s\"", c->places[i]);
        }
    for (uint32_t i = 0; i < c->n_countries; i++) {
        int found = 0;
        for (uint32_t p = 0; p < net->n_places && !found; p++)
            found = strcmp(net->place_country[p], c->countries[i]) == 0;
        if (!found) {
            snprintf(field, sizeof field, "%s.countries[%u]", base, i);
            fail(b, MIG_ECONFIG, field, "no place lies in country \"%s\"", c->countries[i]);
        }
    }
    for (uint32_t i = 0; i < c->n_links; i++) {
        const char *arrow = strstr(c->links[i], "->");
        link_idx[i] = -1;
        if (arrow) {
            char from[256], to[256];
            size_t fl = (size_t)(arrow - c->links[i]);
            const char *t = arrow + 2;
            while (fl && c->links[i][fl - 1] == ' ')
                fl--;
            while (*t == ' ')
                t++;
            if (fl < sizeof from && strlen(t) < sizeof to) {
                int64_t pf, pt;
                memcpy(from, c->links[i], fl);
                from[fl] = '\0';
                snprintf(to, sizeof to, "%s", t);
                pf = mig_network_place(net, from);
                pt = mig_network_place(net, to);
                if (pf >= 0 && pt >= 0)
                    link_idx[i] = mig_network_link(net, (uint32_t)pf, (uint32_t)pt);
            }
        }
        if (link_idx[i] < 0) {
            snprintf(field, sizeof field, "%s.links[%u]", base, i);
            fail(b, MIG_ECONFIG, field, "no link \"%s\" in the network (write \"from -> to\")", c->links[i]);
        }
    }
    if (c->bus_to && mig_network_place(net, c->bus_to) < 0) {
        snprintf(field, sizeof field, "%s.bus_to", base);
        fail(b, MIG_ECONFIG, field, "unknown place \"%s\"", c->bus_to);
    } else if (c->bus_to) {
        iv->bus_to = (uint32_t)mig_network_place(net, c->bus_to);
    }
    for (uint32_t p = 0; p < net->n_places; p++)
        iv->place_on[p] = (!c->n_places || in_list(c->places, c->n_places, net->place_name[p])) &&
                          (!c->n_countries || in_list(c->countries, c->n_countries, net->place_country[p]));
    for (uint32_t l = 0; l < net->n_links; l++) {
        int on = iv->place_on[net->link_to[l]];
        if (c->n_links) {
            int listed = 0;
            for (uint32_t i = 0; i < c->n_links; i++)
                listed |= link_idx[i] == (int64_t)l;
            on &= listed;
        }
        if (c->n_modes)
            on &= in_list(c->modes, c->n_modes, mig_mode_names[net->link_mode[l]]);
        /* a destination's arrivals are the model's (encounters), not a passage */
        if (iv->type == MIG_IV_ENFORCEMENT && net->place_kind[net->link_to[l]] == MIG_KIND_DESTINATION)
            on = 0;
        iv->link_on[l] = (uint8_t)on;
    }
    if (iv->type == MIG_IV_EXPULSION)
        for (uint32_t p = 0; p < net->n_places; p++)
            iv->place_on[p] &= net->place_kind[p] == MIG_KIND_DESTINATION;
    free(link_idx);
    return MIG_OK;
}

static mig_status compile_caravan(builder *b, const char *base, const mig_caravan_cfg *c, mig_caravan *cv)
{
    const mig_network *net = b->w->net;
    char field[192];
    int64_t prev = -1;
    cv->link = calloc(c->n_route, sizeof *cv->link);
    if (!cv->link)
        return MIG_ENOMEM;
    cv->n_links = c->n_route - 1;
    cv->speed = (float)c->speed_km_day;
    cv->status = MIG_CARAVAN_PENDING;
    for (uint32_t i = 0; i < c->n_route; i++) {
        int64_t p = mig_network_place(net, c->route[i]);
        snprintf(field, sizeof field, "%s.route[%u]", base, i);
        if (p < 0) {
            fail(b, MIG_ECONFIG, field, "unknown place \"%s\"", c->route[i]);
        } else if (prev >= 0) {
            int64_t l = mig_network_link(net, (uint32_t)prev, (uint32_t)p);
            if (l < 0)
                fail(b, MIG_EDATA, field, "no link leads here from the previous place of the route (\"%s\")",
                     c->route[i - 1]);
            else
                cv->link[i - 1] = (uint32_t)l;
        }
        prev = p;
    }
    return MIG_OK;
}

static mig_status register_obs(mig_policy *pol, mig_obs *obs)
{
    static const mig_dim iv_place[] = { MIG_DIM_INTERVENTION, MIG_DIM_PLACE }, place[] = { MIG_DIM_PLACE };
    mig_status st;
#define ADD(var, name, long_name, units, nd, dims)                                          \
    if ((st = mig_obs_add(obs, name, long_name, units, nd, dims, &pol->var)) != MIG_OK)     \
        return st;
    ADD(v_apprehended, "policy_apprehended", "persons apprehended on arriving at the place, by intervention",
        "persons day-1", 2, iv_place)
    ADD(v_detained, "policy_detained", "persons held at the place at the end of the day, by intervention",
        "persons", 2, iv_place)
    ADD(v_deported, "policy_deported", "persons deported from detention at the place to their origin",
        "persons day-1", 2, iv_place)
    ADD(v_turned_back, "policy_turned_back",
        "persons turned back: bused south from detention at the place, returned to the place from a closed "
        "link, or kept at the place by a quota",
        "persons day-1", 2, iv_place)
    ADD(v_released, "policy_released", "persons released from detention at the place", "persons day-1", 2,
        iv_place)
    ADD(v_quota_used, "policy_quota_used", "departures admitted by a quota, at the place they left",
        "persons day-1", 2, iv_place)
    ADD(v_caravan, "caravan_members", "persons walking in caravans, at the place they are at or last left",
        "persons", 1, place)
#undef ADD
    return MIG_OK;
}

static int factors(mig_policy *pol, mig_world *w, int32_t day);
static void caravan_dissolve(mig_world *w, mig_caravan *cv);

mig_status mig_policy_create(mig_world *w, mig_ctx *ctx, mig_policy **out)
{
    const mig_config *cfg = w->cfg;
    const mig_network *net = w->net;
    mig_policy *pol = calloc(1, sizeof *pol);
    builder b = { w, ctx, 0, MIG_OK };
    mig_status st = MIG_ENOMEM;
    uint32_t n = 0, k = 0, ne = 0;
    char base[128];

    *out = NULL;
    if (!pol)
        return MIG_ENOMEM;
    pol->seed = cfg->seed;
    for (uint32_t p = 0; p < cfg->n_packages; p++)
        if (cfg->packages[p].enabled)
            n += cfg->packages[p].n_interventions;
    pol->iv = calloc(n ? n : 1, sizeof *pol->iv);
    pol->label = calloc(n ? n : 1, sizeof *pol->label);
    pol->active = calloc(n ? n : 1, 1);
    pol->expel = calloc((size_t)w->n_nat * net->n_places, 1);
    pol->enf_today = calloc(net->n_links ? net->n_links : 1, 1);
    pol->enf_start = calloc((size_t)net->n_links + 1, sizeof *pol->enf_start);
    pol->caravans = calloc(cfg->n_caravans ? cfg->n_caravans : 1, sizeof *pol->caravans);
    if (!pol->iv || !pol->label || !pol->active || !pol->expel || !pol->enf_today || !pol->enf_start ||
        !pol->caravans)
        goto fail;
    for (uint32_t p = 0; p < cfg->n_packages; p++) {
        const mig_package_cfg *pk = &cfg->packages[p];
        if (!pk->enabled)
            continue;
        for (uint32_t i = 0; i < pk->n_interventions; i++, k++) {
            snprintf(base, sizeof base, "packages[%u].interventions[%u]", p, i);
            pol->n_iv = k + 1;
            if (!(pol->label[k] = mig_asprintf("%s/%s", pk->name, pk->interventions[i].name)))
                goto fail;
            if ((st = compile_iv(&b, base, &pk->interventions[i], &pol->iv[k])) != MIG_OK)
                goto fail;
            st = MIG_ENOMEM;
        }
    }
    pol->n_iv = n;
    for (uint32_t c = 0; c < cfg->n_caravans; c++) {
        snprintf(base, sizeof base, "caravans[%u]", c);
        pol->n_caravans = c + 1;
        if ((st = compile_caravan(&b, base, &cfg->caravans[c], &pol->caravans[c])) != MIG_OK)
            goto fail;
        st = MIG_ENOMEM;
    }
    if (b.errors) {
        st = b.first;
        goto fail;
    }
    if (n > UINT16_MAX) {
        st = mig_ctx_error(ctx, MIG_ECONFIG, "%s: %u interventions; at most %u are supported", cfg->path, n,
                           (unsigned)UINT16_MAX);
        goto fail;
    }
    /* enforcement per link, in intervention order */
    for (uint32_t i = 0; i < n; i++)
        if (pol->iv[i].type == MIG_IV_ENFORCEMENT)
            for (uint32_t l = 0; l < net->n_links; l++)
                ne += pol->iv[i].link_on[l];
    pol->enf_iv = calloc(ne ? ne : 1, sizeof *pol->enf_iv);
    if (!pol->enf_iv)
        goto fail;
    ne = 0;
    for (uint32_t l = 0; l < net->n_links; l++) {
        pol->enf_start[l] = ne;
        for (uint32_t i = 0; i < n; i++)
            if (pol->iv[i].type == MIG_IV_ENFORCEMENT && pol->iv[i].link_on[l])
                pol->enf_iv[ne++] = i;
    }
    pol->enf_start[net->n_links] = ne;
    if ((st = mig_obs_set_labels(w->obs, MIG_DIM_INTERVENTION, n, (const char *const *)pol->label)) != MIG_OK ||
        (st = register_obs(pol, w->obs)) != MIG_OK)
        goto fail;
    (void)factors(pol, w, cfg->start_day); /* the first day's factors, before the model builds routes */
    *out = pol;
    return MIG_OK;
fail:
    mig_policy_destroy(&pol);
    return st;
}

void mig_policy_scale_spawn(const mig_policy *pol, uint32_t place, uint16_t nat, int32_t start_day, uint32_t days,
                            uint32_t *daily)
{
    int any = 0;
    double sum = 0.0, prev_floor = 0.0;
    for (uint32_t i = 0; i < pol->n_iv; i++)
        any |= pol->iv[i].type == MIG_IV_ORIGIN && pol->iv[i].place_on[place] && pol->iv[i].nat_on[nat];
    if (!any)
        return;
    for (uint32_t d = 0; d < days; d++) {
        int32_t day = start_day + (int32_t)d;
        double f = 1.0, fl;
        for (uint32_t i = 0; i < pol->n_iv; i++) {
            const mig_iv *iv = &pol->iv[i];
            if (iv->type == MIG_IV_ORIGIN && iv->place_on[place] && iv->nat_on[nat] && day >= iv->from_day &&
                day <= iv->to_day)
                f *= iv->factor;
        }
        sum += (double)daily[d] * f;
        fl = floor(sum + 1e-9);
        daily[d] = (uint32_t)(fl - prev_floor);
        prev_floor = fl;
    }
}

/* ---- the day ---------------------------------------------------------------------------- */

/* Which interventions are in force on day, and the world's factors that follow. Returns
 * 1 when the link factors changed. */
static int factors(mig_policy *pol, mig_world *w, int32_t day)
{
    const mig_network *net = w->net;
    const size_t nl = net->n_links, np = net->n_places, nn = w->n_nat;
    int changed = 0;
    pol->any_closed = 0;
    memset(pol->expel, 0, nn * np);
    memset(pol->enf_today, 0, nl ? nl : 1);
    memset(w->link_wait, 0, nl ? nl : 1);
    for (size_t i = 0; i < nn * np; i++)
        w->move_factor[i] = 1.0;
    for (uint32_t i = 0; i < pol->n_iv; i++)
        pol->active[i] = day >= pol->iv[i].from_day && day <= pol->iv[i].to_day;
    for (size_t k = 0; k < nn; k++)
        for (size_t l = 0; l < nl; l++) {
            double f = 1.0;
            for (uint32_t i = 0; i < pol->n_iv; i++) {
                const mig_iv *iv = &pol->iv[i];
                if (!pol->active[i] || !iv->link_on[l])
                    continue;
                if (iv->type == MIG_IV_CLOSURE)
                    f = 0.0;
                else if (iv->type == MIG_IV_VISA && iv->nat_on[k])
                    f = 0.0;
                else if (iv->type == MIG_IV_DETERRENCE && iv->nat_on[k])
                    f *= iv->route_factor;
            }
            if (f == 0.0)
                pol->any_closed = 1;
            if (w->link_factor[k * nl + l] != f) {
                w->link_factor[k * nl + l] = f;
                changed = 1;
            }
        }
    for (uint32_t i = 0; i < pol->n_iv; i++) {
        const mig_iv *iv = &pol->iv[i];
        if (!pol->active[i])
            continue;
        for (size_t l = 0; l < nl; l++) {
            if (iv->type == MIG_IV_CLOSURE && iv->on_link == MIG_ON_LINK_WAIT && iv->link_on[l])
                w->link_wait[l] = 1;
            if (iv->type == MIG_IV_ENFORCEMENT && iv->link_on[l])
                pol->enf_today[l] = 1;
        }
        for (size_t k = 0; k < nn; k++)
            for (size_t p = 0; p < np; p++) {
                if (!iv->nat_on[k] || !iv->place_on[p])
                    continue;
                if (iv->type == MIG_IV_DETERRENCE)
                    w->move_factor[k * np + p] *= iv->factor;
                else if (iv->type == MIG_IV_EXPULSION)
                    pol->expel[k * np + p] = 1;
            }
    }
    return changed;
}

static int64_t global_sum(mig_ctx *ctx, int64_t v, mig_status *st)
{
    *st = MIG_OK;
    if (ctx->comm && ctx->comm->size > 1)
        *st = mig_comm_sum_i64(ctx->comm, &v, 1);
    return v;
}

/* Agents on a closed link whose closure says return: back to the link's start. */
static void closures_return(mig_policy *pol, mig_world *w)
{
    const mig_network *net = w->net;
    mig_agents *a = w->agents;
    const size_t np = net->n_places;
    for (uint32_t i = 0; i < pol->n_iv; i++) {
        const mig_iv *iv = &pol->iv[i];
        if (!pol->active[i] || iv->type != MIG_IV_CLOSURE || iv->on_link != MIG_ON_LINK_RETURN)
            continue;
        for (size_t s = 0; s < a->n; s++)
            if (a->state[s] == MIG_AGENT_ON_LINK && iv->link_on[a->loc[s]]) {
                uint32_t from = net->link_from[a->loc[s]];
                a->state[s] = MIG_AGENT_AT_PLACE;
                a->loc[s] = from;
                a->progress[s] = 0.0f;
                pol->v_turned_back[(size_t)i * np + from]++;
            }
    }
}

/* Members of caravan c (group g) at the caravan's place set off along its next link. */
static void caravan_set_off(mig_world *w, const mig_caravan *cv)
{
    mig_agents *a = w->agents;
    const uint32_t l = cv->link[cv->at], g = cv->group;
    const size_t n = a->n;
    const int nt = w->threads;
#pragma omp parallel for num_threads(nt) default(none) shared(a, n, l, g)
    for (size_t i = 0; i < n; i++)
        if (a->group[i] == g && a->state[i] == MIG_AGENT_AT_PLACE) {
            a->state[i] = MIG_AGENT_ON_LINK;
            a->loc[i] = l;
            a->progress[i] = 0.0f;
        }
}

static mig_status caravan_assemble(mig_policy *pol, mig_world *w, uint32_t c, uint32_t step, mig_ctx *ctx)
{
    const mig_caravan_cfg *cc = &w->cfg->caravans[c];
    mig_caravan *cv = &pol->caravans[c];
    mig_agents *a = w->agents;
    const uint32_t place = w->net->link_from[cv->link[0]];
    int64_t present = 0, joined = 0, spawned = 0;
    double q;
    char date[16];
    mig_status st;

    if ((st = mig_world_new_group(w, 1.0f, cv->speed, &cv->group)) != MIG_OK)
        return mig_ctx_error(ctx, st, "out of memory for groups");
    for (size_t i = 0; i < a->n; i++)
        present += a->state[i] == MIG_AGENT_AT_PLACE && a->loc[i] == place && a->group[i] == MIG_NO_GROUP;
    present = global_sum(ctx, present, &st);
    if (st != MIG_OK)
        return mig_ctx_error(ctx, st, "MPI_Allreduce of a caravan's count failed");
    q = present > (int64_t)cc->size ? (double)cc->size / (double)present : 1.0;
    for (size_t i = 0; i < a->n; i++)
        if (a->state[i] == MIG_AGENT_AT_PLACE && a->loc[i] == place && a->group[i] == MIG_NO_GROUP &&
            mig_rng_u01(mig_rng_draw4(pol->seed, a->id[i], step, MIG_RNG_CARAVAN, c).w[0]) < q) {
            a->group[i] = cv->group;
            joined++;
        }
    if (present < (int64_t)cc->size && cc->n_nationalities) {
        /* the shortfall arrives to join: split by shares with the floor rule */
        double total = 0.0, run = 0.0, prev = 0.0;
        int64_t need = (int64_t)cc->size - present;
        for (uint32_t k = 0; k < cc->n_nationalities; k++)
            total += cc->n_shares ? cc->shares[k] : 1.0;
        for (uint32_t k = 0; k < cc->n_nationalities; k++) {
            size_t first, count;
            double fl;
            run += (double)need * (cc->n_shares ? cc->shares[k] : 1.0) / total;
            fl = k + 1 == cc->n_nationalities ? (double)need : floor(run + 1e-9);
            count = (size_t)(fl - prev);
            prev = fl;
            st = mig_world_spawn(w, count, place, (uint16_t)mig_config_nationality(w->cfg, cc->nationalities[k]),
                                 step, 0, &first, ctx);
            if (st != MIG_OK)
                return st;
            for (size_t i = first; i < a->n; i++)
                a->group[i] = cv->group;
            spawned += (int64_t)count;
        }
    }
    joined = global_sum(ctx, joined, &st);
    if (st != MIG_OK)
        return mig_ctx_error(ctx, st, "MPI_Allreduce of a caravan's count failed");
    cv->members = joined + spawned;
    cv->status = MIG_CARAVAN_WALKING;
    mig_date_format(w->cfg->start_day + (int32_t)step, date);
    mig_log(ctx, MIG_LOG_INFO, "caravan %s assembled at %s on %s: %lld members (%lld of %lld present joined, %lld "
                "arrived to join)", cc->name, w->net->place_name[place], date, (long long)cv->members,
                (long long)joined, (long long)present, (long long)spawned);
    return MIG_OK;
}

mig_status mig_policy_day(mig_policy *pol, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    const int32_t day = w->cfg->start_day + (int32_t)step;
    mig_status st;
    if (factors(pol, w, day) && (st = mig_world_rebuild_routes(w, ctx)) != MIG_OK)
        return st;
    closures_return(pol, w);
    for (uint32_t c = 0; c < pol->n_caravans; c++) {
        mig_caravan *cv = &pol->caravans[c];
        if (cv->status == MIG_CARAVAN_PENDING && w->cfg->caravans[c].day == day &&
            (st = caravan_assemble(pol, w, c, step, ctx)) != MIG_OK)
            return st;
        if (cv->status == MIG_CARAVAN_WALKING && cv->ending) {
            caravan_dissolve(w, cv);
            cv->dissolved_day = day;
            continue;
        }
        if (cv->status != MIG_CARAVAN_WALKING || cv->on_link)
            continue;
        /* at a place of its route: on along the next link unless it is closed to anyone */
        {
            uint32_t l = cv->link[cv->at];
            int open = 1;
            for (uint32_t k = 0; k < w->n_nat; k++)
                open &= w->link_factor[(size_t)k * w->net->n_links + l] > 0.0;
            if (open) {
                caravan_set_off(w, cv);
                cv->on_link = 1;
                cv->progress = 0.0f;
            }
        }
    }
    return MIG_OK;
}

/* ---- after decide ----------------------------------------------------------------------- */

/* Those who set off today (on a link, progress 0) along a link closed or barred to them
 * stay; members of a walking caravan move only with it. */
static void gate_closed(mig_policy *pol, mig_world *w)
{
    mig_agents *a = w->agents;
    const mig_network *net = w->net;
    const double *lf = w->link_factor;
    const float *gspeed = w->group_speed;
    const mig_caravan *cv = pol->caravans;
    const uint32_t ncv = pol->n_caravans;
    const size_t n = a->n, nl = net->n_links;
    const int nt = w->threads;
#pragma omp parallel for num_threads(nt) default(none) shared(a, net, lf, gspeed, cv, ncv, n, nl)
    for (size_t i = 0; i < n; i++) {
        uint32_t l, g;
        int stay;
        if (a->state[i] != MIG_AGENT_ON_LINK || a->progress[i] != 0.0f)
            continue;
        l = a->loc[i];
        g = a->group[i];
        stay = lf[(size_t)a->nat[i] * nl + l] == 0.0;
        if (!stay && g != MIG_NO_GROUP && gspeed[g] > 0.0f) {
            /* a caravan member goes only where its caravan set off to today */
            stay = 1;
            for (uint32_t c = 0; c < ncv; c++)
                if (cv[c].group == g && cv[c].status == MIG_CARAVAN_WALKING && cv[c].on_link &&
                    cv[c].link[cv[c].at] == l && cv[c].progress == 0.0f)
                    stay = 0;
        }
        if (stay) {
            a->state[i] = MIG_AGENT_AT_PLACE;
            a->loc[i] = net->link_from[l];
        }
    }
}

typedef struct cand {
    uint64_t prio;
    size_t slot;
} cand;

/* Quota i: of today's departures along its links by its nationalities, admit those of
 * lowest keyed priority up to the cap (a family shares one priority, so it is admitted
 * or kept whole); the rest stay. Counts over all ranks, so the cap holds globally. */
static mig_status gate_quota(mig_policy *pol, mig_world *w, uint32_t i, uint32_t step, mig_ctx *ctx)
{
    mig_iv *iv = &pol->iv[i];
    mig_agents *a = w->agents;
    const mig_network *net = w->net;
    const size_t np = net->n_places;
    int yy, mm, dd;
    int32_t month;
    cand *c = NULL;
    size_t nc = 0, cap_c = 0;
    int64_t total, cap, admitted = 0;
    uint64_t lo = 0, hi = UINT64_MAX;
    mig_status st;

    mig_date_parts(w->cfg->start_day + (int32_t)step, &yy, &mm, &dd);
    month = yy * 12 + mm - 1;
    if (iv->month != month) {
        iv->month = month;
        iv->month_used = 0;
    }
    for (size_t s = 0; s < a->n; s++) {
        uint32_t key, pur, g = a->group[s];
        if (a->state[s] != MIG_AGENT_ON_LINK || a->progress[s] != 0.0f || !iv->link_on[a->loc[s]] ||
            !iv->nat_on[a->nat[s]] || (g != MIG_NO_GROUP && w->group_speed[g] > 0.0f))
            continue;
        if (nc == cap_c) {
            cand *t = realloc(c, (cap_c = cap_c ? 2 * cap_c : 1024) * sizeof *c);
            if (!t) {
                free(c);
                return mig_ctx_error(ctx, MIG_ENOMEM, "out of memory for a quota");
            }
            c = t;
        }
        mig_world_key(w, s, MIG_RNG_QUOTA, &key, &pur);
        c[nc].prio = ((uint64_t)mig_rng_draw4(pol->seed, key, step, pur, i).w[0] << 32) | key;
        c[nc].slot = s;
        nc++;
    }
    total = global_sum(ctx, (int64_t)nc, &st);
    if (st != MIG_OK)
        goto mpi_fail;
    cap = INT64_MAX;
    if (iv->per_day >= 0.0)
        cap = (int64_t)floor(iv->per_day);
    if (iv->per_month >= 0.0 && (int64_t)floor(iv->per_month) - iv->month_used < cap)
        cap = (int64_t)floor(iv->per_month) - iv->month_used;
    if (cap < 0)
        cap = 0;
    if (total > cap) {
        /* the largest threshold T with count(prio <= T) <= cap, by bisection over all ranks */
        uint64_t best = 0;
        int any = 0;
        while (lo <= hi) {
            uint64_t mid = lo + (hi - lo) / 2;
            int64_t cnt = 0;
            for (size_t j = 0; j < nc; j++)
                cnt += c[j].prio <= mid;
            cnt = global_sum(ctx, cnt, &st);
            if (st != MIG_OK)
                goto mpi_fail;
            if (cnt <= cap) {
                best = mid;
                any = 1;
                if (mid == UINT64_MAX)
                    break;
                lo = mid + 1;
            } else {
                if (mid == 0)
                    break;
                hi = mid - 1;
            }
        }
        for (size_t j = 0; j < nc; j++) {
            size_t s = c[j].slot;
            uint32_t from = net->link_from[a->loc[s]];
            if (any && c[j].prio <= best) {
                pol->v_quota_used[(size_t)i * np + from]++;
                admitted++;
                continue;
            }
            a->state[s] = MIG_AGENT_AT_PLACE;
            a->loc[s] = from;
            pol->v_turned_back[(size_t)i * np + from]++;
        }
        admitted = global_sum(ctx, admitted, &st);
        if (st != MIG_OK)
            goto mpi_fail;
    } else {
        for (size_t j = 0; j < nc; j++)
            pol->v_quota_used[(size_t)i * np + net->link_from[a->loc[c[j].slot]]]++;
        admitted = total;
    }
    iv->month_used += admitted;
    free(c);
    return MIG_OK;
mpi_fail:
    free(c);
    return mig_ctx_error(ctx, st, "MPI_Allreduce for a quota failed");
}

mig_status mig_policy_gate(mig_policy *pol, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    int walking = 0;
    mig_status st;
    for (uint32_t c = 0; c < pol->n_caravans; c++)
        walking |= pol->caravans[c].status == MIG_CARAVAN_WALKING;
    if (pol->any_closed || walking)
        gate_closed(pol, w);
    for (uint32_t i = 0; i < pol->n_iv; i++)
        if (pol->active[i] && pol->iv[i].type == MIG_IV_QUOTA && (st = gate_quota(pol, w, i, step, ctx)) != MIG_OK)
            return st;
    return MIG_OK;
}

/* ---- travel ------------------------------------------------------------------------------ */

int mig_policy_apprehend(const mig_policy *pol, mig_world *w, size_t i, uint32_t l, uint32_t step, int64_t *hist)
{
    mig_agents *a = w->agents;
    const uint32_t to = w->net->link_to[l];
    uint32_t key, pur;
    double u;
    if (!pol->enf_today[l])
        return 0;
    mig_world_key(w, i, MIG_RNG_ENFORCE, &key, &pur);
    u = mig_rng_u01(mig_rng_draw(pol->seed, key, step, pur).w[0]);
    for (uint32_t k = pol->enf_start[l]; k < pol->enf_start[l + 1]; k++) {
        const uint32_t j = pol->enf_iv[k];
        const mig_iv *iv = &pol->iv[j];
        uint32_t g;
        if (!pol->active[j] || !iv->nat_on[a->nat[i]])
            continue;
        if (!(u < iv->probability)) {
            /* not by this one: the rest of u is uniform for the next */
            u = iv->probability < 1.0 ? (u - iv->probability) / (1.0 - iv->probability) : 0.5;
            continue;
        }
        hist[(size_t)j * w->net->n_places + to]++;
        g = a->group[i];
        if (g != MIG_NO_GROUP && w->group_speed[g] > 0.0f)
            a->group[i] = MIG_NO_GROUP; /* out of the caravan */
        a->state[i] = MIG_AGENT_DETAINED;
        a->loc[i] = to;
        a->progress[i] = (float)(step + iv->detention_days);
        a->held_by[i] = (uint16_t)j;
        return 1;
    }
    return 0;
}

/* ---- after travel ------------------------------------------------------------------------ */

/* Releases those due: deported to the origin, bused to bus_to, or released in place. */
static void release(mig_policy *pol, mig_world *w, uint32_t step)
{
    mig_agents *a = w->agents;
    const size_t np = w->net->n_places;
    for (size_t i = 0; i < a->n; i++) {
        const mig_iv *iv;
        uint32_t key, pur, j, at;
        double u;
        if (a->state[i] != MIG_AGENT_DETAINED || a->progress[i] > (float)step)
            continue;
        j = a->held_by[i];
        iv = &pol->iv[j];
        at = a->loc[i];
        mig_world_key(w, i, MIG_RNG_RELEASE, &key, &pur);
        u = mig_rng_u01(mig_rng_draw(pol->seed, key, step, pur).w[0]);
        a->state[i] = MIG_AGENT_AT_PLACE;
        a->progress[i] = 0.0f;
        a->held_by[i] = 0;
        if (u < iv->deport) {
            a->loc[i] = a->origin[i];
            a->flags[i] = 0;
            pol->v_deported[(size_t)j * np + at]++;
        } else if (u < iv->deport + iv->bus_south) {
            a->loc[i] = iv->bus_to;
            a->flags[i] = 0;
            pol->v_turned_back[(size_t)j * np + at]++;
        } else {
            pol->v_released[(size_t)j * np + at]++;
        }
    }
}

static void caravan_dissolve(mig_world *w, mig_caravan *cv)
{
    mig_agents *a = w->agents;
    const uint32_t g = cv->group;
    const size_t n = a->n;
    const int nt = w->threads;
#pragma omp parallel for num_threads(nt) default(none) shared(a, n, g)
    for (size_t i = 0; i < n; i++)
        if (a->group[i] == g)
            a->group[i] = MIG_NO_GROUP;
    cv->status = MIG_CARAVAN_DISSOLVED;
}

mig_status mig_policy_after_travel(mig_policy *pol, mig_world *w, uint32_t step, mig_ctx *ctx)
{
    const int32_t day = w->cfg->start_day + (int32_t)step;
    release(pol, w, step);
    for (uint32_t c = 0; c < pol->n_caravans; c++) {
        mig_caravan *cv = &pol->caravans[c];
        const mig_caravan_cfg *cc = &w->cfg->caravans[c];
        const char *why = NULL;
        int arrived = 0;
        uint32_t l;
        if (cv->status != MIG_CARAVAN_WALKING || !cv->on_link || cv->ending)
            continue;
        /* the same arithmetic as the members' own progress in the travel phase */
        l = cv->link[cv->at];
        cv->days++;
        if (w->link_wait[l]) {
            /* a closed link with waiting: nobody moves */
        } else if (cv->progress + cv->speed < (float)w->net->link_km[l]) {
            cv->progress += cv->speed;
            cv->km += cv->speed;
        } else {
            cv->km += w->net->link_km[l] - cv->progress;
            cv->progress = 0.0f;
            cv->on_link = 0;
            cv->at++;
            arrived = 1;
        }
        if (arrived && cc->dissolve_on_enforcement && pol->enf_today[l])
            why = "met enforcement";
        else if (cc->dissolve_km > 0.0 && cv->km >= cc->dissolve_km - 1e-9)
            why = "walked its distance";
        else if (cc->dissolve_days && cv->days >= cc->dissolve_days)
            why = "walked its days";
        else if (arrived && cv->at == cv->n_links)
            why = "reached the end of its route";
        if (why) {
            char date[16];
            cv->ending = 1;
            mig_date_format(day + 1, date);
            mig_log(ctx, MIG_LOG_INFO, "caravan %s dissolves %s %s%s%s from %s: %s (%u days, %.1f km)", cc->name,
                    cv->on_link ? "on the way from" : "at",
                    w->net->place_name[cv->on_link ? w->net->link_from[l] : w->net->link_to[l]],
                    cv->on_link ? " to " : "", cv->on_link ? w->net->place_name[w->net->link_to[l]] : "", date,
                    why, cv->days, cv->km);
        }
    }
    return MIG_OK;
}

/* ---- checkpoint -------------------------------------------------------------------------- */

#define IV_STATE 2
#define CARAVAN_STATE 10

size_t mig_policy_state_size(const mig_policy *pol)
{
    return (size_t)pol->n_iv * IV_STATE + (size_t)pol->n_caravans * CARAVAN_STATE;
}

void mig_policy_state_get(const mig_policy *pol, double *out)
{
    for (uint32_t i = 0; i < pol->n_iv; i++) {
        *out++ = pol->iv[i].month;
        *out++ = (double)pol->iv[i].month_used;
    }
    for (uint32_t c = 0; c < pol->n_caravans; c++) {
        const mig_caravan *cv = &pol->caravans[c];
        *out++ = cv->status;
        *out++ = cv->group;
        *out++ = cv->at;
        *out++ = cv->on_link;
        *out++ = cv->progress;
        *out++ = cv->km;
        *out++ = cv->days;
        *out++ = (double)cv->members;
        *out++ = cv->dissolved_day;
        *out++ = cv->ending;
    }
}

void mig_policy_state_set(mig_policy *pol, const double *in)
{
    for (uint32_t i = 0; i < pol->n_iv; i++) {
        pol->iv[i].month = (int32_t)*in++;
        pol->iv[i].month_used = (int64_t)*in++;
    }
    for (uint32_t c = 0; c < pol->n_caravans; c++) {
        mig_caravan *cv = &pol->caravans[c];
        cv->status = (int)*in++;
        cv->group = (uint32_t)*in++;
        cv->at = (uint32_t)*in++;
        cv->on_link = (int)*in++;
        cv->progress = (float)*in++;
        cv->km = *in++;
        cv->days = (uint32_t)*in++;
        cv->members = (int64_t)*in++;
        cv->dissolved_day = (int32_t)*in++;
        cv->ending = (int)*in++;
    }
}
