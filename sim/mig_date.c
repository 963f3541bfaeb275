/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_date.c: proleptic Gregorian day numbers (days since 1970-01-01) with Howard
 * Hinnant's days_from_civil / civil_from_days, and strict ISO 8601 YYYY-MM-DD text. */
#include "mig_date.h"

#include <stdio.h>
#include <string.h>

/* Days since 1970-01-01 of a civil date; any month 1..12, day 1..31 (not checked). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;                                       /* [0, 399] */
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;      /* [0, 365] */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* Civil date of a day number since 1970-01-01. */
static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;                                          /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;     /* [0, 399] */
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                   /* [0, 365] */
    mp = (5 * doy + 2) / 153;                                        /* [0, 11] */
    *d = doy - (153 * mp + 2) / 5 + 1;                               /* [1, 31] */
    *m = mp < 10 ? mp + 3 : mp - 9;                                  /* [1, 12] */
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return (m == 2 && leap) ? 29 : dim[m - 1];
}

/* Reads n ASCII digits; returns the value, or -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = 10 * v + (s[i] - '0');
    }
    return v;
}

int mig_date_parse(const char *s, int32_t *day_out)
{
    int y, m, d;

    if (!s)
        return -1;
    /* digits() stops at the first non-digit, so a short string never reads past its NUL */
    y = digits(s, 4);
    if (y < 0 || s[4] != '-')
        return -1;
    m = digits(s + 5, 2);
    if (m < 0 || s[7] != '-')
        return -1;
    d = digits(s + 8, 2);
    if (d < 0 || s[10] != '\0')
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    *day_out = mig_date_from_parts(y, m, d);
    return 0;
}

void mig_date_parts(int32_t day, int *year, int *month, int *mday)
{
    int64_t y, m, d;
    civil_from_days(day, &y, &m, &d);
    *year = (int)y;   /* |y| < 5.9 million for any int32 day */
    *month = (int)m;
    *mday = (int)d;
}

int32_t mig_date_from_parts(int year, int month, int mday)
{
    return (int32_t)days_from_civil(year, month, mday);
}

/* Years outside 0000..9999 do not fit the 10 characters of YYYY-MM-DD; they are written
 * as "####-##-##" rather than truncated into a plausible-looking wrong date. */
void mig_date_format(int32_t day, char buf[11])
{
    int y, m, d;
    mig_date_parts(day, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(buf, 11, "####-##-##");
        return;
    }
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
}

int mig_date_parse_month(const char *s, int32_t *month_out)
{
    char buf[16];
    int32_t day;
    int y, m, d;
    if (strlen(s) != 7 || s[4] != '-')
        return -1;
    snprintf(buf, sizeof buf, "%s-01", s);
    if (mig_date_parse(buf, &day))
        return -1;
    mig_date_parts(day, &y, &m, &d);
    *month_out = (int32_t)y * 12 + (m - 1);
    return 0;
}

int mig_date_parse_months(const char *s, char sep, int32_t *first, int32_t *last)
{
    char head[8];
    if (strlen(s) != 15 || s[7] != sep)
        return -1;
    memcpy(head, s, 7);
    head[7] = '\0';
    return mig_date_parse_month(head, first) || mig_date_parse_month(s + 8, last) || *last < *first ? -1 : 0;
}
