# SPDX-License-Identifier: GPL-3.0-or-later
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

from .io import agents_per_person, as_dataset

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

RUN = "run"     # freq value of difference_table(): one total over the whole run

# t_{0.975, df}, the 97.5% quantile of Student's t (two-sided 95% intervals), for when
# SciPy is not installed; computed with scipy.stats.t.ppf(0.975, df).
_T975 = {1: 12.706205, 2: 4.302653, 3: 3.182446, 4: 2.776445, 5: 2.570582, 6: 2.446912,
         7: 2.364624, 8: 2.306004, 9: 2.262157, 10: 2.228139, 11: 2.200985, 12: 2.178813,
         13: 2.160369, 14: 2.144787, 15: 2.131450, 16: 2.119905, 17: 2.109816,
         18: 2.100922, 19: 2.093024, 20: 2.085963, 21: 2.079614, 22: 2.073873,
         23: 2.068658, 24: 2.063899, 25: 2.059539, 26: 2.055529, 27: 2.051831,
         28: 2.048407, 29: 2.045230, 30: 2.042272, 40: 2.021075, 50: 2.008559,
         60: 2.000298, 80: 1.990063, 100: 1.983972, 120: 1.979930, 200: 1.971896,
         500: 1.964720, 1000: 1.962339}


def _t975(df):
    """t_{0.975, df} for an array of degrees of freedom (NaN where df is NaN or < 1).

    SciPy's scipy.stats.t.ppf when it is installed (python3-scipy); otherwise the table
    above, read at the largest tabulated df not above df: exact for integer df up to 30
    (and for the other tabulated values), slightly wider than exact in between (a
    conservative interval), 1.959964 (the normal quantile) beyond 1000 df.
    """
    df = np.asarray(df, dtype=float)
    ok = np.isfinite(df) & (df >= 1)
    out = np.full(df.shape, np.nan)
    try:
        from scipy.stats import t
        out[ok] = t.ppf(0.975, df[ok])
    except ImportError:
        keys = np.array(sorted(_T975))
        values = np.array([_T975[k] for k in keys])
        i = np.searchsorted(keys, df[ok], side="right") - 1
        out[ok] = np.where(df[ok] > keys[-1], 1.959964, values[np.clip(i, 0, None)])
    return out


def half_width(se, df, interval="t"):
    """Half-width of the 95% interval: t_{0.975, df} se ("t", the kit's convention across
    seeds) or 1.96 se ("normal"); se and df are numbers or arrays.

    Exactly 0 where se is 0 (all seeds agree), even when df is undefined; NaN where se
    is NaN (a single run on a side gives no spread).
    """
    se = np.asarray(se, dtype=float)
    if interval == "normal":
        q = np.full(se.shape, 1.96)
    elif interval == "t":
        q = _t975(np.broadcast_to(df, se.shape))
    else:
        raise ValueError(f"interval must be 'normal' or 't', got {interval!r}")
    with np.errstate(invalid="ignore"):
        return np.where(se == 0, 0.0, q * se)


def _runs(x):
    if isinstance(x, (list, tuple)):
        if not x:
            raise ValueError("an empty list of runs")
        return [as_dataset(r) for r in x]
    return [as_dataset(x)]


def _seed(ds):
    return ds.attrs.get("migsim_seed")


def _by_dim(by):
    """The Dataset dimension behind a `by` name: "sector" is the place dimension."""
    return "place" if by == "sector" else by


def _run_values(ds, variable, by, freq, complete):
    """One run's numbers as a Series, indexed by period, by `by` label, or both.

    freq="run": one total over the whole run (summed for daily flows, averaged for
    stocks, as in monthly()), per `by` label, or one row labelled with the run's first and
    last day ("2023-01-01/2023-03-01") when by is None.
    """
    dim = _by_dim(by)
    if freq == RUN:
        daily = monthly(ds, variable, by=dim, freq=None)
        total = getattr(daily, _default_how(_variable(ds, variable)))()
        if dim is None:
            time = pd.DatetimeIndex(ds["time"].values)
            label = f"{time[0].date()}/{time[-1].date()}"
            return pd.Series([total], index=pd.Index([label], name="period"))
        total.index.name = by
        return total
    per = monthly(ds, variable, by=dim, freq=freq, complete=complete)
    if dim is None:
        return per
    stacked = per.stack()
    stacked.index.names = [per.index.name, by]
    return stacked


def _days(ds, index, freq):
    """Simulated days behind each row of `index` (rows from _run_values of this run)."""
    time = pd.DatetimeIndex(ds["time"].values)
    if freq == RUN:
        return np.full(len(index), len(time), dtype="int64")
    ones = pd.Series(1, index=time)
    counts = ones if freq is None else ones.resample(freq).sum()
    periods = index.get_level_values(0) if isinstance(index, pd.MultiIndex) else index
    return counts.reindex(periods).to_numpy(dtype="int64")


def interval_words(interval, n_scenario, n_counterfactual, paired):
    """The interval convention of a difference over n_scenario and n_counterfactual
    runs, in words, as every table and plot of the kit states it."""
    if min(n_scenario, n_counterfactual) <= 1:
        return "none: one run on a side gives no spread across seeds"
    name = "Student's t" if interval == "t" else "normal (1.96 se)"
    how = "paired" if paired else "unpaired, Welch" if interval == "t" else "unpaired"
    seeds = n_scenario if n_scenario == n_counterfactual else f"{n_scenario} and {n_counterfactual}"
    return f"95% {name} across {seeds} seeds, {how}"


def difference_table(scenario, counterfactual, variable="encounters", freq="MS",
                     complete=True, by=None, interval="t", scale=None) -> pd.DataFrame:
    """Scenario minus counterfactual, over one run each or several seeds, per month (or
    other period), per label of a dimension, or as one total over the run.

    scenario, counterfactual: a Dataset or path, or a list of them (one per seed).
    variable: "encounters" (see encounters()) or a data variable with a time dimension.
    freq:     "MS" (months, the default), another pandas period, None (days), or "run":
              one total over the whole run (every day, whatever `complete` says).
    by:       None, or a dimension to break the numbers down by: "nationality", "place",
              "sector" (the same as "place", named for encounters, whose places are the
              Border Patrol sectors and ports of entry), "link"...
    complete: True (default) keeps only the periods the runs cover entirely.
    interval: "t" (default, the kit's convention, as in scripts/counterfactual):
              lower, upper = difference -+ t_{0.975, df} se, Student's t with df degrees
              of freedom (n - 1 paired; Welch-Satterthwaite unpaired), the right interval
              for a handful of seeds; "normal": difference -+ 1.96 se.
    scale:    agents per person; the numbers are divided by it, so that they count
              persons (or persons' events). None (default): the first scenario run's
              agents_per_person (the corridor's corridor.scale; 1 for most models).

    Returns one row per period (column month, period or date), per label (a column
    named `by`), per (period, label), or one row (column period, "first/last day"); then
    days (simulated days in the period), scenario, counterfactual (means over runs, in
    the variable's units: persons per period for flows such as encounters), difference
    (mean of scenario - counterfactual), sd, se, df, lower, upper, scenario_se,
    counterfactual_se, n_scenario, n_counterfactual, paired, agents_per_person (the
    scale the counts were divided by) and interval (the convention in words, e.g.
    "95% Student's t across 3 seeds, paired", or that one run gives none).

    - Paired (the two lists have the same length n > 1 and the same seeds in the same
      order, i.e. common random numbers): d_i = scenario_i - counterfactual_i per seed;
      sd = sample sd of the d_i (n - 1 in the denominator), se = sd / sqrt(n), df = n - 1.
    - Unpaired (different seeds or counts, both n > 1): sd is NaN,
      se = sqrt(sd_s^2 / n_s + sd_c^2 / n_c), df by Welch-Satterthwaite.
    - Otherwise (a single run on either side) sd, se, df, lower and upper are NaN: one run
      gives no estimate of the spread between seeds.
    Where se is 0 (every seed gives the same difference) lower = upper = difference.
    The columns scenario_se and counterfactual_se are sd / sqrt(n) of each side (NaN for
    n = 1). Only rows present in every run are kept.
    """
    if interval not in ("normal", "t"):
        raise ValueError(f"interval must be 'normal' or 't', got {interval!r}")
    s_runs, c_runs = _runs(scenario), _runs(counterfactual)
    s = pd.concat([_run_values(d, variable, by, freq, complete) for d in s_runs],
                  axis=1, join="inner").astype(float)
    c = pd.concat([_run_values(d, variable, by, freq, complete) for d in c_runs],
                  axis=1, join="inner").astype(float)
    common = s.index.intersection(c.index)
    if len(common) == 0:
        raise ValueError("the scenario and counterfactual runs share no "
                         + ("complete " if complete and freq != RUN else "") + "period")
    s, c = s.loc[common].to_numpy(), c.loc[common].to_numpy()
    ns, nc = s.shape[1], c.shape[1]
    seeds_s, seeds_c = [_seed(d) for d in s_runs], [_seed(d) for d in c_runs]
    paired = ns == nc and ns > 1 and None not in seeds_s and seeds_s == seeds_c
    nan = np.full(len(common), np.nan)

    def side_se(x):
        n = x.shape[1]
        return x.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else nan

    if paired:
        d = s - c
        diff, sd = d.mean(axis=1), d.std(axis=1, ddof=1)
        se, df = sd / np.sqrt(ns), np.full(len(common), ns - 1.0)
    else:
        diff, sd = s.mean(axis=1) - c.mean(axis=1), nan
        if ns > 1 and nc > 1:
            vs, vc = s.var(axis=1, ddof=1) / ns, c.var(axis=1, ddof=1) / nc
            se = np.sqrt(vs + vc)
            with np.errstate(invalid="ignore", divide="ignore"):
                df = (vs + vc) ** 2 / (vs ** 2 / (ns - 1) + vc ** 2 / (nc - 1))
        else:
            se, df = nan, nan
    per = float(scale) if scale is not None else agents_per_person(s_runs[0])
    if not per > 0:
        raise ValueError(f"scale (agents per person) must be positive, got {scale!r}")
    s, c, diff, sd, se = s / per, c / per, diff / per, sd / per, se / per
    half = half_width(se, df, interval)
    table = common.to_frame(index=False)
    columns = {
        "days": _days(s_runs[0], common, freq),
        "scenario": s.mean(axis=1),
        "counterfactual": c.mean(axis=1),
        "difference": diff,
        "sd": sd,
        "se": se,
        "df": df,
        "lower": diff - half,
        "upper": diff + half,
        "scenario_se": side_se(s),
        "counterfactual_se": side_se(c),
        "n_scenario": ns,
        "n_counterfactual": nc,
        "paired": paired,
        "agents_per_person": per,
        "interval": interval_words(interval, ns, nc, paired),
    }
    for name, values in columns.items():
        table[name] = values
    return table
