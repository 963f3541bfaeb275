/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_inputs.c: the input readers under fuzzing (issue 17, item 7). One entry point,
 * LLVMFuzzerTestOneInput, feeds a byte string to the reader of a target:
 *   yaml        a scenario (mig_config_load, then mig_world_create with the demo's CSVs)
 *   places      the places CSV (mig_network_load with the demo's links)
 *   links       the links CSV (mig_network_load with the demo's places)
 *   sweep       a sweep spec (mig_sweep_load, scenario demo.yaml beside it)
 *   manifest    a sweep manifest (mig_sweep_task, row 0)
 *   checkpoint  a checkpoint of the demo scenario (mig_checkpoint_read)
 * Built with clang -fsanitize=fuzzer (scripts/fuzz, MIGSIM_FUZZ=ON) libFuzzer drives it, the
 * target named by $MIGSIM_FUZZ_TARGET. Otherwise this file has its own main, a replay and
 * mutation driver for ctest under the ordinary and the ASan/UBSan builds:
 *   fuzz_inputs TARGET RUNS SEED_FILE...
 * runs every seed, then RUNS inputs made from them by a fixed sequence of mutations (bit
 * flips, interesting bytes, cut and repeated ranges). A crash or a sanitizer report fails
 * the test; the input that caused it is left in the folder printed first. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mig_checkpoint.h"
#include "mig_config.h"
#include "mig_ctx.h"
#include "mig_network.h"
#include "mig_sweep.h"
#include "mig_util.h"
#include "mig_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char work[64];   /* the folder of the input files, made once */

/* Makes the folder with the demo's CSVs and scenario; returns 0 on success. */
static int setup(void)
{
    static const char *const files[] = { "configs/demo.yaml", "configs/demo/places.csv", "configs/demo/links.csv" };
    char *text, *path;
    size_t len;
    int err;
    if (work[0])
        return 0;
    snprintf(work, sizeof work, "/tmp/migsim-fuzz-XXXXXX");
    if (!mkdtemp(work))
        return -1;
    path = mig_asprintf("%s/demo", work);
    if (!path || mkdir(path, 0700))
        return -1;
    free(path);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *src = mig_asprintf("%s/%s", MIGSIM_SOURCE_DIR, files[i]);
        FILE *f;
        if (!src || mig_file_read(src, &text, &len, &err) != MIG_OK)
            return -1;
        path = mig_asprintf("%s/%s", work, files[i] + strlen("configs/"));
        if (!path || !(f = fopen(path, "wb")) || fwrite(text, 1, len, f) != len || fclose(f))
            return -1;
        free(src);
        free(path);
        free(text);
    }
    return 0;
}

/* Writes the input to <work>/<name>; returns the path (owned by the caller) or NULL. */
static char *put(const char *name, const uint8_t *data, size_t size)
{
    char *path = mig_asprintf("%s/%s", work, name);
    FILE *f = path ? fopen(path, "wb") : NULL;
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
        free(path);
        return NULL;
    }
    return path;
}

/* A scenario: loaded, and when valid its world built (the CSVs beside it). */
static void run_yaml(const char *path, mig_ctx *ctx)
{
    mig_config *cfg = NULL;
    mig_world *w = NULL;
    if (mig_config_load(path, NULL, 0, ctx, &cfg) == MIG_OK)
        mig_world_create(cfg, ctx, &w);
    mig_world_destroy(&w);
    mig_config_destroy(&cfg);
}

/* The demo's world, restored from the checkpoint at path. */
static void run_checkpoint(const char *path, mig_ctx *ctx)
{
    char *yaml = mig_asprintf("%s/demo.yaml", work);
    mig_config *cfg = NULL;
    mig_world *w = NULL;
    mig_checkpoint *ck = NULL;
    if (yaml && mig_config_load(yaml, NULL, 0, ctx, &cfg) == MIG_OK && mig_world_create(cfg, ctx, &w) == MIG_OK)
        mig_checkpoint_read(path, w, &ck, ctx);
    mig_checkpoint_destroy(&ck);
    mig_world_destroy(&w);
    mig_config_destroy(&cfg);
    free(yaml);
}

static void run_target(const char *target, const char *path, mig_ctx *ctx)
{
    char *places = mig_asprintf("%s/demo/places.csv", work), *links = mig_asprintf("%s/demo/links.csv", work);
    mig_network *net = NULL;
    mig_sweep *sw = NULL;
    mig_sweep_row *row = NULL;
    if (!places || !links)
        abort();
    if (!strcmp(target, "yaml"))
        run_yaml(path, ctx);
    else if (!strcmp(target, "places"))
        mig_network_load(path, links, ctx, &net);
    else if (!strcmp(target, "links"))
        mig_network_load(places, path, ctx, &net);
    else if (!strcmp(target, "sweep"))
        mig_sweep_load(path, ctx, &sw);
    else if (!strcmp(target, "manifest"))
        mig_sweep_task(path, "0", ctx, &row);
    else if (!strcmp(target, "checkpoint"))
        run_checkpoint(path, ctx);
    mig_network_destroy(&net);
    mig_sweep_destroy(&sw);
    mig_sweep_row_destroy(&row);
    free(places);
    free(links);
}

/* The file name each target's input is written under (the sweep's scenario is demo.yaml). */
static const char *input_name(const char *target)
{
    return !strcmp(target, "yaml") ? "input.yaml" : !strcmp(target, "checkpoint") ? "input.ckpt" : "input.csv";
}

static const char *fuzz_target(void)
{
    const char *t = getenv("MIGSIM_FUZZ_TARGET");
    return t ? t : "yaml";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *target = fuzz_target();
    mig_ctx *ctx = NULL;
    char *path;
    if (setup() || mig_ctx_create(&ctx) != MIG_OK)
        abort();
    ctx->level = MIG_LOG_QUIET;
    ctx->threads = 1;
    if (!(path = put(input_name(target), data, size)))
        abort();
    run_target(target, path, ctx);
    free(path);
    mig_ctx_destroy(&ctx);
    return 0;
}

#ifndef MIG_LIBFUZZER
/* xorshift64*: the fixed sequence of mutations */
static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* One to eight mutations of buf[*n] (room for cap bytes). */
static void mutate(uint8_t *buf, size_t *n, size_t cap, uint64_t *s)
{
    static const uint8_t interesting[] = { 0, 0xFF, 0x80, 0xE9, '\n', '\r', ',', '"', ':', '[', ']', '{', '-', '9',
                                           '#', '&', '*', '!', '\t', ' ' };
    for (int k = 1 + (int)(next(s) % 8); k > 0; k--) {
        size_t at = *n ? next(s) % *n : 0, len = 1 + next(s) % 16;
        switch (next(s) % 5) {
        case 0:
            if (*n)
                buf[at] ^= (uint8_t)(1u << (next(s) % 8));
            break;
        case 1:
            if (*n)
                buf[at] = interesting[next(s) % sizeof interesting];
            break;
        case 2: /* cut */
            len = at + len > *n ? *n - at : len;
            memmove(buf + at, buf + at + len, *n - at - len);
            *n -= len;
            break;
        case 3: /* repeat */
            len = at + len > *n ? *n - at : len;
            if (*n + len <= cap) {
                memmove(buf + at + len, buf + at, *n - at);
                *n += len;
            }
            break;
        default: /* digits grow */
            if (*n < cap) {
                memmove(buf + at + 1, buf + at, *n - at);
                buf[at] = (uint8_t)('0' + next(s) % 10);
                (*n)++;
            }
        }
    }
}

int main(int argc, char **argv)
{
    long runs = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
    uint8_t **seed, *buf;
    size_t *len, cap = 0;
    uint64_t s = 0x9E3779B97F4A7C15ull;
    int n = argc - 3, err;
    if (argc < 4) {
        fprintf(stderr, "usage: fuzz_inputs TARGET RUNS SEED_FILE...\n");
        return 64;
    }
    setenv("MIGSIM_FUZZ_TARGET", argv[1], 1);
    seed = calloc((size_t)n, sizeof *seed);
    len = calloc((size_t)n, sizeof *len);
    if (!seed || !len || setup())
        return 70;
    printf("fuzz_inputs %s: inputs in %s\n", argv[1], work);
    fflush(stdout);
    for (int i = 0; i < n; i++) {
        if (mig_file_read(argv[3 + i], (char **)&seed[i], &len[i], &err) != MIG_OK) {
            fprintf(stderr, "fuzz_inputs: cannot read %s\n", argv[3 + i]);
            return 66;
        }
        LLVMFuzzerTestOneInput(seed[i], len[i]);
        cap = len[i] > cap ? len[i] : cap;
    }
    cap = 2 * cap + 256;
    if (!(buf = malloc(cap)))
        return 70;
    for (long r = 0; r < runs; r++) {
        size_t i = (size_t)(next(&s) % (uint64_t)n), m = len[i];
        memcpy(buf, seed[i], m);
        mutate(buf, &m, cap, &s);
        LLVMFuzzerTestOneInput(buf, m);
    }
    printf("fuzz_inputs %s: %d seeds and %ld mutated inputs, no crash\n", argv[1], n, runs);
    {
        static const char *const made[] = { "input.yaml", "input.ckpt", "input.csv", "demo.yaml",
                                            "demo/places.csv", "demo/links.csv", "demo" };
        for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
            char *path = mig_asprintf("%s/%s", work, made[i]);
            if (path && unlink(path) != 0)
                rmdir(path);
            free(path);
        }
        rmdir(work);
    }
    for (int i = 0; i < n; i++)
        free(seed[i]);
    free(seed);
    free(len);
    free(buf);
    return 0;
}
#endif
