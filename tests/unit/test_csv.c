/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_csv.c: mig_csv_read on small tables written to temporary files: quoting, the '#'
 * header, comment and blank rows, line numbers, padding, and every error's exact text. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mig_csv.h"
#include "mig_ctx.h"

static mig_ctx *ctx;
static char path[64];

static void setup(void) { cr_assert_eq(mig_ctx_create(&ctx), MIG_OK); path[0] = '\0'; }
static void teardown(void)
{
    mig_ctx_destroy(&ctx);
    if (path[0])
        unlink(path);
}
TestSuite(csv, .init = setup, .fini = teardown);

/* Writes text (n bytes) to a fresh temporary file named in path. */
static void write_file(const char *text, size_t n)
{
    int fd;
    FILE *f;
    strcpy(path, "/tmp/migsim_test_csv_XXXXXX");
    fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    f = fdopen(fd, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(text, 1, n, f), n);
    fclose(f);
}
#define WRITE(lit) write_file(lit, sizeof lit - 1)

static void expect_error(size_t i, const char *tail)
{
    char want[256];
    snprintf(want, sizeof want, "%s%s", path, tail);
    cr_expect_str_eq(mig_ctx_error_at(ctx, i), want);
}

Test(csv, quotes_and_line_numbers)
{
    mig_csv *t = NULL;
    WRITE("name,note\n"
          "\"Oncupinar, camp\",\"say \"\"hi\"\"\nsecond line\"\n"
          "B,x\n");
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_OK);
    cr_assert_eq(t->n_cols, 2);
    cr_assert_eq(t->n_rows, 2);
    cr_expect_str_eq(t->path, path);
    cr_expect_str_eq(t->cells[0][0], "Oncupinar, camp");
    cr_expect_str_eq(t->cells[0][1], "say \"hi\"\nsecond line");
    cr_expect_eq(t->line[0], 2);
    cr_expect_str_eq(t->cells[1][0], "B");
    cr_expect_eq(t->line[1], 4);   /* the quoted newline counts */
    mig_csv_destroy(&t);
    cr_expect_null(t);
}

Test(csv, hash_header_comments_blanks_padding)
{
    mig_csv *t = NULL;
    WRITE("#name,region,note\r\n"
          "\r\n"
          "# a comment row,x,y\n"
          "   \n"
          "A,R1,n\r\n"
          "\"#quoted\",R2\n"      /* a comment too: its first cell starts with '#' */
          "B\n"
          "C,,\"\"");             /* no newline at the end */
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_OK);
    cr_assert_eq(mig_ctx_n_errors(ctx), 0);
    cr_assert_eq(t->n_cols, 3);
    cr_expect_str_eq(t->header[0], "name");
    cr_expect_str_eq(t->header[2], "note");   /* no '\r' left */
    cr_assert_eq(t->n_rows, 3);
    cr_expect_str_eq(t->cells[0][0], "A");
    cr_expect_str_eq(t->cells[0][2], "n");
    cr_expect_eq(t->line[0], 5);
    cr_expect_str_eq(t->cells[1][0], "B");
    cr_expect_str_eq(t->cells[1][1], "");      /* padded */
    cr_expect_str_eq(t->cells[1][2], "");
    cr_expect_eq(t->line[1], 7);
    cr_expect_str_eq(t->cells[2][0], "C");
    cr_expect_eq(t->line[2], 8);
    cr_expect_eq(mig_csv_col(t, "name"), 0);
    cr_expect_eq(mig_csv_col(t, "note"), 2);
    cr_expect_eq(mig_csv_col(t, "#name"), -1);
    cr_expect_eq(mig_csv_col(t, "absent"), -1);
    mig_csv_destroy(&t);
}

Test(csv, header_only_and_bom)
{
    mig_csv *t = NULL;
    WRITE("\xEF\xBB\xBF" "a,b\n");
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_OK);
    cr_expect_eq(t->n_rows, 0);
    cr_expect_str_eq(t->header[0], "a");
    mig_csv_destroy(&t);
    mig_csv_destroy(&t);    /* NULL is fine */
    mig_csv_destroy(NULL);
}

Test(csv, too_many_fields_reports_every_row)
{
    mig_csv *t = (mig_csv *)&t;
    WRITE("a,b\n1,2\n1,2,3\n\n1,2,3,4\n");
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_EDATA);
    cr_expect_null(t);
    cr_assert_eq(mig_ctx_n_errors(ctx), 2);
    expect_error(0, ":3:3: too many fields (header has 2)");
    expect_error(1, ":5:3: too many fields (header has 2)");
}

Test(csv, missing_file)
{
    mig_csv *t = (mig_csv *)&t;
    const char *p = "/nonexistent/migsim/places.csv";
    cr_assert_eq(mig_csv_read(p, ctx, &t), MIG_ENOINPUT);
    cr_expect_null(t);
    cr_assert_eq(mig_ctx_n_errors(ctx), 1);
    cr_expect_str_eq(mig_ctx_error_at(ctx, 0),
                     "/nonexistent/migsim/places.csv: cannot open: No such file or directory");
}

Test(csv, directory_is_no_input)
{
    mig_csv *t = (mig_csv *)&t;
    cr_assert_eq(mig_csv_read("/tmp", ctx, &t), MIG_ENOINPUT);
    cr_expect_null(t);
    cr_expect_str_eq(mig_ctx_error_at(ctx, 0), "/tmp: cannot open: Is a directory");
}

Test(csv, unterminated_quote)
{
    mig_csv *t = (mig_csv *)&t;
    WRITE("a,b\n1,2\n\n3,\"open\n4,5\n");
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_EDATA);
    cr_expect_null(t);
    cr_assert_eq(mig_ctx_n_errors(ctx), 1);
    expect_error(0, ":4: malformed CSV (error parsing data while strict checking enabled)");
}

Test(csv, unterminated_quote_in_first_field)
{
    mig_csv *t = (mig_csv *)&t;
    WRITE("a,b\n1,2\n\n\"open,3\n4,5\n");
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_EDATA);
    cr_expect_null(t);
    expect_error(0, ":4: malformed CSV (error parsing data while strict checking enabled)");
}

Test(csv, stray_quote)
{
    mig_csv *t = (mig_csv *)&t;
    WRITE("a,b\n1,2\n3,x\"y\n");
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_EDATA);
    cr_expect_null(t);
    cr_assert_eq(mig_ctx_n_errors(ctx), 1);
    expect_error(0, ":3: malformed CSV (error parsing data while strict checking enabled)");
}

Test(csv, text_after_closing_quote)
{
    mig_csv *t = (mig_csv *)&t;
    WRITE("a,b\n\"x\"y,2\n");
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_EDATA);
    expect_error(0, ":2: malformed CSV (error parsing data while strict checking enabled)");
}

Test(csv, empty_file)
{
    mig_csv *t = (mig_csv *)&t;
    WRITE("");
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_EDATA);
    cr_expect_null(t);
    cr_assert_eq(mig_ctx_n_errors(ctx), 1);
    expect_error(0, ": empty file, expected a header row");
}

Test(csv, blank_lines_only)
{
    mig_csv *t = (mig_csv *)&t;
    WRITE("\n  \r\n\t\n");
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_EDATA);
    cr_expect_null(t);
    expect_error(0, ": empty file, expected a header row");
}

Test(csv, nul_byte)
{
    mig_csv *t = (mig_csv *)&t;
    WRITE("a,b\n1,x\0y\n");
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_EDATA);
    cr_expect_null(t);
    expect_error(0, ":2:2: NUL byte in field");
}

Test(csv, long_file_crosses_read_chunks)
{
    /* 20000 rows of ~10 bytes: more than one 64 KiB read, with lines split across reads */
    mig_csv *t = NULL;
    size_t cap = 20000 * 16 + 16, n = 0;
    char *text = malloc(cap);
    cr_assert_not_null(text);
    n += (size_t)sprintf(text + n, "k,v\n");
    for (int i = 0; i < 20000; i++)
        n += (size_t)sprintf(text + n, "r%d,%d\n", i, 7 * i);
    write_file(text, n);
    free(text);
    cr_assert_eq(mig_csv_read(path, ctx, &t), MIG_OK);
    cr_assert_eq(t->n_rows, 20000);
    for (size_t i = 0; i < 20000; i++) {
        char k[16], v[16];
        snprintf(k, sizeof k, "r%zu", i);
        snprintf(v, sizeof v, "%zu", 7 * i);
        cr_assert_str_eq(t->cells[i][0], k);
        cr_assert_str_eq(t->cells[i][1], v);
        cr_assert_eq(t->line[i], i + 2);
    }
    mig_csv_destroy(&t);
}
