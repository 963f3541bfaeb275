#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the numbers the R tests (tests/r/) check, computed from a migsim output with
h5py and NumPy only: no xarray, no pandas and nothing from scripts/migsim_analysis, so
the R kit is compared with an independent reading of the file.

Usage: /usr/bin/python3 tests/python/expected_values.py RUN.h5 OUTDIR

Writes into OUTDIR:
  expected_totals.csv      name,value: spawned_total, encounters_total, january_encounters,
                           n_time, n_place, n_link, n_nationality
  expected_encounters.csv  month,sector,nationality,encounters (month x destination x
                           nationality, the order migsim_encounters() uses)
  expected_flows.csv       link,from,to,mode,distance_km,persons
  expected_occupancy.csv   date,place,t,p,occupancy: occupancy[t, p] (0-based, HDF5
                           order) for every place on the first, a middle and the last day
  with_encounters.h5       a copy of RUN.h5 with an `encounters` variable added, as a
                           later engine writes it (see add_encounters), and
  with_encounters/         the same four tables for that copy
The encounter rule is the kit's: the `encounters` variable when the file has one (at
destination places and wherever it is non-zero), else arrivals at destination places.
"""
import csv
import datetime as dt
import os
import re
import shutil
import sys

import h5py
import numpy as np


def text(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def dates(f):
    units = f["time"].attrs["units"]
    units = units.decode() if isinstance(units, bytes) else units
    start = dt.date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", units).group(0))
    return [start + dt.timedelta(days=int(d)) for d in f["time"][:]]


def encounter_counts(f):
    """(counts[time, place, nationality] as int64, index of the places kept)."""
    kind = np.array(text(f["place_kind"][:]))
    if "encounters" in f:
        counts = f["encounters"][:].astype(np.int64)
        keep = (kind == "destination") | (counts.sum(axis=(0, 2)) > 0)
    else:
        counts = f["arrivals"][:].astype(np.int64)
        keep = kind == "destination"
    return counts, np.flatnonzero(keep)


def add_encounters(src, dst):
    """Copy src to dst and add encounters(time, place, nationality) = 2 x the arrivals at
    destination places, plus 3 a day at the first border place for the first
    nationality, with units, long_name and dimension scales like the engine's."""
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        kind = np.array(text(f["place_kind"][:]))
        values = np.where((kind == "destination")[None, :, None], 2 * f["arrivals"][:], 0)
        values[:, np.flatnonzero(kind == "border")[0], 0] += 3
        d = f.create_dataset("encounters", data=values.astype(np.int32))
        d.attrs["units"] = "events day-1"          # as the corridor engine writes it
        d.attrs["long_name"] = "US Border Patrol encounters, by place and nationality"
        for i, scale in enumerate(("time", "place", "nationality")):
            d.dims[i].attach_scale(f[scale])


def main(run, outdir, copies=True):
    os.makedirs(outdir, exist_ok=True)
    if copies:
        add_encounters(run, os.path.join(outdir, "with_encounters.h5"))
        main(os.path.join(outdir, "with_encounters.h5"),
             os.path.join(outdir, "with_encounters"), copies=False)
    with h5py.File(run, "r") as f:
        days = dates(f)
        places, links = text(f["place"][:]), text(f["link"][:])
        nats = text(f["nationality"][:])
        counts, keep = encounter_counts(f)
        months = sorted({d.replace(day=1) for d in days})
        month_of = np.array([months.index(d.replace(day=1)) for d in days])
        jan = np.array([d.month == 1 for d in days])

        with open(os.path.join(outdir, "expected_totals.csv"), "w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["name", "value"])
            w.writerow(["spawned_total", int(f["spawned"][:].astype(np.int64).sum())])
            w.writerow(["encounters_total", int(counts[:, keep, :].sum())])
            w.writerow(["january_encounters", int(counts[jan][:, keep, :].sum())])
            for name, n in (("n_time", len(days)), ("n_place", len(places)),
                            ("n_link", len(links)), ("n_nationality", len(nats))):
                w.writerow([name, n])

        with open(os.path.join(outdir, "expected_encounters.csv"), "w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["month", "sector", "nationality", "encounters"])
            for m, month in enumerate(months):
                for p in keep:
                    for n, nat in enumerate(nats):
                        w.writerow([month.isoformat(), places[p], nat,
                                    int(counts[month_of == m, p, n].sum())])

        flow = f["flow"][:].astype(np.int64)
        with open(os.path.join(outdir, "expected_flows.csv"), "w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["link", "from", "to", "mode", "distance_km", "persons"])
            for i, (name, a, b, mode, km) in enumerate(zip(
                    links, text(f["link_from"][:]), text(f["link_to"][:]),
                    text(f["link_mode"][:]), f["link_distance_km"][:])):
                w.writerow([name, a, b, mode, repr(float(km)), int(flow[:, i].sum())])

        occ = f["occupancy"][:]
        with open(os.path.join(outdir, "expected_occupancy.csv"), "w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["date", "place", "t", "p", "occupancy"])
            for t in sorted({0, len(days) // 2, len(days) - 1}):
                for p, place in enumerate(places):
                    w.writerow([days[t].isoformat(), place, t, p, int(occ[t, p])])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
