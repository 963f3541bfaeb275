#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare a corridor run with the CBP/OHSS record over any window of months, beside two naive
forecasts, and print the run's forecast for the months the record withholds.

Usage:
    /usr/bin/python3 scripts/corridor_compare.py OUTPUT.h5 [--window YYYY-MM/YYYY-MM]
        [--targets {insample,oos}] [--forecast] [--png FILE] [--json FILE] [--data DIR]

Reads the run's `encounters` (time, place, nationality), sums them by calendar month over the
months the run covers whole (a month cut by the run's first or last day is left out), and
divides by the scenario's corridor.scale (agents per migrant, from the provenance). The record
is the months of cbp_swb_encounters_monthly_fy2021_fy2023.csv (October 2020 - September 2023).

The window is --window FIRST/LAST (both months included, e.g. 2022-10/2023-09), by default
every whole month of the run that has an observation (for the default scenario, October 2020 -
September 2023). Every month of the window must be in the record and in the run. For it the
script prints:

  1. monthly southwest-border encounters (Border Patrol sectors + ports of entry) against the
     record (USBP + OFO) and their MAPE, the mean of |sim - obs| / obs over the window's
     months; beside them, the same for two naive forecasts made from the record alone:
       (a) same month a year earlier: month m is forecast by the observed value of month
           m - 12. For a window longer than twelve months this uses observations inside the
           window (a one-year-ahead forecast for every month). Months whose m - 12 is not in
           the record have no forecast; the MAPE is then over the months that have one, and
           the model's MAPE over the same months is printed beside it;
       (b) previous twelve months' mean: every month of the window is forecast by one flat
           value, the mean of the twelve observed months before the window's first month
           (a forecast issued at the window's start, never updated). Not computable when
           any of those twelve months is outside the record.
     For 2022-10/2023-09 the record gives (a) 17.9 % (17.912 %) and (b) 17.0 % (16.984 %,
     the mean of October 2021 - September 2022: 198,245.3 a month), the figures of issue 14.
     Other readings of (b) do not reproduce 17.0 %: a rolling mean of the twelve observed
     months before each month gives 18.6 %, a rolling mean fed with its own forecasts 17.9 %;
  2. the window's top-10 citizenships (by observed window total; OTHER is not a citizenship
     and is shown apart) and the error of each window total, the model's and each naive
     forecast's (window total of the monthly forecasts above; none when a month of the window
     has no forecast; for a twelve-month window both naive totals are the twelve months before
     it, so they are equal). CBP citizenships the run has no nationality for (CANADA, MYANMAR
     (BURMA), PHILIPPINES for the default scenario) are added to CBP's OTHER, as `migsim
     calibrate` does;
  3. each Border Patrol sector's share of USBP encounters over the window, model (sector
     places) against usbp_swb_encounters_monthly_by_sector_fy2021_fy2023.csv and the naive
     forecasts (shares of the window sums of their monthly forecasts); the model's sector
     choice with the observed flows ('obs. mix': the run's split of each nationality over the
     sectors, weighted by OHSS's USBP encounters by citizenship over the window, from
     usbp_swb_encounters_monthly_by_citizenship_ohss_fy2021_fy2023.csv), which separates an
     error in where each nationality crosses from one in how many of each come; and the
     ports' (OFO) share of all encounters;
  4. the targets: --targets insample (default) checks the MAPE <= 15 %, each fiscal year's
     top-10 citizenships within +-15 % and its sector shares within +-5 points, for every
     fiscal year wholly inside the window (the window itself when none is); sections 2 and 3
     also print those fiscal years' tables. --targets oos (a window the scenario was not
     fitted on) checks, on the window: MAPE <= 12 %, every top-10 citizenship within +-25 %,
     every sector share within +-5 points (issue 14); the fiscal-year tables are then left
     out of the text (not of the JSON). The ports' share is reported, not checked.

--forecast adds, for the run's whole months after the record's last month (the default
scenario: October 2023 - September 2024, withheld on purpose), Markdown tables of the model's
monthly encounters (total, Border Patrol, ports, top nationalities), its top-10 nationalities
over those months, and its sector shares by month, to paste into the README as the forecast
on record; and the December -> January change where both months are there. With --forecast
a run with no observed month prints the forecast alone.

--png FILE draws simulated against observed monthly encounters over the run's whole months
(total, and Border Patrol and ports of entry apart), the window shaded. --json FILE writes
every figure (`months`, `monthly`, `mape_percent`, `citizenship` and `sectors` by fiscal year
and `summary` keep their meaning; the legacy summary keys `mape_target_met`,
`citizenship_within_15` and `sector_within_5_points` always use the in-sample targets, the
chosen ones are in `targets`; the window's tables and naive forecasts are in `window`, the
forecast in `forecast`). --data DIR is the folder of the observed CSVs (default:
configs/corridor/data next to this script, a byte-identical copy of /work/shared/data/corridor).
Exit status 0 whatever the fit (it is a report), 1 on a missing or malformed input or a window
outside the record or the run.

Use Debian's /usr/bin/python3 (python3-xarray, python3-h5py, python3-pandas,
python3-matplotlib, python3-yaml).
"""
import argparse
import json
import os
import re
import sys
from typing import NamedTuple

import numpy as np
import pandas as pd

TARGET_MAPE, TARGET_CIT, TARGET_SHARE = 15.0, 15.0, 5.0   # in-sample, the legacy summary keys
TARGETS = {
    "insample": {"label": "in-sample", "mape_percent": 15.0, "citizenship_percent": 15.0,
                 "share_points": 5.0},
    "oos": {"label": "out-of-sample", "mape_percent": 12.0, "citizenship_percent": 25.0,
            "share_points": 5.0},
}
NAIVE = (("same_month_last_year", "same month a year earlier"),
         ("previous_12_month_mean", "previous twelve months' mean"))
TOTALS = "cbp_swb_encounters_monthly_fy2021_fy2023.csv"
CITIZENSHIP = "cbp_swb_encounters_monthly_by_citizenship_fy2021_fy2023.csv"
SECTORS = "usbp_swb_encounters_monthly_by_sector_fy2021_fy2023.csv"
USBP_CITIZENSHIP = "usbp_swb_encounters_monthly_by_citizenship_ohss_fy2021_fy2023.csv"
OHSS_NAMES = {"CHINA, PEOPLE'S REPUBLIC": "CHINA"}   # OHSS spelling -> the model's nationality


class Run(NamedTuple):
    path: str
    enc: object      # xarray.DataArray (time, place, nationality), agents
    scale: float     # agents per migrant
    ports: set
    kinds: list      # place_kind per place, or None


class Sim(NamedTuple):
    """The run's monthly figures per migrant, every month it touches."""
    months: pd.PeriodIndex    # the months every day of which the run covers
    days: pd.Series           # days the run covers, per month it touches
    by_nat: pd.DataFrame      # month x nationality, all destinations
    by_sector: pd.DataFrame   # month x Border Patrol sector place
    sector_nat: pd.DataFrame  # month x (sector place, nationality)
    usbp: pd.Series
    ofo: pd.Series
    total: pd.Series


class Obs(NamedTuple):
    """The record by month (the citizenships folded as `migsim calibrate` does)."""
    months: pd.PeriodIndex
    total: pd.Series
    usbp: pd.Series
    ofo: pd.Series
    nat: pd.DataFrame
    sec: pd.DataFrame
    sectors: list
    folded: list
    usbp_nat: object          # month x nationality of USBP encounters (OHSS), None without the file


def fiscal_year(period):
    return period.year + (1 if period.month >= 10 else 0)


def span(months):
    return f"{months[0].strftime('%b %Y')} - {months[-1].strftime('%b %Y')}"


def month_list(months):
    if len(months) <= 3:
        return ", ".join(str(m) for m in months)
    return f"{months[0]} ... {months[-1]} ({len(months)} months)"


def parse_window(text):
    """'2022-10/2023-09' -> PeriodIndex of its months, both ends included."""
    m = re.fullmatch(r"(\d{4})-(\d{2})/(\d{4})-(\d{2})", text or "")
    if not m or not (1 <= int(m[2]) <= 12 and 1 <= int(m[4]) <= 12):
        raise ValueError(f"--window {text!r}: expected FIRST/LAST as YYYY-MM/YYYY-MM")
    first, last = pd.Period(f"{m[1]}-{m[2]}", freq="M"), pd.Period(f"{m[3]}-{m[4]}", freq="M")
    if last < first:
        raise ValueError(f"--window {text}: the last month is before the first")
    return pd.period_range(first, last, freq="M")


def load_run(path):
    import h5py
    import xarray as xr
    import yaml

    ds = xr.open_dataset(path)
    if "encounters" not in ds:
        raise ValueError(f"{path}: no 'encounters' dataset (was it run with model corridor?)")
    with h5py.File(path, "r") as f:
        prov = dict(f["provenance"].attrs)
    text = prov.get("scenario_resolved", b"")
    if isinstance(text, bytes):
        text = text.decode()
    scen = yaml.safe_load(text) if text else {}
    corridor = (scen or {}).get("corridor") or {}
    scale = float(corridor.get("scale", 1.0))
    places = [str(p) for p in ds["place"].values]
    ports = (corridor.get("ports") or {}).get("places") or [p for p in places if p.endswith(" POE")]
    kinds = [str(k) for k in ds["place_kind"].values] if "place_kind" in ds else None
    return Run(path, ds["encounters"].load(), scale, set(ports), kinds)


def days_by_month(times):
    """Days of `times` (a daily axis) in each calendar month, and the months they cover whole."""
    days = pd.Series(1, index=pd.DatetimeIndex(times).normalize().unique().to_period("M"))
    n = days.groupby(level=0).sum()
    return n, pd.PeriodIndex([m for m, k in n.items() if k == m.days_in_month], freq="M")


def monthly(enc, scale, places, months, by):
    """DataFrame (month x `by`) of encounters at `places` per migrant, over `months`."""
    other = "nationality" if by == "place" else "place"
    sub = enc.sel(place=[p for p in enc["place"].values if str(p) in places]).sum(other)
    df = sub.to_pandas()
    df.index = pd.DatetimeIndex(df.index).to_period("M")
    df = df.groupby(level=0).sum() / scale
    df.columns = [str(c) for c in df.columns]
    return df.reindex(months, fill_value=0.0)


def simulated(run):
    places = [str(p) for p in run.enc["place"].values]
    dest = ({p for p, k in zip(places, run.kinds) if k == "destination"}
            if run.kinds is not None else set(places))
    sectors = dest - run.ports
    days, whole = days_by_month(run.enc["time"].values)
    months = days.index
    by_nat = monthly(run.enc, run.scale, dest, months, "nationality")
    usbp = monthly(run.enc, run.scale, sectors, months, "nationality").sum(axis=1)
    ofo = monthly(run.enc, run.scale, run.ports, months, "nationality").sum(axis=1)
    by_sector = monthly(run.enc, run.scale, sectors, months, "place")
    return Sim(whole, days, by_nat, by_sector, sector_by_nationality(run, sectors, months),
               usbp, ofo, by_nat.sum(axis=1))


def sector_by_nationality(run, sectors, months):
    """DataFrame (month x (sector, nationality)) of encounters per migrant at the sectors."""
    sub = run.enc.sel(place=[p for p in run.enc["place"].values if str(p) in sectors])
    df = sub.stack(col=("place", "nationality")).to_pandas()
    df.index = pd.DatetimeIndex(df.index).to_period("M")
    df = df.groupby(level=0).sum() / run.scale
    df.columns = pd.MultiIndex.from_tuples([(str(a), str(b)) for a, b in df.columns])
    return df.reindex(months, fill_value=0.0)


def read_usbp_citizenship(path, run_nat, months):
    """OHSS's USBP encounters by citizenship (long form) as month x nationality, a citizenship
    the run lacks counted as its OTHER; None when the file is absent."""
    if not os.path.exists(path):
        return None
    df = pd.read_csv(path)
    df = df[df["calendar_month"].notna()]
    name = df["citizenship"].str.upper().map(lambda c: OHSS_NAMES.get(c, c))
    df = df.assign(nat=name.where(name.isin(run_nat), "OTHER"),
                   month=pd.PeriodIndex(df["calendar_month"], freq="M"))
    wide = df.pivot_table(index="month", columns="nat", values="usbp_swb_encounters_rounded10",
                          aggfunc="sum", fill_value=0.0)
    return wide.astype(float).reindex(months)


def read_csv_months(path):
    df = pd.read_csv(path)
    df = df[df["calendar_month"].notna()].copy()
    df.index = pd.PeriodIndex(df["calendar_month"], freq="M")
    return df


def read_observed(data, run_nat):
    tot = read_csv_months(os.path.join(data, TOTALS))
    months = tot.index
    cit = read_csv_months(os.path.join(data, CITIZENSHIP)).reindex(months)
    sec = read_csv_months(os.path.join(data, SECTORS)).reindex(months)
    sectors = [c for c in sec.columns if c not in ("fiscal_year", "month", "calendar_month")
               and not c.startswith("SWB_")]
    cols = [c for c in cit.columns if c not in ("fiscal_year", "month_abbv", "calendar_month", "TOTAL")]
    nat = cit[cols].astype(float)
    # as `migsim calibrate` does: a citizenship the run lacks counts as its OTHER
    fold = [c for c in cols if c not in run_nat]
    if fold and "OTHER" in run_nat:
        nat["OTHER"] = nat[[c for c in fold + (["OTHER"] if "OTHER" in cols else [])
                            if c in nat]].sum(axis=1)
        nat = nat.drop(columns=[c for c in fold if c != "OTHER"])
    return Obs(months, tot["swb_total_encounters_usbp_plus_ofo"].astype(float),
               tot["usbp_encounters_swb"].astype(float), tot["ofo_encounters_swb"].astype(float),
               nat, sec[sectors].astype(float), sectors, [c for c in fold if c != "OTHER"],
               read_usbp_citizenship(os.path.join(data, USBP_CITIZENSHIP), run_nat, months))


def naive_same_month(frame, months):
    """Each month's forecast: the record's value twelve months earlier (NaN outside it)."""
    out = frame.reindex(months - 12)
    out.index = months
    return out


def naive_prev12(frame, months):
    """Every month's forecast: the mean of the twelve record months before the first month
    (NaN when one of them is outside the record)."""
    base = frame.reindex(pd.period_range(months[0] - 12, months[0] - 1, freq="M"))
    mean = base.mean(skipna=False)
    if isinstance(frame, pd.Series):
        return pd.Series(mean, index=months)
    return pd.DataFrame([mean.values] * len(months), index=months, columns=frame.columns)


NAIVE_FORECASTS = {"same_month_last_year": naive_same_month,
                   "previous_12_month_mean": naive_prev12}


def mape(forecast, obs):
    """(MAPE in percent over the months with a forecast, number of those months)."""
    ok = forecast.notna() & obs.notna()
    if not ok.any():
        return None, 0
    return float(100 * ((forecast[ok] - obs[ok]).abs() / obs[ok]).mean()), int(ok.sum())


def percent_error(value, obs):
    if value is None or obs == 0 or (isinstance(value, float) and np.isnan(value)):
        return None
    return float(100 * (value - obs) / obs)


def window_monthly(sim, obs, window):
    """The window's monthly series, the model's MAPE and the naive forecasts' MAPEs."""
    o, s = obs.total.reindex(window), sim.total.reindex(window)
    model, _ = mape(s, o)
    out = {"months": [str(m) for m in window], "obs_total": o.tolist(),
           "sim_total": s.round(1).tolist(), "mape_percent": model, "naive": {}}
    for key, label in NAIVE:
        f = NAIVE_FORECASTS[key](obs.total, window)
        m, n = mape(f, o)
        ok = f.notna()
        same, _ = mape(s[ok], o[ok]) if n else (None, 0)
        out["naive"][key] = {"label": label, "forecast": [None if np.isnan(v) else float(v) for v in f],
                             "mape_percent": m, "months": n, "sim_mape_percent_same_months": same}
    return out


def naive_totals(frame, months):
    """Window totals of each naive forecast, per column (NaN if a month has none)."""
    return {key: NAIVE_FORECASTS[key](frame, months).sum(skipna=False) for key, _ in NAIVE}


def citizenship_rows(obs, sim, months):
    o = obs.nat.loc[months].sum()
    s = sim.by_nat.reindex(months).sum()
    naive = naive_totals(obs.nat, months)
    top = list(o.drop("OTHER").sort_values(ascending=False).index[:10])
    rows = []
    for c in top + ["OTHER"]:
        sv, ov = float(s.get(c, 0.0)), float(o[c])
        row = {"citizenship": c, "obs": ov, "sim": round(sv, 1),
               "error_percent": float(100 * (sv - ov) / ov) if ov else None, "top10": c != "OTHER"}
        for key, _ in NAIVE:
            v = float(naive[key][c])
            row[key] = None if np.isnan(v) else round(v, 1)
            row[key + "_error_percent"] = percent_error(row[key], ov)
        rows.append(row)
    return rows


def shares(sums):
    return 100 * sums / sums.sum() if sums.sum() else sums * 0.0


def observed_mix_shares(obs, sim, months):
    """Sector shares (percent) from the run's split of each nationality over the sectors,
    weighted by the record's USBP encounters by citizenship over `months` (a nationality the
    run does not bring to a sector takes the run's pooled split); None without that record.
    What the model's sector choice gives with the observed flows: the rest of a share's error
    lies in the flows by nationality, this part in where each nationality crosses."""
    if obs.usbp_nat is None:
        return None
    mix = obs.usbp_nat.reindex(months).sum(min_count=len(months))
    s = sim.sector_nat.reindex(months).sum().unstack(level=1)
    if mix.isna().any() or not s.values.sum():
        return None
    pooled = s.sum(axis=1) / s.values.sum()
    total = pd.Series(0.0, index=s.index)
    for nat, n in mix.items():
        own = s[nat] if nat in s.columns else None
        total += n * (own / own.sum() if own is not None and own.sum() > 0 else pooled)
    return shares(total)


def sector_rows(obs, sim, months):
    o = shares(obs.sec.loc[months].sum())
    s = sim.by_sector.reindex(months).sum()
    s = 100 * s / s.sum() if s.sum() else s * 0.0
    naive = {k: shares(v) for k, v in naive_totals(obs.sec, months).items()}
    mixed = observed_mix_shares(obs, sim, months)
    rows = []
    for c in obs.sectors:
        ss = float(s.get(c, 0.0))
        row = {"sector": c, "obs_share": float(o[c]), "sim_share": ss, "diff_points": ss - float(o[c]),
               "sim_share_observed_mix": None if mixed is None else float(mixed.get(c, 0.0))}
        for key, _ in NAIVE:
            v = float(naive[key][c])
            row[key + "_share"] = None if np.isnan(v) else v
            row[key + "_diff_points"] = None if np.isnan(v) else v - float(o[c])
        rows.append(row)
    tot = sim.total.reindex(months).sum()
    d = {"sectors": rows,
         "ofo_share_obs": float(obs.ofo.loc[months].sum() / obs.total.loc[months].sum() * 100),
         "ofo_share_sim": float(sim.ofo.reindex(months).sum() / tot * 100) if tot else 0.0}
    for key, _ in NAIVE:
        f = NAIVE_FORECASTS[key]
        v = float(f(obs.ofo, months).sum(skipna=False) / f(obs.total, months).sum(skipna=False) * 100)
        d["ofo_share_" + key] = None if np.isnan(v) else v
    return d


def check(tables_cit, tables_sec, mape_percent, t):
    cit_err = [abs(r["error_percent"]) for rows in tables_cit for r in rows if r["top10"]]
    sec_err = [abs(r["diff_points"]) for d in tables_sec for r in d["sectors"]]
    return {
        "mape_percent": mape_percent, "mape_met": mape_percent <= t["mape_percent"],
        "citizenship_within_target": int(sum(e <= t["citizenship_percent"] for e in cit_err)),
        "citizenship_checks": len(cit_err),
        "citizenship_mean_abs_error_percent": float(np.mean(cit_err)) if cit_err else None,
        "sector_within_target": int(sum(e <= t["share_points"] for e in sec_err)),
        "sector_checks": len(sec_err),
        "sector_mean_abs_diff_points": float(np.mean(sec_err)) if sec_err else None,
    }


def judge(out, targets):
    """The legacy in-sample summary and the chosen targets' verdict."""
    win = out["window"]
    fys = list(out["citizenship"])
    if fys:
        cit, sec, on = out["citizenship"].values(), out["sectors"].values(), \
            "fiscal years " + ", ".join("FY" + y for y in fys)
    else:
        cit, sec, on = [win["citizenship"]], [win["sectors"]], f"window {win['name']}"
    ins = check(cit, sec, out["mape_percent"], TARGETS["insample"])
    out["summary"] = {
        "mape_percent": out["mape_percent"], "mape_target_met": ins["mape_met"],
        "citizenship_within_15": ins["citizenship_within_target"],
        "citizenship_checks": ins["citizenship_checks"],
        "citizenship_mean_abs_error_percent": ins["citizenship_mean_abs_error_percent"],
        "sector_within_5_points": ins["sector_within_target"], "sector_checks": ins["sector_checks"],
        "sector_mean_abs_diff_points": ins["sector_mean_abs_diff_points"],
    }
    t = TARGETS[targets]
    if targets == "oos":
        res, on = check([win["citizenship"]], [win["sectors"]], out["mape_percent"], t), f"window {win['name']}"
    else:
        res = ins
    res.update(name=targets, label=t["label"], checked_on=on, thresholds=t)
    res["passed"] = bool(res["mape_met"] and res["citizenship_within_target"] == res["citizenship_checks"]
                         and res["sector_within_target"] == res["sector_checks"])
    out["targets"] = res


def forecast(sim, obs, n_top=10):
    """The run's months after the record: monthly totals, nationalities, sector shares."""
    months = sim.months[sim.months > obs.months[-1]] if len(obs.months) else sim.months
    if not len(months):
        return {"months": []}
    nat = sim.by_nat.loc[months]
    ranked = nat.sum().drop("OTHER", errors="ignore").sort_values(ascending=False, kind="mergesort")
    top = list(ranked.index[:n_top])
    order = [c for c in obs.sectors if c in sim.by_sector.columns] + \
        [c for c in sim.by_sector.columns if c not in obs.sectors]
    sec = sim.by_sector.loc[months, order]
    period_total = float(sim.total.loc[months].sum())
    out = {"months": [str(m) for m in months], "total": sim.total.loc[months].round(1).tolist(),
           "usbp": sim.usbp.loc[months].round(1).tolist(), "ofo": sim.ofo.loc[months].round(1).tolist(),
           "by_nationality": {c: nat[c].round(1).tolist() for c in nat.columns},
           "top_nationalities": [{"nationality": c, "total": round(float(nat[c].sum()), 1),
                                  "share_percent": 100 * float(nat[c].sum()) / period_total if period_total else 0.0}
                                 for c in top + (["OTHER"] if "OTHER" in nat else [])],
           "sectors": order,
           "sector_share_percent": {str(m): shares(sec.loc[m]).round(2).tolist() for m in months},
           "sector_share_percent_period": shares(sec.sum()).round(2).tolist()}
    out["december_january"] = [
        {"from": str(m), "to": str(m + 1), "sim_from": float(sim.total[m]), "sim_to": float(sim.total[m + 1]),
         "change_percent": percent_error(float(sim.total[m + 1]), float(sim.total[m]))}
        for m in months if m.month == 12 and (m + 1) in months]
    return out


def compare(run, data, window=None, targets="insample", with_forecast=False):
    """Every figure of the report, as a dict (`run` is a path or a Run)."""
    if isinstance(run, str):
        run = load_run(run)
    sim = simulated(run)
    obs = read_observed(data, [str(n) for n in run.enc["nationality"].values])
    partial = []
    if window is None:
        window = sim.months[sim.months.isin(obs.months)]
        if not len(window) and not with_forecast:
            # a short run (a test's): its observed months, cut as they are, rather than nothing
            window = sim.days.index[sim.days.index.isin(obs.months)]
            partial = [f"{m} ({sim.days[m]} of {m.days_in_month} days)" for m in window]
    else:
        outside = [m for m in window if m not in obs.months]
        if outside:
            later = "; later months: --forecast" if outside[-1] > obs.months[-1] else ""
            raise ValueError(f"window {window[0]}/{window[-1]}: no observations for {month_list(outside)} "
                             f"(the record covers {obs.months[0]} - {obs.months[-1]}{later})")
        uncovered = [m for m in window if m not in sim.months]
        if uncovered:
            raise ValueError(f"window {window[0]}/{window[-1]}: the run does not cover the whole of "
                             f"{month_list(uncovered)}")
    out = {"run": run.path, "scale": run.scale}
    if with_forecast:
        out["forecast"] = forecast(sim, obs)
    if not len(window):
        if with_forecast:
            return out
        raise ValueError(f"{run.path}: no whole month of the run has observations (the record covers "
                         f"{obs.months[0]} - {obs.months[-1]}); --forecast prints the run's months after it")
    m = window_monthly(sim, obs, window)
    out.update({"months": m["months"],
                "monthly": {"sim_total": m["sim_total"], "obs_total": m["obs_total"],
                            "sim_usbp": sim.usbp.reindex(window).round(1).tolist(),
                            "obs_usbp": obs.usbp.reindex(window).tolist(),
                            "sim_ofo": sim.ofo.reindex(window).round(1).tolist(),
                            "obs_ofo": obs.ofo.reindex(window).tolist()},
                "mape_percent": m["mape_percent"], "folded_into_other": obs.folded})
    fy = np.array([fiscal_year(p) for p in window])
    years = [y for y in sorted(set(fy)) if (fy == y).sum() == 12]
    out["citizenship"] = {str(y): citizenship_rows(obs, sim, window[fy == y]) for y in years}
    out["sectors"] = {str(y): sector_rows(obs, sim, window[fy == y]) for y in years}
    out["window"] = {"name": f"{window[0]}/{window[-1]}", "first": str(window[0]), "last": str(window[-1]),
                     "mape_percent": m["mape_percent"], "naive": m["naive"],
                     "citizenship": citizenship_rows(obs, sim, window), "sectors": sector_rows(obs, sim, window)}
    missing = sorted(set(obs.sectors) - set(sim.by_sector.columns))
    warnings = [f"sectors with no place in the run: {missing}"] if missing else []
    if partial:
        warnings.append("the run covers no observed month whole; compared as simulated, in part: "
                        + ", ".join(partial))
    if warnings:
        out["warning"] = "; ".join(warnings)
    judge(out, targets)
    out["_frames"] = (sim, obs, window)
    return out


def fmt(v, spec, width):
    return f"{v:{spec}}" if v is not None else " " * (width - 3) + "n/a"


def report_monthly(out, w):
    t = out["targets"]
    win, m = out["window"], out["monthly"]
    naive = win["naive"]
    a, b = (naive[k]["forecast"] for k, _ in NAIVE)
    months = [pd.Period(x, freq="M") for x in out["months"]]
    w(f"1. Monthly southwest-border encounters (USBP + OFO), {span(months)}\n")
    w(f"   {'month':8} {'observed':>10} {'simulated':>10} {'error':>8}   "
      f"{'yr earlier':>10} {'error':>8} {'12-mo mean':>10} {'error':>8}\n")
    for i, mon in enumerate(out["months"]):
        o, s = m["obs_total"][i], m["sim_total"][i]
        line = f"   {mon:8} {o:10.0f} {s:10.0f} {100 * (s - o) / o:+7.1f}%  "
        for f in (a[i], b[i]):
            line += f" {f:10.0f} {100 * (f - o) / o:+7.1f}%" if f is not None else " " * 20
        w(line.rstrip() + "\n")
    ok = "met" if t["mape_met"] else "NOT met"
    w(f"   MAPE {out['mape_percent']:.1f}% (target <= {t['thresholds']['mape_percent']:.0f}%: {ok})\n")
    for key, label in NAIVE:
        d = naive[key]
        if d["mape_percent"] is None:
            w(f"   naive, {label}: not computable (the record lacks the months it needs)\n")
        elif d["months"] < len(months):
            w(f"   naive, {label}: MAPE {d['mape_percent']:.1f}% over the {d['months']} months that have "
              f"one (model on those months {d['sim_mape_percent_same_months']:.1f}%)\n")
        else:
            w(f"   naive, {label}: MAPE {d['mape_percent']:.1f}%\n")
    w("\n")


def report_citizenship_fy(out, w):
    w("2. Top-10 citizenships per fiscal year: total encounters\n")
    for y, rows in out["citizenship"].items():
        w(f"   FY{y}   {'citizenship':16} {'observed':>10} {'simulated':>10} {'error':>8}\n")
        for r in rows:
            e = r["error_percent"]
            flag = "" if not r["top10"] else ("  ok" if abs(e) <= TARGET_CIT else "  OUT")
            name = r["citizenship"] + ("" if r["top10"] else " (not ranked)")
            w(f"          {name:28} {r['obs']:10.0f} {r['sim']:10.0f} {e:+7.1f}%{flag}\n"
              if e is not None else f"          {name:28} {r['obs']:10.0f} {r['sim']:10.0f}\n")
    s = out["summary"]
    if s["citizenship_checks"]:
        w(f"   within +-{TARGET_CIT:.0f}%: {s['citizenship_within_15']} of {s['citizenship_checks']} "
          f"(mean |error| {s['citizenship_mean_abs_error_percent']:.1f}%)\n")


def report_sectors_fy(out, w):
    w("3. Border Patrol sector shares of USBP encounters (percent)\n")
    for y, d in out["sectors"].items():
        w(f"   FY{y}   {'sector':20} {'observed':>9} {'simulated':>9} {'diff':>7}\n")
        for r in d["sectors"]:
            flag = "  ok" if abs(r["diff_points"]) <= TARGET_SHARE else "  OUT"
            w(f"          {r['sector']:20} {r['obs_share']:9.1f} {r['sim_share']:9.1f} {r['diff_points']:+7.1f}{flag}\n")
        w(f"          ports of entry (OFO) share of all encounters: observed {d['ofo_share_obs']:.1f}%, "
          f"simulated {d['ofo_share_sim']:.1f}%\n")
    s = out["summary"]
    if s["sector_checks"]:
        w(f"   within +-{TARGET_SHARE:.0f} points: {s['sector_within_5_points']} of {s['sector_checks']} "
          f"(mean |diff| {s['sector_mean_abs_diff_points']:.1f} points)\n")


def err(v):
    return f"{v:+7.1f}%" if v is not None else f"{'n/a':>8}"


def report_window_citizenship(out, w):
    win, lim = out["window"], out["targets"]["thresholds"]
    name = span([pd.Period(win["first"], freq="M"), pd.Period(win["last"], freq="M")])
    w(f"   Window {name}: top-10 citizenships, window total (naive: {NAIVE[0][1]}; "
      f"{NAIVE[1][1]})\n")
    w(f"          {'citizenship':28} {'observed':>10} {'simulated':>10} {'error':>8}      "
      f"{'yr earlier':>10} {'error':>8} {'12-mo mean':>10} {'error':>8}\n")
    for r in win["citizenship"]:
        e = r["error_percent"]
        flag = "" if not r["top10"] else ("  ok " if abs(e) <= lim["citizenship_percent"] else "  OUT")
        cname = r["citizenship"] + ("" if r["top10"] else " (not ranked)")
        line = f"          {cname:28} {r['obs']:10.0f} {r['sim']:10.0f} {err(e)}{flag or '     '}"
        for key, _ in NAIVE:
            line += f" {fmt(r[key], '10.0f', 10)} {err(r[key + '_error_percent'])}"
        w(line.rstrip() + "\n")


def report_window_sectors(out, w):
    win, lim = out["window"], out["targets"]["thresholds"]
    name = span([pd.Period(win["first"], freq="M"), pd.Period(win["last"], freq="M")])
    w(f"   Window {name}: Border Patrol sector shares (percent; 'obs. mix': the model's split of each "
      f"nationality over the sectors, weighted by the record's USBP encounters by citizenship)\n")
    w(f"          {'sector':20} {'observed':>9} {'simulated':>9} {'diff':>7}      "
      f"{'yr earlier':>10} {'diff':>7} {'12-mo mean':>10} {'diff':>7} {'obs. mix':>9} {'diff':>7}\n")
    d = win["sectors"]
    for r in d["sectors"]:
        flag = "  ok " if abs(r["diff_points"]) <= lim["share_points"] else "  OUT"
        line = f"          {r['sector']:20} {r['obs_share']:9.1f} {r['sim_share']:9.1f} {r['diff_points']:+7.1f}{flag}"
        for key, _ in NAIVE:
            line += f" {fmt(r[key + '_share'], '10.1f', 10)} {fmt(r[key + '_diff_points'], '+7.1f', 7)}"
        m = r["sim_share_observed_mix"]
        line += f" {fmt(m, '9.1f', 9)} {fmt(None if m is None else m - r['obs_share'], '+7.1f', 7)}"
        w(line.rstrip() + "\n")
    naive = ", ".join(f"{label} " + (f"{d['ofo_share_' + key]:.1f}%" if d["ofo_share_" + key] is not None
                                      else "n/a") for key, label in NAIVE)
    w(f"          ports of entry (OFO) share of all encounters: observed {d['ofo_share_obs']:.1f}%, "
      f"simulated {d['ofo_share_sim']:.1f}% (naive: {naive})\n")


def report_targets(out, w):
    t = out["targets"]
    lim = t["thresholds"]
    yes = {True: "met", False: "NOT met"}
    w(f"4. Targets ({t['label']}, on {t['checked_on']})\n")
    w(f"   monthly MAPE {t['mape_percent']:.1f}% <= {lim['mape_percent']:.0f}%: {yes[t['mape_met']]}\n")
    c, n = t["citizenship_within_target"], t["citizenship_checks"]
    w(f"   top-10 citizenships within +-{lim['citizenship_percent']:.0f}%: {c} of {n}: {yes[c == n]}\n")
    c, n = t["sector_within_target"], t["sector_checks"]
    w(f"   sector shares within +-{lim['share_points']:.0f} points: {c} of {n}: {yes[c == n]}\n")
    w(f"   {'PASS' if t['passed'] else 'FAIL'}\n")


def report(out):
    w = sys.stdout.write
    w(f"run: {out['run']} (scale {out['scale']:g} agents per migrant; figures per migrant)\n")
    if "window" in out:
        win = out["window"]
        n = len(out["months"])
        w(f"window: {win['name']} ({n} month{'s' if n != 1 else ''}), targets: {out['targets']['label']}\n\n")
        report_monthly(out, w)
        sections = (("citizenship", report_citizenship_fy, "2. Top-10 citizenships", report_window_citizenship),
                    ("sectors", report_sectors_fy, "3. Border Patrol sector shares", report_window_sectors))
        for key, report_fy, title, report_window in sections:
            # in sample: the fiscal years' table first; else only the title
            if out["targets"]["name"] == "insample" and out[key]:
                report_fy(out, w)
            else:
                w(title + "\n")
            report_window(out, w)
            w("\n")
        report_targets(out, w)
        if "warning" in out:
            w(f"\nwarning: {out['warning']}\n")
    if "forecast" in out:
        w("\n")
        report_forecast(out["forecast"], out["scale"], w)


def report_forecast(f, scale, w, n_month_nat=6):
    if not f["months"]:
        w("5. Forecast: no whole month of the run is after the record\n")
        return
    months = [pd.Period(m, freq="M") for m in f["months"]]
    w(f"5. Forecast on record: {span(months)}, months without observations "
      f"(per migrant; the run's scale {scale:g})\n\n")
    top = [r["nationality"] for r in f["top_nationalities"] if r["nationality"] != "OTHER"]
    cols = top[:n_month_nat]
    w("| month | encounters | Border Patrol | ports of entry | " + " | ".join(c.title() for c in cols)
      + " | others |\n")
    w("|---|" + "---:|" * (4 + len(cols)) + "\n")
    for i, m in enumerate(f["months"]):
        nat = [f["by_nationality"][c][i] for c in cols]
        rest = f["total"][i] - sum(nat)
        w(f"| {m} | {f['total'][i]:,.0f} | {f['usbp'][i]:,.0f} | {f['ofo'][i]:,.0f} | "
          + " | ".join(f"{v:,.0f}" for v in nat) + f" | {rest:,.0f} |\n")
    w(f"| total | {sum(f['total']):,.0f} | {sum(f['usbp']):,.0f} | {sum(f['ofo']):,.0f} | "
      + " | ".join(f"{sum(f['by_nationality'][c]):,.0f}" for c in cols)
      + f" | {sum(f['total']) - sum(sum(f['by_nationality'][c]) for c in cols):,.0f} |\n\n")
    for d in f["december_january"]:
        w(f"{d['from']} -> {d['to']}: {d['sim_from']:,.0f} -> {d['sim_to']:,.0f} "
          f"({d['change_percent']:+.1f}%)\n\n")
    w("| nationality | encounters | share |\n|---|---:|---:|\n")
    for r in f["top_nationalities"]:
        name = r["nationality"].title() + (" (not ranked)" if r["nationality"] == "OTHER" else "")
        w(f"| {name} | {r['total']:,.0f} | {r['share_percent']:.1f} % |\n")
    w("\nBorder Patrol sector shares of Border Patrol encounters (percent)\n\n")
    w("| month | " + " | ".join(f["sectors"]) + " |\n")
    w("|---|" + "---:|" * len(f["sectors"]) + "\n")
    for m in f["months"]:
        w(f"| {m} | " + " | ".join(f"{v:.1f}" for v in f["sector_share_percent"][m]) + " |\n")
    w("| all months | " + " | ".join(f"{v:.1f}" for v in f["sector_share_percent_period"]) + " |\n")


def draw(out, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sim, obs, window = out["_frames"]
    months = sim.days.index[sim.days.index.isin(sim.months.union(window))]
    x = [m.to_timestamp() for m in months]
    seen = months[months.isin(obs.months)]
    xo = [m.to_timestamp() for m in seen]
    fig, ax = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    ax[0].plot(xo, obs.total.loc[seen].values / 1e3, "k-o", ms=3, label="observed (CBP, USBP + OFO)")
    ax[0].plot(x, sim.total.loc[months].values / 1e3, "C3-s", ms=3, label="simulated")
    ax[0].set_ylabel("encounters per month (thousands)")
    ax[0].set_title(f"Southwest border encounters; window {span(window)}: MAPE {out['mape_percent']:.1f}%")
    ax[1].plot(xo, obs.usbp.loc[seen].values / 1e3, "k-", label="observed Border Patrol (USBP)")
    ax[1].plot(x, sim.usbp.loc[months].values / 1e3, "C0--", label="simulated Border Patrol sectors")
    ax[1].plot(xo, obs.ofo.loc[seen].values / 1e3, "C7-", label="observed ports of entry (OFO)")
    ax[1].plot(x, sim.ofo.loc[months].values / 1e3, "C2--", label="simulated ports of entry")
    ax[1].set_ylabel("thousands")
    for a in ax:
        a.axvspan(window[0].to_timestamp(), (window[-1] + 1).to_timestamp(), color="0.9", zorder=0)
        a.grid(alpha=0.3)
    ax[0].legend()
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", help="HDF5 output of a corridor run")
    p.add_argument("--window", help="FIRST/LAST months, e.g. 2022-10/2023-09 (default: the run's "
                   "whole months that have observations)")
    p.add_argument("--targets", choices=sorted(TARGETS), default="insample",
                   help="in-sample (per fiscal year, default) or out-of-sample (on the window) targets")
    p.add_argument("--forecast", action="store_true",
                   help="also print the run's months after the record as Markdown tables")
    p.add_argument("--png", help="write simulated vs observed monthly encounters here")
    p.add_argument("--json", help="write every figure here")
    p.add_argument("--data", default=os.path.join(here, "..", "configs", "corridor", "data"),
                   help="folder of the observed CSVs")
    a = p.parse_args(argv)
    try:
        window = parse_window(a.window) if a.window is not None else None
        out = compare(a.run, a.data, window, a.targets, a.forecast)
    except (OSError, KeyError, ValueError) as e:
        sys.stderr.write(f"corridor_compare: {e}\n")
        return 1
    report(out)
    if a.png and "_frames" in out:
        draw(out, a.png)
        sys.stdout.write(f"\nwrote {a.png}\n")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({k: v for k, v in out.items() if not k.startswith("_")}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
