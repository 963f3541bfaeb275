/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_util.c: file, string and path helpers. */
#include "mig_util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *mig_asprintf(const char *fmt, ...)
{
    va_list ap, ap2;
    int n;
    char *s;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

char *mig_path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup("");
    if (slash == path)
        return strdup("/");
    return mig_asprintf("%.*s", (int)(slash - path), path);
}

char *mig_path_resolve(const char *dir, const char *rel)
{
    if (rel[0] == '/' || !*dir)
        return strdup(rel);
    if (strcmp(dir, "/") == 0)
        return mig_asprintf("/%s", rel);
    return mig_asprintf("%s/%s", dir, rel);
}

unsigned mig_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned row[65];
    if (lb > 64)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned prev = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned cur = row[j];
            unsigned best = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

void mig_suggest_init(mig_suggest *s, const char *word)
{
    s->word = word;
    s->best[0] = '\0';
    s->best_distance = 3;
    s->more = 0;
    s->list[0] = '\0';
    s->text[0] = '\0';
}

void mig_suggest_add(mig_suggest *s, const char *known)
{
    size_t lw = strlen(s->word), lk = strlen(known), n = strlen(s->list);
    /* lengths more than two apart are more than two edits apart: no quadratic work on a long word */
    unsigned d = (lw > lk ? lw - lk : lk - lw) > 2 ? 99 : mig_edit_distance(s->word, known);
    /* at most two edits, and at most half the word (a one-letter name suggests nothing) */
    if (d < s->best_distance && 2 * d <= lw && lk < sizeof s->best) {
        s->best_distance = d;
        snprintf(s->best, sizeof s->best, "%s", known);
    }
    if (!s->more && n + lk + 8 < sizeof s->list)
        snprintf(s->list + n, sizeof s->list - n, "%s%s", n ? ", " : "", known);
    else
        s->more = 1;
}

const char *mig_suggest_hint(mig_suggest *s)
{
    if (s->best[0])
        snprintf(s->text, sizeof s->text, "did you mean \"%s\"?", s->best);
    else
        snprintf(s->text, sizeof s->text, "expected one of: %s%s", s->list, s->more ? ", ..." : "");
    return s->text;
}

const char *mig_suggest_text(mig_suggest *s)
{
    char hint[sizeof s->text];
    snprintf(hint, sizeof hint, "%s", mig_suggest_hint(s));
    snprintf(s->text, sizeof s->text, "unknown key (%.680s)", hint);
    return s->text;
}

mig_status mig_file_read(const char *path, char **text, size_t *len, int *err)
{
    FILE *f = fopen(path, "rb");
    char *t = NULL;
    size_t cap = 0, n = 0, got;
    *text = NULL;
    if (!f) {
        *err = errno;
        return MIG_ENOINPUT;
    }
    do {
        if (n + 4097 > cap) {
            char *g = realloc(t, cap = (n + 4097) * 2);
            if (!g) {
                free(t);
                fclose(f);
                *err = ENOMEM;
                return MIG_ENOMEM;
            }
            t = g;
        }
        got = fread(t + n, 1, 4096, f);
        n += got;
    } while (got == 4096 && n <= MIG_INPUT_MAX_BYTES);
    *err = ferror(f) ? EIO : n > MIG_INPUT_MAX_BYTES ? EFBIG : 0;
    fclose(f);
    if (*err) {
        free(t);
        return MIG_EIO;
    }
    t[n] = '\0';
    *len = n;
    *text = t;
    return MIG_OK;
}

int mig_parse_number(const char *s, double *out)
{
    char *end;
    double v;
    if (!*s || *s == ' ' || *s == '\t')
        return -1;
    v = strtod(s, &end);
    if (*end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

void mig_free_each(void *const *ptrs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ptrs[i]);
}

void mig_free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* The number after key in the file at path (e.g. "MemAvailable:" in /proc/meminfo, "" for a
 * file that holds just one), times unit; 0 when absent or "max". */
static unsigned long long number_in(const char *path, const char *key, unsigned long long unit)
{
    char line[256];
    unsigned long long v = 0;
    FILE *f = fopen(path, "r");
    size_t k = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, k) == 0) {
            v = strtoull(line + k, NULL, 10) * unit;
            break;
        }
    if (f)
        fclose(f);
    return v;
}

unsigned long long mig_memory_available(void)
{
    unsigned long long avail = number_in("/proc/meminfo", "MemAvailable:", 1024);
    unsigned long long max = number_in("/sys/fs/cgroup/memory.max", "", 1);
    unsigned long long cur = number_in("/sys/fs/cgroup/memory.current", "", 1);
    if (max && (!avail || (max > cur ? max - cur : 0) < avail))
        avail = max > cur ? max - cur : 0;
    return avail;
}

void mig_bytes_text(unsigned long long n, char *buf, size_t size)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    double v = (double)n;
    int u = 0;
    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%llu B", n);
    else
        snprintf(buf, size, "%.1f %s", v, unit[u]);
}

size_t mig_utf8_invalid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i], need, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        need = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 0;
        if (!need)
            return i;
        cp = c & (0x3Fu >> need);
        for (unsigned k = 1; k <= need; k++) {
            if (i + k >= n || (u[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return i;
        i += need + 1;
    }
    return n;
}
