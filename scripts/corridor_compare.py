#!/usr/bin/python3
"""Compare a corridor run with the CBP/OHSS record, fiscal years 2021-2023.

Usage:
    /usr/bin/python3 scripts/corridor_compare.py OUTPUT.h5 [--png FILE] [--json FILE]
        [--data DIR]

Reads the run's `encounters` (time, place, nationality) and divides by the scenario's
corridor.scale (agents per migrant, from the provenance), then prints, for October 2020 -
September 2023:

  1. monthly southwest-border encounters (Border Patrol sectors + ports of entry) against
     cbp_swb_encounters_monthly_fy2021_fy2023.csv (USBP + OFO), and their MAPE, the mean
     of |sim - obs| / obs over the 36 months (target: 15 % or less);
  2. each fiscal year's top-10 citizenships (by observed total; OTHER is not a
     citizenship and is shown apart) and the error of each FY total (target: within
     +-15 %); CBP citizenships the run has no nationality for (CANADA, MYANMAR (BURMA),
     PHILIPPINES for the default scenario) are added to CBP's OTHER, as `migsim calibrate`
     does;
  3. each Border Patrol sector's share of USBP encounters per fiscal year, model (sector
     places) against usbp_swb_encounters_monthly_by_sector_fy2021_fy2023.csv (target:
     within +-5 points); and the ports' (OFO) share of all encounters.

--png FILE draws simulated against observed monthly encounters (total, and Border Patrol
and ports of entry apart). --json FILE writes every figure. --data DIR is the folder of the
observed CSVs (default: configs/corridor/data next to this script, a byte-identical copy
of /work/shared/data/corridor). Exit status 0 whatever the fit (it is a report), 1 on a
missing or malformed input.

Use Debian's /usr/bin/python3 (python3-xarray, python3-h5py, python3-pandas,
python3-matplotlib, python3-yaml).
"""
import argparse
import json
import os
import sys

import numpy as np
import pandas as pd

FY_FIRST, FY_LAST = 2021, 2023
MONTHS = pd.period_range("2020-10", "2023-09", freq="M")
TARGET_MAPE, TARGET_CIT, TARGET_SHARE = 15.0, 15.0, 5.0


def fiscal_year(period):
    return period.year + (1 if period.month >= 10 else 0)


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
    enc = ds["encounters"].load()
    kinds = [str(k) for k in ds["place_kind"].values] if "place_kind" in ds else None
    return ds, enc, scale, set(ports), kinds


def monthly(enc, scale, places):
    """DataFrame (month x nationality) of encounters at `places`, per migrant."""
    sub = enc.sel(place=[p for p in enc["place"].values if str(p) in places]).sum("place")
    df = sub.to_pandas()
    df.index = pd.DatetimeIndex(df.index).to_period("M")
    df = df.groupby(level=0).sum() / scale
    df.columns = [str(c) for c in df.columns]
    return df.reindex(MONTHS, fill_value=0.0)


def monthly_by_place(enc, scale, places):
    sub = enc.sel(place=[p for p in enc["place"].values if str(p) in places]).sum("nationality")
    df = sub.to_pandas()
    df.index = pd.DatetimeIndex(df.index).to_period("M")
    df = df.groupby(level=0).sum() / scale
    df.columns = [str(c) for c in df.columns]
    return df.reindex(MONTHS, fill_value=0.0)


def read_observed(data):
    tot = pd.read_csv(os.path.join(data, "cbp_swb_encounters_monthly_fy2021_fy2023.csv"))
    tot = tot[tot["calendar_month"].notna()].copy()
    tot.index = pd.PeriodIndex(tot["calendar_month"], freq="M")
    cit = pd.read_csv(os.path.join(data, "cbp_swb_encounters_monthly_by_citizenship_fy2021_fy2023.csv"))
    cit = cit[cit["calendar_month"].notna()].copy()
    cit.index = pd.PeriodIndex(cit["calendar_month"], freq="M")
    sec = pd.read_csv(os.path.join(data, "usbp_swb_encounters_monthly_by_sector_fy2021_fy2023.csv"))
    sec = sec[sec["calendar_month"].notna()].copy()
    sec.index = pd.PeriodIndex(sec["calendar_month"], freq="M")
    return tot.reindex(MONTHS), cit.reindex(MONTHS), sec.reindex(MONTHS)


def compare(run, data):
    ds, enc, scale, ports, kinds = load_run(run)
    places = [str(p) for p in enc["place"].values]
    if kinds is not None:
        dest = {p for p, k in zip(places, kinds) if k == "destination"}
    else:
        dest = set(places)
    sectors_sim = sorted(dest - ports)
    obs_tot, obs_cit, obs_sec = read_observed(data)
    sectors_obs = [c for c in obs_sec.columns if c not in ("fiscal_year", "month", "calendar_month")
                   and not c.startswith("SWB_")]

    by_nat = monthly(enc, scale, dest)
    usbp = monthly(enc, scale, set(sectors_sim)).sum(axis=1)
    ofo = monthly(enc, scale, ports).sum(axis=1)
    sim_total = by_nat.sum(axis=1)
    obs_total = obs_tot["swb_total_encounters_usbp_plus_ofo"].astype(float)
    ape = (sim_total - obs_total).abs() / obs_total
    out = {"run": run, "scale": scale, "months": [str(m) for m in MONTHS],
           "monthly": {"sim_total": sim_total.round(1).tolist(), "obs_total": obs_total.tolist(),
                       "sim_usbp": usbp.round(1).tolist(), "obs_usbp": obs_tot["usbp_encounters_swb"].astype(float).tolist(),
                       "sim_ofo": ofo.round(1).tolist(), "obs_ofo": obs_tot["ofo_encounters_swb"].astype(float).tolist()},
           "mape_percent": float(100 * ape.mean())}

    fy = np.array([fiscal_year(m) for m in MONTHS])
    # citizenships
    cols = [c for c in obs_cit.columns if c not in ("fiscal_year", "month_abbv", "calendar_month", "TOTAL")]
    obs_nat = obs_cit[cols].astype(float)
    # as `migsim calibrate` does: a citizenship the run lacks counts as its OTHER
    run_nat = [str(n) for n in enc["nationality"].values]
    fold = [c for c in cols if c not in run_nat]
    if fold and "OTHER" in run_nat:
        obs_nat["OTHER"] = obs_nat[[c for c in fold + (["OTHER"] if "OTHER" in cols else [])
                                    if c in obs_nat]].sum(axis=1)
        obs_nat = obs_nat.drop(columns=[c for c in fold if c != "OTHER"])
    out["folded_into_other"] = [c for c in fold if c != "OTHER"]
    cit = {}
    for y in range(FY_FIRST, FY_LAST + 1):
        o = obs_nat[fy == y].sum()
        s = by_nat[fy == y].sum()
        top = [c for c in o.drop("OTHER").sort_values(ascending=False).index[:10]]
        rows = []
        for c in top + ["OTHER"]:
            sv = float(s.get(c, 0.0))
            ov = float(o[c])
            rows.append({"citizenship": c, "obs": ov, "sim": round(sv, 1),
                         "error_percent": float(100 * (sv - ov) / ov) if ov else None,
                         "top10": c != "OTHER"})
        cit[str(y)] = rows
    out["citizenship"] = cit

    # sectors
    sec_sim = monthly_by_place(enc, scale, set(sectors_sim))
    shares = {}
    for y in range(FY_FIRST, FY_LAST + 1):
        o = obs_sec.loc[fy == y, sectors_obs].astype(float).sum()
        s = sec_sim[fy == y].sum()
        rows = []
        for c in sectors_obs:
            os_ = float(100 * o[c] / o.sum())
            ss = float(100 * s.get(c, 0.0) / s.sum()) if s.sum() else 0.0
            rows.append({"sector": c, "obs_share": os_, "sim_share": ss, "diff_points": ss - os_})
        ofo_obs = float(obs_tot.loc[fy == y, "ofo_encounters_swb"].sum() / obs_total[fy == y].sum() * 100)
        ofo_sim = float(ofo[fy == y].sum() / sim_total[fy == y].sum() * 100) if sim_total[fy == y].sum() else 0.0
        shares[str(y)] = {"sectors": rows, "ofo_share_obs": ofo_obs, "ofo_share_sim": ofo_sim}
    out["sectors"] = shares
    missing = sorted(set(sectors_obs) - set(sectors_sim))
    if missing:
        out["warning"] = f"sectors with no place in the run: {missing}"

    # summary against the targets
    cit_err = [abs(r["error_percent"]) for y in cit.values() for r in y if r["top10"]]
    sec_err = [abs(r["diff_points"]) for y in shares.values() for r in y["sectors"]]
    out["summary"] = {
        "mape_percent": out["mape_percent"], "mape_target_met": out["mape_percent"] <= TARGET_MAPE,
        "citizenship_within_15": int(sum(e <= TARGET_CIT for e in cit_err)), "citizenship_checks": len(cit_err),
        "citizenship_mean_abs_error_percent": float(np.mean(cit_err)),
        "sector_within_5_points": int(sum(e <= TARGET_SHARE for e in sec_err)), "sector_checks": len(sec_err),
        "sector_mean_abs_diff_points": float(np.mean(sec_err)),
    }
    out["_frames"] = (sim_total, obs_total, usbp, obs_tot["usbp_encounters_swb"].astype(float), ofo,
                      obs_tot["ofo_encounters_swb"].astype(float))
    return out


def report(out):
    w = sys.stdout.write
    w(f"run: {out['run']} (scale {out['scale']:g} agents per migrant; figures per migrant)\n\n")
    w("1. Monthly southwest-border encounters (USBP + OFO), Oct 2020 - Sep 2023\n")
    w(f"   {'month':8} {'observed':>10} {'simulated':>10} {'error':>8}\n")
    m = out["monthly"]
    for i, mon in enumerate(out["months"]):
        o, s = m["obs_total"][i], m["sim_total"][i]
        w(f"   {mon:8} {o:10.0f} {s:10.0f} {100 * (s - o) / o:+7.1f}%\n")
    t = "met" if out["summary"]["mape_target_met"] else "NOT met"
    w(f"   MAPE {out['mape_percent']:.1f}% (target <= {TARGET_MAPE:.0f}%: {t})\n\n")
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
    w(f"   within +-{TARGET_CIT:.0f}%: {s['citizenship_within_15']} of {s['citizenship_checks']} "
      f"(mean |error| {s['citizenship_mean_abs_error_percent']:.1f}%)\n\n")
    w("3. Border Patrol sector shares of USBP encounters (percent)\n")
    for y, d in out["sectors"].items():
        w(f"   FY{y}   {'sector':20} {'observed':>9} {'simulated':>9} {'diff':>7}\n")
        for r in d["sectors"]:
            flag = "  ok" if abs(r["diff_points"]) <= TARGET_SHARE else "  OUT"
            w(f"          {r['sector']:20} {r['obs_share']:9.1f} {r['sim_share']:9.1f} {r['diff_points']:+7.1f}{flag}\n")
        w(f"          ports of entry (OFO) share of all encounters: observed {d['ofo_share_obs']:.1f}%, "
          f"simulated {d['ofo_share_sim']:.1f}%\n")
    w(f"   within +-{TARGET_SHARE:.0f} points: {s['sector_within_5_points']} of {s['sector_checks']} "
      f"(mean |diff| {s['sector_mean_abs_diff_points']:.1f} points)\n")
    if "warning" in out:
        w(f"\nwarning: {out['warning']}\n")


def draw(out, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sim_total, obs_total, usbp, obs_usbp, ofo, obs_ofo = out["_frames"]
    x = [m.to_timestamp() for m in MONTHS]
    fig, ax = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    ax[0].plot(x, obs_total.values / 1e3, "k-o", ms=3, label="observed (CBP, USBP + OFO)")
    ax[0].plot(x, sim_total.values / 1e3, "C3-s", ms=3, label="simulated")
    ax[0].set_ylabel("encounters per month (thousands)")
    ax[0].set_title(f"Southwest border encounters, FY2021-FY2023 (MAPE {out['mape_percent']:.1f}%)")
    ax[0].legend()
    ax[0].grid(alpha=0.3)
    ax[1].plot(x, obs_usbp.values / 1e3, "k-", label="observed Border Patrol (USBP)")
    ax[1].plot(x, usbp.values / 1e3, "C0--", label="simulated Border Patrol sectors")
    ax[1].plot(x, obs_ofo.values / 1e3, "C7-", label="observed ports of entry (OFO)")
    ax[1].plot(x, ofo.values / 1e3, "C2--", label="simulated ports of entry")
    ax[1].set_ylabel("thousands")
    ax[1].legend(fontsize=8)
    ax[1].grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", help="HDF5 output of a corridor run")
    p.add_argument("--png", help="write simulated vs observed monthly encounters here")
    p.add_argument("--json", help="write every figure here")
    p.add_argument("--data", default=os.path.join(here, "..", "configs", "corridor", "data"),
                   help="folder of the observed CSVs")
    a = p.parse_args(argv)
    try:
        out = compare(a.run, a.data)
    except (OSError, KeyError, ValueError) as e:
        sys.stderr.write(f"corridor_compare: {e}\n")
        return 1
    report(out)
    if a.png:
        draw(out, a.png)
        sys.stdout.write(f"\nwrote {a.png}\n")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({k: v for k, v in out.items() if not k.startswith("_")}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
