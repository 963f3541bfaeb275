#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Flee's validation of a flee-model run: camp counts against the UNHCR registrations, the
averaged relative difference (ARD) rescaled and normal, as Flee computes it, and a PNG of
simulated against observed counts per camp.

    scripts/flee_validate.py OUT.h5 [--png OUT.png] [--title TEXT] [--write]

The run's output holds `occupancy` (persons at each place at the end of each day) and
`registered` (D_c(t), the registrations at the camps of data_layout.csv, written by the flee
model). With s_ct the simulated count of camp c on day t, D_ct its data, S_t and U_t their
sums over the camps:
    ARD rescaled = mean over days of sum_c |s_ct U_t / S_t - D_ct| / max(U_t, 1)
    ARD normal   = mean over days of sum_c |s_ct - D_ct| / max(U_t, 1)
(S_t = 0 leaves the rescaled term at sum_c D_ct / U_t.) --write stores both as attributes
ard_rescaled and ard_normal of the file's root group. Prints "ARD rescaled R normal N".
"""
import argparse
import sys

import h5py
import numpy as np


def ard(sim, data):
    """(rescaled, normal) ARD of sim and data arrays [days, camps]."""
    s_t = sim.sum(axis=1)
    u_t = data.sum(axis=1)
    denom = np.maximum(u_t, 1.0)
    scale = np.divide(u_t, s_t, out=np.zeros_like(u_t, dtype=float), where=s_t > 0)
    rescaled = np.abs(sim * scale[:, None] - data).sum(axis=1) / denom
    normal = np.abs(sim - data).sum(axis=1) / denom
    return float(rescaled.mean()), float(normal.mean())


def load(path):
    """Camp names, simulated and registered counts [days, camps], start date text."""
    with h5py.File(path, "r") as f:
        if "registered" not in f:
            raise KeyError(f"{path}: no 'registered' variable (not a run of the flee model)")
        occ = f["occupancy"][...].astype(float)
        reg = f["registered"][...].astype(float)
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f["place"][...]]
        units = f["time"].attrs.get("units", b"")
        units = units.decode() if isinstance(units, bytes) else str(units)
    camps = [j for j in range(reg.shape[1]) if reg[:, j].any()]  # a camp never registered is left out
    return [names[j] for j in camps], occ[:, camps], reg[:, camps], units


def plot(png, names, sim, data, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    n = len(names)
    cols = min(4, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.6 * rows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.axis("off")
            continue
        ax.plot(data[:, k], color="black", label="UNHCR")
        ax.plot(sim[:, k], color="tab:red", label="migsim (flee)")
        ax.set_title(names[k], fontsize=9)
        ax.tick_params(labelsize=7)
        if k == 0:
            ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.supxlabel("day", fontsize=8)
    fig.supylabel("persons in camp", fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output", help="HDF5 output of migsim run (model flee)")
    ap.add_argument("--png", help="write the per-camp plot here")
    ap.add_argument("--write", action="store_true", help="store the ARDs as attributes of the file")
    ap.add_argument("--title", help="the plot's title before the ARDs (default: the output's path)")
    a = ap.parse_args()
    try:
        names, sim, data, units = load(a.output)
    except (OSError, KeyError) as e:
        print(f"flee_validate: {e}", file=sys.stderr)
        return 66
    rescaled, normal = ard(sim, data)
    if a.write:
        with h5py.File(a.output, "r+") as f:
            f.attrs["ard_rescaled"] = rescaled
            f.attrs["ard_normal"] = normal
    if a.png:
        plot(a.png, names, sim, data, f"{a.title or a.output}: ARD rescaled {rescaled:.3f}, normal {normal:.3f} ({units})")
    print(f"ARD rescaled {rescaled:.4f} normal {normal:.4f} ({len(names)} camps, {sim.shape[0]} days)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
