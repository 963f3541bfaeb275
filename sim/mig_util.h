/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_util.h: small file, string and path helpers shared by the loaders (config, CSV,
 * sweep, summarize, calibrate), written once: reading a file, paths, numbers, "did you mean",
 * freeing. Every returned string is newly allocated (caller frees), NULL when memory runs out. */
#ifndef MIG_UTIL_H
#define MIG_UTIL_H

#include <stddef.h>
#include "mig_status.h"

/* The largest input file read (a scenario, a CSV): past it a reader stops with an error, so
 * that a path such as /dev/zero cannot take all memory. */
#define MIG_INPUT_MAX_BYTES ((size_t)256 << 20)
#define MIG_INPUT_MAX_TEXT "256 MiB"

/* The offset of the first byte of s[0, n) that is not part of well-formed UTF-8 (no overlong
 * forms, surrogates or code points past U+10FFFF), or n when all is. */
size_t mig_utf8_invalid(const char *s, size_t n);

/* Reads the whole file at path into *text (NUL-terminated; caller frees) and *len.
 * Returns MIG_OK; MIG_ENOINPUT when it cannot be opened (*err: its errno), MIG_EIO when
 * it cannot be read, e.g. a folder (*err: EIO), or is larger than MIG_INPUT_MAX_BYTES (*err:
 * EFBIG), MIG_ENOMEM (*err: ENOMEM). On failure
 * *text is NULL. */
mig_status mig_file_read(const char *path, char **text, size_t *len, int *err);

/* printf into a new string. */
char *mig_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The folder part of a path: "" for a bare name, "/" for a file in the root. */
char *mig_path_dir(const char *path);
/* rel resolved against dir (as from mig_path_dir); an absolute rel or an empty dir leave it
 * as it is. */
char *mig_path_resolve(const char *dir, const char *rel);

/* A strict finite number: the whole of s, no leading blank ("1e3" yes; " 1", "1x", "", "nan"
 * no). Returns 0 and sets *out, else -1 with *out unchanged. */
int mig_parse_number(const char *s, double *out);

/* The memory this process may still take, in bytes: the least of the system's MemAvailable
 * (/proc/meminfo) and what the cgroup's memory.max leaves; 0 when neither can be read. */
unsigned long long mig_memory_available(void);
/* "1.5 GiB", "800 MiB", "27 B" for n bytes, into buf. */
void mig_bytes_text(unsigned long long n, char *buf, size_t size);

/* Levenshtein distance between a and b (for "did you mean"); 99 when b is longer than 64. */
unsigned mig_edit_distance(const char *a, const char *b);

/* "did you mean": offer each known word with mig_suggest_add, then mig_suggest_hint says
 * `did you mean "best"?` when one is within two edits of the word (and half its length), else `expected one of:
 * a, b, c` (", ..." when not all fit), and mig_suggest_text the same after "unknown key". */
typedef struct mig_suggest {
    const char *word;          /* borrowed: the unknown word */
    char best[160];            /* the nearest known word so far ("" for none) */
    unsigned best_distance;
    int more;                  /* 1: known words that did not fit in list */
    char list[512];            /* the known words, ", "-separated (those that fit) */
    char text[700];
} mig_suggest;

void mig_suggest_init(mig_suggest *s, const char *word);
void mig_suggest_add(mig_suggest *s, const char *known);   /* known is copied as needed */
const char *mig_suggest_hint(mig_suggest *s);              /* owned by s */
const char *mig_suggest_text(mig_suggest *s);              /* owned by s */

/* Freeing, for destroy functions. mig_free_each frees the n pointers of ptrs in order;
 * MIG_FREE_ALL(s->a, s->b, s) lists them in place (a struct's arrays, then the struct).
 * mig_free_strings frees the n strings of v (none when v is NULL), then v. */
void mig_free_each(void *const *ptrs, size_t n);
#define MIG_FREE_ALL(...)                                                                     \
    mig_free_each((void *const[]){ __VA_ARGS__ }, sizeof((void *const[]){ __VA_ARGS__ }) / sizeof(void *))
void mig_free_strings(char **v, size_t n);
/* The first step of every destroy function: x takes the object *p points to and *p is set to
 * NULL; false when there is none (p or *p NULL): `if (!MIG_TAKE(x, p)) return;`. */
#define MIG_TAKE(x, p) ((((x) = (p) ? *(p) : NULL)) != NULL && (*(p) = NULL, 1))

#endif
