/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_ctx.h: the run context passed down every call: error detail (a list of diagnostic
 * records for main to print), the logger, the thread count and the files read as input
 * (so that no output is written over one). No hidden globals. */
#ifndef MIG_CTX_H
#define MIG_CTX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include "mig_status.h"

typedef enum mig_log_level { MIG_LOG_QUIET = 0, MIG_LOG_INFO = 1, MIG_LOG_DEBUG = 2 } mig_log_level;

/* Where a problem is: a file (or "--set KEY=VALUE" for a command-line override) and a
 * 1-based line and column, 0 when not known. file is borrowed. */
typedef struct mig_loc {
    const char *file;
    unsigned long line, column;
} mig_loc;

/* One problem. Code that acts on a problem reads these fields; text is only for printing:
 * "file:line:col: field: message", each part left out when absent ("file: message",
 * "field: message", "message"). */
typedef struct mig_diag {
    mig_status status;
    char *file;             /* owned, or NULL */
    unsigned long line, column;
    char *field;            /* owned: key path or column name, or NULL */
    char *message;          /* owned */
    char *text;             /* owned: the printed form */
} mig_diag;

typedef struct mig_ctx {
    mig_diag *errors;       /* owned: diagnostics, oldest first */
    size_t n_errors;
    size_t cap_errors;
    FILE *log;              /* borrowed: where log lines go (stderr by default) */
    int log_is_tty;         /* 1: a progress line redrawn in place; 0: timestamped lines */
    mig_log_level level;
    int threads;            /* OpenMP threads to use, >= 1 */
    struct mig_comm *comm;  /* borrowed: MPI ranks, or NULL for a single process */
    unsigned long long max_memory; /* bytes a world may need (mig_world_create refuses more); 0: no limit */
    struct mig_input *inputs; /* owned [n_inputs]: the files read so far (mig_ctx_add_input) */
    size_t n_inputs;
    struct mig_memo *memo;  /* owned [n_memo]: results kept for the process's next runs (mig_ctx_memo_put) */
    size_t n_memo;
} mig_ctx;

/* A result of a deterministic computation kept under the exact bytes of all it depends on,
 * so that the next run in the same process (calibrate's, one after another) reuses it. */
typedef struct mig_memo {
    void *key, *value;      /* owned */
    size_t key_len, value_len;
} mig_memo;

/* A file read as input: its identity (device and inode) and the path it was read by. */
typedef struct mig_input {
    unsigned long long dev, ino;
    char *path;             /* owned */
} mig_input;

/* lifecycle */
mig_status mig_ctx_create(mig_ctx **out);         /* caller owns *out */
void mig_ctx_destroy(mig_ctx **p);                /* accepts NULL; sets *p = NULL */

/* errors: append one diagnostic and return s, so a caller can write
 * `return mig_ctx_diag(ctx, MIG_EDATA, &loc, "column", "expected ...", ...)`.
 * mig_ctx_diag: at loc (NULL: nowhere), about field (NULL or "": none); the message is
 * printf-style. mig_ctx_error: a message without a place. */
mig_status mig_ctx_diag(mig_ctx *ctx, mig_status s, const mig_loc *loc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
mig_status mig_ctx_vdiag(mig_ctx *ctx, mig_status s, const mig_loc *loc, const char *field, const char *fmt,
                         va_list ap);
mig_status mig_ctx_error(mig_ctx *ctx, mig_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
mig_status mig_ctx_verror(mig_ctx *ctx, mig_status s, const char *fmt, va_list ap);
/* Appends a copy of d (e.g. from another context). */
mig_status mig_ctx_add(mig_ctx *ctx, const mig_diag *d);
size_t mig_ctx_n_errors(const mig_ctx *ctx);
const mig_diag *mig_ctx_diag_at(const mig_ctx *ctx, size_t i);   /* borrowed; NULL past the end */
const char *mig_ctx_error_at(const mig_ctx *ctx, size_t i);      /* borrowed: its printed text */
void mig_ctx_clear_errors(mig_ctx *ctx);
/* Prints every diagnostic as "migsim: <text>" to f (then "migsim: N problems" when there
 * are several, or the status message when there are none) and returns st's exit code:
 * what a command does on failure. */
int mig_ctx_report(const mig_ctx *ctx, mig_status st, FILE *f);

/* inputs */
/* Notes path as an input of this run when it can be stat'ed (else nothing). MIG_ENOMEM
 * when memory runs out. */
mig_status mig_ctx_add_input(mig_ctx *ctx, const char *path);
/* The path of the input that is the same file as path (same device and inode), or NULL
 * when none is (or path does not exist). Borrowed. */
const char *mig_ctx_input_same(const mig_ctx *ctx, const char *path);

/* memo: at most MIG_MEMO_MAX results, the oldest dropped first. get: the value stored under
 * exactly key[key_len] (borrowed, *value_len its size) or NULL; put: stores a copy of value
 * under a copy of key (MIG_ENOMEM when memory runs out; nothing is stored then). */
enum { MIG_MEMO_MAX = 8 };
const void *mig_ctx_memo_get(const mig_ctx *ctx, const void *key, size_t key_len, size_t *value_len);
mig_status mig_ctx_memo_put(mig_ctx *ctx, const void *key, size_t key_len, const void *value, size_t value_len);

/* logging: plain lines prefixed with an ISO timestamp when not on a terminal */
void mig_log(mig_ctx *ctx, mig_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
