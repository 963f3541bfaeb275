# SPDX-License-Identifier: GPL-3.0-or-later
"""migsim_analysis: load, tabulate and plot migsim runs (HDF5 output) in Python.

Use Debian's /usr/bin/python3 (python3-h5py, python3-xarray, python3-pandas,
python3-matplotlib). The package lives in scripts/, so put that folder on the path:

    import sys; sys.path.insert(0, "scripts")     # or: PYTHONPATH=scripts
    from migsim_analysis import open_run, encounters_table, plot_corridor_map

    ds = open_run("out.h5")                        # xarray Dataset, labels and units kept
    encounters_table(ds)                           # month, sector, nationality, encounters
    flows_table(ds)                                # link, from, to, mode, distance_km, persons
    plot_corridor_map(ds, "map.png")               # returns the PNG's path
    export_csv(ds, "tables/")                      # tidy CSVs, one per variable, units in headers
    open_sobol("sobol.h5")                         # migsim sobol's indices, labelled

Plots of your own in the kit's style: migsim_analysis.figures (figure, save, thousands,
date_axis, the palette).

Encounters: a run's `encounters` variable when it has one; otherwise the arrivals at
places of kind "destination" (sectors and ports of entry), where the basic model absorbs
everyone who reaches them. See tables.encounters().
"""
from . import figures
from ._version import __version__
from .export import export_csv
from .io import (agents_per_person, as_dataset, load_observed_monthly, open_run, open_sobol, provenance,
                 sobol_table)
from .plots import plot_corridor_map, plot_difference, plot_difference_by, plot_monthly
from .tables import (complete_periods, difference_table, encounters, encounters_table,
                     flows_table, half_width, links_table, monthly, occupancy_table)

__all__ = [
    "__version__", "open_run", "export_csv", "provenance", "agents_per_person", "as_dataset",
    "load_observed_monthly", "open_sobol", "sobol_table",
    "encounters", "encounters_table", "flows_table", "links_table", "occupancy_table",
    "monthly", "complete_periods", "difference_table", "half_width",
    "plot_corridor_map", "plot_monthly", "plot_difference", "plot_difference_by",
    "figures",
]
