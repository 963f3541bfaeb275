#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bar chart of Sobol indices written by `migsim sobol` (README, "Sensitivity (Sobol indices)").

    /usr/bin/python3 scripts/sobol_plot.py sobol.h5 -o sobol.png [--title TEXT]   # or sobol.csv

One row per parameter (an intervention's key packages[P].interventions[I].K labelled
"I.K (P)"), ordered by total index (largest on top, as a tornado chart): the
first-order index S1 and the total index ST as bars, with their bootstrap intervals as
error bars. A note under the chart says what was run (base points, runs, bootstrap level),
and for the indices of a difference (migsim sobol --minus) which runs were subtracted.
Reads the HDF5 file (.h5, .hdf5, .nc) through the analysis kit (scripts/migsim_analysis,
sobol_table) or the CSV. Uses Debian's python3-pandas, -xarray, -h5py and -matplotlib.
"""
import argparse
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from migsim_analysis import sobol_table  # noqa: E402

COLUMNS = ["output", "period", "parameter", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high",
           "base_points", "replicates", "runs", "bootstrap", "level"]


def read(path):
    try:
        t = sobol_table(path)
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as e:
        sys.exit(f"sobol_plot.py: {path}: cannot read the indices ({str(e).splitlines()[0]}; "
                 "not written by migsim sobol?)")
    missing = [c for c in COLUMNS if c not in t.columns]
    if missing:
        sys.exit(f"sobol_plot.py: {path}: missing column(s) {', '.join(missing)} (not written by migsim sobol?)")
    return t.sort_values("ST", ascending=True).reset_index(drop=True)


def short_label(key):
    """A parameter's key as a bar label: packages[P].interventions[I].K as "I.K (P)"."""
    m = re.fullmatch(r"packages\[([^]]+)\]\.interventions\[([^]]+)\]\.(.+)", key)
    return f"{m.group(2)}.{m.group(3)} ({m.group(1)})" if m else key


def plot(t, png, title=None):
    y = np.arange(len(t))
    h = 0.38
    labels = [short_label(k) for k in t["parameter"]]
    width = max(8.0, 4.5 + 0.075 * max(len(x) for x in labels))
    fig, ax = plt.subplots(figsize=(width, 1.2 + 0.7 * len(t)))
    for col, off, color, label in (("S1", h / 2, "#4c72b0", "first order S1"), ("ST", -h / 2, "#dd8452", "total ST")):
        v = t[col].to_numpy()
        err = np.vstack([v - t[col + "_low"].to_numpy(), t[col + "_high"].to_numpy() - v])
        err = None if np.isnan(err).all() else np.clip(err, 0, None)
        ax.barh(y + off, v, height=h, color=color, label=label, xerr=err, capsize=3, ecolor="0.25")
    ax.set_yticks(y, labels)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_xlabel("share of the output's variance")
    r = t.iloc[0]
    minus = r["minus"] if "minus" in t.columns and isinstance(r["minus"], str) else ""
    what = f"{r['output']} over {r['period']}" + (f", minus the runs of {minus}" if minus else "")
    fig.suptitle(title or f"Sobol indices of {what}")   # over the labels too: long titles fit
    ax.legend(loc="lower right", frameon=False)
    note = (f"{int(r['base_points'])} base points, {int(r['runs'])} runs ({int(r['replicates'])} replicate(s) each); "
            f"bars: {r['level']:g} bootstrap intervals ({int(r['bootstrap'])} resamples)"
            + (f"; output: each run minus its pair in {minus}" if minus else ""))
    fig.text(0.01, 0.01, note, fontsize=8, color="0.3")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(png, dpi=120)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("indices", help="the indices, as migsim sobol writes them (HDF5 or CSV)")
    p.add_argument("-o", "--output", required=True, help="the PNG to write")
    p.add_argument("--title", help="the chart's title (default: the output and period)")
    a = p.parse_args(argv)
    plot(read(a.indices), a.output, a.title)
    print(a.output)


if __name__ == "__main__":
    main()
