/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_date.h: proleptic Gregorian calendar dates as day numbers (days since 1970-01-01),
 * parsed strictly from and formatted to ISO 8601 YYYY-MM-DD. */
#ifndef MIG_DATE_H
#define MIG_DATE_H

#include <stdint.h>

/* Parse "YYYY-MM-DD" (exactly that form, a real calendar day). Returns 0 on success,
 * -1 on any malformed or impossible date (2023-02-30). */
int mig_date_parse(const char *s, int32_t *day_out);
/* Write "YYYY-MM-DD" into buf (at least 11 bytes). */
void mig_date_format(int32_t day, char buf[11]);
/* Calendar parts of a day number. */
void mig_date_parts(int32_t day, int *year, int *month, int *mday);
int32_t mig_date_from_parts(int year, int month, int mday);
/* Parse "YYYY-MM" (exactly that form, a real month) into a month number, year * 12 +
 * month - 1. Returns 0 on success, -1 when malformed. */
int mig_date_parse_month(const char *s, int32_t *month_out);
/* Parse a window of months "YYYY-MM<sep>YYYY-MM", the last not before the first. Returns 0
 * on success, -1 when malformed. */
int mig_date_parse_months(const char *s, char sep, int32_t *first, int32_t *last);

#endif
