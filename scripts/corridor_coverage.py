#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Coverage of forecast intervals: how often the record falls inside the intervals of an
ensemble of corridor runs (parameter draws x seeds), over a window of months.

Usage:
    /usr/bin/python3 scripts/corridor_coverage.py RUN.h5... --window YYYY-MM/YYYY-MM
        [--levels 80,95] [--data DIR] [--json FILE]

RUN.h5 are the ensemble's runs (`migsim ensemble --keep-runs DIR`, or any corridor runs of
the same scenario). For each run the script takes what `corridor_compare.py` compares (monthly
southwest-border encounters, each citizenship's window total, each Border Patrol sector's share
of the window's USBP encounters), and for each figure the central interval at each level over
the runs: the empirical quantiles (1 - level) / 2 and (1 + level) / 2 (linear interpolation,
numpy's default). It prints, per figure and level, whether the observed value lies inside, the
coverage (the share of figures inside) of the monthly totals, of the window's top-10
citizenships and of the sectors, and the intervals' median relative width (monthly totals and
citizenships: (upper - lower) / observed; sectors: upper - lower in points).

Each coverage comes with the exact two-sided binomial test of the level (scipy's binomtest): its
p-value, and the counts of figures inside that the test does not reject at 5 %. With 12 months,
10 citizenships or 9 sectors these ranges are wide (12 months at 80 %: 7 to 12 inside): one
window's coverage tells a well-calibrated interval from a badly calibrated one only coarsely.

The uncertainty is what the runs carry: parameter draws and seeds (say so when quoting).
With --model-error FIRST/LAST (a training window, before the window scored) a model error is
added: each run's figure times exp(sigma z), z standard normal (the 50 quantiles (k - 0.5) / 50
of z for each run), where sigma is estimated on the training window alone from the runs' median
against the record: for monthly totals the standard deviation of log(observed / median) over
its months; for citizenships the same over its fiscal years' top-10 citizenship totals; for
sector shares (added in points: share + sigma z) the standard deviation of observed - median
over its fiscal years' sectors. So the intervals include what the model gets wrong in the
training window, measured there, not tuned on the window scored.

With --one-step FIRST/LAST instead (a training window with at least two whole fiscal years) the
model error is the error of carrying one fiscal year's figures to the next, measured inside the
training window alone (each pair of consecutive fiscal years a, b), which is what a forecast does
with what it fits: sigma is the root mean square of (no mean subtracted, a drift is an error)
  monthly totals: log(observed / median) of each month of b minus its mean over the months of a
                  (a level fitted on year a, carried to b's months);
  citizenships:   log(observed / median) of each of b's top-10 citizenships in b minus the same
                  in a (each nationality's level carried from a to b);
  sector shares:  observed share in b minus observed share in a, in points, every sector (the
                  corridor carries the mix of the training window's last fiscal year forward,
                  corridor.sector_choice, so its forecast error is this year-to-year drift).
The draws are added as for --model-error (exp(sigma z), sectors + sigma z).
"""
import argparse
import json
import os
import sys
from statistics import NormalDist

import numpy as np
import pandas as pd
from scipy.stats import binomtest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corridor_compare as cc  # noqa: E402


def load_runs(paths, data):
    """Each run's monthly figures (corridor_compare's Sim), each file read once, and the record."""
    sims = [cc.simulated(cc.load_run(p)) for p in paths]
    return sims, cc.read_observed(data, list(sims[0].by_nat.columns))


def run_figures(sim, months):
    """One run's monthly totals, citizenship totals and sector shares (points) over months."""
    tot = sim.total.reindex(months)
    nat = sim.by_nat.reindex(months).sum()
    sec = sim.by_sector.reindex(months).sum()
    sec = 100 * sec / sec.sum() if sec.sum() else sec * 0.0
    return tot, nat, sec


# the (k - 0.5) / 50 quantiles of N(0, 1), k = 1..50: the model error's draws for each run
Z = np.array([NormalDist().inv_cdf((k - 0.5) / 50) for k in range(1, 51)])


def with_error(sims, sigma, additive):
    """Each run's values with the model error: runs x len(Z) values per figure."""
    if not sigma:
        return sims
    if additive:
        return (sims[:, None, :] + sigma * Z[None, :, None]).reshape(-1, sims.shape[1])
    return (sims[:, None, :] * np.exp(sigma * Z)[None, :, None]).reshape(-1, sims.shape[1])


def table(name, labels, obs, sims, levels, relative):
    rows = []
    for j, lab in enumerate(labels):
        row = {"figure": name, "label": lab, "observed": float(obs[j])}
        for lv in levels:
            lo, hi = np.quantile(sims[:, j], [(1 - lv / 100) / 2, (1 + lv / 100) / 2])
            row[f"lower{lv}"], row[f"upper{lv}"] = float(lo), float(hi)
            row[f"inside{lv}"] = bool(lo <= obs[j] <= hi)
            row[f"width{lv}"] = float((hi - lo) / obs[j]) if relative else float(hi - lo)
        row["median"] = float(np.median(sims[:, j]))
        rows.append(row)
    return rows


def binomial_check(k, n, level):
    """How far k of n figures inside the level % intervals is from what intervals of exactly that
    coverage give: the exact two-sided binomial test's p-value of k, and the range of counts
    [lo, hi] it does not reject at 5 % (so coverage read off n figures is only known to that range)."""
    p = level / 100
    ok = [j for j in range(n + 1) if binomtest(j, n, p).pvalue >= 0.05]
    return float(binomtest(k, n, p).pvalue), ok[0], ok[-1]


def summary(rows, levels):
    out = {}
    for lv in levels:
        k = sum(bool(r[f"inside{lv}"]) for r in rows)
        pval, lo, hi = binomial_check(k, len(rows), lv) if rows else (None, None, None)
        out[lv] = {"coverage": float(np.mean([r[f"inside{lv}"] for r in rows])),
                   "n": len(rows), "median_width": float(np.median([r[f"width{lv}"] for r in rows])),
                   "inside": k, "binomial_p": pval, "consistent_counts": [lo, hi]}
    return out


def fiscal_years(window):
    """The months of a window FIRST/LAST and its whole fiscal years (October - September)."""
    first, last = window.split("/")
    months = pd.period_range(first, last, freq="M")
    return months, [months[i:i + 12] for i in range(len(months)) if months[i].month == 10 and i + 12 <= len(months)]


def year_figures(sims, fy, obs):
    """Over one fiscal year: the record's top-10 citizenships (OTHER apart), the record's and the
    runs' median totals of each citizenship (pd.Series), the record's and the median sector shares."""
    o_nat = obs.nat.loc[fy].sum()
    top = list(o_nat.drop("OTHER").sort_values(ascending=False).index[:10])
    per_run = [run_figures(sim, fy) for sim in sims]
    s_nat = pd.Series(np.median(np.array([[float(f[1].get(c, 0.0)) for c in o_nat.index] for f in per_run]), axis=0),
                      index=o_nat.index)
    o_sec = cc.shares(obs.sec.loc[fy].sum())[obs.sectors]
    s_sec = pd.Series(np.median(np.array([[float(f[2].get(c, 0.0)) for c in obs.sectors] for f in per_run]), axis=0),
                      index=obs.sectors)
    return top, o_nat, s_nat, o_sec, s_sec


def model_error(window, sims, obs):
    """sigma of the runs' median against the record over a training window (see above)."""
    months, fys = fiscal_years(window)
    med = np.median(np.array([run_figures(sim, months)[0].values for sim in sims]), axis=0)
    lm = np.log(obs.total.reindex(months).values / med)
    lc, ds = [], []
    for fy in fys:
        top, o_nat, s_nat, o_sec, s_sec = year_figures(sims, fy, obs)
        lc += list(np.log(o_nat[top].values / np.maximum(s_nat[top].values, 1.0)))
        ds += list(o_sec.values - s_sec.values)
    sd = lambda x: float(np.std(x, ddof=1)) if len(x) > 1 else None  # noqa: E731 (no whole fiscal year: none)
    return {"month": sd(lm), "citizenship": sd(lc), "sector": sd(ds)}


def one_step_sigma(month_ratio, top, nat_ratio, sec_share):
    """The one-step-ahead errors of --one-step (see above), one entry per fiscal year in order:
    month_ratio[y] the log(observed / median) of its months, top[y] its top-10 citizenships,
    nat_ratio[y] the log(observed / median) of every citizenship (pd.Series), sec_share[y] the
    observed sector shares in points (pd.Series). Returns sigma by table (root mean square)."""
    if len(month_ratio) < 2:
        raise ValueError("--one-step needs a training window with at least two whole fiscal years")
    em, ec, es = [], [], []
    for a, b in zip(range(len(month_ratio) - 1), range(1, len(month_ratio))):
        em += list(np.asarray(month_ratio[b]) - np.mean(month_ratio[a]))
        ec += [nat_ratio[b][c] - nat_ratio[a][c] for c in top[b]]
        es += list(sec_share[b].values - sec_share[a][sec_share[b].index].values)
    rms = lambda x: float(np.sqrt(np.mean(np.square(x))))  # noqa: E731
    return {"month": rms(em), "citizenship": rms(ec), "sector": rms(es)}


def one_step_error(window, sims, obs):
    """sigma of --one-step from the runs and the record over a training window (see above)."""
    months, fys = fiscal_years(window)
    med = pd.Series(np.median(np.array([run_figures(sim, months)[0].values for sim in sims]), axis=0), index=months)
    mr, tops, nr, ss = [], [], [], []
    for fy in fys:
        top, o_nat, s_nat, o_sec, _ = year_figures(sims, fy, obs)
        mr.append(np.log(obs.total.reindex(fy).values / med[fy].values))
        tops.append(top)
        nr.append(np.log(np.maximum(o_nat, 1.0) / np.maximum(s_nat, 1.0)))
        ss.append(o_sec)
    return one_step_sigma(mr, tops, nr, ss)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--window", required=True)
    ap.add_argument("--levels", default="80,95")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "..", "configs", "corridor", "data"))
    ap.add_argument("--json")
    ap.add_argument("--model-error", metavar="FIRST/LAST",
                    help="add a model error estimated on this training window (see above)")
    ap.add_argument("--one-step", metavar="FIRST/LAST",
                    help="add the one-step-ahead error of this training window instead (see above)")
    a = ap.parse_args(argv)
    if a.model_error and a.one_step:
        ap.error("--model-error and --one-step are two readings of the model error: give one")
    levels = [int(x) for x in a.levels.split(",")]
    first, last = a.window.split("/")
    months = pd.period_range(first, last, freq="M")
    sims, obs = load_runs(a.runs, a.data)
    figs = [run_figures(sim, months) for sim in sims]
    o_tot = obs.total.reindex(months).values
    o_nat = obs.nat.loc[months].sum()
    top = list(o_nat.drop("OTHER").sort_values(ascending=False).index[:10])
    o_sec = cc.shares(obs.sec.loc[months].sum())
    tot = np.array([f[0].values for f in figs])
    nat = np.array([[float(f[1].get(c, 0.0)) for c in top] for f in figs])
    sec = np.array([[float(f[2].get(c, 0.0)) for c in obs.sectors] for f in figs])
    training = a.model_error or a.one_step
    try:
        sigma = (model_error(a.model_error, sims, obs) if a.model_error else
                 one_step_error(a.one_step, sims, obs) if a.one_step else {})
    except ValueError as e:
        ap.error(str(e))
    tot = with_error(tot, sigma.get("month"), False)
    nat = with_error(nat, sigma.get("citizenship"), False)
    sec = with_error(sec, sigma.get("sector"), True)
    tables = {"month": table("month", [str(m) for m in months], o_tot, tot, levels, True),
              "citizenship": table("citizenship", top, o_nat[top].values, nat, levels, True),
              "sector": table("sector", obs.sectors, o_sec[obs.sectors].values, sec, levels, False)}
    out = {"window": a.window, "runs": len(a.runs), "levels": levels, "tables": tables,
           "model_error": {"training_window": training, "method": "one-step" if a.one_step else "residual",
                           "sigma": sigma} if training else None,
           "summary": {k: summary(v, levels) for k, v in tables.items()}}
    if sigma:
        f = lambda v, d: "none (no whole fiscal year)" if v is None else f"{v:.{d}f}"  # noqa: E731
        print(f"model error ({'one step ahead' if a.one_step else 'residuals'}) from {training}: "
              f"sigma monthly {f(sigma['month'], 3)} (log), citizenships "
              f"{f(sigma['citizenship'], 3)} (log), sectors {f(sigma['sector'], 2)} points")
    print(f"coverage over {a.window}, {len(a.runs)} runs (the uncertainty the runs carry)")
    for k, rows in tables.items():
        for r in rows:
            cells = "  ".join(f"{lv}%: [{r[f'lower{lv}']:.4g}, {r[f'upper{lv}']:.4g}] "
                              f"{'in ' if r[f'inside{lv}'] else 'OUT'}" for lv in levels)
            print(f"  {k:11s} {r['label']:18s} observed {r['observed']:10.4g}  median {r['median']:10.4g}  {cells}")
    for k, s in out["summary"].items():
        unit = "points" if k == "sector" else "of observed"
        print(f"{k}: " + "; ".join(
            f"{lv}% interval covers {100 * v['coverage']:.0f}% of {v['n']} (median width "
            f"{v['median_width'] if k == 'sector' else 100 * v['median_width']:.1f}"
            f"{' points' if k == 'sector' else ' %'} {unit if k != 'sector' else ''}; "
            f"binomial p {v['binomial_p']:.2g}, {v['consistent_counts'][0]}-{v['consistent_counts'][1]} "
            f"of {v['n']} consistent with {lv}%)".replace("  ", " ")
            for lv, v in s.items()))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
