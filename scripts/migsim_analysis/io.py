# SPDX-License-Identifier: GPL-3.0-or-later
"""Opening migsim runs: the HDF5 output as an xarray Dataset, its provenance, and
observed monthly series from the corridor data folder.

A migsim output is a netCDF-4 compatible HDF5 file. `open_run` reads it whole into
memory (runs are small: days x places x nationalities integers) and closes the file, so
the same path can be rewritten by a new run while the Dataset is in use.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

# Provenance attributes copied into Dataset.attrs by open_run (prefixed "migsim_").
# The long ones (scenario_resolved, command_line) stay in provenance(path).
_PROVENANCE_IN_ATTRS = ("migsim_version", "git_revision", "scenario_path", "seed", "model",
                        "agents_per_person")

LABEL_COORDS = ("place", "link", "nationality", "place_country", "place_kind",
                "link_from", "link_to", "link_mode")


def _text(value):
    """An HDF5 attribute or label as str (h5py gives bytes for fixed-length strings, which
    migsim 0.1.0 wrote for attributes, and for variable-length string datasets)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return value if isinstance(value, str) else str(value)


def open_run(path, engine=None) -> xr.Dataset:
    """Open one migsim output as an in-memory xarray Dataset.

    - time is decoded to datetime64 from its "days since YYYY-MM-DD" units; the units
      string itself stays in ds.time.encoding["units"] and in ds.attrs["time_units"];
    - place, link and nationality (and the place_* / link_* label coordinates) are str;
    - every data variable keeps its units and long_name attributes;
    - ds.attrs gains source_file (absolute path) and migsim_version, migsim_git_revision,
      migsim_scenario_path, migsim_seed, migsim_model and migsim_agents_per_person from the
      /provenance group.

    engine: "netcdf4", "h5netcdf" or None (xarray's default; both work).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (run migsim first?)")
    ds = xr.load_dataset(path, engine=engine)
    for name in LABEL_COORDS:
        if name in ds.variables and any(isinstance(v, bytes) for v in ds[name].values):
            ds = ds.assign_coords({name: (ds[name].dims,
                                          np.array([_text(v) for v in ds[name].values],
                                                   dtype=object), ds[name].attrs)})
    ds.attrs["source_file"] = str(path.resolve())
    units = ds["time"].encoding.get("units")
    if units:
        ds.attrs["time_units"] = units
    prov = provenance(path)
    for key in _PROVENANCE_IN_ATTRS:
        if key in prov:
            name = key if key.startswith("migsim_") else "migsim_" + key
            ds.attrs[name] = prov[key]
    return ds


def provenance(run) -> dict:
    """The /provenance group's attributes as a dict of str (scenario_resolved, seed,
    git_revision, compiler, library versions, threads, command_line, SLURM ids, ...).

    run: a path, or a Dataset from open_run (its source_file is read).
    xarray does not read HDF5 groups into a Dataset, so this goes through h5py.
    """
    import h5py

    if isinstance(run, xr.Dataset):
        path = run.attrs.get("source_file") or run.encoding.get("source")
        if not path:
            raise ValueError("this Dataset does not say which file it came from; "
                         "pass the path instead")
    else:
        path = run
    with h5py.File(path, "r") as f:
        if "provenance" not in f:
            return {}
        return {k: _text(v) for k, v in sorted(f["provenance"].attrs.items())}


def agents_per_person(run) -> float:
    """Agents per person of a run (a path or a Dataset from open_run): its provenance's
    agents_per_person (the model's scale, e.g. corridor.scale), else, for files written
    before migsim recorded it, the model section's `scale` in the resolved scenario, else 1.
    A count in the file divided by it is persons."""
    if isinstance(run, xr.Dataset) and "migsim_agents_per_person" in run.attrs:
        return float(run.attrs["migsim_agents_per_person"])
    if isinstance(run, xr.Dataset) and not (run.attrs.get("source_file")
                                            or run.encoding.get("source")):
        return 1.0
    prov = provenance(run)
    if "agents_per_person" in prov:
        return float(prov["agents_per_person"])
    import yaml
    doc = yaml.safe_load(prov.get("scenario_resolved", "")) or {}
    section = doc.get(doc.get("model")) if isinstance(doc, dict) else None
    scale = section.get("scale", 1) if isinstance(section, dict) else 1
    return float(scale) if isinstance(scale, (int, float)) and scale > 0 else 1.0


def as_dataset(run) -> xr.Dataset:
    """A Dataset as it is, or a path opened with open_run."""
    if isinstance(run, xr.Dataset):
        return run
    if isinstance(run, (str, os.PathLike)):
        return open_run(run)
    raise TypeError(f"expected an xarray.Dataset or a path, got {type(run).__name__}")


SOBOL_COLUMNS = ["output", "period", "parameter", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high",
                 "base_points", "replicates", "runs", "bootstrap", "level", "mean", "variance", "minus"]


def open_sobol(path) -> xr.Dataset:
    """Open the Sobol indices `migsim sobol ... -o FILE.h5` wrote as an in-memory Dataset:
    S1, S1_low, S1_high, ST, ST_low, ST_high over (output, parameter), labelled; mean and
    variance over output; ds.attrs gains the file's /provenance (manifest, its sha256,
    base_points, replicates, n_runs, bootstrap, level, minus_manifest, ...) and source_file.

        open_sobol("sobol.h5").ST.sel(parameter="corridor.ports.attraction")
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (run migsim sobol first?)")
    ds = xr.load_dataset(path)
    for name in ("output", "parameter"):
        ds = ds.assign_coords({name: [_text(v) for v in ds[name].values]})
    ds.attrs.update(provenance(path))
    ds.attrs["source_file"] = str(path.resolve())
    return ds


def sobol_table(path) -> pd.DataFrame:
    """The indices of `migsim sobol` as one row per output and parameter, with the columns of
    its CSV (SOBOL_COLUMNS), from its HDF5 file (.h5, .hdf5, .nc) or its CSV."""
    path = Path(path)
    if path.suffix not in (".h5", ".hdf5", ".nc"):
        t = pd.read_csv(path, keep_default_na=False, na_values=[""])
        if "minus" in t.columns:
            t["minus"] = t["minus"].fillna("")
        return t
    ds = open_sobol(path)
    rows = []
    for o in ds.output.values:
        for p in ds.parameter.values:
            r = {"output": o, "period": _text(ds.period.sel(output=o).values), "parameter": p}
            for c in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"):
                r[c] = float(ds[c].sel(output=o, parameter=p))
            for c, key in (("base_points", "base_points"), ("replicates", "replicates"), ("runs", "n_runs"),
                           ("bootstrap", "bootstrap")):
                r[c] = int(ds.attrs[key])
            r["level"] = float(ds.attrs["level"])
            r["mean"], r["variance"] = float(ds["mean"].sel(output=o)), float(ds["variance"].sel(output=o))
            r["minus"] = ds.attrs.get("minus_manifest", "")
            rows.append(r)
    return pd.DataFrame(rows, columns=SOBOL_COLUMNS)


def _require_columns(table, names, csv_path):
    """Raises KeyError naming those of names that table lacks, and the columns it has."""
    missing = [c for c in names if c not in table.columns]
    if missing:
        raise KeyError(f"{csv_path}: no column {', '.join(map(repr, missing))}; columns: "
                       f"{', '.join(table.columns)}")


def load_observed_monthly(csv_path, column, month_column="calendar_month", key_column=None,
                          value_column=None):
    """Read an observed monthly series from one of the wide CSV tables in
    configs/corridor/data/ (one row per month, month as "YYYY-MM" in calendar_month).

    column: one column name -> pandas Series; a list of names -> DataFrame.
    The index is the first day of each month (datetime64, named "month"), the same
    labels as monthly() and encounters_table() use, so the two line up. Rows without a
    month (the fiscal-year totals, month_abbv FY_TOTAL) are left out.

    Examples, from the repository root:
      data = "configs/corridor/data/"
      # USBP total, south-west border
      load_observed_monthly(data + "cbp_swb_encounters_monthly_fy2021_fy2023.csv",
                            "usbp_encounters_swb")
      # USBP + OFO by citizenship
      load_observed_monthly(
          data + "cbp_swb_encounters_monthly_by_citizenship_fy2021_fy2023.csv",
          ["VENEZUELA", "HONDURAS"])
      # USBP by sector
      load_observed_monthly(data + "usbp_swb_encounters_monthly_by_sector_fy2021_fy2023.csv",
                            "El Paso")

    Long tables (one row per month and key) are pivoted first: give key_column and
    value_column, and `column` names a key, e.g.
      load_observed_monthly(
          data + "usbp_swb_encounters_monthly_by_citizenship_ohss_fy2021_fy2023.csv",
          "Venezuela", key_column="citizenship", value_column="usbp_swb_encounters_rounded10")
    """
    table = pd.read_csv(csv_path, dtype={month_column: str})
    if (key_column is None) != (value_column is None):
        raise ValueError("give both key_column and value_column (for a long table) or neither")
    if key_column is not None:
        for c in (month_column, key_column, value_column):
            _require_columns(table, [c], csv_path)
        table = table.pivot_table(index=month_column, columns=key_column, values=value_column,
                                  aggfunc="sum").reset_index()
        table.columns = [str(c) for c in table.columns]
    wanted = [column] if isinstance(column, str) else list(column)
    _require_columns(table, [month_column], csv_path)
    _require_columns(table, wanted, csv_path)
    # Keep the monthly rows: the tables also hold fiscal-year totals (month_abbv
    # FY_TOTAL) with an empty calendar_month.
    table = table[table[month_column].fillna("").str.fullmatch(r"\d{4}-\d{2}")]
    index = pd.DatetimeIndex(pd.to_datetime(table[month_column], format="%Y-%m"),
                             name="month")
    try:
        values = table[wanted].apply(pd.to_numeric, errors="raise")
    except ValueError as e:
        raise ValueError(f"{csv_path}: column(s) {', '.join(wanted)} are not numeric ({e}); "
                         "for a long table give key_column and value_column") from None
    values.index = index
    values = values.sort_index()
    return values[wanted[0]] if isinstance(column, str) else values
