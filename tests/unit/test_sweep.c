/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_sweep.c: sweep specs (mig_sweep_load), their expansion (grid, Sobol), seeds, the
 * manifest file, the row lookup of `run --manifest`, and the command line: `migsim sweep`
 * and `migsim run --manifest M --task N` with exact messages, exit codes, and no file left
 * behind on failure. Each test works in a fresh folder under $TMPDIR, removed after it
 * (Criterion runs each test in its own process, so chdir is safe). */
#include <criterion/criterion.h>

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_qrng.h>
#include <hdf5.h>

#include "mig_ctx.h"
#include "mig_h5.h"
#include "mig_sobol.h"
#include "mig_sweep.h"
#include "../test_tmp.h"

/* ------------------------------------------------------------------ fixtures -------- */

static const char places_csv[] = "name,country,kind,lat,lon\n"
                                 "A,X,origin,0,0\n"
                                 "B,X,town,0,1\n"
                                 "C,X,destination,0,2\n";
static const char links_csv[] = "from,to,distance_km,mode\n"
                                "A,B,100,bus\n"
                                "B,C,50,foot\n";
static const char scenario_yaml[] = "start_date: 2023-01-01\n"
                                    "days: 10\n"
                                    "network: {places: places.csv, links: links.csv}\n"
                                    "nationalities: [X]\n"
                                    "sources:\n"
                                    "  - {place: A, nationality: X, rate: 10}\n";

/* 3 x 3 points, 2 replicates: 18 runs */
static const char grid_spec[] = "scenario: s.yaml\n"
                                "output_dir: runs\n"
                                "replicates: 2\n"
                                "seed: 100\n"
                                "parameters:\n"
                                "  - {key: movement.distance_power, values: [0.5, 1, 2]}\n"
                                "  - {key: speed_km_per_day.bus, min: 300, max: 700, steps: 3}\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 1 << 20);
    cr_assert_not_null(buf);
    if (f) {
        size_t n = fread(buf, 1, (1 << 20) - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

static char work_dir[512];

/* A fresh folder with the scenario, made the working directory. */
static void enter_fresh_dir(void)
{
    tmp_dir_make(work_dir, sizeof work_dir, "migsim-sweep");
    cr_assert_eq(chdir(work_dir), 0);
    write_file("s.yaml", scenario_yaml);
    write_file("places.csv", places_csv);
    write_file("links.csv", links_csv);
    unsetenv("SLURM_ARRAY_TASK_ID");
}

/* Every diagnostic of ctx, one per line. */
static char *errors_of(const mig_ctx *ctx)
{
    size_t n = 1;
    char *s;
    for (size_t i = 0; i < mig_ctx_n_errors(ctx); i++)
        n += strlen(mig_ctx_error_at(ctx, i)) + 1;
    s = calloc(n, 1);
    cr_assert_not_null(s);
    for (size_t i = 0; i < mig_ctx_n_errors(ctx); i++) {
        strcat(s, mig_ctx_error_at(ctx, i));
        strcat(s, "\n");
    }
    return s;
}

static mig_sweep *load_ok(const char *spec_text)
{
    mig_ctx *ctx = NULL;
    mig_sweep *s = NULL;
    mig_status st;
    char *err;
    write_file("sweep.yaml", spec_text);
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    st = mig_sweep_load("sweep.yaml", ctx, &s);
    err = errors_of(ctx);
    cr_assert_eq(st, MIG_OK, "status %d: %s", st, err);
    cr_assert_str_empty(err);
    free(err);
    mig_ctx_destroy(&ctx);
    return s;
}

/* Loads a bad spec; asserts the status and the exact diagnostics. */
static void load_bad(const char *spec_text, mig_status want, const char *messages)
{
    mig_ctx *ctx = NULL;
    mig_sweep *s = NULL;
    mig_status st;
    char *err;
    write_file("sweep.yaml", spec_text);
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    st = mig_sweep_load("sweep.yaml", ctx, &s);
    err = errors_of(ctx);
    cr_expect_str_eq(err, messages);
    cr_expect_eq(st, want, "status %d, expected %d", st, want);
    cr_expect_null(s);
    free(err);
    mig_ctx_destroy(&ctx);
}

static const char *cell(const mig_sweep *s, size_t p, size_t i)
{
    return s->cell[p * s->n_params + i];
}

/* Runs the binary in the working directory; returns the exit code, stderr in *err (owned). */
static int run_migsim(const char *const *args, char **err)
{
    pid_t pid = fork();
    int status;
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int fd = open("stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644), nul = open("/dev/null", O_WRONLY);
        if (fd < 0 || nul < 0)
            _exit(127);
        dup2(fd, 2);
        dup2(nul, 1);
        execv(MIGSIM_BINARY, (char *const *)args);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    *err = slurp("stderr.txt");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* 1 when dir holds a file whose name starts with prefix. */
static int has_file(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            found = 1;
    if (d)
        closedir(d);
    return found;
}

/* A string attribute of /provenance in an HDF5 file (owned), or NULL. */
static char *prov_attr(const char *path, const char *name)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char *v = NULL;
    if (f < 0)
        return NULL;
    mig_h5_get_string_attr(f, "provenance", name, &v);
    H5Fclose(f);
    return v;
}

static void remove_dir(void)
{
    tmp_dir_remove(work_dir);
}

TestSuite(sweep, .init = enter_fresh_dir, .fini = remove_dir);

/* ------------------------------------------------------------------ expansion ------- */

Test(sweep, grid_is_the_product_last_parameter_fastest)
{
    mig_sweep *s = load_ok(grid_spec);
    cr_assert_eq(s->design, MIG_SWEEP_GRID);
    cr_assert_eq(s->n_params, 2);
    cr_assert_eq(s->n_points, 9);
    cr_assert_eq(mig_sweep_runs(s), 18);
    cr_assert_str_eq(s->scenario, "s.yaml");
    cr_assert_str_eq(s->output_dir, "runs");
    /* bus: 300, 500, 700 from min 300, max 700, steps 3 */
    static const char *const dp[9] = { "0.5", "0.5", "0.5", "1", "1", "1", "2", "2", "2" };
    static const char *const bus[9] = { "300", "500", "700", "300", "500", "700", "300", "500", "700" };
    for (size_t p = 0; p < 9; p++) {
        cr_expect_str_eq(cell(s, p, 0), dp[p], "point %zu", p);
        cr_expect_str_eq(cell(s, p, 1), bus[p], "point %zu", p);
    }
    mig_sweep_destroy(&s);
    cr_assert_null(s);
}

Test(sweep, grid_steps_are_evenly_spaced_and_exact)
{
    mig_sweep *s = load_ok("scenario: s.yaml\n"
                           "parameters:\n"
                           "  - {key: movement.lookahead_discount, min: 0, max: 1, steps: 5}\n"
                           "  - {key: days, min: 10, max: 20, steps: 3, integer: true}\n");
    static const char *const disc[5] = { "0", "0.25", "0.5", "0.75", "1" };
    cr_assert_eq(s->n_points, 15);
    for (size_t p = 0; p < 15; p++) {
        static const char *const days[3] = { "10", "15", "20" };
        cr_expect_str_eq(cell(s, p, 0), disc[p / 3]);
        cr_expect_str_eq(cell(s, p, 1), days[p % 3]);
    }
    cr_assert_eq(s->replicates, 1);
    cr_assert_eq(s->seed, 1);
    mig_sweep_destroy(&s);
}

Test(sweep, seeds_common_and_distinct)
{
    mig_sweep *s = load_ok(grid_spec);
    /* common (the default): seed + replicate, the same at every point */
    cr_expect_eq(mig_sweep_seed(s, 0, 0), 100);
    cr_expect_eq(mig_sweep_seed(s, 0, 1), 101);
    cr_expect_eq(mig_sweep_seed(s, 7, 0), 100);
    cr_expect_eq(mig_sweep_seed(s, 7, 1), 101);
    mig_sweep_destroy(&s);

    s = load_ok("scenario: s.yaml\nreplicates: 3\nseed: 5000\nseeds: distinct\n"
                "parameters: [{key: days, values: [5, 6, 7, 8]}]\n");
    /* distinct: seed + point * replicates + replicate = seed + task */
    cr_expect_eq(mig_sweep_seed(s, 0, 0), 5000);
    cr_expect_eq(mig_sweep_seed(s, 0, 2), 5002);
    cr_expect_eq(mig_sweep_seed(s, 1, 0), 5003);
    cr_expect_eq(mig_sweep_seed(s, 3, 2), 5011);
    mig_sweep_destroy(&s);
}

Test(sweep, no_parameters_is_one_point_of_replicates)
{
    mig_sweep *s = load_ok("scenario: s.yaml\nreplicates: 4\n");
    cr_assert_eq(s->n_points, 1);
    cr_assert_eq(mig_sweep_runs(s), 4);
    mig_sweep_destroy(&s);
}

/* The Sobol points are GSL's sequence (from its first point), each coordinate scaled to
 * min + u (max - min); a value list is crossed with them, Sobol point outermost. */
Test(sweep, sobol_points_are_gsl_sequence_scaled)
{
    mig_sweep *s = load_ok("scenario: s.yaml\n"
                           "design: sobol\n"
                           "points: 16\n"
                           "parameters:\n"
                           "  - {key: movement.distance_power, min: 0.5, max: 2.5}\n"
                           "  - {key: movement.lookahead_discount, values: [0.25, 0.75]}\n"
                           "  - {key: speed_km_per_day.bus, min: 300, max: 700}\n"
                           "  - {key: movement.lookahead_steps, min: 0, max: 4, integer: true}\n");
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, 3);
    double u[3];
    cr_assert_eq(s->n_points, 32);
    for (size_t k = 0; k < 16; k++) {
        gsl_qrng_get(q, u);
        for (size_t c = 0; c < 2; c++) {
            size_t p = k * 2 + c;
            cr_expect_eq(strtod(cell(s, p, 0), NULL), 0.5 + u[0] * 2.0, "point %zu: %s", p, cell(s, p, 0));
            cr_expect_str_eq(cell(s, p, 1), c == 0 ? "0.25" : "0.75");
            cr_expect_eq(strtod(cell(s, p, 2), NULL), 300.0 + u[1] * 400.0, "point %zu: %s", p, cell(s, p, 2));
            cr_expect_eq(strtod(cell(s, p, 3), NULL), floor(u[2] * 5.0), "point %zu: %s", p, cell(s, p, 3));
        }
    }
    /* the first points, written out: (0.5, 0.5, 0.5), (0.75, 0.25, 0.75), (0.25, 0.75, 0.25) */
    cr_expect_str_eq(cell(s, 0, 0), "1.5");
    cr_expect_str_eq(cell(s, 0, 2), "500");
    cr_expect_str_eq(cell(s, 0, 3), "2");
    cr_expect_str_eq(cell(s, 2, 0), "2");
    cr_expect_str_eq(cell(s, 2, 2), "400");
    cr_expect_str_eq(cell(s, 2, 3), "3");
    cr_expect_str_eq(cell(s, 4, 0), "1");
    cr_expect_str_eq(cell(s, 4, 2), "600");
    cr_expect_str_eq(cell(s, 4, 3), "1");
    gsl_qrng_free(q);
    mig_sweep_destroy(&s);
}

Test(sweep, output_names_are_padded)
{
    mig_sweep *s = load_ok(grid_spec);
    char name[64];
    mig_sweep_output_name(s, 3, 1, name, sizeof name);
    cr_expect_str_eq(name, "p003_r01.h5");
    mig_sweep_destroy(&s);
    s = load_ok("scenario: s.yaml\nreplicates: 150\ndesign: sobol\npoints: 1200\n"
                "parameters: [{key: movement.distance_power, min: 0, max: 2}]\n");
    mig_sweep_output_name(s, 42, 7, name, sizeof name);
    cr_expect_str_eq(name, "p0042_r007.h5");
    mig_sweep_destroy(&s);
}

/* ------------------------------------------------------------------ the manifest ---- */

Test(sweep, manifest_text)
{
    mig_sweep *s = load_ok("scenario: s.yaml\n"
                           "output_dir: out/runs\n"
                           "replicates: 2\n"
                           "seed: 7\n"
                           "parameters:\n"
                           "  - {key: movement.distance_power, values: [0.5, 2]}\n"
                           "  - {key: model, values: [basic]}\n");
    mig_ctx *ctx = NULL;
    char *text;
    cr_assert_eq(mkdir("m", 0777), 0);
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_sweep_write_manifest(s, "m/manifest.csv", ctx), MIG_OK);
    text = slurp("m/manifest.csv");
    /* paths relative to the manifest's folder */
    cr_expect_str_eq(text, "task,point,replicate,seed,scenario,output,movement.distance_power,model\n"
                           "0,0,0,7,../s.yaml,../out/runs/p000_r00.h5,0.5,basic\n"
                           "1,0,1,8,../s.yaml,../out/runs/p000_r01.h5,0.5,basic\n"
                           "2,1,0,7,../s.yaml,../out/runs/p001_r00.h5,2,basic\n"
                           "3,1,1,8,../s.yaml,../out/runs/p001_r01.h5,2,basic\n");
    cr_expect(has_file("out", "runs"), "the output folder is created");
    cr_expect_not(has_file("m", "manifest.csv.tmp"));
    free(text);
    mig_ctx_destroy(&ctx);
    mig_sweep_destroy(&s);
}

Test(sweep, manifest_quotes_cells_that_need_it)
{
    mig_sweep *s = load_ok("scenario: s.yaml\n"
                           "parameters: [{key: name, values: ['a,b', 'say \"hi\"']}]\n");
    mig_ctx *ctx = NULL;
    char *text;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_sweep_write_manifest(s, "manifest.csv", ctx), MIG_OK);
    text = slurp("manifest.csv");
    cr_expect_str_eq(text, "task,point,replicate,seed,scenario,output,name\n"
                           "0,0,0,1,s.yaml,runs/p000_r00.h5,\"a,b\"\n"
                           "1,1,0,1,s.yaml,runs/p001_r00.h5,\"say \"\"hi\"\"\"\n");
    free(text);
    mig_ctx_destroy(&ctx);
    mig_sweep_destroy(&s);
}

/* ------------------------------------------------------------------ bad specs ------- */

Test(sweep, unknown_key)
{
    load_bad("scenario: s.yaml\nreplicate: 3\nsed: 4\nfoo: 1\n", MIG_ECONFIG,
             "sweep.yaml:2:1: replicate: unknown key (did you mean \"replicates\"?)\n"
             "sweep.yaml:3:1: sed: unknown key (did you mean \"seed\"?)\n"
             "sweep.yaml:4:1: foo: unknown key (expected one of: scenario, output_dir, replicates, seed, seeds, "
             "design, points, parameters)\n");
}

Test(sweep, bad_numbers)
{
    load_bad("scenario: s.yaml\nreplicates: 12x\nseed: -1\n"
             "parameters:\n  - {key: speed_km_per_day.bus, min: 3OO, max: 700, steps: 2.5}\n",
             MIG_ECONFIG,
             "sweep.yaml:2:13: replicates: expected an integer, got \"12x\"\n"
             "sweep.yaml:3:7: seed: expected a non-negative integer, got \"-1\"\n"
             "sweep.yaml:5:38: parameters[0].min: expected a number, got \"3OO\"\n"
             "sweep.yaml:5:60: parameters[0].steps: expected an integer, got \"2.5\"\n");
}

Test(sweep, out_of_range)
{
    load_bad("scenario: s.yaml\nreplicates: 0\nparameters:\n  - {key: days, min: 1, max: 5, steps: 1}\n",
             MIG_ECONFIG,
             "sweep.yaml:2:13: replicates: expected a number of replicates in [1, 1000000], got 0\n"
             "sweep.yaml:4:40: parameters[0].steps: expected a number of steps in [2, 1000000], got 1\n");
}

Test(sweep, min_above_max)
{
    load_bad("scenario: s.yaml\ndesign: sobol\npoints: 8\n"
             "parameters:\n  - {key: speed_km_per_day.bus, min: 700, max: 300}\n",
             MIG_ECONFIG, "sweep.yaml:5:48: parameters[0].max: expected more than min (700), got 300\n");
}

Test(sweep, missing_scenario_file)
{
    load_bad("scenario: ../nope/s.yaml\nparameters:\n  - {key: days, values: [5]}\n", MIG_ENOINPUT,
             "sweep.yaml:1:11: scenario: cannot open \"../nope/s.yaml\": No such file or directory\n");
}

Test(sweep, missing_spec_file)
{
    mig_ctx *ctx = NULL;
    mig_sweep *s = NULL;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_expect_eq(mig_sweep_load("nope.yaml", ctx, &s), MIG_ENOINPUT);
    cr_expect_str_eq(mig_ctx_error_at(ctx, 0), "nope.yaml: cannot open: No such file or directory");
    cr_expect_null(s);
    mig_ctx_destroy(&ctx);
}

Test(sweep, parameter_shapes)
{
    load_bad("scenario: s.yaml\n"
             "parameters:\n"
             "  - {key: days, values: [5], min: 1, max: 3}\n"
             "  - {key: days2, min: 1}\n"
             "  - {values: [1]}\n"
             "  - {key: a=b, values: [1]}\n"
             "  - {key: seed, values: [1]}\n"
             "  - {key: x, values: [1, [2, 3], 1]}\n"
             "  - {key: y, values: 3}\n"
             "  - {key: z}\n"
             "  - [a]\n",
             MIG_ECONFIG,
             "sweep.yaml:3:5: parameters[0]: give values, or min and max, not both\n"
             "sweep.yaml:4:5: parameters[1]: max is missing (min is given)\n"
             "sweep.yaml:5:5: parameters[2].key: missing required key\n"
             "sweep.yaml:6:11: parameters[3].key: expected a scenario key such as movement.distance_power, "
             "got \"a=b\"\n"
             "sweep.yaml:7:11: parameters[4].key: the seed is set by the sweep (seed, seeds, replicates), not "
             "swept as a parameter\n"
             "sweep.yaml:8:26: parameters[5].values[1]: expected a single value (a list or mapping cannot be "
             "swept)\n"
             "sweep.yaml:8:34: parameters[5].values[2]: \"1\" is listed twice\n"
             "sweep.yaml:9:22: parameters[6].values: expected a list of values, got \"3\"\n"
             "sweep.yaml:10:5: parameters[7]: give values (a list), or min and max\n"
             "sweep.yaml:11:5: parameters[8]: expected a mapping such as {key: movement.distance_power, "
             "values: [0.5, 1, 2]}\n");
}

Test(sweep, design_rules)
{
    load_bad("scenario: s.yaml\ndesign: sobol\nparameters:\n  - {key: days, values: [5, 6]}\n", MIG_ECONFIG,
             "sweep.yaml:1:1: points: missing required key (design sobol)\n"
             "sweep.yaml:4:3: parameters: design sobol needs at least one parameter with min and max\n");
    load_bad("scenario: s.yaml\npoints: 8\nparameters:\n  - {key: days, min: 5, max: 9, steps: 2}\n", MIG_ECONFIG,
             "sweep.yaml:2:9: points: only for designs sobol and saltelli (a grid has one point per combination of "
             "values)\n");
    load_bad("scenario: s.yaml\ndesign: sobol\npoints: 8\n"
             "parameters:\n  - {key: days, min: 5, max: 9, steps: 2}\n", MIG_ECONFIG,
             "sweep.yaml:5:40: parameters[0].steps: only for design grid (design sobol draws values between min and "
             "max)\n");
    load_bad("scenario: s.yaml\ndesign: random\nseeds: same\n", MIG_ECONFIG,
             "sweep.yaml:3:8: seeds: expected common or distinct, got \"same\"\n"
             "sweep.yaml:2:9: design: expected grid, sobol or saltelli, got \"random\"\n");
}

/* design saltelli: (k + 2) x points points, blocks A, B, AB_i of mig_sobol_design scaled to
 * the ranges (AB_i is A but in column i, which is B's); ranges only, 2 points at least, at
 * most 20 parameters */
Test(sweep, saltelli_blocks)
{
    mig_sweep *s = load_ok("scenario: s.yaml\n"
                           "design: saltelli\n"
                           "points: 4\n"
                           "parameters:\n"
                           "  - {key: movement.distance_power, min: 0.5, max: 2.5}\n"
                           "  - {key: speed_km_per_day.bus, min: 300, max: 700}\n");
    double u[6 * 4 * 2];
    cr_assert_eq(s->n_points, 16);
    cr_assert_eq(mig_sobol_design(4, 2, u), MIG_OK);
    for (size_t p = 0; p < 16; p++) {
        cr_expect_eq(strtod(cell(s, p, 0), NULL), 0.5 + u[2 * p] * 2.0, "point %zu: %s", p, cell(s, p, 0));
        cr_expect_eq(strtod(cell(s, p, 1), NULL), 300.0 + u[2 * p + 1] * 400.0, "point %zu: %s", p, cell(s, p, 1));
    }
    for (size_t j = 0; j < 4; j++) {
        cr_expect_str_eq(cell(s, 8 + j, 0), cell(s, 4 + j, 0));   /* AB_1: B's first column */
        cr_expect_str_eq(cell(s, 8 + j, 1), cell(s, j, 1));       /* and A's second */
        cr_expect_str_eq(cell(s, 12 + j, 0), cell(s, j, 0));
        cr_expect_str_eq(cell(s, 12 + j, 1), cell(s, 4 + j, 1));
    }
    /* the first base point is the sequence's second, (0.75, 0.25, 0.75, 0.25): A (2, 400), B (2, 400)... */
    cr_expect_str_eq(cell(s, 0, 0), "2");
    cr_expect_str_eq(cell(s, 0, 1), "400");
    mig_sweep_destroy(&s);
    load_bad("scenario: s.yaml\ndesign: saltelli\npoints: 1\nparameters:\n  - {key: days, values: [5, 6]}\n"
             "  - {key: movement.distance_power, min: 1, max: 2, steps: 3}\n",
             MIG_ECONFIG,
             "sweep.yaml:6:59: parameters[1].steps: only for design grid (design saltelli draws values between min "
             "and max)\n");
    load_bad("scenario: s.yaml\ndesign: saltelli\npoints: 1\nparameters:\n  - {key: days, values: [5, 6]}\n",
             MIG_ECONFIG,
             "sweep.yaml:3:9: points: expected at least 2 base points (design saltelli), got 1\n"
             "sweep.yaml:5:25: parameters[0].values: design saltelli takes ranges (min and max: a Sobol index is "
             "about a range) and fixed settings (one value), got 2 values\n"
             "sweep.yaml:5:3: parameters: design saltelli needs at least one parameter with min and max\n");
}

/* A parameter with one value in a Saltelli design is a fixed setting: the design is over the
 * ranges alone (the same cells as without it) and every point has its value. */
Test(sweep, saltelli_fixed_setting)
{
    mig_sweep *s = load_ok("scenario: s.yaml\n"
                           "design: saltelli\n"
                           "points: 4\n"
                           "parameters:\n"
                           "  - {key: movement.distance_power, min: 0.5, max: 2.5}\n"
                           "  - {key: speed_km_per_day.foot, values: [12]}\n"
                           "  - {key: speed_km_per_day.bus, min: 300, max: 700}\n");
    double u[6 * 4 * 2];
    cr_assert_eq(s->n_points, 16);       /* (2 + 2) x 4: the fixed setting adds no block */
    cr_assert_eq(mig_sobol_design(4, 2, u), MIG_OK);
    for (size_t p = 0; p < 16; p++) {
        cr_expect_eq(strtod(cell(s, p, 0), NULL), 0.5 + u[2 * p] * 2.0, "point %zu: %s", p, cell(s, p, 0));
        cr_expect_str_eq(cell(s, p, 1), "12", "point %zu", p);
        cr_expect_eq(strtod(cell(s, p, 2), NULL), 300.0 + u[2 * p + 1] * 400.0, "point %zu: %s", p, cell(s, p, 2));
    }
    mig_sweep_destroy(&s);
}

Test(sweep, too_many_saltelli_parameters)
{
    char spec[8192] = "scenario: s.yaml\ndesign: saltelli\npoints: 4\nparameters:\n";
    for (int i = 0; i < 21; i++)
        snprintf(spec + strlen(spec), sizeof spec - strlen(spec), "  - {key: k%d, min: 0, max: 1}\n", i);
    load_bad(spec, MIG_ECONFIG,
             "sweep.yaml:5:3: parameters: design saltelli takes at most 20 parameters with min and max (GSL's "
             "Sobol sequence), got 21\n");
}

Test(sweep, integer_ranges)
{
    load_bad("scenario: s.yaml\nparameters:\n  - {key: days, min: 1.5, max: 3, steps: 2, integer: yes}\n",
             MIG_ECONFIG, "sweep.yaml:3:54: parameters[0].integer: expected true or false, got \"yes\"\n");
    load_bad("scenario: s.yaml\nparameters:\n  - {key: days, min: 1.5, max: 3, steps: 2, integer: true}\n",
             MIG_ECONFIG, "sweep.yaml:3:22: parameters[0].min: expected an integer (integer: true), got 1.5\n");
    load_bad("scenario: s.yaml\nparameters:\n  - {key: days, min: 1, max: 3, steps: 4, integer: true}\n",
             MIG_ECONFIG,
             "sweep.yaml:3:40: parameters[0].steps: 4 integer steps from 1 to 3 repeat values (at most 3)\n");
}

Test(sweep, too_many_sobol_dimensions)
{
    char spec[8192] = "scenario: s.yaml\ndesign: sobol\npoints: 4\nparameters:\n";
    for (int i = 0; i < 41; i++)
        snprintf(spec + strlen(spec), sizeof spec - strlen(spec), "  - {key: k%d, min: 0, max: 1}\n", i);
    load_bad(spec, MIG_ECONFIG,
             "sweep.yaml:5:3: parameters: design sobol takes at most 40 parameters with min and max (GSL's "
             "Sobol sequence), got 41\n");
}

Test(sweep, seed_overflow_and_run_limit)
{
    load_bad("scenario: s.yaml\nseed: 18446744073709551615\nreplicates: 2\n", MIG_ECONFIG,
             "sweep.yaml:2:7: seed: seed + 1 (the last run's offset) exceeds 2^64-1\n");
    load_bad("scenario: s.yaml\nseed: 18446744073709551616\n", MIG_ECONFIG,
             "sweep.yaml:2:7: seed: integer \"18446744073709551616\" is too large\n");
    load_bad("scenario: s.yaml\nreplicates: 101\ndesign: sobol\npoints: 10000\n"
             "parameters: [{key: days, min: 1, max: 9}]\n", MIG_ECONFIG,
             "sweep.yaml: the sweep has more than 1000000 runs (points x replicates)\n");
}

Test(sweep, yaml_problems)
{
    load_bad("scenario: [s.yaml\n", MIG_ECONFIG,
             "sweep.yaml:2:1: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence\n");
    load_bad("- a\n- b\n", MIG_ECONFIG,
             "sweep.yaml: expected a mapping of sweep keys (scenario, replicates, parameters, ...)\n");
    load_bad("replicates: 2\n", MIG_ECONFIG, "sweep.yaml:1:1: scenario: missing required key\n");
}

/* Stage 3: every value is checked against the scenario as `--set key=value` would be. */
Test(sweep, values_checked_against_the_scenario)
{
    load_bad("scenario: s.yaml\n"
             "parameters:\n"
             "  - {key: movement.distnce_power, values: [1, 2]}\n"
             "  - {key: movement.distance_power, values: [1, 12x, 11]}\n"
             "  - {key: \"sources[4].rate\", values: [1]}\n"
             "  - {key: days, min: 0, max: 10, steps: 3, integer: true}\n"
             "  - {key: speed_km_per_day.bus, min: 100, max: 200000, steps: 3}\n"
             "  - {key: model, values: [basic, agentic]}\n",
             MIG_ECONFIG,
             "sweep.yaml:3:11: parameters[0].key: movement.distnce_power: unknown key (did you mean "
             "\"distance_power\"?)\n"
             "sweep.yaml:4:48: parameters[1].values[1]: movement.distance_power: expected a number, got \"12x\"\n"
             "sweep.yaml:5:11: parameters[2].key: sources has 1 entries (index 4)\n"
             "sweep.yaml:6:22: parameters[3].min: days: expected a number of days in [1, 65535], got 0\n"
             "sweep.yaml:7:48: parameters[4].max: speed_km_per_day.bus: expected a speed in km/day in (0, 100000], "
             "got 200000\n"
             "sweep.yaml:8:34: parameters[5].values[1]: model: unknown model \"agentic\"\n");
}

Test(sweep, bad_scenario_is_reported_as_is)
{
    write_file("s.yaml", "start_date: 2023-01-01\ndyas: 10\n");
    load_bad("scenario: s.yaml\n", MIG_ECONFIG,
             "s.yaml:2:1: dyas: unknown key (did you mean \"days\"?)\n"
             "s.yaml:1:1: days: missing required key\n"
             "s.yaml:1:1: network: missing required key\n"
             "s.yaml:1:1: nationalities: missing required key\n"
             "s.yaml:1:1: sources: missing required key\n");
}

/* ------------------------------------------------------------------ row lookup ------ */

static void write_grid_manifest(void)
{
    mig_sweep *s = load_ok(grid_spec);
    mig_ctx *ctx = NULL;
    cr_assert_eq(mkdir("m", 0777), 0);
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_sweep_write_manifest(s, "m/manifest.csv", ctx), MIG_OK);
    mig_ctx_destroy(&ctx);
    mig_sweep_destroy(&s);
}

Test(sweep, task_row_lookup)
{
    mig_ctx *ctx = NULL;
    mig_sweep_row *r = NULL;
    write_grid_manifest();
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_assert_eq(mig_sweep_task("m/manifest.csv", "5", ctx, &r), MIG_OK);
    cr_expect_eq(r->task, 5);
    cr_expect_eq(r->point, 2);
    cr_expect_eq(r->replicate, 1);
    cr_expect_eq(r->seed, 101);
    cr_expect_str_eq(r->scenario, "m/../s.yaml");
    cr_expect_str_eq(r->output, "m/../runs/p002_r01.h5");
    cr_assert_eq(r->n_set, 3);
    cr_expect_str_eq(r->set[0], "movement.distance_power=0.5");
    cr_expect_str_eq(r->set[1], "speed_km_per_day.bus=700");
    cr_expect_str_eq(r->set[2], "seed=101");
    mig_sweep_row_destroy(&r);
    cr_assert_null(r);

    /* the task number from SLURM when --task is not given */
    setenv("SLURM_ARRAY_TASK_ID", "16", 1);
    cr_assert_eq(mig_sweep_task("m/manifest.csv", NULL, ctx, &r), MIG_OK);
    cr_expect_eq(r->point, 8);
    cr_expect_str_eq(r->set[0], "movement.distance_power=2");
    cr_expect_str_eq(r->set[2], "seed=100");
    mig_sweep_row_destroy(&r);
    /* --task wins over the environment */
    cr_assert_eq(mig_sweep_task("m/manifest.csv", "0", ctx, &r), MIG_OK);
    cr_expect_eq(r->task, 0);
    mig_sweep_row_destroy(&r);
    cr_expect_eq(mig_ctx_n_errors(ctx), 0);
    mig_ctx_destroy(&ctx);
}

static void task_bad(const char *manifest, const char *task, mig_status want, const char *message)
{
    mig_ctx *ctx = NULL;
    mig_sweep_row *r = NULL;
    char *err;
    cr_assert_eq(mig_ctx_create(&ctx), MIG_OK);
    cr_expect_eq(mig_sweep_task(manifest, task, ctx, &r), want);
    cr_expect_null(r);
    err = errors_of(ctx);
    cr_expect_str_eq(err, message);
    free(err);
    mig_ctx_destroy(&ctx);
}

Test(sweep, task_errors)
{
    write_grid_manifest();
    task_bad("m/manifest.csv", "18", MIG_EUSAGE, "m/manifest.csv: task 18: no such row (tasks 0..17)\n");
    task_bad("m/manifest.csv", NULL, MIG_EUSAGE,
             "m/manifest.csv: no task number: give --task N or set SLURM_ARRAY_TASK_ID\n");
    task_bad("m/manifest.csv", "-1", MIG_EUSAGE, "--task: expected a task number (0, 1, 2, ...), got \"-1\"\n");
    setenv("SLURM_ARRAY_TASK_ID", "4x", 1);
    task_bad("m/manifest.csv", NULL, MIG_EUSAGE,
             "SLURM_ARRAY_TASK_ID: expected a task number (0, 1, 2, ...), got \"4x\"\n");
    task_bad("m/nope.csv", "1", MIG_ENOINPUT, "m/nope.csv: cannot open: No such file or directory\n");

    write_file("bad1.csv", "task,point,replicate,sed,scenario,output\n0,0,0,1,s.yaml,o.h5\n");
    task_bad("bad1.csv", "0", MIG_EDATA,
             "bad1.csv:1:4: expected column \"seed\", got \"sed\" (not a manifest written by migsim sweep?)\n");
    write_file("bad2.csv", "task,point,replicate,seed,scenario,output,days\n0,0,0,1,s.yaml,o.h5,5\n"
                           "1,0,1,12x,s.yaml,o2.h5,5\n");
    task_bad("bad2.csv", "1", MIG_EDATA, "bad2.csv:3:4: seed: expected a non-negative integer, got \"12x\"\n");
    write_file("bad3.csv", "task,point,replicate,seed,scenario,output,days\n1,0,0,1,s.yaml,o.h5,5\n");
    task_bad("bad3.csv", "0", MIG_EDATA, "bad3.csv:2:1: task: expected 0 (rows in task order from 0), got \"1\"\n");
    write_file("bad4.csv", "task,point,replicate,seed,scenario,output,days\n0,0,0,1,s.yaml,o.h5,\n");
    task_bad("bad4.csv", "0", MIG_EDATA, "bad4.csv:2:7: days: empty value\n");
    write_file("bad5.csv", "task,point,replicate,seed,scenario,output,days,days\n0,0,0,1,s.yaml,o.h5,1,2\n");
    task_bad("bad5.csv", "0", MIG_EDATA, "bad5.csv:1:8: column \"days\" given twice\n");
    write_file("empty.csv", "task,point,replicate,seed,scenario,output\n");
    task_bad("empty.csv", "0", MIG_EUSAGE, "empty.csv: task 0: no such row (the manifest has no rows)\n");
}

/* ------------------------------------------------------------------ command line ---- */

Test(sweep, cli_sweep_writes_manifest)
{
    const char *args[] = { "migsim", "sweep", "sweep.yaml", "-o", "manifest.csv", NULL };
    char *err, *text;
    write_file("sweep.yaml", grid_spec);
    cr_assert_eq(run_migsim(args, &err), 0, "stderr: %s", err);
    cr_expect_str_empty(err);
    text = slurp("manifest.csv");
    cr_expect(strncmp(text, "task,point,replicate,seed,scenario,output,movement.distance_power,speed_km_per_day.bus\n"
                            "0,0,0,100,s.yaml,runs/p000_r00.h5,0.5,300\n", 112) == 0, "%s", text);
    cr_expect(strstr(text, "\n17,8,1,101,s.yaml,runs/p008_r01.h5,2,700\n") != NULL, "%s", text);
    free(err);
    free(text);
}

static void cli_bad(const char *spec, const char *const *args, int code, const char *stderr_text)
{
    char *err;
    if (spec)
        write_file("sweep.yaml", spec);
    cr_expect_eq(run_migsim(args, &err), code);
    cr_expect_str_eq(err, stderr_text);
    cr_expect_not(has_file(".", "manifest.csv"), "no manifest, nor a temporary one, may be left");
    free(err);
}

Test(sweep, cli_errors)
{
    const char *args[] = { "migsim", "sweep", "sweep.yaml", "-o", "manifest.csv", NULL };
    const char *no_out[] = { "migsim", "sweep", "sweep.yaml", NULL };
    const char *no_dir[] = { "migsim", "sweep", "sweep.yaml", "-o", "no/such/manifest.csv", NULL };
    const char *no_spec[] = { "migsim", "sweep", "nope.yaml", "-o", "manifest.csv", NULL };
    cli_bad("scenario: s.yaml\nreplicate: 2\n", args, 78,
            "migsim: sweep.yaml:2:1: replicate: unknown key (did you mean \"replicates\"?)\n");
    cli_bad("scenario: s.yaml\nparameters: [{key: days, min: 9, max: 1x}]\n", args, 78,
            "migsim: sweep.yaml:2:39: parameters[0].max: expected a number, got \"1x\"\n");
    cli_bad("scenario: s.yaml\nparameters: [{key: days, min: 9, max: 1, steps: 2}]\n", args, 78,
            "migsim: sweep.yaml:2:39: parameters[0].max: expected more than min (9), got 1\n");
    cli_bad("scenario: x/s.yaml\n", args, 66,
            "migsim: sweep.yaml:1:11: scenario: cannot open \"x/s.yaml\": No such file or directory\n");
    cli_bad(NULL, no_spec, 66, "migsim: nope.yaml: cannot open: No such file or directory\n");
    cli_bad("scenario: s.yaml\n", no_out, 64, "migsim: sweep: missing -o MANIFEST.csv\nTry 'migsim --help'.\n");
    cli_bad("scenario: s.yaml\n", no_dir, 74,
            "migsim: no/such/manifest.csv: cannot create: no/such: No such file or directory\n");
}

/* run --manifest runs the right row: its seed, overrides and output path. */
Test(sweep, cli_run_manifest_row)
{
    const char *args[] = { "migsim", "run", "--manifest", "m/manifest.csv", "--task", "7", "--quiet", NULL };
    char *err, *seed, *resolved, *cmd;
    write_grid_manifest();
    cr_assert_eq(run_migsim(args, &err), 0, "stderr: %s", err);
    cr_expect_str_empty(err);
    cr_assert(has_file("runs", "p003_r01.h5"));
    cr_expect_not(has_file("runs", "p003_r00.h5"));
    seed = prov_attr("runs/p003_r01.h5", "seed");
    resolved = prov_attr("runs/p003_r01.h5", "scenario_resolved");
    cmd = prov_attr("runs/p003_r01.h5", "command_line");
    cr_assert_not_null(seed);
    cr_expect_str_eq(seed, "101");
    cr_expect(strstr(resolved, "\n  distance_power: 1\n") != NULL, "%s", resolved);
    cr_expect(strstr(resolved, "\n  bus: 300\n") != NULL, "%s", resolved);
    cr_expect(strstr(resolved, "\nseed: 101\n") != NULL, "%s", resolved);
    cr_expect_str_eq(cmd, "migsim run --manifest m/manifest.csv --task 7 --quiet");
    free(err);
    free(seed);
    free(resolved);
    free(cmd);

    /* the task from SLURM_ARRAY_TASK_ID; a later --set applies after the row's */
    {
        const char *a2[] = { "migsim", "run", "--manifest", "m/manifest.csv", "--set", "days=3", "-q", NULL };
        setenv("SLURM_ARRAY_TASK_ID", "16", 1);
        cr_assert_eq(run_migsim(a2, &err), 0, "stderr: %s", err);
        unsetenv("SLURM_ARRAY_TASK_ID");
        seed = prov_attr("runs/p008_r00.h5", "seed");
        resolved = prov_attr("runs/p008_r00.h5", "scenario_resolved");
        cr_expect_str_eq(seed, "100");
        cr_expect(strstr(resolved, "\ndays: 3\n") != NULL, "%s", resolved);
        cr_expect(strstr(resolved, "\n  distance_power: 2\n") != NULL, "%s", resolved);
        free(err);
        free(seed);
        free(resolved);
    }
}

static void run_bad(const char *const *args, int code, const char *stderr_text)
{
    char *err;
    cr_expect_eq(run_migsim(args, &err), code);
    cr_expect_str_eq(err, stderr_text);
    cr_expect_not(has_file("runs", "p"), "no output, nor a temporary one, may be left");
    free(err);
}

Test(sweep, cli_run_manifest_errors)
{
    const char *past[] = { "migsim", "run", "--manifest", "m/manifest.csv", "--task", "18", NULL };
    const char *none[] = { "migsim", "run", "--manifest", "m/manifest.csv", NULL };
    const char *both[] = { "migsim", "run", "s.yaml", "--manifest", "m/manifest.csv", "--task", "1", NULL };
    const char *seed[] = { "migsim", "run", "--manifest", "m/manifest.csv", "--task", "1", "--seed", "3", NULL };
    const char *alone[] = { "migsim", "run", "s.yaml", "-o", "x.h5", "--task", "1", NULL };
    const char *check[] = { "migsim", "check", "--manifest", "m/manifest.csv", "--task", "1", NULL };
    const char *bad[] = { "migsim", "run", "--manifest", "bad.csv", "--task", "0", NULL };
    write_grid_manifest();
    run_bad(past, 64, "migsim: m/manifest.csv: task 18: no such row (tasks 0..17)\n");
    run_bad(none, 64, "migsim: m/manifest.csv: no task number: give --task N or set SLURM_ARRAY_TASK_ID\n");
    run_bad(both, 64,
            "migsim: --manifest takes the place of SCENARIO.yaml, -o and --seed (run only)\nTry 'migsim --help'.\n");
    run_bad(seed, 64,
            "migsim: --manifest takes the place of SCENARIO.yaml, -o and --seed (run only)\nTry 'migsim --help'.\n");
    run_bad(check, 64,
            "migsim: --manifest takes the place of SCENARIO.yaml, -o and --seed (run only)\nTry 'migsim --help'.\n");
    run_bad(alone, 64, "migsim: --task needs --manifest MANIFEST.csv\nTry 'migsim --help'.\n");
    /* a row edited by hand is validated like any --set */
    write_file("bad.csv", "task,point,replicate,seed,scenario,output,movement.distance_power\n"
                          "0,0,0,5,s.yaml,runs/p000_r00.h5,abc\n");
    run_bad(bad, 78,
            "migsim: --set movement.distance_power=abc: movement.distance_power: expected a number, got \"abc\"\n");
}
