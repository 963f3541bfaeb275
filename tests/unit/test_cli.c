/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_cli.c: bad input through the real command line. Each case writes a scenario (and
 * CSV tables) into a fresh folder, runs `migsim run s.yaml -o out.h5` there, and asserts
 * the exact error text, the exit code, and that no output (nor a temporary file) is left.
 * The folder is made under $TMPDIR before each test and removed after it. */
#include <criterion/criterion.h>

#include "../test_proc.h"
#include "../test_tmp.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char places_ok[] = "name,country,kind,lat,lon\n"
                                "A,X,origin,0,0\n"
                                "B,X,town,0,1\n"
                                "C,X,destination,0,2\n"
                                "Island,X,origin,5,5\n";
static const char links_ok[] = "from,to,distance_km,mode\n"
                               "A,B,100,bus\n"
                               "B,C,50,foot\n";
static const char yaml_ok[] = "start_date: 2023-01-01\n"
                              "days: 10\n"
                              "network: {places: places.csv, links: links.csv}\n"
                              "nationalities: [X]\n"
                              "sources:\n"
                              "  - {place: A, nationality: X, rate: 10}\n";

typedef struct cli_case {
    const char *yaml;      /* NULL: yaml_ok */
    const char *places;    /* NULL: places_ok; "" : do not write the file */
    const char *links;     /* NULL: links_ok */
    const char *extra[4];  /* extra arguments */
    int code;              /* expected exit code */
    const char *stderr_text;
} cli_case;

static char dir[256];

static void make_dir(void)
{
    tmp_dir_make(dir, sizeof dir, "migsim-cli");
}

static void remove_dir(void)
{
    tmp_dir_remove(dir);
}

TestSuite(cli, .init = make_dir, .fini = remove_dir);

static void check_case(const cli_case *c)
{
    const char *args[16] = { "migsim", "run", "s.yaml", "-o", "out.h5", "--quiet" };
    int n = 6, code;
    char *err;
    write_file(dir, "s.yaml", c->yaml ? c->yaml : yaml_ok);
    if (!c->places || *c->places)
        write_file(dir, "places.csv", c->places ? c->places : places_ok);
    if (!c->links || *c->links)
        write_file(dir, "links.csv", c->links ? c->links : links_ok);
    for (int i = 0; i < 4 && c->extra[i]; i++)
        args[n++] = c->extra[i];
    code = run_in(dir, args, &err);
    cr_expect_str_eq(err, c->stderr_text);
    cr_expect_eq(code, c->code, "exit code %d, expected %d", code, c->code);
    cr_expect_not(has_file(dir, "out.h5"), "no output file, nor a temporary one, may be left");
    free(err);
}

/* A valid scenario runs, and then (only then) out.h5 exists: the cases can fail. */
Test(cli, valid_scenario_writes_output)
{
    const char *args[] = { "migsim", "run", "s.yaml", "-o", "out.h5", "--quiet", NULL };
    char *err;
    write_file(dir, "s.yaml", yaml_ok);
    write_file(dir, "places.csv", places_ok);
    write_file(dir, "links.csv", links_ok);
    cr_assert_eq(run_in(dir, args, &err), 0, "stderr: %s", err);
    cr_assert_str_empty(err);
    cr_assert(has_file(dir, "out.h5"));
    cr_assert_not(has_file(dir, "out.h5.tmp"));
    free(err);
}

Test(cli, misspelt_key)
{
    static const cli_case k = { "start_date: 2023-01-01\ndyas: 10\nnetwork: {places: places.csv, links: links.csv}\nnationalities: [X]\nsources:\n  - {place: A, nationality: X, rate: 10}\n", NULL, NULL, { NULL }, 78,
                                "migsim: s.yaml:2:1: dyas: unknown key (did you mean \"days\"?)\nmigsim: s.yaml:1:1: days: missing required key\nmigsim: 2 problems\n" };
    check_case(&k);
}

Test(cli, wrong_type)
{
    static const cli_case k = { "start_date: 2023-01-01\ndays: 12x\nnetwork: {places: places.csv, links: links.csv}\nnationalities: [X]\nsources:\n  - {place: A, nationality: X, rate: 10}\n", NULL, NULL, { NULL }, 78,
                                "migsim: s.yaml:2:7: days: expected an integer, got \"12x\"\n" };
    check_case(&k);
}

Test(cli, out_of_range)
{
    static const cli_case k = { "start_date: 2023-01-01\ndays: 10\nnetwork: {places: places.csv, links: links.csv}\nnationalities: [X]\nsources:\n  - {place: A, nationality: X, rate: 10}\nmovement: {move_probability: {town: 1.5}}\n", NULL, NULL, { NULL }, 78,
                                "migsim: s.yaml:7:37: movement.move_probability.town: expected a probability in [0, 1], got 1.5\n" };
    check_case(&k);
}

Test(cli, bad_date)
{
    static const cli_case k = { "start_date: 2023-02-30\ndays: 10\nnetwork: {places: places.csv, links: links.csv}\nnationalities: [X]\nsources:\n  - {place: A, nationality: X, rate: 10}\n", NULL, NULL, { NULL }, 78,
                                "migsim: s.yaml:1:13: start_date: expected a date YYYY-MM-DD, got \"2023-02-30\"\n" };
    check_case(&k);
}

Test(cli, missing_csv)
{
    static const cli_case k = { NULL, "", NULL, { NULL }, 66,
                                "migsim: s.yaml:3:19: network.places: cannot open \"places.csv\": No such file or directory\n" };
    check_case(&k);
}

Test(cli, rate_and_series)
{
    static const cli_case k = { "start_date: 2023-01-01\ndays: 10\nnetwork: {places: places.csv, links: links.csv}\nnationalities: [X]\nsources:\n  - {place: A, nationality: X, rate: 10, series: s.csv}\n", NULL, NULL, { NULL }, 78,
                                "migsim: s.yaml:6:5: sources[0]: give either rate or series, not both\nmigsim: s.yaml:6:50: sources[0].series: cannot open \"s.csv\": No such file or directory\nmigsim: 2 problems\n" };
    check_case(&k);
}

Test(cli, unknown_nationality)
{
    static const cli_case k = { "start_date: 2023-01-01\ndays: 10\nnetwork: {places: places.csv, links: links.csv}\nnationalities: [X]\nsources:\n  - {place: A, nationality: Y, rate: 10}\n", NULL, NULL, { NULL }, 78,
                                "migsim: s.yaml:6:29: sources[0].nationality: unknown nationality \"Y\" (not in nationalities; expected one of: X)\n" };
    check_case(&k);
}

Test(cli, set_misspelt_key)
{
    static const cli_case k = { NULL, NULL, NULL, { "--set", "dyas=3", NULL }, 78,
                                "migsim: --set dyas=3: dyas: unknown key (did you mean \"days\"?)\n" };
    check_case(&k);
}

Test(cli, set_unknown_package)
{
    static const cli_case k = { NULL, NULL, NULL, { "--set", "packages[nope].enabled=false", NULL }, 78,
                                "migsim: --set packages[nope].enabled=false: packages: no such list in the scenario\n" };
    check_case(&k);
}

Test(cli, policy_unknown_place)
{
    static const cli_case k = { "start_date: 2023-01-01\ndays: 10\nnetwork: {places: places.csv, links: links.csv}\nnationalities: [X]\nsources:\n  - {place: A, nationality: X, rate: 10}\npackages:\n  - name: p\n    interventions:\n      - {name: c, type: closure, places: [Atlantis], basis: test}\n", NULL, NULL, { NULL }, 78,
                                "migsim: s.yaml:10:43: packages[0].interventions[0].places[0]: unknown place \"Atlantis\" (expected one of: A, B, C, Island)\n" };
    check_case(&k);
}

Test(cli, set_out_of_range)
{
    static const cli_case k = { NULL, NULL, NULL, { "--set", "speed_km_per_day.bus=-5", NULL }, 78,
                                "migsim: --set speed_km_per_day.bus=-5: speed_km_per_day.bus: expected a speed in km/day in (0, 100000], got -5\n" };
    check_case(&k);
}

Test(cli, link_to_unknown_place)
{
    static const cli_case k = { NULL, NULL, "from,to,distance_km,mode\nA,B,100,bus\nB,Z,50,foot\n", { NULL }, 65,
                                "migsim: links.csv:3:2: to: unknown place \"Z\" (expected one of: A, B, C, Island)\n" };
    check_case(&k);
}

Test(cli, non_positive_distance)
{
    static const cli_case k = { NULL, NULL, "from,to,distance_km,mode\nA,B,0,bus\nB,C,50,foot\n", { NULL }, 65,
                                "migsim: links.csv:2:3: distance_km: expected a positive number, got \"0\"\n" };
    check_case(&k);
}

Test(cli, duplicate_place)
{
    static const cli_case k = { NULL, "name,country,kind,lat,lon\nA,X,origin,0,0\nB,X,town,0,1\nC,X,destination,0,2\nIsland,X,origin,5,5\nB,X,town,1,1\n", NULL, { NULL }, 65,
                                "migsim: places.csv:6:1: name: duplicate place \"B\" (first on line 3)\n" };
    check_case(&k);
}

Test(cli, unreachable_destination)
{
    static const cli_case k = { "start_date: 2023-01-01\ndays: 10\nnetwork: {places: places.csv, links: links.csv}\nnationalities: [X]\nsources:\n  - {place: Island, nationality: X, rate: 10}\n", NULL, NULL, { NULL }, 65,
                                "migsim: s.yaml:6:13: sources[0].place: no destination or camp can be reached from \"Island\"\n" };
    check_case(&k);
}

Test(cli, unknown_source_place)
{
    static const cli_case k = { "start_date: 2023-01-01\ndays: 10\nnetwork: {places: places.csv, links: links.csv}\nnationalities: [X]\nsources:\n  - {place: Nowhere, nationality: X, rate: 10}\n", NULL, NULL, { NULL }, 78,
                                "migsim: s.yaml:6:13: sources[0].place: unknown place \"Nowhere\" (not in places.csv; expected one of: A, B, C, Island)\n" };
    check_case(&k);
}

Test(cli, too_many_csv_fields)
{
    static const cli_case k = { NULL, NULL, "from,to,distance_km,mode\nA,B,100,bus\nB,C,50,foot\nB,C,5,foot,1\n", { NULL }, 65,
                                "migsim: links.csv:4:5: too many fields (header has 4)\n" };
    check_case(&k);
}

Test(cli, unknown_model)
{
    static const cli_case k = { "start_date: 2023-01-01\ndays: 10\nnetwork: {places: places.csv, links: links.csv}\nnationalities: [X]\nsources:\n  - {place: A, nationality: X, rate: 10}\nmodel: agentic\n", NULL, NULL, { NULL }, 78,
                                "migsim: s.yaml:7:8: model: unknown model \"agentic\"\n" };
    check_case(&k);
}

Test(cli, unknown_mode)
{
    static const cli_case k = { NULL, NULL, "from,to,distance_km,mode\nA,B,100,walk\nB,C,50,foot\n", { NULL }, 65,
                                "migsim: links.csv:2:4: mode: expected one of foot, boat, bus, rail, air, got \"walk\"\n" };
    check_case(&k);
}

Test(cli, bad_threads)
{
    static const cli_case k = { NULL, NULL, NULL, { "--threads", "0", NULL }, 64,
                                "migsim: --threads: expected a positive integer, got \"0\"\nTry 'migsim --help'.\n" };
    check_case(&k);
}

Test(cli, yaml_syntax)
{
    static const cli_case k = { "nationalities: [X\n", NULL, NULL, { NULL }, 78,
                                "migsim: s.yaml:2:1: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence\n" };
    check_case(&k);
}

Test(cli, negative_seed)
{
    static const cli_case k = { NULL, NULL, NULL, { "--seed", "-3", NULL }, 78,
                                "migsim: --set seed=-3: seed: expected a non-negative integer, got \"-3\"\n" };
    check_case(&k);
}

Test(cli, output_folder_missing)
{
    static const cli_case k = { NULL, NULL, NULL, { "-o", "no/such/out.h5", NULL }, 74,
                                "migsim: no/such/out.h5: cannot create output file: No such file or directory\n" };
    check_case(&k);
}

/* A failed run leaves an existing file at the output path exactly as it was. */
Test(cli, failed_run_keeps_existing_output)
{
    const char *args[] = { "migsim", "run", "s.yaml", "-o", "out.h5", "--quiet", NULL };
    char path[600], *err, *kept;
    write_file(dir, "s.yaml", yaml_ok);
    write_file(dir, "places.csv", places_ok);
    write_file(dir, "links.csv", "from,to,distance_km,mode\nA,B,-1,bus\n");
    write_file(dir, "out.h5", "previous results\n");
    cr_assert_eq(run_in(dir, args, &err), 65);
    cr_assert_str_eq(err, "migsim: links.csv:2:3: distance_km: expected a positive number, got \"-1\"\n");
    snprintf(path, sizeof path, "%s/out.h5", dir);
    kept = slurp(path);
    cr_assert_str_eq(kept, "previous results\n");
    cr_assert_not(has_file(dir, "out.h5.tmp"));
    free(err);
    free(kept);
}
