# SPDX-License-Identifier: GPL-3.0-or-later
"""migsim from Python: run, check, sweep and summarize scenarios, their uncertainty
(ensemble, sobol, calibrate_abc), and the analysis kit's tables, plots and CSV export.

    import migsim
    ds = migsim.run("configs/demo.yaml", set={"days": 120}, seed=7, threads=1)
    ds.occupancy.sel(place="Tapachula")             # xarray: dates, labels, units
    migsim.encounters_table(ds)                     # the kit's tables (migsim_analysis)
    try:
        migsim.check("s.yaml", set={"speed_km_per_day.bus": -5})
    except migsim.ConfigError as e:                 # every problem in e.problems
        print(e.file, e.line, e.column, e.field, e.message)
    fc = migsim.ensemble("configs/demo.yaml", "fc.h5", seeds=5, quantiles=(10, 50, 90))
    fc.arrivals_quantile.sel(quantile=0.9)          # quantiles given in percent, stored /100
    draws, record = migsim.calibrate_abc("corridor.yaml", "post.csv", particles=100)
    migsim.sweep("sens.yaml", "sens/manifest.csv")  # design: saltelli; then run its rows
    migsim.run_manifest("sens/manifest.csv", threads=1)
    migsim.sobol("sens/manifest.csv", "encounters", "sens/sobol.h5", period="FY2023").ST

This package drives the migsim command-line program, one subprocess a call (it does not
load the C library): the program is the call's binary= argument, else $MIGSIM_BINARY,
else `migsim` on PATH, else build/migsim of the source tree the package came from.
Install: `pip install --no-build-isolation --no-index .` from the source tree (in a
virtual environment made with --system-site-packages, on Debian's python3-xarray,
-pandas, -h5py, -matplotlib); or, without installing, PYTHONPATH=python:scripts.

`python3 -m migsim export RUN.h5 --csv DIR [--monthly]` writes a run's tidy CSVs.
"""
try:
    import migsim_analysis  # noqa: F401  (installed next to migsim, or on PYTHONPATH)
except ImportError:  # the source tree: python/migsim beside scripts/migsim_analysis
    import sys
    from pathlib import Path

    _scripts = Path(__file__).resolve().parents[2] / "scripts"
    if not (_scripts / "migsim_analysis").is_dir():
        raise
    sys.path.append(str(_scripts))

from migsim_analysis import *  # noqa: F401,F403  (the kit's tables, plots, export_csv)
from migsim_analysis import __all__ as _kit_all
from migsim_analysis import __version__

from .api import (calibrate_abc, check, ensemble, find_binary, run, run_manifest, sobol,
                  summarize, sweep)
from .errors import ConfigError, MigsimError, Problem, parse_diagnostics

__all__ = sorted(set(_kit_all) | {
    "__version__", "run", "check", "sweep", "run_manifest", "summarize", "ensemble", "sobol",
    "calibrate_abc", "find_binary",
    "ConfigError", "MigsimError", "Problem", "parse_diagnostics"})
