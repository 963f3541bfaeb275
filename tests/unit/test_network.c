/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_network.c: mig_network_load on a valid five-place graph (counts, adjacency, lookups,
 * reachability) and on bad tables, where every problem must be reported, in file order. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "mig_ctx.h"
#include "mig_network.h"

#define DATA(f) MIGSIM_TEST_DATA "/" f

/* Asserts that ctx holds exactly the n messages path + tails[i], in that order. */
static void assert_errors(const mig_ctx *ctx, const char *path, const char *const *tails, size_t n)
{
    char want[1024];
    for (size_t i = 0; i < n && i < mig_ctx_n_errors(ctx); i++) {
        snprintf(want, sizeof want, "%s%s", path, tails[i]);
        cr_expect_str_eq(mig_ctx_error_at(ctx, i), want, "message %zu", i);
    }
    cr_assert_eq(mig_ctx_n_errors(ctx), n, "got %zu messages, expected %zu",
                 mig_ctx_n_errors(ctx), n);
}

static mig_ctx *ctx;
static void setup(void) { cr_assert_eq(mig_ctx_create(&ctx), MIG_OK); }
static void teardown(void) { mig_ctx_destroy(&ctx); }
TestSuite(network, .init = setup, .fini = teardown);

Test(network, loads_valid_graph)
{
    mig_network *net = NULL;
    cr_assert_eq(mig_network_load(DATA("net_ok_places.csv"), DATA("net_ok_links.csv"), ctx, &net),
                 MIG_OK);
    cr_assert_eq(mig_ctx_n_errors(ctx), 0);
    cr_assert_not_null(net);

    cr_assert_eq(net->n_places, 5);
    cr_expect_str_eq(net->place_name[0], "Aleppo");
    cr_expect_str_eq(net->place_name[1], "Afrin");
    cr_expect_str_eq(net->place_name[3], "Oncupinar, camp");
    cr_expect_str_eq(net->place_country[4], "TR");
    cr_expect_eq(net->place_kind[0], MIG_KIND_ORIGIN);
    cr_expect_eq(net->place_kind[3], MIG_KIND_CAMP);
    cr_expect_eq(net->place_kind[4], MIG_KIND_DESTINATION);
    cr_expect_eq(net->place_lat[0], 36.2021);
    cr_expect_eq(net->place_lon[4], 37.3833);
    cr_expect_eq(net->place_capacity[0], 0);
    cr_expect_eq(net->place_capacity[3], 25000);
    cr_expect_eq(net->place_attract[0], 1.0);
    cr_expect_eq(net->place_attract[3], 2.5);

    /* the two_way row gives two links; the comment row none */
    cr_assert_eq(net->n_links, 6);
    static const char *const names[6] = { "Aleppo->Azaz", "Azaz->Aleppo", "Azaz->Oncupinar, camp",
                                          "Oncupinar, camp->Gaziantep", "Aleppo->Afrin",
                                          "Aleppo->Azaz" };
    static const uint32_t from[6] = { 0, 2, 2, 3, 0, 0 }, to[6] = { 2, 0, 3, 4, 1, 2 };
    static const uint8_t mode[6] = { MIG_MODE_BUS, MIG_MODE_BUS, MIG_MODE_FOOT, MIG_MODE_BUS,
                                     MIG_MODE_FOOT, MIG_MODE_FOOT };
    static const double km[6] = { 48.5, 48.5, 12, 65, 60, 50 };
    static const double cost[6] = { 5, 5, 0, 10, 0, 0 }, risk[6] = { 0, 0, 0.01, 0, 0, 0 };
    for (int i = 0; i < 6; i++) {
        cr_expect_str_eq(net->link_name[i], names[i], "link %d", i);
        cr_expect_eq(net->link_from[i], from[i], "link %d", i);
        cr_expect_eq(net->link_to[i], to[i], "link %d", i);
        cr_expect_eq(net->link_mode[i], mode[i], "link %d", i);
        cr_expect_eq(net->link_km[i], km[i], "link %d", i);
        cr_expect_eq(net->link_cost[i], cost[i], "link %d", i);
        cr_expect_eq(net->link_risk[i], risk[i], "link %d", i);
    }

    static const uint32_t out_start[6] = { 0, 3, 3, 5, 6, 6 }, out_link[6] = { 0, 4, 5, 1, 2, 3 };
    for (int i = 0; i < 6; i++)
        cr_expect_eq(net->out_start[i], out_start[i], "out_start[%d]", i);
    for (int i = 0; i < 6; i++)
        cr_expect_eq(net->out_link[i], out_link[i], "out_link[%d]", i);

    cr_expect_eq(mig_network_place(net, "Aleppo"), 0);
    cr_expect_eq(mig_network_place(net, "Gaziantep"), 4);
    cr_expect_eq(mig_network_place(net, "Oncupinar, camp"), 3);
    cr_expect_eq(mig_network_place(net, "Damascus"), -1);
    cr_expect_eq(mig_network_place(net, "aleppo"), -1);
    cr_expect_eq(mig_network_place(net, ""), -1);

    cr_expect_eq(mig_network_reaches_destination(net, 0), 1);   /* Aleppo -> Azaz -> camp */
    cr_expect_eq(mig_network_reaches_destination(net, 1), 0);   /* Afrin: no way out */
    cr_expect_eq(mig_network_reaches_destination(net, 2), 1);
    cr_expect_eq(mig_network_reaches_destination(net, 3), 1);   /* a camp counts itself */
    cr_expect_eq(mig_network_reaches_destination(net, 4), 1);
    cr_expect_eq(mig_network_reaches_destination(net, 5), -1);  /* not a place */

    mig_network_destroy(&net);
    cr_expect_null(net);
    mig_network_destroy(&net);   /* a NULL pointer is fine */
    mig_network_destroy(NULL);
}

Test(network, reports_every_bad_place)
{
    static const char *const tails[] = {
        ":1:8: unknown column \"region\" (expected name, country, kind, lat, lon, capacity, "
        "attractiveness, source, note)",
        ":3:1: name: empty place name",
        ":4:3: kind: expected one of origin, town, camp, border, destination, got \"village\"",
        ":4:6: capacity: expected a non-negative integer, got \"-5\"",
        ":4:7: attractiveness: expected a positive number, got \"0\"",
        ":5:1: name: duplicate place \"Aleppo\" (first on line 2)",
        ":5:4: lat: expected a latitude in [-90, 90], got \"91\"",
        ":6:5: lon: expected a longitude in [-180, 180], got \"east\"",
        ":6:6: capacity: expected a non-negative integer, got \"1.5\"",
        ":6:7: attractiveness: expected a positive number, got \"abc\"",
        ":7:6: capacity: expected a non-negative integer, got \"4294967296\"",
    };
    mig_network *net = (mig_network *)&net;   /* must come back NULL */
    cr_assert_eq(mig_network_load(DATA("net_bad_places.csv"), DATA("net_min_links.csv"), ctx, &net),
                 MIG_EDATA);
    cr_expect_null(net);
    assert_errors(ctx, DATA("net_bad_places.csv"), tails, sizeof tails / sizeof *tails);
}

Test(network, reports_every_bad_link)
{
    static const char *const tails[] = {
        ":1:9: unknown column \"colour\" (expected from, to, distance_km, mode, two_way, cost_usd, "
        "risk, source, note)",
        ":3:2: to: unknown place \"Damascus\" (expected one of: Afrin, Aleppo, Azaz, Gaziantep, Oncupinar, camp)",
        ":4:2: to: link from \"Azaz\" to itself",
        ":5:2: to: duplicate link \"Azaz->Aleppo\" (mode bus, first on line 2)",
        ":6:3: distance_km: expected a positive number, got \"-3\"",
        ":6:4: mode: expected one of foot, boat, bus, rail, air, got \"car\"",
        ":6:5: two_way: expected 0 or 1, got \"2\"",
        ":6:6: cost_usd: expected a non-negative number, got \"-1\"",
        ":6:7: risk: expected a probability in [0, 1], got \"1.5\"",
        ":7:3: distance_km: expected a positive number, got \"nan\"",
        ":7:5: two_way: expected 0 or 1, got \"yes\"",
        ":7:6: cost_usd: expected a non-negative number, got \"free\"",
        ":8:3: distance_km: expected a positive number, got \"inf\"",
        ":9:3: distance_km: expected a positive number, got \"12km\"",
        ":10:3: distance_km: expected a positive number, got \"0\"",
        ":11:1: from: unknown place \"Kobani\" (expected one of: Afrin, Aleppo, Azaz, Gaziantep, Oncupinar, camp)",
        ":12:2: to: duplicate link \"Azaz->Aleppo\" (mode bus, first on line 2)",
        ":12:2: to: duplicate link \"Aleppo->Azaz\" (mode bus, first on line 2)",
    };
    mig_network *net = NULL;
    cr_assert_eq(mig_network_load(DATA("net_ok_places.csv"), DATA("net_bad_links.csv"), ctx, &net),
                 MIG_EDATA);
    cr_expect_null(net);
    assert_errors(ctx, DATA("net_bad_links.csv"), tails, sizeof tails / sizeof *tails);
}

Test(network, missing_required_column)
{
    static const char *const tails[] = {
        ":1:5: unknown column \"longitude\" (expected name, country, kind, lat, lon, capacity, "
        "attractiveness, source, note)",
        ":1: missing required column \"lon\"",
    };
    mig_network *net = NULL;
    cr_assert_eq(mig_network_load(DATA("net_missing_places.csv"), DATA("net_min_links.csv"), ctx,
                                  &net), MIG_EDATA);
    cr_expect_null(net);
    /* the links file names Azaz, absent from places: reported too, after the places */
    char want[512];
    cr_assert_eq(mig_ctx_n_errors(ctx), 3);
    for (size_t i = 0; i < 2; i++) {
        snprintf(want, sizeof want, "%s%s", DATA("net_missing_places.csv"), tails[i]);
        cr_expect_str_eq(mig_ctx_error_at(ctx, i), want);
    }
    snprintf(want, sizeof want, "%s:2:2: to: unknown place \"Azaz\" (expected one of: Aleppo)", DATA("net_min_links.csv"));
    cr_expect_str_eq(mig_ctx_error_at(ctx, 2), want);
}

Test(network, no_places)
{
    mig_network *net = NULL;
    char want[512];
    cr_assert_eq(mig_network_load(DATA("net_empty_places.csv"), DATA("net_min_links.csv"), ctx,
                                  &net), MIG_EDATA);
    cr_expect_null(net);
    snprintf(want, sizeof want, "%s: no places", DATA("net_empty_places.csv"));
    cr_assert_eq(mig_ctx_n_errors(ctx), 1);
    cr_expect_str_eq(mig_ctx_error_at(ctx, 0), want);
}

Test(network, missing_file_still_checks_the_other)
{
    mig_network *net = NULL;
    char want[512];
    cr_assert_eq(mig_network_load(DATA("net_nonexistent.csv"), DATA("net_bad_links.csv"), ctx, &net),
                 MIG_ENOINPUT);
    cr_expect_null(net);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory",
             DATA("net_nonexistent.csv"));
    cr_expect_str_eq(mig_ctx_error_at(ctx, 0), want);
    /* without places, link ends cannot be looked up, but everything else is checked */
    snprintf(want, sizeof want, "%s:4:2: to: link from \"Azaz\" to itself",
             DATA("net_bad_links.csv"));
    cr_expect_str_eq(mig_ctx_error_at(ctx, 2), want);
    cr_expect_eq(mig_ctx_n_errors(ctx), 1 + 1 + 1 + 11);
}
