#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Regenerates the monthly indicator CSVs of the corridor scenario (month,value,source,note)
from the published figures listed in ../SOURCES-model.md.

Annual figures sit at July of their year; figures for a period sit at its middle month;
months between two figures are interpolated linearly (DERIVED); before the first and after
the last figure the nearest figure is held (ASSUMPTION). Policy indicators give the share
of the month's days on which the policy is in force.

Usage: /usr/bin/python3 configs/corridor/indicators/make_indicators.py
"""
import calendar
import csv
import math
import os

FIRST, LAST = (2020, 1), (2024, 12)
HERE = os.path.dirname(os.path.abspath(__file__))


def months():
    y, m = FIRST
    while (y, m) <= LAST:
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def index(y, m):
    return y * 12 + m - 1


def interpolated(points, fmt):
    """points: list of ((year, month), value, source). Yields rows for every month."""
    pts = sorted(points)
    for y, m in months():
        k = index(y, m)
        ks = [index(*p[0]) for p in pts]
        label = f"{y:04d}-{m:02d}"
        if k in ks:
            p = pts[ks.index(k)]
            yield label, fmt(p[1]), p[2], "reported"
        elif k < ks[0]:
            p = pts[0]
            yield label, fmt(p[1]), p[2], f"ASSUMPTION: held at the first figure ({p[0][0]}-{p[0][1]:02d})"
        elif k > ks[-1]:
            p = pts[-1]
            yield label, fmt(p[1]), p[2], f"ASSUMPTION: held at the last figure ({p[0][0]}-{p[0][1]:02d})"
        else:
            j = max(i for i in range(len(ks)) if ks[i] < k)
            a, b = pts[j], pts[j + 1]
            t = (k - ks[j]) / (ks[j + 1] - ks[j])
            v = a[1] + t * (b[1] - a[1])
            yield (label, fmt(v), f"{a[2]};{b[2]}",
                   f"DERIVED: linear interpolation between {a[1]} ({a[0][0]}-{a[0][1]:02d}) "
                   f"and {b[1]} ({b[0][0]}-{b[0][1]:02d})")


def policy(start, source, what):
    """Share of the month's days on or after start (year, month, day)."""
    for y, m in months():
        n = calendar.monthrange(y, m)[1]
        if (y, m) < start[:2]:
            share, note = 0.0, f"before {what}"
        elif (y, m) > start[:2]:
            share, note = 1.0, f"{what} in force"
        else:
            share = (n - start[2] + 1) / n
            note = f"DERIVED: {n - start[2] + 1} of {n} days from {start[0]}-{start[1]:02d}-{start[2]:02d}"
        yield f"{y:04d}-{m:02d}", f"{share:.6f}", source, note


def write(name, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["month", "value", "source", "note"])
        for r in rows:
            w.writerow(r)


def annual(pairs, source_of):
    return [((y, 7), v, source_of[y]) for y, v in pairs]


f2 = lambda v: f"{v:.4f}"

write("gt_homicide_rate.csv", interpolated(annual(
    [(2020, 15.3), (2021, 16.6), (2022, 17.33), (2024, 16.1)],
    {2020: "M-HOM-01", 2021: "M-HOM-01", 2022: "M-HOM-02", 2024: "M-HOM-03"}), f2))
write("hn_homicide_rate.csv", interpolated(annual(
    [(2020, 37.6), (2021, 38.6), (2022, 35.79), (2024, 25.3)],
    {2020: "M-HOM-01", 2021: "M-HOM-01", 2022: "M-HOM-02", 2024: "M-HOM-03"}), f2))
write("sv_homicide_rate.csv", interpolated(annual(
    [(2020, 20.0), (2021, 18.1), (2022, 7.8), (2023, 2.4), (2024, 1.9)],
    {2020: "M-HOM-01", 2021: "M-HOM-01", 2022: "M-HOM-02", 2023: "M-HOM-04", 2024: "M-HOM-03"}), f2))
write("mx_homicide_rate.csv", interpolated(annual(
    [(2020, 29.0), (2021, 28.0), (2022, 25.0), (2023, 24.0)],
    {2020: "M-HOM-05", 2021: "M-HOM-05", 2022: "M-HOM-05", 2023: "M-HOM-05"}), f2))
write("hn_food_insecurity.csv", interpolated(
    [((2021, 2), 2.9, "M-IPC-01"), ((2021, 5), 3.1, "M-IPC-01"), ((2021, 8), 3.3, "M-IPC-01"),
     ((2022, 7), 2.64, "M-IPC-02"), ((2023, 7), 2.4, "M-IPC-03"), ((2024, 7), 2.4, "M-IPC-04")], f2))
write("ni_political_prisoners.csv", interpolated(
    [((2020, 12), 110, "M-NIC-01"), ((2021, 3), 125, "M-NIC-02"), ((2022, 2), 179, "M-NIC-03"),
     ((2022, 3), 181, "M-NIC-03"), ((2022, 6), 190, "M-NIC-04"), ((2022, 11), 235, "M-NIC-05"),
     ((2023, 1), 245, "M-NIC-06"), ((2023, 2), 37, "M-NIC-07"), ((2023, 6), 64, "M-NIC-08"),
     ((2023, 7), 78, "M-NIC-08"), ((2023, 10), 91, "M-NIC-09"), ((2023, 12), 119, "M-NIC-09"),
     ((2024, 1), 121, "M-NIC-10"), ((2024, 6), 147, "M-NIC-11"), ((2024, 7), 151, "M-NIC-11")],
    lambda v: f"{v:.2f}"))
write("us_chnv_process.csv", policy((2023, 1, 5), "M-POL-01", "the CHNV process"))
write("mx_visa_brazil.csv", policy((2021, 12, 11), "M-VIS-03", "Mexico's visa for Brazilians"))
write("us_mpp_suspended.csv", policy((2021, 1, 21), "M-POL-04", "the suspension of new MPP enrolments"))
write("us_title42_ended.csv", policy((2023, 5, 12), "M-POL-02", "the end of Title 42 (expired 2023-05-11)"))


def seasonal(fn, what):
    """An annual cycle (no data: a model term whose amplitude and phase are fitted)."""
    for y, m in months():
        yield (f"{y:04d}-{m:02d}", f"{fn(2 * math.pi * (m - 1) / 12):.6f}",
               "ASSUMPTION (model design)", what)


write("season_cos.csv", seasonal(math.cos, "cos(2 pi (month - 1) / 12): annual cycle, 1 in January"))
write("season_sin.csv", seasonal(math.sin, "sin(2 pi (month - 1) / 12): annual cycle, 1 in April"))


def trend():
    """Years since January 2021 (no data: a log-linear trend whose slope is fitted)."""
    for y, m in months():
        yield (f"{y:04d}-{m:02d}", f"{(index(y, m) - index(2021, 1)) / 12:.6f}",
               "ASSUMPTION (model design)", "years since 2021-01")


write("trend.csv", trend())


# Hurricanes Eta (landfall 3 Nov 2020) and Iota (16-17 Nov 2020): about 4.6 million people
# affected in Honduras by the two storms together (COPECO via OCHA, update of 14 Dec 2020,
# M-HUR-01; Reuters: some 4.5 million, M-HUR-02). The figure decays with an assumed recovery
# time constant of HURRICANE_TAU months (ASSUMPTION: no monthly recovery series was found).
HURRICANE_TAU = 12.0


def hurricanes(tau=HURRICANE_TAU):
    k0 = index(2020, 11)
    for y, m in months():
        k = index(y, m)
        if k < k0:
            yield f"{y:04d}-{m:02d}", "0.000000", "M-HUR-01", "before the hurricanes"
        else:
            yield (f"{y:04d}-{m:02d}", f"{4.6 * math.exp(-(k - k0) / tau):.6f}", "M-HUR-01;M-HUR-02",
                   f"DERIVED: 4.6 million affected x exp(-(months since 2020-11) / {tau:g}) (decay: ASSUMPTION)")


write("hn_hurricanes.csv", hurricanes())
