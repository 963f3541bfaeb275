/* mig_ctx.c: diagnostics list and timestamped logging. */
#include "mig_ctx.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    if (!p || !*p)
        return;
    mig_ctx_clear_errors(*p);
    free((*p)->errors);
    free(*p);
    *p = NULL;
}

mig_status mig_ctx_verror(mig_ctx *ctx, mig_status s, const char *fmt, va_list ap)
{
    va_list ap2;
    char *text;
    int n;

    if (!ctx)
        return s;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return s;
    if (ctx->n_errors == ctx->cap_errors) {
        size_t cap = ctx->cap_errors ? 2 * ctx->cap_errors : 8;
        char **e = realloc(ctx->errors, cap * sizeof *e);
        if (!e)
            return s;
        ctx->errors = e;
        ctx->cap_errors = cap;
    }
    text = malloc((size_t)n + 1);
    if (!text)
        return s;
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    ctx->errors[ctx->n_errors++] = text;
    return s;
}

mig_status mig_ctx_error(mig_ctx *ctx, mig_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mig_ctx_verror(ctx, s, fmt, ap);
    va_end(ap);
    return s;
}

size_t mig_ctx_n_errors(const mig_ctx *ctx) { return ctx ? ctx->n_errors : 0; }

const char *mig_ctx_error_at(const mig_ctx *ctx, size_t i)
{
    return (ctx && i < ctx->n_errors) ? ctx->errors[i] : NULL;
}

void mig_ctx_clear_errors(mig_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->n_errors; i++)
        free(ctx->errors[i]);
    ctx->n_errors = 0;
}

int mig_ctx_report(const mig_ctx *ctx, mig_status st, FILE *f)
{
    size_t n = mig_ctx_n_errors(ctx);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "migsim: %s\n", ctx->errors[i]); /* n > 0: ctx is not NULL */
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
