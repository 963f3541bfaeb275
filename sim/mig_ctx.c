/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_ctx.c: diagnostic records and timestamped logging. */
#include "mig_ctx.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mig_util.h"

mig_status mig_ctx_create(mig_ctx **out)
{
    mig_ctx *ctx = calloc(1, sizeof *ctx);
    *out = NULL;
    if (!ctx)
        return MIG_ENOMEM;
    ctx->log = stderr;
    ctx->log_is_tty = isatty(fileno(stderr));
    ctx->level = MIG_LOG_INFO;
    ctx->threads = 1;
    *out = ctx;
    return MIG_OK;
}

void mig_ctx_destroy(mig_ctx **p)
{
    mig_ctx *ctx;
    if (!MIG_TAKE(ctx, p))
        return;
    mig_ctx_clear_errors(ctx);
    for (size_t i = 0; i < ctx->n_inputs; i++)
        free(ctx->inputs[i].path);
    for (size_t i = 0; i < ctx->n_memo; i++)
        MIG_FREE_ALL(ctx->memo[i].key, ctx->memo[i].value);
    MIG_FREE_ALL(ctx->inputs, ctx->errors, ctx->memo, ctx);
}

const void *mig_ctx_memo_get(const mig_ctx *ctx, const void *key, size_t key_len, size_t *value_len)
{
    for (size_t i = 0; i < ctx->n_memo; i++)
        if (ctx->memo[i].key_len == key_len && !memcmp(ctx->memo[i].key, key, key_len)) {
            *value_len = ctx->memo[i].value_len;
            return ctx->memo[i].value;
        }
    return NULL;
}

mig_status mig_ctx_memo_put(mig_ctx *ctx, const void *key, size_t key_len, const void *value, size_t value_len)
{
    mig_memo m;
    if (!ctx->memo && !(ctx->memo = calloc(MIG_MEMO_MAX, sizeof *ctx->memo)))
        return MIG_ENOMEM;
    m = (mig_memo){ malloc(key_len ? key_len : 1), malloc(value_len ? value_len : 1), key_len, value_len };
    if (!m.key || !m.value) {
        MIG_FREE_ALL(m.key, m.value);
        return MIG_ENOMEM;
    }
    memcpy(m.key, key, key_len);
    memcpy(m.value, value, value_len);
    if (ctx->n_memo == MIG_MEMO_MAX) { /* full: the oldest goes */
        MIG_FREE_ALL(ctx->memo[0].key, ctx->memo[0].value);
        memmove(ctx->memo, ctx->memo + 1, (MIG_MEMO_MAX - 1) * sizeof *ctx->memo);
        ctx->n_memo--;
    }
    ctx->memo[ctx->n_memo++] = m;
    return MIG_OK;
}

mig_status mig_ctx_add_input(mig_ctx *ctx, const char *path)
{
    struct stat sb;
    mig_input *in;
    if (stat(path, &sb) != 0 || mig_ctx_input_same(ctx, path))
        return MIG_OK;
    if (!(in = realloc(ctx->inputs, (ctx->n_inputs + 1) * sizeof *in)))
        return MIG_ENOMEM;
    ctx->inputs = in;
    in += ctx->n_inputs;
    in->dev = (unsigned long long)sb.st_dev;
    in->ino = (unsigned long long)sb.st_ino;
    if (!(in->path = strdup(path)))
        return MIG_ENOMEM;
    ctx->n_inputs++;
    return MIG_OK;
}

const char *mig_ctx_input_same(const mig_ctx *ctx, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return NULL;
    for (size_t i = 0; i < ctx->n_inputs; i++)
        if (ctx->inputs[i].dev == (unsigned long long)sb.st_dev && ctx->inputs[i].ino == (unsigned long long)sb.st_ino)
            return ctx->inputs[i].path;
    return NULL;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    char *text;
    int n;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !(text = malloc((size_t)n + 1)))
        return NULL;
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    return text;
}

/* The printed form: "file:line:col: field: message", each part left out when absent. */
static char *diag_text(const mig_diag *d)
{
    char *t = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&t, &n);
    if (!f)
        return NULL;
    if (d->file) {
        fputs(d->file, f);
        if (d->line)
            fprintf(f, ":%lu", d->line);
        if (d->line && d->column)
            fprintf(f, ":%lu", d->column);
        fputs(": ", f);
    }
    if (d->field)
        fprintf(f, "%s: ", d->field);
    fputs(d->message, f);
    if (fclose(f)) {
        free(t);
        return NULL;
    }
    return t;
}

static void diag_free(mig_diag *d)
{
    free(d->file);
    free(d->field);
    free(d->message);
    free(d->text);
}

/* Appends *d, taking its strings; frees them when memory runs out. */
static void push(mig_ctx *ctx, mig_diag *d)
{
    if (ctx->n_errors == ctx->cap_errors) {
        size_t cap = ctx->cap_errors ? 2 * ctx->cap_errors : 8;
        mig_diag *e = realloc(ctx->errors, cap * sizeof *e);
        if (!e) {
            diag_free(d);
            return;
        }
        ctx->errors = e;
        ctx->cap_errors = cap;
    }
    if (!d->message || !(d->text = diag_text(d))) {
        diag_free(d);
        return;
    }
    ctx->errors[ctx->n_errors++] = *d;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

mig_status mig_ctx_vdiag(mig_ctx *ctx, mig_status s, const mig_loc *loc, const char *field, const char *fmt,
                         va_list ap)
{
    mig_diag d = { .status = s };
    if (!ctx)
        return s;
    d.message = vformat(fmt, ap);
    if (loc && loc->file) {
        d.file = strdup(loc->file);
        d.line = loc->line;
        d.column = loc->column;
    }
    d.field = dup_or_null(field);
    push(ctx, &d);
    return s;
}

mig_status mig_ctx_diag(mig_ctx *ctx, mig_status s, const mig_loc *loc, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mig_ctx_vdiag(ctx, s, loc, field, fmt, ap);
    va_end(ap);
    return s;
}

mig_status mig_ctx_verror(mig_ctx *ctx, mig_status s, const char *fmt, va_list ap)
{
    return mig_ctx_vdiag(ctx, s, NULL, NULL, fmt, ap);
}

mig_status mig_ctx_error(mig_ctx *ctx, mig_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mig_ctx_vdiag(ctx, s, NULL, NULL, fmt, ap);
    va_end(ap);
    return s;
}

mig_status mig_ctx_add(mig_ctx *ctx, const mig_diag *d)
{
    mig_loc loc = { d->file, d->line, d->column };
    return mig_ctx_diag(ctx, d->status, &loc, d->field, "%s", d->message);
}

size_t mig_ctx_n_errors(const mig_ctx *ctx) { return ctx ? ctx->n_errors : 0; }

const mig_diag *mig_ctx_diag_at(const mig_ctx *ctx, size_t i)
{
    return (ctx && i < ctx->n_errors) ? &ctx->errors[i] : NULL;
}

const char *mig_ctx_error_at(const mig_ctx *ctx, size_t i)
{
    return (ctx && i < ctx->n_errors) ? ctx->errors[i].text : NULL;
}

void mig_ctx_clear_errors(mig_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->n_errors; i++)
        diag_free(&ctx->errors[i]);
    ctx->n_errors = 0;
}

int mig_ctx_report(const mig_ctx *ctx, mig_status st, FILE *f)
{
    size_t n = mig_ctx_n_errors(ctx);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "migsim: %s\n", ctx->errors[i].text); /* n > 0: ctx is not NULL */
    if (n == 0)
        fprintf(f, "migsim: %s\n", mig_status_str(st));
    else if (n > 1)
        fprintf(f, "migsim: %zu problems\n", n);
    return mig_status_exit_code(st);
}

void mig_log(mig_ctx *ctx, mig_log_level level, const char *fmt, ...)
{
    va_list ap;
    char stamp[32];
    time_t now;
    struct tm tm;

    if (!ctx || !ctx->log || level > ctx->level)
        return;
    now = time(NULL);
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(ctx->log, "%s migsim: ", stamp);
    va_start(ap, fmt);
    vfprintf(ctx->log, fmt, ap);
    va_end(ap);
    fputc('\n', ctx->log);
    fflush(ctx->log);
}
