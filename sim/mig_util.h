/* mig_util.h: small string and path helpers shared by the loaders (config, sweep,
 * summarize), written once. Every returned string is newly allocated (caller frees), NULL
 * when memory runs out. */
#ifndef MIG_UTIL_H
#define MIG_UTIL_H

/* printf into a new string. */
char *mig_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The folder part of a path: "" for a bare name, "/" for a file in the root. */
char *mig_path_dir(const char *path);
/* rel resolved against dir (as from mig_path_dir); an absolute rel or an empty dir leave it
 * as it is. */
char *mig_path_resolve(const char *dir, const char *rel);

/* Levenshtein distance between a and b (for "did you mean"); 99 when b is longer than 64. */
unsigned mig_edit_distance(const char *a, const char *b);

#endif
