# SPDX-License-Identifier: GPL-3.0-or-later
"""Tidy CSV tables from a migsim output: one file per data variable, in long form.

    export_csv("out.h5", "tables/")      # or a Dataset from open_run

writes, for every data variable V over dimensions (d1, d2, ...), V.csv with the columns
d1, d2, ..., "V [units]": one row per cell, the dimensions' labels (dates as
YYYY-MM-DD, place, link and nationality names) and the value, so that
pandas.read_csv("tables/arrivals.csv") is a tidy table. Coordinates that describe a
dimension (place_country, place_lat, link_from, link_distance_km, ...) go to
<dimension>.csv (place.csv: place, "place_lat [degrees_north]", ...), and variables.csv
lists every file with its variable, units, long_name, dimensions and the run's
agents_per_person (counts in the tables are as stored, the model's agents: divide by it
for persons, e.g. 0.05 at corridor.scale=0.05). provenance.csv (key, value) holds the
run's /provenance (seed, version, resolved scenario, ...) when the file is known.
monthly=True writes months (a column "month": its first day) instead of days: flows
summed (units "persons day-1" become "persons month-1"), stocks averaged, as monthly()
does; a month the run covers in part is summed over the days it has.
Each file is written under a temporary name and renamed when complete.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import xarray as xr

from .io import agents_per_person, as_dataset, provenance
from .tables import _default_how


def _column(name, attrs):
    units = attrs.get("units")
    return f"{name} [{units}]" if units else name


def _by_month(da: xr.DataArray):
    if "time" not in da.dims:
        return da
    attrs = dict(da.attrs)
    if _default_how(da) == "sum":
        out = da.resample(time="MS").sum()
        attrs["units"] = str(attrs.get("units", "")).replace("day-1", "month-1")
    else:
        out = da.resample(time="MS").mean()
        attrs["long_name"] = "monthly mean of " + str(attrs.get("long_name", ""))
    out.attrs = attrs
    return out.rename(time="month")


def _write(table: pd.DataFrame, path: Path):
    tmp = path.with_name(f"{path.name}.tmp.{os.getpid()}")
    try:
        table.to_csv(tmp, index=False, date_format="%Y-%m-%d")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _variable_table(da: xr.DataArray, name):
    value = _column(name, da.attrs)
    if da.ndim == 0:
        return pd.DataFrame({value: [da.values.item()]})
    plain = xr.DataArray(da.values, dims=da.dims,
                         coords={d: da[d].values for d in da.dims if d in da.coords})
    return plain.to_series().rename(value).reset_index()


def _dimension_table(ds: xr.Dataset, dim):
    described = [c for c in ds.coords if c != dim and ds[c].dims == (dim,)]
    if not described:
        return None
    table = pd.DataFrame({dim: ds[dim].values})
    for c in described:
        table[_column(c, ds[c].attrs)] = ds[c].values
    return table


def export_csv(run, directory, monthly=False) -> list:
    """Writes the tidy CSVs of a run (path or Dataset) into directory (made if missing);
    returns their paths, variables.csv last. monthly: months instead of days."""
    ds = as_dataset(run)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written, index = [], []
    for dim in ds.dims:
        table = _dimension_table(ds, dim)
        if table is not None:
            written.append(_write(table, directory / f"{dim}.csv"))
            index.append((f"{dim}.csv", dim, "", f"labels of {dim}", dim))
    for name, da in ds.data_vars.items():
        da = _by_month(da) if monthly else da
        written.append(_write(_variable_table(da, name), directory / f"{name}.csv"))
        index.append((f"{name}.csv", name, da.attrs.get("units", ""),
                      da.attrs.get("long_name", ""), " ".join(da.dims)))
    source = ds.attrs.get("source_file") or ds.encoding.get("source")
    if source:
        prov = provenance(source)
        written.append(_write(pd.DataFrame({"key": list(prov), "value": list(prov.values())}),
                              directory / "provenance.csv"))
        index.append(("provenance.csv", "provenance", "", "the run's /provenance", ""))
    listing = pd.DataFrame(index, columns=["file", "variable", "units", "long_name",
                                           "dimensions"])
    listing["agents_per_person"] = agents_per_person(ds)
    written.append(_write(listing, directory / "variables.csv"))
    return written
