"""Tidy pandas tables from a migsim run: encounters by month x sector x nationality,
flows by link, occupancy by day, monthly series and scenario-vs-counterfactual differences.

Every function takes a Dataset from open_run (or, where it says so, a path). Counts are
returned as int64: the file's int32 values are widened before any sum, so totals over
long runs cannot overflow.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .io import as_dataset

DESTINATION = "destination"


# ---------------------------------------------------------------------------------------
# encounters

def encounters(ds: xr.Dataset) -> xr.DataArray:
    """US Border Patrol encounters as a DataArray (time, place, nationality), int64.

    - When the run has an `encounters` variable (engines that model encounters at the
      sectors and ports of entry), that variable is used, at every place of kind
      "destination" and at any other place where it is non-zero.
    - Otherwise encounters are taken to be the arrivals at destination places: in the
      basic model a person who reaches a sector or port of entry is absorbed there, which
      is the simulated counterpart of an encounter. Only places of kind "destination"
      are kept.
    The result's attrs["source"] says which of the two was used.
    """
    kind = np.asarray(ds["place_kind"].values).astype(str)
    if "encounters" in ds.data_vars:
        da = ds["encounters"]
        nonzero = (da.astype("int64").sum([d for d in da.dims if d != "place"]) > 0).values
        keep = (kind == DESTINATION) | nonzero
        source = "encounters"
    else:
        da = ds["arrivals"]
        keep = kind == DESTINATION
        source = "arrivals at destination places"
    out = da.isel(place=np.flatnonzero(keep)).astype("int64")
    out.name = "encounters"
    out.attrs = {"units": da.attrs.get("units", "persons day-1"),
                 "long_name": "US Border Patrol encounters (simulated), by place and "
                              "nationality",
                 "source": source}
    return out


# ---------------------------------------------------------------------------------------
# periods

def _period_name(freq):
    """Column / index name for the time labels of a table at this frequency."""
    if freq is None:
        return "date"
    return "month" if freq == "MS" else "period"


def complete_periods(ds: xr.Dataset, freq="MS") -> pd.DatetimeIndex:
    """Labels of the periods (months for "MS") that the run covers entirely.

    A run from 2023-01-10 to 2023-04-30 covers February, March and April; January is
    partial. Partial periods are at most the first and the last one.
    """
    time = pd.DatetimeIndex(ds["time"].values)
    day = pd.Timedelta(days=1)
    ext = pd.date_range(time[0] - day, time[-1] + day, freq="D")
    pos = pd.Series(np.arange(len(ext)), index=ext).resample(freq)
    lo, hi = pos.min(), pos.max()
    inside = (lo > 0) & (hi < len(ext) - 1)
    return pd.DatetimeIndex(lo.index[inside.values])


def _default_how(da: xr.DataArray) -> str:
    """Daily flows (units "... day-1") add up over a period; stocks are averaged."""
    return "sum" if "day-1" in str(da.attrs.get("units", "")) else "mean"


def _variable(ds, variable):
    if variable == "encounters":
        return encounters(ds)
    if variable not in ds.data_vars:
        raise KeyError(f"no variable {variable!r} in this run; it has "
                       f"{', '.join(ds.data_vars)} and 'encounters'")
    return ds[variable]


def monthly(ds: xr.Dataset, variable="encounters", by=None, freq="MS", complete=False,
            how=None):
    """A variable per month (or per `freq` period), summed over every dimension but time
    and `by`.

    variable: "encounters" (see encounters()) or any data variable with a time dimension.
    by:       None -> a Series indexed by month; a dimension name ("nationality",
              "place", "link") -> a DataFrame with one column per label.
    freq:     pandas offset alias: "MS" (months labelled by their first day, the
              default), "QS", "AS", "W-MON"...; the index is named "month" for "MS",
              else "period". None: one row per day (index "date").
    complete: True drops the partial periods at either end of the run.
    how:      "sum" or "mean" over the days of the period. Default: "sum" for daily flows
              (units "persons day-1": encounters, arrivals, spawned, flow) and "mean" for
              stocks (units "persons": occupancy, alive, on_links).
    """
    da = _variable(ds, variable)
    if "time" not in da.dims:
        raise ValueError(f"{variable} has no time dimension (dims {da.dims})")
    if by is not None and by not in da.dims:
        raise ValueError(f"{variable} has dims {da.dims}; cannot break it down by {by!r}")
    how = how or _default_how(da)
    if how not in ("sum", "mean"):
        raise ValueError(f"how must be 'sum' or 'mean', got {how!r}")
    others = [d for d in da.dims if d not in ("time", by)]
    da = da.reset_coords(drop=True).astype("int64")
    if others:
        da = da.sum(others)
    if freq is None:            # one row per day, nothing to aggregate over time
        out = da
    else:
        out = getattr(da.resample(time=freq), how)()
    if complete and freq is not None:
        keep = complete_periods(ds, freq)
        out = out.sel(time=out["time"].isin(keep.values))
    name = _period_name(freq)
    if by is None:
        series = out.to_series()
        series.index.name = name
        series.name = variable
        return series
    frame = out.transpose("time", by).to_pandas()
    frame.index.name = name
    frame.columns = pd.Index([str(c) for c in frame.columns], name=by)
    return frame


# ---------------------------------------------------------------------------------------
# tidy tables

def encounters_table(ds: xr.Dataset, freq="MS") -> pd.DataFrame:
    """Encounters in long (tidy) form: columns month, sector, nationality, encounters.

    One row per (month, sector, nationality), zeros included, ordered by month, then
    place and nationality in the file's order. `sector` is the destination place (a
    Border Patrol sector or port of entry). freq=None gives daily rows (column "date");
    other frequencies label the column "period". See encounters() for where the numbers
    come from when the run has no `encounters` variable.
    """
    da = encounters(ds).reset_coords(drop=True)
    if freq is not None:
        da = da.resample(time=freq).sum()
    col = _period_name(freq)
    table = da.to_dataframe(name="encounters").reset_index()
    table = table.rename(columns={"time": col, "place": "sector"})
    table = table[[col, "sector", "nationality", "encounters"]]
    table["encounters"] = table["encounters"].astype("int64")
    return table


def links_table(ds: xr.Dataset) -> pd.DataFrame:
    """The network's links: link, from, to, mode, distance_km, cost_usd, risk."""
    return pd.DataFrame({
        "link": ds["link"].values.astype(str),
        "from": ds["link_from"].values.astype(str),
        "to": ds["link_to"].values.astype(str),
        "mode": ds["link_mode"].values.astype(str),
        "distance_km": ds["link_distance_km"].values.astype(float),
        "cost_usd": ds["link_cost_usd"].values.astype(float),
        "risk": ds["link_risk"].values.astype(float),
    })


def flows_table(ds: xr.Dataset, freq=None) -> pd.DataFrame:
    """Persons setting off along each link.

    freq=None: one row per link, columns link, from, to, mode, distance_km, persons
    (total over the run), in the file's link order.
    freq="MS" (or another period): a `month` (or `period`) column first, one row per
    (month, link).
    """
    info = links_table(ds)[["link", "from", "to", "mode", "distance_km"]]
    flow = ds["flow"].reset_coords(drop=True).astype("int64")
    if freq is None:
        info["persons"] = flow.sum("time").values.astype("int64")
        return info
    col = _period_name(freq)
    per = flow.resample(time=freq).sum().to_dataframe(name="persons").reset_index()
    per = per.rename(columns={"time": col})
    out = per.merge(info, on="link", how="left")
    out["persons"] = out["persons"].astype("int64")
    return out[[col, "link", "from", "to", "mode", "distance_km", "persons"]]


def occupancy_table(ds: xr.Dataset) -> pd.DataFrame:
    """Persons at each place at the end of each day: columns date, place, occupancy."""
    occ = ds["occupancy"].reset_coords(drop=True).astype("int64")
    table = occ.to_dataframe(name="occupancy").reset_index()
    return table.rename(columns={"time": "date"})[["date", "place", "occupancy"]]


# ---------------------------------------------------------------------------------------
# scenario vs counterfactual

def _runs(x):
    if isinstance(x, (list, tuple)):
        if not x:
            raise ValueError("an empty list of runs")
        return [as_dataset(r) for r in x]
    return [as_dataset(x)]


def _seed(ds):
    return ds.attrs.get("migsim_seed")


def difference_table(scenario, counterfactual, variable="encounters", freq="MS",
                     complete=True) -> pd.DataFrame:
    """Monthly scenario minus counterfactual, over one run each or several seeds.

    scenario, counterfactual: a Dataset or path, or a list of them (one per seed).
    Returns one row per month with columns month, scenario, counterfactual (means over
    runs), difference (mean of scenario - counterfactual), se, lower, upper
    (difference -+ 1.96 se), n_scenario, n_counterfactual, paired.

    - Paired (the two lists have the same length n > 1 and the same seeds in the same
      order, i.e. common random numbers): se = sd(d_i) / sqrt(n) with d_i the per-seed
      differences.
    - Unpaired (different seeds or counts, both n > 1):
      se = sqrt(sd_s^2 / n_s + sd_c^2 / n_c).
    - Otherwise (a single run on either side) se, lower and upper are NaN: one run gives
      no estimate of the spread between seeds.
    The columns scenario_se and counterfactual_se are sd / sqrt(n) of each side (NaN for
    n = 1). Only months present in every run are kept; complete=True (default) also drops
    partial months at either end.
    """
    s_runs, c_runs = _runs(scenario), _runs(counterfactual)
    s = pd.concat([monthly(d, variable, freq=freq, complete=complete) for d in s_runs],
                  axis=1, join="inner").astype(float)
    c = pd.concat([monthly(d, variable, freq=freq, complete=complete) for d in c_runs],
                  axis=1, join="inner").astype(float)
    common = s.index.intersection(c.index)
    if len(common) == 0:
        raise ValueError("the scenario and counterfactual runs share no "
                         + ("complete " if complete else "") + "period")
    s, c = s.loc[common].to_numpy(), c.loc[common].to_numpy()
    ns, nc = s.shape[1], c.shape[1]
    seeds_s, seeds_c = [_seed(d) for d in s_runs], [_seed(d) for d in c_runs]
    paired = ns == nc and ns > 1 and None not in seeds_s and seeds_s == seeds_c

    def side_se(x):
        n = x.shape[1]
        return x.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else np.full(x.shape[0], np.nan)

    if paired:
        d = s - c
        diff, se = d.mean(axis=1), d.std(axis=1, ddof=1) / np.sqrt(ns)
    else:
        diff = s.mean(axis=1) - c.mean(axis=1)
        if ns > 1 and nc > 1:
            se = np.sqrt(s.var(axis=1, ddof=1) / ns + c.var(axis=1, ddof=1) / nc)
        else:
            se = np.full(len(common), np.nan)
    col = _period_name(freq)
    return pd.DataFrame({
        col: common,
        "scenario": s.mean(axis=1),
        "counterfactual": c.mean(axis=1),
        "difference": diff,
        "se": se,
        "lower": diff - 1.96 * se,
        "upper": diff + 1.96 * se,
        "scenario_se": side_se(s),
        "counterfactual_se": side_se(c),
        "n_scenario": ns,
        "n_counterfactual": nc,
        "paired": paired,
    })
