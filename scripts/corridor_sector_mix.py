#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the record alone says about a later year's Border Patrol sector shares.

  corridor_sector_mix.py [--data DIR] [--train FY[,FY...]] [--predict FY] [--top N]

Estimates each citizenship's shares of its USBP encounters by sector from the training fiscal
years (least squares of the monthly sector counts on the monthly USBP citizenship counts,
shares >= 0 summing to 1 by a softmax, a ridge of 0.01 towards the pooled shares weighted by
each citizenship's volume, as `migsim calibrate --sectors` estimates them), then applies them
to the predicted year's OBSERVED citizenship counts, and prints each sector's observed and
implied share, and the same with a congestion rule (a sector's share times (its training
mean monthly load / last month's load)^gamma). The best any rule fixed by the training years
and fed the observed flows can do (configs/corridor/README.md, "Out of sample")."""
import argparse
import collections
import csv
import os
import sys

import numpy as np
from scipy.optimize import minimize

SECTORS = ["San Diego", "El Centro", "Yuma", "Tucson", "El Paso", "Big Bend", "Del Rio", "Laredo",
           "Rio Grande Valley"]


def read(data):
    with open(os.path.join(data, "usbp_swb_encounters_monthly_by_sector_fy2021_fy2023.csv")) as f:
        sec = [r for r in csv.DictReader(f) if r["calendar_month"][:2] == "20"]
    cit = collections.defaultdict(collections.Counter)
    with open(os.path.join(data, "usbp_swb_encounters_monthly_by_citizenship_ohss_fy2021_fy2023.csv")) as f:
        for r in csv.DictReader(f):
            cit[r["calendar_month"]][r["citizenship"]] += float(r["usbp_swb_encounters_rounded10"])
    return sec, cit


def matrices(sec, cit, years, top):
    rows = [r for r in sec if int(r["fiscal_year"]) in years]
    s = np.array([[float(r[k]) for k in SECTORS] for r in rows])
    c = np.array([[cit[r["calendar_month"]][k] for k in top] +
                  [sum(v for k, v in cit[r["calendar_month"]].items() if k not in top)] for r in rows])
    return s, c


def estimate(s, c, ridge=0.01):
    k = c.shape[1]
    p0, w = s.sum(0) / s.sum(), c.sum(0) / c.sum()

    def loss(z):
        p = np.exp(z.reshape(k, -1))
        p /= p.sum(1, keepdims=True)
        return ((s - c @ p) ** 2).sum() / (s ** 2).sum() + ridge * (w[:, None] * (p - p0) ** 2).sum()
    z = minimize(loss, np.log(np.tile(p0, (k, 1))).ravel(), method="L-BFGS-B",
                 options={"maxiter": 5000}).x
    p = np.exp(z.reshape(k, -1))
    return p / p.sum(1, keepdims=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", "corridor", "data")
    ap.add_argument("--data", default=here)
    ap.add_argument("--train", default="2022")
    ap.add_argument("--predict", type=int, default=2023)
    ap.add_argument("--top", type=int, default=14, help="citizenships estimated apart (the rest pooled)")
    a = ap.parse_args(argv)
    train = [int(y) for y in a.train.split(",")]
    sec, cit = read(a.data)
    total = collections.Counter()
    for r in sec:
        if int(r["fiscal_year"]) in train:
            total.update(cit[r["calendar_month"]])
    top = [k for k, _ in total.most_common(a.top)]
    p = estimate(*matrices(sec, cit, train, top))
    s, c = matrices(sec, cit, [a.predict], top)
    obs = s.sum(0) / s.sum()
    implied = (c @ p).sum(0) / (c @ p).sum()
    ref, last = matrices(sec, cit, [max(train)], top)[0].mean(0), matrices(sec, cit, [a.predict - 1], top)[0][-1]
    print(f"sector shares of USBP encounters, FY{a.predict}: observed, and implied by the shares of each "
          f"citizenship estimated on FY{a.train} applied to FY{a.predict}'s observed citizenship counts")
    cols = ["implied"] + [f"congestion g={g:g}" for g in (0.25, 0.5, 1.0)]
    congested = []
    for g in (0.25, 0.5, 1.0):
        load, out = last.copy(), np.zeros(len(SECTORS))
        for m in range(len(c)):
            base = c[m] @ p
            adj = base * (ref / load) ** g
            adj *= base.sum() / adj.sum()
            out += adj
            load = adj
        congested.append(out / out.sum())
    print(f"  {'sector':20} {'observed':>9} " + " ".join(f"{x:>18}" for x in cols))
    for i, name in enumerate(SECTORS):
        vals = [implied[i]] + [x[i] for x in congested]
        print(f"  {name:20} {100 * obs[i]:9.1f} " +
              " ".join(f"{100 * v:9.1f} ({100 * (v - obs[i]):+5.1f})  " for v in vals).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
